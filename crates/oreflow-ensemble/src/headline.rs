//! The headline metrics of one run and year — one row of `runs.parquet`:
//! per good of interest (elements and magnets) and region that uses it, the
//! price, the baseline demand and the shortfall (t and share of demand);
//! world demand and shortfall; HHI and China's share per stage. The
//! quantities are those of `oreflow-metrics` (consumption, shares) computed
//! for one year without building tables.

use oreflow_core::{Element, Stage, ELEMENTS, N_ELEMENTS};
use oreflow_market::{Good, YearData, YearSolution};
use oreflow_metrics::{hhi, stage_output};
use oreflow_sim::Model;
use serde::{Deserialize, Serialize};

/// The goods of the default headline: the magnet rare earths, the two
/// by-products that flood the market, and magnets.
pub const DEFAULT_GOODS: [&str; 7] = ["Nd", "Pr", "Dy", "Tb", "La", "Ce", "magnet"];

/// What one column of the runs table holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnInfo {
    pub name: String,
    /// `price_usd_per_kg`, `demand_t`, `shortfall_t`, `shortfall_share`,
    /// `hhi` or `cn_share`.
    pub metric: String,
    /// Element symbol, `magnet`, or `all` (every rare earth).
    pub good: String,
    /// Region code or `world`; empty for the stage metrics.
    pub region: String,
    /// `mining`, `separation` or `magnet` for the stage metrics; else empty.
    pub stage: String,
    pub unit: String,
}

#[derive(Clone, Copy, Debug)]
enum Item {
    Price(usize, Good),
    Demand(Option<usize>, Good),
    Shortfall(Option<usize>, Good),
    ShortfallShare(Option<usize>, Good),
    /// Stage, element (None: all rare earths; magnets are one good).
    Hhi(Stage, Option<Element>),
    ChinaShare(Stage, Option<Element>),
}

/// The columns of an ensemble's runs table and how to fill them.
#[derive(Clone, Debug)]
pub struct Headline {
    pub columns: Vec<ColumnInfo>,
    items: Vec<Item>,
    china: Option<usize>,
}

fn good_name(g: Good) -> String {
    match g {
        Good::Magnet => "magnet".into(),
        Good::Oxide(e) => e.symbol().into(),
    }
}

/// Parses a good: an element symbol or name, or `magnet`.
pub fn parse_good(s: &str) -> Option<Good> {
    if s.eq_ignore_ascii_case("magnet") || s.eq_ignore_ascii_case("magnets") {
        return Some(Good::Magnet);
    }
    s.parse::<Element>().ok().map(Good::Oxide)
}

impl Headline {
    /// The headline for `goods` on `model`'s network: every region with a
    /// demand curve that uses the good gets its price, demand and shortfall.
    pub fn new(model: &Model, goods: &[Good]) -> Headline {
        let net = &model.network;
        let n = net.regions.len();
        let mut uses = vec![[false; N_ELEMENTS + 1]; n];
        for c in &net.curves {
            let r = c.region.index();
            match c.good {
                Good::Oxide(e) => uses[r][e.index()] = true,
                Good::Magnet => {
                    uses[r][N_ELEMENTS] = true;
                    for e in ELEMENTS.into_iter().filter(|e| net.recipe[e.index()] > 0.0) {
                        uses[r][e.index()] = true;
                    }
                }
            }
        }
        let slot = |g: Good| match g {
            Good::Magnet => N_ELEMENTS,
            Good::Oxide(e) => e.index(),
        };
        let mut columns = Vec::new();
        let mut items = Vec::new();
        let mut push =
            |item: Item, metric: &str, good: String, region: String, stage: &str, unit: &str| {
                let scope = if region.is_empty() {
                    stage.to_string()
                } else {
                    region.clone()
                };
                columns.push(ColumnInfo {
                    name: format!("{good}_{scope}_{metric}"),
                    metric: metric.into(),
                    good,
                    region,
                    stage: stage.into(),
                    unit: unit.into(),
                });
                items.push(item);
            };
        for &g in goods {
            let name = good_name(g);
            let price_unit = if g == Good::Magnet {
                "USD/kg magnet"
            } else {
                "USD/kg"
            };
            let t = if g == Good::Magnet {
                "t magnet"
            } else {
                "t REO"
            };
            for r in (0..n).filter(|&r| uses[r][slot(g)]) {
                let code = net.regions[r].clone();
                push(
                    Item::Price(r, g),
                    "price_usd_per_kg",
                    name.clone(),
                    code.clone(),
                    "",
                    price_unit,
                );
                push(
                    Item::Demand(Some(r), g),
                    "demand_t",
                    name.clone(),
                    code.clone(),
                    "",
                    t,
                );
                push(
                    Item::Shortfall(Some(r), g),
                    "shortfall_t",
                    name.clone(),
                    code.clone(),
                    "",
                    t,
                );
                push(
                    Item::ShortfallShare(Some(r), g),
                    "shortfall_share",
                    name.clone(),
                    code,
                    "",
                    "share of demand",
                );
            }
            push(
                Item::Demand(None, g),
                "demand_t",
                name.clone(),
                "world".into(),
                "",
                t,
            );
            push(
                Item::Shortfall(None, g),
                "shortfall_t",
                name.clone(),
                "world".into(),
                "",
                t,
            );
            push(
                Item::ShortfallShare(None, g),
                "shortfall_share",
                name.clone(),
                "world".into(),
                "",
                "share of demand",
            );
        }
        let elements: Vec<Option<Element>> = std::iter::once(None)
            .chain(goods.iter().filter_map(|g| match g {
                Good::Oxide(e) => Some(Some(*e)),
                Good::Magnet => None,
            }))
            .collect();
        for stage in [Stage::Mining, Stage::Separation] {
            for &e in &elements {
                let good = e
                    .map(|e| e.symbol().to_string())
                    .unwrap_or_else(|| "all".into());
                push(
                    Item::Hhi(stage, e),
                    "hhi",
                    good.clone(),
                    String::new(),
                    stage.as_str(),
                    "0-10000",
                );
                push(
                    Item::ChinaShare(stage, e),
                    "cn_share",
                    good,
                    String::new(),
                    stage.as_str(),
                    "share",
                );
            }
        }
        push(
            Item::Hhi(Stage::Magnet, None),
            "hhi",
            "magnet".into(),
            String::new(),
            "magnet",
            "0-10000",
        );
        push(
            Item::ChinaShare(Stage::Magnet, None),
            "cn_share",
            "magnet".into(),
            String::new(),
            "magnet",
            "share",
        );
        Headline {
            columns,
            items,
            china: net.regions.iter().position(|r| r == "CN"),
        }
    }

