//! Running cargo and other processes, and timing them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::{Result, root};

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

/// `cargo` in `dir`, not incremental: every timed build compiles its crate from scratch.
pub fn cargo_in(dir: &Path) -> Command {
    let mut command = Command::new(cargo_bin());
    command.env("CARGO_INCREMENTAL", "0").current_dir(dir);
    command
}

/// Runs `command` to its end, output captured: its wall time, or one line saying why it failed.
pub fn timed(command: &mut Command) -> Result<Duration> {
    let started = Instant::now();
    let output =
        command.output().map_err(|e| format!("cannot run {}: {e}", command.get_program().to_string_lossy()))?;
    let elapsed = started.elapsed();
    if output.status.success() { Ok(elapsed) } else { Err(failure(&output)) }
}

/// Why a process failed, in one line: its panic message, else its first line that says
/// error or fail (standard output first: some tools print the cause there and a generic
/// error on standard error), else its last line.
pub fn failure(output: &Output) -> String {
    let text = format!("{}\n{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let says = |words: &[&str]| lines.iter().position(|l| words.iter().any(|w| l.to_lowercase().contains(w)));
    let line = match (says(&["panicked at"]), says(&["error", "fail"])) {
        (Some(i), _) => lines[i..].iter().take(2).copied().collect::<Vec<_>>().join(" "),
        (None, Some(i)) => lines[i].to_owned(),
        (None, None) => lines.last().map_or_else(|| format!("exit status {}", output.status), |l| (*l).to_owned()),
    };
    line.chars().take(240).collect()
}

/// Marks `file` changed for cargo (its modification time set to now), its contents untouched.
pub fn touch(file: &Path) -> Result {
    std::fs::File::options()
        .append(true)
        .open(file)
        .and_then(|f| f.set_modified(std::time::SystemTime::now()))
        .map_err(|e| format!("{}: {e}", file.display()))
}

/// Runs cargo in `dir` (see [`cargo_in`]), timed.
pub fn timed_cargo(dir: &Path, args: &[&str]) -> Result<Duration> {
    timed(cargo_in(dir).args(args)).map_err(|why| format!("`cargo {}` failed: {why}", args.join(" ")))
}

/// Builds the release generator binary and returns its path.
pub fn codegen_binary(root: &Path) -> Result<PathBuf> {
    timed_cargo(root, &["build", "--quiet", "--release", "-p", "clerk-codegen", "--bin", "clerk-codegen"])?;
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"));
    Ok(target.join("release/clerk-codegen"))
}

/// The median of some samples (the upper one of an even count).
pub fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}
