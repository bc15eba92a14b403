//! Who is asking, and may they: sessions, tokens, CSRF, cookies.
//!
//! A request is authenticated by an API token (`Authorization: Bearer`) or a
//! session cookie. Cookie-authenticated writes must carry the session's CSRF
//! token (a hidden form field, or `X-CSRF-Token` for scripts in the page);
//! token-authenticated writes need none (no browser sends them by itself).
//! Authorisation questions are asked of [`Principal`] in each handler.

use crate::error::{ApiError, Kind};
use crate::i18n::Lang;
use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use hudna_app::accounts::Principal;
use sha2::{Digest, Sha256};

pub const SESSION_COOKIE: &str = "hudna_session";
pub const LOGIN_CSRF_COOKIE: &str = "hudna_login_csrf";
pub const LANG_COOKIE: &str = "hudna_lang";

/// How the request proved who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Token,
    Cookie,
}

/// An authenticated request.
#[derive(Debug, Clone)]
pub struct Auth {
    pub user: Principal,
    pub via: Via,
    /// The session's CSRF token (empty for tokens).
    pub csrf: String,
}

impl Auth {
    /// Checks the CSRF token of a cookie-authenticated write.
    pub fn check_csrf(&self, given: Option<&str>) -> Result<(), ApiError> {
        if self.via == Via::Token {
            return Ok(());
        }
        match given {
            Some(g) if ct_eq(g.as_bytes(), self.csrf.as_bytes()) => Ok(()),
            Some(_) => Err(ApiError::forbidden("csrf_mismatch", "the form's CSRF token does not match this session; reload the page and try again")),
            None => Err(ApiError::forbidden("csrf_missing", "this write needs the session's CSRF token (form field `csrf` or header `X-CSRF-Token`)")),
        }
    }
}

/// Constant-time comparison.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// One cookie's value.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, Secure unless on localhost.
pub fn set_cookie(name: &str, value: &str, max_age: i64, secure: bool, http_only: bool) -> String {
    format!(
        "{name}={value}; Path=/; Max-Age={max_age}; SameSite=Strict{}{}",
        if http_only { "; HttpOnly" } else { "" },
        if secure { "; Secure" } else { "" }
    )
}

/// The page language from the cookie; Arabic by default.
pub fn lang_of(headers: &HeaderMap) -> Lang {
    cookie(headers, LANG_COOKIE)
        .and_then(Lang::parse)
        .unwrap_or(Lang::Ar)
}

/// The client key for login throttling: the peer address if known.
pub fn client_key(peer: Option<std::net::SocketAddr>) -> String {
    peer.map(|p| p.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

pub fn sha_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// Resolves the principal of a request, if any (tokens first).
pub async fn resolve(state: &AppState, headers: &HeaderMap) -> Result<Option<Auth>, ApiError> {
    if let Some(v) = headers.get(header::AUTHORIZATION) {
        let v = v.to_str().unwrap_or("");
        let Some(token) = v.strip_prefix("Bearer ").map(str::trim) else {
            return Err(ApiError::new(
                Kind::Unauthorized,
                "bad_authorization",
                "the Authorization header must be `Bearer TOKEN`",
            ));
        };
        let accounts = state.accounts.clone();
        let token = token.to_owned();
        let p = crate::blocking(move || Ok(accounts.token(&token)?)).await?;
        return match p {
            Some(user) => Ok(Some(Auth {
                user,
                via: Via::Token,
                csrf: String::new(),
            })),
            None => Err(ApiError::new(
                Kind::Unauthorized,
                "invalid_token",
                "the API token is unknown or revoked",
            )),
        };
    }
    let Some(c) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let accounts = state.accounts.clone();
    let c = c.to_owned();
    let now = (state.config.now)();
    let s = crate::blocking(move || Ok(accounts.session(&c, now)?)).await?;
    Ok(s.map(|(user, csrf)| Auth {
        user,
        via: Via::Cookie,
        csrf,
    }))
}

/// Extractor: an authenticated request or 401 (JSON).
pub struct ApiAuth(pub Auth);

impl FromRequestParts<AppState> for ApiAuth {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match resolve(state, &parts.headers).await? {
            Some(a) => Ok(ApiAuth(a)),
            None => Err(ApiError::unauthorized()),
        }
    }
}

/// Extractor: an optional session, for pages (which redirect to the login).
pub struct MaybeAuth(pub Option<Auth>);

impl FromRequestParts<AppState> for MaybeAuth {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(MaybeAuth(
            resolve(state, &parts.headers)
                .await
                .map_err(ApiError::html)?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_among_others() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            "a=1; hudna_session=abc; hudna_lang=en".parse().unwrap(),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("abc"));
        assert_eq!(lang_of(&h), Lang::En);
        assert_eq!(cookie(&h, "missing"), None);
        assert!(ct_eq(b"abc", b"abc") && !ct_eq(b"abc", b"abd") && !ct_eq(b"ab", b"abc"));
        let c = set_cookie("x", "y", 10, true, true);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict") && c.contains("Secure"));
    }
}
