#![allow(clippy::print_stdout)] // a benchmark reports on stdout
//! `cargo bench -p oreflow-ensemble --bench lp_check`: the correctness
//! harness at full size — `OREFLOW_CHECK_LPS` (default 10,000) LPs from the
//! ensembles of the shipped scenarios with uncertainty, each warm-started
//! solve checked against HiGHS from scratch (`tests/common/lp_check.rs`).
//! `OREFLOW_CHECK_DEFAULTS=1` checks HiGHS' default options instead of the
//! ensemble's backend; `OREFLOW_CHECK_SOLVER=own` checks oreflow's own dual
//! simplex (`oreflow-simplex`, HiGHS as its fallback). Exits non-zero if any
//! check fails.

#[path = "../tests/common/lp_check.rs"]
#[allow(dead_code)] // check_scenario: the test's entry point
mod lp_check;

fn main() {
    let lps: u64 = std::env::var("OREFLOW_CHECK_LPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let scenarios = lp_check::uncertain_scenarios();
    let per = lps.div_ceil(scenarios.len().max(1) as u64);
    let started = std::time::Instant::now();
    let mut bad = false;
    for sc in &scenarios {
        // What ensembles solve with (`OREFLOW_CHECK_DEFAULTS=1`: HiGHS'
        // defaults instead).
        let own = oreflow_simplex::DualSimplex::new(oreflow_ensemble::highs());
        let make = || -> Box<dyn oreflow_lp::Backend + '_> {
            if std::env::var_os("OREFLOW_CHECK_DEFAULTS").is_some() {
                Box::new(oreflow_lp::HighsBackend::default())
            } else if std::env::var("OREFLOW_CHECK_SOLVER").as_deref() == Ok("own") {
                Box::new(&own)
            } else {
                Box::new(oreflow_ensemble::highs())
            }
        };
        let c = lp_check::check_scenario_with(sc, per, 11, threads, &make);
        println!("{}", lp_check::describe(&c));
        if std::env::var("OREFLOW_CHECK_SOLVER").as_deref() == Ok("own") {
            let t = own.totals();
            println!(
                "  oreflow-simplex: {} LPs solved by itself, {} by its fallback {:?}",
                t.solved,
                t.fallback_count(),
                t.fallbacks
            );
        }
        for f in &c.summary.failures {
            println!("  {f}");
        }
        bad |= c.summary.failed > 0 || c.failed_runs > 0 || c.summary.controls_accepted > 0;
    }
    println!(
        "{} scenarios, {:.1} s on {threads} threads",
        scenarios.len(),
        started.elapsed().as_secs_f64()
    );
    if bad {
        std::process::exit(1);
    }
}
