//! What leaves the centre, through the desk: situation reports (page,
//! downloads, API, published edition for viewers), the rounds timeline and
//! follow-ups, and the consent form.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{fixture, text};
use serde_json::json;

fn form_post(uri: &str, cookie: &str, body: String) -> Request<Body> {
    Request::post(uri)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn the_situation_report_page_has_the_map_and_links_its_stylesheet() {
    let f = fixture();
    let id = f.kafranbel;
    let day = f.state.hudna.incident(id).unwrap().incident.date.unwrap();
    let (cookie, _) = f.login("analyst", "hudna-analyst-demo").await;
    let (s, page) = f.page(&cookie, &format!("/situation?date={day}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("<link rel=\"stylesheet\" href=\"/assets/report.css\">"));
    assert!(!page.contains("<style"), "the CSP allows no inline style");
    assert!(page.contains("<article class=\"sitrep\">"));
    assert!(page.contains("<div class=\"sitrep-map\"><svg"));
    assert!(
        page.contains(&format!("id=\"inc-{id}\"")),
        "the day's incident is on the report's map"
    );
    assert!(page.contains("التقرير اليومي"));
    assert!(!page.contains("id=\"published-edition\""));
    // the stylesheet is served, as CSS
    let (s, r) = f
        .send(
            Request::get("/assets/report.css")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(r.headers()[header::CONTENT_TYPE], "text/css; charset=utf-8");
    assert!(text(r).await.contains(".sitrep"));
    // the standalone download: inline stylesheet, attachment, the asked language
    let req = Request::get(format!("/situation/report.html?date={day}&lang=en"))
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .unwrap();
    let (s, r) = f.send(req).await;
    assert_eq!(s, StatusCode::OK);
    let cd = r.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        cd,
        format!("attachment; filename=\"hudna-daily-{day}-en.html\"")
    );
    let doc = text(r).await;
    assert!(doc.starts_with("<!doctype html><html lang=\"en\" dir=\"ltr\">"));
    assert!(doc.contains("<style>") && doc.contains("Daily de-escalation monitoring report"));
    // bad periods are 400s with codes, never 500s
    for (q, code) in [
        ("date=2018-13-01", "bad_date"),
        ("since=2018-01-01", "bad_period"),
        (
            "date=2018-01-01&since=2018-01-01&until=2018-01-02",
            "bad_period",
        ),
        ("since=2018-02-01&until=2018-01-01", "bad_period"),
        ("since=2010-01-01&until=2018-01-01", "period_too_long"),
        ("date=1800-01-01", "date_out_of_range"),
        ("date=2018-01-01&lang=fr", "bad_lang"),
    ] {
        let req = Request::get(format!("/situation/report.html?{q}"))
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap();
        let (s, r) = f.send(req).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{q}");
        assert!(text(r).await.contains(code), "{q} -> {code}");
    }
    let (s, _) = f
        .page(&cookie, "/situation/report.exe?date=2018-01-01")
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // anonymous: to the login
    let (s, _) = f
        .send(Request::get("/situation").body(Body::empty()).unwrap())
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn viewers_get_the_published_edition_of_the_report() {
    let f = fixture();
    let id = f.kafranbel;
    let day = f.state.hudna.incident(id).unwrap().incident.date.unwrap();
    let uri = format!("/api/situation-reports?date={day}");
    let (s, all) = f.get_json("analyst", &uri).await;
    assert_eq!(s, StatusCode::OK);
    assert!(all["totals"]["incidents"].as_u64().unwrap() >= 1);
    let (_, public) = f.get_json("viewer", &uri).await;
    assert_eq!(public["totals"]["incidents"], 0);
    assert!(public["zones"]
        .as_array()
        .unwrap()
        .iter()
        .all(|z| z["period"] == 0 && z["since_start"] == 0));
    let (cookie, _) = f.login("viewer", "hudna-viewer-demo").await;
    let (_, page) = f.page(&cookie, &format!("/situation?date={day}")).await;
    assert!(page.contains("id=\"published-edition\""));
    assert!(!page.contains(&format!("id=\"inc-{id}\"")));
    // the viewer's dashboard counts published incidents only as well
    let (_, dash) = f.page(&cookie, &format!("/?at={day}")).await;
    let (acookie, _) = f.login("analyst", "hudna-analyst-demo").await;
    let (_, adash) = f.page(&acookie, &format!("/?at={day}")).await;
    assert_ne!(
        dash.split("id=\"zone-counts\"")
            .nth(1)
            .map(|t| t.split("</table>").next()),
        adash
            .split("id=\"zone-counts\"")
            .nth(1)
            .map(|t| t.split("</table>").next()),
        "the analyst's counts include the unpublished violation"
    );
    // published: now the viewer sees it
    for to in ["in_review", "ready", "published"] {
        f.state.hudna.review(id, to, None, None, "test").unwrap();
    }
    f.state.changed();
    let (_, public) = f.get_json("viewer", &uri).await;
    assert_eq!(public["totals"]["incidents"], 1);
    let (s, v) = f
        .get_json("viewer", "/api/situation-reports?since=2018-02-01")
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_period"))
    );
}

#[tokio::test]
async fn the_rounds_timeline_shows_astana_6_and_follow_ups_are_for_analysts() {
    let f = fixture();
    let (s, v) = f
        .get_json("viewer", "/api/rounds?agreement=astana-2017")
        .await;
    assert_eq!(s, StatusCode::OK);
    let rounds = v["rounds"].as_array().unwrap();
    let a6 = rounds
        .iter()
        .find(|r| r["round"]["id"] == "astana-6")
        .expect("Astana 6");
    assert_eq!(a6["has_statement"], true);
    let c = a6["commitments"][0]["id"].as_str().unwrap().to_owned();
    let (s, v) = f.get_json("viewer", "/api/rounds?agreement=nope").await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("agreement_not_found"))
    );
    let uri = format!("/api/agreements/astana-2017/commitments/{c}/followups");
    let body = json!({"status": "met", "date": "2017-10-31", "settled_by": "astana-7", "evidence": "statement"});
    // liaisons, viewers and humanitarian officers may not
    for u in ["turkey", "viewer", "humanitarian"] {
        let (s, v) = f.post_json(u, &uri, body.clone()).await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("forbidden_role")),
            "{u}"
        );
    }
    let (s, v) = f.post_json("analyst", &uri, body.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["commitment"]["current"], "met");
    assert_eq!(v["commitment"]["settled"], "astana-7");
    for (b, status, code) in [
        (
            json!({"status": "done"}),
            StatusCode::BAD_REQUEST,
            "bad_status",
        ),
        (
            json!({"status": "met", "date": "2027-01-01"}),
            StatusCode::BAD_REQUEST,
            "date_in_future",
        ),
        (
            json!({"status": "met", "extra": 1}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
    ] {
        let (s, v) = f.post_json("analyst", &uri, b.clone()).await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (status, Some(code)),
            "{b}"
        );
    }
    let (s, v) = f
        .post_json(
            "analyst",
            "/api/agreements/astana-2017/commitments/no-such/followups",
            json!({"status": "met"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("commitment_not_found"))
    );
    // the page: the statement with what extraction found, the history, the form for analysts
    let (cookie, csrf) = f.login("analyst", "hudna-analyst-demo").await;
    let (s, page) = f.page(&cookie, "/rounds").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("id=\"r-astana-6\""));
    assert!(page.contains("class=\"statement\"") && page.contains("<mark>"));
    assert!(page.contains("class=\"followup-form\""));
    assert!(page.contains(&format!("id=\"c-{c}\" data-status=\"met\"")));
    // the form: CSRF checked, then recorded, then shown
    let post = |tok: &str, status: &str| {
        form_post(
            &format!("/rounds/astana-2017/commitments/{c}/followups"),
            &cookie,
            format!("csrf={tok}&status={status}&date=2017-11-01&settled_by=&evidence=later"),
        )
    };
    let (s, _) = f.send(post("forged", "missed")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, r) = f.send(post(&csrf, "missed")).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(r.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .starts_with("/rounds?saved="));
    let (_, page) = f.page(&cookie, "/rounds").await;
    assert!(page.contains(&format!("id=\"c-{c}\" data-status=\"missed\"")));
    // the audit log has both follow-ups, by their users
    let log = f
        .state
        .hudna
        .store()
        .audit_log(Some(&format!("agreement/astana-2017/commitment/{c}")))
        .unwrap();
    assert_eq!(log.len(), 2);
    assert!(log.iter().all(|e| e.actor == "user:analyst"));
    // viewers see the timeline without the form
    let (vcookie, _) = f.login("viewer", "hudna-viewer-demo").await;
    let (_, page) = f.page(&vcookie, "/rounds").await;
    assert!(page.contains("id=\"timeline\"") && !page.contains("class=\"followup-form\""));
}

