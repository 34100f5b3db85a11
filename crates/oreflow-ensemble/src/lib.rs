//! Monte Carlo ensembles (MODEL.md §5): a scenario with an `[uncertain]`
//! part is run N times, run `i` with the draws of the random streams keyed by
//! `(seed, i)` ([`rng`]), in parallel on a few threads or split into shards
//! for a cluster. Each run writes its headline metrics per year
//! ([`headline`]) to `runs.parquet` and its draws to `draws.parquet`; the
//! summary (P5/P50/P95 per metric, region and year, probabilities of
//! shortfall above thresholds, how often each event is in force) is computed
//! from `runs.parquet` read back in run order ([`summary`]), so one thread,
//! several threads and merged shards give byte-identical summaries.
//!
//! Speed: every run's LP has the shape of the central run (the scenario with
//! every event's levers added but in force in no year). A worker thread keeps
//! the LP it built (labels and all) and rewrites its numbers for the next
//! run; each run starts its first year from the central run's optimal basis
//! and every later year from its own previous year. Each run has its own
//! solver instance, so nothing carries over from run to run but the starting
//! basis, which is the same for all.
//!
//! Architecture invariant: no printing; the only IO is the ensemble's output
//! folder (writing it, reading it back for summaries and merges).

pub mod headline;
mod output;
pub mod parquet_io;
pub mod rng;
pub mod sample;
pub mod summary;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use oreflow_core::Year;
use oreflow_lp::{Backend, Basis, Cold, HighsBackend};
use oreflow_market::{Good, MarketSession};
use oreflow_sim::uncertainty::Uncertainty;
use oreflow_sim::{Model, SimError, State, Warm};
use oreflow_simplex::DualSimplex;

pub use headline::{parse_good, ColumnInfo, Headline, DEFAULT_GOODS};
pub use output::{merge, summarize, Manifest, MergeReport};
pub use sample::{Drawn, Inputs};

/// Why an ensemble could not run, be summarised or be merged.
#[derive(Debug, thiserror::Error)]
pub enum EnsembleError {
    #[error("{0}")]
    Settings(String),
    #[error("the central run (the scenario without draws) fails: {0}")]
    Central(#[from] SimError),
    #[error(transparent)]
    Table(#[from] parquet_io::TableError),
    #[error("{path}: {detail}")]
    Io { path: String, detail: String },
    #[error("cannot merge: {0}")]
    Merge(String),
    /// `done`: the runs reported through progress before the flag was seen
    /// (the count a progress display last showed).
    #[error("cancelled after {done} of {total} runs")]
    Cancelled { done: u64, total: u64 },
}

/// A share of the run indices: shard `index` of `count` (1-based) runs
/// `⌊(index − 1)·N / count⌋ .. ⌊index·N / count⌋`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// The whole ensemble.
    pub const ALL: Shard = Shard { index: 1, count: 1 };

    /// Parses `K/M`.
    pub fn parse(s: &str) -> Result<Shard, String> {
        let bad = || format!("`{s}` is not a shard: give K/M with 1 ≤ K ≤ M, e.g. 2/8");
        let (k, m) = s.split_once('/').ok_or_else(bad)?;
        let (index, count) = (
            k.trim().parse::<u32>().map_err(|_| bad())?,
            m.trim().parse::<u32>().map_err(|_| bad())?,
        );
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// The run indices of this shard out of `n`.
    pub fn range(self, n: u64) -> std::ops::Range<u64> {
        let at = |k: u64| (k * n) / self.count as u64;
        at(self.index as u64 - 1)..at(self.index as u64)
    }
}

/// How to run an ensemble.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Runs in the whole ensemble (all shards).
    pub runs: u64,
    pub seed: u64,
    pub shard: Shard,
    pub threads: usize,
    /// Shortfall shares whose probability of being exceeded is reported.
    pub thresholds: Vec<f64>,
    /// Warm starts (first year from the central basis, later years from the
    /// previous year); `false` solves every LP from scratch with HiGHS
    /// (benchmarks).
    pub warm: bool,
    /// The solver of warm-started runs.
    pub solver: Solver,
}

/// The LP solver of an ensemble's runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Solver {
    /// oreflow's own dual simplex (`oreflow-simplex`), which keeps its
    /// factorisation and edge weights between a run's solves and checks
    /// every answer against the KKT conditions; what it cannot finish goes
    /// to [`highs`] (the fallback).
    #[default]
    Own,
    /// HiGHS alone ([`highs`]).
    Highs,
}

