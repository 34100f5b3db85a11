//! The library calls behind the handlers, synchronous (the handlers run them
//! on blocking threads): a request → a scenario seen through an
//! [`InMemory`] resolver → a model → a run stopped at a deadline → the
//! metric tables as JSON. Results are read only through `oreflow-metrics`
//! tables and `oreflow-report`'s `RunTables`, so new tables slot in.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use oreflow_lp::{Backend, HighsBackend, LpError, Problem, Session, Solution};
use oreflow_report::RunTables;
use oreflow_scenario::{InMemory, Scenario};
use oreflow_sim::{Model, RunResult, MAX_YEAR};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::error::{ApiError, Located};

/// The name the scenario sent with a request has in error messages.
pub const SCENARIO_FILE: &str = "scenario.toml";

/// A scenario to run and the run's options.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    /// The scenario file (TOML). Absent: the embedded baseline.
    #[serde(default)]
    pub scenario: Option<String>,
    /// Other scenario files its `base` may name, by plain file name
    /// (`my-base.toml`). Shipped scenarios can be named without sending them.
    #[serde(default)]
    pub files: BTreeMap<String, String>,
    /// First year (from the dataset's reference year, 2024 by default, to 2050) [default: the scenario's].
    #[serde(default)]
    pub from: Option<i32>,
    /// Last year [default: the scenario's, else 2040].
    #[serde(default)]
    pub to: Option<i32>,
    /// Demand growth path: `steps`, `aps` or `nze` [default: the scenario's].
    #[serde(default)]
    pub growth: Option<String>,
}

impl RunRequest {
    /// A content hash of what decides the result: the oreflow version, the
    /// scenario, the files sent along and the options (SHA-256, 32 hex digits).
    pub fn fingerprint(&self) -> String {
        let canonical = json!({
            "oreflow": env!("CARGO_PKG_VERSION"),
            "scenario": self.scenario,
            "files": self.files,
            "from": self.from,
            "to": self.to,
            "growth": self.growth,
        });
        let digest = Sha256::digest(canonical.to_string().as_bytes());
        digest[..16].iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Bytes held when stored (for the store's budget).
    pub fn size(&self) -> usize {
        self.scenario.as_ref().map_or(0, String::len)
            + self
                .files
                .iter()
                .map(|(k, v)| k.len() + v.len())
                .sum::<usize>()
            + 64
    }
}

/// The scenario of a request, read through a resolver that sees only the
/// shipped scenarios and the files sent along.
pub fn scenario(req: &RunRequest) -> Result<Scenario, ApiError> {
    let Some(text) = &req.scenario else {
        return Scenario::baseline().map_err(|e| ApiError::Internal(e.to_string()));
    };
    let mut files = InMemory::shipped();
    for (name, text) in &req.files {
        files.insert(name, text.as_str()).map_err(|r| {
            ApiError::Invalid(vec![Located {
                file: name.clone(),
                line: 0,
                column: 0,
                message: r.message,
                hint: r.hint,
            }])
        })?;
    }
    files
        .insert(SCENARIO_FILE, text.as_str())
        .map_err(|r| ApiError::BadRequest(r.message))?;
    Scenario::load_with(&files, Path::new(SCENARIO_FILE))
        .map_err(|e| ApiError::Invalid(vec![e.into()]))
}

/// The calibrated model of a request's scenario with its options.
pub fn model(req: &RunRequest) -> Result<(Scenario, Model), ApiError> {
    let sc = scenario(req)?;
    let mut config = sc.config.clone();
    if let Some(f) = req.from {
        config.from = f;
    }
    if let Some(t) = req.to {
        config.to = t;
    }
    if let Some(g) = &req.growth {
        config.growth_path = g.clone();
    }
    let first = sc.dataset.reference_year;
    if config.from > config.to || config.from < first || config.to > MAX_YEAR {
        return Err(ApiError::option(format!(
            "from {} to {}: years must satisfy {first} ≤ from ≤ to ≤ {MAX_YEAR} (the dataset's reference year to the last year a run may reach)",
            config.from, config.to
        )));
    }
    if sc.dataset.growth_path(&config.growth_path).is_none() {
        return Err(ApiError::option(format!(
            "unknown demand growth path `{}`; expected one of: {}",
            config.growth_path,
            sc.dataset
                .growth_paths
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let model = Model::with_policies(sc.dataset.clone(), config, sc.policies.clone()).map_err(
        |e| match e {
            oreflow_sim::SimError::Config(m) => ApiError::option(m),
            other => ApiError::option(other.to_string()),
        },
    )?;
    Ok((sc, model))
}

/// When a run must stop: a deadline and a flag (the server shutting down).
#[derive(Clone, Copy)]
pub struct Stop<'a> {
    pub deadline: Instant,
    pub limit: Duration,
    pub flag: &'a AtomicBool,
}

impl Stop<'_> {
    fn reached(&self) -> bool {
        Instant::now() >= self.deadline || self.flag.load(Ordering::Relaxed)
    }
}

/// HiGHS behind a check before every solve: once the deadline passes or the
/// flag is set, solves fail and the run ends at the next year.
struct Stoppable<'a> {
    inner: HighsBackend,
    stop: Stop<'a>,
}

fn stopped() -> LpError {
    LpError::Solver {
        solver: "highs",
        detail: "stopped by the server".into(),
    }
}

impl Backend for Stoppable<'_> {
    fn name(&self) -> &'static str {
        self.inner.name()
    }
    fn solve(&self, problem: &Problem) -> Result<Solution, LpError> {
        if self.stop.reached() {
            return Err(stopped());
        }
        self.inner.solve(problem)
    }
    fn session(&self) -> Box<dyn Session + '_> {
        Box::new(StoppableSession {
            inner: self.inner.session(),
            stop: self.stop,
        })
    }
}

