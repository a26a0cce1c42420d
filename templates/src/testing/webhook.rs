//! Webhooks signed as Clerk (through Svix) signs them, for a handler under test.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use super::unix_seconds;
use crate::webhooks::{Webhook, WebhookError};

/// An endpoint secret for tests (`whsec_` and base64). **Public and for tests only.**
pub const TEST_WEBHOOK_SECRET: &str = "whsec_dGVzdC1vbmx5LXdlYmhvb2stc2VjcmV0LWRvLW5vdC11c2U=";

/// A signed webhook: the headers and the body a handler receives.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignedWebhook {
    /// `svix-id`, `svix-timestamp` and `svix-signature`, plus `content-type`.
    pub headers: http::HeaderMap,
    /// The raw body the signature covers.
    pub body: Vec<u8>,
}

impl SignedWebhook {
    /// A `POST` of the webhook to `uri`, e.g. to send through a router with `oneshot`
    /// (`request.map(axum::body::Body::from)`).
    pub fn request(&self, uri: &str) -> Result<http::Request<Vec<u8>>, http::Error> {
        let mut request = http::Request::post(uri).body(self.body.clone())?;
        *request.headers_mut() = self.headers.clone();
        Ok(request)
    }
}

/// Signs webhooks with an endpoint secret.
#[derive(Debug)]
pub struct WebhookSigner {
    webhook: Webhook,
    /// Numbers the messages, so that every `svix-id` differs.
    sent: AtomicU64,
}

impl WebhookSigner {
    /// A signer for `secret` (`whsec_…`), such as [`TEST_WEBHOOK_SECRET`]; verify with
    /// `Webhook::new` and the same secret.
    pub fn new(secret: &str) -> Result<Self, WebhookError> {
        Ok(WebhookSigner { webhook: Webhook::new(secret)?, sent: AtomicU64::new(0) })
    }

    /// Signs a raw body as sent now.
    pub fn sign(&self, body: impl Into<Vec<u8>>) -> SignedWebhook {
        self.sign_at(body, SystemTime::now())
    }

    /// Signs a raw body as sent at `at`: any time, to test the tolerance too.
    pub fn sign_at(&self, body: impl Into<Vec<u8>>, at: SystemTime) -> SignedWebhook {
        let body = body.into();
        let id = format!("msg_test_{}", self.sent.fetch_add(1, Ordering::Relaxed) + 1);
        let timestamp = unix_seconds(at);
        let signature = self.webhook.sign(&id, timestamp, &body);
        let mut headers = http::HeaderMap::new();
        let text = [("svix-id", id), ("svix-signature", signature), ("content-type", "application/json".to_owned())];
        for (name, value) in text {
            // Ids, base64 signatures and the media type are visible ASCII: always valid values.
            if let Ok(value) = http::HeaderValue::try_from(value) {
                headers.insert(name, value);
            }
        }
        headers.insert("svix-timestamp", http::HeaderValue::from(timestamp));
        SignedWebhook { headers, body }
    }

    /// Signs an event as sent now: `data` (a model, e.g. a `User`, or any JSON) in
    /// Clerk's envelope (`type`, `object: event`, `data`, `timestamp` in milliseconds).
    pub fn sign_event(
        &self,
        event_type: &str,
        data: &impl serde::Serialize,
    ) -> Result<SignedWebhook, serde_json::Error> {
        self.sign_event_at(event_type, data, SystemTime::now())
    }

    /// [`sign_event`](Self::sign_event) as sent at `at`.
    pub fn sign_event_at(
        &self,
        event_type: &str,
        data: &impl serde::Serialize,
        at: SystemTime,
    ) -> Result<SignedWebhook, serde_json::Error> {
        let millis = unix_seconds(at).saturating_mul(1000);
        let event = serde_json::json!({
            "type": event_type,
            "object": "event",
            "data": serde_json::to_value(data)?,
            "timestamp": millis,
            "instance_id": "ins_test",
        });
        Ok(self.sign_at(serde_json::to_vec(&event)?, at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_has_its_own_id() {
        let signer = WebhookSigner::new(TEST_WEBHOOK_SECRET).unwrap();
        let (a, b) = (signer.sign("{}"), signer.sign("{}"));
        assert_ne!(a.headers["svix-id"], b.headers["svix-id"]);
    }
}
