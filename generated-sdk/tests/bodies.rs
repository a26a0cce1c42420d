//! Request bodies set through the operation method and the builder's setters, against a
//! local mock server: exactly what was set is sent, `null` only when asked for, nothing
//! when nothing was set; and builders, calls and streams outlive the client handle.

use clerk_sdk::models::{UpdateUserMetadataRequest, UpdateUserRequest};
use clerk_sdk::{Client, Nullable};
use futures_util::TryStreamExt;
use serde_json::{Value, json};
use wiremock::matchers::{method, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn user_json(id: &str) -> Value {
    let path = format!("{}/tests/fixtures/user.json", env!("CARGO_MANIFEST_DIR"));
    let mut user: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    user["id"] = json!(id);
    user
}

/// A server that answers every request with a user.
async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_body_json(user_json("user_1")))
        .mount(&server)
        .await;
    server
}

fn client(server: &MockServer) -> Client {
    Client::builder("sk_test_bodies").base_url(server.uri()).build().unwrap()
}

/// The one request the server received.
async fn only_request(server: &MockServer) -> Request {
    let mut received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 1, "{received:?}");
    received.remove(0)
}

fn json_body(request: &Request) -> Value {
    serde_json::from_slice(&request.body).unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", request.body))
}

#[tokio::test]
async fn a_patch_built_with_setters_sends_exactly_the_keys_set() {
    let server = server().await;
    client(&server).users().update_user("user_1").first_name("Ada").username("ada").await.unwrap();
    let request = only_request(&server).await;
    assert_eq!((request.method.as_str(), request.url.path()), ("PATCH", "/users/user_1"));
    assert_eq!(json_body(&request), json!({"first_name": "Ada", "username": "ada"}));
}

#[tokio::test]
async fn a_null_setter_sends_an_explicit_null() {
    let server = server().await;
    client(&server).users().update_user("user_1").last_name_null().await.unwrap();
    assert_eq!(json_body(&only_request(&server).await), json!({"last_name": null}));
}

#[tokio::test]
async fn the_last_setter_of_a_field_wins() {
    let server = server().await;
    client(&server).users().update_user("user_1").first_name_null().first_name("Ada").await.unwrap();
    assert_eq!(json_body(&only_request(&server).await), json!({"first_name": "Ada"}));
}

#[tokio::test]
async fn unset_fields_send_nothing() {
    let server = server().await;
    // The spec requires this body: an empty object goes out.
    client(&server).users().update_user("user_1").await.unwrap();
    assert_eq!(json_body(&only_request(&server).await), json!({}));

    // This one is optional: with nothing set, no body at all.
    let server = self::server().await;
    client(&server).users().update_user_metadata("user_1").await.unwrap();
    let request = only_request(&server).await;
    assert!(request.body.is_empty(), "{:?}", String::from_utf8_lossy(&request.body));
    assert!(!request.headers.contains_key("content-type"));
}

#[tokio::test]
async fn metadata_takes_any_json_value_and_lists_any_iterator() {
    let server = server().await;
    let clerk = client(&server);
    clerk.users().update_user_metadata("user_1").public_metadata(json!({"plan": "pro"})).await.unwrap();
    assert_eq!(json_body(&only_request(&server).await), json!({"public_metadata": {"plan": "pro"}}));

    let server = self::server().await;
    let emails = ["ada@example.com".to_owned()];
    client(&server).users().create_user().email_address(emails.iter().map(String::as_str)).await.unwrap();
    assert_eq!(json_body(&only_request(&server).await), json!({"email_address": ["ada@example.com"]}));
}

#[tokio::test]
async fn required_properties_are_arguments_and_always_sent() {
    let server = server().await;
    // The answer is not an organization: only the request matters here.
    let _ = client(&server).organizations().create_organization("Acme").slug("acme").await;
    let request = only_request(&server).await;
    assert_eq!((request.method.as_str(), request.url.path()), ("POST", "/organizations"));
    assert_eq!(json_body(&request), json!({"name": "Acme", "slug": "acme"}));
}

#[tokio::test]
async fn a_whole_body_replaces_what_the_setters_set() {
    let server = server().await;
    let mut body = UpdateUserRequest::default();
    body.last_name = Nullable::Value("Lovelace".to_owned());
    client(&server).users().update_user("user_1").first_name("Ada").body(body).await.unwrap();
    assert_eq!(json_body(&only_request(&server).await), json!({"last_name": "Lovelace"}));

    let server = self::server().await;
    let mut metadata = UpdateUserMetadataRequest::default();
    metadata.private_metadata = Some(json!({"tier": 2}));
    client(&server).users().update_user_metadata("user_1").body(metadata).await.unwrap();
    assert_eq!(json_body(&only_request(&server).await), json!({"private_metadata": {"tier": 2}}));
}

#[tokio::test]
async fn a_spawned_call_runs_after_the_handle_that_built_it_is_gone() {
    let server = server().await;
    let call = {
        let clerk = client(&server);
        clerk.users().update_user("user_1").first_name("Ada").send()
    };
    let user = tokio::spawn(call).await.unwrap().unwrap();
    assert_eq!(user.id, "user_1");
    assert_eq!(json_body(&only_request(&server).await), json!({"first_name": "Ada"}));
}

/// Every user, as a stream that owns everything it needs.
fn every_user(
    clerk: &Client,
) -> impl futures_util::Stream<Item = clerk_sdk::Result<clerk_sdk::models::User>> + 'static {
    clerk.users().get_user_list().limit(2).paginate()
}

#[tokio::test]
async fn a_returned_stream_is_static_and_runs_on_another_task() {
    let server = MockServer::start().await;
    let page = json!([user_json("user_1"), user_json("user_2")]);
    Mock::given(method("GET"))
        .and(query_param_is_missing("starting_after"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param("starting_after", "user_2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([user_json("user_3")])))
        .mount(&server)
        .await;
    let stream = every_user(&client(&server));
    let users: Vec<_> = tokio::spawn(stream.try_collect::<Vec<_>>()).await.unwrap().unwrap();
    let ids: Vec<&str> = users.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(ids, ["user_1", "user_2", "user_3"]);
}
