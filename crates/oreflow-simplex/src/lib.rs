//! A bounded dual simplex for sequences of LPs of one shape, which keeps its
//! basis, factorisation and dual edge weights from one solve to the next and
//! has no per-call set-up beyond syncing the numbers that changed.
//!
//! It is built for oreflow's market LPs (a few hundred rows, ten thousand
//! mostly bounded columns with one to three entries) and is exact by
//! construction where it answers at all: a solve it returns has passed a KKT
//! check on the unmodified problem, recomputed from scratch (primal and dual
//! feasibility, complementary slackness by the basis). Anything it cannot
//! finish — a singular basis, an iteration limit, an infeasible or unbounded
//! LP, a failed check — is handed to the fallback backend (HiGHS in oreflow),
//! warm-started from the basis this solve began with, and the fallback's
//! basis is taken over for the next solve.
//!
//! Method: the problem is `min c·x` over columns `[A I]` (one logical per
//! row, `s = −A x` within the negated row bounds). Changed costs or bounds
//! are synced into the kept state; reduced costs of the wrong sign are
//! mended by a bound flip where the column is boxed and by a cost shift
//! otherwise. The dual simplex (dual steepest edge, a bound-flipping ratio
//! test with Harris' tolerance) then restores primal feasibility; shifted
//! costs are put back and a primal simplex removes the dual infeasibilities
//! that leaves. The basis inverse is kept in product form ([`factor`]).
//!
//! Architecture invariant: no printing, no knowledge of minerals; every
//! outcome is a [`Solution`] or an [`LpError`] from the fallback.

mod factor;

use std::sync::Mutex;

use factor::Factor;
use oreflow_lp::{Backend, Basis, BasisStatus, LpError, Problem, Sense, Session, Solution, Status};

/// Tolerances and limits.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Largest bound violation accepted (absolute).
    pub primal_tolerance: f64,
    /// Largest reduced cost of the wrong sign accepted.
    pub dual_tolerance: f64,
    /// Etas appended before the basis is factorised again.
    pub refactor_every: usize,
    /// Iterations per solve before giving up (to the fallback).
    pub iteration_limit: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            primal_tolerance: 1e-8,
            dual_tolerance: 1e-8,
            refactor_every: 100,
            iteration_limit: 20_000,
        }
    }
}

/// The dual simplex as an [`oreflow_lp::Backend`], with `fallback` for what
/// it cannot finish.
pub struct DualSimplex<B> {
    pub fallback: B,
    pub options: Options,
    /// What ended sessions did, summed.
    totals: Mutex<Stats>,
}

impl<B: Backend> DualSimplex<B> {
    pub fn new(fallback: B) -> Self {
        DualSimplex {
            fallback,
            options: Options::default(),
            totals: Mutex::new(Stats::default()),
        }
    }

    /// What the sessions ended so far did, summed.
    pub fn totals(&self) -> Stats {
        self.totals.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl<B: Backend> Backend for DualSimplex<B> {
    fn name(&self) -> &'static str {
        "oreflow-simplex"
    }
    fn solve(&self, problem: &Problem) -> Result<Solution, LpError> {
        self.session().solve(problem)
    }
    fn session(&self) -> Box<dyn Session + '_> {
        Box::new(self.open())
    }
}

impl<B: Backend> DualSimplex<B> {
    /// A session with its statistics reachable (see [`SimplexSession::stats`]).
    pub fn open(&self) -> SimplexSession<'_> {
        SimplexSession {
            totals: &self.totals,
            options: self.options,
            fallback: self.fallback.session(),
            state: None,
            start: None,
            stats: Stats::default(),
        }
    }
}

/// What a session did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stats {
    /// Solves answered by the dual simplex.
    pub solved: u64,
    /// Solves handed to the fallback, by reason.
    pub fallbacks: Vec<(String, u64)>,
    /// Dual simplex iterations (own solves).
    pub dual_iterations: u64,
    /// Primal simplex iterations (clean-up after cost shifts).
    pub primal_iterations: u64,
    /// Factorisations of the basis.
    pub factorisations: u64,
    /// Reduced costs of the wrong sign at the start of a solve mended by a
    /// bound flip, and by a cost shift (columns, logicals).
    pub flips: u64,
    pub shifted_columns: u64,
    pub shifted_logicals: u64,
    /// Solves that needed dual phase 1.
    pub phase_one: u64,
    /// Of those, solves whose boxed phase-1 problem had no feasible point.
    pub phase_one_failed: u64,
    /// Non-zeros of the factorisations, and basic columns (not logicals) in them, summed.
    pub factor_nonzeros: u64,
    pub structural_basics: u64,
    /// Seconds in the dual and the primal phase, and in the rest of own solves.
    pub seconds: [f64; 3],
}

impl Stats {
    fn fell_back(&mut self, why: &str) {
        match self.fallbacks.iter_mut().find(|(w, _)| w == why) {
            Some((_, n)) => *n += 1,
            None => self.fallbacks.push((why.to_string(), 1)),
        }
    }
    fn add(&mut self, o: &Stats) {
        self.solved += o.solved;
        for (w, n) in &o.fallbacks {
            match self.fallbacks.iter_mut().find(|(v, _)| v == w) {
                Some((_, k)) => *k += n,
                None => self.fallbacks.push((w.clone(), *n)),
            }
        }
        self.dual_iterations += o.dual_iterations;
        self.primal_iterations += o.primal_iterations;
        self.factorisations += o.factorisations;
        self.flips += o.flips;
        self.shifted_columns += o.shifted_columns;
        self.shifted_logicals += o.shifted_logicals;
        self.phase_one += o.phase_one;
        self.phase_one_failed += o.phase_one_failed;
        self.factor_nonzeros += o.factor_nonzeros;
        self.structural_basics += o.structural_basics;
        for k in 0..3 {
            self.seconds[k] += o.seconds[k];
        }
    }

