//! The intermediate representation: resolved types, operations and names, with no token
//! streams. Everything the emitters need is decided here; they only print it.
//!
//! [`build`] lowers one document into an [`Api`]; [`Crate::plan`] then decides what the
//! generated crate is made of: resource groups ([`groups`]), which runtime parts it needs,
//! which cargo features compile each model module ([`gates`]) and which webhook payload
//! types are the API's own ([`share`]).

mod build;
mod constraints;
mod cycles;
pub mod gates;
pub mod groups;
mod plan;
mod sample;
mod setters;
pub mod share;
mod usage;
mod view;

pub use build::{NameMap, build, build_with};
pub use constraints::{Bound, Range};
pub use gates::{Features, Gates};
pub use groups::{Group, Member};
pub use plan::{Crate, Runtime, Webhooks};

use serde_json::Value;

/// Index into [`Api::types`].
pub type TypeId = usize;

/// One API, ready to emit.
#[derive(Debug, Clone)]
pub struct Api {
    /// `info.title`.
    pub title: String,
    /// `info.version`: the API version sent as `Clerk-API-Version`.
    pub version: String,
    /// `info.description`.
    pub description: Option<String>,
    /// The first server URL.
    pub server: Option<String>,
    /// Every named type, in a stable order (components in spec order, then inline types
    /// in the order they were found).
    pub types: Vec<TypeDef>,
    /// Every operation, in spec order.
    pub operations: Vec<Operation>,
    /// Every `example` the spec gives for a schema, a response or a request body.
    pub examples: Vec<Example>,
    /// The backoff policy of `x-speakeasy-retries`, when the spec has one.
    pub retry: Option<RetrySpec>,
    /// Webhook events (`x-webhooks`), in spec order.
    pub events: Vec<Event>,
    /// What the spec says that was read loosely, located (e.g. OpenAPI 3.1 constructs
    /// without a 3.0 equivalent).
    pub warnings: Vec<crate::error::Diagnostic>,
}

/// A webhook event type.
#[derive(Debug, Clone)]
pub struct Event {
    /// The event type as sent, e.g. `user.created`.
    pub name: String,
    /// The Rust variant name, e.g. `UserCreated`.
    pub variant: String,
    /// The type of the event's `data`.
    pub data: TypeRef,
    /// Rustdoc source.
    pub doc: Option<String>,
}

/// A retry backoff policy declared by the spec (`x-speakeasy-retries`).
#[derive(Debug, Clone, PartialEq)]
pub struct RetrySpec {
    /// First backoff, in milliseconds.
    pub initial_ms: u64,
    /// Longest backoff, in milliseconds.
    pub max_interval_ms: u64,
    /// Growth factor.
    pub exponent: f64,
    /// Longest total time, in milliseconds.
    pub max_elapsed_ms: u64,
}

/// A named Rust type.
#[derive(Debug, Clone)]
pub struct TypeDef {
    /// The Rust name.
    pub name: String,
    /// Where the schema is, as a JSON pointer.
    pub pointer: String,
    /// The file (module path below `models/`, `/`-separated) that holds it.
    pub module: String,
    /// Rustdoc source: the schema's description.
    pub doc: Option<String>,
    /// `deprecated: true` on the schema.
    pub deprecated: bool,
    /// What it is.
    pub kind: TypeKind,
    /// Reachable from a request body or parameter.
    pub in_request: bool,
    /// Reachable from a response (component schemas count as responses).
    pub in_response: bool,
    /// Where the type is named, for its docs when the spec gives none.
    pub uses: Vec<Use>,
    /// A valid instance (the spec's example, else the least its schema allows), for the
    /// `fixture()` of a response model; `None` when none can be built.
    pub sample: Option<Value>,
}

impl TypeDef {
    /// What the testing kit's `fixture()` of this type decodes: the sample of a response
    /// model (a struct or a union); `None` for enums, aliases, request-only types and
    /// types without a sample.
    pub fn fixture(&self) -> Option<&Value> {
        let model = matches!(self.kind, TypeKind::Struct { .. } | TypeKind::Tagged { .. } | TypeKind::Untagged { .. });
        self.sample.as_ref().filter(|_| model && self.in_response)
    }
}

/// One place a named type is used, directly or as the items of a list or the values of a
/// map. Operations and events are indices into [`Api::operations`] and [`Api::events`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Use {
    /// The body of an operation's success response.
    Response(usize),
    /// An operation's request body.
    Body(usize),
    /// An operation's parameter, by Rust name.
    Param(usize, String),
    /// A struct's field, by Rust name.
    Field(TypeId, String),
    /// A union's variant, by Rust name.
    Variant(TypeId, String),
    /// What an alias stands for.
    Alias(TypeId),
    /// A webhook event's `data`.
    Event(usize),
}

