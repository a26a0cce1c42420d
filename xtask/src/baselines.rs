//! The baselines of `cargo xtask bench`: other generators on the same spec, and the
//! hand-written clerk-rs crate, measured in the same run as clerk-codegen and clerk-sdk and
//! printed as one table.
//!
//! - Generation: wall time of the whole process, median of 3, a fresh output folder each run.
//! - Build: the crate alone, debug. Its dependencies are built first (untimed); then the
//!   crate is made stale (`src/lib.rs` touched; for clerk-rs, `cargo clean -p clerk-rs`) and
//!   rebuilt with `CARGO_INCREMENTAL=0`, twice; median. clerk-sdk's number comes from the
//!   bench's compile section, measured the same way.
//!
//! Everything lives under `target/bench/baselines/`: OpenAPI Generator in a Python venv, the
//! crates.io generators under `tools/` (built in `install-target/`, installed only when their
//! binary is missing), one folder per generator's output, and `target/`, shared by the
//! scratch crates. Each scratch crate has an empty `[workspace]` table, so that cargo does not
//! take it for a member of this workspace. A baseline that cannot be installed, generated or
//! built says why in its row, and the others go on.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use clerk_codegen::load::yaml;
use serde_json::{Value, json};

use crate::Result;
use crate::process::{cargo_bin, cargo_in, codegen_binary, median, timed, touch};

const OPENAPI_GENERATOR: &str = "7.26.0";
const PLOIDY: &str = "0.15.0";
const OPENAPI_TO_RUST: &str = "0.23.0";
const PROGENITOR: &str = "0.15.1";
const CLERK_RS: &str = "0.5.0";

/// Measures every baseline and prints the table; `sdk_build` is clerk-sdk's crate-only
/// debug build time. Fails only when clerk-codegen itself cannot generate.
pub fn run(root: &Path, spec: &Path, sdk_build: Duration, operations_only: Duration) -> Result {
    let scratch = Scratch { dir: root.join("target/bench/baselines") };
    std::fs::create_dir_all(&scratch.dir).map_err(|e| format!("{}: {e}", scratch.dir.display()))?;
    let generation = ours(root, &scratch, spec)?;
    let mut notes = Vec::new();
    let rows = [
        Row {
            name: "clerk-codegen → clerk-sdk (ours)".into(),
            generation: Some(Ok(generation)),
            build: Some(Ok(sdk_build)),
        },
        openapi_generator(&scratch, spec),
        ploidy(&scratch, spec),
        openapi_to_rust(&scratch, spec),
        progenitor(&scratch, spec, &mut notes),
        clerk_rs(&scratch),
    ];
    print(&rows, (generation, sdk_build), &notes);
    print_operations_only(&rows, operations_only);
    Ok(())
}

/// One row of the table. `None`: does not apply (clerk-rs is not generated; there is nothing
/// to build when generation failed).
struct Row {
    name: String,
    generation: Option<Result<Duration>>,
    build: Option<Result<Duration>>,
}

impl Row {
    /// A generator's row: its output is built only if it was generated.
    fn generated(name: String, generation: Result<Duration>, build: impl FnOnce() -> Result<Duration>) -> Row {
        let build = generation.is_ok().then(build);
        Row { name, generation: Some(generation), build }
    }
}

/// The table, ratios to `ours` (generation, build), and the notes under it.
fn print(rows: &[Row], ours: (Duration, Duration), notes: &[String]) {
    let (generation, build) = (ours.0.as_secs_f64(), ours.1.as_secs_f64());
    println!("\n## Baselines (same spec)\n");
    println!(
        "Generation: the whole process, median of 3, a fresh output folder each run. Build: the crate alone, \
         debug, dependencies built, `CARGO_INCREMENTAL=0`, median of 2 (ours: the compile section's \
         figure, when it ran).\n"
    );
    println!("| | generation | theirs / ours | crate-only debug build | ours / theirs |\n|---|---|---|---|---|");
    for row in rows {
        println!(
            "| {} | {} | {} |",
            row.name,
            cells(&row.generation, |t| format!("{t:.2} s"), |t| format!("{:.1}x", t / generation)),
            cells(&row.build, |t| format!("{t:.1} s"), |t| format!("{:.2}", build / t)),
        );
    }
    if !notes.is_empty() {
        println!();
        for note in notes {
            println!("- {note}");
        }
    }
}

