#![allow(clippy::print_stdout, clippy::print_stderr)] // a benchmark reports on stdout, a bad setting on stderr
//! `cargo bench -p oreflow-ensemble --bench simplex`: oreflow's own dual
//! simplex (`oreflow-simplex`, HiGHS as its fallback) against HiGHS alone
//! on `OREFLOW_SIMPLEX_RUNS` (default 20) ensemble runs of
//! `scenarios/ensemble-licensing-risk.toml`, one thread, run alternately
//! in rounds, side by side in one process: time per run, LPs and the
//! fallback's share, and every run's headline numbers against HiGHS'.

#[path = "../tests/common/lp_check.rs"]
#[allow(dead_code)]
mod lp_check;

use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::Instant;

use oreflow_lp::{Backend, Observed};
use oreflow_simplex::DualSimplex;

use lp_check::Count;

fn env(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Err(_) => default,
        Ok(v) => match v.parse() {
            Ok(n) if n > 0 => n,
            _ => {
                eprintln!("{name}={v:?}: expected a whole number, at least 1");
                std::process::exit(2);
            }
        },
    }
}

fn main() {
    let runs = env("OREFLOW_SIMPLEX_RUNS", 20);
    let rounds = env("OREFLOW_SIMPLEX_ROUNDS", 2);
    let scenario =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/ensemble-licensing-risk.toml");
    let (_, e) = lp_check::ensemble_of(&scenario);
    let own = DualSimplex::new(oreflow_ensemble::highs());
    let highs = oreflow_ensemble::highs();
    let pass = |b: &dyn Backend| -> (f64, Vec<Vec<f64>>) {
        let mut problem = None;
        let t = Instant::now();
        let values = (0..runs)
            .map(|i| e.run_values(1, i, b, &mut problem).expect("run"))
            .collect();
        (t.elapsed().as_secs_f64() / runs as f64, values)
    };
    let (mut t_highs, mut t_own) = (Vec::new(), Vec::new());
    let (mut v_highs, mut v_own) = (Vec::new(), Vec::new());
    let only = std::env::var("OREFLOW_SIMPLEX_ONLY").is_ok();
    for _ in 0..rounds {
        if only {
            let (t, v) = pass(&own);
            t_own.push(t);
            t_highs.push(t);
            v_own = v;
            v_highs = v_own.clone();
            continue;
        }
        let (t, v) = pass(&highs);
        t_highs.push(t);
        v_highs = v;
        let (t, v) = pass(&own);
        t_own.push(t);
        v_own = v;
    }
    let count_h = Count::default();
    let count_o = Count::default();
    pass(&Observed {
        backend: oreflow_ensemble::highs(),
        observer: &count_h,
    });
    let observed = Observed {
        backend: DualSimplex::new(oreflow_ensemble::highs()),
        observer: &count_o,
    };
    pass(&observed);
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (th, to) = (median(&mut t_highs), median(&mut t_own));
    let stats = observed.backend.totals();
    let lps = count_o.lps.load(Ordering::Relaxed);
    println!("{runs} runs, 1 thread, {rounds} alternating rounds (median):");
    println!("| solver | ms per run | runs/s | LPs per run | iterations per LP | × HiGHS |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for (name, t, c) in [
        ("HiGHS (ensemble options)", th, &count_h),
        ("oreflow-simplex", to, &count_o),
    ] {
        let l = c.lps.load(Ordering::Relaxed) as f64;
        println!(
            "| {name} | {:.1} | {:.2} | {:.1} | {:.1} | {:.2} |",
            t * 1e3,
            1.0 / t,
            l / runs as f64,
            c.iterations.load(Ordering::Relaxed) as f64 / l,
            th / t
        );
    }
    println!(
        "oreflow-simplex: {} of {lps} LPs solved by itself ({} dual and {} primal iterations, {} factorisations; {} solves with dual phase 1 ({} of them infeasible); at the start of phase 2 {} bound flips, {} columns' and {} logicals' costs shifted); fallbacks {:?}",
        stats.solved, stats.dual_iterations, stats.primal_iterations, stats.factorisations, stats.phase_one, stats.phase_one_failed, stats.flips, stats.shifted_columns, stats.shifted_logicals, stats.fallbacks
    );
    println!(
        "oreflow-simplex per run: {:.1} ms in own solves, of which dual phase {:.1} ms, primal clean-up {:.1} ms",
        stats.seconds[2] * 1e3 / runs as f64,
        stats.seconds[0] * 1e3 / runs as f64,
        stats.seconds[1] * 1e3 / runs as f64
    );
    println!(
        "factorisations: {:.0} structural columns and {:.0} non-zeros on average",
        stats.structural_basics as f64 / stats.factorisations.max(1) as f64,
        stats.factor_nonzeros as f64 / stats.factorisations.max(1) as f64
    );
    let diff = lp_check::compare_runs(&e, &v_highs, &v_own, 1e-6);
    println!(
        "headline numbers against HiGHS' runs: {} of {} beyond 1e-6, {} beyond 1e-3",
        diff.beyond_1e6, diff.numbers, diff.beyond_1e3
    );
    for (d, what) in diff.worst.iter().take(8) {
        println!("  {d:.1e}: {what}");
    }
}
