//! The instance's JSON Web Key Set: fetched with the client's own `GET /jwks` call, kept
//! for a while, and fetched again (rate-limited) for a key id it does not have.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

use super::{RsaKey, TokenError, VerifyOptions};
use crate::request::{Call, Operation, RequestOptions};

/// `GET /jwks`: the public keys session tokens are signed with.
const GET_JWKS: Operation = Operation { id: "GetJWKS", method: reqwest::Method::GET, path: "/jwks", auth: true };

/// The body of `GET /jwks`. Keys are read one by one, so that a key of a shape this
/// verifier does not use cannot hide the others.
#[derive(Deserialize)]
struct Jwks {
    #[serde(default)]
    keys: Vec<serde_json::Value>,
}

/// The members of a JSON Web Key that matter for RSA signature keys.
#[derive(Deserialize)]
struct Jwk {
    kid: Option<String>,
    kty: Option<String>,
    #[serde(rename = "use")]
    usage: Option<String>,
    n: Option<String>,
    e: Option<String>,
}

/// The RSA signature keys of a key set, by key id; other keys are left out.
fn rsa_keys(jwks: Jwks) -> HashMap<String, RsaKey> {
    let mut keys = HashMap::new();
    for key in jwks.keys {
        let Ok(key) = serde_json::from_value::<Jwk>(key) else { continue };
        if key.kty.as_deref() != Some("RSA") || key.usage.as_deref().is_some_and(|u| u != "sig") {
            continue;
        }
        let decode = |part: Option<String>| part.and_then(|v| URL_SAFE_NO_PAD.decode(v).ok());
        if let (Some(kid), Some(n), Some(e)) = (key.kid, decode(key.n), decode(key.e)) {
            keys.insert(kid, RsaKey { n, e });
        }
    }
    keys
}

#[derive(Debug, Default)]
struct Cache {
    keys: HashMap<String, RsaKey>,
    fetched_at: Option<Instant>,
}

impl Cache {
    /// The key a token's `kid` names; a token without one may use the only key there is.
    fn lookup(&self, kid: Option<&str>) -> Option<RsaKey> {
        match kid {
            Some(kid) => self.keys.get(kid).cloned(),
            None if self.keys.len() == 1 => self.keys.values().next().cloned(),
            None => None,
        }
    }
}

/// Keys from the JWKS of the instance `client` talks to.
pub(super) struct JwksKeys {
    client: crate::Client,
    cache: Mutex<Cache>,
    fetches: AtomicUsize,
}

impl JwksKeys {
    pub(super) fn new(client: crate::Client) -> Self {
        JwksKeys { client, cache: Mutex::new(Cache::default()), fetches: AtomicUsize::new(0) }
    }

    /// How many times the JWKS was fetched.
    pub(super) fn fetches(&self) -> usize {
        self.fetches.load(Ordering::Relaxed)
    }

