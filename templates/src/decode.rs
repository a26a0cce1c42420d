//! Decoding JSON into generated types, with errors that name the failing field.

use serde::de::DeserializeOwned;
use std::fmt;

/// A response body that does not match the type it was decoded into.
///
/// The message names the path of the failing field (`data[3].email_addresses[0].id`), and
/// the body is kept so that nothing the server sent is lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// What was being decoded, for the message: `the response` unless said otherwise.
    subject: &'static str,
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

    /// Names what failed to decode in the message (`the webhook payload`).
    #[allow(dead_code, reason = "only crates with webhooks use it")]
    pub(crate) fn of(mut self, subject: &'static str) -> Self {
        self.subject = subject;
        self
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot decode {} at `{}`: {}", self.subject, self.path, self.message)
    }
}

impl std::error::Error for DecodeError {}

/// Decodes `body` as JSON into `T`, naming the path of the field that fails.
///
/// Decoding follows the spec, with one leniency for fields it marks required: a missing
/// list, map or free-form object reads as empty, and a missing field with a spec default
/// takes the default, so that one record without them does not fail a whole page. Any other
/// missing required field fails with its path.
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
///
/// Nesting is not limited to serde_json's default 128 levels: free-form JSON that end users
/// write (`unsafe_metadata`) may be deeper, and one such record would fail a whole page.
/// A body that hits that limit is decoded again without it, on a stack of its own sized for
/// its depth (up to [`MAX_NESTING`]), so it is safe on any thread. Both run the same code:
/// the depth limit is a flag of the deserializer, not its type, and bodies of ordinary
/// depth pay nothing.
pub(crate) fn decode_bytes<T: DeserializeOwned>(body: &[u8]) -> Result<T, DecodeError> {
    let mut decoded = None::<T>;
    match decode_into(body, &mut decoded) {
        Ok(()) => match decoded {
            Some(value) => Ok(value),
            // `decode_into` succeeds only after the slot has been filled.
            None => Err(DecodeError::undecoded(body)),
        },
        Err(error) => Err(error),
    }
}

/// A slot that a value is decoded into: [`decode_into`] takes it as a trait object, so
/// the only code per response type is this impl (no closures, no combinators).
trait Slot {
    /// Decodes a value from `deserializer` into the slot.
    fn fill(
        &mut self,
        deserializer: &mut serde_json::Deserializer<serde_json::de::SliceRead<'_>>,
    ) -> serde_json::Result<()>;
}

impl<T: DeserializeOwned> Slot for Option<T> {
    fn fill(
        &mut self,
        deserializer: &mut serde_json::Deserializer<serde_json::de::SliceRead<'_>>,
    ) -> serde_json::Result<()> {
        match T::deserialize(deserializer) {
            Ok(value) => {
                *self = Some(value);
                Ok(())
            }
            Err(error) => Err(error),
        }
    }
}

/// The part of [`decode_bytes`] that does not depend on the type, compiled once rather than
/// once per response type: fills `slot` from a deserializer of `body`, again on a grown stack
/// without serde_json's depth limit when the body is nested too deeply, and checks that
/// nothing follows the value.
fn decode_into(body: &[u8], slot: &mut dyn Slot) -> Result<(), DecodeError> {
    let mut run = |unbounded: bool| {
        let mut deserializer = serde_json::Deserializer::from_slice(body);
        if unbounded {
            deserializer.disable_recursion_limit();
        }
        slot.fill(&mut deserializer).and_then(|()| deserializer.end())
    };
    let decoded = match run(false) {
        // serde_json has no error code to match: its message is the only sign.
        Err(error) if error.to_string().starts_with("recursion limit exceeded") => {
            let depth = nesting(body);
            if depth > MAX_NESTING {
                let message = format!("nested deeper than {MAX_NESTING} levels");
                let body = String::from_utf8_lossy(body).into_owned();
                return Err(DecodeError { subject: SUBJECT, path: ".".to_owned(), message, body });
            }
            stacker::grow(stack_for(depth), || run(true))
        }
        decoded => decoded,
    };
    decoded.map_err(|error| DecodeError::new(body, &error))
}

