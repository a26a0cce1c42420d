//! [`Error`]: everything a call can fail with.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::Deserialize;

use crate::DecodeError;

/// The result of an SDK call: `Result<T, Error>`, with the error type open to change
/// (`clerk_sdk::Result<(), MyError>`).
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The error of every SDK call.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with a non-success status.
    Api(Box<ApiError>),
    /// The request could not be sent or the response not received (DNS, TLS, connection
    /// reset, …).
    Transport(reqwest::Error),
    /// The call did not finish within its timeout (per attempt or in total).
    Timeout(Duration),
    /// A success response whose body does not match the operation's response type.
    Decode {
        /// The response status.
        status: StatusCode,
        /// Which field failed, why, and the body.
        error: DecodeError,
    },
    /// The client or the request was set up wrongly (bad base URL, missing secret key,
    /// invalid header, body that cannot be serialized).
    Config(String),
}

impl Error {
    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode { status, .. } => Some(*status),
            Error::Transport(e) => e.status(),
            Error::Timeout(_) | Error::Config(_) => None,
        }
    }

    /// The API error, when the server answered with a non-success status.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// Whether trying again later may succeed: 429, 5xx, timeouts, connection errors and
    /// responses cut short.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => e.status == StatusCode::TOO_MANY_REQUESTS || e.status.is_server_error(),
            Error::Transport(e) => transient(e),
            Error::Timeout(_) => true,
            Error::Decode { .. } | Error::Config(_) => false,
        }
    }

    /// The Clerk error codes of an API error (`form_identifier_not_found`, …).
    pub fn codes(&self) -> Vec<&str> {
        self.api().map(|e| e.errors.iter().map(|d| d.code.as_str()).collect()).unwrap_or_default()
    }

    /// Whether the API answered 404 Not Found.
    pub fn is_not_found(&self) -> bool {
        self.api().is_some_and(|e| e.status == StatusCode::NOT_FOUND)
    }

    /// Whether the API answered 429 Too Many Requests ([`ApiError::retry_after`] says how
    /// long to wait).
    pub fn is_rate_limited(&self) -> bool {
        self.api().is_some_and(|e| e.status == StatusCode::TOO_MANY_REQUESTS)
    }

    /// A message for people: for an API error, [`ApiError::message`]; otherwise the error
    /// as displayed.
    pub fn message(&self) -> String {
        match self {
            Error::Api(e) => e.message().to_owned(),
            other => other.to_string(),
        }
    }
}

/// Turns a 404 Not Found into `Ok(None)`, for lookups of something that may not exist.
///
/// ```no_run
/// use clerk_sdk::OptionalExt as _;
/// # async fn run(clerk: clerk_sdk::Client) -> Result<(), clerk_sdk::Error> {
/// let user = clerk.users().get_user("user_123").await.optional()?;
/// # Ok(()) }
/// ```
pub trait OptionalExt<T> {
    /// `Ok(Some(value))` on success, `Ok(None)` on 404 Not Found, every other error as is.
    fn optional(self) -> Result<Option<T>, Error>;
}

