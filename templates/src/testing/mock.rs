//! A local mock of the Backend API with one typed expectation per operation: match a
//! request by its path parameters, query parameters and body fields, answer with a typed
//! model, a Clerk error or a raw status, and count the calls.

use std::convert::Infallible;
use std::fmt;
use std::marker::PhantomData;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use serde::Serialize;

use super::rule::{Received, Rule};
use crate::{Client, ClientBuilder, RetryPolicy};

/// The status of the answer to a request that no mounted mock matches: one no operation
/// answers with, so that the SDK surfaces it as an [`Error::Api`](crate::Error::Api) whose
/// message says why nothing matched.
pub const UNMATCHED_STATUS: u16 = 501;

/// The secret key of [`MockServer::client`]; the mock accepts any.
const MOCK_SECRET_KEY: &str = "sk_test_mock";

/// An operation that can be mocked: the request builder of one operation, with what its
/// request looks like and how its response is sent. Implemented for every operation.
pub trait Endpoint {
    /// What the operation returns on success.
    type Response;
    /// The operation, as the client's method names it: `get_user`.
    const OPERATION: &'static str;
    /// The HTTP method, e.g. `GET`.
    const METHOD: &'static str;
    /// The path template, e.g. `/users/{user_id}`.
    const PATH: &'static str;
    /// The success answer carrying `response`.
    fn reply(response: Self::Response) -> Reply;
}

/// An answer of the mock: a status, headers and a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Bytes,
}

impl Reply {
    /// `status` with no body; a status outside 100–999 is sent as 500.
    pub fn status(status: u16) -> Self {
        Reply { status, headers: Vec::new(), body: Bytes::new() }
    }

    /// `status` with `value` as JSON.
    pub fn json(status: u16, value: &impl Serialize) -> Self {
        match serde_json::to_vec(value) {
            Ok(body) => Reply::status(status).with_body("application/json", body),
            Err(e) => Reply::unmatched(&format!("the mocked response cannot be serialized: {e}")),
        }
    }

    /// `status` with a text body.
    pub fn text(status: u16, text: impl Into<String>) -> Self {
        Reply::status(status).with_body("text/plain; charset=utf-8", text.into())
    }

    /// `status` with raw bytes.
    pub fn bytes(status: u16, bytes: impl Into<Bytes>) -> Self {
        Reply::status(status).with_body("application/octet-stream", bytes)
    }

    /// A Clerk error body (`{"errors": [{"code", "message", "long_message"}]}`).
    pub fn error(status: u16, code: &str, message: &str) -> Self {
        let body = serde_json::json!({
            "errors": [{"code": code, "message": message, "long_message": message}],
            "clerk_trace_id": "trace_mock",
        });
        Reply::json(status, &body)
    }

    /// A header on the answer; one whose name or value is not valid HTTP is left out.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    fn with_body(self, content_type: &str, body: impl Into<Bytes>) -> Self {
        Reply { body: body.into(), ..self.header("content-type", content_type) }
    }

    /// The answer to a request nothing matched: a Clerk error whose message is `why`.
    fn unmatched(why: &str) -> Self {
        Reply::error(UNMATCHED_STATUS, "mock_unmatched", why)
    }

    fn into_response(self) -> http::Response<Full<Bytes>> {
        let mut response = http::Response::new(Full::new(self.body));
        *response.status_mut() =
            http::StatusCode::from_u16(self.status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        for (name, value) in self.headers {
            // A header that is not valid HTTP is left out rather than failing the answer.
            if let (Ok(name), Ok(value)) = (http::HeaderName::try_from(name), http::HeaderValue::try_from(value)) {
                response.headers_mut().insert(name, value);
            }
        }
        response
    }
}

/// A mounted expectation: what it matches, how it answers, and how often it was called.
struct Mounted {
    rule: Rule,
    reply: Reply,
    expected: Option<usize>,
    calls: Arc<AtomicUsize>,
}

