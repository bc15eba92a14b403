//! The PostgreSQL backend: the same [`Store`] (and [`AccountStore`]) as
//! SQLite, over a small r2d2 pool of synchronous `postgres` connections.
//!
//! - Schema: `migrations/postgres/NNNN_*.sql`, numbered like the SQLite ones
//!   (tests/schema_parity.rs checks the same tables and columns come out);
//!   the version is the highest row of `hudna_schema`.
//! - Writes: one transaction each, serialised by a transaction-scoped
//!   advisory lock, as SQLite's `BEGIN IMMEDIATE` serialises them. That keeps
//!   the audit chain gap-free (the next id is the last id + 1, computed under
//!   the lock) and keeps the merge-candidate search of an ingest consistent.
//! - Reads: `REPEATABLE READ, READ ONLY` snapshots.
//! - Times are text in the SQLite format and the chain hash is
//!   [`entry_hash`], so a log copied between backends verifies the same.
//!
//! [`AccountStore`]: crate::AccountStore

use crate::audit::{entry_hash, verify, AuditEntry, AuditHead, AuditRecord, ChainBreak, GENESIS};
use crate::incidents::{
    AssessmentRow, BatchKeys, DailyCount, IncidentFilter, IncidentRow, ReportRow, Tx,
};
use crate::pg_incidents::{
    assessment_row, audit_after_sql, audit_in, context_in, context_of, context_sql,
    context_sql_for, incident_row, last_ids_of, last_ids_sql, report_row, DeferredTx, LastIds,
    PgTx,
};
use crate::sqlite_incidents::{ASSESSMENT_COLS, INCIDENT_COLS, REPORT_COLS};
use crate::{
    AgreementRow, Committed, ConsentRow, Counts, PendingCommit, PlaceRow, PutOutcome, Result,
    Store, StoreError, WriteStats,
};
use postgres::error::SqlState;
use postgres::types::{ToSql, Type};
use postgres::{IsolationLevel, NoTls, Transaction};
use r2d2_postgres::PostgresConnectionManager;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Migrations, in order; the position is the schema version. Same numbering
/// as the SQLite list.
pub(crate) const PG_MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_agreements",
        include_str!("../migrations/postgres/0001_agreements.sql"),
    ),
    (
        "0002_incidents",
        include_str!("../migrations/postgres/0002_incidents.sql"),
    ),
    (
        "0003_accounts",
        include_str!("../migrations/postgres/0003_accounts.sql"),
    ),
    (
        "0004_humanitarian",
        include_str!("../migrations/postgres/0004_humanitarian.sql"),
    ),
    (
        "0005_assessment_covering",
        include_str!("../migrations/postgres/0005_assessment_covering.sql"),
    ),
    (
        "0006_ingest_guard",
        include_str!("../migrations/postgres/0006_ingest_guard.sql"),
    ),
];

/// Advisory lock keys (arbitrary, fixed: "hudna" on a phone keypad).
const WRITE_LOCK: i64 = 48_362;
const MIGRATE_LOCK: i64 = 48_363;

type Pool = r2d2::Pool<Manager>;
pub(crate) type PgConn = r2d2::PooledConnection<Manager>;

/// Prepared statements of one connection, by SQL text. A statement parsed
/// once is bound and executed in one round trip from then on (the ingest
/// path runs a dozen statements per report). PostgreSQL keeps prepared
/// statements for the session whatever happens to transactions, so the
/// cache lives as long as its connection. Each statement comes with how
/// often it was used (see [`replan_at`]).
pub(crate) type Stmts = std::collections::HashMap<String, (postgres::Statement, u32)>;

/// A pooled connection with its statement cache; derefs to the client.
pub(crate) struct Conn {
    client: postgres::Client,
    stmts: Stmts,
    /// When a transaction on it last committed.
    ok_at: std::time::Instant,
}

/// Connections in the write pool.
const WRITE_POOL: u32 = 3;

/// A connection that committed this recently is handed out without the
/// pool's round trip to check it (under load that check was one extra
/// round trip per request); one idle for longer is checked first.
const TRUSTED_FOR: std::time::Duration = std::time::Duration::from_secs(1);

impl std::ops::Deref for Conn {
    type Target = postgres::Client;
    fn deref(&self) -> &postgres::Client {
        &self.client
    }
}

impl std::ops::DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut postgres::Client {
        &mut self.client
    }
}

/// r2d2's PostgreSQL manager, with a statement cache per connection.
pub(crate) struct Manager(PostgresConnectionManager<NoTls>);

impl r2d2::ManageConnection for Manager {
    type Connection = Conn;
    type Error = postgres::Error;
    fn connect(&self) -> std::result::Result<Conn, postgres::Error> {
        Ok(Conn {
            client: self.0.connect()?,
            stmts: Stmts::new(),
            ok_at: std::time::Instant::now(),
        })
    }
    fn is_valid(&self, c: &mut Conn) -> std::result::Result<(), postgres::Error> {
        if c.ok_at.elapsed() < TRUSTED_FOR {
            return Ok(());
        }
        self.0.is_valid(&mut c.client)?;
        c.ok_at = std::time::Instant::now();
        Ok(())
    }
    fn has_broken(&self, c: &mut Conn) -> bool {
        self.0.has_broken(&mut c.client)
    }
}

/// The cached statement for `sql`, prepared on first use.
pub(crate) fn cached<C: postgres::GenericClient>(
    tx: &mut C,
    stmts: &mut Stmts,
    sql: &str,
) -> Result<postgres::Statement> {
    cached_typed(tx, stmts, sql, &[])
}

/// Statements a connection keeps prepared at most (then it starts again).
const STATEMENTS_KEPT: usize = 512;

/// As [`cached`], the parameters' types given (those not given, inferred).
pub(crate) fn cached_typed<C: postgres::GenericClient>(
    tx: &mut C,
    stmts: &mut Stmts,
    sql: &str,
    types: &[Type],
) -> Result<postgres::Statement> {
    if let Some((st, uses)) = stmts.get_mut(sql) {
        *uses += 1;
        if !replan_at(*uses) {
            return Ok(st.clone());
        }
    } else if stmts.len() >= STATEMENTS_KEPT {
        stmts.clear();
    }
    let st = tx.prepare_typed(sql, types)?;
    let uses = stmts.get(sql).map_or(1, |(_, u)| *u);
    stmts.insert(sql.to_owned(), (st.clone(), uses));
    Ok(st)
}

/// A statement is prepared again (and so planned again) at its 16th,
/// 32nd, … 4,096th use, then every 4,096th: a generic plan made while the
/// tables were small (scanning them whole) does not outlive their growth.
fn replan_at(uses: u32) -> bool {
    uses >= 16 && (uses.is_power_of_two() && uses <= 4096 || uses.is_multiple_of(4096))
}

