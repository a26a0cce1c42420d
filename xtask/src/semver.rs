//! `cargo xtask api-diff OLD NEW --semver-checks`: the generator's own classification of
//! the changes between two API versions ([`clerk_codegen::diff`]) checked against
//! cargo-semver-checks run on the two crates generated from them.
//!
//! Both crates are generated exactly as `regen` generates `clerk-sdk` (same names, overlays
//! and webhook types), each in its own throwaway workspace under `target/semver/`, with the
//! same crate version, so cargo-semver-checks reports every change that needs a major
//! version. The two agree when every breaking change the diff reports is an item
//! cargo-semver-checks flags, and every item cargo-semver-checks flags is explained by a
//! breaking change of the diff.

use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use clerk_codegen::diff::{Change, How};

use crate::Result;
use crate::process::cargo_bin;

/// The cargo-semver-checks this command installs and runs (its rustdoc JSON format must
/// match the toolchain's).
pub const VERSION: &str = "0.51.0";

/// One failed cargo-semver-checks lint and the items it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The lint, e.g. `struct_pub_field_missing`.
    pub lint: String,
    /// Each place it failed, e.g. `field public_metadata of struct UpdateUserRequest, previously in file …`.
    pub instances: Vec<String>,
}

/// Generates the two crates, runs cargo-semver-checks and prints whether it agrees with
/// `changes`; an error when they disagree.
pub fn check(root: &Path, old_spec: &str, new_spec: &str, changes: &[Change]) -> Result {
    let tool = install(root)?;
    let work = root.join("target/semver");
    let old = generate(root, old_spec, &work.join("old"))?;
    let new = generate(root, new_spec, &work.join("new"))?;
    let output = Command::new(&tool)
        .args(["semver-checks", "check-release", "--all-features", "--release-type", "minor"])
        .arg("--manifest-path")
        .arg(new.join("Cargo.toml"))
        .arg("--baseline-root")
        .arg(&old)
        .env("CARGO_TARGET_DIR", root.join("target/semver-target"))
        .output()
        .map_err(|e| format!("cannot run {}: {e}", tool.display()))?;
    let text = format!("{}\n{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    let findings = findings(&text);
    if findings.is_empty() && !output.status.success() {
        return Err(format!("cargo-semver-checks failed without a finding:\n{text}"));
    }
    let report = compare(changes, &findings);
    print!("{}", report.render());
    if report.agrees() { Ok(()) } else { Err("api-diff and cargo-semver-checks disagree (see above)".into()) }
}

/// `target/tools/bin/cargo-semver-checks` at [`VERSION`], installed there first if needed.
fn install(root: &Path) -> Result<PathBuf> {
    let tools = root.join("target/tools");
    let bin = tools.join("bin/cargo-semver-checks");
    let installed = Command::new(&bin)
        .args(["semver-checks", "--version"])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).split_whitespace().any(|w| w == VERSION));
    if installed {
        return Ok(bin);
    }
    eprintln!("    installing cargo-semver-checks {VERSION} into {}", tools.display());
    let status = Command::new(cargo_bin())
        .args(["install", "--locked", "--quiet", "cargo-semver-checks", "--version", VERSION, "--root"])
        .arg(&tools)
        .arg("--target-dir")
        .arg(root.join("target/tools-build"))
        .status()
        .map_err(|e| e.to_string())?;
    if status.success() { Ok(bin) } else { Err(format!("cannot install cargo-semver-checks {VERSION}")) }
}

/// Generates `clerk-sdk` from `spec` into `dir` as its own workspace, with the workspace's
/// lock file; returns `dir`.
fn generate(root: &Path, spec: &str, dir: &Path) -> Result<PathBuf> {
    let _ = std::fs::remove_dir_all(dir);
    let files = crate::regen::sdk_from(root, spec, "1.0.0")?;
    clerk_codegen::write::write(dir, &files).map_err(|e| e.to_string())?;
    let manifest = dir.join("Cargo.toml");
    let mut text = std::fs::read_to_string(&manifest).map_err(|e| e.to_string())?;
    text.push_str("\n[workspace]\n");
    std::fs::write(&manifest, text).map_err(|e| e.to_string())?;
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).map_err(|e| e.to_string())?;
    Ok(dir.to_path_buf())
}

/// The failed lints in cargo-semver-checks' report: each `--- failure LINT: … ---` block and
/// the lines of its `Failed in:` list.
pub fn findings(report: &str) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    let mut listing = false;
    for line in report.lines() {
        if let Some(rest) = line.trim().strip_prefix("--- failure ") {
            let lint = rest.split(':').next().unwrap_or(rest).trim().to_owned();
            out.push(Finding { lint, instances: Vec::new() });
            listing = false;
        } else if line.trim() == "Failed in:" {
            listing = true;
        } else if listing && line.trim().is_empty() {
            listing = false;
        } else if listing && let Some(finding) = out.last_mut() {
            finding.instances.push(line.trim().to_owned());
        }
    }
    out
}

