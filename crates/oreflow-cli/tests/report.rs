//! `oreflow report`: the HTML, its payload and the SVG figures.

mod common;

use std::process::Command;

#[test]
fn report_writes_html_payload_and_figures() {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_oreflow"))
        .args([
            "report",
            "--to",
            "2026",
            "-o",
            "r.html",
            "--figures",
            "figs",
        ])
        .current_dir(tmp.path())
        .output()
        .expect("run oreflow");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = tmp.path().join("r.html");
    let size = std::fs::metadata(&html).expect("r.html").len();
    assert!(size > 10_000 && size < 5_000_000, "{size} bytes");
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(text.starts_with("<!DOCTYPE html>"));
    assert!(text.contains("oreflow report: baseline"));

    let payload: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("r.json")).unwrap())
            .expect("r.json (named after r.html) is JSON");
    assert_eq!(payload["scenario"], "baseline");
    assert_eq!(payload["years"], serde_json::json!([2024, 2025, 2026]));

    let figs: Vec<String> = std::fs::read_dir(tmp.path().join("figs"))
        .expect("figs/")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(figs.len(), 27, "{figs:?}");
    for f in [
        "supply_demand_Nd.svg",
        "price_Dy.svg",
        "hhi_all.svg",
        "china_share_Dy.svg",
        "import_reliance.svg",
        "sankey_2026.svg",
    ] {
        assert!(figs.iter().any(|x| x == f), "{f} missing from {figs:?}");
        let svg = std::fs::read_to_string(tmp.path().join("figs").join(f)).unwrap();
        assert!(svg.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    }
}

fn oreflow(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_oreflow"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run oreflow");
    out
}

fn json(path: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).expect("JSON")
}

/// Numbers equal within a relative `tol`, everything else exactly.
fn same(a: &serde_json::Value, b: &serde_json::Value, tol: f64, path: &str) -> Result<(), String> {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            if (x - y).abs() <= tol * x.abs().max(y.abs()).max(1e-9) {
                Ok(())
            } else {
                Err(format!("{path}: {x} vs {y}"))
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .try_for_each(|(i, (p, q))| same(p, q, tol, &format!("{path}[{i}]"))),
        (Value::Object(x), Value::Object(y)) if x.len() == y.len() => {
            x.iter().try_for_each(|(k, v)| {
                same(
                    v,
                    y.get(k).unwrap_or(&Value::Null),
                    tol,
                    &format!("{path}.{k}"),
                )
            })
        }
        _ if a == b => Ok(()),
        _ => Err(format!("{path}: {a} vs {b}")),
    }
}

/// `report --from OUT_DIR` reads a finished run's CSV files: the same payload
/// as the report that runs the model itself; `--compare` takes an OUT_DIR too.
#[test]
fn report_from_run_outputs_equals_report_from_run() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let ok = |o: std::process::Output| {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    ok(oreflow(d, &["run", "--to", "2026", "-q", "-o", "run"]));
    ok(oreflow(d, &["report", "--to", "2026", "-o", "live/r.html"]));
    ok(oreflow(d, &["report", "--from", "run", "-o", "csv/r.html"]));
    let live = json(&d.join("live/r.json"));
    let csv = json(&d.join("csv/r.json"));
    same(&live, &csv, 1e-6, "payload").unwrap();
    assert_eq!(
        std::fs::read_to_string(d.join("live/r.html")).unwrap(),
        std::fs::read_to_string(d.join("csv/r.html")).unwrap(),
        "same tables, same page"
    );
    // --compare OUT_DIR and --sankey-year.
    ok(oreflow(
        d,
        &[
            "report",
            "--from",
            "run",
            "--compare",
            "run",
            "--sankey-year",
            "2025",
            "-o",
            "cmp/r.html",
        ],
    ));
    let cmp = json(&d.join("cmp/r.json"));
    assert_eq!(cmp["compare"], "baseline");
    same(
        &cmp["elements"]["Nd"]["a"],
        &cmp["elements"]["Nd"]["b"],
        0.0,
        "Nd",
    )
    .unwrap();
    assert_eq!(cmp["sankey"].as_array().unwrap().len(), 1);
    assert_eq!(cmp["sankey"][0]["year"], 2025);
    // Bad input: exit 2.
    for args in [
        &["report", "--from", "nowhere"][..],
        &["report", "--from", "run", "--sankey-year", "2030"],
        &["report", "--from", "run", "--to", "2025"],
    ] {
        let o = oreflow(d, args);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

/// Opens `html_path` in headless Chromium (Debian's `chromium`, installed by
/// `scripts/test.sh`): it must load from disk with no console message (no
/// script error), render, and reference nothing outside the file. Returns
/// the time (browser start, load, render, screenshot) and the screenshot's
/// size; `None` (skipped, with a message) when Chromium is absent outside CI,
/// a failure in CI.
fn open_in_chromium(html_path: &std::path::Path, tmp: &std::path::Path) -> Option<(f64, u64)> {
    let chromium = std::env::var("OREFLOW_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !std::path::Path::new(&chromium).exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "Chromium is required in CI ({chromium} not found)"
        );
        eprintln!("skipped: {chromium} not found (scripts/test.sh installs it)");
        return None;
    }
    let html = std::fs::read_to_string(html_path).unwrap();
    // Offline by construction: nothing to fetch.
    for needle in [
        "<script",
        "<link",
        "@import",
        "url(http",
        "src=\"http",
        "<iframe",
    ] {
        assert!(
            !html.contains(needle),
            "the report must not contain `{needle}`"
        );
    }
    let shot = tmp.join("shot.png");
    let started = std::time::Instant::now();
    let run = Command::new("timeout")
        .arg("120")
        .arg(&chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1400,3000",
        ])
        .arg(format!("--user-data-dir={}", tmp.join("profile").display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", html_path.display()))
        .output()
        .expect("run chromium");
    let seconds = started.elapsed().as_secs_f64();
    let log = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "chromium failed:\n{log}");
    let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(
        console.is_empty(),
        "console messages:\n{}",
        console.join("\n")
    );
    let png = std::fs::metadata(&shot).expect("screenshot").len();
    assert!(png > 20_000, "screenshot of {png} bytes looks empty");
    Some((seconds, png))
}

#[test]
fn report_opens_in_headless_chromium_offline_without_console_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_oreflow"))
        .args(["report", "--to", "2026", "-o", "r.html"])
        .current_dir(tmp.path())
        .output()
        .expect("run oreflow");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    if let Some((seconds, png)) = open_in_chromium(&tmp.path().join("r.html"), tmp.path()) {
        eprintln!("chromium rendered the report in {seconds:.2} s (incl. browser start); screenshot {png} bytes");
    }
}

