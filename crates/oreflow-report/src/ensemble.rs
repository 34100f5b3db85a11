//! The report of an ensemble (`oreflow ensemble` output folder): fan charts
//! — the P5–P95 band and the P50 line of each metric per year — for prices in
//! China and world shortfalls per good and for concentration per stage; heat
//! maps of the probability that a region's shortfall exceeds a threshold;
//! how often each event is in force; a headline panel. A deterministic run
//! can be overlaid (dashed). Every number comes from the ensemble's
//! `summary.csv`, `shortfall_probability.csv` and `events.csv` (and the
//! comparison's metric tables), and is in the payload.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use oreflow_core::Year;
use serde_json::{json, Value};

use crate::data::RunTables;
use crate::svg::{self, esc, num, pct, Band, Line, LineChart, Marker};
use crate::{table, Card, Figure, Report, SourceRef, CSS};

/// One row of `summary.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct StatRow {
    pub year: Year,
    pub metric: String,
    pub good: String,
    pub region: String,
    pub stage: String,
    pub unit: String,
    pub runs: u64,
    pub mean: f64,
    pub p5: f64,
    pub p50: f64,
    pub p95: f64,
}

/// One row of `shortfall_probability.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct ProbabilityRow {
    pub year: Year,
    pub good: String,
    pub region: String,
    pub threshold: f64,
    pub probability: f64,
}

/// What the report draws from an ensemble's output folder.
#[derive(Clone, Debug, PartialEq)]
pub struct EnsembleTables {
    pub scenario: String,
    pub oreflow_version: String,
    pub fingerprint: String,
    pub seed: u64,
    pub runs: u64,
    pub runs_failed: u64,
    pub years: Vec<Year>,
    pub thresholds: Vec<f64>,
    pub parameters: Vec<String>,
    pub events: Vec<String>,
    pub stats: Vec<StatRow>,
    pub probabilities: Vec<ProbabilityRow>,
    /// (year, event, share of runs in force).
    pub event_probabilities: Vec<(Year, String, f64)>,
    /// Sources of the dataset (footer; the folder does not name them).
    pub sources: Vec<SourceRef>,
}

fn rows(text: &str, file: &str, header: &[&str]) -> Result<Vec<csv::StringRecord>, String> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let h = r.headers().map_err(|e| format!("{file}: {e}"))?.clone();
    if h.iter().collect::<Vec<_>>() != header {
        return Err(format!(
            "{file}: columns are {:?}, expected {:?} (an ensemble folder of another oreflow version?)",
            h.iter().collect::<Vec<_>>(),
            header
        ));
    }
    let mut out = Vec::new();
    for (i, rec) in r.records().enumerate() {
        out.push(rec.map_err(|e| format!("{file}: line {}: {e}", i + 2))?);
    }
    if out.is_empty() {
        return Err(format!("{file}: no rows"));
    }
    Ok(out)
}

fn field<T: std::str::FromStr>(
    rec: &csv::StringRecord,
    i: usize,
    file: &str,
    line: usize,
) -> Result<T, String> {
    rec.get(i)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("{file}: line {line}: field {} is not a number", i + 1))
}

