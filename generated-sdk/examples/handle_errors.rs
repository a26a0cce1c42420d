//! Creates an organization and shows what each kind of error carries.
//!
//! `CLERK_SECRET_KEY=sk_test_… cargo run --example handle_errors -- "Org name"`

use clerk_sdk::{Client, Error};

#[tokio::main]
async fn main() {
    let name = std::env::args().nth(1).unwrap_or_else(|| "Analytical Engines".to_owned());
    let clerk = match Client::from_env() {
        Ok(clerk) => clerk,
        Err(e) => return eprintln!("{e}"),
    };
    match clerk.organizations().create_organization(name).await {
        Ok(org) => println!("created {} ({})", org.name, org.id),
        Err(Error::Api(api)) => {
            eprintln!(
                "HTTP {}: {} (trace {:?}, retry after {:?})",
                api.status,
                api.message(),
                api.clerk_trace_id,
                api.retry_after
            );
            for e in &api.errors {
                eprintln!("  {}: {}", e.code, e.long_message.as_deref().unwrap_or(&e.message));
            }
        }
        Err(Error::Decode { error, .. }) => eprintln!("unexpected response at {}: {}", error.path(), error.message()),
        Err(other) => eprintln!("{other}"),
    }
}
