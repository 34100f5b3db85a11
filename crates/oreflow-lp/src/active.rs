//! An active column set with an exact pricing check.
//!
//! Most columns of a sequence of similar LPs sit at one of their bounds in
//! every solve (a demand step far above or below the price, an idle trade
//! arc, a mine at full capacity). [`ActiveSession`] hands the inner session
//! only the *active* columns: every other column is held at the bound it
//! sat at (its contribution moved into the row bounds and the objective).
//! After each solve of that reduced LP every held column is priced with the
//! reduced LP's row duals, `d = c − aᵀy`; any whose reduced cost has the
//! wrong sign beyond [`DUAL_TOLERANCE`] (HiGHS' own dual feasibility
//! tolerance) is made active again and the reduced LP is solved again, from
//! the basis it ended with. So the solution returned is optimal for the
//! *full* LP on the criterion a solver applies to the full LP — primal
//! feasible because held columns are at a bound and every row is met, dual
//! feasible because every column prices out — and is reported in the full
//! LP's columns (held columns with their computed reduced costs).
//!
//! Columns are retired after a solve when they are non-basic at a finite
//! bound (the lower one, or either with [`ActiveColumns::hold_at_upper`])
//! and their reduced cost is wrong-signed by more than
//! [`ActiveColumns::retire_relative`] of the column's cost scale
//! (`|c| + Σ|a·y|`), i.e. the prices would have to move by about that much
//! before they could enter; a retirement happens only when it removes at
//! least [`ActiveColumns::retire_share`] of the active columns, since each
//! change of the active set costs the inner solver a new factorisation. A
//! column with one entry and no upper bound (a row's slack, such as a
//! disposal) is never held. Before each solve the held columns are placed
//! again by the last solve's duals and the new costs: held at the bound
//! those say, or brought back when they say it is near entering (so fewer
//! come back after the solve). A reduced LP that is not optimal
//! (infeasible or unbounded with some columns held) is solved again with
//! every column active, so statuses and diagnostics are those of the full
//! LP.
//!
//! Measured on oreflow's ensembles this is exact and slower than handing
//! HiGHS every column (docs/benchmarks.md), so it is off by default.

use crate::{Basis, BasisStatus, LpError, Problem, Session, Solution, Status};

/// Dual feasibility tolerance of the pricing check (HiGHS' default
/// `dual_feasibility_tolerance`).
pub const DUAL_TOLERANCE: f64 = 1e-7;

/// When to retire columns (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ActiveColumns {
    /// A non-basic column is retired when its reduced cost is wrong-signed
    /// by more than this share of its cost scale `|c| + Σ|a·y|`.
    pub retire_relative: f64,
    /// Retire only when at least this share of the active columns goes.
    pub retire_share: f64,
    /// Hold columns at their upper bound too (else only at their lower).
    /// Holding a column at its upper bound fixes flow into its rows, which
    /// the active columns may be unable to absorb: the reduced LP is then
    /// infeasible and is solved again with every column.
    pub hold_at_upper: bool,
}

impl Default for ActiveColumns {
    fn default() -> Self {
        ActiveColumns {
            retire_relative: 0.02,
            retire_share: 0.1,
            hold_at_upper: false,
        }
    }
}

/// Where a column of the full LP is.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Place {
    /// In the reduced LP.
    Active,
    /// Held at its lower bound.
    Lower,
    /// Held at its upper bound.
    Upper,
}

struct State {
    /// The full LP's shape (no labels), to tell a new shape with
    /// [`Problem::same_shape`].
    shape: Problem,
    place: Vec<Place>,
    /// Full column of each reduced column, in increasing order.
    map: Vec<u32>,
    /// The reduced LP (its structure follows `map`).
    reduced: Problem,
    /// The inner session must start from `basis` (the active set changed).
    restart: bool,
    /// Full basis after the last solve.
    basis: Option<Basis>,
    /// Row duals of the last optimal solve.
    duals: Option<Vec<f64>>,
}

