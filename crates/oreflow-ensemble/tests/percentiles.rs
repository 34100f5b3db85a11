//! Percentiles against cases whose answer is known: the sampler against the
//! distributions' analytic quantiles, and a whole ensemble with one uncertain
//! demand parameter, where demand is an affine and the price a monotone
//! function of the draw, so their percentiles follow from the draw's.

use std::path::Path;

use oreflow_ensemble::parquet_io::{ColumnValues, TableReader};
use oreflow_ensemble::rng::Stream;
use oreflow_ensemble::{parse_good, Ensemble, Inputs, Plan, Shard};
use oreflow_sim::uncertainty::{Distribution, Shape};

/// Share of `sorted` at or below `x`.
fn ecdf(sorted: &[f64], x: f64) -> f64 {
    sorted.partition_point(|&v| v <= x) as f64 / sorted.len() as f64
}

#[test]
fn draws_follow_the_analytic_distributions() {
    let n = 100_000;
    let cases = [
        Distribution::new(Shape::Normal { mean: 2.0, sd: 0.5 }, None, None),
        Distribution::new(
            Shape::LogNormal {
                mu: 0.0,
                sigma: 0.3,
            },
            None,
            None,
        ),
        Distribution::new(
            Shape::Triangular {
                min: 1.0,
                mode: 2.0,
                max: 5.0,
            },
            None,
            None,
        ),
        Distribution::new(
            Shape::Uniform {
                min: -1.0,
                max: 1.0,
            },
            None,
            None,
        ),
        // Truncated: a normal factor kept in [0.8, 1.5].
        Distribution::new(Shape::Normal { mean: 1.0, sd: 0.3 }, Some(0.8), Some(1.5)),
    ];
    for (k, d) in cases.into_iter().enumerate() {
        let d = d.unwrap();
        let mut s = Stream::new(42, k as u64, 7);
        let mut x: Vec<f64> = (0..n).map(|_| d.quantile(s.uniform())).collect();
        x.sort_by(f64::total_cmp);
        let (lo, hi) = d.support();
        assert!(
            x[0] >= lo && x[n - 1] <= hi,
            "case {k}: draws outside the support"
        );
        for q in [0.05, 0.25, 0.5, 0.75, 0.95] {
            // The empirical CDF at the analytic quantile: sd sqrt(q(1−q)/n) ≤ 0.0016.
            let f = ecdf(&x, d.quantile(q));
            assert!((f - q).abs() < 0.006, "case {k}: F_n(Q({q})) = {f}");
        }
    }
}

fn column(dir: &Path, file: &str, name: &str) -> Vec<f64> {
    let r = TableReader::open(&dir.join(file)).unwrap();
    match r.read_column(name).unwrap() {
        ColumnValues::Float64(v) => v,
        ColumnValues::Float32(v) => v.into_iter().map(f64::from).collect(),
        ColumnValues::Int32(v) => v.into_iter().map(f64::from).collect(),
    }
}

/// The summary row of a metric in a year: (p5, p50, p95).
fn summary(dir: &Path, year: &str, metric: &str, good: &str, region: &str) -> (f64, f64, f64) {
    let text = std::fs::read_to_string(dir.join("summary.csv")).unwrap();
    let prefix = format!("{year},{metric},{good},{region},");
    let row = text
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no summary row {prefix}"));
    let c: Vec<f64> = row
        .split(',')
        .skip(9)
        .take(3)
        .map(|x| x.parse().unwrap())
        .collect();
    (c[0], c[1], c[2])
}

