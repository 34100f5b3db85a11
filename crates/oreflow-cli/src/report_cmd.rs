//! `oreflow report [SCENARIO] [--compare OTHER]`: a self-contained HTML report.

use std::path::{Path, PathBuf};

use clap::Args;
use oreflow_lp::HighsBackend;
use oreflow_sim::run as run_model;

use crate::output::write_json;
use crate::run_cmd::check_years;
use crate::{build_model, load_scenario, Failure, RunOverrides};

#[derive(Args, Debug)]
pub(crate) struct ReportArgs {
    /// `baseline` (the default), a scenario file (.toml) or a directory of tables.
    scenario: Option<PathBuf>,
    /// A second scenario drawn dashed over the first (B; the report's scenario is A).
    #[arg(long)]
    compare: Option<PathBuf>,
    /// The HTML file [default: out/<scenario>/report.html]; report.json (the
    /// numbers behind every chart) is written next to it.
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// Also write every chart as a standalone SVG file into this directory.
    #[arg(long)]
    figures: Option<PathBuf>,
    /// First year (overrides both scenarios).
    #[arg(long)]
    from: Option<i32>,
    /// Last year (overrides both scenarios).
    #[arg(long)]
    to: Option<i32>,
}

fn create_dir(dir: &Path) -> Result<(), Failure> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Failure::model(format!("cannot create {}: {e}", dir.display())))
}

fn write(path: &Path, text: &str) -> Result<(), Failure> {
    std::fs::write(path, text)
        .map_err(|e| Failure::model(format!("cannot write {}: {e}", path.display())))
}

pub(crate) fn run(a: ReportArgs) -> Result<(), Failure> {
    let o = RunOverrides {
        from: a.from,
        to: a.to,
        growth: None,
    };
    check_years(&o)?;
    let (name, model) = build_model(load_scenario(a.scenario.as_ref())?, &o)?;
    let other = match &a.compare {
        Some(p) => Some(build_model(load_scenario(Some(p))?, &o)?),
        None => None,
    };
    let backend = HighsBackend::default();
    let result =
        run_model(&model, &backend, |_| {}).map_err(|e| Failure::model(format!("{name}: {e}")))?;
    let other_result = match &other {
        Some((n, m)) => {
            Some(run_model(m, &backend, |_| {}).map_err(|e| Failure::model(format!("{n}: {e}")))?)
        }
        None => None,
    };
    let compare = match (&other, &other_result) {
        (Some((n, m)), Some(r)) => Some((n.as_str(), m, r)),
        _ => None,
    };
    let report = oreflow_report::render(&name, &model, &result, compare);

    let html = a
        .out
        .unwrap_or_else(|| PathBuf::from("out").join(&name).join("report.html"));
    let dir = match html.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    create_dir(&dir)?;
    write(&html, &report.html)?;
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
