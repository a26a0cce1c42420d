//! Cycles between named types: a direct reference that closes one is boxed.

use super::{Api, TypeId, TypeKind, TypeRef};
use crate::error::Diagnostic;

/// The strongly connected component of every node (iterative Tarjan).
fn strongly_connected(edges: &[Vec<TypeId>]) -> Vec<usize> {
    const UNSEEN: usize = usize::MAX;
    let n = edges.len();
    let (mut index, mut low, mut component) = (vec![UNSEEN; n], vec![0; n], vec![UNSEEN; n]);
    let (mut on_stack, mut stack) = (vec![false; n], Vec::new());
    let (mut next_index, mut next_component) = (0, 0);
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        // (node, position in its edge list)
        let mut work = vec![(root, 0)];
        while let Some(&mut (node, ref mut position)) = work.last_mut() {
            if *position == 0 && index[node] == UNSEEN {
                index[node] = next_index;
                low[node] = next_index;
                next_index += 1;
                stack.push(node);
                on_stack[node] = true;
            }
            if let Some(&next) = edges[node].get(*position) {
                *position += 1;
                if index[next] == UNSEEN {
                    work.push((next, 0));
                } else if on_stack[next] {
                    low[node] = low[node].min(index[next]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[node]);
            }
            if low[node] == index[node] {
                while let Some(member) = stack.pop() {
                    on_stack[member] = false;
                    component[member] = next_component;
                    if member == node {
                        break;
                    }
                }
                next_component += 1;
            }
        }
    }
    component
}

/// Boxes every direct (not behind `Vec`/map) reference that closes a cycle, and rejects
/// cycles made only of aliases, which no Rust type can express.
pub(super) fn mark_boxes(api: &mut Api) -> Result<(), Diagnostic> {
    let direct = |kind: &TypeKind| -> Vec<TypeId> {
        match kind {
            TypeKind::Struct { fields, .. } => {
                fields.iter().filter_map(|f| if let TypeRef::Named(id) = f.ty { Some(id) } else { None }).collect()
            }
            TypeKind::Tagged { variants, .. } | TypeKind::Untagged { variants } => {
                variants.iter().filter_map(|v| if let TypeRef::Named(id) = v.ty { Some(id) } else { None }).collect()
            }
            TypeKind::Alias { target: TypeRef::Named(id), .. } => vec![*id],
            _ => Vec::new(),
        }
    };
    let edges: Vec<Vec<TypeId>> = api.types.iter().map(|t| direct(&t.kind)).collect();
    // An edge closes a cycle when both ends are in the same strongly connected component
    // (or it is a self-edge). Tarjan's algorithm: linear in types and references.
    let component = strongly_connected(&edges);
    let mut boxes = Vec::new();
    for (owner, targets) in edges.iter().enumerate() {
        for &target in targets {
            if component[target] == component[owner] {
                if let TypeKind::Alias { .. } = api.types[owner].kind {
                    let only_aliases = |id: TypeId| matches!(api.types[id].kind, TypeKind::Alias { .. });
                    if only_aliases(target) {
                        return Err(Diagnostic::at(
                            &api.types[owner].pointer,
                            "this schema refers to itself through references alone",
                        ));
                    }
                    continue;
                }
                boxes.push((owner, target));
            }
        }
    }
    for (owner, target) in boxes {
        match &mut api.types[owner].kind {
            TypeKind::Struct { fields, .. } => {
                fields.iter_mut().filter(|f| f.ty == TypeRef::Named(target)).for_each(|f| f.boxed = true)
            }
            TypeKind::Tagged { variants, .. } | TypeKind::Untagged { variants } => {
                variants.iter_mut().filter(|v| v.ty == TypeRef::Named(target)).for_each(|v| v.boxed = true)
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::ir::{TypeKind, test_api};

    fn boxed_fields(yaml: &str, name: &str) -> Vec<(String, bool)> {
        let api = test_api(yaml);
        let t = api.types.iter().find(|t| t.name == name).expect("type");
        let TypeKind::Struct { fields, .. } = &t.kind else { panic!("not a struct") };
        fields.iter().map(|f| (f.name.clone(), f.boxed)).collect()
    }

    #[test]
    fn a_direct_reference_that_closes_a_cycle_is_boxed_and_one_behind_a_vec_is_not() {
        let yaml = r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    Node:
      type: object
      properties:
        parent: {$ref: "#/components/schemas/Node"}
        children: {type: array, items: {$ref: "#/components/schemas/Node"}}
        leaf: {$ref: "#/components/schemas/Leaf"}
    Leaf: {type: object, properties: {id: {type: string}}}
"##;
        let fields = boxed_fields(yaml, "Node");
        let expected = [("parent", true), ("children", false), ("leaf", false)].map(|(n, b)| (n.to_owned(), b));
        assert_eq!(fields, expected);
    }

    #[test]
    fn a_cycle_of_aliases_alone_is_refused() {
        let yaml = r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    A: {allOf: [{$ref: "#/components/schemas/B"}]}
    B: {allOf: [{$ref: "#/components/schemas/A"}]}
"##;
        let spec = crate::load::Spec::from_text(std::path::Path::new("t.yaml"), yaml.to_owned(), &[]).unwrap();
        let error = crate::ir::build(&spec).unwrap_err().to_string();
        assert!(error.contains("refers to itself"), "{error}");
    }
}
