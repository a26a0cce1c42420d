//! Emits `src/api/`: one module per resource group, with a group handle
//! (`client.users()`), one method per operation, and one request builder per operation
//! that sets optional parameters and sends the call (`.send()` or `.await`).

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::types::{self, doc_attrs, ident};
use crate::ir::{
    Api, Body, BodyField, BodyMedia, Bound, Crate, Field, Group, Operation, PageShape, Param, ParamLocation, Presence,
    Range, ResponseBody, TypeKind, TypeRef,
};
use crate::names::{self, Namespace};

/// `#[inline]`, on an operation's constructor, `options`, `send`, `paginate` and `.await`:
/// an operation compiles in the crate that calls it, with its body's encoding and its
/// response's decoding, rather than every operation in this one. A service that calls ten
/// operations compiles ten, and the SDK's own build does not compile the rest.
fn compiled_where_called() -> TokenStream {
    quote!(#[inline])
}

/// A type as written in `src/api/`: models through the `models::` path.
fn model_ty(api: &Api, t: &TypeRef, multipart: bool) -> TokenStream {
    types::ty_in(api, t, multipart, &quote!(models::))
}

/// `src/api/mod.rs`: the group modules and the accessors on `Client`.
pub(super) fn module(plan: &Crate<'_>) -> TokenStream {
    let cfg = |g: &Group| {
        let feature = &g.feature;
        quote!(#[cfg(feature = #feature)])
    };
    let modules = plan.groups.iter().map(|g| {
        let gate = cfg(g);
        let module = ident(&g.name);
        quote!(#gate pub mod #module;)
    });
    let uses = plan.groups.iter().map(|g| {
        let gate = cfg(g);
        let module = ident(&g.name);
        let ty = ident(&g.handle);
        quote!(#gate pub use #module::#ty;)
    });
    let methods = plan.groups.iter().map(|g| {
        let gate = cfg(g);
        let method = ident(&g.accessor);
        let ty = ident(&g.handle);
        let doc = format!(" Operations on {} ({} operations; feature `{}`).", g.tag, g.members.len(), g.feature);
        quote! {
            #[doc = #doc]
            #gate
            pub fn #method(&self) -> #ty<'_> {
                #ty::new(self)
            }
        }
    });
    quote! {
        //! The API's operations, grouped by resource: `client.users().get_user_list()`.
        #( #modules )*
        #( #uses )*

        impl crate::Client {
            #( #methods )*
        }
    }
}

/// `src/api/<group>.rs`: the group's handle, then each operation's items, one part each.
pub(super) fn group(api: &Api, group: &Group) -> Vec<TokenStream> {
    let ty = ident(&group.handle);
    let members: Vec<(&Operation, &str)> =
        group.members.iter().map(|m| (&api.operations[m.operation], m.builder.as_str())).collect();
    let uses_models = members.iter().any(|(op, _)| !api.operation_refs(op).is_empty());
    let imports = uses_models.then(|| {
        quote!(
            use crate::models;
        )
    });
    let list = members.iter().any(|(op, _)| op.envelope_switch.is_some()).then(|| {
        quote!(
            use crate::List;
        )
    });
    let methods = members.iter().map(|(op, builder)| group_method(api, op, builder));
    let doc = format!(" Operations on {}.", group.tag);
    let handle_doc = format!(" {}: get it with `client.{}()`.", group.tag, group.name);
    let handle = quote! {
        #![doc = #doc]
        use crate::request::{Call, Operation, RequestOptions};
        #list
        #imports

        #[doc = #handle_doc]
        #[derive(Debug, Clone, Copy)]
        pub struct #ty<'c> {
            client: &'c crate::Client,
        }

        impl<'c> #ty<'c> {
            pub(crate) fn new(client: &'c crate::Client) -> Self {
                Self { client }
            }

            #( #methods )*
        }
    };
    std::iter::once(handle).chain(members.iter().map(|(op, builder)| builder_items(api, op, builder, &ty))).collect()
}

/// A parameter the group method takes as an argument (required ones); the builder has a
/// setter for every other.
pub(super) fn is_argument(p: &Param) -> bool {
    p.required && p.location != ParamLocation::Cookie
}

pub(super) fn field_names(op: &Operation) -> Vec<(String, &Param)> {
    let mut ns = Namespace::new();
    for reserved in ["client", "options", "body"] {
        ns.claim(reserved);
    }
    op.params.iter().map(|p| (ns.claim(&p.name), p)).collect()
}

fn group_method(api: &Api, op: &Operation, builder: &str) -> TokenStream {
    let name = ident(&op.name);
    let builder = ident(builder);
    let mut args = Vec::new();
    let mut inits = Vec::new();
    for (field, p) in &field_names(op) {
        let f = ident(field);
        if is_argument(p) {
            let (arg_ty, convert) = setter_type(api, &p.ty, &f);
            args.push(quote!(#f: #arg_ty));
            if f == convert.to_string() {
                inits.push(quote!(#f));
            } else {
                inits.push(quote!(#f: #convert));
            }
        } else {
            inits.push(quote!(#f: None));
        }
    }
    if let Some(object) = ObjectBody::of(api, op) {
        let (body_args, init) = object.arguments(api);
        args.extend(body_args);
        inits.push(quote!(body: #init));
    } else if let Some(body) = &op.body {
        let input = BodyInput::of(api, body);
        if body.required {
            let (arg_ty, convert) = (input.arg, input.convert);
            args.push(quote!(body: #arg_ty));
            if convert.to_string() == "body" {
                inits.push(quote!(body));
            } else {
                inits.push(quote!(body: #convert));
            }
        } else {
            inits.push(quote!(body: None));
        }
    }
    let mut extra = vec![format!("`{} {}`", op.method, op.path)];
    if op.description.is_some() && op.summary.is_some() {
        extra.insert(0, op.description.clone().unwrap_or_default());
    }
    extra.extend(
        field_names(op)
            .iter()
            .filter(|(_, p)| is_argument(p))
            .filter_map(|(field, p)| constraint_doc(p, &format!("`{}` must", field.trim_start_matches("r#")))),
    );
    extra.extend(media_notes(op));
    let doc = doc_attrs(op.summary.as_deref().or(op.description.as_deref()), &extra);
    let deprecated = op.deprecated.then(|| quote!(#[deprecated]));
    let inline = compiled_where_called();
    quote! {
        #doc
        #deprecated
        #inline
        pub fn #name(&self, #(#args),*) -> #builder {
            #builder {
                client: self.client.clone(),
                options: RequestOptions::default(),
                #( #inits, )*
            }
        }
    }
}

/// How the body is taken: the builder field's type, the argument's type and the expression
/// that turns the argument (`body`) into the field.
struct BodyInput {
    field: TokenStream,
    arg: TokenStream,
    convert: TokenStream,
}

impl BodyInput {
    fn of(api: &Api, body: &Body) -> Self {
        let (field, arg) = match body.media {
            BodyMedia::Text => (quote!(String), quote!(impl Into<String>)),
            BodyMedia::Binary => (quote!(crate::FilePart), quote!(impl Into<crate::FilePart>)),
            BodyMedia::Json | BodyMedia::Form | BodyMedia::Multipart => {
                let ty = model_ty(api, &body.ty, false);
                return BodyInput { field: ty.clone(), arg: ty, convert: quote!(body) };
            }
        };
        BodyInput { field, arg, convert: quote!(body.into()) }
    }
}

/// An object body (JSON, form or multipart), set property by property: required properties are
/// arguments of the operation method (after the path parameters), the others setters on
/// its builder, and `.body(…)` replaces the whole body.
struct ObjectBody<'a> {
    /// The body struct.
    ty: &'a TypeRef,
    /// Its fields.
    fields: &'a [Field],
    /// Sent as `multipart/form-data`.
    multipart: bool,
    /// The arguments and setters, named by the IR.
    setters: &'a [BodyField],
    /// The builder holds a body from the start and always sends it: the spec requires the
    /// body, or a property of it. Otherwise the body is sent once something sets it.
    always_sent: bool,
}

impl<'a> ObjectBody<'a> {
    fn of(api: &'a Api, op: &'a Operation) -> Option<Self> {
        let body = op.body.as_ref()?;
        let setters = body.fields.as_deref()?;
        let TypeRef::Named(id) = body.ty else { return None };
        let TypeKind::Struct { fields, multipart } = &api.ty(id).kind else { return None };
        let always_sent = body.required || fields.iter().any(|f| f.required);
        Some(ObjectBody { ty: &body.ty, fields, multipart: *multipart, setters, always_sent })
    }

    fn required(&self) -> impl Iterator<Item = (&'a BodyField, &'a Field)> + '_ {
        self.setters.iter().map(|s| (s, &self.fields[s.field])).filter(|(_, f)| f.required)
    }

    /// The method's arguments for the required properties, and the builder's initial body.
    fn arguments(&self, api: &Api) -> (Vec<TokenStream>, TokenStream) {
        let ty = model_ty(api, self.ty, false);
        let mut args = Vec::new();
        let mut values = Vec::new();
        for (setter, f) in self.required() {
            let name = ident(&setter.name);
            let (arg, _) = types::required_input(api, f, self.multipart, &quote!(models::), &name);
            args.push(quote!(#name: #arg));
            values.push(name);
        }
        let init = match (self.always_sent, values.is_empty()) {
            (false, _) => quote!(None),
            (true, true) => quote!(#ty::default()),
            (true, false) => quote!(#ty::new(#(#values),*)),
        };
        (args, init)
    }

    /// A setter per optional property, one more per property that may be `null`, and
    /// `body`.
    fn setters(&self, api: &Api) -> Vec<TokenStream> {
        let target = if self.always_sent { quote!(self.body) } else { quote!(self.body.get_or_insert_default()) };
        let mut out = Vec::new();
        for setter in self.setters.iter().filter(|s| !self.fields[s.field].required) {
            let f = &self.fields[setter.field];
            let field = ident(&f.name);
            let name = ident(&setter.name);
            let (arg, convert) = types::input(api, f, self.multipart, &quote!(models::), &name);
            let three_state = setter.null.is_some();
            let value = if three_state { quote!(crate::Nullable::Value(#convert)) } else { quote!(Some(#convert)) };
            let mut extra = Vec::new();
            extra.extend(super::docs::constraints(&f.constraints, &f.ty, "Must"));
            if let Some(default) = &f.default {
                extra.push(format!("The server uses `{}` when this is not sent.", default_text(default)));
            }
            if setter.name != f.name {
                let (name, field) = (setter.name.trim_start_matches("r#"), f.name.trim_start_matches("r#"));
                extra.push(format!("Named `{name}`: this builder has a parameter or method named `{field}`."));
            }
            // Every setter is documented, a property the spec leaves undescribed too.
            let fallback = format!("Sets `{}` in the request body.", f.wire);
            let doc = doc_attrs(Some(f.doc.as_deref().unwrap_or(&fallback)), &extra);
            let deprecated = f.deprecated.then(
                || quote!(#[deprecated] #[allow(deprecated, reason = "the setter of a deprecated field sets it")]),
            );
            out.push(quote! {
                #doc
                #deprecated
                pub fn #name(mut self, #name: #arg) -> Self {
                    #target.#field = #value;
                    self
                }
            });
            if let Some(null) = &setter.null {
                let null = ident(null);
                let doc = format!(" Sends `{}` as `null`.", f.wire);
                out.push(quote! {
                    #[doc = #doc]
                    #deprecated
                    pub fn #null(mut self) -> Self {
                        #target.#field = crate::Nullable::Null;
                        self
                    }
                });
            }
        }
        let ty = model_ty(api, self.ty, false);
        let stored = if self.always_sent { quote!(body) } else { quote!(Some(body)) };
        out.push(quote! {
            /// The whole request body, in place of what the arguments and setters set.
            pub fn body(mut self, body: #ty) -> Self {
                self.body = #stored;
                self
            }
        });
        out
    }
}

/// The rustdoc paragraph on a parameter's constraints (`{subject} be from 1 to 500.`),
/// saying which are checked.
fn constraint_doc(p: &Param, subject: &str) -> Option<String> {
    let sentences = super::docs::constraints(&p.constraints, &p.ty, subject)?;
    let checked =
        p.constraints.range(&p.ty).map(|_| "\nA value out of range ends the call with an error before any request.");
    Some(format!("{sentences}{}", checked.unwrap_or_default()))
}

/// The rustdoc paragraphs that say which media type an operation sends and reads, when
/// it declares several.
fn media_notes(op: &Operation) -> Vec<String> {
    let list = |others: &[String]| others.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ");
    let mut notes = Vec::new();
    if let Some(body) = op.body.as_ref().filter(|b| !b.choice.others.is_empty()) {
        notes.push(format!(
            "The body is sent as `{}`; the operation also accepts {}.",
            body.choice.declared,
            list(&body.choice.others)
        ));
    }
    if let Some(choice) = op.response.choice.as_ref().filter(|c| !c.others.is_empty()) {
        notes.push(format!(
            "The response is read as `{}`; the API may also answer {}.",
            choice.declared,
            list(&choice.others)
        ));
    }
    notes
}

/// The setter's parameter type and the expression that stores it.
pub(super) fn setter_type(api: &Api, t: &TypeRef, value: &proc_macro2::Ident) -> (TokenStream, TokenStream) {
    match t {
        TypeRef::String => (quote!(impl Into<String>), quote!(#value.into())),
        TypeRef::Array(inner) if **inner == TypeRef::String => {
            (quote!(impl IntoIterator<Item = impl Into<String>>), quote!(#value.into_iter().map(Into::into).collect()))
        }
        TypeRef::Array(inner) => {
            let inner = model_ty(api, inner, false);
            (quote!(impl IntoIterator<Item = #inner>), quote!(#value.into_iter().collect()))
        }
        other => (model_ty(api, other, false), quote!(#value)),
    }
}

/// The `const` describing an operation, its request builder and the builder's methods.
fn builder_items(api: &Api, op: &Operation, builder: &str, group_ty: &proc_macro2::Ident) -> TokenStream {
    let builder_ident = ident(builder);
    let fields = field_names(op);
    let const_name = format_ident!("{}", names::snake(&op.id).to_uppercase());
    let op_id = &op.id;
    let http_method = format_ident!("{}", op.method);
    let path_template = &op.path;
    let auth = !op.no_auth;
    let (struct_fields, setters) = builder_fields(api, op, &fields);
    let (segments, path) = path_expr(api, op, &fields);
    let mut statements = param_statements(api, &fields);
    statements.extend(cursor_statement(op, &fields));
    statements.extend(body_statements(api, op));
    // Of several media types, ask for the one the response is read as.
    if let Some(choice) = op.response.choice.as_ref().filter(|c| !c.others.is_empty()) {
        let accept = &choice.declared;
        statements.push(quote!(call.header("Accept", Some(&#accept));));
    }
    let (output, finish) = match &op.response.body {
        ResponseBody::Json(t) => (json_output(api, op, t), quote!(call.send_json())),
        ResponseBody::Text => (quote!(String), quote!(call.send_text())),
        ResponseBody::Binary => (quote!(bytes::Bytes), quote!(call.send_bytes())),
        ResponseBody::Empty => (quote!(()), quote!(call.send_empty())),
    };
    let settable = if ObjectBody::of(api, op).is_some() {
        "optional parameters and body properties"
    } else {
        "optional parameters"
    };
    let builder_doc = format!(
        " Request builder for [`{}::{}`]: set {settable}, then `.send().await` or just `.await`. It holds a clone of the client, so it can be stored, returned or spawned.",
        group_ty, op.name
    );
    let send_doc = format!(" Sends `{} {}`.", op.method, op.path);
    let pagination = paginate(api, op, &fields);
    let inline = compiled_where_called();
    let mutable = (!statements.is_empty()).then(|| quote!(mut));
    quote! {
        const #const_name: Operation = Operation {
            id: #op_id,
            method: reqwest::Method::#http_method,
            path: #path_template,
            auth: #auth,
        };

        #[doc = #builder_doc]
        #[derive(Debug, Clone)]
        #[must_use = "a request does nothing until it is sent with `.send()` or `.await`"]
        pub struct #builder_ident {
            client: crate::Client,
            options: RequestOptions,
            #( #struct_fields, )*
        }

        impl #builder_ident {
            #( #setters )*

            /// Per-call settings: timeout, retry policy, extra headers.
            #inline
            pub fn options(mut self, options: RequestOptions) -> Self {
                self.options = options;
                self
            }

            #[doc = #send_doc]
            #inline
            pub fn send(self) -> crate::Pending<#output> {
                #( #segments )*
                let #mutable call = Call::new(self.client, &#const_name, #path, self.options);
                #( #statements )*
                #finish
            }

            #pagination
        }

        crate::request::into_future!(#builder_ident, #output);
    }
}

/// The type a JSON response is read as: the spec's, or for an operation that can switch to
/// an envelope, the runtime's `List` of the array's items.
fn json_output(api: &Api, op: &Operation, t: &TypeRef) -> TokenStream {
    match crate::clerk::array_items(api, t).filter(|_| op.envelope_switch.is_some()) {
        Some(item) => {
            let item = model_ty(api, item, false);
            quote!(List<#item>)
        }
        None => model_ty(api, t, false),
    }
}

/// The builder's fields (required parameters plain, the others `Option`, then the body)
/// and the setters of the optional ones.
fn builder_fields(api: &Api, op: &Operation, fields: &[(String, &Param)]) -> (Vec<TokenStream>, Vec<TokenStream>) {
    let mut struct_fields = Vec::new();
    let mut setters = Vec::new();
    let cursor = op.pagination.as_ref().and_then(|pages| Some((pages.cursor?.param, &fields[pages.offset].1.wire)));
    for (i, (field, p)) in fields.iter().enumerate() {
        let f = ident(field);
        let ty = model_ty(api, &p.ty, false);
        if is_argument(p) {
            struct_fields.push(quote!(#f: #ty));
            continue;
        }
        struct_fields.push(quote!(#f: Option<#ty>));
        let (arg_ty, convert) = setter_type(api, &p.ty, &f);
        let mut extra = Vec::new();
        extra.extend(constraint_doc(p, "Must"));
        if let Some((_, offset)) = cursor.filter(|(param, _)| *param == i) {
            extra
                .push(format!("With a non-zero `{offset}` beside it, the call ends with an error before any request."));
        }
        if let Some(default) = &p.default {
            extra.push(format!("The server uses `{}` when this is not set.", default_text(default)));
        }
        // Every setter is documented, a parameter the spec leaves undescribed too.
        let place = match p.location {
            ParamLocation::Query => "query parameter",
            ParamLocation::Header => "header",
            ParamLocation::Path | ParamLocation::Cookie => "parameter",
        };
        let fallback = format!("Sets the `{}` {place}.", p.wire);
        let doc = doc_attrs(Some(p.doc.as_deref().unwrap_or(&fallback)), &extra);
        let deprecated = p.deprecated.then(|| quote!(#[deprecated]));
        setters.push(quote! {
            #doc
            #deprecated
            pub fn #f(mut self, #f: #arg_ty) -> Self {
                self.#f = Some(#convert);
                self
            }
        });
    }
    if let Some(object) = ObjectBody::of(api, op) {
        let ty = model_ty(api, object.ty, false);
        struct_fields.push(if object.always_sent { quote!(body: #ty) } else { quote!(body: Option<#ty>) });
        setters.extend(object.setters(api));
    } else if let Some(body) = &op.body {
        let BodyInput { field, arg, convert } = BodyInput::of(api, body);
        if body.required {
            struct_fields.push(quote!(body: #field));
        } else {
            struct_fields.push(quote!(body: Option<#field>));
            setters.push(quote! {
                /// The request body (optional for this operation).
                pub fn body(mut self, body: #arg) -> Self {
                    self.body = Some(#convert);
                    self
                }
            });
        }
    }
    (struct_fields, setters)
}

/// The path, with each parameter encoded as one segment.
fn path_expr(api: &Api, op: &Operation, fields: &[(String, &Param)]) -> (Vec<TokenStream>, TokenStream) {
    let mut format_string = String::new();
    let mut segments = Vec::new();
    let mut format_args = Vec::new();
    let mut rest = op.path.as_str();
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else { break };
        format_string.push_str(&rest[..start]);
        let wire = &rest[start + 1..start + len];
        match fields.iter().find(|(_, p)| p.location == ParamLocation::Path && p.wire == wire) {
            // Each segment is a local first, captured by name (prettyplease leaves macro
            // arguments as they are; a raw identifier is captured without its `r#`).
            Some((field, p)) => {
                let f = ident(field);
                segments.push(path_segment(api, &f, &p.ty));
                format_string.push_str(&format!("{{{}}}", field.trim_start_matches("r#")));
            }
            None => {
                format_string.push_str("{}");
                format_args.push(quote!(crate::request::segment(#wire)));
            }
        }
        rest = &rest[start + len + 1..];
    }
    format_string.push_str(rest);
    let path = if segments.is_empty() && format_args.is_empty() {
        quote!(#format_string.to_owned())
    } else {
        quote!(format!(#format_string #(, #format_args)*))
    };
    (segments, path)
}

/// The local that holds a path parameter as its encoded segment: a plain value's text, a
/// list's items each encoded and joined by commas (the `simple` style), anything else its
/// JSON text.
fn path_segment(api: &Api, f: &proc_macro2::Ident, ty: &TypeRef) -> TokenStream {
    match ty {
        TypeRef::String => quote!(let #f = crate::request::segment(&self.#f);),
        t if displayable(api, t) => quote!(let #f = crate::request::segment(&self.#f.to_string());),
        TypeRef::Array(inner) if displayable(api, inner) => quote! {
            let #f = self.#f.iter().map(|item| crate::request::segment(&item.to_string())).collect::<Vec<_>>().join(",");
        },
        _ => quote!(let #f = crate::request::segment(&serde_json::to_string(&self.#f).unwrap_or_default());),
    }
}

/// The statements that put query and header parameters on the call.
fn param_statements(api: &Api, fields: &[(String, &Param)]) -> Vec<TokenStream> {
    let mut statements = Vec::new();
    for (field, p) in fields {
        let f = ident(field);
        let wire = &p.wire;
        let value = if is_argument(p) { quote!(Some(&self.#f)) } else { quote!(self.#f.as_ref()) };
        let json = || {
            let json = if is_argument(p) {
                quote!(serde_json::to_string(&self.#f).ok())
            } else {
                quote!(self.#f.as_ref().and_then(|v| serde_json::to_string(v).ok()))
            };
            quote!(#json.as_ref())
        };
        if let Some(range) = p.constraints.range(&p.ty) {
            let range = range_expr(&range);
            statements.push(quote!(call.check_range(#wire, #value, #range);));
        }
        statements.push(match (p.location, &p.ty) {
            (ParamLocation::Query, TypeRef::Array(inner)) if displayable(api, inner) => {
                let explode = p.explode;
                quote!(call.query_list(#wire, #value, #explode);)
            }
            (ParamLocation::Query, t) if displayable(api, t) => quote!(call.query(#wire, #value);),
            (ParamLocation::Query, _) => {
                let json = json();
                quote!(call.query(#wire, #json);)
            }
            (ParamLocation::Header, t) if displayable(api, t) => quote!(call.header(#wire, #value);),
            (ParamLocation::Header, _) => {
                let json = json();
                quote!(call.header(#wire, #json);)
            }
            _ => continue,
        });
    }
    statements
}

/// A range as Rust writes it: `1..=500`, `0..`, or for a `number` with an exclusive end,
/// its pair of `std::ops::Bound`s.
fn range_expr(range: &Range) -> TokenStream {
    match range {
        Range::Integer(min, max) => {
            let (min, max) = (min.map(Literal::i64_unsuffixed), max.map(Literal::i64_unsuffixed));
            match (min, max) {
                (min, Some(max)) => quote!(#min..=#max),
                (min, None) => quote!(#min..),
            }
        }
        Range::Number(min, max) if !min.iter().chain(max).any(|b| b.exclusive) => {
            let end =
                |b: &Option<Bound>| b.as_ref().map(|b| Literal::f64_unsuffixed(b.value.as_f64().unwrap_or_default()));
            let (min, max) = (end(min), end(max));
            match (min, max) {
                (min, Some(max)) => quote!(#min..=#max),
                (min, None) => quote!(#min..),
            }
        }
        Range::Number(min, max) => {
            let end = |b: &Option<Bound>| match b {
                Some(b) => {
                    let value = Literal::f64_unsuffixed(b.value.as_f64().unwrap_or_default());
                    if b.exclusive {
                        quote!(std::ops::Bound::Excluded(#value))
                    } else {
                        quote!(std::ops::Bound::Included(#value))
                    }
                }
                None => quote!(std::ops::Bound::Unbounded),
            };
            let (min, max) = (end(min), end(max));
            quote!((#min, #max))
        }
    }
}

/// The statements that put the body on the call: JSON, a form, or one part per field.
fn body_statements(api: &Api, op: &Operation) -> Vec<TokenStream> {
    let Some(body) = &op.body else { return Vec::new() };
    let always_sent = ObjectBody::of(api, op).map_or(body.required, |object| object.always_sent);
    // `put` writes the call that takes the body, given the expression that borrows it.
    let encode = |put: &dyn Fn(TokenStream) -> TokenStream| {
        if always_sent {
            let statement = put(quote!(&self.body));
            quote!(#statement;)
        } else {
            let statement = put(quote!(body));
            quote! {
                if let Some(body) = &self.body {
                    #statement;
                }
            }
        }
    };
    let content_type = &body.choice.content_type;
    match body.media {
        BodyMedia::Json => vec![encode(&|b| quote!(call.json(#b)))],
        BodyMedia::Form => vec![encode(&|b| quote!(call.form(#b)))],
        BodyMedia::Text => vec![encode(&|b| quote!(call.text_body(#content_type, #b)))],
        BodyMedia::Binary => vec![encode(&|b| quote!(call.raw_body(#content_type, #b)))],
        BodyMedia::Multipart => {
            let TypeRef::Named(id) = body.ty else { return Vec::new() };
            let TypeKind::Struct { fields, .. } = &api.ty(id).kind else { return Vec::new() };
            fields
                .iter()
                .map(|f| {
                    let name = ident(&f.name);
                    let wire = &f.wire;
                    // A field that may be `null` too (`Nullable`) sends no part for `null`.
                    let three_state = f.presence(api.ty(id).in_request) == Presence::ThreeState;
                    let borrow = if three_state { quote!(as_option) } else { quote!(as_ref) };
                    let access = match (always_sent, f.required) {
                        (true, true) => quote!(Some(&self.body.#name)),
                        (true, false) => quote!(self.body.#name.#borrow()),
                        (false, true) => quote!(self.body.as_ref().map(|b| &b.#name)),
                        (false, false) => quote!(self.body.as_ref().and_then(|b| b.#name.#borrow())),
                    };
                    match &f.ty {
                        TypeRef::File => quote!(call.file(#wire, #access);),
                        // Several files: one part each, under the same name.
                        TypeRef::Array(inner) if **inner == TypeRef::File => quote! {
                            for item in #access.into_iter().flatten() {
                                call.file(#wire, Some(item));
                            }
                        },
                        t if displayable(api, t) => quote!(call.text(#wire, #access);),
                        // An array of plain values: one part per item.
                        TypeRef::Array(inner) if displayable(api, inner) => quote! {
                            for item in #access.into_iter().flatten() {
                                call.text(#wire, Some(item));
                            }
                        },
                        // Anything else as its JSON text.
                        _ => quote!(call.text(#wire, #access.and_then(|v| serde_json::to_string(v).ok()).as_ref());),
                    }
                })
                .collect()
        }
    }
}

fn default_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Types whose `Display` is their query-string form: scalars, enums, and unions of those
/// (`oneOf: [integer, string]`), which display their value.
pub(super) fn displayable(api: &Api, t: &TypeRef) -> bool {
    match t {
        TypeRef::Named(id) => match &api.ty(*id).kind {
            TypeKind::Untagged { variants } => displays_its_value(api, variants),
            TypeKind::Alias { target, .. } => displayable(api, target),
            _ => displayable_scalar(api, t),
        },
        _ => displayable_scalar(api, t),
    }
}

/// Whether an untagged union's variants are all scalars or enums: its `Display` is then
/// the value's text.
pub(super) fn displays_its_value(api: &Api, variants: &[crate::ir::Variant]) -> bool {
    variants.iter().all(|v| displayable_scalar(api, &v.ty))
}

/// A scalar or an enum, or another name for one.
fn displayable_scalar(api: &Api, t: &TypeRef) -> bool {
    match t {
        TypeRef::String | TypeRef::Integer { .. } | TypeRef::Number | TypeRef::Boolean => true,
        TypeRef::Named(id) => match &api.ty(*id).kind {
            TypeKind::Enum { .. } => true,
            TypeKind::Alias { target, .. } => displayable_scalar(api, target),
            _ => false,
        },
        _ => false,
    }
}

/// `paginate()` for an operation the IR found paginated ([`crate::ir::Pagination`]).
fn paginate(api: &Api, op: &Operation, fields: &[(String, &Param)]) -> Option<TokenStream> {
    let pages = op.pagination.as_ref()?;
    let inline = compiled_where_called();
    let (limit_field, limit) = &fields[pages.limit];
    let (offset_field, offset) = &fields[pages.offset];
    let extract = match pages.page {
        PageShape::Array => quote!(crate::pagination::Page { items: page, total: None }),
        PageShape::Switched => {
            quote!(crate::pagination::Page { total: page.total_count(), items: page.into_vec() })
        }
        PageShape::Envelope { data, total } => {
            let TypeKind::Struct { fields: envelope, .. } = &api.ty(envelope_type(op)?).kind else { return None };
            let data_name = ident(&envelope[data].name);
            let total = match total.map(|i| &envelope[i]) {
                Some(f) if f.required && !f.nullable => {
                    let name = ident(&f.name);
                    quote!(Some(page.#name))
                }
                Some(f) => {
                    let name = ident(&f.name);
                    quote!(page.#name)
                }
                None => quote!(None),
            };
            quote!(crate::pagination::Page { items: page.#data_name, total: #total })
        }
    };
    let item_ty = model_ty(api, &pages.item, false);
    let limit_ident = ident(limit_field);
    let offset_ident = ident(offset_field);
    let as_i64 = |p: &Param, e: TokenStream| match p.ty {
        TypeRef::Number => quote!(#e as i64),
        TypeRef::Integer { bits: 32 } => quote!(i64::from(#e)),
        _ => e,
    };
    let from_i64 = match offset.ty {
        TypeRef::Number => quote!(offset as f64),
        TypeRef::Integer { bits: 32 } => quote!(i32::try_from(offset).unwrap_or(i32::MAX)),
        _ => quote!(offset),
    };
    let default_limit = proc_macro2::Literal::i64_unsuffixed(pages.default_limit);
    let page_size = match limit.ty {
        TypeRef::Integer { bits: 64 } => quote!(self.#limit_ident.unwrap_or(#default_limit)),
        _ => {
            let converted = as_i64(limit, quote!(limit));
            quote!(self.#limit_ident.map_or(#default_limit, |limit| #converted))
        }
    };
    let start = match offset.ty {
        TypeRef::Integer { bits: 64 } => quote!(self.#offset_ident.unwrap_or(0)),
        _ => {
            let converted = as_i64(offset, quote!(offset));
            quote!(self.#offset_ident.map_or(0, |offset| #converted))
        }
    };
    // Pages are asked for as envelopes, which carry the total.
    let switch_on = op.envelope_switch.map(|i| {
        let (field, p) = &fields[i];
        let switch = ident(field);
        let doc = format!(" Pages are asked for with `{}=true`, so the walk also stops at their total.", p.wire);
        (quote!(#[doc = ""] #[doc = #doc]), quote!(self.#switch = Some(true);))
    });
    let (switch_doc, switch_on) = switch_on.unzip();
    let receiver = switch_on.as_ref().map(|_| quote!(mut));
    if let Some(cursor) = pages.cursor {
        let after = ident(&fields[cursor.param].0);
        let id = ident(&item_fields(api, &pages.item)?[cursor.id].name);
        return Some(quote! {
            /// Every item across pages, fetched lazily: the first page as this request asks
            /// for it, each next one starting after the last item before it; the limit set on
            /// this request is the page size.
            #switch_doc
            #inline
            pub fn paginate(#receiver self) -> impl futures_util::Stream<Item = Result<#item_ty, crate::Error>> + 'static {
                #switch_on
                let page_size = #page_size;
                let cursor = |item: &#item_ty| item.#id.clone();
                crate::pagination::by_cursor(self, page_size, cursor, |mut request: Self, after: Option<String>| async move {
                    if after.is_some() {
                        request.#after = after;
                        request.#offset_ident = None;
                    }
                    let page = request.send().await?;
                    Ok(#extract)
                })
            }
        });
    }
    Some(quote! {
        /// Every item across pages, fetched lazily, starting at this request's offset;
        /// the limit set on this request is the page size.
        #switch_doc
        #inline
        pub fn paginate(#receiver self) -> impl futures_util::Stream<Item = Result<#item_ty, crate::Error>> + 'static {
            #switch_on
            let page_size = #page_size;
            let start = #start;
            crate::pagination::items(self, start, page_size, |mut request: Self, offset: i64| async move {
                request.#offset_ident = Some(#from_i64);
                let page = request.send().await?;
                Ok(#extract)
            })
        }
    })
}

/// The fields of a list's item type, a struct.
fn item_fields<'a>(api: &'a Api, item: &'a TypeRef) -> Option<&'a [crate::ir::Field]> {
    let TypeRef::Named(id) = api.resolved(item) else { return None };
    match &api.ty(*id).kind {
        TypeKind::Struct { fields, .. } => Some(fields),
        _ => None,
    }
}

/// The statement that refuses a cursor combined with a non-zero offset, which the API
/// does not accept.
fn cursor_statement(op: &Operation, fields: &[(String, &Param)]) -> Option<TokenStream> {
    let pages = op.pagination.as_ref()?;
    let cursor = pages.cursor?;
    let (after, offset) = (ident(&fields[cursor.param].0), &fields[pages.offset]);
    let (offset_ident, zero) = (ident(&offset.0), if offset.1.ty == TypeRef::Number { quote!(0.0) } else { quote!(0) });
    let problem = format!("`{}` cannot be combined with a non-zero `{}`", fields[cursor.param].1.wire, offset.1.wire);
    Some(quote! {
        if self.#after.is_some() && self.#offset_ident.is_some_and(|offset| offset != #zero) {
            call.refuse(#problem);
        }
    })
}

/// The response type of an operation whose page is an envelope.
fn envelope_type(op: &Operation) -> Option<crate::ir::TypeId> {
    match &op.response.body {
        ResponseBody::Json(TypeRef::Named(id)) => Some(*id),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::test_api;

    const SPEC: &str = r#"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /things/{type}/parts/{n}:
    get:
      operationId: GetPart
      parameters:
        - {name: type, in: path, required: true, schema: {type: string}}
        - {name: n, in: path, required: true, schema: {type: integer}}
      responses:
        "204": {description: done}
"#;

    #[test]
    fn a_list_path_parameter_is_joined_and_a_union_of_plain_values_is_displayed() {
        let api = test_api(
            r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /things/{ids}/{key}/{filter}/{slug}/{code}:
    get:
      operationId: GetThing
      parameters:
        - {name: ids, in: path, required: true, schema: {type: array, items: {type: integer}}}
        - {name: key, in: path, required: true, schema: {oneOf: [{type: integer}, {type: string}]}}
        - {name: filter, in: path, required: true, schema: {type: object, properties: {a: {type: string}}}}
        - {name: slug, in: path, required: true, schema: {$ref: "#/components/schemas/Slug"}}
        - {name: code, in: path, required: true, schema: {anyOf: [{type: string, pattern: "^[a-z]+$"}, {type: string}]}}
      responses: {"204": {description: done}}
components:
  schemas:
    Slug: {type: integer}
"##,
        );
        let op = &api.operations[0];
        let (segments, _) = path_expr(&api, op, &field_names(op));
        let text: Vec<String> = segments.iter().map(|t| t.to_string().replace(' ', "")).collect();
        assert_eq!(
            text,
            [
                "letids=self.ids.iter().map(|item|crate::request::segment(&item.to_string())).collect::<Vec<_>>().join(\",\");",
                "letkey=crate::request::segment(&self.key.to_string());",
                "letfilter=crate::request::segment(&serde_json::to_string(&self.filter).unwrap_or_default());",
                "letslug=crate::request::segment(&self.slug.to_string());",
                "letcode=crate::request::segment(&self.code.to_string());",
            ]
        );
        let key = op.params.iter().find(|p| p.wire == "key").unwrap();
        assert!(displayable(&api, &key.ty), "a union of plain values displays its value");
        let filter = op.params.iter().find(|p| p.wire == "filter").unwrap();
        assert!(!displayable(&api, &filter.ty));
    }

    #[test]
    fn path_segments_are_locals_captured_by_name_in_the_format_string() {
        let api = test_api(SPEC);
        let op = &api.operations[0];
        let (segments, path) = path_expr(&api, op, &field_names(op));
        let text = |tokens: &TokenStream| tokens.to_string().replace(' ', "");
        let segments: Vec<String> = segments.iter().map(text).collect();
        assert_eq!(
            segments,
            ["letr#type=crate::request::segment(&self.r#type);", "letn=crate::request::segment(&self.n.to_string());"]
        );
        assert_eq!(text(&path), r#"format!("/things/{type}/parts/{n}")"#);
    }
}
