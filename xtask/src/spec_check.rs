//! Generates a crate from every spec in the specs folder ([`crate::specs::dir`]: every
//! snapshot, every API version), from every golden fixture and from every excerpt of another
//! vendor's document (`spec/public/`), then `cargo check`s them all in one throwaway
//! workspace under `target/`, with warnings as errors, and the golden crates' tests too, and
//! each fixture's and excerpt's crate with one resource group at a time and with none; the
//! hand-written tests of the golden fixtures that have some
//! (`generator/tests/golden/<name>/tests/`) run.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::regen::overlays;
use crate::{Result, specs};

/// Generates and checks every crate (see the module docs).
pub fn check_all(root: &Path) -> Result {
    let dir = specs::dir(root)?;
    let mut specs = Vec::new();
    find_yaml(&dir, &mut specs).map_err(|e| format!("{}: {e}", dir.display()))?;
    specs.sort();
    if specs.is_empty() {
        return Err(format!("no specs found in {}", dir.display()));
    }
    let work = root.join("target/spec-check");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let overlays = overlays(root)?;
    let mut members = Vec::new();
    // The crates with a testing kit, checked (and the golden ones tested) with it on.
    let mut testing_kits = Vec::new();
    for spec in &specs {
        let relative = spec.strip_prefix(&dir).unwrap_or(spec);
        let name = format!(
            "spec-{}",
            relative.with_extension("").to_string_lossy().replace(['/', '\\', '.', '_'], "-").to_lowercase()
        );
        let options = clerk_codegen::emit::Options {
            crate_name: name.clone(),
            crate_version: "0.0.0".into(),
            ..Default::default()
        };
        let files =
            clerk_codegen::generate(spec, &overlays, &Default::default(), &options).map_err(|e| e.to_string())?;
        clerk_codegen::write::write(&work.join(&name), &files).map_err(|e| e.to_string())?;
        if has_testing_kit(&files) {
            testing_kits.push(name.clone());
        }
        eprintln!("    generated {name} from {}", relative.display());
        members.push(name);
    }
    // The golden fixtures, generated afresh: the snapshots plus the runtime files (the
    // golden test checks that the generated files equal the snapshots); then the excerpts
    // of other vendors' documents, which have no snapshots.
    let mut tested = Vec::new();
    let mut others = 0;
    // The resource features of the fixtures' and excerpts' crates, each to be checked alone.
    let mut single = Vec::new();
    for (dir, prefix) in [("spec/fixtures", "golden"), ("spec/public", "public")] {
        for spec in documents(&root.join(dir))? {
            let stem = spec.file_stem().unwrap_or_default().to_string_lossy().into_owned();
            let name = format!("{prefix}-{stem}");
            let options = clerk_codegen::emit::Options {
                crate_name: name.clone(),
                crate_version: "0.0.0".into(),
                ..Default::default()
            };
            let files =
                clerk_codegen::generate(&spec, &[], &Default::default(), &options).map_err(|e| e.to_string())?;
            clerk_codegen::write::write(&work.join(&name), &files).map_err(|e| e.to_string())?;
            if has_testing_kit(&files) {
                testing_kits.push(name.clone());
            }
            single.extend(resource_features(&files)?.into_iter().map(|feature| (name.clone(), feature)));
            let tests = root.join("generator/tests/golden").join(&stem).join("tests");
            if prefix == "golden" && copy_hand_written_tests(&tests, &work.join(&name).join("tests"))? {
                tested.push(name.clone());
            }
            others += 1;
            members.push(name);
        }
    }
    members.sort();
    let manifest = format!(
        "[workspace]\nresolver = \"3\"\nmembers = [\n{}]\n",
        members.iter().map(|m| format!("    \"{m}\",\n")).collect::<String>()
    );
    std::fs::write(work.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    // The same dependency versions as the workspace.
    let _ = std::fs::copy(root.join("Cargo.lock"), work.join("Cargo.lock"));
    let check = |args: &[&str]| -> Result {
        let status = Command::new(crate::process::cargo_bin())
            .arg("check")
            .args(args)
            .arg("--quiet")
            .env("CARGO_TARGET_DIR", root.join("target/spec-check-target"))
            .env("RUSTFLAGS", "-D warnings")
            .current_dir(&work)
            .status()
            .map_err(|e| e.to_string())?;
        if status.success() { Ok(()) } else { Err(format!("a crate generated in {} does not compile", work.display())) }
    };
    // `--features <crate>/testing` for each of `selected` that has a testing kit.
    let kits = |selected: &[String]| -> Vec<String> {
        let on = testing_kits.iter().filter(|name| selected.contains(name));
        on.flat_map(|name| ["--features".to_owned(), format!("{name}/testing")]).collect()
    };
    let all_kits = kits(&members);
    let mut workspace = vec!["--workspace"];
    workspace.extend(all_kits.iter().map(String::as_str));
    check(&workspace)?;
    // The golden crates' generated tests as well: each fixture's hard construct in the
    // conformance and spec-example harnesses.
    let mut golden = vec!["--tests"];
    let golden_members: Vec<String> = members.iter().filter(|m| m.starts_with("golden-")).cloned().collect();
    golden_members.iter().for_each(|m| golden.extend(["-p", m.as_str()]));
    let golden_kits = kits(&golden_members);
    golden.extend(golden_kits.iter().map(String::as_str));
    check(&golden)?;
    // One resource group at a time (and none), as a service that needs one would build it:
    // every gate must leave a crate that compiles without a warning.
    for (name, feature) in &single {
        check(&["-p", name, "--no-default-features", "--features", feature])?;
    }
    if !tested.is_empty() {
        let mut test = Command::new(crate::process::cargo_bin());
        // Not the doctests: the runtime's examples name the `clerk_sdk` crate.
        test.args(["test", "--quiet", "--lib", "--tests"]);
        for name in &tested {
            test.args(["-p", name]);
        }
        test.args(kits(&tested));
        let status = test
            .env("CARGO_TARGET_DIR", root.join("target/spec-check-target"))
            .env("RUSTFLAGS", "-D warnings")
            .current_dir(&work)
            .status()
            .map_err(|e| e.to_string())?;
        if !status.success() {
            return Err(format!("the tests of {} failed", tested.join(", ")));
        }
    }
    eprintln!(
        "    {} crates compile: {} specs, {others} golden fixtures and excerpts of other documents",
        members.len(),
        specs.len()
    );
    Ok(())
}

/// Whether a generated crate has the `testing` feature (its API serves `GET /jwks`).
fn has_testing_kit(files: &[clerk_codegen::emit::File]) -> bool {
    files.iter().any(|f| f.path == "Cargo.toml" && f.contents.contains("\ntesting = ["))
}

/// The feature lists that build a generated crate with one resource group each and with
/// none, all with `rustls`; nothing for a crate without groups.
fn resource_features(files: &[clerk_codegen::emit::File]) -> Result<Vec<String>> {
    let manifest = files.iter().find(|f| f.path == "Cargo.toml").ok_or("a generated crate has no Cargo.toml")?;
    let groups = resource_groups(&manifest.contents)?;
    if groups.is_empty() {
        return Ok(Vec::new());
    }
    let one_each = groups.iter().map(|group| format!("rustls,{group}"));
    Ok(std::iter::once("rustls".to_owned()).chain(one_each).collect())
}

/// The resource group features of a generated crate's manifest: those its `full` feature
/// turns on (none for a crate without operations).
pub fn resource_groups(manifest: &str) -> Result<Vec<String>> {
    let manifest: toml::Table = manifest.parse().map_err(|e| format!("generated Cargo.toml: {e}"))?;
    let full = manifest.get("features").and_then(|f| f.get("full")).and_then(|f| f.as_array());
    Ok(full.into_iter().flatten().filter_map(|f| f.as_str()).map(str::to_owned).collect())
}

/// Copies the hand-written test files of a golden snapshot's `tests/` (not those the
/// generator writes) into a generated crate; whether there were any.
fn copy_hand_written_tests(from: &Path, to: &Path) -> Result<bool> {
    let Ok(entries) = std::fs::read_dir(from) else { return Ok(false) };
    let mut any = false;
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", from.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if clerk_codegen::write::is_generated(&format!("tests/{name}")) || !entry.path().is_file() {
            continue;
        }
        std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
        std::fs::copy(entry.path(), to.join(&name)).map_err(|e| format!("{}: {e}", entry.path().display()))?;
        any = true;
    }
    Ok(any)
}

/// The YAML and JSON documents directly in `dir`, sorted.
fn documents(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "json"))
        .collect();
    found.sort();
    Ok(found)
}

fn find_yaml(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            find_yaml(&path, out)?;
        } else if path.extension().is_some_and(|x| x == "yml" || x == "yaml" || x == "json") {
            out.push(path);
        }
    }
    Ok(())
}
