//! Hudna's store: the only crate that speaks SQL.
//!
//! [`Store`] is the interface the app layer calls; [`SqliteStore`] is the
//! embedded default (WAL, foreign keys, versioned migrations applied in one
//! transaction each). A PostgreSQL backend implements the same trait.
//!
//! Every change that matters is written together with its audit entry, in
//! one transaction: the audit log is a hash chain (each entry's hash covers
//! the previous hash and the entry's fields), so an edit made behind Hudna's
//! back breaks the chain at the edited entry and [`Store::verify_audit`]
//! names it.

mod accounts;
mod audit;
mod humanitarian;
mod incidents;
mod pg;
mod pg_accounts;
mod pg_humanitarian;
mod pg_incidents;
mod sqlite;
mod sqlite_incidents;

pub use accounts::*;
pub use audit::{AuditEntry, AuditHead, AuditRecord, ChainBreak};
pub use humanitarian::*;
pub use incidents::*;
pub use pg::{is_postgres_url, open_db, redact_url, Backend, PgStore};
pub use sqlite::SqliteStore;

use serde::Serialize;

/// An incident, its events and its stances ([`Store::incident_with_events`]).
pub type IncidentWithEvents = (IncidentRow, Vec<EventRow>, Vec<StanceRow>);

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no database at {0}; create one with `hudna init` (or pass --db PATH)")]
    Missing(String),
    #[error("the database {0} is locked by another process; wait for it to finish, or stop it, and try again")]
    Locked(String),
    #[error("the database {path} was written by a newer Hudna (schema {found}, this build knows {known}); upgrade Hudna")]
    TooNew {
        path: String,
        found: i64,
        known: i64,
    },
    #[error("not found: {0}")]
    NotFound(String),
    #[error("refused: {0}")]
    Conflict(String),
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
    #[error("PostgreSQL: {0}")]
    Postgres(String),
    /// An optimistic write found the store changed since its work was
    /// worked out (another writer, a report stored already); nothing of it
    /// was kept, and the work is to be done again in an ordinary
    /// transaction.
    #[error("the store changed while the write was worked out: {0}")]
    Stale(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// An agreement as stored.
#[derive(Debug, Clone, Serialize)]
pub struct AgreementRow {
    pub id: String,
    pub name_ar: String,
    pub name_en: String,
    pub signed: String,
    pub definition: serde_json::Value,
    pub content_hash: String,
    pub source_dir: Option<String>,
    pub loaded_at: String,
}

/// A consent recorded after loading.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ConsentRow {
    pub agreement: String,
    pub extension: u32,
    pub party: String,
    pub decision: String,
    pub date: String,
    pub note: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// A gazetteer place.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PlaceRow {
    pub geonameid: u32,
    pub name_en: String,
    pub names_ar: Vec<String>,
    pub names_latin: Vec<String>,
    pub lat: f64,
    pub lon: f64,
    pub admin1: Option<String>,
    pub population: u64,
    pub kind: String,
}

/// What `put_agreement` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutOutcome {
    Created,
    Replaced,
    Unchanged,
}

/// A write transaction whose work is done and whose commit is still to
/// come ([`Store::write_tx_pending`]).
pub trait PendingCommit: Send {
    /// Makes the transaction durable, or says why it is not.
    fn commit(self: Box<Self>) -> Result<()>;
}

/// How this handle's ingest batches were written, since it was opened
/// ([`Store::write_stats`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct WriteStats {
    /// Batches worked out the ordinary way (in a transaction that holds the
    /// writers' lock while it reads), where a backend counts them.
    pub ordinary: u64,
    /// Batches written optimistically (PostgreSQL: one guarded statement).
    pub optimistic: u64,
    /// Optimistic batches that found the store changed and kept nothing
    /// (worked out again the ordinary way).
    pub stale: u64,
}

/// A transaction that committed already (or had nothing to write).
pub struct Committed;

impl PendingCommit for Committed {
    fn commit(self: Box<Self>) -> Result<()> {
        Ok(())
    }
}

/// The store interface every backend implements.
pub trait Store: Send + Sync {
    /// Stores (or replaces) an agreement definition, with its audit entry.
    fn put_agreement(&self, row: &AgreementRow, audit: &AuditEntry) -> Result<PutOutcome>;
    fn agreement(&self, id: &str) -> Result<Option<AgreementRow>>;
    fn agreements(&self) -> Result<Vec<AgreementRow>>;

    /// Appends a consent, with its audit entry.
    fn add_consent(&self, row: &ConsentRow, audit: &AuditEntry) -> Result<()>;
    fn consents(&self, agreement: &str) -> Result<Vec<ConsentRow>>;

    /// Replaces the gazetteer (a GeoNames import).
    fn replace_places(&self, places: &[PlaceRow], audit: &AuditEntry) -> Result<usize>;
    fn places(&self) -> Result<Vec<PlaceRow>>;

