//! The JSON API under `/api/`: reports, incidents, stances, zones,
//! agreements, mandate and consents, locate and extract.
//!
//! Every route is listed in [`ROUTES`], which the OpenAPI document is
//! checked against. Bodies are JSON only (`415` otherwise), at most the
//! configured limit (`413`), and every rejection is an [`ApiError`].

use crate::auth::{ApiAuth, Auth};
use crate::error::{ApiError, ApiResult, Kind};
use crate::{blocking, AppState};
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use hudna_app::NewReport;
use hudna_core::date::day_number;
use hudna_core::Decision;
use hudna_store::IncidentFilter;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

/// Every API route: (method, path as OpenAPI writes it).
pub const ROUTES: &[(&str, &str)] = &[
    ("get", "/api/health"),
    ("get", "/api/me"),
    ("post", "/api/tokens"),
    ("get", "/api/agreements"),
    ("get", "/api/agreements/{id}"),
    ("get", "/api/agreements/{id}/mandate"),
    ("get", "/api/agreements/{id}/consents"),
    ("post", "/api/agreements/{id}/consents"),
    ("get", "/api/zones"),
    ("get", "/api/locate"),
    ("post", "/api/extract"),
    ("post", "/api/reports"),
    ("get", "/api/reports/{id}"),
    ("get", "/api/incidents"),
    ("get", "/api/incidents/{id}"),
    ("get", "/api/incidents/{id}/stances"),
    ("post", "/api/incidents/{id}/stances"),
    ("get", "/api/situation-reports"),
    ("get", "/api/rounds"),
    (
        "post",
        "/api/agreements/{id}/commitments/{commitment}/followups",
    ),
    ("get", "/api/exports/incidents"),
    ("get", "/api/exports/zones"),
    ("post", "/api/imports/{kind}"),
    ("get", "/api/openapi.json"),
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/health", get(health))
        .route("/api/me", get(me))
        .route("/api/tokens", axum::routing::post(create_token))
        .route("/api/agreements", get(agreements))
        .route("/api/agreements/{id}", get(agreement))
        .route("/api/agreements/{id}/mandate", get(mandate))
        .route(
            "/api/agreements/{id}/consents",
            get(consents).post(add_consent),
        )
        .route("/api/zones", get(zones))
        .route("/api/locate", get(locate))
        .route("/api/extract", axum::routing::post(extract))
        .route("/api/reports", axum::routing::post(post_report))
        .route("/api/reports/{id}", get(report))
        .route("/api/incidents", get(incidents))
        .route("/api/incidents/{id}", get(incident))
        .route("/api/incidents/{id}/stances", get(stances).post(add_stance))
        .route("/api/situation-reports", get(crate::publish::situation_api))
        .route("/api/rounds", get(crate::publish::rounds_api))
        .route(
            "/api/agreements/{id}/commitments/{commitment}/followups",
            axum::routing::post(crate::publish::followup_api),
        )
        .route(
            "/api/exports/incidents",
            get(crate::publish::export_incidents),
        )
        .route("/api/exports/zones", get(crate::publish::export_zones))
        .route(
            "/api/imports/{kind}",
            axum::routing::post(crate::publish::import),
        )
        .route("/api/openapi.json", get(crate::openapi::document))
}

/// A JSON body whose every rejection is an [`ApiError`].
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(JsonBody(v)),
            Err(r) => Err(json_rejection(r)),
        }
    }
}

pub fn json_rejection(r: JsonRejection) -> ApiError {
    let msg = r.body_text();
    match r {
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            Kind::UnsupportedMediaType,
            "unsupported_media_type",
            "send the body as JSON with `Content-Type: application/json`",
        ),
        JsonRejection::JsonSyntaxError(_) => ApiError::bad("malformed_json", msg),
        JsonRejection::JsonDataError(_) => ApiError::new(Kind::Unprocessable, "invalid_body", msg),
        JsonRejection::BytesRejection(b) if b.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::new(
                Kind::PayloadTooLarge,
                "payload_too_large",
                "the body is larger than the limit (1 MiB)",
            )
        }
        _ => ApiError::bad("bad_body", msg),
    }
}

