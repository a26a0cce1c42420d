//! Webhook verification (feature `webhook-verification`): Clerk sends webhooks through Svix, signed
//! with HMAC-SHA256 over `{svix-id}.{svix-timestamp}.{body}` and the endpoint's `whsec_…`
//! secret.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// Why a webhook was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WebhookError {
    /// The secret is not `whsec_` followed by base64.
    InvalidSecret,
    /// `CLERK_WEBHOOK_SIGNING_SECRET` is not set ([`Webhook::from_env`]).
    SecretNotSet,
    /// A `svix-id`, `svix-timestamp` or `svix-signature` header is missing or not text.
    MissingHeader(&'static str),
    /// `svix-timestamp` is not a number.
    InvalidTimestamp,
    /// The timestamp is further from now than the tolerance: an old message replayed, or a
    /// wrong clock.
    TimestampOutOfTolerance,
    /// No signature in `svix-signature` matches: the body or headers were altered, or the
    /// secret is wrong.
    InvalidSignature,
    /// The body is not a webhook event.
    InvalidPayload(String),
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebhookError::InvalidSecret => f.write_str("invalid webhook secret"),
            WebhookError::SecretNotSet => f.write_str("CLERK_WEBHOOK_SIGNING_SECRET is not set"),
            WebhookError::MissingHeader(name) => write!(f, "missing header {name}"),
            WebhookError::InvalidTimestamp => f.write_str("invalid svix-timestamp"),
            WebhookError::TimestampOutOfTolerance => f.write_str("webhook timestamp outside the tolerance"),
            WebhookError::InvalidSignature => f.write_str("no matching webhook signature"),
            WebhookError::InvalidPayload(why) => write!(f, "invalid webhook payload: {why}"),
        }
    }
}

impl std::error::Error for WebhookError {}

impl From<crate::DecodeError> for WebhookError {
    /// A verified event whose payload does not fit the type of its event type.
    fn from(error: crate::DecodeError) -> Self {
        WebhookError::InvalidPayload(error.to_string())
    }
}

/// Verifies webhooks for one endpoint secret. The secret never shows in `Debug`.
pub struct Webhook {
    key: ring::hmac::Key,
    tolerance: Duration,
}

impl fmt::Debug for Webhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhook").field("secret", &"[redacted]").field("tolerance", &self.tolerance).finish()
    }
}

/// A verified webhook event. `data` is the object the event is about (a user, a session, …);
/// unknown event types are kept like any other.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[non_exhaustive]
pub struct WebhookEvent {
    /// The event type, e.g. `user.created`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// Always `event`.
    #[serde(default)]
    pub object: Option<String>,
    /// The payload.
    #[serde(default)]
    pub data: serde_json::Value,
    /// When the event happened (milliseconds since the epoch).
    #[serde(default)]
    pub timestamp: Option<i64>,
    /// The Clerk instance.
    #[serde(default)]
    pub instance_id: Option<String>,
    /// Every other field, as sent.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl WebhookEvent {
    /// Decodes `data` into a type, e.g. `clerk_sdk::models::User` for `user.created`.
    pub fn data_as<T: serde::de::DeserializeOwned>(&self) -> Result<T, crate::DecodeError> {
        crate::decode(&self.data.to_string()).map_err(|error| error.of("the webhook payload"))
    }
}

