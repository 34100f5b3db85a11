//! Parquet files for ensemble outputs: flat tables of `INT32`, `DOUBLE` and
//! `FLOAT` columns, written row group by row group and read back column by column.
//!
//! A table is a list of named columns ([`ColumnSpec`]), each either
//! [`ColumnKind::Int32`] or [`ColumnKind::Float64`], plus string key-value
//! pairs in the file footer (e.g. a JSON manifest of the run). [`TableWriter`]
//! streams row groups to disk, so memory is bounded by one row group;
//! [`TableReader`] reads one column at a time across all row groups, which is
//! what merging shards and computing summaries need.
//!
//! The files are plain Parquet and open in pandas/pyarrow, DuckDB and polars
//! (checked by the `interop` integration test). No panics on bad input: a
//! truncated file, a file that is not Parquet, or a Parquet file whose columns
//! are of other types (`INT64`, strings, nullable, nested…) gives a
//! [`TableError`] that names the file.
//!
//! # Format choices
//!
//! * **Column types.** Columns are Parquet `REQUIRED` (no nulls, no definition
//!   levels), physical type `INT32` or `DOUBLE`, without a logical type.
//!   pyarrow reads them as non-nullable `int32` / `double`, DuckDB as
//!   `INTEGER` / `DOUBLE`, polars as `Int32` / `Float64`. The reader accepts
//!   only such columns (an `INT32` with the logical type "signed 32-bit
//!   integer" is accepted too, as other writers add it).
//! * **Bit-exact values.** `DOUBLE` is stored as its IEEE 754 bits (plain
//!   encoding, see below), so every `f64` round-trips exactly, including
//!   `-0.0`, subnormals and infinities.
//!   **NaN** is accepted, never panics, and reads back with its exact bit
//!   pattern. But page statistics skip NaN (a column of only NaN has no
//!   min/max), and the tools disagree on what it means: pandas treats NaN as
//!   missing, polars and DuckDB as an ordinary float (a `SUM` over it is
//!   NaN). Better to keep NaN out of outputs and use a sentinel or a
//!   separate flag column.
//! * **Compression: Snappy** by default ([`Compression::Snappy`]): the most
//!   widely supported codec, cheap to run, and pure Rust here (the `snap`
//!   crate; zstd would compress better but brings a C build). It shrinks
//!   mostly-zero columns about 6× and prices rounded to a few digits about
//!   1.3×, and costs nothing measurable on full-precision noise.
//!   [`Compression::None`] is there for measurements and hex dumps.
//! * **Dictionary encoding: on for `Int32`, off for `Float64`.** Integer
//!   columns (run ids, years, scenario indices) have few distinct values per
//!   row group and shrink to a few bits per value. Float columns usually do
//!   not: on a realistic ensemble table (170,000 rows × 240 `f64`, half
//!   mostly 0.0, half prices) dictionary encoding made the price columns
//!   *larger* than plain (parquet-rs keeps the dictionary until it reaches
//!   1 MiB, about 130,000 distinct values, and never checks whether it pays)
//!   and writing 1.5–3× slower, while plain + Snappy compressed the mostly-zero
//!   columns as well as the dictionary did. So `Float64` columns are `PLAIN`.
//!   (`BYTE_STREAM_SPLIT` was ~10% smaller on full-precision prices but 2×
//!   larger on mostly-zero columns, and older readers lack it.)
//! * **Pages and statistics.** Data page format v1 (what every reader
//!   supports), 1 MiB pages, min/max statistics per page and per column chunk
//!   (lets DuckDB and polars skip row groups in filters).
//!
//! # Row group size
//!
//! One call to [`TableWriter::write_row_group`] writes one row group. The
//! caller holds that row group in memory (rows × columns × 4 or 8 bytes); the
//! writer adds little (pages go to the file as they fill; a dictionary-encoded
//! `Int32` column chunk is held until complete). Aim for roughly 8–128 MiB of
//! raw data per row group, e.g. 5,000–50,000 rows for 240 `f64` columns, or
//! simply one row group per shard. Smaller row groups cost size and read
//! speed: for 170,000 × 240 `f64`, 100 row groups of 1,700 rows made the file
//! 3–8% larger and reading a column 3× slower than 10 row groups of 17,000
//! rows (reading one column still took only milliseconds). Larger ones only
//! cost memory. A file holds at most 32,767 row groups.
//!
//! # Not a transaction
//!
//! The footer is written by [`TableWriter::finish`]. A writer dropped before
//! `finish` (or a process killed mid-write) leaves a file without footer,
//! which [`TableReader::open`] rejects with a [`TableError`]. Write to a
//! temporary name and rename if a half-written file must never be visible.

use std::fmt;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parquet::basic::{
    Compression as ParquetCompression, ConvertedType, LogicalType, Repetition, Type as PhysicalType,
};
use parquet::column::reader::ColumnReader;
use parquet::column::writer::ColumnWriter;
use parquet::errors::ParquetError;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use parquet::file::reader::FileReader;
use parquet::file::serialized_reader::SerializedFileReader;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::{ColumnDescriptor, ColumnPath, Type as SchemaType};

/// The value type of a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnKind {
    /// Parquet `INT32`.
    Int32,
    /// Parquet `DOUBLE`.
    Float64,
    /// Parquet `FLOAT` (32 bits: about 7 significant digits, half the size).
    Float32,
}

impl fmt::Display for ColumnKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ColumnKind::Int32 => "Int32",
            ColumnKind::Float64 => "Float64",
            ColumnKind::Float32 => "Float32",
        })
    }
}

/// A column's name and kind.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnSpec {
    pub name: String,
    pub kind: ColumnKind,
}

impl ColumnSpec {
    /// A column spec; shorthand for the struct literal.
    pub fn new(name: impl Into<String>, kind: ColumnKind) -> Self {
        Self {
            name: name.into(),
            kind,
        }
    }
}

