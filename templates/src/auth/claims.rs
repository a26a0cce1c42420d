//! The claims of a session token, read as Clerk's SDKs read them: organization claims
//! from either format (v1 `org_*`, v2 `o` with feature-scoped permissions), the session
//! status, the actor, the factor verification age, features and plans.

use super::TokenError;
use super::has::{self, Has, Reverification};
use super::jwt::{Claims, Registered};

/// The claims of a verified session token.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SessionClaims {
    /// The user id (`sub`).
    pub sub: String,
    /// The session id (`sid`); every session token has one.
    pub sid: String,
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
    /// The claims format (`v`): 1 when absent, 2 for the compact format.
    pub version: u32,
    /// The session's status (`sts`), for instances that include it.
    pub status: Option<SessionStatus>,
    /// Who is acting as the user (`act`), when the session is an impersonation.
    pub actor: Option<Actor>,
    /// How long ago the user last verified each factor (`fva`), for instances that
    /// include it.
    pub factor_verification_age: Option<FactorVerificationAge>,
    /// The active organization, if any.
    pub organization: Option<OrganizationClaims>,
    /// Features of the user's and the organization's plans (`fea`).
    pub features: Entitlements,
    /// Plans of the user and the organization (`pla`).
    pub plans: Entitlements,
    /// Every claim, including the ones above, as sent.
    pub extra: Claims,
}

/// The claims of a verified JWT-template token.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TemplateClaims {
    /// The subject (`sub`), usually the user id.
    pub sub: String,
    /// The issuer (`iss`).
    pub iss: String,
    /// The origin the token was issued for (`azp`).
    pub azp: Option<String>,
    /// Expiry, seconds since the epoch (`exp`).
    pub exp: i64,
    /// Not before (`nbf`).
    pub nbf: Option<i64>,
    /// Issued at (`iat`).
    pub iat: Option<i64>,
    /// Every claim, as the template made them.
    pub extra: Claims,
}

impl TemplateClaims {
    pub(super) fn read(registered: Registered, claims: Claims) -> TemplateClaims {
        TemplateClaims {
            sub: registered.sub,
            iss: registered.iss.unwrap_or_default(),
            azp: registered.azp,
            exp: registered.exp,
            nbf: registered.nbf,
            iat: registered.iat,
            extra: claims,
        }
    }

    /// The claims as your own type.
    pub fn custom<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        T::deserialize(&serde_json::Value::Object(self.extra.clone()))
    }
}

/// The organization a session is active in, the same from either claims format.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OrganizationClaims {
    /// `org_id` / `o.id`.
    pub id: String,
    /// `org_slug` / `o.slg`.
    pub slug: Option<String>,
    /// The role, `org:`-prefixed: `org_role` as sent, or `org:` + `o.rol`.
    pub role: Option<String>,
    /// The permissions: `org_permissions` as sent, or (v2) `org:{feature}:{permission}` for
    /// each organization feature in `fea` whose `o.fpm` mask has the permission's bit.
    pub permissions: Vec<String>,
}

/// A session's status (`sts`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionStatus {
    /// A signed-in session.
    Active,
    /// A session with tasks left to do (e.g. choosing an organization): signed out unless
    /// [`VerifyOptions::accept_pending_sessions`](super::VerifyOptions::accept_pending_sessions).
    Pending,
    /// A status this SDK does not know, as sent.
    Other(String),
}

/// Who acts as the user in an impersonation session (`act`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Actor {
    /// The impersonator's user id.
    pub sub: String,
    /// The impersonator's issuer, when sent.
    pub iss: Option<String>,
    /// The impersonator's session id, when sent.
    pub sid: Option<String>,
}

/// Minutes since the user last verified each factor (`fva`); `None` for a factor group the
/// user has not enabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct FactorVerificationAge {
    /// Minutes since the first factor (password, code, …) was verified.
    pub first_factor: Option<u32>,
    /// Minutes since the second factor was verified.
    pub second_factor: Option<u32>,
}

