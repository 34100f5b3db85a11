//! Load test (not part of `cargo test`): the server in a child process on
//! 127.0.0.1, `LOAD_CLIENTS` (default 50) clients for `LOAD_SECONDS`
//! (default 60) mixing cached and uncached runs (`LOAD_UNCACHED`, default
//! 0.1 of requests), 20 slow clients trickling headers, and a probe of
//! `/api/health`. Reports requests/s, p50/p99 latency, errors, refusals and
//! the server's peak memory; fails if an accepted request failed or the
//! memory passed the bound. It stops by itself.
//!
//! `cargo bench -p oreflow-server --bench load`
#![allow(clippy::print_stdout, clippy::print_stderr)]

#[path = "../tests/common/load.rs"]
mod load;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

/// The bound on the server's peak resident memory: the results cache
/// (128 MiB of compressed documents) + model runs in flight (one model and
/// its tables per slot, ~50 MiB) + requests queued (64 × a body of at most
/// 1 MiB) + 256 connections' buffers, with room to spare.
const BOUND: u64 = 768 << 20;

fn env<T: std::str::FromStr>(k: &str, d: T) -> T {
    std::env::var(k)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(d)
}

fn main() {
    if std::env::var_os("OREFLOW_LOAD_SERVER").is_some() {
        // The child: serve until stdin closes.
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let config = oreflow_server::Config {
                port: 0,
                ..Default::default()
            };
            let listener = oreflow_server::bind(&config).await.unwrap();
            println!("PORT {}", listener.local_addr().unwrap().port());
            let stdin_closed = async {
                let _ = tokio::task::spawn_blocking(|| {
                    let mut s = String::new();
                    let _ = std::io::stdin().read_line(&mut s);
                })
                .await;
            };
            oreflow_server::serve(config, listener, stdin_closed)
                .await
                .unwrap();
        });
        return;
    }
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env("OREFLOW_LOAD_SERVER", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id().to_string();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port: u16 = line.trim().strip_prefix("PORT ").unwrap().parse().unwrap();
    let spec = load::Spec {
        clients: env("LOAD_CLIENTS", 50),
        seconds: env("LOAD_SECONDS", 60.0),
        uncached_share: env("LOAD_UNCACHED", 0.1),
        slow_clients: 20,
        to: 2040,
    };
    eprintln!("load: {spec:?} against 127.0.0.1:{port} (server pid {pid})");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let rss_peak = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let o = rt.block_on(async {
        let probe = {
            let (pid, peak) = (pid.clone(), rss_peak.clone());
            tokio::spawn(async move {
                loop {
                    if let Some(v) = load::peak_rss(&pid) {
                        peak.fetch_max(v, std::sync::atomic::Ordering::Relaxed);
                    }
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            })
        };
        let o = load::run(([127, 0, 0, 1], port).into(), spec).await;
        if let Some(v) = load::peak_rss(&pid) {
            rss_peak.fetch_max(v, std::sync::atomic::Ordering::Relaxed);
        }
        probe.abort();
        o
    });
    drop(child.stdin.take());
    let _ = child.wait();
    let rss = rss_peak.load(std::sync::atomic::Ordering::Relaxed);
    println!(
        "{}\nserver peak resident memory: {} MiB (bound {} MiB)",
        o.report(),
        rss >> 20,
        BOUND >> 20
    );
    if o.errors > 0 {
        eprintln!("errors of accepted requests: {:?}", o.error_samples);
        std::process::exit(1);
    }
    if rss > BOUND {
        eprintln!("the server's peak memory passed the bound");
        std::process::exit(1);
    }
}
