//! Behaviour of the client against a local mock server: authentication and version
//! headers, URL encoding, bodies, error shapes, retries, timeouts and pagination.

use std::time::{Duration, Instant};

use clerk_sdk::models::EnrollmentModeFilter;
use clerk_sdk::{Client, Error, FilePart, OptionalExt as _, RequestOptions, RetryPolicy};
use futures_util::TryStreamExt;
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const SECRET: &str = "sk_test_verysecretvalue";

fn user_json(id: &str) -> Value {
    let path = format!("{}/tests/fixtures/user.json", env!("CARGO_MANIFEST_DIR"));
    let mut user: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    user["id"] = json!(id);
    user
}

fn fast_retries(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_secs(5),
        ..RetryPolicy::default()
    }
}

fn client(server: &MockServer) -> Client {
    Client::builder(SECRET).base_url(server.uri()).retry_policy(fast_retries(3)).build().unwrap()
}

async fn requests(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.unwrap()
}

#[tokio::test]
async fn sends_bearer_auth_and_the_api_version() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/users/user_1"))
        .and(header("authorization", format!("Bearer {SECRET}").as_str()))
        .and(header("clerk-api-version", clerk_sdk::API_VERSION))
        .respond_with(ResponseTemplate::new(200).set_body_json(user_json("user_1")))
        .expect(1)
        .mount(&server)
        .await;
    let user = client(&server).users().get_user("user_1").await.unwrap();
    assert_eq!(user.id, "user_1");
    assert_eq!(clerk_sdk::API_VERSION, "2026-05-12");
}

#[tokio::test]
async fn path_segments_and_query_values_are_percent_encoded() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_json(json!([]))).mount(&server).await;
    let clerk = client(&server);
    let _ = clerk.users().get_user("a/b c?#%").await;
    clerk
        .users()
        .get_user_list()
        .email_address(["ada+test@example.com", "x&y=z@example.com"])
        .user_id(["+user_1", "-user_2"])
        .query("héllo wörld")
        .limit(2)
        .await
        .unwrap();
    let _ = clerk
        .organization_domains()
        .list_all_organization_domains()
        .enrollment_mode([EnrollmentModeFilter::ManualInvitation, EnrollmentModeFilter::MinusAutomaticInvitation])
        .await;
    let received = requests(&server).await;
    assert_eq!(received[0].url.path(), "/users/a%2Fb%20c%3F%23%25");
    assert_eq!(
        received[1].url.query(),
        Some(
            "email_address=ada%2Btest%40example.com&email_address=x%26y%3Dz%40example.com\
             &user_id=%2Buser_1&user_id=-user_2&query=h%C3%A9llo%20w%C3%B6rld&limit=2"
        )
    );
    assert_eq!(received[2].url.query(), Some("enrollment_mode=manual_invitation%2C-automatic_invitation"));
}

#[tokio::test]
async fn a_base_url_with_a_path_prefixes_every_call() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_json(json!([]))).mount(&server).await;
    for base in [format!("{}/v1", server.uri()), format!("{}/v1/", server.uri())] {
        let clerk = Client::builder(SECRET).base_url(base).build().unwrap();
        clerk.users().get_user_list().limit(1).await.unwrap();
    }
    let received = requests(&server).await;
    let urls: Vec<(&str, Option<&str>)> = received.iter().map(|r| (r.url.path(), r.url.query())).collect();
    assert_eq!(urls, [("/v1/users", Some("limit=1")); 2]);
}

#[tokio::test]
async fn json_bodies_carry_only_what_was_set() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/users"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"first_name": "Ada", "last_name": null, "email_address": ["ada@example.com"]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(user_json("user_new")))
        .expect(1)
        .mount(&server)
        .await;
    let user = client(&server)
        .users()
        .create_user()
        .first_name("Ada")
        .last_name_null()
        .email_address(["ada@example.com"])
        .await
        .unwrap();
    assert_eq!(user.id, "user_new");
}