impl Mounted {
    /// Whether it may answer one more call: an expectation of `n` calls answers `n`.
    fn open(&self) -> bool {
        self.expected.is_none_or(|n| self.calls.load(Ordering::SeqCst) < n)
    }
}

/// What the server shares with its connections.
#[derive(Default)]
struct Shared {
    mounted: Mutex<Vec<Mounted>>,
    /// Why each unmatched request matched nothing.
    unmatched: Mutex<Vec<String>>,
}

impl Shared {
    /// The answer to `request`: the first open mock that matches it, in mount order, or an
    /// [`UNMATCHED_STATUS`] naming the closest mock and how the request differs from it.
    fn answer(&self, request: &Received) -> Reply {
        let mounted = self.mounted.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(hit) = mounted.iter().find(|m| m.open() && m.rule.differences(request).is_empty()) {
            hit.calls.fetch_add(1, Ordering::SeqCst);
            return hit.reply.clone();
        }
        let why = why_unmatched(&mounted, request);
        drop(mounted);
        self.unmatched.lock().unwrap_or_else(PoisonError::into_inner).push(why.clone());
        Reply::unmatched(&why)
    }
}

/// "no mock matched PATCH /users/user_1: closest is update_user, body field `first_name`:
/// expected "Ada", got "Bob"".
fn why_unmatched(mounted: &[Mounted], request: &Received) -> String {
    let head = format!("no mock matched {} {}", request.method, request.target());
    let closest = mounted
        .iter()
        .filter(|m| m.rule.routes(request))
        .map(|m| (m, m.rule.differences(request)))
        .min_by_key(|(_, differences)| differences.len());
    match closest {
        Some((m, differences)) if differences.is_empty() => {
            let calls = m.calls.load(Ordering::SeqCst);
            format!("{head}: {} matches but has answered the {calls} calls it expects", m.rule.operation)
        }
        Some((m, differences)) => format!("{head}: closest is {}, {}", m.rule.operation, differences.join(", ")),
        None if mounted.is_empty() => format!("{head}: no mock is mounted"),
        None => {
            let mut operations: Vec<&str> = Vec::new();
            for m in mounted {
                if !operations.contains(&m.rule.operation) {
                    operations.push(m.rule.operation);
                }
            }
            format!("{head}: no mounted mock is of this operation (mounted: {})", operations.join(", "))
        }
    }
}

/// A mock of the Backend API on `127.0.0.1`, for tests: mount typed expectations on it,
/// point a [`Client`] at it with [`client`](Self::client), and check the calls.
///
/// Dropping it stops the server and, unless the test is already panicking, checks that
/// every expectation with a count ([`Responding::expect`]) was called that often.
pub struct MockServer {
    shared: Arc<Shared>,
    address: SocketAddr,
    uri: String,
    server: tokio::task::JoinHandle<()>,
}

impl fmt::Debug for MockServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mounted = self.shared.mounted.lock().unwrap_or_else(PoisonError::into_inner).len();
        f.debug_struct("MockServer").field("address", &self.address).field("mounted", &mounted).finish()
    }
}

impl MockServer {
    /// Starts a mock on a free port of `127.0.0.1`, served by a task of the current Tokio
    /// runtime.
    ///
    /// # Panics
    ///
    /// When no port of `127.0.0.1` can be bound.
    pub async fn start() -> MockServer {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .unwrap_or_else(|e| panic!("the mock server cannot listen on 127.0.0.1: {e}"));
        let address = listener.local_addr().unwrap_or_else(|e| panic!("the mock server has no address: {e}"));
        let shared = Arc::new(Shared::default());
        let server = tokio::spawn(serve(listener, Arc::clone(&shared)));
        MockServer { shared, address, uri: format!("http://{address}"), server }
    }

