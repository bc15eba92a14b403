//! PostgreSQL implementation of the incident tables ([`Tx`]). Column lists
//! are shared with the SQLite backend; integers are BIGINT on the server and
//! converted at the edge.

use crate::audit::{AuditEntry, AuditHead, AuditRecord};
use crate::incidents::*;
use crate::pg::{audit_row, cached, chain_after, now, Stmts};
use crate::sqlite_incidents::{ASSESSMENT_COLS, EVENT_COLS, INCIDENT_COLS, STANCE_COLS};
use crate::{Result, StoreError};
use postgres::types::{ToSql, Type};
use postgres::{GenericClient, Row};

/// A transaction (a [`postgres::Transaction`], or a client inside a
/// transaction begun by hand), the connection's statement cache, the audit
/// head once known (`None` until read), and, in a write transaction begun
/// with them, the last ids taken of reports, events and incidents.
pub(crate) struct PgTx<'a, C: GenericClient>(
    pub &'a mut C,
    pub &'a mut Stmts,
    pub Option<Option<AuditHead>>,
    pub Option<LastIds>,
    /// The batch context read as the transaction began, and what for
    /// (taken by the first [`Tx::batch_context`]).
    pub Option<(BatchKeys, BatchContext)>,
    /// The audit entries read as the transaction began, and the
    /// [`Tx::audit_after`] call they answer (taken by that call).
    pub Option<((i64, usize), Vec<AuditRecord>)>,
);

/// The last ids taken of reports, events and incidents, read under the
/// writers' lock: ids after them are free until the lock is released, and
/// [`Tx::write_batch`] moves the sequences past the ones it writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LastIds(pub [i64; 3]);

impl LastIds {
    /// The ids after the last ones for `n` rows of each kind, which become
    /// the last ones.
    fn take(&mut self, n: IdCounts) -> ReservedIds {
        let last = &mut self.0;
        let mut take = |k: usize, n: usize| {
            let from = last[k] + 1;
            last[k] += n as i64;
            (from..=last[k]).collect::<Vec<i64>>()
        };
        ReservedIds {
            reports: take(0, n.reports),
            events: take(1, n.events),
            incidents: take(2, n.incidents),
        }
    }
}

/// The sequences behind the three ids, in [`LastIds`] order.
const ID_SEQUENCES: [(&str, &str); 3] = [
    ("reports", "ids_reports"),
    ("events", "ids_events"),
    ("incidents", "ids_incidents"),
];

