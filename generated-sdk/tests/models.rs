//! Deserialization behaviour of the generated models on realistic payloads: forward
//! compatibility (unknown fields, enum values and union variants), optional and nullable
//! keys, errors that name the failing field, round trips, and three-state request fields.

use clerk_sdk::models::{
    EmailAddressVerification, Organization, OtpStatus, OtpStrategy, PhoneNumberVerification, Session, SessionStatus,
    UpdateUserRequest, User,
};
use clerk_sdk::{Nullable, decode};
use serde_json::{Value, json};

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn decode_value<T: serde::de::DeserializeOwned>(value: &Value) -> Result<T, clerk_sdk::DecodeError> {
    decode(&value.to_string())
}

#[test]
fn realistic_payloads_decode() {
    let user: User = decode_value(&fixture("user")).unwrap();
    assert_eq!(user.id, "user_2abc");
    assert_eq!(user.external_id, None);
    assert_eq!(user.public_metadata["plan"], "pro");
    let verification = user.email_addresses[0].verification.as_ref().unwrap();
    let EmailAddressVerification::Otp(otp) = verification else {
        panic!("expected an OTP verification: {verification:?}")
    };
    assert_eq!((&otp.status, &otp.strategy, otp.attempts), (&OtpStatus::Verified, &OtpStrategy::EmailCode, Some(1)));
    assert!(matches!(user.phone_numbers[0].verification, Some(PhoneNumberVerification::Admin(_))));

    let org: Organization = decode_value(&fixture("organization")).unwrap();
    assert_eq!((org.slug.as_str(), org.max_allowed_memberships), ("analytical-engines", 5));
    let session: Session = decode_value(&fixture("session")).unwrap();
    assert_eq!(session.status, SessionStatus::Active);
}

#[test]
fn unknown_fields_are_ignored_everywhere() {
    let mut user = fixture("user");
    user["brand_new_field"] = json!({"nested": [1, 2]});
    user["email_addresses"][0]["verification"]["new_detail"] = json!("x");
    let mut org = fixture("organization");
    org["billing"] = json!(null);
    let mut session = fixture("session");
    session["device"] = json!("laptop");
    assert!(decode_value::<User>(&user).is_ok());
    assert!(decode_value::<Organization>(&org).is_ok());
    assert!(decode_value::<Session>(&session).is_ok());
}

#[test]
fn unknown_enum_values_are_kept() {
    let mut session = fixture("session");
    session["status"] = json!("hibernating");
    let session: Session = decode_value(&session).unwrap();
    assert_eq!(session.status, SessionStatus::Unknown("hibernating".into()));
    assert_eq!(session.status.as_str(), "hibernating");

    let mut user = fixture("user");
    user["email_addresses"][0]["verification"]["status"] = json!("transferable");
    user["email_addresses"][0]["verification"]["strategy"] = json!("email_link");
    let user: User = decode_value(&user).unwrap();
    let Some(EmailAddressVerification::Otp(otp)) = &user.email_addresses[0].verification else { panic!() };
    assert_eq!(otp.status, OtpStatus::Unknown("transferable".into()));
    assert_eq!(otp.strategy, OtpStrategy::Unknown("email_link".into()));
}

#[test]
fn unknown_or_missing_discriminators_keep_the_raw_variant() {
    let mut user = fixture("user");
    let brand_new = json!({"object": "verification_quantum", "status": "verified"});
    user["email_addresses"][0]["verification"] = brand_new.clone();
    let untagged = json!({"status": "verified", "strategy": "email_code"});
    user["phone_numbers"][0]["verification"] = untagged.clone();
    let user: User = decode_value(&user).unwrap();
    assert_eq!(user.email_addresses[0].verification, Some(EmailAddressVerification::Unknown(brand_new)));
    assert_eq!(user.phone_numbers[0].verification, Some(PhoneNumberVerification::Unknown(untagged)));
}

