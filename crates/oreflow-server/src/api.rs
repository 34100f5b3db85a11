//! The JSON API's handlers: each reads the request, calls the engine (on a
//! blocking thread, through the run limiter) and writes the response. The
//! OpenAPI description ([`ApiDoc`]) is derived from these functions.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::engine::{self, CompareDocument, RunDocument, RunRequest, Table};
use crate::error::{ApiError, ErrorBody, Located};
use crate::jobs::{EnsembleRequest, JobState, JobStatus};
use crate::state::AppState;

type St = State<Arc<AppState>>;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "oreflow API",
        description = "Runs, comparisons and ensembles of oreflow's rare-earth supply-chain model. Scenario files are TOML (docs/scenarios.md); results are the tables of `oreflow run` (docs/outputs.md) as columns and rows.",
        license(name = "Apache-2.0")
    ),
    paths(
        health,
        scenarios,
        scenario_file,
        vocabulary,
        validate,
        run,
        run_get,
        run_table,
        run_scenario,
        run_report,
        compare,
        ensemble_start,
        ensemble_status,
        ensemble_events,
        ensemble_results,
        ensemble_file,
        ensemble_cancel,
        news,
        openapi
    ),
    components(schemas(
        Health,
        ScenarioInfo,
        Valid,
        ErrorBody,
        Located,
        RunRequest,
        RunDocument,
        CompareDocument,
        CompareRequest,
        Table,
        EnsembleRequest,
        JobStatus,
        JobState,
        EnsembleResults,
        NewsRequest,
        crate::engine::ScenarioMeta,
        crate::engine::FlowYear,
        crate::engine::Side
    ))
)]
pub struct ApiDoc;

/// The server is up.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    pub status: &'static str,
    pub version: &'static str,
    /// Seconds since the server started.
    pub uptime_s: u64,
    /// Results held in the cache, and their size.
    pub cached_results: usize,
    pub cache_bytes: usize,
}

#[utoipa::path(get, path = "/api/health", responses((status = 200, body = Health)))]
pub async fn health(State(s): St) -> Json<Health> {
    let (n, b) = {
        let c = crate::state::lock(&s.cache);
        (c.len(), c.bytes())
    };
    Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
        uptime_s: s.started.elapsed().as_secs(),
        cached_results: n,
        cache_bytes: b,
    })
}

/// A shipped scenario.
#[derive(Serialize, ToSchema)]
pub struct ScenarioInfo {
    /// File name: what `base` names and `GET /api/scenarios/{file}` returns.
    pub file: String,
    pub name: String,
    pub description: String,
    /// Has an `[uncertain]` part (an ensemble can be run).
    pub uncertain: bool,
    /// Fingerprint of its default run (`GET /api/runs/{fingerprint}`).
    pub fingerprint: String,
}

#[utoipa::path(get, path = "/api/scenarios", responses((status = 200, body = Vec<ScenarioInfo>)))]
pub async fn scenarios(State(s): St) -> Json<Vec<ScenarioInfo>> {
    Json(
        s.shipped
            .iter()
            .map(|(file, name, description, uncertain)| ScenarioInfo {
                file: file.clone(),
                name: name.clone(),
                description: description.clone(),
                uncertain: *uncertain,
                fingerprint: RunRequest {
                    scenario: oreflow_scenario::SHIPPED
                        .iter()
                        .find(|(f, _)| f == file)
                        .map(|(_, t)| t.to_string()),
                    ..Default::default()
                }
                .fingerprint(),
            })
            .collect(),
    )
}

#[utoipa::path(get, path = "/api/scenarios/{file}", params(("file" = String, Path, description = "a shipped scenario's file name")),
    responses((status = 200, description = "the scenario file", content_type = "application/toml", body = String), (status = 404, body = ErrorBody)))]
pub async fn scenario_file(Path(file): Path<String>) -> Result<Response, ApiError> {
    let (_, text) = oreflow_scenario::SHIPPED
        .iter()
        .find(|(f, _)| *f == file || f.trim_end_matches(".toml") == file)
        .ok_or_else(|| ApiError::NotFound(format!("no shipped scenario `{file}`")))?;
    Ok(download(
        text.as_bytes().to_vec(),
        "application/toml; charset=utf-8",
        None,
    ))
}