/// The three `setval` calls that move the sequences to `last` (a sequence
/// never used, 0, starts again at 1).
fn setvals(a: &mut Args, last: [i64; 3]) -> String {
    ID_SEQUENCES
        .iter()
        .zip(last)
        .map(|((t, _), v)| {
            a.gate();
            let v = a.add(v, "bigint");
            format!("setval(pg_get_serial_sequence('{t}', 'id'), greatest({v}, 1), {v} > 0)")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A query whose one row is the [`LastIds`] (0 for a sequence never used),
/// for the simple query that takes the writers' lock.
pub(crate) fn last_ids_sql() -> String {
    let cols: Vec<String> = ID_SEQUENCES
        .iter()
        .map(|(t, name)| {
            format!("COALESCE(pg_sequence_last_value(pg_get_serial_sequence('{t}', 'id')::regclass), 0) AS {name}")
        })
        .collect();
    format!("SELECT {}", cols.join(", "))
}

/// The [`LastIds`] among the replies of a simple query that ran [`last_ids_sql`].
pub(crate) fn last_ids_of(replies: &[postgres::SimpleQueryMessage]) -> Result<Option<LastIds>> {
    for m in replies {
        if let postgres::SimpleQueryMessage::Row(r) = m {
            if r.columns().first().map(|c| c.name()) != Some(ID_SEQUENCES[0].1) {
                continue;
            }
            let mut out = [0i64; 3];
            for (k, v) in out.iter_mut().enumerate() {
                *v = r.get(k).and_then(|v| v.parse().ok()).ok_or_else(|| {
                    StoreError::Postgres(format!("the last {} id does not read", ID_SEQUENCES[k].0))
                })?;
            }
            return Ok(Some(LastIds(out)));
        }
    }
    Ok(None)
}

type Params<'p> = &'p [&'p (dyn postgres::types::ToSql + Sync)];

/// Every statement of the ingest path through the connection's cache: one
/// round trip each instead of two.
impl<C: GenericClient> PgTx<'_, C> {
    fn st(&mut self, sql: &str) -> Result<postgres::Statement> {
        cached(self.0, self.1, sql)
    }
    fn q(&mut self, sql: &str, p: Params<'_>) -> Result<Vec<postgres::Row>> {
        let st = self.st(sql)?;
        Ok(self.0.query(&st, p)?)
    }
    fn q1(&mut self, sql: &str, p: Params<'_>) -> Result<postgres::Row> {
        let st = self.st(sql)?;
        Ok(self.0.query_one(&st, p)?)
    }
    fn qopt(&mut self, sql: &str, p: Params<'_>) -> Result<Option<postgres::Row>> {
        let st = self.st(sql)?;
        Ok(self.0.query_opt(&st, p)?)
    }
    fn exec(&mut self, sql: &str, p: Params<'_>) -> Result<u64> {
        let st = self.st(sql)?;
        Ok(self.0.execute(&st, p)?)
    }
}

/// Parameters of a statement built from fragments: each `add` pushes one
/// and gives its placeholder with a cast (so one statement text serves
/// every batch size and is prepared once per connection). The values are
/// owned, so a statement may be kept to run later
/// ([`OptimisticWrite`](crate::pg::OptimisticWrite)). `guarded`: each
/// placeholder reads its value through the guard `g` of an optimistic
/// statement, so that no part of it runs before the guard did: each part
/// calls [`Args::gate`] before its first placeholder, which then reads its
/// value through the guard `g` (so the part has no row to write before the
/// guard ran; one such read per part, not per parameter, each being a
/// subquery to run).
#[derive(Default)]
pub(crate) struct Args {
    values: Vec<Box<dyn ToSql + Sync + Send>>,
    guarded: bool,
    gate: bool,
}

impl Args {
    fn add(&mut self, v: impl ToSql + Sync + Send + 'static, ty: &str) -> String {
        let p = self.raw(v, ty);
        if std::mem::take(&mut self.gate) {
            format!("(SELECT {p} FROM g)")
        } else {
            p
        }
    }
    /// The next placeholder goes through the guard, if there is one.
    fn gate(&mut self) {
        self.gate = self.guarded;
    }
    /// A placeholder that never goes through the guard (the guard's own).
    fn raw(&mut self, v: impl ToSql + Sync + Send + 'static, ty: &str) -> String {
        self.values.push(Box::new(v));
        format!("${}::{ty}", self.values.len())
    }
    pub(crate) fn refs(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.values
            .iter()
            .map(|b| &**b as &(dyn ToSql + Sync))
            .collect()
    }
}

/// A column of `rows` as an array parameter.
fn col<R, T: ToSql + Sync + Send + 'static>(
    a: &mut Args,
    rows: &[R],
    ty: &str,
    f: impl Fn(&R) -> T,
) -> String {
    a.add(rows.iter().map(f).collect::<Vec<T>>(), ty)
}

const REPORT_INSERT_COLS: &str = "id, content_hash, source, outlet, url, published, language, kind, origin, text, extraction, flags, ingested_by, ingested_at";
const EVENT_INSERT_COLS: &str = "id, report_id, seq, type, date, date_precision, place_name, geonameid, admin1, lat, lon, geo_precision, perpetrator, target, killed, injured, evidence, incident_id";
const INCIDENT_DATA_COLS: [&str; 31] = [
    "id",
    "type",
    "event_group",
    "date",
    "day",
    "date_precision",
    "place_name",
    "geonameid",
    "admin1",
    "lat",
    "lon",
    "geo_precision",
    "perpetrator",
    "target",
    "killed_low",
    "killed_best",
    "killed_high",
    "injured_low",
    "injured_best",
    "injured_high",
    "sources",
    "reports",
    "status",
    "assignee",
    "grade",
    "grade_override",
    "grade_reason",
    "merged_into",
    "absorbed",
    "revision",
    "flags",
];

fn reports_insert(a: &mut Args, rows: &[ReportRow], t: &str) -> String {
    a.gate();
    let arrays = [
        col(a, rows, "bigint[]", |r| r.id),
        col(a, rows, "text[]", |r| r.content_hash.clone()),
        col(a, rows, "text[]", |r| r.source.clone()),
        col(a, rows, "text[]", |r| r.outlet.clone()),
        col(a, rows, "text[]", |r| r.url.clone()),
        col(a, rows, "text[]", |r| r.published.clone()),
        col(a, rows, "text[]", |r| r.language.clone()),
        col(a, rows, "text[]", |r| r.kind.clone()),
        col(a, rows, "text[]", |r| r.origin.clone()),
        col(a, rows, "text[]", |r| r.text.clone()),
        col(a, rows, "text[]", |r| r.extraction.clone()),
        col(a, rows, "text[]", |r| r.flags.clone()),
        col(a, rows, "text[]", |r| r.ingested_by.clone()),
    ];
    format!(
        "INSERT INTO reports ({REPORT_INSERT_COLS}) SELECT u.*, {t} FROM unnest({}) AS u",
        arrays.join(", ")
    )
}

fn events_insert(a: &mut Args, rows: &[EventRow]) -> String {
    a.gate();
    let arrays = [
        col(a, rows, "bigint[]", |e| e.id),
        col(a, rows, "bigint[]", |e| e.report_id),
        col(a, rows, "bigint[]", |e| i64::from(e.seq)),
        col(a, rows, "text[]", |e| e.kind.clone()),
        col(a, rows, "text[]", |e| e.date.clone()),
        col(a, rows, "bigint[]", |e| wide8(e.date_precision)),
        col(a, rows, "text[]", |e| e.place_name.clone()),
        col(a, rows, "bigint[]", |e| wide32(e.geonameid)),
        col(a, rows, "text[]", |e| e.admin1.clone()),
        col(a, rows, "float8[]", |e| e.lat),
        col(a, rows, "float8[]", |e| e.lon),
        col(a, rows, "bigint[]", |e| wide8(e.geo_precision)),
        col(a, rows, "text[]", |e| e.perpetrator.clone()),
        col(a, rows, "text[]", |e| e.target.clone()),
        col(a, rows, "bigint[]", |e| wide32(e.killed)),
        col(a, rows, "bigint[]", |e| wide32(e.injured)),
        col(a, rows, "text[]", |e| e.evidence.clone()),
        col(a, rows, "bigint[]", |e| e.incident_id),
    ];
    format!(
        "INSERT INTO events ({EVENT_INSERT_COLS}) SELECT * FROM unnest({})",
        arrays.join(", ")
    )
}

/// `unnest(...) AS u(<the 31 data columns>)` over incident rows.
fn incident_arrays(a: &mut Args, rows: &[IncidentRow]) -> String {
    a.gate();
    let arrays = [
        col(a, rows, "bigint[]", |r| r.id),
        col(a, rows, "text[]", |r| r.kind.clone()),
        col(a, rows, "text[]", |r| r.event_group.clone()),
        col(a, rows, "text[]", |r| r.date.clone()),
        col(a, rows, "bigint[]", |r| widei(r.day)),
        col(a, rows, "bigint[]", |r| wide8(r.date_precision)),
        col(a, rows, "text[]", |r| r.place_name.clone()),
        col(a, rows, "bigint[]", |r| wide32(r.geonameid)),
        col(a, rows, "text[]", |r| r.admin1.clone()),
        col(a, rows, "float8[]", |r| r.lat),
        col(a, rows, "float8[]", |r| r.lon),
        col(a, rows, "bigint[]", |r| wide8(r.geo_precision)),
        col(a, rows, "text[]", |r| r.perpetrator.clone()),
        col(a, rows, "text[]", |r| r.target.clone()),
        col(a, rows, "bigint[]", |r| wide32(r.killed.low)),
        col(a, rows, "bigint[]", |r| wide32(r.killed.best)),
        col(a, rows, "bigint[]", |r| wide32(r.killed.high)),
        col(a, rows, "bigint[]", |r| wide32(r.injured.low)),
        col(a, rows, "bigint[]", |r| wide32(r.injured.best)),
        col(a, rows, "bigint[]", |r| wide32(r.injured.high)),
        col(a, rows, "bigint[]", |r| i64::from(r.sources)),
        col(a, rows, "bigint[]", |r| i64::from(r.reports)),
        col(a, rows, "text[]", |r| r.status.clone()),
        col(a, rows, "text[]", |r| r.assignee.clone()),
        col(a, rows, "text[]", |r| r.grade.clone()),
        col(a, rows, "text[]", |r| r.grade_override.clone()),
        col(a, rows, "text[]", |r| r.grade_reason.clone()),
        col(a, rows, "bigint[]", |r| r.merged_into),
        col(a, rows, "text[]", |r| r.absorbed.clone()),
        col(a, rows, "bigint[]", |r| i64::from(r.revision)),
        col(a, rows, "text[]", |r| r.flags.clone()),
    ];
    format!(
        "unnest({}) AS u({})",
        arrays.join(", "),
        INCIDENT_DATA_COLS.join(", ")
    )
}

fn incidents_insert(a: &mut Args, rows: &[IncidentRow], t: &str) -> String {
    let cols = INCIDENT_DATA_COLS.join(", ");
    format!(
        "INSERT INTO incidents ({cols}, created_at, updated_at) SELECT u.*, {t}, {t} FROM {}",
        incident_arrays(a, rows)
    )
}

/// Updates the incidents to the rows' values; `RETURNING 1` per row found.
fn incidents_update(a: &mut Args, rows: &[IncidentRow], t: &str) -> String {
    let set: Vec<String> = INCIDENT_DATA_COLS[1..]
        .iter()
        .map(|c| format!("{c} = u.{c}"))
        .collect();
    format!(
        "UPDATE incidents AS i SET {}, updated_at = {t} FROM {} WHERE i.id = u.id RETURNING 1",
        set.join(", "),
        incident_arrays(a, rows)
    )
}

/// Two statements that together replace the assessments of incidents `ids`
/// by `rows`, touching disjoint rows (so they may run in one statement):
/// the upsert of the new ones and the delete of those no longer there.
fn assessments_replace(a: &mut Args, ids: &[i64], rows: &[AssessmentRow]) -> (String, String) {
    a.gate();
    let ids = a.add(ids.to_vec(), "bigint[]");
    a.gate();
    let iid = col(a, rows, "bigint[]", |r| r.incident_id);
    let ag = col(a, rows, "text[]", |r| r.agreement.clone());
    let rest = [
        col(a, rows, "text[]", |r| r.zone.clone()),
        col(a, rows, "bigint[]", |r| widei(r.day)),
        col(a, rows, "text[]", |r| r.reading.clone()),
        col(a, rows, "text[]", |r| r.rule.clone()),
        col(a, rows, "bigint[]", |r| r.in_security_zone as i64),
        col(a, rows, "float8[]", |r| r.border_km),
        col(a, rows, "text[]", |r| r.reasons.clone()),
    ];
    let upsert = format!(
        "INSERT INTO assessments ({ASSESSMENT_COLS}) SELECT * FROM unnest({iid}, {ag}, {})
         ON CONFLICT (incident_id, agreement) DO UPDATE SET zone = EXCLUDED.zone, day = EXCLUDED.day, reading = EXCLUDED.reading,
         rule = EXCLUDED.rule, in_security_zone = EXCLUDED.in_security_zone, border_km = EXCLUDED.border_km, reasons = EXCLUDED.reasons",
        rest.join(", ")
    );
    let delete = format!(
        "DELETE FROM assessments AS a WHERE a.incident_id = ANY({ids}::bigint[])
         AND NOT EXISTS (SELECT 1 FROM unnest({iid}, {ag}) AS n(incident_id, agreement) WHERE n.incident_id = a.incident_id AND n.agreement = a.agreement)"
    );
    (upsert, delete)
}

fn audit_insert(a: &mut Args, rows: &[AuditRecord]) -> String {
    a.gate();
    let arrays = [
        col(a, rows, "bigint[]", |r| r.id),
        col(a, rows, "text[]", |r| r.at.clone()),
        col(a, rows, "text[]", |r| r.actor.clone()),
        col(a, rows, "text[]", |r| r.action.clone()),
        col(a, rows, "text[]", |r| r.entity.clone()),
        col(a, rows, "text[]", |r| r.detail.clone()),
        col(a, rows, "text[]", |r| r.prev_hash.clone()),
        col(a, rows, "text[]", |r| r.hash.clone()),
    ];
    format!(
        "INSERT INTO audit_log (id, at, actor, action, entity, detail, prev_hash, hash) SELECT * FROM unnest({})",
        arrays.join(", ")
    )
}

impl<C: GenericClient> PgTx<'_, C> {
    /// Runs a statement built with [`Args`] through the statement cache.
    fn run(&mut self, sql: &str, a: &Args) -> Result<Vec<postgres::Row>> {
        let st = self.st(sql)?;
        Ok(self.0.query(&st, &a.refs())?)
    }

    /// Before a row takes its id from a sequence: the sequences are moved
    /// past the ids [`Tx::reserve_ids`] gave from the last ones, which are
    /// forgotten (reserve_ids asks the sequences from then on).
    fn settle_ids(&mut self) -> Result<()> {
        let Some(LastIds(last)) = self.3.take() else {
            return Ok(());
        };
        let mut a = Args::default();
        let sql = format!("SELECT {}", setvals(&mut a, last));
        self.run(&sql, &a)?;
        Ok(())
    }

    /// The audit head: read once per transaction, then followed as this
    /// transaction appends (it holds the writers' lock, nobody else can).
    fn head(&mut self) -> Result<Option<AuditHead>> {
        if let Some(h) = &self.2 {
            return Ok(h.clone());
        }
        let h = self
            .qopt(
                "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1",
                &[],
            )?
            .map(|r| AuditHead {
                id: r.get(0),
                hash: r.get(1),
            });
        self.2 = Some(h.clone());
        Ok(h)
    }

    /// The chained records for `entries` after the head (not yet written).
    fn chain(&mut self, entries: &[AuditEntry]) -> Result<Vec<AuditRecord>> {
        let head = self.head()?;
        let out = chain_after(head.as_ref(), entries);
        if let Some(last) = out.last() {
            self.2 = Some(Some(AuditHead::from(last)));
        }
        Ok(out)
    }
}

fn u32o(r: &Row, i: usize) -> Option<u32> {
    r.get::<_, Option<i64>>(i).map(|v| v as u32)
}
fn u8o(r: &Row, i: usize) -> Option<u8> {
    r.get::<_, Option<i64>>(i).map(|v| v as u8)
}
fn i32o(r: &Row, i: usize) -> Option<i32> {
    r.get::<_, Option<i64>>(i).map(|v| v as i32)
}
fn u32r(r: &Row, i: usize) -> u32 {
    r.get::<_, i64>(i) as u32
}
fn wide32(v: Option<u32>) -> Option<i64> {
    v.map(i64::from)
}
fn wide8(v: Option<u8>) -> Option<i64> {
    v.map(i64::from)
}
fn widei(v: Option<i32>) -> Option<i64> {
    v.map(i64::from)
}

pub(crate) fn incident_row(r: &Row) -> IncidentRow {
    IncidentRow {
        id: r.get(0),
        kind: r.get(1),
        event_group: r.get(2),
        date: r.get(3),
        day: i32o(r, 4),
        date_precision: u8o(r, 5),
        place_name: r.get(6),
        geonameid: u32o(r, 7),
        admin1: r.get(8),
        lat: r.get(9),
        lon: r.get(10),
        geo_precision: u8o(r, 11),
        perpetrator: r.get(12),
        target: r.get(13),
        killed: Range {
            low: u32o(r, 14),
            best: u32o(r, 15),
            high: u32o(r, 16),
        },
        injured: Range {
            low: u32o(r, 17),
            best: u32o(r, 18),
            high: u32o(r, 19),
        },
        sources: u32r(r, 20),
        reports: u32r(r, 21),
        status: r.get(22),
        assignee: r.get(23),
        grade: r.get(24),
        grade_override: r.get(25),
        grade_reason: r.get(26),
        merged_into: r.get(27),
        absorbed: r.get(28),
        revision: u32r(r, 29),
        flags: r.get(30),
        created_at: r.get(31),
        updated_at: r.get(32),
    }
}

pub(crate) fn event_row(r: &Row) -> EventRow {
    EventRow {
        id: r.get(0),
        report_id: r.get(1),
        seq: u32r(r, 2),
        kind: r.get(3),
        date: r.get(4),
        date_precision: u8o(r, 5),
        place_name: r.get(6),
        geonameid: u32o(r, 7),
        admin1: r.get(8),
        lat: r.get(9),
        lon: r.get(10),
        geo_precision: u8o(r, 11),
        perpetrator: r.get(12),
        target: r.get(13),
        killed: u32o(r, 14),
        injured: u32o(r, 15),
        evidence: r.get(16),
        incident_id: r.get(17),
    }
}

pub(crate) fn report_row(r: &Row) -> ReportRow {
    ReportRow {
        id: r.get(0),
        content_hash: r.get(1),
        source: r.get(2),
        outlet: r.get(3),
        url: r.get(4),
        published: r.get(5),
        language: r.get(6),
        kind: r.get(7),
        origin: r.get(8),
        text: r.get(9),
        extraction: r.get(10),
        flags: r.get(11),
        ingested_by: r.get(12),
        ingested_at: r.get(13),
    }
}

pub(crate) fn assessment_row(r: &Row) -> AssessmentRow {
    AssessmentRow {
        incident_id: r.get(0),
        agreement: r.get(1),
        zone: r.get(2),
        day: i32o(r, 3),
        reading: r.get(4),
        rule: r.get(5),
        in_security_zone: r.get::<_, i64>(6) != 0,
        border_km: r.get(7),
        reasons: r.get(8),
    }
}

pub(crate) fn stance_row(r: &Row) -> StanceRow {
    StanceRow {
        id: r.get(0),
        incident_id: r.get(1),
        agreement: r.get(2),
        party: r.get(3),
        position: r.get(4),
        comment: r.get(5),
        recorded_by: r.get(6),
        recorded_at: r.get(7),
    }
}

impl<C: GenericClient> Tx for PgTx<'_, C> {
    fn report_by_hash(&mut self, hash: &str) -> Result<Option<i64>> {
        Ok(self
            .qopt("SELECT id FROM reports WHERE content_hash = $1", &[&hash])?
            .map(|r| r.get(0)))
    }

    fn insert_report(&mut self, r: &ReportRow) -> Result<i64> {
        self.settle_ids()?;
        Ok(self.q1(
            "INSERT INTO reports (content_hash, source, outlet, url, published, language, kind, origin, text, extraction, flags, ingested_by, ingested_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
            &[&r.content_hash, &r.source, &r.outlet, &r.url, &r.published, &r.language, &r.kind, &r.origin, &r.text, &r.extraction, &r.flags, &r.ingested_by, &now()],
        )?.get(0))
    }

    fn insert_event(&mut self, e: &EventRow) -> Result<i64> {
        self.settle_ids()?;
        Ok(self.q1(
            "INSERT INTO events (report_id, seq, type, date, date_precision, place_name, geonameid, admin1, lat, lon, geo_precision, perpetrator, target, killed, injured, evidence, incident_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id",
            &[&e.report_id, &i64::from(e.seq), &e.kind, &e.date, &wide8(e.date_precision), &e.place_name, &wide32(e.geonameid), &e.admin1, &e.lat, &e.lon,
              &wide8(e.geo_precision), &e.perpetrator, &e.target, &wide32(e.killed), &wide32(e.injured), &e.evidence, &e.incident_id],
        )?.get(0))
    }

    fn set_event_incident(&mut self, event_id: i64, incident_id: i64) -> Result<()> {
        self.exec(
            "UPDATE events SET incident_id = $2 WHERE id = $1",
            &[&event_id, &incident_id],
        )?;
        Ok(())
    }

    fn candidates(&mut self, group: &str, from: i32, to: i32) -> Result<Vec<IncidentRow>> {
        Ok(self.q(
                &format!("SELECT {INCIDENT_COLS} FROM incidents WHERE event_group = $1 AND day BETWEEN $2 AND $3 AND merged_into IS NULL ORDER BY day, id"),
                &[&group, &i64::from(from), &i64::from(to)],
            )?
            .iter()
            .map(incident_row)
            .collect())
    }

    fn insert_incident(&mut self, i: &IncidentRow) -> Result<i64> {
        self.settle_ids()?;
        let t = now();
        Ok(self.q1(
            "INSERT INTO incidents (type, event_group, date, day, date_precision, place_name, geonameid, admin1, lat, lon, geo_precision, perpetrator, target,
              killed_low, killed_best, killed_high, injured_low, injured_best, injured_high, sources, reports, status, assignee, grade, grade_override, grade_reason,
              merged_into, absorbed, revision, flags, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $31)
             RETURNING id",
            &[
                &i.kind, &i.event_group, &i.date, &widei(i.day), &wide8(i.date_precision), &i.place_name, &wide32(i.geonameid), &i.admin1, &i.lat, &i.lon,
                &wide8(i.geo_precision), &i.perpetrator, &i.target,
                &wide32(i.killed.low), &wide32(i.killed.best), &wide32(i.killed.high), &wide32(i.injured.low), &wide32(i.injured.best), &wide32(i.injured.high),
                &i64::from(i.sources), &i64::from(i.reports), &i.status, &i.assignee, &i.grade, &i.grade_override, &i.grade_reason,
                &i.merged_into, &i.absorbed, &i64::from(i.revision), &i.flags, &t,
            ],
        )?.get(0))
    }

    fn update_incident(&mut self, i: &IncidentRow) -> Result<()> {
        let n = self.exec(
            "UPDATE incidents SET type = $2, event_group = $3, date = $4, day = $5, date_precision = $6, place_name = $7, geonameid = $8, admin1 = $9, lat = $10, lon = $11,
              geo_precision = $12, perpetrator = $13, target = $14, killed_low = $15, killed_best = $16, killed_high = $17, injured_low = $18, injured_best = $19,
              injured_high = $20, sources = $21, reports = $22, status = $23, assignee = $24, grade = $25, grade_override = $26, grade_reason = $27, merged_into = $28,
              absorbed = $29, revision = $30, flags = $31, updated_at = $32 WHERE id = $1",
            &[
                &i.id, &i.kind, &i.event_group, &i.date, &widei(i.day), &wide8(i.date_precision), &i.place_name, &wide32(i.geonameid), &i.admin1, &i.lat, &i.lon,
                &wide8(i.geo_precision), &i.perpetrator, &i.target,
                &wide32(i.killed.low), &wide32(i.killed.best), &wide32(i.killed.high), &wide32(i.injured.low), &wide32(i.injured.best), &wide32(i.injured.high),
                &i64::from(i.sources), &i64::from(i.reports), &i.status, &i.assignee, &i.grade, &i.grade_override, &i.grade_reason,
                &i.merged_into, &i.absorbed, &i64::from(i.revision), &i.flags, &now(),
            ],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("incident {}", i.id)));
        }
        Ok(())
    }

    fn audit_after(&mut self, after: i64, limit: usize) -> Result<Vec<AuditRecord>> {
        if let Some((call, entries)) = self.5.take() {
            if call == (after, limit) {
                return Ok(entries);
            }
        }
        Ok(self
            .q(
                "SELECT id, at, actor, action, entity, detail, prev_hash, hash FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2",
                &[&after, &(limit as i64)],
            )?
            .iter()
            .map(audit_row)
            .collect())
    }

    fn incidents_by_ids(&mut self, ids: &[i64]) -> Result<Vec<IncidentRow>> {
        Ok(self
            .q(
                &format!("SELECT {INCIDENT_COLS} FROM incidents WHERE id = ANY($1) ORDER BY id"),
                &[&ids],
            )?
            .iter()
            .map(incident_row)
            .collect())
    }

    fn incident(&mut self, id: i64) -> Result<Option<IncidentRow>> {
        Ok(self
            .qopt(
                &format!("SELECT {INCIDENT_COLS} FROM incidents WHERE id = $1"),
                &[&id],
            )?
            .map(|r| incident_row(&r)))
    }

    fn events_of(&mut self, incident_id: i64) -> Result<Vec<EventRow>> {
        Ok(self
            .q(
                &format!("SELECT {EVENT_COLS} FROM events WHERE incident_id = $1 ORDER BY id"),
                &[&incident_id],
            )?
            .iter()
            .map(event_row)
            .collect())
    }

    fn events_of_report(&mut self, report_id: i64) -> Result<Vec<EventRow>> {
        Ok(self
            .q(
                &format!("SELECT {EVENT_COLS} FROM events WHERE report_id = $1 ORDER BY seq"),
                &[&report_id],
            )?
            .iter()
            .map(event_row)
            .collect())
    }

    fn report_sources(&mut self, report_ids: &[i64]) -> Result<Vec<(i64, String)>> {
        // one round trip; the order (and repeats) of `report_ids` are kept as on SQLite
        let rows = self.q(
            "SELECT id, source FROM reports WHERE id = ANY($1)",
            &[&report_ids],
        )?;
        let found: std::collections::HashMap<i64, String> =
            rows.iter().map(|r| (r.get(0), r.get(1))).collect();
        Ok(report_ids
            .iter()
            .filter_map(|id| found.get(id).map(|s| (*id, s.clone())))
            .collect())
    }

    fn put_assessments(&mut self, incident_id: i64, rows: &[AssessmentRow]) -> Result<()> {
        self.exec(
            "DELETE FROM assessments WHERE incident_id = $1",
            &[&incident_id],
        )?;
        let st = self.st(
            "INSERT INTO assessments (incident_id, agreement, zone, day, reading, rule, in_security_zone, border_km, reasons) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )?;
        for a in rows {
            self.0.execute(
                &st,
                &[
                    &incident_id,
                    &a.agreement,
                    &a.zone,
                    &widei(a.day),
                    &a.reading,
                    &a.rule,
                    &(a.in_security_zone as i64),
                    &a.border_km,
                    &a.reasons,
                ],
            )?;
        }
        Ok(())
    }

    fn assessments_of(&mut self, incident_id: i64) -> Result<Vec<AssessmentRow>> {
        Ok(self.q(
                &format!("SELECT {ASSESSMENT_COLS} FROM assessments WHERE incident_id = $1 ORDER BY agreement COLLATE \"C\""),
                &[&incident_id],
            )?
            .iter()
            .map(assessment_row)
            .collect())
    }

    fn insert_stance(&mut self, s: &StanceRow) -> Result<i64> {
        Ok(self.q1(
            "INSERT INTO stances (incident_id, agreement, party, position, comment, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            &[&s.incident_id, &s.agreement, &s.party, &s.position, &s.comment, &s.recorded_by, &now()],
        )?.get(0))
    }

    fn stances(&mut self, incident_id: i64) -> Result<Vec<StanceRow>> {
        Ok(self
            .q(
                &format!("SELECT {STANCE_COLS} FROM stances WHERE incident_id = $1 ORDER BY id"),
                &[&incident_id],
            )?
            .iter()
            .map(stance_row)
            .collect())
    }

    fn audit(&mut self, e: &AuditEntry) -> Result<AuditRecord> {
        let mut r = self.audit_many(std::slice::from_ref(e))?;
        Ok(r.pop().expect("one record per entry"))
    }

    /// One round trip: each part comes back as a JSON array, shaped like
    /// the rows' serde form (`json`, not `jsonb`: `jsonb` would round floats
    /// to 15 digits on the way).
    fn batch_context(&mut self, hashes: &[String], ids: &[i64]) -> Result<BatchContext> {
        // read as the transaction began, for these hashes and maybe more ids
        if let Some((keys, mut ctx)) = self.4.take() {
            if keys.hashes == hashes {
                let have: std::collections::HashSet<i64> = keys.ids.iter().copied().collect();
                let missing: Vec<i64> = ids.iter().copied().filter(|i| !have.contains(i)).collect();
                if !missing.is_empty() {
                    let more = self.batch_context(&[], &missing)?;
                    ctx.extend(more);
                }
                return Ok(ctx);
            }
        }
        // unprepared, so planned afresh each time on the tables as they are
        // (a cached plan, made while they were small, kept scanning them
        // whole)
        let rows = self.0.query_typed(
            &context_sql("$1", "$2"),
            &[(&hashes, Type::TEXT_ARRAY), (&ids, Type::INT8_ARRAY)],
        )?;
        let row = rows
            .first()
            .ok_or_else(|| StoreError::Postgres("the batch context did not come back".into()))?;
        context_of(|k| Ok(row.get::<_, String>(k)))
    }

    fn reserve_ids(&mut self, n: IdCounts) -> Result<ReservedIds> {
        if let Some(last) = &mut self.3 {
            // under the writers' lock: the ids after the last ones are free,
            // and write_batch moves the sequences past them
            return Ok(last.take(n));
        }
        let row = self.q1(
            "SELECT ARRAY(SELECT nextval(pg_get_serial_sequence('reports', 'id')) FROM generate_series(1, $1::bigint)),
                    ARRAY(SELECT nextval(pg_get_serial_sequence('events', 'id')) FROM generate_series(1, $2::bigint)),
                    ARRAY(SELECT nextval(pg_get_serial_sequence('incidents', 'id')) FROM generate_series(1, $3::bigint))",
            &[&(n.reports as i64), &(n.events as i64), &(n.incidents as i64)],
        )?;
        let take = |k: usize| {
            let mut v: Vec<i64> = row.get(k);
            v.sort_unstable();
            v
        };
        Ok(ReservedIds {
            reports: take(0),
            events: take(1),
            incidents: take(2),
        })
    }

    fn audit_many(&mut self, entries: &[AuditEntry]) -> Result<Vec<AuditRecord>> {
        let records = self.chain(entries)?;
        let mut a = Args::default();
        let sql = audit_insert(&mut a, &records);
        self.run(&sql, &a)?;
        drop(a);
        Ok(records)
    }

    /// The whole batch in one statement (one round trip): PostgreSQL runs
    /// the parts of a `WITH` together and checks foreign keys at its end.
    fn write_batch(&mut self, b: &BatchWrite<'_>) -> Result<Vec<AuditRecord>> {
        let records = self.chain(b.audit)?;
        let (sql, a) = batch_statement(b, &records, self.3, None);
        let n: i64 = self.run(&sql, &a)?[0].get(0);
        drop(a);
        found_all(n as usize, b.changed_incidents.len())?;
        Ok(records)
    }

    fn audit_head(&mut self) -> Result<Option<AuditHead>> {
        self.head()
    }
}

