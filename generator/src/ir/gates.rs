//! Feature gates: which cargo features compile each model module and each runtime helper
//! that only some resource groups use, so that a build with one resource feature compiles
//! only what that group reaches.
//!
//! The sets are exact and closed: a module is on with every group that reaches one of its
//! types, widened until whatever an enabled module imports is enabled too.

use std::collections::{BTreeMap, BTreeSet};

use super::{Api, Group, TypeId};

/// The feature that turns on webhook verification and the payload models.
pub const WEBHOOKS: &str = "webhook-verification";
/// The feature that turns on every resource group.
pub const FULL: &str = "full";

/// Cargo features any one of which compiles an item (never empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Features(pub Vec<String>);

/// The gates of one crate. An item without a gate is always compiled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Gates {
    /// Model modules (`user`, `operations/users`) that not every group needs.
    pub modules: BTreeMap<String, Features>,
    /// The `models::operations` module, on when any of its group modules is.
    pub operations: Option<Features>,
    /// The `tagged` runtime helper (used by unions that pick variants, [`super::TypeKind::picks_variants`]).
    pub tagged: Option<Features>,
    /// The `pagination` runtime helper.
    pub pagination: Option<Features>,
}

impl Gates {
    /// The gates of an API whose groups are `groups`; `shared` are the modules that hold
    /// types the webhook payloads reuse, and `webhooks` says whether there are webhook
    /// payload models at all.
    pub fn plan(api: &Api, groups: &[Group], shared: &BTreeSet<&str>, webhooks: bool) -> Gates {
        let reach = module_groups(api);
        let only = |needed: &BTreeSet<&str>| restrict(needed, groups);
        let modules: BTreeMap<String, Features> = reach
            .iter()
            .filter_map(|(&module, needed)| {
                let features = only(needed)?;
                let features = match shared.contains(module) {
                    true => with_webhooks(features),
                    false => features,
                };
                Some((module.to_owned(), features))
            })
            .collect();
        let operation_modules: Vec<&str> = reach.keys().copied().filter(|m| m.starts_with("operations/")).collect();
        let operations = match operation_modules.iter().all(|m| modules.contains_key(*m)) {
            true => union(operation_modules.iter().map(|m| &modules[*m])),
            false => None,
        };
        let tagged_modules: BTreeSet<&str> =
            api.types.iter().filter(|t| t.kind.picks_variants()).map(|t| t.module.as_str()).collect();
        let tagged_groups =
            reach.iter().filter(|(m, _)| tagged_modules.contains(*m)).flat_map(|(_, g)| g.iter().copied());
        let tagged = only(&tagged_groups.collect()).map(|f| if webhooks { with_webhooks(f) } else { f });
        let paginating = api.operations.iter().filter(|op| op.pagination.is_some()).map(|op| op.group.as_str());
        Gates { modules, operations, tagged, pagination: only(&paginating.collect()) }
    }
}

/// The features for code that the groups `needed` use: none when every group needs it,
/// `full` when none does, else the groups' features.
fn restrict(needed: &BTreeSet<&str>, groups: &[Group]) -> Option<Features> {
    if groups.is_empty() || needed.len() >= groups.len() {
        return None;
    }
    if needed.is_empty() {
        return Some(Features(vec![FULL.to_owned()]));
    }
    Some(Features(groups.iter().filter(|g| needed.contains(g.name.as_str())).map(|g| g.feature.clone()).collect()))
}

/// The same features, plus webhook verification first.
fn with_webhooks(features: Features) -> Features {
    Features(std::iter::once(WEBHOOKS.to_owned()).chain(features.0).collect())
}

/// Every feature of the sets, in first-seen order; `None` for no sets.
fn union<'a>(sets: impl Iterator<Item = &'a Features>) -> Option<Features> {
    let mut out: Vec<String> = Vec::new();
    for feature in sets.flat_map(|f| &f.0) {
        if !out.contains(feature) {
            out.push(feature.clone());
        }
    }
    (!out.is_empty()).then_some(Features(out))
}

