//! Ensemble jobs: queued, run one at a time on a worker thread, with
//! progress published to watchers (server-sent events) and a cancel flag.
//! Each job writes into its own folder under the server's temporary
//! directory; a cancelled or failed job's folder is removed, and the whole
//! directory goes when the server stops.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use utoipa::ToSchema;

use crate::engine::{self, RunRequest};
use crate::error::ApiError;
use crate::state::{lock, Limits};

/// What to run as an ensemble.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnsembleRequest {
    /// The scenario file (TOML) with an `[uncertain]` part, and its options.
    #[serde(flatten)]
    pub run: RunRequest,
    /// Number of runs.
    pub runs: u64,
    /// Seed of the random streams [default 1].
    #[serde(default = "one")]
    pub seed: u64,
    /// Shortfall shares whose probability is reported [default 0.05, 0.2].
    #[serde(default)]
    pub thresholds: Option<Vec<f64>>,
}

fn one() -> u64 {
    1
}

/// Where a job is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    Queued,
    Running,
    Done,
    Failed,
    Cancelled,
}

impl JobState {
    pub fn finished(self) -> bool {
        matches!(
            self,
            JobState::Done | JobState::Failed | JobState::Cancelled
        )
    }
}

/// A job's progress.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct JobStatus {
    pub id: String,
    pub state: JobState,
    pub scenario: String,
    /// Runs finished.
    pub done: u64,
    pub total: u64,
    /// Runs that failed (infeasible draws).
    pub failed: u64,
    pub seed: u64,
    pub elapsed_s: f64,
    /// Why it failed or was cancelled.
    pub message: Option<String>,
}

struct Job {
    id: String,
    status: watch::Sender<JobStatus>,
    cancel: Arc<AtomicBool>,
    dir: PathBuf,
}

struct Queued {
    job: Arc<Job>,
    req: EnsembleRequest,
}

/// The jobs of a server.
pub struct Jobs {
    list: Mutex<VecDeque<Arc<Job>>>,
    queue: Mutex<Option<mpsc::Sender<Queued>>>,
    worker: Mutex<Option<std::thread::JoinHandle<()>>>,
    root: tempfile::TempDir,
    next: AtomicU64,
    limits: Limits,
    stopping: Arc<AtomicBool>,
}

impl Jobs {
    pub fn new(limits: &Limits, stopping: Arc<AtomicBool>) -> std::io::Result<Jobs> {
        let root = tempfile::Builder::new()
            .prefix("oreflow-serve-")
            .tempdir()?;
        let (tx, rx) = mpsc::channel::<Queued>();
        let (threads, limit) = (limits.ensemble_threads, limits.ensemble_time_limit);
        let worker = std::thread::Builder::new()
            .name("oreflow-ensembles".into())
            .spawn(move || {
                for q in rx {
                    run_job(&q.job, &q.req, threads, limit);
                }
            })?;
        Ok(Jobs {
            list: Mutex::new(VecDeque::new()),
            queue: Mutex::new(Some(tx)),
            worker: Mutex::new(Some(worker)),
            root,
            next: AtomicU64::new(1),
            limits: limits.clone(),
            stopping,
        })
    }

