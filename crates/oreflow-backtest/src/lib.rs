//! Back-tests (docs/backtest.md): shipped historical cases — a scenario on
//! a reference dataset over a window of years — run through the model, and
//! the model's prices set beside observed prices (`observed_prices.csv`,
//! each row sourced). Nothing here feeds back into the model: observations
//! are read only to compare.
//!
//! Architecture invariant: no IO and no printing; the cases' scenario texts
//! are embedded.

use oreflow_core::{Basis, Element, Observation, Year};
use oreflow_lp::Backend;
use oreflow_sim::{Model, RunResult};

/// A shipped back-test case.
#[derive(Clone, Copy, Debug)]
pub struct Case {
    pub name: &'static str,
    pub description: &'static str,
    /// Label of the scenario (its path in the repository).
    pub scenario: &'static str,
    pub text: &'static str,
    pub from: Year,
    pub to: Year,
    /// Years whose prices are the window tested (after the base year).
    pub window: (Year, Year),
    /// Elements whose prices the acceptance checks look at.
    pub elements: &'static [Element],
}

/// The shipped cases.
pub const CASES: &[Case] = &[
    Case {
        name: "crisis-2010",
        description: "China's 2011-14 pooled export quota, export duties, mining quotas and enterprise reserve purchases, from the 2010 reference dataset through 2015",
        scenario: "scenarios/backtest/crisis-2010.toml",
        text: include_str!("../../../scenarios/backtest/crisis-2010.toml"),
        from: 2010,
        to: 2015,
        window: (2011, 2015),
        elements: &[Element::La, Element::Ce, Element::Nd, Element::Dy],
    },
    Case {
        name: "licensing-2025",
        description: "China's April 2025 licensing of Sm, Gd, Tb, Dy, Lu and Y exports, from the 2024 reference dataset through 2026",
        scenario: "scenarios/china-heavy-ree-licensing-2025.toml",
        text: include_str!("../../../scenarios/china-heavy-ree-licensing-2025.toml"),
        from: 2024,
        to: 2026,
        window: (2025, 2026),
        elements: &[Element::Dy, Element::Tb, Element::Y],
    },
];

/// Regions whose mean price stands for "outside China": the largest
/// importers (Japan, the EU, the United States).
pub const OUTSIDE: [&str; 3] = ["JP", "EU", "US"];

/// Why a case could not be run.
#[derive(Debug, thiserror::Error)]
pub enum BacktestError {
    #[error("unknown back-test case `{0}`; cases: {1}")]
    UnknownCase(String, String),
    #[error("{0}")]
    Scenario(String),
    #[error("{0}")]
    Model(String),
    #[error("{0}")]
    Data(String),
}

/// One line of `backtest.csv`: the model's annual price and what was observed.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Row {
    pub case: String,
    /// Element symbol or `magnet`.
    pub element: String,
    /// `china`, `outside` or `ratio` (outside over China, no unit).
    pub basis: String,
    pub year: Year,
    pub model_usd_per_kg: Option<f64>,
    pub observed_usd_per_kg: Option<f64>,
    pub observed_low_usd_per_kg: Option<f64>,
    pub observed_high_usd_per_kg: Option<f64>,
    /// `annual_average`, `annual_estimate`, or empty where nothing was found.
    pub observed_kind: String,
    /// Ids of the observations used.
    pub observed_ids: String,
    /// model / observed.
    pub error_factor: Option<f64>,
}

/// One acceptance check of a case (issue 9's criteria).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Check {
    pub case: String,
    pub element: String,
    pub check: String,
    pub model: String,
    pub observed: String,
    pub pass: bool,
}

/// A case's run and its comparison.
pub struct Outcome {
    pub case: Case,
    pub model: Model,
    pub run: RunResult,
    pub rows: Vec<Row>,
    pub checks: Vec<Check>,
}

/// The case of this name.
pub fn case(name: &str) -> Result<Case, BacktestError> {
    CASES
        .iter()
        .copied()
        .find(|c| c.name == name)
        .ok_or_else(|| {
            BacktestError::UnknownCase(
                name.into(),
                CASES.iter().map(|c| c.name).collect::<Vec<_>>().join(", "),
            )
        })
}