#[tokio::test]
async fn multipart_uploads_send_the_file_with_name_and_type() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/users/user_1/profile_image"))
        .respond_with(ResponseTemplate::new(200).set_body_json(user_json("user_1")))
        .mount(&server)
        .await;
    let file = FilePart::new(b"\x89PNG-bytes".to_vec()).file_name("me.png").content_type("image/png");
    client(&server).users().set_user_profile_image("user_1").file(file).await.unwrap();
    let request = &requests(&server).await[0];
    let content_type = request.headers["content-type"].to_str().unwrap();
    assert!(content_type.starts_with("multipart/form-data; boundary="), "{content_type}");
    let body = String::from_utf8_lossy(&request.body);
    assert!(body.contains("name=\"file\"; filename=\"me.png\""), "{body}");
    assert!(body.contains("content-type: image/png") || body.contains("Content-Type: image/png"), "{body}");
    assert!(body.contains("PNG-bytes"), "{body}");
}

#[tokio::test]
async fn a_file_without_a_name_is_still_sent_as_a_file() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(user_json("user_1")))
        .mount(&server)
        .await;
    let file = FilePart::new(b"bytes".to_vec());
    client(&server).users().set_user_profile_image("user_1").file(file).await.unwrap();
    let body = String::from_utf8_lossy(&requests(&server).await[0].body).into_owned();
    assert!(body.contains("name=\"file\"; filename=\"file\""), "{body}");
}

#[tokio::test]
async fn clerk_errors_become_api_errors_with_codes_and_trace_id() {
    let server = MockServer::start().await;
    let body = json!({
        "errors": [{"code": "form_identifier_not_found", "message": "not found", "long_message": "No user", "meta": {"param_name": "user_id"}}],
        "clerk_trace_id": "trace_123"
    });
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_json(body).insert_header("x-custom", "1"))
        .mount(&server)
        .await;
    let err = client(&server).users().get_user("missing").await.unwrap_err();
    let api = err.api().expect("an API error");
    assert_eq!(api.status, 404);
    assert_eq!(err.codes(), vec!["form_identifier_not_found"]);
    assert_eq!(api.errors[0].long_message.as_deref(), Some("No user"));
    assert_eq!(api.clerk_trace_id.as_deref(), Some("trace_123"));
    assert_eq!(api.headers["x-custom"], "1");
    assert!(!err.is_retryable());
    assert!(err.to_string().contains("No user") && err.to_string().contains("trace_123"), "{err}");
    assert_eq!(err.status(), Some(clerk_sdk::StatusCode::NOT_FOUND));
    assert!(err.is_not_found() && !err.is_rate_limited());
    assert_eq!(err.message(), "No user");
}

