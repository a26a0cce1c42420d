//! Unions against a local mock server: a key set whose key types differ only by constant
//! properties decodes each key as its own type, and a key that fails names its field.

use clerk_sdk::models::{Jwks, JwksKey};
use clerk_sdk::{Client, Error};
use serde_json::{Value, json};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn keys(body: Value) -> Result<Jwks, Error> {
    let server = MockServer::start().await;
    Mock::given(path("/jwks")).respond_with(ResponseTemplate::new(200).set_body_json(body)).mount(&server).await;
    let clerk = Client::builder("sk_test_unions").base_url(server.uri()).build().unwrap();
    clerk.jwks().get_jwks().await
}

fn key(kty: &str, extra: Value) -> Value {
    let mut key = json!({"kid": format!("kid_{kty}"), "alg": "x", "use": "sig", "kty": kty});
    key.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    key
}

#[tokio::test]
async fn each_key_decodes_as_the_type_its_constants_and_fields_name() {
    let body = json!({"keys": [
        key("EC", json!({"crv": "P-256", "x": "ex", "y": "ey"})),
        key("OKP", json!({"crv": "Ed25519", "x": "ox", "d": "od"})),
        key("OKP", json!({"crv": "Ed25519", "x": "ox"})),
        key("RSA", json!({"n": "rn", "e": "AQAB"})),
        key("oct", json!({"k": "secret"})),
        key("OKP", json!({"crv": "X448", "x": "ox"})),
    ]});
    let jwks = keys(body).await.unwrap();
    let keys = jwks.keys.unwrap_or_default();
    // The EC key used to decode as an Ed25519 key (its `crv` and `x` fit) and lose `y`.
    assert!(matches!(&keys[0], JwksKey::JwksEcdsaPublicKey(k) if k.y == "ey"), "{:?}", keys[0]);
    // A private key is a public key with `d`: it keeps `d`.
    assert!(matches!(&keys[1], JwksKey::JwksEd25519PrivateKey(k) if k.d == "od"), "{:?}", keys[1]);
    assert!(matches!(&keys[2], JwksKey::JwksEd25519PublicKey(_)), "{:?}", keys[2]);
    assert!(matches!(&keys[3], JwksKey::JwksRsaPublicKey(k) if k.n == "rn"), "{:?}", keys[3]);
    assert!(matches!(&keys[4], JwksKey::JwksSymmetricKey(k) if k.k == "secret"), "{:?}", keys[4]);
    // A curve this version does not know is kept as sent, not forced into a known type.
    assert!(matches!(&keys[5], JwksKey::Unknown(v) if v["crv"] == "X448"), "{:?}", keys[5]);
}

#[tokio::test]
async fn a_key_of_a_known_type_that_does_not_decode_names_the_field_inside_it() {
    let body = json!({"keys": [key("RSA", json!({"n": "rn", "e": "AQAB"})), key("RSA", json!({"n": 7, "e": "AQAB"}))]});
    let Err(Error::Decode { error, .. }) = keys(body).await else { panic!("an RSA key with a numeric `n` decoded") };
    assert_eq!((error.path(), error.message()), ("keys[1].n", "invalid type: integer `7`, expected a string"));
    let body = json!({"keys": [key("EC", json!({"crv": "P-256", "x": "ex"}))]});
    let Err(Error::Decode { error, .. }) = keys(body).await else { panic!("an EC key without `y` decoded") };
    assert_eq!(error.path(), "keys[0].y");
}
