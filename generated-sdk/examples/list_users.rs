//! Lists every user of an instance, page by page, and counts them per email domain.
//!
//! `CLERK_SECRET_KEY=sk_test_… cargo run --example list_users`

use std::collections::BTreeMap;

use clerk_sdk::Client;
use futures_util::TryStreamExt;

#[tokio::main]
async fn main() -> Result<(), clerk_sdk::Error> {
    let clerk = Client::from_env()?;
    let mut per_domain: BTreeMap<String, usize> = BTreeMap::new();
    let mut users = std::pin::pin!(clerk.users().get_user_list().limit(100).paginate());
    while let Some(user) = users.try_next().await? {
        for email in &user.email_addresses {
            let domain = email.email_address.rsplit('@').next().unwrap_or_default();
            *per_domain.entry(domain.to_owned()).or_default() += 1;
        }
    }
    for (domain, count) in per_domain {
        println!("{count:6} {domain}");
    }
    Ok(())
}