/// The identifiers a text names in backticks or as Rust paths: `UpdateUserRequest.public_metadata`
/// and `clerk_sdk::models::UpdateUserRequest` both give their segments.
fn identifiers(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| w.len() > 1 && w.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_'))
        .map(str::to_owned)
        .collect()
}

/// The words of a cargo-semver-checks instance that name the changed item: everything before
/// its source location.
fn item_words(instance: &str) -> BTreeSet<String> {
    let item = instance.split(", previously in file").next().unwrap_or(instance);
    let item = item.split(" in file ").next().unwrap_or(item);
    identifiers(item)
}

/// How the diff's breaking changes and cargo-semver-checks' findings match up.
#[derive(Debug, Default)]
pub struct Comparison {
    /// Breaking changes of the diff.
    pub breaking: usize,
    /// Changes of the diff.
    pub changes: usize,
    /// Instances cargo-semver-checks reports.
    pub instances: usize,
    /// Lints that failed.
    pub lints: Vec<(String, usize)>,
    /// Breaking type changes no finding names: cargo-semver-checks has no lint for a
    /// field's, argument's or return value's type changing.
    pub type_changes: Vec<String>,
    /// Other breaking changes no finding names.
    pub unconfirmed: Vec<String>,
    /// Findings no breaking change explains.
    pub unexplained: Vec<String>,
}

impl Comparison {
    /// Whether both sides classify every change the same way: every finding is a breaking
    /// change of the diff, and every breaking change of the diff that cargo-semver-checks can
    /// see is a finding.
    pub fn agrees(&self) -> bool {
        self.unconfirmed.is_empty() && self.unexplained.is_empty()
    }

    /// A Markdown summary.
    pub fn render(&self) -> String {
        let mut out = format!(
            "\n## cargo-semver-checks {VERSION} on the two generated crates\n\n\
             | | api-diff | cargo-semver-checks |\n|---|---|---|\n"
        );
        let verdict = |breaking: bool| if breaking { "major version" } else { "minor version" };
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        let _ = writeln!(out, "| verdict | {} | {} |", verdict(self.breaking > 0), verdict(self.instances > 0));
        let _ = writeln!(
            out,
            "| breaking | {} of {} changes | {} in {} |",
            self.breaking,
            self.changes,
            plural(self.instances, "item"),
            plural(self.lints.len(), "lint")
        );
        let seen = self.breaking - self.type_changes.len();
        let _ = writeln!(
            out,
            "| found by the other | {} of {seen} (and {} type changes it has no lint for) | {} of {} |\n",
            seen - self.unconfirmed.len(),
            self.type_changes.len(),
            self.instances - self.unexplained.len(),
            self.instances
        );
        for (lint, count) in &self.lints {
            let _ = writeln!(out, "- `{lint}`: {count}");
        }
        for (heading, list) in [
            ("Type changes, breaking in api-diff, which cargo-semver-checks does not lint", &self.type_changes),
            ("Breaking in api-diff, not flagged by cargo-semver-checks", &self.unconfirmed),
            ("Flagged by cargo-semver-checks, not breaking in api-diff", &self.unexplained),
        ] {
            if !list.is_empty() {
                let _ = writeln!(out, "\n### {heading}\n");
                for item in list {
                    let _ = writeln!(out, "- {item}");
                }
            }
        }
        out.push_str(if self.agrees() { "\nThey agree.\n" } else { "\nThey disagree.\n" });
        out
    }
}

/// Matches each breaking change to the findings that name one of its items, and back: an
/// item matches an instance when every identifier of the item appears in the instance.
pub fn compare(changes: &[Change], findings: &[Finding]) -> Comparison {
    let instances: Vec<(String, BTreeSet<String>)> = findings
        .iter()
        .flat_map(|f| f.instances.iter().map(move |i| (format!("`{}`: {i}", f.lint), item_words(i))))
        .collect();
    let breaking: Vec<(&Change, Vec<BTreeSet<String>>)> =
        changes.iter().filter(|c| c.breaking).map(|c| (c, key_words(c))).collect();
    let matches = |keys: &[BTreeSet<String>], instance: &BTreeSet<String>| keys.iter().any(|k| k.is_subset(instance));
    let (type_changes, unconfirmed): (Vec<&Change>, Vec<&Change>) = breaking
        .iter()
        .filter(|(_, keys)| !instances.iter().any(|(_, i)| matches(keys, i)))
        .map(|(c, _)| *c)
        .partition(|c| c.how == How::Changed);
    let texts = |list: Vec<&Change>| list.into_iter().map(|c| c.text.clone()).collect();
    Comparison {
        breaking: breaking.len(),
        changes: changes.len(),
        instances: instances.len(),
        lints: findings.iter().map(|f| (f.lint.clone(), f.instances.len())).collect(),
        type_changes: texts(type_changes),
        unconfirmed: texts(unconfirmed),
        unexplained: instances
            .iter()
            .filter(|(_, i)| !breaking.iter().any(|(_, keys)| matches(keys, i)))
            .map(|(text, _)| text.clone())
            .collect(),
    }
}

