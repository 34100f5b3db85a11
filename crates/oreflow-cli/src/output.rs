//! Writing tidy CSV files and the JSON summary into an output folder that
//! `oreflow-io` stages and swaps into place; reading finished folders back.

use std::path::{Path, PathBuf};

use oreflow_io::{IoError, OutputDir, WriterInfo};
use serde::Serialize;

use crate::Failure;

impl From<IoError> for Failure {
    fn from(e: IoError) -> Failure {
        if e.kind.is_bad_input() {
            Failure::input(e.to_string())
        } else {
            Failure::model(e.to_string())
        }
    }
}

/// Starts writing the output folder `dir` of `command` (refused at once if
/// it is a file, an input, foreign or busy: before any long work).
pub(crate) fn begin(
    dir: &Path,
    command: &str,
    fingerprint: String,
    inputs: &[&Path],
) -> Result<OutputDir, Failure> {
    Ok(OutputDir::begin(
        dir,
        WriterInfo {
            command: command.into(),
            oreflow_version: env!("CARGO_PKG_VERSION").into(),
        },
        fingerprint,
        inputs,
    )?)
}

/// The default output folder `out/<slug of name>` (`fallback` when the name
/// has nothing usable: `..`, `""`).
pub(crate) fn default_dir(name: &str, fallback: &str) -> PathBuf {
    let slug = oreflow_io::slug(name)
        .or_else(|| oreflow_io::slug(fallback))
        .unwrap_or_else(|| "scenario".into());
    PathBuf::from("out").join(slug)
}

/// Writes rows as a CSV file with a header (numbers in plain decimal).
pub(crate) fn write_csv<T: Serialize>(
    out: &OutputDir,
    name: &str,
    rows: &[T],
    header: &[&str],
) -> Result<(), Failure> {
    let shown = out.shown(name);
    let io = |e: &dyn std::fmt::Display| {
        Failure::model(format!("cannot write {}: {e}", shown.display()))
    };
    let file = out.create(name)?;
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(std::io::BufWriter::new(file));
    w.write_record(header).map_err(|e| io(&e))?;
    for r in rows {
        w.serialize(r).map_err(|e| io(&e))?;
    }
    w.flush().map_err(|e| io(&e))
}

/// Writes a JSON document, pretty-printed.
pub(crate) fn write_json<T: Serialize>(
    out: &OutputDir,
    name: &str,
    value: &T,
) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::model(format!("cannot encode {name}: {e}")))?;
    Ok(out.write(name, (text + "\n").as_bytes())?)
}

/// Whether the existing file `path` was written by oreflow (`marker` is in
/// its first 64 kB): a report may replace its own files only.
pub(crate) fn ours(path: &Path, marker: &str) -> Result<bool, Failure> {
    if !path.exists() {
        return Ok(true);
    }
    let (file, _) = oreflow_io::open_regular(path, oreflow_io::Limit::Output)?;
    let mut head = Vec::new();
    use std::io::Read;
    file.take(64 * 1024)
        .read_to_end(&mut head)
        .map_err(|e| Failure::model(format!("cannot read {}: {e}", path.display())))?;
    Ok(String::from_utf8_lossy(&head).contains(marker))
}

/// Writes a single file atomically if it is new or oreflow's own (`marker`).
pub(crate) fn write_own_file(path: &Path, bytes: &[u8], marker: &str) -> Result<(), Failure> {
    if !ours(path, marker)? {
        return Err(Failure::input(format!(
            "{}: exists and was not written by oreflow; refusing to overwrite it (choose another -o)",
            path.display()
        )));
    }
    oreflow_io::write_file_atomic(path, bytes).map_err(Failure::from)
}
