//! Session tokens: what verifies, what is refused and with which error, and how requests
//! present them.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use clerk_sdk::auth::{Accepts, AuthState, SessionStatus, SignedOutReason, TokenError, TokenKind, VerifyOptions};
use serde_json::{Value, json};

use super::*;

#[tokio::test]
async fn a_valid_token_verifies_with_typed_claims() {
    let verifier =
        pem_verifier(VerifyOptions::default().issuer(ISSUER).authorized_parties(["https://app.example.com"]));
    let claims = verifier.verify(&token(&claims())).await.unwrap();
    assert_eq!((claims.sub.as_str(), claims.sid.as_str(), claims.version), ("user_1", "sess_1", 1));
    let org = claims.organization.as_ref().unwrap();
    assert_eq!(
        (org.id.as_str(), org.slug.as_deref(), org.role.as_deref()),
        ("org_1", Some("engines"), Some("org:admin"))
    );
    assert_eq!(org.permissions, ["org:sys_memberships:manage"]);
    assert!(claims.has_role("admin") && claims.has_permission("org:sys_memberships:manage"));
    assert_eq!(claims.extra["custom"]["plan"], "pro", "unknown claims are kept");
    #[derive(serde::Deserialize)]
    struct Custom {
        custom: Plan,
    }
    #[derive(serde::Deserialize)]
    struct Plan {
        plan: String,
    }
    assert_eq!(claims.custom::<Custom>().unwrap().custom.plan, "pro");

    // The v2 form gives the same organization claims: `org:` + `o.rol`, and the
    // permissions of the organization's features, from the `o.fpm` masks.
    let mut v2 = claims_without_org();
    v2["v"] = json!(2);
    v2["o"] = json!({"id": "org_1", "slg": "engines", "rol": "admin", "per": "manage,read", "fpm": "1"});
    v2["fea"] = json!("o:sys_memberships,u:dashboard");
    v2["pla"] = json!("o:pro");
    v2["sts"] = json!("active");
    v2["fva"] = json!([2, -1]);
    v2["act"] = json!({"sub": "user_support", "iss": "https://dashboard.clerk.com"});
    let v2 = verifier.verify(&token(&v2)).await.unwrap();
    assert_eq!(v2.organization, claims.organization);
    assert_eq!(
        (v2.version, v2.status.clone(), v2.actor.as_ref().map(|a| a.sub.as_str())),
        (2, Some(SessionStatus::Active), Some("user_support"))
    );
    assert_eq!(
        (v2.features.organization.clone(), v2.features.user.clone(), v2.plans.organization.clone()),
        (vec!["sys_memberships".to_owned()], vec!["dashboard".to_owned()], vec!["pro".to_owned()])
    );
    let fva = v2.factor_verification_age.unwrap();
    assert_eq!((fva.first_factor, fva.second_factor), (Some(2), None));
}

fn claims_without_org() -> Value {
    let mut c = claims();
    for key in ["org_id", "org_slug", "org_role", "org_permissions"] {
        c.as_object_mut().unwrap().remove(key);
    }
    c
}

