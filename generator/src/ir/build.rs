//! Lowers a loaded spec into the IR.

use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, MediaType, Parameter, ParameterSchemaOrContent, QueryStyle, ReferenceOr, RequestBody, Schema,
    StatusCode,
};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

use super::view::{Kind, View};
use super::*;
use crate::error::{Diagnostic, Errors, join};
use crate::load::Spec;
use crate::names::{self, Namespace};

/// Builds the IR for a loaded spec, collecting every problem it finds.
pub fn build(spec: &Spec) -> Result<Api, Errors> {
    build_with(spec, &NameMap::new())
}

/// Rust type names pinned by spec location (JSON pointer), so that a type keeps its name
/// when upstream renames or extracts its schema (`spec/names.toml`).
pub type NameMap = std::collections::BTreeMap<String, String>;

/// Builds the IR, naming the types at the locations in `names` as the map says.
pub fn build_with(spec: &Spec, names: &NameMap) -> Result<Api, Errors> {
    let mut b = Builder::new(spec);
    b.pinned = names.clone();
    for (pointer, name) in names {
        if !pointer.starts_with('/') || names::type_ident(name, "") != *name {
            b.error("", format!("names map: `{pointer}` = `{name}` needs a JSON pointer and an UpperCamelCase name"));
        }
    }
    b.components();
    b.component_responses();
    b.operations();
    b.events();
    let Builder { types, operations, examples, errors, events, .. } = b;
    let mut api = Api {
        title: spec.api.info.title.clone(),
        version: spec.api.info.version.clone(),
        description: spec.api.info.description.clone(),
        server: spec.api.servers.first().map(|s| s.url.clone()),
        types,
        operations,
        examples,
        retry: retry_spec(&spec.raw),
        events,
    };
    let mut errors = errors;
    mark_usage(&mut api);
    if let Err(e) = super::cycles::mark_boxes(&mut api) {
        errors.push(e);
    }
    for i in 0..api.operations.len() {
        api.operations[i].pagination = crate::clerk::pagination(&api, &api.operations[i]);
    }
    if errors.is_empty() { Ok(api) } else { Err(spec.errors(errors)) }
}

/// What a named schema becomes.
enum Shape {
    /// A definition of its own.
    Named(TypeKind),
    /// Another name for a type (and whether it is nullable).
    Alias(TypeRef, bool),
}

/// Where an operation is: its path item, itself, its path and method, and its pointer.
struct Located<'a> {
    item: &'a openapiv3::PathItem,
    op: &'a openapiv3::Operation,
    path: &'a str,
    method: &'a str,
    pointer: String,
}

#[derive(Clone)]
struct Hint {
    name: String,
    module: String,
}

impl Hint {
    fn child(&self, suffix: &str) -> Hint {
        Hint { name: format!("{}{}", self.name, names::type_ident(suffix, "Value")), module: self.module.clone() }
    }
}

/// How a schema maps to Rust, before any type is created.
enum Class<'a> {
    Wrapper(&'a ReferenceOr<Schema>, &'static str, usize),
    Merge,
    Union,
    Enum,
    Struct,
    Map(&'a ReferenceOr<Schema>),
    Plain(TypeRef),
    Array(Option<&'a ReferenceOr<Box<Schema>>>),
}

/// A property to turn into a field, with the type its inline children are named after.
struct FieldSrc<'a> {
    schema: &'a ReferenceOr<Box<Schema>>,
    pointer: String,
    owner: Hint,
}

enum SchemaRef<'a> {
    Ref(&'a str),
    Item(&'a Schema),
}

/// `Schema` or `Box<Schema>`, as `openapiv3` uses both.
trait SchemaLike {
    fn schema(&self) -> &Schema;
}

impl SchemaLike for Schema {
    fn schema(&self) -> &Schema {
        self
    }
}

impl SchemaLike for Box<Schema> {
    fn schema(&self) -> &Schema {
        self
    }
}

fn as_schema<T: SchemaLike>(r: &ReferenceOr<T>) -> SchemaRef<'_> {
    match r {
        ReferenceOr::Reference { reference } => SchemaRef::Ref(reference),
        ReferenceOr::Item(s) => SchemaRef::Item(s.schema()),
    }
}

struct Builder<'a> {
    spec: &'a Spec,
    types: Vec<TypeDef>,
    type_names: Namespace,
    modules: Namespace,
    components: HashMap<&'a str, TypeId>,
    nullable_components: HashSet<TypeId>,
    dedup: HashMap<String, TypeId>,
    responses: HashMap<String, ResponseBody>,
    operations: Vec<Operation>,
    examples: Vec<Example>,
    errors: Vec<Diagnostic>,
    merging: Vec<String>,
    pinned: NameMap,
    events: Vec<Event>,
}

impl<'a> Builder<'a> {
    /// The name pinned for the schema at `pointer`, else `default`, made unique.
    fn claim_name(&mut self, pointer: &str, default: &str) -> String {
        match self.pinned.get(pointer) {
            Some(name) if !self.type_names.contains(name) => self.type_names.claim(name),
            _ => self.type_names.claim(default),
        }
    }

    fn new(spec: &'a Spec) -> Self {
        let mut modules = Namespace::new();
        modules.claim("operations");
        modules.claim("responses");
        Builder {
            spec,
            types: Vec::new(),
            type_names: Namespace::new(),
            modules,
            components: HashMap::new(),
            nullable_components: HashSet::new(),
            dedup: HashMap::new(),
            responses: HashMap::new(),
            operations: Vec::new(),
            examples: Vec::new(),
            errors: Vec::new(),
            merging: Vec::new(),
            pinned: NameMap::new(),
            events: Vec::new(),
        }
    }

