//! The generated crate's `Cargo.toml`: one typed description, printed once.

use std::fmt::Write;

use crate::ir::Crate;

use super::Options;

/// A dependency line: `name = { version = "…", … }`.
struct Dependency {
    name: &'static str,
    version: &'static str,
    default_features: bool,
    features: &'static [&'static str],
    optional: bool,
}

const fn dep(name: &'static str, version: &'static str) -> Dependency {
    Dependency { name, version, default_features: true, features: &[], optional: false }
}

impl Dependency {
    const fn no_defaults(self) -> Self {
        Dependency { default_features: false, ..self }
    }

    const fn features(self, features: &'static [&'static str]) -> Self {
        Dependency { features, ..self }
    }

    const fn optional(self) -> Self {
        Dependency { optional: true, ..self }
    }

    fn line(&self) -> String {
        if self.default_features && self.features.is_empty() && !self.optional {
            return format!("{} = \"{}\"", self.name, self.version);
        }
        let mut parts = vec![format!("version = \"{}\"", self.version)];
        if !self.default_features {
            parts.push("default-features = false".to_owned());
        }
        if !self.features.is_empty() {
            let list: Vec<String> = self.features.iter().map(|f| format!("\"{f}\"")).collect();
            parts.push(format!("features = [{}]", list.join(", ")));
        }
        if self.optional {
            parts.push("optional = true".to_owned());
        }
        format!("{} = {{ {} }}", self.name, parts.join(", "))
    }
}

/// A feature with the comment above it.
struct Feature {
    doc: Option<&'static str>,
    name: String,
    enables: Vec<String>,
}

fn feature(doc: &'static str, name: &str, enables: &[&str]) -> Feature {
    Feature { doc: Some(doc), name: name.to_owned(), enables: enables.iter().map(|s| (*s).to_owned()).collect() }
}

/// What every crate depends on: its models are serde types.
/// Decoding lifts serde_json's depth limit and decodes deep bodies on a stack of their own
/// (`decode.rs`).
const MODEL_DEPENDENCIES: &[Dependency] = &[
    dep("serde", "1").features(&["derive"]),
    dep("serde_json", "1").features(&["unbounded_depth"]),
    dep("stacker", "0.1"),
];

/// What the client runtime depends on, in addition.
const CLIENT_DEPENDENCIES: &[Dependency] = &[
    dep("base64", "0.23").optional(),
    dep("bytes", "1"),
    dep("futures-util", "0.3").no_defaults(),
    dep("http", "1").optional(),
    dep("reqwest", "0.13").no_defaults().features(&["multipart"]),
    dep("ring", "0.17").optional(),
    dep("rustls", "0.23").no_defaults().features(&["ring", "std", "tls12"]).optional(),
    dep("tokio", "1").features(&["time"]),
];

/// What the `axum` extractors and layers depend on, in addition: axum's core traits
/// (`FromRequestParts`, `IntoResponse`), not axum itself.
const LAYER_DEPENDENCIES: &[Dependency] =
    &[dep("axum-core", "0.5").optional(), dep("tower-layer", "0.3").optional(), dep("tower-service", "0.3").optional()];

/// What the testing kit's mock server depends on, in addition: the HTTP server half of
/// the hyper that reqwest already builds on, so that `testing` adds no crate to the tree.
const MOCK_DEPENDENCIES: &[Dependency] = &[
    dep("http-body-util", "0.1").optional(),
    dep("hyper", "1").features(&["server", "http1"]).optional(),
    dep("hyper-util", "0.1").features(&["tokio"]).optional(),
];

const TRACING: Dependency = dep("tracing", "0.1").no_defaults().features(&["std"]).optional();

/// What the client's own tests depend on.
const CLIENT_DEV_DEPENDENCIES: &[Dependency] = &[
    dep("futures-util", "0.3").no_defaults().features(&["alloc"]),
    // Property tests of untrusted input (`tests/robustness.rs`): no forking, no timeouts.
    dep("proptest", "1").no_defaults().features(&["std"]),
    dep("tokio", "1").features(&["macros", "rt-multi-thread", "net", "io-util"]),
    dep("wiremock", "0.6"),
];

/// What the tests of the `axum` layer depend on, in addition.
const LAYER_DEV_DEPENDENCIES: &[Dependency] =
    &[dep("axum", "0.8").no_defaults(), dep("tower", "0.5").no_defaults().features(&["util"])];

