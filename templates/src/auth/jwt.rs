//! The JWT itself: splitting and decoding a token, its RS256 signature, and the checks of
//! its registered claims (`exp`, `nbf`, `iat`, `iss`, `azp`, `aud`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

use super::{RsaKey, TokenError, VerifyOptions};

/// A JSON object: a token's payload.
pub(super) type Claims = serde_json::Map<String, serde_json::Value>;

#[derive(Deserialize)]
struct Header {
    alg: String,
    kid: Option<String>,
    typ: Option<String>,
    cat: Option<String>,
}

/// A token split into its parts, with an acceptable algorithm. Its payload is read only
/// once the signature is verified.
pub(super) struct Token<'t> {
    kid: Option<String>,
    typ: Option<String>,
    cat: Option<String>,
    /// `header.payload`, the signed text.
    signed: &'t str,
    payload: &'t str,
    signature: Vec<u8>,
}

impl<'t> Token<'t> {
    pub(super) fn parse(token: &'t str) -> Result<Self, TokenError> {
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed("a JWT has three parts".into()));
        };
        let header_len = header.len();
        let header: Header = decode_json(header)?;
        // Only RS256: `none` and HMAC (with the public key as the secret) are the classic
        // algorithm-confusion attacks.
        if header.alg != "RS256" {
            return Err(TokenError::UnsupportedAlgorithm(header.alg));
        }
        let signature =
            URL_SAFE_NO_PAD.decode(signature).map_err(|e| TokenError::Malformed(format!("signature: {e}")))?;
        let signed = &token[..header_len + 1 + payload.len()];
        Ok(Token { kid: header.kid, typ: header.typ, cat: header.cat, signed, payload, signature })
    }

    /// The key id the header names.
    pub(super) fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The header's `typ`.
    pub(super) fn typ(&self) -> Option<&str> {
        self.typ.as_deref()
    }

    /// The header's `cat`: Clerk's token category.
    pub(super) fn cat(&self) -> Option<&str> {
        self.cat.as_deref()
    }

    /// Verifies the signature; only then is the payload worth reading.
    pub(super) fn verify(&self, key: &RsaKey) -> Result<Verified, TokenError> {
        ring::signature::RsaPublicKeyComponents { n: &key.n, e: &key.e }
            .verify(&ring::signature::RSA_PKCS1_2048_8192_SHA256, self.signed.as_bytes(), &self.signature)
            .map_err(|_| TokenError::InvalidSignature)?;
        let claims: Claims = decode_json(self.payload)?;
        let registered = Registered::deserialize(&serde_json::Value::Object(claims.clone()))
            .map_err(|e| TokenError::Malformed(format!("claims: {e}")))?;
        Ok(Verified { registered, claims })
    }
}

/// The payload of a token whose signature is valid.
pub(super) struct Verified {
    pub registered: Registered,
    /// Every claim, as sent.
    pub claims: Claims,
}

/// The registered claims Clerk's JWTs carry.
#[derive(Debug, Deserialize)]
pub(super) struct Registered {
    pub sub: String,
    pub exp: i64,
    #[serde(default)]
    pub iss: Option<String>,
    #[serde(default)]
    pub azp: Option<String>,
    #[serde(default)]
    pub nbf: Option<i64>,
    #[serde(default)]
    pub iat: Option<i64>,
    #[serde(default)]
    pub aud: Option<serde_json::Value>,
}

/// Seconds since the epoch (0 before it).
fn seconds(time: SystemTime) -> i64 {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    i64::try_from(since).unwrap_or(i64::MAX)
}

/// Checks `exp`, `nbf` and `iat` as of `now`, allowing `skew` either way.
pub(super) fn check_times(claims: &Registered, skew: Duration, now: SystemTime) -> Result<(), TokenError> {
    let now = seconds(now);
    let skew = i64::try_from(skew.as_secs()).unwrap_or(i64::MAX);
    if claims.exp.saturating_add(skew) <= now {
        return Err(TokenError::Expired { expired_at: claims.exp });
    }
    if let Some(nbf) = claims.nbf.filter(|nbf| *nbf > now.saturating_add(skew)) {
        return Err(TokenError::NotYetValid { not_before: nbf });
    }
    if let Some(iat) = claims.iat.filter(|iat| *iat > now.saturating_add(skew)) {
        return Err(TokenError::IssuedInTheFuture { issued_at: iat });
    }
    Ok(())
}

