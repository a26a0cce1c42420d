//! Helpers for the generated `Deserialize` impls of tagged unions.

use serde::Deserialize;
use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::fmt;

/// The string value of `property`, used to pick the variant of a tagged union.
pub(crate) fn tag<'v>(value: &'v Value, property: &str) -> Option<&'v str> {
    value.get(property)?.as_str()
}

/// Reads a union's value as JSON and lets `pick` turn it into a variant.
///
/// `pick` runs inside the deserializer's own call for the value, so a deserializer that
/// tracks positions (serde_json does) reports `pick`'s errors at the union, and
/// [`crate::decode`] names the union's path; the message names the field inside it
/// ("missing field `status`").
pub(crate) fn union<'de, D, T, F>(deserializer: D, pick: F) -> Result<T, D::Error>
where
    D: de::Deserializer<'de>,
    F: FnOnce(Value) -> Result<T, serde_json::Error>,
{
    deserializer.deserialize_any(Union(pick))
}

struct Union<F>(F);

impl<F> Union<F> {
    fn pick<T, E: de::Error>(self, value: Value) -> Result<T, E>
    where
        F: FnOnce(Value) -> Result<T, serde_json::Error>,
    {
        (self.0)(value).map_err(E::custom)
    }
}

impl<'de, T, F: FnOnce(Value) -> Result<T, serde_json::Error>> Visitor<'de> for Union<F> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        let value = Value::deserialize(MapAccessDeserializer::new(map))?;
        self.pick(value)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<T, A::Error> {
        let value = Value::deserialize(SeqAccessDeserializer::new(seq))?;
        self.pick(value)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<T, E> {
        self.pick(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        self.pick(Value::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        self.pick(Value::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        self.pick(Value::from(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        self.pick(Value::from(v))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<T, E> {
        self.pick(Value::String(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<T, E> {
        self.pick(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<T, E> {
        self.pick(Value::Null)
    }

    fn visit_some<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        let value = Value::deserialize(deserializer)?;
        self.pick(value)
    }
}
