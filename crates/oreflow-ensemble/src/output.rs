//! The output folder of an ensemble or shard:
//!
//! | file | what |
//! |---|---|
//! | `runs.parquet` | one row per run and year: `run`, `year`, the headline metrics, `event_*_in_force` |
//! | `draws.parquet` | one row per run: `run`, `ok`, each parameter's draw, each event's years in force, projects failed and delayed |
//! | `failures.csv` | runs that failed (calibration or LP), with the reason |
//! | `manifest.json` | what was run (scenario fingerprint, seed, runs, shard, columns) and how long it took |
//! | `summary.csv` | per year, metric, good and region: runs, mean, min, P5, P50, P95, max |
//! | `shortfall_probability.csv` | per year, good, region and threshold: share of runs whose shortfall exceeds it |
//! | `events.csv` | per year and event: share of runs in which it is in force |
//! | `summary.json` | the ensemble's settings and counts (no timings) |
//!
//! The last four are written for a whole ensemble and by `merge`; they are
//! computed from `runs.parquet` read back, in run order.

use std::path::{Path, PathBuf};
use std::time::Duration;

use oreflow_core::Year;
use serde::{Deserialize, Serialize};

use crate::headline::ColumnInfo;
use crate::parquet_io::{
    ColumnData, ColumnKind, ColumnSpec, ColumnValues, TableReader, TableWriter,
};
use crate::summary::{share_above, stats};
use crate::{Ensemble, EnsembleError, LpStats, Outcome, Plan, Shard, Solver};

/// What an ensemble or shard ran (`manifest.json`, also in the Parquet footers).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub oreflow_version: String,
    pub scenario: String,
    /// Content hash of the scenario, its uncertainty and the headline.
    pub fingerprint: String,
    pub seed: u64,
    /// Runs of the whole ensemble.
    pub runs_total: u64,
    pub shard: Shard,
    /// Run indices in this folder, `[start, end)`.
    pub run_range: [u64; 2],
    pub years: [Year; 2],
    pub thresholds: Vec<f64>,
    pub columns: Vec<ColumnInfo>,
    /// Column of each event in `runs.parquet`, with the event's name.
    pub events: Vec<(String, String)>,
    /// Column of each parameter in `draws.parquet`, with its label.
    pub parameters: Vec<(String, String)>,
    pub failed_runs: Vec<u64>,
    pub threads: usize,
    pub elapsed_seconds: f64,
    pub lp: LpStats,
    /// The solver of the runs (`own`: oreflow's dual simplex with HiGHS as
    /// its fallback; `highs`), and whether they were warm-started.
    #[serde(default)]
    pub solver: Solver,
    #[serde(default = "yes")]
    pub warm: bool,
}

fn yes() -> bool {
    true
}

impl Manifest {
    /// Whether two folders come from the same ensemble (all but the shard,
    /// its runs and its timings agree).
    fn same_ensemble(&self, o: &Manifest) -> Result<(), String> {
        let checks: [(&str, bool); 10] = [
            (
                "solver (--solver, --cold)",
                self.solver == o.solver && self.warm == o.warm,
            ),
            ("oreflow version", self.oreflow_version == o.oreflow_version),
            ("scenario", self.scenario == o.scenario),
            ("scenario fingerprint", self.fingerprint == o.fingerprint),
            ("seed", self.seed == o.seed),
            ("number of runs (-n)", self.runs_total == o.runs_total),
            ("number of shards", self.shard.count == o.shard.count),
            ("years", self.years == o.years),
            ("thresholds", self.thresholds == o.thresholds),
            (
                "columns",
                self.columns == o.columns
                    && self.events == o.events
                    && self.parameters == o.parameters,
            ),
        ];
        match checks.iter().find(|c| !c.1) {
            None => Ok(()),
            Some((what, _)) => Err(format!("their {what} differ")),
        }
    }
}

fn io(path: &Path, e: impl std::fmt::Display) -> EnsembleError {
    EnsembleError::Io {
        path: path.display().to_string(),
        detail: e.to_string(),
    }
}

/// A column name from a label: lower-case letters, digits and `_`.
fn slug(label: &str) -> String {
    let mut s: String = label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    while s.contains("__") {
        s = s.replace("__", "_");
    }
    s.trim_matches('_').to_string()
}

