//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

/// The folder of Clerk's spec snapshots: `$CLERK_SPECS_DIR`, else `../shared/specs/clerk`
/// next to the checkout.
pub fn specs_dir() -> PathBuf {
    std::env::var_os("CLERK_SPECS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/specs/clerk"))
}
