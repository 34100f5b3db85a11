//! `oreflow lp` (export the LPs a run solves as MPS files) and `oreflow
//! bench` (time whole runs, for the peer benchmark).
//!
//! The LPs are taken from the run itself: the run's backend is wrapped in
//! [`oreflow_lp::Observed`], which hands over every problem as it was
//! solved, so the files are the LPs solved, not a second build.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use clap::Args;
use oreflow_lp::{mps, Backend, HighsBackend, Observed, Observer, Problem, Solution, Status};

use crate::output::{begin, default_dir};
use crate::run_cmd::check_years;
use crate::{build_model, load_scenario, Failure, RunOverrides};

#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["year", "all_years"])))]
pub(crate) struct LpArgs {
    /// `baseline`, a scenario file (.toml), or a directory of dataset tables.
    scenario: PathBuf,
    /// Export the LPs of this year only (the run still solves the years before it).
    #[arg(long)]
    year: Option<i32>,
    /// Export the LPs of every year of the run.
    #[arg(long)]
    all_years: bool,
    /// Output directory [default: out/<scenario>-lp]
    #[arg(long, short)]
    out: Option<PathBuf>,
    #[command(flatten)]
    years: RunOverrides,
    /// Name rows `R1…` and columns `C1…` instead of their sanitised labels
    /// (files about a third the size; names.csv maps both to the labels).
    #[arg(long)]
    short_names: bool,
    /// Do not print what was written.
    #[arg(long, short)]
    quiet: bool,
}

/// One exported LP, waiting for its year to finish (when its solve index
/// within the year is known).
struct Pending {
    mps: String,
    rows: usize,
    cols: usize,
    nonzeros: usize,
    sense: &'static str,
    objective: f64,
    status: Status,
    iterations: u64,
    names: mps::Names,
    labels: (Vec<String>, Vec<String>),
}

/// Collects the MPS text of every solve while `export` is on.
struct Exporter {
    export: Mutex<bool>,
    short: bool,
    pending: Mutex<Vec<Pending>>,
}

fn labels(p: &Problem) -> (Vec<String>, Vec<String>) {
    (
        (0..p.num_rows())
            .map(|r| p.row_label(oreflow_lp::RowId(r as u32)).to_string())
            .collect(),
        (0..p.num_cols())
            .map(|c| p.col_label(oreflow_lp::Col(c as u32)).to_string())
            .collect(),
    )
}

impl Observer for Exporter {
    fn solved(&self, p: &Problem, s: &Solution) {
        if !*self.export.lock().unwrap_or_else(|e| e.into_inner()) {
            return;
        }
        let names = mps::names(p);
        let text = if self.short {
            mps::to_string_named(p, "oreflow", &mps::short_names(p))
        } else {
            mps::to_string_named(p, "oreflow", &names)
        };
        let entry = Pending {
            mps: text,
            rows: p.num_rows(),
            cols: p.num_cols(),
            nonzeros: p.num_nonzeros(),
            sense: match p.sense() {
                oreflow_lp::Sense::Maximise => "max",
                oreflow_lp::Sense::Minimise => "min",
            },
            objective: s.objective,
            status: s.status.clone(),
            iterations: s.iterations,
            names,
            labels: labels(p),
        };
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(entry);
    }
}

fn status_name(s: &Status) -> String {
    match s {
        Status::Optimal => "optimal".into(),
        Status::Infeasible => "infeasible".into(),
        Status::Unbounded => "unbounded".into(),
        Status::Other(m) => m.clone(),
    }
}

/// The names map of one LP: what each MPS name (full `mps_name` or, with
/// `--short-names`, `short_name`) stands for; `index` counts from 0.
fn names_csv(names: &mps::Names, labels: &(Vec<String>, Vec<String>)) -> Result<Vec<u8>, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let e = |e: csv::Error| e.to_string();
    w.write_record(["kind", "index", "mps_name", "short_name", "label"])
        .map_err(e)?;
    w.write_record(["objective", "", &names.objective, "obj", "objective"])
        .map_err(e)?;
    for (i, (n, l)) in names.rows.iter().zip(&labels.0).enumerate() {
        let short = format!("R{}", i + 1);
        w.write_record(["row", &i.to_string(), n, &short, l])
            .map_err(e)?;
    }
    for (i, (n, l)) in names.cols.iter().zip(&labels.1).enumerate() {
        let short = format!("C{}", i + 1);
        w.write_record(["col", &i.to_string(), n, &short, l])
            .map_err(e)?;
    }
    w.into_inner().map_err(|e| e.to_string())
}

