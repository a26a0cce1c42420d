//! Request authentication (feature `auth`): session tokens, JWT-template tokens and machine
//! tokens (API keys, M2M tokens, OAuth access tokens).
//!
//! [`TokenVerifier`] verifies Clerk's RS256 JWTs networklessly with the instance's PEM
//! public key (`CLERK_JWT_KEY`) or a JWKS document, or with the instance's JWKS fetched
//! with the runtime's own `GET /jwks` call and cached. Each kind of token is verified as
//! what it is: a session token must carry the session category (or none), `typ: JWT` (or
//! none) and a session id, so an M2M JWT, an OAuth access token or a JWT-template token
//! signed with the same key never signs a request in as a user. Opaque machine tokens
//! (`ak_…`, `mt_…`, `oat_…`) are verified with the Backend API's verify endpoints.
//! [`TokenVerifier::authenticate_request`] takes the kinds of token a route accepts.

mod category;
mod claims;
mod error;
#[cfg(feature = "axum")]
mod extract;
mod has;
mod jwks;
mod jwt;
#[cfg(feature = "axum")]
mod layer;
mod machine;
mod pem;

use std::collections::HashMap;
use std::fmt;
use std::time::{Duration, SystemTime};

use category::Form;
pub use category::{Accepts, TokenKind};
#[cfg(feature = "testing")]
pub(crate) use category::{M2M_CATEGORY, SESSION_CATEGORY};
pub use claims::{
    Actor, Entitlements, FactorVerificationAge, OrganizationClaims, SessionClaims, SessionStatus, TemplateClaims,
};
pub use error::{SignedOutReason, TokenError};
#[cfg(feature = "axum")]
pub use extract::{AcceptedTokens, Authenticated, MachineToken, SignedIn, Unauthorized, accept};
pub use has::{Has, Reverification, VerificationLevel};
#[cfg(feature = "axum")]
pub use layer::{ClerkAuth, ClerkAuthLayer, RequireAuth, RequireAuthLayer};
pub use machine::MachineAuth;

use crate::{Client, RequestOptions, RetryPolicy, SecretKey};

