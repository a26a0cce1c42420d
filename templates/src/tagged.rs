//! Helpers for the generated `Deserialize` impls of unions: tagged ones, and untagged ones
//! whose variants differ by constant properties.

use serde::Deserialize;
use serde::de::DeserializeOwned;
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
/// [`crate::decode()`] names the union's path; the message names the field inside it
/// ("missing field `status`").
pub(crate) fn union<'de, D, T, F>(deserializer: D, pick: F) -> Result<T, D::Error>
where
    D: de::Deserializer<'de>,
    F: FnOnce(Value) -> Result<T, serde_json::Error>,
{
    let (mut pick, mut picked) = (Some(pick), None);
    let mut sink = |value: Value| match pick.take() {
        Some(pick) => pick(value).map(|variant| picked = Some(variant)),
        None => Err(de::Error::custom("a union's value was read twice")),
    };
    // One visitor type for every union, so the deserializer's code for it is compiled once,
    // not once per union.
    deserializer.deserialize_any(Union(&mut sink))?;
    picked.ok_or_else(|| de::Error::custom("a union's value was not read"))
}

/// Decodes one variant of a union from the union's value. Its error names the path of the
/// failing field inside the variant, which [`crate::decode()`] joins to the union's own path.
///
/// The variant is decoded from the value's text, by the deserializer every response is
/// decoded with: decoding it from the `Value` would compile the variant's decoding, and that
/// of every type inside it, a second time, for a deserializer used nowhere else.
pub(crate) fn variant<T: DeserializeOwned>(value: &Value) -> Result<T, serde_json::Error> {
    crate::decode::decode_bytes(value.to_string().as_bytes())
        .map_err(|e| de::Error::custom(crate::decode::nested(e.path(), e.message())))
}

/// One variant of an untagged union that has constants to pick variants by.
#[allow(dead_code, reason = "only builds with an untagged union picked by constants use it")]
pub(crate) struct Untagged<T> {
    /// The properties the variant requires with a single allowed value, and those values.
    pub constants: &'static [(&'static str, &'static str)],
    /// Decodes the variant (with [`variant`]).
    pub decode: fn(&Value) -> Result<T, serde_json::Error>,
}

/// The variant of an untagged union for `value`: the first of `variants` (listed most
/// demanding first) whose constants `value` has and that decodes. When none does, a value
/// that some variant's constants matched is an error, that of the last such variant (the
/// least demanding, which names the field that fails); any other value is a variant this
/// version does not know, `unknown(value)`, never an error.
#[allow(dead_code, reason = "only builds with an untagged union picked by constants use it")]
pub(crate) fn untagged<T>(
    value: Value,
    variants: &[Untagged<T>],
    unknown: fn(Value) -> T,
) -> Result<T, serde_json::Error> {
    let mut error = None;
    let matching =
        variants.iter().filter(|v| v.constants.iter().all(|(key, constant)| tag(&value, key) == Some(constant)));
    for v in matching {
        match (v.decode)(&value) {
            Ok(decoded) => return Ok(decoded),
            Err(e) if !v.constants.is_empty() => error = Some(e),
            Err(_) => {}
        }
    }
    error.map_or_else(|| Ok(unknown(value)), Err)
}

/// `Deserialize` for an untagged union whose variants have constants, from one line per
/// variant in the order they are tried (most demanding first), with the constants that
/// pick it: `Variant ["key" = "value", …]`. The union has an `Unknown(serde_json::Value)`
/// variant for values no variant claims; see [`untagged`].
#[allow(unused_macros, reason = "only builds with an untagged union picked by constants use it")]
macro_rules! by_constants {
    ($name:ident { $($variant:ident [$($key:literal = $value:literal),* $(,)?]),* $(,)? }) => {
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let variants = [
                    $(crate::tagged::Untagged::<Self> {
                        constants: &[$(($key, $value)),*],
                        decode: |value| Ok(Self::$variant(crate::tagged::variant(value)?)),
                    },)*
                ];
                crate::tagged::union(deserializer, |value| crate::tagged::untagged(value, &variants, Self::Unknown))
            }
        }
    };
}

#[allow(unused_imports, reason = "only builds with an untagged union picked by constants use it")]
pub(crate) use by_constants;

/// The visitor of every union: reads the value as JSON and hands it to the union's sink,
/// which picks the variant and keeps it.
struct Union<'a>(&'a mut dyn FnMut(Value) -> Result<(), serde_json::Error>);

impl Union<'_> {
    fn pick<E: de::Error>(self, value: Value) -> Result<(), E> {
        (self.0)(value).map_err(E::custom)
    }
}

impl<'de> Visitor<'de> for Union<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let value = Value::deserialize(MapAccessDeserializer::new(map))?;
        self.pick(value)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        let value = Value::deserialize(SeqAccessDeserializer::new(seq))?;
        self.pick(value)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.pick(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.pick(Value::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.pick(Value::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.pick(Value::from(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.pick(Value::from(v))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<(), E> {
        self.pick(Value::String(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.pick(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.pick(Value::Null)
    }

    fn visit_some<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        let value = Value::deserialize(deserializer)?;
        self.pick(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode;

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Public {
        kty: String,
        x: String,
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Private {
        kty: String,
        x: String,
        d: String,
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Rsa {
        kty: String,
        n: u32,
    }

    /// A key set's key, like `JwksKey`: variants told apart by `kty` and by `d`.
    #[derive(Debug, PartialEq)]
    enum Key {
        Private(Private),
        Public(Public),
        Rsa(Box<Rsa>),
        Unknown(Value),
    }

    by_constants! {
        Key {
            Private ["kty" = "OKP"],
            Public ["kty" = "OKP"],
            Rsa ["kty" = "RSA"],
        }
    }

    #[test]
    fn constants_and_demands_pick_the_variant_that_keeps_everything() {
        let private: Key = decode(r#"{"kty": "OKP", "x": "a", "d": "secret"}"#).unwrap();
        assert!(matches!(private, Key::Private(Private { ref d, .. }) if d == "secret"), "{private:?}");
        let public: Key = decode(r#"{"kty": "OKP", "x": "a"}"#).unwrap();
        assert!(matches!(public, Key::Public(_)), "{public:?}");
        // An RSA key has an `x` too here, but its constant picks it.
        let rsa: Key = decode(r#"{"kty": "RSA", "x": "a", "n": 7}"#).unwrap();
        assert!(matches!(rsa, Key::Rsa(ref k) if k.n == 7), "{rsa:?}");
    }

    #[test]
    fn an_unknown_kind_is_kept_and_a_known_one_that_fails_names_the_field() {
        let unknown: Key = decode(r#"{"kty": "EC", "x": "a"}"#).unwrap();
        assert!(matches!(unknown, Key::Unknown(ref v) if v["kty"] == "EC"), "{unknown:?}");
        let err = decode::<Vec<Key>>(r#"[{"kty": "RSA", "n": 1}, {"kty": "RSA", "n": "seven"}]"#).unwrap_err();
        assert_eq!((err.path(), err.message()), ("[1].n", "invalid type: string \"seven\", expected u32"));
        let err = decode::<Vec<Key>>(r#"[{"kty": "OKP"}]"#).unwrap_err();
        assert_eq!((err.path(), err.message()), ("[0].x", "missing field `x`"), "the least demanding variant's error");
    }
}
