//! A load on a server at 127.0.0.1: `clients` concurrent clients for
//! `seconds`, each sending `POST /api/run` — mostly shipped scenarios
//! (answered from the cache after their first run) and a share of new ones
//! (each a real model run) — plus slow clients that trickle request
//! headers and are cut by the header timeout, and a probe of
//! `/api/health` latency. It stops by itself.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(Clone, Debug)]
pub struct Spec {
    pub clients: usize,
    pub seconds: f64,
    /// Share of requests that are new scenarios (uncached runs).
    pub uncached_share: f64,
    pub slow_clients: usize,
    /// Last year of the runs.
    pub to: i32,
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub seconds: f64,
    pub requests: u64,
    /// Non-2xx answers other than 503, and transport errors, of accepted requests.
    pub errors: u64,
    pub error_samples: Vec<String>,
    /// 503 answers (busy; the client was told to retry).
    pub refused: u64,
    pub cached_ms: Vec<f64>,
    pub uncached_ms: Vec<f64>,
    pub health_ms: Vec<f64>,
    /// Slow connections cut by the server.
    pub slow_cut: u64,
}

pub fn percentile(v: &[f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let k = ((p / 100.0) * (s.len() - 1) as f64).round() as usize;
    s[k.min(s.len() - 1)]
}

impl Outcome {
    pub fn report(&self) -> String {
        format!(
            "{:.0} s, {} requests ({:.1}/s), errors {}, refused (503) {}\n\
             cached   runs: {:>6} p50 {:>8.1} ms  p99 {:>8.1} ms\n\
             uncached runs: {:>6} p50 {:>8.1} ms  p99 {:>8.1} ms\n\
             /api/health during the load: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} probes)\n\
             slow clients cut by the header timeout: {}",
            self.seconds,
            self.requests,
            self.requests as f64 / self.seconds,
            self.errors,
            self.refused,
            self.cached_ms.len(),
            percentile(&self.cached_ms, 50.0),
            percentile(&self.cached_ms, 99.0),
            self.uncached_ms.len(),
            percentile(&self.uncached_ms, 50.0),
            percentile(&self.uncached_ms, 99.0),
            percentile(&self.health_ms, 50.0),
            percentile(&self.health_ms, 99.0),
            self.health_ms.iter().copied().fold(0.0, f64::max),
            self.health_ms.len(),
            self.slow_cut,
        )
    }
}

/// Runs the load against `addr`. Each shipped scenario is run once before
/// the clock starts (the cache of a server that has been up a while), so
/// the timed part measures the mix of cached and new requests, not the
/// first wave of every client waiting on the same few runs.
pub async fn run(addr: SocketAddr, spec: Spec) -> Outcome {
    let url = format!("http://{addr}");
    let warm = reqwest::Client::builder()
        .timeout(Duration::from_secs(300))
        .build()
        .unwrap();
    for (_, text) in oreflow_scenario::SHIPPED
        .iter()
        .filter(|(_, t)| !t.contains("[uncertain"))
    {
        let _ = warm
            .post(format!("{url}/api/run?to={}", spec.to))
            .header("content-type", "application/toml")
            .body(text.to_string())
            .send()
            .await
            .and_then(|r| r.error_for_status());
    }
    let until = Instant::now() + Duration::from_secs_f64(spec.seconds);
    let out = Arc::new(Mutex::new(Outcome::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let next = Arc::new(AtomicU64::new(0));
    let shipped: Vec<String> = oreflow_scenario::SHIPPED
        .iter()
        .filter(|(_, t)| !t.contains("[uncertain"))
        .map(|(_, t)| t.to_string())
        .collect();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..spec.clients {
        let (url, out, next, shipped, spec) = (
            url.clone(),
            out.clone(),
            next.clone(),
            shipped.clone(),
            spec.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .timeout(Duration::from_secs(120))
                .build()
                .unwrap();
            let mut k = c as u64;
            while Instant::now() < until {
                let n = next.fetch_add(1, Ordering::Relaxed);
                // A deterministic mix: every 1/share-th request is new.
                let uncached = spec.uncached_share > 0.0
                    && (n as f64 * spec.uncached_share).floor()
                        != ((n + 1) as f64 * spec.uncached_share).floor();
                let body = if uncached {
                    format!("name = \"load-{n}\"\n")
                } else {
                    k += 1;
                    shipped[(k as usize) % shipped.len()].clone()
                };
                let t = Instant::now();
                let r = client
                    .post(format!("{url}/api/run?to={}", spec.to))
                    .header("content-type", "application/toml")
                    .header("accept-encoding", "gzip")
                    .body(body)
                    .send()
                    .await;
                let r = match r {
                    Ok(r) => {
                        let status = r.status();
                        let cache = r
                            .headers()
                            .get("x-oreflow-cache")
                            .map(|v| v.to_str().unwrap_or("").to_string());
                        match r.bytes().await {
                            Ok(_) => Ok((status, cache)),
                            Err(e) => Err(e.to_string()),
                        }
                    }
                    Err(e) => Err(e.to_string()),
                };
                let ms = t.elapsed().as_secs_f64() * 1000.0;
                let mut o = out.lock().unwrap();
                o.requests += 1;
                match r {
                    Ok((s, cache)) if s.is_success() => {
                        if cache.as_deref() == Some("hit") {
                            o.cached_ms.push(ms)
                        } else {
                            o.uncached_ms.push(ms)
                        }
                    }
                    Ok((s, _)) if s == reqwest::StatusCode::SERVICE_UNAVAILABLE => o.refused += 1,
                    Ok((s, _)) => {
                        o.errors += 1;
                        if o.error_samples.len() < 5 {
                            o.error_samples.push(format!("status {s}"));
                        }
                    }
                    Err(e) => {
                        o.errors += 1;
                        if o.error_samples.len() < 5 {
                            o.error_samples.push(e);
                        }
                    }
                }
            }
        }));
    }
    // Slow clients: a header byte per 200 ms, reconnecting when cut.
    for _ in 0..spec.slow_clients {
        let (out, stop) = (out.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) && Instant::now() < until {
                let Ok(mut s) = tokio::net::TcpStream::connect(addr).await else {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                };
                let _ = s
                    .write_all(b"POST /api/run HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                    .await;
                let mut buf = [0u8; 1024];
                loop {
                    if Instant::now() >= until {
                        return;
                    }
                    tokio::select! {
                        r = s.read(&mut buf) => {
                            if matches!(r, Ok(0) | Err(_)) {
                                out.lock().unwrap().slow_cut += 1;
                            } else {
                                // A 408/400 answer, then the close.
                                out.lock().unwrap().slow_cut += 1;
                            }
                            break;
                        }
                        _ = tokio::time::sleep(Duration::from_millis(200)) => {
                            if s.write_all(b"x").await.is_err() {
                                out.lock().unwrap().slow_cut += 1;
                                break;
                            }
                        }
                    }
                }
            }
        }));
    }
    // Health probe.
    {
        let (url, out) = (url.clone(), out.clone());
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            while Instant::now() < until {
                let t = Instant::now();
                if let Ok(r) = client.get(format!("{url}/api/health")).send().await {
                    if r.status().is_success() && r.bytes().await.is_ok() {
                        out.lock()
                            .unwrap()
                            .health_ms
                            .push(t.elapsed().as_secs_f64() * 1000.0);
                    }
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    stop.store(true, Ordering::Relaxed);
    let mut o = std::mem::take(&mut *out.lock().unwrap());
    o.seconds = started.elapsed().as_secs_f64();
    o
}

/// Peak resident memory (VmHWM) of a process, bytes (Linux).
pub fn peak_rss(pid: &str) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