/// The crate's features: TLS, tracing, auth and webhooks, then one per resource group.
fn features(plan: &Crate<'_>) -> Vec<Feature> {
    let auth = plan.runtime.auth;
    let mut default = vec!["rustls"];
    if auth {
        default.push("auth");
    }
    default.extend(["webhook-verification", "full"]);
    let mut out = vec![
        Feature { doc: None, name: "default".to_owned(), enables: default.iter().map(|s| (*s).to_owned()).collect() },
        feature(
            "TLS through rustls with the ring provider (no C toolchain, no aws-lc build).",
            "rustls",
            &["reqwest/rustls-no-provider", "dep:rustls"],
        ),
        feature(
            "TLS through the platform's library (OpenSSL, Secure Transport, SChannel).",
            "native-tls",
            &["reqwest/native-tls"],
        ),
        feature(
            "A span per request attempt: operation, method, path template, status, attempt.",
            "tracing",
            &["dep:tracing"],
        ),
    ];
    if auth {
        // The runtime fetches the keys itself: no resource group is needed.
        out.push(feature(
            "Request authentication: session, JWT-template and machine tokens.",
            "auth",
            &["dep:ring", "dep:base64", "dep:http", "tokio/sync"],
        ));
        out.push(feature(
            "axum extractors and tower layers that authenticate requests.",
            "axum",
            &["auth", "dep:axum-core", "dep:tower-layer", "dep:tower-service"],
        ));
        out.push(feature(
            "A testing kit for dev-dependencies: a test key, minted tokens, signed webhooks, a typed mock server and model fixtures.",
            "testing",
            &[
                "auth",
                "webhook-verification",
                "dep:http-body-util",
                "dep:hyper",
                "dep:hyper-util",
                "tokio/net",
                "tokio/rt",
            ],
        ));
    }
    out.push(feature(
        "Webhook signature verification (Svix).",
        "webhook-verification",
        &["dep:ring", "dep:base64", "dep:http"],
    ));
    let groups: Vec<&str> = plan.groups.iter().map(|g| g.feature.as_str()).collect();
    out.push(feature("Resource groups: each turns on its operations and the models they use.", "full", &groups));
    out.extend(groups.iter().map(|g| Feature { doc: None, name: (*g).to_owned(), enables: Vec::new() }));
    out
}

/// The first word of an API's title as a crates.io keyword (`Clerk Backend API` gives
/// `clerk`), when it can be one: ASCII letters, digits, `-` or `_`, a letter first, at
/// most 20 characters, and not `api` or `sdk`, which every crate gets.
fn title_keyword(title: &str) -> Option<String> {
    let word = title.split_whitespace().next()?.to_ascii_lowercase();
    let valid = word.len() <= 20
        && word.starts_with(|c: char| c.is_ascii_alphabetic())
        && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    (valid && word != "api" && word != "sdk").then_some(word)
}

/// `Cargo.toml` of the generated crate.
pub(super) fn render(plan: &Crate<'_>, options: &Options) -> String {
    let api = plan.api;
    let client = plan.runtime.client;
    let mut out = String::from("# @generated by clerk-codegen. Do not edit.\n[package]\n");
    let package = [
        ("name", options.crate_name.clone()),
        ("version", options.crate_version.clone()),
        ("edition", "2024".to_owned()),
        ("rust-version", "1.85".to_owned()),
        (
            "description",
            format!(
                "Typed Rust SDK for {} (API version {}), generated from its OpenAPI document",
                api.title.trim(),
                api.version
            ),
        ),
        ("license", "MIT".to_owned()),
        ("readme", "README.md".to_owned()),
    ];
    for (key, value) in package {
        let _ = writeln!(out, "{key} = {}", quoted(&value));
    }
    let auth = plan.runtime.auth;
    let keywords = title_keyword(&api.title).into_iter().chain(auth.then(|| "authentication".to_owned()));
    let keywords: Vec<String> = keywords.chain(["api".to_owned(), "sdk".to_owned()]).map(|k| quoted(&k)).collect();
    let _ = writeln!(out, "keywords = [{}]", keywords.join(", "));
    let categories = if auth { "[\"api-bindings\", \"authentication\"]" } else { "[\"api-bindings\"]" };
    let _ = writeln!(out, "categories = {categories}");
    if !options.benches.is_empty() {
        // Benchmarks are for this repository, not for users of the package.
        out.push_str("exclude = [\"benches/\"]\n");
    }
    out.push_str("\n[package.metadata.docs.rs]\nall-features = true\nrustdoc-args = [\"--cfg\", \"docsrs\"]\n");
    if client {
        out.push_str("\n[features]\n");
        for f in features(plan) {
            if let Some(doc) = f.doc {
                let _ = writeln!(out, "# {doc}");
            }
            let list: Vec<String> = f.enables.iter().map(|e| quoted(e)).collect();
            let _ = writeln!(out, "{} = [{}]", f.name, list.join(", "));
        }
        out.push_str("\n[dev-dependencies]\n");
        let layer_dev = if plan.runtime.auth { LAYER_DEV_DEPENDENCIES } else { &[] };
        layer_dev.iter().chain(CLIENT_DEV_DEPENDENCIES).for_each(|d| out.extend([d.line(), "\n".to_owned()]));
    }
    out.push_str("\n[dependencies]\n");
    let mut dependencies: Vec<&Dependency> = MODEL_DEPENDENCIES.iter().collect();
    if client {
        dependencies.extend(CLIENT_DEPENDENCIES);
        if plan.runtime.auth {
            dependencies.extend(LAYER_DEPENDENCIES);
            dependencies.extend(MOCK_DEPENDENCIES);
        }
        dependencies.push(&TRACING);
    }
    dependencies.iter().for_each(|d| out.extend([d.line(), "\n".to_owned()]));
    out.push_str("\n[lints.rust]\nunsafe_code = \"forbid\"\n");
    out.push_str(&bench_targets(&options.benches));
    out.push_str(&testing_examples(&options.testing_examples));
    out
}

