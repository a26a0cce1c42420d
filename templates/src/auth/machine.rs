//! Machine tokens: API keys, M2M tokens and OAuth access tokens. Their JWT forms are
//! verified networklessly with the instance's keys; opaque ones with the Backend API's
//! verify endpoints, and the answers are kept briefly.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::header::{AUTHORIZATION, HeaderValue};
use serde::Deserialize;

use super::jwt::{Claims, Verified};
use super::{TokenError, TokenKind};
use crate::request::{Call, Operation};
use crate::{Client, SecretKey};

/// `POST /api_keys/verify`.
const VERIFY_API_KEY: Operation =
    Operation { id: "verifyApiKey", method: reqwest::Method::POST, path: "/api_keys/verify", auth: true };
/// `POST /m2m_tokens/verify`, authenticated with the client's secret key.
const VERIFY_M2M_TOKEN: Operation =
    Operation { id: "verifyM2MToken", method: reqwest::Method::POST, path: "/m2m_tokens/verify", auth: true };
/// `POST /m2m_tokens/verify`, authenticated with a machine secret key instead.
const VERIFY_M2M_TOKEN_AS_MACHINE: Operation = Operation { auth: false, ..VERIFY_M2M_TOKEN };
/// `POST /oauth_applications/access_tokens/verify`.
const VERIFY_OAUTH_TOKEN: Operation = Operation {
    id: "verifyOAuthAccessToken",
    method: reqwest::Method::POST,
    path: "/oauth_applications/access_tokens/verify",
    auth: true,
};

/// The most verified opaque tokens kept at once.
const CACHE_CAPACITY: usize = 10_000;

/// A verified machine token.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MachineAuth {
    /// Which kind of machine token: [`TokenKind::ApiKey`], [`TokenKind::M2m`] or
    /// [`TokenKind::OAuth`].
    pub kind: TokenKind,
    /// The token's id (`ak_…`, `mt_…`, `oat_…`; the `jti` of a JWT).
    pub id: String,
    /// Who the token acts for: a user (`user_…`), an organization (`org_…`) or a machine
    /// (`mch_…`).
    pub subject: String,
    /// The scopes granted.
    pub scopes: Vec<String>,
    /// The custom claims the token was created with (API keys and M2M tokens).
    pub claims: Option<Claims>,
    /// The API key's name.
    pub name: Option<String>,
    /// The OAuth application's client id.
    pub client_id: Option<String>,
    /// When the token expires, if it does.
    pub expires_at: Option<SystemTime>,
}

impl MachineAuth {
    /// The user the token acts for.
    pub fn user_id(&self) -> Option<&str> {
        Some(self.subject.as_str()).filter(|s| s.starts_with("user_"))
    }

    /// The organization the token acts for.
    pub fn org_id(&self) -> Option<&str> {
        Some(self.subject.as_str()).filter(|s| s.starts_with("org_"))
    }

    /// The machine the token acts for.
    pub fn machine_id(&self) -> Option<&str> {
        Some(self.subject.as_str()).filter(|s| s.starts_with("mch_"))
    }

    /// The custom claims as your own type (`null` when there are none).
    pub fn custom<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        T::deserialize(&self.claims.clone().map_or(serde_json::Value::Null, serde_json::Value::Object))
    }
}

/// Claims an M2M JWT always has; the others are its custom claims.
const M2M_STRUCTURAL_CLAIMS: [&str; 6] = ["iss", "sub", "exp", "nbf", "iat", "jti"];

fn at_seconds(seconds: i64) -> Option<SystemTime> {
    UNIX_EPOCH.checked_add(Duration::from_secs(u64::try_from(seconds).ok()?))
}

fn at_millis(millis: Option<f64>) -> Option<SystemTime> {
    let millis = millis.filter(|m| m.is_finite() && *m >= 0.0)?;
    UNIX_EPOCH.checked_add(Duration::try_from_secs_f64(millis / 1000.0).ok()?)
}

fn words(text: Option<&str>) -> Option<Vec<String>> {
    text.map(|t| t.split(' ').filter(|w| !w.is_empty()).map(str::to_owned).collect())
}

fn strings(value: Option<&serde_json::Value>) -> Option<Vec<String>> {
    value?.as_array().map(|list| list.iter().filter_map(|v| v.as_str()).map(str::to_owned).collect())
}

