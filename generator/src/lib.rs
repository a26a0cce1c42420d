//! `clerk-codegen` turns Clerk's Backend API OpenAPI document into the `clerk-sdk` crate.
//!
//! The pipeline is: [`load`] (read, apply overlays, normalise, parse into `openapiv3`) →
//! [`ir`] (types, operations and names; no token streams) → [`emit`] (`quote` templates,
//! formatted with `prettyplease`) → [`write`](mod@write).

pub mod emit;
pub mod error;
pub mod ir;
pub mod load;
pub mod names;
pub mod write;

pub use error::{Diagnostic, Errors};

use std::path::{Path, PathBuf};

/// Loads a spec, applies overlays, and returns every file of the generated crate.
pub fn generate(spec: &Path, overlays: &[PathBuf], options: &emit::Options) -> Result<Vec<emit::File>, Errors> {
    let spec = load::Spec::from_file(spec, overlays)?;
    let api = ir::build(&spec)?;
    emit::emit(&api, options)
}
