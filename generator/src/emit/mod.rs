//! Emitters: the IR becomes files of Rust source (via `quote` and `prettyplease`) plus the
//! runtime templates and the crate's manifest and README.

mod api;
mod conformance;
pub mod docs;
mod examples;
pub mod types;

use proc_macro2::TokenStream;
use quote::quote;
use std::collections::{BTreeMap, BTreeSet};

use crate::error::{Diagnostic, Errors};
use crate::ir::{Api, TypeId};
use types::ident;

/// Options for one generated crate.
#[derive(Debug, Clone)]
pub struct Options {
    /// The package name.
    pub crate_name: String,
    /// The package version.
    pub crate_version: String,
    /// Type names pinned by spec location.
    pub names: crate::ir::NameMap,
    /// The hand-written benchmarks in the crate's `benches/` (file stems). The manifest
    /// declares each with `harness = false` and leaves `benches/` out of the package.
    pub benches: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            crate_name: "clerk-sdk".to_owned(),
            crate_version: "0.1.0".to_owned(),
            names: Default::default(),
            benches: Vec::new(),
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

/// Runtime modules copied from `templates/src` into generated crates, with when each is
/// needed (so that no crate carries code it does not use).
const RUNTIME: &[(&str, &str, Needs)] = &[
    ("client", include_str!("../../../templates/src/client.rs"), Needs::Operations),
    ("decode", include_str!("../../../templates/src/decode.rs"), Needs::Always),
    ("error", include_str!("../../../templates/src/error.rs"), Needs::Operations),
    ("file", include_str!("../../../templates/src/file.rs"), Needs::Always),
    ("nullable", include_str!("../../../templates/src/nullable.rs"), Needs::Always),
    ("pagination", include_str!("../../../templates/src/pagination.rs"), Needs::Pagination),
    ("request", include_str!("../../../templates/src/request.rs"), Needs::Operations),
    ("retry", include_str!("../../../templates/src/retry.rs"), Needs::Operations),
    ("tagged", include_str!("../../../templates/src/tagged.rs"), Needs::TaggedUnions),
    ("auth", include_str!("../../../templates/src/auth.rs"), Needs::Jwks),
    ("webhooks", include_str!("../../../templates/src/webhooks.rs"), Needs::Operations),
];

/// Runtime modules that are public and behind a cargo feature: (module, feature).
const FEATURE_MODULES: &[(&str, &str)] = &[("auth", "auth"), ("webhooks", "webhook-verification")];

/// The cargo feature that turns a module on, if it is feature-gated.
fn module_feature(module: &str) -> Option<&'static str> {
    FEATURE_MODULES.iter().find(|(m, _)| *m == module).map(|(_, f)| *f)
}

/// Paths of the runtime files copied verbatim from `templates/` (not generated from the
/// spec), e.g. to leave them out of snapshots.
pub fn runtime_paths() -> Vec<String> {
    RUNTIME.iter().map(|(name, ..)| format!("src/{name}.rs")).collect()
}

#[derive(Clone, Copy, PartialEq)]
enum Needs {
    Always,
    Operations,
    Pagination,
    TaggedUnions,
    /// The API has Clerk's `GET /jwks` (`client.jwks().get_jwks()`), which token
    /// verification fetches keys with.
    Jwks,
}

const CARGO_TOML: &str = include_str!("../../../templates/Cargo.toml.in");
const CLIENT_TOML: &str = include_str!("../../../templates/client.toml.in");
const README: &str = include_str!("../../../templates/README.md.in");
const README_MODELS: &str = include_str!("../../../templates/README.models.md.in");
const README_AUTH: &str = include_str!("../../../templates/README.auth.md.in");

