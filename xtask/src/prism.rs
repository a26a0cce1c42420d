//! Conformance against Prism: installs the pinned `@stoplight/prism-cli` (npm lock file in
//! `xtask/prism/`), serves the pinned spec (overlays applied) on 127.0.0.1, and runs the
//! SDK's conformance test (`generated-sdk/tests/conformance.rs`), which calls every
//! operation against it.

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
    let url = format!("http://127.0.0.1:{port}");
    cargo(
        &["test", "-p", "clerk-sdk", "--test", "conformance", "--quiet", "--", "--ignored", "--nocapture"],
        &[("PRISM_URL", url.as_str())],
    )
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
