//! `cargo xtask regen` and `cargo xtask api-diff`: generating the SDK from the pinned spec,
//! its changelog, and the API diff between two specs.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::{Result, pin, specs};

/// The overlays of `spec/overlays/`, in the order they apply.
pub fn overlays(root: &Path) -> Result<Vec<PathBuf>> {
    let dir = root.join("spec/overlays");
    let mut list: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    list.sort();
    Ok(list)
}

/// The pinned Rust names of `spec/names.toml`.
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
    if path.exists() { Ok(path.to_path_buf()) } else { specs::resolve(&pin::version(root, arg)?) }
}

/// Loads a spec with the project's overlays and pinned names.
fn load(root: &Path, spec: &Path) -> Result<clerk_codegen::ir::Api> {
    load_with(root, spec, &names(root)?)
}

/// Loads a spec with the project's overlays and the given names.
fn load_with(root: &Path, spec: &Path, names: &clerk_codegen::ir::NameMap) -> Result<clerk_codegen::ir::Api> {
    clerk_codegen::load_api(spec, &overlays(root)?, names).map_err(|e| e.to_string())
}

/// Prints the API diff between two specs (files or API versions); with `semver_checks`,
/// checks it against cargo-semver-checks on the two generated crates.
pub fn api_diff(root: &Path, old: &str, new: &str, semver_checks: bool) -> Result {
    let pin = pin::Pin::read(root)?;
    let (old_api, new_api) = (load(root, &spec_arg(root, old)?)?, load(root, &spec_arg(root, new)?)?);
    let changes = clerk_codegen::diff::diff(&old_api, &new_api);
    let title = format!("clerk-sdk API changes: {} ({old}) to {} ({new})", old_api.version, new_api.version);
    print!("{}", clerk_codegen::diff::render(&title, &pin.crate_version, &changes));
    if semver_checks { crate::semver::check(root, old, new, &changes) } else { Ok(()) }
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
    for section in rest.split("\n## ") {
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
        let baseline = specs::resolve(&pin::version(root, &pin.baseline_api_version)?)?;
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
pub fn regen(root: &Path, check: bool, spec: Option<&Path>, api_version: Option<&str>) -> Result {
    let mut pin = pin::Pin::read(root)?;
    if let Some(version) = api_version {
        pin.source = pin::version(root, version)?;
        if !check {
            pin.write(root)?;
        }
    }
    let spec = match spec {
        Some(path) => path.to_path_buf(),
        None => specs::resolve(&pin.source)?,
    };
    let started = Instant::now();
    let api = load(root, &spec)?;
    let options = clerk_codegen::emit::Options {
        crate_name: "clerk-sdk".into(),
        crate_version: pin.crate_version.clone(),
        benches: stems(&root.join("generated-sdk/benches"))?,
        testing_examples: testing_examples(&root.join("generated-sdk/examples"))?,
    };
    let mut files = sdk_files(root, &pin, &api, &options)?;
    let changelog = changelog(root, &pin, &api, spec_is_pinned(&spec, &pin))?;
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

/// The files of `clerk-sdk` generated from `api` with the pinned webhook types, as `regen`
/// writes them, its changelog aside.
fn sdk_files(
    root: &Path,
    pin: &pin::Pin,
    api: &clerk_codegen::ir::Api,
    options: &clerk_codegen::emit::Options,
) -> Result<Vec<clerk_codegen::emit::File>> {
    let events = load_with(root, &specs::resolve(&pin.webhooks)?, &webhook_names(root)?)?;
    clerk_codegen::emit::emit_with_webhooks(api, Some(&events), options).map_err(|e| e.to_string())
}

/// `clerk-sdk` as `regen` would generate it from `spec` (a file or an API version), at
/// crate version `version`, without benchmarks or changelog.
pub fn sdk_from(root: &Path, spec: &str, version: &str) -> Result<Vec<clerk_codegen::emit::File>> {
    let pin = pin::Pin::read(root)?;
    let api = load(root, &spec_arg(root, spec)?)?;
    let options = clerk_codegen::emit::Options {
        crate_name: "clerk-sdk".into(),
        crate_version: version.into(),
        benches: Vec::new(),
        testing_examples: Vec::new(),
    };
    sdk_files(root, &pin, &api, &options)
}

/// The examples in `dir` that use `clerk_sdk::testing`, by file stem.
fn testing_examples(dir: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for stem in stems(dir)? {
        let path = dir.join(format!("{stem}.rs"));
        let source = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        if source.contains("clerk_sdk::testing") {
            out.push(stem);
        }
    }
    Ok(out)
}

/// The file stems of the `*.rs` files in `dir` (the crate's benchmarks or examples), sorted.
fn stems(dir: &Path) -> Result<Vec<String>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("{}: {e}", dir.display())),
    };
    let mut names: Vec<String> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|x| x == "rs"))
        .filter_map(|path| path.file_stem().map(|stem| stem.to_string_lossy().into_owned()))
        .collect();
    names.sort();
    Ok(names)
}

/// Whether `spec` is the file the pin resolves to.
fn spec_is_pinned(spec: &Path, pin: &pin::Pin) -> bool {
    specs::resolve(&pin.source).is_ok_and(|pinned| pinned == spec)
}