/// Unique column names `{prefix}{slug}{suffix}` for `labels`.
fn names(labels: &[String], prefix: &str, suffix: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, l) in labels.iter().enumerate() {
        let mut name = format!("{prefix}{}{suffix}", slug(l));
        if out.iter().any(|(n, _)| *n == name) {
            name = format!("{prefix}{}_{}{suffix}", slug(l), k + 1);
        }
        out.push((name, l.clone()));
    }
    out
}

const RUNS_PER_ROW_GROUP: usize = 512;

/// Streams finished runs, in run order, to the folder's files.
pub(crate) struct RunsWriter {
    dir: PathBuf,
    manifest: Manifest,
    runs: TableWriter,
    n_values: usize,
    years: Vec<Year>,
    // Buffered row group of runs.parquet.
    run_col: Vec<i32>,
    year_col: Vec<i32>,
    /// Headline metrics, stored as 32-bit floats (7 significant digits).
    values: Vec<Vec<f32>>,
    events: Vec<Vec<i32>>,
    buffered_runs: usize,
    // draws.parquet, one row per run (small: kept whole).
    d_run: Vec<i32>,
    d_ok: Vec<i32>,
    d_params: Vec<Vec<f64>>,
    d_event_years: Vec<Vec<i32>>,
    d_event_first: Vec<Vec<i32>>,
    d_failed: Vec<i32>,
    d_delay: Vec<f64>,
    failures: Vec<(u64, String)>,
}

impl RunsWriter {
    pub(crate) fn create(
        dir: &Path,
        e: &Ensemble,
        plan: &Plan,
    ) -> Result<RunsWriter, EnsembleError> {
        std::fs::create_dir_all(dir).map_err(|x| io(dir, x))?;
        let (from, to) = e.years();
        let unc = e.uncertainty();
        let event_labels: Vec<String> = unc.events.iter().map(|x| x.label.clone()).collect();
        let param_labels: Vec<String> = unc.parameters.iter().map(|p| p.label.clone()).collect();
        let range = plan.shard.range(plan.runs);
        let manifest = Manifest {
            oreflow_version: env!("CARGO_PKG_VERSION").into(),
            scenario: e.name().into(),
            fingerprint: e.fingerprint().into(),
            seed: plan.seed,
            runs_total: plan.runs,
            shard: plan.shard,
            run_range: [range.start, range.end],
            years: [from, to],
            thresholds: plan.thresholds.clone(),
            columns: e.columns().to_vec(),
            events: names(&event_labels, "event_", "_in_force"),
            parameters: names(&param_labels, "param_", ""),
            failed_runs: Vec::new(),
            threads: plan.threads,
            elapsed_seconds: 0.0,
            lp: LpStats::default(),
            solver: plan.solver,
            warm: plan.warm,
        };
        let runs = TableWriter::create(
            &dir.join("runs.parquet"),
            &runs_schema(&manifest),
            &[("oreflow.manifest".into(), manifest_json(&manifest)?)],
        )?;
        let n_values = manifest.columns.len();
        let n_events = manifest.events.len();
        Ok(RunsWriter {
            dir: dir.to_path_buf(),
            runs,
            n_values,
            years: (from..=to).collect(),
            run_col: Vec::new(),
            year_col: Vec::new(),
            values: vec![Vec::new(); n_values],
            events: vec![Vec::new(); n_events],
            buffered_runs: 0,
            d_run: Vec::new(),
            d_ok: Vec::new(),
            d_params: vec![Vec::new(); manifest.parameters.len()],
            d_event_years: vec![Vec::new(); n_events],
            d_event_first: vec![Vec::new(); n_events],
            d_failed: Vec::new(),
            d_delay: Vec::new(),
            failures: Vec::new(),
            manifest,
        })
    }