/// The shape of a named type.
#[derive(Debug, Clone)]
pub enum TypeKind {
    /// An object with known properties.
    Struct {
        /// Fields in spec order.
        fields: Vec<Field>,
        /// Sent as `multipart/form-data` rather than JSON.
        multipart: bool,
    },
    /// A string enum; always open (unknown values are kept).
    Enum {
        /// Known values.
        values: Vec<EnumValue>,
    },
    /// A union told apart by a property (`discriminator`, or a constant property every
    /// variant requires).
    Tagged {
        /// The tag property's wire name.
        property: String,
        /// Known variants.
        variants: Vec<Variant>,
    },
    /// A union without a tag: the first variant that deserializes wins.
    Untagged {
        /// Known variants.
        variants: Vec<Variant>,
    },
    /// Another name for a type (`type: array` components, single-`allOf` components, …).
    Alias {
        /// The aliased type.
        target: TypeRef,
        /// The component itself is `nullable`.
        nullable: bool,
    },
}

/// A struct field.
#[derive(Debug, Clone)]
pub struct Field {
    /// Rust identifier.
    pub name: String,
    /// JSON key.
    pub wire: String,
    /// The value type, without optionality.
    pub ty: TypeRef,
    /// Listed in `required`.
    pub required: bool,
    /// `nullable: true` (on the property or the type it refers to).
    pub nullable: bool,
    /// Rustdoc source.
    pub doc: Option<String>,
    /// `deprecated: true`.
    pub deprecated: bool,
    /// The spec's `default`.
    pub default: Option<Value>,
    /// What the spec allows of the value beyond its type.
    pub constraints: Constraints,
    /// Boxed to break a cycle.
    pub boxed: bool,
}

/// What the spec allows of a value beyond its type ([`Constraints::of`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Constraints {
    /// `minimum` (or `exclusiveMinimum`).
    pub minimum: Option<Bound>,
    /// `maximum` (or `exclusiveMaximum`).
    pub maximum: Option<Bound>,
    /// `pattern`: a regular expression the text matches.
    pub pattern: Option<String>,
    /// `minLength`, in characters.
    pub min_length: Option<u64>,
    /// `maxLength`, in characters.
    pub max_length: Option<u64>,
    /// `minItems`.
    pub min_items: Option<u64>,
    /// `maxItems`.
    pub max_items: Option<u64>,
    /// What an array's items must meet, when the spec says.
    pub items: Option<Box<Constraints>>,
}

/// How a field's absence reads in Rust.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// Always there: a plain value.
    Required,
    /// `Option`: a missing key and `null` are both `None`.
    Optional,
    /// `Nullable` (request types only): missing, `null` and a value are all distinct.
    ThreeState,
}

impl Field {
    /// How this field's absence reads, in a request type or not.
    pub fn presence(&self, in_request: bool) -> Presence {
        if !self.required && self.nullable && in_request {
            Presence::ThreeState
        } else if !self.required || self.nullable {
            Presence::Optional
        } else {
            Presence::Required
        }
    }
}

/// What decoding makes of a required field whose key is missing (see [`Field::absent`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Absent {
    /// An error that names the field.
    Fails,
    /// An empty list, map or object: what an absent collection reads as.
    Empty,
    /// The spec's `default`, a scalar of the field's own type.
    Default(Value),
}

impl Field {
    /// What a missing key of this field reads as when decoding, if the field is
    /// [`Presence::Required`]: a response item that lacks a field the spec marks required
    /// should not fail a whole page when the absence has an obvious reading. A list, map or
    /// free-form object reads as empty; a field with a scalar `default` of its own type
    /// takes it; anything else fails, naming the field.
    pub fn absent(&self, api: &Api) -> Absent {
        let ty = api.resolved(&self.ty);
        match (ty, &self.default) {
            (TypeRef::Array(_) | TypeRef::Map(_) | TypeRef::JsonObject, _) => Absent::Empty,
            (TypeRef::Boolean, Some(v @ Value::Bool(_)))
            | (TypeRef::Integer { .. }, Some(v @ Value::Number(_)))
            | (TypeRef::String, Some(v @ Value::String(_))) => Absent::Default(v.clone()),
            (TypeRef::Number, Some(v @ Value::Number(_))) => Absent::Default(v.clone()),
            (TypeRef::Named(id), Some(v @ Value::String(_))) if matches!(api.ty(*id).kind, TypeKind::Enum { .. }) => {
                Absent::Default(v.clone())
            }
            _ => Absent::Fails,
        }
        .checked(ty)
    }
}