/// The like-for-like line under the table: clerk-sdk with only what the generated
/// baselines' crates have (operations and models; no token or webhook verification), and
/// its ratio to each baseline that built.
fn print_operations_only(rows: &[Row], operations_only: Duration) {
    let ours = operations_only.as_secs_f64();
    let ratios: Vec<String> = rows
        .iter()
        .skip(1)
        .filter_map(|row| match &row.build {
            Some(Ok(t)) => Some(format!("{} {:.2}", row.name, ours / t.as_secs_f64())),
            _ => None,
        })
        .collect();
    println!(
        "\nLike for like: clerk-sdk with operations and models only (`--no-default-features --features \
         rustls,full`, no token or webhook verification, which no generated baseline has): {ours:.1} s; \
         ours / theirs: {}.",
        ratios.join(", ")
    );
}

/// A measure and its ratio to ours, or why it was not measured.
fn cells(measure: &Option<Result<Duration>>, time: impl Fn(f64) -> String, ratio: impl Fn(f64) -> String) -> String {
    match measure {
        None => "– | –".into(),
        Some(Ok(t)) => format!("{} | {}", time(t.as_secs_f64()), ratio(t.as_secs_f64())),
        Some(Err(why)) => format!("not measured: {} | –", why.replace('|', "/")),
    }
}

/// `target/bench/baselines/`.
struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    /// The binary `bin` of the crates.io crate `krate` at `version`, installed under
    /// `tools/` unless it is there.
    fn tool(&self, krate: &str, version: &str, bin: &str) -> Result<PathBuf> {
        let root = self.dir.join("tools");
        let binary = root.join("bin").join(bin);
        if binary.exists() {
            return Ok(binary);
        }
        eprintln!("baselines: installing {krate} {version} (2 to 4 minutes)");
        let mut install = Command::new(cargo_bin());
        install.args(["install", "--quiet", "--locked", "--version", version, "--root"]).arg(&root);
        install.arg("--target-dir").arg(self.dir.join("install-target")).arg(krate);
        timed(&mut install).map_err(|why| format!("cannot install {krate} {version}: {why}"))?;
        if binary.exists() { Ok(binary) } else { Err(format!("{krate} {version} installs no `{bin}`")) }
    }

    /// cargo in the scratch crate `krate`, not incremental, with the shared scratch target dir.
    fn cargo(&self, krate: &Path) -> Command {
        let mut command = cargo_in(krate);
        command.env("CARGO_TARGET_DIR", self.dir.join("target"));
        command
    }

    /// Debug build time of the crate in `krate` alone: its dependencies built first
    /// (untimed), then `stale` (which makes the crate, and only it, need a rebuild) and a
    /// timed `cargo build`, twice; median.
    fn build_time(&self, krate: &Path, stale: impl Fn() -> Result) -> Result<Duration> {
        let build = || timed(self.cargo(krate).args(["build", "--quiet"])).map_err(|why| format!("build fails: {why}"));
        eprintln!("baselines: building {} and its dependencies (untimed)", krate.display());
        build()?;
        let mut samples = Vec::new();
        for _ in 0..2 {
            stale()?;
            samples.push(build()?);
        }
        Ok(median(samples))
    }

    /// [`Self::build_time`] of a generated crate: made stale by touching `src/lib.rs`.
    fn generated_build_time(&self, krate: &Path) -> Result<Duration> {
        own_workspace(krate)?;
        self.build_time(krate, || touch(&krate.join("src/lib.rs")))
    }
}

/// Wall time of the whole generator process, median of 3, `out` removed before each run.
fn generation_time(out: &Path, command: impl Fn() -> Command) -> Result<Duration> {
    let mut runs = Vec::new();
    for _ in 0..3 {
        let _ = std::fs::remove_dir_all(out);
        runs.push(timed(&mut command()).map_err(|why| format!("generation fails: {why}"))?);
    }
    Ok(median(runs))
}

