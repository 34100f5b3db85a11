//! The report of the baseline run to 2026: self-contained, a table per chart,
//! and payload numbers equal to the metric tables (the run's CSV rows).

use std::sync::OnceLock;

use oreflow_core::Stage;
use oreflow_lp::HighsBackend;
use oreflow_sim::{run, Model, RunConfig, RunResult};
use serde_json::Value;

use super::*;

fn baseline() -> &'static (Model, RunResult) {
    static B: OnceLock<(Model, RunResult)> = OnceLock::new();
    B.get_or_init(|| {
        let ds = oreflow_data::embedded().unwrap_or_else(|e| panic!("{e}"));
        let model = Model::new(
            ds,
            RunConfig {
                to: 2026,
                ..Default::default()
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let r = run(&model, &HighsBackend::default(), |_| {}).unwrap_or_else(|e| panic!("{e}"));
        (model, r)
    })
}

fn report() -> &'static Report {
    static R: OnceLock<Report> = OnceLock::new();
    R.get_or_init(|| {
        let (m, r) = baseline();
        render("baseline", m, r, None)
    })
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

fn f(v: &Value) -> Option<f64> {
    v.as_f64()
}

#[test]
fn html_is_self_contained() {
    let html = &report().html;
    let footer = html.find("<footer>").expect("a footer");
    let body = &html[..footer];
    for bad in [
        "http://", "https://", "<script", "<link", "@import", "url(", "src=",
    ] {
        assert!(!body.contains(bad), "{bad} outside the sources footer");
    }
    let foot = &html[footer..];
    assert!(!foot.contains("href="), "source URLs are text, not links");
    assert!(!foot.contains("<script"));
    assert!(foot.contains(env!("CARGO_PKG_VERSION")));
    assert!(foot.contains("baseline"));
    let (m, _) = baseline();
    for s in &m.dataset.sources {
        assert!(foot.contains(&svg::esc(&s.id)), "source {} missing", s.id);
    }
}

#[test]
fn every_chart_has_a_title_units_and_a_table() {
    let html = &report().html;
    let n_svg = html.matches("<svg ").count();
    let n_fig = html.matches("<figure").count();
    assert_eq!(n_svg, n_fig);
    // 6 elements × 2, shares and HHI × 6 elements, import reliance, 2 Sankeys.
    assert_eq!(n_fig, 6 * 2 + 6 * 2 + 1 + 2);
    for fig in html.split("<figure").skip(1) {
        let fig = &fig[..fig.find("</figure>").expect("closed figure")];
        assert!(fig.contains("<title>"), "figure without title");
        assert!(fig.contains("<table>"), "figure without data table");
        assert!(fig.contains("<details>"));
        assert!(fig.contains("baseline"), "figure without scenario name");
    }
    assert_eq!(report().figures.len(), n_fig);
    for (name, svg) in &report().figures {
        assert!(name.ends_with(".svg"));
        assert!(svg.contains("xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.trim_end().ends_with("</svg>"));
    }
    let headline = report().payload["headline"].as_array().unwrap();
    assert_eq!(headline.len(), 5);
}

#[test]
fn element_series_equal_the_metric_tables() {
    let (m, r) = baseline();
    let p = &report().payload;
    let years: Vec<i32> = r.years.iter().map(|y| y.solution.year).collect();
    assert_eq!(years, vec![2024, 2025, 2026]);
    let production = oreflow_metrics::production(m, r);
    let consumption = oreflow_metrics::consumption(m, r);
    let prices = oreflow_metrics::prices(m, r);
    for e in data::KEY {
        let s = &p["elements"][e.symbol()]["a"];
        for (i, &y) in years.iter().enumerate() {
            let separated: f64 = production
                .iter()
                .filter(|x| x.year == y && x.stage == Stage::Separation && x.element == e.symbol())
                .map(|x| x.tonnes)
                .sum();
            let supply = f(&s["supply_t"][i]).unwrap();
            assert!(close(supply, separated), "{e} {y} supply");
            let consumed: f64 = consumption
                .iter()
                .filter(|x| x.year == y && x.element == e.symbol())
                .map(|x| x.consumed_t)
                .sum();
            assert!(close(f(&s["consumed_t"][i]).unwrap(), consumed));
            let demand: f64 = consumption
                .iter()
                .filter(|x| x.year == y && x.element == e.symbol())
                .map(|x| x.demand_t)
                .sum();
            assert!(
                close(f(&s["demand_t"][i]).unwrap(), demand),
                "{e} {y} demand"
            );
            let short: f64 = consumption
                .iter()
                .filter(|x| x.year == y && x.element == e.symbol())
                .map(|x| x.shortfall_t)
                .sum();
            assert!(close(f(&s["shortfall_t"][i]).unwrap(), short));
            let price = prices
                .iter()
                .find(|x| x.year == y && x.region == "CN" && x.commodity == e.symbol())
                .map(|x| x.usd_per_kg);
            assert_eq!(f(&s["price_cn_usd_per_kg"][i]), price, "{e} {y} price");
            assert!(price.is_some());
        }
        assert!(p["elements"][e.symbol()]["b"].is_null());
    }
}

#[test]
fn shares_reliance_and_flows_equal_the_metric_tables() {
    let (m, r) = baseline();
    let p = &report().payload;
    let shares = oreflow_metrics::shares(m, r);
    for el in data::SHARE_ELEMENTS {
        for stage in Stage::ALL {
            let s = &p["shares"][el][stage.as_str()]["a"];
            if stage == Stage::Magnet && el != "all" {
                assert!(s.is_null(), "{el} {stage}");
                continue;
            }
            for (i, y) in [2024, 2025, 2026].into_iter().enumerate() {
                let cn = shares
                    .iter()
                    .find(|x| {
                        x.year == y && x.stage == stage && x.element == el && x.region == "CN"
                    })
                    .unwrap();
                assert_eq!(f(&s["china_share"][i]), Some(cn.share), "{el} {stage}");
                assert_eq!(f(&s["hhi"][i]), Some(cn.hhi));
                assert_eq!(f(&s["top3_share"][i]), Some(cn.top3_share));
            }
        }
    }
    let rel = oreflow_metrics::import_reliance(m, r);
    let pr = &p["import_reliance"];
    assert_eq!(pr["year"], 2026);
    let regions = pr["regions"].as_array().unwrap();
    assert!(!regions.is_empty());
    let mut cells = 0;
    for (i, region) in regions.iter().enumerate() {
        for (j, col) in data::RELIANCE_COLUMNS.iter().enumerate() {
            let want = rel
                .iter()
                .find(|x| {
                    x.year == 2026
                        && x.region == region.as_str().unwrap()
                        && x.element == *col
                        && x.stage == if *col == "magnet" { "magnet" } else { "oxide" }
                })
                .map(|x| x.import_reliance);
            assert_eq!(f(&pr["import_reliance"][i][j]), want, "{region} {col}");
            cells += usize::from(want.is_some());
        }
    }
    // Every value of the table for those columns is shown.
    let all = rel
        .iter()
        .filter(|x| {
            x.year == 2026
                && (x.stage == "magnet"
                    || data::RELIANCE_COLUMNS[..4].contains(&x.element.as_str()))
        })
        .count();
    assert_eq!(cells, all);

    // Sankey: mine → separation carries all Nd+Pr+Dy+Tb mined (production.csv).
    let production = oreflow_metrics::production(m, r);
    let sankeys = p["sankey"].as_array().unwrap();
    assert_eq!(sankeys.len(), 2);
    for s in sankeys {
        let y = s["year"].as_i64().unwrap() as i32;
        let mined: f64 = production
            .iter()
            .filter(|x| {
                x.year == y
                    && x.stage == Stage::Mining
                    && ["Nd", "Pr", "Dy", "Tb"].contains(&x.element.as_str())
            })
            .map(|x| x.tonnes)
            .sum();
        let links: f64 = s["links"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["from_stage"] == "mining")
            .map(|l| l["tonnes"].as_f64().unwrap())
            .sum();
        assert!(
            (links - mined).abs() <= 1e-3 * mined,
            "{y}: {links} vs {mined}"
        );
        // Oxide to magnet plants: at most the magnet content of magnets made.
        let made: f64 = production
            .iter()
            .filter(|x| x.year == y && x.stage == Stage::Magnet)
            .map(|x| x.tonnes)
            .sum();
        let recipe = r
            .years
            .iter()
            .find(|x| x.solution.year == y)
            .unwrap()
            .solution
            .recipe;
        let content: f64 = oreflow_core::Element::MAGNET
            .iter()
            .map(|e| recipe[e.index()] * made)
            .sum();
        let to_magnets: f64 = s["links"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["to_stage"] == "magnet")
            .map(|l| l["tonnes"].as_f64().unwrap())
            .sum();
        assert!(to_magnets <= content * (1.0 + 1e-6) + 1e-3);
        assert!(
            to_magnets >= 0.9 * content,
            "{y}: {to_magnets} vs {content}"
        );
        // Magnet region → end use: the Nd+Pr+Dy+Tb content of magnets consumed.
        let consumption = oreflow_metrics::consumption(m, r);
        let magnet_uses: Vec<(&str, &str)> = consumption
            .iter()
            .filter(|x| x.year == y && x.element == "magnet")
            .map(|x| (x.region.as_str(), x.end_use.as_str()))
            .collect();
        let consumed: f64 = consumption
            .iter()
            .filter(|x| {
                x.year == y
                    && ["Nd", "Pr", "Dy", "Tb"].contains(&x.element.as_str())
                    && magnet_uses.contains(&(x.region.as_str(), x.end_use.as_str()))
            })
            .map(|x| x.consumed_t)
            .sum();
        let to_end_uses: f64 = s["links"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["to_stage"] == "end_use")
            .map(|l| l["tonnes"].as_f64().unwrap())
            .sum();
        assert!(
            (to_end_uses - consumed).abs() <= 1e-6 * consumed.max(1.0),
            "{y}: {to_end_uses} vs {consumed}"
        );
        assert!(s["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["stage"] == "end_use"));
    }
}

#[test]
fn sankey_years_can_be_chosen() {
    let (m, r) = baseline();
    let t = RunTables::from_run("baseline", m, r);
    let rep = render_tables(
        &t,
        None,
        &Options {
            sankey_years: vec![2025, 2031],
        },
    );
    let years: Vec<i64> = rep.payload["sankey"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["year"].as_i64().unwrap())
        .collect();
    assert_eq!(years, vec![2025], "years outside the run are left out");
    assert!(rep.figures.iter().any(|f| f.0 == "sankey_2025.svg"));
}

/// Numbers equal within a relative `tol`; other values equal exactly.
/// Returns the path of the first difference.
fn same(a: &Value, b: &Value, tol: f64, path: &str) -> Result<(), String> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            if (x - y).abs() <= tol * x.abs().max(y.abs()) || (x - y).abs() <= 1e-12 {
                Ok(())
            } else {
                Err(format!("{path}: {x} vs {y}"))
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                return Err(format!("{path}: {} vs {} items", x.len(), y.len()));
            }
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                same(p, q, tol, &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        (Value::Object(x), Value::Object(y)) => {
            let kx: Vec<&String> = x.keys().collect();
            let ky: Vec<&String> = y.keys().collect();
            if kx != ky {
                return Err(format!("{path}: keys {kx:?} vs {ky:?}"));
            }
            for (k, v) in x {
                same(v, &y[k], tol, &format!("{path}.{k}"))?;
            }
            Ok(())
        }
        _ if a == b => Ok(()),
        _ => Err(format!("{path}: {a} vs {b}")),
    }
}

/// The payload of the baseline 2024–2026 against the stored snapshot
/// (numbers to a relative 1e-9; the version is not compared). `BLESS=1`
/// rewrites the snapshot.
#[test]
fn payload_snapshot_baseline_2024_2026() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots/payload_baseline_2024_2026.json");
    let mut got = report().payload.clone();
    got["oreflow_version"] = Value::Null;
    if std::env::var_os("BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, serde_json::to_string_pretty(&got).unwrap() + "\n").unwrap();
        return;
    }
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with BLESS=1 to write the snapshot",
            path.display()
        )
    });
    let want: Value = serde_json::from_str(&text).unwrap();
    if let Err(d) = same(&got, &want, 1e-9, "payload") {
        panic!(
            "payload differs from {} at {d}; if the change is intended, rerun with BLESS=1",
            path.display()
        );
    }
}

