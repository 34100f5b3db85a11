use crate::{Backend, LpError, Problem, Sense, Session, Solution, Status};
use highs::{ColProblem, HighsModelStatus, Model, SolvedModel};

/// The HiGHS solver (dual simplex by default), through the `highs` crate.
#[derive(Clone, Debug)]
pub struct HighsBackend {
    /// Value of HiGHS' `solver` option (`simplex`, `ipm`, `choose`).
    pub solver: &'static str,
    /// Value of HiGHS' `presolve` option (`on`, `off`, `choose`).
    pub presolve: &'static str,
    /// Value of HiGHS' `simplex_strategy` option (0 choose, 1 dual, 4 primal).
    pub simplex_strategy: i32,
}

impl Default for HighsBackend {
    fn default() -> Self {
        HighsBackend {
            solver: "simplex",
            presolve: "choose",
            simplex_strategy: 1,
        }
    }
}

impl Backend for HighsBackend {
    fn name(&self) -> &'static str {
        "highs"
    }

    fn solve(&self, p: &Problem) -> Result<Solution, LpError> {
        let model = self.load(p)?;
        let (solution, _) = self.run(model)?;
        Ok(solution)
    }

    fn session(&self) -> Box<dyn Session + '_> {
        Box::new(HighsSession {
            backend: self,
            model: None,
            last: None,
            handles: Vec::new(),
        })
    }
}

/// A HiGHS model kept between solves: bound and cost changes are applied in
/// place and the next solve starts from the previous optimal basis.
struct HighsSession<'a> {
    backend: &'a HighsBackend,
    model: Option<Model>,
    last: Option<Problem>,
    /// `highs::Col` handles by position (the crate mints them only through
    /// `RowProblem::add_column`, so we mint one per column once).
    handles: Vec<highs::Col>,
}

impl Session for HighsSession<'_> {
    fn solve(&mut self, p: &Problem) -> Result<Solution, LpError> {
        let model = match (self.model.take(), &self.last) {
            // Same structure: change only the bounds and costs that moved, so
            // HiGHS starts from the previous optimal basis.
            (Some(mut model), Some(last))
                if last.same_structure(p) && last.num_cols() == p.num_cols() =>
            {
                p.validate()?;
                if self.handles.len() != p.num_cols() {
                    let mut minter = highs::RowProblem::default();
                    self.handles = (0..p.num_cols())
                        .map(|_| minter.add_column(0.0, 0.0..=0.0))
                        .collect();
                }
                for i in 0..p.num_cols() {
                    let c = self.handles[i];
                    if p.col_lower[i] != last.col_lower[i] || p.col_upper[i] != last.col_upper[i] {
                        model.change_column_bounds(c, p.col_lower[i]..=p.col_upper[i]);
                    }
                    if p.col_cost[i] != last.col_cost[i] {
                        model.change_column_cost(c, p.col_cost[i]);
                    }
                }
                model
            }
            // First solve, or the structure changed (e.g. a new recipe): load afresh.
            _ => self.backend.load(p)?,
        };
        let (solution, solved) = self.backend.run(model)?;
        self.model = Some(Model::from(solved));
        self.last = Some(p.clone());
        Ok(solution)
    }
}

impl HighsBackend {
    fn load(&self, p: &Problem) -> Result<Model, LpError> {
        p.validate()?;
        let mut hp = ColProblem::new();
        let rows: Vec<_> = (0..p.num_rows())
            .map(|i| hp.add_row(p.row_lower[i]..=p.row_upper[i]))
            .collect();
        for i in 0..p.num_cols() {
            let coefs: Vec<_> = p.entries[i]
                .iter()
                .map(|&(r, v)| (rows[r as usize], v))
                .collect();
            hp.add_column(p.col_cost[i], p.col_lower[i]..=p.col_upper[i], coefs);
        }
        let sense = match p.sense {
            Sense::Minimise => highs::Sense::Minimise,
            Sense::Maximise => highs::Sense::Maximise,
        };
        let mut model = hp
            .try_optimise(sense)
            .map_err(|e| solver_err(format!("could not load the problem: {e:?}")))?;
        model.make_quiet();
        model
            .try_set_option("solver", self.solver)
            .map_err(|e| solver_err(format!("option solver={}: {e:?}", self.solver)))?;
        model
            .try_set_option("presolve", self.presolve)
            .map_err(|e| solver_err(format!("option presolve={}: {e:?}", self.presolve)))?;
        model
            .try_set_option("simplex_strategy", self.simplex_strategy)
            .map_err(|e| {
                solver_err(format!(
                    "option simplex_strategy={}: {e:?}",
                    self.simplex_strategy
                ))
            })?;
        model.set_threads(std::num::NonZeroU32::MIN);
        Ok(model)
    }

    fn run(&self, model: Model) -> Result<(Solution, SolvedModel), LpError> {
        let solved = model
            .try_solve()
            .map_err(|e| solver_err(format!("solve failed: {e:?}")))?;
        let status = match solved.status() {
            HighsModelStatus::Optimal => Status::Optimal,
            HighsModelStatus::Infeasible => Status::Infeasible,
            HighsModelStatus::Unbounded | HighsModelStatus::UnboundedOrInfeasible => {
                Status::Unbounded
            }
            other => Status::Other(format!("{other:?}")),
        };
        let iterations = solved.simplex_iteration_count().max(0) as u64;
        let sol = solved.get_solution();
        // HiGHS reports duals as d(objective)/d(rhs) in the problem's own sense.
        let solution = Solution {
            status,
            objective: solved.objective_value(),
            col_values: sol.columns().to_vec(),
            reduced_costs: sol.dual_columns().to_vec(),
            row_values: sol.rows().to_vec(),
            row_duals: sol.dual_rows().to_vec(),
            iterations,
        };
        Ok((solution, solved))
    }
}

fn solver_err(detail: String) -> LpError {
    LpError::Solver {
        solver: "highs",
        detail,
    }
}
