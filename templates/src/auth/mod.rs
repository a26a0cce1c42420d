//! Session token verification and request authentication (feature `auth`).
//!
//! Clerk session tokens are RS256 JWTs. [`TokenVerifier`] checks one networklessly with the
//! instance's PEM public key (`CLERK_JWT_KEY`), or with the instance's JWKS, fetched with
//! the client's own `GET /jwks` call, cached, and fetched again (rate-limited) when a token
//! names a key the cache does not have, e.g. after a key rotation.

mod jwks;
mod jwt;
#[cfg(feature = "axum")]
mod layer;
mod pem;

use std::fmt;
use std::time::{Duration, SystemTime};

pub use jwt::{OrganizationClaims, SessionClaims};
#[cfg(feature = "axum")]
pub use layer::{ClerkAuth, ClerkAuthLayer};

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

/// Where the keys come from.
enum Keys {
    Pem(RsaKey),
    Jwks(jwks::JwksKeys),
}

/// Verifies Clerk session tokens. Build it once and share it: the JWKS cache lives in it.
pub struct TokenVerifier {
    keys: Keys,
    options: VerifyOptions,
}

impl fmt::Debug for TokenVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = match &self.keys {
            Keys::Pem(_) => "PEM key",
            Keys::Jwks(_) => "JWKS",
        };
        f.debug_struct("TokenVerifier").field("keys", &source).field("options", &self.options).finish()
    }
}

impl TokenVerifier {
    /// Networkless verification with the instance's PEM public key (Dashboard → API keys →
    /// PEM public key).
    pub fn with_pem(pem: &str, options: VerifyOptions) -> Result<Self, TokenError> {
        Ok(TokenVerifier { keys: Keys::Pem(pem::rsa_from_pem(pem)?), options })
    }

    /// Networkless verification with the PEM key in `CLERK_JWT_KEY`.
    pub fn from_env(options: VerifyOptions) -> Result<Self, TokenError> {
        let pem =
            std::env::var("CLERK_JWT_KEY").map_err(|_| TokenError::InvalidKey("CLERK_JWT_KEY is not set".into()))?;
        Self::with_pem(&pem, options)
    }

    /// Verification with the instance's JWKS, fetched with `client` and cached.
    pub fn with_jwks(client: crate::Client, options: VerifyOptions) -> Self {
        TokenVerifier { keys: Keys::Jwks(jwks::JwksKeys::new(client)), options }
    }

    /// How many times the JWKS was fetched.
    pub fn jwks_fetches(&self) -> usize {
        match &self.keys {
            Keys::Pem(_) => 0,
            Keys::Jwks(jwks) => jwks.fetches(),
        }
    }

    /// Verifies a token's signature and claims.
    pub async fn verify(&self, token: &str) -> Result<SessionClaims, TokenError> {
        self.verify_at(token, SystemTime::now()).await
    }

    /// [`verify`](Self::verify) as of `now`.
    pub async fn verify_at(&self, token: &str, now: SystemTime) -> Result<SessionClaims, TokenError> {
        let token = jwt::Token::parse(token)?;
        let key = match &self.keys {
            Keys::Pem(key) => key.clone(),
            Keys::Jwks(jwks) => jwks.key(token.kid(), &self.options).await?,
        };
        token.verify_signature(&key)?;
        token.claims(&self.options, now)
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