/// Names the levers can use: regions, elements, stages, end uses,
/// facilities and growth paths of the embedded dataset.
#[utoipa::path(get, path = "/api/vocabulary", responses((status = 200, description = "regions, elements, end uses, facilities, growth paths", body = Object)))]
pub async fn vocabulary() -> Result<Json<serde_json::Value>, ApiError> {
    let ds = oreflow_data::embedded().map_err(|e| ApiError::Internal(e.to_string()))?;
    let facilities: Vec<_> = ds
        .mines
        .iter()
        .map(|m| (m.id.as_str(), m.name.as_str(), "mining", m.region, m.capacity.start_year))
        .chain(ds.separation_plants.iter().map(|p| {
            (p.id.as_str(), p.name.as_str(), "separation", p.region, p.capacity.start_year)
        }))
        .chain(ds.magnet_plants.iter().map(|p| {
            (p.id.as_str(), p.name.as_str(), "magnet", p.region, p.capacity.start_year)
        }))
        .map(|(id, name, stage, r, start)| {
            serde_json::json!({"id": id, "name": name, "stage": stage, "region": ds.region_code(r), "start_year": start})
        })
        .collect();
    Ok(Json(serde_json::json!({
        "regions": ds.regions.iter().map(|r| serde_json::json!({"code": r.code, "name": r.name})).collect::<Vec<_>>(),
        "elements": oreflow_core::ELEMENTS.iter().map(|e| serde_json::json!({"symbol": e.symbol(), "name": e.name(), "priced": ds.reference_price(*e).is_some()})).collect::<Vec<_>>(),
        "stages": ["concentrate", "oxide", "magnet"],
        "end_uses": ds.end_uses.iter().map(|u| u.id.clone()).collect::<Vec<_>>(),
        "facilities": facilities,
        "growth_paths": ds.growth_paths.iter().map(|p| p.name.clone()).collect::<Vec<_>>(),
        "years": [ds.reference_year, oreflow_sim::MAX_YEAR],
    })))
}

/// Options of a run sent as a TOML body (`?from=2024&to=2040&growth=nze`).
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RunQuery {
    /// First year.
    pub from: Option<i32>,
    /// Last year.
    pub to: Option<i32>,
    /// Demand growth path.
    pub growth: Option<String>,
    /// Ensembles: number of runs.
    pub runs: Option<u64>,
    /// Ensembles: seed.
    pub seed: Option<u64>,
}

/// Reads a body within the size and time limits.
async fn read_body(s: &AppState, headers: &HeaderMap, body: Body) -> Result<Bytes, ApiError> {
    let limit = s.config.limits.body_bytes;
    if let Some(n) = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
    {
        if n > limit {
            // Read what was sent (up to a bound) so that the client sees the
            // answer instead of a reset connection.
            if n <= 16 << 20 {
                let _ = tokio::time::timeout(
                    s.config.limits.body_timeout,
                    axum::body::to_bytes(body, 16 << 20),
                )
                .await;
            }
            return Err(ApiError::TooLarge(limit));
        }
    }
    let wait = s.config.limits.body_timeout;
    match tokio::time::timeout(wait, axum::body::to_bytes(body, limit)).await {
        Err(_) => Err(ApiError::BodyTimeout(wait.as_secs())),
        Ok(Ok(b)) => Ok(b),
        Ok(Err(e)) => {
            let inner = e.into_inner();
            let mut src: Option<&(dyn std::error::Error + 'static)> = Some(inner.as_ref());
            while let Some(err) = src {
                if err.is::<http_body_util::LengthLimitError>() {
                    return Err(ApiError::TooLarge(limit));
                }
                if err.is::<tower_http::timeout::TimeoutError>() {
                    return Err(ApiError::BodyTimeout(wait.as_secs()));
                }
                src = err.source();
            }
            Err(ApiError::BadRequest(format!(
                "the request body could not be read: {inner}"
            )))
        }
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"))
}

fn json_body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError::BadRequest(format!("the JSON body is not valid: {e}")))
}

