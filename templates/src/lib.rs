//! The runtime of `clerk-sdk`, compiled and tested on its own.
//!
//! The generator copies every module of this crate into each generated SDK, where they
//! are the SDK's own modules; this file is the one part that is never copied. In its place
//! the generator writes the SDK's `lib.rs`, which declares the same modules and
//! re-exports, and provides what this file can only stand in for:
//!
//! - [`API_VERSION`], [`DEFAULT_BASE_URL`] and `DEFAULT_RETRY`, from the spec;
//! - the resource groups (`pub mod api`, `Client::users()`, …) and `pub mod models`, whose
//!   generated code is what calls the request, decoding, pagination and union helpers;
//! - the cargo features of the resource groups, which gate those helpers.

mod client;
// Generated models, operations and request builders are what call most helpers of the
// modules below; this crate has none, so those helpers are unused here.
#[allow(
    dead_code,
    unused_imports,
    unused_macros,
    reason = "generated models decode through `object!` and `open_enum!`, which call the rest"
)]
mod decode;
mod error;
mod file;
mod list;
mod nullable;
#[allow(dead_code, reason = "generated list operations paginate with `items`")]
mod pagination;
#[allow(
    unused_macros,
    unused_imports,
    reason = "generated request builders implement `IntoFuture` with `into_future!`"
)]
#[cfg_attr(not(feature = "auth"), allow(dead_code, reason = "without `auth`, only generated operations send calls"))]
mod request;
mod response;
mod retry;
#[allow(dead_code, reason = "generated tagged unions decode with `union` and `tag`")]
mod tagged;

#[cfg(feature = "auth")]
pub mod auth;
#[cfg(feature = "testing")]
#[allow(dead_code, reason = "generated models' `fixture()` decode with `testing::fixture`")]
pub mod testing;
#[cfg(feature = "webhook-verification")]
pub mod webhooks;

pub use client::{Client, ClientBuilder, SecretKey};
pub use decode::{DecodeError, decode};
pub use error::{ApiError, Error, ErrorDetail, OptionalExt, Result};
pub use file::FilePart;
pub use list::List;
pub use nullable::Nullable;
pub use request::{Pending, RequestOptions, WithResponse};
/// The HTTP status type of [`Error::status`] and [`ApiError::status`].
pub use reqwest::StatusCode;
pub use response::Response;
pub use retry::RetryPolicy;

/// Stands in for the spec's API version (`info.version`).
pub const API_VERSION: &str = "2026-05-12";

/// Stands in for the spec's server.
pub const DEFAULT_BASE_URL: &str = "https://api.clerk.com/v1";

/// Stands in for the spec's backoff policy (`x-speakeasy-retries`).
const DEFAULT_RETRY: retry::SpecRetry = retry::SpecRetry {
    initial_backoff: std::time::Duration::from_millis(500),
    max_backoff: std::time::Duration::from_millis(60_000),
    multiplier: 1.5,
    max_elapsed: std::time::Duration::from_millis(3_600_000),
};

#[cfg(test)]
mod tests;
