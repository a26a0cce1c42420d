//! `rustfmt --check` on every hand-written Rust file: the generator, xtask, the templates,
//! and the hand-written files of the generated crate (tests, examples, benches). Generated
//! files, formatted by prettyplease, are left out: what the generator owns
//! ([`clerk_codegen::write::is_generated`]) in `generated-sdk/` and in the golden snapshots.

use std::path::Path;
use std::process::Command;

use crate::Result;

/// The generated crate, and the folder whose subfolders are the golden snapshot crates.
const GENERATED_CRATE: &str = "generated-sdk/";
const GOLDEN_SNAPSHOTS: &str = "generator/tests/golden/";

/// Fails, listing the files, when a hand-written Rust file is not formatted.
pub fn check(root: &Path) -> Result {
    let files: Vec<String> = rust_files(root)?.into_iter().filter(|path| is_hand_written(path)).collect();
    let output = Command::new("rustfmt")
        .args(["--check", "--edition", "2024", "-l"])
        .args(&files)
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run rustfmt: {e}"))?;
    if !output.status.success() {
        let unformatted = String::from_utf8_lossy(&output.stdout);
        let errors = String::from_utf8_lossy(&output.stderr);
        return Err(format!("rustfmt --check failed; run `rustfmt --edition 2024` on:\n{unformatted}{errors}"));
    }
    eprintln!("    {} hand-written files are formatted", files.len());
    Ok(())
}

/// Every Rust file of the checkout that git tracks or would track (untracked, not ignored),
/// relative to `root`.
fn rust_files(root: &Path) -> Result<Vec<String>> {
    let output = Command::new("git")
        .args(["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "*.rs"])
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !output.status.success() {
        return Err(format!("`git ls-files` failed: {}", String::from_utf8_lossy(&output.stderr)));
    }
    let listed = String::from_utf8(output.stdout).map_err(|_| "git lists a path that is not UTF-8")?;
    let mut files: Vec<String> =
        listed.split('\0').filter(|p| !p.is_empty() && root.join(p).is_file()).map(str::to_owned).collect();
    files.sort();
    files.dedup();
    Ok(files)
}

/// Whether the file at `path` (relative to the workspace root, `/`-separated) is
/// hand-written rather than generated.
fn is_hand_written(path: &str) -> bool {
    use clerk_codegen::write::is_generated;
    if let Some(in_crate) = path.strip_prefix(GENERATED_CRATE) {
        return !is_generated(in_crate);
    }
    match path.strip_prefix(GOLDEN_SNAPSHOTS).and_then(|p| p.split_once('/')) {
        Some((_fixture, in_crate)) => !is_generated(in_crate),
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_files_are_not_hand_written() {
        for generated in
            ["generated-sdk/src/lib.rs", "generated-sdk/src/models/user.rs", "generator/tests/golden/names/src/lib.rs"]
        {
            assert!(!is_hand_written(generated), "{generated}");
        }
        for hand_written in [
            "generated-sdk/tests/client.rs",
            "generated-sdk/examples/list_users.rs",
            "generated-sdk/benches/overhead.rs",
            "generator/src/lib.rs",
            "generator/tests/golden.rs",
            "templates/src/request.rs",
            "templates/src/lib.rs",
            "xtask/src/fmt.rs",
        ] {
            assert!(is_hand_written(hand_written), "{hand_written}");
        }
    }

    #[test]
    fn the_listed_files_include_this_one_and_no_generated_file() {
        let files = rust_files(&crate::root()).unwrap();
        assert!(files.iter().any(|f| f == "xtask/src/fmt.rs"), "{files:?}");
        assert!(files.iter().any(|f| f == "generated-sdk/src/lib.rs"));
        assert!(!files.iter().filter(|f| is_hand_written(f)).any(|f| f.starts_with("generated-sdk/src/")));
    }
}
