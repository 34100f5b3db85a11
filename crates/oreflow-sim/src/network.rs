//! Dataset → market network: facilities, curves and trade-cost matrices.

use oreflow_core::{Commodity, Dataset, RegionId};
use oreflow_core::{Element, ELEMENTS};
use oreflow_market::{CapGroup, CurveSpec, Good, MineSpec, Network, PlantSpec};

use crate::policy::{ControlKind, Policies};

pub(crate) fn build(ds: &Dataset) -> Network {
    let n = ds.regions.len();
    let matrix = |c: Commodity| -> Vec<Vec<f64>> {
        (0..n)
            .map(|i| {
                (0..n)
                    .map(|j| ds.trade_cost(c, RegionId(i as u16), RegionId(j as u16)).0)
                    .collect()
            })
            .collect()
    };
    let mut curves: Vec<CurveSpec> = Vec::new();
    for d in &ds.magnet_demand {
        if !curves
            .iter()
            .any(|c| c.region == d.region && c.end_use == d.end_use && c.good == Good::Magnet)
        {
            curves.push(CurveSpec {
                region: d.region,
                end_use: d.end_use,
                good: Good::Magnet,
                label: format!(
                    "{} {} magnets",
                    ds.region_code(d.region),
                    ds.end_uses[d.end_use].id
                ),
            });
        }
    }
    for d in &ds.oxide_demand {
        let good = Good::Oxide(d.element);
        if !curves
            .iter()
            .any(|c| c.region == d.region && c.end_use == d.end_use && c.good == good)
        {
            curves.push(CurveSpec {
                region: d.region,
                end_use: d.end_use,
                good,
                label: format!(
                    "{} {} {}",
                    ds.region_code(d.region),
                    ds.end_uses[d.end_use].id,
                    d.element
                ),
            });
        }
    }
    Network {
        regions: ds.regions.iter().map(|r| r.code.clone()).collect(),
        mines: ds
            .mines
            .iter()
            .map(|m| MineSpec {
                name: m.id.clone(),
                region: m.region,
                composition: ds.ore_types[m.ore_type].composition,
            })
            .collect(),
        separation_plants: ds
            .separation_plants
            .iter()
            .map(|p| PlantSpec {
                name: p.id.clone(),
                region: p.region,
                heavy_to: p.heavy_to,
            })
            .collect(),
        magnet_plants: ds
            .magnet_plants
            .iter()
            .map(|p| PlantSpec {
                name: p.id.clone(),
                region: p.region,
                heavy_to: None,
            })
            .collect(),
        recipe: ds.recipe_array(),
        curves,
        concentrate_cost: matrix(Commodity::Concentrate),
        oxide_cost: matrix(Commodity::Oxide),
        magnet_cost: matrix(Commodity::Magnet),
        caps: Vec::new(),
        strategic: Vec::new(),
        offtakes: Vec::new(),
        tie_break: oreflow_market::DEFAULT_TIE_BREAK,
        cost_break: oreflow_market::DEFAULT_DEGENERACY_BREAK,
        bound_break: oreflow_market::DEFAULT_DEGENERACY_BREAK,
        production_caps: Vec::new(),
    }
}

/// One production-cap group per region with a mining quota (in the data or
/// a scenario): its reported mines. Returns the region of each group.
pub(crate) fn add_production_caps(
    net: &mut Network,
    ds: &Dataset,
    policies: &Policies,
) -> Vec<RegionId> {
    let mut regions: Vec<RegionId> = ds.production_quotas.iter().map(|q| q.region).collect();
    regions.extend(policies.production_quotas.iter().map(|q| q.region));
    regions.sort();
    regions.dedup();
    for &r in &regions {
        net.production_caps.push(oreflow_market::ProductionCap {
            label: format!("mining quota of {}", ds.region_code(r)),
            mines: ds
                .mines
                .iter()
                .enumerate()
                .filter(|(_, m)| m.region == r && !m.unreported)
                .map(|(k, _)| k)
                .collect(),
        });
    }
    regions
}

/// Adds the LP structure that policies need: one cap group per quota or
/// licence control and stage, one strategic stockpile per stockpile. Returns
/// the control index behind each cap group.
pub(crate) fn add_policy_structure(net: &mut Network, policies: &Policies) -> Vec<usize> {
    let mut owner = Vec::new();
    for (k, c) in policies.export_controls.iter().enumerate() {
        let capped = match c.kind {
            ControlKind::Quota { .. } => true,
            ControlKind::Licence { share, .. } => share.is_some(),
            ControlKind::Ban | ControlKind::Tax { .. } => false,
        };
        if !capped {
            continue;
        }
        for &stage in &c.stages {
            // Oxides are capped element by element (a licence limits each
            // element's exports); concentrate and magnets as one flow.
            // A pooled control caps all covered oxides together.
            let groups: Vec<Vec<Element>> = if stage == oreflow_core::Commodity::Oxide && !c.pooled
            {
                let els: Vec<Element> = if c.elements.is_empty() {
                    ELEMENTS.to_vec()
                } else {
                    c.elements.clone()
                };
                els.into_iter().map(|e| vec![e]).collect()
            } else {
                vec![c.elements.clone()]
            };
            for els in groups {
                let what = if els.len() == 1 {
                    format!("{} {}", els[0], stage.as_str())
                } else {
                    stage.as_str().to_string()
                };
                net.caps.push(CapGroup {
                    label: format!("{} ({what})", c.label),
                    commodity: stage,
                    elements: els,
                    from: c.origin,
                    to: c.destinations.clone(),
                });
                owner.push(k);
            }
        }
    }
    net.strategic = policies
        .stockpiles
        .iter()
        .map(|s| (s.region, s.element))
        .collect();
    net.offtakes = policies
        .links
        .iter()
        .filter_map(|l| {
            l.offtake_share.map(|share| oreflow_market::Offtake {
                from: l.a,
                to: l.b,
                share,
            })
        })
        .collect();
    owner
}

/// Value of one kg of each region's average 2024 concentrate at reference
/// prices (USD/kg REO); the world average where a region mined nothing.
pub(crate) fn concentrate_values(ds: &Dataset) -> Vec<f64> {
    let price = |e: Element| ds.reference_price(e).map(|p| p.0).unwrap_or(0.0);
    let basket = |comp: &[f64; 15]| {
        ELEMENTS
            .iter()
            .map(|&e| comp[e.index()] * price(e))
            .sum::<f64>()
    };
    let n = ds.regions.len();
    let mut value = vec![0.0; n];
    let mut tonnes = vec![0.0; n];
    for m in &ds.mines {
        let k = m.capacity.at(ds.reference_year);
        value[m.region.index()] += k * basket(&ds.ore_types[m.ore_type].composition);
        tonnes[m.region.index()] += k;
    }
    let world = value.iter().sum::<f64>() / tonnes.iter().sum::<f64>().max(1.0);
    (0..n)
        .map(|r| {
            if tonnes[r] > 0.0 {
                value[r] / tonnes[r]
            } else {
                world
            }
        })
        .collect()
}
