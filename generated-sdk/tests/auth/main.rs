//! Session token verification with a test RSA key: valid tokens verify, and every kind of
//! bad token is rejected with its own error; JWKS keys are fetched once, cached, and
//! fetched again after a key rotation; requests authenticate by header or cookie.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use clerk_sdk::auth::{AuthState, SignedOutReason, TokenError, TokenVerifier, VerifyOptions};
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair, RsaPublicKeyComponents};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ISSUER: &str = "https://clerk.example.com";

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn pem_body(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD.decode(body).unwrap()
}

fn key_pair(name: &str) -> RsaKeyPair {
    RsaKeyPair::from_pkcs8(&pem_body(&fixture(name))).unwrap()
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

fn claims() -> Value {
    json!({
        "sub": "user_1", "sid": "sess_1", "iss": ISSUER, "azp": "https://app.example.com",
        "exp": now() + 60, "nbf": now() - 10, "iat": now() - 10,
        "org_id": "org_1", "org_slug": "engines", "org_role": "org:admin", "org_permissions": ["org:sys_memberships:manage"],
        "custom": {"plan": "pro"}
    })
}

fn encode(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

fn sign(header: &Value, claims: &Value, key: &RsaKeyPair) -> String {
    let signed = format!("{}.{}", encode(header), encode(claims));
    let mut signature = vec![0; key.public().modulus_len()];
    key.sign(&RSA_PKCS1_SHA256, &ring::rand::SystemRandom::new(), signed.as_bytes(), &mut signature).unwrap();
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature))
}

fn token(claims: &Value) -> String {
    sign(&json!({"alg": "RS256", "kid": "ins_1", "typ": "JWT"}), claims, &key_pair("test-rsa-private.pem"))
}

fn pem_verifier(options: VerifyOptions) -> TokenVerifier {
    TokenVerifier::with_pem(&fixture("test-rsa-public.pem"), options).unwrap()
}

#[tokio::test]
async fn a_valid_token_verifies_with_typed_claims() {
    let verifier =
        pem_verifier(VerifyOptions::default().issuer(ISSUER).authorized_parties(["https://app.example.com"]));
    let claims = verifier.verify(&token(&claims())).await.unwrap();
    assert_eq!((claims.sub.as_str(), claims.sid.as_deref()), ("user_1", Some("sess_1")));
    let org = claims.organization.as_ref().unwrap();
    assert_eq!(
        (org.id.as_str(), org.slug.as_deref(), org.role.as_deref()),
        ("org_1", Some("engines"), Some("org:admin"))
    );
    assert_eq!(org.permissions, ["org:sys_memberships:manage"]);
    assert_eq!(claims.extra["custom"]["plan"], "pro", "unknown claims are kept");

    // The v2 form: `o: {id, slg, rol, per}`, plus features and plans.
    let mut v2 = claims_without_org();
    v2["v"] = json!(2);
    v2["o"] = json!({"id": "org_2", "slg": "two", "rol": "admin", "per": "read,manage"});
    v2["fea"] = json!("o:dashboard");
    v2["pla"] = json!("o:pro");
    let claims = verifier.verify(&token(&v2)).await.unwrap();
    let org = claims.organization.unwrap();
    assert_eq!(
        (org.id.as_str(), org.role.as_deref(), org.permissions),
        ("org_2", Some("admin"), vec!["read".to_owned(), "manage".into()])
    );
    assert_eq!((claims.features.as_deref(), claims.plans.as_deref()), (Some("o:dashboard"), Some("o:pro")));
}

fn claims_without_org() -> Value {
    let mut c = claims();
    for key in ["org_id", "org_slug", "org_role", "org_permissions"] {
        c.as_object_mut().unwrap().remove(key);
    }
    c
}

