//! Unit tests of the request path. They live outside `request.rs` so that the SDK's copy
//! of the request path has no test code at all.

use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};

use crate::request::*;
use crate::{Client, Error, FilePart, RetryPolicy};

#[tokio::test]
async fn a_call_that_cannot_be_put_together_fails_without_sending() {
    static OP: Operation = Operation { id: "Test", method: Method::GET, path: "/test", auth: true };
    // Nothing listens on port 1: a request that went out would fail with a transport error.
    let client = Client::builder("sk_test_key").base_url("http://127.0.0.1:1").build().unwrap();
    let mut call = Call::new(client, &OP, "/test".to_owned(), RequestOptions::default());
    call.header("X-Note", Some(&"two\nlines"));
    call.header("X-Fine", Some(&"ok"));
    let error = call.send_empty().await.unwrap_err();
    assert!(matches!(&error, Error::Config(message) if message.starts_with("header X-Note")), "{error}");
}

#[test]
fn raw_and_text_bodies_go_as_they_are_with_the_files_content_type_or_the_declared_one() {
    static OP: Operation = Operation { id: "Test", method: Method::PUT, path: "/test", auth: true };
    let client = Client::builder("sk_test_key").base_url("http://127.0.0.1:1").build().unwrap();
    let sent = |put: &dyn Fn(&mut Call)| {
        let mut call = Call::new(client.clone(), &OP, "/test".to_owned(), RequestOptions::default());
        put(&mut call);
        let request = call.build().unwrap();
        let content_type = request.headers()[reqwest::header::CONTENT_TYPE].to_str().unwrap().to_owned();
        (content_type, request.body().and_then(|b| b.as_bytes()).unwrap_or_default().to_vec())
    };
    let declared = sent(&|call| call.raw_body("application/octet-stream", &FilePart::from(vec![0, 0xff])));
    assert_eq!(declared, ("application/octet-stream".to_owned(), vec![0, 0xff]));
    let own = sent(&|call| call.raw_body("image/*", &FilePart::new(b"GIF89a".to_vec()).content_type("image/gif")));
    assert_eq!(own, ("image/gif".to_owned(), b"GIF89a".to_vec()));
    let text = sent(&|call| call.text_body("text/csv", "a,b\n1,2\n"));
    assert_eq!(text, ("text/csv".to_owned(), b"a,b\n1,2\n".to_vec()));
}

#[tokio::test]
async fn a_success_gives_its_status_and_headers_on_request_and_an_error_keeps_them() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    static OP: Operation = Operation { id: "Test", method: Method::POST, path: "/things", auth: true };
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/things"))
        .respond_with(ResponseTemplate::new(201).insert_header("x-clerk-trace-id", "trace_1").set_body_string("[1, 2]"))
        .mount(&server)
        .await;
    Mock::given(path("/missing"))
        .respond_with(ResponseTemplate::new(404).insert_header("x-clerk-trace-id", "trace_2"))
        .mount(&server)
        .await;
    let client = Client::builder("sk_test_key").base_url(server.uri()).build().unwrap();
    let call = |path: &str| Call::new(client.clone(), &OP, path.to_owned(), RequestOptions::default());

    let body: Vec<u8> = call("/things").send_json().await.unwrap();
    assert_eq!(body, [1, 2]);
    let response = call("/things").send_json::<Vec<u8>>().with_response().await.unwrap();
    assert_eq!((response.status(), response.body().as_slice()), (StatusCode::CREATED, &[1, 2][..]));
    assert_eq!(response.headers()["x-clerk-trace-id"], "trace_1");
    let (status, headers, body) = response.into_parts();
    assert_eq!(
        (status, &headers["content-length"], body),
        (StatusCode::CREATED, &HeaderValue::from_static("6"), vec![1, 2])
    );

    let error = call("/missing").send_empty().with_response().await.unwrap_err();
    let api = error.api().unwrap();
    assert_eq!(
        (api.status, &api.headers["x-clerk-trace-id"]),
        (StatusCode::NOT_FOUND, &HeaderValue::from_static("trace_2"))
    );
    let error = call("/things").send_json::<String>().with_response().await.unwrap_err();
    assert!(matches!(error, Error::Decode { status: StatusCode::CREATED, .. }), "{error}");
}

