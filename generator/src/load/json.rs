//! A JSON reader: `serde_json` parses (so every JSON escape, surrogate pairs included, and
//! every number reads exactly as JSON means it), duplicate keys are an error with a location
//! as in YAML, and a JSON pointer maps back to a line by a scan of the text.

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::fmt;

use crate::error::{Diagnostic, join};

/// Parses a JSON document.
pub(super) fn parse(text: &str) -> Result<Value, Diagnostic> {
    let duplicate = RefCell::new(None);
    let mut reader = serde_json::Deserializer::from_str(text);
    let parsed = Node { pointer: String::new(), duplicate: &duplicate }.deserialize(&mut reader);
    match parsed.and_then(|value| reader.end().map(|()| value)) {
        Ok(value) => Ok(value),
        Err(e) => {
            let message = e.to_string();
            let message = message.rsplit_once(" at line ").map_or(message.as_str(), |(m, _)| m);
            let pointer = duplicate.into_inner().unwrap_or_default();
            // Data errors are this reader's own (a duplicate key); the rest are syntax.
            let message = match e.classify() {
                serde_json::error::Category::Data => message.to_owned(),
                _ => format!("not valid JSON: {message}"),
            };
            Err(Diagnostic { line: Some(e.line()), column: Some(e.column()), ..Diagnostic::at(pointer, message) })
        }
    }
}

/// Builds a [`Value`] while tracking where it is, so that a duplicate key names its pointer.
struct Node<'d> {
    pointer: String,
    duplicate: &'d RefCell<Option<String>>,
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            let child = Node { pointer: join(&self.pointer, &items.len().to_string()), duplicate: self.duplicate };
            match seq.next_element_seed(child)? {
                Some(item) => items.push(item),
                None => return Ok(Value::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = entries.next_key::<String>()? {
            let pointer = join(&self.pointer, &key);
            if map.contains_key(&key) {
                *self.duplicate.borrow_mut() = Some(pointer);
                return Err(de::Error::custom(format!("duplicate key `{key}`")));
            }
            let value = entries.next_value_seed(Node { pointer, duplicate: self.duplicate })?;
            map.insert(key, value);
        }
        Ok(Value::Object(map))
    }
}

/// Finds the line and column (both 1-based) of the node at `pointer`, or of its deepest
/// existing ancestor. For an object member it is the position of the key.
pub(super) fn locate(text: &str, pointer: &str) -> Option<(usize, usize)> {
    let mut scan = Scan { bytes: text.as_bytes(), pos: 0, target: pointer, best: None };
    scan.skip_space();
    // A malformed document still locates what was found before the fault.
    let _ = scan.value("", 0);
    let (_, offset) = scan.best?;
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Some((line, column))
}

/// A scan over the text that notes the offset of the deepest node on the way to `target`.
struct Scan<'a> {
    bytes: &'a [u8],
    pos: usize,
    target: &'a str,
    /// (pointer length, byte offset) of the deepest match so far.
    best: Option<(usize, usize)>,
}

