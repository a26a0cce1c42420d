//! `cargo xtask bench`: generation time by phase and peak memory, generation of synthetic
//! specs 5x and 10x Clerk's size, compile time of the generated crate (in full, with
//! operations and models only, and per resource) and of an example that calls it, per-call
//! overhead against a plain reqwest call, and the baselines, all measured in one run on this
//! machine.
//!
//! The baselines ([`crate::baselines`]) are OpenAPI Generator, ploidy, openapi-to-rust and
//! cargo-progenitor on the same spec (generation time, and the crate-only debug build of
//! their output), and the hand-written clerk-rs crate (its crate-only debug build), next to
//! clerk-codegen and clerk-sdk. `--only SECTION` runs one section.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use clerk_codegen::load::{Spec, overlay::Overlay, yaml};
use serde_json::Value;

use crate::process::{cargo_in, codegen_binary, failure, median, timed_cargo, touch};
use crate::regen::overlays;
use crate::{Result, pin};

/// A section of the bench, for `cargo xtask bench --only SECTION`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Section {
    /// Generation of the pinned spec, phase by phase, and the whole process.
    Phases,
    /// Generation of synthetic specs 1x, 5x and 10x Clerk's size.
    Scale,
    /// Compile time of clerk-sdk alone.
    Compile,
    /// Per-call overhead against plain reqwest.
    Overhead,
    /// Other generators and clerk-rs (installs the generators on the first run).
    Baselines,
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

/// Runs every section, or only `only`.
pub fn run(root: &Path, only: Option<Section>) -> Result {
    if cfg!(debug_assertions) {
        // Timings of a debug build mean nothing: run again, optimized.
        let cargo = crate::process::cargo_bin();
        let mut command = Command::new(cargo);
        command.args(["run", "--quiet", "--release", "-p", "xtask", "--", "bench"]).current_dir(root);
        if let Some(section) = only.and_then(|s| clap::ValueEnum::to_possible_value(&s)) {
            command.args(["--only", section.get_name()]);
        }
        let status = command.status().map_err(|e| e.to_string())?;
        return if status.success() { Ok(()) } else { Err("the optimized bench failed".into()) };
    }
    let wants = |section| only.is_none_or(|only| only == section);
    let pin = pin::Pin::read(root)?;
    let spec_path = crate::specs::resolve(&pin.source)?;
    println!(
        "# clerk-sdk bench ({} cores), spec {}\n",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        pin.source.api_version
    );
    if wants(Section::Phases) {
        phases(root, &spec_path)?;
    }
    if wants(Section::Scale) {
        scale(root, &spec_path)?;
    }
    let sdk_builds = if wants(Section::Compile) { Some(compile(root)?) } else { None };
    if wants(Section::Overhead) {
        overhead(root)?;
    }
    if wants(Section::Baselines) {
        let (full, operations_only) = match sdk_builds {
            Some(times) => times,
            None => (sdk_crate_only(root, "build", &[])?, sdk_crate_only(root, "build", OPERATIONS_ONLY)?),
        };
        crate::baselines::run(root, &spec_path, full, operations_only)?;
    }
    Ok(())
}

/// Phase times over several runs, in the order the phases first ran.
struct Laps {
    rows: Vec<(&'static str, Vec<Duration>)>,
    last: Instant,
}

impl Laps {
    fn new() -> Self {
        Laps { rows: Vec::new(), last: Instant::now() }
    }

    /// Starts timing the next lap from now.
    fn restart(&mut self) {
        self.last = Instant::now();
    }

    /// Records the time since the previous lap as `phase`.
    fn lap(&mut self, phase: &'static str) {
        let elapsed = self.last.elapsed();
        self.record(phase, elapsed);
        self.last = Instant::now();
    }

