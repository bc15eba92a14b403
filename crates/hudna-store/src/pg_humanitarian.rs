//! PostgreSQL implementation of [`HumanitarianStore`], statement for
//! statement the SQLite one.

use crate::audit::AuditEntry;
use crate::humanitarian::*;
use crate::pg::{conflict, now, pg_append, PgStore};
use crate::{Result, StoreError};
use postgres::Row;

const PR_COLS: &str = "id, list_id, record_id, full_name, first, father, grandfather, family, mother, sex, birth_year, place, event_date, event_place, holding_party, status, script, person_id";
const LINK_COLS: &str = "id, record_a, record_b, probability, explanation, decision, decided_by";

fn pr_row(r: &Row) -> PersonRecordRow {
    PersonRecordRow {
        id: r.get(0),
        list_id: r.get(1),
        record_id: r.get(2),
        full_name: r.get(3),
        first: r.get(4),
        father: r.get(5),
        grandfather: r.get(6),
        family: r.get(7),
        mother: r.get(8),
        sex: r.get(9),
        birth_year: r.get(10),
        place: r.get(11),
        event_date: r.get(12),
        event_place: r.get(13),
        holding_party: r.get(14),
        status: r.get(15),
        script: r.get(16),
        person_id: r.get(17),
    }
}

fn link_row(r: &Row) -> LinkRow {
    LinkRow {
        id: r.get(0),
        record_a: r.get(1),
        record_b: r.get(2),
        probability: r.get(3),
        explanation: r.get(4),
        decision: r.get(5),
        decided_by: r.get(6),
    }
}

impl HumanitarianStore for PgStore {
    fn add_list(
        &self,
        list: &ListRow,
        records: &[PersonRecordRow],
        audit: &AuditEntry,
    ) -> Result<(i64, Vec<i64>)> {
        self.write(|tx| {
            let t = now();
            let lid: i64 = tx
                .query_one(
                    "INSERT INTO lists (name, source_party, received, submitted_by, records, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                    &[&list.name, &list.source_party, &list.received, &list.submitted_by, &(records.len() as i64), &t],
                )?
                .get(0);
            let person = tx.prepare("INSERT INTO persons (created_at) VALUES ($1) RETURNING id")?;
            let ins = tx.prepare(
                "INSERT INTO person_records (list_id, record_id, full_name, first, father, grandfather, family, mother, sex, birth_year, place, event_date, event_place, holding_party, status, script, person_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id",
            )?;
            let mut ids = Vec::with_capacity(records.len());
            for r in records {
                let pid: i64 = tx.query_one(&person, &[&t])?.get(0);
                let id: i64 = tx
                    .query_one(
                        &ins,
                        &[
                            &lid, &r.record_id, &r.full_name, &r.first, &r.father, &r.grandfather, &r.family, &r.mother, &r.sex,
                            &r.birth_year, &r.place, &r.event_date, &r.event_place, &r.holding_party, &r.status, &r.script, &pid,
                        ],
                    )
                    .map_err(|e| conflict(e, &format!("record_id {:?} appears twice in the list", r.record_id)))?
                    .get(0);
                ids.push(id);
            }
            pg_append(tx, audit)?;
            Ok((lid, ids))
        })
    }

    fn lists(&self) -> Result<Vec<ListRow>> {
        self.read(|tx| {
            Ok(tx
                .query(
                    "SELECT id, name, source_party, received, submitted_by, records, created_at FROM lists ORDER BY id",
                    &[],
                )?
                .iter()
                .map(|r| ListRow {
                    id: r.get(0),
                    name: r.get(1),
                    source_party: r.get(2),
                    received: r.get(3),
                    submitted_by: r.get(4),
                    records: r.get(5),
                    created_at: r.get(6),
                })
                .collect())
        })
    }

    fn person_records(&self) -> Result<Vec<PersonRecordRow>> {
        self.read(|tx| {
            Ok(tx
                .query(
                    &format!("SELECT {PR_COLS} FROM person_records ORDER BY id"),
                    &[],
                )?
                .iter()
                .map(pr_row)
                .collect())
        })
    }

