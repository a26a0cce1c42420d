//! Request authentication with a test RSA key: session tokens and what is refused as one,
//! claims as Clerk's SDKs compute them, keys (PEM forms, JWKS caching under concurrency and
//! outages), machine tokens against a mock of the verify endpoints, and axum routes.

mod clerk_fixtures;
mod keys;
mod machine;
#[cfg(feature = "axum")]
mod routes;
mod sessions;

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use clerk_sdk::auth::{TokenVerifier, VerifyOptions};
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair, RsaPublicKeyComponents};
use serde_json::{Value, json};

const ISSUER: &str = "https://clerk.example.com";

/// Clerk's token categories (the `cat` header).
const SESSION_CATEGORY: &str = "cl_B7d4PD111AAA";
const TEMPLATE_CATEGORY: &str = "cl_B7d4PD222AAA";
const M2M_CATEGORY: &str = "cl_B7d4PD333AAA";

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

/// The key tokens are signed with, and the one they are verified with.
fn test_key() -> RsaKeyPair {
    key_pair("test-rsa-private.pem")
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

/// A v1 session token's claims, active in an organization.
fn claims() -> Value {
    json!({
        "sub": "user_1", "sid": "sess_1", "iss": ISSUER, "azp": "https://app.example.com",
        "exp": now() + 60, "nbf": now() - 10, "iat": now() - 10,
        "org_id": "org_1", "org_slug": "engines", "org_role": "org:admin", "org_permissions": ["org:sys_memberships:manage"],
        "custom": {"plan": "pro"}
    })
}

/// `base` with the members of `extra` added or replaced.
fn with(mut base: Value, extra: Value) -> Value {
    base.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    base
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

/// A token with these claims and the header a session token has.
fn token(claims: &Value) -> String {
    sign(&json!({"alg": "RS256", "kid": "ins_1", "typ": "JWT", "cat": SESSION_CATEGORY}), claims, &test_key())
}

fn pem_verifier(options: VerifyOptions) -> TokenVerifier {
    TokenVerifier::with_pem(&fixture("test-rsa-public.pem"), options).unwrap()
}

fn jwk(kid: &str, key: &RsaKeyPair) -> Value {
    let public: RsaPublicKeyComponents<Vec<u8>> = key.public().into();
    json!({"kid": kid, "kty": "RSA", "alg": "RS256", "use": "sig", "n": URL_SAFE_NO_PAD.encode(&public.n), "e": URL_SAFE_NO_PAD.encode(&public.e)})
}

fn request(header: Option<(&str, String)>) -> http::Request<()> {
    let mut builder = http::Request::builder().uri("/dashboard");
    if let Some((name, value)) = header {
        builder = builder.header(name, value);
    }
    builder.body(()).unwrap()
}

fn bearer(token: &str) -> http::Request<()> {
    request(Some(("authorization", format!("Bearer {token}"))))
}
