//! Ten common tasks, one function each, and a `main` that runs them all against the API at
//! `CLERK_API_URL` (such as a Prism mock of Clerk's spec, which `cargo xtask test` starts);
//! the session token and the webhook it checks are minted with `clerk_sdk::testing`.
//!
//! `CLERK_API_URL=http://127.0.0.1:4010 CLERK_SECRET_KEY=sk_test_… cargo run --example common_tasks --features testing`

use clerk_sdk::auth::{Accepts, AuthState, TokenVerifier, VerifyOptions};
use clerk_sdk::models::{OrganizationMembership, User};
use clerk_sdk::testing::{self, SessionToken, TEST_WEBHOOK_SECRET, WebhookSigner};
use clerk_sdk::webhooks::{EventData, Webhook, WebhookError};
use clerk_sdk::{Client, OptionalExt as _, Result};
use futures_util::TryStreamExt as _;
use http::HeaderMap;
use serde_json::json;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let clerk = Client::from_env()?;
    let found = users_by_email(&clerk).await?;
    println!("1. {} users with that email", found.len());
    let user = get_user(&clerk, "user_123").await?;
    println!("2. got {}", user.id);
    println!("3. metadata now {:?}", merge_metadata(&clerk, &user.id).await?.public_metadata);
    println!("4. created {}", create_user(&clerk).await?.id);
    println!("5. banned: {}", ban_user(&clerk, &user.id).await?.banned);
    let membership = create_organization_with_member(&clerk, &user.id).await?;
    println!("6. {} is {}", membership.id, membership.role);

    let verifier = testing::verifier(VerifyOptions::default());
    let token = SessionToken::new(&user.id).sign();
    let request = http::Request::get("/").header("authorization", format!("Bearer {token}")).body(())?;
    match authenticate(&verifier, &request).await {
        AuthState::SignedIn(session) => println!("7. signed in as {}", session.sub),
        other => return Err(format!("7. the minted session token was refused: {other:?}").into()),
    }

    let signed = WebhookSigner::new(TEST_WEBHOOK_SECRET)?.sign_event("user.created", &user)?;
    let webhook = Webhook::new(TEST_WEBHOOK_SECRET)?;
    let created = created_user(&webhook, &signed.headers, &signed.body)?.ok_or("8. no user.created event")?;
    println!("8. webhook: user {} created", created.id);

    println!("9. {} users in all", all_users(&clerk).await?.len());
    println!("10. {:?}", find_user(&clerk, &user.id).await?.map(|user| user.id));
    Ok(())
}

async fn users_by_email(clerk: &Client) -> Result<Vec<User>> {
    // task 1: list users by email
    clerk.users().get_user_list().email_address(["ada@example.com"]).await
}

async fn get_user(clerk: &Client, id: &str) -> Result<User> {
    // task 2: get a user
    clerk.users().get_user(id).await
}

async fn merge_metadata(clerk: &Client, id: &str) -> Result<User> {
    // task 3: merge public metadata
    clerk.users().update_user_metadata(id).public_metadata(json!({"plan": "pro"})).await
}

async fn create_user(clerk: &Client) -> Result<User> {
    // task 4: create a user with a password
    clerk.users().create_user().email_address(["ada@example.com"]).password("correct horse battery staple").await
}

async fn ban_user(clerk: &Client, id: &str) -> Result<User> {
    // task 5: ban a user
    clerk.users().ban_user(id).await
}

async fn create_organization_with_member(clerk: &Client, user_id: &str) -> Result<OrganizationMembership> {
    // task 6: create an organization and add a member with a role
    let org = clerk.organizations().create_organization("Acme").await?;
    clerk.organization_memberships().create_organization_membership(&org.id, user_id, "org:member").await
}

async fn authenticate(verifier: &TokenVerifier, request: &http::Request<()>) -> AuthState {
    // task 7: verify the session token of an incoming request
    verifier.authenticate_request(request, Accepts::SESSION).await
}

fn created_user(webhook: &Webhook, headers: &HeaderMap, body: &[u8]) -> Result<Option<Box<User>>, WebhookError> {
    // task 8: verify a webhook and handle `user.created` typed
    match webhook.verify(headers, body)?.typed_data()? {
        EventData::UserCreated(user) => Ok(Some(user)),
        _ => Ok(None),
    }
}

async fn all_users(clerk: &Client) -> Result<Vec<User>> {
    // task 9: collect all users across pages
    clerk.users().get_user_list().paginate().try_collect().await
}

async fn find_user(clerk: &Client, id: &str) -> Result<Option<User>> {
    // task 10: get a user that may not exist (404 is `None`, other errors propagate)
    clerk.users().get_user(id).await.optional()
}