    fn person_record(&self, id: i64) -> Result<Option<PersonRecordRow>> {
        self.read(|tx| {
            Ok(tx
                .query_opt(
                    &format!("SELECT {PR_COLS} FROM person_records WHERE id = $1"),
                    &[&id],
                )?
                .map(|r| pr_row(&r)))
        })
    }

    fn add_candidates(
        &self,
        links: &[(i64, i64, f64, String)],
        audit: &AuditEntry,
    ) -> Result<usize> {
        self.write(|tx| {
            let st = tx.prepare(
                "INSERT INTO links (record_a, record_b, probability, explanation) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (record_a, record_b) DO UPDATE SET probability = excluded.probability, explanation = excluded.explanation
                 WHERE links.decision = 'candidate'",
            )?;
            let mut n = 0;
            for (a, b, p, e) in links {
                let (a, b) = if a < b { (a, b) } else { (b, a) };
                n += tx.execute(&st, &[a, b, p, e])? as usize;
            }
            pg_append(tx, audit)?;
            Ok(n)
        })
    }

    fn links(&self, decision: Option<&str>) -> Result<Vec<LinkRow>> {
        self.read(|tx| {
            let rows = match decision {
                Some(d) => tx.query(
                    &format!("SELECT {LINK_COLS} FROM links WHERE decision = $1 ORDER BY probability DESC, id"),
                    &[&d],
                )?,
                None => tx.query(
                    &format!("SELECT {LINK_COLS} FROM links ORDER BY probability DESC, id"),
                    &[],
                )?,
            };
            Ok(rows.iter().map(link_row).collect())
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
            let mut person = |id: i64| -> Result<i64> {
                tx.query_opt("SELECT person_id FROM person_records WHERE id = $1", &[&id])?
                    .map(|r| r.get(0))
                    .ok_or_else(|| StoreError::NotFound(format!("person record {id}")))
            };
            let (pa, pb) = (person(a)?, person(b)?);
            tx.execute(
                "INSERT INTO links (record_a, record_b, probability, decision, decided_by, decided_at) VALUES ($1, $2, 0, $3, $4, $5)
                 ON CONFLICT (record_a, record_b) DO UPDATE SET decision = excluded.decision, decided_by = excluded.decided_by, decided_at = excluded.decided_at",
                &[&a, &b, &decision, &by, &now()],
            )?;
            if accept && pa != pb {
                tx.execute(
                    "UPDATE person_records SET person_id = $1 WHERE person_id = $2",
                    &[&pa.min(pb), &pa.max(pb)],
                )?;
            }
            if !accept && pa == pb {
                // undo: the person is what the accepted links still join
                let ids: Vec<i64> = tx
                    .query(
                        "SELECT id FROM person_records WHERE person_id = $1 ORDER BY id",
                        &[&pa],
                    )?
                    .iter()
                    .map(|r| r.get(0))
                    .collect();
                let edges: Vec<(i64, i64)> = tx
                    .query(
                        "SELECT l.record_a, l.record_b FROM links l
                         JOIN person_records ra ON ra.id = l.record_a JOIN person_records rb ON rb.id = l.record_b
                         WHERE l.decision = 'accepted' AND ra.person_id = $1 AND rb.person_id = $1",
                        &[&pa],
                    )?
                    .iter()
                    .map(|r| (r.get(0), r.get(1)))
                    .collect();
                for part in crate::humanitarian::components(&ids, &edges)
                    .into_iter()
                    .skip(1)
                {
                    let p: i64 = tx
                        .query_one(
                            "INSERT INTO persons (created_at) VALUES ($1) RETURNING id",
                            &[&now()],
                        )?
                        .get(0);
                    tx.execute(
                        "UPDATE person_records SET person_id = $1 WHERE id = ANY($2)",
                        &[&p, &part],
                    )?;
                }
            }
            pg_append(tx, audit)?;
            Ok(link_row(&tx.query_one(
                &format!("SELECT {LINK_COLS} FROM links WHERE record_a = $1 AND record_b = $2"),
                &[&a, &b],
            )?))
        })
    }

