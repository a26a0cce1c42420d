//! Emits `tests/spec_examples.rs`: a test that every `example` in the spec deserializes
//! into the type generated for its schema, through the crate's public API (`krate`).

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::types;
use crate::ir::Api;

/// The test file. Models behind resource features (`features`) need them all: `full`.
pub(super) fn emit(api: &Api, krate: &Ident, features: bool) -> TokenStream {
    let gate = features.then(|| quote!(#![cfg(feature = "full")]));
    let cases = api.examples.iter().map(|e| {
        let mut ty = types::ty_in(api, &e.ty, false, &quote!(#krate::models::));
        if e.nullable {
            ty = quote!(Option<#ty>);
        }
        let pointer = format!("#{}", e.pointer);
        let json = serde_json::to_string(&e.value).unwrap_or_default();
        quote!( (#pointer, check::<#ty>, #json), )
    });
    let count = types::int(api.examples.len() as u64);
    quote! {
        //! Every `example` the spec gives for a schema, a response or a request body
        //! deserializes into the type generated for it.
        #gate

        type Check = fn(&str) -> Result<(), #krate::DecodeError>;

        fn check<T: serde::de::DeserializeOwned>(json: &str) -> Result<(), #krate::DecodeError> {
            #krate::decode::<T>(json).map(drop)
        }

        const CASES: [(&str, Check, &str); #count] = [
            #( #cases )*
        ];

        #[test]
        fn every_spec_example_deserializes() {
            let failures: Vec<String> = CASES
                .iter()
                .filter_map(|(pointer, check, json)| check(json).err().map(|e| format!("{pointer}: {e}")))
                .collect();
            assert!(failures.is_empty(), "{} of {} examples failed:\n{}", failures.len(), CASES.len(), failures.join("\n"));
        }
    }
}
