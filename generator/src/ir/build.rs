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
use crate::load::{Spec, refs};
use crate::names::{self, Namespace};

/// How many references to references are followed before a chain is taken for a loop.
const MAX_REF_CHAIN: usize = 32;

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
    let Builder { types, operations, examples, errors, events, warnings, .. } = b;
    let mut all_warnings = spec.warnings.clone();
    if !warnings.is_empty() {
        all_warnings.extend(spec.errors(warnings).0);
    }
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
        warnings: all_warnings,
    };
    let mut errors = errors;
    mark_usage(&mut api);
    loosen_request_objects(&mut api);
    super::usage::record(&mut api);
    if let Err(e) = super::cycles::mark_boxes(&mut api) {
        errors.push(e);
    }
    for i in 0..api.operations.len() {
        api.operations[i].envelope_switch = crate::clerk::envelope_switch(&api, &api.operations[i]);
        api.operations[i].pagination = crate::clerk::pagination(&api, &api.operations[i]);
    }
    super::setters::assign(&mut api);
    super::gates::split_by_reach(&mut api);
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
    /// What each schema a reference names by pointer (not by component name) lowered to.
    targets: HashMap<String, (TypeRef, bool)>,
    /// The pointer targets being lowered, innermost last: one met again is a loop.
    resolving: Vec<String>,
    responses: HashMap<String, (ResponseBody, Option<MediaChoice>)>,
    operations: Vec<Operation>,
    examples: Vec<Example>,
    errors: Vec<Diagnostic>,
    /// What was read loosely, for the user to know.
    warnings: Vec<Diagnostic>,
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
        Builder {
            spec,
            types: Vec::new(),
            type_names: Namespace::new(),
            modules,
            components: HashMap::new(),
            nullable_components: HashSet::new(),
            dedup: HashMap::new(),
            targets: HashMap::new(),
            resolving: Vec::new(),
            responses: HashMap::new(),
            operations: Vec::new(),
            examples: Vec::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
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
        let sample = self.spec.raw.pointer(pointer).and_then(|raw| super::sample::sample(&self.spec.raw, raw));
        self.types.push(TypeDef {
            name,
            pointer: pointer.to_owned(),
            module: module.to_owned(),
            doc: data.and_then(|d| d.description.clone().or_else(|| d.title.clone())),
            deprecated: data.is_some_and(|d| d.deprecated),
            kind: TypeKind::Alias { target: TypeRef::Json, nullable: false },
            in_request: false,
            in_response: false,
            uses: Vec::new(),
            sample,
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
                    let (target, _) = self.resolve_ref(reference, &pointer);
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

    /// The type a schema `$ref` at `pointer` names, and whether it is nullable: a component
    /// by name, or any other schema in the document by JSON pointer.
    fn resolve_ref(&mut self, reference: &str, pointer: &str) -> (TypeRef, bool) {
        let Some(target) = refs::pointer_of(reference) else {
            self.error(pointer, format!("`$ref: {reference}`: references to other files are not supported"));
            return (TypeRef::Json, false);
        };
        if let Some(name) = refs::component_name(&target, "schemas") {
            if let Some(&id) = self.components.get(name.as_str()) {
                return (TypeRef::Named(id), self.nullable_components.contains(&id));
            }
        } else if let Some(found) = self.targets.get(&target) {
            return found.clone();
        } else if let Some(schema) = self.spec.targets.get(&target) {
            if self.resolving.contains(&target) {
                self.error(
                    pointer,
                    format!("`$ref: {reference}`: this schema refers to itself through references alone"),
                );
                return (TypeRef::Json, false);
            }
            self.resolving.push(target.clone());
            let hint = self.target_hint(&target);
            let lowered = self.lower(schema, &hint, &target);
            self.resolving.pop();
            self.targets.insert(target, lowered.clone());
            return lowered;
        }
        self.error(pointer, format!("`$ref: {reference}` points to a schema that does not exist"));
        (TypeRef::Json, false)
    }

    /// The name and module of what a pointer target becomes, from where it is: below a
    /// component, the component's name followed by the property names on the way
    /// (`Tag`'s `allOf/0` is `TagPart1`); elsewhere, every step of the pointer.
    fn target_hint(&mut self, target: &str) -> Hint {
        let steps = crate::error::split(target);
        let component = match steps.as_slice() {
            [c, s, name, ..] if c == "components" && s == "schemas" => self.components.get(name.as_str()).copied(),
            _ => None,
        };
        let (base, rest) = match component {
            Some(id) => (self.types[id].name.clone(), &steps[3..]),
            None => (String::new(), &steps[..]),
        };
        let mut name = base;
        let mut rest = rest.iter().peekable();
        while let Some(step) = rest.next() {
            let index = rest.peek().and_then(|i| i.parse::<usize>().ok()).map_or(1, |i| i + 1);
            match step.as_str() {
                "properties" | "$defs" | "definitions" | "schema" | "content" | "components" | "schemas" | "paths" => {}
                "items" => name.push_str("Item"),
                "additionalProperties" => name.push_str("Value"),
                "allOf" => name.push_str(&format!("Part{index}")),
                "oneOf" | "anyOf" => name.push_str(&format!("Variant{index}")),
                step if step.parse::<usize>().is_ok() => {}
                step => name.push_str(&names::type_ident(step, "")),
            }
        }
        let name = names::type_ident(&name, "Schema");
        let module = match component {
            Some(id) => self.types[id].module.clone(),
            None => self.modules.claim(&module_ident(&name)),
        };
        Hint { name, module }
    }

    /// The schema a reference names (following references to references), with its pointer.
    fn referenced_schema(&self, reference: &str) -> Option<(&'a Schema, String)> {
        let spec: &'a Spec = self.spec;
        let mut reference = reference;
        for _ in 0..MAX_REF_CHAIN {
            let target = refs::pointer_of(reference)?;
            let found = match refs::component_name(&target, "schemas") {
                Some(name) => spec.api.components.as_ref()?.schemas.get(&name)?,
                None => spec.targets.get(&target)?,
            };
            match found {
                ReferenceOr::Item(s) => return Some((s, target)),
                ReferenceOr::Reference { reference: next } => reference = next,
            }
        }
        None
    }

    /// The hint inline types below a referenced schema are named after.
    fn referenced_hint(&mut self, reference: &str) -> Option<Hint> {
        let target = refs::pointer_of(reference)?;
        match refs::component_name(&target, "schemas") {
            Some(name) => {
                let &id = self.components.get(name.as_str())?;
                Some(Hint { name: self.types[id].name.clone(), module: self.types[id].module.clone() })
            }
            None => Some(self.target_hint(&target)),
        }
    }

    // ---- schemas ---------------------------------------------------------------------

    /// Lowers a schema in a position (field, item, parameter, body) to a type reference
    /// and whether it is nullable. Inline objects, enums and unions become named types.
    fn lower<T: SchemaLike + 'a>(&mut self, schema: &'a ReferenceOr<T>, hint: &Hint, pointer: &str) -> (TypeRef, bool) {
        match as_schema(schema) {
            SchemaRef::Ref(reference) => self.resolve_ref(reference, pointer),
            SchemaRef::Item(s) => {
                let lowered = self.lower_item(s, hint, pointer);
                self.example(s, pointer, lowered.0.clone());
                lowered
            }
        }
    }

    fn lower_item(&mut self, s: &'a Schema, hint: &Hint, pointer: &str) -> (TypeRef, bool) {
        // `allOf: [{$ref: X}, {nullable: true}]` is how 3.0 documents make a reference nullable.
        let annotated_null = View::of(s).all_of.iter().any(
            |part| matches!(part, ReferenceOr::Item(p) if p.schema_data.nullable && View::of(p).is_annotation_only()),
        );
        let nullable = s.schema_data.nullable || annotated_null;
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
                // A reference by pointer may have lowered this very schema already.
                if let Some(found) = self.targets.get(pointer) {
                    return found.clone();
                }
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
                let lowered = (TypeRef::Named(id), nullable || self.enum_has_null(s));
                self.targets.insert(pointer.to_owned(), lowered.clone());
                self.types[id].kind = match self.shape(s, &own, pointer) {
                    Shape::Named(kind) => kind,
                    Shape::Alias(target, _) => TypeKind::Alias { target, nullable: false },
                };
                lowered
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
            return match plain.then(|| self.all_of_without_object(&v)).flatten() {
                Some(class) => class,
                None => Class::Merge,
            };
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

    /// An `allOf` that merges no object: one part that gives a shape, next to parts that only
    /// annotate it (`{nullable: true}`), is that part; parts that are all one scalar kind are
    /// that scalar (the narrowest integer; their constraints are documentation); scalars of different kinds, which no
    /// value satisfies, are any JSON. `None` when a part is (or may be) an object, or a
    /// `required` list asks for properties: the parts are merged.
    fn all_of_without_object(&self, v: &View<'a>) -> Option<Class<'a>> {
        let annotation =
            |part: &ReferenceOr<Schema>| matches!(part, ReferenceOr::Item(s) if View::of(s).is_annotation_only());
        if v.all_of.iter().any(|part| matches!(part, ReferenceOr::Item(s) if !View::of(s).required.is_empty())) {
            return None;
        }
        let shaped: Vec<(usize, &'a ReferenceOr<Schema>)> =
            v.all_of.iter().enumerate().filter(|(_, part)| !annotation(part)).collect();
        if let [(index, only)] = shaped[..] {
            return Some(Class::Wrapper(only, "allOf", index));
        }
        let mut kinds = shaped.iter().map(|(_, part)| match part {
            ReferenceOr::Reference { reference } => {
                self.referenced_schema(reference).and_then(|(s, _)| plain_scalar(s))
            }
            ReferenceOr::Item(s) => plain_scalar(s),
        });
        let first = kinds.next()??;
        kinds
            .try_fold(first, |seen, next| match (seen, next?) {
                (TypeRef::Integer { bits: a }, TypeRef::Integer { bits: b }) => {
                    Some(TypeRef::Integer { bits: a.min(b) })
                }
                (seen, next) if seen == next => Some(seen),
                _ => Some(TypeRef::Json),
            })
            .map(Class::Plain)
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
                    let Some((target, target_pointer)) = self.referenced_schema(reference) else {
                        self.resolve_ref(reference, &part_pointer);
                        continue;
                    };
                    let owner = self.referenced_hint(reference);
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
                constraints: self
                    .spec
                    .raw
                    .pointer(&src.pointer)
                    .map_or_else(Constraints::default, |schema| Constraints::of(&self.spec.raw, schema)),
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
                TypeRef::Named(id) => variant_label(&self.types[*id].name, &hint.name).to_owned(),
                other => scalar_label(other).to_owned(),
            };
            variants.push(Variant {
                name: ns.claim(&label),
                tags: Vec::new(),
                ty,
                boxed: false,
                constants: Vec::new(),
                demands: 0,
            });
        }
        // `anyOf` of two string patterns: every value reads as the first, so the union is
        // that one plain type.
        if let [first, rest @ ..] = &variants[..]
            && !rest.is_empty()
            && !matches!(first.ty, TypeRef::Named(_))
            && rest.iter().all(|other| other.ty == first.ty)
        {
            return TypeKind::Alias { target: first.ty.clone(), nullable: false };
        }
        if let Some(discriminator) = v.discriminator() {
            let (mut selected, mut kept) = (Vec::new(), Vec::new());
            for ((member, member_pointer), mut variant) in members.iter().zip(variants) {
                let reference = member_ref(member);
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
                    let message = format!(
                        "no value of discriminator `{}` selects this variant: it is left out (such values decode as \
                         `Unknown`)",
                        discriminator.property_name
                    );
                    self.warnings.push(Diagnostic::at(member_pointer, message));
                } else {
                    selected.push(variant);
                    kept.push((*member, member_pointer.clone()));
                }
            }
            let property = &discriminator.property_name;
            if let Some(tag) = repeated_tag(&selected) {
                let message = format!(
                    "discriminator `{property}` value `{tag}` selects several variants: the union is read by trying \
                     each variant in turn"
                );
                self.warnings.push(Diagnostic::at(pointer, message));
                selected.iter_mut().for_each(|v| v.tags.clear());
                return self.untagged(&kept, selected);
            }
            return TypeKind::Tagged { property: property.clone(), variants: selected };
        }
        if let Some(property) = self.implicit_tag(&members) {
            for ((member, _), variant) in members.iter().zip(&mut variants) {
                variant.tags = self.const_tag(member, &property).into_iter().collect();
            }
            return TypeKind::Tagged { property, variants };
        }
        self.untagged(&members, variants)
    }

    /// An untagged union of `variants` (one per member), each with the constant properties
    /// its member requires, to pick it by.
    fn untagged(&self, members: &[(&'a ReferenceOr<Schema>, String)], mut variants: Vec<Variant>) -> TypeKind {
        for ((member, _), variant) in members.iter().zip(&mut variants) {
            let Some(schema) = self.member_schema(member) else { continue };
            let required = View::of(schema).required;
            variant.demands = required.len();
            variant.constants = required.iter().filter_map(|p| Some((p.clone(), self.const_tag(member, p)?))).collect();
        }
        TypeKind::Untagged { variants }
    }

    /// The single value a variant's `property` may have (`object: {enum: [token]}`).
    fn const_tag(&self, member: &'a ReferenceOr<Schema>, property: &str) -> Option<String> {
        let prop = self.property(self.member_schema(member)?, property, 0)?;
        let prop = match prop {
            ReferenceOr::Item(p) => p.as_ref(),
            ReferenceOr::Reference { reference } => self.referenced_schema(reference)?.0,
        };
        match View::of(prop).enumeration.as_slice() {
            [Value::String(s)] => Some(s.clone()),
            _ => None,
        }
    }

    /// A property of a schema: its own, else one of an `allOf` part (the last part that
    /// has it, as merging keeps).
    fn property(&self, schema: &'a Schema, property: &str, depth: usize) -> Option<&'a ReferenceOr<Box<Schema>>> {
        let v = View::of(schema);
        if let Some(own) = v.properties.and_then(|p| p.get(property)) {
            return Some(own);
        }
        if depth >= MAX_REF_CHAIN {
            return None;
        }
        v.all_of.iter().rev().find_map(|part| {
            let part = match part {
                ReferenceOr::Item(s) => s,
                ReferenceOr::Reference { reference } => self.referenced_schema(reference)?.0,
            };
            self.property(part, property, depth + 1)
        })
    }

    /// The schema of a union member: what it refers to (through a wrapper that only adds
    /// documentation), or itself.
    fn member_schema(&self, member: &'a ReferenceOr<Schema>) -> Option<&'a Schema> {
        match (member_ref(member), member) {
            (Some(reference), _) => self.referenced_schema(reference).map(|(s, _)| s),
            (None, ReferenceOr::Item(s)) => Some(s),
            (None, ReferenceOr::Reference { .. }) => None,
        }
    }

    /// A property every variant requires with a distinct constant value: the union is
    /// tagged by it even without a `discriminator` (e.g. `SessionRefresh`).
    fn implicit_tag(&self, members: &[(&'a ReferenceOr<Schema>, String)]) -> Option<String> {
        if members.len() < 2 {
            return None;
        }
        let first = View::of(self.member_schema(members[0].0)?);
        'candidates: for property in first.required {
            let mut seen = HashSet::new();
            for (member, _) in members {
                let required = View::of(self.member_schema(member)?).required.contains(property);
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
            // A module each, as a component schema has: a module's feature gate covers every
            // group that reaches any of its types, so one shared module would turn on, for
            // any group, the models of every response.
            let module = self.modules.claim(&module_ident(&type_name));
            let hint = Hint { name: type_name, module };
            let body = self.response_body(&response.content, &hint, &pointer);
            self.responses.insert(name.clone(), body);
        }
    }

    /// The body of a response with `content`, and its media type.
    fn response_body(
        &mut self,
        content: &'a IndexMap<String, MediaType>,
        hint: &Hint,
        pointer: &str,
    ) -> (ResponseBody, Option<MediaChoice>) {
        let Some((media, kind)) = pick_media(content) else { return (ResponseBody::Empty, None) };
        let choice = Some(media_choice(content, media, kind));
        let body = match kind {
            MediaKind::Json => {
                let media_pointer = join(&join(pointer, "content"), media);
                let m = &content[media];
                let ty = match &m.schema {
                    Some(schema) => self.lower(schema, hint, &join(&media_pointer, "schema")),
                    None => (TypeRef::Json, false),
                };
                self.media_examples(m, &media_pointer, &ty);
                ResponseBody::Json(ty.0)
            }
            MediaKind::Binary => ResponseBody::Binary,
            MediaKind::Multipart | MediaKind::Form | MediaKind::Text => ResponseBody::Text,
        };
        (body, choice)
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
            envelope_switch: None,
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
        let constraints =
            raw.pointer(&join(at, "schema")).map_or_else(Constraints::default, |schema| Constraints::of(raw, schema));
        Some(Param {
            constraints,
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
            let (schema, schema_pointer) = match body.content[media].schema.as_ref() {
                Some(ReferenceOr::Item(schema)) => (
                    schema,
                    join(&join(&join(&join(&join(&pointer, "post"), "requestBody"), "content"), media), "schema"),
                ),
                Some(ReferenceOr::Reference { reference }) => {
                    let Some(found) = self.referenced_schema(reference) else { continue };
                    found
                }
                None => continue,
            };
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
        let choice = media_choice(&body.content, media, kind);
        let media_pointer = join(&join(&pointer, "content"), media);
        let m = &body.content[media];
        let schema_pointer = join(&media_pointer, "schema");
        let raw_schema = self.spec.raw.pointer(&schema_pointer);
        let (ty, media, sample) = match kind {
            MediaKind::Text => {
                let sample = raw_schema.and_then(|schema| super::sample::sample(&self.spec.raw, schema));
                let text = sample.filter(Value::is_string).unwrap_or_else(|| Value::from("text"));
                (TypeRef::String, BodyMedia::Text, Some(text))
            }
            MediaKind::Binary => (TypeRef::File, BodyMedia::Binary, None),
            MediaKind::Json | MediaKind::Multipart | MediaKind::Form => {
                let lowered = match &m.schema {
                    Some(schema) => self.lower(schema, &hint.child("Request"), &schema_pointer),
                    None => (TypeRef::Json, false),
                };
                self.media_examples(m, &media_pointer, &lowered);
                let media = match kind {
                    MediaKind::Multipart => BodyMedia::Multipart,
                    MediaKind::Form => BodyMedia::Form,
                    _ => BodyMedia::Json,
                };
                let sample = raw_schema.and_then(|schema| super::sample::sample(&self.spec.raw, schema));
                (lowered.0, media, sample)
            }
        };
        if media == BodyMedia::Multipart {
            if let TypeRef::Named(id) = ty {
                if let TypeKind::Struct { multipart, .. } = &mut self.types[id].kind {
                    *multipart = true;
                }
            }
        }
        Some(Body { ty, required: body.required, media, choice, sample, fields: None })
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
            return Response { status: 200, body: ResponseBody::Empty, choice: None };
        };
        let status = if status == 299 { 200 } else { status };
        let pointer = join(pointer, &code.to_string());
        let (body, choice) = match response {
            ReferenceOr::Reference { reference } => {
                let name = reference.strip_prefix("#/components/responses/").unwrap_or_default();
                match self.responses.get(name) {
                    Some(body) => body.clone(),
                    None => {
                        self.error(
                            &pointer,
                            format!("`$ref: {reference}` does not name a response in #/components/responses"),
                        );
                        (ResponseBody::Empty, None)
                    }
                }
            }
            ReferenceOr::Item(r) => self.response_body(&r.content, &hint.child("Response"), &pointer),
        };
        Response { status, body, choice }
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

/// How a body of one media type is read or written, most structured first: an operation
/// with several media types uses the first kind in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum MediaKind {
    Json,
    Multipart,
    Form,
    Text,
    Binary,
}

/// What a media type is. A wildcard for any type (`*/*`, `application/*`) is JSON for a
/// structured schema, text for a plain string and bytes for a binary string or no schema.
fn media_kind(media: &str, m: &MediaType) -> MediaKind {
    let essence = media.split(';').next().unwrap_or(media).trim().to_ascii_lowercase();
    let (family, subtype) = essence.split_once('/').unwrap_or((essence.as_str(), ""));
    match (family, subtype) {
        ("application", "json") => MediaKind::Json,
        (_, s) if s.ends_with("+json") => MediaKind::Json,
        ("multipart", "form-data") => MediaKind::Multipart,
        ("application", "x-www-form-urlencoded") => MediaKind::Form,
        ("text", _) | ("application", "xml" | "yaml" | "x-yaml") => MediaKind::Text,
        (_, s) if s.ends_with("+xml") => MediaKind::Text,
        ("*" | "application", "*") => match &m.schema {
            None => MediaKind::Binary,
            Some(ReferenceOr::Reference { .. }) => MediaKind::Json,
            Some(ReferenceOr::Item(s)) => {
                let v = View::of(s);
                match v.kind {
                    Kind::String if matches!(v.format.as_deref(), Some("binary")) => MediaKind::Binary,
                    Kind::String => MediaKind::Text,
                    _ => MediaKind::Json,
                }
            }
        },
        _ => MediaKind::Binary,
    }
}

/// The media type a body uses: the first of the most structured kind.
fn pick_media(content: &IndexMap<String, MediaType>) -> Option<(&str, MediaKind)> {
    content.iter().map(|(name, m)| (name.as_str(), media_kind(name, m))).min_by_key(|(_, kind)| *kind)
}

/// The chosen media type, what is sent as `Content-Type` for it, and the others.
fn media_choice(content: &IndexMap<String, MediaType>, media: &str, kind: MediaKind) -> MediaChoice {
    let content_type = if media.contains('*') {
        match kind {
            MediaKind::Json => "application/json",
            MediaKind::Text => "text/plain",
            _ => "application/octet-stream",
        }
        .to_owned()
    } else {
        media.to_owned()
    };
    let others = content.keys().filter(|k| k.as_str() != media).cloned().collect();
    MediaChoice { declared: media.to_owned(), content_type, others }
}

/// A tag value that selects more than one variant.
fn repeated_tag(variants: &[Variant]) -> Option<&str> {
    let mut seen = HashSet::new();
    variants.iter().flat_map(|v| &v.tags).find(|tag| !seen.insert(tag.as_str())).map(String::as_str)
}

/// The reference a union member is, also when written with siblings (`$ref` plus a
/// `title`, which loading turns into `allOf: [$ref]`).
fn member_ref(member: &ReferenceOr<Schema>) -> Option<&str> {
    match member {
        ReferenceOr::Reference { reference } => Some(reference),
        ReferenceOr::Item(s) => {
            let v = View::of(s);
            let wrapper = !v.has_properties() && v.items.is_none() && v.one_of.is_empty() && v.any_of.is_empty();
            match v.all_of {
                [ReferenceOr::Reference { reference }] if wrapper => Some(reference),
                _ => None,
            }
        }
    }
}

fn integer(v: &View<'_>) -> TypeRef {
    TypeRef::Integer { bits: if v.format.as_deref() == Some("int32") { 32 } else { 64 } }
}

/// The scalar a schema is when it is only that: a string, file, integer, number or boolean
/// with no enumeration or composition.
fn plain_scalar(s: &Schema) -> Option<TypeRef> {
    let v = View::of(s);
    let composed = !v.all_of.is_empty() || !v.one_of.is_empty() || !v.any_of.is_empty();
    if composed || !v.enumeration.is_empty() {
        return None;
    }
    match v.kind {
        Kind::String if v.format.as_deref() == Some("binary") => Some(TypeRef::File),
        Kind::String => Some(TypeRef::String),
        Kind::Integer => Some(integer(&v)),
        Kind::Number => Some(TypeRef::Number),
        Kind::Boolean => Some(TypeRef::Boolean),
        _ => None,
    }
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

/// A union variant's name from its type's: without the union's name in front when it is a
/// whole word there (`Tool` + `ToolCustom` is `Custom`; `Toolset` stays `Toolset`).
fn variant_label<'a>(type_name: &'a str, union: &str) -> &'a str {
    let rest = type_name.strip_prefix(union);
    rest.filter(|r| r.starts_with(|c: char| c.is_ascii_uppercase())).unwrap_or(type_name)
}

/// File names: `snake_case` of the type name, never a keyword.
pub(super) fn module_ident(type_name: &str) -> String {
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

/// Free-form object fields of types only requests use hold any JSON value, so a caller
/// passes `json!({…})` as it is; the server answers a value that is not an object with an
/// error. Types a response uses too keep the object type, for reading.
fn loosen_request_objects(api: &mut Api) {
    for t in api.types.iter_mut().filter(|t| t.in_request && !t.in_response) {
        if let TypeKind::Struct { fields, .. } = &mut t.kind {
            fields.iter_mut().filter(|f| f.ty == TypeRef::JsonObject).for_each(|f| f.ty = TypeRef::Json);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::test_api;

    fn content(yaml: &str) -> IndexMap<String, MediaType> {
        serde_json::from_value(crate::load::yaml::parse(yaml).unwrap()).unwrap()
    }

    #[test]
    fn a_variant_drops_the_union_name_only_before_a_word() {
        assert_eq!(variant_label("ToolCustom", "Tool"), "Custom");
        assert_eq!(variant_label("Toolset2026", "Tool"), "Toolset2026", "`set2026` is not a type name");
        assert_eq!(variant_label("Tool2", "Tool"), "Tool2");
        assert_eq!(variant_label("Tool", "Tool"), "Tool");
        assert_eq!(variant_label("Other", "Tool"), "Other");
    }

    #[test]
    fn the_most_structured_media_type_wins_and_the_first_among_equals() {
        let several =
            content("text/plain: {}\napplication/xml: {}\napplication/vnd.api+json: {}\napplication/json: {}\n");
        assert_eq!(pick_media(&several), Some(("application/vnd.api+json", MediaKind::Json)));
        let choice = media_choice(&several, "application/vnd.api+json", MediaKind::Json);
        assert_eq!(choice.others, ["text/plain", "application/xml", "application/json"]);
        assert_eq!(pick_media(&content("application/pdf: {}\ntext/csv: {}\n")), Some(("text/csv", MediaKind::Text)));
        assert_eq!(pick_media(&content("{}")), None);
    }

    #[test]
    fn wildcards_are_read_by_their_schema_and_sent_as_a_concrete_type() {
        let kind = |yaml: &str| pick_media(&content(yaml)).map(|(_, k)| k);
        assert_eq!(kind("'*/*': {}"), Some(MediaKind::Binary));
        assert_eq!(kind("'*/*': {schema: {type: object}}"), Some(MediaKind::Json));
        assert_eq!(kind("'*/*': {schema: {$ref: '#/components/schemas/A'}}"), Some(MediaKind::Json));
        assert_eq!(kind("'application/*': {schema: {type: string}}"), Some(MediaKind::Text));
        assert_eq!(kind("'*/*': {schema: {type: string, format: binary}}"), Some(MediaKind::Binary));
        assert_eq!(kind("'image/*': {schema: {type: object}}"), Some(MediaKind::Binary));
        assert_eq!(kind("'text/*': {}"), Some(MediaKind::Text));
        let wildcard = content("'image/*': {}");
        assert_eq!(media_choice(&wildcard, "image/*", MediaKind::Binary).content_type, "application/octet-stream");
        let declared = content("'text/csv; charset=utf-8': {}");
        let choice = media_choice(&declared, "text/csv; charset=utf-8", MediaKind::Text);
        assert_eq!(choice.content_type, "text/csv; charset=utf-8");
    }

    const POINTERS: &str = r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    Tag:
      allOf:
        - {type: object, properties: {label: {type: string}}}
        - {type: object, properties: {color: {type: string}}}
    Pet:
      type: object
      properties:
        tag: {$ref: '#/components/schemas/Tag/allOf/0'}
        name: {$ref: '#/components/schemas/Pet/properties/nickname'}
        nickname: {type: string}
        owner: {$ref: '#/components/schemas/Pet/$defs/Owner'}
      $defs:
        Owner: {type: object, properties: {id: {type: string}}}
"##;

    #[test]
    fn schemas_named_by_pointer_are_named_after_where_they_are() {
        let api = test_api(POINTERS);
        let pet = api.types.iter().find(|t| t.name == "Pet").unwrap();
        let TypeKind::Struct { fields, .. } = &pet.kind else { panic!("{:?}", pet.kind) };
        let types: Vec<String> = fields
            .iter()
            .map(|f| match &f.ty {
                TypeRef::Named(id) => api.ty(*id).name.clone(),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(types, ["TagPart1", "String", "String", "PetOwner"]);
        let owner = api.types.iter().find(|t| t.name == "PetOwner").unwrap();
        assert_eq!((owner.pointer.as_str(), owner.module.as_str()), ("/components/schemas/Pet/$defs/Owner", "pet"));
    }

    const UNIONS: &str = r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    A: {type: object, required: [type], properties: {type: {type: string, enum: [a]}}}
    B: {type: object, required: [type], properties: {type: {type: string, enum: [a]}}}
    C:
      allOf:
        - $ref: '#/components/schemas/A'
        - {type: object, properties: {type: {type: string, enum: [c]}, c: {type: string}}}
    ByTitledRef:
      oneOf:
        - {$ref: '#/components/schemas/A', title: The A}
        - $ref: '#/components/schemas/C'
      discriminator: {propertyName: type}
    Ambiguous:
      oneOf:
        - $ref: '#/components/schemas/A'
        - $ref: '#/components/schemas/B'
      discriminator: {propertyName: type}
    Param: {oneOf: [{type: string}, {$ref: '#/components/schemas/Param2'}]}
    Param2: {type: object, properties: {id: {type: string}}}
    Key:
      oneOf:
        - $ref: '#/components/schemas/PublicKey'
        - $ref: '#/components/schemas/PrivateKey'
        - {type: object, required: [kty, n], properties: {kty: {type: string, enum: [RSA]}, n: {type: string}}}
        - {type: object, properties: {note: {type: string}}}
    PublicKey:
      type: object
      required: [kty, crv, x]
      properties: {kty: {type: string, enum: [OKP]}, crv: {type: string, enum: [Ed25519, X25519]}, x: {type: string}}
    PrivateKey:
      type: object
      required: [kty, x, d]
      properties: {kty: {type: string, enum: [OKP]}, x: {type: string}, d: {type: string}}
"##;

    fn kind<'a>(api: &'a Api, name: &str) -> &'a TypeKind {
        &api.types.iter().find(|t| t.name == name).unwrap().kind
    }

    #[test]
    fn an_all_of_that_merges_no_object_is_its_shaped_part_or_its_scalar() {
        let api = test_api(
            r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    Choice: {oneOf: [{type: string}, {type: object, properties: {a: {type: string}}}]}
    Holder:
      type: object
      properties:
        choice: {allOf: [{$ref: "#/components/schemas/Choice"}, {nullable: true}]}
        slug: {allOf: [{type: string}, {type: string, minLength: 1}]}
        count: {allOf: [{type: integer}, {type: integer, format: int32}]}
        odd: {allOf: [{type: string}, {type: integer}]}
        named: {allOf: [{$ref: "#/components/schemas/Choice"}, {required: [a]}]}
"##,
        );
        let TypeKind::Struct { fields, .. } = kind(&api, "Holder") else { panic!() };
        let field = |name: &str| fields.iter().find(|f| f.name == name).unwrap();
        let choice = api.types.iter().position(|t| t.name == "Choice").unwrap();
        assert_eq!((&field("choice").ty, field("choice").nullable), (&TypeRef::Named(choice), true));
        assert_eq!(field("slug").ty, TypeRef::String);
        assert_eq!(field("count").ty, TypeRef::Integer { bits: 32 });
        assert_eq!(field("odd").ty, TypeRef::Json);
        let TypeRef::Named(named) = field("named").ty else { panic!("{:?}", field("named").ty) };
        assert_ne!(named, choice, "a `required` list asks for properties: the parts are merged");
    }

    #[test]
    fn a_union_of_one_plain_type_twice_is_that_type() {
        let api = test_api(
            r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    Identifier: {anyOf: [{type: string, pattern: "^[a-z]+$"}, {type: string, format: uuid}]}
    Mixed: {anyOf: [{type: string}, {type: integer}]}
"##,
        );
        assert!(matches!(kind(&api, "Identifier"), TypeKind::Alias { target: TypeRef::String, nullable: false }));
        assert!(matches!(kind(&api, "Mixed"), TypeKind::Untagged { variants } if variants.len() == 2));
    }

    #[test]
    fn tags_are_found_through_ref_siblings_and_all_of_parts() {
        let api = test_api(UNIONS);
        let TypeKind::Tagged { variants, .. } = kind(&api, "ByTitledRef") else { panic!() };
        let tags: Vec<&[String]> = variants.iter().map(|v| v.tags.as_slice()).collect();
        assert_eq!(tags, [&["a".to_owned()][..], &["c".to_owned()][..]]);
    }

    #[test]
    fn a_tag_value_that_selects_several_variants_makes_the_union_untagged_with_a_warning() {
        let api = test_api(UNIONS);
        assert!(matches!(kind(&api, "Ambiguous"), TypeKind::Untagged { variants } if variants.len() == 2));
        let warning = api.warnings.iter().find(|w| w.pointer == "/components/schemas/Ambiguous").unwrap();
        assert!(warning.message.contains("value `a` selects several variants"), "{}", warning.message);
    }

    #[test]
    fn untagged_variants_are_picked_by_required_constants_most_demanding_first() {
        let api = test_api(UNIONS);
        let TypeKind::Untagged { variants } = kind(&api, "Key") else { panic!() };
        let constants: Vec<Vec<(&str, &str)>> =
            variants.iter().map(|v| v.constants.iter().map(|(k, c)| (k.as_str(), c.as_str())).collect()).collect();
        // `crv` allows two values: not a constant.
        assert_eq!(constants, [vec![("kty", "OKP")], vec![("kty", "OKP")], vec![("kty", "RSA")], vec![]]);
        assert_eq!(variants.iter().map(|v| v.demands).collect::<Vec<_>>(), [3, 3, 2, 0]);
        assert_eq!(crate::ir::trial_order(variants), [0, 1, 2, 3]);
        assert!(kind(&api, "Key").picks_variants() && !kind(&api, "Param").picks_variants());
        let mut demanding = variants.clone();
        demanding[1].demands = 4;
        demanding[3].demands = 9;
        assert_eq!(crate::ir::trial_order(&demanding), [1, 0, 2, 3], "constants first, then the most demanding");
    }

    #[test]
    fn a_variant_named_after_the_union_plus_a_number_keeps_its_whole_name() {
        let api = test_api(UNIONS);
        let TypeKind::Untagged { variants } = kind(&api, "Param") else { panic!() };
        let names: Vec<&str> = variants.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["String", "Param2"]);
    }
}
