//! A tower layer (feature `axum`) that authenticates every request.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::{TokenVerifier, session_token};

/// A tower layer that authenticates every request and puts the outcome in its extensions
/// as `Arc<AuthState>`; handlers read it with `Extension<Arc<AuthState>>`. It never
/// rejects: routes decide what signed-out means.
#[derive(Debug, Clone)]
pub struct ClerkAuthLayer {
    verifier: Arc<TokenVerifier>,
}

impl ClerkAuthLayer {
    /// A layer that verifies with `verifier`.
    pub fn new(verifier: Arc<TokenVerifier>) -> Self {
        ClerkAuthLayer { verifier }
    }
}

impl<S> tower_layer::Layer<S> for ClerkAuthLayer {
    type Service = ClerkAuth<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ClerkAuth { inner, verifier: self.verifier.clone() }
    }
}

/// The service [`ClerkAuthLayer`] wraps around yours.
#[derive(Debug, Clone)]
pub struct ClerkAuth<S> {
    inner: S,
    verifier: Arc<TokenVerifier>,
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
        // The clone that was polled ready serves this request; a fresh clone stays behind.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let verifier = self.verifier.clone();
        let token = session_token(request.headers());
        Box::pin(async move {
            let state = verifier.authenticate_token(token).await;
            request.extensions_mut().insert(Arc::new(state));
            inner.call(request).await
        })
    }
}
