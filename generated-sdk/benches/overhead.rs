//! Per-call overhead of the SDK against a plain reqwest + serde_json call making the same
//! request to a loopback server, and the decode throughput of a 500-user list page.
//! `cargo xtask bench` runs it (`cargo bench --bench overhead`, optimized) and prints the
//! ratios.
//!
//! "The same request" is the same bytes on the wire (the SDK's `User-Agent` included) with
//! the same timeouts (the SDK's defaults: 10 s to connect, 30 s per attempt). A bare
//! `reqwest::Client::new()` call, with no user agent and no timeout, is measured too.

use std::time::{Duration, Instant};

use clerk_sdk::models::User;
use clerk_sdk::{Client, RetryPolicy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Calls per variant, in rounds of 100 that alternate between the variants.
const CALLS: usize = 20_000;

fn user_json() -> serde_json::Value {
    let path = format!("{}/tests/fixtures/user.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("JSON")
}

/// A minimal HTTP/1.1 keep-alive server that answers every request with `body`.
async fn serve(body: Vec<u8>) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let response = [
        format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n", body.len())
            .into_bytes(),
        body,
    ]
    .concat();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else { return };
            let response = response.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16 * 1024];
                let mut pending = Vec::new();
                loop {
                    let Ok(n) = socket.read(&mut buf).await else { return };
                    if n == 0 {
                        return;
                    }
                    pending.extend_from_slice(&buf[..n]);
                    while let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
                        pending.drain(..end + 4);
                        if socket.write_all(&response).await.is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    addr
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let body = serde_json::to_vec(&user_json()).expect("JSON");
    let addr = serve(body).await;
    let base = format!("http://{addr}");
    let clerk =
        Client::builder("sk_test_bench").base_url(&base).retry_policy(RetryPolicy::none()).build().expect("client");
    let same = reqwest::Client::builder()
        .user_agent(concat!("clerk-sdk-rust/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let bare = reqwest::Client::new();
    let plain = |http: &reqwest::Client, timeout: Option<Duration>| {
        let mut request = http
            .get(format!("{base}/users/user_1"))
            .bearer_auth("sk_test_bench")
            .header("Clerk-API-Version", clerk_sdk::API_VERSION);
        if let Some(timeout) = timeout {
            request = request.timeout(timeout);
        }
        async move {
            let bytes = request.send().await.expect("plain call").bytes().await.expect("body");
            let user: User = serde_json::from_slice(&bytes).expect("decode");
            user
        }
    };

    // Interleave rounds so that every variant sees the same machine conditions.
    let (mut sdk, mut raw, mut raw_bare) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..(CALLS / 100) {
        let started = Instant::now();
        for _ in 0..100 {
            let user = clerk.users().get_user("user_1").await.expect("sdk call");
            std::hint::black_box(user);
        }
        sdk.push(started.elapsed() / 100);
        let started = Instant::now();
        for _ in 0..100 {
            std::hint::black_box(plain(&same, Some(Duration::from_secs(30))).await);
        }
        raw.push(started.elapsed() / 100);
        let started = Instant::now();
        for _ in 0..100 {
            std::hint::black_box(plain(&bare, None).await);
        }
        raw_bare.push(started.elapsed() / 100);
    }
    let (sdk, raw, raw_bare) = (median(sdk), median(raw), median(raw_bare));
    println!("call_sdk_us={:.1}", sdk.as_secs_f64() * 1e6);
    println!("call_plain_us={:.1}", raw.as_secs_f64() * 1e6);
    println!("call_ratio={:.3}", sdk.as_secs_f64() / raw.as_secs_f64());
    println!("call_bare_us={:.1}", raw_bare.as_secs_f64() * 1e6);
    println!("call_bare_ratio={:.3}", sdk.as_secs_f64() / raw_bare.as_secs_f64());

    // Decode throughput of a 500-user page.
    let page = serde_json::to_string(&vec![user_json(); 500]).expect("JSON");
    let mut samples = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        let users: Vec<User> = clerk_sdk::decode(&page).expect("decode");
        samples.push(started.elapsed());
        std::hint::black_box(users);
    }
    let per_page = median(samples);
    println!("decode_page_ms={:.2}", per_page.as_secs_f64() * 1e3);
    println!("decode_users_per_s={:.0}", 500.0 / per_page.as_secs_f64());
    println!("decode_mb_per_s={:.1}", page.len() as f64 / per_page.as_secs_f64() / 1e6);
}
