//! The typed mock server and model fixtures: a mocked call answers what the test mounted,
//! a request that matches nothing fails naming the field that differs, and Clerk's errors
//! reach the caller as the SDK's typed errors.
#![cfg(all(feature = "testing", feature = "users"))]

use std::time::Duration;

use clerk_sdk::models::{UpdateUserRequest, User};
use clerk_sdk::testing::{MockServer, UNMATCHED_STATUS};
use clerk_sdk::{Nullable, StatusCode};

fn ada() -> User {
    let mut user = User::fixture();
    user.id = "user_1".to_owned();
    user.first_name = Some("Ada".to_owned());
    user
}

#[allow(clippy::field_reassign_with_default, reason = "set field by field, as new body fields cannot break it")]
fn renamed(first_name: &str) -> UpdateUserRequest {
    let mut body = UpdateUserRequest::default();
    body.first_name = Nullable::Value(first_name.to_owned());
    body
}

#[tokio::test]
async fn a_mocked_call_answers_the_typed_model_and_counts_its_calls() {
    let mock = MockServer::start().await;
    let calls = mock.users().get_user("user_1").returns(ada()).expect(2).mount();
    let clerk = mock.client();
    for _ in 0..2 {
        assert_eq!(clerk.users().get_user("user_1").await.unwrap(), ada());
    }
    assert_eq!(calls.count(), 2);
    mock.verify();
}

#[tokio::test]
async fn query_parameters_and_body_fields_are_matched_with_the_clients_types() {
    let mock = MockServer::start().await;
    let listed = mock.users().get_user_list().limit(2).email_address(["ada@example.com"]).returns(vec![ada()]).mount();
    let updated = mock.users().update_user("user_1").body(&renamed("Ada")).returns(ada()).mount();
    let clerk = mock.client();
    let users = clerk.users().get_user_list().limit(2).email_address(["ada@example.com"]).offset(5).await.unwrap();
    assert_eq!(users, [ada()]);
    clerk.users().update_user("user_1").first_name("Ada").last_name("Lovelace").await.unwrap();
    assert_eq!((listed.count(), updated.count()), (1, 1));
}

#[tokio::test]
async fn a_request_that_matches_nothing_fails_naming_the_field_that_differs() {
    let mock = MockServer::start().await;
    mock.users().update_user("user_1").body(&renamed("Ada")).returns(ada()).mount();
    let error = mock.client().users().update_user("user_1").first_name("Bob").await.unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::from_u16(UNMATCHED_STATUS).unwrap()));
    let expected = r#"no mock matched PATCH /users/user_1: closest is update_user, body field `first_name`: expected "Ada", got "Bob""#;
    assert_eq!(error.message(), expected);
    assert_eq!(mock.unmatched(), [expected]);

    let error = mock.client().users().get_user_list().limit(3).await.unwrap_err();
    assert_eq!(
        error.message(),
        "no mock matched GET /users?limit=3: no mounted mock is of this operation (mounted: update_user)"
    );
    let verified = std::panic::catch_unwind(|| mock.verify()).unwrap_err();
    let message = verified.downcast_ref::<String>().unwrap();
    assert!(message.contains("body field `first_name`") && message.contains("GET /users?limit=3"), "{message}");
}

