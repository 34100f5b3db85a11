//! `oreflow`: the command-line tool. The only place that prints, reads the
//! environment or chooses exit codes (0 ok, 1 model or internal failure,
//! 2 bad input).

mod data_cmd;
mod output;
mod run_cmd;
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
    /// List the dataset's tables and sources, or validate a dataset.
    Data(data_cmd::DataArgs),
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
        None => Ok(("baseline".into(), oreflow_data::embedded().map_err(|e| Failure::model(format!("the embedded dataset is invalid (a bug): {e}")))?)),
        Some(p) if p.as_os_str() == "baseline" => load_dataset(None),
        Some(p) if p.is_dir() => {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "dataset".into());
            let ds = oreflow_data::load_dir(p).map_err(|e| Failure::input(format!("{}: {e}", p.display())))?;
            Ok((name, ds))
        }
        Some(p) if p.extension().is_some_and(|e| e == "toml") => Err(Failure::input(format!(
            "{}: scenario files (TOML) are not supported yet; pass `baseline` or a directory of dataset CSV tables \
             (see `oreflow data` for their names)",
            p.display()
        ))),
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
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("error: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}