/// clerk-codegen on the spec (the release binary, as the other generators are run).
fn ours(root: &Path, scratch: &Scratch, spec: &Path) -> Result<Duration> {
    let binary = codegen_binary(root)?;
    let out = scratch.dir.join("ours");
    generation_time(&out, || {
        let mut command = Command::new(&binary);
        command.arg("generate").arg("--spec").arg(spec).arg("--out").arg(&out);
        command
    })
}

/// OpenAPI Generator from PyPI (the package ships the jar; Java 17 runs it), `-g rust`. The
/// spec's `info.version` is not a valid crate version, so the crate version is given.
fn openapi_generator(scratch: &Scratch, spec: &Path) -> Row {
    let out = scratch.dir.join("openapi-generator");
    let generation = openapi_generator_cli(scratch).and_then(|cli| {
        generation_time(&out, || {
            let mut command = Command::new(&cli);
            command.args([
                "generate",
                "-g",
                "rust",
                "--additional-properties=packageName=clerk_oag,packageVersion=0.1.0",
            ]);
            command.arg("-i").arg(spec).arg("-o").arg(&out);
            command
        })
    });
    let name = format!("OpenAPI Generator {OPENAPI_GENERATOR} (`-g rust`)");
    Row::generated(name, generation, || scratch.generated_build_time(&out))
}

/// `openapi-generator-cli`, installed in a venv unless it is there.
fn openapi_generator_cli(scratch: &Scratch) -> Result<PathBuf> {
    let venv = scratch.dir.join("oag-venv");
    let cli = venv.join("bin/openapi-generator-cli");
    if !cli.exists() {
        eprintln!("baselines: installing openapi-generator-cli {OPENAPI_GENERATOR} from PyPI");
        timed(Command::new("python3").args(["-m", "venv"]).arg(&venv))
            .map_err(|why| format!("cannot make a Python venv: {why}"))?;
        timed(Command::new(venv.join("bin/pip")).args([
            "install",
            "--quiet",
            &format!("openapi-generator-cli=={OPENAPI_GENERATOR}"),
        ]))
        .map_err(|why| format!("cannot install openapi-generator-cli {OPENAPI_GENERATOR}: {why}"))?;
    }
    Ok(cli)
}

/// ploidy: writes a whole crate.
fn ploidy(scratch: &Scratch, spec: &Path) -> Row {
    let out = scratch.dir.join("ploidy");
    let generation = scratch.tool("ploidy", PLOIDY, "ploidy").and_then(|ploidy| {
        generation_time(&out, || {
            let mut command = Command::new(&ploidy);
            command.args(["generate", "rust"]).arg(spec).arg("-o").arg(&out).args(["--name", "clerk-ploidy"]);
            command
        })
    });
    Row::generated(format!("ploidy {PLOIDY}"), generation, || scratch.generated_build_time(&out))
}

/// openapi-to-rust: writes a module, not a crate; it is wrapped in one (see [`wrap_module`]).
fn openapi_to_rust(scratch: &Scratch, spec: &Path) -> Row {
    let out = scratch.dir.join("openapi-to-rust");
    let generation = scratch.tool("openapi-to-rust", OPENAPI_TO_RUST, "openapi-to-rust").and_then(|generator| {
        generation_time(&out, || {
            let mut command = Command::new(&generator);
            command
                .arg("generate")
                .arg(spec)
                .arg("--output-dir")
                .arg(out.join("src/generated"))
                .args(["--module-name", "clerk"]);
            command
        })
    });
    Row::generated(format!("openapi-to-rust {OPENAPI_TO_RUST}"), generation, || {
        wrap_module(&out)?;
        scratch.generated_build_time(&out)
    })
}

/// Makes `krate/src/generated/` a crate: `lib.rs` is `pub mod generated;`, and the
/// dependencies are those the generator lists in `REQUIRED_DEPS.toml`.
fn wrap_module(krate: &Path) -> Result {
    let deps = read(&krate.join("src/generated/REQUIRED_DEPS.toml"))?;
    let deps =
        if deps.lines().any(|l| l.trim() == "[dependencies]") { deps } else { format!("[dependencies]\n{deps}") };
    let manifest = format!(
        "[package]\nname = \"clerk-openapi-to-rust\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n\n{deps}"
    );
    write(&krate.join("Cargo.toml"), &manifest)?;
    write(&krate.join("src/lib.rs"), "pub mod generated;\n")
}

