//! Broken specs give an error that names the file, the JSON pointer and (where the node
//! exists) the line, and exit with code 1; never a panic.

use std::path::Path;
use std::process::Command;

/// (fixture, text the error must contain: location and cause)
const CASES: &[(&str, &[&str])] = &[
    ("dangling-ref.yaml", &[":10:9 ", "#/components/schemas/User/properties/organization", "does not exist"]),
    ("duplicate-key.yaml", &[":11:7 ", "#/components/schemas/User/additionalProperties", "duplicate key"]),
    ("wrong-type.yaml", &[":7:7 ", "#/paths/~1users/get/responses", "invalid type: sequence"]),
    ("missing-info.yaml", &["missing `info`"]),
    ("missing-openapi.yaml", &["missing `openapi`"]),
    ("openapi-32.yaml", &[":1:1 ", "#/openapi", "3.2.0 is not supported"]),
    (
        "dangling-pointer.yaml",
        &[":12:9 ", "#/components/schemas/Pet/properties/tag", "Tag/allOf/3` points to a schema that does not exist"],
    ),
    ("pointer-cycle.yaml", &[":12:11 ", "#/components/schemas/A/properties/y/items", "refers to itself"]),
    ("duplicate-key.json", &[":8:12 ", "#/components/schemas/User", "duplicate key `User`"]),
    ("cyclic-allof.yaml", &[":8:11 ", "#/components/schemas/A/allOf/0", "cyclic `allOf`"]),
    ("ref-cycle.yaml", &[":6:5 ", "#/components/schemas/A", "refers to itself"]),
    ("truncated.yaml", &[":8:1", "not valid YAML"]),
    ("not-yaml.yaml", &["not UTF-8"]),
];

#[test]
fn bad_specs_fail_with_a_location_and_exit_code_1() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/fixtures/bad");
    let fixtures = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(fixtures, CASES.len(), "every bad fixture has a case here");
    let out = std::env::temp_dir().join(format!("clerk-codegen-bad-{}", std::process::id()));
    for (file, expected) in CASES {
        let spec = dir.join(file);
        let output = Command::new(env!("CARGO_BIN_EXE_clerk-codegen"))
            .args(["generate", "--out"])
            .arg(&out)
            .arg("--spec")
            .arg(&spec)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{file}: {stderr}");
        assert!(!stderr.contains("panicked"), "{file}: {stderr}");
        assert!(stderr.starts_with("error: ") && stderr.contains(&*spec.to_string_lossy()), "{file}: {stderr}");
        for needle in *expected {
            assert!(stderr.contains(needle), "{file}: expected {needle:?} in:\n{stderr}");
        }
        assert!(!out.exists(), "{file}: nothing may be written for a bad spec");
    }
}

#[test]
fn a_missing_file_is_an_error_not_a_panic() {
    let output = Command::new(env!("CARGO_BIN_EXE_clerk-codegen"))
        .args(["generate", "--spec", "/nonexistent/spec.yaml", "--out", "/nonexistent/out"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("/nonexistent/spec.yaml: cannot read"), "{stderr}");
}
