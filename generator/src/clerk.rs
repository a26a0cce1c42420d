//! Clerk's conventions: the rules the generator follows because Clerk's documents and
//! runtime work this way, not because OpenAPI says so. The IR builder and planner consult
//! them; nothing else in the pipeline knows about Clerk.
//!
//! - List operations page with optional `limit` and `offset` query parameters and answer
//!   either a bare array or a `{data, total_count}` envelope ([`pagination`]). A list whose
//!   spec declares a bare array but that takes a boolean `paginated` parameter answers the
//!   envelope when it is `true` ([`envelope_switch`]). A list with a `starting_after`
//!   query parameter walks by cursor: each page starts after the `id` of the last item
//!   before it ([`cursor`]), and a non-zero `offset` cannot be combined with it.
//! - `GET /jwks` serves the instance's signing keys; an API that has it gets the session
//!   token verification of the runtime's `auth` module ([`serves_jwks`]).
//! - Webhooks arrive in Svix's envelope; the event's payload is its `data` property
//!   ([`WEBHOOK_PAYLOAD`]).
//! - Resource group handles are named like those of Clerk's other SDKs: `UsersApi`
//!   ([`group_handle`]).
//! - The runtime's own cargo features ([`RUNTIME_FEATURES`]) and the backoff it uses when a
//!   document declares none ([`DEFAULT_RETRY`]).

use crate::ir::{
    Api, Cursor, Operation, PageShape, Pagination, ParamLocation, Presence, ResponseBody, RetrySpec, TypeKind, TypeRef,
};
use crate::names;

/// The query parameter that sets the page size.
const LIMIT: &str = "limit";
/// The query parameter that sets where a page starts.
const OFFSET: &str = "offset";
/// The query parameter that makes a page start after the item with the given id.
pub const STARTING_AFTER: &str = "starting_after";
/// The field of an item that [`STARTING_AFTER`] takes.
const ID: &str = "id";
/// The boolean query parameter that makes a list operation answer an envelope.
const PAGINATED: &str = "paginated";
/// The envelope field that holds a page's items.
const DATA: &str = "data";
/// The envelope field that holds the number of items across pages.
const TOTAL_COUNT: &str = "total_count";
/// The page size Clerk uses when a list's `limit` has no documented default.
const DEFAULT_LIMIT: i64 = 10;

/// The property of a webhook event's envelope that holds its payload.
pub const WEBHOOK_PAYLOAD: &str = "data";

/// The cargo features the runtime defines; a resource group with one of these names gets
/// an `-api` suffix on its feature.
pub const RUNTIME_FEATURES: &[&str] =
    &["full", "rustls", "native-tls", "tracing", "auth", "axum", "webhook-verification", "default"];

/// The backoff the SDK uses when the document declares no `x-speakeasy-retries`.
pub const DEFAULT_RETRY: RetrySpec =
    RetrySpec { initial_ms: 500, max_interval_ms: 60_000, exponent: 1.5, max_elapsed_ms: 120_000 };

/// How a list operation pages: optional `limit` and `offset` query parameters, and a
/// response that is the array of items or an object whose required `data` array holds
/// them (with an integer `total_count` beside it, when there is one).
pub fn pagination(api: &Api, op: &Operation) -> Option<Pagination> {
    let optional_query =
        |wire: &str| op.params.iter().position(|p| p.wire == wire && p.location == ParamLocation::Query && !p.required);
    let (limit, offset) = (optional_query(LIMIT)?, optional_query(OFFSET)?);
    let (item, page) = match &op.response.body {
        ResponseBody::Json(t) if array_items(api, t).is_some() => {
            let shape = if op.envelope_switch.is_some() { PageShape::Switched } else { PageShape::Array };
            (array_items(api, t)?.clone(), shape)
        }
        ResponseBody::Json(TypeRef::Named(id)) => {
            let TypeKind::Struct { fields, .. } = &api.ty(*id).kind else { return None };
            let data = fields.iter().position(|f| f.wire == DATA && f.required)?;
            let TypeRef::Array(item) = &fields[data].ty else { return None };
            let total = fields.iter().position(|f| f.wire == TOTAL_COUNT && matches!(f.ty, TypeRef::Integer { .. }));
            ((**item).clone(), PageShape::Envelope { data, total })
        }
        _ => return None,
    };
    let default_limit = op.params[limit].default.as_ref().and_then(serde_json::Value::as_i64).unwrap_or(DEFAULT_LIMIT);
    let cursor = cursor(api, op, &item);
    Some(Pagination { limit, offset, default_limit, item, page, cursor })
}

/// Cursor pagination, for a list with an optional `starting_after` query parameter whose
/// items are structs with a required string `id`.
pub fn cursor(api: &Api, op: &Operation, item: &TypeRef) -> Option<Cursor> {
    let param =
        op.params.iter().position(|p| p.wire == STARTING_AFTER && p.location == ParamLocation::Query && !p.required)?;
    let TypeRef::Named(item) = api.resolved(item) else { return None };
    let TypeKind::Struct { fields, .. } = &api.ty(*item).kind else { return None };
    let id = fields
        .iter()
        .position(|f| f.wire == ID && f.ty == TypeRef::String && f.presence(false) == Presence::Required)?;
    Some(Cursor { param, id })
}

