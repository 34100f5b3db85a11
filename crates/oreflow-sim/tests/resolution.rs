//! Convergence of price formation: the demand curves' steps are an
//! approximation of smooth curves, so refining them must not move prices.

use oreflow_lp::HighsBackend;
use oreflow_sim::{run, Model, RunConfig};

/// Doubling the resolution of every demand curve (half the log-step in the
/// fine band, twice the coarse steps) changes no baseline price — any
/// element or magnet, any region, any year 2024–2040 — by more than 2 %.
#[test]
fn doubling_the_curve_resolution_moves_no_baseline_price_by_more_than_two_percent() {
    let ds = oreflow_data::embedded().unwrap_or_else(|e| panic!("{e}"));
    let solve = |config: RunConfig| {
        let model = Model::new(ds.clone(), config).unwrap_or_else(|e| panic!("{e}"));
        let r = run(&model, &HighsBackend::default(), |_| {}).unwrap_or_else(|e| panic!("{e}"));
        (model, r)
    };
    let base = RunConfig::default();
    let fine = RunConfig {
        curve: base.curve.doubled(),
        ..base.clone()
    };
    let (ma, a) = solve(base);
    let (_, b) = solve(fine);
    let mut worst = (0.0, String::new());
    let mut compared = 0;
    for (ya, yb) in a.years.iter().zip(&b.years) {
        let (sa, sb) = (&ya.solution, &yb.solution);
        let mut check = |what: String, pa: Option<f64>, pb: Option<f64>| {
            if let (Some(pa), Some(pb)) = (pa, pb) {
                // Prices of unpriced by-products sit at zero in both.
                if pa.max(pb) > 1e-6 {
                    compared += 1;
                    let d = (pa - pb).abs() / pa.max(pb);
                    if d > worst.0 {
                        worst = (d, format!("{what} in {}: {pa:.3} vs {pb:.3}", ya.data.year));
                    }
                }
            }
        };
        for r in 0..sa.prices.len() {
            let code = &ma.network.regions[r];
            for e in oreflow_core::ELEMENTS {
                check(
                    format!("{e} in {code}"),
                    sa.prices[r][e.index()],
                    sb.prices[r][e.index()],
                );
            }
            check(
                format!("magnets in {code}"),
                sa.magnet_price[r],
                sb.magnet_price[r],
            );
        }
    }
    assert!(compared > 1000, "only {compared} prices compared");
    assert!(
        worst.0 <= 0.02,
        "largest change {:.2} % ({})",
        100.0 * worst.0,
        worst.1
    );
    eprintln!(
        "{compared} prices compared; largest change {:.2} % ({})",
        100.0 * worst.0,
        worst.1
    );
}

/// Every price of the baseline sits on a fine step: no year ends with a
/// price on the coarse part of a curve.
#[test]
fn no_baseline_price_is_left_on_a_coarse_step() {
    let ds = oreflow_data::embedded().unwrap_or_else(|e| panic!("{e}"));
    let model = Model::new(ds, RunConfig::default()).unwrap_or_else(|e| panic!("{e}"));
    let r = run(&model, &HighsBackend::default(), |_| {}).unwrap_or_else(|e| panic!("{e}"));
    for y in &r.years {
        assert_eq!(y.coarse_prices, 0, "{}: {} solves", y.data.year, y.solves);
    }
}