/// The identifier sets of the items a change is about: its [`Change::items`], else the first
/// name in backticks in its text, without a type annotation
/// (`UpdateUserRequest.public_metadata: Nullable<…>` gives `UpdateUserRequest` and
/// `public_metadata`).
fn key_words(change: &Change) -> Vec<BTreeSet<String>> {
    if !change.items.is_empty() {
        return change.items.iter().map(|item| identifiers(item)).collect();
    }
    let first = change.text.split('`').nth(1).unwrap_or_default();
    let item = first.split(':').next().unwrap_or(first);
    let words = identifiers(item);
    vec![if words.is_empty() { identifiers(&change.text) } else { words }]
}

#[cfg(test)]
mod tests {
    use clerk_codegen::diff::Item;

    use super::*;

    const REPORT: &str = "\
     Parsing clerk-sdk v1.0.0 (current)
--- failure struct_pub_field_missing: pub struct's pub field removed or renamed ---

Description:
A publicly-visible struct has at least one public field that is no longer available under its prior name.
        ref: https://doc.rust-lang.org/cargo/reference/semver.html#item-remove
       impl: https://github.com/obi1kenobi/cargo-semver-checks/tree/v0.51.0/src/lints/struct_pub_field_missing.ron

Failed in:
  field public_metadata of struct UpdateUserRequest, previously in file /t/old/src/models/users.rs:12

     Summary semver requires new major version: 1 major and 0 minor checks failed
";

    fn change(breaking: bool, text: &str) -> Change {
        Change { item: Item::Field, how: How::Removed, breaking, text: text.into(), items: Vec::new() }
    }

    #[test]
    fn findings_are_the_failed_lints_and_their_items() {
        let found = findings(REPORT);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].lint, "struct_pub_field_missing");
        assert_eq!(found[0].instances.len(), 1);
        assert!(found[0].instances[0].starts_with("field public_metadata of struct UpdateUserRequest"));
    }

    #[test]
    fn a_removed_field_matches_its_finding() {
        let changes = [
            change(
                true,
                "field `UpdateUserRequest.public_metadata: Nullable<serde_json::Map<String, serde_json::Value>>`",
            ),
            change(false, "type `NewThing`"),
        ];
        let comparison = compare(&changes, &findings(REPORT));
        assert!(comparison.agrees(), "{comparison:?}");
        assert_eq!((comparison.breaking, comparison.instances), (1, 1));
    }

    #[test]
    fn a_breaking_change_without_a_finding_or_a_finding_without_a_change_disagree() {
        let unconfirmed = compare(&[change(true, "field `UpdateUserRequest.private_metadata: X`")], &findings(REPORT));
        assert_eq!(unconfirmed.unconfirmed.len(), 1);
        assert_eq!(unconfirmed.unexplained.len(), 1);
        assert!(!unconfirmed.agrees());
        let unexplained = compare(&[], &findings(REPORT));
        assert_eq!(unexplained.unexplained.len(), 1);
        assert!(!unexplained.agrees());
    }

    #[test]
    fn a_change_is_matched_by_its_items_and_an_unlinted_type_change_is_not_a_disagreement() {
        let removed = Change {
            item: Item::Operation,
            how: How::Removed,
            breaking: true,
            text: "operation `client.users().get_user()`".into(),
            items: vec!["UsersApi::get_user".into(), "GetUser".into()],
        };
        let retyped = Change {
            item: Item::Field,
            how: How::Changed,
            breaking: true,
            text: "field `User.banned`: `Option<bool>` (was `bool`)".into(),
            items: Vec::new(),
        };
        let found = [Finding {
            lint: "struct_missing".into(),
            instances: vec!["struct clerk_sdk::api::users::GetUser, previously in file /x.rs:3".into()],
        }];
        let comparison = compare(&[removed, retyped], &found);
        assert!(comparison.agrees(), "{comparison:?}");
        assert_eq!(comparison.type_changes.len(), 1);
        assert!(comparison.render().contains("They agree."));
    }
}
