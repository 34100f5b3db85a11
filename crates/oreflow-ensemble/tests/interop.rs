//! The users' tools read what `parquet_io` writes: pyarrow (with pandas),
//! DuckDB and polars, each checked for row count, column names and types,
//! bit-exact values, a column sum, and (pyarrow, DuckDB) the footer metadata.
//! Files written by pyarrow are read back, or rejected when of other types.
//!
//! Needs Python 3 with `pyarrow pandas duckdb polars`; the test FAILS (it does
//! not skip) when they are missing, saying how to install them. The Python
//! interpreter is `$OREFLOW_PYTHON` if set, else `python3`.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use oreflow_ensemble::parquet_io::{
    ColumnData, ColumnKind, ColumnSpec, ColumnValues, TableError, TableReader, TableWriter,
};

const INSTALL: &str = "python3 -m pip install pyarrow pandas duckdb polars";

fn columns() -> Vec<ColumnSpec> {
    vec![
        ColumnSpec::new("run", ColumnKind::Int32),
        ColumnSpec::new("year", ColumnKind::Int32),
        ColumnSpec::new("price", ColumnKind::Float64),
        ColumnSpec::new("shortage", ColumnKind::Float64),
        ColumnSpec::new("special", ColumnKind::Float64),
    ]
}

/// Rows of the test table, column by column.
#[derive(Default)]
struct Rows {
    run: Vec<i32>,
    year: Vec<i32>,
    price: Vec<f64>,
    shortage: Vec<f64>,
    special: Vec<f64>,
}

impl Rows {
    /// The rows `start..start + n`.
    fn new(start: usize, n: usize) -> Self {
        let special = [
            0.0,
            -0.0,
            5e-324,
            f64::MIN_POSITIVE,
            f64::MAX,
            -1e-300,
            1e300,
            0.1 + 0.2,
        ];
        let r = start..start + n;
        let smooth =
            |i: usize| (0.5 + 0.5 * (i as f64 * 0.37).sin()) * (1.0 + 1e-5 * (i % 97) as f64);
        Rows {
            run: r.clone().map(|i| (i / 25) as i32).collect(),
            year: r.clone().map(|i| 2025 + (i % 25) as i32).collect(),
            price: r.clone().map(|i| 40.0 + 960.0 * smooth(i)).collect(),
            shortage: r
                .clone()
                .map(|i| {
                    if i % 9 == 0 {
                        (i % 13) as f64 * 0.125
                    } else {
                        0.0
                    }
                })
                .collect(),
            special: r.map(|i| special[i % special.len()]).collect(),
        }
    }

    fn data(&self) -> [ColumnData<'_>; 5] {
        [
            ColumnData::Int32(&self.run),
            ColumnData::Int32(&self.year),
            ColumnData::Float64(&self.price),
            ColumnData::Float64(&self.shortage),
            ColumnData::Float64(&self.special),
        ]
    }

    fn extend(&mut self, other: Rows) {
        self.run.extend(other.run);
        self.year.extend(other.year);
        self.price.extend(other.price);
        self.shortage.extend(other.shortage);
        self.special.extend(other.special);
    }
}

fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => write!(out, "\\u{:04x}", c as u32).unwrap(),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn python() -> String {
    std::env::var("OREFLOW_PYTHON").unwrap_or_else(|_| "python3".to_string())
}

#[test]
fn pyarrow_pandas_duckdb_and_polars_read_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("table.parquet");
    let metadata = vec![
        (
            "oreflow.manifest".to_string(),
            r#"{"scenario": "baseline", "seed": 42, "note": "Dy/Tb – ±5%"}"#.to_string(),
        ),
        ("empty".to_string(), String::new()),
    ];

    let sizes = [1000, 1, 2000];
    let mut all = Rows::default();
    let mut w = TableWriter::create(&table, &columns(), &metadata).unwrap();
    let mut start = 0;
    for n in sizes {
        let rows = Rows::new(start, n);
        w.write_row_group(&rows.data()).unwrap();
        all.extend(rows);
        start += n;
    }
    w.finish().unwrap();

    // The expected contents, as JSON (Rust's `{:?}` of an f64 is the shortest
    // string that parses back to the same bits, in Python too).
    let ints = |v: &[i32]| {
        v.iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join(",")
    };
    let floats = |v: &[f64]| {
        v.iter()
            .map(|x| format!("{x:?}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    let cols: Vec<String> = columns()
        .iter()
        .map(|c| {
            format!(
                r#"{{"name":{},"kind":"{:?}"}}"#,
                json_string(&c.name),
                c.kind
            )
        })
        .collect();
    let meta: Vec<String> = metadata
        .iter()
        .map(|(k, v)| format!("{}:{}", json_string(k), json_string(v)))
        .collect();
    let expected = format!(
        r#"{{"rows":{},"row_groups":{},"columns":[{}],"metadata":{{{}}},"values":{{"run":[{}],"year":[{}],"price":[{}],"shortage":[{}],"special":[{}]}}}}"#,
        start,
        sizes.len(),
        cols.join(","),
        meta.join(","),
        ints(&all.run),
        ints(&all.year),
        floats(&all.price),
        floats(&all.shortage),
        floats(&all.special),
    );
    let expected_path = dir.path().join("expected.json");
    std::fs::write(&expected_path, expected).unwrap();

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop_check.py");
    let python = python();
    let output = Command::new(&python)
        .arg(&script)
        .arg(&table)
        .arg(&expected_path)
        .arg(dir.path())
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run `{python}` ({e}): this test needs Python 3 with pyarrow, pandas, \
                 duckdb and polars; install Python 3, then: {INSTALL} \
                 (or set OREFLOW_PYTHON to an interpreter that has them)"
            )
        });
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Exit status 2: a package is missing, and the script said how to install it.
    let hint = if output.status.code() == Some(2) {
        String::new()
    } else {
        format!("\n(it needs: {INSTALL})")
    };
    assert!(
        output.status.success(),
        "{script:?} failed ({}):\n{stderr}{stdout}{hint}",
        output.status
    );

    // Back in Rust: what pyarrow wrote.
    let ok = TableReader::open(&dir.path().join("pyarrow_ok.parquet")).unwrap();
    assert_eq!(
        ok.columns(),
        &[
            ColumnSpec::new("run", ColumnKind::Int32),
            ColumnSpec::new("price", ColumnKind::Float64)
        ]
    );
    assert_eq!(
        ok.read_column("run").unwrap(),
        ColumnValues::Int32(vec![1, 2, 3])
    );
    let ColumnValues::Float64(price) = ok.read_column("price").unwrap() else {
        panic!("price is not Float64")
    };
    let bits: Vec<u64> = price.iter().map(|x| x.to_bits()).collect();
    assert_eq!(bits, [0.5_f64, -0.0, 1e-300].map(f64::to_bits));
    assert!(ok.metadata().iter().any(|(k, _)| k == "ARROW:schema"));

    for (file, found) in [
        ("pyarrow_int64.parquet", "INT64"),
        ("pyarrow_string.parquet", "BYTE_ARRAY (String)"),
        ("pyarrow_nullable.parquet", "OPTIONAL (nullable) DOUBLE"),
    ] {
        let e = TableReader::open(&dir.path().join(file)).unwrap_err();
        assert!(
            matches!(e, TableError::UnsupportedColumn { .. }),
            "{file}: {e}"
        );
        let msg = e.to_string();
        assert!(msg.contains(file) && msg.contains(found), "{file}: {msg}");
    }
}