impl Solver {
    /// Parses `own` or `highs`.
    pub fn parse(s: &str) -> Result<Solver, String> {
        match s {
            "own" => Ok(Solver::Own),
            "highs" => Ok(Solver::Highs),
            _ => Err(format!("`{s}` is not a solver: give `own` (oreflow's dual simplex, HiGHS as its fallback) or `highs`")),
        }
    }
    /// `own` or `highs`.
    pub fn name(self) -> &'static str {
        match self {
            Solver::Own => "own",
            Solver::Highs => "highs",
        }
    }
}

/// Progress of a running ensemble.
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
    pub failed: u64,
    pub elapsed: Duration,
}

/// Solver work of a set of runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LpStats {
    pub solves: u64,
    /// Build (or update) plus solve, summed over solves (all threads).
    pub seconds: f64,
    pub iterations: u64,
}

impl LpStats {
    fn add(&mut self, o: &LpStats) {
        self.solves += o.solves;
        self.seconds += o.seconds;
        self.iterations += o.iterations;
    }
}

/// What a finished ensemble (or shard) did.
#[derive(Clone, Debug)]
pub struct Report {
    pub runs: u64,
    pub failed: u64,
    pub elapsed: Duration,
    pub lp: LpStats,
    /// LPs that oreflow's own solver handed to its fallback (HiGHS).
    pub fallbacks: u64,
    /// First failures, `(run, message)`.
    pub failures: Vec<(u64, String)>,
}

/// A scenario ready to be run as an ensemble.
pub struct Ensemble {
    name: String,
    fingerprint: String,
    base: Inputs,
    uncertainty: Uncertainty,
    central: Model,
    headline: Headline,
    first_basis: Option<Basis>,
    /// The optimal basis the central run's calibration ended with: each
    /// run's calibration probes start from it (see
    /// [`Model::calibrated_with`]).
    probe_basis: Option<Basis>,
}

/// Calibrates a run's model (the central run's or a draw's) as `oreflow
/// run` does, solving the calibration probes on `backend` (the central run:
/// HiGHS' defaults, as `oreflow run`; a run: the run's own solver) started
/// from `probe` (for a run: the basis the central run's calibration ended
/// with, and the probes' LP of the thread's previous run; the probes' LP
/// has the same shape in every run, its numbers come from the run's draws).
/// The probes' optimum is unique (the market LP's degeneracy breaks), so the
/// solver and the start change pivots, not the calibration.
fn calibrate(inputs: Inputs, backend: &dyn Backend, probe: &mut Warm) -> Result<Model, SimError> {
    Model::calibrated_with(
        inputs.dataset,
        inputs.config,
        inputs.policies,
        backend,
        probe,
    )
}

/// The outcome of one run.
pub(crate) enum Outcome {
    Done {
        /// Headline values, year by year, in column order.
        rows: Vec<f64>,
        drawn: Drawn,
        lp: LpStats,
    },
    Failed {
        drawn: Drawn,
        message: String,
    },
}

