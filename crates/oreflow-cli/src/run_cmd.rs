//! `oreflow run`.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use oreflow_lp::{Backend, HighsBackend};
use oreflow_sim::{run as run_model, MAX_YEAR};

use crate::output::{begin, default_dir, write_csv, write_json};
use crate::summary;
use crate::{build_model, load_scenario, Failure, RunOverrides};
use oreflow_metrics::Summary;

/// Rejects impossible year flags before any work (the dataset's own
/// reference year, the earliest `from`, is checked with the model).
pub(crate) fn check_years(o: &RunOverrides) -> Result<(), Failure> {
    let min = oreflow_core::MIN_YEAR;
    let (from, to) = (o.from.unwrap_or(min), o.to.unwrap_or(MAX_YEAR));
    if from > to || from < min || to > MAX_YEAR {
        let given: Vec<String> = [("--from", o.from), ("--to", o.to)]
            .into_iter()
            .filter_map(|(flag, y)| y.map(|y| format!("{flag} {y}")))
            .collect();
        return Err(Failure::input(format!(
            "{}: years must satisfy from ≤ to ≤ {MAX_YEAR}, from no earlier than the dataset's reference year (2024 for the embedded baseline, 2010 for hist-2010)",
            given.join(" ")
        )));
    }
    Ok(())
}

#[derive(Args, Debug)]
pub(crate) struct RunArgs {
    /// `baseline` (the default), a scenario file (.toml), or a directory whose
    /// CSV tables replace the embedded ones (see `oreflow data`).
    scenario: Option<PathBuf>,
    /// Output directory [default: out/<scenario>]
    #[arg(long, short)]
    out: Option<PathBuf>,
    #[command(flatten)]
    years: RunOverrides,
    /// Do not print the summary.
    #[arg(long, short)]
    quiet: bool,
}

pub(crate) fn run(a: RunArgs) -> Result<(), Failure> {
    let overrides = a.years.clone();
    check_years(&overrides)?;
    let sc = load_scenario(a.scenario.as_ref())?;
    if !sc.uncertainty.is_empty() && !a.quiet {
        eprintln!(
            "note: {} has an [uncertain] part; `oreflow run` ignores it (no draws, no events in force) — `oreflow ensemble` draws from it",
            sc.name
        );
    }
    let dir = a.out.clone().unwrap_or_else(|| {
        default_dir(
            &sc.name,
            &a.scenario
                .as_ref()
                .and_then(|p| p.file_stem())
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
        )
    });
    let mut inputs: Vec<&std::path::Path> = sc.files.iter().map(|p| p.as_path()).collect();
    if let Some(p) = &a.scenario {
        inputs.push(p);
    }
    // The folder is claimed (and checked) before the run, so a long run
    // does not fail at its end; it is written only once the run succeeded.
    let fingerprint = oreflow_io::fingerprint(&(
        &sc.dataset,
        &sc.policies,
        &overrides.from,
        &overrides.to,
        &overrides.growth,
        &sc.config,
    ));
    let out = begin(&dir, "run", fingerprint, &inputs)?;
    let (name, model) = build_model(sc, &overrides)?;
    let backend = HighsBackend::default();
    let started = Instant::now();
    let result = run_model(&model, &backend, |_| {}).map_err(|e| Failure::model(e.to_string()))?;
    let seconds = started.elapsed().as_secs_f64();
    let dir = &out;
    let production = oreflow_metrics::production(&model, &result);
    let prices = oreflow_metrics::prices(&model, &result);
    let consumption = oreflow_metrics::consumption(&model, &result);
    let trade = oreflow_metrics::trade(&model, &result);
    let shares = oreflow_metrics::shares(&model, &result);
    write_csv(
        dir,
        "production.csv",
        &production,
        &["year", "stage", "facility", "region", "element", "tonnes"],
    )?;
    write_csv(
        dir,
        "prices.csv",
        &prices,
        &["year", "region", "commodity", "usd_per_kg"],
    )?;
    write_csv(
        dir,
        "consumption.csv",
        &consumption,
        &[
            "year",
            "region",
            "end_use",
            "element",
            "demand_t",
            "consumed_t",
            "shortfall_t",
        ],
    )?;
    write_csv(
        dir,
        "trade.csv",
        &trade,
        &[
            "year",
            "from",
            "to",
            "commodity",
            "element",
            "tonnes",
            "value_usd",
        ],
    )?;
    write_csv(dir, "shares.csv", &shares, &oreflow_metrics::SHARE_COLUMNS)?;
    write_csv(
        dir,
        "stocks.csv",
        &oreflow_metrics::stocks(&model, &result),
        &[
            "year",
            "region",
            "element",
            "kind",
            "bought_t",
            "released_t",
        ],
    )?;
    write_csv(
        dir,
        "import_reliance.csv",
        &oreflow_metrics::import_reliance(&model, &result),
        &oreflow_metrics::RELIANCE_COLUMNS,
    )?;
    let sum = Summary::new(&name, &model, &result, &shares, backend.name(), seconds);
    write_json(&out, "summary.json", &sum)?;
    let done = out.commit()?;
    let dir = done.path;
    if !a.quiet {
        print!("{}", summary::render(&model, &result, &shares, &sum));
        println!("\nwrote production.csv, prices.csv, consumption.csv, trade.csv, shares.csv, stocks.csv, import_reliance.csv, summary.json to {}", dir.display());
    }
    Ok(())
}