#[tokio::test]
async fn optional_makes_a_404_none_and_lets_other_errors_through() {
    let server = MockServer::start().await;
    Mock::given(path("/users/user_1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(user_json("user_1")))
        .mount(&server)
        .await;
    Mock::given(path("/users/missing")).respond_with(ResponseTemplate::new(404)).mount(&server).await;
    Mock::given(path("/users/limited")).respond_with(ResponseTemplate::new(429)).mount(&server).await;
    let clerk = Client::builder(SECRET).base_url(server.uri()).retry_policy(RetryPolicy::none()).build().unwrap();
    let found = clerk.users().get_user("user_1").await.optional().unwrap();
    assert_eq!(found.map(|u| u.id), Some("user_1".to_owned()));
    assert!(clerk.users().get_user("missing").await.optional().unwrap().is_none());
    let err = clerk.users().get_user("limited").await.optional().unwrap_err();
    assert!(err.is_rate_limited(), "{err}");
    assert_eq!(err.message(), "Too Many Requests");
}

#[tokio::test]
async fn a_spawned_call_owns_its_client() {
    let server = MockServer::start().await;
    Mock::given(path("/users/user_1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(user_json("user_1")))
        .expect(1)
        .mount(&server)
        .await;
    let task = {
        let clerk = client(&server);
        tokio::spawn(clerk.users().get_user("user_1").send())
    };
    assert_eq!(task.await.unwrap().unwrap().id, "user_1");
}

#[tokio::test]
async fn html_empty_and_invalid_bodies_keep_status_and_body() {
    let server = MockServer::start().await;
    Mock::given(path("/users/html"))
        .respond_with(
            ResponseTemplate::new(502)
                .set_body_raw("<html>Bad gateway</html>", "text/html")
                .insert_header("x-clerk-trace-id", "t_9"),
        )
        .mount(&server)
        .await;
    Mock::given(path("/users/empty")).respond_with(ResponseTemplate::new(500)).mount(&server).await;
    Mock::given(path("/users/invalid"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("{\"id\": \"user_1\", \"object\": ", "application/json"))
        .mount(&server)
        .await;
    Mock::given(path("/users/wrong-shape"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 1})))
        .mount(&server)
        .await;
    let clerk = Client::builder(SECRET).base_url(server.uri()).retry_policy(RetryPolicy::none()).build().unwrap();

    let err = clerk.users().get_user("html").await.unwrap_err();
    let api = err.api().unwrap();
    assert_eq!((api.status.as_u16(), api.body.as_str()), (502, "<html>Bad gateway</html>"));
    assert!(api.errors.is_empty());
    assert_eq!(api.clerk_trace_id.as_deref(), Some("t_9"));
    assert!(err.is_retryable());

    let err = clerk.users().get_user("empty").await.unwrap_err();
    assert_eq!((err.status().unwrap().as_u16(), err.api().unwrap().body.as_str()), (500, ""));

    let Error::Decode { status, error } = clerk.users().get_user("invalid").await.unwrap_err() else { panic!() };
    assert_eq!(status, 200);
    assert!(error.body().starts_with("{\"id\""));

    let Error::Decode { error, .. } = clerk.users().get_user("wrong-shape").await.unwrap_err() else { panic!() };
    assert_eq!(error.path(), "id");
}

#[tokio::test]
async fn retry_after_is_honoured_and_attempts_are_bounded() {
    let server = MockServer::start().await;
    Mock::given(path("/users/limited"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/users/limited"))
        .respond_with(ResponseTemplate::new(200).set_body_json(user_json("user_1")))
        .mount(&server)
        .await;
    Mock::given(path("/users/always-limited"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .mount(&server)
        .await;
    let clerk = client(&server);

    let started = Instant::now();
    clerk.users().get_user("limited").await.unwrap();
    // The policy's own backoff is 1 ms: only Retry-After explains a one-second wait.
    assert!(started.elapsed() >= Duration::from_secs(1), "{:?}", started.elapsed());
    assert_eq!(requests(&server).await.len(), 2);

    let err = clerk.users().get_user("always-limited").await.unwrap_err();
    assert_eq!(err.status().unwrap(), 429);
    assert_eq!(err.api().unwrap().retry_after, Some(Duration::ZERO));
    assert_eq!(requests(&server).await.len(), 2 + 3, "3 attempts, no more");
}

#[tokio::test]
async fn idempotent_calls_retry_5xx_but_a_create_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(503)).up_to_n_times(1).mount(&server).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(user_json("user_1")))
        .mount(&server)
        .await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(500)).mount(&server).await;
    let clerk = client(&server);

    clerk.users().get_user("user_1").await.unwrap();
    assert_eq!(requests(&server).await.len(), 2);

    let err = clerk.users().create_user().await.unwrap_err();
    assert_eq!(err.status().unwrap(), 500);
    let posts = requests(&server).await.into_iter().filter(|r| r.method.as_str() == "POST").count();
    assert_eq!(posts, 1, "a POST that reached the server must not be repeated");

    // Retries can be turned off per call.
    let before = requests(&server).await.len();
    Mock::given(method("DELETE")).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    let err =
        clerk.users().delete_user("user_1").options(RequestOptions::default().retry_policy(RetryPolicy::none())).await;
    assert!(err.is_err());
    assert_eq!(requests(&server).await.len(), before + 1);
}

#[tokio::test]
async fn timeouts_fire_per_attempt_and_in_total() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(user_json("user_1")).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let clerk = Client::builder(SECRET)
        .base_url(server.uri())
        .timeout(Duration::from_millis(100))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = clerk.users().get_user("slow").await.unwrap_err();
    assert!(matches!(err, Error::Timeout(limit) if limit == Duration::from_millis(100)), "{err:?}");

    let clerk = Client::builder(SECRET)
        .base_url(server.uri())
        .total_timeout(Duration::from_millis(300))
        .retry_policy(fast_retries(10))
        .build()
        .unwrap();
    let err = clerk.users().get_user("slow").await.unwrap_err();
    assert!(matches!(err, Error::Timeout(limit) if limit == Duration::from_millis(300)), "{err:?}");

    let err = clerk
        .users()
        .get_user("slow")
        .options(RequestOptions::default().timeout(Duration::from_millis(50)).retry_policy(RetryPolicy::none()))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout(limit) if limit == Duration::from_millis(50)), "{err:?}");
}

