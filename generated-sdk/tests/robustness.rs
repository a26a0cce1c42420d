//! Property tests of untrusted input: arbitrary bytes and header values fed to webhook
//! verification, to session token verification and to the decoding of large response types (envelope pages and unions
//! picked by constants too) never panic. Test builds have overflow checks on, so an
//! overflow is a failure here. Each property runs a fixed number of cases from a fixed
//! seed, and prints how many.

use std::fmt::Debug;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clerk_sdk::List;
use clerk_sdk::models::{Client, Jwks, Organization, User};
use clerk_sdk::webhooks::Webhook;
use http::{HeaderMap, HeaderValue};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// Runs `property` on `cases` values of `strategy`; a panic fails the test, shrunk.
fn check<S: Strategy>(name: &str, cases: u32, strategy: S, property: impl Fn(S::Value))
where
    S::Value: Debug,
{
    let config = Config { cases, failure_persistence: None, ..Config::default() };
    let mut runner = TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    runner
        .run(&strategy, |value| {
            property(value);
            Ok(())
        })
        .unwrap_or_else(|failure| panic!("{name}: {failure}"));
    println!("{name}: {cases} cases passed");
}

fn at(seconds: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(seconds)
}

/// A timestamp as a sender might write it: any integer, any text, or near now.
fn timestamp() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|t| t.to_string()),
        any::<String>(),
        (1_700_000_000i64..1_700_000_600).prop_map(|t| format!(" {t} ")),
        Just(i64::MIN.to_string()),
        Just(format!("{}0", u64::MAX)),
    ]
}

/// A key set with a key of each kind its union tells apart by constants.
const JWKS: &str = r#"{"keys": [
    {"kid": "a", "alg": "RS256", "use": "sig", "kty": "RSA", "n": "n", "e": "AQAB"},
    {"kid": "b", "alg": "ES256", "use": "sig", "kty": "EC", "crv": "P-256", "x": "x", "y": "y"},
    {"kid": "c", "alg": "EdDSA", "use": "sig", "kty": "OKP", "crv": "Ed25519", "x": "x", "d": "d"}
]}"#;

