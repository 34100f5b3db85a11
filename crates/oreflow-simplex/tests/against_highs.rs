//! oreflow's dual simplex against HiGHS on random LPs: every optimal
//! answer agrees with HiGHS' (objective, feasibility, duals that certify
//! it), infeasible and unbounded LPs get HiGHS' status, and the own solver
//! answers nearly all feasible bounded LPs itself, cold and along
//! warm-started sequences.

use oreflow_lp::{Backend, Col, HighsBackend, Problem, RowId, Sense, Solution, Status};
use oreflow_simplex::DualSimplex;

/// xorshift64*: a small deterministic generator for the test's LPs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
}

/// A random LP with a known feasible point (so it is feasible), with
/// boxed, one-sided, free and fixed columns and equality, one-sided and
/// ranged rows; `unbounded_ok` allows columns unbounded in the direction
/// the objective likes.
fn random_lp(rng: &mut Rng, m: usize, n: usize) -> Problem {
    let sense = if rng.below(2) == 0 {
        Sense::Minimise
    } else {
        Sense::Maximise
    };
    let mut p = Problem::new(sense);
    let x0: Vec<f64> = (0..n).map(|_| rng.range(0.0, 5.0)).collect();
    let mut a = vec![vec![0.0; n]; m];
    for row in a.iter_mut() {
        for v in row.iter_mut() {
            if rng.below(3) == 0 {
                *v = (rng.range(-3.0, 3.0) * 4.0).round() / 4.0;
            }
        }
    }
    let rows: Vec<RowId> = (0..m)
        .map(|i| {
            let act: f64 = (0..n).map(|j| a[i][j] * x0[j]).sum();
            let (lo, hi) = match rng.below(4) {
                0 => (act, act),
                1 => (f64::NEG_INFINITY, act + rng.range(0.0, 2.0)),
                2 => (act - rng.range(0.0, 2.0), f64::INFINITY),
                _ => (act - rng.range(0.0, 2.0), act + rng.range(0.0, 2.0)),
            };
            p.add_row(lo, hi, format!("r{i}"))
        })
        .collect();
    for j in 0..n {
        let (lo, hi) = match rng.below(10) {
            0 => (f64::NEG_INFINITY, f64::INFINITY),
            1 => (x0[j], x0[j]),
            2 => (f64::NEG_INFINITY, x0[j] + rng.range(0.0, 3.0)),
            3 | 4 => (0.0, f64::INFINITY),
            _ => (0.0, x0[j] + rng.range(0.0, 3.0)),
        };
        let coefs: Vec<(RowId, f64)> = (0..m)
            .filter(|&i| a[i][j] != 0.0)
            .map(|i| (rows[i], a[i][j]))
            .collect();
        p.add_col(rng.range(-5.0, 5.0), lo, hi, &coefs, format!("c{j}"));
    }
    p
}

/// Objectives agree (1e-9 relative), the point is feasible (1e-7) and
/// the duals price it: objective = Σ row duals · active row bounds + Σ
/// reduced costs · active column bounds (strong duality).
fn agrees(p: &Problem, own: &Solution, highs: &Solution) -> Result<(), String> {
    if own.status != highs.status {
        return Err(format!(
            "status {:?} vs HiGHS {:?}",
            own.status, highs.status
        ));
    }
    if own.status != Status::Optimal {
        return Ok(());
    }
    let scale = 1.0 + highs.objective.abs();
    if (own.objective - highs.objective).abs() > 1e-9 * scale {
        return Err(format!(
            "objective {} vs HiGHS {}",
            own.objective, highs.objective
        ));
    }
    let q = p.parts();
    for j in 0..p.num_cols() {
        let x = own.col_values[j];
        if x < q.col_lower[j] - 1e-7 || x > q.col_upper[j] + 1e-7 {
            return Err(format!("column {j} = {x} outside its bounds"));
        }
    }
    let mut act = vec![0.0; p.num_rows()];
    for j in 0..p.num_cols() {
        for (r, v) in p.col_entries(Col(j as u32)) {
            act[r.0 as usize] += v * own.col_values[j];
        }
    }
    for (i, &a) in act.iter().enumerate() {
        if a < q.row_lower[i] - 1e-7 || a > q.row_upper[i] + 1e-7 {
            return Err(format!("row {i} = {a} outside its bounds"));
        }
        if (a - own.row_values[i]).abs() > 1e-7 * (1.0 + a.abs()) {
            return Err(format!(
                "row {i}: value {} reported, {a} computed",
                own.row_values[i]
            ));
        }
    }
    // Strong duality from the reported duals.
    let mut dual_obj = 0.0;
    for i in 0..p.num_rows() {
        let y = own.row_duals[i];
        if y != 0.0 {
            let b = if (act[i] - q.row_lower[i]).abs() <= (act[i] - q.row_upper[i]).abs() {
                q.row_lower[i]
            } else {
                q.row_upper[i]
            };
            dual_obj += y * b;
        }
    }
    for j in 0..p.num_cols() {
        let d = own.reduced_costs[j];
        if d != 0.0 {
            let x = own.col_values[j];
            let b = if (x - q.col_lower[j]).abs() <= (x - q.col_upper[j]).abs() {
                q.col_lower[j]
            } else {
                q.col_upper[j]
            };
            dual_obj += d * b;
        }
    }
    if (dual_obj - own.objective).abs() > 1e-7 * scale {
        return Err(format!(
            "duals price the optimum at {dual_obj}, not {}",
            own.objective
        ));
    }
    Ok(())
}