/// Runs `case` and compares it with the shipped observations.
pub fn run(case: Case, backend: &dyn Backend) -> Result<Outcome, BacktestError> {
    let sc = oreflow_scenario::Scenario::from_text(case.scenario, case.text)
        .map_err(|e| BacktestError::Scenario(e.to_string()))?;
    let mut config = sc.config.clone();
    config.from = case.from;
    config.to = case.to;
    let model = Model::with_policies(sc.dataset, config, sc.policies)
        .map_err(|e| BacktestError::Model(e.to_string()))?;
    let run = oreflow_sim::run(&model, backend, |_| {})
        .map_err(|e| BacktestError::Model(e.to_string()))?;
    let obs = oreflow_data::observations().map_err(|e| BacktestError::Data(e.to_string()))?;
    let rows = compare(case, &model, &run, &obs);
    let checks = checks(case, &model, &rows, &obs);
    Ok(Outcome {
        case,
        model,
        run,
        rows,
        checks,
    })
}

/// The model's annual price of `element` (`None`: magnets) on `basis` in
/// `year`: China's price, the mean over [`OUTSIDE`], or their ratio.
pub fn model_price(
    model: &Model,
    run: &RunResult,
    element: Option<Element>,
    basis: Basis,
    year: Year,
) -> Option<f64> {
    let y = run.years.iter().find(|y| y.data.year == year)?;
    let s = &y.solution;
    let at = |code: &str| -> Option<f64> {
        let r = model.network.regions.iter().position(|c| c == code)?;
        match element {
            Some(e) => s.prices.get(r)?[e.index()],
            None => s.magnet_price.get(r).copied().flatten(),
        }
    };
    let outside = || {
        let v: Vec<f64> = OUTSIDE.iter().filter_map(|c| at(c)).collect();
        (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
    };
    match basis {
        Basis::China => at("CN"),
        Basis::Outside => outside(),
        Basis::Ratio => {
            let cn = at("CN")?;
            (cn > 0.0).then(|| outside().map(|o| o / cn)).flatten()
        }
    }
}

fn symbol(e: Option<Element>) -> String {
    e.map(|e| e.symbol().to_string())
        .unwrap_or_else(|| "magnet".into())
}

fn basis_name(b: Basis) -> &'static str {
    match b {
        Basis::China => "china",
        Basis::Outside => "outside",
        Basis::Ratio => "ratio",
    }
}

/// Observation locations that are not a price paid at one place by a
/// marginal buyer: volume-weighted world averages, US import unit values
/// (a mixed basket), reported contract floors.
const NOT_MARKET: [&str; 4] = [
    "global_volume_weighted",
    "us_import_unit_value",
    "jsnm_reported",
    "us_contract_floor",
];

/// The annual observation of a price, if any: a published annual average,
/// else an annual estimate derived from quarters and points.
pub fn observed_annual(
    obs: &[Observation],
    element: Option<Element>,
    basis: Basis,
    year: Year,
) -> Option<&Observation> {
    let of = |period: &str| {
        obs.iter().find(|o| {
            o.element == element
                && o.basis == basis
                && o.year == year
                && o.period == period
                && !NOT_MARKET.contains(&o.location.as_str())
        })
    };
    of("annual_average").or_else(|| of("annual_estimate"))
}

fn compare(case: Case, model: &Model, run: &RunResult, obs: &[Observation]) -> Vec<Row> {
    let mut goods: Vec<Option<Element>> = oreflow_core::ELEMENTS.into_iter().map(Some).collect();
    goods.push(None);
    let mut rows = Vec::new();
    for &element in &goods {
        for basis in [Basis::China, Basis::Outside, Basis::Ratio] {
            if element.is_some() && basis == Basis::Ratio {
                continue;
            }
            for year in case.from..=case.to {
                let m = model_price(model, run, element, basis, year);
                let o = observed_annual(obs, element, basis, year);
                if m.is_none() && o.is_none() {
                    continue;
                }
                rows.push(Row {
                    case: case.name.into(),
                    element: symbol(element),
                    basis: basis_name(basis).into(),
                    year,
                    model_usd_per_kg: m,
                    observed_usd_per_kg: o.map(|o| o.value),
                    observed_low_usd_per_kg: o.and_then(|o| o.low),
                    observed_high_usd_per_kg: o.and_then(|o| o.high),
                    observed_kind: o.map(|o| o.period.clone()).unwrap_or_default(),
                    observed_ids: o.map(|o| o.id.clone()).unwrap_or_default(),
                    error_factor: m
                        .zip(o)
                        .and_then(|(m, o)| (o.value > 0.0).then(|| m / o.value)),
                });
            }
        }
    }
    rows
}

