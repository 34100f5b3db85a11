#![allow(clippy::print_stdout)] // a benchmark reports on stdout
//! `cargo bench -p oreflow-ensemble`: ensemble throughput on the 2024–2040
//! baseline with uncertainty (`scenarios/ensemble-licensing-risk.toml`),
//! warm-started against the same runs solved from scratch, with the time
//! and simplex iterations per LP. No timing assertions: the machine is
//! shared; targets are judged from these figures.
//!
//! `OREFLOW_BENCH_RUNS` (default 400) sets the warm ensemble's size (10000
//! for the full target); the warm/cold comparison uses its first
//! `OREFLOW_BENCH_COLD_RUNS` runs (default 40) both ways, in the same process.

use std::path::Path;
use std::time::Instant;

use oreflow_ensemble::{parse_good, Ensemble, Inputs, Plan, Report, Shard, DEFAULT_GOODS};

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn line(label: &str, r: &Report) {
    let secs = r.elapsed.as_secs_f64();
    println!(
        "{label:<44} {:>6} runs in {:>7.2} s = {:>6.1} runs/s; {:>6} LPs, {:>6.2} ms and {:>5.0} simplex iterations per LP; {} failed",
        r.runs,
        secs,
        r.runs as f64 / secs,
        r.lp.solves,
        1e3 * r.lp.seconds / r.lp.solves.max(1) as f64,
        r.lp.iterations as f64 / r.lp.solves.max(1) as f64,
        r.failed
    );
}

fn main() {
    let scenario =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/ensemble-licensing-risk.toml");
    let sc = oreflow_scenario::Scenario::load(&scenario).expect("scenario");
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let goods: Vec<_> = DEFAULT_GOODS
        .iter()
        .map(|g| parse_good(g).unwrap())
        .collect();
    let setup = Instant::now();
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
    .expect("ensemble");
    println!(
        "ensemble {} ({}–{}), {} metrics per year, {} threads; setup (central run's first year) {:.2} s",
        sc.name,
        e.years().0,
        e.years().1,
        e.columns().len(),
        threads,
        setup.elapsed().as_secs_f64()
    );
    let runs = env("OREFLOW_BENCH_RUNS", 400);
    let cold_runs = env("OREFLOW_BENCH_COLD_RUNS", 40).min(runs);
    let tmp = std::env::temp_dir().join(format!("oreflow-bench-{}", std::process::id()));
    let plan = |n: u64, warm: bool| Plan {
        runs: n,
        seed: 7,
        shard: Shard::ALL,
        threads,
        thresholds: vec![0.05, 0.2],
        warm,
        solver: oreflow_ensemble::Solver::default(),
    };
    let go = |n: u64, warm: bool, dir: &str| {
        e.run(&plan(n, warm), &tmp.join(dir), &mut |_| {})
            .expect("ensemble run")
    };
    let w = go(cold_runs, true, "warm-small");
    let c = go(cold_runs, false, "cold-small");
    line("same runs, warm-started", &w);
    line("same runs, every LP from scratch", &c);
    println!(
        "  warm start: {:.1}× faster per LP, {:.1}× fewer simplex iterations",
        (c.lp.seconds / c.lp.solves as f64) / (w.lp.seconds / w.lp.solves as f64),
        (c.lp.iterations as f64 / c.lp.solves as f64)
            / (w.lp.iterations as f64 / w.lp.solves as f64)
    );
    let big = go(runs, true, "warm");
    line("throughput, warm-started", &big);
    let per_run = big.elapsed.as_secs_f64() / big.runs as f64;
    println!(
        "  at this rate 10,000 runs take {:.0} s on {threads} threads (target: 60 s)",
        per_run * 10_000.0
    );
    let _ = std::fs::remove_dir_all(&tmp);
}