fn text(bytes: Bytes) -> Result<String, ApiError> {
    String::from_utf8(bytes.to_vec())
        .map_err(|_| ApiError::BadRequest("the scenario file is not UTF-8 text".into()))
}

/// A run request from a JSON body, or a TOML body with the options in the query.
async fn run_request(
    s: &AppState,
    q: RunQuery,
    headers: &HeaderMap,
    body: Body,
) -> Result<RunRequest, ApiError> {
    let bytes = read_body(s, headers, body).await?;
    if is_json(headers) {
        if q.from.is_some() || q.to.is_some() || q.growth.is_some() {
            return Err(ApiError::BadRequest(
                "with a JSON body, give the options in the body, not the query".into(),
            ));
        }
        return json_body(&bytes);
    }
    Ok(RunRequest {
        scenario: Some(text(bytes)?),
        files: BTreeMap::new(),
        from: q.from,
        to: q.to,
        growth: q.growth,
    })
}

/// A valid scenario.
#[derive(Serialize, ToSchema)]
pub struct Valid {
    /// Always true (invalid scenarios get 422).
    pub ok: bool,
    pub name: String,
    pub description: String,
    pub years: [i32; 2],
    pub growth_path: String,
    /// Levers: export controls, tariffs, links, stockpiles; facilities.
    pub counts: BTreeMap<&'static str, usize>,
    /// Uncertain parameters, project statuses at risk and events (ensembles).
    pub uncertain: BTreeMap<&'static str, usize>,
    pub fingerprint: String,
}

#[utoipa::path(post, path = "/api/validate", params(RunQuery),
    request_body(description = "a scenario file (TOML; any content type but JSON) or a RunRequest (application/json)", content(
        (String = "application/toml"), (RunRequest = "application/json"))),
    responses((status = 200, body = Valid), (status = 422, description = "located errors", body = ErrorBody),
        (status = 400, body = ErrorBody), (status = 413, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn validate(
    State(s): St,
    Query(q): Query<RunQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Valid>, ApiError> {
    let req = run_request(&s, q, &headers, body).await?;
    let fingerprint = req.fingerprint();
    let v = s
        .blocking(move |_| {
            let (sc, m) = engine::model(&req)?;
            let u = &sc.uncertainty;
            Ok(Valid {
                ok: true,
                name: sc.name.clone(),
                description: sc.description.trim().to_string(),
                years: [m.config.from, m.config.to],
                growth_path: m.config.growth_path.clone(),
                counts: BTreeMap::from([
                    ("export_controls", m.policies.export_controls.len()),
                    ("tariffs", m.policies.tariffs.len()),
                    ("links", m.policies.links.len()),
                    ("stockpiles", m.policies.stockpiles.len()),
                    ("mines", m.dataset.mines.len()),
                    ("separation_plants", m.dataset.separation_plants.len()),
                    ("magnet_plants", m.dataset.magnet_plants.len()),
                ]),
                uncertain: BTreeMap::from([
                    ("parameters", u.parameters.len()),
                    ("project_statuses", u.projects.len()),
                    ("events", u.events.len()),
                ]),
                fingerprint,
            })
        })
        .await?;
    Ok(Json(v))
}

/// A cached document (gzip JSON), decompressed when the client cannot take gzip.
fn gz_json(headers: &HeaderMap, gz: Bytes, cached: bool) -> Response {
    let accepts_gzip = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|p| p.trim().starts_with("gzip")));
    let mut r = if accepts_gzip {
        let mut r = Response::new(Body::from(gz));
        r.headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        r
    } else {
        Response::new(Body::from(engine::gunzip(&gz)))
    };
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    h.insert(
        "x-oreflow-cache",
        HeaderValue::from_static(if cached { "hit" } else { "miss" }),
    );
    r
}

#[utoipa::path(post, path = "/api/run", params(RunQuery),
    request_body(description = "a scenario file (TOML) with options in the query, or a RunRequest (application/json)", content(
        (String = "application/toml"), (RunRequest = "application/json"))),
    responses((status = 200, description = "the run (header x-oreflow-cache: hit or miss)", body = RunDocument),
        (status = 422, body = ErrorBody), (status = 400, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 503, description = "busy (Retry-After), or stopped at the run time limit", body = ErrorBody)))]
