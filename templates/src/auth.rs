//! Session token verification and request authentication (feature `auth`).
//!
//! Clerk session tokens are RS256 JWTs. [`TokenVerifier`] checks one networklessly with the
//! instance's PEM public key (`CLERK_JWT_KEY`), or with the instance's JWKS, fetched through
//! this SDK's own `GET /jwks` call, cached, and fetched again (rate-limited) when a token
//! names a key the cache does not have, e.g. after a key rotation.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde::Deserialize;

/// Why a token was rejected.
#[derive(Debug)]
#[non_exhaustive]
pub enum TokenError {
    /// Not a JWT: wrong number of parts, bad base64 or bad JSON.
    Malformed(String),
    /// The header names an algorithm other than RS256 (`none`, `HS256`, …).
    UnsupportedAlgorithm(String),
    /// No key with the token's `kid`, even after fetching the JWKS again.
    UnknownKey(Option<String>),
    /// The signature does not match: the token was altered or signed with another key.
    InvalidSignature,
    /// `exp` is in the past (beyond the allowed clock skew).
    Expired {
        /// The token's `exp`.
        expired_at: i64,
    },
    /// `nbf` is in the future (beyond the allowed clock skew).
    NotYetValid {
        /// The token's `nbf`.
        not_before: i64,
    },
    /// `iat` is in the future (beyond the allowed clock skew).
    IssuedInTheFuture {
        /// The token's `iat`.
        issued_at: i64,
    },
    /// `iss` is not the expected issuer.
    InvalidIssuer(String),
    /// `azp` is not one of the authorized parties.
    UnauthorizedParty(Option<String>),
    /// `aud` does not contain an accepted audience.
    InvalidAudience,
    /// The key could not be read (bad PEM, unsupported key type).
    InvalidKey(String),
    /// Fetching the JWKS failed.
    Jwks(crate::Error),
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenError::Malformed(why) => write!(f, "malformed token: {why}"),
            TokenError::UnsupportedAlgorithm(alg) => write!(f, "unsupported algorithm {alg:?}: only RS256 is accepted"),
            TokenError::UnknownKey(kid) => write!(f, "no key with kid {kid:?}"),
            TokenError::InvalidSignature => f.write_str("invalid signature"),
            TokenError::Expired { expired_at } => write!(f, "token expired at {expired_at}"),
            TokenError::NotYetValid { not_before } => write!(f, "token not valid before {not_before}"),
            TokenError::IssuedInTheFuture { issued_at } => write!(f, "token issued in the future ({issued_at})"),
            TokenError::InvalidIssuer(iss) => write!(f, "unexpected issuer {iss:?}"),
            TokenError::UnauthorizedParty(azp) => write!(f, "unauthorized party {azp:?}"),
            TokenError::InvalidAudience => f.write_str("no accepted audience"),
            TokenError::InvalidKey(why) => write!(f, "invalid key: {why}"),
            TokenError::Jwks(e) => write!(f, "cannot fetch the JWKS: {e}"),
        }
    }
}

impl std::error::Error for TokenError {}

/// The organization a session is active in, from either claim format: v1 (`org_id`,
/// `org_slug`, `org_role`, `org_permissions`) or v2 (`o: {id, slg, rol, per}`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OrganizationClaims {
    /// `org_id` / `o.id`.
    pub id: String,
    /// `org_slug` / `o.slg`.
    pub slug: Option<String>,
    /// `org_role` / `o.rol` (v2 drops the `org:` prefix).
    pub role: Option<String>,
    /// `org_permissions` (v1) or the comma-separated `o.per` (v2).
    pub permissions: Vec<String>,
}

/// The claims of a verified session token. Claims this type does not name are in `extra`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SessionClaims {
    /// The user id (`sub`).
    pub sub: String,
    /// The session id (`sid`).
    pub sid: Option<String>,
    /// The issuer, the instance's Frontend API URL (`iss`).
    pub iss: String,
    /// The origin the token was issued for (`azp`).
    pub azp: Option<String>,
    /// Expiry, seconds since the epoch (`exp`).
    pub exp: i64,
    /// Not before (`nbf`).
    pub nbf: Option<i64>,
    /// Issued at (`iat`).
    pub iat: Option<i64>,
    /// The active organization, if any.
    pub organization: Option<OrganizationClaims>,
    /// Features (`fea`), when present.
    pub features: Option<String>,
    /// Plans (`pla`), when present.
    pub plans: Option<String>,
    /// Every claim, including the ones above, as sent.
    pub extra: serde_json::Map<String, serde_json::Value>,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    kid: Option<String>,
}

