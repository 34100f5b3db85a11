//! A small linear-programming layer: a labelled problem, a backend trait and
//! a HiGHS backend.
//!
//! Architecture invariant: this crate knows nothing of minerals. Columns and
//! rows carry free-text labels so that callers can name the data behind a
//! failing row; the solver outcome is data ([`Status`]), never a panic.
//!
//! Dual convention: `row_duals[r]` is the change of the objective per unit
//! increase of row `r`'s bounds (so for a maximisation, the dual of a binding
//! `≤ capacity` row is the capacity's non-negative scarcity rent), and
//! `reduced_costs[c]` is the change of the objective per unit increase of
//! column `c`'s bounds.

mod active;
mod highs_backend;
pub mod mps;
mod observe;
pub mod verify;

pub use active::{ActiveColumns, ActiveSession, DUAL_TOLERANCE};
pub use highs_backend::{FileSolve, HighsBackend};
pub use observe::{Observed, Observer};

/// Index of a column (variable).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Col(pub u32);

/// Index of a row (constraint).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RowId(pub u32);

impl Problem {
    /// The optimisation direction.
    pub fn sense(&self) -> Sense {
        self.sense
    }
}

/// Optimisation direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sense {
    Minimise,
    Maximise,
}

impl Sense {
    /// +1 when maximising, −1 when minimising: the factor that makes a
    /// reduced cost's improving direction positive.
    pub fn sign(self) -> f64 {
        match self {
            Sense::Maximise => 1.0,
            Sense::Minimise => -1.0,
        }
    }
}

/// A linear program `opt c·x  s.t.  lo_r ≤ A x ≤ hi_r,  lo_c ≤ x ≤ hi_c`,
/// with a label on every row and column.
///
/// The matrix is stored column-wise (compressed sparse columns, in the order
/// columns are added). Bounds, costs and coefficient values can be changed in
/// place, so a caller that solves a sequence of problems of one shape builds
/// the problem (and its labels) once and only rewrites its numbers.
#[derive(Clone, Debug)]
pub struct Problem {
    sense: Sense,
    col_cost: Vec<f64>,
    col_lower: Vec<f64>,
    col_upper: Vec<f64>,
    col_label: Vec<String>,
    row_lower: Vec<f64>,
    row_upper: Vec<f64>,
    row_label: Vec<String>,
    /// Start of each column's entries in `index`/`value`, plus one past the end.
    col_start: Vec<u32>,
    /// Row of each entry.
    index: Vec<u32>,
    /// Value of each entry.
    value: Vec<f64>,
}

impl Problem {
    /// An empty problem.
    pub fn new(sense: Sense) -> Self {
        Problem {
            sense,
            col_cost: Vec::new(),
            col_lower: Vec::new(),
            col_upper: Vec::new(),
            col_label: Vec::new(),
            row_lower: Vec::new(),
            row_upper: Vec::new(),
            row_label: Vec::new(),
            col_start: vec![0],
            index: Vec::new(),
            value: Vec::new(),
        }
    }

    /// Adds a row `lower ≤ Σ a·x ≤ upper` (coefficients are added with the columns).
    pub fn add_row(&mut self, lower: f64, upper: f64, label: impl Into<String>) -> RowId {
        self.row_lower.push(lower);
        self.row_upper.push(upper);
        self.row_label.push(label.into());
        RowId(self.row_lower.len() as u32 - 1)
    }

    /// Adds a column with its objective coefficient, bounds and row
    /// coefficients (zeros are dropped; a row may appear once per column).
    pub fn add_col(
        &mut self,
        cost: f64,
        lower: f64,
        upper: f64,
        coefs: &[(RowId, f64)],
        label: impl Into<String>,
    ) -> Col {
        self.col_cost.push(cost);
        self.col_lower.push(lower);
        self.col_upper.push(upper);
        self.col_label.push(label.into());
        for &(r, v) in coefs.iter().filter(|(_, v)| *v != 0.0) {
            self.index.push(r.0);
            self.value.push(v);
        }
        self.col_start.push(self.index.len() as u32);
        Col(self.col_cost.len() as u32 - 1)
    }

    /// Number of columns.
    pub fn num_cols(&self) -> usize {
        self.col_cost.len()
    }

    /// Number of rows.
    pub fn num_rows(&self) -> usize {
        self.row_lower.len()
    }

