//! Webhook verification agrees with Svix: its published test vector verifies and is
//! reproduced; tampering, replays and wrong secrets are rejected. (That every example
//! payload of Clerk's webhooks spec parses is tested in `webhook_examples.rs`.)

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clerk_sdk::webhooks::{Webhook, WebhookError};
use http::HeaderMap;

// Svix's documented example: secret, message id, timestamp, payload and the signature.
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const TIMESTAMP: i64 = 1_614_265_330;
const PAYLOAD: &[u8] = br#"{"test": 2432232314}"#;
const SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

fn at(seconds: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(seconds as u64)
}

#[test]
fn svix_test_vector_verifies_and_is_reproduced() {
    let webhook = Webhook::new(SECRET).unwrap();
    assert_eq!(webhook.sign(ID, TIMESTAMP, PAYLOAD), SIGNATURE);
    webhook.verify_parts(ID, &TIMESTAMP.to_string(), SIGNATURE, PAYLOAD, at(TIMESTAMP)).unwrap();
    // Several signatures (a secret being rotated): any match is enough.
    let several = format!("v1,bm90IHRoaXMgb25l {SIGNATURE} v2,ignored");
    webhook.verify_parts(ID, &TIMESTAMP.to_string(), &several, PAYLOAD, at(TIMESTAMP + 10)).unwrap();
}

#[test]
fn tampering_replays_and_wrong_secrets_are_rejected() {
    let webhook = Webhook::new(SECRET).unwrap();
    let verify =
        |id: &str, body: &[u8], now: i64| webhook.verify_parts(id, &TIMESTAMP.to_string(), SIGNATURE, body, at(now));
    assert_eq!(verify(ID, br#"{"test": 2432232315}"#, TIMESTAMP), Err(WebhookError::InvalidSignature));
    assert_eq!(verify("msg_other", PAYLOAD, TIMESTAMP), Err(WebhookError::InvalidSignature));
    assert_eq!(verify(ID, PAYLOAD, TIMESTAMP + 301), Err(WebhookError::TimestampOutOfTolerance));
    assert_eq!(verify(ID, PAYLOAD, TIMESTAMP - 301), Err(WebhookError::TimestampOutOfTolerance));
    let wrong = Webhook::new("whsec_dGhpcyBpcyBub3QgdGhlIHNlY3JldA==").unwrap();
    assert_eq!(
        wrong.verify_parts(ID, &TIMESTAMP.to_string(), SIGNATURE, PAYLOAD, at(TIMESTAMP)),
        Err(WebhookError::InvalidSignature)
    );
    assert_eq!(Webhook::new("whsec_not base64!").unwrap_err(), WebhookError::InvalidSecret);
    assert_eq!(
        webhook.verify_parts(ID, "yesterday", SIGNATURE, PAYLOAD, at(TIMESTAMP)),
        Err(WebhookError::InvalidTimestamp)
    );
    assert!(!format!("{webhook:?}").contains("MfKQ9r8"), "the secret never shows");
}

#[test]
fn verify_reads_the_svix_headers_and_parses_the_event() {
    let webhook = Webhook::new(SECRET).unwrap();
    let body = br#"{"type": "user.created", "object": "event", "data": {"id": "user_1"}, "timestamp": 1}"#;
    let mut headers = HeaderMap::new();
    headers.insert("svix-id", ID.parse().unwrap());
    headers.insert("svix-timestamp", TIMESTAMP.to_string().parse().unwrap());
    headers.insert("svix-signature", webhook.sign(ID, TIMESTAMP, body).parse().unwrap());
    let event = webhook.verify_at(&headers, body, at(TIMESTAMP)).unwrap();
    assert_eq!((event.event_type.as_str(), event.data["id"].as_str()), ("user.created", Some("user_1")));
    headers.remove("svix-signature");
    assert_eq!(
        webhook.verify_at(&headers, body, at(TIMESTAMP)).unwrap_err(),
        WebhookError::MissingHeader("svix-signature")
    );
}

#[test]
fn a_webhook_payload_uses_the_api_model_of_the_same_shape() {
    let user = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/user.json")).unwrap();
    let body = format!(r#"{{"type": "user.created", "object": "event", "data": {user}, "timestamp": 1}}"#);
    let webhook = Webhook::new(SECRET).unwrap();
    let mut headers = HeaderMap::new();
    headers.insert("svix-id", ID.parse().unwrap());
    headers.insert("svix-timestamp", TIMESTAMP.to_string().parse().unwrap());
    headers.insert("svix-signature", webhook.sign(ID, TIMESTAMP, body.as_bytes()).parse().unwrap());
    let event = webhook.verify_at(&headers, body.as_bytes(), at(TIMESTAMP)).unwrap();
    let Ok(clerk_sdk::webhooks::EventData::UserCreated(created)) = event.typed_data() else {
        panic!("not a typed user.created")
    };
    // The same type as the API returns, not a copy: the webhook's User is the API's.
    let created: clerk_sdk::models::User = *created;
    let fetched: clerk_sdk::models::User = clerk_sdk::decode(&user).unwrap();
    assert_eq!(created, fetched);
}

/// A signed `user.created` event whose `data` is `user`.
fn user_created(user: &serde_json::Value) -> clerk_sdk::webhooks::WebhookEvent {
    let body = serde_json::json!({"type": "user.created", "object": "event", "data": user, "timestamp": 1}).to_string();
    let webhook = Webhook::new(SECRET).unwrap();
    let mut headers = HeaderMap::new();
    headers.insert("svix-id", ID.parse().unwrap());
    headers.insert("svix-timestamp", TIMESTAMP.to_string().parse().unwrap());
    headers.insert("svix-signature", webhook.sign(ID, TIMESTAMP, body.as_bytes()).parse().unwrap());
    webhook.verify_at(&headers, body.as_bytes(), at(TIMESTAMP)).unwrap()
}

#[test]
fn a_payload_missing_collections_decodes_and_one_that_cannot_keeps_its_json() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/user.json");
    let mut user: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    // An older payload shape: no passkeys, no metadata object.
    let fields = user.as_object_mut().unwrap();
    fields.remove("passkeys");
    fields.remove("public_metadata");
    let Ok(clerk_sdk::webhooks::EventData::UserCreated(created)) = user_created(&user).typed_data() else {
        panic!("not a typed user.created")
    };
    assert!(created.passkeys.is_empty() && created.public_metadata.is_empty());
    user.as_object_mut().unwrap().remove("id");
    let event = user_created(&user);
    let error = event.typed_data().unwrap_err();
    assert_eq!(error.path(), "id");
    assert_eq!(event.data["email_addresses"], user["email_addresses"], "the payload is kept as sent");
}
