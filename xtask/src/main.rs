//! `cargo xtask`: the project's tasks, one module each; this file only dispatches.
//!
//! - `regen [--check] [--spec FILE] [--api-version V]`, `api-diff OLD NEW`: [`regen`].
//! - `test`: everything CI runs, [`ci`].
//! - `check-specs`: [`spec_check`]; `conformance`: [`prism`]; `bench`: [`mod@bench`] and
//!   [`baselines`]; `golden`: rewrites the golden snapshots.

mod baselines;
mod bench;
mod ci;
mod fmt;
mod pin;
mod prism;
mod process;
mod regen;
mod semver;
mod spec_check;
mod specs;
mod tree;

use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: clerk_codegen::Allocator = clerk_codegen::Allocator;

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
        /// Also run cargo-semver-checks (installed into target/tools on first use) on the
        /// crates generated from both, and fail unless it classifies every change the same way.
        #[arg(long)]
        semver_checks: bool,
    },
    /// Run every check CI runs: regen --check, clippy, tests, docs, and a compile check of
    /// the crates generated from every spec in the specs folder and from the golden fixtures.
    Test,
    /// Generate a crate from every spec in the specs folder and from the golden fixtures, and
    /// `cargo check` them.
    CheckSpecs,
    /// Rewrite the golden snapshots of the fixture specs.
    Golden,
    /// Call every operation of the SDK, and run the `common_tasks` example, against a Prism
    /// mock server of the pinned spec.
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
        Task::Regen { check, spec, api_version } => {
            regen::regen(&root(), check, spec.as_deref(), api_version.as_deref())
        }
        Task::ApiDiff { old, new, semver_checks } => regen::api_diff(&root(), &old, &new, semver_checks),
        Task::Test => ci::test(&root()),
        Task::CheckSpecs => spec_check::check_all(&root()),
        Task::Conformance => prism::run(&root()),
        Task::Bench { only } => bench::run(&root(), only),
        Task::Golden => process::cargo(&["test", "-p", "clerk-codegen", "--test", "golden"], &[("UPDATE_GOLDEN", "1")]),
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
