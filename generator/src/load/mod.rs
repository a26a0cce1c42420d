//! Loading: read the file (JSON as JSON, YAML as YAML), apply overlays, read OpenAPI 3.1
//! as 3.0, normalise what `openapiv3` would lose, then parse into `openapiv3`'s typed model.

mod json;
pub mod overlay;
pub(crate) mod refs;
mod v31;
pub mod yaml;

use serde_json::{Map, Value};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Errors, join};

/// A loaded, normalised spec.
#[derive(Debug)]
pub struct Spec {
    /// The typed document.
    pub api: openapiv3::OpenAPI,
    /// The normalised raw document (overlays applied), for what the typed model drops.
    pub raw: Value,
    /// Where it came from, for diagnostics.
    pub path: PathBuf,
    /// The source text, to map pointers back to lines.
    pub text: String,
    /// How the source text is written.
    pub format: Format,
    /// `x-webhooks` (a webhooks document): event name to its path item.
    pub webhooks: indexmap::IndexMap<String, openapiv3::PathItem>,
    /// The schemas that references name by a pointer other than a component name.
    pub targets: refs::Targets,
    /// What was read loosely (OpenAPI 3.1 constructs without a 3.0 equivalent), located.
    pub warnings: Vec<Diagnostic>,
}

/// How a document is written: JSON for a `.json` file, else YAML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON, read with a JSON parser (every JSON escape is valid).
    Json,
    /// YAML 1.2.
    Yaml,
}

impl Format {
    /// The format of a file, from its extension.
    pub fn of(path: &Path) -> Format {
        match path.extension() {
            Some(ext) if ext.eq_ignore_ascii_case("json") => Format::Json,
            _ => Format::Yaml,
        }
    }

    /// Parses a document.
    pub fn parse(self, text: &str) -> Result<Value, Diagnostic> {
        match self {
            Format::Json => json::parse(text),
            Format::Yaml => yaml::parse(text),
        }
    }

    /// Maps a pointer to (line, column) in the text. The `x-webhooks` the pipeline reads
    /// are found at OpenAPI 3.1's `webhooks` when the text has those instead.
    pub fn locate(self, text: &str, pointer: &str) -> Option<(usize, usize)> {
        let at = |pointer: &str| match self {
            Format::Json => json::locate(text, pointer),
            Format::Yaml => yaml::locate(text, pointer),
        };
        at(pointer).or_else(|| at(&format!("/webhooks{}", pointer.strip_prefix("/x-webhooks")?)))
    }
}

impl Spec {
    /// Reads and loads the spec at `path`, then applies each overlay file in order.
    pub fn from_file(path: &Path, overlays: &[PathBuf]) -> Result<Self, Errors> {
        let text = std::fs::read(path).map_err(|e| io_error(path, &e))?;
        let text = String::from_utf8(text)
            .map_err(|_| Errors::from(Diagnostic::at("", "the file is not UTF-8 text")).in_file(path, |_| None))?;
        let mut loaded = Vec::new();
        for overlay in overlays {
            let text = std::fs::read_to_string(overlay).map_err(|e| io_error(overlay, &e))?;
            let format = Format::of(overlay);
            let parsed = format
                .parse(&text)
                .and_then(|doc| overlay::Overlay::from_value(&doc))
                .map_err(|e| Errors::from(e).in_file(overlay, |p| format.locate(&text, p)))?;
            loaded.push((overlay.clone(), text, parsed));
        }
        Self::from_text(path, text, &loaded)
    }

    /// Loads a spec from text; `path` names it in diagnostics and tells JSON from YAML.
    pub fn from_text(
        path: &Path,
        text: String,
        overlays: &[(PathBuf, String, overlay::Overlay)],
    ) -> Result<Self, Errors> {
        let format = Format::of(path);
        let locate = |p: &str| format.locate(&text, p);
        let mut raw = format.parse(&text).map_err(|e| Errors::from(e).in_file(path, locate))?;
        for (overlay_path, overlay_text, overlay) in overlays {
            let overlay_format = Format::of(overlay_path);
            overlay
                .apply(&mut raw)
                .map_err(|e| Errors::from(e).in_file(overlay_path, |p| overlay_format.locate(overlay_text, p)))?;
        }
        Self::from_value(path, raw, &text)
    }