/// Scoped entitlements (features or plans): `o:` entries belong to the organization,
/// `u:` ones to the user, `ou:`/`uo:` ones to both.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Entitlements {
    /// The organization's.
    pub organization: Vec<String>,
    /// The user's.
    pub user: Vec<String>,
}

impl Entitlements {
    /// Reads `o:a,u:b,ou:c`. Like Clerk's SDKs, an entry without a scope makes the whole
    /// claim unreadable, which grants nothing; unknown scopes are skipped.
    fn parse(claim: Option<&str>) -> Entitlements {
        let mut out = Entitlements::default();
        for part in claim.filter(|c| !c.is_empty()).into_iter().flat_map(|c| c.split(',')) {
            let Some((scope, name)) = part.trim().split_once(':') else {
                return Entitlements::default();
            };
            let (organization, user) = match scope {
                "o" => (true, false),
                "u" => (false, true),
                "ou" | "uo" => (true, true),
                _ => (false, false),
            };
            if organization {
                out.organization.push(name.to_owned());
            }
            if user {
                out.user.push(name.to_owned());
            }
        }
        out
    }
}

impl SessionClaims {
    /// Reads the claims of a verified token (whose category, times and origin are checked).
    pub(super) fn read(registered: Registered, claims: Claims) -> Result<SessionClaims, TokenError> {
        let text = |name: &str| claims.get(name).and_then(|v| v.as_str());
        let sid = text("sid").filter(|sid| !sid.is_empty()).ok_or(TokenError::MissingSessionId)?.to_owned();
        let version = claims.get("v").and_then(|v| v.as_u64()).and_then(|v| u32::try_from(v).ok()).unwrap_or(1);
        let features = Entitlements::parse(text("fea"));
        let organization = match version {
            2 => claims.get("o").and_then(|o| o.as_object()).and_then(|o| organization_v2(o, &features)),
            _ => organization_v1(&claims),
        };
        Ok(SessionClaims {
            sid,
            version,
            status: text("sts").map(SessionStatus::read),
            actor: claims.get("act").map(Actor::read).transpose()?,
            factor_verification_age: claims.get("fva").and_then(FactorVerificationAge::read),
            organization,
            plans: Entitlements::parse(text("pla")),
            features,
            sub: registered.sub,
            iss: registered.iss.unwrap_or_default(),
            azp: registered.azp,
            exp: registered.exp,
            nbf: registered.nbf,
            iat: registered.iat,
            extra: claims,
        })
    }

    /// Whether the session passes every requirement of `check`, as Clerk's `has()` decides:
    /// roles and permissions of the active organization, features and plans, and how
    /// recently the user verified their factors.
    ///
    /// ```
    /// # fn run(claims: &clerk_sdk::auth::SessionClaims) {
    /// use clerk_sdk::auth::{Has, Reverification};
    ///
    /// let may_delete = claims.has(&Has::permission("org:invoices:delete").and(Has::reverification(Reverification::Strict)));
    /// # let _ = may_delete; }
    /// ```
    pub fn has(&self, check: &Has) -> bool {
        has::check(self, check)
    }

    /// Whether the active organization gives the user `role` (`org:admin`; the `org:`
    /// prefix is optional).
    pub fn has_role(&self, role: &str) -> bool {
        self.has(&Has::role(role))
    }

    /// Whether the active organization gives the user `permission` (`org:invoices:read`).
    pub fn has_permission(&self, permission: &str) -> bool {
        self.has(&Has::permission(permission))
    }

    /// Whether the user or the organization has `feature` (`org:sso`, `user:sso` or `sso`).
    pub fn has_feature(&self, feature: &str) -> bool {
        self.has(&Has::feature(feature))
    }

    /// Whether the user or the organization is on `plan` (`org:pro`, `user:pro` or `pro`).
    pub fn has_plan(&self, plan: &str) -> bool {
        self.has(&Has::plan(plan))
    }

