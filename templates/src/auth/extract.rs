//! axum extractors (feature `axum`): a handler that takes [`SignedIn`], [`MachineToken`]
//! or [`Authenticated`] runs only for requests with a valid token of the kinds it accepts;
//! the others get `401 Unauthorized`. `Option<…>` of each serves both.
//!
//! The extractors verify with the `Arc<TokenVerifier>` of the router's state (directly, or
//! through `FromRef`), so a route cannot forget to be set up: without the verifier in the
//! state, the handler does not compile.

use std::convert::Infallible;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use axum_core::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use axum_core::response::{IntoResponse, Response};
use http::request::Parts;

use super::{Accepts, MachineAuth, Principal, SessionClaims, SignedOutReason, TokenVerifier, presented};

/// The kinds of token a [`MachineToken`] or [`Authenticated`] extractor accepts, as a type.
/// The [`accept`] module has the usual sets; combine kinds with your own:
///
/// ```
/// use clerk_sdk::auth::{AcceptedTokens, Accepts};
///
/// struct SessionOrApiKey;
///
/// impl AcceptedTokens for SessionOrApiKey {
///     const ACCEPTS: Accepts = Accepts::SESSION.or(Accepts::API_KEY);
/// }
/// ```
pub trait AcceptedTokens: Send + Sync + 'static {
    /// The kinds accepted.
    const ACCEPTS: Accepts;
}

/// The usual sets of accepted token kinds, for [`MachineToken`] and [`Authenticated`].
pub mod accept {
    use super::{AcceptedTokens, Accepts};

    /// Session tokens.
    #[derive(Debug)]
    pub struct SessionTokens;
    /// API keys.
    #[derive(Debug)]
    pub struct ApiKeys;
    /// M2M tokens.
    #[derive(Debug)]
    pub struct M2mTokens;
    /// OAuth access tokens.
    #[derive(Debug)]
    pub struct OAuthTokens;
    /// Every machine token: API keys, M2M and OAuth tokens.
    #[derive(Debug)]
    pub struct MachineTokens;
    /// Every kind of token.
    #[derive(Debug)]
    pub struct AnyToken;

    impl AcceptedTokens for SessionTokens {
        const ACCEPTS: Accepts = Accepts::SESSION;
    }
    impl AcceptedTokens for ApiKeys {
        const ACCEPTS: Accepts = Accepts::API_KEY;
    }
    impl AcceptedTokens for M2mTokens {
        const ACCEPTS: Accepts = Accepts::M2M;
    }
    impl AcceptedTokens for OAuthTokens {
        const ACCEPTS: Accepts = Accepts::OAUTH;
    }
    impl AcceptedTokens for MachineTokens {
        const ACCEPTS: Accepts = Accepts::MACHINE;
    }
    impl AcceptedTokens for AnyToken {
        const ACCEPTS: Accepts = Accepts::ANY;
    }
}

/// The rejection of the extractors: `401 Unauthorized` with `WWW-Authenticate: Bearer` and
/// an empty body. The reason is for your logs (take `Result<SignedIn, Unauthorized>` to see
/// it); the response does not tell it.
#[derive(Debug)]
pub struct Unauthorized(pub SignedOutReason);

impl fmt::Display for Unauthorized {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Unauthorized {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

impl IntoResponse for Unauthorized {
    fn into_response(self) -> Response {
        super::layer::unauthorized()
    }
}

/// A request from a signed-in user: a valid session token (bearer or `__session` cookie).
/// Machine tokens are refused.
///
/// ```
/// use clerk_sdk::auth::SignedIn;
///
/// async fn me(SignedIn(session): SignedIn) -> String {
///     session.sub
/// }
/// ```
#[derive(Debug, Clone)]
pub struct SignedIn(pub SessionClaims);

/// A request with a valid machine token of the kinds `A` accepts (sessions never pass).
/// Dereferences to its [`MachineAuth`].
///
/// ```
/// use clerk_sdk::auth::{MachineToken, accept};
///
/// async fn export(machine: MachineToken<accept::ApiKeys>) -> String {
///     machine.subject.clone()
/// }
/// ```
#[derive(Debug, Clone)]
pub struct MachineToken<A: AcceptedTokens = accept::MachineTokens> {
    machine: MachineAuth,
    accepted: PhantomData<fn() -> A>,
}

impl<A: AcceptedTokens> MachineToken<A> {
    /// The verified machine token.
    pub fn into_inner(self) -> MachineAuth {
        self.machine
    }
}

impl<A: AcceptedTokens> std::ops::Deref for MachineToken<A> {
    type Target = MachineAuth;