/// Which resource groups (cargo features) reach each type through their operations.
fn type_groups(api: &Api) -> Vec<BTreeSet<&str>> {
    let mut out = vec![BTreeSet::new(); api.types.len()];
    for op in &api.operations {
        let mut stack = BTreeSet::new();
        op.params.iter().for_each(|p| types::referenced(&p.ty, &mut stack));
        if let Some(body) = &op.body {
            types::referenced(&body.ty, &mut stack);
        }
        if let crate::ir::ResponseBody::Json(t) = &op.response.body {
            types::referenced(t, &mut stack);
        }
        let mut stack: Vec<TypeId> = stack.into_iter().collect();
        while let Some(id) = stack.pop() {
            if out[id].insert(op.group.as_str()) {
                stack.extend(types::dependencies(api.ty(id)));
            }
        }
    }
    out
}

/// The resource groups each model file is compiled for: the groups that reach its types,
/// widened until closed, so that a file is on whenever a file that imports from it is.
fn module_groups(api: &Api) -> BTreeMap<&str, BTreeSet<&str>> {
    let reach = type_groups(api);
    let mut groups: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut imports: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (id, t) in api.types.iter().enumerate() {
        groups.entry(t.module.as_str()).or_default().extend(reach[id].iter().copied());
        for dep in types::dependencies(t) {
            let module = api.ty(dep).module.as_str();
            if module != t.module {
                imports.entry(t.module.as_str()).or_default().insert(module);
            }
        }
    }
    loop {
        let mut changed = false;
        for (module, deps) in &imports {
            let needed = groups.get(module).cloned().unwrap_or_default();
            for dep in deps {
                let set = groups.entry(dep).or_default();
                let before = set.len();
                set.extend(needed.iter().copied());
                changed |= set.len() != before;
            }
        }
        if !changed {
            return groups;
        }
    }
}

/// The `cfg` for code that only some resource features need: none when every group needs
/// it, `full` when no operation reaches it. Exact sets keep the gating closed: whatever an
/// enabled file refers to is reached by the same features, so it is enabled too.
fn predicate(groups: &BTreeSet<&str>, all: usize) -> Option<TokenStream> {
    if all == 0 || groups.len() >= all {
        return None;
    }
    if groups.is_empty() {
        return Some(quote!(feature = "full"));
    }
    Some(any_feature(groups.iter().map(|g| api::group_feature(g))))
}