    pub(crate) fn push(&mut self, run: u64, o: Outcome) -> Result<(), EnsembleError> {
        let run_id =
            i32::try_from(run).map_err(|_| EnsembleError::Settings("at most 2^31 runs".into()))?;
        let drawn = match o {
            Outcome::Done { rows, drawn, .. } => {
                let n = self.n_values;
                for (y, chunk) in self.years.iter().zip(rows.chunks(n)) {
                    self.run_col.push(run_id);
                    self.year_col.push(*y);
                    for (col, v) in self.values.iter_mut().zip(chunk) {
                        col.push(*v as f32);
                    }
                    for (col, years) in self.events.iter_mut().zip(&drawn.events) {
                        col.push(i32::from(years.contains(*y)));
                    }
                }
                self.buffered_runs += 1;
                self.d_ok.push(1);
                drawn
            }
            Outcome::Failed { drawn, message } => {
                self.manifest.failed_runs.push(run);
                self.failures.push((run, message));
                self.d_ok.push(0);
                drawn
            }
        };
        self.d_run.push(run_id);
        for (col, v) in self.d_params.iter_mut().zip(&drawn.parameters) {
            col.push(*v);
        }
        for (k, years) in drawn.events.iter().enumerate() {
            self.d_event_years[k].push(years.iter().count() as i32);
            self.d_event_first[k].push(years.first().unwrap_or(0));
        }
        self.d_failed.push(drawn.projects_failed as i32);
        self.d_delay.push(drawn.project_delay_years);
        if self.buffered_runs >= RUNS_PER_ROW_GROUP {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), EnsembleError> {
        if self.run_col.is_empty() {
            return Ok(());
        }
        let mut cols = vec![
            ColumnData::Int32(&self.run_col),
            ColumnData::Int32(&self.year_col),
        ];
        cols.extend(self.values.iter().map(|v| ColumnData::Float32(v)));
        cols.extend(self.events.iter().map(|v| ColumnData::Int32(v)));
        self.runs.write_row_group(&cols)?;
        self.run_col.clear();
        self.year_col.clear();
        self.values.iter_mut().for_each(Vec::clear);
        self.events.iter_mut().for_each(Vec::clear);
        self.buffered_runs = 0;
        Ok(())
    }

    pub(crate) fn finish(
        mut self,
        elapsed: Duration,
        threads: usize,
        lp: &LpStats,
    ) -> Result<(), EnsembleError> {
        self.flush()?;
        self.runs.finish()?;
        self.manifest.elapsed_seconds = elapsed.as_secs_f64();
        self.manifest.threads = threads;
        self.manifest.lp = *lp;
        write_draws(
            &self.dir,
            &self.manifest,
            &DrawColumns {
                run: &self.d_run,
                ok: &self.d_ok,
                params: &self.d_params,
                event_years: &self.d_event_years,
                event_first: &self.d_event_first,
                projects_failed: &self.d_failed,
                delay: &self.d_delay,
            },
        )?;
        write_failures(&self.dir, &self.failures)?;
        write_manifest(&self.dir, &self.manifest)
    }
}

fn runs_schema(m: &Manifest) -> Vec<ColumnSpec> {
    let mut s = vec![
        ColumnSpec::new("run", ColumnKind::Int32),
        ColumnSpec::new("year", ColumnKind::Int32),
    ];
    s.extend(
        m.columns
            .iter()
            .map(|c| ColumnSpec::new(c.name.clone(), ColumnKind::Float32)),
    );
    s.extend(
        m.events
            .iter()
            .map(|(n, _)| ColumnSpec::new(n.clone(), ColumnKind::Int32)),
    );
    s
}

struct DrawColumns<'a> {
    run: &'a [i32],
    ok: &'a [i32],
    params: &'a [Vec<f64>],
    event_years: &'a [Vec<i32>],
    event_first: &'a [Vec<i32>],
    projects_failed: &'a [i32],
    delay: &'a [f64],
}

fn draws_schema(m: &Manifest) -> Vec<ColumnSpec> {
    let mut s = vec![
        ColumnSpec::new("run", ColumnKind::Int32),
        ColumnSpec::new("ok", ColumnKind::Int32),
    ];
    s.extend(
        m.parameters
            .iter()
            .map(|(n, _)| ColumnSpec::new(n.clone(), ColumnKind::Float64)),
    );
    for (n, _) in &m.events {
        let base = n.trim_end_matches("_in_force");
        s.push(ColumnSpec::new(format!("{base}_years"), ColumnKind::Int32));
        s.push(ColumnSpec::new(
            format!("{base}_first_year"),
            ColumnKind::Int32,
        ));
    }
    s.push(ColumnSpec::new("projects_failed", ColumnKind::Int32));
    s.push(ColumnSpec::new("project_delay_years", ColumnKind::Float64));
    s
}

