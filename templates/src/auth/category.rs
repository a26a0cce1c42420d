//! Which kind of token a string is, and which kinds a route accepts.
//!
//! Clerk signs session tokens, JWT-template tokens, M2M JWTs and OAuth access-token JWTs
//! with the same instance key, so a valid signature does not say what a token is for. The
//! protected header's `cat` (category) and `typ`, and the subject's prefix, do; opaque
//! machine tokens are told apart by their prefix.

use std::fmt;

use super::TokenError;

/// `cat` of session tokens (handshake tokens share it).
pub(crate) const SESSION_CATEGORY: &str = "cl_B7d4PD111AAA";
/// `cat` of tokens minted from a JWT template.
pub(super) const TEMPLATE_CATEGORY: &str = "cl_B7d4PD222AAA";
/// `cat` of M2M JWTs.
pub(crate) const M2M_CATEGORY: &str = "cl_B7d4PD333AAA";
/// `cat` that instances which opted out of categories stamp on every token: it says
/// nothing about the token's kind.
pub(super) const IGNORED_CATEGORY: &str = "cl_I7d4PD111III";

/// `typ` of OAuth access tokens in JWT form (RFC 9068).
const OAUTH_JWT_TYPES: [&str; 2] = ["at+jwt", "application/at+jwt"];
/// The subject prefix of machines: a JWT whose `sub` starts with it is an M2M token.
const MACHINE_SUBJECT_PREFIX: &str = "mch_";

/// A kind of token Clerk issues to authenticate requests with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenKind {
    /// A session token (`__session` cookie or bearer JWT) of a signed-in user.
    Session,
    /// An API key (`ak_…`).
    ApiKey,
    /// A machine-to-machine token, opaque (`mt_…`) or a JWT whose subject is a machine.
    M2m,
    /// An OAuth access token, opaque (`oat_…`) or a JWT with `typ: at+jwt`.
    OAuth,
}

impl fmt::Display for TokenKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TokenKind::Session => "session token",
            TokenKind::ApiKey => "API key",
            TokenKind::M2m => "M2M token",
            TokenKind::OAuth => "OAuth access token",
        })
    }
}

/// The token kinds a route accepts, combined with `|`:
/// `Accepts::SESSION | Accepts::API_KEY`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Accepts(u8);

impl Accepts {
    /// Session tokens.
    pub const SESSION: Accepts = Accepts(1);
    /// API keys.
    pub const API_KEY: Accepts = Accepts(2);
    /// M2M tokens, opaque or JWT.
    pub const M2M: Accepts = Accepts(4);
    /// OAuth access tokens, opaque or JWT.
    pub const OAUTH: Accepts = Accepts(8);
    /// Every machine token: API keys, M2M and OAuth tokens.
    pub const MACHINE: Accepts = Accepts(2 | 4 | 8);
    /// Every kind of token.
    pub const ANY: Accepts = Accepts(1 | 2 | 4 | 8);

    /// Both sets of kinds.
    pub const fn or(self, other: Accepts) -> Accepts {
        Accepts(self.0 | other.0)
    }

    /// Whether tokens of `kind` are accepted.
    pub const fn contains(self, kind: TokenKind) -> bool {
        self.0 & Accepts::of(kind).0 != 0
    }

    /// The machine kinds among these.
    #[cfg(feature = "axum")]
    pub(super) const fn machines_only(self) -> Accepts {
        Accepts(self.0 & Accepts::MACHINE.0)
    }

    const fn of(kind: TokenKind) -> Accepts {
        match kind {
            TokenKind::Session => Accepts::SESSION,
            TokenKind::ApiKey => Accepts::API_KEY,
            TokenKind::M2m => Accepts::M2M,
            TokenKind::OAuth => Accepts::OAUTH,
        }
    }
}

impl std::ops::BitOr for Accepts {
    type Output = Accepts;

    fn bitor(self, other: Accepts) -> Accepts {
        self.or(other)
    }
}

impl fmt::Debug for Accepts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kinds = [TokenKind::Session, TokenKind::ApiKey, TokenKind::M2m, TokenKind::OAuth];
        f.debug_set().entries(kinds.iter().filter(|k| self.contains(**k))).finish()
    }
}

/// What a presented token looks like before it is verified: where it must be verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Form {
    /// A JWT that is neither an M2M nor an OAuth token, or anything unrecognised: it can
    /// only be a session token, and session verification decides.
    Session,
    ApiKey,
    M2mOpaque,
    M2mJwt,
    OAuthOpaque,
    OAuthJwt,
}

