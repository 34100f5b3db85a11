//! A self-contained HTML report of a run (and optionally a comparison run):
//! inline SVG charts generated here, each with a data table, a headline
//! panel and the data sources. No scripts, no fonts, no network references
//! (the sources' URLs are printed as text in the footer).
//!
//! Architecture invariant: no IO and no printing; [`render`] returns the HTML,
//! the standalone SVG figures and the payload (the numbers behind every chart).

mod backtest;
mod data;
mod ensemble;
mod svg;

use std::collections::BTreeMap;
use std::fmt::Write;

use oreflow_core::{Element, Stage, Year};
use oreflow_sim::{Model, RunResult};
use serde_json::{json, Value};

pub use backtest::{render_backtest, BacktestCheck, BacktestSeries};
pub use data::{flows, Flows, RunTables, SourceRef};
use data::{ElementSeries, StageSeries, KEY, RELIANCE_COLUMNS, SHARE_ELEMENTS};
pub use ensemble::{render_ensemble, EnsembleTables, ProbabilityRow, StatRow};
use svg::{esc, num, pct, Line, LineChart, Marker};

/// The rendered report.
#[derive(Clone, Debug)]
pub struct Report {
    /// The self-contained HTML page.
    pub html: String,
    /// Standalone SVG figures: (file name, SVG document).
    pub figures: Vec<(String, String)>,
    /// The numbers drawn in every chart, by chart.
    pub payload: Value,
}

/// One chart with its data table.
struct Figure {
    /// File stem and HTML id.
    id: String,
    svg: String,
    caption: String,
    table: String,
}

const SUPPLY: &str = "#1f5fa8";
const DEMAND: &str = "#c25400";
const PRICE: &str = "#2a7d2e";
const SHORTFALL: &str = "#555555";
const CONSUMED: &str = "#8a2f6e";
const STAGE_COLORS: [&str; 3] = ["#6b4c9a", "#1f5fa8", "#c25400"];
const STAGE_MARKERS: [Marker; 3] = [Marker::Circle, Marker::Square, Marker::Triangle];

fn stage_label(s: Stage) -> &'static str {
    match s {
        Stage::Mining => "mining",
        Stage::Separation => "separation",
        Stage::Magnet => "magnets",
    }
}

/// An HTML table: a header row and rows of cells (already formatted).
fn table(caption: &str, header: &[String], rows: &[Vec<String>]) -> String {
    let mut o = format!("<table><caption>{}</caption><thead><tr>", esc(caption));
    for h in header {
        let _ = write!(o, "<th scope=\"col\">{}</th>", esc(h));
    }
    o.push_str("</tr></thead><tbody>");
    for r in rows {
        o.push_str("<tr>");
        for (i, c) in r.iter().enumerate() {
            if i == 0 {
                let _ = write!(o, "<th scope=\"row\">{}</th>", esc(c));
            } else {
                let _ = write!(o, "<td>{}</td>", esc(c));
            }
        }
        o.push_str("</tr>");
    }
    o.push_str("</tbody></table>");
    o
}

fn cell(v: Option<f64>, f: fn(f64) -> String) -> String {
    v.map(f).unwrap_or_else(|| "–".into())
}

fn opt_json(v: &[Option<f64>]) -> Value {
    Value::Array(
        v.iter()
            .map(|x| x.map(Value::from).unwrap_or(Value::Null))
            .collect(),
    )
}

/// Options of the report.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Years of the Sankey diagrams; empty: the first and the last year.
    pub sankey_years: Vec<Year>,
}

/// Renders the report of `run` (scenario `name`), with `compare` overlaid as
/// scenario B when given. Same as [`render_tables`] on the run's metric tables.
pub fn render(
    name: &str,
    model: &Model,
    run: &RunResult,
    compare: Option<(&str, &Model, &RunResult)>,
) -> Report {
    let a = RunTables::from_run(name, model, run);
    let b = compare.map(|(n, m, r)| RunTables::from_run(n, m, r));
    render_tables(&a, b.as_ref(), &Options::default())
}