/// A server on a raw socket that answers each connection with the next of `answers`.
async fn raw_server(answers: Vec<&'static str>) -> (String, tokio::task::JoinHandle<usize>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let served = tokio::spawn(async move {
        for answer in &answers {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = [0; 4096];
            let _ = socket.read(&mut request).await.unwrap();
            socket.write_all(answer.as_bytes()).await.unwrap();
            socket.shutdown().await.unwrap();
        }
        answers.len()
    });
    (url, served)
}

#[tokio::test]
async fn a_response_cut_short_is_retried_when_the_call_is_idempotent() {
    static GET: Operation = Operation { id: "Test", method: Method::GET, path: "/test", auth: true };
    static POST: Operation = Operation { id: "Test", method: Method::POST, path: "/test", auth: true };
    const CUT: &str = "HTTP/1.1 200 OK\r\ncontent-length: 100\r\nconnection: close\r\n\r\n[1, 2";
    const WHOLE: &str = "HTTP/1.1 200 OK\r\ncontent-length: 6\r\nconnection: close\r\n\r\n[1, 2]";
    let policy = RetryPolicy { initial_backoff: Duration::from_millis(1), ..RetryPolicy::default() };

    let (url, served) = raw_server(vec![CUT, WHOLE]).await;
    let client = Client::builder("sk_test_key").base_url(url).retry_policy(policy.clone()).build().unwrap();
    let body: Vec<u8> =
        Call::new(client.clone(), &GET, "/test".to_owned(), RequestOptions::default()).send_json().await.unwrap();
    assert_eq!((body, served.await.unwrap()), (vec![1, 2], 2));

    let (url, served) = raw_server(vec![CUT]).await;
    let client = Client::builder("sk_test_key").base_url(url).retry_policy(policy).build().unwrap();
    let error =
        Call::new(client.clone(), &POST, "/test".to_owned(), RequestOptions::default()).send_json::<Vec<u8>>().await;
    assert!(matches!(&error, Err(Error::Transport(_))), "{error:?}");
    assert!(error.unwrap_err().is_retryable());
    assert_eq!(served.await.unwrap(), 1, "a create that reached the server is not repeated");
}

#[test]
fn per_call_headers_replace_the_sdks_own_and_each_other() {
    use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};

    static OP: Operation = Operation { id: "Test", method: Method::POST, path: "/test", auth: true };
    let client = Client::builder("sk_test_key").base_url("http://127.0.0.1:1").build().unwrap();
    let options = RequestOptions::default()
        .header(AUTHORIZATION, HeaderValue::from_static("Bearer sk_other"))
        .header(HeaderName::from_static("clerk-api-version"), HeaderValue::from_static("2021-02-05"))
        .header(CONTENT_TYPE, HeaderValue::from_static("text/plain"))
        .header(HeaderName::from_static("x-note"), HeaderValue::from_static("first"))
        .header(HeaderName::from_static("x-note"), HeaderValue::from_static("second"));
    let mut call = Call::new(client.clone(), &OP, "/test".to_owned(), options);
    call.json(&serde_json::json!({}));
    call.header("X-Note", Some(&"third"));
    let request = call.build().unwrap();
    let values = |name: &str| request.headers().get_all(name).iter().map(|v| v.to_str().unwrap()).collect::<Vec<_>>();
    assert_eq!(values("authorization"), ["Bearer sk_other"]);
    assert_eq!(values("clerk-api-version"), ["2021-02-05"]);
    assert_eq!(values("content-type"), ["text/plain"]);
    assert_eq!(values("x-note"), ["third"]);
}