/// `n` of `want` rows to update were found.
/// What the guard of an optimistic batch statement checks (see the
/// migration `0006_ingest_guard`): the writers' lock to take, how long to
/// wait for it, and the audit head and last ids the batch was worked out on.
pub(crate) struct Guard {
    pub lock: i64,
    pub wait: String,
    pub head: Option<AuditHead>,
    pub last: LastIds,
}

/// The statement that writes batch `b` with its chained audit `records`
/// (see [`Tx::write_batch`]); `last`: the ids taken, to move the sequences
/// to. Its first column is how many changed incidents were found.
///
/// With a `guard`, the optimistic form: a statement that runs on its own
/// (committed as it ends), whose every part reads its parameters through
/// the guard `g`, so none runs before the guard has taken the lock and
/// checked that nobody wrote since the batch was worked out; and which
/// fails (SQLSTATE HU409) rather than commit a batch whose changed
/// incidents were not all found.
pub(crate) fn batch_statement(
    b: &BatchWrite<'_>,
    records: &[AuditRecord],
    last: Option<LastIds>,
    guard: Option<&Guard>,
) -> (String, Args) {
    let mut a = Args::default();
    let g = guard.map(|g| {
        let (h_id, h_hash) = match &g.head {
            Some(h) => (Some(h.id), Some(h.hash.clone())),
            None => (None, None),
        };
        let [r, e, i] = g.last.0;
        let args = [
            a.raw(g.lock, "bigint"),
            a.raw(g.wait.clone(), "text"),
            a.raw(h_id, "bigint"),
            a.raw(h_hash, "text"),
            a.raw(r, "bigint"),
            a.raw(e, "bigint"),
            a.raw(i, "bigint"),
        ];
        format!(
            "g AS (SELECT hudna_ingest_guard({}, (SELECT max(id) FROM audit_log)) AS ok), ",
            args.join(", ")
        )
    });
    a.guarded = guard.is_some();
    let t = a.add(now(), "text");
    let reports = reports_insert(&mut a, b.reports, &t);
    let incidents = incidents_insert(&mut a, b.new_incidents, &t);
    let events = events_insert(&mut a, b.events);
    let update = incidents_update(&mut a, b.changed_incidents, &t);
    let (upsert, delete) = assessments_replace(&mut a, b.assessed, b.assessments);
    let audit = audit_insert(&mut a, records);
    // the sequences past the ids reserve_ids gave from the last ones
    let seqs = match last {
        Some(LastIds(last)) => setvals(&mut a, last),
        None => "0".into(),
    };
    let found = match g {
        Some(_) => {
            let want = a.add(b.changed_incidents.len() as i64, "bigint");
            format!(
                "(SELECT count(*) FROM u), (SELECT count(*) FROM s), (SELECT ok FROM g),
                 hudna_ingest_check((SELECT count(*) FROM u) = {want}, 'an incident the batch changes is not stored')"
            )
        }
        None => "(SELECT count(*) FROM u), (SELECT count(*) FROM s)".into(),
    };
    let sql = format!(
        "WITH {}r AS ({reports}), i AS ({incidents}), e AS ({events}), u AS ({update}),
              d AS ({delete}), x AS ({upsert}), l AS ({audit}), s AS (SELECT {seqs})
         SELECT {found}",
        g.unwrap_or_default()
    );
    (sql, a)
}

