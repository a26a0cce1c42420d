//! Emitters: the IR becomes files of Rust source (via `quote` and `prettyplease`) plus the
//! runtime templates and the crate's manifest and README.

mod api;
mod conformance;
mod docs;
mod examples;
mod manifest;
mod mocks;
mod types;

use proc_macro2::TokenStream;
use quote::quote;
use std::collections::{BTreeMap, BTreeSet};

use crate::error::{Diagnostic, Errors};
use crate::ir::{Api, Crate, Features, Runtime, TypeId};
use types::ident;

/// Options for one generated crate.
#[derive(Debug, Clone)]
pub struct Options {
    /// The package name.
    pub crate_name: String,
    /// The package version.
    pub crate_version: String,
    /// The hand-written benchmarks in the crate's `benches/` (file stems). The manifest
    /// declares each with `harness = false` and leaves `benches/` out of the package.
    pub benches: Vec<String>,
    /// The hand-written examples in the crate's `examples/` that use the `testing` kit
    /// (file stems). The manifest declares each with `required-features = ["testing"]`.
    pub testing_examples: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            crate_name: "clerk-sdk".to_owned(),
            crate_version: "0.1.0".to_owned(),
            benches: Vec::new(),
            testing_examples: Vec::new(),
        }
    }
}

/// One generated file, relative to the crate root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// `/`-separated relative path.
    pub path: String,
    /// Contents.
    pub contents: String,
}

/// A file of the runtime crate (`templates/`): its path below `src/`, and its text.
type RuntimeFile = (&'static str, &'static str);

/// The [`RuntimeFile`] at `path` below `templates/src/`.
macro_rules! runtime_file {
    ($path:literal) => {
        ($path, include_str!(concat!("../../../templates/src/", $path)))
    };
}

/// Runtime modules copied from `templates/src` into generated crates, each with its files
/// and when it is needed (so that no crate carries code it does not use). The runtime
/// crate's `lib.rs` is not copied: the generated `lib.rs` takes its place.
const RUNTIME: &[(&str, &[RuntimeFile], Needs)] = &[
    ("client", &[runtime_file!("client.rs")], Needs::Operations),
    ("decode", &[runtime_file!("decode.rs")], Needs::Always),
    ("error", &[runtime_file!("error.rs")], Needs::Operations),
    ("file", &[runtime_file!("file.rs")], Needs::Always),
    ("list", &[runtime_file!("list.rs")], Needs::Operations),
    ("nullable", &[runtime_file!("nullable.rs")], Needs::Always),
    ("pagination", &[runtime_file!("pagination.rs")], Needs::Pagination),
    ("request", &[runtime_file!("request.rs")], Needs::Operations),
    ("response", &[runtime_file!("response.rs")], Needs::Operations),
    ("retry", &[runtime_file!("retry.rs")], Needs::Operations),
    ("tagged", &[runtime_file!("tagged.rs")], Needs::TaggedUnions),
    (
        "auth",
        &[
            runtime_file!("auth/mod.rs"),
            runtime_file!("auth/category.rs"),
            runtime_file!("auth/claims.rs"),
            runtime_file!("auth/error.rs"),
            runtime_file!("auth/extract.rs"),
            runtime_file!("auth/has.rs"),
            runtime_file!("auth/jwks.rs"),
            runtime_file!("auth/jwt.rs"),
            runtime_file!("auth/layer.rs"),
            runtime_file!("auth/machine.rs"),
            runtime_file!("auth/pem.rs"),
        ],
        Needs::Jwks,
    ),
    (
        "testing",
        &[
            runtime_file!("testing/mod.rs"),
            runtime_file!("testing/mock.rs"),
            runtime_file!("testing/rule.rs"),
            runtime_file!("testing/tokens.rs"),
            runtime_file!("testing/webhook.rs"),
        ],
        Needs::Jwks,
    ),
    ("webhooks", &[runtime_file!("webhooks.rs")], Needs::Operations),
];

/// The first line of every file formatted here: rustfmt lays code out differently from
/// prettyplease, and `cargo fmt` must leave generated files as the generator wrote them.
const PRETTYPLEASE: &str = "#![cfg_attr(rustfmt, rustfmt::skip)]\n\n";

/// The marker of a runtime file's unit tests, which end the file.
const UNIT_TESTS: &str = "\n#[cfg(test)]\nmod tests {\n";