    /// All solves handed to the fallback.
    pub fn fallback_count(&self) -> u64 {
        self.fallbacks.iter().map(|(_, n)| n).sum()
    }
}

/// A sequence of solves; see the crate docs.
pub struct SimplexSession<'a> {
    totals: &'a Mutex<Stats>,
    options: Options,
    fallback: Box<dyn Session + 'a>,
    state: Option<State>,
    start: Option<Basis>,
    stats: Stats,
}

impl SimplexSession<'_> {
    pub fn stats(&self) -> &Stats {
        &self.stats
    }
}

impl Drop for SimplexSession<'_> {
    fn drop(&mut self) {
        if let Ok(mut t) = self.totals.lock() {
            t.add(&self.stats);
        }
    }
}

/// Status of a variable (column or logical).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum At {
    Basic,
    Lower,
    Upper,
    /// Non-basic free variable, at zero.
    Zero,
}

/// Why a solve went to the fallback.
#[derive(Debug)]
enum Fail {
    Singular,
    IterationLimit,
    PrimalInfeasible,
    Unbounded,
    Check,
}

impl Fail {
    fn reason(&self) -> &'static str {
        match self {
            Fail::Singular => "singular basis",
            Fail::IterationLimit => "iteration limit",
            Fail::PrimalInfeasible => "infeasible (dual unbounded)",
            Fail::Unbounded => "unbounded (primal clean-up)",
            Fail::Check => "final check failed",
        }
    }
}

/// The kept state of a session: the problem in internal form and the basis.
struct State {
    m: usize,
    n: usize,
    sense: Sense,
    /// Internal costs (minimisation; logicals 0), without shifts.
    cost: Vec<f64>,
    /// Cost shifts in force during the dual phase.
    shift: Vec<f64>,
    lower: Vec<f64>,
    upper: Vec<f64>,
    col_start: Vec<u32>,
    index: Vec<u32>,
    value: Vec<f64>,
    /// Row-wise copy of the structural matrix.
    row_start: Vec<u32>,
    row_col: Vec<u32>,
    row_val: Vec<f64>,
    /// Position in the row-wise copy of each column-wise entry.
    csr_of: Vec<u32>,
    status: Vec<At>,
    /// The statuses the current solve began from.
    begun: Vec<At>,
    /// Basic variable of each basis position.
    head: Vec<usize>,
    x: Vec<f64>,
    d: Vec<f64>,
    /// Dual steepest-edge weight of each variable (used while basic).
    weight: Vec<f64>,
    factor: Factor,
    /// Whether `factor` is the inverse of the basis in `head`.
    factored: bool,
    // Work vectors.
    rho: Vec<f64>,
    col: Vec<f64>,
    tau: Vec<f64>,
    alpha: Vec<f64>,
    touched: Vec<usize>,
    flips: Vec<usize>,
    /// Primal phase: Devex weights, attractive candidates, membership.
    pweight: Vec<f64>,
    plist: Vec<usize>,
    inlist: Vec<bool>,
}

impl State {
    fn new(p: &Problem) -> State {
        let q = p.parts();
        let (m, n) = (q.row_lower.len(), q.col_cost.len());
        let mut row_count = vec![0u32; m + 1];
        for &i in q.index {
            row_count[i as usize + 1] += 1;
        }
        for i in 0..m {
            row_count[i + 1] += row_count[i];
        }
        let row_start = row_count.clone();
        let mut next = row_count;
        let nnz = q.index.len();
        let mut row_col = vec![0u32; nnz];
        let mut csr_of = vec![0u32; nnz];
        for j in 0..n {
            for k in q.col_start[j] as usize..q.col_start[j + 1] as usize {
                let i = q.index[k] as usize;
                let at = next[i] as usize;
                row_col[at] = j as u32;
                csr_of[k] = at as u32;
                next[i] += 1;
            }
        }
        let mut s = State {
            m,
            n,
            sense: q.sense,
            cost: vec![0.0; n + m],
            shift: vec![0.0; n + m],
            lower: vec![0.0; n + m],
            upper: vec![0.0; n + m],
            col_start: q.col_start.to_vec(),
            index: q.index.to_vec(),
            value: vec![0.0; nnz],
            row_start,
            row_col,
            row_val: vec![0.0; nnz],
            csr_of,
            // The slack basis.
            status: (0..n + m)
                .map(|j| if j < n { At::Lower } else { At::Basic })
                .collect(),
            begun: Vec::new(),
            head: (n..n + m).collect(),
            x: vec![0.0; n + m],
            d: vec![0.0; n + m],
            weight: vec![1.0; n + m],
            factor: Factor::default(),
            factored: false,
            rho: vec![0.0; m],
            col: vec![0.0; m],
            tau: vec![0.0; m],
            alpha: vec![0.0; n + m],
            touched: Vec::new(),
            flips: Vec::new(),
            pweight: Vec::new(),
            plist: Vec::new(),
            inlist: Vec::new(),
        };
        s.sync(p);
        s
    }

    fn fits(&self, p: &Problem) -> bool {
        let q = p.parts();
        q.sense == self.sense
            && q.row_lower.len() == self.m
            && q.col_start == self.col_start.as_slice()
            && q.index == self.index.as_slice()
    }

