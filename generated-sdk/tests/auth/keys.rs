//! Keys: PEM keys in every form they arrive in, a JWKS document given directly, and the
//! JWKS fetched once under concurrency, again after a rotation, and served stale while the
//! Backend API fails. Fetches are counted at the mock server.

use std::time::Duration;

use clerk_sdk::auth::{TokenError, TokenVerifier, VerifyOptions};
use futures_util::future::join_all;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::*;

async fn fetches(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

fn jwks_response() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"keys": [jwk("ins_1", &test_key())]}))
}

fn jwks_verifier(server: &MockServer, options: VerifyOptions) -> TokenVerifier {
    let client = clerk_sdk::Client::builder("sk_test_x").base_url(server.uri()).build().unwrap();
    TokenVerifier::with_jwks(client, options)
}

/// A token signed by the test key that names `kid`.
fn token_with_kid(kid: &str) -> String {
    sign(&json!({"alg": "RS256", "kid": kid}), &claims(), &test_key())
}

#[tokio::test]
async fn pem_keys_load_in_every_form_they_arrive_in() {
    let pem = fixture("test-rsa-public.pem");
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let forms = [
        ("as downloaded", pem.clone()),
        ("on one line", pem.replace('\n', "")),
        ("with escaped newlines", pem.trim().replace('\n', "\\n")),
        ("quoted, with escaped newlines", format!("\"{}\"", pem.trim().replace('\n', "\\n"))),
        ("with CRLF", pem.replace('\n', "\r\n")),
        ("without header lines", body.clone()),
        (
            "without header lines, wrapped",
            body.as_bytes().chunks(64).map(|c| format!("{}\n", String::from_utf8_lossy(c))).collect(),
        ),
    ];
    let token = token(&claims());
    for (form, text) in forms {
        let verifier =
            TokenVerifier::with_pem(&text, VerifyOptions::default()).unwrap_or_else(|e| panic!("{form}: {e}"));
        assert_eq!(verifier.verify(&token).await.unwrap().sub, "user_1", "{form}");
    }
    for garbage in ["", "not a key", "-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----", "c2stdGVzdA=="] {
        let error = TokenVerifier::with_pem(garbage, VerifyOptions::default()).unwrap_err();
        assert!(matches!(error, TokenError::InvalidKey(_)), "{garbage:?}: {error}");
        assert!(error.to_string().starts_with("invalid key: "), "{error}");
    }
    let private = TokenVerifier::with_pem(&fixture("test-rsa-private.pem"), VerifyOptions::default()).unwrap_err();
    assert_eq!(private.to_string(), "invalid key: a private key: use the instance's PEM public key");
    assert!(!format!("{private:?}").contains("MII"), "the key is not echoed");
}

#[tokio::test]
async fn a_jwks_document_can_be_given_directly() {
    let document = json!({"keys": [jwk("ins_1", &test_key()), {"kid": "ec", "kty": "EC"}]}).to_string();
    let verifier = TokenVerifier::with_jwks_json(&document, VerifyOptions::default()).unwrap();
    assert_eq!(verifier.verify(&token(&claims())).await.unwrap().sub, "user_1");
    assert!(
        matches!(verifier.verify(&token_with_kid("ins_2")).await, Err(TokenError::UnknownKey(Some(kid))) if kid == "ins_2")
    );
    assert_eq!(verifier.jwks_fetches(), 0);
    assert!(matches!(
        TokenVerifier::with_jwks_json("{\"keys\": []}", VerifyOptions::default()),
        Err(TokenError::EmptyJwks)
    ));
    assert!(matches!(
        TokenVerifier::with_jwks_json("not json", VerifyOptions::default()),
        Err(TokenError::InvalidKey(_))
    ));
}

#[tokio::test]
async fn jwks_is_fetched_once_cached_and_fetched_again_after_a_rotation() {
    let server = MockServer::start().await;
    let (first, second) = (test_key(), key_pair("test-rsa-private-2.pem"));
    Mock::given(method("GET"))
        .and(path("/jwks"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"keys": [jwk("ins_1", &first)]})))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    let verifier =
        jwks_verifier(&server, VerifyOptions::default().jwks_cache(Duration::from_secs(3600), Duration::ZERO));
    for _ in 0..20 {
        verifier.verify(&token(&claims())).await.unwrap();
    }
    assert_eq!((verifier.jwks_fetches(), fetches(&server).await), (1, 1));

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
    assert_eq!((verifier.jwks_fetches(), fetches(&server).await), (2, 2));

    // A kid the JWKS does not have is an error (after one more look, as the refetch
    // interval here is zero).
    let unknown = sign(&json!({"alg": "RS256", "kid": "ins_unknown"}), &claims(), &second);
    assert!(matches!(verifier.verify(&unknown).await, Err(TokenError::UnknownKey(Some(kid))) if kid == "ins_unknown"));
    assert_eq!(fetches(&server).await, 3);
}

#[tokio::test]
async fn unknown_kids_cannot_make_the_verifier_hammer_the_api() {
    let server = MockServer::start().await;
    Mock::given(path("/jwks")).respond_with(jwks_response()).expect(1).mount(&server).await;
    let verifier = jwks_verifier(&server, VerifyOptions::default());
    verifier.verify(&token(&claims())).await.unwrap();
    for i in 0..10 {
        assert!(matches!(
            verifier.verify(&token_with_kid(&format!("forged_{i}"))).await,
            Err(TokenError::UnknownKey(_))
        ));
    }
    assert_eq!(fetches(&server).await, 1);
}

