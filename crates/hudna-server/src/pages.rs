//! The desk's pages: login, dashboard, map, incident list and page, zone
//! page, field report form, and the form posts behind them.
//!
//! Every page is rendered on the server from one request; every form carries
//! the session's CSRF token; every write asks the principal first.
//!
//! Handlers return `Result<Response, Response>` (a redirect to the login or
//! an HTML error page), so the large-`Err` lint does not apply here.
#![allow(clippy::result_large_err)]

use crate::api::{self, ListQuery, StanceReq};
use crate::auth::{self, Auth, MaybeAuth};
use crate::error::{ApiError, ApiResult, Kind};
use crate::html::{esc, page, qv, Ctx};
use crate::i18n::{self, date, num, word, Lang};
use crate::{blocking, map, AppState};
use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, FromRequest, Path, Request, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{Duration, NaiveDate};
use hudna_core::date::day_number;
use hudna_store::IncidentFilter;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::net::SocketAddr;

/// A form body whose rejections are HTML errors.
pub struct FormBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for FormBody<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match Form::<T>::from_request(req, state).await {
            Ok(Form(v)) => Ok(FormBody(v)),
            Err(r) => Err(form_rejection(r).html()),
        }
    }
}

fn form_rejection(r: FormRejection) -> ApiError {
    let msg = r.body_text();
    match r {
        FormRejection::InvalidFormContentType(_) => ApiError::new(
            Kind::UnsupportedMediaType,
            "unsupported_media_type",
            "forms are sent as application/x-www-form-urlencoded",
        ),
        FormRejection::FailedToDeserializeForm(_)
        | FormRejection::FailedToDeserializeFormBody(_) => {
            ApiError::new(Kind::Unprocessable, "invalid_form", msg)
        }
        FormRejection::BytesRejection(b) if b.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::new(
                Kind::PayloadTooLarge,
                "payload_too_large",
                "the form is larger than the limit (1 MiB)",
            )
        }
        _ => ApiError::bad("bad_form", msg),
    }
}

/// The client's address when the server knows it (not in `oneshot` tests).
pub struct PeerAddr(pub Option<SocketAddr>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for PeerAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(PeerAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0),
        ))
    }
}

/// Query string whose rejections are HTML errors.
pub struct PageQ<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> axum::extract::FromRequestParts<S> for PageQ<T> {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        api::Q::<T>::from_request_parts(parts, state)
            .await
            .map(|api::Q(v)| PageQ(v))
            .map_err(ApiError::html)
    }
}

pub(crate) fn ctx(headers: &HeaderMap, uri: &Uri, a: Option<&Auth>) -> Ctx {
    Ctx {
        lang: auth::lang_of(headers),
        user: a.map(|a| a.user.clone()),
        csrf: a.map(|a| a.csrf.clone()).unwrap_or_default(),
        here: uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".into()),
    }
}

/// Only local paths are followed after login or a language switch.
pub(crate) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.contains("://") =>
        {
            n.to_owned()
        }
        _ => "/".into(),
    }
}

/// The session of a page, or a redirect to the login.
/// The session of a form post, with its CSRF token checked.
pub(crate) fn need_form(m: MaybeAuth, uri: &Uri, csrf: &str) -> Result<Auth, Response> {
    let a = need(m, uri)?;
    a.check_csrf(Some(csrf))
        .map_err(|e| e.html().into_response())?;
    Ok(a)
}

pub(crate) fn need(m: MaybeAuth, uri: &Uri) -> Result<Auth, Response> {
    match m.0 {
        Some(a) => Ok(a),
        None => {
            let here = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
            Err(Redirect::to(&format!("/login?next={}", qv(here))).into_response())
        }
    }
}

pub(crate) fn html(body: String) -> Response {
    ([(header::CACHE_CONTROL, "no-store")], Html(body)).into_response()
}

// ---------- login, logout, language ----------

#[derive(Deserialize)]
pub struct NextQ {
    next: Option<String>,
}

fn login_html(c: &Ctx, csrf: &str, next: &str, error: Option<&str>) -> String {
    let mut b = format!("<h1>{}</h1>", c.t("login"));
    if let Some(e) = error {
        let _ = write!(
            b,
            "<p class=\"flash err\" id=\"login-error\">{}</p>",
            esc(e)
        );
    }
    let _ = write!(
        b,
        "<form method=\"post\" action=\"/login\" class=\"stack card\" id=\"login-form\">\
<input type=\"hidden\" name=\"csrf\" value=\"{}\"><input type=\"hidden\" name=\"next\" value=\"{}\">\
<label>{}<input name=\"username\" id=\"username\" autocomplete=\"username\" required dir=\"ltr\"></label>\
<label>{}<input name=\"password\" id=\"password\" type=\"password\" autocomplete=\"current-password\" required dir=\"ltr\"></label>\
<button class=\"primary\" id=\"login-submit\">{}</button></form>",
        esc(csrf),
        esc(next),
        c.t("username"),
        c.t("password"),
        c.t("login")
    );
    page(c, c.t("login"), &b)
}

