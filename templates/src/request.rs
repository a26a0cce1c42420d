//! Building and sending one API call: URL encoding, bodies, authentication, retries,
//! timeouts and response decoding. Generated operations only describe their call.

use std::fmt::{Display, Write};
use std::future::Future;
use std::ops::{Bound, RangeBounds};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{Client, Error, FilePart, Response, RetryPolicy};

/// The file name sent with a [`FilePart`] that has none.
const UNNAMED_FILE: &str = "file";

/// What the generated code knows about an operation.
#[derive(Debug)]
pub(crate) struct Operation {
    pub id: &'static str,
    pub method: Method,
    pub path: &'static str,
    pub auth: bool,
}

/// Per-call settings that override the client's.
#[derive(Debug, Clone, Default)]
pub struct RequestOptions {
    timeout: Option<Duration>,
    total_timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
    headers: HeaderMap,
}

impl RequestOptions {
    /// Overrides the per-attempt timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Overrides the client's total timeout: how long the call may take, every attempt and
    /// wait between them included. It ends with [`Error::Timeout`], or at once with the last
    /// error when the next wait would not fit.
    pub fn total_timeout(mut self, timeout: Duration) -> Self {
        self.total_timeout = Some(timeout);
        self
    }

    /// Overrides the retry policy.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Sets a header (e.g. an idempotency key for your own proxy). It replaces any value
    /// the SDK would send under that name (`Authorization`, `Clerk-API-Version`,
    /// `Content-Type`, …) and any earlier value set here: a request never carries two.
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.insert(name, value);
        self
    }
}

