//! SQLite implementation of the incident tables.

use crate::audit::now;
use crate::audit::{AuditEntry, AuditHead, AuditRecord};
use crate::incidents::*;
use crate::sqlite::{append, audit_record};
use crate::{Result, StoreError};
use rusqlite::{params, Connection, OptionalExtension, Row};

pub(crate) struct SqlTx<'a>(pub &'a Connection);

pub(crate) const INCIDENT_COLS: &str = "id, type, event_group, date, day, date_precision, place_name, geonameid, admin1, lat, lon, geo_precision, perpetrator, target, killed_low, killed_best, killed_high, injured_low, injured_best, injured_high, sources, reports, status, assignee, grade, grade_override, grade_reason, merged_into, absorbed, revision, flags, created_at, updated_at";

pub(crate) fn incident_row(r: &Row<'_>) -> rusqlite::Result<IncidentRow> {
    Ok(IncidentRow {
        id: r.get(0)?,
        kind: r.get(1)?,
        event_group: r.get(2)?,
        date: r.get(3)?,
        day: r.get(4)?,
        date_precision: r.get(5)?,
        place_name: r.get(6)?,
        geonameid: r.get(7)?,
        admin1: r.get(8)?,
        lat: r.get(9)?,
        lon: r.get(10)?,
        geo_precision: r.get(11)?,
        perpetrator: r.get(12)?,
        target: r.get(13)?,
        killed: Range {
            low: r.get(14)?,
            best: r.get(15)?,
            high: r.get(16)?,
        },
        injured: Range {
            low: r.get(17)?,
            best: r.get(18)?,
            high: r.get(19)?,
        },
        sources: r.get(20)?,
        reports: r.get(21)?,
        status: r.get(22)?,
        assignee: r.get(23)?,
        grade: r.get(24)?,
        grade_override: r.get(25)?,
        grade_reason: r.get(26)?,
        merged_into: r.get(27)?,
        absorbed: r.get(28)?,
        revision: r.get(29)?,
        flags: r.get(30)?,
        created_at: r.get(31)?,
        updated_at: r.get(32)?,
    })
}

pub(crate) const EVENT_COLS: &str = "id, report_id, seq, type, date, date_precision, place_name, geonameid, admin1, lat, lon, geo_precision, perpetrator, target, killed, injured, evidence, incident_id";

pub(crate) fn event_row(r: &Row<'_>) -> rusqlite::Result<EventRow> {
    Ok(EventRow {
        id: r.get(0)?,
        report_id: r.get(1)?,
        seq: r.get(2)?,
        kind: r.get(3)?,
        date: r.get(4)?,
        date_precision: r.get(5)?,
        place_name: r.get(6)?,
        geonameid: r.get(7)?,
        admin1: r.get(8)?,
        lat: r.get(9)?,
        lon: r.get(10)?,
        geo_precision: r.get(11)?,
        perpetrator: r.get(12)?,
        target: r.get(13)?,
        killed: r.get(14)?,
        injured: r.get(15)?,
        evidence: r.get(16)?,
        incident_id: r.get(17)?,
    })
}

pub(crate) const REPORT_COLS: &str = "id, content_hash, source, outlet, url, published, language, kind, origin, text, extraction, flags, ingested_by, ingested_at";

pub(crate) fn report_row(r: &Row<'_>) -> rusqlite::Result<ReportRow> {
    Ok(ReportRow {
        id: r.get(0)?,
        content_hash: r.get(1)?,
        source: r.get(2)?,
        outlet: r.get(3)?,
        url: r.get(4)?,
        published: r.get(5)?,
        language: r.get(6)?,
        kind: r.get(7)?,
        origin: r.get(8)?,
        text: r.get(9)?,
        extraction: r.get(10)?,
        flags: r.get(11)?,
        ingested_by: r.get(12)?,
        ingested_at: r.get(13)?,
    })
}

pub(crate) fn assessment_row(r: &Row<'_>) -> rusqlite::Result<AssessmentRow> {
    Ok(AssessmentRow {
        incident_id: r.get(0)?,
        agreement: r.get(1)?,
        zone: r.get(2)?,
        day: r.get(3)?,
        reading: r.get(4)?,
        rule: r.get(5)?,
        in_security_zone: r.get::<_, i64>(6)? != 0,
        border_km: r.get(7)?,
        reasons: r.get(8)?,
    })
}
pub(crate) const ASSESSMENT_COLS: &str =
    "incident_id, agreement, zone, day, reading, rule, in_security_zone, border_km, reasons";

