//! The run summary (`summary.json`): headline figures of the first and last
//! year, the LP's size and the calibration.

use std::collections::BTreeMap;

use crate::{ShareRow, MAGNET_REE};
use oreflow_core::{Element, Stage, Year, ELEMENTS};
use oreflow_market::Good;
use oreflow_sim::{Model, RunResult};
use serde::Serialize;

/// Headline figures of one year.
#[derive(Clone, Debug, Serialize)]
pub struct Headline {
    /// China's share of mine output, separation and magnet making (0–1).
    pub china_share: BTreeMap<String, f64>,
    /// HHI per stage (all REO; magnets in t magnet), 0–10,000.
    pub hhi: BTreeMap<String, f64>,
    /// Oxide prices in China (USD/kg) and the magnet price (USD/kg magnet).
    pub price_china_usd_per_kg: BTreeMap<String, f64>,
    /// Shortfall per element against baseline demand, t REO.
    pub shortfall_t: BTreeMap<String, f64>,
    /// Surplus disposed of per element, t REO.
    pub disposed_t: BTreeMap<String, f64>,
    pub welfare_musd: f64,
}

/// What `summary.json` holds.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub scenario: String,
    pub oreflow_version: &'static str,
    pub solver: &'static str,
    pub years: [Year; 2],
    pub growth_path: String,
    /// Region codes of the run's dataset (`report --from` checks the
    /// tables' regions against them).
    pub regions: Vec<String>,
    pub lp: BTreeMap<&'static str, f64>,
    pub calibration: BTreeMap<String, f64>,
    pub headline: BTreeMap<Year, Headline>,
}

fn share(rows: &[ShareRow], year: Year, stage: Stage, element: &str, region: &str) -> f64 {
    rows.iter()
        .find(|r| r.year == year && r.stage == stage && r.element == element && r.region == region)
        .map(|r| r.share)
        .unwrap_or(0.0)
}

fn hhi(rows: &[ShareRow], year: Year, stage: Stage, element: &str) -> f64 {
    rows.iter()
        .find(|r| r.year == year && r.stage == stage && r.element == element)
        .map(|r| r.hhi)
        .unwrap_or(0.0)
}

/// (supply, demand, consumed, disposed) per element in year index `i`: supply is
/// separated output plus recycling; demand the baseline at reference prices.
pub fn balance(model: &Model, run: &RunResult, i: usize) -> [(f64, f64, f64, f64); 15] {
    let (s, d) = (&run.years[i].solution, &run.years[i].data);
    let mut out = [(0.0, 0.0, 0.0, 0.0); 15];
    for sep in s.separated.iter().chain(&s.heavy_byproduct) {
        for e in ELEMENTS {
            out[e.index()].0 += sep[e.index()];
        }
    }
    for (r, rec) in d.recycled.iter().enumerate() {
        for e in ELEMENTS {
            out[e.index()].0 += rec[e.index()];
            out[e.index()].3 += s.disposal[r][e.index()];
        }
    }
    for (c, curve) in model.network.curves.iter().enumerate() {
        match curve.good {
            Good::Oxide(e) => {
                out[e.index()].1 += d.baseline_demand[c];
                out[e.index()].2 += s.consumption[c];
            }
            Good::Magnet => {
                for e in ELEMENTS {
                    let k = s.recipe[e.index()];
                    out[e.index()].1 += k * d.baseline_demand[c];
                    out[e.index()].2 += k * s.consumption[c];
                }
            }
        }
    }
    out
}

/// The oxide price of `e` in China in year index `i`, if it has a market there.
pub fn china_price(model: &Model, run: &RunResult, i: usize, e: Element) -> Option<f64> {
    let cn = model.network.regions.iter().position(|c| c == "CN")?;
    run.years[i].solution.prices[cn][e.index()]
}

impl Summary {
    /// The summary of a run of `model` (scenario `name`), solved by `solver` in `seconds`.
    pub fn new(
        name: &str,
        model: &Model,
        run: &RunResult,
        shares: &[ShareRow],
        solver: &'static str,
        seconds: f64,
    ) -> Self {
        let mut headline = BTreeMap::new();
        let last = run.years.len() - 1;
        for i in [0, last] {
            let y = run.years[i].solution.year;
            let mut china_share = BTreeMap::new();
            let mut h = BTreeMap::new();
            for stage in Stage::ALL {
                china_share.insert(
                    stage.as_str().to_string(),
                    share(shares, y, stage, "all", "CN"),
                );
                h.insert(stage.as_str().to_string(), hhi(shares, y, stage, "all"));
            }
            for stage in [Stage::Mining, Stage::Separation] {
                china_share.insert(
                    format!("{}_{MAGNET_REE}", stage.as_str()),
                    share(shares, y, stage, MAGNET_REE, "CN"),
                );
            }
            let mut price = BTreeMap::new();
            for e in ELEMENTS {
                if let Some(p) = china_price(model, run, i, e) {
                    price.insert(e.symbol().to_string(), p);
                }
            }
            if let Some(cn) = model.network.regions.iter().position(|c| c == "CN") {
                if let Some(p) = run.years[i].solution.magnet_price[cn] {
                    price.insert("magnet".into(), p);
                }
            }
            let b = balance(model, run, i);
            let mut shortfall = BTreeMap::new();
            let mut disposed = BTreeMap::new();
            for e in ELEMENTS {
                let (_, dem, con, disp) = b[e.index()];
                shortfall.insert(e.symbol().to_string(), (dem - con).max(0.0).round());
                disposed.insert(e.symbol().to_string(), disp.round());
            }
            headline.insert(
                y,
                Headline {
                    china_share,
                    hhi: h,
                    price_china_usd_per_kg: price,
                    shortfall_t: shortfall,
                    disposed_t: disposed,
                    welfare_musd: run.years[i].solution.welfare_kusd / 1000.0,
                },
            );
        }
        let s0 = &run.years[0].solution;
        let lp = BTreeMap::from([
            ("rows", s0.lp_rows as f64),
            ("columns", s0.lp_cols as f64),
            ("years_solved", run.years.len() as f64),
            // Every LP the years took (a year is re-solved while demand
            // bands are re-centred) and their simplex iterations.
            (
                "solves",
                run.years.iter().map(|y| y.solves).sum::<usize>() as f64,
            ),
            (
                "simplex_iterations",
                run.years.iter().map(|y| y.iterations).sum::<u64>() as f64,
            ),
            ("total_seconds", seconds),
        ]);
        let mut calibration = BTreeMap::from([(
            "magnet_reference_price_usd_per_kg".to_string(),
            model.calibration.magnet_price,
        )]);
        for e in ELEMENTS {
            if let Some(u) = model.calibration.unattributed[e.index()] {
                calibration.insert(format!("unattributed_t_{}", e.symbol()), u);
            }
        }
        Summary {
            scenario: name.to_string(),
            oreflow_version: env!("CARGO_PKG_VERSION"),
            solver,
            years: [model.config.from, model.config.to],
            growth_path: model.config.growth_path.clone(),
            regions: model.network.regions.clone(),
            lp,
            calibration,
            headline,
        }
    }
}