/// An M2M token from its verified JWT: scopes from `scopes` (space-separated), else `aud`.
pub(super) fn m2m_from_jwt(verified: Verified) -> MachineAuth {
    let Verified { registered, claims } = verified;
    let scopes = words(claims.get("scopes").and_then(|s| s.as_str())).or_else(|| strings(claims.get("aud")));
    let custom: Claims = claims
        .iter()
        .filter(|(k, _)| !M2M_STRUCTURAL_CLAIMS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    MachineAuth {
        kind: TokenKind::M2m,
        id: claims.get("jti").and_then(|v| v.as_str()).unwrap_or_default().to_owned(),
        subject: registered.sub,
        scopes: scopes.unwrap_or_default(),
        claims: Some(custom).filter(|c| !c.is_empty()),
        name: None,
        client_id: None,
        expires_at: at_seconds(registered.exp),
    }
}

/// An OAuth access token from its verified JWT: scopes from `scp`, else `scope`.
pub(super) fn oauth_from_jwt(verified: Verified) -> MachineAuth {
    let Verified { registered, claims } = verified;
    let text = |name: &str| claims.get(name).and_then(|v| v.as_str()).map(str::to_owned);
    let scopes = strings(claims.get("scp")).or_else(|| words(claims.get("scope").and_then(|s| s.as_str())));
    MachineAuth {
        kind: TokenKind::OAuth,
        id: text("jti").unwrap_or_default(),
        subject: registered.sub,
        scopes: scopes.unwrap_or_default(),
        claims: None,
        name: None,
        client_id: text("client_id"),
        expires_at: at_seconds(registered.exp),
    }
}

/// What the verify endpoints answer (the union of their bodies; each sets its own part).
#[derive(Deserialize)]
struct Verification {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    subject: Option<String>,
    #[serde(default)]
    scopes: Option<Vec<String>>,
    #[serde(default)]
    claims: Option<serde_json::Value>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    client_id: Option<String>,
    #[serde(default)]
    revoked: bool,
    #[serde(default)]
    expired: bool,
    /// Milliseconds since the epoch.
    #[serde(default)]
    expiration: Option<f64>,
    /// `false` for an OAuth access token that is no longer active.
    #[serde(default)]
    active: Option<bool>,
}

impl Verification {
    fn into_auth(self, kind: TokenKind) -> Result<MachineAuth, TokenError> {
        if self.active == Some(false) {
            return Err(TokenError::Inactive);
        }
        if self.revoked {
            return Err(TokenError::Revoked);
        }
        let expires_at = at_millis(self.expiration);
        if self.expired {
            let seconds = expires_at.and_then(|at| at.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_secs());
            return Err(TokenError::Expired { expired_at: i64::try_from(seconds).unwrap_or(i64::MAX) });
        }
        let (Some(id), Some(subject)) = (self.id, self.subject) else {
            return Err(TokenError::Malformed("the verification has no id or subject".into()));
        };
        Ok(MachineAuth {
            kind,
            id,
            subject,
            scopes: self.scopes.unwrap_or_default(),
            claims: match self.claims {
                Some(serde_json::Value::Object(claims)) => Some(claims),
                _ => None,
            },
            name: self.name,
            client_id: self.client_id,
            expires_at,
        })
    }
}

/// The Backend API, for opaque machine tokens.
pub(super) struct Backend {
    client: Client,
    /// Authenticates M2M verification instead of the client's secret key.
    machine_secret_key: Option<SecretKey>,
    cache: Mutex<Cache>,
}

impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backend")
            .field("client", &self.client)
            .field("machine_secret_key", &self.machine_secret_key)
            .finish_non_exhaustive()
    }
}

impl Backend {
    pub(super) fn new(client: Client) -> Self {
        Backend { client, machine_secret_key: None, cache: Mutex::new(Cache::default()) }
    }

