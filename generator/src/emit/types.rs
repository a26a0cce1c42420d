//! Emits model types: structs, open enums and unions.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;
use serde_json::Value;

use super::docs;
use crate::ir::{Absent, Api, Field, Presence, TypeDef, TypeId, TypeKind, TypeRef, Use, Variant};

/// An identifier token; raw identifiers (`r#type`) are supported.
pub(super) fn ident(name: &str) -> Ident {
    let valid = |s: &str| {
        !s.is_empty()
            && !s.starts_with(|c: char| c.is_ascii_digit())
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && s != "_"
    };
    match name.strip_prefix("r#") {
        Some(raw) if valid(raw) => Ident::new_raw(raw, Span::call_site()),
        None if valid(name) => Ident::new(name, Span::call_site()),
        _ => Ident::new("invalid_identifier", Span::call_site()),
    }
}

/// An integer literal as a hand-writer spells it: no type suffix, and digits grouped by
/// thousands from five digits on (`114`, `60_000`).
pub(super) fn int(n: u64) -> Literal {
    let digits = n.to_string();
    if digits.len() < 5 {
        return Literal::u64_unsuffixed(n);
    }
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push('_');
        }
        grouped.push(digit);
    }
    grouped.parse().unwrap_or_else(|_| Literal::u64_unsuffixed(n))
}