    /// Takes over `p`'s numbers; the factorisation is dropped when a basic
    /// column's coefficients changed.
    fn sync(&mut self, p: &Problem) {
        let q = p.parts();
        let sign = match q.sense {
            Sense::Minimise => 1.0,
            Sense::Maximise => -1.0,
        };
        let n = self.n;
        for j in 0..n {
            self.cost[j] = sign * q.col_cost[j];
            self.lower[j] = q.col_lower[j];
            self.upper[j] = q.col_upper[j];
        }
        for i in 0..self.m {
            self.lower[n + i] = -q.row_upper[i];
            self.upper[n + i] = -q.row_lower[i];
        }
        for j in 0..n {
            let (s, t) = (self.col_start[j] as usize, self.col_start[j + 1] as usize);
            if self.value[s..t] != q.value[s..t] {
                if self.status[j] == At::Basic {
                    self.factored = false;
                }
                for k in s..t {
                    self.value[k] = q.value[k];
                    self.row_val[self.csr_of[k] as usize] = q.value[k];
                }
            }
        }
        self.shift.iter_mut().for_each(|s| *s = 0.0);
    }

    /// Takes over a basis (HiGHS' statuses), if it has one basic variable per row.
    fn adopt(&mut self, b: &Basis) -> bool {
        if b.cols.len() != self.n || b.rows.len() != self.m {
            return false;
        }
        let basic = b
            .cols
            .iter()
            .chain(&b.rows)
            .filter(|s| **s == BasisStatus::Basic)
            .count();
        if basic != self.m {
            return false;
        }
        let n = self.n;
        self.head.clear();
        for (j, s) in b.cols.iter().enumerate() {
            self.status[j] = match s {
                BasisStatus::Basic => At::Basic,
                BasisStatus::Upper => At::Upper,
                BasisStatus::Zero => At::Zero,
                _ => At::Lower,
            };
        }
        for (i, s) in b.rows.iter().enumerate() {
            // A row at its lower bound has its logical (−activity) at its upper.
            self.status[n + i] = match s {
                BasisStatus::Basic => At::Basic,
                BasisStatus::Upper => At::Lower,
                BasisStatus::Zero => At::Zero,
                _ => At::Upper,
            };
        }
        self.head = (0..n + self.m)
            .filter(|&j| self.status[j] == At::Basic)
            .collect();
        self.factored = false;
        // Fresh edge weights: a solve started from a given basis takes the
        // same path whatever this session solved before.
        self.weight.iter_mut().for_each(|w| *w = 1.0);
        true
    }

    fn basis(&self) -> Basis {
        self.basis_of(&self.status)
    }

    /// The basis of the statuses `status` (this state's or a saved copy).
    fn basis_of(&self, status: &[At]) -> Basis {
        let n = self.n;
        let conv = |a: At| match a {
            At::Basic => BasisStatus::Basic,
            At::Lower => BasisStatus::Lower,
            At::Upper => BasisStatus::Upper,
            At::Zero => BasisStatus::Zero,
        };
        Basis {
            cols: status[..n].iter().map(|&a| conv(a)).collect(),
            rows: status[n..]
                .iter()
                .map(|&a| match a {
                    At::Lower => BasisStatus::Upper,
                    At::Upper => BasisStatus::Lower,
                    other => conv(other),
                })
                .collect(),
        }
    }

    /// Adds `mult · a_j` to the dense row vector `v`.
    fn add_col(&self, j: usize, mult: f64, v: &mut [f64]) {
        if j >= self.n {
            v[j - self.n] += mult;
        } else {
            for k in self.col_start[j] as usize..self.col_start[j + 1] as usize {
                v[self.index[k] as usize] += mult * self.value[k];
            }
        }
    }

    fn dot_col(&self, j: usize, y: &[f64]) -> f64 {
        if j >= self.n {
            y[j - self.n]
        } else {
            let mut s = 0.0;
            for k in self.col_start[j] as usize..self.col_start[j + 1] as usize {
                s += self.value[k] * y[self.index[k] as usize];
            }
            s
        }
    }

    /// Factorises the basis in `head` (positions are reassigned).
    fn factorise(&mut self, stats: &mut Stats) -> Result<(), Fail> {
        stats.factorisations += 1;
        let (m, n) = (self.m, self.n);
        self.factor.clear();
        let mut taken = vec![false; m];
        let mut head = vec![usize::MAX; m];
        let mut structural = Vec::new();
        for &j in &self.head {
            if j >= n {
                taken[j - n] = true;
                head[j - n] = j;
            } else {
                structural.push(j);
            }
        }
        structural.sort_by_key(|&j| (self.col_start[j + 1] - self.col_start[j], j));
        let mut v = std::mem::take(&mut self.col);
        for &j in &structural {
            v.iter_mut().for_each(|x| *x = 0.0);
            self.add_col(j, 1.0, &mut v);
            self.factor.ftran(&mut v);
            let mut best = (usize::MAX, 0.0f64);
            for i in 0..m {
                if !taken[i] && v[i].abs() > best.1 {
                    best = (i, v[i].abs());
                }
            }
            if best.0 == usize::MAX || best.1 < 1e-9 {
                self.col = v;
                return Err(Fail::Singular);
            }
            self.factor.push(best.0, &v);
            taken[best.0] = true;
            head[best.0] = j;
        }
        self.col = v;
        stats.factor_nonzeros += self.factor.nonzeros() as u64;
        stats.structural_basics += structural.len() as u64;
        self.head = head;
        self.factored = true;
        Ok(())
    }