#[tokio::test]
async fn bad_tokens_are_rejected_with_distinct_errors() {
    let verifier = pem_verifier(
        VerifyOptions::default()
            .issuer(ISSUER)
            .authorized_parties(["https://app.example.com"])
            .clock_skew(Duration::from_secs(5)),
    );
    let with = |key: &str, value: Value| {
        let mut c = claims();
        c[key] = value;
        token(&c)
    };
    let check = async |token: String| verifier.verify(&token).await.unwrap_err();

    assert!(matches!(check(with("exp", json!(now() - 60))).await, TokenError::Expired { .. }));
    assert!(matches!(check(with("nbf", json!(now() + 60))).await, TokenError::NotYetValid { .. }));
    assert!(matches!(check(with("iat", json!(now() + 60))).await, TokenError::IssuedInTheFuture { .. }));
    assert!(matches!(check(with("iss", json!("https://evil.example.com"))).await, TokenError::InvalidIssuer(_)));
    assert!(matches!(check(with("azp", json!("https://evil.example.com"))).await, TokenError::UnauthorizedParty(_)));

    // Within the clock skew is fine.
    assert!(verifier.verify(&with("exp", json!(now() - 2))).await.is_ok());

    // A payload swapped under the original signature.
    let good = token(&claims());
    let parts: Vec<&str> = good.split('.').collect();
    let mut forged = claims();
    forged["sub"] = json!("user_admin");
    let tampered = format!("{}.{}.{}", parts[0], encode(&forged), parts[2]);
    assert!(matches!(check(tampered).await, TokenError::InvalidSignature));

    // Signed with another key.
    let other = sign(&json!({"alg": "RS256", "kid": "ins_1"}), &claims(), &key_pair("test-rsa-private-2.pem"));
    assert!(matches!(check(other).await, TokenError::InvalidSignature));

    // `alg: none`, and HS256 with the public key as the HMAC secret (algorithm confusion).
    let none = format!("{}.{}.", encode(&json!({"alg": "none"})), encode(&claims()));
    assert!(matches!(check(none).await, TokenError::UnsupportedAlgorithm(alg) if alg == "none"));
    let signed = format!("{}.{}", encode(&json!({"alg": "HS256", "kid": "ins_1"})), encode(&claims()));
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, fixture("test-rsa-public.pem").as_bytes());
    let hs256 = format!("{signed}.{}", URL_SAFE_NO_PAD.encode(ring::hmac::sign(&key, signed.as_bytes()).as_ref()));
    assert!(matches!(check(hs256).await, TokenError::UnsupportedAlgorithm(alg) if alg == "HS256"));

    assert!(matches!(check("not-a-jwt".into()).await, TokenError::Malformed(_)));

    // The audience, when one is required.
    let verifier = pem_verifier(VerifyOptions::default().audience(["api://orders"]));
    assert!(matches!(verifier.verify(&token(&claims())).await, Err(TokenError::InvalidAudience)));
    assert!(verifier.verify(&with("aud", json!(["api://orders", "other"]))).await.is_ok());
}

fn jwk(kid: &str, key: &RsaKeyPair) -> Value {
    let public: RsaPublicKeyComponents<Vec<u8>> = key.public().into();
    json!({"kid": kid, "kty": "RSA", "alg": "RS256", "use": "sig", "n": URL_SAFE_NO_PAD.encode(&public.n), "e": URL_SAFE_NO_PAD.encode(&public.e)})
}

#[tokio::test]
async fn jwks_is_fetched_once_cached_and_fetched_again_after_a_rotation() {
    let server = MockServer::start().await;
    let (first, second) = (key_pair("test-rsa-private.pem"), key_pair("test-rsa-private-2.pem"));
    Mock::given(method("GET"))
        .and(path("/jwks"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"keys": [jwk("ins_1", &first)]})))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    let client = clerk_sdk::Client::builder("sk_test_x").base_url(server.uri()).build().unwrap();
    let verifier = TokenVerifier::with_jwks(
        client,
        VerifyOptions::default().jwks_cache(Duration::from_secs(3600), Duration::ZERO),
    );
    for _ in 0..20 {
        verifier.verify(&token(&claims())).await.unwrap();
    }
    assert_eq!(verifier.jwks_fetches(), 1);

    // The instance rotates to a new key: a token with the new kid triggers one refetch.
    Mock::given(method("GET"))
        .and(path("/jwks"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"keys": [jwk("ins_1", &first), jwk("ins_2", &second)]})),
        )
        .mount(&server)
        .await;
    let rotated = sign(&json!({"alg": "RS256", "kid": "ins_2"}), &claims(), &second);
    verifier.verify(&rotated).await.unwrap();
    verifier.verify(&rotated).await.unwrap();
    assert_eq!(verifier.jwks_fetches(), 2);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);

    // A kid the JWKS does not have is an error (after one more look, as the refetch
    // interval here is zero).
    let unknown = sign(&json!({"alg": "RS256", "kid": "ins_unknown"}), &claims(), &second);
    assert!(matches!(verifier.verify(&unknown).await, Err(TokenError::UnknownKey(Some(kid))) if kid == "ins_unknown"));
    assert_eq!(verifier.jwks_fetches(), 3);
}