/// What a token must satisfy besides its signature, and how keys and machine tokens are
/// fetched and kept.
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
    /// Whether a pending session (`sts: pending`, tasks left to do) counts as signed in
    /// (default: no, as in Clerk's SDKs).
    pub accept_pending_sessions: bool,
    /// How long fetched keys are trusted (default 1 hour).
    pub jwks_ttl: Duration,
    /// The least time between two JWKS fetches caused by unknown `kid`s (default 5 min).
    pub jwks_refetch_interval: Duration,
    /// How long past `jwks_ttl` the last good keys are still served while fetching fails
    /// (default 24 hours).
    pub jwks_max_stale: Duration,
    /// The pause after a failed JWKS fetch, doubling with each failure in a row up to a
    /// minute (default 2 s).
    pub jwks_failure_backoff: Duration,
    /// How long one Backend API attempt (JWKS fetch, machine token verification) may take
    /// (default 3 s), instead of the client's timeout.
    pub network_timeout: Duration,
    /// How many attempts one Backend API call may make (default 2), instead of the
    /// client's retry policy.
    pub network_attempts: u32,
    /// How long an opaque machine token's verification is reused (default 10 s; zero
    /// verifies every time). A revoked token keeps working for at most this long.
    pub machine_cache_ttl: Duration,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            authorized_parties: Vec::new(),
            issuer: None,
            audience: None,
            clock_skew: Duration::from_secs(5),
            accept_pending_sessions: false,
            jwks_ttl: Duration::from_secs(3600),
            jwks_refetch_interval: Duration::from_secs(300),
            jwks_max_stale: Duration::from_secs(24 * 3600),
            jwks_failure_backoff: Duration::from_secs(2),
            network_timeout: Duration::from_secs(3),
            network_attempts: 2,
            machine_cache_ttl: Duration::from_secs(10),
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

    /// Sets whether pending sessions count as signed in.
    pub fn accept_pending_sessions(mut self, accept: bool) -> Self {
        self.accept_pending_sessions = accept;
        self
    }

    /// Sets the JWKS cache lifetime and the least time between refetches for unknown keys.
    pub fn jwks_cache(mut self, ttl: Duration, refetch_interval: Duration) -> Self {
        self.jwks_ttl = ttl;
        self.jwks_refetch_interval = refetch_interval;
        self
    }

    /// Sets how long stale keys are served while fetching fails, and the first pause after
    /// a failed fetch.
    pub fn jwks_stale(mut self, max_stale: Duration, failure_backoff: Duration) -> Self {
        self.jwks_max_stale = max_stale;
        self.jwks_failure_backoff = failure_backoff;
        self
    }

    /// Sets the timeout of one Backend API attempt and the number of attempts (at least 1).
    pub fn network(mut self, timeout: Duration, attempts: u32) -> Self {
        self.network_timeout = timeout;
        self.network_attempts = attempts.max(1);
        self
    }

    /// Sets how long opaque machine token verifications are reused.
    pub fn machine_token_cache(mut self, ttl: Duration) -> Self {
        self.machine_cache_ttl = ttl;
        self
    }

    /// The request options of the verifier's own Backend API calls: a short timeout, few
    /// attempts, and no waiting out a long `Retry-After`.
    fn backend_call(&self) -> RequestOptions {
        let attempts = self.network_attempts.max(1);
        let policy = RetryPolicy {
            max_attempts: attempts,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
            multiplier: 2.0,
            max_elapsed: self.network_timeout.saturating_mul(attempts),
            respect_retry_after: false,
        };
        RequestOptions::default().timeout(self.network_timeout).retry_policy(policy)
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
    /// One PEM key, whatever the token's `kid`.
    Pem(RsaKey),
    /// A JWKS document given up front.
    Static(HashMap<String, RsaKey>),
    /// The instance's JWKS, fetched.
    Jwks(jwks::JwksKeys),
}

/// Verifies Clerk's tokens and authenticates requests. Build it once and share it (e.g. in
/// an `Arc`): the JWKS cache and the machine token cache live in it.
pub struct TokenVerifier {
    keys: Keys,
    options: VerifyOptions,
    /// The Backend API, for opaque machine tokens.
    backend: Option<machine::Backend>,
}

impl fmt::Debug for TokenVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = match &self.keys {
            Keys::Pem(_) => "PEM key",
            Keys::Static(_) => "JWKS document",
            Keys::Jwks(_) => "JWKS",
        };
        f.debug_struct("TokenVerifier")
            .field("keys", &source)
            .field("options", &self.options)
            .field("backend", &self.backend)
            .finish()
    }
}

impl TokenVerifier {
    /// Networkless verification with the instance's PEM public key (Dashboard → API keys →
    /// PEM public key), in any form it arrives in: with or without the `BEGIN`/`END`
    /// lines, on one line, with escaped `\n`, with CRLF.
    pub fn with_pem(pem: &str, options: VerifyOptions) -> Result<Self, TokenError> {
        Ok(TokenVerifier { keys: Keys::Pem(pem::rsa_from_pem(pem)?), options, backend: None })
    }

    /// Networkless verification with a JWKS document (`{"keys": [...]}`), e.g. a copy of
    /// the instance's `/.well-known/jwks.json`.
    pub fn with_jwks_json(jwks: &str, options: VerifyOptions) -> Result<Self, TokenError> {
        let document: jwks::Jwks =
            serde_json::from_str(jwks).map_err(|e| TokenError::InvalidKey(format!("not a JWKS document: {e}")))?;
        let keys = jwks::rsa_keys(document);
        if keys.is_empty() {
            return Err(TokenError::EmptyJwks);
        }
        Ok(TokenVerifier { keys: Keys::Static(keys), options, backend: None })
    }

    /// Verification with the instance's JWKS, fetched with `client` and cached; `client`
    /// also verifies opaque machine tokens.
    pub fn with_jwks(client: Client, options: VerifyOptions) -> Self {
        let keys = Keys::Jwks(jwks::JwksKeys::new(client.clone()));
        TokenVerifier { keys, options, backend: Some(machine::Backend::new(client)) }
    }