pub(crate) fn run(a: LpArgs) -> Result<(), Failure> {
    let overrides = a.years.clone();
    check_years(&overrides)?;
    let sc = load_scenario(Some(&a.scenario))?;
    let dir = a.out.clone().unwrap_or_else(|| {
        let stem = a
            .scenario
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let d = default_dir(&sc.name, &stem);
        d.with_file_name(format!(
            "{}-lp",
            d.file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default()
        ))
    });
    let files = sc.files.clone();
    let mut inputs: Vec<&std::path::Path> = files.iter().map(|p| p.as_path()).collect();
    if a.scenario.as_os_str() != "baseline" {
        inputs.push(&a.scenario);
    }
    let fingerprint = oreflow_io::fingerprint(&(
        &sc.dataset,
        &sc.policies,
        &overrides.from,
        &overrides.to,
        &overrides.growth,
        &sc.config,
        &a.year,
    ));
    let (_, model) = build_model(sc, &overrides)?;
    let (from, to) = (model.config.from, model.config.to);
    if let Some(y) = a.year {
        if !(from..=to).contains(&y) {
            return Err(Failure::input(format!(
                "--year {y}: the run solves {from}–{to}; give a year in that span (or --from/--to)"
            )));
        }
    }
    let out = begin(&dir, "lp", fingerprint, &inputs)?;
    let wanted = |y: i32| a.year.is_none_or(|w| w == y);
    let exporter = Exporter {
        export: Mutex::new(wanted(from)),
        short: a.short_names,
        pending: Mutex::new(Vec::new()),
    };
    let backend = Observed {
        backend: HighsBackend::default(),
        observer: &exporter,
    };
    let mut index = csv::Writer::from_writer(Vec::new());
    let mut first_labels: Option<(Vec<String>, Vec<String>)> = None;
    let mut written = 0usize;
    let mut failed: Option<Failure> = None;
    let header = [
        "year",
        "solve",
        "kind",
        "file",
        "rows",
        "cols",
        "nonzeros",
        "sense",
        "objective",
        "status",
        "iterations",
        "names",
    ];
    index
        .write_record(header)
        .map_err(|e| Failure::model(e.to_string()))?;
    let mut write_year = |year: i32, solves: usize| -> Result<(), Failure> {
        let entries =
            std::mem::take(&mut *exporter.pending.lock().unwrap_or_else(|e| e.into_inner()));
        // The year's own solves are the last `solves`; any before them are
        // preliminary solves (the policy-free reference of licence caps).
        let extra = entries.len().saturating_sub(solves);
        for (k, e) in entries.into_iter().enumerate() {
            let (solve, kind) = if k < extra {
                (0, "pre-policy")
            } else {
                (k - extra + 1, "year")
            };
            let file = if k < extra && extra > 1 {
                format!("lp-{year}-0-{}.mps", k + 1)
            } else {
                format!("lp-{year}-{solve}.mps")
            };
            out.write(&file, e.mps.as_bytes())?;
            let names_file = match &first_labels {
                None => {
                    first_labels = Some(e.labels.clone());
                    "names.csv".to_string()
                }
                Some(l) if *l == e.labels => "names.csv".to_string(),
                Some(_) => file.replace(".mps", "-names.csv"),
            };
            if names_file != "names.csv" || written == 0 {
                let bytes = names_csv(&e.names, &e.labels).map_err(Failure::model)?;
                out.write(&names_file, &bytes)?;
            }
            index
                .write_record([
                    year.to_string(),
                    solve.to_string(),
                    kind.to_string(),
                    file,
                    e.rows.to_string(),
                    e.cols.to_string(),
                    e.nonzeros.to_string(),
                    e.sense.to_string(),
                    format!("{:e}", e.objective),
                    status_name(&e.status),
                    e.iterations.to_string(),
                    names_file,
                ])
                .map_err(|e| Failure::model(e.to_string()))?;
            written += 1;
        }
        Ok(())
    };
    let result = oreflow_sim::run(&model, &backend, |yr| {
        let year = yr.data.year;
        if failed.is_none() && wanted(year) {
            if let Err(e) = write_year(year, yr.solves) {
                failed = Some(e);
            }
        }
        // Solves from now on belong to the next year.
        *exporter.export.lock().unwrap_or_else(|e| e.into_inner()) = wanted(year + 1);
        exporter
            .pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    })
    .map_err(|e| Failure::model(e.to_string()))?;
    if let Some(f) = failed {
        return Err(f);
    }
    let bytes = index
        .into_inner()
        .map_err(|e| Failure::model(e.to_string()))?;
    out.write("index.csv", &bytes)?;
    let done = out.commit()?;
    if !a.quiet {
        let solves: usize = result.years.iter().map(|y| y.solves).sum();
        println!(
            "wrote {written} LPs (MPS, of the {solves} solves of {from}–{to}), index.csv and names.csv to {}",
            done.path.display()
        );
    }
    Ok(())
}

