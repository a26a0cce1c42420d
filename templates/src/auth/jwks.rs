//! The instance's JSON Web Key Set, fetched with the runtime's own `GET /jwks` call.
//!
//! Keys are kept for a while and fetched again, rate-limited, for a key id the set does
//! not have (a key rotation). One fetch runs at a time: concurrent callers share it, and
//! while a refresh runs or after it failed, the last good keys keep being served for a
//! bounded time, with a growing pause between failed fetches. The fetch has its own short
//! timeout and retry budget, so that authentication does not wait out the client's.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

use super::{RsaKey, TokenError, VerifyOptions};
use crate::request::{Call, Operation};

/// `GET /jwks`: the public keys session tokens are signed with.
const GET_JWKS: Operation = Operation { id: "GetJWKS", method: reqwest::Method::GET, path: "/jwks", auth: true };

/// The longest pause between two failed fetches.
const MAX_FAILURE_BACKOFF: Duration = Duration::from_secs(60);

/// A JSON Web Key Set. Keys are read one by one, so that a key of a shape this verifier
/// does not use cannot hide the others.
#[derive(Deserialize)]
pub(super) struct Jwks {
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
pub(super) fn rsa_keys(jwks: Jwks) -> HashMap<String, RsaKey> {
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

/// The key a token's `kid` names; a token without one may use the only key there is.
pub(super) fn lookup(keys: &HashMap<String, RsaKey>, kid: Option<&str>) -> Option<RsaKey> {
    match kid {
        Some(kid) => keys.get(kid).cloned(),
        None if keys.len() == 1 => keys.values().next().cloned(),
        None => None,
    }
}

/// The pause after `failures` failed fetches in a row: `base`, doubling, at most a minute.
fn backoff(base: Duration, failures: u32) -> Duration {
    let doublings = failures.saturating_sub(1).min(16);
    base.saturating_mul(1 << doublings).min(MAX_FAILURE_BACKOFF.max(base))
}

#[derive(Debug, Default)]
struct Cache {
    keys: HashMap<String, RsaKey>,
    /// When the keys were fetched.
    fetched_at: Option<Instant>,
    /// Fetches finished, successful or not: a caller that waited for another's fetch
    /// sees it changed and uses that fetch's outcome.
    attempts: u64,
    /// Failed fetches in a row.
    failures: u32,
    /// No fetch starts before this, after a failure.
    retry_at: Option<Instant>,
}

/// What a caller does, given the cache.
#[derive(Debug)]
enum Plan {
    /// Verify with this key.
    Use(RsaKey),
    /// Fetch, falling back to this (stale) key if the fetch fails or another caller is
    /// fetching.
    Fetch { fallback: Option<RsaKey> },
    /// Refuse the token.
    Refuse(TokenError),
}

impl Cache {
    /// How old the keys are, if there are any.
    fn age(&self, now: Instant) -> Option<Duration> {
        self.fetched_at.map(|at| now.saturating_duration_since(at))
    }

    /// Whether keys this old may still be served while fetching fails.
    fn servable(&self, now: Instant, options: &VerifyOptions) -> bool {
        self.age(now).is_some_and(|age| age < options.jwks_ttl.saturating_add(options.jwks_max_stale))
    }

    fn unavailable(&self, now: Instant) -> TokenError {
        TokenError::JwksUnavailable {
            retry_in: self.retry_at.map_or(Duration::ZERO, |at| at.saturating_duration_since(now)),
        }
    }

    fn plan(&self, kid: Option<&str>, now: Instant, options: &VerifyOptions) -> Plan {
        let age = self.age(now);
        let fresh = age.is_some_and(|age| age < options.jwks_ttl);
        let backing_off = self.retry_at.is_some_and(|at| now < at);
        match (fresh, lookup(&self.keys, kid)) {
            (true, Some(key)) => Plan::Use(key),
            // An unknown kid may be a rotated key: fetch again, but not more often than
            // the refetch interval, so that forged kids cannot make us hammer the API.
            (true, None) if !backing_off && age.is_some_and(|age| age >= options.jwks_refetch_interval) => {
                Plan::Fetch { fallback: None }
            }
            (true, None) => Plan::Refuse(TokenError::UnknownKey(kid.map(str::to_owned))),
            (false, found) => match (backing_off, found.filter(|_| self.servable(now, options))) {
                (false, fallback) => Plan::Fetch { fallback },
                (true, Some(stale)) => Plan::Use(stale),
                (true, None) => Plan::Refuse(self.unavailable(now)),
            },
        }
    }

    /// The outcome for a caller that waited while another fetched: never a second fetch.
    fn settled(&self, kid: Option<&str>, now: Instant, options: &VerifyOptions) -> Result<RsaKey, TokenError> {
        match lookup(&self.keys, kid) {
            Some(key) if self.servable(now, options) => Ok(key),
            _ if self.failures > 0 => Err(self.unavailable(now)),
            _ => Err(TokenError::UnknownKey(kid.map(str::to_owned))),
        }
    }

    fn succeeded(&mut self, keys: HashMap<String, RsaKey>, now: Instant) {
        *self = Cache { keys, fetched_at: Some(now), attempts: self.attempts + 1, failures: 0, retry_at: None };
    }

    /// A failed fetch keeps the keys there were.
    fn failed(&mut self, now: Instant, base_backoff: Duration) {
        self.attempts += 1;
        self.failures = self.failures.saturating_add(1);
        // A pause too long for the clock to represent is cut to the longest default one.
        let pause = backoff(base_backoff, self.failures);
        self.retry_at = Some(now.checked_add(pause).unwrap_or(now + MAX_FAILURE_BACKOFF));
    }
}

/// Keys from the JWKS of the instance `client` talks to.
pub(super) struct JwksKeys {
    client: crate::Client,
    cache: Mutex<Cache>,
    /// Held by the one caller that is fetching.
    flight: tokio::sync::Mutex<()>,
    fetches: AtomicUsize,
}

impl JwksKeys {
    pub(super) fn new(client: crate::Client) -> Self {
        JwksKeys {
            client,
            cache: Mutex::new(Cache::default()),
            flight: tokio::sync::Mutex::new(()),
            fetches: AtomicUsize::new(0),
        }
    }

    /// How many fetches succeeded.
    pub(super) fn fetches(&self) -> usize {
        self.fetches.load(Ordering::Relaxed)
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The key for `kid`: cached, fetched, or (while fetching fails) stale.
    pub(super) async fn key(&self, kid: Option<&str>, options: &VerifyOptions) -> Result<RsaKey, TokenError> {
        let (plan, seen) = {
            let cache = self.cache();
            (cache.plan(kid, Instant::now(), options), cache.attempts)
        };
        let fallback = match plan {
            Plan::Use(key) => return Ok(key),
            Plan::Refuse(error) => return Err(error),
            Plan::Fetch { fallback } => fallback,
        };
        let _flight = match (self.flight.try_lock(), fallback.clone()) {
            (Ok(flight), _) => flight,
            // Another caller is fetching: serve the stale key meanwhile, or wait for it.
            (Err(_), Some(stale)) => return Ok(stale),
            (Err(_), None) => self.flight.lock().await,
        };
        {
            let cache = self.cache();
            if cache.attempts != seen {
                return cache.settled(kid, Instant::now(), options);
            }
        }
        let call = Call::new(self.client.clone(), &GET_JWKS, GET_JWKS.path.to_owned(), options.backend_call());
        let fetched = call.send_json::<Jwks>().await.map(rsa_keys);
        let mut cache = self.cache();
        let now = Instant::now();
        match fetched {
            Ok(keys) if !keys.is_empty() => {
                self.fetches.fetch_add(1, Ordering::Relaxed);
                cache.succeeded(keys, now);
                lookup(&cache.keys, kid).ok_or_else(|| TokenError::UnknownKey(kid.map(str::to_owned)))
            }
            outcome => {
                cache.failed(now, options.jwks_failure_backoff);
                match (fallback, outcome) {
                    (Some(stale), _) => Ok(stale),
                    (None, Ok(_)) => Err(TokenError::EmptyJwks),
                    (None, Err(error)) => Err(TokenError::Jwks(error)),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    fn jwks(keys: serde_json::Value) -> Jwks {
        serde_json::from_value(json!({ "keys": keys })).unwrap()
    }

    fn key(n: u8) -> RsaKey {
        RsaKey { n: vec![n], e: vec![1, 0, 1] }
    }

    const MINUTE: Duration = Duration::from_secs(60);

    /// TTL 10 min, refetch 1 min, stale for 30 min more, backoff from 5 s.
    fn options() -> VerifyOptions {
        VerifyOptions::default().jwks_cache(10 * MINUTE, MINUTE).jwks_stale(30 * MINUTE, Duration::from_secs(5))
    }

    /// A cache fetched at `t0` holding key `a`.
    fn cache_at(t0: Instant) -> Cache {
        Cache { keys: HashMap::from([("a".to_owned(), key(1))]), fetched_at: Some(t0), attempts: 1, ..Cache::default() }
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
        let mut keys = HashMap::from([("a".to_owned(), key(1))]);
        assert_eq!(
            (lookup(&keys, None), lookup(&keys, Some("a")), lookup(&keys, Some("b"))),
            (Some(key(1)), Some(key(1)), None)
        );
        keys.insert("b".to_owned(), key(2));
        assert_eq!(lookup(&keys, None), None);
    }

    #[test]
    fn failed_fetches_back_off_doubling_up_to_a_minute() {
        let base = Duration::from_secs(5);
        let pauses: Vec<u64> = (1..=6).map(|n| backoff(base, n).as_secs()).collect();
        assert_eq!(pauses, [5, 10, 20, 40, 60, 60]);
        assert_eq!(backoff(base, u32::MAX), MINUTE);
        assert_eq!(backoff(Duration::from_secs(90), 3), Duration::from_secs(90), "a base above the cap is kept");
        let t0 = Instant::now();
        let mut cache = Cache::default();
        cache.failed(t0, Duration::MAX);
        assert_eq!(cache.retry_at, Some(t0 + MINUTE), "a pause too long to represent is cut");
    }

    #[test]
    fn fresh_keys_are_used_and_unknown_kids_refetch_at_most_once_per_interval() {
        let t0 = Instant::now();
        let cache = cache_at(t0);
        let options = options();
        assert!(matches!(cache.plan(Some("a"), t0 + 9 * MINUTE, &options), Plan::Use(k) if k == key(1)));
        assert!(matches!(cache.plan(Some("b"), t0 + MINUTE / 2, &options), Plan::Refuse(TokenError::UnknownKey(_))));
        assert!(matches!(cache.plan(Some("b"), t0 + MINUTE, &options), Plan::Fetch { fallback: None }));
        assert!(matches!(Cache::default().plan(Some("a"), t0, &options), Plan::Fetch { fallback: None }));
    }

    #[test]
    fn expired_keys_are_refreshed_and_served_stale_within_the_bound() {
        let t0 = Instant::now();
        let mut cache = cache_at(t0);
        let options = options();
        assert!(
            matches!(cache.plan(Some("a"), t0 + 10 * MINUTE, &options), Plan::Fetch { fallback: Some(k) } if k == key(1))
        );
        assert!(matches!(cache.plan(Some("a"), t0 + 40 * MINUTE, &options), Plan::Fetch { fallback: None }));
        assert!(matches!(cache.plan(Some("b"), t0 + 10 * MINUTE, &options), Plan::Fetch { fallback: None }));

        // A failed refresh: stale keys are served without fetching until the backoff ends.
        let failed_at = t0 + 11 * MINUTE;
        cache.failed(failed_at, options.jwks_failure_backoff);
        assert!(
            matches!(cache.plan(Some("a"), failed_at + Duration::from_secs(4), &options), Plan::Use(k) if k == key(1))
        );
        assert!(matches!(
            cache.plan(Some("b"), failed_at + Duration::from_secs(4), &options),
            Plan::Refuse(TokenError::JwksUnavailable { retry_in }) if retry_in == Duration::from_secs(1)
        ));
        assert!(matches!(
            cache.plan(Some("a"), failed_at + Duration::from_secs(5), &options),
            Plan::Fetch { fallback: Some(_) }
        ));
        // A second failure doubles the pause.
        cache.failed(failed_at + Duration::from_secs(5), options.jwks_failure_backoff);
        assert_eq!(cache.retry_at, Some(failed_at + Duration::from_secs(15)));
        // A success resets it.
        cache.succeeded(HashMap::from([("b".to_owned(), key(2))]), t0 + 12 * MINUTE);
        assert_eq!((cache.failures, cache.retry_at, cache.attempts), (0, None, 4));
        assert!(matches!(cache.plan(Some("b"), t0 + 13 * MINUTE, &options), Plan::Use(k) if k == key(2)));
    }

    #[test]
    fn a_caller_that_waited_for_a_fetch_takes_its_outcome() {
        let t0 = Instant::now();
        let options = options();
        let mut cache = cache_at(t0);
        assert_eq!(cache.settled(Some("a"), t0, &options).unwrap(), key(1));
        assert!(matches!(cache.settled(Some("b"), t0, &options), Err(TokenError::UnknownKey(Some(kid))) if kid == "b"));
        cache.failed(t0, options.jwks_failure_backoff);
        assert!(matches!(cache.settled(Some("b"), t0, &options), Err(TokenError::JwksUnavailable { .. })));
        assert!(matches!(
            cache.settled(Some("a"), t0 + 41 * MINUTE, &options),
            Err(TokenError::JwksUnavailable { .. })
        ));
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
    async fn a_failed_fetch_is_a_jwks_error_and_an_empty_set_is_its_own() {
        let server = MockServer::start().await;
        Mock::given(path("/jwks")).respond_with(ResponseTemplate::new(401)).up_to_n_times(1).mount(&server).await;
        Mock::given(path("/jwks"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"keys": []})))
            .mount(&server)
            .await;
        let client = crate::Client::builder("sk_test_jwks").base_url(server.uri()).build().unwrap();
        let keys = JwksKeys::new(client);
        let options = VerifyOptions::default().jwks_stale(Duration::ZERO, Duration::ZERO);
        let error = keys.key(Some("ins_1"), &options).await.unwrap_err();
        assert!(
            matches!(&error, TokenError::Jwks(e) if e.status() == Some(reqwest::StatusCode::UNAUTHORIZED)),
            "{error}"
        );
        assert!(matches!(keys.key(Some("ins_1"), &options).await, Err(TokenError::EmptyJwks)));
        assert_eq!(keys.fetches(), 0);
        assert_eq!(server.received_requests().await.unwrap().len(), 2, "a 401 is not retried");
    }
}
