//! How the properties of an object request body are set: required ones as arguments of
//! the operation method, the others as setters on its request builder, each under one
//! name that no parameter or builder method has.

use super::{Api, BodyField, Operation, Presence, TypeKind, TypeRef};
use crate::names::Namespace;

/// What a request builder already calls something: its fields and methods, the methods it
/// gets from its derives and `IntoFuture`, and `with_response`, which its call has.
const BUILDER_NAMES: &[&str] =
    &["client", "options", "body", "send", "paginate", "into_future", "clone", "fmt", "with_response"];

/// Fills [`Body::fields`](super::Body::fields) of every operation whose body is an object
/// (JSON, form or multipart).
pub(super) fn assign(api: &mut Api) {
    for i in 0..api.operations.len() {
        let fields = body_fields(api, &api.operations[i]);
        if let Some(body) = &mut api.operations[i].body {
            body.fields = fields;
        }
    }
}

/// The arguments and setters of an operation's body, when it is an object with known
/// properties (arrays, free-form values, text and bytes are passed whole).
fn body_fields(api: &Api, op: &Operation) -> Option<Vec<BodyField>> {
    let body = op.body.as_ref()?;
    let TypeRef::Named(id) = body.ty else { return None };
    let TypeKind::Struct { fields, .. } = &api.ty(id).kind else { return None };
    let mut taken = Namespace::new();
    BUILDER_NAMES.iter().for_each(|name| _ = taken.claim(name));
    op.params.iter().for_each(|p| _ = taken.claim(&p.name));
    let mut out: Vec<BodyField> = fields
        .iter()
        .enumerate()
        .map(|(field, f)| BodyField { field, name: free_name(&mut taken, &f.name, "body"), null: None })
        .collect();
    let in_request = api.ty(id).in_request;
    for body_field in &mut out {
        if fields[body_field.field].presence(in_request) == Presence::ThreeState {
            let base = body_field.name.trim_start_matches("r#").to_owned();
            body_field.null = Some(free_name(&mut taken, &format!("{base}_null"), "setter"));
        }
    }
    Some(out)
}

/// The name a body property's argument or setter gets: the property's own field name when
/// nothing in `taken` has it, else the name with `_{suffix}` appended (`options_body`),
/// numbered if that is taken too (`options_body_2`). The name is claimed in `taken`, so
/// the properties keep schema order precedence: an earlier one keeps its name.
fn free_name(taken: &mut Namespace, name: &str, suffix: &str) -> String {
    if !taken.contains(name) {
        return taken.claim(name);
    }
    let base = name.trim_start_matches("r#");
    taken.claim(&format!("{base}_{suffix}"))
}

#[cfg(test)]
mod tests {
    use crate::ir::test_api;

    fn names(yaml: &str) -> Vec<(String, Option<String>)> {
        let api = test_api(yaml);
        let body = api.operations[0].body.as_ref().expect("a body");
        body.fields.as_ref().expect("an object body").iter().map(|f| (f.name.clone(), f.null.clone())).collect()
    }

    const SPEC: &str = r#"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /users/{user_id}:
    patch:
      operationId: UpdateUser
      parameters:
        - {name: user_id, in: path, required: true, schema: {type: string}}
        - {name: limit, in: query, schema: {type: integer}}
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [name]
              properties:
                name: {type: string}
                user_id: {type: string}
                options: {type: string}
                send: {type: boolean}
                nickname: {type: string, nullable: true}
                nickname_null: {type: string}
                type: {type: string, nullable: true}
      responses:
        "204": {description: ok}
"#;

    #[test]
    fn properties_named_like_parameters_or_builder_methods_get_a_suffix() {
        let expected = [
            ("name", None),
            ("user_id_body", None),
            ("options_body", None),
            ("send_body", None),
            ("nickname", Some("nickname_null_setter")),
            ("nickname_null", None),
            ("r#type", Some("type_null")),
        ];
        let expected: Vec<(String, Option<String>)> =
            expected.iter().map(|(n, null)| (n.to_string(), null.map(str::to_owned))).collect();
        assert_eq!(names(SPEC), expected);
    }

    #[test]
    fn bodies_that_are_not_objects_are_passed_whole() {
        let start = SPEC.find("            schema:\n").expect("a body schema");
        let end = SPEC.find("      responses:").expect("responses");
        let array = "            schema: {type: array, items: {type: string}}\n";
        let api = test_api(&format!("{}{array}{}", &SPEC[..start], &SPEC[end..]));
        assert!(api.operations[0].body.as_ref().expect("a body").fields.is_none());
    }
}
