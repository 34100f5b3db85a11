#![allow(clippy::print_stdout)] // a benchmark reports on stdout
//! `cargo bench -p oreflow-sim`: one year's build + solve and the full
//! 2024–2040 baseline run, on the embedded dataset, with the HiGHS backend.
//! Prints the median and spread of repeated runs (no timing assertions: the
//! machine is shared; targets are judged from these figures).

use std::time::Instant;

use oreflow_lp::{Backend, Cold, HighsBackend};
use oreflow_market::solve_year;
use oreflow_sim::{run, Model, RunConfig, State};

fn median(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[0], v[v.len() / 2], v[v.len() - 1])
}

fn time<F: FnMut()>(reps: usize, mut f: F) -> (f64, f64, f64) {
    f(); // warm-up
    median(
        (0..reps)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64()
            })
            .collect(),
    )
}

fn main() {
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let wanted = |name: &str| filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str()));
    let ds = oreflow_data::embedded().expect("embedded dataset");
    let model = Model::new(ds, RunConfig::default()).expect("model");
    let backends: Vec<(&str, HighsBackend)> = vec![
        ("highs dual simplex", HighsBackend::default()),
        (
            "highs primal simplex",
            HighsBackend {
                simplex_strategy: 4,
                ..HighsBackend::default()
            },
        ),
        (
            "highs dual simplex, no presolve",
            HighsBackend {
                presolve: "off",
                ..HighsBackend::default()
            },
        ),
        (
            "highs ipm",
            HighsBackend {
                solver: "ipm",
                ..HighsBackend::default()
            },
        ),
    ];
    let data = model.year_data(2024, &State::initial(&model));
    for (name, b) in &backends {
        let label = format!("one year (2024) build+solve, {name}");
        if wanted(&label) {
            let (lo, med, hi) = time(15, || {
                solve_year(&model.network, &data, b).expect("solve");
            });
            println!(
                "{label:<62} median {:>8.1} ms  (min {:.1}, max {:.1})",
                med * 1e3,
                lo * 1e3,
                hi * 1e3
            );
        }
    }
    for (name, b) in &backends {
        for warm in [true, false] {
            let label = format!(
                "baseline 2024-2040 run, {name}, {}",
                if warm { "warm start" } else { "cold" }
            );
            if wanted(&label) {
                let cold = Cold(b.clone());
                let backend: &dyn Backend = if warm { b } else { &cold };
                let (lo, med, hi) = time(5, || {
                    run(&model, backend, |_| {}).expect("run");
                });
                println!(
                    "{label:<62} median {:>8.1} ms  (min {:.1}, max {:.1})",
                    med * 1e3,
                    lo * 1e3,
                    hi * 1e3
                );
            }
        }
    }
    let s = run(&model, &HighsBackend::default(), |_| {}).expect("run");
    let y = &s.years[0].solution;
    println!(
        "LP size: {} rows × {} columns; simplex iterations per year (all its solves): {:?}",
        y.lp_rows,
        y.lp_cols,
        s.years.iter().map(|y| y.iterations).collect::<Vec<_>>()
    );
}
