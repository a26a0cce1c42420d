//! Resource groups: the operations of one tag, with every name the SDK gives them.

use std::collections::BTreeMap;

use super::Api;
use crate::clerk;
use crate::names::{self, Namespace};

/// Methods of `Client` that no group accessor may take.
const CLIENT_METHODS: &[&str] = &["new", "builder", "from_env", "base_url", "inner"];

/// One resource group: a module of `api/`, a cargo feature and a handle on `Client`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The module name (`snake_case` of the tag), e.g. `users`.
    pub name: String,
    /// The tag it comes from.
    pub tag: String,
    /// The method on `Client` that returns the handle: `client.users()`.
    pub accessor: String,
    /// The cargo feature that compiles it.
    pub feature: String,
    /// The handle's type name: `UsersApi`.
    pub handle: String,
    /// Its operations, in spec order.
    pub members: Vec<Member>,
}

/// An operation of a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Index in [`Api::operations`].
    pub operation: usize,
    /// The type name of its request builder (the operation id), unique within the group's
    /// module.
    pub builder: String,
}

/// The groups of an API, sorted by module name.
pub fn groups(api: &Api) -> Vec<Group> {
    let mut by_name: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, op) in api.operations.iter().enumerate() {
        by_name.entry(op.group.as_str()).or_default().push(i);
    }
    let mut accessors = Namespace::new();
    CLIENT_METHODS.iter().for_each(|m| drop(accessors.claim(m)));
    by_name
        .into_iter()
        .map(|(name, ops)| {
            let tag = api.operations[ops[0]].tag.clone();
            let handle = clerk::group_handle(name);
            let mut builders = Namespace::new();
            builders.claim(&handle);
            let members = ops
                .into_iter()
                .map(|operation| Member {
                    operation,
                    builder: builders.claim(&names::type_ident(&api.operations[operation].id, "Request")),
                })
                .collect();
            Group {
                name: name.to_owned(),
                tag,
                accessor: accessors.claim(name),
                feature: feature(name),
                handle,
                members,
            }
        })
        .collect()
}

/// The cargo feature of a group: its module name, unless the runtime has a feature of
/// that name.
pub fn feature(group: &str) -> String {
    if clerk::RUNTIME_FEATURES.contains(&group) { format!("{group}-api") } else { group.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::test_api;

    const SPEC: &str = r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /users:
    get: {operationId: GetUsers, tags: [Users], responses: {"200": {description: ok}}}
    post: {operationId: UsersApi, tags: [Users], responses: {"200": {description: ok}}}
  /new:
    get: {operationId: GetNew, tags: [New], responses: {"200": {description: ok}}}
  /auth:
    get: {operationId: GetAuth, tags: [Auth], responses: {"200": {description: ok}}}
  /users/{id}:
    get:
      operationId: getUsers
      tags: [Users]
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: ok}}
"##;

    #[test]
    fn groups_are_sorted_by_module_and_keep_spec_order_inside() {
        let api = test_api(SPEC);
        let groups = groups(&api);
        let names: Vec<&str> = groups.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(names, ["auth", "new", "users"]);
        let users: Vec<usize> = groups[2].members.iter().map(|m| m.operation).collect();
        assert_eq!(users, [0, 1, 4]);
        assert_eq!(groups[2].tag, "Users");
    }

    #[test]
    fn an_accessor_never_takes_a_client_method() {
        let groups = groups(&test_api(SPEC));
        assert_eq!(groups[1].accessor, "new_2");
        assert_eq!(groups[2].accessor, "users");
    }

    #[test]
    fn a_feature_never_takes_a_runtime_feature() {
        let groups = groups(&test_api(SPEC));
        let features: Vec<&str> = groups.iter().map(|g| g.feature.as_str()).collect();
        assert_eq!(features, ["auth-api", "new", "users"]);
    }

    #[test]
    fn builder_names_are_unique_and_never_the_handle() {
        let groups = groups(&test_api(SPEC));
        let users = &groups[2];
        assert_eq!(users.handle, "UsersApi");
        let builders: Vec<&str> = users.members.iter().map(|m| m.builder.as_str()).collect();
        assert_eq!(builders, ["GetUsers", "UsersApi2", "GetUsers2"]);
    }
}
