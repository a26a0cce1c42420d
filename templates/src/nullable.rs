//! [`Nullable`]: a request field that can be left out, sent as `null`, or sent with a value.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A field the spec marks optional *and* nullable, where leaving it out and sending `null`
/// mean different things: in a `PATCH`, [`Nullable::Unset`] keeps the stored value and
/// [`Nullable::Null`] clears it. Request builders set these fields with a setter per state
/// (`.first_name("Ada")`, `.first_name_null()`, or neither); nothing turns a missing value
/// into `Null`, so an `Option` is never converted into one.
///
/// ```
/// use clerk_sdk::Nullable;
///
/// let keep: Nullable<String> = Nullable::Unset;
/// let clear: Nullable<String> = Nullable::Null;
/// let set = Nullable::Value("Ada".to_owned());
/// assert!(keep.is_unset() && clear.is_null());
/// assert_eq!(set.as_option(), Some(&"Ada".to_owned()));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Nullable<T> {
    /// Not sent at all.
    #[default]
    Unset,
    /// Sent as `null`.
    Null,
    /// Sent with this value.
    Value(T),
}

impl<T> Nullable<T> {
    /// `true` for [`Nullable::Unset`]; generated structs skip such fields when serializing.
    pub fn is_unset(&self) -> bool {
        matches!(self, Nullable::Unset)
    }

    /// `true` for [`Nullable::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Nullable::Null)
    }

    /// The value, if there is one.
    pub fn as_option(&self) -> Option<&T> {
        match self {
            Nullable::Value(v) => Some(v),
            Nullable::Unset | Nullable::Null => None,
        }
    }

    /// The value, if there is one.
    pub fn into_option(self) -> Option<T> {
        match self {
            Nullable::Value(v) => Some(v),
            Nullable::Unset | Nullable::Null => None,
        }
    }
}

impl<T> From<T> for Nullable<T> {
    fn from(value: T) -> Self {
        Nullable::Value(value)
    }
}

impl<T: Serialize> Serialize for Nullable<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Nullable::Value(v) => v.serialize(serializer),
            Nullable::Unset | Nullable::Null => serializer.serialize_none(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Nullable<T> {
    /// A missing key becomes [`Nullable::Unset`] through `#[serde(default)]`.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Option::<T>::deserialize(deserializer)?.map_or(Nullable::Null, Nullable::Value))
    }
}

#[cfg(test)]
mod tests {
    use super::Nullable;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Patch {
        #[serde(default, skip_serializing_if = "Nullable::is_unset")]
        name: Nullable<String>,
    }

    #[test]
    fn three_states_round_trip() {
        for (patch, json) in [
            (Patch { name: Nullable::Unset }, "{}"),
            (Patch { name: Nullable::Null }, r#"{"name":null}"#),
            (Patch { name: Nullable::Value("Ada".into()) }, r#"{"name":"Ada"}"#),
        ] {
            assert_eq!(serde_json::to_string(&patch).unwrap(), json);
            assert_eq!(serde_json::from_str::<Patch>(json).unwrap(), patch);
        }
    }
}
