//! Rows and the transaction interface for reports, events and incidents.

use crate::audit::{AuditEntry, AuditHead, AuditRecord};
use crate::Result;
use serde::{Deserialize, Serialize};

/// A report to store (one source document).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ReportRow {
    pub id: i64,
    pub content_hash: String,
    pub source: String,
    pub outlet: String,
    pub url: String,
    pub published: Option<String>,
    pub language: String,
    pub kind: String,
    pub origin: String,
    pub text: String,
    pub extraction: String,
    pub flags: String,
    pub ingested_by: String,
    pub ingested_at: String,
}

/// What one report says happened.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct EventRow {
    pub id: i64,
    pub report_id: i64,
    pub seq: u32,
    #[serde(rename = "type")]
    pub kind: String,
    pub date: Option<String>,
    pub date_precision: Option<u8>,
    pub place_name: Option<String>,
    pub geonameid: Option<u32>,
    pub admin1: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub geo_precision: Option<u8>,
    pub perpetrator: Option<String>,
    pub target: Option<String>,
    pub killed: Option<u32>,
    pub injured: Option<u32>,
    /// JSON `[[start, end], ...]`: byte offsets into the report's text.
    pub evidence: String,
    pub incident_id: Option<i64>,
}

/// One real-world happening.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct IncidentRow {
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: String,
    pub event_group: String,
    pub date: Option<String>,
    pub day: Option<i32>,
    pub date_precision: Option<u8>,
    pub place_name: Option<String>,
    pub geonameid: Option<u32>,
    pub admin1: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub geo_precision: Option<u8>,
    pub perpetrator: Option<String>,
    pub target: Option<String>,
    pub killed: Range,
    pub injured: Range,
    pub sources: u32,
    pub reports: u32,
    pub status: String,
    pub assignee: Option<String>,
    pub grade: String,
    pub grade_override: Option<String>,
    pub grade_reason: Option<String>,
    pub merged_into: Option<i64>,
    /// JSON list of incident ids this one absorbed.
    pub absorbed: String,
    pub revision: u32,
    pub flags: String,
    pub created_at: String,
    pub updated_at: String,
}

/// Low / best / high across sources, as UCDP reports fatalities.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
pub struct Range {
    pub low: Option<u32>,
    pub best: Option<u32>,
    pub high: Option<u32>,
}

/// An incident's reading against one agreement.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AssessmentRow {
    pub incident_id: i64,
    pub agreement: String,
    pub zone: Option<String>,
    pub day: Option<i32>,
    pub reading: String,
    pub rule: Option<String>,
    pub in_security_zone: bool,
    pub border_km: Option<f64>,
    /// JSON list of reasons.
    pub reasons: String,
}

/// A party's position on an incident.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StanceRow {
    pub id: i64,
    pub incident_id: i64,
    pub agreement: String,
    pub party: String,
    pub position: String,
    pub comment: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// Filters for listing incidents.
#[derive(Debug, Clone, Default)]
pub struct IncidentFilter {
    pub agreement: Option<String>,
    pub zone: Option<String>,
    pub since_day: Option<i32>,
    pub until_day: Option<i32>,
    pub violations_only: bool,
    pub status: Option<String>,
    pub published_only: bool,
    pub limit: Option<usize>,
    pub offset: Option<usize>,
}

/// Violations per zone per day.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DailyCount {
    pub agreement: String,
    pub zone: String,
    pub day: i32,
    pub violations: u64,
}

/// Operations inside one write transaction. The app's ingest, merge and
/// assessment logic runs against this, so that a report, its events, the
/// incidents they touch and the audit entry commit together or not at all.
pub trait Tx {
    /// The id of a stored report with this content hash, if any.
    fn report_by_hash(&mut self, hash: &str) -> Result<Option<i64>>;
    fn insert_report(&mut self, r: &ReportRow) -> Result<i64>;
    fn insert_event(&mut self, e: &EventRow) -> Result<i64>;
    fn set_event_incident(&mut self, event_id: i64, incident_id: i64) -> Result<()>;
    /// Live (not merged) incidents of a group whose day lies in `[from, to]`.
    fn candidates(&mut self, group: &str, from: i32, to: i32) -> Result<Vec<IncidentRow>>;
    fn insert_incident(&mut self, i: &IncidentRow) -> Result<i64>;
    fn update_incident(&mut self, i: &IncidentRow) -> Result<()>;
    fn incident(&mut self, id: i64) -> Result<Option<IncidentRow>>;
    fn events_of(&mut self, incident_id: i64) -> Result<Vec<EventRow>>;
    fn events_of_report(&mut self, report_id: i64) -> Result<Vec<EventRow>>;
    /// Sources (distinct report source names) and report count behind each event of an incident.
    fn report_sources(&mut self, report_ids: &[i64]) -> Result<Vec<(i64, String)>>;
    fn put_assessments(&mut self, incident_id: i64, rows: &[AssessmentRow]) -> Result<()>;
    fn assessments_of(&mut self, incident_id: i64) -> Result<Vec<AssessmentRow>>;
    fn insert_stance(&mut self, s: &StanceRow) -> Result<i64>;
    fn stances(&mut self, incident_id: i64) -> Result<Vec<StanceRow>>;
    fn audit(&mut self, e: &AuditEntry) -> Result<AuditRecord>;
    /// The newest audit entry (`None` while the log is empty). Inside a write
    /// transaction no other writer can move it, so a cache of rows read when
    /// the head was `h` is still exact wherever the head is still `h`.
    fn audit_head(&mut self) -> Result<Option<AuditHead>>;
    /// The audit entries after entry `after` (by id), oldest first, at most
    /// `limit` of them.
    fn audit_after(&mut self, after: i64, limit: usize) -> Result<Vec<AuditRecord>>;
    /// Those of `ids` that are stored incidents. The default loops over
    /// [`Tx::incident`].
    fn incidents_by_ids(&mut self, ids: &[i64]) -> Result<Vec<IncidentRow>> {
        let mut out = vec![];
        for &id in ids {
            out.extend(self.incident(id)?);
        }
        Ok(out)
    }

