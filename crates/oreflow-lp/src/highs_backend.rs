//! The HiGHS backend, through HiGHS' C API (`highs-sys`).
//!
//! A [`HighsSession`] keeps one HiGHS instance per problem shape. When the
//! next problem has the same shape, only the numbers that changed are sent
//! (column bounds and costs and row bounds in one batched call each,
//! coefficient values one by one), so HiGHS keeps its model and starts the
//! dual simplex from the previous optimal basis. A basis from elsewhere (say,
//! the same year of a reference run) can be given with
//! [`Session::start_from`].

// The C API is the only way to batch bound changes and to get and set a
// basis; every unsafe block below passes HiGHS a pointer from
// `Highs_create` (owned by `Instance`) and slices whose lengths are checked
// against the dimensions HiGHS was given.
#![allow(unsafe_code)]

use std::ffi::{c_void, CString};

use highs_sys as ffi;

use crate::{
    ActiveColumns, ActiveSession, Backend, Basis, BasisStatus, LpError, Problem, Sense, Session,
    Solution, Status,
};

/// The HiGHS solver (dual simplex by default).
#[derive(Clone, Debug)]
pub struct HighsBackend {
    /// Value of HiGHS' `solver` option (`simplex`, `ipm`, `choose`).
    pub solver: &'static str,
    /// Value of HiGHS' `presolve` option (`on`, `off`, `choose`). HiGHS does
    /// not presolve a solve that starts from a basis.
    pub presolve: &'static str,
    /// Value of HiGHS' `simplex_strategy` option (0 choose, 1 dual, 4 primal).
    pub simplex_strategy: i32,
    /// Value of HiGHS' `simplex_scale_strategy` (0 off, 1 choose, 2
    /// equilibration — HiGHS' default —, 3 forced equilibration, 4 max value).
    pub simplex_scale_strategy: i32,
    /// Value of HiGHS' `dual_simplex_cost_perturbation_multiplier` (1 is
    /// HiGHS' default; 0 turns cost perturbation off).
    pub cost_perturbation: f64,
    /// Value of HiGHS' `simplex_dual_edge_weight_strategy` (-1 choose, HiGHS'
    /// default; 0 Dantzig, 1 Devex, 2 steepest edge).
    pub dual_edge_weight_strategy: i32,
    /// Sessions solve over an active column set with an exact pricing
    /// check ([`crate::ActiveSession`]); `None` hands HiGHS every column.
    /// One-shot solves ([`Backend::solve`]) always take every column.
    pub active_columns: Option<ActiveColumns>,
}

impl Default for HighsBackend {
    fn default() -> Self {
        HighsBackend {
            solver: "simplex",
            presolve: "choose",
            simplex_strategy: 1,
            simplex_scale_strategy: 2,
            cost_perturbation: 1.0,
            dual_edge_weight_strategy: -1,
            active_columns: None,
        }
    }
}

impl Backend for HighsBackend {
    fn name(&self) -> &'static str {
        "highs"
    }

    fn solve(&self, p: &Problem) -> Result<Solution, LpError> {
        HighsSession::new(self).solve(p)
    }

    fn session(&self) -> Box<dyn Session + '_> {
        match self.active_columns {
            Some(params) => Box::new(ActiveSession::new(
                Box::new(HighsSession::new(self)),
                params,
            )),
            None => Box::new(HighsSession::new(self)),
        }
    }
}

/// What HiGHS found solving a model file it read itself
/// ([`HighsBackend::solve_file`]).
#[derive(Clone, Debug, PartialEq)]
pub struct FileSolve {
    pub sense: Sense,
    pub rows: usize,
    pub cols: usize,
    pub nonzeros: usize,
    pub status: Status,
    pub objective: f64,
}

