//! What leaves the centre, on the desk: situation reports (page, HTML and
//! PDF downloads, JSON), the rounds-of-talks timeline with open
//! commitments, and the follow-up and consent forms.
//!
//! Viewers get the published edition of a report (published incidents only);
//! everyone else sees every incident. Follow-ups are recorded by analysts
//! and admins; consents by a guarantor's liaison for its own party.
#![allow(clippy::result_large_err)]

use crate::api::{self, ConsentReq, JsonBody};
use crate::auth::ApiAuth;
use crate::auth::{Auth, MaybeAuth};
use crate::error::{ApiError, ApiResult};
use crate::html::{esc, page, qv, Ctx};
use crate::i18n::{self, date, num, Lang};
use crate::pages::{ctx, highlight, html, need, need_form, safe_next, FormBody, PageQ};
use crate::{blocking, map, AppState};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use chrono::NaiveDate;
use hudna_app::reports::{self, SituationReport};
use hudna_core::date::day_number;
use hudna_store::IncidentFilter;
use serde::Deserialize;
use serde_json::json;
use std::fmt::Write;

/// `?date=D` (a daily report) or `?since=D&until=D` (a period); `lang`
/// overrides the page's language for downloads.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ReportQ {
    pub date: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
    pub lang: Option<String>,
}

/// The longest period a report may cover.
const MAX_PERIOD_DAYS: i64 = 366;

impl ReportQ {
    /// (since, until): the period asked for, or the latest day with an
    /// incident this user may see (the dashboard's default too).
    fn period_for(&self, st: &AppState, a: &Auth) -> ApiResult<(NaiveDate, NaiveDate)> {
        let today = (st.config.today)();
        if self.date.is_none() && self.since.is_none() && self.until.is_none() {
            let d = crate::pages::latest_day(st, a, today)?;
            return Ok((d, d));
        }
        self.period(today)
    }

    /// (since, until): the period asked for, or the day before `today`.
    fn period(&self, today: NaiveDate) -> ApiResult<(NaiveDate, NaiveDate)> {
        let day = api::opt_date("date", &self.date)?;
        let since = api::opt_date("since", &self.since)?;
        let until = api::opt_date("until", &self.until)?;
        let (s, u) = match (day, since, until) {
            (Some(d), None, None) => (d, d),
            (None, Some(s), Some(u)) => (s, u),
            (None, None, None) => {
                let d = today - chrono::Duration::days(1);
                (d, d)
            }
            (Some(_), _, _) => {
                return Err(ApiError::bad(
                    "bad_period",
                    "give either date, or since and until, not both",
                ))
            }
            _ => {
                return Err(ApiError::bad(
                    "bad_period",
                    "a period needs both since and until",
                ))
            }
        };
        if u < s {
            return Err(ApiError::bad(
                "bad_period",
                format!("until {u} is before since {s}"),
            ));
        }
        if (u - s).num_days() >= MAX_PERIOD_DAYS {
            return Err(ApiError::bad(
                "period_too_long",
                format!("a report covers at most {MAX_PERIOD_DAYS} days"),
            ));
        }
        Ok((s, u))
    }

    fn lang(&self, page: Lang) -> ApiResult<Lang> {
        match self
            .lang
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => Ok(page),
            Some(s) => Lang::parse(s)
                .ok_or_else(|| ApiError::bad("bad_lang", format!("lang {s:?}: ar or en"))),
        }
    }

    /// The query string that asks for the same period.
    fn query(&self, since: NaiveDate, until: NaiveDate) -> String {
        if since == until {
            format!("date={since}")
        } else {
            format!("since={since}&until={until}")
        }
    }
}

