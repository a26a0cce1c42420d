//! `cargo xtask bench`: generation time by phase and peak memory, generation of synthetic
//! specs 5x and 10x Clerk's size, compile time of the generated crate, and per-call
//! overhead against a plain reqwest call, all measured in one run on this machine.
//!
//! Baselines (OpenAPI Generator, the Rust generators from crates.io, clerk-rs) are not
//! measured yet; the bench says so.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use clerk_codegen::load::{Spec, overlay::Overlay, yaml};
use serde_json::Value;

use crate::{Result, overlays, pin};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

pub fn run(root: &Path) -> Result {
    if cfg!(debug_assertions) {
        // Timings of a debug build mean nothing: run again, optimized.
        let cargo = crate::cargo_bin();
        let status = Command::new(cargo)
            .args(["run", "--quiet", "--release", "-p", "xtask", "--", "bench"])
            .current_dir(root)
            .status()
            .map_err(|e| e.to_string())?;
        return if status.success() { Ok(()) } else { Err("the optimized bench failed".into()) };
    }
    let pin = pin::Pin::read(root)?;
    let spec_path = pin.source.resolve(root)?;
    println!("# clerk-sdk bench ({} cores), spec {}\n", std::thread::available_parallelism().map_or(1, |n| n.get()), pin.source.api_version);
    phases(root, &spec_path)?;
    scale(root, &spec_path)?;
    compile(root)?;
    overhead(root)?;
    baselines(root, &spec_path)?;
    Ok(())
}

/// Other generators on the same spec, in the same run. Each is installed under
/// `target/bench/baselines/`; one that cannot be installed is reported, not fatal.
fn baselines(root: &Path, spec_path: &Path) -> Result {
    let dir = root.join("target/bench/baselines");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    println!("\n## Baselines (same spec, whole process, median of 3)\n");
    println!("| generator | generation | ours is faster by |\n|---|---|---|");
    let ours = {
        let out = dir.join("ours");
        let mut runs = Vec::new();
        for _ in 0..3 {
            let _ = std::fs::remove_dir_all(&out);
            runs.push(generate_process(root, spec_path, &out)?.0);
        }
        median(runs)
    };
    println!("| clerk-codegen | {} | 1x |", ms(ours));
    match openapi_generator(&dir, spec_path) {
        Ok(time) => println!("| OpenAPI Generator 7.26.0 (`-g rust`) | {} | {:.0}x |", ms(time), time.as_secs_f64() / ours.as_secs_f64()),
        Err(why) => println!("| OpenAPI Generator | not measured: {why} | |"),
    }
    println!(
        "\nNot measured yet: ploidy, openapi-to-rust and cargo-progenitor (`cargo install` takes 2 to 4 minutes \
         each here), the compile time of the baselines' output, and the clerk-rs crate."
    );
    Ok(())
}

/// OpenAPI Generator from PyPI (the package ships the jar; Java 17 runs it).
fn openapi_generator(dir: &Path, spec_path: &Path) -> Result<Duration> {
    let venv = dir.join("oag-venv");
    let cli = venv.join("bin/openapi-generator-cli");
    if !cli.exists() {
        let run = |program: &Path, args: &[&str]| -> Result {
            let status = Command::new(program).args(args).status().map_err(|e| format!("{}: {e}", program.display()))?;
            if status.success() { Ok(()) } else { Err(format!("`{} {}` failed", program.display(), args.join(" "))) }
        };
        run(Path::new("python3"), &["-m", "venv", &venv.to_string_lossy()])?;
        run(&venv.join("bin/pip"), &["install", "--quiet", "openapi-generator-cli==7.26.0"])?;
    }
    let out = dir.join("openapi-generator");
    let mut runs = Vec::new();
    for _ in 0..3 {
        let _ = std::fs::remove_dir_all(&out);
        let started = Instant::now();
        let output = Command::new(&cli)
            .args(["generate", "-g", "rust", "--additional-properties=packageName=clerk_oag,packageVersion=0.1.0", "-i"])
            .arg(spec_path)
            .arg("-o")
            .arg(&out)
            .output()
            .map_err(|e| e.to_string())?;
        if !output.status.success() {
            return Err(format!("generation failed: {}", String::from_utf8_lossy(&output.stderr).lines().last().unwrap_or_default()));
        }
        runs.push(started.elapsed());
    }
    Ok(median(runs))
}

