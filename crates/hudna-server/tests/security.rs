//! The desk's security, as tables: every route × every role (and nobody),
//! hostile input through every filter and path parameter, oversized and
//! malformed bodies, session fixation, CSRF on every form, and the security
//! headers on every response (errors included).
//!
//! The route table must name every route the router has: the test reads the
//! `.route(..)` calls of `src/lib.rs` and `src/api.rs` and compares, and
//! checks the API half against the OpenAPI document. A new route fails this
//! test until its row (who may, who may not) is written here.
//!
//! Runs on SQLite, and on PostgreSQL too when `HUDNA_TEST_PG` is set.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{run, Fixture};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use tower::ServiceExt;

/// Who asks: nobody, or a user of each role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Who {
    Anon,
    Admin,
    Analyst,
    /// Turkey's liaison office (speaks for `turkey` only).
    Liaison,
    Humanitarian,
    Viewer,
}

const WHO: [Who; 6] = [
    Who::Anon,
    Who::Admin,
    Who::Analyst,
    Who::Liaison,
    Who::Humanitarian,
    Who::Viewer,
];

impl Who {
    fn creds(self) -> Option<(&'static str, &'static str)> {
        Some(match self {
            Who::Anon => return None,
            Who::Admin => ("admin", "hudna-admin-demo"),
            Who::Analyst => ("analyst", "hudna-analyst-demo"),
            Who::Liaison => ("turkey", "hudna-turkey-demo"),
            Who::Humanitarian => ("humanitarian", "hudna-humanitarian-demo"),
            Who::Viewer => ("viewer", "hudna-viewer-demo"),
        })
    }
}

/// What a row expects, one letter per caller in [`WHO`] order:
/// `A` allowed (2xx, or a redirect that is not to the login), `D` refused
/// (401, 403, or a redirect to the login), `H` hidden (404: viewers do not
/// learn that an unpublished incident exists), `R` a redirect to the login
/// page whoever asks (logout).
fn expect(row: &Row, who: Who) -> char {
    let i = WHO.iter().position(|w| *w == who).unwrap();
    row.exp.chars().nth(i).unwrap()
}