pub async fn run(
    State(s): St,
    Query(q): Query<RunQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let req = run_request(&s, q, &headers, body).await?;
    let (gz, cached) = s.run(req).await?;
    Ok(gz_json(&headers, gz, cached))
}

fn known(s: &AppState, fp: &str) -> Result<RunRequest, ApiError> {
    s.request(fp).map(|r| (*r).clone()).ok_or_else(|| {
        ApiError::NotFound(format!(
            "no run `{fp}` here: results of scenarios sent to this server are kept while it runs; send the scenario again"
        ))
    })
}

#[utoipa::path(get, path = "/api/runs/{fingerprint}", params(("fingerprint" = String, Path)),
    responses((status = 200, body = RunDocument), (status = 404, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn run_get(
    State(s): St,
    Path(fp): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let req = known(&s, &fp)?;
    let (gz, cached) = s.run(req).await?;
    Ok(gz_json(&headers, gz, cached))
}

fn download(bytes: Vec<u8>, content_type: &'static str, file: Option<&str>) -> Response {
    let mut r = Response::new(Body::from(bytes));
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Some(f) = file {
        if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{f}\"")) {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
    }
    r
}

#[utoipa::path(get, path = "/api/runs/{fingerprint}/tables/{file}", params(("fingerprint" = String, Path), ("file" = String, Path, description = "`prices.csv`, … (a table name with `.csv`)")),
    responses((status = 200, description = "the table as CSV", content_type = "text/csv", body = String), (status = 404, body = ErrorBody)))]
pub async fn run_table(
    State(s): St,
    Path((fp, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let req = known(&s, &fp)?;
    let name = file.strip_suffix(".csv").unwrap_or(&file).to_string();
    let (gz, _) = s.run(req).await?;
    let doc: serde_json::Value = serde_json::from_slice(&engine::gunzip(&gz))
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let t: Table = serde_json::from_value(doc["tables"][&name].clone()).map_err(|_| {
        let names: Vec<String> = doc["tables"]
            .as_object()
            .map(|m| m.keys().map(|k| format!("{k}.csv")).collect())
            .unwrap_or_default();
        ApiError::NotFound(format!("no table `{file}`; tables: {}", names.join(", ")))
    })?;
    Ok(download(
        t.to_csv().into_bytes(),
        "text/csv; charset=utf-8",
        Some(&format!("{name}.csv")),
    ))
}

#[utoipa::path(get, path = "/api/runs/{fingerprint}/scenario.toml", params(("fingerprint" = String, Path)),
    responses((status = 200, description = "the scenario file of the run", content_type = "application/toml", body = String), (status = 404, body = ErrorBody)))]
pub async fn run_scenario(State(s): St, Path(fp): Path<String>) -> Result<Response, ApiError> {
    let req = known(&s, &fp)?;
    let text = req
        .scenario
        .unwrap_or_else(|| "# The embedded baseline: no changes.\nname = \"baseline\"\n".into());
    Ok(download(
        text.into_bytes(),
        "application/toml; charset=utf-8",
        Some("scenario.toml"),
    ))
}

/// Options of the report.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// Fingerprint of a run drawn dashed as B.
    pub compare: Option<String>,
}

