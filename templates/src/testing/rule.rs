//! What a mock matches, and how a received request differs from it.

use serde_json::Value;

use crate::request::encode;

/// A request as the mock received it.
#[derive(Debug)]
pub(super) struct Received {
    pub method: String,
    /// The path, percent-encoded as sent.
    pub path: String,
    /// The query string as sent, without `?`.
    pub query: String,
    /// The query's pairs, decoded.
    pairs: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    pub fn new(parts: &http::request::Parts, body: &[u8]) -> Self {
        let query = parts.uri.query().unwrap_or_default().to_owned();
        let pairs = query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                (decode(name), decode(value))
            })
            .collect();
        Received {
            method: parts.method.to_string(),
            path: parts.uri.path().to_owned(),
            query,
            pairs,
            body: body.to_vec(),
        }
    }

    /// The path and query, as a request line carries them.
    pub fn target(&self) -> String {
        if self.query.is_empty() { self.path.clone() } else { format!("{}?{}", self.path, self.query) }
    }

    fn query_values(&self, name: &str) -> Vec<&str> {
        self.pairs.iter().filter(|(n, _)| n == name).map(|(_, v)| v.as_str()).collect()
    }
}

/// Percent-decodes `text`; an invalid escape stays as it is.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%').then(|| text.get(i + 1..i + 3)).flatten();
        match escaped.and_then(|hex| u8::from_str_radix(hex, 16).ok()) {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What one mock matches: an operation's method and path template, and the path
/// parameters, query parameters and body fields the test set.
#[derive(Debug, Clone)]
pub(super) struct Rule {
    pub operation: &'static str,
    method: &'static str,
    template: &'static str,
    /// Path parameters by name, percent-encoded as the client sends them.
    path: Vec<(&'static str, String)>,
    query: Vec<(&'static str, Vec<String>)>,
    body: Option<Value>,
}

impl Rule {
    pub fn new(operation: &'static str, method: &'static str, template: &'static str) -> Self {
        Rule { operation, method, template, path: Vec::new(), query: Vec::new(), body: None }
    }

    pub fn path(&mut self, name: &'static str, value: &str) {
        let mut encoded = String::new();
        encode(value, &mut encoded);
        self.path.retain(|(n, _)| *n != name);
        self.path.push((name, encoded));
    }

    pub fn query(&mut self, name: &'static str, values: Vec<String>) {
        self.query.retain(|(n, _)| *n != name);
        self.query.push((name, values));
    }

    pub fn body(&mut self, body: Value) {
        self.body = Some(body);
    }

    /// `get_user (GET /users/{user_id})`.
    pub fn describe(&self) -> String {
        format!("{} ({} {})", self.operation, self.method, self.template)
    }

    /// Whether `request` is of this rule's operation: its method, and a path with the
    /// template's literal segments where the template has them.
    pub fn routes(&self, request: &Received) -> bool {
        let template: Vec<&str> = self.template.split('/').collect();
        let sent: Vec<&str> = request.path.split('/').collect();
        request.method == self.method
            && template.len() == sent.len()
            && template.iter().zip(&sent).all(|(t, s)| is_parameter(t) || t == s)
    }

    /// How `request` differs from this rule, one readable line per difference: empty
    /// when it matches.
    pub fn differences(&self, request: &Received) -> Vec<String> {
        if !self.routes(request) {
            return vec![format!("the request is not {}", self.describe())];
        }
        let mut out = self.path_differences(request);
        out.extend(self.query_differences(request));
        if let Some(expected) = &self.body {
            out.extend(body_differences(expected, &request.body));
        }
        out
    }

    fn path_differences(&self, request: &Received) -> Vec<String> {
        let sent = request.path.split('/');
        self.template
            .split('/')
            .zip(sent)
            .filter_map(|(t, s)| {
                let name = t.strip_prefix('{')?.strip_suffix('}')?;
                let (_, expected) = self.path.iter().find(|(n, _)| *n == name)?;
                (expected != s).then(|| format!("path parameter `{name}`: expected {expected:?}, got {s:?}"))
            })
            .collect()
    }

    fn query_differences(&self, request: &Received) -> Vec<String> {
        self.query
            .iter()
            .filter_map(|(name, expected)| {
                let sent = request.query_values(name);
                (sent != *expected)
                    .then(|| format!("query parameter `{name}`: expected {}, got {}", list(expected), list(&sent)))
            })
            .collect()
    }
}

fn is_parameter(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}')
}

/// `"a"`, `["a", "b"]`, or `nothing`.
fn list(values: &[impl AsRef<str>]) -> String {
    match values {
        [] => "nothing".to_owned(),
        [one] => format!("{:?}", one.as_ref()),
        many => format!("{:?}", many.iter().map(AsRef::as_ref).collect::<Vec<_>>()),
    }
}

/// How a sent body differs from `expected`: each field `expected` sets must be sent with
/// the same value (an expected body that is not an object must equal the sent one).
fn body_differences(expected: &Value, sent: &[u8]) -> Vec<String> {
    let Ok(sent) = serde_json::from_slice::<Value>(sent) else {
        return vec![format!("body: expected JSON {expected}, got {:?}", String::from_utf8_lossy(sent))];
    };
    let (Value::Object(fields), Value::Object(sent_fields)) = (expected, &sent) else {
        return if *expected == sent { Vec::new() } else { vec![format!("body: expected {expected}, got {sent}")] };
    };
    fields
        .iter()
        .filter_map(|(name, value)| match sent_fields.get(name) {
            Some(got) if got == value => None,
            Some(got) => Some(format!("body field `{name}`: expected {value}, got {got}")),
            None => Some(format!("body field `{name}`: expected {value}, got nothing")),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn received(method: &str, target: &str, body: &str) -> Received {
        let request = http::Request::builder().method(method).uri(target).body(()).unwrap();
        Received::new(&request.into_parts().0, body.as_bytes())
    }

    fn update_user() -> Rule {
        let mut rule = Rule::new("update_user", "PATCH", "/users/{user_id}");
        rule.path("user_id", "user_1");
        rule
    }

    #[test]
    fn a_request_of_another_operation_is_not_routed() {
        let rule = update_user();
        assert!(rule.routes(&received("PATCH", "/users/user_2", "")));
        assert!(!rule.routes(&received("GET", "/users/user_1", "")));
        assert!(!rule.routes(&received("PATCH", "/users/user_1/ban", "")));
        assert!(!rule.routes(&received("PATCH", "/organizations/user_1", "")));
    }

    #[test]
    fn path_parameters_are_compared_as_the_client_encodes_them() {
        let mut rule = update_user();
        rule.path("user_id", "a/b c");
        assert!(rule.differences(&received("PATCH", "/users/a%2Fb%20c", "")).is_empty());
        assert_eq!(
            rule.differences(&received("PATCH", "/users/user_1", "")),
            [r#"path parameter `user_id`: expected "a%2Fb%20c", got "user_1""#]
        );
    }

    #[test]
    fn body_fields_the_expectation_sets_must_be_sent_with_the_same_value() {
        let mut rule = update_user();
        rule.body(json!({"first_name": "Ada", "last_name": "Lovelace"}));
        let sent = r#"{"first_name": "Ada", "last_name": "Lovelace", "username": "ada"}"#;
        assert!(rule.differences(&received("PATCH", "/users/user_1", sent)).is_empty());
        assert_eq!(
            rule.differences(&received("PATCH", "/users/user_1", r#"{"first_name": "Bob"}"#)),
            [
                r#"body field `first_name`: expected "Ada", got "Bob""#,
                r#"body field `last_name`: expected "Lovelace", got nothing"#
            ]
        );
        assert_eq!(rule.differences(&received("PATCH", "/users/user_1", "not json")).len(), 1);
    }

    #[test]
    fn query_parameters_compare_every_value_sent_under_the_name() {
        let mut rule = Rule::new("get_user_list", "GET", "/users");
        rule.query("email_address", vec!["a@x.io".into(), "b@x.io".into()]);
        rule.query("limit", vec!["10".into()]);
        let sent = received("GET", "/users?limit=10&email_address=a%40x.io&email_address=b%40x.io&offset=5", "");
        assert!(rule.differences(&sent).is_empty());
        assert_eq!(
            rule.differences(&received("GET", "/users?limit=20", "")),
            [
                r#"query parameter `email_address`: expected ["a@x.io", "b@x.io"], got nothing"#,
                r#"query parameter `limit`: expected "10", got "20""#
            ]
        );
    }

    #[test]
    fn decoding_keeps_invalid_escapes() {
        assert_eq!(decode("a%20b%zz%4"), "a b%zz%4");
        assert_eq!(decode("%E2%9C%93"), "✓");
    }
}