/// Query parameters whose rejection is an [`ApiError`].
pub struct Q<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Q<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Q(v)),
            Err(r) => Err(query_rejection(r)),
        }
    }
}

fn query_rejection(r: QueryRejection) -> ApiError {
    ApiError::bad("bad_query", r.body_text())
}

/// Parses a date parameter; years outside 1900–2100 are refused.
pub fn parse_date(name: &str, s: &str) -> ApiResult<NaiveDate> {
    let d = hudna_core::parse_day(s)
        .map_err(|e| ApiError::bad("bad_date", format!("{name}: {e}; use YYYY-MM-DD")))?;
    if !(1900..=2100).contains(&chrono::Datelike::year(&d)) {
        return Err(ApiError::bad(
            "date_out_of_range",
            format!("{name}: {d} is out of range (1900–2100)"),
        ));
    }
    Ok(d)
}

pub fn opt_date(name: &str, s: &Option<String>) -> ApiResult<Option<NaiveDate>> {
    match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => parse_date(name, s).map(Some),
        None => Ok(None),
    }
}

/// An optional `at` date parameter.
pub fn parse_opt(s: &Option<String>) -> ApiResult<Option<NaiveDate>> {
    opt_date("at", s)
}

/// Parses an id path segment.
pub fn parse_id(what: &str, s: &str) -> ApiResult<i64> {
    s.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
        ApiError::bad(
            "bad_id",
            format!("{what} id {s:?} is not a positive integer"),
        )
    })
}

pub fn csrf_header(h: &HeaderMap) -> Option<&str> {
    h.get("x-csrf-token").and_then(|v| v.to_str().ok())
}

/// Liveness for anyone; the store's counts (which include unpublished
/// incidents) only for an authenticated user who sees those.
async fn health(State(st): State<AppState>, headers: HeaderMap) -> ApiResult<Json<Value>> {
    let who = crate::auth::resolve(&st, &headers).await?;
    if !who.is_some_and(|a| a.user.sees_unpublished()) {
        return Ok(Json(json!({"status": "ok"})));
    }
    let store = st.reader();
    let c = blocking(move || Ok(store.counts()?)).await?;
    // how the desk's ingest batches were written (PostgreSQL: optimistic
    // statements, and those found stale and ingested again)
    let w = st.hudna.store().write_stats();
    Ok(Json(json!({
        "status": "ok", "incidents": c.incidents, "reports": c.reports,
        "writes": {
            "ordinary": w.ordinary, "optimistic": w.optimistic, "stale": w.stale,
            "handed_back": st.handed_back.load(std::sync::atomic::Ordering::Relaxed),
        },
    })))
}