    /// A verifier configured as Clerk's SDKs configure one from the environment:
    ///
    /// - `CLERK_JWT_KEY`: the PEM public key (or a JWKS document), for networkless
    ///   verification;
    /// - `CLERK_SECRET_KEY`: the secret key, to fetch the JWKS when there is no
    ///   `CLERK_JWT_KEY`, and to verify opaque machine tokens;
    /// - `CLERK_MACHINE_SECRET_KEY`: a machine secret key, to verify M2M tokens as that
    ///   machine.
    pub fn from_env(options: VerifyOptions) -> Result<Self, TokenError> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let client = var("CLERK_SECRET_KEY")
            .map(|key| Client::new(key).map_err(|e| TokenError::InvalidKey(format!("CLERK_SECRET_KEY: {e}"))))
            .transpose()?;
        let verifier = match (var("CLERK_JWT_KEY"), client) {
            (Some(key), client) => {
                // A JWKS document is JSON; anything else is read as a PEM key.
                let verifier = if key.trim_start().starts_with('{') {
                    Self::with_jwks_json(&key, options)?
                } else {
                    Self::with_pem(&key, options)?
                };
                match client {
                    Some(client) => verifier.with_client(client),
                    None => verifier,
                }
            }
            (None, Some(client)) => Self::with_jwks(client, options),
            (None, None) => {
                return Err(TokenError::InvalidKey("neither CLERK_JWT_KEY nor CLERK_SECRET_KEY is set".into()));
            }
        };
        match var("CLERK_MACHINE_SECRET_KEY") {
            Some(key) => verifier.with_machine_secret_key(key),
            None => Ok(verifier),
        }
    }

    /// Verifies opaque machine tokens with the Backend API through `client` (its secret
    /// key authenticates the verify calls).
    pub fn with_client(mut self, client: Client) -> Self {
        self.backend = Some(machine::Backend::new(client));
        self
    }

    /// Verifies M2M tokens as the machine this secret key belongs to: only tokens that
    /// machine may see pass. Without a client, one is built for the key.
    pub fn with_machine_secret_key(mut self, key: impl Into<SecretKey>) -> Result<Self, TokenError> {
        let key = key.into();
        if key.expose().trim().is_empty() {
            return Err(TokenError::InvalidKey("the machine secret key is empty".into()));
        }
        let mut backend = match self.backend.take() {
            Some(backend) => backend,
            None => machine::Backend::new(
                Client::new(key.clone()).map_err(|e| TokenError::InvalidKey(format!("machine secret key: {e}")))?,
            ),
        };
        backend.set_machine_secret_key(key);
        self.backend = Some(backend);
        Ok(self)
    }

    /// The options tokens are verified with.
    pub fn options(&self) -> &VerifyOptions {
        &self.options
    }

    /// How many JWKS fetches succeeded.
    pub fn jwks_fetches(&self) -> usize {
        match &self.keys {
            Keys::Pem(_) | Keys::Static(_) => 0,
            Keys::Jwks(jwks) => jwks.fetches(),
        }
    }

    /// Verifies a session token: its signature, its kind (Clerk's session category or none,
    /// `typ: JWT` or none, a session id, not a machine's), its times, issuer, authorized
    /// party and audience, and that the session is not pending (unless accepted).
    pub async fn verify(&self, token: &str) -> Result<SessionClaims, TokenError> {
        self.verify_at(token, SystemTime::now()).await
    }

    /// [`verify`](Self::verify) as of `now`.
    pub async fn verify_at(&self, token: &str, now: SystemTime) -> Result<SessionClaims, TokenError> {
        let token = jwt::Token::parse(token)?;
        let verified = self.verified(&token).await?;
        refused(category::refuse_as_session(token.typ(), token.cat(), &verified.registered.sub))?;
        jwt::check_times(&verified.registered, self.options.clock_skew, now)?;
        jwt::check_origin(&verified.registered, &self.options)?;
        let claims = SessionClaims::read(verified.registered, verified.claims)?;
        if claims.is_pending() && !self.options.accept_pending_sessions {
            return Err(TokenError::PendingSession);
        }
        Ok(claims)
    }

    /// Verifies a token minted from a JWT template (`sessions.get_token(sid, template)`):
    /// never a session token's stand-in, as it outlives the session it came from. Checks
    /// its signature, category, times, issuer, authorized party and audience.
    pub async fn verify_jwt_template(&self, token: &str) -> Result<TemplateClaims, TokenError> {
        self.verify_jwt_template_at(token, SystemTime::now()).await
    }

    /// [`verify_jwt_template`](Self::verify_jwt_template) as of `now`.
    pub async fn verify_jwt_template_at(&self, token: &str, now: SystemTime) -> Result<TemplateClaims, TokenError> {
        let token = jwt::Token::parse(token)?;
        let verified = self.verified(&token).await?;
        refused(category::refuse_as_template(token.typ(), token.cat(), &verified.registered.sub))?;
        jwt::check_times(&verified.registered, self.options.clock_skew, now)?;
        jwt::check_origin(&verified.registered, &self.options)?;
        Ok(TemplateClaims::read(verified.registered, verified.claims))
    }

    /// Verifies a machine token of any kind: an API key, or an M2M or OAuth access token,
    /// opaque (with the Backend API) or a JWT (networkless: signature, category, times).
    pub async fn verify_machine_token(&self, token: &str) -> Result<MachineAuth, TokenError> {
        self.verify_machine_token_at(token, SystemTime::now()).await
    }

    /// [`verify_machine_token`](Self::verify_machine_token) as of `now` (for JWTs; the
    /// Backend API judges opaque tokens by its own clock).
    pub async fn verify_machine_token_at(&self, token: &str, now: SystemTime) -> Result<MachineAuth, TokenError> {
        self.verify_machine(category::form(token), token, now).await
    }

    async fn verify_machine(&self, form: Form, token: &str, now: SystemTime) -> Result<MachineAuth, TokenError> {
        match form {
            Form::Session => Err(TokenError::NotAMachineToken),
            Form::M2mJwt => {
                let verified =
                    self.machine_jwt(token, now, |t, sub| category::refuse_as_m2m(t.typ(), t.cat(), sub)).await?;
                Ok(machine::m2m_from_jwt(verified))
            }
            Form::OAuthJwt => {
                let verified = self.machine_jwt(token, now, |t, _| category::refuse_as_oauth(t.typ())).await?;
                Ok(machine::oauth_from_jwt(verified))
            }
            Form::ApiKey | Form::M2mOpaque | Form::OAuthOpaque => {
                let backend = self.backend.as_ref().ok_or(TokenError::NoBackendApi)?;
                backend.verify(form.kind(), token, &self.options).await
            }
        }
    }

    /// A machine JWT, networkless: its signature, its kind (`refuse`, given the token and
    /// its subject) and its times.
    async fn machine_jwt(
        &self,
        token: &str,
        now: SystemTime,
        refuse: fn(&jwt::Token<'_>, &str) -> Option<TokenError>,
    ) -> Result<jwt::Verified, TokenError> {
        let token = jwt::Token::parse(token)?;
        let verified = self.verified(&token).await?;
        refused(refuse(&token, &verified.registered.sub))?;
        jwt::check_times(&verified.registered, self.options.clock_skew, now)?;
        Ok(verified)
    }

    /// The verified payload of a token whose signature checks out with the key it names.
    async fn verified(&self, token: &jwt::Token<'_>) -> Result<jwt::Verified, TokenError> {
        let key = match &self.keys {
            Keys::Pem(key) => key.clone(),
            Keys::Static(keys) => {
                jwks::lookup(keys, token.kid()).ok_or_else(|| TokenError::UnknownKey(token.kid().map(str::to_owned)))?
            }
            Keys::Jwks(jwks) => jwks.key(token.kid(), &self.options).await?,
        };
        token.verify(&key)
    }

    /// Authenticates an incoming request by the token it presents, if it is of a kind the
    /// route accepts: `Authorization: Bearer …`, else (for sessions) the `__session` cookie.
    ///
    /// ```no_run
    /// # async fn run(verifier: clerk_sdk::auth::TokenVerifier, request: http::Request<()>) {
    /// use clerk_sdk::auth::{Accepts, AuthState};
    ///
    /// match verifier.authenticate_request(&request, Accepts::SESSION | Accepts::API_KEY).await {
    ///     AuthState::SignedIn(session) => println!("user {}", session.sub),
    ///     AuthState::Machine(machine) => println!("{} for {}", machine.kind, machine.subject),
    ///     AuthState::SignedOut(reason) => println!("{reason}"),
    /// }
    /// # }
    /// ```
    pub async fn authenticate_request<B>(&self, request: &http::Request<B>, accepts: Accepts) -> AuthState {
        self.authenticate_headers(request.headers(), accepts).await
    }

    /// [`authenticate_request`](Self::authenticate_request) from the request's headers.
    pub async fn authenticate_headers(&self, headers: &http::HeaderMap, accepts: Accepts) -> AuthState {
        self.authenticate_presented(presented(headers, accepts), accepts).await
    }

    /// The auth state for a token taken from a request's `Authorization` header.
    pub async fn authenticate_token(&self, token: &str, accepts: Accepts) -> AuthState {
        self.authenticate_presented(Some(Presented { token: token.to_owned(), cookie: false }), accepts).await
    }

    async fn authenticate_presented(&self, presented: Option<Presented>, accepts: Accepts) -> AuthState {
        let Some(Presented { token, cookie }) = presented else {
            return AuthState::SignedOut(SignedOutReason::NoToken);
        };
        // The session cookie holds session tokens only; whatever else is in it fails as one.
        let form = if cookie { Form::Session } else { category::form(&token) };
        if !accepts.contains(form.kind()) {
            return AuthState::SignedOut(SignedOutReason::NotAccepted(form.kind()));
        }
        let outcome = match form {
            Form::Session => self.verify(&token).await.map(|claims| AuthState::SignedIn(Box::new(claims))),
            _ => self.verify_machine(form, &token, SystemTime::now()).await.map(|m| AuthState::Machine(Box::new(m))),
        };
        outcome.unwrap_or_else(|e| AuthState::SignedOut(SignedOutReason::InvalidToken(e)))
    }
}

