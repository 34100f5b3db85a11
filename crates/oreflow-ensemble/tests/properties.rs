//! Properties of sampled runs, for random seeds and run indices: the same
//! (seed, run) draws the same inputs; a ban drawn by an event closes its
//! arcs in exactly the years it is in force; an outage cuts capacity in
//! those years; every year of a sampled run conserves mass per element and
//! region with non-negative flows.

use oreflow_ensemble::sample::{central, draw, Inputs};
use oreflow_lp::HighsBackend;
use oreflow_sim::{run, Model};
use proptest::prelude::*;

const SCENARIO: &str = r#"
name = "props"
[run]
to = 2028
[[uncertain.parameter]]
target = "separation_plants.cost_usd_per_kg_reo"
per_row = true
distribution = { kind = "lognormal", median = 1.0, sigma = 0.2 }
[uncertain.projects.construction]
online_probability = 0.7
delay_years = { kind = "uniform", min = 0, max = 3 }
[[uncertain.event]]
name = "CN bans magnets to the US"
probability = 0.5
duration_years = [1, 2]
[[uncertain.event.export_control]]
origin = "CN"
destinations = ["US"]
stages = ["magnet"]
kind = "ban"
[[uncertain.event]]
name = "Myanmar outage"
probability = 0.5
duration_years = [1, 1]
[[uncertain.event.outage]]
stage = "mining"
region = "MM"
capacity_factor = 0.25
"#;

fn scenario() -> oreflow_scenario::Scenario {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("props.toml");
    std::fs::write(&p, SCENARIO).unwrap();
    oreflow_scenario::Scenario::load(&p).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, .. ProptestConfig::default() })]

    #[test]
    fn sampled_runs_keep_their_draws_bans_outages_and_mass_balance(seed in 0u64..1_000_000, run_index in 0u64..100_000) {
        let sc = scenario();
        let base = Inputs { dataset: sc.dataset.clone(), config: sc.config.clone(), policies: sc.policies.clone() };
        let unc = &sc.uncertainty;
        let (a, drawn) = draw(&base, unc, seed, run_index);
        let (b, again) = draw(&base, unc, seed, run_index);
        prop_assert_eq!(&drawn, &again);
        prop_assert_eq!(format!("{:?}", a.dataset), format!("{:?}", b.dataset));
        // Every run has the shape of the central run: the same levers, in force in other years.
        let c = central(&base, unc);
        prop_assert_eq!(a.policies.export_controls.len(), c.policies.export_controls.len());
        prop_assert!(c.policies.export_controls.iter().all(|x| x.years.first().is_none()));

        let model = Model::with_policies(a.dataset, a.config, a.policies).unwrap();
        let result = run(&model, &HighsBackend::default(), |_| {}).unwrap();
        let ban = drawn.events[0];
        let outage = drawn.events[1];
        let cn = model.network.regions.iter().position(|r| r == "CN").unwrap();
        let us = model.network.regions.iter().position(|r| r == "US").unwrap();
        let myanmar: Vec<usize> = model.dataset.mines.iter().enumerate()
            .filter(|(_, m)| model.dataset.region_code(m.region) == "MM").map(|(k, _)| k).collect();
        for yr in &result.years {
            let (d, s) = (&yr.data, &yr.solution);
            let flow: f64 = s.magnet_trade.iter().filter(|f| f.from == cn && f.to == us).map(|f| f.tonnes).sum();
            if ban.contains(d.year) {
                prop_assert_eq!(flow, 0.0, "ban in force in {} but CN ships magnets to the US", d.year);
            }
            for &k in &myanmar {
                let full = model.dataset.mines[k].capacity.at(d.year);
                let want = if outage.contains(d.year) { full * 0.25 } else { full };
                prop_assert!((d.mine_capacity[k] - want).abs() <= 1e-9 * full.max(1.0));
                prop_assert!(s.mine_output[k] <= d.mine_capacity[k] * (1.0 + 1e-9) + 1e-9);
            }
            let v = s.check_mass_balance(&model.network, 1e-6);
            prop_assert!(v.is_empty(), "{}: {:?}", d.year, v);
            prop_assert!(s.oxide_trade.iter().chain(&s.magnet_trade).chain(&s.concentrate).all(|f| f.tonnes >= 0.0));
        }
    }
}
