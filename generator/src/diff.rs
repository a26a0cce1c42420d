//! What changed between two versions of an API, in terms of the generated Rust API:
//! operations, types, fields, enum values and union variants, each marked breaking or not
//! for code that uses the SDK, with a semver suggestion.
//!
//! The rules follow the generated code: structs and enums are `#[non_exhaustive]` (callers
//! build request types with `new`, `Default` and setters), so additions to them are not
//! breaking, nor is the setter a new optional body property gets; removals, type changes
//! (including a field that becomes optional or nullable, i.e. `T` to `Option<T>`), new
//! required request fields and new required method arguments are.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use crate::ir::{Api, Field, Operation, ParamLocation, ResponseBody, TypeDef, TypeKind, TypeRef};

/// What kind of item changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Item {
    /// An operation (a method).
    Operation,
    /// A type.
    Type,
    /// A struct field, parameter or body.
    Field,
    /// An enum value or union variant.
    Value,
}

/// How it changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum How {
    /// New.
    Added,
    /// Gone.
    Removed,
    /// Different.
    Changed,
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// What changed.
    pub item: Item,
    /// How.
    pub how: How,
    /// Whether code written against the old SDK may stop compiling or behave differently.
    pub breaking: bool,
    /// A one-line description.
    pub text: String,
    /// The Rust items it adds, removes or changes, as paths below the crate root
    /// (`UsersApi::get_user`, `GetUser`, `api::users`, `feature users`), where they differ
    /// from the names in [`Change::text`]; for matching against other tools' reports.
    pub items: Vec<String>,
}

/// Every change from `old` to `new`, in a stable order: breaking first, then by item.
pub fn diff(old: &Api, new: &Api) -> Vec<Change> {
    let mut out = Vec::new();
    groups(old, new, &mut out);
    operations(old, new, &mut out);
    types(old, new, &mut out);
    out.sort_by(|a, b| (!a.breaking, a.item, a.how, &a.text).cmp(&(!b.breaking, b.item, b.how, &b.text)));
    out
}

fn push(out: &mut Vec<Change>, item: Item, how: How, breaking: bool, text: String) {
    out.push(Change { item, how, breaking, text, items: Vec::new() });
}

/// Resource groups that appear or disappear: with a group go its `Client` accessor, its
/// handle type, its module and its cargo feature.
fn groups(old: &Api, new: &Api, out: &mut Vec<Change>) {
    let (was, now) = (crate::ir::groups::groups(old), crate::ir::groups::groups(new));
    let named = |list: &[crate::ir::groups::Group], name: &str| list.iter().any(|g| g.name == name);
    for (list, other, how) in [(&was, &now, How::Removed), (&now, &was, How::Added)] {
        for group in list.iter().filter(|g| !named(other, &g.name)) {
            let text = format!(
                "resource group `client.{}()` (`{}`, feature `{}`)",
                group.accessor, group.handle, group.feature
            );
            let items = vec![
                format!("Client::{}", group.accessor),
                group.handle.clone(),
                format!("api::{}", group.name),
                format!("feature {}", group.feature),
                format!("MockServer::{}", group.accessor),
                crate::clerk::group_mocks(&group.name),
            ];
            out.push(Change { item: Item::Operation, how, breaking: how == How::Removed, text, items });
        }
    }
}

/// The Rust items of each operation: its method on the group's handle, its builder and
/// its mock.
fn operation_items(api: &Api) -> BTreeMap<String, Vec<String>> {
    crate::ir::groups::groups(api)
        .iter()
        .flat_map(|g| {
            g.members.iter().map(move |m| {
                let op = &api.operations[m.operation];
                let items = vec![
                    format!("{}::{}", g.handle, op.name),
                    m.builder.clone(),
                    format!("{}::{}", crate::clerk::group_mocks(&g.name), op.name),
                ];
                (op_key(op), items)
            })
        })
        .collect()
}

/// The Rust items through which callers set each field of a request body, by type and
/// field name: the operation method, for a required property (an argument), else the
/// builder's setters.
fn body_field_items(api: &Api) -> BTreeMap<(String, String), Vec<String>> {
    let mut out: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for group in crate::ir::groups::groups(api) {
        for member in &group.members {
            let op = &api.operations[member.operation];
            let Some(body) = &op.body else { continue };
            let (TypeRef::Named(id), Some(fields)) = (&body.ty, &body.fields) else { continue };
            let ty = api.ty(*id);
            let TypeKind::Struct { fields: declared, .. } = &ty.kind else { continue };
            for setter in fields {
                let Some(field) = declared.get(setter.field) else { continue };
                let items = out.entry((ty.name.clone(), field.name.clone())).or_default();
                if field.required {
                    items.push(format!("{}::{}", group.handle, op.name));
                } else {
                    items.push(format!("{}::{}", member.builder, setter.name));
                    items.extend(setter.null.iter().map(|null| format!("{}::{null}", member.builder)));
                }
            }
        }
    }
    out
}