#[test]
fn comparison_overlays_and_ranks_changes() {
    let (m, r) = baseline();
    let rep = render("baseline", m, r, Some(("baseline-again", m, r)));
    assert!(rep.html.contains("stroke-dasharray"));
    assert!(rep.html.contains("baseline-again"));
    assert!(rep.payload["elements"]["Nd"]["b"]["supply_t"].is_array());
    assert_eq!(rep.payload["compare"], "baseline-again");
    // Same run: nothing changed, five cards all the same on both sides.
    for c in rep.payload["headline"].as_array().unwrap() {
        assert_eq!(c["value"], c["b"]);
    }
}

/// The ensemble fixture: the summary files of an 8-run ensemble of
/// `crates/oreflow-cli/tests/fixtures/ensemble-small.toml` (2024–2027; Dy,
/// Tb and magnets).
fn ensemble_fixture() -> EnsembleTables {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ensemble");
    EnsembleTables::from_csv(|f| std::fs::read_to_string(dir.join(f)).ok())
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn ensemble_charts_draw_the_numbers_of_the_summary_files() {
    let e = ensemble_fixture();
    let rep = render_ensemble(&e, None);
    let p = &rep.payload;
    assert_eq!(p["kind"], "ensemble");
    let years = e.years.clone();
    let mut checked = 0;
    for good in ["Dy", "Tb", "magnet"] {
        for (key, metric, region) in [
            ("price_cn", "price_usd_per_kg", "CN"),
            ("shortfall_share_world", "shortfall_share", "world"),
        ] {
            let fan = &p["goods"][good][key];
            for (i, y) in years.iter().enumerate() {
                let row = e
                    .stats
                    .iter()
                    .find(|s| {
                        s.year == *y && s.metric == metric && s.good == good && s.region == region
                    })
                    .unwrap_or_else(|| panic!("{good} {metric} {y}"));
                for (q, v) in [("p5", row.p5), ("p50", row.p50), ("p95", row.p95)] {
                    assert_eq!(fan[q][i].as_f64(), Some(v), "{good} {key} {q} {y}");
                    checked += 1;
                }
            }
        }
        let grid = &p["goods"][good]["shortfall_probability"];
        let t = e.thresholds[0];
        for (k, region) in grid["regions"].as_array().unwrap().iter().enumerate() {
            for (i, y) in years.iter().enumerate() {
                let want = e
                    .probabilities
                    .iter()
                    .find(|r| {
                        r.year == *y
                            && r.good == good
                            && r.region == region.as_str().unwrap()
                            && r.threshold == t
                    })
                    .map(|r| r.probability);
                assert_eq!(grid["values"][k][i].as_f64(), want, "{good} {region} {y}");
                checked += 1;
            }
        }
    }
    for (y, name, share) in &e.event_probabilities {
        let i = years.iter().position(|x| x == y).unwrap();
        assert_eq!(p["event_probability"][name][i].as_f64(), Some(*share));
        checked += 1;
    }
    assert!(checked > 100, "{checked}");
    // Every chart has its table, the fans a hatched band with a direct label.
    assert!(rep.html.contains("P5–P95") && rep.html.contains("<pattern"));
    assert_eq!(
        rep.html.matches("<figure").count(),
        rep.html.matches("<table><caption>").count()
    );
    for needle in ["<script", "<link", "@import", "src=\"http"] {
        assert!(!rep.html.contains(needle), "{needle}");
    }
    assert!(rep.figures.iter().any(|(f, _)| f == "ens_price_Dy.svg"));
}

#[test]
fn ensemble_payload_snapshot() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots/payload_ensemble_small.json");
    let mut got = render_ensemble(&ensemble_fixture(), None).payload;
    got["oreflow_version"] = Value::Null;
    got["ensemble_oreflow_version"] = Value::Null;
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&path, serde_json::to_string_pretty(&got).unwrap() + "\n").unwrap();
        return;
    }
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run with BLESS=1", path.display()));
    let want: Value = serde_json::from_str(&text).unwrap();
    if let Err(d) = same(&got, &want, 1e-12, "payload") {
        panic!("ensemble payload differs at {d}; BLESS=1 if intended");
    }
}

#[test]
fn a_damaged_ensemble_folder_is_an_error_naming_the_file() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ensemble");
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).ok();
    let e =
        EnsembleTables::from_csv(|f| if f == "summary.json" { None } else { read(f) }).unwrap_err();
    assert!(e.contains("summary.json: missing"), "{e}");
    let e = EnsembleTables::from_csv(|f| {
        if f == "summary.csv" {
            read(f).map(|t| t.replacen("p50", "median", 1))
        } else {
            read(f)
        }
    })
    .unwrap_err();
    assert!(e.contains("summary.csv: columns are"), "{e}");
    let e = EnsembleTables::from_csv(|f| {
        if f == "shortfall_probability.csv" {
            read(f).map(|t| {
                let mut lines: Vec<String> = t.lines().map(String::from).collect();
                lines[3] = lines[3].replace(',', ",x");
                lines.join("\n")
            })
        } else {
            read(f)
        }
    })
    .unwrap_err();
    assert!(e.starts_with("shortfall_probability.csv: line 4"), "{e}");
}
