//! The short, bounded version of the load test (`cargo bench -p
//! oreflow-server --bench load` runs the long one): 50 clients for 8 s
//! mixing cached and uncached runs, with slow clients trickling headers.
//! Accepted requests must all succeed, slow clients must be cut while the
//! others are served, and memory must stay under the bound. No timing is
//! asserted (machines here are shared); the figures are printed.
#![allow(clippy::print_stdout)]

mod common;
#[path = "common/load.rs"]
mod load;

use std::time::Duration;

use oreflow_server::{Config, Limits};

/// Peak resident memory of this process (server and clients), bytes.
const BOUND: u64 = 1536 << 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_clients_are_served_without_errors_and_slow_ones_are_cut() {
    let server = common::start(Config {
        limits: Limits {
            header_timeout: Duration::from_secs(2),
            ..Limits::default()
        },
        ..Config::default()
    })
    .await;
    let o = load::run(
        server.addr,
        load::Spec {
            clients: 50,
            seconds: 8.0,
            uncached_share: 0.02,
            slow_clients: 10,
            to: 2026,
        },
    )
    .await;
    let rss = load::peak_rss("self").unwrap_or(0);
    println!(
        "{}\npeak resident memory (server and clients): {} MiB",
        o.report(),
        rss >> 20
    );
    assert_eq!(
        o.errors, 0,
        "errors of accepted requests: {:?}",
        o.error_samples
    );
    assert!(o.cached_ms.len() > 100, "{}", o.report());
    assert!(!o.uncached_ms.is_empty(), "{}", o.report());
    assert!(
        o.slow_cut >= 10,
        "slow clients were not cut: {}",
        o.report()
    );
    assert!(
        o.health_ms.len() >= 10,
        "others were not served during the load: {}",
        o.report()
    );
    assert!(
        rss < BOUND,
        "peak memory {} MiB over the bound of {} MiB",
        rss >> 20,
        BOUND >> 20
    );
    server.stop().await;
}
