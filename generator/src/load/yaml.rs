//! A YAML 1.2 (and so JSON) reader that builds a [`serde_json::Value`] and can map a JSON
//! pointer back to a line.
//!
//! It sits on `saphyr-parser`'s event stream instead of a serde back-end for two reasons:
//! duplicate keys must be an error with a location (serde back-ends either keep the last
//! one or make `openapiv3` panic), and a diagnostic about `#/paths/~1users/get` is only
//! useful with the line it is on. Plain scalars are resolved with the YAML 1.2 core schema,
//! so `on`, `yes` and `0777` stay strings, as in JSON.

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span, Tag};
use serde_json::{Map, Number, Value};
use std::collections::HashMap;

use crate::error::{Diagnostic, join};

/// Nesting deeper than this is rejected rather than risking the stack.
pub(crate) const MAX_DEPTH: usize = 128;

/// Parses a YAML or JSON document into a JSON value.
pub fn parse(text: &str) -> Result<Value, Diagnostic> {
    Reader::new(text, None).document()
}

/// Finds the line and column (both 1-based) of the node at `pointer`, or of its deepest
/// existing ancestor. For a mapping entry it is the position of the key.
pub fn locate(text: &str, pointer: &str) -> Option<(usize, usize)> {
    let mut reader = Reader::new(text, Some(pointer));
    let _ = reader.document();
    reader.best.map(|(_, span)| (span.start.line(), span.start.col() + 1))
}

struct Reader<'a> {
    parser: Parser<'a, saphyr_parser::StrInput<'a>>,
    anchors: HashMap<usize, Value>,
    target: Option<&'a str>,
    best: Option<(usize, Span)>,
}

type Ev<'a> = (Event<'a>, Span);

impl<'a> Reader<'a> {
    fn new(text: &'a str, target: Option<&'a str>) -> Self {
        Self { parser: Parser::new_from_str(text), anchors: HashMap::new(), target, best: None }
    }

    fn next(&mut self) -> Result<Ev<'a>, Diagnostic> {
        match self.parser.next_event() {
            Some(Ok(ev)) => Ok(ev),
            Some(Err(e)) => Err(scan_error(&e)),
            None => Err(Diagnostic::at("", "unexpected end of input")),
        }
    }

    fn document(&mut self) -> Result<Value, Diagnostic> {
        let mut value = None;
        loop {
            let (event, span) = self.next()?;
            match event {
                Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
                Event::DocumentStart(_) if value.is_some() => {
                    return Err(located("", span, "the file holds more than one YAML document"));
                }
                Event::DocumentStart(_) => {
                    let (event, span) = self.next()?;
                    value = Some(self.node(event, span, String::new(), 0)?);
                }
                Event::StreamEnd => {
                    return value.ok_or_else(|| Diagnostic::at("", "the file is empty"));
                }
                _ => return Err(located("", span, "unexpected YAML event at document level")),
            }
        }
    }

    fn note(&mut self, pointer: &str, span: Span) {
        let Some(target) = self.target else { return };
        let matches =
            target == pointer || (target.starts_with(pointer) && target.as_bytes().get(pointer.len()) == Some(&b'/'));
        if matches && self.best.is_none_or(|(len, _)| pointer.len() >= len) {
            self.best = Some((pointer.len(), span));
        }
    }

    fn node(&mut self, event: Event<'a>, span: Span, pointer: String, depth: usize) -> Result<Value, Diagnostic> {
        if depth > MAX_DEPTH {
            return Err(located(&pointer, span, "nesting is too deep"));
        }
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let value = scalar(&text, style, tag.as_deref()).map_err(|m| located(&pointer, span, &m))?;
                self.anchor(anchor, &value);
                Ok(value)
            }
            Event::Alias(id) => {
                self.anchors.get(&id).cloned().ok_or_else(|| located(&pointer, span, "alias to an unknown anchor"))
            }
            Event::SequenceStart(anchor, _) => {
                let mut items = Vec::new();
                loop {
                    let (event, span) = self.next()?;
                    if matches!(event, Event::SequenceEnd) {
                        break;
                    }
                    let child = join(&pointer, &items.len().to_string());
                    self.note(&child, span);
                    items.push(self.node(event, span, child, depth + 1)?);
                }
                let value = Value::Array(items);
                self.anchor(anchor, &value);
                Ok(value)
            }
            Event::MappingStart(anchor, _) => {
                let mut map = Map::new();
                loop {
                    let (event, key_span) = self.next()?;
                    let key = match event {
                        Event::MappingEnd => break,
                        Event::Scalar(text, ..) => text.into_owned(),
                        Event::Alias(id) => match self.anchors.get(&id) {
                            Some(Value::String(s)) => s.clone(),
                            _ => return Err(located(&pointer, key_span, "mapping keys must be strings")),
                        },
                        _ => return Err(located(&pointer, key_span, "mapping keys must be strings")),
                    };
                    let child = join(&pointer, &key);
                    if map.contains_key(&key) {
                        return Err(located(&child, key_span, &format!("duplicate key `{key}`")));
                    }
                    self.note(&child, key_span);
                    let (event, span) = self.next()?;
                    let value = self.node(event, span, child, depth + 1)?;
                    map.insert(key, value);
                }
                let value = Value::Object(map);
                self.anchor(anchor, &value);
                Ok(value)
            }
            _ => Err(located(&pointer, span, "unexpected YAML event")),
        }
    }

    fn anchor(&mut self, anchor: usize, value: &Value) {
        if anchor != 0 {
            self.anchors.insert(anchor, value.clone());
        }
    }
}