/// Renders the report of the tables `ta` (scenario A), with `tb` overlaid as
/// scenario B when given.
pub fn render_tables(ta: &RunTables, tb: Option<&RunTables>, opts: &Options) -> Report {
    let name = ta.scenario.as_str();
    let bname = tb.map(|t| t.scenario.as_str());
    let years = ta.years.clone();
    let subtitle = match bname {
        Some(b) => format!("A = {name} (solid) · B = {b} (dashed)"),
        None => format!("scenario {name}"),
    };
    let tag = |s: &str, b: bool| -> String {
        match (bname.is_some(), b) {
            (false, _) => s.to_string(),
            (true, false) => format!("{s}, A"),
            (true, true) => format!("{s}, B"),
        }
    };
    let mut figures: Vec<Figure> = Vec::new();

    // Time series per element.
    let ea = data::element_series(ta, &years);
    let eb = tb.map(|t| data::element_series(t, &years));
    let mut p_elements = serde_json::Map::new();
    for e in KEY {
        let a = &ea[&e];
        let b: Option<&ElementSeries> = eb.as_ref().map(|m| &m[&e]);
        let mut lines = Vec::new();
        for (s, dashed) in std::iter::once((a, false)).chain(b.map(|b| (b, true))) {
            for (label, values, color, marker) in [
                ("supply", &s.supply, SUPPLY, Marker::Circle),
                ("demand", &s.demand, DEMAND, Marker::Square),
                ("consumption", &s.consumed, CONSUMED, Marker::Diamond),
                ("shortfall", &s.shortfall, SHORTFALL, Marker::Triangle),
            ] {
                lines.push(Line {
                    label: tag(label, dashed),
                    values: values.clone(),
                    dashed,
                    color,
                    marker,
                });
            }
        }
        let title = format!(
            "{} ({}): supply, baseline demand, consumption and shortfall",
            e.name(),
            e.symbol()
        );
        let svg = svg::line_chart(&LineChart {
            title: &title,
            subtitle: &subtitle,
            y_unit: "t REO per year",
            years: &years,
            bands: &[],
            lines: &lines,
            y_range: None,
            percent: false,
        });
        let mut header = vec!["year".to_string()];
        header.extend(lines.iter().map(|l| format!("{} (t REO)", l.label)));
        let rows: Vec<Vec<String>> = years
            .iter()
            .enumerate()
            .map(|(i, y)| {
                let mut r = vec![y.to_string()];
                r.extend(lines.iter().map(|l| cell(l.values[i], num)));
                r
            })
            .collect();
        figures.push(Figure {
            id: format!("supply_demand_{}", e.symbol()),
            svg,
            caption: format!(
                "{} supply: separated oxide including the heavy by-product of light plants (production.csv); demand: baseline at the reference price; consumption: equilibrium consumption; shortfall: demand not met (consumption.csv, all regions and end uses, magnet content by recipe). Consumption above supply is met by recycling or stocks; below it, the rest is stocked or disposed of.",
                e.symbol()
            ),
            table: table(&title, &header, &rows),
        });

        let mut plines = vec![Line {
            label: tag(&format!("{} oxide", e.symbol()), false),
            values: a.price_cn.clone(),
            dashed: false,
            color: PRICE,
            marker: Marker::Circle,
        }];
        if let Some(b) = b {
            plines.push(Line {
                label: tag(&format!("{} oxide", e.symbol()), true),
                values: b.price_cn.clone(),
                dashed: true,
                color: PRICE,
                marker: Marker::Circle,
            });
        }
        let ptitle = format!("{} ({}) oxide price in China", e.name(), e.symbol());
        let svg = svg::line_chart(&LineChart {
            title: &ptitle,
            subtitle: &subtitle,
            y_unit: "USD/kg oxide",
            years: &years,
            bands: &[],
            lines: &plines,
            y_range: None,
            percent: false,
        });
        let mut header = vec!["year".to_string()];
        header.extend(plines.iter().map(|l| format!("{} (USD/kg)", l.label)));
        let rows: Vec<Vec<String>> = years
            .iter()
            .enumerate()
            .map(|(i, y)| {
                let mut r = vec![y.to_string()];
                r.extend(plines.iter().map(|l| cell(l.values[i], num)));
                r
            })
            .collect();
        figures.push(Figure {
            id: format!("price_{}", e.symbol()),
            svg,
            caption: format!(
                "Price of {} oxide in China: the dual of China's {} balance (FOB China at calibration).",
                e.symbol(),
                e.symbol()
            ),
            table: table(&ptitle, &header, &rows),
        });

        let series = |s: &ElementSeries| {
            json!({
                "supply_t": opt_json(&s.supply),
                "demand_t": opt_json(&s.demand),
                "consumed_t": opt_json(&s.consumed),
                "shortfall_t": opt_json(&s.shortfall),
                "price_cn_usd_per_kg": opt_json(&s.price_cn),
            })
        };
        p_elements.insert(
            e.symbol().to_string(),
            json!({ "a": series(a), "b": b.map(series) }),
        );
    }

    // Market shares and HHI per stage and element.
    let mut p_shares = serde_json::Map::new();
    let mut sa_all = BTreeMap::new();
    let mut sb_all = None;
    for el in SHARE_ELEMENTS {
        let sa = data::stage_series(ta, &years, el);
        let sb = tb.map(|t| data::stage_series(t, &years, el));
        let what = match el {
            "all" => "all rare earths (magnets: t magnet)".to_string(),
            "magnet_ree" => "magnet rare earths Nd+Pr+Dy+Tb".to_string(),
            s => format!("{s} oxide"),
        };
        for (metric, title, unit) in [
            (
                "china_share",
                format!("China's share of output by stage: {what}"),
                "share of world output",
            ),
            (
                "hhi",
                format!("Concentration by stage (HHI): {what}"),
                "HHI (0–10,000)",
            ),
        ] {
            let pick = |s: &StageSeries| {
                if metric == "hhi" {
                    s.hhi.clone()
                } else {
                    s.china_share.clone()
                }
            };
            let mut lines = Vec::new();
            for (k, stage) in Stage::ALL.into_iter().enumerate() {
                let Some(st) = sa.get(&stage) else { continue };
                lines.push(Line {
                    label: tag(stage_label(stage), false),
                    values: pick(st),
                    dashed: false,
                    color: STAGE_COLORS[k],
                    marker: STAGE_MARKERS[k],
                });
                if let Some(st) = sb.as_ref().and_then(|m| m.get(&stage)) {
                    lines.push(Line {
                        label: tag(stage_label(stage), true),
                        values: pick(st),
                        dashed: true,
                        color: STAGE_COLORS[k],
                        marker: STAGE_MARKERS[k],
                    });
                }
            }
            let percent = metric == "china_share";
            let svg = svg::line_chart(&LineChart {
                title: &title,
                subtitle: &subtitle,
                y_unit: unit,
                years: &years,
                bands: &[],
                lines: &lines,
                y_range: Some(if percent { (0.0, 1.0) } else { (0.0, 10_000.0) }),
                percent,
            });
            let f: fn(f64) -> String = if percent { pct } else { |x| format!("{x:.0}") };
            let mut header = vec!["year".to_string()];
            header.extend(lines.iter().map(|l| l.label.clone()));
            let rows: Vec<Vec<String>> = years
                .iter()
                .enumerate()
                .map(|(i, y)| {
                    let mut r = vec![y.to_string()];
                    r.extend(lines.iter().map(|l| cell(l.values[i], f)));
                    r
                })
                .collect();
            let caption = match el {
                "all" => "Mining and separation: all rare-earth oxides (t REO, separation including heavy by-product); magnets: t of NdFeB magnet. HHI above 2,500 is a highly concentrated market (US merger guidelines).".to_string(),
                "magnet_ree" => "Nd+Pr+Dy+Tb content (t REO), the IEA's basis for magnet rare earths; separation includes heavy by-product. Magnet making has no per-element split.".to_string(),
                s => format!("{s} content of mine output and separated {s} oxide (t REO, separation including heavy by-product). Magnet making has no per-element split."),
            };
            figures.push(Figure {
                id: format!("{metric}_{el}"),
                svg,
                caption,
                table: table(&title, &header, &rows),
            });
        }
        let mut p_el = serde_json::Map::new();
        for (stage, st) in &sa {
            let s = |x: &StageSeries| json!({ "china_share": opt_json(&x.china_share), "hhi": opt_json(&x.hhi), "top3_share": opt_json(&x.top3_share) });
            p_el.insert(
                stage.as_str().to_string(),
                json!({ "a": s(st), "b": sb.as_ref().and_then(|m| m.get(stage)).map(s) }),
            );
        }
        p_shares.insert(el.to_string(), Value::Object(p_el));
        if el == "all" {
            sa_all = sa;
            sb_all = sb;
        }
    }

    // Import reliance in the last year: one map per scenario.
    let last = *years.last().unwrap_or(&0);
    let first = *years.first().unwrap_or(&0);
    let cols: Vec<String> = RELIANCE_COLUMNS
        .iter()
        .map(|c| {
            if *c == "magnet" {
                "magnets".to_string()
            } else {
                format!("{c} oxide")
            }
        })
        .collect();
    let mut maps = serde_json::Map::new();
    let mut first_map = None;
    for (t, which) in std::iter::once((ta, "a")).chain(tb.map(|t| (t, "b"))) {
        let (regions, grid) = data::reliance_grid(t, last);
        let rtitle = match (bname.is_some(), which) {
            (false, _) => format!("Import reliance by region, {last}"),
            (true, "a") => format!("Import reliance by region, {last}: A"),
            _ => format!("Import reliance by region, {last}: B"),
        };
        let svg = svg::heat_map(
            &rtitle,
            &format!("scenario {}", t.scenario),
            &regions,
            &cols,
            &grid,
            "net imports / apparent consumption, %",
            "red: net importer (100% = all imported); blue: net exporter (negative); – : no use",
        );
        let mut header = vec!["region".to_string()];
        header.extend(cols.iter().map(|c| format!("{c} (%)")));
        let rows: Vec<Vec<String>> = regions
            .iter()
            .zip(&grid)
            .map(|(r, v)| {
                let mut row = vec![r.clone()];
                row.extend(v.iter().map(|x| cell(*x, pct)));
                row
            })
            .collect();
        figures.push(Figure {
            id: if which == "a" {
                "import_reliance".into()
            } else {
                "import_reliance_b".into()
            },
            svg,
            caption: format!(
                "{}(imports − exports) / apparent consumption; production counts separated output, heavy by-product and recycling; magnet content counts as a use of oxide.",
                if bname.is_some() {
                    format!("Scenario {} ({}). ", which.to_uppercase(), t.scenario)
                } else {
                    String::new()
                }
            ),
            table: table(&rtitle, &header, &rows),
        });
        let values: Vec<Value> = grid.iter().map(|v| opt_json(v)).collect();
        if first_map.is_none() {
            first_map = Some((regions.clone(), values.clone()));
        }
        maps.insert(
            which.to_string(),
            json!({ "scenario": t.scenario, "regions": regions, "import_reliance": values }),
        );
    }
    let (regions, grid_json) = first_map.unwrap_or_default();
    let p_reliance = json!({
        "year": last,
        "columns": RELIANCE_COLUMNS,
        "regions": regions,
        "import_reliance": grid_json,
        "a": maps.get("a"),
        "b": maps.get("b"),
    });

    // Sankey diagrams (default: first and last year).
    let mut sankey_years: Vec<Year> = if opts.sankey_years.is_empty() {
        vec![first, last]
    } else {
        opts.sankey_years.clone()
    };
    sankey_years.retain(|y| years.contains(y));
    sankey_years.sort_unstable();
    sankey_years.dedup();
    let mut p_sankey = Vec::new();
    for y in sankey_years {
        let fl = data::flows(ta, y);
        let (fig, p) = sankey_figure(name, &fl);
        figures.push(fig);
        p_sankey.push(p);
    }

    // Headline.
    let cards = match sb_all {
        Some(sb) => headline_compare(
            &years,
            (ta, tb.expect("a comparison has B's tables")),
            &sa_all,
            Some(&sb),
        ),
        None => headline_single(&years, &ea, &sa_all),
    };

    // Payload.
    let sources: Vec<Value> = ta
        .sources
        .iter()
        .map(|s| json!({"id": s.id, "publication": s.publication, "url": s.url}))
        .collect();
    let payload = json!({
        "scenario": name,
        "compare": bname,
        "oreflow_version": env!("CARGO_PKG_VERSION"),
        "years": years,
        "elements": p_elements,
        "shares": p_shares,
        "import_reliance": p_reliance,
        "sankey": p_sankey,
        "headline": cards.iter().map(Card::json).collect::<Vec<_>>(),
        "sources": sources,
    });

    let html = page(ta, bname, first, last, &cards, &figures);
    Report {
        html,
        figures: standalone(figures),
        payload,
    }
}