fn found_all(n: usize, want: usize) -> Result<()> {
    if n != want {
        return Err(StoreError::NotFound(format!(
            "{} of {want} incidents to update",
            want - n
        )));
    }
    Ok(())
}

/// The batch context of [`Tx::batch_context`] in one query: each part a
/// JSON array shaped like the rows' serde form (`json`, not `jsonb`:
/// `jsonb` would round floats to 15 digits on the way). `hashes` and `ids`
/// are SQL expressions of a `text[]` and a `bigint[]`.
pub(crate) fn context_sql(hashes: &str, ids: &str) -> String {
    let incident_cols = INCIDENT_COLS.replace(
        "killed_low, killed_best, killed_high, injured_low, injured_best, injured_high",
        "json_build_object('low', killed_low, 'best', killed_best, 'high', killed_high) AS killed, \
         json_build_object('low', injured_low, 'best', injured_best, 'high', injured_high) AS injured",
    );
    debug_assert!(incident_cols.contains("AS injured"));
    format!(
        "SELECT
           {} AS context_stored,
           (SELECT COALESCE(json_agg(i ORDER BY i.id), '[]')::text FROM (SELECT {incident_cols} FROM incidents WHERE id = ANY({ids})) AS i),
           (SELECT COALESCE(json_agg(e ORDER BY e.id), '[]')::text FROM (SELECT {EVENT_COLS} FROM events WHERE incident_id = ANY({ids})) AS e),
           (SELECT COALESCE(json_agg(json_build_array(r.id, r.source) ORDER BY r.id), '[]')::text FROM reports AS r
              WHERE r.id IN (SELECT report_id FROM events WHERE incident_id = ANY({ids}))),
           (SELECT COALESCE(json_agg(s ORDER BY s.id), '[]')::text FROM (SELECT {STANCE_COLS} FROM stances WHERE incident_id = ANY({ids})) AS s)",
        stored_sql(hashes)
    )
}