struct StoppableSession<'a> {
    inner: Box<dyn Session + 'a>,
    stop: Stop<'a>,
}

impl Session for StoppableSession<'_> {
    fn solve(&mut self, problem: &Problem) -> Result<Solution, LpError> {
        if self.stop.reached() {
            return Err(stopped());
        }
        self.inner.solve(problem)
    }
    fn basis(&self) -> Option<oreflow_lp::Basis> {
        self.inner.basis()
    }
    fn start_from(&mut self, basis: &oreflow_lp::Basis) {
        self.inner.start_from(basis)
    }
}

/// A finished run.
pub struct Ran {
    pub scenario: Scenario,
    pub model: Model,
    pub result: RunResult,
    pub seconds: f64,
}

/// Runs a request's scenario, stopped at `stop`.
pub fn run(req: &RunRequest, stop: Stop) -> Result<Ran, ApiError> {
    let (scenario, model) = model(req)?;
    let backend = Stoppable {
        inner: HighsBackend::default(),
        stop,
    };
    let started = Instant::now();
    let result = oreflow_sim::run(&model, &backend, |_| {});
    let seconds = started.elapsed().as_secs_f64();
    match result {
        Ok(result) => Ok(Ran {
            scenario,
            model,
            result,
            seconds,
        }),
        Err(_) if stop.flag.load(Ordering::Relaxed) => Err(ApiError::ShuttingDown),
        Err(_) if Instant::now() >= stop.deadline => Err(ApiError::TimeLimit(stop.limit.as_secs())),
        Err(e) => Err(ApiError::option(format!(
            "{}: the model cannot be solved: {e}",
            scenario.name
        ))),
    }
}

/// A table as columns and rows (what every table of the API looks like).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Table {
    pub columns: Vec<String>,
    #[schema(value_type = Vec<Vec<Object>>)]
    pub rows: Vec<Vec<Value>>,
}

/// The field names of a serialisable struct, in declaration order (serde
/// writes fields in order; a map visitor reads the keys back in that order).
fn field_names<T: Serialize>(row: &T) -> Vec<String> {
    struct Keys(Vec<String>);
    impl<'de> Deserialize<'de> for Keys {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> serde::de::Visitor<'de> for V {
                type Value = Keys;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("a map")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    mut m: A,
                ) -> Result<Keys, A::Error> {
                    let mut out = Vec::new();
                    while let Some((k, _)) = m.next_entry::<String, serde::de::IgnoredAny>()? {
                        out.push(k);
                    }
                    Ok(Keys(out))
                }
            }
            d.deserialize_map(V)
        }
    }
    serde_json::to_string(row)
        .ok()
        .and_then(|t| serde_json::from_str::<Keys>(&t).ok())
        .map(|k| k.0)
        .unwrap_or_default()
}

/// Rows of a metric table as a [`Table`].
pub fn table<T: Serialize>(rows: &[T], columns: &[&str]) -> Table {
    let columns: Vec<String> = match rows.first() {
        Some(r) => field_names(r),
        None => columns.iter().map(|c| c.to_string()).collect(),
    };
    let rows = rows
        .iter()
        .map(|r| match serde_json::to_value(r) {
            Ok(Value::Object(mut m)) => columns
                .iter()
                .map(|c| m.remove(c).unwrap_or(Value::Null))
                .collect(),
            Ok(other) => vec![other],
            Err(_) => Vec::new(),
        })
        .collect();
    Table { columns, rows }
}

