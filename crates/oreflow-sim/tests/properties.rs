//! Property tests over randomly perturbed datasets: whatever the capacities,
//! demand and costs, every year conserves mass per element and region, and
//! every flow is non-negative.

use oreflow_lp::HighsBackend;
use oreflow_sim::{run, Model, RunConfig, SimError};
use proptest::prelude::*;

fn perturbed(factors: &[f64]) -> oreflow_core::Dataset {
    let mut ds = oreflow_data::embedded().expect("embedded dataset");
    let mut f = factors.iter().cycle();
    let mut next = || *f.next().expect("cycle");
    for m in &mut ds.mines {
        m.capacity.nameplate *= next();
        m.cost.0 *= next();
    }
    for p in &mut ds.separation_plants {
        p.capacity.nameplate *= next();
        p.cost.0 *= next();
    }
    for p in &mut ds.magnet_plants {
        p.capacity.nameplate *= next();
        p.cost.0 *= next();
    }
    for d in &mut ds.magnet_demand {
        d.quantity.0 *= next();
    }
    for d in &mut ds.oxide_demand {
        d.quantity.0 *= next();
    }
    for t in &mut ds.trade_costs {
        t.cost.0 *= next();
    }
    assert!(
        ds.check().is_empty(),
        "perturbation keeps the dataset valid"
    );
    ds
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn mass_balance_and_non_negative_flows(factors in prop::collection::vec(0.3f64..2.5, 97)) {
        let ds = perturbed(&factors);
        let config = RunConfig { to: 2030, ..Default::default() };
        let model = match Model::new(ds, config) {
            Ok(m) => m,
            // A perturbation can leave the listed uses of an element needing
            // more than twice what the mines supply: calibration refuses
            // that (calibrate.rs), which is the right answer. (Before the
            // unattributed residual, the message was "does not cover".)
            Err(SimError::Calibration(msg)) => {
                prop_assert!(msg.contains("more than twice the"), "{}", msg);
                return Ok(());
            }
            Err(e) => return Err(TestCaseError::fail(e.to_string())),
        };
        let result = run(&model, &HighsBackend::default(), |_| {}).map_err(|e| TestCaseError::fail(e.to_string()))?;
        for y in &result.years {
            let v = y.solution.check_mass_balance(&model.network, 1e-6);
            prop_assert!(v.is_empty(), "{}: {:?}", y.solution.year, v);
            prop_assert!(y.solution.flows_non_negative());
            for (m, &out) in y.solution.mine_output.iter().enumerate() {
                prop_assert!(out <= y.data.mine_capacity[m] * (1.0 + 1e-9) + 1e-6);
            }
        }
    }
}
