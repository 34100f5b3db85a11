//! `oreflow report`: the HTML, its payload and the SVG figures.

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
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("report.json")).unwrap())
            .expect("report.json is JSON");
    assert_eq!(payload["scenario"], "baseline");
    assert_eq!(payload["years"], serde_json::json!([2024, 2025, 2026]));

    let figs: Vec<String> = std::fs::read_dir(tmp.path().join("figs"))
        .expect("figs/")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(figs.len(), 17, "{figs:?}");
    for f in [
        "supply_demand_Nd.svg",
        "price_Dy.svg",
        "hhi.svg",
        "import_reliance.svg",
        "sankey_2026.svg",
    ] {
        assert!(figs.iter().any(|x| x == f), "{f} missing from {figs:?}");
        let svg = std::fs::read_to_string(tmp.path().join("figs").join(f)).unwrap();
        assert!(svg.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    }
}
