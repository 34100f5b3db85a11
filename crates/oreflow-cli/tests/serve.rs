//! `oreflow serve` as a process: it prints its URL, refuses to read files
//! next to it on a client's say-so, refuses a non-loopback address without
//! a token, and on SIGTERM cancels a running ensemble and leaves no files.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A minimal HTTP/1.1 exchange (Connection: close): (status, body).
fn http(addr: &str, method: &str, path: &str, content_type: &str, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    // Read to the end; a reset after the answer (the server closing) ends it too.
    let mut bytes = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => bytes.extend_from_slice(&buf[..n]),
            Err(e) if !bytes.is_empty() && e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) => panic!("{method} {path}: {e}"),
        }
    }
    let out = String::from_utf8_lossy(&bytes).into_owned();
    let status = out[9..12].parse().unwrap();
    let body = out
        .split_once("\r\n\r\n")
        .map(|x| x.1.to_string())
        .unwrap_or_default();
    (status, body)
}

fn serve(cwd: &Path, tmp: &Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_oreflow"))
        .args(["serve", "--port", "0"])
        .current_dir(cwd)
        .env("TMPDIR", tmp)
        .env_remove("OREFLOW_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    // Keep reading what it prints (a closed stdout stops it, as any command).
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_string();
    let addr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    (child, addr)
}

#[test]
fn serve_refuses_local_files_and_stops_cleanly_on_sigterm() {
    let cwd = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(cwd.path().join("secret.toml"), "name = \"secret\"\n").unwrap();
    std::os::unix::fs::symlink(cwd.path().join("secret.toml"), cwd.path().join("link.toml"))
        .unwrap();
    let (mut child, addr) = serve(cwd.path(), tmp.path());
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");

    let (st, body) = http(&addr, "GET", "/api/health", "text/plain", "");
    assert_eq!(st, 200, "{body}");
    for base in [
        "secret.toml",
        "link.toml",
        "./secret.toml",
        "../secret.toml",
    ] {
        let (st, body) = http(
            &addr,
            "POST",
            "/api/validate",
            "application/toml",
            &format!("base = \"{base}\"\n"),
        );
        assert_eq!(st, 422, "{base}: {body}");
        assert!(
            body.contains("not available here") || body.contains("names a path"),
            "{base}: {body}"
        );
        assert!(!body.contains("\"secret\""), "{body}");
    }

    // A long ensemble, then SIGTERM: the job is cancelled and its files go.
    let scenario = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/ensemble-licensing-risk.toml"),
    )
    .unwrap();
    let body = serde_json::json!({"scenario": scenario, "runs": 2000, "seed": 1}).to_string();
    let (st, text) = http(&addr, "POST", "/api/ensembles", "application/json", &body);
    assert_eq!(st, 202, "{text}");
    let started = Instant::now();
    let job_dir = loop {
        let dirs: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .flat_map(|e| std::fs::read_dir(e.unwrap().path()).into_iter().flatten())
            .collect();
        if let Some(d) = dirs.into_iter().next() {
            break d.unwrap().path();
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the job never started writing"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(job_dir.exists());
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    let code = loop {
        if let Some(c) = child.try_wait().unwrap() {
            break c;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "serve did not stop within 30 s of SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(code.success(), "{code:?}");
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert!(left.is_empty(), "files left behind: {left:?}");
}

#[test]
fn a_non_loopback_address_needs_a_token() {
    let out = Command::new(env!("CARGO_BIN_EXE_oreflow"))
        .args(["serve", "--bind", "0.0.0.0", "--port", "0"])
        .env_remove("OREFLOW_TOKEN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("needs an access token: give --token or set OREFLOW_TOKEN"),
        "{err}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_oreflow"))
        .args(["serve", "--port", "0", "--token", "short"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 16 characters"));
}
