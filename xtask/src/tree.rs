//! Copying and comparing folder trees.

use std::path::Path;

/// Lists the files that differ between two trees (missing on either side included).
pub fn compare_dirs(a: &Path, b: &Path, label: &str, out: &mut Vec<String>) -> std::io::Result<()> {
    let mut names = std::collections::BTreeSet::new();
    for dir in [a, b] {
        if let Ok(entries) = std::fs::read_dir(dir) {
            for entry in entries {
                names.insert(entry?.file_name());
            }
        }
    }
    for name in names {
        let (x, y) = (a.join(&name), b.join(&name));
        let label = format!("{label}/{}", name.to_string_lossy());
        if x.is_dir() || y.is_dir() {
            compare_dirs(&x, &y, &label, out)?;
        } else if std::fs::read(&x).ok() != std::fs::read(&y).ok() {
            out.push(label);
        }
    }
    Ok(())
}

/// Copies the tree `from` to `to`, creating folders as needed.
pub fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}