impl HighsBackend {
    /// Reads a model file (MPS, LP; by extension) with HiGHS' own reader and
    /// solves it from scratch, with this backend's options. For
    /// cross-checking exported LPs (`oreflow lp`): HiGHS opens the file
    /// itself, so this is not a bounded read through `oreflow-io` — give it
    /// files oreflow wrote.
    pub fn solve_file(&self, path: &std::path::Path) -> Result<FileSolve, LpError> {
        let cpath = CString::new(path.as_os_str().as_encoded_bytes())
            .map_err(|_| solver_err(format!("{}: path has a NUL byte", path.display())))?;
        let mut inst = Instance::new()?;
        self.configure(&mut inst)?;
        // SAFETY: a valid instance and a NUL-terminated path that outlives the call.
        let s = unsafe { ffi::Highs_readModel(inst.0, cpath.as_ptr()) };
        Instance::check(s, || format!("HiGHS could not read {}", path.display()))?;
        let mut sense: ffi::HighsInt = 0;
        // SAFETY: a valid instance with a model; `sense` is a valid out-pointer.
        let (rows, cols, nonzeros) = unsafe {
            ffi::Highs_getObjectiveSense(inst.0, &mut sense);
            (
                ffi::Highs_getNumRow(inst.0),
                ffi::Highs_getNumCol(inst.0),
                ffi::Highs_getNumNz(inst.0),
            )
        };
        // SAFETY: a loaded instance.
        let s = unsafe { ffi::Highs_run(inst.0) };
        Instance::check(s, || {
            format!("HiGHS failed while solving {}", path.display())
        })?;
        // SAFETY: a solved instance.
        let (model_status, objective) = unsafe {
            (
                ffi::Highs_getModelStatus(inst.0),
                ffi::Highs_getObjectiveValue(inst.0),
            )
        };
        Ok(FileSolve {
            sense: if sense == ffi::OBJECTIVE_SENSE_MAXIMIZE {
                Sense::Maximise
            } else {
                Sense::Minimise
            },
            rows: rows.max(0) as usize,
            cols: cols.max(0) as usize,
            nonzeros: nonzeros.max(0) as usize,
            status: status_of(model_status),
            objective,
        })
    }
}

/// An owned HiGHS instance.
struct Instance(*mut c_void);

impl Drop for Instance {
    fn drop(&mut self) {
        // SAFETY: the pointer came from `Highs_create` and is destroyed once.
        unsafe { ffi::Highs_destroy(self.0) }
    }
}

impl Instance {
    fn new() -> Result<Instance, LpError> {
        // SAFETY: no arguments; a null result is checked.
        let p = unsafe { ffi::Highs_create() };
        if p.is_null() {
            return Err(solver_err("could not create a HiGHS instance".into()));
        }
        Ok(Instance(p))
    }

    fn check(status: ffi::HighsInt, what: impl FnOnce() -> String) -> Result<(), LpError> {
        if status == ffi::STATUS_ERROR {
            Err(solver_err(what()))
        } else {
            Ok(())
        }
    }

    fn set_option(&mut self, name: &str, value: OptionValue) -> Result<(), LpError> {
        let key = CString::new(name).expect("option names have no NUL");
        // SAFETY: valid instance and NUL-terminated strings that outlive the call.
        let status = unsafe {
            match value {
                OptionValue::Bool(b) => {
                    ffi::Highs_setBoolOptionValue(self.0, key.as_ptr(), ffi::HighsInt::from(b))
                }
                OptionValue::Int(i) => ffi::Highs_setIntOptionValue(self.0, key.as_ptr(), i),
                OptionValue::Double(d) => ffi::Highs_setDoubleOptionValue(self.0, key.as_ptr(), d),
                OptionValue::Str(s) => {
                    let v = CString::new(s).map_err(|_| solver_err(format!("option {name}")))?;
                    ffi::Highs_setStringOptionValue(self.0, key.as_ptr(), v.as_ptr())
                }
            }
        };
        Instance::check(status, || format!("HiGHS rejected option {name}={value:?}"))
    }