impl EnsembleTables {
    /// Reads the summary files of an ensemble folder; `read(file)` returns a
    /// file's text or `None` when it is missing.
    pub fn from_csv(read: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let text = |f: &str| read(f).ok_or_else(|| format!("{f}: missing"));
        let s: Value = serde_json::from_str(&text("summary.json")?)
            .map_err(|e| format!("summary.json: {e}"))?;
        let strings = |k: &str| -> Vec<String> {
            s[k].as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default()
        };
        let years: Vec<Year> = match s["years"].as_array().map(|a| a.as_slice()) {
            Some([a, b]) => match (a.as_i64(), b.as_i64()) {
                (Some(a), Some(b)) if a <= b => (a as Year..=b as Year).collect(),
                _ => return Err("summary.json: `years` is not [first, last]".into()),
            },
            _ => return Err("summary.json: no `years` (is this an ensemble folder?)".into()),
        };
        let f = "summary.csv";
        let mut stats = Vec::new();
        for (i, r) in rows(
            &text(f)?,
            f,
            &[
                "year", "metric", "good", "region", "stage", "unit", "runs", "mean", "min", "p5",
                "p50", "p95", "max",
            ],
        )?
        .iter()
        .enumerate()
        {
            let line = i + 2;
            stats.push(StatRow {
                year: field(r, 0, f, line)?,
                metric: r[1].to_string(),
                good: r[2].to_string(),
                region: r[3].to_string(),
                stage: r[4].to_string(),
                unit: r[5].to_string(),
                runs: field(r, 6, f, line)?,
                mean: field(r, 7, f, line)?,
                p5: field(r, 9, f, line)?,
                p50: field(r, 10, f, line)?,
                p95: field(r, 11, f, line)?,
            });
        }
        let f = "shortfall_probability.csv";
        let mut probabilities = Vec::new();
        for (i, r) in rows(
            &text(f)?,
            f,
            &["year", "good", "region", "threshold", "runs", "probability"],
        )?
        .iter()
        .enumerate()
        {
            let line = i + 2;
            probabilities.push(ProbabilityRow {
                year: field(r, 0, f, line)?,
                good: r[1].to_string(),
                region: r[2].to_string(),
                threshold: field(r, 3, f, line)?,
                probability: field(r, 5, f, line)?,
            });
        }
        let f = "events.csv";
        let events_text = text(f)?;
        let mut event_probabilities = Vec::new();
        let mut r = csv::Reader::from_reader(events_text.as_bytes());
        for (i, rec) in r.records().enumerate() {
            let rec = rec.map_err(|e| format!("{f}: line {}: {e}", i + 2))?;
            event_probabilities.push((
                field(&rec, 0, f, i + 2)?,
                rec.get(1).unwrap_or_default().to_string(),
                field(&rec, 3, f, i + 2)?,
            ));
        }
        Ok(EnsembleTables {
            scenario: s["scenario"].as_str().unwrap_or("ensemble").to_string(),
            oreflow_version: s["oreflow_version"].as_str().unwrap_or("").to_string(),
            fingerprint: s["fingerprint"].as_str().unwrap_or("").to_string(),
            seed: s["seed"].as_u64().unwrap_or(0),
            runs: s["runs"].as_u64().unwrap_or(0),
            runs_failed: s["runs_failed"].as_u64().unwrap_or(0),
            years,
            thresholds: s["shortfall_thresholds"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_f64).collect())
                .unwrap_or_default(),
            parameters: strings("parameters"),
            events: strings("events"),
            stats,
            probabilities,
            event_probabilities,
            sources: Vec::new(),
        })
    }

    /// P5, P50, P95 of one metric per year (None where the summary has no row).
    fn fan(&self, metric: &str, good: &str, region: &str, stage: &str) -> Fan {
        let mut f = Fan::new(self.years.len());
        for s in self.stats.iter().filter(|s| {
            s.metric == metric && s.good == good && s.region == region && s.stage == stage
        }) {
            if let Some(i) = self.years.iter().position(|&y| y == s.year) {
                f.p5[i] = Some(s.p5);
                f.p50[i] = Some(s.p50);
                f.p95[i] = Some(s.p95);
                f.unit.clone_from(&s.unit);
            }
        }
        f
    }

    /// Goods of the summary, in a reader's order.
    fn goods(&self) -> Vec<String> {
        let present: BTreeSet<&str> = self.stats.iter().map(|s| s.good.as_str()).collect();
        let order = ["Nd", "Pr", "Dy", "Tb", "La", "Ce", "magnet"];
        let mut out: Vec<String> = order
            .iter()
            .filter(|g| present.contains(**g))
            .map(|g| g.to_string())
            .collect();
        for g in present {
            if g != "all" && !out.iter().any(|x| x == g) {
                out.push(g.to_string());
            }
        }
        out
    }
}

struct Fan {
    p5: Vec<Option<f64>>,
    p50: Vec<Option<f64>>,
    p95: Vec<Option<f64>>,
    unit: String,
}

impl Fan {
    fn new(n: usize) -> Fan {
        Fan {
            p5: vec![None; n],
            p50: vec![None; n],
            p95: vec![None; n],
            unit: String::new(),
        }
    }