    /// The base URL of the mock, `http://127.0.0.1:<port>`.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// A client of the mock: a test secret key, the mock's URL and no retries (so that
    /// a mocked 429 or 5xx reaches the test at once, and each call is one request).
    pub fn client(&self) -> Client {
        self.client_builder()
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap_or_else(|e| panic!("a client of the mock at {}: {e}", self.uri))
    }

    /// A builder of a client of the mock, to set retries or timeouts before `build()`.
    pub fn client_builder(&self) -> ClientBuilder {
        Client::builder(MOCK_SECRET_KEY).base_url(&self.uri)
    }

    /// Why each request that no mock matched matched nothing, in the order received.
    pub fn unmatched(&self) -> Vec<String> {
        self.shared.unmatched.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Checks that every expectation with a count was called that often and that every
    /// request was matched.
    ///
    /// # Panics
    ///
    /// Naming each expectation called too few or too many times and each unmatched request.
    pub fn verify(&self) {
        let mut problems = self.miscounted();
        problems.extend(self.unmatched());
        assert!(problems.is_empty(), "the mock server's expectations were not met:\n{}", problems.join("\n"));
    }

    /// Expectations with a count that were called another number of times.
    fn miscounted(&self) -> Vec<String> {
        let mounted = self.shared.mounted.lock().unwrap_or_else(PoisonError::into_inner);
        mounted
            .iter()
            .filter_map(|m| {
                let (expected, calls) = (m.expected?, m.calls.load(Ordering::SeqCst));
                (calls != expected).then(|| format!("{}: expected {expected} calls, got {calls}", m.rule.describe()))
            })
            .collect()
    }

    fn mount(&self, mounted: Mounted) {
        self.shared.mounted.lock().unwrap_or_else(PoisonError::into_inner).push(mounted);
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.server.abort();
        let miscounted = self.miscounted();
        if !std::thread::panicking() && !miscounted.is_empty() {
            panic!("the mock server's expectations were not met:\n{}", miscounted.join("\n"));
        }
    }
}

/// Accepts connections until the server is dropped.
async fn serve(listener: tokio::net::TcpListener, shared: Arc<Shared>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            // Out of file descriptors, say: let the connections in flight finish first.
            tokio::task::yield_now().await;
            continue;
        };
        let shared = Arc::clone(&shared);
        let service = hyper::service::service_fn(move |request| respond(Arc::clone(&shared), request));
        tokio::spawn(async move {
            // A connection the client closes or breaks ends here; the test sees its error.
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn respond(
    shared: Arc<Shared>,
    request: http::Request<hyper::body::Incoming>,
) -> Result<http::Response<Full<Bytes>>, Infallible> {
    let (parts, body) = request.into_parts();
    let reply = match body.collect().await {
        Ok(body) => shared.answer(&Received::new(&parts, &body.to_bytes())),
        Err(e) => Reply::unmatched(&format!("the request body could not be read: {e}")),
    };
    Ok(reply.into_response())
}

/// An expectation of one operation being set up: add matchers (typed ones are generated
/// for each operation), then choose the answer. Get one from the server's group
/// accessors: `mock.users().get_user("user_123")`.
#[must_use = "an expectation does nothing until it is given an answer and mounted"]
pub struct Mock<'m, E> {
    server: &'m MockServer,
    rule: Rule,
    endpoint: PhantomData<fn() -> E>,
}

impl<E> fmt::Debug for Mock<'_, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mock").field("rule", &self.rule).finish_non_exhaustive()
    }
}

impl<'m, E: Endpoint> Mock<'m, E> {
    /// An expectation of the operation `E` on `server`, matching every request of it.
    pub fn new(server: &'m MockServer) -> Self {
        Mock { server, rule: Rule::new(E::OPERATION, E::METHOD, E::PATH), endpoint: PhantomData }
    }

    /// Matches requests whose path parameter `name` is `value`.
    pub fn match_path(mut self, name: &'static str, value: impl fmt::Display) -> Self {
        self.rule.path(name, &value.to_string());
        self
    }

