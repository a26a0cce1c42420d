//! Every Rust name the generator emits is decided here.
//!
//! Words are split with acronyms kept whole (`OAuth`, `SAMLConnection`, `getM2MTokens`,
//! `Web3Wallet`), then joined with `heck` rules: `snake_case` for functions, fields and
//! modules, `UpperCamelCase` for types and variants (`SamlConnection`, with brand
//! spellings like `OAuth` kept). Keywords become raw identifiers, and a [`Namespace`]
//! resolves names that collide after conversion.

use heck::{ToSnakeCase, ToUpperCamelCase};
use std::collections::HashSet;

/// Mixed-case words that must not be split, with their spelling inside a type name.
const BRANDS: &[(&str, &str)] = &[("OAuth", "OAuth")];

/// Splits an identifier-ish string into lowercase words.
pub(crate) fn words(input: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in input.split(|c: char| !c.is_ascii_alphanumeric()) {
        let chars: Vec<char> = part.chars().collect();
        let mut word = String::new();
        let mut i = 0;
        while i < chars.len() {
            if let Some((brand, _)) = BRANDS.iter().find(|(b, _)| part[char_offset(&chars, i)..].starts_with(b)) {
                let next = chars.get(i + brand.len());
                if next.is_none_or(|c| !c.is_ascii_lowercase()) {
                    if !word.is_empty() {
                        out.push(std::mem::take(&mut word));
                    }
                    out.push(brand.to_ascii_lowercase());
                    i += brand.len();
                    continue;
                }
            }
            let c = chars[i];
            let prev = i.checked_sub(1).map(|p| chars[p]);
            let next = chars.get(i + 1).copied();
            let boundary = c.is_ascii_uppercase()
                && match prev {
                    Some(p) if p.is_ascii_lowercase() => true,
                    Some(p) if p.is_ascii_uppercase() || p.is_ascii_digit() => {
                        // `SAMLConnection` splits before `C`, but a plural acronym
                        // (`URLs`, `IDs`) stays whole.
                        let plural = next == Some('s') && chars.get(i + 2).is_none_or(|c| !c.is_ascii_lowercase());
                        next.is_some_and(|n| n.is_ascii_lowercase()) && !plural
                    }
                    _ => false,
                };
            if boundary && !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            word.push(c.to_ascii_lowercase());
            i += 1;
        }
        if !word.is_empty() {
            out.push(word);
        }
    }
    out
}

fn char_offset(chars: &[char], i: usize) -> usize {
    chars[..i].iter().map(|c| c.len_utf8()).sum()
}

/// `snake_case` without keyword handling; empty when the input has no letters or digits.
pub(crate) fn snake(input: &str) -> String {
    words(input).join("_").to_snake_case()
}

/// `UpperCamelCase` without keyword handling; empty when the input has no letters or digits.
pub(crate) fn camel(input: &str) -> String {
    words(input)
        .iter()
        .map(|w| match BRANDS.iter().find(|(b, _)| b.eq_ignore_ascii_case(w)) {
            Some((_, spelled)) => (*spelled).to_owned(),
            None => w.to_upper_camel_case(),
        })
        .collect()
}

const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn", "else", "enum",
    "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro", "match", "mod", "move",
    "mut", "override", "priv", "pub", "ref", "return", "static", "struct", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];
/// Keywords that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["crate", "self", "super", "Self", "_"];

/// A value-level identifier (field, function, parameter, module): `snake_case`, keywords as
/// raw identifiers (`r#type`), a leading digit prefixed. `fallback` is used when the input
/// has no letters or digits.
pub(crate) fn value_ident(input: &str, fallback: &str) -> String {
    let mut name = snake(input);
    if name.is_empty() {
        name = fallback.to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'n');
    }
    if NOT_RAW.contains(&name.as_str()) {
        name.push('_');
    } else if KEYWORDS.contains(&name.as_str()) {
        name.insert_str(0, "r#");
    }
    name
}

/// A type-level identifier (type, variant): `UpperCamelCase`.
pub(crate) fn type_ident(input: &str, fallback: &str) -> String {
    let mut name = camel(input);
    if name.is_empty() {
        name = fallback.to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'N');
    }
    if NOT_RAW.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// The variant name for an enum value. Values without letters or digits are spelled out
/// (`''` is `Empty`, `*` is `Star`), and a leading sign is kept as a word, so that
/// `-manual_invitation` does not collide with `manual_invitation`.
pub(crate) fn variant_ident(value: &str) -> String {
    if value.is_empty() {
        return "Empty".to_owned();
    }
    let symbols = |s: &str| -> String { s.chars().filter_map(symbol_word).collect::<Vec<_>>().concat() };
    let lead_len = value.len() - value.trim_start_matches(|c: char| !c.is_ascii_alphanumeric()).len();
    let (lead, rest) = value.split_at(lead_len);
    let body = camel(rest);
    if body.is_empty() {
        let spelled = symbols(value);
        return if spelled.is_empty() { "Value".to_owned() } else { spelled };
    }
    type_ident(&format!("{}{body}", symbols(lead)), "Value")
}

