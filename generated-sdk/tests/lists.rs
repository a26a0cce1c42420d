//! List operations against a local mock server: the two shapes a list answers in, paging
//! by total count and by cursor, and page-size ranges refused before anything is sent.

use clerk_sdk::{Client, Error};
use futures_util::TryStreamExt;
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    Client::builder("sk_test_lists").base_url(server.uri()).build().unwrap()
}

async fn queries(server: &MockServer) -> Vec<String> {
    let requests: Vec<Request> = server.received_requests().await.unwrap();
    requests.iter().map(|r| r.url.query().unwrap_or_default().to_owned()).collect()
}

fn redirect_url(id: &str) -> Value {
    json!({"object": "redirect_url", "id": id, "url": format!("https://{id}.example"), "created_at": 1, "updated_at": 1})
}

#[tokio::test]
async fn a_list_with_a_paginated_flag_reads_the_envelope_and_the_bare_array() {
    let server = MockServer::start().await;
    Mock::given(path("/redirect_urls"))
        .and(query_param("paginated", "true"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [redirect_url("r1")], "total_count": 9})))
        .mount(&server)
        .await;
    Mock::given(path("/redirect_urls"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([redirect_url("r1"), redirect_url("r2")])))
        .mount(&server)
        .await;
    let clerk = client(&server);
    let paged = clerk.redirect_urls().list_redirect_urls().paginated(true).await.unwrap();
    assert_eq!((paged.len(), paged.total_count()), (1, Some(9)));
    assert_eq!(paged[0].id, "r1");
    let bare = clerk.redirect_urls().list_redirect_urls().await.unwrap();
    assert_eq!(bare.total_count(), None);
    let ids: Vec<String> = bare.into_iter().map(|r| r.id).collect();
    assert_eq!(ids, ["r1", "r2"]);
}

#[tokio::test]
async fn paging_a_switchable_list_asks_for_envelopes_and_stops_at_the_total() {
    let server = MockServer::start().await;
    for (offset, ids) in [("0", ["r1", "r2"]), ("2", ["r3", "r4"])] {
        let data: Vec<Value> = ids.iter().map(|id| redirect_url(id)).collect();
        Mock::given(path("/redirect_urls"))
            .and(query_param("paginated", "true"))
            .and(query_param("offset", offset))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": data, "total_count": 4})))
            .expect(1)
            .mount(&server)
            .await;
    }
    let all: Vec<_> =
        client(&server).redirect_urls().list_redirect_urls().limit(2).paginate().try_collect().await.unwrap();
    let ids: Vec<&str> = all.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["r1", "r2", "r3", "r4"]);
    // Full pages, yet no third request: the total was reached.
    assert_eq!(queries(&server).await, ["paginated=true&limit=2&offset=0", "paginated=true&limit=2&offset=2"]);
}

#[tokio::test]
async fn a_failing_item_of_an_envelope_is_named_by_its_path() {
    let server = MockServer::start().await;
    let mut broken = redirect_url("r2");
    broken["url"] = json!(7);
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"data": [redirect_url("r1"), broken], "total_count": 2})),
        )
        .mount(&server)
        .await;
    let err = client(&server).redirect_urls().list_redirect_urls().paginated(true).await.unwrap_err();
    let Error::Decode { error, .. } = err else { panic!("{err:?}") };
    assert_eq!(error.path(), "data[1].url");
}

fn user_json(id: &str) -> Value {
    let path = format!("{}/tests/fixtures/user.json", env!("CARGO_MANIFEST_DIR"));
    let mut user: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    user["id"] = json!(id);
    user
}

#[tokio::test]
async fn a_user_without_collections_the_spec_requires_does_not_fail_the_page() {
    let server = MockServer::start().await;
    let mut sparse = user_json("u2");
    for key in ["passkeys", "enterprise_accounts", "public_metadata"] {
        sparse.as_object_mut().unwrap().remove(key);
    }
    sparse["email_addresses"][0].as_object_mut().unwrap().remove("linked_to");
    Mock::given(path("/users"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([user_json("u1"), sparse])))
        .mount(&server)
        .await;
    let users = client(&server).users().get_user_list().await.unwrap();
    assert_eq!(users.len(), 2);
    assert!(users[1].passkeys.is_empty() && users[1].enterprise_accounts.is_empty());
    assert!(users[1].public_metadata.is_empty() && users[1].email_addresses[0].linked_to.is_empty());
    assert_eq!(users[1].email_addresses[0].id, users[0].email_addresses[0].id);
}

