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