    /// The key for `kid`, from the cache while it is fresh, else fetched.
    pub(super) async fn key(&self, kid: Option<&str>, options: &VerifyOptions) -> Result<RsaKey, TokenError> {
        let (cached, fetch) = {
            let cache = self.cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let age = cache.fetched_at.map(|at| at.elapsed());
            let fresh = age.is_some_and(|age| age < options.jwks_ttl);
            let found = cache.lookup(kid).filter(|_| fresh);
            // An unknown kid may be a rotated key: fetch again, but not more often than
            // the refetch interval, so forged kids cannot make us hammer the API.
            let may_refetch = age.is_none_or(|age| age >= options.jwks_refetch_interval);
            (found, !fresh || may_refetch)
        };
        if let Some(key) = cached {
            return Ok(key);
        }
        if !fetch {
            return Err(TokenError::UnknownKey(kid.map(str::to_owned)));
        }
        let call = Call::new(&self.client, &GET_JWKS, GET_JWKS.path.to_owned(), RequestOptions::default());
        let jwks: Jwks = call.send_json().await.map_err(TokenError::Jwks)?;
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let mut cache = self.cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *cache = Cache { keys: rsa_keys(jwks), fetched_at: Some(Instant::now()) };
        cache.lookup(kid).ok_or_else(|| TokenError::UnknownKey(kid.map(str::to_owned)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::time::Duration;
    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    fn jwks(keys: serde_json::Value) -> Jwks {
        serde_json::from_value(json!({ "keys": keys })).unwrap()
    }

    #[test]
    fn only_rsa_signature_keys_with_an_id_and_valid_components_are_kept() {
        let keys = rsa_keys(jwks(json!([
            {"kid": "rsa", "kty": "RSA", "use": "sig", "n": "AQAB", "e": "AQAB"},
            {"kid": "no-use", "kty": "RSA", "n": "AQID", "e": "AQAB"},
            {"kid": "enc", "kty": "RSA", "use": "enc", "n": "AQAB", "e": "AQAB"},
            {"kid": "ec", "kty": "EC", "crv": "P-256", "x": "AQAB", "y": "AQAB"},
            {"kty": "RSA", "n": "AQAB", "e": "AQAB"},
            {"kid": "bad-n", "kty": "RSA", "n": "***", "e": "AQAB"},
            {"kid": 7, "kty": "RSA", "n": "AQAB", "e": "AQAB"},
            "not a key",
        ])));
        let mut kids: Vec<&str> = keys.keys().map(String::as_str).collect();
        kids.sort_unstable();
        assert_eq!(kids, ["no-use", "rsa"]);
        assert_eq!(keys["no-use"], RsaKey { n: vec![1, 2, 3], e: vec![1, 0, 1] });
    }

    #[test]
    fn a_token_without_a_kid_may_use_the_only_key() {
        let key = RsaKey { n: vec![1], e: vec![3] };
        let mut cache = Cache { keys: HashMap::from([("a".to_owned(), key.clone())]), fetched_at: None };
        assert_eq!(
            (cache.lookup(None), cache.lookup(Some("a")), cache.lookup(Some("b"))),
            (Some(key.clone()), Some(key.clone()), None)
        );
        cache.keys.insert("b".to_owned(), key);
        assert_eq!(cache.lookup(None), None);
    }

    #[tokio::test]
    async fn keys_are_fetched_with_the_secret_key_and_api_version() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/v1/jwks"))
            .and(header("authorization", "Bearer sk_test_jwks"))
            .and(header("clerk-api-version", crate::API_VERSION))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"keys": [
                {"kid": "ins_1", "kty": "RSA", "use": "sig", "n": "AQAB", "e": "AQAB"},
            ]})))
            .expect(1)
            .mount(&server)
            .await;
        let client = crate::Client::builder("sk_test_jwks").base_url(format!("{}/v1", server.uri())).build().unwrap();
        let keys = JwksKeys::new(client);
        let options = VerifyOptions::default().jwks_cache(Duration::from_secs(3600), Duration::from_secs(3600));
        assert_eq!(keys.key(Some("ins_1"), &options).await.unwrap(), RsaKey { n: vec![1, 0, 1], e: vec![1, 0, 1] });
        assert!(
            matches!(keys.key(Some("ins_2"), &options).await, Err(TokenError::UnknownKey(Some(kid))) if kid == "ins_2")
        );
        assert_eq!(keys.fetches(), 1);
    }

    #[tokio::test]
    async fn a_failed_fetch_is_a_jwks_error() {
        let server = MockServer::start().await;
        Mock::given(path("/jwks")).respond_with(ResponseTemplate::new(401)).mount(&server).await;
        let client = crate::Client::builder("sk_test_jwks")
            .base_url(server.uri())
            .retry_policy(crate::RetryPolicy::none())
            .build()
            .unwrap();
        let keys = JwksKeys::new(client);
        let error = keys.key(Some("ins_1"), &VerifyOptions::default()).await.unwrap_err();
        assert!(
            matches!(&error, TokenError::Jwks(e) if e.status() == Some(reqwest::StatusCode::UNAUTHORIZED)),
            "{error}"
        );
        assert_eq!(keys.fetches(), 0);
    }
}
