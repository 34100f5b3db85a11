//! Cross-checks of one solve against a reference solve of the same problem
//! (say, oreflow's warm-started solve against HiGHS from scratch): equal
//! objectives, a primal point that satisfies the problem as written, and
//! prices (row duals) that are equal or, where they differ, an alternative
//! optimal dual — shown by a certificate: the checked duals are dual
//! feasible and their dual objective equals the optimum, so the dual is not
//! unique there.
//!
//! All residuals are recomputed from the problem's data (`A x`, `c − Aᵀy`),
//! never taken from the solver's own row values or reduced costs.

use std::sync::Mutex;

use crate::{Backend, HighsBackend, Observer, Problem, Sense, Solution, Status};

/// Tolerances of [`check`].
#[derive(Clone, Copy, Debug)]
pub struct Tolerances {
    /// Objectives agree to this, relative to `max(1, |reference|)`.
    pub objective: f64,
    /// Bounds and rows hold to this, relative to `max(1, |bound|)`.
    pub primal: f64,
    /// Two prices are equal to this, relative to `max(1, |reference|)`.
    pub dual: f64,
    /// A dual certificate's infeasibility, relative to `max(1, |cost|)`, and
    /// its duality gap, relative to `max(1, |objective|)`.
    pub certificate: f64,
}

impl Default for Tolerances {
    fn default() -> Self {
        Tolerances {
            objective: 1e-9,
            primal: 1e-7,
            dual: 1e-7,
            certificate: 1e-7,
        }
    }
}

/// What [`check`] found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Check {
    /// Rows whose price differs beyond tolerance.
    pub differing_rows: Vec<u32>,
    /// |objective − reference| / max(1, |reference|).
    pub objective_rel: f64,
    /// Largest bound or row violation of the checked point, relative.
    pub primal_violation: f64,
    /// Rows whose price differs from the reference's beyond tolerance.
    pub prices_differ: usize,
    /// Largest relative price difference.
    pub max_price_diff: f64,
    /// When prices differ: the checked duals' (infeasibility, duality gap),
    /// both relative (see [`Tolerances::certificate`]).
    pub certificate: Option<(f64, f64)>,
    /// Why the check failed (none: it passed).
    pub failure: Option<String>,
}

/// Infeasibility and gap of the duals `y` of `s` as a certificate of
/// optimality of `p` with optimum `optimum`: the reduced costs
/// `z = c − Aᵀy` are recomputed, each multiplier is paired with the bound it
/// prices (for a maximisation a positive multiplier prices the upper bound,
/// for a minimisation the lower), a multiplier whose bound is infinite is
/// infeasibility, and the dual objective `Σ y·bound + Σ z·bound` must equal
/// the optimum.
pub fn dual_certificate(p: &Problem, y: &[f64], optimum: f64) -> (f64, f64) {
    let positive_prices_upper = p.sense == Sense::Maximise;
    let mut infeasible = 0.0f64;
    let mut dual_objective = 0.0;
    let mut pair = |mult: f64, lo: f64, hi: f64, scale: f64| {
        if mult == 0.0 {
            return;
        }
        let bound = if (mult > 0.0) == positive_prices_upper {
            hi
        } else {
            lo
        };
        if bound.is_finite() {
            dual_objective += mult * bound;
        } else {
            infeasible = infeasible.max(mult.abs() / scale);
        }
    };
    for (r, &yr) in y.iter().enumerate() {
        pair(yr, p.row_lower[r], p.row_upper[r], 1.0);
    }
    for c in 0..p.num_cols() {
        let (start, end) = (p.col_start[c] as usize, p.col_start[c + 1] as usize);
        let aty: f64 = (start..end)
            .map(|k| p.value[k] * y[p.index[k] as usize])
            .sum();
        let cost = p.col_cost[c];
        let z = cost - aty;
        pair(z, p.col_lower[c], p.col_upper[c], cost.abs().max(1.0));
    }
    let gap = (dual_objective - optimum).abs() / optimum.abs().max(1.0);
    (infeasible, gap)
}