#[test]
fn only_empty_and_dot_parameters_are_unsafe() {
    let template = "/organizations/{organization_id}/memberships/{user_id}";
    let path = |org: &str, user: &str| format!("/organizations/{}/memberships/{}", segment(org), segment(user));
    for (org, user, expected) in [
        ("org_1", "user_1", None),
        ("org_1", "..", Some("user_id")),
        ("org_1", ".", Some("user_id")),
        ("", "user_1", Some("organization_id")),
        ("org_1", "", Some("user_id")),
        ("...", ".hidden", None),
        ("a/../b", "../..", None),
        ("%2E%2E", "user.1", None),
    ] {
        assert_eq!(unsafe_parameter(template, &path(org, user)), expected, "{org:?} {user:?}");
    }
    assert_eq!(unsafe_parameter("/users", "/users"), None);
}

#[tokio::test]
async fn a_dot_or_empty_path_parameter_is_refused_before_sending() {
    use wiremock::{Mock, MockServer, ResponseTemplate};

    static OP: Operation = Operation { id: "DeleteUser", method: Method::DELETE, path: "/users/{user_id}", auth: true };
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any()).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    let client = Client::builder("sk_test_key").base_url(server.uri()).build().unwrap();
    for id in ["..", ".", ""] {
        let call = Call::new(client.clone(), &OP, format!("/users/{}", segment(id)), RequestOptions::default());
        let error = call.send_empty().await.unwrap_err();
        assert!(
            matches!(&error, Error::Config(message) if message.contains("path parameter `user_id`")),
            "{id:?}: {error}"
        );
    }
    assert!(server.received_requests().await.unwrap().is_empty());
    let call = Call::new(client.clone(), &OP, format!("/users/{}", segment("../x")), RequestOptions::default());
    call.send_empty().await.unwrap();
    assert_eq!(server.received_requests().await.unwrap()[0].url.path(), "/users/..%2Fx");
}

#[test]
fn encoding_leaves_only_unreserved_characters() {
    assert_eq!(segment("user_1"), "user_1");
    assert_eq!(segment("a/b?c#d e%f+g&h=i"), "a%2Fb%3Fc%23d%20e%25f%2Bg%26h%3Di");
    assert_eq!(segment("é"), "%C3%A9");
}

#[tokio::test]
async fn a_value_outside_its_range_is_refused_and_one_inside_is_not() {
    static OP: Operation = Operation { id: "List", method: Method::GET, path: "/list", auth: true };
    // Nothing listens on port 1: a call that is not refused fails to connect, once.
    let client = Client::builder("sk_test_key").base_url("http://127.0.0.1:1").build().unwrap();
    let once = RequestOptions::default().retry_policy(RetryPolicy { max_attempts: 1, ..RetryPolicy::default() });
    let refusal = async |check: &dyn Fn(&mut Call)| {
        let mut call = Call::new(client.clone(), &OP, "/list".to_owned(), once.clone());
        check(&mut call);
        match call.send_empty().await {
            Err(Error::Config(message)) => Some(message),
            Err(Error::Transport(_)) => None,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(refusal(&|call| call.check_range("limit", Some(&1_i64), 1..=500)).await, None);
    assert_eq!(refusal(&|call| call.check_range("limit", Some(&500_i64), 1..=500)).await, None);
    assert_eq!(refusal(&|call| call.check_range::<i64>("limit", None, 1..=500)).await, None);
    assert_eq!(
        refusal(&|call| call.check_range("limit", Some(&1000_i64), 1..=500)).await.as_deref(),
        Some("List (GET /list): `limit` must be at least 1 and at most 500, not 1000")
    );
    assert_eq!(
        refusal(&|call| call.check_range("offset", Some(&-1_i32), 0..)).await.as_deref(),
        Some("List (GET /list): `offset` must be at least 0, not -1")
    );
    let open = (std::ops::Bound::Excluded(0.0), std::ops::Bound::Excluded(1.0));
    assert_eq!(
        refusal(&|call| call.check_range("ratio", Some(&1.0), open)).await.as_deref(),
        Some("List (GET /list): `ratio` must be greater than 0 and less than 1, not 1")
    );
}