/// The report of an ensemble: fan charts, shortfall probabilities and
/// events from the ensemble's summary files (numbers equal, checked in the
/// report crate), a run overlaid, under 5 MB, and it opens in Chromium.
#[test]
fn ensemble_report_opens_in_headless_chromium() {
    let tmp = tempfile::tempdir().unwrap();
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ensemble-small.toml");
    let oreflow = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_oreflow"))
            .args(args)
            .current_dir(tmp.path())
            .output()
            .expect("run oreflow");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    };
    oreflow(&[
        "ensemble",
        fixture.to_str().unwrap(),
        "-n",
        "10",
        "-q",
        "-o",
        "e",
    ]);
    oreflow(&[
        "report",
        "--from",
        "e",
        "--compare",
        "baseline",
        "--figures",
        "figs",
    ]);
    let html_path = tmp.path().join("e/report.html");
    let html = std::fs::read_to_string(&html_path).unwrap();
    assert!(html.len() < 5 << 20, "{} bytes", html.len());
    for needle in [
        "Price of Dy oxide in China",
        "P5–P95",
        "Probability of a Dy oxide shortfall",
        "dashed: baseline",
        "CN licenses Dy",
    ] {
        assert!(
            html.contains(needle),
            "no `{needle}` in the ensemble report"
        );
    }
    let payload: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("e/report.json")).unwrap())
            .unwrap();
    assert_eq!(payload["runs"], 10);
    assert!(payload["goods"]["Dy"]["compare_price_cn"].is_array());
    assert!(tmp.path().join("figs/ens_price_Dy.svg").is_file());
    // A shard alone has no summary: an input error that says what to do.
    oreflow(&[
        "ensemble",
        fixture.to_str().unwrap(),
        "-n",
        "4",
        "--shard",
        "1/2",
        "-q",
        "-o",
        "s1",
    ]);
    let out = Command::new(env!("CARGO_BIN_EXE_oreflow"))
        .args(["report", "--from", "s1"])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("merge the shards first"));
    if let Some((seconds, png)) = open_in_chromium(&html_path, tmp.path()) {
        eprintln!("chromium rendered the ensemble report ({} kB) in {seconds:.2} s; screenshot {png} bytes", html.len() / 1024);
    }
}

/// A damaged output folder (tables emptied, a stage missing) is an error
/// naming the file, or a report without that stage — never a panic.
#[test]
fn report_from_a_damaged_output_folder_errors_or_degrades_without_panicking() {
    let tmp = tempfile::tempdir().unwrap();
    let oreflow = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_oreflow"))
            .args(args)
            .current_dir(tmp.path())
            .output()
            .expect("run oreflow")
    };
    assert!(oreflow(&["run", "--to", "2025", "-q", "-o", "run"])
        .status
        .success());
    let dir = tmp.path().join("run");
    // Header-only production.csv: the folder no longer matches its manifest.
    let production = std::fs::read_to_string(dir.join("production.csv")).unwrap();
    std::fs::write(
        dir.join("production.csv"),
        production.lines().next().unwrap(),
    )
    .unwrap();
    let out = oreflow(&["report", "--from", "run", "-o", "r.html"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("production.csv: has 41 bytes, not "),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // With the manifest made to match: refused for its content.
    common::forge(&dir, "production.csv", production.lines().next().unwrap());
    let out = oreflow(&["report", "--from", "run", "-o", "r.html"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("production.csv: has a header but no rows")
    );
    // Restore it and drop the magnet stage from shares.csv: the report still renders.
    common::forge(&dir, "production.csv", &production);
    let shares = std::fs::read_to_string(dir.join("shares.csv")).unwrap();
    let kept: Vec<&str> = shares
        .lines()
        .filter(|l| !l.contains(",magnet,all,"))
        .collect();
    common::forge(&dir, "shares.csv", &(kept.join("\n") + "\n"));
    let out = oreflow(&["report", "--from", "run", "-o", "r.html"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