/// A Hudna store in a PostgreSQL database.
pub struct PgStore {
    pool: Pool,
    /// Connections for write transactions only: they take turns on the
    /// writers' lock anyway, and must never wait behind readers holding
    /// every connection of `pool`.
    writers: Pool,
    /// The URL without its password, for messages.
    label: String,
    /// How long a writer waits for another one before `Locked`.
    lock_timeout: std::time::Duration,
    /// What this handle's ingest batches left, for the next to be worked
    /// out optimistically on.
    optimism: Arc<Optimism>,
}

/// The audit head and last ids this handle's last ingest batch left
/// (committed, or on its way to be), on which the next batch may be worked
/// out optimistically ([`PgStore::optimistic`]); after an optimistic batch
/// found the store changed, how many batches go the ordinary way first (so
/// that a desk sharing the database with busy others does not work most
/// batches out twice); and how many optimistic statements are yet to run.
#[derive(Default)]
pub(crate) struct OptState {
    basis: Option<(AuditHead, LastIds)>,
    ordinary_for: u32,
    outstanding: usize,
    /// Ordinary write transactions of this handle not yet committed or
    /// rolled back.
    open: usize,
    /// The incidents the outstanding optimistic statements write (with
    /// how many of them write each).
    in_flight: std::collections::HashMap<i64, u32>,
    stats: WriteStats,
}

/// [`OptState`], and a signal for when no optimistic statement is
/// outstanding: an ordinary write transaction of this handle waits for that
/// before it takes the writers' lock. (Taken first, the lock would make the
/// statement wait for a transaction whose commit waits for the statement:
/// the desk's writer hands both to one committer, in order.)
#[derive(Default)]
pub(crate) struct Optimism {
    state: Mutex<OptState>,
    idle: std::sync::Condvar,
}

/// Batches worked out the ordinary way after an optimistic one was stale.
const ORDINARY_AFTER_STALE: u32 = 64;

impl Optimism {
    fn lock(&self) -> std::sync::MutexGuard<'_, OptState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
    /// What the last batch left is not so (it rolled back, or another write
    /// of this handle moves the head on).
    fn forget(&self) {
        self.lock().basis = None;
    }
    /// Waits until no optimistic statement of this handle is to run, then
    /// forgets the basis (an ordinary write transaction begins).
    fn ordinary(&self) {
        let mut o = self.lock();
        while o.outstanding > 0 {
            o = self.idle.wait(o).unwrap_or_else(|p| p.into_inner());
        }
        o.basis = None;
    }
    /// An optimistic statement writing `incidents` has run, or will not.
    fn finished(&self, incidents: &[i64]) {
        let mut o = self.lock();
        o.outstanding -= 1;
        for id in incidents {
            if let Some(n) = o.in_flight.get_mut(id) {
                *n -= 1;
                if *n == 0 {
                    o.in_flight.remove(id);
                }
            }
        }
        self.idle.notify_all();
    }
    /// An ordinary write transaction has committed or rolled back.
    fn closed(&self) {
        let mut o = self.lock();
        o.open -= 1;
        if o.open == 0 {
            self.idle.notify_all();
        }
    }
    /// Waits (at most `limit`) until every write of this handle has
    /// committed or rolled back, or with `ids`, every write of the
    /// incidents `ids`: the optimistic statements still to run may write
    /// others (an ordinary transaction still open is waited for whatever it
    /// writes); `false` if it had not by then.
    fn settled_for(&self, limit: std::time::Duration, ids: Option<&[i64]>) -> bool {
        let until = std::time::Instant::now() + limit;
        let mut o = self.lock();
        let busy = |o: &OptState| {
            o.open > 0
                || match ids {
                    None => o.outstanding > 0,
                    Some(ids) => {
                        o.outstanding > 0 && ids.iter().any(|i| o.in_flight.contains_key(i))
                    }
                }
        };
        while busy(&o) {
            let left = until.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return false;
            }
            o = self
                .idle
                .wait_timeout(o, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        true
    }
}

/// Reads for an optimistic batch ([`DeferredTx`]): each waits until this
/// handle's earlier writes have committed (the batch before may still be on
/// its way through the desk's committer), then reads on a writers'
/// connection, outside any transaction, holding no lock. Waiting longer
/// than the lock timeout (a caller holding an uncommitted write of its own
/// while it works the next batch out) fails with `Stale`.
pub(crate) struct SettledReads {
    writers: Pool,
    optimism: Arc<Optimism>,
    limit: std::time::Duration,
}

impl SettledReads {
    pub(crate) fn with<T>(
        &self,
        f: impl FnOnce(&mut PgTx<'_, postgres::Client>) -> Result<T>,
    ) -> Result<T> {
        self.with_for(None, f)
    }
    /// As [`SettledReads::with`] for a read of the incidents `ids` only:
    /// it waits for the earlier writes of this handle that write any of
    /// them, not for the others.
    pub(crate) fn with_incidents<T>(
        &self,
        ids: &[i64],
        f: impl FnOnce(&mut PgTx<'_, postgres::Client>) -> Result<T>,
    ) -> Result<T> {
        self.with_for(Some(ids), f)
    }
    fn with_for<T>(
        &self,
        ids: Option<&[i64]>,
        f: impl FnOnce(&mut PgTx<'_, postgres::Client>) -> Result<T>,
    ) -> Result<T> {
        if !self.optimism.settled_for(self.limit, ids) {
            return Err(StoreError::Stale(
                "this handle's earlier write did not commit in time".into(),
            ));
        }
        let mut c = self
            .writers
            .get()
            .map_err(|e| StoreError::Postgres(format!("no connection: {e}")))?;
        let Conn { client, stmts, .. } = &mut *c;
        let out = f(&mut PgTx(client, stmts, None, None, None, None))?;
        c.ok_at = std::time::Instant::now();
        Ok(out)
    }
}

pub(crate) use crate::audit::now;

/// Is this `--db` value a PostgreSQL URL rather than a SQLite path?
pub fn is_postgres_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

/// The URL with any password replaced by `***`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (auth, host) = match rest.rsplit_once('@') {
        Some(x) => x,
        None => return url.to_owned(),
    };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> Self {
        if let Some(db) = e.as_db_error() {
            let mut msg = format!("{}: {}", db.severity(), db.message());
            if let Some(d) = db.detail() {
                msg.push_str(&format!(" ({d})"));
            }
            if let Some(h) = db.hint() {
                msg.push_str(&format!("; hint: {h}"));
            }
            return StoreError::Postgres(msg);
        }
        StoreError::Postgres(e.to_string())
    }
}

/// Constraint violations become `Conflict(what)`; other errors pass through.
pub(crate) fn conflict(e: postgres::Error, what: &str) -> StoreError {
    match e.code() {
        Some(c)
            if *c == SqlState::UNIQUE_VIOLATION
                || *c == SqlState::CHECK_VIOLATION
                || *c == SqlState::FOREIGN_KEY_VIOLATION
                || *c == SqlState::NOT_NULL_VIOLATION =>
        {
            StoreError::Conflict(what.to_owned())
        }
        _ => e.into(),
    }
}

/// Sets what every pooled connection needs.
#[derive(Debug)]
struct Session;
impl r2d2::CustomizeConnection<Conn, postgres::Error> for Session {
    fn on_acquire(&self, c: &mut Conn) -> std::result::Result<(), postgres::Error> {
        // Prepared statements (reads, the optimistic ingest statement) run
        // their generic plan, made once (and again as the tables grow, see
        // `replan_at`): left to choose, PostgreSQL kept planning the reads
        // for each call's arguments, a quarter of its time under load, for
        // the same plans. Write transactions choose for themselves
        // (`PgStore::lock_sql`).
        c.batch_execute(
            "SET client_min_messages = warning; SET plan_cache_mode = force_generic_plan",
        )
    }
}

impl PgStore {
    /// Connects and creates or upgrades the schema (`hudna init`, `hudna migrate`).
    pub fn create(url: &str) -> Result<Self> {
        let s = Self::connect(url)?;
        s.migrate()?;
        Ok(s)
    }