#[utoipa::path(get, path = "/api/runs/{fingerprint}/report.html", params(("fingerprint" = String, Path), ReportQuery),
    responses((status = 200, description = "the self-contained HTML report (as `oreflow report`)", content_type = "text/html", body = String),
        (status = 404, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn run_report(
    State(s): St,
    Path(fp): Path<String>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    let a = known(&s, &fp)?;
    let b = q.compare.as_deref().map(|f| known(&s, f)).transpose()?;
    let html = s
        .blocking(move |stop| {
            let ra = engine::run(&a, stop)?;
            let rb = b.as_ref().map(|b| engine::run(b, stop)).transpose()?;
            Ok(engine::report(&ra, rb.as_ref()))
        })
        .await?;
    Ok(download(
        html.into_bytes(),
        "text/html; charset=utf-8",
        Some("report.html"),
    ))
}

/// Two runs to compare.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompareRequest {
    /// Scenario A.
    pub a: RunRequest,
    /// Scenario B [default: the baseline over A's years].
    #[serde(default)]
    pub b: Option<RunRequest>,
}

#[utoipa::path(post, path = "/api/compare", request_body = CompareRequest,
    responses((status = 200, body = CompareDocument), (status = 422, body = ErrorBody), (status = 400, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn compare(State(s): St, headers: HeaderMap, body: Body) -> Result<Response, ApiError> {
    let bytes = read_body(&s, &headers, body).await?;
    let c: CompareRequest = json_body(&bytes)?;
    let a = c.a;
    let b = c.b.unwrap_or_else(|| RunRequest {
        from: a.from,
        to: a.to,
        growth: a.growth.clone(),
        ..Default::default()
    });
    let (fa, fb) = (s.remember(&a), s.remember(&b));
    let key = format!("compare:{fa}:{fb}");
    if let Some(gz) = crate::state::lock(&s.cache).get(&key) {
        return Ok(gz_json(&headers, gz, true));
    }
    let gz = s
        .blocking(move |stop| {
            let ra = engine::run(&a, stop)?;
            let mut rb = engine::run(&b, stop)?;
            if rb.model.config.from != ra.model.config.from
                || rb.model.config.to != ra.model.config.to
            {
                // B over A's years, as `oreflow compare`.
                let b2 = RunRequest {
                    from: Some(ra.model.config.from),
                    to: Some(ra.model.config.to),
                    ..b.clone()
                };
                rb = engine::run(&b2, stop)?;
            }
            let doc = engine::compare_document((&a, &ra), (&b, &rb));
            let json = serde_json::to_vec(&doc).map_err(|e| ApiError::Internal(e.to_string()))?;
            Ok(Bytes::from(engine::gzip(&json)))
        })
        .await?;
    crate::state::lock(&s.cache).insert(key, gz.clone(), gz.len());
    Ok(gz_json(&headers, gz, false))
}

#[utoipa::path(post, path = "/api/ensembles", params(RunQuery),
    request_body(description = "an EnsembleRequest (application/json), or a scenario file (TOML) with runs, seed and options in the query", content(
        (EnsembleRequest = "application/json"), (String = "application/toml"))),
    responses((status = 202, description = "queued; follow `Location`", body = JobStatus), (status = 422, body = ErrorBody),
        (status = 429, description = "too many jobs (Retry-After)", body = ErrorBody), (status = 413, body = ErrorBody)))]
pub async fn ensemble_start(
    State(s): St,
    Query(q): Query<RunQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let bytes = read_body(&s, &headers, body).await?;
    let req: EnsembleRequest = if is_json(&headers) {
        json_body(&bytes)?
    } else {
        EnsembleRequest {
            run: RunRequest {
                scenario: Some(text(bytes)?),
                files: BTreeMap::new(),
                from: q.from,
                to: q.to,
                growth: q.growth,
            },
            runs: q.runs.unwrap_or(100),
            seed: q.seed.unwrap_or(1),
            thresholds: None,
        }
    };
    let st = s.clone();
    let status = tokio::task::spawn_blocking(move || st.jobs.start(req))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))??;
    let mut r = (StatusCode::ACCEPTED, Json(&status)).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("/api/ensembles/{}", status.id)) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    Ok(r)
}

#[utoipa::path(get, path = "/api/ensembles/{id}", params(("id" = String, Path)),
    responses((status = 200, body = JobStatus), (status = 404, body = ErrorBody)))]
pub async fn ensemble_status(
    State(s): St,
    Path(id): Path<String>,
) -> Result<Json<JobStatus>, ApiError> {
    Ok(Json(s.jobs.status(&id)?))
}