/// The stack a body nested `depth` levels deep is decoded on: a level of a
/// `serde_json::Value` takes about 1.5 KiB in a debug build (0.3 KiB optimised); 4 KiB a
/// level and 256 KiB for the models around it leave room. Pages are only committed as used.
fn stack_for(depth: usize) -> usize {
    256 * 1024 + depth * 4 * 1024
}

/// What a [`DecodeError`] says failed to decode, unless told otherwise.
const SUBJECT: &str = "the response";

/// The deepest nesting decoded: Clerk caps metadata at 8 KB, at most 4096 levels of
/// arrays, inside a response a few levels deep. There is a cap at all because a decoded
/// `serde_json::Value` is dropped recursively on the stack of whichever thread drops it
/// (about 150 bytes a level in a debug build, so 5000 levels fit a 1 MiB stack).
/// Decoding 5000 levels, by contrast, takes more than 6 MiB in a debug build.
pub(crate) const MAX_NESTING: usize = 5_000;

/// How deeply the arrays and objects of a JSON text nest (brackets in strings not counted).
fn nesting(body: &[u8]) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0, false, false);
    for &b in body {
        match (in_string, b) {
            (true, _) if escaped => escaped = false,
            (true, b'\\') => escaped = true,
            (true, b'"') | (false, b'"') => in_string = !in_string,
            (false, b'[' | b'{') => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            (false, b']' | b'}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

impl DecodeError {
    /// The error for a body that decoded without filling its slot, which cannot happen.
    fn undecoded(body: &[u8]) -> Self {
        Self::new(body, &<serde_json::Error as serde::de::Error>::custom("no value was decoded"))
    }

    fn new(body: &[u8], error: &serde_json::Error) -> Self {
        let text = error.to_string();
        let suffix = format!(" at line {} column {}", error.line(), error.column());
        let message = text.strip_suffix(&suffix).unwrap_or(&text);
        let path = if error.line() == 0 {
            ".".to_owned()
        } else {
            let at = offset(body, error.line(), error.column());
            Locator::path_at(body, at)
        };
        // An error from inside a value decoded on its own (a union's variant) names its own
        // path below the value's.
        let (path, message) = match split_nested(message) {
            Some((inner, message)) => (joined(&path, inner), message.to_owned()),
            None => (field_path(&path, message), message.to_owned()),
        };
        DecodeError { subject: SUBJECT, path, message, body: String::from_utf8_lossy(body).into_owned() }
    }
}

/// How the message of an error inside a value decoded on its own starts.
const NESTED: &str = "at `";

/// The message of an error at `path` inside a value decoded on its own, which
/// [`DecodeError`] turns back into a path below the value's own.
#[allow(dead_code, reason = "only crates with unions decoded by variant use it")]
pub(crate) fn nested(path: &str, message: &str) -> String {
    format!("{NESTED}{path}`: {message}")
}

/// The inner path and message of a [`nested`] message.
fn split_nested(message: &str) -> Option<(&str, &str)> {
    message.strip_prefix(NESTED)?.split_once("`: ")
}

/// `inner` (a path below `outer`, `.` for `outer` itself) as a path from the document.
fn joined(outer: &str, inner: &str) -> String {
    match (outer, inner) {
        (_, ".") => outer.to_owned(),
        (".", _) => inner.to_owned(),
        (_, index) if index.starts_with('[') => format!("{outer}{index}"),
        _ => format!("{outer}.{inner}"),
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
    start.saturating_add(column).min(body.len())
}

/// A JSON string, an object key or an open enum's wire value, borrowed from the body when it
/// has no escapes. Every such string is read through this one visitor type, so the
/// deserializer's code for strings is compiled once, not once per enum.
pub(crate) struct Text<'de>(std::borrow::Cow<'de, str>);

impl Text<'_> {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> serde::Deserialize<'de> for Text<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;

        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Text<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }

            fn visit_borrowed_str<E: serde::de::Error>(self, key: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(key.into()))
            }

            fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<Text<'de>, E> {
                Ok(Text(key.to_owned().into()))
            }

            fn visit_string<E: serde::de::Error>(self, key: String) -> Result<Text<'de>, E> {
                Ok(Text(key.into()))
            }
        }

        deserializer.deserialize_str(Visitor)
    }
}

