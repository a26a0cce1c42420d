//! [`Client`]: configuration, credentials and the HTTP connection pool.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::{Error, RetryPolicy};

/// A Clerk secret key (`sk_…`). It is never printed: `Debug` shows `[redacted]`.
#[derive(Clone)]
pub struct SecretKey(String);

impl SecretKey {
    /// Wraps a secret key.
    pub fn new(key: impl Into<String>) -> Self {
        SecretKey(key.into())
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey([redacted])")
    }
}

impl From<String> for SecretKey {
    fn from(key: String) -> Self {
        SecretKey(key)
    }
}

impl From<&str> for SecretKey {
    fn from(key: &str) -> Self {
        SecretKey(key.to_owned())
    }
}

/// A client for Clerk's Backend API. Cheap to clone: clones share one connection pool.
///
/// ```no_run
/// # async fn run() -> Result<(), clerk_sdk::Error> {
/// let clerk = clerk_sdk::Client::from_env()?;
/// let users = clerk.users().get_user_list().limit(10).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub http: reqwest::Client,
    pub base_url: String,
    /// `base_url` parsed once: calls only set its path and query.
    pub base: reqwest::Url,
    pub secret: SecretKey,
    pub timeout: Option<Duration>,
    pub total_timeout: Option<Duration>,
    pub retry: RetryPolicy,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("secret_key", &self.inner.secret)
            .field("timeout", &self.inner.timeout)
            .field("total_timeout", &self.inner.total_timeout)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client with default settings for a secret key.
    pub fn new(secret_key: impl Into<SecretKey>) -> Result<Self, Error> {
        Self::builder(secret_key).build()
    }

    /// A client for the secret key in `CLERK_SECRET_KEY` and, when set, the API at
    /// `CLERK_API_URL` (a host such as `https://api.clerk.com`, as Clerk's other SDKs read
    /// it; `/v1` is added unless the URL already ends with it).
    pub fn from_env() -> Result<Self, Error> {
        Self::from_env_with(|name| std::env::var(name).ok())
    }

    /// [`from_env`](Self::from_env) with the variables read through `var`.
    fn from_env_with(var: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let key = var("CLERK_SECRET_KEY").ok_or_else(|| Error::Config("CLERK_SECRET_KEY is not set".to_owned()))?;
        let mut builder = Self::builder(key);
        if let Some(url) = var("CLERK_API_URL").filter(|url| !url.trim().is_empty()) {
            builder = builder.base_url(api_url(&url));
        }
        builder.build()
    }

    /// A builder to configure the base URL, timeouts, retries and HTTP client.
    pub fn builder(secret_key: impl Into<SecretKey>) -> ClientBuilder {
        ClientBuilder {
            secret: secret_key.into(),
            base_url: crate::DEFAULT_BASE_URL.to_owned(),
            connect_timeout: Some(Duration::from_secs(10)),
            timeout: Some(Duration::from_secs(30)),
            total_timeout: None,
            user_agent: concat!("clerk-sdk-rust/", env!("CARGO_PKG_VERSION")).to_owned(),
            retry: RetryPolicy::default(),
            http: None,
        }
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }
}

/// The base URL for a `CLERK_API_URL` value: Clerk's SDKs give it without the version path
/// and add `/v1`, so a value that already ends with `/v1` is kept as is.
fn api_url(value: &str) -> String {
    let host = value.trim().trim_end_matches('/');
    if host.ends_with("/v1") { host.to_owned() } else { format!("{host}/v1") }
}

/// Configures a [`Client`].
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    secret: SecretKey,
    base_url: String,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    total_timeout: Option<Duration>,
    user_agent: String,
    retry: RetryPolicy,
    http: Option<reqwest::Client>,
}

impl ClientBuilder {
    /// The API's base URL, e.g. a proxy or a mock server (default: the spec's server).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// How long to wait for a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// How long one attempt may take (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// How long a call may take in total, every attempt and the waits between them
    /// included (default: no limit beyond the retry policy's `max_attempts` and
    /// `max_elapsed`). The call ends with [`Error::Timeout`], or at once with the last error
    /// when the next wait would not fit; [`RequestOptions::total_timeout`](crate::RequestOptions::total_timeout)
    /// sets it per call.
    pub fn total_timeout(mut self, timeout: Duration) -> Self {
        self.total_timeout = Some(timeout);
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// The retry policy; [`RetryPolicy::none`] turns retries off.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Uses this `reqwest::Client` (its own timeouts, proxy, TLS and redirect settings apply;
    /// the user agent, connect timeout and same-origin redirect policy set here do not).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let base_url = self.base_url.trim_end_matches('/').to_owned();
        let base =
            reqwest::Url::parse(&base_url).map_err(|e| Error::Config(format!("invalid base URL {base_url:?}: {e}")))?;
        if self.secret.expose().is_empty() {
            return Err(Error::Config("the secret key is empty".to_owned()));
        }
        let http = match self.http {
            Some(http) => http,
            None => {
                #[cfg(feature = "rustls")]
                {
                    // Installs ring as the process default unless a provider is installed.
                    let _ = rustls::crypto::ring::default_provider().install_default();
                }
                let mut builder = reqwest::Client::builder().user_agent(self.user_agent).redirect(
                    reqwest::redirect::Policy::custom(|attempt| {
                        if follows(attempt.url(), attempt.previous()) { attempt.follow() } else { attempt.stop() }
                    }),
                );
                if let Some(timeout) = self.connect_timeout {
                    builder = builder.connect_timeout(timeout);
                }
                builder.build().map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?
            }
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url,
                base,
                secret: self.secret,
                timeout: self.timeout,
                total_timeout: self.total_timeout,
                retry: self.retry,
            }),
        })
    }
}