    /// Connects to a database that already holds a Hudna schema and applies
    /// pending migrations; refuses an empty database with advice.
    pub fn open(url: &str) -> Result<Self> {
        let s = Self::connect(url)?;
        if s.schema_version()? == 0 {
            // "no database at URL (...); create one with `hudna init` ..."
            return Err(StoreError::Missing(format!(
                "{} (the PostgreSQL database holds no Hudna schema yet; `hudna migrate` makes it too)",
                s.label
            )));
        }
        s.migrate()?;
        Ok(s)
    }

    /// Connects (pool of up to `HUDNA_PG_POOL` connections, default 4, and
    /// up to 3 more for write transactions)
    /// without touching the schema.
    pub fn connect(url: &str) -> Result<Self> {
        let label = redact_url(url);
        let cfg: postgres::Config = url
            .parse()
            .map_err(|e| StoreError::Postgres(format!("bad PostgreSQL URL {label}: {e}")))?;
        let size = std::env::var("HUDNA_PG_POOL")
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|&n: &u32| n > 0)
            .unwrap_or(4);
        let build = |size: u32| {
            r2d2::Pool::builder()
                .max_size(size)
                .min_idle(Some(0))
                .connection_timeout(std::time::Duration::from_secs(10))
                .connection_customizer(Box::new(Session))
                .build(Manager(PostgresConnectionManager::new(cfg.clone(), NoTls)))
                .map_err(|e| {
                    StoreError::Postgres(format!("cannot connect to {label}: {e}; is the server running and the URL right (postgres://USER:PASSWORD@HOST:PORT/DB)?"))
                })
        };
        let pool = build(size)?;
        let writers = build(WRITE_POOL)?;
        Ok(PgStore {
            pool,
            writers,
            label,
            lock_timeout: std::time::Duration::from_secs(30),
            optimism: Arc::default(),
        })
    }

    /// How long a writer waits for another writer before failing with
    /// [`StoreError::Locked`] (default 30 s).
    pub fn set_lock_timeout(&mut self, d: std::time::Duration) {
        self.lock_timeout = d;
    }

    /// The URL this store talks to, password hidden.
    pub fn label(&self) -> &str {
        &self.label
    }

    fn write_conn(&self) -> Result<PgConn> {
        self.writers
            .get()
            .map_err(|e| StoreError::Postgres(format!("no connection to {}: {e}", self.label)))
    }

    pub(crate) fn conn(&self) -> Result<PgConn> {
        self.pool
            .get()
            .map_err(|e| StoreError::Postgres(format!("no connection to {}: {e}", self.label)))
    }

    /// The schema version (number of migrations applied; 0 for an empty database).
    pub fn schema_version(&self) -> Result<i64> {
        let mut c = self.conn()?;
        let exists: bool = c
            .query_one("SELECT to_regclass('hudna_schema') IS NOT NULL", &[])?
            .get(0);
        if !exists {
            return Ok(0);
        }
        Ok(
            c.query_one("SELECT COALESCE(MAX(version), 0) FROM hudna_schema", &[])?
                .get(0),
        )
    }