pub async fn login_form(
    State(st): State<AppState>,
    m: MaybeAuth,
    headers: HeaderMap,
    uri: Uri,
    PageQ(q): PageQ<NextQ>,
) -> Response {
    let next = safe_next(q.next.as_deref());
    if m.0.is_some() {
        return Redirect::to(&next).into_response();
    }
    let c = ctx(&headers, &uri, None);
    let csrf = hudna_app::accounts::random_secret();
    let cookie = auth::set_cookie(
        auth::LOGIN_CSRF_COOKIE,
        &csrf,
        3600,
        st.config.secure_cookies,
        true,
    );
    (
        [(header::SET_COOKIE, cookie)],
        html(login_html(&c, &csrf, &next, None)),
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
    next: Option<String>,
}

pub async fn login(
    State(st): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    PeerAddr(peer): PeerAddr,
    FormBody(f): FormBody<LoginForm>,
) -> Result<Response, ApiError> {
    // double-submit: the form's token must equal the cookie set with the form
    let cookie_csrf = auth::cookie(&headers, auth::LOGIN_CSRF_COOKIE).unwrap_or("");
    if cookie_csrf.is_empty() || !auth::ct_eq(cookie_csrf.as_bytes(), f.csrf.as_bytes()) {
        return Err(ApiError::forbidden(
            "csrf_mismatch",
            "the login form expired or was forged; reload it and try again",
        )
        .html());
    }
    let next = safe_next(f.next.as_deref());
    let client = auth::client_key(peer);
    let acc = st.accounts.clone();
    let now = (st.config.now)();
    let (user, pw) = (f.username.trim().to_owned(), f.password);
    // a login over a live session ends that session (one browser, one session)
    let old = auth::cookie(&headers, auth::SESSION_COOKIE).map(str::to_owned);
    let r = tokio::task::spawn_blocking(move || {
        let r = acc.login(&user, &pw, &client, now);
        if let (Ok(_), Some(old)) = (&r, old) {
            let _ = acc.logout(&old);
        }
        r
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()).html())?;
    match r {
        Ok(s) => {
            let max_age = s.expires_at - now;
            let cookie = auth::set_cookie(
                auth::SESSION_COOKIE,
                &s.cookie,
                max_age,
                st.config.secure_cookies,
                true,
            );
            let clear = auth::set_cookie(
                auth::LOGIN_CSRF_COOKIE,
                "",
                0,
                st.config.secure_cookies,
                true,
            );
            let mut resp = Redirect::to(&next).into_response();
            resp.headers_mut().append(
                header::SET_COOKIE,
                cookie.parse().map_err(|_| ApiError::internal("cookie"))?,
            );
            resp.headers_mut().append(
                header::SET_COOKIE,
                clear.parse().map_err(|_| ApiError::internal("cookie"))?,
            );
            Ok(resp)
        }
        Err(hudna_app::accounts::AccountError::BadCredentials) => {
            let c = ctx(&headers, &uri, None);
            let msg = match c.lang {
                Lang::Ar => "اسم المستخدم أو كلمة المرور غير صحيحة",
                Lang::En => "Wrong user name or password",
            };
            Ok((
                StatusCode::UNAUTHORIZED,
                html(login_html(&c, &f.csrf, &next, Some(msg))),
            )
                .into_response())
        }
        Err(e) => Err(ApiError::from(e).html()),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// Ends the session (in the store, and the cookie).
pub async fn logout(
    State(st): State<AppState>,
    m: MaybeAuth,
    headers: HeaderMap,
    FormBody(f): FormBody<CsrfForm>,
) -> Result<Response, ApiError> {
    if let Some(a) = m.0 {
        a.check_csrf(Some(&f.csrf)).map_err(ApiError::html)?;
        if let Some(c) = auth::cookie(&headers, auth::SESSION_COOKIE) {
            let (acc, c) = (st.accounts.clone(), c.to_owned());
            blocking(move || Ok(acc.logout(&c)?))
                .await
                .map_err(ApiError::html)?;
        }
    }
    let clear = auth::set_cookie(auth::SESSION_COOKIE, "", 0, st.config.secure_cookies, true);
    Ok(([(header::SET_COOKIE, clear)], Redirect::to("/login")).into_response())
}

/// Sets the page language (a cookie) and goes back.
pub async fn set_lang(
    State(st): State<AppState>,
    Path(code): Path<String>,
    PageQ(q): PageQ<NextQ>,
) -> Result<Response, ApiError> {
    let lang = Lang::parse(&code)
        .ok_or_else(|| ApiError::bad("bad_language", "language must be ar or en").html())?;
    let cookie = auth::set_cookie(
        auth::LANG_COOKIE,
        lang.code(),
        365 * 86400,
        st.config.secure_cookies,
        false,
    );
    Ok((
        [(header::SET_COOKIE, cookie)],
        Redirect::to(&safe_next(q.next.as_deref())),
    )
        .into_response())
}

// ---------- dashboard ----------

#[derive(Deserialize)]
pub struct AtQ {
    at: Option<String>,
    days: Option<String>,
}

/// The latest day with an incident, not after `today`.
pub(crate) fn latest_day(st: &AppState, a: &Auth, today: NaiveDate) -> ApiResult<NaiveDate> {
    let rows = st.reader().incidents(&IncidentFilter {
        until_day: Some(day_number(today)),
        published_only: !a.user.sees_unpublished(),
        limit: Some(1),
        ..Default::default()
    })?;
    Ok(rows
        .first()
        .and_then(|i| i.day)
        .map(crate::day_from_number)
        .unwrap_or(today))
}

/// Violations per zone and day as this principal may see them (viewers:
/// of published incidents only).
fn daily_counts(
    store: &dyn hudna_store::Store,
    a: &Auth,
    agreement: &str,
    since: i32,
    until: i32,
) -> ApiResult<Vec<hudna_store::DailyCount>> {
    Ok(if a.user.sees_unpublished() {
        store.daily_counts(agreement, since, until)?
    } else {
        store.published_daily_counts(agreement, since, until)?
    })
}

fn tag(l: Lang, w: &str) -> String {
    format!("<span class=\"tag {}\">{}</span>", esc(w), esc(&word(l, w)))
}

fn change(l: Lang, now: u64, before: u64) -> String {
    let d = now as i64 - before as i64;
    let (cls, sign) = match d.cmp(&0) {
        std::cmp::Ordering::Greater => ("up", "+"),
        std::cmp::Ordering::Less => ("down", "−"),
        std::cmp::Ordering::Equal => ("", "±"),
    };
    format!(
        "<span class=\"{cls}\">{sign}{}</span>",
        num(l, d.unsigned_abs())
    )
}

pub async fn dashboard(
    State(st): State<AppState>,
    m: MaybeAuth,
    headers: HeaderMap,
    uri: Uri,
    PageQ(q): PageQ<AtQ>,
) -> Result<Response, Response> {
    let a = need(m, &uri)?;
    let c = ctx(&headers, &uri, Some(&a));
    let at = api::parse_opt(&q.at).map_err(|e| e.html().into_response())?;
    let st2 = st.clone();
    let body =
        blocking(move || dashboard_body(&st2, &a, &c, at).map(|b| page(&c, c.t("dashboard"), &b)))
            .await
            .map_err(|e| e.html().into_response())?;
    Ok(html(body))
}

fn dashboard_body(st: &AppState, a: &Auth, c: &Ctx, at: Option<NaiveDate>) -> ApiResult<String> {
    let l = c.lang;
    let today = (st.config.today)();
    let at = match at {
        Some(d) => d,
        None => latest_day(st, a, today)?,
    };
    let ags = st.hudna.agreements()?;
    let store = st.reader();
    let mut b = String::new();
    let _ = write!(
        b,
        "<h1>{}</h1><form class=\"filters\" method=\"get\" action=\"/\"><label>{}<input type=\"date\" name=\"at\" value=\"{at}\" min=\"1900-01-01\" max=\"2100-12-31\"></label><button>{}</button></form>",
        c.t("dashboard"),
        c.t("as_of"),
        c.t("show")
    );
    // violations per zone: the last day against the day before, and since the zone's start
    let _ = write!(
        b,
        "<h2>{} — {} {}</h2><table id=\"zone-counts\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        c.t("violations_per_zone"),
        c.t("as_of"),
        date(l, at),
        c.t("zone"),
        c.t("last_24h"),
        c.t("previous_24h"),
        c.t("change"),
        c.t("since_start")
    );
    let at_n = day_number(at);
    for ag in ags.iter() {
        let Some(start) = ag.zones.iter().filter_map(|z| z.active_since()).min() else {
            continue;
        };
        let counts = daily_counts(&*store, a, ag.id.as_str(), day_number(start), at_n)?;
        for z in &ag.zones {
            let Some(zs) = z.active_since() else { continue };
            let zs = day_number(zs);
            let mine = counts.iter().filter(|d| d.zone == z.id.as_str());
            let (mut last, mut prev, mut cum) = (0u64, 0u64, 0u64);
            for d in mine {
                if d.day == at_n {
                    last += d.violations;
                }
                if d.day == at_n - 1 {
                    prev += d.violations;
                }
                if d.day >= zs {
                    cum += d.violations;
                }
            }
            let _ = write!(
                b,
                "<tr><td><a href=\"/zones/{}/{}?at={at}\">{}</a> <span class=\"muted\">({})</span></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                esc(ag.id.as_str()),
                esc(z.id.as_str()),
                esc(l.pick(&z.names.ar, &z.names.en)),
                esc(l.pick(&ag.names.ar, &ag.names.en)),
                num(l, last),
                num(l, prev),
                change(l, last, prev),
                num(l, cum)
            );
        }
    }
    b.push_str("</table>");
    // unresolved disputes
    let recent = store.incidents(&IncidentFilter {
        until_day: Some(at_n),
        published_only: !a.user.sees_unpublished(),
        limit: Some(2000),
        ..Default::default()
    })?;
    let disputed: Vec<_> = recent
        .iter()
        .filter(|i| i.grade == "contested")
        .take(20)
        .collect();
    let _ = write!(
        b,
        "<div class=\"grid\"><section class=\"card\" id=\"disputes\"><h2>{} ({})</h2>",
        c.t("unresolved_disputes"),
        num(l, disputed.len())
    );
    if disputed.is_empty() {
        let _ = write!(b, "<p class=\"muted\">{}</p>", c.t("none"));
    } else {
        b.push_str("<ul>");
        for i in disputed {
            let _ = write!(
                b,
                "<li><a href=\"/incidents/{}\">#{}</a> {} · {} · {}</li>",
                i.id,
                num(l, i.id),
                esc(&word(l, &i.kind)),
                esc(i.place_name.as_deref().unwrap_or("")),
                i.date
                    .as_deref()
                    .map(|d| i18n::date_str(l, d))
                    .unwrap_or_default()
            );
        }
        b.push_str("</ul>");
    }
    b.push_str("</section>");
    // mandate calendar
    let _ = write!(
        b,
        "<section class=\"card\" id=\"mandates\"><h2>{}</h2>",
        c.t("mandate_calendar")
    );
    for ag in ags.iter() {
        let Some(mn) = &ag.mandate else { continue };
        let s = mn.status_on(at);
        let _ = write!(
            b,
            "<h3>{}</h3><p>{} · {}: {}</p>",
            esc(l.pick(&ag.names.ar, &ag.names.en)),
            if s.in_force {
                c.t("in_force")
            } else {
                c.t("not_in_force")
            },
            c.t("extension"),
            s.extension.map(|e| num(l, e)).unwrap_or_else(|| "—".into())
        );
        if let Some(end) = s.term_end {
            let _ = write!(b, "<p>{}: <b>{}</b></p>", c.t("term_end"), date(l, end));
        }
        let missing: Vec<&str> = s.missing_for_next.iter().map(|p| p.as_str()).collect();
        let _ = write!(
            b,
            "<p>{}: {}</p>",
            c.t("missing_consents"),
            if missing.is_empty() {
                c.t("none").to_owned()
            } else {
                esc(&missing.join("، "))
            }
        );
        let n = s.extension.unwrap_or(0);
        let ends: Vec<String> = (n..n + 3)
            .map(|k| mn.term(k).1)
            .filter(|e| *e > at && mn.until.is_none_or(|u| *e <= u))
            .map(|e| date(l, e))
            .collect();
        if !ends.is_empty() {
            let _ = write!(
                b,
                "<p class=\"muted\">{}: {}</p>",
                c.t("upcoming_term_ends"),
                ends.join(" · ")
            );
        }
    }
    b.push_str("</section></div>");
    Ok(b)
}

// ---------- map ----------

pub async fn map_page(
    State(st): State<AppState>,
    m: MaybeAuth,
    headers: HeaderMap,
    uri: Uri,
    PageQ(q): PageQ<AtQ>,
) -> Result<Response, Response> {
    let a = need(m, &uri)?;
    let c = ctx(&headers, &uri, Some(&a));
    let at = api::parse_opt(&q.at).map_err(|e| e.html().into_response())?;
    let days: i64 = match q.days.as_deref().map(i18n::ascii_digits) {
        None => 30,
        Some(s) if s.trim().is_empty() => 30,
        Some(s) => s
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|d| (1..=3650).contains(d))
            .ok_or_else(|| {
                ApiError::bad("bad_days", "days must be 1–3650")
                    .html()
                    .into_response()
            })?,
    };
    let st2 = st.clone();
    let body = blocking(move || {
        let l = c.lang;
        let today = (st2.config.today)();
        let at = match at {
            Some(d) => d,
            None => latest_day(&st2, &a, today)?,
        };
        let ags = st2.hudna.agreements()?;
        let store = st2.reader();
        let rows = store.incidents(&IncidentFilter {
            since_day: Some(day_number(at - Duration::days(days - 1))),
            until_day: Some(day_number(at)),
            published_only: !a.user.sees_unpublished(),
            limit: Some(5000),
            ..Default::default()
        })?;
        let ids: Vec<i64> = rows.iter().map(|i| i.id).collect();
        let mut all = store.assessments_many(&ids)?;
        let mut incidents = Vec::with_capacity(rows.len());
        for i in rows {
            let ass = all.remove(&i.id).unwrap_or_default();
            incidents.push((i, ass));
        }
        let first = ags
            .iter()
            .flat_map(|a| a.zones.iter().filter_map(|z| z.versions.first().map(|v| v.valid.from)))
            .min()
            .unwrap_or(at);
        let lo = first.min(at);
        let hi = today.max(at);
        let mut b = String::new();
        let _ = write!(
            b,
            "<h1>{}</h1><form class=\"slider\" method=\"get\" action=\"/map\" id=\"map-form\">\
<label>{} <input type=\"date\" id=\"map-at\" name=\"at\" value=\"{at}\" min=\"{lo}\" max=\"{hi}\"></label>\
<input type=\"range\" id=\"day-range\" min=\"{}\" max=\"{}\" value=\"{}\" aria-label=\"{}\">\
<label>{} <input type=\"number\" name=\"days\" value=\"{days}\" min=\"1\" max=\"3650\" class=\"short\"></label>\
<button>{}</button></form>",
            c.t("map"),
            c.t("map_at"),
            day_number(lo),
            day_number(hi),
            day_number(at),
            c.t("date"),
            c.t("days"),
            c.t("show")
        );
        let _ = write!(
            b,
            "<p class=\"muted\">{} {} · {}: {} ({} {})</p>",
            c.t("map_at"),
            date(l, at),
            c.t("incidents"),
            num(l, incidents.len()),
            num(l, days),
            c.t("days")
        );
        b.push_str("<div class=\"map-wrap\">");
        b.push_str(&map::render(&map::MapInput { lang: l, at, agreements: &ags, incidents: &incidents, only_zone: None }));
        b.push_str("</div>");
        b.push_str(&map::legend(l));
        Ok(page(&c, c.t("map"), &b))
    })
    .await
    .map_err(|e| e.html().into_response())?;
    Ok(html(body))
}

// ---------- incident list ----------

pub async fn incident_list(
    State(st): State<AppState>,
    m: MaybeAuth,
    headers: HeaderMap,
    uri: Uri,
    PageQ(q): PageQ<ListQuery>,
) -> Result<Response, Response> {
    let a = need(m, &uri)?;
    let c = ctx(&headers, &uri, Some(&a));
    let f = q.filter(&a).map_err(|e| e.html().into_response())?;
    let st2 = st.clone();
    let body = blocking(move || {
        let l = c.lang;
        let store = st2.reader();
        let rows = store.incidents(&f)?;
        let ags = st2.hudna.agreements()?;
        let mut b = format!("<h1>{}</h1>", c.t("incidents"));
        // filters
        let sel = |v: &Option<String>, x: &str| if v.as_deref() == Some(x) { " selected" } else { "" };
        let _ = write!(b, "<form class=\"filters\" method=\"get\" action=\"/incidents\" id=\"filters\"><label>{}<select name=\"zone\" id=\"f-zone\"><option value=\"\">{}</option>", c.t("zone"), c.t("all"));
        for ag in ags.iter() {
            for z in &ag.zones {
                let _ = write!(b, "<option value=\"{}\"{}>{}</option>", esc(z.id.as_str()), sel(&q.zone, z.id.as_str()), esc(l.pick(&z.names.ar, &z.names.en)));
            }
        }
        let _ = write!(
            b,
            "</select></label><label>{}<input type=\"date\" name=\"since\" value=\"{}\"></label><label>{}<input type=\"date\" name=\"until\" value=\"{}\"></label><label>{}<select name=\"status\"><option value=\"\">{}</option>",
            c.t("since"),
            esc(q.since.as_deref().unwrap_or("")),
            c.t("until"),
            esc(q.until.as_deref().unwrap_or("")),
            c.t("status"),
            c.t("all")
        );
        for s in hudna_app::STATUSES {
            let _ = write!(b, "<option value=\"{s}\"{}>{}</option>", sel(&q.status, s), word(l, s));
        }
        let _ = write!(
            b,
            "</select></label><label><span><input type=\"checkbox\" name=\"violations\" value=\"1\"{}> {}</span></label><button>{}</button></form>",
            if f.violations_only { " checked" } else { "" },
            c.t("violations_only"),
            c.t("filter")
        );
        if rows.is_empty() {
            let _ = write!(b, "<p class=\"muted\" id=\"no-incidents\">{}</p>", c.t("no_incidents"));
        } else {
            let _ = write!(
                b,
                "<table id=\"incident-table\"><tr><th>#</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
                c.t("date"),
                c.t("type"),
                c.t("place"),
                c.t("reading"),
                c.t("grade"),
                c.t("status"),
                c.t("killed")
            );
            let mut all = store.assessments_many(&rows.iter().map(|i| i.id).collect::<Vec<_>>())?;
            for i in &rows {
                let ass = all.remove(&i.id).unwrap_or_default();
                let reading: Vec<String> = ass
                    .iter()
                    .map(|x| format!("{}{}", tag(l, &x.reading), x.zone.as_deref().map(|z| format!(" <small>{}</small>", esc(z))).unwrap_or_default()))
                    .collect();
                let _ = write!(
                    b,
                    "<tr id=\"row-{id}\"><td><a href=\"/incidents/{id}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
                    num(l, i.id),
                    i.date.as_deref().map(|d| i18n::date_str(l, d)).unwrap_or_default(),
                    esc(&word(l, &i.kind)),
                    esc(i.place_name.as_deref().unwrap_or("")),
                    reading.join("<br>"),
                    tag(l, &i.grade),
                    tag(l, &i.status),
                    i.killed.best.map(|k| num(l, k)).unwrap_or_default(),
                    id = i.id
                );
            }
            b.push_str("</table>");
        }
        // pager
        let limit = f.limit.unwrap_or(50);
        let offset = f.offset.unwrap_or(0);
        let base = |off: usize| {
            let mut qs = String::new();
            for (k, v) in [("zone", &q.zone), ("since", &q.since), ("until", &q.until), ("status", &q.status), ("violations", &q.violations), ("agreement", &q.agreement)] {
                if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                    let _ = write!(qs, "{k}={}&", qv(v));
                }
            }
            format!("/incidents?{qs}limit={limit}&offset={off}")
        };
        b.push_str("<p class=\"pager\">");
        if offset > 0 {
            let _ = write!(b, "<a href=\"{}\">{}</a>", esc(&base(offset.saturating_sub(limit))), c.t("previous_page"));
        }
        if rows.len() == limit {
            let _ = write!(b, "<a href=\"{}\" id=\"next-page\">{}</a>", esc(&base(offset + limit)), c.t("next_page"));
        }
        b.push_str("</p>");
        Ok(page(&c, c.t("incidents"), &b))
    })
    .await
    .map_err(|e| e.html().into_response())?;
    Ok(html(body))
}

// ---------- incident page ----------

/// The report text with the evidence spans (byte offsets) marked.
pub fn highlight(text: &str, spans: &[[usize; 2]]) -> String {
    let mut sp: Vec<(usize, usize)> = spans
        .iter()
        .map(|[s, e]| (*s, *e))
        .filter(|(s, e)| {
            s < e && *e <= text.len() && text.is_char_boundary(*s) && text.is_char_boundary(*e)
        })
        .collect();
    sp.sort_unstable();
    let mut out = String::with_capacity(text.len() + 64);
    let mut pos = 0;
    for (s, e) in sp {
        let s = s.max(pos);
        if s >= e {
            continue;
        }
        out.push_str(&esc(&text[pos..s]));
        out.push_str("<mark>");
        out.push_str(&esc(&text[s..e]));
        out.push_str("</mark>");
        pos = e;
    }
    out.push_str(&esc(&text[pos..]));
    out
}

pub async fn incident_page(
    State(st): State<AppState>,
    m: MaybeAuth,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Response, Response> {
    let a = need(m, &uri)?;
    let c = ctx(&headers, &uri, Some(&a));
    let id = api::parse_id("incident", &id).map_err(|e| e.html().into_response())?;
    let flash = uri
        .query()
        .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("saved=")))
        .map(str::to_owned);
    let st2 = st.clone();
    let body = blocking(move || incident_body(&st2, &a, &c, id, flash.as_deref()))
        .await
        .map_err(|e| e.html().into_response())?;
    Ok(html(body))
}

