//! Where each named type is used: the facts a type's documentation falls back on when the
//! spec does not describe it.

use super::{Api, ResponseBody, TypeId, TypeKind, TypeRef, Use};

/// Fills every type's [`uses`](super::TypeDef::uses): each place that names it directly
/// or as the items of a list or the values of a map, sorted (responses, request bodies,
/// parameters, fields, variants, aliases, webhook events) and without repeats.
pub(super) fn record(api: &mut Api) {
    let mut uses: Vec<Vec<Use>> = vec![Vec::new(); api.types.len()];
    let mut add = |t: &TypeRef, place: Use| {
        if let Some(id) = named(t) {
            uses[id].push(place);
        }
    };
    for (i, op) in api.operations.iter().enumerate() {
        if let ResponseBody::Json(t) = &op.response.body {
            add(t, Use::Response(i));
        }
        if let Some(body) = &op.body {
            add(&body.ty, Use::Body(i));
        }
        for p in &op.params {
            add(&p.ty, Use::Param(i, p.name.clone()));
        }
    }
    for (owner, t) in api.types.iter().enumerate() {
        match &t.kind {
            TypeKind::Struct { fields, .. } => {
                fields.iter().for_each(|f| add(&f.ty, Use::Field(owner, f.name.clone())));
            }
            TypeKind::Tagged { variants, .. } | TypeKind::Untagged { variants } => {
                variants.iter().for_each(|v| add(&v.ty, Use::Variant(owner, v.name.clone())));
            }
            TypeKind::Alias { target, .. } => add(target, Use::Alias(owner)),
            TypeKind::Enum { .. } => {}
        }
    }
    for (i, event) in api.events.iter().enumerate() {
        add(&event.data, Use::Event(i));
    }
    for (t, mut places) in api.types.iter_mut().zip(uses) {
        places.sort();
        places.dedup();
        t.uses = places;
    }
}

/// The named type a reference stands for, through lists and maps.
fn named(t: &TypeRef) -> Option<TypeId> {
    match t {
        TypeRef::Named(id) => Some(*id),
        TypeRef::Array(inner) | TypeRef::Map(inner) => named(inner),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::Spec;
    use serde_json::json;

    fn api(doc: serde_json::Value) -> Api {
        let spec = Spec::from_value(std::path::Path::new("test.yaml"), doc, "").expect("a valid spec");
        crate::ir::build(&spec).expect("builds")
    }

    fn uses(api: &Api, name: &str) -> Vec<Use> {
        api.types.iter().find(|t| t.name == name).unwrap_or_else(|| panic!("no type {name}")).uses.clone()
    }

    fn id(api: &Api, name: &str) -> TypeId {
        api.types.iter().position(|t| t.name == name).unwrap_or_else(|| panic!("no type {name}"))
    }

    #[test]
    fn responses_bodies_parameters_fields_variants_and_aliases_are_recorded_in_order() {
        let pet = json!({"$ref": "#/components/schemas/Pet"});
        let api = api(json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {
                "/pets": {
                    "get": {
                        "operationId": "ListPets",
                        "parameters": [{"name": "kind", "in": "query", "schema": {"$ref": "#/components/schemas/Kind"}}],
                        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "array", "items": pet}}}}}
                    },
                    "post": {
                        "operationId": "CreatePet",
                        "requestBody": {"content": {"application/json": {"schema": pet}}},
                        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": pet}}}}
                    }
                }
            },
            "components": {"schemas": {
                "Kind": {"type": "string", "enum": ["cat", "dog"]},
                "Pet": {"type": "object", "properties": {"kind": {"$ref": "#/components/schemas/Kind"}, "friends": {"type": "object", "additionalProperties": pet}}},
                "Pets": {"type": "array", "items": pet},
                "Unused": {"type": "object", "properties": {"a": {"type": "string"}}}
            }}
        }));
        let (pet, pets) = (id(&api, "Pet"), id(&api, "Pets"));
        assert_eq!(
            uses(&api, "Pet"),
            [Use::Response(0), Use::Response(1), Use::Body(1), Use::Field(pet, "friends".to_owned()), Use::Alias(pets)]
        );
        assert_eq!(uses(&api, "Kind"), [Use::Param(0, "kind".to_owned()), Use::Field(pet, "kind".to_owned())]);
        assert_eq!(uses(&api, "Unused"), []);
    }

    #[test]
    fn union_variants_and_webhook_event_data_are_recorded() {
        let api = api(json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {},
            "x-webhooks": {
                "pet.created": {"post": {"requestBody": {"content": {"application/json": {"schema": {
                    "type": "object",
                    "properties": {"data": {"$ref": "#/components/schemas/Pet"}}
                }}}}, "responses": {"200": {"description": "ok"}}}}
            },
            "components": {"schemas": {
                "Cat": {"type": "object", "properties": {"meow": {"type": "boolean"}}},
                "Dog": {"type": "object", "properties": {"woof": {"type": "boolean"}}},
                "Pet": {"oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}]}
            }}
        }));
        let pet = id(&api, "Pet");
        assert_eq!(uses(&api, "Cat"), [Use::Variant(pet, "Cat".to_owned())]);
        assert_eq!(uses(&api, "Pet"), [Use::Event(0)]);
    }
}
