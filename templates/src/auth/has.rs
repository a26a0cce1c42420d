//! Authorization checks on a session, decided as Clerk's `has()` decides them.

use super::claims::{Entitlements, FactorVerificationAge, SessionClaims};

/// What to check a session for: one requirement, or several joined with
/// [`and`](Has::and), all of which must pass. Like Clerk's `has()`.
///
/// ```
/// use clerk_sdk::auth::{Has, Reverification};
///
/// let admin = Has::role("org:admin");
/// let delete = Has::permission("org:invoices:delete").and(Has::reverification(Reverification::Strict));
/// # let _ = (admin, delete);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Has(Vec<Requirement>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Requirement {
    Role(String),
    Permission(String),
    Feature(String),
    Plan(String),
    Reverification(Reverification),
}

impl Has {
    /// The active organization gives the user this role (`org:admin`, or `admin`).
    pub fn role(role: impl Into<String>) -> Has {
        Has(vec![Requirement::Role(role.into())])
    }

    /// The active organization gives the user this permission (`org:invoices:read`).
    pub fn permission(permission: impl Into<String>) -> Has {
        Has(vec![Requirement::Permission(permission.into())])
    }

    /// The user or the organization has this feature: `org:name` (also `o:`,
    /// `organization:`), `user:name` (also `u:`), or `name` for either.
    pub fn feature(feature: impl Into<String>) -> Has {
        Has(vec![Requirement::Feature(feature.into())])
    }

    /// The user or the organization is on this plan, scoped as for
    /// [`feature`](Has::feature).
    pub fn plan(plan: impl Into<String>) -> Has {
        Has(vec![Requirement::Plan(plan.into())])
    }

    /// The user verified their factors recently enough for `level`.
    pub fn reverification(level: Reverification) -> Has {
        Has(vec![Requirement::Reverification(level)])
    }

    /// Both this and `other`.
    pub fn and(mut self, other: Has) -> Has {
        self.0.extend(other.0);
        self
    }
}

/// How recently a user must have verified their factors, with Clerk's presets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reverification {
    /// Every enabled factor within 10 minutes.
    StrictMfa,
    /// The second factor (else the first) within 10 minutes.
    Strict,
    /// The second factor (else the first) within an hour.
    Moderate,
    /// The second factor (else the first) within a day.
    Lax,
    /// Your own: which factors, and within how many minutes (more than zero).
    Within {
        /// Which factors must have been verified.
        level: VerificationLevel,
        /// How many minutes ago at most.
        minutes: u32,
    },
}

/// Which factors a reverification asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerificationLevel {
    /// The first factor.
    FirstFactor,
    /// The second factor, or the first for users without one.
    SecondFactor,
    /// Both factors, or the first for users without a second.
    MultiFactor,
}

impl Reverification {
    fn requirement(self) -> Option<(VerificationLevel, u32)> {
        match self {
            Reverification::StrictMfa => Some((VerificationLevel::MultiFactor, 10)),
            Reverification::Strict => Some((VerificationLevel::SecondFactor, 10)),
            Reverification::Moderate => Some((VerificationLevel::SecondFactor, 60)),
            Reverification::Lax => Some((VerificationLevel::SecondFactor, 1_440)),
            Reverification::Within { minutes: 0, .. } => None,
            Reverification::Within { level, minutes } => Some((level, minutes)),
        }
    }
}

/// Whether `claims` pass every requirement of `check`; nothing passes an empty check.
pub(super) fn check(claims: &SessionClaims, check: &Has) -> bool {
    !claims.sub.is_empty() && !check.0.is_empty() && check.0.iter().all(|r| passes(claims, r))
}

fn passes(claims: &SessionClaims, requirement: &Requirement) -> bool {
    let organization = claims.organization.as_ref().filter(|o| !o.id.is_empty());
    match requirement {
        Requirement::Role(role) => organization
            .and_then(|o| o.role.as_deref())
            .is_some_and(|mine| !mine.is_empty() && with_org_prefix(mine) == with_org_prefix(role)),
        Requirement::Permission(permission) => {
            organization.is_some_and(|o| o.permissions.contains(&with_org_prefix(permission)))
        }
        Requirement::Feature(feature) => entitled(&claims.features, feature),
        Requirement::Plan(plan) => entitled(&claims.plans, plan),
        Requirement::Reverification(level) => fresh_enough(claims.factor_verification_age, *level),
    }
}

