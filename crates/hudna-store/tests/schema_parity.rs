//! One source of truth for the schema: the PostgreSQL migrations carry the
//! same numbers and names as the SQLite ones, and (when PostgreSQL is
//! available) produce the same tables with the same columns, column kinds
//! and nullability.

mod common;

use std::collections::BTreeMap;

fn migration_names(dir: &str) -> Vec<String> {
    let d = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(dir);
    let mut v: Vec<String> = std::fs::read_dir(&d)
        .unwrap_or_else(|e| panic!("{}: {e}", d.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".sql"))
        .collect();
    v.sort();
    v
}

#[test]
fn both_backends_have_the_same_migrations() {
    let lite = migration_names("sqlite");
    let pg = migration_names("postgres");
    assert_eq!(
        lite, pg,
        "every migrations/sqlite/NNNN_name.sql needs a migrations/postgres/NNNN_name.sql"
    );
    for (i, n) in lite.iter().enumerate() {
        assert!(
            n.starts_with(&format!("{:04}_", i + 1)),
            "migration numbers run 0001, 0002, ... without gaps: {n}"
        );
    }
}

/// table -> column -> (kind, not null)
type Schema = BTreeMap<String, BTreeMap<String, (&'static str, bool)>>;

fn kind(t: &str) -> &'static str {
    let t = t.to_ascii_lowercase();
    if t.contains("int") {
        "integer"
    } else if t.contains("real")
        || t.contains("double")
        || t.contains("float")
        || t.contains("numeric")
    {
        "real"
    } else if t.contains("text") || t.contains("char") {
        "text"
    } else {
        "other"
    }
}

fn sqlite_schema() -> Schema {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("h.sqlite");
    drop(hudna_store::SqliteStore::create(&p).unwrap());
    let c = rusqlite::Connection::open(&p).unwrap();
    let mut out = Schema::new();
    let tables: Vec<String> = c
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    for t in tables {
        let mut st = c.prepare(&format!("PRAGMA table_info({t})")).unwrap();
        let cols = st
            .query_map([], |r| {
                let name: String = r.get(1)?;
                let ty: String = r.get(2)?;
                let notnull: i64 = r.get(3)?;
                let pk: i64 = r.get(5)?;
                Ok((name, (kind(&ty), notnull != 0 || pk != 0)))
            })
            .unwrap()
            .collect::<rusqlite::Result<BTreeMap<_, _>>>()
            .unwrap();
        out.insert(t, cols);
    }
    out
}

fn pg_schema(url: &str) -> Schema {
    let schema = common::Schema::new(url);
    drop(hudna_store::PgStore::create(&schema.url()).unwrap());
    let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
    let mut out = Schema::new();
    for r in c
        .query(
            "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text FROM information_schema.columns WHERE table_schema = $1",
            &[&schema.name],
        )
        .unwrap()
    {
        let (t, col, ty, nullable): (String, String, String, String) = (r.get(0), r.get(1), r.get(2), r.get(3));
        if t == "hudna_schema" {
            continue; // PostgreSQL's version table (SQLite keeps it in PRAGMA user_version)
        }
        out.entry(t).or_default().insert(col, (kind(&ty), nullable == "NO"));
    }
    out
}

#[test]
fn both_backends_have_the_same_tables_and_columns() {
    let lite = sqlite_schema();
    assert!(lite.contains_key("audit_log") && lite.contains_key("incidents"));
    let Some(url) = common::pg_url() else { return };
    let pg = pg_schema(&url);
    assert_eq!(
        lite.keys().collect::<Vec<_>>(),
        pg.keys().collect::<Vec<_>>(),
        "the same tables"
    );
    for (t, cols) in &lite {
        assert_eq!(cols, &pg[t], "table {t}: columns as (kind, NOT NULL) differ between SQLite (left) and PostgreSQL (right)");
    }
}