/// One request to make.
struct Req {
    uri: String,
    /// (content type, body)
    body: Option<(&'static str, String)>,
    /// More cookies (the login form's CSRF cookie).
    cookie: Option<String>,
}

fn get(uri: impl Into<String>) -> Req {
    Req {
        uri: uri.into(),
        body: None,
        cookie: None,
    }
}
fn form(uri: impl Into<String>, body: String) -> Req {
    Req {
        uri: uri.into(),
        body: Some(("application/x-www-form-urlencoded", body)),
        cookie: None,
    }
}
fn post_json(uri: impl Into<String>, body: Value) -> Req {
    Req {
        uri: uri.into(),
        body: Some(("application/json", body.to_string())),
        cookie: None,
    }
}

/// What the rows need to know about the fixture.
struct Ctx {
    /// An incident nobody has published yet.
    unpublished: i64,
    /// A published incident.
    published: i64,
    /// An incident of each caller's own to review (so transitions stay valid).
    review: HashMap<Who, i64>,
    /// (session cookie, CSRF token) of each user.
    sessions: HashMap<Who, (String, String)>,
    report: i64,
    /// A record of the humanitarian file (and the next one, `person + 1`).
    person: i64,
}

impl Ctx {
    fn csrf(&self, who: Who) -> String {
        self.sessions
            .get(&who)
            .map(|s| s.1.clone())
            .unwrap_or_default()
    }
}

/// A row: a route, how to call it as each caller, and who may.
struct Row {
    method: &'static str,
    /// The route as the router writes it.
    route: &'static str,
    make: fn(&Ctx, Who) -> Req,
    exp: &'static str,
    why: &'static str,
}

fn stance_body(c: &Ctx, w: Who, party: &str) -> String {
    format!(
        "csrf={}&agreement=astana-2017&party={party}&position=confirm&comment=matrix",
        c.csrf(w)
    )
}

/// The route table. Every route of the router appears at least once.
fn rows() -> Vec<Row> {
    vec![
        // ---------- pages ----------
        Row {
            method: "GET",
            route: "/",
            make: |_, _| get("/"),
            exp: "DAAAAA",
            why: "dashboard: any user",
        },
        Row {
            method: "GET",
            route: "/login",
            make: |_, _| get("/login?next=/map"),
            exp: "AAAAAA",
            why: "public; a user is sent on",
        },
        Row {
            method: "POST",
            route: "/login",
            make: |_, w| {
                let (u, p) = w.creds().unwrap_or(("viewer", "hudna-viewer-demo"));
                let mut r = form(
                    "/login",
                    format!("username={u}&password={p}&csrf=matrix-login&next=/"),
                );
                r.cookie = Some("hudna_login_csrf=matrix-login".into());
                r
            },
            exp: "AAAAAA",
            why: "public (with the form's CSRF cookie)",
        },
        Row {
            method: "GET",
            route: "/lang/{code}",
            make: |_, _| get("/lang/en?next=/map"),
            exp: "AAAAAA",
            why: "public",
        },
        Row {
            method: "GET",
            route: "/map",
            make: |_, _| get("/map?at=2018-03-03"),
            exp: "DAAAAA",
            why: "any user",
        },
        Row {
            method: "GET",
            route: "/incidents",
            make: |_, _| get("/incidents"),
            exp: "DAAAAA",
            why: "any user (viewers: published rows)",
        },
        Row {
            method: "GET",
            route: "/incidents/{id}",
            make: |c, _| get(format!("/incidents/{}", c.unpublished)),
            exp: "DAAAAH",
            why: "unpublished: not for viewers",
        },
        Row {
            method: "GET",
            route: "/incidents/{id}",
            make: |c, _| get(format!("/incidents/{}", c.published)),
            exp: "DAAAAA",
            why: "published: everyone signed in",
        },
        Row {
            method: "POST",
            route: "/incidents/{id}/stance",
            make: |c, w| {
                form(
                    format!("/incidents/{}/stance", c.unpublished),
                    stance_body(c, w, "turkey"),
                )
            },
            exp: "DADADD",
            why: "Turkey's stance: its liaison, or an admin",
        },
        Row {
            method: "POST",
            route: "/incidents/{id}/stance",
            make: |c, w| {
                form(
                    format!("/incidents/{}/stance", c.unpublished),
                    stance_body(c, w, "russia"),
                )
            },
            exp: "DADDDD",
            why: "Russia's stance: not Turkey's liaison",
        },
        Row {
            method: "POST",
            route: "/incidents/{id}/review",
            make: |c, w| {
                form(
                    format!("/incidents/{}/review", c.review[&w]),
                    format!("csrf={}&to=in_review", c.csrf(w)),
                )
            },
            exp: "DAADDD",
            why: "review: analysts and admins",
        },
        Row {
            method: "GET",
            route: "/zones/{agreement}/{zone}",
            make: |_, _| get("/zones/astana-2017/idlib?at=2018-03-03"),
            exp: "DAAAAA",
            why: "any user",
        },
        Row {
            method: "GET",
            route: "/reports/new",
            make: |_, _| get("/reports/new"),
            exp: "DAAAAD",
            why: "not viewers",
        },
        Row {
            method: "POST",
            route: "/reports",
            make: |c, w| {
                form("/reports", format!("csrf={}&text=%D9%82%D8%B5%D9%81+%D8%B9%D9%84%D9%89+%D9%83%D9%81%D8%B1%D9%86%D8%A8%D9%84+matrix+form+{w:?}&source=matrix&published=2018-03-04&url=", c.csrf(w)))
            },
            exp: "DAAAAD",
            why: "field reports: not viewers",
        },
        Row {
            method: "GET",
            route: "/assets/{name}",
            make: |_, _| get("/assets/app.css"),
            exp: "AAAAAA",
            why: "public",
        },
        // ---------- API ----------
        Row {
            method: "GET",
            route: "/api/health",
            make: |_, _| get("/api/health"),
            exp: "AAAAAA",
            why: "public (counts only)",
        },
        Row {
            method: "GET",
            route: "/api/openapi.json",
            make: |_, _| get("/api/openapi.json"),
            exp: "AAAAAA",
            why: "public",
        },
        Row {
            method: "GET",
            route: "/api/me",
            make: |_, _| get("/api/me"),
            exp: "DAAAAA",
            why: "any user",
        },
        Row {
            method: "POST",
            route: "/api/tokens",
            make: |_, _| post_json("/api/tokens", json!({"label": "matrix"})),
            exp: "DAAAAA",
            why: "own tokens",
        },
        Row {
            method: "GET",
            route: "/api/agreements",
            make: |_, _| get("/api/agreements"),
            exp: "DAAAAA",
            why: "any user",
        },
        Row {
            method: "GET",
            route: "/api/agreements/{id}",
            make: |_, _| get("/api/agreements/astana-2017"),
            exp: "DAAAAA",
            why: "any user",
        },
        Row {
            method: "GET",
            route: "/api/agreements/{id}/mandate",
            make: |_, _| get("/api/agreements/astana-2017/mandate?at=2017-12-01"),
            exp: "DAAAAA",
            why: "any user",
        },
        Row {
            method: "GET",
            route: "/api/agreements/{id}/consents",
            make: |_, _| get("/api/agreements/astana-2017/consents"),
            exp: "DAAAAA",
            why: "any user",
        },
        Row {
            method: "POST",
            route: "/api/agreements/{id}/consents",
            make: |_, _| {
                post_json(
                    "/api/agreements/astana-2017/consents",
                    json!({"party": "turkey", "extension": 1, "decision": "grant", "date": "2017-10-20"}),
                )
            },
            exp: "DADADD",
            why: "Turkey's consent: its liaison, or an admin",
        },
        Row {
            method: "POST",
            route: "/api/agreements/{id}/consents",
            make: |_, _| {
                post_json(
                    "/api/agreements/astana-2017/consents",
                    json!({"party": "iran", "extension": 1, "decision": "object", "date": "2017-10-20"}),
                )
            },
            exp: "DADDDD",
            why: "Iran's consent: not Turkey's liaison",
        },
        Row {
            method: "GET",
            route: "/api/zones",
            make: |_, _| get("/api/zones?at=2018-01-15"),
            exp: "DAAAAA",
            why: "any user",
        },
        Row {
            method: "GET",
            route: "/api/locate",
            make: |_, _| get("/api/locate?lat=35.6&lon=36.6&at=2018-01-15"),
            exp: "DAAAAA",
            why: "any user",
        },
        Row {
            method: "POST",
            route: "/api/extract",
            make: |_, _| {
                post_json(
                    "/api/extract",
                    json!({"text": "قصف مدفعي على معرة النعمان"}),
                )
            },
            exp: "DAAAAA",
            why: "stateless: any user",
        },
        Row {
            method: "POST",
            route: "/api/reports",
            make: |_, w| {
                post_json(
                    "/api/reports",
                    json!({"text": format!("قصف مدفعي على كفرنبل matrix api {w:?}"), "published": "2018-03-04"}),
                )
            },
            exp: "DAAAAD",
            why: "field reports: not viewers",
        },
        Row {
            method: "GET",
            route: "/api/reports/{id}",
            make: |c, _| get(format!("/api/reports/{}", c.report)),
            exp: "DAAAAD",
            why: "raw reports: not viewers",
        },
        Row {
            method: "GET",
            route: "/api/incidents",
            make: |_, _| get("/api/incidents?zone=idlib"),
            exp: "DAAAAA",
            why: "any user (viewers: published rows)",
        },
        Row {
            method: "GET",
            route: "/api/incidents/{id}",
            make: |c, _| get(format!("/api/incidents/{}", c.unpublished)),
            exp: "DAAAAH",
            why: "unpublished: not for viewers",
        },
        Row {
            method: "GET",
            route: "/api/incidents/{id}",
            make: |c, _| get(format!("/api/incidents/{}", c.published)),
            exp: "DAAAAA",
            why: "published",
        },
        Row {
            method: "GET",
            route: "/api/incidents/{id}/stances",
            make: |c, _| get(format!("/api/incidents/{}/stances", c.unpublished)),
            exp: "DAAAAH",
            why: "unpublished: not for viewers",
        },
        Row {
            method: "GET",
            route: "/api/incidents/{id}/stances",
            make: |c, _| get(format!("/api/incidents/{}/stances", c.published)),
            exp: "DAAAAA",
            why: "published",
        },
        Row {
            method: "POST",
            route: "/api/incidents/{id}/stances",
            make: |c, _| {
                post_json(
                    format!("/api/incidents/{}/stances", c.unpublished),
                    json!({"agreement": "astana-2017", "party": "turkey", "position": "dispute"}),
                )
            },
            exp: "DADADD",
            why: "Turkey's stance: its liaison, or an admin",
        },
        Row {
            method: "POST",
            route: "/api/incidents/{id}/stances",
            make: |c, _| {
                post_json(
                    format!("/api/incidents/{}/stances", c.unpublished),
                    json!({"agreement": "astana-2017", "party": "russia", "position": "dispute"}),
                )
            },
            exp: "DADDDD",
            why: "Russia's stance: not Turkey's liaison",
        },
        // ---------- what leaves the centre (publish.rs) ----------
        Row {
            method: "GET",
            route: "/situation",
            make: |_, _| get("/situation?date=2018-03-04"),
            exp: "DAAAAA",
            why: "any user (viewers: the published edition)",
        },
        Row {
            method: "GET",
            route: "/situation/{file}",
            make: |_, _| get("/situation/report.html?date=2018-03-04&lang=en"),
            exp: "DAAAAA",
            why: "any user (viewers: the published edition)",
        },
        Row {
            method: "GET",
            route: "/rounds",
            make: |_, _| get("/rounds"),
            exp: "DAAAAA",
            why: "any user; the follow-up form only for analysts and admins",
        },
        Row {
            method: "POST",
            route: "/rounds/{agreement}/commitments/{commitment}/followups",
            make: |c, w| {
                form(
                    "/rounds/astana-2017/commitments/astana-6-detainees/followups",
                    format!(
                        "csrf={}&status=met&date=2017-12-22&settled_by=astana-8&evidence=matrix",
                        c.csrf(w)
                    ),
                )
            },
            exp: "DAADDD",
            why: "follow-ups: analysts and admins",
        },
        Row {
            method: "POST",
            route: "/agreements/{id}/consents",
            make: |c, w| {
                form(
                    "/agreements/astana-2017/consents",
                    format!(
                        "csrf={}&party=turkey&extension=1&decision=grant&date=2017-10-20&next=/",
                        c.csrf(w)
                    ),
                )
            },
            exp: "DADADD",
            why: "Turkey's consent from the zone page: its liaison, or an admin",
        },
        Row {
            method: "POST",
            route: "/agreements/{id}/consents",
            make: |c, w| {
                form(
                    "/agreements/astana-2017/consents",
                    format!(
                        "csrf={}&party=iran&extension=1&decision=object&date=2017-10-20&next=/",
                        c.csrf(w)
                    ),
                )
            },
            exp: "DADDDD",
            why: "Iran's consent: not Turkey's liaison",
        },
        Row {
            method: "GET",
            route: "/api/situation-reports",
            make: |_, _| get("/api/situation-reports?date=2018-03-04"),
            exp: "DAAAAA",
            why: "any user (viewers: the published edition)",
        },
        Row {
            method: "GET",
            route: "/api/rounds",
            make: |_, _| get("/api/rounds"),
            exp: "DAAAAA",
            why: "any user",
        },
        Row {
            method: "POST",
            route: "/api/agreements/{id}/commitments/{commitment}/followups",
            make: |_, _| {
                post_json(
                    "/api/agreements/astana-2017/commitments/astana-6-next-meeting/followups",
                    json!({"status": "met", "date": "2017-10-31", "settled_by": "astana-7"}),
                )
            },
            exp: "DAADDD",
            why: "follow-ups: analysts and admins",
        },
        Row {
            method: "GET",
            route: "/api/exports/incidents",
            make: |_, _| get("/api/exports/incidents?format=geojson&zone=idlib"),
            exp: "DAAAAA",
            why: "any user (viewers: published only)",
        },
        Row {
            method: "GET",
            route: "/api/exports/zones",
            make: |_, _| get("/api/exports/zones?at=2018-01-15"),
            exp: "DAAAAA",
            why: "any user",
        },
        Row {
            method: "POST",
            route: "/api/imports/{kind}",
            make: |_, _| Req {
                uri: "/api/imports/jsonl".into(),
                body: Some(("application/x-ndjson", "{}\n".into())),
                cookie: None,
            },
            exp: "DAADDD",
            why: "imports: analysts and admins",
        },
        // ---------- accounts (admin.rs) ----------
        Row {
            method: "GET",
            route: "/admin/accounts",
            make: |_, _| get("/admin/accounts"),
            exp: "DADDDD",
            why: "admins only",
        },
        Row {
            method: "POST",
            route: "/admin/orgs",
            make: |c, w| {
                form(
                    "/admin/orgs",
                    format!(
                        "csrf={}&id=matrix-{}&name=M&kind=ngo&party=",
                        c.csrf(w),
                        format!("{w:?}").to_lowercase()
                    ),
                )
            },
            exp: "DADDDD",
            why: "admins only",
        },
        Row {
            method: "POST",
            route: "/admin/users",
            make: |c, w| {
                form(
                    "/admin/users",
                    format!("csrf={}&username=mx-{}&display_name=M&org=mission&role=admin&password=a-long-passphrase", c.csrf(w), format!("{w:?}").to_lowercase()),
                )
            },
            exp: "DADDDD",
            why: "admins only (nobody else makes an admin)",
        },
        // ---------- the humanitarian file (humanitarian.rs) ----------
        Row {
            method: "GET",
            route: "/persons",
            make: |_, _| get("/persons"),
            exp: "DDDDAD",
            why: "personal data: humanitarian officers only, admins included in the refusal",
        },
        Row {
            method: "GET",
            route: "/persons/review",
            make: |_, _| get("/persons/review"),
            exp: "DDDDAD",
            why: "personal data: humanitarian officers only",
        },
        Row {
            method: "GET",
            route: "/persons/{id}",
            make: |c, _| get(format!("/persons/{}", c.person)),
            exp: "DDDDAD",
            why: "personal data: humanitarian officers only (the read is audited)",
        },
        Row {
            method: "POST",
            route: "/persons/review",
            make: |c, w| {
                form(
                    "/persons/review",
                    format!(
                        "csrf={}&a={}&b={}&decision=reject",
                        c.csrf(w),
                        c.person,
                        c.person + 1
                    ),
                )
            },
            exp: "DDDDAD",
            why: "link decisions: humanitarian officers only",
        },
        Row {
            method: "POST",
            route: "/persons/{id}/status",
            make: |c, w| {
                form(
                    format!("/persons/{}/status", c.person),
                    format!("csrf={}&to=detained&date=2018-01-20&note=matrix", c.csrf(w)),
                )
            },
            exp: "DDDDAD",
            why: "status changes: humanitarian officers only",
        },
        // last: it ends the caller's session
        Row {
            method: "POST",
            route: "/logout",
            make: |c, w| form("/logout", format!("csrf={}", c.csrf(w))),
            exp: "RRRRRR",
            why: "ends the session; back to the login",
        },
    ]
}

/// The `(METHOD, route)` pairs of the router, read from its source: every
/// `.route("PATH", get(..).post(..))` of `src/lib.rs` and `src/api.rs`.
fn routes_in_source() -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (file, src) in [
        ("lib.rs", include_str!("../src/lib.rs")),
        ("api.rs", include_str!("../src/api.rs")),
    ] {
        for unknown in [".nest(", ".nest_service(", ".route_service("] {
            assert!(
                !src.contains(unknown),
                "src/{file} uses {unknown}; teach tests/security.rs to read it"
            );
        }
        // axum's `any(handler)` (every method), not `iter.any(..)`
        for (at, _) in src.match_indices("any(") {
            let before = src[..at].chars().last().unwrap_or(' ');
            assert!(
                before == '.' || before.is_alphanumeric() || before == '_',
                "src/{file} routes with any(..); give each method a row instead"
            );
        }
        let mut rest = src;
        while let Some(p) = rest.find(".route(") {
            let call = &rest[p + ".route(".len()..];
            // the call's extent: up to its matching parenthesis
            let mut depth = 1;
            let mut end = 0;
            for (i, ch) in call.char_indices() {
                match ch {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            end = i;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let call = &call[..end];
            let path = call
                .trim_start()
                .strip_prefix('"')
                .and_then(|s| s.split('"').next())
                .unwrap_or_else(|| {
                    panic!("src/{file}: a route whose path is not a literal: {call}")
                });
            let mut methods = 0;
            for m in [
                "get", "post", "put", "delete", "patch", "head", "options", "trace",
            ] {
                let needle = format!("{m}(");
                let mut from = 0;
                while let Some(q) = call[from..].find(&needle) {
                    let at = from + q;
                    let before = call[..at].chars().last().unwrap_or(' ');
                    if !(before.is_alphanumeric() || before == '_') {
                        out.insert((m.to_uppercase(), path.to_owned()));
                        methods += 1;
                    }
                    from = at + needle.len();
                }
            }
            assert!(methods > 0, "src/{file}: no method found for route {path}");
            rest = &rest[p + 1..];
        }
    }
    out
}

#[derive(Debug)]
struct Answer {
    status: StatusCode,
    location: Option<String>,
    content_type: String,
    set_cookies: Vec<String>,
    body: String,
}

/// Sends a request and checks what every response must have: the security
/// headers, never a 5xx, and for errors a body that says what went wrong
/// (JSON with a code under /api/, an HTML page elsewhere).
async fn send(f: &Fixture, req: Request<Body>) -> Answer {
    let method = req.method().clone();
    let uri = req.uri().to_string();
    let r = f.app().oneshot(req).await.unwrap();
    let h = r.headers();
    let csp = h
        .get(header::CONTENT_SECURITY_POLICY)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'self'"),
        "{method} {uri} -> {}: CSP {csp:?}",
        r.status()
    );
    assert_eq!(
        h.get(header::X_CONTENT_TYPE_OPTIONS)
            .map(|v| v.to_str().unwrap()),
        Some("nosniff"),
        "{method} {uri}"
    );
    let a = Answer {
        status: r.status(),
        location: h
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_owned()),
        content_type: h
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default(),
        set_cookies: h
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect(),
        body: String::from_utf8_lossy(&r.into_body().collect().await.unwrap().to_bytes())
            .into_owned(),
    };
    assert!(
        !a.status.is_server_error(),
        "{method} {uri} -> {}: {}",
        a.status,
        a.body
    );
    if a.status.is_client_error() {
        if uri.starts_with("/api/") && a.status != StatusCode::METHOD_NOT_ALLOWED {
            let v: Value = serde_json::from_str(&a.body)
                .unwrap_or_else(|_| panic!("{method} {uri} -> {}: not JSON: {}", a.status, a.body));
            assert!(
                v["error"]["code"].as_str().is_some_and(|c| !c.is_empty()),
                "{method} {uri}: {v}"
            );
        } else if a.status != StatusCode::METHOD_NOT_ALLOWED {
            assert!(
                a.content_type.starts_with("text/html") && a.body.contains("<html"),
                "{method} {uri} -> {}: not an HTML page: {} {}",
                a.status,
                a.content_type,
                a.body
            );
        }
    }
    a
}