/// Which of `hashes` (an SQL `text[]`) are stored reports, as a JSON
/// array of `[hash, id]` (a scalar subquery).
fn stored_sql(hashes: &str) -> String {
    format!(
        "(SELECT COALESCE(json_agg(json_build_array(content_hash, id)), '[]')::text \
         FROM reports WHERE content_hash = ANY({hashes}))"
    )
}

/// A string as an SQL literal, whatever `standard_conforming_strings` says.
fn literal(s: &str) -> Result<String> {
    if s.contains('\0') {
        return Err(StoreError::Postgres("a text with a NUL byte".into()));
    }
    Ok(format!(
        "E'{}'",
        s.replace('\\', "\\\\").replace('\'', "''")
    ))
}

/// [`context_sql`] for `keys` written out, for a simple query (which takes
/// no parameters).
pub(crate) fn context_sql_for(keys: &BatchKeys) -> Result<String> {
    let hashes = keys
        .hashes
        .iter()
        .map(|h| literal(h))
        .collect::<Result<Vec<_>>>()?;
    let hashes = format!("ARRAY[{}]::text[]", hashes.join(", "));
    if keys.ids.is_empty() {
        // no incident to read (their context is kept): a query a fifth the
        // size to parse and plan, with the same five columns
        return Ok(format!(
            "SELECT {} AS context_stored, '[]', '[]', '[]', '[]'",
            stored_sql(&hashes)
        ));
    }
    let ids: Vec<String> = keys.ids.iter().map(i64::to_string).collect();
    Ok(context_sql(
        &hashes,
        &format!("ARRAY[{}]::bigint[]", ids.join(", ")),
    ))
}

