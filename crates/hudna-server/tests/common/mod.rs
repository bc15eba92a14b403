//! A desk over the shipped agreements and sample reports, for the tests.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{header, Request, Response, StatusCode};
use http_body_util::BodyExt;
use hudna_app::accounts::Accounts;
use hudna_app::Hudna;
use hudna_server::{AppState, DeskConfig};
use hudna_store::SqliteStore;
use std::path::PathBuf;
use std::sync::Arc;
use tower::ServiceExt;

pub fn data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data")
}

fn fixed_today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
}

pub struct Fixture {
    pub state: AppState,
    pub tokens: std::collections::HashMap<&'static str, String>,
    /// The sample incident with three accounts (Kafranbel).
    pub kafranbel: i64,
    /// The `--db` value of this desk's database (a path or a URL).
    pub db: String,
    /// "sqlite" or "postgres".
    pub backend: &'static str,
    // dropped after the state (field order)
    _schema: Option<Schema>,
    _dir: Option<tempfile::TempDir>,
}

/// A desk over a fresh SQLite file.
pub fn fixture() -> Fixture {
    fixture_with(true)
}

/// With `samples` false: the agreements and accounts, no reports.
pub fn fixture_with(samples: bool) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite");
    let store = Arc::new(SqliteStore::create(&db).unwrap());
    let h = Arc::new(Hudna::with_sqlite(store.clone()));
    let accounts = Arc::new(Accounts::new(store));
    let mut f = populate(h, accounts, db.display().to_string(), "sqlite", samples);
    f._dir = Some(dir);
    f
}

/// The PostgreSQL URL of `HUDNA_TEST_PG`, or `None` after saying (once,
/// on the real standard error) that the PostgreSQL half is skipped.
pub fn pg_url() -> Option<String> {
    static NOTICE: std::sync::Once = std::sync::Once::new();
    match std::env::var("HUDNA_TEST_PG") {
        Ok(u) if !u.trim().is_empty() => Some(u),
        _ => {
            NOTICE.call_once(|| {
                use std::io::Write;
                let _ = writeln!(
                    std::io::stderr(),
                    "NOTE: PostgreSQL desk tests SKIPPED: HUDNA_TEST_PG is not set (e.g. HUDNA_TEST_PG=postgres://hudna_test:hudna_test@127.0.0.1/hudna_test); only SQLite was tested"
                );
            });
            None
        }
    }
}

/// The same desk over a schema of its own in the `HUDNA_TEST_PG` database
/// (dropped afterwards), or `None` when that is not set.
pub fn pg_fixture() -> Option<Fixture> {
    let url = pg_url()?;
    let schema = Schema::new(&url);
    let db = schema.url();
    let pg = Arc::new(hudna_store::PgStore::create(&db).unwrap());
    let h = Arc::new(Hudna::with_pg(pg.clone()));
    let accounts = Arc::new(Accounts::new(pg));
    let mut f = populate(h, accounts, db, "postgres", true);
    f._schema = Some(schema);
    Some(f)
}

/// Runs a test body on a runtime of its own (for tests whose fixtures must
/// be made and dropped outside it, like the PostgreSQL ones).
pub fn run<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// Every backend available here: SQLite, and PostgreSQL when configured.
pub fn fixtures() -> Vec<Fixture> {
    let mut v = vec![fixture()];
    v.extend(pg_fixture());
    v
}

/// Loads the shipped agreements and samples, the demo accounts and a token
/// for each of them.
fn populate(
    h: Arc<Hudna>,
    accounts: Arc<Accounts>,
    db: String,
    backend: &'static str,
    samples: bool,
) -> Fixture {
    for name in ["astana-2017", "sochi-2018", "moscow-2020"] {
        h.load_agreement(
            &data().join("agreements").join(name),
            Default::default(),
            "test",
        )
        .unwrap();
    }
    let read = hudna_app::sources::read_paths(
        &[data().join("samples")],
        &Default::default(),
        &mut std::io::empty(),
    );
    if samples {
        h.ingest(read.reports, "test", fixed_today(), &|_| {})
            .unwrap();
    }
    let kafranbel = h
        .incidents(&Default::default())
        .unwrap()
        .into_iter()
        .map(|(i, _)| i)
        .filter(|i| i.geonameid == Some(168661))
        .max_by_key(|i| i.reports)
        .map(|i| i.id)
        .unwrap_or_else(|| {
            assert!(!samples, "the Kafranbel sample incident");
            0
        });
    hudna_server::create_demo_accounts(&accounts).unwrap();
    let mut tokens = std::collections::HashMap::new();
    for u in [
        "admin",
        "analyst",
        "turkey",
        "russia",
        "iran",
        "viewer",
        "humanitarian",
    ] {
        tokens.insert(u, accounts.create_token(u, "test", "test").unwrap());
    }
    let config = DeskConfig {
        today: fixed_today,
        ..Default::default()
    };
    let state = hudna_server::state(h, accounts, vec![], config);
    Fixture {
        state,
        tokens,
        kafranbel,
        db,
        backend,
        _schema: None,
        _dir: None,
    }
}