    /// Non-basic values at their bounds, basic values and reduced costs
    /// from scratch.
    fn recompute(&mut self) {
        self.recompute_primal();
        // y = B⁻ᵀ c_B, d = c − Aᵀ y.
        let mut v = std::mem::take(&mut self.col);
        for (k, &j) in self.head.iter().enumerate() {
            v[k] = self.cost[j] + self.shift[j];
        }
        self.factor.btran(&mut v);
        for j in 0..self.n + self.m {
            self.d[j] = if self.status[j] == At::Basic {
                0.0
            } else {
                self.cost[j] + self.shift[j] - self.dot_col(j, &v)
            };
        }
        self.col = v;
    }

    /// Puts every non-basic variable at a bound its reduced cost agrees
    /// with: boxed ones flip, others get a cost shift.
    fn make_dual_feasible(&mut self, tol: f64, stats: &mut Stats) {
        for j in 0..self.n + self.m {
            let (l, u, d) = (self.lower[j], self.upper[j], self.d[j]);
            if self.status[j] == At::Basic {
                continue;
            }
            // The status the bounds allow: a fixed variable never needs
            // mending, a one-sided or free one has one place to be.
            let st = match (l.is_finite(), u.is_finite()) {
                (true, true) if l == u => {
                    self.status[j] = At::Lower;
                    continue;
                }
                (true, true) if self.status[j] == At::Zero => {
                    if d >= 0.0 {
                        At::Lower
                    } else {
                        At::Upper
                    }
                }
                (true, true) => self.status[j],
                (true, false) => At::Lower,
                (false, true) => At::Upper,
                (false, false) => At::Zero,
            };
            self.status[j] = st;
            let wrong = match st {
                At::Lower => d < -tol,
                At::Upper => d > tol,
                At::Zero => d.abs() > tol,
                At::Basic => false,
            };
            if !wrong {
                continue;
            }
            if l.is_finite() && u.is_finite() {
                self.status[j] = if st == At::Lower {
                    At::Upper
                } else {
                    At::Lower
                };
                stats.flips += 1;
            } else {
                // Shift the cost so that the reduced cost is zero (a little
                // beyond, to leave the variable where it is).
                let target = match st {
                    At::Lower => tol,
                    At::Upper => -tol,
                    _ => 0.0,
                };
                self.shift[j] += target - d;
                self.d[j] = target;
                if j < self.n {
                    stats.shifted_columns += 1;
                } else {
                    stats.shifted_logicals += 1;
                }
            }
        }
    }

    /// Largest weighted primal infeasibility among basic variables.
    fn choose_row(&self, tol: f64) -> Option<usize> {
        let mut best = (None, 0.0);
        for (k, &j) in self.head.iter().enumerate() {
            let x = self.x[j];
            let inf = if x < self.lower[j] - tol {
                self.lower[j] - x
            } else if x > self.upper[j] + tol {
                x - self.upper[j]
            } else {
                continue;
            };
            let score = inf * inf / self.weight[j];
            if score > best.1 {
                best = (Some(k), score);
            }
        }
        best.0
    }

    /// `alpha[j] = ρᵀ a_j` for the non-basic variables touched by `rho`.
    fn price_row(&mut self) {
        // Local slices: the loops below then keep their pointers in registers.
        let alpha = &mut self.alpha[..];
        let touched = &mut self.touched;
        for &j in touched.iter() {
            alpha[j] = 0.0;
        }
        touched.clear();
        let n = self.n;
        let status = &self.status[..];
        let (row_start, row_col, row_val) =
            (&self.row_start[..], &self.row_col[..], &self.row_val[..]);
        for (i, &r) in self.rho.iter().enumerate() {
            if r == 0.0 {
                continue;
            }
            if status[n + i] != At::Basic {
                alpha[n + i] = r;
                touched.push(n + i);
            }
            let (s, t) = (row_start[i] as usize, row_start[i + 1] as usize);
            for (&j, &v) in row_col[s..t].iter().zip(&row_val[s..t]) {
                let j = j as usize;
                if status[j] == At::Basic {
                    continue;
                }
                let a = alpha[j];
                if a == 0.0 {
                    touched.push(j);
                }
                let a = a + r * v;
                // Keep a listed entry non-zero: a tiny value will do.
                alpha[j] = if a == 0.0 { f64::MIN_POSITIVE } else { a };
            }
        }
    }