impl Ensemble {
    /// Prepares an ensemble of the scenario `base` with `uncertainty`: builds
    /// and solves the first year of the central run (for its basis) and
    /// fixes the headline columns for `goods`.
    pub fn new(
        name: &str,
        base: Inputs,
        uncertainty: Uncertainty,
        goods: &[Good],
    ) -> Result<Ensemble, EnsembleError> {
        if goods.is_empty() {
            return Err(EnsembleError::Settings(
                "no goods for the headline: give at least one element or `magnet`".into(),
            ));
        }
        let c = sample::central(&base, &uncertainty);
        let mut probe = Warm::default();
        let central = calibrate(c, &HighsBackend::default(), &mut probe)?;
        let backend = highs();
        let first_basis = {
            let mut market = MarketSession::new(&central.network, &backend);
            let first = central.config.from;
            market
                .solve(&central.year_data(first, &State::initial(&central)))
                .map_err(SimError::from)?;
            market.basis()
        };
        let headline = Headline::new(&central, goods);
        let fingerprint = fingerprint(&format!("{base:?}{uncertainty:?}{goods:?}"));
        Ok(Ensemble {
            name: name.to_string(),
            fingerprint,
            base,
            uncertainty,
            central,
            headline,
            first_basis,
            probe_basis: probe.last_basis,
        })
    }

    /// Columns of the runs table (after `run` and `year`), and of each
    /// year's values from [`Ensemble::run_values`].
    pub fn columns(&self) -> &[ColumnInfo] {
        &self.headline.columns
    }

    /// What is uncertain.
    pub fn uncertainty(&self) -> &Uncertainty {
        &self.uncertainty
    }

    /// Years of each run.
    pub fn years(&self) -> (Year, Year) {
        (self.central.config.from, self.central.config.to)
    }