fn write_draws(dir: &Path, m: &Manifest, d: &DrawColumns) -> Result<(), EnsembleError> {
    let mut w = TableWriter::create(
        &dir.join("draws.parquet"),
        &draws_schema(m),
        &[("oreflow.manifest".into(), manifest_json(m)?)],
    )?;
    let mut cols = vec![ColumnData::Int32(d.run), ColumnData::Int32(d.ok)];
    cols.extend(d.params.iter().map(|v| ColumnData::Float64(v)));
    for (y, f) in d.event_years.iter().zip(d.event_first) {
        cols.push(ColumnData::Int32(y));
        cols.push(ColumnData::Int32(f));
    }
    cols.push(ColumnData::Int32(d.projects_failed));
    cols.push(ColumnData::Float64(d.delay));
    w.write_row_group(&cols)?;
    w.finish()?;
    Ok(())
}

fn write_failures(dir: &Path, failures: &[(u64, String)]) -> Result<(), EnsembleError> {
    let path = dir.join("failures.csv");
    let mut w = csv::Writer::from_path(&path).map_err(|e| io(&path, e))?;
    w.write_record(["run", "message"])
        .map_err(|e| io(&path, e))?;
    for (run, msg) in failures {
        w.write_record([run.to_string(), msg.clone()])
            .map_err(|e| io(&path, e))?;
    }
    w.flush().map_err(|e| io(&path, e))
}

fn read_failures(dir: &Path) -> Result<Vec<(u64, String)>, EnsembleError> {
    let path = dir.join("failures.csv");
    let mut r = csv::Reader::from_path(&path).map_err(|e| io(&path, e))?;
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| io(&path, e))?;
        let run = rec
            .get(0)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| io(&path, format!("bad row {:?}", rec)))?;
        out.push((run, rec.get(1).unwrap_or_default().to_string()));
    }
    Ok(out)
}

fn manifest_json(m: &Manifest) -> Result<String, EnsembleError> {
    serde_json::to_string_pretty(m).map_err(|e| EnsembleError::Settings(e.to_string()))
}

fn write_manifest(dir: &Path, m: &Manifest) -> Result<(), EnsembleError> {
    let path = dir.join("manifest.json");
    std::fs::write(&path, manifest_json(m)? + "\n").map_err(|e| io(&path, e))
}

/// Reads `DIR/manifest.json`.
pub fn read_manifest(dir: &Path) -> Result<Manifest, EnsembleError> {
    let path = dir.join("manifest.json");
    let text = oreflow_io::read_text(&path, oreflow_io::Limit::Json).map_err(|e| {
        io(
            &path,
            format!(
                "{} (is this the output folder of `oreflow ensemble`?)",
                e.message
            ),
        )
    })?;
    serde_json::from_str(&text).map_err(|e| io(&path, format!("not an ensemble manifest: {e}")))
}

fn floats(r: &TableReader, name: &str) -> Result<Vec<f64>, EnsembleError> {
    match r.read_column(name)? {
        ColumnValues::Float64(v) => Ok(v),
        ColumnValues::Float32(v) => Ok(v.into_iter().map(f64::from).collect()),
        ColumnValues::Int32(v) => Ok(v.into_iter().map(f64::from).collect()),
    }
}

fn ints(r: &TableReader, name: &str) -> Result<Vec<i32>, EnsembleError> {
    match r.read_column(name)? {
        ColumnValues::Int32(v) => Ok(v),
        _ => Err(EnsembleError::Merge(format!(
            "column {name} is not whole numbers"
        ))),
    }
}

fn num(x: f64) -> String {
    if x == 0.0 {
        "0".into()
    } else {
        format!("{x}")
    }
}

