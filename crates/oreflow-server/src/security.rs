//! Checks on every request and headers on every response: the access
//! token, the Host header (against DNS rebinding on loopback), cross-site
//! writes, and the security headers (CSP without inline scripts, no-sniff,
//! frame-ancestors).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::state::AppState;

/// The Content-Security-Policy of every response: scripts, styles, images
/// and connections only from the server itself; no inline scripts; no
/// framing.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const COOKIE: &str = "oreflow_token";

fn equal(a: &[u8], b: &[u8]) -> bool {
    // Constant time in the length of the token given.
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn token_in(headers: &HeaderMap) -> Option<String> {
    if let Some(v) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        if let Some(t) = v.strip_prefix("Bearer ") {
            return Some(t.trim().to_string());
        }
    }
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_string())
}

fn is_loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map(|(h, _)| h).unwrap_or(host)
    };
    matches!(name, "localhost" | "127.0.0.1" | "::1") || name.ends_with(".localhost")
}

/// Runs before every handler.
pub async fn guard(State(s): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let headers = req.headers();
    // On loopback, only local names: a page elsewhere cannot reach the
    // server through a name that resolves to 127.0.0.1 (DNS rebinding).
    if s.config.bind.is_loopback() {
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !is_loopback_host(host) {
            return with_headers(
                ApiError::Forbidden(format!(
                    "unexpected Host `{host}`: this server answers on localhost only"
                ))
                .into_response(),
            );
        }
    }
    // Writes from other sites' pages are refused (no CORS unless configured).
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe {
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
            let own = origin
                .split_once("://")
                .map(|(_, h)| h == host)
                .unwrap_or(false);
            if !own && !s.config.cors_origins.iter().any(|o| o == origin) {
                return with_headers(
                    ApiError::Forbidden(format!(
                        "requests from the page at {origin} are not allowed"
                    ))
                    .into_response(),
                );
            }
        }
    }
    if let Some(expected) = &s.config.token {
        // `/?token=…` opens the dashboard: the token moves to a cookie.
        if req.uri().path() == "/" {
            if let Some(t) = req
                .uri()
                .query()
                .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("token=")))
            {
                if equal(t.as_bytes(), expected.as_bytes()) {
                    let mut r = (StatusCode::SEE_OTHER, [(header::LOCATION, "/")]).into_response();
                    if let Ok(v) = HeaderValue::from_str(&format!(
                        "{COOKIE}={t}; HttpOnly; SameSite=Strict; Path=/"
                    )) {
                        r.headers_mut().insert(header::SET_COOKIE, v);
                    }
                    return with_headers(r);
                }
            }
        }
        let ok = token_in(req.headers()).is_some_and(|t| equal(t.as_bytes(), expected.as_bytes()));
        if !ok {
            return with_headers(ApiError::Unauthorized.into_response());
        }
    }
    with_headers(next.run(req).await)
}

fn with_headers(mut r: Response) -> Response {
    let h = r.headers_mut();
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for ok in [
            "localhost",
            "localhost:8080",
            "127.0.0.1:1",
            "[::1]:8080",
            "app.localhost:3",
        ] {
            assert!(is_loopback_host(ok), "{ok}");
        }
        for bad in [
            "",
            "evil.example:8080",
            "127.0.0.1.evil.example",
            "10.0.0.1:8080",
            "[::2]:80",
        ] {
            assert!(!is_loopback_host(bad), "{bad}");
        }
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(equal(b"abc", b"abc"));
        assert!(!equal(b"abc", b"abd"));
        assert!(!equal(b"ab", b"abc"));
    }
}
