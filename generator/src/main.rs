//! `clerk-codegen generate --spec FILE --out DIR`: generates the SDK crate.

use clap::{Parser, Subcommand};
use clerk_codegen::Errors;
use clerk_codegen::ir::{Api, NameMap};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: clerk_codegen::Allocator = clerk_codegen::Allocator;

#[derive(Parser)]
#[command(name = "clerk-codegen", version, about = "Generates a Rust SDK crate from Clerk's OpenAPI document")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate (or check) a crate from a spec.
    Generate {
        /// The OpenAPI 3.0 or 3.1 document (JSON for a `.json` file, else YAML).
        #[arg(long)]
        spec: PathBuf,
        /// The crate directory to write.
        #[arg(long)]
        out: PathBuf,
        /// The package name.
        #[arg(long, default_value = "clerk-sdk")]
        crate_name: String,
        /// The package version.
        #[arg(long, default_value = "0.1.0")]
        crate_version: String,
        /// Overlay files (OpenAPI Overlay 1.0 subset) applied in order before generation.
        #[arg(long = "overlay")]
        overlays: Vec<PathBuf>,
        /// A names map (`"<JSON pointer>" = "RustName"` lines) that pins type names.
        #[arg(long)]
        names: Option<PathBuf>,
        /// A webhooks document (`x-webhooks`) to generate typed webhook events from.
        #[arg(long)]
        webhooks: Option<PathBuf>,
        /// A names map for the webhooks document, like `--names`.
        #[arg(long, requires = "webhooks")]
        webhook_names: Option<PathBuf>,
        /// Do not write; fail with a diff if the crate on disk is not up to date.
        #[arg(long)]
        check: bool,
    },
}

/// Loads the spec and its webhooks, printing what each read loosely.
fn load(
    spec: &Path,
    webhooks: Option<&Path>,
    overlays: &[PathBuf],
    names: &NameMap,
    webhook_names: &NameMap,
) -> Result<(Api, Option<Api>), Errors> {
    let (api, events) = clerk_codegen::load_apis(spec, webhooks, overlays, names, webhook_names)?;
    for warning in &api.warnings {
        eprintln!("warning: {warning}");
    }
    if webhooks.is_some() {
        events.iter().flat_map(|e| &e.warnings).for_each(|warning| eprintln!("warning: {warning}"));
    }
    Ok((api, events))
}

fn main() -> ExitCode {
    let Command::Generate { spec, out, crate_name, crate_version, overlays, names, webhooks, webhook_names, check } =
        Cli::parse().command;
    let read = |names: Option<PathBuf>| names.map(|n| clerk_codegen::read_names(&n)).transpose();
    let (names, webhook_names) = match (read(names), read(webhook_names)) {
        (Ok(names), Ok(webhook_names)) => (names.unwrap_or_default(), webhook_names.unwrap_or_default()),
        (Err(errors), _) | (_, Err(errors)) => {
            eprintln!("{errors}");
            return ExitCode::FAILURE;
        }
    };
    let options = clerk_codegen::emit::Options { crate_name, crate_version, ..Default::default() };
    let generated = load(&spec, webhooks.as_deref(), &overlays, &names, &webhook_names)
        .and_then(|(api, events)| clerk_codegen::emit::emit_with_webhooks(&api, events.as_ref(), &options));
    let files = match generated {
        Ok(files) => files,
        Err(errors) => {
            eprintln!("{errors}");
            return ExitCode::FAILURE;
        }
    };
    let result =
        if check { clerk_codegen::write::check(&out, &files) } else { clerk_codegen::write::write(&out, &files) };
    match result {
        Ok(report) if check && !report.is_clean() => {
            print!("{}", report.diff);
            eprintln!("error: {} is not up to date with {}", out.display(), spec.display());
            ExitCode::FAILURE
        }
        Ok(report) => {
            if !check {
                eprintln!(
                    "wrote {} ({} files changed, {} removed)",
                    out.display(),
                    report.changed.len(),
                    report.stale.len()
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {}: {e}", out.display());
            ExitCode::FAILURE
        }
    }
}