/// Generation of the pinned spec, phase by phase (median of 7 runs).
fn phases(root: &Path, spec_path: &Path) -> Result {
    let overlay_files = overlays(root)?;
    let out = root.join("target/bench/generated");
    let mut rows: Vec<(&str, Vec<Duration>)> =
        ["read", "YAML parse", "overlays", "normalize + openapiv3", "IR", "emit (quote)", "format (prettyplease)", "write", "total"]
            .into_iter()
            .map(|name| (name, Vec::new()))
            .collect();
    for _ in 0..7 {
        let _ = std::fs::remove_dir_all(&out);
        let mut t = Instant::now();
        let lap = |i: usize, rows: &mut Vec<(&str, Vec<Duration>)>, t: &mut Instant| {
            rows[i].1.push(t.elapsed());
            *t = Instant::now();
        };
        let started = Instant::now();
        let text = std::fs::read_to_string(spec_path).map_err(|e| e.to_string())?;
        lap(0, &mut rows, &mut t);
        let mut raw = yaml::parse(&text).map_err(|e| e.to_string())?;
        lap(1, &mut rows, &mut t);
        for file in &overlay_files {
            let overlay = Overlay::parse(&std::fs::read_to_string(file).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
            overlay.apply(&mut raw).map_err(|e| e.to_string())?;
        }
        lap(2, &mut rows, &mut t);
        let spec = Spec::from_value(spec_path, raw, &text).map_err(|e| e.to_string())?;
        lap(3, &mut rows, &mut t);
        let api = clerk_codegen::ir::build(&spec).map_err(|e| e.to_string())?;
        lap(4, &mut rows, &mut t);
        clerk_codegen::emit::take_format_time();
        let files = clerk_codegen::emit::emit(&api, &clerk_codegen::emit::Options::default()).map_err(|e| e.to_string())?;
        let format = clerk_codegen::emit::take_format_time();
        rows[5].1.push(t.elapsed().saturating_sub(format));
        rows[6].1.push(format);
        t = Instant::now();
        clerk_codegen::write::write(&out, &files).map_err(|e| e.to_string())?;
        lap(7, &mut rows, &mut t);
        rows[8].1.push(started.elapsed());
    }
    println!("## Generation of {} (release, median of 7)\n", spec_path.file_name().unwrap_or_default().to_string_lossy());
    println!("| phase | time |\n|---|---|");
    for (name, samples) in rows {
        println!("| {name} | {} |", ms(median(samples)));
    }
    let (wall, peak) = generate_process(root, spec_path, &out)?;
    println!("\nWhole process (clerk-codegen binary): {}, peak RSS {:.1} MB\n", ms(wall), peak as f64 / 1024.0);
    Ok(())
}

fn codegen_binary(root: &Path) -> Result<PathBuf> {
    let cargo = crate::cargo_bin();
    let status = Command::new(cargo)
        .args(["build", "--quiet", "--release", "-p", "clerk-codegen", "--bin", "clerk-codegen"])
        .current_dir(root)
        .status()
        .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err("cannot build clerk-codegen".into());
    }
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"));
    Ok(target.join("release/clerk-codegen"))
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
            let text = serde_json::to_string(v).unwrap_or_default().replace("#/components/schemas/", &format!("#/components/schemas/S{k}"));
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

/// Generation time (in process, load to formatted files, not written: writing 15 MB of
/// files again and again measures the disk) and peak memory (whole process) for the spec
/// at 1x, 5x and 10x its size.
fn scale(root: &Path, spec_path: &Path) -> Result {
    let text = std::fs::read_to_string(spec_path).map_err(|e| e.to_string())?;
    let raw = yaml::parse(&text).map_err(|e| e.to_string())?;
    let dir = root.join("target/bench");
    println!("## Scale (synthetic specs; time: load to formatted files, median of 3; memory: whole process)\n");
    println!("| size | operations | time | ratio | peak RSS | ratio |\n|---|---|---|---|---|---|");
    let mut base: Option<(Duration, u64)> = None;
    for copies in [1, 5, 10] {
        let doc = synthetic(&raw, copies);
        let file = dir.join(format!("scale-{copies}x.json"));
        std::fs::write(&file, serde_json::to_string(&doc).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
        let out = dir.join(format!("scale-{copies}x"));
        let mut runs = Vec::new();
        for _ in 0..3 {
            let started = Instant::now();
            let files = clerk_codegen::generate(&file, &[], &clerk_codegen::emit::Options::default()).map_err(|e| e.to_string())?;
            runs.push(started.elapsed());
            std::hint::black_box(files);
        }
        let _ = std::fs::remove_dir_all(&out);
        let (_, peak) = generate_process(root, &file, &out)?;
        let wall = median(runs);
        let (t0, m0) = *base.get_or_insert((wall, peak));
        let ops = doc["paths"].as_object().map_or(0, |p| p.values().map(|i| i.as_object().map_or(0, |o| o.len())).sum::<usize>());
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

fn timed_cargo(root: &Path, args: &[&str]) -> Result<Duration> {
    let cargo = crate::cargo_bin();
    let started = Instant::now();
    let status = Command::new(cargo)
        .args(args)
        .env("CARGO_INCREMENTAL", "0")
        .current_dir(root)
        .status()
        .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err(format!("`cargo {}` failed", args.join(" ")));
    }
    Ok(started.elapsed())
}

/// The generated crate alone, dependencies already built, not incremental.
fn compile(root: &Path) -> Result {
    let lib = root.join("generated-sdk/src/lib.rs");
    timed_cargo(root, &["build", "--quiet", "-p", "clerk-sdk"])?;
    let mut rows = Vec::new();
    let one = ["--no-default-features", "--features", "rustls,users"];
    timed_cargo(root, &[&["build", "--quiet", "-p", "clerk-sdk"][..], &one[..]].concat())?;
    for (name, args) in [
        ("cargo check", vec!["check", "--quiet", "-p", "clerk-sdk"]),
        ("cargo build (debug)", vec!["build", "--quiet", "-p", "clerk-sdk"]),
        ("cargo build (debug), feature `users` only", [&["build", "--quiet", "-p", "clerk-sdk"][..], &one[..]].concat()),
    ] {
        let mut samples = Vec::new();
        for _ in 0..2 {
            let text = std::fs::read(&lib).map_err(|e| e.to_string())?;
            std::fs::write(&lib, text).map_err(|e| e.to_string())?;
            samples.push(timed_cargo(root, &args)?);
        }
        rows.push((name, median(samples)));
    }
    println!("## Compile time of clerk-sdk alone (dependencies built, CARGO_INCREMENTAL=0)\n");
    println!("| command | time |\n|---|---|");
    for (name, time) in rows {
        println!("| {name} | {:.1} s |", time.as_secs_f64());
    }
    println!();
    Ok(())
}

/// Per-call overhead and decode throughput, from the SDK's `bench_overhead` example.
fn overhead(root: &Path) -> Result {
    let cargo = crate::cargo_bin();
    let output = Command::new(cargo)
        .args(["run", "--quiet", "--release", "-p", "clerk-sdk", "--example", "bench_overhead"])
        .current_dir(root)
        .output()
        .map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(format!("bench_overhead failed: {}", String::from_utf8_lossy(&output.stderr)));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let value = |key: &str| text.lines().find_map(|l| l.strip_prefix(&format!("{key}="))).unwrap_or("?").to_owned();
    println!("## Per call (loopback server, release, median of 30 rounds of 100 calls)\n");
    println!("| measure | value |\n|---|---|");
    println!("| SDK call (`client.users().get_user()`) | {} µs |", value("call_sdk_us"));
    println!("| plain reqwest + serde_json, same request | {} µs |", value("call_plain_us"));
    println!("| ratio SDK / plain | {} |", value("call_ratio"));
    println!("| decode a 500-user page | {} ms ({} users/s, {} MB/s) |", value("decode_page_ms"), value("decode_users_per_s"), value("decode_mb_per_s"));
    Ok(())
}