/// One column of a row group, borrowed from the caller.
#[derive(Clone, Copy, Debug)]
pub enum ColumnData<'a> {
    Int32(&'a [i32]),
    Float64(&'a [f64]),
    Float32(&'a [f32]),
}

impl ColumnData<'_> {
    /// The kind of values held.
    pub fn kind(&self) -> ColumnKind {
        match self {
            ColumnData::Int32(_) => ColumnKind::Int32,
            ColumnData::Float64(_) => ColumnKind::Float64,
            ColumnData::Float32(_) => ColumnKind::Float32,
        }
    }

    /// The number of values (rows).
    pub fn len(&self) -> usize {
        match self {
            ColumnData::Int32(v) => v.len(),
            ColumnData::Float64(v) => v.len(),
            ColumnData::Float32(v) => v.len(),
        }
    }

    /// Whether there are no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One whole column as read from a file.
#[derive(Clone, Debug, PartialEq)]
pub enum ColumnValues {
    Int32(Vec<i32>),
    Float64(Vec<f64>),
    Float32(Vec<f32>),
}

impl ColumnValues {
    /// The kind of values held.
    pub fn kind(&self) -> ColumnKind {
        match self {
            ColumnValues::Int32(_) => ColumnKind::Int32,
            ColumnValues::Float64(_) => ColumnKind::Float64,
            ColumnValues::Float32(_) => ColumnKind::Float32,
        }
    }

    /// The number of values (rows).
    pub fn len(&self) -> usize {
        match self {
            ColumnValues::Int32(v) => v.len(),
            ColumnValues::Float64(v) => v.len(),
            ColumnValues::Float32(v) => v.len(),
        }
    }

    /// Whether there are no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Why a table could not be written or read. Every variant names the file.
///
/// The message of a wrapped I/O or Parquet error is part of this error's
/// message, and the wrapped error is also its [`std::error::Error::source`].
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// The file could not be created, opened, written or read.
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// The parquet crate failed: when reading, mostly a file that is not
    /// Parquet or is truncated ("Invalid Parquet file. Corrupt footer") or
    /// corrupt; when writing, an internal error.
    #[error("{}: {source}", .path.display())]
    Parquet {
        path: PathBuf,
        #[source]
        source: ParquetError,
    },
    /// [`TableReader::read_column`] was asked for a column the file lacks.
    #[error("{}: no column named {name:?}{}", .path.display(), did_you_mean(.suggestions))]
    UnknownColumn {
        path: PathBuf,
        name: String,
        /// The file's column names closest to `name`, closest first (maybe none).
        suggestions: Vec<String>,
    },
    /// Data of one kind was given for a column declared of another.
    #[error(
        "{}: column {column:?} is declared {expected}, but {found} data was given for it",
        .path.display()
    )]
    WrongKind {
        path: PathBuf,
        column: String,
        expected: ColumnKind,
        found: ColumnKind,
    },
    /// A row group did not have one [`ColumnData`] per declared column.
    #[error(
        "{}: a row group needs {expected} columns (one per declared column, in order), got {found}",
        .path.display()
    )]
    ColumnCount {
        path: PathBuf,
        expected: usize,
        found: usize,
    },
    /// The columns of a row group had different lengths.
    #[error(
        "{}: column {column:?} has {found} values but column {first:?} has {expected}; \
         all columns of a row group must have the same length",
        .path.display()
    )]
    LengthMismatch {
        path: PathBuf,
        first: String,
        expected: usize,
        column: String,
        found: usize,
    },
    /// The file holds a column this module does not read (other physical or
    /// logical type, nullable, repeated or nested).
    #[error(
        "{}: column {column:?} is {found}; only REQUIRED INT32, DOUBLE and FLOAT columns \
         (as written by TableWriter) are supported",
        .path.display()
    )]
    UnsupportedColumn {
        path: PathBuf,
        column: String,
        found: String,
    },
    /// The declared columns are not a valid table (none, or a name repeated).
    #[error("{}: invalid columns: {reason}", .path.display())]
    InvalidSchema { path: PathBuf, reason: String },
    /// The file is readable Parquet but inconsistent (e.g. a column with
    /// fewer values than its row group's row count).
    #[error("{}: corrupt file: {reason}", .path.display())]
    Corrupt { path: PathBuf, reason: String },
    /// An earlier write failed part-way, leaving the file unusable.
    #[error("{}: an earlier write to this file failed; the file is incomplete", .path.display())]
    WriterFailed { path: PathBuf },
}

fn did_you_mean(suggestions: &[String]) -> String {
    match suggestions {
        [] => String::new(),
        [one] => format!("; did you mean {one:?}?"),
        many => {
            let names: Vec<String> = many.iter().map(|s| format!("{s:?}")).collect();
            format!("; did you mean one of {}?", names.join(", "))
        }
    }
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> TableError + '_ {
    move |source| TableError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn parquet_error(path: &Path) -> impl FnOnce(ParquetError) -> TableError + '_ {
    move |source| match source {
        // parquet-rs wraps I/O errors; report them as such.
        ParquetError::External(e) => match e.downcast::<io::Error>() {
            Ok(source) => TableError::Io {
                path: path.to_path_buf(),
                source: *source,
            },
            Err(e) => TableError::Parquet {
                path: path.to_path_buf(),
                source: ParquetError::External(e),
            },
        },
        source => TableError::Parquet {
            path: path.to_path_buf(),
            source,
        },
    }
}

fn corrupt(path: &Path, reason: impl Into<String>) -> TableError {
    TableError::Corrupt {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// Compression of data pages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Compression {
    /// No compression.
    None,
    /// Snappy (the default): fast, supported by every Parquet reader.
    #[default]
    Snappy,
}

/// How a [`TableWriter`] encodes the file; `Default` is what
/// [`TableWriter::create`] uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriteOptions {
    pub compression: Compression,
}

/// Writes a Parquet file row group by row group (streaming: memory bounded
/// by one row group). Call [`TableWriter::finish`] to write the footer.
pub struct TableWriter {
    path: PathBuf,
    columns: Vec<ColumnSpec>,
    writer: SerializedFileWriter<File>,
    failed: bool,
}