/// The optional boolean `paginated` query parameter of an operation whose spec declares a
/// bare array response: Clerk answers `{data, total_count}` when it is `true` (as Clerk's
/// other SDKs send it), the array otherwise.
pub fn envelope_switch(api: &Api, op: &Operation) -> Option<usize> {
    let ResponseBody::Json(t) = &op.response.body else { return None };
    array_items(api, t)?;
    op.params.iter().position(|p| {
        p.wire == PAGINATED && p.location == ParamLocation::Query && !p.required && p.ty == TypeRef::Boolean
    })
}

/// The item type of an array, directly or through an alias.
pub fn array_items<'a>(api: &'a Api, t: &'a TypeRef) -> Option<&'a TypeRef> {
    match api.resolved(t) {
        TypeRef::Array(item) => Some(item),
        _ => None,
    }
}

/// Whether an operation is the endpoint that serves the instance's JSON Web Key Set.
pub fn serves_jwks(op: &Operation) -> bool {
    op.method == "GET" && op.path == "/jwks"
}

/// The type name of a resource group's handle: `UsersApi` for `users`.
pub fn group_handle(group: &str) -> String {
    format!("{}Api", names::type_ident(group, "Default"))
}

/// The type name of a resource group's mocks in the testing kit: `UsersMocks` for `users`.
pub fn group_mocks(group: &str) -> String {
    format!("{}Mocks", names::type_ident(group, "Default"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::test_api;

    const LIST: &str = r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /users:
    get:
      operationId: GetUserList
      parameters:
        - {name: limit, in: query, schema: {type: integer, default: 25}}
        - {name: offset, in: query, schema: {type: integer}}
        - {name: starting_after, in: query, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/User"}}
  /orgs:
    get:
      operationId: ListOrgs
      parameters:
        - {name: offset, in: query, schema: {type: integer}}
        - {name: limit, in: query, schema: {type: integer}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [data]
                properties:
                  total_count: {type: integer}
                  data: {type: array, items: {type: string}}
  /required-limit:
    get:
      operationId: RequiredLimit
      parameters:
        - {name: limit, in: query, required: true, schema: {type: integer}}
        - {name: offset, in: query, schema: {type: integer}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: array, items: {type: string}}
  /no-data:
    get:
      operationId: NoData
      parameters:
        - {name: limit, in: query, schema: {type: integer}}
        - {name: offset, in: query, schema: {type: integer}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {items: {type: array, items: {type: string}}}}
  /switched:
    get:
      operationId: Switched
      parameters:
        - {name: paginated, in: query, schema: {type: boolean}}
        - {name: limit, in: query, schema: {type: integer}}
        - {name: offset, in: query, schema: {type: integer}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: array, items: {type: string}}
  /jwks:
    get:
      operationId: GetJWKS
      responses: {"200": {description: ok}}
components:
  schemas:
    User: {type: object, required: [id], properties: {id: {type: string}}}
"##;

    #[test]
    fn a_bare_array_list_pages_by_limit_and_offset_with_the_documented_default() {
        let api = test_api(LIST);
        let p = api.operations[0].pagination.as_ref().expect("paginated");
        assert_eq!((p.limit, p.offset, p.default_limit, p.page), (0, 1, 25, PageShape::Array));
        assert!(matches!(p.item, TypeRef::Named(id) if api.ty(id).name == "User"));
    }

    #[test]
    fn a_list_with_starting_after_walks_by_the_items_id() {
        let api = test_api(LIST);
        let p = api.operations[0].pagination.as_ref().expect("paginated");
        assert_eq!(p.cursor, Some(Cursor { param: 2, id: 0 }));
        assert_eq!(api.operations[1].pagination.as_ref().and_then(|p| p.cursor), None, "no starting_after");
        // Items without an id of their own cannot be walked by cursor.
        let op = &api.operations[0];
        assert_eq!(cursor(&api, op, &TypeRef::String), None);
    }

    #[test]
    fn an_envelope_list_names_its_data_and_total_count_fields() {
        let api = test_api(LIST);
        let p = api.operations[1].pagination.as_ref().expect("paginated");
        assert_eq!((p.limit, p.offset, p.default_limit), (1, 0, DEFAULT_LIMIT));
        assert_eq!(p.page, PageShape::Envelope { data: 1, total: Some(0) });
        assert_eq!(p.item, TypeRef::String);
    }

    #[test]
    fn a_required_limit_or_a_response_without_data_is_not_paginated() {
        let api = test_api(LIST);
        assert_eq!(api.operations[2].pagination, None);
        assert_eq!(api.operations[3].pagination, None);
        assert_eq!(api.operations[5].pagination, None);
    }

    #[test]
    fn a_bare_array_list_with_a_paginated_flag_can_switch_to_the_envelope() {
        let api = test_api(LIST);
        let switched = &api.operations[4];
        assert_eq!(switched.envelope_switch, Some(0));
        assert_eq!(switched.pagination.as_ref().map(|p| p.page), Some(PageShape::Switched));
        let no_flag: Vec<Option<usize>> = api.operations[..4].iter().map(|op| op.envelope_switch).collect();
        assert_eq!(no_flag, [None; 4]);
    }

    #[test]
    fn only_get_jwks_serves_keys() {
        let api = test_api(LIST);
        let serving: Vec<&str> = api.operations.iter().filter(|op| serves_jwks(op)).map(|op| op.id.as_str()).collect();
        assert_eq!(serving, ["GetJWKS"]);
    }

    #[test]
    fn group_handles_follow_clerks_sdks() {
        assert_eq!(group_handle("users"), "UsersApi");
        assert_eq!(group_handle("oauth_applications"), "OAuthApplicationsApi");
        assert_eq!(group_mocks("oauth_applications"), "OAuthApplicationsMocks");
    }
}
