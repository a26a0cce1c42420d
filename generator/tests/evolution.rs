//! API evolution: small spec changes give small, correctly classified differences, and
//! the names map keeps Rust names stable when upstream reorganises schemas.

use clerk_codegen::diff::{self, How, Item};
use clerk_codegen::emit::{self, Options};
use clerk_codegen::ir::{self, Api, NameMap};
use clerk_codegen::load::{Spec, yaml};
use serde_json::{Value, json};
use std::path::Path;

fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/fixtures").join(name);
    yaml::parse(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn api(doc: &Value, names: &NameMap) -> Api {
    let spec = Spec::from_value(Path::new("test.yaml"), doc.clone(), "").unwrap_or_else(|e| panic!("{e}"));
    ir::build_with(&spec, names).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn an_added_optional_field_changes_only_that_field() {
    let old = fixture("nullability.yaml");
    let mut new = old.clone();
    new["components"]["schemas"]["User"]["properties"]
        .as_object_mut()
        .unwrap()
        .insert("nickname".into(), json!({"type": "string", "description": "What friends call them."}));
    let (old_api, new_api) = (api(&old, &NameMap::new()), api(&new, &NameMap::new()));

    let changed = edits_of(&old_api, &new_api);
    assert_eq!(changed.len(), 1, "{:?}", changed.iter().map(|c| &c.0).collect::<Vec<_>>());
    let (path, edits) = &changed[0];
    assert_eq!(path, "src/models/user.rs");
    assert_eq!(
        *edits,
        [
            "+    /// What friends call them.",
            "+    pub nickname: Option<String>,",
            // Its line in the field table that `Serialize` and `Deserialize` are expanded from.
            "+        nickname: optional \"nickname\",",
        ]
    );

    let changes = diff::diff(&old_api, &new_api);
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!((changes[0].item, changes[0].how, changes[0].breaking), (Item::Field, How::Added, false));
    assert!(changes[0].text.contains("User.nickname"));
    assert_eq!(diff::suggest_version("0.1.0", &changes), "0.1.1");
}

/// The one generated file a change touches, and the lines it adds and removes.
fn edits_of(old: &Api, new: &Api) -> Vec<(String, Vec<String>)> {
    let (a, b) = (emit::emit(old, &Options::default()).unwrap(), emit::emit(new, &Options::default()).unwrap());
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(&b)
        .filter(|(x, y)| x.contents != y.contents)
        .map(|(x, y)| {
            let lines = similar::TextDiff::from_lines(&x.contents, &y.contents)
                .iter_all_changes()
                .filter(|c| c.tag() != similar::ChangeTag::Equal)
                .map(|c| format!("{}{}", c.tag(), c.value().trim_end()))
                .collect();
            (x.path.clone(), lines)
        })
        .collect()
}

#[test]
fn an_added_optional_body_property_adds_a_field_and_a_setter_and_breaks_nothing() {
    let old = fixture("nullability.yaml");
    let mut new = old.clone();
    new["paths"]["/users/{user_id}"]["patch"]["requestBody"]["content"]["application/json"]["schema"]["properties"]
        .as_object_mut()
        .unwrap()
        .insert("nickname".into(), json!({"type": "string", "description": "What friends call them."}));
    let (old_api, new_api) = (api(&old, &NameMap::new()), api(&new, &NameMap::new()));

    let edits = edits_of(&old_api, &new_api);
    let paths: Vec<&str> = edits.iter().map(|(path, _)| path.as_str()).collect();
    assert_eq!(paths, ["src/api/users.rs", "src/models/operations/users.rs"]);
    // Only additions: no signature changes, and the struct is `#[non_exhaustive]` already.
    assert!(edits.iter().flat_map(|(_, lines)| lines).all(|line| line.starts_with('+')), "{edits:?}");
    assert!(edits[0].1.contains(&"+    pub fn nickname(mut self, nickname: impl Into<String>) -> Self {".to_owned()));

    let changes = diff::diff(&old_api, &new_api);
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!((changes[0].item, changes[0].how, changes[0].breaking), (Item::Field, How::Added, false));
    assert_eq!(diff::suggest_version("0.1.0", &changes), "0.1.1");
}

fn membership(extracted: bool) -> Value {
    let user_data =
        json!({"type": "object", "properties": {"user_id": {"type": "string"}, "identifier": {"type": "string"}}});
    let mut schemas = json!({"Membership": {"type": "object", "properties": {"id": {"type": "string"}}}});
    if extracted {
        schemas["Membership"]["properties"]["public_user_data"] =
            json!({"$ref": "#/components/schemas/PublicUserData"});
        schemas["PublicUserData"] = user_data;
    } else {
        schemas["Membership"]["properties"]["public_user_data"] = user_data;
    }
    json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {"schemas": schemas}})
}

