//! Webhook payload types that are the API's own: when the webhooks document defines a type
//! exactly as the API does, the generated webhooks module re-exports the API's type instead
//! of defining a twin, so a `User` from a webhook is a `models::User`, compiled once.

use std::collections::BTreeMap;

use super::{Api, Field, TypeDef, TypeId, TypeKind, TypeRef, Variant};

/// The webhook types (by id in `webhooks`) that are the same as the API's type of the
/// same name (by id in `api`): the same definition, and everything they refer to shared
/// too. Per-operation types of the API are never shared.
pub fn shared_types(api: &Api, webhooks: &Api) -> BTreeMap<TypeId, TypeId> {
    let by_name: BTreeMap<&str, TypeId> = api.types.iter().enumerate().map(|(id, t)| (t.name.as_str(), id)).collect();
    let mut shared: BTreeMap<TypeId, TypeId> = webhooks
        .types
        .iter()
        .enumerate()
        .filter_map(|(id, t)| {
            let &twin = by_name.get(t.name.as_str())?;
            let same = !api.ty(twin).module.starts_with("operations/") && Pair(webhooks, api).same_def(t, api.ty(twin));
            same.then_some((id, twin))
        })
        .collect();
    loop {
        let unshared: Vec<TypeId> = shared
            .keys()
            .copied()
            .filter(|&id| !webhooks.ty(id).kind.refs().iter().all(|dep| shared.contains_key(dep)))
            .collect();
        if unshared.is_empty() {
            return shared;
        }
        for id in unshared {
            shared.remove(&id);
        }
    }
}

/// Two APIs whose definitions are compared: named types match by name.
#[derive(Clone, Copy)]
struct Pair<'a>(&'a Api, &'a Api);

impl Pair<'_> {
    /// Everything the generated code of a type depends on is the same. Whether a type is
    /// sent in requests shapes only structs (their fields' presence, `#[non_exhaustive]`,
    /// a constructor).
    fn same_def(self, a: &TypeDef, b: &TypeDef) -> bool {
        let is_struct = matches!(a.kind, TypeKind::Struct { .. });
        a.name == b.name
            && a.doc == b.doc
            && a.deprecated == b.deprecated
            && (!is_struct || a.in_request == b.in_request)
            && self.same_kind(&a.kind, &b.kind, a.in_request)
    }

    fn same_kind(self, a: &TypeKind, b: &TypeKind, in_request: bool) -> bool {
        match (a, b) {
            (TypeKind::Struct { fields: x, multipart: m }, TypeKind::Struct { fields: y, multipart: n }) => {
                m == n && x.len() == y.len() && x.iter().zip(y).all(|(x, y)| self.same_field(x, y, in_request))
            }
            (TypeKind::Enum { values: x }, TypeKind::Enum { values: y }) => {
                x.len() == y.len() && x.iter().zip(y).all(|(x, y)| x.name == y.name && x.value == y.value)
            }
            (TypeKind::Tagged { property: p, variants: x }, TypeKind::Tagged { property: q, variants: y }) => {
                p == q && self.same_variants(x, y)
            }
            (TypeKind::Untagged { variants: x }, TypeKind::Untagged { variants: y }) => self.same_variants(x, y),
            (TypeKind::Alias { target: x, nullable: m }, TypeKind::Alias { target: y, nullable: n }) => {
                m == n && self.same_ref(x, y)
            }
            _ => false,
        }
    }

    /// The same Rust field: `nullable` matters only where it changes the field's
    /// [`Presence`](super::Presence).
    fn same_field(self, a: &Field, b: &Field, in_request: bool) -> bool {
        a.name == b.name
            && a.wire == b.wire
            && a.required == b.required
            && a.presence(in_request) == b.presence(in_request)
            && a.doc == b.doc
            && a.deprecated == b.deprecated
            && a.default == b.default
            && a.boxed == b.boxed
            && self.same_ref(&a.ty, &b.ty)
    }

    fn same_variants(self, a: &[Variant], b: &[Variant]) -> bool {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(x, y)| x.name == y.name && x.tags == y.tags && x.boxed == y.boxed && self.same_ref(&x.ty, &y.ty))
    }

    fn same_ref(self, a: &TypeRef, b: &TypeRef) -> bool {
        match (a, b) {
            (TypeRef::Named(x), TypeRef::Named(y)) => self.0.ty(*x).name == self.1.ty(*y).name,
            (TypeRef::Array(x), TypeRef::Array(y)) | (TypeRef::Map(x), TypeRef::Map(y)) => self.same_ref(x, y),
            (x, y) => x == y,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::test_api;

    fn api(user_doc: &str, extra: &str) -> Api {
        test_api(&format!(
            r##"
openapi: 3.0.3
info: {{title: t, version: "1"}}
paths: {{}}
components:
  schemas:
    User:
      type: object
      description: {user_doc}
      properties:
        email: {{$ref: "#/components/schemas/Email"}}
        status: {{type: string, enum: [active, banned]}}
    Email: {{type: object, properties: {{address: {{type: string}}}}}}
{extra}"##
        ))
    }

    fn names(api: &Api, webhooks: &Api) -> Vec<String> {
        shared_types(api, webhooks)
            .into_iter()
            .map(|(w, a)| format!("{}={}", webhooks.ty(w).name, api.ty(a).name))
            .collect()
    }

    #[test]
    fn identical_definitions_are_shared_whatever_their_order() {
        let a = api("A user.", "    Org: {type: object, properties: {id: {type: string}}}\n");
        let w = api("A user.", "");
        let mut shared = names(&a, &w);
        shared.sort();
        assert_eq!(shared, ["Email=Email", "User=User", "UserStatus=UserStatus"]);
    }

    #[test]
    fn a_different_doc_or_field_is_not_shared() {
        let w = api("Another doc.", "");
        let shared = names(&api("A user.", ""), &w);
        assert!(!shared.contains(&"User=User".to_owned()), "{shared:?}");
        assert!(shared.contains(&"Email=Email".to_owned()));
    }

    #[test]
    fn a_type_whose_reference_is_not_shared_is_not_shared_either() {
        let a = api("A user.", "");
        let w = test_api(
            r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    User:
      type: object
      description: A user.
      properties:
        email: {$ref: "#/components/schemas/Email"}
        status: {type: string, enum: [active, banned]}
    Email: {type: object, properties: {address: {type: integer}}}
"##,
        );
        assert_eq!(names(&a, &w), ["UserStatus=UserStatus"]);
    }
}