    /// Checks a request and queues it; the job's first status.
    pub fn start(&self, req: EnsembleRequest) -> Result<JobStatus, ApiError> {
        if self.stopping.load(Ordering::Relaxed) {
            return Err(ApiError::ShuttingDown);
        }
        if req.runs == 0 || req.runs > self.limits.ensemble_runs {
            return Err(ApiError::option(format!(
                "runs = {}: an ensemble here has 1 to {} runs (the command line has no such limit: `oreflow ensemble`)",
                req.runs, self.limits.ensemble_runs
            )));
        }
        if let Some(t) = req
            .thresholds
            .iter()
            .flatten()
            .find(|t| !(0.0..1.0).contains(*t))
        {
            return Err(ApiError::option(format!(
                "threshold {t} is not a share of demand in [0, 1)"
            )));
        }
        if req.run.scenario.is_none() {
            return Err(ApiError::option(
                "an ensemble needs a scenario with an [uncertain] part (see the shipped ensemble-licensing-risk.toml)",
            ));
        }
        let sc = engine::scenario(&req.run)?;
        if sc.uncertainty.is_empty() {
            return Err(ApiError::option(format!(
                "{} has no [uncertain] part: nothing to draw",
                sc.name
            )));
        }
        let mut list = lock(&self.list);
        let active = list
            .iter()
            .filter(|j| !j.status.borrow().state.finished())
            .count();
        if active >= self.limits.ensemble_jobs {
            return Err(ApiError::TooManyJobs(format!(
                "{active} ensemble jobs are queued or running (the limit); wait for one to finish or cancel one"
            )));
        }
        let id = format!("e{}", self.next.fetch_add(1, Ordering::Relaxed));
        let status = JobStatus {
            id: id.clone(),
            state: JobState::Queued,
            scenario: sc.name.clone(),
            done: 0,
            total: req.runs,
            failed: 0,
            seed: req.seed,
            elapsed_s: 0.0,
            message: None,
        };
        let job = Arc::new(Job {
            dir: self.root.path().join(&id),
            id,
            status: watch::channel(status.clone()).0,
            cancel: Arc::new(AtomicBool::new(false)),
        });
        // Finished jobs beyond the number kept go, oldest first.
        while list.len() >= self.limits.ensemble_kept + self.limits.ensemble_jobs {
            match list.iter().position(|j| j.status.borrow().state.finished()) {
                Some(k) => {
                    if let Some(old) = list.remove(k) {
                        let _ = std::fs::remove_dir_all(&old.dir);
                    }
                }
                None => break,
            }
        }
        list.push_back(job.clone());
        drop(list);
        let sent = lock(&self.queue)
            .as_ref()
            .map(|q| q.send(Queued { job, req }).is_ok())
            .unwrap_or(false);
        if !sent {
            return Err(ApiError::ShuttingDown);
        }
        Ok(status)
    }

    fn find(&self, id: &str) -> Result<Arc<Job>, ApiError> {
        lock(&self.list)
            .iter()
            .find(|j| j.id == id)
            .cloned()
            .ok_or_else(|| ApiError::NotFound(format!("no ensemble job `{id}`")))
    }

    pub fn status(&self, id: &str) -> Result<JobStatus, ApiError> {
        Ok(self.find(id)?.status.borrow().clone())
    }

    /// Progress updates of a job, for streaming.
    pub fn watch(&self, id: &str) -> Result<watch::Receiver<JobStatus>, ApiError> {
        Ok(self.find(id)?.status.subscribe())
    }

    /// Cancels a queued or running job; a finished job is removed with its files.
    pub fn cancel(&self, id: &str) -> Result<JobStatus, ApiError> {
        let job = self.find(id)?;
        let state = job.status.borrow().state;
        if state.finished() {
            lock(&self.list).retain(|j| j.id != id);
            let _ = std::fs::remove_dir_all(&job.dir);
            return Ok(job.status.borrow().clone());
        }
        job.cancel.store(true, Ordering::Relaxed);
        if state == JobState::Queued {
            job.status.send_modify(|s| {
                s.state = JobState::Cancelled;
                s.message = Some("cancelled before it started".into());
            });
        }
        let st = job.status.borrow().clone();
        Ok(st)
    }

    /// The folder of a finished job.
    pub fn folder(&self, id: &str) -> Result<PathBuf, ApiError> {
        let job = self.find(id)?;
        let st = job.status.borrow().clone();
        match st.state {
            JobState::Done => Ok(job.dir.clone()),
            JobState::Queued | JobState::Running => Err(ApiError::NotFound(format!(
                "ensemble job `{id}` has not finished ({} of {} runs)",
                st.done, st.total
            ))),
            _ => Err(ApiError::NotFound(format!(
                "ensemble job `{id}` did not finish: {}",
                st.message.unwrap_or_default()
            ))),
        }
    }