    /// The dual simplex: primal feasibility with dual feasibility kept.
    fn dual(&mut self, o: &Options, stats: &mut Stats, iters: &mut u64) -> Result<(), Fail> {
        let (tp, td) = (o.primal_tolerance, o.dual_tolerance);
        let mut cands: Vec<(usize, f64, f64)> = Vec::new();
        loop {
            let Some(r) = self.choose_row(tp) else {
                return Ok(());
            };
            if *iters >= o.iteration_limit {
                return Err(Fail::IterationLimit);
            }
            *iters += 1;
            stats.dual_iterations += 1;
            let p = self.head[r];
            let below = self.x[p] < self.lower[p];
            let target = if below { self.lower[p] } else { self.upper[p] };
            let slope = (self.x[p] - target).abs();
            // ρ = B⁻ᵀ e_r, α_r = ρᵀ A_N.
            self.rho.iter_mut().for_each(|v| *v = 0.0);
            self.rho[r] = 1.0;
            self.factor.btran(&mut self.rho);
            self.price_row();
            // α̂ = α (leaving above) or −α (below): d_j(t) = d_j − t α̂_j.
            let dir = if below { -1.0 } else { 1.0 };
            cands.clear();
            let (alpha, status, d) = (&self.alpha[..], &self.status[..], &self.d[..]);
            let (lower, upper) = (&self.lower[..], &self.upper[..]);
            for &j in &self.touched {
                let a = dir * alpha[j];
                if a.abs() < 1e-9 {
                    continue;
                }
                let ok = match status[j] {
                    At::Lower => a > 0.0,
                    At::Upper => a < 0.0,
                    At::Zero => true,
                    At::Basic => false,
                };
                if ok && lower[j] != upper[j] {
                    cands.push((j, d[j] / a, a));
                }
            }
            // Bound-flipping ratio test with Harris' tolerance. A candidate
            // that cannot be passed (not boxed) bounds the step at its
            // relaxed ratio, so any whose ratio lies beyond cannot take part;
            // the rest are sorted by ratio, the smallest few first.
            let relaxed = |j: usize, a: f64| {
                if self.status[j] == At::Zero {
                    (self.d[j].abs() + td) / a.abs()
                } else {
                    (self.d[j] + td * a.signum()) / a
                }
            };
            let range = |j: usize| self.upper[j] - self.lower[j];
            let bound = cands
                .iter()
                .filter(|c| !range(c.0).is_finite())
                .map(|c| relaxed(c.0, c.2))
                .fold(f64::INFINITY, f64::min);
            cands.retain(|c| c.1 <= bound);
            let mut flips = std::mem::take(&mut self.flips);
            let by_ratio = |a: &(usize, f64, f64), b: &(usize, f64, f64)| a.1.total_cmp(&b.1);
            let mut outcome = Ratio::NeedMore;
            if cands.len() > PREFIX {
                cands.select_nth_unstable_by(PREFIX - 1, by_ratio);
                cands[..PREFIX].sort_unstable_by(by_ratio);
                outcome =
                    bound_flipping(&cands[..PREFIX], false, slope, &relaxed, &range, &mut flips);
            }
            if outcome == Ratio::NeedMore {
                cands.sort_unstable_by(by_ratio);
                outcome = bound_flipping(&cands, true, slope, &relaxed, &range, &mut flips);
            }
            let q = match outcome {
                Ratio::Enter(k) => cands[k],
                _ => {
                    self.flips = flips;
                    return Err(Fail::PrimalInfeasible);
                }
            };
            let (q, t, _) = q;
            // Bound flips: Δx_B = −B⁻¹ Σ a_j Δx_j.
            if !flips.is_empty() {
                self.col.iter_mut().for_each(|v| *v = 0.0);
                for &j in &flips {
                    let (from, to, st) = match self.status[j] {
                        At::Lower => (self.lower[j], self.upper[j], At::Upper),
                        _ => (self.upper[j], self.lower[j], At::Lower),
                    };
                    self.status[j] = st;
                    self.x[j] = to;
                    let delta = to - from;
                    let mut c = std::mem::take(&mut self.col);
                    self.add_col(j, delta, &mut c);
                    self.col = c;
                }
                let mut c = std::mem::take(&mut self.col);
                self.factor.ftran(&mut c);
                for (k, &j) in self.head.iter().enumerate() {
                    self.x[j] -= c[k];
                }
                self.col = c;
            }
            self.flips = flips;
            // α_q = B⁻¹ a_q.
            let mut c = std::mem::take(&mut self.col);
            c.iter_mut().for_each(|v| *v = 0.0);
            self.add_col(q, 1.0, &mut c);
            self.factor.ftran(&mut c);
            let arq = c[r];
            let from_row = self.alpha[q];
            if arq.abs() < 1e-9 || (arq - from_row).abs() > 1e-6 * (1.0 + arq.abs()) {
                self.col = c;
                // The factorisation has drifted: factorise and start again.
                self.factorise(stats)?;
                self.recompute();
                continue;
            }
            // Primal step.
            let theta_p = (self.x[p] - target) / arq;
            for (k, &j) in self.head.iter().enumerate() {
                self.x[j] -= theta_p * c[k];
            }
            self.x[q] += theta_p;
            self.x[p] = target;
            // Dual step.
            let step = t * dir;
            let (d, alpha) = (&mut self.d[..], &self.alpha[..]);
            for &j in &self.touched {
                d[j] -= step * alpha[j];
            }
            let tt = t;
            self.d[q] = 0.0;
            self.d[p] = -tt * dir;
            // Dual steepest-edge weights: τ = B⁻¹ ρ.
            let wr = self.rho.iter().map(|v| v * v).sum::<f64>();
            self.tau.copy_from_slice(&self.rho);
            self.factor.ftran(&mut self.tau);
            for (k, &j) in self.head.iter().enumerate() {
                if k == r {
                    continue;
                }
                let ratio = c[k] / arq;
                if ratio != 0.0 {
                    let w = self.weight[j] - 2.0 * ratio * self.tau[k] + ratio * ratio * wr;
                    self.weight[j] = w.max(ratio * ratio).max(1e-12);
                }
            }
            self.weight[q] = (wr / (arq * arq)).max(1e-12);
            // Basis change.
            self.status[p] = if below { At::Lower } else { At::Upper };
            self.status[q] = At::Basic;
            self.head[r] = q;
            self.factor.push(r, &c);
            self.factor.updates += 1;
            self.col = c;
            for &j in &self.touched {
                self.alpha[j] = 0.0;
            }
            self.touched.clear();
            if self.factor.updates >= o.refactor_every {
                self.factorise(stats)?;
                self.recompute();
            }
        }
    }

