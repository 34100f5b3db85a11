//! `oreflow compare A [B]`.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::PathBuf;

use clap::Args;
use oreflow_core::Stage;
use oreflow_lp::HighsBackend;
use oreflow_sim::run as run_model;

use crate::output::{begin, write_csv, write_json};
use crate::run_cmd::check_years;
use crate::{build_model, load_scenario, Failure, RunOverrides};

#[derive(Args, Debug)]
pub(crate) struct CompareArgs {
    /// Scenario A: `baseline`, a scenario file (.toml) or a directory of tables.
    a: PathBuf,
    /// Scenario B [default: baseline]
    b: Option<PathBuf>,
    /// Output directory [default: out/compare-<A>-vs-<B>]
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// First year (overrides both scenarios).
    #[arg(long)]
    from: Option<i32>,
    /// Last year (overrides both scenarios).
    #[arg(long)]
    to: Option<i32>,
    /// Regions shown in the terminal price table.
    #[arg(long, value_delimiter = ',', num_args = 1.., default_value = "CN,JP,US,EU,KR,IN")]
    regions: Vec<String>,
}

pub(crate) fn run(a: CompareArgs) -> Result<(), Failure> {
    let o = RunOverrides {
        from: a.from,
        to: a.to,
        growth: None,
    };
    check_years(&o)?;
    let sa = load_scenario(Some(&a.a))?;
    let sb = load_scenario(a.b.as_ref())?;
    let dir = a.out.clone().unwrap_or_else(|| {
        let slug = |s: &str| oreflow_io::slug(s).unwrap_or_else(|| "scenario".into());
        PathBuf::from("out").join(format!("compare-{}-vs-{}", slug(&sa.name), slug(&sb.name)))
    });
    let mut inputs: Vec<&std::path::Path> = vec![a.a.as_path()];
    inputs.extend(a.b.as_deref());
    inputs.extend(sa.files.iter().chain(&sb.files).map(|p| p.as_path()));
    let fingerprint = oreflow_io::fingerprint(&(
        &sa.dataset,
        &sa.policies,
        &sb.dataset,
        &sb.policies,
        &o.from,
        &o.to,
    ));
    let out = begin(&dir, "compare", fingerprint, &inputs)?;
    let (name_a, ma) = build_model(sa, &o)?;
    let (name_b, mb) = build_model(sb, &o)?;
    let backend = HighsBackend::default();
    let ra =
        run_model(&ma, &backend, |_| {}).map_err(|e| Failure::model(format!("{name_a}: {e}")))?;
    let rb =
        run_model(&mb, &backend, |_| {}).map_err(|e| Failure::model(format!("{name_b}: {e}")))?;
    let c = oreflow_metrics::compare(&ma, &ra, &mb, &rb);
    let dir = &out;
    write_csv(
        dir,
        "price_changes.csv",
        &c.prices,
        &[
            "year",
            "region",
            "commodity",
            "usd_per_kg_a",
            "usd_per_kg_b",
            "change_pct",
        ],
    )?;
    write_csv(
        dir,
        "shortfall_changes.csv",
        &c.shortfall,
        &[
            "year",
            "region",
            "end_use",
            "element",
            "shortfall_t_a",
            "shortfall_t_b",
            "change_t",
            "lost_output_usd",
        ],
    )?;
    write_csv(
        dir,
        "welfare_changes.csv",
        &c.welfare,
        &[
            "year",
            "region",
            "consumer_surplus_usd_a",
            "consumer_surplus_usd_b",
            "producer_surplus_usd_a",
            "producer_surplus_usd_b",
            "surplus_change_usd",
            "lost_output_usd",
        ],
    )?;
    let rel_header = oreflow_metrics::RELIANCE_COLUMNS;
    write_csv(
        dir,
        "import_reliance_a.csv",
        &oreflow_metrics::import_reliance(&ma, &ra),
        &rel_header,
    )?;
    write_csv(
        dir,
        "import_reliance_b.csv",
        &oreflow_metrics::import_reliance(&mb, &rb),
        &rel_header,
    )?;
    let va_header = [
        "year",
        "miner",
        "processor",
        "concentrate_exports_usd",
        "processed_imports_usd",
    ];
    write_csv(
        dir,
        "value_added_a.csv",
        &oreflow_metrics::value_added(&ma, &ra),
        &va_header,
    )?;
    write_csv(
        dir,
        "value_added_b.csv",
        &oreflow_metrics::value_added(&mb, &rb),
        &va_header,
    )?;
    let sa = oreflow_metrics::shares(&ma, &ra);
    let sb = oreflow_metrics::shares(&mb, &rb);
    write_csv(dir, "shares_a.csv", &sa, &oreflow_metrics::SHARE_COLUMNS)?;
    write_csv(dir, "shares_b.csv", &sb, &oreflow_metrics::SHARE_COLUMNS)?;

    // Totals per region over the horizon.
    let totals: BTreeMap<String, (f64, f64)> = c
        .totals_by_region()
        .into_iter()
        .map(|t| (t.region, (t.surplus_change_usd, t.lost_output_usd)))
        .collect();
    write_json(
        dir,
        "compare.json",
        &serde_json::json!({
            "a": name_a, "b": name_b, "years": [ma.config.from, ma.config.to],
            "surplus_change_usd_by_region": totals.iter().map(|(k, v)| (k.clone(), v.0)).collect::<BTreeMap<_, _>>(),
            "lost_output_usd_by_region": totals.iter().map(|(k, v)| (k.clone(), v.1)).collect::<BTreeMap<_, _>>(),
        }),
    )?;

    let mut t = String::new();
    let _ = writeln!(
        t,
        "oreflow compare · A = {name_a} · B = {name_b} · {}–{}",
        ma.config.from, ma.config.to
    );
    let _ = writeln!(
        t,
        "\nAverage price over the horizon, A vs B (USD/kg; change in %)"
    );
    let _ = write!(t, "{:<8}", "");
    for r in &a.regions {
        let _ = write!(t, "{r:>22}");
    }
    let _ = writeln!(t);
    for commodity in ["Nd", "Pr", "Dy", "Tb", "Sm", "Y", "magnet"] {
        let _ = write!(t, "{commodity:<8}");
        for r in &a.regions {
            let rows: Vec<_> = c
                .prices
                .iter()
                .filter(|p| &p.region == r && p.commodity == commodity)
                .collect();
            if rows.is_empty() {
                let _ = write!(t, "{:>22}", "–");
                continue;
            }
            let n = rows.len() as f64;
            let (pa, pb) = (
                rows.iter().map(|p| p.usd_per_kg_a).sum::<f64>() / n,
                rows.iter().map(|p| p.usd_per_kg_b).sum::<f64>() / n,
            );
            let pct = if pb > 0.0 {
                100.0 * (pa - pb) / pb
            } else {
                0.0
            };
            let _ = write!(t, "{:>22}", format!("{pa:.0} vs {pb:.0} ({pct:+.0}%)"));
        }
        let _ = writeln!(t);
    }
    let _ = writeln!(
        t,
        "\nEconomic effect of A against B, summed over the horizon (million USD)"
    );
    let _ = writeln!(
        t,
        "{:<8}{:>22}{:>26}",
        "region", "surplus change (CS+PS)", "downstream output lost"
    );
    let mut rows: Vec<_> = totals
        .iter()
        .filter(|(_, v)| v.0.abs() >= 0.5e6 || v.1 >= 0.5e6)
        .collect();
    rows.sort_by(|x, y| x.1 .0.total_cmp(&y.1 .0));
    for (r, (ds, lost)) in rows {
        let _ = writeln!(t, "{r:<8}{:>22.0}{:>26.0}", ds / 1e6, lost / 1e6);
    }
    let va: BTreeMap<(String, String), (f64, f64, f64, f64)> = oreflow_metrics::value_added_pairs(
        &oreflow_metrics::value_added(&ma, &ra),
        &oreflow_metrics::value_added(&mb, &rb),
    )
    .into_iter()
    .map(|p| {
        (
            (p.miner, p.processor),
            (
                p.concentrate_exports_usd_a,
                p.processed_imports_usd_a,
                p.concentrate_exports_usd_b,
                p.processed_imports_usd_b,
            ),
        )
    })
    .collect();
    let mut pairs: Vec<_> = va
        .into_iter()
        .filter(|(_, v)| (v.0 - v.2).abs() >= 1e6)
        .collect();
    pairs.sort_by(|x, y| (y.1 .0 - y.1 .2).abs().total_cmp(&(x.1 .0 - x.1 .2).abs()));
    if !pairs.is_empty() {
        let _ = writeln!(t, "\nWho captures the value added: concentrate shipped by a miner to a processor, and oxides/magnets sold back (million USD over the horizon, A vs B)");
        for ((miner, processor), (ca, pa, cb, pb)) in pairs.iter().take(6) {
            let _ = writeln!(
                t,
                "  {miner:>4} -> {processor:<4} concentrate {:>8.0} vs {:>8.0}   processed back {:>8.0} vs {:>8.0}",
                ca / 1e6,
                cb / 1e6,
                pa / 1e6,
                pb / 1e6
            );
        }
    }
    let last = ma.config.to;
    let _ = writeln!(
        t,
        "\nChina's share and HHI in {last} (all REO; magnets in t magnet), A vs B"
    );
    for stage in Stage::ALL {
        let f = |rows: &[oreflow_metrics::ShareRow]| {
            let cn = rows.iter().find(|s| {
                s.year == last && s.stage == stage && s.element == "all" && s.region == "CN"
            });
            let h = rows
                .iter()
                .find(|s| s.year == last && s.stage == stage && s.element == "all")
                .map(|s| s.hhi)
                .unwrap_or(0.0);
            (cn.map(|s| s.share).unwrap_or(0.0), h)
        };
        let ((ca, ha), (cb, hb)) = (f(&sa), f(&sb));
        let _ = writeln!(
            t,
            "  {:<11} China {:>5.1}% vs {:>5.1}%   HHI {:>5.0} vs {:>5.0}",
            stage.as_str(),
            100.0 * ca,
            100.0 * cb,
            ha,
            hb
        );
    }
    let dir = out.commit()?.path;
    let _ = writeln!(t, "\nwrote price_changes.csv, shortfall_changes.csv, welfare_changes.csv, shares_{{a,b}}.csv, import_reliance_{{a,b}}.csv, value_added_{{a,b}}.csv, compare.json to {}", dir.display());
    print!("{t}");
    Ok(())
}
