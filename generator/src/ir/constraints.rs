//! What a schema allows of a value beyond its type (`minimum`, `pattern`, `maxItems`, …),
//! read from the raw document, which keeps what the typed model drops.

use serde_json::{Number, Value};

use super::{Constraints, TypeRef};

/// The numeric range a value of some type must be in.
#[derive(Debug, Clone, PartialEq)]
pub enum Range {
    /// Inclusive integer ends ([`Constraints::integer_range`]).
    Integer(Option<i64>, Option<i64>),
    /// Ends of a `number`, as the spec writes them.
    Number(Option<Bound>, Option<Bound>),
}

/// How many `$ref`s are followed to find the schema that states the constraints.
const MAX_REFS: usize = 8;

/// How many levels of array items are read.
const MAX_ITEM_DEPTH: usize = 4;

/// One end of a numeric range.
#[derive(Debug, Clone, PartialEq)]
pub struct Bound {
    /// The limit as the spec writes it.
    pub value: Number,
    /// The limit itself is outside the range (`exclusiveMinimum`, `exclusiveMaximum`).
    pub exclusive: bool,
}

impl Constraints {
    /// The constraints `schema` states (through `$ref`s into `doc`). `exclusiveMinimum` is
    /// read both ways: a flag beside `minimum` (OpenAPI 3.0) or the bound itself (3.1).
    pub fn of(doc: &Value, schema: &Value) -> Self {
        Constraints::nested(doc, schema, 0)
    }

    /// [`Constraints::of`] a schema `depth` arrays deep: items are read a few levels down,
    /// so that an array whose items refer back to it ends.
    fn nested(doc: &Value, schema: &Value, depth: usize) -> Self {
        let mut schema = schema;
        for _ in 0..MAX_REFS {
            match schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
                Some(pointer) => match doc.pointer(pointer) {
                    Some(target) => schema = target,
                    None => break,
                },
                None => break,
            }
        }
        let count = |key: &str| schema.get(key).and_then(Value::as_u64);
        Constraints {
            minimum: bound(schema, "minimum", "exclusiveMinimum"),
            maximum: bound(schema, "maximum", "exclusiveMaximum"),
            pattern: schema.get("pattern").and_then(Value::as_str).map(str::to_owned),
            min_length: count("minLength"),
            max_length: count("maxLength"),
            min_items: count("minItems"),
            max_items: count("maxItems"),
            items: schema
                .get("items")
                .filter(|_| depth < MAX_ITEM_DEPTH)
                .map(|items| Box::new(Constraints::nested(doc, items, depth + 1)))
                .filter(|c| !c.is_empty()),
        }
    }

    /// The range a value of type `ty` must be in, when the type is numeric and the spec
    /// bounds it.
    pub fn range(&self, ty: &TypeRef) -> Option<Range> {
        let range = match ty {
            TypeRef::Integer { bits } => {
                let (min, max) = self.integer_range();
                // A bound outside `i32` says nothing about an `i32`.
                let fits = |n: i64| *bits == 64 || i32::try_from(n).is_ok();
                let (min, max) = (min.filter(|n| fits(*n)), max.filter(|n| fits(*n)));
                (min.is_some() || max.is_some()).then_some(Range::Integer(min, max))?
            }
            TypeRef::Number if self.minimum.is_some() || self.maximum.is_some() => {
                Range::Number(self.minimum.clone(), self.maximum.clone())
            }
            _ => return None,
        };
        Some(range)
    }

    /// Whether the schema states nothing.
    pub fn is_empty(&self) -> bool {
        *self == Constraints::default()
    }

    /// The inclusive range an integer may take, with fractional or exclusive bounds moved
    /// to the integers inside them (`exclusiveMinimum: 0` is `1..`); `None` for an end
    /// without a bound or beyond `i64`.
    pub fn integer_range(&self) -> (Option<i64>, Option<i64>) {
        let end = |b: &Option<Bound>, up: bool| {
            let b = b.as_ref()?;
            let v = b.value.as_f64()?;
            let inside = if up { v.floor() } else { v.ceil() };
            let inside = if b.exclusive && inside == v { inside + if up { -1.0 } else { 1.0 } } else { inside };
            // `as` saturates: a bound beyond i64 would clamp, so it is dropped instead.
            (inside.abs() < 9.0e18).then_some(inside as i64)
        };
        (end(&self.minimum, false), end(&self.maximum, true))
    }
}

