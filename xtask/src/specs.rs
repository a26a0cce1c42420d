//! Where Clerk's spec files come from: a specs folder laid out like Clerk's spec snapshots
//! (`2026-08-14/bapi/2026-05-12.yml`, …). It is `$CLERK_SPECS_DIR` when set, else
//! `../shared/specs/clerk` next to the checkout when that exists, else `target/specs/`, into
//! which every pinned file ([`pin::all`]) is downloaded with curl and hash-checked.
//!
//! Downloads come from upstream ([`pin::UPSTREAM`]), or from `$CLERK_SPECS_URL`, a server
//! laid out the same way (`<base>/<upstream_commit>/<upstream_path>`), such as a mirror.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Result;
use crate::pin::{self, Source};

/// The specs folder given by the user: `$CLERK_SPECS_DIR`, else `../shared/specs/clerk`
/// next to the checkout when it exists. Like [`download_dir`], it belongs to the checkout
/// xtask is built from, not to a copy of the project that a task works on.
fn local_dir() -> Option<PathBuf> {
    match std::env::var_os("CLERK_SPECS_DIR") {
        Some(dir) => Some(PathBuf::from(dir)),
        None => Some(crate::root().join("../shared/specs/clerk")).filter(|dir| dir.is_dir()),
    }
}

/// The checkout's `target/specs/`, the folder downloads go to.
fn download_dir() -> PathBuf {
    crate::root().join("target/specs")
}

/// The server downloads come from: `$CLERK_SPECS_URL`, else upstream.
fn base_url() -> String {
    std::env::var("CLERK_SPECS_URL").unwrap_or_else(|_| pin::UPSTREAM.to_owned())
}

/// The specs folder: the user's, or `target/specs/` with every file pinned below `root` in
/// it, downloaded where missing.
pub fn dir(root: &Path) -> Result<PathBuf> {
    if let Some(dir) = local_dir() {
        return Ok(dir);
    }
    let dir = download_dir();
    let base = base_url();
    for source in pin::all(root)? {
        fetch(&source, &dir, &base)?;
    }
    Ok(dir)
}

/// The local path of a pinned file, hash-checked: from the user's specs folder when it has
/// the file, else downloaded into `target/specs/` unless it is there already.
pub fn resolve(source: &Source) -> Result<PathBuf> {
    if let Some(file) = local_dir().map(|dir| dir.join(&source.path)).filter(|file| file.exists()) {
        source.verify(&file)?;
        return Ok(file);
    }
    fetch(source, &download_dir(), &base_url())
}