#[tokio::test]
async fn a_liaison_records_its_own_consent_from_the_zone_page() {
    let f = fixture();
    let (cookie, csrf) = f.login("turkey", "hudna-turkey-demo").await;
    let zone = "/zones/astana-2017/idlib?at=2017-10-20";
    let (_, page) = f.page(&cookie, zone).await;
    assert!(page.contains("id=\"consent-form\""));
    assert!(page.contains("<option value=\"turkey\">"));
    assert!(
        !page.contains("<option value=\"russia\">"),
        "only its own party"
    );
    let post = |party: &str, tok: &str| {
        form_post(
            "/agreements/astana-2017/consents",
            &cookie,
            format!("csrf={tok}&party={party}&extension=١&decision=grant&date=2017-10-20&note=&next=/zones/astana-2017/idlib"),
        )
    };
    let (s, r) = f.send(post("russia", &csrf)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(text(r).await.contains("forbidden_party"));
    let (s, _) = f.send(post("turkey", "forged")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, r) = f.send(post("turkey", &csrf)).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()[header::LOCATION],
        "/zones/astana-2017/idlib?saved=consent"
    );
    let (_, v) = f
        .get_json("viewer", "/api/agreements/astana-2017/consents")
        .await;
    assert!(v["consents"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["party"] == "turkey"
            && c["extension"] == 1
            && c["recorded_by"] == "user:turkey"));
    // an analyst speaks for no party: no form
    let (acookie, _) = f.login("analyst", "hudna-analyst-demo").await;
    let (_, page) = f.page(&acookie, zone).await;
    assert!(!page.contains("id=\"consent-form\""));
    // an off-site `next` is not followed
    let (s, r) = f
        .send(form_post(
            "/agreements/astana-2017/consents",
            &cookie,
            format!("csrf={csrf}&party=turkey&extension=1&decision=object&date=2017-10-21&next=//evil.example"),
        ))
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[header::LOCATION], "/?saved=consent");
}

