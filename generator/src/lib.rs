//! `clerk-codegen` turns Clerk's Backend API OpenAPI document into the `clerk-sdk` crate.
//!
//! The pipeline is: [`load`] (read, apply overlays, normalise, parse into `openapiv3`) →
//! [`ir`] (types, operations and names; no token streams) → [`emit`] (`quote` templates,
//! formatted with `prettyplease`) → [`write`](mod@write).

pub mod clerk;
pub mod diff;
pub mod emit;
pub mod error;
pub mod ir;
pub mod load;
pub mod names;
pub mod write;

pub use error::{Diagnostic, Errors};

use std::path::{Path, PathBuf};

/// Loads a spec, applies overlays, names the types `names` pins, and returns every file of
/// the generated crate (with typed events, when the document also has webhooks).
pub fn generate(
    spec: &Path,
    overlays: &[PathBuf],
    names: &ir::NameMap,
    options: &emit::Options,
) -> Result<Vec<emit::File>, Errors> {
    let (api, events) = load_apis(spec, None, overlays, names, &ir::NameMap::new())?;
    emit::emit_with_webhooks(&api, events.as_ref(), options)
}

/// Like [`generate`], with typed webhook events from a webhooks document whose type names
/// are pinned by `webhook_names`.
pub fn generate_with_webhooks(
    spec: &Path,
    webhooks: &Path,
    overlays: &[PathBuf],
    names: &ir::NameMap,
    webhook_names: &ir::NameMap,
    options: &emit::Options,
) -> Result<Vec<emit::File>, Errors> {
    let (api, events) = load_apis(spec, Some(webhooks), overlays, names, webhook_names)?;
    emit::emit_with_webhooks(&api, events.as_ref(), options)
}

/// Loads a spec, applies overlays, and builds its IR with pinned names.
pub fn load_api(spec: &Path, overlays: &[PathBuf], names: &ir::NameMap) -> Result<ir::Api, Errors> {
    let spec = load::Spec::from_file(spec, overlays)?;
    ir::build_with(&spec, names)
}

/// Loads a spec and the IR of its webhooks: those of the `webhooks` document when given,
/// else the spec's own (OpenAPI 3.1 `webhooks`, or `x-webhooks`) when it also has operations.
pub fn load_apis(
    spec: &Path,
    webhooks: Option<&Path>,
    overlays: &[PathBuf],
    names: &ir::NameMap,
    webhook_names: &ir::NameMap,
) -> Result<(ir::Api, Option<ir::Api>), Errors> {
    let loaded = load::Spec::from_file(spec, overlays)?;
    let api = ir::build_with(&loaded, names)?;
    let events = match webhooks {
        Some(webhooks) => Some(load_api(webhooks, overlays, webhook_names)?),
        None => loaded.webhooks_only()?.map(|own| ir::build_with(&own, webhook_names)).transpose()?,
    };
    Ok((api, events))
}

/// Reads a names map: lines of `"<JSON pointer>" = "RustName"`, `#` comments.
pub fn read_names(path: &Path) -> Result<ir::NameMap, Errors> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Errors::from(Diagnostic { file: path.to_path_buf(), ..Diagnostic::at("", format!("cannot read: {e}")) })
    })?;
    let mut names = ir::NameMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let unquote = |s: &str| s.trim().strip_prefix('"').and_then(|s| s.strip_suffix('"')).map(str::to_owned);
        let entry = line.split_once('=').and_then(|(k, v)| Some((unquote(k)?, unquote(v)?)));
        match entry {
            Some((pointer, name)) => {
                names.insert(pointer, name);
            }
            None => {
                return Err(Errors::from(Diagnostic {
                    file: path.to_path_buf(),
                    line: Some(n + 1),
                    ..Diagnostic::at("", "expected `\"<JSON pointer>\" = \"RustName\"`")
                }));
            }
        }
    }
    Ok(names)
}
