//! Emits `src/api/`: one module per resource group, with a group handle
//! (`client.users()`), one method per operation, and one request builder per operation
//! that sets optional parameters and sends the call (`.send()` or `.await`).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::collections::{BTreeMap, BTreeSet};

use super::types::{self, doc_attrs, ident};
use crate::ir::{Api, BodyMedia, Operation, Param, ParamLocation, ResponseBody, TypeKind, TypeRef};
use crate::names::{self, Namespace};

/// The operations of each group, groups sorted by name.
pub fn groups(api: &Api) -> BTreeMap<&str, Vec<&Operation>> {
    let mut groups: BTreeMap<&str, Vec<&Operation>> = BTreeMap::new();
    for op in &api.operations {
        groups.entry(op.group.as_str()).or_default().push(op);
    }
    groups
}

/// The cargo feature of a group: its module name, unless another feature has that name.
pub fn group_feature(group: &str) -> String {
    const TAKEN: &[&str] =
        &["full", "rustls", "native-tls", "tracing", "auth", "axum", "webhook-verification", "default"];
    if TAKEN.contains(&group) { format!("{group}-api") } else { group.to_owned() }
}

/// The group handle's type name: `UsersApi`, as the groups of Clerk's other SDKs.
pub fn group_type(group: &str) -> String {
    format!("{}Api", names::type_ident(group, "Default"))
}

/// A type as written in `src/api/`: models through the `models::` path.
fn model_ty(api: &Api, t: &TypeRef, multipart: bool) -> TokenStream {
    types::ty_in(api, t, multipart, &quote!(models::))
}

/// The name of the accessor on `Client` for each group, in group order.
fn accessors(api: &Api) -> Vec<(String, String)> {
    let mut ns = Namespace::new();
    for reserved in ["new", "builder", "from_env", "base_url", "inner"] {
        ns.claim(reserved);
    }
    groups(api).keys().map(|g| ((*g).to_owned(), ns.claim(g))).collect()
}

/// The accessor on `Client` for a group: `users` for `client.users()`.
pub fn group_accessor(api: &Api, group: &str) -> String {
    accessors(api).into_iter().find(|(g, _)| g == group).map(|(_, a)| a).unwrap_or_else(|| group.to_owned())
}