fn incident_body(
    st: &AppState,
    a: &Auth,
    c: &Ctx,
    id: i64,
    flash: Option<&str>,
) -> ApiResult<String> {
    let l = c.lang;
    let d = api::visible_incident(st, a, id)?;
    let i = &d.incident;
    let mut b = String::new();
    if let Some(f) = flash {
        let key = if f == "review" {
            "saved_review"
        } else {
            "saved_stance"
        };
        let _ = write!(b, "<p class=\"flash\" id=\"flash\">{}</p>", c.t(key));
    }
    let _ = write!(
        b,
        "<h1 id=\"incident-title\" data-id=\"{}\">{} #{} — {}</h1>",
        i.id,
        c.t("incident"),
        num(l, i.id),
        esc(&word(l, &i.kind))
    );
    let range = |r: &hudna_store::Range| match (r.low, r.best, r.high) {
        (Some(lo), Some(be), Some(hi)) if lo != hi => {
            format!("{} ({}–{})", num(l, be), num(l, lo), num(l, hi))
        }
        (_, Some(be), _) => num(l, be),
        _ => "—".into(),
    };
    let _ = write!(
        b,
        "<table class=\"card\"><tr><th>{}</th><td>{}</td><th>{}</th><td>{}</td></tr>\
<tr><th>{}</th><td>{}</td><th>{}</th><td id=\"grade\">{}{}</td></tr>\
<tr><th>{}</th><td>{}</td><th>{}</th><td>{}</td></tr>\
<tr><th>{}</th><td>{}</td><th>{}</th><td>{}</td></tr></table>",
        c.t("date"),
        i.date
            .as_deref()
            .map(|x| i18n::date_str(l, x))
            .unwrap_or_else(|| "—".into()),
        c.t("place"),
        esc(i.place_name.as_deref().unwrap_or("—")),
        c.t("status"),
        tag(l, &i.status),
        c.t("grade"),
        tag(l, &i.grade),
        i.grade_reason
            .as_deref()
            .map(|r| format!(" <small>{}</small>", esc(r)))
            .unwrap_or_default(),
        c.t("killed"),
        range(&i.killed),
        c.t("injured"),
        range(&i.injured),
        c.t("perpetrator"),
        esc(i.perpetrator.as_deref().unwrap_or("—")),
        c.t("target"),
        esc(i.target.as_deref().unwrap_or("—"))
    );
    // assessment
    let _ = write!(b, "<h2>{}</h2>", c.t("assessment"));
    for x in &d.assessments {
        let _ = write!(
            b,
            "<div class=\"card assessment\" data-agreement=\"{}\"><p><b>{}</b> · {} {}{}{}</p>",
            esc(&x.agreement),
            esc(&x.agreement),
            tag(l, &x.reading),
            x.zone
                .as_deref()
                .map(|z| format!(
                    "<a href=\"/zones/{}/{}\">{}</a>",
                    esc(&x.agreement),
                    esc(z),
                    esc(z)
                ))
                .unwrap_or_default(),
            if x.in_security_zone {
                format!(" · {}", c.t("security_zone"))
            } else {
                String::new()
            },
            x.border_km
                .map(|k| format!(" · {} km", num(l, format!("{k:.1}"))))
                .unwrap_or_default()
        );
        if !x.reasons.is_empty() {
            let _ = write!(b, "<p>{}:</p><ul>", c.t("reasons"));
            for r in &x.reasons {
                let _ = write!(b, "<li dir=\"auto\">{}</li>", esc(r));
            }
            b.push_str("</ul>");
        }
        b.push_str("</div>");
    }
    // stances and consensus
    let _ = write!(b, "<h2>{}</h2>", c.t("stances"));
    for cs in &d.consensus {
        let _ = write!(
            b,
            "<p class=\"consensus\" id=\"consensus-{}\" data-state=\"{}\">{} ({}): {}",
            esc(&cs.agreement),
            esc(&cs.state),
            c.t("consensus"),
            esc(&cs.agreement),
            tag(l, &cs.state)
        );
        if !cs.pending_guarantors.is_empty() {
            let _ = write!(
                b,
                " · {}: {}",
                c.t("pending_guarantors"),
                esc(&cs.pending_guarantors.join(", "))
            );
        }
        b.push_str("</p>");
    }
    if d.stances.is_empty() {
        let _ = write!(b, "<p class=\"muted\">{}</p>", c.t("no_stances"));
    } else {
        let _ = write!(
            b,
            "<table id=\"stances\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            c.t("agreement"),
            c.t("party"),
            c.t("position"),
            c.t("comment"),
            c.t("date")
        );
        for s in &d.stances {
            let _ = write!(
                b,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td dir=\"auto\">{}</td><td>{}</td></tr>",
                esc(&s.agreement),
                esc(&s.party),
                tag(l, &s.position),
                esc(&s.comment),
                i18n::date_str(l, &s.recorded_at)
            );
        }
        b.push_str("</table>");
    }
    // the stance form: liaisons for their party, admins for any
    let speak: Vec<String> = if a.user.is_admin() {
        let ags = st.hudna.agreements()?;
        let mut ps: Vec<String> = ags
            .iter()
            .flat_map(|g| g.parties.iter().map(|p| p.id.to_string()))
            .collect();
        ps.sort();
        ps.dedup();
        ps
    } else {
        a.user
            .party
            .iter()
            .filter(|_| a.user.may_speak_for(a.user.party.as_deref().unwrap_or("")))
            .cloned()
            .collect()
    };
    if !speak.is_empty() {
        let mut agreements: Vec<String> =
            d.assessments.iter().map(|x| x.agreement.clone()).collect();
        if agreements.is_empty() {
            agreements = st
                .hudna
                .agreements()?
                .iter()
                .map(|g| g.id.to_string())
                .collect();
        }
        let _ = write!(
            b,
            "<form method=\"post\" action=\"/incidents/{}/stance\" class=\"filters card\" id=\"stance-form\">{}<b>{}</b><label>{}<select name=\"agreement\" id=\"stance-agreement\">",
            i.id,
            c.csrf_field(),
            c.t("record_stance"),
            c.t("agreement")
        );
        for g in &agreements {
            let _ = write!(b, "<option value=\"{0}\">{0}</option>", esc(g));
        }
        let _ = write!(
            b,
            "</select></label><label>{}<select name=\"party\" id=\"stance-party\">",
            c.t("party")
        );
        for p in &speak {
            let _ = write!(b, "<option value=\"{0}\">{0}</option>", esc(p));
        }
        let _ = write!(
            b,
            "</select></label><label>{}<select name=\"position\" id=\"stance-position\">",
            c.t("position")
        );
        for p in ["confirm", "dispute", "abstain"] {
            let _ = write!(b, "<option value=\"{p}\">{}</option>", c.t(p));
        }
        let _ = write!(
            b,
            "</select></label><label>{}<input name=\"comment\" id=\"stance-comment\"></label><button class=\"primary\" id=\"stance-submit\">{}</button></form>",
            c.t("comment"),
            c.t("save")
        );
    }
    if a.user.may_review() {
        let _ = write!(
            b,
            "<form method=\"post\" action=\"/incidents/{}/review\" class=\"filters card\" id=\"review-form\">{}<b>{}</b><label>{}<select name=\"to\">",
            i.id,
            c.csrf_field(),
            c.t("review"),
            c.t("move_to")
        );
        for s in hudna_app::STATUSES {
            let _ = write!(
                b,
                "<option value=\"{s}\"{}>{}</option>",
                if *s == i.status { " selected" } else { "" },
                word(l, s)
            );
        }
        let _ = write!(b, "</select></label><label>{} (revision)<input name=\"revision\"></label><button>{}</button></form>", c.t("comment"), c.t("save"));
    }
    // sources with the evidence highlighted
    let _ = write!(
        b,
        "<h2>{}</h2><p class=\"muted\">{}</p>",
        c.t("source_texts"),
        c.t("evidence")
    );
    for s in &d.sources {
        let spans: Vec<[usize; 2]> = serde_json::from_str(&s.event.evidence).unwrap_or_default();
        let _ = write!(
            b,
            "<div class=\"card source\"><p><b dir=\"auto\">{}</b> {} {}{}</p><div class=\"source-text\" dir=\"auto\">{}</div></div>",
            esc(&s.source),
            esc(&s.outlet),
            s.published.as_deref().map(|p| i18n::date_str(l, p)).unwrap_or_default(),
            if s.url.is_empty() { String::new() } else { format!(" · <span dir=\"ltr\">{}</span>", esc(&s.url)) },
            highlight(&s.text, &spans)
        );
    }
    // history
    let _ = write!(
        b,
        "<h2>{}</h2><table id=\"history\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        c.t("history"),
        c.t("date"),
        c.t("audit_actor"),
        c.t("audit_action"),
        c.t("audit_detail")
    );
    for h in &d.history {
        let _ = write!(
            b,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td dir=\"ltr\"><small>{}</small></td></tr>",
            i18n::date_str(l, &h.at),
            esc(&h.actor),
            esc(&i18n::word(l, &h.action)),
            esc(&h.detail.chars().take(300).collect::<String>())
        );
    }
    b.push_str("</table>");
    Ok(page(
        c,
        &format!("{} #{}", c.t("incident"), num(l, i.id)),
        &b,
    ))
}