impl State {
    fn new(p: &Problem) -> State {
        let shape = Problem {
            sense: p.sense,
            col_cost: p.col_cost.clone(),
            col_lower: p.col_lower.clone(),
            col_upper: p.col_upper.clone(),
            col_label: vec![String::new(); p.num_cols()],
            row_lower: p.row_lower.clone(),
            row_upper: p.row_upper.clone(),
            row_label: vec![String::new(); p.num_rows()],
            col_start: p.col_start.clone(),
            index: p.index.clone(),
            value: p.value.clone(),
        };
        let mut s = State {
            shape,
            place: vec![Place::Active; p.num_cols()],
            map: Vec::new(),
            reduced: Problem::new(p.sense),
            restart: false,
            basis: None,
            duals: None,
        };
        s.rebuild(p);
        s
    }

    fn fits(&self, p: &Problem) -> bool {
        self.shape.same_shape(p)
    }

    /// Rebuilds the reduced LP's structure from `place`.
    fn rebuild(&mut self, p: &Problem) {
        self.map.clear();
        self.map.extend(
            (0..p.num_cols())
                .filter(|&j| self.place[j] == Place::Active)
                .map(|j| j as u32),
        );
        let mut r = Problem::new(p.sense);
        r.row_lower.clone_from(&p.row_lower);
        r.row_upper.clone_from(&p.row_upper);
        r.row_label = vec![String::new(); p.num_rows()];
        for &j in &self.map {
            let j = j as usize;
            let range = p.col_start[j] as usize..p.col_start[j + 1] as usize;
            r.col_cost.push(p.col_cost[j]);
            r.col_lower.push(p.col_lower[j]);
            r.col_upper.push(p.col_upper[j]);
            r.col_label.push(String::new());
            r.index.extend_from_slice(&p.index[range.clone()]);
            r.value.extend_from_slice(&p.value[range]);
            r.col_start.push(r.index.len() as u32);
        }
        self.reduced = r;
        self.restart = true;
    }

    /// Writes `p`'s numbers into the reduced LP: active columns as they
    /// are, row bounds less the held columns' activity. Returns the held
    /// columns' objective and their activity per row.
    fn fill(&mut self, p: &Problem, shift: &mut Vec<f64>) -> f64 {
        let r = &mut self.reduced;
        let mut k = 0;
        for (rc, &j) in self.map.iter().enumerate() {
            let j = j as usize;
            r.col_cost[rc] = p.col_cost[j];
            r.col_lower[rc] = p.col_lower[j];
            r.col_upper[rc] = p.col_upper[j];
            let range = p.col_start[j] as usize..p.col_start[j + 1] as usize;
            let len = range.len();
            r.value[k..k + len].copy_from_slice(&p.value[range]);
            k += len;
        }
        shift.clear();
        shift.resize(p.num_rows(), 0.0);
        let mut objective = 0.0;
        for j in 0..p.num_cols() {
            if self.place[j] == Place::Active {
                continue;
            }
            let v = held_value(self.place[j], p, j);
            if v == 0.0 {
                continue;
            }
            objective += p.col_cost[j] * v;
            for k in p.col_start[j] as usize..p.col_start[j + 1] as usize {
                shift[p.index[k] as usize] += p.value[k] * v;
            }
        }
        for i in 0..p.num_rows() {
            r.row_lower[i] = p.row_lower[i] - shift[i];
            r.row_upper[i] = p.row_upper[i] - shift[i];
        }
        objective
    }

    /// Costs and bounds changed since the last solve: holds each held
    /// column again where the last duals `y` say it belongs, or brings it
    /// back when they say it is near entering (at the bound its reduced
    /// cost favours).
    fn place_again(&mut self, p: &Problem, y: &[f64], params: &ActiveColumns) {
        let sign = p.sense.sign();
        let mut changed = false;
        for j in 0..p.num_cols() {
            let old = self.place[j];
            if old == Place::Active {
                continue;
            }
            let (d, scale) = reduced_cost(p, j, y);
            let new = params.place_for(p, j, d, scale, sign);
            if new == old {
                continue;
            }
            self.place[j] = new;
            changed = true;
            if let Some(b) = self.basis.as_mut() {
                let at_upper = match new {
                    Place::Upper => true,
                    Place::Lower => false,
                    Place::Active => sign * d > 0.0 && p.col_upper[j].is_finite(),
                };
                b.cols[j] = if at_upper {
                    BasisStatus::Upper
                } else {
                    BasisStatus::Lower
                };
            }
        }
        if changed {
            self.rebuild(p);
        }
    }