impl Table {
    /// The table as CSV text (header, then one line per row).
    pub fn to_csv(&self) -> String {
        let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
        let _ = w.write_record(&self.columns);
        for r in &self.rows {
            let cells: Vec<String> = r
                .iter()
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    Value::Null => String::new(),
                    other => other.to_string(),
                })
                .collect();
            let _ = w.write_record(&cells);
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }

    /// A table from CSV text (numbers where a cell parses as one).
    pub fn from_csv(text: &str) -> Result<Table, String> {
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let columns = r
            .headers()
            .map_err(|e| e.to_string())?
            .iter()
            .map(String::from)
            .collect();
        let mut rows = Vec::new();
        for rec in r.records() {
            let rec = rec.map_err(|e| e.to_string())?;
            rows.push(
                rec.iter()
                    .map(|c| match c.parse::<f64>() {
                        Ok(x) if x.is_finite() => json!(x),
                        _ => Value::String(c.to_string()),
                    })
                    .collect(),
            );
        }
        Ok(Table { columns, rows })
    }
}

/// The tables of a run, by name (the names of `oreflow run`'s CSV files).
pub fn tables(model: &Model, result: &RunResult) -> BTreeMap<&'static str, Table> {
    use oreflow_metrics as m;
    BTreeMap::from([
        (
            "production",
            table(
                &m::production(model, result),
                &["year", "stage", "facility", "region", "element", "tonnes"],
            ),
        ),
        (
            "prices",
            table(
                &m::prices(model, result),
                &["year", "region", "commodity", "usd_per_kg"],
            ),
        ),
        ("consumption", table(&m::consumption(model, result), &[])),
        ("trade", table(&m::trade(model, result), &[])),
        (
            "shares",
            table(&m::shares(model, result), &m::SHARE_COLUMNS),
        ),
        (
            "stocks",
            table(
                &m::stocks(model, result),
                &[
                    "year",
                    "region",
                    "element",
                    "kind",
                    "bought_t",
                    "released_t",
                ],
            ),
        ),
        (
            "import_reliance",
            table(&m::import_reliance(model, result), &m::RELIANCE_COLUMNS),
        ),
        ("value_added", table(&m::value_added(model, result), &[])),
    ])
}

/// What a scenario is, in a run document.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ScenarioMeta {
    pub name: String,
    pub description: String,
    /// The files of its chain, base first.
    pub files: Vec<String>,
    /// First and last year.
    pub years: [i32; 2],
    pub growth_path: String,
    /// Has an `[uncertain]` part (ignored by a plain run; used by ensembles).
    pub uncertain: bool,
}

/// The attributed flows of Nd+Pr+Dy+Tb in one year (t REO): links
/// `[stage, from, to, tonnes]` with stage 0 = mine region → separation
/// region, 1 = separation → magnet region, 2 = magnet region → end use.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct FlowYear {
    pub year: i32,
    #[schema(value_type = Vec<Vec<Object>>)]
    pub links: Vec<(usize, String, String, f64)>,
}

/// A run: the scenario, its summary, every table (the columns of `oreflow
/// run`'s CSV files, see docs/outputs.md) and the flows of each year.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RunDocument {
    /// The request's fingerprint: the result's stable id.
    pub fingerprint: String,
    pub scenario: ScenarioMeta,
    /// What `summary.json` holds (headline figures of the first and last year).
    #[schema(value_type = Object)]
    pub summary: oreflow_metrics::Summary,
    /// Solve time of this run, s.
    pub seconds: f64,
    /// production, prices, consumption, trade, shares, stocks,
    /// import_reliance, value_added.
    pub tables: BTreeMap<&'static str, Table>,
    pub flows: Vec<FlowYear>,
}

/// The run's document.
pub fn run_document(req: &RunRequest, ran: &Ran) -> RunDocument {
    let (model, result) = (&ran.model, &ran.result);
    let shares = oreflow_metrics::shares(model, result);
    let summary = oreflow_metrics::Summary::new(
        &ran.scenario.name,
        model,
        result,
        &shares,
        "highs",
        ran.seconds,
    );
    let rt = RunTables::from_run(&ran.scenario.name, model, result);
    let flows = rt
        .years
        .iter()
        .map(|&y| {
            let f = oreflow_report::flows(&rt, y);
            let links = f
                .links
                .iter()
                .enumerate()
                .flat_map(|(stage, l)| {
                    l.iter()
                        .map(move |(a, b, t)| (stage, a.clone(), b.clone(), *t))
                })
                .collect();
            FlowYear { year: y, links }
        })
        .collect();
    RunDocument {
        fingerprint: req.fingerprint(),
        scenario: ScenarioMeta {
            name: ran.scenario.name.clone(),
            description: ran.scenario.description.trim().to_string(),
            files: ran
                .scenario
                .files
                .iter()
                .map(|p| p.display().to_string())
                .collect(),
            years: [model.config.from, model.config.to],
            growth_path: model.config.growth_path.clone(),
            uncertain: !ran.scenario.uncertainty.is_empty(),
        },
        summary,
        seconds: ran.seconds,
        tables: tables(model, result),
        flows,
    }
}