/// A runtime file without its unit tests: they run in the runtime crate (`cargo test -p
/// clerk-runtime`), so the copies carry no test code.
fn without_unit_tests(source: &str) -> String {
    match source.find(UNIT_TESTS) {
        Some(at) => format!("{}\n", source[..at].trim_end()),
        None => source.to_owned(),
    }
}

/// Runtime modules that are public and behind a cargo feature: (module, feature).
const FEATURE_MODULES: &[(&str, &str)] =
    &[("auth", "auth"), ("testing", "testing"), ("webhooks", "webhook-verification")];

/// The cargo feature that turns a module on, if it is feature-gated.
fn module_feature(module: &str) -> Option<&'static str> {
    FEATURE_MODULES.iter().find(|(m, _)| *m == module).map(|(_, f)| *f)
}

/// Paths of the runtime files copied verbatim from `templates/` (not generated from the
/// spec), e.g. to leave them out of snapshots.
pub fn runtime_paths() -> Vec<String> {
    RUNTIME.iter().flat_map(|(_, files, _)| files.iter().map(|(path, _)| format!("src/{path}"))).collect()
}

/// Which part of [`Runtime`] a runtime module belongs to.
#[derive(Clone, Copy, PartialEq)]
enum Needs {
    Always,
    Operations,
    Pagination,
    TaggedUnions,
    /// Session token verification ([`Runtime::auth`]).
    Jwks,
}

impl Needs {
    fn met_by(self, runtime: &Runtime) -> bool {
        match self {
            Needs::Always => true,
            Needs::Operations => runtime.client,
            Needs::Pagination => runtime.pagination,
            Needs::TaggedUnions => runtime.tagged,
            Needs::Jwks => runtime.auth,
        }
    }
}

const README: &str = include_str!("../../../templates/README.md.in");
const README_MODELS: &str = include_str!("../../../templates/README.models.md.in");
const README_AUTH: &str = include_str!("../../../templates/README.auth.md.in");

