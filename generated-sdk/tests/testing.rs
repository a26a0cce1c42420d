//! The testing kit: what it mints, the SDK's verifier accepts or refuses by its own
//! rules, and what it signs, `Webhook::verify` accepts until it is tampered with.
#![cfg(feature = "testing")]

use std::time::{Duration, SystemTime};

use clerk_sdk::auth::{TokenError, TokenKind, VerifyOptions};
use clerk_sdk::testing::{
    M2mToken, OAuthToken, SessionToken, TEST_PUBLIC_KEY_PEM, TEST_WEBHOOK_SECRET, WebhookSigner, verifier,
};
use clerk_sdk::webhooks::{Webhook, WebhookError};
use serde_json::json;

fn options() -> VerifyOptions {
    VerifyOptions::default()
}

#[tokio::test]
async fn session_tokens_carry_what_they_were_minted_with_in_both_formats() {
    let verifier = verifier(options());
    let minted = SessionToken::new("user_1")
        .session_id("sess_1")
        .organization("org_1", "acme", "org:admin", ["org:billing:manage", "org:billing:read", "org:teams:read"])
        .claim("plan", "pro");
    for (version, token) in [(1, minted.clone().sign()), (2, minted.claims_v2().sign())] {
        let session = verifier.verify(&token).await.unwrap_or_else(|e| panic!("v{version}: {e}"));
        assert_eq!((session.sub.as_str(), session.sid.as_str(), session.version), ("user_1", "sess_1", version));
        let organization = session.organization.as_ref().unwrap();
        assert_eq!((organization.id.as_str(), organization.role.as_deref()), ("org_1", Some("org:admin")));
        assert!(session.has_role("org:admin"), "v{version}");
        for permission in ["org:billing:manage", "org:billing:read", "org:teams:read"] {
            assert!(session.has_permission(permission), "v{version}: {permission}");
        }
        assert!(!session.has_permission("org:teams:manage"), "v{version}");
        assert_eq!(session.extra["plan"], "pro");
    }
}

#[tokio::test]
async fn expired_not_yet_valid_and_pending_sessions_are_refused() {
    let verifier = verifier(options());
    let expired = verifier.verify(&SessionToken::new("user_1").expired().sign()).await;
    assert!(matches!(expired, Err(TokenError::Expired { .. })), "{expired:?}");
    let early = verifier.verify(&SessionToken::new("user_1").not_yet_valid().sign()).await;
    assert!(matches!(early, Err(TokenError::NotYetValid { .. })), "{early:?}");
    let pending = SessionToken::new("user_1").pending().sign();
    assert!(matches!(verifier.verify(&pending).await, Err(TokenError::PendingSession)));
    let accepting = clerk_sdk::testing::verifier(options().accept_pending_sessions(true));
    assert!(accepting.verify(&pending).await.unwrap().is_pending());
}

#[tokio::test]
async fn a_token_valid_at_a_fixed_time_is_verified_as_of_then() {
    let then = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let token = SessionToken::new("user_1").valid_from(then).sign();
    let verifier = verifier(options());
    assert_eq!(verifier.verify_at(&token, then + Duration::from_secs(30)).await.unwrap().exp, 1_700_000_060);
    assert!(verifier.verify(&token).await.is_err());
}

#[tokio::test]
async fn machine_tokens_verify_as_machines_and_never_as_sessions() {
    let verifier = verifier(options());
    let m2m = M2mToken::new("mch_worker").scopes(["mch_billing"]).claim("team", "ops").sign();
    let machine = verifier.verify_machine_token(&m2m).await.unwrap();
    assert_eq!(
        (machine.kind, machine.subject.as_str(), machine.id.as_str()),
        (TokenKind::M2m, "mch_worker", "mt_test")
    );
    assert_eq!(machine.scopes, ["mch_billing"]);
    assert!(matches!(verifier.verify(&m2m).await, Err(TokenError::M2mToken)));

    let oauth = OAuthToken::new("user_1", "client_1").scopes(["profile", "email"]).sign();
    let access = verifier.verify_machine_token(&oauth).await.unwrap();
    assert_eq!((access.kind, access.client_id.as_deref()), (TokenKind::OAuth, Some("client_1")));
    assert_eq!(access.scopes, ["profile", "email"]);
    assert!(matches!(verifier.verify(&oauth).await, Err(TokenError::OAuthToken)));

    let expired = verifier.verify_machine_token(&M2mToken::new("mch_worker").expired().sign()).await;
    assert!(matches!(expired, Err(TokenError::Expired { .. })), "{expired:?}");
    assert!(verifier.verify_machine_token(&SessionToken::new("user_1").sign()).await.is_err());
}