    /// A content hash of the scenario, its uncertainty and the headline:
    /// shards merge only when theirs agree.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Runs the plan's share of the ensemble, writing `runs.parquet`,
    /// `draws.parquet`, `failures.csv` and `manifest.json` to `out` (and, for
    /// the whole ensemble, the summary files). `progress` is called from the
    /// calling thread after each run.
    pub fn run(
        &self,
        plan: &Plan,
        out: &Path,
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<Report, EnsembleError> {
        self.run_cancellable(plan, out, progress, &AtomicBool::new(false))
    }

    /// As [`Ensemble::run`], stopping when `cancel` becomes true: workers
    /// check it before each run, no run starts after it is seen, and the
    /// result is [`EnsembleError::Cancelled`]. The folder is then left
    /// without `manifest.json`, so no command takes it for a finished
    /// ensemble; the caller removes it.
    pub fn run_cancellable(
        &self,
        plan: &Plan,
        out: &Path,
        progress: &mut dyn FnMut(&Progress),
        cancel: &AtomicBool,
    ) -> Result<Report, EnsembleError> {
        if plan.runs == 0 {
            return Err(EnsembleError::Settings(
                "the ensemble needs at least one run (-n)".into(),
            ));
        }
        if plan.runs > i32::MAX as u64 {
            return Err(EnsembleError::Settings(format!(
                "-n {}: at most {} runs (run numbers are 32-bit in the output tables)",
                plan.runs,
                i32::MAX
            )));
        }
        if plan.threads == 0 {
            return Err(EnsembleError::Settings(
                "--threads must be at least 1".into(),
            ));
        }
        if let Some(t) = plan.thresholds.iter().find(|t| !(0.0..1.0).contains(*t)) {
            return Err(EnsembleError::Settings(format!(
                "shortfall threshold {t} is not a share of demand in [0, 1)"
            )));
        }
        let range = plan.shard.range(plan.runs);
        let total = range.end - range.start;
        let started = Instant::now();
        let mut writer = output::RunsWriter::create(out, self, plan)?;
        let next = AtomicU64::new(range.start);
        let stop = AtomicBool::new(false);
        let fallbacks_seen = AtomicU64::new(0);
        let fallbacks = &fallbacks_seen;
        let (tx, rx) = mpsc::channel::<(u64, Outcome)>();
        let mut lp = LpStats::default();
        let mut failures = Vec::new();
        let mut failed = 0u64;
        let mut finished = 0u64;
        let result: Result<(), EnsembleError> = std::thread::scope(|s| {
            for _ in 0..plan.threads.min(total.max(1) as usize) {
                let tx = tx.clone();
                let (next, stop) = (&next, &stop);
                s.spawn(move || {
                    let own_backend = DualSimplex::new(highs());
                    let warm_backend = highs();
                    let cold_backend = Cold(highs());
                    let backend: &dyn Backend = match (plan.warm, plan.solver) {
                        (false, _) => &cold_backend,
                        (true, Solver::Own) => &own_backend,
                        (true, Solver::Highs) => &warm_backend,
                    };
                    let mut warm = Warm {
                        first_basis: if plan.warm {
                            self.first_basis.clone()
                        } else {
                            None
                        },
                        ..Warm::default()
                    };
                    let mut probe = Warm {
                        first_basis: if plan.warm {
                            self.probe_basis.clone()
                        } else {
                            None
                        },
                        ..Warm::default()
                    };
                    loop {
                        if stop.load(Ordering::Relaxed) || cancel.load(Ordering::Relaxed) {
                            break;
                        }
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= range.end {
                            break;
                        }
                        let o = self.one_run(plan.seed, i, backend, &mut warm, &mut probe);
                        if tx.send((i, o)).is_err() {
                            break;
                        }
                    }
                    // The fallback's share of this thread's runs.
                    fallbacks.fetch_add(own_backend.totals().fallback_count(), Ordering::Relaxed);
                });
            }
            drop(tx);
            // Finished runs arrive in any order and are written in run order;
            // progress counts every finished run.
            let mut pending: BTreeMap<u64, Outcome> = BTreeMap::new();
            let mut write_next = range.start;
            for (k, (i, o)) in rx.into_iter().enumerate() {
                let done = k as u64 + 1;
                if cancel.load(Ordering::Relaxed) {
                    stop.store(true, Ordering::Relaxed);
                    // The runs progress has reported; this one goes with
                    // the folder.
                    return Err(EnsembleError::Cancelled {
                        done: finished,
                        total,
                    });
                }
                if matches!(o, Outcome::Failed { .. }) {
                    failed += 1;
                }
                pending.insert(i, o);
                while let Some(o) = pending.remove(&write_next) {
                    match &o {
                        Outcome::Done { lp: l, .. } => lp.add(l),
                        Outcome::Failed { message, .. } => {
                            if failures.len() < 20 {
                                failures.push((write_next, message.clone()));
                            }
                        }
                    }
                    if let Err(e) = writer.push(write_next, o) {
                        stop.store(true, Ordering::Relaxed);
                        return Err(e);
                    }
                    write_next += 1;
                }
                progress(&Progress {
                    done,
                    total,
                    failed,
                    elapsed: started.elapsed(),
                });
                finished = done;
            }
            Ok(())
        });
        result?;
        // Workers that saw the flag before taking another run close the
        // channel without sending: the runs finished are those received.
        if cancel.load(Ordering::Relaxed) {
            return Err(EnsembleError::Cancelled {
                done: finished,
                total,
            });
        }
        let elapsed = started.elapsed();
        writer.finish(elapsed, plan.threads, &lp)?;
        if plan.shard.count == 1 {
            summarize(out, out)?;
        }
        Ok(Report {
            runs: total,
            failed,
            elapsed,
            lp,
            fallbacks: fallbacks_seen.load(Ordering::Relaxed),
            failures,
        })
    }

    /// Solves run `run` of the ensemble on `backend` exactly as
    /// [`Ensemble::run`] does — its draws, the first year started from the
    /// central run's basis, later years warm-started on one new solver
    /// session, the LP of an earlier run reused from `problem` (and left
    /// there) — without writing anything: for cross-checks of the LPs an
    /// ensemble solves (wrap the backend in `oreflow_lp::Observed`). A run
    /// that fails is `Err` with its message.
    pub fn solve_run(
        &self,
        seed: u64,
        run: u64,
        backend: &dyn Backend,
        problem: &mut Option<oreflow_lp::Problem>,
    ) -> Result<(), String> {
        self.run_values(seed, run, backend, problem).map(|_| ())
    }

    /// As [`Ensemble::solve_run`], returning the run's headline values (the
    /// numbers `runs.parquet` holds for it, year by year in column order):
    /// to compare the runs two solver set-ups produce.
    pub fn run_values(
        &self,
        seed: u64,
        run: u64,
        backend: &dyn Backend,
        problem: &mut Option<oreflow_lp::Problem>,
    ) -> Result<Vec<f64>, String> {
        let mut warm = Warm {
            first_basis: self.first_basis.clone(),
            problem: problem.take(),
            ..Warm::default()
        };
        let mut probe = Warm {
            first_basis: self.probe_basis.clone(),
            ..Warm::default()
        };
        let o = self.one_run(seed, run, backend, &mut warm, &mut probe);
        *problem = warm.problem.take();
        match o {
            Outcome::Done { rows, .. } => Ok(rows),
            Outcome::Failed { message, .. } => Err(message),
        }
    }

    fn one_run(
        &self,
        seed: u64,
        run: u64,
        backend: &dyn Backend,
        warm: &mut Warm,
        probe: &mut Warm,
    ) -> Outcome {
        let (inputs, drawn) = sample::draw(&self.base, &self.uncertainty, seed, run);
        // A draw from a distribution's tail may leave a number's possible
        // range (oreflow_core::ranges): that run fails, it is not solved.
        if let Some(issue) = inputs.dataset.check().into_iter().next() {
            return Outcome::Failed {
                drawn,
                message: format!("a draw left the possible range: {issue}"),
            };
        }
        let model = match calibrate(inputs, backend, probe) {
            Ok(m) => m,
            Err(e) => {
                return Outcome::Failed {
                    drawn,
                    message: e.to_string(),
                }
            }
        };
        let years = (model.config.to - model.config.from + 1) as usize;
        let mut rows = Vec::with_capacity(years * self.headline.columns.len());
        let mut lp = LpStats::default();
        let result = oreflow_sim::run_warm(&model, backend, warm, |yr| {
            self.headline
                .values(&model, &yr.data, &yr.solution, &mut rows);
            lp.solves += yr.solves as u64;
            lp.seconds += yr.solve_seconds;
            lp.iterations += yr.iterations;
        });
        match result {
            Ok(_) => Outcome::Done { rows, drawn, lp },
            Err(e) => Outcome::Failed {
                drawn,
                message: e.to_string(),
            },
        }
    }

    pub(crate) fn name(&self) -> &str {
        &self.name
    }
}

/// The HiGHS backend ensembles solve with: HiGHS' defaults without its dual
/// cost perturbation (`dual_simplex_cost_perturbation_multiplier` 0).
///
/// It takes 45 simplex iterations per warm-started LP against 109 with
/// HiGHS' defaults, and every LP passes the correctness harness (`cargo
/// bench -p oreflow-ensemble --bench options`, docs/benchmarks.md). It was
/// first held back because the equilibrium's prices and some quantities
/// were not unique (degenerate LPs), so a different simplex path reported a
/// different optimum and, through the time loop, different runs (ensemble
/// means up to 2.3 % apart). Since the market LP carries degeneracy breaks
/// (`oreflow_market::DEFAULT_DEGENERACY_BREAK`, docs/model.md "Unique
/// prices"), it gives the runs HiGHS' defaults give: of 142,460 headline
/// numbers of 20 runs, 15 differ beyond 1e-6 and 4 beyond 1e-3 (one
/// run-year's Ce shortfall split between two regions). Turning scaling off
/// as well measured no fewer differences and failed no check, but scaling
/// off alone failed 2 of 1,131 dual certificates.
pub fn highs() -> HighsBackend {
    HighsBackend {
        cost_perturbation: 0.0,
        ..HighsBackend::default()
    }
}

/// FNV-1a, 64 bits, as hex: a content hash (not for security).
fn fingerprint(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::Shard;

    #[test]
    fn shards_partition_the_runs() {
        for n in [0u64, 1, 2, 7, 10, 10_000] {
            for m in 1..=5u32 {
                let mut next = 0;
                for k in 1..=m {
                    let r = Shard { index: k, count: m }.range(n);
                    assert_eq!(r.start, next);
                    next = r.end;
                }
                assert_eq!(next, n);
            }
        }
        assert_eq!(Shard::parse("2/3"), Ok(Shard { index: 2, count: 3 }));
        for bad in ["0/3", "4/3", "3", "a/b", "1/0"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }
}