/// The figures as standalone SVG files: (file name, document).
fn standalone(figures: Vec<Figure>) -> Vec<(String, String)> {
    figures
        .into_iter()
        .map(|f| {
            (
                format!("{}.svg", f.id),
                format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- written by oreflow -->\n{}\n",
                    f.svg
                        .replacen("<svg ", "<svg xmlns=\"http://www.w3.org/2000/svg\" ", 1)
                ),
            )
        })
        .collect()
}

impl Figure {
    /// The figure in the page: the chart, its caption and its data table.
    fn html(&self) -> String {
        format!(
            "<figure id=\"{}\">{}<div class=\"side\"><figcaption>{}</figcaption><details><summary>Data table</summary>{}</details></div></figure>",
            esc(&self.id),
            self.svg,
            esc(&self.caption),
            self.table
        )
    }
}

const SANKEY_STAGES: [&str; 4] = ["mining", "separation", "magnet", "end_use"];

fn sankey_figure(name: &str, fl: &Flows) -> (Figure, Value) {
    // Nodes per column, largest first: the first column counts what leaves,
    // the last what arrives, the others the larger of the two (what does not
    // go on is used or made elsewhere).
    let n = SANKEY_STAGES.len();
    let mut inflow: Vec<BTreeMap<&str, f64>> = vec![BTreeMap::new(); n];
    let mut outflow: Vec<BTreeMap<&str, f64>> = vec![BTreeMap::new(); n];
    for (s, l) in fl.links.iter().enumerate() {
        for (a, b, t) in l {
            *outflow[s].entry(a.as_str()).or_default() += t;
            *inflow[s + 1].entry(b.as_str()).or_default() += t;
        }
    }
    let mut cols: Vec<Vec<(String, f64)>> = vec![Vec::new(); n];
    for c in 0..n {
        let mut keys: Vec<&str> = inflow[c].keys().chain(outflow[c].keys()).copied().collect();
        keys.sort_unstable();
        keys.dedup();
        for k in keys {
            let v = inflow[c]
                .get(k)
                .copied()
                .unwrap_or(0.0)
                .max(outflow[c].get(k).copied().unwrap_or(0.0));
            cols[c].push((k.to_string(), v));
        }
        cols[c].sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
    }
    let pos = |c: usize, r: &str| cols[c].iter().position(|n| n.0 == r).unwrap_or(0);
    let mut links = Vec::new();
    for (stage, l) in fl.links.iter().enumerate() {
        for (a, b, t) in l {
            links.push((stage, pos(stage, a), pos(stage + 1, b), *t));
        }
    }
    let title = format!("Flows of magnet rare earths (Nd+Pr+Dy+Tb), {}", fl.year);
    let unit = "t REO of Nd+Pr+Dy+Tb";
    let svg = svg::sankey(
        &title,
        &format!("scenario {name}"),
        &[
            "mine region",
            "separation region",
            "magnet region",
            "end use",
        ],
        &cols,
        &links,
        unit,
    );
    let mut rows = Vec::new();
    for (stage, l) in fl.links.iter().enumerate() {
        for (a, b, t) in l {
            rows.push(vec![
                format!("{} {a}", SANKEY_STAGES[stage]),
                format!("{} {b}", SANKEY_STAGES[stage + 1]),
                num(*t),
            ]);
        }
    }
    let payload = json!({
        "year": fl.year,
        "unit": unit,
        "nodes": cols.iter().enumerate().flat_map(|(c, col)| col.iter().map(move |n| json!({"stage": SANKEY_STAGES[c], "name": n.0, "tonnes": n.1}))).collect::<Vec<_>>(),
        "links": fl.links.iter().enumerate().flat_map(|(s, l)| l.iter().map(move |(a, b, t)| json!({"from_stage": SANKEY_STAGES[s], "from": a, "to_stage": SANKEY_STAGES[s + 1], "to": b, "tonnes": t}))).collect::<Vec<_>>(),
    });
    (
        Figure {
            id: format!("sankey_{}", fl.year),
            svg,
            caption: "All flows in t REO of Nd+Pr+Dy+Tb (magnets counted by their content at the year's recipe, not in t magnet). Mine → separation: content of the concentrate; exports carry the exporting region's average mix. Separation → magnet: oxide used by magnet plants, attributed to the regions supplying the magnet region (own output and imports) in proportion to their supply. Magnet region → end use: content of the magnets consumed per end use, attributed to the makers supplying the consuming region in proportion — the model does not trace the origin of each tonne. Middle nodes show the larger of inflow and outflow; the rest of the oxide goes to other uses.".into(),
            table: table(
                &title,
                &["from".into(), "to".into(), unit.to_string()],
                &rows,
            ),
        },
        payload,
    )
}