#[tokio::test]
async fn exports_through_the_api_reimport_and_viewers_get_published_only() {
    let f = fixture();
    let auth = |u: &str| format!("Bearer {}", f.tokens[u]);
    let get = |u: &str, uri: &str| {
        Request::get(uri)
            .header(header::AUTHORIZATION, auth(u))
            .body(Body::empty())
            .unwrap()
    };
    // ACLED CSV with the HXL row
    let (s, r) = f
        .send(get(
            "analyst",
            "/api/exports/incidents?format=acled-csv&agreement=astana-2017",
        ))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(r.headers()[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    let csv = text(r).await;
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().contains("event_date"));
    assert!(lines.next().unwrap().contains("#date"));
    assert!(lines.count() >= 1);
    // GeoJSON of incidents and of zones on a day
    let (s, r) = f
        .send(get("analyst", "/api/exports/incidents?format=geojson"))
        .await;
    assert_eq!(s, StatusCode::OK);
    let g: serde_json::Value = serde_json::from_str(&text(r).await).unwrap();
    assert_eq!(g["type"], "FeatureCollection");
    let (_, r) = f
        .send(get("viewer", "/api/exports/zones?at=2018-01-15"))
        .await;
    let z: serde_json::Value = serde_json::from_str(&text(r).await).unwrap();
    assert!(z["features"].as_array().unwrap().len() >= 4);
    // viewers: nothing is published yet
    let (_, r) = f
        .send(get("viewer", "/api/exports/incidents?format=geojson"))
        .await;
    let g: serde_json::Value = serde_json::from_str(&text(r).await).unwrap();
    assert!(g["features"].as_array().unwrap().is_empty());
    let (s, _) = f
        .send(get("analyst", "/api/exports/incidents?format=xlsx"))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // JSON Lines: export, then import into a second desk: the same incidents
    let (_, r) = f
        .send(get("analyst", "/api/exports/incidents?format=jsonl"))
        .await;
    let jsonl = text(r).await;
    assert!(jsonl.lines().count() > 2);
    let g2 = fixture_empty();
    let post = |u: &str, body: String| {
        Request::post("/api/imports/jsonl")
            .header(header::AUTHORIZATION, format!("Bearer {}", g2.tokens[u]))
            .header(header::CONTENT_TYPE, "application/x-ndjson")
            .body(Body::from(body))
            .unwrap()
    };
    let (s, _) = g2.send(post("viewer", jsonl.clone())).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, r) = g2.send(post("analyst", jsonl.clone())).await;
    assert_eq!(s, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&text(r).await).unwrap();
    assert!(v["stored"].as_u64().unwrap() > 0, "{v}");
    assert_eq!(v["problems"].as_array().unwrap().len(), 0, "{v}");
    let (_, a) = f.get_json("analyst", "/api/incidents?limit=1000").await;
    let (_, b) = g2.get_json("analyst", "/api/incidents?limit=1000").await;
    assert_eq!(
        a["count"], b["count"],
        "the re-import has as many incidents"
    );
    // a bad line is named, the rest taken
    let (s, r) = g2
        .send(post("analyst", "{\"kind\": \"nonsense\"}\n".to_owned()))
        .await;
    assert_eq!(s, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&text(r).await).unwrap();
    assert!(v["problems"][0]
        .as_str()
        .unwrap()
        .starts_with("upload.jsonl:1:"));
}

