//! `cargo xtask`: the project's tasks.
//!
//! - `cargo xtask regen [--check] [--spec FILE]`: regenerate `generated-sdk/` from the
//!   pinned spec (`spec/clerk.toml`), or check that it is up to date.
//! - `cargo xtask test`: everything CI runs.

mod pin;
mod prism;
mod specs;

use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

#[derive(Parser)]
#[command(name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Regenerate generated-sdk/ from the pinned spec.
    Regen {
        /// Do not write: fail with a diff if generated-sdk/ is stale.
        #[arg(long)]
        check: bool,
        /// Generate from this file instead of the pinned spec (no download, no hash check).
        #[arg(long)]
        spec: Option<PathBuf>,
    },
    /// Run every check CI runs: regen --check, clippy, tests, docs, and a compile check of
    /// the crates generated from every spec in $CLERK_SPECS_DIR and from the golden fixtures.
    Test,
    /// Generate a crate from every spec in $CLERK_SPECS_DIR and `cargo check` them.
    CheckSpecs,
    /// Rewrite the golden snapshots of the fixture specs.
    Golden,
    /// Call every operation of the SDK against a Prism mock server of the pinned spec.
    Conformance,
}

type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let result = match Cli::parse().task {
        Task::Regen { check, spec } => regen(check, spec.as_deref()),
        Task::Test => test(),
        Task::CheckSpecs => specs::check_all(&root()),
        Task::Conformance => prism::run(&root()),
        Task::Golden => cargo(&["test", "-p", "clerk-codegen", "--test", "golden"], &[("UPDATE_GOLDEN", "1")]),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

fn overlays(root: &Path) -> Result<Vec<PathBuf>> {
    let dir = root.join("spec/overlays");
    let mut list: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    list.sort();
    Ok(list)
}

fn regen(check: bool, spec: Option<&Path>) -> Result {
    let root = root();
    let pin = pin::Pin::read(&root.join("spec/clerk.toml"))?;
    let spec = match spec {
        Some(path) => path.to_path_buf(),
        None => pin.resolve(&root)?,
    };
    let options =
        clerk_codegen::emit::Options { crate_name: "clerk-sdk".into(), crate_version: pin.crate_version.clone() };
    let started = Instant::now();
    let files = clerk_codegen::generate(&spec, &overlays(&root)?, &options).map_err(|e| e.to_string())?;
    let out = root.join("generated-sdk");
    if check {
        let report = clerk_codegen::write::check(&out, &files).map_err(|e| e.to_string())?;
        if !report.is_clean() {
            print!("{}", report.diff);
            return Err(format!(
                "generated-sdk/ is stale ({} changed, {} no longer generated): run `cargo xtask regen`",
                report.changed.len(),
                report.stale.len()
            ));
        }
        eprintln!("generated-sdk/ is up to date with {} ({:.0?})", spec.display(), started.elapsed());
    } else {
        let report = clerk_codegen::write::write(&out, &files).map_err(|e| e.to_string())?;
        eprintln!(
            "regenerated generated-sdk/ from {} in {:.0?}: {} files changed, {} removed",
            spec.display(),
            started.elapsed(),
            report.changed.len(),
            report.stale.len()
        );
    }
    Ok(())
}

/// Runs cargo in the workspace root.
pub fn cargo(args: &[&str], env: &[(&str, &str)]) -> Result {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(&cargo)
        .args(args)
        .envs(env.iter().copied())
        .current_dir(root())
        .status()
        .map_err(|e| format!("cannot run {cargo}: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("`cargo {}` failed", args.join(" "))) }
}

fn test() -> Result {
    let root = root();
    let started = Instant::now();
    type Step<'a> = (&'a str, Box<dyn Fn() -> Result + 'a>);
    let steps: Vec<Step> = vec![
        ("regen --check", Box::new(|| regen(true, None))),
        ("clippy", Box::new(|| cargo(&["clippy", "--workspace", "--all-targets", "--quiet", "--", "-D", "warnings"], &[]))),
        (
            "clippy, clerk-sdk with tracing",
            Box::new(|| {
                let args = ["clippy", "-p", "clerk-sdk", "--features", "tracing", "--all-targets", "--quiet", "--", "-D", "warnings"];
                cargo(&args, &[])
            }),
        ),
        (
            "check, clerk-sdk with native-tls instead of rustls",
            Box::new(|| cargo(&["check", "-p", "clerk-sdk", "--no-default-features", "--features", "native-tls", "--quiet"], &[])),
        ),
        ("tests", Box::new(|| cargo(&["test", "--workspace", "--quiet"], &[]))),
        ("docs", Box::new(|| cargo(&["doc", "--workspace", "--no-deps", "--quiet"], &[("RUSTDOCFLAGS", "-D warnings")]))),
        ("every spec and golden fixture compiles", Box::new(|| specs::check_all(&root))),
        ("every operation against Prism", Box::new(|| prism::run(&root))),
    ];
    for (name, step) in steps {
        let t = Instant::now();
        eprintln!("==> {name}");
        step()?;
        eprintln!("    {name}: ok ({:.1?})", t.elapsed());
    }
    eprintln!("all checks passed in {:.0?}", started.elapsed());
    Ok(())
}