/// `src/api/mod.rs`: the group modules and the accessors on `Client`.
pub fn module(api: &Api) -> TokenStream {
    let accessors = accessors(api);
    let groups = groups(api);
    let cfg = |g: &str| {
        let feature = group_feature(g);
        quote!(#[cfg(feature = #feature)])
    };
    let modules = groups.keys().map(|g| {
        let gate = cfg(g);
        let module = ident(g);
        quote!(#gate pub mod #module;)
    });
    let uses = groups.keys().map(|g| {
        let gate = cfg(g);
        let module = ident(g);
        let ty = ident(&group_type(g));
        quote!(#gate pub use #module::#ty;)
    });
    let methods = groups.iter().zip(&accessors).map(|((group, ops), (_, accessor))| {
        let gate = cfg(group);
        let method = ident(accessor);
        let ty = ident(&group_type(group));
        let doc =
            format!(" Operations on {} ({} operations; feature `{}`).", ops[0].tag, ops.len(), group_feature(group));
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

/// `src/api/<group>.rs`.
pub fn group(api: &Api, group: &str, ops: &[&Operation]) -> TokenStream {
    let ty = ident(&group_type(group));
    let mut builder_names = Namespace::new();
    builder_names.claim(&group_type(group));
    let builders: Vec<String> =
        ops.iter().map(|op| builder_names.claim(&names::type_ident(&op.id, "Request"))).collect();
    let uses_models = ops.iter().any(|op| {
        let mut ids = BTreeSet::new();
        op.params.iter().for_each(|p| types::referenced(&p.ty, &mut ids));
        if let Some(body) = &op.body {
            types::referenced(&body.ty, &mut ids);
        }
        if let ResponseBody::Json(t) = &op.response.body {
            types::referenced(t, &mut ids);
        }
        !ids.is_empty()
    });
    let imports = uses_models.then(|| {
        quote!(
            use crate::models;
        )
    });
    let methods = ops.iter().zip(&builders).map(|(op, builder)| group_method(api, op, builder));
    let items = ops.iter().zip(&builders).map(|(op, builder)| builder_items(api, op, builder, &ty));
    let doc = format!(" Operations on {}.", ops[0].tag);
    let handle_doc = format!(" {}: get it with `client.{}()`.", ops[0].tag, group);
    quote! {
        #![doc = #doc]
        use crate::request::{Call, Operation, RequestOptions};
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

        #( #items )*
    }
}

/// Arguments of the group method: required path and query parameters, then a required body.
fn required(op: &Operation) -> (Vec<&Param>, Vec<&Param>) {
    op.params.iter().partition(|p| p.required && p.location != ParamLocation::Cookie)
}

fn field_names(op: &Operation) -> Vec<(String, &Param)> {
    let mut ns = Namespace::new();
    for reserved in ["client", "options", "body"] {
        ns.claim(reserved);
    }
    op.params.iter().map(|p| (ns.claim(&p.name), p)).collect()
}

fn group_method(api: &Api, op: &Operation, builder: &str) -> TokenStream {
    let name = ident(&op.name);
    let builder = ident(builder);
    let (required_params, _) = required(op);
    let fields = field_names(op);
    let mut args = Vec::new();
    let mut inits = Vec::new();
    for (field, p) in &fields {
        let f = ident(field);
        if required_params.iter().any(|r| std::ptr::eq(*r, *p)) {
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
    if let Some(body) = &op.body {
        let body_ty = model_ty(api, &body.ty, false);
        if body.required {
            args.push(quote!(body: #body_ty));
            inits.push(quote!(body));
        } else {
            inits.push(quote!(body: None));
        }
    }
    let mut extra = vec![format!("`{} {}`", op.method, op.path)];
    if op.description.is_some() && op.summary.is_some() {
        extra.insert(0, op.description.clone().unwrap_or_default());
    }
    let doc = doc_attrs(op.summary.as_deref().or(op.description.as_deref()), &extra);
    let deprecated = op.deprecated.then(|| quote!(#[deprecated]));
    quote! {
        #doc
        #deprecated
        pub fn #name(&self, #(#args),*) -> #builder<'c> {
            #builder {
                client: self.client,
                options: RequestOptions::default(),
                #( #inits, )*
            }
        }
    }
}

/// The setter's parameter type and the expression that stores it.
fn setter_type(api: &Api, t: &TypeRef, value: &proc_macro2::Ident) -> (TokenStream, TokenStream) {
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

fn builder_items(api: &Api, op: &Operation, builder: &str, group_ty: &proc_macro2::Ident) -> TokenStream {
    let builder_ident = ident(builder);
    let (required_params, _) = required(op);
    let fields = field_names(op);
    let const_name = format_ident!("{}", names::snake(&op.id).to_uppercase());
    let op_id = &op.id;
    let http_method = format_ident!("{}", op.method);
    let path_template = &op.path;
    let auth = !op.no_auth;

    let mut struct_fields = Vec::new();
    let mut setters = Vec::new();
    for (field, p) in &fields {
        let f = ident(field);
        let ty = model_ty(api, &p.ty, false);
        let is_required = required_params.iter().any(|r| std::ptr::eq(*r, *p));
        if is_required {
            struct_fields.push(quote!(#f: #ty));
            continue;
        }
        struct_fields.push(quote!(#f: Option<#ty>));
        let (arg_ty, convert) = setter_type(api, &p.ty, &f);
        let mut extra = Vec::new();
        if let Some(default) = &p.default {
            extra.push(format!("The server uses `{}` when this is not set.", default_text(default)));
        }
        let doc = doc_attrs(p.doc.as_deref(), &extra);
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
    if let Some(body) = &op.body {
        let body_ty = model_ty(api, &body.ty, false);
        if body.required {
            struct_fields.push(quote!(body: #body_ty));
        } else {
            struct_fields.push(quote!(body: Option<#body_ty>));
            setters.push(quote! {
                /// The request body (optional for this operation).
                pub fn body(mut self, body: #body_ty) -> Self {
                    self.body = Some(body);
                    self
                }
            });
        }
    }

    // The path, with each parameter encoded as one segment.
    let mut format_string = String::new();
    let mut format_args = Vec::new();
    let mut rest = op.path.as_str();
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else { break };
        format_string.push_str(&rest[..start]);
        format_string.push_str("{}");
        let wire = &rest[start + 1..start + len];
        let value = fields
            .iter()
            .find(|(_, p)| p.location == ParamLocation::Path && p.wire == wire)
            .map(|(field, p)| {
                let f = ident(field);
                if p.ty == TypeRef::String {
                    quote!(crate::request::segment(&self.#f))
                } else {
                    quote!(crate::request::segment(&self.#f.to_string()))
                }
            })
            .unwrap_or_else(|| quote!(crate::request::segment(#wire)));
        format_args.push(value);
        rest = &rest[start + len + 1..];
    }
    format_string.push_str(rest);
    let path = if format_args.is_empty() {
        quote!(#format_string.to_owned())
    } else {
        quote!(format!(#format_string, #(#format_args),*))
    };

    let mut statements = Vec::new();
    for (field, p) in &fields {
        let f = ident(field);
        let wire = &p.wire;
        let is_required = required_params.iter().any(|r| std::ptr::eq(*r, *p));
        let value = if is_required { quote!(Some(&self.#f)) } else { quote!(self.#f.as_ref()) };
        match (p.location, &p.ty) {
            (ParamLocation::Query, TypeRef::Array(_)) => {
                let explode = p.explode;
                statements.push(quote!(call.query_list(#wire, #value, #explode);));
            }
            (ParamLocation::Query, t) if displayable(api, t) => statements.push(quote!(call.query(#wire, #value);)),
            (ParamLocation::Query, _) => {
                let json = if is_required {
                    quote!(serde_json::to_string(&self.#f).ok())
                } else {
                    quote!(self.#f.as_ref().and_then(|v| serde_json::to_string(v).ok()))
                };
                statements.push(quote!(call.query(#wire, #json.as_ref());));
            }
            (ParamLocation::Header, t) if displayable(api, t) => statements.push(quote!(call.header(#wire, #value);)),
            (ParamLocation::Header, _) => {
                let json = if is_required {
                    quote!(serde_json::to_string(&self.#f).ok())
                } else {
                    quote!(self.#f.as_ref().and_then(|v| serde_json::to_string(v).ok()))
                };
                statements.push(quote!(call.header(#wire, #json.as_ref());));
            }
            _ => {}
        }
    }
    if let Some(body) = &op.body {
        let encode = |method: TokenStream| {
            if body.required {
                quote!(call.#method(&self.body);)
            } else {
                quote! {
                    if let Some(body) = &self.body {
                        call.#method(body);
                    }
                }
            }
        };
        match body.media {
            BodyMedia::Multipart => {
                if let TypeRef::Named(id) = body.ty {
                    if let TypeKind::Struct { fields, .. } = &api.ty(id).kind {
                        for f in fields {
                            let name = ident(&f.name);
                            let wire = &f.wire;
                            let access = match (body.required, f.required) {
                                (true, true) => quote!(Some(&self.body.#name)),
                                (true, false) => quote!(self.body.#name.as_ref()),
                                (false, true) => quote!(self.body.as_ref().map(|b| &b.#name)),
                                (false, false) => quote!(self.body.as_ref().and_then(|b| b.#name.as_ref())),
                            };
                            statements.push(if f.ty == TypeRef::File {
                                quote!(call.file(#wire, #access);)
                            } else {
                                quote!(call.text(#wire, #access);)
                            });
                        }
                    }
                }
            }
            BodyMedia::Json => statements.push(encode(quote!(json))),
            BodyMedia::Form => statements.push(encode(quote!(form))),
        }
    }
    let (output, finish) = match &op.response.body {
        ResponseBody::Json(t) => (model_ty(api, t, false), quote!(call.send_json())),
        ResponseBody::Text => (quote!(String), quote!(call.send_text())),
        ResponseBody::Empty => (quote!(()), quote!(call.send_empty())),
    };
    let builder_doc = format!(
        " Request builder for [`{}::{}`]: set optional parameters, then `.send().await` or just `.await`.",
        group_ty, op.name
    );
    let send_doc = format!(" Sends `{} {}`.", op.method, op.path);
    let pagination = paginate(api, op, &fields);
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
        pub struct #builder_ident<'c> {
            client: &'c crate::Client,
            options: RequestOptions,
            #( #struct_fields, )*
        }

        impl<'c> #builder_ident<'c> {
            #( #setters )*

            /// Per-call settings: timeout, retry policy, extra headers.
            pub fn options(mut self, options: RequestOptions) -> Self {
                self.options = options;
                self
            }

            #[doc = #send_doc]
            pub fn send(self) -> crate::Pending<'c, #output> {
                let #mutable call = Call::new(self.client, &#const_name, #path, self.options);
                #( #statements )*
                #finish
            }

            #pagination
        }

        crate::request::into_future!(#builder_ident, #output);
    }
}

fn default_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Types whose `Display` is their query-string form.
fn displayable(api: &Api, t: &TypeRef) -> bool {
    match t {
        TypeRef::String | TypeRef::Integer { .. } | TypeRef::Number | TypeRef::Boolean => true,
        TypeRef::Named(id) => matches!(api.ty(*id).kind, TypeKind::Enum { .. }),
        _ => false,
    }
}

/// Where a paginated operation's items are: the response itself (a bare array), or its
/// `data` field with an optional `total_count` field.
pub struct Pages<'a> {
    item: TypeRef,
    data: Option<&'a crate::ir::Field>,
    total: Option<&'a crate::ir::Field>,
}

/// The pagination shape of a limit/offset operation, if it has one.
pub fn pages<'a>(api: &'a Api, op: &Operation) -> Option<Pages<'a>> {
    let optional_query =
        |wire: &str| op.params.iter().any(|p| p.wire == wire && p.location == ParamLocation::Query && !p.required);
    if !optional_query("limit") || !optional_query("offset") {
        return None;
    }
    match &op.response.body {
        ResponseBody::Json(TypeRef::Array(item)) => Some(Pages { item: (**item).clone(), data: None, total: None }),
        ResponseBody::Json(TypeRef::Named(id)) => {
            let TypeKind::Struct { fields, .. } = &api.ty(*id).kind else { return None };
            let data = fields.iter().find(|f| f.wire == "data" && f.required)?;
            let TypeRef::Array(item) = &data.ty else { return None };
            let total = fields.iter().find(|f| f.wire == "total_count" && matches!(f.ty, TypeRef::Integer { .. }));
            Some(Pages { item: (**item).clone(), data: Some(data), total })
        }
        _ => None,
    }
}

/// `paginate()` for limit/offset operations that return a bare array or a
/// `{data, total_count}` envelope.
fn paginate(api: &Api, op: &Operation, fields: &[(String, &Param)]) -> Option<TokenStream> {
    let pages = pages(api, op)?;
    let find = |wire: &str| fields.iter().find(|(_, p)| p.wire == wire && p.location == ParamLocation::Query);
    let (limit_field, limit) = find("limit")?;
    let (offset_field, offset) = find("offset")?;
    let extract = match pages.data {
        None => quote!(crate::pagination::Page { items: page, total: None }),
        Some(data) => {
            let data_name = ident(&data.name);
            let total = match pages.total {
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
    let default_limit =
        proc_macro2::Literal::i64_unsuffixed(limit.default.as_ref().and_then(serde_json::Value::as_i64).unwrap_or(10));
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
    Some(quote! {
        /// Every item across pages, fetched lazily, starting at this request's offset;
        /// the limit set on this request is the page size.
        pub fn paginate(self) -> impl futures_util::Stream<Item = Result<#item_ty, crate::Error>> + 'c {
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