/// Moves every type that more groups reach than the first type of its module (the schema or
/// group the module is named after) into a module of its own, one per module and set of
/// groups: a type shared by deduplication, such as a status enum that another group's
/// parameter also uses, would otherwise turn on its whole module for those groups.
pub fn split_by_reach(api: &mut Api) {
    let reach = type_groups(api);
    let mut taken = crate::names::Namespace::new();
    taken.claim("operations");
    for t in &api.types {
        taken.claim(&t.module);
    }
    let mut owner: BTreeMap<&str, TypeId> = BTreeMap::new();
    for (id, t) in api.types.iter().enumerate() {
        owner.entry(t.module.as_str()).or_insert(id);
    }
    let mut moved: BTreeMap<(&str, &BTreeSet<&str>), String> = BTreeMap::new();
    let mut modules: Vec<Option<String>> = vec![None; api.types.len()];
    for (id, t) in api.types.iter().enumerate() {
        let first = owner[t.module.as_str()];
        if reach[id].is_subset(&reach[first]) {
            continue;
        }
        let module = moved
            .entry((t.module.as_str(), &reach[id]))
            .or_insert_with(|| taken.claim(&super::build::module_ident(&t.name)));
        modules[id] = Some(module.clone());
    }
    for (t, module) in api.types.iter_mut().zip(modules) {
        if let Some(module) = module {
            t.module = module;
        }
    }
}

/// Which resource groups reach each type through their operations.
fn type_groups(api: &Api) -> Vec<BTreeSet<&str>> {
    let mut out = vec![BTreeSet::new(); api.types.len()];
    for op in &api.operations {
        let mut stack: Vec<TypeId> = api.operation_refs(op);
        while let Some(id) = stack.pop() {
            if out[id].insert(op.group.as_str()) {
                stack.extend(api.ty(id).kind.refs());
            }
        }
    }
    out
}

/// The groups each model module is compiled for: the groups that reach its types,
/// widened until closed, so that a module is on whenever a module that imports from it is.
fn module_groups(api: &Api) -> BTreeMap<&str, BTreeSet<&str>> {
    let reach = type_groups(api);
    let mut groups: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut imports: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (id, t) in api.types.iter().enumerate() {
        groups.entry(t.module.as_str()).or_default().extend(reach[id].iter().copied());
        for dep in t.kind.refs() {
            let module = api.ty(dep).module.as_str();
            if module != t.module {
                imports.entry(t.module.as_str()).or_default().insert(module);
            }
        }
    }
    loop {
        let mut changed = false;
        for (module, deps) in &imports {
            let needed = groups.get(module).cloned().unwrap_or_default();
            for dep in deps {
                let set = groups.entry(dep).or_default();
                let before = set.len();
                set.extend(needed.iter().copied());
                changed |= set.len() != before;
            }
        }
        if !changed {
            return groups;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{groups::groups, test_api};

    /// `users` reaches `User` (which imports `Email`), `orgs` reaches `Org` (with a tagged
    /// union inside), `misc` reaches nothing; `Orphan` is reached by no operation.
    const SPEC: &str = r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /users:
    get:
      operationId: ListUsers
      tags: [Users]
      parameters:
        - {name: limit, in: query, schema: {type: integer}}
        - {name: offset, in: query, schema: {type: integer}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: array, items: {$ref: "#/components/schemas/User"}}}}}
  /orgs:
    get:
      operationId: GetOrg
      tags: [Orgs]
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Org"}}}}
  /orgs/count:
    get:
      operationId: CountOrgs
      tags: [Orgs]
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object, properties: {n: {type: integer}}}}}}
  /ping:
    get: {operationId: Ping, tags: [Misc], responses: {"200": {description: ok}}}
components:
  schemas:
    User: {type: object, properties: {email: {$ref: "#/components/schemas/Email"}}}
    Email: {type: object, properties: {address: {type: string}}}
    Org:
      type: object
      properties:
        owner:
          oneOf:
            - {type: object, required: [kind], properties: {kind: {type: string, enum: [a]}}}
            - {type: object, required: [kind], properties: {kind: {type: string, enum: [b]}}}
          discriminator: {propertyName: kind}
    Orphan: {type: object, properties: {x: {type: string}}}
