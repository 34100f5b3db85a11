//! Calibration of the demand curves to the reference year (MODEL.md §2).
//!
//! Each curve passes through its reference quantity and price with the end
//! use's elasticity. Reference prices are the dataset's reference-year oxide
//! prices; the magnet reference price is the oxide content at those prices
//! plus the conversion cost of the marginal (highest-cost) magnet plant
//! operating in the reference year. Magnet and direct oxide quantities are
//! taken as listed (`magnet_demand.csv`, `oxide_demand.csv`); no demand is
//! scaled. What the reference year's mine supply (all mines at capacity)
//! leaves after magnets and listed direct uses is, per element, first the
//! sourced stock changes (`stock_changes.csv`), then an explicit,
//! **unattributed residual**: a fixed quantity absorbed (or, if negative,
//! supplied) in one region every year, that does not respond to prices like
//! an end use. `oreflow data --check` shows both.
//!
//! Reference prices are FOB China, so a region other than China is
//! calibrated at the delivered price: the reference price plus the cost of
//! shipping from China (when the dataset has a region `CN`).

use oreflow_core::{Dataset, Element, RegionId, ELEMENTS, N_ELEMENTS};
use oreflow_market::{Good, Network};

use crate::SimError;

/// Reference point and elasticities of one demand curve.
#[derive(Clone, Debug, PartialEq)]
pub struct CurveRef {
    /// Reference-year quantity (t REO or t magnet).
    pub q_ref: f64,
    /// Reference price (USD/kg).
    pub p_ref: f64,
    /// Long-run elasticity.
    pub elasticity: f64,
    /// Short-run elasticity (the slope of the year's curve).
    pub elasticity_short_run: f64,
}

/// The outcome of calibration.
#[derive(Clone, Debug, PartialEq)]
pub struct Calibration {
    /// Per curve, in network order.
    pub curves: Vec<CurveRef>,
    /// Reference magnet price, USD/kg magnet.
    pub magnet_price: f64,
    /// Reference-year mine supply per element (t REO), all mines at capacity.
    pub supply: [f64; N_ELEMENTS],
    /// Reference-year oxide use in magnets per element (t REO).
    pub magnet_use: [f64; N_ELEMENTS],
    /// Sum of `oxide_demand.csv` per element (t REO).
    pub listed_direct: [f64; N_ELEMENTS],
    /// Sourced reference-year stock changes per element (t REO, positive = built).
    pub stock_change: [f64; N_ELEMENTS],
    /// Unattributed residual per element (t REO): supply − magnets − listed
    /// direct uses − stock changes; `None` for unpriced elements. A positive
    /// residual leaves the market as the same share of every plant's
    /// separated output every year (not separated, stocked or used in ways
    /// the data do not list); a negative one is a fixed supply in
    /// `unattributed_region`.
    pub unattributed: [Option<f64>; N_ELEMENTS],
    /// Region of a negative residual's supply (China, the largest miner and
    /// refiner; else the region with the most mine supply).
    pub unattributed_region: Option<RegionId>,
    /// Per region and element: reference-year use (direct, plus the content of
    /// the region's magnet demand), t REO, and the regional reference price.
    pub regional_use: Vec<[(f64, f64); N_ELEMENTS]>,
}