/// A field change's items: the field itself and what callers set it through.
fn field_change_items(setters: &BTreeMap<(String, String), Vec<String>>, ty: &str, field: &str) -> Vec<String> {
    let key = (ty.to_owned(), field.to_owned());
    std::iter::once(format!("{ty}.{field}")).chain(setters.get(&key).into_iter().flatten().cloned()).collect()
}

/// A type as the user sees it, e.g. `Vec<User>`.
pub fn type_text(api: &Api, t: &TypeRef) -> String {
    match t {
        TypeRef::Named(id) => api.ty(*id).name.clone(),
        TypeRef::String => "String".into(),
        TypeRef::Integer { bits } => format!("i{bits}"),
        TypeRef::Number => "f64".into(),
        TypeRef::Boolean => "bool".into(),
        TypeRef::Json => "serde_json::Value".into(),
        TypeRef::JsonObject => "serde_json::Map<String, serde_json::Value>".into(),
        TypeRef::Map(inner) => format!("BTreeMap<String, {}>", type_text(api, inner)),
        TypeRef::Array(inner) => format!("Vec<{}>", type_text(api, inner)),
        TypeRef::File => "FilePart".into(),
    }
}

/// A field's Rust type, with the optionality the emitter gives it.
fn field_text(api: &Api, owner: &TypeDef, f: &Field) -> String {
    let base = type_text(api, &f.ty);
    if !f.required && f.nullable && owner.in_request {
        format!("Nullable<{base}>")
    } else if !f.required || f.nullable {
        format!("Option<{base}>")
    } else {
        base
    }
}

fn op_key(op: &Operation) -> String {
    format!("client.{}().{}()", op.group, op.name)
}

fn operations(old: &Api, new: &Api, out: &mut Vec<Change>) {
    let old_ops: BTreeMap<String, &Operation> = old.operations.iter().map(|o| (op_key(o), o)).collect();
    let new_ops: BTreeMap<String, &Operation> = new.operations.iter().map(|o| (op_key(o), o)).collect();
    let items = operation_items(old);
    for (key, op) in &old_ops {
        if !new_ops.contains_key(key) {
            push(out, Item::Operation, How::Removed, true, format!("operation `{key}` (`{} {}`)", op.method, op.path));
            if let Some(last) = out.last_mut() {
                last.items = items.get(key).cloned().unwrap_or_default();
            }
        }
    }
    for (key, op) in &new_ops {
        let Some(before) = old_ops.get(key) else {
            push(out, Item::Operation, How::Added, false, format!("operation `{key}` (`{} {}`)", op.method, op.path));
            continue;
        };
        if (before.method.as_str(), before.path.as_str()) != (op.method.as_str(), op.path.as_str()) {
            let text =
                format!("`{key}` now calls `{} {}` (was `{} {}`)", op.method, op.path, before.method, before.path);
            push(out, Item::Operation, How::Changed, false, text);
        }
        if op.deprecated && !before.deprecated {
            push(out, Item::Operation, How::Changed, false, format!("`{key}` is deprecated"));
        }
        let params = |o: &Operation, api: &Api| -> BTreeMap<String, (bool, String)> {
            o.params
                .iter()
                .filter(|p| p.location != ParamLocation::Cookie)
                .map(|p| (p.name.clone(), (p.required, type_text(api, &p.ty))))
                .collect()
        };
        let (was, now) = (params(before, old), params(op, new));
        for (name, (required, _)) in &was {
            if !now.contains_key(name) {
                let what = if *required { "argument" } else { "setter" };
                push(out, Item::Field, How::Removed, true, format!("{what} `{name}` of `{key}`"));
            }
        }
        for (name, (required, ty)) in &now {
            match was.get(name) {
                None => {
                    let what = if *required { "required argument" } else { "setter" };
                    push(out, Item::Field, How::Added, *required, format!("{what} `{name}: {ty}` of `{key}`"));
                }
                Some((was_required, was_ty)) if (was_required, was_ty) != (required, ty) => {
                    let describe = |r: bool, t: &str| format!("{} `{t}`", if r { "required" } else { "optional" });
                    let text = format!(
                        "`{name}` of `{key}`: {} (was {})",
                        describe(*required, ty),
                        describe(*was_required, was_ty)
                    );
                    push(out, Item::Field, How::Changed, true, text);
                }
                Some(_) => {}
            }
        }
        let body = |o: &Operation, api: &Api| o.body.as_ref().map(|b| (b.required, type_text(api, &b.ty)));
        match (body(before, old), body(op, new)) {
            (None, Some((required, ty))) => {
                push(out, Item::Field, How::Added, required, format!("request body `{ty}` of `{key}`"))
            }
            (Some((_, ty)), None) => {
                push(out, Item::Field, How::Removed, true, format!("request body `{ty}` of `{key}`"))
            }
            (Some(a), Some(b)) if a != b => {
                let text = format!("request body of `{key}`: `{}` (was `{}`)", b.1, a.1);
                push(out, Item::Field, How::Changed, true, text);
            }
            _ => {}
        }
        let response = |o: &Operation, api: &Api| match &o.response.body {
            ResponseBody::Json(t) => type_text(api, t),
            ResponseBody::Text => "String".into(),
            ResponseBody::Binary => "Bytes".into(),
            ResponseBody::Empty => "()".into(),
        };
        let (a, b) = (response(before, old), response(op, new));
        if a != b {
            push(out, Item::Operation, How::Changed, true, format!("`{key}` returns `{b}` (was `{a}`)"));
        }
    }
}