/// The report and its map, as this user may see them.
fn build(
    st: &AppState,
    a: &Auth,
    since: NaiveDate,
    until: NaiveDate,
    l: Lang,
) -> ApiResult<(SituationReport, String)> {
    let published_only = !a.user.sees_unpublished();
    let r = st
        .hudna
        .period_report_scoped(since, until, published_only)?;
    let incidents = st.hudna.incidents(&IncidentFilter {
        since_day: Some(day_number(since)),
        until_day: Some(day_number(until)),
        published_only,
        limit: Some(5000),
        ..Default::default()
    })?;
    let ags = st.hudna.agreements()?;
    let svg = map::render(&map::MapInput {
        lang: l,
        at: until,
        agreements: &ags,
        incidents: &incidents,
        only_zone: None,
    });
    Ok((r, svg))
}

/// `GET /situation`: the report in the desk, with a period form and downloads.
pub async fn situation_page(
    State(st): State<AppState>,
    m: MaybeAuth,
    headers: HeaderMap,
    uri: Uri,
    PageQ(q): PageQ<ReportQ>,
) -> Result<Response, Response> {
    let a = need(m, &uri)?;
    let c = ctx(&headers, &uri, Some(&a));
    let st2 = st.clone();
    let body = blocking(move || {
        let (since, until) = q.period_for(&st2, &a)?;
        let (r, svg) = build(&st2, &a, since, until, c.lang)?;
        Ok(situation_html(&c, &a, &q, &r, &svg))
    })
    .await
    .map_err(|e| e.html().into_response())?;
    Ok(html(body))
}

fn situation_html(c: &Ctx, a: &Auth, q: &ReportQ, r: &SituationReport, svg: &str) -> String {
    let l = c.lang;
    let mut b = String::with_capacity(32 * 1024);
    b.push_str("<link rel=\"stylesheet\" href=\"/assets/report.css\">");
    let _ = write!(
        b,
        "<h1>{}</h1><div class=\"cols\">\
<form method=\"get\" action=\"/situation\" id=\"daily-form\" class=\"filters\"><label>{} <input type=\"date\" name=\"date\" value=\"{}\"></label><button>{}</button></form>\
<form method=\"get\" action=\"/situation\" id=\"period-form\" class=\"filters\"><label>{} <input type=\"date\" name=\"since\" value=\"{}\"></label>\
<label>{} <input type=\"date\" name=\"until\" value=\"{}\"></label><button>{}</button></form></div>",
        c.t("situation_reports"),
        c.t("daily_report"),
        r.until,
        c.t("show"),
        c.t("since"),
        r.since,
        c.t("until"),
        r.until,
        c.t("period_report"),
    );
    let qs = q.query(r.since, r.until);
    let _ = write!(
        b,
        "<p class=\"downloads\"><a id=\"dl-html\" href=\"/situation/report.html?{qs}&amp;lang={}\">{}</a> · \
<a id=\"dl-pdf\" href=\"/situation/report.pdf?{qs}&amp;lang={}\">{}</a> · <a href=\"/api/situation-reports?{qs}\">JSON</a></p>",
        l.code(),
        c.t("download_html"),
        l.code(),
        c.t("download_pdf"),
    );
    if !a.user.sees_unpublished() {
        let _ = write!(
            b,
            "<p class=\"muted\" id=\"published-edition\">{}</p>",
            c.t("published_edition_note")
        );
    }
    b.push_str(&reports::render_body(r, l.into(), Some(svg)));
    page(c, c.t("situation_reports"), &b)
}

