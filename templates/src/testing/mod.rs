//! A testing kit (feature `testing`, for dev-dependencies): session and machine tokens
//! signed with a test key and a [`TokenVerifier`](crate::auth::TokenVerifier) that
//! trusts it, webhooks signed with an endpoint secret, a [`MockServer`] with a typed
//! expectation for every operation, and a `fixture()` for every response model, so that
//! a service's handlers can be tested end to end without Clerk.
//!
//! The test key and secret are published with this crate: **never** trust them outside
//! tests.

mod mock;
mod rule;
mod tokens;
mod webhook;

use std::time::{SystemTime, UNIX_EPOCH};

pub use mock::{Calls, Endpoint, Mock, MockServer, Reply, Responding, UNMATCHED_STATUS};
pub use tokens::{
    M2mToken, OAuthToken, SessionToken, TEST_ISSUER, TEST_KEY_ID, TEST_PRIVATE_KEY_PEM, TEST_PUBLIC_KEY_PEM, jwks_json,
    verifier,
};
pub use webhook::{SignedWebhook, TEST_WEBHOOK_SECRET, WebhookSigner};

/// The model a generated `fixture()` describes: `json` is the spec's example of
/// `type_name`, or the least its schema allows (every required field, nothing else).
///
/// # Panics
///
/// When `json` does not decode into `T`; a generated test decodes every fixture.
pub(crate) fn fixture<T: serde::de::DeserializeOwned>(type_name: &str, json: &str) -> T {
    crate::decode(json).unwrap_or_else(|e| panic!("the fixture of {type_name} does not decode: {e}"))
}

/// Seconds since the epoch (negative before it), as JWT times and `svix-timestamp` carry them.
fn unix_seconds(at: SystemTime) -> i64 {
    match at.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn times_before_the_epoch_are_negative() {
        assert_eq!(unix_seconds(UNIX_EPOCH - Duration::from_secs(7)), -7);
        assert_eq!(unix_seconds(UNIX_EPOCH + Duration::from_secs(7)), 7);
    }
}
