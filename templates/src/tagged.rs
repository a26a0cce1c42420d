//! Helpers for the generated `Deserialize` impls of tagged unions.

use serde::de::DeserializeOwned;

/// The string value of `property`, used to pick the variant of a tagged union.
pub(crate) fn tag<'v>(value: &'v serde_json::Value, property: &str) -> Option<&'v str> {
    value.get(property)?.as_str()
}

/// Decodes one variant of a tagged union, keeping the path of the failing field inside
/// the variant in the error message.
pub(crate) fn variant<T: DeserializeOwned, E: serde::de::Error>(value: serde_json::Value) -> Result<T, E> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let message = e.inner().to_string();
        E::custom(format_args!("{}: {message}", crate::decode::field_path(&e.path().to_string(), &message)))
    })
}
