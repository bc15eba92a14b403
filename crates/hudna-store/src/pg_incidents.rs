//! PostgreSQL implementation of the incident tables ([`Tx`]). Column lists
//! are shared with the SQLite backend; integers are BIGINT on the server and
//! converted at the edge.

use crate::audit::{AuditEntry, AuditHead, AuditRecord};
use crate::incidents::*;
use crate::pg::{now, pg_append};
use crate::sqlite_incidents::{ASSESSMENT_COLS, EVENT_COLS, INCIDENT_COLS, STANCE_COLS};
use crate::{Result, StoreError};
use postgres::{Row, Transaction};

pub(crate) struct PgTx<'a, 'b>(pub &'a mut Transaction<'b>);

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

impl Tx for PgTx<'_, '_> {
    fn report_by_hash(&mut self, hash: &str) -> Result<Option<i64>> {
        Ok(self
            .0
            .query_opt("SELECT id FROM reports WHERE content_hash = $1", &[&hash])?
            .map(|r| r.get(0)))
    }

    fn insert_report(&mut self, r: &ReportRow) -> Result<i64> {
        Ok(self.0.query_one(
            "INSERT INTO reports (content_hash, source, outlet, url, published, language, kind, origin, text, extraction, flags, ingested_by, ingested_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
            &[&r.content_hash, &r.source, &r.outlet, &r.url, &r.published, &r.language, &r.kind, &r.origin, &r.text, &r.extraction, &r.flags, &r.ingested_by, &now()],
        )?.get(0))
    }

    fn insert_event(&mut self, e: &EventRow) -> Result<i64> {
        Ok(self.0.query_one(
            "INSERT INTO events (report_id, seq, type, date, date_precision, place_name, geonameid, admin1, lat, lon, geo_precision, perpetrator, target, killed, injured, evidence, incident_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id",
            &[&e.report_id, &i64::from(e.seq), &e.kind, &e.date, &wide8(e.date_precision), &e.place_name, &wide32(e.geonameid), &e.admin1, &e.lat, &e.lon,
              &wide8(e.geo_precision), &e.perpetrator, &e.target, &wide32(e.killed), &wide32(e.injured), &e.evidence, &e.incident_id],
        )?.get(0))
    }

    fn set_event_incident(&mut self, event_id: i64, incident_id: i64) -> Result<()> {
        self.0.execute(
            "UPDATE events SET incident_id = $2 WHERE id = $1",
            &[&event_id, &incident_id],
        )?;
        Ok(())
    }

    fn candidates(&mut self, group: &str, from: i32, to: i32) -> Result<Vec<IncidentRow>> {
        Ok(self
            .0
            .query(
                &format!("SELECT {INCIDENT_COLS} FROM incidents WHERE event_group = $1 AND day BETWEEN $2 AND $3 AND merged_into IS NULL ORDER BY day, id"),
                &[&group, &i64::from(from), &i64::from(to)],
            )?
            .iter()
            .map(incident_row)
            .collect())
    }

    fn insert_incident(&mut self, i: &IncidentRow) -> Result<i64> {
        let t = now();
        Ok(self.0.query_one(
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
        let n = self.0.execute(
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

    fn incident(&mut self, id: i64) -> Result<Option<IncidentRow>> {
        Ok(self
            .0
            .query_opt(
                &format!("SELECT {INCIDENT_COLS} FROM incidents WHERE id = $1"),
                &[&id],
            )?
            .map(|r| incident_row(&r)))
    }

    fn events_of(&mut self, incident_id: i64) -> Result<Vec<EventRow>> {
        Ok(self
            .0
            .query(
                &format!("SELECT {EVENT_COLS} FROM events WHERE incident_id = $1 ORDER BY id"),
                &[&incident_id],
            )?
            .iter()
            .map(event_row)
            .collect())
    }

    fn events_of_report(&mut self, report_id: i64) -> Result<Vec<EventRow>> {
        Ok(self
            .0
            .query(
                &format!("SELECT {EVENT_COLS} FROM events WHERE report_id = $1 ORDER BY seq"),
                &[&report_id],
            )?
            .iter()
            .map(event_row)
            .collect())
    }

    fn report_sources(&mut self, report_ids: &[i64]) -> Result<Vec<(i64, String)>> {
        // one round trip; the order (and repeats) of `report_ids` are kept as on SQLite
        let rows = self.0.query(
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
        self.0.execute(
            "DELETE FROM assessments WHERE incident_id = $1",
            &[&incident_id],
        )?;
        let st = self.0.prepare(
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
        Ok(self
            .0
            .query(
                &format!("SELECT {ASSESSMENT_COLS} FROM assessments WHERE incident_id = $1 ORDER BY agreement COLLATE \"C\""),
                &[&incident_id],
            )?
            .iter()
            .map(assessment_row)
            .collect())
    }

    fn insert_stance(&mut self, s: &StanceRow) -> Result<i64> {
        Ok(self.0.query_one(
            "INSERT INTO stances (incident_id, agreement, party, position, comment, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            &[&s.incident_id, &s.agreement, &s.party, &s.position, &s.comment, &s.recorded_by, &now()],
        )?.get(0))
    }

    fn stances(&mut self, incident_id: i64) -> Result<Vec<StanceRow>> {
        Ok(self
            .0
            .query(
                &format!("SELECT {STANCE_COLS} FROM stances WHERE incident_id = $1 ORDER BY id"),
                &[&incident_id],
            )?
            .iter()
            .map(stance_row)
            .collect())
    }

    fn audit(&mut self, e: &AuditEntry) -> Result<AuditRecord> {
        pg_append(self.0, e)
    }

    fn audit_head(&mut self) -> Result<Option<AuditHead>> {
        Ok(self
            .0
            .query_opt(
                "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1",
                &[],
            )?
            .map(|r| AuditHead {
                id: r.get(0),
                hash: r.get(1),
            }))
    }
}
