#![allow(clippy::print_stderr)] // the figures of the check are shown with --nocapture
//! The bounded correctness harness (the 10,000-LP one is `cargo bench -p
//! oreflow-ensemble --bench lp_check`): about 200 LPs of the ensembles of the
//! shipped scenarios with uncertainty, each warm-started solve checked
//! against HiGHS from scratch (see `common/lp_check.rs`).

#[path = "common/lp_check.rs"]
mod lp_check;

#[test]
fn warm_started_ensemble_lps_agree_with_cold_solves() {
    let scenarios = lp_check::uncertain_scenarios();
    assert!(!scenarios.is_empty(), "a shipped scenario has [uncertain]");
    let per = (200 / scenarios.len() as u64).max(20);
    for sc in &scenarios {
        let c = lp_check::check_scenario(sc, per, 11, 1);
        let line = lp_check::describe(&c);
        eprintln!("{line}");
        assert!(c.summary.lps >= per, "{line}");
        assert_eq!(c.failed_runs, 0, "{line}");
        assert_eq!(c.summary.failed, 0, "{line}\n{:#?}", c.summary.failures);
        assert!(c.summary.controls > 0, "{line}");
        assert_eq!(c.summary.controls_accepted, 0, "{line}");
    }
}

/// The same harness on oreflow's own dual simplex (HiGHS only as its
/// fallback): every LP agrees with HiGHS from scratch, and the own solver
/// answered nearly all of them itself (else this would test the fallback).
#[test]
fn the_own_dual_simplex_agrees_with_cold_solves() {
    let scenarios = lp_check::uncertain_scenarios();
    let per = (200 / scenarios.len() as u64).max(20);
    for sc in &scenarios {
        let own = oreflow_simplex::DualSimplex::new(oreflow_ensemble::highs());
        let c = lp_check::check_scenario_with(sc, per, 11, 1, &|| Box::new(&own));
        let line = lp_check::describe(&c);
        let t = own.totals();
        eprintln!(
            "{line}\n  oreflow-simplex: {} solved by itself, {} by the fallback {:?}",
            t.solved,
            t.fallback_count(),
            t.fallbacks
        );
        assert!(c.summary.lps >= per, "{line}");
        assert_eq!(c.failed_runs, 0, "{line}");
        assert_eq!(c.summary.failed, 0, "{line}\n{:#?}", c.summary.failures);
        assert_eq!(c.summary.controls_accepted, 0, "{line}");
        assert!(
            t.solved >= 9 * (t.solved + t.fallback_count()) / 10,
            "{line}: the fallback answered {} of {}",
            t.fallback_count(),
            t.solved + t.fallback_count()
        );
    }
}
