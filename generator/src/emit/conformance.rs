//! Emits `tests/conformance.rs`: one test that calls every operation with valid arguments
//! (built from the spec's examples and schemas) against a Prism mock server of the spec,
//! and fails unless Prism accepts every request and every response decodes. It uses the
//! crate's public API only, `krate` naming the crate.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::types::{self, ident};
use crate::ir::{Api, BodyMedia, Crate, Operation, ParamLocation, TypeKind, TypeRef};

fn model_ty(api: &Api, krate: &Ident, t: &TypeRef, multipart: bool) -> TokenStream {
    types::ty_in(api, t, multipart, &quote!(#krate::models::))
}

/// The call expression for an operation, or why it cannot be built.
fn call(plan: &Crate<'_>, krate: &Ident, op: &Operation) -> Result<TokenStream, String> {
    let api = plan.api;
    let accessor = plan.groups.iter().find(|g| g.name == op.group).map_or(op.group.as_str(), |g| g.accessor.as_str());
    let group = ident(accessor);
    let method = ident(&op.name);
    let mut args = Vec::new();
    for p in op.params.iter().filter(|p| p.required && p.location != ParamLocation::Cookie) {
        let json = p.sample.as_ref().ok_or_else(|| format!("no sample for parameter `{}`", p.wire))?.to_string();
        let ty = model_ty(api, krate, &p.ty, false);
        args.push(quote!(sample::<#ty>(#json)));
    }
    let mut setters = Vec::new();
    match &op.body {
        Some(body) if body.fields.is_some() => object_body(api, krate, body, &mut args, &mut setters)?,
        Some(body) if body.required => args.push(body_value(api, krate, body)?),
        _ => {}
    }
    Ok(quote!(clerk.#group().#method(#(#args),*) #(#setters)* .send().with_response()))
}

/// A sample file part.
fn file(krate: &Ident) -> TokenStream {
    quote!(#krate::FilePart::new(b"\x89PNG\r\n\x1a\n".to_vec()).file_name("sample.png").content_type("image/png"))
}

/// The arguments for an object body's required properties (from the body's sample, files
/// a sample file), then, for a required JSON or form body, the whole sample through
/// `.body(…)`; a multipart body's optional files through their setters.
fn object_body(
    api: &Api,
    krate: &Ident,
    body: &crate::ir::Body,
    args: &mut Vec<TokenStream>,
    setters: &mut Vec<TokenStream>,
) -> Result<(), String> {
    let TypeRef::Named(id) = body.ty else { return Err("an object body that is not a named type".into()) };
    let TypeKind::Struct { fields, multipart } = &api.ty(id).kind else {
        return Err("an object body that is not a struct".into());
    };
    for setter in body.fields.iter().flatten() {
        let f = &fields[setter.field];
        if f.ty == TypeRef::File {
            let file = file(krate);
            match f.required {
                true => args.push(file),
                false => {
                    let name = ident(&setter.name);
                    setters.push(quote!(.#name(#file)));
                }
            }
        } else if f.required {
            let value = body.sample.as_ref().and_then(|s| s.get(&f.wire));
            let json = value.ok_or_else(|| format!("no sample for body property `{}`", f.wire))?.to_string();
            // The type the argument takes (`types::required_input`): the value, or for a
            // field that may be `null` the field's own `Option`.
            let mut ty = model_ty(api, krate, &f.ty, *multipart);
            if f.nullable && f.boxed {
                ty = quote!(Option<Box<#ty>>);
            } else if f.nullable {
                ty = quote!(Option<#ty>);
            }
            args.push(quote!(sample::<#ty>(#json)));
        }
    }
    if body.required && !*multipart {
        let value = body_value(api, krate, body)?;
        setters.push(quote!(.body(#value)));
    }
    Ok(())
}

/// A whole body from its sample.
fn body_value(api: &Api, krate: &Ident, body: &crate::ir::Body) -> Result<TokenStream, String> {
    if body.media == BodyMedia::Binary {
        return Ok(file(krate));
    }
    let ty = model_ty(api, krate, &body.ty, false);
    let json = body.sample.as_ref().ok_or("no sample for the body")?.to_string();
    Ok(quote!(sample::<#ty>(#json)))
}

pub(super) fn emit(plan: &Crate<'_>, krate: &Ident) -> TokenStream {
    let api = plan.api;
    let checks = api.operations.iter().map(|op| {
        let id = &op.id;
        match call(plan, krate, op) {
            // Boxed: one state machine holding every call would overflow the stack.
            Ok(call) => quote!(report.check(#id, Box::pin(#call).await);),
            Err(why) => {
                let why = format!("{id}: {why}");
                quote!(report.failures.push(#why.to_owned());)
            }
        }
    });
    let control = api
        .operations
        .iter()
        .find(|op| {
            op.body.as_ref().is_some_and(|b| {
                b.media == BodyMedia::Json
                    && b.sample.as_ref().is_some_and(|s| s.as_object().is_some_and(|o| !o.is_empty()))
            }) && op.params.iter().all(|p| !p.required)
        })
        .map(|op| {
            let method = quote::format_ident!("{}", op.method);
            let url = format!("{{base}}{}", op.path);
            quote! {
                // Negative control: a body that breaks the spec must be rejected, or Prism
                // is not validating and this test proves nothing.
                let response = reqwest::Client::new()
                    .request(reqwest::Method::#method, format!(#url))
                    .bearer_auth("sk_test_conformance")
                    .header("content-type", "application/json")
                    .body("{}")
                    .send()
                    .await
                    .expect("Prism answers");
                assert!(response.status().is_client_error(), "Prism accepted an invalid body: {}", response.status());
                assert!(response.headers().contains_key("sl-violations"), "Prism did not report the violation");
            }
        });
    let count = types::int(api.operations.len() as u64);
    quote! {
        //! Conformance against a Prism mock server of the spec: every operation is called
        //! with valid arguments; Prism must accept each request (no `sl-violations`), and
        //! each response must decode into its generated type.
        #![cfg(feature = "full")]

        #[allow(dead_code, reason = "only operations with required parameters or bodies use it")]
        fn sample<T: serde::de::DeserializeOwned>(json: &str) -> T {
            serde_json::from_str(json).unwrap_or_else(|e| panic!("sample {json} does not fit its type: {e}"))
        }

        #[derive(Default)]
        struct Report {
            total: usize,
            failures: Vec<String>,
            /// Operations whose mock response Prism itself flagged as breaking the spec.
            mock_violations: usize,
        }

        impl Report {
            /// A call passes when Prism reports no violation of the *request* and the
            /// response decodes. Violations Prism reports about its own generated response
            /// are counted, not failed: they are the mock's, and the SDK tolerated them.
            fn check<T>(&mut self, operation: &str, result: Result<#krate::Response<T>, #krate::Error>) {
                self.total += 1;
                let headers = match &result {
                    Ok(response) => Some(response.headers()),
                    Err(e) => e.api().map(|api| &api.headers),
                };
                let violations: Vec<serde_json::Value> = headers
                    .and_then(|headers| headers.get("sl-violations"))
                    .and_then(|v| serde_json::from_slice(v.as_bytes()).ok())
                    .unwrap_or_default();
                let (request, response): (Vec<_>, Vec<_>) =
                    violations.into_iter().partition(|v| v["location"][0] == "request");
                if !response.is_empty() {
                    self.mock_violations += 1;
                }
                if let Err(e) = result {
                    self.failures.push(format!("{operation}: {e}"));
                } else if !request.is_empty() {
                    self.failures.push(format!("{operation}: Prism rejected the request: {}", serde_json::Value::from(request)));
                }
            }
        }

        #[tokio::test]
        #[ignore = "needs a Prism mock server of the spec at PRISM_URL; `cargo xtask test` starts one"]
        #[allow(deprecated, reason = "deprecated operations are part of the API and are checked too")]
        async fn every_operation_is_accepted_by_prism_and_decodes() {
            let base = std::env::var("PRISM_URL").expect("PRISM_URL names the Prism server");
            let clerk = #krate::Client::builder("sk_test_conformance")
                .base_url(&base)
                .retry_policy(#krate::RetryPolicy::none())
                .build()
                .unwrap();
            #control
            let mut report = Report::default();
            #( #checks )*
            let passed = report.total - report.failures.len();
            println!(
                "Prism conformance: {passed} of {} operations passed ({} mock responses broke the spec and still decoded)",
                #count,
                report.mock_violations
            );
            assert!(report.failures.is_empty(), "{} operations failed:\n{}", report.failures.len(), report.failures.join("\n"));
            assert_eq!(report.total, #count);
        }
    }
}
