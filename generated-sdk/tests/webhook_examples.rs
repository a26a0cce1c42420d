//! Every example payload of Clerk's webhooks spec, signed like Svix signs it, verifies with
//! the SDK's `Webhook`, parses into a `WebhookEvent`, and its data into the typed payload
//! generated for its event type.
//!
//! The spec is read as JSON, since the SDK has no YAML parser: from the file named by
//! `$CLERK_WEBHOOKS_JSON`, which `cargo xtask test` writes from the pinned, hash-checked
//! webhooks document.

use clerk_sdk::webhooks::{EventData, Webhook};
use std::time::{Duration, UNIX_EPOCH};

/// The pinned webhooks document, from `$CLERK_WEBHOOKS_JSON`.
fn webhooks_spec() -> serde_json::Value {
    let path = std::env::var_os("CLERK_WEBHOOKS_JSON")
        .expect("CLERK_WEBHOOKS_JSON names the pinned webhooks document as JSON; `cargo xtask test` sets it");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.to_string_lossy()));
    serde_json::from_str(&text).expect("the webhooks document as JSON")
}

#[test]
fn every_example_payload_verifies_and_parses() {
    let doc = webhooks_spec();
    // Examples live in components.examples and on each x-webhooks entry's request body.
    let mut examples: Vec<(String, serde_json::Value)> = doc["components"]["examples"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, e)| (name.clone(), e["value"].clone()))
        .collect();
    for (event, entry) in doc["x-webhooks"].as_object().unwrap() {
        let media = &entry["post"]["requestBody"]["content"]["application/json"];
        if let Some(example) = media.get("example") {
            examples.push((event.clone(), example.clone()));
        }
        for (name, e) in media.get("examples").and_then(|e| e.as_object()).into_iter().flatten() {
            if let Some(value) = e.get("value") {
                examples.push((format!("{event}/{name}"), value.clone()));
            }
        }
    }
    assert!(examples.len() >= 45, "{} examples", examples.len());
    let webhook = Webhook::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
    let now = 1_700_000_000;
    let mut types = std::collections::BTreeSet::new();
    let mut failures = Vec::new();
    for (name, example) in &examples {
        let body = serde_json::to_vec(example).unwrap();
        let mut headers = http::HeaderMap::new();
        headers.insert("svix-id", "msg_1".parse().unwrap());
        headers.insert("svix-timestamp", now.to_string().parse().unwrap());
        headers.insert("svix-signature", webhook.sign("msg_1", now, &body).parse().unwrap());
        let event = webhook
            .verify_at(&headers, &body, UNIX_EPOCH + Duration::from_secs(now as u64))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!event.event_type.is_empty() && event.data.is_object(), "{name}");
        match event.typed_data() {
            Ok(EventData::Unknown(_)) => failures.push(format!("{name}: {} has no typed payload", event.event_type)),
            Ok(_) => {}
            Err(e) => failures.push(format!("{name}: {e}")),
        }
        types.insert(event.event_type);
    }
    assert!(failures.is_empty(), "{} of {} examples:\n{}", failures.len(), examples.len(), failures.join("\n"));
    assert!(types.contains("user.created") && types.contains("session.created"), "{types:?}");
    assert!(types.len() >= 45, "{} event types: {types:?}", types.len());

    // An event type this version does not know is kept, not an error.
    let body = br#"{"type": "agent.awakened", "object": "event", "data": {"id": "agt_1"}}"#;
    let mut headers = http::HeaderMap::new();
    headers.insert("svix-id", "msg_2".parse().unwrap());
    headers.insert("svix-timestamp", now.to_string().parse().unwrap());
    headers.insert("svix-signature", webhook.sign("msg_2", now, body).parse().unwrap());
    let event = webhook.verify_at(&headers, body, UNIX_EPOCH + Duration::from_secs(now as u64)).unwrap();
    assert!(matches!(event.typed_data(), Ok(EventData::Unknown(data)) if data["id"] == "agt_1"));
}