/// Largest violation of the bounds and rows of `p` by the point `x`, each
/// relative to `max(1, |bound|)`; row activities are recomputed as `A x`.
pub fn primal_violation(p: &Problem, x: &[f64]) -> f64 {
    let viol = |v: f64, lo: f64, hi: f64| {
        let below = if lo.is_finite() {
            (lo - v) / lo.abs().max(1.0)
        } else {
            0.0
        };
        let above = if hi.is_finite() {
            (v - hi) / hi.abs().max(1.0)
        } else {
            0.0
        };
        below.max(above).max(0.0)
    };
    let mut worst = 0.0f64;
    let mut activity = vec![0.0; p.num_rows()];
    for c in 0..p.num_cols() {
        worst = worst.max(viol(x[c], p.col_lower[c], p.col_upper[c]));
        for k in p.col_start[c] as usize..p.col_start[c + 1] as usize {
            activity[p.index[k] as usize] += p.value[k] * x[c];
        }
    }
    for (r, &a) in activity.iter().enumerate() {
        worst = worst.max(viol(a, p.row_lower[r], p.row_upper[r]));
    }
    worst
}

/// Checks `solution` of `p` against `reference` (a solve of the same `p`
/// trusted as the reference, e.g. from scratch).
pub fn check(p: &Problem, solution: &Solution, reference: &Solution, tol: &Tolerances) -> Check {
    let mut out = Check::default();
    if solution.status != reference.status {
        out.failure = Some(format!(
            "status {:?}, reference {:?}",
            solution.status, reference.status
        ));
        return out;
    }
    if solution.status != Status::Optimal {
        return out;
    }
    let scale = reference.objective.abs().max(1.0);
    out.objective_rel = (solution.objective - reference.objective).abs() / scale;
    out.primal_violation = primal_violation(p, &solution.col_values);
    for (r, (a, b)) in solution
        .row_duals
        .iter()
        .zip(&reference.row_duals)
        .enumerate()
    {
        let d = (a - b).abs() / b.abs().max(1.0);
        out.max_price_diff = out.max_price_diff.max(d);
        if d > tol.dual {
            out.prices_differ += 1;
            out.differing_rows.push(r as u32);
        }
    }
    if out.prices_differ > 0 {
        out.certificate = Some(dual_certificate(
            p,
            &solution.row_duals,
            reference.objective,
        ));
    }
    let mut why = Vec::new();
    if out.objective_rel > tol.objective {
        why.push(format!(
            "objective {} vs reference {} (relative {:.2e})",
            solution.objective, reference.objective, out.objective_rel
        ));
    }
    if out.primal_violation > tol.primal {
        why.push(format!(
            "primal violation {:.2e} (relative)",
            out.primal_violation
        ));
    }
    if let Some((infeasible, gap)) = out.certificate {
        if infeasible > tol.certificate || gap > tol.certificate {
            why.push(format!(
                "{} prices differ (largest relative difference {:.2e}) and they are no alternative optimal dual: infeasibility {infeasible:.2e}, duality gap {gap:.2e}",
                out.prices_differ, out.max_price_diff
            ));
        }
    }
    if !why.is_empty() {
        out.failure = Some(why.join("; "));
    }
    out
}

/// What [`AgainstCold`] found over many solves.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    pub lps: u64,
    pub max_objective_rel: f64,
    pub max_primal_violation: f64,
    /// LPs with at least one price differing from the cold solve's.
    pub lps_with_prices_differing: u64,
    /// Prices (rows) differing, over all LPs.
    pub prices_differing: u64,
    pub max_price_diff: f64,
    /// Largest certificate infeasibility and gap where prices differed.
    pub max_certificate: (f64, f64),
    /// LPs that failed a check, with why (the first 20).
    pub failures: Vec<String>,
    pub failed: u64,
    /// Simplex iterations of the checked and of the cold solves.
    pub iterations: (u64, u64),
    /// Negative controls: in each LP with a non-zero price, the checked
    /// prices scaled by 1.01 are certified too — they must be refused; this
    /// counts how often they were accepted (a harness that cannot fail
    /// would show it here).
    pub controls: u64,
    pub controls_accepted: u64,
    /// Differing prices by the first two words of their row's label (the
    /// kind of row), over all LPs.
    pub differing_by_kind: std::collections::BTreeMap<String, u64>,
}

