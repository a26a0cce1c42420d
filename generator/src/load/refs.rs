//! `$ref`s to any JSON pointer inside the document, not only to a component by name.
//!
//! `openapiv3` resolves nothing itself, and the IR resolves component names. So that a
//! reference may name any node (`#/components/schemas/Tag/allOf/0`,
//! `#/paths/~1users/get/parameters/0`), loading does two things: a reference to anything
//! but a schema that is not a component by name is replaced by a copy of its target (such
//! targets never refer to themselves), and the target of every schema reference that is
//! not a component by name is parsed once, so that the IR can lower it like a component
//! (named types, cycles boxed).

use openapiv3::{ReferenceOr, Schema};
use serde_json::Value;
use std::collections::BTreeMap;

use crate::error::{Diagnostic, split};

/// The schemas that references point to by a pointer other than a component name, by
/// pointer.
pub(crate) type Targets = BTreeMap<String, ReferenceOr<Schema>>;

/// Component sections whose references by name the IR resolves (path items are inlined).
const NAMED_SECTIONS: [&str; 8] =
    ["schemas", "parameters", "requestBodies", "responses", "headers", "examples", "links", "callbacks"];

/// How many rounds of copying non-schema targets run before a chain is taken for a loop.
const MAX_ROUNDS: usize = 16;

/// The JSON pointer a local reference (`#/…`, percent-encoded or not) names; `None` for a
/// reference to another document.
pub(crate) fn pointer_of(reference: &str) -> Option<String> {
    let fragment = reference.strip_prefix('#')?;
    let pointer = percent_decode(fragment)?;
    (pointer.is_empty() || pointer.starts_with('/')).then_some(pointer)
}

/// The component name a pointer is, when it is `/components/<section>/<name>`.
pub(crate) fn component_name(pointer: &str, section: &str) -> Option<String> {
    match split(pointer).as_slice() {
        [components, s, name] if components == "components" && s == section => Some(name.clone()),
        _ => None,
    }
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// A reference found in the document: where it is, what it says, and whether a schema is
/// expected there.
struct Found {
    site: String,
    reference: String,
    schema: bool,
}

/// Every `$ref` below `value` (not below examples, defaults, enums or extensions), `value`
/// being at `pointer`.
fn references(value: &Value, pointer: &str, schema: bool, out: &mut Vec<Found>) {
    walk(value, &mut pointer.to_owned(), schema, out);
}

/// [`references`] with the pointer kept in one buffer, a token appended on the way down
/// and cut off on the way up: no allocation per node of the document.
fn walk(value: &Value, pointer: &mut String, schema: bool, out: &mut Vec<Found>) {
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                below(pointer, &i.to_string(), |pointer| walk(item, pointer, false, out));
            }
        }
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref") {
                out.push(Found { site: pointer.clone(), reference: reference.clone(), schema });
                return;
            }
            for (key, child) in map {
                match key.as_str() {
                    k if k.starts_with("x-") && k != "x-webhooks" => {}
                    "example" | "examples" | "default" | "enum" => {}
                    "schema" | "items" | "additionalProperties" | "not" => {
                        below(pointer, key, |pointer| walk(child, pointer, true, out));
                    }
                    "allOf" | "oneOf" | "anyOf" if schema => below(pointer, key, |pointer| {
                        for (i, item) in child.as_array().into_iter().flatten().enumerate() {
                            below(pointer, &i.to_string(), |pointer| walk(item, pointer, true, out));
                        }
                    }),
                    "properties" | "$defs" | "definitions" if schema => {
                        below(pointer, key, |pointer| schema_map(child, pointer, out));
                    }
                    "schemas" => below(pointer, key, |pointer| schema_map(child, pointer, out)),
                    _ => below(pointer, key, |pointer| walk(child, pointer, false, out)),
                }
            }
        }
        _ => {}
    }
}

fn schema_map(value: &Value, pointer: &mut String, out: &mut Vec<Found>) {
    if let Value::Object(map) = value {
        for (key, child) in map {
            below(pointer, key, |pointer| walk(child, pointer, true, out));
        }
    }
}

/// Runs `f` with `token` appended to `pointer` (escaped as [`crate::error::join`] does), then removes it.
fn below(pointer: &mut String, token: &str, f: impl FnOnce(&mut String)) {
    let len = pointer.len();
    pointer.push('/');
    for c in token.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
    f(pointer);
    pointer.truncate(len);
}