"##;

    fn plan(shared: &[&str], webhooks: bool) -> Gates {
        let api = test_api(SPEC);
        let groups = groups(&api);
        Gates::plan(&api, &groups, &shared.iter().copied().collect(), webhooks)
    }

    fn features(list: &[&str]) -> Features {
        Features(list.iter().map(|f| (*f).to_owned()).collect())
    }

    #[test]
    fn a_module_is_compiled_for_the_groups_that_reach_it_and_its_importers() {
        let gates = plan(&[], false);
        assert_eq!(gates.modules["user"], features(&["users"]));
        assert_eq!(gates.modules["email"], features(&["users"]), "User imports Email");
        assert_eq!(gates.modules["org"], features(&["orgs"]));
    }

    #[test]
    fn a_module_no_operation_reaches_is_compiled_with_full() {
        assert_eq!(plan(&[], false).modules["orphan"], features(&["full"]));
    }

    #[test]
    fn a_module_the_webhooks_reuse_is_also_on_with_webhook_verification() {
        let gates = plan(&["user", "orphan"], true);
        assert_eq!(gates.modules["user"], features(&["webhook-verification", "users"]));
        assert_eq!(gates.modules["orphan"], features(&["webhook-verification", "full"]));
        assert_eq!(gates.modules["org"], features(&["orgs"]));
    }

    #[test]
    fn runtime_helpers_are_compiled_for_the_groups_that_use_them() {
        let gates = plan(&[], false);
        assert_eq!(gates.pagination, Some(features(&["users"])));
        assert_eq!(gates.tagged, Some(features(&["orgs"])));
        assert_eq!(plan(&[], true).tagged, Some(features(&["webhook-verification", "orgs"])));
    }

    #[test]
    fn code_every_group_needs_has_no_gate() {
        let needed: BTreeSet<&str> = ["misc", "orgs", "users"].into();
        let api = test_api(SPEC);
        assert_eq!(restrict(&needed, &groups(&api)), None);
        assert_eq!(restrict(&BTreeSet::new(), &[]), None, "no groups, no gates");
    }

    #[test]
    fn the_operations_module_is_on_when_any_of_its_modules_is() {
        let gates = plan(&[], false);
        assert_eq!(gates.modules["operations/orgs"], features(&["orgs"]));
        assert_eq!(gates.operations, Some(features(&["orgs"])));
        assert_eq!(union([features(&["a", "b"]), features(&["b", "c"])].iter()), Some(features(&["a", "b", "c"])));
        assert_eq!(union(std::iter::empty()), None);
    }

    /// `Pet` has an inline status enum that `Shops`' parameter repeats (one type, by
    /// deduplication); two component responses, each used by one group.
    const SHARED: &str = r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /pets:
    get:
      operationId: ListPets
      tags: [Pets]
      responses:
        "200": {$ref: "#/components/responses/PetPage"}
  /shops:
    get:
      operationId: ListShops
      tags: [Shops]
      parameters:
        - {name: status, in: query, schema: {type: string, enum: [open, closed]}}
      responses:
        "200": {$ref: "#/components/responses/ShopPage"}
components:
  responses:
    PetPage:
      description: ok
      content: {application/json: {schema: {type: object, properties: {data: {type: array, items: {$ref: "#/components/schemas/Pet"}}}}}}
    ShopPage:
      description: ok
      content: {application/json: {schema: {type: object, properties: {count: {type: integer}}}}}
  schemas:
    Pet:
      type: object
      properties:
        status: {type: string, enum: [open, closed]}
        owner: {type: object, properties: {name: {type: string}}}
"##;

    #[test]
    fn a_type_more_groups_reach_than_its_module_gets_a_module_of_its_own() {
        let api = test_api(SHARED);
        let module = |name: &str| api.types.iter().find(|t| t.name == name).map(|t| t.module.as_str());
        assert_eq!(module("Pet"), Some("pet"));
        assert_eq!(module("PetOwner"), Some("pet"), "only Pet's groups reach it: it stays");
        assert_eq!(module("PetStatus"), Some("pet_status"), "Shops reach it too");
        let gates = Gates::plan(&api, &groups(&api), &BTreeSet::new(), false);
        assert_eq!(gates.modules["pet"], features(&["pets"]), "Shops no longer turn on Pet");
        assert_eq!(gates.modules.get("pet_status"), None, "both groups need it");
    }

    #[test]
    fn each_component_response_is_a_module_on_with_the_groups_that_use_it() {
        let api = test_api(SHARED);
        let gates = Gates::plan(&api, &groups(&api), &BTreeSet::new(), false);
        assert_eq!(gates.modules["pet_page"], features(&["pets"]));
        assert_eq!(gates.modules["shop_page"], features(&["shops"]));
    }
}