fn build(c: &Ctx, f: &Fixture, method: &str, who: Who, r: Req) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(&r.uri);
    let mut cookies: Vec<String> = vec![];
    if who != Who::Anon {
        if r.uri.starts_with("/api/") {
            b = b.header(
                header::AUTHORIZATION,
                format!("Bearer {}", f.tokens[user(who)]),
            );
        } else if !(method == "POST" && r.uri.starts_with("/login")) {
            // (a login over the caller's session would end it, and the
            // rows after this one need it)
            cookies.push(c.sessions[&who].0.clone());
        }
    }
    cookies.extend(r.cookie);
    if !cookies.is_empty() {
        b = b.header(header::COOKIE, cookies.join("; "));
    }
    match r.body {
        Some((ct, body)) => b.header(header::CONTENT_TYPE, ct).body(Body::from(body)),
        None => b.body(Body::empty()),
    }
    .unwrap()
}

fn user(w: Who) -> &'static str {
    w.creds().expect("a user").0
}

fn verdict(a: &Answer) -> char {
    let to_login = a
        .location
        .as_deref()
        .is_some_and(|l| l.starts_with("/login"));
    match a.status.as_u16() {
        200..=299 => 'A',
        300..=399 if to_login => 'R',
        300..=399 => 'A',
        401 | 403 => 'D',
        404 => 'H',
        _ => '?',
    }
}

