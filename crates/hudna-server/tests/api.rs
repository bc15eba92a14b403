//! The router driven with `oneshot`: authentication, authorisation, CSRF,
//! bad input, the OpenAPI document, and the pages.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{fixture, json, text};
use serde_json::json;

#[tokio::test]
async fn openapi_lists_exactly_the_routes_and_every_route_answers() {
    let f = fixture();
    let (s, doc) = f.get_json("admin", "/api/openapi.json").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.0.3");
    let mut documented: Vec<(String, String)> = vec![];
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for m in ops.as_object().unwrap().keys() {
            documented.push((m.clone(), path.clone()));
        }
    }
    let mut routes: Vec<(String, String)> = hudna_server::api::ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    documented.sort();
    routes.sort();
    assert_eq!(
        documented, routes,
        "the OpenAPI document and the route table differ"
    );
    // every documented route exists in the router: never route_not_found / 405
    for (m, p) in &routes {
        let uri = p.replace(
            "{id}",
            if p.contains("agreements") {
                "astana-2017"
            } else {
                "1"
            },
        );
        let req = Request::builder()
            .method(Method::from_bytes(m.to_uppercase().as_bytes()).unwrap())
            .uri(&uri)
            .header(
                header::AUTHORIZATION,
                format!("Bearer {}", f.tokens["admin"]),
            )
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{}"))
            .unwrap();
        let (s, r) = f.send(req).await;
        assert_ne!(s, StatusCode::METHOD_NOT_ALLOWED, "{m} {uri}");
        if s == StatusCode::NOT_FOUND {
            let v = json(r).await;
            assert_ne!(
                v["error"]["code"], "route_not_found",
                "{m} {uri} is documented but not routed"
            );
        }
        assert!(!s.is_server_error(), "{m} {uri} -> {s}");
    }
}

#[tokio::test]
async fn the_api_needs_a_valid_token_and_errors_are_json_with_codes() {
    let f = fixture();
    let (s, r) = f
        .send(Request::get("/api/incidents").body(Body::empty()).unwrap())
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(json(r).await["error"]["code"], "unauthenticated");
    let req = Request::get("/api/incidents")
        .header(header::AUTHORIZATION, "Bearer hudna_forged")
        .body(Body::empty())
        .unwrap();
    let (s, r) = f.send(req).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(json(r).await["error"]["code"], "invalid_token");
    let (s, v) = f.get_json("admin", "/api/nope").await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("route_not_found"))
    );
}

