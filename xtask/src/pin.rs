//! `spec/clerk.toml` (which spec the SDK is generated from) and `spec/versions.toml`
//! (every version it can switch to), and checking a file against its pinned hash.
//! [`crate::specs`] finds or downloads the files.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

use crate::Result;

/// A spec file that can be pinned.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The API version, the section's name in `spec/versions.toml` (`webhooks` for the
    /// webhooks document).
    #[serde(skip)]
    pub api_version: String,
    /// The snapshot folder of the specs folder the file is in (empty for the webhooks document).
    pub snapshot: String,
    /// The file's path in the specs folder.
    pub path: String,
    /// The file's path in the upstream repository.
    pub upstream_path: String,
    /// The upstream commit the file is taken at.
    pub upstream_commit: String,
    /// The file's hex sha256.
    pub sha256: String,
}

/// The pin: the current source, the crate version, and the API version of the last release
/// (the baseline the changelog's Unreleased section is computed from).
#[derive(Debug, Clone, PartialEq)]
pub struct Pin {
    /// The Backend API spec the SDK is generated from.
    pub source: Source,
    /// The webhooks document the typed webhook events come from.
    pub webhooks: Source,
    /// The version of the generated crate.
    pub crate_version: String,
    /// The API version of the last release.
    pub baseline_api_version: String,
}

/// `spec/clerk.toml` key for key, in the order of its canonical form.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PinFile {
    api_version: String,
    snapshot: String,
    path: String,
    upstream_path: String,
    upstream_commit: String,
    /// For readers only: downloads derive the URL from `upstream_commit` and `upstream_path`.
    url: String,
    sha256: String,
    crate_version: String,
    baseline_api_version: String,
    webhooks_path: String,
    webhooks_upstream_path: String,
    webhooks_upstream_commit: String,
    webhooks_sha256: String,
}

/// The comment above the keys of `spec/clerk.toml`.
const PIN_HEADER: &str = "\
# The spec the committed clerk-sdk is generated from, written by `cargo xtask regen --api-version`.
# regen reads <path> in the specs folder (see README), or downloads <url> into target/specs/,
# and refuses a file whose sha256 differs. The changelog's Unreleased section is the API diff
# from baseline_api_version (the last release) to api_version. The webhooks_* keys pin the
# webhooks document the typed webhook events are generated from.
";

/// Reads and parses a TOML file.
fn read_toml<T: serde::de::DeserializeOwned>(file: &Path) -> Result<T> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    toml::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))
}

/// Where upstream serves the pinned files: `<UPSTREAM>/<upstream_commit>/<upstream_path>`.
pub const UPSTREAM: &str = "https://raw.githubusercontent.com/clerk/openapi-specs";

impl Source {
    /// Where upstream serves this file.
    pub fn url(&self) -> String {
        self.url_at(UPSTREAM)
    }

    /// Where a server laid out like upstream (`base`, e.g. a mirror) serves this file.
    pub fn url_at(&self, base: &str) -> String {
        format!("{}/{}/{}", base.trim_end_matches('/'), self.upstream_commit, self.upstream_path)
    }

    /// Fails unless `file` has the pinned sha256.
    pub fn verify(&self, file: &Path) -> Result {
        let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
        self.verify_bytes(&file.display().to_string(), &bytes)
    }

    /// Fails unless `bytes` (from `origin`, a file or URL) have the pinned sha256.
    pub fn verify_bytes(&self, origin: &str, bytes: &[u8]) -> Result {
        let actual = sha256_hex(bytes);
        if actual != self.sha256 {
            return Err(format!(
                "{origin} has sha256 {actual}, but the pin says {}: refusing to generate from an unpinned spec",
                self.sha256
            ));
        }
        Ok(())
    }
}

impl Pin {
    /// Reads `spec/clerk.toml` below `root`.
    pub fn read(root: &Path) -> Result<Self> {
        let file: PinFile = read_toml(&root.join("spec/clerk.toml"))?;
        Ok(Pin {
            source: Source {
                api_version: file.api_version,
                snapshot: file.snapshot,
                path: file.path,
                upstream_path: file.upstream_path,
                upstream_commit: file.upstream_commit,
                sha256: file.sha256,
            },
            webhooks: Source {
                api_version: "webhooks".into(),
                snapshot: String::new(),
                path: file.webhooks_path,
                upstream_path: file.webhooks_upstream_path,
                upstream_commit: file.webhooks_upstream_commit,
                sha256: file.webhooks_sha256,
            },
            crate_version: file.crate_version,
            baseline_api_version: file.baseline_api_version,
        })
    }

