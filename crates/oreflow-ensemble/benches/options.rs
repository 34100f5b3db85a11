#![allow(clippy::print_stdout, clippy::print_stderr)] // a benchmark reports on stdout, a bad setting on stderr
//! `cargo bench -p oreflow-ensemble --bench options`: HiGHS options measured
//! on ensemble throughput, side by side in one process. Each configuration
//! solves the same runs of `scenarios/ensemble-licensing-risk.toml` (runs
//! 0..`OREFLOW_OPT_RUNS`, default 100) exactly as the ensemble does
//! (`Ensemble::solve_run`: draws, model, warm-started run; no Parquet
//! writing), on 1 and on 2 threads, in `OREFLOW_OPT_ROUNDS` (default 3)
//! interleaved rounds (median reported, so drifting load on a shared machine
//! hits every configuration alike). Each configuration's LPs of the first
//! `OREFLOW_OPT_CHECK_RUNS` runs (default 20) are checked against HiGHS'
//! default options from scratch with the correctness harness (objectives
//! 1e-9, primal 1e-7, prices equal or an alternative optimal dual), and
//! the same runs' headline numbers are compared with those the defaults
//! give (exactness at the level of runs: the time loop carries any
//! difference of optimum forward). `OREFLOW_OPT_ROUNDS=0` skips the timing;
//! `OREFLOW_OPT_SETS="a|b|…"` keeps only the sets whose names contain
//! those words, the first as the reference (a word no set's name contains
//! stops the bench, listing the names).

#[path = "../tests/common/lp_check.rs"]
#[allow(dead_code)]
mod lp_check;

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use oreflow_ensemble::Ensemble;
use oreflow_lp::verify::{AgainstCold, Tolerances};
use oreflow_lp::{ActiveColumns, HighsBackend, Observed};

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn throughput(e: &Ensemble, b: &HighsBackend, runs: u64, threads: usize) -> f64 {
    let next = AtomicU64::new(0);
    let t = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let mut problem = None;
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= runs {
                        break;
                    }
                    e.solve_run(1, i, b, &mut problem).expect("run");
                }
            });
        }
    });
    runs as f64 / t.elapsed().as_secs_f64()
}

