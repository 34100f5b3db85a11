//! `oreflow serve`: the dashboard and the JSON API of oreflow, served from
//! the binary itself (docs/api.md).
//!
//! Layers, outside in: the accept loop ([`serve`]: a bound on open
//! connections, a header-read and idle timeout per connection, graceful
//! shutdown) → the router ([`router`]: body-time and request-time limits,
//! gzip, CORS only when configured, the [`security`] guard on every
//! request) → handlers (`api`, `assets`) that translate HTTP to calls of
//! `engine` and back, with every error turned into a response in one place
//! (`error`). Model runs go through a limiter (slots and a bounded queue),
//! stop at a time limit, and their results are cached by the request's
//! fingerprint.
//!
//! Scenarios arriving over HTTP are read through
//! [`oreflow_scenario::InMemory`]: only the shipped scenarios and files sent
//! along, never the server's disk.
//!
//! Architecture invariant: a library — no printing, no exiting; events go
//! to `tracing` and the ready address to the caller.

mod api;
mod assets;
mod engine;
mod error;
mod jobs;
mod security;
mod state;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};
use utoipa::OpenApi as _;

pub use api::ApiDoc;
pub use engine::RunRequest;
pub use security::CSP;
pub use state::{Config, Limits};

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The settings are refused (e.g. no token for a non-loopback address).
    #[error("{0}")]
    Config(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// The OpenAPI description of the API, as JSON.
pub fn openapi_json() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_default()
}

/// The routes, with every limit and check but the connection-level ones.
fn router(state: Arc<state::AppState>) -> Router {
    let l = &state.config.limits;
    let api = Router::new()
        .route("/api/health", get(api::health))
        .route("/api/scenarios", get(api::scenarios))
        .route("/api/scenarios/{file}", get(api::scenario_file))
        .route("/api/vocabulary", get(api::vocabulary))
        .route("/api/validate", post(api::validate))
        .route("/api/run", post(api::run))
        .route("/api/runs/{fingerprint}", get(api::run_get))
        .route("/api/runs/{fingerprint}/tables/{file}", get(api::run_table))
        .route(
            "/api/runs/{fingerprint}/scenario.toml",
            get(api::run_scenario),
        )
        .route("/api/runs/{fingerprint}/report.html", get(api::run_report))
        .route("/api/compare", post(api::compare))
        .route("/api/ensembles", post(api::ensemble_start))
        .route(
            "/api/ensembles/{id}",
            get(api::ensemble_status).delete(api::ensemble_cancel),
        )
        .route("/api/ensembles/{id}/events", get(api::ensemble_events))
        .route("/api/ensembles/{id}/results", get(api::ensemble_results))
        .route("/api/ensembles/{id}/files/{file}", get(api::ensemble_file))
        .route("/api/news", post(api::news))
        .route("/api/openapi.json", get(api::openapi))
        .fallback(|| async {
            error::ApiError::NotFound("no such endpoint; see /api/openapi.json".into())
        });
    let mut app = Router::new()
        .route("/", get(assets::index))
        .route("/assets/{file}", get(assets::asset))
        .merge(api)
        .layer(CompressionLayer::new().gzip(true))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            l.request_timeout,
        ))
        .layer(RequestBodyTimeoutLayer::new(l.body_timeout));
    if !state.config.cors_origins.is_empty() {
        let origins: Vec<_> = state
            .config
            .cors_origins
            .iter()
            .filter_map(|o| o.parse().ok())
            .collect();
        app = app.layer(
            tower_http::cors::CorsLayer::new()
                .allow_origin(origins)
                .allow_methods([
                    axum::http::Method::GET,
                    axum::http::Method::POST,
                    axum::http::Method::DELETE,
                ])
                .allow_headers([
                    axum::http::header::CONTENT_TYPE,
                    axum::http::header::AUTHORIZATION,
                ]),
        );
    }
    app.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        security::guard,
    ))
    .with_state(state)
}

/// Checks the settings: a non-loopback address needs a token.
pub fn check(config: &Config) -> Result<(), ServeError> {
    if !config.bind.is_loopback() && config.token.as_deref().is_none_or(str::is_empty) {
        return Err(ServeError::Config(format!(
            "listening on {} (not a loopback address) needs an access token: give --token or set OREFLOW_TOKEN",
            config.bind
        )));
    }
    if config.token.as_deref().is_some_and(|t| t.len() < 16) {
        return Err(ServeError::Config(
            "the access token must have at least 16 characters".into(),
        ));
    }
    Ok(())
}

/// Binds the listening socket (port 0: any free port).
pub async fn bind(config: &Config) -> Result<TcpListener, ServeError> {
    check(config)?;
    let addr = SocketAddr::new(config.bind, config.port);
    TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Bind { addr, source })
}

/// Serves on `listener` until `shutdown` resolves; then stops accepting,
/// cancels ensemble jobs and stops runs, gives open requests
/// `limits.shutdown_grace` to finish, and removes the jobs' files.
pub async fn serve(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
) -> Result<(), ServeError> {
    check(&config)?;
    let state = state::AppState::new(config)?;
    let app = router(state.clone());
    let limits = state.config.limits.clone();
    let open = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    tokio::pin!(shutdown);
    tracing::info!(addr = %listener.local_addr()?, "serving");
    loop {
        let permit = tokio::select! {
            p = open.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
            _ = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            c = listener.accept() => match c {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors and the like: wait, go on.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let svc = hyper_util::service::TowerToHyperService::new(app.clone());
        let conn = graceful.watch(http.serve_connection(TokioIo::new(stream), svc));
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(%peer, error = %e, "connection closed");
            }
            drop(permit);
        });
    }
    tracing::info!("shutting down");
    state.stopping.store(true, Ordering::SeqCst);
    drop(listener);
    let jobs_state = state.clone();
    let jobs = tokio::task::spawn_blocking(move || jobs_state.jobs.shutdown());
    tokio::select! {
        _ = graceful.shutdown() => {},
        _ = tokio::time::sleep(limits.shutdown_grace) => {
            tracing::warn!("open connections did not finish in time");
        }
    }
    let _ = jobs.await;
    Ok(())
}

/// For the command line: a runtime, the listening socket, `ready(url)`
/// once it listens, then [`serve`] until SIGINT or SIGTERM.
pub fn run(config: Config, ready: impl FnOnce(&str)) -> Result<(), ServeError> {
    check(&config)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("oreflow-serve")
        .build()?;
    rt.block_on(async move {
        let listener = bind(&config).await?;
        let addr = listener.local_addr()?;
        let host = if addr.ip().is_loopback() && addr.is_ipv4() {
            "127.0.0.1".to_string()
        } else if addr.is_ipv6() {
            format!("[{}]", addr.ip())
        } else {
            addr.ip().to_string()
        };
        ready(&format!("http://{host}:{}/", addr.port()));
        serve(config, listener, signal()).await
    })
}

async fn signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(t) => t,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
