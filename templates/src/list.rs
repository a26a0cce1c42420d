//! [`List`]: the answer of a list operation that Clerk sends either as a bare array or, when
//! asked with `paginated=true`, as a `{data, total_count}` envelope.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeStruct, Serializer};

/// The items of one list response, and the total across pages when the server sent it.
///
/// Some list operations answer a bare JSON array by default and a `{"data": [...],
/// "total_count": n}` envelope when the request sets `paginated(true)`; a `List` reads
/// either. It derefs to a slice and iterates like a `Vec`.
///
/// ```
/// let bare: clerk_sdk::List<u32> = clerk_sdk::decode("[1, 2]").unwrap();
/// assert_eq!((&bare[..], bare.total_count()), (&[1, 2][..], None));
/// let paged: clerk_sdk::List<u32> = clerk_sdk::decode(r#"{"data": [3], "total_count": 7}"#).unwrap();
/// assert_eq!((paged.len(), paged.total_count()), (1, Some(7)));
/// assert_eq!(paged.into_vec(), [3]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct List<T> {
    items: Vec<T>,
    total_count: Option<i64>,
}

impl<T> List<T> {
    /// A list of `items` with no total, as a bare array reads.
    pub fn new(items: Vec<T>) -> Self {
        List { items, total_count: None }
    }

    /// The number of items across every page, when the response was an envelope.
    pub fn total_count(&self) -> Option<i64> {
        self.total_count
    }

    /// The items of this page.
    pub fn into_vec(self) -> Vec<T> {
        self.items
    }
}

impl<T> Default for List<T> {
    fn default() -> Self {
        List::new(Vec::new())
    }
}

impl<T> From<Vec<T>> for List<T> {
    fn from(items: Vec<T>) -> Self {
        List::new(items)
    }
}

impl<T> std::ops::Deref for List<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        &self.items
    }
}

impl<T> IntoIterator for List<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a List<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

/// The envelope's key that holds the items.
const DATA: &str = "data";
/// The envelope's key that holds the total across pages.
const TOTAL_COUNT: &str = "total_count";

/// Written back in the shape it was read in: the envelope when it has a total, else the array.
impl<T: Serialize> Serialize for List<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.total_count {
            Some(total_count) => {
                let mut envelope = serializer.serialize_struct("List", 2)?;
                envelope.serialize_field(DATA, &self.items)?;
                envelope.serialize_field(TOTAL_COUNT, &total_count)?;
                envelope.end()
            }
            None => self.items.serialize(serializer),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ListVisitor(std::marker::PhantomData))
    }
}

struct ListVisitor<T>(std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
    type Value = List<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array or a `{data, total_count}` object")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<List<T>, A::Error> {
        Vec::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(List::new)
    }

    /// Read in place (not buffered), so a failing item's path is its place in the body.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<List<T>, A::Error> {
        let (mut items, mut total_count) = (None, None);
        while let Some(key) = map.next_key::<crate::decode::Text<'de>>()? {
            match key.as_str() {
                DATA if items.is_some() => return Err(de::Error::duplicate_field(DATA)),
                DATA => items = Some(map.next_value::<Vec<T>>()?),
                TOTAL_COUNT if total_count.is_some() => return Err(de::Error::duplicate_field(TOTAL_COUNT)),
                TOTAL_COUNT => total_count = Some(map.next_value::<i64>()?),
                _ => map.next_value::<IgnoredAny>().map(drop)?,
            }
        }
        let items = items.ok_or_else(|| de::Error::missing_field(DATA))?;
        Ok(List { items, total_count })
    }
}

#[cfg(test)]
mod tests {
    use super::List;
    use crate::decode;

    #[test]
    fn a_bare_array_and_an_envelope_both_read() {
        let bare: List<String> = decode(r#"["a", "b"]"#).unwrap();
        assert_eq!((bare.total_count(), bare.iter().map(String::as_str).collect::<Vec<_>>()), (None, vec!["a", "b"]));
        let envelope: List<String> = decode(r#"{"total_count": 12, "data": ["a"], "extra": {}}"#).unwrap();
        assert_eq!(envelope.total_count(), Some(12));
        assert_eq!(envelope.into_vec(), ["a"]);
        let no_total: List<String> = decode(r#"{"data": []}"#).unwrap();
        assert_eq!((no_total.len(), no_total.total_count()), (0, None));
    }

    #[test]
    fn a_list_is_written_in_the_shape_it_was_read_in() {
        for body in [r#"[1,2]"#, r#"{"data":[3],"total_count":7}"#] {
            let list: List<u8> = decode(body).unwrap();
            assert_eq!(serde_json::to_string(&list).unwrap(), body);
        }
    }

    #[test]
    fn a_failing_item_is_named_by_its_place_in_the_envelope() {
        let err = decode::<List<u8>>(r#"{"data": [1, "two"], "total_count": 2}"#).unwrap_err();
        assert_eq!(err.path(), "data[1]");
        assert_eq!(decode::<List<u8>>(r#"{"total_count": 2}"#).unwrap_err().path(), "data");
        assert_eq!(decode::<List<u8>>(r#"[1, 300]"#).unwrap_err().path(), "[1]");
        let err = decode::<List<u8>>(r#"{"data": [], "data": []}"#).unwrap_err();
        assert_eq!(err.message(), "duplicate field `data`");
        assert!(decode::<List<u8>>("7").unwrap_err().message().contains("an array or a `{data, total_count}` object"));
    }
}
