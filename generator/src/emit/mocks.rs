//! Emits the testing kit's generated half: `src/testing/mocks/`, where each resource group
//! has a handle on the mock server (`mock.users()`) with one typed expectation per
//! operation (`Mock<'_, GetUser>`, matched by path and query parameters and body fields),
//! `fixture()` of each response model, and `tests/mock_coverage.rs`, which mounts a mock
//! of every operation and builds every fixture. The runtime (`templates/src/testing/`)
//! does the matching and answering.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::api::{displayable, field_names, setter_type};
use super::types::{self, ident};
use super::{Unformatted, rust_file, rust_file_in_parts};
use crate::ir::{Api, BodyMedia, Crate, Group, Operation, ParamLocation, ResponseBody, TypeDef, TypeRef};

/// What the copied `src/testing/mod.rs` gets appended: the generated mocks module.
pub(super) const DECLARATION: &str =
    "\n/// Typed mocks of every operation, by resource group: `mock.users().get_user(\"user_123\")`.\npub mod mocks;\n";

fn model_ty(api: &Api, t: &TypeRef) -> TokenStream {
    types::ty_in(api, t, false, &quote!(models::))
}

/// `src/testing/mocks/mod.rs` and one file per group.
pub(super) fn files<'a>(plan: &'a Crate<'_>) -> Vec<Unformatted<'a>> {
    let mut files = vec![rust_file("src/testing/mocks/mod.rs", || module(&plan.groups))];
    for group in &plan.groups {
        files.push(rust_file_in_parts(format!("src/testing/mocks/{}.rs", group.name), || group_file(plan.api, group)));
    }
    files
}

fn module(groups: &[Group]) -> TokenStream {
    let cfg = |g: &Group| {
        let feature = &g.feature;
        quote!(#[cfg(feature = #feature)])
    };
    let modules = groups.iter().map(|g| {
        let (gate, module, ty) = (cfg(g), ident(&g.name), ident(&crate::clerk::group_mocks(&g.name)));
        quote!(#gate mod #module; #gate pub use #module::#ty;)
    });
    let accessors = groups.iter().map(|g| {
        let (gate, method, ty) = (cfg(g), ident(&g.accessor), ident(&crate::clerk::group_mocks(&g.name)));
        let doc = format!(" Mocks of {} operations (feature `{}`).", g.tag, g.feature);
        quote! {
            #[doc = #doc]
            #gate
            pub fn #method(&self) -> #ty<'_> {
                #ty { server: self }
            }
        }
    });
    quote! {
        //! Typed mocks of every operation, by resource group, as the client groups them.
        #( #modules )*

        impl super::MockServer {
            #( #accessors )*
        }
    }
}

/// `src/testing/mocks/<group>.rs`: the group's mocks, then each operation's endpoint and
/// each one's matchers, one part each.
fn group_file(api: &Api, group: &Group) -> Vec<TokenStream> {
    let module = ident(&group.name);
    let ty = ident(&crate::clerk::group_mocks(&group.name));
    let handle = &group.handle;
    let members: Vec<(&Operation, Ident)> =
        group.members.iter().map(|m| (&api.operations[m.operation], ident(&m.builder))).collect();
    let uses_models = members.iter().any(|(op, _)| !api.operation_refs(op).is_empty());
    let imports = uses_models.then(|| {
        quote!(
            use crate::models;
        )
    });
    let methods = members.iter().map(|(op, builder)| expectation(op, builder, handle));
    let doc = format!(" Mocks of {} operations.", group.tag);
    let ty_doc = format!(" Mocks of {} operations: get it with `mock.{}()`.", group.tag, group.accessor);
    let mocks = quote! {
        #![doc = #doc]
        use crate::api::#module as api;
        use crate::testing::{Endpoint, Mock, MockServer, Reply};
        #imports

        #[doc = #ty_doc]
        #[derive(Debug, Clone, Copy)]
        pub struct #ty<'m> {
            pub(super) server: &'m MockServer,
        }

        impl<'m> #ty<'m> {
            #( #methods )*
        }
    };
    let endpoints = members.iter().map(|(op, builder)| endpoint(api, op, builder));
    let matchers = members.iter().filter_map(|(op, builder)| matchers(api, op, builder));
    std::iter::once(mocks).chain(endpoints).chain(matchers).collect()
}