impl Scan<'_> {
    fn skip_space(&mut self) {
        while self.bytes.get(self.pos).is_some_and(u8::is_ascii_whitespace) {
            self.pos += 1;
        }
    }

    /// Notes `pointer` at the current offset when it leads to the target.
    fn note(&mut self, pointer: &str) {
        let leads = self.target == pointer
            || (self.target.starts_with(pointer) && self.target.as_bytes().get(pointer.len()) == Some(&b'/'));
        if leads && self.best.is_none_or(|(len, _)| pointer.len() >= len) {
            self.best = Some((pointer.len(), self.pos));
        }
    }

    /// Scans one value; `None` where the text is not JSON.
    fn value(&mut self, pointer: &str, depth: usize) -> Option<()> {
        if depth > super::yaml::MAX_DEPTH {
            return None;
        }
        match *self.bytes.get(self.pos)? {
            b'{' => {
                self.pos += 1;
                self.members(pointer, depth)
            }
            b'[' => {
                self.pos += 1;
                self.items(pointer, depth)
            }
            b'"' => self.string().map(drop),
            _ => {
                while self.bytes.get(self.pos).is_some_and(|b| !b",]} \t\r\n".contains(b)) {
                    self.pos += 1;
                }
                Some(())
            }
        }
    }

    fn members(&mut self, pointer: &str, depth: usize) -> Option<()> {
        loop {
            self.skip_space();
            match *self.bytes.get(self.pos)? {
                b'}' => {
                    self.pos += 1;
                    return Some(());
                }
                b',' => self.pos += 1,
                b'"' => {
                    let start = self.pos;
                    let key: String = serde_json::from_slice(self.string()?).ok()?;
                    let child = join(pointer, &key);
                    let end = self.pos;
                    self.pos = start;
                    self.note(&child);
                    self.pos = end;
                    self.skip_space();
                    (self.bytes.get(self.pos) == Some(&b':')).then_some(())?;
                    self.pos += 1;
                    self.skip_space();
                    self.value(&child, depth + 1)?;
                }
                _ => return None,
            }
        }
    }

    fn items(&mut self, pointer: &str, depth: usize) -> Option<()> {
        let mut index = 0;
        loop {
            self.skip_space();
            match *self.bytes.get(self.pos)? {
                b']' => {
                    self.pos += 1;
                    return Some(());
                }
                b',' => self.pos += 1,
                _ => {
                    let child = join(pointer, &index.to_string());
                    self.note(&child);
                    self.value(&child, depth + 1)?;
                    index += 1;
                }
            }
        }
    }

    /// Scans a string literal and returns it with its quotes.
    fn string(&mut self) -> Option<&[u8]> {
        let start = self.pos;
        self.pos += 1;
        loop {
            match *self.bytes.get(self.pos)? {
                b'\\' => self.pos += 2,
                b'"' => {
                    self.pos += 1;
                    return self.bytes.get(start..self.pos);
                }
                _ => self.pos += 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_escapes_yaml_rejects_and_keeps_key_order() {
        let v = parse(r#"{"z": "\ud83d\udc4d \/ \u00e9", "a": [1, 2.5, -3, true, null]}"#).unwrap();
        assert_eq!(v, json!({"z": "👍 / é", "a": [1, 2.5, -3, true, null]}));
        assert_eq!(serde_json::to_string(&v).unwrap(), r#"{"z":"👍 / é","a":[1,2.5,-3,true,null]}"#);
    }

    #[test]
    fn duplicate_key_names_pointer_and_line() {
        let err = parse("{\"paths\": {\n  \"/users\": {\n    \"get\": {},\n    \"get\": {}\n  }\n}}").unwrap_err();
        assert_eq!(err.pointer, "/paths/~1users/get");
        assert_eq!(err.line, Some(4));
        assert!(err.message.contains("duplicate key `get`"), "{}", err.message);
    }

    #[test]
    fn syntax_errors_have_a_line() {
        let err = parse("{\n  \"a\": [1, 2\n}").unwrap_err();
        assert_eq!(err.line, Some(3));
        assert!(err.message.starts_with("not valid JSON"), "{}", err.message);
        assert!(parse("{} {}").unwrap_err().message.starts_with("not valid JSON"));
        assert!(parse("").is_err());
    }

    #[test]
    fn locate_finds_key_item_or_deepest_ancestor() {
        let text = "{\n  \"a\": {\n    \"b~c/d\": 1,\n    \"e\": [\"x\", {\"f\": \"y\\\"}\"}]\n  }\n}";
        assert_eq!(locate(text, "/a/b~0c~1d"), Some((3, 5)));
        assert_eq!(locate(text, "/a/e/1/f"), Some((4, 17)));
        assert_eq!(locate(text, "/a/e/0"), Some((4, 11)));
        assert_eq!(locate(text, "/a/missing"), Some((2, 3)));
        assert_eq!(locate(text, "/nothing"), None);
    }
}