    /// Matches requests with the query parameter `name` set to `value`, as the client
    /// sends it.
    pub fn match_query(mut self, name: &'static str, value: &impl fmt::Display) -> Self {
        self.rule.query(name, vec![value.to_string()]);
        self
    }

    /// Matches requests with the list `values` in the query parameter `name`: repeated
    /// when `explode`, else joined with commas, as the client sends it.
    pub fn match_query_list<T: fmt::Display>(mut self, name: &'static str, values: &[T], explode: bool) -> Self {
        let values: Vec<String> = values.iter().map(ToString::to_string).collect();
        self.rule.query(name, if explode { values } else { vec![values.join(",")] });
        self
    }

    /// Matches requests with the query parameter `name` set to `value` as JSON text.
    pub fn match_query_json(self, name: &'static str, value: &impl Serialize) -> Self {
        let text = serde_json::to_string(value).unwrap_or_default();
        self.match_query(name, &text)
    }

    /// Matches requests whose JSON body has every field that `body` sets, with the same
    /// value; fields `body` leaves unset may have any value.
    pub fn match_json_body(mut self, body: &impl Serialize) -> Self {
        self.rule.body(serde_json::to_value(body).unwrap_or_default());
        self
    }

    /// Answers with `response`, as the operation does on success.
    pub fn returns(self, response: E::Response) -> Responding<'m> {
        self.reply(E::reply(response))
    }

    /// Answers with a Clerk error of `status` and `code` (the message is the code), e.g.
    /// `(404, "resource_not_found")` or `(422, "form_param_missing")`.
    pub fn returns_error(self, status: u16, code: &str) -> Responding<'m> {
        self.reply(Reply::error(status, code, code))
    }

    /// Answers with a Clerk error of `status`, `code` and `message`.
    pub fn returns_error_message(self, status: u16, code: &str, message: &str) -> Responding<'m> {
        self.reply(Reply::error(status, code, message))
    }

    /// Answers 429 Too Many Requests with `Retry-After` (whole seconds, rounded up).
    pub fn rate_limited(self, retry_after: Duration) -> Responding<'m> {
        let seconds = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
        let reply =
            Reply::error(429, "too_many_requests", "Too many requests").header("retry-after", seconds.to_string());
        self.reply(reply)
    }

    /// Answers with `status` and no body.
    pub fn returns_status(self, status: u16) -> Responding<'m> {
        self.reply(Reply::status(status))
    }

    /// Answers with any [`Reply`].
    pub fn reply(self, reply: Reply) -> Responding<'m> {
        Responding { server: self.server, rule: self.rule, reply, expected: None }
    }
}

/// An expectation with its answer: set how many calls it expects, then mount it.
#[must_use = "an expectation does nothing until it is mounted"]
pub struct Responding<'m> {
    server: &'m MockServer,
    rule: Rule,
    reply: Reply,
    expected: Option<usize>,
}

impl fmt::Debug for Responding<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Responding").field("rule", &self.rule).field("expected", &self.expected).finish()
    }
}

impl Responding<'_> {
    /// Expects exactly `calls` calls, checked by [`MockServer::verify`] and when the server
    /// is dropped; after them, this mock answers no more, so that a later one can (a 429,
    /// then a success).
    pub fn expect(mut self, calls: usize) -> Self {
        self.expected = Some(calls);
        self
    }

    /// Mounts the expectation: from now on it answers the requests it matches, unless an
    /// earlier mounted one matches them first.
    pub fn mount(self) -> Calls {
        let calls = Arc::new(AtomicUsize::new(0));
        let mounted =
            Mounted { rule: self.rule, reply: self.reply, expected: self.expected, calls: Arc::clone(&calls) };
        self.server.mount(mounted);
        Calls(calls)
    }
}

/// How many requests a mounted expectation has answered.
#[derive(Debug, Clone)]
pub struct Calls(Arc<AtomicUsize>);

impl Calls {
    /// The number of requests answered so far.
    pub fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}