/// An [`Observer`] that solves each observed problem again from scratch
/// with HiGHS and [`check`]s the observed solution against it: wrap the
/// backend under test in [`crate::Observed`] with this.
pub struct AgainstCold {
    pub reference: HighsBackend,
    pub tolerances: Tolerances,
    summary: Mutex<Summary>,
}

impl AgainstCold {
    pub fn new(tolerances: Tolerances) -> Self {
        AgainstCold {
            reference: HighsBackend::default(),
            tolerances,
            summary: Mutex::new(Summary::default()),
        }
    }

    /// What was found so far.
    pub fn summary(&self) -> Summary {
        self.summary
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl Observer for AgainstCold {
    fn solved(&self, p: &Problem, s: &Solution) {
        let reference = self.reference.solve(p);
        let mut sum = self.summary.lock().unwrap_or_else(|e| e.into_inner());
        sum.lps += 1;
        let c = match reference {
            Ok(r) => {
                sum.iterations.0 += s.iterations;
                sum.iterations.1 += r.iterations;
                check(p, s, &r, &self.tolerances)
            }
            Err(e) => Check {
                failure: Some(format!("the cold solve failed: {e}")),
                ..Check::default()
            },
        };
        sum.max_objective_rel = sum.max_objective_rel.max(c.objective_rel);
        sum.max_primal_violation = sum.max_primal_violation.max(c.primal_violation);
        sum.max_price_diff = sum.max_price_diff.max(c.max_price_diff);
        for &r in &c.differing_rows {
            let label = &p.row_label[r as usize];
            let kind: Vec<&str> = label.split_whitespace().take(2).collect();
            *sum.differing_by_kind.entry(kind.join(" ")).or_insert(0) += 1;
        }
        if c.prices_differ > 0 {
            sum.lps_with_prices_differing += 1;
            sum.prices_differing += c.prices_differ as u64;
        }
        if let Some((i, g)) = c.certificate {
            sum.max_certificate.0 = sum.max_certificate.0.max(i);
            sum.max_certificate.1 = sum.max_certificate.1.max(g);
        }
        if s.status == Status::Optimal && s.row_duals.iter().any(|y| *y != 0.0) {
            let wrong: Vec<f64> = s.row_duals.iter().map(|y| y * 1.01).collect();
            let (inf, gap) = dual_certificate(p, &wrong, s.objective);
            sum.controls += 1;
            if inf <= self.tolerances.certificate && gap <= self.tolerances.certificate {
                sum.controls_accepted += 1;
            }
        }
        if let Some(f) = c.failure {
            sum.failed += 1;
            if sum.failures.len() < 20 {
                let n = sum.lps;
                sum.failures.push(format!("LP {n}: {f}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Backend, Col, HighsBackend};

    /// max x + y s.t. x + y ≤ 1 (`sum`), x ≤ 1 (`x cap`): the optimum 1 is
    /// reached on a whole edge (primal not unique); the only optimal dual is
    /// (1, 0).
    fn degenerate() -> Problem {
        let mut p = Problem::new(Sense::Maximise);
        let sum = p.add_row(f64::NEG_INFINITY, 1.0, "sum");
        let xr = p.add_row(f64::NEG_INFINITY, 1.0, "x cap");
        p.add_col(1.0, 0.0, f64::INFINITY, &[(sum, 1.0), (xr, 1.0)], "x");
        p.add_col(1.0, 0.0, f64::INFINITY, &[(sum, 1.0)], "y");
        p
    }

    #[test]
    fn a_solution_checks_against_itself() {
        let p = degenerate();
        let s = HighsBackend::default().solve(&p).unwrap();
        let c = check(&p, &s, &s, &Tolerances::default());
        assert_eq!(c.failure, None);
        assert_eq!(c.prices_differ, 0);
        let (inf, gap) = dual_certificate(&p, &s.row_duals, s.objective);
        assert!(inf < 1e-12 && gap < 1e-12, "{inf} {gap}");
    }

    #[test]
    fn an_alternative_optimal_dual_is_accepted_and_a_wrong_one_is_not() {
        let p = degenerate();
        let reference = HighsBackend::default().solve(&p).unwrap();
        assert!((reference.objective - 1.0).abs() < 1e-12);
        // (1, 0) is optimal; (0.5, 0.5) is not: y's reduced cost 1 − 0.5
        // would price its infinite upper bound.
        let mut alt = reference.clone();
        alt.row_duals = vec![1.0, 0.0];
        let mut alt_ref = reference.clone();
        alt_ref.row_duals = vec![1.0, 0.0];
        let c = check(&p, &alt, &alt_ref, &Tolerances::default());
        assert_eq!(c.failure, None);
        let mut wrong = reference.clone();
        wrong.row_duals = vec![0.5, 0.5];
        let c = check(&p, &wrong, &alt_ref, &Tolerances::default());
        assert_eq!(c.prices_differ, 2);
        assert!(c.failure.unwrap().contains("no alternative optimal dual"));
    }

    #[test]
    fn a_truly_degenerate_dual_is_shown_by_its_certificate() {
        // max x s.t. x ≤ 1 (row a), x ≤ 1 (row b): any split of the price 1
        // between a and b is optimal.
        let mut p = Problem::new(Sense::Maximise);
        let a = p.add_row(f64::NEG_INFINITY, 1.0, "a");
        let b = p.add_row(f64::NEG_INFINITY, 1.0, "b");
        p.add_col(1.0, 0.0, f64::INFINITY, &[(a, 1.0), (b, 1.0)], "x");
        let s = HighsBackend::default().solve(&p).unwrap();
        let mut other = s.clone();
        other.row_duals = vec![0.25, 0.75];
        let c = check(&p, &other, &s, &Tolerances::default());
        assert!(c.prices_differ > 0);
        assert_eq!(c.failure, None, "{c:?}");
        let (inf, gap) = c.certificate.unwrap();
        assert!(inf < 1e-12 && gap < 1e-12);
    }

    #[test]
    fn objective_and_feasibility_failures_are_reported() {
        let mut p = degenerate();
        let s = HighsBackend::default().solve(&p).unwrap();
        let mut off = s.clone();
        off.objective += 1e-6;
        assert!(check(&p, &off, &s, &Tolerances::default())
            .failure
            .unwrap()
            .contains("objective"));
        let mut infeasible = s.clone();
        infeasible.col_values = vec![1.0, 1.0];
        let c = check(&p, &infeasible, &s, &Tolerances::default());
        assert!((c.primal_violation - 1.0).abs() < 1e-12);
        // Bounds count too.
        p.set_col_bounds(Col(0), 0.0, 0.5);
        assert!(primal_violation(&p, &[1.0, 0.0]) > 0.4);
    }

    #[test]
    fn minimisation_pairs_positive_prices_with_lower_bounds() {
        // min x s.t. x ≥ 2: price 1 on the lower bound 2, dual objective 2.
        let mut p = Problem::new(Sense::Minimise);
        let r = p.add_row(2.0, f64::INFINITY, "r");
        p.add_col(1.0, 0.0, f64::INFINITY, &[(r, 1.0)], "x");
        let s = HighsBackend::default().solve(&p).unwrap();
        let (inf, gap) = dual_certificate(&p, &s.row_duals, s.objective);
        assert!(inf < 1e-12 && gap < 1e-12, "{inf} {gap}");
        let (inf, _) = dual_certificate(&p, &[-1.0], s.objective);
        assert!(inf > 0.5);
    }
}