#[tokio::test]
async fn a_user_without_a_required_flag_still_fails_with_its_path() {
    let server = MockServer::start().await;
    let mut broken = user_json("u2");
    broken["email_addresses"][0].as_object_mut().unwrap().remove("reserved");
    Mock::given(path("/users"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([user_json("u1"), broken])))
        .mount(&server)
        .await;
    let err = client(&server).users().get_user_list().await.unwrap_err();
    let Error::Decode { error, .. } = err else { panic!("{err:?}") };
    assert_eq!(error.path(), "[1].email_addresses[0].reserved");
}

#[tokio::test]
async fn a_page_size_out_of_the_spec_range_is_refused_before_any_request() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_json(json!([]))).mount(&server).await;
    let clerk = client(&server);
    let mut pages = std::pin::pin!(clerk.users().get_user_list().limit(1000).paginate());
    let err = pages.try_next().await.unwrap_err();
    let Error::Config(message) = &err else { panic!("{err:?}") };
    assert!(message.contains("`limit` must be at least 1 and at most 500, not 1000"), "{message}");
    assert!(pages.try_next().await.unwrap().is_none(), "the walk ends at the error");
    let err = clerk.redirect_urls().list_redirect_urls().offset(-1).await.unwrap_err();
    assert!(err.to_string().contains("`offset` must be at least 0, not -1"), "{err}");
    assert!(queries(&server).await.is_empty(), "nothing was sent");
    // The ends of the range are accepted.
    clerk.users().get_user_list().limit(500).await.unwrap();
    clerk.users().get_user_list().limit(1).offset(0).await.unwrap();
    assert_eq!(queries(&server).await.len(), 2);
}

#[tokio::test]
async fn users_are_walked_by_cursor_without_an_offset() {
    let server = MockServer::start().await;
    let pages: [(&str, &[&str]); 3] = [("", &["u1", "u2"]), ("u2", &["u3", "u4"]), ("u4", &["u5"])];
    for (after, ids) in pages {
        let page: Vec<Value> = ids.iter().map(|id| user_json(id)).collect();
        let mock = Mock::given(path("/users"));
        let mock = if after.is_empty() {
            mock.and(wiremock::matchers::query_param_is_missing("starting_after"))
        } else {
            mock.and(query_param("starting_after", after))
        };
        mock.respond_with(ResponseTemplate::new(200).set_body_json(page)).expect(1).mount(&server).await;
    }
    let users: Vec<_> =
        client(&server).users().get_user_list().limit(2).offset(0).paginate().try_collect().await.unwrap();
    let ids: Vec<&str> = users.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(ids, ["u1", "u2", "u3", "u4", "u5"]);
    // The first page as asked for; then the cursor alone, with no offset beside it.
    assert_eq!(queries(&server).await, ["limit=2&offset=0", "limit=2&starting_after=u2", "limit=2&starting_after=u4"]);
}

#[tokio::test]
async fn a_cursor_walk_stops_when_the_server_ignores_the_cursor() {
    let server = MockServer::start().await;
    Mock::given(path("/users"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([user_json("u1"), user_json("u2")])))
        .mount(&server)
        .await;
    let users: Vec<_> = client(&server).users().get_user_list().limit(2).paginate().try_collect().await.unwrap();
    assert_eq!(users.len(), 2, "the repeated page is not yielded again");
    assert_eq!(queries(&server).await, ["limit=2", "limit=2&starting_after=u2"]);
}

#[tokio::test]
async fn a_cursor_with_a_non_zero_offset_is_refused_before_sending() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_json(json!([]))).mount(&server).await;
    let clerk = client(&server);
    let err = clerk.users().get_user_list().starting_after("u2").offset(10).await.unwrap_err();
    let Error::Config(message) = &err else { panic!("{err:?}") };
    assert!(message.contains("`starting_after` cannot be combined with a non-zero `offset`"), "{message}");
    assert!(queries(&server).await.is_empty());
    clerk.users().get_user_list().starting_after("u2").offset(0).await.unwrap();
    assert_eq!(queries(&server).await, ["offset=0&starting_after=u2"]);
}