#[tokio::test]
async fn bad_input_gets_the_right_4xx_never_a_500() {
    let f = fixture();
    let tok = format!("Bearer {}", f.tokens["analyst"]);
    let post = |uri: &str, ct: &str, body: Vec<u8>| {
        Request::post(uri)
            .header(header::AUTHORIZATION, &tok)
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap()
    };
    let cases: Vec<(Request<Body>, StatusCode, &str)> = vec![
        (
            post("/api/reports", "application/json", vec![b'a'; 2 << 20]),
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
        (
            post("/api/reports", "application/json", b"{\"text\": ".to_vec()),
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            post("/api/reports", "text/plain", b"{\"text\": \"x\"}".to_vec()),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            post(
                "/api/reports",
                "application/json",
                b"{\"text\": 5}".to_vec(),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            post(
                "/api/reports",
                "application/json",
                b"{\"text\": \"x\", \"evil\": 1}".to_vec(),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            post(
                "/api/reports",
                "application/json",
                b"{\"text\": \"   \"}".to_vec(),
            ),
            StatusCode::BAD_REQUEST,
            "empty_text",
        ),
        (
            post(
                "/api/reports",
                "application/json",
                b"{\"text\": \"x\", \"published\": \"2999-01-01\"}".to_vec(),
            ),
            StatusCode::BAD_REQUEST,
            "date_out_of_range",
        ),
        (
            post(
                "/api/reports",
                "application/json",
                b"{\"text\": \"x\", \"published\": \"2030-01-01\"}".to_vec(),
            ),
            StatusCode::BAD_REQUEST,
            "date_in_future",
        ),
        (
            post("/api/extract", "application/json", b"[]".to_vec()),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
    ];
    for (req, status, code) in cases {
        let uri = req.uri().to_string();
        let (s, r) = f.send(req).await;
        let v = json(r).await;
        assert_eq!(
            (s, v["error"]["code"].as_str().unwrap_or("")),
            (status, code),
            "{uri}: {v}"
        );
    }
    for (uri, status, code) in [
        (
            "/api/incidents/999999",
            StatusCode::NOT_FOUND,
            "incident_not_found",
        ),
        ("/api/incidents/abc", StatusCode::BAD_REQUEST, "bad_id"),
        ("/api/incidents/-1", StatusCode::BAD_REQUEST, "bad_id"),
        (
            "/api/reports/999999",
            StatusCode::NOT_FOUND,
            "report_not_found",
        ),
        (
            "/api/agreements/nope",
            StatusCode::NOT_FOUND,
            "agreement_not_found",
        ),
        (
            "/api/zones?at=1066-10-14",
            StatusCode::BAD_REQUEST,
            "date_out_of_range",
        ),
        (
            "/api/zones?at=yesterday",
            StatusCode::BAD_REQUEST,
            "bad_date",
        ),
        (
            "/api/incidents?since=2019-01-01&until=2018-01-01",
            StatusCode::BAD_REQUEST,
            "bad_range",
        ),
        (
            "/api/incidents?limit=100000",
            StatusCode::BAD_REQUEST,
            "bad_paging",
        ),
        (
            "/api/incidents?status=lost",
            StatusCode::BAD_REQUEST,
            "bad_status",
        ),
        (
            "/api/locate?lat=95&lon=36",
            StatusCode::BAD_REQUEST,
            "coordinate_out_of_range",
        ),
        (
            "/api/locate?lat=x&lon=36",
            StatusCode::BAD_REQUEST,
            "bad_coordinate",
        ),
        (
            "/api/locate?lon=36",
            StatusCode::BAD_REQUEST,
            "missing_parameter",
        ),
    ] {
        let (s, v) = f.get_json("analyst", uri).await;
        assert_eq!(
            (s, v["error"]["code"].as_str().unwrap_or("")),
            (status, code),
            "{uri}: {v}"
        );
    }
    let (s, v) = f.post_json("analyst", "/api/incidents/1", json!({})).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, Some("method_not_allowed"))
    );
}

#[tokio::test]
async fn a_liaison_records_stances_only_for_its_own_party_and_consensus_moves() {
    let f = fixture();
    let id = f.kafranbel;
    let uri = format!("/api/incidents/{id}/stances");
    // Turkey's liaison may not speak for Russia
    let (s, v) = f
        .post_json(
            "turkey",
            &uri,
            json!({"agreement": "astana-2017", "party": "russia", "position": "dispute"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden_party"))
    );
    // an analyst speaks for no party
    let (s, _) = f
        .post_json(
            "analyst",
            &uri,
            json!({"agreement": "astana-2017", "party": "turkey", "position": "confirm"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let state = |v: &serde_json::Value| {
        v["consensus"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["agreement"] == "astana-2017")
            .map(|c| c["state"].as_str().unwrap().to_owned())
    };
    let (_, before) = f.get_json("analyst", &uri).await;
    let (s, v) = f
        .post_json(
            "turkey",
            &uri,
            json!({"agreement": "astana-2017", "position": "confirm", "comment": "post 9"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(
        v["stances"].as_array().unwrap().last().unwrap()["party"],
        "turkey"
    );
    let (s, v2) = f
        .post_json(
            "russia",
            &uri,
            json!({"agreement": "astana-2017", "position": "dispute"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(state(&v2).as_deref(), Some("disputed"));
    assert_ne!(state(&before), state(&v2), "consensus must change");
    assert_eq!(v2["grade"], "contested");
    // an invalid position and an agreement the party is not in
    let (s, v) = f
        .post_json(
            "turkey",
            &uri,
            json!({"agreement": "astana-2017", "position": "maybe"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_position"))
    );
    let (s, v) = f
        .post_json(
            "turkey",
            &uri,
            json!({"agreement": "nope", "position": "confirm"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("agreement_not_found"))
    );
}

#[tokio::test]
async fn viewers_see_published_incidents_only() {
    let f = fixture();
    let id = f.kafranbel;
    let (s, v) = f.get_json("viewer", "/api/incidents").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["count"], 0, "nothing is published yet");
    let (s, _) = f.get_json("viewer", &format!("/api/incidents/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = f.get_json("viewer", "/api/reports/1").await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden_role"))
    );
    let (s, _) = f
        .post_json("viewer", "/api/reports", json!({"text": "x"}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // publish it: new -> in_review -> ready -> published
    for to in ["in_review", "ready", "published"] {
        f.state.hudna.review(id, to, None, None, "test").unwrap();
    }
    // a write behind the server's back: tell it, as its own writes do
    f.state.changed();
    let (_, v) = f.get_json("viewer", "/api/incidents").await;
    assert_eq!(v["count"], 1);
    assert_eq!(v["incidents"][0]["id"], id);
    let (s, _) = f.get_json("viewer", &format!("/api/incidents/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    let (_, v) = f.get_json("analyst", "/api/incidents?limit=1000").await;
    assert!(
        v["count"].as_u64().unwrap() > 1,
        "analysts see unpublished ones too"
    );
}

#[tokio::test]
async fn a_report_posted_becomes_an_incident_with_an_assessment() {
    let f = fixture();
    let text = "قصفت قوات النظام بالمدفعية الثقيلة بلدة كفرنبل في ريف إدلب الجنوبي يوم 3 آذار 2018، ما أدى إلى مقتل أربعة مدنيين.";
    let (s, v) = f
        .post_json(
            "analyst",
            "/api/reports",
            json!({"text": text, "source": "Test outlet", "published": "2018-03-04"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["outcome"], "stored");
    let id = v["incidents"][0].as_i64().expect("an incident");
    let (s, d) = f.get_json("analyst", &format!("/api/incidents/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    let astana = d["assessments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["agreement"] == "astana-2017")
        .expect("assessed against Astana");
    assert_eq!(astana["zone"], "idlib", "{astana}");
    // the same text again is a duplicate, not a new incident
    let (s, v) = f
        .post_json(
            "analyst",
            "/api/reports",
            json!({"text": text, "source": "Test outlet", "published": "2018-03-04"}),
        )
        .await;
    assert_eq!(
        (s, v["outcome"].as_str()),
        (StatusCode::OK, Some("duplicate"))
    );
    // and the report itself is readable, with its extraction as JSON
    let rid = d["sources"][0]["report_id"].as_i64().unwrap();
    let (s, r) = f.get_json("analyst", &format!("/api/reports/{rid}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(r["extraction"].is_object());
}

#[tokio::test]
async fn zones_locate_agreements_mandate_and_consents() {
    let f = fixture();
    let (_, v) = f
        .get_json("viewer", "/api/zones?at=2018-01-15&agreement=astana-2017")
        .await;
    assert_eq!(v["zones"].as_array().unwrap().len(), 4);
    let (_, v) = f
        .get_json("viewer", "/api/locate?lat=33.572&lon=36.402&at=2018-01-15")
        .await;
    assert_eq!(v["zones"][0]["zone"], "eastern_ghouta", "{v}");
    let (_, v) = f.get_json("viewer", "/api/agreements").await;
    assert_eq!(v["agreements"].as_array().unwrap().len(), 3);
    let (s, v) = f
        .get_json(
            "viewer",
            "/api/agreements/astana-2017/mandate?at=2017-12-01",
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["in_force"], true);
    // consents: own party only
    let (s, v) = f
        .post_json(
            "turkey",
            "/api/agreements/astana-2017/consents",
            json!({"party": "iran", "extension": 1, "decision": "grant", "date": "2017-10-20"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden_party"))
    );
    let (s, v) = f
        .post_json(
            "turkey",
            "/api/agreements/astana-2017/consents",
            json!({"party": "turkey", "extension": 1, "decision": "grant", "date": "2017-10-20"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (_, v) = f
        .get_json("viewer", "/api/agreements/astana-2017/consents")
        .await;
    assert!(v["consents"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["party"] == "turkey" && c["recorded_by"] == "user:turkey"));
    let (s, v) = f
        .post_json(
            "turkey",
            "/api/agreements/astana-2017/consents",
            json!({"party": "turkey", "extension": 1, "decision": "perhaps"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_decision"))
    );
    let (s, v) = f
        .post_json(
            "analyst",
            "/api/extract",
            json!({"text": "قصف مدفعي على معرة النعمان", "published": "2018-02-01"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["events"].is_array());
}

#[tokio::test]
async fn pages_need_a_session_and_forms_need_the_csrf_token() {
    let f = fixture();
    let (s, r) = f
        .send(Request::get("/incidents").body(Body::empty()).unwrap())
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[header::LOCATION], "/login?next=/incidents");
    let (cookie, csrf) = f.login("turkey", "hudna-turkey-demo").await;
    let (s, page) = f.page(&cookie, "/incidents").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("<html lang=\"ar\" dir=\"rtl\">"));
    assert!(page.contains("id=\"incident-table\""));
    assert!(
        page.contains('٣') || page.contains('١'),
        "Arabic-Indic digits"
    );
    // a forged token is refused, the real one accepted
    let id = f.kafranbel;
    let form = |tok: &str| {
        format!("csrf={tok}&agreement=astana-2017&party=turkey&position=confirm&comment=ok")
    };
    let post = |body: String| {
        Request::post(format!("/incidents/{id}/stance"))
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    let (s, r) = f.send(post(form("forged"))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(text(r).await.contains("csrf_mismatch"));
    let (s, r) = f.send(post(form(&csrf))).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()[header::LOCATION],
        format!("/incidents/{id}?saved=stance")
    );
    // another party's stance through the form: refused
    let other = format!("csrf={csrf}&agreement=astana-2017&party=russia&position=dispute");
    let (s, r) = f.send(post(other)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(text(r).await.contains("forbidden_party"));
    // the session's cookie alone does not authorise API writes either
    let req = Request::post(format!("/api/incidents/{id}/stances"))
        .header(header::COOKIE, &cookie)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"agreement": "astana-2017", "position": "confirm"}).to_string(),
        ))
        .unwrap();
    let (s, r) = f.send(req).await;
    assert_eq!(
        (
            s,
            json(r).await["error"]["code"].as_str().map(str::to_owned)
        ),
        (StatusCode::FORBIDDEN, Some("csrf_missing".into()))
    );
}

#[tokio::test]
async fn every_page_renders_in_both_languages_with_security_headers() {
    let f = fixture();
    let (cookie, _) = f.login("analyst", "hudna-analyst-demo").await;
    let id = f.kafranbel;
    for uri in [
        "/".to_owned(),
        "/?at=2018-03-02".to_owned(),
        "/map?at=2018-03-02".to_owned(),
        "/incidents?zone=idlib&violations=1".to_owned(),
        format!("/incidents/{id}"),
        "/zones/astana-2017/idlib?at=2018-03-02".to_owned(),
        "/reports/new".to_owned(),
        "/situation?date=2018-03-02".to_owned(),
        "/situation?since=2018-02-20&until=2018-03-02".to_owned(),
        "/rounds".to_owned(),
    ] {
        for lang in ["ar", "en"] {
            let req = Request::get(&uri)
                .header(header::COOKIE, format!("{cookie}; hudna_lang={lang}"))
                .body(Body::empty())
                .unwrap();
            let (s, r) = f.send(req).await;
            assert_eq!(s, StatusCode::OK, "{uri}");
            let csp = r.headers()[header::CONTENT_SECURITY_POLICY]
                .to_str()
                .unwrap()
                .to_owned();
            assert!(csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'self'"));
            assert_eq!(r.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
            let html = text(r).await;
            assert!(
                html.contains(&format!("<html lang=\"{lang}\"")),
                "{uri} {lang}"
            );
            assert!(
                !html.contains("src=\"http") && !html.contains("href=\"http"),
                "no external assets on {uri}"
            );
        }
    }
    // the map shows the incident and Syria; the incident page highlights evidence
    let day = f.state.hudna.incident(id).unwrap().incident.date.unwrap();
    let (_, map) = f.page(&cookie, &format!("/map?at={day}&days=3")).await;
    assert!(
        map.contains(&format!("id=\"inc-{id}\"")),
        "the incident is on the map"
    );
    assert!(map.contains("class=\"syria\""));
    let (_, page) = f.page(&cookie, &format!("/incidents/{id}")).await;
    assert!(page.contains("<mark>"), "evidence highlighted");
    assert!(page.contains("id=\"review-form\""), "analysts review");
    assert!(
        !page.contains("id=\"stance-form\""),
        "analysts do not record stances"
    );
    // language switch: only local redirects
    let (s, r) = f
        .send(
            Request::get("/lang/en?next=/map")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[header::LOCATION], "/map");
    assert!(r.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .starts_with("hudna_lang=en"));
    let (_, r) = f
        .send(
            Request::get("/lang/en?next=//evil.example")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.headers()[header::LOCATION], "/");
}

#[tokio::test]
async fn logins_are_throttled_and_cookies_are_strict() {
    let f = fixture();
    let (_, r) = f
        .send(Request::get("/login").body(Body::empty()).unwrap())
        .await;
    let set = r.headers()[header::SET_COOKIE].to_str().unwrap().to_owned();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"));
    let tok = set
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_owned();
    let attempt = |pw: &str| {
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("hudna_login_csrf={tok}"))
            .body(Body::from(format!(
                "username=viewer&password={pw}&csrf={tok}"
            )))
            .unwrap()
    };
    for _ in 0..5 {
        let (s, _) = f.send(attempt("wrong")).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let (s, r) = f.send(attempt("hudna-viewer-demo")).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key(header::RETRY_AFTER));
    // a login form whose token does not match its cookie is refused
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, "hudna_login_csrf=abc")
        .body(Body::from(
            "username=admin&password=hudna-admin-demo&csrf=xyz",
        ))
        .unwrap();
    let (s, _) = f.send(req).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn logout_ends_the_session() {
    let f = fixture();
    let (cookie, csrf) = f.login("admin", "hudna-admin-demo").await;
    let req = Request::post("/logout")
        .header(header::COOKIE, &cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("csrf={csrf}")))
        .unwrap();
    let (s, _) = f.send(req).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _) = f.page(&cookie, "/").await;
    assert_eq!(
        s,
        StatusCode::SEE_OTHER,
        "the old cookie no longer opens pages"
    );
}

/// `hudna serve --db PATH|URL`: the state `open_state` builds serves the same
/// desk on SQLite and on PostgreSQL (when `HUDNA_TEST_PG` is set): a session
/// from the login form, an API token made with it, a report posted with the
/// token and read back, its incident in the filtered list.
#[test]
fn the_desk_serves_every_backend_login_token_report_and_back() {
    // the fixtures are made and dropped outside the async runtime: the
    // PostgreSQL client blocks on a runtime of its own
    for mut f in common::fixtures() {
        f.state = f.reopened();
        common::run(serve_one_backend(&mut f));
    }
}

async fn serve_one_backend(f: &mut common::Fixture) {
    {
        let backend = f.backend;
        let (cookie, csrf) = f.login("analyst", "hudna-analyst-demo").await;
        let req = Request::post("/api/tokens")
            .header(header::COOKIE, &cookie)
            .header("x-csrf-token", &csrf)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json!({"label": "backend test"}).to_string()))
            .unwrap();
        let (s, r) = f.send(req).await;
        assert_eq!(s, StatusCode::CREATED, "[{backend}] token");
        let token = json(r).await["token"].as_str().unwrap().to_owned();
        f.tokens.insert("fresh", token);
        let (_, me) = f.get_json("fresh", "/api/me").await;
        assert_eq!(
            (me["user"]["username"].as_str(), me["via"].as_str()),
            (Some("analyst"), Some("token")),
            "[{backend}]"
        );
        let (_, h0) = f.get_json("fresh", "/api/health").await;
        let text = format!(
            "قصفت قوات النظام بالمدفعية بلدة معرة النعمان في ريف إدلب يوم 5 آذار 2018، ما أدى إلى مقتل مدنيين. ({backend})"
        );
        let (s, v) = f
            .post_json(
                "fresh",
                "/api/reports",
                json!({"text": text, "source": "Backend test", "published": "2018-03-06"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "[{backend}] {v}");
        let rid = v["report_id"].as_i64().expect("a report id");
        let id = v["incidents"][0].as_i64().expect("an incident");
        let (s, r) = f.get_json("fresh", &format!("/api/reports/{rid}")).await;
        assert_eq!(s, StatusCode::OK, "[{backend}]");
        assert_eq!(r["text"], text.as_str(), "[{backend}] the text comes back");
        let (s, d) = f.get_json("fresh", &format!("/api/incidents/{id}")).await;
        assert_eq!(s, StatusCode::OK, "[{backend}]");
        assert!(
            d["sources"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["report_id"] == rid),
            "[{backend}] the incident cites the report: {d}"
        );
        assert_eq!(
            d["assessments"]
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["agreement"] == "astana-2017")
                .map(|a| a["zone"].clone()),
            Some(json!("idlib")),
            "[{backend}]"
        );
        let (_, list) = f
            .get_json(
                "fresh",
                "/api/incidents?zone=idlib&since=2018-03-01&until=2018-03-31&limit=1000",
            )
            .await;
        assert!(
            list["incidents"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["id"] == id),
            "[{backend}] the filtered list has incident {id}"
        );
        let (_, h1) = f.get_json("fresh", "/api/health").await;
        assert_eq!(
            h1["reports"].as_u64().unwrap(),
            h0["reports"].as_u64().unwrap() + 1,
            "[{backend}] exactly one report more"
        );
        // the same text again: recognised, nothing new
        let (s, v) = f
            .post_json(
                "fresh",
                "/api/reports",
                json!({"text": text, "source": "Backend test", "published": "2018-03-06"}),
            )
            .await;
        assert_eq!(
            (s, v["outcome"].as_str(), v["report_id"].as_i64()),
            (StatusCode::OK, Some("duplicate"), Some(rid)),
            "[{backend}]"
        );
    }
}

/// Two desks on one PostgreSQL database, taking turns. A desk's batch
/// worked out optimistically (one guarded statement) while the other desk
/// had written finds the store moved at its commit: nothing of it is kept,
/// the committer hands it back, and it is ingested again the ordinary way.
/// Every report is acknowledged once and stored once, and the chain holds.
#[test]
fn a_desk_ingests_again_a_batch_the_other_desk_made_stale() {
    let Some(mut f) = common::pg_fixture() else {
        return;
    };
    f.state = f.reopened();
    let other = f.reopened();
    let token = f.tokens["analyst"].clone();
    common::run(async {
        let post = |state: &hudna_server::AppState, n: u32| {
            let text = format!(
                "قصفت قوات النظام بالمدفعية بلدة معرة النعمان في ريف إدلب يوم 5 آذار 2018، ما أدى إلى مقتل مدنيين. (مكتب {n})"
            );
            let req = Request::post("/api/reports")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(
                    json!({"text": text, "source": "Two desks", "published": "2018-03-06"})
                        .to_string(),
                ))
                .unwrap();
            let app = hudna_server::router(state.clone());
            async move {
                let r = tower::ServiceExt::oneshot(app, req).await.unwrap();
                let s = r.status();
                let v = json(r).await;
                assert_eq!(s, StatusCode::CREATED, "report {n}: {v}");
                let made: Vec<i64> = v["incidents"]
                    .as_array()
                    .map(|a| a.iter().filter_map(|i| i.as_i64()).collect())
                    .unwrap_or_default();
                (v["report_id"].as_i64().expect("a report id"), made)
            }
        };
        let (_, h0) = f.get_json("analyst", "/api/health").await;
        let (r1, new1) = post(&f.state, 1).await;
        let (r2, new2) = post(&f.state, 2).await;
        assert_eq!(
            (new1.len(), new2.len()),
            (1, 0),
            "the same shelling, merged"
        );
        let w = f.get_json("analyst", "/api/health").await.1["writes"].clone();
        assert_eq!(w["optimistic"], 1, "the second report: optimistic {w}");
        // the other desk writes, then this desk's next batch is stale
        let (r3, new3) = post(&other, 3).await;
        let (r4, new4) = post(&f.state, 4).await;
        assert_eq!((new3.len(), new4.len()), (0, 0), "merged too");
        let w = f.get_json("analyst", "/api/health").await.1["writes"].clone();
        assert_eq!(
            (w["stale"].as_u64(), w["handed_back"].as_u64()),
            (Some(1), Some(1)),
            "stale once, ingested again: {w}"
        );
        let ids = std::collections::BTreeSet::from([r1, r2, r3, r4]);
        assert_eq!(ids.len(), 4, "four reports, four ids");
        let (_, h1) = f.get_json("analyst", "/api/health").await;
        assert_eq!(
            h1["reports"].as_u64().unwrap(),
            h0["reports"].as_u64().unwrap() + 4,
            "each stored once"
        );
        let i1 = new1[0];
        let (_, d) = f.get_json("analyst", &format!("/api/incidents/{i1}")).await;
        let cited: std::collections::BTreeSet<i64> = d["sources"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|s| s["report_id"].as_i64())
            .collect();
        assert!(ids.is_subset(&cited), "the incident cites all four: {d}");
    });
    assert_eq!(f.state.hudna.store().verify_audit().unwrap().1, None);
}