    fn deref(&self) -> &MachineAuth {
        &self.machine
    }
}

/// A request with a valid token of the kinds `A` accepts, session or machine. Dereferences
/// to its [`Principal`], an exhaustive enum.
///
/// ```
/// use clerk_sdk::auth::{Authenticated, Principal};
///
/// async fn whoami(caller: Authenticated) -> String {
///     match &*caller {
///         Principal::Session(session) => session.sub.clone(),
///         Principal::Machine(machine) => machine.subject.clone(),
///     }
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Authenticated<A: AcceptedTokens = accept::AnyToken> {
    principal: Principal,
    accepted: PhantomData<fn() -> A>,
}

impl<A: AcceptedTokens> Authenticated<A> {
    /// Who is calling.
    pub fn into_inner(self) -> Principal {
        self.principal
    }
}

impl<A: AcceptedTokens> std::ops::Deref for Authenticated<A> {
    type Target = Principal;

    fn deref(&self) -> &Principal {
        &self.principal
    }
}

/// Authenticates the request with the state's verifier, accepting `accepts`.
async fn authenticate<S>(parts: &Parts, state: &S, accepts: Accepts) -> Result<Principal, Unauthorized>
where
    Arc<TokenVerifier>: FromRef<S>,
{
    let verifier = Arc::<TokenVerifier>::from_ref(state);
    let token = presented(&parts.headers, accepts);
    verifier.authenticate_presented(token, accepts).await.into_principal().map_err(Unauthorized)
}

fn not_accepted(principal: &Principal) -> Unauthorized {
    Unauthorized(SignedOutReason::NotAccepted(principal.kind()))
}

impl<S> FromRequestParts<S> for SignedIn
where
    Arc<TokenVerifier>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Unauthorized;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Unauthorized> {
        match authenticate(parts, state, Accepts::SESSION).await? {
            Principal::Session(claims) => Ok(SignedIn(*claims)),
            machine @ Principal::Machine(_) => Err(not_accepted(&machine)),
        }
    }
}

impl<S, A: AcceptedTokens> FromRequestParts<S> for MachineToken<A>
where
    Arc<TokenVerifier>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Unauthorized;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Unauthorized> {
        let accepts = A::ACCEPTS.machines_only();
        match authenticate(parts, state, accepts).await? {
            Principal::Machine(machine) => Ok(MachineToken { machine: *machine, accepted: PhantomData }),
            session @ Principal::Session(_) => Err(not_accepted(&session)),
        }
    }
}

impl<S, A: AcceptedTokens> FromRequestParts<S> for Authenticated<A>
where
    Arc<TokenVerifier>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Unauthorized;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Unauthorized> {
        let principal = authenticate(parts, state, A::ACCEPTS).await?;
        Ok(Authenticated { principal, accepted: PhantomData })
    }
}

/// `Option<SignedIn>` and the others: `None` for a request without a valid token of an
/// accepted kind, for routes that serve signed-out requests too.
macro_rules! optional {
    ($($extractor:ty => [$($generic:ident)?]),*) => {$(
        impl<S $(, $generic: AcceptedTokens)?> OptionalFromRequestParts<S> for $extractor
        where
            Arc<TokenVerifier>: FromRef<S>,
            S: Send + Sync,
        {
            type Rejection = Infallible;

            async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Option<Self>, Infallible> {
                Ok(<Self as FromRequestParts<S>>::from_request_parts(parts, state).await.ok())
            }
        }
    )*};
}

optional!(SignedIn => [], MachineToken<A> => [A], Authenticated<A> => [A]);
