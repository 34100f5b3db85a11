//! The dashboard: every file compiled into the binary (scripts, styles,
//! map shapes); nothing is fetched from anywhere else. `vendor.js` is the
//! committed bundle of the chart, editor and TOML libraries
//! (`dashboard/build.sh` rebuilds it; `dashboard/dist/licenses.txt` lists them).

use axum::body::Body;
use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// (path, content type, bytes).
pub const FILES: [(&str, &str, &[u8]); 6] = [
    (
        "index.html",
        "text/html; charset=utf-8",
        include_bytes!("../dashboard/index.html"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../dashboard/app.js"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../dashboard/app.css"),
    ),
    (
        "vendor.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../dashboard/dist/vendor.js"),
    ),
    (
        "world.json",
        "application/json",
        include_bytes!("../dashboard/dist/world.json"),
    ),
    (
        "licenses.txt",
        "text/plain; charset=utf-8",
        include_bytes!("../dashboard/dist/licenses.txt"),
    ),
];

fn file(name: &str) -> Response {
    match FILES.iter().find(|(n, _, _)| *n == name) {
        Some((_, ct, bytes)) => {
            let mut r = Response::new(Body::from(*bytes));
            let h = r.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            r
        }
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

/// A fresh nonce (128 bits from the standard library's randomly keyed hasher).
fn nonce() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut out = String::new();
    for _ in 0..2 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0),
        );
        out.push_str(&format!("{:016x}", h.finish()));
    }
    out
}

/// `/`: the page. Its Content-Security-Policy adds a fresh nonce for the
/// editor's style elements (CodeMirror inserts them; no inline script is
/// allowed).
pub async fn index() -> Response {
    let n = nonce();
    let html = String::from_utf8_lossy(FILES[0].2).replace("{{nonce}}", &n);
    let mut r = Response::new(Body::from(html));
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    let csp =
        crate::security::CSP.replace("style-src 'self'", &format!("style-src 'self' 'nonce-{n}'"));
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    r
}

/// `/assets/{file}`.
pub async fn asset(Path(name): Path<String>) -> Response {
    file(&name)
}