#[tokio::test]
async fn bad_tokens_are_rejected_with_distinct_errors() {
    let verifier = pem_verifier(
        VerifyOptions::default()
            .issuer(ISSUER)
            .authorized_parties(["https://app.example.com"])
            .clock_skew(Duration::from_secs(5)),
    );
    let changed = |key: &str, value: Value| token(&with(claims(), json!({ key: value })));
    let check = async |token: String| verifier.verify(&token).await.unwrap_err();

    assert!(matches!(check(changed("exp", json!(now() - 60))).await, TokenError::Expired { .. }));
    assert!(matches!(check(changed("nbf", json!(now() + 60))).await, TokenError::NotYetValid { .. }));
    assert!(matches!(check(changed("iat", json!(now() + 60))).await, TokenError::IssuedInTheFuture { .. }));
    assert!(matches!(check(changed("iss", json!("https://evil.example.com"))).await, TokenError::InvalidIssuer(_)));
    assert!(matches!(check(changed("azp", json!("https://evil.example.com"))).await, TokenError::UnauthorizedParty(_)));

    // Within the clock skew is fine.
    assert!(verifier.verify(&changed("exp", json!(now() - 2))).await.is_ok());

    // A payload swapped under the original signature.
    let good = token(&claims());
    let parts: Vec<&str> = good.split('.').collect();
    let forged = with(claims(), json!({"sub": "user_admin"}));
    let tampered = format!("{}.{}.{}", parts[0], encode(&forged), parts[2]);
    assert!(matches!(check(tampered).await, TokenError::InvalidSignature));

    // Signed with another key.
    let other = sign(&json!({"alg": "RS256", "kid": "ins_1"}), &claims(), &key_pair("test-rsa-private-2.pem"));
    assert!(matches!(check(other).await, TokenError::InvalidSignature));

    // `alg: none`, and HS256 with the public key as the HMAC secret (algorithm confusion).
    let none = format!("{}.{}.", encode(&json!({"alg": "none"})), encode(&claims()));
    assert!(matches!(check(none).await, TokenError::UnsupportedAlgorithm(alg) if alg == "none"));
    let signed = format!("{}.{}", encode(&json!({"alg": "HS256", "kid": "ins_1"})), encode(&claims()));
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, fixture("test-rsa-public.pem").as_bytes());
    let hs256 = format!("{signed}.{}", URL_SAFE_NO_PAD.encode(ring::hmac::sign(&key, signed.as_bytes()).as_ref()));
    assert!(matches!(check(hs256).await, TokenError::UnsupportedAlgorithm(alg) if alg == "HS256"));

    assert!(matches!(check("not-a-jwt".into()).await, TokenError::Malformed(_)));

    // The audience, when one is required.
    let verifier = pem_verifier(VerifyOptions::default().audience(["api://orders"]));
    assert!(matches!(verifier.verify(&token(&claims())).await, Err(TokenError::InvalidAudience)));
    assert!(verifier.verify(&changed("aud", json!(["api://orders", "other"]))).await.is_ok());
}

/// A header with these members besides `alg` and `kid`.
fn header(extra: Value) -> Value {
    with(json!({"alg": "RS256", "kid": "ins_1"}), extra)
}

