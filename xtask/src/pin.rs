//! `spec/clerk.toml`: which spec the SDK is generated from, and how to get it.

use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Result;

/// The pinned spec.
#[derive(Debug)]
pub struct Pin {
    pub path: String,
    pub url: String,
    pub sha256: String,
    pub crate_version: String,
}

impl Pin {
    /// Reads the pin file: flat `key = "value"` lines and `#` comments.
    pub fn read(file: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let mut values = HashMap::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (key, value) = line
                .split_once('=')
                .and_then(|(k, v)| Some((k.trim(), v.trim().strip_prefix('"')?.strip_suffix('"')?)))
                .ok_or_else(|| format!("{}:{}: expected `key = \"value\"`", file.display(), n + 1))?;
            values.insert(key.to_owned(), value.to_owned());
        }
        let mut get = |key: &str| {
            values.remove(key).ok_or_else(|| format!("{}: missing `{key}`", file.display()))
        };
        Ok(Pin { path: get("path")?, url: get("url")?, sha256: get("sha256")?, crate_version: get("crate_version")? })
    }

    /// The local path of the pinned spec: from `$CLERK_SPECS_DIR`, else a verified download
    /// cached in `target/specs/`. Either way the sha256 must match.
    pub fn resolve(&self, root: &Path) -> Result<PathBuf> {
        if let Some(dir) = specs_dir(root) {
            let file = dir.join(&self.path);
            if file.exists() {
                self.verify(&file)?;
                return Ok(file);
            }
        }
        let cached = root.join("target/specs").join(&self.path);
        if !cached.exists() || self.verify(&cached).is_err() {
            download(&self.url, &cached)?;
        }
        self.verify(&cached)?;
        Ok(cached)
    }

    fn verify(&self, file: &Path) -> Result {
        let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let actual = sha256_hex(&bytes);
        if actual != self.sha256 {
            return Err(format!(
                "{} has sha256 {actual}, but spec/clerk.toml pins {}: refusing to generate from an unpinned spec",
                file.display(),
                self.sha256
            ));
        }
        Ok(())
    }
}

/// Hex sha256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// `$CLERK_SPECS_DIR`, or `../shared/specs/clerk` next to the checkout when it exists.
pub fn specs_dir(root: &Path) -> Option<PathBuf> {
    match std::env::var_os("CLERK_SPECS_DIR") {
        Some(dir) => Some(PathBuf::from(dir)),
        None => Some(root.join("../shared/specs/clerk")).filter(|d| d.is_dir()),
    }
}

fn download(url: &str, to: &Path) -> Result {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    eprintln!("downloading {url}");
    let partial = to.with_extension("part");
    let status = Command::new("curl")
        .args(["--fail", "--silent", "--show-error", "--location", "--max-time", "120", "--output"])
        .arg(&partial)
        .arg(url)
        .status()
        .map_err(|e| format!("cannot run curl to download {url}: {e}"))?;
    if !status.success() {
        return Err(format!("downloading {url} failed; set CLERK_SPECS_DIR to a local copy of the specs"));
    }
    std::fs::rename(&partial, to).map_err(|e| format!("{}: {e}", to.display()))
}
