//! axum routes: the extractors and the rejecting layer answer 401 without a valid token of
//! an accepted kind, and hand the handler typed claims otherwise.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::routing::get;
use axum::{Extension, http::StatusCode};
use clerk_sdk::auth::{
    Accepts, AuthState, Authenticated, ClerkAuthLayer, MachineToken, Principal, RequireAuthLayer, SignedIn,
    TokenVerifier, Unauthorized, VerifyOptions, accept,
};
use serde_json::json;
use tower::ServiceExt;

use super::*;

fn m2m_jwt() -> String {
    let payload = json!({"iss": ISSUER, "sub": "mch_worker", "exp": now() + 60, "jti": "mt_1"});
    sign(&json!({"alg": "RS256", "kid": "ins_1", "cat": M2M_CATEGORY}), &payload, &test_key())
}

fn verifier() -> Arc<TokenVerifier> {
    Arc::new(pem_verifier(VerifyOptions::default()))
}

/// The status, `WWW-Authenticate` and body of `app`'s answer to `GET uri` with `header`.
async fn get_with(app: &Router, uri: &str, header: Option<(&str, String)>) -> (StatusCode, Option<String>, String) {
    let mut request = http::Request::builder().uri(uri);
    if let Some((name, value)) = header {
        request = request.header(name, value);
    }
    let response = app.clone().oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
    let status = response.status();
    let challenge = response.headers().get("www-authenticate").map(|v| v.to_str().unwrap().to_owned());
    let body = axum::body::to_bytes(response.into_body(), 1024).await.unwrap();
    (status, challenge, String::from_utf8(body.to_vec()).unwrap())
}

fn auth(token: &str) -> Option<(&'static str, String)> {
    Some(("authorization", format!("Bearer {token}")))
}

fn unauthorized() -> (StatusCode, Option<String>, String) {
    (StatusCode::UNAUTHORIZED, Some("Bearer".to_owned()), String::new())
}

#[tokio::test]
async fn the_extractors_answer_401_unless_the_token_is_of_an_accepted_kind() {
    let app = Router::new()
        .route("/me", get(|SignedIn(session): SignedIn| async move { session.sub }))
        .route(
            "/maybe",
            get(|session: Option<SignedIn>| async move { session.map_or("signed out".to_owned(), |s| s.0.sub) }),
        )
        .route("/machine", get(|machine: MachineToken<accept::M2mTokens>| async move { machine.subject.clone() }))
        .route(
            "/any",
            get(|caller: Authenticated| async move {
                match caller.into_inner() {
                    Principal::Session(session) => format!("user {}", session.sub),
                    Principal::Machine(machine) => format!("machine {}", machine.subject),
                }
            }),
        )
        .route(
            "/why",
            get(|outcome: Result<SignedIn, Unauthorized>| async move {
                outcome.map_or_else(|refusal| refusal.to_string(), |s| s.0.sub)
            }),
        )
        .with_state(verifier());
    let (session, machine) = (token(&claims()), m2m_jwt());
    let ok = |body: &str| (StatusCode::OK, None, body.to_owned());

    assert_eq!(get_with(&app, "/me", None).await, unauthorized());
    assert_eq!(get_with(&app, "/me", auth(&machine)).await, unauthorized());
    assert_eq!(get_with(&app, "/me", auth("ak_123")).await, unauthorized());
    assert_eq!(get_with(&app, "/me", auth("not.a.token")).await, unauthorized());
    assert_eq!(get_with(&app, "/me", auth(&session)).await, ok("user_1"));
    assert_eq!(get_with(&app, "/me", Some(("cookie", format!("__session={session}")))).await, ok("user_1"));

    assert_eq!(get_with(&app, "/maybe", None).await, ok("signed out"));
    assert_eq!(get_with(&app, "/maybe", auth(&machine)).await, ok("signed out"));
    assert_eq!(get_with(&app, "/maybe", auth(&session)).await, ok("user_1"));

    assert_eq!(get_with(&app, "/machine", auth(&machine)).await, ok("mch_worker"));
    assert_eq!(get_with(&app, "/machine", auth(&session)).await, unauthorized());
    assert_eq!(get_with(&app, "/machine", None).await, unauthorized());

    assert_eq!(get_with(&app, "/any", auth(&session)).await, ok("user user_1"));
    assert_eq!(get_with(&app, "/any", auth(&machine)).await, ok("machine mch_worker"));

    assert_eq!(get_with(&app, "/why", auth(&machine)).await, ok("signed out: this route does not accept M2M tokens"));
    assert_eq!(get_with(&app, "/why", None).await, ok("signed out: no token"));
}

#[tokio::test]
async fn the_rejecting_layer_lets_through_accepted_tokens_only() {
    let app = Router::new()
        .route(
            "/me",
            get(|Extension(caller): Extension<Principal>| async move {
                match caller {
                    Principal::Session(session) => session.sub,
                    Principal::Machine(machine) => machine.subject,
                }
            }),
        )
        .layer(RequireAuthLayer::new(verifier(), Accepts::SESSION));
    let (session, machine) = (token(&claims()), m2m_jwt());
    assert_eq!(get_with(&app, "/me", None).await, unauthorized());
    assert_eq!(get_with(&app, "/me", auth(&machine)).await, unauthorized());
    assert_eq!(get_with(&app, "/me", auth(&session)).await, (StatusCode::OK, None, "user_1".to_owned()));

    let machines = Router::new()
        .route("/jobs", get(|Extension(caller): Extension<Principal>| async move { format!("{:?}", caller.kind()) }))
        .layer(RequireAuthLayer::new(verifier(), Accepts::M2M));
    assert_eq!(get_with(&machines, "/jobs", auth(&machine)).await, (StatusCode::OK, None, "M2m".to_owned()));
    assert_eq!(get_with(&machines, "/jobs", auth(&session)).await, unauthorized());
}

#[tokio::test]
async fn the_recording_layer_puts_the_auth_state_in_the_request() {
    let describe = |Extension(state): Extension<Arc<AuthState>>| async move {
        match &*state {
            AuthState::SignedIn(session) => session.sub.clone(),
            AuthState::Machine(machine) => machine.subject.clone(),
            AuthState::SignedOut(reason) => reason.to_string(),
        }
    };
    let app = Router::new().route("/me", get(describe)).layer(ClerkAuthLayer::new(verifier()));
    let (session, machine) = (token(&claims()), m2m_jwt());
    let body = async |header| get_with(&app, "/me", header).await.2;
    assert_eq!(body(auth(&session)).await, "user_1");
    assert_eq!(body(Some(("cookie", format!("__session={session}")))).await, "user_1");
    assert_eq!(body(None).await, "signed out: no token");
    assert_eq!(body(auth(&machine)).await, "signed out: this route does not accept M2M tokens");

    let app = Router::new().route("/me", get(describe)).layer(ClerkAuthLayer::new(verifier()).accepts(Accepts::ANY));
    assert_eq!(get_with(&app, "/me", auth(&machine)).await.2, "mch_worker");
}