/// Replaces each reference to a non-schema node that is not a component by name with a
/// copy of that node. Dangling ones are left for the IR to report.
pub(crate) fn inline(raw: &mut Value) {
    for _ in 0..MAX_ROUNDS {
        let mut found = Vec::new();
        references(raw, "", false, &mut found);
        let copies: Vec<(String, Value)> = found
            .into_iter()
            .filter(|f| !f.schema)
            .filter_map(|f| {
                let target = pointer_of(&f.reference)?;
                if NAMED_SECTIONS.iter().any(|s| component_name(&target, s).is_some()) {
                    return None;
                }
                Some((f.site, raw.pointer(&target)?.clone()))
            })
            .collect();
        if copies.is_empty() {
            return;
        }
        for (site, copy) in copies {
            if let Some(node) = raw.pointer_mut(&site) {
                *node = copy;
            }
        }
    }
}

/// Parses the target of every schema reference that is not a component by name. A target
/// that does not exist is left out (the IR reports the reference); one that is not a
/// schema is an error at the target.
pub(crate) fn schema_targets(raw: &Value) -> Result<Targets, Diagnostic> {
    let mut targets = Targets::new();
    let mut pending = Vec::new();
    references(raw, "", false, &mut pending);
    while let Some(found) = pending.pop() {
        let Some(target) = pointer_of(&found.reference).filter(|_| found.schema) else { continue };
        if component_name(&target, "schemas").is_some() || targets.contains_key(&target) {
            continue;
        }
        let Some(node) = raw.pointer(&target) else { continue };
        let schema = super::parse_at::<ReferenceOr<Schema>>(node, &target)?;
        // A target outside the usual places may hold references of its own.
        references(node, &target, true, &mut pending);
        targets.insert(target, schema);
    }
    Ok(targets)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pointers_are_percent_and_tilde_decoded() {
        assert_eq!(pointer_of("#/components/schemas/Tag/allOf/0").as_deref(), Some("/components/schemas/Tag/allOf/0"));
        assert_eq!(pointer_of("#/paths/~1a%7Bb%7D").as_deref(), Some("/paths/~1a{b}"));
        assert_eq!(pointer_of("other.yaml#/x"), None);
        assert_eq!(pointer_of("#anchor"), None);
        assert_eq!(component_name("/components/schemas/a~1b", "schemas").as_deref(), Some("a/b"));
        assert_eq!(component_name("/components/schemas/A/allOf/0", "schemas"), None);
    }

    #[test]
    fn non_schema_references_by_pointer_are_copied_and_component_names_kept() {
        let mut raw = json!({
            "paths": {
                "/a": {"get": {"parameters": [{"name": "p", "in": "query"}, {"$ref": "#/components/parameters/Q"}]}},
                "/b": {"get": {"parameters": [{"$ref": "#/paths/~1a/get/parameters/0"}]}},
                "/c": {"$ref": "#/paths/~1b"}
            }
        });
        inline(&mut raw);
        assert_eq!(raw["paths"]["/b"]["get"]["parameters"][0], json!({"name": "p", "in": "query"}));
        assert_eq!(raw["paths"]["/c"], raw["paths"]["/b"]);
        assert_eq!(raw["paths"]["/a"]["get"]["parameters"][1], json!({"$ref": "#/components/parameters/Q"}));
    }

    #[test]
    fn schema_targets_are_parsed_once_and_dangling_ones_left_out() {
        let raw = json!({"components": {"schemas": {
            "Tag": {"allOf": [{"type": "object", "properties": {"a": {"$ref": "#/components/schemas/Tag/allOf/1"}}}, {"type": "string"}]},
            "Use": {"type": "object", "properties": {
                "t": {"$ref": "#/components/schemas/Tag/allOf/0"},
                "u": {"$ref": "#/components/schemas/Tag/allOf/0"},
                "v": {"$ref": "#/components/schemas/Tag/allOf/9"},
                "w": {"$ref": "#/components/schemas/Tag"}
            }}
        }}});
        let targets = schema_targets(&raw).unwrap();
        let keys: Vec<&str> = targets.keys().map(String::as_str).collect();
        assert_eq!(keys, ["/components/schemas/Tag/allOf/0", "/components/schemas/Tag/allOf/1"]);
    }
}