    fn pass(&mut self, p: &Problem) -> Result<(), LpError> {
        let too_big = || solver_err("the problem is too large for HiGHS' 32-bit indices".into());
        let n = ffi::HighsInt::try_from(p.num_cols()).map_err(|_| too_big())?;
        let m = ffi::HighsInt::try_from(p.num_rows()).map_err(|_| too_big())?;
        let nz = ffi::HighsInt::try_from(p.num_nonzeros()).map_err(|_| too_big())?;
        let start: Vec<ffi::HighsInt> = p.col_start.iter().map(|&s| s as ffi::HighsInt).collect();
        let index: Vec<ffi::HighsInt> = p.index.iter().map(|&r| r as ffi::HighsInt).collect();
        let sense = match p.sense {
            Sense::Minimise => ffi::OBJECTIVE_SENSE_MINIMIZE,
            Sense::Maximise => ffi::OBJECTIVE_SENSE_MAXIMIZE,
        };
        // SAFETY: column arrays have `n` entries (`start` n + 1), row arrays
        // `m`, entry arrays `nz`; all outlive the call (HiGHS copies them).
        let status = unsafe {
            ffi::Highs_passLp(
                self.0,
                n,
                m,
                nz,
                ffi::MATRIX_FORMAT_COLUMN_WISE,
                sense,
                0.0,
                p.col_cost.as_ptr(),
                p.col_lower.as_ptr(),
                p.col_upper.as_ptr(),
                p.row_lower.as_ptr(),
                p.row_upper.as_ptr(),
                start.as_ptr(),
                index.as_ptr(),
                p.value.as_ptr(),
            )
        };
        Instance::check(status, || "HiGHS could not load the problem".into())
    }
}

#[derive(Clone, Copy, Debug)]
enum OptionValue {
    Bool(bool),
    Int(i32),
    Double(f64),
    Str(&'static str),
}

impl HighsBackend {
    /// Sets this backend's options on a new instance.
    fn configure(&self, inst: &mut Instance) -> Result<(), LpError> {
        inst.set_option("output_flag", OptionValue::Bool(false))?;
        inst.set_option("log_to_console", OptionValue::Bool(false))?;
        inst.set_option("threads", OptionValue::Int(1))?;
        inst.set_option("solver", OptionValue::Str(self.solver))?;
        inst.set_option("presolve", OptionValue::Str(self.presolve))?;
        inst.set_option("simplex_strategy", OptionValue::Int(self.simplex_strategy))?;
        inst.set_option(
            "simplex_scale_strategy",
            OptionValue::Int(self.simplex_scale_strategy),
        )?;
        inst.set_option(
            "dual_simplex_cost_perturbation_multiplier",
            OptionValue::Double(self.cost_perturbation),
        )?;
        inst.set_option(
            "simplex_dual_edge_weight_strategy",
            OptionValue::Int(self.dual_edge_weight_strategy),
        )
    }
}

/// A HiGHS instance kept between solves of problems of one shape.
pub struct HighsSession<'a> {
    backend: &'a HighsBackend,
    instance: Option<Instance>,
    /// The problem HiGHS holds, to send only the numbers that changed.
    loaded: Option<Problem>,
    start: Option<Basis>,
    mask: Vec<ffi::HighsInt>,
}

impl<'a> HighsSession<'a> {
    /// A session with no model loaded yet.
    pub fn new(backend: &'a HighsBackend) -> Self {
        HighsSession {
            backend,
            instance: None,
            loaded: None,
            start: None,
            mask: Vec::new(),
        }
    }

    fn fresh(&mut self, p: &Problem) -> Result<(), LpError> {
        self.instance = None;
        self.loaded = None;
        let mut inst = Instance::new()?;
        self.backend.configure(&mut inst)?;
        inst.pass(p)?;
        self.instance = Some(inst);
        self.loaded = Some(p.clone());
        Ok(())
    }

