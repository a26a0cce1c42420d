//! OpenAPI 3.1 read as the 3.0 model the rest of the pipeline knows.
//!
//! Every 3.1 construct with a 3.0 equivalent is rewritten into it: `type: [T, "null"]` and
//! `{type: "null"}` union members become `nullable`, several types an `anyOf` of one schema
//! per type, `const` a one-value `enum`, a schema's `examples` list its `example`, numeric
//! exclusive bounds `minimum` plus `exclusiveMinimum: true`, `contentEncoding: base64` and
//! `contentMediaType` the `byte` and `binary` formats, boolean schemas `{}` and
//! `{not: {}}`, top-level `webhooks` the `x-webhooks` the pipeline reads, and an operation
//! without `responses` one with none. Every construct without an equivalent is dropped or
//! read loosely, with a warning at its location that says which.

use serde_json::{Map, Value, json};

use crate::error::{Diagnostic, join};

/// The HTTP methods of a path item.
const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// JSON Schema keywords with no 3.0 equivalent, and what reading the schema without them means.
const DROPPED: &[(&str, &str)] = &[
    ("prefixItems", "the items of the tuple are read as any JSON value"),
    ("if", "the conditional schema is not checked"),
    ("then", "the conditional schema is not checked"),
    ("else", "the conditional schema is not checked"),
    ("dependentSchemas", "the dependent schemas are not checked"),
    ("dependentRequired", "the dependent properties are read as optional"),
    ("patternProperties", "properties matched by a pattern are left untyped"),
    ("unevaluatedProperties", "properties not listed are handled as `additionalProperties` says"),
    ("unevaluatedItems", "the items are read as `items` says"),
    ("contains", "the array's items are read as `items` says"),
    ("minContains", "not checked"),
    ("maxContains", "not checked"),
    ("propertyNames", "keys are read as any string"),
    ("$id", "references must be JSON pointers into this document"),
    ("$anchor", "references must be JSON pointers into this document"),
    ("$dynamicAnchor", "references must be JSON pointers into this document"),
];

/// Keywords that only document a schema: dropped without a word.
const SILENT: &[&str] = &["$schema", "$comment", "$vocabulary"];

/// Keywords that belong to one type, moved into that type's member when a schema with
/// several types becomes an `anyOf`.
const TYPE_KEYWORDS: &[(&str, &[&str])] = &[
    ("array", &["items", "minItems", "maxItems", "uniqueItems"]),
    ("object", &["properties", "required", "additionalProperties", "minProperties", "maxProperties"]),
    ("string", &["minLength", "maxLength", "pattern"]),
    ("number", &["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"]),
    ("integer", &["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"]),
];

/// Rewrites a 3.1 document into its 3.0 reading; returns a warning for each construct that
/// has no 3.0 equivalent.
pub(super) fn downgrade(raw: &mut Value) -> Vec<Diagnostic> {
    let mut warnings = Vec::new();
    // Schemas first, so that warnings name where things are in the source (`/webhooks/…`).
    node(raw, "", &mut warnings);
    if let Some(doc) = raw.as_object_mut() {
        document(doc, &mut warnings);
    }
    warnings
}

/// The document-level differences: `webhooks`, optional `responses`, mutual TLS.
fn document(doc: &mut Map<String, Value>, warnings: &mut Vec<Diagnostic>) {
    doc.shift_remove("jsonSchemaDialect");
    if let Some(webhooks) = doc.shift_remove("webhooks") {
        if doc.contains_key("x-webhooks") {
            warnings.push(Diagnostic::at("/webhooks", "ignored: the document also has `x-webhooks`, which is read"));
        } else {
            doc.insert("x-webhooks".into(), webhooks);
        }
    }
    for section in ["paths", "x-webhooks"] {
        let items = doc.get_mut(section).and_then(Value::as_object_mut).into_iter().flat_map(|m| m.values_mut());
        for item in items.filter_map(Value::as_object_mut) {
            for (_, op) in item.iter_mut().filter(|(m, _)| METHODS.contains(&m.as_str())) {
                if let Some(op) = op.as_object_mut() {
                    op.entry("responses").or_insert_with(|| Value::Object(Map::new()));
                }
            }
        }
    }
    let schemes = doc.get_mut("components").and_then(|c| c.get_mut("securitySchemes")).and_then(Value::as_object_mut);
    if let Some(schemes) = schemes {
        schemes.retain(|name, scheme| {
            let mutual_tls = scheme.get("type").and_then(Value::as_str) == Some("mutualTLS");
            if mutual_tls {
                let pointer = join("/components/securitySchemes", name);
                warnings
                    .push(Diagnostic::at(pointer, "mutual TLS has no OpenAPI 3.0 equivalent: the scheme is left out"));
            }
            !mutual_tls
        });
    }
}