impl<T> OptionalExt<T> for Result<T, Error> {
    fn optional(self) -> Result<Option<T>, Error> {
        match self {
            Ok(value) => Ok(Some(value)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// A transport failure that trying again may cure: the connection could not be opened, or
/// it failed or timed out while the request was sent or the response read (a body cut
/// halfway included).
pub(crate) fn transient(error: &reqwest::Error) -> bool {
    error.is_connect() || error.is_timeout() || error.is_request() || error.is_body() || error.is_decode()
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(e) => e.fmt(f),
            Error::Transport(e) => write!(f, "request failed: {e}"),
            Error::Timeout(after) => write!(f, "request timed out after {after:?}"),
            Error::Decode { status, error } => write!(f, "{status}: {error}"),
            Error::Config(message) => write!(f, "invalid configuration: {message}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport(e) => Some(e),
            Error::Decode { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// A non-success response from the API, with everything it carried.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The errors of a Clerk error body; empty when the body was not one.
    pub errors: Vec<ErrorDetail>,
    /// `meta` of a Clerk error body.
    pub meta: Option<serde_json::Value>,
    /// Clerk's trace id, from the body or the `x-clerk-trace-id` header: quote it to support.
    pub clerk_trace_id: Option<String>,
    /// How long the server asked to wait (`Retry-After`, seconds or HTTP date).
    pub retry_after: Option<Duration>,
    /// The raw body, whatever its format.
    pub body: String,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, headers: HeaderMap, body: String) -> Self {
        let parsed = serde_json::from_str::<ClerkErrors>(&body).ok();
        let header_trace = headers.get("x-clerk-trace-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let retry_after = crate::retry::retry_after(&headers, std::time::SystemTime::now());
        let (errors, meta, trace) = match parsed {
            Some(p) => (p.errors, p.meta, p.clerk_trace_id),
            None => (Vec::new(), None, None),
        };
        ApiError { status, headers, errors, meta, clerk_trace_id: trace.or(header_trace), retry_after, body }
    }

    /// A message for people: the first error's long message, else its message, else the
    /// status text (`Not Found`).
    pub fn message(&self) -> &str {
        let first = self.errors.first();
        let detail = first.and_then(|e| {
            [e.long_message.as_deref(), Some(e.message.as_str())].into_iter().flatten().find(|m| !m.is_empty())
        });
        detail.or(self.status.canonical_reason()).unwrap_or("unknown status")
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Clerk API error {}", self.status)?;
        match self.errors.first() {
            Some(e) => write!(f, ": {} ({})", e.long_message.as_deref().unwrap_or(&e.message), e.code)?,
            None if !self.body.is_empty() => {
                let snippet: String = self.body.chars().take(200).collect();
                write!(f, ": {snippet}")?;
            }
            None => {}
        }
        if let Some(trace) = &self.clerk_trace_id {
            write!(f, " [trace {trace}]")?;
        }
        Ok(())
    }
}

/// The body of a Clerk error response, read leniently: any missing part is tolerated.
#[derive(Debug, Clone, Default, Deserialize)]
struct ClerkErrors {
    #[serde(default)]
    errors: Vec<ErrorDetail>,
    #[serde(default)]
    meta: Option<serde_json::Value>,
    #[serde(default)]
    clerk_trace_id: Option<String>,
}

/// One error of a Clerk error body.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct ErrorDetail {
    /// A stable, machine-readable code, e.g. `form_identifier_not_found`.
    #[serde(default)]
    pub code: String,
    /// A short, human-readable message.
    #[serde(default)]
    pub message: String,
    /// A longer message with details.
    #[serde(default)]
    pub long_message: Option<String>,
    /// Extra data about the error (e.g. the offending parameter).
    #[serde(default)]
    pub meta: Option<serde_json::Value>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::collection::vec;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
    use reqwest::header::HeaderValue;

    /// Error bodies and `Retry-After` values as a server may send them: arbitrary bytes,
    /// near-valid Clerk error bodies, numbers and dates of any size.
    #[test]
    fn error_responses_of_arbitrary_bytes_never_panic() {
        const CASES: u32 = 2000;
        let body = prop_oneof![
            vec(any::<u8>(), 0..256).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
            any::<String>().prop_map(|s| format!(r#"{{"errors": [{{"code": {s:?}, "message": 1}}], "meta": {s}}}"#)),
            any::<String>(),
        ];
        let retry_after = prop_oneof![
            vec(any::<u8>(), 0..40),
            any::<u64>().prop_map(|n| n.to_string().into_bytes()),
            (any::<i64>(), 0u64..100, 0u64..100)
                .prop_map(|(year, day, s)| { format!("Sun, {day:02} Nov {year} 08:49:{s:02} GMT").into_bytes() }),
        ];
        let config = Config { cases: CASES, failure_persistence: None, ..Config::default() };
        let mut runner = TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
        runner
            .run(&(body, retry_after, 100u16..600), |(body, retry_after, status)| {
                let mut headers = HeaderMap::new();
                if let Ok(value) = HeaderValue::from_bytes(&retry_after) {
                    headers.insert(reqwest::header::RETRY_AFTER, value.clone());
                    headers.insert("x-clerk-trace-id", value);
                }
                let error = ApiError::new(StatusCode::from_u16(status).unwrap(), headers, body);
                let _ = (error.to_string(), Error::Api(Box::new(error)).codes().len());
                Ok(())
            })
            .unwrap();
        println!("error responses: {CASES} cases passed");
    }

    fn api(status: u16, body: &str) -> Error {
        let status = StatusCode::from_u16(status).unwrap();
        Error::Api(Box::new(ApiError::new(status, HeaderMap::new(), body.to_owned())))
    }

    #[test]
    fn status_predicates_match_only_their_status() {
        assert!(api(404, "").is_not_found());
        assert!(!api(404, "").is_rate_limited());
        assert!(api(429, "").is_rate_limited());
        assert!(!api(500, "").is_not_found());
        assert!(!Error::Timeout(Duration::from_secs(1)).is_not_found());
    }

    #[test]
    fn message_prefers_long_message_then_message_then_status_text() {
        let both = r#"{"errors":[{"code":"c","message":"short","long_message":"long"}]}"#;
        assert_eq!(api(422, both).message(), "long");
        let short = r#"{"errors":[{"code":"c","message":"short","long_message":""}]}"#;
        assert_eq!(api(422, short).message(), "short");
        assert_eq!(api(404, "not json").message(), "Not Found");
        assert_eq!(Error::Config("bad".to_owned()).message(), "invalid configuration: bad");
    }

    #[test]
    fn optional_turns_only_not_found_into_none() {
        assert_eq!(Ok::<_, Error>(1).optional().unwrap(), Some(1));
        assert_eq!(Err::<u8, _>(api(404, "")).optional().unwrap(), None);
        let err = Err::<u8, _>(api(500, "")).optional().unwrap_err();
        assert_eq!(err.status(), Some(StatusCode::INTERNAL_SERVER_ERROR));
    }
}