impl fmt::Debug for TableWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TableWriter")
            .field("path", &self.path)
            .field("columns", &self.columns)
            .field("failed", &self.failed)
            .finish_non_exhaustive()
    }
}

impl TableWriter {
    /// Creates (or truncates) the file at `path` for a table of `columns`.
    /// `metadata`: key-value pairs stored in the file footer (e.g. a JSON
    /// manifest); pyarrow shows them in `ParquetFile(path).metadata.metadata`.
    ///
    /// Errors if `columns` is empty or repeats a name, or the file cannot be
    /// created.
    pub fn create(
        path: &Path,
        columns: &[ColumnSpec],
        metadata: &[(String, String)],
    ) -> Result<Self, TableError> {
        Self::create_with_options(path, columns, metadata, WriteOptions::default())
    }

    /// [`TableWriter::create`] with explicit [`WriteOptions`].
    pub fn create_with_options(
        path: &Path,
        columns: &[ColumnSpec],
        metadata: &[(String, String)],
        options: WriteOptions,
    ) -> Result<Self, TableError> {
        let invalid = |reason: String| TableError::InvalidSchema {
            path: path.to_path_buf(),
            reason,
        };
        if columns.is_empty() {
            return Err(invalid("a table needs at least one column".into()));
        }
        if let Some(name) = first_duplicate(columns.iter().map(|c| c.name.as_str())) {
            return Err(invalid(format!("column name {name:?} is used twice")));
        }
        let schema = schema_for(columns).map_err(parquet_error(path))?;
        let compression = match options.compression {
            Compression::None => ParquetCompression::UNCOMPRESSED,
            Compression::Snappy => ParquetCompression::SNAPPY,
        };
        let key_values = (!metadata.is_empty()).then(|| {
            metadata
                .iter()
                .map(|(k, v)| KeyValue::new(k.clone(), v.clone()))
                .collect()
        });
        // Dictionary encoding stays on (the default) for Int32 columns and is
        // turned off for Float64 columns: see the module docs.
        let properties = columns
            .iter()
            .filter(|c| c.kind != ColumnKind::Int32)
            .fold(WriterProperties::builder(), |b, c| {
                b.set_column_dictionary_enabled(ColumnPath::from(c.name.clone()), false)
            })
            .set_compression(compression)
            .set_key_value_metadata(key_values)
            .build();
        let file = File::create(path).map_err(io_error(path))?;
        let writer = SerializedFileWriter::new(file, Arc::new(schema), Arc::new(properties))
            .map_err(parquet_error(path))?;
        Ok(Self {
            path: path.to_path_buf(),
            columns: columns.to_vec(),
            writer,
            failed: false,
        })
    }

    /// The declared columns.
    pub fn columns(&self) -> &[ColumnSpec] {
        &self.columns
    }

    /// Writes one row group: one [`ColumnData`] per declared column, in
    /// declaration order, all of the same length and of the declared kinds.
    /// Errors otherwise (never panics), and then nothing is written and the
    /// writer stays usable. A row group of zero rows is skipped.
    pub fn write_row_group(&mut self, columns: &[ColumnData<'_>]) -> Result<(), TableError> {
        if self.failed {
            return Err(TableError::WriterFailed {
                path: self.path.clone(),
            });
        }
        self.check_row_group(columns)?;
        if columns.first().is_none_or(|c| c.is_empty()) {
            return Ok(());
        }
        // From here on a failure leaves a partly written row group behind.
        self.failed = true;
        self.write_checked(columns)
            .map_err(parquet_error(&self.path))?;
        self.failed = false;
        Ok(())
    }

    fn check_row_group(&self, columns: &[ColumnData<'_>]) -> Result<(), TableError> {
        if columns.len() != self.columns.len() {
            return Err(TableError::ColumnCount {
                path: self.path.clone(),
                expected: self.columns.len(),
                found: columns.len(),
            });
        }
        for (spec, data) in self.columns.iter().zip(columns) {
            if spec.kind != data.kind() {
                return Err(TableError::WrongKind {
                    path: self.path.clone(),
                    column: spec.name.clone(),
                    expected: spec.kind,
                    found: data.kind(),
                });
            }
        }
        let rows = columns[0].len();
        for (spec, data) in self.columns.iter().zip(columns) {
            if data.len() != rows {
                return Err(TableError::LengthMismatch {
                    path: self.path.clone(),
                    first: self.columns[0].name.clone(),
                    expected: rows,
                    column: spec.name.clone(),
                    found: data.len(),
                });
            }
        }
        Ok(())
    }

    fn write_checked(&mut self, columns: &[ColumnData<'_>]) -> Result<(), ParquetError> {
        let mut row_group = self.writer.next_row_group()?;
        for data in columns {
            let mut column = row_group.next_column()?.ok_or_else(|| {
                ParquetError::General("schema has fewer columns than data".into())
            })?;
            let written = match (column.untyped(), data) {
                (ColumnWriter::Int32ColumnWriter(w), ColumnData::Int32(v)) => {
                    w.write_batch(v, None, None)?
                }
                (ColumnWriter::DoubleColumnWriter(w), ColumnData::Float64(v)) => {
                    w.write_batch(v, None, None)?
                }
                (ColumnWriter::FloatColumnWriter(w), ColumnData::Float32(v)) => {
                    w.write_batch(v, None, None)?
                }
                _ => {
                    return Err(ParquetError::General(
                        "column writer of unexpected type".into(),
                    ))
                }
            };
            if written != data.len() {
                return Err(ParquetError::General(format!(
                    "wrote {written} of {} values",
                    data.len()
                )));
            }
            column.close()?;
        }
        row_group.close()?;
        Ok(())
    }

    /// Writes the footer (schema, row group index, metadata) and closes the
    /// file. A table with no row groups is valid (zero rows).
    pub fn finish(mut self) -> Result<(), TableError> {
        if self.failed {
            return Err(TableError::WriterFailed { path: self.path });
        }
        self.writer.finish().map_err(parquet_error(&self.path))?;
        Ok(())
    }
}

/// The Parquet schema of a table: a flat message of REQUIRED primitives.
fn schema_for(columns: &[ColumnSpec]) -> Result<SchemaType, ParquetError> {
    let fields = columns
        .iter()
        .map(|c| {
            let physical = match c.kind {
                ColumnKind::Int32 => PhysicalType::INT32,
                ColumnKind::Float64 => PhysicalType::DOUBLE,
                ColumnKind::Float32 => PhysicalType::FLOAT,
            };
            SchemaType::primitive_type_builder(&c.name, physical)
                .with_repetition(Repetition::REQUIRED)
                .build()
                .map(Arc::new)
        })
        .collect::<Result<Vec<_>, _>>()?;
    SchemaType::group_type_builder("schema")
        .with_fields(fields)
        .build()
}

fn first_duplicate<'a>(names: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let mut seen = std::collections::HashSet::new();
    names.into_iter().find(|n| !seen.insert(*n))
}

/// Reads a table written by [`TableWriter`] (or any Parquet file of
/// REQUIRED `INT32`/`DOUBLE` top-level columns).
pub struct TableReader {
    path: PathBuf,
    reader: SerializedFileReader<File>,
    columns: Vec<ColumnSpec>,
    num_rows: usize,
    metadata: Vec<(String, String)>,
}

impl fmt::Debug for TableReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TableReader")
            .field("path", &self.path)
            .field("columns", &self.columns)
            .field("num_rows", &self.num_rows)
            .field("metadata", &self.metadata)
            .finish_non_exhaustive()
    }
}

