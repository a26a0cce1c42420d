//! One flat view of a schema, whatever `openapiv3` classified it as.
//!
//! `openapiv3` splits schemas into typed kinds and falls back to `SchemaKind::Any` for
//! mixtures such as `type: object` next to `oneOf` (22 times in Clerk's spec). The
//! builder reads this view instead, so both paths behave the same.

use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, Discriminator, ReferenceOr, Schema, SchemaKind, StringFormat, Type, VariantOrUnknownOrEmpty,
};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    String,
    Integer,
    Number,
    Boolean,
    Object,
    Array,
    /// No `type`.
    Unspecified,
    /// A `type` this generator does not know.
    Unknown,
}

pub(super) struct View<'a> {
    pub schema: &'a Schema,
    pub kind: Kind,
    pub format: Option<String>,
    pub enumeration: Vec<Value>,
    pub properties: Option<&'a IndexMap<String, ReferenceOr<Box<Schema>>>>,
    pub required: &'a [String],
    pub additional: Option<&'a AdditionalProperties>,
    pub items: Option<&'a ReferenceOr<Box<Schema>>>,
    pub one_of: &'a [ReferenceOr<Schema>],
    pub all_of: &'a [ReferenceOr<Schema>],
    pub any_of: &'a [ReferenceOr<Schema>],
}

fn format<T: std::fmt::Debug>(f: &VariantOrUnknownOrEmpty<T>, name: impl Fn(&T) -> &'static str) -> Option<String> {
    match f {
        VariantOrUnknownOrEmpty::Item(t) => Some(name(t).to_owned()),
        VariantOrUnknownOrEmpty::Unknown(s) => Some(s.clone()),
        VariantOrUnknownOrEmpty::Empty => None,
    }
}

impl<'a> View<'a> {
    pub(super) fn of(schema: &'a Schema) -> Self {
        let mut v = View {
            schema,
            kind: Kind::Unspecified,
            format: None,
            enumeration: Vec::new(),
            properties: None,
            required: &[],
            additional: None,
            items: None,
            one_of: &[],
            all_of: &[],
            any_of: &[],
        };
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => {
                v.kind = Kind::String;
                v.format = format(&s.format, |f| match f {
                    StringFormat::Date => "date",
                    StringFormat::DateTime => "date-time",
                    StringFormat::Password => "password",
                    StringFormat::Byte => "byte",
                    StringFormat::Binary => "binary",
                });
                v.enumeration = s.enumeration.iter().map(|e| e.clone().map_or(Value::Null, Value::String)).collect();
            }
            SchemaKind::Type(Type::Integer(i)) => {
                v.kind = Kind::Integer;
                v.format = format(&i.format, |f| match f {
                    openapiv3::IntegerFormat::Int32 => "int32",
                    openapiv3::IntegerFormat::Int64 => "int64",
                });
                v.enumeration = i.enumeration.iter().map(|e| e.map_or(Value::Null, Value::from)).collect();
            }
            SchemaKind::Type(Type::Number(n)) => {
                v.kind = Kind::Number;
                v.format = format(&n.format, |f| match f {
                    openapiv3::NumberFormat::Float => "float",
                    openapiv3::NumberFormat::Double => "double",
                });
                v.enumeration = n.enumeration.iter().map(|e| e.map_or(Value::Null, Value::from)).collect();
            }
            SchemaKind::Type(Type::Boolean(b)) => {
                v.kind = Kind::Boolean;
                v.enumeration = b.enumeration.iter().map(|e| e.map_or(Value::Null, Value::Bool)).collect();
            }
            SchemaKind::Type(Type::Object(o)) => {
                v.kind = Kind::Object;
                v.properties = Some(&o.properties);
                v.required = &o.required;
                v.additional = o.additional_properties.as_ref();
            }
            SchemaKind::Type(Type::Array(a)) => {
                v.kind = Kind::Array;
                v.items = a.items.as_ref();
            }
            SchemaKind::OneOf { one_of } => v.one_of = one_of,
            SchemaKind::AllOf { all_of } => v.all_of = all_of,
            SchemaKind::AnyOf { any_of } => v.any_of = any_of,
            SchemaKind::Not { .. } => {}
            SchemaKind::Any(a) => {
                v.kind = match a.typ.as_deref() {
                    None => Kind::Unspecified,
                    Some("string") => Kind::String,
                    Some("integer") => Kind::Integer,
                    Some("number") => Kind::Number,
                    Some("boolean") => Kind::Boolean,
                    Some("object") => Kind::Object,
                    Some("array") => Kind::Array,
                    Some(_) => Kind::Unknown,
                };
                v.format = a.format.clone();
                v.enumeration = a.enumeration.clone();
                if !a.properties.is_empty() || v.kind == Kind::Object {
                    v.properties = Some(&a.properties);
                }
                v.required = &a.required;
                v.additional = a.additional_properties.as_ref();
                v.items = a.items.as_ref();
                v.one_of = &a.one_of;
                v.all_of = &a.all_of;
                v.any_of = &a.any_of;
            }
        }
        v
    }

    pub(super) fn discriminator(&self) -> Option<&'a Discriminator> {
        self.schema.schema_data.discriminator.as_ref()
    }

    pub(super) fn has_properties(&self) -> bool {
        self.properties.is_some_and(|p| !p.is_empty())
    }

    /// No type, properties, items, composition or enumeration.
    fn has_no_shape(&self) -> bool {
        self.kind == Kind::Unspecified
            && !self.has_properties()
            && self.items.is_none()
            && self.one_of.is_empty()
            && self.all_of.is_empty()
            && self.any_of.is_empty()
            && self.enumeration.is_empty()
    }

    /// A schema that gives no shape, only annotations or constraints (`nullable`, a
    /// description, `minLength`, `required`), as an `allOf` part next to the one that does.
    pub(super) fn is_annotation_only(&self) -> bool {
        self.has_no_shape() && self.additional.is_none()
    }

    /// A schema that only constrains (`{required: [...]}`), as in "one of these must be set".
    pub(super) fn is_constraint_only(&self) -> bool {
        self.has_no_shape() && !self.required.is_empty()
    }
}