    fn is_empty(&self) -> bool {
        self.p50.iter().all(Option::is_none)
    }

    fn json(&self) -> Value {
        json!({"p5": crate::opt_json(&self.p5), "p50": crate::opt_json(&self.p50), "p95": crate::opt_json(&self.p95), "unit": self.unit})
    }
}

const BAND: &str = "#1f5fa8";
const COMPARE: &str = "#c25400";

/// What a fan chart shows.
struct FanChart<'a> {
    id: String,
    title: String,
    y_unit: &'a str,
    /// Tick labels as percentages.
    percent: bool,
    /// Number format of the data table.
    fmt: fn(f64) -> String,
}

/// A fan chart: the band, the P50 line and, if given, a comparison line.
fn fan_figure(
    spec: FanChart,
    subtitle: &str,
    years: &[Year],
    fan: &Fan,
    compare: Option<(&str, Vec<Option<f64>>)>,
) -> Figure {
    let FanChart {
        id,
        title,
        y_unit,
        percent,
        fmt,
    } = spec;
    let bands = [Band {
        label: "P5–P95".into(),
        lo: fan.p5.clone(),
        hi: fan.p95.clone(),
        color: BAND,
    }];
    let mut lines = vec![Line {
        label: "P50 (median)".into(),
        values: fan.p50.clone(),
        dashed: false,
        color: BAND,
        marker: Marker::Circle,
    }];
    if let Some((name, v)) = &compare {
        lines.push(Line {
            label: (*name).to_string(),
            values: v.clone(),
            dashed: true,
            color: COMPARE,
            marker: Marker::Square,
        });
    }
    let svg = svg::line_chart(&LineChart {
        title: &title,
        subtitle,
        y_unit,
        years,
        lines: &lines,
        bands: &bands,
        y_range: None,
        percent,
    });
    let mut header: Vec<String> = vec!["year".into(), "P5".into(), "P50".into(), "P95".into()];
    if let Some((name, _)) = &compare {
        header.push((*name).to_string());
    }
    let rows: Vec<Vec<String>> = years
        .iter()
        .enumerate()
        .map(|(i, y)| {
            let mut r = vec![
                y.to_string(),
                crate::cell(fan.p5[i], fmt),
                crate::cell(fan.p50[i], fmt),
                crate::cell(fan.p95[i], fmt),
            ];
            if let Some((_, v)) = &compare {
                r.push(crate::cell(v.get(i).copied().flatten(), fmt));
            }
            r
        })
        .collect();
    Figure {
        table: table(&format!("{title} ({y_unit})"), &header, &rows),
        caption: format!(
            "{title}. Band: 5th to 95th percentile of the runs; line: median{}.",
            if compare.is_some() {
                "; dashed: the comparison run"
            } else {
                ""
            }
        ),
        id,
        svg,
    }
}

/// China's price series of `good` in a deterministic run.
fn run_price_cn(t: &RunTables, years: &[Year], good: &str) -> Vec<Option<f64>> {
    years
        .iter()
        .map(|y| {
            t.prices
                .iter()
                .find(|p| p.year == *y && p.region == "CN" && p.commodity == good)
                .map(|p| p.usd_per_kg)
        })
        .collect()
}

/// The world shortfall share of `good` in a deterministic run.
fn run_shortfall_share(t: &RunTables, years: &[Year], good: &str) -> Vec<Option<f64>> {
    years
        .iter()
        .map(|y| {
            let (mut d, mut s) = (0.0, 0.0);
            for c in t
                .consumption
                .iter()
                .filter(|c| c.year == *y && c.element == good)
            {
                d += c.demand_t;
                s += c.shortfall_t;
            }
            (d > 0.0).then(|| s / d)
        })
        .collect()
}