fn user_fixture() -> String {
    std::fs::read_to_string(format!("{}/tests/fixtures/user.json", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// A valid body with bytes overwritten, inserted or cut off: mostly near-valid JSON.
fn mutated(base: String) -> impl Strategy<Value = Vec<u8>> {
    let len = base.len();
    (vec((0..len, any::<u8>(), any::<bool>()), 0..6), 0..=len).prop_map(move |(edits, cut)| {
        let mut bytes = base.clone().into_bytes();
        for (at, byte, insert) in edits {
            let at = at.min(bytes.len().saturating_sub(1));
            if insert { bytes.insert(at, byte) } else { bytes[at] = byte }
        }
        bytes.truncate(cut.max(len / 2));
        bytes
    })
}

/// Decodes into a few large types; every error names a path and displays.
fn decode_all(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for error in [
        clerk_sdk::decode::<User>(&text).err(),
        clerk_sdk::decode::<Vec<User>>(&text).err(),
        clerk_sdk::decode::<Organization>(&text).err(),
        clerk_sdk::decode::<Client>(&text).err(),
        clerk_sdk::decode::<List<User>>(&text).err(),
        clerk_sdk::decode::<Jwks>(&text).err(),
    ]
    .into_iter()
    .flatten()
    {
        assert!(!error.path().is_empty());
        let _ = error.to_string();
    }
}

#[test]
fn webhook_verification_of_arbitrary_parts_never_panics() {
    let webhook = Webhook::new(SECRET).unwrap();
    let parts = (any::<String>(), timestamp(), any::<String>(), vec(any::<u8>(), 0..256), 0..=u64::MAX / 4);
    check("webhook parts", 2000, parts, |(id, timestamp, signatures, body, now)| {
        let result = webhook.verify_parts(&id, &timestamp, &signatures, &body, at(now));
        assert!(result.is_err(), "an unsigned message verified");
    });
}

#[test]
fn webhook_headers_of_arbitrary_bytes_never_panic() {
    let webhook = Webhook::new(SECRET).unwrap();
    let header = || vec(any::<u8>(), 0..48);
    let parts = (header(), header(), header(), vec(any::<u8>(), 0..128));
    check("webhook headers", 1000, parts, |(id, timestamp, signature, body)| {
        let mut headers = HeaderMap::new();
        for (name, value) in [("svix-id", id), ("svix-timestamp", timestamp), ("svix-signature", signature)] {
            if let Ok(value) = HeaderValue::from_bytes(&value) {
                headers.insert(name, value);
            }
        }
        assert!(webhook.verify_at(&headers, &body, at(1_700_000_000)).is_err());
    });
}

#[test]
fn signed_webhooks_with_arbitrary_bodies_never_panic() {
    let webhook = Webhook::new(SECRET).unwrap();
    let event = r#"{"type": "user.created", "object": "event", "timestamp": 1, "data": USER}"#;
    let body = event.replace("USER", &user_fixture());
    let bodies = prop_oneof![vec(any::<u8>(), 0..256), mutated(body)];
    check("signed webhook bodies", 500, bodies, |body| {
        let mut headers = HeaderMap::new();
        headers.insert("svix-id", HeaderValue::from_static("msg_1"));
        headers.insert("svix-timestamp", HeaderValue::from_static("1700000000"));
        headers.insert("svix-signature", webhook.sign("msg_1", 1_700_000_000, &body).parse().unwrap());
        if let Ok(event) = webhook.verify_at(&headers, &body, at(1_700_000_000)) {
            let _ = event.data_as::<User>();
        }
    });
}

#[test]
fn decoding_arbitrary_and_damaged_bodies_never_panics() {
    check("arbitrary bodies", 1000, vec(any::<u8>(), 0..512), |bytes| decode_all(&bytes));
    check("damaged user bodies", 500, mutated(user_fixture()), |bytes| decode_all(&bytes));
    let page = format!(r#"{{"data": [{}], "total_count": 1}}"#, user_fixture());
    check("damaged envelope pages", 200, mutated(page), |bytes| decode_all(&bytes));
    check("damaged key sets", 300, mutated(JWKS.to_owned()), |bytes| decode_all(&bytes));
    let brackets = vec(prop_oneof![Just(b'['), Just(b'{'), Just(b']'), Just(b'}'), Just(b'"'), Just(b',')], 0..6000);
    check("bracket soup", 100, brackets, |bytes| decode_all(&bytes));
}

/// Session tokens, damaged or made up, and request headers of arbitrary bytes, fed to a
/// verifier that trusts the test key: each is accepted or refused, never a panic.
#[cfg(feature = "testing")]
#[test]
fn token_verification_of_arbitrary_and_damaged_tokens_never_panics() {
    use base64::Engine as _;
    use clerk_sdk::auth::{Accepts, VerifyOptions};
    use clerk_sdk::testing::{self, SessionToken};

    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let verifier = testing::verifier(VerifyOptions::default());
    let token = SessionToken::new("user_1").sign();
    let now = SystemTime::now();
    let b64 = |bytes: Vec<u8>| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let parts = (vec(any::<u8>(), 0..96), vec(any::<u8>(), 0..96), vec(any::<u8>(), 0..96));
    let tokens = prop_oneof![
        mutated(token).prop_map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
        any::<String>(),
        parts.prop_map(move |(h, c, s)| format!("{}.{}.{}", b64(h), b64(c), b64(s))),
    ];
    check("session tokens", 1000, tokens, |token| {
        runtime.block_on(async {
            let _ = verifier.verify_at(&token, now).await;
            let _ = verifier.authenticate_token(&token, Accepts::SESSION).await;
        });
    });
    let header = || vec(any::<u8>(), 0..96);
    check("authorization and cookie headers", 1000, (header(), header()), |(authorization, cookie)| {
        let mut headers = HeaderMap::new();
        for (name, value) in [("authorization", authorization), ("cookie", cookie)] {
            if let Ok(value) = HeaderValue::from_bytes(&value) {
                headers.insert(name, value);
            }
        }
        runtime.block_on(async {
            let _ = verifier.authenticate_headers(&headers, Accepts::SESSION).await;
        });
    });
}