impl TableReader {
    /// Opens the file and reads its footer (schema, row groups, metadata).
    /// Errors if it is not a Parquet file, is truncated, or holds a column
    /// other than a top-level REQUIRED `INT32` or `DOUBLE`.
    pub fn open(path: &Path) -> Result<Self, TableError> {
        guard(path, || Self::open_unguarded(path))
    }

    fn open_unguarded(path: &Path) -> Result<Self, TableError> {
        // Regular files only (a FIFO or device would hang or never end).
        let (file, file_len) =
            oreflow_io::open_regular(path, oreflow_io::Limit::Parquet).map_err(|e| {
                TableError::Io {
                    path: path.to_path_buf(),
                    source: io::Error::other(e.message),
                }
            })?;
        let reader = SerializedFileReader::new(file).map_err(parquet_error(path))?;
        let meta = reader.metadata();
        let file_meta = meta.file_metadata();
        let schema = file_meta.schema_descr();

        let fields = schema.root_schema().get_fields();
        if let Some(group) = fields.iter().find(|f| f.is_group()) {
            return Err(TableError::UnsupportedColumn {
                path: path.to_path_buf(),
                column: group.name().to_string(),
                found: "a nested group".into(),
            });
        }
        if fields.len() != schema.num_columns() {
            return Err(corrupt(path, "schema fields and leaf columns disagree"));
        }
        let columns = schema
            .columns()
            .iter()
            .map(|c| column_spec(path, c))
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(name) = first_duplicate(columns.iter().map(|c| c.name.as_str())) {
            return Err(corrupt(path, format!("column name {name:?} appears twice")));
        }

        let num_rows = usize::try_from(file_meta.num_rows())
            .map_err(|_| corrupt(path, format!("row count {}", file_meta.num_rows())))?;
        let mut sum: i64 = 0;
        for rg in meta.row_groups() {
            if rg.num_rows() < 0 || rg.num_columns() != columns.len() {
                return Err(corrupt(
                    path,
                    "row group metadata disagrees with the schema",
                ));
            }
            sum = sum.saturating_add(rg.num_rows());
            // parquet-rs panics on negative offsets; check them (and the file
            // length) here to report a corrupt footer as such.
            for chunk in rg.columns() {
                let start = chunk
                    .dictionary_page_offset()
                    .unwrap_or(chunk.data_page_offset());
                let len = chunk.compressed_size();
                let in_file = u64::try_from(start)
                    .ok()
                    .zip(u64::try_from(len).ok())
                    .and_then(|(s, l)| s.checked_add(l))
                    .is_some_and(|end| end <= file_len);
                if !in_file {
                    return Err(corrupt(
                        path,
                        format!(
                            "column chunk at offset {start}, {len} bytes, lies outside the file"
                        ),
                    ));
                }
            }
        }
        if sum != file_meta.num_rows() {
            return Err(corrupt(
                path,
                format!(
                    "footer says {} rows but its row groups hold {sum}",
                    file_meta.num_rows()
                ),
            ));
        }

        let metadata = file_meta
            .key_value_metadata()
            .map(|kvs| {
                kvs.iter()
                    .map(|kv| (kv.key.clone(), kv.value.clone().unwrap_or_default()))
                    .collect()
            })
            .unwrap_or_default();

        Ok(Self {
            path: path.to_path_buf(),
            reader,
            columns,
            num_rows,
            metadata,
        })
    }

    /// The columns, in file order.
    pub fn columns(&self) -> &[ColumnSpec] {
        &self.columns
    }

    /// The total number of rows (of every column).
    pub fn num_rows(&self) -> usize {
        self.num_rows
    }

    /// The number of row groups.
    pub fn num_row_groups(&self) -> usize {
        self.reader.num_row_groups()
    }

    /// The footer's key-value pairs, in file order. A key stored without a
    /// value (possible in files from other writers) reads as `""`. Files from
    /// pyarrow also carry an `ARROW:schema` entry.
    pub fn metadata(&self) -> &[(String, String)] {
        &self.metadata
    }

