//! Market shares by region and the Herfindahl–Hirschman index per stage.

use oreflow_core::{Element, Stage, Year, ELEMENTS, N_ELEMENTS};
use oreflow_market::YearSolution;
use oreflow_sim::{Model, RunResult};
use serde::Serialize;

/// Label of the Nd+Pr+Dy+Tb aggregate (the IEA's "magnet rare earths").
pub const MAGNET_REE: &str = "magnet_ree";

/// CSV columns of [`ShareRow`], in field order.
pub const SHARE_COLUMNS: [&str; 8] = [
    "year",
    "stage",
    "element",
    "region",
    "tonnes",
    "share",
    "hhi",
    "top3_share",
];

/// Share of one region in one stage's output of one element (or aggregate).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ShareRow {
    pub year: Year,
    pub stage: Stage,
    /// Element symbol, `all` (all REO, or all magnets), or `magnet_ree`.
    pub element: String,
    pub region: String,
    pub tonnes: f64,
    /// Share of the stage total, 0–1.
    pub share: f64,
    /// HHI of the stage and element over regions, 0–10,000 (same on every row of the group).
    pub hhi: f64,
    /// Combined share of the three largest regions, 0–1 (same on every row of the group).
    pub top3_share: f64,
}

/// HHI on the 0–10,000 scale from quantities.
pub fn hhi(quantities: &[f64]) -> f64 {
    let total: f64 = quantities.iter().sum();
    if total <= 0.0 {
        return 0.0;
    }
    quantities.iter().map(|q| (100.0 * q / total).powi(2)).sum()
}

/// One year's output per stage and region: mining and separation per
/// element (t REO), magnets (t magnet).
#[derive(Clone, Debug, PartialEq)]
pub struct StageOutput {
    pub mining: Vec<[f64; N_ELEMENTS]>,
    /// Separated in the region, including heavy by-product separated there.
    pub separation: Vec<[f64; N_ELEMENTS]>,
    pub magnets: Vec<f64>,
}

/// Output per stage and region in one solved year (the quantities behind
/// [`shares`]).
pub fn stage_output(model: &Model, s: &YearSolution) -> StageOutput {
    let ds = &model.dataset;
    let n = model.network.regions.len();
    let mut mining = vec![[0.0; N_ELEMENTS]; n];
    for (m, mine) in ds.mines.iter().enumerate() {
        for e in ELEMENTS {
            mining[mine.region.index()][e.index()] +=
                s.mine_output[m] * ds.ore_types[mine.ore_type].composition[e.index()];
        }
    }
    let mut separation = vec![[0.0; N_ELEMENTS]; n];
    for (p, plant) in ds.separation_plants.iter().enumerate() {
        for e in ELEMENTS {
            separation[plant.region.index()][e.index()] += s.separated[p][e.index()];
        }
    }
    // Heavy by-product is separated in the region that receives it.
    for (r, by) in s.heavy_byproduct.iter().enumerate() {
        for e in ELEMENTS {
            separation[r][e.index()] += by[e.index()];
        }
    }
    let mut magnets = vec![0.0; n];
    for (p, plant) in ds.magnet_plants.iter().enumerate() {
        magnets[plant.region.index()] += s.magnet_output[p];
    }
    StageOutput {
        mining,
        separation,
        magnets,
    }
}

/// Market shares per year, stage and element (plus `all` and `magnet_ree`).
pub fn shares(model: &Model, run: &RunResult) -> Vec<ShareRow> {
    let mut out = Vec::new();
    for yr in &run.years {
        let s = &yr.solution;
        let StageOutput {
            mining,
            separation,
            magnets,
        } = stage_output(model, s);
        let mut push_group = |stage: Stage, element: &str, q: Vec<f64>| {
            let total: f64 = q.iter().sum();
            if total <= 0.0 {
                return;
            }
            let h = hhi(&q);
            let mut sorted = q.clone();
            sorted.sort_by(|a, b| b.total_cmp(a));
            let top3 = sorted.iter().take(3).sum::<f64>() / total;
            for (r, &t) in q.iter().enumerate() {
                if t > 0.0 {
                    out.push(ShareRow {
                        year: s.year,
                        stage,
                        element: element.to_string(),
                        region: model.network.regions[r].clone(),
                        tonnes: (t * 1e6).round() / 1e6,
                        share: t / total,
                        hhi: h,
                        top3_share: top3,
                    });
                }
            }
        };
        for (stage, table) in [(Stage::Mining, &mining), (Stage::Separation, &separation)] {
            push_group(stage, "all", table.iter().map(|r| r.iter().sum()).collect());
            push_group(
                stage,
                MAGNET_REE,
                table
                    .iter()
                    .map(|r| Element::MAGNET.iter().map(|e| r[e.index()]).sum())
                    .collect(),
            );
            for e in ELEMENTS {
                push_group(
                    stage,
                    e.symbol(),
                    table.iter().map(|r| r[e.index()]).collect(),
                );
            }
        }
        push_group(Stage::Magnet, "all", magnets);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::hhi;

    #[test]
    fn hhi_of_monopoly_and_duopoly() {
        assert_eq!(hhi(&[5.0]), 10_000.0);
        assert_eq!(hhi(&[1.0, 1.0]), 5_000.0);
        assert_eq!(hhi(&[]), 0.0);
    }
}