#[utoipa::path(get, path = "/api/ensembles/{id}/events", params(("id" = String, Path)),
    responses((status = 200, description = "server-sent events: `progress` (a JobStatus as JSON) until the job finishes, then `end`", content_type = "text/event-stream", body = String),
        (status = 404, body = ErrorBody)))]
pub async fn ensemble_events(
    State(s): St,
    Path(id): Path<String>,
) -> Result<Sse<impl tokio_stream::Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let mut rx = s.jobs.watch(&id)?;
    // A task forwards each change until the job finishes, then the stream ends.
    let (tx, out) = tokio::sync::mpsc::channel::<Result<Event, Infallible>>(16);
    tokio::spawn(async move {
        loop {
            let st = rx.borrow_and_update().clone();
            let end = st.state.finished();
            let data = serde_json::to_string(&st).unwrap_or_default();
            let ev = Event::default()
                .event(if end { "end" } else { "progress" })
                .data(data);
            if tx.send(Ok(ev)).await.is_err() || end || rx.changed().await.is_err() {
                break;
            }
        }
    });
    let stream = tokio_stream::wrappers::ReceiverStream::new(out);
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// The summary of a finished ensemble, as tables (the CSV files of
/// `oreflow ensemble`, docs/ensembles.md).
#[derive(Serialize, ToSchema)]
pub struct EnsembleResults {
    pub status: JobStatus,
    /// summary.csv: mean, min, P5/P50/P95 and max per year, metric, good, region and stage.
    pub summary: Table,
    /// shortfall_probability.csv.
    pub shortfall_probability: Table,
    /// events.csv.
    pub events: Table,
}

#[utoipa::path(get, path = "/api/ensembles/{id}/results", params(("id" = String, Path)),
    responses((status = 200, body = EnsembleResults), (status = 404, description = "unknown or not finished", body = ErrorBody)))]
pub async fn ensemble_results(
    State(s): St,
    Path(id): Path<String>,
) -> Result<Json<EnsembleResults>, ApiError> {
    let dir = s.jobs.folder(&id)?;
    let status = s.jobs.status(&id)?;
    let read = move |f: &str| -> Result<Table, ApiError> {
        let text = std::fs::read_to_string(dir.join(f))
            .map_err(|e| ApiError::Internal(format!("{f}: {e}")))?;
        Table::from_csv(&text).map_err(|e| ApiError::Internal(format!("{f}: {e}")))
    };
    let r = tokio::task::spawn_blocking(move || {
        Ok::<_, ApiError>(EnsembleResults {
            status,
            summary: read("summary.csv")?,
            shortfall_probability: read("shortfall_probability.csv")?,
            events: read("events.csv")?,
        })
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))??;
    Ok(Json(r))
}

const ENSEMBLE_FILES: [(&str, &str); 8] = [
    ("runs.parquet", "application/vnd.apache.parquet"),
    ("draws.parquet", "application/vnd.apache.parquet"),
    ("summary.csv", "text/csv; charset=utf-8"),
    ("shortfall_probability.csv", "text/csv; charset=utf-8"),
    ("events.csv", "text/csv; charset=utf-8"),
    ("failures.csv", "text/csv; charset=utf-8"),
    ("manifest.json", "application/json"),
    ("report.html", "text/html; charset=utf-8"),
];

#[utoipa::path(get, path = "/api/ensembles/{id}/files/{file}", params(("id" = String, Path), ("file" = String, Path, description = "runs.parquet, draws.parquet, summary.csv, shortfall_probability.csv, events.csv, failures.csv, manifest.json or report.html")),
    responses((status = 200, description = "the file", body = String), (status = 404, body = ErrorBody)))]
pub async fn ensemble_file(
    State(s): St,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (name, ct) = ENSEMBLE_FILES
        .iter()
        .find(|(n, _)| *n == file)
        .copied()
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "no file `{file}`; files: {}",
                ENSEMBLE_FILES
                    .iter()
                    .map(|f| f.0)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
    let dir = s.jobs.folder(&id)?;
    let bytes = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, ApiError> {
        if name == "report.html" {
            let read = |f: &str| std::fs::read_to_string(dir.join(f)).ok();
            let t = oreflow_report::EnsembleTables::from_csv(read).map_err(ApiError::Internal)?;
            return Ok(oreflow_report::render_ensemble(&t, None).html.into_bytes());
        }
        std::fs::read(dir.join(name)).map_err(|e| ApiError::NotFound(format!("{name}: {e}")))
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))??;
    Ok(download(bytes, ct, Some(name)))
}