/// Writes the summary files of the ensemble whose `runs.parquet` and
/// `manifest.json` are in `dir` into `out` (often the same folder).
pub fn summarize(dir: &Path, out: &Path) -> Result<(), EnsembleError> {
    let m = read_manifest(dir)?;
    let runs_path = dir.join("runs.parquet");
    let r = TableReader::open(&runs_path)?;
    let years = ints(&r, "year")?;
    let run_ids = ints(&r, "run")?;
    let (from, to) = (m.years[0], m.years[1]);
    // Row indices per year, in run order.
    let mut rows_of: Vec<Vec<usize>> = vec![Vec::new(); (to - from + 1).max(0) as usize];
    for (i, &y) in years.iter().enumerate() {
        if let Some(v) = (y - from)
            .try_into()
            .ok()
            .and_then(|k: usize| rows_of.get_mut(k))
        {
            v.push(i);
        }
    }
    let csv_err = |p: &Path, e: csv::Error| io(p, e);
    let path = out.join("summary.csv");
    let mut w = csv::Writer::from_path(&path).map_err(|e| csv_err(&path, e))?;
    w.write_record([
        "year", "metric", "good", "region", "stage", "unit", "runs", "mean", "min", "p5", "p50",
        "p95", "max",
    ])
    .map_err(|e| csv_err(&path, e))?;
    let ppath = out.join("shortfall_probability.csv");
    let mut pw = csv::Writer::from_path(&ppath).map_err(|e| csv_err(&ppath, e))?;
    pw.write_record(["year", "good", "region", "threshold", "runs", "probability"])
        .map_err(|e| csv_err(&ppath, e))?;
    for c in &m.columns {
        let v = floats(&r, &c.name)?;
        for (k, rows) in rows_of.iter().enumerate() {
            let year = (from + k as Year).to_string();
            let vals: Vec<f64> = rows.iter().map(|&i| v[i]).collect();
            if let Some(s) = stats(&vals) {
                w.write_record([
                    year.clone(),
                    c.metric.clone(),
                    c.good.clone(),
                    c.region.clone(),
                    c.stage.clone(),
                    c.unit.clone(),
                    s.runs.to_string(),
                    num(s.mean),
                    num(s.min),
                    num(s.p5),
                    num(s.p50),
                    num(s.p95),
                    num(s.max),
                ])
                .map_err(|e| csv_err(&path, e))?;
            }
            if c.metric == "shortfall_share" {
                for &t in &m.thresholds {
                    if let Some((n, p)) = share_above(&vals, t) {
                        pw.write_record([
                            year.clone(),
                            c.good.clone(),
                            c.region.clone(),
                            num(t),
                            n.to_string(),
                            num(p),
                        ])
                        .map_err(|e| csv_err(&ppath, e))?;
                    }
                }
            }
        }
    }
    w.flush().map_err(|e| io(&path, e))?;
    pw.flush().map_err(|e| io(&ppath, e))?;
    let epath = out.join("events.csv");
    let mut ew = csv::Writer::from_path(&epath).map_err(|e| csv_err(&epath, e))?;
    ew.write_record(["year", "event", "runs", "probability_in_force"])
        .map_err(|e| csv_err(&epath, e))?;
    for (col, label) in &m.events {
        let v = ints(&r, col)?;
        for (k, rows) in rows_of.iter().enumerate() {
            if rows.is_empty() {
                continue;
            }
            let on = rows.iter().filter(|&&i| v[i] != 0).count();
            ew.write_record([
                (from + k as Year).to_string(),
                label.clone(),
                rows.len().to_string(),
                num(on as f64 / rows.len() as f64),
            ])
            .map_err(|e| csv_err(&epath, e))?;
        }
    }
    ew.flush().map_err(|e| io(&epath, e))?;
    let mut distinct = run_ids.clone();
    distinct.dedup();
    let summary = serde_json::json!({
        "scenario": m.scenario,
        "oreflow_version": m.oreflow_version,
        "fingerprint": m.fingerprint,
        "seed": m.seed,
        "runs": m.runs_total,
        "runs_ok": distinct.len(),
        "runs_failed": m.failed_runs.len(),
        "years": m.years,
        "shortfall_thresholds": m.thresholds,
        "parameters": m.parameters.iter().map(|p| &p.1).collect::<Vec<_>>(),
        "events": m.events.iter().map(|e| &e.1).collect::<Vec<_>>(),
        "percentiles": "linear between order statistics (Hyndman & Fan type 7, as numpy and pandas); NaN (no market) left out",
        "files": {
            "summary.csv": "per year, metric, good and region: runs, mean, min, P5, P50, P95, max",
            "shortfall_probability.csv": "share of runs whose shortfall share exceeds each threshold",
            "events.csv": "share of runs in which each event is in force",
            "runs.parquet": "one row per run and year",
            "draws.parquet": "one row per run: its draws",
        },
    });
    let jpath = out.join("summary.json");
    std::fs::write(
        &jpath,
        serde_json::to_string_pretty(&summary).map_err(|e| io(&jpath, e))? + "\n",
    )
    .map_err(|e| io(&jpath, e))?;
    Ok(())
}

