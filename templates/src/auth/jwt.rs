//! The JWT itself: splitting and decoding a token, its RS256 signature, and the checks of
//! its claims.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

use super::{RsaKey, TokenError, VerifyOptions};

/// The organization a session is active in, from either claim format: v1 (`org_id`,
/// `org_slug`, `org_role`, `org_permissions`) or v2 (`o: {id, slg, rol, per}`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OrganizationClaims {
    /// `org_id` / `o.id`.
    pub id: String,
    /// `org_slug` / `o.slg`.
    pub slug: Option<String>,
    /// `org_role` / `o.rol` (v2 drops the `org:` prefix).
    pub role: Option<String>,
    /// `org_permissions` (v1) or the comma-separated `o.per` (v2).
    pub permissions: Vec<String>,
}

/// The claims of a verified session token. Claims this type does not name are in `extra`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SessionClaims {
    /// The user id (`sub`).
    pub sub: String,
    /// The session id (`sid`).
    pub sid: Option<String>,
    /// The issuer, the instance's Frontend API URL (`iss`).
    pub iss: String,
    /// The origin the token was issued for (`azp`).
    pub azp: Option<String>,
    /// Expiry, seconds since the epoch (`exp`).
    pub exp: i64,
    /// Not before (`nbf`).
    pub nbf: Option<i64>,
    /// Issued at (`iat`).
    pub iat: Option<i64>,
    /// The active organization, if any.
    pub organization: Option<OrganizationClaims>,
    /// Features (`fea`), when present.
    pub features: Option<String>,
    /// Plans (`pla`), when present.
    pub plans: Option<String>,
    /// Every claim, including the ones above, as sent.
    pub extra: serde_json::Map<String, serde_json::Value>,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    kid: Option<String>,
}

#[derive(Deserialize)]
struct RawClaims {
    sub: String,
    iss: String,
    exp: i64,
    #[serde(default)]
    sid: Option<String>,
    #[serde(default)]
    azp: Option<String>,
    #[serde(default)]
    nbf: Option<i64>,
    #[serde(default)]
    iat: Option<i64>,
    #[serde(default)]
    aud: Option<serde_json::Value>,
}

/// A token split into its parts, with an acceptable header. Its payload is read only once
/// the signature is verified.
pub(super) struct Token<'t> {
    kid: Option<String>,
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
        Ok(Token { kid: header.kid, signed, payload, signature })
    }

    /// The key id the header names.
    pub(super) fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    pub(super) fn verify_signature(&self, key: &RsaKey) -> Result<(), TokenError> {
        ring::signature::RsaPublicKeyComponents { n: &key.n, e: &key.e }
            .verify(&ring::signature::RSA_PKCS1_2048_8192_SHA256, self.signed.as_bytes(), &self.signature)
            .map_err(|_| TokenError::InvalidSignature)
    }

    /// The claims, checked against `options` as of `now`.
    pub(super) fn claims(&self, options: &VerifyOptions, now: SystemTime) -> Result<SessionClaims, TokenError> {
        let extra: serde_json::Map<String, serde_json::Value> = decode_json(self.payload)?;
        let raw: RawClaims = serde_json::from_value(serde_json::Value::Object(extra.clone()))
            .map_err(|e| TokenError::Malformed(format!("claims: {e}")))?;
        check(&raw, options, now)?;
        Ok(SessionClaims {
            organization: organization(&extra),
            features: extra.get("fea").and_then(|v| v.as_str()).map(str::to_owned),
            plans: extra.get("pla").and_then(|v| v.as_str()).map(str::to_owned),
            sub: raw.sub,
            sid: raw.sid,
            iss: raw.iss,
            azp: raw.azp,
            exp: raw.exp,
            nbf: raw.nbf,
            iat: raw.iat,
            extra,
        })
    }
}