enum Body {
    Empty,
    Json(Vec<u8>),
    Form(Vec<u8>),
    Multipart(Vec<(&'static str, Part)>),
    /// Text or raw bytes, sent as they are with their content type.
    Raw(String, Bytes),
}

enum Part {
    Text(String),
    File(FilePart),
}

/// One call being put together by a generated operation.
pub(crate) struct Call {
    /// A clone of the caller's client (one shared pool), so a call owns all it needs.
    client: Client,
    op: &'static Operation,
    path: String,
    query: String,
    body: Body,
    options: RequestOptions,
    /// The first thing that went wrong while putting the call together; sending returns it.
    error: Option<Error>,
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub(crate) fn encode(value: &str, out: &mut String) {
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

/// A path parameter as one encoded path segment (`/` and `?` included). `.`, `..` and the
/// empty string stay as they are; [`unsafe_parameter`] refuses the path they make.
#[allow(dead_code, reason = "only operations with path parameters use it")]
pub(crate) fn segment(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    encode(value, &mut out);
    out
}

/// The first path parameter of `path` (the operation's `template` filled in) that is empty,
/// `.` or `..`: URL parsers resolve such a segment, so the call would go to another
/// resource (`DELETE /users/{id}` with `..` deletes from `/`). Percent-encoding keeps `/`
/// inside a parameter, so template and path have their segments in the same places.
pub(crate) fn unsafe_parameter<'t>(template: &'t str, path: &str) -> Option<&'t str> {
    template.split('/').zip(path.split('/')).find_map(|(declared, sent)| {
        let parameter = declared.strip_prefix('{')?.strip_suffix('}')?;
        matches!(sent, "" | "." | "..").then_some(parameter)
    })
}

/// `at least 1 and at most 500`, `greater than 0`: the values a range holds.
fn bounds_text<T: Display>(range: &impl RangeBounds<T>) -> String {
    let start = match range.start_bound() {
        Bound::Included(min) => Some(format!("at least {min}")),
        Bound::Excluded(min) => Some(format!("greater than {min}")),
        Bound::Unbounded => None,
    };
    let end = match range.end_bound() {
        Bound::Included(max) => Some(format!("at most {max}")),
        Bound::Excluded(max) => Some(format!("less than {max}")),
        Bound::Unbounded => None,
    };
    let ends: Vec<String> = start.into_iter().chain(end).collect();
    if ends.is_empty() { "any value".to_owned() } else { ends.join(" and ") }
}

impl Call {
    pub fn new(client: Client, op: &'static Operation, path: String, options: RequestOptions) -> Self {
        let unsafe_parameter = unsafe_parameter(op.path, &path);
        let mut call = Call { client, op, path, query: String::new(), body: Body::Empty, options, error: None };
        if let Some(parameter) = unsafe_parameter {
            call.refuse(format_args!("path parameter `{parameter}` must not be empty, `.` or `..`"));
        }
        call
    }

    fn pair(&mut self, name: &str, value: &str) {
        self.query.push(if self.query.is_empty() { '?' } else { '&' });
        encode(name, &mut self.query);
        self.query.push('=');
        encode(value, &mut self.query);
    }

    /// `name=value`, when set.
    #[allow(dead_code, reason = "only operations with query parameters use it")]
    pub fn query(&mut self, name: &str, value: Option<&impl Display>) {
        if let Some(value) = value {
            self.pair(name, &value.to_string());
        }
    }

    /// An array: `name=a&name=b` when exploded, else `name=a,b`.
    #[allow(dead_code, reason = "only operations with array query parameters use it")]
    pub fn query_list<T: Display>(&mut self, name: &str, values: Option<&Vec<T>>, explode: bool) {
        let Some(values) = values else { return };
        if explode {
            for value in values {
                self.pair(name, &value.to_string());
            }
        } else {
            let joined: Vec<String> = values.iter().map(ToString::to_string).collect();
            self.pair(name, &joined.join(","));
        }
    }

    fn fail(&mut self, error: Error) {
        self.error.get_or_insert(error);
    }

    /// Refuses to send: the call ends with [`Error::Config`] naming the operation and
    /// `problem`, before any request. The first refusal wins.
    pub fn refuse(&mut self, problem: impl Display) {
        let op = self.op;
        self.fail(Error::Config(format!("{} ({} {}): {problem}", op.id, op.method, op.path)));
    }

    /// Refuses the call when parameter `name` is set to a value outside `range`, the
    /// values the API accepts: the server would not say so (Clerk answers an out-of-range
    /// `limit` with its default page size), and a walk over pages would end early.
    #[allow(dead_code, reason = "only operations with bounded parameters use it")]
    pub fn check_range<T: PartialOrd + Display>(&mut self, name: &str, value: Option<&T>, range: impl RangeBounds<T>) {
        if let Some(value) = value.filter(|value| !range.contains(value)) {
            self.refuse(format_args!("`{name}` must be {}, not {value}", bounds_text(&range)));
        }
    }

    #[allow(dead_code, reason = "only operations with JSON bodies use it")]
    pub fn json(&mut self, body: &impl Serialize) {
        let mut bytes = Vec::with_capacity(128);
        let written = serde_json::to_writer(&mut bytes, body);
        self.json_bytes(bytes, written);
    }

    /// The part of [`json`](Call::json) that does not depend on the body's type, compiled
    /// once: keeps the body, or fails the call when it could not be serialized.
    #[allow(dead_code, reason = "only operations with JSON bodies use it")]
    fn json_bytes(&mut self, bytes: Vec<u8>, written: serde_json::Result<()>) {
        match written {
            Ok(()) => self.body = Body::Json(bytes),
            Err(e) => self.fail(Error::Config(format!("cannot serialize the body: {e}"))),
        }
    }

    /// A header parameter, when set.
    #[allow(dead_code, reason = "only operations with header parameters use it")]
    pub fn header(&mut self, name: &str, value: Option<&impl Display>) {
        let Some(value) = value else { return };
        match (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(&value.to_string())) {
            (Ok(name), Ok(value)) => {
                self.options.headers.insert(name, value);
            }
            (Err(e), _) => self.fail(Error::Config(format!("header {name}: {e}"))),
            (_, Err(e)) => self.fail(Error::Config(format!("header {name}: {e}"))),
        }
    }

    /// An `application/x-www-form-urlencoded` body: scalars as they are, arrays as repeated
    /// keys, nested objects as JSON text; unset and `null` fields are left out.
    #[allow(dead_code, reason = "only operations with form bodies use it")]
    pub fn form(&mut self, body: &impl Serialize) {
        let map = match serde_json::to_value(body) {
            Ok(serde_json::Value::Object(map)) => map,
            Ok(_) => return self.fail(Error::Config("a form body must be an object".to_owned())),
            Err(e) => return self.fail(Error::Config(format!("cannot serialize the body: {e}"))),
        };
        let mut out = String::new();
        let mut pair = |key: &str, value: &serde_json::Value| {
            let text = match value {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => return,
                other => other.to_string(),
            };
            if !out.is_empty() {
                out.push('&');
            }
            encode(key, &mut out);
            out.push('=');
            encode(&text, &mut out);
        };
        for (key, value) in &map {
            match value {
                serde_json::Value::Array(items) => items.iter().for_each(|item| pair(key, item)),
                other => pair(key, other),
            }
        }
        self.body = Body::Form(out.into_bytes());
    }

    /// A file part of a multipart body, when set.
    #[allow(dead_code, reason = "only operations with multipart bodies use it")]
    pub fn file(&mut self, name: &'static str, file: Option<&FilePart>) {
        if let Some(file) = file {
            self.part(name, Part::File(file.clone()));
        }
    }

    /// A text part of a multipart body, when set.
    #[allow(dead_code, reason = "only multipart bodies with non-file fields use it")]
    pub fn text(&mut self, name: &'static str, value: Option<&impl Display>) {
        if let Some(value) = value {
            self.part(name, Part::Text(value.to_string()));
        }
    }

    /// A text body (`text/plain`, `text/csv`, …), sent as it is with the declared content type.
    #[allow(dead_code, reason = "only operations with text bodies use it")]
    pub fn text_body(&mut self, content_type: &'static str, text: &str) {
        self.body = Body::Raw(content_type.to_owned(), Bytes::copy_from_slice(text.as_bytes()));
    }

    /// A raw body: the file's bytes, with its own content type if it has one, else the
    /// declared one.
    #[allow(dead_code, reason = "only operations with raw bodies use it")]
    pub fn raw_body(&mut self, content_type: &'static str, file: &FilePart) {
        let content_type = file.mime().unwrap_or(content_type).to_owned();
        self.body = Body::Raw(content_type, Bytes::copy_from_slice(file.bytes()));
    }

    fn part(&mut self, name: &'static str, part: Part) {
        match &mut self.body {
            Body::Multipart(parts) => parts.push((name, part)),
            _ => self.body = Body::Multipart(vec![(name, part)]),
        }
    }

    pub(crate) fn build(&self) -> Result<reqwest::Request, Error> {
        let inner = &self.client.inner;
        // The base URL was parsed when the client was built; the path and query are
        // already percent-encoded, so setting them leaves them as they are.
        let mut url = inner.base.clone();
        let prefix = inner.base.path().trim_end_matches('/');
        let mut path = String::with_capacity(prefix.len() + self.path.len());
        path.push_str(prefix);
        path.push_str(&self.path);
        url.set_path(&path);
        url.set_query(self.query.strip_prefix('?'));
        let mut request = inner.http.request(self.op.method.clone(), url);
        request = request.header("Clerk-API-Version", crate::API_VERSION);
        if self.op.auth {
            request = request.bearer_auth(inner.secret.expose());
        }
        if let Some(timeout) = self.options.timeout.or(inner.timeout) {
            request = request.timeout(timeout);
        }
        request = match &self.body {
            Body::Empty => request,
            Body::Json(bytes) => request.header(reqwest::header::CONTENT_TYPE, "application/json").body(bytes.clone()),
            Body::Form(bytes) => {
                request.header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(bytes.clone())
            }
            Body::Multipart(parts) => {
                let mut form = reqwest::multipart::Form::new();
                for (name, part) in parts {
                    form = match part {
                        Part::Text(text) => form.text(*name, text.clone()),
                        Part::File(file) => {
                            // Multipart parsers take a part without a file name for a
                            // text field, not a file.
                            let file_name = file.name().unwrap_or(UNNAMED_FILE).to_owned();
                            let mut p = reqwest::multipart::Part::bytes(file.bytes().to_vec()).file_name(file_name);
                            if let Some(mime) = file.mime() {
                                p = p
                                    .mime_str(mime)
                                    .map_err(|e| Error::Config(format!("invalid content type: {e}")))?;
                            }
                            form.part(*name, p)
                        }
                    };
                }
                request.multipart(form)
            }
            Body::Raw(content_type, bytes) => {
                request.header(reqwest::header::CONTENT_TYPE, content_type.as_str()).body(bytes.clone())
            }
        };
        let mut request = request.build().map_err(|e| {
            Error::Config(format!("{} ({} {}): invalid request: {e}", self.op.id, self.op.method, self.op.path))
        })?;
        // Replaced, not appended: two credentials or two API versions would leave the
        // choice to the server.
        for (name, value) in &self.options.headers {
            request.headers_mut().insert(name, value.clone());
        }
        Ok(request)
    }

    fn idempotent(&self) -> bool {
        matches!(self.op.method, Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS)
    }

    /// Sends with retries and returns the success response.
    async fn execute(mut self) -> Result<Success, Error> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        let total = self.options.total_timeout.or(self.client.inner.total_timeout);
        let started = Instant::now();
        let work = self.attempts(started, total);
        match total {
            Some(limit) => tokio::time::timeout(limit, work).await.unwrap_or(Err(Error::Timeout(limit))),
            None => work.await,
        }
    }

    async fn attempts(self, started: Instant, total: Option<Duration>) -> Result<Success, Error> {
        let policy = self.options.retry.as_ref().unwrap_or(&self.client.inner.retry);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let outcome = self.attempt(attempt).await;
            let (retry, wait) = match &outcome {
                Ok(_) => (false, None),
                Err(Error::Api(e)) => {
                    let status = e.status;
                    let retry =
                        status == StatusCode::TOO_MANY_REQUESTS || (self.idempotent() && status.is_server_error());
                    (retry, e.retry_after)
                }
                // A connection that never opened: the server did not see the request.
                Err(Error::Transport(e)) if e.is_connect() => (true, None),
                Err(Error::Transport(e)) => (self.idempotent() && crate::error::transient(e), None),
                Err(Error::Timeout(_)) => (self.idempotent(), None),
                Err(_) => (false, None),
            };
            if !retry {
                return outcome;
            }
            let elapsed = started.elapsed();
            let remaining = total.map(|total| total.saturating_sub(elapsed));
            let Some(wait) = policy.next_wait(attempt, wait, elapsed, remaining) else {
                return outcome;
            };
            tokio::time::sleep(wait).await;
        }
    }