    /// Cancels every job and waits for the worker to stop.
    pub fn shutdown(&self) {
        for j in lock(&self.list).iter() {
            j.cancel.store(true, Ordering::Relaxed);
        }
        lock(&self.queue).take();
        if let Some(w) = lock(&self.worker).take() {
            let _ = w.join();
        }
        // The folder goes now, even if the state outlives the server.
        let _ = std::fs::remove_dir_all(self.root.path());
    }
}

fn run_job(job: &Job, req: &EnsembleRequest, threads: usize, limit: Duration) {
    if job.cancel.load(Ordering::Relaxed) {
        job.status.send_modify(|s| {
            s.state = JobState::Cancelled;
            s.message
                .get_or_insert_with(|| "cancelled before it started".into());
        });
        return;
    }
    let started = Instant::now();
    job.status.send_modify(|s| s.state = JobState::Running);
    let finish = |state: JobState, message: Option<String>| {
        job.status.send_modify(|s| {
            s.state = state;
            s.message = message;
            s.elapsed_s = started.elapsed().as_secs_f64();
        });
    };
    let prepared = (|| {
        let (sc, model) = engine::model(&req.run).map_err(|e| e.to_string())?;
        let inputs = oreflow_ensemble::Inputs {
            dataset: sc.dataset,
            config: model.config.clone(),
            policies: sc.policies,
        };
        let goods: Vec<_> = oreflow_ensemble::DEFAULT_GOODS
            .iter()
            .filter_map(|g| oreflow_ensemble::parse_good(g))
            .collect();
        oreflow_ensemble::Ensemble::new(&sc.name, inputs, sc.uncertainty, &goods)
            .map_err(|e| e.to_string())
    })();
    let ensemble = match prepared {
        Ok(e) => e,
        Err(m) => return finish(JobState::Failed, Some(m)),
    };
    let plan = oreflow_ensemble::Plan {
        runs: req.runs,
        seed: req.seed,
        shard: oreflow_ensemble::Shard::ALL,
        threads: threads.max(1),
        thresholds: req.thresholds.clone().unwrap_or_else(|| vec![0.05, 0.2]),
        warm: true,
        solver: oreflow_ensemble::Solver::default(),
    };
    let timed_out = AtomicBool::new(false);
    let mut last = Instant::now();
    // The last progress seen: updates are throttled, so the one a run ends
    // on may not have been published.
    let mut seen = (0, 0);
    let r = ensemble.run_cancellable(
        &plan,
        &job.dir,
        &mut |p| {
            seen = (p.done, p.failed);
            if p.elapsed > limit {
                timed_out.store(true, Ordering::Relaxed);
                job.cancel.store(true, Ordering::Relaxed);
            }
            // At most ten updates a second, and always the last one.
            if p.done == p.total || last.elapsed() >= Duration::from_millis(100) {
                last = Instant::now();
                job.status.send_modify(|s| {
                    s.done = p.done;
                    s.failed = p.failed;
                    s.elapsed_s = p.elapsed.as_secs_f64();
                });
            }
        },
        &job.cancel,
    );
    match r {
        Ok(report) => {
            job.status.send_modify(|s| {
                s.done = report.runs;
                s.failed = report.failed;
            });
            finish(JobState::Done, None)
        }
        Err(e) => {
            job.status.send_modify(|s| (s.done, s.failed) = seen);
            let _ = std::fs::remove_dir_all(&job.dir);
            if timed_out.load(Ordering::Relaxed) {
                finish(
                    JobState::Failed,
                    Some(format!(
                        "stopped after the server's time limit of {} s",
                        limit.as_secs()
                    )),
                )
            } else if matches!(e, oreflow_ensemble::EnsembleError::Cancelled { .. }) {
                finish(JobState::Cancelled, Some(e.to_string()))
            } else {
                finish(JobState::Failed, Some(e.to_string()))
            }
        }
    }
}