/// Renders the report of the ensemble `e`, with the run `compare` overlaid
/// (dashed) when given.
pub fn render_ensemble(e: &EnsembleTables, compare: Option<&RunTables>) -> Report {
    let years = &e.years;
    let (first, last) = (*years.first().unwrap_or(&0), *years.last().unwrap_or(&0));
    let cname = compare.map(|c| c.scenario.as_str());
    let subtitle = format!(
        "ensemble {} · {} runs · seed {}{}",
        e.scenario,
        e.runs,
        e.seed,
        cname.map(|c| format!(" · dashed: {c}")).unwrap_or_default()
    );
    let mut figures = Vec::new();
    let mut p_goods = serde_json::Map::new();
    for good in e.goods() {
        let is_magnet = good == "magnet";
        let price = e.fan("price_usd_per_kg", &good, "CN", "");
        let short = e.fan("shortfall_share", &good, "world", "");
        let what = if is_magnet {
            "magnets".to_string()
        } else {
            format!("{good} oxide")
        };
        let mut p = serde_json::Map::new();
        if !price.is_empty() {
            let c = compare.map(|t| (t.scenario.as_str(), run_price_cn(t, years, &good)));
            p.insert("price_cn".into(), price.json());
            if let Some((_, v)) = &c {
                p.insert("compare_price_cn".into(), crate::opt_json(v));
            }
            figures.push(fan_figure(
                FanChart {
                    id: format!("ens_price_{good}"),
                    title: format!("Price of {what} in China"),
                    y_unit: if is_magnet {
                        "USD/kg magnet"
                    } else {
                        "USD/kg oxide"
                    },
                    percent: false,
                    fmt: num,
                },
                &subtitle,
                years,
                &price,
                c,
            ));
        }
        if !short.is_empty() {
            let c = compare.map(|t| (t.scenario.as_str(), run_shortfall_share(t, years, &good)));
            p.insert("shortfall_share_world".into(), short.json());
            if let Some((_, v)) = &c {
                p.insert("compare_shortfall_share_world".into(), crate::opt_json(v));
            }
            figures.push(fan_figure(
                FanChart {
                    id: format!("ens_shortfall_{good}"),
                    title: format!("Shortfall of {what}, world, share of demand"),
                    y_unit: "share of baseline demand",
                    percent: true,
                    fmt: pct,
                },
                &subtitle,
                years,
                &short,
                c,
            ));
        }
        // Probability of a shortfall above the first threshold, by region and year.
        if let Some(&t) = e.thresholds.first() {
            let mut by_region: BTreeMap<String, Vec<Option<f64>>> = BTreeMap::new();
            for r in e
                .probabilities
                .iter()
                .filter(|r| r.good == good && r.threshold == t && r.region != "world")
            {
                if let Some(i) = years.iter().position(|&y| y == r.year) {
                    by_region
                        .entry(r.region.clone())
                        .or_insert_with(|| vec![None; years.len()])[i] = Some(r.probability);
                }
            }
            if !by_region.is_empty() {
                let regions: Vec<String> = by_region.keys().cloned().collect();
                let grid: Vec<Vec<Option<f64>>> = by_region.values().cloned().collect();
                let cols: Vec<String> = years.iter().map(|y| y.to_string()).collect();
                let title = format!(
                    "Probability of a {what} shortfall above {} of demand",
                    pct(t)
                );
                let svg = svg::heat_map(
                    &title,
                    &subtitle,
                    &regions,
                    &cols,
                    &grid,
                    "share of runs, %",
                    "red: more likely; – : no demand",
                );
                let mut header = vec!["region".to_string()];
                header.extend(cols.iter().cloned());
                let trows: Vec<Vec<String>> = regions
                    .iter()
                    .zip(&grid)
                    .map(|(r, v)| {
                        std::iter::once(r.clone())
                            .chain(v.iter().map(|x| crate::cell(*x, pct)))
                            .collect()
                    })
                    .collect();
                p.insert(
                    "shortfall_probability".into(),
                    json!({"threshold": t, "regions": regions, "values": grid.iter().map(|v| crate::opt_json(v)).collect::<Vec<_>>()}),
                );
                figures.push(Figure {
                    id: format!("ens_probability_{good}"),
                    table: table(&title, &header, &trows),
                    caption: format!(
                        "{title}: the share of runs in which the region's shortfall of {what} exceeds {} of its baseline demand, by year.",
                        pct(t)
                    ),
                    svg,
                });
            }
        }
        p_goods.insert(good.clone(), Value::Object(p));
    }
    // Concentration.
    let mut p_hhi = serde_json::Map::new();
    for (stage, good, label) in [
        ("mining", "all", "mining, all rare earths"),
        ("separation", "all", "separation, all rare earths"),
        ("magnet", "magnet", "magnet making"),
    ] {
        let fan = e.fan("hhi", good, "", stage);
        if fan.is_empty() {
            continue;
        }
        p_hhi.insert(stage.into(), fan.json());
        figures.push(fan_figure(
            FanChart {
                id: format!("ens_hhi_{stage}"),
                title: format!("Concentration (HHI) of {label}"),
                y_unit: "HHI, 0–10,000",
                percent: false,
                fmt: num,
            },
            &subtitle,
            years,
            &fan,
            None,
        ));
    }
    // Events.
    let mut p_events = serde_json::Map::new();
    if !e.events.is_empty() {
        let markers = [
            Marker::Circle,
            Marker::Square,
            Marker::Triangle,
            Marker::Diamond,
        ];
        let colors = ["#8a2f6e", "#2a7d2e", "#c25400", "#555555"];
        let lines: Vec<Line> = e
            .events
            .iter()
            .enumerate()
            .map(|(k, name)| {
                let values: Vec<Option<f64>> = years
                    .iter()
                    .map(|y| {
                        e.event_probabilities
                            .iter()
                            .find(|(yy, n, _)| yy == y && n == name)
                            .map(|x| x.2)
                    })
                    .collect();
                p_events.insert(name.clone(), crate::opt_json(&values));
                Line {
                    label: name.clone(),
                    values,
                    dashed: false,
                    color: colors[k % colors.len()],
                    marker: markers[k % markers.len()],
                }
            })
            .collect();
        let title = "Disruption events: share of runs in force".to_string();
        let svg = svg::line_chart(&LineChart {
            title: &title,
            subtitle: &subtitle,
            y_unit: "share of runs",
            years,
            lines: &lines,
            bands: &[],
            y_range: Some((0.0, 1.0)),
            percent: true,
        });
        let mut header = vec!["year".to_string()];
        header.extend(e.events.iter().cloned());
        let trows: Vec<Vec<String>> = years
            .iter()
            .enumerate()
            .map(|(i, y)| {
                std::iter::once(y.to_string())
                    .chain(lines.iter().map(|l| crate::cell(l.values[i], pct)))
                    .collect()
            })
            .collect();
        figures.push(Figure {
            id: "ens_events".into(),
            table: table(&title, &header, &trows),
            caption: "How often each disruption event is in force, by year (share of runs).".into(),
            svg,
        });
    }
    let cards = headline(e);
    let payload = json!({
        "kind": "ensemble",
        "scenario": e.scenario,
        "compare": cname,
        "oreflow_version": env!("CARGO_PKG_VERSION"),
        "ensemble_oreflow_version": e.oreflow_version,
        "fingerprint": e.fingerprint,
        "seed": e.seed,
        "runs": e.runs,
        "runs_failed": e.runs_failed,
        "years": years,
        "thresholds": e.thresholds,
        "parameters": e.parameters,
        "events": e.events,
        "goods": Value::Object(p_goods),
        "hhi": Value::Object(p_hhi),
        "event_probability": Value::Object(p_events),
        "headline": cards.iter().map(Card::json).collect::<Vec<_>>(),
    });
    let html = page(e, cname, first, last, &cards, &figures);
    Report {
        html,
        figures: crate::standalone(figures),
        payload,
    }
}

