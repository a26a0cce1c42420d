//! Decoding JSON into generated types, with errors that name the failing field.

use serde::de::DeserializeOwned;
use std::fmt;

/// A response body that does not match the type it was decoded into.
///
/// The message names the path of the failing field (`data[3].email_addresses[0].id`), and
/// the body is kept so that nothing the server sent is lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    path: String,
    message: String,
    body: String,
}

impl DecodeError {
    /// The path of the field that failed, `.` for the document itself.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What serde reported.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The body that failed to decode.
    pub fn body(&self) -> &str {
        &self.body
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot decode the response at `{}`: {}", self.path, self.message)
    }
}

impl std::error::Error for DecodeError {}

/// Decodes `body` as JSON into `T`, naming the path of the field that fails.
///
/// ```
/// let err = clerk_sdk::decode::<Vec<u32>>(r#"[1, "two"]"#).unwrap_err();
/// assert_eq!(err.path(), "[1]");
/// assert_eq!(err.body(), r#"[1, "two"]"#);
/// ```
pub fn decode<T: DeserializeOwned>(body: &str) -> Result<T, DecodeError> {
    decode_bytes(body.as_bytes())
}

/// [`decode`] for a body as received.
///
/// The body is decoded once, on serde_json's fast path; the path of a failing field is
/// worked out afterwards from the error's position in the body. Decoding a second time
/// with a path-tracking deserializer would instantiate every model's `Deserialize` impl
/// twice, which is most of the crate's code size.
pub(crate) fn decode_bytes<T: DeserializeOwned>(body: &[u8]) -> Result<T, DecodeError> {
    serde_json::from_slice(body).map_err(|error| DecodeError::new(body, &error))
}

impl DecodeError {
    fn new(body: &[u8], error: &serde_json::Error) -> Self {
        let text = error.to_string();
        let suffix = format!(" at line {} column {}", error.line(), error.column());
        let message = text.strip_suffix(&suffix).unwrap_or(&text).to_owned();
        let path = if error.line() == 0 {
            ".".to_owned()
        } else {
            let at = offset(body, error.line(), error.column());
            field_path(&Locator::path_at(body, at), &message)
        };
        DecodeError { path, message, body: String::from_utf8_lossy(body).into_owned() }
    }
}

/// The byte offset serde_json means by `line` (1-based) and `column`: the first byte it
/// has not read, which is right after a value it rejected, or at the start of one it
/// rejected without reading.
fn offset(body: &[u8], line: usize, column: usize) -> usize {
    let start = if line <= 1 {
        0
    } else {
        body.iter().enumerate().filter(|(_, b)| **b == b'\n').nth(line - 2).map_or(body.len(), |(i, _)| i + 1)
    };
    (start + column).min(body.len())
}

/// A JSON object key, borrowed from the body when it has no escapes.
pub(crate) struct Key<'de>(std::borrow::Cow<'de, str>);

impl Key<'_> {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;

        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Key<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }

            fn visit_borrowed_str<E: serde::de::Error>(self, key: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(key.into()))
            }

            fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<Key<'de>, E> {
                Ok(Key(key.to_owned().into()))
            }

            fn visit_string<E: serde::de::Error>(self, key: String) -> Result<Key<'de>, E> {
                Ok(Key(key.into()))
            }
        }

        deserializer.deserialize_str(Visitor)
    }
}

/// Reading the fields of a generated struct from a JSON object.
pub(crate) trait Fields<'de>: serde::de::MapAccess<'de> {
    /// Reads the value of field `name` into its slot; a second value for it is an error.
    fn field<T: serde::Deserialize<'de>>(
        &mut self,
        slot: &mut Option<T>,
        name: &'static str,
    ) -> Result<(), Self::Error> {
        if slot.is_some() {
            return Err(serde::de::Error::duplicate_field(name));
        }
        *slot = Some(self.next_value()?);
        Ok(())
    }

    /// Skips the value of a key this version does not know.
    fn skip(&mut self) -> Result<(), Self::Error> {
        self.next_value::<serde::de::IgnoredAny>().map(drop)
    }
}

impl<'de, A: serde::de::MapAccess<'de>> Fields<'de> for A {}

/// The value of a required field, or the error naming it.
#[allow(dead_code, reason = "only builds whose models have a required field use it")]
pub(crate) fn required<T, E: serde::de::Error>(slot: Option<T>, name: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::missing_field(name))
}

/// Reads an open enum from its wire string, borrowing it when the deserializer can.
#[allow(dead_code, reason = "only builds whose models include an enum use it")]
pub(crate) fn open_enum<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: for<'a> From<&'a str>,
{
    struct Wire<T>(std::marker::PhantomData<T>);

    impl<T: for<'a> From<&'a str>> serde::de::Visitor<'_> for Wire<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }

        fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<T, E> {
            Ok(T::from(value))
        }
    }

    deserializer.deserialize_str(Wire(std::marker::PhantomData))
}

/// serde reports a missing field at the object that lacks it; name the field itself.
fn field_path(path: &str, message: &str) -> String {
    let missing = message.strip_prefix("missing field `").and_then(|rest| rest.split('`').next());
    match missing {
        Some(field) if path == "." => field.to_owned(),
        Some(field) => format!("{path}.{field}"),
        None => path.to_owned(),
    }
}

enum Segment {
    Key(String),
    Index(usize),
}

/// Finds the innermost JSON value whose text spans a byte offset (the byte right after a
/// value counts as part of it) and names its path, `email_addresses[0].id`.
struct Locator<'a> {
    text: &'a [u8],
    i: usize,
    at: usize,
    path: Vec<Segment>,
    found: Option<String>,
}

/// Nesting deeper than serde_json accepts is not walked.
const MAX_DEPTH: usize = 128;