async fn me(ApiAuth(a): ApiAuth) -> Json<Value> {
    Json(
        json!({"user": a.user, "via": match a.via { crate::auth::Via::Token => "token", crate::auth::Via::Cookie => "session" }}),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenReq {
    #[serde(default)]
    label: String,
}

async fn create_token(
    State(st): State<AppState>,
    ApiAuth(a): ApiAuth,
    headers: HeaderMap,
    JsonBody(req): JsonBody<TokenReq>,
) -> ApiResult<Response> {
    a.check_csrf(csrf_header(&headers))?;
    let acc = st.accounts.clone();
    let token =
        blocking(move || Ok(acc.create_token(&a.user.username, &req.label, &a.user.actor())?))
            .await?;
    Ok((StatusCode::CREATED, Json(json!({"token": token}))).into_response())
}

async fn agreements(State(st): State<AppState>, ApiAuth(_): ApiAuth) -> ApiResult<Json<Value>> {
    let h = st.hudna.clone();
    let all = blocking(move || Ok(h.agreements()?)).await?;
    let list: Vec<Value> = all
        .iter()
        .map(|a| {
            json!({"id": a.id.as_str(), "name_ar": a.names.ar, "name_en": a.names.en, "signed": a.signed,
                   "parties": a.parties.len(), "zones": a.zones.len(), "has_mandate": a.mandate.is_some()})
        })
        .collect();
    Ok(Json(json!({"agreements": list})))
}

async fn agreement(
    State(st): State<AppState>,
    ApiAuth(_): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let h = st.hudna.clone();
    let a = blocking(move || h.agreement(&id).map_err(agreement_not_found)).await?;
    Ok(Json(
        serde_json::to_value(&a).map_err(|e| ApiError::internal(e.to_string()))?,
    ))
}

fn agreement_not_found(e: hudna_app::AppError) -> ApiError {
    match e {
        hudna_app::AppError::NotFound(m) => ApiError::not_found("agreement_not_found", m),
        e => e.into(),
    }
}

#[derive(Deserialize)]
struct AtQuery {
    at: Option<String>,
    agreement: Option<String>,
}

async fn mandate(
    State(st): State<AppState>,
    ApiAuth(_): ApiAuth,
    Path(id): Path<String>,
    Q(q): Q<AtQuery>,
) -> ApiResult<Json<Value>> {
    let at = opt_date("at", &q.at)?.unwrap_or_else(st.config.today);
    let h = st.hudna.clone();
    let s = blocking(move || {
        h.agreement(&id).map_err(agreement_not_found)?;
        Ok(h.mandate_status(&id, at)?)
    })
    .await?;
    Ok(Json(
        serde_json::to_value(&s).map_err(|e| ApiError::internal(e.to_string()))?,
    ))
}

async fn consents(
    State(st): State<AppState>,
    ApiAuth(_): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let h = st.hudna.clone();
    let rows = blocking(move || {
        h.agreement(&id).map_err(agreement_not_found)?;
        Ok(h.store().consents(&id)?)
    })
    .await?;
    Ok(Json(json!({"consents": rows})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentReq {
    pub party: String,
    pub extension: u32,
    pub decision: String,
    pub date: Option<String>,
    #[serde(default)]
    pub note: String,
}

async fn add_consent(
    State(st): State<AppState>,
    ApiAuth(a): ApiAuth,
    headers: HeaderMap,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<ConsentReq>,
) -> ApiResult<Response> {
    a.check_csrf(csrf_header(&headers))?;
    let st2 = st.clone();
    let s = blocking(move || record_consent(&st2, &a, &id, req)).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::to_value(&s).map_err(|e| ApiError::internal(e.to_string()))?),
    )
        .into_response())
}

/// Records a consent or objection for `agreement` (the API and the form):
/// only for a party the user speaks for, never dated in the future.
pub fn record_consent(
    st: &AppState,
    a: &Auth,
    agreement: &str,
    req: ConsentReq,
) -> ApiResult<hudna_core::MandateStatus> {
    if !a.user.may_speak_for(&req.party) {
        return Err(forbidden_party(a, &req.party));
    }
    let decision = Decision::parse(&req.decision).map_err(|_| {
        ApiError::bad(
            "bad_decision",
            format!("decision {:?}: expected grant or object", req.decision),
        )
    })?;
    let date = opt_date("date", &req.date)?.unwrap_or_else(st.config.today);
    if date > (st.config.today)() {
        return Err(ApiError::bad(
            "date_in_future",
            format!("date {date} is in the future"),
        ));
    }
    st.hudna.agreement(agreement).map_err(agreement_not_found)?;
    let c = hudna_app::NewConsent {
        agreement,
        party: &req.party,
        extension: req.extension,
        decision,
        date,
        note: &req.note,
    };
    let s = st.hudna.record_consent(&c, &a.user.actor())?;
    st.changed();
    Ok(s)
}

fn forbidden_party(a: &Auth, party: &str) -> ApiError {
    ApiError::forbidden(
        "forbidden_party",
        match &a.user.party {
            Some(p) => format!("{} speaks for {p}, not for {party}", a.user.username),
            None => format!(
                "{} ({}) does not speak for any party",
                a.user.username,
                a.user.role.as_str()
            ),
        },
    )
}

async fn zones(
    State(st): State<AppState>,
    ApiAuth(_): ApiAuth,
    Q(q): Q<AtQuery>,
) -> ApiResult<Json<Value>> {
    let at = opt_date("at", &q.at)?.unwrap_or_else(st.config.today);
    let h = st.hudna.clone();
    let z = blocking(move || {
        if let Some(a) = &q.agreement {
            h.agreement(a).map_err(agreement_not_found)?;
        }
        Ok(h.zones_at(at, q.agreement.as_deref())?)
    })
    .await?;
    Ok(Json(json!({"at": at, "zones": z})))
}

#[derive(Deserialize)]
struct LocateQuery {
    lat: Option<String>,
    lon: Option<String>,
    at: Option<String>,
}

fn coord(name: &str, v: &Option<String>) -> ApiResult<f64> {
    let s = v
        .as_deref()
        .ok_or_else(|| ApiError::bad("missing_parameter", format!("{name} is required")))?;
    let ascii = crate::i18n::ascii_digits(s);
    ascii
        .trim()
        .parse::<f64>()
        .map_err(|_| ApiError::bad("bad_coordinate", format!("{name} {s:?} is not a number")))
}

async fn locate(
    State(st): State<AppState>,
    ApiAuth(_): ApiAuth,
    Q(q): Q<LocateQuery>,
) -> ApiResult<Json<Value>> {
    let lat = coord("lat", &q.lat)?;
    let lon = coord("lon", &q.lon)?;
    hudna_app::check_point(lat, lon)
        .map_err(|e| ApiError::bad("coordinate_out_of_range", e.to_string()))?;
    let at = opt_date("at", &q.at)?.unwrap_or_else(st.config.today);
    let h = st.hudna.clone();
    let l = blocking(move || Ok(h.locate(lat, lon, at)?)).await?;
    Ok(Json(
        serde_json::to_value(&l).map_err(|e| ApiError::internal(e.to_string()))?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExtractReq {
    text: String,
    published: Option<String>,
}

async fn extract(
    State(st): State<AppState>,
    ApiAuth(_): ApiAuth,
    JsonBody(req): JsonBody<ExtractReq>,
) -> ApiResult<Json<Value>> {
    let published = opt_date("published", &req.published)?;
    if req.text.trim().is_empty() {
        return Err(ApiError::bad("empty_text", "the text is empty"));
    }
    let st2 = st.clone();
    let x = blocking(move || Ok(st2.extractor().extract(&req.text, published))).await?;
    Ok(Json(
        serde_json::to_value(&x).map_err(|e| ApiError::internal(e.to_string()))?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportReq {
    pub text: String,
    pub source: Option<String>,
    pub published: Option<String>,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub outlet: String,
}

/// Checks a submitted report and turns it into the app's input.
pub fn new_report(st: &AppState, req: ReportReq) -> ApiResult<NewReport> {
    let published = opt_date("published", &req.published)?;
    if let Some(p) = published {
        if p > (st.config.today)() {
            return Err(ApiError::bad(
                "date_in_future",
                format!("published {p} is in the future"),
            ));
        }
    }
    if req.text.trim().is_empty() {
        return Err(ApiError::bad("empty_text", "the report's text is empty"));
    }
    if req.text.contains('\0') {
        return Err(ApiError::bad(
            "binary_text",
            "the report contains NUL bytes",
        ));
    }
    Ok(NewReport {
        text: req.text,
        source: req.source,
        outlet: req.outlet,
        url: req.url,
        published,
        ..Default::default()
    })
}

async fn post_report(
    State(st): State<AppState>,
    ApiAuth(a): ApiAuth,
    headers: HeaderMap,
    JsonBody(req): JsonBody<ReportReq>,
) -> ApiResult<Response> {
    a.check_csrf(csrf_header(&headers))?;
    if !a.user.may_submit_reports() {
        return Err(ApiError::forbidden(
            "forbidden_role",
            "viewers cannot submit reports",
        ));
    }
    let r = new_report(&st, req)?;
    let o = st.submit(r, a.user.actor()).await?;
    let status = match o.outcome {
        "stored" => StatusCode::CREATED,
        "duplicate" => StatusCode::OK,
        _ => {
            return Err(ApiError::new(
                Kind::Unprocessable,
                "report_rejected",
                o.reason.unwrap_or_else(|| "rejected".into()),
            ))
        }
    };
    Ok((
        status,
        Json(serde_json::to_value(&o).map_err(|e| ApiError::internal(e.to_string()))?),
    )
        .into_response())
}

async fn report(
    State(st): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let id = parse_id("report", &id)?;
    if !a.user.sees_unpublished() {
        return Err(ApiError::forbidden(
            "forbidden_role",
            "viewers see published incidents, not raw reports",
        ));
    }
    let store = st.reader();
    let r = blocking(move || Ok(store.report(id)?)).await?;
    let r = r.ok_or_else(|| ApiError::not_found("report_not_found", format!("no report {id}")))?;
    let mut v = serde_json::to_value(&r).map_err(|e| ApiError::internal(e.to_string()))?;
    if let Some(x) = v.get_mut("extraction") {
        if let Some(s) = x.as_str() {
            *x = serde_json::from_str(s).unwrap_or(Value::Null);
        }
    }
    Ok(Json(v))
}

/// Filters of the incident list (API and page).
#[derive(Deserialize, Default, Clone)]
pub struct ListQuery {
    pub agreement: Option<String>,
    pub zone: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
    pub status: Option<String>,
    pub violations: Option<String>,
    pub limit: Option<String>,
    pub offset: Option<String>,
}

impl ListQuery {
    /// The store filter, with viewers limited to published incidents.
    pub fn filter(&self, a: &Auth) -> ApiResult<IncidentFilter> {
        let nonempty = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let since = opt_date("since", &self.since)?;
        let until = opt_date("until", &self.until)?;
        if let (Some(s), Some(u)) = (since, until) {
            if s > u {
                return Err(ApiError::bad(
                    "bad_range",
                    format!("since {s} is after until {u}"),
                ));
            }
        }
        let status = nonempty(&self.status);
        if let Some(s) = &status {
            if !hudna_app::STATUSES.contains(&s.as_str()) {
                return Err(ApiError::bad(
                    "bad_status",
                    format!(
                        "status {s:?}: expected one of {}",
                        hudna_app::STATUSES.join(", ")
                    ),
                ));
            }
        }
        let num =
            |name: &str, v: &Option<String>, default: usize, max: usize| -> ApiResult<usize> {
                match nonempty(v) {
                    None => Ok(default),
                    Some(s) => s
                        .parse::<usize>()
                        .ok()
                        .filter(|n| *n <= max)
                        .ok_or_else(|| {
                            ApiError::bad("bad_paging", format!("{name} {s:?}: expected 0–{max}"))
                        }),
                }
            };
        let limit = num("limit", &self.limit, 50, 1000)?.max(1);
        let offset = num("offset", &self.offset, 0, 10_000_000)?;
        Ok(IncidentFilter {
            agreement: nonempty(&self.agreement),
            zone: nonempty(&self.zone),
            since_day: since.map(day_number),
            until_day: until.map(day_number),
            violations_only: matches!(self.violations.as_deref(), Some("1" | "true" | "on")),
            status,
            published_only: !a.user.sees_unpublished(),
            limit: Some(limit),
            offset: Some(offset),
        })
    }
}

async fn incidents(
    State(st): State<AppState>,
    ApiAuth(a): ApiAuth,
    uri: axum::http::Uri,
    Q(q): Q<ListQuery>,
) -> ApiResult<Response> {
    let f = q.filter(&a)?;
    // answers are cached until the next write through this server
    let key = format!("{}|{}", f.published_only, uri.query().unwrap_or(""));
    let store = st.reader();
    let body = st
        .cached(key, move || {
            let rows = store.incidents(&f)?;
            let ids: Vec<i64> = rows.iter().map(|i| i.id).collect();
            let mut all = store.assessments_many(&ids)?;
            let mut list = Vec::with_capacity(rows.len());
            for i in rows {
                let ass = all.remove(&i.id).unwrap_or_default();
                let mut v = serde_json::to_value(&i).unwrap_or(Value::Null);
                v["assessments"] = json!(ass
                    .iter()
                    .map(|a| json!({"agreement": a.agreement, "zone": a.zone, "reading": a.reading, "in_security_zone": a.in_security_zone}))
                    .collect::<Vec<_>>());
                list.push(v);
            }
            let body = serde_json::to_vec(&json!({"count": list.len(), "incidents": list}))
                .map_err(|e| ApiError::internal(e.to_string()))?;
            Ok(axum::body::Bytes::from(body))
        })
        .await?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response())
}

/// An incident a principal may see (viewers: published only), or 404.
pub fn visible_incident(st: &AppState, a: &Auth, id: i64) -> ApiResult<hudna_app::IncidentDetail> {
    let d = st.hudna.incident(id).map_err(|e| match e {
        hudna_app::AppError::NotFound(_) => {
            ApiError::not_found("incident_not_found", format!("no incident {id}"))
        }
        e => e.into(),
    })?;
    if !a.user.sees_unpublished() && d.incident.status != "published" {
        return Err(ApiError::not_found(
            "incident_not_found",
            format!("no incident {id}"),
        ));
    }
    Ok(d)
}

async fn incident(
    State(st): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let id = parse_id("incident", &id)?;
    let st2 = st.clone();
    let d = blocking(move || visible_incident(&st2, &a, id)).await?;
    Ok(Json(
        serde_json::to_value(&d).map_err(|e| ApiError::internal(e.to_string()))?,
    ))
}

async fn stances(
    State(st): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let id = parse_id("incident", &id)?;
    let st2 = st.clone();
    let d = blocking(move || visible_incident(&st2, &a, id)).await?;
    Ok(Json(
        json!({"incident": d.incident.id, "stances": d.stances, "consensus": d.consensus}),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StanceReq {
    pub agreement: String,
    pub party: Option<String>,
    pub position: String,
    #[serde(default)]
    pub comment: String,
}

/// Records a stance after the authorisation check (API and form).
pub fn record_stance(
    st: &AppState,
    a: &Auth,
    id: i64,
    req: StanceReq,
) -> ApiResult<hudna_app::IncidentDetail> {
    let party = match req.party.or_else(|| a.user.party.clone()) {
        Some(p) => p,
        None => {
            return Err(ApiError::bad(
                "missing_party",
                "say which party the stance is for",
            ))
        }
    };
    if !a.user.may_speak_for(&party) {
        return Err(forbidden_party(a, &party));
    }
    if !matches!(req.position.as_str(), "confirm" | "dispute" | "abstain") {
        return Err(ApiError::bad(
            "bad_position",
            format!(
                "position {:?}: expected confirm, dispute or abstain",
                req.position
            ),
        ));
    }
    visible_incident(st, a, id)?;
    st.hudna
        .agreement(&req.agreement)
        .map_err(agreement_not_found)?;
    let d = st
        .hudna
        .record_stance(
            id,
            &req.agreement,
            &party,
            &req.position,
            &req.comment,
            &a.user.actor(),
        )
        .map_err(|e| match e {
            hudna_app::AppError::Refused(m) => ApiError::new(Kind::Unprocessable, "not_a_party", m),
            e => e.into(),
        })?;
    st.changed();
    Ok(d)
}

async fn add_stance(
    State(st): State<AppState>,
    ApiAuth(a): ApiAuth,
    headers: HeaderMap,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<StanceReq>,
) -> ApiResult<Response> {
    a.check_csrf(csrf_header(&headers))?;
    let id = parse_id("incident", &id)?;
    let st2 = st.clone();
    let d = blocking(move || record_stance(&st2, &a, id, req)).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"incident": d.incident.id, "grade": d.incident.grade, "stances": d.stances, "consensus": d.consensus})),
    )
        .into_response())
}
