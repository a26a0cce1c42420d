//! `spec/clerk.toml` (which spec the SDK is generated from) and `spec/versions.toml`
//! (every version it can switch to), and getting a pinned file with its hash checked.

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Result;

/// A spec file that can be pinned.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    pub api_version: String,
    pub snapshot: String,
    pub path: String,
    pub upstream_path: String,
    pub upstream_commit: String,
    pub sha256: String,
}

/// The pin: the current source, the crate version, and the API version of the last release
/// (the baseline the changelog's Unreleased section is computed from).
#[derive(Debug, Clone, PartialEq)]
pub struct Pin {
    pub source: Source,
    /// The webhooks document the typed webhook events come from.
    pub webhooks: Source,
    pub crate_version: String,
    pub baseline_api_version: String,
}

/// Flat `key = "value"` lines under optional `[section]` headers, `#` comments.
fn read_sections(file: &Path) -> Result<BTreeMap<String, BTreeMap<String, String>>> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let mut sections: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut current = String::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = name.trim().to_owned();
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .and_then(|(k, v)| Some((k.trim(), v.trim().strip_prefix('"')?.strip_suffix('"')?)))
            .ok_or_else(|| format!("{}:{}: expected `key = \"value\"`", file.display(), n + 1))?;
        sections.entry(current.clone()).or_default().insert(key.to_owned(), value.to_owned());
    }
    Ok(sections)
}

fn take(values: &mut BTreeMap<String, String>, key: &str, file: &Path) -> Result<String> {
    values.remove(key).ok_or_else(|| format!("{}: missing `{key}`", file.display()))
}

fn source(api_version: String, values: &mut BTreeMap<String, String>, file: &Path) -> Result<Source> {
    Ok(Source {
        api_version,
        snapshot: take(values, "snapshot", file)?,
        path: take(values, "path", file)?,
        upstream_path: take(values, "upstream_path", file)?,
        upstream_commit: take(values, "upstream_commit", file)?,
        sha256: take(values, "sha256", file)?,
    })
}

impl Source {
    /// Where upstream serves this file.
    pub fn url(&self) -> String {
        format!("https://raw.githubusercontent.com/clerk/openapi-specs/{}/{}", self.upstream_commit, self.upstream_path)
    }

    /// The local path of the file: from `$CLERK_SPECS_DIR`, else a verified download cached
    /// in `target/specs/`. Either way the sha256 must match.
    pub fn resolve(&self, root: &Path) -> Result<PathBuf> {
        if let Some(dir) = specs_dir() {
            let file = dir.join(&self.path);
            if file.exists() {
                self.verify(&file)?;
                return Ok(file);
            }
        }
        let cached = root.join("target/specs").join(&self.path);
        if !cached.exists() || self.verify(&cached).is_err() {
            download(&self.url(), &cached)?;
        }
        self.verify(&cached)?;
        Ok(cached)
    }

    fn verify(&self, file: &Path) -> Result {
        let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let actual = sha256_hex(&bytes);
        if actual != self.sha256 {
            return Err(format!(
                "{} has sha256 {actual}, but the pin says {}: refusing to generate from an unpinned spec",
                file.display(),
                self.sha256
            ));
        }
        Ok(())
    }
}

impl Pin {
    pub fn read(root: &Path) -> Result<Self> {
        let file = root.join("spec/clerk.toml");
        let mut sections = read_sections(&file)?;
        let mut values = sections.remove("").unwrap_or_default();
        let api_version = take(&mut values, "api_version", &file)?;
        let webhooks = Source {
            api_version: "webhooks".into(),
            snapshot: String::new(),
            path: take(&mut values, "webhooks_path", &file)?,
            upstream_path: take(&mut values, "webhooks_upstream_path", &file)?,
            upstream_commit: take(&mut values, "webhooks_upstream_commit", &file)?,
            sha256: take(&mut values, "webhooks_sha256", &file)?,
        };
        Ok(Pin {
            webhooks,
            crate_version: take(&mut values, "crate_version", &file)?,
            baseline_api_version: take(&mut values, "baseline_api_version", &file)?,
            source: source(api_version, &mut values, &file)?,
        })
    }

    /// Writes the pin in its one canonical form, so that switching versions and back
    /// restores the file byte for byte.
    pub fn write(&self, root: &Path) -> Result {
        let s = &self.source;
        let text = format!(
            "# The spec the committed clerk-sdk is generated from, written by `cargo xtask regen --api-version`.\n\
             # regen reads it from $CLERK_SPECS_DIR/<path>, or downloads <url> into target/specs/, and\n\
             # refuses a file whose sha256 differs. The changelog's Unreleased section is the API diff\n\
             # from baseline_api_version (the last release) to api_version.\n\
             api_version = \"{}\"\nsnapshot = \"{}\"\npath = \"{}\"\nupstream_path = \"{}\"\nupstream_commit = \"{}\"\n\
             url = \"{}\"\nsha256 = \"{}\"\ncrate_version = \"{}\"\nbaseline_api_version = \"{}\"\n\
             # The webhooks document the typed webhook events are generated from.\n\
             webhooks_path = \"{}\"\nwebhooks_upstream_path = \"{}\"\nwebhooks_upstream_commit = \"{}\"\nwebhooks_sha256 = \"{}\"\n",
            s.api_version,
            s.snapshot,
            s.path,
            s.upstream_path,
            s.upstream_commit,
            s.url(),
            s.sha256,
            self.crate_version,
            self.baseline_api_version,
            self.webhooks.path,
            self.webhooks.upstream_path,
            self.webhooks.upstream_commit,
            self.webhooks.sha256
        );
        let file = root.join("spec/clerk.toml");
        std::fs::write(&file, text).map_err(|e| format!("{}: {e}", file.display()))
    }
}

/// Every version in `spec/versions.toml`.
pub fn versions(root: &Path) -> Result<BTreeMap<String, Source>> {
    let file = root.join("spec/versions.toml");
    let mut out = BTreeMap::new();
    for (name, mut values) in read_sections(&file)? {
        if name.is_empty() {
            continue;
        }
        out.insert(name.clone(), source(name, &mut values, &file)?);
    }
    Ok(out)
}

/// The source of an API version named in `spec/versions.toml`.
pub fn version(root: &Path, api_version: &str) -> Result<Source> {
    let mut all = versions(root)?;
    let known = all.keys().cloned().collect::<Vec<_>>().join(", ");
    all.remove(api_version).ok_or_else(|| format!("unknown API version {api_version}; spec/versions.toml has {known}"))
}

/// Hex sha256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// `$CLERK_SPECS_DIR`, or `../shared/specs/clerk` next to the checkout when it exists.
pub fn specs_dir() -> Option<PathBuf> {
    match std::env::var_os("CLERK_SPECS_DIR") {
        Some(dir) => Some(PathBuf::from(dir)),
        None => Some(crate::root().join("../shared/specs/clerk")).filter(|d| d.is_dir()),
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