/// A schema of its own inside the PostgreSQL test database.
pub struct Schema {
    url: String,
    pub name: String,
}

impl Schema {
    pub fn new(url: &str) -> Schema {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!(
            "hudna_desk_{}_{}_{nanos}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap_or_else(|e| {
            panic!("HUDNA_TEST_PG is set but PostgreSQL is not reachable: {e}")
        });
        c.batch_execute(&format!("CREATE SCHEMA {name}")).unwrap();
        Schema {
            url: url.to_owned(),
            name,
        }
    }

    /// The URL whose connections use this schema.
    pub fn url(&self) -> String {
        let sep = if self.url.contains('?') { '&' } else { '?' };
        format!("{}{sep}options=-c%20search_path%3D{}", self.url, self.name)
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.url, postgres::NoTls) {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
        }
    }
}

impl Fixture {
    /// The same database served the way `hudna serve` serves it
    /// ([`hudna_server::open_state`] on the `--db` value).
    pub fn reopened(&self) -> AppState {
        let config = DeskConfig {
            today: fixed_today,
            ..Default::default()
        };
        hudna_server::open_state(&self.db, config).unwrap()
    }

    pub fn app(&self) -> axum::Router {
        hudna_server::router(self.state.clone())
    }

    pub async fn send(&self, req: Request<Body>) -> (StatusCode, Response<Body>) {
        let r = self.app().oneshot(req).await.unwrap();
        (r.status(), r)
    }

    /// GET with a user's token; (status, JSON).
    pub async fn get_json(&self, user: &str, uri: &str) -> (StatusCode, serde_json::Value) {
        let req = Request::get(uri)
            .header(
                header::AUTHORIZATION,
                format!("Bearer {}", self.tokens[user]),
            )
            .body(Body::empty())
            .unwrap();
        let r = self.app().oneshot(req).await.unwrap();
        let s = r.status();
        (s, json(r).await)
    }

    pub async fn post_json(
        &self,
        user: &str,
        uri: &str,
        body: serde_json::Value,
    ) -> (StatusCode, serde_json::Value) {
        let req = Request::post(uri)
            .header(
                header::AUTHORIZATION,
                format!("Bearer {}", self.tokens[user]),
            )
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        let r = self.app().oneshot(req).await.unwrap();
        let s = r.status();
        (s, json(r).await)
    }

    /// Logs in through the form; returns the session cookie and CSRF token.
    pub async fn login(&self, user: &str, password: &str) -> (String, String) {
        let (s, r) = self
            .send(Request::get("/login").body(Body::empty()).unwrap())
            .await;
        assert_eq!(s, StatusCode::OK);
        let set = r
            .headers()
            .get(header::SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        let login_csrf = set
            .split(';')
            .next()
            .unwrap()
            .split_once('=')
            .unwrap()
            .1
            .to_owned();
        let form = format!("username={user}&password={password}&csrf={login_csrf}&next=/");
        let req = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("hudna_login_csrf={login_csrf}"))
            .body(Body::from(form))
            .unwrap();
        let (s, r) = self.send(req).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "login of {user}");
        let session = r
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap())
            .find(|v| v.starts_with("hudna_session="))
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        // the CSRF token is in every page's forms (the logout form at least)
        let page = self.page(&session, "/").await.1;
        let csrf = page
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned();
        (session, csrf)
    }

    /// GET a page with a session cookie; (status, HTML).
    pub async fn page(&self, cookie: &str, uri: &str) -> (StatusCode, String) {
        let req = Request::get(uri)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap();
        let (s, r) = self.send(req).await;
        (s, text(r).await)
    }
}

pub async fn text(r: Response<Body>) -> String {
    String::from_utf8(r.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap()
}

pub async fn json(r: Response<Body>) -> serde_json::Value {
    let t = text(r).await;
    serde_json::from_str(&t).unwrap_or_else(|_| panic!("not JSON: {t}"))
}