    /// The headline values of one solved year, in column order, appended to `out`.
    pub fn values(&self, model: &Model, d: &YearData, s: &YearSolution, out: &mut Vec<f64>) {
        let n = model.network.regions.len();
        // Demand and shortfall per region and good slot (elements, then magnets).
        let mut dem = vec![[0.0; N_ELEMENTS + 1]; n];
        let mut short = vec![[0.0; N_ELEMENTS + 1]; n];
        for (c, curve) in model.network.curves.iter().enumerate() {
            let r = curve.region.index();
            let (q, gap) = (
                d.baseline_demand[c],
                (d.baseline_demand[c] - s.consumption[c]).max(0.0),
            );
            match curve.good {
                Good::Oxide(e) => {
                    dem[r][e.index()] += q;
                    short[r][e.index()] += gap;
                }
                Good::Magnet => {
                    dem[r][N_ELEMENTS] += q;
                    short[r][N_ELEMENTS] += gap;
                    for e in ELEMENTS {
                        let k = s.recipe[e.index()];
                        if k > 0.0 {
                            dem[r][e.index()] += q * k;
                            short[r][e.index()] += gap * k;
                        }
                    }
                }
            }
        }
        let slot = |g: Good| match g {
            Good::Magnet => N_ELEMENTS,
            Good::Oxide(e) => e.index(),
        };
        let sum = |t: &Vec<[f64; N_ELEMENTS + 1]>, r: Option<usize>, g: Good| match r {
            Some(r) => t[r][slot(g)],
            None => t.iter().map(|x| x[slot(g)]).sum(),
        };
        let needs_stages = self
            .items
            .iter()
            .any(|i| matches!(i, Item::Hhi(..) | Item::ChinaShare(..)));
        let stages = needs_stages.then(|| stage_output(model, s));
        let by_region = |stage: Stage, e: Option<Element>| -> Vec<f64> {
            let so = stages.as_ref().expect("computed when needed");
            match stage {
                Stage::Magnet => so.magnets.clone(),
                _ => {
                    let t = if stage == Stage::Mining {
                        &so.mining
                    } else {
                        &so.separation
                    };
                    t.iter()
                        .map(|row| match e {
                            Some(e) => row[e.index()],
                            None => row.iter().sum(),
                        })
                        .collect()
                }
            }
        };
        for item in &self.items {
            out.push(match *item {
                Item::Price(r, Good::Magnet) => s.magnet_price[r].unwrap_or(f64::NAN),
                Item::Price(r, Good::Oxide(e)) => s.prices[r][e.index()].unwrap_or(f64::NAN),
                Item::Demand(r, g) => sum(&dem, r, g),
                Item::Shortfall(r, g) => sum(&short, r, g),
                Item::ShortfallShare(r, g) => {
                    let q = sum(&dem, r, g);
                    if q > 0.0 {
                        sum(&short, r, g) / q
                    } else {
                        0.0
                    }
                }
                Item::Hhi(stage, e) => hhi(&by_region(stage, e)),
                Item::ChinaShare(stage, e) => {
                    let q = by_region(stage, e);
                    let total: f64 = q.iter().sum();
                    match self.china {
                        Some(cn) if total > 0.0 => q[cn] / total,
                        _ => 0.0,
                    }
                }
            });
        }
    }
}