#[tokio::test]
async fn tokens_of_other_kinds_signed_by_the_same_key_are_refused_as_sessions_each_with_its_own_error() {
    let verifier = pem_verifier(VerifyOptions::default());
    let key = test_key();
    let registered = json!({"iss": ISSUER, "exp": now() + 60, "iat": now() - 10, "nbf": now() - 10});

    let oauth = sign(
        &header(json!({"typ": "at+jwt"})),
        &with(registered.clone(), json!({"sub": "user_1", "client_id": "client_1", "jti": "oat_1", "scp": ["read"]})),
        &key,
    );
    let m2m = sign(
        &header(json!({"typ": "JWT", "cat": M2M_CATEGORY})),
        &with(registered.clone(), json!({"sub": "mch_1", "jti": "mt_1"})),
        &key,
    );
    // M2M JWTs minted before token categories: the machine subject gives them away.
    let m2m_uncategorised =
        sign(&header(json!({"typ": "JWT"})), &with(registered.clone(), json!({"sub": "mch_1"})), &key);
    // A user's token stamped with the M2M category.
    let m2m_category = sign(&header(json!({"cat": M2M_CATEGORY})), &with(claims(), json!({})), &key);
    let template = sign(
        &header(json!({"typ": "JWT", "cat": TEMPLATE_CATEGORY})),
        &with(registered.clone(), json!({"sub": "user_1", "aud": "api"})),
        &key,
    );
    // JWT-template tokens minted before token categories have no session id.
    let template_uncategorised = sign(
        &header(json!({"typ": "JWT"})),
        &with(registered.clone(), json!({"sub": "user_1", "email": "a@b.c"})),
        &key,
    );
    let unknown_category = sign(&header(json!({"cat": "cl_Z9z9ZZ999ZZZ"})), &claims(), &key);
    let other_type = sign(&header(json!({"typ": "JWS"})), &claims(), &key);

    let refusal = async |token: &str| verifier.verify(token).await.unwrap_err();
    assert!(matches!(refusal(&oauth).await, TokenError::OAuthToken));
    assert!(matches!(refusal(&m2m).await, TokenError::M2mToken));
    assert!(matches!(refusal(&m2m_uncategorised).await, TokenError::M2mToken));
    assert!(matches!(refusal(&m2m_category).await, TokenError::M2mToken));
    assert!(matches!(refusal(&template).await, TokenError::JwtTemplate));
    assert!(matches!(refusal(&template_uncategorised).await, TokenError::MissingSessionId));
    assert!(
        matches!(refusal(&unknown_category).await, TokenError::UnexpectedCategory(cat) if cat == "cl_Z9z9ZZ999ZZZ")
    );
    assert!(matches!(refusal(&other_type).await, TokenError::UnexpectedType(typ) if typ == "JWS"));
    let mut messages = std::collections::BTreeSet::new();
    for token in [&oauth, &m2m, &template, &template_uncategorised, &unknown_category, &other_type] {
        messages.insert(refusal(token).await.to_string());
    }
    assert_eq!(messages.len(), 6, "each refusal says what it is: {messages:?}");

    // As sessions, the same claims pass with the session category, the ignored one or none.
    for cat in [json!(SESSION_CATEGORY), json!("cl_I7d4PD111III"), Value::Null] {
        let session = sign(&header(json!({"typ": "JWT", "cat": cat})), &claims(), &key);
        assert!(verifier.verify(&session).await.is_ok(), "{cat}");
    }

    // Template tokens have their own entry point, which refuses sessions and machines.
    let claims = verifier.verify_jwt_template(&template).await.unwrap();
    assert_eq!((claims.sub.as_str(), &claims.extra["aud"]), ("user_1", &json!("api")));
    assert_eq!(verifier.verify_jwt_template(&template_uncategorised).await.unwrap().extra["email"], "a@b.c");
    assert!(matches!(
        verifier.verify_jwt_template(&token(&super::claims())).await,
        Err(TokenError::UnexpectedCategory(_))
    ));
    assert!(matches!(verifier.verify_jwt_template(&m2m).await, Err(TokenError::M2mToken)));
    assert!(matches!(verifier.verify_jwt_template(&oauth).await, Err(TokenError::OAuthToken)));

    // And requests that present them as sessions are signed out.
    let state = verifier.authenticate_request(&bearer(&template), Accepts::SESSION).await;
    assert!(matches!(state, AuthState::SignedOut(SignedOutReason::InvalidToken(TokenError::JwtTemplate))));
    let state = verifier.authenticate_request(&bearer(&m2m), Accepts::SESSION).await;
    assert!(matches!(state, AuthState::SignedOut(SignedOutReason::NotAccepted(TokenKind::M2m))));
}

#[tokio::test]
async fn a_pending_session_is_signed_out_unless_pending_sessions_are_accepted() {
    let pending = token(&with(claims(), json!({"v": 2, "sts": "pending"})));
    let strict = pem_verifier(VerifyOptions::default());
    assert!(matches!(strict.verify(&pending).await, Err(TokenError::PendingSession)));
    let state = strict.authenticate_request(&bearer(&pending), Accepts::SESSION).await;
    assert!(matches!(&state, AuthState::SignedOut(SignedOutReason::InvalidToken(TokenError::PendingSession))));
    assert_eq!(state.into_principal().unwrap_err().to_string(), "signed out: the session is pending");

    let lenient = pem_verifier(VerifyOptions::default().accept_pending_sessions(true));
    let state = lenient.authenticate_request(&bearer(&pending), Accepts::SESSION).await;
    let claims = state.claims().unwrap();
    assert!(claims.is_pending() && claims.status == Some(SessionStatus::Pending));

    let active = token(&with(super::claims(), json!({"v": 2, "sts": "active"})));
    assert!(strict.verify(&active).await.is_ok());
}