    /// Number of non-zero matrix entries.
    pub fn num_nonzeros(&self) -> usize {
        self.index.len()
    }

    /// Bounds `(lower, upper)` of a column.
    pub fn col_bounds(&self, c: Col) -> (f64, f64) {
        let i = c.0 as usize;
        (self.col_lower[i], self.col_upper[i])
    }

    /// The coefficient of row `r` in column `c` (0 where it has none).
    pub fn coefficient(&self, c: Col, r: RowId) -> f64 {
        self.col_entries(c)
            .find(|&(row, _)| row == r)
            .map_or(0.0, |(_, v)| v)
    }

    /// The columns with an entry in each row: the matrix's row-wise pattern
    /// (it changes only when columns are added).
    pub fn row_pattern(&self) -> Vec<Vec<Col>> {
        let mut rows = vec![Vec::new(); self.num_rows()];
        for c in 0..self.num_cols() {
            let range = self.col_start[c] as usize..self.col_start[c + 1] as usize;
            for &r in &self.index[range] {
                rows[r as usize].push(Col(c as u32));
            }
        }
        rows
    }

    /// The values row `row`'s dual can take, with every other dual held,
    /// while `sol` stays optimal — where the row carries nothing: every
    /// column with an entry in it (`cols`, from [`Problem::row_pattern`])
    /// at zero and at one of its bounds in `sol` (within `tol`). Each
    /// column that could move off its bound bounds the dual on one side (its
    /// reduced cost must keep its sign); fixed columns bound nothing. `None`
    /// where the row carries something. Such a dual is not unique (nothing
    /// flows to pin it): the caller chooses a point of the range.
    pub fn idle_row_dual_range(
        &self,
        row: RowId,
        cols: &[Col],
        sol: &Solution,
        tol: f64,
    ) -> Option<(f64, f64)> {
        let y = sol.dual(row);
        let s = self.sense.sign();
        let (mut lo, mut hi) = (f64::NEG_INFINITY, f64::INFINITY);
        // Most rows carry something: find out before any coefficient lookup.
        if cols.iter().any(|&c| sol.value(c).abs() > tol) {
            return None;
        }
        for &c in cols {
            let (l, u) = self.col_bounds(c);
            let x = sol.value(c);
            let a = self.coefficient(c, row);
            if a == 0.0 || l == u {
                continue;
            }
            // At a lower bound the reduced cost d − a·δ must keep s·d ≤ 0,
            // at an upper bound s·d ≥ 0: a bound on δ of d / a.
            let sign = if (x - l).abs() <= tol {
                1.0
            } else if (x - u).abs() <= tol {
                -1.0
            } else {
                return None;
            };
            let limit = y + sol.reduced_cost(c) / a;
            // s·sign·(d − a·δ) ≤ 0  ⇔  a·δ ≥ d (s·sign > 0) or a·δ ≤ d.
            if (s * sign > 0.0) == (a > 0.0) {
                lo = lo.max(limit);
            } else {
                hi = hi.min(limit);
            }
        }
        Some((lo, hi))
    }

    /// Label of a column.
    pub fn col_label(&self, c: Col) -> &str {
        &self.col_label[c.0 as usize]
    }

    /// Label of a row.
    pub fn row_label(&self, r: RowId) -> &str {
        &self.row_label[r.0 as usize]
    }