/// The group method that starts an expectation of `op`, matching its path parameters.
fn expectation(op: &Operation, builder: &Ident, handle: &str) -> TokenStream {
    let name = ident(&op.name);
    let fields = field_names(op);
    let path: Vec<(Ident, &str)> = fields
        .iter()
        .filter(|(_, p)| p.location == ParamLocation::Path)
        .map(|(field, p)| (ident(field), p.wire.as_str()))
        .collect();
    let args = path.iter().map(|(f, _)| quote!(#f: impl std::fmt::Display));
    let matches = path.iter().map(|(f, wire)| quote!(.match_path(#wire, #f)));
    let doc = format!(
        " Expects [`{handle}::{}`](crate::api::{handle}::{}): `{} {}`.",
        op.name.trim_start_matches("r#"),
        op.name.trim_start_matches("r#"),
        op.method,
        op.path
    );
    quote! {
        #[doc = #doc]
        pub fn #name(&self, #(#args),*) -> Mock<'m, api::#builder> {
            Mock::new(self.server) #(#matches)*
        }
    }
}

/// `Endpoint` for the operation's request builder: what its request is and how its
/// success response is sent.
fn endpoint(api: &Api, op: &Operation, builder: &Ident) -> TokenStream {
    let status = types::int(u64::from(op.response.status));
    let (response, reply) = match &op.response.body {
        ResponseBody::Json(t) => (model_ty(api, t), quote!(Reply::json(#status, &response))),
        ResponseBody::Text => (quote!(String), quote!(Reply::text(#status, response))),
        ResponseBody::Binary => (quote!(bytes::Bytes), quote!(Reply::bytes(#status, response))),
        ResponseBody::Empty => (quote!(()), quote!(Reply::status(#status))),
    };
    let argument = match op.response.body {
        ResponseBody::Empty => quote!((): ()),
        _ => quote!(response: #response),
    };
    let (id, method, path) = (op.name.trim_start_matches("r#"), &op.method, &op.path);
    quote! {
        impl Endpoint for api::#builder {
            type Response = #response;
            const OPERATION: &'static str = #id;
            const METHOD: &'static str = #method;
            const PATH: &'static str = #path;

            fn reply(#argument) -> Reply {
                #reply
            }
        }
    }
}

/// Typed matchers of an expectation: one per query parameter, with the client's setter
/// types, and `body` for a JSON body.
fn matchers(api: &Api, op: &Operation, builder: &Ident) -> Option<TokenStream> {
    let mut methods: Vec<TokenStream> = field_names(op)
        .iter()
        .filter(|(_, p)| p.location == ParamLocation::Query)
        .map(|(field, p)| {
            let f = ident(field);
            let wire = &p.wire;
            let (arg_ty, convert) = setter_type(api, &p.ty, &f);
            let ty = model_ty(api, &p.ty);
            let matcher = match &p.ty {
                TypeRef::Array(inner) if displayable(api, inner) => {
                    let explode = p.explode;
                    quote!(self.match_query_list(#wire, &#f, #explode))
                }
                t if displayable(api, t) => quote!(self.match_query(#wire, &#f)),
                _ => quote!(self.match_query_json(#wire, &#f)),
            };
            let doc = format!(
                " Matches requests that set the query parameter `{wire}` to `{f}`, encoded as the client encodes it."
            );
            // A value the setter takes as it stores it needs no conversion.
            let convert = (f != convert.to_string()).then(|| quote!(let #f: #ty = #convert;));
            quote! {
                #[doc = #doc]
                pub fn #f(self, #f: #arg_ty) -> Self {
                    #convert
                    #matcher
                }
            }
        })
        .collect();
    if let Some(body) = op.body.as_ref().filter(|b| b.media == BodyMedia::Json) {
        let ty = model_ty(api, &body.ty);
        methods.push(quote! {
            /// Matches requests whose body sends every field `body` sets, with the same
            /// value; the fields it leaves unset may have any value.
            pub fn body(self, body: &#ty) -> Self {
                self.match_json_body(body)
            }
        });
    }
    (!methods.is_empty()).then(|| {
        quote! {
            impl Mock<'_, api::#builder> {
                #( #methods )*
            }
        }
    })
}

/// `fixture()` of a response model, under the `testing` feature.
pub(super) fn fixture(t: &TypeDef) -> Option<TokenStream> {
    let json = t.fixture()?.to_string();
    let name = ident(&t.name);
    let type_name = &t.name;
    let doc = format!(
        " For tests: a [`{type_name}`] from the spec's example, or with each required field set to the least its schema allows and the others unset; set any field afterwards."
    );
    Some(quote! {
        #[cfg(feature = "testing")]
        impl #name {
            #[doc = #doc]
            pub fn fixture() -> Self {
                crate::testing::fixture(#type_name, #json)
            }
        }
    })
}

/// `tests/mock_coverage.rs`: a mock of every operation of the spec mounts, and every
/// fixture builds.
pub(super) fn coverage_test(plan: &Crate<'_>, krate: &Ident) -> TokenStream {
    let api = plan.api;
    let mounts = api.operations.iter().map(|op| {
        let accessor = plan.groups.iter().find(|g| g.name == op.group).map_or(op.group.as_str(), |g| &g.accessor);
        let (group, method) = (ident(accessor), ident(&op.name));
        let args = op.params.iter().filter(|p| p.location == ParamLocation::Path).map(|_| quote!("sample"));
        quote!(mock.#group().#method(#(#args),*).returns_status(599).mount(),)
    });
    let operation_count = types::int(api.operations.len() as u64);
    let fixtures: Vec<TokenStream> = api
        .types
        .iter()
        .filter(|t| t.fixture().is_some())
        .map(|t| {
            let name = ident(&t.name);
            let type_name = &t.name;
            quote!((#type_name, || {
                let _ = #krate::models::#name::fixture();
            }),)
        })
        .collect();
    let fixture_count = types::int(fixtures.len() as u64);
    quote! {
        //! The testing kit covers the whole spec: a typed mock of each of its operations
        //! mounts, and the `fixture()` of each response model builds.
        #![cfg(all(feature = "testing", feature = "full"))]

        #[tokio::test]
        async fn every_operation_of_the_spec_has_a_mock() {
            let mock = #krate::testing::MockServer::start().await;
            let mounted = [ #( #mounts )* ];
            assert_eq!(mounted.len(), #operation_count);
        }

        #[test]
        fn every_response_model_has_a_fixture_that_builds() {
            let fixtures: &[(&str, fn())] = &[ #( #fixtures )* ];
            let failed: Vec<&str> =
                fixtures.iter().filter(|(_, build)| std::panic::catch_unwind(build).is_err()).map(|(name, _)| *name).collect();
            assert!(failed.is_empty(), "{} fixtures do not build: {}", failed.len(), failed.join(", "));
            assert_eq!(fixtures.len(), #fixture_count);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::test_api;

    const SPEC: &str = r##"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /jwks:
    get:
      operationId: GetJWKS
      tags: [JWKS]
      responses: {'200': {description: keys, content: {application/json: {schema: {type: object}}}}}
  /things/{thing_id}:
    get:
      operationId: GetThing
      tags: [Things]
      parameters:
        - {name: thing_id, in: path, required: true, schema: {type: string}}
        - {name: verbose, in: query, required: true, schema: {type: boolean}}
      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}}
components:
  schemas:
    Thing:
      type: object
      required: [id]
      properties: {id: {type: string, example: thing_1}, kind: {$ref: '#/components/schemas/Kind'}}
    Kind: {type: string, enum: [a, b]}
"##;

    #[test]
    fn response_models_with_a_sample_get_a_fixture_and_others_do_not() {
        let api = test_api(SPEC);
        let by_name = |name: &str| api.types.iter().find(|t| t.name == name).unwrap();
        let thing = fixture(by_name("Thing")).expect("a struct with a sample").to_string();
        assert!(thing.contains(r#""{\"id\":\"thing_1\"}""#), "{thing}");
        assert!(fixture(by_name("Kind")).is_none());
        let mut unsampled = by_name("Thing").clone();
        unsampled.sample = None;
        assert!(fixture(&unsampled).is_none());
        let mut request_only = by_name("Thing").clone();
        request_only.in_response = false;
        assert!(fixture(&request_only).is_none());
    }

    #[test]
    fn path_parameters_are_arguments_and_required_query_parameters_are_matchers() {
        let api = test_api(SPEC);
        let plan = Crate::plan(&api, None);
        let things = plan.groups.iter().find(|g| g.name == "things").unwrap();
        let code: String = group_file(&api, things).iter().map(ToString::to_string).collect();
        assert!(code.contains("pub fn get_thing (& self , thing_id : impl std :: fmt :: Display)"), "{code}");
        assert!(code.contains(". match_path (\"thing_id\" , thing_id)"), "{code}");
        assert!(
            code.contains(
                "pub fn verbose (self , verbose : bool) -> Self { self . match_query (\"verbose\" , & verbose) }"
            ),
            "{code}"
        );
    }

    #[test]
    fn the_coverage_test_mounts_one_mock_per_operation_of_the_spec() {
        let api = test_api(SPEC);
        let code = coverage_test(&Crate::plan(&api, None), &ident("krate")).to_string();
        assert_eq!(code.matches(". mount ()").count(), api.operations.len());
        assert!(code.contains("mock . things () . get_thing (\"sample\")"), "{code}");
        assert!(code.contains("assert_eq ! (mounted . len () , 2)"), "{code}");
    }
}
