//! [`Response`]: a decoded success response with its status and headers.

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// A success response: the decoded body, with the status and headers it came with.
///
/// Any call gives one through [`Pending::with_response`](crate::Pending::with_response);
/// awaiting a call directly gives only the body. The headers are those of the attempt that
/// succeeded (e.g. `x-clerk-trace-id`, rate-limit headers).
#[derive(Debug, Clone)]
pub struct Response<T> {
    status: StatusCode,
    headers: HeaderMap,
    body: T,
}

impl<T> Response<T> {
    pub(crate) fn new(status: StatusCode, headers: HeaderMap, body: T) -> Self {
        Response { status, headers, body }
    }

    /// The HTTP status (a success: 2xx).
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The decoded body.
    pub fn body(&self) -> &T {
        &self.body
    }

    /// The decoded body, without the status and headers.
    pub fn into_inner(self) -> T {
        self.body
    }

    /// The status, the headers and the decoded body.
    pub fn into_parts(self) -> (StatusCode, HeaderMap, T) {
        (self.status, self.headers, self.body)
    }
}