    /// Applies every pending migration, each in its own transaction under an
    /// advisory lock (two processes migrating at once take turns). Returns
    /// the versions applied.
    pub fn migrate(&self) -> Result<Vec<i64>> {
        let mut c = self.conn()?;
        let known = PG_MIGRATIONS.len() as i64;
        let mut applied = vec![];
        loop {
            let mut tx = c.transaction()?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATE_LOCK])?;
            tx.batch_execute(
                "CREATE TABLE IF NOT EXISTS hudna_schema (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
            )?;
            let version: i64 = tx
                .query_one("SELECT COALESCE(MAX(version), 0) FROM hudna_schema", &[])?
                .get(0);
            if version > known {
                return Err(StoreError::TooNew {
                    path: self.label.clone(),
                    found: version,
                    known,
                });
            }
            if version == known {
                tx.commit()?;
                return Ok(applied);
            }
            let (name, sql) = PG_MIGRATIONS[version as usize];
            tx.batch_execute(sql)
                .map_err(|e| match StoreError::from(e) {
                    StoreError::Postgres(m) => {
                        StoreError::Postgres(format!("migration {name}: {m}"))
                    }
                    other => other,
                })?;
            tx.execute(
                "INSERT INTO hudna_schema (version, name, applied_at) VALUES ($1, $2, $3)",
                &[&(version + 1), &name, &now()],
            )?;
            tx.commit()?;
            applied.push(version + 1);
        }
    }

    /// Runs `f` in one write transaction, serialised with every other writer.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&mut Transaction<'_>) -> Result<T>) -> Result<T> {
        self.write_cached(|tx, _| f(tx))
    }

    /// As [`PgStore::write`], with the connection's statement cache.
    pub(crate) fn write_cached<T>(
        &self,
        f: impl FnOnce(&mut Transaction<'_>, &mut Stmts) -> Result<T>,
    ) -> Result<T> {
        self.write_locked(|tx, stmts, _| f(tx, stmts))
    }

    /// As [`PgStore::write_cached`], and `f` also gets the audit head as the
    /// lock was taken (read in the same round trip as the lock).
    pub(crate) fn write_locked<T>(
        &self,
        f: impl FnOnce(&mut Transaction<'_>, &mut Stmts, Option<AuditHead>) -> Result<T>,
    ) -> Result<T> {
        // this write moves the audit head past what the last batch left
        self.optimism.ordinary();
        let mut c = self.write_conn()?;
        let Conn { client, stmts, .. } = &mut *c;
        let mut tx = client.transaction()?;
        // one round trip: the lock and the audit head
        let replies = tx
            .simple_query(&self.lock_sql())
            .map_err(|e| self.locked(e))?;
        let head = head_of(&replies)?;
        let out = f(&mut tx, stmts, head)?;
        tx.commit()?;
        c.ok_at = std::time::Instant::now();
        Ok(out)
    }

    /// The [`Store::write_tx`] transaction: as [`PgStore::write_locked`],
    /// and begun by hand so that BEGIN travels with the lock, the audit head
    /// and the last ids taken (from which [`Tx::reserve_ids`] then answers
    /// without asking): one round trip where there were three.
    fn write_batched(
        &self,
        keys: Option<BatchKeys>,
        f: &mut dyn FnMut(&mut dyn Tx) -> Result<()>,
    ) -> Result<OpenWrite> {
        let context = match &keys {
            Some(k) => format!("; {}", context_sql_for(k)?),
            None => String::new(),
        };
        let audit_call = keys.as_ref().and_then(|k| k.audit_after);
        let audit = match audit_call {
            Some(call) => format!("; {}", audit_after_sql(call)),
            None => String::new(),
        };
        // An ingest batch's statements are the same every time and take
        // arrays, so their plans hardly depend on the arguments: planned
        // once (and again as the tables grow, see `replan_at`), not per
        // batch, which took a fifth of the backend's time. (The batch
        // context, whose plan depends on the tables' sizes, is read
        // unprepared: planned afresh each time.)
        let generic = if keys.is_some() {
            "; SET LOCAL plan_cache_mode = force_generic_plan"
        } else {
            ""
        };
        self.optimism.ordinary();
        let ingest = keys.is_some();
        let conn = self.write_conn()?;
        self.optimism.lock().open += 1;
        let mut open = OpenWrite {
            conn,
            open: true,
            optimism: self.optimism.clone(),
        };
        let Conn { client, stmts, .. } = &mut *open.conn;
        let replies = client
            .simple_query(&format!(
                "BEGIN; {}; {}{context}{audit}{generic}",
                self.lock_sql(),
                last_ids_sql()
            ))
            .map_err(|e| self.locked(e))?;
        let head = head_of(&replies)?;
        let last = last_ids_of(&replies)?
            .ok_or_else(|| StoreError::Postgres("the last ids did not come back".into()))?;
        let pre = match keys {
            Some(k) => Some((
                k,
                context_in(&replies)?.ok_or_else(|| {
                    StoreError::Postgres("the batch context did not come back".into())
                })?,
            )),
            None => None,
        };
        let entries = match audit_call {
            Some(call) => Some((call, audit_in(&replies)?)),
            None => None,
        };
        let mut tx = PgTx(client, stmts, Some(head), Some(last), pre, entries);
        f(&mut tx)?;
        if ingest {
            // what the next batch may be worked out on (forgotten again if
            // this transaction does not commit)
            let mut o = self.optimism.lock();
            o.stats.ordinary += 1;
            if let (Some(Some(head)), Some(last)) = (tx.2, tx.3) {
                o.basis = Some((head, last));
            }
        }
        Ok(open)
    }

    /// A read of one statement, outside any transaction (one statement sees
    /// one snapshot), prepared with its parameters' types through the
    /// connection's statement cache: one round trip, and planned once
    /// (again as the tables grow, see [`replan_at`]) rather than for every
    /// call, which cost twice the execution of an incident list. (Through
    /// [`PgStore::read`] the same read took five round trips: begin,
    /// prepare, execute, close, commit.)
    pub(crate) fn read_one(
        &self,
        sql: &str,
        params: &[(&(dyn ToSql + Sync), Type)],
    ) -> Result<Vec<postgres::Row>> {
        let mut c = self.conn()?;
        let Conn { client, stmts, .. } = &mut *c;
        let types: Vec<Type> = params.iter().map(|(_, t)| t.clone()).collect();
        let st = cached_typed(client, stmts, sql, &types)?;
        let values: Vec<&(dyn ToSql + Sync)> = params.iter().map(|(v, _)| *v).collect();
        let rows = client.query(&st, &values)?;
        c.ok_at = std::time::Instant::now();
        Ok(rows)
    }

    /// Runs `f` against a consistent read-only snapshot.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&mut Transaction<'_>) -> Result<T>) -> Result<T> {
        self.read_cached(|tx, _| f(tx))
    }

    /// As [`PgStore::read`], with the connection's statement cache.
    pub(crate) fn read_cached<T>(
        &self,
        f: impl FnOnce(&mut Transaction<'_>, &mut Stmts) -> Result<T>,
    ) -> Result<T> {
        let mut c = self.conn()?;
        let Conn { client, stmts, .. } = &mut *c;
        let mut tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()?;
        let out = f(&mut tx, stmts)?;
        tx.commit()?;
        c.ok_at = std::time::Instant::now();
        Ok(out)
    }

    /// An ingest batch worked out optimistically, if it may be: when the
    /// app says its kept candidates are exact at the audit head this
    /// handle's last batch left (`keys.optimistic`) and none of the batch's
    /// reports is stored, `f` runs against a [`DeferredTx`] (no lock; what
    /// it reads, read once this handle's earlier writes committed), and its
    /// write becomes an [`OptimisticWrite`] to run when committed. `None`: the
    /// batch goes the ordinary way ([`PgStore::write_batched`]), `f` not
    /// called. An error of `f` (a [`StoreError::Stale`] where it needed the
    /// store after all) is returned: the caller works the batch out again.
    fn optimistic(
        &self,
        keys: &BatchKeys,
        f: &mut dyn FnMut(&mut dyn Tx) -> Result<()>,
    ) -> Result<Option<Box<dyn PendingCommit>>> {
        let Some(expect) = &keys.optimistic else {
            return Ok(None);
        };
        let (head, last) = {
            let mut o = self.optimism.lock();
            if o.ordinary_for > 0 {
                o.ordinary_for -= 1;
                return Ok(None);
            }
            match o.basis.take() {
                Some((h, l)) if &h == expect => (h, l),
                _ => return Ok(None),
            }
        };
        // A report stored already would fail the statement (its unique
        // hash): such a batch goes the ordinary way, which says which are
        // duplicates. One read, while the committer may still be writing
        // the batch before, on a writers' connection (never waiting for one
        // behind the desk's readers).
        if !keys.hashes.is_empty() {
            let mut c = self.write_conn()?;
            let Conn { client, stmts, .. } = &mut *c;
            let st = cached(
                client,
                stmts,
                "SELECT 1 FROM reports WHERE content_hash = ANY($1::text[]) LIMIT 1",
            )?;
            let stored = !client.query(&st, &[&keys.hashes])?.is_empty();
            c.ok_at = std::time::Instant::now();
            if stored {
                return Ok(None);
            }
        }
        let mut tx = DeferredTx {
            head: Some(head),
            first: last,
            last,
            lock: WRITE_LOCK,
            wait: format!("{}ms", self.lock_timeout.as_millis().max(1)),
            write: None,
            reads: SettledReads {
                writers: self.writers.clone(),
                optimism: self.optimism.clone(),
                limit: self.lock_timeout,
            },
        };
        f(&mut tx)?;
        let Some((sql, args, incidents)) = tx.write else {
            // nothing to write: what the last batch left still holds
            if let Some(h) = tx.head {
                self.optimism.lock().basis = Some((h, last));
            }
            return Ok(Some(Box::new(Committed)));
        };
        {
            let mut o = self.optimism.lock();
            o.basis = tx.head.map(|h| (h, tx.last));
            o.outstanding += 1;
            for id in &incidents {
                *o.in_flight.entry(*id).or_default() += 1;
            }
        }
        Ok(Some(Box::new(OptimisticWrite {
            writers: self.writers.clone(),
            sql,
            args,
            incidents,
            optimism: self.optimism.clone(),
            label: self.label.clone(),
            done: false,
        })))
    }

    /// What a write transaction runs first, in one simple query: its wait
    /// limit and plans, the writers' lock, then the audit head (which nobody
    /// else can move until it commits). Plans are made for each statement's
    /// own arguments: generic plans cached while the tables were small kept
    /// scanning them whole as they grew (in a soak, 6 ms instead of 0.5 for
    /// the batch context, 3,500 buffers a call instead of 200).
    fn lock_sql(&self) -> String {
        format!(
            "SET LOCAL lock_timeout = {}; SET LOCAL plan_cache_mode = force_custom_plan; \
             SELECT pg_advisory_xact_lock({WRITE_LOCK}); \
             SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1",
            self.lock_timeout.as_millis().max(1)
        )
    }

    fn locked(&self, e: postgres::Error) -> StoreError {
        if e.code() == Some(&SqlState::LOCK_NOT_AVAILABLE) {
            StoreError::Locked(self.label.clone())
        } else {
            e.into()
        }
    }
}

/// A write transaction begun by hand on a write connection (`BEGIN` inside
/// a larger simple query), its work done: committed by
/// [`PendingCommit::commit`], rolled back when dropped uncommitted (on an
/// error or a panic), so the connection goes back to the pool idle.
struct OpenWrite {
    conn: PgConn,
    open: bool,
    optimism: Arc<Optimism>,
}

impl PendingCommit for OpenWrite {
    fn commit(mut self: Box<Self>) -> Result<()> {
        self.open = false;
        if let Err(e) = self.conn.client.batch_execute("COMMIT") {
            self.optimism.forget();
            return Err(e.into());
        }
        self.conn.ok_at = std::time::Instant::now();
        Ok(())
    }
}

impl Drop for OpenWrite {
    fn drop(&mut self) {
        if self.open {
            self.optimism.forget();
            let _ = self.conn.client.batch_execute("ROLLBACK");
        }
        self.optimism.closed();
    }
}

/// An optimistic ingest batch: its one guarded statement
/// ([`batch_statement`](crate::pg_incidents::batch_statement)), run when
/// committed, on its own (it commits as it ends): one round trip for the
/// whole transaction where the ordinary way takes three, and nothing held
/// while the desk works the next batch out. Fails with
/// [`StoreError::Stale`] when the store changed since the batch was worked
/// out (nothing of it is kept then).
pub(crate) struct OptimisticWrite {
    writers: Pool,
    sql: String,
    args: crate::pg_incidents::Args,
    /// The incidents it writes.
    incidents: Vec<i64>,
    optimism: Arc<Optimism>,
    label: String,
    done: bool,
}

impl PendingCommit for OptimisticWrite {
    fn commit(mut self: Box<Self>) -> Result<()> {
        self.done = true;
        let mut c = match self.writers.get() {
            Ok(c) => c,
            Err(e) => {
                self.optimism.forget();
                return Err(StoreError::Postgres(format!(
                    "no connection to {}: {e}",
                    self.label
                )));
            }
        };
        let Conn { client, stmts, .. } = &mut *c;
        let st = match cached(client, stmts, &self.sql) {
            Ok(st) => st,
            Err(e) => {
                self.optimism.forget();
                return Err(e);
            }
        };
        let Err(e) = client.query(&st, &self.args.refs()) else {
            c.ok_at = std::time::Instant::now();
            self.optimism.lock().stats.optimistic += 1;
            return Ok(());
        };
        let mut o = self.optimism.lock();
        o.basis = None;
        let stale = e
            .code()
            .is_some_and(|c| c.code() == STALE_STATE || *c == SqlState::UNIQUE_VIOLATION);
        if stale {
            o.ordinary_for = ORDINARY_AFTER_STALE;
            o.stats.stale += 1;
            return Err(StoreError::Stale(StoreError::from(e).to_string()));
        }
        if e.code() == Some(&SqlState::LOCK_NOT_AVAILABLE) {
            return Err(StoreError::Locked(self.label.clone()));
        }
        Err(e.into())
    }
}

impl Drop for OptimisticWrite {
    fn drop(&mut self) {
        if !self.done {
            // never ran: what it would have left is not so
            self.optimism.forget();
        }
        self.optimism.finished(&self.incidents);
    }
}

/// The SQLSTATE the guard of an optimistic statement raises.
const STALE_STATE: &str = "HU409";

/// Appends an audit entry inside a write transaction (the write lock is held).
pub(crate) fn pg_append(tx: &mut Transaction<'_>, e: &AuditEntry) -> Result<AuditRecord> {
    pg_append_cached(tx, &mut Stmts::new(), e)
}

/// As [`pg_append`], with the connection's statement cache.
/// The audit head among the replies of the lock's simple query (the row
/// with an `id` column; none when the log is empty).
fn head_of(replies: &[postgres::SimpleQueryMessage]) -> Result<Option<AuditHead>> {
    for m in replies {
        if let postgres::SimpleQueryMessage::Row(r) = m {
            if r.columns().first().map(|c| c.name()) != Some("id") {
                continue;
            }
            let id = r
                .get(0)
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| StoreError::Postgres("the audit head has no id".into()))?;
            let hash = r
                .get(1)
                .ok_or_else(|| StoreError::Postgres("the audit head has no hash".into()))?;
            return Ok(Some(AuditHead {
                id,
                hash: hash.to_owned(),
            }));
        }
    }
    Ok(None)
}