    fn error(&mut self, pointer: &str, message: impl Into<String>) {
        self.errors.push(Diagnostic::at(pointer, message));
    }

    fn new_type(&mut self, name: String, pointer: &str, module: &str, schema: Option<&Schema>) -> TypeId {
        let data = schema.map(|s| &s.schema_data);
        self.types.push(TypeDef {
            name,
            pointer: pointer.to_owned(),
            module: module.to_owned(),
            doc: data.and_then(|d| d.description.clone().or_else(|| d.title.clone())),
            deprecated: data.is_some_and(|d| d.deprecated),
            kind: TypeKind::Alias { target: TypeRef::Json, nullable: false },
            in_request: false,
            in_response: false,
        });
        self.types.len() - 1
    }

    // ---- components ------------------------------------------------------------------

    fn components(&mut self) {
        let Some(components) = self.spec.api.components.as_ref() else { return };
        // Literal names claim first, so an `x-speakeasy-name-override` never takes a name
        // another component has (`verification_passkey` wants `Passkey`, which exists).
        let overrides: Vec<Option<String>> = components
            .schemas
            .values()
            .map(|s| match s {
                ReferenceOr::Item(s) => {
                    s.schema_data.extensions.get("x-speakeasy-name-override").and_then(Value::as_str).map(str::to_owned)
                }
                ReferenceOr::Reference { .. } => None,
            })
            .collect();
        let mut chosen: Vec<Option<String>> = vec![None; overrides.len()];
        for (i, name) in components.schemas.keys().enumerate() {
            let pinned = self.pinned.get(&join("/components/schemas", name)).cloned();
            if let Some(pinned) = pinned.filter(|p| !self.type_names.contains(p)) {
                chosen[i] = Some(self.type_names.claim(&pinned));
            }
        }
        for (i, name) in components.schemas.keys().enumerate() {
            if chosen[i].is_none() && overrides[i].is_none() {
                chosen[i] = Some(self.type_names.claim(&names::type_ident(name, "Schema")));
            }
        }
        for (i, name) in components.schemas.keys().enumerate() {
            if let Some(over) = overrides[i].as_ref().filter(|_| chosen[i].is_none()) {
                let preferred = names::type_ident(over, "Schema");
                let name =
                    if self.type_names.contains(&preferred) { names::type_ident(name, "Schema") } else { preferred };
                chosen[i] = Some(self.type_names.claim(&name));
            }
        }
        for ((name, schema), rust) in components.schemas.iter().zip(chosen) {
            let rust = rust.unwrap_or_default();
            let module = self.modules.claim(&module_ident(&rust));
            let pointer = join("/components/schemas", name);
            let item = match schema {
                ReferenceOr::Item(s) => Some(s),
                ReferenceOr::Reference { .. } => None,
            };
            let id = self.new_type(rust, &pointer, &module, item);
            if item.is_some_and(|s| s.schema_data.nullable) {
                self.nullable_components.insert(id);
            }
            self.components.insert(name.as_str(), id);
        }
        for (name, schema) in &components.schemas {
            let id = self.components[name.as_str()];
            let pointer = self.types[id].pointer.clone();
            let hint = Hint { name: self.types[id].name.clone(), module: self.types[id].module.clone() };
            let kind = match schema {
                ReferenceOr::Reference { reference } => {
                    let target = self.resolve_ref(reference, &pointer);
                    TypeKind::Alias { target, nullable: false }
                }
                ReferenceOr::Item(s) => {
                    self.example(s, &pointer, TypeRef::Named(id));
                    match self.shape(s, &hint, &pointer) {
                        Shape::Named(kind) => kind,
                        Shape::Alias(target, nullable) => TypeKind::Alias { target, nullable },
                    }
                }
            };
            self.types[id].kind = kind;
        }
    }

    fn resolve_ref(&mut self, reference: &str, pointer: &str) -> TypeRef {
        match reference.strip_prefix("#/components/schemas/") {
            Some(name) => match self.components.get(name) {
                Some(&id) => TypeRef::Named(id),
                None => {
                    self.error(pointer, format!("`$ref: {reference}` points to a schema that does not exist"));
                    TypeRef::Json
                }
            },
            None if !reference.starts_with('#') => {
                self.error(pointer, format!("`$ref: {reference}`: references to other files are not supported"));
                TypeRef::Json
            }
            None => {
                self.error(pointer, format!("`$ref: {reference}` must point into #/components/schemas here"));
                TypeRef::Json
            }
        }
    }

    /// The schema a `#/components/schemas/…` reference names.
    fn component_schema(&self, reference: &str) -> Option<(&'a Schema, String)> {
        let name = reference.strip_prefix("#/components/schemas/")?;
        let components = self.spec.api.components.as_ref()?;
        match components.schemas.get(name)? {
            ReferenceOr::Item(s) => Some((s, join("/components/schemas", name))),
            ReferenceOr::Reference { reference } => self.component_schema(reference),
        }
    }

    // ---- schemas ---------------------------------------------------------------------

