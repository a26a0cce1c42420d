//! A testing kit (feature `testing`, for dev-dependencies): session and machine tokens
//! signed with a test key and a [`TokenVerifier`](crate::auth::TokenVerifier) that
//! trusts it, and webhooks signed with an endpoint secret, so that a service's handlers
//! can be tested end to end without Clerk.
//!
//! The test key and secret are published with this crate: **never** trust them outside
//! tests.

mod tokens;
mod webhook;

use std::time::{SystemTime, UNIX_EPOCH};

pub use tokens::{
    M2mToken, OAuthToken, SessionToken, TEST_ISSUER, TEST_KEY_ID, TEST_PRIVATE_KEY_PEM, TEST_PUBLIC_KEY_PEM, jwks_json,
    verifier,
};
pub use webhook::{SignedWebhook, TEST_WEBHOOK_SECRET, WebhookSigner};

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
