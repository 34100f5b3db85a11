//! `oreflow serve`: parses the flags, prints the URL and hands over to
//! `oreflow_server::run` until Ctrl-C or SIGTERM.

use std::net::IpAddr;
use std::time::Duration;

use clap::Args;

use crate::Failure;

#[derive(Args, Debug)]
pub(crate) struct ServeArgs {
    /// Address to listen on. Anything but a loopback address needs an access token.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Port (0: any free port).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Access token checked on every request (Authorization: Bearer …, or open
    /// the dashboard once as /?token=…); at least 16 characters [default: the
    /// OREFLOW_TOKEN environment variable].
    #[arg(long)]
    token: Option<String>,
    /// An origin allowed to call the API from its pages (CORS), e.g.
    /// https://intranet.example; repeatable. None by default.
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    cors_origins: Vec<String>,
    /// Model runs at once [default: the number of cores].
    #[arg(long)]
    run_slots: Option<usize>,
    /// A model run still going after this many seconds is stopped.
    #[arg(long, default_value_t = 30)]
    run_time_limit: u64,
    /// Largest request body, bytes.
    #[arg(long, default_value_t = 1 << 20)]
    max_body: usize,
    /// Runs of one ensemble at most.
    #[arg(long, default_value_t = 2000)]
    max_ensemble_runs: u64,
    /// Size of the results cache, MiB.
    #[arg(long, default_value_t = 128)]
    cache_mib: usize,
}

pub(crate) fn run(a: ServeArgs) -> Result<(), Failure> {
    let mut limits = oreflow_server::Limits::default();
    if let Some(n) = a.run_slots {
        limits.run_slots = n.max(1);
    }
    limits.run_time_limit = Duration::from_secs(a.run_time_limit.max(1));
    limits.body_bytes = a.max_body;
    limits.ensemble_runs = a.max_ensemble_runs;
    limits.cache_bytes = a.cache_mib << 20;
    let config = oreflow_server::Config {
        bind: a.bind,
        port: a.port,
        token: a
            .token
            .or_else(|| std::env::var("OREFLOW_TOKEN").ok())
            .filter(|t| !t.is_empty()),
        cors_origins: a.cors_origins,
        limits,
    };
    let with_token = config.token.is_some();
    oreflow_server::run(config, |url| {
        if with_token {
            println!("oreflow dashboard: {url}?token=… (the access token; API clients send Authorization: Bearer …)");
        } else {
            println!("oreflow dashboard: {url}");
        }
        println!("API: {url}api/openapi.json · stop with Ctrl-C");
    })
    .map_err(|e| match e {
        oreflow_server::ServeError::Config(m) => Failure::input(m),
        oreflow_server::ServeError::Bind { .. } => Failure::input(e.to_string()),
        other => Failure::model(other.to_string()),
    })
}