pub(crate) fn stance_row(r: &Row<'_>) -> rusqlite::Result<StanceRow> {
    Ok(StanceRow {
        id: r.get(0)?,
        incident_id: r.get(1)?,
        agreement: r.get(2)?,
        party: r.get(3)?,
        position: r.get(4)?,
        comment: r.get(5)?,
        recorded_by: r.get(6)?,
        recorded_at: r.get(7)?,
    })
}
pub(crate) const STANCE_COLS: &str =
    "id, incident_id, agreement, party, position, comment, recorded_by, recorded_at";

impl Tx for SqlTx<'_> {
    fn report_by_hash(&mut self, hash: &str) -> Result<Option<i64>> {
        Ok(self
            .0
            .prepare_cached("SELECT id FROM reports WHERE content_hash = ?1")?
            .query_row([hash], |r| r.get(0))
            .optional()?)
    }

    fn insert_report(&mut self, r: &ReportRow) -> Result<i64> {
        self.0
            .prepare_cached(
                "INSERT INTO reports (content_hash, source, outlet, url, published, language, kind, origin, text, extraction, flags, ingested_by, ingested_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?
            .execute(params![r.content_hash, r.source, r.outlet, r.url, r.published, r.language, r.kind, r.origin, r.text, r.extraction, r.flags, r.ingested_by, now()])?;
        Ok(self.0.last_insert_rowid())
    }

    fn insert_event(&mut self, e: &EventRow) -> Result<i64> {
        self.0
            .prepare_cached(
                "INSERT INTO events (report_id, seq, type, date, date_precision, place_name, geonameid, admin1, lat, lon, geo_precision, perpetrator, target, killed, injured, evidence, incident_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
            )?
            .execute(params![e.report_id, e.seq, e.kind, e.date, e.date_precision, e.place_name, e.geonameid, e.admin1, e.lat, e.lon, e.geo_precision, e.perpetrator, e.target, e.killed, e.injured, e.evidence, e.incident_id])?;
        Ok(self.0.last_insert_rowid())
    }

    fn set_event_incident(&mut self, event_id: i64, incident_id: i64) -> Result<()> {
        self.0
            .prepare_cached("UPDATE events SET incident_id = ?2 WHERE id = ?1")?
            .execute(params![event_id, incident_id])?;
        Ok(())
    }

    fn candidates(&mut self, group: &str, from: i32, to: i32) -> Result<Vec<IncidentRow>> {
        let mut st = self.0.prepare_cached(&format!(
            "SELECT {INCIDENT_COLS} FROM incidents WHERE event_group = ?1 AND day BETWEEN ?2 AND ?3 AND merged_into IS NULL"
        ))?;
        let rows = st
            .query_map(params![group, from, to], incident_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    fn insert_incident(&mut self, i: &IncidentRow) -> Result<i64> {
        let t = now();
        self.0
            .prepare_cached(
                "INSERT INTO incidents (type, event_group, date, day, date_precision, place_name, geonameid, admin1, lat, lon, geo_precision, perpetrator, target,
                  killed_low, killed_best, killed_high, injured_low, injured_best, injured_high, sources, reports, status, assignee, grade, grade_override, grade_reason,
                  merged_into, absorbed, revision, flags, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?31)",
            )?
            .execute(params![
                i.kind, i.event_group, i.date, i.day, i.date_precision, i.place_name, i.geonameid, i.admin1, i.lat, i.lon, i.geo_precision, i.perpetrator, i.target,
                i.killed.low, i.killed.best, i.killed.high, i.injured.low, i.injured.best, i.injured.high, i.sources, i.reports, i.status, i.assignee, i.grade,
                i.grade_override, i.grade_reason, i.merged_into, i.absorbed, i.revision, i.flags, t
            ])?;
        Ok(self.0.last_insert_rowid())
    }

    fn update_incident(&mut self, i: &IncidentRow) -> Result<()> {
        let n = self
            .0
            .prepare_cached(
                "UPDATE incidents SET type = ?2, event_group = ?3, date = ?4, day = ?5, date_precision = ?6, place_name = ?7, geonameid = ?8, admin1 = ?9, lat = ?10, lon = ?11,
                  geo_precision = ?12, perpetrator = ?13, target = ?14, killed_low = ?15, killed_best = ?16, killed_high = ?17, injured_low = ?18, injured_best = ?19,
                  injured_high = ?20, sources = ?21, reports = ?22, status = ?23, assignee = ?24, grade = ?25, grade_override = ?26, grade_reason = ?27, merged_into = ?28,
                  absorbed = ?29, revision = ?30, flags = ?31, updated_at = ?32 WHERE id = ?1",
            )?
            .execute(params![
                i.id, i.kind, i.event_group, i.date, i.day, i.date_precision, i.place_name, i.geonameid, i.admin1, i.lat, i.lon, i.geo_precision, i.perpetrator,
                i.target, i.killed.low, i.killed.best, i.killed.high, i.injured.low, i.injured.best, i.injured.high, i.sources, i.reports, i.status, i.assignee,
                i.grade, i.grade_override, i.grade_reason, i.merged_into, i.absorbed, i.revision, i.flags, now()
            ])?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("incident {}", i.id)));
        }
        Ok(())
    }

    fn audit_after(&mut self, after: i64, limit: usize) -> Result<Vec<AuditRecord>> {
        let mut st = self.0.prepare_cached(
            "SELECT id, at, actor, action, entity, detail, prev_hash, hash FROM audit_log WHERE id > ?1 ORDER BY id LIMIT ?2",
        )?;
        let rows = st
            .query_map(rusqlite::params![after, limit as i64], audit_record)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    fn incident(&mut self, id: i64) -> Result<Option<IncidentRow>> {
        Ok(self
            .0
            .prepare_cached(&format!(
                "SELECT {INCIDENT_COLS} FROM incidents WHERE id = ?1"
            ))?
            .query_row([id], incident_row)
            .optional()?)
    }

    fn events_of(&mut self, incident_id: i64) -> Result<Vec<EventRow>> {
        let mut st = self.0.prepare_cached(&format!(
            "SELECT {EVENT_COLS} FROM events WHERE incident_id = ?1 ORDER BY id"
        ))?;
        let rows = st
            .query_map([incident_id], event_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    fn events_of_report(&mut self, report_id: i64) -> Result<Vec<EventRow>> {
        let mut st = self.0.prepare_cached(&format!(
            "SELECT {EVENT_COLS} FROM events WHERE report_id = ?1 ORDER BY seq"
        ))?;
        let rows = st
            .query_map([report_id], event_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    fn report_sources(&mut self, report_ids: &[i64]) -> Result<Vec<(i64, String)>> {
        let mut st = self
            .0
            .prepare_cached("SELECT id, source FROM reports WHERE id = ?1")?;
        let mut out = vec![];
        for id in report_ids {
            if let Some(x) = st
                .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?
            {
                out.push(x);
            }
        }
        Ok(out)
    }

    fn put_assessments(&mut self, incident_id: i64, rows: &[AssessmentRow]) -> Result<()> {
        self.0
            .prepare_cached("DELETE FROM assessments WHERE incident_id = ?1")?
            .execute([incident_id])?;
        let mut st = self.0.prepare_cached(
            "INSERT INTO assessments (incident_id, agreement, zone, day, reading, rule, in_security_zone, border_km, reasons) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        for a in rows {
            st.execute(params![
                incident_id,
                a.agreement,
                a.zone,
                a.day,
                a.reading,
                a.rule,
                a.in_security_zone as i64,
                a.border_km,
                a.reasons
            ])?;
        }
        Ok(())
    }

    fn assessments_of(&mut self, incident_id: i64) -> Result<Vec<AssessmentRow>> {
        let mut st = self.0.prepare_cached(&format!(
            "SELECT {ASSESSMENT_COLS} FROM assessments WHERE incident_id = ?1 ORDER BY agreement"
        ))?;
        let rows = st
            .query_map([incident_id], assessment_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    fn insert_stance(&mut self, s: &StanceRow) -> Result<i64> {
        self.0
            .prepare_cached("INSERT INTO stances (incident_id, agreement, party, position, comment, recorded_by, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?
            .execute(params![s.incident_id, s.agreement, s.party, s.position, s.comment, s.recorded_by, now()])?;
        Ok(self.0.last_insert_rowid())
    }

    fn stances(&mut self, incident_id: i64) -> Result<Vec<StanceRow>> {
        let mut st = self.0.prepare_cached(&format!(
            "SELECT {STANCE_COLS} FROM stances WHERE incident_id = ?1 ORDER BY id"
        ))?;
        let rows = st
            .query_map([incident_id], stance_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    fn audit(&mut self, e: &AuditEntry) -> Result<AuditRecord> {
        append(self.0, e)
    }

    fn reserve_ids(&mut self, n: IdCounts) -> Result<ReservedIds> {
        // The writer holds the database's write lock, and nothing else in
        // its transaction inserts these rows before the batch does: the next
        // ids are max + 1, ..., exactly what SQLite would pick for each row.
        let next = |table: &str, k: usize| -> Result<Vec<i64>> {
            let max: i64 = self
                .0
                .prepare_cached(&format!("SELECT COALESCE(MAX(id), 0) FROM {table}"))?
                .query_row([], |r| r.get(0))?;
            Ok((1..=k as i64).map(|d| max + d).collect())
        };
        Ok(ReservedIds {
            reports: next("reports", n.reports)?,
            events: next("events", n.events)?,
            incidents: next("incidents", n.incidents)?,
        })
    }

    fn audit_head(&mut self) -> Result<Option<AuditHead>> {
        Ok(self
            .0
            .prepare_cached("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")?
            .query_row([], |r| {
                Ok(AuditHead {
                    id: r.get(0)?,
                    hash: r.get(1)?,
                })
            })
            .optional()?)
    }

    fn write_batch(&mut self, b: &BatchWrite<'_>) -> Result<Vec<AuditRecord>> {
        self.insert_reports(b.reports)?;
        self.insert_incidents(b.new_incidents)?;
        self.insert_events(b.events)?;
        self.update_incidents(b.changed_incidents)?;
        for &id in b.assessed {
            let mine: Vec<AssessmentRow> = b
                .assessments
                .iter()
                .filter(|a| a.incident_id == id)
                .cloned()
                .collect();
            self.put_assessments(id, &mine)?;
        }
        self.audit_many(b.audit)
    }
}

/// Inserts of rows that carry their ids (reserved by `reserve_ids`).
impl SqlTx<'_> {
    fn insert_reports(&mut self, rows: &[ReportRow]) -> Result<()> {
        let t = now();
        let mut st = self.0.prepare_cached(
            "INSERT INTO reports (id, content_hash, source, outlet, url, published, language, kind, origin, text, extraction, flags, ingested_by, ingested_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        )?;
        for r in rows {
            st.execute(params![
                r.id,
                r.content_hash,
                r.source,
                r.outlet,
                r.url,
                r.published,
                r.language,
                r.kind,
                r.origin,
                r.text,
                r.extraction,
                r.flags,
                r.ingested_by,
                t
            ])?;
        }
        Ok(())
    }

    fn insert_events(&mut self, rows: &[EventRow]) -> Result<()> {
        let mut st = self.0.prepare_cached(
            "INSERT INTO events (id, report_id, seq, type, date, date_precision, place_name, geonameid, admin1, lat, lon, geo_precision, perpetrator, target, killed, injured, evidence, incident_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
        )?;
        for e in rows {
            st.execute(params![
                e.id,
                e.report_id,
                e.seq,
                e.kind,
                e.date,
                e.date_precision,
                e.place_name,
                e.geonameid,
                e.admin1,
                e.lat,
                e.lon,
                e.geo_precision,
                e.perpetrator,
                e.target,
                e.killed,
                e.injured,
                e.evidence,
                e.incident_id
            ])?;
        }
        Ok(())
    }

    fn insert_incidents(&mut self, rows: &[IncidentRow]) -> Result<()> {
        let t = now();
        let mut st = self.0.prepare_cached(
            "INSERT INTO incidents (id, type, event_group, date, day, date_precision, place_name, geonameid, admin1, lat, lon, geo_precision, perpetrator, target,
              killed_low, killed_best, killed_high, injured_low, injured_best, injured_high, sources, reports, status, assignee, grade, grade_override, grade_reason,
              merged_into, absorbed, revision, flags, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?32)",
        )?;
        for i in rows {
            st.execute(params![
                i.id,
                i.kind,
                i.event_group,
                i.date,
                i.day,
                i.date_precision,
                i.place_name,
                i.geonameid,
                i.admin1,
                i.lat,
                i.lon,
                i.geo_precision,
                i.perpetrator,
                i.target,
                i.killed.low,
                i.killed.best,
                i.killed.high,
                i.injured.low,
                i.injured.best,
                i.injured.high,
                i.sources,
                i.reports,
                i.status,
                i.assignee,
                i.grade,
                i.grade_override,
                i.grade_reason,
                i.merged_into,
                i.absorbed,
                i.revision,
                i.flags,
                t
            ])?;
        }
        Ok(())
    }
}