/// Checks what a session (or JWT-template) token must satisfy besides its times: the
/// issuer, the authorized party and the audience.
pub(super) fn check_origin(claims: &Registered, options: &VerifyOptions) -> Result<(), TokenError> {
    let iss = claims.iss.as_deref().unwrap_or_default();
    let issuer_ok = match &options.issuer {
        Some(expected) => iss == expected,
        None => iss.starts_with("https://"),
    };
    if !issuer_ok {
        return Err(TokenError::InvalidIssuer(iss.to_owned()));
    }
    let parties = &options.authorized_parties;
    if !parties.is_empty() && !claims.azp.as_ref().is_some_and(|azp| parties.contains(azp)) {
        return Err(TokenError::UnauthorizedParty(claims.azp.clone()));
    }
    if let Some(accepted) = &options.audience {
        let audiences: Vec<&str> = match &claims.aud {
            Some(serde_json::Value::String(a)) => vec![a.as_str()],
            Some(serde_json::Value::Array(list)) => list.iter().filter_map(|a| a.as_str()).collect(),
            _ => Vec::new(),
        };
        if !audiences.iter().any(|a| accepted.iter().any(|b| b == a)) {
            return Err(TokenError::InvalidAudience);
        }
    }
    Ok(())
}

fn decode_json<T: serde::de::DeserializeOwned>(part: &str) -> Result<T, TokenError> {
    let bytes = URL_SAFE_NO_PAD.decode(part).map_err(|e| TokenError::Malformed(format!("base64: {e}")))?;
    serde_json::from_slice(&bytes).map_err(|e| TokenError::Malformed(format!("JSON: {e}")))
}

/// What an unverified JWT says it is; only for routing it to the right verification.
pub(super) struct Peek {
    pub typ: Option<String>,
    pub sub: Option<String>,
}