/// A headline number.
struct Card {
    label: String,
    /// The region the number is about (`CN` for China's shares), if one.
    region: Option<String>,
    /// Relative change A against B in [−1, 1] (comparisons; the order of the
    /// headline), `(a − b) / max(|a|, |b|)`.
    change: Option<f64>,
    unit: &'static str,
    value: f64,
    /// Value in scenario B, when comparing.
    b: Option<f64>,
    /// Context (years, first-year value, …).
    note: String,
    fmt: fn(f64) -> String,
}

impl Card {
    fn json(&self) -> Value {
        json!({"label": self.label, "region": self.region, "change": self.change, "unit": self.unit, "value": self.value, "b": self.b, "note": self.note})
    }

    fn html(&self) -> String {
        let main = match self.b {
            Some(b) => format!(
                "{} <span class=\"vs\">vs {}</span>",
                (self.fmt)(self.value),
                (self.fmt)(b)
            ),
            None => (self.fmt)(self.value),
        };
        format!(
            "<div class=\"card\"><div class=\"label\">{}</div><div class=\"value\">{main} <span class=\"unit\">{}</span></div><div class=\"note\">{}</div></div>",
            esc(&self.label),
            esc(self.unit),
            esc(&self.note)
        )
    }
}

fn signed_pct(x: f64) -> String {
    if x >= 0.0 {
        format!("+{:.0}%", 100.0 * x)
    } else {
        format!("−{:.0}%", -100.0 * x)
    }
}