fn check(claims: &RawClaims, options: &VerifyOptions, now: SystemTime) -> Result<(), TokenError> {
    let now = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs() as i64;
    let skew = options.clock_skew.as_secs() as i64;
    if claims.exp + skew <= now {
        return Err(TokenError::Expired { expired_at: claims.exp });
    }
    if let Some(nbf) = claims.nbf.filter(|nbf| *nbf > now + skew) {
        return Err(TokenError::NotYetValid { not_before: nbf });
    }
    if let Some(iat) = claims.iat.filter(|iat| *iat > now + skew) {
        return Err(TokenError::IssuedInTheFuture { issued_at: iat });
    }
    let issuer_ok = match &options.issuer {
        Some(expected) => claims.iss == *expected,
        None => claims.iss.starts_with("https://"),
    };
    if !issuer_ok {
        return Err(TokenError::InvalidIssuer(claims.iss.clone()));
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

fn organization(claims: &serde_json::Map<String, serde_json::Value>) -> Option<OrganizationClaims> {
    let text = |v: Option<&serde_json::Value>| v.and_then(|v| v.as_str()).map(str::to_owned);
    if let Some(o) = claims.get("o").and_then(|o| o.as_object()) {
        return Some(OrganizationClaims {
            id: text(o.get("id"))?,
            slug: text(o.get("slg")),
            role: text(o.get("rol")),
            permissions: text(o.get("per"))
                .map(|p| p.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect())
                .unwrap_or_default(),
        });
    }
    Some(OrganizationClaims {
        id: text(claims.get("org_id"))?,
        slug: text(claims.get("org_slug")),
        role: text(claims.get("org_role")),
        permissions: claims
            .get("org_permissions")
            .and_then(|p| p.as_array())
            .map(|p| p.iter().filter_map(|v| v.as_str()).map(str::to_owned).collect())
            .unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::time::Duration;

    fn part(value: serde_json::Value) -> String {
        URL_SAFE_NO_PAD.encode(value.to_string())
    }

    fn raw(claims: serde_json::Value) -> RawClaims {
        serde_json::from_value(claims).unwrap()
    }

    const NOW: u64 = 1_700_000_000;

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    #[test]
    fn a_token_parses_into_its_signed_text_and_signature_without_reading_the_payload() {
        let header = part(json!({"alg": "RS256", "kid": "ins_1"}));
        let token = format!("{header}.not base64!.c2ln");
        let parsed = Token::parse(&token).unwrap();
        assert_eq!(
            (parsed.kid(), parsed.signed, parsed.signature.as_slice()),
            (Some("ins_1"), &token[..header.len() + 12], &b"sig"[..])
        );
        assert!(matches!(parsed.claims(&VerifyOptions::default(), at(NOW)), Err(TokenError::Malformed(_))));
    }

    #[test]
    fn only_three_part_rs256_tokens_parse() {
        let rs256 = part(json!({"alg": "RS256"}));
        for bad in ["", "a.b", "a.b.c.d", "!!.b.c", &format!("{}.b.c", part(json!({"kid": "x"})))] {
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
        let options = VerifyOptions::default().clock_skew(Duration::from_secs(5));
        let now = NOW as i64;
        let check_at = |claims| check(&raw(claims), &options, at(NOW));
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
    fn issuer_party_and_audience_are_checked_when_asked_for() {
        let claims = |extra: serde_json::Value| {
            let mut c = json!({"sub": "u", "iss": "https://clerk.example.com", "exp": NOW + 60});
            c.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            raw(c)
        };
        let any = VerifyOptions::default();
        assert!(check(&claims(json!({})), &any, at(NOW)).is_ok());
        assert!(matches!(
            check(&claims(json!({"iss": "http://clerk.example.com"})), &any, at(NOW)),
            Err(TokenError::InvalidIssuer(_))
        ));
        let strict = VerifyOptions::default()
            .issuer("https://clerk.example.com")
            .authorized_parties(["https://app.example.com"])
            .audience(["api"]);
        let good = json!({"azp": "https://app.example.com", "aud": "api"});
        assert!(check(&claims(good), &strict, at(NOW)).is_ok());
        assert!(matches!(
            check(&claims(json!({"iss": "https://other.example.com"})), &strict, at(NOW)),
            Err(TokenError::InvalidIssuer(_))
        ));
        assert!(matches!(
            check(&claims(json!({"aud": "api"})), &strict, at(NOW)),
            Err(TokenError::UnauthorizedParty(None))
        ));
        let party = |aud: serde_json::Value| claims(json!({"azp": "https://app.example.com", "aud": aud}));
        assert!(check(&party(json!(["other", "api"])), &strict, at(NOW)).is_ok());
        for aud in [json!("other"), json!([]), json!(7), json!(null)] {
            assert!(matches!(check(&party(aud), &strict, at(NOW)), Err(TokenError::InvalidAudience)));
        }
    }

    #[test]
    fn organizations_read_from_either_claim_format() {
        let map = |v: serde_json::Value| v.as_object().unwrap().clone();
        let v1 =
            organization(&map(json!({"org_id": "org_1", "org_role": "org:admin", "org_permissions": ["a", 1, "b"]})))
                .unwrap();
        assert_eq!(
            (v1.id.as_str(), v1.slug, v1.role.as_deref(), v1.permissions),
            ("org_1", None, Some("org:admin"), vec!["a".to_owned(), "b".into()])
        );
        let v2 = organization(&map(json!({"o": {"id": "org_2", "slg": "two", "per": "read,,manage"}}))).unwrap();
        assert_eq!(
            (v2.id.as_str(), v2.slug.as_deref(), v2.permissions),
            ("org_2", Some("two"), vec!["read".to_owned(), "manage".into()])
        );
        assert_eq!(organization(&map(json!({"o": {"slg": "no id"}}))), None);
        assert_eq!(organization(&map(json!({"org_slug": "no id"}))), None);
    }
}