/// An `[[example]]` table for each example that needs the `testing` feature.
fn testing_examples(examples: &[String]) -> String {
    let table = |name: &String| format!("\n[[example]]\nname = {}\nrequired-features = [\"testing\"]\n", quoted(name));
    examples.iter().map(table).collect()
}

/// A `[[bench]]` table for each benchmark, without the test harness: each has its own `main`.
fn bench_targets(benches: &[String]) -> String {
    benches.iter().map(|name| format!("\n[[bench]]\nname = {}\nharness = false\n", quoted(name))).collect()
}

/// A TOML basic string.
fn quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_title_names_the_crate_keyword_when_it_can_be_one() {
        assert_eq!(title_keyword("Clerk Backend API").as_deref(), Some("clerk"));
        assert_eq!(title_keyword("OpenAI API").as_deref(), Some("openai"));
        assert_eq!(title_keyword("API for pets"), None, "every crate has `api` already");
        assert_eq!(title_keyword("3scale Admin"), None, "a keyword starts with a letter");
        assert_eq!(title_keyword("Box's Platform"), None);
        assert_eq!(title_keyword(""), None);
    }

    #[test]
    fn benches_are_declared_without_the_harness() {
        assert_eq!(bench_targets(&[]), "");
        assert_eq!(bench_targets(&["overhead".to_owned()]), "\n[[bench]]\nname = \"overhead\"\nharness = false\n");
    }

    #[test]
    fn examples_of_the_testing_kit_require_its_feature() {
        assert_eq!(testing_examples(&[]), "");
        assert_eq!(
            testing_examples(&["tasks".to_owned()]),
            "\n[[example]]\nname = \"tasks\"\nrequired-features = [\"testing\"]\n"
        );
    }

    #[test]
    fn dependencies_print_as_cargo_writes_them() {
        assert_eq!(dep("bytes", "1").line(), "bytes = \"1\"");
        assert_eq!(
            dep("rustls", "0.23").no_defaults().features(&["ring", "std"]).optional().line(),
            "rustls = { version = \"0.23\", default-features = false, features = [\"ring\", \"std\"], optional = true }"
        );
        assert_eq!(dep("ring", "0.17").optional().line(), "ring = { version = \"0.17\", optional = true }");
    }

    /// The runtime crate (`templates/Cargo.toml`) builds the same code as the SDK, so it
    /// must declare exactly the dependencies the SDK's manifest gives the runtime.
    #[test]
    fn the_runtime_crate_declares_the_sdks_runtime_dependencies() {
        let manifest = include_str!("../../../templates/Cargo.toml");
        let section = manifest.split("\n[dependencies]\n").nth(1).and_then(|s| s.split("\n[").next()).unwrap_or("");
        let mut declared: Vec<&str> = section.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')).collect();
        let all = MODEL_DEPENDENCIES
            .iter()
            .chain(CLIENT_DEPENDENCIES)
            .chain(LAYER_DEPENDENCIES)
            .chain(MOCK_DEPENDENCIES)
            .chain([&TRACING]);
        let mut ours: Vec<String> = all.map(Dependency::line).collect();
        declared.sort_unstable();
        ours.sort_unstable();
        assert_eq!(declared, ours);
    }

    #[test]
    fn strings_are_escaped() {
        assert_eq!(quoted("a \"b\" \\ c\n"), "\"a \\\"b\\\" \\\\ c\\n\"");
    }
}
