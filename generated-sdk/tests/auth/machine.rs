//! Machine tokens: API keys, M2M and OAuth access tokens, opaque ones against a local mock
//! of the verify endpoints and JWTs networklessly, and routes that accept only some kinds.

use std::time::Duration;

use clerk_sdk::auth::{
    Accepts, AuthState, MachineAuth, SignedOutReason, TokenError, TokenKind, TokenVerifier, VerifyOptions,
};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::*;

const API_KEY: &str = "ak_live_0123456789abcdef";
const M2M_TOKEN: &str = "mt_0123456789abcdef";
const OAUTH_TOKEN: &str = "oat_0123456789abcdef";

fn api_key_verification() -> Value {
    json!({
        "object": "api_key", "id": "ak_3beecc9c60adb5f9b850e91a8ee1e992", "type": "api_key",
        "subject": "user_2xhFjEI5X2qWRvtV13BzSj8H6Dk", "name": "MY_SERVICE_API_KEY", "description": null,
        "claims": {"foo": "bar"}, "scopes": ["read", "write"], "revoked": false, "revocation_reason": null,
        "expired": false, "expiration": null, "created_by": null, "last_used_at": null,
        "created_at": 1716883200, "updated_at": 1716883200
    })
}

fn m2m_verification() -> Value {
    json!({
        "object": "machine_to_machine_token", "id": "mt_f7f0ba8c3b4843ce7d85fcdd5e71853e",
        "subject": "mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk", "claims": {"important_metadata": "Some useful data"},
        "scopes": ["mch_2yGkLpQ7Y3rXSwtU24CzTk9I7Em"], "revoked": false, "revocation_reason": null, "expired": false,
        "expiration": 4102444800000.0, "last_used_at": null, "created_at": 1716883200000.0, "updated_at": 1716883200000.0
    })
}

fn oauth_verification() -> Value {
    json!({
        "object": "clerk_idp_oauth_access_token", "id": "oat_0ef5a7a33d87ed87ee7954c845d80450",
        "client_id": "client_2xhFjEI5X2qWRvtV13BzSj8H6Dk", "subject": "user_2xhFjEI5X2qWRvtV13BzSj8H6Dk",
        "scopes": ["read", "write"], "revoked": false, "revocation_reason": null, "expired": false,
        "expiration": null, "created_at": 1716883200, "updated_at": 1716883200
    })
}

/// A mock of the three verify endpoints, each answering for its one known token.
async fn verify_endpoints() -> MockServer {
    let server = MockServer::start().await;
    let endpoints = [
        ("/api_keys/verify", json!({"secret": API_KEY}), api_key_verification()),
        ("/m2m_tokens/verify", json!({"token": M2M_TOKEN}), m2m_verification()),
        ("/oauth_applications/access_tokens/verify", json!({"access_token": OAUTH_TOKEN}), oauth_verification()),
    ];
    for (route, body, answer) in endpoints {
        Mock::given(method("POST"))
            .and(path(route))
            .and(header("authorization", "Bearer sk_test_machines"))
            .and(body_json(body))
            .respond_with(ResponseTemplate::new(200).set_body_json(answer))
            .mount(&server)
            .await;
    }
    let not_found =
        json!({"errors": [{"message": "not found", "long_message": "not found", "code": "resource_not_found"}]});
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(404).set_body_json(not_found)).mount(&server).await;
    server
}

fn client(server: &MockServer) -> clerk_sdk::Client {
    clerk_sdk::Client::builder("sk_test_machines").base_url(server.uri()).build().unwrap()
}

/// Networkless keys, and the mock for opaque tokens.
fn verifier(server: &MockServer, options: VerifyOptions) -> TokenVerifier {
    pem_verifier(options).with_client(client(server))
}