#[tokio::test]
async fn the_published_public_key_and_jwks_are_the_signing_keys() {
    let token = SessionToken::new("user_1").sign();
    let pem = clerk_sdk::auth::TokenVerifier::with_pem(TEST_PUBLIC_KEY_PEM, options()).unwrap();
    assert_eq!(pem.verify(&token).await.unwrap().sub, "user_1");
    let jwks = clerk_sdk::auth::TokenVerifier::with_jwks_json(&clerk_sdk::testing::jwks_json(), options()).unwrap();
    assert_eq!(jwks.verify(&token).await.unwrap().sub, "user_1");
}

#[test]
fn signed_webhooks_verify_until_tampered_with() {
    let signer = WebhookSigner::new(TEST_WEBHOOK_SECRET).unwrap();
    let webhook = Webhook::new(TEST_WEBHOOK_SECRET).unwrap();
    let signed = signer.sign_event("user.created", &json!({"id": "user_1", "object": "user"})).unwrap();
    let event = webhook.verify(&signed.headers, &signed.body).unwrap();
    assert_eq!((event.event_type.as_str(), event.data["id"].as_str()), ("user.created", Some("user_1")));

    let mut tampered = signed.body.clone();
    tampered.extend_from_slice(b" ");
    assert_eq!(webhook.verify(&signed.headers, &tampered), Err(WebhookError::InvalidSignature));
    let other = Webhook::new("whsec_b3RoZXItc2VjcmV0").unwrap();
    assert_eq!(other.verify(&signed.headers, &signed.body), Err(WebhookError::InvalidSignature));
}

#[test]
fn webhooks_can_be_signed_at_any_time() {
    let signer = WebhookSigner::new(TEST_WEBHOOK_SECRET).unwrap();
    let webhook = Webhook::new(TEST_WEBHOOK_SECRET).unwrap();
    let then = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let signed = signer.sign_at(&b"{\"type\":\"session.ended\",\"data\":{}}"[..], then);
    assert_eq!(signed.headers["svix-timestamp"], "1700000000");
    assert_eq!(webhook.verify_at(&signed.headers, &signed.body, then).unwrap().event_type, "session.ended");
    let now = webhook.verify(&signed.headers, &signed.body);
    assert_eq!(now, Err(WebhookError::TimestampOutOfTolerance));
}

#[cfg(feature = "axum")]
mod handlers {
    use std::sync::Arc;

    use axum::Router;
    use axum::body::Body;
    use axum::http::StatusCode;
    use axum::routing::{get, post};
    use clerk_sdk::auth::{SignedIn, VerifyOptions};
    use clerk_sdk::testing::{SessionToken, TEST_WEBHOOK_SECRET, WebhookSigner, verifier};
    use clerk_sdk::webhooks::Webhook;
    use tower::ServiceExt;

    /// A service's routes: a page for signed-in users and a webhook endpoint.
    fn app() -> Router {
        let webhook = Arc::new(Webhook::new(TEST_WEBHOOK_SECRET).unwrap());
        Router::new()
            .route("/me", get(|SignedIn(session): SignedIn| async move { session.sub }))
            .route(
                "/webhooks",
                post(move |headers: http::HeaderMap, body: axum::body::Bytes| async move {
                    match webhook.verify(&headers, &body) {
                        Ok(event) => (StatusCode::OK, event.event_type),
                        Err(error) => (StatusCode::BAD_REQUEST, error.to_string()),
                    }
                }),
            )
            .with_state(Arc::new(verifier(VerifyOptions::default())))
    }

    async fn send(request: http::Request<Body>) -> (StatusCode, String) {
        let response = app().oneshot(request).await.unwrap();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 1024).await.unwrap();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    fn me(token: &str) -> http::Request<Body> {
        http::Request::get("/me").header("authorization", format!("Bearer {token}")).body(Body::empty()).unwrap()
    }

    #[tokio::test]
    async fn a_handler_is_tested_end_to_end_with_the_kit_alone() {
        assert_eq!(send(me(&SessionToken::new("user_1").sign())).await, (StatusCode::OK, "user_1".to_owned()));
        assert_eq!(send(me(&SessionToken::new("user_1").expired().sign())).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(send(me(&SessionToken::new("user_1").pending().sign())).await.0, StatusCode::UNAUTHORIZED);

        let signer = WebhookSigner::new(TEST_WEBHOOK_SECRET).unwrap();
        let signed = signer.sign_event("user.deleted", &serde_json::json!({"id": "user_1", "deleted": true})).unwrap();
        let request = signed.request("/webhooks").unwrap().map(Body::from);
        assert_eq!(send(request).await, (StatusCode::OK, "user.deleted".to_owned()));
        let mut tampered = signed.request("/webhooks").unwrap();
        tampered.body_mut().push(b' ');
        assert_eq!(send(tampered.map(Body::from)).await.0, StatusCode::BAD_REQUEST);
    }
}
