//! The humanitarian file on the desk: officers only, every read audited,
//! link review and status changes through CSRF-checked forms.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{fixture, text};

const LIST_A: &str = "record_id,full_name,mother,sex,birth_year,place,event_date\n\
a1,محمد عبد الله الأحمد,فاطمة,m,1985,إدلب,2017-05-04\n\
a2,خالد يوسف النعسان,مريم,m,1990,حماة,2016-02-01\n";
const LIST_B: &str = "record_id,full_name,mother,sex,birth_year,place,event_date\n\
b1,محمد عبدالله احمد,فاطمه,m,1985,ادلب,2017-05-04\n\
b2,Khaled Youssef al-Naasan,Maryam,m,1990,Hama,\n";

fn form_post(uri: &str, cookie: &str, body: String) -> Request<Body> {
    Request::post(uri)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn officers_review_links_and_change_statuses_and_every_read_is_audited() {
    let f = fixture();
    let h = &f.state.hudna;
    let day = chrono::NaiveDate::from_ymd_opt(2018, 1, 12).unwrap();
    for (name, party, csv) in [
        ("list A", "syrian_government", LIST_A),
        ("list B", "opposition_factions", LIST_B),
    ] {
        let read = hudna_app::persons::read_person_csv(name, csv, "missing");
        assert!(read.problems.is_empty(), "{:?}", read.problems);
        h.import_person_list(name, party, day, &read, "test")
            .unwrap();
    }
    h.link_persons(0.3, None, "test").unwrap();
    let pending = h.person_links(Some("candidate")).unwrap();
    assert!(!pending.is_empty(), "the engine proposes links");

    // nobody but humanitarian officers, admins included
    for (u, pw) in [
        ("admin", "hudna-admin-demo"),
        ("analyst", "hudna-analyst-demo"),
        ("turkey", "hudna-turkey-demo"),
        ("viewer", "hudna-viewer-demo"),
    ] {
        let (ck, _) = f.login(u, pw).await;
        for uri in ["/persons", "/persons/review", "/persons/1"] {
            let (s, page) = f.page(&ck, uri).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{u} {uri}");
            assert!(!page.contains("محمد"), "no personal data for {u}");
        }
    }
    let (cookie, csrf) = f.login("humanitarian", "hudna-humanitarian-demo").await;
    let reads_before = h.store().audit_log(None).unwrap().len();
    let (s, page) = f.page(&cookie, "/persons").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("id=\"lists\"") && page.contains("list A"));
    let (s, page) = f.page(&cookie, "/persons/review").await;
    assert_eq!(s, StatusCode::OK);
    let l = &pending[0];
    assert!(page.contains(&format!("id=\"link-{}-{}\"", l.record_a, l.record_b)));
    // the review page's reads are in the audit log, naming every record shown
    let log = h.store().audit_log(Some("persons")).unwrap();
    let last = log.last().unwrap();
    assert_eq!(last.action, "person.read_many");
    assert_eq!(last.actor, "user:humanitarian");
    // accept the first candidate through the form
    let (s, _) = f
        .send(form_post(
            "/persons/review",
            &cookie,
            format!(
                "csrf=forged&a={}&b={}&decision=accept",
                l.record_a, l.record_b
            ),
        ))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, r) = f
        .send(form_post(
            "/persons/review",
            &cookie,
            format!(
                "csrf={csrf}&a={}&b={}&decision=accept",
                l.record_a, l.record_b
            ),
        ))
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{}", text(r).await);
    // the record's page: the other record is the same person now; the read is audited
    let (s, page) = f.page(&cookie, &format!("/persons/{}", l.record_a)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("id=\"same-person\""));
    assert!(page.contains(&format!("href=\"/persons/{}\"", l.record_b)));
    let reads = h
        .store()
        .audit_log(Some(&format!("person_record/{}", l.record_a)))
        .unwrap();
    assert!(reads
        .iter()
        .any(|e| e.action == "person.read" && e.actor == "user:humanitarian"));
    assert!(h.store().audit_log(None).unwrap().len() > reads_before);
    // undo from the record's page: the two are different people again
    let (s, r) = f
        .send(form_post(
            "/persons/review",
            &cookie,
            format!(
                "csrf={csrf}&a={}&b={}&decision=reject&next=/persons/{}",
                l.record_a, l.record_b, l.record_a
            ),
        ))
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()[header::LOCATION],
        format!("/persons/{}?saved=link", l.record_a).as_str()
    );
    let (_, page) = f.page(&cookie, &format!("/persons/{}", l.record_a)).await;
    assert!(!page.contains(&format!("id=\"same-{}\"", l.record_b)));
    // accept again for what follows
    let (s, _) = f
        .send(form_post(
            "/persons/review",
            &cookie,
            format!(
                "csrf={csrf}&a={}&b={}&decision=accept&next=//evil",
                l.record_a, l.record_b
            ),
        ))
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    // a status change through the form, kept in the history
    let (s, _) = f
        .send(form_post(
            &format!("/persons/{}/status", l.record_a),
            &cookie,
            format!("csrf={csrf}&to=released&date=2018-05-01&note=exchange"),
        ))
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, page) = f.page(&cookie, &format!("/persons/{}", l.record_a)).await;
    assert!(page.contains("data-status=\"released\""));
    assert!(page.contains("id=\"status-history\""));
    // bad input: 4xx with codes
    for (uri, body, code) in [
        (
            format!("/persons/{}/status", l.record_a),
            format!("csrf={csrf}&to=vanished"),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("/persons/{}/status", l.record_a),
            format!("csrf={csrf}&to=released&date=2030-01-01"),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/persons/999999/status".to_owned(),
            format!("csrf={csrf}&to=released"),
            StatusCode::NOT_FOUND,
        ),
        (
            "/persons/review".to_owned(),
            format!("csrf={csrf}&a=x&b=1&decision=accept"),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/persons/review".to_owned(),
            format!("csrf={csrf}&a=1&b=2&decision=maybe"),
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let (s, _) = f.send(form_post(&uri, &cookie, body.clone())).await;
        assert_eq!(s, code, "{uri} {body}");
    }
    let (s, _) = f.page(&cookie, "/persons/999999").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = f.page(&cookie, "/persons/abc").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}
