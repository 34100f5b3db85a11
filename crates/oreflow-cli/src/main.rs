//! `oreflow`: the command-line tool. The only place that prints, reads the
//! environment or chooses exit codes (0 ok, 1 model or internal failure,
//! 2 bad input).

/// `println!` that does not panic when stdout is closed (`oreflow … | head`):
/// on a broken pipe the tool stops quietly, like other command-line tools;
/// it shadows the standard macro in this crate.
macro_rules! println {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout(), $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
        }
    }};
}

/// `print!` with the same handling of a closed stdout as `println!`.
macro_rules! print {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = write!(std::io::stdout(), $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
        }
    }};
}

mod backtest_cmd;
mod compare_cmd;
mod data_cmd;
mod ensemble_cmd;
mod lp_cmd;
mod news_cmd;
mod output;
mod report_cmd;
mod run_cmd;
mod serve_cmd;
mod summary;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Models the rare-earth supply chain from deposit to end use, by country and element.
#[derive(Parser, Debug)]
#[command(name = "oreflow", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the yearly market equilibrium and write tidy CSV outputs.
    Run(run_cmd::RunArgs),
    /// Compare scenario A with scenario B (default: the baseline).
    Compare(compare_cmd::CompareArgs),
    /// Check scenario files: syntax, names, values and calibration.
    Validate(ValidateArgs),
    /// List the dataset's tables and sources, or validate a dataset.
    Data(data_cmd::DataArgs),
    /// Write a self-contained HTML report with charts (and SVG figures).
    Report(report_cmd::ReportArgs),
    /// Run a Monte Carlo ensemble of a scenario with an [uncertain] part (or one shard of it).
    Ensemble(ensemble_cmd::EnsembleArgs),
    /// Combine the output folders of an ensemble's shards into one summary.
    Merge(ensemble_cmd::MergeArgs),
    /// Run the shipped historical cases and compare the model's prices with observed ones.
    Backtest(backtest_cmd::BacktestArgs),
    /// Serve the dashboard and the JSON API (docs/api.md) on 127.0.0.1:8080.
    Serve(serve_cmd::ServeArgs),
    /// Read news articles: figures and events, checked against the dataset, and a draft scenario.
    News(news_cmd::NewsArgs),
    /// Write the LPs a run solves as MPS files (with an index), for other solvers.
    Lp(lp_cmd::LpArgs),
    /// Time whole runs of a scenario (per-run seconds; for the peer benchmark).
    Bench(lp_cmd::BenchArgs),
}