/// cargo-progenitor: first on the unmodified spec; when that fails, on a copy patched just
/// enough for it (see [`patch_for_progenitor`]). What happened goes to `notes`.
fn progenitor(scratch: &Scratch, spec: &Path, notes: &mut Vec<String>) -> Row {
    let out = scratch.dir.join("progenitor");
    let mut name = format!("cargo-progenitor {PROGENITOR}");
    let generation = scratch.tool("cargo-progenitor", PROGENITOR, "cargo-progenitor").and_then(|progenitor| {
        let generate = |input: &Path| {
            let mut command = Command::new(&progenitor);
            command.args(["progenitor", "-i"]).arg(input).arg("-o").arg(&out).args(["-n", "clerk-prog", "-v", "0.1.0"]);
            command
        };
        let _ = std::fs::remove_dir_all(&out);
        let input = match timed(&mut generate(spec)) {
            Ok(_) => {
                notes.push("cargo-progenitor generates from the unmodified spec.".into());
                spec.to_path_buf()
            }
            Err(why) => {
                notes.push(format!("cargo-progenitor fails on the unmodified spec: `{why}`"));
                let (patched, patch) = progenitor_spec(scratch, spec)?;
                notes.push(format!("progenitor needed: {patch}."));
                name.push_str(" (patched spec)");
                patched
            }
        };
        generation_time(&out, || generate(&input))
    });
    Row::generated(name, generation, || scratch.generated_build_time(&out))
}

/// Writes the spec, patched for progenitor, to `progenitor-spec.json`.
fn progenitor_spec(scratch: &Scratch, spec: &Path) -> Result<(PathBuf, ProgenitorPatch)> {
    let mut doc = yaml::parse(&read(spec)?).map_err(|e| format!("{}: {e}", spec.display()))?;
    let patch = patch_for_progenitor(&mut doc)?;
    let patched = scratch.dir.join("progenitor-spec.json");
    write(&patched, &serde_json::to_string(&doc).map_err(|e| e.to_string())?)?;
    Ok((patched, patch))
}

/// clerk-rs from crates.io, default features, as the dependency of a scratch crate; made
/// stale with `cargo clean -p clerk-rs`.
fn clerk_rs(scratch: &Scratch) -> Row {
    let krate = scratch.dir.join("clerk-rs");
    let manifest = format!(
        "[package]\nname = \"clerk-rs-bench\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n\n[dependencies]\nclerk-rs = \"={CLERK_RS}\"\n"
    );
    let build = write(&krate.join("Cargo.toml"), &manifest)
        .and_then(|()| write(&krate.join("src/lib.rs"), ""))
        .and_then(|()| {
            scratch.build_time(&krate, || {
                timed(scratch.cargo(&krate).args(["clean", "--quiet", "-p", "clerk-rs"]))
                    .map(drop)
                    .map_err(|why| format!("cargo clean fails: {why}"))
            })
        });
    Row { name: format!("clerk-rs {CLERK_RS} (hand-written, crates.io)"), generation: None, build: Some(build) }
}

/// Gives the generated crate in `krate` an empty `[workspace]` table (unless it has one).
fn own_workspace(krate: &Path) -> Result {
    let manifest = krate.join("Cargo.toml");
    let text = read(&manifest)?;
    if text.lines().any(|l| l.trim() == "[workspace]") {
        return Ok(());
    }
    write(&manifest, &format!("{}\n\n[workspace]\n", text.trim_end()))
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn write(path: &Path, contents: &str) -> Result {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    std::fs::write(path, contents).map_err(|e| format!("{}: {e}", path.display()))
}

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const ERROR_SCHEMA: &str = "#/components/schemas/ClerkErrors";

/// What [`patch_for_progenitor`] changed.
#[derive(Debug, Default, PartialEq, Eq)]
struct ProgenitorPatch {
    multipart_operations: usize,
    error_responses: usize,
    parameters: usize,
}

impl fmt::Display for ProgenitorPatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
        write!(
            f,
            "{} dropped, {} unified, {} dropped",
            count(self.multipart_operations, "multipart operation"),
            count(self.error_responses, "error response"),
            count(self.parameters, "parameter")
        )
    }
}

