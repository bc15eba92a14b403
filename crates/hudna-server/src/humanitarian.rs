//! The humanitarian file on the desk: lists handed over, exchanges, the
//! review of candidate links between records, one person record with its
//! linked records and status history, and status changes.
//!
//! Personal data: humanitarian officers only (every other role, admins
//! included, is refused), and every read of a record is in the audit log
//! (the app writes it).
#![allow(clippy::result_large_err)]

use crate::auth::{Auth, MaybeAuth};
use crate::error::{ApiError, ApiResult};
use crate::html::{esc, page, Ctx};
use crate::i18n::{self, num};
use crate::pages::{ctx, html, need, need_form, FormBody};
use crate::{api, blocking, AppState};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use hudna_store::PersonRecordRow;
use serde::Deserialize;
use std::fmt::Write;

/// A party's name in the page's language.
fn party(l: i18n::Lang, id: &str) -> String {
    hudna_app::reports::party_label(id, l.into())
}

fn officers_only(a: &Auth) -> ApiResult<()> {
    if a.user.sees_personal_data() {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "forbidden_role",
            "personal data is for humanitarian officers only",
        ))
    }
}

async fn page_of(
    st: AppState,
    m: MaybeAuth,
    headers: HeaderMap,
    uri: Uri,
    f: impl FnOnce(&AppState, &Auth, &Ctx) -> ApiResult<String> + Send + 'static,
) -> Result<Response, Response> {
    let a = need(m, &uri)?;
    let c = ctx(&headers, &uri, Some(&a));
    let body = blocking(move || {
        officers_only(&a)?;
        f(&st, &a, &c)
    })
    .await
    .map_err(|e| e.html().into_response())?;
    Ok(html(body))
}