/// A node that is not a schema: finds the schemas below it.
fn node(value: &mut Value, pointer: &str, warnings: &mut Vec<Diagnostic>) {
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                node(item, &join(pointer, &i.to_string()), warnings);
            }
        }
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                let at = join(pointer, key);
                match key.as_str() {
                    "x-webhooks" if pointer.is_empty() => node(child, &at, warnings),
                    k if k.starts_with("x-") => {}
                    "example" | "examples" | "default" | "enum" | "const" => {}
                    "schema" => schema(child, &at, warnings),
                    "schemas" => schema_map(child, &at, warnings),
                    _ => node(child, &at, warnings),
                }
            }
        }
        _ => {}
    }
}

fn schema_map(value: &mut Value, pointer: &str, warnings: &mut Vec<Diagnostic>) {
    if let Value::Object(map) = value {
        for (key, child) in map.iter_mut() {
            schema(child, &join(pointer, key), warnings);
        }
    }
}

/// A schema: rewritten into its 3.0 form, then its subschemas.
fn schema(value: &mut Value, pointer: &str, warnings: &mut Vec<Diagnostic>) {
    match value {
        Value::Bool(true) => *value = json!({}),
        Value::Bool(false) => *value = json!({"not": {}}),
        Value::Object(map) => {
            rewrite(map, pointer, warnings);
            for (key, child) in map.iter_mut() {
                let at = join(pointer, key);
                match key.as_str() {
                    "properties" | "$defs" | "definitions" => schema_map(child, &at, warnings),
                    // `additionalProperties: true/false` is 3.0 as it is.
                    "additionalProperties" if child.is_boolean() => {}
                    "items" | "additionalProperties" | "not" => schema(child, &at, warnings),
                    "allOf" | "oneOf" | "anyOf" => {
                        for (i, item) in child.as_array_mut().into_iter().flatten().enumerate() {
                            schema(item, &join(&at, &i.to_string()), warnings);
                        }
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

/// The 3.1 keywords of one schema object, in place.
fn rewrite(map: &mut Map<String, Value>, pointer: &str, warnings: &mut Vec<Diagnostic>) {
    for key in SILENT {
        map.shift_remove(*key);
    }
    if map.contains_key("$dynamicRef") || map.contains_key("$recursiveRef") {
        warnings
            .push(Diagnostic::at(pointer, "dynamic references have no OpenAPI 3.0 equivalent: read as any JSON value"));
        map.clear();
        return;
    }
    null_members(map);
    const_members(map);
    types(map, pointer, warnings);
    if let Some(value) = map.shift_remove("const") {
        map.insert("enum".into(), Value::Array(vec![value]));
    }
    if let Some(Value::Array(examples)) = map.get("examples") {
        let first = examples.first().cloned();
        map.shift_remove("examples");
        if let Some(first) = first {
            map.entry("example").or_insert(first);
        }
    }
    for (exclusive, bound, stricter) in
        [("exclusiveMinimum", "minimum", f64::gt as fn(&f64, &f64) -> bool), ("exclusiveMaximum", "maximum", f64::lt)]
    {
        let Some(limit) = map.get(exclusive).filter(|v| v.is_number()).cloned() else { continue };
        let current = map.get(bound).and_then(Value::as_f64);
        let limit_f = limit.as_f64().unwrap_or_default();
        if current.is_some_and(|c| stricter(&c, &limit_f)) {
            map.shift_remove(exclusive);
        } else {
            map.insert(bound.into(), limit);
            map.insert(exclusive.into(), Value::Bool(true));
        }
    }
    let encoding = map.shift_remove("contentEncoding");
    let media = map.shift_remove("contentMediaType");
    if !map.contains_key("format") {
        match (encoding.as_ref().and_then(Value::as_str), media) {
            (Some("base64" | "base64url"), _) => {
                map.insert("format".into(), "byte".into());
            }
            (None, Some(_)) => {
                map.insert("format".into(), "binary".into());
            }
            _ => {}
        }
    }
    for (key, consequence) in DROPPED {
        if map.shift_remove(*key).is_some() {
            let message = format!("`{key}` has no OpenAPI 3.0 equivalent and is left out: {consequence}");
            warnings.push(Diagnostic::at(join(pointer, key), message));
        }
    }
}

/// `{type: "null"}` members of `anyOf`/`oneOf` (the 3.1 way to make a reference nullable)
/// become `nullable: true`.
fn null_members(map: &mut Map<String, Value>) {
    let only_null = |s: &Value| match s {
        Value::Object(m) => match (m.get("type"), m.get("const"), m.get("enum")) {
            (Some(Value::String(t)), _, _) => t == "null" && m.len() == 1,
            (Some(Value::Array(t)), _, _) => t.iter().all(|t| t == "null") && m.len() == 1,
            (None, Some(Value::Null), _) => m.len() == 1,
            (None, None, Some(Value::Array(e))) => e.iter().all(Value::is_null) && m.len() == 1,
            _ => false,
        },
        _ => false,
    };
    for key in ["anyOf", "oneOf"] {
        let Some(Value::Array(members)) = map.get_mut(key) else { continue };
        let before = members.len();
        members.retain(|m| !only_null(m));
        if members.len() < before {
            if members.is_empty() {
                map.shift_remove(key);
            }
            map.insert("nullable".into(), Value::Bool(true));
        }
    }
}

/// A `oneOf`/`anyOf` of nothing but `const`s (each with at most a title and a description:
/// the 3.1 way to document each value of an enum) becomes that `enum`.
fn const_members(map: &mut Map<String, Value>) {
    let documented_const = |s: &Value| {
        s.as_object().is_some_and(|m| {
            m.contains_key("const")
                && m.keys()
                    .all(|k| matches!(k.as_str(), "const" | "title" | "description" | "type") || k.starts_with("x-"))
        })
    };
    for key in ["oneOf", "anyOf"] {
        let Some(Value::Array(members)) = map.get(key) else { continue };
        if members.is_empty() || !members.iter().all(documented_const) || map.contains_key("enum") {
            continue;
        }
        let values = members.iter().map(|m| m["const"].clone()).collect();
        map.shift_remove(key);
        map.insert("enum".into(), Value::Array(values));
    }
}

/// `type` as a list: `"null"` becomes `nullable`, one other type stays, several become an
/// `anyOf` of one schema per type.
fn types(map: &mut Map<String, Value>, pointer: &str, warnings: &mut Vec<Diagnostic>) {
    let Some(Value::Array(list)) = map.get("type") else { return };
    let mut names: Vec<String> = list.iter().filter_map(Value::as_str).map(str::to_owned).collect();
    let nullable = names.iter().any(|t| t == "null");
    names.retain(|t| t != "null");
    if names.len() == 2 && names.contains(&"integer".to_owned()) && names.contains(&"number".to_owned()) {
        names = vec!["number".to_owned()];
    }
    if nullable {
        map.insert("nullable".into(), Value::Bool(true));
    }
    match names.as_slice() {
        [] => {
            map.shift_remove("type");
        }
        [one] => {
            map.insert("type".into(), Value::String(one.clone()));
        }
        [first, ..] if map.contains_key("anyOf") || map.contains_key("oneOf") => {
            let message = format!("a schema with several types and its own `anyOf`/`oneOf` is read as type `{first}`");
            warnings.push(Diagnostic::at(join(pointer, "type"), message));
            map.insert("type".into(), Value::String(first.clone()));
        }
        _ => {
            map.shift_remove("type");
            let members = names.iter().map(|name| type_member(map, name)).collect();
            for (_, keywords) in TYPE_KEYWORDS {
                keywords.iter().for_each(|k| drop(map.shift_remove(*k)));
            }
            if let Some(Value::String(_)) = map.get("format") {
                map.shift_remove("format");
            }
            map.insert("anyOf".into(), Value::Array(members));
        }
    }
}

/// The member of a several-types `anyOf` for one type: the type and its own keywords.
fn type_member(map: &Map<String, Value>, name: &str) -> Value {
    let mut member = Map::new();
    member.insert("type".into(), Value::String(name.to_owned()));
    let keywords = TYPE_KEYWORDS.iter().find(|(t, _)| *t == name).map_or(&[][..], |(_, k)| k);
    for key in keywords {
        if let Some(value) = map.get(*key) {
            member.insert((*key).to_owned(), value.clone());
        }
    }
    if let Some(Value::String(format)) = map.get("format") {
        let owner = match format.as_str() {
            "int32" | "int64" => "integer",
            "float" | "double" => "number",
            _ => "string",
        };
        if owner == name {
            member.insert("format".into(), Value::String(format.clone()));
        }
    }
    Value::Object(member)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(mut doc: Value) -> (Value, Vec<String>) {
        let warnings = downgrade(&mut doc).into_iter().map(|d| format!("{}: {}", d.pointer, d.message)).collect();
        (doc, warnings)
    }

    fn schema_of(s: Value) -> (Value, Vec<String>) {
        let (doc, warnings) = read(json!({"components": {"schemas": {"S": s}}}));
        (doc["components"]["schemas"]["S"].clone(), warnings)
    }

    #[test]
    fn type_lists_with_null_become_nullable() {
        assert_eq!(schema_of(json!({"type": ["string", "null"]})).0, json!({"type": "string", "nullable": true}));
        assert_eq!(
            schema_of(json!({"type": ["null", "integer", "number"]})).0,
            json!({"type": "number", "nullable": true})
        );
        let (s, _) = schema_of(json!({"anyOf": [{"$ref": "#/components/schemas/T"}, {"type": "null"}]}));
        assert_eq!(s, json!({"anyOf": [{"$ref": "#/components/schemas/T"}], "nullable": true}));
    }

    #[test]
    fn a_one_of_of_documented_consts_is_an_enum() {
        let (s, _) = schema_of(json!({"type": "string", "oneOf": [
            {"title": "USER", "const": "user"}, {"const": "bot", "description": "A bot."}, {"type": "null"}
        ]}));
        assert_eq!(s, json!({"type": "string", "nullable": true, "enum": ["user", "bot"]}));
        let (s, _) = schema_of(json!({"oneOf": [{"const": "a"}, {"type": "object"}]}));
        assert_eq!(s["oneOf"][0], json!({"enum": ["a"]}));
    }

    #[test]
    fn several_types_become_an_any_of_with_each_types_keywords() {
        let (s, warnings) = schema_of(json!({
            "type": ["string", "array"], "description": "d", "maxLength": 3, "items": {"type": "string"}, "format": "uri"
        }));
        assert_eq!(
            s,
            json!({"description": "d", "anyOf": [
                {"type": "string", "maxLength": 3, "format": "uri"},
                {"type": "array", "items": {"type": "string"}}
            ]})
        );
        assert!(warnings.is_empty());
    }

    #[test]
    fn const_examples_bounds_and_content_keywords_have_their_3_0_forms() {
        let (s, _) = schema_of(json!({
            "type": "object",
            "properties": {
                "kind": {"const": "user"},
                "n": {"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 10, "maximum": 5, "examples": [3, 4]},
                "raw": {"type": "string", "contentMediaType": "image/png"},
                "b64": {"type": "string", "contentEncoding": "base64"},
                "never": false
            }
        }));
        assert_eq!(
            s["properties"],
            json!({
                "kind": {"enum": ["user"]},
                "n": {"type": "integer", "maximum": 5, "example": 3, "minimum": 0, "exclusiveMinimum": true},
                "raw": {"type": "string", "format": "binary"},
                "b64": {"type": "string", "format": "byte"},
                "never": {"not": {}}
            })
        );
    }

    #[test]
    fn constructs_without_an_equivalent_are_dropped_with_a_located_warning() {
        let (s, warnings) = schema_of(json!({"type": "array", "prefixItems": [{"type": "string"}], "$comment": "c"}));
        assert_eq!(s, json!({"type": "array"}));
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].starts_with("/components/schemas/S/prefixItems: `prefixItems` has no OpenAPI 3.0"));
        let (s, warnings) = schema_of(json!({"$dynamicRef": "#node"}));
        assert_eq!((s, warnings.len()), (json!({}), 1));
    }

    #[test]
    fn webhooks_and_operations_without_responses_read_as_3_0() {
        let (doc, warnings) = read(json!({
            "openapi": "3.1.0",
            "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
            "paths": {"/a": {"get": {"operationId": "a"}}},
            "webhooks": {"ping": {"post": {"requestBody": {"content": {"application/json": {"schema": {"type": ["object", "null"]}}}}}}},
            "components": {"securitySchemes": {"tls": {"type": "mutualTLS"}, "key": {"type": "http", "scheme": "bearer"}}}
        }));
        assert_eq!(doc["paths"]["/a"]["get"]["responses"], json!({}));
        let schema = &doc["x-webhooks"]["ping"]["post"]["requestBody"]["content"]["application/json"]["schema"];
        assert_eq!(schema, &json!({"type": "object", "nullable": true}));
        assert!(doc.get("webhooks").is_none() && doc.get("jsonSchemaDialect").is_none());
        assert_eq!(doc["components"]["securitySchemes"], json!({"key": {"type": "http", "scheme": "bearer"}}));
        assert_eq!(
            warnings,
            ["/components/securitySchemes/tls: mutual TLS has no OpenAPI 3.0 equivalent: the scheme is left out"]
        );
    }
}