/// The least change to the spec that progenitor 0.15.1 generates compiling code from:
///
/// 1. drop the operations with a `multipart/form-data` request body (progenitor rejects
///    the content type);
/// 2. in an operation whose 4xx/5xx responses have more than one body type (different
///    schemas, or a body and none), give each of them the `ClerkErrors` body (progenitor
///    panics: `response_types.len() <= 1`);
/// 3. of an operation's query parameters whose names are the same in snake_case
///    (`frontendApi`, `frontend_api`), keep the one already in snake_case (else the first)
///    and drop the others (progenitor binds both to one argument name).
fn patch_for_progenitor(spec: &mut Value) -> Result<ProgenitorPatch> {
    if spec.pointer("/components/schemas/ClerkErrors").is_none() {
        return Err("the spec has no ClerkErrors schema".into());
    }
    let components = spec.get("components").cloned().unwrap_or(Value::Null);
    let paths = spec.get_mut("paths").and_then(Value::as_object_mut).ok_or("the spec has no paths")?;
    let mut patch = ProgenitorPatch::default();
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        let operations = item.len();
        item.retain(|method, op| !(METHODS.contains(&method.as_str()) && has_multipart_body(op, &components)));
        patch.multipart_operations += operations - item.len();
        for (_, op) in item.iter_mut().filter(|(method, _)| METHODS.contains(&method.as_str())) {
            patch.error_responses += unify_error_bodies(op, &components);
            patch.parameters += drop_colliding_query_parameters(op, &components);
        }
    }
    paths.retain(|_, item| item.as_object().is_some_and(|item| item.keys().any(|k| METHODS.contains(&k.as_str()))));
    Ok(patch)
}

/// `value`, or what it points at when it is a `$ref` into the spec's `components`.
fn resolve<'a>(mut value: &'a Value, components: &'a Value) -> &'a Value {
    for _ in 0..8 {
        let target = value.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components"));
        match target.and_then(|pointer| components.pointer(pointer)) {
            Some(target) => value = target,
            None => break,
        }
    }
    value
}

fn has_multipart_body(op: &Value, components: &Value) -> bool {
    let body = op.get("requestBody").map(|body| resolve(body, components));
    body.and_then(|b| b.get("content"))
        .and_then(Value::as_object)
        .is_some_and(|c| c.keys().any(|k| k.starts_with("multipart/form-data")))
}

/// Gives every 4xx/5xx response of `op` the `ClerkErrors` body when they do not all have
/// the same body type; how many responses changed.
fn unify_error_bodies(op: &mut Value, components: &Value) -> usize {
    let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else { return 0 };
    let errors: Vec<(String, Value, String)> = responses
        .iter()
        .filter(|(status, _)| status.starts_with('4') || status.starts_with('5'))
        .map(|(status, response)| {
            let response = resolve(response, components);
            let description = response.get("description").and_then(Value::as_str).unwrap_or("Error").to_owned();
            (status.clone(), body_type(response), description)
        })
        .collect();
    if errors.iter().all(|(_, body, _)| *body == errors[0].1) {
        return 0;
    }
    let unified = json!({ "$ref": ERROR_SCHEMA });
    let mut changed = 0;
    for (status, body, description) in errors {
        if body != unified {
            responses.insert(
                status,
                json!({ "description": description, "content": { "application/json": { "schema": unified } } }),
            );
            changed += 1;
        }
    }
    changed
}

/// What progenitor makes a response's type from: the JSON body's schema, else the other
/// content types (a raw body), else null (no body).
fn body_type(response: &Value) -> Value {
    let Some(content) = response.get("content").and_then(Value::as_object).filter(|c| !c.is_empty()) else {
        return Value::Null;
    };
    match content.iter().find(|(media, _)| media.split(';').next() == Some("application/json")) {
        Some((_, media)) => media.get("schema").cloned().unwrap_or(Value::Null),
        None => Value::Array(content.keys().cloned().map(Value::String).collect()),
    }
}