impl Form {
    pub(super) fn kind(self) -> TokenKind {
        match self {
            Form::Session => TokenKind::Session,
            Form::ApiKey => TokenKind::ApiKey,
            Form::M2mOpaque | Form::M2mJwt => TokenKind::M2m,
            Form::OAuthOpaque | Form::OAuthJwt => TokenKind::OAuth,
        }
    }
}

/// The form of `token`: by its prefix, else, for a JWT, by its (unverified) `typ` and
/// subject, as Clerk's SDKs route tokens.
pub(super) fn form(token: &str) -> Form {
    if token.starts_with("mt_") {
        return Form::M2mOpaque;
    }
    if token.starts_with("oat_") {
        return Form::OAuthOpaque;
    }
    if token.starts_with("ak_") {
        return Form::ApiKey;
    }
    match super::jwt::peek(token) {
        Some(peek) if peek.sub.as_deref().is_some_and(is_machine_subject) => Form::M2mJwt,
        Some(peek) if peek.typ.as_deref().is_some_and(is_oauth_type) => Form::OAuthJwt,
        _ => Form::Session,
    }
}

fn is_machine_subject(sub: &str) -> bool {
    sub.starts_with(MACHINE_SUBJECT_PREFIX)
}

fn is_oauth_type(typ: &str) -> bool {
    OAUTH_JWT_TYPES.contains(&typ)
}

/// Why a verified JWT is not a session token, if it is not one. An absent `cat` is
/// accepted (tokens minted before categories); `sid` is checked with the claims.
pub(super) fn refuse_as_session(typ: Option<&str>, cat: Option<&str>, sub: &str) -> Option<TokenError> {
    if typ.is_some_and(is_oauth_type) {
        return Some(TokenError::OAuthToken);
    }
    if is_machine_subject(sub) || cat == Some(M2M_CATEGORY) {
        return Some(TokenError::M2mToken);
    }
    match cat {
        Some(TEMPLATE_CATEGORY) => return Some(TokenError::JwtTemplate),
        Some(SESSION_CATEGORY | IGNORED_CATEGORY) | None => {}
        Some(other) => return Some(TokenError::UnexpectedCategory(other.to_owned())),
    }
    refuse_type(typ)
}

/// Why a verified JWT is not a JWT-template token, if it is not one: template tokens have
/// the template category, the ignored one or (minted before categories) none.
pub(super) fn refuse_as_template(typ: Option<&str>, cat: Option<&str>, sub: &str) -> Option<TokenError> {
    if typ.is_some_and(is_oauth_type) {
        return Some(TokenError::OAuthToken);
    }
    if is_machine_subject(sub) || cat == Some(M2M_CATEGORY) {
        return Some(TokenError::M2mToken);
    }
    match cat {
        Some(TEMPLATE_CATEGORY | IGNORED_CATEGORY) | None => refuse_type(typ),
        Some(other) => Some(TokenError::UnexpectedCategory(other.to_owned())),
    }
}

/// Why a verified JWT is not an M2M token, if it is not one: its subject must be a
/// machine, and its `cat`, when present, the M2M category.
pub(super) fn refuse_as_m2m(typ: Option<&str>, cat: Option<&str>, sub: &str) -> Option<TokenError> {
    if !is_machine_subject(sub) {
        return Some(TokenError::NotAMachineToken);
    }
    match cat {
        Some(M2M_CATEGORY) | None => refuse_type(typ),
        Some(other) => Some(TokenError::UnexpectedCategory(other.to_owned())),
    }
}

/// Why a verified JWT is not an OAuth access token, if it is not one: its `typ` must be
/// `at+jwt` (or `application/at+jwt`).
pub(super) fn refuse_as_oauth(typ: Option<&str>) -> Option<TokenError> {
    match typ {
        Some(typ) if is_oauth_type(typ) => None,
        Some(typ) => Some(TokenError::UnexpectedType(typ.to_owned())),
        None => Some(TokenError::NotAMachineToken),
    }
}

