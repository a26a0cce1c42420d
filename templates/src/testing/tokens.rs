//! Tokens signed with a test key: session tokens in both claims formats, M2M and OAuth
//! access tokens in their JWT forms, the JWKS that publishes the key, and a
//! [`TokenVerifier`] that trusts it.

use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair, RsaPublicKeyComponents};
use serde_json::{Map, Value, json};

use super::unix_seconds;
use crate::auth::{M2M_CATEGORY, SESSION_CATEGORY, TokenVerifier, VerifyOptions};

/// The private half of the test key (PKCS#8, RSA 2048).
///
/// **Public and for tests only**: it is published with this crate, so anyone can sign
/// with it. Never configure a production verifier with [`TEST_PUBLIC_KEY_PEM`] or
/// [`jwks_json`].
pub const TEST_PRIVATE_KEY_PEM: &str = concat!(
    "-----BEGIN PRIVATE KEY-----\n",
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCg6IGWpY2KuNW3\n",
    "H0Lrds/tkWjH9l4Mzx0Z8TBbrL3psVOQ8O+0oY0DptuEi8ULQMeV69S+tgyQlmCr\n",
    "NGIToj2TDT1DOGTo0x/IMMhWLE1vyTwcc2hyW3N9lXgPItxcYKJSXpecYvjEkpC8\n",
    "PnfvBpzQEXKqR603ig++mEgqYJgV210F3eaVBPeIw70+euVQEXFV0LCJ59KEuRvu\n",
    "Nqiury0PPfzcZf+DnMstkVdasZcTvsyNRxG9Tga65Idb8HWbEahPXJuzz8sCea2r\n",
    "ww2MGI3nqHqduAWgTlwJn4nsFeHD3qbVM2G9j9aR/Yngq0oqyodDStg3jL6wysj9\n",
    "kBtKfYc/AgMBAAECggEACrwtq8j0biqHX5s/Ugma36+m0khr3TuS0SCX6FXYVGys\n",
    "iuv4IhCbzCrn/v962usB0HfBDs7YfGumnBAiRvW5A+7ghR6QZOlzol3Wz8ukMu61\n",
    "tZ7he1eslyv6AZCC1nWVVBzUIpkxHZ7locQifkOZAgICqLz1dSd0hh5kxNGtnoTp\n",
    "SnqqJvaI3MmRMQBOUeXIJiDWGg/llmQm+7X2ewYO4ZJVcbOspefrJZxt1lHKOrMY\n",
    "HAinG4hHGjCYKXTz4unewiChnD6pzMt6X55Hrm4FPPAcl09i1y40jINdH4UbeyV/\n",
    "thxHUy2lv8y3ky18WRA8nzyirb4jvoddFGcq01QtiQKBgQDWpIYdyHwntHBTjWBL\n",
    "t9ixgK28wSkUxq5B4ksiulWysRVXk/38IAphWl8AtdUWEtFxRuJG3JupJw1u3Y1d\n",
    "5u6UJ1OHDI2LkIwSAIvFljtXhxJ/QrKpFxjcQrRPUZziQTw4IC7RZ7FrV09JNn27\n",
    "wRwHk38lZZeFiNF1R5PYv7L3LQKBgQC/6Xlk5T3Hzwf7cq4WjECDpgExy2ZA75xE\n",
    "mJRowiQCB772Rl6f7+cN1NxhX5RblL81+J0+87PywUXy/8uajRkz9/tvMslv5chD\n",
    "Sq/0Xje2CcZaKYwseOjuffOBeabSuWZAW7/M92jpzr7q2y5EZJyyz+ewuq9nNyHO\n",
    "1etxVWS7mwKBgQCqFnPE1CM2X3EHdKeTONt5RUvnoHWKZiqeQNFjcp8IW/VakgaZ\n",
    "LVascK2J5Y020bCwgAg9OQIM18p4SQ6GE8KJGmTBRrw/lUq51T7tUzAxGvMYb2Ue\n",
    "QxRLLnytwjF8xU8P9sjC3dWlBunoTUrzZoJsqn/9xXR9t76rng3Vm4sY/QKBgGw0\n",
    "4FWbS/JVMVL9nlroSZfxCcthvA3xDFNBFKzciiD67Rk/JCtZwRVzZ68fjS7197oe\n",
    "q8rK7jN59k7FG6/Qzt0WfZZ9NEb7cKdAfWVzmkXxzP0ZYAfTRML0EVB3nzBBiP3Q\n",
    "vZx8A5ORFuSlILk/YXsQ7rofCLdRxqYwx8fnNhzxAoGALR8Az870MkOG/mQ3OAox\n",
    "Ud9Vxdf7H5k7gQ+QFx2eAgMNpvotSfRR05fW9gXLfIm5owp3wp6YOgDB0r9BkZrc\n",
    "0JzbikqSpMeOBLADUtdIFw5zhUzUr5xpqq8ROD8QAUUbSYDRILbuPUq9rqWTW6Sh\n",
    "UtPLQ1hCkqIiQx22HkQkdTw=\n",
    "-----END PRIVATE KEY-----\n",
);