/// The fixture's facts: an unpublished and a published incident, one to
/// review per caller, a report, and each user's session.
async fn context(f: &Fixture) -> Ctx {
    let h = f.state.hudna.clone();
    let (unpublished, review, published, report) = tokio::task::spawn_blocking({
        let k = f.kafranbel;
        move || {
            let all: Vec<i64> = h
                .incidents(&Default::default())
                .unwrap()
                .into_iter()
                .map(|(i, _)| i.id)
                .filter(|id| *id != k)
                .collect();
            assert!(all.len() >= 7, "the samples give enough incidents");
            let published = all[0];
            for to in ["in_review", "ready", "published"] {
                h.review(published, to, None, None, "test").unwrap();
            }
            let review: HashMap<Who, i64> =
                WHO.iter().copied().zip(all[1..].iter().copied()).collect();
            let report = h.incident(k).unwrap().sources[0].report_id;
            (k, review, published, report)
        }
    })
    .await
    .unwrap();
    f.state.changed();
    // two records in the humanitarian file
    let h = f.state.hudna.clone();
    let person = tokio::task::spawn_blocking(move || {
        let read = hudna_app::persons::read_person_csv(
            "matrix.csv",
            "record_id,full_name,birth_year\nm1,محمد عبد الله الأحمد,1985\nm2,محمد عبدالله احمد,1985\n",
            "missing",
        );
        let day = chrono::NaiveDate::from_ymd_opt(2018, 1, 12).unwrap();
        h.import_person_list("matrix", "syrian_government", day, &read, "test")
            .unwrap();
        h.export_persons(false, "test")
            .unwrap()
            .iter()
            .map(|r| r.id)
            .min()
            .unwrap()
    })
    .await
    .unwrap();
    let mut sessions = HashMap::new();
    for w in WHO {
        if let Some((u, p)) = w.creds() {
            sessions.insert(w, f.login(u, p).await);
        }
    }
    Ctx {
        unpublished,
        published,
        review,
        sessions,
        report,
        person,
    }
}

#[test]
fn every_route_for_every_role_is_allowed_or_refused_as_the_table_says() {
    for f in common::fixtures() {
        run(matrix(&f));
    }
}

