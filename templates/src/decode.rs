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
    let de = &mut serde_json::Deserializer::from_str(body);
    serde_path_to_error::deserialize(de).map_err(|e| DecodeError {
        path: e.path().to_string(),
        message: e.inner().to_string(),
        body: body.to_owned(),
    })
}

/// The string value of `property`, used to pick the variant of a tagged union.
pub(crate) fn tag<'v>(value: &'v serde_json::Value, property: &str) -> Option<&'v str> {
    value.get(property)?.as_str()
}

/// Decodes one variant of a tagged union, keeping the path inside the variant in the
/// error message.
pub(crate) fn variant<T: DeserializeOwned, E: serde::de::Error>(value: serde_json::Value) -> Result<T, E> {
    serde_path_to_error::deserialize(value).map_err(|e| E::custom(format_args!("{}: {}", e.path(), e.inner())))
}