fn types(old: &Api, new: &Api, out: &mut Vec<Change>) {
    let index = |api: &Api| -> BTreeMap<String, usize> {
        api.types.iter().enumerate().map(|(i, t)| (t.name.clone(), i)).collect()
    };
    let (old_types, new_types) = (index(old), index(new));
    let removed: Vec<&String> = old_types.keys().filter(|n| !new_types.contains_key(*n)).collect();
    let added: Vec<&String> = new_types.keys().filter(|n| !old_types.contains_key(*n)).collect();
    // A removed type and an added one with the same shape: a rename upstream.
    let shape = |api: &Api, t: &TypeDef| -> Option<BTreeSet<String>> {
        match &t.kind {
            TypeKind::Struct { fields, .. } => {
                Some(fields.iter().map(|f| format!("{}:{}", f.wire, field_text(api, t, f))).collect())
            }
            TypeKind::Enum { values } => Some(values.iter().map(|v| v.value.clone()).collect()),
            _ => None,
        }
    };
    for name in &removed {
        let t = old.ty(old_types[*name]);
        let successor = added.iter().find(|a| {
            let candidate = new.ty(new_types[**a]);
            shape(old, t).is_some() && shape(old, t) == shape(new, candidate)
        });
        let text = match successor {
            Some(new_name) => {
                let pointer = &new.ty(new_types[*new_name]).pointer;
                format!(
                    "type `{name}` (now `{new_name}`; keep the old name with `\"{pointer}\" = \"{name}\"` in spec/names.toml)"
                )
            }
            None => format!("type `{name}`"),
        };
        push(out, Item::Type, How::Removed, true, text);
    }
    for name in &added {
        push(out, Item::Type, How::Added, false, format!("type `{name}`"));
    }
    let (old_setters, new_setters) = (body_field_items(old), body_field_items(new));
    for (name, &i) in &old_types {
        let Some(&j) = new_types.get(name) else { continue };
        let (a, b) = (old.ty(i), new.ty(j));
        match (&a.kind, &b.kind) {
            (TypeKind::Struct { fields: fa, .. }, TypeKind::Struct { fields: fb, .. }) => {
                let map = |api: &Api, t: &TypeDef, fields: &[Field]| -> BTreeMap<String, (String, bool)> {
                    fields.iter().map(|f| (f.name.clone(), (field_text(api, t, f), f.required))).collect()
                };
                let (was, now) = (map(old, a, fa), map(new, b, fb));
                let mut field_change = |how, breaking, text, setters: &BTreeMap<_, _>, field: &str| {
                    push(out, Item::Field, how, breaking, text);
                    if let Some(last) = out.last_mut() {
                        last.items = field_change_items(setters, name, field);
                    }
                };
                for (field, (ty, _)) in &was {
                    if !now.contains_key(field) {
                        let text = format!("field `{name}.{field}: {ty}`");
                        field_change(How::Removed, true, text, &old_setters, field);
                    }
                }
                for (field, (ty, required)) in &now {
                    match was.get(field) {
                        None => {
                            // Callers build request types: a new required field breaks them.
                            let breaking = b.in_request && *required;
                            let text = format!("field `{name}.{field}: {ty}`");
                            field_change(How::Added, breaking, text, &new_setters, field);
                        }
                        Some((was_ty, _)) if was_ty != ty => {
                            let text = format!("field `{name}.{field}`: `{ty}` (was `{was_ty}`)");
                            field_change(How::Changed, true, text, &old_setters, field);
                        }
                        Some(_) => {}
                    }
                }
            }
            (TypeKind::Enum { values: va }, TypeKind::Enum { values: vb }) => {
                let was: BTreeSet<&str> = va.iter().map(|v| v.value.as_str()).collect();
                let now: BTreeSet<&str> = vb.iter().map(|v| v.value.as_str()).collect();
                for v in was.difference(&now) {
                    push(out, Item::Value, How::Removed, true, format!("value `{v}` of enum `{name}`"));
                }
                for v in now.difference(&was) {
                    push(out, Item::Value, How::Added, false, format!("value `{v}` of enum `{name}`"));
                }
            }
            (
                TypeKind::Tagged { variants: va, .. } | TypeKind::Untagged { variants: va },
                TypeKind::Tagged { variants: vb, .. } | TypeKind::Untagged { variants: vb },
            ) => {
                let was: BTreeSet<&str> = va.iter().map(|v| v.name.as_str()).collect();
                let now: BTreeSet<&str> = vb.iter().map(|v| v.name.as_str()).collect();
                for v in was.difference(&now) {
                    push(out, Item::Value, How::Removed, true, format!("variant `{name}::{v}`"));
                }
                for v in now.difference(&was) {
                    push(out, Item::Value, How::Added, false, format!("variant `{name}::{v}`"));
                }
            }
            (TypeKind::Alias { target: ta, .. }, TypeKind::Alias { target: tb, .. }) => {
                let (x, y) = (type_text(old, ta), type_text(new, tb));
                if x != y {
                    push(out, Item::Type, How::Changed, true, format!("type `{name}` = `{y}` (was `{x}`)"));
                }
            }
            (ka, kb) if std::mem::discriminant(ka) != std::mem::discriminant(kb) => {
                push(out, Item::Type, How::Changed, true, format!("type `{name}` changed kind"));
            }
            _ => {}
        }
    }
}

