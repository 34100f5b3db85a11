//! Calibration of the demand curves to the reference year (MODEL.md §2).
//!
//! Each curve passes through its reference quantity and price with the end
//! use's elasticity. Reference prices are the USGS 2024 oxide prices; the
//! magnet reference price is the oxide content at those prices plus the
//! conversion cost of the marginal (highest-cost) magnet plant operating in
//! the reference year. Magnet quantities are taken as given; direct oxide
//! quantities keep the regional and end-use distribution of
//! `oxide_demand.csv` but are scaled per element so that the reference year's
//! mine supply (all mines at capacity) is used at the reference price:
//! `direct_e = supply_e − magnet_use_e`. The scale factors are reported so
//! the adjustment is visible (`oreflow data --check`).
//!
//! USGS prices are FOB China, so a region other than China is calibrated at
//! the delivered price: the reference price plus the cost of shipping from
//! China (when the dataset has a region `CN`).

use oreflow_core::{Dataset, Element, ELEMENTS, N_ELEMENTS};
use oreflow_market::{Good, Network};

use crate::SimError;

/// Reference point and elasticity of one demand curve.
#[derive(Clone, Debug, PartialEq)]
pub struct CurveRef {
    /// Reference-year quantity (t REO or t magnet).
    pub q_ref: f64,
    /// Reference price (USD/kg).
    pub p_ref: f64,
    pub elasticity: f64,
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
    /// Sum of `oxide_demand.csv` per element, before scaling (t REO).
    pub listed_direct: [f64; N_ELEMENTS],
    /// Scale applied to the listed direct demand per element (`None`: unpriced).
    pub scale: [Option<f64>; N_ELEMENTS],
    /// Per region and element: reference-year use (direct, plus the content of
    /// the region's magnet demand), t REO, and the regional reference price.
    pub regional_use: Vec<[(f64, f64); N_ELEMENTS]>,
}

pub(crate) fn calibrate(ds: &Dataset, net: &Network) -> Result<Calibration, SimError> {
    let y = ds.reference_year;
    let mut supply = [0.0; N_ELEMENTS];
    for m in &ds.mines {
        let k = m.capacity.at(y);
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
    let price = |e: Element| ds.reference_price(e).map(|p| p.0);
    let mut scale = [None; N_ELEMENTS];
    for e in ELEMENTS {
        let i = e.index();
        if recipe[i] > 0.0 && price(e).is_none() {
            return Err(SimError::Calibration(format!(
                "{e} is in the magnet recipe (magnet_recipe.csv) but has no reference price (elements.csv)"
            )));
        }
        if price(e).is_none() || listed[i] == 0.0 {
            continue;
        }
        let direct = supply[i] - magnet_use[i];
        if direct <= 0.0 {
            return Err(SimError::Calibration(format!(
                "{e}: reference-year mine supply {:.0} t REO (mines.csv × ore_types.csv) does not cover the {:.0} t \
                 used by {magnets:.0} t of magnets (magnet_demand.csv × magnet_recipe.csv), leaving nothing for the \
                 {:.0} t of direct uses listed in oxide_demand.csv",
                supply[i], magnet_use[i], listed[i]
            )));
        }
        scale[i] = Some(direct / listed[i]);
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
                    listed_q * scale[e.index()].unwrap_or(0.0),
                    price(e).unwrap_or(0.0) + delivered(&net.oxide_cost, to),
                )
            }
        };
        curves.push(CurveRef {
            q_ref,
            p_ref,
            elasticity,
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
        scale,
        regional_use,
    })
}
