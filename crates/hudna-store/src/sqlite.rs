//! The embedded SQLite backend.

use crate::audit::now;
use crate::audit::{entry_hash, verify, AuditEntry, AuditRecord, ChainBreak, GENESIS};
use crate::incidents::{AssessmentRow, DailyCount, IncidentFilter, IncidentRow, ReportRow, Tx};
use crate::sqlite_incidents::*;
use crate::{AgreementRow, ConsentRow, Counts, PlaceRow, PutOutcome, Result, Store, StoreError};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Migrations, in order; the position is the schema version.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/sqlite/0001_agreements.sql"),
    include_str!("../migrations/sqlite/0002_incidents.sql"),
    include_str!("../migrations/sqlite/0003_accounts.sql"),
    include_str!("../migrations/sqlite/0004_humanitarian.sql"),
    include_str!("../migrations/sqlite/0005_assessment_covering.sql"),
    include_str!("../migrations/sqlite/0006_ingest_guard.sql"),
];

pub struct SqliteStore {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl SqliteStore {
    /// Creates the database file if needed and brings its schema up to date.
    pub fn create(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Corrupt(format!("cannot create directory {}: {e}", dir.display()))
            })?;
        }
        Self::open_inner(path)
    }

    /// Opens an existing database; refuses a missing file with advice.
    pub fn open(path: &Path) -> Result<Self> {
        if !path.exists() {
            return Err(StoreError::Missing(path.display().to_string()));
        }
        Self::open_inner(path)
    }

    /// A private in-memory database (tests).
    pub fn in_memory() -> Result<Self> {
        let conn = Connection::open_in_memory()?;
        let s = SqliteStore {
            conn: Mutex::new(conn),
            path: PathBuf::from(":memory:"),
        };
        s.setup()?;
        Ok(s)
    }

    fn open_inner(path: &Path) -> Result<Self> {
        let conn = Connection::open(path)?;
        let s = SqliteStore {
            conn: Mutex::new(conn),
            path: path.to_owned(),
        };
        s.setup().map_err(|e| s.locked(e))?;
        Ok(s)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn locked(&self, e: StoreError) -> StoreError {
        match &e {
            StoreError::Sql(rusqlite::Error::SqliteFailure(f, _))
                if matches!(
                    f.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) =>
            {
                StoreError::Locked(self.path.display().to_string())
            }
            _ => e,
        }
    }

    fn setup(&self) -> Result<()> {
        let mut conn = self.conn.lock().expect("store mutex");
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // The ingest path alone keeps 16 statements hot (rusqlite's default
        // cache size): room for them and the queries, so none is re-parsed.
        conn.set_prepared_statement_cache_capacity(64);
        conn.pragma_update(None, "foreign_keys", "ON")?;
        if self.path != Path::new(":memory:") {
            conn.pragma_update(None, "journal_mode", "WAL")?;
            // FULL (SQLite's default): the WAL is synced at each commit, so a
            // report acknowledged as stored survives a power cut, as on
            // PostgreSQL. NORMAL would only survive a crash of the process;
            // with the desk's group commit it bought nothing measurable
            // (bench/soak.sh, writers only, 30 s: 2,570 writes/s NORMAL,
            // 2,551 FULL).
            conn.pragma_update(None, "synchronous", "FULL")?;
            // 64 MiB page cache (default 2 MiB): ingest and queries revisit the
            // incident, event and assessment indexes spread over a large file.
            conn.pragma_update(None, "cache_size", -65536)?;
            // Checkpoint every ~40 MB of WAL rather than every 4 MB: the index
            // pages each ingest batch rewrites are copied back once, not ten times.
            conn.pragma_update(None, "wal_autocheckpoint", 10000)?;
            // Reads of a file up to 1 GiB map the OS page cache instead of
            // copying each page (p99 of the 1M-incident queries: 68 -> 33 ms).
            // Mapped pages count in RSS but are clean and shared.
            conn.pragma_update(None, "mmap_size", 1i64 << 30)?;
        }
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Err(StoreError::TooNew {
                path: self.path.display().to_string(),
                found: version,
                known,
            });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
            tx.commit()?;
        }
        Ok(())
    }

    /// The schema version (number of migrations applied).
    pub fn schema_version(&self) -> Result<i64> {
        let conn = self.conn.lock().expect("store mutex");
        Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    pub(crate) fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.conn.lock().expect("store mutex");
        let run = |conn: &mut Connection| -> Result<T> {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        };
        run(&mut conn).map_err(|e| self.locked(e))
    }

    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.conn.lock().expect("store mutex");
        f(&conn).map_err(|e| self.locked(e))
    }
}