/// `dir/<path>` of `source`: kept when it has the pinned hash, else downloaded from the
/// server at `base`. A download with another hash is refused and removed.
fn fetch(source: &Source, dir: &Path, base: &str) -> Result<PathBuf> {
    let file = dir.join(&source.path);
    if source.verify(&file).is_ok() {
        return Ok(file);
    }
    let url = source.url_at(base);
    let partial = file.with_extension("part");
    let downloaded = download(&url, &partial).and_then(|()| {
        let bytes = std::fs::read(&partial).map_err(|e| format!("{}: {e}", partial.display()))?;
        source.verify_bytes(&url, &bytes)
    });
    if let Err(e) = downloaded {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    std::fs::rename(&partial, &file).map_err(|e| format!("{}: {e}", file.display()))?;
    Ok(file)
}

/// Downloads `url` to `to` with curl.
fn download(url: &str, to: &Path) -> Result {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    eprintln!("downloading {url}");
    let status = Command::new("curl")
        .args(["--fail", "--silent", "--show-error", "--location", "--max-time", "120", "--output"])
        .arg(to)
        .arg(url)
        .status()
        .map_err(|e| format!("cannot run curl to download {url}: {e}"))?;
    if !status.success() {
        return Err(format!("downloading {url} failed; set CLERK_SPECS_DIR to a local copy of the specs"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;
    use std::thread::JoinHandle;
    use std::time::Duration;

    /// Serves `files` (URL path, body) over HTTP on 127.0.0.1 for exactly `connections`
    /// connections, answering 404 for any other path; returns the base URL and a handle
    /// that yields the paths requested.
    fn serve(files: Vec<(String, Vec<u8>)>, connections: usize) -> (String, JoinHandle<Vec<String>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let handle = std::thread::spawn(move || {
            let mut requested = Vec::new();
            for stream in listener.incoming().take(connections) {
                let mut stream = stream.unwrap();
                stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                reader.read_line(&mut request_line).unwrap();
                let mut header = String::new();
                while reader.read_line(&mut header).unwrap() > 2 {
                    header.clear();
                }
                let path = request_line.split(' ').nth(1).unwrap_or_default().to_owned();
                let response = match files.iter().find(|(p, _)| *p == path) {
                    Some((_, body)) => [
                        format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n", body.len()).into_bytes(),
                        body.clone(),
                    ]
                    .concat(),
                    None => b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n".to_vec(),
                };
                stream.write_all(&response).unwrap();
                requested.push(path);
            }
            requested
        });
        (base, handle)
    }

    fn source(path: &str, body: &[u8]) -> Source {
        Source {
            api_version: "2026-05-12".into(),
            snapshot: "2026-08-14".into(),
            path: path.into(),
            upstream_path: path.split_once('/').map_or(path, |(_, rest)| rest).into(),
            upstream_commit: "7987d1b".into(),
            sha256: pin::sha256_hex(body),
        }
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-specs-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn pinned_files_are_downloaded_into_a_specs_folder_once() {
        let (api, webhooks) = (b"openapi: 3.0.3\n".as_slice(), b"openapi: 3.0.3 # webhooks\n".as_slice());
        let sources =
            [source("2026-08-14/bapi/2026-05-12.yml", api), source("2026-08-14/webhooks/2025-04-15.yml", webhooks)];
        let files = vec![
            ("/7987d1b/bapi/2026-05-12.yml".to_owned(), api.to_vec()),
            ("/7987d1b/webhooks/2025-04-15.yml".to_owned(), webhooks.to_vec()),
        ];
        let (base, server) = serve(files, 2);
        let dir = scratch("once");
        for source in &sources {
            fetch(source, &dir, &base).unwrap();
        }
        assert_eq!(server.join().unwrap(), ["/7987d1b/bapi/2026-05-12.yml", "/7987d1b/webhooks/2025-04-15.yml"]);
        assert_eq!(std::fs::read(dir.join("2026-08-14/bapi/2026-05-12.yml")).unwrap(), api);
        assert_eq!(std::fs::read(dir.join("2026-08-14/webhooks/2025-04-15.yml")).unwrap(), webhooks);
        // The server is gone: a second fetch succeeds only because it downloads nothing.
        for source in &sources {
            fetch(source, &dir, &base).unwrap();
        }
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_download_with_another_hash_is_refused_and_not_kept() {
        let pinned = source("2026-08-14/bapi/2026-05-12.yml", b"openapi: 3.0.3\n");
        let (base, server) = serve(vec![("/7987d1b/bapi/2026-05-12.yml".to_owned(), b"openapi: 3.1.0\n".to_vec())], 1);
        let dir = scratch("wrong-hash");
        let err = fetch(&pinned, &dir, &base).unwrap_err();
        server.join().unwrap();
        assert!(err.contains("refusing to generate from an unpinned spec") && err.contains(&pinned.sha256), "{err}");
        assert!(err.contains(&format!("{base}/7987d1b/bapi/2026-05-12.yml")), "{err}");
        let bapi = dir.join("2026-08-14/bapi");
        assert_eq!(std::fs::read_dir(&bapi).unwrap().count(), 0, "{} is not empty", bapi.display());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_file_the_server_does_not_have_is_an_error_naming_its_url() {
        let pinned = source("2026-08-14/bapi/2026-05-12.yml", b"openapi: 3.0.3\n");
        let (base, server) = serve(Vec::new(), 1);
        let dir = scratch("missing");
        let err = fetch(&pinned, &dir, &base).unwrap_err();
        assert_eq!(server.join().unwrap(), ["/7987d1b/bapi/2026-05-12.yml"]);
        assert!(err.contains(&format!("downloading {base}/7987d1b/bapi/2026-05-12.yml failed")), "{err}");
        assert!(!dir.join("2026-08-14/bapi/2026-05-12.part").exists() && !dir.join(&pinned.path).exists());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
