use crate::{Backend, LpError, Problem, Sense, Solution, Status};
use highs::{ColProblem, HighsModelStatus};

/// The HiGHS solver (dual simplex by default), through the `highs` crate.
#[derive(Clone, Debug)]
pub struct HighsBackend {
    /// Value of HiGHS' `solver` option (`simplex`, `ipm`, `choose`).
    pub solver: &'static str,
}

impl Default for HighsBackend {
    fn default() -> Self {
        HighsBackend { solver: "simplex" }
    }
}

impl Backend for HighsBackend {
    fn name(&self) -> &'static str {
        "highs"
    }

    fn solve(&self, p: &Problem) -> Result<Solution, LpError> {
        p.validate()?;
        let mut hp = ColProblem::new();
        let rows: Vec<_> = (0..p.num_rows())
            .map(|i| hp.add_row(p.row_lower[i]..=p.row_upper[i]))
            .collect();
        for i in 0..p.num_cols() {
            let coefs: Vec<_> = p.entries[i].iter().map(|&(r, v)| (rows[r as usize], v)).collect();
            hp.add_column(p.col_cost[i], p.col_lower[i]..=p.col_upper[i], coefs);
        }
        let sense = match p.sense {
            Sense::Minimise => highs::Sense::Minimise,
            Sense::Maximise => highs::Sense::Maximise,
        };
        let solver_err = |detail: String| LpError::Solver { solver: "highs", detail };
        let mut model = hp
            .try_optimise(sense)
            .map_err(|e| solver_err(format!("could not load the problem: {e:?}")))?;
        model.make_quiet();
        model
            .try_set_option("solver", self.solver)
            .map_err(|e| solver_err(format!("option solver={}: {e:?}", self.solver)))?;
        let solved = model
            .try_solve()
            .map_err(|e| solver_err(format!("solve failed: {e:?}")))?;
        let status = match solved.status() {
            HighsModelStatus::Optimal => Status::Optimal,
            HighsModelStatus::Infeasible => Status::Infeasible,
            HighsModelStatus::Unbounded | HighsModelStatus::UnboundedOrInfeasible => Status::Unbounded,
            other => Status::Other(format!("{other:?}")),
        };
        let iterations = solved.simplex_iteration_count().max(0) as u64;
        let sol = solved.get_solution();
        // HiGHS reports duals as d(objective)/d(rhs) in the problem's own sense.
        Ok(Solution {
            status,
            objective: solved.objective_value(),
            col_values: sol.columns().to_vec(),
            reduced_costs: sol.dual_columns().to_vec(),
            row_values: sol.rows().to_vec(),
            row_duals: sol.dual_rows().to_vec(),
            iterations,
        })
    }
}