/// The public half of the test key (SPKI PEM), as `CLERK_JWT_KEY` would hold it.
pub const TEST_PUBLIC_KEY_PEM: &str = concat!(
    "-----BEGIN PUBLIC KEY-----\n",
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAoOiBlqWNirjVtx9C63bP\n",
    "7ZFox/ZeDM8dGfEwW6y96bFTkPDvtKGNA6bbhIvFC0DHlevUvrYMkJZgqzRiE6I9\n",
    "kw09Qzhk6NMfyDDIVixNb8k8HHNocltzfZV4DyLcXGCiUl6XnGL4xJKQvD537wac\n",
    "0BFyqketN4oPvphIKmCYFdtdBd3mlQT3iMO9PnrlUBFxVdCwiefShLkb7jaorq8t\n",
    "Dz383GX/g5zLLZFXWrGXE77MjUcRvU4GuuSHW/B1mxGoT1ybs8/LAnmtq8MNjBiN\n",
    "56h6nbgFoE5cCZ+J7BXhw96m1TNhvY/Wkf2J4KtKKsqHQ0rYN4y+sMrI/ZAbSn2H\n",
    "PwIDAQAB\n",
    "-----END PUBLIC KEY-----\n",
);

/// The `kid` of the test key in [`jwks_json`] and in the tokens it signs.
pub const TEST_KEY_ID: &str = "ins_test";

/// The issuer (`iss`) of minted tokens unless set otherwise: an `https://` Frontend API URL.
pub const TEST_ISSUER: &str = "https://clerk.example.test";

/// How long a minted token is valid unless set otherwise.
const LIFETIME: Duration = Duration::from_secs(60);
/// How far past or ahead of now an expired or not-yet-valid token is: well beyond the
/// verifier's default clock skew.
const OUT_OF_RANGE: Duration = Duration::from_secs(120);

/// The test key, parsed once.
fn key_pair() -> &'static RsaKeyPair {
    static KEY: OnceLock<RsaKeyPair> = OnceLock::new();
    KEY.get_or_init(|| {
        let body: String = TEST_PRIVATE_KEY_PEM.lines().filter(|l| !l.starts_with("-----")).collect();
        let der = STANDARD.decode(body).expect("the test key is base64");
        RsaKeyPair::from_pkcs8(&der).expect("the test key is an RSA PKCS#8 key")
    })
}

/// The JWKS document (`{"keys": [...]}`) that publishes the test key, as the Backend API's
/// `GET /jwks` or the instance's `/.well-known/jwks.json` would serve it.
pub fn jwks_json() -> String {
    let public: RsaPublicKeyComponents<Vec<u8>> = key_pair().public().into();
    let key = json!({
        "kid": TEST_KEY_ID, "kty": "RSA", "alg": "RS256", "use": "sig",
        "n": URL_SAFE_NO_PAD.encode(&public.n), "e": URL_SAFE_NO_PAD.encode(&public.e),
    });
    json!({ "keys": [key] }).to_string()
}

/// A verifier that trusts the test key and nothing else, networkless.
pub fn verifier(options: VerifyOptions) -> TokenVerifier {
    TokenVerifier::with_jwks_json(&jwks_json(), options).expect("the test JWKS holds the test key")
}

/// When a token was issued, becomes valid and expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Times {
    iat: i64,
    nbf: i64,
    exp: i64,
}

impl Times {
    /// Valid from `start` for [`LIFETIME`].
    fn from(start: SystemTime) -> Times {
        let start = unix_seconds(start);
        Times { iat: start, nbf: start, exp: start.saturating_add(unix_seconds(UNIX_EPOCH + LIFETIME)) }
    }

