//! Every error of the API, and the one place where errors become HTTP
//! responses (`{"error": code, "message": …}`, plus `errors` for 422).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// A problem in a scenario, located.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct Located {
    /// The file: `scenario.toml` for the scenario sent, else the name of the
    /// file sent along or of the shipped scenario.
    pub file: String,
    /// 1-based; 0 when the problem is not tied to a place.
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub hint: Option<String>,
}

impl From<oreflow_scenario::ScenarioError> for Located {
    fn from(e: oreflow_scenario::ScenarioError) -> Self {
        Located {
            file: e.file.display().to_string(),
            line: e.line,
            column: e.column,
            message: e.message,
            hint: e.hint,
        }
    }
}

/// The body of every error response.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// A stable code: `invalid_scenario`, `bad_request`, `not_found`,
    /// `too_large`, `unauthorized`, `forbidden`, `busy`, `too_many_jobs`,
    /// `time_limit`, `timeout`, `shutting_down`, `internal`.
    pub error: &'static str,
    pub message: String,
    /// Located problems (422 only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<Located>,
}

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The scenario (or the options) cannot be run: 422 with located errors.
    #[error("the scenario is invalid")]
    Invalid(Vec<Located>),
    /// The request itself is malformed: 400.
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    /// Body over the limit: 413.
    #[error("the request body is larger than the limit of {0} bytes")]
    TooLarge(usize),
    /// The body did not arrive in time: 408.
    #[error("the request body did not arrive within {0} s")]
    BodyTimeout(u64),
    #[error("an access token is required (Authorization: Bearer …)")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    /// Every model slot is taken and the queue is full: 503 + Retry-After.
    #[error("the server is busy: {0}")]
    Busy(String),
    /// Too many ensemble jobs queued or running: 429 + Retry-After.
    #[error("{0}")]
    TooManyJobs(String),
    /// The run was stopped at the time limit: 503.
    #[error("the run was stopped after the server's time limit of {0} s")]
    TimeLimit(u64),
    #[error("the server is shutting down")]
    ShuttingDown,
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    /// A problem with the run's options (years, growth path), not located in a file.
    pub fn option(message: impl Into<String>) -> Self {
        ApiError::Invalid(vec![Located {
            file: "options".into(),
            line: 0,
            column: 0,
            message: message.into(),
            hint: None,
        }])
    }

    fn parts(&self) -> (StatusCode, &'static str, Option<u64>) {
        match self {
            ApiError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_scenario", None),
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request", None),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found", None),
            ApiError::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "too_large", None),
            ApiError::BodyTimeout(_) => (StatusCode::REQUEST_TIMEOUT, "timeout", None),
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized", None),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden", None),
            ApiError::Busy(_) => (StatusCode::SERVICE_UNAVAILABLE, "busy", Some(1)),
            ApiError::TooManyJobs(_) => (StatusCode::TOO_MANY_REQUESTS, "too_many_jobs", Some(5)),
            ApiError::TimeLimit(_) => (StatusCode::SERVICE_UNAVAILABLE, "time_limit", None),
            ApiError::ShuttingDown => (StatusCode::SERVICE_UNAVAILABLE, "shutting_down", Some(5)),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal", None),
        }
    }

    /// The response body.
    pub fn body(&self) -> ErrorBody {
        let (_, code, _) = self.parts();
        let (message, errors) = match self {
            ApiError::Invalid(errors) => (
                errors
                    .first()
                    .map(|e| e.message.clone())
                    .unwrap_or_else(|| self.to_string()),
                errors.clone(),
            ),
            other => (other.to_string(), Vec::new()),
        };
        ErrorBody {
            error: code,
            message,
            errors,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, _, retry) = self.parts();
        if status.is_server_error() {
            tracing::warn!(status = status.as_u16(), error = %self, "request failed");
        }
        let mut r = (status, axum::Json(self.body())).into_response();
        if let Some(s) = retry {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        if matches!(self, ApiError::Unauthorized) {
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"oreflow\""),
            );
        }
        r
    }
}