fn refused(refusal: Option<TokenError>) -> Result<(), TokenError> {
    refusal.map_or(Ok(()), Err)
}

/// The outcome of authenticating a request. Deliberately exhaustive: a `match` on it must
/// say what each outcome means, so no wildcard arm can let a request through by accident.
#[derive(Debug)]
pub enum AuthState {
    /// A valid session.
    SignedIn(Box<SessionClaims>),
    /// A valid machine token of a kind the route accepts.
    Machine(Box<MachineAuth>),
    /// Neither, and why.
    SignedOut(SignedOutReason),
}

impl AuthState {
    /// The claims of a signed-in session.
    pub fn claims(&self) -> Option<&SessionClaims> {
        match self {
            AuthState::SignedIn(claims) => Some(claims),
            AuthState::Machine(_) | AuthState::SignedOut(_) => None,
        }
    }

    /// The verified machine token.
    pub fn machine(&self) -> Option<&MachineAuth> {
        match self {
            AuthState::Machine(machine) => Some(machine),
            AuthState::SignedIn(_) | AuthState::SignedOut(_) => None,
        }
    }

    /// Who is calling, or why nobody is.
    pub fn into_principal(self) -> Result<Principal, SignedOutReason> {
        match self {
            AuthState::SignedIn(claims) => Ok(Principal::Session(claims)),
            AuthState::Machine(machine) => Ok(Principal::Machine(machine)),
            AuthState::SignedOut(reason) => Err(reason),
        }
    }
}

