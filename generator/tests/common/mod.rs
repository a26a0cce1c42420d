//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

/// The folder of Clerk's spec snapshots, found like `cargo xtask` finds it:
/// `$CLERK_SPECS_DIR`, else `../shared/specs/clerk` next to the checkout when it exists, else
/// `target/specs/`, where `cargo xtask` downloads the pinned files.
pub fn specs_dir() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    match std::env::var_os("CLERK_SPECS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => {
            Some(root.join("../shared/specs/clerk")).filter(|d| d.is_dir()).unwrap_or_else(|| root.join("target/specs"))
        }
    }
}