impl<'a> Locator<'a> {
    fn path_at(text: &'a [u8], at: usize) -> String {
        let mut locator = Locator { text, i: 0, at, path: Vec::new(), found: None };
        // `None` means the walk stopped early: the target was found, passed, or the text
        // ended (a truncated body); the open containers are then the best answer.
        if locator.value(0).is_none() && locator.found.is_none() {
            return locator.render(locator.path.len());
        }
        locator.found.unwrap_or_else(|| ".".to_owned())
    }

    fn render(&self, len: usize) -> String {
        let mut out = String::new();
        for segment in &self.path[..len] {
            match segment {
                Segment::Key(key) if out.is_empty() => out.push_str(key),
                Segment::Key(key) => {
                    out.push('.');
                    out.push_str(key);
                }
                Segment::Index(index) => {
                    out.push('[');
                    out.push_str(&index.to_string());
                    out.push(']');
                }
            }
        }
        if out.is_empty() { ".".to_owned() } else { out }
    }

    fn peek(&mut self) -> Option<u8> {
        while let Some(&b) = self.text.get(self.i) {
            if !b.is_ascii_whitespace() {
                return Some(b);
            }
            self.i += 1;
        }
        None
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.i += 1)
    }

    /// Walks one value; `None` stops the walk.
    fn value(&mut self, depth: usize) -> Option<()> {
        let first = self.peek()?;
        let start = self.i;
        if start > self.at {
            // The offset lies between values: name the container around it.
            let len = self.path.len().saturating_sub(1);
            self.found = Some(self.render(len));
            return None;
        }
        if depth > MAX_DEPTH {
            return None;
        }
        match first {
            b'{' => {
                self.i += 1;
                if self.eat(b'}').is_none() {
                    loop {
                        let key = self.string()?;
                        self.eat(b':')?;
                        self.path.push(Segment::Key(key));
                        self.value(depth + 1)?;
                        self.path.pop();
                        if self.eat(b',').is_none() {
                            self.eat(b'}')?;
                            break;
                        }
                    }
                }
            }
            b'[' => {
                self.i += 1;
                if self.eat(b']').is_none() {
                    let mut index = 0;
                    loop {
                        self.path.push(Segment::Index(index));
                        self.value(depth + 1)?;
                        self.path.pop();
                        index += 1;
                        if self.eat(b',').is_none() {
                            self.eat(b']')?;
                            break;
                        }
                    }
                }
            }
            b'"' => {
                self.string()?;
            }
            _ => {
                let rest = &self.text[self.i..];
                let len = rest
                    .iter()
                    .position(|b| matches!(b, b',' | b']' | b'}') || b.is_ascii_whitespace())
                    .unwrap_or(rest.len());
                self.i += len.max(1);
            }
        }
        if self.at <= self.i {
            self.found = Some(self.render(self.path.len()));
            return None;
        }
        Some(())
    }

    /// A string's content (escapes other than `\"` and `\\` kept as written).
    fn string(&mut self) -> Option<String> {
        if self.peek()? != b'"' {
            return None;
        }
        let mut content = Vec::new();
        let mut i = self.i + 1;
        loop {
            match *self.text.get(i)? {
                b'"' => break,
                b'\\' => {
                    let escaped = *self.text.get(i + 1)?;
                    if !matches!(escaped, b'"' | b'\\') {
                        content.push(b'\\');
                    }
                    content.push(escaped);
                    i += 2;
                }
                b => {
                    content.push(b);
                    i += 1;
                }
            }
        }
        self.i = i + 1;
        Some(String::from_utf8_lossy(&content).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[derive(Debug, serde::Deserialize)]
    struct Outer {
        inner: Vec<Inner>,
    }

    #[derive(Debug, serde::Deserialize)]
    struct Inner {
        id: String,
    }

    #[test]
    fn errors_name_the_missing_or_wrong_field() {
        assert_eq!(decode::<Outer>(r#"{"inner": [{"id": "a"}]}"#).unwrap().inner[0].id, "a");
        let err = decode::<Outer>(r#"{"inner": [{"id": "a"}, {}]}"#).unwrap_err();
        assert_eq!(err.path(), "inner[1].id");
        assert_eq!(decode::<Outer>("{}").unwrap_err().path(), "inner");
        assert_eq!(decode::<Outer>(r#"{"inner": [{"id": 1}]}"#).unwrap_err().path(), "inner[0].id");
        assert!(decode::<Outer>("not json").unwrap_err().to_string().starts_with("cannot decode the response at `.`"));
    }

    #[test]
    fn paths_survive_layout_escapes_and_truncation() {
        let pretty = "{\n  \"inner\": [\n    {\"id\": \"a\"},\n    {\"id\": [1]}\n  ]\n}";
        assert_eq!(decode::<Outer>(pretty).unwrap_err().path(), "inner[1].id");
        let err = decode::<Outer>(r#"{"x\"y": {"inner": 1}, "inner": [{"id": "a", "id": "b"}]}"#).unwrap_err();
        assert_eq!((err.path(), err.message()), ("inner[0]", "duplicate field `id`"));
        assert_eq!(decode::<Outer>(r#"{"inner": [{"id": "a"}, {"id": "#).unwrap_err().path(), "inner[1].id");
        assert_eq!(decode::<Outer>(r#"{"inner": [{"id": "a"}]} trailing"#).unwrap_err().path(), ".");
        assert_eq!(decode::<std::collections::BTreeMap<String, u8>>(r#"{"a": 1, "b": 300}"#).unwrap_err().path(), "b");
        assert_eq!(decode::<Vec<Vec<bool>>>("[[true], [false, null]]").unwrap_err().path(), "[1][1]");
    }
}
