//! Writing tidy CSV files and the JSON summary.

use std::path::Path;

use serde::Serialize;

use crate::Failure;

/// Writes rows as a CSV file with a header (numbers in plain decimal).
pub(crate) fn write_csv<T: Serialize>(
    dir: &Path,
    name: &str,
    rows: &[T],
    header: &[&str],
) -> Result<(), Failure> {
    let path = dir.join(name);
    let io =
        |e: &dyn std::fmt::Display| Failure::model(format!("cannot write {}: {e}", path.display()));
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_path(&path)
        .map_err(|e| io(&e))?;
    w.write_record(header).map_err(|e| io(&e))?;
    for r in rows {
        w.serialize(r).map_err(|e| io(&e))?;
    }
    w.flush().map_err(|e| io(&e))
}

/// Writes a JSON document, pretty-printed.
pub(crate) fn write_json<T: Serialize>(dir: &Path, name: &str, value: &T) -> Result<(), Failure> {
    let path = dir.join(name);
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::model(format!("cannot encode {name}: {e}")))?;
    std::fs::write(&path, text + "\n")
        .map_err(|e| Failure::model(format!("cannot write {}: {e}", path.display())))
}
