//! Why a token was refused, and why a request is signed out.

use std::fmt;
use std::time::Duration;

use super::TokenKind;

/// Why a token was refused. Each refusal has its own variant; none carries the token.
#[derive(Debug)]
#[non_exhaustive]
pub enum TokenError {
    /// Not a JWT: wrong number of parts, bad base64 or bad JSON, or a required claim missing.
    Malformed(String),
    /// The header names an algorithm other than RS256 (`none`, `HS256`, …).
    UnsupportedAlgorithm(String),
    /// The header's `typ` is not the one this kind of token has (`JWT`, or `at+jwt`).
    UnexpectedType(String),
    /// An OAuth access token (`typ: at+jwt`) where a session or template token was expected.
    OAuthToken,
    /// An M2M token (machine subject or M2M category) where a session or template token
    /// was expected.
    M2mToken,
    /// A JWT-template token where a session token was expected: it has no session, so
    /// signing out does not revoke it.
    JwtTemplate,
    /// A token category (`cat`) that this kind of token does not have.
    UnexpectedCategory(String),
    /// A session token without a session id (`sid`), such as a JWT-template token minted
    /// before token categories.
    MissingSessionId,
    /// A pending session (`sts: pending`) while pending sessions count as signed out.
    PendingSession,
    /// A session token where a machine token was expected.
    NotAMachineToken,
    /// No key with the token's `kid`, even after fetching the JWKS again.
    UnknownKey(Option<String>),
    /// The signature does not match: the token was altered or signed with another key.
    InvalidSignature,
    /// `exp` is in the past (beyond the allowed clock skew).
    Expired {
        /// The token's `exp`, seconds since the epoch.
        expired_at: i64,
    },
    /// `nbf` is in the future (beyond the allowed clock skew).
    NotYetValid {
        /// The token's `nbf`.
        not_before: i64,
    },
    /// `iat` is in the future (beyond the allowed clock skew).
    IssuedInTheFuture {
        /// The token's `iat`.
        issued_at: i64,
    },
    /// `iss` is not the expected issuer.
    InvalidIssuer(String),
    /// `azp` is not one of the authorized parties.
    UnauthorizedParty(Option<String>),
    /// `aud` does not contain an accepted audience.
    InvalidAudience,
    /// The key could not be read (bad PEM, unsupported key type).
    InvalidKey(String),
    /// Fetching the JWKS failed.
    Jwks(crate::Error),
    /// The JWKS answered without a single RSA signing key.
    EmptyJwks,
    /// No keys: the last JWKS fetch failed, and the next is not due for this long.
    JwksUnavailable {
        /// Until the next fetch may start.
        retry_in: Duration,
    },
    /// The Backend API does not know this machine token (or it is malformed).
    UnknownMachineToken,
    /// The machine token was revoked.
    Revoked,
    /// The Backend API reports the OAuth access token as not active.
    Inactive,
    /// An opaque machine token, but no client to verify it with the Backend API.
    NoBackendApi,
    /// Verifying a machine token with the Backend API failed (invalid secret key, outage,
    /// timeout).
    Verification(crate::Error),
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenError::Malformed(why) => write!(f, "malformed token: {why}"),
            TokenError::UnsupportedAlgorithm(alg) => write!(f, "unsupported algorithm {alg:?}: only RS256 is accepted"),
            TokenError::UnexpectedType(typ) => write!(f, "unexpected token type (typ) {typ:?}"),
            TokenError::OAuthToken => f.write_str("an OAuth access token, not a session token"),
            TokenError::M2mToken => f.write_str("an M2M token, not a session token"),
            TokenError::JwtTemplate => f.write_str("a JWT-template token, not a session token"),
            TokenError::UnexpectedCategory(cat) => write!(f, "unexpected token category (cat) {cat:?}"),
            TokenError::MissingSessionId => f.write_str("no session id (sid): not a session token"),
            TokenError::PendingSession => f.write_str("the session is pending"),
            TokenError::NotAMachineToken => f.write_str("not a machine token"),
            TokenError::UnknownKey(kid) => write!(f, "no key with kid {kid:?}"),
            TokenError::InvalidSignature => f.write_str("invalid signature"),
            TokenError::Expired { expired_at } => write!(f, "token expired at {expired_at}"),
            TokenError::NotYetValid { not_before } => write!(f, "token not valid before {not_before}"),
            TokenError::IssuedInTheFuture { issued_at } => write!(f, "token issued in the future ({issued_at})"),
            TokenError::InvalidIssuer(iss) => write!(f, "unexpected issuer {iss:?}"),
            TokenError::UnauthorizedParty(azp) => write!(f, "unauthorized party {azp:?}"),
            TokenError::InvalidAudience => f.write_str("no accepted audience"),
            TokenError::InvalidKey(why) => write!(f, "invalid key: {why}"),
            TokenError::Jwks(e) => write!(f, "cannot fetch the JWKS: {e}"),
            TokenError::EmptyJwks => f.write_str("the JWKS has no RSA signing key"),
            TokenError::JwksUnavailable { retry_in } => {
                write!(f, "no keys: the last JWKS fetch failed; the next may start in {retry_in:?}")
            }
            TokenError::UnknownMachineToken => f.write_str("unknown machine token"),
            TokenError::Revoked => f.write_str("the token was revoked"),
            TokenError::Inactive => f.write_str("the token is not active"),
            TokenError::NoBackendApi => f.write_str("opaque machine tokens need a client to verify them with"),
            TokenError::Verification(e) => write!(f, "cannot verify the machine token: {e}"),
        }
    }
}

impl std::error::Error for TokenError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TokenError::Jwks(e) | TokenError::Verification(e) => Some(e),
            _ => None,
        }
    }
}

/// Why a request is signed out.
#[derive(Debug)]
#[non_exhaustive]
pub enum SignedOutReason {
    /// No token: no `Authorization: Bearer` header, and no `__session` cookie where
    /// sessions are accepted.
    NoToken,
    /// A token of a kind the route does not accept (it was not verified).
    NotAccepted(TokenKind),
    /// A token that failed verification.
    InvalidToken(TokenError),
}

impl fmt::Display for SignedOutReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignedOutReason::NoToken => f.write_str("signed out: no token"),
            SignedOutReason::NotAccepted(kind) => write!(f, "signed out: this route does not accept {kind}s"),
            SignedOutReason::InvalidToken(e) => write!(f, "signed out: {e}"),
        }
    }
}

impl std::error::Error for SignedOutReason {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SignedOutReason::InvalidToken(e) => Some(e),
            _ => None,
        }
    }
}