    // Batch operations. The ingest works out a whole batch in memory and
    // writes it with these, so that a batch costs a fixed number of round
    // trips to a database server rather than a dozen per report.

    /// Everything an ingest batch reads before it is worked out: which of
    /// `hashes` are stored reports, and the stored incidents `ids` with their
    /// events (by id), those events' report sources and their stances. The
    /// default loops over the one-row reads above.
    fn batch_context(&mut self, hashes: &[String], ids: &[i64]) -> Result<BatchContext> {
        let mut ctx = BatchContext::default();
        for h in hashes {
            if let Some(id) = self.report_by_hash(h)? {
                ctx.stored.insert(h.clone(), id);
            }
        }
        for &id in ids {
            ctx.incidents.extend(self.incident(id)?);
            ctx.events.extend(self.events_of(id)?);
            ctx.stances.extend(self.stances(id)?);
        }
        ctx.events.sort_by_key(|e| e.id);
        ctx.stances.sort_by_key(|s| s.id);
        let rids: Vec<i64> = ctx
            .events
            .iter()
            .map(|e| e.report_id)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        ctx.sources = self.report_sources(&rids)?;
        Ok(ctx)
    }
    /// Takes the ids the next `n` reports, events and incidents will have;
    /// [`Tx::write_batch`] then writes rows with these ids. Only valid inside
    /// a write transaction (which holds the writers' lock), and with no
    /// one-row insert of those kinds between this call and the write (it
    /// could take one of the ids). One-row inserts before or after are fine.
    fn reserve_ids(&mut self, n: IdCounts) -> Result<ReservedIds>;
    fn update_incidents(&mut self, rows: &[IncidentRow]) -> Result<()> {
        for i in rows {
            self.update_incident(i)?;
        }
        Ok(())
    }
    /// Appends entries to the audit chain, in order.
    fn audit_many(&mut self, entries: &[AuditEntry]) -> Result<Vec<AuditRecord>> {
        entries.iter().map(|e| self.audit(e)).collect()
    }
    /// Writes everything a batch changed (rows carrying the ids
    /// [`Tx::reserve_ids`] gave), in an order the foreign keys accept:
    /// reports, new incidents, events, changed incidents, the assessments of
    /// `assessed` replaced by `assessments`; then its audit entries.
    fn write_batch(&mut self, b: &BatchWrite<'_>) -> Result<Vec<AuditRecord>>;
}

/// What one ingest batch writes ([`Tx::write_batch`]).
#[derive(Debug, Clone, Copy)]
pub struct BatchWrite<'a> {
    pub reports: &'a [ReportRow],
    pub new_incidents: &'a [IncidentRow],
    pub events: &'a [EventRow],
    pub changed_incidents: &'a [IncidentRow],
    /// Incidents whose assessments become `assessments`.
    pub assessed: &'a [i64],
    pub assessments: &'a [AssessmentRow],
    pub audit: &'a [AuditEntry],
}

/// What [`Tx::batch_context`] reads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchContext {
    /// Content hash to report id, for the hashes that are stored.
    pub stored: std::collections::HashMap<String, i64>,
    /// By id.
    pub incidents: Vec<IncidentRow>,
    /// By id.
    pub events: Vec<EventRow>,
    /// (report id, source) of each report behind `events`, by report id.
    pub sources: Vec<(i64, String)>,
    /// By id.
    pub stances: Vec<StanceRow>,
}

impl BatchContext {
    /// Adds a context read for other ids (parts stay in order, without
    /// repeats).
    pub fn extend(&mut self, more: BatchContext) {
        self.stored.extend(more.stored);
        self.incidents.extend(more.incidents);
        self.incidents.sort_by_key(|i| i.id);
        self.incidents.dedup_by_key(|i| i.id);
        self.events.extend(more.events);
        self.events.sort_by_key(|e| e.id);
        self.events.dedup_by_key(|e| e.id);
        self.sources.extend(more.sources);
        self.sources.sort_by_key(|s| s.0);
        self.sources.dedup_by_key(|s| s.0);
        self.stances.extend(more.stances);
        self.stances.sort_by_key(|s| s.id);
        self.stances.dedup_by_key(|s| s.id);
    }
}

/// What an ingest batch will ask [`Tx::batch_context`] for, as far as it is
/// known before its transaction begins ([`crate::Store::write_tx_for`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchKeys {
    pub hashes: Vec<String>,
    pub ids: Vec<i64>,
    /// The [`Tx::audit_after`] call the batch will make first, if any
    /// (`after`, `limit`): the kept candidates' head, to catch up from.
    pub audit_after: Option<(i64, usize)>,
    /// Set by a caller whose kept state is exact at this audit head: a
    /// backend may then work the batch out optimistically on it (reading
    /// only what it lacks, without the writers' lock) and check, as it
    /// writes, that the head is still this one ([`crate::StoreError::Stale`]
    /// if not: the caller works it out again).
    pub optimistic: Option<AuditHead>,
}

/// How many ids of each kind a batch needs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IdCounts {
    pub reports: usize,
    pub events: usize,
    pub incidents: usize,
}

/// Ids taken for a batch, ascending.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReservedIds {
    pub reports: Vec<i64>,
    pub events: Vec<i64>,
    pub incidents: Vec<i64>,
}