    /// Loads a spec from an already parsed document; `text` is its source, for locations.
    pub fn from_value(path: &Path, mut raw: Value, text: &str) -> Result<Self, Errors> {
        let format = Format::of(path);
        let locate = |p: &str| format.locate(text, p);
        let located = |e: Diagnostic| Errors::from(e).in_file(path, locate);
        let version = check_header(&raw).map_err(located)?;
        let warnings = match version {
            Version::V30 => Vec::new(),
            Version::V31 => v31::downgrade(&mut raw),
        };
        normalize(&mut raw);
        refs::inline(&mut raw);
        let targets = refs::schema_targets(&raw).map_err(located)?;
        let api = typed(&raw).map_err(located)?;
        let mut webhooks = indexmap::IndexMap::new();
        if let Some(Value::Object(entries)) = raw.get("x-webhooks") {
            for (name, item) in entries {
                let pointer = join("/x-webhooks", name);
                let item = parse_at::<openapiv3::PathItem>(item, &pointer).map_err(located)?;
                webhooks.insert(name.clone(), item);
            }
        }
        let warnings = if warnings.is_empty() { warnings } else { Errors(warnings).in_file(path, locate).0 };
        Ok(Spec { api, raw, path: path.to_path_buf(), text: text.to_owned(), format, webhooks, targets, warnings })
    }

    /// The document's webhooks alone (its operations left out), when it has both: read like
    /// a webhooks document of its own, so the crate gets typed events.
    pub fn webhooks_only(&self) -> Result<Option<Spec>, Errors> {
        let has_paths = self.raw.get("paths").and_then(Value::as_object).is_some_and(|p| !p.is_empty());
        if self.webhooks.is_empty() || !has_paths {
            return Ok(None);
        }
        let mut raw = self.raw.clone();
        raw["paths"] = Value::Object(Map::new());
        let api = typed(&raw).map_err(|e| self.errors(vec![e]))?;
        Ok(Some(Spec {
            api,
            raw,
            path: self.path.clone(),
            text: self.text.clone(),
            format: self.format,
            webhooks: self.webhooks.clone(),
            targets: self.targets.clone(),
            warnings: Vec::new(),
        }))
    }

    /// Maps a pointer to (line, column) in the source.
    pub fn locate(&self, pointer: &str) -> Option<(usize, usize)> {
        self.format.locate(&self.text, pointer)
    }

    /// Attaches file and line to diagnostics about this spec.
    pub fn errors(&self, errors: Vec<Diagnostic>) -> Errors {
        Errors(errors).in_file(&self.path, |p| self.locate(p))
    }

    /// The raw node at a JSON pointer.
    pub fn raw_at(&self, pointer: &str) -> Option<&Value> {
        self.raw.pointer(pointer)
    }
}

fn io_error(path: &Path, e: &std::io::Error) -> Errors {
    Errors::from(Diagnostic { file: path.to_path_buf(), ..Diagnostic::at("", format!("cannot read: {e}")) })
}

/// The OpenAPI versions read: 3.1 through its 3.0 reading ([`v31`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Version {
    V30,
    V31,
}

fn check_header(raw: &Value) -> Result<Version, Diagnostic> {
    let Some(doc) = raw.as_object() else {
        return Err(Diagnostic::at("", "an OpenAPI document must be a mapping at the top level"));
    };
    let version = match doc.get("openapi") {
        None => return Err(Diagnostic::at("", "missing `openapi` (the OpenAPI version, e.g. 3.0.3)")),
        Some(Value::String(v)) if v.starts_with("3.0") => Version::V30,
        Some(Value::String(v)) if v.starts_with("3.1") => Version::V31,
        Some(Value::String(v)) => {
            return Err(Diagnostic::at("/openapi", format!("OpenAPI {v} is not supported; only 3.0.x and 3.1.x are")));
        }
        Some(_) => return Err(Diagnostic::at("/openapi", "`openapi` must be a version string such as \"3.0.3\"")),
    };
    match doc.get("info") {
        None => Err(Diagnostic::at("", "missing `info` (title and version)")),
        Some(Value::Object(info)) if !info.contains_key("version") => {
            Err(Diagnostic::at("/info", "missing `info.version` (the version of the API, a string)"))
        }
        Some(Value::Object(info)) if !info.get("version").is_some_and(Value::is_string) => {
            Err(Diagnostic::at("/info/version", "`info.version` must be a string"))
        }
        Some(Value::Object(_)) => Ok(version),
        Some(_) => Err(Diagnostic::at("/info", "`info` must be a mapping")),
    }
}

/// Rewrites the raw document so that `openapiv3` keeps everything the generator needs.
///
/// * A schema `$ref` with siblings (`nullable`, `description`, …) becomes
///   `allOf: [{$ref}]` plus the siblings, because `openapiv3` drops a reference's siblings
///   and upstream means them (a `nullable` reference must become an `Option`).
/// * Siblings of non-schema references are dropped, as OpenAPI 3.0 says.
/// * A document without `paths` (a webhooks-only document) gets an empty one, and its
///   `x-webhooks` operations get the empty `responses` they lack.
pub fn normalize(raw: &mut Value) {
    if let Some(doc) = raw.as_object_mut() {
        doc.entry("paths").or_insert_with(|| Value::Object(Map::new()));
        // Webhook operations describe requests Clerk sends, so they have no `responses`,
        // which OpenAPI 3.0 (and `openapiv3`) require of an operation.
        if let Some(Value::Object(webhooks)) = doc.get_mut("x-webhooks") {
            for item in webhooks.values_mut().filter_map(Value::as_object_mut) {
                for op in item.values_mut().filter_map(Value::as_object_mut) {
                    op.entry("responses").or_insert_with(|| Value::Object(Map::new()));
                }
            }
        }
    }
    walk(raw, false);
}