#[test]
fn one_uncertain_demand_parameter_gives_the_percentiles_its_distribution_implies() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("one.toml");
    std::fs::write(
        &file,
        r#"
name = "one-parameter"
[run]
to = 2030
# Demand at the reference price moves with the draw alone (no long-run
# adjustment to the prices each run meets), so it is affine in the draw.
adjustment = false
[[uncertain.parameter]]
name = "ev growth"
target = "demand_growth.growth"
end_use = "ev_motors"
distribution = { kind = "lognormal", median = 1.0, sigma = 0.3 }
"#,
    )
    .unwrap();
    let sc = oreflow_scenario::Scenario::load(&file).unwrap();
    let dist = sc.uncertainty.parameters[0].distribution;
    let inputs = Inputs {
        dataset: sc.dataset,
        config: sc.config,
        policies: sc.policies,
    };
    let goods = [parse_good("Nd").unwrap(), parse_good("magnet").unwrap()];
    let e = Ensemble::new("one-parameter", inputs, sc.uncertainty, &goods).unwrap();
    // 101 runs: the type-7 P5, P50 and P95 are the 6th, 51st and 96th values.
    let n = 101;
    let plan = Plan {
        runs: n,
        seed: 2024,
        shard: Shard::ALL,
        threads: 2,
        thresholds: vec![0.05],
        warm: true,
        solver: oreflow_ensemble::Solver::default(),
    };
    let out = tmp.path().join("out");
    let report = e.run(&plan, &out, &mut |_| {}).unwrap();
    assert_eq!((report.runs, report.failed), (n, 0));

    let draws = column(&out, "draws.parquet", "param_ev_growth");
    let years = column(&out, "runs.parquet", "year");
    let at_2030 = |name: &str| -> Vec<f64> {
        let v = column(&out, "runs.parquet", name);
        v.iter()
            .zip(&years)
            .filter(|(_, &y)| y == 2030.0)
            .map(|(x, _)| *x)
            .collect()
    };
    let demand = at_2030("magnet_world_demand_t");
    // The first year after the reference year: its state (stocks, in-use
    // stocks) is the same in every run, so the price depends on this year's
    // draw alone. (Later years carry stocks bought or sold in earlier years,
    // which need not move with the draw.)
    let price: Vec<f64> = {
        let v = column(&out, "runs.parquet", "Nd_CN_price_usd_per_kg");
        v.iter()
            .zip(&years)
            .filter(|(_, &y)| y == 2025.0)
            .map(|(x, _)| *x)
            .collect()
    };
    assert_eq!((draws.len(), demand.len(), price.len()), (101, 101, 101));

    // 1. The draws: a log-normal with median 1 and sigma 0.3. With 101 runs the
    //    sample quantile of q has a standard error of about
    //    sqrt(q(1−q)/n) / f(x_q): 0.039 at P5, 0.037 at P50, 0.08 at P95.
    let mut sorted = draws.clone();
    sorted.sort_by(f64::total_cmp);
    for (q, k, tol) in [(0.05, 5, 0.12), (0.5, 50, 0.11), (0.95, 95, 0.24)] {
        let want = dist.quantile(q);
        assert!(
            (sorted[k] - want).abs() < tol,
            "P{q}: {} vs analytic {want}",
            sorted[k]
        );
    }

    // 2. Demand is affine in the draw (only the growth of EV demand moves):
    //    demand = a + b·draw, so its percentiles are a + b·(those of the draw).
    let (i, j) = (0, 1);
    let b = (demand[j] - demand[i]) / (draws[j] - draws[i]);
    let a = demand[i] - b * draws[i];
    assert!(b > 0.0);
    for (x, d) in draws.iter().zip(&demand) {
        assert!(
            (a + b * x - d).abs() < 1e-6 * d,
            "demand is not affine in the draw"
        );
    }
    let (d5, d50, d95) = summary(&out, "2030", "demand_t", "magnet", "world");
    for (got, k) in [(d5, 5), (d50, 50), (d95, 95)] {
        let want = a + b * sorted[k];
        assert!(
            (got - want).abs() < 1e-6 * want,
            "demand percentile {got} vs {want}"
        );
    }

    // 3. The price of Nd in China rises with demand: the run holding the k-th
    //    smallest draw holds the k-th smallest price, so P5/P50/P95 of the
    //    price are the prices of the runs with the 6th/51st/96th draws.
    let mut order: Vec<usize> = (0..101).collect();
    order.sort_by(|&x, &y| draws[x].total_cmp(&draws[y]));
    for w in order.windows(2) {
        assert!(
            price[w[1]] >= price[w[0]] - 1e-9 * price[w[0]],
            "price not monotone in the draw: {} then {}",
            price[w[0]],
            price[w[1]]
        );
    }
    let (p5, p50, p95) = summary(&out, "2025", "price_usd_per_kg", "Nd", "CN");
    for (got, k) in [(p5, 5), (p50, 50), (p95, 95)] {
        assert_eq!(got, price[order[k]], "price percentile");
    }
    // And the spread is real: the price moves across the ensemble.
    assert!(p95 > p5, "{p5} {p95}");
}

/// With a spread too small to matter, every run is the scenario's plain run:
/// the ensemble's prices (warm-started from the central basis, LP reused
/// across runs, stored as 32-bit floats) equal those of `oreflow run`.
#[test]
fn an_ensemble_without_spread_reproduces_the_plain_run() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("flat.toml");
    std::fs::write(
        &file,
        r#"
name = "flat"
[run]
to = 2028
[[uncertain.parameter]]
target = "end_uses.elasticity"
distribution = { kind = "uniform", min = 0.999999999, max = 1.000000001 }
"#,
    )
    .unwrap();
    let sc = oreflow_scenario::Scenario::load(&file).unwrap();
    let model = oreflow_sim::Model::with_policies(
        sc.dataset.clone(),
        sc.config.clone(),
        sc.policies.clone(),
    )
    .unwrap();
    let plain = oreflow_sim::run(&model, &oreflow_lp::HighsBackend::default(), |_| {}).unwrap();
    let prices = oreflow_metrics::prices(&model, &plain);
    let goods: Vec<_> = ["Nd", "Dy", "Tb", "Ce", "magnet"]
        .iter()
        .map(|g| parse_good(g).unwrap())
        .collect();
    let inputs = Inputs {
        dataset: sc.dataset,
        config: sc.config,
        policies: sc.policies,
    };
    let e = Ensemble::new("flat", inputs, sc.uncertainty, &goods).unwrap();
    let plan = Plan {
        runs: 4,
        seed: 1,
        shard: Shard::ALL,
        threads: 2,
        thresholds: vec![0.05],
        warm: true,
        solver: oreflow_ensemble::Solver::default(),
    };
    let out = tmp.path().join("out");
    e.run(&plan, &out, &mut |_| {}).unwrap();
    let text = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let mut compared = 0;
    for line in text
        .lines()
        .skip(1)
        .filter(|l| l.contains(",price_usd_per_kg,"))
    {
        let c: Vec<&str> = line.split(',').collect();
        let (year, good, region) = (c[0].parse::<i32>().unwrap(), c[2], c[3]);
        let (lo, hi): (f64, f64) = (c[8].parse().unwrap(), c[12].parse().unwrap());
        let want = prices
            .iter()
            .find(|p| p.year == year && p.region == region && p.commodity == good)
            .unwrap_or_else(|| panic!("no plain-run price {year} {region} {good}"))
            .usd_per_kg;
        for got in [lo, hi] {
            assert!(
                (got - want).abs() <= 1e-6 * want.abs().max(1.0),
                "{year} {region} {good}: ensemble {got} vs run {want}"
            );
        }
        compared += 1;
    }
    assert!(compared > 200, "{compared}");
}
