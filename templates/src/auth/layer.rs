//! Tower layers (feature `axum`): [`ClerkAuthLayer`] authenticates every request and lets
//! the routes decide; [`RequireAuthLayer`] answers 401 itself to requests it cannot
//! authenticate.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::{Accepts, TokenVerifier, presented};

/// A tower layer that authenticates every request and puts the outcome in its extensions
/// as `Arc<AuthState>`. It never rejects: routes decide what signed-out means. For routes
/// that need a caller, prefer the extractors ([`SignedIn`](super::SignedIn), …) or
/// [`RequireAuthLayer`].
#[derive(Debug, Clone)]
pub struct ClerkAuthLayer {
    verifier: Arc<TokenVerifier>,
    accepts: Accepts,
}

impl ClerkAuthLayer {
    /// A layer that verifies session tokens with `verifier`.
    pub fn new(verifier: Arc<TokenVerifier>) -> Self {
        ClerkAuthLayer { verifier, accepts: Accepts::SESSION }
    }

    /// Accepts these kinds of token instead of session tokens only.
    pub fn accepts(mut self, accepts: Accepts) -> Self {
        self.accepts = accepts;
        self
    }
}

impl<S> tower_layer::Layer<S> for ClerkAuthLayer {
    type Service = ClerkAuth<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ClerkAuth { inner, verifier: self.verifier.clone(), accepts: self.accepts }
    }
}

/// The service [`ClerkAuthLayer`] wraps around yours.
#[derive(Debug, Clone)]
pub struct ClerkAuth<S> {
    inner: S,
    verifier: Arc<TokenVerifier>,
    accepts: Accepts,
}

impl<S, B> tower_service::Service<http::Request<B>> for ClerkAuth<S>
where
    S: tower_service::Service<http::Request<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<B>) -> Self::Future {
        let mut inner = ready_inner(&mut self.inner);
        let (verifier, accepts) = (self.verifier.clone(), self.accepts);
        let token = presented(request.headers(), accepts);
        Box::pin(async move {
            let state = verifier.authenticate_presented(token, accepts).await;
            request.extensions_mut().insert(Arc::new(state));
            inner.call(request).await
        })
    }
}

/// A tower layer that authenticates every request and answers `401 Unauthorized` (with
/// `WWW-Authenticate: Bearer`) to those without a valid token of an accepted kind. The
/// others reach your service with their [`Principal`](super::Principal) in the request's
/// extensions.
#[derive(Debug, Clone)]
pub struct RequireAuthLayer {
    verifier: Arc<TokenVerifier>,
    accepts: Accepts,
}

impl RequireAuthLayer {
    /// A layer that lets through requests with a valid token of the `accepts` kinds.
    pub fn new(verifier: Arc<TokenVerifier>, accepts: Accepts) -> Self {
        RequireAuthLayer { verifier, accepts }
    }
}

impl<S> tower_layer::Layer<S> for RequireAuthLayer {
    type Service = RequireAuth<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequireAuth { inner, verifier: self.verifier.clone(), accepts: self.accepts }
    }
}

/// The service [`RequireAuthLayer`] wraps around yours.
#[derive(Debug, Clone)]
pub struct RequireAuth<S> {
    inner: S,
    verifier: Arc<TokenVerifier>,
    accepts: Accepts,
}

impl<S, B, R> tower_service::Service<http::Request<B>> for RequireAuth<S>
where
    S: tower_service::Service<http::Request<B>, Response = http::Response<R>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
    R: Default,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<B>) -> Self::Future {
        let mut inner = ready_inner(&mut self.inner);
        let (verifier, accepts) = (self.verifier.clone(), self.accepts);
        let token = presented(request.headers(), accepts);
        Box::pin(async move {
            match verifier.authenticate_presented(token, accepts).await.into_principal() {
                Ok(principal) => {
                    request.extensions_mut().insert(principal);
                    inner.call(request).await
                }
                Err(_) => Ok(unauthorized()),
            }
        })
    }
}

/// The clone that was polled ready serves this request; a fresh clone stays behind.
fn ready_inner<S: Clone>(inner: &mut S) -> S {
    let clone = inner.clone();
    std::mem::replace(inner, clone)
}

/// `401 Unauthorized` with `WWW-Authenticate: Bearer` and an empty body: it does not say
/// why, so that it tells a caller nothing about the verifier's configuration.
pub(super) fn unauthorized<R: Default>() -> http::Response<R> {
    let mut response = http::Response::new(R::default());
    *response.status_mut() = http::StatusCode::UNAUTHORIZED;
    response.headers_mut().insert(http::header::WWW_AUTHENTICATE, http::HeaderValue::from_static("Bearer"));
    response
}
