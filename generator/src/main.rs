//! `clerk-codegen generate --spec FILE --out DIR`: generates the SDK crate.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

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
        /// The OpenAPI 3.0 document (YAML or JSON).
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
        /// Do not write; fail with a diff if the crate on disk is not up to date.
        #[arg(long)]
        check: bool,
    },
}

fn main() -> ExitCode {
    let Command::Generate { spec, out, crate_name, crate_version, overlays, names, webhooks, check } =
        Cli::parse().command;
    let names = match names.map(|n| clerk_codegen::read_names(&n)).transpose() {
        Ok(names) => names.unwrap_or_default(),
        Err(errors) => {
            eprintln!("{errors}");
            return ExitCode::FAILURE;
        }
    };
    let options = clerk_codegen::emit::Options { crate_name, crate_version, ..Default::default() };
    let generated = match &webhooks {
        Some(webhooks) => clerk_codegen::generate_with_webhooks(&spec, webhooks, &overlays, &names, &options),
        None => clerk_codegen::generate(&spec, &overlays, &names, &options),
    };
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