#[test]
fn an_inline_schema_that_becomes_a_component_keeps_its_name_through_the_name_map() {
    let before = api(&membership(false), &NameMap::new());
    assert!(before.types.iter().any(|t| t.name == "MembershipPublicUserData"));

    // Without the map, the extracted component takes its own name, and the diff says how
    // to keep the old one.
    let unpinned = api(&membership(true), &NameMap::new());
    let changes = diff::diff(&before, &unpinned);
    let removed = changes.iter().find(|c| c.item == Item::Type && c.how == How::Removed).expect("a removed type");
    assert!(removed.breaking);
    assert!(
        removed.text.contains(r#""/components/schemas/PublicUserData" = "MembershipPublicUserData""#),
        "{}",
        removed.text
    );

    // With the line it suggests, nothing changes for users.
    let names =
        NameMap::from([("/components/schemas/PublicUserData".to_owned(), "MembershipPublicUserData".to_owned())]);
    let pinned = api(&membership(true), &names);
    assert!(
        pinned
            .types
            .iter()
            .any(|t| t.name == "MembershipPublicUserData" && t.pointer == "/components/schemas/PublicUserData")
    );
    assert_eq!(diff::diff(&before, &pinned), vec![]);
}

#[test]
fn a_removed_operation_and_an_added_enum_value_are_classified() {
    let old = fixture("operations.yaml");
    let mut new = old.clone();
    new["paths"].as_object_mut().unwrap().shift_remove("/users/{user_id}");
    new["paths"]["/users"]["get"]["parameters"][2]["schema"]["enum"].as_array_mut().unwrap().push(json!("locked"));
    let changes = diff::diff(&api(&old, &NameMap::new()), &api(&new, &NameMap::new()));
    let find = |item, how| changes.iter().filter(move |c| c.item == item && c.how == how).collect::<Vec<_>>();

    let removed = find(Item::Operation, How::Removed);
    assert_eq!(removed.len(), 1, "{changes:#?}");
    assert!(removed[0].breaking && removed[0].text.contains("client.users().delete_user()"), "{}", removed[0].text);
    let added = find(Item::Value, How::Added);
    assert_eq!(added.len(), 1, "{changes:#?}");
    assert!(!added[0].breaking && added[0].text.contains("`locked`"), "{}", added[0].text);
    assert_eq!(changes.len(), 2, "{changes:#?}");
    assert_eq!(diff::suggest_version("0.1.0", &changes), "0.2.0");
    assert_eq!(diff::suggest_version("1.4.2", &changes), "2.0.0");

    let report = diff::render("t", "0.1.0", &changes);
    assert!(report.contains("### Breaking") && report.contains("### Not breaking"), "{report}");
}

#[test]
fn a_field_that_becomes_nullable_is_breaking_and_a_new_required_request_field_too() {
    let old = fixture("nullability.yaml");
    let mut new = old.clone();
    new["components"]["schemas"]["User"]["properties"]["banned"]["nullable"] = json!(true);
    let body = &mut new["paths"]["/users/{user_id}"]["patch"]["requestBody"]["content"]["application/json"]["schema"];
    body["properties"]["reason"] = json!({"type": "string"});
    body["required"] = json!(["reason"]);
    let changes = diff::diff(&api(&old, &NameMap::new()), &api(&new, &NameMap::new()));
    assert!(
        changes.iter().any(|c| c.breaking && c.text.contains("User.banned`: `Option<bool>` (was `bool`)")),
        "{changes:#?}"
    );
    assert!(
        changes.iter().any(|c| c.breaking && c.how == How::Added && c.text.contains("UpdateUserRequest.reason")),
        "{changes:#?}"
    );
}

#[test]
fn a_removed_resource_group_names_every_item_that_goes_with_it() {
    let old = fixture("operations.yaml");
    let mut new = old.clone();
    new["paths"].as_object_mut().unwrap().retain(|path, _| path == "/users");
    for (path, item) in new["paths"].as_object_mut().unwrap() {
        assert_eq!(path, "/users");
        for op in item.as_object_mut().unwrap().values_mut() {
            op["tags"] = json!(["Accounts"]);
        }
    }
    let changes = diff::diff(&api(&old, &NameMap::new()), &api(&new, &NameMap::new()));
    let group = |how| changes.iter().find(|c| c.how == how && c.text.starts_with("resource group"));

    let removed = group(How::Removed).unwrap_or_else(|| panic!("{changes:#?}"));
    assert!(removed.breaking, "{removed:?}");
    assert_eq!(
        removed.items,
        ["Client::users", "UsersApi", "api::users", "feature users", "MockServer::users", "UsersMocks"]
    );
    let added = group(How::Added).unwrap_or_else(|| panic!("{changes:#?}"));
    assert!(!added.breaking && added.text.contains("client.accounts()"), "{added:?}");

    let operation = changes
        .iter()
        .find(|c| c.how == How::Removed && c.text.contains("client.users().delete_user()"))
        .unwrap_or_else(|| panic!("{changes:#?}"));
    assert_eq!(operation.items, ["UsersApi::delete_user", "DeleteUser", "UsersMocks::delete_user"]);
}

#[test]
fn a_removed_body_property_names_the_setters_it_took_away() {
    let old = fixture("nullability.yaml");
    let mut new = old.clone();
    let body = &mut new["paths"]["/users/{user_id}"]["patch"]["requestBody"]["content"]["application/json"]["schema"];
    let name = "first_name";
    body["properties"].as_object_mut().unwrap().shift_remove(name).unwrap();
    let changes = diff::diff(&api(&old, &NameMap::new()), &api(&new, &NameMap::new()));
    let removed = changes
        .iter()
        .find(|c| c.how == How::Removed && c.text.contains(&format!("UpdateUserRequest.{name}")))
        .unwrap_or_else(|| panic!("{changes:#?}"));
    assert!(removed.breaking);
    assert_eq!(removed.items[0], format!("UpdateUserRequest.{name}"));
    assert_eq!(removed.items[1..], ["UpdateUser::first_name", "UpdateUser::first_name_null"], "{removed:?}");
}
