//! `oreflow ensemble` and `oreflow merge` end to end: reproducibility across
//! threads and shards, the Parquet outputs in the tools analysts use, and
//! bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn oreflow(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_oreflow"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run oreflow")
}

fn ok(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ensemble-small.toml")
}

const SUMMARY_FILES: [&str; 5] = [
    "summary.csv",
    "shortfall_probability.csv",
    "events.csv",
    "summary.json",
    "failures.csv",
];

#[test]
fn one_thread_two_threads_and_three_merged_shards_give_identical_summaries() {
    let tmp = tempfile::tempdir().unwrap();
    let f = fixture();
    let f = f.to_str().unwrap();
    let common = ["ensemble", f, "-n", "14", "--seed", "11", "-q"];
    let run = |extra: &[&str]| {
        let mut args: Vec<&str> = common.to_vec();
        args.extend_from_slice(extra);
        let out = oreflow(&args, tmp.path());
        ok(&out);
    };
    run(&["-t", "1", "-o", "one"]);
    run(&["-t", "2", "-o", "two"]);
    for k in 1..=3 {
        let shard = format!("{k}/3");
        let dir = format!("shards/s{k}");
        run(&["-t", "2", "--shard", &shard, "-o", &dir]);
    }
    // Shards hold only their runs; merge in any order of arguments.
    let out = oreflow(
        &[
            "merge",
            "shards/s3",
            "shards/s1",
            "shards/s2",
            "-o",
            "merged",
        ],
        tmp.path(),
    );
    ok(&out);
    assert!(String::from_utf8_lossy(&out.stdout).contains("merged 3 shards: 14 runs"));
    for file in SUMMARY_FILES {
        let read = |d: &str| std::fs::read(tmp.path().join(d).join(file)).unwrap();
        let one = read("one");
        assert!(!one.is_empty(), "{file} is empty");
        assert!(read("two") == one, "{file}: 1 thread vs 2 threads differ");
        assert!(
            read("merged") == one,
            "{file}: 1 thread vs 3 merged shards differ"
        );
    }
    // The summary has the percentiles of every metric in every year.
    let summary = std::fs::read_to_string(tmp.path().join("one/summary.csv")).unwrap();
    assert!(
        summary.starts_with("year,metric,good,region,stage,unit,runs,mean,min,p5,p50,p95,max\n")
    );
    assert!(
        summary.contains("2029,price_usd_per_kg,Dy,JP,"),
        "no Dy price in Japan"
    );
    assert!(summary.contains("2029,hhi,all,,separation,"));
    // Events drawn: the licensing event is in force in some runs, not all.
    let events = std::fs::read_to_string(tmp.path().join("one/events.csv")).unwrap();
    let p: Vec<f64> = events
        .lines()
        .filter(|l| l.contains("CN licenses Dy"))
        .map(|l| l.rsplit(',').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(p.len(), 6, "{events}");
    assert_eq!(p[0], 0.0, "the event may start from 2025 only");
    assert!(p.iter().any(|&x| x > 0.0 && x < 1.0), "{events}");
}

#[test]
fn parquet_outputs_open_in_pandas_duckdb_and_polars_and_match_the_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let f = fixture();
    ok(&oreflow(
        &[
            "ensemble",
            f.to_str().unwrap(),
            "-n",
            "21",
            "--seed",
            "3",
            "-q",
            "-o",
            "e",
        ],
        tmp.path(),
    ));
    let dir = tmp.path().join("e");
    let summary = std::fs::read_to_string(dir.join("summary.csv")).unwrap();
    let row = summary
        .lines()
        .find(|l| l.starts_with("2029,price_usd_per_kg,Nd,CN,"))
        .expect("Nd price in China, 2029");
    let cells: Vec<&str> = row.split(',').collect();
    let (p5, p50, p95) = (cells[9], cells[10], cells[11]);
    let script = format!(
        r#"
import sys
import pandas as pd, duckdb, polars as pl
d = "{dir}"
runs = pd.read_parquet(d + "/runs.parquet")
draws = pd.read_parquet(d + "/draws.parquet")
assert len(runs) == 21 * 6, len(runs)
assert list(runs.columns[:2]) == ["run", "year"], runs.columns[:4]
assert len(draws) == 21 and "param_demand_growth_growth_end_use_ev_motors" in draws.columns, draws.columns
x = runs[runs.year == 2029]["Nd_CN_price_usd_per_kg"].astype(float)
q = x.quantile([0.05, 0.5, 0.95]).tolist()
want = [{p5}, {p50}, {p95}]
assert all(abs(a - b) <= 1e-9 * max(1.0, abs(b)) for a, b in zip(q, want)), (q, want)
n = duckdb.sql("SELECT count(*) FROM '" + d + "/runs.parquet' WHERE year = 2029").fetchall()[0][0]
assert n == 21, n
med = duckdb.sql("SELECT quantile_cont(Nd_CN_price_usd_per_kg, 0.5) FROM '" + d + "/runs.parquet' WHERE year = 2029").fetchall()[0][0]
assert abs(med - want[1]) <= 1e-6 * max(1.0, abs(want[1])), (med, want[1])
p = pl.read_parquet(d + "/runs.parquet")
assert p.height == 21 * 6 and p.schema["run"] == pl.Int32, p.schema["run"]
print("ok")
"#,
        dir = dir.display()
    );
    let python = std::env::var("OREFLOW_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = Command::new(&python).arg("-c").arg(&script).output().unwrap_or_else(|e| {
        panic!("cannot run {python}: {e}; install Python 3 with `python3 -m pip install pyarrow pandas duckdb polars`")
    });
    assert!(
        out.status.success(),
        "the Parquet check failed (needs `python3 -m pip install pyarrow pandas duckdb polars`):\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_bad_uncertainty_spec_names_file_line_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("bad.toml"),
        "[[uncertain.parameter]]\ntarget = \"mines.cost_usd_per_kg_reo\"\ndistribution = { kind = \"normal\", mean = 1.0, sd = -0.2, min = 0 }\n",
    )
    .unwrap();
    let out = oreflow(&["ensemble", "bad.toml", "-n", "5"], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "bad.toml:3:52: `sd` is negative (-0.2): a standard deviation must be positive"
        ),
        "{err}"
    );
    // A scenario without [uncertain] would make N identical runs.
    let plain = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/china-ban-us.toml");
    let out = oreflow(
        &["ensemble", plain.to_str().unwrap(), "-n", "5"],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing is uncertain"));
    // Flags are checked too.
    let f = fixture();
    let out = oreflow(
        &["ensemble", f.to_str().unwrap(), "--shard", "4/3"],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a shard"));
    let out = oreflow(
        &["ensemble", f.to_str().unwrap(), "--goods", "Xx"],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let out = oreflow(&["ensemble", f.to_str().unwrap(), "-n", "0"], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least one run"));
}

#[test]
fn merge_refuses_incomplete_or_foreign_shards() {
    let tmp = tempfile::tempdir().unwrap();
    let f = fixture();
    let f = f.to_str().unwrap();
    for (k, seed) in [(1, "1"), (2, "1"), (3, "2")] {
        let shard = format!("{k}/3");
        let dir = format!("s{k}");
        ok(&oreflow(
            &[
                "ensemble", f, "-n", "6", "--to", "2025", "--seed", seed, "--shard", &shard, "-q",
                "-o", &dir,
            ],
            tmp.path(),
        ));
    }
    let err = |args: &[&str]| {
        let out = oreflow(args, tmp.path());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    assert!(err(&["merge", "s1", "s2", "-o", "m"]).contains("shard 3/3 is missing"));
    assert!(err(&["merge", "s1", "s2", "s3", "-o", "m"]).contains("their seed differ"));
    assert!(err(&["merge", "s1", "s1", "s2", "-o", "m"]).contains("is given twice"));
    assert!(err(&["merge", "nowhere", "-o", "m"]).contains("no such folder"));
    // A damaged shard: a clear error naming the file, no panic.
    ok(&oreflow(
        &[
            "ensemble", f, "-n", "6", "--to", "2025", "--seed", "1", "--shard", "3/3", "-q", "-o",
            "t3",
        ],
        tmp.path(),
    ));
    let runs = tmp.path().join("t3/runs.parquet");
    let bytes = std::fs::read(&runs).unwrap();
    let mut damaged = bytes.clone();
    for b in damaged.iter_mut().skip(200).take(400) {
        *b ^= 0x5a;
    }
    for (what, content) in [
        ("flipped bytes", damaged),
        ("truncated", bytes[..bytes.len() / 2].to_vec()),
    ] {
        std::fs::write(&runs, content).unwrap();
        let e = err(&["merge", "s1", "s2", "t3", "-o", "m"]);
        assert!(e.contains("t3/runs.parquet"), "{what}: {e}");
        assert!(!e.contains("panicked"), "{what}: {e}");
    }
}