    /// The primal simplex from a primal feasible basis: removes the dual
    /// infeasibilities left when cost shifts are taken back.
    fn primal(&mut self, o: &Options, stats: &mut Stats, iters: &mut u64) -> Result<(), Fail> {
        let (tp, td) = (o.primal_tolerance, o.dual_tolerance);
        // Devex reference weights, and the list of attractive candidates
        // (a reduced cost changes only where the pivot row touches it).
        let total = self.n + self.m;
        self.pweight.clear();
        self.pweight.resize(total, 1.0);
        self.inlist.clear();
        self.inlist.resize(total, false);
        self.plist.clear();
        for j in 0..total {
            if self.gain(j, td) > 0.0 {
                self.plist.push(j);
                self.inlist[j] = true;
            }
        }
        loop {
            // Entering: the largest weighted reduced cost of the improving sign.
            let mut best = (usize::MAX, 0.0);
            let mut k = 0;
            while k < self.plist.len() {
                let j = self.plist[k];
                let g = self.gain(j, td);
                if g == 0.0 {
                    self.inlist[j] = false;
                    self.plist.swap_remove(k);
                    continue;
                }
                let score = g * g / self.pweight[j];
                if score > best.1 {
                    best = (j, score);
                }
                k += 1;
            }
            if best.0 == usize::MAX {
                return Ok(());
            }
            if *iters >= o.iteration_limit {
                return Err(Fail::IterationLimit);
            }
            *iters += 1;
            stats.primal_iterations += 1;
            let q = best.0;
            // Direction: +1 when x_q increases.
            let dir = match self.status[q] {
                At::Lower => 1.0,
                At::Upper => -1.0,
                _ => -self.d[q].signum(),
            };
            let mut c = std::mem::take(&mut self.col);
            c.iter_mut().for_each(|v| *v = 0.0);
            self.add_col(q, 1.0, &mut c);
            self.factor.ftran(&mut c);
            // x_B(θ) = x_B − θ dir α_q; Harris two-pass ratio test.
            let mut theta_max = self.upper[q] - self.lower[q];
            for (k, &j) in self.head.iter().enumerate() {
                let a = dir * c[k];
                if a > 1e-9 && self.lower[j].is_finite() {
                    theta_max = theta_max.min((self.x[j] - self.lower[j] + tp) / a);
                } else if a < -1e-9 && self.upper[j].is_finite() {
                    theta_max = theta_max.min((self.x[j] - self.upper[j] - tp) / a);
                }
            }
            if !theta_max.is_finite() {
                self.col = c;
                return Err(Fail::Unbounded);
            }
            let mut leave = (usize::MAX, 0.0f64, 0.0f64);
            for (k, &j) in self.head.iter().enumerate() {
                let a = dir * c[k];
                let t = if a > 1e-9 && self.lower[j].is_finite() {
                    (self.x[j] - self.lower[j]) / a
                } else if a < -1e-9 && self.upper[j].is_finite() {
                    (self.x[j] - self.upper[j]) / a
                } else {
                    continue;
                };
                if t <= theta_max && a.abs() > leave.2 {
                    leave = (k, t.max(0.0), a.abs());
                }
            }
            let span = self.upper[q] - self.lower[q];
            if leave.0 == usize::MAX || span <= leave.1 {
                // A bound flip of the entering variable.
                let theta = span;
                let to = if dir > 0.0 {
                    self.upper[q]
                } else {
                    self.lower[q]
                };
                for (k, &j) in self.head.iter().enumerate() {
                    self.x[j] -= theta * dir * c[k];
                }
                self.x[q] = to;
                self.status[q] = if dir > 0.0 { At::Upper } else { At::Lower };
                self.col = c;
                continue;
            }
            let (r, theta, _) = leave;
            let p = self.head[r];
            let arq = c[r];
            for (k, &j) in self.head.iter().enumerate() {
                self.x[j] -= theta * dir * c[k];
            }
            self.x[q] += theta * dir;
            let to_lower = dir * arq > 0.0;
            self.x[p] = if to_lower {
                self.lower[p]
            } else {
                self.upper[p]
            };
            // Duals: d_j −= (d_q / α_rq) α_rj.
            self.rho.iter_mut().for_each(|v| *v = 0.0);
            self.rho[r] = 1.0;
            self.factor.btran(&mut self.rho);
            self.price_row();
            let f = self.d[q] / arq;
            let wq = self.pweight[q];
            for &j in &self.touched {
                self.d[j] -= f * self.alpha[j];
                let ratio = self.alpha[j] / arq;
                self.pweight[j] = self.pweight[j].max(ratio * ratio * wq);
                if !self.inlist[j] && self.gain(j, td) > 0.0 {
                    self.inlist[j] = true;
                    self.plist.push(j);
                }
            }
            self.d[q] = 0.0;
            self.d[p] = -f;
            self.pweight[p] = (wq / (arq * arq)).max(1.0);
            if !self.inlist[p] && self.gain(p, td) > 0.0 {
                self.inlist[p] = true;
                self.plist.push(p);
            }
            let wr = self.rho.iter().map(|v| v * v).sum::<f64>();
            self.weight[q] = (wr / (arq * arq)).max(1e-12);
            self.status[p] = if to_lower { At::Lower } else { At::Upper };
            self.status[q] = At::Basic;
            self.head[r] = q;
            self.factor.push(r, &c);
            self.factor.updates += 1;
            self.col = c;
            for &j in &self.touched {
                self.alpha[j] = 0.0;
            }
            self.touched.clear();
            if self.factor.updates >= o.refactor_every {
                self.factorise(stats)?;
                self.recompute();
            }
        }
    }

