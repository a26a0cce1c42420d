//! Writes a generated crate, or checks that the files on disk are up to date.
//!
//! The generator owns `Cargo.toml`, `README.md`, everything under `src/`, and the test
//! files of [`GENERATED_TESTS`]; anything else in the crate (the other files of `tests/`,
//! `examples/`, `benches/`, `CHANGELOG.md`) is hand-written and left alone.

use std::collections::BTreeSet;
use std::io;
use std::path::Path;

use crate::emit::File;

/// The files below `tests/` that the generator owns; every other file there is
/// hand-written.
pub const GENERATED_TESTS: &[&str] = &["tests/conformance.rs", "tests/mock_coverage.rs", "tests/spec_examples.rs"];

/// Whether the generator owns the file at `path` (relative to the crate root) and may
/// remove it when it no longer produces it.
pub fn is_generated(path: &str) -> bool {
    matches!(path, "Cargo.toml" | "README.md") || path.starts_with("src/") || GENERATED_TESTS.contains(&path)
}

/// What a sync found or did.
#[derive(Debug, Default)]
pub struct Report {
    /// Files whose contents differed (written in write mode).
    pub changed: Vec<String>,
    /// Generator-owned files on disk that the generator no longer produces.
    pub stale: Vec<String>,
    /// A unified diff of the differences (check mode).
    pub diff: String,
}

impl Report {
    /// Nothing differed.
    pub fn is_clean(&self) -> bool {
        self.changed.is_empty() && self.stale.is_empty()
    }
}

/// Writes `files` below `out`, touching only files whose contents changed and removing
/// generator-owned files that are no longer produced.
pub fn write(out: &Path, files: &[File]) -> io::Result<Report> {
    let mut report = compare(out, files, false)?;
    let changed: BTreeSet<&str> = report.changed.iter().map(String::as_str).collect();
    let changed: Vec<&File> = files.iter().filter(|f| changed.contains(f.path.as_str())).collect();
    // Each folder once, not once per file in it.
    let folders: BTreeSet<_> =
        changed.iter().filter_map(|f| out.join(&f.path).parent().map(Path::to_path_buf)).collect();
    for folder in folders {
        std::fs::create_dir_all(folder)?;
    }
    for file in changed {
        std::fs::write(out.join(&file.path), &file.contents)?;
    }
    for stale in &report.stale {
        std::fs::remove_file(out.join(stale))?;
    }
    report.diff.clear();
    Ok(report)
}

/// Compares `files` with what is below `out` without writing anything.
pub fn check(out: &Path, files: &[File]) -> io::Result<Report> {
    compare(out, files, true)
}

fn compare(out: &Path, files: &[File], with_diff: bool) -> io::Result<Report> {
    if let Some(file) = files.iter().find(|f| f.path.starts_with("tests/") && !is_generated(&f.path)) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} is a hand-written test: list it in GENERATED_TESTS to generate it", file.path),
        ));
    }
    let mut report = Report::default();
    for file in files {
        let current = match std::fs::read_to_string(out.join(&file.path)) {
            Ok(s) => Some(s),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(e),
        };
        if current.as_deref() != Some(file.contents.as_str()) {
            report.changed.push(file.path.clone());
            if with_diff {
                let old = current.unwrap_or_default();
                let diff = similar::TextDiff::from_lines(&old, &file.contents);
                let text = diff
                    .unified_diff()
                    .context_radius(3)
                    .header(&format!("a/{}", file.path), &format!("b/{}", file.path))
                    .to_string();
                report.diff.push_str(&text);
            }
        }
    }
    let produced: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let mut on_disk = Vec::new();
    list(&out.join("src"), "src", &mut on_disk)?;
    on_disk.extend(GENERATED_TESTS.iter().filter(|path| out.join(path).is_file()).map(|path| path.to_string()));
    for path in on_disk {
        if !produced.contains(path.as_str()) {
            if with_diff {
                report.diff.push_str(&format!("--- a/{path}\n+++ /dev/null (no longer generated)\n"));
            }
            report.stale.push(path);
        }
    }
    Ok(report)
}

fn list(dir: &Path, prefix: &str, out: &mut Vec<String>) -> io::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    let mut entries: Vec<_> = entries.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = format!("{prefix}/{name}");
        if entry.file_type()?.is_dir() {
            list(&entry.path(), &path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, contents: &str) -> File {
        File { path: path.to_owned(), contents: contents.to_owned() }
    }

    /// A crate on disk with a generated test that is no longer produced, a current one, a
    /// hand-written test and a stale source file.
    fn crate_dir(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("clerk-codegen-write-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("tests")).unwrap();
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::write(dir.join("tests/conformance.rs"), "old").unwrap();
        std::fs::write(dir.join("tests/spec_examples.rs"), "examples").unwrap();
        std::fs::write(dir.join("tests/client.rs"), "hand-written").unwrap();
        std::fs::write(dir.join("src/gone.rs"), "gone").unwrap();
        dir
    }

    #[test]
    fn owned_files_are_the_manifest_readme_sources_and_listed_tests() {
        for path in ["Cargo.toml", "README.md", "src/lib.rs", "src/auth/mod.rs", "tests/conformance.rs"] {
            assert!(is_generated(path), "{path}");
        }
        for path in ["CHANGELOG.md", "tests/client.rs", "tests/fixtures/user.json", "examples/list_users.rs"] {
            assert!(!is_generated(path), "{path}");
        }
    }

    #[test]
    fn generated_tests_no_longer_produced_are_stale_and_hand_written_ones_are_not() {
        let dir = crate_dir("stale");
        let files = [file("src/lib.rs", "lib"), file("tests/spec_examples.rs", "examples")];
        let report = check(&dir, &files).unwrap();
        assert_eq!(report.changed, ["src/lib.rs"]);
        assert_eq!(report.stale, ["src/gone.rs", "tests/conformance.rs"]);

        write(&dir, &files).unwrap();
        assert!(!dir.join("tests/conformance.rs").exists() && !dir.join("src/gone.rs").exists());
        assert_eq!(std::fs::read_to_string(dir.join("tests/client.rs")).unwrap(), "hand-written");
        assert!(check(&dir, &files).unwrap().is_clean());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_hand_written_test_is_never_overwritten() {
        let dir = crate_dir("refuse");
        let error = write(&dir, &[file("tests/client.rs", "generated")]).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
        assert_eq!(std::fs::read_to_string(dir.join("tests/client.rs")).unwrap(), "hand-written");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
