//! `oreflow backtest`: the shipped historical cases against observed prices.

use std::path::PathBuf;

use clap::Args;
use oreflow_backtest::{Outcome, CASES};
use oreflow_lp::HighsBackend;

use crate::output::{begin, write_csv};
use crate::Failure;

#[derive(Args, Debug)]
pub(crate) struct BacktestArgs {
    /// Cases to run [default: all: crisis-2010, licensing-2025]
    cases: Vec<String>,
    /// Output directory for backtest.csv, backtest_checks.csv and backtest.html
    #[arg(long, short, default_value = "out/backtest")]
    out: PathBuf,
    /// Exit with status 1 when an acceptance check does not hold.
    #[arg(long)]
    strict: bool,
}

pub(crate) fn run(a: BacktestArgs) -> Result<(), Failure> {
    let names: Vec<String> = if a.cases.is_empty() {
        CASES.iter().map(|c| c.name.to_string()).collect()
    } else {
        a.cases.clone()
    };
    let backend = HighsBackend::default();
    let mut outcomes: Vec<Outcome> = Vec::new();
    for n in &names {
        let case = oreflow_backtest::case(n).map_err(|e| Failure::input(e.to_string()))?;
        let o = oreflow_backtest::run(case, &backend).map_err(|e| Failure::model(e.to_string()))?;
        outcomes.push(o);
    }
    let fingerprint = oreflow_io::fingerprint(&names);
    let out = begin(&a.out, "backtest", fingerprint, &[])?;
    let rows: Vec<_> = outcomes.iter().flat_map(|o| o.rows.clone()).collect();
    let checks: Vec<_> = outcomes.iter().flat_map(|o| o.checks.clone()).collect();
    write_csv(
        &out,
        "backtest.csv",
        &rows,
        &[
            "case",
            "element",
            "basis",
            "year",
            "model_usd_per_kg",
            "observed_usd_per_kg",
            "observed_low_usd_per_kg",
            "observed_high_usd_per_kg",
            "observed_kind",
            "observed_ids",
            "error_factor",
        ],
    )?;
    write_csv(
        &out,
        "backtest_checks.csv",
        &checks,
        &["case", "element", "check", "model", "observed", "pass"],
    )?;
    let series = series(&rows);
    let html = oreflow_report::render_backtest(
        &series,
        &checks
            .iter()
            .map(|c| oreflow_report::BacktestCheck {
                case: c.case.clone(),
                element: c.element.clone(),
                check: c.check.clone(),
                model: c.model.clone(),
                observed: c.observed.clone(),
                pass: c.pass,
            })
            .collect::<Vec<_>>(),
    );
    out.write("backtest.html", html.as_bytes())?;
    let done = out.commit()?;

    for o in &outcomes {
        println!("{} — {}", o.case.name, o.case.description);
        println!(
            "  {:<8} {:<8} {:>6} {:>12} {:>12} {:>8}",
            "element", "basis", "year", "model", "observed", "factor"
        );
        for r in o.rows.iter().filter(|r| {
            r.observed_usd_per_kg.is_some()
                && (o.case.elements.iter().any(|e| e.symbol() == r.element)
                    || r.element == "magnet")
        }) {
            let f = |x: Option<f64>| {
                x.map(|v| {
                    if v >= 100.0 {
                        format!("{v:.0}")
                    } else {
                        format!("{v:.2}")
                    }
                })
                .unwrap_or_else(|| "-".into())
            };
            println!(
                "  {:<8} {:<8} {:>6} {:>12} {:>12} {:>8}{}",
                r.element,
                r.basis,
                r.year,
                f(r.model_usd_per_kg),
                f(r.observed_usd_per_kg),
                r.error_factor
                    .map(|x| format!("{x:.2}"))
                    .unwrap_or_else(|| "-".into()),
                if r.observed_kind == "annual_estimate" {
                    "  (observed: estimate)"
                } else {
                    ""
                }
            );
        }
        println!("  checks:");
        for c in &o.checks {
            println!(
                "    [{}] {} {}: model {}, observed {}",
                if c.pass { "ok" } else { "MISS" },
                c.element,
                c.check,
                c.model,
                c.observed
            );
        }
        println!();
    }
    let held = checks.iter().filter(|c| c.pass).count();
    println!(
        "{held} of {} checks hold; wrote backtest.csv, backtest_checks.csv, backtest.html to {}",
        checks.len(),
        done.path.display()
    );
    if a.strict && held < checks.len() {
        return Err(Failure::model(format!(
            "{} back-test checks do not hold",
            checks.len() - held
        )));
    }
    Ok(())
}

/// The rows as chart series per case, element and basis.
fn series(rows: &[oreflow_backtest::Row]) -> Vec<oreflow_report::BacktestSeries> {
    let mut out: Vec<oreflow_report::BacktestSeries> = Vec::new();
    for r in rows {
        let i = match out
            .iter()
            .position(|s| s.case == r.case && s.element == r.element && s.basis == r.basis)
        {
            Some(i) => i,
            None => {
                out.push(oreflow_report::BacktestSeries {
                    case: r.case.clone(),
                    element: r.element.clone(),
                    basis: r.basis.clone(),
                    years: Vec::new(),
                    model: Vec::new(),
                    observed: Vec::new(),
                    observed_low: Vec::new(),
                    observed_high: Vec::new(),
                });
                out.len() - 1
            }
        };
        let s = &mut out[i];
        s.years.push(r.year);
        s.model.push(r.model_usd_per_kg);
        s.observed.push(r.observed_usd_per_kg);
        s.observed_low
            .push(r.observed_low_usd_per_kg.or(r.observed_usd_per_kg));
        s.observed_high
            .push(r.observed_high_usd_per_kg.or(r.observed_usd_per_kg));
    }
    out
}