#[derive(clap::Args, Debug)]
struct ValidateArgs {
    /// Scenario files (.toml).
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

fn validate(a: ValidateArgs) -> Result<(), Failure> {
    let mut failed = Vec::new();
    for f in &a.files {
        let loaded = load_scenario(Some(f)).and_then(|sc| {
            let u = &sc.uncertainty;
            let uncertain = if u.is_empty() {
                String::new()
            } else {
                format!(
                    "; uncertain: {} parameters, {} project statuses at risk, {} events",
                    u.parameters.len(),
                    u.projects.len(),
                    u.events.len()
                )
            };
            build_model(sc, &RunOverrides::default()).map(|(_, m)| (m, uncertain))
        });
        match loaded {
            Ok((m, uncertain)) => println!(
                "ok: {} — {} export controls, {} tariffs, {} links, {} stockpiles, {} mines, {} separation and {} magnet plants, {}–{}{uncertain}",
                f.display(),
                m.policies.export_controls.len(),
                m.policies.tariffs.len(),
                m.policies.links.len(),
                m.policies.stockpiles.len(),
                m.dataset.mines.len(),
                m.dataset.separation_plants.len(),
                m.dataset.magnet_plants.len(),
                m.config.from,
                m.config.to
            ),
            Err(e) => failed.push(e.message),
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Failure::input(failed.join("\n")))
    }
}

/// Command-line settings that override a scenario's (`run`, `ensemble`).
#[derive(clap::Args, Debug, Default, Clone)]
pub(crate) struct RunOverrides {
    /// First year (from 2024) [default: the scenario's, else 2024]
    #[arg(long)]
    pub from: Option<i32>,
    /// Last year (up to 2050) [default: the scenario's, else 2040]
    #[arg(long)]
    pub to: Option<i32>,
    /// Demand growth path (`steps`, `aps` or `nze`) [default: the scenario's, else steps]
    #[arg(long)]
    pub growth: Option<String>,
}

impl RunOverrides {
    /// The scenario's run settings with these overrides.
    pub(crate) fn apply(&self, config: &mut oreflow_sim::RunConfig) {
        if let Some(f) = self.from {
            config.from = f;
        }
        if let Some(t) = self.to {
            config.to = t;
        }
        if let Some(g) = &self.growth {
            config.growth_path = g.clone();
        }
    }
}

/// Refuses a folder written by oreflow where a folder of dataset tables is
/// expected, saying which command reads it.
fn refuse_output_folder(p: &std::path::Path) -> Result<(), Failure> {
    let kind = if let Ok(Some(m)) = std::fs::read_to_string(p.join(oreflow_io::MANIFEST))
        .map(|t| serde_json::from_str::<oreflow_io::Manifest>(&t).ok())
    {
        Some(m.writer.command)
    } else if p.join("manifest.json").is_file() {
        Some("ensemble".to_string())
    } else if p.join("summary.json").is_file() && p.join("prices.csv").is_file() {
        Some("run".to_string())
    } else {
        None
    };
    match kind.as_deref() {
        None => Ok(()),
        Some("run") => Err(Failure::input(format!(
            "{}: is the output folder of `oreflow run`, not a folder of dataset tables\n  hint: `oreflow compare` runs scenarios; to compare two finished runs use `oreflow report --from {} --compare OTHER_OUT_DIR`",
            p.display(),
            p.display()
        ))),
        Some(cmd) => Err(Failure::input(format!(
            "{}: is the output folder of `oreflow {cmd}`, not a folder of dataset tables\n  hint: `oreflow report --from {}` draws it",
            p.display(),
            p.display()
        ))),
    }
}

/// Prints a scenario's or dataset's warnings (possible but implausible values).
pub(crate) fn print_warnings(warnings: &[String]) {
    const SHOWN: usize = 20;
    for w in warnings.iter().take(SHOWN) {
        eprintln!("{w}");
    }
    if warnings.len() > SHOWN {
        eprintln!("warning: … and {} more", warnings.len() - SHOWN);
    }
}

/// A scenario: `baseline`, a scenario file, or a directory of dataset tables.
pub(crate) fn load_scenario(arg: Option<&PathBuf>) -> Result<oreflow_scenario::Scenario, Failure> {
    let sc = load_scenario_quiet(arg)?;
    print_warnings(&sc.warnings);
    Ok(sc)
}

fn load_scenario_quiet(arg: Option<&PathBuf>) -> Result<oreflow_scenario::Scenario, Failure> {
    match arg {
        Some(p) if p.is_dir() => {
            let (name, dataset) = load_dataset(Some(p))?;
            let mut sc = oreflow_scenario::Scenario::baseline()
                .map_err(|e| Failure::model(e.to_string()))?;
            sc.name = name;
            sc.warnings = dataset
                .warnings()
                .iter()
                .map(|w| format!("warning: {}: {w}", p.display()))
                .collect();
            sc.dataset = dataset;
            Ok(sc)
        }
        Some(p) if p.as_os_str() != "baseline" => {
            if !p.exists() {
                return Err(Failure::input(format!(
                    "{}: no such scenario; expected `baseline`, a scenario file (.toml) or a directory of dataset CSV tables",
                    p.display()
                )));
            }
            oreflow_scenario::Scenario::load(p).map_err(|e| Failure::input(e.to_string()))
        }
        _ => oreflow_scenario::Scenario::baseline().map_err(|e| Failure::model(e.to_string())),
    }
}

/// The calibrated model of a scenario, with command-line overrides.
pub(crate) fn build_model(
    sc: oreflow_scenario::Scenario,
    o: &RunOverrides,
) -> Result<(String, oreflow_sim::Model), Failure> {
    let mut config = sc.config.clone();
    o.apply(&mut config);
    if config.from > config.to {
        return Err(Failure::input(match (o.from, o.to) {
            (Some(f), None) => format!(
                "--from {f} is after the last year {} (the scenario's, which is the default of --to); add --to {f} or later (up to {})",
                config.to,
                oreflow_sim::MAX_YEAR
            ),
            (None, Some(t)) => format!(
                "--to {t} is before the first year {} (the scenario's, which is the default of --from); add --from {t} or earlier (from {})",
                config.from,
                sc.dataset.reference_year
            ),
            _ => format!("the run would end ({}) before it starts ({})", config.to, config.from),
        }));
    }
    // A calibration that fails is a problem of the data given (exit 2); a
    // solver failure is the model's (exit 1).
    let model = oreflow_sim::Model::with_policies(sc.dataset, config, sc.policies).map_err(
        |e| match e {
            oreflow_sim::SimError::Config(m) => Failure::input(m),
            oreflow_sim::SimError::Calibration(_) => Failure::input(e.to_string()),
            other => Failure::model(other.to_string()),
        },
    )?;
    Ok((sc.name, model))
}

/// An error with its exit code: bad input (2) or a model/internal failure (1).
pub(crate) struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    pub(crate) fn input(message: impl Into<String>) -> Self {
        Failure {
            code: 2,
            message: message.into(),
        }
    }
    pub(crate) fn model(message: impl Into<String>) -> Self {
        Failure {
            code: 1,
            message: message.into(),
        }
    }
}

/// Where a dataset comes from: the embedded default or a directory of CSV tables.
pub(crate) fn load_dataset(
    source: Option<&PathBuf>,
) -> Result<(String, oreflow_core::Dataset), Failure> {
    match source {
        None => Ok((
            "baseline".into(),
            oreflow_data::embedded().map_err(|e| {
                Failure::model(format!("the embedded dataset is invalid (a bug): {e}"))
            })?,
        )),
        Some(p) if p.as_os_str() == "baseline" => load_dataset(None),
        Some(p) if p.is_dir() => {
            refuse_output_folder(p)?;
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "dataset".into());
            let ds = oreflow_data::load_dir(p)
                .map_err(|e| Failure::input(format!("{}: {e}", p.display())))?;
            Ok((name, ds))
        }
        Some(p) => Err(Failure::input(format!(
            "{}: no such scenario; expected `baseline` or a directory of dataset CSV tables",
            p.display()
        ))),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(a) => run_cmd::run(a),
        Command::Data(a) => data_cmd::run(a),
        Command::Compare(a) => compare_cmd::run(a),
        Command::Validate(a) => validate(a),
        Command::Report(a) => report_cmd::run(a),
        Command::Ensemble(a) => ensemble_cmd::run(a),
        Command::Merge(a) => ensemble_cmd::merge(a),
        Command::Backtest(a) => backtest_cmd::run(a),
        Command::Serve(a) => serve_cmd::run(a),
        Command::News(a) => news_cmd::run(a),
        Command::Lp(a) => lp_cmd::run(a),
        Command::Bench(a) => lp_cmd::bench(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("error: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}