#[test]
fn random_lps_agree_with_highs_and_are_answered_by_the_own_solver() {
    let highs = HighsBackend::default();
    let own = DualSimplex::new(HighsBackend::default());
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut optimal, mut other) = (0, 0);
    for case in 0..600 {
        let m = 1 + rng.below(10) as usize;
        let n = 1 + rng.below(16) as usize;
        let p = random_lp(&mut rng, m, n);
        let h = highs.solve(&p).unwrap();
        let o = own.solve(&p).unwrap();
        if let Err(e) = agrees(&p, &o, &h) {
            panic!("case {case} ({m} × {n}): {e}\n{p:?}");
        }
        if h.status == Status::Optimal {
            optimal += 1;
        } else {
            other += 1;
        }
    }
    let t = own.totals();
    assert!(
        optimal > 300 && other > 10,
        "{optimal} optimal, {other} other"
    );
    // Every infeasible or unbounded LP goes to the fallback, as does what
    // the own solver cannot finish; nearly all optimal ones it answers.
    assert!(
        t.solved as f64 >= 0.9 * optimal as f64,
        "{} of {optimal} optimal LPs answered by the own solver; fallbacks {:?}",
        t.solved,
        t.fallbacks
    );
}

#[test]
fn warm_sequences_agree_with_highs_at_every_step() {
    let highs = HighsBackend::default();
    let own = DualSimplex::new(HighsBackend::default());
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let mut solves = 0;
    let (mut own_iters, mut highs_iters) = (0, 0);
    for seq in 0..40 {
        let (m, n) = (3 + rng.below(12) as usize, 4 + rng.below(30) as usize);
        let mut p = random_lp(&mut rng, m, n);
        let mut session = own.session();
        let mut warm = highs.session();
        for step in 0..15 {
            let h = highs.solve(&p).unwrap();
            let o = session.solve(&p).unwrap();
            let w = warm.solve(&p).unwrap();
            if h.status == Status::Optimal {
                own_iters += o.iterations;
                highs_iters += w.iterations;
            }
            if let Err(e) = agrees(&p, &o, &h) {
                panic!("sequence {seq}, step {step}: {e}\n{p:?}");
            }
            solves += usize::from(h.status == Status::Optimal);
            // Next: costs, column and row bounds and coefficients change,
            // the shape stays.
            let q = p.parts();
            let (lo, hi): (Vec<f64>, Vec<f64>) = (q.col_lower.to_vec(), q.col_upper.to_vec());
            let (rl, ru): (Vec<f64>, Vec<f64>) = (q.row_lower.to_vec(), q.row_upper.to_vec());
            for j in 0..n {
                let c = Col(j as u32);
                if rng.below(3) == 0 {
                    p.set_col_cost(c, rng.range(-5.0, 5.0));
                }
                if rng.below(4) == 0 && lo[j].is_finite() && hi[j].is_finite() && lo[j] < hi[j] {
                    p.set_col_bounds(c, lo[j], lo[j] + (hi[j] - lo[j]) * rng.range(0.5, 1.5));
                }
                if rng.below(8) == 0 {
                    let entries: Vec<(RowId, f64)> = p
                        .col_entries(c)
                        .map(|(r, v)| (r, v * rng.range(0.8, 1.2)))
                        .collect();
                    assert!(p.set_col_entries(c, &entries));
                }
            }
            for i in 0..m {
                if rng.below(4) == 0 {
                    let w = rng.range(-0.5, 0.5);
                    p.set_row_bounds(RowId(i as u32), rl[i] + w, ru[i] + w);
                }
            }
        }
    }
    drop(own.session());
    let t = own.totals();
    assert!(solves > 150, "{solves} optimal solves");
    // Warm starts work: about as many pivots as HiGHS warm-started (690
    // against 575 when this was written).
    assert!(
        own_iters as f64 <= 1.5 * highs_iters as f64,
        "iterations: own {own_iters}, HiGHS warm-started {highs_iters}"
    );
    assert!(
        t.solved as f64 >= 0.9 * solves as f64,
        "{} of {solves} optimal solves answered by the own solver; fallbacks {:?}",
        t.solved,
        t.fallbacks
    );
}