    /// The footer value stored under `key`, if any (the first, if repeated).
    pub fn metadata_value(&self, key: &str) -> Option<&str> {
        self.metadata
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// All row groups of one column, concatenated in file order.
    pub fn read_column(&self, name: &str) -> Result<ColumnValues, TableError> {
        guard(&self.path, || self.read_column_unguarded(name))
    }

    fn read_column_unguarded(&self, name: &str) -> Result<ColumnValues, TableError> {
        let Some(index) = self.columns.iter().position(|c| c.name == name) else {
            return Err(TableError::UnknownColumn {
                path: self.path.clone(),
                name: name.to_string(),
                suggestions: close_names(name, self.columns.iter().map(|c| c.name.as_str())),
            });
        };
        match self.columns[index].kind {
            ColumnKind::Int32 => {
                let mut out = self.alloc(name)?;
                self.read_into(index, &mut out, |reader| match reader {
                    ColumnReader::Int32ColumnReader(r) => Some(r),
                    _ => None,
                })?;
                Ok(ColumnValues::Int32(out))
            }
            ColumnKind::Float64 => {
                let mut out = self.alloc(name)?;
                self.read_into(index, &mut out, |reader| match reader {
                    ColumnReader::DoubleColumnReader(r) => Some(r),
                    _ => None,
                })?;
                Ok(ColumnValues::Float64(out))
            }
            ColumnKind::Float32 => {
                let mut out = self.alloc(name)?;
                self.read_into(index, &mut out, |reader| match reader {
                    ColumnReader::FloatColumnReader(r) => Some(r),
                    _ => None,
                })?;
                Ok(ColumnValues::Float32(out))
            }
        }
    }

    /// An empty vector with room for the whole column; an error instead of
    /// an abort if a corrupt footer claims more rows than memory can hold.
    fn alloc<T>(&self, name: &str) -> Result<Vec<T>, TableError> {
        let mut out = Vec::new();
        out.try_reserve_exact(self.num_rows).map_err(|_| {
            corrupt(
                &self.path,
                format!("column {name:?}: cannot allocate {} values", self.num_rows),
            )
        })?;
        Ok(out)
    }

    /// Appends column `index` of every row group to `out`, checking that each
    /// row group yields exactly its row count.
    fn read_into<T: parquet::data_type::DataType>(
        &self,
        index: usize,
        out: &mut Vec<T::T>,
        typed: impl Fn(ColumnReader) -> Option<parquet::column::reader::ColumnReaderImpl<T>>,
    ) -> Result<(), TableError> {
        let path = &self.path;
        let name = &self.columns[index].name;
        for rg_index in 0..self.reader.num_row_groups() {
            let row_group = self
                .reader
                .get_row_group(rg_index)
                .map_err(parquet_error(path))?;
            // Checked non-negative by `open`.
            let expected = usize::try_from(row_group.metadata().num_rows()).unwrap_or(0);
            let untyped = row_group
                .get_column_reader(index)
                .map_err(parquet_error(path))?;
            let mut reader = typed(untyped)
                .ok_or_else(|| corrupt(path, format!("column {name:?}: reader of wrong type")))?;
            let start = out.len();
            loop {
                let remaining = expected.saturating_sub(out.len() - start);
                if remaining == 0 {
                    break;
                }
                let (records, _, _) = reader
                    .read_records(remaining, None, None, out)
                    .map_err(parquet_error(path))?;
                if records == 0 {
                    break;
                }
            }
            let got = out.len() - start;
            // A file with more values than rows is as corrupt as one with fewer.
            let extra = got == expected
                && reader
                    .read_records(1, None, None, out)
                    .map_err(parquet_error(path))?
                    .0
                    > 0;
            if got != expected || extra {
                return Err(corrupt(
                    path,
                    format!(
                        "column {name:?}, row group {rg_index}: expected {expected} values, found {}",
                        if extra { "more".to_string() } else { got.to_string() }
                    ),
                ));
            }
        }
        Ok(())
    }
}

thread_local! {
    /// Set while a guarded decoder call runs on this thread: its panics are
    /// turned into errors, so the panic hook stays quiet about them.
    static GUARDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Installs (once) a panic hook that says nothing about panics inside
/// [`guard`] on the current thread and passes every other panic to the
/// hook that was there before.
fn quiet_guarded_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !GUARDED.with(|g| g.get()) {
                previous(info);
            }
        }));
    });
}

/// Runs `f`, turning a panic into [`TableError::Corrupt`]: a backstop for
/// corrupt input that the parquet crate does not reject cleanly (its own
/// checks are extensive but not complete). The panic hook is kept quiet
/// about it (see [`quiet_guarded_panics`]); with `panic = "abort"` there is
/// no backstop.
fn guard<T>(path: &Path, f: impl FnOnce() -> Result<T, TableError>) -> Result<T, TableError> {
    quiet_guarded_panics();
    GUARDED.with(|g| g.set(true));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(false));
    outcome.unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(corrupt(
            path,
            format!("the Parquet decoder failed: {message}"),
        ))
    })
}

/// The spec of a leaf column, if it is one this module reads.
fn column_spec(path: &Path, column: &ColumnDescriptor) -> Result<ColumnSpec, TableError> {
    let name = column.path().string();
    let unsupported = |found: String| TableError::UnsupportedColumn {
        path: path.to_path_buf(),
        column: name.clone(),
        found,
    };
    if column.path().parts().len() != 1 {
        return Err(unsupported("nested in a group".into()));
    }
    let physical = column.physical_type();
    let logical = column.logical_type_ref();
    let converted = column.converted_type();
    let kind = match physical {
        PhysicalType::INT32 => {
            let plain_logical = match logical {
                None => true,
                Some(LogicalType::Integer(int)) => int.bit_width == 32 && int.is_signed,
                Some(_) => false,
            };
            let plain_converted = matches!(converted, ConvertedType::NONE | ConvertedType::INT_32);
            (plain_logical && plain_converted).then_some(ColumnKind::Int32)
        }
        PhysicalType::DOUBLE => {
            (logical.is_none() && converted == ConvertedType::NONE).then_some(ColumnKind::Float64)
        }
        PhysicalType::FLOAT => {
            (logical.is_none() && converted == ConvertedType::NONE).then_some(ColumnKind::Float32)
        }
        _ => None,
    };
    let repetition = if column.max_rep_level() > 0 {
        "REPEATED "
    } else if column.max_def_level() > 0 {
        "OPTIONAL (nullable) "
    } else {
        ""
    };
    let (Some(kind), "") = (kind, repetition) else {
        let annotation = match logical {
            Some(l) => format!(" ({l:?})"),
            None if converted != ConvertedType::NONE => format!(" ({converted})"),
            None => String::new(),
        };
        return Err(unsupported(format!("{repetition}{physical}{annotation}")));
    };
    Ok(ColumnSpec {
        name: column.name().to_string(),
        kind,
    })
}

