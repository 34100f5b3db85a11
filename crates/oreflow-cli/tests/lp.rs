//! `oreflow lp`: the exported MPS files, read back by HiGHS' own reader and
//! solved from scratch, give the objectives the run found (1e-9 relative).

mod common;

use common::{bad_input, ok, oreflow};
use oreflow_lp::{HighsBackend, Sense, Status};

struct Row {
    year: i32,
    solve: usize,
    file: String,
    rows: usize,
    cols: usize,
    nonzeros: usize,
    objective: f64,
}

fn index(dir: &std::path::Path) -> Vec<Row> {
    let mut r = csv::Reader::from_path(dir.join("index.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|x| x == name).unwrap();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            assert_eq!(&rec[col("status")], "optimal");
            assert_eq!(&rec[col("sense")], "max");
            Row {
                year: rec[col("year")].parse().unwrap(),
                solve: rec[col("solve")].parse().unwrap(),
                file: rec[col("file")].to_string(),
                rows: rec[col("rows")].parse().unwrap(),
                cols: rec[col("cols")].parse().unwrap(),
                nonzeros: rec[col("nonzeros")].parse().unwrap(),
                objective: rec[col("objective")].parse().unwrap(),
            }
        })
        .collect()
}

fn read_back(dir: &std::path::Path, rows: &[Row]) {
    for r in rows {
        let back = HighsBackend::default()
            .solve_file(&dir.join(&r.file))
            .unwrap();
        assert_eq!(back.status, Status::Optimal, "{}", r.file);
        assert_eq!(back.sense, Sense::Maximise);
        assert_eq!(
            (back.rows, back.cols, back.nonzeros),
            (r.rows, r.cols, r.nonzeros)
        );
        let rel = (back.objective - r.objective).abs() / r.objective.abs().max(1.0);
        assert!(
            rel <= 1e-9,
            "{}: HiGHS from the file {} vs oreflow {} (relative {rel:e})",
            r.file,
            back.objective,
            r.objective
        );
    }
}

#[test]
fn one_year_of_the_baseline_reads_back_with_the_same_objective() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("lp");
    let o = oreflow(
        &[
            "lp", "baseline", "--year", "2025", "--to", "2026", "--out", "lp",
        ],
        tmp.path(),
    );
    ok(&o);
    let rows = index(&out);
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r.year == 2025));
    // Solves are numbered 1, 2, … in order, one file each.
    let solves: Vec<usize> = rows.iter().map(|r| r.solve).collect();
    assert_eq!(solves, (1..=rows.len()).collect::<Vec<_>>());
    assert!(rows.len() <= oreflow_sim::MAX_SOLVES_PER_YEAR);
    read_back(&out, &rows);
    // The names map covers every row and column of the LP.
    let names = std::fs::read_to_string(out.join("names.csv")).unwrap();
    assert_eq!(names.lines().count(), 2 + rows[0].rows + rows[0].cols);
    assert!(
        names.contains(",balance of Nd oxide in CN\n"),
        "labels kept"
    );
    let mps = std::fs::read_to_string(out.join(&rows[0].file)).unwrap();
    assert!(mps.contains(" E  balance_of_Nd_oxide_in_CN\n"));
    assert!(mps.starts_with("NAME oreflow\nOBJSENSE\n    MAX\n"));
    // The folder is oreflow's (manifest), so a second export may replace it.
    ok(&oreflow(
        &[
            "lp",
            "baseline",
            "--year",
            "2024",
            "--to",
            "2024",
            "--short-names",
            "--out",
            "lp",
            "-q",
        ],
        tmp.path(),
    ));
    let rows = index(&out);
    assert_eq!(rows[0].year, 2024);
    let mps = std::fs::read_to_string(out.join(&rows[0].file)).unwrap();
    assert!(mps.contains(" E  R1\n"), "short names");
    read_back(&out, &rows);
    assert!(
        !out.join("lp-2025-1.mps").exists(),
        "the old export is replaced whole"
    );
}

#[test]
fn bad_years_and_foreign_folders_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    bad_input(
        &oreflow(
            &["lp", "baseline", "--year", "2041", "--out", "x"],
            tmp.path(),
        ),
        "--year 2041: the run solves 2024–2040",
    );
    let o = oreflow(&["lp", "baseline", "--out", "x"], tmp.path());
    assert_eq!(
        o.status.code(),
        Some(2),
        "--year or --all-years is required"
    );
    let mine = tmp.path().join("mine");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(mine.join("notes.txt"), "mine").unwrap();
    let o = oreflow(
        &["lp", "baseline", "--year", "2024", "--out", "mine"],
        tmp.path(),
    );
    assert_ne!(o.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(mine.join("notes.txt")).unwrap(),
        "mine"
    );
    assert!(!mine.join("index.csv").exists());
}

/// `oreflow bench --solver own` solves the same LPs as HiGHS does (the
/// objectives of the recorded run agree to 1e-9), answering them itself;
/// an unknown solver is refused in words.
#[test]
fn bench_with_the_own_solver_finds_highs_objectives() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |solver: &str| -> serde_json::Value {
        let o = oreflow(
            &[
                "bench", "baseline", "--to", "2027", "--repeat", "1", "--json", "--solver", solver,
            ],
            tmp.path(),
        );
        ok(&o);
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let (h, own) = (run("highs"), run("own"));
    assert_eq!(own["solver"], "own");
    assert_eq!(own["fallbacks_per_run"], 0.0, "{own}");
    let objs = |v: &serde_json::Value| -> Vec<f64> {
        v["objectives"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o.as_str().unwrap().parse().unwrap())
            .collect()
    };
    let (a, b) = (objs(&h), objs(&own));
    assert!(a.len() >= 4, "{a:?}");
    assert_eq!(a.len(), b.len(), "LPs per run");
    for (k, (x, y)) in a.iter().zip(&b).enumerate() {
        assert!(
            (x - y).abs() <= 1e-9 * x.abs().max(1.0),
            "LP {k}: HiGHS {x}, own {y}"
        );
    }
    bad_input(
        &oreflow(&["bench", "baseline", "--solver", "glpk"], tmp.path()),
        "`glpk` is not a solver: give `own`",
    );
}