    fn now() -> Times {
        Times::from(SystemTime::now())
    }

    /// Issued and valid a while ago, expired [`OUT_OF_RANGE`] ago.
    fn expired() -> Times {
        Times::from(SystemTime::now() - OUT_OF_RANGE - LIFETIME)
    }

    /// Issued now, valid only in [`OUT_OF_RANGE`].
    fn not_yet_valid() -> Times {
        let now = SystemTime::now();
        Times { iat: unix_seconds(now), ..Times::from(now + OUT_OF_RANGE) }
    }

    fn write(self, claims: &mut Map<String, Value>) {
        claims.insert("iat".into(), self.iat.into());
        claims.insert("nbf".into(), self.nbf.into());
        claims.insert("exp".into(), self.exp.into());
    }
}

/// A JWT with `header` and `claims`, signed with the test key (RS256, [`TEST_KEY_ID`]).
fn sign(header: Map<String, Value>, claims: &Map<String, Value>) -> String {
    let mut header = header;
    header.insert("alg".into(), "RS256".into());
    header.insert("kid".into(), TEST_KEY_ID.into());
    let part = |value: &Map<String, Value>| URL_SAFE_NO_PAD.encode(Value::Object(value.clone()).to_string());
    let signed = format!("{}.{}", part(&header), part(claims));
    let key = key_pair();
    let mut signature = vec![0; key.public().modulus_len()];
    key.sign(&RSA_PKCS1_SHA256, &ring::rand::SystemRandom::new(), signed.as_bytes(), &mut signature)
        .expect("RS256 signing with the test key succeeds");
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// A protected header with these members.
fn header(members: &[(&str, &str)]) -> Map<String, Value> {
    members.iter().map(|(k, v)| ((*k).to_owned(), Value::from(*v))).collect()
}

/// The lifetime setters every token builder has.
macro_rules! lifetime {
    () => {
        /// Makes the token expired (by more than the default clock skew).
        pub fn expired(mut self) -> Self {
            self.times = Times::expired();
            self
        }

        /// Makes the token not valid yet (`nbf` ahead by more than the default clock skew).
        pub fn not_yet_valid(mut self) -> Self {
            self.times = Times::not_yet_valid();
            self
        }

        /// Makes the token valid from `start` for a minute, e.g. to verify it `_at` a fixed time.
        pub fn valid_from(mut self, start: SystemTime) -> Self {
            self.times = Times::from(start);
            self
        }

        /// Sets a claim, replacing any the builder wrote.
        pub fn claim(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
            self.custom.insert(name.into(), value.into());
            self
        }
    };
}

/// The active organization of a session.
#[derive(Debug, Clone)]
struct Organization {
    id: String,
    slug: String,
    /// With its `org:` prefix.
    role: String,
    permissions: Vec<String>,
}

impl Organization {
    /// The v1 claims: `org_id`, `org_slug`, `org_role`, `org_permissions`.
    fn v1(&self, claims: &mut Map<String, Value>) {
        claims.insert("org_id".into(), self.id.clone().into());
        claims.insert("org_slug".into(), self.slug.clone().into());
        claims.insert("org_role".into(), self.role.clone().into());
        claims.insert("org_permissions".into(), self.permissions.clone().into());
    }

    /// The v2 claims: `o` (`id`, `slg`, `rol` without its prefix, `per`, `fpm`) and the
    /// organization features in `fea`. Each `org:{feature}:{permission}` becomes a feature
    /// and a bit of its mask; permissions of another form cannot be written in v2.
    fn v2(&self, claims: &mut Map<String, Value>) {
        let (features, permissions, masks) = feature_masks(&self.permissions);
        let mut o = Map::new();
        o.insert("id".into(), self.id.clone().into());
        o.insert("slg".into(), self.slug.clone().into());
        o.insert("rol".into(), self.role.strip_prefix("org:").unwrap_or(&self.role).into());
        o.insert("per".into(), permissions.join(",").into());
        o.insert("fpm".into(), masks.iter().map(u128::to_string).collect::<Vec<_>>().join(",").into());
        claims.insert("o".into(), Value::Object(o));
        let fea: Vec<String> = features.iter().map(|f| format!("o:{f}")).collect();
        claims.insert("fea".into(), fea.join(",").into());
    }
}

/// The features and permissions named by `org:{feature}:{permission}` entries, in first-seen
/// order, and one mask per feature whose bit `i` grants the `i`-th permission.
fn feature_masks(granted: &[String]) -> (Vec<&str>, Vec<&str>, Vec<u128>) {
    let (mut features, mut permissions, mut masks) = (Vec::new(), Vec::new(), Vec::<u128>::new());
    let parts = granted.iter().filter_map(|p| p.strip_prefix("org:")?.split_once(':'));
    for (feature, permission) in parts {
        let f = features.iter().position(|f| *f == feature).unwrap_or_else(|| {
            features.push(feature);
            masks.push(0);
            features.len() - 1
        });
        let p = permissions.iter().position(|p| *p == permission).unwrap_or_else(|| {
            permissions.push(permission);
            permissions.len() - 1
        });
        // A mask has 128 bits: permissions past those are not written.
        if let Some(bit) = u32::try_from(p).ok().and_then(|p| 1u128.checked_shl(p)) {
            masks[f] |= bit;
        }
    }
    (features, permissions, masks)
}

/// A session token of a signed-in user, signed with the test key.
///
/// ```
/// # async fn run() {
/// use clerk_sdk::auth::VerifyOptions;
/// use clerk_sdk::testing::{SessionToken, verifier};
///
/// let token = SessionToken::new("user_1").organization("org_1", "acme", "org:admin", ["org:billing:manage"]).sign();
/// let session = verifier(VerifyOptions::default()).verify(&token).await.unwrap();
/// assert!(session.has_permission("org:billing:manage"));
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct SessionToken {
    user_id: String,
    session_id: String,
    issuer: String,
    authorized_party: Option<String>,
    version: u32,
    pending: bool,
    organization: Option<Organization>,
    times: Times,
    custom: Map<String, Value>,
}

impl SessionToken {
    /// An active session (`sess_test`) of `user_id`, valid for a minute, in the v1 format.
    pub fn new(user_id: impl Into<String>) -> Self {
        SessionToken {
            user_id: user_id.into(),
            session_id: "sess_test".to_owned(),
            issuer: TEST_ISSUER.to_owned(),
            authorized_party: None,
            version: 1,
            pending: false,
            organization: None,
            times: Times::now(),
            custom: Map::new(),
        }
    }

    /// Sets the session id (`sid`).
    pub fn session_id(mut self, session_id: impl Into<String>) -> Self {
        self.session_id = session_id.into();
        self
    }

    /// Sets the issuer (`iss`).
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = issuer.into();
        self
    }

    /// Sets the origin the token was issued for (`azp`).
    pub fn authorized_party(mut self, origin: impl Into<String>) -> Self {
        self.authorized_party = Some(origin.into());
        self
    }

    /// Writes the claims in the compact v2 format (`v: 2`, `o`, `fea`).
    pub fn claims_v2(mut self) -> Self {
        self.version = 2;
        self
    }

    /// Makes the session pending (`sts: pending`): signed in, with tasks left to do.
    pub fn pending(mut self) -> Self {
        self.pending = true;
        self
    }

    /// Makes `id` the active organization, with the user's role (`org:admin`) and
    /// permissions (`org:{feature}:{permission}`) in it.
    pub fn organization(
        mut self,
        id: impl Into<String>,
        slug: impl Into<String>,
        role: impl Into<String>,
        permissions: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        let permissions = permissions.into_iter().map(Into::into).collect();
        self.organization = Some(Organization { id: id.into(), slug: slug.into(), role: role.into(), permissions });
        self
    }

    lifetime!();

    /// The signed token, as a browser would send it.
    pub fn sign(&self) -> String {
        let mut claims = Map::new();
        claims.insert("sub".into(), self.user_id.clone().into());
        claims.insert("sid".into(), self.session_id.clone().into());
        claims.insert("iss".into(), self.issuer.clone().into());
        if let Some(azp) = &self.authorized_party {
            claims.insert("azp".into(), azp.clone().into());
        }
        self.times.write(&mut claims);
        claims.insert("sts".into(), if self.pending { "pending" } else { "active" }.into());
        if self.version == 2 {
            claims.insert("v".into(), 2.into());
        }
        match (&self.organization, self.version) {
            (Some(organization), 2) => organization.v2(&mut claims),
            (Some(organization), _) => organization.v1(&mut claims),
            (None, _) => {}
        }
        claims.extend(self.custom.clone());
        sign(header(&[("typ", "JWT"), ("cat", SESSION_CATEGORY)]), &claims)
    }
}