    pub(super) fn set_machine_secret_key(&mut self, key: SecretKey) {
        self.machine_secret_key = Some(key);
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Verifies an opaque token of `kind` with its verify endpoint, or answers from the
    /// cache while a verification of it is recent.
    pub(super) async fn verify(
        &self,
        kind: TokenKind,
        token: &str,
        options: &super::VerifyOptions,
    ) -> Result<MachineAuth, TokenError> {
        let digest = digest(token);
        let ttl = options.machine_cache_ttl;
        if let Some(hit) = self.cache().get(&digest, Instant::now(), SystemTime::now()) {
            return Ok(hit);
        }
        let auth = self.call(kind, token, options).await?;
        if let Some(until) = Instant::now().checked_add(ttl).filter(|_| !ttl.is_zero()) {
            self.cache().insert(digest, auth.clone(), until);
        }
        Ok(auth)
    }

    async fn call(
        &self,
        kind: TokenKind,
        token: &str,
        options: &super::VerifyOptions,
    ) -> Result<MachineAuth, TokenError> {
        let mut request = options.backend_call();
        let (op, body) = match kind {
            TokenKind::ApiKey => (&VERIFY_API_KEY, serde_json::json!({ "secret": token })),
            TokenKind::OAuth => (&VERIFY_OAUTH_TOKEN, serde_json::json!({ "access_token": token })),
            TokenKind::M2m => match &self.machine_secret_key {
                Some(key) => {
                    let mut bearer = HeaderValue::from_str(&format!("Bearer {}", key.expose())).map_err(|_| {
                        TokenError::InvalidKey("the machine secret key is not a valid header value".into())
                    })?;
                    bearer.set_sensitive(true);
                    request = request.header(AUTHORIZATION, bearer);
                    (&VERIFY_M2M_TOKEN_AS_MACHINE, serde_json::json!({ "token": token }))
                }
                None => (&VERIFY_M2M_TOKEN, serde_json::json!({ "token": token })),
            },
            TokenKind::Session => return Err(TokenError::NotAMachineToken),
        };
        let mut call = Call::new(self.client.clone(), op, op.path.to_owned(), request);
        call.json(&body);
        match call.send_json::<Verification>().await {
            Ok(verification) => verification.into_auth(kind),
            Err(error) if matches!(error.status().map(|s| s.as_u16()), Some(400 | 404)) => {
                Err(TokenError::UnknownMachineToken)
            }
            Err(error) => Err(TokenError::Verification(error)),
        }
    }
}

/// A token's SHA-256: the cache never holds the token itself.
fn digest(token: &str) -> [u8; 32] {
    let mut out = [0; 32];
    out.copy_from_slice(ring::digest::digest(&ring::digest::SHA256, token.as_bytes()).as_ref());
    out
}

/// Recent verifications of opaque tokens, by digest.
#[derive(Debug, Default)]
struct Cache {
    entries: HashMap<[u8; 32], (MachineAuth, Instant)>,
}

impl Cache {
    /// A verification that is recent (`now`) and whose token has not expired (`clock`).
    fn get(&mut self, digest: &[u8; 32], now: Instant, clock: SystemTime) -> Option<MachineAuth> {
        let (auth, until) = self.entries.get(digest)?;
        if now < *until && auth.expires_at.is_none_or(|at| clock < at) {
            return Some(auth.clone());
        }
        self.entries.remove(digest);
        None
    }