    /// The full basis from the reduced one.
    fn full_basis(&self, reduced: &Basis) -> Basis {
        let mut cols: Vec<BasisStatus> = self
            .place
            .iter()
            .map(|pl| match pl {
                Place::Upper => BasisStatus::Upper,
                _ => BasisStatus::Lower,
            })
            .collect();
        for (rc, &j) in self.map.iter().enumerate() {
            cols[j as usize] = reduced.cols[rc];
        }
        Basis {
            cols,
            rows: reduced.rows.clone(),
        }
    }

    /// The reduced basis from a full one.
    fn reduced_basis(&self, full: &Basis) -> Basis {
        Basis {
            cols: self.map.iter().map(|&j| full.cols[j as usize]).collect(),
            rows: full.rows.clone(),
        }
    }
}

/// The value a column in `place` is held at (0 when active).
fn held_value(place: Place, p: &Problem, j: usize) -> f64 {
    match place {
        Place::Lower => p.col_lower[j],
        Place::Upper => p.col_upper[j],
        Place::Active => 0.0,
    }
}

/// Column `j`'s reduced cost `c − aᵀy` under duals `y`, and its cost scale
/// `|c| + Σ|a·y|`.
fn reduced_cost(p: &Problem, j: usize, y: &[f64]) -> (f64, f64) {
    let (mut d, mut scale) = (p.col_cost[j], p.col_cost[j].abs());
    for k in p.col_start[j] as usize..p.col_start[j + 1] as usize {
        let ay = p.value[k] * y[p.index[k] as usize];
        d -= ay;
        scale += ay.abs();
    }
    (d, scale)
}

impl ActiveColumns {
    /// Where a non-basic column with reduced cost `d` and cost scale
    /// `scale` belongs: held at the bound its reduced cost says is optimal
    /// when it is wrong-signed for entering by more than
    /// `retire_relative × scale` (and that bound is finite and may hold
    /// it), else active. `sign` is [`crate::Sense::sign`].
    fn place_for(&self, p: &Problem, j: usize, d: f64, scale: f64, sign: f64) -> Place {
        let limit = (self.retire_relative * scale).max(DUAL_TOLERANCE);
        if -sign * d > limit && p.col_lower[j].is_finite() {
            Place::Lower
        } else if self.hold_at_upper && sign * d > limit && p.col_upper[j].is_finite() {
            Place::Upper
        } else {
            Place::Active
        }
    }
}

/// A session over the active columns of each LP (see the module docs).
pub struct ActiveSession<'a> {
    inner: Box<dyn Session + 'a>,
    params: ActiveColumns,
    start: Option<Basis>,
    state: Option<State>,
    shift: Vec<f64>,
    stats: ActiveStats,
}

/// What an [`ActiveSession`] did, summed over its solves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ActiveStats {
    /// Solves asked of the session.
    pub solves: u64,
    /// Solves of a reduced LP handed to the inner session.
    pub inner_solves: u64,
    /// Reduced-LP columns, summed over the inner solves.
    pub active_columns: u64,
    /// Full-LP columns, summed over the inner solves.
    pub columns: u64,
    /// Held columns that priced in and were made active.
    pub entered: u64,
    /// Columns retired.
    pub retired: u64,
    /// Reduced LPs that were not optimal, solved again with every column.
    pub full_fallbacks: u64,
}

impl<'a> ActiveSession<'a> {
    /// Wraps `inner`, which must keep a basis ([`Session::basis`]).
    pub fn new(inner: Box<dyn Session + 'a>, params: ActiveColumns) -> Self {
        ActiveSession {
            inner,
            params,
            start: None,
            state: None,
            shift: Vec::new(),
            stats: ActiveStats::default(),
        }
    }

    /// What the session did so far.
    pub fn stats(&self) -> ActiveStats {
        self.stats
    }

