//! `cargo xtask test`: every check CI runs, in order.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::process::cargo;
use crate::regen::regen;
use crate::{Result, fmt, pin, prism, spec_check, specs, tree};

/// Runs every step, stopping at the first failure.
pub fn test(root: &Path) -> Result {
    let started = Instant::now();
    let specs = specs::dir(root)?;
    eprintln!("==> specs from {}", specs.display());
    let specs = specs.to_str().ok_or("the path of the specs folder is not UTF-8")?;
    let webhooks = webhooks_json(root)?;
    let webhooks = webhooks.to_str().ok_or("the path of the target folder is not UTF-8")?;
    let steps: &[(&str, &dyn Fn() -> Result)] = &[
        ("rustfmt --check, hand-written files", &|| fmt::check(root)),
        ("regen --check", &|| regen(root, true, None, None)),
        ("clippy", &|| clippy(&["--workspace", "--all-targets", "--features", "clerk-sdk/axum,clerk-sdk/testing"])),
        ("clippy, clerk-sdk with tracing", &|| clippy(&["-p", "clerk-sdk", "--features", "tracing", "--all-targets"])),
        ("clippy, clerk-sdk with auth only, webhook verification only, and no feature", &|| {
            ["rustls,auth", "webhook-verification", ""]
                .into_iter()
                .try_for_each(|features| clippy(&["-p", "clerk-sdk", "--no-default-features", "--features", features]))
        }),
        ("clippy, clerk-sdk with each resource group alone", &|| {
            resource_groups(root)?.iter().try_for_each(|group| {
                clippy(&["-p", "clerk-sdk", "--no-default-features", "--features", &format!("rustls,{group}")])
            })
        }),
        // The workspace steps build the runtime crate with its default features, which are
        // all of them; this one builds it with none.
        ("clippy, clerk-runtime with no feature", &|| {
            clippy(&["-p", "clerk-runtime", "--no-default-features", "--all-targets"])
        }),
        ("check, clerk-sdk with native-tls instead of rustls", &|| {
            cargo(&["check", "-p", "clerk-sdk", "--no-default-features", "--features", "native-tls", "--quiet"], &[])
        }),
        ("tests", &|| {
            cargo(
                &["test", "--workspace", "--features", "clerk-sdk/axum,clerk-sdk/testing", "--quiet"],
                &[("CLERK_SPECS_DIR", specs), ("CLERK_WEBHOOKS_JSON", webhooks)],
            )
        }),
        // Run again, uncaptured, for their case counts (a few seconds; already built).
        ("property tests, with their case counts", &|| {
            cargo(
                &[
                    "test",
                    "--workspace",
                    "--features",
                    "clerk-sdk/axum,clerk-sdk/testing",
                    "--quiet",
                    "--test",
                    "robustness",
                    "--",
                    "--nocapture",
                ],
                &[],
            )
        }),
        ("docs", &|| cargo(&["doc", "--workspace", "--no-deps", "--quiet"], &[("RUSTDOCFLAGS", "-D warnings")])),
        ("every spec and golden fixture compiles", &|| spec_check::check_all(root)),
        ("every operation against Prism", &|| prism::run(root)),
        ("switching the API version and back leaves no trace", &|| switch_round_trip(root)),
    ];
    for (name, step) in steps {
        let t = Instant::now();
        eprintln!("==> {name}");
        step()?;
        eprintln!("    {name}: ok ({:.1?})", t.elapsed());
    }
    eprintln!("all checks passed in {:.0?}", started.elapsed());
    Ok(())
}

/// Writes the pinned webhooks document as JSON to `target/webhooks.json`, for the SDK's
/// webhook example test (`$CLERK_WEBHOOKS_JSON`): the SDK has no YAML parser.
fn webhooks_json(root: &Path) -> Result<PathBuf> {
    let spec = specs::resolve(&pin::Pin::read(root)?.webhooks)?;
    let text = std::fs::read_to_string(&spec).map_err(|e| format!("{}: {e}", spec.display()))?;
    let doc = clerk_codegen::load::yaml::parse(&text).map_err(|e| e.to_string())?;
    let file = root.join("target/webhooks.json");
    std::fs::create_dir_all(root.join("target")).map_err(|e| format!("{}: {e}", root.display()))?;
    std::fs::write(&file, serde_json::to_string(&doc).map_err(|e| e.to_string())?)
        .map_err(|e| format!("{}: {e}", file.display()))?;
    Ok(file)
}

/// `cargo clippy ARGS` with warnings denied.
/// The resource group features of clerk-sdk.
fn resource_groups(root: &Path) -> Result<Vec<String>> {
    let path = root.join("generated-sdk/Cargo.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let groups = spec_check::resource_groups(&text)?;
    if groups.is_empty() {
        return Err(format!("{} has no resource group features", path.display()));
    }
    Ok(groups)
}

fn clippy(args: &[&str]) -> Result {
    cargo(&[&["clippy"], args, &["--quiet", "--", "-D", "warnings"]].concat(), &[])
}

/// Switches a copy of the project to another API version and back, and checks that the
/// copy is byte for byte what it was.
fn switch_round_trip(root: &Path) -> Result {
    let work = root.join("target/switch-check");
    let _ = std::fs::remove_dir_all(&work);
    for dir in ["spec", "generated-sdk"] {
        tree::copy_dir(&root.join(dir), &work.join(dir)).map_err(|e| e.to_string())?;
    }
    let pin = pin::Pin::read(root)?;
    let versions = pin::versions(root)?;
    let other = &other_version(versions.keys().map(String::as_str), &pin.source.api_version)
        .ok_or("spec/versions.toml lists no other version to switch to")?;
    regen(&work, false, None, Some(other))?;
    let switched = std::fs::read_to_string(work.join("generated-sdk/src/lib.rs")).map_err(|e| e.to_string())?;
    if !switched.contains(&format!("\"{other}\"")) {
        return Err(format!("switching to {other} did not change the generated crate"));
    }
    regen(&work, false, None, Some(&pin.source.api_version))?;
    let mut differences = Vec::new();
    for dir in ["spec", "generated-sdk"] {
        tree::compare_dirs(&root.join(dir), &work.join(dir), dir, &mut differences).map_err(|e| e.to_string())?;
    }
    if !differences.is_empty() {
        return Err(format!("switching to {other} and back changed: {}", differences.join(", ")));
    }
    eprintln!("    switched a copy to {other} and back: no trace");
    Ok(())
}

/// The version a switch round trip goes to: the one whose name sorts just before `current`
/// (the previous dated release), else just after it.
fn other_version<'a>(versions: impl IntoIterator<Item = &'a str> + Clone, current: &str) -> Option<String> {
    let before = versions.clone().into_iter().filter(|v| *v < current).max();
    let after = || versions.into_iter().filter(|v| *v > current).min();
    before.or_else(after).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_switch_goes_to_the_previous_version_or_else_the_next() {
        let versions = ["2025-04-10", "2026-05-12", "2025-11-10", "v1-2024-10-01"];
        assert_eq!(other_version(versions, "2026-05-12").as_deref(), Some("2025-11-10"));
        assert_eq!(other_version(versions, "2025-04-10").as_deref(), Some("2025-11-10"));
        assert_eq!(other_version(["2025-04-10"], "2025-04-10"), None);
    }
}