    /// How much a non-basic variable's reduced cost would improve the
    /// objective per unit of movement (0 where it would not, or cannot move).
    fn gain(&self, j: usize, td: f64) -> f64 {
        let d = self.d[j];
        let g = match self.status[j] {
            At::Basic => 0.0,
            At::Lower if self.lower[j] < self.upper[j] => -d,
            At::Upper if self.lower[j] < self.upper[j] => d,
            At::Zero => d.abs(),
            _ => 0.0,
        };
        if g > td {
            g
        } else {
            0.0
        }
    }

    /// The KKT check on the unshifted problem, from scratch.
    fn check(&self, o: &Options) -> bool {
        let (m, n) = (self.m, self.n);
        let tp = 1e-7;
        // Row activities from the columns, against the logicals' bounds.
        let mut act = vec![0.0; m];
        for j in 0..n {
            let xj = self.x[j];
            if xj < self.lower[j] - tp * (1.0 + self.lower[j].abs())
                || xj > self.upper[j] + tp * (1.0 + self.upper[j].abs())
            {
                return false;
            }
            if xj != 0.0 {
                self.add_col(j, xj, &mut act);
            }
        }
        for i in 0..m {
            let s = -act[i];
            let (l, u) = (self.lower[n + i], self.upper[n + i]);
            if s < l - tp * (1.0 + l.abs()) || s > u + tp * (1.0 + u.abs()) {
                return false;
            }
        }
        let td = 10.0 * o.dual_tolerance;
        for j in 0..n + m {
            let d = self.d[j];
            let bad = match self.status[j] {
                At::Basic => false,
                _ if self.lower[j] == self.upper[j] => false,
                At::Lower => d < -td,
                At::Upper => d > td,
                At::Zero => d.abs() > td,
            };
            if bad || self.shift[j] != 0.0 {
                return false;
            }
        }
        true
    }

    fn solution(&self, iterations: u64) -> Solution {
        let (m, n) = (self.m, self.n);
        let sign = match self.sense {
            Sense::Minimise => 1.0,
            Sense::Maximise => -1.0,
        };
        let mut act = vec![0.0; m];
        for j in 0..n {
            if self.x[j] != 0.0 {
                self.add_col(j, self.x[j], &mut act);
            }
        }
        // y = −d of the logicals.
        let objective = (0..n).map(|j| self.cost[j] * self.x[j]).sum::<f64>() * sign;
        Solution {
            status: Status::Optimal,
            objective,
            col_values: self.x[..n].to_vec(),
            reduced_costs: self.d[..n].iter().map(|d| sign * d).collect(),
            row_values: act,
            row_duals: self.d[n..].iter().map(|d| -sign * d).collect(),
            iterations,
        }
    }

    /// One solve; `Err` hands it to the fallback.
    fn run(&mut self, o: &Options, stats: &mut Stats) -> Result<Solution, Fail> {
        let mut iters = 0;
        if !self.factored || self.factor.updates >= o.refactor_every {
            self.factorise(stats)?;
        }
        for attempt in 0..2 {
            self.recompute();
            if self.dual_infeasible_unboxed(o.dual_tolerance) > 0 {
                let t = std::time::Instant::now();
                stats.phase_one += 1;
                match self.phase_one(o, stats, &mut iters) {
                    // The boxed problem has no feasible point: cost shifts
                    // and the primal clean-up below take over.
                    Err(Fail::PrimalInfeasible) => {
                        stats.phase_one_failed += 1;
                        self.recompute();
                    }
                    other => other?,
                }
                stats.seconds[0] += t.elapsed().as_secs_f64();
            }
            self.make_dual_feasible(o.dual_tolerance, stats);
            self.recompute_primal();
            let t = std::time::Instant::now();
            self.dual(o, stats, &mut iters)?;
            stats.seconds[0] += t.elapsed().as_secs_f64();
            if self.shift.iter().any(|&s| s != 0.0) {
                self.shift.iter_mut().for_each(|s| *s = 0.0);
                self.recompute();
                let t = std::time::Instant::now();
                self.primal(o, stats, &mut iters)?;
                stats.seconds[1] += t.elapsed().as_secs_f64();
            }
            // Values and reduced costs from scratch, then the check on the
            // row activities recomputed from the columns: a solution that
            // passes it is optimal whatever the factorisation's accuracy.
            self.recompute();
            if self.check(o) {
                return Ok(self.solution(iters));
            }
            if attempt == 1 {
                break;
            }
            self.factorise(stats)?;
        }
        Err(Fail::Check)
    }

    /// Non-basic variables that cannot be made dual feasible by a bound flip.
    fn dual_infeasible_unboxed(&self, tol: f64) -> usize {
        (0..self.n + self.m)
            .filter(|&j| {
                let (l, u, d) = (self.lower[j], self.upper[j], self.d[j]);
                self.status[j] != At::Basic
                    && !(l.is_finite() && u.is_finite())
                    && ((d < -tol && u == f64::INFINITY) || (d > tol && l == f64::NEG_INFINITY))
            })
            .count()
    }

