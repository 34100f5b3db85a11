//! Benchmarks of the server (not timed tests): `POST /api/run` of the
//! baseline, uncached (a new fingerprint each time, so a model run) and
//! cached, p50 over repeated requests; and the time to the first chart of
//! the dashboard in Chromium (navigation start → first chart drawn, read
//! from the page), on a cold server (the baseline is run) and a warm one
//! (answered from the cache). `cargo bench -p oreflow-server --bench api`
#![allow(clippy::print_stdout, clippy::print_stderr)]

#[path = "../tests/common/browser.rs"]
mod browser;
#[path = "../tests/common/mod.rs"]
mod common;
#[path = "../tests/common/load.rs"]
mod load;

use std::time::{Duration, Instant};

async fn post(c: &reqwest::Client, url: &str, body: String) -> f64 {
    let t = Instant::now();
    let r = c
        .post(format!("{url}/api/run"))
        .header("content-type", "application/toml")
        .header("accept-encoding", "gzip")
        .body(body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    r.bytes().await.unwrap();
    t.elapsed().as_secs_f64() * 1000.0
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let s = common::start(Default::default()).await;
        let c = reqwest::Client::new();
        let n = 20;
        let mut uncached = Vec::new();
        for k in 0..n {
            uncached.push(post(&c, &s.url, format!("# run {k}\nname = \"baseline\"\n")).await);
        }
        let mut cached = Vec::new();
        for _ in 0..5 * n {
            cached.push(post(&c, &s.url, "# run 0\nname = \"baseline\"\n".into()).await);
        }
        println!(
            "POST /api/run, baseline 2024–2040: uncached p50 {:.1} ms (n = {n}), cached p50 {:.2} ms (n = {}); ratio {:.0}×",
            load::percentile(&uncached, 50.0),
            load::percentile(&cached, 50.0),
            5 * n,
            load::percentile(&uncached, 50.0) / load::percentile(&cached, 50.0)
        );
        s.stop().await;

        // Time to the first chart: a cold server each time (uncached), then the same server again (cached).
        let downloads = tempfile::tempdir().unwrap();
        let b = browser::Browser::start(downloads.path()).await;
        let mut cold = Vec::new();
        let mut warm = Vec::new();
        for _ in 0..5 {
            let s = common::start(Default::default()).await;
            for (k, into) in [(0, &mut cold), (1, &mut warm)] {
                let _ = k;
                b.client.goto("about:blank").await.unwrap();
                b.client.goto(&s.url).await.unwrap();
                let v = b
                    .until("the first chart", "document.body.dataset.firstChart", Duration::from_secs(60))
                    .await;
                into.push(v.as_str().unwrap().parse::<f64>().unwrap());
            }
            s.stop().await;
        }
        println!(
            "dashboard, navigation start → first chart (Chromium, headless): cold server p50 {:.0} ms, warm (cached) p50 {:.0} ms (n = 5)",
            load::percentile(&cold, 50.0),
            load::percentile(&warm, 50.0)
        );
        b.close().await;
    });
}