/// Appends an audit entry inside a transaction.
pub(crate) fn append(tx: &Connection, e: &AuditEntry) -> Result<AuditRecord> {
    let last: Option<(i64, String)> = tx
        .prepare_cached("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (id, prev) = match last {
        Some((id, h)) => (id + 1, h),
        None => (1, GENESIS.to_owned()),
    };
    let at = now();
    let detail = serde_json::to_string(&e.detail).expect("json");
    let hash = entry_hash(&prev, id, &at, &e.actor, &e.action, &e.entity, &detail);
    tx.prepare_cached(
        "INSERT INTO audit_log (id, at, actor, action, entity, detail, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![id, at, e.actor, e.action, e.entity, detail, prev, hash])?;
    Ok(AuditRecord {
        id,
        at,
        actor: e.actor.clone(),
        action: e.action.clone(),
        entity: e.entity.clone(),
        detail,
        prev_hash: prev,
        hash,
    })
}

/// An audit entry from a row of `SELECT id, at, actor, action, entity,
/// detail, prev_hash, hash`.
pub(crate) fn audit_record(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditRecord> {
    Ok(AuditRecord {
        id: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        action: r.get(3)?,
        entity: r.get(4)?,
        detail: r.get(5)?,
        prev_hash: r.get(6)?,
        hash: r.get(7)?,
    })
}

fn agreement_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AgreementRow> {
    let def: String = r.get(4)?;
    Ok(AgreementRow {
        id: r.get(0)?,
        name_ar: r.get(1)?,
        name_en: r.get(2)?,
        signed: r.get(3)?,
        definition: serde_json::from_str(&def).unwrap_or(serde_json::Value::Null),
        content_hash: r.get(5)?,
        source_dir: r.get(6)?,
        loaded_at: r.get(7)?,
    })
}

const AGREEMENT_COLS: &str =
    "id, name_ar, name_en, signed, definition, content_hash, source_dir, loaded_at";

impl SqliteStore {
    /// Violations per zone per day; `extra` narrows the incidents (a fixed
    /// SQL condition on `i`, never user input).
    fn daily_counts_where(
        &self,
        agreement: &str,
        since: i32,
        until: i32,
        extra: &'static str,
    ) -> Result<Vec<DailyCount>> {
        self.read(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT a.zone, a.day, COUNT(*) FROM assessments a
                 WHERE a.agreement = ?1 AND a.reading = 'violation' AND a.day BETWEEN ?2 AND ?3 AND a.zone IS NOT NULL
                   AND EXISTS (SELECT 1 FROM incidents i WHERE i.id = a.incident_id AND i.merged_into IS NULL{extra})
                 GROUP BY a.zone, a.day ORDER BY a.zone, a.day"
            ))?;
            let rows = st
                .query_map(params![agreement, since, until], |r| {
                    Ok(DailyCount { agreement: agreement.to_owned(), zone: r.get(0)?, day: r.get(1)?, violations: r.get::<_, i64>(2)? as u64 })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }
}

impl Store for SqliteStore {
    fn put_agreement(&self, row: &AgreementRow, audit: &AuditEntry) -> Result<PutOutcome> {
        self.write(|tx| {
            let old: Option<String> = tx
                .query_row(
                    "SELECT content_hash FROM agreements WHERE id = ?1",
                    [&row.id],
                    |r| r.get(0),
                )
                .optional()?;
            let outcome = match old {
                Some(h) if h == row.content_hash => return Ok(PutOutcome::Unchanged),
                Some(_) => PutOutcome::Replaced,
                None => PutOutcome::Created,
            };
            tx.execute(
                &format!("INSERT INTO agreements ({AGREEMENT_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT(id) DO UPDATE SET name_ar = excluded.name_ar, name_en = excluded.name_en,
                 signed = excluded.signed, definition = excluded.definition, content_hash = excluded.content_hash,
                 source_dir = excluded.source_dir, loaded_at = excluded.loaded_at"),
                params![
                    row.id,
                    row.name_ar,
                    row.name_en,
                    row.signed,
                    serde_json::to_string(&row.definition).expect("json"),
                    row.content_hash,
                    row.source_dir,
                    now()
                ],
            )?;
            append(tx, audit)?;
            Ok(outcome)
        })
    }

    fn agreement(&self, id: &str) -> Result<Option<AgreementRow>> {
        self.read(|c| {
            Ok(c.query_row(
                &format!("SELECT {AGREEMENT_COLS} FROM agreements WHERE id = ?1"),
                [id],
                agreement_row,
            )
            .optional()?)
        })
    }

    fn agreements(&self) -> Result<Vec<AgreementRow>> {
        self.read(|c| {
            let mut st = c.prepare(&format!(
                "SELECT {AGREEMENT_COLS} FROM agreements ORDER BY signed, id"
            ))?;
            let rows = st
                .query_map([], agreement_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    fn add_consent(&self, row: &ConsentRow, audit: &AuditEntry) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO consents (agreement, extension, party, decision, date, note, recorded_by, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![row.agreement, row.extension, row.party, row.decision, row.date, row.note, row.recorded_by, now()],
            )?;
            append(tx, audit)?;
            Ok(())
        })
    }

    fn consents(&self, agreement: &str) -> Result<Vec<ConsentRow>> {
        self.read(|c| {
            let mut st = c.prepare(
                "SELECT agreement, extension, party, decision, date, note, recorded_by, recorded_at
                 FROM consents WHERE agreement = ?1 ORDER BY id",
            )?;
            let rows = st
                .query_map([agreement], |r| {
                    Ok(ConsentRow {
                        agreement: r.get(0)?,
                        extension: r.get(1)?,
                        party: r.get(2)?,
                        decision: r.get(3)?,
                        date: r.get(4)?,
                        note: r.get(5)?,
                        recorded_by: r.get(6)?,
                        recorded_at: r.get(7)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    fn replace_places(&self, places: &[PlaceRow], audit: &AuditEntry) -> Result<usize> {
        self.write(|tx| {
            tx.execute("DELETE FROM places", [])?;
            let mut st = tx.prepare(
                "INSERT INTO places (geonameid, name_en, names_ar, names_latin, lat, lon, admin1, population, kind)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            for p in places {
                st.execute(params![
                    p.geonameid,
                    p.name_en,
                    p.names_ar.join("|"),
                    p.names_latin.join("|"),
                    p.lat,
                    p.lon,
                    p.admin1,
                    p.population as i64,
                    p.kind
                ])?;
            }
            append(tx, audit)?;
            Ok(places.len())
        })
    }

    fn places(&self) -> Result<Vec<PlaceRow>> {
        self.read(|c| {
            let mut st = c.prepare(
                "SELECT geonameid, name_en, names_ar, names_latin, lat, lon, admin1, population, kind FROM places ORDER BY geonameid",
            )?;
            let split = |s: String| -> Vec<String> {
                s.split('|').filter(|x| !x.is_empty()).map(str::to_owned).collect()
            };
            let rows = st
                .query_map([], |r| {
                    Ok(PlaceRow {
                        geonameid: r.get(0)?,
                        name_en: r.get(1)?,
                        names_ar: split(r.get(2)?),
                        names_latin: split(r.get(3)?),
                        lat: r.get(4)?,
                        lon: r.get(5)?,
                        admin1: r.get(6)?,
                        population: r.get::<_, i64>(7)? as u64,
                        kind: r.get(8)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    fn append_audit(&self, audit: &AuditEntry) -> Result<AuditRecord> {
        self.write(|tx| append(tx, audit))
    }

    fn audit_log(&self, entity: Option<&str>) -> Result<Vec<AuditRecord>> {
        self.read(|c| {
            let sql =
                "SELECT id, at, actor, action, entity, detail, prev_hash, hash FROM audit_log";
            let map = audit_record;
            let rows = match entity {
                Some(e) => c
                    .prepare(&format!("{sql} WHERE entity = ?1 ORDER BY id"))?
                    .query_map([e], map)?
                    .collect::<rusqlite::Result<Vec<_>>>()?,
                None => c
                    .prepare(&format!("{sql} ORDER BY id"))?
                    .query_map([], map)?
                    .collect::<rusqlite::Result<Vec<_>>>()?,
            };
            Ok(rows)
        })
    }

    fn verify_audit(&self) -> Result<(usize, Option<ChainBreak>)> {
        let all = self.audit_log(None)?;
        Ok((all.len(), verify(&all)))
    }

    fn write_tx(&self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<()>) -> Result<()> {
        self.write(|tx| f(&mut SqlTx(tx)))
    }

    fn read_tx(&self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<()>) -> Result<()> {
        let mut conn = self.conn.lock().expect("store mutex");
        let tx = conn.transaction()?;
        let out = f(&mut SqlTx(&tx));
        drop(tx);
        out.map_err(|e| self.locked(e))
    }

    fn incidents(&self, q: &IncidentFilter) -> Result<Vec<IncidentRow>> {
        self.read(|c| {
            let mut sql = String::new();
            let mut args: Vec<rusqlite::types::Value> = vec![];
            let cols: String = INCIDENT_COLS.split(", ").map(|c| format!("i.{c}")).collect::<Vec<_>>().join(", ");
            let needs_assessment = q.agreement.is_some() || q.zone.is_some() || q.violations_only;
            if needs_assessment {
                sql.push_str("SELECT i.id FROM incidents i WHERE i.merged_into IS NULL AND i.id IN (SELECT a.incident_id FROM assessments a WHERE 1");
                if let Some(a) = &q.agreement {
                    sql.push_str(" AND a.agreement = ?");
                    args.push(a.clone().into());
                }
                if let Some(z) = &q.zone {
                    sql.push_str(" AND a.zone = ?");
                    args.push(z.clone().into());
                }
                if q.violations_only {
                    sql.push_str(" AND a.reading = 'violation'");
                }
                if let Some(d) = q.since_day {
                    sql.push_str(" AND a.day >= ?");
                    args.push((d as i64).into());
                }
                if let Some(d) = q.until_day {
                    sql.push_str(" AND a.day <= ?");
                    args.push((d as i64).into());
                }
                sql.push(')');
            } else {
                sql.push_str(&format!("SELECT {cols} FROM incidents i WHERE i.merged_into IS NULL"));
                if let Some(d) = q.since_day {
                    sql.push_str(" AND i.day >= ?");
                    args.push((d as i64).into());
                }
                if let Some(d) = q.until_day {
                    sql.push_str(" AND i.day <= ?");
                    args.push((d as i64).into());
                }
            }
            if let Some(s) = &q.status {
                sql.push_str(" AND i.status = ?");
                args.push(s.clone().into());
            }
            if q.published_only {
                sql.push_str(" AND i.status = 'published'");
            }
            sql.push_str(" ORDER BY i.day DESC, i.id DESC");
            if let Some(l) = q.limit {
                sql.push_str(&format!(" LIMIT {l}"));
                if let Some(o) = q.offset {
                    sql.push_str(&format!(" OFFSET {o}"));
                }
            }
            if needs_assessment {
                // The same rows in the same order, but sorted and cut on (day, id)
                // alone; whole rows are read only for the page returned.
                sql = format!("SELECT {cols} FROM incidents i WHERE i.id IN ({sql}) ORDER BY i.day DESC, i.id DESC");
            }
            let mut st = c.prepare_cached(&sql)?;
            let rows = st
                .query_map(rusqlite::params_from_iter(args), incident_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    fn assessments(&self, incident_id: i64) -> Result<Vec<AssessmentRow>> {
        self.read(|c| {
            let mut st = c.prepare_cached(&format!("SELECT {ASSESSMENT_COLS} FROM assessments WHERE incident_id = ?1 ORDER BY agreement"))?;
            let rows = st.query_map([incident_id], assessment_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    fn report(&self, id: i64) -> Result<Option<ReportRow>> {
        self.read(|c| {
            Ok(
                c.prepare_cached(&format!("SELECT {REPORT_COLS} FROM reports WHERE id = ?1"))?
                    .query_row([id], report_row)
                    .optional()?,
            )
        })
    }

    fn live_incident_ids(&self) -> Result<Vec<i64>> {
        self.read(|c| {
            let mut st =
                c.prepare_cached("SELECT id FROM incidents WHERE merged_into IS NULL ORDER BY id")?;
            let rows = st
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    fn daily_counts(&self, agreement: &str, since: i32, until: i32) -> Result<Vec<DailyCount>> {
        self.daily_counts_where(agreement, since, until, "")
    }

    fn published_daily_counts(
        &self,
        agreement: &str,
        since: i32,
        until: i32,
    ) -> Result<Vec<DailyCount>> {
        self.daily_counts_where(agreement, since, until, " AND i.status = 'published'")
    }

    fn counts(&self) -> Result<Counts> {
        self.read(|c| {
            let n = |sql: &str| -> Result<u64> {
                Ok(c.query_row(sql, [], |r| r.get::<_, i64>(0))? as u64)
            };
            Ok(Counts {
                reports: n("SELECT COUNT(*) FROM reports")?,
                events: n("SELECT COUNT(*) FROM events")?,
                incidents: n("SELECT COUNT(*) FROM incidents WHERE merged_into IS NULL")?,
            })
        })
    }

    /// SQLite's online backup: a consistent copy even while others write.
    fn backup(&self, out: &Path) -> Result<()> {
        let conn = self.conn.lock().expect("store mutex");
        conn.backup(rusqlite::DatabaseName::Main, out, None)
            .map_err(|e| self.locked(e.into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(n: i32) -> AuditEntry {
        AuditEntry::new("analyst", "test", &format!("thing/{n}"), json!({ "n": n }))
    }

    #[test]
    fn migrations_apply_once_and_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("h.sqlite");
        assert!(matches!(SqliteStore::open(&p), Err(StoreError::Missing(_))));
        let s = SqliteStore::create(&p).unwrap();
        assert_eq!(s.schema_version().unwrap(), MIGRATIONS.len() as i64);
        s.append_audit(&entry(1)).unwrap();
        drop(s);
        let s = SqliteStore::open(&p).unwrap();
        assert_eq!(s.audit_log(None).unwrap().len(), 1);
    }

    #[test]
    fn tampering_behind_the_stores_back_is_caught() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("h.sqlite");
        let s = SqliteStore::create(&p).unwrap();
        for n in 0..5 {
            s.append_audit(&entry(n)).unwrap();
        }
        assert_eq!(s.verify_audit().unwrap(), (5, None));
        // Someone edits entry 3's detail with the sqlite3 shell.
        let raw = Connection::open(&p).unwrap();
        raw.execute(
            "UPDATE audit_log SET detail = '{\"n\":99}' WHERE id = 3",
            [],
        )
        .unwrap();
        let (_, brk) = s.verify_audit().unwrap();
        assert_eq!(brk.as_ref().map(|b| b.id), Some(3));
        assert!(brk.unwrap().reason.contains("altered"));
        // Recomputing entry 3's hash does not help: entry 4 no longer follows.
        let r = s.audit_log(None).unwrap();
        let e3 = &r[2];
        let h = entry_hash(
            &e3.prev_hash,
            3,
            &e3.at,
            &e3.actor,
            &e3.action,
            &e3.entity,
            "{\"n\":99}",
        );
        raw.execute("UPDATE audit_log SET hash = ?1 WHERE id = 3", [h])
            .unwrap();
        assert_eq!(s.verify_audit().unwrap().1.map(|b| b.id), Some(4));
        // Deleting the last entries' predecessor is caught too.
        raw.execute("DELETE FROM audit_log WHERE id = 2", [])
            .unwrap();
        assert_eq!(s.verify_audit().unwrap().1.map(|b| b.id), Some(3));
    }

    #[test]
    fn agreements_are_replaced_only_when_changed() {
        let s = SqliteStore::in_memory().unwrap();
        let mut row = AgreementRow {
            id: "a".into(),
            name_ar: "أ".into(),
            name_en: "A".into(),
            signed: "2017-05-04".into(),
            definition: json!({"id": "a"}),
            content_hash: "h1".into(),
            source_dir: None,
            loaded_at: String::new(),
        };
        let au = entry(0);
        assert_eq!(s.put_agreement(&row, &au).unwrap(), PutOutcome::Created);
        assert_eq!(s.put_agreement(&row, &au).unwrap(), PutOutcome::Unchanged);
        row.content_hash = "h2".into();
        assert_eq!(s.put_agreement(&row, &au).unwrap(), PutOutcome::Replaced);
        assert_eq!(
            s.audit_log(None).unwrap().len(),
            2,
            "unchanged writes no audit entry"
        );
        assert_eq!(s.agreements().unwrap().len(), 1);
    }

    #[test]
    fn a_second_writer_gets_a_clear_locked_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("h.sqlite");
        let s = SqliteStore::create(&p).unwrap();
        let raw = Connection::open(&p).unwrap();
        raw.busy_timeout(std::time::Duration::from_millis(10))
            .unwrap();
        raw.execute_batch("BEGIN EXCLUSIVE").unwrap();
        {
            let c = s.conn.lock().unwrap();
            c.busy_timeout(std::time::Duration::from_millis(50))
                .unwrap();
            drop(c);
        }
        let e = s.append_audit(&entry(1)).unwrap_err();
        assert!(matches!(e, StoreError::Locked(_)), "{e}");
        assert!(e.to_string().contains("locked"));
        raw.execute_batch("ROLLBACK").unwrap();
        s.append_audit(&entry(1)).unwrap();
    }
}