impl Webhook {
    /// A verifier for an endpoint secret (`whsec_…`), with Svix's 5-minute tolerance.
    pub fn new(secret: &str) -> Result<Self, WebhookError> {
        let encoded = secret.strip_prefix("whsec_").unwrap_or(secret);
        let key = STANDARD.decode(encoded).map_err(|_| WebhookError::InvalidSecret)?;
        if key.is_empty() {
            return Err(WebhookError::InvalidSecret);
        }
        Ok(Webhook { key: ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key), tolerance: Duration::from_secs(300) })
    }

    /// A verifier for the endpoint secret in `CLERK_WEBHOOK_SIGNING_SECRET`, the variable
    /// Clerk's documentation names.
    pub fn from_env() -> Result<Self, WebhookError> {
        Self::from_env_with(|name| std::env::var(name).ok())
    }

    /// [`from_env`](Self::from_env) with the variable read through `var`.
    fn from_env_with(var: impl Fn(&str) -> Option<String>) -> Result<Self, WebhookError> {
        Self::new(&var("CLERK_WEBHOOK_SIGNING_SECRET").ok_or(WebhookError::SecretNotSet)?)
    }

    /// How far the timestamp may be from now.
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Verifies a request's headers and raw body, then parses the event.
    pub fn verify(&self, headers: &http::HeaderMap, body: &[u8]) -> Result<WebhookEvent, WebhookError> {
        self.verify_at(headers, body, SystemTime::now())
    }

    /// [`verify`](Self::verify) as of `now`.
    pub fn verify_at(
        &self,
        headers: &http::HeaderMap,
        body: &[u8],
        now: SystemTime,
    ) -> Result<WebhookEvent, WebhookError> {
        let header = |name: &'static str| {
            headers.get(name).and_then(|v| v.to_str().ok()).ok_or(WebhookError::MissingHeader(name))
        };
        self.verify_parts(header("svix-id")?, header("svix-timestamp")?, header("svix-signature")?, body, now)?;
        // Decoded like a response: the payload may nest as deeply as the data it carries.
        crate::decode::decode_bytes(body)
            .map_err(|e| WebhookError::InvalidPayload(format!("at `{}`: {}", e.path(), e.message())))
    }

    /// Verifies a signature from its parts (for frameworks without `http` headers).
    pub fn verify_parts(
        &self,
        id: &str,
        timestamp: &str,
        signatures: &str,
        body: &[u8],
        now: SystemTime,
    ) -> Result<(), WebhookError> {
        let sent: i64 = timestamp.trim().parse().map_err(|_| WebhookError::InvalidTimestamp)?;
        let now = i64::try_from(now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs()).unwrap_or(i64::MAX);
        // `abs_diff`, not a subtraction: the timestamp is the sender's, any `i64` at all.
        if now.abs_diff(sent) > self.tolerance.as_secs() {
            return Err(WebhookError::TimestampOutOfTolerance);
        }
        let mut signed = Vec::with_capacity(id.len() + timestamp.len() + body.len() + 2);
        signed.extend_from_slice(id.as_bytes());
        signed.push(b'.');
        signed.extend_from_slice(timestamp.trim().as_bytes());
        signed.push(b'.');
        signed.extend_from_slice(body);
        // Several signatures when the secret is being rotated: `v1,abc v1,def`.
        let matched = signatures
            .split_whitespace()
            .filter_map(|s| s.strip_prefix("v1,"))
            .filter_map(|s| STANDARD.decode(s).ok())
            .any(|candidate| ring::hmac::verify(&self.key, &signed, &candidate).is_ok());
        if matched { Ok(()) } else { Err(WebhookError::InvalidSignature) }
    }

    /// Signs a message as Svix does (`v1,<base64>`): for tests and local tools.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let mut signed = format!("{id}.{timestamp}.").into_bytes();
        signed.extend_from_slice(body);
        format!("v1,{}", STANDARD.encode(ring::hmac::sign(&self.key, &signed).as_ref()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_that_does_not_decode_is_named_as_such() {
        #[derive(Debug, serde::Deserialize)]
        struct Typed {
            #[allow(dead_code, reason = "decoded, not read")]
            id: String,
        }
        let event: WebhookEvent = serde_json::from_str(r#"{"type": "user.created", "data": {}}"#).unwrap();
        let error = event.data_as::<Typed>().unwrap_err();
        assert_eq!(error.to_string(), "cannot decode the webhook payload at `id`: missing field `id`");
    }

    #[test]
    fn extreme_timestamps_are_out_of_tolerance_not_an_overflow() {
        let webhook = Webhook::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        for timestamp in [i64::MIN, i64::MIN + 1, -1, 0, i64::MAX] {
            let text = timestamp.to_string();
            let signature = webhook.sign("msg_1", timestamp, b"{}");
            let result = webhook.verify_parts("msg_1", &text, &signature, b"{}", now);
            assert_eq!(result, Err(WebhookError::TimestampOutOfTolerance), "{timestamp}");
        }
        let far_future = UNIX_EPOCH + Duration::from_secs(u64::MAX / 2);
        let result = webhook.verify_parts("msg_1", "0", "v1,AAAA", b"{}", far_future);
        assert_eq!(result, Err(WebhookError::TimestampOutOfTolerance));
    }

    #[test]
    fn from_env_reads_the_signing_secret() {
        let var = |value: Option<&'static str>| {
            move |name: &str| value.filter(|_| name == "CLERK_WEBHOOK_SIGNING_SECRET").map(str::to_owned)
        };
        assert!(Webhook::from_env_with(var(Some("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))).is_ok());
        assert_eq!(Webhook::from_env_with(var(None)).unwrap_err(), WebhookError::SecretNotSet);
        assert_eq!(Webhook::from_env_with(var(Some("whsec_"))).unwrap_err(), WebhookError::InvalidSecret);
    }
}