#[tokio::test]
async fn unknown_kids_cannot_make_the_verifier_hammer_the_api() {
    let server = MockServer::start().await;
    Mock::given(path("/jwks"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"keys": [jwk("ins_1", &key_pair("test-rsa-private.pem"))]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = clerk_sdk::Client::builder("sk_test_x").base_url(server.uri()).build().unwrap();
    let verifier = TokenVerifier::with_jwks(client, VerifyOptions::default());
    verifier.verify(&token(&claims())).await.unwrap();
    for i in 0..10 {
        let forged =
            sign(&json!({"alg": "RS256", "kid": format!("forged_{i}")}), &claims(), &key_pair("test-rsa-private.pem"));
        assert!(matches!(verifier.verify(&forged).await, Err(TokenError::UnknownKey(_))));
    }
    assert_eq!(verifier.jwks_fetches(), 1);
}

fn request(header: Option<(&str, String)>) -> http::Request<()> {
    let mut builder = http::Request::builder().uri("/dashboard");
    if let Some((name, value)) = header {
        builder = builder.header(name, value);
    }
    builder.body(()).unwrap()
}

#[tokio::test]
async fn requests_authenticate_by_bearer_header_or_session_cookie() {
    let verifier = pem_verifier(VerifyOptions::default());
    let token = token(&claims());

    let state = verifier.authenticate_request(&request(Some(("authorization", format!("Bearer {token}"))))).await;
    assert_eq!(state.claims().unwrap().sub, "user_1");

    let cookie = format!("theme=dark; __session={token}; other=1");
    let state = verifier.authenticate_request(&request(Some(("cookie", cookie)))).await;
    assert_eq!(state.claims().unwrap().sid.as_deref(), Some("sess_1"));

    let state = verifier.authenticate_request(&request(None)).await;
    assert!(matches!(state, AuthState::SignedOut(SignedOutReason::NoToken)));

    let state = verifier.authenticate_request(&request(Some(("authorization", "Bearer not.a.token".into())))).await;
    assert!(matches!(state, AuthState::SignedOut(SignedOutReason::InvalidToken(TokenError::Malformed(_)))));

    let state = verifier.authenticate_request(&request(Some(("authorization", "Basic dXNlcjpwYXNz".into())))).await;
    assert!(matches!(state, AuthState::SignedOut(SignedOutReason::NoToken)));
}

#[cfg(feature = "axum")]
#[tokio::test]
async fn an_axum_route_reads_the_auth_state_the_layer_put_in_the_request() {
    use axum::routing::get;
    use axum::{Extension, Router};
    use clerk_sdk::auth::ClerkAuthLayer;
    use std::sync::Arc;
    use tower::ServiceExt;

    let verifier = Arc::new(pem_verifier(VerifyOptions::default()));
    let app = Router::new()
        .route(
            "/me",
            get(|Extension(state): Extension<Arc<AuthState>>| async move {
                match state.claims() {
                    Some(claims) => claims.sub.clone(),
                    None => "signed out".to_owned(),
                }
            }),
        )
        .layer(ClerkAuthLayer::new(verifier));
    let call = async |request: http::Request<axum::body::Body>| {
        let response = app.clone().oneshot(request).await.unwrap();
        let body = axum::body::to_bytes(response.into_body(), 1024).await.unwrap();
        String::from_utf8(body.to_vec()).unwrap()
    };
    let signed_in = http::Request::builder()
        .uri("/me")
        .header("authorization", format!("Bearer {}", token(&claims())))
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(call(signed_in).await, "user_1");
    let by_cookie = http::Request::builder()
        .uri("/me")
        .header("cookie", format!("__session={}", token(&claims())))
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(call(by_cookie).await, "user_1");
    let anonymous = http::Request::builder().uri("/me").body(axum::body::Body::empty()).unwrap();
    assert_eq!(call(anonymous).await, "signed out");
}