/// Who an authenticated request comes from: a signed-in user or a machine token.
#[derive(Debug, Clone)]
pub enum Principal {
    /// A signed-in user's session.
    Session(Box<SessionClaims>),
    /// A machine token.
    Machine(Box<MachineAuth>),
}

impl Principal {
    /// The kind of token it was.
    pub fn kind(&self) -> TokenKind {
        match self {
            Principal::Session(_) => TokenKind::Session,
            Principal::Machine(machine) => machine.kind,
        }
    }
}

/// A token taken from a request.
struct Presented {
    token: String,
    /// Whether it came from the `__session` cookie rather than the `Authorization` header.
    cookie: bool,
}

/// The token a request presents: the bearer token, else, where sessions are accepted, the
/// `__session` cookie.
fn presented(headers: &http::HeaderMap, accepts: Accepts) -> Option<Presented> {
    if let Some(token) = bearer(headers) {
        return Some(Presented { token: token.to_owned(), cookie: false });
    }
    let cookie = session_cookie(headers).filter(|_| accepts.contains(TokenKind::Session))?;
    Some(Presented { token: cookie.to_owned(), cookie: true })
}

/// The session token of a request: the bearer token, else the `__session` cookie.
pub fn session_token(headers: &http::HeaderMap) -> Option<String> {
    bearer(headers).or_else(|| session_cookie(headers)).map(str::to_owned)
}