/// `#[doc = " …"]` attributes for a description, with optional extra paragraphs.
pub(super) fn doc_attrs(doc: Option<&str>, extra: &[String]) -> TokenStream {
    let mut lines = doc.map(docs::lines).unwrap_or_default();
    for paragraph in extra {
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.extend(docs::lines(paragraph));
    }
    quote! { #( #[doc = #lines] )* }
}

/// The Rust type for a [`TypeRef`]; named types by their bare name (the file imports them).
pub(super) fn ty(api: &Api, t: &TypeRef, multipart: bool) -> TokenStream {
    ty_in(api, t, multipart, &quote!())
}

/// The Rust type for a [`TypeRef`], named types prefixed with `prefix` (e.g. `models::`).
pub(super) fn ty_in(api: &Api, t: &TypeRef, multipart: bool, prefix: &TokenStream) -> TokenStream {
    let ty = |t: &TypeRef| ty_in(api, t, multipart, prefix);
    match t {
        TypeRef::Named(id) => {
            let name = ident(&api.ty(*id).name);
            quote!(#prefix #name)
        }
        TypeRef::String => quote!(String),
        TypeRef::Integer { bits: 32 } => quote!(i32),
        TypeRef::Integer { .. } => quote!(i64),
        TypeRef::Number => quote!(f64),
        TypeRef::Boolean => quote!(bool),
        TypeRef::Json => quote!(serde_json::Value),
        TypeRef::JsonObject => quote!(serde_json::Map<String, serde_json::Value>),
        TypeRef::Map(inner) => {
            let inner = ty(inner);
            quote!(std::collections::BTreeMap<String, #inner>)
        }
        TypeRef::Array(inner) => {
            let inner = ty(inner);
            quote!(Vec<#inner>)
        }
        TypeRef::File if multipart => quote!(crate::FilePart),
        TypeRef::File => quote!(String),
    }
}

/// Whether a struct can derive `Default`: every field may be left out.
fn defaultable(t: &TypeDef) -> bool {
    match &t.kind {
        TypeKind::Struct { fields, .. } => fields.iter().all(|f| !f.required),
        _ => false,
    }
}

/// Emits one type definition; `models` is the path of the module that holds the models
/// (`crate::models`), for the links of a doc that says where the type is used.
pub(super) fn emit(api: &Api, t: &TypeDef, models: &str) -> TokenStream {
    let usage = t.doc.is_none().then(|| usage_doc(api, t, models));
    definition(api, t, usage)
}

/// A type's doc attributes: the spec's description, else `usage`.
fn type_doc(t: &TypeDef, usage: Option<String>) -> TokenStream {
    // Types are marked deprecated in their docs only: `#[deprecated]` would warn in every
    // generated type that refers to them.
    let deprecated = t.deprecated.then(|| "**Deprecated** by the API.".to_owned());
    match usage {
        // Written by the emitter, intra-doc links included, so not escaped as spec text is.
        Some(usage) => {
            let mut lines: Vec<String> = wrapped(&usage).into_iter().map(|line| format!(" {line}")).collect();
            if let Some(deprecated) = deprecated {
                lines.extend([String::new(), format!(" {deprecated}")]);
            }
            quote! { #( #[doc = #lines] )* }
        }
        None => doc_attrs(t.doc.as_deref(), deprecated.as_slice()),
    }
}

/// A type definition, documented by the spec's description or else by `usage`.
fn definition(api: &Api, t: &TypeDef, usage: Option<String>) -> TokenStream {
    let name = ident(&t.name);
    let doc = type_doc(t, usage);
    match &t.kind {
        TypeKind::Struct { fields, multipart } => {
            let default = defaultable(t).then(|| quote!(Default,));
            // Serialized and decoded through the field table: serde's derive would be
            // several times the code to compile.
            let table = (!*multipart).then(|| field_table(api, t, fields));
            let constructor = constructor(api, t, fields, *multipart);
            // New fields are not breaking changes: what the server sends may grow, and
            // callers build request types with `new` or `Default` and setters, never
            // with struct literals.
            let fields = fields.iter().map(|f| field(api, t, f, *multipart));
            quote! {
                #doc
                #[derive(Debug, Clone, PartialEq, #default)]
                #[non_exhaustive]
                pub struct #name {
                    #( #fields )*
                }

                #constructor

                #table
            }
        }
        TypeKind::Enum { values } => {
            // Serialized through `as_str` and read through `From<&str>`: no derive, so no
            // buffering for the `Unknown` fallback and little code per enum.
            let variants = values.iter().map(|v| {
                let variant = ident(&v.name);
                let doc = format!(" `{}`", v.value);
                quote! { #[doc = #doc] #variant, }
            });
            let arms = values.iter().map(|v| {
                let variant = ident(&v.name);
                let value = &v.value;
                quote!(Self::#variant => #value,)
            });
            let parse = values.iter().map(|v| {
                let variant = ident(&v.name);
                let value = &v.value;
                quote!(#value => Self::#variant,)
            });
            quote! {
                #doc
                #[derive(Debug, Clone, PartialEq, Eq, Hash)]
                #[non_exhaustive]
                pub enum #name {
                    #( #variants )*
                    /// A value this version of the SDK does not know, kept as sent.
                    Unknown(String),
                }

                impl #name {
                    /// The value as it is sent on the wire.
                    pub fn as_str(&self) -> &str {
                        match self {
                            #( #arms )*
                            Self::Unknown(value) => value,
                        }
                    }
                }

                impl From<&str> for #name {
                    /// The variant for a wire value; a value this version does not know is kept
                    /// in `Unknown`.
                    fn from(value: &str) -> Self {
                        match value {
                            #( #parse )*
                            _ => Self::Unknown(value.to_owned()),
                        }
                    }
                }

                crate::decode::open_enum!(#name);
            }
        }
        TypeKind::Tagged { property, variants } => {
            let list = variants.iter().map(|v| {
                let tags: Vec<String> = v.tags.iter().map(|t| format!("`{t}`")).collect();
                let doc = format!(" `{property}`: {}", tags.join(", "));
                let payload = variant_payload(api, v);
                let variant = ident(&v.name);
                quote! { #[doc = #doc] #variant(#payload), }
            });
            let arms = variants.iter().filter(|v| !v.tags.is_empty()).map(|v| {
                let variant = ident(&v.name);
                let tags = &v.tags;
                quote!( #(Some(#tags))|* => Self::#variant(crate::tagged::variant(&value)?), )
            });
            quote! {
                #doc
                #[derive(Debug, Clone, PartialEq, serde::Serialize)]
                #[serde(untagged)]
                #[non_exhaustive]
                pub enum #name {
                    #( #list )*
                    /// A variant this version of the SDK does not know, kept as sent.
                    Unknown(serde_json::Value),
                }

                impl<'de> serde::Deserialize<'de> for #name {
                    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                        crate::tagged::union(deserializer, |value| {
                            Ok(match crate::tagged::tag(&value, #property) {
                                #( #arms )*
                                _ => Self::Unknown(value),
                            })
                        })
                    }
                }
            }
        }
        TypeKind::Untagged { variants } => {
            let list = variants.iter().map(|v| {
                let payload = variant_payload(api, v);
                let variant = ident(&v.name);
                let doc = constants_doc(v).map(|doc| quote!(#[doc = #doc]));
                quote! { #doc #variant(#payload), }
            });
            let (derive, deserialize) = if t.kind.picks_variants() {
                (quote!(), Some(pick_by_constants(&name, variants)))
            } else {
                (quote!(serde::Deserialize), None)
            };
            let display = super::api::displays_its_value(api, variants).then(|| scalar_display(&name, variants));
            quote! {
                #doc
                #[derive(Debug, Clone, PartialEq, serde::Serialize, #derive)]
                #[serde(untagged)]
                #[non_exhaustive]
                pub enum #name {
                    #( #list )*
                    /// A shape this version of the SDK does not know, kept as sent.
                    Unknown(serde_json::Value),
                }

                #deserialize
                #display
            }
        }
        TypeKind::Alias { target, .. } => {
            let target = ty(api, target, false);
            quote! {
                #doc
                pub type #name = #target;
            }
        }
    }
}

/// `Display` for a union of plain values, as a path, query or header parameter sends it:
/// the value's own text (a string without quotes); an unknown one's JSON text.
fn scalar_display(name: &Ident, variants: &[Variant]) -> TokenStream {
    let arms = variants.iter().map(|v| {
        let variant = ident(&v.name);
        quote!(Self::#variant(value) => std::fmt::Display::fmt(value, f),)
    });
    quote! {
        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self {
                    #( #arms )*
                    Self::Unknown(serde_json::Value::String(value)) => f.write_str(value),
                    Self::Unknown(value) => std::fmt::Display::fmt(value, f),
                }
            }
        }
    }
}

/// ` `kty`: `RSA``: the constants that pick an untagged union's variant, for its doc.
fn constants_doc(v: &Variant) -> Option<String> {
    let constants: Vec<String> = v.constants.iter().map(|(key, value)| format!("`{key}`: `{value}`")).collect();
    (!constants.is_empty()).then(|| format!(" {}", constants.join(", ")))
}

/// `Deserialize` for an untagged union whose variants have constants, as a table for
/// `crate::tagged::by_constants!`: one `Variant ["key" = "value", …]` line per variant,
/// in the order they are tried ([`crate::ir::trial_order`]).
fn pick_by_constants(name: &Ident, variants: &[Variant]) -> TokenStream {
    let entries = crate::ir::trial_order(variants).into_iter().map(|i| {
        let v = &variants[i];
        let variant = ident(&v.name);
        let constants = v.constants.iter().map(|(key, value)| quote!(#key = #value));
        quote!(#variant [#(#constants),*],)
    });
    quote! {
        crate::tagged::by_constants! {
            #name {
                #( #entries )*
            }
        }
    }
}

/// How many places one sentence of a where-used doc names, and how many sentences it has.
const NAMED: usize = 3;
const SENTENCES: usize = 3;

/// The role a type plays at a place it is used; places with the same role share a sentence.
#[derive(PartialEq)]
enum Role<'a> {
    Returned,
    Body,
    Param(&'a str),
    Field(&'a str),
    Variant,
    Alias,
    Event,
}

impl Role<'_> {
    fn sentence(&self, places: &str, count: usize) -> String {
        match self {
            Role::Returned => format!("Returned by {places}."),
            Role::Body => format!("The request body of {places}."),
            Role::Param(name) => format!("The `{name}` parameter of {places}."),
            Role::Field(name) => format!("The `{name}` field of {places}."),
            Role::Variant => format!("The payload of {places}."),
            Role::Alias => format!("Used by {places}."),
            Role::Event if count == 1 => format!("The data of the {places} webhook event."),
            Role::Event => format!("The data of the {places} webhook events."),
        }
    }

    /// What the places are, for "and 3 other …".
    fn noun(&self) -> &'static str {
        match self {
            Role::Returned | Role::Body | Role::Param(_) => "operations",
            Role::Field(_) | Role::Alias => "types",
            Role::Variant => "variants",
            Role::Event => "events",
        }
    }
}

/// The role and the link of one place a type is used.
fn place<'a>(api: &'a Api, used: &'a Use, models: &str) -> (Role<'a>, String) {
    let operation = |i: usize| {
        let op = &api.operations[i];
        let method = format!("{}::{}", crate::clerk::group_handle(&op.group), op.name);
        format!("[`{method}`](crate::api::{method})")
    };
    let owner = |id: TypeId| {
        let name = &api.ty(id).name;
        format!("[`{name}`]({models}::{name})")
    };
    let raw = |name: &'a str| name.trim_start_matches("r#");
    match used {
        Use::Response(i) => (Role::Returned, operation(*i)),
        Use::Body(i) => (Role::Body, operation(*i)),
        Use::Param(i, name) => (Role::Param(raw(name)), operation(*i)),
        Use::Field(id, name) => (Role::Field(raw(name)), owner(*id)),
        Use::Variant(id, name) => {
            let variant = format!("{}::{}", api.ty(*id).name, raw(name));
            (Role::Variant, format!("[`{variant}`]({models}::{variant})"))
        }
        Use::Alias(id) => (Role::Alias, owner(*id)),
        Use::Event(i) => {
            let event = &api.events[*i];
            (Role::Event, format!("[`{}`](crate::webhooks::EventData::{})", event.name, event.variant))
        }
    }
}

/// A type's doc when the spec gives none: where it is used (a few places of each role, the
/// first roles), or where the spec defines it when nothing uses it.
fn usage_doc(api: &Api, t: &TypeDef, models: &str) -> String {
    let mut roles: Vec<(Role, Vec<String>)> = Vec::new();
    for used in &t.uses {
        let (role, link) = place(api, used, models);
        match roles.iter_mut().find(|(r, _)| *r == role) {
            Some((_, links)) => links.push(link),
            None => roles.push((role, vec![link])),
        }
    }
    if roles.is_empty() {
        return match t.pointer.strip_prefix("/components/schemas/") {
            Some(schema) => {
                format!("The spec's `{schema}` schema, which no request, success response or webhook event uses.")
            }
            None => format!("The schema at `{}` in the spec.", t.pointer),
        };
    }
    let mut sentences: Vec<String> = roles
        .iter()
        .take(SENTENCES)
        .map(|(role, links)| role.sentence(&listed(links, role.noun()), links.len()))
        .collect();
    let more: usize = roles.iter().skip(SENTENCES).map(|(_, links)| links.len()).sum();
    if more > 0 {
        sentences.push(format!("Also used in {more} other {}.", if more == 1 { "place" } else { "places" }));
    }
    sentences.join(" ")
}

/// Text the emitter writes into docs, in lines of at most 100 columns where its words
/// allow (its words hold no Markdown that a line break would split).
fn wrapped(text: &str) -> Vec<String> {
    const WIDTH: usize = 100;
    let mut lines: Vec<String> = Vec::new();
    for word in text.split(' ') {
        match lines.last_mut() {
            Some(line) if line.len() + 1 + word.len() <= WIDTH => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_owned()),
        }
    }
    lines
}

/// `a`, `a and b`, `a, b and c`, or `a, b, c and 2 other {noun}`.
fn listed(links: &[String], noun: &str) -> String {
    match links {
        [] => String::new(),
        [one] => one.clone(),
        _ if links.len() <= NAMED => format!("{} and {}", links[..links.len() - 1].join(", "), links[links.len() - 1]),
        _ => format!("{} and {} other {noun}", links[..NAMED].join(", "), links.len() - NAMED),
    }
}

/// `new(required fields…)` for request types that have required fields (and so no
/// `Default`): everything else starts unset.
fn constructor(api: &Api, t: &TypeDef, fields: &[Field], multipart: bool) -> Option<TokenStream> {
    if !t.in_request || fields.iter().all(|f| !f.required) {
        return None;
    }
    let mut args = Vec::new();
    let mut inits = Vec::new();
    for f in fields {
        let name = ident(&f.name);
        if f.required {
            let (arg, convert) = required_input(api, f, multipart, &quote!(), &name);
            args.push(quote!(#name: #arg));
            inits.push(if name == convert.to_string() { quote!(#name) } else { quote!(#name: #convert) });
        } else {
            inits.push(quote!(#name: Default::default()));
        }
    }
    let type_name = ident(&t.name);
    let doc = format!(" A [`{}`] with its required fields; the others start unset.", t.name);
    let allow = fields
        .iter()
        .any(|f| f.deprecated)
        .then(|| quote!(#[allow(deprecated, reason = "a constructor sets every field, deprecated ones too")]));
    Some(quote! {
        impl #type_name {
            #[doc = #doc]
            #allow
            pub fn new(#(#args),*) -> Self {
                Self { #(#inits),* }
            }
        }
    })
}

/// How a caller passes a required field (to `new` and to an operation method): the
/// argument's type and the expression that turns `value` into the field. A field that may
/// be `null` takes the `Option` itself.
pub(super) fn required_input(
    api: &Api,
    f: &Field,
    multipart: bool,
    prefix: &TokenStream,
    value: &Ident,
) -> (TokenStream, TokenStream) {
    if f.nullable {
        let mut ty = ty_in(api, &f.ty, multipart, prefix);
        if f.boxed {
            ty = quote!(Box<#ty>);
        }
        return (quote!(Option<#ty>), quote!(#value));
    }
    input(api, f, multipart, prefix, value)
}

/// How a caller passes a field's value: the argument's type and the expression that turns
/// `value` into the field's type (without its `Option` or `Nullable`). Strings, JSON values
/// and models take anything that converts into them (`&str`, `json!({…})`, an enum's wire
/// value, a file part's bytes), lists any iterator of such items; numbers, booleans and maps
/// are taken as they are.
pub(super) fn input(
    api: &Api,
    f: &Field,
    multipart: bool,
    prefix: &TokenStream,
    value: &Ident,
) -> (TokenStream, TokenStream) {
    let into = |t: &TypeRef| match t {
        TypeRef::String | TypeRef::Json | TypeRef::Named(_) | TypeRef::File => Some(ty_in(api, t, multipart, prefix)),
        _ => None,
    };
    let (arg, convert) = match &f.ty {
        TypeRef::Array(inner) => match into(inner) {
            Some(item) => (
                quote!(impl IntoIterator<Item = impl Into<#item>>),
                quote!(#value.into_iter().map(Into::into).collect()),
            ),
            None => (ty_in(api, &f.ty, multipart, prefix), quote!(#value)),
        },
        t => match into(t) {
            Some(ty) => (quote!(impl Into<#ty>), quote!(#value.into())),
            None => (ty_in(api, t, multipart, prefix), quote!(#value)),
        },
    };
    if f.boxed { (arg, quote!(Box::new(#convert))) } else { (arg, convert) }
}

fn variant_payload(api: &Api, v: &Variant) -> TokenStream {
    let payload = ty(api, &v.ty, false);
    if v.boxed { quote!(Box<#payload>) } else { payload }
}

fn field(api: &Api, owner: &TypeDef, f: &Field, multipart: bool) -> TokenStream {
    let name = ident(&f.name);
    let mut base = ty(api, &f.ty, multipart);
    if f.boxed {
        base = quote!(Box<#base>);
    }
    let ty = match f.presence(owner.in_request) {
        Presence::ThreeState => quote!(crate::Nullable<#base>),
        Presence::Optional => quote!(Option<#base>),
        Presence::Required => base,
    };
    let mut extra = Vec::new();
    extra.extend(docs::constraints(&f.constraints, &f.ty, "Must"));
    if let Some(default) = &f.default {
        let shown = match default {
            Value::String(s) => format!("`{s:?}`"),
            other => format!("`{other}`"),
        };
        extra.push(if owner.in_request {
            format!("The server uses {shown} when this is not sent.")
        } else {
            format!("Defaults to {shown}.")
        });
    }
    if f.required && f.nullable && !multipart {
        extra.push("Always present, but may be `null`.".to_owned());
    }
    let doc = doc_attrs(f.doc.as_deref(), &extra);
    let deprecated = f.deprecated.then(|| quote!(#[deprecated]));
    quote! {
        #doc
        #deprecated
        pub #name: #ty,
    }
}

/// The struct's `Serialize` and `Deserialize` impls as a field table for
/// `crate::decode::object!`, one `field: presence "key"` line per field, which the macro
/// expands into a visitor that reads a JSON object and nothing else, and a serializer
/// that leaves out the fields a request does not send.
fn field_table(api: &Api, t: &TypeDef, fields: &[Field]) -> TokenStream {
    let name = ident(&t.name);
    let entries = fields.iter().map(|f| {
        let deprecated = f.deprecated.then(|| quote!(#[deprecated]));
        let field = ident(&f.name);
        let presence = match f.presence(t.in_request) {
            Presence::Required => match f.absent(api) {
                Absent::Fails => quote!(required),
                Absent::Empty => quote!(empty),
                Absent::Default(value) => {
                    let value = default_literal(api.resolved(&f.ty), &value);
                    quote!(or(#value))
                }
            },
            // Required but nullable: sent as `null`, not left out.
            Presence::Optional if f.required => quote!(or_null),
            Presence::Optional => quote!(optional),
            Presence::ThreeState => quote!(nullable),
        };
        let key = &f.wire;
        quote!(#deprecated #field: #presence #key,)
    });
    quote! {
        crate::decode::object! {
            #name {
                #( #entries )*
            }
        }
    }
}

/// A scalar `default` as the literal a field table gives it, typed so that `.into()` turns
/// it into the field's type (`25i64`, `false`, `"text"`).
fn default_literal(ty: &TypeRef, value: &Value) -> TokenStream {
    match (ty, value) {
        (TypeRef::Integer { bits: 32 }, Value::Number(n)) => {
            let n = Literal::i32_suffixed(n.as_i64().and_then(|n| i32::try_from(n).ok()).unwrap_or_default());
            quote!(#n)
        }
        (TypeRef::Integer { .. }, Value::Number(n)) => {
            let n = Literal::i64_suffixed(n.as_i64().unwrap_or_default());
            quote!(#n)
        }
        (_, Value::Number(n)) => {
            let n = Literal::f64_suffixed(n.as_f64().unwrap_or_default());
            quote!(#n)
        }
        (_, Value::Bool(b)) => quote!(#b),
        (_, Value::String(s)) => quote!(#s),
        (_, other) => {
            let text = other.to_string();
            quote!(#text)
        }
    }
}

/// The opening line of a field table in formatted source.
const TABLE_START: &str = "crate::decode::object! {";

/// The opening line of a union's variant table in formatted source.
const UNION_TABLE_START: &str = "crate::tagged::by_constants! {";

/// A table laid out one entry per line, if `body` is one of the kind `start` opens.
fn laid_out(start: &str, body: &str) -> Option<String> {
    match start {
        TABLE_START => syn::parse_str::<Table>(body).ok().map(|t| t.to_string()),
        UNION_TABLE_START => syn::parse_str::<UnionTable>(body).ok().map(|t| t.to_string()),
        _ => None,
    }
}

/// Lays out each field table and union table of a formatted file one entry per line
/// (`prettyplease` fills a macro's tokens into lines as they fit, with a space before
/// every `:`).
pub(super) fn lay_out_tables(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut lines = source.lines();
    while let Some(line) = lines.next() {
        out.push_str(line);
        out.push('\n');
        if line != TABLE_START && line != UNION_TABLE_START {
            continue;
        }
        let body: Vec<&str> = lines.by_ref().take_while(|l| *l != "}").collect();
        match laid_out(line, &body.join("\n")) {
            Some(table) => out.push_str(&table),
            // Not a table this module emitted: kept as formatted.
            None => body.iter().for_each(|l| {
                out.push_str(l);
                out.push('\n');
            }),
        }
        out.push_str("}\n");
    }
    out
}

/// The body of a `crate::decode::object!` call: `Name { field: presence "key", … }`.
struct Table {
    name: Ident,
    entries: Vec<Entry>,
}

/// `#[deprecated] field: presence "key"`, or with a default, `field: or(default) "key"`.
struct Entry {
    deprecated: bool,
    field: Ident,
    presence: Ident,
    default: Option<TokenStream>,
    key: syn::LitStr,
}

impl syn::parse::Parse for Table {
    fn parse(input: syn::parse::ParseStream) -> syn::Result<Self> {
        let name = input.parse()?;
        let content;
        syn::braced!(content in input);
        let entries = content.parse_terminated(Entry::parse, syn::Token![,])?;
        Ok(Table { name, entries: entries.into_iter().collect() })
    }
}

impl Entry {
    fn parse(input: syn::parse::ParseStream) -> syn::Result<Self> {
        let deprecated = match input.call(syn::Attribute::parse_outer)?.as_slice() {
            [] => false,
            [attr] if attr.path().is_ident("deprecated") => true,
            _ => return Err(input.error("expected at most `#[deprecated]`")),
        };
        let field = input.call(<Ident as syn::ext::IdentExt>::parse_any)?;
        input.parse::<syn::Token![:]>()?;
        let presence = input.parse()?;
        let default = if input.peek(syn::token::Paren) {
            let content;
            syn::parenthesized!(content in input);
            Some(content.parse()?)
        } else {
            None
        };
        Ok(Entry { deprecated, field, presence, default, key: input.parse()? })
    }
}

impl std::fmt::Display for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "    {} {{", self.name)?;
        for e in &self.entries {
            let deprecated = if e.deprecated { "#[deprecated] " } else { "" };
            // A default is one literal, or a negative one (`- 1i64` as tokens).
            let default = e.default.as_ref().map(|d| format!("({})", d.to_string().replacen("- ", "-", 1)));
            writeln!(
                f,
                "        {deprecated}{}: {}{} {},",
                e.field,
                e.presence,
                default.unwrap_or_default(),
                e.key.token()
            )?;
        }
        writeln!(f, "    }}")
    }
}

/// The body of a `crate::tagged::by_constants!` call: `Name { Variant ["key" = "value"], … }`.
struct UnionTable {
    name: Ident,
    entries: Vec<(Ident, Vec<(syn::LitStr, syn::LitStr)>)>,
}

impl syn::parse::Parse for UnionTable {
    fn parse(input: syn::parse::ParseStream) -> syn::Result<Self> {
        let name = input.parse()?;
        let content;
        syn::braced!(content in input);
        let entry = |input: syn::parse::ParseStream| {
            let variant = input.call(<Ident as syn::ext::IdentExt>::parse_any)?;
            let constants;
            syn::bracketed!(constants in input);
            let constant = |input: syn::parse::ParseStream| {
                let key = input.parse()?;
                input.parse::<syn::Token![=]>()?;
                Ok((key, input.parse()?))
            };
            let constants = constants.parse_terminated(constant, syn::Token![,])?;
            Ok((variant, constants.into_iter().collect()))
        };
        let entries = content.parse_terminated(entry, syn::Token![,])?;
        Ok(UnionTable { name, entries: entries.into_iter().collect() })
    }
}

impl std::fmt::Display for UnionTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "    {} {{", self.name)?;
        for (variant, constants) in &self.entries {
            let constants: Vec<String> =
                constants.iter().map(|(key, value)| format!("{} = {}", key.token(), value.token())).collect();
            writeln!(f, "        {variant} [{}],", constants.join(", "))?;
        }
        writeln!(f, "    }}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn formatted(tokens: TokenStream) -> String {
        prettyplease::unparse(&syn::parse_file(&tokens.to_string()).expect("parses"))
    }

    fn api(doc: serde_json::Value) -> Api {
        let spec = crate::load::Spec::from_value(std::path::Path::new("test.yaml"), doc, "").expect("a valid spec");
        crate::ir::build(&spec).expect("builds")
    }

    fn doc_of(api: &Api, name: &str) -> String {
        let t = api.types.iter().find(|t| t.name == name).unwrap_or_else(|| panic!("no type {name}"));
        usage_doc(api, t, "crate::models")
    }

    #[test]
    fn usage_docs_name_a_few_places_of_the_first_roles() {
        let pet = serde_json::json!({"$ref": "#/components/schemas/Pet"});
        let get = |id: &str| {
            serde_json::json!({"get": {"operationId": id, "tags": ["Pets"], "responses": {"200": {
                "description": "ok", "content": {"application/json": {"schema": pet}}
            }}}})
        };
        let api = api(serde_json::json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {"/a": get("GetA"), "/b": get("GetB"), "/c": get("GetC"), "/d": get("GetD"), "/e": get("GetE")},
            "components": {"schemas": {
                "Pet": {"type": "object", "properties": {"name": {"type": "string"}}},
                "Owner": {"type": "object", "properties": {"pet": pet, "other": pet, "third": pet, "type": pet}},
                "Unused": {"type": "object"},
                "Cat": {"type": "object", "properties": {"meow": {"type": "boolean"}}},
                "Animal": {"oneOf": [{"$ref": "#/components/schemas/Cat"}, pet]}
            }}
        }));
        assert_eq!(
            doc_of(&api, "Pet"),
            "Returned by [`PetsApi::get_a`](crate::api::PetsApi::get_a), \
             [`PetsApi::get_b`](crate::api::PetsApi::get_b), [`PetsApi::get_c`](crate::api::PetsApi::get_c) \
             and 2 other operations. The `other` field of [`Owner`](crate::models::Owner). \
             The `pet` field of [`Owner`](crate::models::Owner). Also used in 3 other places."
        );
        assert_eq!(doc_of(&api, "Cat"), "The payload of [`Animal::Cat`](crate::models::Animal::Cat).");
        assert_eq!(
            doc_of(&api, "Unused"),
            "The spec's `Unused` schema, which no request, success response or webhook event uses."
        );
    }

    #[test]
    fn lists_of_places_read_as_prose() {
        let links = |n: usize| (1..=n).map(|i| format!("`{i}`")).collect::<Vec<_>>();
        assert_eq!(listed(&links(1), "types"), "`1`");
        assert_eq!(listed(&links(2), "types"), "`1` and `2`");
        assert_eq!(listed(&links(3), "types"), "`1`, `2` and `3`");
        assert_eq!(listed(&links(5), "types"), "`1`, `2`, `3` and 2 other types");
        assert_eq!(Role::Event.sentence("`a`", 1), "The data of the `a` webhook event.");
        assert_eq!(Role::Event.sentence("`a` and `b`", 2), "The data of the `a` and `b` webhook events.");
    }

    #[test]
    fn doc_text_wraps_at_spaces_before_column_100() {
        let link = format!("[`{}`](crate::x)", "a".repeat(80));
        let lines = wrapped(&format!("Returned by {link} and {link}."));
        assert_eq!(lines, ["Returned by".to_owned(), format!("{link} and"), format!("{link}.")]);
    }

    #[test]
    fn integers_have_no_suffix_and_long_ones_are_grouped() {
        let shown: Vec<String> = [0, 114, 9999, 60_000, 3_600_000, u64::MAX].map(|n| int(n).to_string()).into();
        assert_eq!(shown, ["0", "114", "9999", "60_000", "3_600_000", "18_446_744_073_709_551_615"]);
    }

    #[test]
    fn callers_pass_strings_lists_and_models_as_anything_that_converts() {
        let api = api(serde_json::json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {},
            "components": {"schemas": {"Pet": {"type": "object", "properties": {"name": {"type": "string"}}}}}
        }));
        let field = |ty: TypeRef, boxed: bool, nullable: bool| Field {
            name: "x".into(),
            wire: "x".into(),
            ty,
            required: true,
            nullable,
            doc: None,
            deprecated: false,
            default: None,
            boxed,
            constraints: Default::default(),
        };
        let value = ident("x");
        let shown = |f: &Field| {
            let (arg, convert) = required_input(&api, f, false, &quote!(models::), &value);
            let compact = |tokens: TokenStream| tokens.to_string().replace(' ', "");
            (compact(arg), compact(convert))
        };
        let strings = TypeRef::Array(Box::new(TypeRef::String));
        let cases = [
            (field(TypeRef::String, false, false), "implInto<String>", "x.into()"),
            (field(TypeRef::Json, false, false), "implInto<serde_json::Value>", "x.into()"),
            (field(TypeRef::Integer { bits: 64 }, false, false), "i64", "x"),
            (
                field(strings, false, false),
                "implIntoIterator<Item=implInto<String>>",
                "x.into_iter().map(Into::into).collect()",
            ),
            (field(TypeRef::Named(0), true, false), "implInto<models::Pet>", "Box::new(x.into())"),
            (field(TypeRef::String, false, true), "Option<String>", "x"),
        ];
        for (f, arg, convert) in cases {
            assert_eq!(shown(&f), (arg.to_owned(), convert.to_owned()), "{:?}", f.ty);
        }
    }

    #[test]
    fn field_tables_get_one_line_per_field() {
        let tokens = quote! {
            pub struct Kept;

            crate::decode::object! {
                Pet {
                    id: required "id",
                    r#type: optional "type",
                    tags: empty "tags",
                    has_image: or(false) "has_image",
                    limit: or(-1i64) "limit",
                    #[deprecated] a_field_name_long_enough_to_break_the_line_of_prettyplease: nullable "a-field-name",
                }
            }
        };
        let expected = "pub struct Kept;\n\
            crate::decode::object! {\n    Pet {\n        id: required \"id\",\n        r#type: optional \"type\",\n        \
            tags: empty \"tags\",\n        has_image: or(false) \"has_image\",\n        limit: or(-1i64) \"limit\",\n        \
            #[deprecated] a_field_name_long_enough_to_break_the_line_of_prettyplease: nullable \"a-field-name\",\n    \
            }\n}\n";
        assert_eq!(lay_out_tables(&formatted(tokens)), expected);
    }

    #[test]
    fn union_tables_get_one_line_per_variant() {
        let tokens = quote! {
            crate::tagged::by_constants! {
                Key {
                    Private ["kty" = "OKP", "crv" = "Ed25519"],
                    Rsa ["kty" = "RSA"],
                    Other [],
                }
            }
        };
        let expected = "crate::tagged::by_constants! {\n    Key {\n        Private [\"kty\" = \"OKP\", \"crv\" = \"Ed25519\"],\n        \
            Rsa [\"kty\" = \"RSA\"],\n        Other [],\n    }\n}\n";
        assert_eq!(lay_out_tables(&formatted(tokens)), expected);
    }

    #[test]
    fn other_macros_and_malformed_tables_are_kept_as_formatted() {
        let source = formatted(quote! {
            crate::decode::object! { Pet { #[serde(skip)] id: required "id" } }
            other! { a : b }
        });
        assert_eq!(lay_out_tables(&source), source);
    }
}