/// Which run a side of a comparison is.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Side {
    pub fingerprint: String,
    pub name: String,
}

/// Scenario A against scenario B.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CompareDocument {
    pub a: Side,
    pub b: Side,
    pub years: [i32; 2],
    /// The largest changes: prices (average over the horizon), world
    /// shortfalls per element, regional surplus.
    #[schema(value_type = Vec<Object>)]
    pub headline: Vec<oreflow_metrics::HeadlineChange>,
    /// Surplus change and downstream output lost per region, summed over the years.
    #[schema(value_type = Vec<Object>)]
    pub totals_by_region: Vec<oreflow_metrics::RegionTotal>,
    /// Who captures the value added, per (miner, processor) pair.
    #[schema(value_type = Vec<Object>)]
    pub value_added: Vec<oreflow_metrics::ValueAddedPair>,
    /// price_changes, shortfall_changes, welfare_changes (as `oreflow compare`'s CSV files).
    pub tables: BTreeMap<&'static str, Table>,
}

/// The comparison document of A against B.
pub fn compare_document(a: (&RunRequest, &Ran), b: (&RunRequest, &Ran)) -> CompareDocument {
    let (ra, rb) = (a.1, b.1);
    let c = oreflow_metrics::compare(&ra.model, &ra.result, &rb.model, &rb.result);
    let value_added = oreflow_metrics::value_added_pairs(
        &oreflow_metrics::value_added(&ra.model, &ra.result),
        &oreflow_metrics::value_added(&rb.model, &rb.result),
    );
    CompareDocument {
        a: Side {
            fingerprint: a.0.fingerprint(),
            name: ra.scenario.name.clone(),
        },
        b: Side {
            fingerprint: b.0.fingerprint(),
            name: rb.scenario.name.clone(),
        },
        years: [ra.model.config.from, ra.model.config.to],
        headline: oreflow_metrics::headline(&c, 5),
        totals_by_region: c.totals_by_region(),
        value_added,
        tables: BTreeMap::from([
            ("price_changes", table(&c.prices, &[])),
            ("shortfall_changes", table(&c.shortfall, &[])),
            ("welfare_changes", table(&c.welfare, &[])),
        ]),
    }
}

/// The self-contained HTML report of a run, with B overlaid when given.
pub fn report(a: &Ran, b: Option<&Ran>) -> String {
    let ta = RunTables::from_run(&a.scenario.name, &a.model, &a.result);
    let tb = b.map(|b| RunTables::from_run(&b.scenario.name, &b.model, &b.result));
    oreflow_report::render_tables(&ta, tb.as_ref(), &oreflow_report::Options::default()).html
}

/// JSON bytes gzip-compressed (fast level: results are compressed once,
/// when cached, and served many times).
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let _ = e.write_all(bytes);
    e.finish().unwrap_or_default()
}

/// The bytes of a gzip stream.
pub fn gunzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Read as _;
    let mut out = Vec::new();
    let _ = flate2::read::GzDecoder::new(bytes).read_to_end(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_keep_the_field_order_and_round_trip_through_csv() {
        #[derive(Serialize)]
        struct Row {
            year: i32,
            zeta: &'static str,
            alpha: f64,
        }
        let t = table(
            &[
                Row {
                    year: 2024,
                    zeta: "a,b",
                    alpha: 1.5,
                },
                Row {
                    year: 2025,
                    zeta: "c",
                    alpha: -2.0,
                },
            ],
            &[],
        );
        assert_eq!(t.columns, ["year", "zeta", "alpha"]);
        assert_eq!(t.rows[0], vec![json!(2024), json!("a,b"), json!(1.5)]);
        let csv = t.to_csv();
        assert_eq!(csv, "year,zeta,alpha\n2024,\"a,b\",1.5\n2025,c,-2.0\n");
        let back = Table::from_csv(&csv).unwrap();
        assert_eq!(back.columns, t.columns);
        assert_eq!(back.rows[1][2], json!(-2.0));
        let empty = table::<Row>(&[], &["year", "x"]);
        assert_eq!(empty.columns, ["year", "x"]);
    }

    #[test]
    fn fingerprints_depend_on_content_only() {
        let a = RunRequest {
            scenario: Some("name = \"x\"\n".into()),
            ..Default::default()
        };
        let mut b = a.clone();
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_eq!(a.fingerprint().len(), 32);
        b.to = Some(2030);
        assert_ne!(a.fingerprint(), b.fingerprint());
        assert_ne!(
            RunRequest::default().fingerprint(),
            RunRequest {
                scenario: Some(String::new()),
                ..Default::default()
            }
            .fingerprint()
        );
    }

    #[test]
    fn gzip_round_trips() {
        let x = b"{\"a\": 1}".repeat(100);
        assert_eq!(gunzip(&gzip(&x)), x);
    }
}