impl Absent {
    /// An integer default that is not an integer (`1.5` for an `integer`) is no default.
    fn checked(self, ty: &TypeRef) -> Self {
        match (&self, ty) {
            (Absent::Default(Value::Number(n)), TypeRef::Integer { bits: 32 })
                if n.as_i64().and_then(|n| i32::try_from(n).ok()).is_none() =>
            {
                Absent::Fails
            }
            (Absent::Default(Value::Number(n)), TypeRef::Integer { .. }) if n.as_i64().is_none() => Absent::Fails,
            _ => self,
        }
    }
}

/// A known enum value.
#[derive(Debug, Clone)]
pub struct EnumValue {
    /// Variant identifier.
    pub name: String,
    /// Wire value.
    pub value: String,
}

/// A union variant.
#[derive(Debug, Clone)]
pub struct Variant {
    /// Variant identifier.
    pub name: String,
    /// Tag values that select it (tagged unions only).
    pub tags: Vec<String>,
    /// Its payload.
    pub ty: TypeRef,
    /// Boxed to break a cycle.
    pub boxed: bool,
    /// Untagged unions: the properties the payload requires with a single allowed value
    /// (`kty: {enum: [RSA]}`), and those values. The variant is picked only when they match.
    pub constants: Vec<(String, String)>,
    /// Untagged unions: how many properties the payload requires.
    pub demands: usize,
}

/// The order in which an untagged union's variants are tried ([`Variant::constants`]
/// first filter them): those with constants first, as the more specific; among them the
/// most demanding first, so that a payload that also carries a less demanding variant's
/// properties (a private key is a public key with `d`) keeps all it has. Ties keep spec
/// order.
pub fn trial_order(variants: &[Variant]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..variants.len()).collect();
    order.sort_by_key(|&i| (variants[i].constants.is_empty(), std::cmp::Reverse(variants[i].demands)));
    order
}

/// A type as used in a field, parameter, body or response.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TypeRef {
    /// A generated type.
    Named(TypeId),
    /// `String`.
    String,
    /// `i32` (`format: int32`) or `i64`.
    Integer {
        /// 32 for `int32`, else 64.
        bits: u8,
    },
    /// `f64`.
    Number,
    /// `bool`.
    Boolean,
    /// Any JSON value.
    Json,
    /// A free-form JSON object.
    JsonObject,
    /// An object with only `additionalProperties: {schema}`.
    Map(Box<TypeRef>),
    /// An array.
    Array(Box<TypeRef>),
    /// A `format: binary` file part of a multipart body, or a whole raw body.
    File,
}

/// One API operation.
#[derive(Debug, Clone)]
pub struct Operation {
    /// `operationId`.
    pub id: String,
    /// Method name (`snake_case` of the operationId).
    pub name: String,
    /// Resource group (`snake_case` of the first tag).
    pub group: String,
    /// The tag the group comes from.
    pub tag: String,
    /// HTTP method, upper case.
    pub method: String,
    /// Path template, e.g. `/users/{user_id}`.
    pub path: String,
    /// `summary`.
    pub summary: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `deprecated: true`.
    pub deprecated: bool,
    /// Path, query and header parameters.
    pub params: Vec<Param>,
    /// The request body.
    pub body: Option<Body>,
    /// The success response.
    pub response: Response,
    /// `security: []`: sent without credentials.
    pub no_auth: bool,
    /// JSON pointer of the operation.
    pub pointer: String,
    /// Index in [`Operation::params`] of the boolean query parameter that makes the server
    /// answer a `{data, total_count}` envelope instead of the array the spec declares (see
    /// [`crate::clerk::envelope_switch`]); the response is then read as the runtime's `List`.
    pub envelope_switch: Option<usize>,
    /// How to walk its pages, when it is a paginated list.
    pub pagination: Option<Pagination>,
}

/// How a list operation pages (see [`crate::clerk::pagination`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Pagination {
    /// Index in [`Operation::params`] of the page size parameter.
    pub limit: usize,
    /// Index in [`Operation::params`] of the offset parameter.
    pub offset: usize,
    /// The page size the server uses when the limit is not sent.
    pub default_limit: i64,
    /// The type of one item.
    pub item: TypeRef,
    /// Where a page's items are.
    pub page: PageShape,
    /// How to walk by cursor instead of by offset, when the operation can.
    pub cursor: Option<Cursor>,
}

/// Cursor pagination: each page starts after the last item of the one before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    /// Index in [`Operation::params`] of the parameter that names the item a page starts
    /// after.
    pub param: usize,
    /// Index, among the fields of the item type (a struct), of the field whose value that
    /// parameter takes.
    pub id: usize,
}

