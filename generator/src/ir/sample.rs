//! Minimal valid instances of schemas, for the generated conformance test: the spec's own
//! `example` where it has one, else the smallest value its constraints allow.

use serde_json::{Map, Value, json};

/// A valid instance of the schema at `schema` in `doc`, or `None` when none can be built
/// within the depth limit.
pub(super) fn sample(doc: &Value, schema: &Value) -> Option<Value> {
    sample_at(doc, schema, 0)
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    let mut current = schema;
    for _ in 0..16 {
        match current.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
            Some(pointer) => match doc.pointer(pointer) {
                Some(target) => current = target,
                None => return current,
            },
            None => return current,
        }
    }
    current
}

fn sample_at(doc: &Value, schema: &Value, depth: usize) -> Option<Value> {
    if depth > 12 {
        return None;
    }
    let s = resolve(doc, schema);
    if let Some(example) = s.get("example") {
        return Some(example.clone());
    }
    if let Some(first) = s.get("enum").and_then(Value::as_array).and_then(|e| e.iter().find(|v| !v.is_null())) {
        return Some(first.clone());
    }
    if let Some(default) = s.get("default").filter(|d| !d.is_null()) {
        return Some(default.clone());
    }
    if let Some(parts) = s.get("allOf").and_then(Value::as_array) {
        let mut merged = Map::new();
        for part in parts {
            match sample_at(doc, part, depth + 1)? {
                Value::Object(map) => merged.extend(map),
                other if parts.len() == 1 => return Some(other),
                _ => {}
            }
        }
        if let Some(Value::Object(own)) = object(doc, s, depth) {
            merged.extend(own);
        }
        return Some(Value::Object(merged));
    }
    for key in ["oneOf", "anyOf"] {
        let branches = s.get(key).and_then(Value::as_array);
        let real = branches.and_then(|b| b.iter().find(|b| !is_constraint(resolve(doc, b))));
        if let Some(branch) = real {
            return sample_at(doc, branch, depth + 1);
        }
    }
    let kind = s.get("type").and_then(Value::as_str);
    match kind {
        Some("object") => object(doc, s, depth),
        None if s.get("properties").is_some() => object(doc, s, depth),
        Some("array") => {
            let item = s.get("items").and_then(|i| sample_at(doc, i, depth + 1)).unwrap_or(json!("x"));
            let count = s.get("minItems").and_then(Value::as_u64).unwrap_or(1).max(1);
            Some(Value::Array(vec![item; count as usize]))
        }
        Some("string") => Some(Value::String(string(s))),
        Some("integer") => Some(json!(number(s).round() as i64)),
        Some("number") => Some(json!(number(s))),
        Some("boolean") => Some(json!(false)),
        _ => Some(json!({})),
    }
}

fn is_constraint(s: &Value) -> bool {
    s.as_object().is_some_and(|m| m.keys().all(|k| k == "required" || k == "description"))
}

fn object(doc: &Value, s: &Value, depth: usize) -> Option<Value> {
    let mut out = Map::new();
    let properties = s.get("properties").and_then(Value::as_object);
    let mut required: Vec<&str> = s
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    // "One of these must be set" (`anyOf: [{required: [a]}, {required: [b]}]`): set the first.
    for key in ["anyOf", "oneOf"] {
        if let Some(first) = s.get(key).and_then(Value::as_array).and_then(|b| b.first()).filter(|b| is_constraint(b)) {
            required.extend(
                first.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str),
            );
        }
    }
    for name in required {
        if let Some(prop) = properties.and_then(|p| p.get(name)).or_else(|| part_property(doc, s, name)) {
            out.insert(name.to_owned(), sample_at(doc, prop, depth + 1)?);
        }
    }
    Some(Value::Object(out))
}

/// The property `name` of one of the `allOf` parts of `s`, for a schema that requires
/// properties its parts declare.
fn part_property<'a>(doc: &'a Value, s: &'a Value, name: &str) -> Option<&'a Value> {
    let parts = s.get("allOf").and_then(Value::as_array)?;
    parts.iter().find_map(|part| resolve(doc, part).get("properties").and_then(|p| p.get(name)))
}

fn string(s: &Value) -> String {
    if let Some(matching) = s.get("pattern").and_then(Value::as_str).and_then(from_pattern) {
        return matching;
    }
    let min = s.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let base = match s.get("format").and_then(Value::as_str) {
        Some("email") => "user@example.com".to_owned(),
        Some("uri" | "url") => "https://example.com".to_owned(),
        Some("date-time") => "2024-01-01T00:00:00Z".to_owned(),
        Some("date") => "2024-01-01".to_owned(),
        Some("uuid") => "00000000-0000-4000-8000-000000000000".to_owned(),
        _ => "sample".to_owned(),
    };
    if base.len() >= min { base } else { format!("{base}{}", "x".repeat(min - base.len())) }
}

