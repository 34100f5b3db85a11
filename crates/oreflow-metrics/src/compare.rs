//! Scenario A against scenario B: price changes, shortfall changes, market
//! shares, and the economic loss per region (consumer and producer surplus
//! from the LP welfare, plus downstream output lost to shortfalls).

use std::collections::BTreeMap;

use oreflow_core::Year;
use oreflow_market::Good;
use oreflow_sim::{Model, RunResult};
use serde::Serialize;

/// A price in both scenarios.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PriceChange {
    pub year: Year,
    pub region: String,
    pub commodity: String,
    pub usd_per_kg_a: f64,
    pub usd_per_kg_b: f64,
    pub change_pct: f64,
}

/// Shortfall of one region, end use and element in both scenarios.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ShortfallChange {
    pub year: Year,
    pub region: String,
    pub end_use: String,
    pub element: String,
    pub shortfall_t_a: f64,
    pub shortfall_t_b: f64,
    pub change_t: f64,
    /// Downstream output lost to the change in shortfall (value added per kg
    /// × kg; negative when A supplies more than B).
    pub lost_output_usd: f64,
}

/// Surplus of one region in both scenarios, USD.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WelfareChange {
    pub year: Year,
    pub region: String,
    pub consumer_surplus_usd_a: f64,
    pub consumer_surplus_usd_b: f64,
    pub producer_surplus_usd_a: f64,
    pub producer_surplus_usd_b: f64,
    /// Change in consumer + producer surplus (A − B).
    pub surplus_change_usd: f64,
    pub lost_output_usd: f64,
}

/// Consumer surplus per region (USD): value of what is consumed minus what
/// it costs at the regional price.
pub fn consumer_surplus(model: &Model, run: &RunResult, i: usize) -> BTreeMap<String, f64> {
    let s = &run.years[i].solution;
    let mut out = BTreeMap::new();
    for (c, curve) in model.network.curves.iter().enumerate() {
        let r = curve.region.index();
        let price = match curve.good {
            Good::Magnet => s.magnet_price[r],
            Good::Oxide(e) => s.prices[r][e.index()],
        }
        .unwrap_or(0.0);
        let cs = (s.gross_value_kusd[c] - price * s.consumption[c]) * 1000.0;
        *out.entry(model.network.regions[r].clone()).or_insert(0.0) += cs;
    }
    out
}

/// Producer surplus per region (USD): scarcity rents of its mines, separation
/// and magnet plants (price above unit cost, times quantity).
pub fn producer_surplus(model: &Model, run: &RunResult, i: usize) -> BTreeMap<String, f64> {
    let s = &run.years[i].solution;
    let ds = &model.dataset;
    let mut out = BTreeMap::new();
    let mut add = |r: oreflow_core::RegionId, v: f64| {
        *out.entry(ds.region_code(r).to_string()).or_insert(0.0) += v * 1000.0
    };
    for (m, mine) in ds.mines.iter().enumerate() {
        add(mine.region, s.mine_output[m] * s.mine_rent[m]);
    }
    for (p, plant) in ds.separation_plants.iter().enumerate() {
        add(plant.region, s.separation_feed[p] * s.separation_rent[p]);
    }
    for (p, plant) in ds.magnet_plants.iter().enumerate() {
        add(plant.region, s.magnet_output[p] * s.magnet_rent[p]);
    }
    out
}

/// The comparison tables.
#[derive(Clone, Debug, Default)]
pub struct Comparison {
    pub prices: Vec<PriceChange>,
    pub shortfall: Vec<ShortfallChange>,
    pub welfare: Vec<WelfareChange>,
}

/// Compares run A with run B year by year (years present in both).
pub fn compare(ma: &Model, a: &RunResult, mb: &Model, b: &RunResult) -> Comparison {
    let mut out = Comparison::default();
    let pa = crate::prices(ma, a);
    let pb: BTreeMap<(Year, String, String), f64> = crate::prices(mb, b)
        .into_iter()
        .map(|r| ((r.year, r.region, r.commodity), r.usd_per_kg))
        .collect();
    for r in pa {
        if let Some(&vb) = pb.get(&(r.year, r.region.clone(), r.commodity.clone())) {
            let change_pct = if vb.abs() > 1e-9 {
                100.0 * (r.usd_per_kg - vb) / vb
            } else {
                0.0
            };
            out.prices.push(PriceChange {
                year: r.year,
                region: r.region,
                commodity: r.commodity,
                usd_per_kg_a: r.usd_per_kg,
                usd_per_kg_b: vb,
                change_pct: (change_pct * 1e4).round() / 1e4,
            });
        }
    }
    let va: BTreeMap<String, f64> = ma
        .dataset
        .end_uses
        .iter()
        .map(|u| (u.id.clone(), u.value_added.0))
        .collect();
    let cb: BTreeMap<(Year, String, String, String), f64> = crate::consumption(mb, b)
        .into_iter()
        .map(|r| ((r.year, r.region, r.end_use, r.element), r.shortfall_t))
        .collect();
    let mut lost: BTreeMap<(Year, String), f64> = BTreeMap::new();
    for r in crate::consumption(ma, a) {
        let key = (
            r.year,
            r.region.clone(),
            r.end_use.clone(),
            r.element.clone(),
        );
        let sb = cb.get(&key).copied().unwrap_or(0.0);
        let is_magnet_use = ma
            .dataset
            .end_use(&r.end_use)
            .map(|u| ma.dataset.end_uses[u].kind == oreflow_core::EndUseKind::Magnet)
            .unwrap_or(false);
        // Output lost is counted once per use: magnets in t magnet, oxides per element.
        let counted = if is_magnet_use {
            r.element == "magnet"
        } else {
            true
        };
        // Net change: more shortfall is output lost, less is output gained.
        let extra = r.shortfall_t - sb;
        let lost_usd = if counted {
            extra * va.get(&r.end_use).copied().unwrap_or(0.0) * 1000.0
        } else {
            0.0
        };
        *lost.entry((r.year, r.region.clone())).or_insert(0.0) += lost_usd;
        if r.shortfall_t != 0.0 || sb != 0.0 {
            out.shortfall.push(ShortfallChange {
                year: r.year,
                region: r.region,
                end_use: r.end_use,
                element: r.element,
                shortfall_t_a: r.shortfall_t,
                shortfall_t_b: sb,
                change_t: ((r.shortfall_t - sb) * 1e6).round() / 1e6,
                lost_output_usd: lost_usd.round(),
            });
        }
    }
    for (i, ya) in a.years.iter().enumerate() {
        let year = ya.solution.year;
        let Some(j) = b.years.iter().position(|y| y.solution.year == year) else {
            continue;
        };
        let (csa, csb) = (consumer_surplus(ma, a, i), consumer_surplus(mb, b, j));
        let (psa, psb) = (producer_surplus(ma, a, i), producer_surplus(mb, b, j));
        for region in &ma.network.regions {
            let g = |m: &BTreeMap<String, f64>| m.get(region).copied().unwrap_or(0.0);
            let l = lost.get(&(year, region.clone())).copied().unwrap_or(0.0);
            out.welfare.push(WelfareChange {
                year,
                region: region.clone(),
                consumer_surplus_usd_a: g(&csa).round(),
                consumer_surplus_usd_b: g(&csb).round(),
                producer_surplus_usd_a: g(&psa).round(),
                producer_surplus_usd_b: g(&psb).round(),
                surplus_change_usd: (g(&csa) + g(&psa) - g(&csb) - g(&psb)).round(),
                lost_output_usd: l.round(),
            });
        }
    }
    out
}