/// The token of an `Authorization: Bearer …` header (the scheme in any case).
fn bearer(headers: &http::HeaderMap) -> Option<&str> {
    let value = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    Some(token.trim()).filter(|token| scheme.eq_ignore_ascii_case("bearer") && !token.is_empty())
}

fn session_cookie(headers: &http::HeaderMap) -> Option<&str> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|cookies| cookies.split(';'))
        .find_map(|cookie| cookie.trim().strip_prefix("__session="))
        .filter(|token| !token.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> http::HeaderMap {
        let mut map = http::HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                http::HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    #[test]
    fn the_bearer_header_wins_and_the_cookie_serves_sessions_only() {
        let both = headers(&[("authorization", "Bearer ak_1"), ("cookie", "a=1; __session=jwt")]);
        let token = |h: &http::HeaderMap, accepts| presented(h, accepts).map(|p| (p.token, p.cookie));
        assert_eq!(token(&both, Accepts::ANY), Some(("ak_1".into(), false)));
        let cookie = headers(&[("cookie", "a=1"), ("cookie", "__session=jwt")]);
        assert_eq!(token(&cookie, Accepts::SESSION), Some(("jwt".into(), true)));
        assert_eq!(token(&cookie, Accepts::MACHINE), None);
        assert_eq!(session_token(&both).as_deref(), Some("ak_1"));
    }

    #[test]
    fn only_well_formed_bearer_headers_count() {
        for (value, expected) in [
            ("Bearer abc", Some("abc")),
            ("bearer abc", Some("abc")),
            ("BEARER   abc  ", Some("abc")),
            ("Basic dXNlcjpwYXNz", None),
            ("Bearer", None),
            ("Bearer ", None),
            ("Bearerabc", None),
            ("", None),
        ] {
            assert_eq!(bearer(&headers(&[("authorization", value)])), expected, "{value:?}");
        }
        let mut binary = http::HeaderMap::new();
        binary.insert(http::header::AUTHORIZATION, http::HeaderValue::from_bytes(b"Bearer \xff").unwrap());
        assert_eq!(bearer(&binary), None);
        assert_eq!(session_cookie(&headers(&[("cookie", "__session=")])), None);
        assert_eq!(session_cookie(&headers(&[("cookie", "__session_abc=x; x__session=y")])), None);
    }

    #[test]
    fn backend_calls_have_their_own_short_budget() {
        let options = VerifyOptions::default().network(Duration::from_secs(2), 0);
        assert_eq!(options.network_attempts, 1);
        let debug = format!("{:?}", options.backend_call());
        assert!(debug.contains("timeout: Some(2s)") && debug.contains("max_attempts: 1"), "{debug}");
    }
}