    /// Sends the numbers of `p` that differ from the loaded model: column
    /// bounds, costs and row bounds in one call each (by mask, so HiGHS
    /// needs no sorting), changed coefficients one by one.
    fn update(&mut self, p: &Problem) -> Result<(), LpError> {
        let (Some(inst), Some(loaded)) = (self.instance.as_mut(), self.loaded.as_mut()) else {
            return Err(solver_err("no model loaded".into()));
        };
        let old = loaded;
        let mask = &mut self.mask;

        fn mark(mask: &mut Vec<ffi::HighsInt>, n: usize, changed: &dyn Fn(usize) -> bool) -> bool {
            mask.clear();
            mask.resize(n, 0);
            let mut any = false;
            for (i, m) in mask.iter_mut().enumerate() {
                if changed(i) {
                    *m = 1;
                    any = true;
                }
            }
            any
        }
        if mark(mask, p.num_cols(), &|i| {
            p.col_lower[i] != old.col_lower[i] || p.col_upper[i] != old.col_upper[i]
        }) {
            // SAFETY: `mask`, `col_lower` and `col_upper` have num_cols entries.
            let s = unsafe {
                ffi::Highs_changeColsBoundsByMask(
                    inst.0,
                    mask.as_ptr(),
                    p.col_lower.as_ptr(),
                    p.col_upper.as_ptr(),
                )
            };
            Instance::check(s, || "HiGHS rejected new column bounds".into())?;
        }
        if mark(mask, p.num_cols(), &|i| p.col_cost[i] != old.col_cost[i]) {
            // SAFETY: as above.
            let s = unsafe {
                ffi::Highs_changeColsCostByMask(inst.0, mask.as_ptr(), p.col_cost.as_ptr())
            };
            Instance::check(s, || "HiGHS rejected new column costs".into())?;
        }
        if mark(mask, p.num_rows(), &|i| {
            p.row_lower[i] != old.row_lower[i] || p.row_upper[i] != old.row_upper[i]
        }) {
            // SAFETY: `mask`, `row_lower` and `row_upper` have num_rows entries.
            let s = unsafe {
                ffi::Highs_changeRowsBoundsByMask(
                    inst.0,
                    mask.as_ptr(),
                    p.row_lower.as_ptr(),
                    p.row_upper.as_ptr(),
                )
            };
            Instance::check(s, || "HiGHS rejected new row bounds".into())?;
        }

        for c in 0..p.num_cols() {
            for k in p.col_start[c] as usize..p.col_start[c + 1] as usize {
                if p.value[k] != old.value[k] {
                    // SAFETY: row and column indices are within the loaded model.
                    let s = unsafe {
                        ffi::Highs_changeCoeff(
                            inst.0,
                            p.index[k] as ffi::HighsInt,
                            c as ffi::HighsInt,
                            p.value[k],
                        )
                    };
                    Instance::check(s, || "HiGHS rejected a new coefficient".into())?;
                }
            }
        }
        old.col_lower.copy_from_slice(&p.col_lower);
        old.col_upper.copy_from_slice(&p.col_upper);
        old.col_cost.copy_from_slice(&p.col_cost);
        old.row_lower.copy_from_slice(&p.row_lower);
        old.row_upper.copy_from_slice(&p.row_upper);
        old.value.copy_from_slice(&p.value);
        Ok(())
    }

    fn run(&mut self, p: &Problem) -> Result<Solution, LpError> {
        let inst = self
            .instance
            .as_mut()
            .ok_or_else(|| solver_err("no model loaded".into()))?;
        if let Some(basis) = self.start.take() {
            if basis.cols.len() == p.num_cols() && basis.rows.len() == p.num_rows() {
                let cols: Vec<ffi::HighsInt> = basis.cols.iter().map(|&s| to_highs(s)).collect();
                let rows: Vec<ffi::HighsInt> = basis.rows.iter().map(|&s| to_highs(s)).collect();
                // SAFETY: arrays of num_cols and num_rows entries.
                let s = unsafe { ffi::Highs_setBasis(inst.0, cols.as_ptr(), rows.as_ptr()) };
                Instance::check(s, || "HiGHS rejected the starting basis".into())?;
            }
        }
        // SAFETY: a loaded instance.
        let s = unsafe { ffi::Highs_run(inst.0) };
        Instance::check(s, || "HiGHS failed while solving".into())?;
        // SAFETY: a solved instance.
        let model_status = unsafe { ffi::Highs_getModelStatus(inst.0) };
        let status = status_of(model_status);
        let (n, m) = (p.num_cols(), p.num_rows());
        let mut sol = Solution {
            status,
            objective: 0.0,
            col_values: vec![0.0; n],
            reduced_costs: vec![0.0; n],
            row_values: vec![0.0; m],
            row_duals: vec![0.0; m],
            iterations: 0,
        };
        let mut iterations: ffi::HighsInt = 0;
        let key = CString::new("simplex_iteration_count").expect("no NUL");
        // SAFETY: output arrays sized to the loaded model's dimensions.
        unsafe {
            ffi::Highs_getSolution(
                inst.0,
                sol.col_values.as_mut_ptr(),
                sol.reduced_costs.as_mut_ptr(),
                sol.row_values.as_mut_ptr(),
                sol.row_duals.as_mut_ptr(),
            );
            sol.objective = ffi::Highs_getObjectiveValue(inst.0);
            ffi::Highs_getIntInfoValue(inst.0, key.as_ptr(), &mut iterations);
        }
        sol.iterations = iterations.max(0) as u64;
        Ok(sol)
    }
}