    /// Solves the reduced LP until every held column prices out.
    fn solve_active(&mut self, p: &Problem) -> Result<Solution, LpError> {
        let st = self.state.as_mut().expect("state set before solving");
        let s = p.sense.sign();
        let mut iterations = 0;
        if let Some(y) = st.duals.take() {
            st.place_again(p, &y, &self.params);
            st.duals = Some(y);
        }
        loop {
            // A held column whose bound is no longer finite comes back.
            let mut unbounded = false;
            for j in 0..p.num_cols() {
                if st.place[j] != Place::Active && !held_value(st.place[j], p, j).is_finite() {
                    st.place[j] = Place::Active;
                    unbounded = true;
                }
            }
            if unbounded {
                st.rebuild(p);
            }
            let held_objective = st.fill(p, &mut self.shift);
            if st.restart {
                if let Some(b) = &st.basis {
                    self.inner.start_from(&st.reduced_basis(b));
                }
                st.restart = false;
            }
            let r = self.inner.solve(&st.reduced)?;
            iterations += r.iterations;
            self.stats.inner_solves += 1;
            self.stats.active_columns += st.map.len() as u64;
            self.stats.columns += p.num_cols() as u64;
            let all_active = st.map.len() == p.num_cols();
            if r.status != Status::Optimal {
                if all_active {
                    return Ok(Solution { iterations, ..r });
                }
                // Held columns may be what makes it infeasible: the full LP
                // decides.
                self.stats.full_fallbacks += 1;
                st.place.iter_mut().for_each(|pl| *pl = Place::Active);
                st.rebuild(p);
                continue;
            }
            // Price every held column.
            let n = p.num_cols();
            let full_basis = self.inner.basis().map(|b| st.full_basis(&b));
            let mut sol = Solution {
                status: Status::Optimal,
                objective: r.objective + held_objective,
                col_values: vec![0.0; n],
                reduced_costs: vec![0.0; n],
                row_values: r
                    .row_values
                    .iter()
                    .zip(&self.shift)
                    .map(|(a, b)| a + b)
                    .collect(),
                row_duals: r.row_duals,
                iterations,
            };
            for (rc, &j) in st.map.iter().enumerate() {
                sol.col_values[j as usize] = r.col_values[rc];
                sol.reduced_costs[j as usize] = r.reduced_costs[rc];
            }
            let mut entering = false;
            for j in 0..n {
                let place = st.place[j];
                if place == Place::Active {
                    continue;
                }
                let (d, _) = reduced_cost(p, j, &sol.row_duals);
                sol.col_values[j] = held_value(place, p, j);
                sol.reduced_costs[j] = d;
                // Improving direction: up from a lower bound, down from an upper.
                let gain = match place {
                    Place::Lower => s * d,
                    _ => -s * d,
                };
                if gain > DUAL_TOLERANCE {
                    st.place[j] = Place::Active;
                    entering = true;
                    self.stats.entered += 1;
                }
            }
            // Restart from where the reduced LP ended (entering columns at
            // the bounds they were held at), or go on from it.
            st.basis = full_basis;
            if entering {
                st.rebuild(p);
                continue;
            }
            st.duals = Some(sol.row_duals.clone());
            self.retire(p, &sol);
            return Ok(sol);
        }
    }

    /// Holds the columns that are far from entering, when enough are.
    fn retire(&mut self, p: &Problem, sol: &Solution) {
        let st = self.state.as_mut().expect("state set");
        let Some(basis) = &st.basis else { return };
        let sign = p.sense.sign();
        let mut out = Vec::new();
        for &j in &st.map {
            let j = j as usize;
            // Held at the bound it is at (a fixed column may sit at either).
            let at = match basis.cols[j] {
                BasisStatus::Lower => Place::Lower,
                BasisStatus::Upper => Place::Upper,
                _ => continue,
            };
            // A column of one entry that is unbounded above is its row's
            // slack (a disposal): holding it could make the reduced LP
            // infeasible.
            if p.col_start[j + 1] - p.col_start[j] == 1 && p.col_upper[j] == f64::INFINITY {
                continue;
            }
            let (_, scale) = reduced_cost(p, j, &sol.row_duals);
            let place = self
                .params
                .place_for(p, j, sol.reduced_costs[j], scale, sign);
            if place == at {
                out.push((j, at));
            }
        }
        if out.is_empty() || (out.len() as f64) < self.params.retire_share * st.map.len() as f64 {
            return;
        }
        self.stats.retired += out.len() as u64;
        for (j, place) in out {
            st.place[j] = place;
        }
        st.rebuild(p);
    }
}

