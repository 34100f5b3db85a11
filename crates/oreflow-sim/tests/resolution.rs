#![allow(clippy::print_stderr)] // the measured figures are part of the test's report
//! Convergence of price formation: the demand curves' steps approximate
//! smooth curves, so refining them must not move prices.

use oreflow_core::ELEMENTS;
use oreflow_lp::HighsBackend;
use oreflow_market::{Good, YearSolution};
use oreflow_sim::{run, run_recording, solve_year_alone, Model, RunConfig};

/// Whether buyers in region `r` consumed `good` in both solutions: the
/// prices a run reports that someone pays. (Where nothing of a good is
/// used, its price is any value between the region's import and export
/// parity — a dual that nothing pins down — so a finer curve can move it
/// within that range without anything changing.)
///
/// A region that exports the good is left out as well: its price is the
/// importer's less freight (a netback), so it moves exactly as the
/// importer's does, magnified against its own smaller level.
fn used(m: &Model, a: &YearSolution, b: &YearSolution, r: usize, good: Good) -> bool {
    let consumed = |s: &YearSolution| {
        m.network
            .curves
            .iter()
            .enumerate()
            .any(|(c, k)| k.region.index() == r && k.good == good && s.consumption[c] > 1e-6)
    };
    let exports = |s: &YearSolution| match good {
        Good::Oxide(e) => s
            .oxide_trade
            .iter()
            .any(|f| f.from == r && f.element == Some(e) && f.tonnes > 1e-6),
        Good::Magnet => s
            .magnet_trade
            .iter()
            .any(|f| f.from == r && f.tonnes > 1e-6),
    };
    consumed(a) && consumed(b) && !exports(a) && !exports(b)
}

/// Every price two solutions of the same year both report where it is paid
/// (see [`used`]), with what it is (element and region) and the floor of
/// demand below which nobody buys (there the price is set by disposal or a
/// stock's floor, not by steps).
fn prices<'a>(
    m: &'a Model,
    a: &'a YearSolution,
    b: &'a YearSolution,
) -> impl Iterator<Item = (String, f64, f64, f64, f64)> + 'a {
    let floor = m.config.curve.min_multiple;
    (0..a.prices.len()).flat_map(move |r| {
        let code = &m.network.regions[r];
        let oxides = ELEMENTS.into_iter().filter_map(move |e| {
            if !used(m, a, b, r, Good::Oxide(e)) {
                return None;
            }
            let p_ref = m.dataset.reference_price(e)?.0;
            Some((
                format!("{e} in {code}"),
                p_ref * floor,
                p_ref,
                a.prices[r][e.index()]?,
                b.prices[r][e.index()]?,
            ))
        });
        let paid = used(m, a, b, r, Good::Magnet);
        let magnets = a.magnet_price[r]
            .zip(b.magnet_price[r])
            .filter(move |_| paid)
            .map(|(pa, pb)| {
                (
                    format!("magnets in {code}"),
                    m.calibration.magnet_price * floor,
                    m.calibration.magnet_price,
                    pa,
                    pb,
                )
            });
        oxides.chain(magnets)
    })
}