/// What `merge` combined.
#[derive(Clone, Debug)]
pub struct MergeReport {
    pub shards: u32,
    pub runs: u64,
    pub failed: usize,
}

/// Combines the output folders of the shards `1/M … M/M` of one ensemble
/// into `out`: the runs and draws tables in run order, the failures, a
/// manifest, and the same summary files as one unsharded run.
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<MergeReport, EnsembleError> {
    if dirs.is_empty() {
        return Err(EnsembleError::Merge("no shard folders given".into()));
    }
    let mut shards = Vec::new();
    for d in dirs {
        shards.push((read_manifest(d)?, d.clone()));
    }
    shards.sort_by_key(|(m, _)| m.shard.index);
    let first = shards[0].0.clone();
    for (m, d) in &shards[1..] {
        first.same_ensemble(m).map_err(|why| {
            EnsembleError::Merge(format!(
                "{} and {} are not shards of one ensemble: {why}",
                shards[0].1.display(),
                d.display()
            ))
        })?;
    }
    let count = first.shard.count;
    for k in 1..=count {
        let n = shards.iter().filter(|(m, _)| m.shard.index == k).count();
        if n == 0 {
            return Err(EnsembleError::Merge(format!(
                "shard {k}/{count} is missing (runs {}..{})",
                Shard { index: k, count }.range(first.runs_total).start,
                Shard { index: k, count }.range(first.runs_total).end
            )));
        }
        if n > 1 {
            let same: Vec<String> = shards
                .iter()
                .filter(|(m, _)| m.shard.index == k)
                .map(|(_, d)| d.display().to_string())
                .collect();
            return Err(EnsembleError::Merge(format!(
                "shard {k}/{count} is given twice: {}",
                same.join(", ")
            )));
        }
    }
    for (m, d) in &shards {
        let want = m.shard.range(m.runs_total);
        if m.run_range != [want.start, want.end] {
            return Err(EnsembleError::Merge(format!(
                "{}: holds runs {:?}, but shard {}/{} is runs {}..{}",
                d.display(),
                m.run_range,
                m.shard.index,
                m.shard.count,
                want.start,
                want.end
            )));
        }
    }
    std::fs::create_dir_all(out).map_err(|e| io(out, e))?;
    let mut merged = first.clone();
    merged.shard = Shard::ALL;
    merged.run_range = [0, first.runs_total];
    merged.failed_runs = shards
        .iter()
        .flat_map(|(m, _)| m.failed_runs.clone())
        .collect();
    merged.threads = shards.iter().map(|(m, _)| m.threads).max().unwrap_or(1);
    merged.elapsed_seconds = shards.iter().map(|(m, _)| m.elapsed_seconds).sum();
    merged.lp = LpStats::default();
    for (m, _) in &shards {
        merged.lp.add(&m.lp);
    }
    for (file, schema) in [
        ("runs.parquet", runs_schema(&merged)),
        ("draws.parquet", draws_schema(&merged)),
    ] {
        let mut w = TableWriter::create(
            &out.join(file),
            &schema,
            &[("oreflow.manifest".into(), manifest_json(&merged)?)],
        )?;
        for (_, d) in &shards {
            let r = TableReader::open(&d.join(file))?;
            if r.columns() != schema.as_slice() {
                return Err(EnsembleError::Merge(format!(
                    "{}: its columns are not those of the manifest",
                    d.join(file).display()
                )));
            }
            let cols: Vec<ColumnValues> = schema
                .iter()
                .map(|c| r.read_column(&c.name))
                .collect::<Result<_, _>>()?;
            let data: Vec<ColumnData> = cols
                .iter()
                .map(|c| match c {
                    ColumnValues::Int32(v) => ColumnData::Int32(v),
                    ColumnValues::Float64(v) => ColumnData::Float64(v),
                    ColumnValues::Float32(v) => ColumnData::Float32(v),
                })
                .collect();
            w.write_row_group(&data)?;
        }
        w.finish()?;
    }
    let mut failures = Vec::new();
    for (_, d) in &shards {
        failures.extend(read_failures(d)?);
    }
    write_failures(out, &failures)?;
    write_manifest(out, &merged)?;
    summarize(out, out)?;
    Ok(MergeReport {
        shards: count,
        runs: first.runs_total,
        failed: failures.len(),
    })
}
