//! Dataset → market network: facilities, curves and trade-cost matrices.

use oreflow_core::{Commodity, Dataset, RegionId};
use oreflow_market::{CurveSpec, Good, MineSpec, Network, PlantSpec};

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
            })
            .collect(),
        magnet_plants: ds
            .magnet_plants
            .iter()
            .map(|p| PlantSpec {
                name: p.id.clone(),
                region: p.region,
            })
            .collect(),
        recipe: ds.recipe_array(),
        curves,
        concentrate_cost: matrix(Commodity::Concentrate),
        oxide_cost: matrix(Commodity::Oxide),
        magnet_cost: matrix(Commodity::Magnet),
        caps: Vec::new(),
        strategic: Vec::new(),
    }
}