/// A signed number with a typographic minus.
fn signed(x: f64, digits: usize) -> String {
    let s = format!("{:.*}", digits, x.abs());
    if x < 0.0 && s.chars().any(|c| c != '0' && c != '.') {
        format!("−{s}")
    } else {
        format!("+{s}")
    }
}

fn last_some(v: &[Option<f64>]) -> Option<f64> {
    v.iter().rev().find_map(|x| *x)
}

fn first_some(v: &[Option<f64>]) -> Option<f64> {
    v.iter().find_map(|x| *x)
}

/// Without a comparison: China's share of separation and of magnet making,
/// the Dy and Tb price change first → last year, the largest shortfall.
fn headline_single(
    years: &[Year],
    ea: &BTreeMap<Element, ElementSeries>,
    sa: &BTreeMap<Stage, StageSeries>,
) -> Vec<Card> {
    let (y0, y1) = (*years.first().unwrap_or(&0), *years.last().unwrap_or(&0));
    let mut cards = Vec::new();
    for stage in [Stage::Separation, Stage::Magnet] {
        // A stage with no rows in shares.csv has no series: no card.
        let Some(s) = sa.get(&stage).map(|x| &x.china_share) else {
            continue;
        };
        cards.push(Card {
            label: format!("China's share of {}, {y1}", stage_label(stage)),
            region: Some("CN".into()),
            change: None,
            unit: "",
            value: last_some(s).unwrap_or(0.0),
            b: None,
            note: format!("{y0}: {}", cell(first_some(s), pct)),
            fmt: pct,
        });
    }
    for e in [Element::Dy, Element::Tb] {
        let p = &ea[&e].price_cn;
        let (a, b) = (first_some(p), last_some(p));
        if let (Some(a), Some(b)) = (a, b) {
            cards.push(Card {
                label: format!("{} oxide price in China, {y0} → {y1}", e.symbol()),
                region: Some("CN".into()),
                change: None,
                unit: "",
                value: if a > 0.0 { b / a - 1.0 } else { 0.0 },
                b: None,
                note: format!("{} → {} USD/kg", num(a), num(b)),
                fmt: signed_pct,
            });
        }
    }
    let mut worst: Option<(Element, usize, f64, f64)> = None;
    for e in KEY {
        let s = &ea[&e];
        for (i, v) in s.shortfall.iter().enumerate() {
            if let Some(v) = v {
                if worst.is_none_or(|w| *v > w.2) {
                    worst = Some((e, i, *v, s.demand[i].unwrap_or(0.0)));
                }
            }
        }
    }
    if let Some((e, i, v, d)) = worst {
        cards.push(Card {
            label: format!("Largest shortfall: {} in {}", e.symbol(), years[i]),
            region: None,
            change: None,
            unit: "t REO",
            value: v,
            b: None,
            note: if d > 0.0 {
                format!("{} of baseline demand", pct(v / d))
            } else {
                String::new()
            },
            fmt: num,
        });
    }
    cards
}

