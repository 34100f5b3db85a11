//! `oreflow report [SCENARIO | --from OUT_DIR] [--compare OTHER]`: a
//! self-contained HTML report, from a fresh run or from a finished run's CSV
//! outputs.

use std::path::{Path, PathBuf};

use clap::Args;
use oreflow_lp::HighsBackend;
use oreflow_report::{Options, RunTables, SourceRef};
use oreflow_sim::run as run_model;

use crate::output::write_json;
use crate::run_cmd::check_years;
use crate::{build_model, load_scenario, Failure, RunOverrides};

#[derive(Args, Debug)]
pub(crate) struct ReportArgs {
    /// `baseline` (the default), a scenario file (.toml) or a directory of tables.
    scenario: Option<PathBuf>,
    /// A second scenario drawn dashed over the first (B; the report's scenario
    /// is A): a scenario, or the output directory of a finished run.
    #[arg(long)]
    compare: Option<PathBuf>,
    /// The HTML file [default: out/<scenario>/report.html]; report.json (the
    /// numbers behind every chart) is written next to it.
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// Also write every chart as a standalone SVG file into this directory.
    #[arg(long)]
    figures: Option<PathBuf>,
    /// OUT_DIR: build the report from the CSV outputs of a finished `oreflow
    /// run` (production.csv, …, summary.json) instead of running. A number is
    /// the first year instead, as in `oreflow run` (write `./2030` for a
    /// directory named like a year).
    #[arg(long, value_name = "OUT_DIR|YEAR")]
    from: Option<String>,
    /// Last year (overrides both scenarios).
    #[arg(long)]
    to: Option<i32>,
    /// Year of a Sankey diagram (repeatable) [default: the first and last year].
    #[arg(long, value_name = "YEAR")]
    sankey_year: Vec<i32>,
}

fn create_dir(dir: &Path) -> Result<(), Failure> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Failure::model(format!("cannot create {}: {e}", dir.display())))
}

fn write(path: &Path, text: &str) -> Result<(), Failure> {
    std::fs::write(path, text)
        .map_err(|e| Failure::model(format!("cannot write {}: {e}", path.display())))
}

/// Is `p` the output directory of a finished run?
fn is_run_output(p: &Path) -> bool {
    p.join("summary.json").is_file() && !is_ensemble_output(p)
}

/// Is `p` the output directory of an ensemble (or a merge)?
fn is_ensemble_output(p: &Path) -> bool {
    p.join("manifest.json").is_file()
}