#[derive(Deserialize)]
pub struct StanceForm {
    #[serde(default)]
    csrf: String,
    agreement: String,
    party: Option<String>,
    position: String,
    #[serde(default)]
    comment: String,
}

pub async fn stance_form(
    State(st): State<AppState>,
    m: MaybeAuth,
    uri: Uri,
    Path(id): Path<String>,
    FormBody(f): FormBody<StanceForm>,
) -> Result<Response, Response> {
    let a = need_form(m, &uri, &f.csrf)?;
    let id = api::parse_id("incident", &id).map_err(|e| e.html().into_response())?;
    let req = StanceReq {
        agreement: f.agreement,
        party: f.party.filter(|p| !p.is_empty()),
        position: f.position,
        comment: f.comment,
    };
    let st2 = st.clone();
    blocking(move || api::record_stance(&st2, &a, id, req))
        .await
        .map_err(|e| e.html().into_response())?;
    Ok(Redirect::to(&format!("/incidents/{id}?saved=stance")).into_response())
}

#[derive(Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    csrf: String,
    to: String,
    #[serde(default)]
    revision: String,
}

pub async fn review_form(
    State(st): State<AppState>,
    m: MaybeAuth,
    uri: Uri,
    Path(id): Path<String>,
    FormBody(f): FormBody<ReviewForm>,
) -> Result<Response, Response> {
    let a = need_form(m, &uri, &f.csrf)?;
    if !a.user.may_review() {
        return Err(ApiError::forbidden(
            "forbidden_role",
            "only analysts and admins review incidents",
        )
        .html()
        .into_response());
    }
    let id = api::parse_id("incident", &id).map_err(|e| e.html().into_response())?;
    let h = st.hudna.clone();
    blocking(move || {
        let rev = Some(f.revision.as_str()).filter(|r| !r.trim().is_empty());
        Ok(h.review(id, &f.to, None, rev, &a.user.actor())?)
    })
    .await
    .map_err(|e| e.html().into_response())?;
    st.changed();
    Ok(Redirect::to(&format!("/incidents/{id}?saved=review")).into_response())
}

