//! Cancelling an ensemble: no run starts after the flag is seen, the result
//! is `Cancelled`, and the folder has no manifest (so it is not taken for a
//! finished ensemble).

use std::sync::atomic::{AtomicBool, Ordering};

use oreflow_ensemble::{parse_good, Ensemble, EnsembleError, Inputs, Plan, Shard};

fn ensemble(tmp: &std::path::Path) -> Ensemble {
    let file = tmp.join("e.toml");
    std::fs::write(
        &file,
        r#"
[run]
to = 2026
[[uncertain.parameter]]
target = "end_uses.elasticity"
distribution = { kind = "uniform", min = 0.8, max = 1.2 }
"#,
    )
    .unwrap();
    let sc = oreflow_scenario::Scenario::load(&file).unwrap();
    let inputs = Inputs {
        dataset: sc.dataset,
        config: sc.config,
        policies: sc.policies,
    };
    Ensemble::new("e", inputs, sc.uncertainty, &[parse_good("Dy").unwrap()]).unwrap()
}

fn plan(runs: u64) -> Plan {
    Plan {
        runs,
        seed: 3,
        shard: Shard::ALL,
        threads: 1,
        thresholds: vec![0.05],
        warm: true,
        solver: oreflow_ensemble::Solver::default(),
    }
}

#[test]
fn cancelling_stops_before_the_next_run() {
    let tmp = tempfile::tempdir().unwrap();
    let e = ensemble(tmp.path());
    let out = tmp.path().join("out");
    let cancel = AtomicBool::new(false);
    let mut seen = 0;
    let r = e.run_cancellable(
        &plan(1000),
        &out,
        &mut |p| {
            seen = p.done;
            if p.done == 3 {
                cancel.store(true, Ordering::Relaxed);
            }
        },
        &cancel,
    );
    match r {
        Err(EnsembleError::Cancelled { done, total }) => {
            assert_eq!(total, 1000);
            // One thread: at most the run under way when the flag was set
            // finishes after it.
            assert!((3..=5).contains(&done), "{done}");
            // The count is of the runs progress reported.
            assert_eq!(done, seen);
        }
        other => panic!("expected Cancelled, got {:?}", other.map(|r| r.runs)),
    }
    assert!(seen <= 4, "{seen}");
    assert!(!out.join("manifest.json").exists());
    assert!(!out.join("summary.csv").exists());
}

#[test]
fn a_flag_never_set_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let e = ensemble(tmp.path());
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    e.run(&plan(3), &a, &mut |_| {}).unwrap();
    e.run_cancellable(&plan(3), &b, &mut |_| {}, &AtomicBool::new(false))
        .unwrap();
    for f in ["summary.csv", "shortfall_probability.csv"] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f}"
        );
    }
}
