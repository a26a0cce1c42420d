//! Writes a generated crate, or checks that the files on disk are up to date.
//!
//! The generator owns `Cargo.toml`, `README.md` and everything under `src/`; anything else
//! in the crate (`tests/`, `examples/`, `benches/`, `CHANGELOG.md`) is hand-written and left
//! alone.

use std::collections::BTreeSet;
use std::io;
use std::path::Path;

use crate::emit::File;

/// The folder of a generated crate that the generator owns whole: a file in it that the
/// generator no longer produces is removed.
pub const OWNED_DIR: &str = "src";

/// Whether the generator owns `path`, relative to the crate's folder and `/`-separated:
/// `Cargo.toml`, `README.md` and everything under [`OWNED_DIR`]. Anything else is
/// hand-written.
pub fn owns(path: &str) -> bool {
    path == "Cargo.toml"
        || path == "README.md"
        || path.strip_prefix(OWNED_DIR).is_some_and(|rest| rest.starts_with('/'))
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
    for file in files {
        if report.changed.contains(&file.path) {
            let path = out.join(&file.path);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(path, &file.contents)?;
        }
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
    list(&out.join(OWNED_DIR), OWNED_DIR, &mut on_disk)?;
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

    #[test]
    fn the_generator_owns_the_manifest_the_readme_and_src_only() {
        for owned in ["Cargo.toml", "README.md", "src/lib.rs", "src/models/user.rs"] {
            assert!(owns(owned), "{owned}");
        }
        for hand_written in ["CHANGELOG.md", "tests/client.rs", "benches/overhead.rs", "srcs/x.rs", "src"] {
            assert!(!owns(hand_written), "{hand_written}");
        }
    }
}
