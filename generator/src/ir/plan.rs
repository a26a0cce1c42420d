//! What one generated crate is made of, decided from its APIs.

use std::collections::{BTreeMap, BTreeSet};

use super::{Api, Gates, Group, TypeId, groups, share};
use crate::clerk;

/// One generated crate: the API, its webhook payloads, and every decision about how they
/// are laid out.
#[derive(Debug, Clone)]
pub struct Crate<'a> {
    /// The API.
    pub api: &'a Api,
    /// Its resource groups, sorted by module name.
    pub groups: Vec<Group>,
    /// The runtime parts it needs.
    pub runtime: Runtime,
    /// The cargo features that compile each part.
    pub gates: Gates,
    /// Typed webhook payloads, when the crate has any.
    pub webhooks: Option<Webhooks<'a>>,
}

/// The webhooks document of a crate.
#[derive(Debug, Clone)]
pub struct Webhooks<'a> {
    /// Its payload types and events.
    pub api: &'a Api,
    /// Its types that are the API's own: webhook type id → API type id.
    pub shared: BTreeMap<TypeId, TypeId>,
}

/// The parts of the hand-written runtime a crate needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Runtime {
    /// The client, requests, retries and errors: the API has operations.
    pub client: bool,
    /// Page walking: some operation is paginated.
    pub pagination: bool,
    /// The union decoder: some type (of the API or the webhooks) picks variants by tag or
    /// by constant properties.
    pub tagged: bool,
    /// Session token verification: the API serves its signing keys.
    pub auth: bool,
}

impl<'a> Crate<'a> {
    /// Plans the crate for an API and, optionally, its webhooks document (used only when
    /// the API has operations: payload models without a client are of no use).
    pub fn plan(api: &'a Api, webhooks: Option<&'a Api>) -> Self {
        let webhooks = webhooks
            .filter(|_| !api.operations.is_empty())
            .map(|events| Webhooks { api: events, shared: share::shared_types(api, events) });
        let groups = groups::groups(api);
        let shared_modules: BTreeSet<&str> =
            webhooks.iter().flat_map(|w| w.shared.values()).map(|&id| api.ty(id).module.as_str()).collect();
        let gates = Gates::plan(api, &groups, &shared_modules, webhooks.is_some());
        let tagged = |a: &Api| a.types.iter().any(|t| t.kind.picks_variants());
        let runtime = Runtime {
            client: !api.operations.is_empty(),
            pagination: api.operations.iter().any(|op| op.pagination.is_some()),
            tagged: tagged(api) || webhooks.as_ref().is_some_and(|w| tagged(w.api)),
            auth: api.operations.iter().any(clerk::serves_jwks),
        };
        Crate { api, groups, runtime, gates, webhooks }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::test_api;

    const API: &str = r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /jwks:
    get: {operationId: GetJWKS, tags: [JWKS], responses: {"200": {description: ok}}}
components:
  schemas:
    User: {type: object, properties: {id: {type: string}}}
"##;

    const MODELS_ONLY: &str = r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    User: {type: object, properties: {id: {type: string}}}
"##;

    const WEBHOOKS: &str = r##"
openapi: 3.0.3
info: {title: w, version: "1"}
paths: {}
components:
  schemas:
    User: {type: object, properties: {id: {type: string}}}
    Event:
      oneOf:
        - {type: object, required: [kind], properties: {kind: {type: string, enum: [a]}}}
        - {type: object, required: [kind], properties: {kind: {type: string, enum: [b]}}}
      discriminator: {propertyName: kind}
"##;

    #[test]
    fn an_api_that_serves_its_keys_gets_the_client_and_auth() {
        let api = test_api(API);
        let plan = Crate::plan(&api, None);
        assert_eq!(plan.runtime, Runtime { client: true, pagination: false, tagged: false, auth: true });
        assert_eq!(plan.groups.len(), 1);
    }

    #[test]
    fn webhook_unions_need_the_tagged_decoder_and_shared_types_are_found() {
        let (api, events) = (test_api(API), test_api(WEBHOOKS));
        let plan = Crate::plan(&api, Some(&events));
        assert!(plan.runtime.tagged);
        let webhooks = plan.webhooks.expect("webhooks");
        let shared: Vec<&str> = webhooks.shared.keys().map(|&id| events.ty(id).name.as_str()).collect();
        assert_eq!(shared, ["User"]);
    }

    #[test]
    fn a_document_without_operations_gets_models_only() {
        let (api, events) = (test_api(MODELS_ONLY), test_api(WEBHOOKS));
        let plan = Crate::plan(&api, Some(&events));
        assert_eq!(plan.runtime, Runtime { client: false, pagination: false, tagged: false, auth: false });
        assert!(plan.webhooks.is_none() && plan.groups.is_empty() && plan.gates == Gates::default());
    }
}
