//! A document generates the same SDK however it is written: Clerk's Backend API as YAML,
//! as JSON, and as OpenAPI 3.1 (converted here, the way 3.1 documents say the same
//! things) all give the same IR and the same files. And what a 3.1 document says that 3.0
//! cannot is reported with its location.

mod common;
use common::specs_dir;

use clerk_codegen::load::{Spec, yaml};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// A scratch folder for this test binary, emptied first.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("clerk-any-document-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn generate(spec: &Path) -> Vec<clerk_codegen::emit::File> {
    let options = clerk_codegen::emit::Options::default();
    clerk_codegen::generate(spec, &[], &Default::default(), &options).unwrap_or_else(|e| panic!("{e}"))
}

fn ir(spec: &Path) -> String {
    let spec = Spec::from_file(spec, &[]).unwrap_or_else(|e| panic!("{e}"));
    let api = clerk_codegen::ir::build(&spec).unwrap_or_else(|e| panic!("{e}"));
    assert!(api.warnings.is_empty(), "{}: {:?}", spec.path.display(), api.warnings);
    format!("{:#?}", api)
}

/// Rewrites an OpenAPI 3.0 document the way 3.1 says the same things: `nullable` as a
/// `"null"` type or an `anyOf` member, `example` as `examples`, boolean exclusive bounds
/// as numbers, `x-webhooks` as `webhooks`.
fn to_openapi_31(doc: &mut Value) {
    doc["openapi"] = json!("3.1.0");
    if let Some(webhooks) = doc.as_object_mut().and_then(|d| d.shift_remove("x-webhooks")) {
        doc["webhooks"] = webhooks;
    }
    walk(doc, false);
}

fn walk(node: &mut Value, is_schema: bool) {
    match node {
        Value::Array(items) => items.iter_mut().for_each(|i| walk(i, false)),
        Value::Object(map) => {
            if is_schema {
                schema_to_31(map);
            }
            for (key, child) in map.iter_mut() {
                match key.as_str() {
                    k if k.starts_with("x-") => {}
                    "example" | "examples" | "default" | "enum" => {}
                    "schema" | "items" | "additionalProperties" | "not" => walk(child, true),
                    "allOf" | "oneOf" | "anyOf" if is_schema => {
                        child.as_array_mut().into_iter().flatten().for_each(|s| walk(s, true));
                    }
                    "properties" if is_schema => {
                        child.as_object_mut().into_iter().flatten().for_each(|(_, s)| walk(s, true))
                    }
                    "schemas" => child.as_object_mut().into_iter().flatten().for_each(|(_, s)| walk(s, true)),
                    _ => walk(child, false),
                }
            }
        }
        _ => {}
    }
}

fn schema_to_31(map: &mut serde_json::Map<String, Value>) {
    if let Some(example) = map.shift_remove("example") {
        map.insert("examples".into(), json!([example]));
    }
    for (exclusive, bound) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
        if map.get(exclusive) == Some(&json!(true)) {
            let limit = map.shift_remove(bound).unwrap_or_default();
            map.insert(exclusive.into(), limit);
        } else if map.get(exclusive) == Some(&json!(false)) {
            map.shift_remove(exclusive);
        }
    }
    if map.shift_remove("nullable") != Some(json!(true)) {
        return;
    }
    match map.get("type").cloned() {
        Some(Value::String(t)) => {
            map.insert("type".into(), json!([t, "null"]));
        }
        _ => match map.shift_remove("allOf") {
            // A nullable reference: one of the schema and null.
            Some(Value::Array(parts)) if parts.len() == 1 => {
                map.insert("anyOf".into(), json!([parts[0], {"type": "null"}]));
            }
            Some(parts) => {
                map.insert("anyOf".into(), json!([{"allOf": parts}, {"type": "null"}]));
            }
            // Any value or null.
            None => {
                map.insert("anyOf".into(), json!([{}, {"type": "null"}]));
            }
        },
    }
}