fn walk(node: &mut Value, is_schema: bool) {
    match node {
        Value::Array(items) => items.iter_mut().for_each(|i| walk(i, false)),
        Value::Object(map) => {
            if map.len() > 1 && map.get("$ref").is_some_and(Value::is_string) {
                let reference = map.shift_remove("$ref").unwrap_or_default();
                if is_schema {
                    let mut only_ref = Map::new();
                    only_ref.insert("$ref".into(), reference);
                    map.insert("allOf".into(), Value::Array(vec![Value::Object(only_ref)]));
                } else {
                    map.clear();
                    map.insert("$ref".into(), reference);
                    return;
                }
            }
            for (key, child) in map.iter_mut() {
                if key.starts_with("x-") || key == "example" || key == "examples" || key == "default" || key == "enum" {
                    continue;
                }
                match key.as_str() {
                    "schema" | "items" | "additionalProperties" | "not" => walk(child, true),
                    "allOf" | "oneOf" | "anyOf" if is_schema => {
                        if let Value::Array(items) = child {
                            items.iter_mut().for_each(|i| walk(i, true));
                        }
                    }
                    "properties" if is_schema => walk_map(child),
                    "schemas" => walk_map(child),
                    _ => walk(child, false),
                }
            }
        }
        _ => {}
    }
}

fn walk_map(node: &mut Value) {
    if let Value::Object(map) = node {
        map.values_mut().for_each(|v| walk(v, true));
    }
}

fn typed(raw: &Value) -> Result<openapiv3::OpenAPI, Diagnostic> {
    match parse_at::<openapiv3::OpenAPI>(raw, "") {
        Ok(api) => Ok(api),
        // `openapiv3` flattens and untags much of its model, which cuts serde's path
        // short; find the deepest part that fails on its own.
        Err(shallow) => Err(refine(raw).unwrap_or(shallow)),
    }
}

/// Deserializes `value` as `T`, turning any error (or panic) into a diagnostic at the
/// path where it happened, below `base`.
pub(crate) fn parse_at<T: serde::de::DeserializeOwned>(value: &Value, base: &str) -> Result<T, Diagnostic> {
    // Parsed without tracking the path first: only a failure needs it, and tracking costs
    // an allocation per key of the document.
    if let Ok(Ok(parsed)) = catch_unwind(AssertUnwindSafe(|| T::deserialize(value))) {
        return Ok(parsed);
    }
    let result = catch_unwind(AssertUnwindSafe(|| serde_path_to_error::deserialize::<_, T>(value)));
    match result {
        Ok(Ok(parsed)) => Ok(parsed),
        Ok(Err(e)) => {
            let mut pointer = base.to_owned();
            for segment in e.path().iter() {
                match segment {
                    serde_path_to_error::Segment::Seq { index } => pointer = join(&pointer, &index.to_string()),
                    serde_path_to_error::Segment::Map { key } => pointer = join(&pointer, key),
                    _ => {}
                }
            }
            let message = e.into_inner().to_string();
            let message = if message.contains("did not match any variant") {
                "neither a `$ref` nor a valid object of the kind expected here (check its keys and their types)"
                    .to_owned()
            } else {
                message
            };
            Err(Diagnostic::at(pointer, message))
        }
        Err(_) => Err(Diagnostic::at(base, "the OpenAPI parser failed on this node")),
    }
}