async fn matrix(f: &Fixture) {
    let backend = f.backend;
    let rows = rows();
    // the table lists exactly the router's routes
    let table: BTreeSet<(String, String)> = rows
        .iter()
        .map(|r| (r.method.to_owned(), r.route.to_owned()))
        .collect();
    let source = routes_in_source();
    let missing: Vec<_> = source.difference(&table).collect();
    let stale: Vec<_> = table.difference(&source).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "routes without a row in tests/security.rs: {missing:?}; rows for no route: {stale:?}"
    );
    // ... and its API half is what the OpenAPI document says
    let (_, doc) = f.get_json("viewer", "/api/openapi.json").await;
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(p, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .map(|m| (m.to_uppercase(), p.clone()))
                .collect::<Vec<_>>()
        })
        .collect();
    let api: BTreeSet<_> = table
        .iter()
        .filter(|(_, p)| p.starts_with("/api/"))
        .cloned()
        .collect();
    assert_eq!(
        api, documented,
        "the API rows and the OpenAPI document differ"
    );

    // a personal record, which no desk route may show to anyone but a
    // humanitarian officer
    let h = f.state.hudna.clone();
    tokio::task::spawn_blocking(move || {
        let read = hudna_app::persons::read_person_csv(
            "matrix",
            "record_id,full_name\nM-1,Zubaydah Qutaybah Marwazi\n",
            "detained",
        );
        h.import_person_list(
            "matrix-list",
            "syrian_government",
            chrono::NaiveDate::from_ymd_opt(2018, 1, 12).unwrap(),
            &read,
            "test",
        )
        .unwrap();
    })
    .await
    .unwrap();

    let c = context(f).await;
    let mut wrong = vec![];
    let mut cells = 0;
    for row in &rows {
        for who in WHO {
            let req = (row.make)(&c, who);
            let uri = req.uri.clone();
            let a = send(f, build(&c, f, row.method, who, req)).await;
            cells += 1;
            let want = expect(row, who);
            let got = verdict(&a);
            // refused: 401, 403, or sent to the login
            if !(got == want || (want == 'D' && got == 'R')) {
                wrong.push(format!(
                    "{} {uri} as {who:?}: want {want}, got {} ({}) — {}: {}",
                    row.method,
                    a.status,
                    a.location.as_deref().unwrap_or(""),
                    row.why,
                    a.body.chars().take(200).collect::<String>()
                ));
            }
            assert!(
                who == Who::Humanitarian
                    || (!a.body.contains("Zubaydah") && !a.body.contains("Marwazi")),
                "{} {uri} as {who:?} shows personal data",
                row.method
            );
        }
    }
    assert!(
        wrong.is_empty(),
        "[{backend}] {} of {cells} cells differ from the table:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    eprintln!(
        "[{backend}] security matrix: {} rows ({} routes) x {} callers = {cells} cells",
        rows.len(),
        table.len(),
        WHO.len()
    );

    // every other method on a listed path: 405, never a handler
    let mut by_path: BTreeMap<&str, (BTreeSet<&str>, &Row)> = BTreeMap::new();
    for r in &rows {
        by_path
            .entry(r.route)
            .or_insert((BTreeSet::new(), r))
            .0
            .insert(r.method);
    }
    // (sessions ended by the logout row: make fresh ones)
    let c = context_sessions(f, c).await;
    for (route, (methods, row)) in by_path {
        for m in ["GET", "POST", "PUT", "DELETE", "PATCH"] {
            if methods.contains(m) {
                continue;
            }
            let req = (row.make)(&c, Who::Admin);
            let a = send(f, build(&c, f, m, Who::Admin, req)).await;
            assert_eq!(
                a.status,
                StatusCode::METHOD_NOT_ALLOWED,
                "[{backend}] {m} {route}: {}",
                a.body
            );
        }
    }

    // what viewers see is published only, in the API and the list page
    let (_, v) = f.get_json("viewer", "/api/incidents?limit=1000").await;
    let rows_seen = v["incidents"].as_array().unwrap();
    assert!(!rows_seen.is_empty(), "the published incident is listed");
    assert!(
        rows_seen.iter().all(|i| i["status"] == "published"),
        "[{backend}] a viewer sees only published incidents: {v}"
    );
    let page = f
        .page(&c.sessions[&Who::Viewer].0, "/incidents?limit=1000")
        .await
        .1;
    assert!(page.contains(&format!("/incidents/{}\"", c.published)));
    assert!(
        !page.contains(&format!("/incidents/{}\"", c.unpublished)),
        "[{backend}] the list page shows a viewer an unpublished incident"
    );
}

/// Fresh sessions for every user (after the logout row ended them).
async fn context_sessions(f: &Fixture, mut c: Ctx) -> Ctx {
    for w in WHO {
        if let Some((u, p)) = w.creds() {
            c.sessions.insert(w, f.login(u, p).await);
        }
    }
    c
}

/// Viewers see published incidents only: the dashboard's and the zone
/// page's violation counts too (they counted every incident).
#[test]
fn viewers_counts_are_of_published_incidents_only() {
    for f in common::fixtures() {
        run(async {
            let backend = f.backend;
            let count = |page: &str| -> u64 {
                // the zone page's total, in Western digits (English)
                page.split("id=\"zone-total\">")
                    .nth(1)
                    .and_then(|s| s.split('<').next())
                    .and_then(|s| s.replace(',', "").parse().ok())
                    .unwrap_or_else(|| panic!("no zone total in the page"))
            };
            let cum = |page: &str| -> u64 {
                // the dashboard's "since the start" column
                let t = page.split("id=\"zone-counts\"").nth(1).unwrap();
                let t = t.split("</table>").next().unwrap();
                t.split("<tr>")
                    .skip(2)
                    .map(|r| {
                        r.rsplit("<td class=\"num\">")
                            .next()
                            .and_then(|s| s.split('<').next())
                            .and_then(|s| s.replace(',', "").parse::<u64>().ok())
                            .unwrap_or(0)
                    })
                    .sum()
            };
            let (analyst, _) = f.login("analyst", "hudna-analyst-demo").await;
            let (viewer, _) = f.login("viewer", "hudna-viewer-demo").await;
            let en = |c: &str| format!("{c}; hudna_lang=en");
            let zone = "/zones/astana-2017/idlib?at=2018-12-31";
            let dash = "/?at=2018-12-31";
            let a_zone = count(&f.page(&en(&analyst), zone).await.1);
            let a_dash = cum(&f.page(&en(&analyst), dash).await.1);
            assert!(
                a_zone > 0 && a_dash > 0,
                "[{backend}] the samples hold violations"
            );
            // nothing is published yet
            let v_zone = count(&f.page(&en(&viewer), zone).await.1);
            let v_dash = cum(&f.page(&en(&viewer), dash).await.1);
            assert_eq!(
                (v_zone, v_dash),
                (0, 0),
                "[{backend}] a viewer's counts include unpublished incidents"
            );
            // publish one violation in Idlib: the viewer's zone count is one
            let (_, v) = f
                .get_json(
                    "analyst",
                    "/api/incidents?agreement=astana-2017&zone=idlib&violations=1&until=2018-12-31&limit=1",
                )
                .await;
            let id = v["incidents"][0]["id"]
                .as_i64()
                .expect("a violation in Idlib");
            let h = f.state.hudna.clone();
            tokio::task::spawn_blocking(move || {
                for to in ["in_review", "ready", "published"] {
                    h.review(id, to, None, None, "test").unwrap();
                }
            })
            .await
            .unwrap();
            let v_zone = count(&f.page(&en(&viewer), zone).await.1);
            assert_eq!(
                v_zone, 1,
                "[{backend}] the published violation counts for viewers"
            );
            assert_eq!(count(&f.page(&en(&analyst), zone).await.1), a_zone);
        });
    }
}

/// A value in a query string, percent-encoded.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Hostile values, as they go into a URL (already encoded).
fn hostile() -> Vec<(&'static str, String)> {
    vec![
        ("sql quote", enc("' OR 1=1 --")),
        ("sql drop", enc("\"; DROP TABLE incidents; --")),
        ("traversal", enc("../../etc/passwd")),
        (
            "encoded traversal",
            "%2e%2e%2f%2e%2e%2fetc%2fpasswd".to_owned(),
        ),
        (
            "double-encoded traversal",
            "%252e%252e%252fetc%252fpasswd".to_owned(),
        ),
        ("nul", "idlib%00".to_owned()),
        ("nul alone", "%00".to_owned()),
        ("long", "9".repeat(5000)),
    ]
}