impl Session for HighsSession<'_> {
    fn solve(&mut self, p: &Problem) -> Result<Solution, LpError> {
        p.validate()?;
        let same = self.loaded.as_ref().is_some_and(|l| l.same_shape(p));
        let warm = same || self.start.is_some();
        if same {
            self.update(p)?;
        } else {
            self.fresh(p)?;
        }
        let solution = self.run(p)?;
        // A warm start can leave the dual simplex in numerical trouble
        // (status "unknown"); the same problem solved from scratch is the
        // reference, so retry once that way.
        if warm && matches!(solution.status, Status::Other(_)) {
            self.fresh(p)?;
            return self.run(p);
        }
        Ok(solution)
    }

    fn basis(&self) -> Option<Basis> {
        let inst = self.instance.as_ref()?;
        let p = self.loaded.as_ref()?;
        let mut cols = vec![0 as ffi::HighsInt; p.num_cols()];
        let mut rows = vec![0 as ffi::HighsInt; p.num_rows()];
        // SAFETY: arrays sized to the loaded model.
        let s = unsafe { ffi::Highs_getBasis(inst.0, cols.as_mut_ptr(), rows.as_mut_ptr()) };
        if s == ffi::STATUS_ERROR {
            return None;
        }
        Some(Basis {
            cols: cols.into_iter().map(from_highs).collect(),
            rows: rows.into_iter().map(from_highs).collect(),
        })
    }

    fn start_from(&mut self, basis: &Basis) {
        self.start = Some(basis.clone());
    }
}

fn status_of(model_status: ffi::HighsInt) -> Status {
    match model_status {
        ffi::MODEL_STATUS_OPTIMAL => Status::Optimal,
        ffi::MODEL_STATUS_INFEASIBLE => Status::Infeasible,
        ffi::MODEL_STATUS_UNBOUNDED | ffi::MODEL_STATUS_UNBOUNDED_OR_INFEASIBLE => {
            Status::Unbounded
        }
        other => Status::Other(
            match other {
                ffi::MODEL_STATUS_NOTSET => "not set",
                ffi::MODEL_STATUS_LOAD_ERROR => "load error",
                ffi::MODEL_STATUS_MODEL_ERROR => "model error",
                ffi::MODEL_STATUS_SOLVE_ERROR => "solve error",
                ffi::MODEL_STATUS_MODEL_EMPTY => "empty model",
                ffi::MODEL_STATUS_REACHED_TIME_LIMIT => "time limit reached",
                ffi::MODEL_STATUS_REACHED_ITERATION_LIMIT => "iteration limit reached",
                ffi::MODEL_STATUS_UNKNOWN => "unknown (numerical trouble)",
                _ => "other",
            }
            .to_string()
                + &format!(" (HiGHS model status {other})"),
        ),
    }
}

// kHighsBasisStatus: 0 lower, 1 basic, 2 upper, 3 zero, 4 nonbasic.
fn to_highs(s: BasisStatus) -> ffi::HighsInt {
    match s {
        BasisStatus::Lower => 0,
        BasisStatus::Basic => 1,
        BasisStatus::Upper => 2,
        BasisStatus::Zero => 3,
        BasisStatus::Nonbasic => 4,
    }
}

fn from_highs(s: ffi::HighsInt) -> BasisStatus {
    match s {
        0 => BasisStatus::Lower,
        1 => BasisStatus::Basic,
        2 => BasisStatus::Upper,
        3 => BasisStatus::Zero,
        _ => BasisStatus::Nonbasic,
    }
}

fn solver_err(detail: String) -> LpError {
    LpError::Solver {
        solver: "highs",
        detail,
    }
}