impl Session for ActiveSession<'_> {
    fn solve(&mut self, p: &Problem) -> Result<Solution, LpError> {
        p.validate()?;
        let fits = self.state.as_ref().is_some_and(|s| s.fits(p));
        if !fits {
            self.state = Some(State::new(p));
        }
        if let Some(b) = self.start.take() {
            let st = self.state.as_mut().expect("just set");
            if b.cols.len() == p.num_cols() && b.rows.len() == p.num_rows() {
                // A basis from elsewhere: start from it with every column active.
                if st.map.len() != p.num_cols() {
                    st.place.iter_mut().for_each(|pl| *pl = Place::Active);
                    st.rebuild(p);
                }
                st.basis = Some(b);
                st.duals = None;
                st.restart = true;
            }
        }
        self.stats.solves += 1;
        self.solve_active(p)
    }

    fn basis(&self) -> Option<Basis> {
        self.state.as_ref()?.basis.clone()
    }

    fn start_from(&mut self, basis: &Basis) {
        self.start = Some(basis.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Backend, HighsBackend, RowId, Sense};

    /// A fixed linear congruential generator, so the tests repeat.
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> f64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// A market-like LP: `goods` balance rows (uses − supplies = 0), each
    /// with supplies of increasing cost up to a capacity, demand steps of
    /// decreasing value, disposal, and arcs to the next good with a
    /// freight cost; `t` shifts values and capacities so a sequence of LPs
    /// moves its prices. Costs carry distinct perturbations, so the optimum
    /// (primal and dual) is unique.
    fn market(t: f64, rng: &mut Lcg, sense: Sense) -> Problem {
        let goods = 6;
        let s = match sense {
            Sense::Maximise => 1.0,
            Sense::Minimise => -1.0,
        };
        let mut p = Problem::new(sense);
        let rows: Vec<RowId> = (0..goods)
            .map(|g| p.add_row(0.0, 0.0, format!("balance {g}")))
            .collect();
        for (g, &row) in rows.iter().enumerate() {
            let level = 10.0 * (1.0 + 0.3 * (t + g as f64).sin());
            for k in 0..5 {
                let cost = level * (0.5 + 0.2 * k as f64) * (1.0 + 1e-4 * rng.next());
                let cap = 20.0 * (1.0 + 0.5 * (0.7 * t + k as f64).cos().abs());
                p.add_col(
                    -s * cost,
                    0.0,
                    cap,
                    &[(row, -1.0)],
                    format!("supply {g} {k}"),
                );
            }
            for k in 0..30 {
                let value = level * 3.0 * 0.93_f64.powi(k) * (1.0 + 1e-4 * rng.next());
                p.add_col(
                    s * value,
                    0.0,
                    4.0,
                    &[(row, 1.0)],
                    format!("demand {g} {k}"),
                );
            }
            p.add_col(
                -s * 0.01 * (1.0 + rng.next()),
                0.0,
                f64::INFINITY,
                &[(row, 1.0)],
                "disposal",
            );
            let next = rows[(g + 1) % goods];
            p.add_col(
                -s * (1.0 + rng.next()),
                0.0,
                f64::INFINITY,
                &[(row, 1.0), (next, -1.0)],
                format!("arc {g}"),
            );
        }
        p
    }

    #[test]
    fn reduced_costs_are_costs_less_duals_times_coefficients() {
        for sense in [Sense::Maximise, Sense::Minimise] {
            let p = market(0.3, &mut Lcg(3), sense);
            let sol = HighsBackend::default().solve(&p).unwrap();
            assert_eq!(sol.status, Status::Optimal);
            for j in 0..p.num_cols() {
                let mut d = p.col_cost[j];
                for (r, a) in p.col_entries(crate::Col(j as u32)) {
                    d -= a * sol.dual(r);
                }
                let rc = sol.reduced_costs[j];
                assert!(
                    (d - rc).abs() < 1e-9 * (1.0 + rc.abs()),
                    "{sense:?} col {j}: {d} vs {rc}"
                );
            }
        }
    }

    #[test]
    fn an_active_session_follows_full_solves_along_a_sequence() {
        for (sense, hold_at_upper) in [
            (Sense::Maximise, true),
            (Sense::Minimise, true),
            (Sense::Maximise, false),
        ] {
            let backend = HighsBackend::default();
            let params = ActiveColumns {
                retire_relative: 0.02,
                retire_share: 0.0,
                hold_at_upper,
            };
            let mut active = ActiveSession::new(backend.session(), params);
            for step in 0..40 {
                let t = step as f64 * 0.15;
                let p = market(t, &mut Lcg(11), sense);
                let a = active.solve(&p).unwrap();
                let f = backend.solve(&p).unwrap();
                assert_eq!(a.status, Status::Optimal);
                let rel = (a.objective - f.objective).abs() / f.objective.abs().max(1.0);
                assert!(
                    rel < 1e-9,
                    "{sense:?} step {step}: {} vs {}",
                    a.objective,
                    f.objective
                );
                for j in 0..p.num_cols() {
                    assert!(
                        (a.col_values[j] - f.col_values[j]).abs() < 1e-6,
                        "{sense:?} step {step} col {j}"
                    );
                    assert!(
                        (a.reduced_costs[j] - f.reduced_costs[j]).abs() < 1e-6,
                        "{sense:?} step {step} col {j}"
                    );
                }
                for i in 0..p.num_rows() {
                    assert!((a.row_values[i] - f.row_values[i]).abs() < 1e-6);
                    assert!(
                        (a.row_duals[i] - f.row_duals[i]).abs() < 1e-6,
                        "{sense:?} step {step} row {i}: {} vs {}",
                        a.row_duals[i],
                        f.row_duals[i]
                    );
                }
                // The basis is the full LP's, and an optimal one: a session
                // started from it needs no pivots.
                let b = active.basis().unwrap();
                assert_eq!((b.cols.len(), b.rows.len()), (p.num_cols(), p.num_rows()));
                let mut check = backend.session();
                check.start_from(&b);
                assert_eq!(
                    check.solve(&p).unwrap().iterations,
                    0,
                    "{sense:?} step {step}"
                );
            }
            let st = active.stats();
            // The test means something only if columns were held and came back.
            assert!(st.retired > 0 && st.entered > 0, "{st:?}");
            if hold_at_upper {
                assert!(st.active_columns * 2 < st.columns, "{st:?}");
            } else {
                assert!(st.active_columns < st.columns, "{st:?}");
            }
        }
    }

    #[test]
    fn a_reduced_lp_that_is_infeasible_is_decided_on_the_full_lp() {
        // x (held at its upper bound 5 after the first solve) must come
        // down to meet y = 1 when y's row tightens: only the full LP can.
        let backend = HighsBackend::default();
        let params = ActiveColumns {
            retire_relative: 0.0,
            retire_share: 0.0,
            hold_at_upper: true,
        };
        let mut p = Problem::new(Sense::Maximise);
        let r = p.add_row(f64::NEG_INFINITY, 10.0, "room");
        p.add_col(100.0, 0.0, 5.0, &[(r, 1.0)], "x");
        let y = p.add_col(1.0, 0.0, 10.0, &[(r, 1.0)], "y");
        let mut active = ActiveSession::new(backend.session(), params);
        assert!((active.solve(&p).unwrap().objective - 505.0).abs() < 1e-9);
        p.set_row_bounds(r, f64::NEG_INFINITY, 3.0);
        p.set_col_bounds(y, 1.0, 10.0);
        let a = active.solve(&p).unwrap();
        assert_eq!(a.status, Status::Optimal);
        assert!((a.objective - 201.0).abs() < 1e-9, "{}", a.objective);
        // Infeasible for every column set: reported as the full LP's status.
        p.set_col_bounds(y, 4.0, 10.0);
        assert_eq!(active.solve(&p).unwrap().status, Status::Infeasible);
    }
}