/// The [`Tx::audit_after`] query written out for a simple query (read back
/// by [`audit_in`]).
pub(crate) fn audit_after_sql((after, limit): (i64, usize)) -> String {
    format!(
        "SELECT id AS audit_after_id, at, actor, action, entity, detail, prev_hash, hash \
         FROM audit_log WHERE id > {after} ORDER BY id LIMIT {limit}"
    )
}

/// The entries among the replies of a simple query that ran
/// [`audit_after_sql`].
pub(crate) fn audit_in(replies: &[postgres::SimpleQueryMessage]) -> Result<Vec<AuditRecord>> {
    let mut out = vec![];
    for m in replies {
        let postgres::SimpleQueryMessage::Row(r) = m else {
            continue;
        };
        if r.columns().first().map(|c| c.name()) != Some("audit_after_id") {
            continue;
        }
        let text = |k: usize| -> Result<String> {
            r.get(k)
                .map(str::to_owned)
                .ok_or_else(|| StoreError::Postgres(format!("an audit entry without column {k}")))
        };
        out.push(AuditRecord {
            id: text(0)?
                .parse()
                .map_err(|_| StoreError::Postgres("an audit entry's id is not a number".into()))?,
            at: text(1)?,
            actor: text(2)?,
            action: text(3)?,
            entity: text(4)?,
            detail: text(5)?,
            prev_hash: text(6)?,
            hash: text(7)?,
        });
    }
    Ok(out)
}