    async fn attempt(&self, attempt: u32) -> Result<Success, Error> {
        let request = self.build()?;
        #[cfg(feature = "tracing")]
        let span = tracing::info_span!(
            "clerk.request",
            operation = self.op.id,
            method = %self.op.method,
            path = self.op.path,
            attempt,
            status = tracing::field::Empty,
        );
        #[cfg(not(feature = "tracing"))]
        let _ = attempt;
        let send = async {
            let timeout = request.timeout().copied();
            let mut response = self.client.inner.http.execute(request).await.map_err(|e| match timeout {
                Some(limit) if e.is_timeout() => Error::Timeout(limit),
                _ => Error::Transport(e),
            })?;
            let status = response.status();
            // Moved out, not copied: reading the body consumes the response.
            let headers = std::mem::take(response.headers_mut());
            let body = response.bytes().await.map_err(|e| match timeout {
                Some(limit) if e.is_timeout() => Error::Timeout(limit),
                _ => Error::Transport(e),
            })?;
            Ok::<_, Error>((status, headers, body))
        };
        #[cfg(feature = "tracing")]
        let (status, headers, body) = tracing::Instrument::instrument(send, span.clone()).await?;
        #[cfg(not(feature = "tracing"))]
        let (status, headers, body) = send.await?;
        #[cfg(feature = "tracing")]
        span.record("status", status.as_u16());
        if status.is_success() {
            Ok(Success { status, headers, body })
        } else {
            Err(Error::Api(Box::new(crate::ApiError::new(
                status,
                headers,
                String::from_utf8_lossy(&body).into_owned(),
            ))))
        }
    }

