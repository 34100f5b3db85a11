//! The server's state: settings, the bounded caches, the limit on
//! concurrent model runs and the ensemble jobs.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::engine::{self, RunRequest, Stop};
use crate::error::ApiError;
use crate::jobs::Jobs;

/// How the server runs.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address to listen on [default 127.0.0.1].
    pub bind: IpAddr,
    /// Port [default 8080; 0 = any free port].
    pub port: u16,
    /// Access token checked on every request; required when `bind` is not
    /// a loopback address.
    pub token: Option<String>,
    /// Origins allowed to call the API from other pages (CORS); none by default.
    pub cors_origins: Vec<String>,
    pub limits: Limits,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: IpAddr::from([127, 0, 0, 1]),
            port: 8080,
            token: None,
            cors_origins: Vec::new(),
            limits: Limits::default(),
        }
    }
}

/// Limits that keep the server responsive and its memory bounded.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest request body (413 above).
    pub body_bytes: usize,
    /// Time for a client to send a request's headers, and the longest a
    /// keep-alive connection may sit idle between requests.
    pub header_timeout: Duration,
    /// Time for a client to send a request's body (408 after).
    pub body_timeout: Duration,
    /// Longest a request may take to be answered (its headers; streams go on).
    pub request_timeout: Duration,
    /// Open connections at most (more wait in the kernel's backlog).
    pub max_connections: usize,
    /// Model runs at once.
    pub run_slots: usize,
    /// Requests waiting for a run slot at most (503 + Retry-After above).
    pub run_queue: usize,
    /// Longest wait for a run slot (503 + Retry-After after).
    pub queue_wait: Duration,
    /// A run still going after this is stopped (503).
    pub run_time_limit: Duration,
    /// Budget of the cache of results (compressed JSON), bytes.
    pub cache_bytes: usize,
    /// Budget of the store of requests behind result URLs, bytes.
    pub store_bytes: usize,
    /// Ensemble jobs queued or running at most (429 + Retry-After above).
    pub ensemble_jobs: usize,
    /// Finished ensemble jobs kept (the oldest is removed first).
    pub ensemble_kept: usize,
    /// Runs of one ensemble at most.
    pub ensemble_runs: u64,
    /// Worker threads of an ensemble.
    pub ensemble_threads: usize,
    /// An ensemble still going after this is cancelled.
    pub ensemble_time_limit: Duration,
    /// On shutdown, time given to open requests to finish.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        Limits {
            body_bytes: 1 << 20,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(120),
            max_connections: 256,
            run_slots: cores,
            run_queue: 64,
            queue_wait: Duration::from_secs(30),
            run_time_limit: Duration::from_secs(30),
            cache_bytes: 128 << 20,
            store_bytes: 16 << 20,
            ensemble_jobs: 4,
            ensemble_kept: 16,
            ensemble_runs: 2000,
            ensemble_threads: (cores / 2).max(1),
            ensemble_time_limit: Duration::from_secs(15 * 60),
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// A map from keys to values with a byte budget; the least recently used
/// entries go first.
pub struct Lru<V> {
    map: HashMap<String, (V, usize, u64)>,
    bytes: usize,
    budget: usize,
    tick: u64,
}

impl<V: Clone> Lru<V> {
    pub fn new(budget: usize) -> Self {
        Lru {
            map: HashMap::new(),
            bytes: 0,
            budget,
            tick: 0,
        }
    }

    pub fn get(&mut self, key: &str) -> Option<V> {
        self.tick += 1;
        let t = self.tick;
        self.map.get_mut(key).map(|e| {
            e.2 = t;
            e.0.clone()
        })
    }

    /// Inserts (an entry larger than the whole budget is not kept).
    pub fn insert(&mut self, key: String, value: V, size: usize) {
        if size > self.budget {
            return;
        }
        self.tick += 1;
        if let Some(old) = self.map.insert(key, (value, size, self.tick)) {
            self.bytes -= old.1;
        }
        self.bytes += size;
        while self.bytes > self.budget {
            let Some(oldest) = self
                .map
                .iter()
                .min_by_key(|(_, e)| e.2)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            if let Some(e) = self.map.remove(&oldest) {
                self.bytes -= e.1;
            }
        }
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }
}

/// The bound on model runs: `slots` at once, `queue` more waiting.
pub struct RunLimiter {
    slots: Arc<Semaphore>,
    waiting: AtomicUsize,
    queue: usize,
    wait: Duration,
}

impl RunLimiter {
    fn new(l: &Limits) -> Self {
        RunLimiter {
            slots: Arc::new(Semaphore::new(l.run_slots.max(1))),
            waiting: AtomicUsize::new(0),
            queue: l.run_queue,
            wait: l.queue_wait,
        }
    }

    /// A run slot, or `Busy` when the queue is full or the wait too long.
    pub async fn acquire(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        if let Ok(p) = self.slots.clone().try_acquire_owned() {
            return Ok(p);
        }
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.queue {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(ApiError::Busy(format!(
                "every model slot is taken and {} requests are waiting; try again shortly",
                self.queue
            )));
        }
        let r = tokio::time::timeout(self.wait, self.slots.clone().acquire_owned()).await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        match r {
            Ok(Ok(p)) => Ok(p),
            _ => Err(ApiError::Busy(format!(
                "no model slot became free within {} s; try again shortly",
                self.wait.as_secs()
            ))),
        }
    }
}