/// Checks the document piece by piece to find the innermost node that does not parse.
fn refine(raw: &Value) -> Option<Diagnostic> {
    use openapiv3::{Operation, Parameter, PathItem, ReferenceOr, RequestBody, Response};
    let entries = |pointer: &str| -> Vec<(String, &Value)> {
        match raw.pointer(pointer) {
            Some(Value::Object(map)) => map.iter().map(|(k, v)| (join(pointer, k), v)).collect(),
            _ => Vec::new(),
        }
    };
    for (pointer, item) in entries("/paths") {
        if parse_at::<ReferenceOr<PathItem>>(item, &pointer).is_ok() {
            continue;
        }
        for method in ["get", "put", "post", "delete", "options", "head", "patch", "trace"] {
            if let Some(op) = item.get(method) {
                let op_pointer = join(&pointer, method);
                if let Err(e) = parse_at::<Operation>(op, &op_pointer) {
                    return Some(deepest_schema(op, &op_pointer).unwrap_or(e));
                }
            }
        }
        if let Some(params) = item.get("parameters") {
            if let Err(e) = parse_at::<Vec<ReferenceOr<Parameter>>>(params, &join(&pointer, "parameters")) {
                return Some(e);
            }
        }
        return parse_at::<ReferenceOr<PathItem>>(item, &pointer).err();
    }
    for (pointer, schema) in entries("/components/schemas") {
        if parse_at::<ReferenceOr<openapiv3::Schema>>(schema, &pointer).is_err() {
            return deepest_schema(schema, &pointer);
        }
    }
    for (section, check) in
        [("/components/responses", parse_at::<ReferenceOr<Response>> as fn(&Value, &str) -> Result<_, _>)]
    {
        for (pointer, value) in entries(section) {
            if let Err(e) = check(value, &pointer) {
                return Some(deepest_schema(value, &pointer).unwrap_or(e));
            }
        }
    }
    for (pointer, value) in entries("/components/parameters") {
        if let Err(e) = parse_at::<ReferenceOr<Parameter>>(value, &pointer) {
            return Some(deepest_schema(value, &pointer).unwrap_or(e));
        }
    }
    for (pointer, value) in entries("/components/requestBodies") {
        if let Err(e) = parse_at::<ReferenceOr<RequestBody>>(value, &pointer) {
            return Some(deepest_schema(value, &pointer).unwrap_or(e));
        }
    }
    None
}

/// The innermost schema below `node` (following `schema`, `properties`, `items`, …) that
/// does not parse on its own.
fn deepest_schema(node: &Value, pointer: &str) -> Option<Diagnostic> {
    let Value::Object(map) = node else { return None };
    for (key, child) in map {
        let child_pointer = join(pointer, key);
        let found = match key.as_str() {
            "schema" | "items" | "not" | "additionalProperties" if child.is_object() => {
                deepest_schema(child, &child_pointer)
                    .or_else(|| parse_at::<openapiv3::ReferenceOr<openapiv3::Schema>>(child, &child_pointer).err())
            }
            "properties" | "content" | "responses" | "parameters" | "requestBody" | "allOf" | "oneOf" | "anyOf" => {
                let children: Vec<(String, &Value)> = match child {
                    Value::Object(m) => m.iter().map(|(k, v)| (join(&child_pointer, k), v)).collect(),
                    Value::Array(items) => {
                        items.iter().enumerate().map(|(i, v)| (join(&child_pointer, &i.to_string()), v)).collect()
                    }
                    _ => Vec::new(),
                };
                let is_schema_list = matches!(key.as_str(), "properties" | "allOf" | "oneOf" | "anyOf");
                children.into_iter().find_map(|(p, v)| {
                    deepest_schema(v, &p).or_else(|| {
                        if is_schema_list {
                            parse_at::<openapiv3::ReferenceOr<openapiv3::Schema>>(v, &p).err()
                        } else {
                            None
                        }
                    })
                })
            }
            _ => None,
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_info_version_is_named_missing_and_a_wrong_one_is_located() {
        let header = |info: Value| check_header(&serde_json::json!({"openapi": "3.0.3", "info": info}));
        let missing = header(serde_json::json!({"title": "t"})).unwrap_err();
        assert_eq!((missing.pointer.as_str(), missing.message.contains("missing `info.version`")), ("/info", true));
        let number = header(serde_json::json!({"title": "t", "version": 2})).unwrap_err();
        assert_eq!(
            (number.pointer.as_str(), number.message.as_str()),
            ("/info/version", "`info.version` must be a string")
        );
        assert!(header(serde_json::json!({"title": "t", "version": "2"})).is_ok());
    }
    use serde_json::json;

    #[test]
    fn ref_siblings_become_an_all_of_wrapper_in_schemas_only() {
        let mut raw = json!({
            "openapi": "3.0.3",
            "components": {
                "schemas": {"A": {"type": "object", "properties": {
                    "b": {"$ref": "#/components/schemas/B", "nullable": true, "description": "d"}}}},
                "parameters": {"P": {"$ref": "#/components/parameters/Q", "description": "x"}}
            }
        });
        normalize(&mut raw);
        assert_eq!(
            raw["components"]["schemas"]["A"]["properties"]["b"],
            json!({"nullable": true, "description": "d", "allOf": [{"$ref": "#/components/schemas/B"}]})
        );
        assert_eq!(raw["components"]["parameters"]["P"], json!({"$ref": "#/components/parameters/Q"}));
        assert_eq!(raw["paths"], json!({}));
    }
}