    /// The (row, value) entries of a column.
    pub fn col_entries(&self, c: Col) -> impl Iterator<Item = (RowId, f64)> + '_ {
        let i = c.0 as usize;
        let range = self.col_start[i] as usize..self.col_start[i + 1] as usize;
        self.index[range.clone()]
            .iter()
            .zip(&self.value[range])
            .map(|(&r, &v)| (RowId(r), v))
    }

    /// Changes the upper bound of a column.
    pub fn set_col_upper(&mut self, c: Col, upper: f64) {
        self.col_upper[c.0 as usize] = upper;
    }

    /// Changes both bounds of a column.
    pub fn set_col_bounds(&mut self, c: Col, lower: f64, upper: f64) {
        let i = c.0 as usize;
        self.col_lower[i] = lower;
        self.col_upper[i] = upper;
    }

    /// Changes the objective coefficient of a column.
    pub fn set_col_cost(&mut self, c: Col, cost: f64) {
        self.col_cost[c.0 as usize] = cost;
    }

    /// Changes the bounds of a row.
    pub fn set_row_bounds(&mut self, r: RowId, lower: f64, upper: f64) {
        let i = r.0 as usize;
        self.row_lower[i] = lower;
        self.row_upper[i] = upper;
    }

    /// Rewrites the non-zero values of column `c` with `coefs`, which must
    /// name the same rows in the same order with non-zero values (the
    /// sparsity pattern is fixed once built). Returns `false`, changing
    /// nothing, when the pattern differs.
    pub fn set_col_entries(&mut self, c: Col, coefs: &[(RowId, f64)]) -> bool {
        let i = c.0 as usize;
        let range = self.col_start[i] as usize..self.col_start[i + 1] as usize;
        let mut k = range.start;
        for &(r, _) in coefs.iter().filter(|(_, v)| *v != 0.0) {
            if k >= range.end || self.index[k] != r.0 {
                return false;
            }
            k += 1;
        }
        if k != range.end {
            return false;
        }
        let nonzero = coefs.iter().filter(|(_, v)| *v != 0.0);
        for (slot, &(_, v)) in self.value[range].iter_mut().zip(nonzero) {
            *slot = v;
        }
        true
    }

    /// The problem's numbers as slices, for a solver of its own: costs,
    /// bounds and the column-wise matrix (`col_start` has one entry more
    /// than there are columns; `index` and `value` hold each column's rows
    /// and coefficients).
    pub fn parts(&self) -> Parts<'_> {
        Parts {
            sense: self.sense,
            col_cost: &self.col_cost,
            col_lower: &self.col_lower,
            col_upper: &self.col_upper,
            row_lower: &self.row_lower,
            row_upper: &self.row_upper,
            col_start: &self.col_start,
            index: &self.index,
            value: &self.value,
        }
    }

    /// Whether `other` has the same sense, dimensions and sparsity pattern as
    /// `self` (bounds, costs and coefficient values may differ).
    pub fn same_shape(&self, other: &Problem) -> bool {
        self.sense == other.sense
            && self.row_lower.len() == other.row_lower.len()
            && self.col_start == other.col_start
            && self.index == other.index
    }

    /// Checks the numbers before solving: every bound and coefficient is a
    /// number, lower ≤ upper. Returns the first problem, naming its label.
    pub fn validate(&self) -> Result<(), LpError> {
        for i in 0..self.num_cols() {
            let (lo, hi, c) = (self.col_lower[i], self.col_upper[i], self.col_cost[i]);
            if lo.is_nan() || hi.is_nan() || !c.is_finite() || lo > hi || lo == f64::INFINITY {
                return Err(LpError::BadColumn {
                    label: self.col_label[i].clone(),
                    detail: format!("bounds [{lo}, {hi}], objective coefficient {c}"),
                });
            }
            if let Some((r, v)) = self
                .col_entries(Col(i as u32))
                .find(|(_, v)| !v.is_finite())
            {
                return Err(LpError::BadColumn {
                    label: self.col_label[i].clone(),
                    detail: format!("coefficient {v} in row `{}`", self.row_label[r.0 as usize]),
                });
            }
        }
        for i in 0..self.num_rows() {
            let (lo, hi) = (self.row_lower[i], self.row_upper[i]);
            if lo.is_nan() || hi.is_nan() || lo > hi {
                return Err(LpError::BadRow {
                    label: self.row_label[i].clone(),
                    detail: format!("bounds [{lo}, {hi}]"),
                });
            }
        }
        Ok(())
    }
}

/// A [`Problem`]'s numbers, borrowed (see [`Problem::parts`]).
#[derive(Clone, Copy, Debug)]
pub struct Parts<'a> {
    pub sense: Sense,
    pub col_cost: &'a [f64],
    pub col_lower: &'a [f64],
    pub col_upper: &'a [f64],
    pub row_lower: &'a [f64],
    pub row_upper: &'a [f64],
    pub col_start: &'a [u32],
    pub index: &'a [u32],
    pub value: &'a [f64],
}

/// Outcome of a solve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// An optimal solution was found.
    Optimal,
    /// No point satisfies all constraints.
    Infeasible,
    /// The objective can be improved without limit.
    Unbounded,
    /// Any other solver outcome (time limit, numerical trouble, …).
    Other(String),
}

