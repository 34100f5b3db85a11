//! `oreflow data`: list tables and sources, validate a dataset.

use std::fmt::Write;
use std::path::PathBuf;

use clap::Args;
use oreflow_core::{Quality, ELEMENTS};
use oreflow_data::TABLES;
use oreflow_sim::{Model, RunConfig};

use crate::{load_dataset, Failure};

#[derive(Args, Debug)]
pub(crate) struct DataArgs {
    /// A directory of CSV tables to inspect instead of the embedded dataset.
    dataset: Option<PathBuf>,
    /// Validate the dataset and its calibration; exit 2 on problems.
    #[arg(long)]
    check: bool,
    /// List every source with the tables and rows that cite it.
    #[arg(long)]
    sources: bool,
}

pub(crate) fn run(a: DataArgs) -> Result<(), Failure> {
    let (name, ds) = load_dataset(a.dataset.as_ref())?;
    let mut o = String::new();
    // Rows of a table, and how many of them are estimates or announcements.
    let count = |file: &str| -> (usize, usize) {
        let rows: Vec<Quality> = ds
            .provenances()
            .filter(|p| p.file == file)
            .map(|p| p.quality)
            .collect();
        let est = rows
            .iter()
            .filter(|q| matches!(q, Quality::Estimate | Quality::Announced))
            .count();
        (rows.len(), est)
    };
    let _ = writeln!(o, "dataset: {name} ({} sources)\n", ds.sources.len());
    let _ = writeln!(
        o,
        "{:<22} {:>5} {:>9}  content",
        "table", "rows", "estimates"
    );
    for t in TABLES {
        let (rows, est) = match t.file {
            "sources.csv" => (ds.sources.len(), 0),
            // Settings, not rows: reference year, default last year and growth path.
            "dataset.csv" => (3, 0),
            "demand_growth.csv" => (
                ds.growth_paths
                    .iter()
                    .map(|p| p.points.iter().map(Vec::len).sum::<usize>())
                    .sum(),
                0,
            ),
            f => count(f),
        };
        let est = if t.file == "demand_growth.csv" {
            "–".to_string()
        } else {
            est.to_string()
        };
        let _ = writeln!(
            o,
            "{:<22} {:>5} {:>9}  {}",
            t.file, rows, est, t.description
        );
    }
    if a.sources {
        let _ = writeln!(o, "\nsources:");
        for s in &ds.sources {
            let year = s
                .year
                .map(|y| y.to_string())
                .unwrap_or_else(|| "n.d.".into());
            let table = if s.table.is_empty() {
                String::new()
            } else {
                format!(", {}", s.table)
            };
            let _ = writeln!(
                o,
                "  [{}] {} ({year}){table}. {}",
                s.id, s.publication, s.url
            );
        }
    } else {
        let _ = writeln!(
            o,
            "\n`oreflow data --sources` lists the {} sources; `--check` validates.",
            ds.sources.len()
        );
    }
    if a.check {
        let ry = ds.reference_year;
        let model = Model::new(ds.clone(), RunConfig::for_dataset(&ds))
            .map_err(|e| Failure::input(e.to_string()))?;
        let c = &model.calibration;
        let _ = writeln!(o, "\ncheck: all tables parse, ids resolve, compositions sum to 1, capacities and costs are non-negative.");
        let where_ = c
            .unattributed_region
            .map(|r| ds.region_code(r).to_string())
            .unwrap_or_else(|| "-".into());
        let _ = writeln!(o, "calibration to {ry}: all mines at capacity; magnets and direct uses as listed (no demand is scaled);");
        let _ = writeln!(o, "the rest of supply is sourced stock change, then an unattributed residual: absorbed in {where_} before any end use,");
        let _ = writeln!(o, "whatever the price, moving with last year's world mine output of the element (negative: a fixed supply):");
        let _ = writeln!(
            o,
            "{:>4} {:>10} {:>10} {:>14} {:>13} {:>13} {:>8}",
            "el.",
            "supply t",
            "magnets t",
            "listed direct",
            "stock change",
            "unattributed",
            "share"
        );
        for e in ELEMENTS {
            let i = e.index();
            let (u, share) = match c.unattributed[i] {
                Some(u) => (
                    format!("{u:.0}"),
                    format!("{:.0}%", 100.0 * u / c.supply[i].max(1e-9)),
                ),
                None => ("unpriced".into(), String::new()),
            };
            let _ = writeln!(
                o,
                "{:>4} {:>10.0} {:>10.0} {:>14.0} {:>13.0} {:>13} {:>8}",
                e.symbol(),
                c.supply[i],
                c.magnet_use[i],
                c.listed_direct[i],
                c.stock_change[i],
                u,
                share
            );
        }
        let _ = writeln!(o, "magnet reference price: {:.2} USD/kg (oxide content at reference prices + marginal conversion cost)", c.magnet_price);
        // Solve the reference year and flag facilities that stand idle or
        // part-idle although they had output in it: their costs are above
        // what the reference prices pay (a calibration problem to look at).
        // Mines must all run; plants must run unless they are the marginal
        // (highest-cost) plants of their stage, which carry the headroom.
        let one = Model::new(
            ds.clone(),
            RunConfig {
                to: ry,
                ..RunConfig::for_dataset(&ds)
            },
        )
        .map_err(|e| Failure::input(e.to_string()))?;
        let r = oreflow_sim::run(&one, &oreflow_lp::HighsBackend::default(), |_| {})
            .map_err(|e| Failure::model(e.to_string()))?;
        let (s, d) = (&r.years[0].solution, &r.years[0].data);
        let mut idle = Vec::new();
        let marginal = |costs: Vec<f64>| costs.into_iter().fold(f64::NEG_INFINITY, f64::max);
        let sep_max = marginal(
            ds.separation_plants
                .iter()
                .enumerate()
                .filter(|(p, _)| d.separation_capacity[*p] > 0.0)
                .map(|(_, x)| x.cost.0)
                .collect(),
        );
        let mag_max = marginal(
            ds.magnet_plants
                .iter()
                .enumerate()
                .filter(|(p, _)| d.magnet_capacity[*p] > 0.0)
                .map(|(_, x)| x.cost.0)
                .collect(),
        );
        let mut check =
            |id: &str, status: oreflow_core::Status, cap: f64, out: f64, is_marginal: bool| {
                if status == oreflow_core::Status::Operating
                    && !is_marginal
                    && cap > 0.0
                    && out < 0.99 * cap
                {
                    idle.push(format!("  {id}: {out:.0} of {cap:.0} t in {ry}"));
                }
            };
        for (m, x) in ds.mines.iter().enumerate() {
            check(&x.id, x.status, d.mine_capacity[m], s.mine_output[m], false);
        }
        for (p, x) in ds.separation_plants.iter().enumerate() {
            check(
                &x.id,
                x.status,
                d.separation_capacity[p],
                s.separation_feed[p],
                x.cost.0 >= sep_max,
            );
        }
        for (p, x) in ds.magnet_plants.iter().enumerate() {
            check(
                &x.id,
                x.status,
                d.magnet_capacity[p],
                s.magnet_output[p],
                x.cost.0 >= mag_max,
            );
        }
        if idle.is_empty() {
            let _ = writeln!(
                o,
                "reference-year equilibrium: every operating mine, and every plant below the marginal cost of its stage, runs at its {ry} capacity."
            );
        } else {
            let _ = writeln!(o, "warning: operating facilities below capacity in the {ry} equilibrium (costs above what reference prices pay?):");
            for l in idle {
                let _ = writeln!(o, "{l}");
            }
        }
    }
    print!("{o}");
    Ok(())
}