    fn send<T>(self, read: Read<T>) -> Pending<T> {
        Pending { sent: Box::pin(self.execute()), read }
    }

    /// Sends and decodes a JSON body.
    #[allow(dead_code, reason = "only operations with JSON responses use it")]
    pub fn send_json<T: DeserializeOwned>(self) -> Pending<T> {
        // A `match`, not `map_err`: one function fewer per response type.
        self.send(|status, body| match crate::decode::decode_bytes(&body) {
            Ok(value) => Ok(value),
            Err(error) => Err(Error::Decode { status, error }),
        })
    }

    /// Sends and ignores the body.
    #[allow(dead_code, reason = "only operations without a response body use it")]
    pub fn send_empty(self) -> Pending<()> {
        self.send(|_, _| Ok(()))
    }

    /// Sends and returns the body as it came.
    #[allow(dead_code, reason = "only operations with binary responses use it")]
    pub fn send_bytes(self) -> Pending<Bytes> {
        self.send(|_, body| Ok(body))
    }

    /// Sends and returns the body as text.
    #[allow(dead_code, reason = "only operations with text responses use it")]
    pub fn send_text(self) -> Pending<String> {
        self.send(|_, body| Ok(String::from_utf8_lossy(&body).into_owned()))
    }
}

// Here rather than in `file.rs`: only a crate with a client depends on `bytes`.
impl From<Bytes> for FilePart {
    fn from(bytes: Bytes) -> Self {
        FilePart::new(bytes)
    }
}

