//! What the bodies fixture's operations put on the wire and read back, against a local
//! mock server: raw bytes and text with their content types, and responses as bytes or text.

use golden_bodies::{Client, FilePart, RetryPolicy};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

async fn mock(verb: &str, route: &str, response: ResponseTemplate) -> (MockServer, Client) {
    let server = MockServer::start().await;
    Mock::given(method(verb)).and(path(route)).respond_with(response).expect(1).mount(&server).await;
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

fn content_type(request: &Request) -> Option<&str> {
    request.headers.get("content-type").map(|v| v.to_str().unwrap())
}

#[tokio::test]
async fn raw_bytes_go_out_as_they_are_with_the_declared_content_type() {
    let stored = ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": "f_1", "size": 4}));
    let (server, client) = mock("PUT", "/files/report.bin", stored).await;
    let bytes = vec![0x00, 0x9f, 0x92, 0xff];
    let stored = client.files().upload_file("report.bin", bytes.clone()).await.unwrap();
    assert_eq!((stored.id.as_str(), stored.size), ("f_1", 4));
    let request = received(&server).await;
    assert_eq!(request.body, bytes);
    assert_eq!(content_type(&request), Some("application/octet-stream"));
}

#[tokio::test]
async fn a_wildcard_body_sends_the_files_own_content_type_or_octet_stream() {
    let (server, client) = mock("POST", "/avatars", ResponseTemplate::new(204)).await;
    let png = FilePart::new(b"\x89PNG\r\n\x1a\n".to_vec()).content_type("image/png");
    client.files().upload_avatar(png).await.unwrap();
    let request = received(&server).await;
    assert_eq!((request.body.as_slice(), content_type(&request)), (&b"\x89PNG\r\n\x1a\n"[..], Some("image/png")));

    let (server, client) = mock("POST", "/avatars", ResponseTemplate::new(204)).await;
    client.files().upload_avatar(bytes::Bytes::from_static(b"GIF89a")).await.unwrap();
    let request = received(&server).await;
    assert_eq!((request.body.as_slice(), content_type(&request)), (&b"GIF89a"[..], Some("application/octet-stream")));
}

#[tokio::test]
async fn a_file_read_from_disk_is_sent_with_the_type_of_its_extension() {
    let file = std::env::temp_dir().join(format!("wire-{}.png", std::process::id()));
    std::fs::write(&file, b"png from disk").unwrap();
    let (server, client) = mock("POST", "/avatars", ResponseTemplate::new(204)).await;
    client.files().upload_avatar(FilePart::from_path(&file).unwrap()).await.unwrap();
    std::fs::remove_file(&file).unwrap();
    let request = received(&server).await;
    assert_eq!((request.body.as_slice(), content_type(&request)), (&b"png from disk"[..], Some("image/png")));
}

#[tokio::test]
async fn an_optional_raw_body_is_sent_only_when_set() {
    let created = ResponseTemplate::new(201).set_body_json(serde_json::json!({"digest": "d1"}));
    let (server, client) = mock("POST", "/blobs", created.clone()).await;
    assert_eq!(client.files().put_blob().await.unwrap().digest.as_deref(), Some("d1"));
    let request = received(&server).await;
    assert!(request.body.is_empty() && content_type(&request).is_none());

    let (server, client) = mock("POST", "/blobs", created).await;
    client.files().put_blob().body(&b"any bytes"[..]).await.unwrap();
    let request = received(&server).await;
    assert_eq!(
        (request.body.as_slice(), content_type(&request)),
        (&b"any bytes"[..], Some("application/octet-stream"))
    );
}

#[tokio::test]
async fn binary_responses_are_returned_byte_for_byte() {
    let bytes = vec![0xff, 0xfe, 0x00, 0x80];
    let (_server, client) =
        mock("GET", "/files/a.bin", ResponseTemplate::new(200).set_body_raw(bytes.clone(), "application/octet-stream"))
            .await;
    assert_eq!(client.files().download_file("a.bin").await.unwrap(), bytes);
    let (_server, client) =
        mock("GET", "/logo", ResponseTemplate::new(200).set_body_raw(b"\x89PNG".to_vec(), "image/png")).await;
    assert_eq!(&client.files().get_logo().await.unwrap()[..], b"\x89PNG");
}

#[tokio::test]
async fn text_bodies_go_out_as_utf8_with_their_content_type_and_text_comes_back() {
    let html = ResponseTemplate::new(200).set_body_raw("<h1>Title</h1>", "text/html");
    let (server, client) = mock("POST", "/notes", html).await;
    assert_eq!(client.notes().create_note("# Title ✓").await.unwrap(), "<h1>Title</h1>");
    let request = received(&server).await;
    assert_eq!((request.body.as_slice(), content_type(&request)), ("# Title ✓".as_bytes(), Some("text/markdown")));

    let (server, client) = mock("POST", "/imports", ResponseTemplate::new(202).set_body_string("queued")).await;
    assert_eq!(client.notes().import_rows().body("a,b\n1,2\n").await.unwrap(), "queued");
    let request = received(&server).await;
    assert_eq!((request.body.as_slice(), content_type(&request)), (&b"a,b\n1,2\n"[..], Some("text/csv")));
}

#[tokio::test]
async fn of_several_media_types_json_is_sent_and_asked_for() {
    let sent = ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": "m_1"}));
    let (server, client) = mock("POST", "/messages", sent).await;
    assert_eq!(client.notes().send_message("hello").await.unwrap().id.as_deref(), Some("m_1"));
    let request = received(&server).await;
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&request.body).unwrap(),
        serde_json::json!({"text": "hello"})
    );
    assert_eq!(content_type(&request), Some("application/json"));
    assert_eq!(request.headers.get("accept").unwrap(), "application/json");
}

#[tokio::test]
async fn of_text_and_pdf_the_text_is_read() {
    let (server, client) = mock("POST", "/render", ResponseTemplate::new(200).set_body_string("rendered")).await;
    assert_eq!(client.notes().render_document(String::from("doc")).await.unwrap(), "rendered");
    let request = received(&server).await;
    assert_eq!((request.body.as_slice(), content_type(&request)), (&b"doc"[..], Some("text/plain")));
    assert_eq!(request.headers.get("accept").unwrap(), "text/plain");
}