    /// Lowers a schema in a position (field, item, parameter, body) to a type reference
    /// and whether it is nullable. Inline objects, enums and unions become named types.
    fn lower<T: SchemaLike + 'a>(&mut self, schema: &'a ReferenceOr<T>, hint: &Hint, pointer: &str) -> (TypeRef, bool) {
        match as_schema(schema) {
            SchemaRef::Ref(reference) => {
                let ty = self.resolve_ref(reference, pointer);
                let nullable = matches!(ty, TypeRef::Named(id) if self.nullable_components.contains(&id));
                (ty, nullable)
            }
            SchemaRef::Item(s) => {
                let lowered = self.lower_item(s, hint, pointer);
                self.example(s, pointer, lowered.0.clone());
                lowered
            }
        }
    }

    fn lower_item(&mut self, s: &'a Schema, hint: &Hint, pointer: &str) -> (TypeRef, bool) {
        let nullable = s.schema_data.nullable;
        match self.classify(s) {
            Class::Wrapper(inner, key, index) => {
                let (ty, inner_nullable) = self.lower(inner, hint, &join(&join(pointer, key), &index.to_string()));
                (ty, nullable || inner_nullable)
            }
            Class::Plain(ty) => (ty, nullable || self.enum_has_null(s)),
            Class::Array(items) => {
                let ty = match items {
                    Some(items) => self.lower(items, &hint.child("Item"), &join(pointer, "items")).0,
                    None => TypeRef::Json,
                };
                (TypeRef::Array(Box::new(ty)), nullable)
            }
            Class::Map(values) => {
                let ty = self.lower(values, &hint.child("Value"), &join(pointer, "additionalProperties")).0;
                (TypeRef::Map(Box::new(ty)), nullable)
            }
            Class::Merge | Class::Union | Class::Enum | Class::Struct => {
                let key = dedup_key(s);
                if let Some(&id) = key.as_ref().and_then(|k| self.dedup.get(k)) {
                    return (TypeRef::Named(id), nullable || self.enum_has_null(s));
                }
                let name = self.claim_name(pointer, &hint.name);
                let id = self.new_type(name.clone(), pointer, &hint.module, Some(s));
                if let Some(key) = key {
                    self.dedup.insert(key, id);
                }
                let own = Hint { name, module: hint.module.clone() };
                self.types[id].kind = match self.shape(s, &own, pointer) {
                    Shape::Named(kind) => kind,
                    Shape::Alias(target, _) => TypeKind::Alias { target, nullable: false },
                };
                (TypeRef::Named(id), nullable || self.enum_has_null(s))
            }
        }
    }

    fn enum_has_null(&self, s: &Schema) -> bool {
        View::of(s).enumeration.iter().any(Value::is_null)
    }

    fn classify(&self, s: &'a Schema) -> Class<'a> {
        let v = View::of(s);
        let one_of: Vec<_> = v.one_of.iter().filter(|x| !is_constraint(x)).collect();
        let any_of: Vec<_> = v.any_of.iter().filter(|x| !is_constraint(x)).collect();
        let plain = !v.has_properties() && v.items.is_none();
        if plain && one_of.is_empty() && any_of.is_empty() && v.all_of.len() == 1 {
            return Class::Wrapper(&v.all_of[0], "allOf", 0);
        }
        if plain && v.all_of.is_empty() && v.discriminator().is_none() {
            if one_of.len() == 1 && any_of.is_empty() {
                let index = v.one_of.iter().position(|x| std::ptr::eq(x, one_of[0])).unwrap_or(0);
                return Class::Wrapper(one_of[0], "oneOf", index);
            }
            if any_of.len() == 1 && one_of.is_empty() {
                let index = v.any_of.iter().position(|x| std::ptr::eq(x, any_of[0])).unwrap_or(0);
                return Class::Wrapper(any_of[0], "anyOf", index);
            }
        }
        if !v.all_of.is_empty() {
            return Class::Merge;
        }
        if !one_of.is_empty() || !any_of.is_empty() {
            return Class::Union;
        }
        let values: Vec<&Value> = v.enumeration.iter().filter(|e| !e.is_null()).collect();
        if !values.is_empty() {
            let strings = values.iter().all(|e| e.is_string());
            return match (v.kind, strings) {
                (Kind::Boolean, _) => Class::Plain(TypeRef::Boolean),
                (Kind::Integer, _) => Class::Plain(integer(&v)),
                (Kind::Number, _) => Class::Plain(TypeRef::Number),
                (_, true) if values.len() == 1 => Class::Plain(TypeRef::String),
                (Kind::String | Kind::Unspecified, true) => Class::Enum,
                (Kind::Unspecified, false) if values.iter().all(|e| e.is_boolean()) => Class::Plain(TypeRef::Boolean),
                (Kind::Unspecified, false) if values.iter().all(|e| e.is_i64()) => {
                    Class::Plain(TypeRef::Integer { bits: 64 })
                }
                (Kind::Unspecified, false) if values.iter().all(|e| e.is_number()) => Class::Plain(TypeRef::Number),
                _ => Class::Plain(TypeRef::Json),
            };
        }
        match v.kind {
            Kind::Object | Kind::Unspecified if v.has_properties() => Class::Struct,
            Kind::Object | Kind::Unspecified => match v.additional {
                Some(AdditionalProperties::Schema(values)) => Class::Map(values),
                _ if v.kind == Kind::Object => Class::Plain(TypeRef::JsonObject),
                _ if v.items.is_some() => Class::Array(v.items),
                _ => Class::Plain(TypeRef::Json),
            },
            Kind::Array => Class::Array(v.items),
            Kind::String if v.format.as_deref() == Some("binary") => Class::Plain(TypeRef::File),
            Kind::String => Class::Plain(TypeRef::String),
            Kind::Integer => Class::Plain(integer(&v)),
            Kind::Number => Class::Plain(TypeRef::Number),
            Kind::Boolean => Class::Plain(TypeRef::Boolean),
            Kind::Unknown => Class::Plain(TypeRef::Json),
        }
    }

    /// The shape of a named type: a definition of its own, or another name for a plain type.
    fn shape(&mut self, s: &'a Schema, hint: &Hint, pointer: &str) -> Shape {
        match self.classify(s) {
            Class::Merge => {
                let mut props = IndexMap::new();
                let mut required = Vec::new();
                self.merging.clear();
                self.collect_fields(s, hint, pointer, &mut props, &mut required);
                Shape::Named(self.fields(props, &required))
            }
            Class::Struct => {
                let mut props = IndexMap::new();
                let mut required = Vec::new();
                self.own_fields(s, hint, pointer, &mut props, &mut required);
                Shape::Named(self.fields(props, &required))
            }
            Class::Enum => Shape::Named(self.enumeration(s)),
            Class::Union => Shape::Named(self.union(s, hint, pointer)),
            _ => {
                let (target, nullable) = self.lower_item(s, hint, pointer);
                Shape::Alias(target, nullable)
            }
        }
    }

    fn own_fields(
        &mut self,
        s: &'a Schema,
        hint: &Hint,
        pointer: &str,
        props: &mut IndexMap<String, FieldSrc<'a>>,
        required: &mut Vec<String>,
    ) {
        let v = View::of(s);
        if let Some(properties) = v.properties {
            for (name, schema) in properties {
                let pointer = join(&join(pointer, "properties"), name);
                props.insert(name.clone(), FieldSrc { schema, pointer, owner: hint.clone() });
            }
        }
        required.extend(v.required.iter().cloned());
    }

    /// Gathers the properties of an `allOf`, following references; later parts override
    /// earlier ones and `required` lists are united.
    fn collect_fields(
        &mut self,
        s: &'a Schema,
        hint: &Hint,
        pointer: &str,
        props: &mut IndexMap<String, FieldSrc<'a>>,
        required: &mut Vec<String>,
    ) {
        let v = View::of(s);
        for (i, part) in v.all_of.iter().enumerate() {
            let part_pointer = join(&join(pointer, "allOf"), &i.to_string());
            match part {
                ReferenceOr::Reference { reference } => {
                    if self.merging.contains(reference) {
                        let chain = self.merging.join(" -> ");
                        self.error(&part_pointer, format!("cyclic `allOf`: {chain} -> {reference}"));
                        continue;
                    }
                    let Some((target, target_pointer)) = self.component_schema(reference) else {
                        self.resolve_ref(reference, &part_pointer);
                        continue;
                    };
                    let owner = self
                        .components
                        .get(reference.trim_start_matches("#/components/schemas/"))
                        .map(|&id| Hint { name: self.types[id].name.clone(), module: self.types[id].module.clone() });
                    self.merging.push(reference.clone());
                    self.collect_fields(target, owner.as_ref().unwrap_or(hint), &target_pointer, props, required);
                    self.merging.pop();
                }
                ReferenceOr::Item(part) => self.collect_fields(part, hint, &part_pointer, props, required),
            }
        }
        self.own_fields(s, hint, pointer, props, required);
    }

    fn fields(&mut self, props: IndexMap<String, FieldSrc<'a>>, required: &[String]) -> TypeKind {
        let idents = names::unique_value_idents(props.keys().map(String::as_str));
        let mut fields = Vec::with_capacity(props.len());
        for ((wire, src), name) in props.into_iter().zip(idents) {
            let child = Hint {
                name: format!("{}{}", src.owner.name, names::type_ident(&wire, "Value")),
                module: src.owner.module.clone(),
            };
            let (ty, nullable) = self.lower(src.schema, &child, &src.pointer);
            let data = match src.schema {
                ReferenceOr::Item(s) => Some(&s.schema_data),
                ReferenceOr::Reference { .. } => None,
            };
            fields.push(Field {
                name,
                required: required.contains(&wire),
                wire,
                ty,
                nullable,
                doc: data.and_then(|d| d.description.clone().or_else(|| d.title.clone())),
                deprecated: data.is_some_and(|d| d.deprecated),
                default: data.and_then(|d| d.default.clone()),
                boxed: false,
            });
        }
        TypeKind::Struct { fields, multipart: false }
    }

    fn enumeration(&mut self, s: &Schema) -> TypeKind {
        let mut ns = Namespace::new();
        ns.claim("Unknown");
        let values = View::of(s)
            .enumeration
            .iter()
            .filter(|v| !v.is_null())
            .map(|v| {
                let value = v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string());
                EnumValue { name: ns.claim(&names::variant_ident(&value)), value }
            })
            .collect();
        TypeKind::Enum { values }
    }

    fn union(&mut self, s: &'a Schema, hint: &Hint, pointer: &str) -> TypeKind {
        let v = View::of(s);
        let members: Vec<(&'a ReferenceOr<Schema>, String)> = v
            .one_of
            .iter()
            .enumerate()
            .map(|(i, x)| (x, join(&join(pointer, "oneOf"), &i.to_string())))
            .chain(v.any_of.iter().enumerate().map(|(i, x)| (x, join(&join(pointer, "anyOf"), &i.to_string()))))
            .filter(|(x, _)| !is_constraint(x))
            .collect();
        let mut ns = Namespace::new();
        ns.claim("Unknown");
        let mut variants = Vec::new();
        for (i, (member, member_pointer)) in members.iter().enumerate() {
            let (ty, _) = self.lower(*member, &hint.child(&format!("Variant{}", i + 1)), member_pointer);
            let label = match &ty {
                TypeRef::Named(id) => {
                    let name = &self.types[*id].name;
                    name.strip_prefix(hint.name.as_str()).filter(|r| !r.is_empty()).unwrap_or(name).to_owned()
                }
                other => scalar_label(other).to_owned(),
            };
            variants.push(Variant { name: ns.claim(&label), tags: Vec::new(), ty, boxed: false });
        }
        if let Some(discriminator) = v.discriminator() {
            for ((member, member_pointer), variant) in members.iter().zip(&mut variants) {
                let reference = match member {
                    ReferenceOr::Reference { reference } => Some(reference.as_str()),
                    ReferenceOr::Item(_) => None,
                };
                variant.tags = discriminator
                    .mapping
                    .iter()
                    .filter(|(_, target)| {
                        reference.is_some_and(|r| *target == r || r.rsplit('/').next() == Some(target.as_str()))
                    })
                    .map(|(value, _)| value.clone())
                    .collect();
                if variant.tags.is_empty() {
                    variant.tags = self.const_tag(member, &discriminator.property_name).into_iter().collect();
                }
                if variant.tags.is_empty() {
                    if let Some(r) = reference.and_then(|r| r.strip_prefix("#/components/schemas/")) {
                        variant.tags.push(r.to_owned());
                    }
                }
                if variant.tags.is_empty() {
                    self.error(
                        member_pointer,
                        format!("no value of discriminator `{}` selects this variant", discriminator.property_name),
                    );
                }
            }
            return TypeKind::Tagged { property: discriminator.property_name.clone(), variants };
        }
        if let Some(property) = self.implicit_tag(&members) {
            for ((member, _), variant) in members.iter().zip(&mut variants) {
                variant.tags = self.const_tag(member, &property).into_iter().collect();
            }
            return TypeKind::Tagged { property, variants };
        }
        TypeKind::Untagged { variants }
    }

    /// The single value a variant's `property` may have (`object: {enum: [token]}`).
    fn const_tag(&self, member: &'a ReferenceOr<Schema>, property: &str) -> Option<String> {
        let (schema, _) = match member {
            ReferenceOr::Reference { reference } => self.component_schema(reference)?,
            ReferenceOr::Item(s) => (s, String::new()),
        };
        let v = View::of(schema);
        let prop = v.properties?.get(property)?;
        let prop = match prop {
            ReferenceOr::Item(p) => p.as_ref(),
            ReferenceOr::Reference { reference } => self.component_schema(reference)?.0,
        };
        match View::of(prop).enumeration.as_slice() {
            [Value::String(s)] => Some(s.clone()),
            _ => None,
        }
    }

    /// A property every variant requires with a distinct constant value: the union is
    /// tagged by it even without a `discriminator` (e.g. `SessionRefresh`).
    fn implicit_tag(&self, members: &[(&'a ReferenceOr<Schema>, String)]) -> Option<String> {
        if members.len() < 2 {
            return None;
        }
        let (first, _) = match members[0].0 {
            ReferenceOr::Reference { reference } => self.component_schema(reference)?,
            ReferenceOr::Item(s) => (s, String::new()),
        };
        let first = View::of(first);
        'candidates: for property in first.required {
            let mut seen = HashSet::new();
            for (member, _) in members {
                let schema = match member {
                    ReferenceOr::Reference { reference } => self.component_schema(reference)?.0,
                    ReferenceOr::Item(s) => s,
                };
                let required = View::of(schema).required.contains(property);
                match self.const_tag(member, property) {
                    Some(tag) if required && !seen.contains(&tag) => {
                        seen.insert(tag);
                    }
                    _ => continue 'candidates,
                }
            }
            return Some(property.clone());
        }
        None
    }

    fn example(&mut self, s: &Schema, pointer: &str, ty: TypeRef) {
        if let Some(value) = &s.schema_data.example {
            if ty != TypeRef::File {
                self.examples.push(Example {
                    pointer: join(pointer, "example"),
                    ty,
                    nullable: s.schema_data.nullable,
                    value: value.clone(),
                });
            }
        }
    }

    // ---- responses and operations ----------------------------------------------------

    fn component_responses(&mut self) {
        let Some(components) = self.spec.api.components.as_ref() else { return };
        for (name, response) in &components.responses {
            let pointer = join("/components/responses", name);
            let ReferenceOr::Item(response) = response else { continue };
            let mut type_name = names::type_ident(name, "Response");
            if self.type_names.contains(&type_name) {
                type_name.push_str("Response");
            }
            let hint = Hint { name: type_name, module: "responses".to_owned() };
            let body = self.response_body(&response.content, &hint, &pointer);
            self.responses.insert(name.clone(), body);
        }
    }

    fn response_body(&mut self, content: &'a IndexMap<String, MediaType>, hint: &Hint, pointer: &str) -> ResponseBody {
        let content_pointer = join(pointer, "content");
        match pick_media(content) {
            None => ResponseBody::Empty,
            Some((media, MediaKind::Json)) => {
                let media_pointer = join(&content_pointer, media);
                let m = &content[media];
                let ty = match &m.schema {
                    Some(schema) => self.lower(schema, hint, &join(&media_pointer, "schema")),
                    None => (TypeRef::Json, false),
                };
                self.media_examples(m, &media_pointer, &ty);
                ResponseBody::Json(ty.0)
            }
            Some(_) => ResponseBody::Text,
        }
    }

    fn media_examples(&mut self, m: &MediaType, pointer: &str, (ty, nullable): &(TypeRef, bool)) {
        if let Some(value) = &m.example {
            self.examples.push(Example {
                pointer: join(pointer, "example"),
                ty: ty.clone(),
                nullable: *nullable,
                value: value.clone(),
            });
        }
        for (name, example) in &m.examples {
            if let ReferenceOr::Item(example) = example {
                if let Some(value) = &example.value {
                    self.examples.push(Example {
                        pointer: join(&join(&join(pointer, "examples"), name), "value"),
                        ty: ty.clone(),
                        nullable: *nullable,
                        value: value.clone(),
                    });
                }
            }
        }
    }

    fn operations(&mut self) {
        let spec = self.spec;
        let mut methods = Namespace::new();
        let mut ids = HashSet::new();
        for (path, item) in spec.api.paths.iter() {
            let path_pointer = join("/paths", path);
            let item = match item {
                ReferenceOr::Item(item) => item,
                ReferenceOr::Reference { .. } => {
                    self.error(&path_pointer, "path item references are not supported");
                    continue;
                }
            };
            for (method, op) in item.iter() {
                let pointer = join(&path_pointer, method);
                let id = op.operation_id.clone().unwrap_or_else(|| format!("{method} {path}"));
                if !ids.insert(id.clone()) {
                    self.error(&join(&pointer, "operationId"), format!("duplicate operationId `{id}`"));
                    continue;
                }
                let name = methods.claim(&names::value_ident(&id, "operation"));
                let operation = self.operation(Located { item, op, path, method, pointer }, id, name);
                self.operations.push(operation);
            }
        }
    }

    /// Lowers one operation, its parameters, body and success response.
    fn operation(&mut self, at: Located<'a>, id: String, name: String) -> Operation {
        let Located { item, op, path, method, pointer } = at;
        let tag = op.tags.first().cloned().unwrap_or_else(|| "Default".to_owned());
        let group = names::value_ident(&tag, "default").trim_start_matches("r#").to_owned();
        let type_base = names::type_ident(&id, "Operation");
        let hint = Hint { name: type_base, module: format!("operations/{group}") };
        let params = self.operation_params(item, op, &join("/paths", path), &pointer);
        let idents = names::unique_value_idents(params.iter().map(|(p, _)| p.parameter_data_ref().name.as_str()));
        let params = params.into_iter().zip(idents).filter_map(|((p, at), name)| self.param(p, &at, name, &hint));
        let params = params.collect();
        let body = op.request_body.as_ref().and_then(|b| self.request_body(b, &hint, &join(&pointer, "requestBody")));
        let response = self.success(&op.responses, &hint, &join(&pointer, "responses"));
        Operation {
            name,
            id,
            group,
            tag,
            method: method.to_ascii_uppercase(),
            path: path.to_owned(),
            summary: op.summary.clone(),
            description: op.description.clone(),
            deprecated: op.deprecated,
            params,
            body,
            response,
            no_auth: op.security.as_ref().is_some_and(|s| s.is_empty()),
            pointer,
            pagination: None,
        }
    }

    /// The parameters of an operation with those of its path item, an operation's own
    /// winning over a path item's of the same name and location; each with its pointer.
    fn operation_params(
        &mut self,
        item: &'a openapiv3::PathItem,
        op: &'a openapiv3::Operation,
        path_pointer: &str,
        pointer: &str,
    ) -> Vec<(&'a Parameter, String)> {
        let mut params: Vec<(&Parameter, String)> = Vec::new();
        for (list, list_pointer) in
            [(&item.parameters, join(path_pointer, "parameters")), (&op.parameters, join(pointer, "parameters"))]
        {
            for (i, p) in list.iter().enumerate() {
                if let Some((param, at)) = self.parameter(p, &join(&list_pointer, &i.to_string())) {
                    let key = (param.parameter_data_ref().name.as_str(), location(param));
                    params.retain(|(q, _)| (q.parameter_data_ref().name.as_str(), location(q)) != key);
                    params.push((param, at));
                }
            }
        }
        params
    }

    /// Lowers one parameter named `name` in Rust; cookie parameters are refused.
    fn param(&mut self, param: &'a Parameter, at: &str, name: String, hint: &Hint) -> Option<Param> {
        let data = param.parameter_data_ref();
        if location(param) == ParamLocation::Cookie {
            self.error(at, "cookie parameters are not supported");
            return None;
        }
        let (ty, nullable) = match &data.format {
            ParameterSchemaOrContent::Schema(schema) => {
                self.lower(schema, &hint.child(&data.name), &join(at, "schema"))
            }
            ParameterSchemaOrContent::Content(_) => (TypeRef::String, false),
        };
        let default = match &data.format {
            ParameterSchemaOrContent::Schema(ReferenceOr::Item(s)) => s.schema_data.default.clone(),
            _ => None,
        };
        let explode = match param {
            Parameter::Query { style: QueryStyle::Form, .. } | Parameter::Cookie { .. } => data.explode.unwrap_or(true),
            _ => data.explode.unwrap_or(false),
        };
        let raw = &self.spec.raw;
        let sample = data
            .required
            .then(|| raw.pointer(&join(at, "schema")))
            .flatten()
            .and_then(|schema| super::sample::sample(raw, schema));
        Some(Param {
            sample,
            wire: data.name.clone(),
            name,
            location: location(param),
            required: data.required,
            nullable,
            ty,
            explode,
            doc: data.description.clone(),
            deprecated: data.deprecated.unwrap_or(false),
            default,
        })
    }

    /// Webhook events: each `x-webhooks` entry's body is the event envelope, and its payload
    /// property ([`crate::clerk::WEBHOOK_PAYLOAD`], on the schema or one of its `allOf` parts)
    /// is the payload type.
    fn events(&mut self) {
        let spec = self.spec;
        let mut variants = Namespace::new();
        variants.claim("Unknown");
        for (name, item) in &spec.webhooks {
            let pointer = join("/x-webhooks", name);
            let Some(op) = item.post.as_ref() else { continue };
            let Some(ReferenceOr::Item(body)) = op.request_body.as_ref() else { continue };
            let Some((media, _)) = pick_media(&body.content) else { continue };
            let Some(ReferenceOr::Item(schema)) = body.content[media].schema.as_ref() else { continue };
            let schema_pointer =
                join(&join(&join(&join(&join(&pointer, "post"), "requestBody"), "content"), media), "schema");
            let variant = variants.claim(&names::type_ident(name, "Event"));
            let hint = Hint { name: format!("{variant}Data"), module: "events".to_owned() };
            let view = View::of(schema);
            let payload = crate::clerk::WEBHOOK_PAYLOAD;
            let own = view
                .properties
                .and_then(|p| p.get(payload))
                .map(|d| (d, join(&join(&schema_pointer, "properties"), payload)));
            let from_parts = view.all_of.iter().enumerate().find_map(|(i, part)| match part {
                ReferenceOr::Item(part) => View::of(part).properties.and_then(|p| p.get(payload)).map(|d| {
                    (d, join(&join(&join(&join(&schema_pointer, "allOf"), &i.to_string()), "properties"), payload))
                }),
                ReferenceOr::Reference { .. } => None,
            });
            let data = match own.or(from_parts) {
                Some((data, data_pointer)) => self.lower(data, &hint, &data_pointer).0,
                None => TypeRef::Json,
            };
            self.events.push(Event {
                name: name.clone(),
                variant,
                data,
                doc: op.description.clone().or(op.summary.clone()),
            });
        }
    }

    fn parameter(&mut self, p: &'a ReferenceOr<Parameter>, pointer: &str) -> Option<(&'a Parameter, String)> {
        match p {
            ReferenceOr::Item(p) => Some((p, pointer.to_owned())),
            ReferenceOr::Reference { reference } => {
                let name = reference.strip_prefix("#/components/parameters/");
                let found = name.and_then(|n| {
                    self.spec.api.components.as_ref()?.parameters.get(n).map(|p| (p, join("/components/parameters", n)))
                });
                match found {
                    Some((ReferenceOr::Item(p), at)) => Some((p, at)),
                    _ => {
                        self.error(
                            pointer,
                            format!("`$ref: {reference}` does not name a parameter in #/components/parameters"),
                        );
                        None
                    }
                }
            }
        }
    }

    fn request_body(&mut self, body: &'a ReferenceOr<RequestBody>, hint: &Hint, pointer: &str) -> Option<Body> {
        let (body, pointer): (&'a RequestBody, String) = match body {
            ReferenceOr::Item(b) => (b, pointer.to_owned()),
            ReferenceOr::Reference { reference } => {
                let name = reference.strip_prefix("#/components/requestBodies/");
                match name.and_then(|n| self.spec.api.components.as_ref()?.request_bodies.get(n).map(|b| (b, n))) {
                    Some((ReferenceOr::Item(b), n)) => (b, join("/components/requestBodies", n)),
                    _ => {
                        self.error(pointer, format!("`$ref: {reference}` does not name a request body"));
                        return None;
                    }
                }
            }
        };
        let (media, kind) = pick_media(&body.content)?;
        let media_pointer = join(&join(&pointer, "content"), media);
        let m = &body.content[media];
        let hint = hint.child("Request");
        let lowered = match &m.schema {
            Some(schema) => self.lower(schema, &hint, &join(&media_pointer, "schema")),
            None => (TypeRef::Json, false),
        };
        self.media_examples(m, &media_pointer, &lowered);
        let media = match kind {
            MediaKind::Json => BodyMedia::Json,
            MediaKind::Multipart => BodyMedia::Multipart,
            MediaKind::Form => BodyMedia::Form,
            MediaKind::Other => {
                self.error(&media_pointer, format!("request bodies of type `{media}` are not supported"));
                return None;
            }
        };
        if media == BodyMedia::Multipart {
            if let TypeRef::Named(id) = lowered.0 {
                if let TypeKind::Struct { multipart, .. } = &mut self.types[id].kind {
                    *multipart = true;
                }
            }
        }
        let sample = self
            .spec
            .raw
            .pointer(&join(&media_pointer, "schema"))
            .and_then(|schema| super::sample::sample(&self.spec.raw, schema));
        Some(Body { ty: lowered.0, required: body.required, media, sample })
    }

    fn success(&mut self, responses: &'a openapiv3::Responses, hint: &Hint, pointer: &str) -> Response {
        let chosen = responses
            .responses
            .iter()
            .filter_map(|(code, r)| match code {
                StatusCode::Code(c) if (200..300).contains(c) => Some((*c, code, r)),
                StatusCode::Range(2) => Some((299, code, r)),
                _ => None,
            })
            .min_by_key(|(c, ..)| *c);
        let Some((status, code, response)) = chosen else {
            return Response { status: 200, body: ResponseBody::Empty };
        };
        let status = if status == 299 { 200 } else { status };
        let pointer = join(pointer, &code.to_string());
        let body = match response {
            ReferenceOr::Reference { reference } => {
                let name = reference.strip_prefix("#/components/responses/").unwrap_or_default();
                match self.responses.get(name) {
                    Some(body) => body.clone(),
                    None => {
                        self.error(
                            &pointer,
                            format!("`$ref: {reference}` does not name a response in #/components/responses"),
                        );
                        ResponseBody::Empty
                    }
                }
            }
            ReferenceOr::Item(r) => self.response_body(&r.content, &hint.child("Response"), &pointer),
        };
        Response { status, body }
    }
}

fn retry_spec(raw: &Value) -> Option<RetrySpec> {
    let backoff = raw.get("x-speakeasy-retries")?.get("backoff")?;
    let ms = |key: &str| backoff.get(key).and_then(Value::as_u64);
    Some(RetrySpec {
        initial_ms: ms("initialInterval")?,
        max_interval_ms: ms("maxInterval")?,
        exponent: backoff.get("exponent").and_then(Value::as_f64)?,
        max_elapsed_ms: ms("maxElapsedTime")?,
    })
}

fn location(p: &Parameter) -> ParamLocation {
    match p {
        Parameter::Query { .. } => ParamLocation::Query,
        Parameter::Header { .. } => ParamLocation::Header,
        Parameter::Path { .. } => ParamLocation::Path,
        Parameter::Cookie { .. } => ParamLocation::Cookie,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum MediaKind {
    Json,
    Multipart,
    Form,
    Other,
}

fn pick_media(content: &IndexMap<String, MediaType>) -> Option<(&str, MediaKind)> {
    let kind = |m: &str| {
        let m = m.split(';').next().unwrap_or(m).trim().to_ascii_lowercase();
        if m == "application/json" || m.ends_with("+json") || m == "*/*" {
            MediaKind::Json
        } else if m == "multipart/form-data" {
            MediaKind::Multipart
        } else if m == "application/x-www-form-urlencoded" {
            MediaKind::Form
        } else {
            MediaKind::Other
        }
    };
    content.keys().map(|m| (m.as_str(), kind(m))).min_by_key(|(_, k)| match k {
        MediaKind::Json => 0,
        MediaKind::Multipart => 1,
        MediaKind::Form => 2,
        MediaKind::Other => 3,
    })
}

fn integer(v: &View<'_>) -> TypeRef {
    TypeRef::Integer { bits: if v.format.as_deref() == Some("int32") { 32 } else { 64 } }
}

fn is_constraint(s: &ReferenceOr<Schema>) -> bool {
    matches!(s, ReferenceOr::Item(s) if View::of(s).is_constraint_only())
}

fn scalar_label(t: &TypeRef) -> &'static str {
    match t {
        TypeRef::String => "String",
        TypeRef::Integer { .. } => "Integer",
        TypeRef::Number => "Number",
        TypeRef::Boolean => "Boolean",
        TypeRef::Array(_) => "Array",
        TypeRef::Map(_) | TypeRef::JsonObject => "Object",
        TypeRef::File => "File",
        TypeRef::Json | TypeRef::Named(_) => "Value",
    }
}

/// File names: `snake_case` of the type name, never a keyword.
fn module_ident(type_name: &str) -> String {
    let name = names::value_ident(type_name, "schema");
    match name.strip_prefix("r#") {
        Some(keyword) => format!("{keyword}_"),
        None => name,
    }
}

/// Identical inline schemas (ignoring examples) share one type.
fn dedup_key(s: &Schema) -> Option<String> {
    let mut value = serde_json::to_value(s).ok()?;
    strip_examples(&mut value);
    serde_json::to_string(&value).ok()
}

fn strip_examples(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.shift_remove("example");
            map.values_mut().for_each(strip_examples);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_examples),
        _ => {}
    }
}

fn mark_usage(api: &mut Api) {
    let mut request = Vec::new();
    let mut response: Vec<TypeId> =
        (0..api.types.len()).filter(|&i| api.types[i].pointer.starts_with("/components/")).collect();
    for op in &api.operations {
        op.params.iter().for_each(|p| p.ty.refs(&mut request));
        if let Some(body) = &op.body {
            body.ty.refs(&mut request);
        }
        if let ResponseBody::Json(t) = &op.response.body {
            t.refs(&mut response);
        }
    }
    for (roots, is_request) in [(request, true), (response, false)] {
        let mut stack = roots;
        while let Some(id) = stack.pop() {
            let t = &mut api.types[id];
            let flag = if is_request { &mut t.in_request } else { &mut t.in_response };
            if !*flag {
                *flag = true;
                stack.extend(t.kind.refs());
            }
        }
    }
    // Inline types no operation reaches (e.g. under an unused response) are response types.
    for t in &mut api.types {
        if !t.in_request && !t.in_response {
            t.in_response = true;
        }
    }
}