/// Primal and dual values of a solve.
#[derive(Clone, Debug)]
pub struct Solution {
    pub status: Status,
    pub objective: f64,
    pub col_values: Vec<f64>,
    pub reduced_costs: Vec<f64>,
    pub row_values: Vec<f64>,
    pub row_duals: Vec<f64>,
    /// Simplex iterations used.
    pub iterations: u64,
}

impl Solution {
    /// Value of a column.
    pub fn value(&self, c: Col) -> f64 {
        self.col_values[c.0 as usize]
    }

    /// Dual value of a row (see the crate docs for the sign convention).
    pub fn dual(&self, r: RowId) -> f64 {
        self.row_duals[r.0 as usize]
    }

    /// Reduced cost of a column (see the crate docs for the sign convention).
    pub fn reduced_cost(&self, c: Col) -> f64 {
        self.reduced_costs[c.0 as usize]
    }
}

/// Errors of the LP layer: bad numbers in the problem or a solver failure.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum LpError {
    #[error("column `{label}` is malformed: {detail}")]
    BadColumn { label: String, detail: String },
    #[error("row `{label}` is malformed: {detail}")]
    BadRow { label: String, detail: String },
    #[error("solver {solver} failed: {detail}")]
    Solver {
        solver: &'static str,
        detail: String,
    },
}

/// Status of a column or row in a simplex basis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BasisStatus {
    /// Non-basic at its lower bound.
    Lower,
    Basic,
    /// Non-basic at its upper bound.
    Upper,
    /// Non-basic free variable at zero.
    Zero,
    /// Non-basic (other).
    Nonbasic,
}

/// A simplex basis: the status of every column and row of one problem shape.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Basis {
    pub cols: Vec<BasisStatus>,
    pub rows: Vec<BasisStatus>,
}

/// A linear-programming solver.
pub trait Backend: Send + Sync {
    /// Short name for reports (`highs`).
    fn name(&self) -> &'static str;
    /// Solves the problem. `Err` only for malformed input or a solver
    /// failure; infeasibility and unboundedness are a [`Status`].
    fn solve(&self, problem: &Problem) -> Result<Solution, LpError>;
    /// Opens a session for a sequence of problems of one shape (see
    /// [`Problem::same_shape`]: only bounds, costs and coefficient values
    /// change). The default session solves each problem from scratch.
    fn session(&self) -> Box<dyn Session + '_> {
        Box::new(ColdSession { backend: self })
    }
}

/// A sequence of solves of problems with the same shape. A backend may keep
/// its model, factorisation and basis between solves (warm start).
pub trait Session {
    /// Solves `problem`, warm-started from the previous optimal basis when it
    /// has the same shape as the previous problem; otherwise from scratch
    /// (or from a basis given with [`Session::start_from`]).
    fn solve(&mut self, problem: &Problem) -> Result<Solution, LpError>;
    /// The basis of the last solve, when the backend has one.
    fn basis(&self) -> Option<Basis> {
        None
    }
    /// Starts the next solve from `basis` (if it fits that problem's
    /// dimensions; otherwise it is ignored). Backends without warm start
    /// ignore it.
    fn start_from(&mut self, basis: &Basis) {
        let _ = basis;
    }
}

/// A backend behind a reference (to share one, e.g. for its statistics).
impl<B: Backend + ?Sized> Backend for &B {
    fn name(&self) -> &'static str {
        (**self).name()
    }
    fn solve(&self, problem: &Problem) -> Result<Solution, LpError> {
        (**self).solve(problem)
    }
    fn session(&self) -> Box<dyn Session + '_> {
        (**self).session()
    }
}

impl<B: Backend + ?Sized> Backend for Box<B> {
    fn name(&self) -> &'static str {
        (**self).name()
    }
    fn solve(&self, problem: &Problem) -> Result<Solution, LpError> {
        (**self).solve(problem)
    }
    fn session(&self) -> Box<dyn Session + '_> {
        (**self).session()
    }
}

/// A backend wrapper that never warm-starts: every solve of a session starts
/// from scratch (for benchmarks and cross-checks).
pub struct Cold<B>(pub B);

impl<B: Backend> Backend for Cold<B> {
    fn name(&self) -> &'static str {
        self.0.name()
    }
    fn solve(&self, problem: &Problem) -> Result<Solution, LpError> {
        self.0.solve(problem)
    }
}

struct ColdSession<'a, B: Backend + ?Sized> {
    backend: &'a B,
}