/// `GET /situation/report.html` and `/situation/report.pdf`: the standalone
/// document (stylesheet inline) as a download.
pub async fn situation_download(
    State(st): State<AppState>,
    m: MaybeAuth,
    headers: HeaderMap,
    uri: Uri,
    Path(file): Path<String>,
    PageQ(q): PageQ<ReportQ>,
) -> Result<Response, Response> {
    let a = need(m, &uri)?;
    let pdf = match file.as_str() {
        "report.html" => false,
        "report.pdf" => true,
        _ => {
            return Err(ApiError::not_found(
                "route_not_found",
                format!("no download {file}; report.html or report.pdf"),
            )
            .html()
            .into_response())
        }
    };
    let page_lang = crate::auth::lang_of(&headers);
    let st2 = st.clone();
    let (bytes, name) = blocking(move || {
        let l = q.lang(page_lang)?;
        let (since, until) = q.period_for(&st2, &a)?;
        let (r, svg) = build(&st2, &a, since, until, l)?;
        let doc = reports::render_html(&r, l.into(), Some(&svg));
        let stem = if since == until {
            format!("hudna-daily-{until}-{}", l.code())
        } else {
            format!("hudna-report-{since}-{until}-{}", l.code())
        };
        if pdf {
            Ok((reports::html_to_pdf(&doc)?, format!("{stem}.pdf")))
        } else {
            Ok((doc.into_bytes(), format!("{stem}.html")))
        }
    })
    .await
    .map_err(|e| e.html().into_response())?;
    let ct = if pdf {
        "application/pdf"
    } else {
        "text/html; charset=utf-8"
    };
    Ok((
        [
            (header::CONTENT_TYPE, ct.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

/// `GET /api/situation-reports?date=D` or `?since=D&until=D`: the report as JSON.
pub async fn situation_api(
    State(st): State<AppState>,
    ApiAuth(a): ApiAuth,
    api::Q(q): api::Q<ReportQ>,
) -> ApiResult<Json<serde_json::Value>> {
    let st2 = st.clone();
    let r = blocking(move || {
        let (since, until) = q.period_for(&st2, &a)?;
        Ok(st2
            .hudna
            .period_report_scoped(since, until, !a.user.sees_unpublished())?)
    })
    .await?;
    Ok(Json(
        serde_json::to_value(&r).map_err(|e| ApiError::internal(e.to_string()))?,
    ))
}

// ---------- rounds and commitments ----------

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RoundsQ {
    pub agreement: Option<String>,
}

/// `GET /api/rounds[?agreement=ID]`: the timeline as JSON.
pub async fn rounds_api(
    State(st): State<AppState>,
    ApiAuth(_): ApiAuth,
    api::Q(q): api::Q<RoundsQ>,
) -> ApiResult<Json<serde_json::Value>> {
    let st2 = st.clone();
    let rounds = blocking(move || {
        if let Some(id) = &q.agreement {
            st2.hudna.agreement(id).map_err(|_| {
                ApiError::not_found("agreement_not_found", format!("no agreement {id}"))
            })?;
        }
        Ok(st2
            .hudna
            .timeline(q.agreement.as_deref(), (st2.config.today)())?)
    })
    .await?;
    Ok(Json(json!({ "rounds": rounds })))
}

/// A follow-up, from the API (JSON) or the form.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowupReq {
    pub status: String,
    pub date: Option<String>,
    #[serde(default)]
    pub settled_by: String,
    #[serde(default)]
    pub evidence: String,
}

/// Records a follow-up: analysts and admins only; the date defaults to today
/// and may not be in the future.
pub fn record_followup(
    st: &AppState,
    a: &Auth,
    agreement: &str,
    commitment: &str,
    req: FollowupReq,
) -> ApiResult<()> {
    if !a.user.may_review() {
        return Err(ApiError::forbidden(
            "forbidden_role",
            "only analysts and admins record follow-ups",
        ));
    }
    let status = req.status.trim();
    if !matches!(status, "open" | "met" | "missed" | "postponed") {
        return Err(ApiError::bad(
            "bad_status",
            format!("status {status:?}: expected open, met, missed or postponed"),
        ));
    }
    let today = (st.config.today)();
    let date = api::opt_date("date", &req.date)?.unwrap_or(today);
    if date > today {
        return Err(ApiError::bad(
            "date_in_future",
            format!("date {date} is in the future"),
        ));
    }
    let ag = st.hudna.agreement(agreement).map_err(|_| {
        ApiError::not_found("agreement_not_found", format!("no agreement {agreement}"))
    })?;
    if !ag.commitments.iter().any(|c| c.id.as_str() == commitment) {
        return Err(ApiError::not_found(
            "commitment_not_found",
            format!("no commitment {commitment} in {agreement}"),
        ));
    }
    let f = hudna_store::FollowupRow {
        agreement: agreement.to_owned(),
        commitment: commitment.to_owned(),
        status: status.to_owned(),
        settled_by: req.settled_by.trim().chars().take(500).collect(),
        evidence: req.evidence.trim().chars().take(2000).collect(),
        date: date.to_string(),
        recorded_by: a.user.actor(),
    };
    st.hudna.follow_up(&f)?;
    st.changed();
    Ok(())
}

/// `POST /api/agreements/{id}/commitments/{commitment}/followups`.
pub async fn followup_api(
    State(st): State<AppState>,
    ApiAuth(a): ApiAuth,
    headers: HeaderMap,
    Path((agreement, commitment)): Path<(String, String)>,
    JsonBody(req): JsonBody<FollowupReq>,
) -> ApiResult<Response> {
    a.check_csrf(api::csrf_header(&headers))?;
    let st2 = st.clone();
    let (ag, cm) = (agreement.clone(), commitment.clone());
    blocking(move || record_followup(&st2, &a, &ag, &cm, req)).await?;
    let st3 = st.clone();
    let view = blocking(move || {
        Ok(st3
            .hudna
            .timeline(Some(&agreement), (st3.config.today)())?
            .into_iter()
            .flat_map(|r| r.commitments)
            .find(|c| c.commitment.id.as_str() == commitment))
    })
    .await?;
    Ok((StatusCode::CREATED, Json(json!({ "commitment": view }))).into_response())
}

#[derive(Deserialize)]
pub struct FollowupForm {
    #[serde(default)]
    csrf: String,
    status: String,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    settled_by: String,
    #[serde(default)]
    evidence: String,
}

/// `POST /rounds/{agreement}/commitments/{commitment}/followups` (the form).
pub async fn followup_form(
    State(st): State<AppState>,
    m: MaybeAuth,
    uri: Uri,
    Path((agreement, commitment)): Path<(String, String)>,
    FormBody(f): FormBody<FollowupForm>,
) -> Result<Response, Response> {
    let a = need_form(m, &uri, &f.csrf)?;
    let st2 = st.clone();
    let cm = commitment.clone();
    blocking(move || {
        record_followup(
            &st2,
            &a,
            &agreement,
            &cm,
            FollowupReq {
                status: f.status,
                date: f.date,
                settled_by: f.settled_by,
                evidence: f.evidence,
            },
        )
    })
    .await
    .map_err(|e| e.html().into_response())?;
    Ok(Redirect::to(&format!(
        "/rounds?saved={}#c-{}",
        qv(&commitment),
        qv(&commitment)
    ))
    .into_response())
}

/// `GET /rounds`: every round in time order with its commitments, open
/// commitments first, statements with what extraction found.
pub async fn rounds_page(
    State(st): State<AppState>,
    m: MaybeAuth,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, Response> {
    let a = need(m, &uri)?;
    let c = ctx(&headers, &uri, Some(&a));
    let st2 = st.clone();
    let body = blocking(move || rounds_html(&st2, &a, &c))
        .await
        .map_err(|e| e.html().into_response())?;
    Ok(html(body))
}

fn status_tag(c: &Ctx, status: &str, overdue: bool) -> String {
    let class = match status {
        "met" => "ok",
        "missed" => "violation",
        "postponed" => "contested",
        _ => "",
    };
    let mut s = format!(
        "<span class=\"tag {class} st-{}\">{}</span>",
        esc(status),
        esc(&i18n::word(c.lang, status))
    );
    if overdue {
        let _ = write!(
            s,
            " <span class=\"tag violation\">{}</span>",
            c.t("overdue")
        );
    }
    s
}

fn rounds_html(st: &AppState, a: &Auth, c: &Ctx) -> ApiResult<String> {
    let l = c.lang;
    let today = (st.config.today)();
    let rounds = st.hudna.timeline(None, today)?;
    let ags = st.hudna.agreements()?;
    let mut b = format!("<h1>{}</h1>", c.t("rounds"));
    if rounds.is_empty() {
        let _ = write!(b, "<p>{}</p>", c.t("no_rounds"));
        return Ok(page(c, c.t("rounds"), &b));
    }
    // open commitments first: what is still owed
    let open: Vec<_> = rounds
        .iter()
        .flat_map(|r| r.commitments.iter().map(move |cm| (r, cm)))
        .filter(|(_, cm)| cm.current == "open" || cm.current == "postponed")
        .collect();
    let _ = write!(
        b,
        "<h2>{}</h2><table id=\"open-commitments\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        c.t("open_commitments"),
        c.t("commitment"),
        c.t("owner"),
        c.t("due"),
        c.t("status"),
        c.t("rounds"),
    );
    for (r, cm) in &open {
        let _ = write!(
            b,
            "<tr><td dir=\"auto\"><a href=\"#c-{id}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(l.pick(&cm.commitment.text.ar, &cm.commitment.text.en)),
            esc(&reports::party_label(&cm.commitment.owner, l.into())),
            cm.commitment.due.map(|d| date(l, d)).unwrap_or_else(|| "—".into()),
            status_tag(c, &cm.current, cm.overdue),
            esc(l.pick(&r.round.names.ar, &r.round.names.en)),
            id = esc(cm.commitment.id.as_str()),
        );
    }
    b.push_str("</table>");
    if open.is_empty() {
        let _ = write!(b, "<p class=\"muted\">{}</p>", c.t("none"));
    }
    let _ = write!(
        b,
        "<h2>{}</h2><ol class=\"timeline\" id=\"timeline\">",
        c.t("rounds")
    );
    for r in &rounds {
        let ag = ags.iter().find(|x| x.id.as_str() == r.agreement);
        let _ = write!(
            b,
            "<li id=\"r-{rid}\"><h3>{} <span class=\"muted\">{} — {}</span></h3><p class=\"muted\">{}: {} · {}: {}{}</p>",
            esc(l.pick(&r.round.names.ar, &r.round.names.en)),
            date(l, r.round.start),
            date(l, r.round.end),
            c.t("venue"),
            esc(&r.round.venue),
            c.t("participants"),
            esc(&r
                .round
                .participants
                .iter()
                .map(|p| reports::party_label(p, l.into()))
                .collect::<Vec<_>>()
                .join("، ")),
            ag.map(|g| format!(" · {}", esc(l.pick(&g.names.ar, &g.names.en))))
                .unwrap_or_default(),
            rid = esc(r.round.id.as_str()),
        );
        if let Some(f) = ag.and_then(|g| {
            g.rounds
                .iter()
                .find(|x| x.id == r.round.id)
                .and_then(|x| st.hudna.statement_findings(x))
        }) {
            let _ = write!(
                b,
                "<details class=\"statement\"><summary>{}</summary><p class=\"muted\">{}</p><ul class=\"findings\">",
                c.t("final_statement"),
                c.t("statement_findings")
            );
            let _ = write!(
                b,
                "<li>{}: {}</li>",
                c.t("places"),
                esc(&f.places.join("، "))
            );
            let dates: Vec<String> = f
                .dates
                .iter()
                .map(|(t, d)| match d {
                    Some(d) => format!("{} ({})", esc(t), date(l, *d)),
                    None => esc(t),
                })
                .collect();
            let _ = write!(b, "<li>{}: {}</li>", c.t("dates"), dates.join("، "));
            let actors: Vec<String> = f.actors.iter().map(|x| esc(&i18n::word(l, x))).collect();
            let _ = write!(b, "<li>{}: {}</li></ul>", c.t("actors"), actors.join("، "));
            let _ = write!(
                b,
                "<blockquote dir=\"auto\" class=\"statement-text\">{}</blockquote></details>",
                highlight(&f.text, &f.spans).replace('\n', "<br>")
            );
        }
        if !r.commitments.is_empty() {
            b.push_str("<ul class=\"commitments\">");
            for cm in &r.commitments {
                let _ = write!(
                    b,
                    "<li id=\"c-{id}\" data-status=\"{}\">{} <span dir=\"auto\">{}</span> <span class=\"muted\">— {}: {} · {}: {}{}</span>",
                    esc(&cm.current),
                    status_tag(c, &cm.current, cm.overdue),
                    esc(l.pick(&cm.commitment.text.ar, &cm.commitment.text.en)),
                    c.t("owner"),
                    esc(&reports::party_label(&cm.commitment.owner, l.into())),
                    c.t("due"),
                    cm.commitment.due.map(|d| date(l, d)).unwrap_or_else(|| "—".into()),
                    cm.settled
                        .as_ref()
                        .map(|s| format!(" · {}: {}", c.t("settled_by"), settled_link(s, l)))
                        .unwrap_or_default(),
                    id = esc(cm.commitment.id.as_str()),
                );
                if !cm.history.is_empty() {
                    b.push_str("<ul class=\"history\">");
                    for h in &cm.history {
                        let _ = write!(
                            b,
                            "<li>{} {} <span class=\"muted\">({})</span>{}</li>",
                            i18n::date_str(l, &h.date),
                            status_tag(c, &h.status, false),
                            esc(&h.recorded_by),
                            if h.evidence.is_empty() {
                                String::new()
                            } else {
                                format!(" — <span dir=\"auto\">{}</span>", esc(&h.evidence))
                            }
                        );
                    }
                    b.push_str("</ul>");
                }
                if a.user.may_review() {
                    let _ = write!(
                        b,
                        "<details class=\"fu\"><summary>{}</summary><form method=\"post\" action=\"/rounds/{}/commitments/{}/followups\" class=\"followup-form\">{}\
<label>{} <select name=\"status\">{}</select></label> <label>{} <input type=\"date\" name=\"date\" value=\"{today}\" max=\"{today}\"></label>\
<label>{} <input name=\"settled_by\" maxlength=\"500\" placeholder=\"astana-7\"></label> <label>{} <input name=\"evidence\" maxlength=\"2000\"></label>\
<button>{}</button></form></details>",
                        c.t("record_follow_up"),
                        qv(&r.agreement),
                        qv(cm.commitment.id.as_str()),
                        c.csrf_field(),
                        c.t("status"),
                        ["met", "missed", "postponed", "open"]
                            .iter()
                            .map(|s| format!("<option value=\"{s}\">{}</option>", esc(&i18n::word(l, s))))
                            .collect::<String>(),
                        c.t("date"),
                        c.t("settled_by"),
                        c.t("fu_evidence"),
                        c.t("save"),
                    );
                }
                b.push_str("</li>");
            }
            b.push_str("</ul>");
        }
        b.push_str("</li>");
    }
    b.push_str("</ol>");
    let _ = write!(
        b,
        "<p class=\"muted\">{}: {}</p>",
        c.t("total"),
        num(l, rounds.len())
    );
    Ok(page(c, c.t("rounds"), &b))
}

/// A round id links to that round; a URL is shown as text (never followed
/// from here); anything else is plain text.
fn settled_link(s: &str, _l: Lang) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        format!("<a href=\"#r-{}\">{}</a>", esc(s), esc(s))
    } else {
        format!("<span dir=\"auto\">{}</span>", esc(s))
    }
}

// ---------- consents (form) ----------

#[derive(Deserialize)]
pub struct ConsentForm {
    #[serde(default)]
    csrf: String,
    party: String,
    extension: String,
    decision: String,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    note: String,
    #[serde(default)]
    next: Option<String>,
}

/// `POST /agreements/{id}/consents` (the zone page's form): a liaison's
/// consent or objection for its own party; back to the page it came from.
pub async fn consent_form(
    State(st): State<AppState>,
    m: MaybeAuth,
    uri: Uri,
    Path(agreement): Path<String>,
    FormBody(f): FormBody<ConsentForm>,
) -> Result<Response, Response> {
    let a = need_form(m, &uri, &f.csrf)?;
    let extension: u32 = i18n::ascii_digits(f.extension.trim())
        .parse()
        .map_err(|_| {
            ApiError::bad(
                "bad_extension",
                format!("extension {:?} is not a whole number", f.extension),
            )
            .html()
            .into_response()
        })?;
    let next = safe_next(f.next.as_deref());
    let st2 = st.clone();
    blocking(move || {
        api::record_consent(
            &st2,
            &a,
            &agreement,
            ConsentReq {
                party: f.party,
                extension,
                decision: f.decision,
                date: f.date,
                note: f.note,
            },
        )
    })
    .await
    .map_err(|e| e.html().into_response())?;
    let sep = if next.contains('?') { '&' } else { '?' };
    Ok(Redirect::to(&format!("{next}{sep}saved=consent")).into_response())
}

/// The consent form for the zone page, when the user speaks for a party of
/// this agreement (a liaison for its own, an admin for any guarantor).
pub fn consent_form_html(
    c: &Ctx,
    a: &Auth,
    ag: &hudna_core::Agreement,
    next_extension: Option<u32>,
    today: NaiveDate,
) -> String {
    let parties: Vec<&hudna_core::Party> = ag
        .parties
        .iter()
        .filter(|p| p.role == hudna_core::Role::Guarantor && a.user.may_speak_for(p.id.as_str()))
        .collect();
    if parties.is_empty() {
        return String::new();
    }
    let l = c.lang;
    let mut b = String::new();
    let _ = write!(
        b,
        "<form method=\"post\" action=\"/agreements/{}/consents\" id=\"consent-form\" class=\"filters\">{}\
<input type=\"hidden\" name=\"next\" value=\"{}\"><h3>{}</h3>\
<label>{} <select name=\"party\">{}</select></label> \
<label>{} <input name=\"extension\" inputmode=\"numeric\" value=\"{}\" class=\"short\"></label> \
<label>{} <select name=\"decision\"><option value=\"grant\">{}</option><option value=\"object\">{}</option></select></label> \
<label>{} <input type=\"date\" name=\"date\" value=\"{today}\" max=\"{today}\"></label> \
<label>{} <input name=\"note\" maxlength=\"500\"></label> <button>{}</button></form>",
        qv(ag.id.as_str()),
        c.csrf_field(),
        esc(c.here.split('?').next().unwrap_or("/")),
        c.t("record_consent"),
        c.t("party"),
        parties
            .iter()
            .map(|p| format!(
                "<option value=\"{}\">{}</option>",
                esc(p.id.as_str()),
                esc(l.pick(&p.names.ar, &p.names.en))
            ))
            .collect::<String>(),
        c.t("extension_number"),
        next_extension.unwrap_or(1),
        c.t("decision"),
        c.t("grant"),
        c.t("object"),
        c.t("date"),
        c.t("note"),
        c.t("save"),
    );
    b
}

// ---------- open exports and imports ----------

/// `GET /api/exports/incidents`: the incident list's filters plus `format`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ExportQ {
    pub format: Option<String>,
    pub agreement: Option<String>,
    pub zone: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
    pub status: Option<String>,
    pub violations: Option<String>,
    pub published: Option<String>,
}

/// `GET /api/exports/incidents?format=acled-csv|geojson|jsonl&…`: every
/// matching incident (viewers: published only), in ACLED columns with the
/// HXL row, RFC 7946 GeoJSON, or JSON Lines that re-import without loss.
pub async fn export_incidents(
    State(st): State<AppState>,
    ApiAuth(a): ApiAuth,
    api::Q(q): api::Q<ExportQ>,
) -> ApiResult<Response> {
    let lq = api::ListQuery {
        agreement: q.agreement.clone(),
        zone: q.zone.clone(),
        since: q.since.clone(),
        until: q.until.clone(),
        status: q.status.clone(),
        violations: q.violations.clone(),
        limit: None,
        offset: None,
    };
    let mut filter = lq.filter(&a)?;
    filter.limit = None;
    filter.offset = None;
    if matches!(q.published.as_deref(), Some("1" | "true" | "on")) {
        filter.published_only = true;
    }
    let format = q.format.as_deref().unwrap_or("jsonl").trim().to_owned();
    let (ct, ext) = match format.as_str() {
        "acled-csv" => ("text/csv; charset=utf-8", "csv"),
        "geojson" => ("application/geo+json", "geojson"),
        "jsonl" => ("application/x-ndjson", "jsonl"),
        other => {
            return Err(ApiError::bad(
                "bad_format",
                format!("format {other:?}: expected acled-csv, geojson or jsonl"),
            ))
        }
    };
    let h = st.hudna.clone();
    let body = blocking(move || {
        let mut out: Vec<u8> = vec![];
        match format.as_str() {
            "acled-csv" => {
                h.export_acled_csv(&filter, &mut out)?;
            }
            "geojson" => {
                out = serde_json::to_vec(&h.export_geojson(&filter)?)
                    .map_err(|e| ApiError::internal(e.to_string()))?;
            }
            _ => {
                h.export_jsonl(&filter, &mut out)?;
            }
        }
        Ok(out)
    })
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, ct.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"hudna-incidents.{ext}\""),
            ),
        ],
        body,
    )
        .into_response())
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ZonesExportQ {
    pub at: Option<String>,
}

