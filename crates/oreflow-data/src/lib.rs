//! The embedded default dataset and the CSV loader that validates any dataset.
//!
//! Architecture invariant: parsing and validation happen here and only here;
//! the result is an [`oreflow_core::Dataset`] whose ids all resolve. Every
//! problem is reported with its file, line and field, and all problems of a
//! load are collected (not just the first). No function here panics on bad
//! input. The only IO is [`load_dir`] reading files the caller names,
//! through `oreflow-io`'s bounded reads.

mod load;
mod tables;

use std::path::Path;

pub use load::{parse, MAX_REGIONS};
pub use oreflow_core::DataIssue;
pub use tables::{TableInfo, HIST_2010, TABLES};

/// Names of the embedded datasets: the default (`baseline`, reference year
/// 2024) and the historical 2010 reference (`hist-2010`).
pub const DATASETS: &[&str] = &["baseline", "hist-2010"];

/// A set of problems found while loading a dataset.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{}", render(.issues))]
pub struct DataError {
    /// Every problem found, in file order.
    pub issues: Vec<DataIssue>,
}

/// At most this many problems are listed; the rest are counted.
const SHOWN: usize = 20;

fn render(issues: &[DataIssue]) -> String {
    let mut s = format!("{} problem(s) in the dataset:", issues.len());
    for i in issues.iter().take(SHOWN) {
        s.push_str("\n  ");
        s.push_str(&i.to_string());
    }
    if issues.len() > SHOWN {
        s.push_str(&format!("\n  … and {} more", issues.len() - SHOWN));
    }
    s
}

/// The embedded CSV files, by file name.
pub fn embedded_files() -> Vec<(&'static str, &'static str)> {
    TABLES.iter().map(|t| (t.file, t.embedded)).collect()
}

/// The embedded files of dataset `name` (see [`DATASETS`]).
pub fn embedded_files_of(name: &str) -> Option<Vec<(&'static str, &'static str)>> {
    match name {
        "baseline" => Some(embedded_files()),
        "hist-2010" => {
            // Tables a dataset may lack fall back to the default's.
            let mut files: Vec<(&str, &str)> = HIST_2010.to_vec();
            for (f, c) in embedded_files() {
                if !files.iter().any(|(n, _)| *n == f) {
                    files.push((f, c));
                }
            }
            Some(files)
        }
        _ => None,
    }
}

/// An embedded dataset by name (validated), if there is one of that name.
pub fn embedded_named(name: &str) -> Option<Result<oreflow_core::Dataset, DataError>> {
    let files: Vec<(String, String)> = embedded_files_of(name)?
        .into_iter()
        .map(|(n, c)| (n.to_string(), c.to_string()))
        .collect();
    Some(parse(&files))
}

/// The observed prices shipped for back-tests (validated against the
/// sources of the default dataset).
pub const OBSERVED_PRICES: &str = include_str!("../data/observations/observed_prices.csv");

/// The shipped observations (`observations/observed_prices.csv`).
pub fn observations() -> Result<Vec<oreflow_core::Observation>, DataError> {
    load::parse_observations(include_str!("../data/sources.csv"), OBSERVED_PRICES)
}

/// The embedded default dataset (validated).
pub fn embedded() -> Result<oreflow_core::Dataset, DataError> {
    let files: Vec<(String, String)> = embedded_files()
        .into_iter()
        .map(|(n, c)| (n.to_string(), c.to_string()))
        .collect();
    parse(&files)
}

/// Loads a dataset from a directory holding some or all of the table files;
/// tables missing from the directory are taken from the embedded dataset.
/// Every file is read through [`oreflow_io::read_text`] (regular files of at
/// most [`oreflow_io::Limit::Table`], UTF-8). A directory holding none of the
/// tables is refused with the list of expected files, and so is a CSV file
/// whose name is a misspelt table name (`mine.csv`).
pub fn load_dir(dir: &Path) -> Result<oreflow_core::Dataset, DataError> {
    let dir_issue = |message: String| DataError {
        issues: vec![DataIssue {
            file: dir.display().to_string(),
            line: 0,
            field: String::new(),
            message,
        }],
    };
    let names: Vec<&str> = TABLES.iter().map(|t| t.file).collect();
    let present: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| dir_issue(format!("cannot list the folder: {e}")))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    for f in &present {
        let lower = f.to_lowercase();
        if !lower.ends_with(".csv") || names.contains(&f.as_str()) {
            continue;
        }
        if let Some(t) = oreflow_core::closest(&lower, names.iter().copied()) {
            return Err(dir_issue(format!(
                "`{f}` is not a table name; did you mean `{t}`? (tables: {})",
                names.join(", ")
            )));
        }
    }
    if !names.iter().any(|n| present.iter().any(|p| p == n)) {
        return Err(dir_issue(format!(
            "holds none of the dataset's tables; expected one or more of {} (a table missing from the folder is taken from the embedded dataset; `oreflow data` lists them)",
            names.join(", ")
        )));
    }
    let mut files = Vec::new();
    for t in TABLES {
        let p = dir.join(t.file);
        let content = if present.iter().any(|f| f == t.file) {
            oreflow_io::read_text(&p, oreflow_io::Limit::Table).map_err(|e| DataError {
                issues: vec![DataIssue {
                    file: p.display().to_string(),
                    line: 0,
                    field: String::new(),
                    message: e.message,
                }],
            })?
        } else {
            t.embedded.to_string()
        };
        files.push((t.file.to_string(), content));
    }
    parse(&files)
}

/// The file names of the tables found in `dir` (for a note on which tables a
/// folder replaces).
pub fn tables_in(dir: &Path) -> Vec<&'static str> {
    TABLES
        .iter()
        .map(|t| t.file)
        .filter(|f| dir.join(f).exists())
        .collect()
}