#[test]
fn a_clerk_document_as_json_and_as_openapi_3_1_generates_the_same_sdk() {
    let original = specs_dir().join("2026-08-14/bapi/2026-05-12.yml");
    let doc = yaml::parse(&std::fs::read_to_string(&original).unwrap()).unwrap();
    let dir = scratch("clerk");
    let as_json = dir.join("2026-05-12.json");
    std::fs::write(&as_json, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    let mut doc_31 = doc.clone();
    to_openapi_31(&mut doc_31);
    let text_31 = serde_json::to_string(&doc_31).unwrap();
    assert!(text_31.contains(r#""type":["string","null"]"#) && text_31.contains(r#"{"type":"null"}"#));
    let as_31 = dir.join("2026-05-12-openapi-3.1.json");
    std::fs::write(&as_31, serde_json::to_string_pretty(&doc_31).unwrap()).unwrap();

    let expected_ir = ir(&original);
    assert!(expected_ir == ir(&as_json), "the JSON document's IR differs from the YAML document's");
    assert!(expected_ir == ir(&as_31), "the OpenAPI 3.1 document's IR differs from the 3.0 document's");

    // `regen --check`: the crate generated from the YAML is up to date with the others.
    let sdk = dir.join("sdk");
    clerk_codegen::write::write(&sdk, &generate(&original)).unwrap();
    for converted in [&as_json, &as_31] {
        let report = clerk_codegen::write::check(&sdk, &generate(converted)).unwrap();
        assert!(report.is_clean(), "{} generates another SDK:\n{}", converted.display(), report.diff);
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_json_document_reports_errors_at_its_own_lines() {
    let dir = scratch("json-errors");
    let spec = dir.join("bad.json");
    std::fs::write(
        &spec,
        "{\n  \"openapi\": \"3.0.3\",\n  \"info\": {\"title\": \"t\", \"version\": \"1\"},\n  \"paths\": {},\n  \
         \"components\": {\"schemas\": {\n    \"A\": {\"$ref\": \"#/components/schemas/Missing\"}\n  }}\n}\n",
    )
    .unwrap();
    let error = Spec::from_file(&spec, &[]).and_then(|s| clerk_codegen::ir::build(&s).map(drop)).unwrap_err();
    let error = error.to_string();
    assert!(error.contains("bad.json:6:5 at #/components/schemas/A"), "{error}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn openapi_3_1_constructs_without_a_3_0_equivalent_are_warnings_at_their_lines() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/fixtures/openapi31.yaml");
    let api = clerk_codegen::load_api(&fixture, &[], &Default::default()).unwrap_or_else(|e| panic!("{e}"));
    let warnings: Vec<String> = api
        .warnings
        .iter()
        .map(|w| format!("{}:{} {} {}", w.line.unwrap_or(0), w.column.unwrap_or(0), w.pointer, w.message))
        .collect();
    let expected = [
        (
            "/webhooks/item.created/post/requestBody/content/application~1json/schema/properties/labels/propertyNames",
            "`propertyNames` has no OpenAPI 3.0 equivalent",
        ),
        ("/components/schemas/Item/properties/dimensions/prefixItems", "`prefixItems` has no OpenAPI 3.0 equivalent"),
        ("/components/schemas/Item/properties/metadata/if", "`if` has no OpenAPI 3.0 equivalent"),
        ("/components/schemas/Item/properties/metadata/then", "`then` has no OpenAPI 3.0 equivalent"),
    ];
    assert_eq!(warnings.len(), expected.len(), "{warnings:#?}");
    for (warning, (pointer, message)) in warnings.iter().zip(expected) {
        assert!(warning.contains(pointer) && warning.contains(message), "{warning}");
        assert!(!warning.starts_with("0:"), "no line: {warning}");
    }
}

/// Excerpts of other vendors' documents (`spec/public/`, see its README): each generates,
/// and warns only where the document says what OpenAPI 3.0 cannot (`cargo xtask test`
/// compiles their crates).
#[test]
fn excerpts_of_other_vendors_documents_generate_and_warn_only_where_expected() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/public");
    let expected_warnings = [
        ("box.json", 0),
        ("discord.json", 0),
        ("museum.yaml", 0),
        ("openai.yaml", 3),
        ("resend.yaml", 0),
        ("twilio.json", 0),
    ];
    let mut found: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json") || n.ends_with(".yaml"))
        .collect();
    found.sort();
    assert_eq!(found, expected_warnings.map(|(n, _)| n.to_owned()), "every excerpt has a case here");
    for (name, warnings) in expected_warnings {
        let api = clerk_codegen::load_api(&dir.join(name), &[], &Default::default()).unwrap_or_else(|e| panic!("{e}"));
        assert!(!api.operations.is_empty(), "{name}");
        assert_eq!(api.warnings.len(), warnings, "{name}: {:#?}", api.warnings);
        clerk_codegen::generate(&dir.join(name), &[], &Default::default(), &Default::default())
            .unwrap_or_else(|e| panic!("{e}"));
    }
}
