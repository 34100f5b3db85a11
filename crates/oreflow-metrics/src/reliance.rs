//! Import reliance and who captures the value added.

use std::collections::BTreeMap;

use oreflow_core::{Year, ELEMENTS};
use oreflow_sim::{Model, RunResult};
use serde::Serialize;

/// CSV columns of [`RelianceRow`], in field order.
pub const RELIANCE_COLUMNS: [&str; 6] = [
    "year",
    "region",
    "stage",
    "element",
    "apparent_consumption_t",
    "import_reliance",
];

/// Net imports over apparent consumption of one region, stage and element.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RelianceRow {
    pub year: Year,
    pub region: String,
    /// `oxide` (per element) or `magnet`.
    pub stage: String,
    /// Element symbol, or `magnet`.
    pub element: String,
    /// Apparent consumption: production + imports − exports (t).
    pub apparent_consumption_t: f64,
    /// Net imports as a share of apparent consumption (0 = self-sufficient, 1 = all imported).
    pub import_reliance: f64,
}

/// Value of trade between two regions: raw material one way, processed
/// products the other (USD at exporters' prices).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ValueAddedRow {
    pub year: Year,
    /// The region that exports raw concentrate to `processor`.
    pub miner: String,
    pub processor: String,
    pub concentrate_exports_usd: f64,
    /// Oxides and magnets the processor sells back to the miner.
    pub processed_imports_usd: f64,
}

/// Import reliance per region: oxides per element (separated output and
/// recycling as production; magnet content counts as a use) and magnets.
pub fn import_reliance(model: &Model, run: &RunResult) -> Vec<RelianceRow> {
    let n = model.network.regions.len();
    let mut out = Vec::new();
    for yr in &run.years {
        let s = &yr.solution;
        let mut prod = vec![[0.0; 15]; n];
        for (p, plant) in model.network.separation_plants.iter().enumerate() {
            for e in ELEMENTS {
                prod[plant.region.index()][e.index()] += s.separated[p][e.index()];
            }
        }
        for r in 0..n {
            for e in ELEMENTS {
                prod[r][e.index()] +=
                    s.heavy_byproduct[r][e.index()] + s.recycled_used[r][e.index()];
            }
        }
        let mut imp = vec![[0.0; 15]; n];
        let mut exp = vec![[0.0; 15]; n];
        for f in &s.oxide_trade {
            let e = f.element.expect("oxide flows carry an element").index();
            imp[f.to][e] += f.tonnes;
            exp[f.from][e] += f.tonnes;
        }
        let mut mprod = vec![0.0; n];
        for (p, plant) in model.network.magnet_plants.iter().enumerate() {
            mprod[plant.region.index()] += s.magnet_output[p];
        }
        let (mut mimp, mut mexp) = (vec![0.0; n], vec![0.0; n]);
        for f in &s.magnet_trade {
            mimp[f.to] += f.tonnes;
            mexp[f.from] += f.tonnes;
        }
        let mut row = |r: usize, stage: &str, element: &str, p: f64, i: f64, x: f64| {
            let apparent = p + i - x;
            if apparent > 1e-6 {
                out.push(RelianceRow {
                    year: s.year,
                    region: model.network.regions[r].clone(),
                    stage: stage.into(),
                    element: element.into(),
                    apparent_consumption_t: (apparent * 1e6).round() / 1e6,
                    import_reliance: ((i - x) / apparent).clamp(-10.0, 1.0),
                });
            }
        };
        for r in 0..n {
            for e in ELEMENTS
                .iter()
                .filter(|e| model.dataset.reference_price(**e).is_some())
            {
                row(
                    r,
                    "oxide",
                    e.symbol(),
                    prod[r][e.index()],
                    imp[r][e.index()],
                    exp[r][e.index()],
                );
            }
            row(r, "magnet", "magnet", mprod[r], mimp[r], mexp[r]);
        }
    }
    out
}

/// For every pair where one region ships concentrate to another: the value
/// of that concentrate against the oxides and magnets coming back.
pub fn value_added(model: &Model, run: &RunResult) -> Vec<ValueAddedRow> {
    let trade = crate::trade(model, run);
    let mut pairs: BTreeMap<(Year, String, String), (f64, f64)> = BTreeMap::new();
    for t in trade.iter().filter(|t| t.commodity == "concentrate") {
        pairs
            .entry((t.year, t.from.clone(), t.to.clone()))
            .or_default()
            .0 += t.value_usd;
    }
    for t in trade.iter().filter(|t| t.commodity != "concentrate") {
        if let Some(v) = pairs.get_mut(&(t.year, t.to.clone(), t.from.clone())) {
            v.1 += t.value_usd;
        }
    }
    pairs
        .into_iter()
        .map(|((year, miner, processor), (c, p))| ValueAddedRow {
            year,
            miner,
            processor,
            concentrate_exports_usd: c.round(),
            processed_imports_usd: p.round(),
        })
        .collect()
}
