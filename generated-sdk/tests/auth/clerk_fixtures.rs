//! Claims and `has()` answers on the payloads of Clerk's own SDK tests, signed with the test
//! key and verified: the role, the permissions and every check agree with Clerk's answers.
//!
//! The payloads and expected answers are those of `clerk/javascript` at commit
//! `e21ae9a4cf189ed20cb04bee94497533cd9d4dbe`:
//! - `packages/shared/src/__tests__/jwtPayloadParser.spec.ts` (v1/v2 organization claims,
//!   feature-permission masks);
//! - `packages/backend/src/tokens/__tests__/authObjects.test.ts` (`has()` on v1 and v2
//!   payloads);
//! - `packages/shared/src/__tests__/authorization.spec.ts` (`createCheckAuthorization`; its
//!   inputs are written here as the v1 claims that give them).
//!
//! Cases that only arise in JavaScript (checks asked with `null` or numbers, an empty
//! `has({})`, an unknown reverification preset) cannot be written with these types.

use std::time::{Duration, UNIX_EPOCH};

use clerk_sdk::auth::{Has, Reverification, SessionClaims, VerificationLevel, VerifyOptions};
use serde_json::{Value, json};

use super::*;

/// `baseClaims` of `jwtPayloadParser.spec.ts`.
fn base_claims() -> Value {
    json!({
        "exp": 1234567890, "iat": 1234567890, "iss": "https://api.clerk.com", "sub": "sub", "sid": "sid",
        "azp": "azp", "nbf": 1234567890, "__raw": "",
    })
}

/// The claims of a token with this payload, verified while `base_claims` is valid.
async fn verified(payload: Value) -> SessionClaims {
    let verifier = pem_verifier(VerifyOptions::default());
    let at = UNIX_EPOCH + Duration::from_secs(1_234_567_889);
    verifier.verify_at(&token(&payload), at).await.unwrap_or_else(|e| panic!("{payload}: {e}"))
}

/// `base_claims` with the fixture's own claims.
async fn parsed(fixture: Value) -> SessionClaims {
    verified(with(base_claims(), fixture)).await
}

/// A partial payload of `authObjects.test.ts` (or options of `authorization.spec.ts`), with
/// the registered claims a signed token needs.
async fn partial(fixture: Value) -> SessionClaims {
    let registered = json!({"exp": 1234567890, "iat": 1234567890, "nbf": 1234567890, "iss": "https://api.clerk.com"});
    verified(with(registered, fixture)).await
}

fn permissions(claims: &SessionClaims) -> Vec<String> {
    claims.organization.as_ref().map(|o| o.permissions.clone()).unwrap_or_default()
}