    /// Appends an audit entry on its own.
    fn append_audit(&self, audit: &AuditEntry) -> Result<AuditRecord>;
    /// Audit entries about one entity (or all, oldest first).
    fn audit_log(&self, entity: Option<&str>) -> Result<Vec<AuditRecord>>;
    /// Walks the chain; `Ok(None)` when every entry matches.
    fn verify_audit(&self) -> Result<(usize, Option<ChainBreak>)>;
    /// How this handle's ingest batches were written (all the ordinary
    /// way, where a backend has no other).
    fn write_stats(&self) -> WriteStats {
        WriteStats::default()
    }

    /// Runs `f` in one write transaction: all of it commits, or none.
    fn write_tx(&self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<()>) -> Result<()>;
    /// As [`Store::write_tx`] for an ingest batch whose first
    /// [`Tx::batch_context`] is likely to be for what `keys` gives (the same
    /// hashes, ids among those): a backend may read it as the transaction
    /// begins, in the same round trip. The default never calls `keys`.
    fn write_tx_for(
        &self,
        keys: &dyn Fn() -> BatchKeys,
        f: &mut dyn FnMut(&mut dyn Tx) -> Result<()>,
    ) -> Result<()> {
        let _ = keys;
        self.write_tx(f)
    }
    /// As [`Store::write_tx_for`], but returns with the work done and the
    /// commit still to come: the caller commits, and may begin the next
    /// write transaction meanwhile (which waits for this one's commit
    /// where the backend serialises writers). Dropped uncommitted, it rolls
    /// back. The default commits before it returns.
    fn write_tx_pending(
        &self,
        keys: &dyn Fn() -> BatchKeys,
        f: &mut dyn FnMut(&mut dyn Tx) -> Result<()>,
    ) -> Result<Box<dyn PendingCommit>> {
        self.write_tx_for(keys, f)?;
        Ok(Box::new(Committed))
    }
    /// Runs `f` against a consistent read snapshot.
    fn read_tx(&self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<()>) -> Result<()>;
    /// An incident with its events and stances (each by id), read at one
    /// moment; a merged incident's id leads to the incident that absorbed
    /// it (at most 64 hops). The default reads it in a [`Store::read_tx`].
    fn incident_with_events(&self, id: i64) -> Result<Option<IncidentWithEvents>> {
        let mut out = None;
        self.read_tx(&mut |tx| {
            let mut cur = tx.incident(id)?;
            let mut hops = 0;
            while let Some(next) = cur.as_ref().and_then(|i| i.merged_into) {
                cur = tx.incident(next)?;
                hops += 1;
                if hops > 64 {
                    break;
                }
            }
            if let Some(i) = cur {
                let ev = tx.events_of(i.id)?;
                let st = tx.stances(i.id)?;
                out = Some((i, ev, st));
            }
            Ok(())
        })?;
        Ok(out)
    }
    /// Live incidents matching the filter, newest day first.
    fn incidents(&self, filter: &IncidentFilter) -> Result<Vec<IncidentRow>>;
    fn assessments(&self, incident_id: i64) -> Result<Vec<AssessmentRow>>;
    /// The assessments of many incidents at once (one query on PostgreSQL,
    /// where a query per incident is a network round trip each).
    fn assessments_many(
        &self,
        ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, Vec<AssessmentRow>>> {
        let mut out = std::collections::HashMap::with_capacity(ids.len());
        for &id in ids {
            out.insert(id, self.assessments(id)?);
        }
        Ok(out)
    }
    fn report(&self, id: i64) -> Result<Option<ReportRow>>;
    /// Those of `ids` that are stored reports, in the order of `ids`
    /// (repeats once each). The default loops over [`Store::report`].
    fn reports_by_ids(&self, ids: &[i64]) -> Result<Vec<ReportRow>> {
        let mut seen = std::collections::HashSet::new();
        let mut out = vec![];
        for &id in ids {
            if seen.insert(id) {
                out.extend(self.report(id)?);
            }
        }
        Ok(out)
    }
    /// Ids of every live (not merged) incident.
    fn live_incident_ids(&self) -> Result<Vec<i64>>;
    /// Violations per zone per day of one agreement, days in `[since, until]`.
    fn daily_counts(&self, agreement: &str, since: i32, until: i32) -> Result<Vec<DailyCount>>;
    /// The same, counting published incidents only (what viewers and the
    /// published edition of a report see).
    fn published_daily_counts(
        &self,
        agreement: &str,
        since: i32,
        until: i32,
    ) -> Result<Vec<DailyCount>>;
    /// Numbers of reports, events and live incidents.
    fn counts(&self) -> Result<Counts>;

    /// Writes a consistent copy of the whole database to `out`.
    fn backup(&self, _out: &std::path::Path) -> Result<()> {
        Err(StoreError::Conflict(
            "this backend has no built-in backup; use the database's own tools (pg_dump for PostgreSQL)".into(),
        ))
    }
}

/// How much the store holds.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Counts {
    pub reports: u64,
    pub events: u64,
    pub incidents: u64,
}