#[derive(Deserialize)]
struct RawClaims {
    sub: String,
    iss: String,
    exp: i64,
    #[serde(default)]
    sid: Option<String>,
    #[serde(default)]
    azp: Option<String>,
    #[serde(default)]
    nbf: Option<i64>,
    #[serde(default)]
    iat: Option<i64>,
    #[serde(default)]
    aud: Option<serde_json::Value>,
}

/// What a token must satisfy besides its signature.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct VerifyOptions {
    /// Origins allowed in `azp`; empty accepts any (Clerk recommends setting it).
    pub authorized_parties: Vec<String>,
    /// The expected `iss` (your Frontend API URL); `None` accepts any `https://` issuer.
    pub issuer: Option<String>,
    /// Accepted audiences; `None` does not check `aud`.
    pub audience: Option<Vec<String>>,
    /// Tolerated clock difference for `exp`, `nbf` and `iat` (default 5 s).
    pub clock_skew: Duration,
    /// How long fetched keys are trusted (default 1 hour).
    pub jwks_ttl: Duration,
    /// The least time between two JWKS fetches caused by unknown `kid`s (default 5 min).
    pub jwks_refetch_interval: Duration,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            authorized_parties: Vec::new(),
            issuer: None,
            audience: None,
            clock_skew: Duration::from_secs(5),
            jwks_ttl: Duration::from_secs(3600),
            jwks_refetch_interval: Duration::from_secs(300),
        }
    }
}

impl VerifyOptions {
    /// Sets the authorized parties (`azp`).
    pub fn authorized_parties(mut self, parties: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.authorized_parties = parties.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the expected issuer.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// Sets the accepted audiences.
    pub fn audience(mut self, audience: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.audience = Some(audience.into_iter().map(Into::into).collect());
        self
    }

    /// Sets the clock skew.
    pub fn clock_skew(mut self, skew: Duration) -> Self {
        self.clock_skew = skew;
        self
    }

    /// Sets the JWKS cache lifetime and the least time between refetches for unknown keys.
    pub fn jwks_cache(mut self, ttl: Duration, refetch_interval: Duration) -> Self {
        self.jwks_ttl = ttl;
        self.jwks_refetch_interval = refetch_interval;
        self
    }
}

/// An RSA public key: modulus and exponent, big-endian.
#[derive(Clone, PartialEq, Eq)]
struct RsaKey {
    n: Vec<u8>,
    e: Vec<u8>,
}

impl fmt::Debug for RsaKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RsaKey({} bits)", self.n.len() * 8)
    }
}

#[derive(Debug, Default)]
struct JwksCache {
    keys: HashMap<String, RsaKey>,
    fetched_at: Option<Instant>,
}

enum Keys {
    Pem(RsaKey),
    Jwks { client: crate::Client, cache: Mutex<JwksCache> },
}

/// Verifies Clerk session tokens. Build it once and share it: the JWKS cache lives in it.
pub struct TokenVerifier {
    keys: Keys,
    options: VerifyOptions,
    fetches: std::sync::atomic::AtomicUsize,
}

impl fmt::Debug for TokenVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = match &self.keys {
            Keys::Pem(_) => "PEM key",
            Keys::Jwks { .. } => "JWKS",
        };
        f.debug_struct("TokenVerifier").field("keys", &source).field("options", &self.options).finish()
    }
}

impl TokenVerifier {
    /// Networkless verification with the instance's PEM public key (Dashboard → API keys →
    /// PEM public key).
    pub fn with_pem(pem: &str, options: VerifyOptions) -> Result<Self, TokenError> {
        Ok(Self::new(Keys::Pem(rsa_from_pem(pem)?), options))
    }

    /// Networkless verification with the PEM key in `CLERK_JWT_KEY`.
    pub fn from_env(options: VerifyOptions) -> Result<Self, TokenError> {
        let pem =
            std::env::var("CLERK_JWT_KEY").map_err(|_| TokenError::InvalidKey("CLERK_JWT_KEY is not set".into()))?;
        Self::with_pem(&pem, options)
    }

    /// Verification with the instance's JWKS, fetched with `client` and cached.
    pub fn with_jwks(client: crate::Client, options: VerifyOptions) -> Self {
        Self::new(Keys::Jwks { client, cache: Mutex::new(JwksCache::default()) }, options)
    }

    fn new(keys: Keys, options: VerifyOptions) -> Self {
        TokenVerifier { keys, options, fetches: std::sync::atomic::AtomicUsize::new(0) }
    }