    /// Writes the pin in its one canonical form, so that switching versions and back
    /// restores the file byte for byte.
    pub fn write(&self, root: &Path) -> Result {
        let (s, w) = (&self.source, &self.webhooks);
        let file = PinFile {
            api_version: s.api_version.clone(),
            snapshot: s.snapshot.clone(),
            path: s.path.clone(),
            upstream_path: s.upstream_path.clone(),
            upstream_commit: s.upstream_commit.clone(),
            url: s.url(),
            sha256: s.sha256.clone(),
            crate_version: self.crate_version.clone(),
            baseline_api_version: self.baseline_api_version.clone(),
            webhooks_path: w.path.clone(),
            webhooks_upstream_path: w.upstream_path.clone(),
            webhooks_upstream_commit: w.upstream_commit.clone(),
            webhooks_sha256: w.sha256.clone(),
        };
        let text = toml::to_string(&file).map_err(|e| e.to_string())?;
        let path = root.join("spec/clerk.toml");
        std::fs::write(&path, format!("{PIN_HEADER}{text}")).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// Every version in `spec/versions.toml`.
pub fn versions(root: &Path) -> Result<BTreeMap<String, Source>> {
    let mut versions: BTreeMap<String, Source> = read_toml(&root.join("spec/versions.toml"))?;
    for (name, source) in &mut versions {
        source.api_version.clone_from(name);
    }
    Ok(versions)
}
/// The source of an API version named in `spec/versions.toml`.
pub fn version(root: &Path, api_version: &str) -> Result<Source> {
    let mut all = versions(root)?;
    let known = all.keys().cloned().collect::<Vec<_>>().join(", ");
    all.remove(api_version).ok_or_else(|| format!("unknown API version {api_version}; spec/versions.toml has {known}"))
}

/// Every pinned file: each version of `spec/versions.toml`, and the webhooks document.
pub fn all(root: &Path) -> Result<Vec<Source>> {
    let mut all: Vec<Source> = versions(root)?.into_values().collect();
    all.push(Pin::read(root)?.webhooks);
    Ok(all)
}

/// Hex sha256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrong_hash_is_a_clear_error() {
        let dir = std::env::temp_dir().join(format!("pin-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("spec.yml"), "openapi: 3.0.3\n").unwrap();
        let source = Source {
            api_version: "x".into(),
            snapshot: "s".into(),
            path: "spec.yml".into(),
            upstream_path: "bapi/x.yml".into(),
            upstream_commit: "abc".into(),
            sha256: "0".repeat(64),
        };
        let err = source.verify(&dir.join("spec.yml")).unwrap_err();
        assert!(err.contains("refusing to generate from an unpinned spec") && err.contains(&"0".repeat(64)), "{err}");
        let good = Source { sha256: sha256_hex(b"openapi: 3.0.3\n"), ..source };
        assert!(good.verify(&dir.join("spec.yml")).is_ok());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_misspelt_key_in_versions_is_an_error() {
        let text = "[2026-05-12]\nsnapshot = \"s\"\npath = \"p\"\nupstream_path = \"u\"\nupstream_commit = \"c\"\nsha265 = \"0\"\n";
        let err = toml::from_str::<BTreeMap<String, Source>>(text).unwrap_err().to_string();
        assert!(err.contains("sha265"), "{err}");
    }

    #[test]
    fn the_committed_pin_is_in_canonical_form_and_listed_in_versions() {
        let root = crate::root();
        let pin = Pin::read(&root).unwrap();
        let dir = std::env::temp_dir().join(format!("pin-canonical-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("spec")).unwrap();
        pin.write(&dir).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.join("spec/clerk.toml")).unwrap(),
            std::fs::read_to_string(root.join("spec/clerk.toml")).unwrap()
        );
        assert_eq!(version(&root, &pin.source.api_version).unwrap(), pin.source);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