/// Session, template and M2M JWTs have `typ: JWT` or none.
fn refuse_type(typ: Option<&str>) -> Option<TokenError> {
    typ.filter(|typ| *typ != "JWT").map(|typ| TokenError::UnexpectedType(typ.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use serde_json::json;

    fn jwt(header: serde_json::Value, payload: serde_json::Value) -> String {
        let part = |v: serde_json::Value| URL_SAFE_NO_PAD.encode(v.to_string());
        format!("{}.{}.c2ln", part(header), part(payload))
    }

    #[test]
    fn tokens_are_routed_by_prefix_then_by_jwt_subject_and_type() {
        let rs256 = json!({"alg": "RS256"});
        let cases = [
            ("ak_123".to_owned(), Form::ApiKey),
            ("mt_123".to_owned(), Form::M2mOpaque),
            ("oat_123".to_owned(), Form::OAuthOpaque),
            (jwt(rs256.clone(), json!({"sub": "mch_1"})), Form::M2mJwt),
            (jwt(json!({"alg": "RS256", "typ": "at+jwt"}), json!({"sub": "user_1"})), Form::OAuthJwt),
            (jwt(json!({"alg": "RS256", "typ": "application/at+jwt"}), json!({"sub": "user_1"})), Form::OAuthJwt),
            (jwt(rs256.clone(), json!({"sub": "user_1"})), Form::Session),
            (jwt(json!({"alg": "RS256", "cat": M2M_CATEGORY}), json!({"sub": "user_1"})), Form::Session),
            (jwt(rs256, json!({"sub": 7})), Form::Session),
            ("not a token".to_owned(), Form::Session),
            (String::new(), Form::Session),
        ];
        for (token, expected) in cases {
            assert_eq!(form(&token), expected, "{token}");
        }
    }

    #[test]
    fn only_session_categories_and_types_pass_as_sessions() {
        let refuse = |typ, cat, sub| refuse_as_session(typ, cat, sub).map(|e| e.to_string());
        assert_eq!(refuse(None, None, "user_1"), None);
        assert_eq!(refuse(Some("JWT"), Some(SESSION_CATEGORY), "user_1"), None);
        assert_eq!(refuse(Some("JWT"), Some(IGNORED_CATEGORY), "user_1"), None);
        assert!(matches!(refuse_as_session(Some("at+jwt"), None, "user_1"), Some(TokenError::OAuthToken)));
        assert!(matches!(refuse_as_session(None, None, "mch_1"), Some(TokenError::M2mToken)));
        assert!(matches!(refuse_as_session(None, Some(M2M_CATEGORY), "user_1"), Some(TokenError::M2mToken)));
        assert!(matches!(refuse_as_session(None, Some(TEMPLATE_CATEGORY), "user_1"), Some(TokenError::JwtTemplate)));
        assert!(matches!(
            refuse_as_session(None, Some("cl_new"), "user_1"),
            Some(TokenError::UnexpectedCategory(c)) if c == "cl_new"
        ));
        assert!(matches!(
            refuse_as_session(Some("jwt"), None, "user_1"),
            Some(TokenError::UnexpectedType(t)) if t == "jwt"
        ));
    }

    #[test]
    fn templates_m2m_and_oauth_tokens_have_their_own_rules() {
        assert!(refuse_as_template(None, None, "user_1").is_none());
        assert!(refuse_as_template(Some("JWT"), Some(TEMPLATE_CATEGORY), "user_1").is_none());
        assert!(matches!(
            refuse_as_template(None, Some(SESSION_CATEGORY), "user_1"),
            Some(TokenError::UnexpectedCategory(_))
        ));
        assert!(matches!(refuse_as_template(None, None, "mch_1"), Some(TokenError::M2mToken)));

        assert!(refuse_as_m2m(None, None, "mch_1").is_none());
        assert!(refuse_as_m2m(Some("JWT"), Some(M2M_CATEGORY), "mch_1").is_none());
        assert!(matches!(
            refuse_as_m2m(None, Some(SESSION_CATEGORY), "mch_1"),
            Some(TokenError::UnexpectedCategory(_))
        ));
        assert!(matches!(refuse_as_m2m(None, Some(M2M_CATEGORY), "user_1"), Some(TokenError::NotAMachineToken)));

        assert!(refuse_as_oauth(Some("at+jwt")).is_none());
        assert!(matches!(refuse_as_oauth(Some("JWT")), Some(TokenError::UnexpectedType(_))));
        assert!(matches!(refuse_as_oauth(None), Some(TokenError::NotAMachineToken)));
    }

    #[test]
    fn accepted_kinds_combine() {
        let route = Accepts::SESSION | Accepts::API_KEY;
        assert!(route.contains(TokenKind::Session) && route.contains(TokenKind::ApiKey));
        assert!(!route.contains(TokenKind::M2m) && !route.contains(TokenKind::OAuth));
        assert_eq!(Accepts::MACHINE | Accepts::SESSION, Accepts::ANY);
        assert!(!Accepts::MACHINE.contains(TokenKind::Session));
        assert_eq!(format!("{route:?}"), "{Session, ApiKey}");
    }
}