#[tokio::test]
async fn a_path_or_query_parameter_that_differs_is_named() {
    let mock = MockServer::start().await;
    mock.users().get_user("user_1").returns(ada()).mount();
    mock.users().get_user_list().limit(10).returns(Vec::new()).mount();
    let clerk = mock.client();
    let error = clerk.users().get_user("user_2").await.unwrap_err();
    assert_eq!(
        error.message(),
        r#"no mock matched GET /users/user_2: closest is get_user, path parameter `user_id`: expected "user_1", got "user_2""#
    );
    let error = clerk.users().get_user_list().limit(20).await.unwrap_err();
    assert!(error.message().ends_with(r#"query parameter `limit`: expected "10", got "20""#), "{error}");
}

#[tokio::test]
async fn clerk_errors_reach_the_caller_as_typed_errors() {
    let mock = MockServer::start().await;
    mock.users().get_user("user_404").returns_error(404, "resource_not_found").mount();
    mock.users()
        .update_user("user_1")
        .returns_error_message(422, "form_param_missing", "first_name is missing")
        .mount();
    mock.users().get_user("user_429").rate_limited(Duration::from_millis(1500)).mount();
    mock.users().delete_user("user_1").returns_status(503).mount();
    let clerk = mock.client();

    let error = clerk.users().get_user("user_404").await.unwrap_err();
    assert!(error.is_not_found());
    assert_eq!(error.codes(), ["resource_not_found"]);

    let error = clerk.users().update_user("user_1").first_name("Ada").await.unwrap_err();
    assert_eq!((error.status(), error.codes()), (Some(StatusCode::UNPROCESSABLE_ENTITY), vec!["form_param_missing"]));
    assert_eq!(error.message(), "first_name is missing");

    let error = clerk.users().get_user("user_429").await.unwrap_err();
    assert!(error.is_rate_limited());
    assert_eq!(error.api().unwrap().retry_after, Some(Duration::from_secs(2)));

    let error = clerk.users().delete_user("user_1").await.unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
}

#[tokio::test]
async fn an_expectation_with_a_count_answers_that_often_then_lets_the_next_one_answer() {
    let mock = MockServer::start().await;
    mock.users().get_user("user_1").rate_limited(Duration::from_secs(1)).expect(1).mount();
    mock.users().get_user("user_1").returns(ada()).mount();
    let clerk = mock.client();
    assert!(clerk.users().get_user("user_1").await.unwrap_err().is_rate_limited());
    assert_eq!(clerk.users().get_user("user_1").await.unwrap(), ada());
    mock.verify();
}

#[tokio::test]
async fn an_expectation_that_answered_its_calls_says_so_when_called_again() {
    let mock = MockServer::start().await;
    mock.users().get_user("user_1").returns(ada()).expect(1).mount();
    let clerk = mock.client();
    clerk.users().get_user("user_1").await.unwrap();
    let error = clerk.users().get_user("user_1").await.unwrap_err();
    assert_eq!(
        error.message(),
        "no mock matched GET /users/user_1: get_user matches but has answered the 1 calls it expects"
    );
}

#[tokio::test]
async fn an_expectation_called_too_rarely_fails_verification() {
    let mock = MockServer::start().await;
    mock.users().get_user("user_1").returns(ada()).expect(2).mount();
    mock.client().users().get_user("user_1").await.unwrap();
    let verified = std::panic::catch_unwind(|| mock.verify()).unwrap_err();
    let message = verified.downcast_ref::<String>().unwrap();
    assert!(message.contains("get_user (GET /users/{user_id}): expected 2 calls, got 1"), "{message}");
    // Meet the expectation, so that dropping the server does not fail the test.
    mock.client().users().get_user("user_1").await.unwrap();
}

#[test]
fn fixtures_fill_required_fields_and_leave_the_rest_to_the_test() {
    let user = User::fixture();
    assert_eq!(user.object, "user");
    assert!(!user.id.is_empty());
    let mut banned = user.clone();
    banned.banned = true;
    assert_ne!(banned, user);
}

#[cfg(feature = "axum")]
mod handler {
    use std::sync::Arc;

    use axum::Router;
    use axum::body::Body;
    use axum::extract::{FromRef, State};
    use axum::http::StatusCode;
    use axum::routing::{get, post};
    use clerk_sdk::Client;
    use clerk_sdk::auth::{SignedIn, TokenVerifier, VerifyOptions};
    use clerk_sdk::testing::{MockServer, SessionToken, TEST_WEBHOOK_SECRET, WebhookSigner, verifier};
    use clerk_sdk::webhooks::{EventData, Webhook};
    use tower::ServiceExt;

    use super::ada;

    /// A service: the signed-in user's first name, from the API; and a webhook endpoint.
    #[derive(Clone)]
    struct App {
        clerk: Client,
        verifier: Arc<TokenVerifier>,
        webhook: Arc<Webhook>,
    }

    impl FromRef<App> for Arc<TokenVerifier> {
        fn from_ref(app: &App) -> Self {
            Arc::clone(&app.verifier)
        }
    }

    async fn my_name(State(app): State<App>, SignedIn(session): SignedIn) -> (StatusCode, String) {
        match app.clerk.users().get_user(session.sub).await {
            Ok(user) => (StatusCode::OK, user.first_name.unwrap_or_default()),
            Err(e) if e.is_not_found() => (StatusCode::NOT_FOUND, "no such user".to_owned()),
            Err(e) => (StatusCode::BAD_GATEWAY, e.to_string()),
        }
    }

    async fn webhook(
        State(app): State<App>,
        headers: http::HeaderMap,
        body: axum::body::Bytes,
    ) -> (StatusCode, String) {
        let Ok(event) = app.webhook.verify(&headers, &body) else { return (StatusCode::BAD_REQUEST, String::new()) };
        match event.typed_data() {
            Ok(EventData::UserCreated(user)) => (StatusCode::OK, format!("welcome {}", user.id)),
            _ => (StatusCode::NO_CONTENT, String::new()),
        }
    }

    fn app(clerk: Client) -> Router {
        let state = App {
            clerk,
            verifier: Arc::new(verifier(VerifyOptions::default())),
            webhook: Arc::new(Webhook::new(TEST_WEBHOOK_SECRET).unwrap()),
        };
        Router::new().route("/me/name", get(my_name)).route("/webhooks", post(webhook)).with_state(state)
    }

    async fn send(app: Router, request: http::Request<Body>) -> (StatusCode, String) {
        let response = app.oneshot(request).await.unwrap();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 4096).await.unwrap();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    fn my_name_as(user_id: &str) -> http::Request<Body> {
        let token = SessionToken::new(user_id).sign();
        http::Request::get("/me/name").header("authorization", format!("Bearer {token}")).body(Body::empty()).unwrap()
    }

    #[tokio::test]
    async fn a_handler_is_tested_with_the_kit_alone() {
        let mock = MockServer::start().await;
        mock.users().get_user("user_1").returns(ada()).expect(1).mount();
        mock.users().get_user("user_2").returns_error(404, "resource_not_found").expect(1).mount();
        let app = app(mock.client());

        assert_eq!(send(app.clone(), my_name_as("user_1")).await, (StatusCode::OK, "Ada".to_owned()));
        assert_eq!(send(app.clone(), my_name_as("user_2")).await.0, StatusCode::NOT_FOUND);
        let anonymous = http::Request::get("/me/name").body(Body::empty()).unwrap();
        assert_eq!(send(app.clone(), anonymous).await.0, StatusCode::UNAUTHORIZED);

        let signed = WebhookSigner::new(TEST_WEBHOOK_SECRET).unwrap().sign_event("user.created", &ada()).unwrap();
        let request = signed.request("/webhooks").unwrap().map(Body::from);
        assert_eq!(send(app, request).await, (StatusCode::OK, "welcome user_1".to_owned()));
        mock.verify();
    }
}