fn located(pointer: &str, span: Span, message: &str) -> Diagnostic {
    Diagnostic { line: Some(span.start.line()), column: Some(span.start.col() + 1), ..Diagnostic::at(pointer, message) }
}

fn scan_error(e: &ScanError) -> Diagnostic {
    Diagnostic {
        line: Some(e.marker().line()),
        column: Some(e.marker().col() + 1),
        ..Diagnostic::at("", format!("not valid YAML: {}", e.info()))
    }
}

/// Resolves a scalar with the YAML 1.2 core schema (plain scalars) or as a string (quoted).
fn scalar(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> Result<Value, String> {
    if let Some(tag) = tag.filter(|t| t.handle == "tag:yaml.org,2002:" || t.handle == "!!") {
        return match tag.suffix.as_str() {
            "str" => Ok(Value::String(text.to_string())),
            "null" => Ok(Value::Null),
            "bool" | "int" | "float" => plain(text),
            other => Err(format!("unsupported YAML tag `!!{other}`")),
        };
    }
    if style != ScalarStyle::Plain {
        return Ok(Value::String(text.to_string()));
    }
    plain(text)
}

fn plain(text: &str) -> Result<Value, String> {
    Ok(match text {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "-.inf" | ".nan" | ".NaN" | ".NAN" => {
            return Err(format!("`{text}` has no JSON representation"));
        }
        _ => number(text).unwrap_or_else(|| Value::String(text.to_owned())),
    })
}

fn number(text: &str) -> Option<Value> {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if let Some(hex) = text.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok().map(Value::from);
    }
    if let Some(oct) = text.strip_prefix("0o") {
        return i64::from_str_radix(oct, 8).ok().map(Value::from);
    }
    if !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(i) = text.parse::<i64>() {
            return Some(Value::from(i));
        }
        if let Ok(u) = text.parse::<u64>() {
            return Some(Value::from(u));
        }
    }
    let is_float = {
        let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
            Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
            None => (unsigned, None),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        (!int.is_empty() || !frac.is_empty())
            && digits(int)
            && digits(frac)
            && exponent.is_none_or(|e| {
                let e = e.strip_prefix(['-', '+']).unwrap_or(e);
                !e.is_empty() && digits(e)
            })
    };
    if is_float {
        return text.parse::<f64>().ok().and_then(Number::from_f64).map(Value::Number);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resolves_core_schema_scalars() {
        let v = parse("a: 1\nb: 1.5\nc: true\nd: ~\ne: 'true'\nf: yes\ng: 0x1F\nh: -3e2\ni: '200'\n").unwrap();
        assert_eq!(
            v,
            json!({"a": 1, "b": 1.5, "c": true, "d": null, "e": "true", "f": "yes", "g": 31, "h": -300.0, "i": "200"})
        );
    }

    #[test]
    fn keeps_key_order_and_reads_json() {
        let v = parse(r#"{"z": [1, {"y": "x"}], "a": null}"#).unwrap();
        assert_eq!(serde_json::to_string(&v).unwrap(), r#"{"z":[1,{"y":"x"}],"a":null}"#);
    }

    #[test]
    fn duplicate_key_names_pointer_and_line() {
        let err = parse("paths:\n  /users:\n    get: {}\n    get: {}\n").unwrap_err();
        assert_eq!(err.pointer, "/paths/~1users/get");
        assert_eq!(err.line, Some(4));
        assert!(err.message.contains("duplicate key"), "{}", err.message);
    }

    #[test]
    fn syntax_error_has_line() {
        let err = parse("a:\n  b: [1, 2\nc: 3\n").unwrap_err();
        assert!(err.line.is_some());
        assert!(err.message.starts_with("not valid YAML"), "{}", err.message);
    }

    #[test]
    fn locate_finds_key_or_deepest_ancestor() {
        let text = "a:\n  b:\n    c: 1\n  d: [x, y]\n";
        assert_eq!(locate(text, "/a/b/c"), Some((3, 5)));
        assert_eq!(locate(text, "/a/d/1"), Some((4, 10)));
        assert_eq!(locate(text, "/a/b/missing"), Some((2, 3)));
    }

    #[test]
    fn anchors_and_aliases_expand() {
        let v = parse("a: &x {k: 1}\nb: *x\n").unwrap();
        assert_eq!(v["b"], json!({"k": 1}));
    }

    #[test]
    fn empty_and_multi_document_inputs_are_errors() {
        assert!(parse("").is_err());
        assert!(parse("a: 1\n---\nb: 2\n").is_err());
    }
}