fn main() {
    let scenario =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/ensemble-licensing-risk.toml");
    let (_, e) = lp_check::ensemble_of(&scenario);
    let d = HighsBackend::default();
    let configs: Vec<(&str, HighsBackend)> = vec![
        ("HiGHS defaults", d.clone()),
        (
            "no cost perturbation (ensembles)",
            HighsBackend {
                cost_perturbation: 0.0,
                ..d.clone()
            },
        ),
        (
            "no scaling",
            HighsBackend {
                simplex_scale_strategy: 0,
                ..d.clone()
            },
        ),
        (
            "no scaling, no cost perturbation",
            HighsBackend {
                simplex_scale_strategy: 0,
                cost_perturbation: 0.0,
                ..d.clone()
            },
        ),
        (
            "Devex dual edge weights",
            HighsBackend {
                dual_edge_weight_strategy: 1,
                ..d.clone()
            },
        ),
    ];
    let mut configs = configs;
    // An active column set with an exact pricing check
    // (oreflow_lp::ActiveSession) on top of the ensembles' options.
    for (name, retire_relative, retire_share, hold_at_upper) in [
        ("ensembles, active columns 2 %, 10 %", 0.02, 0.1, false),
        ("ensembles, active columns 5 %, 10 %", 0.05, 0.1, false),
        (
            "ensembles, active columns 2 %, 10 %, upper",
            0.02,
            0.1,
            true,
        ),
    ] {
        configs.push((
            name,
            HighsBackend {
                active_columns: Some(ActiveColumns {
                    retire_relative,
                    retire_share,
                    hold_at_upper,
                }),
                ..oreflow_ensemble::highs()
            },
        ));
    }
    // OREFLOW_OPT_SETS="a|b|…": only the sets whose names contain one of
    // these, in this order; the first is the reference of the run
    // comparison and of the ratios.
    if let Ok(filter) = std::env::var("OREFLOW_OPT_SETS") {
        let mut chosen = Vec::new();
        for f in filter.split('|') {
            match configs.iter().find(|(n, _)| n.contains(f)) {
                Some(c) => chosen.push(c.clone()),
                None => {
                    eprintln!(
                        "OREFLOW_OPT_SETS: no option set's name contains `{f}`; the sets are: {}",
                        configs
                            .iter()
                            .map(|(n, _)| format!("`{n}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    );
                    std::process::exit(2);
                }
            }
        }
        configs = chosen;
    }
    let runs = env("OREFLOW_OPT_RUNS", 100);
    let rounds = env("OREFLOW_OPT_ROUNDS", 3);
    let check_runs = env("OREFLOW_OPT_CHECK_RUNS", 20);
    println!("correctness (first {check_runs} runs, against HiGHS defaults from scratch):");
    for (name, b) in &configs {
        let checker = AgainstCold::new(Tolerances::default());
        let observed = Observed {
            backend: b.clone(),
            observer: &checker,
        };
        let mut problem = None;
        for i in 0..check_runs {
            e.solve_run(1, i, &observed, &mut problem).expect("run");
        }
        let s = checker.summary();
        println!(
            "  {name:<34} {} LPs, {} failed; objective max rel {:.1e}, primal max {:.1e}, prices differing in {} LPs (certificate infeasibility max {:.1e}, gap {:.1e}); {} iterations ({:.1} per LP); controls accepted {}",
            s.lps,
            s.failed,
            s.max_objective_rel,
            s.max_primal_violation,
            s.lps_with_prices_differing,
            s.max_certificate.0,
            s.max_certificate.1,
            s.iterations.0,
            s.iterations.0 as f64 / s.lps.max(1) as f64,
            s.controls_accepted
        );
        for f in s.failures.iter().take(3) {
            println!("    {f}");
        }
    }
    // Runs, not just LPs: where prices or quantities are not unique, a
    // different simplex path gives a different optimum, and the time loop
    // carries it on. Each set's runs against the first set's runs.
    println!(
        "runs (first {check_runs}) against the first set's runs: headline numbers (prices, demand, shortfall, shares) differing beyond 1e-6 and 1e-3 relative (values ≥ 1e-3)"
    );
    let values = |b: &HighsBackend| -> Vec<Vec<f64>> {
        let mut problem = None;
        (0..check_runs)
            .map(|i| e.run_values(1, i, b, &mut problem).expect("run"))
            .collect()
    };
    let reference = values(&configs[0].1);
    for (name, b) in configs.iter().skip(1) {
        let got = values(b);
        let diff = lp_check::compare_runs(&e, &reference, &got, 1e-3);
        println!(
            "  {name:<34} {} of {} beyond 1e-6, {} beyond 1e-3",
            diff.beyond_1e6, diff.numbers, diff.beyond_1e3
        );
        for (d, what) in diff.worst.iter().take(5) {
            println!("    {d:.1e}: {what}");
        }
    }
    // OREFLOW_OPT_ROUNDS=0: correctness and run comparison only.
    for threads in [1usize, 2].into_iter().filter(|_| rounds > 0) {
        let mut rates: Vec<Vec<f64>> = vec![Vec::new(); configs.len()];
        for _ in 0..rounds {
            for (k, (_, b)) in configs.iter().enumerate() {
                rates[k].push(throughput(&e, b, runs, threads));
            }
        }
        let median = |v: &mut Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let base = median(&mut rates[0].clone());
        println!("{runs} runs on {threads} thread(s), median of {rounds} interleaved rounds (ratios against the first set):");
        for (k, (name, _)) in configs.iter().enumerate() {
            let r = median(&mut rates[k]);
            println!(
                "  {name:<34} {r:7.2} runs/s  ×{:.3}  (rounds: {:?})",
                r / base,
                rates[k]
                    .iter()
                    .map(|x| (x * 100.0).round() / 100.0)
                    .collect::<Vec<_>>()
            );
        }
    }
}