/// `org:` once in front, however many times it was there.
fn with_org_prefix(value: &str) -> String {
    let mut rest = value;
    while let Some(stripped) = rest.strip_prefix("org:") {
        rest = stripped;
    }
    format!("org:{rest}")
}

/// Whether `query` (`scope:name` or `name`) is among the entitlements.
fn entitled(entitlements: &Entitlements, query: &str) -> bool {
    let mut parts = query.split(':');
    let scope = parts.next().unwrap_or_default();
    let (scope, name) = match parts.next() {
        Some(name) => (Some(scope), if name.is_empty() { scope } else { name }),
        None => (None, scope),
    };
    let has = |list: &[String]| list.iter().any(|n| n == name);
    match scope {
        Some("o" | "org" | "organization") => has(&entitlements.organization),
        Some("u" | "user") => has(&entitlements.user),
        Some(_) => false,
        None => has(&entitlements.organization) || has(&entitlements.user),
    }
}

fn fresh_enough(age: Option<FactorVerificationAge>, level: Reverification) -> bool {
    let (Some(age), Some((level, minutes))) = (age, level.requirement()) else { return false };
    let fresh = |factor: Option<u32>| factor.is_some_and(|age| age < minutes);
    match (level, age.first_factor, age.second_factor) {
        // Neither factor group enabled: nothing can be verified.
        (_, None, None) => false,
        (VerificationLevel::FirstFactor, first, _) => fresh(first),
        (VerificationLevel::SecondFactor, first, None) => fresh(first),
        (VerificationLevel::SecondFactor, _, second) => fresh(second),
        (VerificationLevel::MultiFactor, first, None) => fresh(first),
        (VerificationLevel::MultiFactor, None, Some(_)) => false,
        (VerificationLevel::MultiFactor, first, second) => fresh(first) && fresh(second),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn age(first: Option<u32>, second: Option<u32>) -> Option<FactorVerificationAge> {
        Some(FactorVerificationAge { first_factor: first, second_factor: second })
    }

    #[test]
    fn the_org_prefix_is_normalised_on_both_sides() {
        assert_eq!(with_org_prefix("admin"), "org:admin");
        assert_eq!(with_org_prefix("org:admin"), "org:admin");
        assert_eq!(with_org_prefix("org:org:admin"), "org:admin");
        assert_eq!(with_org_prefix(""), "org:");
    }

    #[test]
    fn scoped_queries_look_in_their_scope_and_bare_ones_in_both() {
        let ents = Entitlements { organization: vec!["sso".into()], user: vec!["dash".into()] };
        for (query, expected) in [
            ("o:sso", true),
            ("org:sso", true),
            ("organization:sso", true),
            ("user:sso", false),
            ("sso", true),
            ("u:dash", true),
            ("dash", true),
            ("lol:dash", false),
            ("org:", false),
            ("org:sso:extra", true),
            ("", false),
        ] {
            assert_eq!(entitled(&ents, query), expected, "{query}");
        }
    }

    #[test]
    fn reverification_follows_clerks_levels_and_downgrades() {
        use Reverification::*;
        let cases = [
            (age(Some(5), Some(5)), Strict, true),
            (age(Some(5), Some(10)), Strict, false),
            (age(Some(50), Some(5)), Strict, true),
            (age(Some(5), None), Strict, true),
            (age(None, Some(5)), Strict, true),
            (age(None, None), Lax, false),
            (age(Some(5), Some(50)), StrictMfa, false),
            (age(Some(5), Some(5)), StrictMfa, true),
            (age(Some(0), None), StrictMfa, true),
            (age(None, Some(0)), StrictMfa, false),
            (age(Some(59), Some(59)), Moderate, true),
            (age(Some(1_439), Some(1_440)), Lax, false),
            (age(Some(3), Some(100)), Within { level: VerificationLevel::FirstFactor, minutes: 4 }, true),
            (age(None, Some(1)), Within { level: VerificationLevel::FirstFactor, minutes: 4 }, false),
            (age(Some(0), Some(0)), Within { level: VerificationLevel::FirstFactor, minutes: 0 }, false),
            (None, Lax, false),
        ];
        for (age, level, expected) in cases {
            assert_eq!(fresh_enough(age, level), expected, "{age:?} {level:?}");
        }
    }
}