pub(crate) fn calibrate(ds: &Dataset, net: &Network) -> Result<Calibration, SimError> {
    let y = ds.reference_year;
    let mut supply = [0.0; N_ELEMENTS];
    let mut by_region = vec![0.0; ds.regions.len()];
    for m in &ds.mines {
        let k = m.capacity.at(y);
        by_region[m.region.index()] += k;
        for e in ELEMENTS {
            supply[e.index()] += k * ds.ore_types[m.ore_type].composition[e.index()];
        }
    }
    let recipe = ds.recipe_array();
    let magnets: f64 = ds.magnet_demand.iter().map(|d| d.quantity.0).sum();
    let mut magnet_use = [0.0; N_ELEMENTS];
    for e in ELEMENTS {
        magnet_use[e.index()] = magnets * recipe[e.index()];
    }
    let mut listed = [0.0; N_ELEMENTS];
    for d in &ds.oxide_demand {
        listed[d.element.index()] += d.quantity.0;
    }
    let mut stock_change = [0.0; N_ELEMENTS];
    for c in &ds.stock_changes {
        stock_change[c.element.index()] += c.tonnes;
    }
    let price = |e: Element| ds.reference_price(e).map(|p| p.0);
    let unattributed_region = ds.region("CN").or_else(|| {
        (0..by_region.len())
            .max_by(|&a, &b| by_region[a].total_cmp(&by_region[b]))
            .map(|i| RegionId(i as u16))
    });
    let mut unattributed = [None; N_ELEMENTS];
    for e in ELEMENTS {
        let i = e.index();
        if recipe[i] > 0.0 && price(e).is_none() {
            return Err(SimError::Calibration(format!(
                "{e} is in the magnet recipe (magnet_recipe.csv) but has no reference price (elements.csv)"
            )));
        }
        if price(e).is_none() {
            continue;
        }
        let residual = supply[i] - magnet_use[i] - listed[i] - stock_change[i];
        // A negative residual is supplied from nowhere the data name; more
        // than the whole mine supply is not a residual but a mistake.
        if residual < -supply[i] {
            return Err(SimError::Calibration(format!(
                "{e}: the listed uses need {:.0} t REO ({:.0} t in {magnets:.0} t of magnets, magnet_demand.csv × magnet_recipe.csv; \
                 {:.0} t of direct uses, oxide_demand.csv; {:.0} t of stock change, stock_changes.csv), more than twice the \
                 {:.0} t the reference year's mines supply (mines.csv × ore_types.csv)",
                magnet_use[i] + listed[i] + stock_change[i],
                magnet_use[i],
                listed[i],
                stock_change[i],
                supply[i]
            )));
        }
        unattributed[i] = Some(residual);
    }
    let magnet_cost = ds
        .magnet_plants
        .iter()
        .filter(|p| p.capacity.at(y) > 0.0)
        .map(|p| p.cost.0)
        .fold(f64::NAN, f64::max);
    let content: f64 = ELEMENTS
        .iter()
        .map(|&e| recipe[e.index()] * price(e).unwrap_or(0.0))
        .sum();
    let magnet_price = content
        + if magnet_cost.is_nan() {
            0.0
        } else {
            magnet_cost
        };

    let china = ds.region("CN").map(|r| r.index());
    let delivered =
        |matrix: &Vec<Vec<f64>>, to: usize| china.map(|cn| matrix[cn][to]).unwrap_or(0.0);
    let mut curves = Vec::with_capacity(net.curves.len());
    for c in &net.curves {
        let to = c.region.index();
        let elasticity = ds.end_uses[c.end_use].elasticity;
        let elasticity_short_run = ds.end_uses[c.end_use].elasticity_short_run;
        let (q_ref, p_ref) = match c.good {
            Good::Magnet => (
                ds.magnet_demand
                    .iter()
                    .filter(|d| d.region == c.region && d.end_use == c.end_use)
                    .map(|d| d.quantity.0)
                    .sum(),
                magnet_price + delivered(&net.magnet_cost, to),
            ),
            Good::Oxide(e) => {
                let listed_q: f64 = ds
                    .oxide_demand
                    .iter()
                    .filter(|d| d.region == c.region && d.end_use == c.end_use && d.element == e)
                    .map(|d| d.quantity.0)
                    .sum();
                (
                    listed_q,
                    price(e).unwrap_or(0.0) + delivered(&net.oxide_cost, to),
                )
            }
        };
        curves.push(CurveRef {
            q_ref,
            p_ref,
            elasticity,
            elasticity_short_run,
        });
    }
    let mut regional_use = vec![[(0.0, 0.0); N_ELEMENTS]; net.regions.len()];
    for (c, r) in net.curves.iter().zip(&curves) {
        let reg = c.region.index();
        match c.good {
            Good::Oxide(e) => {
                regional_use[reg][e.index()].0 += r.q_ref;
                regional_use[reg][e.index()].1 = r.p_ref;
            }
            Good::Magnet => {
                for e in ELEMENTS {
                    if recipe[e.index()] > 0.0 {
                        regional_use[reg][e.index()].0 += r.q_ref * recipe[e.index()];
                        regional_use[reg][e.index()].1 =
                            price(e).unwrap_or(0.0) + delivered(&net.oxide_cost, reg);
                    }
                }
            }
        }
    }
    Ok(Calibration {
        curves,
        magnet_price,
        supply,
        magnet_use,
        listed_direct: listed,
        stock_change,
        unattributed,
        unattributed_region,
        regional_use,
    })
}

/// Re-anchors the curves of regions other than China at the prices a
/// policy-free solve of the reference year gives them (see
/// `Model::with_policies`): a region that exports a good pays China's price
/// less freight, not plus freight. China's curves keep the reference price.
pub(crate) fn reanchor(
    cal: &mut Calibration,
    probe: &crate::Model,
    s: &oreflow_market::YearSolution,
) {
    let Some(cn) = probe.dataset.region("CN") else {
        return;
    };
    let floor = probe.config.curve.min_multiple;
    for (c, curve) in probe.network.curves.iter().enumerate() {
        if curve.region == cn {
            continue;
        }
        let r = &mut cal.curves[c];
        if let Some(p) = probe.curve_price(c, s) {
            // Only a price the region's market set (not one below the floor
            // of demand, where nothing is bought).
            if p > floor * r.p_ref && s.consumption[c] > 0.0 {
                r.p_ref = p;
            }
        }
    }
    for (reg, row) in cal.regional_use.iter_mut().enumerate() {
        if reg == cn.index() {
            continue;
        }
        for e in ELEMENTS {
            if let Some(p) = s.prices.get(reg).and_then(|p| p[e.index()]) {
                let (_, p_ref) = &mut row[e.index()];
                if p > floor * *p_ref {
                    *p_ref = p;
                }
            }
        }
    }
}