impl<B: Backend + ?Sized> Session for ColdSession<'_, B> {
    fn solve(&mut self, problem: &Problem) -> Result<Solution, LpError> {
        self.backend.solve(problem)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// max x + 2y + z  s.t. 3x + y ≤ 6, y + 2z ≤ 7: x=0, y=6, z=0.5, obj 12.5.
    fn small() -> Problem {
        let mut p = Problem::new(Sense::Maximise);
        let c1 = p.add_row(f64::NEG_INFINITY, 6.0, "c1");
        let c2 = p.add_row(f64::NEG_INFINITY, 7.0, "c2");
        p.add_col(1.0, 0.0, f64::INFINITY, &[(c1, 3.0)], "x");
        p.add_col(2.0, 0.0, f64::INFINITY, &[(c1, 1.0), (c2, 1.0)], "y");
        p.add_col(1.0, 0.0, f64::INFINITY, &[(c2, 2.0)], "z");
        p
    }

    #[test]
    fn highs_solves_and_duals_follow_convention() {
        let s = HighsBackend::default().solve(&small()).unwrap();
        assert_eq!(s.status, Status::Optimal);
        assert!((s.objective - 12.5).abs() < 1e-9);
        assert!((s.col_values[1] - 6.0).abs() < 1e-9);
        assert!((s.col_values[2] - 0.5).abs() < 1e-9);
        // Relaxing c2 by one unit gains 0.5 (one more z/2); c1 gains 1.5.
        assert!((s.row_duals[1] - 0.5).abs() < 1e-9, "{:?}", s.row_duals);
        assert!((s.row_duals[0] - 1.5).abs() < 1e-9, "{:?}", s.row_duals);
    }

    #[test]
    fn an_idle_rows_dual_ranges_from_disposal_to_import_parity() {
        // Market A: supply up to 10 at cost 3, demand worth 5 up to 4 (its
        // price is 3: supply is marginal). Market B: nobody buys, nothing is
        // made; it could import from A at freight 1, or dispose for free.
        // Its dual is anywhere in [0, 3 + 1]. Rows are uses − supplies = 0.
        let mut p = Problem::new(Sense::Maximise);
        let a = p.add_row(0.0, 0.0, "balance A");
        let b = p.add_row(0.0, 0.0, "balance B");
        p.add_col(-3.0, 0.0, 10.0, &[(a, -1.0)], "supply A");
        p.add_col(5.0, 0.0, 4.0, &[(a, 1.0)], "demand A");
        p.add_col(-1.0, 0.0, f64::INFINITY, &[(a, 1.0), (b, -1.0)], "A -> B");
        p.add_col(0.0, 0.0, f64::INFINITY, &[(b, 1.0)], "disposal B");
        p.add_col(7.0, 0.0, 0.0, &[(b, 1.0)], "closed plant in B");
        let s = HighsBackend::default().solve(&p).unwrap();
        assert!((s.dual(a) - 3.0).abs() < 1e-9, "{:?}", s.row_duals);
        let rows = p.row_pattern();
        assert_eq!(rows[1], vec![Col(2), Col(3), Col(4)]);
        let (lo, hi) = p.idle_row_dual_range(b, &rows[1], &s, 1e-9).unwrap();
        assert!(lo.abs() < 1e-9 && (hi - 4.0).abs() < 1e-9, "{lo} {hi}");
        // Market A carries flow: no range.
        assert_eq!(p.idle_row_dual_range(a, &rows[0], &s, 1e-9), None);
        // The same problem as a minimisation of the negated costs.
        let mut m = p.clone();
        m.sense = Sense::Minimise;
        for c in 0..m.num_cols() {
            m.col_cost[c] = -m.col_cost[c];
        }
        let s = HighsBackend::default().solve(&m).unwrap();
        let (lo, hi) = m.idle_row_dual_range(b, &rows[1], &s, 1e-9).unwrap();
        // Duals of the minimisation are the negated prices: [-4, 0].
        assert!((lo + 4.0).abs() < 1e-9 && hi.abs() < 1e-9, "{lo} {hi}");
    }

    #[test]
    fn minimise_duals_follow_convention() {
        // min x s.t. x ≥ 2: raising the row bound by one costs +1.
        let mut p = Problem::new(Sense::Minimise);
        let r = p.add_row(2.0, f64::INFINITY, "r");
        p.add_col(1.0, 0.0, f64::INFINITY, &[(r, 1.0)], "x");
        let s = HighsBackend::default().solve(&p).unwrap();
        assert!((s.row_duals[0] - 1.0).abs() < 1e-9);
    }

    #[test]
    fn warm_session_matches_cold_solves_after_bound_and_cost_changes() {
        let backend = HighsBackend::default();
        let mut warm = backend.session();
        let mut p = small();
        let first = warm.solve(&p).unwrap();
        assert!((first.objective - 12.5).abs() < 1e-9);
        // Cap y at 2 and make z worth 3: x = 4/3, y = 2, z = 2.5.
        p.set_col_upper(Col(1), 2.0);
        p.set_col_cost(Col(2), 3.0);
        let w = warm.solve(&p).unwrap();
        let c = backend.solve(&p).unwrap();
        assert!(
            (w.objective - c.objective).abs() < 1e-9,
            "{} vs {}",
            w.objective,
            c.objective
        );
        assert!((w.objective - (4.0 / 3.0 + 4.0 + 7.5)).abs() < 1e-9);
        for (a, b) in w.col_values.iter().zip(&c.col_values) {
            assert!((a - b).abs() < 1e-9);
        }
        // A different structure is loaded afresh and solved correctly.
        let mut q = small();
        let r = q.add_row(f64::NEG_INFINITY, 1.0, "y at most 1");
        q.add_col(0.0, 0.0, 0.0, &[(r, 1.0)], "slack-free");
        let w = warm.solve(&q).unwrap();
        let c = backend.solve(&q).unwrap();
        assert!((w.objective - c.objective).abs() < 1e-9);
    }

    #[test]
    fn warm_session_follows_row_bound_and_coefficient_changes() {
        let backend = HighsBackend::default();
        let mut warm = backend.session();
        let mut p = small();
        warm.solve(&p).unwrap();
        // c1: 3x + y ≤ 6 becomes 3x + 2y ≤ 6, and c2's bound 7 becomes 3.
        assert!(p.set_col_entries(Col(1), &[(RowId(0), 2.0), (RowId(1), 1.0)]));
        p.set_row_bounds(RowId(1), f64::NEG_INFINITY, 3.0);
        let w = warm.solve(&p).unwrap();
        let c = backend.solve(&p).unwrap();
        assert!((w.objective - c.objective).abs() < 1e-9);
        // Along c1 and c2 binding, the objective is 3.5 + 5y/6: y = 3, x = z = 0.
        assert!((w.objective - 6.0).abs() < 1e-9, "{}", w.objective);
        assert!((w.col_values[1] - 3.0).abs() < 1e-9);
        // A different sparsity pattern is refused, leaving the column as it was.
        assert!(!p.set_col_entries(Col(1), &[(RowId(0), 2.0)]));
        assert_eq!(p.col_entries(Col(1)).count(), 2);
    }

    #[test]
    fn a_session_started_from_an_optimal_basis_needs_no_iterations() {
        let backend = HighsBackend::default();
        let mut first = backend.session();
        let p = small();
        let cold = first.solve(&p).unwrap();
        let basis = first.basis().expect("HiGHS has a basis");
        assert_eq!(basis.cols.len(), 3);
        assert_eq!(basis.rows.len(), 2);
        let mut second = backend.session();
        second.start_from(&basis);
        let warm = second.solve(&p).unwrap();
        assert_eq!(warm.iterations, 0);
        assert!((warm.objective - cold.objective).abs() < 1e-12);
        // A basis of the wrong size is ignored, not an error.
        let mut third = backend.session();
        third.start_from(&Basis {
            cols: vec![BasisStatus::Basic],
            rows: vec![],
        });
        assert!((third.solve(&p).unwrap().objective - 12.5).abs() < 1e-9);
    }

    /// A random feasible problem with every kind of row and bound (a fixed
    /// linear congruential generator, so the test is repeatable).
    fn random_problem(seed: u64, sense: Sense) -> Problem {
        let mut state = seed;
        let mut next = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut p = Problem::new(sense);
        // x* = a point in the box; rows built around A x* so the problem is feasible.
        let (m, n) = (12, 20);
        let xs: Vec<f64> = (0..n).map(|_| next() * 10.0 - 3.0).collect();
        let mut a = vec![vec![0.0; n]; m];
        for row in a.iter_mut() {
            for v in row.iter_mut() {
                if next() < 0.3 {
                    *v = (next() * 4.0 - 2.0) / 3.0;
                }
            }
        }
        for (r, row) in a.iter().enumerate() {
            let ax: f64 = row.iter().zip(&xs).map(|(a, x)| a * x).sum();
            let (lo, hi) = match r % 5 {
                0 => (ax, ax),
                1 => (f64::NEG_INFINITY, ax + next()),
                2 => (ax - next(), f64::INFINITY),
                3 => (ax - next() / 7.0, ax + next() / 3.0),
                _ => (f64::NEG_INFINITY, f64::INFINITY),
            };
            p.add_row(lo, hi, format!("row {r}, kind {}", r % 5));
        }
        for (j, &x) in xs.iter().enumerate() {
            let (lo, hi) = match j % 6 {
                0 => (0.0_f64.min(x), f64::INFINITY),
                1 => (x - next(), x + next() * 0.1),
                2 => (f64::NEG_INFINITY, x + next()),
                3 => (x, x),
                4 => (x - 1.0 / 3.0, f64::INFINITY),
                // Free columns are bounded by the rows only: keep them boxed
                // by a row-free bound pair so the problem stays bounded.
                _ => (x - 2.0, x + 0.1),
            };
            let coefs: Vec<(RowId, f64)> = (0..m)
                .filter(|&r| a[r][j] != 0.0)
                .map(|r| (RowId(r as u32), a[r][j]))
                .collect();
            p.add_col(next() * 2.0 - 1.0, lo, hi, &coefs, format!("col {j}"));
        }
        p
    }

    #[test]
    fn mps_files_read_back_by_highs_give_the_same_problem_and_objective() {
        let dir = tempfile::tempdir().unwrap();
        let mut checked = 0;
        for seed in 0..40u64 {
            let sense = if seed % 2 == 0 {
                Sense::Maximise
            } else {
                Sense::Minimise
            };
            let p = random_problem(seed, sense);
            let direct = HighsBackend::default().solve(&p).unwrap();
            let path = dir.path().join(format!("p{seed}.mps"));
            let (text, _) = mps::to_string(&p, &format!("random {seed}"));
            std::fs::write(&path, text).unwrap();
            let back = HighsBackend::default().solve_file(&path).unwrap();
            assert_eq!(back.sense, sense);
            assert_eq!((back.rows, back.cols), (p.num_rows(), p.num_cols()));
            assert_eq!(back.nonzeros, p.num_nonzeros());
            assert_eq!(back.status, direct.status, "seed {seed}");
            if direct.status == Status::Optimal {
                let rel =
                    (back.objective - direct.objective).abs() / direct.objective.abs().max(1.0);
                assert!(
                    rel < 1e-12,
                    "seed {seed}: {} vs {}",
                    back.objective,
                    direct.objective
                );
                checked += 1;
            }
        }
        // The others are unbounded (half-infinite columns), with the same status read back.
        assert!(checked >= 20, "only {checked} random problems were optimal");
        // The small problem of the other tests, with its known optimum.
        let path = dir.path().join("small.mps");
        std::fs::write(&path, mps::to_string(&small(), "small").0).unwrap();
        let back = HighsBackend::default().solve_file(&path).unwrap();
        assert_eq!(back.sense, Sense::Maximise);
        assert!((back.objective - 12.5).abs() < 1e-12);
    }

    #[test]
    fn infeasible_is_a_status_not_an_error() {
        let mut p = Problem::new(Sense::Maximise);
        let r = p.add_row(5.0, 5.0, "needs five");
        p.add_col(1.0, 0.0, 1.0, &[(r, 1.0)], "x");
        let s = HighsBackend::default().solve(&p).unwrap();
        assert_eq!(s.status, Status::Infeasible);
    }

    #[test]
    fn malformed_bounds_name_the_column() {
        let mut p = Problem::new(Sense::Maximise);
        p.add_col(1.0, 2.0, 1.0, &[], "capacity of mine X");
        let e = HighsBackend::default().solve(&p).unwrap_err();
        assert!(e.to_string().contains("capacity of mine X"), "{e}");
        let mut p = Problem::new(Sense::Maximise);
        p.add_col(f64::NAN, 0.0, 1.0, &[], "nan cost");
        assert!(matches!(p.validate(), Err(LpError::BadColumn { .. })));
    }
}