    /// How many times the JWKS was fetched.
    pub fn jwks_fetches(&self) -> usize {
        self.fetches.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Verifies a token's signature and claims.
    pub async fn verify(&self, token: &str) -> Result<SessionClaims, TokenError> {
        self.verify_at(token, SystemTime::now()).await
    }

    /// [`verify`](Self::verify) as of `now`.
    pub async fn verify_at(&self, token: &str, now: SystemTime) -> Result<SessionClaims, TokenError> {
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed("a JWT has three parts".into()));
        };
        let header: Header = decode_json(header)?;
        // Only RS256: `none` and HMAC (with the public key as the secret) are the classic
        // algorithm-confusion attacks.
        if header.alg != "RS256" {
            return Err(TokenError::UnsupportedAlgorithm(header.alg));
        }
        let signature =
            URL_SAFE_NO_PAD.decode(signature).map_err(|e| TokenError::Malformed(format!("signature: {e}")))?;
        let key = self.key(header.kid.as_deref()).await?;
        let signed = &token[..header_len(token)];
        ring::signature::RsaPublicKeyComponents { n: &key.n, e: &key.e }
            .verify(&ring::signature::RSA_PKCS1_2048_8192_SHA256, signed.as_bytes(), &signature)
            .map_err(|_| TokenError::InvalidSignature)?;
        let extra: serde_json::Map<String, serde_json::Value> = decode_json(payload)?;
        let raw: RawClaims = serde_json::from_value(serde_json::Value::Object(extra.clone()))
            .map_err(|e| TokenError::Malformed(format!("claims: {e}")))?;
        self.check(&raw, now)?;
        Ok(SessionClaims {
            organization: organization(&extra),
            features: extra.get("fea").and_then(|v| v.as_str()).map(str::to_owned),
            plans: extra.get("pla").and_then(|v| v.as_str()).map(str::to_owned),
            sub: raw.sub,
            sid: raw.sid,
            iss: raw.iss,
            azp: raw.azp,
            exp: raw.exp,
            nbf: raw.nbf,
            iat: raw.iat,
            extra,
        })
    }

    fn check(&self, claims: &RawClaims, now: SystemTime) -> Result<(), TokenError> {
        let now = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs() as i64;
        let skew = self.options.clock_skew.as_secs() as i64;
        if claims.exp + skew <= now {
            return Err(TokenError::Expired { expired_at: claims.exp });
        }
        if let Some(nbf) = claims.nbf.filter(|nbf| *nbf > now + skew) {
            return Err(TokenError::NotYetValid { not_before: nbf });
        }
        if let Some(iat) = claims.iat.filter(|iat| *iat > now + skew) {
            return Err(TokenError::IssuedInTheFuture { issued_at: iat });
        }
        let issuer_ok = match &self.options.issuer {
            Some(expected) => claims.iss == *expected,
            None => claims.iss.starts_with("https://"),
        };
        if !issuer_ok {
            return Err(TokenError::InvalidIssuer(claims.iss.clone()));
        }
        let parties = &self.options.authorized_parties;
        if !parties.is_empty() && !claims.azp.as_ref().is_some_and(|azp| parties.contains(azp)) {
            return Err(TokenError::UnauthorizedParty(claims.azp.clone()));
        }
        if let Some(accepted) = &self.options.audience {
            let audiences: Vec<&str> = match &claims.aud {
                Some(serde_json::Value::String(a)) => vec![a.as_str()],
                Some(serde_json::Value::Array(list)) => list.iter().filter_map(|a| a.as_str()).collect(),
                _ => Vec::new(),
            };
            if !audiences.iter().any(|a| accepted.iter().any(|b| b == a)) {
                return Err(TokenError::InvalidAudience);
            }
        }
        Ok(())
    }

    async fn key(&self, kid: Option<&str>) -> Result<RsaKey, TokenError> {
        let (client, cache) = match &self.keys {
            Keys::Pem(key) => return Ok(key.clone()),
            Keys::Jwks { client, cache } => (client, cache),
        };
        let lookup = |cache: &JwksCache| -> Option<RsaKey> {
            match kid {
                Some(kid) => cache.keys.get(kid).cloned(),
                None if cache.keys.len() == 1 => cache.keys.values().next().cloned(),
                None => None,
            }
        };
        let (cached, fetch) = {
            let cache = cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let age = cache.fetched_at.map(|at| at.elapsed());
            let fresh = age.is_some_and(|age| age < self.options.jwks_ttl);
            let found = lookup(&cache).filter(|_| fresh);
            // An unknown kid may be a rotated key: fetch again, but not more often than
            // the refetch interval, so forged kids cannot make us hammer the API.
            let may_refetch = age.is_none_or(|age| age >= self.options.jwks_refetch_interval);
            (found, !fresh || may_refetch)
        };
        if let Some(key) = cached {
            return Ok(key);
        }
        if !fetch {
            return Err(TokenError::UnknownKey(kid.map(str::to_owned)));
        }
        let jwks = client.jwks().get_jwks().await.map_err(TokenError::Jwks)?;
        self.fetches.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let jwks = serde_json::to_value(&jwks).map_err(|e| TokenError::InvalidKey(e.to_string()))?;
        let mut keys = HashMap::new();
        for key in jwks.get("keys").and_then(|k| k.as_array()).into_iter().flatten() {
            let field = |name: &str| key.get(name).and_then(|v| v.as_str());
            if field("kty") != Some("RSA") || field("use").is_some_and(|u| u != "sig") {
                continue;
            }
            let decode = |name: &str| field(name).and_then(|v| URL_SAFE_NO_PAD.decode(v).ok());
            if let (Some(kid), Some(n), Some(e)) = (field("kid"), decode("n"), decode("e")) {
                keys.insert(kid.to_owned(), RsaKey { n, e });
            }
        }
        let mut cache = cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *cache = JwksCache { keys, fetched_at: Some(Instant::now()) };
        lookup(&cache).ok_or_else(|| TokenError::UnknownKey(kid.map(str::to_owned)))
    }

    /// Authenticates an incoming request by its session token: `Authorization: Bearer …`,
    /// else the `__session` cookie.
    pub async fn authenticate_request<B>(&self, request: &http::Request<B>) -> AuthState {
        self.authenticate_token(session_token(request.headers())).await
    }

    /// The auth state for a session token taken from a request, if there was one.
    pub async fn authenticate_token(&self, token: Option<String>) -> AuthState {
        let Some(token) = token else {
            return AuthState::SignedOut(SignedOutReason::NoToken);
        };
        match self.verify(&token).await {
            Ok(claims) => AuthState::SignedIn(Box::new(claims)),
            Err(e) => AuthState::SignedOut(SignedOutReason::InvalidToken(e)),
        }
    }
}

