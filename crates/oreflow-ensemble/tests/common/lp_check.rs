//! The correctness harness of solver speed-ups (shared by the bounded test
//! `tests/lp_check.rs` and the 10,000-LP bench `benches/lp_check.rs`): the
//! LPs that ensembles of every shipped scenario with an `[uncertain]` part
//! solve, each warm-started solve checked against HiGHS from scratch by
//! `oreflow_lp::verify` — objectives to 1e-9 relative, primal feasibility to
//! 1e-7, prices equal (1e-7) or an alternative optimal dual (certificate
//! infeasibility and duality gap at most 1e-7).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use oreflow_ensemble::{parse_good, Ensemble, Inputs, DEFAULT_GOODS};
use oreflow_lp::verify::{AgainstCold, Summary, Tolerances};
use oreflow_lp::Observed;

/// Every shipped scenario with an `[uncertain]` part.
pub fn uncertain_scenarios() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("scenarios/")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .filter(|p| {
            !oreflow_scenario::Scenario::load(p)
                .expect("shipped scenarios load")
                .uncertainty
                .is_empty()
        })
        .collect();
    out.sort();
    out
}

pub struct Checked {
    pub scenario: String,
    pub runs: u64,
    pub failed_runs: u64,
    pub summary: Summary,
}

/// The scenario's name and its ensemble over the default goods.
pub fn ensemble_of(scenario: &Path) -> (String, Ensemble) {
    let sc = oreflow_scenario::Scenario::load(scenario)
        .unwrap_or_else(|e| panic!("{}: {e}", scenario.display()));
    let goods: Vec<_> = DEFAULT_GOODS
        .iter()
        .map(|g| parse_good(g).unwrap())
        .collect();
    let name = sc.name.clone();
    let e = Ensemble::new(
        &sc.name,
        Inputs {
            dataset: sc.dataset,
            config: sc.config,
            policies: sc.policies,
        },
        sc.uncertainty,
        &goods,
    )
    .unwrap_or_else(|e| panic!("{}: {e}", scenario.display()));
    (name, e)
}

/// Checks at least `lps` LPs of `scenario`'s ensemble (seed `seed`, runs
/// 0, 1, … until enough LPs were solved) on `threads` threads.
pub fn check_scenario(scenario: &Path, lps: u64, seed: u64, threads: usize) -> Checked {
    check_scenario_with(scenario, lps, seed, threads, &|| {
        Box::new(oreflow_ensemble::highs())
    })
}

/// As [`check_scenario`], on the backends `backend` makes (one per thread)
/// instead of the ensemble's own.
pub fn check_scenario_with<'b>(
    scenario: &Path,
    lps: u64,
    seed: u64,
    threads: usize,
    backend: &(dyn Fn() -> Box<dyn oreflow_lp::Backend + 'b> + Sync),
) -> Checked {
    let (name, e) = ensemble_of(scenario);
    let checker = AgainstCold::new(Tolerances::default());
    let next = AtomicU64::new(0);
    let failed = AtomicU64::new(0);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                // The backend under test, against HiGHS' defaults from scratch.
                let backend = Observed {
                    backend: backend(),
                    observer: &checker,
                };
                let mut problem = None;
                while checker.summary().lps < lps {
                    let run = next.fetch_add(1, Ordering::Relaxed);
                    if e.solve_run(seed, run, &backend, &mut problem).is_err() {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
    });
    Checked {
        scenario: name,
        runs: next.load(Ordering::Relaxed),
        failed_runs: failed.load(Ordering::Relaxed),
        summary: checker.summary(),
    }
}

/// One line of figures.
pub fn describe(c: &Checked) -> String {
    let s = &c.summary;
    format!(
        "{}: {} LPs of {} runs ({} runs failed), {} LPs failed a check; objective max rel diff {:.2e}, primal violation max {:.2e}; prices differing in {} LPs ({} prices, largest rel diff {:.2e}), all shown alternative optima unless failed (certificate infeasibility max {:.2e}, gap max {:.2e}); simplex iterations warm {} vs cold {}; negative controls (prices × 1.01) accepted {} of {}; differing prices by kind of row: {:?}",
        c.scenario,
        s.lps,
        c.runs,
        c.failed_runs,
        s.failed,
        s.max_objective_rel,
        s.max_primal_violation,
        s.lps_with_prices_differing,
        s.prices_differing,
        s.max_price_diff,
        s.max_certificate.0,
        s.max_certificate.1,
        s.iterations.0,
        s.iterations.1,
        s.controls_accepted,
        s.controls,
        s.differing_by_kind
    )
}

/// Headline numbers of two sets of the same runs (`run_values`) compared:
/// how many, how many differ beyond 1e-6 and 1e-3 relative (values ≥
/// 1e-3), and those beyond `listed`, largest first, named by run, year and
/// column.
#[allow(dead_code)] // used by the benches, not by tests/lp_check.rs
pub struct RunsDiff {
    pub numbers: usize,
    pub beyond_1e6: usize,
    pub beyond_1e3: usize,
    pub worst: Vec<(f64, String)>,
}

#[allow(dead_code)]
pub fn compare_runs(
    e: &Ensemble,
    reference: &[Vec<f64>],
    got: &[Vec<f64>],
    listed: f64,
) -> RunsDiff {
    let mut diff = RunsDiff {
        numbers: 0,
        beyond_1e6: 0,
        beyond_1e3: 0,
        worst: Vec::new(),
    };
    let cols = e.columns();
    let from = e.years().0;
    for (run, (a, b)) in reference.iter().zip(got).enumerate() {
        for (k, (&x, &y)) in a.iter().zip(b).enumerate() {
            let scale = x.abs().max(y.abs());
            diff.numbers += 1;
            if scale < 1e-3 {
                continue;
            }
            let d = (x - y).abs() / scale;
            diff.beyond_1e6 += usize::from(d > 1e-6);
            diff.beyond_1e3 += usize::from(d > 1e-3);
            if d > listed {
                let c = &cols[k % cols.len()];
                let year = from + (k / cols.len()) as i32;
                diff.worst
                    .push((d, format!("run {run} {year} {} {x:.4} vs {y:.4}", c.name)));
            }
        }
    }
    diff.worst.sort_by(|a, b| b.0.total_cmp(&a.0));
    diff
}

/// An observer that counts LPs and simplex iterations and keeps the
/// largest shape seen (for the benches' per-pivot figures).
#[derive(Default)]
#[allow(dead_code)] // used by the benches
pub struct Count {
    pub lps: AtomicU64,
    pub iterations: AtomicU64,
    pub rows: AtomicU64,
    pub cols: AtomicU64,
}

impl oreflow_lp::Observer for Count {
    fn solved(&self, problem: &oreflow_lp::Problem, solution: &oreflow_lp::Solution) {
        self.lps.fetch_add(1, Ordering::Relaxed);
        self.iterations
            .fetch_add(solution.iterations, Ordering::Relaxed);
        self.rows
            .fetch_max(problem.num_rows() as u64, Ordering::Relaxed);
        self.cols
            .fetch_max(problem.num_cols() as u64, Ordering::Relaxed);
    }
}
