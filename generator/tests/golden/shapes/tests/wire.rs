//! What the shapes fixture's operations put on the wire and read back, against a local mock
//! server: list and union parameters, an `allOf` that merges no object, several files under
//! one multipart name, and a required property that is deprecated.

use golden_shapes::models::{Choice, GetItemKey, GetItemSince, Tool};
use golden_shapes::{Client, FilePart, RetryPolicy};
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockBuilder, MockServer, Request, ResponseTemplate};

/// A server that answers `expected` once with `response`, and a client of it.
async fn serve(expected: MockBuilder, response: ResponseTemplate) -> (MockServer, Client) {
    let server = MockServer::start().await;
    expected.respond_with(response).expect(1).mount(&server).await;
    let client =
        Client::builder("sk_test_wire").base_url(server.uri()).retry_policy(RetryPolicy::none()).build().unwrap();
    (server, client)
}

/// The one request the server received.
async fn received(server: &MockServer) -> Request {
    let mut requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1, "one request");
    requests.remove(0)
}

#[tokio::test]
async fn a_list_path_parameter_is_its_items_encoded_and_joined_and_a_union_is_its_value() {
    let expected = Mock::given(method("GET")).and(path("/items/a%2Fb,c/7")).and(query_param("since", "last week"));
    let (_server, client) = serve(expected, ResponseTemplate::new(200).set_body_json(json!({"id": "i_1"}))).await;
    let item = client
        .items()
        .get_item(["a/b", "c"], GetItemKey::Integer(7))
        .since(GetItemSince::String("last week".into()))
        .await
        .unwrap();
    assert_eq!(item.id, "i_1");
}

#[tokio::test]
async fn a_union_path_parameter_that_is_a_string_is_sent_without_quotes() {
    let expected = Mock::given(method("GET")).and(path("/items/x/key%201"));
    let (_server, client) = serve(expected, ResponseTemplate::new(200).set_body_json(json!({"id": "i_2"}))).await;
    let item = client.items().get_item(["x"], GetItemKey::String("key 1".into())).await.unwrap();
    assert_eq!(item.id, "i_2");
}

#[tokio::test]
async fn an_all_of_that_merges_no_object_reads_as_its_part() {
    let sent = json!({
        "id": "i_3",
        "choice": "plain",
        "slug": "a-slug",
        "count": 3,
        "odd": true,
        "tool": {"type": "toolset"}
    });
    let expected = Mock::given(method("GET")).and(path("/items/x/1"));
    let (_server, client) = serve(expected, ResponseTemplate::new(200).set_body_json(sent)).await;
    let item = client.items().get_item(["x"], GetItemKey::Integer(1)).await.unwrap();
    assert_eq!(item.choice, Some(Choice::String("plain".into())), "the referenced union, not an empty struct");
    assert_eq!(item.slug.as_deref(), Some("a-slug"));
    let count: Option<i32> = item.count;
    assert_eq!(count, Some(3), "the narrower of int32 and integer");
    assert_eq!(item.odd, Some(json!(true)), "parts of different kinds: any JSON, kept");
    assert!(matches!(item.tool, Some(Tool::Toolset2026(_))), "{:?}", item.tool);

    let expected = Mock::given(method("GET")).and(path("/items/x/1"));
    let null = json!({"id": "i_4", "choice": null});
    let (_server, client) = serve(expected, ResponseTemplate::new(200).set_body_json(null)).await;
    let item = client.items().get_item(["x"], GetItemKey::Integer(1)).await.unwrap();
    assert_eq!(item.choice, None, "`{{nullable: true}}` beside the reference allows null");
}

#[tokio::test]
async fn several_files_under_one_name_are_one_part_each() {
    let (server, client) = serve(Mock::given(method("PUT")).and(path("/uploads")), ResponseTemplate::new(204)).await;
    let files = [FilePart::new(b"first file".to_vec()), FilePart::new(b"second file".to_vec())];
    client.uploads().put_uploads().files(files).note("two").await.unwrap();
    let request = received(&server).await;
    let body = String::from_utf8_lossy(&request.body);
    assert_eq!(body.matches("name=\"files\"").count(), 2, "{body}");
    assert!(body.contains("first file") && body.contains("second file"), "{body}");
    assert_eq!(body.matches("name=\"note\"").count(), 1, "{body}");
}

#[tokio::test]
async fn a_required_deprecated_property_is_an_argument_and_is_sent() {
    let (server, client) = serve(Mock::given(method("PUT")).and(path("/rules")), ResponseTemplate::new(204)).await;
    client.rules().put_rules(["ci/build"]).await.unwrap();
    let request = received(&server).await;
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&request.body).unwrap(), json!({"contexts": ["ci/build"]}));
}