fn fmt(x: Option<f64>) -> String {
    match x {
        Some(v) if v.abs() >= 100.0 => format!("{v:.0}"),
        Some(v) => format!("{v:.2}"),
        None => "-".into(),
    }
}

/// Within a factor 2 of a range (of a value when the range is a point).
fn within_factor_2(model: f64, low: f64, high: f64) -> bool {
    model >= low / 2.0 && model <= high * 2.0
}

fn checks(case: Case, model: &Model, rows: &[Row], obs: &[Observation]) -> Vec<Check> {
    let mut out = Vec::new();
    let push = |out: &mut Vec<Check>, e: &str, check: &str, m: String, o: String, pass: bool| {
        out.push(Check {
            case: case.name.into(),
            element: e.into(),
            check: check.into(),
            model: m,
            observed: o,
            pass,
        })
    };
    let series = |e: &str, basis: &str| -> Vec<(Year, Option<f64>)> {
        rows.iter()
            .filter(|r| r.element == e && r.basis == basis)
            .map(|r| (r.year, r.model_usd_per_kg))
            .collect()
    };
    match case.name {
        "crisis-2010" => {
            for &e in case.elements {
                let s = e.symbol();
                let base_obs = model.dataset.reference_price(e).map(|p| p.0).unwrap_or(0.0);
                let out_series = series(s, "outside");
                // The pre-crisis level is the reference dataset's 2009-10
                // price for both sides: the model is calibrated to it (a
                // policy-free reference year reproduces it within 1 %),
                // while the case's own first year already carries the
                // announced quota's precautionary buying, as 2010 did.
                let base_model = base_obs;
                let window: Vec<(Year, f64)> = out_series
                    .iter()
                    .filter(|(y, _)| *y >= case.window.0)
                    .filter_map(|(y, v)| v.map(|v| (*y, v)))
                    .collect();
                let Some(&(peak_year, peak)) = window.iter().max_by(|a, b| a.1.total_cmp(&b.1))
                else {
                    continue;
                };
                let model_ratio = peak / base_model.max(1e-9);
                // Observed: the highest annual observation outside China in the window.
                let obs_peak = (case.window.0..=case.window.1)
                    .filter_map(|y| {
                        observed_annual(obs, Some(e), Basis::Outside, y).map(|o| (y, o))
                    })
                    .max_by(|a, b| a.1.value.total_cmp(&b.1.value));
                if let Some((oy, o)) = obs_peak {
                    let ratio = o.value / base_obs;
                    let (lo, hi) = (
                        o.low.unwrap_or(o.value) / base_obs,
                        o.high.unwrap_or(o.value) / base_obs,
                    );
                    push(
                        &mut out,
                        s,
                        "peak annual price outside China / 2009-10 level, within a factor 2",
                        format!("{model_ratio:.1}x ({peak_year})"),
                        format!("{ratio:.1}x (range {lo:.1}-{hi:.1}x, {oy})"),
                        within_factor_2(model_ratio, ratio, ratio),
                    );
                    push(
                        &mut out,
                        s,
                        "peak year within one year",
                        peak_year.to_string(),
                        oy.to_string(),
                        (peak_year - oy).abs() <= 1,
                    );
                    // Back within 1.5x of the pre-crisis level after the peak.
                    let model_back = window
                        .iter()
                        .find(|(y, v)| *y > peak_year && *v <= 1.5 * base_model)
                        .map(|(y, _)| *y);
                    let obs_back = obs
                        .iter()
                        .filter(|x| {
                            x.element == Some(e)
                                && x.basis == Basis::Outside
                                && x.year > oy
                                && x.year <= case.window.1
                                && matches!(
                                    x.period.as_str(),
                                    "annual_average" | "year_end" | "annual_estimate"
                                )
                                && !NOT_MARKET.contains(&x.location.as_str())
                                && x.value <= 1.5 * base_obs
                        })
                        .map(|x| x.year)
                        .min();
                    let pass = match (model_back, obs_back) {
                        (Some(a), Some(b)) => (a - b).abs() <= 1,
                        (None, None) => true,
                        (Some(a), None) => a >= case.window.1,
                        (None, Some(b)) => b >= case.window.1,
                    };
                    let show = |y: Option<Year>| {
                        y.map(|y| y.to_string())
                            .unwrap_or_else(|| format!("not by {}", case.window.1))
                    };
                    push(
                        &mut out,
                        s,
                        "back within 1.5x of the pre-crisis level within a year of when observed",
                        show(model_back),
                        show(obs_back),
                        pass,
                    );
                    // China-versus-outside spread in the peak year.
                    let cn = series(s, "china")
                        .iter()
                        .find(|(y, _)| *y == peak_year)
                        .and_then(|(_, v)| *v);
                    let spread = cn.map(|c| peak / c.max(1e-9));
                    push(
                        &mut out,
                        s,
                        "spread outside/China opens (above the freight-only 1.05x) in the peak year",
                        spread.map(|x| format!("{x:.2}x")).unwrap_or_else(|| "-".into()),
                        "opens: FOB/domestic 1.4-5.9x in late 2011".into(),
                        spread.is_some_and(|x| x > 1.05),
                    );
                }
            }
        }
        "licensing-2025" => {
            for &e in case.elements {
                let s = e.symbol();
                let m = rows
                    .iter()
                    .find(|r| r.element == s && r.basis == "outside" && r.year == 2025)
                    .and_then(|r| r.model_usd_per_kg);
                if let (Some(m), Some(o)) = (m, observed_annual(obs, Some(e), Basis::Outside, 2025))
                {
                    let (lo, hi) = (o.low.unwrap_or(o.value), o.high.unwrap_or(o.value));
                    push(
                        &mut out,
                        s,
                        "2025 price outside China within a factor 2 of the published range",
                        fmt(Some(m)),
                        format!("{}-{} ({})", fmt(Some(lo)), fmt(Some(hi)), o.period),
                        within_factor_2(m, lo, hi),
                    );
                }
            }
            let m = rows
                .iter()
                .find(|r| r.element == "magnet" && r.basis == "ratio" && r.year == 2025)
                .and_then(|r| r.model_usd_per_kg);
            if let (Some(m), Some(o)) = (m, observed_annual(obs, None, Basis::Ratio, 2025)) {
                let (lo, hi) = (o.low.unwrap_or(o.value), o.high.unwrap_or(o.value));
                push(
                    &mut out,
                    "magnet",
                    "2025 magnet price ratio outside/inside China within a factor 2 of the published range",
                    format!("{m:.2}"),
                    format!("{lo:.2}-{hi:.2}"),
                    within_factor_2(m, lo, hi),
                );
            }
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_factor_of_two_is_measured_against_the_range() {
        assert!(within_factor_2(1.0, 1.5, 2.0));
        assert!(within_factor_2(4.0, 1.5, 2.0));
        assert!(!within_factor_2(0.7, 1.5, 2.0));
        assert!(!within_factor_2(4.1, 1.5, 2.0));
    }

    #[test]
    fn unknown_cases_are_named_with_the_cases_there_are() {
        let e = case("crisis-2011").unwrap_err().to_string();
        assert!(
            e.contains("crisis-2010") && e.contains("licensing-2025"),
            "{e}"
        );
    }

    #[test]
    fn every_case_runs_and_is_compared_with_observations() {
        let backend = oreflow_lp::HighsBackend::default();
        for &c in CASES {
            let o = run(c, &backend).unwrap_or_else(|e| panic!("{}: {e}", c.name));
            // Without its policies, the case's dataset calibrates in its
            // base year: China's prices equal the reference prices.
            let config = oreflow_sim::RunConfig {
                to: c.from,
                ..o.model.config.clone()
            };
            let free = Model::new(o.model.dataset.clone(), config).unwrap();
            let r = oreflow_sim::run(&free, &backend, |_| {}).unwrap();
            for &e in c.elements {
                let m = model_price(&free, &r, Some(e), Basis::China, c.from).unwrap();
                let p = free.dataset.reference_price(e).unwrap().0;
                // Within one fine step of the demand curve (1 %, as for
                // 2024 in docs/model.md): where supply meets the curve at
                // the step edge through the reference point, the
                // degeneracy break picks one of the two adjacent steps.
                assert!((m - p).abs() < 0.01 * p, "{} {e}: {m} vs {p}", c.name);
            }
            assert!(o
                .rows
                .iter()
                .any(|r| r.observed_usd_per_kg.is_some() && r.model_usd_per_kg.is_some()));
            assert!(!o.checks.is_empty());
            // Observations are only compared: the outside price rises above
            // China's under each case's controls.
            let y = c.window.0;
            let e = c.elements[0];
            let out = model_price(&o.model, &o.run, Some(e), Basis::Outside, y).unwrap();
            let cn = model_price(&o.model, &o.run, Some(e), Basis::China, y).unwrap();
            assert!(out > cn, "{}: {e} outside {out} vs China {cn}", c.name);
        }
    }
}