/// The next version of the crate for these changes (semver; below 1.0 a breaking change
/// bumps the minor version).
pub fn suggest_version(current: &str, changes: &[Change]) -> String {
    let mut parts: Vec<u64> = current.split('.').map(|p| p.parse().unwrap_or(0)).collect();
    parts.resize(3, 0);
    let breaking = changes.iter().any(|c| c.breaking);
    let (major, minor, patch) = (parts[0], parts[1], parts[2]);
    match (changes.is_empty(), breaking, major) {
        (true, _, _) => current.to_owned(),
        (false, true, 0) => format!("0.{}.0", minor + 1),
        (false, true, _) => format!("{}.0.0", major + 1),
        (false, false, 0) => format!("0.{minor}.{}", patch + 1),
        (false, false, _) => format!("{major}.{}.0", minor + 1),
    }
}

/// Counts of changes by item and kind, e.g. for a summary table.
pub fn counts(changes: &[Change]) -> BTreeMap<(Item, How), (usize, usize)> {
    let mut out: BTreeMap<(Item, How), (usize, usize)> = BTreeMap::new();
    for c in changes {
        let entry = out.entry((c.item, c.how)).or_default();
        if c.breaking {
            entry.0 += 1;
        } else {
            entry.1 += 1;
        }
    }
    out
}

/// A Markdown report: title, semver suggestion, a count table, then every change.
pub fn render(title: &str, current_version: &str, changes: &[Change]) -> String {
    let mut out = String::new();
    let breaking = changes.iter().filter(|c| c.breaking).count();
    let _ = writeln!(out, "## {title}\n");
    if changes.is_empty() {
        let _ = writeln!(out, "No changes to the generated API.");
        return out;
    }
    let _ = writeln!(
        out,
        "{} changes, {breaking} breaking. Suggested version: {} (from {current_version}).\n",
        changes.len(),
        suggest_version(current_version, changes)
    );
    let _ = writeln!(out, "| item | added | removed | changed | breaking |\n|---|---|---|---|---|");
    for item in [Item::Operation, Item::Type, Item::Field, Item::Value] {
        let count = |how| changes.iter().filter(|c| c.item == item && c.how == how).count();
        let breaking = changes.iter().filter(|c| c.item == item && c.breaking).count();
        let name = match item {
            Item::Operation => "operations",
            Item::Type => "types",
            Item::Field => "fields, arguments, bodies",
            Item::Value => "enum values, variants",
        };
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {breaking} |",
            count(How::Added),
            count(How::Removed),
            count(How::Changed)
        );
    }
    for (heading, breaking) in [("Breaking", true), ("Not breaking", false)] {
        let list: Vec<&Change> = changes.iter().filter(|c| c.breaking == breaking).collect();
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n### {heading}\n");
        for c in list {
            let how = match c.how {
                How::Added => "Added",
                How::Removed => "Removed",
                How::Changed => "Changed",
            };
            let _ = writeln!(out, "- {how}: {}", c.text);
        }
    }
    out
}