/// The outcome of [`TokenVerifier::authenticate_request`].
#[derive(Debug)]
#[non_exhaustive]
pub enum AuthState {
    /// A valid session.
    SignedIn(Box<SessionClaims>),
    /// No valid session, and why.
    SignedOut(SignedOutReason),
}

impl AuthState {
    /// The claims of a signed-in request.
    pub fn claims(&self) -> Option<&SessionClaims> {
        match self {
            AuthState::SignedIn(claims) => Some(claims),
            AuthState::SignedOut(_) => None,
        }
    }
}

/// Why a request is signed out.
#[derive(Debug)]
#[non_exhaustive]
pub enum SignedOutReason {
    /// Neither an `Authorization: Bearer` header nor a `__session` cookie.
    NoToken,
    /// A token that failed verification.
    InvalidToken(TokenError),
}

/// The session token of a request: the bearer token, else the `__session` cookie.
pub fn session_token(headers: &http::HeaderMap) -> Option<String> {
    if let Some(value) = headers.get(http::header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        if let Some(token) = value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")) {
            let token = token.trim();
            if !token.is_empty() {
                return Some(token.to_owned());
            }
        }
    }
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|cookies| cookies.split(';'))
        .find_map(|cookie| cookie.trim().strip_prefix("__session=").map(str::to_owned))
        .filter(|token| !token.is_empty())
}

fn header_len(token: &str) -> usize {
    token.rfind('.').unwrap_or(token.len())
}

fn decode_json<T: serde::de::DeserializeOwned>(part: &str) -> Result<T, TokenError> {
    let bytes = URL_SAFE_NO_PAD.decode(part).map_err(|e| TokenError::Malformed(format!("base64: {e}")))?;
    serde_json::from_slice(&bytes).map_err(|e| TokenError::Malformed(format!("JSON: {e}")))
}