    /// Keeps a verification until `until`; a full cache drops what expired, and is
    /// emptied if that is not enough.
    fn insert(&mut self, digest: [u8; 32], auth: MachineAuth, until: Instant) {
        if self.entries.len() >= CACHE_CAPACITY {
            let now = Instant::now();
            self.entries.retain(|_, (_, kept)| now < *kept);
            if self.entries.len() >= CACHE_CAPACITY {
                self.entries.clear();
            }
        }
        self.entries.insert(digest, (auth, until));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn verified(payload: serde_json::Value) -> Verified {
        Verified {
            registered: serde_json::from_value(payload.clone()).unwrap(),
            claims: payload.as_object().unwrap().clone(),
        }
    }

    #[test]
    fn m2m_jwts_map_scopes_and_keep_only_custom_claims() {
        let auth = m2m_from_jwt(verified(json!({
            "sub": "mch_1", "exp": 2_000_000_000, "iat": 1, "jti": "mt_1", "iss": "https://x", "scopes": "mch_2 mch_3",
            "aud": ["ignored"], "role": "worker",
        })));
        assert_eq!((auth.kind, auth.id.as_str(), auth.machine_id()), (TokenKind::M2m, "mt_1", Some("mch_1")));
        assert_eq!(auth.scopes, ["mch_2", "mch_3"]);
        assert_eq!(
            auth.claims,
            Some(json!({"aud": ["ignored"], "role": "worker", "scopes": "mch_2 mch_3"}).as_object().unwrap().clone())
        );
        assert_eq!(auth.expires_at, Some(UNIX_EPOCH + Duration::from_secs(2_000_000_000)));
        let bare = m2m_from_jwt(verified(json!({"sub": "mch_1", "exp": 1, "aud": ["mch_9"]})));
        assert_eq!((bare.id.as_str(), bare.scopes, bare.claims.is_some()), ("", vec!["mch_9".to_owned()], true));
        let none = m2m_from_jwt(verified(json!({"sub": "mch_1", "exp": 1})));
        assert_eq!((none.scopes.len(), none.claims), (0, None));
    }

    #[test]
    fn oauth_jwts_map_scp_else_scope() {
        let auth = oauth_from_jwt(verified(
            json!({"sub": "user_1", "exp": 1, "jti": "oat_1", "client_id": "c", "scp": ["a", "b"], "scope": "x"}),
        ));
        assert_eq!(
            (auth.kind, auth.user_id(), auth.client_id.as_deref(), auth.scopes.clone()),
            (TokenKind::OAuth, Some("user_1"), Some("c"), vec!["a".to_owned(), "b".into()])
        );
        let spaced = oauth_from_jwt(verified(json!({"sub": "user_1", "exp": 1, "scope": "read  write"})));
        assert_eq!(spaced.scopes, ["read", "write"]);
    }

    #[test]
    fn verifications_that_are_revoked_expired_or_inactive_are_refused() {
        let parse =
            |body: serde_json::Value, kind| serde_json::from_value::<Verification>(body).unwrap().into_auth(kind);
        let auth = parse(
            json!({"object": "api_key", "id": "ak_1", "subject": "org_1", "name": "ci", "claims": {"team": "a"}, "scopes": ["read"],
                "revoked": false, "expired": false, "expiration": 1_716_883_200_000.0_f64}),
            TokenKind::ApiKey,
        )
        .unwrap();
        assert_eq!((auth.org_id(), auth.name.as_deref(), auth.scopes.len()), (Some("org_1"), Some("ci"), 1));
        assert_eq!(auth.expires_at, Some(UNIX_EPOCH + Duration::from_secs(1_716_883_200)));
        #[derive(Deserialize, Debug, PartialEq)]
        struct Team {
            team: String,
        }
        assert_eq!(auth.custom::<Team>().unwrap(), Team { team: "a".into() });
        assert!(matches!(
            parse(json!({"id": "ak_1", "subject": "u", "revoked": true}), TokenKind::ApiKey),
            Err(TokenError::Revoked)
        ));
        assert!(matches!(
            parse(json!({"id": "mt_1", "subject": "mch_1", "expired": true, "expiration": 2000.0}), TokenKind::M2m),
            Err(TokenError::Expired { expired_at: 2 })
        ));
        assert!(matches!(parse(json!({"active": false}), TokenKind::OAuth), Err(TokenError::Inactive)));
        assert!(matches!(parse(json!({"subject": "u"}), TokenKind::OAuth), Err(TokenError::Malformed(_))));
        let odd =
            parse(json!({"id": "a", "subject": "b", "expiration": -5.0, "claims": "text"}), TokenKind::ApiKey).unwrap();
        assert_eq!((odd.expires_at, odd.claims), (None, None));
    }

    #[test]
    fn the_cache_keeps_verifications_briefly_and_never_past_the_tokens_expiry() {
        let t0 = Instant::now();
        let clock = UNIX_EPOCH + Duration::from_secs(1_000);
        let auth = |expires: Option<u64>| MachineAuth {
            kind: TokenKind::ApiKey,
            id: "ak_1".into(),
            subject: "user_1".into(),
            scopes: vec![],
            claims: None,
            name: None,
            client_id: None,
            expires_at: expires.map(|s| UNIX_EPOCH + Duration::from_secs(s)),
        };
        let mut cache = Cache::default();
        cache.insert(digest("ak_a"), auth(None), t0 + Duration::from_secs(10));
        cache.insert(digest("ak_b"), auth(Some(1_000)), t0 + Duration::from_secs(10));
        assert_eq!(cache.get(&digest("ak_a"), t0, clock), Some(auth(None)));
        assert_eq!(cache.get(&digest("ak_c"), t0, clock), None);
        assert_eq!(cache.get(&digest("ak_b"), t0, clock), None, "the token itself expired");
        assert_eq!(cache.get(&digest("ak_a"), t0 + Duration::from_secs(10), clock), None);
        assert!(cache.entries.is_empty(), "stale entries are dropped when looked up");
        assert_ne!(digest("ak_a"), digest("ak_b"));
    }

    #[test]
    fn a_full_cache_makes_room() {
        let t0 = Instant::now();
        let auth = MachineAuth {
            kind: TokenKind::ApiKey,
            id: "ak_1".into(),
            subject: "user_1".into(),
            scopes: vec![],
            claims: None,
            name: None,
            client_id: None,
            expires_at: None,
        };
        let mut cache = Cache::default();
        for i in 0..CACHE_CAPACITY {
            cache.insert(digest(&i.to_string()), auth.clone(), t0 + Duration::from_secs(60));
        }
        cache.insert(digest("one more"), auth.clone(), t0 + Duration::from_secs(60));
        assert_eq!(cache.entries.len(), 1);
        assert!(cache.get(&digest("one more"), t0, SystemTime::now()).is_some());
    }
}