/// `GET /persons`: lists, exchanges, and how many links wait for review.
pub async fn overview(
    State(st): State<AppState>,
    m: MaybeAuth,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, Response> {
    page_of(st, m, headers, uri, |st, _a, c| {
        let h = &st.hudna;
        let l = c.lang;
        let lists = h.person_lists()?;
        let pending = h.person_links(Some("candidate"))?.len();
        let mut b = format!("<h1>{}</h1>", c.t("humanitarian_file"));
        let _ = write!(
            b,
            "<p><a href=\"/persons/review\" id=\"review-link\">{}</a>: <b id=\"pending\">{}</b></p>",
            c.t("links_to_review"),
            num(l, pending)
        );
        let _ = write!(
            b,
            "<h2>{}</h2><table id=\"lists\"><tr><th>#</th><th>{}</th><th>{}</th><th>{}</th><th class=\"num\">{}</th></tr>",
            c.t("lists"),
            c.t("name"),
            c.t("party"),
            c.t("received"),
            c.t("records")
        );
        for x in &lists {
            let _ = write!(
                b,
                "<tr><td>{}</td><td dir=\"auto\">{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
                num(l, x.id),
                esc(&x.name),
                esc(&party(l, &x.source_party)),
                i18n::date_str(l, &x.received),
                num(l, x.records)
            );
        }
        b.push_str("</table>");
        let ex = h.exchanges()?;
        let _ = write!(
            b,
            "<h2>{}</h2><table id=\"exchanges\"><tr><th>{}</th><th>{}</th><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th></tr>",
            c.t("exchanges"),
            c.t("date"),
            c.t("mediator"),
            c.t("place"),
            c.t("released_n"),
            c.t("bodies_n")
        );
        for e in &ex {
            let rel = e.items.iter().filter(|i| i.kind == "released").count();
            let bod = e.items.len() - rel;
            let _ = write!(
                b,
                "<tr><td>{}</td><td>{}</td><td dir=\"auto\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                i18n::date_str(l, &e.date),
                esc(&e.mediator),
                esc(&e.place),
                num(l, rel),
                num(l, bod)
            );
        }
        b.push_str("</table>");
        Ok(page(c, c.t("humanitarian_file"), &b))
    })
    .await
}

fn record_cells(c: &Ctx, r: &PersonRecordRow) -> String {
    let l = c.lang;
    let parts: Vec<&str> = [&r.first, &r.father, &r.grandfather, &r.family]
        .into_iter()
        .map(String::as_str)
        .filter(|s| !s.is_empty())
        .collect();
    format!(
        "<a href=\"/persons/{id}\" dir=\"auto\"><b>{}</b></a><br><span class=\"muted\" dir=\"auto\">{}</span><br>\
<span class=\"muted\">{}: {} · {}: {} · {}: {} · {}: {}</span>",
        esc(if r.full_name.is_empty() {
            &r.first
        } else {
            &r.full_name
        }),
        esc(&parts.join(" / ")),
        c.t("mother"),
        esc(if r.mother.is_empty() { "—" } else { &r.mother }),
        c.t("birth_year"),
        esc(if r.birth_year.is_empty() {
            "—"
        } else {
            &r.birth_year
        }),
        c.t("place"),
        esc(if r.place.is_empty() { "—" } else { &r.place }),
        c.t("status"),
        esc(&i18n::word(l, &r.status)),
        id = r.id,
    )
}

/// `GET /persons/review`: candidate links, most probable first, with both
/// records side by side and accept / reject.
pub async fn review_page(
    State(st): State<AppState>,
    m: MaybeAuth,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, Response> {
    page_of(st, m, headers, uri, |st, a, c| {
        let l = c.lang;
        let pairs = st.hudna.link_review(None, 50, &a.user.actor())?;
        let mut b = format!(
            "<h1>{}</h1><p class=\"muted\">{}</p>",
            c.t("links_to_review"),
            c.t("review_note")
        );
        if pairs.is_empty() {
            let _ = write!(b, "<p id=\"no-candidates\">{}</p>", c.t("none"));
        }
        b.push_str("<table id=\"candidates\">");
        for p in &pairs {
            let _ = write!(
                b,
                "<tr id=\"link-{}-{}\"><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>\
<form method=\"post\" action=\"/persons/review\" class=\"inline\">{csrf}<input type=\"hidden\" name=\"a\" value=\"{}\"><input type=\"hidden\" name=\"b\" value=\"{}\">\
<button name=\"decision\" value=\"accept\" class=\"accept\">{}</button> <button name=\"decision\" value=\"reject\" class=\"reject\">{}</button></form>\
<details><summary>{}</summary><pre dir=\"ltr\">{}</pre></details></td></tr>",
                p.a.id,
                p.b.id,
                record_cells(c, &p.a),
                record_cells(c, &p.b),
                i18n::digits(l, &format!("{:.3}", p.link.probability)),
                p.a.id,
                p.b.id,
                c.t("same_person"),
                c.t("different_people"),
                c.t("why"),
                esc(&explanation(&p.link.explanation)),
                csrf = c.csrf_field(),
            );
        }
        b.push_str("</table>");
        Ok(page(c, c.t("links_to_review"), &b))
    })
    .await
}

/// The stored explanation is a JSON string of the engine's per-field
/// weights; shown as text.
fn explanation(s: &str) -> String {
    serde_json::from_str::<String>(s).unwrap_or_else(|_| s.to_owned())
}

#[derive(Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    csrf: String,
    a: String,
    b: String,
    decision: String,
    #[serde(default)]
    next: Option<String>,
}

/// `POST /persons/review`.
pub async fn review_submit(
    State(st): State<AppState>,
    m: MaybeAuth,
    uri: Uri,
    FormBody(f): FormBody<ReviewForm>,
) -> Result<Response, Response> {
    let a = need_form(m, &uri, &f.csrf)?;
    let next = match f.next.as_deref() {
        Some(n) if n.starts_with("/persons/") => crate::pages::safe_next(Some(n)),
        _ => "/persons/review".to_owned(),
    };
    blocking(move || {
        officers_only(&a)?;
        let ra = api::parse_id("person record", f.a.trim())?;
        let rb = api::parse_id("person record", f.b.trim())?;
        let accept = match f.decision.as_str() {
            "accept" => true,
            "reject" => false,
            other => {
                return Err(ApiError::bad(
                    "bad_decision",
                    format!("decision {other:?}: accept or reject"),
                ))
            }
        };
        st.hudna
            .review_person_link(ra, rb, accept, &a.user.actor())?;
        Ok(())
    })
    .await
    .map_err(|e| e.html().into_response())?;
    Ok(Redirect::to(&format!("{next}?saved=link")).into_response())
}

/// `GET /persons/{id}`: one record (the read is audited), the records
/// decided to be the same person, its status history and a status form.
pub async fn person_page(
    State(st): State<AppState>,
    m: MaybeAuth,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Response, Response> {
    page_of(st, m, headers, uri, move |st, a, c| {
        let l = c.lang;
        let id = api::parse_id("person record", &id)?;
        let v = st.hudna.person(id, &a.user.actor())?;
        let r = &v.record;
        let mut b = format!(
            "<h1 id=\"person-title\" dir=\"auto\">{}</h1>",
            esc(if r.full_name.is_empty() {
                &r.first
            } else {
                &r.full_name
            })
        );
        b.push_str("<table id=\"record\">");
        for (k, val) in [
            ("first_name", &r.first),
            ("father", &r.father),
            ("grandfather", &r.grandfather),
            ("family_name", &r.family),
            ("mother", &r.mother),
            ("sex", &r.sex),
            ("birth_year", &r.birth_year),
            ("place", &r.place),
            ("event_date", &r.event_date),
            ("event_place", &r.event_place),
            ("holding_party", &r.holding_party),
        ] {
            let _ = write!(
                b,
                "<tr><th>{}</th><td dir=\"auto\">{}</td></tr>",
                c.t(k),
                esc(if val.is_empty() { "—" } else { val })
            );
        }
        let _ = write!(
            b,
            "<tr><th>{}</th><td id=\"record-status\" data-status=\"{}\">{}</td></tr></table>",
            c.t("status"),
            esc(&r.status),
            esc(&i18n::word(l, &r.status))
        );
        if let Some(list) = &v.list {
            let _ = write!(
                b,
                "<p class=\"muted\">{}: <span dir=\"auto\">{}</span> ({}, {})</p>",
                c.t("lists"),
                esc(&list.name),
                esc(&party(l, &list.source_party)),
                i18n::date_str(l, &list.received)
            );
        }
        let _ = write!(b, "<h2>{}</h2>", c.t("same_person_records"));
        if v.same_person.is_empty() {
            let _ = write!(b, "<p class=\"muted\">{}</p>", c.t("none"));
        } else {
            b.push_str("<ul id=\"same-person\">");
            for o in &v.same_person {
                let _ = write!(
                    b,
                    "<li id=\"same-{}\">{} <form method=\"post\" action=\"/persons/review\" class=\"inline\">{}\
<input type=\"hidden\" name=\"a\" value=\"{id}\"><input type=\"hidden\" name=\"b\" value=\"{}\">\
<input type=\"hidden\" name=\"next\" value=\"/persons/{id}\"><button name=\"decision\" value=\"reject\" class=\"reject\">{}</button></form></li>",
                    o.id,
                    record_cells(c, o),
                    c.csrf_field(),
                    o.id,
                    c.t("different_people"),
                );
            }
            b.push_str("</ul>");
            let _ = write!(b, "<p class=\"muted\">{}</p>", c.t("undo_note"));
        }
        let _ = write!(
            b,
            "<h2>{}</h2><table id=\"status-history\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            c.t("history"),
            c.t("date"),
            c.t("status"),
            c.t("note"),
            c.t("recorded_by")
        );
        for hst in &v.history {
            let _ = write!(
                b,
                "<tr><td>{}</td><td>{} → {}</td><td dir=\"auto\">{}</td><td>{}</td></tr>",
                i18n::date_str(l, &hst.date),
                esc(&i18n::word(l, &hst.from_status)),
                esc(&i18n::word(l, &hst.to_status)),
                esc(&hst.note),
                esc(&hst.recorded_by)
            );
        }
        b.push_str("</table>");
        let today = (st.config.today)();
        let _ = write!(
            b,
            "<form method=\"post\" action=\"/persons/{id}/status\" id=\"status-form\" class=\"filters\">{}\
<label>{} <select name=\"to\">{}</select></label> <label>{} <input type=\"date\" name=\"date\" value=\"{today}\" max=\"{today}\"></label> \
<label>{} <input name=\"note\" maxlength=\"500\"></label> <button>{}</button></form>",
            c.csrf_field(),
            c.t("status"),
            hudna_store::STATUSES
                .iter()
                .map(|s| format!(
                    "<option value=\"{s}\"{}>{}</option>",
                    if *s == r.status { " selected" } else { "" },
                    esc(&i18n::word(l, s))
                ))
                .collect::<String>(),
            c.t("date"),
            c.t("note"),
            c.t("save")
        );
        Ok(page(c, c.t("humanitarian_file"), &b))
    })
    .await
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    csrf: String,
    to: String,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    note: String,
}

/// `POST /persons/{id}/status`.
pub async fn status_submit(
    State(st): State<AppState>,
    m: MaybeAuth,
    uri: Uri,
    Path(id): Path<String>,
    FormBody(f): FormBody<StatusForm>,
) -> Result<Response, Response> {
    let a = need_form(m, &uri, &f.csrf)?;
    let id2 = id.clone();
    blocking(move || {
        officers_only(&a)?;
        let id = api::parse_id("person record", &id2)?;
        let today = (st.config.today)();
        let date = api::opt_date("date", &f.date)?.unwrap_or(today);
        if date > today {
            return Err(ApiError::bad(
                "date_in_future",
                format!("date {date} is in the future"),
            ));
        }
        st.hudna
            .set_person_status(id, f.to.trim(), date, f.note.trim(), &a.user.actor())?;
        Ok(())
    })
    .await
    .map_err(|e| e.html().into_response())?;
    let id = api::parse_id("person record", &id).map_err(|e| e.html().into_response())?;
    Ok(Redirect::to(&format!("/persons/{id}?saved=status")).into_response())
}