#[tokio::test]
async fn fifty_concurrent_verifications_on_a_cold_cache_share_one_fetch() {
    let server = MockServer::start().await;
    Mock::given(path("/jwks")).respond_with(jwks_response()).mount(&server).await;
    let verifier = jwks_verifier(&server, VerifyOptions::default());
    let token = token(&claims());
    let outcomes = join_all((0..50).map(|_| verifier.verify(&token))).await;
    assert!(outcomes.iter().all(Result::is_ok));
    assert_eq!(fetches(&server).await, 1);
}

#[tokio::test]
async fn fifty_concurrent_unknown_kids_make_at_most_one_extra_fetch() {
    let server = MockServer::start().await;
    Mock::given(path("/jwks")).respond_with(jwks_response()).mount(&server).await;
    // Refetching for unknown kids is allowed at once, so only single-flight holds them back.
    let verifier =
        jwks_verifier(&server, VerifyOptions::default().jwks_cache(Duration::from_secs(3600), Duration::ZERO));
    verifier.verify(&token(&claims())).await.unwrap();
    let forged: Vec<String> = (0..50).map(|i| token_with_kid(&format!("forged_{i}"))).collect();
    let outcomes = join_all(forged.iter().map(|t| verifier.verify(t))).await;
    assert!(outcomes.iter().all(|o| matches!(o, Err(TokenError::UnknownKey(_)))));
    assert_eq!(fetches(&server).await, 2);

    // With the default refetch interval, none at all.
    let server = MockServer::start().await;
    Mock::given(path("/jwks")).respond_with(jwks_response()).mount(&server).await;
    let verifier = jwks_verifier(&server, VerifyOptions::default());
    verifier.verify(&token(&claims())).await.unwrap();
    join_all(forged.iter().map(|t| verifier.verify(t))).await;
    assert_eq!(fetches(&server).await, 1);
}

#[tokio::test]
async fn a_failed_refresh_keeps_serving_the_last_good_keys() {
    let server = MockServer::start().await;
    Mock::given(path("/jwks")).respond_with(jwks_response()).up_to_n_times(1).mount(&server).await;
    Mock::given(path("/jwks")).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    // Keys expire at once, so every verification wants a refresh; one attempt per fetch,
    // and an hour's pause after a failure.
    let options = VerifyOptions::default()
        .jwks_cache(Duration::ZERO, Duration::ZERO)
        .jwks_stale(Duration::from_secs(3600), Duration::from_secs(3600))
        .network(Duration::from_secs(5), 1);
    let verifier = jwks_verifier(&server, options);
    let token = token(&claims());
    verifier.verify(&token).await.unwrap();
    assert_eq!(fetches(&server).await, 1);

    // The refresh fails: the last good key is served.
    verifier.verify(&token).await.unwrap();
    assert_eq!(fetches(&server).await, 2);
    // During the pause, no fetch at all; concurrent callers too.
    let outcomes = join_all((0..50).map(|_| verifier.verify(&token))).await;
    assert!(outcomes.iter().all(Result::is_ok));
    assert_eq!(fetches(&server).await, 2);
    // A key the stale set does not have cannot be served.
    assert!(matches!(verifier.verify(&token_with_kid("ins_2")).await, Err(TokenError::JwksUnavailable { .. })));
    assert_eq!((fetches(&server).await, verifier.jwks_fetches()), (2, 1));
}

#[tokio::test]
async fn stale_keys_are_served_for_a_bounded_time_only() {
    let server = MockServer::start().await;
    Mock::given(path("/jwks")).respond_with(jwks_response()).up_to_n_times(1).mount(&server).await;
    Mock::given(path("/jwks")).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    let options = VerifyOptions::default()
        .jwks_cache(Duration::ZERO, Duration::ZERO)
        .jwks_stale(Duration::ZERO, Duration::ZERO)
        .network(Duration::from_secs(5), 2);
    let verifier = jwks_verifier(&server, options);
    let token = token(&claims());
    verifier.verify(&token).await.unwrap();
    let error = verifier.verify(&token).await.unwrap_err();
    assert!(
        matches!(&error, TokenError::Jwks(e) if e.status() == Some(http::StatusCode::SERVICE_UNAVAILABLE)),
        "{error}"
    );
    assert_eq!(fetches(&server).await, 3, "one fetch, then one failed refresh of two attempts");
}

#[tokio::test]
async fn a_jwks_fetch_has_its_own_short_timeout() {
    let server = MockServer::start().await;
    Mock::given(path("/jwks")).respond_with(jwks_response().set_delay(Duration::from_secs(30))).mount(&server).await;
    let verifier = jwks_verifier(&server, VerifyOptions::default().network(Duration::from_millis(200), 1));
    let started = std::time::Instant::now();
    let error = verifier.verify(&token(&claims())).await.unwrap_err();
    assert!(
        matches!(&error, TokenError::Jwks(clerk_sdk::Error::Timeout(limit)) if *limit == Duration::from_millis(200)),
        "{error}"
    );
    assert!(started.elapsed() < Duration::from_secs(10), "not the client's 30 s timeout");
}