/// Where the items of one page are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageShape {
    /// The response is the array of items.
    Array,
    /// The response is the array of items, or with [`Operation::envelope_switch`] on (as
    /// paging sends it), an envelope with the total.
    Switched,
    /// The response is an object (the operation's response type).
    Envelope {
        /// Index of the field that holds the items.
        data: usize,
        /// Index of the field that holds the total count, when there is one.
        total: Option<usize>,
    },
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamLocation {
    /// In the path.
    Path,
    /// In the query string.
    Query,
    /// As a header.
    Header,
    /// As a cookie.
    Cookie,
}

/// An operation parameter.
#[derive(Debug, Clone)]
pub struct Param {
    /// Wire name.
    pub wire: String,
    /// Rust identifier.
    pub name: String,
    /// Where it goes.
    pub location: ParamLocation,
    /// `required: true`.
    pub required: bool,
    /// `nullable: true`.
    pub nullable: bool,
    /// Its type.
    pub ty: TypeRef,
    /// For arrays: repeat the key (`form`, `explode: true`) instead of joining with commas.
    pub explode: bool,
    /// Rustdoc source.
    pub doc: Option<String>,
    /// `deprecated: true`.
    pub deprecated: bool,
    /// The spec's `default` (never sent unless the caller sets it).
    pub default: Option<Value>,
    /// What the spec allows of the value beyond its type; a value out of its numeric range
    /// is refused before sending.
    pub constraints: Constraints,
    /// A valid value, for the conformance test (required parameters only).
    pub sample: Option<Value>,
}

/// How a request body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyMedia {
    /// `application/json`.
    Json,
    /// `multipart/form-data`.
    Multipart,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// Text sent as it is (`text/plain`, `text/csv`, `application/xml`, …): a `String`.
    Text,
    /// Raw bytes (`application/octet-stream`, `image/png`, `*/*` without a structured
    /// schema, …): a [`TypeRef::File`].
    Binary,
}

/// The media type chosen for a body among those an operation declares.
///
/// The most structured one wins: JSON, then multipart, form, text and raw bytes; among
/// media types of one kind, the first in spec order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaChoice {
    /// The chosen media type as the spec writes it (e.g. `image/*`).
    pub declared: String,
    /// The `Content-Type` sent: the declared type, or for a wildcard a concrete one
    /// (`application/octet-stream`, `text/plain`).
    pub content_type: String,
    /// The other declared media types, in spec order.
    pub others: Vec<String>,
}

/// A request body.
#[derive(Debug, Clone)]
pub struct Body {
    /// Its type.
    pub ty: TypeRef,
    /// `required: true`.
    pub required: bool,
    /// Its encoding.
    pub media: BodyMedia,
    /// Its media type, and the ones passed over.
    pub choice: MediaChoice,
    /// A valid JSON value, for the conformance test.
    pub sample: Option<Value>,
    /// For an object body (JSON, form or multipart): its properties, in schema order, as the operation
    /// method's arguments (required ones) and the request builder's setters (the others).
    /// `None` for a body passed whole.
    pub fields: Option<Vec<BodyField>>,
}

/// One property of an object request body, as the operation's caller sets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyField {
    /// Index of the property among the body struct's fields.
    pub field: usize,
    /// The argument's or setter's name (the field's, unless that is taken).
    pub name: String,
    /// For a field that may be sent as `null` (`Nullable`): the setter that sends `null`.
    pub null: Option<String>,
}

/// What a successful response carries.
#[derive(Debug, Clone, PartialEq)]
pub enum ResponseBody {
    /// A JSON document.
    Json(TypeRef),
    /// Text (or a form or multipart document, as text).
    Text,
    /// Raw bytes (`application/octet-stream`, `image/*`, …).
    Binary,
    /// Nothing.
    Empty,
}

/// The success response of an operation.
#[derive(Debug, Clone)]
pub struct Response {
    /// Its status code.
    pub status: u16,
    /// Its body.
    pub body: ResponseBody,
    /// Its media type, and the ones passed over (none for an empty body).
    pub choice: Option<MediaChoice>,
}

/// An `example` from the spec and the type it must deserialize into.
#[derive(Debug, Clone)]
pub struct Example {
    /// Where it is.
    pub pointer: String,
    /// The type.
    pub ty: TypeRef,
    /// The schema allows `null`.
    pub nullable: bool,
    /// The example value.
    pub value: Value,
}

impl Api {
    /// The type a `TypeId` names.
    pub fn ty(&self, id: TypeId) -> &TypeDef {
        &self.types[id]
    }

