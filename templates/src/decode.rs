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

/// [`decode`] for a body as received. Decoding takes serde_json's fast path; only a body
/// that fails is decoded again, tracking the path, to say where.
pub(crate) fn decode_bytes<T: DeserializeOwned>(body: &[u8]) -> Result<T, DecodeError> {
    if let Ok(value) = serde_json::from_slice(body) {
        return Ok(value);
    }
    let de = &mut serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize(de) {
        Ok(value) => Ok(value),
        Err(e) => {
            let message = e.inner().to_string();
            let body = String::from_utf8_lossy(body).into_owned();
            Err(DecodeError { path: field_path(&e.path().to_string(), &message), message, body })
        }
    }
}

/// serde reports a missing field at the object that lacks it; name the field itself.
pub(crate) fn field_path(path: &str, message: &str) -> String {
    let missing = message.strip_prefix("missing field `").and_then(|rest| rest.split('`').next());
    match missing {
        Some(field) if path == "." => field.to_owned(),
        Some(field) => format!("{path}.{field}"),
        None => path.to_owned(),
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
}