/// The headline: the likeliest regional shortfalls above the first
/// threshold in the last year, the spread of Dy and Tb prices in China in
/// the last year, the world magnet shortfall.
fn headline(e: &EnsembleTables) -> Vec<Card> {
    let last = *e.years.last().unwrap_or(&0);
    let mut cards = Vec::new();
    if let Some(&t) = e.thresholds.first() {
        let mut worst: Vec<&ProbabilityRow> = e
            .probabilities
            .iter()
            .filter(|r| r.year == last && r.threshold == t && r.region != "world")
            .collect();
        worst.sort_by(|a, b| {
            b.probability
                .total_cmp(&a.probability)
                .then(a.good.cmp(&b.good))
                .then(a.region.cmp(&b.region))
        });
        for r in worst.iter().take(2) {
            cards.push(Card {
                region: None,
                change: None,
                label: format!(
                    "Chance of a {} shortfall above {} in {}, {last}",
                    r.good,
                    pct(t),
                    r.region
                ),
                unit: "",
                value: r.probability,
                b: None,
                note: "share of runs".into(),
                fmt: pct,
            });
        }
    }
    for good in ["Dy", "Tb"] {
        if let Some(s) = e.stats.iter().find(|s| {
            s.year == last && s.metric == "price_usd_per_kg" && s.good == good && s.region == "CN"
        }) {
            cards.push(Card {
                region: None,
                change: None,
                label: format!("{good} oxide price in China, {last}: median"),
                unit: "USD/kg",
                value: s.p50,
                b: None,
                note: format!("P5 {} · P95 {}", num(s.p5), num(s.p95)),
                fmt: num,
            });
        }
    }
    if let Some(s) = e.stats.iter().find(|s| {
        s.year == last && s.metric == "shortfall_share" && s.good == "magnet" && s.region == "world"
    }) {
        cards.push(Card {
            region: None,
            change: None,
            label: format!("World magnet shortfall, {last}: P95"),
            unit: "",
            value: s.p95,
            b: None,
            note: format!("median {} of demand", pct(s.p50)),
            fmt: pct,
        });
    }
    cards
}

