//! The mocks of every kind of parameter, body and response match what the client sends and
//! answer what it reads.
#![cfg(feature = "testing")]

use golden_testing::models::{ListWidgetsFilter, Widget, WidgetKind};
use golden_testing::testing::MockServer;

#[test]
fn a_fixture_is_the_spec_example_with_nested_examples() {
    let widget = Widget::fixture();
    assert_eq!((widget.id, widget.name.as_str(), widget.owner.id.as_str()), (7, "Sprocket", "owner_1"));
    assert_eq!((widget.kind, widget.note), (WidgetKind::Round, None));
}

#[tokio::test]
async fn query_parameters_of_every_kind_match_as_the_client_sends_them() {
    let mock = MockServer::start().await;
    let mut filter = ListWidgetsFilter::default();
    filter.color = Some("red".to_owned());
    let listed = mock
        .widgets()
        .list_widgets()
        .limit(5)
        .tag(["a", "b"])
        .kind(WidgetKind::Square)
        .filter(filter.clone())
        .returns(vec![Widget::fixture()])
        .expect(1)
        .mount();
    let clerk = mock.client();
    let widgets =
        clerk.widgets().list_widgets().limit(5).tag(["a", "b"]).kind(WidgetKind::Square).filter(filter).await.unwrap();
    assert_eq!(widgets, [Widget::fixture()]);
    assert_eq!(listed.count(), 1);
    let error = clerk.widgets().list_widgets().limit(5).tag(["a"]).await.unwrap_err();
    assert!(error.message().contains(r#"query parameter `tag`: expected "a,b", got "a""#), "{error}");
}

#[tokio::test]
async fn integer_path_parameters_text_and_empty_responses() {
    let mock = MockServer::start().await;
    mock.widgets().get_widget_label(7).returns("Sprocket".to_owned()).mount();
    mock.widgets().delete_widget(7).returns(()).expect(1).mount();
    let clerk = mock.client();
    assert_eq!(clerk.widgets().get_widget_label(7).await.unwrap(), "Sprocket");
    clerk.widgets().delete_widget(7).await.unwrap();
    let error = clerk.widgets().delete_widget(8).await.unwrap_err();
    assert!(error.message().ends_with(r#"path parameter `widget_id`: expected "7", got "8""#), "{error}");
    assert_eq!(mock.unmatched().len(), 1);
}