    fn set_status(&self, c: &StatusChangeRow, audit: &AuditEntry) -> Result<()> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE person_records SET status = $2 WHERE id = $1",
                &[&c.record, &c.to_status],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound(format!("person record {}", c.record)));
            }
            tx.execute(
                "INSERT INTO status_changes (record, from_status, to_status, date, exchange, note, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &[&c.record, &c.from_status, &c.to_status, &c.date, &c.exchange, &c.note, &c.recorded_by, &now()],
            )?;
            pg_append(tx, audit)?;
            Ok(())
        })
    }

    fn status_changes(&self, record: i64) -> Result<Vec<StatusChangeRow>> {
        self.read(|tx| {
            Ok(tx
                .query(
                    "SELECT record, from_status, to_status, date, exchange, note, recorded_by FROM status_changes WHERE record = $1 ORDER BY id",
                    &[&record],
                )?
                .iter()
                .map(|r| StatusChangeRow {
                    record: r.get(0),
                    from_status: r.get(1),
                    to_status: r.get(2),
                    date: r.get(3),
                    exchange: r.get(4),
                    note: r.get(5),
                    recorded_by: r.get(6),
                })
                .collect())
        })
    }

    fn add_exchange(&self, ex: &ExchangeRow, by: &str, audit: &AuditEntry) -> Result<i64> {
        self.write(|tx| {
            let t = now();
            let id: i64 = tx
                .query_one(
                    "INSERT INTO exchanges (date, mediator, place, note, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                    &[&ex.date, &ex.mediator, &ex.place, &ex.note, &by, &t],
                )?
                .get(0);
            for it in &ex.items {
                let from: String = tx
                    .query_opt("SELECT status FROM person_records WHERE id = $1", &[&it.record])?
                    .map(|r| r.get(0))
                    .ok_or_else(|| StoreError::NotFound(format!("person record {}", it.record)))?;
                tx.execute(
                    "INSERT INTO exchange_items (exchange, record, released_by, kind) VALUES ($1, $2, $3, $4)",
                    &[&id, &it.record, &it.released_by, &it.kind],
                )?;
                tx.execute(
                    "UPDATE person_records SET status = $2 WHERE id = $1",
                    &[&it.record, &it.kind],
                )?;
                tx.execute(
                    "INSERT INTO status_changes (record, from_status, to_status, date, exchange, note, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, '', $6, $7)",
                    &[&it.record, &from, &it.kind, &ex.date, &id, &by, &t],
                )?;
            }
            pg_append(tx, audit)?;
            Ok(id)
        })
    }

    fn exchanges(&self) -> Result<Vec<ExchangeRow>> {
        self.read(|tx| {
            let mut rows: Vec<ExchangeRow> = tx
                .query(
                    "SELECT id, date, mediator, place, note FROM exchanges ORDER BY date COLLATE \"C\", id",
                    &[],
                )?
                .iter()
                .map(|r| ExchangeRow {
                    id: r.get(0),
                    date: r.get(1),
                    mediator: r.get(2),
                    place: r.get(3),
                    note: r.get(4),
                    items: vec![],
                })
                .collect();
            for e in &mut rows {
                e.items = tx
                    .query(
                        "SELECT record, released_by, kind FROM exchange_items WHERE exchange = $1 ORDER BY record",
                        &[&e.id],
                    )?
                    .iter()
                    .map(|r| ExchangeItem {
                        record: r.get(0),
                        released_by: r.get(1),
                        kind: r.get(2),
                    })
                    .collect();
            }
            Ok(rows)
        })
    }

    fn add_followup(&self, f: &FollowupRow, audit: &AuditEntry) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO commitment_followups (agreement, commitment, status, settled_by, evidence, date, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &[&f.agreement, &f.commitment, &f.status, &f.settled_by, &f.evidence, &f.date, &f.recorded_by, &now()],
            )?;
            pg_append(tx, audit)?;
            Ok(())
        })
    }

    fn followups(&self, agreement: &str) -> Result<Vec<FollowupRow>> {
        self.read(|tx| {
            Ok(tx
                .query(
                    "SELECT agreement, commitment, status, settled_by, evidence, date, recorded_by FROM commitment_followups WHERE agreement = $1 ORDER BY id",
                    &[&agreement],
                )?
                .iter()
                .map(|r| FollowupRow {
                    agreement: r.get(0),
                    commitment: r.get(1),
                    status: r.get(2),
                    settled_by: r.get(3),
                    evidence: r.get(4),
                    date: r.get(5),
                    recorded_by: r.get(6),
                })
                .collect())
        })
    }
}