fn page(
    e: &EnsembleTables,
    compare: Option<&str>,
    first: Year,
    last: Year,
    cards: &[Card],
    figures: &[Figure],
) -> String {
    let mut o = String::new();
    let title = format!("oreflow ensemble report: {}", e.scenario);
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"generator\" content=\"oreflow\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{}</title><style>{CSS}</style></head><body>\n<header><h1>{}</h1><p class=\"sub\">{first}–{last} · {} runs ({} failed, left out) · seed {} · oreflow {}{}</p></header>\n",
        esc(&title),
        esc(&title),
        e.runs,
        e.runs_failed,
        e.seed,
        env!("CARGO_PKG_VERSION"),
        compare
            .map(|c| format!(" · dashed lines: {}", esc(c)))
            .unwrap_or_default()
    );
    let _ = writeln!(
        o,
        "<section><h2>Headline</h2><div class=\"cards\">{}</div></section>",
        cards.iter().map(Card::html).collect::<String>()
    );
    let sections: [(&str, &[&str]); 4] = [
        ("Prices", &["ens_price_"]),
        ("Shortfalls", &["ens_shortfall_", "ens_probability_"]),
        ("Market concentration", &["ens_hhi_"]),
        ("Disruption events", &["ens_events"]),
    ];
    for (heading, prefixes) in sections {
        let mine: Vec<&Figure> = figures
            .iter()
            .filter(|f| prefixes.iter().any(|p| f.id.starts_with(p)))
            .collect();
        if mine.is_empty() {
            continue;
        }
        let _ = writeln!(o, "<section><h2>{}</h2>", esc(heading));
        for f in mine {
            let _ = writeln!(o, "{}", f.html());
        }
        o.push_str("</section>\n");
    }
    let _ = write!(
        o,
        "<footer><p>Ensemble {} (fingerprint {}) · {} runs, seed {} · made with oreflow {} · report by oreflow {} · {first}–{last}. Percentiles are linear between order statistics (type 7); numbers in report.json, the same as the ensemble's summary.csv, shortfall_probability.csv and events.csv.</p>",
        esc(&e.scenario),
        esc(&e.fingerprint),
        e.runs,
        e.seed,
        esc(&e.oreflow_version),
        env!("CARGO_PKG_VERSION")
    );
    let list = |o: &mut String, h: &str, items: &[String]| {
        if !items.is_empty() {
            let _ = write!(o, "<h2>{}</h2><ul>", esc(h));
            for i in items {
                let _ = write!(o, "<li>{}</li>", esc(i));
            }
            o.push_str("</ul>");
        }
    };
    list(&mut o, "Uncertain parameters", &e.parameters);
    list(&mut o, "Disruption events", &e.events);
    o.push_str(&crate::sources_table(&e.sources));
    o.push_str("</footer>\n</body></html>\n");
    o
}