    /// What a type stands for, through aliases that are not nullable.
    pub fn resolved<'a>(&'a self, t: &'a TypeRef) -> &'a TypeRef {
        let mut t = t;
        for _ in 0..self.types.len() {
            match t {
                TypeRef::Named(id) => match &self.ty(*id).kind {
                    TypeKind::Alias { target, nullable: false } => t = target,
                    _ => break,
                },
                _ => break,
            }
        }
        t
    }

    /// The named types an operation's parameters, body and response mention directly.
    pub fn operation_refs(&self, op: &Operation) -> Vec<TypeId> {
        let mut out = Vec::new();
        op.params.iter().for_each(|p| p.ty.refs(&mut out));
        if let Some(body) = &op.body {
            body.ty.refs(&mut out);
        }
        if let ResponseBody::Json(t) = &op.response.body {
            t.refs(&mut out);
        }
        out
    }
}

impl TypeRef {
    /// Adds the named types this reference mentions (through arrays and maps) to `out`.
    pub fn refs(&self, out: &mut Vec<TypeId>) {
        match self {
            TypeRef::Named(id) => out.push(*id),
            TypeRef::Array(inner) | TypeRef::Map(inner) => inner.refs(out),
            _ => {}
        }
    }
}

impl TypeKind {
    /// Whether the definition decodes through the runtime's union helpers: a tagged union,
    /// or an untagged one whose variants have constants to pick by.
    pub fn picks_variants(&self) -> bool {
        match self {
            TypeKind::Tagged { .. } => true,
            TypeKind::Untagged { variants } => variants.iter().any(|v| !v.constants.is_empty()),
            _ => false,
        }
    }

    /// The named types a definition mentions, in field or variant order (with repeats).
    pub fn refs(&self) -> Vec<TypeId> {
        let mut out = Vec::new();
        match self {
            TypeKind::Struct { fields, .. } => fields.iter().for_each(|f| f.ty.refs(&mut out)),
            TypeKind::Tagged { variants, .. } | TypeKind::Untagged { variants } => {
                variants.iter().for_each(|v| v.ty.refs(&mut out))
            }
            TypeKind::Alias { target, .. } => target.refs(&mut out),
            TypeKind::Enum { .. } => {}
        }
        out
    }
}

/// The IR of a spec given as YAML text, for unit tests.
#[cfg(test)]
pub(crate) fn test_api(yaml: &str) -> Api {
    let spec = crate::load::Spec::from_text(std::path::Path::new("test.yaml"), yaml.to_owned(), &[])
        .unwrap_or_else(|e| panic!("{e}"));
    build(&spec).unwrap_or_else(|e| panic!("{e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPARSE: &str = r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    Tags: {type: array, items: {type: string}}
    Kind: {type: string, enum: [a, b]}
    User:
      type: object
      required: [id, passkeys, tags, meta, counts, has_image, size, kind, ratio, wide, odd, note]
      properties:
        id: {type: string}
        passkeys: {type: array, items: {type: string}}
        tags: {$ref: "#/components/schemas/Tags"}
        meta: {type: object, additionalProperties: true}
        counts: {type: object, additionalProperties: {type: integer}}
        has_image: {type: boolean, default: false}
        size: {type: integer, format: int32, default: 10}
        kind: {allOf: [{$ref: "#/components/schemas/Kind"}], default: b}
        ratio: {type: number, default: 0.5}
        wide: {type: integer, format: int32, default: 5000000000}
        odd: {type: boolean, default: "yes"}
        note: {type: string, default: "none"}
"##;

    #[test]
    fn absent_required_collections_read_as_empty_and_fitting_defaults_are_taken() {
        let api = test_api(SPARSE);
        let user = api.types.iter().find(|t| t.name == "User").expect("User");
        let TypeKind::Struct { fields, .. } = &user.kind else { panic!("a struct") };
        let absent: Vec<(&str, Absent)> = fields.iter().map(|f| (f.wire.as_str(), f.absent(&api))).collect();
        let value = |v: Value| Absent::Default(v);
        assert_eq!(
            absent,
            [
                ("id", Absent::Fails),
                ("passkeys", Absent::Empty),
                ("tags", Absent::Empty),
                ("meta", Absent::Empty),
                ("counts", Absent::Empty),
                ("has_image", value(Value::Bool(false))),
                ("size", value(10.into())),
                ("kind", value("b".into())),
                ("ratio", value(0.5.into())),
                ("wide", Absent::Fails),
                ("odd", Absent::Fails),
                ("note", value("none".into())),
            ]
        );
    }
}