/// Reads the value of field `name` of a generated struct into its slot; a second value for
/// it is an error. A free function, not a method: each call in [`object!`]'s expansion then
/// costs rustc no method lookup or trait selection.
#[allow(dead_code, reason = "only builds whose models include an object use it")]
pub(crate) fn field<'de, A, T>(map: &mut A, slot: &mut Option<T>, name: &'static str) -> Result<(), A::Error>
where
    A: serde::de::MapAccess<'de>,
    T: serde::Deserialize<'de>,
{
    if slot.is_some() {
        return Err(serde::de::Error::duplicate_field(name));
    }
    // A `match`, not `?`: this is compiled once per field type.
    match map.next_value() {
        Ok(value) => {
            *slot = Some(value);
            Ok(())
        }
        Err(error) => Err(error),
    }
}

/// Skips the value of a key this version does not know.
#[allow(dead_code, reason = "only builds whose models include an object use it")]
pub(crate) fn skip<'de, A: serde::de::MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<serde::de::IgnoredAny>().map(drop)
}

/// A generated struct read from the entries of a JSON object; [`object!`] implements it.
#[allow(dead_code, reason = "only builds whose models include an object use it")]
pub(crate) trait Object<'de>: Sized {
    /// What a value of another kind is reported against: `a User object`.
    const EXPECTING: &'static str;

    /// Reads the struct from the object's entries.
    fn visit_map<A: serde::de::MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
}

/// The serde visitor of every [`Object`]: a JSON object and nothing else (serde's derive
/// also emits a sequence visitor and a field-identifier type per struct, code JSON never
/// runs).
#[allow(dead_code, reason = "only builds whose models include an object use it")]
pub(crate) struct ObjectVisitor<T>(std::marker::PhantomData<T>);

impl<T> ObjectVisitor<T> {
    /// The visitor (a constant, not a constructor: no function per type in debug builds).
    #[allow(dead_code, reason = "only builds whose models include an object use it")]
    pub(crate) const NEW: Self = ObjectVisitor(std::marker::PhantomData);
}

impl<'de, T: Object<'de>> serde::de::Visitor<'de> for ObjectVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }

    // Inlined even in debug builds, so the struct's own `visit_map` is the only function.
    #[inline(always)]
    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::visit_map(map)
    }
}