/// The records that chain `entries` after `head` (`None`: the log is empty).
pub(crate) fn chain_after(head: Option<&AuditHead>, entries: &[AuditEntry]) -> Vec<AuditRecord> {
    let (mut id, mut prev) = match head {
        Some(h) => (h.id, h.hash.clone()),
        None => (0, GENESIS.to_owned()),
    };
    let at = now();
    let mut out = Vec::with_capacity(entries.len());
    for e in entries {
        id += 1;
        let detail = serde_json::to_string(&e.detail).expect("json");
        let hash = entry_hash(&prev, id, &at, &e.actor, &e.action, &e.entity, &detail);
        out.push(AuditRecord {
            id,
            at: at.clone(),
            actor: e.actor.clone(),
            action: e.action.clone(),
            entity: e.entity.clone(),
            detail,
            prev_hash: std::mem::replace(&mut prev, hash.clone()),
            hash,
        });
    }
    out
}

pub(crate) fn pg_append_cached(
    tx: &mut Transaction<'_>,
    stmts: &mut Stmts,
    e: &AuditEntry,
) -> Result<AuditRecord> {
    let head = cached(
        tx,
        stmts,
        "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1",
    )?;
    let last = tx.query_opt(&head, &[])?;
    let (id, prev) = match last {
        Some(r) => (r.get::<_, i64>(0) + 1, r.get::<_, String>(1)),
        None => (1, GENESIS.to_owned()),
    };
    let at = now();
    let detail = serde_json::to_string(&e.detail).expect("json");
    let hash = entry_hash(&prev, id, &at, &e.actor, &e.action, &e.entity, &detail);
    let insert = cached(
        tx,
        stmts,
        "INSERT INTO audit_log (id, at, actor, action, entity, detail, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )?;
    tx.execute(
        &insert,
        &[
            &id, &at, &e.actor, &e.action, &e.entity, &detail, &prev, &hash,
        ],
    )?;
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

const AGREEMENT_COLS: &str =
    "id, name_ar, name_en, signed, definition, content_hash, source_dir, loaded_at";

fn agreement_row(r: &postgres::Row) -> AgreementRow {
    let def: String = r.get(4);
    AgreementRow {
        id: r.get(0),
        name_ar: r.get(1),
        name_en: r.get(2),
        signed: r.get(3),
        definition: serde_json::from_str(&def).unwrap_or(serde_json::Value::Null),
        content_hash: r.get(5),
        source_dir: r.get(6),
        loaded_at: r.get(7),
    }
}

fn consent_row(r: &postgres::Row) -> ConsentRow {
    ConsentRow {
        agreement: r.get(0),
        extension: r.get::<_, i64>(1) as u32,
        party: r.get(2),
        decision: r.get(3),
        date: r.get(4),
        note: r.get(5),
        recorded_by: r.get(6),
        recorded_at: r.get(7),
    }
}

pub(crate) fn audit_row(r: &postgres::Row) -> AuditRecord {
    AuditRecord {
        id: r.get(0),
        at: r.get(1),
        actor: r.get(2),
        action: r.get(3),
        entity: r.get(4),
        detail: r.get(5),
        prev_hash: r.get(6),
        hash: r.get(7),
    }
}

impl PgStore {
    /// Violations per zone per day; `extra` narrows the incidents (a fixed
    /// SQL condition on `i`, never user input).
    fn daily_counts_where(
        &self,
        agreement: &str,
        since: i32,
        until: i32,
        extra: &'static str,
    ) -> Result<Vec<DailyCount>> {
        self.read(|tx| {
            Ok(tx
                .query(
                    &format!("SELECT a.zone, a.day, COUNT(*) FROM assessments a
                     WHERE a.agreement = $1 AND a.reading = 'violation' AND a.day BETWEEN $2 AND $3 AND a.zone IS NOT NULL
                       AND EXISTS (SELECT 1 FROM incidents i WHERE i.id = a.incident_id AND i.merged_into IS NULL{extra})
                     GROUP BY a.zone, a.day ORDER BY a.zone COLLATE \"C\", a.day"),
                    &[&agreement, &i64::from(since), &i64::from(until)],
                )?
                .iter()
                .map(|r| DailyCount {
                    agreement: agreement.to_owned(),
                    zone: r.get(0),
                    day: r.get::<_, i64>(1) as i32,
                    violations: r.get::<_, i64>(2) as u64,
                })
                .collect())
        })
    }
}

impl Store for PgStore {
    fn put_agreement(&self, row: &AgreementRow, audit: &AuditEntry) -> Result<PutOutcome> {
        self.write(|tx| {
            let old: Option<String> = tx
                .query_opt("SELECT content_hash FROM agreements WHERE id = $1", &[&row.id])?
                .map(|r| r.get(0));
            let outcome = match old {
                Some(h) if h == row.content_hash => return Ok(PutOutcome::Unchanged),
                Some(_) => PutOutcome::Replaced,
                None => PutOutcome::Created,
            };
            let def = serde_json::to_string(&row.definition).expect("json");
            tx.execute(
                &format!("INSERT INTO agreements ({AGREEMENT_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT(id) DO UPDATE SET name_ar = excluded.name_ar, name_en = excluded.name_en,
                 signed = excluded.signed, definition = excluded.definition, content_hash = excluded.content_hash,
                 source_dir = excluded.source_dir, loaded_at = excluded.loaded_at"),
                &[&row.id, &row.name_ar, &row.name_en, &row.signed, &def, &row.content_hash, &row.source_dir, &now()],
            )?;
            pg_append(tx, audit)?;
            Ok(outcome)
        })
    }

    fn agreement(&self, id: &str) -> Result<Option<AgreementRow>> {
        self.read(|tx| {
            Ok(tx
                .query_opt(
                    &format!("SELECT {AGREEMENT_COLS} FROM agreements WHERE id = $1"),
                    &[&id],
                )?
                .map(|r| agreement_row(&r)))
        })
    }

    fn agreements(&self) -> Result<Vec<AgreementRow>> {
        self.read(|tx| {
            Ok(tx
                .query(
                    &format!("SELECT {AGREEMENT_COLS} FROM agreements ORDER BY signed COLLATE \"C\", id COLLATE \"C\""),
                    &[],
                )?
                .iter()
                .map(agreement_row)
                .collect())
        })
    }

    fn add_consent(&self, row: &ConsentRow, audit: &AuditEntry) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO consents (agreement, extension, party, decision, date, note, recorded_by, recorded_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &[&row.agreement, &i64::from(row.extension), &row.party, &row.decision, &row.date, &row.note, &row.recorded_by, &now()],
            )
            .map_err(|e| conflict(e, &format!("consent of {:?} to extension {} of {:?}: unknown agreement or bad decision", row.party, row.extension, row.agreement)))?;
            pg_append(tx, audit)?;
            Ok(())
        })
    }

    fn consents(&self, agreement: &str) -> Result<Vec<ConsentRow>> {
        self.read(|tx| {
            Ok(tx
                .query(
                    "SELECT agreement, extension, party, decision, date, note, recorded_by, recorded_at
                     FROM consents WHERE agreement = $1 ORDER BY id",
                    &[&agreement],
                )?
                .iter()
                .map(consent_row)
                .collect())
        })
    }

    fn replace_places(&self, places: &[PlaceRow], audit: &AuditEntry) -> Result<usize> {
        self.write(|tx| {
            tx.execute("DELETE FROM places", &[])?;
            let st = tx.prepare(
                "INSERT INTO places (geonameid, name_en, names_ar, names_latin, lat, lon, admin1, population, kind)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )?;
            for p in places {
                tx.execute(
                    &st,
                    &[
                        &i64::from(p.geonameid),
                        &p.name_en,
                        &p.names_ar.join("|"),
                        &p.names_latin.join("|"),
                        &p.lat,
                        &p.lon,
                        &p.admin1,
                        &(p.population as i64),
                        &p.kind,
                    ],
                )?;
            }
            pg_append(tx, audit)?;
            Ok(places.len())
        })
    }

    fn places(&self) -> Result<Vec<PlaceRow>> {
        let split = |s: String| -> Vec<String> {
            s.split('|')
                .filter(|x| !x.is_empty())
                .map(str::to_owned)
                .collect()
        };
        self.read(|tx| {
            Ok(tx
                .query(
                    "SELECT geonameid, name_en, names_ar, names_latin, lat, lon, admin1, population, kind FROM places ORDER BY geonameid",
                    &[],
                )?
                .iter()
                .map(|r| PlaceRow {
                    geonameid: r.get::<_, i64>(0) as u32,
                    name_en: r.get(1),
                    names_ar: split(r.get(2)),
                    names_latin: split(r.get(3)),
                    lat: r.get(4),
                    lon: r.get(5),
                    admin1: r.get(6),
                    population: r.get::<_, i64>(7) as u64,
                    kind: r.get(8),
                })
                .collect())
        })
    }

    fn append_audit(&self, audit: &AuditEntry) -> Result<AuditRecord> {
        self.write(|tx| pg_append(tx, audit))
    }

    fn audit_log(&self, entity: Option<&str>) -> Result<Vec<AuditRecord>> {
        let sql = "SELECT id, at, actor, action, entity, detail, prev_hash, hash FROM audit_log";
        // one statement: one snapshot, one round trip
        let rows = match entity {
            Some(e) => self.read_one(
                &format!("{sql} WHERE entity = $1 ORDER BY id"),
                &[(&e, Type::TEXT)],
            )?,
            None => self.read_one(&format!("{sql} ORDER BY id"), &[])?,
        };
        Ok(rows.iter().map(audit_row).collect())
    }

    fn write_stats(&self) -> WriteStats {
        self.optimism.lock().stats
    }

    fn verify_audit(&self) -> Result<(usize, Option<ChainBreak>)> {
        let all = self.audit_log(None)?;
        Ok((all.len(), verify(&all)))
    }

    fn write_tx(&self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<()>) -> Result<()> {
        Box::new(self.write_batched(None, f)?).commit()
    }

    fn write_tx_for(
        &self,
        keys: &dyn Fn() -> BatchKeys,
        f: &mut dyn FnMut(&mut dyn Tx) -> Result<()>,
    ) -> Result<()> {
        let keys = keys();
        if let Some(w) = self.optimistic(&keys, f)? {
            return w.commit();
        }
        Box::new(self.write_batched(Some(keys), f)?).commit()
    }

    fn write_tx_pending(
        &self,
        keys: &dyn Fn() -> BatchKeys,
        f: &mut dyn FnMut(&mut dyn Tx) -> Result<()>,
    ) -> Result<Box<dyn PendingCommit>> {
        let keys = keys();
        if let Some(w) = self.optimistic(&keys, f)? {
            return Ok(w);
        }
        Ok(Box::new(self.write_batched(Some(keys), f)?))
    }

    fn read_tx(&self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<()>) -> Result<()> {
        self.read_cached(|tx, stmts| f(&mut PgTx(tx, stmts, None, None, None, None)))
    }

    fn incidents(&self, q: &IncidentFilter) -> Result<Vec<IncidentRow>> {
        let mut sql = String::new();
        let mut args: Vec<(Box<dyn ToSql + Sync>, Type)> = vec![];
        let mut arg = |sql: &mut String, clause: &str, v: Box<dyn ToSql + Sync>, ty: Type| {
            args.push((v, ty));
            sql.push_str(&format!("{clause} ${}", args.len()));
        };
        let cols: String = INCIDENT_COLS
            .split(", ")
            .map(|c| format!("i.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let needs_assessment = q.agreement.is_some() || q.zone.is_some() || q.violations_only;
        if needs_assessment {
            // one assessment per incident and agreement: with the agreement
            // given, no incident comes twice (and no sort of whole rows)
            let distinct = if q.agreement.is_some() {
                ""
            } else {
                "DISTINCT "
            };
            sql.push_str(&format!("SELECT {distinct}{cols} FROM assessments a JOIN incidents i ON i.id = a.incident_id WHERE i.merged_into IS NULL"));
            if let Some(a) = &q.agreement {
                arg(
                    &mut sql,
                    " AND a.agreement =",
                    Box::new(a.clone()),
                    Type::TEXT,
                );
            }
            if let Some(z) = &q.zone {
                arg(&mut sql, " AND a.zone =", Box::new(z.clone()), Type::TEXT);
            }
            if q.violations_only {
                sql.push_str(" AND a.reading = 'violation'");
            }
            if let Some(d) = q.since_day {
                arg(
                    &mut sql,
                    " AND a.day >=",
                    Box::new(i64::from(d)),
                    Type::INT8,
                );
            }
            if let Some(d) = q.until_day {
                arg(
                    &mut sql,
                    " AND a.day <=",
                    Box::new(i64::from(d)),
                    Type::INT8,
                );
            }
        } else {
            sql.push_str(&format!(
                "SELECT {cols} FROM incidents i WHERE i.merged_into IS NULL"
            ));
            if let Some(d) = q.since_day {
                arg(
                    &mut sql,
                    " AND i.day >=",
                    Box::new(i64::from(d)),
                    Type::INT8,
                );
            }
            if let Some(d) = q.until_day {
                arg(
                    &mut sql,
                    " AND i.day <=",
                    Box::new(i64::from(d)),
                    Type::INT8,
                );
            }
        }
        if let Some(s) = &q.status {
            arg(&mut sql, " AND i.status =", Box::new(s.clone()), Type::TEXT);
        }
        if q.published_only {
            sql.push_str(" AND i.status = 'published'");
        }
        // SQLite sorts NULL days last in DESC order; PostgreSQL first unless told
        sql.push_str(" ORDER BY i.day DESC NULLS LAST, i.id DESC");
        // parameters, not literals: one prepared statement for every page
        if let Some(l) = q.limit {
            arg(&mut sql, " LIMIT", Box::new(l as i64), Type::INT8);
            if let Some(o) = q.offset {
                arg(&mut sql, " OFFSET", Box::new(o as i64), Type::INT8);
            }
        }
        let params: Vec<(&(dyn ToSql + Sync), Type)> =
            args.iter().map(|(b, t)| (b.as_ref(), t.clone())).collect();
        Ok(self
            .read_one(&sql, &params)?
            .iter()
            .map(incident_row)
            .collect())
    }

    fn assessments_many(
        &self,
        ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, Vec<AssessmentRow>>> {
        let mut out: std::collections::HashMap<i64, Vec<AssessmentRow>> =
            ids.iter().map(|&id| (id, vec![])).collect();
        if ids.is_empty() {
            return Ok(out);
        }
        for r in self.read_one(
            &format!("SELECT {ASSESSMENT_COLS} FROM assessments WHERE incident_id = ANY($1) ORDER BY incident_id, agreement COLLATE \"C\""),
            &[(&ids, Type::INT8_ARRAY)],
        )? {
            let a = assessment_row(&r);
            out.entry(r.get::<_, i64>(0)).or_default().push(a);
        }
        Ok(out)
    }

    fn assessments(&self, incident_id: i64) -> Result<Vec<AssessmentRow>> {
        Ok(self
            .read_one(
                &format!("SELECT {ASSESSMENT_COLS} FROM assessments WHERE incident_id = $1 ORDER BY agreement COLLATE \"C\""),
                &[(&incident_id, Type::INT8)],
            )?
            .iter()
            .map(assessment_row)
            .collect())
    }

    fn report(&self, id: i64) -> Result<Option<ReportRow>> {
        Ok(self
            .read_one(
                &format!("SELECT {REPORT_COLS} FROM reports WHERE id = $1"),
                &[(&id, Type::INT8)],
            )?
            .first()
            .map(report_row))
    }

    /// One statement, one round trip (a hop more for each merge followed),
    /// where a read transaction took five.
    fn incident_with_events(&self, id: i64) -> Result<Option<crate::IncidentWithEvents>> {
        let sql = context_sql("ARRAY[]::text[]", "$1");
        let mut id = id;
        for _ in 0..=64 {
            let rows = self.read_one(&sql, &[(&vec![id], Type::INT8_ARRAY)])?;
            let row = rows.first().ok_or_else(|| {
                StoreError::Postgres("the incident's context did not come back".into())
            })?;
            let ctx = context_of(|k| Ok(row.get::<_, String>(k)))?;
            let Some(i) = ctx.incidents.into_iter().next() else {
                return Ok(None);
            };
            match i.merged_into {
                Some(next) => id = next,
                None => return Ok(Some((i, ctx.events, ctx.stances))),
            }
        }
        Ok(None)
    }

    /// One round trip whatever the number (an incident's page reads the
    /// report behind each of its events).
    fn reports_by_ids(&self, ids: &[i64]) -> Result<Vec<ReportRow>> {
        let rows = self.read_one(
            &format!("SELECT {REPORT_COLS} FROM reports WHERE id = ANY($1)"),
            &[(&ids, Type::INT8_ARRAY)],
        )?;
        let by_id: std::collections::HashMap<i64, ReportRow> =
            rows.iter().map(report_row).map(|r| (r.id, r)).collect();
        let mut seen = std::collections::HashSet::new();
        Ok(ids
            .iter()
            .filter(|id| seen.insert(**id))
            .filter_map(|id| by_id.get(id).cloned())
            .collect())
    }

    fn live_incident_ids(&self) -> Result<Vec<i64>> {
        self.read(|tx| {
            Ok(tx
                .query(
                    "SELECT id FROM incidents WHERE merged_into IS NULL ORDER BY id",
                    &[],
                )?
                .iter()
                .map(|r| r.get(0))
                .collect())
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
        self.read(|tx| {
            let mut n =
                |sql: &str| -> Result<u64> { Ok(tx.query_one(sql, &[])?.get::<_, i64>(0) as u64) };
            Ok(Counts {
                reports: n("SELECT COUNT(*) FROM reports")?,
                events: n("SELECT COUNT(*) FROM events")?,
                incidents: n("SELECT COUNT(*) FROM incidents WHERE merged_into IS NULL")?,
            })
        })
    }

    fn backup(&self, _out: &Path) -> Result<()> {
        Err(StoreError::Conflict(format!(
            "Hudna does not copy a PostgreSQL database itself; use the server's tools: pg_dump --format=custom --file=OUT '{}' (restore with pg_restore --dbname=URL OUT into an empty database)",
            self.label
        )))
    }
}

/// One backend seen through both of its interfaces.
#[derive(Clone)]
pub struct Backend {
    pub store: std::sync::Arc<dyn Store>,
    pub accounts: std::sync::Arc<dyn crate::AccountStore>,
    pub humanitarian: std::sync::Arc<dyn crate::HumanitarianStore + Send + Sync>,
}

impl Backend {
    fn of<S: Store + crate::AccountStore + crate::HumanitarianStore + 'static>(s: S) -> Self {
        let s = std::sync::Arc::new(s);
        Backend {
            store: s.clone(),
            accounts: s.clone(),
            humanitarian: s,
        }
    }
}

/// The store for a `--db` value: a `postgres://` (or `postgresql://`) URL
/// opens PostgreSQL, anything else is a SQLite file. `create` makes (or
/// upgrades) the schema; otherwise a missing database is refused with advice.
pub fn open_db(db: &str, create: bool) -> Result<Backend> {
    use crate::SqliteStore;
    Ok(match (is_postgres_url(db), create) {
        (true, true) => Backend::of(PgStore::create(db)?),
        (true, false) => Backend::of(PgStore::open(db)?),
        (false, true) => Backend::of(SqliteStore::create(Path::new(db))?),
        (false, false) => Backend::of(SqliteStore::open(Path::new(db))?),
    })
}

#[cfg(test)]
mod tests {
    use super::replan_at;

    #[test]
    fn statements_are_planned_again_as_they_are_used_then_every_4096th_use() {
        let at: Vec<u32> = (1..=20_000).filter(|&u| replan_at(u)).collect();
        assert_eq!(
            at,
            [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 12288, 16384]
        );
    }
}