/// Doubling the resolution of every demand curve (half the log-step in the
/// fine band, twice the coarse steps) changes no baseline price — any
/// element or magnet, in any region that uses it, any year 2024–2040 — by
/// more than 2 % (of the price itself, or of a quarter of its reference
/// price where a by-product in deep surplus has fallen below that).
/// Each year is solved at both resolutions from the same state (the
/// baseline's state at the start of that year), so the test measures price
/// formation, not the path: a run's dynamics (stocks, substitution, supply
/// response) carry any difference into later years, and in markets of a
/// few hundred tonnes a tonne moves the price by several per cent (the
/// path-level difference is printed, see docs/model.md).
#[test]
fn doubling_the_curve_resolution_moves_no_baseline_price_by_more_than_two_percent() {
    let ds = oreflow_data::embedded().unwrap_or_else(|e| panic!("{e}"));
    let base = RunConfig::default();
    let fine = RunConfig {
        curve: base.curve.doubled(),
        ..base.clone()
    };
    let ma = Model::new(ds.clone(), base).unwrap_or_else(|e| panic!("{e}"));
    let mb = Model::new(ds, fine).unwrap_or_else(|e| panic!("{e}"));
    let backend = HighsBackend::default();
    let (a, states) = run_recording(&ma, &backend).unwrap_or_else(|e| panic!("{e}"));
    let mut worst = (0.0, String::new());
    let (mut compared, mut floors) = (0, 0);
    for (ya, state) in a.years.iter().zip(&states) {
        let year = ya.data.year;
        let yb = solve_year_alone(&mb, &backend, year, state).unwrap_or_else(|e| panic!("{e}"));
        for (what, floor, p_ref, pa, pb) in prices(&ma, &ya.solution, &yb.solution) {
            if pa.max(pb) < floor {
                floors += 1;
                continue;
            }
            compared += 1;
            let d = (pa - pb).abs() / pa.max(pb).max(0.25 * p_ref);
            if d > worst.0 {
                worst = (d, format!("{what} in {year}: {pa:.4} vs {pb:.4}"));
            }
        }
    }
    eprintln!(
        "same state: {compared} prices compared ({floors} below the floor of demand in both); largest change {:.2} % ({})",
        100.0 * worst.0,
        worst.1
    );
    assert!(compared > 1500, "only {compared} prices compared");
    assert!(
        worst.0 <= 0.02,
        "largest change {:.2} % ({})",
        100.0 * worst.0,
        worst.1
    );

    // The whole path, for the record (not asserted: see above).
    let b = run(&mb, &backend, |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let mut path = (0.0, String::new());
    for (ya, yb) in a.years.iter().zip(&b.years) {
        for (what, floor, p_ref, pa, pb) in prices(&ma, &ya.solution, &yb.solution) {
            if pa.max(pb) >= floor {
                let d = (pa - pb).abs() / pa.max(pb).max(0.25 * p_ref);
                if d > path.0 {
                    path = (d, format!("{what} in {}: {pa:.4} vs {pb:.4}", ya.data.year));
                }
            }
        }
    }
    eprintln!(
        "whole path: largest change {:.2} % ({})",
        100.0 * path.0,
        path.1
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
        assert!(
            y.coarse_prices.is_empty(),
            "{}: {} solves, left on coarse steps: {:?}",
            y.data.year,
            y.solves,
            y.coarse_prices
        );
    }
}

/// Prices do not depend on where the fine bands were centred, only on the
/// curves: fine steps lie on a fixed lattice `p_ref × 1.01^j` and the LP's
/// cost breaks are keyed by it (docs/model.md, "Price formation"). Every
/// baseline year is solved from its state as a run does, then again with
/// every band centred up to 6 lattice steps away from the price found (a
/// different shift per good, region and year, so the bands still hold every
/// price and no re-centring is needed); the equilibrium must be the same:
/// every price that buyers pay (see [`used`]) within 1e-8 relative (the
/// solver's tolerances) and every curve's consumption within 1e-9. This is
/// what lets the re-centring rule change without moving results.
#[test]
fn prices_do_not_depend_on_where_the_bands_were_centred() {
    let ds = oreflow_data::embedded().unwrap_or_else(|e| panic!("{e}"));
    let model = Model::new(ds, RunConfig::default()).unwrap_or_else(|e| panic!("{e}"));
    let backend = HighsBackend::default();
    let (run, states) = run_recording(&model, &backend).unwrap_or_else(|e| panic!("{e}"));
    let (mut compared, mut shifted, mut unpaid) = (0, 0, 0);
    let mut worst = (0.0f64, String::new());
    let mut worst_q = (0.0f64, String::new());
    for (i, (ya, state)) in run.years.iter().zip(&states).enumerate() {
        let year = ya.data.year;
        let a = solve_year_alone(&model, &backend, year, state).unwrap_or_else(|e| panic!("{e}"));
        assert!(a.coarse_prices.is_empty(), "{year}: {:?}", a.coarse_prices);
        let mut moved = state.clone();
        for (c, centre) in moved.centres.iter_mut().enumerate() {
            let Some(p) = model.curve_price(c, &a.solution) else {
                continue;
            };
            let curve = &model.network.curves[c];
            let good = match curve.good {
                Good::Magnet => 17,
                Good::Oxide(e) => e.index(),
            };
            // A fixed shift in -6..=6 per good, region and year.
            let s = ((curve.region.index() * 31 + good * 7 + i * 13) % 13) as i32 - 6;
            shifted += usize::from(s != 0);
            *centre = p * 1.01f64.powi(s);
        }
        let b = solve_year_alone(&model, &backend, year, &moved).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(b.solves, 1, "{year}: the shifted bands hold every price");
        for (r, (pa, pb)) in a.solution.prices.iter().zip(&b.solution.prices).enumerate() {
            for e in ELEMENTS {
                let (Some(x), Some(y)) = (pa[e.index()], pb[e.index()]) else {
                    assert_eq!(pa[e.index()], pb[e.index()], "{year} {e} region {r}");
                    continue;
                };
                let d = (x - y).abs() / x.abs().max(y.abs()).max(1e-6);
                if !used(&model, &a.solution, &b.solution, r, Good::Oxide(e)) {
                    unpaid += usize::from(d > 1e-8);
                    continue;
                }
                compared += 1;
                if d > worst.0 {
                    let code = &model.network.regions[r];
                    worst = (d, format!("{e} in {code} in {year}: {x} vs {y}"));
                }
            }
        }
        for (c, (x, y)) in a
            .solution
            .consumption
            .iter()
            .zip(&b.solution.consumption)
            .enumerate()
        {
            let d = (x - y).abs() / x.abs().max(y.abs()).max(1e-3);
            if d > worst_q.0 {
                let what = &model.network.curves[c].label;
                worst_q = (d, format!("{what} in {year}: {x} vs {y}"));
            }
        }
    }
    eprintln!(
        "{compared} paid prices compared, {shifted} bands shifted; largest difference {:.1e} ({}); \
         consumption {:.1e} ({}); {unpaid} prices nobody pays differ (see `used`)",
        worst.0, worst.1, worst_q.0, worst_q.1
    );
    assert!(
        shifted > 1000 && compared > 1500,
        "{shifted} shifted, {compared} compared"
    );
    assert!(
        worst.0 < 1e-8,
        "largest price difference {:.1e} ({})",
        worst.0,
        worst.1
    );
    assert!(
        worst_q.0 < 1e-9,
        "largest consumption difference {:.1e} ({})",
        worst_q.0,
        worst_q.1
    );
}

/// The model keeps the price cells of a few band positions per price group
/// (a cache): whatever it has kept or evicted, a curve is cut into the
/// steps a fresh cut gives, bit for bit.
#[test]
fn kept_curve_cuts_give_the_steps_of_a_fresh_cut() {
    let ds = oreflow_data::embedded().unwrap_or_else(|e| panic!("{e}"));
    let m = Model::new(ds, RunConfig::default()).unwrap_or_else(|e| panic!("{e}"));
    let params = &m.config.curve;
    // Band positions revisited, and more of them than are kept, so kept,
    // moved-to-front and evicted cuts are all read back; the curves of a
    // group are cut in turn at each.
    let factors = [
        1.0, 1.3, 0.7, 1.3, 2.0, 0.5, 3.0, 1.0, 0.7, 1.004, 40.0, 1e-3,
    ];
    let mut checked = 0;
    for (k, f) in factors.iter().enumerate() {
        for (c, r) in m.calibration.curves.iter().enumerate() {
            let slope = if m.config.adjustment {
                r.elasticity_short_run
            } else {
                r.elasticity
            };
            let centre = r.p_ref * f;
            let q = r.q_ref * (1.0 + k as f64 / 7.0);
            let fresh = oreflow_market::centred_steps(q, r.p_ref, slope, centre, params);
            assert_eq!(
                m.curve_steps(c, q, centre),
                fresh,
                "curve {c}, centre × {f}"
            );
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked} cuts");
}