#[tokio::test]
async fn requests_authenticate_by_bearer_header_or_session_cookie() {
    let verifier = pem_verifier(VerifyOptions::default());
    let token = token(&claims());

    let state = verifier.authenticate_request(&bearer(&token), Accepts::SESSION).await;
    assert_eq!(state.claims().unwrap().sub, "user_1");

    let cookie = format!("theme=dark; __session={token}; other=1");
    let state = verifier.authenticate_request(&request(Some(("cookie", cookie.clone()))), Accepts::SESSION).await;
    assert_eq!(state.claims().unwrap().sid, "sess_1");
    // A route for machines only does not read the session cookie.
    let state = verifier.authenticate_request(&request(Some(("cookie", cookie))), Accepts::MACHINE).await;
    assert!(matches!(state, AuthState::SignedOut(SignedOutReason::NoToken)));

    let state = verifier.authenticate_request(&request(None), Accepts::SESSION).await;
    assert!(matches!(state, AuthState::SignedOut(SignedOutReason::NoToken)));
    assert_eq!(state.into_principal().unwrap_err().to_string(), "signed out: no token");

    let state = verifier.authenticate_request(&bearer("not.a.token"), Accepts::SESSION).await;
    assert!(matches!(state, AuthState::SignedOut(SignedOutReason::InvalidToken(TokenError::Malformed(_)))));

    let state = verifier
        .authenticate_request(&request(Some(("authorization", "Basic dXNlcjpwYXNz".into()))), Accepts::ANY)
        .await;
    assert!(matches!(state, AuthState::SignedOut(SignedOutReason::NoToken)));
}

/// A small deterministic generator, so that the inputs are the same on every run.
struct Xorshift(u64);

impl Xorshift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

#[tokio::test]
async fn malformed_tokens_and_headers_are_refused_without_panicking() {
    let verifier = pem_verifier(VerifyOptions::default());
    let good = token(&claims());
    let parts: Vec<&str> = good.split('.').collect();
    let header = encode(&json!({"alg": "RS256", "cat": 7}));
    let pieces = [
        ".", "..", "ak_", "mt_", "oat_", "eyJ", parts[0], parts[1], parts[2], "=", "%", "é", "\u{0}", " ", "Bearer ",
        &header, "bnVsbA", "W10", "e30", "ImFiYyI",
    ];
    let mut random = Xorshift(0x9e37_79b9_7f4a_7c15);
    for _ in 0..3_000 {
        let token: String = (0..random.next() % 8).map(|_| random.pick(&pieces)).collect();
        for accepts in [Accepts::SESSION, Accepts::ANY] {
            let state = verifier.authenticate_token(&token, accepts).await;
            assert!(state.claims().is_none() || token == good, "{token:?}");
        }
        let _ = verifier.verify_jwt_template(&token).await;
        let _ = verifier.verify_machine_token(&token).await;
        if let Ok(value) = http::HeaderValue::from_str(&token) {
            let mut request = http::Request::new(());
            request.headers_mut().insert(http::header::AUTHORIZATION, value.clone());
            request.headers_mut().insert(http::header::COOKIE, value);
            let _ = verifier.authenticate_request(&request, Accepts::ANY).await;
        }
    }
    // Bit flips anywhere in a valid token.
    for i in 0..good.len() {
        let mut bytes = good.clone().into_bytes();
        bytes[i] ^= 0x01;
        if let Ok(flipped) = String::from_utf8(bytes) {
            assert!(verifier.verify(&flipped).await.is_err(), "flipped byte {i}");
        }
    }
}