/// The context from the five text columns of [`context_sql`]'s row.
pub(crate) fn context_of(mut part: impl FnMut(usize) -> Result<String>) -> Result<BatchContext> {
    fn read<T: serde::de::DeserializeOwned>(k: usize, text: String) -> Result<T> {
        serde_json::from_str(&text).map_err(|e| {
            StoreError::Postgres(format!("batch context part {k} does not read back: {e}"))
        })
    }
    let stored: Vec<(String, i64)> = read(0, part(0)?)?;
    Ok(BatchContext {
        stored: stored.into_iter().collect(),
        incidents: read(1, part(1)?)?,
        events: read(2, part(2)?)?,
        sources: read(3, part(3)?)?,
        stances: read(4, part(4)?)?,
    })
}

/// The context among the replies of a simple query that ran
/// [`context_sql_for`] (`None` when it is not there).
pub(crate) fn context_in(replies: &[postgres::SimpleQueryMessage]) -> Result<Option<BatchContext>> {
    for m in replies {
        if let postgres::SimpleQueryMessage::Row(r) = m {
            if r.columns().first().map(|c| c.name()) != Some("context_stored") {
                continue;
            }
            return context_of(|k| {
                r.get(k).map(str::to_owned).ok_or_else(|| {
                    StoreError::Postgres(format!("batch context part {k} is missing"))
                })
            })
            .map(Some);
        }
    }
    Ok(None)
}

