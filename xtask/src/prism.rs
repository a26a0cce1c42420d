//! Conformance against Prism: installs the pinned `@stoplight/prism-cli` (npm lock file in
//! `xtask/prism/`), serves the pinned spec (overlays applied) on 127.0.0.1, and runs the
//! SDK's conformance test (`generated-sdk/tests/conformance.rs`), which calls every
//! operation against it, and the `common_tasks` example.

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::process::cargo;
use crate::regen::overlays;
use crate::{Result, pin};

/// Kills the server however the run ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn run(root: &Path) -> Result {
    let dir = root.join("xtask/prism");
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&dir)
        .status()
        .map_err(|e| format!("cannot run npm (Node.js is needed for Prism): {e}"))?;
    if !status.success() {
        return Err("`npm ci` in xtask/prism failed".into());
    }

    let pin = pin::Pin::read(root)?;
    let spec = clerk_codegen::load::Spec::from_file(&crate::specs::resolve(&pin.source)?, &overlays(root)?)
        .map_err(|e| e.to_string())?;
    let work = root.join("target/prism");
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let spec_file = work.join("spec.json");
    let mut raw = spec.raw.clone();
    drop_constraint_unions(&mut raw);
    let base_path = mount_under_server_path(&mut raw);
    std::fs::write(&spec_file, serde_json::to_string(&raw).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;

    let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?.port();
    let log_file = work.join("prism.log");
    let log = std::fs::File::create(&log_file).map_err(|e| e.to_string())?;
    let child = Command::new(dir.join("node_modules/.bin/prism"))
        .args(["mock", "-h", "127.0.0.1", "-p", &port.to_string(), "-v", "warn"])
        .arg(&spec_file)
        .stdout(log.try_clone().map_err(|e| e.to_string())?)
        .stderr(log)
        .stdin(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start Prism: {e}"))?;
    let mut server = Server(child);
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = server.0.try_wait() {
            let log = std::fs::read_to_string(&log_file).unwrap_or_default();
            return Err(format!("Prism exited with {status}:\n{log}"));
        }
        if started.elapsed() > Duration::from_secs(90) {
            return Err(format!("Prism did not listen on 127.0.0.1:{port} within 90 s; see {}", log_file.display()));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    eprintln!("    Prism is serving {} on 127.0.0.1:{port} (ready in {:.1?})", spec_file.display(), started.elapsed());
    let host = format!("http://127.0.0.1:{port}");
    let url = format!("{host}{base_path}");
    cargo(
        &["test", "-p", "clerk-sdk", "--test", "conformance", "--quiet", "--", "--ignored", "--nocapture"],
        &[("PRISM_URL", url.as_str())],
    )?;
    // The common tasks, end to end, configured as a user configures the client: the example
    // must run to its end against the mock.
    cargo(
        &["run", "-p", "clerk-sdk", "--features", "testing", "--example", "common_tasks", "--quiet"],
        &[("CLERK_API_URL", host.as_str()), ("CLERK_SECRET_KEY", "sk_test_common_tasks")],
    )
}

/// Moves every path under the path of the spec's first server (`/v1` for Clerk), which
/// Prism leaves out, so that the mock answers at the URLs the SDK builds from an API host
/// (`CLERK_API_URL`); returns that path.
fn mount_under_server_path(spec: &mut serde_json::Value) -> String {
    let server = spec.pointer("/servers/0/url").and_then(serde_json::Value::as_str).unwrap_or_default();
    let after_scheme = server.split_once("://").map_or(server, |(_, rest)| rest);
    let base = after_scheme.find('/').map_or("", |i| &after_scheme[i..]).trim_end_matches('/').to_owned();
    if let Some(paths) = spec.get_mut("paths").and_then(serde_json::Value::as_object_mut) {
        *paths = std::mem::take(paths).into_iter().map(|(path, item)| (format!("{base}{path}"), item)).collect();
    }
    base
}

/// Removes `anyOf`/`oneOf` lists made only of `required` constraints ("domain or
/// domains"). They carry no shape, but Prism's mock generator cannot satisfy them next to
/// `properties` and answers `{}`, which no client could decode.
fn drop_constraint_unions(node: &mut serde_json::Value) {
    use serde_json::Value;
    match node {
        Value::Object(map) => {
            for key in ["anyOf", "oneOf"] {
                let only_constraints = map.get(key).and_then(Value::as_array).is_some_and(|branches| {
                    branches.iter().all(|b| b.as_object().is_some_and(|o| o.keys().all(|k| k == "required")))
                });
                if only_constraints && map.contains_key("properties") {
                    map.shift_remove(key);
                }
            }
            map.values_mut().for_each(drop_constraint_unions);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_constraint_unions),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_move_under_the_server_path() {
        let mut spec = serde_json::json!({
            "servers": [{"url": "https://api.clerk.com/v1/"}],
            "paths": {"/users": {}, "/users/{user_id}": {}}
        });
        assert_eq!(mount_under_server_path(&mut spec), "/v1");
        let paths: Vec<&String> = spec["paths"].as_object().unwrap().keys().collect();
        assert_eq!(paths, ["/v1/users", "/v1/users/{user_id}"]);

        let mut bare = serde_json::json!({"servers": [{"url": "http://localhost"}], "paths": {"/a": {}}});
        assert_eq!(mount_under_server_path(&mut bare), "");
        assert!(bare["paths"].get("/a").is_some());
    }
}