#[utoipa::path(delete, path = "/api/ensembles/{id}", params(("id" = String, Path)),
    responses((status = 200, description = "cancelled (a running job stops before its next run; follow its status), or removed when finished", body = JobStatus),
        (status = 404, body = ErrorBody)))]
pub async fn ensemble_cancel(
    State(s): St,
    Path(id): Path<String>,
) -> Result<Json<JobStatus>, ApiError> {
    Ok(Json(s.jobs.cancel(&id)?))
}

#[utoipa::path(get, path = "/api/openapi.json", responses((status = 200, description = "this description", body = Object)))]
pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// Options of `POST /api/news` when the body is the article itself.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct NewsQuery {
    /// The article's date, `YYYY-MM-DD`, if the text gives none; relative dates ("last week") resolve against it.
    pub date: Option<String>,
    /// A name for the article in the answer (default `article`).
    pub name: Option<String>,
}

/// A news article sent as JSON.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewsRequest {
    /// The article: plain text or HTML.
    pub text: String,
    /// `YYYY-MM-DD`.
    pub date: Option<String>,
    pub name: Option<String>,
}

/// The reader with the embedded datasets, loaded on first use.
fn news_reader() -> Result<&'static oreflow_news::Reader, ApiError> {
    static READER: std::sync::OnceLock<Result<oreflow_news::Reader, String>> =
        std::sync::OnceLock::new();
    READER
        .get_or_init(|| oreflow_news::Reader::new().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| ApiError::Internal(e.clone()))
}

#[utoipa::path(post, path = "/api/news", params(NewsQuery),
    request_body(description = "a news article (plain text or HTML; any content type but JSON) with the options in the query, or a NewsRequest (application/json)", content(
        (String = "text/plain"), (String = "text/html"), (NewsRequest = "application/json"))),
    responses((status = 200, description = "as `oreflow news --json`: `facts` (section, text, start, end, quote, kind, subject, value, unit, basis, year, status, dataset, note, …), `events`, `scenario` (the draft, TOML) and `documents` (the extracted text that `text_start`/`text_end` index)", body = Object),
        (status = 400, description = "not UTF-8, a bad date, malformed JSON", body = ErrorBody), (status = 413, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn news(
    State(s): St,
    Query(q): Query<NewsQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<serde_json::Value>, ApiError> {
    let bytes = read_body(&s, &headers, body).await?;
    let (text, date, name) = if is_json(&headers) {
        if q.date.is_some() || q.name.is_some() {
            return Err(ApiError::BadRequest(
                "with a JSON body, give the options in the body, not the query".into(),
            ));
        }
        let r: NewsRequest = json_body(&bytes)?;
        (r.text.into_bytes(), r.date, r.name)
    } else {
        (bytes.to_vec(), q.date, q.name)
    };
    let date = match date {
        None => None,
        Some(d) => Some(
            oreflow_news::Date::parse(&d)
                .filter(|x| x.day.is_some())
                .ok_or_else(|| {
                    ApiError::BadRequest(format!("date: expected YYYY-MM-DD, got `{d}`"))
                })?,
        ),
    };
    let v = s
        .blocking(move |_| {
            let reader = news_reader()?;
            let opts = oreflow_news::Options {
                name: name.unwrap_or_else(|| "article".into()),
                date,
            };
            let rep = reader
                .read(&text, &opts)
                .map_err(|e| ApiError::BadRequest(e.to_string()))?;
            oreflow_news::validate_scenario(&rep.scenario).map_err(|e| {
                ApiError::Internal(format!("the draft scenario does not validate: {e}"))
            })?;
            Ok(oreflow_news::to_json(
                std::slice::from_ref(&rep),
                &rep.scenario,
            ))
        })
        .await?;
    Ok(Json(v))
}
