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
}