fn organization(claims: &serde_json::Map<String, serde_json::Value>) -> Option<OrganizationClaims> {
    let text = |v: Option<&serde_json::Value>| v.and_then(|v| v.as_str()).map(str::to_owned);
    if let Some(o) = claims.get("o").and_then(|o| o.as_object()) {
        return Some(OrganizationClaims {
            id: text(o.get("id"))?,
            slug: text(o.get("slg")),
            role: text(o.get("rol")),
            permissions: text(o.get("per"))
                .map(|p| p.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect())
                .unwrap_or_default(),
        });
    }
    Some(OrganizationClaims {
        id: text(claims.get("org_id"))?,
        slug: text(claims.get("org_slug")),
        role: text(claims.get("org_role")),
        permissions: claims
            .get("org_permissions")
            .and_then(|p| p.as_array())
            .map(|p| p.iter().filter_map(|v| v.as_str()).map(str::to_owned).collect())
            .unwrap_or_default(),
    })
}

/// Reads an RSA public key from a PEM `PUBLIC KEY` (SubjectPublicKeyInfo) block.
fn rsa_from_pem(pem: &str) -> Result<RsaKey, TokenError> {
    let body: String = pem
        .lines()
        .map(str::trim)
        .skip_while(|l| !l.starts_with("-----BEGIN PUBLIC KEY-----"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .collect();
    let der = STANDARD.decode(body).map_err(|e| TokenError::InvalidKey(format!("PEM: {e}")))?;
    let bad = || TokenError::InvalidKey("not an RSA SubjectPublicKeyInfo".into());
    // SEQUENCE { SEQUENCE { OID rsaEncryption, NULL }, BIT STRING { RSAPublicKey } }
    let (spki, _) = der_read(&der, 0x30).ok_or_else(bad)?;
    let (algorithm, rest) = der_read(spki, 0x30).ok_or_else(bad)?;
    const RSA_ENCRYPTION: &[u8] = &[0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    if !algorithm.starts_with(RSA_ENCRYPTION) {
        return Err(bad());
    }
    let (bits, _) = der_read(rest, 0x03).ok_or_else(bad)?;
    let (rsa, _) = der_read(bits.get(1..).ok_or_else(bad)?, 0x30).ok_or_else(bad)?;
    let (n, rest) = der_read(rsa, 0x02).ok_or_else(bad)?;
    let (e, _) = der_read(rest, 0x02).ok_or_else(bad)?;
    let strip = |x: &[u8]| x.iter().skip_while(|b| **b == 0).copied().collect::<Vec<u8>>();
    Ok(RsaKey { n: strip(n), e: strip(e) })
}

/// Reads one DER element with the expected tag: (its contents, what follows).
fn der_read(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (&first, rest) = input.split_first()?;
    if first != tag {
        return None;
    }
    let (&len, mut rest) = rest.split_first()?;
    let len = if len < 0x80 {
        usize::from(len)
    } else {
        let count = usize::from(len & 0x7f);
        if count == 0 || count > 4 || rest.len() < count {
            return None;
        }
        let (bytes, after) = rest.split_at(count);
        rest = after;
        bytes.iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b))
    };
    (rest.len() >= len).then(|| rest.split_at(len))
}

/// A tower layer (feature `axum`) that authenticates every request and puts the outcome
/// in its extensions as `Arc<AuthState>`; handlers read it with
/// `Extension<Arc<AuthState>>`. It never rejects: routes decide what signed-out means.
#[cfg(feature = "axum")]
#[derive(Debug, Clone)]
pub struct ClerkAuthLayer {
    verifier: std::sync::Arc<TokenVerifier>,
}

#[cfg(feature = "axum")]
impl ClerkAuthLayer {
    /// A layer that verifies with `verifier`.
    pub fn new(verifier: std::sync::Arc<TokenVerifier>) -> Self {
        ClerkAuthLayer { verifier }
    }
}

#[cfg(feature = "axum")]
impl<S> tower_layer::Layer<S> for ClerkAuthLayer {
    type Service = ClerkAuth<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ClerkAuth { inner, verifier: self.verifier.clone() }
    }
}

/// The service [`ClerkAuthLayer`] wraps around yours.
#[cfg(feature = "axum")]
#[derive(Debug, Clone)]
pub struct ClerkAuth<S> {
    inner: S,
    verifier: std::sync::Arc<TokenVerifier>,
}

#[cfg(feature = "axum")]
impl<S, B> tower_service::Service<http::Request<B>> for ClerkAuth<S>
where
    S: tower_service::Service<http::Request<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut std::task::Context<'_>) -> std::task::Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<B>) -> Self::Future {
        // The clone that was polled ready serves this request; a fresh clone stays behind.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let verifier = self.verifier.clone();
        let token = session_token(request.headers());
        Box::pin(async move {
            let state = verifier.authenticate_token(token).await;
            request.extensions_mut().insert(std::sync::Arc::new(state));
            inner.call(request).await
        })
    }
}