/// Serves `/users` pages of `user_json`s, each only to a request for the page after
/// `after` (the first page to one without `starting_after`).
async fn mount_user_pages(server: &MockServer, pages: &[(Option<&str>, &[&str])]) {
    for (after, ids) in pages {
        let page: Vec<Value> = ids.iter().map(|id| user_json(id)).collect();
        let mock = Mock::given(path("/users"));
        let mock = match after {
            Some(after) => mock.and(query_param("starting_after", *after)),
            None => mock.and(query_param_is_missing("starting_after")),
        };
        mock.respond_with(ResponseTemplate::new(200).set_body_json(page)).expect(1).mount(server).await;
    }
}

#[tokio::test]
async fn pagination_walks_bare_array_pages() {
    let server = MockServer::start().await;
    mount_user_pages(&server, &[(None, &["u1", "u2"]), (Some("u2"), &["u3", "u4"]), (Some("u4"), &["u5"])]).await;
    let users: Vec<_> = client(&server).users().get_user_list().limit(2).paginate().try_collect().await.unwrap();
    let ids: Vec<&str> = users.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(ids, ["u1", "u2", "u3", "u4", "u5"]);
}

#[tokio::test]
async fn pagination_walks_data_envelopes_until_total_count() {
    let server = MockServer::start().await;
    let org = |id: &str| {
        json!({"object": "organization", "id": id, "name": id, "slug": id, "has_image": false,
               "max_allowed_memberships": 5, "admin_delete_enabled": true, "public_metadata": {},
               "created_at": 1, "updated_at": 1})
    };
    for (offset, ids) in [("0", vec!["o1", "o2"]), ("2", vec!["o3", "o4"]), ("4", vec!["o5", "o6"])] {
        let data: Vec<Value> = ids.iter().map(|id| org(id)).collect();
        Mock::given(path("/organizations"))
            .and(query_param("offset", offset))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": data, "total_count": 6})))
            .expect(1)
            .mount(&server)
            .await;
    }
    let orgs: Vec<_> =
        client(&server).organizations().list_organizations().limit(2).paginate().try_collect().await.unwrap();
    assert_eq!(orgs.len(), 6);
    assert_eq!(orgs[5].id, "o6");
    // Stopped at total_count: no request for offset 6.
    assert_eq!(requests(&server).await.len(), 3);
}

/// A stream that outlives the client handle it came from, as a response body would.
fn all_users(
    clerk: &Client,
) -> impl futures_util::Stream<Item = Result<clerk_sdk::models::User, Error>> + Send + 'static {
    clerk.users().get_user_list().limit(2).paginate()
}

#[tokio::test]
async fn a_returned_stream_is_static_and_can_be_spawned() {
    let server = MockServer::start().await;
    mount_user_pages(&server, &[(None, &["u1", "u2"]), (Some("u2"), &["u3"])]).await;
    let stream = all_users(&client(&server));
    let users: Vec<_> = tokio::spawn(stream.try_collect::<Vec<_>>()).await.unwrap().unwrap();
    let ids: Vec<&str> = users.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(ids, ["u1", "u2", "u3"]);
}

#[tokio::test]
async fn pagination_stops_on_the_first_error() {
    let server = MockServer::start().await;
    Mock::given(path("/users")).respond_with(ResponseTemplate::new(401)).mount(&server).await;
    let clerk = client(&server);
    let mut stream = std::pin::pin!(clerk.users().get_user_list().paginate());
    let err = stream.try_next().await.unwrap_err();
    assert_eq!(err.status().unwrap(), 401);
    assert!(stream.try_next().await.unwrap().is_none());
}

#[test]
fn debug_output_never_shows_the_secret_key() {
    let clerk = Client::builder(SECRET).base_url("http://127.0.0.1:1").build().unwrap();
    let shown = format!("{clerk:?} {:?}", clerk.users().get_user("user_1"));
    assert!(!shown.contains("verysecret"), "{shown}");
    assert!(shown.contains("[redacted]"), "{shown}");
}

#[test]
fn configuration_errors_are_errors() {
    assert!(matches!(Client::new(""), Err(Error::Config(_))));
    assert!(matches!(Client::builder(SECRET).base_url("not a url").build(), Err(Error::Config(_))));
}

