//! A subset of OpenAPI Overlay 1.0: our own fixes for upstream spec bugs.
//!
//! Supported: `actions` with a `target` in the JSONPath subset `$`, `.name`, `['name']`,
//! `[N]`, `.*` and `[*]`, and either `update` (objects merge recursively, arrays append,
//! anything else is replaced) or `remove: true`. A target that matches nothing is skipped,
//! so one overlay can serve every API version.

use serde_json::Value;

use crate::error::{Diagnostic, join};

/// A parsed overlay document.
#[derive(Debug, Clone)]
pub struct Overlay {
    actions: Vec<Action>,
}

#[derive(Debug, Clone)]
struct Action {
    pointer: String,
    target: Vec<Step>,
    change: Change,
}

#[derive(Debug, Clone)]
enum Change {
    Update(Value),
    Remove,
}

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
    Wildcard,
}

impl Overlay {
    /// Parses an overlay from YAML text.
    pub fn parse(text: &str) -> Result<Self, Diagnostic> {
        Self::from_value(&super::yaml::parse(text)?)
    }

    /// Reads an overlay from a parsed document.
    pub fn from_value(doc: &Value) -> Result<Self, Diagnostic> {
        if !doc.get("overlay").is_some_and(|v| v.as_str().is_some_and(|v| v.starts_with("1."))) {
            return Err(Diagnostic::at("", "missing `overlay: 1.0.0`"));
        }
        let Some(actions) = doc.get("actions").and_then(Value::as_array) else {
            return Err(Diagnostic::at("", "missing `actions` list"));
        };
        let mut parsed = Vec::new();
        for (i, action) in actions.iter().enumerate() {
            let pointer = format!("/actions/{i}");
            let target = action
                .get("target")
                .and_then(Value::as_str)
                .ok_or_else(|| Diagnostic::at(&pointer, "an action needs a `target`"))?;
            let target = parse_path(target).map_err(|m| Diagnostic::at(join(&pointer, "target"), m))?;
            let change = match (action.get("update"), action.get("remove")) {
                (Some(update), None) => Change::Update(update.clone()),
                (None, Some(Value::Bool(true))) => Change::Remove,
                _ => return Err(Diagnostic::at(&pointer, "an action needs either `update` or `remove: true`")),
            };
            parsed.push(Action { pointer, target, change });
        }
        Ok(Overlay { actions: parsed })
    }

    /// Applies every action in order.
    pub fn apply(&self, doc: &mut Value) -> Result<(), Diagnostic> {
        for action in &self.actions {
            let mut matches = Vec::new();
            collect(doc, &action.target, String::new(), &mut matches);
            for pointer in matches {
                match &action.change {
                    Change::Update(update) => {
                        if let Some(node) = doc.pointer_mut(&pointer) {
                            merge(node, update);
                        }
                    }
                    Change::Remove => remove(doc, &pointer)
                        .ok_or_else(|| Diagnostic::at(&action.pointer, "cannot remove the document root"))?,
                }
            }
        }
        Ok(())
    }
}

fn parse_path(path: &str) -> Result<Vec<Step>, String> {
    let Some(mut rest) = path.strip_prefix('$') else {
        return Err(format!("`{path}`: a target must start with `$`"));
    };
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix(".*") {
            steps.push(Step::Wildcard);
            rest = r;
        } else if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            if end == 0 {
                return Err(format!("`{path}`: empty name"));
            }
            steps.push(Step::Key(r[..end].to_owned()));
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix("[*]") {
            steps.push(Step::Wildcard);
            rest = r;
        } else if let Some(r) = rest.strip_prefix("['").or_else(|| rest.strip_prefix("[\"")) {
            let quote = if rest.as_bytes()[1] == b'\'' { "']" } else { "\"]" };
            let end = r.find(quote).ok_or_else(|| format!("`{path}`: unclosed bracket"))?;
            steps.push(Step::Key(r[..end].to_owned()));
            rest = &r[end + 2..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']').ok_or_else(|| format!("`{path}`: unclosed bracket"))?;
            let index = r[..end]
                .parse()
                .map_err(|_| format!("`{path}`: only names, indexes and `*` are supported in targets"))?;
            steps.push(Step::Index(index));
            rest = &r[end + 1..];
        } else {
            return Err(format!("`{path}`: unexpected `{rest}`"));
        }
    }
    Ok(steps)
}

fn collect(node: &Value, steps: &[Step], pointer: String, out: &mut Vec<String>) {
    let Some((step, rest)) = steps.split_first() else {
        out.push(pointer);
        return;
    };
    match (step, node) {
        (Step::Key(k), Value::Object(map)) => {
            if let Some(child) = map.get(k) {
                collect(child, rest, join(&pointer, k), out);
            }
        }
        (Step::Index(i), Value::Array(items)) => {
            if let Some(child) = items.get(*i) {
                collect(child, rest, join(&pointer, &i.to_string()), out);
            }
        }
        (Step::Wildcard, Value::Object(map)) => {
            for (k, child) in map {
                collect(child, rest, join(&pointer, k), out);
            }
        }
        (Step::Wildcard, Value::Array(items)) => {
            for (i, child) in items.iter().enumerate() {
                collect(child, rest, join(&pointer, &i.to_string()), out);
            }
        }
        _ => {}
    }
}

fn merge(node: &mut Value, update: &Value) {
    match (node, update) {
        (Value::Object(target), Value::Object(update)) => {
            for (k, v) in update {
                match target.get_mut(k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        target.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (Value::Array(target), Value::Array(update)) => target.extend(update.iter().cloned()),
        (node, update) => *node = update.clone(),
    }
}

fn remove(doc: &mut Value, pointer: &str) -> Option<()> {
    let (parent, last) = pointer.rsplit_once('/')?;
    let last = last.replace("~1", "/").replace("~0", "~");
    match doc.pointer_mut(parent)? {
        Value::Object(map) => {
            map.shift_remove(&last);
        }
        Value::Array(items) => {
            let i: usize = last.parse().ok()?;
            if i < items.len() {
                items.remove(i);
            }
        }
        _ => {}
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn update_merges_and_remove_deletes() {
        let overlay = Overlay::parse(
            "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n\
             - target: $.components.schemas.User.properties.id\n  update: {nullable: true}\n\
             - target: $.components.schemas.User.required\n  update: [name]\n\
             - target: \"$.components.schemas['User'].properties.*.deprecated\"\n  remove: true\n\
             - target: $.components.schemas.Missing\n  update: {x: 1}\n",
        )
        .unwrap();
        let mut doc = json!({"components": {"schemas": {"User": {
            "required": ["id"],
            "properties": {"id": {"type": "string"}, "old": {"type": "string", "deprecated": true}}}}}});
        overlay.apply(&mut doc).unwrap();
        assert_eq!(
            doc,
            json!({"components": {"schemas": {"User": {
                "required": ["id", "name"],
                "properties": {"id": {"type": "string", "nullable": true}, "old": {"type": "string"}}}}}})
        );
    }

    #[test]
    fn bad_targets_are_errors() {
        let err = Overlay::parse("overlay: 1.0.0\nactions:\n- target: $..x[?(@.a)]\n  remove: true\n").unwrap_err();
        assert_eq!(err.pointer, "/actions/0/target");
        assert!(Overlay::parse("actions: []").is_err());
    }
}