    /// Whether the user must verify again before an action that asks for `level`: true
    /// unless they verified recently enough (and always when the token has no `fva`).
    pub fn needs_reverification(&self, level: Reverification) -> bool {
        !self.has(&Has::reverification(level))
    }

    /// Whether the session still has tasks left (`sts: pending`).
    pub fn is_pending(&self) -> bool {
        self.status == Some(SessionStatus::Pending)
    }

    /// The claims as your own type, e.g. the custom claims you added to the session token.
    ///
    /// ```
    /// # fn run(claims: &clerk_sdk::auth::SessionClaims) -> Result<(), serde_json::Error> {
    /// #[derive(serde::Deserialize)]
    /// struct Custom {
    ///     tier: String,
    /// }
    /// let custom: Custom = claims.custom()?;
    /// # let _ = custom.tier; Ok(()) }
    /// ```
    pub fn custom<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        T::deserialize(&serde_json::Value::Object(self.extra.clone()))
    }
}

impl SessionStatus {
    fn read(status: &str) -> SessionStatus {
        match status {
            "active" => SessionStatus::Active,
            "pending" => SessionStatus::Pending,
            other => SessionStatus::Other(other.to_owned()),
        }
    }
}

impl Actor {
    /// An `act` claim must name its actor: a session whose impersonator cannot be told must
    /// not pass for the user's own.
    fn read(act: &serde_json::Value) -> Result<Actor, TokenError> {
        let text = |name: &str| act.get(name).and_then(|v| v.as_str()).map(str::to_owned);
        let sub = text("sub").ok_or_else(|| TokenError::Malformed("`act` has no `sub`".into()))?;
        Ok(Actor { sub, iss: text("iss"), sid: text("sid") })
    }
}

impl FactorVerificationAge {
    /// `[first, second]` in minutes, -1 for a factor group that is not enabled; anything
    /// else is unreadable, which fails every reverification check.
    fn read(fva: &serde_json::Value) -> Option<FactorVerificationAge> {
        let age = |v: &serde_json::Value| match v.as_i64()? {
            -1 => Some(None),
            minutes => u32::try_from(minutes).ok().map(Some),
        };
        match fva.as_array()?.as_slice() {
            [first, second] => Some(FactorVerificationAge { first_factor: age(first)?, second_factor: age(second)? }),
            _ => None,
        }
    }
}

fn organization_v1(claims: &Claims) -> Option<OrganizationClaims> {
    let text = |name: &str| claims.get(name).and_then(|v| v.as_str()).map(str::to_owned);
    Some(OrganizationClaims {
        id: text("org_id")?,
        slug: text("org_slug"),
        role: text("org_role"),
        permissions: claims
            .get("org_permissions")
            .and_then(|p| p.as_array())
            .map(|p| p.iter().filter_map(|v| v.as_str()).map(str::to_owned).collect())
            .unwrap_or_default(),
    })
}

fn organization_v2(o: &Claims, features: &Entitlements) -> Option<OrganizationClaims> {
    let text = |name: &str| o.get(name).and_then(|v| v.as_str()).filter(|v| !v.is_empty());
    Some(OrganizationClaims {
        id: text("id")?.to_owned(),
        slug: text("slg").map(str::to_owned),
        role: text("rol").map(|role| format!("org:{role}")),
        permissions: feature_permissions(&features.organization, text("per"), text("fpm")),
    })
}

/// `org:{feature}:{permission}` for every organization feature and every permission whose
/// bit is set in that feature's mask. `per` lists the permissions (bit i is the i-th);
/// `fpm` has one decimal mask per feature, in `fea` order. An unreadable mask grants
/// nothing for its feature and keeps the others aligned.
fn feature_permissions(features: &[String], per: Option<&str>, fpm: Option<&str>) -> Vec<String> {
    let (Some(per), Some(fpm)) = (per, fpm) else { return Vec::new() };
    let permissions: Vec<&str> = per.split(',').map(str::trim).collect();
    let masks = fpm.split(',').map(|mask| bits(mask.trim()).unwrap_or_default());
    let mut out = Vec::new();
    for (feature, mask) in features.iter().zip(masks) {
        for (permission, set) in permissions.iter().zip(mask) {
            if set {
                out.push(format!("org:{feature}:{permission}"));
            }
        }
    }
    out
}

