//! `clerk-codegen` turns Clerk's Backend API OpenAPI document into the `clerk-sdk` crate.
//!
//! The pipeline is: [`load`] (read, apply overlays, normalise, parse into `openapiv3`) →
//! [`ir`] (types, operations and names; no token streams) → [`emit`] (`quote` templates,
//! formatted with `prettyplease`) → [`write`](mod@write).

#![warn(unreachable_pub)]

pub mod clerk;
pub mod diff;
pub mod emit;
pub mod error;
pub mod ir;
pub mod load;
mod names;
pub mod write;

pub use error::{Diagnostic, Errors};

/// The global allocator of the programs that generate: the `clerk-codegen` binary, and
/// `cargo xtask`, so that its in-process benchmarks measure what the binary does.
/// Generation allocates and frees millions of small token and string buffers, which
/// mimalloc serves faster than the system allocator. A library does not choose its
/// users' allocator: each program declares it.
pub use mimalloc::MiMalloc as Allocator;

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
    // A webhooks document of its own is read on another core meanwhile.
    std::thread::scope(|scope| {
        let document = webhooks.map(|webhooks| scope.spawn(move || load_api(webhooks, overlays, webhook_names)));
        let loaded = load::Spec::from_file(spec, overlays)?;
        let api = ir::build_with(&loaded, names)?;
        let events = match document {
            Some(document) => Some(document.join().unwrap_or_else(|_| {
                Err(Errors::from(Diagnostic::at("", "internal error: reading the webhooks document panicked")))
            })?),
            None => loaded.webhooks_only()?.map(|own| ir::build_with(&own, webhook_names)).transpose()?,
        };
        Ok((api, events))
    })
}

/// Reads a names map: `"<JSON pointer>" = "RustName"` entries of a TOML file.
pub fn read_names(path: &Path) -> Result<ir::NameMap, Errors> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Errors::from(Diagnostic { file: path.to_path_buf(), ..Diagnostic::at("", format!("cannot read: {e}")) })
    })?;
    parse_names(path, &text)
}

fn parse_names(path: &Path, text: &str) -> Result<ir::NameMap, Errors> {
    toml::from_str(text).map_err(|e| {
        let line = e.span().map(|span| text[..span.start].matches('\n').count() + 1);
        let message = format!("{}; expected `\"<JSON pointer>\" = \"RustName\"`", e.message());
        Errors::from(Diagnostic { file: path.to_path_buf(), line, ..Diagnostic::at("", message) })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_names_map_is_read_with_its_comments_skipped() {
        let text = "# pinned names\n\"#/components/schemas/Foo\" = \"Bar\"\n\n\"#/a/b\" = \"C\" # trailing\n";
        let names = parse_names(Path::new("names.toml"), text).unwrap();
        assert_eq!(names.get("#/components/schemas/Foo").map(String::as_str), Some("Bar"));
        assert_eq!(names.len(), 2);
    }

    #[test]
    fn a_name_that_is_not_a_string_is_an_error_at_its_line() {
        let text = "\"#/a\" = \"A\"\n\"#/b\" = 3\n";
        let errors = parse_names(Path::new("names.toml"), text).unwrap_err().to_string();
        assert!(errors.starts_with("error: names.toml:2:") && errors.contains("RustName"), "{errors}");
    }
}
