//! `cargo xtask`: the project's tasks.
//!
//! - `cargo xtask regen [--check] [--spec FILE]`: regenerate `generated-sdk/` from the
//!   pinned spec (`spec/clerk.toml`), or check that it is up to date.
//! - `cargo xtask test`: everything CI runs.

mod baselines;
mod bench;
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
        #[arg(long, conflicts_with = "api_version")]
        spec: Option<PathBuf>,
        /// Switch the pin to this API version (see spec/versions.toml), then regenerate.
        #[arg(long)]
        api_version: Option<String>,
    },
    /// Print what changed in the generated Rust API between two specs (files, or API
    /// versions from spec/versions.toml), each change marked breaking or not.
    ApiDiff {
        /// The old spec: a file or an API version.
        old: String,
        /// The new spec: a file or an API version.
        new: String,
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
    /// Measure generation (by phase, memory, at scale), compile time and per-call overhead,
    /// and the generation and compile time of other generators and clerk-rs (the baselines).
    Bench {
        /// Run only this section (default: all of them).
        #[arg(long, value_enum, value_name = "SECTION")]
        only: Option<bench::Section>,
    },
}

type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let result = match Cli::parse().task {
        Task::Regen { check, spec, api_version } => regen(&root(), check, spec.as_deref(), api_version.as_deref()),
        Task::ApiDiff { old, new } => api_diff(&root(), &old, &new),
        Task::Test => test(),
        Task::CheckSpecs => specs::check_all(&root()),
        Task::Conformance => prism::run(&root()),
        Task::Bench { only } => bench::run(&root(), only),
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

fn names(root: &Path) -> Result<clerk_codegen::ir::NameMap> {
    clerk_codegen::read_names(&root.join("spec/names.toml")).map_err(|e| e.to_string())
}

/// The names map of the webhooks document.
fn webhook_names(root: &Path) -> Result<clerk_codegen::ir::NameMap> {
    clerk_codegen::read_names(&root.join("spec/webhook-names.toml")).map_err(|e| e.to_string())
}

/// A spec given on the command line: a file, or an API version from spec/versions.toml.
fn spec_arg(root: &Path, arg: &str) -> Result<PathBuf> {
    let path = Path::new(arg);
    if path.exists() { Ok(path.to_path_buf()) } else { pin::version(root, arg)?.resolve(root) }
}

fn load(root: &Path, spec: &Path) -> Result<clerk_codegen::ir::Api> {
    load_with(root, spec, &names(root)?)
}

fn load_with(root: &Path, spec: &Path, names: &clerk_codegen::ir::NameMap) -> Result<clerk_codegen::ir::Api> {
    clerk_codegen::load_api(spec, &overlays(root)?, names).map_err(|e| e.to_string())
}

fn api_diff(root: &Path, old: &str, new: &str) -> Result {
    let pin = pin::Pin::read(root)?;
    let (old_api, new_api) = (load(root, &spec_arg(root, old)?)?, load(root, &spec_arg(root, new)?)?);
    let changes = clerk_codegen::diff::diff(&old_api, &new_api);
    let title = format!("clerk-sdk API changes: {} ({old}) to {} ({new})", old_api.version, new_api.version);
    print!("{}", clerk_codegen::diff::render(&title, &pin.crate_version, &changes));
    Ok(())
}

const CHANGELOG_INTRO: &str = "# Changelog\n\n\
All notable changes to `clerk-sdk`. `cargo xtask regen` writes the Unreleased section: the\n\
change to the generated API from the last release's API version (`baseline_api_version` in\n\
`spec/clerk.toml`) to the pinned one. A release renames it to the new crate version.\n";

/// The changelog with its Unreleased section recomputed (or removed when the pinned API
/// version is the released one).
fn changelog(root: &Path, pin: &pin::Pin, api: &clerk_codegen::ir::Api, from_pin: bool) -> Result<String> {
    let path = root.join("generated-sdk/CHANGELOG.md");
    let current = std::fs::read_to_string(&path).unwrap_or_else(|_| CHANGELOG_INTRO.to_owned());
    let (intro, rest) = match current.find("\n## ") {
        Some(i) => current.split_at(i + 1),
        None => (current.as_str(), ""),
    };
    let mut released = String::new();
    for section in rest.split_inclusive("\n## ").collect::<Vec<_>>().join("").split("\n## ") {
        let section = section.trim_start_matches("## ");
        if section.trim().is_empty() || section.starts_with("Unreleased") {
            continue;
        }
        released.push_str("\n## ");
        released.push_str(section.trim_end());
        released.push('\n');
    }
    let unreleased = if from_pin && pin.baseline_api_version == pin.source.api_version {
        String::new()
    } else {
        let baseline = pin::version(root, &pin.baseline_api_version)?.resolve(root)?;
        let old = load(root, &baseline)?;
        let changes = clerk_codegen::diff::diff(&old, api);
        if changes.is_empty() {
            String::new()
        } else {
            let title = format!("Unreleased: Clerk Backend API {} to {}", old.version, api.version);
            let report = clerk_codegen::diff::render(&title, &pin.crate_version, &changes);
            let breaking = changes.iter().filter(|c| c.breaking).count();
            eprintln!("    {} changes to the generated API since {} ({breaking} breaking)", changes.len(), old.version);
            for change in changes.iter().filter(|c| c.text.contains("spec/names.toml")) {
                eprintln!("    renamed upstream: {}", change.text);
            }
            format!("\n{}", report.trim_end())
        }
    };
    let intro = intro.trim_end();
    Ok(format!("{intro}\n{unreleased}{}{released}", if unreleased.is_empty() { "" } else { "\n" }))
}

/// Regenerates (or checks) `generated-sdk/` below `root`.
fn regen(root: &Path, check: bool, spec: Option<&Path>, api_version: Option<&str>) -> Result {
    let mut pin = pin::Pin::read(root)?;
    if let Some(version) = api_version {
        pin.source = pin::version(root, version)?;
        if !check {
            pin.write(root)?;
        }
    }
    let spec = match spec {
        Some(path) => path.to_path_buf(),
        None => pin.source.resolve(root)?,
    };
    let started = Instant::now();
    let api = load(root, &spec)?;
    let options =
        clerk_codegen::emit::Options { crate_name: "clerk-sdk".into(), crate_version: pin.crate_version.clone() };
    let events = load_with(root, &pin.webhooks.resolve(root)?, &webhook_names(root)?)?;
    let mut files =
        clerk_codegen::emit::emit_with_webhooks(&api, Some(&events), &options).map_err(|e| e.to_string())?;
    let changelog = changelog(root, &pin, &api, spec_is_pinned(&spec, &pin, root))?;
    files.push(clerk_codegen::emit::File { path: "CHANGELOG.md".into(), contents: changelog });
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
            "regenerated generated-sdk/ from {} (API {}) in {:.0?}: {} files changed, {} removed",
            spec.display(),
            api.version,
            started.elapsed(),
            report.changed.len(),
            report.stale.len()
        );
    }
    Ok(())
}