// ---------- zone page ----------

pub async fn zone_page(
    State(st): State<AppState>,
    m: MaybeAuth,
    headers: HeaderMap,
    uri: Uri,
    Path((agreement, zone)): Path<(String, String)>,
    PageQ(q): PageQ<AtQ>,
) -> Result<Response, Response> {
    let a = need(m, &uri)?;
    let c = ctx(&headers, &uri, Some(&a));
    let at = api::parse_opt(&q.at).map_err(|e| e.html().into_response())?;
    let st2 = st.clone();
    let body = blocking(move || zone_body(&st2, &a, &c, &agreement, &zone, at))
        .await
        .map_err(|e| e.html().into_response())?;
    Ok(html(body))
}

fn zone_body(
    st: &AppState,
    a: &Auth,
    c: &Ctx,
    agreement: &str,
    zone: &str,
    at: Option<NaiveDate>,
) -> ApiResult<String> {
    let l = c.lang;
    let ag = st.hudna.agreement(agreement).map_err(|_| {
        ApiError::not_found("agreement_not_found", format!("no agreement {agreement}"))
    })?;
    let z = ag.zone(zone).ok_or_else(|| {
        ApiError::not_found("zone_not_found", format!("no zone {zone} in {agreement}"))
    })?;
    let today = (st.config.today)();
    let at = match at {
        Some(d) => d,
        None => latest_day(st, a, today)?,
    };
    let mut b = format!(
        "<h1 id=\"zone-title\">{} — {}</h1><p class=\"muted\">{}</p>",
        c.t("zone"),
        esc(l.pick(&z.names.ar, &z.names.en)),
        esc(l.pick(&ag.names.ar, &ag.names.en))
    );
    let _ = write!(
        b,
        "<h2>{}</h2><table id=\"versions\"><tr><th>#</th><th>{}</th><th>{}</th><th>{}</th><th></th></tr>",
        c.t("versions"),
        c.t("valid_from"),
        c.t("valid_to"),
        c.t("status")
    );
    for v in &z.versions {
        let _ = write!(
            b,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td dir=\"auto\">{}{}</td></tr>",
            num(l, v.seq),
            date(l, v.valid.from),
            v.valid.to.map(|d| date(l, d)).unwrap_or_else(|| "—".into()),
            tag(
                l,
                match v.status {
                    hudna_core::ZoneStatus::Active => "active",
                    hudna_core::ZoneStatus::Suspended => "suspended",
                    hudna_core::ZoneStatus::Dissolved => "dissolved",
                }
            ),
            if v.approximate {
                format!("{} · ", c.t("approximate"))
            } else {
                String::new()
            },
            esc(&v.note)
        );
    }
    b.push_str("</table>");
    // map of this zone as it stood on `at`
    let _ = write!(
        b,
        "<div class=\"map-wrap\">{}</div>",
        map::render(&map::MapInput {
            lang: l,
            at,
            agreements: std::slice::from_ref(&ag),
            incidents: &[],
            only_zone: Some((agreement, zone))
        })
    );
    // mandate and consents
    if let Some(mn) = &ag.mandate {
        let s = mn.status_on(at);
        let _ = write!(
            b,
            "<h2>{}</h2><p>{} {} · {}: {} · {}: {}</p>",
            c.t("mandate"),
            date(l, at),
            if s.in_force {
                c.t("in_force")
            } else {
                c.t("not_in_force")
            },
            c.t("extension"),
            s.extension.map(|e| num(l, e)).unwrap_or_else(|| "—".into()),
            c.t("term_end"),
            s.term_end.map(|d| date(l, d)).unwrap_or_else(|| "—".into())
        );
        let _ = write!(b, "<p class=\"muted\" dir=\"auto\">{}</p>", esc(&s.reason));
        let _ = write!(b, "<h2>{}</h2><table id=\"consents\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>", c.t("consents"), c.t("extension"), c.t("party"), c.t("decision"), c.t("date"));
        for cs in &mn.consents {
            let _ = write!(
                b,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                num(l, cs.extension),
                esc(cs.party.as_str()),
                esc(cs.decision.as_str()),
                date(l, cs.date)
            );
        }
        b.push_str("</table>");
        let next = s.extension.map(|e| e + 1).or(Some(0));
        b.push_str(&crate::publish::consent_form_html(c, a, &ag, next, today));
    }
    // violations per day, from the zone's start to `at`
    if let Some(start) = z.active_since() {
        let end = z
            .versions
            .iter()
            .filter_map(|v| v.valid.to)
            .max()
            .filter(|_| z.version_on(at).is_none())
            .unwrap_or(at)
            .min(at.max(start));
        let counts = daily_counts(
            &*st.reader(),
            a,
            agreement,
            day_number(start),
            day_number(end),
        )?;
        let mut per: BTreeMap<i32, u64> = BTreeMap::new();
        for d in counts.iter().filter(|d| d.zone == zone) {
            *per.entry(d.day).or_default() += d.violations;
        }
        let days: Vec<(NaiveDate, u64)> = per
            .into_iter()
            .map(|(d, n)| (crate::day_from_number(d), n))
            .collect();
        let total: u64 = days.iter().map(|d| d.1).sum();
        let _ = write!(
            b,
            "<h2>{}</h2><p>{}: <b id=\"zone-total\">{}</b></p>",
            c.t("violations_per_day"),
            c.t("zone_page_cumulative"),
            num(l, total)
        );
        b.push_str(&map::bar_chart(l, &days, c.t("violations_per_day")));
        let _ = write!(
            b,
            "<p><a href=\"/incidents?zone={}&violations=1\">{}</a></p>",
            qv(zone),
            c.t("incidents")
        );
    }
    Ok(page(c, l.pick(&z.names.ar, &z.names.en), &b))
}