/// The bits of a non-negative decimal integer of any length, least significant first;
/// `None` unless it is ASCII digits only.
fn bits(decimal: &str) -> Option<Vec<bool>> {
    if decimal.is_empty() || !decimal.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut digits: Vec<u8> = decimal.bytes().map(|b| b - b'0').skip_while(|d| *d == 0).collect();
    let mut out = Vec::new();
    // Long division by two: each pass yields the lowest remaining bit.
    while !digits.is_empty() {
        let mut remainder = 0;
        for digit in &mut digits {
            let value = remainder * 10 + *digit;
            *digit = value / 2;
            remainder = value % 2;
        }
        out.push(remainder == 1);
        let leading = digits.iter().take_while(|d| **d == 0).count();
        digits.drain(..leading);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(payload: serde_json::Value) -> Result<SessionClaims, TokenError> {
        let claims = payload.as_object().unwrap().clone();
        let registered = serde_json::from_value(payload).unwrap();
        SessionClaims::read(registered, claims)
    }

    fn session(extra: serde_json::Value) -> serde_json::Value {
        let mut payload = json!({"sub": "user_1", "sid": "sess_1", "iss": "https://i", "exp": 1});
        payload.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        payload
    }

    #[test]
    fn masks_decode_at_any_length() {
        let set = |decimal: &str| {
            bits(decimal).map(|b| b.iter().enumerate().filter(|(_, s)| **s).map(|(i, _)| i).collect::<Vec<_>>())
        };
        assert_eq!(set("0"), Some(vec![]));
        assert_eq!(set("000"), Some(vec![]));
        assert_eq!(set("21"), Some(vec![0, 2, 4]));
        assert_eq!(set("0013"), Some(vec![0, 2, 3]));
        // 2^53 + 1 and 2^127: beyond f64 and u64 precision.
        assert_eq!(set("9007199254740993"), Some(vec![0, 53]));
        assert_eq!(set("170141183460469231731687303715884105728"), Some(vec![127]));
        for bad in ["", "-1", "1.5", "1invalid", " 1", "١"] {
            assert_eq!(bits(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn entitlements_split_by_scope_and_fail_closed_without_one() {
        let parsed = Entitlements::parse(Some("o:a, u:b,ou:c,uo:d,x:e"));
        assert_eq!(parsed.organization, ["a", "c", "d"]);
        assert_eq!(parsed.user, ["b", "c", "d"]);
        assert_eq!(Entitlements::parse(Some("o:a,b")), Entitlements::default());
        assert_eq!(Entitlements::parse(Some("")), Entitlements::default());
        assert_eq!(Entitlements::parse(None), Entitlements::default());
    }

    #[test]
    fn v2_permissions_stay_aligned_across_empty_names_and_unreadable_masks() {
        let features = ["a".to_owned(), "b".to_owned(), "c".to_owned()];
        // "x,,z": the empty name still holds bit 1; mask "?" for b grants nothing.
        assert_eq!(
            feature_permissions(&features, Some("x,,z"), Some("5,?,7")),
            ["org:a:x", "org:a:z", "org:c:x", "org:c:", "org:c:z"]
        );
        assert!(feature_permissions(&features, None, Some("1")).is_empty());
        assert!(feature_permissions(&features, Some("x"), None).is_empty());
        // More masks than features, and bits beyond the permissions, are ignored.
        assert_eq!(feature_permissions(&features[..1], Some("x"), Some("3,1")), ["org:a:x"]);
    }

    #[test]
    fn typed_claims_are_read_and_unreadable_ones_fail_closed() {
        let claims = read(session(json!({
            "v": 2, "sts": "pending", "act": {"sub": "user_admin", "iss": "https://dashboard"}, "fva": [3, -1],
            "fea": "o:a", "pla": "u:pro",
        })))
        .unwrap();
        assert_eq!(
            (claims.version, claims.status.clone(), claims.is_pending()),
            (2, Some(SessionStatus::Pending), true)
        );
        assert_eq!(
            claims.actor,
            Some(Actor { sub: "user_admin".into(), iss: Some("https://dashboard".into()), sid: None })
        );
        assert_eq!(
            claims.factor_verification_age,
            Some(FactorVerificationAge { first_factor: Some(3), second_factor: None })
        );
        assert_eq!((claims.organization, claims.plans.user), (None, vec!["pro".to_owned()]));

        for fva in [json!([1]), json!([1, 2, 3]), json!(["1", 2]), json!([-2, 0]), json!([1.5, 0]), json!("1,2")] {
            assert_eq!(read(session(json!({"fva": fva.clone()}))).unwrap().factor_verification_age, None, "{fva}");
        }
        assert_eq!(
            read(session(json!({"sts": "abandoned"}))).unwrap().status,
            Some(SessionStatus::Other("abandoned".into()))
        );
        assert_eq!(read(session(json!({"v": "2"}))).unwrap().version, 1);
        assert!(matches!(read(session(json!({"act": {"iss": "x"}}))), Err(TokenError::Malformed(_))));
        assert!(matches!(read(session(json!({"act": "user_admin"}))), Err(TokenError::Malformed(_))));
        let mut no_sid = session(json!({}));
        no_sid.as_object_mut().unwrap().remove("sid");
        assert!(matches!(read(no_sid), Err(TokenError::MissingSessionId)));
        assert!(matches!(read(session(json!({"sid": ""}))), Err(TokenError::MissingSessionId)));
        assert!(matches!(read(session(json!({"sid": 7}))), Err(TokenError::MissingSessionId)));
    }

    #[test]
    fn organizations_read_from_the_format_the_version_names() {
        let v1 = read(session(json!({"org_id": "org_1", "org_role": "org:admin", "org_permissions": ["a", 1, "b"]})))
            .unwrap()
            .organization
            .unwrap();
        assert_eq!(
            (v1.id.as_str(), v1.slug, v1.role.as_deref(), v1.permissions),
            ("org_1", None, Some("org:admin"), vec!["a".to_owned(), "b".into()])
        );
        // A v2 `o` is read only in a v2 token, and v1 claims only in a v1 token.
        assert_eq!(read(session(json!({"o": {"id": "org_2"}}))).unwrap().organization, None);
        assert_eq!(read(session(json!({"v": 2, "org_id": "org_1"}))).unwrap().organization, None);
        let v2 = read(session(json!({"v": 2, "fea": "o:f", "o": {"id": "org_2", "slg": "two", "rol": "admin", "per": "read", "fpm": "1"}})))
            .unwrap()
            .organization
            .unwrap();
        assert_eq!(
            (v2.id.as_str(), v2.slug.as_deref(), v2.role.as_deref(), v2.permissions),
            ("org_2", Some("two"), Some("org:admin"), vec!["org:f:read".to_owned()])
        );
        assert_eq!(read(session(json!({"v": 2, "o": {"slg": "no id"}}))).unwrap().organization, None);
        assert_eq!(read(session(json!({"org_slug": "no id"}))).unwrap().organization, None);
    }

    #[test]
    fn custom_claims_deserialize_into_your_type() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Custom {
            tier: String,
            sid: String,
        }
        let claims = read(session(json!({"tier": "gold"}))).unwrap();
        assert_eq!(claims.custom::<Custom>().unwrap(), Custom { tier: "gold".into(), sid: "sess_1".into() });
        assert!(claims.custom::<std::collections::HashMap<String, u8>>().is_err());
    }
}