fn spec_is_pinned(spec: &Path, pin: &pin::Pin, root: &Path) -> bool {
    pin.source.resolve(root).is_ok_and(|pinned| pinned == spec)
}

/// Switches a copy of the project to another API version and back, and checks that the
/// copy is byte for byte what it was.
fn switch_round_trip(root: &Path) -> Result {
    let work = root.join("target/switch-check");
    let _ = std::fs::remove_dir_all(&work);
    for dir in ["spec", "generated-sdk"] {
        specs::copy_dir(&root.join(dir), &work.join(dir)).map_err(|e| e.to_string())?;
    }
    let pin = pin::Pin::read(root)?;
    let other = if pin.source.api_version == "2025-11-10" { "2026-05-12" } else { "2025-11-10" };
    regen(&work, false, None, Some(other))?;
    let switched = std::fs::read_to_string(work.join("generated-sdk/src/lib.rs")).map_err(|e| e.to_string())?;
    if !switched.contains(&format!("\"{other}\"")) {
        return Err(format!("switching to {other} did not change the generated crate"));
    }
    regen(&work, false, None, Some(&pin.source.api_version))?;
    let mut differences = Vec::new();
    for dir in ["spec", "generated-sdk"] {
        specs::compare_dirs(&root.join(dir), &work.join(dir), dir, &mut differences).map_err(|e| e.to_string())?;
    }
    if !differences.is_empty() {
        return Err(format!("switching to {other} and back changed: {}", differences.join(", ")));
    }
    eprintln!("    switched a copy to {other} and back: no trace");
    Ok(())
}

/// The cargo that runs this task (`$CARGO`), else `cargo` from the path.
pub fn cargo_bin() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// Runs cargo in the workspace root.
pub fn cargo(args: &[&str], env: &[(&str, &str)]) -> Result {
    let cargo = cargo_bin();
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
        ("regen --check", Box::new(|| regen(&root, true, None, None))),
        (
            "clippy",
            Box::new(|| {
                let args = [
                    "clippy",
                    "--workspace",
                    "--all-targets",
                    "--features",
                    "clerk-sdk/axum",
                    "--quiet",
                    "--",
                    "-D",
                    "warnings",
                ];
                cargo(&args, &[])
            }),
        ),
        (
            "clippy, clerk-sdk with tracing",
            Box::new(|| {
                let args = [
                    "clippy",
                    "-p",
                    "clerk-sdk",
                    "--features",
                    "tracing",
                    "--all-targets",
                    "--quiet",
                    "--",
                    "-D",
                    "warnings",
                ];
                cargo(&args, &[])
            }),
        ),
        (
            "clippy, clerk-sdk with one resource group (users), auth only, webhook verification only, and no feature",
            Box::new(|| {
                for features in ["rustls,users", "rustls,auth", "webhook-verification", ""] {
                    let args = [
                        "clippy",
                        "-p",
                        "clerk-sdk",
                        "--no-default-features",
                        "--features",
                        features,
                        "--quiet",
                        "--",
                        "-D",
                        "warnings",
                    ];
                    cargo(&args, &[])?;
                }
                Ok(())
            }),
        ),
        // The workspace steps build the runtime crate with its default features, which are
        // all of them; this one builds it with none.
        (
            "clippy, clerk-runtime with no feature",
            Box::new(|| {
                let args = [
                    "clippy",
                    "-p",
                    "clerk-runtime",
                    "--no-default-features",
                    "--all-targets",
                    "--quiet",
                    "--",
                    "-D",
                    "warnings",
                ];
                cargo(&args, &[])
            }),
        ),
        (
            "check, clerk-sdk with native-tls instead of rustls",
            Box::new(|| {
                cargo(
                    &["check", "-p", "clerk-sdk", "--no-default-features", "--features", "native-tls", "--quiet"],
                    &[],
                )
            }),
        ),
        ("tests", Box::new(|| cargo(&["test", "--workspace", "--features", "clerk-sdk/axum", "--quiet"], &[]))),
        (
            "docs",
            Box::new(|| cargo(&["doc", "--workspace", "--no-deps", "--quiet"], &[("RUSTDOCFLAGS", "-D warnings")])),
        ),
        ("every spec and golden fixture compiles", Box::new(|| specs::check_all(&root))),
        ("every operation against Prism", Box::new(|| prism::run(&root))),
        ("switching the API version and back leaves no trace", Box::new(|| switch_round_trip(&root))),
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