/// `feature = "a"`, or `any(feature = "a", feature = "b", …)` for several.
fn any_feature(features: &[String]) -> TokenStream {
    match features {
        [one] => quote!(feature = #one),
        many => quote!(any(#(feature = #many),*)),
    }
}

/// A gate as a `#[cfg(...)]` attribute.
fn gate(features: Option<&Features>) -> Option<TokenStream> {
    features.map(|f| {
        let predicate = any_feature(&f.0);
        quote!(#[cfg(#predicate)])
    })
}

/// Every file of the generated crate, in a stable order.
pub fn emit(api: &Api, options: &Options) -> Result<Vec<File>, Errors> {
    emit_crate(&Crate::plan(api, None), options)
}

/// Every file of the generated crate, with typed webhook events from a webhooks document
/// (`x-webhooks`) in `webhooks::models` and `webhooks::EventData`.
pub fn emit_with_webhooks(api: &Api, webhooks: Option<&Api>, options: &Options) -> Result<Vec<File>, Errors> {
    emit_crate(&Crate::plan(api, webhooks), options)
}

/// The header of every generated source file. No version in it: a new API version should
/// only touch the files that change.
const HEADER: &str = "// @generated by clerk-codegen. Do not edit: run `cargo xtask regen`.\n\n";

/// Every file of a planned crate, in a stable order.
pub fn emit_crate(plan: &Crate<'_>, options: &Options) -> Result<Vec<File>, Errors> {
    let mut files = vec![
        File { path: "Cargo.toml".into(), contents: manifest::render(plan, options) },
        File { path: "README.md".into(), contents: readme(plan, options) },
    ];
    // The generated tests reach the crate by its name, as users do.
    let krate = options.crate_name.replace('-', "_");
    let krate = krate.as_str();
    let runtime: Vec<&str> =
        RUNTIME.iter().filter(|(_, _, need)| need.met_by(&plan.runtime)).map(|(name, ..)| *name).collect();
    // Rust sources, built and formatted together at the end.
    let mut rust = Vec::new();
    for (name, sources, _) in RUNTIME.iter().filter(|(name, ..)| runtime.contains(name)) {
        match plan.webhooks.as_ref().filter(|_| *name == "webhooks") {
            Some(webhooks) => {
                // One file, the start of `webhooks/mod.rs`, which declares the typed events.
                let source: String = sources.iter().map(|(_, text)| without_unit_tests(text)).collect();
                let typed = "\nmod events;\n/// The models of webhook payloads, generated from the webhooks document.\npub mod models;\n\npub use events::EventData;\n";
                files.push(File { path: "src/webhooks/mod.rs".into(), contents: format!("{HEADER}{source}{typed}") });
                rust.extend(webhook_files(webhooks));
            }
            None => files.extend(sources.iter().map(|(path, text)| {
                // The testing kit's mod.rs declares the generated mocks of the operations.
                let mocks = (*path == "testing/mod.rs" && plan.runtime.client).then_some(mocks::DECLARATION);
                File {
                    path: format!("src/{path}"),
                    contents: format!("{HEADER}{}{}", without_unit_tests(text), mocks.unwrap_or_default()),
                }
            })),
        }
    }
    let runtime = &runtime;
    rust.push(rust_file("src/lib.rs", move || lib(plan, runtime)));
    if plan.runtime.client {
        rust.push(rust_file("src/api/mod.rs", || api::module(plan)));
        for group in &plan.groups {
            rust.push(rust_file_in_parts(format!("src/api/{}.rs", group.name), || api::group(plan.api, group)));
        }
        rust.push(rust_file("tests/conformance.rs", || conformance::emit(plan, &ident(krate))));
        if runtime.contains(&"testing") {
            rust.extend(mocks::files(plan));
            rust.push(rust_file("tests/mock_coverage.rs", || mocks::coverage_test(plan, &ident(krate))));
        }
    }
    let all: Vec<TypeId> = (0..plan.api.types.len()).collect();
    let fixtures = runtime.contains(&"testing");
    rust.extend(models(plan.api, &all, &[], "src/models", "crate::models", Some(&plan.gates), fixtures));
    if !plan.api.examples.is_empty() {
        rust.push(rust_file("tests/spec_examples.rs", || examples::emit(plan.api, &ident(krate), plan.runtime.client)));
    }
    files.extend(format_all(HEADER, rust)?);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// `README.md`: the client's or the models-only one, with the auth section when the crate
/// verifies tokens.
fn readme(plan: &Crate<'_>, options: &Options) -> String {
    let api = plan.api;
    let template = if plan.runtime.client { README } else { README_MODELS };
    let auth_section = if plan.runtime.auth { README_AUTH } else { "" };
    template
        .replace("{crate_name}", &options.crate_name)
        .replace("{crate_version}", &options.crate_version)
        .replace("{api_version}", &api.version)
        .replace("{type_count}", &api.types.len().to_string())
        .replace("{operation_count}", &api.operations.len().to_string())
        .replace("{auth_section}", auth_section)
}

/// `src/webhooks/events.rs` and the payload models the API does not already have.
fn webhook_files<'a>(webhooks: &'a crate::ir::Webhooks<'_>) -> Vec<Unformatted<'a>> {
    let events = webhooks.api;
    let own: Vec<TypeId> = (0..events.types.len()).filter(|id| !webhooks.shared.contains_key(id)).collect();
    let mut reused: Vec<&str> = webhooks.shared.keys().map(|&id| events.ty(id).name.as_str()).collect();
    reused.sort_unstable();
    let mut files = vec![rust_file("src/webhooks/events.rs", || events_file(events))];
    files.extend(models(events, &own, &reused, "src/webhooks/models", "crate::webhooks::models", None, false));
    files
}

/// The model files for the types `ids` of an API below `dir`, whose module is `path`
/// (`crate::models`), gated by `gates`; `reused` names types the module re-exports from
/// `crate::models`; response models get a `fixture()` when `fixtures`.
fn models<'a>(
    api: &'a Api,
    ids: &[TypeId],
    reused: &[&'a str],
    dir: &str,
    path: &'static str,
    gates: Option<&'a crate::ir::Gates>,
    fixtures: bool,
) -> Vec<Unformatted<'a>> {
    let file_gate = move |module: &str| gates.and_then(|g| g.modules.get(module));
    let mut files = Vec::new();
    let mut modules: BTreeMap<&str, Vec<TypeId>> = BTreeMap::new();
    for &id in ids {
        modules.entry(api.ty(id).module.as_str()).or_default().push(id);
    }
    let mut top = Vec::new();
    let mut ops = Vec::new();
    for (module, ids) in modules {
        let (file, list) = match module.strip_prefix("operations/") {
            Some(group) => (format!("{dir}/operations/{group}.rs"), &mut ops),
            None => (format!("{dir}/{module}.rs"), &mut top),
        };
        let name = module.rsplit('/').next().unwrap_or(module);
        let names: Vec<&str> = ids.iter().map(|&id| api.ty(id).name.as_str()).collect();
        list.push(Module { name, types: names, gate: file_gate(module) });
        files.push(rust_file(file, move || model_file(api, &ids, path, fixtures)));
    }
    let has_ops = !ops.is_empty();
    if has_ops {
        files.push(rust_file(format!("{dir}/operations/mod.rs"), move || {
            mod_file(
                &ops,
                quote!(#![doc = " Request bodies, responses and parameter types of operations, by resource."]),
            )
        }));
    }
    let reused = reused.to_vec();
    files.push(rust_file(format!("{dir}/mod.rs"), move || {
        let mut tokens =
            mod_file(&top, quote!(#![doc = " Typed models for every schema, request body and response of the API."]));
        if !reused.is_empty() {
            let names = reused.iter().map(|n| ident(n));
            tokens.extend(quote!(pub use crate::models::{ #(#names),* };));
        }
        if has_ops {
            let gate = gates.and_then(|g| gate(g.operations.as_ref()));
            tokens.extend(quote! {
                #gate
                mod operations;
                #gate
                pub use operations::*;
            });
        }
        tokens
    }));
    files
}

/// A model module declared by a `mod.rs`: its name, the types it re-exports, and the
/// features that compile it.
struct Module<'a> {
    name: &'a str,
    types: Vec<&'a str>,
    gate: Option<&'a Features>,
}

/// Time the Rust files took, summed over the threads that built them: building their token
/// streams (`quote`), and formatting them (`syn` parse + `prettyplease` + layout).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timings {
    /// Building token streams.
    pub quote: std::time::Duration,
    /// Parsing and printing them.
    pub format: std::time::Duration,
}

impl std::ops::AddAssign for Timings {
    fn add_assign(&mut self, other: Timings) {
        self.quote += other.quote;
        self.format += other.format;
    }
}

/// [`Timings`] since the last [`take_timings`].
static TIMINGS: std::sync::Mutex<Timings> =
    std::sync::Mutex::new(Timings { quote: std::time::Duration::ZERO, format: std::time::Duration::ZERO });

/// Takes the time spent on Rust files since the last call, for benchmarks: the part of
/// [`emit`] that runs on every core.
pub fn take_timings() -> Timings {
    std::mem::take(&mut *TIMINGS.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
}

/// A Rust file still to be built: its path, and what builds its tokens. Token streams
/// cannot cross threads, so each file is built, parsed and printed on the thread that
/// formats it.
struct Unformatted<'a> {
    path: String,
    parts: Box<dyn Fn() -> Vec<TokenStream> + Sync + 'a>,
}

/// The Rust file at `path` whose tokens `tokens` builds.
fn rust_file<'a>(path: impl Into<String>, tokens: impl Fn() -> TokenStream + Sync + 'a) -> Unformatted<'a> {
    Unformatted { path: path.into(), parts: Box::new(move || vec![tokens()]) }
}

/// The Rust file at `path` whose items `parts` builds in runs, each parsed and printed on
/// its own (the first holds the file's inner attributes): the file of a resource group
/// with thousands of operations is then never one syntax tree.
fn rust_file_in_parts<'a>(
    path: impl Into<String>,
    parts: impl Fn() -> Vec<TokenStream> + Sync + 'a,
) -> Unformatted<'a> {
    Unformatted { path: path.into(), parts: Box::new(parts) }
}

/// Builds and formats one Rust file: each part of its tokens parsed as a file, printed by
/// `prettyplease` and laid out, after `header`; adds what each step took to `timings`.
fn format(header: &str, file: &Unformatted<'_>, timings: &mut Timings) -> Result<File, Errors> {
    let started = std::time::Instant::now();
    let parts = (file.parts)();
    let built = std::time::Instant::now();
    timings.quote += built - started;
    let mut printed = String::new();
    for tokens in parts {
        let parsed: syn::File = syn::parse2(tokens).map_err(|e| {
            Errors::from(Diagnostic::at("", format!("internal error: generated {} does not parse: {e}", file.path)))
        })?;
        unparse(parsed, &mut printed);
    }
    let contents = format!("{header}{PRETTYPLEASE}{}", spaced(&types::lay_out_tables(&printed)));
    timings.format += built.elapsed();
    Ok(File { path: file.path.clone(), contents })
}

/// `prettyplease::unparse` of `file` appended to `out`, one item at a time: the same text,
/// but each item's syntax tree is printed and freed while it is still in cache, which keeps
/// a large file from costing more per line than a small one.
fn unparse(mut file: syn::File, out: &mut String) {
    let mut items = std::mem::take(&mut file.items).into_iter();
    // The file's inner attributes with its first item, as the whole file would print them;
    // then each other item alone (token streams have no shebang or front matter).
    file.items.extend(items.next());
    out.push_str(&prettyplease::unparse(&file));
    file.attrs.clear();
    for item in items {
        file.items = vec![item];
        out.push_str(&prettyplease::unparse(&file));
    }
}

/// Builds and formats every Rust file, the files spread over the machine's cores: each
/// thread takes the next file not yet taken, so the output does not depend on how.
fn format_all(header: &str, files: Vec<Unformatted<'_>>) -> Result<Vec<File>, Errors> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(files.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut timings = Timings::default();
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(file) = files.get(i) else { break };
            done.push((i, format(header, file, &mut timings)));
        }
        (done, timings)
    };
    let mut formatted: Vec<Option<Result<File, Errors>>> = (0..files.len()).map(|_| None).collect();
    let mut total = Timings::default();
    std::thread::scope(|scope| {
        // This thread is one of the workers: it reuses the memory the loaded spec freed. Its
        // panic, like another worker's, becomes an error.
        let others: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        let own = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
        for result in std::iter::once(own).chain(others.into_iter().map(|worker| worker.join())) {
            match result {
                Ok((done, timings)) => {
                    done.into_iter().for_each(|(i, file)| formatted[i] = Some(file));
                    total += timings;
                }
                Err(_) => {
                    formatted.push(Some(Err(Errors::from(Diagnostic::at("", "internal error: formatting panicked")))))
                }
            }
        }
    });
    *TIMINGS.lock().unwrap_or_else(std::sync::PoisonError::into_inner) += total;
    formatted.into_iter().flatten().collect()
}

/// Puts a blank line between top-level items, which `prettyplease` does not, and none
/// inside a run of `mod`/`use` declarations.
fn spaced(source: &str) -> String {
    let declaration = |line: &str| ["mod ", "pub mod ", "use ", "pub use "].iter().any(|p| line.starts_with(p));
    let lines: Vec<&str> = source.lines().collect();
    let mut out = String::with_capacity(source.len() + source.len() / 20);
    // The last top-level line, and the last line written ("" after a blank one).
    let (mut previous, mut last) = ("", "");
    for (i, &line) in lines.iter().enumerate() {
        if line.is_empty() {
            let next = lines[i + 1..].iter().find(|l| !l.is_empty()).copied().unwrap_or("");
            if !(declaration(previous) && declaration(next)) {
                out.push('\n');
                last = "";
            }
            continue;
        }
        let top_level = !line.starts_with(char::is_whitespace);
        // Between the items of an `impl` or a body: a line that starts an item after a `}`
        // that closed the previous one, or after a one-line `struct`/`type` item, at the same
        // indentation.
        let (code, last_code) = (line.trim_start(), last.trim_start());
        let starts_item =
            ["///", "#[", "pub ", "fn ", "async ", "const ", "impl", "type "].iter().any(|p| code.starts_with(p));
        let one_line_item = ["struct ", "type "].iter().any(|p| last_code.starts_with(p)) && last.ends_with(';');
        let closed = last_code.trim_end() == "}" || one_line_item;
        if !top_level && starts_item && closed && last.len() - last_code.len() == line.len() - code.len() {
            out.push('\n');
        }
        let ended = previous == "}" || previous.ends_with(';') || previous.ends_with('}');
        if top_level
            && ended
            && !line.starts_with('}')
            && !(declaration(previous) && declaration(line))
            && !out.ends_with("\n\n")
        {
            out.push('\n');
        }
        if top_level {
            previous = line;
        }
        out.push_str(line);
        out.push('\n');
        last = line;
    }
    out
}

/// `src/lib.rs`: the modules, the re-exports and the constants the runtime reads.
fn lib(plan: &Crate<'_>, runtime: &[&str]) -> TokenStream {
    let api = plan.api;
    let version = &api.version;
    let version_doc = " The Backend API version this crate speaks; sent as `Clerk-API-Version` with every request.";
    // With no resource feature on, no operation sends a call and (without webhook models)
    // no model decodes one: the helpers for that are unused in that build only.
    let group_features: Vec<String> = plan.groups.iter().map(|g| g.feature.clone()).collect();
    let idle = |extra: Option<&str>, reason: &str| {
        let features: Vec<String> =
            extra.map(str::to_owned).into_iter().chain(group_features.iter().cloned()).collect();
        let features = any_feature(&features);
        quote!(#[cfg_attr(not(#features), allow(dead_code, unused_imports, unused_macros, reason = #reason))])
    };
    let runtime_gates: BTreeMap<&str, Option<TokenStream>> = BTreeMap::from([
        ("tagged", gate(plan.gates.tagged.as_ref())),
        ("pagination", gate(plan.gates.pagination.as_ref())),
    ]);
    let modules = runtime.iter().filter(|m| module_feature(m).is_none()).map(|m| {
        let gate = runtime_gates.get(m).cloned().flatten();
        let module = ident(m);
        let idle = match (*m, group_features.is_empty()) {
            ("request", false) => Some(idle(None, "no resource feature is on, so no operation sends a call")),
            ("decode", false) => {
                Some(idle(Some("webhook-verification"), "no resource feature is on, so no model is decoded"))
            }
            _ => None,
        };
        quote!(#gate #idle mod #module;)
    });
    let feature_modules = runtime.iter().filter_map(|m| {
        let feature = module_feature(m)?;
        let module = ident(m);
        Some(quote!(#[cfg(feature = #feature)] pub mod #module;))
    });
    let client = plan.runtime.client.then(|| {
        let server = api.server.clone().unwrap_or_else(|| "http://localhost".to_owned());
        let retry = api.retry.clone().unwrap_or(crate::clerk::DEFAULT_RETRY);
        let (initial, max_interval, max_elapsed) =
            (types::int(retry.initial_ms), types::int(retry.max_interval_ms), types::int(retry.max_elapsed_ms));
        let exponent = proc_macro2::Literal::f64_unsuffixed(retry.exponent);
        quote! {
            pub mod api;
            pub use client::{Client, ClientBuilder, SecretKey};
            pub use error::{ApiError, Error, ErrorDetail, OptionalExt, Result};
            pub use list::List;
            pub use request::{Pending, RequestOptions, WithResponse};
            /// The HTTP status type of [`Error::status`] and [`ApiError::status`].
            pub use reqwest::StatusCode;
            pub use response::Response;
            pub use retry::RetryPolicy;

            /// The server requests go to unless the client is given another base URL.
            pub const DEFAULT_BASE_URL: &str = #server;

            /// The spec's backoff policy (`x-speakeasy-retries`), the base of [`RetryPolicy::default`].
            const DEFAULT_RETRY: retry::SpecRetry = retry::SpecRetry {
                initial_backoff: std::time::Duration::from_millis(#initial),
                max_backoff: std::time::Duration::from_millis(#max_interval),
                multiplier: #exponent,
                max_elapsed: std::time::Duration::from_millis(#max_elapsed),
            };
        }
    });
    quote! {
        #![doc = include_str!("../README.md")]
        #![cfg_attr(docsrs, feature(doc_cfg))]

        pub mod models;
        #( #modules )*
        #( #feature_modules )*

        pub use decode::{decode, DecodeError};
        pub use file::FilePart;
        pub use nullable::Nullable;
        #client

        #[doc = #version_doc]
        pub const API_VERSION: &str = #version;
    }
}

/// A `mod.rs`: `doc`, then each module declared and its types re-exported.
fn mod_file(modules: &[Module<'_>], doc: TokenStream) -> TokenStream {
    let decls = modules.iter().map(|m| {
        let (gate, module) = (gate(m.gate), ident(m.name));
        quote!(#gate mod #module;)
    });
    let uses = modules.iter().map(|m| {
        let (gate, module) = (gate(m.gate), ident(m.name));
        let names = m.types.iter().map(|n| ident(n));
        quote!(#gate pub use #module::{ #(#names),* };)
    });
    quote! {
        #doc
        #( #decls )*
        #( #uses )*
    }
}

/// `src/webhooks/events.rs`: [`EventData`], the payload of each event type, and
/// `WebhookEvent::typed_data`.
fn events_file(api: &Api) -> TokenStream {
    let path = quote!(models::);
    let payload = |t: &crate::ir::TypeRef| {
        let ty = types::ty_in(api, t, false, &path);
        match t {
            crate::ir::TypeRef::Named(_) => quote!(Box<#ty>),
            _ => ty,
        }
    };
    let variants = api.events.iter().map(|e| {
        let variant = ident(&e.variant);
        let ty = payload(&e.data);
        let doc = types::doc_attrs(
            Some(&format!("`{}`{}", e.name, e.doc.as_ref().map(|d| format!(": {d}")).unwrap_or_default())),
            &[],
        );
        quote!(#doc #variant(#ty),)
    });
    let arms = api.events.iter().map(|e| {
        let variant = ident(&e.variant);
        let name = &e.name;
        quote!(#name => EventData::#variant(self.data_as()?),)
    });
    let mut payload_types = Vec::new();
    api.events.iter().for_each(|e| e.data.refs(&mut payload_types));
    let imports = (!payload_types.is_empty()).then(|| {
        quote!(
            use crate::webhooks::models;
        )
    });
    quote! {
        //! Typed payloads of webhook events, one variant per event type of the webhooks document.
        #imports

        /// The payload of a webhook event, by event type.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum EventData {
            #( #variants )*
            /// An event type this version of the SDK does not know, kept as sent.
            Unknown(serde_json::Value),
        }

        impl super::WebhookEvent {
            /// The payload typed by the event type; an unknown event type gives
            /// [`EventData::Unknown`], never an error.
            ///
            /// A payload has the shape of the webhooks version its endpoint was set up with,
            /// which cannot be asked for per event. It decodes as leniently as responses do: a
            /// missing list, map or object reads as empty and a missing field with a default
            /// takes it. When it still does not match its type, the error names the failing
            /// field, and [`data`](super::WebhookEvent::data) keeps the payload as sent, to read
            /// as JSON or decode into a type of your own with
            /// [`data_as`](super::WebhookEvent::data_as).
            // Compiled, with the decoding of every payload type, in the crate that calls it.
            #[inline]
            pub fn typed_data(&self) -> Result<EventData, crate::DecodeError> {
                Ok(match self.event_type.as_str() {
                    #( #arms )*
                    _ => EventData::Unknown(self.data.clone()),
                })
            }
        }
    }
}

/// A model file: the types `ids` of the module at `models` (`crate::models`), each with its
/// `fixture()` when `fixtures`.
fn model_file(api: &Api, ids: &[TypeId], models: &str, fixtures: bool) -> TokenStream {
    let mut imports = BTreeSet::new();
    for &id in ids {
        for dep in api.ty(id).kind.refs() {
            if !ids.contains(&dep) {
                imports.insert(api.ty(dep).name.as_str());
            }
        }
    }
    let imports = (!imports.is_empty()).then(|| {
        let names = imports.iter().map(|n| ident(n));
        let path = models.split("::").map(ident);
        quote!(use #(#path)::*::{ #(#names),* };)
    });
    let items = ids.iter().map(|&id| {
        let definition = types::emit(api, api.ty(id), models);
        let fixture = fixtures.then(|| mocks::fixture(api.ty(id))).flatten();
        quote!(#definition #fixture)
    });
    quote! {
        #imports
        #( #items )*
    }
}

#[cfg(test)]
mod tests {
    use super::spaced;
    use std::path::Path;

    fn sources(dir: &Path, prefix: &str, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let path = format!("{prefix}/{}", entry.file_name().to_string_lossy());
            if entry.file_type().unwrap().is_dir() {
                sources(&entry.path(), &path, out);
            } else {
                out.push(path);
            }
        }
    }

    #[test]
    fn unit_tests_end_every_runtime_file_and_are_left_out_of_the_copies() {
        for (module, files, _) in super::RUNTIME {
            for (path, text) in *files {
                let Some(_) = text.find(super::UNIT_TESTS) else { continue };
                let original = syn::parse_file(text).unwrap_or_else(|e| panic!("{path}: {e}"));
                let last = original.items.last().map(|item| quote::quote!(#item).to_string());
                assert!(
                    last.is_some_and(|l| l.starts_with("# [cfg (test)] mod tests")),
                    "{module}: {path}: tests must end the file"
                );
                let copied =
                    syn::parse_file(&super::without_unit_tests(text)).unwrap_or_else(|e| panic!("{path}: {e}"));
                assert_eq!(copied.items.len() + 1, original.items.len(), "{path}: only the tests are left out");
                let copy = super::without_unit_tests(text);
                assert!(!copy.contains("cfg(test)") && copy.ends_with("\n") && !copy.ends_with("\n\n"), "{path}");
            }
        }
        assert_eq!(super::without_unit_tests("fn a() {}\n\n#[cfg(test)]\nmod tests {\n    x();\n}\n"), "fn a() {}\n");
    }

    #[test]
    fn every_runtime_source_but_the_runtime_crates_lib_is_copied() {
        let mut on_disk = Vec::new();
        sources(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../templates/src"), "src", &mut on_disk);
        // The runtime crate's root and its own tests are never copied.
        on_disk.retain(|path| path != "src/lib.rs" && !path.starts_with("src/tests/"));
        on_disk.sort();
        let mut copied = super::runtime_paths();
        copied.sort();
        assert_eq!(copied, on_disk);
    }

    #[test]
    fn a_file_built_in_parts_prints_as_the_whole_file_does() {
        let head = || {
            quote::quote! {
                #![doc = include_str!("../README.md")]
                #![allow(dead_code)]
                use std::fmt;
                /// One.
                pub struct One;
            }
        };
        let items = |i: usize| {
            let name = quote::format_ident!("Item{i}");
            quote::quote! {
                /// An item.
                #[derive(Debug)]
                pub struct #name { pub value: Option<Vec<String>> }
                impl #name { pub fn get(&self) -> usize { self.value.as_ref().map_or(0, |v| v.len()) } }
            }
        };
        let whole = super::rust_file("src/whole.rs", || {
            let rest = (0..3).map(items);
            let head = head();
            quote::quote!(#head #(#rest)*)
        });
        let parts =
            super::rust_file_in_parts("src/parts.rs", || std::iter::once(head()).chain((0..3).map(items)).collect());
        let parse = || syn::parse2::<syn::File>((whole.parts)().remove(0)).unwrap();
        let mut item_by_item = String::new();
        super::unparse(parse(), &mut item_by_item);
        assert_eq!(item_by_item, prettyplease::unparse(&parse()), "printing item by item changes nothing");
        let formatted = super::format_all("", vec![whole, parts]).unwrap();
        assert_eq!(formatted[0].contents, formatted[1].contents);
        assert!(formatted[0].contents.contains("#![allow(dead_code)]\nuse std::fmt;"), "{}", formatted[0].contents);
    }

    #[test]
    fn files_come_out_in_the_order_given_whichever_thread_builds_them() {
        let files: Vec<_> = (0..64)
            .map(|i| {
                super::rust_file(format!("src/f{i}.rs"), move || {
                    let name = quote::format_ident!("F{i}");
                    let fields = (0..i % 7).map(|j| quote::format_ident!("f{j}"));
                    quote::quote!(pub struct #name { #(pub #fields: u8,)* })
                })
            })
            .collect();
        let formatted = super::format_all("// header\n", files).unwrap();
        assert_eq!(formatted.len(), 64);
        for (i, file) in formatted.iter().enumerate() {
            assert_eq!(file.path, format!("src/f{i}.rs"));
            let expected = format!("// header\n{}pub struct F{i}", super::PRETTYPLEASE);
            assert!(file.contents.starts_with(&expected), "{}", file.contents);
        }
    }

    #[test]
    fn tokens_that_are_not_a_file_are_an_internal_error() {
        let files = vec![
            super::rust_file("src/ok.rs", || {
                quote::quote!(
                    fn ok() {}
                )
            }),
            super::rust_file("src/bad.rs", || quote::quote!(fn)),
        ];
        let errors = super::format_all("", files).unwrap_err().to_string();
        assert!(errors.contains("internal error: generated src/bad.rs does not parse"), "{errors}");
    }

    #[test]
    fn top_level_items_get_a_blank_line_and_runs_of_declarations_do_not() {
        let source = "mod a;\nmod b;\npub use a::A;\nstruct S;\nfn f() {}\nfn g() {\n    x();\n}\n";
        assert_eq!(
            spaced(source),
            "mod a;\nmod b;\npub use a::A;\n\nstruct S;\n\nfn f() {}\n\nfn g() {\n    x();\n}\n"
        );
    }

    #[test]
    fn items_inside_an_impl_are_spaced_after_a_closing_brace_only() {
        let source = "impl S {\n    fn a() {\n        x();\n    }\n    fn b() {}\n    /// Doc.\n    fn c() {}\n}\n";
        let expected = "impl S {\n    fn a() {\n        x();\n    }\n\n    fn b() {}\n    /// Doc.\n    fn c() {}\n}\n";
        assert_eq!(spaced(source), expected);
    }

    #[test]
    fn blank_lines_between_declarations_are_dropped() {
        assert_eq!(spaced("use a::A;\n\nuse b::B;\n"), "use a::A;\nuse b::B;\n");
    }
}