// ---------- field report ----------

fn report_form_html(c: &Ctx, error: Option<&str>, text: &str) -> String {
    let mut b = format!("<h1>{}</h1>", c.t("new_report"));
    if let Some(e) = error {
        let _ = write!(
            b,
            "<p class=\"flash err\" id=\"report-error\">{}</p>",
            esc(e)
        );
    }
    let _ = write!(
        b,
        "<form method=\"post\" action=\"/reports\" class=\"stack card\" id=\"report-form\">{}\
<label>{}<textarea name=\"text\" id=\"report-text\" required dir=\"auto\">{}</textarea></label>\
<label>{}<input name=\"source\" id=\"report-source\" dir=\"auto\"></label>\
<label>{}<input type=\"date\" name=\"published\" id=\"report-published\"></label>\
<label>{}<input name=\"url\" id=\"report-url\" dir=\"ltr\"></label>\
<button class=\"primary\" id=\"report-submit\">{}</button></form>",
        c.csrf_field(),
        c.t("report_text"),
        esc(text),
        c.t("source"),
        c.t("published_date"),
        c.t("url"),
        c.t("submit_report")
    );
    b
}

pub async fn report_form(m: MaybeAuth, headers: HeaderMap, uri: Uri) -> Result<Response, Response> {
    let a = need(m, &uri)?;
    let c = ctx(&headers, &uri, Some(&a));
    if !a.user.may_submit_reports() {
        return Err(
            ApiError::forbidden("forbidden_role", "viewers cannot submit reports")
                .html()
                .into_response(),
        );
    }
    Ok(html(page(
        &c,
        c.t("new_report"),
        &report_form_html(&c, None, ""),
    )))
}