    /// Dual phase 1 (as in HiGHS): the dual simplex on the problem with
    /// every bound replaced by a box (`[0, 0]` for boxed variables, `[0, 1]`
    /// and `[−1, 0]` for one-sided ones, `[−1000, 1000]` for free ones), which
    /// any basis fits dual-feasibly by flips; its optimal basis is dual
    /// feasible for the problem where it zeroes the infeasibility.
    fn phase_one(&mut self, o: &Options, stats: &mut Stats, iters: &mut u64) -> Result<(), Fail> {
        let lower = std::mem::take(&mut self.lower);
        let upper = std::mem::take(&mut self.upper);
        self.lower = lower
            .iter()
            .zip(&upper)
            .map(|(l, u)| match (l.is_finite(), u.is_finite()) {
                (true, true) | (true, false) => 0.0,
                (false, true) => -1.0,
                (false, false) => -1000.0,
            })
            .collect();
        self.upper = lower
            .iter()
            .zip(&upper)
            .map(|(l, u)| match (l.is_finite(), u.is_finite()) {
                (true, true) | (false, true) => 0.0,
                (true, false) => 1.0,
                (false, false) => 1000.0,
            })
            .collect();
        self.make_dual_feasible(o.dual_tolerance, stats);
        self.recompute_primal();
        let r = self.dual(o, stats, iters);
        self.lower = lower;
        self.upper = upper;
        r?;
        self.recompute();
        Ok(())
    }

    /// Basic values after non-basic ones moved to other bounds.
    fn recompute_primal(&mut self) {
        let (m, n) = (self.m, self.n);
        let mut v = std::mem::take(&mut self.col);
        v.iter_mut().for_each(|x| *x = 0.0);
        for j in 0..n + m {
            let xj = match self.status[j] {
                At::Basic => continue,
                At::Lower => self.lower[j],
                At::Upper => self.upper[j],
                At::Zero => 0.0,
            };
            self.x[j] = xj;
            if xj != 0.0 {
                self.add_col(j, -xj, &mut v);
            }
        }
        self.factor.ftran(&mut v);
        for (k, &j) in self.head.iter().enumerate() {
            self.x[j] = v[k];
        }
        self.col = v;
    }
}

/// Candidates sorted first, before the rest is sorted too (most ratio
/// tests end among the smallest ratios).
const PREFIX: usize = 48;

/// What the bound-flipping ratio test decided.
#[derive(Debug, PartialEq)]
enum Ratio {
    /// The candidate at this index enters; `flips` holds those passed.
    Enter(usize),
    /// `cands` is a prefix and the decision needs candidates beyond it.
    NeedMore,
    /// Every candidate passed with the slope still positive: the dual is
    /// unbounded (the primal infeasible).
    Unbounded,
}

/// The bound-flipping ratio test with Harris' tolerance on candidates
/// `(variable, ratio, α̂)` sorted by ratio (`complete`: all of them, else a
/// prefix): passes groups of breakpoints while the dual objective's slope
/// (starting at the leaving variable's infeasibility) stays positive, each
/// boxed candidate passed lowering it by `|α̂| · range`, then chooses the
/// largest `|α̂|` of the group where it stops.
fn bound_flipping(
    cands: &[(usize, f64, f64)],
    complete: bool,
    mut slope: f64,
    relaxed: &dyn Fn(usize, f64) -> f64,
    range: &dyn Fn(usize) -> f64,
    flips: &mut Vec<usize>,
) -> Ratio {
    flips.clear();
    let mut k = 0;
    loop {
        if k == cands.len() {
            return if complete {
                Ratio::Unbounded
            } else {
                Ratio::NeedMore
            };
        }
        // Harris: the smallest relaxed ratio among the candidates whose
        // exact ratio does not exceed it.
        let mut theta_max = f64::INFINITY;
        let mut i = k;
        while i < cands.len() && cands[i].1 <= theta_max {
            let (j, _, a) = cands[i];
            theta_max = theta_max.min(relaxed(j, a));
            i += 1;
        }
        if i == cands.len() && !complete {
            return Ratio::NeedMore;
        }
        let mut g = k;
        let mut drop = 0.0;
        while g < i && cands[g].1 <= theta_max {
            drop += cands[g].2.abs() * range(cands[g].0);
            g += 1;
        }
        let g = g.max(k + 1);
        if drop.is_finite() && slope - drop > 0.0 {
            slope -= drop;
            flips.extend(cands[k..g].iter().map(|c| c.0));
            k = g;
            continue;
        }
        let best = (k..g)
            .max_by(|&a, &b| cands[a].2.abs().total_cmp(&cands[b].2.abs()))
            .expect("a group is never empty");
        return Ratio::Enter(best);
    }
}

impl Session for SimplexSession<'_> {
    fn solve(&mut self, problem: &Problem) -> Result<Solution, LpError> {
        problem.validate()?;
        let fresh = !self.state.as_ref().is_some_and(|s| s.fits(problem));
        if fresh {
            self.state = Some(State::new(problem));
        } else if let Some(s) = self.state.as_mut() {
            s.sync(problem);
        }
        let state = self.state.as_mut().expect("state set above");
        if let Some(b) = self.start.take() {
            state.adopt(&b);
        }
        // The statuses this solve begins from, for the fallback (copied into
        // a kept buffer: a basis is built only if the fallback is needed).
        state.begun.clone_from(&state.status);
        let t = std::time::Instant::now();
        let result = state.run(&self.options, &mut self.stats);
        self.stats.seconds[2] += t.elapsed().as_secs_f64();
        match result {
            Ok(sol) => {
                self.stats.solved += 1;
                Ok(sol)
            }
            Err(why) => {
                self.stats.fell_back(why.reason());
                let state = self.state.as_ref().expect("state set above");
                self.fallback.start_from(&state.basis_of(&state.begun));
                let sol = self.fallback.solve(problem)?;
                if let Some(b) = self.fallback.basis() {
                    let state = self.state.as_mut().expect("state set above");
                    state.adopt(&b);
                }
                Ok(sol)
            }
        }
    }

    fn basis(&self) -> Option<Basis> {
        self.state.as_ref().map(State::basis)
    }

    fn start_from(&mut self, basis: &Basis) {
        self.start = Some(basis.clone());
    }
}
