//! The back-test page: the model's annual prices against observed prices,
//! per case, element and basis (inside and outside China), with the
//! acceptance checks (`oreflow backtest`; docs/backtest.md).

use std::fmt::Write as _;

use oreflow_core::Year;

use crate::svg::{esc, line_chart, num, Band, Line, LineChart, Marker};
use crate::CSS;

/// One price series of a case: model and observation by year.
#[derive(Clone, Debug, PartialEq)]
pub struct BacktestSeries {
    pub case: String,
    /// Element symbol or `magnet`.
    pub element: String,
    /// `china`, `outside` or `ratio`.
    pub basis: String,
    pub years: Vec<Year>,
    pub model: Vec<Option<f64>>,
    pub observed: Vec<Option<f64>>,
    pub observed_low: Vec<Option<f64>>,
    pub observed_high: Vec<Option<f64>>,
}

/// One acceptance check, as words.
#[derive(Clone, Debug, PartialEq)]
pub struct BacktestCheck {
    pub case: String,
    pub element: String,
    pub check: String,
    pub model: String,
    pub observed: String,
    pub pass: bool,
}

/// The self-contained HTML page (inline SVG, no scripts).
pub fn render_backtest(series: &[BacktestSeries], checks: &[BacktestCheck]) -> String {
    let mut o = String::new();
    let title = "oreflow back-test: model against observed prices";
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{t}</title><style>{CSS}</style></head><body>\n<header><h1>{t}</h1><p class=\"sub\">annual prices; outside China = mean of JP, EU, US; observed: published annual averages or annual estimates derived from quarters and points (shaded: their range) · oreflow {}</p></header>\n",
        env!("CARGO_PKG_VERSION"),
        t = esc(title)
    );
    let mut cases: Vec<&str> = series.iter().map(|s| s.case.as_str()).collect();
    cases.dedup();
    for case in cases {
        let _ = writeln!(o, "<section><h2>{}</h2>", esc(case));
        let mine: Vec<&BacktestCheck> = checks.iter().filter(|c| c.case == case).collect();
        if !mine.is_empty() {
            let _ = write!(
                o,
                "<table><thead><tr><th>element</th><th>check</th><th>model</th><th>observed</th><th>holds</th></tr></thead><tbody>"
            );
            for c in mine {
                let _ = write!(
                    o,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(&c.element),
                    esc(&c.check),
                    esc(&c.model),
                    esc(&c.observed),
                    if c.pass { "yes" } else { "no" }
                );
            }
            let _ = writeln!(o, "</tbody></table>");
        }
        let mut elements: Vec<&str> = series
            .iter()
            .filter(|s| s.case == case && s.observed.iter().any(Option::is_some))
            .map(|s| s.element.as_str())
            .collect();
        elements.dedup();
        for el in elements {
            let of = |b: &str| {
                series
                    .iter()
                    .find(|s| s.case == case && s.element == el && s.basis == b)
            };
            let mut lines = Vec::new();
            let mut bands = Vec::new();
            let mut years: Vec<Year> = Vec::new();
            let colors = [
                ("outside", "#b2182b", Marker::Circle),
                ("china", "#2166ac", Marker::Square),
                ("ratio", "#5e3c99", Marker::Diamond),
            ];
            for (b, color, marker) in colors {
                let Some(s) = of(b) else { continue };
                years.clone_from(&s.years);
                lines.push(Line {
                    label: format!("model, {b}"),
                    values: s.model.clone(),
                    dashed: false,
                    color,
                    marker,
                });
                if s.observed.iter().any(Option::is_some) {
                    lines.push(Line {
                        label: format!("observed, {b}"),
                        values: s.observed.clone(),
                        dashed: true,
                        color,
                        marker,
                    });
                    bands.push(Band {
                        label: String::new(),
                        lo: s.observed_low.clone(),
                        hi: s.observed_high.clone(),
                        color,
                    });
                }
            }
            let unit = if el == "magnet" {
                "ratio outside / China"
            } else {
                "USD/kg oxide"
            };
            let chart_title = format!("{el}: model and observed");
            let _ = writeln!(
                o,
                "<figure>{}</figure>",
                line_chart(&LineChart {
                    title: &chart_title,
                    subtitle: case,
                    y_unit: unit,
                    years: &years,
                    lines: &lines,
                    bands: &bands,
                    y_range: None,
                    percent: false,
                })
            );
            // The numbers behind the chart.
            let _ = write!(o, "<table><thead><tr><th>year</th>");
            for l in &lines {
                let _ = write!(o, "<th>{}</th>", esc(&l.label));
            }
            let _ = write!(o, "</tr></thead><tbody>");
            for (i, y) in years.iter().enumerate() {
                let _ = write!(o, "<tr><td>{y}</td>");
                for l in &lines {
                    let v = l
                        .values
                        .get(i)
                        .copied()
                        .flatten()
                        .map(num)
                        .unwrap_or_else(|| "–".into());
                    let _ = write!(o, "<td>{v}</td>");
                }
                let _ = write!(o, "</tr>");
            }
            let _ = writeln!(o, "</tbody></table>");
        }
        let _ = writeln!(o, "</section>");
    }
    o.push_str("</body></html>\n");
    o
}