async fn requests(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

fn machine(state: AuthState) -> MachineAuth {
    match state {
        AuthState::Machine(machine) => *machine,
        other => panic!("not a machine: {other:?}"),
    }
}

fn m2m_jwt(header: Value) -> String {
    let payload = json!({
        "iss": ISSUER, "sub": "mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk", "exp": now() + 60, "iat": now() - 1, "nbf": now() - 1,
        "jti": "mt_jwt_1", "scopes": "mch_a mch_b", "region": "eu",
    });
    sign(&header, &payload, &test_key())
}

fn oauth_jwt() -> String {
    let payload = json!({
        "iss": ISSUER, "sub": "user_1", "exp": now() + 60, "iat": now() - 1, "jti": "oat_jwt_1",
        "client_id": "client_1", "scp": ["read", "write"],
    });
    sign(&json!({"alg": "RS256", "kid": "ins_1", "typ": "at+jwt"}), &payload, &test_key())
}

#[tokio::test]
async fn opaque_machine_tokens_authenticate_against_the_verify_endpoints() {
    let server = verify_endpoints().await;
    let verifier = verifier(&server, VerifyOptions::default().machine_token_cache(Duration::ZERO));

    let key = machine(verifier.authenticate_request(&bearer(API_KEY), Accepts::API_KEY).await);
    assert_eq!(
        (key.kind, key.id.as_str(), key.name.as_deref()),
        (TokenKind::ApiKey, "ak_3beecc9c60adb5f9b850e91a8ee1e992", Some("MY_SERVICE_API_KEY"))
    );
    assert_eq!(
        (key.user_id(), key.org_id(), key.scopes.clone()),
        (Some("user_2xhFjEI5X2qWRvtV13BzSj8H6Dk"), None, vec!["read".to_owned(), "write".into()])
    );
    assert_eq!(key.custom::<Value>().unwrap(), json!({"foo": "bar"}));

    let m2m = machine(verifier.authenticate_request(&bearer(M2M_TOKEN), Accepts::M2M).await);
    assert_eq!(
        (m2m.kind, m2m.machine_id(), m2m.scopes.len()),
        (TokenKind::M2m, Some("mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk"), 1)
    );
    assert_eq!(m2m.claims.unwrap()["important_metadata"], "Some useful data");

    let oauth = machine(verifier.authenticate_request(&bearer(OAUTH_TOKEN), Accepts::OAUTH).await);
    assert_eq!(
        (oauth.kind, oauth.client_id.as_deref(), oauth.user_id()),
        (TokenKind::OAuth, Some("client_2xhFjEI5X2qWRvtV13BzSj8H6Dk"), Some("user_2xhFjEI5X2qWRvtV13BzSj8H6Dk"))
    );
    assert_eq!(requests(&server).await, 3);

    // Unknown tokens: the API's 404 is a refusal of its own.
    let unknown = verifier.verify_machine_token("ak_unknown").await.unwrap_err();
    assert!(matches!(unknown, TokenError::UnknownMachineToken), "{unknown}");
    for token in ["mt_unknown", "oat_unknown"] {
        assert!(matches!(verifier.verify_machine_token(token).await, Err(TokenError::UnknownMachineToken)));
    }
}

#[tokio::test]
async fn machine_jwts_verify_networklessly_with_the_instance_keys() {
    let server = verify_endpoints().await;
    let verifier = verifier(&server, VerifyOptions::default());

    let m2m = machine(
        verifier
            .authenticate_request(
                &bearer(&m2m_jwt(json!({"alg": "RS256", "kid": "ins_1", "typ": "JWT", "cat": M2M_CATEGORY}))),
                Accepts::M2M,
            )
            .await,
    );
    assert_eq!(
        (m2m.kind, m2m.id.as_str(), m2m.machine_id()),
        (TokenKind::M2m, "mt_jwt_1", Some("mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk"))
    );
    assert_eq!(
        (m2m.scopes.clone(), m2m.claims.as_ref().unwrap()["region"].clone()),
        (vec!["mch_a".to_owned(), "mch_b".into()], json!("eu"))
    );
    // Minted before token categories.
    assert!(verifier.verify_machine_token(&m2m_jwt(json!({"alg": "RS256", "kid": "ins_1"}))).await.is_ok());

    let oauth = machine(verifier.authenticate_request(&bearer(&oauth_jwt()), Accepts::OAUTH).await);
    assert_eq!(
        (oauth.kind, oauth.id.as_str(), oauth.client_id.as_deref(), oauth.scopes.len()),
        (TokenKind::OAuth, "oat_jwt_1", Some("client_1"), 2)
    );
    assert_eq!(requests(&server).await, 0, "no call to the Backend API");

    // The same checks as for sessions: signature, category, times.
    let foreign = sign(
        &json!({"alg": "RS256", "kid": "ins_1"}),
        &json!({"sub": "mch_1", "exp": now() + 60}),
        &key_pair("test-rsa-private-2.pem"),
    );
    assert!(matches!(verifier.verify_machine_token(&foreign).await, Err(TokenError::InvalidSignature)));
    let session_category = m2m_jwt(json!({"alg": "RS256", "kid": "ins_1", "cat": SESSION_CATEGORY}));
    assert!(matches!(verifier.verify_machine_token(&session_category).await, Err(TokenError::UnexpectedCategory(_))));
    let expired =
        sign(&json!({"alg": "RS256", "typ": "at+jwt"}), &json!({"sub": "user_1", "exp": now() - 60}), &test_key());
    assert!(matches!(verifier.verify_machine_token(&expired).await, Err(TokenError::Expired { .. })));
    assert!(matches!(verifier.verify_machine_token(&token(&claims())).await, Err(TokenError::NotAMachineToken)));
}

#[tokio::test]
async fn a_route_accepts_only_the_kinds_it_names() {
    let server = verify_endpoints().await;
    let verifier = verifier(&server, VerifyOptions::default());
    let session = token(&claims());
    let m2m_jwt = m2m_jwt(json!({"alg": "RS256", "kid": "ins_1", "cat": M2M_CATEGORY}));

    // A session-only route refuses a valid API key, without asking the API about it.
    let state = verifier.authenticate_request(&bearer(API_KEY), Accepts::SESSION).await;
    assert!(matches!(state, AuthState::SignedOut(SignedOutReason::NotAccepted(TokenKind::ApiKey))));
    assert_eq!(state.into_principal().unwrap_err().to_string(), "signed out: this route does not accept API keys");
    assert_eq!(requests(&server).await, 0);
    for (token, kind) in [(M2M_TOKEN, TokenKind::M2m), (OAUTH_TOKEN, TokenKind::OAuth), (&m2m_jwt, TokenKind::M2m)] {
        let state = verifier.authenticate_request(&bearer(token), Accepts::SESSION).await;
        assert!(matches!(state, AuthState::SignedOut(SignedOutReason::NotAccepted(k)) if k == kind), "{token}");
    }
    // A machine-only route refuses a session, and an API-key route an M2M token.
    let state = verifier.authenticate_request(&bearer(&session), Accepts::MACHINE).await;
    assert!(matches!(state, AuthState::SignedOut(SignedOutReason::NotAccepted(TokenKind::Session))));
    let state = verifier.authenticate_request(&bearer(M2M_TOKEN), Accepts::API_KEY).await;
    assert!(matches!(state, AuthState::SignedOut(SignedOutReason::NotAccepted(TokenKind::M2m))));
    assert_eq!(requests(&server).await, 0);

    // A route that accepts both takes either.
    let both = Accepts::SESSION | Accepts::API_KEY;
    assert_eq!(verifier.authenticate_request(&bearer(&session), both).await.claims().unwrap().sub, "user_1");
    assert_eq!(verifier.authenticate_request(&bearer(API_KEY), both).await.machine().unwrap().kind, TokenKind::ApiKey);
    assert!(verifier.authenticate_request(&bearer(&m2m_jwt), Accepts::ANY).await.machine().is_some());
}

#[tokio::test]
async fn opaque_verifications_are_kept_briefly() {
    let server = MockServer::start().await;
    Mock::given(path("/api_keys/verify"))
        .respond_with(ResponseTemplate::new(200).set_body_json(api_key_verification()))
        .expect(1)
        .mount(&server)
        .await;
    let verifier = verifier(&server, VerifyOptions::default().machine_token_cache(Duration::from_secs(3600)));
    for _ in 0..5 {
        assert_eq!(verifier.verify_machine_token(API_KEY).await.unwrap().kind, TokenKind::ApiKey);
    }
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn m2m_tokens_can_be_verified_with_a_machine_secret_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/m2m_tokens/verify"))
        .and(header("authorization", "Bearer ak_machine_secret"))
        .respond_with(ResponseTemplate::new(200).set_body_json(m2m_verification()))
        .mount(&server)
        .await;
    // The machine key, and only it, authenticates M2M calls.
    let verifier = verifier(&server, VerifyOptions::default()).with_machine_secret_key("ak_machine_secret").unwrap();
    assert_eq!(verifier.verify_machine_token(M2M_TOKEN).await.unwrap().kind, TokenKind::M2m);
    let received = server.received_requests().await.unwrap();
    let authorization: Vec<_> = received[0].headers.get_all("authorization").iter().collect();
    assert_eq!(authorization, ["Bearer ak_machine_secret"]);
    assert!(!format!("{verifier:?}").contains("ak_machine_secret"), "the key is not in Debug");
    // Without a client, one is made for the machine key.
    let alone = pem_verifier(VerifyOptions::default()).with_machine_secret_key("ak_machine_secret").unwrap();
    assert!(!format!("{alone:?}").contains("ak_machine_secret"));
    assert!(matches!(
        pem_verifier(VerifyOptions::default()).with_machine_secret_key(" "),
        Err(TokenError::InvalidKey(_))
    ));
}

#[tokio::test]
async fn revoked_expired_and_failing_verifications_are_refused() {
    let server = MockServer::start().await;
    let revoked = with(api_key_verification(), json!({"revoked": true, "revocation_reason": "leaked"}));
    Mock::given(path("/api_keys/verify"))
        .respond_with(ResponseTemplate::new(200).set_body_json(revoked))
        .mount(&server)
        .await;
    let expired = with(m2m_verification(), json!({"expired": true, "expiration": 1716883200000.0}));
    Mock::given(path("/m2m_tokens/verify"))
        .respond_with(ResponseTemplate::new(200).set_body_json(expired))
        .mount(&server)
        .await;
    Mock::given(path("/oauth_applications/access_tokens/verify"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"active": false})))
        .mount(&server)
        .await;
    let verifier = verifier(&server, VerifyOptions::default());
    assert!(matches!(verifier.verify_machine_token(API_KEY).await, Err(TokenError::Revoked)));
    assert!(matches!(
        verifier.verify_machine_token(M2M_TOKEN).await,
        Err(TokenError::Expired { expired_at: 1_716_883_200 })
    ));
    assert!(matches!(verifier.verify_machine_token(OAUTH_TOKEN).await, Err(TokenError::Inactive)));

    let down = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(401)).mount(&down).await;
    let error = self::verifier(&down, VerifyOptions::default()).verify_machine_token(API_KEY).await.unwrap_err();
    assert!(
        matches!(&error, TokenError::Verification(e) if e.status() == Some(http::StatusCode::UNAUTHORIZED)),
        "{error}"
    );
    assert!(!error.to_string().contains(API_KEY), "the token is not in the error: {error}");

    // Without a client, opaque tokens cannot be verified at all.
    assert!(matches!(
        pem_verifier(VerifyOptions::default()).verify_machine_token(API_KEY).await,
        Err(TokenError::NoBackendApi)
    ));
}
