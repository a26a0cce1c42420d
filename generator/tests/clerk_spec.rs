//! The committed `clerk-sdk` covers Clerk's Backend API 2026-05-12: a type for every
//! component schema and for every inline request and response object.

mod common;
use common::specs_dir;

use clerk_codegen::ir::{ResponseBody, TypeKind, TypeRef};
use clerk_codegen::load::Spec;
use serde_json::Value;
use std::path::Path;

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
    let names = clerk_codegen::read_names(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/names.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let api = clerk_codegen::ir::build_with(&spec, &names).unwrap_or_else(|e| panic!("{e}"));
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
            let raw =
                raw_op["responses"][op.response.status.to_string()]["content"]["application/json"]["schema"].clone();
            if is_inline_object(&raw) || raw.get("items").is_some_and(is_inline_object) {
                responses += 1;
                assert!(named(t), "{}: response has no type", op.id);
            }
        }
    }
    assert!(bodies >= 102 && responses >= 20, "{bodies} inline bodies, {responses} inline responses");
    assert_eq!(api.operations.len(), 249);
}

#[test]
fn every_operation_of_2026_05_12_is_a_method_of_the_committed_sdk() {
    let path = specs_dir().join("2026-08-14/bapi/2026-05-12.yml");
    let spec = Spec::from_file(&path, &[]).unwrap_or_else(|e| panic!("{e}"));
    let api = clerk_codegen::ir::build(&spec).unwrap_or_else(|e| panic!("{e}"));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../generated-sdk/src/api");
    let accessors = std::fs::read_to_string(root.join("mod.rs")).unwrap();
    for op in &api.operations {
        let group = std::fs::read_to_string(root.join(format!("{}.rs", op.group))).unwrap();
        assert!(accessors.contains(&format!("pub fn {}(&self)", op.group)), "no client.{}()", op.group);
        assert!(
            group.contains(&format!("pub fn {}(", op.name)) || group.contains(&format!("pub fn {}(\n", op.name)),
            "{} ({} {}) is not client.{}().{}()",
            op.id,
            op.method,
            op.path,
            op.group,
            op.name
        );
    }
    assert_eq!(api.operations.len(), 249);
}

/// `spec/fixtures/python-sdk-operations.txt` lists the seed SDK's operations as its README
/// does: `UsersApi | get_user_list | GET /users`.
#[test]
fn the_seed_sdks_110_operations_have_the_same_names_in_the_same_groups() {
    let readme = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/fixtures/python-sdk-operations.txt"),
    )
    .unwrap();
    let seed: Vec<(String, String, String)> = readme
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split(" | ").collect();
            let class = cells.first()?.strip_suffix("Api")?;
            (cells.len() >= 3 && class.chars().all(|c| c.is_ascii_alphanumeric()))
                .then(|| (class.to_owned(), cells[1].to_owned(), cells[2].to_owned()))
        })
        .collect();
    assert_eq!(seed.len(), 110, "the seed README lists 110 operations");

    let path = specs_dir().join("2024-10-01/bapi/2021-02-05.yml");
    let spec = Spec::from_file(&path, &[]).unwrap_or_else(|e| panic!("{e}"));
    let api = clerk_codegen::ir::build(&spec).unwrap_or_else(|e| panic!("{e}"));
    let flat = |s: &str| s.replace('_', "").to_lowercase();
    for (class, method, route) in &seed {
        let found = api.operations.iter().find(|op| flat(&op.name) == flat(method));
        let op = found.unwrap_or_else(|| panic!("{class}Api.{method} ({route}) has no counterpart"));
        assert_eq!(flat(&op.group), flat(class), "{method}: group {} vs the seed's {class}Api", op.group);
        assert_eq!(format!("{} {}", op.method, op.path), *route, "{method}");
    }
}