/// Up to three of `candidates` close to `name` (case-insensitive edit
/// distance at most about a third of the name's length), closest first.
fn close_names<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<String> {
    let lower = name.to_lowercase();
    let mut scored: Vec<(usize, &str)> = candidates
        .filter_map(|c| {
            let d = oreflow_core::levenshtein(&lower, &c.to_lowercase());
            let len = c.chars().count().min(lower.chars().count());
            let limit = if len <= 3 { 1 } else { (len / 3).max(2) };
            let contains = !lower.is_empty() && c.to_lowercase().contains(&lower);
            (d <= limit || contains).then_some((d, c))
        })
        .collect();
    scored.sort_by_key(|(d, _)| *d); // stable: ties stay in file order
    scored
        .into_iter()
        .take(3)
        .map(|(_, c)| c.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specs() -> Vec<ColumnSpec> {
        vec![
            ColumnSpec::new("run", ColumnKind::Int32),
            ColumnSpec::new("year", ColumnKind::Int32),
            ColumnSpec::new("price_nd", ColumnKind::Float64),
            ColumnSpec::new("price_dy", ColumnKind::Float64),
            ColumnSpec::new("shortage_nd", ColumnKind::Float64),
        ]
    }

    /// Values chosen to catch any lossy step: signed zeros, extremes,
    /// subnormals, infinities, repeats (dictionary) and noise (plain).
    fn special_f64() -> Vec<f64> {
        vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            f64::MIN_POSITIVE / 4.0, // subnormal
            -f64::from_bits(1),      // smallest negative subnormal
            1e-300,
            1e300,
            f64::INFINITY,
            f64::NEG_INFINITY,
            std::f64::consts::PI,
            0.1 + 0.2,
        ]
    }

    struct Rows {
        run: Vec<i32>,
        year: Vec<i32>,
        nd: Vec<f64>,
        dy: Vec<f64>,
        short: Vec<f64>,
    }

    impl Rows {
        fn new(start: usize, n: usize) -> Self {
            let special = special_f64();
            let mut x = 0x9E37_79B9_7F4A_7C15_u64 ^ start as u64;
            let mut next = || {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x
            };
            let rows = start..start + n;
            Rows {
                run: rows.clone().map(|i| (i / 30) as i32 - 5).collect(),
                year: rows.clone().map(|i| 2025 + (i % 30) as i32).collect(),
                nd: rows.clone().map(|i| special[i % special.len()]).collect(),
                dy: rows.clone().map(|_| f64::from_bits(next() >> 2)).collect(),
                short: rows
                    .map(|i| if i % 7 == 0 { i as f64 * 0.25 } else { 0.0 })
                    .collect(),
            }
        }

        fn data(&self) -> Vec<ColumnData<'_>> {
            vec![
                ColumnData::Int32(&self.run),
                ColumnData::Int32(&self.year),
                ColumnData::Float64(&self.nd),
                ColumnData::Float64(&self.dy),
                ColumnData::Float64(&self.short),
            ]
        }
    }

    fn bits(v: &[f64]) -> Vec<u64> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    fn f64_column(r: &TableReader, name: &str) -> Vec<f64> {
        match r.read_column(name).unwrap() {
            ColumnValues::Float64(v) => v,
            other => panic!("{name} is {:?}", other.kind()),
        }
    }

    fn i32_column(r: &TableReader, name: &str) -> Vec<i32> {
        match r.read_column(name).unwrap() {
            ColumnValues::Int32(v) => v,
            other => panic!("{name} is {:?}", other.kind()),
        }
    }

    fn round_trip(options: WriteOptions) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        let meta = vec![
            (
                "manifest".to_string(),
                r#"{"seed": 7, "runs": [1, 2]}"#.to_string(),
            ),
            ("empty".to_string(), String::new()),
        ];
        let groups = [
            Rows::new(0, 1000),
            Rows::new(1000, 1),
            Rows::new(1001, 2500),
        ];
        let mut w = TableWriter::create_with_options(&path, &specs(), &meta, options).unwrap();
        for g in &groups {
            w.write_row_group(&g.data()).unwrap();
        }
        w.finish().unwrap();

        let r = TableReader::open(&path).unwrap();
        assert_eq!(r.columns(), specs().as_slice());
        assert_eq!(r.num_rows(), 3501);
        assert_eq!(r.num_row_groups(), 3);
        assert_eq!(r.metadata(), meta.as_slice());
        assert_eq!(r.metadata_value("manifest"), Some(meta[0].1.as_str()));
        let all =
            |f: fn(&Rows) -> &Vec<f64>| groups.iter().flat_map(f).copied().collect::<Vec<_>>();
        assert_eq!(bits(&f64_column(&r, "price_nd")), bits(&all(|g| &g.nd)));
        assert_eq!(bits(&f64_column(&r, "price_dy")), bits(&all(|g| &g.dy)));
        assert_eq!(
            bits(&f64_column(&r, "shortage_nd")),
            bits(&all(|g| &g.short))
        );
        let run: Vec<i32> = groups.iter().flat_map(|g| &g.run).copied().collect();
        assert_eq!(i32_column(&r, "run"), run);
        let year: Vec<i32> = groups.iter().flat_map(|g| &g.year).copied().collect();
        assert_eq!(i32_column(&r, "year"), year);
    }

    #[test]
    fn round_trips_bit_exactly_with_snappy() {
        round_trip(WriteOptions::default());
    }

    #[test]
    fn float32_columns_round_trip_bit_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f32.parquet");
        let spec = [
            ColumnSpec::new("run", ColumnKind::Int32),
            ColumnSpec::new("price", ColumnKind::Float32),
        ];
        let prices: Vec<f32> = vec![
            0.0,
            -0.0,
            1.5,
            812.123_4,
            f32::MIN_POSITIVE,
            f32::MAX,
            3.0e-42,
        ];
        let runs: Vec<i32> = (0..prices.len() as i32).collect();
        let mut w = TableWriter::create(&path, &spec, &[]).unwrap();
        w.write_row_group(&[ColumnData::Int32(&runs), ColumnData::Float32(&prices)])
            .unwrap();
        w.write_row_group(&[ColumnData::Int32(&runs), ColumnData::Float32(&prices)])
            .unwrap();
        w.finish().unwrap();
        let r = TableReader::open(&path).unwrap();
        assert_eq!(r.columns(), &spec);
        let ColumnValues::Float32(back) = r.read_column("price").unwrap() else {
            panic!("not Float32")
        };
        let twice: Vec<u32> = prices.iter().chain(&prices).map(|x| x.to_bits()).collect();
        assert_eq!(back.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), twice);
        // A Float64 slice for a Float32 column is refused.
        let mut w = TableWriter::create(&path, &spec, &[]).unwrap();
        assert!(w
            .write_row_group(&[ColumnData::Int32(&[1]), ColumnData::Float64(&[1.0])])
            .is_err());
    }

    #[test]
    fn round_trips_bit_exactly_uncompressed() {
        round_trip(WriteOptions {
            compression: Compression::None,
        });
    }

    #[test]
    fn writer_and_reader_can_move_to_other_threads() {
        fn send<T: Send>() {}
        send::<TableWriter>();
        send::<TableReader>();
        send::<TableError>();
    }

    #[test]
    fn nan_round_trips_with_its_bits() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nan.parquet");
        let nans = [
            f64::NAN,
            -f64::NAN,
            f64::from_bits(0x7FF0_0000_0000_0001),
            1.0,
        ];
        let cols = [ColumnSpec::new("x", ColumnKind::Float64)];
        let mut w = TableWriter::create(&path, &cols, &[]).unwrap();
        w.write_row_group(&[ColumnData::Float64(&nans)]).unwrap();
        w.finish().unwrap();
        let r = TableReader::open(&path).unwrap();
        assert_eq!(bits(&f64_column(&r, "x")), bits(&nans));
    }

    #[test]
    fn empty_table_and_empty_row_groups() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("empty.parquet");
        let mut w = TableWriter::create(&path, &specs(), &[]).unwrap();
        let none = Rows::new(0, 0);
        w.write_row_group(&none.data()).unwrap();
        w.finish().unwrap();
        let r = TableReader::open(&path).unwrap();
        assert_eq!(r.num_rows(), 0);
        assert_eq!(r.num_row_groups(), 0);
        assert_eq!(r.metadata(), &[]);
        assert_eq!(r.read_column("year").unwrap(), ColumnValues::Int32(vec![]));
    }

    #[test]
    fn rejects_bad_declarations() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.parquet");
        let e = TableWriter::create(&path, &[], &[]).unwrap_err();
        assert!(matches!(e, TableError::InvalidSchema { .. }), "{e}");
        let twice = [
            ColumnSpec::new("a", ColumnKind::Int32),
            ColumnSpec::new("a", ColumnKind::Float64),
        ];
        let e = TableWriter::create(&path, &twice, &[]).unwrap_err();
        assert!(e.to_string().contains("\"a\" is used twice"), "{e}");
        let e = TableWriter::create(&dir.path().join("no/such/dir.parquet"), &specs(), &[])
            .unwrap_err();
        assert!(matches!(e, TableError::Io { .. }), "{e}");
        assert!(e.to_string().contains("no/such/dir.parquet"), "{e}");
    }

    #[test]
    fn rejects_bad_row_groups_and_stays_usable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.parquet");
        let mut w = TableWriter::create(&path, &specs(), &[]).unwrap();
        let rows = Rows::new(0, 10);
        let short = Rows::new(0, 9);

        let mut data = rows.data();
        data[3] = ColumnData::Float64(&short.dy);
        let e = w.write_row_group(&data).unwrap_err();
        assert!(
            matches!(
                e,
                TableError::LengthMismatch {
                    found: 9,
                    expected: 10,
                    ..
                }
            ),
            "{e}"
        );
        let msg = e.to_string();
        assert!(
            msg.contains("bad.parquet") && msg.contains("\"price_dy\" has 9 values"),
            "{msg}"
        );

        let mut data = rows.data();
        data[1] = ColumnData::Float64(&rows.nd);
        let e = w.write_row_group(&data).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("\"year\" is declared Int32, but Float64 data"),
            "{msg}"
        );

        let e = w.write_row_group(&rows.data()[..4]).unwrap_err();
        assert!(
            matches!(
                e,
                TableError::ColumnCount {
                    expected: 5,
                    found: 4,
                    ..
                }
            ),
            "{e}"
        );

        w.write_row_group(&rows.data()).unwrap();
        w.finish().unwrap();
        let r = TableReader::open(&path).unwrap();
        assert_eq!(r.num_rows(), 10);
    }

    #[test]
    fn unknown_column_suggests_close_names() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        let mut w = TableWriter::create(&path, &specs(), &[]).unwrap();
        w.write_row_group(&Rows::new(0, 3).data()).unwrap();
        w.finish().unwrap();
        let r = TableReader::open(&path).unwrap();

        let e = r.read_column("price_ny").unwrap_err();
        let TableError::UnknownColumn { suggestions, .. } = &e else {
            panic!("{e}")
        };
        assert_eq!(suggestions, &["price_nd", "price_dy"]);
        let msg = e.to_string();
        assert!(
            msg.contains("t.parquet: no column named \"price_ny\""),
            "{msg}"
        );
        assert!(
            msg.contains("did you mean one of \"price_nd\", \"price_dy\"?"),
            "{msg}"
        );

        let e = r.read_column("Year").unwrap_err();
        assert!(e.to_string().ends_with("did you mean \"year\"?"), "{e}");
        let e = r.read_column("shortage").unwrap_err();
        assert!(
            e.to_string().ends_with("did you mean \"shortage_nd\"?"),
            "{e}"
        );
        let e = r.read_column("zzzzzzzz").unwrap_err();
        assert!(
            e.to_string().ends_with("no column named \"zzzzzzzz\""),
            "{e}"
        );
    }

    fn small_file(dir: &Path) -> Vec<u8> {
        let path = dir.join("small.parquet");
        let mut w = TableWriter::create(&path, &specs(), &[("k".into(), "v".into())]).unwrap();
        w.write_row_group(&Rows::new(0, 40).data()).unwrap();
        w.write_row_group(&Rows::new(40, 20).data()).unwrap();
        w.finish().unwrap();
        std::fs::read(path).unwrap()
    }

    /// Opens and reads every column; returns the first error.
    fn read_all(path: &Path) -> Result<(), TableError> {
        let r = TableReader::open(path)?;
        for c in r.columns().to_vec() {
            r.read_column(&c.name)?;
        }
        Ok(())
    }

    #[test]
    fn truncated_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = small_file(dir.path());
        let path = dir.path().join("cut.parquet");
        for len in (0..bytes.len()).step_by(7).chain([bytes.len() - 1]) {
            std::fs::write(&path, &bytes[..len]).unwrap();
            let e = read_all(&path).unwrap_err();
            assert!(
                e.to_string().starts_with(&path.display().to_string()),
                "{e}"
            );
        }
    }

    #[test]
    fn unfinished_writer_leaves_a_rejected_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("unfinished.parquet");
        let mut w = TableWriter::create(&path, &specs(), &[]).unwrap();
        w.write_row_group(&Rows::new(0, 100).data()).unwrap();
        drop(w);
        let e = TableReader::open(&path).unwrap_err();
        assert!(matches!(e, TableError::Parquet { .. }), "{e}");
    }

    #[test]
    fn random_bytes_and_missing_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("random.parquet");
        let mut x = 12345_u64;
        let mut noise: Vec<u8> = (0..5000)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (x >> 56) as u8
            })
            .collect();
        std::fs::write(&path, &noise).unwrap();
        let e = TableReader::open(&path).unwrap_err();
        assert!(matches!(e, TableError::Parquet { .. }), "{e}");
        // Noise between valid magic numbers.
        noise[..4].copy_from_slice(b"PAR1");
        let n = noise.len();
        noise[n - 4..].copy_from_slice(b"PAR1");
        std::fs::write(&path, &noise).unwrap();
        assert!(read_all(&path).is_err());
        std::fs::write(&path, "run,year\n1,2025\n").unwrap();
        assert!(read_all(&path).is_err());

        let e = TableReader::open(&dir.path().join("missing.parquet")).unwrap_err();
        assert!(matches!(e, TableError::Io { .. }), "{e}");
        assert!(e.to_string().contains("missing.parquet"), "{e}");
    }

    /// Corrupting any single byte gives values or an error, never a panic.
    /// (With parquet 60.1 some of these reach the `guard` backstop: panics
    /// such as "Decoder for dict should have been set" or an index out of
    /// bounds in the page decoders.)
    #[test]
    fn corrupted_bytes_never_panic() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = small_file(dir.path());
        let path = dir.path().join("flipped.parquet");
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= if i % 2 == 0 { 0xFF } else { 0x01 };
            std::fs::write(&path, &b).unwrap();
            let _ = read_all(&path);
        }
    }

    /// A Parquet file with columns of other types, hand-built with parquet-rs
    /// (the interop test covers files written by pyarrow).
    fn foreign_file(path: &Path, field: SchemaType) -> Result<(), ParquetError> {
        let schema = SchemaType::group_type_builder("schema")
            .with_fields(vec![Arc::new(field)])
            .build()?;
        let props = Arc::new(WriterProperties::builder().build());
        let w = SerializedFileWriter::new(File::create(path)?, Arc::new(schema), props)?;
        w.close()?;
        Ok(())
    }

    #[test]
    fn rejects_columns_of_other_types() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("foreign.parquet");
        let prim = |name: &'static str, t: PhysicalType, rep: Repetition| {
            SchemaType::primitive_type_builder(name, t).with_repetition(rep)
        };
        let cases: Vec<(SchemaType, &str)> = vec![
            (
                prim("n", PhysicalType::INT64, Repetition::REQUIRED)
                    .build()
                    .unwrap(),
                "is INT64",
            ),
            (
                prim("s", PhysicalType::BYTE_ARRAY, Repetition::REQUIRED)
                    .with_logical_type(Some(LogicalType::String))
                    .build()
                    .unwrap(),
                "is BYTE_ARRAY (String)",
            ),
            (
                prim("x", PhysicalType::DOUBLE, Repetition::OPTIONAL)
                    .build()
                    .unwrap(),
                "is OPTIONAL (nullable) DOUBLE",
            ),
            (
                prim("d", PhysicalType::INT32, Repetition::REQUIRED)
                    .with_logical_type(Some(LogicalType::Date))
                    .build()
                    .unwrap(),
                "is INT32 (Date)",
            ),
            (
                SchemaType::group_type_builder("g")
                    .with_repetition(Repetition::REQUIRED)
                    .with_fields(vec![Arc::new(
                        prim("y", PhysicalType::DOUBLE, Repetition::REQUIRED)
                            .build()
                            .unwrap(),
                    )])
                    .build()
                    .unwrap(),
                "\"g\" is a nested group",
            ),
        ];
        for (field, expected) in cases {
            foreign_file(&path, field).unwrap();
            let e = TableReader::open(&path).unwrap_err();
            assert!(matches!(e, TableError::UnsupportedColumn { .. }), "{e}");
            assert!(e.to_string().contains(expected), "{e} lacks {expected}");
        }
        // A signed 32-bit integer annotation is fine.
        let int = prim("i", PhysicalType::INT32, Repetition::REQUIRED)
            .with_logical_type(Some(LogicalType::integer(32, true)))
            .build()
            .unwrap();
        foreign_file(&path, int).unwrap();
        let r = TableReader::open(&path).unwrap();
        assert_eq!(r.columns(), &[ColumnSpec::new("i", ColumnKind::Int32)]);
    }
}
