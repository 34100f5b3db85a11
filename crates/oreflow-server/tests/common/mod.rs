//! A server on a free loopback port for a test, stopped when done.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use oreflow_server::{Config, Limits, ServeError};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub struct TestServer {
    pub url: String,
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    handle: JoinHandle<Result<(), ServeError>>,
}

/// Limits for tests: short timeouts, small ensembles.
pub fn limits() -> Limits {
    Limits {
        header_timeout: Duration::from_secs(2),
        body_timeout: Duration::from_secs(2),
        ..Limits::default()
    }
}

pub async fn start(config: Config) -> TestServer {
    let config = Config { port: 0, ..config };
    let listener = oreflow_server::bind(&config).await.expect("bind");
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = oneshot::channel::<()>();
    let handle = tokio::spawn(oreflow_server::serve(config, listener, async move {
        let _ = rx.await;
    }));
    TestServer {
        url: format!("http://127.0.0.1:{}", addr.port()),
        addr,
        stop: Some(tx),
        handle,
    }
}

pub async fn start_default() -> TestServer {
    start(Config {
        limits: limits(),
        ..Config::default()
    })
    .await
}

impl TestServer {
    pub fn at(&self, path: &str) -> String {
        format!("{}{}", self.url, path)
    }

    /// Stops the server and waits (bounded) for it to finish.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        tokio::time::timeout(Duration::from_secs(30), self.handle)
            .await
            .expect("the server stops within 30 s")
            .expect("the server task")
            .expect("the server ends cleanly");
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

pub const LICENSING: &str =
    include_str!("../../../../scenarios/china-heavy-ree-licensing-2025.toml");
pub const ENSEMBLE: &str = include_str!("../../../../scenarios/ensemble-licensing-risk.toml");
