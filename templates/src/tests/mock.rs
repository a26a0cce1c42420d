//! The mock server with a hand-written endpoint, as generated ones are: answers, the
//! reasons a request matches nothing, and call counts.

use std::time::Duration;

use serde_json::{Value, json};

use crate::testing::{Endpoint, Mock, MockServer, Reply, UNMATCHED_STATUS};

/// `PATCH /things/{thing_id}`, answering JSON.
struct UpdateThing;

impl Endpoint for UpdateThing {
    type Response = Value;
    const OPERATION: &'static str = "update_thing";
    const METHOD: &'static str = "PATCH";
    const PATH: &'static str = "/things/{thing_id}";

    fn reply(response: Value) -> Reply {
        Reply::json(200, &response)
    }
}

fn update<'m>(mock: &'m MockServer, thing_id: &str) -> Mock<'m, UpdateThing> {
    Mock::new(mock).match_path("thing_id", thing_id)
}

async fn send(mock: &MockServer, path: &str, body: Value) -> (u16, Option<String>, Value) {
    let response =
        mock.client().inner.http.patch(format!("{}{path}", mock.uri())).body(body.to_string()).send().await.unwrap();
    let status = response.status().as_u16();
    let retry_after = response.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
    (status, retry_after, serde_json::from_slice(&response.bytes().await.unwrap()).unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_matching_request_gets_the_mounted_answer_and_is_counted() {
    let mock = MockServer::start().await;
    let calls = update(&mock, "t 1").match_json_body(&json!({"name": "a"})).returns(json!({"id": "t 1"})).mount();
    let answer = send(&mock, "/things/t%201", json!({"name": "a", "size": 2})).await;
    assert_eq!(answer, (200, None, json!({"id": "t 1"})));
    assert_eq!(calls.count(), 1);
    mock.verify();
}

#[tokio::test]
async fn errors_and_rate_limits_are_clerk_error_bodies() {
    let mock = MockServer::start().await;
    update(&mock, "a").returns_error_message(422, "form_param_missing", "name is missing").mount();
    update(&mock, "b").rate_limited(Duration::from_millis(200)).mount();
    let (status, _, body) = send(&mock, "/things/a", json!({})).await;
    assert_eq!(
        (status, &body["errors"][0]["code"], &body["errors"][0]["message"]),
        (422, &json!("form_param_missing"), &json!("name is missing"))
    );
    let (status, retry_after, _) = send(&mock, "/things/b", json!({})).await;
    assert_eq!((status, retry_after.as_deref()), (429, Some("1")));
}

#[tokio::test]
async fn an_unmatched_request_names_the_closest_mock_or_says_none_is_mounted() {
    let mock = MockServer::start().await;
    let (status, _, body) = send(&mock, "/things/a", json!({})).await;
    assert_eq!(status, UNMATCHED_STATUS);
    assert_eq!(body["errors"][0]["message"], "no mock matched PATCH /things/a: no mock is mounted");

    update(&mock, "a").match_json_body(&json!({"name": "x", "size": 1})).returns(json!({})).mount();
    update(&mock, "a").match_json_body(&json!({"name": "y"})).returns(json!({})).mount();
    let (_, _, body) = send(&mock, "/things/a", json!({"name": "z", "size": 1})).await;
    let expected =
        r#"no mock matched PATCH /things/a: closest is update_thing, body field `name`: expected "x", got "z""#;
    assert_eq!(body["errors"][0]["message"], expected);
    assert_eq!(mock.unmatched().len(), 2);
}

#[tokio::test]
async fn a_header_that_is_not_valid_http_is_left_out_of_the_answer() {
    let mock = MockServer::start().await;
    let reply = Reply::status(204).header("bad name", "x").header("x-ok", "1").header("x-bad-value", "a\nb");
    update(&mock, "a").reply(reply).mount();
    let response = mock.client().inner.http.patch(format!("{}/things/a", mock.uri())).send().await.unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(response.headers()["x-ok"], "1");
    assert!(!response.headers().contains_key("x-bad-value"));
}
