//! Run statistics as tidy tables (one row per observation), computed from a
//! [`RunResult`]: production by facility and element, prices, consumption and
//! shortfall, trade with values, and market shares with HHI per stage.
//!
//! Architecture invariant: pure functions of a model and its run; no IO. The
//! row types serialise to the CSV columns documented in `docs/outputs.md`.

mod compare;
mod reliance;
mod shares;
pub mod summary;

use oreflow_core::{Element, Stage, Year, ELEMENTS};
use oreflow_market::Good;
use oreflow_sim::{Model, RunResult};
use serde::Serialize;

pub use compare::{
    compare, consumer_surplus, headline, producer_surplus, value_added_pairs, Comparison,
    HeadlineChange, PriceChange, RegionTotal, ShortfallChange, ValueAddedPair, WelfareChange,
};
pub use reliance::{import_reliance, value_added, RelianceRow, ValueAddedRow, RELIANCE_COLUMNS};
pub use shares::{hhi, shares, stage_output, ShareRow, StageOutput, MAGNET_REE, SHARE_COLUMNS};
pub use summary::Summary;

/// Output of one facility for one element (or of magnets) in one year.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProductionRow {
    pub year: Year,
    pub stage: Stage,
    pub facility: String,
    pub region: String,
    /// Element symbol, or `magnet` for magnet output (then in t magnet).
    pub element: String,
    pub tonnes: f64,
}

/// A price in one region and year.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PriceRow {
    pub year: Year,
    pub region: String,
    /// Element symbol (its oxide) or `magnet`.
    pub commodity: String,
    pub usd_per_kg: f64,
}

/// Demand, consumption and shortfall of one region, end use and element.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConsumptionRow {
    pub year: Year,
    pub region: String,
    pub end_use: String,
    /// Element symbol (t REO), or `magnet` (t magnet) for magnet end uses.
    pub element: String,
    /// Baseline demand at the reference price.
    pub demand_t: f64,
    pub consumed_t: f64,
    /// `max(0, demand − consumed)`.
    pub shortfall_t: f64,
}

/// A trade flow between two regions.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TradeRow {
    pub year: Year,
    pub from: String,
    pub to: String,
    /// `concentrate`, `oxide` or `magnet`.
    pub commodity: String,
    /// Element symbol for oxides; `mixed` for concentrate; `magnet` for magnets.
    pub element: String,
    /// t REO (t magnet for magnets).
    pub tonnes: f64,
    /// Value at the exporter's price (concentrate: mine cost plus mine rent).
    pub value_usd: f64,
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// Production by facility and element.
pub fn production(model: &Model, run: &RunResult) -> Vec<ProductionRow> {
    let ds = &model.dataset;
    let mut out = Vec::new();
    for yr in &run.years {
        let s = &yr.solution;
        let y = s.year;
        for (m, mine) in ds.mines.iter().enumerate() {
            if s.mine_output[m] <= 0.0 {
                continue;
            }
            let comp = &ds.ore_types[mine.ore_type].composition;
            for e in ELEMENTS {
                let t = s.mine_output[m] * comp[e.index()];
                if t > 0.0 {
                    out.push(ProductionRow {
                        year: y,
                        stage: Stage::Mining,
                        facility: mine.id.clone(),
                        region: ds.region_code(mine.region).to_string(),
                        element: e.symbol().to_string(),
                        tonnes: round6(t),
                    });
                }
            }
        }
        for (p, plant) in ds.separation_plants.iter().enumerate() {
            for e in ELEMENTS {
                let t = s.separated[p][e.index()];
                if t > 0.0 {
                    out.push(ProductionRow {
                        year: y,
                        stage: Stage::Separation,
                        facility: plant.id.clone(),
                        region: ds.region_code(plant.region).to_string(),
                        element: e.symbol().to_string(),
                        tonnes: round6(t),
                    });
                }
            }
        }
        for (r, by) in s.heavy_byproduct.iter().enumerate() {
            for e in ELEMENTS {
                if by[e.index()] > 0.0 {
                    out.push(ProductionRow {
                        year: y,
                        stage: Stage::Separation,
                        facility: "heavy_byproduct_of_light_plants".into(),
                        region: model.network.regions[r].clone(),
                        element: e.symbol().to_string(),
                        tonnes: round6(by[e.index()]),
                    });
                }
            }
        }
        for (p, plant) in ds.magnet_plants.iter().enumerate() {
            if s.magnet_output[p] > 0.0 {
                out.push(ProductionRow {
                    year: y,
                    stage: Stage::Magnet,
                    facility: plant.id.clone(),
                    region: ds.region_code(plant.region).to_string(),
                    element: "magnet".into(),
                    tonnes: round6(s.magnet_output[p]),
                });
            }
        }
    }
    out
}

/// Prices per region: every priced oxide with a market there, and magnets.
/// Elements without a reference price (thulium) are by-products with no
/// market and get no price rows.
pub fn prices(model: &Model, run: &RunResult) -> Vec<PriceRow> {
    let mut out = Vec::new();
    for yr in &run.years {
        let s = &yr.solution;
        for (r, code) in model.network.regions.iter().enumerate() {
            for e in ELEMENTS
                .iter()
                .copied()
                .filter(|&e| model.dataset.reference_price(e).is_some())
            {
                if let Some(p) = s.prices[r][e.index()] {
                    out.push(PriceRow {
                        year: s.year,
                        region: code.clone(),
                        commodity: e.symbol().into(),
                        usd_per_kg: round6(p),
                    });
                }
            }
            if let Some(p) = s.magnet_price[r] {
                out.push(PriceRow {
                    year: s.year,
                    region: code.clone(),
                    commodity: "magnet".into(),
                    usd_per_kg: round6(p),
                });
            }
        }
    }
    out
}