/// A desk with the agreements and the demo accounts but no incidents.
fn fixture_empty() -> common::Fixture {
    common::fixture_with(false)
}

#[tokio::test]
async fn the_desk_prints_the_report_to_pdf_with_chromium() {
    if !std::path::Path::new("/usr/bin/chromium").exists() {
        if std::env::var("HUDNA_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
            panic!("HUDNA_REQUIRE_BROWSER=1 but /usr/bin/chromium is missing");
        }
        eprintln!("SKIPPED the_desk_prints_the_report_to_pdf_with_chromium: no chromium");
        return;
    }
    let f = fixture();
    let day = f
        .state
        .hudna
        .incident(f.kafranbel)
        .unwrap()
        .incident
        .date
        .unwrap();
    let (cookie, _) = f.login("analyst", "hudna-analyst-demo").await;
    let req = Request::get(format!("/situation/report.pdf?date={day}&lang=ar"))
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .unwrap();
    let (s, r) = f.send(req).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(r.headers()[header::CONTENT_TYPE], "application/pdf");
    let bytes = http_body_util::BodyExt::collect(r.into_body())
        .await
        .unwrap()
        .to_bytes();
    assert!(bytes.starts_with(b"%PDF"), "a PDF");
    assert!(bytes.len() > 10_000, "with content: {} bytes", bytes.len());
    let out = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("situation-desk-ar.pdf"), &bytes).unwrap();
}

#[tokio::test]
async fn admins_add_organisations_and_users_from_the_desk() {
    let f = fixture();
    let (cookie, csrf) = f.login("admin", "hudna-admin-demo").await;
    let (s, page) = f.page(&cookie, "/admin/accounts").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("id=\"user-turkey\""));
    assert!(!page.contains("argon2"), "no password hashes on the page");
    let (s, r) = f
        .send(form_post(
            "/admin/orgs",
            &cookie,
            format!("csrf={csrf}&id=icrc&name=ICRC&kind=ngo&party="),
        ))
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{}", text(r).await);
    let (s, _) = f
        .send(form_post(
            "/admin/users",
            &cookie,
            format!("csrf={csrf}&username=amal&display_name=Amal&org=icrc&role=viewer&password=a-long-passphrase"),
        ))
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    // the new user logs in
    let (c2, _) = f.login("amal", "a-long-passphrase").await;
    let (s, _) = f.page(&c2, "/").await;
    assert_eq!(s, StatusCode::OK);
    // bad input is named; a short password refused; CSRF checked
    let (s, r) = f
        .send(form_post(
            "/admin/users",
            &cookie,
            format!("csrf={csrf}&username=b&org=icrc&role=viewer&password=short"),
        ))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(text(r).await.contains("too short"));
    let (s, _) = f
        .send(form_post(
            "/admin/users",
            &cookie,
            "csrf=forged&username=c&org=icrc&role=viewer&password=a-long-passphrase".into(),
        ))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // nobody but admins: the page and the forms
    for (u, pw) in [
        ("analyst", "hudna-analyst-demo"),
        ("turkey", "hudna-turkey-demo"),
        ("viewer", "hudna-viewer-demo"),
    ] {
        let (ck, tok) = f.login(u, pw).await;
        let (s, _) = f.page(&ck, "/admin/accounts").await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{u}");
        let (s, _) = f
            .send(form_post(
                "/admin/users",
                &ck,
                format!("csrf={tok}&username=x{u}&org=icrc&role=admin&password=a-long-passphrase"),
            ))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{u} may not create users");
    }
    let (_, page) = f.page(&cookie, "/admin/accounts").await;
    assert!(page.contains("id=\"user-amal\"") && !page.contains("id=\"user-xviewer\""));
}

#[tokio::test]
async fn health_tells_counts_only_to_users_who_see_unpublished_incidents() {
    let f = fixture();
    let (s, r) = f
        .send(Request::get("/api/health").body(Body::empty()).unwrap())
        .await;
    assert_eq!(s, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&text(r).await).unwrap();
    assert_eq!(v, json!({"status": "ok"}), "anonymous: liveness only");
    let (_, v) = f.get_json("viewer", "/api/health").await;
    assert_eq!(v, json!({"status": "ok"}), "viewers: liveness only");
    let (_, v) = f.get_json("analyst", "/api/health").await;
    assert!(v["incidents"].as_u64().unwrap() > 0 && v["reports"].is_u64());
}