fn sorted(mut list: Vec<String>) -> Vec<String> {
    list.sort();
    list
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// The parts of the auth object `jwtPayloadParser.spec.ts` compares between v1 and v2.
fn auth_object(claims: &SessionClaims) -> impl PartialEq + std::fmt::Debug {
    (
        claims.sid.clone(),
        claims.status.clone(),
        claims.actor.clone(),
        claims.sub.clone(),
        claims.organization.clone(),
        claims.factor_verification_age,
    )
}

#[tokio::test]
async fn v1_and_v2_payloads_give_the_same_auth_object() {
    // "auth object with JWT v2 does not produces anything org related if there is no org active"
    let v2 = parsed(json!({"v": 2, "fea": "u:impersonation,u:memberships"})).await;
    let v1 = parsed(json!({})).await;
    assert_eq!(auth_object(&v1), auth_object(&v2));
    assert_eq!(v1.organization, None);

    // "produced auth object is the same for v1 and v2"
    let v2 = parsed(json!({
        "v": 2, "fea": "o:impersonation",
        "o": {"id": "org_xxxxxxx", "rol": "admin", "slg": "org_test", "per": "read,manage", "fpm": "3"},
    }))
    .await;
    let v1 = parsed(json!({
        "org_id": "org_xxxxxxx", "org_role": "org:admin", "org_slug": "org_test",
        "org_permissions": ["org:impersonation:read", "org:impersonation:manage"],
    }))
    .await;
    assert_eq!(auth_object(&v1), auth_object(&v2));
    let org = v2.organization.unwrap();
    assert_eq!(
        (org.id.as_str(), org.slug.as_deref(), org.role.as_deref()),
        ("org_xxxxxxx", Some("org_test"), Some("org:admin"))
    );
}

#[tokio::test]
async fn v2_permissions_come_from_features_masks_and_permission_names() {
    let v2 = |fea: &str, per: Option<&str>, fpm: Option<&str>| {
        let mut o = json!({"id": "org_id", "rol": "admin", "slg": "org_slug"});
        if let (Some(per), Some(fpm)) = (per, fpm) {
            o["per"] = json!(per);
            o["fpm"] = json!(fpm);
        }
        json!({"v": 2, "fea": fea, "o": o})
    };
    let cases: [(&str, Value, &[&str]); 10] = [
        (
            "org permissions are generated correctly when fea, per, and fpm are present",
            v2("o:impersonation,o:memberships", Some("read,manage"), Some("1,3")),
            &["org:impersonation:read", "org:memberships:read", "org:memberships:manage"],
        ),
        (
            "features without permissions use zero masks to preserve alignment",
            v2("o:impersonation,o:memberships,o:feature3", Some("read,manage"), Some("1,3,0")),
            &["org:impersonation:read", "org:memberships:read", "org:memberships:manage"],
        ),
        (
            "includes both org and user scoped features",
            v2("uo:impersonation,o:memberships,uo:feature3", Some("read,manage"), Some("1,3,1")),
            &["org:impersonation:read", "org:memberships:read", "org:memberships:manage", "org:feature3:read"],
        ),
        (
            "if there is no o.fpm and o.per org permissions should be empty",
            v2("u:impersonation,u:memberships,u:feature3", None, None),
            &[],
        ),
        (
            "org permissions are constructed correctly",
            v2("ou:memberships,u:impersonation", Some("read,manage"), Some("3,0")),
            &["org:memberships:read", "org:memberships:manage"],
        ),
        (
            "org permissions are constructed correctly case 2",
            v2("o:billing,o:email,o:fraud,o:instance,o:staging_plans", Some("manage,read"), Some("3,3,3,3,1")),
            &[
                "org:billing:manage",
                "org:billing:read",
                "org:email:manage",
                "org:email:read",
                "org:fraud:manage",
                "org:fraud:read",
                "org:instance:manage",
                "org:instance:read",
                "org:staging_plans:manage",
            ],
        ),
        (
            "org permissions are constructed correctly case 3",
            v2("o:repositories,o:projects", Some("read,create,update,delete,revoke"), Some("7,21")),
            &[
                "org:repositories:read",
                "org:repositories:create",
                "org:repositories:update",
                "org:projects:read",
                "org:projects:update",
                "org:projects:revoke",
            ],
        ),
        (
            "org permissions are constructed correctly case 4",
            v2("o:repositories,o:projects,o:webhooks,o:impersonation", Some("read,manage"), Some("1,2,3,0")),
            &["org:repositories:read", "org:projects:manage", "org:webhooks:read", "org:webhooks:manage"],
        ),
        (
            "org permissions are constructed correctly case 5",
            v2(
                "o:repositories,uo:projects,u:goldprofileborder",
                Some("read,create,update,delete,revoke"),
                Some("7,21,0"),
            ),
            &[
                "org:repositories:read",
                "org:repositories:create",
                "org:repositories:update",
                "org:projects:read",
                "org:projects:update",
                "org:projects:revoke",
            ],
        ),
        (
            "keeps permission masks aligned when a targeted feature follows a feature without permissions",
            v2("o:repositories,o:impersonation,o:billing", Some("manage,read,update"), Some("6,0,3")),
            &["org:repositories:read", "org:repositories:update", "org:billing:manage", "org:billing:read"],
        ),
    ];
    for (name, payload, expected) in cases {
        let claims = parsed(payload).await;
        assert_eq!(sorted(permissions(&claims)), sorted(strings(expected)), "{name}");
    }

    // "org role is prefixed with org:"
    let claims = parsed(v2("u:impersonation,u:memberships,u:feature3", None, None)).await;
    assert_eq!(claims.organization.unwrap().role.as_deref(), Some("org:admin"));

    // The exact order, where the fixture asserts it.
    let claims =
        parsed(v2("o:repositories,o:impersonation,o:billing", Some("manage,read,update"), Some("6,0,3"))).await;
    assert_eq!(
        permissions(&claims),
        ["org:repositories:read", "org:repositories:update", "org:billing:manage", "org:billing:read"]
    );
    assert!(!claims.has_permission("org:impersonation:manage"));
    assert!(claims.has_permission("org:billing:manage"));
}

/// `authFromFeaturePermissionMask`: 54 permissions, one feature, the mask under test.
async fn from_mask(fpm: &str) -> SessionClaims {
    let names: Vec<String> = (0..54).map(|i| format!("permission_{i}")).collect();
    parsed(
        json!({"v": 2, "fea": "o:feature", "o": {"id": "org_id", "rol": "admin", "per": names.join(","), "fpm": fpm}}),
    )
    .await
}

#[tokio::test]
async fn masks_beyond_the_safe_integer_boundary_and_malformed_masks() {
    let named = |indexes: &[usize]| indexes.iter().map(|i| format!("org:feature:permission_{i}")).collect::<Vec<_>>();

    // "preserves permissions above the safe integer boundary"
    let claims = from_mask("9007199254740993").await;
    assert_eq!(permissions(&claims), named(&[0, 53]));
    assert!(claims.has_permission("org:feature:permission_0") && claims.has_permission("org:feature:permission_53"));

    // "does not introduce permissions when decoding a mask above the safe integer boundary"
    let claims = from_mask("9007199254740995").await;
    assert_eq!(permissions(&claims), named(&[0, 1, 53]));
    assert!(claims.has_permission("org:feature:permission_1") && !claims.has_permission("org:feature:permission_2"));

    // "discards mask bits outside the declared permission list"
    let claims = from_mask("18014398509481984").await;
    assert_eq!(permissions(&claims), Vec::<String>::new());
    assert!(!claims.has_permission("org:feature:undefined"));

    // "preserves permissions for the safe mask %s"
    for (fpm, indexes) in [("1", &[0][..]), ("3", &[0, 1]), ("7", &[0, 1, 2]), ("21", &[0, 2, 4])] {
        let claims = from_mask(fpm).await;
        assert_eq!(permissions(&claims), named(indexes), "{fpm}");
        assert!(named(indexes).iter().all(|p| claims.has_permission(p)), "{fpm}");
    }

    // "fails closed for the malformed mask %s"
    for fpm in ["1invalid", "-1", "1.5"] {
        let claims = from_mask(fpm).await;
        assert_eq!(permissions(&claims), Vec::<String>::new(), "{fpm}");
        assert!(!claims.has_permission("org:feature:permission_0"), "{fpm}");
    }
}

/// Each `(check, Clerk's answer)` of a fixture.
fn assert_answers(claims: &SessionClaims, answers: &[(Has, bool)], fixture: &str) {
    for (check, expected) in answers {
        assert_eq!(claims.has(check), *expected, "{fixture}: {check:?}");
    }
}

#[tokio::test]
async fn has_answers_on_v1_payloads_match_clerks() {
    let user_scope =
        partial(json!({"___raw": "raw", "act": {"sub": "actor"}, "sid": "sessionId", "sub": "userId"})).await;
    assert_answers(
        &user_scope,
        &[
            (Has::role("org:admin"), false),
            (Has::role("admin"), false),
            (Has::permission("org:f1:read"), false),
            (Has::permission("f1:read"), false),
            (Has::feature("org:reservations"), false),
            (Has::feature("org:impersonation"), false),
        ],
        "JWT v1 has() for user scope",
    );

    for role in ["org:admin", "admin"] {
        let orgs = partial(json!({
            "___raw": "raw", "act": {"sub": "actor"}, "sid": "sessionId", "org_id": "orgId", "org_role": role,
            "org_slug": "orgSlug", "org_permissions": ["org:f1:read", "org:f2:manage"], "sub": "userId",
        }))
        .await;
        assert_answers(
            &orgs,
            &[
                (Has::role("org:admin"), true),
                (Has::role("admin"), true),
                (Has::permission("org:f1:read"), true),
                (Has::permission("f1:read"), true),
                (Has::permission("org:f1"), false),
                (Has::permission("org:f2:manage"), true),
                (Has::permission("org:f2"), false),
                (Has::feature("org:reservations"), false),
                (Has::feature("org:impersonation"), false),
            ],
            &format!("JWT v1 has() for orgs, org_role {role}"),
        );
    }
}

#[tokio::test]
async fn has_answers_on_v2_payloads_match_clerks() {
    let v2 = |rol: &str, fea: &str, fpm: &str, pla: Option<&str>| {
        let mut payload = json!({
            "v": 2, "___raw": "raw", "act": {"sub": "actor"}, "sid": "sessionId", "fea": fea,
            "o": {"id": "orgId", "rol": rol, "slg": "orgSlug", "per": "read,manage", "fpm": fpm}, "sub": "userId",
        });
        if let Some(pla) = pla {
            payload["pla"] = json!(pla);
        }
        payload
    };

    let orgs = partial(v2("admin", "o:reservations,o:impersonation", "3", None)).await;
    assert_answers(
        &orgs,
        &[
            (Has::role("org:admin"), true),
            (Has::role("admin"), true),
            (Has::permission("org:reservations:read"), true),
            (Has::permission("reservations:read"), true),
            (Has::permission("org:reservations"), false),
            (Has::permission("org:reservations:manage"), true),
            (Has::permission("org:impersonation:read"), false),
            (Has::permission("org:impersonation:manage"), false),
            (Has::feature("org:reservations"), true),
            (Has::feature("org:impersonation"), true),
        ],
        "JWT v2 has() for orgs",
    );

    let prefixed = partial(v2("org:admin", "o:reservations,o:impersonation", "3", None)).await;
    assert_answers(
        &prefixed,
        &[(Has::role("org:admin"), true), (Has::role("admin"), true)],
        "JWT v2 `org:` prefix in role",
    );

    let billing = partial(v2(
        "member",
        "o:reservations,u:dashboard,uo:support-chat,o:impersonation",
        "2,3",
        Some("u:pro,o:business"),
    ))
    .await;
    assert_answers(
        &billing,
        &[
            (Has::permission("org:reservations:read"), false),
            (Has::permission("org:reservations:manage"), true),
            (Has::permission("org:support-chat:read"), true),
            (Has::permission("org:support-chat:manage"), true),
            (Has::permission("u:dashboard:manage"), false),
            (Has::permission("u:dashboard:read"), false),
            (Has::feature("org:reservations"), true),
            (Has::feature("user:reservations"), false),
            (Has::feature("org:impersonation"), true),
            (Has::feature("user:impersonation"), false),
            (Has::feature("org:dashboard"), false),
            (Has::feature("user:dashboard"), true),
            (Has::feature("org:support-chat"), true),
            (Has::feature("user:support-chat"), true),
            (Has::plan("org:business"), true),
            (Has::plan("user:business"), false),
            (Has::plan("org:pro"), false),
            (Has::plan("user:pro"), true),
        ],
        "JWT v2 has() for billing with scopes",
    );
    assert_answers(
        &billing,
        &[
            (Has::feature("reservations"), true),
            (Has::feature("dashboard"), true),
            (Has::feature("pro"), false),
            (Has::feature("impersonation"), true),
            (Has::plan("pro"), true),
            (Has::plan("business"), true),
        ],
        "JWT v2 has() for billing without scopes",
    );
}

/// The v1 claims that give `createCheckAuthorization` these options.
async fn authorization(org: Option<(&str, Value, Value)>, features: Value, plans: Value, fva: Value) -> SessionClaims {
    let mut payload = json!({"sub": "user_123", "sid": "sess_123", "fea": features, "pla": plans, "fva": fva});
    if let Some((id, role, permissions)) = org {
        payload["org_id"] = json!(id);
        payload["org_role"] = role;
        payload["org_permissions"] = permissions;
    }
    partial(payload).await
}

#[tokio::test]
async fn authorization_checks_match_clerks() {
    use Reverification::{Strict, StrictMfa};
    let admin = |permissions: Value| Some(("org_123", json!("org:admin"), permissions));
    let read = || json!(["org:sys_memberships:read"]);

    let features = authorization(
        Some(("org_123", json!("admin"), json!(["org:read"]))),
        json!("o:reservations,u:dashboard"),
        json!("free_user,plus_user"),
        json!([1000, 2000]),
    )
    .await;
    assert_answers(
        &features,
        &[
            (Has::feature("o:reservations"), true),
            (Has::feature("org:reservations"), true),
            (Has::feature("organization:reservations"), true),
            (Has::feature("reservations"), true),
            (Has::feature("u:dashboard"), true),
            (Has::feature("user:dashboard"), true),
            (Has::feature("dashboard"), true),
            (Has::feature("lol:dashboard"), false),
        ],
        "correctly parses features",
    );

    let role = authorization(
        Some(("org_123", json!(123), json!(["org:sys_profile:delete"]))),
        json!(""),
        json!(""),
        json!([0, 0]),
    )
    .await;
    assert_answers(&role, &[(Has::role("org:admin"), false)], "fails closed on malformed orgRole claim");
    let perms = authorization(admin(json!({})), json!(""), json!(""), json!([0, 0])).await;
    assert_answers(
        &perms,
        &[(Has::permission("org:sys_profile:delete"), false)],
        "fails closed on malformed orgPermissions claim",
    );
    let bad_features = authorization(admin(json!(["org:read"])), json!({}), json!(""), json!([0, 0])).await;
    assert_answers(&bad_features, &[(Has::feature("org:premium"), false)], "fails closed on malformed features claim");
    let bad_plans = authorization(admin(json!(["org:read"])), json!(""), json!({}), json!([0, 0])).await;
    assert_answers(&bad_plans, &[(Has::plan("u:plus"), false)], "fails closed on malformed plans claim");

    let no_org = authorization(None, json!(""), json!(""), json!([0, 0])).await;
    assert_answers(
        &no_org,
        &[
            (Has::permission("org:sys_profile:delete").and(Has::reverification(Strict)), false),
            (Has::role("org:admin").and(Has::reverification(Strict)), false),
        ],
        "fails permission/role + reverification when org context is missing",
    );

    let no_fva = authorization(admin(json!(["org:sys_profile:delete"])), json!(""), json!(""), Value::Null).await;
    assert_answers(
        &no_fva,
        &[(Has::permission("org:sys_profile:delete").and(Has::reverification(Strict)), false)],
        "fails reverification when factorVerificationAge is null",
    );
    assert!(no_fva.needs_reverification(Strict));
    let text_fva = authorization(None, json!(""), json!(""), json!(["0", "0"])).await;
    assert_answers(
        &text_fva,
        &[(Has::reverification(StrictMfa), false)],
        "fails when factorVerificationAge payload is malformed",
    );
    let negative_fva = authorization(None, json!(""), json!(""), json!([-0.5, 0])).await;
    assert_answers(
        &negative_fva,
        &[(Has::reverification(Strict), false)],
        "fails when factor ages are negative non-sentinel values",
    );

    let fresh = authorization(admin(json!(["org:sys_profile:delete"])), json!(""), json!(""), json!([0, 0])).await;
    let never = Reverification::Within { level: VerificationLevel::MultiFactor, minutes: 0 };
    assert_answers(
        &fresh,
        &[(Has::reverification(never), false)],
        "fails reverification when config object is out of range",
    );
    assert_answers(
        &fresh,
        &[(Has::feature("org:premium").and(Has::reverification(Strict)), false)],
        "fails missing features claim when combined with a passing reverification check",
    );

    let billing_org = authorization(admin(read()), json!("o:reservations"), json!(""), json!([0, 0])).await;
    assert_answers(
        &billing_org,
        &[
            (Has::permission("org:sys_profile:delete").and(Has::feature("org:reservations")), false),
            (Has::permission("org:sys_memberships:read").and(Has::feature("org:reservations")), true),
        ],
        "requires AND across billing and org when both are requested",
    );
    assert_answers(
        &billing_org,
        &[(Has::role("org:admin").and(Has::feature("org:reservations")), true)],
        "authorizes role + feature when both match",
    );
    assert_answers(
        &billing_org,
        &[(
            Has::permission("org:sys_memberships:read")
                .and(Has::feature("org:reservations"))
                .and(Has::reverification(Strict)),
            true,
        )],
        "authorizes every requested dimension when all three match",
    );

    let within_org = authorization(admin(read()), json!(""), json!(""), json!([0, 0])).await;
    assert_answers(
        &within_org,
        &[
            (Has::role("org:admin").and(Has::permission("org:sys_profile:delete")), false),
            (Has::role("org:admin").and(Has::permission("org:sys_memberships:read")), true),
            (Has::role("org:member").and(Has::permission("org:sys_memberships:read")), false),
            (Has::permission("org:sys_memberships:read").and(Has::reverification(Strict)), true),
        ],
        "requires AND within org; authorizes permission + reverification when both match",
    );

    let within_billing =
        authorization(admin(json!(["org:read"])), json!("o:reservations"), json!("u:plus"), json!([0, 0])).await;
    assert_answers(
        &within_billing,
        &[
            (Has::feature("org:reservations").and(Has::plan("u:plus")), true),
            (Has::feature("org:reservations").and(Has::plan("u:free")), false),
            (Has::feature("org:missing").and(Has::plan("u:plus")), false),
        ],
        "requires AND within billing when both feature and plan are requested",
    );

    let empty_features = authorization(admin(json!(["org:read"])), json!(""), json!(""), json!([0, 0])).await;
    assert_answers(
        &empty_features,
        &[(Has::feature("org:premium"), false)],
        "fails feature check when features claim is missing or empty",
    );

    let cross = authorization(admin(read()), json!("o:reservations"), json!("u:plus"), json!([0, 0])).await;
    assert_answers(
        &cross,
        &[
            (Has::role("org:admin").and(Has::feature("org:missing")), false),
            (Has::role("org:admin").and(Has::plan("u:free")), false),
            (Has::role("org:admin").and(Has::feature("org:reservations")), true),
        ],
        "requires AND across org and billing with cross-dimension combos",
    );

    let one_factor = authorization(admin(read()), json!(""), json!(""), json!([0, -1])).await;
    assert_answers(
        &one_factor,
        &[(Has::permission("org:sys_memberships:read").and(Has::reverification(StrictMfa)), true)],
        "authorizes permission + strict_mfa via graceful downgrade when no second factor is enrolled",
    );
    let no_factors = authorization(admin(read()), json!(""), json!(""), json!([-1, -1])).await;
    assert_answers(
        &no_factors,
        &[(Has::permission("org:sys_memberships:read").and(Has::reverification(Strict)), false)],
        "fails permission + reverification when no factors are enrolled",
    );
    assert!(no_factors.needs_reverification(Reverification::Lax));
}
