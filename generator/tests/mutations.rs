//! Randomized robustness: hundreds of mutants of Clerk's spec (structural edits of the
//! parsed document, and truncated or corrupted text) go through the whole pipeline. Each
//! must generate or fail with diagnostics; none may panic.
//!
//! The seed is fixed so a failure reproduces; set `MUTATION_SEED` to explore others.

mod common;

use clerk_codegen::load::{Spec, yaml};
use serde_json::{Map, Value, json};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

/// xorshift64*: small, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn spec_path(name: &str) -> PathBuf {
    let path = common::specs_dir().join(name);
    assert!(path.exists(), "{} not found: set CLERK_SPECS_DIR", path.display());
    path
}

/// Every JSON pointer in the document.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                pointers(child, clerk_codegen::error::join(&at, k), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                pointers(child, clerk_codegen::error::join(&at, &i.to_string()), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

fn random_value(rng: &mut Rng, schemas: &[String]) -> Value {
    match rng.below(11) {
        0 => Value::Null,
        1 => json!(true),
        2 => json!(-1),
        3 => json!("string"),
        4 => json!([]),
        5 => json!({}),
        6 => json!({"$ref": "#/components/schemas/DoesNotExist"}),
        7 => json!({"$ref": format!("#/components/schemas/{}", schemas[rng.below(schemas.len())])}),
        8 => json!({"allOf": [{"$ref": format!("#/components/schemas/{}", schemas[rng.below(schemas.len())])}]}),
        9 => json!({"type": (["object", "string", "array", "integer", "bogus"][rng.below(5)])}),
        _ => {
            json!({"oneOf": [{"type": "string"}, {"$ref": "#/components/schemas/x"}], "discriminator": {"propertyName": "object"}})
        }
    }
}

fn mutate(doc: &mut Value, rng: &mut Rng, schemas: &[String]) {
    let mut all = Vec::new();
    pointers(doc, String::new(), &mut all);
    let target = all[rng.below(all.len())].clone();
    let replacement = random_value(rng, schemas);
    let Some(node) = doc.pointer_mut(&target) else { return };
    match rng.below(5) {
        0 => *node = replacement,
        1 => {
            if let Value::Object(map) = node {
                if !map.is_empty() {
                    let key = map.keys().nth(rng.below(map.len())).cloned().unwrap_or_default();
                    map.shift_remove(&key);
                }
            }
        }
        2 => {
            if let Value::Object(map) = node {
                let key = [
                    "type",
                    "properties",
                    "items",
                    "allOf",
                    "oneOf",
                    "anyOf",
                    "enum",
                    "nullable",
                    "required",
                    "$ref",
                    "additionalProperties",
                    "discriminator",
                    "format",
                    "x-speakeasy-name-override",
                ][rng.below(14)];
                map.insert(key.to_owned(), replacement);
            }
        }
        3 => *node = Value::Array(vec![node.take()]),
        _ => {
            let mut wrapper = Map::new();
            wrapper.insert("allOf".into(), Value::Array(vec![node.take(), replacement]));
            *node = Value::Object(wrapper);
        }
    }
}

fn quiet<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    catch_unwind(AssertUnwindSafe(f))
}

#[test]
fn structural_mutants_never_panic() {
    let path = spec_path("2024-10-01/bapi/2021-02-05.yml");
    let text = std::fs::read_to_string(&path).unwrap();
    let base = yaml::parse(&text).unwrap();
    let schemas: Vec<String> = base["components"]["schemas"].as_object().unwrap().keys().cloned().collect();
    let seed = std::env::var("MUTATION_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5eed_c1e7_u64);
    let mut rng = Rng(seed);
    std::panic::set_hook(Box::new(|_| {}));
    let (mut generated, mut rejected, mut panics) = (0, 0, Vec::new());
    const MUTANTS: usize = 300;
    for i in 0..MUTANTS {
        let mut doc = base.clone();
        for _ in 0..1 + rng.below(3) {
            mutate(&mut doc, &mut rng, &schemas);
        }
        let outcome = quiet(|| {
            let spec = Spec::from_value(&path, doc, &text)?;
            let api = clerk_codegen::ir::build(&spec)?;
            clerk_codegen::emit::emit(&api, &clerk_codegen::emit::Options::default())
        });
        match outcome {
            Ok(Ok(_)) => generated += 1,
            Ok(Err(errors)) => {
                assert!(errors.0.iter().all(|d| !d.message.is_empty()), "mutant {i}: empty diagnostic");
                rejected += 1;
            }
            Err(_) => panics.push(i),
        }
    }
    let _ = std::panic::take_hook();
    eprintln!(
        "{MUTANTS} structural mutants (seed {seed:#x}): {generated} generated, {rejected} rejected, {} panicked",
        panics.len()
    );
    assert!(panics.is_empty(), "mutants {panics:?} panicked (seed {seed:#x})");
    assert!(generated > 0 && rejected > 0, "the mutations should produce both outcomes");
}

#[test]
fn corrupted_text_never_panics() {
    let path = spec_path("2024-10-01/bapi/2021-02-05.yml");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut rng = Rng(0x7e47_c0de);
    std::panic::set_hook(Box::new(|_| {}));
    let mut panics = Vec::new();
    let specials = [":", "- ", "{", "]", "\t", "&a", "*a", "!!binary ", "'", "\"", "\n  ", "? ", "|", "%", "#"];
    for i in 0..200 {
        let mut mutant = text.clone();
        let mut at = rng.below(mutant.len());
        while !mutant.is_char_boundary(at) {
            at -= 1;
        }
        if i % 2 == 0 {
            mutant.truncate(at);
        } else {
            mutant.insert_str(at, specials[rng.below(specials.len())]);
        }
        if quiet(|| yaml::parse(&mutant).map(|v| Spec::from_value(&path, v, &mutant).map(drop))).is_err() {
            panics.push(i);
        }
    }
    let _ = std::panic::take_hook();
    assert!(panics.is_empty(), "text mutants {panics:?} panicked");
}