/// `Serialize` and `Deserialize` for a generated struct, from one line per field:
/// `field: presence "key"`, where the presence says what a missing key or `null` means:
///
/// - `required`: the key must be there (a missing one is an error naming it);
/// - `empty`: a required list, map or object; a missing key reads as empty;
/// - `or(default)`: a required field with a default in the spec; a missing key reads as
///   the default (a literal that `.into()` turns into the field's type);
/// - `or_null`: an `Option` field the spec marks required; a missing key reads as `None`,
///   and `None` is sent as `null`;
/// - `optional`: an `Option` field; a missing key and `null` are both `None`, and `None` is
///   not sent;
/// - `nullable`: a [`crate::Nullable`] field; a missing key, `null` and a value are
///   distinct, and `Unset` is not sent.
///
/// `empty` and `or` keep one record that lacks a field with an obvious reading from failing
/// a whole response; `null` is still an error for them, as for `required`.
///
/// Serializing writes the fields in table order as a struct with the number of fields
/// sent, as serde's derive does (without its `skip_field` calls, which serializers do not
/// act on); this table is a fraction of the derive's code to compile. A field marked `#[deprecated]` is
/// read and set without a deprecation warning. Unknown keys are skipped; a duplicate key is
/// an error, as with serde's derive. Each field's value is collected in a local of the
/// field's own name, which the macro's own bindings cannot clash with (they are hygienic).
///
/// The expansion is most of what rustc checks in the crate, so it is kept small: errors
/// return through `match` rather than `?` (two calls each in a debug build), a key's field
/// is read in one `match` whose result is checked once, each field is written by one call
/// to [`put`] (or [`put_some`], [`put_set`]) with the result checked after the last, and
/// helpers are called by path, never as methods (no method lookup per field).
#[allow(unused_macros, reason = "only builds whose models include an object use it")]
macro_rules! object {
    ($name:ident {
        $($(#[$deprecated:ident])? $field:ident: $presence:ident $(($default:literal))? $key:literal),* $(,)?
    }) => {
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                // Fields always sent are counted in one sum of literals, the others as they
                // are checked.
                #[allow(unused_mut, reason = "only structs with fields left out when unset add to it")]
                let mut len: usize = 0 $( + crate::decode::object!(@always $presence) )*;
                $(
                    $(#[allow($deprecated, reason = "serializing reads every field, deprecated ones too")])?
                    { crate::decode::object!(@count $presence len self.$field); }
                )*
                let mut object = crate::decode::object!(@try serde::Serializer::serialize_struct(serializer, stringify!($name), len));
                let mut written = Ok(());
                $(
                    $(#[allow($deprecated, reason = "serializing reads every field, deprecated ones too")])?
                    { crate::decode::object!(@put $presence object written self.$field, $key); }
                )*
                match written {
                    Ok(()) => serde::ser::SerializeStruct::end(object),
                    Err(error) => Err(error),
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                serde::Deserializer::deserialize_map(deserializer, crate::decode::ObjectVisitor::NEW)
            }
        }

        impl<'de> crate::decode::Object<'de> for $name {
            const EXPECTING: &'static str = concat!("a ", stringify!($name), " object");

            fn visit_map<A: serde::de::MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
                $( let mut $field = None; )*
                while let Some(key) = crate::decode::object!(@try serde::de::MapAccess::next_key::<crate::decode::Text<'de>>(&mut map)) {
                    let read = match crate::decode::Text::as_str(&key) {
                        $( $key => crate::decode::field(&mut map, &mut $field, $key), )*
                        _ => crate::decode::skip(&mut map),
                    };
                    crate::decode::object!(@try read);
                }
                Ok(Self {
                    $(
                        $(#[allow($deprecated, reason = "decoding sets every field, deprecated ones too")])?
                        $field: crate::decode::object!(@take $presence $field $key $($default)?),
                    )*
                })
            }
        }
    };
    (@take required $slot:ident $key:literal) => {
        match $slot {
            Some(value) => value,
            None => return Err(serde::de::Error::missing_field($key)),
        }
    };
    (@take empty $slot:ident $key:literal) => { Option::unwrap_or_default($slot) };
    (@take or $slot:ident $key:literal $default:literal) => { Option::unwrap_or_else($slot, || $default.into()) };
    (@take or_null $slot:ident $key:literal) => { Option::flatten($slot) };
    (@take optional $slot:ident $key:literal) => { Option::flatten($slot) };
    (@take nullable $slot:ident $key:literal) => { Option::unwrap_or_default($slot) };
    (@always optional) => { 0 };
    (@always nullable) => { 0 };
    (@always $presence:ident) => { 1 };
    (@count optional $len:ident $value:expr) => { $len += Option::is_some(&$value) as usize };
    (@count nullable $len:ident $value:expr) => { $len += (!crate::Nullable::is_unset(&$value)) as usize };
    (@count $presence:ident $len:ident $value:expr) => {};
    (@put optional $object:ident $written:ident $value:expr, $key:literal) => {
        crate::decode::put_some(&mut $object, &mut $written, $key, &$value)
    };
    (@put nullable $object:ident $written:ident $value:expr, $key:literal) => {
        crate::decode::put_set(&mut $object, &mut $written, $key, &$value)
    };
    (@put $presence:ident $object:ident $written:ident $value:expr, $key:literal) => {
        crate::decode::put(&mut $object, &mut $written, $key, &$value)
    };
    (@try $result:expr) => {
        match $result {
            Ok(value) => value,
            Err(error) => return Err(error),
        }
    };
}

#[allow(unused_imports, reason = "only builds whose models include an object use it")]
pub(crate) use object;

/// Writes a field of a struct [`object!`] serializes, unless an earlier one failed: the
/// result is checked once, after the last field, not once per field.
#[allow(dead_code, reason = "only builds whose models include an object use it")]
pub(crate) fn put<S, T>(object: &mut S, written: &mut Result<(), S::Error>, key: &'static str, value: &T)
where
    S: serde::ser::SerializeStruct,
    T: serde::Serialize + ?Sized,
{
    if written.is_ok() {
        *written = object.serialize_field(key, value);
    }
}

/// [`put`] for an `optional` field: `None` is not sent.
#[allow(dead_code, reason = "only builds with an optional field use it")]
pub(crate) fn put_some<S, T>(object: &mut S, written: &mut Result<(), S::Error>, key: &'static str, value: &Option<T>)
where
    S: serde::ser::SerializeStruct,
    T: serde::Serialize,
{
    if value.is_some() {
        put(object, written, key, value);
    }
}

/// [`put`] for a `nullable` field: `Unset` is not sent.
#[allow(dead_code, reason = "only builds with a three-state field use it")]
pub(crate) fn put_set<S, T>(
    object: &mut S,
    written: &mut Result<(), S::Error>,
    key: &'static str,
    value: &crate::Nullable<T>,
) where
    S: serde::ser::SerializeStruct,
    T: serde::Serialize,
{
    if !value.is_unset() {
        put(object, written, key, value);
    }
}

/// `Display`, `Serialize` and `Deserialize` for a generated open enum, all through its wire
/// string: `as_str` and `From<&str>`.
#[allow(unused_macros, reason = "only builds whose models include an enum use it")]
macro_rules! open_enum {
    ($name:ident) => {
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                crate::decode::wire_str(deserializer)
            }
        }
    };
}

#[allow(unused_imports, reason = "only builds whose models include an enum use it")]
pub(crate) use open_enum;

/// Reads an open enum from its wire string, borrowing it when the deserializer can.
#[allow(dead_code, reason = "only builds whose models include an enum use it")]
pub(crate) fn wire_str<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: for<'a> From<&'a str>,
{
    match <Text<'de> as serde::Deserialize<'de>>::deserialize(deserializer) {
        Ok(key) => Ok(T::from(key.as_str())),
        Err(error) => Err(error),
    }
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

    fn nested(depth: usize) -> String {
        format!(r#"{{"id": "user_1", "unsafe_metadata": {}{}}}"#, "[".repeat(depth), "]".repeat(depth))
    }

    #[derive(Debug, serde::Deserialize)]
    struct Record {
        #[allow(dead_code, reason = "decoded, not read")]
        id: String,
        unsafe_metadata: serde_json::Value,
    }

    #[test]
    fn any_depth_the_server_may_store_decodes_on_a_small_stack() {
        // Decoding this deep where it is called overflows a 1 MiB stack; dropping fits.
        std::thread::Builder::new()
            .stack_size(1024 * 1024)
            .spawn(|| {
                let record: Record = decode(&nested(super::MAX_NESTING - 1)).unwrap();
                assert!(record.unsafe_metadata.is_array());
                let list: Vec<Record> = decode(&format!("[{}, {}]", nested(3), nested(4_096))).unwrap();
                assert_eq!(list.len(), 2);
                drop(list);
            })
            .unwrap()
            .join()
            .unwrap();
    }

    #[test]
    fn deeper_than_the_cap_is_an_error_not_a_crash() {
        let error = decode::<Record>(&nested(super::MAX_NESTING + 1)).unwrap_err();
        assert_eq!((error.path(), error.message()), (".", "nested deeper than 5000 levels"));
        assert_eq!(super::nesting(br#"{"a": "[[[{{{\"]]]", "b": [[]]}"#), 3);
        assert_eq!(super::nesting(b"]]]]"), 0);
    }

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

    /// Fields named like the bindings of `object!`'s expansion, one of each presence.
    #[derive(Debug, PartialEq)]
    struct Table {
        map: String,
        key: Option<u8>,
        r#type: crate::Nullable<bool>,
        #[deprecated]
        deserializer: Option<u8>,
    }

    super::object! {
        Table {
            map: required "map",
            key: optional "key",
            r#type: nullable "type",
            #[deprecated] deserializer: optional "old",
        }
    }

    #[allow(deprecated, reason = "the test builds a value with every field")]
    fn table(key: Option<u8>, r#type: crate::Nullable<bool>, deserializer: Option<u8>) -> Table {
        Table { map: "m".to_owned(), key, r#type, deserializer }
    }

    #[test]
    fn field_tables_read_each_presence_whatever_the_field_names() {
        use crate::Nullable;
        assert_eq!(decode::<Table>(r#"{"map": "m", "skipped": [{}]}"#).unwrap(), table(None, Nullable::Unset, None));
        let all = r#"{"old": 2, "type": true, "key": 1, "map": "m"}"#;
        assert_eq!(decode::<Table>(all).unwrap(), table(Some(1), Nullable::Value(true), Some(2)));
        let nulls = r#"{"map": "m", "key": null, "type": null, "old": null}"#;
        assert_eq!(decode::<Table>(nulls).unwrap(), table(None, Nullable::Null, None));
    }

    /// A record as Clerk sends it at times: without a list, an object and a flag the spec
    /// marks required.
    #[derive(Debug, PartialEq)]
    struct Sparse {
        id: String,
        passkeys: Vec<String>,
        public_metadata: serde_json::Map<String, serde_json::Value>,
        has_image: bool,
        limit: i64,
        name: String,
    }

    super::object! {
        Sparse {
            id: required "id",
            passkeys: empty "passkeys",
            public_metadata: empty "public_metadata",
            has_image: or(true) "has_image",
            limit: or(-1i64) "limit",
            name: or("anonymous") "name",
        }
    }

    #[test]
    fn absent_collections_read_as_empty_and_absent_defaults_as_the_default() {
        let sparse = decode::<Sparse>(r#"{"id": "u1"}"#).unwrap();
        let expected = Sparse {
            id: "u1".to_owned(),
            passkeys: Vec::new(),
            public_metadata: serde_json::Map::new(),
            has_image: true,
            limit: -1,
            name: "anonymous".to_owned(),
        };
        assert_eq!(sparse, expected);
        let full = r#"{"id": "u1", "passkeys": ["p"], "public_metadata": {"a": 1}, "has_image": false, "limit": 3, "name": "n"}"#;
        let full = decode::<Sparse>(full).unwrap();
        assert_eq!((full.passkeys.len(), full.public_metadata.len(), full.has_image, full.limit), (1, 1, false, 3));
        assert_eq!(decode::<Sparse>("{}").unwrap_err().path(), "id", "a field without an obvious reading still fails");
        let err = decode::<Sparse>(r#"{"id": "u1", "passkeys": null}"#).unwrap_err();
        assert_eq!((err.path(), err.message()), ("passkeys", "invalid type: null, expected a sequence"));
    }

    /// A request body with each way a field may be left out or sent as `null`.
    #[derive(Debug, PartialEq)]
    struct Patch {
        name: String,
        note: Option<String>,
        limit: Option<u8>,
        r#type: crate::Nullable<bool>,
        #[deprecated]
        legacy: Option<u8>,
    }

    super::object! {
        Patch {
            name: required "name",
            note: or_null "note",
            limit: optional "limit",
            r#type: nullable "type",
            #[deprecated] legacy: optional "old",
        }
    }

    #[allow(deprecated, reason = "the test builds a value with every field")]
    fn patch(note: Option<&str>, limit: Option<u8>, r#type: crate::Nullable<bool>, legacy: Option<u8>) -> Patch {
        Patch { name: "n".to_owned(), note: note.map(str::to_owned), limit, r#type, legacy }
    }

    #[test]
    fn field_tables_serialize_in_order_and_leave_out_what_is_not_sent() {
        use crate::Nullable;
        let json = |patch: &Patch| serde_json::to_string(patch).unwrap();
        let bare = patch(None, None, Nullable::Unset, None);
        assert_eq!(json(&bare), r#"{"name":"n","note":null}"#);
        let full = patch(Some("x"), Some(1), Nullable::Value(true), Some(2));
        assert_eq!(json(&full), r#"{"name":"n","note":"x","limit":1,"type":true,"old":2}"#);
        assert_eq!(json(&patch(None, None, Nullable::Null, None)), r#"{"name":"n","note":null,"type":null}"#);
        assert_eq!(decode::<Patch>(&json(&full)).unwrap(), full);
        let value = serde_json::to_value(&bare).unwrap();
        assert_eq!(value, serde_json::json!({"name": "n", "note": null}));
        assert_eq!(decode::<Patch>(r#"{"name": "n"}"#).unwrap(), bare, "a missing `or_null` key reads as `None`");
    }

    /// A value that cannot be serialized.
    #[derive(Debug, PartialEq)]
    struct Unsendable;

    impl serde::Serialize for Unsendable {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("cannot be sent"))
        }
    }

    impl<'de> serde::Deserialize<'de> for Unsendable {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            serde::de::IgnoredAny::deserialize(deserializer).map(|_| Unsendable)
        }
    }

    #[derive(Debug, PartialEq)]
    struct Partial {
        before: u8,
        middle: Unsendable,
        after: Option<u8>,
    }

    super::object! {
        Partial {
            before: required "before",
            middle: required "middle",
            after: optional "after",
        }
    }

    #[test]
    fn a_field_that_cannot_be_serialized_fails_the_struct_and_nothing_after_it_is_written() {
        let mut out = Vec::new();
        let err =
            serde_json::to_writer(&mut out, &Partial { before: 1, middle: Unsendable, after: Some(2) }).unwrap_err();
        assert_eq!(err.to_string(), "cannot be sent");
        let written = String::from_utf8(out).unwrap();
        assert!(written.contains(r#""before":1"#) && !written.contains("after"), "{written}");
    }

    #[test]
    fn field_tables_report_missing_duplicate_and_misshapen_values() {
        let err = decode::<Table>(r#"{"key": 1}"#).unwrap_err();
        assert_eq!((err.path(), err.message()), ("map", "missing field `map`"));
        let err = decode::<Table>(r#"{"map": "m", "type": true, "type": false}"#).unwrap_err();
        assert_eq!((err.path(), err.message()), (".", "duplicate field `type`"));
        let err = decode::<Table>(r#"{"map": null}"#).unwrap_err();
        assert_eq!((err.path(), err.message()), ("map", "invalid type: null, expected a string"));
        assert_eq!(decode::<Table>("[]").unwrap_err().message(), "invalid type: sequence, expected a Table object");
    }

    #[derive(Debug, PartialEq)]
    enum Color {
        Red,
        Unknown(String),
    }

    impl Color {
        fn as_str(&self) -> &str {
            match self {
                Self::Red => "red",
                Self::Unknown(value) => value,
            }
        }
    }

    impl From<&str> for Color {
        fn from(value: &str) -> Self {
            if value == "red" { Self::Red } else { Self::Unknown(value.to_owned()) }
        }
    }

    super::open_enum!(Color);

    #[test]
    fn open_enums_go_through_their_wire_string() {
        assert_eq!(
            decode::<Vec<Color>>(r#"["red", "r\u0065d", "blue"]"#).unwrap(),
            [Color::Red, Color::Red, Color::Unknown("blue".to_owned())]
        );
        assert_eq!(serde_json::to_string(&[Color::Red, Color::Unknown("x".to_owned())]).unwrap(), r#"["red","x"]"#);
        assert_eq!(Color::Unknown("blue".to_owned()).to_string(), "blue");
        assert_eq!(decode::<Color>("1").unwrap_err().message(), "invalid type: integer `1`, expected a string");
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