/// A machine-to-machine token in its JWT form, signed with the test key.
#[derive(Debug, Clone)]
pub struct M2mToken {
    machine_id: String,
    token_id: String,
    scopes: Vec<String>,
    times: Times,
    custom: Map<String, Value>,
}

impl M2mToken {
    /// A token (`mt_test`) of the machine `machine_id` (`mch_…`: the subject is what marks
    /// a JWT as an M2M token), valid for a minute, with no scopes.
    pub fn new(machine_id: impl Into<String>) -> Self {
        M2mToken {
            machine_id: machine_id.into(),
            token_id: "mt_test".to_owned(),
            scopes: Vec::new(),
            times: Times::now(),
            custom: Map::new(),
        }
    }

    /// Sets the token id (`jti`).
    pub fn token_id(mut self, id: impl Into<String>) -> Self {
        self.token_id = id.into();
        self
    }

    /// Sets the machines the token may reach (`scopes`).
    pub fn scopes(mut self, scopes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    lifetime!();

    /// The signed token.
    pub fn sign(&self) -> String {
        let mut claims = Map::new();
        claims.insert("sub".into(), self.machine_id.clone().into());
        claims.insert("jti".into(), self.token_id.clone().into());
        claims.insert("iss".into(), TEST_ISSUER.into());
        self.times.write(&mut claims);
        if !self.scopes.is_empty() {
            claims.insert("scopes".into(), self.scopes.join(" ").into());
        }
        claims.extend(self.custom.clone());
        sign(header(&[("typ", "JWT"), ("cat", M2M_CATEGORY)]), &claims)
    }
}

/// An OAuth access token in its JWT form (`typ: at+jwt`), signed with the test key.
#[derive(Debug, Clone)]
pub struct OAuthToken {
    user_id: String,
    client_id: String,
    token_id: String,
    scopes: Vec<String>,
    times: Times,
    custom: Map<String, Value>,
}

impl OAuthToken {
    /// A token (`oat_test`) that `client_id` holds for `user_id`, valid for a minute, with
    /// no scopes.
    pub fn new(user_id: impl Into<String>, client_id: impl Into<String>) -> Self {
        OAuthToken {
            user_id: user_id.into(),
            client_id: client_id.into(),
            token_id: "oat_test".to_owned(),
            scopes: Vec::new(),
            times: Times::now(),
            custom: Map::new(),
        }
    }