/// A string matching a simple regular expression (anchors, literals, classes, groups
/// with alternatives, escapes and quantifiers), or `None` for anything fancier.
fn from_pattern(pattern: &str) -> Option<String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    parse_sequence(&chars, &mut i, &mut out)?;
    (i == chars.len()).then_some(out)
}

fn parse_sequence(chars: &[char], i: &mut usize, out: &mut String) -> Option<()> {
    while *i < chars.len() {
        let atom = match chars[*i] {
            '^' | '$' => {
                *i += 1;
                continue;
            }
            ')' | '|' => return Some(()),
            '(' => {
                *i += 1;
                if chars.get(*i..*i + 2) == Some(&['?', ':']) {
                    *i += 2;
                }
                let mut first = String::new();
                parse_sequence(chars, i, &mut first)?;
                // Skip the other alternatives.
                let mut depth = 0;
                while *i < chars.len() && !(depth == 0 && chars[*i] == ')') {
                    match chars[*i] {
                        '(' => depth += 1,
                        ')' => depth -= 1,
                        '\\' => *i += 1,
                        _ => {}
                    }
                    *i += 1;
                }
                *i += 1;
                first
            }
            '[' => {
                *i += 1;
                let negated = chars.get(*i) == Some(&'^');
                let first =
                    if chars.get(*i) == Some(&'\\') { class_escape(*chars.get(*i + 1)?) } else { *chars.get(*i)? };
                while *i < chars.len() && chars[*i] != ']' {
                    if chars[*i] == '\\' {
                        *i += 1;
                    }
                    *i += 1;
                }
                *i += 1;
                if negated {
                    return None;
                }
                first.to_string()
            }
            '\\' => {
                *i += 1;
                let c = *chars.get(*i)?;
                *i += 1;
                class_escape(c).to_string()
            }
            '.' => {
                *i += 1;
                "a".to_owned()
            }
            c => {
                *i += 1;
                c.to_string()
            }
        };
        let count = quantifier(chars, i)?;
        for _ in 0..count {
            out.push_str(&atom);
        }
    }
    Some(())
}

fn class_escape(c: char) -> char {
    match c {
        'w' => 'a',
        'd' => '0',
        's' => ' ',
        other => other,
    }
}

/// How many times to repeat the atom before `i`: the least the quantifier allows.
fn quantifier(chars: &[char], i: &mut usize) -> Option<usize> {
    match chars.get(*i) {
        Some('*') | Some('?') => {
            *i += 1;
            Some(0)
        }
        Some('+') => {
            *i += 1;
            Some(1)
        }
        Some('{') => {
            let end = chars[*i..].iter().position(|&c| c == '}')? + *i;
            let body: String = chars[*i + 1..end].iter().collect();
            *i = end + 1;
            body.split(',').next()?.trim().parse().ok()
        }
        _ => Some(1),
    }
}

fn number(s: &Value) -> f64 {
    let min = s.get("minimum").and_then(Value::as_f64);
    let max = s.get("maximum").and_then(Value::as_f64);
    match (min, max) {
        (Some(min), _) => min.max(1.0).min(max.unwrap_or(f64::MAX)),
        (None, Some(max)) => max.min(1.0),
        (None, None) => 1.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_match_simple_patterns() {
        assert_eq!(from_pattern("^aplt_[0-9A-Fa-f]{32}$").unwrap(), format!("aplt_{}", "0".repeat(32)));
        assert_eq!(from_pattern("^(user|org|mch|scim)_\\w{27}$").unwrap(), format!("user_{}", "a".repeat(27)));
        assert_eq!(from_pattern("^oauth_(?:(?:token_)|(?:custom_))?[a-z]+$").unwrap(), "oauth_a");
        assert_eq!(from_pattern("^[^a]$"), None);
    }

    #[test]
    fn fields_required_beside_all_of_are_sampled_from_its_parts() {
        let doc = json!({"components": {"schemas": {"P": {"properties": {"b": {"type": "integer"}}}}}});
        let schema = json!({
            "type": "object",
            "allOf": [{"properties": {"a": {"type": "string"}}}, {"$ref": "#/components/schemas/P"}],
            "required": ["a", "b"]
        });
        assert_eq!(sample(&doc, &schema), Some(json!({"a": "sample", "b": 1})));
    }

    #[test]
    fn samples_respect_examples_enums_refs_and_required_fields() {
        let doc = json!({"components": {"schemas": {"E": {"type": "string", "enum": ["b", "c"]}}}});
        let schema = json!({
            "type": "object",
            "required": ["a", "e", "n", "list", "mail"],
            "properties": {
                "a": {"type": "string", "example": "ex"},
                "e": {"$ref": "#/components/schemas/E"},
                "n": {"type": "integer", "minimum": 5},
                "list": {"type": "array", "items": {"type": "boolean"}},
                "mail": {"type": "string", "format": "email"},
                "optional": {"type": "string"}
            }
        });
        assert_eq!(
            sample(&doc, &schema),
            Some(json!({"a": "ex", "e": "b", "n": 5, "list": [false], "mail": "user@example.com"}))
        );
    }
}
