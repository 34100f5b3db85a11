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

/// Economic effect of A against B per region, summed over the horizon.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RegionTotal {
    pub region: String,
    /// Change in consumer + producer surplus (A − B), USD.
    pub surplus_change_usd: f64,
    /// Downstream output lost to shortfalls (A − B), USD.
    pub lost_output_usd: f64,
}

impl Comparison {
    /// Surplus change and output lost per region, summed over the years
    /// (regions in code order).
    pub fn totals_by_region(&self) -> Vec<RegionTotal> {
        let mut totals: BTreeMap<String, (f64, f64)> = BTreeMap::new();
        for w in &self.welfare {
            let t = totals.entry(w.region.clone()).or_insert((0.0, 0.0));
            t.0 += w.surplus_change_usd;
            t.1 += w.lost_output_usd;
        }
        totals
            .into_iter()
            .map(|(region, (s, l))| RegionTotal {
                region,
                surplus_change_usd: s,
                lost_output_usd: l,
            })
            .collect()
    }
}

/// Who captures the value added between a miner and a processor: the
/// concentrate shipped and the oxides and magnets sold back, summed over
/// the horizon, in A and in B.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ValueAddedPair {
    pub miner: String,
    pub processor: String,
    pub concentrate_exports_usd_a: f64,
    pub processed_imports_usd_a: f64,
    pub concentrate_exports_usd_b: f64,
    pub processed_imports_usd_b: f64,
}

/// The value-added tables of A and B summed per (miner, processor) pair, in
/// pair order.
pub fn value_added_pairs(
    a: &[crate::ValueAddedRow],
    b: &[crate::ValueAddedRow],
) -> Vec<ValueAddedPair> {
    let mut va: BTreeMap<(String, String), ValueAddedPair> = BTreeMap::new();
    for (rows, is_a) in [(a, true), (b, false)] {
        for r in rows {
            let v = va
                .entry((r.miner.clone(), r.processor.clone()))
                .or_insert_with(|| ValueAddedPair {
                    miner: r.miner.clone(),
                    processor: r.processor.clone(),
                    ..Default::default()
                });
            if is_a {
                v.concentrate_exports_usd_a += r.concentrate_exports_usd;
                v.processed_imports_usd_a += r.processed_imports_usd;
            } else {
                v.concentrate_exports_usd_b += r.concentrate_exports_usd;
                v.processed_imports_usd_b += r.processed_imports_usd;
            }
        }
    }
    va.into_values().collect()
}

/// One of the largest changes between A and B (the headline of a comparison).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HeadlineChange {
    /// `price`, `shortfall` or `surplus`.
    pub kind: &'static str,
    /// What changed, for people: "Dy oxide price in JP, average 2024–2040".
    pub label: String,
    pub region: String,
    /// Element symbol or `magnet` (prices, shortfalls); empty for surplus.
    pub commodity: String,
    pub unit: &'static str,
    pub a: f64,
    pub b: f64,
    /// Relative change (A − B) / B in %, when B is not zero.
    pub change_pct: Option<f64>,
}

