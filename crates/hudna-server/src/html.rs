//! HTML building blocks: escaping, the page layout, the error page.
//!
//! Pages are plain strings built with `write!`: no template engine, no
//! client-side rendering, and every interpolated value goes through [`esc`].

use crate::i18n::{t, Lang};
use hudna_app::accounts::Principal;
use std::fmt::Write;

/// Escapes text for HTML element content and quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Percent-encodes a query value.
pub fn qv(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

/// What every page needs to know about the request.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub user: Option<Principal>,
    pub csrf: String,
    /// Path and query of this page (for the language switch).
    pub here: String,
}

impl Ctx {
    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        t(self.lang, key)
    }
    /// The hidden CSRF field every form carries.
    pub fn csrf_field(&self) -> String {
        format!(
            "<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
            esc(&self.csrf)
        )
    }
}

/// The page around `body`.
pub fn page(ctx: &Ctx, title: &str, body: &str) -> String {
    let l = ctx.lang;
    let mut s = String::with_capacity(body.len() + 2048);
    let _ = write!(
        s,
        "<!doctype html><html lang=\"{}\" dir=\"{}\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{} · {}</title><link rel=\"stylesheet\" href=\"/assets/app.css\">\
<link rel=\"icon\" href=\"/assets/favicon.svg\" type=\"image/svg+xml\">\
<script src=\"/assets/app.js\" defer></script></head><body>",
        l.code(),
        l.dir(),
        esc(title),
        t(l, "app_name"),
    );
    s.push_str("<header><nav>");
    let _ = write!(s, "<a class=\"brand\" href=\"/\">{}</a>", t(l, "app_name"));
    if ctx.user.is_some() {
        for (href, key) in [
            ("/", "dashboard"),
            ("/map", "map"),
            ("/incidents", "incidents"),
            ("/reports/new", "new_report"),
            ("/situation", "situation_reports"),
            ("/rounds", "rounds"),
        ] {
            let _ = write!(s, "<a href=\"{href}\" id=\"nav-{key}\">{}</a>", t(l, key));
        }
        if ctx.user.as_ref().is_some_and(|u| u.sees_personal_data()) {
            let _ = write!(
                s,
                "<a href=\"/persons\" id=\"nav-persons\">{}</a>",
                t(l, "humanitarian_file")
            );
        }
        if ctx.user.as_ref().is_some_and(|u| u.is_admin()) {
            let _ = write!(
                s,
                "<a href=\"/admin/accounts\" id=\"nav-accounts\">{}</a>",
                t(l, "accounts")
            );
        }
    }
    let _ = write!(
        s,
        "<a id=\"lang-switch\" href=\"/lang/{}?next={}\" lang=\"{}\">{}</a>",
        l.other().code(),
        qv(&ctx.here),
        l.other().code(),
        t(l, "language_switch")
    );
    if let Some(u) = &ctx.user {
        let _ = write!(
            s,
            "<span class=\"who\">{}: <b id=\"who\">{}</b> ({})</span>\
<form method=\"post\" action=\"/logout\" class=\"inline\">{}<button id=\"logout\">{}</button></form>",
            t(l, "signed_in_as"),
            esc(&u.username),
            esc(u.role.as_str()),
            ctx.csrf_field(),
            t(l, "logout")
        );
    }
    s.push_str("</nav></header><main>");
    s.push_str(body);
    let _ = write!(
        s,
        "</main><footer>{} · <a href=\"/api/openapi.json\">{}</a></footer></body></html>",
        t(l, "tagline"),
        t(l, "api_docs")
    );
    s
}

/// A bilingual error page (the request's language may be unknown).
pub fn error_page(status: u16, code: &str, message: &str) -> String {
    format!(
        "<!doctype html><html lang=\"ar\" dir=\"rtl\"><head><meta charset=\"utf-8\">\
<title>{status}</title><link rel=\"stylesheet\" href=\"/assets/app.css\"></head><body><main>\
<h1>خطأ · Error {status}</h1><p><code id=\"error-code\">{}</code></p><p dir=\"auto\">{}</p>\
<p><a href=\"/\">هدنة · Hudna</a></p></main></body></html>",
        esc(code),
        esc(message)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(qv("/incidents?zone=a b"), "/incidents%3Fzone%3Da%20b");
    }
}