#[test]
fn hostile_filters_and_path_parameters_get_4xx_and_leave_the_data_intact() {
    for f in common::fixtures() {
        run(hostile_input(&f));
    }
}

async fn hostile_input(f: &Fixture) {
    let backend = f.backend;
    let store = f.state.hudna.store().clone();
    let before = {
        let s = store.clone();
        tokio::task::spawn_blocking(move || (s.counts().unwrap(), s.agreements().unwrap().len()))
            .await
            .unwrap()
    };
    let (cookie, _) = f.login("analyst", "hudna-analyst-demo").await;
    let token = format!("Bearer {}", f.tokens["analyst"]);
    let send_as = |uri: String| {
        let mut b = Request::get(&uri);
        b = if uri.starts_with("/api/") {
            b.header(header::AUTHORIZATION, &token)
        } else {
            b.header(header::COOKIE, &cookie)
        };
        b.body(Body::empty()).unwrap()
    };
    // (template with X for the value, may it answer 2xx?)
    // Free-text filters (agreement, zone) may find nothing (200, no rows);
    // the login's and the language's `next` fall back to "/".
    let queries: &[(&str, bool)] = &[
        ("/api/incidents?agreement=X", true),
        ("/api/incidents?zone=X", true),
        ("/api/incidents?since=X", false),
        ("/api/incidents?until=X", false),
        ("/api/incidents?status=X", false),
        ("/api/incidents?limit=X", false),
        ("/api/incidents?offset=X", false),
        ("/api/zones?at=X", false),
        ("/api/zones?agreement=X", false),
        ("/api/locate?lat=X&lon=36", false),
        ("/api/locate?lat=35&lon=X", false),
        ("/api/locate?lat=35&lon=36&at=X", false),
        ("/api/agreements/astana-2017/mandate?at=X", false),
        ("/?at=X", false),
        ("/map?at=X", false),
        ("/map?days=X", false),
        ("/incidents?agreement=X", true),
        ("/incidents?zone=X", true),
        ("/incidents?since=X", false),
        ("/incidents?until=X", false),
        ("/incidents?status=X", false),
        ("/incidents?limit=X", false),
        ("/incidents?offset=X", false),
        ("/zones/astana-2017/idlib?at=X", false),
        ("/login?next=X", true),
        ("/lang/en?next=X", true),
    ];
    let paths: &[&str] = &[
        "/api/agreements/X",
        "/api/agreements/X/mandate",
        "/api/agreements/X/consents",
        "/api/reports/X",
        "/api/incidents/X",
        "/api/incidents/X/stances",
        "/incidents/X",
        "/zones/X/idlib",
        "/zones/astana-2017/X",
        "/lang/X",
        "/assets/X",
    ];
    let mut wrong = vec![];
    let mut tried = 0;
    for (name, v) in hostile() {
        for (t, may_pass) in queries {
            let uri = t.replace('X', &v);
            let a = send(f, send_as(uri.clone())).await;
            tried += 1;
            let ok = if a.status.is_client_error() {
                true
            } else if *may_pass && (a.status.is_success() || a.status.is_redirection()) {
                if uri.starts_with("/api/incidents") {
                    // nothing matched: an injected OR would have matched everything
                    serde_json::from_str::<Value>(&a.body).unwrap()["count"] == 0
                } else if uri.starts_with("/incidents") {
                    !a.body.contains("href=\"/incidents/")
                } else if uri.starts_with("/lang") {
                    a.location.as_deref() == Some("/")
                } else {
                    // the login page: the value is escaped wherever it appears
                    !a.body.contains("DROP TABLE incidents; --\"") && !a.body.contains("' OR 1=1")
                }
            } else {
                false
            };
            if !ok {
                wrong.push(format!(
                    "{name}: GET {uri} -> {} {}",
                    a.status,
                    a.body.chars().take(160).collect::<String>()
                ));
            }
        }
        for t in paths {
            // percent-encoded into one segment, and as given (slashes and all)
            for v in [v.replace('/', "%2F"), v.replace("%2F", "/")] {
                let uri = t.replace('X', &v);
                let a = send(f, send_as(uri.clone())).await;
                tried += 1;
                if !a.status.is_client_error() {
                    wrong.push(format!(
                        "{name}: GET {uri} -> {} {}",
                        a.status,
                        a.body.chars().take(160).collect::<String>()
                    ));
                }
            }
        }
    }
    // raw traversal outside any route: the fallback, not a file
    for uri in [
        "/../../etc/passwd",
        "/assets/../../Cargo.toml",
        "/assets/%2e%2e%2f%2e%2e%2fCargo.toml",
        "/api/../api/health/%00",
    ] {
        let a = send(f, send_as(uri.to_owned())).await;
        tried += 1;
        if a.status.is_success() && (a.body.contains("root:") || a.body.contains("[package]")) {
            wrong.push(format!("GET {uri} served a file: {}", a.status));
        }
    }
    assert!(
        wrong.is_empty(),
        "[{backend}] {} of {tried}:\n{}",
        wrong.len(),
        wrong.join("\n")
    );

    // hostile values in bodies: stored as text, or refused; never executed
    let evil = "'; DROP TABLE incidents; -- ../../etc/passwd";
    for (uri, body) in [
        (
            "/api/reports",
            json!({"text": format!("قصف على كفرنبل {evil}"), "source": evil, "url": evil, "outlet": evil, "published": "2018-03-04"}),
        ),
        (
            "/api/incidents/1/stances",
            json!({"agreement": evil, "party": "turkey", "position": "confirm"}),
        ),
        (
            "/api/agreements/astana-2017/consents",
            json!({"party": evil, "extension": 1, "decision": "grant"}),
        ),
        ("/api/extract", json!({"text": evil, "published": evil})),
        ("/api/tokens", json!({"label": evil})),
    ] {
        let (s, v) = f.post_json("admin", uri, body).await;
        assert!(!s.is_server_error(), "[{backend}] POST {uri}: {s} {v}");
    }

    // NUL characters in bodies: refused at the door (PostgreSQL cannot hold
    // them in text; they failed there as a 500)
    let nul_json: &[(&str, &str)] = &[
        (
            "/api/reports",
            r#"{"text": "قصف على كفرنبل", "source": "a\u0000b", "published": "2018-03-04"}"#,
        ),
        (
            "/api/reports",
            r#"{"text": "قصف على كفرنبل", "url": "\u0000"}"#,
        ),
        (
            "/api/incidents/1/stances",
            r#"{"agreement": "astana\u0000", "party": "turkey", "position": "confirm"}"#,
        ),
        (
            "/api/agreements/astana-2017/consents",
            r#"{"party": "turkey\u0000", "extension": 1, "decision": "grant"}"#,
        ),
        ("/api/tokens", r#"{"label": "\u0000"}"#),
    ];
    for (uri, body) in nul_json {
        let a = send(
            f,
            Request::post(*uri)
                .header(
                    header::AUTHORIZATION,
                    format!("Bearer {}", f.tokens["admin"]),
                )
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await;
        assert_eq!(
            (
                a.status,
                serde_json::from_str::<Value>(&a.body).unwrap()["error"]["code"].as_str()
            ),
            (StatusCode::BAD_REQUEST, Some("nul_byte")),
            "[{backend}] POST {uri} {body}"
        );
    }
    // an escaped backslash before "u0000" is text, not a NUL
    let (s, v) = f
        .post_json("admin", "/api/tokens", json!({"label": "C:\\u0000"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "[{backend}] {v}");
    for (uri, body) in [
        ("/login", "username=admin%00&password=x&csrf=n".to_owned()),
        (
            "/reports",
            "csrf=x&text=%D9%82%D8%B5%D9%81%00&published=".to_owned(),
        ),
        ("/logout", "csrf=%00".to_owned()),
    ] {
        let a = send(
            f,
            Request::post(uri)
                .header(header::COOKIE, format!("{cookie}; hudna_login_csrf=n"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
        assert_eq!(
            a.status,
            StatusCode::BAD_REQUEST,
            "[{backend}] POST {uri}: {}",
            a.body
        );
        assert!(a.body.contains("nul_byte"));
    }

    // the data is intact
    let after = {
        let s = store.clone();
        tokio::task::spawn_blocking(move || {
            let (n, broken) = s.verify_audit().unwrap();
            assert!(broken.is_none() && n > 0, "the audit chain verifies");
            (s.counts().unwrap(), s.agreements().unwrap().len())
        })
        .await
        .unwrap()
    };
    assert_eq!(after.1, before.1, "[{backend}] agreements");
    assert!(
        after.0.incidents >= before.0.incidents && after.0.reports == before.0.reports + 1,
        "[{backend}] {before:?} -> {after:?}: only the one report posted is new"
    );
    let (_, v) = f.get_json("analyst", "/api/incidents?limit=1000").await;
    assert!(v["count"].as_u64().unwrap() >= before.0.incidents.min(1000));
}

#[test]
fn oversized_and_malformed_bodies_are_refused_on_every_write() {
    for f in common::fixtures() {
        run(bodies(&f));
    }
}

async fn bodies(f: &Fixture) {
    let backend = f.backend;
    let (cookie, csrf) = f.login("admin", "hudna-admin-demo").await;
    let token = format!("Bearer {}", f.tokens["admin"]);
    let id = f.kafranbel;
    let big = "a".repeat(2 << 20);
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let api_posts = [
        "/api/tokens".to_owned(),
        "/api/agreements/astana-2017/consents".to_owned(),
        "/api/extract".to_owned(),
        "/api/reports".to_owned(),
        format!("/api/incidents/{id}/stances"),
    ];
    let req = |uri: &str, ct: &str, body: Vec<u8>| {
        Request::post(uri)
            .header(header::AUTHORIZATION, &token)
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap()
    };
    for uri in &api_posts {
        for (what, ct, body, want) in [
            (
                "2 MiB",
                "application/json",
                format!("{{\"text\": \"{big}\"}}").into_bytes(),
                413,
            ),
            ("truncated", "application/json", b"{".to_vec(), 400),
            ("not JSON", "application/json", b"text=x".to_vec(), 400),
            (
                "invalid UTF-8",
                "application/json",
                b"{\"\xff\xfe\": 1}".to_vec(),
                400,
            ),
            ("a string", "application/json", b"\"text\"".to_vec(), 422),
            ("text/plain", "text/plain", b"{}".to_vec(), 415),
            ("no type", "", b"{}".to_vec(), 415),
            // serde_json's recursion limit: some 4xx, and no stack overflow
            (
                "100,000 deep",
                "application/json",
                deep.clone().into_bytes(),
                0,
            ),
        ] {
            let a = send(f, req(uri, ct, body)).await;
            let fine = if want == 0 {
                a.status.is_client_error()
            } else {
                a.status.as_u16() == want
            };
            assert!(
                fine,
                "[{backend}] POST {uri} with {what}: {} {}",
                a.status, a.body
            );
        }
    }
    // forms
    // (logout last: its lenient form ends the session)
    let forms = [
        "/login".to_owned(),
        "/reports".to_owned(),
        format!("/incidents/{id}/stance"),
        format!("/incidents/{id}/review"),
        "/logout".to_owned(),
    ];
    let form_req = |uri: &str, ct: &str, body: String| {
        Request::post(uri)
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap()
    };
    for uri in &forms {
        for (what, ct, body) in [
            (
                "2 MiB",
                "application/x-www-form-urlencoded",
                format!("csrf={csrf}&text={big}"),
            ),
            (
                "JSON",
                "application/json",
                format!("{{\"csrf\": \"{csrf}\"}}"),
            ),
            (
                "broken encoding",
                "application/x-www-form-urlencoded",
                format!("csrf={csrf}&to=%ZZ&position=%"),
            ),
            (
                "fields missing",
                "application/x-www-form-urlencoded",
                format!("csrf={csrf}"),
            ),
        ] {
            let a = send(f, form_req(uri, ct, body)).await;
            let fine = match what {
                "2 MiB" => a.status == StatusCode::PAYLOAD_TOO_LARGE,
                // logout needs nothing but the token (unknown fields are ignored)
                "broken encoding" | "fields missing" if uri == "/logout" => {
                    a.status.is_redirection()
                }
                _ => a.status.is_client_error(),
            };
            assert!(
                fine,
                "[{backend}] POST {uri} with {what}: {} {}",
                a.status,
                a.body.chars().take(300).collect::<String>()
            );
        }
    }
}

fn session_of(a: &Answer) -> Option<String> {
    a.set_cookies
        .iter()
        .find(|c| c.starts_with("hudna_session=") && !c.starts_with("hudna_session=;"))
        .map(|c| c.split(';').next().unwrap().to_owned())
        .filter(|c| c != "hudna_session=")
}

#[test]
fn a_session_id_chosen_before_login_is_never_the_one_after() {
    for f in common::fixtures() {
        run(fixation(&f));
    }
}

async fn fixation(f: &Fixture) {
    let backend = f.backend;
    let login = |cookie: String| {
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, cookie)
            .body(Body::from(
                "username=analyst&password=hudna-analyst-demo&csrf=fx&next=/",
            ))
            .unwrap()
    };
    let page = |cookie: &str| {
        Request::get("/")
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap()
    };
    // an attacker plants a session id, the victim logs in with it
    let planted = "hudna_session=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    let a = send(
        f,
        Request::get("/login")
            .header(header::COOKIE, planted)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(
        a.status,
        StatusCode::OK,
        "[{backend}] a planted id is no session"
    );
    let a = send(f, login(format!("{planted}; hudna_login_csrf=fx"))).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let fresh = session_of(&a).expect("a session cookie");
    assert_ne!(fresh, planted, "[{backend}] the planted id was kept");
    assert_eq!(send(f, page(&fresh)).await.status, StatusCode::OK);
    let a = send(f, page(planted)).await;
    assert_eq!(
        (a.status, a.location.as_deref()),
        (StatusCode::SEE_OTHER, Some("/login?next=/")),
        "[{backend}] the planted id opens nothing"
    );
    // logging in again over a live session gives a new id
    let a = send(f, login(format!("{fresh}; hudna_login_csrf=fx"))).await;
    let again = session_of(&a).expect("a session cookie");
    assert_ne!(
        again, fresh,
        "[{backend}] a second login reuses the session id"
    );
    // and the session it replaced is over
    assert_eq!(send(f, page(&again)).await.status, StatusCode::OK);
    let old = send(f, page(&fresh)).await;
    assert_eq!(
        (old.status, old.location.as_deref()),
        (StatusCode::SEE_OTHER, Some("/login?next=/")),
        "[{backend}] the replaced session still opens pages"
    );
    // the session cookie is HttpOnly and SameSite=Strict
    let set = a
        .set_cookies
        .iter()
        .find(|c| c.starts_with("hudna_session="))
        .unwrap();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
}

#[test]
fn every_form_and_every_cookie_write_needs_the_sessions_csrf_token() {
    for f in common::fixtures() {
        run(csrf(&f));
    }
}

async fn csrf(f: &Fixture) {
    let backend = f.backend;
    let id = f.kafranbel;
    let (admin, admin_csrf) = f.login("admin", "hudna-admin-demo").await;
    let (_, analyst_csrf) = f.login("analyst", "hudna-analyst-demo").await;
    let counts = || {
        let s = f.state.hudna.store().clone();
        let h = f.state.hudna.clone();
        async move {
            tokio::task::spawn_blocking(move || {
                let c = s.counts().unwrap();
                let d = h.incident(id).unwrap();
                let consents = s.consents("astana-2017").unwrap().len();
                (
                    c.reports,
                    d.stances.len(),
                    d.incident.status.clone(),
                    consents,
                    s.audit_log(None).unwrap().len(),
                )
            })
            .await
            .unwrap()
        }
    };
    let before = counts().await;
    // (uri, form without the token)
    let forms = [
        (
            "/reports".to_owned(),
            "text=%D9%82%D8%B5%D9%81+csrf&published=2018-03-04&source=&url=".to_owned(),
        ),
        (
            format!("/incidents/{id}/stance"),
            "agreement=astana-2017&party=turkey&position=confirm".to_owned(),
        ),
        (format!("/incidents/{id}/review"), "to=in_review".to_owned()),
        (
            "/rounds/astana-2017/commitments/astana-6-detainees/followups".to_owned(),
            "status=met&date=2017-12-22".to_owned(),
        ),
        (
            "/agreements/astana-2017/consents".to_owned(),
            "party=turkey&extension=1&decision=grant&date=2017-10-20".to_owned(),
        ),
        ("/admin/orgs".to_owned(), "id=csrf-org&kind=ngo".to_owned()),
        (
            "/admin/users".to_owned(),
            "username=csrf-user&org=mission&role=admin&password=a-long-passphrase".to_owned(),
        ),
        (
            "/persons/review".to_owned(),
            "a=1&b=2&decision=accept".to_owned(),
        ),
        ("/persons/1/status".to_owned(), "to=released".to_owned()),
        ("/logout".to_owned(), String::new()),
    ];
    for (uri, fields) in &forms {
        for (what, tok) in [
            ("missing", None),
            ("empty", Some(String::new())),
            ("forged", Some("0".repeat(64))),
            ("another session's", Some(analyst_csrf.clone())),
        ] {
            let body = match &tok {
                None => fields.clone(),
                Some(t) => format!("csrf={t}&{fields}"),
            };
            let a = send(
                f,
                Request::post(uri.as_str())
                    .header(header::COOKIE, &admin)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await;
            assert_eq!(
                a.status,
                StatusCode::FORBIDDEN,
                "[{backend}] POST {uri} with a {what} token: {}",
                a.body.chars().take(200).collect::<String>()
            );
            assert!(a.body.contains("csrf_"), "{}", a.body);
        }
    }
    // the login form: its token must match its own cookie
    for (what, cookie, field) in [
        ("missing cookie", "", "csrf=x"),
        ("missing field", "hudna_login_csrf=x", ""),
        ("mismatch", "hudna_login_csrf=x", "csrf=y"),
        ("both empty", "hudna_login_csrf=", "csrf="),
    ] {
        let a = send(
            f,
            Request::post("/login")
                .header(header::COOKIE, cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!(
                    "username=admin&password=hudna-admin-demo&{field}"
                )))
                .unwrap(),
        )
        .await;
        assert_eq!(
            a.status,
            StatusCode::FORBIDDEN,
            "[{backend}] login with {what}"
        );
        assert!(session_of(&a).is_none());
    }
    // API writes with the session cookie need X-CSRF-Token
    let api = [
        ("/api/tokens".to_owned(), json!({"label": "x"})),
        (
            "/api/reports".to_owned(),
            json!({"text": "قصف csrf api", "published": "2018-03-04"}),
        ),
        (
            format!("/api/incidents/{id}/stances"),
            json!({"agreement": "astana-2017", "party": "turkey", "position": "confirm"}),
        ),
        (
            "/api/agreements/astana-2017/consents".to_owned(),
            json!({"party": "turkey", "extension": 1, "decision": "grant", "date": "2017-10-20"}),
        ),
        (
            "/api/agreements/astana-2017/commitments/astana-6-detainees/followups".to_owned(),
            json!({"status": "met"}),
        ),
        ("/api/imports/jsonl".to_owned(), json!({})),
    ];
    for (uri, body) in &api {
        for tok in [None, Some("forged"), Some(analyst_csrf.as_str())] {
            let mut b = Request::post(uri.as_str())
                .header(header::COOKIE, &admin)
                .header(header::CONTENT_TYPE, "application/json");
            if let Some(t) = tok {
                b = b.header("x-csrf-token", t);
            }
            let a = send(f, b.body(Body::from(body.to_string())).unwrap()).await;
            assert_eq!(
                a.status,
                StatusCode::FORBIDDEN,
                "[{backend}] POST {uri} with {tok:?}: {}",
                a.body
            );
        }
    }
    assert_eq!(
        counts().await,
        before,
        "[{backend}] a refused write changed something"
    );
    // the session is still alive (the forged logouts did nothing) and the right token works
    let a = send(
        f,
        Request::post("/logout")
            .header(header::COOKIE, &admin)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("csrf={admin_csrf}")))
            .unwrap(),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let a = send(
        f,
        Request::get("/")
            .header(header::COOKIE, &admin)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(
        a.location.as_deref(),
        Some("/login?next=/"),
        "[{backend}] logged out"
    );
}

#[test]
fn errors_carry_the_security_headers_too() {
    for f in common::fixtures() {
        run(async {
            // `send` checks the headers; these are answers no handler writes
            for (m, uri, body) in [
                ("GET", "/nope", ""),
                ("GET", "/api/nope", ""),
                ("DELETE", "/api/incidents", ""),
                ("PUT", "/", ""),
                ("GET", "/api/incidents", ""),
                ("GET", "/incidents", ""),
                ("POST", "/api/reports", "{"),
            ] {
                let a = send(
                    &f,
                    Request::builder()
                        .method(m)
                        .uri(uri)
                        .header(header::CONTENT_TYPE, "application/json")
                        .body(Body::from(body))
                        .unwrap(),
                )
                .await;
                assert!(
                    a.status.is_client_error() || a.status.is_redirection(),
                    "{m} {uri}: {}",
                    a.status
                );
            }
        });
    }
}
