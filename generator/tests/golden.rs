//! Golden tests: each fixture spec in `spec/fixtures/` (one per hard construct, YAML or
//! JSON) generates exactly the files snapshotted in `tests/golden/<name>/` (all but the
//! runtime files copied from `templates/`). `cargo xtask test` also compiles every
//! fixture's crate, snapshot plus runtime, and runs the hand-written tests a snapshot has
//! in its `tests/`. Rewrite them with `cargo xtask golden`.

use std::path::{Path, PathBuf};

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/fixtures");
    let mut list: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "json"))
        .collect();
    list.sort();
    list
}

#[test]
fn fixtures_match_their_snapshots() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let fixtures = fixtures();
    assert!(fixtures.len() >= 5, "fixtures missing: {fixtures:?}");
    let mut stale = Vec::new();
    for spec in fixtures {
        let name = spec.file_stem().unwrap().to_string_lossy().into_owned();
        let options = clerk_codegen::emit::Options {
            crate_name: format!("golden-{name}"),
            crate_version: "0.0.0".into(),
            ..Default::default()
        };
        let runtime = clerk_codegen::emit::runtime_paths();
        let files: Vec<_> = clerk_codegen::generate(&spec, &[], &Default::default(), &options)
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .filter(|f| !runtime.contains(&f.path))
            .collect();
        let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(&name);
        if update {
            clerk_codegen::write::write(&out, &files).unwrap();
            continue;
        }
        let report = clerk_codegen::write::check(&out, &files).unwrap();
        if !report.is_clean() {
            stale.push(format!("{name}:\n{}", report.diff));
        }
    }
    assert!(stale.is_empty(), "snapshots differ (run `cargo xtask golden` if intended):\n{}", stale.join("\n"));
}

#[test]
fn generation_is_deterministic() {
    for spec in fixtures() {
        let options = clerk_codegen::emit::Options::default();
        let first = clerk_codegen::generate(&spec, &[], &Default::default(), &options).unwrap();
        let second = clerk_codegen::generate(&spec, &[], &Default::default(), &options).unwrap();
        assert_eq!(first, second, "{}", spec.display());
    }
}