/// `minimum` or `maximum`, with its exclusive flag; or the 3.1 exclusive bound alone.
fn bound(schema: &Value, key: &str, exclusive: &str) -> Option<Bound> {
    let inclusive = schema.get(key).and_then(Value::as_number);
    match (inclusive, schema.get(exclusive)) {
        (Some(value), Some(Value::Bool(flag))) => Some(Bound { value: value.clone(), exclusive: *flag }),
        (_, Some(Value::Number(value))) => Some(Bound { value: value.clone(), exclusive: true }),
        (Some(value), _) => Some(Bound { value: value.clone(), exclusive: false }),
        (None, _) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn constraints_are_read_through_refs() {
        let doc = json!({"components": {"schemas": {"Limit": {"type": "integer", "minimum": 1, "maximum": 500}}}});
        let c = Constraints::of(&doc, &json!({"$ref": "#/components/schemas/Limit"}));
        assert_eq!(c.integer_range(), (Some(1), Some(500)));
        let s = Constraints::of(&doc, &json!({"pattern": "^a_\\w+$", "minLength": 3, "maxLength": 9}));
        assert_eq!((s.pattern.as_deref(), s.min_length, s.max_length), (Some("^a_\\w+$"), Some(3), Some(9)));
        let items = Constraints::of(&doc, &json!({"minItems": 1, "maxItems": 10, "items": {"maxLength": 2}}));
        assert_eq!((items.min_items, items.max_items), (Some(1), Some(10)));
        assert_eq!(items.items.and_then(|c| c.max_length), Some(2));
        let cycle =
            json!({"components": {"schemas": {"A": {"maxItems": 2, "items": {"$ref": "#/components/schemas/A"}}}}});
        let nested = Constraints::of(&cycle, &json!({"$ref": "#/components/schemas/A"}));
        assert_eq!(
            nested.items.and_then(|c| c.items).and_then(|c| c.max_items),
            Some(2),
            "read a few levels, then ends"
        );
        let plain_items = Constraints::of(&doc, &json!({"items": {"type": "string"}}));
        assert!(plain_items.is_empty(), "items without constraints say nothing");
        assert!(Constraints::of(&doc, &json!({"type": "string"})).is_empty());
        assert!(Constraints::of(&doc, &json!({"$ref": "#/nowhere"})).is_empty());
    }

    #[test]
    fn only_numbers_have_ranges() {
        let c = Constraints::of(&json!({}), &json!({"minimum": 1, "maximum": 5_000_000_000_i64}));
        assert_eq!(c.range(&TypeRef::Integer { bits: 64 }), Some(Range::Integer(Some(1), Some(5_000_000_000))));
        assert_eq!(c.range(&TypeRef::Integer { bits: 32 }), Some(Range::Integer(Some(1), None)));
        let bound = |n: i64| Some(Bound { value: n.into(), exclusive: false });
        assert_eq!(c.range(&TypeRef::Number), Some(Range::Number(bound(1), bound(5_000_000_000))));
        assert_eq!(c.range(&TypeRef::String), None);
        assert_eq!(Constraints::default().range(&TypeRef::Number), None);
    }

    #[test]
    fn exclusive_and_fractional_bounds_become_inclusive_integer_ranges() {
        let doc = json!({});
        let range = |schema: Value| Constraints::of(&doc, &schema).integer_range();
        assert_eq!(range(json!({"minimum": 0, "exclusiveMinimum": true})), (Some(1), None));
        assert_eq!(range(json!({"exclusiveMinimum": 0, "exclusiveMaximum": 10})), (Some(1), Some(9)));
        assert_eq!(range(json!({"minimum": 0.5, "maximum": 9.5})), (Some(1), Some(9)));
        assert_eq!(range(json!({"minimum": 0.5, "exclusiveMinimum": true})), (Some(1), None));
        assert_eq!(range(json!({"maximum": 1e30})), (None, None));
        let c = Constraints::of(&doc, &json!({"minimum": 0, "exclusiveMinimum": false}));
        assert_eq!(c.minimum, Some(Bound { value: 0.into(), exclusive: false }));
    }
}