/// Drops the query parameters of `op` whose snake_case name another one has (keeping the
/// one already in snake_case, else the first); how many were dropped.
fn drop_colliding_query_parameters(op: &mut Value, components: &Value) -> usize {
    let Some(parameters) = op.get_mut("parameters").and_then(Value::as_array_mut) else { return 0 };
    let names: Vec<Option<String>> = parameters
        .iter()
        .map(|p| resolve(p, components))
        .map(|p| {
            p.get("name")
                .and_then(Value::as_str)
                .filter(|_| p.get("in").and_then(Value::as_str) == Some("query"))
                .map(str::to_owned)
        })
        .collect();
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, name) in names.iter().enumerate() {
        if let Some(name) = name {
            groups.entry(snake_case(name)).or_default().push(i);
        }
    }
    let mut dropped = vec![false; parameters.len()];
    for (snake, group) in groups.iter().filter(|(_, group)| group.len() > 1) {
        let keep = group.iter().copied().find(|&i| names[i].as_deref() == Some(snake.as_str())).unwrap_or(group[0]);
        for &i in group.iter().filter(|&&i| i != keep) {
            dropped[i] = true;
        }
    }
    let mut index = 0;
    parameters.retain(|_| {
        index += 1;
        !dropped[index - 1]
    });
    dropped.iter().filter(|&&d| d).count()
}

/// `frontendApi` and `frontend-api` → `frontend_api`.
fn snake_case(name: &str) -> String {
    let mut out = String::new();
    let mut previous: Option<char> = None;
    for c in name.chars() {
        if c.is_alphanumeric() {
            if c.is_uppercase() && previous.is_some_and(|p| p.is_lowercase() || p.is_ascii_digit()) {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
        previous = Some(c);
    }
    out.trim_end_matches('_').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> Value {
        json!({
            "components": {
                "schemas": { "ClerkErrors": { "type": "object" } },
                "responses": { "ClerkErrors": { "description": "Errors", "content": { "application/json": { "schema": { "$ref": ERROR_SCHEMA } } } } }
            },
            "paths": {
                "/logo": {
                    "put": { "requestBody": { "content": { "multipart/form-data": {} } }, "responses": {} }
                },
                "/verify": {
                    "post": { "responses": {
                        "200": { "description": "OK" },
                        "400": { "description": "Bad" },
                        "500": { "$ref": "#/components/responses/ClerkErrors" }
                    } },
                    "get": {
                        "parameters": [
                            { "name": "frontendApi", "in": "query" },
                            { "name": "frontend_api", "in": "query" },
                            { "name": "frontend_api", "in": "header" }
                        ],
                        "responses": {
                            "404": { "$ref": "#/components/responses/ClerkErrors" },
                            "500": { "$ref": "#/components/responses/ClerkErrors" }
                        }
                    }
                }
            }
        })
    }

    #[test]
    fn patches_what_progenitor_rejects() {
        let mut spec = spec();
        let patch = patch_for_progenitor(&mut spec).unwrap();
        assert_eq!(patch, ProgenitorPatch { multipart_operations: 1, error_responses: 1, parameters: 1 });
        assert!(spec.pointer("/paths/~1logo").is_none());
        assert_eq!(
            spec.pointer("/paths/~1verify/post/responses/400/content/application~1json/schema/$ref"),
            Some(&json!(ERROR_SCHEMA))
        );
        assert_eq!(spec.pointer("/paths/~1verify/get/parameters/0/name"), Some(&json!("frontend_api")));
        assert_eq!(patch.to_string(), "1 multipart operation dropped, 1 error response unified, 1 parameter dropped");
    }

    #[test]
    fn a_baseline_not_measured_says_why_in_its_row() {
        let why: Option<Result<Duration>> = Some(Err("build fails: error[E0415]: a | b".into()));
        assert_eq!(
            cells(&why, |t| format!("{t} s"), |r| format!("{r}x")),
            "not measured: build fails: error[E0415]: a / b | –"
        );
        assert_eq!(cells(&Some(Ok(Duration::from_secs(2))), |t| format!("{t} s"), |r| format!("{r}x")), "2 s | 2x");
    }

    #[test]
    fn snake_cases_parameter_names() {
        assert_eq!(snake_case("frontendApi"), "frontend_api");
        assert_eq!(snake_case("frontend_api"), "frontend_api");
        assert_eq!(snake_case("order-by"), "order_by");
        assert_eq!(snake_case("userID"), "user_id");
    }
}