/// `feature = "a"`, or `any(feature = "a", feature = "b", …)` for several.
fn any_feature(features: impl IntoIterator<Item = String>) -> TokenStream {
    let features: Vec<String> = features.into_iter().collect();
    match features.as_slice() {
        [one] => quote!(feature = #one),
        many => quote!(any(#(feature = #many),*)),
    }
}

/// [`predicate`] as a `#[cfg(...)]` attribute.
fn gate(groups: &BTreeSet<&str>, all: usize) -> Option<TokenStream> {
    predicate(groups, all).map(|p| quote!(#[cfg(#p)]))
}

/// Every file of the generated crate, in a stable order.
pub fn emit(api: &Api, options: &Options) -> Result<Vec<File>, Errors> {
    emit_with_webhooks(api, None, options)
}

/// Every file of the generated crate, with typed webhook events from a webhooks document
/// (`x-webhooks`) in `webhooks::models` and `webhooks::EventData`.
pub fn emit_with_webhooks(api: &Api, webhooks: Option<&Api>, options: &Options) -> Result<Vec<File>, Errors> {
    let webhooks = webhooks.filter(|_| !api.operations.is_empty());
    let shared = webhooks.map(|w| shared_types(api, w)).unwrap_or_default();
    // No version in the header: a new API version should only touch the files that change.
    let header = "// @generated by clerk-codegen. Do not edit: run `cargo xtask regen`.\n\n".to_owned();
    let mut files = Vec::new();
    // Rust sources, formatted together at the end.
    let mut rust = Vec::new();
    let fill = |template: &str| {
        template
            .replace("{crate_name}", &options.crate_name)
            .replace("{crate_version}", &options.crate_version)
            .replace("{api_version}", &api.version)
            .replace("{type_count}", &api.types.len().to_string())
            .replace("{operation_count}", &api.operations.len().to_string())
    };
    let needs = |n: Needs| match n {
        Needs::Always => true,
        Needs::Operations => !api.operations.is_empty(),
        Needs::Pagination => api.operations.iter().any(|op| api::pages(api, op).is_some()),
        Needs::TaggedUnions => api
            .types
            .iter()
            .chain(webhooks.iter().flat_map(|w| &w.types))
            .any(|t| matches!(t.kind, crate::ir::TypeKind::Tagged { .. })),
        Needs::Jwks => api.operations.iter().any(|op| op.group == "jwks" && op.name == "get_jwks"),
    };
    let (client_manifest, client_dependencies) = match needs(Needs::Operations) {
        true => CLIENT_TOML.split_once("---\n").unwrap_or((CLIENT_TOML, "")),
        false => ("", ""),
    };
    let auth_feature = if needs(Needs::Jwks) {
        "# Session token verification and request authentication.\nauth = [\"dep:ring\", \"dep:base64\", \"dep:http\", \"jwks\"]\n\
         # A tower/axum layer that authenticates every request.\naxum = [\"auth\", \"dep:tower-layer\", \"dep:tower-service\"]\n"
    } else {
        ""
    };
    let default_features = if needs(Needs::Jwks) {
        "\"rustls\", \"auth\", \"webhook-verification\", \"full\""
    } else {
        "\"rustls\", \"webhook-verification\", \"full\""
    };
    let auth_dependencies = if needs(Needs::Jwks) {
        "tower-layer = { version = \"0.3\", optional = true }\ntower-service = { version = \"0.3\", optional = true }\n"
    } else {
        ""
    };
    let auth_dev_dependencies = if needs(Needs::Jwks) {
        "axum = { version = \"0.8\", default-features = false }\ntower = { version = \"0.5\", default-features = false, features = [\"util\"] }\n"
    } else {
        ""
    };
    let groups = api::groups(api);
    let group_features = format!(
        "# Resource groups: each turns on its operations and the models they use.\nfull = [{}]\n{}",
        groups.keys().map(|g| format!("\"{}\"", api::group_feature(g))).collect::<Vec<_>>().join(", "),
        groups.keys().map(|g| format!("{} = []\n", api::group_feature(g))).collect::<String>()
    );
    let client_manifest = client_manifest
        .replace("{group_features}", &group_features)
        .replace("{auth_feature}", auth_feature)
        .replace("{default_features}", default_features)
        .replace("{auth_dev_dependencies}", auth_dev_dependencies);
    let client_dependencies = client_dependencies.replace("{auth_dependencies}", auth_dependencies);
    let (package_exclude, bench_targets) = bench_manifest(&options.benches);
    let manifest = fill(CARGO_TOML)
        .replace("{package_exclude}", &package_exclude)
        .replace("{client_manifest}", &client_manifest)
        .replace("{client_dependencies}", &client_dependencies)
        .replace("{bench_targets}", &bench_targets);
    files.push(File {
        path: "Cargo.toml".into(),
        contents: format!("# @generated by clerk-codegen. Do not edit.\n{manifest}"),
    });
    let readme = if needs(Needs::Operations) { README } else { README_MODELS };
    let auth_section = if needs(Needs::Jwks) { README_AUTH } else { "" };
    files.push(File { path: "README.md".into(), contents: fill(readme).replace("{auth_section}", auth_section) });
    let mut runtime = Vec::new();
    for (name, source, need) in RUNTIME {
        if !needs(*need) {
            continue;
        }
        runtime.push(*name);
        match webhooks.filter(|_| *name == "webhooks") {
            Some(events) => {
                let typed = "\n/// The models of webhook payloads, generated from the webhooks document.\npub mod models;\nmod events;\n\npub use events::EventData;\n";
                files.push(File { path: "src/webhooks/mod.rs".into(), contents: format!("{header}{source}{typed}") });
                rust.push(rust_file("src/webhooks/events.rs", events_file(events)));
                let own: Vec<TypeId> = (0..events.types.len()).filter(|id| !shared.contains_key(id)).collect();
                let mut reused: Vec<&str> = shared.keys().map(|&id| events.ty(id).name.as_str()).collect();
                reused.sort_unstable();
                rust.extend(models(
                    events,
                    &own,
                    &reused,
                    "src/webhooks/models",
                    &quote!(crate::webhooks::models),
                    &|_: &str| None,
                ));
            }
            None => files.push(File { path: format!("src/{name}.rs"), contents: format!("{header}{source}") }),
        }
    }
    // Runtime helpers only some groups use are compiled only with them.
    let all_groups = api::groups(api).len();
    let helper_groups = module_groups(api);
    let union_of = |pick: &dyn Fn(&str) -> bool| -> BTreeSet<&str> {
        helper_groups.iter().filter(|(m, _)| pick(m)).flat_map(|(_, g)| g.iter().copied()).collect()
    };
    let tagged_modules: BTreeSet<&str> = api
        .types
        .iter()
        .filter(|t| matches!(t.kind, crate::ir::TypeKind::Tagged { .. }))
        .map(|t| t.module.as_str())
        .collect();
    let paginating: BTreeSet<&str> =
        api.operations.iter().filter(|op| api::pages(api, op).is_some()).map(|op| op.group.as_str()).collect();
    let mut runtime_gates: BTreeMap<&str, Option<TokenStream>> = BTreeMap::new();
    let tagged_groups = predicate(&union_of(&|m| tagged_modules.contains(m)), all_groups);
    let tagged_gate = match (tagged_groups, webhooks.is_some()) {
        // The webhook payload models use it too.
        (Some(p), true) => Some(quote!(#[cfg(any(feature = "webhook-verification", #p))])),
        (Some(p), false) => Some(quote!(#[cfg(#p)])),
        (None, _) => None,
    };
    runtime_gates.insert("tagged", tagged_gate);
    runtime_gates.insert("pagination", gate(&paginating, all_groups));
    rust.push(rust_file("src/lib.rs", lib(api, &runtime, &runtime_gates)));
    if !api.operations.is_empty() {
        rust.push(rust_file("src/api/mod.rs", api::module(api)));
        for (group, ops) in api::groups(api) {
            rust.push(rust_file(&format!("src/api/{group}.rs"), api::group(api, group, &ops)));
        }
        rust.push(rust_file("src/conformance.rs", conformance::emit(api)));
    }

    // Group types by module; `operations/x` modules live under `models/operations/`.
    let module_groups = module_groups(api);
    let group_count = api::groups(api).len();
    // Models the webhook payloads reuse are on with webhook verification too.
    let webhook_modules: BTreeSet<&str> = shared.values().map(|&id| api.ty(id).module.as_str()).collect();
    let file_gate = |module: &str| -> Option<TokenStream> {
        let groups = module_groups.get(module)?;
        let only_groups = predicate(groups, group_count)?;
        if !webhook_modules.contains(module) {
            return Some(only_groups);
        }
        let features = std::iter::once("webhook-verification".to_owned())
            .chain(groups.iter().map(|g| api::group_feature(g)))
            .chain(groups.is_empty().then(|| "full".to_owned()));
        Some(any_feature(features))
    };
    let all: Vec<TypeId> = (0..api.types.len()).collect();
    rust.extend(models(api, &all, &[], "src/models", &quote!(crate::models), &file_gate));
    rust.push(rust_file("src/spec_examples.rs", examples::emit(api)));
    files.extend(format_all(&header, rust)?);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// The manifest's parts for hand-written benchmarks: the `exclude` line of `[package]`
/// (benchmarks are not published) and a `[[bench]]` table each, without the test harness.
fn bench_manifest(benches: &[String]) -> (String, String) {
    if benches.is_empty() {
        return (String::new(), String::new());
    }
    let targets = benches.iter().map(|name| format!("\n[[bench]]\nname = \"{name}\"\nharness = false\n")).collect();
    ("exclude = [\"benches/\"]\n".to_owned(), targets)
}

/// Webhook payload types that are the same as the API's types of the same name (same
/// emitted code, and everything they refer to shared too), by webhook type: the webhooks
/// module re-exports the API's type instead of defining its own, so a `User` from a
/// webhook is a `clerk_sdk::models::User` and is compiled once.
fn shared_types(api: &Api, webhooks: &Api) -> BTreeMap<TypeId, TypeId> {
    let by_name: BTreeMap<&str, TypeId> = api.types.iter().enumerate().map(|(id, t)| (t.name.as_str(), id)).collect();
    let mut shared: BTreeMap<TypeId, TypeId> = webhooks
        .types
        .iter()
        .enumerate()
        .filter_map(|(id, t)| {
            let &twin = by_name.get(t.name.as_str())?;
            let same = !api.ty(twin).module.starts_with("operations/")
                && types::emit(webhooks, t).to_string() == types::emit(api, api.ty(twin)).to_string();
            same.then_some((id, twin))
        })
        .collect();
    loop {
        let unshared: Vec<TypeId> = shared
            .keys()
            .copied()
            .filter(|&id| !types::dependencies(webhooks.ty(id)).iter().all(|dep| shared.contains_key(dep)))
            .collect();
        if unshared.is_empty() {
            return shared;
        }
        for id in unshared {
            shared.remove(&id);
        }
    }
}

/// The model files for the types `ids` of an API below `dir`, whose module is `path`
/// (`crate::models`); `reused` names types the module re-exports from `crate::models`.
fn models(
    api: &Api,
    ids: &[TypeId],
    reused: &[&str],
    dir: &str,
    path: &TokenStream,
    file_gate: &dyn Fn(&str) -> Option<TokenStream>,
) -> Vec<Unformatted> {
    let mut files = Vec::new();
    let mut modules: BTreeMap<&str, Vec<TypeId>> = BTreeMap::new();
    for &id in ids {
        modules.entry(api.ty(id).module.as_str()).or_default().push(id);
    }
    let mut top = Vec::new();
    let mut ops = Vec::new();
    for (module, ids) in &modules {
        let (file, list) = match module.strip_prefix("operations/") {
            Some(group) => (format!("{dir}/operations/{group}.rs"), &mut ops),
            None => (format!("{dir}/{module}.rs"), &mut top),
        };
        let name = module.rsplit('/').next().unwrap_or(module);
        let names: Vec<&str> = ids.iter().map(|&id| api.ty(id).name.as_str()).collect();
        list.push((name.to_owned(), names, file_gate(module).map(|p| quote!(#[cfg(#p)]))));
        files.push(rust_file(&file, model_file(api, ids, path)));
    }
    let has_ops = !ops.is_empty();
    if has_ops {
        files.push(rust_file(
            &format!("{dir}/operations/mod.rs"),
            mod_file(
                &ops,
                quote!(#![doc = " Request bodies, responses and parameter types of operations, by resource."]),
            ),
        ));
    }
    let mut models_tokens =
        mod_file(&top, quote!(#![doc = " Typed models for every schema, request body and response of the API."]));
    if !reused.is_empty() {
        let names = reused.iter().map(|n| ident(n));
        models_tokens.extend(quote!(pub use crate::models::{ #(#names),* };));
    }
    if has_ops {
        // On when any group module is on: a gate of its own only if every group module has one.
        let predicates: Option<Vec<TokenStream>> =
            modules.keys().filter(|m| m.starts_with("operations/")).map(|m| file_gate(m)).collect();
        let gate = predicates.map(|p| quote!(#[cfg(any(#(#p),*))]));
        models_tokens.extend(quote! {
            #gate
            mod operations;
            #gate
            pub use operations::*;
        });
    }
    files.push(rust_file(&format!("{dir}/mod.rs"), models_tokens));
    files
}

/// Time spent formatting (`syn` parse + `prettyplease`, wall clock), for benchmarks.
static FORMAT_TIME: std::sync::Mutex<std::time::Duration> = std::sync::Mutex::new(std::time::Duration::ZERO);

/// Takes the time spent formatting since the last call: the part of [`emit`] that is
/// `prettyplease` rather than building token streams.
pub fn take_format_time() -> std::time::Duration {
    std::mem::take(&mut *FORMAT_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
}

/// A Rust file as token text, before formatting. (Token streams cannot cross threads;
/// their text can.)
struct Unformatted {
    path: String,
    source: String,
}

fn rust_file(path: &str, tokens: TokenStream) -> Unformatted {
    Unformatted { path: path.to_owned(), source: tokens.to_string() }
}

/// Formats every Rust file with `prettyplease`, the files spread over the machine's cores
/// (the output does not depend on how).
fn format_all(header: &str, files: Vec<Unformatted>) -> Result<Vec<File>, Errors> {
    let started = std::time::Instant::now();
    let format = |file: &Unformatted| -> Result<File, Errors> {
        let parsed = syn::parse_file(&file.source).map_err(|e| {
            Errors::from(Diagnostic::at("", format!("internal error: generated {} does not parse: {e}", file.path)))
        })?;
        Ok(File { path: file.path.clone(), contents: format!("{header}{}", spaced(&prettyplease::unparse(&parsed))) })
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(files.len().max(1));
    // Largest first, dealt round-robin, so that the threads finish together.
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(files[i].source.len()));
    let mut formatted: Vec<Option<Result<File, Errors>>> = (0..files.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let mine: Vec<usize> = order.iter().copied().skip(t).step_by(threads).collect();
                let (files, format) = (&files, &format);
                scope.spawn(move || mine.into_iter().map(|i| (i, format(&files[i]))).collect::<Vec<_>>())
            })
            .collect();
        for worker in workers {
            match worker.join() {
                Ok(done) => done.into_iter().for_each(|(i, file)| formatted[i] = Some(file)),
                Err(_) => {
                    formatted.push(Some(Err(Errors::from(Diagnostic::at("", "internal error: formatting panicked")))))
                }
            }
        }
    });
    *FORMAT_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner) += started.elapsed();
    formatted.into_iter().flatten().collect()
}

/// Puts a blank line between top-level items, which `prettyplease` does not, and none
/// inside a run of `mod`/`use` declarations.
fn spaced(source: &str) -> String {
    let declaration = |line: &str| ["mod ", "pub mod ", "use ", "pub use "].iter().any(|p| line.starts_with(p));
    let lines: Vec<&str> = source.lines().collect();
    let mut out = String::with_capacity(source.len() + source.len() / 20);
    let mut previous = "";
    for (i, &line) in lines.iter().enumerate() {
        if line.is_empty() {
            let next = lines[i + 1..].iter().find(|l| !l.is_empty()).copied().unwrap_or("");
            if !(declaration(previous) && declaration(next)) {
                out.push('\n');
            }
            continue;
        }
        let top_level = !line.starts_with(char::is_whitespace);
        // Between the items of an `impl` or a body: a line that starts an item after a `}`
        // that closed the previous one, or after a one-line `struct`/`type` item, at the same
        // indentation.
        let indent = line.len() - line.trim_start().len();
        let last = out.lines().last().unwrap_or("");
        let starts_item = ["///", "#[", "pub ", "fn ", "async ", "const ", "impl", "type "]
            .iter()
            .any(|p| line.trim_start().starts_with(p));
        let one_line_item =
            ["struct ", "type "].iter().any(|p| last.trim_start().starts_with(p)) && last.ends_with(';');
        let closed = last.trim() == "}" || one_line_item;
        if !top_level && starts_item && closed && last.len() - last.trim_start().len() == indent {
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
    }
    out
}

fn lib(api: &Api, runtime: &[&str], gates: &BTreeMap<&str, Option<TokenStream>>) -> TokenStream {
    let version = &api.version;
    let version_doc = " The Backend API version this crate speaks; sent as `Clerk-API-Version` with every request.";
    // With no resource feature on, no operation sends a call and (without webhook models)
    // no model decodes one: the helpers for that are unused in that build only.
    let group_features: Vec<String> = api::groups(api).keys().map(|g| api::group_feature(g)).collect();
    let idle = |extra: Option<&str>, reason: &str| {
        let features = any_feature(extra.map(str::to_owned).into_iter().chain(group_features.iter().cloned()));
        quote!(#[cfg_attr(not(#features), allow(dead_code, unused_imports, unused_macros, reason = #reason))])
    };
    let modules = runtime.iter().filter(|m| module_feature(m).is_none()).map(|m| {
        let gate = gates.get(m).cloned().flatten();
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
    let conformance = runtime.contains(&"client").then(|| {
        quote!(
            #[cfg(all(test, feature = "full"))]
            mod conformance;
        )
    });
    let examples_cfg =
        if runtime.contains(&"client") { quote!(#[cfg(all(test, feature = "full"))]) } else { quote!(#[cfg(test)]) };
    let client = runtime.contains(&"client").then(|| {
        let server = api.server.clone().unwrap_or_else(|| "http://localhost".to_owned());
        let retry = api.retry.clone().unwrap_or(crate::ir::RetrySpec {
            initial_ms: 500,
            max_interval_ms: 60_000,
            exponent: 1.5,
            max_elapsed_ms: 120_000,
        });
        let (initial, max_interval, exponent, max_elapsed) =
            (retry.initial_ms, retry.max_interval_ms, retry.exponent, retry.max_elapsed_ms);
        quote! {
            pub mod api;
            pub use client::{Client, ClientBuilder, SecretKey};
            pub use error::{ApiError, ClerkError, Error};
            pub use request::{Pending, RequestOptions};
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

        pub mod models;
        #( #modules )*
        #( #feature_modules )*

        pub use decode::{decode, DecodeError};
        pub use file::FilePart;
        pub use nullable::Nullable;
        #client

        #[doc = #version_doc]
        pub const API_VERSION: &str = #version;

        #examples_cfg
        mod spec_examples;
        #conformance
    }
}

fn mod_file(modules: &[(String, Vec<&str>, Option<TokenStream>)], doc: TokenStream) -> TokenStream {
    let decls = modules.iter().map(|(m, _, gate)| {
        let module = ident(m);
        quote!(#gate mod #module;)
    });
    let uses = modules.iter().map(|(m, names, gate)| {
        let module = ident(m);
        let names = names.iter().map(|n| ident(n));
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
    quote! {
        //! Typed payloads of webhook events, one variant per event type of the webhooks document.
        use crate::webhooks::models;

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
            pub fn typed_data(&self) -> Result<EventData, crate::DecodeError> {
                Ok(match self.event_type.as_str() {
                    #( #arms )*
                    _ => EventData::Unknown(self.data.clone()),
                })
            }
        }
    }
}

fn model_file(api: &Api, ids: &[TypeId], path: &TokenStream) -> TokenStream {
    let mut imports = BTreeSet::new();
    for &id in ids {
        for dep in types::dependencies(api.ty(id)) {
            if !ids.contains(&dep) {
                imports.insert(api.ty(dep).name.as_str());
            }
        }
    }
    let imports = (!imports.is_empty()).then(|| {
        let names = imports.iter().map(|n| ident(n));
        quote!(use #path::{ #(#names),* };)
    });
    let items = ids.iter().map(|&id| types::emit(api, api.ty(id)));
    quote! {
        #imports
        #( #items )*
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn benches_are_declared_without_the_harness_and_left_out_of_the_package() {
        assert_eq!(bench_manifest(&[]), (String::new(), String::new()));
        let (exclude, targets) = bench_manifest(&["overhead".to_owned()]);
        assert_eq!(exclude, "exclude = [\"benches/\"]\n");
        assert_eq!(targets, "\n[[bench]]\nname = \"overhead\"\nharness = false\n");
    }
}