#[derive(Args, Debug)]
pub(crate) struct BenchArgs {
    /// `baseline`, a scenario file (.toml), or a directory of dataset tables.
    scenario: PathBuf,
    /// Timed runs (after one untimed warm-up run).
    #[arg(long, default_value_t = 20)]
    repeat: usize,
    /// Solve every LP from scratch (no warm start).
    #[arg(long)]
    cold: bool,
    /// LP solver of the warm-started runs: `highs` (as `oreflow run`) or
    /// `own` (oreflow's dual simplex, HiGHS as its fallback; what ensembles
    /// use).
    #[arg(long, default_value = "highs", value_parser = oreflow_ensemble::Solver::parse)]
    solver: oreflow_ensemble::Solver,
    #[command(flatten)]
    years: RunOverrides,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// Objective and simplex iterations of every solve, in order.
struct Objectives(Mutex<Vec<(f64, u64)>>);

impl Observer for Objectives {
    fn solved(&self, _: &Problem, s: &Solution) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((s.objective, s.iterations));
    }
}

/// `oreflow bench`: the wall time of whole runs of a calibrated model
/// (building each year's numbers, rewriting the LP, solving and reading the
/// solution back; calibration, done once, is not timed).
pub(crate) fn bench(a: BenchArgs) -> Result<(), Failure> {
    check_years(&a.years)?;
    if a.repeat == 0 {
        return Err(Failure::input("--repeat must be at least 1"));
    }
    let sc = load_scenario(Some(&a.scenario))?;
    let (name, model) = build_model(sc, &a.years)?;
    let highs = HighsBackend::default();
    let own = oreflow_simplex::DualSimplex::new(HighsBackend::default());
    let cold = oreflow_lp::Cold(HighsBackend::default());
    let own_solver = a.solver == oreflow_ensemble::Solver::Own && !a.cold;
    let plain: &dyn Backend = match (a.cold, own_solver) {
        (true, _) => &cold,
        (false, true) => &own,
        (false, false) => &highs,
    };
    // The warm-up run records the objectives (through an observer, which
    // costs a little, so it is not timed).
    let objectives = Objectives(Mutex::new(Vec::new()));
    let observed = Observed {
        backend: HighsBackend::default(),
        observer: &objectives,
    };
    let observed_own = Observed {
        backend: oreflow_simplex::DualSimplex::new(HighsBackend::default()),
        observer: &objectives,
    };
    let observed_cold = Observed {
        backend: oreflow_lp::Cold(HighsBackend::default()),
        observer: &objectives,
    };
    let first: &dyn Backend = match (a.cold, own_solver) {
        (true, _) => &observed_cold,
        (false, true) => &observed_own,
        (false, false) => &observed,
    };
    let r = oreflow_sim::run(&model, first, |_| {}).map_err(|e| Failure::model(e.to_string()))?;
    let solves: usize = r.years.iter().map(|y| y.solves).sum();
    let mut seconds = Vec::with_capacity(a.repeat);
    for _ in 0..a.repeat {
        let t = Instant::now();
        oreflow_sim::run(&model, plain, |_| {}).map_err(|e| Failure::model(e.to_string()))?;
        seconds.push(t.elapsed().as_secs_f64());
    }
    let mut sorted = seconds.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    let min = sorted[0];
    let solved = objectives.0.into_inner().unwrap_or_else(|e| e.into_inner());
    let iterations: u64 = solved.iter().map(|s| s.1).sum();
    let objectives: Vec<f64> = solved.iter().map(|s| s.0).collect();
    if a.json {
        let v = serde_json::json!({
            "scenario": name,
            "from": model.config.from,
            "to": model.config.to,
            "warm": !a.cold,
            "solver": if a.cold { "highs" } else { a.solver.name() },
            "fallbacks_per_run": own.totals().fallback_count() as f64 / a.repeat as f64,
            "lps_per_run": objectives.len(),
            "year_solves_per_run": solves,
            "runs": a.repeat,
            "iterations_per_run": iterations,
            "seconds_per_run": seconds,
            "median_seconds_per_run": median,
            "min_seconds_per_run": min,
            "objectives": objectives.iter().map(|o| format!("{o:e}")).collect::<Vec<_>>(),
        });
        println!("{v}");
    } else {
        println!(
            "{name} {}–{}: {} LPs per run ({} of them the years' solves), {} runs {}: median {:.4} s per run, fastest {:.4} s ({:.3} ms per LP); {iterations} simplex iterations per run",
            model.config.from,
            model.config.to,
            objectives.len(),
            solves,
            a.repeat,
            match (a.cold, own_solver) {
                (true, _) => "from scratch (HiGHS)".to_string(),
                (false, false) => "warm-started (HiGHS)".to_string(),
                (false, true) => format!(
                    "warm-started (oreflow's dual simplex; {} LPs by its HiGHS fallback)",
                    own.totals().fallback_count()
                ),
            },
            median,
            min,
            1e3 * median / objectives.len().max(1) as f64,
        );
    }
    Ok(())
}