fn symbol_word(c: char) -> Option<&'static str> {
    Some(match c {
        '*' => "Star",
        '+' => "Plus",
        '-' => "Minus",
        '.' => "Dot",
        '/' => "Slash",
        '@' => "At",
        '#' => "Hash",
        '$' => "Dollar",
        '%' => "Percent",
        '&' => "And",
        ':' => "Colon",
        '!' => "Bang",
        '=' => "Equals",
        '~' => "Tilde",
        '<' => "Lt",
        '>' => "Gt",
        '?' => "Question",
        _ => return None,
    })
}

/// Hands out names that are unique within one scope: the first claim wins, and a later
/// claim of a taken name gets the next free numeric suffix (`Name2`, `name_2`).
#[derive(Debug, Default, Clone)]
pub(crate) struct Namespace {
    taken: HashSet<String>,
}

impl Namespace {
    /// An empty scope.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Whether `name` is already taken.
    pub(crate) fn contains(&self, name: &str) -> bool {
        self.taken.contains(name)
    }

    /// Reserves `name` and returns it, or the first free suffixed variant of it.
    pub(crate) fn claim(&mut self, name: &str) -> String {
        if self.taken.insert(name.to_owned()) {
            return name.to_owned();
        }
        let (base, sep) = match name.strip_prefix("r#") {
            Some(base) => (base, "_"),
            None if name.starts_with(|c: char| c.is_ascii_uppercase()) => (name, ""),
            None => (name, "_"),
        };
        (2..)
            .map(|n| format!("{base}{sep}{n}"))
            .find(|candidate| self.taken.insert(candidate.clone()))
            .unwrap_or_default()
    }
}

/// Names a list of wire names in one scope so that a name that is already in the target
/// case keeps it: `frontend_api` stays `frontend_api` and `frontendApi` becomes
/// `frontend_api_2`, whatever their order.
pub(crate) fn unique_value_idents<'a>(wire: impl IntoIterator<Item = &'a str> + Clone) -> Vec<String> {
    let mut ns = Namespace::new();
    let mut out: Vec<Option<String>> = wire.clone().into_iter().map(|_| None).collect();
    for (slot, name) in out.iter_mut().zip(wire.clone()) {
        let ident = value_ident(name, "value");
        if ident.trim_start_matches("r#") == name && !ns.contains(&ident) {
            *slot = Some(ns.claim(&ident));
        }
    }
    for (slot, name) in out.iter_mut().zip(wire) {
        if slot.is_none() {
            *slot = Some(ns.claim(&value_ident(name, "value")));
        }
    }
    out.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acronyms_stay_whole() {
        assert_eq!(snake("CreateOAuthApplication"), "create_oauth_application");
        assert_eq!(camel("OAuthApplication"), "OAuthApplication");
        assert_eq!(snake("getM2MTokens"), "get_m2m_tokens");
        assert_eq!(camel("SAMLConnection"), "SamlConnection");
        assert_eq!(snake("Web3Wallet"), "web3_wallet");
        assert_eq!(snake("apiKeyID"), "api_key_id");
        assert_eq!(camel("JWKS.ed25519.PublicKey"), "JwksEd25519PublicKey");
        assert_eq!(camel("CommercePlan-2"), "CommercePlan2");
        assert_eq!(snake("x5t#S256"), "x5t_s256");
        assert_eq!(camel("verification_from_oauth"), "VerificationFromOAuth");
        assert_eq!(camel("FromOAuth"), "FromOAuth");
        assert_eq!(snake("Sign Ups"), "sign_ups");
        assert_eq!(snake("OAuthorized"), "o_authorized");
        assert_eq!(snake("Redirect URLs"), "redirect_urls");
        assert_eq!(snake("userIDs"), "user_ids");
        assert_eq!(snake("SAMLsConnection"), "samls_connection");
    }

    #[test]
    fn keywords_and_digits() {
        assert_eq!(value_ident("type", "v"), "r#type");
        assert_eq!(value_ident("use", "v"), "r#use");
        assert_eq!(value_ident("self", "v"), "self_");
        assert_eq!(value_ident("2fa", "v"), "n2fa");
        assert_eq!(value_ident("", "fallback"), "fallback");
        assert_eq!(type_ident("Self", "T"), "Self_");
    }

    #[test]
    fn symbolic_enum_values() {
        assert_eq!(variant_ident(""), "Empty");
        assert_eq!(variant_ident("*"), "Star");
        assert_eq!(variant_ident("-manual_invitation"), "MinusManualInvitation");
        assert_eq!(variant_ident("manual_invitation"), "ManualInvitation");
        assert_eq!(variant_ident("payer-credits"), "PayerCredits");
        assert_eq!(variant_ident("+created_at"), "PlusCreatedAt");
        assert_eq!(variant_ident("user:org:read"), "UserOrgRead");
    }

    #[test]
    fn collisions_get_suffixes() {
        let mut ns = Namespace::new();
        assert_eq!(ns.claim("CommercePlan"), "CommercePlan");
        assert_eq!(ns.claim("CommercePlan"), "CommercePlan2");
        assert_eq!(unique_value_idents(["frontendApi", "frontend_api"]), vec!["frontend_api_2", "frontend_api"]);
        assert_eq!(unique_value_idents(["type", "r#type"]), vec!["r#type", "r_type"]);
    }
}