/// Price of an element's oxide in a region and year, if it has a market there.
pub fn price(model: &Model, run: &RunResult, year: Year, region: &str, e: Element) -> Option<f64> {
    let r = model.network.regions.iter().position(|c| c == region)?;
    let yr = run.years.iter().find(|y| y.solution.year == year)?;
    yr.solution.prices[r][e.index()]
}

/// Consumption and shortfall per region, end use and element. Magnet end uses
/// get one row per magnet element (t REO, by recipe) and one `magnet` row.
pub fn consumption(model: &Model, run: &RunResult) -> Vec<ConsumptionRow> {
    let ds = &model.dataset;
    let mut out = Vec::new();
    for yr in &run.years {
        let (s, d) = (&yr.solution, &yr.data);
        for (c, curve) in model.network.curves.iter().enumerate() {
            let region = ds.region_code(curve.region).to_string();
            let end_use = ds.end_uses[curve.end_use].id.clone();
            let (dem, con) = (d.baseline_demand[c], s.consumption[c]);
            let mut row = |element: String, k: f64| {
                out.push(ConsumptionRow {
                    year: s.year,
                    region: region.clone(),
                    end_use: end_use.clone(),
                    element,
                    demand_t: round6(dem * k),
                    consumed_t: round6(con * k),
                    shortfall_t: round6(((dem - con) * k).max(0.0)),
                })
            };
            match curve.good {
                Good::Oxide(e) => row(e.symbol().into(), 1.0),
                Good::Magnet => {
                    row("magnet".into(), 1.0);
                    for e in ELEMENTS {
                        let k = s.recipe[e.index()];
                        if k > 0.0 {
                            row(e.symbol().into(), k);
                        }
                    }
                }
            }
        }
    }
    out
}

/// Trade between regions (concentrate aggregated per region pair).
pub fn trade(model: &Model, run: &RunResult) -> Vec<TradeRow> {
    let ds = &model.dataset;
    let code = |r: usize| model.network.regions[r].clone();
    let mut out = Vec::new();
    for yr in &run.years {
        let s = &yr.solution;
        let (y, d) = (s.year, &yr.data);
        let n = model.network.regions.len();
        let mut conc = vec![vec![(0.0, 0.0); n]; n];
        for f in &s.concentrate {
            let i = ds.mines[f.from].region.index();
            let j = ds.separation_plants[f.to].region.index();
            if i != j {
                let unit = d.mine_cost[f.from] + s.mine_rent[f.from];
                conc[i][j].0 += f.tonnes;
                conc[i][j].1 += f.tonnes * unit * 1000.0;
            }
        }
        for (i, row) in conc.iter().enumerate() {
            for (j, &(t, v)) in row.iter().enumerate() {
                if t > 0.0 {
                    out.push(TradeRow {
                        year: y,
                        from: code(i),
                        to: code(j),
                        commodity: "concentrate".into(),
                        element: "mixed".into(),
                        tonnes: round6(t),
                        value_usd: v.round(),
                    });
                }
            }
        }
        for f in &s.oxide_trade {
            let e = f.element.expect("oxide flows carry an element");
            let p = s.prices[f.from][e.index()].unwrap_or(0.0);
            out.push(TradeRow {
                year: y,
                from: code(f.from),
                to: code(f.to),
                commodity: "oxide".into(),
                element: e.symbol().into(),
                tonnes: round6(f.tonnes),
                value_usd: (f.tonnes * p * 1000.0).round(),
            });
        }
        for f in &s.magnet_trade {
            let p = s.magnet_price[f.from].unwrap_or(0.0);
            out.push(TradeRow {
                year: y,
                from: code(f.from),
                to: code(f.to),
                commodity: "magnet".into(),
                element: "magnet".into(),
                tonnes: round6(f.tonnes),
                value_usd: (f.tonnes * p * 1000.0).round(),
            });
        }
    }
    out
}

/// Stock movements in one region and year.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StockRow {
    pub year: Year,
    pub region: String,
    pub element: String,
    /// `commercial` or `strategic`.
    pub kind: String,
    pub bought_t: f64,
    pub released_t: f64,
}

/// Commercial stock building and release, and strategic stockpile releases.
pub fn stocks(model: &Model, run: &RunResult) -> Vec<StockRow> {
    let mut out = Vec::new();
    for yr in &run.years {
        let s = &yr.solution;
        let mut strategic = vec![[0.0; 15]; model.network.regions.len()];
        for (k, &(r, e)) in model.network.strategic.iter().enumerate() {
            strategic[r.index()][e.index()] += s.strategic_release[k];
            if s.strategic_release[k] > 0.0 {
                out.push(StockRow {
                    year: s.year,
                    region: model.network.regions[r.index()].clone(),
                    element: e.symbol().into(),
                    kind: "strategic".into(),
                    bought_t: 0.0,
                    released_t: round6(s.strategic_release[k]),
                });
            }
        }
        for (r, code) in model.network.regions.iter().enumerate() {
            for e in ELEMENTS {
                let (bought, released) = (
                    s.stock_in[r][e.index()],
                    s.stock_out[r][e.index()] - strategic[r][e.index()],
                );
                if bought > 1e-9 || released > 1e-9 {
                    out.push(StockRow {
                        year: s.year,
                        region: code.clone(),
                        element: e.symbol().into(),
                        kind: "commercial".into(),
                        bought_t: round6(bought),
                        released_t: round6(released.max(0.0)),
                    });
                }
            }
        }
    }
    out
}