#[derive(Deserialize)]
pub struct ReportForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    published: String,
    #[serde(default)]
    url: String,
}

pub async fn report_submit(
    State(st): State<AppState>,
    m: MaybeAuth,
    headers: HeaderMap,
    uri: Uri,
    FormBody(f): FormBody<ReportForm>,
) -> Result<Response, Response> {
    let a = need_form(m, &uri, &f.csrf)?;
    if !a.user.may_submit_reports() {
        return Err(
            ApiError::forbidden("forbidden_role", "viewers cannot submit reports")
                .html()
                .into_response(),
        );
    }
    let c = ctx(&headers, &uri, Some(&a));
    let l = c.lang;
    let text = f.text.clone();
    let req = api::ReportReq {
        text: f.text,
        source: Some(f.source).filter(|s| !s.trim().is_empty()),
        published: Some(f.published).filter(|s| !s.trim().is_empty()),
        url: f.url,
        outlet: String::new(),
    };
    let r = match api::new_report(&st, req) {
        Ok(r) => r,
        Err(e) => {
            let body = page(
                &c,
                c.t("new_report"),
                &report_form_html(&c, Some(&e.message), &text),
            );
            return Ok((e.status(), html(body)).into_response());
        }
    };
    let o = st
        .submit(r, a.user.actor())
        .await
        .map_err(|e| e.html().into_response())?;
    let mut b = String::new();
    let (cls, key) = match o.outcome {
        "stored" => ("flash", "report_stored"),
        "duplicate" => ("flash", "report_duplicate"),
        _ => ("flash err", "report_rejected"),
    };
    let _ = write!(
        b,
        "<h1>{}</h1><p class=\"{cls}\" id=\"report-outcome\" data-outcome=\"{}\">{}",
        c.t("new_report"),
        o.outcome,
        c.t(key)
    );
    if let Some(r) = &o.reason {
        let _ = write!(b, ": {}", esc(r));
    }
    b.push_str("</p>");
    if !o.incidents.is_empty() {
        let _ = write!(
            b,
            "<p>{}:</p><ul id=\"report-incidents\">",
            c.t("incidents")
        );
        for id in &o.incidents {
            let _ = write!(b, "<li><a href=\"/incidents/{id}\" class=\"incident-link\" data-id=\"{id}\">#{}</a></li>", num(l, id));
        }
        b.push_str("</ul>");
    }
    if !o.flags.is_empty() {
        let _ = write!(b, "<p class=\"muted\">{}</p>", esc(&o.flags.join(", ")));
    }
    let status = if o.outcome == "rejected" {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, html(page(&c, c.t("new_report"), &b))).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_is_marked_and_escaped() {
        let text = "قصف <على> إدلب";
        let s = "قصف <على> ".len();
        let h = highlight(text, &[[s, text.len()], [999, 1000], [1, 2]]);
        assert_eq!(h, "قصف &lt;على&gt; <mark>إدلب</mark>");
    }

    #[test]
    fn only_local_next_paths_are_followed() {
        assert_eq!(safe_next(Some("/incidents?x=1")), "/incidents?x=1");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