/// A success response as received, before its body is decoded.
struct Success {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

/// The call in flight; it owns its client, so it can be spawned or stored.
type Sent = Pin<Box<dyn Future<Output = Result<Success, Error>> + Send + 'static>>;

/// Decodes the body of a success.
type Read<T> = fn(StatusCode, Bytes) -> Result<T, Error>;

/// A request on its way: the future every operation's `send()` returns (and `.await` on a
/// request builder runs). It resolves to the decoded response or an [`Error`];
/// [`with_response`](Pending::with_response) keeps the status and headers too.
#[must_use = "a request does nothing until it is awaited"]
pub struct Pending<T> {
    sent: Sent,
    read: Read<T>,
}

impl<T> Pending<T> {
    /// Resolves to the decoded body together with the response's status and headers.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_sdk::Client) -> Result<(), clerk_sdk::Error> {
    /// let response = clerk.users().get_user("user_123").send().with_response().await?;
    /// println!("{} {:?}", response.status(), response.headers().get("x-clerk-trace-id"));
    /// let user = response.into_inner();
    /// # let _ = user;
    /// # Ok(()) }
    /// ```
    pub fn with_response(self) -> WithResponse<T> {
        WithResponse { sent: self.sent, read: self.read }
    }
}

impl<T> Future for Pending<T> {
    type Output = Result<T, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let read = self.read;
        self.sent.as_mut().poll(cx).map(|sent| sent.and_then(|success| read(success.status, success.body)))
    }
}

impl<T> std::fmt::Debug for Pending<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pending { .. }")
    }
}

/// A request on its way that resolves to a [`Response`]: the decoded body with the
/// status and headers. Made by [`Pending::with_response`].
#[must_use = "a request does nothing until it is awaited"]
pub struct WithResponse<T> {
    sent: Sent,
    read: Read<T>,
}

impl<T> Future for WithResponse<T> {
    type Output = Result<Response<T>, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let read = self.read;
        self.sent.as_mut().poll(cx).map(|sent| {
            let Success { status, headers, body } = sent?;
            Ok(Response::new(status, headers, read(status, body)?))
        })
    }
}

impl<T> std::fmt::Debug for WithResponse<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WithResponse { .. }")
    }
}

/// `.await` on a request builder sends it.
macro_rules! into_future {
    ($builder:ident, $output:ty) => {
        impl std::future::IntoFuture for $builder {
            type Output = Result<$output, crate::Error>;
            type IntoFuture = crate::Pending<$output>;

            // Compiled where it is awaited, as `send` is.
            #[inline]
            fn into_future(self) -> Self::IntoFuture {
                self.send()
            }
        }
    };
}

pub(crate) use into_future;