#[tokio::test]
async fn dot_and_empty_path_parameters_are_refused_before_sending() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_json(json!([]))).mount(&server).await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    let clerk = client(&server);
    for id in [".", "..", ""] {
        let err = clerk.users().get_user(id).await.unwrap_err();
        assert!(matches!(&err, Error::Config(message) if message.contains("`user_id`")), "{id:?}: {err}");
        let err = clerk.organization_memberships().delete_organization_membership("org_1", id).await.unwrap_err();
        assert!(matches!(&err, Error::Config(_)), "{id:?}: {err}");
    }
    assert!(requests(&server).await.is_empty(), "nothing may reach the server");
}

#[tokio::test]
async fn per_call_headers_replace_the_sdks_own() {
    use axum::http::{HeaderName, HeaderValue};
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(user_json("user_1")))
        .mount(&server)
        .await;
    let options = RequestOptions::default()
        .header(HeaderName::from_static("authorization"), HeaderValue::from_static("Bearer sk_test_other"))
        .header(HeaderName::from_static("clerk-api-version"), HeaderValue::from_static("2021-02-05"));
    client(&server).users().get_user("user_1").options(options).await.unwrap();
    let request = &requests(&server).await[0];
    let values = |name: &str| request.headers.get_all(name).iter().map(|v| v.to_str().unwrap()).collect::<Vec<_>>();
    assert_eq!(values("authorization"), ["Bearer sk_test_other"]);
    assert_eq!(values("clerk-api-version"), ["2021-02-05"]);
}

#[tokio::test]
async fn a_retry_after_longer_than_the_policy_allows_ends_the_call_at_once() {
    let server = MockServer::start().await;
    Mock::given(path("/users/user_1"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "3600"))
        .mount(&server)
        .await;
    Mock::given(path("/users/user_2"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "2"))
        .mount(&server)
        .await;
    let clerk = client(&server);

    let started = Instant::now();
    let err = clerk.users().get_user("user_1").await.unwrap_err();
    assert_eq!(err.status().unwrap(), 429);
    assert_eq!(err.api().unwrap().retry_after, Some(Duration::from_secs(3600)));
    assert_eq!(requests(&server).await.len(), 1, "no retry before the time the server asked for");

    // A wait that does not fit in the call's total timeout ends it with the 429, not a timeout.
    let options = RequestOptions::default().total_timeout(Duration::from_secs(1));
    let err = clerk.users().get_user("user_2").options(options).await.unwrap_err();
    assert_eq!(err.api().unwrap().retry_after, Some(Duration::from_secs(2)));
    assert_eq!(requests(&server).await.len(), 2);
    assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());
}

#[tokio::test]
async fn a_redirect_to_another_host_is_returned_not_followed() {
    let elsewhere = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(user_json("user_evil")))
        .mount(&elsewhere)
        .await;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(307).insert_header("location", format!("{}/users", elsewhere.uri())))
        .mount(&server)
        .await;
    let err = client(&server).users().create_user().password("hunter2-hunter2").await.unwrap_err();
    assert_eq!(err.status().unwrap(), 307);
    assert!(requests(&elsewhere).await.is_empty(), "the body must not reach another host");
}

#[tokio::test]
async fn pagination_stops_when_the_server_ignores_where_pages_start() {
    let server = MockServer::start().await;
    Mock::given(path("/users"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([user_json("u1"), user_json("u2")])))
        .mount(&server)
        .await;
    let users: Vec<_> = client(&server).users().get_user_list().limit(2).paginate().try_collect().await.unwrap();
    let ids: Vec<&str> = users.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(ids, ["u1", "u2"]);
    assert_eq!(requests(&server).await.len(), 2, "the second page repeated the first");
}

#[tokio::test]
async fn one_deeply_nested_record_does_not_fail_a_page() {
    let server = MockServer::start().await;
    let mut deep = user_json("u2");
    deep["unsafe_metadata"] = json!("DEEP");
    // Deeper than serde_json's default limit of 128, as end users may write it.
    let nested = format!(r#"{{"a": {}{}}}"#, "[".repeat(4096), "]".repeat(4096));
    let body = format!("[{}, {}]", user_json("u1"), deep.to_string().replace(r#""DEEP""#, &nested));
    Mock::given(path("/users")).respond_with(ResponseTemplate::new(200).set_body_string(body)).mount(&server).await;
    let users = client(&server).users().get_user_list().await.unwrap();
    let ids: Vec<&str> = users.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(ids, ["u1", "u2"]);
}
