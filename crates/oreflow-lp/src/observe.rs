//! A backend wrapper that hands every problem it solves, with its solution,
//! to an observer: the hook through which the exact LPs of a run are
//! exported (`oreflow lp`) or cross-checked against a cold solve, without a
//! second build that could differ from the one solved.

use crate::{Backend, Basis, LpError, Problem, Session, Solution};

/// Receives each problem right after it was solved, with its solution.
/// Called from the solving thread; a backend is shared between threads, so
/// an observer must be `Sync` (use a `Mutex` for state).
pub trait Observer: Send + Sync {
    fn solved(&self, problem: &Problem, solution: &Solution);
}

/// `backend`, with every successful solve (one-off or in a session) handed
/// to `observer` in the order of the solves.
pub struct Observed<'o, B> {
    pub backend: B,
    pub observer: &'o dyn Observer,
}

impl<B: Backend> Backend for Observed<'_, B> {
    fn name(&self) -> &'static str {
        self.backend.name()
    }

    fn solve(&self, problem: &Problem) -> Result<Solution, LpError> {
        let s = self.backend.solve(problem)?;
        self.observer.solved(problem, &s);
        Ok(s)
    }

    fn session(&self) -> Box<dyn Session + '_> {
        Box::new(ObservedSession {
            inner: self.backend.session(),
            observer: self.observer,
        })
    }
}

struct ObservedSession<'a> {
    inner: Box<dyn Session + 'a>,
    observer: &'a dyn Observer,
}

impl Session for ObservedSession<'_> {
    fn solve(&mut self, problem: &Problem) -> Result<Solution, LpError> {
        let s = self.inner.solve(problem)?;
        self.observer.solved(problem, &s);
        Ok(s)
    }
    fn basis(&self) -> Option<Basis> {
        self.inner.basis()
    }
    fn start_from(&mut self, basis: &Basis) {
        self.inner.start_from(basis)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::{Col, HighsBackend, Sense};

    struct Log(Mutex<Vec<(usize, f64, u64)>>);
    impl Observer for Log {
        fn solved(&self, p: &Problem, s: &Solution) {
            self.0
                .lock()
                .unwrap()
                .push((p.num_cols(), s.objective, s.iterations));
        }
    }

    #[test]
    fn every_solve_of_a_session_is_observed_in_order_and_warm() {
        let log = Log(Mutex::new(Vec::new()));
        let b = Observed {
            backend: HighsBackend::default(),
            observer: &log,
        };
        let mut p = Problem::new(Sense::Maximise);
        let r = p.add_row(f64::NEG_INFINITY, 4.0, "cap");
        p.add_col(1.0, 0.0, f64::INFINITY, &[(r, 1.0)], "x");
        p.add_col(2.0, 0.0, 1.0, &[(r, 1.0)], "y");
        let mut s = b.session();
        s.solve(&p).unwrap();
        p.set_col_cost(Col(0), 3.0);
        s.solve(&p).unwrap();
        assert!(
            s.basis().is_some(),
            "the inner session's basis is passed through"
        );
        b.solve(&p).unwrap();
        drop(s);
        let log = log.0.lock().unwrap().clone();
        let objectives: Vec<f64> = log.iter().map(|e| e.1).collect();
        assert_eq!(objectives, [5.0, 12.0, 12.0]);
        assert!(log.iter().all(|e| e.0 == 2));
    }
}