/// The `typ` and `sub` of something shaped like a JWT (three base64url parts), unverified.
pub(super) fn peek(token: &str) -> Option<Peek> {
    #[derive(Deserialize)]
    struct Header {
        typ: Option<String>,
    }
    #[derive(Deserialize)]
    struct Payload {
        sub: Option<serde_json::Value>,
    }
    let base64url =
        |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    let parts: Vec<&str> = token.split('.').collect();
    let [header, payload, signature] = parts[..] else { return None };
    if ![header, payload, signature].into_iter().all(base64url) {
        return None;
    }
    let header: Header = decode_json(header).ok()?;
    let payload: Payload = decode_json(payload).ok()?;
    let sub = payload.sub.and_then(|sub| sub.as_str().map(str::to_owned));
    Some(Peek { typ: header.typ, sub })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn part(value: serde_json::Value) -> String {
        URL_SAFE_NO_PAD.encode(value.to_string())
    }

    fn raw(claims: serde_json::Value) -> Registered {
        serde_json::from_value(claims).unwrap()
    }

    const NOW: u64 = 1_700_000_000;

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    #[test]
    fn a_token_parses_into_its_header_signed_text_and_signature_without_reading_the_payload() {
        let header = part(json!({"alg": "RS256", "kid": "ins_1", "typ": "JWT", "cat": "cl_B7d4PD111AAA"}));
        let token = format!("{header}.not base64!.c2ln");
        let parsed = Token::parse(&token).unwrap();
        assert_eq!(
            (parsed.kid(), parsed.typ(), parsed.cat(), parsed.signed, parsed.signature.as_slice()),
            (Some("ins_1"), Some("JWT"), Some("cl_B7d4PD111AAA"), &token[..header.len() + 12], &b"sig"[..])
        );
    }

    #[test]
    fn only_three_part_rs256_tokens_parse() {
        let rs256 = part(json!({"alg": "RS256"}));
        let typ_number = part(json!({"alg": "RS256", "typ": 1}));
        for bad in [
            "",
            "a.b",
            "a.b.c.d",
            "!!.b.c",
            &format!("{}.b.c", part(json!({"kid": "x"}))),
            &format!("{typ_number}.b.c"),
        ] {
            assert!(matches!(Token::parse(bad), Err(TokenError::Malformed(_))), "{bad:?}");
        }
        assert!(
            matches!(Token::parse(&format!("{rs256}.b.*")), Err(TokenError::Malformed(why)) if why.starts_with("signature"))
        );
        for alg in ["none", "HS256", "RS512", "rs256"] {
            let token = format!("{}.b.", part(json!({"alg": alg})));
            assert!(matches!(Token::parse(&token), Err(TokenError::UnsupportedAlgorithm(a)) if a == alg));
        }
    }

    #[test]
    fn time_claims_are_checked_with_the_clock_skew() {
        let skew = Duration::from_secs(5);
        let now = NOW as i64;
        let check_at = |claims| check_times(&raw(claims), skew, at(NOW));
        let base = |exp: i64| json!({"sub": "u", "iss": "https://i", "exp": exp});
        assert!(check_at(base(now - 4)).is_ok());
        assert!(matches!(check_at(base(now - 5)), Err(TokenError::Expired { expired_at }) if expired_at == now - 5));
        let mut early = base(now + 60);
        early["nbf"] = json!(now + 6);
        assert!(matches!(check_at(early.clone()), Err(TokenError::NotYetValid { .. })));
        early["nbf"] = json!(now + 5);
        assert!(check_at(early).is_ok());
        let mut future = base(now + 60);
        future["iat"] = json!(now + 6);
        assert!(matches!(check_at(future), Err(TokenError::IssuedInTheFuture { issued_at }) if issued_at == now + 6));
    }

    #[test]
    fn extreme_times_and_skews_do_not_overflow() {
        let claims = raw(json!({"sub": "u", "exp": i64::MAX, "nbf": i64::MIN, "iat": i64::MIN}));
        assert!(check_times(&claims, Duration::MAX, at(NOW)).is_ok());
        assert!(check_times(&claims, Duration::ZERO, SystemTime::UNIX_EPOCH - Duration::from_secs(1)).is_ok());
        let expired = raw(json!({"sub": "u", "exp": i64::MIN}));
        assert!(matches!(check_times(&expired, Duration::MAX, at(NOW)), Err(TokenError::Expired { .. })));
        let future = raw(json!({"sub": "u", "exp": i64::MAX, "nbf": i64::MAX}));
        assert!(matches!(check_times(&future, Duration::ZERO, at(NOW)), Err(TokenError::NotYetValid { .. })));
    }

    #[test]
    fn issuer_party_and_audience_are_checked_when_asked_for() {
        let claims = |extra: serde_json::Value| {
            let mut c = json!({"sub": "u", "iss": "https://clerk.example.com", "exp": NOW + 60});
            c.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            raw(c)
        };
        let any = VerifyOptions::default();
        assert!(check_origin(&claims(json!({})), &any).is_ok());
        assert!(matches!(
            check_origin(&claims(json!({"iss": "http://clerk.example.com"})), &any),
            Err(TokenError::InvalidIssuer(_))
        ));
        assert!(matches!(
            check_origin(&raw(json!({"sub": "u", "exp": 1})), &any),
            Err(TokenError::InvalidIssuer(iss)) if iss.is_empty()
        ));
        let strict = VerifyOptions::default()
            .issuer("https://clerk.example.com")
            .authorized_parties(["https://app.example.com"])
            .audience(["api"]);
        let good = json!({"azp": "https://app.example.com", "aud": "api"});
        assert!(check_origin(&claims(good), &strict).is_ok());
        assert!(matches!(
            check_origin(&claims(json!({"iss": "https://other.example.com"})), &strict),
            Err(TokenError::InvalidIssuer(_))
        ));
        assert!(matches!(
            check_origin(&claims(json!({"aud": "api"})), &strict),
            Err(TokenError::UnauthorizedParty(None))
        ));
        let party = |aud: serde_json::Value| claims(json!({"azp": "https://app.example.com", "aud": aud}));
        assert!(check_origin(&party(json!(["other", "api"])), &strict).is_ok());
        for aud in [json!("other"), json!([]), json!(7), json!(null)] {
            assert!(matches!(check_origin(&party(aud), &strict), Err(TokenError::InvalidAudience)));
        }
    }

    #[test]
    fn peeking_needs_three_base64url_parts_of_json() {
        let header = part(json!({"alg": "RS256", "typ": "at+jwt"}));
        let payload = part(json!({"sub": "mch_1"}));
        let peeked = peek(&format!("{header}.{payload}.c2ln")).unwrap();
        assert_eq!((peeked.typ.as_deref(), peeked.sub.as_deref()), (Some("at+jwt"), Some("mch_1")));
        let numeric = peek(&format!("{header}.{}.c2ln", part(json!({"sub": 1})))).unwrap();
        assert_eq!(numeric.sub, None);
        for bad in [
            format!("{header}.{payload}."),
            format!("{header}.{payload}"),
            format!("{header}.{payload}.a.b"),
            format!("{header}.{payload}.c2ln=="),
            format!("{header}.bm90IGpzb24.c2ln"),
            "ak_1".to_owned(),
        ] {
            assert!(peek(&bad).is_none(), "{bad}");
        }
    }
}
