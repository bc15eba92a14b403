//! Accounts administration on the desk (admins only): organisations and
//! users, with the forms that add them. Passwords are set here once and
//! never shown; `hudna user add` and `hudna org add` do the same from a shell.
#![allow(clippy::result_large_err)]

use crate::auth::{Auth, MaybeAuth};
use crate::error::{ApiError, ApiResult};
use crate::html::{esc, page, Ctx};
use crate::pages::{ctx, html, need, need_form, FormBody};
use crate::{blocking, AppState};
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use hudna_app::accounts::{Role, ORG_KINDS};
use serde::Deserialize;
use std::fmt::Write;

fn admin_only(a: &Auth) -> ApiResult<()> {
    if a.user.is_admin() {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "forbidden_role",
            "only admins manage accounts",
        ))
    }
}

/// `GET /admin/accounts`.
pub async fn accounts_page(
    State(st): State<AppState>,
    m: MaybeAuth,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, Response> {
    let a = need(m, &uri)?;
    let c = ctx(&headers, &uri, Some(&a));
    let st2 = st.clone();
    let body = blocking(move || {
        admin_only(&a)?;
        accounts_html(&st2, &c)
    })
    .await
    .map_err(|e| e.html().into_response())?;
    Ok(html(body))
}

fn accounts_html(st: &AppState, c: &Ctx) -> ApiResult<String> {
    let orgs = st.accounts.orgs()?;
    let users = st.accounts.users()?;
    let mut b = format!("<h1>{}</h1>", c.t("accounts"));
    let _ = write!(
        b,
        "<h2>{}</h2><table id=\"orgs\"><tr><th>id</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        c.t("organisations"),
        c.t("name"),
        c.t("kind"),
        c.t("party")
    );
    for o in &orgs {
        let _ = write!(
            b,
            "<tr><td><code>{}</code></td><td dir=\"auto\">{}</td><td>{}</td><td>{}</td></tr>",
            esc(&o.id),
            esc(&o.name),
            esc(&o.kind),
            esc(o.party.as_deref().unwrap_or("—"))
        );
    }
    b.push_str("</table>");
    let _ = write!(
        b,
        "<form method=\"post\" action=\"/admin/orgs\" id=\"org-form\" class=\"filters\">{}\
<label>id <input name=\"id\" required pattern=\"[a-z0-9_-]+\" maxlength=\"64\"></label> \
<label>{} <input name=\"name\" maxlength=\"200\"></label> \
<label>{} <select name=\"kind\">{}</select></label> \
<label>{} <input name=\"party\" maxlength=\"64\" placeholder=\"turkey\"></label> <button>{}</button></form>",
        c.csrf_field(),
        c.t("name"),
        c.t("kind"),
        ORG_KINDS
            .iter()
            .map(|k| format!("<option>{k}</option>"))
            .collect::<String>(),
        c.t("party"),
        c.t("add")
    );
    let _ = write!(
        b,
        "<h2>{}</h2><table id=\"users\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        c.t("users"),
        c.t("username"),
        c.t("name"),
        c.t("organisation"),
        c.t("role"),
        c.t("status")
    );
    for u in &users {
        let _ = write!(
            b,
            "<tr id=\"user-{}\"><td><code>{}</code></td><td dir=\"auto\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&u.username),
            esc(&u.username),
            esc(&u.display_name),
            esc(&u.org),
            esc(&u.role),
            if u.disabled { c.t("user_disabled") } else { c.t("user_active") }
        );
    }
    b.push_str("</table>");
    let _ = write!(
        b,
        "<form method=\"post\" action=\"/admin/users\" id=\"user-form\" class=\"filters\" autocomplete=\"off\">{}\
<label>{} <input name=\"username\" required pattern=\"[a-z0-9_-]+\" maxlength=\"64\"></label> \
<label>{} <input name=\"display_name\" maxlength=\"200\"></label> \
<label>{} <select name=\"org\">{}</select></label> \
<label>{} <select name=\"role\">{}</select></label> \
<label>{} <input type=\"password\" name=\"password\" minlength=\"10\" required autocomplete=\"new-password\"></label> <button>{}</button></form>",
        c.csrf_field(),
        c.t("username"),
        c.t("name"),
        c.t("organisation"),
        orgs.iter()
            .map(|o| format!("<option value=\"{}\">{}</option>", esc(&o.id), esc(&o.name)))
            .collect::<String>(),
        c.t("role"),
        Role::ALL
            .iter()
            .map(|r| format!("<option>{}</option>", r.as_str()))
            .collect::<String>(),
        c.t("password"),
        c.t("add")
    );
    Ok(page(c, c.t("accounts"), &b))
}

#[derive(Deserialize)]
pub struct OrgForm {
    #[serde(default)]
    csrf: String,
    id: String,
    #[serde(default)]
    name: String,
    kind: String,
    #[serde(default)]
    party: String,
}

/// `POST /admin/orgs`.
pub async fn add_org(
    State(st): State<AppState>,
    m: MaybeAuth,
    uri: Uri,
    FormBody(f): FormBody<OrgForm>,
) -> Result<Response, Response> {
    let a = need_form(m, &uri, &f.csrf)?;
    blocking(move || {
        admin_only(&a)?;
        let party = Some(f.party.trim()).filter(|p| !p.is_empty());
        st.accounts
            .add_org(f.id.trim(), &f.name, f.kind.trim(), party, &a.user.actor())?;
        Ok(())
    })
    .await
    .map_err(|e| e.html().into_response())?;
    Ok(Redirect::to("/admin/accounts?saved=org").into_response())
}

#[derive(Deserialize)]
pub struct UserForm {
    #[serde(default)]
    csrf: String,
    username: String,
    #[serde(default)]
    display_name: String,
    org: String,
    role: String,
    password: String,
}

/// `POST /admin/users`.
pub async fn add_user(
    State(st): State<AppState>,
    m: MaybeAuth,
    uri: Uri,
    FormBody(f): FormBody<UserForm>,
) -> Result<Response, Response> {
    let a = need_form(m, &uri, &f.csrf)?;
    blocking(move || {
        admin_only(&a)?;
        let role = Role::parse(f.role.trim())?;
        st.accounts.add_user(
            f.username.trim(),
            f.display_name.trim(),
            f.org.trim(),
            role,
            &f.password,
            &a.user.actor(),
        )?;
        Ok(())
    })
    .await
    .map_err(|e| e.html().into_response())?;
    Ok(Redirect::to("/admin/accounts?saved=user").into_response())
}