/// `GET /api/exports/zones?at=D`: zones, security zones and posts as they
/// stood that day, as RFC 7946 GeoJSON.
pub async fn export_zones(
    State(st): State<AppState>,
    ApiAuth(_): ApiAuth,
    api::Q(q): api::Q<ZonesExportQ>,
) -> ApiResult<Response> {
    let at = api::parse_opt(&q.at)?.unwrap_or_else(st.config.today);
    let h = st.hudna.clone();
    let v = blocking(move || Ok(h.zones_geojson(at)?)).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/geo+json")],
        serde_json::to_vec(&v).map_err(|e| ApiError::internal(e.to_string()))?,
    )
        .into_response())
}

/// `POST /api/imports/jsonl` (a JSON Lines export) and
/// `/api/imports/acled-csv` (ACLED columns, HXL row optional): analysts and
/// admins. Every bad line is reported by number; the rest are taken.
pub async fn import(
    State(st): State<AppState>,
    ApiAuth(a): ApiAuth,
    headers: HeaderMap,
    Path(kind): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<Response> {
    a.check_csrf(api::csrf_header(&headers))?;
    if !a.user.may_review() {
        return Err(ApiError::forbidden(
            "forbidden_role",
            "only analysts and admins import",
        ));
    }
    if !matches!(kind.as_str(), "jsonl" | "acled-csv") {
        return Err(ApiError::not_found(
            "import_not_found",
            format!("no import {kind}; jsonl or acled-csv"),
        ));
    }
    let text = String::from_utf8(body.to_vec()).map_err(|e| {
        ApiError::bad(
            "binary_text",
            format!(
                "the body is not UTF-8 at byte {}",
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    if text.trim().is_empty() {
        return Err(ApiError::bad("empty_text", "the body is empty"));
    }
    let st2 = st.clone();
    let actor = a.user.actor();
    let (summary, problems) = blocking(move || {
        let today = (st2.config.today)();
        if kind == "jsonl" {
            Ok(st2
                .hudna
                .import_jsonl(&text, "upload.jsonl", &actor, today)?)
        } else {
            let read = hudna_app::sources::read_acled("upload.csv", &text);
            let s = st2.hudna.ingest(read.reports, &actor, today, &|_| {})?;
            Ok((s, read.problems))
        }
    })
    .await?;
    st.changed();
    Ok((
        StatusCode::OK,
        Json(json!({
            "stored": summary.stored,
            "duplicates": summary.duplicates,
            "rejected": summary.rejected,
            "new_incidents": summary.new_incidents,
            "problems": problems,
        })),
    )
        .into_response())
}