/// The largest changes of a comparison: the `n` prices whose average over
/// the horizon changed most (relative; one per commodity, at the region
/// where it changed most, plus Nd, Pr, Dy, Tb and magnets outside China
/// when they changed by 5 % or more), the `n` largest changes in world
/// shortfall per element summed over the horizon (t), and the `n` regions
/// whose surplus changed most (USD). Changes below 0.5 % (prices), 1 t
/// (shortfalls) and 1 million USD (surplus) are left out.
pub fn headline(c: &Comparison, n: usize) -> Vec<HeadlineChange> {
    let mut out = Vec::new();
    let (y0, y1) = (
        c.prices.iter().map(|p| p.year).min().unwrap_or(0),
        c.prices.iter().map(|p| p.year).max().unwrap_or(0),
    );
    let mut avg: BTreeMap<(String, String), (f64, f64, f64)> = BTreeMap::new();
    for p in &c.prices {
        let v = avg
            .entry((p.region.clone(), p.commodity.clone()))
            .or_default();
        v.0 += p.usd_per_kg_a;
        v.1 += p.usd_per_kg_b;
        v.2 += 1.0;
    }
    let mut prices: Vec<HeadlineChange> = avg
        .into_iter()
        .filter(|(_, (_, b, _))| *b > 1e-9)
        .map(|((region, commodity), (a, b, k))| {
            let (a, b) = (a / k, b / k);
            let what = if commodity == "magnet" {
                "magnet price".to_string()
            } else {
                format!("{commodity} oxide price")
            };
            HeadlineChange {
                kind: "price",
                label: format!("{what} in {region}, average {y0}–{y1}"),
                region,
                commodity,
                unit: "USD/kg",
                a,
                b,
                change_pct: Some(100.0 * (a - b) / b),
            }
        })
        .filter(|h| h.change_pct.is_some_and(|p| p.abs() >= 0.5))
        .collect();
    prices.sort_by(|x, y| {
        let k = |h: &HeadlineChange| h.change_pct.unwrap_or(0.0).abs();
        k(y).total_cmp(&k(x)).then_with(|| x.label.cmp(&y.label))
    });
    // One card per commodity (its largest regional change), the `n` largest;
    // then the magnet rare earths and magnets outside China that changed by
    // 5 % or more, if not among them.
    let mut taken: Vec<&str> = Vec::new();
    let mut picked: Vec<&HeadlineChange> = Vec::new();
    for h in &prices {
        if picked.len() == n {
            break;
        }
        if !taken.contains(&h.commodity.as_str()) {
            taken.push(&h.commodity);
            picked.push(h);
        }
    }
    for m in ["Nd", "Pr", "Dy", "Tb", "magnet"] {
        if taken.contains(&m) {
            continue;
        }
        if let Some(h) = prices.iter().find(|h| {
            h.commodity == m && h.region != "CN" && h.change_pct.is_some_and(|p| p.abs() >= 5.0)
        }) {
            picked.push(h);
        }
    }
    out.extend(picked.into_iter().cloned());

    let mut short: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for s in &c.shortfall {
        let v = short.entry(s.element.clone()).or_default();
        v.0 += s.shortfall_t_a;
        v.1 += s.shortfall_t_b;
    }
    let mut shortfalls: Vec<HeadlineChange> = short
        .into_iter()
        .filter(|(_, (a, b))| (a - b).abs() >= 1.0)
        .map(|(commodity, (a, b))| HeadlineChange {
            kind: "shortfall",
            label: format!("{commodity} shortfall, world, summed {y0}–{y1}"),
            region: "world".into(),
            unit: if commodity == "magnet" {
                "t magnet"
            } else {
                "t REO"
            },
            commodity,
            a,
            b,
            change_pct: (b > 1e-9).then(|| 100.0 * (a - b) / b),
        })
        .collect();
    shortfalls.sort_by(|x, y| {
        (y.a - y.b)
            .abs()
            .total_cmp(&(x.a - x.b).abs())
            .then_with(|| x.label.cmp(&y.label))
    });
    out.extend(shortfalls.into_iter().take(n));

    let mut sur: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for w in &c.welfare {
        let v = sur.entry(w.region.clone()).or_default();
        v.0 += w.consumer_surplus_usd_a + w.producer_surplus_usd_a;
        v.1 += w.consumer_surplus_usd_b + w.producer_surplus_usd_b;
    }
    let mut surplus: Vec<HeadlineChange> = sur
        .into_iter()
        .filter(|(_, (a, b))| (a - b).abs() >= 1e6)
        .map(|(region, (a, b))| HeadlineChange {
            kind: "surplus",
            label: format!("surplus (consumers + producers) in {region}, summed {y0}–{y1}"),
            region,
            commodity: String::new(),
            unit: "USD",
            a,
            b,
            change_pct: (b.abs() > 1e-9).then(|| 100.0 * (a - b) / b.abs()),
        })
        .collect();
    surplus.sort_by(|x, y| {
        (y.a - y.b)
            .abs()
            .total_cmp(&(x.a - x.b).abs())
            .then_with(|| x.label.cmp(&y.label))
    });
    out.extend(surplus.into_iter().take(n));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn price(year: Year, region: &str, commodity: &str, a: f64, b: f64) -> PriceChange {
        PriceChange {
            year,
            region: region.into(),
            commodity: commodity.into(),
            usd_per_kg_a: a,
            usd_per_kg_b: b,
            change_pct: 100.0 * (a - b) / b,
        }
    }

    #[test]
    fn headline_ranks_prices_by_relative_change_of_their_average() {
        let c = Comparison {
            prices: vec![
                price(2024, "JP", "Dy", 300.0, 300.0),
                price(2025, "JP", "Dy", 900.0, 300.0),
                price(2024, "CN", "Dy", 250.0, 250.0),
                price(2025, "CN", "Dy", 200.0, 250.0),
                price(2024, "CN", "Nd", 60.0, 60.0),
                price(2025, "CN", "Nd", 66.0, 60.0),
                price(2024, "AF", "Sm", 2.0, 2.0),
                price(2025, "AF", "Sm", 22.0, 2.0),
            ],
            shortfall: vec![],
            welfare: vec![],
        };
        let h = headline(&c, 5);
        assert_eq!(h.len(), 3, "one card per commodity: {h:?}");
        assert_eq!(h[0].commodity, "Sm");
        assert_eq!(
            (h[1].region.as_str(), h[1].commodity.as_str()),
            ("JP", "Dy")
        );
        assert_eq!(h[1].a, 600.0);
        assert_eq!(h[1].b, 300.0);
        assert_eq!(h[1].change_pct, Some(100.0));
        assert_eq!(h[1].label, "Dy oxide price in JP, average 2024–2025");
        assert_eq!(h[2].commodity, "Nd", "{h:?}");
        // With one card, Dy outside China is still added (Nd changed in China only).
        let h = headline(&c, 1);
        assert_eq!(h.len(), 2, "{h:?}");
        assert_eq!(
            (
                h[0].commodity.as_str(),
                h[1].commodity.as_str(),
                h[1].region.as_str()
            ),
            ("Sm", "Dy", "JP")
        );
    }
}
