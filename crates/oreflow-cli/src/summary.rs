//! The terminal report of a run (its summary: `oreflow_metrics::Summary`).

use std::fmt::Write;

use oreflow_core::{Element, Stage, ELEMENTS};
use oreflow_metrics::summary::{balance, china_price};
use oreflow_metrics::{ShareRow, Summary};
use oreflow_sim::{Model, RunResult};

const KEY: [Element; 6] = [
    Element::La,
    Element::Ce,
    Element::Pr,
    Element::Nd,
    Element::Dy,
    Element::Tb,
];

/// The terminal report.
pub(crate) fn render(model: &Model, run: &RunResult, shares: &[ShareRow], sum: &Summary) -> String {
    let mut o = String::new();
    let s0 = &run.years[0].solution;
    let _ = writeln!(
        o,
        "oreflow {} · scenario {} · {}–{} · growth path {} · solver {} · {} LPs ({} years) of {} rows × {} columns in {:.2} s",
        sum.oreflow_version,
        sum.scenario,
        sum.years[0],
        sum.years[1],
        sum.growth_path,
        sum.solver,
        sum.lp["solves"],
        sum.lp["years_solved"],
        s0.lp_rows,
        s0.lp_cols,
        sum.lp["total_seconds"]
    );

    let _ = writeln!(
        o,
        "\nOxide prices in China, USD/kg (magnet: USD/kg of NdFeB magnet)"
    );
    let _ = write!(o, "{:>5}", "year");
    for e in ELEMENTS.iter().filter(|&&e| e != Element::Tm) {
        let _ = write!(o, "{:>8}", e.symbol());
    }
    let _ = writeln!(o, "{:>8}", "magnet");
    let cn = model.network.regions.iter().position(|c| c == "CN");
    for (i, yr) in run.years.iter().enumerate() {
        let _ = write!(o, "{:>5}", yr.solution.year);
        for e in ELEMENTS.iter().copied().filter(|&e| e != Element::Tm) {
            match china_price(model, run, i, e) {
                Some(p) => {
                    let _ = write!(o, "{:>8}", fmt_price(p));
                }
                None => {
                    let _ = write!(o, "{:>8}", "–");
                }
            }
        }
        let mp = cn.and_then(|c| yr.solution.magnet_price[c]);
        let _ = writeln!(o, "{:>8}", mp.map(fmt_price).unwrap_or_else(|| "–".into()));
    }

    let _ = writeln!(
        o,
        "\nSupply (separated + recycled) / demand (baseline at reference prices), kt REO; shortfall in % of demand"
    );
    let _ = write!(o, "{:>5}", "year");
    for e in KEY {
        let _ = write!(o, "{:>20}", format!("{e} supply/demand"));
    }
    let _ = writeln!(o);
    for (i, yr) in run.years.iter().enumerate() {
        let b = balance(model, run, i);
        let _ = write!(o, "{:>5}", yr.solution.year);
        for e in KEY {
            let (sup, dem, con, _) = b[e.index()];
            let short = if dem > 0.0 {
                100.0 * (dem - con).max(0.0) / dem
            } else {
                0.0
            };
            let cell = format!("{:.1}/{:.1} {:>4.1}%", sup / 1000.0, dem / 1000.0, short);
            let _ = write!(o, "{cell:>20}");
        }
        let _ = writeln!(o);
    }

    let _ = writeln!(
        o,
        "\nConcentration by stage (all REO; magnets in t magnet): top 3 regions and HHI (0–10,000)"
    );
    for y in sum.years {
        for stage in Stage::ALL {
            let mut rows: Vec<&ShareRow> = shares
                .iter()
                .filter(|r| r.year == y && r.stage == stage && r.element == "all")
                .collect();
            rows.sort_by(|a, b| b.share.total_cmp(&a.share));
            let top: Vec<String> = rows
                .iter()
                .take(3)
                .map(|r| format!("{} {:.1}%", r.region, 100.0 * r.share))
                .collect();
            let h = rows.first().map(|r| r.hhi).unwrap_or(0.0);
            let _ = writeln!(
                o,
                "{:>5} {:<11} {:<42} HHI {:>6.0}",
                y,
                stage.as_str(),
                top.join(", "),
                h
            );
        }
    }
    o
}

fn fmt_price(p: f64) -> String {
    if p >= 100.0 {
        format!("{p:.0}")
    } else {
        format!("{p:.2}")
    }
}
