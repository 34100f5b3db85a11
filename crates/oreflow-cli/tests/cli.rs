//! Integration tests that run the `oreflow` binary. Terminal output is
//! compared with stored snapshots in `tests/snapshots/` (timings redacted);
//! run with `BLESS=1` to rewrite them after an intended change.

use std::path::Path;
use std::process::{Command, Output};

fn oreflow(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_oreflow"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run oreflow")
}

/// Replaces run-dependent text (durations, temp paths) with placeholders.
fn redact(text: &str, tmp: &Path) -> String {
    let text = text.replace(&tmp.display().to_string(), "<tmp>");
    text.lines()
        .map(|l| match l.find(" columns in ") {
            Some(i) => format!("{} columns in <t> s", &l[..i]),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn snapshot(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(format!("{name}.txt"));
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing snapshot {}; run with BLESS=1", path.display()));
    assert!(expected == actual, "snapshot {name} differs (BLESS=1 to accept):\n--- expected\n{expected}\n--- actual\n{actual}");
}

fn csv_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

#[test]
fn run_baseline_writes_tidy_csvs_and_a_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let out = oreflow(&["run", "--to", "2026"], tmp.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    snapshot("run_baseline_2024_2026", &redact(&stdout, tmp.path()));

    let dir = tmp.path().join("out/baseline");
    let expect = [
        (
            "production.csv",
            vec!["year", "stage", "facility", "region", "element", "tonnes"],
        ),
        (
            "prices.csv",
            vec!["year", "region", "commodity", "usd_per_kg"],
        ),
        (
            "consumption.csv",
            vec![
                "year",
                "region",
                "end_use",
                "element",
                "demand_t",
                "consumed_t",
                "shortfall_t",
            ],
        ),
        (
            "trade.csv",
            vec![
                "year",
                "from",
                "to",
                "commodity",
                "element",
                "tonnes",
                "value_usd",
            ],
        ),
        (
            "shares.csv",
            vec![
                "year",
                "stage",
                "element",
                "region",
                "tonnes",
                "share",
                "hhi",
                "top3_share",
            ],
        ),
    ];
    for (file, header) in expect {
        let (h, rows) = csv_rows(&dir.join(file));
        assert_eq!(h, header, "{file}");
        assert!(!rows.is_empty(), "{file} is empty");
        for row in &rows {
            let year: i32 = row[0].parse().unwrap();
            assert!((2024..=2026).contains(&year));
            // Every numeric column parses as a finite number.
            for (name, v) in header.iter().zip(row) {
                if [
                    "tonnes",
                    "usd_per_kg",
                    "demand_t",
                    "consumed_t",
                    "shortfall_t",
                    "value_usd",
                    "share",
                    "hhi",
                    "top3_share",
                ]
                .contains(name)
                {
                    let x: f64 = v.parse().unwrap_or_else(|_| panic!("{file}: {name} = {v}"));
                    assert!(x.is_finite() && x >= 0.0, "{file}: {name} = {v}");
                }
            }
        }
    }
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["scenario"], "baseline");
    assert_eq!(summary["solver"], "highs");
    assert_eq!(summary["years"], serde_json::json!([2024, 2026]));
    let cn_mining = summary["headline"]["2024"]["china_share"]["mining"]
        .as_f64()
        .unwrap();
    // USGS's 2024 world (384,000 t) plus Laos (6,541 t, mined for China
    // and not in USGS's table; mines.csv `la_ionic_clay`).
    assert!(
        (cn_mining - 270_000.0 / 390_541.0).abs() < 0.01,
        "{cn_mining}"
    );
    let nd = summary["headline"]["2024"]["price_china_usd_per_kg"]["Nd"]
        .as_f64()
        .unwrap();
    assert!((nd - 56.0).abs() < 5.6);
}

#[test]
fn run_honours_out_and_year_flags() {
    let tmp = tempfile::tempdir().unwrap();
    let out = oreflow(
        &[
            "run", "baseline", "--out", "results", "--from", "2024", "--to", "2025", "--quiet",
        ],
        tmp.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty(), "--quiet prints nothing");
    let (_, rows) = csv_rows(&tmp.path().join("results/prices.csv"));
    let years: std::collections::BTreeSet<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(years.into_iter().collect::<Vec<_>>(), vec!["2024", "2025"]);
}

#[test]
fn bad_input_exits_2_with_a_clear_message() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: [(&str, &[&str]); 4] = [
        ("years_reversed", &["run", "--from", "2030", "--to", "2025"]),
        ("years_too_late", &["run", "--to", "2060"]),
        ("no_such_scenario", &["run", "nowhere"]),
        ("unknown_growth_path", &["run", "--growth", "stepz"]),
    ];
    let mut all = String::new();
    for (name, args) in cases {
        let out = oreflow(args, tmp.path());
        assert_eq!(
            out.status.code(),
            Some(2),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        all.push_str(&format!(
            "$ oreflow {}\n{}\n",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    snapshot("bad_input", &redact(&all, tmp.path()));
}

#[test]
fn a_broken_user_dataset_names_file_line_and_field() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("mydata");
    std::fs::create_dir(&data).unwrap();
    let mines = oreflow_data::embedded_files()
        .into_iter()
        .find(|(n, _)| *n == "mines.csv")
        .unwrap()
        .1;
    std::fs::write(
        data.join("mines.csv"),
        mines.replacen(",AU,mt_weld,", ",Australa,mt_weld,", 1),
    )
    .unwrap();
    let out = oreflow(&["run", "mydata"], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "mines.csv:12: field `region`: unknown region `Australa`; did you mean `Australia`?"
        ),
        "{err}"
    );
}

#[test]
fn data_lists_tables_and_checks_the_embedded_dataset() {
    let tmp = tempfile::tempdir().unwrap();
    let out = oreflow(&["data", "--check"], tmp.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    snapshot("data_check", &String::from_utf8(out.stdout).unwrap());
    let out = oreflow(&["data", "--sources"], tmp.path());
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(
        "[usgs_mcs2026_ree] U.S. Geological Survey, Mineral Commodity Summaries 2026: Rare Earths"
    ));
}

fn scenario(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../scenarios")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn compare_licensing_shows_dearer_heavy_rare_earths_and_a_welfare_loss_outside_china() {
    let tmp = tempfile::tempdir().unwrap();
    let lic = scenario("china-heavy-ree-licensing-2025.toml");
    let out = oreflow(&["compare", &lic, "--to", "2028", "-o", "cmp"], tmp.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dir = tmp.path().join("cmp");
    let (h, rows) = csv_rows(&dir.join("price_changes.csv"));
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    for e in ["Dy", "Tb"] {
        for region in ["JP", "US", "EU", "KR"] {
            let r = rows
                .iter()
                .find(|r| {
                    r[col("year")] == "2026"
                        && r[col("region")] == region
                        && r[col("commodity")] == e
                })
                .unwrap();
            let (a, b): (f64, f64) = (
                r[col("usd_per_kg_a")].parse().unwrap(),
                r[col("usd_per_kg_b")].parse().unwrap(),
            );
            assert!(a > b, "{e} in {region}: {a} vs {b}");
        }
    }
    let (h, rows) = csv_rows(&dir.join("welfare_changes.csv"));
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let outside: f64 = rows
        .iter()
        .filter(|r| r[col("region")] != "CN")
        .map(|r| r[col("surplus_change_usd")].parse::<f64>().unwrap())
        .sum();
    assert!(
        outside < -1e8,
        "welfare change outside China: {outside} USD"
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("Economic effect of A against B"));
}

#[test]
fn validate_accepts_the_shipped_scenarios_and_rejects_a_typo_with_its_place() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .filter(|p| p.ends_with(".toml"))
        .collect();
    files.sort();
    let mut args = vec!["validate"];
    args.extend(files.iter().map(String::as_str));
    let out = oreflow(&args, tmp.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(tmp.path().join("bad.toml"), "name = \"bad\"\n[[export_control]]\norigin = \"Chnia\"\ndestinations = [\"*\"]\nstages = [\"oxide\"]\nfrom = 2025\nkind = \"ban\"\n").unwrap();
    let out = oreflow(&["validate", "bad.toml"], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.toml:3:10: unknown region `Chnia`"),
        "{err}"
    );
    assert!(err.contains("did you mean `China`?"), "{err}");
}

/// `oreflow … | head`: a closed stdout stops the tool quietly, no panic.
#[test]
fn a_closed_stdout_is_not_a_panic() {
    use std::process::Stdio;
    let tmp = tempfile::tempdir().unwrap();
    for args in [&["data", "--sources"][..], &["run", "--to", "2025"]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_oreflow"))
            .args(args)
            .current_dir(tmp.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take()); // the reader goes away before anything is written
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(out.status.success(), "{args:?}: {:?} {err}", out.status);
    }
}