    /// Records `time` as `phase`.
    fn record(&mut self, phase: &'static str, time: Duration) {
        match self.rows.iter_mut().find(|(name, _)| *name == phase) {
            Some((_, samples)) => samples.push(time),
            None => self.rows.push((phase, vec![time])),
        }
    }
}

/// Generation of the pinned spec, phase by phase (median of 7 runs).
fn phases(root: &Path, spec_path: &Path) -> Result {
    let overlay_files = overlays(root)?;
    let out = root.join("target/bench/generated");
    let mut laps = Laps::new();
    for _ in 0..7 {
        let _ = std::fs::remove_dir_all(&out);
        laps.restart();
        let started = laps.last;
        let text = std::fs::read_to_string(spec_path).map_err(|e| e.to_string())?;
        laps.lap("read");
        let mut raw = yaml::parse(&text).map_err(|e| e.to_string())?;
        laps.lap("YAML parse");
        for file in &overlay_files {
            let overlay = Overlay::parse(&std::fs::read_to_string(file).map_err(|e| e.to_string())?)
                .map_err(|e| e.to_string())?;
            overlay.apply(&mut raw).map_err(|e| e.to_string())?;
        }
        laps.lap("overlays");
        let spec = Spec::from_value(spec_path, raw, &text).map_err(|e| e.to_string())?;
        laps.lap("normalize + openapiv3");
        let api = clerk_codegen::ir::build(&spec).map_err(|e| e.to_string())?;
        laps.lap("IR");
        clerk_codegen::emit::take_timings();
        let files =
            clerk_codegen::emit::emit(&api, &clerk_codegen::emit::Options::default()).map_err(|e| e.to_string())?;
        laps.lap("emit (files on all cores)");
        let rust = clerk_codegen::emit::take_timings();
        laps.record("of which quote, summed over cores", rust.quote);
        laps.record("of which format (prettyplease), summed over cores", rust.format);
        laps.restart();
        clerk_codegen::write::write(&out, &files).map_err(|e| e.to_string())?;
        laps.lap("write");
        laps.record("total", started.elapsed());
    }
    println!(
        "## Generation of {} (release, median of 7)\n",
        spec_path.file_name().unwrap_or_default().to_string_lossy()
    );
    println!("| phase | time |\n|---|---|");
    for (name, samples) in laps.rows {
        println!("| {name} | {} |", ms(median(samples)));
    }
    let (wall, peak) = generate_process(root, spec_path, &out)?;
    println!("\nWhole process (clerk-codegen binary): {}, peak RSS {:.1} MB\n", ms(wall), peak as f64 / 1024.0);
    Ok(())
}

/// Runs the generator binary under `/usr/bin/time`: wall time and peak RSS in KiB.
fn generate_process(root: &Path, spec: &Path, out: &Path) -> Result<(Duration, u64)> {
    let binary = codegen_binary(root)?;
    let started = Instant::now();
    let output = Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(&binary)
        .args(["generate", "--spec"])
        .arg(spec)
        .arg("--out")
        .arg(out)
        .output()
        .map_err(|e| format!("cannot run /usr/bin/time: {e}"))?;
    let wall = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(format!("generation failed: {stderr}"));
    }
    let peak = stderr.lines().last().and_then(|l| l.trim().parse().ok()).unwrap_or(0);
    Ok((wall, peak))
}

/// The spec repeated `copies` times: every schema and path again under suffixed names.
fn synthetic(raw: &Value, copies: usize) -> Value {
    let mut doc = raw.clone();
    let schemas = raw["components"]["schemas"].as_object().cloned().unwrap_or_default();
    let paths = raw["paths"].as_object().cloned().unwrap_or_default();
    for k in 2..=copies {
        let rename = |v: &Value| -> Value {
            let text = serde_json::to_string(v)
                .unwrap_or_default()
                .replace("#/components/schemas/", &format!("#/components/schemas/S{k}"));
            serde_json::from_str(&text).unwrap_or(Value::Null)
        };
        for (name, schema) in &schemas {
            doc["components"]["schemas"][format!("S{k}{name}")] = rename(schema);
        }
        for (path, item) in &paths {
            let mut item = rename(item);
            if let Some(ops) = item.as_object_mut() {
                for op in ops.values_mut() {
                    if let Some(id) = op.get("operationId").and_then(Value::as_str).map(str::to_owned) {
                        op["operationId"] = Value::String(format!("{id}S{k}"));
                    }
                }
            }
            doc["paths"][format!("/s{k}{path}")] = item;
        }
    }
    doc
}

/// Runs of each synthetic size: the 1x run is short (about 60 ms), so a few milliseconds
/// of noise in three runs moved the 10x ratio by a tenth.
const SCALE_RUNS: usize = 7;