/// Shared by every handler.
pub struct AppState {
    pub config: Config,
    pub runs: RunLimiter,
    /// Results by fingerprint (gzip-compressed JSON documents).
    pub cache: Mutex<Lru<Bytes>>,
    /// Requests by fingerprint, so that a result's URL can be reopened.
    pub store: Mutex<Lru<Arc<RunRequest>>>,
    /// Results being computed, so identical requests share one run.
    inflight: Mutex<HashMap<String, Arc<tokio::sync::OnceCell<Bytes>>>>,
    pub jobs: Jobs,
    /// Set on shutdown: runs and jobs stop.
    pub stopping: Arc<AtomicBool>,
    pub started: Instant,
    /// The shipped scenarios: (file, name, description, has `[uncertain]`).
    pub shipped: Vec<(String, String, String, bool)>,
    /// Fingerprints of the shipped scenarios' default runs, so their URLs
    /// work after a restart.
    shipped_requests: HashMap<String, RunRequest>,
}

impl AppState {
    pub fn new(config: Config) -> std::io::Result<Arc<AppState>> {
        let stopping = Arc::new(AtomicBool::new(false));
        let mut shipped = Vec::new();
        let mut shipped_requests = HashMap::new();
        let baseline = RunRequest::default();
        shipped_requests.insert(baseline.fingerprint(), baseline);
        for (file, text) in oreflow_scenario::SHIPPED {
            let req = RunRequest {
                scenario: Some(text.to_string()),
                ..Default::default()
            };
            let (name, description, uncertain) = match engine::scenario(&req) {
                Ok(sc) => (sc.name, sc.description, !sc.uncertainty.is_empty()),
                Err(_) => (
                    file.trim_end_matches(".toml").to_string(),
                    String::new(),
                    false,
                ),
            };
            shipped.push((
                file.to_string(),
                name,
                description.trim().to_string(),
                uncertain,
            ));
            shipped_requests.insert(req.fingerprint(), req);
        }
        let jobs = Jobs::new(&config.limits, stopping.clone())?;
        Ok(Arc::new(AppState {
            runs: RunLimiter::new(&config.limits),
            cache: Mutex::new(Lru::new(config.limits.cache_bytes)),
            store: Mutex::new(Lru::new(config.limits.store_bytes)),
            inflight: Mutex::new(HashMap::new()),
            jobs,
            stopping,
            started: Instant::now(),
            shipped,
            shipped_requests,
            config,
        }))
    }

    /// The deadline and stop flag of a run starting now.
    pub fn stop(&self) -> (Instant, Duration) {
        let limit = self.config.limits.run_time_limit;
        (Instant::now() + limit, limit)
    }

    /// Remembers a request under its fingerprint.
    pub fn remember(&self, req: &RunRequest) -> String {
        let fp = req.fingerprint();
        let size = req.size();
        lock(&self.store).insert(fp.clone(), Arc::new(req.clone()), size);
        fp
    }

    /// The request behind a fingerprint, if known.
    pub fn request(&self, fp: &str) -> Option<Arc<RunRequest>> {
        lock(&self.store)
            .get(fp)
            .or_else(|| self.shipped_requests.get(fp).cloned().map(Arc::new))
    }

    /// The run document of a request (gzip JSON) and whether it came from
    /// the cache; identical requests under way share one run.
    pub async fn run(self: &Arc<Self>, req: RunRequest) -> Result<(Bytes, bool), ApiError> {
        let fp = self.remember(&req);
        if let Some(b) = lock(&self.cache).get(&fp) {
            return Ok((b, true));
        }
        let cell = lock(&self.inflight)
            .entry(fp.clone())
            .or_insert_with(|| Arc::new(tokio::sync::OnceCell::new()))
            .clone();
        let state = self.clone();
        let key = fp.clone();
        let r = cell
            .get_or_try_init(|| async move {
                let bytes = state
                    .blocking(move |stop| {
                        let ran = engine::run(&req, stop)?;
                        let doc = engine::run_document(&req, &ran);
                        let json = serde_json::to_vec(&doc)
                            .map_err(|e| ApiError::Internal(e.to_string()))?;
                        Ok(Bytes::from(engine::gzip(&json)))
                    })
                    .await?;
                lock(&state.cache).insert(key, bytes.clone(), bytes.len());
                Ok::<Bytes, ApiError>(bytes)
            })
            .await
            .cloned();
        lock(&self.inflight).remove(&fp);
        r.map(|b| (b, false))
    }

    /// Runs `f` on a blocking thread once a run slot is free.
    pub async fn blocking<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(Stop) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        if self.stopping.load(Ordering::Relaxed) {
            return Err(ApiError::ShuttingDown);
        }
        let permit = self.runs.acquire().await?;
        let (deadline, limit) = self.stop();
        let flag = self.stopping.clone();
        let r = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            f(Stop {
                deadline,
                limit,
                flag: &flag,
            })
        })
        .await;
        match r {
            Ok(r) => r,
            Err(e) => Err(ApiError::Internal(format!("the run failed: {e}"))),
        }
    }
}

/// Locks a mutex, also after a panic elsewhere (the data stay usable:
/// caches hold complete entries only).
pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lru_keeps_its_budget_and_drops_the_least_recently_used() {
        let mut c: Lru<u32> = Lru::new(10);
        c.insert("a".into(), 1, 4);
        c.insert("b".into(), 2, 4);
        assert_eq!(c.get("a"), Some(1));
        c.insert("c".into(), 3, 4);
        assert_eq!(c.get("b"), None, "b was the least recently used");
        assert_eq!(c.get("a"), Some(1));
        assert_eq!(c.bytes(), 8);
        c.insert("huge".into(), 4, 11);
        assert_eq!(c.get("huge"), None);
        c.insert("a".into(), 5, 2);
        assert_eq!((c.get("a"), c.bytes(), c.len()), (Some(5), 6, 2));
    }
}