/// Whether to follow a redirect to `next` after the URLs `previous` (the call's own first):
/// only within the origin the call went to, and at most ten times. A redirect elsewhere is
/// not followed (the 3xx is returned as an [`Error::Api`]): following it would send the
/// body, passwords included, to another host and return that host's answer as the API's.
fn follows(next: &reqwest::Url, previous: &[reqwest::Url]) -> bool {
    const MAX_REDIRECTS: usize = 10;
    previous.len() <= MAX_REDIRECTS && previous.first().is_some_and(|first| first.origin() == next.origin())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_are_followed_only_within_the_calls_origin() {
        let url = |text: &str| reqwest::Url::parse(text).unwrap();
        let api = [url("https://api.clerk.com/v1/users")];
        assert!(follows(&url("https://api.clerk.com/v1/users/"), &api));
        for elsewhere in
            ["https://evil.example/v1/users", "http://api.clerk.com/v1/users", "https://api.clerk.com:8443/"]
        {
            assert!(!follows(&url(elsewhere), &api), "{elsewhere}");
        }
        let hops = vec![url("https://api.clerk.com/v1/users"); 11];
        assert!(!follows(&url("https://api.clerk.com/v1/users"), &hops), "too many redirects");
        assert!(!follows(&url("https://api.clerk.com/v1/users"), &[]));
    }

    #[tokio::test]
    async fn a_redirect_off_the_api_origin_is_not_followed() {
        use wiremock::matchers::path;
        use wiremock::{Mock, MockServer, ResponseTemplate};

        let elsewhere = MockServer::start().await;
        Mock::given(path("/stolen")).respond_with(ResponseTemplate::new(200)).mount(&elsewhere).await;
        let api = MockServer::start().await;
        let moved = |to: String| ResponseTemplate::new(307).insert_header("location", to);
        Mock::given(path("/away")).respond_with(moved(format!("{}/stolen", elsewhere.uri()))).mount(&api).await;
        Mock::given(path("/here")).respond_with(moved(format!("{}/moved", api.uri()))).mount(&api).await;
        Mock::given(path("/moved")).respond_with(ResponseTemplate::new(200).set_body_string("ok")).mount(&api).await;
        let client = Client::builder("sk_test_key").base_url(api.uri()).build().unwrap();
        let http = &client.inner.http;

        let response = http.post(format!("{}/away", api.uri())).body("password=hunter2").send().await.unwrap();
        assert_eq!(response.status(), 307);
        assert!(elsewhere.received_requests().await.unwrap().is_empty(), "nothing may reach another host");

        let response = http.post(format!("{}/here", api.uri())).body("{}").send().await.unwrap();
        assert_eq!((response.status().as_u16(), response.text().await.unwrap()), (200, "ok".to_owned()));
    }

    fn from_vars(vars: &[(&str, &str)]) -> Result<Client, Error> {
        Client::from_env_with(|name| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| (*v).to_owned()))
    }

    #[test]
    fn the_secret_key_is_required() {
        let err = from_vars(&[("CLERK_API_URL", "https://api.clerk.com")]).unwrap_err();
        assert_eq!(err.to_string(), "invalid configuration: CLERK_SECRET_KEY is not set");
    }

    #[test]
    fn clerk_api_url_sets_the_base_url_with_the_version_path() {
        let with = |url| from_vars(&[("CLERK_SECRET_KEY", "sk_test_x"), ("CLERK_API_URL", url)]).unwrap();
        assert_eq!(with("https://proxy.example").base_url(), "https://proxy.example/v1");
        assert_eq!(with("https://proxy.example/").base_url(), "https://proxy.example/v1");
        assert_eq!(with("https://proxy.example/v1/").base_url(), "https://proxy.example/v1");
        assert_eq!(with("  ").base_url(), crate::DEFAULT_BASE_URL);
    }

    #[test]
    fn without_clerk_api_url_the_default_server_is_used() {
        assert_eq!(from_vars(&[("CLERK_SECRET_KEY", "sk_test_x")]).unwrap().base_url(), crate::DEFAULT_BASE_URL);
    }
}
