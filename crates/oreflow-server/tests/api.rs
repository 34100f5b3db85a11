//! Every endpoint of the API, its errors and its limits, against a real
//! server on a free loopback port.

mod common;

use std::time::Duration;

use common::{client, start, start_default, LICENSING};
use oreflow_server::{Config, Limits};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn json_of(r: reqwest::Response) -> Value {
    let t = r.text().await.unwrap();
    serde_json::from_str(&t)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", &t[..t.len().min(300)]))
}

fn toml(body: &str) -> (reqwest::header::HeaderName, &'static str, String) {
    (
        reqwest::header::CONTENT_TYPE,
        "application/toml",
        body.to_string(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_scenarios_vocabulary_and_openapi() {
    let s = start_default().await;
    let c = client();
    let h = json_of(c.get(s.at("/api/health")).send().await.unwrap()).await;
    assert_eq!(h["status"], "ok");
    assert_eq!(h["version"], env!("CARGO_PKG_VERSION"));

    let list = json_of(c.get(s.at("/api/scenarios")).send().await.unwrap()).await;
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), oreflow_scenario::SHIPPED.len());
    let lic = list
        .iter()
        .find(|x| x["file"] == "china-heavy-ree-licensing-2025.toml")
        .unwrap();
    assert_eq!(lic["name"], "china-heavy-ree-licensing-2025");
    assert!(lic["description"].as_str().unwrap().len() > 20);
    assert!(list.iter().any(|x| x["uncertain"] == true));

    let r = c
        .get(s.at("/api/scenarios/china-heavy-ree-licensing-2025.toml"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), LICENSING);
    let r = c
        .get(s.at("/api/scenarios/nope.toml"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(json_of(r).await["error"], "not_found");

    let v = json_of(c.get(s.at("/api/vocabulary")).send().await.unwrap()).await;
    assert!(v["regions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["code"] == "CN"));
    assert!(v["facilities"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["id"] == "tr_beylikova"));

    let r = c.get(s.at("/api/nothing-here")).send().await.unwrap();
    assert_eq!(r.status(), 404);

    // The description lists exactly the routes served.
    let doc = json_of(c.get(s.at("/api/openapi.json")).send().await.unwrap()).await;
    let mut paths: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            "/api/compare",
            "/api/ensembles",
            "/api/ensembles/{id}",
            "/api/ensembles/{id}/events",
            "/api/ensembles/{id}/files/{file}",
            "/api/ensembles/{id}/results",
            "/api/health",
            "/api/news",
            "/api/openapi.json",
            "/api/run",
            "/api/runs/{fingerprint}",
            "/api/runs/{fingerprint}/report.html",
            "/api/runs/{fingerprint}/scenario.toml",
            "/api/runs/{fingerprint}/tables/{file}",
            "/api/scenarios",
            "/api/scenarios/{file}",
            "/api/validate",
            "/api/vocabulary",
        ]
    );
    // The committed description is the generated one.
    let committed = include_str!("../../../docs/openapi.json");
    assert_eq!(
        serde_json::from_str::<Value>(committed).unwrap(),
        doc,
        "docs/openapi.json is stale: run `BLESS=1 cargo test -p oreflow-server --test api`"
    );
    s.stop().await;
}

#[test]
fn bless_openapi() {
    if std::env::var_os("BLESS").is_some() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
        std::fs::write(path, oreflow_server::openapi_json() + "\n").unwrap();
    }
}

/// The keys of a schema of the description.
fn schema_keys(doc: &Value, name: &str) -> Vec<String> {
    let mut k: Vec<String> = doc["components"]["schemas"][name]["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("no schema {name}"))
        .keys()
        .cloned()
        .collect();
    k.sort();
    k
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validate_locates_errors_and_refuses_file_access() {
    let s = start_default().await;
    let c = client();
    let post = |body: String| {
        let (h, v, b) = toml(&body);
        c.post(s.at("/api/validate")).header(h, v).body(b).send()
    };
    let r = post(LICENSING.to_string()).await.unwrap();
    assert_eq!(r.status(), 200);
    let v = json_of(r).await;
    assert_eq!(v["ok"], true);
    assert_eq!(v["name"], "china-heavy-ree-licensing-2025");
    assert!(v["counts"]["export_controls"].as_u64().unwrap() >= 6);

    let r = post("name = \"x\"\n\n[[export_control]]\norigin = \"Chna\"\ndestinations = [\"*\"]\nstages = [\"oxide\"]\nkind = \"ban\"\nfrom = 2026\n".into())
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let v = json_of(r).await;
    assert_eq!(v["error"], "invalid_scenario");
    let e = &v["errors"][0];
    assert_eq!(
        (e["file"].as_str(), e["line"].as_u64(), e["column"].as_u64()),
        (Some("scenario.toml"), Some(4), Some(10)),
        "{v}"
    );
    assert_eq!(e["message"], "unknown region `Chna`");
    assert!(e["hint"].as_str().unwrap().contains("China"), "{e}");

    // A TOML syntax error, located.
    let v = json_of(
        post("name = \"x\"\n[run]\nto = \"soon\"\n".into())
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(v["errors"][0]["line"], 3, "{v}");

    // The server's files are out of reach.
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("secret.toml");
    std::fs::write(&secret, "name = \"secret\"\n").unwrap();
    let link = dir.path().join("link.toml");
    std::os::unix::fs::symlink(&secret, &link).unwrap();
    for base in [
        "../../../../etc/passwd".to_string(),
        "/etc/passwd".to_string(),
        secret.display().to_string(),
        link.display().to_string(),
        "scenarios/turkey-beylikova.toml".to_string(),
        "%2e%2e/x.toml".to_string(),
    ] {
        let r = post(format!("base = {base:?}\n")).await.unwrap();
        assert_eq!(r.status(), 422, "{base}");
        let v = json_of(r).await;
        let m = v["errors"][0]["message"].as_str().unwrap().to_string();
        assert!(
            m.contains("names a path") || m.contains("not available here"),
            "{base}: {m}"
        );
        assert!(!m.contains("secret\""), "{m}");
    }
    let v = json_of(
        post("[tables]\nmines = \"/etc/passwd\"\n".into())
            .await
            .unwrap(),
    )
    .await;
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("`[tables]` would read"),
        "{v}"
    );
    // A file sent along may be a base; its name must be plain.
    let r = c
        .post(s.at("/api/validate"))
        .json(&json!({"scenario": "base = \"mine.toml\"\n", "files": {"mine.toml": "base = \"turkey-beylikova\"\n"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = c
        .post(s.at("/api/validate"))
        .json(&json!({"scenario": "base = \"x.toml\"\n", "files": {"../x.toml": ""}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(json_of(r).await["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("not a plain file name"));
    // Bad JSON and unknown fields are 400.
    for body in [
        "{",
        "{\"scenario\": 1}",
        "{\"scenario\": \"\", \"tables\": {}}",
    ] {
        let r = c
            .post(s.at("/api/validate"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{body}");
        assert_eq!(json_of(r).await["error"], "bad_request");
    }
    // Options out of range are 422.
    let (h, v, b) = toml("");
    let r = c
        .post(s.at("/api/validate?from=2020"))
        .header(h, v)
        .body(b)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_cache_downloads_and_compare() {
    let s = start_default().await;
    let c = client();
    let send = || {
        let (h, v, b) = toml(LICENSING);
        c.post(s.at("/api/run?to=2027")).header(h, v).body(b).send()
    };
    let r = send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-oreflow-cache"], "miss");
    let first = r.bytes().await.unwrap();
    let r = send().await.unwrap();
    assert_eq!(r.headers()["x-oreflow-cache"], "hit");
    assert_eq!(
        r.bytes().await.unwrap(),
        first,
        "a cached answer is the same document"
    );
    let doc: Value = serde_json::from_slice(&first).unwrap();
    let spec = json_of(c.get(s.at("/api/openapi.json")).send().await.unwrap()).await;
    assert_eq!(keys(&doc), schema_keys(&spec, "RunDocument"));
    assert_eq!(doc["scenario"]["years"], json!([2024, 2027]));
    for t in [
        "production",
        "prices",
        "consumption",
        "trade",
        "shares",
        "stocks",
        "import_reliance",
        "value_added",
    ] {
        assert!(doc["tables"][t]["columns"].is_array(), "{t}");
    }
    assert_eq!(
        doc["tables"]["prices"]["columns"],
        json!(["year", "region", "commodity", "usd_per_kg"])
    );
    // Dy outside China is dearer than inside under licensing.
    let price = |region: &str| {
        doc["tables"]["prices"]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r[0] == 2027 && r[1] == region && r[2] == "Dy")
            .map(|r| r[3].as_f64().unwrap())
            .unwrap()
    };
    assert!(
        price("JP") > price("CN"),
        "{} vs {}",
        price("JP"),
        price("CN")
    );
    assert_eq!(doc["flows"].as_array().unwrap().len(), 4);

    // The stable URL, the tables as CSV, the scenario and the report.
    let fp = doc["fingerprint"].as_str().unwrap();
    let again = c
        .get(s.at(&format!("/api/runs/{fp}")))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(again.bytes().await.unwrap(), first);
    let csv = c
        .get(s.at(&format!("/api/runs/{fp}/tables/prices.csv")))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("prices.csv"));
    let csv = csv.text().await.unwrap();
    assert!(
        csv.starts_with("year,region,commodity,usd_per_kg\n2024,"),
        "{}",
        &csv[..80]
    );
    let r = c
        .get(s.at(&format!("/api/runs/{fp}/tables/nope.csv")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let toml_back = c
        .get(s.at(&format!("/api/runs/{fp}/scenario.toml")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(toml_back, LICENSING);
    let html = c
        .get(s.at(&format!("/api/runs/{fp}/report.html")))
        .send()
        .await
        .unwrap();
    assert_eq!(html.status(), 200);
    let html = html.text().await.unwrap();
    assert!(
        html.starts_with("<!DOCTYPE html>") || html.starts_with("<!doctype html>"),
        "{}",
        &html[..40]
    );
    assert!(!html.contains("<script"));
    let r = c
        .get(s.at("/api/runs/00000000000000000000000000000000"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    // The shipped scenarios' URLs work before any run.
    let list = json_of(c.get(s.at("/api/scenarios")).send().await.unwrap()).await;
    let fp2 = list[0]["fingerprint"].as_str().unwrap();
    let r = c
        .get(s.at(&format!("/api/runs/{fp2}/scenario.toml")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // Compare with the baseline (B defaults to it, over A's years).
    let r = c
        .post(s.at("/api/compare"))
        .json(&json!({"a": {"scenario": LICENSING, "to": 2027}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-oreflow-cache"], "miss");
    let cmp = json_of(r).await;
    assert_eq!(keys(&cmp), schema_keys(&spec, "CompareDocument"));
    assert_eq!(cmp["b"]["name"], "baseline");
    assert_eq!(cmp["years"], json!([2024, 2027]));
    let head = cmp["headline"].as_array().unwrap();
    assert!(
        head.iter().any(|h| h["kind"] == "price"
            && h["commodity"] == "Dy"
            && h["region"] != "CN"
            && h["change_pct"].as_f64().unwrap() > 10.0),
        "{head:?}"
    );
    assert!(!cmp["totals_by_region"].as_array().unwrap().is_empty());
    assert!(cmp["tables"]["price_changes"]["columns"]
        .as_array()
        .unwrap()
        .contains(&json!("change_pct")));
    let r = c
        .post(s.at("/api/compare"))
        .json(&json!({"a": {"scenario": LICENSING, "to": 2027}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-oreflow-cache"], "hit");
    let r = c
        .post(s.at("/api/compare"))
        .json(&json!({"b": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_over_the_limit_are_413() {
    let s = start(Config {
        limits: Limits {
            body_bytes: 64 << 10,
            ..common::limits()
        },
        ..Config::default()
    })
    .await;
    let c = client();
    let big = format!("name = \"x\"\n# {}\n", "x".repeat(70 << 10));
    for path in [
        "/api/run",
        "/api/validate",
        "/api/compare",
        "/api/ensembles",
        "/api/news",
    ] {
        let r = c.post(s.at(path)).body(big.clone()).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE, "{path}");
        assert_eq!(json_of(r).await["error"], "too_large");
    }
    // Without a length (chunked), cut while reading.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..80).map(|_| Ok(vec![b'#'; 1024])).collect();
    let r = c
        .post(s.at("/api/run"))
        .body(reqwest::Body::wrap_stream(tokio_stream::iter(chunks)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_is_503_with_retry_after_and_a_run_past_its_limit_is_stopped() {
    let s = start(Config {
        limits: Limits {
            run_slots: 1,
            run_queue: 0,
            ..common::limits()
        },
        ..Config::default()
    })
    .await;
    let c = client();
    let mut tasks = Vec::new();
    for k in 0..4 {
        let (c, url) = (c.clone(), s.at("/api/run?to=2050"));
        tasks.push(tokio::spawn(async move {
            c.post(url)
                .header("content-type", "application/toml")
                .body(format!("name = \"busy-{k}\"\n"))
                .send()
                .await
                .unwrap()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        let r = t.await.unwrap();
        if r.status() == StatusCode::SERVICE_UNAVAILABLE {
            assert_eq!(r.headers()["retry-after"], "1");
            assert_eq!(json_of(r).await["error"], "busy");
            statuses.push(503);
        } else {
            assert_eq!(r.status(), 200);
            statuses.push(200);
        }
    }
    assert!(
        statuses.contains(&503) && statuses.contains(&200),
        "{statuses:?}"
    );
    s.stop().await;

    let s = start(Config {
        limits: Limits {
            run_time_limit: Duration::from_millis(1),
            ..common::limits()
        },
        ..Config::default()
    })
    .await;
    let r = c
        .post(s.at("/api/run?to=2050"))
        .header("content-type", "application/toml")
        .body("name = \"slow\"\n")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    let v = json_of(r).await;
    assert_eq!(v["error"], "time_limit", "{v}");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_hosts_origins_and_security_headers() {
    assert!(oreflow_server::check(&Config {
        bind: "0.0.0.0".parse().unwrap(),
        ..Config::default()
    })
    .is_err_and(|e| e.to_string().contains("needs an access token")));
    assert!(oreflow_server::check(&Config {
        token: Some("short".into()),
        ..Config::default()
    })
    .is_err());

    let token = "a-test-token-0123456789";
    let s = start(Config {
        token: Some(token.into()),
        limits: common::limits(),
        ..Config::default()
    })
    .await;
    let c = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for path in ["/", "/api/health", "/assets/app.js", "/api/openapi.json"] {
        let r = c.get(s.at(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{path}");
        assert!(r.headers().contains_key("www-authenticate"));
    }
    let r = c
        .get(s.at("/api/health"))
        .bearer_auth("wrong-token-0123456789")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = c
        .get(s.at("/api/health"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = c
        .get(s.at(&format!("/?token={token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    let r = c
        .get(s.at("/"))
        .header("cookie", cookie.split(';').next().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    s.stop().await;

    let s = start_default().await;
    let r = c.get(s.at("/")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let h = r.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'")
            && csp.contains("frame-ancestors 'none'")
            && !csp.contains("unsafe-inline")
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    assert!(!h.contains_key("access-control-allow-origin"));
    let page = r.text().await.unwrap();
    assert!(!page.contains("<script>") && !page.contains("http://") && !page.contains("https://"));
    // DNS rebinding: another name for 127.0.0.1.
    let r = c
        .get(s.at("/api/health"))
        .header("host", "evil.example:8080")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // A write from another site's page.
    let r = c
        .post(s.at("/api/run"))
        .header("origin", "http://evil.example")
        .body("")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = c
        .get(s.at("/api/health"))
        .header("origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert!(!r.headers().contains_key("access-control-allow-origin"));
    s.stop().await;
}

/// Reads until the peer closes or `wait` passes; true if it closed.
async fn closes_within(stream: &mut TcpStream, wait: Duration) -> bool {
    let mut buf = vec![0u8; 65536];
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_idle_clients_are_cut_and_others_are_served() {
    let s = start_default().await; // header and body timeouts: 2 s
    let c = client();
    // Slow loris: half a request line, then nothing.
    let mut loris = Vec::new();
    for _ in 0..20 {
        let mut t = TcpStream::connect(s.addr).await.unwrap();
        t.write_all(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            .await
            .unwrap();
        loris.push(t);
    }
    // A connection that sends nothing at all.
    let mut silent = TcpStream::connect(s.addr).await.unwrap();
    // Others are served meanwhile.
    for _ in 0..5 {
        let r = c.get(s.at("/api/health")).send().await.unwrap();
        assert_eq!(r.status(), 200);
    }
    for t in &mut loris {
        assert!(
            closes_within(t, Duration::from_secs(6)).await,
            "a slow client is cut"
        );
    }
    assert!(
        closes_within(&mut silent, Duration::from_secs(6)).await,
        "a silent client is cut"
    );

    // A body that stops half-way: 408.
    let mut t = TcpStream::connect(s.addr).await.unwrap();
    t.write_all(b"POST /api/validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/toml\r\nContent-Length: 100\r\n\r\nname = ").await.unwrap();
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(8), t.read_to_end(&mut buf)).await;
    let text = String::from_utf8_lossy(&buf);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");

    // An idle keep-alive connection is closed after a request.
    let mut t = TcpStream::connect(s.addr).await.unwrap();
    t.write_all(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let mut first = vec![0u8; 4096];
    let n = t.read(&mut first).await.unwrap();
    assert!(String::from_utf8_lossy(&first[..n]).starts_with("HTTP/1.1 200"));
    assert!(
        closes_within(&mut t, Duration::from_secs(6)).await,
        "an idle keep-alive connection is closed"
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ensembles_progress_finish_cancel_and_are_bounded() {
    let s = start(Config {
        limits: Limits {
            ensemble_jobs: 1,
            ensemble_runs: 500,
            ensemble_threads: 1,
            ..common::limits()
        },
        ..Config::default()
    })
    .await;
    let c = client();
    let start_job = |runs: u64| {
        c.post(s.at("/api/ensembles"))
            .json(&json!({"scenario": common::ENSEMBLE, "to": 2026, "runs": runs, "seed": 7}))
            .send()
    };
    // Refused: too many runs, no [uncertain] part.
    let r = start_job(501).await.unwrap();
    assert_eq!(r.status(), 422);
    let r = c
        .post(s.at("/api/ensembles"))
        .json(&json!({"scenario": LICENSING, "runs": 5}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(json_of(r).await["message"]
        .as_str()
        .unwrap()
        .contains("no [uncertain] part"));

    let r = start_job(6).await.unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    let st = json_of(r).await;
    let id = st["id"].as_str().unwrap().to_string();
    assert_eq!(loc, format!("/api/ensembles/{id}"));
    // Server-sent events until the end.
    let events = c
        .get(s.at(&format!("/api/ensembles/{id}/events")))
        .send()
        .await
        .unwrap();
    assert_eq!(events.headers()["content-type"], "text/event-stream");
    let text = tokio::time::timeout(Duration::from_secs(120), events.text())
        .await
        .unwrap()
        .unwrap();
    assert!(text.contains("event: end"), "{text}");
    let last: Value = serde_json::from_str(
        text.rsplit("data: ")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(last["state"], "done", "{last}");
    assert_eq!(
        (last["done"].as_u64(), last["total"].as_u64()),
        (Some(6), Some(6))
    );

    let res = json_of(
        c.get(s.at(&format!("/api/ensembles/{id}/results")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let cols = res["summary"]["columns"].as_array().unwrap();
    assert!(
        cols.contains(&json!("p5")) && cols.contains(&json!("p95")),
        "{cols:?}"
    );
    assert!(res["summary"]["rows"].as_array().unwrap().len() > 50);
    let pq = c
        .get(s.at(&format!("/api/ensembles/{id}/files/runs.parquet")))
        .send()
        .await
        .unwrap();
    assert_eq!(pq.status(), 200);
    assert_eq!(&pq.bytes().await.unwrap()[..4], b"PAR1");
    let rep = c
        .get(s.at(&format!("/api/ensembles/{id}/files/report.html")))
        .send()
        .await
        .unwrap();
    assert_eq!(rep.status(), 200);
    let r = c
        .get(s.at(&format!("/api/ensembles/{id}/files/secret.txt")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    // One job at a time here: a second is 429 while the first runs; cancel stops it.
    let r = start_job(500).await.unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let big = json_of(r).await["id"].as_str().unwrap().to_string();
    let r = start_job(5).await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers()["retry-after"], "5");
    let r = c
        .delete(s.at(&format!("/api/ensembles/{big}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let mut state = Value::Null;
    for _ in 0..200 {
        state = json_of(
            c.get(s.at(&format!("/api/ensembles/{big}")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        if state["state"] == "cancelled" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(state["state"], "cancelled", "{state}");
    assert!(state["done"].as_u64().unwrap() < 500);
    // The message's count and the status's agree (progress is throttled;
    // the status once lagged the message by a run).
    let msg = state["message"].as_str().unwrap_or_default();
    if let Some(rest) = msg.strip_prefix("cancelled after ") {
        let n: u64 = rest.split(' ').next().unwrap().parse().unwrap();
        assert_eq!(n, state["done"].as_u64().unwrap(), "{state}");
    }
    let r = c
        .get(s.at(&format!("/api/ensembles/{big}/results")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    // A finished job is removed by DELETE.
    let r = c
        .delete(s.at(&format!("/api/ensembles/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = c
        .get(s.at(&format!("/api/ensembles/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn news_reads_an_article_as_the_cli_does() {
    let s = start_default().await;
    let c = client();
    let page = include_str!("../../oreflow-news/tests/corpus/07-beylikova-pilot-2023.html");
    let r = c
        .post(s.at("/api/news?name=beylikova.html"))
        .header(reqwest::header::CONTENT_TYPE, "text/html")
        .body(page)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v = json_of(r).await;
    let facts = v["facts"].as_array().unwrap();
    let ore = facts
        .iter()
        .find(|f| f["value"] == 570000.0)
        .expect("the 570,000 t ore figure");
    assert_eq!(ore["status"], "agrees");
    assert_eq!(ore["dataset"]["row"], "tr_beylikova");
    assert_eq!(ore["file"], "beylikova.html");
    // Offsets index the page as sent and the extracted text.
    let (a, b) = (
        ore["start"].as_u64().unwrap() as usize,
        ore["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&page[a..b], ore["text"].as_str().unwrap());
    let text = v["documents"][0]["text"].as_str().unwrap();
    let (ta, tb) = (
        ore["text_start"].as_u64().unwrap() as usize,
        ore["text_end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&text[ta..tb], ore["quote"].as_str().unwrap());
    // The sidebar's figure is boilerplate.
    assert!(facts
        .iter()
        .filter(|f| f["quote"].as_str().unwrap_or("").contains("540"))
        .all(|f| f["section"] == "boilerplate"));
    assert!(v["scenario"].as_str().unwrap().contains("# Draft scenario"));
    // JSON form, with a date for "last week".
    let r = c
        .post(s.at("/api/news"))
        .json(&json!({"text": "Turkey and China signed a memorandum of understanding last week.", "date": "2024-10-14"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v = json_of(r).await;
    assert_eq!(v["events"][0]["kind"], "mou");
    assert_eq!(v["events"][0]["date"], "2024-10-07");
    // Bad input: 400 with a message.
    for (ct, body) in [
        ("text/plain", vec![b'o', b'k', 0xff]),
        ("application/json", b"{\"text\": 5}".to_vec()),
        (
            "application/json",
            b"{\"text\": \"x\", \"extra\": 1}".to_vec(),
        ),
    ] {
        let r = c
            .post(s.at("/api/news"))
            .header(reqwest::header::CONTENT_TYPE, ct)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert_eq!(json_of(r).await["error"], "bad_request");
    }
    let r = c
        .post(s.at("/api/news?date=2024-02-30"))
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    s.stop().await;
}