/// The relative change of `a` against `b` in [−1, 1]: `(a − b) / max(|a|, |b|)`.
fn rel_change(a: f64, b: f64) -> f64 {
    let m = a.abs().max(b.abs());
    if m <= 1e-9 {
        0.0
    } else {
        (a - b) / m
    }
}

/// "in China" for CN, "in JP" otherwise.
fn in_region(r: &str) -> String {
    if r == "CN" {
        "in China".into()
    } else {
        format!("in {r}")
    }
}

/// With a comparison: the five numbers that changed most (relative change),
/// where they changed. Candidates: each priced good's price in each region
/// in the year of its largest change, each key element's shortfall per
/// region over the horizon, China's share and the HHI of each stage in the
/// last year. One card per kind of number and good (the region and year
/// where it changed most), so a Chinese export control shows dearer oxides
/// in the importing regions, not only China's prices.
fn headline_compare(
    years: &[Year],
    (ta, tb): (&RunTables, &RunTables),
    sa: &BTreeMap<Stage, StageSeries>,
    sb: Option<&BTreeMap<Stage, StageSeries>>,
) -> Vec<Card> {
    let Some(sb) = sb else {
        return Vec::new();
    };
    let y0 = *years.first().unwrap_or(&0);
    let y1 = *years.last().unwrap_or(&0);
    // (family, candidate): the best candidate of each family is kept.
    let mut c: Vec<(String, Card)> = Vec::new();
    for stage in Stage::ALL {
        let (Some(a), Some(b)) = (sa.get(&stage), sb.get(&stage)) else {
            continue;
        };
        if let (Some(x), Some(y)) = (last_some(&a.china_share), last_some(&b.china_share)) {
            c.push((
                format!("share {stage:?}"),
                Card {
                    label: format!("China's share of {}, {y1}", stage_label(stage)),
                    region: Some("CN".into()),
                    change: Some(rel_change(x, y)),
                    unit: "",
                    value: x,
                    b: Some(y),
                    note: format!("change {} points", signed(100.0 * (x - y), 1)),
                    fmt: pct,
                },
            ));
        }
        if let (Some(x), Some(y)) = (last_some(&a.hhi), last_some(&b.hhi)) {
            c.push((
                format!("hhi {stage:?}"),
                Card {
                    label: format!("HHI of {}, {y1}", stage_label(stage)),
                    region: None,
                    change: Some(rel_change(x, y)),
                    unit: "",
                    value: x,
                    b: Some(y),
                    note: format!("change {}", signed(x - y, 0)),
                    fmt: |x| format!("{x:.0}"),
                },
            ));
        }
    }
    // Prices per good, region and year.
    let price = |t: &RunTables| -> BTreeMap<(String, String, Year), f64> {
        t.prices
            .iter()
            .map(|p| {
                (
                    (p.commodity.clone(), p.region.clone(), p.year),
                    p.usd_per_kg,
                )
            })
            .collect()
    };
    let (pa, pb) = (price(ta), price(tb));
    let goods: Vec<String> = KEY
        .iter()
        .map(|e| e.symbol().to_string())
        .chain(std::iter::once("magnet".to_string()))
        .collect();
    // Prices where the good is used: at least 2 % of the world's baseline
    // demand for it that year (a region using almost none can show a large
    // but meaningless shadow price).
    let mut use_r: BTreeMap<(String, String, Year), f64> = BTreeMap::new();
    let mut use_w: BTreeMap<(String, Year), f64> = BTreeMap::new();
    for r in &ta.consumption {
        *use_r
            .entry((r.element.clone(), r.region.clone(), r.year))
            .or_insert(0.0) += r.demand_t;
        *use_w.entry((r.element.clone(), r.year)).or_insert(0.0) += r.demand_t;
    }
    for ((good, region, year), &x) in &pa {
        if !goods.contains(good) {
            continue;
        }
        let here = use_r
            .get(&(good.clone(), region.clone(), *year))
            .copied()
            .unwrap_or(0.0);
        let world = use_w.get(&(good.clone(), *year)).copied().unwrap_or(0.0);
        if world <= 0.0 || here < 0.02 * world {
            continue;
        }
        let Some(&y) = pb.get(&(good.clone(), region.clone(), *year)) else {
            continue;
        };
        let what = if good == "magnet" {
            "magnet".to_string()
        } else {
            format!("{good} oxide")
        };
        c.push((
            format!("price {good}"),
            Card {
                label: format!("{what} price {}, {year}", in_region(region)),
                region: Some(region.clone()),
                change: Some(rel_change(x, y)),
                unit: "USD/kg",
                value: x,
                b: Some(y),
                note: String::new(),
                fmt: num,
            },
        ));
    }
    // Shortfalls per element and region over the horizon, as shares of the
    // region's baseline demand (tonnes alone would rank a few tonnes in a
    // small market first).
    let short = |t: &RunTables| -> BTreeMap<(String, String), (f64, f64)> {
        let mut m = BTreeMap::new();
        for r in &t.consumption {
            let v = m
                .entry((r.element.clone(), r.region.clone()))
                .or_insert((0.0, 0.0));
            v.0 += r.shortfall_t;
            v.1 += r.demand_t;
        }
        m
    };
    let (sha, shb) = (short(ta), short(tb));
    for e in KEY {
        let regions: std::collections::BTreeSet<&String> = sha
            .keys()
            .chain(shb.keys())
            .filter(|k| k.0 == e.symbol())
            .map(|k| &k.1)
            .collect();
        for region in regions {
            let k = (e.symbol().to_string(), region.clone());
            let (ta_, da) = sha.get(&k).copied().unwrap_or((0.0, 0.0));
            let (tb_, db) = shb.get(&k).copied().unwrap_or((0.0, 0.0));
            let share = |t: f64, d: f64| if d > 0.0 { t / d } else { 0.0 };
            let (x, y) = (share(ta_, da), share(tb_, db));
            // Under a tonne, or under 0.5 % of demand: not a headline.
            if ta_.max(tb_) < 1.0 || x.max(y) < 0.005 {
                continue;
            }
            c.push((
                format!("shortfall {}", e.symbol()),
                Card {
                    label: format!(
                        "{} shortfall {}, {y0}–{y1}, share of demand",
                        e.symbol(),
                        in_region(region)
                    ),
                    region: Some(region.clone()),
                    change: Some(rel_change(x, y)),
                    unit: "",
                    value: x,
                    b: Some(y),
                    note: format!("{} vs {} t REO", num(ta_), num(tb_)),
                    fmt: pct,
                },
            ));
        }
    }
    let size = |k: &Card| k.change.unwrap_or(0.0).abs();
    // Largest first; ties (a candidate equal in both) keep the table order.
    c.sort_by(|x, y| size(&y.1).total_cmp(&size(&x.1)));
    // The best of each family, then a mix of kinds: two prices, two
    // shortfalls and one market-structure number where there are such
    // changes, the rest of the five from whatever changed most.
    let mut seen = std::collections::BTreeSet::new();
    let mut best: Vec<(String, Card)> = Vec::new();
    for (family, card) in c {
        if size(&card) >= 1e-6 && seen.insert(family.clone()) {
            best.push((family, card));
        }
    }
    let kind = |f: &str| f.split(' ').next().unwrap_or("").to_string();
    let quota = |k: &str| match k {
        "price" | "shortfall" => 2,
        _ => 1,
    };
    let mut taken = vec![false; best.len()];
    let mut per_kind: BTreeMap<String, usize> = BTreeMap::new();
    for (i, (f, _)) in best.iter().enumerate() {
        let k = match kind(f).as_str() {
            "share" | "hhi" => "structure".to_string(),
            other => other.to_string(),
        };
        let n = per_kind.entry(k.clone()).or_insert(0);
        if *n < quota(&k) && taken.iter().filter(|t| **t).count() < 5 {
            *n += 1;
            taken[i] = true;
        }
    }
    let mut n_taken = taken.iter().filter(|t| **t).count();
    for t in taken.iter_mut() {
        if n_taken >= 5 {
            break;
        }
        if !*t {
            *t = true;
            n_taken += 1;
        }
    }
    let mut out: Vec<Card> = best
        .into_iter()
        .zip(taken)
        .filter(|(_, t)| *t)
        .map(|((_, c), _)| c)
        .collect();
    out.sort_by(|x, y| size(y).total_cmp(&size(x)));
    for k in &mut out {
        let b = k.b.unwrap_or(0.0);
        if k.note.is_empty() && b.abs() > 1e-9 {
            k.note = format!("change {}", signed_pct(k.value / b - 1.0));
        }
    }
    out
}

const CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;margin:0 auto;max-width:1320px;padding:16px 24px;color:#1a1a1a;background:#fff}\
h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.25em;margin:1.6em 0 .4em;border-bottom:1px solid #ccc;padding-bottom:.2em}\
.sub{color:#444;margin:0 0 1em}\
.cards{display:flex;flex-wrap:wrap;gap:12px}.card{flex:1 1 220px;border:1px solid #bbb;border-radius:6px;padding:10px 12px}\
.card .label{font-size:.9em;color:#333}.card .value{font-size:1.6em;font-weight:600;margin:.2em 0}.card .vs{font-size:.6em;font-weight:400;color:#444}.card .unit{font-size:.55em;font-weight:400;color:#444}.card .note{font-size:.8em;color:#555}\
figure{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start;margin:16px 0;padding:8px 0;border-top:1px solid #eee}\
figure svg{max-width:100%;height:auto;flex:0 1 auto}figure .side{flex:1 1 320px;min-width:280px}\
figcaption{font-size:.9em;color:#333;margin-bottom:.5em}details summary{cursor:pointer;color:#1f4f8a}\
table{border-collapse:collapse;font-size:.82em;margin:.4em 0}caption{text-align:left;font-weight:600;padding:.2em 0}\
th,td{border:1px solid #ddd;padding:2px 6px;text-align:right}th[scope=row]{text-align:left}thead th{background:#f4f4f4}\
footer{margin-top:2em;border-top:1px solid #ccc;font-size:.85em;color:#333}footer td{text-align:left;vertical-align:top}\
@media print{details{display:block}}";

fn page(
    ta: &RunTables,
    compare: Option<&str>,
    first: Year,
    last: Year,
    cards: &[Card],
    figures: &[Figure],
) -> String {
    let name = ta.scenario.as_str();
    let mut o = String::new();
    let title = match compare {
        Some(b) => format!("oreflow report: {name} compared with {b}"),
        None => format!("oreflow report: {name}"),
    };
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"generator\" content=\"oreflow\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{}</title><style>{CSS}</style></head><body>\n<header><h1>{}</h1><p class=\"sub\">{first}–{last} · growth path {} · oreflow {}{}</p></header>\n",
        esc(&title),
        esc(&title),
        esc(&ta.growth_path),
        env!("CARGO_PKG_VERSION"),
        match compare {
            Some(b) => format!(" · A = {} (solid lines), B = {} (dashed lines)", esc(name), esc(b)),
            None => String::new(),
        }
    );
    let _ = writeln!(
        o,
        "<section><h2>Headline</h2><div class=\"cards\">{}</div></section>",
        cards.iter().map(Card::html).collect::<String>()
    );
    // Sections and the id prefixes of their figures.
    let sections: [(&str, &[&str]); 4] = [
        (
            "Supply, demand and price by element",
            &["supply_demand_", "price_"],
        ),
        ("Market concentration", &["china_share", "hhi"]),
        ("Import reliance", &["import_reliance"]),
        ("Flows from mine to magnet", &["sankey_"]),
    ];
    for (heading, prefixes) in sections {
        let _ = writeln!(o, "<section><h2>{}</h2>", esc(heading));
        for f in figures
            .iter()
            .filter(|f| prefixes.iter().any(|p| f.id.starts_with(p)))
        {
            let _ = writeln!(o, "{}", f.html());
        }
        o.push_str("</section>\n");
    }
    let _ = write!(
        o,
        "<footer><p>Scenario {}{} · oreflow {} · {first}–{last}. Numbers in report.json; the same figures as the run's CSV outputs.</p>",
        esc(name),
        compare
            .map(|b| format!(" compared with {}", esc(b)))
            .unwrap_or_default(),
        env!("CARGO_PKG_VERSION")
    );
    o.push_str(&sources_table(&ta.sources));
    o.push_str("</footer>\n</body></html>\n");
    o
}

/// The footer's table of data sources.
fn sources_table(sources: &[SourceRef]) -> String {
    let mut o = String::from(
        "<h2>Data sources</h2><table><thead><tr><th>id</th><th>publication</th><th>URL</th></tr></thead><tbody>",
    );
    for s in sources {
        let _ = write!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&s.id),
            esc(&s.publication),
            esc(&s.url)
        );
    }
    o.push_str("</tbody></table>");
    o
}

#[cfg(test)]
mod tests;