#[test]
fn optional_and_nullable_keys_may_be_missing_or_null() {
    let mut user = fixture("user");
    let map = user.as_object_mut().unwrap();
    // Optional keys missing, required-but-nullable keys missing (Clerk omits some), and
    // nullable keys set to null.
    for key in ["username", "first_name", "last_active_at", "external_id", "primary_phone_number_id", "mfa_enabled_at"]
    {
        map.remove(key);
    }
    map.insert("last_name".into(), Value::Null);
    map.insert("private_metadata".into(), Value::Null);
    map.insert(
        "email_addresses".into(),
        json!([{
            "object": "email_address", "email_address": "a@example.com", "reserved": false,
            "verification": null, "linked_to": [], "created_at": 1, "updated_at": 1
        }]),
    );
    let user: User = decode_value(&user).unwrap();
    assert_eq!((user.username, user.last_name, user.external_id), (None, None, None));
    assert_eq!(user.email_addresses[0].verification, None);

    let mut org = fixture("organization");
    org.as_object_mut().unwrap().remove("created_by");
    org["image_url"] = Value::Null;
    assert!(decode_value::<Organization>(&org).is_ok());
}

#[test]
fn a_missing_required_key_names_its_path() {
    let mut user = fixture("user");
    user["email_addresses"][0].as_object_mut().unwrap().remove("email_address");
    let err = decode_value::<User>(&user).unwrap_err();
    assert_eq!(err.path(), "email_addresses[0].email_address");
    assert!(err.message().contains("missing field `email_address`"), "{err}");
    assert!(err.body().contains("user_2abc"));

    let mut user = fixture("user");
    user.as_object_mut().unwrap().remove("banned");
    let err = decode_value::<User>(&user).unwrap_err();
    assert!(err.message().contains("missing field `banned`"), "{err}");

    // Inside a tagged union the path continues into the variant.
    let mut user = fixture("user");
    user["email_addresses"][0]["verification"].as_object_mut().unwrap().remove("status");
    let err = decode_value::<User>(&user).unwrap_err();
    assert_eq!(err.path(), "email_addresses[0].verification.status");
    assert!(err.message().contains("missing field `status`"), "{err}");

    // A wrong type is an error too, never a silent default.
    let mut session = fixture("session");
    session["expire_at"] = json!("soon");
    assert_eq!(decode_value::<Session>(&session).unwrap_err().path(), "expire_at");
}

#[test]
fn serialize_then_deserialize_keeps_values() {
    for name in ["user", "organization", "session"] {
        let value = fixture(name);
        let round_trip = match name {
            "user" => serde_json::to_value(decode_value::<User>(&value).unwrap()).unwrap(),
            "organization" => serde_json::to_value(decode_value::<Organization>(&value).unwrap()).unwrap(),
            _ => serde_json::to_value(decode_value::<Session>(&value).unwrap()).unwrap(),
        };
        // Every key that was sent comes back with the same value; keys that were missing
        // stay missing (optional) or come back as null (required but nullable).
        for (key, sent) in value.as_object().unwrap() {
            assert_eq!(&round_trip[key], sent, "{name}.{key}");
        }
        let again = match name {
            "user" => serde_json::to_value(decode_value::<User>(&round_trip).unwrap()).unwrap(),
            "organization" => serde_json::to_value(decode_value::<Organization>(&round_trip).unwrap()).unwrap(),
            _ => serde_json::to_value(decode_value::<Session>(&round_trip).unwrap()).unwrap(),
        };
        assert_eq!(again, round_trip, "{name}");
    }
}

#[test]
fn three_state_request_fields_serialize_absent_null_or_value() {
    let untouched = UpdateUserRequest::default();
    assert_eq!(serde_json::to_value(&untouched).unwrap(), json!({}));

    let mut patch = UpdateUserRequest::default();
    patch.first_name = Nullable::Value("Ada".into());
    patch.last_name = Nullable::Null;
    assert_eq!(serde_json::to_value(&patch).unwrap(), json!({"first_name": "Ada", "last_name": null}));

    let back: UpdateUserRequest = serde_json::from_value(json!({"first_name": "Ada", "last_name": null})).unwrap();
    assert_eq!(back, patch);
}
