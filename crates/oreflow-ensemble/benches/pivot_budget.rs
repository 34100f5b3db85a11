#![allow(clippy::print_stdout, clippy::print_stderr)] // a benchmark reports on stdout, a bad setting on stderr
//! `cargo bench -p oreflow-ensemble --bench pivot_budget`: what one simplex
//! pivot may cost for issue 13's target (10,000 runs of
//! `scenarios/ensemble-licensing-risk.toml` in 60 s on 2 cores), set beside
//! what a pivot costs now and what the simplest solver of our own would pay
//! for one, measured side by side in one process:
//!
//! 1. `OREFLOW_PIVOT_RUNS` (default 20) ensemble runs, exactly as the
//!    ensemble solves them (`Ensemble::solve_run`, the ensembles' HiGHS
//!    options, one thread), timed, through an observer that counts LPs,
//!    rows and simplex iterations. The whole run's
//!    time per iteration (model building and HiGHS' per-call set-up
//!    included) is what a pivot costs now.
//! 2. The budget: 60 s × 2 cores / 10,000 runs, over the iterations a run
//!    takes.
//! 3. A dense explicit basis inverse of the LP's row count, updated once per
//!    pivot (the rank-one elimination of a product-form update, `m²`
//!    multiply-adds): the floor of a dual simplex that keeps `B⁻¹` dense,
//!    before any pricing or ratio test. Compiled with the workspace's release
//!    flags, as HiGHS is.
//!
//! Nothing here is a pass/fail check; it prints the figures and ratios.

#[path = "../tests/common/lp_check.rs"]
#[allow(dead_code)]
mod lp_check;

use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::Instant;

use oreflow_lp::Observed;

use lp_check::Count;

/// Seconds per rank-one update of a dense `m × m` inverse (row `r` is the
/// pivot row; every other row takes a multiple of it), median of 5 rounds.
fn dense_update_seconds(m: usize) -> f64 {
    let mut inv: Vec<f64> = (0..m * m)
        .map(|k| ((k * 7919) % 1000) as f64 / 1000.0)
        .collect();
    let col: Vec<f64> = (0..m).map(|i| 1e-9 * (i % 17) as f64).collect();
    let updates = 400;
    let mut rounds = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        for k in 0..updates {
            let r = (k * 37) % m;
            let (before, rest) = inv.split_at_mut(r * m);
            let (pivot, after) = rest.split_at_mut(m);
            let pivot: &[f64] = pivot;
            for (i, row) in before
                .chunks_exact_mut(m)
                .chain(after.chunks_exact_mut(m))
                .enumerate()
            {
                let f = col[i];
                for (x, p) in row.iter_mut().zip(pivot) {
                    *x -= f * p;
                }
            }
        }
        rounds.push(t.elapsed().as_secs_f64() / updates as f64);
    }
    std::hint::black_box(&inv);
    rounds.sort_by(f64::total_cmp);
    rounds[2]
}

fn main() {
    let runs: u64 = match std::env::var("OREFLOW_PIVOT_RUNS") {
        Err(_) => 20,
        Ok(v) => match v.parse() {
            Ok(n) if n > 0 => n,
            _ => {
                eprintln!("OREFLOW_PIVOT_RUNS={v:?}: expected a whole number of runs, at least 1");
                std::process::exit(2);
            }
        },
    };
    let scenario =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/ensemble-licensing-risk.toml");
    let (_, e) = lp_check::ensemble_of(&scenario);
    // One pass, timed and counted: the observer adds four atomic updates
    // per LP to a solve of milliseconds.
    let count = Count::default();
    let observed = Observed {
        backend: oreflow_ensemble::highs(),
        observer: &count,
    };
    let mut problem = None;
    let t = Instant::now();
    for i in 0..runs {
        e.solve_run(1, i, &observed, &mut problem).expect("run");
    }
    let per_run = t.elapsed().as_secs_f64() / runs as f64;
    let lps = count.lps.load(Ordering::Relaxed) as f64 / runs as f64;
    let iterations = count.iterations.load(Ordering::Relaxed) as f64 / runs as f64;
    let m = count.rows.load(Ordering::Relaxed) as usize;
    let n = count.cols.load(Ordering::Relaxed);

    let budget_run = 60.0 * 2.0 / 10_000.0;
    let now_pivot = per_run / iterations;
    let budget_pivot = budget_run / iterations;
    let dense = dense_update_seconds(m);

    println!(
        "{runs} runs, 1 thread: {:.1} ms per run, {lps:.1} LPs of {m} rows × {n} columns, {iterations:.0} iterations per run",
        per_run * 1e3
    );
    println!("| per simplex iteration | µs | × the budget |");
    println!("| --- | ---: | ---: |");
    println!(
        "| budget: 60 s × 2 cores / 10,000 runs / {iterations:.0} iterations | {:.1} | 1.0 |",
        budget_pivot * 1e6
    );
    println!(
        "| now: a whole run (HiGHS, model building) / its iterations | {:.1} | {:.1} |",
        now_pivot * 1e6,
        now_pivot / budget_pivot
    );
    println!(
        "| dense B⁻¹ of {m} rows: one rank-one update alone | {:.1} | {:.1} |",
        dense * 1e6,
        dense / budget_pivot
    );
    println!(
        "a run now: {:.1}× the budget of {:.0} ms per run",
        per_run / budget_run,
        budget_run * 1e3
    );
}