    /// Sets the token id (`jti`).
    pub fn token_id(mut self, id: impl Into<String>) -> Self {
        self.token_id = id.into();
        self
    }

    /// Sets the granted scopes (`scp`).
    pub fn scopes(mut self, scopes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    lifetime!();

    /// The signed token.
    pub fn sign(&self) -> String {
        let mut claims = Map::new();
        claims.insert("sub".into(), self.user_id.clone().into());
        claims.insert("client_id".into(), self.client_id.clone().into());
        claims.insert("jti".into(), self.token_id.clone().into());
        claims.insert("iss".into(), TEST_ISSUER.into());
        self.times.write(&mut claims);
        claims.insert("scp".into(), self.scopes.clone().into());
        claims.extend(self.custom.clone());
        sign(header(&[("typ", "at+jwt")]), &claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_become_features_and_masks() {
        let granted =
            ["org:billing:manage", "org:billing:read", "org:teams:read", "org:admin", "other"].map(String::from);
        let (features, permissions, masks) = feature_masks(&granted);
        assert_eq!(features, ["billing", "teams"]);
        assert_eq!(permissions, ["manage", "read"]);
        assert_eq!(masks, [0b11, 0b10]);
    }

    #[test]
    fn times_are_out_of_the_default_skew_when_asked() {
        let now = unix_seconds(SystemTime::now());
        let expired = Times::expired();
        assert!(expired.exp < now - 60 && expired.nbf < expired.exp);
        let ahead = Times::not_yet_valid();
        assert!(ahead.nbf > now + 60 && ahead.iat <= now + 1);
    }

    #[test]
    fn the_published_public_key_is_the_test_keys() {
        let pem = crate::auth::TokenVerifier::with_pem(TEST_PUBLIC_KEY_PEM, VerifyOptions::default());
        assert!(pem.is_ok());
        assert!(jwks_json().contains(TEST_KEY_ID));
    }
}
