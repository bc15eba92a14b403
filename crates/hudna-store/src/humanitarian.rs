//! The humanitarian file's tables: lists, person records, persons, links,
//! status changes, exchanges; and commitments' follow-ups.

use crate::audit::now;
use crate::audit::AuditEntry;
use crate::sqlite::{append, SqliteStore};
use crate::{Result, StoreError};
use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

/// One list entry as stored.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct PersonRecordRow {
    pub id: i64,
    pub list_id: i64,
    pub record_id: String,
    pub full_name: String,
    pub first: String,
    pub father: String,
    pub grandfather: String,
    pub family: String,
    pub mother: String,
    pub sex: String,
    pub birth_year: String,
    pub place: String,
    pub event_date: String,
    pub event_place: String,
    pub holding_party: String,
    pub status: String,
    pub script: String,
    pub person_id: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ListRow {
    pub id: i64,
    pub name: String,
    pub source_party: String,
    pub received: String,
    pub submitted_by: String,
    pub records: i64,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LinkRow {
    pub id: i64,
    pub record_a: i64,
    pub record_b: i64,
    pub probability: f64,
    pub explanation: String,
    pub decision: String,
    pub decided_by: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StatusChangeRow {
    pub record: i64,
    pub from_status: String,
    pub to_status: String,
    pub date: String,
    pub exchange: Option<i64>,
    pub note: String,
    pub recorded_by: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ExchangeItem {
    pub record: i64,
    pub released_by: String,
    /// `released` or `body_handed_over`
    pub kind: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ExchangeRow {
    pub id: i64,
    pub date: String,
    pub mediator: String,
    pub place: String,
    pub note: String,
    pub items: Vec<ExchangeItem>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FollowupRow {
    pub agreement: String,
    pub commitment: String,
    pub status: String,
    pub settled_by: String,
    pub evidence: String,
    pub date: String,
    pub recorded_by: String,
}

/// Storage of the humanitarian file (SQLite here; PostgreSQL mirrors it).
pub trait HumanitarianStore {
    /// Stores a list and its records; each record starts as its own person.
    fn add_list(
        &self,
        list: &ListRow,
        records: &[PersonRecordRow],
        audit: &AuditEntry,
    ) -> Result<(i64, Vec<i64>)>;
    fn lists(&self) -> Result<Vec<ListRow>>;
    fn person_records(&self) -> Result<Vec<PersonRecordRow>>;
    fn person_record(&self, id: i64) -> Result<Option<PersonRecordRow>>;
    /// Adds candidate links not yet known (decided ones are kept as decided). Returns how many were new.
    fn add_candidates(
        &self,
        links: &[(i64, i64, f64, String)],
        audit: &AuditEntry,
    ) -> Result<usize>;
    fn links(&self, decision: Option<&str>) -> Result<Vec<LinkRow>>;
    /// Accepts (joining the two records' persons) or rejects a link.
    fn decide_link(
        &self,
        a: i64,
        b: i64,
        accept: bool,
        by: &str,
        audit: &AuditEntry,
    ) -> Result<LinkRow>;
    fn set_status(&self, change: &StatusChangeRow, audit: &AuditEntry) -> Result<()>;
    fn status_changes(&self, record: i64) -> Result<Vec<StatusChangeRow>>;
    /// Records an exchange and moves each item's record to its new status.
    fn add_exchange(&self, ex: &ExchangeRow, by: &str, audit: &AuditEntry) -> Result<i64>;
    fn exchanges(&self) -> Result<Vec<ExchangeRow>>;
    fn add_followup(&self, f: &FollowupRow, audit: &AuditEntry) -> Result<()>;
    fn followups(&self, agreement: &str) -> Result<Vec<FollowupRow>>;
}

const PR_COLS: &str = "id, list_id, record_id, full_name, first, father, grandfather, family, mother, sex, birth_year, place, event_date, event_place, holding_party, status, script, person_id";

fn pr_row(r: &Row<'_>) -> rusqlite::Result<PersonRecordRow> {
    Ok(PersonRecordRow {
        id: r.get(0)?,
        list_id: r.get(1)?,
        record_id: r.get(2)?,
        full_name: r.get(3)?,
        first: r.get(4)?,
        father: r.get(5)?,
        grandfather: r.get(6)?,
        family: r.get(7)?,
        mother: r.get(8)?,
        sex: r.get(9)?,
        birth_year: r.get(10)?,
        place: r.get(11)?,
        event_date: r.get(12)?,
        event_place: r.get(13)?,
        holding_party: r.get(14)?,
        status: r.get(15)?,
        script: r.get(16)?,
        person_id: r.get(17)?,
    })
}

/// The groups of `ids` that `edges` join (union-find), each sorted, the
/// group of the smallest id first: after an accepted link is undone, the
/// first group keeps the person and each other group becomes a new one.
pub(crate) fn components(ids: &[i64], edges: &[(i64, i64)]) -> Vec<Vec<i64>> {
    let pos: std::collections::HashMap<i64, usize> =
        ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut parent: Vec<usize> = (0..ids.len()).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    for (a, b) in edges {
        if let (Some(&i), Some(&j)) = (pos.get(a), pos.get(b)) {
            let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
            if ri != rj {
                parent[ri.max(rj)] = ri.min(rj);
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<i64>> = Default::default();
    for (i, id) in ids.iter().enumerate() {
        let r = find(&mut parent, i);
        groups.entry(r).or_default().push(*id);
    }
    let mut out: Vec<Vec<i64>> = groups
        .into_values()
        .map(|mut g| {
            g.sort_unstable();
            g
        })
        .collect();
    out.sort_by_key(|g| g[0]);
    out
}

fn link_row(r: &Row<'_>) -> rusqlite::Result<LinkRow> {
    Ok(LinkRow {
        id: r.get(0)?,
        record_a: r.get(1)?,
        record_b: r.get(2)?,
        probability: r.get(3)?,
        explanation: r.get(4)?,
        decision: r.get(5)?,
        decided_by: r.get(6)?,
    })
}

pub const STATUSES: &[&str] = &[
    "detained",
    "abducted",
    "missing",
    "released",
    "deceased",
    "body_handed_over",
    "identified",
];

impl HumanitarianStore for SqliteStore {
    fn add_list(
        &self,
        list: &ListRow,
        records: &[PersonRecordRow],
        audit: &AuditEntry,
    ) -> Result<(i64, Vec<i64>)> {
        self.write(|tx| {
            let t = now();
            tx.execute(
                "INSERT INTO lists (name, source_party, received, submitted_by, records, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![list.name, list.source_party, list.received, list.submitted_by, records.len() as i64, t],
            )?;
            let lid = tx.last_insert_rowid();
            let mut ids = Vec::with_capacity(records.len());
            let mut person = tx.prepare_cached("INSERT INTO persons (created_at) VALUES (?1)")?;
            let mut ins = tx.prepare_cached(
                "INSERT INTO person_records (list_id, record_id, full_name, first, father, grandfather, family, mother, sex, birth_year, place, event_date, event_place, holding_party, status, script, person_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
            )?;
            for r in records {
                person.execute([&t])?;
                let pid = tx.last_insert_rowid();
                ins.execute(params![lid, r.record_id, r.full_name, r.first, r.father, r.grandfather, r.family, r.mother, r.sex, r.birth_year, r.place, r.event_date, r.event_place, r.holding_party, r.status, r.script, pid])
                    .map_err(|e| match e {
                        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => StoreError::Conflict(format!("record_id {:?} appears twice in the list", r.record_id)),
                        other => StoreError::Sql(other),
                    })?;
                ids.push(tx.last_insert_rowid());
            }
            append(tx, audit)?;
            Ok((lid, ids))
        })
    }

    fn lists(&self) -> Result<Vec<ListRow>> {
        self.read(|c| {
            let mut st = c.prepare("SELECT id, name, source_party, received, submitted_by, records, created_at FROM lists ORDER BY id")?;
            let rows = st
                .query_map([], |r| Ok(ListRow { id: r.get(0)?, name: r.get(1)?, source_party: r.get(2)?, received: r.get(3)?, submitted_by: r.get(4)?, records: r.get(5)?, created_at: r.get(6)? }))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    fn person_records(&self) -> Result<Vec<PersonRecordRow>> {
        self.read(|c| {
            let mut st = c.prepare(&format!("SELECT {PR_COLS} FROM person_records ORDER BY id"))?;
            let rows = st
                .query_map([], pr_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    fn person_record(&self, id: i64) -> Result<Option<PersonRecordRow>> {
        self.read(|c| {
            Ok(c.query_row(
                &format!("SELECT {PR_COLS} FROM person_records WHERE id = ?1"),
                [id],
                pr_row,
            )
            .optional()?)
        })
    }

    fn add_candidates(
        &self,
        links: &[(i64, i64, f64, String)],
        audit: &AuditEntry,
    ) -> Result<usize> {
        self.write(|tx| {
            let mut n = 0;
            let mut st = tx.prepare_cached("INSERT INTO links (record_a, record_b, probability, explanation) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (record_a, record_b) DO UPDATE SET probability = excluded.probability, explanation = excluded.explanation WHERE decision = 'candidate'")?;
            for (a, b, p, e) in links {
                let (a, b) = if a < b { (a, b) } else { (b, a) };
                n += st.execute(params![a, b, p, e])?;
            }
            append(tx, audit)?;
            Ok(n)
        })
    }

    fn links(&self, decision: Option<&str>) -> Result<Vec<LinkRow>> {
        self.read(|c| {
            let sql = "SELECT id, record_a, record_b, probability, explanation, decision, decided_by FROM links";
            let rows = match decision {
                Some(d) => c.prepare(&format!("{sql} WHERE decision = ?1 ORDER BY probability DESC, id"))?.query_map([d], link_row)?.collect::<rusqlite::Result<Vec<_>>>()?,
                None => c.prepare(&format!("{sql} ORDER BY probability DESC, id"))?.query_map([], link_row)?.collect::<rusqlite::Result<Vec<_>>>()?,
            };
            Ok(rows)
        })
    }

    fn decide_link(
        &self,
        a: i64,
        b: i64,
        accept: bool,
        by: &str,
        audit: &AuditEntry,
    ) -> Result<LinkRow> {
        let (a, b) = if a < b { (a, b) } else { (b, a) };
        self.write(|tx| {
            let decision = if accept { "accepted" } else { "rejected" };
            let person = |id: i64| -> Result<i64> {
                tx.query_row("SELECT person_id FROM person_records WHERE id = ?1", [id], |r| r.get(0)).optional()?.ok_or_else(|| StoreError::NotFound(format!("person record {id}")))
            };
            let (pa, pb) = (person(a)?, person(b)?);
            tx.execute(
                "INSERT INTO links (record_a, record_b, probability, decision, decided_by, decided_at) VALUES (?1, ?2, 0, ?3, ?4, ?5)
                 ON CONFLICT (record_a, record_b) DO UPDATE SET decision = excluded.decision, decided_by = excluded.decided_by, decided_at = excluded.decided_at",
                params![a, b, decision, by, now()],
            )?;
            if accept && pa != pb {
                let keep = pa.min(pb);
                tx.execute("UPDATE person_records SET person_id = ?1 WHERE person_id = ?2", params![keep, pa.max(pb)])?;
            }
            if !accept && pa == pb {
                // undo: the person is what the accepted links still join
                let ids: Vec<i64> = tx
                    .prepare("SELECT id FROM person_records WHERE person_id = ?1 ORDER BY id")?
                    .query_map([pa], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                let edges: Vec<(i64, i64)> = tx
                    .prepare(
                        "SELECT l.record_a, l.record_b FROM links l
                         JOIN person_records ra ON ra.id = l.record_a JOIN person_records rb ON rb.id = l.record_b
                         WHERE l.decision = 'accepted' AND ra.person_id = ?1 AND rb.person_id = ?1",
                    )?
                    .query_map([pa], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<rusqlite::Result<_>>()?;
                for part in components(&ids, &edges).into_iter().skip(1) {
                    tx.execute("INSERT INTO persons (created_at) VALUES (?1)", [now()])?;
                    let p = tx.last_insert_rowid();
                    for id in part {
                        tx.execute("UPDATE person_records SET person_id = ?1 WHERE id = ?2", params![p, id])?;
                    }
                }
            }
            append(tx, audit)?;
            Ok(tx.query_row("SELECT id, record_a, record_b, probability, explanation, decision, decided_by FROM links WHERE record_a = ?1 AND record_b = ?2", params![a, b], link_row)?)
        })
    }

    fn set_status(&self, c: &StatusChangeRow, audit: &AuditEntry) -> Result<()> {
        self.write(|tx| {
            let n = tx.execute("UPDATE person_records SET status = ?2 WHERE id = ?1", params![c.record, c.to_status])?;
            if n == 0 {
                return Err(StoreError::NotFound(format!("person record {}", c.record)));
            }
            tx.execute(
                "INSERT INTO status_changes (record, from_status, to_status, date, exchange, note, recorded_by, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![c.record, c.from_status, c.to_status, c.date, c.exchange, c.note, c.recorded_by, now()],
            )?;
            append(tx, audit)?;
            Ok(())
        })
    }

    fn status_changes(&self, record: i64) -> Result<Vec<StatusChangeRow>> {
        self.read(|c| {
            let mut st = c.prepare("SELECT record, from_status, to_status, date, exchange, note, recorded_by FROM status_changes WHERE record = ?1 ORDER BY id")?;
            let rows = st
                .query_map([record], |r| Ok(StatusChangeRow { record: r.get(0)?, from_status: r.get(1)?, to_status: r.get(2)?, date: r.get(3)?, exchange: r.get(4)?, note: r.get(5)?, recorded_by: r.get(6)? }))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    fn add_exchange(&self, ex: &ExchangeRow, by: &str, audit: &AuditEntry) -> Result<i64> {
        self.write(|tx| {
            let t = now();
            tx.execute("INSERT INTO exchanges (date, mediator, place, note, recorded_by, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", params![ex.date, ex.mediator, ex.place, ex.note, by, t])?;
            let id = tx.last_insert_rowid();
            for it in &ex.items {
                let from: String = tx
                    .query_row("SELECT status FROM person_records WHERE id = ?1", [it.record], |r| r.get(0))
                    .optional()?
                    .ok_or_else(|| StoreError::NotFound(format!("person record {}", it.record)))?;
                tx.execute("INSERT INTO exchange_items (exchange, record, released_by, kind) VALUES (?1, ?2, ?3, ?4)", params![id, it.record, it.released_by, it.kind])?;
                tx.execute("UPDATE person_records SET status = ?2 WHERE id = ?1", params![it.record, it.kind])?;
                tx.execute(
                    "INSERT INTO status_changes (record, from_status, to_status, date, exchange, note, recorded_by, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, '', ?6, ?7)",
                    params![it.record, from, it.kind, ex.date, id, by, t],
                )?;
            }
            append(tx, audit)?;
            Ok(id)
        })
    }

    fn exchanges(&self) -> Result<Vec<ExchangeRow>> {
        self.read(|c| {
            let mut st = c.prepare("SELECT id, date, mediator, place, note FROM exchanges ORDER BY date, id")?;
            let mut rows = st
                .query_map([], |r| Ok(ExchangeRow { id: r.get(0)?, date: r.get(1)?, mediator: r.get(2)?, place: r.get(3)?, note: r.get(4)?, items: vec![] }))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let mut it = c.prepare("SELECT record, released_by, kind FROM exchange_items WHERE exchange = ?1 ORDER BY record")?;
            for e in &mut rows {
                e.items = it.query_map([e.id], |r| Ok(ExchangeItem { record: r.get(0)?, released_by: r.get(1)?, kind: r.get(2)? }))?.collect::<rusqlite::Result<Vec<_>>>()?;
            }
            Ok(rows)
        })
    }

    fn add_followup(&self, f: &FollowupRow, audit: &AuditEntry) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO commitment_followups (agreement, commitment, status, settled_by, evidence, date, recorded_by, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![f.agreement, f.commitment, f.status, f.settled_by, f.evidence, f.date, f.recorded_by, now()],
            )?;
            append(tx, audit)?;
            Ok(())
        })
    }

    fn followups(&self, agreement: &str) -> Result<Vec<FollowupRow>> {
        self.read(|c| {
            let mut st = c.prepare("SELECT agreement, commitment, status, settled_by, evidence, date, recorded_by FROM commitment_followups WHERE agreement = ?1 ORDER BY id")?;
            let rows = st
                .query_map([agreement], |r| Ok(FollowupRow { agreement: r.get(0)?, commitment: r.get(1)?, status: r.get(2)?, settled_by: r.get(3)?, evidence: r.get(4)?, date: r.get(5)?, recorded_by: r.get(6)? }))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }
}
