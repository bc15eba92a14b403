//! The one error type of the desk and the API.
//!
//! Every failure becomes an [`ApiError`]: a kind (which decides the HTTP
//! status, from one table), a stable snake_case code that scripts can match
//! on, and a message for people. The API answers
//! `{"error": {"code": ..., "message": ...}}`; pages show the same in HTML.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hudna_app::accounts::AccountError;
use hudna_app::AppError;
use hudna_store::StoreError;

/// What kind of failure: decides the status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    PayloadTooLarge,
    UnsupportedMediaType,
    Unprocessable,
    TooManyRequests,
    Internal,
    Unavailable,
}

impl Kind {
    /// The table from kind to status.
    pub fn status(self) -> StatusCode {
        match self {
            Kind::BadRequest => StatusCode::BAD_REQUEST,
            Kind::Unauthorized => StatusCode::UNAUTHORIZED,
            Kind::Forbidden => StatusCode::FORBIDDEN,
            Kind::NotFound => StatusCode::NOT_FOUND,
            Kind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Kind::Conflict => StatusCode::CONFLICT,
            Kind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Kind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Kind::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
            Kind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Kind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Kind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

/// An error with its kind, stable code and message.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ApiError {
    pub kind: Kind,
    pub code: &'static str,
    pub message: String,
    pub retry_after: Option<u64>,
    /// Render as an HTML page instead of JSON.
    pub html: bool,
}

impl ApiError {
    pub fn new(kind: Kind, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            kind,
            code,
            message: message.into(),
            retry_after: None,
            html: false,
        }
    }
    pub fn bad(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Kind::BadRequest, code, message)
    }
    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Kind::NotFound, code, message)
    }
    pub fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Kind::Forbidden, code, message)
    }
    pub fn unauthorized() -> Self {
        Self::new(
            Kind::Unauthorized,
            "unauthenticated",
            "log in, or send an API token as `Authorization: Bearer TOKEN`",
        )
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(Kind::Internal, "internal", message)
    }
    /// The same error, shown as an HTML page.
    pub fn html(mut self) -> Self {
        self.html = true;
        self
    }
    pub fn status(&self) -> StatusCode {
        self.kind.status()
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        let msg = e.to_string();
        match e {
            AppError::BadInput(_) => ApiError::bad("bad_input", msg),
            AppError::Invalid(_) => ApiError::new(Kind::Unprocessable, "invalid_definition", msg),
            AppError::NotFound(_) => ApiError::not_found("not_found", msg),
            AppError::Refused(_) => ApiError::new(Kind::Unprocessable, "refused", msg),
            AppError::Unavailable(_) => ApiError::new(Kind::Unavailable, "unavailable", msg),
            AppError::Store(s) => s.into(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        let msg = e.to_string();
        match e {
            StoreError::NotFound(_) => ApiError::not_found("not_found", msg),
            StoreError::Conflict(_) => ApiError::new(Kind::Conflict, "conflict", msg),
            StoreError::Locked(_) => ApiError::new(Kind::Unavailable, "database_locked", msg),
            _ => {
                tracing::error!("store: {msg}");
                ApiError::internal("the database failed; the server log has the details")
            }
        }
    }
}

impl From<AccountError> for ApiError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::BadCredentials => {
                ApiError::new(Kind::Unauthorized, "bad_credentials", e.to_string())
            }
            AccountError::Throttled { retry_after_secs } => {
                let mut a = ApiError::new(Kind::TooManyRequests, "login_throttled", e.to_string());
                a.retry_after = Some(retry_after_secs);
                a
            }
            AccountError::App(a) => a.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(code = self.code, "{}", self.message);
        }
        let mut resp = if self.html {
            let body = crate::html::error_page(status.as_u16(), self.code, &self.message);
            (
                status,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                body,
            )
                .into_response()
        } else {
            let body = serde_json::json!({"error": {"code": self.code, "message": self.message}});
            (status, axum::Json(body)).into_response()
        };
        if let Some(s) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        resp
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_errors_map_to_the_table() {
        let e: ApiError = AppError::NotFound("x".into()).into();
        assert_eq!((e.status().as_u16(), e.code), (404, "not_found"));
        let e: ApiError = AppError::BadInput("x".into()).into();
        assert_eq!((e.status().as_u16(), e.code), (400, "bad_input"));
        let e: ApiError = StoreError::Locked("db".into()).into();
        assert_eq!((e.status().as_u16(), e.code), (503, "database_locked"));
        let e: ApiError = AccountError::Throttled {
            retry_after_secs: 9,
        }
        .into();
        assert_eq!(
            (e.status().as_u16(), e.code, e.retry_after),
            (429, "login_throttled", Some(9))
        );
    }
}