/// Generation time (in process, load to formatted files, not written: writing 15 MB of
/// files again and again measures the disk) and peak memory (whole process) for the spec
/// at 1x, 5x and 10x its size.
fn scale(root: &Path, spec_path: &Path) -> Result {
    let text = std::fs::read_to_string(spec_path).map_err(|e| e.to_string())?;
    let raw = yaml::parse(&text).map_err(|e| e.to_string())?;
    let dir = root.join("target/bench");
    println!(
        "## Scale (synthetic specs; time: load to formatted files, median of {SCALE_RUNS}; memory: whole process)\n"
    );
    println!("| size | operations | time | ratio | peak RSS | ratio |\n|---|---|---|---|---|---|");
    let mut base: Option<(Duration, u64)> = None;
    for copies in [1, 5, 10] {
        let doc = synthetic(&raw, copies);
        let file = dir.join(format!("scale-{copies}x.json"));
        std::fs::write(&file, serde_json::to_string(&doc).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
        let out = dir.join(format!("scale-{copies}x"));
        let mut runs = Vec::new();
        for _ in 0..SCALE_RUNS {
            let started = Instant::now();
            let files =
                clerk_codegen::generate(&file, &[], &Default::default(), &clerk_codegen::emit::Options::default())
                    .map_err(|e| e.to_string())?;
            runs.push(started.elapsed());
            std::hint::black_box(files);
        }
        let _ = std::fs::remove_dir_all(&out);
        let (_, peak) = generate_process(root, &file, &out)?;
        let wall = median(runs);
        let (t0, m0) = *base.get_or_insert((wall, peak));
        let ops = doc["paths"]
            .as_object()
            .map_or(0, |p| p.values().map(|i| i.as_object().map_or(0, |o| o.len())).sum::<usize>());
        println!(
            "| {copies}x | {ops} | {} | {:.2} | {:.1} MB | {:.2} |",
            ms(wall),
            wall.as_secs_f64() / t0.as_secs_f64(),
            peak as f64 / 1024.0,
            peak as f64 / m0 as f64
        );
    }
    println!();
    Ok(())
}

/// clerk-sdk alone with `cargo COMMAND -p clerk-sdk EXTRA`: its dependencies built first
/// (untimed), then the crate rebuilt, not incremental; median of 2.
fn sdk_crate_only(root: &Path, command: &str, extra: &[&str]) -> Result<Duration> {
    let args = [&[command, "--quiet", "-p", "clerk-sdk"][..], extra].concat();
    rebuilt(root, &args, &root.join("generated-sdk/src/lib.rs"))
}

/// `cargo ARGS` run once untimed, then twice more with `changed` touched before each:
/// the median of the two.
fn rebuilt(root: &Path, args: &[&str], changed: &Path) -> Result<Duration> {
    timed_cargo(root, args)?;
    let mut samples = Vec::new();
    for _ in 0..2 {
        touch(changed)?;
        samples.push(timed_cargo(root, args)?);
    }
    Ok(median(samples))
}

/// The features of clerk-sdk with what the generated baselines' crates have: every
/// operation and model, no token or webhook verification.
const OPERATIONS_ONLY: &[&str] = &["--no-default-features", "--features", "rustls,full"];

/// Rounds of [`builds_in_turns`].
const BUILD_ROUNDS: usize = 3;

/// Compile time of the generated crate alone (`cargo check`, debug `cargo build` with
/// default features, with operations and models only, and with one resource group),
/// dependencies built, not incremental. Returns the two full debug builds' times (default
/// features, operations only), which the baselines table compares.
fn compile(root: &Path) -> Result<(Duration, Duration)> {
    let check = sdk_crate_only(root, "check", &[])?;
    // Single resources: the largest group (users) and two typical ones, with rustls only.
    let groups = ["users", "organizations", "sessions"];
    let features: Vec<String> = groups.iter().map(|group| format!("rustls,{group}")).collect();
    let mut configs: Vec<Vec<&str>> = vec![Vec::new(), OPERATIONS_ONLY.to_vec()];
    configs.extend(features.iter().map(|f| vec!["--no-default-features", "--features", f.as_str()]));
    let builds = builds_in_turns(root, &configs)?;
    println!(
        "## Compile time of clerk-sdk alone (dependencies built, CARGO_INCREMENTAL=0; check: median of 2; builds: median of {BUILD_ROUNDS} rounds, one build of each per round, ratios within a round)\n"
    );
    println!("| command | time | of the full build |\n|---|---|---|");
    println!("| cargo check (default features) | {:.1} s | |", check.as_secs_f64());
    let names =
        ["cargo build (debug, default features)", "cargo build (debug), operations and models only (`rustls,full`)"];
    let names = names.into_iter().map(str::to_owned);
    let names = names.chain(groups.iter().map(|group| format!("cargo build (debug), feature `{group}` only")));
    for (name, (time, ratio)) in names.zip(&builds) {
        println!("| {name} | {:.1} s | {ratio:.2} |", time.as_secs_f64());
    }
    // Operations compile where they are called: what a service calling some pays for them.
    let app = example_only(root)?;
    println!(
        "| cargo build (debug) of the `common_tasks` example alone, linked (ten tasks: nine calls, token and webhook verification) | {:.1} s | |",
        app.as_secs_f64()
    );
    println!();
    Ok((builds[0].0, builds[1].0))
}

/// Debug builds of clerk-sdk alone with each list of extra arguments, taken in turns: one
/// build of each per round, so that the machine's drift over the section reaches them all
/// alike. Each one's median time, and the median of its ratio to the first's within a round.
fn builds_in_turns(root: &Path, configs: &[Vec<&str>]) -> Result<Vec<(Duration, f64)>> {
    let lib = root.join("generated-sdk/src/lib.rs");
    let args: Vec<Vec<&str>> =
        configs.iter().map(|extra| [&["build", "--quiet", "-p", "clerk-sdk"][..], extra].concat()).collect();
    for args in &args {
        timed_cargo(root, args)?;
    }
    let mut rounds: Vec<Vec<Duration>> = Vec::new();
    for _ in 0..BUILD_ROUNDS {
        let mut round = Vec::new();
        for args in &args {
            touch(&lib)?;
            round.push(timed_cargo(root, args)?);
        }
        rounds.push(round);
    }
    let per = |i: usize| -> (Duration, f64) {
        let time = median(rounds.iter().map(|round| round[i]).collect());
        let mut ratios: Vec<f64> = rounds.iter().map(|round| round[i].as_secs_f64() / round[0].as_secs_f64()).collect();
        ratios.sort_by(f64::total_cmp);
        (time, ratios[ratios.len() / 2])
    };
    Ok((0..configs.len()).map(per).collect())
}

/// Debug build of the `common_tasks` example alone, clerk-sdk built (with `testing`, which
/// the example uses): the operations it calls, their encoding and decoding, compile here.
fn example_only(root: &Path) -> Result<Duration> {
    let args = ["build", "--quiet", "-p", "clerk-sdk", "--features", "testing", "--example", "common_tasks"];
    rebuilt(root, &args, &root.join("generated-sdk/examples/common_tasks.rs"))
}

/// Per-call overhead and decode throughput, from the SDK's `overhead` benchmark.
fn overhead(root: &Path) -> Result {
    let output = cargo_in(root)
        .args(["bench", "--quiet", "-p", "clerk-sdk", "--bench", "overhead"])
        .output()
        .map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(format!("the overhead benchmark failed: {}", failure(&output)));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let value = |key: &str| text.lines().find_map(|l| l.strip_prefix(&format!("{key}="))).unwrap_or("?").to_owned();
    println!("## Per call (loopback server, release, median of 200 alternating rounds of 100 calls)\n");
    println!("| measure | value |\n|---|---|");
    println!("| SDK call (`client.users().get_user()`) | {} µs |", value("call_sdk_us"));
    println!(
        "| plain reqwest + serde_json, same request (same headers and timeouts) | {} µs |",
        value("call_plain_us")
    );
    println!("| ratio SDK / same request | {} |", value("call_ratio"));
    println!("| bare `reqwest::Client::new()` call (no user agent, no timeouts) | {} µs |", value("call_bare_us"));
    println!("| ratio SDK / bare call | {} |", value("call_bare_ratio"));
    println!(
        "| decode a 500-user page | {} ms ({} users/s, {} MB/s) |",
        value("decode_page_ms"),
        value("decode_users_per_s"),
        value("decode_mb_per_s")
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn laps_keep_the_order_phases_first_ran_in_and_collect_every_run() {
        let mut laps = Laps::new();
        for _ in 0..2 {
            laps.restart();
            laps.lap("read");
            laps.record("emit", Duration::from_millis(3));
            laps.lap("write");
        }
        let names: Vec<_> = laps.rows.iter().map(|(name, samples)| (*name, samples.len())).collect();
        assert_eq!(names, [("read", 2), ("emit", 2), ("write", 2)]);
        assert_eq!(laps.rows[1].1, [Duration::from_millis(3); 2]);
    }
}