/// The transaction of an optimistic ingest batch
/// ([`PgStore::write_tx_pending`](crate::pg::PgStore)): worked out on what
/// this handle's last batch left (audit head, last ids) and on the app's
/// kept candidates, without the writers' lock; its one write becomes a
/// guarded statement ([`batch_statement`]) to run afterwards. What the kept
/// candidates lack (a day range of candidates, the context of an incident)
/// is read outside any transaction once this handle's earlier writes have
/// committed ([`SettledReads`]): the store is then as at the head the batch
/// is worked out on, unless somebody else wrote, which the guard catches.
/// Other reads fail with [`StoreError::Stale`], and the batch is worked
/// out again in an ordinary transaction.
pub(crate) struct DeferredTx {
    pub head: Option<AuditHead>,
    /// The last ids taken as the batch began.
    pub first: LastIds,
    /// And as it goes on.
    pub last: LastIds,
    pub lock: i64,
    pub wait: String,
    /// The statement, once [`Tx::write_batch`] made it, and the incidents
    /// it writes.
    pub write: Option<(String, Args, Vec<i64>)>,
    pub reads: crate::pg::SettledReads,
}

fn needs_store<T>(what: &str) -> Result<T> {
    Err(StoreError::Stale(format!(
        "{what} needs the store read, which an optimistic batch does not do"
    )))
}

impl Tx for DeferredTx {
    fn report_by_hash(&mut self, _: &str) -> Result<Option<i64>> {
        needs_store("report_by_hash")
    }
    fn insert_report(&mut self, _: &ReportRow) -> Result<i64> {
        needs_store("insert_report")
    }
    fn insert_event(&mut self, _: &EventRow) -> Result<i64> {
        needs_store("insert_event")
    }
    fn set_event_incident(&mut self, _: i64, _: i64) -> Result<()> {
        needs_store("set_event_incident")
    }
    fn candidates(&mut self, group: &str, from: i32, to: i32) -> Result<Vec<IncidentRow>> {
        self.reads.with(|tx| tx.candidates(group, from, to))
    }
    fn insert_incident(&mut self, _: &IncidentRow) -> Result<i64> {
        needs_store("insert_incident")
    }
    fn update_incident(&mut self, _: &IncidentRow) -> Result<()> {
        needs_store("update_incident")
    }
    fn incident(&mut self, _: i64) -> Result<Option<IncidentRow>> {
        needs_store("incident")
    }
    fn events_of(&mut self, _: i64) -> Result<Vec<EventRow>> {
        needs_store("events_of")
    }
    fn events_of_report(&mut self, _: i64) -> Result<Vec<EventRow>> {
        needs_store("events_of_report")
    }
    fn report_sources(&mut self, _: &[i64]) -> Result<Vec<(i64, String)>> {
        needs_store("report_sources")
    }
    fn put_assessments(&mut self, _: i64, _: &[AssessmentRow]) -> Result<()> {
        needs_store("put_assessments")
    }
    fn assessments_of(&mut self, _: i64) -> Result<Vec<AssessmentRow>> {
        needs_store("assessments_of")
    }
    fn insert_stance(&mut self, _: &StanceRow) -> Result<i64> {
        needs_store("insert_stance")
    }
    fn stances(&mut self, _: i64) -> Result<Vec<StanceRow>> {
        needs_store("stances")
    }
    fn audit(&mut self, _: &AuditEntry) -> Result<AuditRecord> {
        needs_store("audit")
    }
    fn audit_head(&mut self) -> Result<Option<AuditHead>> {
        Ok(self.head.clone())
    }
    fn audit_after(&mut self, _: i64, _: usize) -> Result<Vec<AuditRecord>> {
        needs_store("audit_after")
    }
    /// Reports are taken as not stored (checked before; where one is by
    /// now, the unique content hash fails the statement); the incidents are
    /// read once this handle's earlier writes have committed.
    fn batch_context(&mut self, _: &[String], ids: &[i64]) -> Result<BatchContext> {
        if ids.is_empty() {
            return Ok(BatchContext::default());
        }
        self.reads
            .with_incidents(ids, |tx| tx.batch_context(&[], ids))
    }
    fn reserve_ids(&mut self, n: IdCounts) -> Result<ReservedIds> {
        Ok(self.last.take(n))
    }
    fn write_batch(&mut self, b: &BatchWrite<'_>) -> Result<Vec<AuditRecord>> {
        if self.write.is_some() {
            return needs_store("a second write_batch");
        }
        let records = chain_after(self.head.as_ref(), b.audit);
        let guard = Guard {
            lock: self.lock,
            wait: self.wait.clone(),
            head: self.head.clone(),
            last: self.first,
        };
        let (sql, args) = batch_statement(b, &records, Some(self.last), Some(&guard));
        let mut incidents: Vec<i64> = (b.new_incidents.iter())
            .chain(b.changed_incidents)
            .map(|i| i.id)
            .chain(b.events.iter().filter_map(|e| e.incident_id))
            .chain(b.assessed.iter().copied())
            .collect();
        incidents.sort_unstable();
        incidents.dedup();
        self.write = Some((sql, args, incidents));
        if let Some(r) = records.last() {
            self.head = Some(AuditHead::from(r));
        }
        Ok(records)
    }
}
