//! Backends for the store test-suite: SQLite always, PostgreSQL when
//! `HUDNA_TEST_PG` holds a URL (CI sets it; see .ci/run). Each PostgreSQL
//! case gets a fresh schema of its own, dropped afterwards, so tests run in
//! parallel against one database.

#![allow(dead_code)]

use hudna_store::{AccountStore, HumanitarianStore, PgStore, SqliteStore, Store};
use std::io::Write;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Once};

/// Executes raw SQL behind the store's back (tampering, copying).
pub type Raw = Box<dyn Fn(&str) + Send + Sync>;

pub struct Case {
    pub name: &'static str,
    /// The `--db` value that opens this database again.
    pub db: String,
    pub store: Arc<dyn Store>,
    pub accounts: Arc<dyn AccountStore>,
    pub humanitarian: Arc<dyn HumanitarianStore>,
    pub raw: Raw,
    // dropped after the store (field order)
    _schema: Option<Schema>,
    _dir: Option<tempfile::TempDir>,
}

static NOTICE: Once = Once::new();

/// The PostgreSQL URL, or `None` after saying (once, uncaptured) why the
/// PostgreSQL half of the suite is skipped.
pub fn pg_url() -> Option<String> {
    match std::env::var("HUDNA_TEST_PG") {
        Ok(u) if !u.trim().is_empty() => Some(u),
        _ => {
            NOTICE.call_once(|| {
                // straight to the file descriptor: the test harness captures eprintln!
                let _ = writeln!(
                    std::io::stderr(),
                    "NOTE: PostgreSQL store tests SKIPPED: HUDNA_TEST_PG is not set (e.g. HUDNA_TEST_PG=postgres://hudna_test:hudna_test@127.0.0.1/hudna_test); only SQLite was tested"
                );
            });
            None
        }
    }
}

pub fn sqlite_case() -> Case {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.sqlite");
    let s = Arc::new(SqliteStore::create(&path).unwrap());
    let p = path.clone();
    Case {
        name: "sqlite",
        db: path.display().to_string(),
        store: s.clone(),
        accounts: s.clone(),
        humanitarian: s,
        raw: Box::new(move |sql| {
            rusqlite::Connection::open(&p)
                .unwrap()
                .execute_batch(sql)
                .unwrap()
        }),
        _schema: None,
        _dir: Some(dir),
    }
}

/// A schema of its own inside the test database.
pub struct Schema {
    url: String,
    pub name: String,
}

impl Schema {
    pub fn new(url: &str) -> Schema {
        static N: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!(
            "hudna_t_{}_{}_{nanos}",
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

pub fn pg_case(url: &str) -> Case {
    let schema = Schema::new(url);
    let db = schema.url();
    let s = Arc::new(PgStore::create(&db).unwrap());
    let raw_url = db.clone();
    Case {
        name: "postgres",
        db,
        store: s.clone(),
        accounts: s.clone(),
        humanitarian: s,
        raw: Box::new(move |sql| {
            postgres::Client::connect(&raw_url, postgres::NoTls)
                .unwrap()
                .batch_execute(sql)
                .unwrap()
        }),
        _schema: Some(schema),
        _dir: None,
    }
}

/// Every backend available here: SQLite, and PostgreSQL when configured.
pub fn cases() -> Vec<Case> {
    let mut v = vec![sqlite_case()];
    if let Some(u) = pg_url() {
        v.push(pg_case(&u));
    }
    v
}

/// Runs `f` on every backend, naming the backend in a failure.
pub fn each(f: impl Fn(&Case)) {
    for c in cases() {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&c)));
        if let Err(e) = r {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!("[{} backend] {msg}", c.name);
        }
    }
}