fn embedded_sources() -> Vec<SourceRef> {
    oreflow_data::embedded()
        .map(|ds| {
            ds.sources
                .iter()
                .map(|s| SourceRef {
                    id: s.id.clone(),
                    publication: s.publication.clone(),
                    url: s.url.clone(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The tables of a finished run, read from its output directory. Sources are
/// not among the outputs: those of the embedded dataset are listed.
fn read_run_output(dir: &Path) -> Result<RunTables, Failure> {
    if !dir.is_dir() {
        return Err(Failure::input(format!(
            "--from {}: not a directory (expected the output directory of `oreflow run`)",
            dir.display()
        )));
    }
    let mut t = RunTables::from_csv(|f| std::fs::read_to_string(dir.join(f)).ok())
        .map_err(|e| Failure::input(format!("{}: {e}", dir.display())))?;
    t.sources = embedded_sources();
    Ok(t)
}

fn run_scenario(arg: Option<&PathBuf>, o: &RunOverrides) -> Result<RunTables, Failure> {
    let (name, model) = build_model(load_scenario(arg)?, o)?;
    let result = run_model(&model, &HighsBackend::default(), |_| {})
        .map_err(|e| Failure::model(format!("{name}: {e}")))?;
    Ok(RunTables::from_run(&name, &model, &result))
}

pub(crate) fn run(a: ReportArgs) -> Result<(), Failure> {
    let (from_year, from_dir) = match &a.from {
        Some(s) if s.trim().parse::<i32>().is_ok() => (s.trim().parse::<i32>().ok(), None),
        Some(s) => (None, Some(PathBuf::from(s))),
        None => (None, None),
    };
    if let Some(dir) = from_dir.as_ref().filter(|d| is_ensemble_output(d)) {
        return ensemble_report(&a, dir);
    }
    let ta = match &from_dir {
        Some(dir) => {
            if a.scenario.is_some() || a.to.is_some() {
                return Err(Failure::input(
                    "--from OUT_DIR reads a finished run: give no SCENARIO and no --to".to_string(),
                ));
            }
            read_run_output(dir)?
        }
        None => {
            let o = RunOverrides {
                from: from_year,
                to: a.to,
                growth: None,
            };
            check_years(&o)?;
            run_scenario(a.scenario.as_ref(), &o)?
        }
    };
    let tb = match &a.compare {
        Some(p) if is_run_output(p) => Some(read_run_output(p)?),
        Some(p) => {
            // Run B over A's years.
            let o = RunOverrides {
                from: ta.years.first().copied(),
                to: ta.years.last().copied(),
                growth: None,
            };
            Some(run_scenario(Some(p), &o)?)
        }
        None => None,
    };
    for y in &a.sankey_year {
        if !ta.years.contains(y) {
            return Err(Failure::input(format!(
                "--sankey-year {y}: not a year of the run ({}–{})",
                ta.years.first().unwrap_or(&0),
                ta.years.last().unwrap_or(&0)
            )));
        }
    }
    let report = oreflow_report::render_tables(
        &ta,
        tb.as_ref(),
        &Options {
            sankey_years: a.sankey_year.clone(),
        },
    );
    let html = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("out").join(&ta.scenario).join("report.html"));
    write_report(&a, &html, &report)
}

/// The report of an ensemble folder (`oreflow ensemble` or `oreflow merge`):
/// fan charts, shortfall probabilities, events; a run overlaid with `--compare`.
fn ensemble_report(a: &ReportArgs, dir: &Path) -> Result<(), Failure> {
    if a.scenario.is_some() || a.to.is_some() || !a.sankey_year.is_empty() {
        return Err(Failure::input(
            "--from ENSEMBLE_DIR reads a finished ensemble: give no SCENARIO, --to or --sankey-year".to_string(),
        ));
    }
    if !dir.join("summary.csv").is_file() {
        return Err(Failure::input(format!(
            "{}: an ensemble shard has no summary; merge the shards first (`oreflow merge SHARD_DIR… -o OUT`)",
            dir.display()
        )));
    }
    let mut e =
        oreflow_report::EnsembleTables::from_csv(|f| std::fs::read_to_string(dir.join(f)).ok())
            .map_err(|m| Failure::input(format!("{}: {m}", dir.display())))?;
    e.sources = embedded_sources();
    let tb = match &a.compare {
        Some(p) if is_ensemble_output(p) => {
            return Err(Failure::input(format!(
                "--compare {}: comparing two ensembles is not supported; compare with a run (a scenario or a run's output folder)",
                p.display()
            )))
        }
        Some(p) if is_run_output(p) => Some(read_run_output(p)?),
        Some(p) => {
            let o = RunOverrides {
                from: e.years.first().copied(),
                to: e.years.last().copied(),
                growth: None,
            };
            Some(run_scenario(Some(p), &o)?)
        }
        None => None,
    };
    let report = oreflow_report::render_ensemble(&e, tb.as_ref());
    let html = a.out.clone().unwrap_or_else(|| dir.join("report.html"));
    write_report(a, &html, &report)
}

fn write_report(
    a: &ReportArgs,
    html: &Path,
    report: &oreflow_report::Report,
) -> Result<(), Failure> {
    let dir = match html.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    create_dir(&dir)?;
    write(html, &report.html)?;
    write_json(&dir, "report.json", &report.payload)?;
    let mut wrote = format!(
        "wrote {} ({} kB) and {}",
        html.display(),
        report.html.len().div_ceil(1024),
        dir.join("report.json").display()
    );
    if let Some(fig) = &a.figures {
        create_dir(fig)?;
        for (file, svg) in &report.figures {
            write(&fig.join(file), svg)?;
        }
        wrote.push_str(&format!(
            "; {} SVG figures to {}",
            report.figures.len(),
            fig.display()
        ));
    }
    println!("{wrote}");
    Ok(())
}
