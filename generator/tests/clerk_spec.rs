//! The committed `clerk-sdk` covers Clerk's Backend API 2026-05-12: a type for every
//! component schema and for every inline request and response object.

use clerk_codegen::ir::{ResponseBody, TypeKind, TypeRef};
use clerk_codegen::load::Spec;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn specs_dir() -> PathBuf {
    std::env::var_os("CLERK_SPECS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/specs/clerk"))
}

fn committed_sources() -> String {
    fn read(dir: &Path, out: &mut String) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                read(&path, out);
            } else {
                out.push_str(&std::fs::read_to_string(path).unwrap());
            }
        }
    }
    let mut out = String::new();
    read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../generated-sdk/src"), &mut out);
    out
}

#[test]
fn every_schema_and_inline_object_of_2026_05_12_has_a_committed_type() {
    let path = specs_dir().join("2026-08-14/bapi/2026-05-12.yml");
    let overlays = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/overlays/clerk-fixes.yaml")];
    let spec = Spec::from_file(&path, &overlays).unwrap_or_else(|e| panic!("{e}"));
    let api = clerk_codegen::ir::build(&spec).unwrap_or_else(|e| panic!("{e}"));
    let sources = committed_sources();

    // Every IR type is defined in the committed crate.
    for t in &api.types {
        let defined = ["struct", "enum", "type"].iter().any(|kw| sources.contains(&format!("pub {kw} {} ", t.name)));
        assert!(defined, "{} ({}) is not in generated-sdk/src", t.name, t.pointer);
    }

    // Every component schema has its own type.
    let schemas = spec.raw["components"]["schemas"].as_object().unwrap();
    for name in schemas.keys() {
        let pointer = clerk_codegen::error::join("/components/schemas", name);
        assert!(api.types.iter().any(|t| t.pointer == pointer), "no type for {pointer}");
    }
    assert_eq!(schemas.len(), 167);

    // Every inline object in a request body or a success response is a named struct (or
    // a union of them).
    let is_inline_object = |schema: &Value| schema.get("properties").is_some() || schema.get("anyOf").is_some();
    let named = |t: &TypeRef| match t {
        TypeRef::Named(id) => !matches!(api.ty(*id).kind, TypeKind::Alias { .. }),
        TypeRef::Array(inner) => matches!(**inner, TypeRef::Named(_)),
        _ => false,
    };
    let (mut bodies, mut responses) = (0, 0);
    for op in &api.operations {
        let raw_op = spec.raw.pointer(&op.pointer).unwrap();
        let body = ["application~1json", "multipart~1form-data"]
            .iter()
            .find_map(|media| raw_op.pointer(&format!("/requestBody/content/{media}/schema")));
        if let Some(schema) = body {
            if is_inline_object(schema) {
                bodies += 1;
                assert!(named(&op.body.as_ref().unwrap().ty), "{}: request body has no type", op.id);
            }
        }
        if let ResponseBody::Json(t) = &op.response.body {
            let raw = raw_op["responses"][op.response.status.to_string()]["content"]["application/json"]["schema"].clone();
            if is_inline_object(&raw) || raw.get("items").is_some_and(is_inline_object) {
                responses += 1;
                assert!(named(t), "{}: response has no type", op.id);
            }
        }
    }
    assert!(bodies >= 102 && responses >= 20, "{bodies} inline bodies, {responses} inline responses");
    assert_eq!(api.operations.len(), 249);
}
