"""Reads a table written by parquet_io with pyarrow, pandas, DuckDB and polars
and checks it against the expected contents; then writes files with pyarrow
that parquet_io must read (or reject). Run by tests/interop.rs.

usage: interop_check.py TABLE.parquet EXPECTED.json OUT_DIR

Exit status 0 when every check passes, 2 when a package is missing, 1 on a
failed check (the message says which reader and what differed).
"""

import json
import math
import struct
import sys

INSTALL = "python3 -m pip install pyarrow pandas duckdb polars"

missing = []
try:
    import pyarrow as pa
    import pyarrow.parquet as pq
except ImportError:
    missing.append("pyarrow")
try:
    import pandas as pd
except ImportError:
    missing.append("pandas")
try:
    import duckdb
except ImportError:
    missing.append("duckdb")
try:
    import polars as pl
except ImportError:
    missing.append("polars")
if missing:
    print(
        f"missing Python package(s): {', '.join(missing)} (python: {sys.executable}); "
        f"install them with: {INSTALL}",
        file=sys.stderr,
    )
    sys.exit(2)

table_path, expected_path, out_dir = sys.argv[1:4]
with open(expected_path, encoding="utf-8") as f:
    expected = json.load(f)
names = [c["name"] for c in expected["columns"]]
kinds = {c["name"]: c["kind"] for c in expected["columns"]}
values = expected["values"]
rows = expected["rows"]
failures = []


def check(reader, ok, what):
    if not ok:
        failures.append(f"{reader}: {what}")


def packed(name, vals):
    """The exact bytes of a column's values (little-endian, as numpy stores them)."""
    fmt = "<%d%s" % (len(vals), "i" if kinds[name] == "Int32" else "d")
    return struct.pack(fmt, *vals)


def close(a, b):
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


sum_col = "price"
want_sum = math.fsum(values[sum_col])

# pyarrow: schema, footer metadata, row groups, exact values.
f = pq.ParquetFile(table_path)
check("pyarrow", f.metadata.num_rows == rows, f"num_rows {f.metadata.num_rows} != {rows}")
check(
    "pyarrow",
    f.metadata.num_row_groups == expected["row_groups"],
    f"num_row_groups {f.metadata.num_row_groups}",
)
kv = {k.decode(): v.decode() for k, v in (f.metadata.metadata or {}).items()}
check("pyarrow", kv == expected["metadata"], f"footer metadata {kv!r}")
arrow_type = {"Int32": pa.int32(), "Float64": pa.float64()}
schema = f.schema_arrow
check("pyarrow", schema.names == names, f"column names {schema.names}")
for field in schema:
    check("pyarrow", field.type == arrow_type[kinds[field.name]], f"{field.name} is {field.type}")
    check("pyarrow", not field.nullable, f"{field.name} is nullable")
t = f.read()
for name in names:
    col = t.column(name).to_numpy()
    check("pyarrow", col.tobytes() == packed(name, values[name]), f"{name} values differ")
check("pyarrow", close(math.fsum(t.column(sum_col).to_pylist()), want_sum), "sum")
neg_zero = t.column("special").to_pylist()[1]
check("pyarrow", neg_zero == 0.0 and math.copysign(1.0, neg_zero) < 0, f"-0.0 read as {neg_zero}")

# pandas (through pyarrow).
df = pd.read_parquet(table_path)
check("pandas", len(df) == rows, f"len {len(df)}")
check("pandas", list(df.columns) == names, f"columns {list(df.columns)}")
pandas_dtype = {"Int32": "int32", "Float64": "float64"}
for name in names:
    check("pandas", str(df[name].dtype) == pandas_dtype[kinds[name]], f"{name} dtype {df[name].dtype}")
    check("pandas", df[name].to_numpy().tobytes() == packed(name, values[name]), f"{name} values differ")
check("pandas", close(float(df[sum_col].sum()), want_sum), f"sum {df[sum_col].sum()} != {want_sum}")

# DuckDB: its own Parquet reader.
con = duckdb.connect()
n, s = con.execute(f"SELECT count(*), sum({sum_col}) FROM read_parquet(?)", [table_path]).fetchone()
check("duckdb", n == rows, f"count {n}")
check("duckdb", close(s, want_sum), f"sum {s} != {want_sum}")
described = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [table_path]).fetchall()
duck_type = {"Int32": "INTEGER", "Float64": "DOUBLE"}
check("duckdb", [r[0] for r in described] == names, f"columns {[r[0] for r in described]}")
for r in described:
    check("duckdb", r[1] == duck_type[kinds[r[0]]], f"{r[0]} is {r[1]}")
for name in names:
    got = [r[0] for r in con.execute(f'SELECT "{name}" FROM read_parquet(?)', [table_path]).fetchall()]
    check("duckdb", packed(name, got) == packed(name, values[name]), f"{name} values differ")
duck_kv = {
    (k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
    for k, v in con.execute("SELECT key, value FROM parquet_kv_metadata(?)", [table_path]).fetchall()
}
check("duckdb", duck_kv == expected["metadata"], f"footer metadata {duck_kv!r}")

# polars: its own Parquet reader.
pdf = pl.read_parquet(table_path)
check("polars", pdf.height == rows, f"height {pdf.height}")
check("polars", pdf.columns == names, f"columns {pdf.columns}")
polars_dtype = {"Int32": pl.Int32, "Float64": pl.Float64}
for name in names:
    check("polars", pdf[name].dtype == polars_dtype[kinds[name]], f"{name} dtype {pdf[name].dtype}")
    check("polars", pdf[name].to_numpy().tobytes() == packed(name, values[name]), f"{name} values differ")
check("polars", close(pdf[sum_col].sum(), want_sum), f"sum {pdf[sum_col].sum()} != {want_sum}")

# Files from pyarrow for parquet_io to read (non-nullable int32/double) or
# reject (int64, string, nullable).
ok_schema = pa.schema([pa.field("run", pa.int32(), nullable=False), pa.field("price", pa.float64(), nullable=False)])
pq.write_table(
    pa.table({"run": pa.array([1, 2, 3], pa.int32()), "price": [0.5, -0.0, 1e-300]}, schema=ok_schema),
    f"{out_dir}/pyarrow_ok.parquet",
)
pq.write_table(pa.table({"n": pa.array([1, 2], pa.int64())}), f"{out_dir}/pyarrow_int64.parquet")
pq.write_table(pa.table({"s": ["a", "b"]}), f"{out_dir}/pyarrow_string.parquet")
pq.write_table(pa.table({"x": [1.0, None]}), f"{out_dir}/pyarrow_nullable.parquet")

versions = (
    f"pyarrow {pa.__version__}, pandas {pd.__version__}, duckdb {duckdb.__version__}, polars {pl.__version__}"
)
if failures:
    print(f"interop check failed ({versions}):", *failures, sep="\n  ", file=sys.stderr)
    sys.exit(1)
print(f"{rows} rows read back exactly by {versions}")
