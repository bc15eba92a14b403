//! Reports to incidents: ingest, merge, assess, grade, stances, review.
//!
//! Ingest extracts each report (or takes an ACLED row's event as given),
//! stores it once by content hash, and attaches each event to the incident it
//! describes — an existing one when type group, day window, distance,
//! perpetrator and casualty figures are compatible, else a new one. The
//! incidents touched are then re-aggregated (casualties as low/best/high
//! across reports), re-assessed against every agreement and re-graded, and
//! the audit entry is written, all in the same transaction.

use crate::agreements::{Atlas, Hudna};
use crate::tally::{aggregate, Tally};
use crate::{AppError, Result};
use chrono::NaiveDate;
use hudna_core::assess::{assess, Act, Covering, Reading};
use hudna_core::date::day_number;
use hudna_core::vocab::{event_type_of, Grade};
use hudna_core::{Agreement, Role};
use hudna_store::{
    AssessmentRow, AuditEntry, AuditHead, AuditRecord, BatchContext, BatchKeys, BatchWrite,
    Committed, EventRow, IdCounts, IncidentFilter, IncidentRow, PendingCommit, ReportRow,
    StanceRow, StoreError, Tx,
};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One report to ingest.
#[derive(Debug, Clone, Default)]
pub struct NewReport {
    pub text: String,
    pub source: Option<String>,
    pub outlet: String,
    pub url: String,
    pub published: Option<NaiveDate>,
    /// Where it came from (file, line, ACLED id): named in every message about it.
    pub origin: String,
    /// Events given by a structured source (ACLED); `None` = run extraction.
    pub events: Option<Vec<EventRow>>,
    pub language: Option<String>,
}

/// What happened to one report.
#[derive(Debug, Clone, Serialize)]
pub struct ReportOutcome {
    pub origin: String,
    pub report_id: Option<i64>,
    /// `stored`, `duplicate` or `rejected`
    pub outcome: &'static str,
    pub reason: Option<String>,
    pub events: usize,
    pub incidents: Vec<i64>,
    pub flags: Vec<String>,
}

/// What an ingest run did.
#[derive(Debug, Clone, Serialize, Default)]
pub struct IngestSummary {
    pub stored: usize,
    pub duplicates: usize,
    pub rejected: usize,
    pub events: usize,
    pub new_incidents: usize,
    pub merged_events: usize,
    pub flagged: usize,
    pub reports: Vec<ReportOutcome>,
}

/// An incident with everything an analyst needs to judge it.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentDetail {
    pub incident: IncidentRow,
    pub absorbed: Vec<i64>,
    pub sources: Vec<SourceAccount>,
    pub assessments: Vec<AssessmentView>,
    pub stances: Vec<StanceRow>,
    pub consensus: Vec<Consensus>,
    pub history: Vec<hudna_store::AuditRecord>,
}

/// What one report said about the incident.
#[derive(Debug, Clone, Serialize)]
pub struct SourceAccount {
    pub report_id: i64,
    pub source: String,
    pub outlet: String,
    pub url: String,
    pub published: Option<String>,
    pub event: EventRow,
    /// The evidence spans' text, cut from the report.
    pub evidence: Vec<String>,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AssessmentView {
    pub agreement: String,
    pub zone: Option<String>,
    pub reading: String,
    pub rule: Option<String>,
    pub in_security_zone: bool,
    pub border_km: Option<f64>,
    pub reasons: Vec<String>,
}

/// Where the parties of one agreement stand on an incident.
#[derive(Debug, Clone, Serialize)]
pub struct Consensus {
    pub agreement: String,
    /// `consensus_confirm`, `disputed`, `pending`, `no_stances`
    pub state: String,
    pub confirm: Vec<String>,
    pub dispute: Vec<String>,
    pub abstain: Vec<String>,
    pub pending_guarantors: Vec<String>,
}

/// The review workflow's states.
pub const STATUSES: &[&str] = &["new", "in_review", "ready", "published"];

fn allowed_transition(from: &str, to: &str) -> bool {
    matches!(
        (from, to),
        ("new", "in_review")
            | ("in_review", "new")
            | ("in_review", "ready")
            | ("ready", "in_review")
            | ("ready", "published")
            | ("published", "in_review")
    )
}

/// Day window for merging, by ACLED time precision.
fn day_window(precision: Option<u8>) -> i32 {
    match precision {
        Some(1) | None => 1,
        Some(2) => 7,
        _ => 31,
    }
}

/// Distance (km) within which two events at these precisions can be one happening.
fn distance_window(a: Option<u8>, b: Option<u8>) -> f64 {
    match a.unwrap_or(1).max(b.unwrap_or(1)) {
        1 => 6.0,
        2 => 25.0,
        _ => 60.0,
    }
}

fn casualties_compatible(a: Option<u32>, b: Option<u32>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => {
            let (lo, hi) = (x.min(y) as f64, x.max(y) as f64);
            hi - lo <= 3.0 || hi <= lo * 2.5
        }
        _ => true,
    }
}

fn actors_compatible(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) if x != "unknown" && y != "unknown" => x == y,
        _ => true,
    }
}

/// How well an event fits an incident; `None` = not the same happening.
fn fit(e: &EventRow, day: i32, i: &Candidate) -> Option<f64> {
    let iday = i.day?;
    if (iday - day).abs() > day_window(e.date_precision).max(day_window(i.date_precision)) {
        return None;
    }
    let crossed = i.event_group == "battles"
        && ((e.perpetrator.is_some() && e.perpetrator == i.target)
            || (e.target.is_some() && e.target == i.perpetrator));
    if !crossed && !actors_compatible(e.perpetrator.as_deref(), i.perpetrator.as_deref()) {
        return None;
    }
    if !casualties_compatible(e.killed, i.killed_best) {
        return None;
    }
    let same_place = e.geonameid.is_some() && e.geonameid == i.geonameid;
    let dist = match (e.lat, e.lon, i.lat, i.lon) {
        (Some(a), Some(b), Some(c), Some(d)) => hudna_geo::haversine_km(a, b, c, d),
        _ => return None,
    };
    if !same_place && dist > distance_window(e.geo_precision, i.geo_precision) {
        return None;
    }
    let mut score = dist + (iday - day).abs() as f64 * 2.0;
    if same_place {
        score -= 10.0;
    }
    if e.kind == i.kind {
        score -= 5.0;
    }
    Some(score)
}

/// Latest stance of each party (append-only log).
fn latest_stances(stances: &[StanceRow]) -> BTreeMap<(String, String), &StanceRow> {
    let mut m = BTreeMap::new();
    for s in stances {
        m.insert((s.agreement.clone(), s.party.clone()), s);
    }
    m
}

/// The Airwars-style grade from sources and stances.
fn derive_grade(i: &IncidentRow, stances: &[StanceRow], ags: &[Agreement]) -> (Grade, String) {
    if let Some(g) = i
        .grade_override
        .as_deref()
        .and_then(|g| Grade::parse(g).ok())
    {
        return (
            g,
            format!(
                "analyst override: {}",
                i.grade_reason.as_deref().unwrap_or("")
            ),
        );
    }
    let latest = latest_stances(stances);
    let disputes: Vec<&str> = latest
        .values()
        .filter(|s| s.position == "dispute")
        .map(|s| s.party.as_str())
        .collect();
    let confirms: Vec<&str> = latest
        .values()
        .filter(|s| s.position == "confirm")
        .map(|s| s.party.as_str())
        .collect();
    if !disputes.is_empty() {
        return (
            Grade::Contested,
            format!("disputed by {}", disputes.join(", ")),
        );
    }
    let perp_parties: BTreeSet<&str> = i
        .perpetrator
        .as_deref()
        .map(|p| {
            ags.iter()
                .flat_map(|a| a.parties_for_actor(p).map(|x| x.id.as_str()))
                .collect()
        })
        .unwrap_or_default();
    if confirms.iter().any(|c| perp_parties.contains(c)) {
        return (
            Grade::Confirmed,
            "the perpetrator's own party confirms it".into(),
        );
    }
    if confirms.len() >= 2 {
        return (
            Grade::Confirmed,
            format!("confirmed by {}", confirms.join(", ")),
        );
    }
    if i.sources >= 2 {
        return (Grade::Fair, format!("{} independent sources", i.sources));
    }
    (Grade::Weak, "a single source".into())
}

impl Hudna {
    pub(crate) fn extractor(&self) -> &hudna_text::Extractor {
        self.extractor.get_or_init(hudna_text::Extractor::builtin)
    }

    /// Ingests reports: extraction, storage, merging, assessment and grading,
    /// in batches that each commit as one durable transaction. A report that
    /// cannot be taken is rejected with its reason; the rest go on.
    pub fn ingest(
        &self,
        reports: Vec<NewReport>,
        actor: &str,
        today: NaiveDate,
        progress: &dyn Fn(usize),
    ) -> Result<IngestSummary> {
        Ok(self
            .ingest_batches(reports, actor, today, progress, false)?
            .0)
    }

    /// As [`Hudna::ingest`], for a writer that answers many callers: the
    /// last batch's transaction comes back with its work done and its commit
    /// still to come, so that the next call can begin meanwhile (it waits
    /// for that commit where the store serialises writers). The summary
    /// holds once the commit succeeds; dropped uncommitted, it rolls back.
    pub fn ingest_pending(
        &self,
        reports: Vec<NewReport>,
        actor: &str,
        today: NaiveDate,
    ) -> Result<(IngestSummary, Box<dyn PendingCommit>)> {
        let (summary, pending) = self.ingest_batches(reports, actor, today, &|_| {}, true)?;
        Ok((summary, pending.unwrap_or_else(|| Box::new(Committed))))
    }

    fn ingest_batches(
        &self,
        reports: Vec<NewReport>,
        actor: &str,
        today: NaiveDate,
        progress: &dyn Fn(usize),
        defer_last: bool,
    ) -> Result<(IngestSummary, Option<Box<dyn PendingCommit>>)> {
        let mut pending = None;
        let last = reports.len().saturating_sub(1) / 256;
        let ags = self.agreements()?;
        let atlas = self.atlas()?;
        let mut summary = IngestSummary::default();
        for (k, chunk) in reports.chunks(256).enumerate() {
            let mut prepared = vec![];
            for r in chunk {
                match self.prepare(r, today) {
                    Ok(p) => prepared.push(p),
                    Err(why) => {
                        summary.rejected += 1;
                        summary.reports.push(ReportOutcome {
                            origin: r.origin.clone(),
                            report_id: None,
                            outcome: "rejected",
                            reason: Some(why),
                            events: 0,
                            incidents: vec![],
                            flags: vec![],
                        });
                    }
                }
            }
            let mut outcomes = vec![];
            {
                // Merge candidates stay in memory from batch to batch and
                // from call to call; `sync` drops them when anybody else
                // wrote since they were read (the audit head moved).
                let mut cands = self.candidates.lock().unwrap_or_else(|poisoned| {
                    // a panic mid-batch: what the cache holds is unknown
                    self.candidates.clear_poison();
                    let mut c = poisoned.into_inner();
                    c.clear();
                    c
                });
                // (shared by the two closures below; the store calls `keys`
                // before it runs `work`, if at all)
                let kept = std::cell::RefCell::new(&mut *cands);
                // what the batch will read first, as far as the kept
                // candidates tell (a backend may read it with the lock)
                let keys = || BatchKeys {
                    hashes: prepared
                        .iter()
                        .map(|(r, _)| r.content_hash.clone())
                        .collect(),
                    ids: kept.borrow().fitting(&prepared),
                    audit_after: kept.borrow().catch_up_call(),
                    optimistic: kept.borrow().optimistic(),
                };
                let mut work = |tx: &mut dyn Tx| {
                    let mut cands = kept.borrow_mut();
                    outcomes.clear();
                    cands.sync(tx)?;
                    outcomes = ingest_batch(tx, &mut cands, &prepared, &ags, &atlas, actor)?;
                    Ok(())
                };
                // a commit that fails later leaves the cache ahead of the
                // store: the next batch's sync sees the audit head differ
                let mut run = |work: &mut dyn FnMut(&mut dyn Tx) -> hudna_store::Result<()>| {
                    if defer_last && k == last {
                        self.store()
                            .write_tx_pending(&keys, work)
                            .map(|p| pending = Some(p))
                    } else {
                        self.store().write_tx_for(&keys, work)
                    }
                };
                let mut done = run(&mut work);
                if let Err(StoreError::Stale(_)) = done {
                    // worked out optimistically on kept candidates that the
                    // store had moved past: again, the ordinary way (the
                    // cleared cache no longer offers itself as enough)
                    kept.borrow_mut().clear();
                    done = run(&mut work);
                }
                if let Err(e) = done {
                    // rolled back: the cache may hold rows that never were
                    cands.clear();
                    return Err(e.into());
                }
                if cands.len() > CANDIDATE_CACHE_ROWS {
                    cands.clear();
                }
            }
            for o in outcomes {
                match o.outcome {
                    "stored" => summary.stored += 1,
                    _ => summary.duplicates += 1,
                }
                summary.events += o.events;
                if !o.flags.is_empty() {
                    summary.flagged += 1;
                }
                summary.reports.push(o);
            }
            progress(chunk.len());
        }
        let new: BTreeSet<i64> = summary
            .reports
            .iter()
            .flat_map(|r| r.incidents.iter().copied())
            .collect();
        summary.new_incidents = new.len();
        summary.merged_events = summary.events.saturating_sub(summary.new_incidents);
        Ok((summary, pending))
    }

    /// Checks and extracts one report (outside the transaction).
    fn prepare(
        &self,
        r: &NewReport,
        today: NaiveDate,
    ) -> std::result::Result<(ReportRow, Vec<EventRow>), String> {
        let text = r.text.trim();
        if text.is_empty() {
            return Err("the report is empty".into());
        }
        if r.text.contains('\0') {
            return Err(
                "the report contains NUL bytes: it looks like a binary file, not text".into(),
            );
        }
        if let Some(p) = r.published {
            if p > today {
                return Err(format!(
                    "publication date {p} is in the future (today is {today})"
                ));
            }
        }
        let mut flags = vec![];
        let source = match r.source.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => s.to_owned(),
            None => {
                flags.push("unknown_source");
                "unknown".to_owned()
            }
        };
        let hash = hex::encode(Sha256::digest(r.text.as_bytes()));
        let (language, kind, extraction, events) = match &r.events {
            Some(evs) => (
                r.language.clone().unwrap_or_else(|| "en".into()),
                "incident".to_owned(),
                json!({"structured": true}).to_string(),
                evs.clone(),
            ),
            None => {
                let x = self.extractor().extract(&r.text, r.published);
                let events: Vec<EventRow> = x
                    .events
                    .iter()
                    .enumerate()
                    .map(|(k, e)| EventRow {
                        seq: k as u32,
                        kind: e.kind.as_str().to_string(),
                        date: e.date.map(|d| d.to_string()),
                        date_precision: e.date_precision,
                        place_name: e.location.name.clone(),
                        geonameid: e.location.geonameid,
                        admin1: e.location.admin1.clone(),
                        lat: e.location.lat,
                        lon: e.location.lon,
                        geo_precision: e.location.precision,
                        perpetrator: e.perpetrator.map(|a| {
                            serde_json::to_value(a)
                                .ok()
                                .and_then(|v| v.as_str().map(str::to_owned))
                                .unwrap_or_default()
                        }),
                        target: e.target.map(|a| {
                            serde_json::to_value(a)
                                .ok()
                                .and_then(|v| v.as_str().map(str::to_owned))
                                .unwrap_or_default()
                        }),
                        killed: e.killed,
                        injured: e.injured,
                        evidence: serde_json::to_string(
                            &e.evidence
                                .iter()
                                .map(|s| [s.start, s.end])
                                .collect::<Vec<_>>(),
                        )
                        .expect("json"),
                        ..Default::default()
                    })
                    .collect();
                let lang = serde_json::to_value(x.language)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                let kind = serde_json::to_value(x.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                (lang, kind, serde_json::to_string(&x).expect("json"), events)
            }
        };
        if events.iter().any(|e| e.lat.is_none()) {
            flags.push("unresolved_place");
        }
        if events.iter().any(|e| e.date.is_none()) {
            flags.push("undated");
        }
        Ok((
            ReportRow {
                id: 0,
                content_hash: hash,
                source,
                outlet: r.outlet.clone(),
                url: r.url.clone(),
                published: r.published.map(|d| d.to_string()),
                language,
                kind,
                origin: r.origin.clone(),
                text: r.text.clone(),
                extraction,
                flags: flags.join(" "),
                ingested_by: String::new(),
                ingested_at: String::new(),
            },
            events,
        ))
    }

    /// Re-assesses and re-grades every live incident (after an agreement,
    /// designation or rule changed). Returns how many readings changed.
    pub fn reassess_all(&self, actor: &str) -> Result<usize> {
        let ags = self.agreements()?;
        let atlas = self.atlas()?;
        let ids = self.store().live_incident_ids()?;
        let mut changed = 0usize;
        let chunks: Vec<&[i64]> = ids.chunks(2000).collect();
        let last = chunks.len().saturating_sub(1);
        for (k, chunk) in chunks.into_iter().enumerate() {
            let mut changed_here = 0usize;
            self.store().write_tx(&mut |tx| {
                changed_here = 0;
                for &id in chunk {
                    if let Some(mut i) = tx.incident(id)? {
                        let mut old = tx.assessments_of(id)?;
                        old.sort_by(|a, b| a.agreement.cmp(&b.agreement));
                        let mut rows = assessment_rows(&i, &ags, &atlas);
                        rows.sort_by(|a, b| a.agreement.cmp(&b.agreement));
                        let stances = tx.stances(id)?;
                        let (g, _) = derive_grade(&i, &stances, &ags);
                        let grade_changed = g.as_str() != i.grade;
                        if old != rows || grade_changed {
                            // the incident's history shows why its reading moved
                            let brief = |r: &[hudna_store::AssessmentRow]| -> Vec<String> {
                                r.iter()
                                    .map(|a| {
                                        format!(
                                            "{}/{}: {}",
                                            a.agreement,
                                            a.zone.as_deref().unwrap_or("-"),
                                            a.reading
                                        )
                                    })
                                    .collect()
                            };
                            tx.audit(&AuditEntry::new(
                                actor,
                                "incident.reassess",
                                &format!("incident/{id}"),
                                json!({"before": brief(&old), "after": brief(&rows), "grade": [i.grade, g.as_str()]}),
                            ))?;
                        }
                        if old != rows {
                            changed_here += 1;
                            tx.put_assessments(id, &rows)?;
                        }
                        if grade_changed {
                            i.grade = g.as_str().into();
                            tx.update_incident(&i)?;
                        }
                    }
                }
                if k == last {
                    // the summary commits with the last chunk
                    tx.audit(&AuditEntry::new(
                        actor,
                        "incidents.reassess",
                        "incidents",
                        json!({"incidents": ids.len(), "changed": changed + changed_here}),
                    ))?;
                }
                Ok(())
            })?;
            changed += changed_here;
        }
        if ids.is_empty() {
            self.store().append_audit(&AuditEntry::new(
                actor,
                "incidents.reassess",
                "incidents",
                json!({"incidents": 0, "changed": 0}),
            ))?;
        }
        Ok(changed)
    }

    pub fn incidents(
        &self,
        filter: &IncidentFilter,
    ) -> Result<Vec<(IncidentRow, Vec<hudna_store::AssessmentRow>)>> {
        let rows = self.store().incidents(filter)?;
        let ids: Vec<i64> = rows.iter().map(|i| i.id).collect();
        let mut ass = self.store().assessments_many(&ids)?;
        Ok(rows
            .into_iter()
            .map(|i| {
                let a = ass.remove(&i.id).unwrap_or_default();
                (i, a)
            })
            .collect())
    }

    /// One incident with its sources, evidence, assessment, stances and history.
    /// A merged incident's id leads to the incident that absorbed it.
    pub fn incident(&self, id: i64) -> Result<IncidentDetail> {
        let (incident, events, stances) = self
            .store()
            .incident_with_events(id)?
            .ok_or_else(|| AppError::NotFound(format!("incident {id}")))?;
        let mut sources = vec![];
        let report_ids: Vec<i64> = events.iter().map(|e| e.report_id).collect();
        let reports: HashMap<i64, ReportRow> = self
            .store()
            .reports_by_ids(&report_ids)?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        for e in &events {
            if let Some(r) = reports.get(&e.report_id).cloned() {
                let spans: Vec<[usize; 2]> = serde_json::from_str(&e.evidence).unwrap_or_default();
                let evidence = spans
                    .iter()
                    .filter_map(|[s, t]| r.text.get(*s..*t).map(str::to_owned))
                    .collect();
                sources.push(SourceAccount {
                    report_id: r.id,
                    source: r.source,
                    outlet: r.outlet,
                    url: r.url,
                    published: r.published,
                    event: e.clone(),
                    evidence,
                    text: r.text,
                });
            }
        }
        let rows = self.store().assessments(incident.id)?;
        let ags = self.agreements()?;
        let consensus = consensus(&incident, &stances, &ags, &rows);
        let assessments = rows
            .into_iter()
            .map(|a| AssessmentView {
                agreement: a.agreement,
                zone: a.zone,
                reading: a.reading,
                rule: a.rule,
                in_security_zone: a.in_security_zone,
                border_km: a.border_km,
                reasons: serde_json::from_str(&a.reasons).unwrap_or_default(),
            })
            .collect();
        let mut history = self
            .store()
            .audit_log(Some(&format!("incident/{}", incident.id)))?;
        let absorbed: Vec<i64> = serde_json::from_str(&incident.absorbed).unwrap_or_default();
        for a in &absorbed {
            history.extend(self.store().audit_log(Some(&format!("incident/{a}")))?);
        }
        history.sort_by_key(|h| h.id);
        Ok(IncidentDetail {
            incident,
            absorbed,
            sources,
            assessments,
            stances,
            consensus,
            history,
        })
    }

    /// Records a party's stance; refused for a party the agreement does not list.
    pub fn record_stance(
        &self,
        incident_id: i64,
        agreement: &str,
        party: &str,
        position: &str,
        comment: &str,
        actor: &str,
    ) -> Result<IncidentDetail> {
        if !matches!(position, "confirm" | "dispute" | "abstain") {
            return Err(AppError::BadInput(format!(
                "stance {position:?}: expected confirm, dispute or abstain"
            )));
        }
        let a = self.agreement(agreement)?;
        if a.party(party).is_none() {
            return Err(AppError::Refused(format!(
                "{party:?} is not a party to {agreement}; its parties are: {}",
                a.parties
                    .iter()
                    .map(|p| p.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let ags = self.agreements()?;
        self.store().write_tx(&mut |tx| {
            let mut i = tx.incident(incident_id)?.ok_or_else(|| hudna_store::StoreError::NotFound(format!("incident {incident_id}")))?;
            if let Some(m) = i.merged_into {
                return Err(hudna_store::StoreError::Conflict(format!("incident {incident_id} was merged into {m}; record the stance there")));
            }
            tx.insert_stance(&StanceRow { id: 0, incident_id, agreement: agreement.into(), party: party.into(), position: position.into(), comment: comment.into(), recorded_by: actor.into(), recorded_at: String::new() })?;
            let st = tx.stances(incident_id)?;
            let (g, why) = derive_grade(&i, &st, &ags);
            let old = std::mem::replace(&mut i.grade, g.as_str().into());
            tx.update_incident(&i)?;
            tx.audit(&AuditEntry::new(actor, "incident.stance", &format!("incident/{incident_id}"), json!({"agreement": agreement, "party": party, "position": position, "comment": comment, "grade": {"from": old, "to": g.as_str(), "why": why}})))?;
            Ok(())
        }).map_err(crate::store_error)?;
        self.incident(incident_id)
    }

    /// Moves an incident through the review workflow.
    pub fn review(
        &self,
        incident_id: i64,
        to: &str,
        assignee: Option<&str>,
        revision: Option<&str>,
        actor: &str,
    ) -> Result<IncidentRow> {
        if !STATUSES.contains(&to) {
            return Err(AppError::BadInput(format!(
                "status {to:?}: expected one of {}",
                STATUSES.join(", ")
            )));
        }
        self.change(incident_id, revision, actor, "incident.review", |i| {
            if i.status != to && !allowed_transition(&i.status, to) {
                return Err(format!("cannot go from {} to {to}; the workflow is new → in_review → ready → published", i.status));
            }
            let d = json!({"from": i.status, "to": to, "assignee": assignee});
            i.status = to.into();
            if let Some(a) = assignee {
                i.assignee = Some(a.into());
            }
            Ok(d)
        })
    }

    /// Sets (or clears, with `None`) an analyst's grade, with a reason.
    pub fn override_grade(
        &self,
        incident_id: i64,
        grade: Option<&str>,
        reason: &str,
        revision: Option<&str>,
        actor: &str,
    ) -> Result<IncidentRow> {
        if let Some(g) = grade {
            Grade::parse(g).map_err(|e| AppError::BadInput(e.to_string()))?;
        }
        if grade.is_some() && reason.trim().is_empty() {
            return Err(AppError::BadInput(
                "an override needs a reason (--reason)".into(),
            ));
        }
        let ags = self.agreements()?;
        let mut stances = vec![];
        self.store().read_tx(&mut |tx| {
            stances = tx.stances(incident_id)?;
            Ok(())
        })?;
        self.change(incident_id, revision, actor, "incident.grade_override", |i| {
            i.grade_override = grade.map(str::to_owned);
            i.grade_reason = grade.map(|_| reason.to_owned());
            let (g, why) = derive_grade(i, &stances, &ags);
            let d = json!({"from": i.grade, "to": g.as_str(), "override": grade, "reason": reason, "why": why});
            i.grade = g.as_str().into();
            Ok(d)
        })
    }

    /// Applies one change to an incident, refusing silent edits of published ones.
    fn change(
        &self,
        incident_id: i64,
        revision: Option<&str>,
        actor: &str,
        action: &str,
        f: impl Fn(&mut IncidentRow) -> std::result::Result<serde_json::Value, String>,
    ) -> Result<IncidentRow> {
        let mut out = None;
        self.store().write_tx(&mut |tx| {
            let mut i = tx.incident(incident_id)?.ok_or_else(|| hudna_store::StoreError::NotFound(format!("incident {incident_id}")))?;
            if let Some(m) = i.merged_into {
                return Err(hudna_store::StoreError::Conflict(format!("incident {incident_id} was merged into {m}")));
            }
            let was_published = i.status == "published";
            let mut detail = f(&mut i).map_err(hudna_store::StoreError::Conflict)?;
            if was_published {
                let Some(why) = revision.filter(|w| !w.trim().is_empty()) else {
                    return Err(hudna_store::StoreError::Conflict(format!("incident {incident_id} is published: change it only through an explicit revision (--revision \"why\")")));
                };
                i.revision += 1;
                detail["revision"] = json!({"number": i.revision, "why": why});
            }
            tx.update_incident(&i)?;
            tx.audit(&AuditEntry::new(actor, action, &format!("incident/{incident_id}"), detail))?;
            out = Some(i);
            Ok(())
        }).map_err(crate::store_error)?;
        Ok(out.expect("set"))
    }

    /// Merges incidents into `keep`: their events move, they remember where
    /// they went, `keep` remembers what it absorbed.
    pub fn merge(
        &self,
        keep: i64,
        others: &[i64],
        revision: Option<&str>,
        actor: &str,
    ) -> Result<IncidentRow> {
        if others.is_empty() || others.contains(&keep) {
            return Err(AppError::BadInput(
                "merge needs a keeper and at least one other, distinct incident".into(),
            ));
        }
        let ags = self.agreements()?;
        let atlas = self.atlas()?;
        let mut out = None;
        self.store().write_tx(&mut |tx| {
            let mut k = tx.incident(keep)?.ok_or_else(|| hudna_store::StoreError::NotFound(format!("incident {keep}")))?;
            let mut absorbed: Vec<i64> = serde_json::from_str(&k.absorbed).unwrap_or_default();
            let mut published = k.status == "published";
            for &o in others {
                let mut x = tx.incident(o)?.ok_or_else(|| hudna_store::StoreError::NotFound(format!("incident {o}")))?;
                if x.merged_into.is_some() {
                    return Err(hudna_store::StoreError::Conflict(format!("incident {o} was already merged into {}", x.merged_into.unwrap_or(0))));
                }
                published |= x.status == "published";
                for e in tx.events_of(o)? {
                    tx.set_event_incident(e.id, keep)?;
                }
                absorbed.push(o);
                absorbed.extend(serde_json::from_str::<Vec<i64>>(&x.absorbed).unwrap_or_default());
                x.merged_into = Some(keep);
                tx.put_assessments(o, &[])?;
                tx.update_incident(&x)?;
                tx.audit(&AuditEntry::new(actor, "incident.merged_into", &format!("incident/{o}"), json!({"into": keep})))?;
            }
            if published {
                let Some(why) = revision.filter(|w| !w.trim().is_empty()) else {
                    return Err(hudna_store::StoreError::Conflict("a published incident changes only through an explicit revision (--revision \"why\")".into()));
                };
                k.revision += 1;
                tx.audit(&AuditEntry::new(actor, "incident.revision", &format!("incident/{keep}"), json!({"why": why, "number": k.revision})))?;
            }
            k.absorbed = serde_json::to_string(&absorbed).expect("json");
            refresh(tx, &mut k, &ags, &atlas)?;
            tx.audit(&AuditEntry::new(actor, "incident.merge", &format!("incident/{keep}"), json!({"absorbed": others})))?;
            out = Some(k);
            Ok(())
        }).map_err(crate::store_error)?;
        Ok(out.expect("set"))
    }

    /// Splits the given events off an incident into a new one.
    pub fn split(
        &self,
        incident_id: i64,
        event_ids: &[i64],
        revision: Option<&str>,
        actor: &str,
    ) -> Result<(IncidentRow, IncidentRow)> {
        let ags = self.agreements()?;
        let atlas = self.atlas()?;
        let mut out = None;
        self.store().write_tx(&mut |tx| {
            let mut i = tx.incident(incident_id)?.ok_or_else(|| hudna_store::StoreError::NotFound(format!("incident {incident_id}")))?;
            let events = tx.events_of(incident_id)?;
            let moving: Vec<&EventRow> = events.iter().filter(|e| event_ids.contains(&e.id)).collect();
            if moving.len() != event_ids.len() {
                let have: Vec<i64> = events.iter().map(|e| e.id).collect();
                return Err(hudna_store::StoreError::Conflict(format!("incident {incident_id} holds events {have:?}; split names events it does not hold")));
            }
            if moving.len() == events.len() {
                return Err(hudna_store::StoreError::Conflict("a split must leave at least one event behind".into()));
            }
            if i.status == "published" {
                let Some(why) = revision.filter(|w| !w.trim().is_empty()) else {
                    return Err(hudna_store::StoreError::Conflict(format!("incident {incident_id} is published: change it only through an explicit revision (--revision \"why\")")));
                };
                i.revision += 1;
                tx.audit(&AuditEntry::new(actor, "incident.revision", &format!("incident/{incident_id}"), json!({"why": why, "number": i.revision})))?;
            }
            let mut n = new_incident(moving[0]);
            n.id = tx.insert_incident(&n)?;
            for e in &moving {
                tx.set_event_incident(e.id, n.id)?;
            }
            refresh(tx, &mut n, &ags, &atlas)?;
            refresh(tx, &mut i, &ags, &atlas)?;
            tx.audit(&AuditEntry::new(actor, "incident.split", &format!("incident/{incident_id}"), json!({"events": event_ids, "new_incident": n.id})))?;
            tx.audit(&AuditEntry::new(actor, "incident.split_from", &format!("incident/{}", n.id), json!({"from": incident_id, "events": event_ids})))?;
            out = Some((i, n));
            Ok(())
        }).map_err(crate::store_error)?;
        Ok(out.expect("set"))
    }
}

fn new_incident(e: &EventRow) -> IncidentRow {
    IncidentRow {
        kind: e.kind.clone(),
        event_group: event_type_of(&e.kind)
            .unwrap_or("strategic_developments")
            .into(),
        date: e.date.clone(),
        day: e
            .date
            .as_deref()
            .and_then(|d| hudna_core::parse_day(d).ok())
            .map(day_number),
        date_precision: e.date_precision,
        status: "new".into(),
        grade: "weak".into(),
        absorbed: "[]".into(),
        ..Default::default()
    }
}

/// Re-aggregates, re-assesses and re-grades one incident inside a transaction.
fn refresh(
    tx: &mut dyn Tx,
    i: &mut IncidentRow,
    ags: &[Agreement],
    atlas: &Atlas,
) -> hudna_store::Result<()> {
    let events = tx.events_of(i.id)?;
    let rids: Vec<i64> = events
        .iter()
        .map(|e| e.report_id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let sources: HashMap<i64, String> = tx.report_sources(&rids)?.into_iter().collect();
    aggregate(
        i,
        &Tally::of(&events, |r| sources.get(&r).map(String::as_str)),
    );
    tx.put_assessments(i.id, &assessment_rows(i, ags, atlas))?;
    let stances = tx.stances(i.id)?;
    i.grade = derive_grade(i, &stances, ags).0.as_str().into();
    tx.update_incident(i)
}

/// The incident's reading against every agreement signed by its day.
pub(crate) fn assessment_rows(
    i: &IncidentRow,
    ags: &[Agreement],
    atlas: &Atlas,
) -> Vec<AssessmentRow> {
    let (Some(lat), Some(lon), Some(day)) = (i.lat, i.lon, i.day) else {
        return vec![];
    };
    let date = i
        .date
        .as_deref()
        .and_then(|d| hudna_core::parse_day(d).ok())
        .expect("day implies date");
    let hit = atlas.index.query(lon, lat, day);
    let mut out = vec![];
    for a in ags.iter().filter(|a| a.signed <= date) {
        let mut covering: Vec<Covering> = vec![];
        for k in &hit.covering {
            let r = &atlas.areas[*k as usize];
            if r.agreement != a.id.as_str() {
                continue;
            }
            match covering.iter_mut().find(|c| c.zone == r.zone) {
                Some(c) => c.security_zone |= r.security_zone,
                None => covering.push(Covering {
                    zone: &r.zone,
                    status: r.status,
                    security_zone: r.security_zone,
                }),
            }
        }
        let act = Act {
            event_type: &i.kind,
            perpetrator: i.perpetrator.as_deref(),
            target: i.target.as_deref(),
            day: date,
        };
        let res = assess(a, &act, &covering);
        let border = hit
            .nearest_border_key
            .map(|k| &atlas.areas[k as usize])
            .filter(|r| r.agreement == a.id.as_str())
            .and(hit.border_km);
        out.push(AssessmentRow {
            incident_id: i.id,
            agreement: res.agreement,
            zone: res.zone,
            day: Some(day),
            reading: res.reading.as_str().into(),
            rule: res.rule,
            in_security_zone: covering.iter().any(|c| c.security_zone),
            border_km: border.map(|b| (b * 1000.0).round() / 1000.0),
            reasons: serde_json::to_string(&res.reasons).expect("json"),
        });
    }
    out
}

fn consensus(
    i: &IncidentRow,
    stances: &[StanceRow],
    ags: &[Agreement],
    assessed: &[AssessmentRow],
) -> Vec<Consensus> {
    let latest = latest_stances(stances);
    let mut out = vec![];
    for a in ags {
        let relevant = assessed
            .iter()
            .any(|x| x.agreement == a.id.as_str() && x.reading != Reading::OutsideZones.as_str())
            || latest.keys().any(|(ag, _)| ag == a.id.as_str());
        if !relevant {
            continue;
        }
        let of = |pos: &str| -> Vec<String> {
            latest
                .iter()
                .filter(|((ag, _), s)| ag == a.id.as_str() && s.position == pos)
                .map(|((_, p), _)| p.clone())
                .collect()
        };
        let (confirm, dispute, abstain) = (of("confirm"), of("dispute"), of("abstain"));
        let pending: Vec<String> = a
            .parties
            .iter()
            .filter(|p| p.role == Role::Guarantor)
            .map(|p| p.id.to_string())
            .filter(|p| !confirm.contains(p) && !dispute.contains(p) && !abstain.contains(p))
            .collect();
        let state = if !dispute.is_empty() {
            "disputed"
        } else if confirm.is_empty() && abstain.is_empty() {
            "no_stances"
        } else if pending.is_empty() {
            "consensus_confirm"
        } else {
            "pending"
        };
        let _ = i;
        out.push(Consensus {
            agreement: a.id.to_string(),
            state: state.into(),
            confirm,
            dispute,
            abstain,
            pending_guarantors: pending,
        });
    }
    out
}

/// Rows the candidate cache may hold before it is dropped between batches.
const CANDIDATE_CACHE_ROWS: usize = 200_000;

/// At most this much in the kept contexts of incidents, counted as
/// [`context_weight`] (some 24 to 48 bytes a unit, so 100 to 200 MiB at
/// most); past it the least recently kept are dropped and read again as
/// needed. Contexts once kept every event (half a KiB each) and held
/// 400,000: a desk under a 5-minute soak (reports over 900 days, so every
/// incident as likely to be touched) outgrew that, and nearly every
/// PostgreSQL batch then read some incident's events again (4.3 ms a read,
/// nearly three quarters of the database's time).
const CONTEXT_CACHE_UNITS: usize = 4_000_000;

/// What a kept context counts for against [`CONTEXT_CACHE_UNITS`]: a unit
/// for each report (its figures), sixteen for the row and the tally's
/// places, counts and names, eight for each stance.
fn context_weight(t: &Touched) -> usize {
    16 + t.tally.reports() + t.stances.len() * 8
}

/// What merging needs to know of a live incident (the fields [`fit`] reads).
#[derive(Debug, Clone, PartialEq)]
struct Candidate {
    id: i64,
    kind: String,
    event_group: String,
    day: Option<i32>,
    date_precision: Option<u8>,
    geonameid: Option<u32>,
    lat: Option<f64>,
    lon: Option<f64>,
    geo_precision: Option<u8>,
    perpetrator: Option<String>,
    target: Option<String>,
    killed_best: Option<u32>,
}

impl From<&IncidentRow> for Candidate {
    fn from(i: &IncidentRow) -> Self {
        Candidate {
            id: i.id,
            kind: i.kind.clone(),
            event_group: i.event_group.clone(),
            day: i.day,
            date_precision: i.date_precision,
            geonameid: i.geonameid,
            lat: i.lat,
            lon: i.lon,
            geo_precision: i.geo_precision,
            perpetrator: i.perpetrator.clone(),
            target: i.target.clone(),
            killed_best: i.killed.best,
        }
    }
}

/// Merge candidates, so that each day range of a type group is read from the
/// store once rather than once per event. It mirrors the store exactly for
/// the ranges it has read, as of the audit head `anchor`:
/// - every change of record appends an audit entry in its own transaction,
///   so while the head is still `anchor` nobody else has written; [`sync`],
///   at the start of each write transaction (which holds the write lock),
///   drops everything when it moved;
/// - inside the transaction every incident the ingest inserts or
///   re-aggregates is put back here ([`put`]) and `anchor` follows the audit
///   entries it appends;
/// - `Hudna::ingest` drops it when a transaction fails (rolled back).
///
/// Rows iterate by (day, id), the order of the store's candidate index, so
/// ties between equally good candidates fall as they did when each event
/// queried the store.
///
/// [`sync`]: CandidateCache::sync
/// [`put`]: CandidateCache::put
#[derive(Default)]
pub(crate) struct CandidateCache {
    groups: HashMap<String, GroupCandidates>,
    /// (group, day) under which each cached incident is filed
    at: HashMap<i64, (String, i32)>,
    /// The audit head the rows are exact for.
    anchor: Option<AuditHead>,
    /// Tests: read the store for every search (the reference behaviour).
    fresh_reads: bool,
    /// With `fresh_reads`: the batch's incidents as worked out so far (the
    /// store has them only once the batch is written).
    pending: HashMap<i64, IncidentRow>,
    /// What a batch reads of the stored incidents it may touch (the row,
    /// the tally of its events and their reports' sources, the stances),
    /// kept from batch to batch, exact at
    /// `anchor` like the rows: a batch reads from the store only the
    /// incidents not here.
    contexts: HashMap<i64, Touched>,
    /// What `contexts` hold, by [`context_weight`] (bounded by
    /// [`CONTEXT_CACHE_UNITS`]).
    context_held: usize,
    /// When each kept context was last kept (a count of `keep_context`
    /// calls): the least recent go first when they hold too many events.
    context_used: HashMap<i64, u64>,
    context_clock: u64,
}

#[derive(Default)]
struct GroupCandidates {
    /// Day ranges read from the store: sorted, disjoint, inclusive.
    loaded: Vec<(i32, i32)>,
    rows: BTreeMap<(i32, i64), Candidate>,
}

impl GroupCandidates {
    fn covers(&self, day: i32) -> bool {
        self.loaded.iter().any(|&(a, b)| a <= day && day <= b)
    }

    /// The parts of `[from, to]` not read yet.
    fn gaps(&self, from: i32, to: i32) -> Vec<(i32, i32)> {
        let mut out = vec![];
        let mut next = from;
        for &(a, b) in &self.loaded {
            if b < next {
                continue;
            }
            if a > to {
                break;
            }
            if a > next {
                out.push((next, a - 1));
            }
            next = next.max(b.saturating_add(1));
            if next > to {
                return out;
            }
        }
        if next <= to {
            out.push((next, to));
        }
        out
    }

    fn mark_loaded(&mut self, from: i32, to: i32) {
        self.loaded.push((from, to));
        self.loaded.sort_unstable();
        let mut merged: Vec<(i32, i32)> = Vec::with_capacity(self.loaded.len());
        for &(a, b) in &self.loaded {
            match merged.last_mut() {
                Some(last) if a <= last.1.saturating_add(1) => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        self.loaded = merged;
    }
}

impl CandidateCache {
    fn len(&self) -> usize {
        self.at.len()
    }

    /// Forgets everything read.
    pub(crate) fn clear(&mut self) {
        self.groups.clear();
        self.at.clear();
        self.pending.clear();
        self.contexts.clear();
        self.context_held = 0;
        self.context_used.clear();
        self.anchor = None;
    }

    /// Takes the kept context of stored incident `id` (the batch gives it
    /// back, changed or not, with [`CandidateCache::keep_context`]).
    fn take_context(&mut self, id: i64) -> Option<Touched> {
        let t = self.contexts.remove(&id)?;
        self.context_used.remove(&id);
        self.context_held -= context_weight(&t);
        Some(t)
    }

    /// Keeps the context of a stored incident as the batch leaves it.
    fn keep_context(&mut self, t: Touched) {
        if self.fresh_reads {
            return;
        }
        self.context_held += context_weight(&t);
        self.context_clock += 1;
        self.context_used.insert(t.row.id, self.context_clock);
        if let Some(old) = self.contexts.insert(t.row.id, t) {
            self.context_held -= context_weight(&old);
        }
    }

    /// When the kept contexts hold more than [`CONTEXT_CACHE_UNITS`],
    /// drops the least recently kept until they hold three quarters
    /// of that (dropping them all, the desk read most of them again soon
    /// after).
    fn bound_contexts(&mut self) {
        self.bound_contexts_to(CONTEXT_CACHE_UNITS);
    }

    fn bound_contexts_to(&mut self, cap: usize) {
        if self.context_held <= cap {
            return;
        }
        let mut by_age: Vec<(u64, i64)> =
            self.context_used.iter().map(|(&id, &t)| (t, id)).collect();
        by_age.sort_unstable();
        for (_, id) in by_age {
            if self.context_held <= cap / 4 * 3 {
                break;
            }
            self.take_context(id);
        }
    }

    /// The batch has been written.
    fn end_batch(&mut self) {
        self.pending.clear();
    }

    /// Called first in each write transaction: brings the rows up to the
    /// store as it is. Where somebody else wrote since they were read (the
    /// audit head moved: another desk on the same database, an analyst's
    /// command), the incidents the new audit entries name are read again;
    /// where the entries do not say which incidents changed, every row is
    /// dropped.
    fn sync(&mut self, tx: &mut dyn Tx) -> hudna_store::Result<()> {
        let head = tx.audit_head()?;
        if head == self.anchor {
            return Ok(());
        }
        let caught_up = match (self.anchor.clone(), &head) {
            (Some(anchor), Some(head)) if !self.fresh_reads && head.id > anchor.id => {
                self.catch_up(tx, &anchor, head)?
            }
            _ => false,
        };
        if !caught_up {
            self.clear();
        }
        self.anchor = head;
        Ok(())
    }

    /// The [`Tx::audit_after`] call [`CandidateCache::catch_up`] makes, if
    /// it comes to that (a backend may make it as the transaction begins).
    fn catch_up_call(&self) -> Option<(i64, usize)> {
        match &self.anchor {
            Some(a) if !self.fresh_reads => Some((a.id, CATCH_UP + 1)),
            _ => None,
        }
    }

    /// Reads again the incidents that the audit entries from `anchor` to
    /// `head` name; `false` (nothing changed here) unless those entries
    /// continue the chain from `anchor` to `head`, are at most
    /// [`CATCH_UP`], and each says which incidents it changed.
    fn catch_up(
        &mut self,
        tx: &mut dyn Tx,
        anchor: &AuditHead,
        head: &AuditHead,
    ) -> hudna_store::Result<bool> {
        let entries = tx.audit_after(anchor.id, CATCH_UP + 1)?;
        debug_assert_eq!(self.catch_up_call(), Some((anchor.id, CATCH_UP + 1)));
        if entries.len() > CATCH_UP {
            return Ok(false);
        }
        let mut prev = &anchor.hash;
        let mut ids = BTreeSet::new();
        for e in &entries {
            if &e.prev_hash != prev || !incidents_named(e, &mut ids) {
                return Ok(false);
            }
            prev = &e.hash;
        }
        if entries.last().map(AuditHead::from).as_ref() != Some(head) {
            return Ok(false);
        }
        let ids: Vec<i64> = ids.into_iter().collect();
        for &id in &ids {
            self.forget(id);
        }
        for row in tx.incidents_by_ids(&ids)? {
            self.place(&row);
        }
        Ok(true)
    }

    /// The transaction appended this audit entry (after its own changes,
    /// which it [`put`](Self::put) here).
    fn appended(&mut self, r: &AuditRecord) {
        self.anchor = Some(AuditHead::from(r));
    }

    /// The kept incidents that fit an event of `prepared` as they stand,
    /// from the day ranges already read: a guess made before the
    /// transaction (which works the exact set out once it holds the lock).
    fn fitting(&self, prepared: &[(ReportRow, Vec<EventRow>)]) -> Vec<i64> {
        let mut out = BTreeSet::new();
        if self.fresh_reads {
            return vec![];
        }
        for (_, events) in prepared {
            for e in events {
                let Some((group, day, from, to)) = search_window(e) else {
                    continue;
                };
                let Some(g) = self.groups.get(group) else {
                    continue;
                };
                for (_, c) in g.rows.range((from, i64::MIN)..=(to, i64::MAX)) {
                    if fit(e, day, c).is_some() && !self.contexts.contains_key(&c.id) {
                        out.insert(c.id);
                    }
                }
            }
        }
        out.into_iter().collect()
    }

    /// The audit head the kept candidates are exact at, if known: a backend
    /// may work the batch out on them optimistically, reading what they
    /// lack without the writers' lock, and check as it writes that the
    /// head is still this one ([`BatchKeys::optimistic`]).
    fn optimistic(&self) -> Option<AuditHead> {
        if self.fresh_reads {
            return None;
        }
        self.anchor.clone()
    }

    /// Live incidents of `group` with a day in `[from, to]`, by (day, id).
    fn range(
        &mut self,
        tx: &mut dyn Tx,
        group: &str,
        from: i32,
        to: i32,
    ) -> hudna_store::Result<impl Iterator<Item = &Candidate>> {
        if self.fresh_reads {
            self.groups.clear();
            self.at.clear();
        }
        let g = self.groups.entry(group.to_owned()).or_default();
        for (a, b) in g.gaps(from, to) {
            for row in tx.candidates(group, a, b)? {
                let Some(day) = row.day else { continue };
                self.at.insert(row.id, (group.to_owned(), day));
                g.rows.insert((day, row.id), Candidate::from(&row));
            }
            g.mark_loaded(a, b);
        }
        if self.fresh_reads {
            // the store does not have the batch's changes yet
            let pending: Vec<IncidentRow> = self.pending.values().cloned().collect();
            for i in &pending {
                self.place(i);
            }
        }
        let g = self.groups.get(group).expect("entry made above");
        Ok(g.rows
            .range((from, i64::MIN)..=(to, i64::MAX))
            .map(|(_, r)| r))
    }

    /// Records an incident as the transaction is about to write it.
    fn put(&mut self, i: &IncidentRow) {
        if self.fresh_reads {
            self.pending.insert(i.id, i.clone());
        }
        self.place(i);
    }

    /// Drops an incident, and its kept context: a provisional one (it is
    /// put again under its real id), or one somebody else changed.
    fn forget(&mut self, id: i64) {
        self.pending.remove(&id);
        self.take_context(id);
        if let Some((group, day)) = self.at.remove(&id) {
            if let Some(g) = self.groups.get_mut(&group) {
                g.rows.remove(&(day, id));
            }
        }
    }

    fn place(&mut self, i: &IncidentRow) {
        if let Some((group, day)) = self.at.remove(&i.id) {
            if let Some(g) = self.groups.get_mut(&group) {
                g.rows.remove(&(day, i.id));
            }
        }
        let (Some(day), None) = (i.day, i.merged_into) else {
            return;
        };
        if let Some(g) = self.groups.get_mut(&i.event_group) {
            if g.covers(day) {
                g.rows.insert((day, i.id), Candidate::from(i));
                self.at.insert(i.id, (i.event_group.clone(), day));
            }
        }
    }
}

/// At most this many audit entries written by others are caught up with
/// ([`CandidateCache::sync`]); after more, the kept rows are dropped.
const CATCH_UP: usize = 512;

/// Actions that change no incident (of the audit entries' vocabulary).
const NOT_INCIDENTS: [&str; 8] = [
    "person.",
    "persons.",
    "exchange.",
    "commitment.",
    "org.",
    "user.",
    "token.",
    "gazetteer.",
];

/// Adds to `ids` the incidents an audit entry says it changed; `false`
/// when it may have changed incidents it does not name (an action this
/// does not know, a bulk reassessment).
fn incidents_named(e: &AuditRecord, ids: &mut BTreeSet<i64>) -> bool {
    let detail: serde_json::Value = serde_json::from_str(&e.detail).unwrap_or_default();
    let mut take = |keys: &[&str]| {
        for k in keys {
            match &detail[*k] {
                serde_json::Value::Array(a) => ids.extend(a.iter().filter_map(|v| v.as_i64())),
                v => ids.extend(v.as_i64()),
            }
        }
    };
    if e.action == "report.ingest" {
        take(&["incidents", "new_incidents"]);
        return true;
    }
    if e.action.starts_with("incident.") {
        let Some(id) = e
            .entity
            .strip_prefix("incident/")
            .and_then(|s| s.parse::<i64>().ok())
        else {
            return false;
        };
        take(&["into", "absorbed", "new_incident", "from"]);
        ids.insert(id);
        return true;
    }
    NOT_INCIDENTS.iter().any(|p| e.action.starts_with(p))
}

/// Ids at and above this are provisional: rows of the batch being worked out,
/// numbered in the order they arise, above every stored id so that they sort
/// after them as the real ids will.
const PROVISIONAL: i64 = 1 << 52;

/// An incident the batch changes, with everything its aggregate, reading and
/// grade depend on.
struct Touched {
    row: IncidentRow,
    /// Its events (the stored ones, then the batch's in the order they
    /// came), and their reports' sources, as its aggregate needs them.
    tally: Tally,
    stances: Vec<StanceRow>,
    stored: bool,
}

/// What became of one report of the batch.
enum Planned {
    Duplicate(i64),
    Stored {
        report: i64,
        events: usize,
        touched: Vec<i64>,
        created: Vec<i64>,
    },
}

/// What [`Touched`] needs of the stored incidents the context was read for.
fn touched_from(ctx: BatchContext) -> HashMap<i64, Touched> {
    let mut out: HashMap<i64, Touched> = ctx
        .incidents
        .into_iter()
        .map(|row| {
            let t = Touched {
                row,
                tally: Tally::default(),
                stances: vec![],
                stored: true,
            };
            (t.row.id, t)
        })
        .collect();
    let sources: HashMap<i64, String> = ctx.sources.into_iter().collect();
    for e in ctx.events {
        if let Some(t) = e.incident_id.and_then(|i| out.get_mut(&i)) {
            t.tally
                .add(&e, sources.get(&e.report_id).map(String::as_str));
        }
    }
    for s in ctx.stances {
        if let Some(t) = out.get_mut(&s.incident_id) {
            t.stances.push(s);
        }
    }
    out
}

fn event_day(e: &EventRow) -> Option<i32> {
    e.date
        .as_deref()
        .and_then(|d| hudna_core::parse_day(d).ok())
        .map(day_number)
}

/// Stores a batch of prepared reports inside one transaction: each report,
/// its events, the incidents they join or open (re-aggregated, re-assessed,
/// re-graded) and one audit entry per report.
///
/// The batch is worked out in memory first, report by report in order,
/// exactly as if each were stored before the next is read: provisional ids
/// stand for the rows it will write, and the stored incidents it may touch
/// are read up front (every live candidate that fits one of its events as
/// it stands; an incident no event fits stays as it is, so it cannot start
/// to fit later in the batch). Then the real ids are taken and everything is
/// written with the batch operations of [`Tx`], a fixed number of
/// statements whatever the batch's size.
/// Where the incidents an event may join are filed: its type group, its
/// day, and the days to search (`None`: no day or no place, it joins none).
fn search_window(e: &EventRow) -> Option<(&'static str, i32, i32, i32)> {
    let group = event_type_of(&e.kind).unwrap_or("strategic_developments");
    let (Some(day), Some(_)) = (event_day(e), e.lat) else {
        return None;
    };
    let w = day_window(e.date_precision).max(31);
    Some((group, day, day - w, day + w))
}

fn ingest_batch(
    tx: &mut dyn Tx,
    cands: &mut CandidateCache,
    prepared: &[(ReportRow, Vec<EventRow>)],
    ags: &[Agreement],
    atlas: &Atlas,
    actor: &str,
) -> hudna_store::Result<Vec<ReportOutcome>> {
    let hashes: Vec<String> = prepared
        .iter()
        .map(|(r, _)| r.content_hash.clone())
        .collect();
    // the stored incidents this batch may touch (events of resubmitted
    // reports included: a superset does no harm)
    let mut maybe = BTreeSet::new();
    for (_, events) in prepared {
        for e in events {
            if let Some((group, day, from, to)) = search_window(e) {
                for c in cands.range(tx, group, from, to)? {
                    if fit(e, day, c).is_some() {
                        maybe.insert(c.id);
                    }
                }
            }
        }
    }
    // their context kept from earlier batches, the rest read
    let mut kept = vec![];
    let mut need = vec![];
    for id in maybe {
        match cands.take_context(id) {
            Some(t) => kept.push(t),
            None => need.push(id),
        }
    }
    let mut ctx = tx.batch_context(&hashes, &need)?;
    let stored_reports = std::mem::take(&mut ctx.stored);
    let mut touched = touched_from(ctx);
    for t in kept {
        touched.insert(t.row.id, t);
    }
    // incidents in the order the batch first touched them
    let mut order: Vec<i64> = vec![];

    let (mut n_reports, mut n_events, mut n_incidents) = (0i64, 0i64, 0i64);
    let mut seen: HashMap<&str, i64> = HashMap::new();
    let mut new_reports: Vec<ReportRow> = vec![];
    let mut new_events: Vec<EventRow> = vec![];
    let mut plan: Vec<Planned> = vec![];
    for (row, events) in prepared {
        if let Some(&id) = stored_reports
            .get(&row.content_hash)
            .or_else(|| seen.get(row.content_hash.as_str()))
        {
            plan.push(Planned::Duplicate(id));
            continue;
        }
        let rid = PROVISIONAL + n_reports;
        n_reports += 1;
        seen.insert(&row.content_hash, rid);
        let mut r = row.clone();
        r.id = rid;
        r.ingested_by = actor.into();
        let mut mine: Vec<i64> = vec![];
        let mut created: Vec<i64> = vec![];
        for e in events {
            let mut e = e.clone();
            e.report_id = rid;
            e.id = PROVISIONAL + n_events;
            n_events += 1;
            let mut target = None;
            if let Some((group, day, from, to)) = search_window(&e) {
                let mut best: Option<(f64, i64)> = None;
                for c in cands.range(tx, group, from, to)? {
                    // events of the same report are different happenings
                    if mine.contains(&c.id) {
                        continue;
                    }
                    if let Some(s) = fit(&e, day, c) {
                        if best.is_none_or(|(b, _)| s < b) {
                            best = Some((s, c.id));
                        }
                    }
                }
                target = best.map(|(_, id)| id);
            }
            let iid = match target {
                Some(id) => {
                    if !touched.contains_key(&id) {
                        // not foreseen (it cannot happen, see above): read it now
                        touched.extend(touched_from(tx.batch_context(&[], &[id])?));
                    }
                    id
                }
                None => {
                    let mut n = new_incident(&e);
                    n.id = PROVISIONAL + n_incidents;
                    n_incidents += 1;
                    cands.put(&n);
                    created.push(n.id);
                    let id = n.id;
                    touched.insert(
                        id,
                        Touched {
                            row: n,
                            tally: Tally::default(),
                            stances: vec![],
                            stored: false,
                        },
                    );
                    id
                }
            };
            e.incident_id = Some(iid);
            let t = touched
                .get_mut(&iid)
                .ok_or_else(|| hudna_store::StoreError::NotFound(format!("incident {iid}")))?;
            t.tally.add(&e, Some(&r.source));
            new_events.push(e);
            if !mine.contains(&iid) {
                mine.push(iid);
            }
        }
        for &iid in &mine {
            let t = touched.get_mut(&iid).expect("touched above");
            aggregate(&mut t.row, &t.tally);
            cands.put(&t.row);
            if !order.contains(&iid) {
                order.push(iid);
            }
        }
        plan.push(Planned::Stored {
            report: rid,
            events: events.len(),
            touched: mine,
            created,
        });
        new_reports.push(r);
    }

    // the real ids, in the order the provisional ones were given
    let ids = tx.reserve_ids(IdCounts {
        reports: n_reports as usize,
        events: n_events as usize,
        incidents: n_incidents as usize,
    })?;
    let real = |v: &[i64], id: i64| -> i64 {
        if id >= PROVISIONAL {
            v[(id - PROVISIONAL) as usize]
        } else {
            id
        }
    };
    let report_id = |id| real(&ids.reports, id);
    let incident_id = |id| real(&ids.incidents, id);
    for r in &mut new_reports {
        r.id = report_id(r.id);
    }
    for e in &mut new_events {
        e.id = real(&ids.events, e.id);
        e.report_id = report_id(e.report_id);
        e.incident_id = e.incident_id.map(incident_id);
    }
    let (mut inserts, mut updates, mut assessed) = (vec![], vec![], vec![]);
    for &iid in &order {
        let t = touched.get_mut(&iid).expect("touched");
        if !t.stored {
            cands.forget(iid);
        }
        t.row.id = incident_id(iid);
        assessed.extend(assessment_rows(&t.row, ags, atlas));
        t.row.grade = derive_grade(&t.row, &t.stances, ags).0.as_str().into();
        cands.put(&t.row);
        if t.stored {
            updates.push(t.row.clone());
        } else {
            inserts.push(t.row.clone());
        }
    }
    let ids_touched: Vec<i64> = order.iter().map(|&i| incident_id(i)).collect();

    let mut outcomes = vec![];
    let mut entries = vec![];
    let mut stored = new_reports.iter();
    for ((row, _), p) in prepared.iter().zip(plan) {
        match p {
            Planned::Duplicate(id) => {
                let id = report_id(id);
                outcomes.push(ReportOutcome {
                    origin: row.origin.clone(),
                    report_id: Some(id),
                    outcome: "duplicate",
                    reason: Some(format!("already stored as report {id}; nothing changed")),
                    events: 0,
                    incidents: vec![],
                    flags: vec![],
                });
            }
            Planned::Stored {
                report,
                events,
                touched,
                created,
            } => {
                let r = stored.next().expect("one stored row per stored report");
                let rid = report_id(report);
                debug_assert_eq!(r.id, rid);
                let touched: Vec<i64> = touched.into_iter().map(incident_id).collect();
                let created: Vec<i64> = created.into_iter().map(incident_id).collect();
                entries.push(AuditEntry::new(
                    actor,
                    "report.ingest",
                    &format!("report/{rid}"),
                    json!({"hash": row.content_hash, "source": row.source, "origin": row.origin, "events": events, "incidents": touched, "new_incidents": created}),
                ));
                outcomes.push(ReportOutcome {
                    origin: row.origin.clone(),
                    report_id: Some(rid),
                    outcome: "stored",
                    reason: None,
                    events,
                    incidents: created,
                    flags: row.flags.split_whitespace().map(str::to_owned).collect(),
                });
            }
        }
    }
    let written = tx.write_batch(&BatchWrite {
        reports: &new_reports,
        new_incidents: &inserts,
        events: &new_events,
        changed_incidents: &updates,
        assessed: &ids_touched,
        assessments: &assessed,
        audit: &entries,
    })?;
    // the incidents' contexts as stored now, under their real ids
    for (_, mut t) in touched {
        t.tally.renumber_reports(report_id);
        t.stored = true;
        cands.keep_context(t);
    }
    cands.bound_contexts();
    if let Some(last) = written.last() {
        cands.appended(last);
    }
    cands.end_batch();
    Ok(outcomes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::LoadOptions;
    use crate::test_rng::Rng;

    #[test]
    fn candidate_ranges_are_read_once() {
        let mut g = GroupCandidates::default();
        assert_eq!(g.gaps(10, 20), vec![(10, 20)]);
        g.mark_loaded(10, 20);
        g.mark_loaded(30, 40);
        assert_eq!(g.gaps(5, 45), vec![(5, 9), (21, 29), (41, 45)]);
        assert_eq!(g.gaps(12, 18), vec![]);
        assert_eq!(g.gaps(15, 35), vec![(21, 29)]);
        g.mark_loaded(21, 29);
        assert_eq!(g.loaded, vec![(10, 40)]);
        assert!(g.covers(10) && g.covers(40) && !g.covers(41));
    }

    /// Past the bound, the least recently kept contexts go, down to three
    /// quarters of it; one kept again is the most recent.
    #[test]
    fn the_least_recently_kept_contexts_go_first() {
        // four reports: 16 + 4 units
        let ctx = |id: i64| {
            let events: Vec<EventRow> = (0..4)
                .map(|r| EventRow {
                    report_id: r,
                    ..Default::default()
                })
                .collect();
            Touched {
                row: IncidentRow {
                    id,
                    ..Default::default()
                },
                tally: Tally::of(&events, |_| None),
                stances: vec![],
                stored: true,
            }
        };
        let mut c = CandidateCache::default();
        for id in 1..=10 {
            c.keep_context(ctx(id));
        }
        // 2 is used again: taken by a batch and kept as it leaves it
        let two = c.take_context(2).unwrap();
        c.keep_context(two);
        c.bound_contexts_to(200);
        assert_eq!(c.context_held, 200, "at the bound: nothing goes");
        c.keep_context(ctx(11));
        c.bound_contexts_to(200);
        let mut kept: Vec<i64> = c.contexts.keys().copied().collect();
        kept.sort_unstable();
        assert_eq!(kept, vec![2, 6, 7, 8, 9, 10, 11], "1, 3, 4, 5 went");
        assert_eq!(c.context_held, 140, "at most three quarters of 200");
        assert_eq!(c.context_used.len(), 7);
    }

    fn shelling(n: usize, day: &str, lat: f64) -> NewReport {
        NewReport {
            text: format!("structured report {n}"),
            source: Some(format!("outlet{}", n % 3)),
            origin: format!("test:{n}"),
            events: Some(vec![EventRow {
                kind: "shelling_artillery_missile".into(),
                date: Some(day.into()),
                date_precision: Some(1),
                lat: Some(lat),
                lon: Some(36.6),
                geo_precision: Some(1),
                perpetrator: Some("syrian_government".into()),
                killed: Some(3),
                evidence: "[]".into(),
                ..Default::default()
            }]),
            ..Default::default()
        }
    }

    /// A write by someone else between two ingest batches (here an analyst's
    /// merge) must not leave the second batch merging against what the first
    /// one read.
    #[test]
    fn a_write_between_batches_is_seen_by_the_next_batch() {
        let dir = tempfile::tempdir().unwrap();
        let h = Hudna::create(&dir.path().join("t.sqlite")).unwrap();
        loaded(&h);
        let day = |k: usize| {
            (chrono::NaiveDate::from_ymd_opt(2018, 1, 1).unwrap()
                + chrono::Duration::days(3 * k as i64))
            .to_string()
        };
        // 256 separate shellings (three days apart), then a second account
        // of the first one, in the next batch.
        let mut reports: Vec<NewReport> = (0..256).map(|k| shelling(k, &day(k), 35.5)).collect();
        reports.push(shelling(256, &day(0), 35.5));
        let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let s = h
            .ingest(reports, "test", today, &|done| {
                if done == 256 {
                    // incident 1 (the first shelling) goes into incident 2,
                    // which takes its day and place
                    h.merge(2, &[1], None, "analyst").unwrap();
                }
            })
            .unwrap();
        assert_eq!(s.stored, 257);
        assert_eq!(s.new_incidents, 256, "the second account joins an incident");
        let mut attached = None;
        h.store()
            .read_tx(&mut |tx| {
                attached = tx.events_of(2)?.iter().map(|e| e.report_id).max();
                assert!(
                    tx.events_of(1)?.is_empty(),
                    "nothing joins a merged incident"
                );
                Ok(())
            })
            .unwrap();
        assert_eq!(
            attached,
            Some(257),
            "it joins the incident the first one went into"
        );
    }

    /// Structured reports of a few happenings told several times, with every
    /// field the merge rule reads varied: type group, day and its precision,
    /// place, geonameid and its precision (up to 60 km apart), actors,
    /// casualties, and some events with no place.
    fn random_reports(rng: &mut Rng, n: usize, tag: &str) -> Vec<NewReport> {
        const KINDS: &[&str] = &[
            "shelling_artillery_missile",
            "air_drone_strike",
            "armed_clash",
            "attack_on_civilians",
        ];
        const ACTORS: &[Option<&str>] = &[
            Some("syrian_government"),
            Some("russia"),
            Some("unknown"),
            None,
        ];
        let start = chrono::NaiveDate::from_ymd_opt(2018, 3, 1).unwrap();
        (0..n)
            .map(|k| {
                let events = (0..1 + rng.below(3) as u32)
                    .map(|seq| {
                        let placed = rng.below(10) > 0;
                        EventRow {
                            seq,
                            kind: (*rng.pick(KINDS)).into(),
                            date: Some(
                                (start + chrono::Duration::days(rng.below(80) as i64)).to_string(),
                            ),
                            date_precision: Some(1 + rng.below(3) as u8),
                            geonameid: (rng.below(3) == 0).then(|| 100 + rng.below(4) as u32),
                            lat: placed.then(|| 35.2 + rng.below(1000) as f64 / 1000.0),
                            lon: placed.then(|| 36.3 + rng.below(800) as f64 / 1000.0),
                            geo_precision: Some(1 + rng.below(3) as u8),
                            perpetrator: rng.pick(ACTORS).map(str::to_owned),
                            target: rng.pick(ACTORS).map(str::to_owned),
                            killed: (rng.below(4) > 0).then(|| rng.below(12) as u32),
                            evidence: "[]".into(),
                            ..Default::default()
                        }
                    })
                    .collect();
                NewReport {
                    text: format!("structured report {tag}{k}"),
                    source: Some(format!("outlet{}", rng.below(4))),
                    origin: format!("test:{tag}{k}"),
                    events: Some(events),
                    ..Default::default()
                }
            })
            .collect()
    }

    /// (report, seq, incident) of one stored event.
    type Attached = (i64, u32, Option<i64>);

    /// What ingest decided, as stored: every event's incident, and every
    /// incident's merged fields.
    fn outcome(h: &Hudna) -> (Vec<Attached>, Vec<IncidentRow>) {
        let (mut events, mut incidents) = (vec![], vec![]);
        h.store()
            .read_tx(&mut |tx| {
                for rid in 1.. {
                    let evs = tx.events_of_report(rid)?;
                    if evs.is_empty() {
                        break;
                    }
                    events.extend(evs.iter().map(|e| (e.report_id, e.seq, e.incident_id)));
                }
                for id in 1.. {
                    let Some(mut i) = tx.incident(id)? else { break };
                    (i.created_at, i.updated_at) = (String::new(), String::new());
                    incidents.push(i);
                }
                Ok(())
            })
            .unwrap();
        (events, incidents)
    }

    fn loaded(h: &Hudna) {
        let data = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data");
        h.load_agreement(
            &data.join("agreements/astana-2017"),
            LoadOptions::default(),
            "test",
        )
        .unwrap();
    }

    /// The candidates kept from call to call give the same incidents as
    /// reading the store for every event (the reference), through calls of
    /// random size interleaved with writes by a second handle on the same
    /// database (another process: an analyst's merges, another ingest),
    /// which the kept candidates must notice.
    fn kept_candidates_merge_as_reading_the_store_every_time(
        open: &dyn Fn(&str) -> (Hudna, Hudna),
    ) {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        for seed in [0x9E37_79B9_7F4A_7C15u64, 0x2545_F491_4F6C_DD1D] {
            let (kept, kept_other) = open("kept");
            let (fresh, fresh_other) = open("fresh");
            fresh.candidates.lock().unwrap().fresh_reads = true;
            fresh_other.candidates.lock().unwrap().fresh_reads = true;
            let mut rng = Rng(seed);
            let (mut merges, mut others, mut splits) = (0, 0, 0);
            for call in 0..40 {
                let n = 1 + rng.below(24) as usize;
                let reports = random_reports(&mut rng, n, &format!("{call}."));
                let by_other = rng.below(6) == 0;
                for (h, o) in [(&kept, &kept_other), (&fresh, &fresh_other)] {
                    let who = if by_other { o } else { h };
                    who.ingest(reports.clone(), "test", today, &|_| {}).unwrap();
                }
                others += usize::from(by_other);
                if rng.below(5) == 0 {
                    // the other handle merges two live incidents
                    let live = kept.store().live_incident_ids().unwrap();
                    assert_eq!(live, fresh.store().live_incident_ids().unwrap());
                    let a = *rng.pick(&live);
                    let b = *rng.pick(&live);
                    if a != b {
                        let x = kept_other.merge(a, &[b], None, "analyst").is_ok();
                        let y = fresh_other.merge(a, &[b], None, "analyst").is_ok();
                        assert_eq!(x, y);
                        merges += usize::from(x);
                    }
                }
                if rng.below(4) == 0 {
                    // the other handle splits an incident's newest event
                    // off, and grades another incident by hand
                    let live = kept.store().live_incident_ids().unwrap();
                    let a = *rng.pick(&live);
                    let mut evs = vec![];
                    kept.store()
                        .read_tx(&mut |tx| {
                            evs = tx.events_of(a)?.iter().map(|e| e.id).collect();
                            Ok(())
                        })
                        .unwrap();
                    if evs.len() >= 2 {
                        let last = [evs[evs.len() - 1]];
                        let x = kept_other.split(a, &last, Some("test"), "analyst").is_ok();
                        let y = fresh_other.split(a, &last, Some("test"), "analyst").is_ok();
                        assert_eq!(x, y);
                        splits += usize::from(x);
                    }
                    let b = *rng.pick(&live);
                    let x = kept_other.override_grade(
                        b,
                        Some("confirmed"),
                        "seen",
                        Some("test"),
                        "analyst",
                    );
                    let y = fresh_other.override_grade(
                        b,
                        Some("confirmed"),
                        "seen",
                        Some("test"),
                        "analyst",
                    );
                    assert_eq!(x.is_ok(), y.is_ok());
                }
            }
            assert!(
                merges > 0 && others > 0 && splits > 0,
                "the test writes behind the cache ({merges} merges, {others} other ingests, {splits} splits)"
            );
            let (ek, ik) = outcome(&kept);
            let (ef, i_f) = outcome(&fresh);
            assert_eq!(ek.len(), ef.len());
            for (a, b) in ek.iter().zip(&ef) {
                assert_eq!(a, b, "event (report, seq) went to another incident");
            }
            assert_eq!(ik, i_f);
            // not vacuous: some events joined an incident, most did not
            let joined = ek.len() - ik.len();
            assert!(
                joined > 20 && ik.len() > 100,
                "{joined} joined of {}",
                ek.len()
            );
        }
    }

    #[test]
    fn audit_entries_name_the_incidents_they_changed_or_say_they_cannot() {
        let entry = |action: &str, entity: &str, detail: serde_json::Value| AuditRecord {
            id: 1,
            at: String::new(),
            actor: "a".into(),
            action: action.into(),
            entity: entity.into(),
            detail: detail.to_string(),
            prev_hash: String::new(),
            hash: String::new(),
        };
        let named = |e: AuditRecord| {
            let mut ids = BTreeSet::new();
            incidents_named(&e, &mut ids).then_some(ids.into_iter().collect::<Vec<i64>>())
        };
        assert_eq!(
            named(entry(
                "report.ingest",
                "report/9",
                json!({"incidents": [3, 4], "new_incidents": [4]})
            )),
            Some(vec![3, 4])
        );
        assert_eq!(
            named(entry(
                "incident.merge",
                "incident/5",
                json!({"absorbed": [6, 7]})
            )),
            Some(vec![5, 6, 7])
        );
        assert_eq!(
            named(entry(
                "incident.split",
                "incident/5",
                json!({"events": [1], "new_incident": 8})
            )),
            Some(vec![5, 8])
        );
        assert_eq!(
            named(entry("person.status", "person/2", json!({}))),
            Some(vec![])
        );
        // a bulk reassessment, an action nobody taught it, an odd entity
        assert_eq!(
            named(entry("incidents.reassess", "incidents", json!({}))),
            None
        );
        assert_eq!(
            named(entry("agreement.load", "agreement/x", json!({}))),
            None
        );
        assert_eq!(
            named(entry("incident.review", "incidents", json!({}))),
            None
        );
    }

    #[test]
    fn kept_candidates_merge_as_reading_the_store_every_time_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let n = std::cell::Cell::new(0);
        kept_candidates_merge_as_reading_the_store_every_time(&|name| {
            n.set(n.get() + 1);
            let p = dir.path().join(format!("{name}{}.sqlite", n.get()));
            let h = Hudna::create(&p).unwrap();
            loaded(&h);
            (h, Hudna::open(&p).unwrap())
        });
    }

    /// Gives the URL of a fresh schema named after its argument.
    type SchemaUrl<'a> = &'a dyn Fn(&str) -> String;

    /// Runs `test` with a maker of database URLs, each a fresh schema on the
    /// PostgreSQL server `HUDNA_TEST_PG` names (CI); the schemas are dropped
    /// afterwards. Without the variable it says so and returns.
    fn on_postgres(test: &dyn Fn(SchemaUrl<'_>)) {
        let Some(url) = std::env::var("HUDNA_TEST_PG")
            .ok()
            .filter(|u| !u.trim().is_empty())
        else {
            eprintln!("NOTE: PostgreSQL SKIPPED: HUDNA_TEST_PG is not set; only SQLite was tested");
            return;
        };
        let admin = std::cell::RefCell::new(
            postgres::Client::connect(&url, postgres::NoTls)
                .expect("HUDNA_TEST_PG is set but PostgreSQL is not reachable"),
        );
        let schemas = std::cell::RefCell::new(vec![]);
        test(&|name| {
            let schema = format!(
                "hudna_app_{name}_{}_{}",
                std::process::id(),
                schemas.borrow().len()
            );
            admin
                .borrow_mut()
                .batch_execute(&format!(
                    "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
                ))
                .unwrap();
            schemas.borrow_mut().push(schema.clone());
            let sep = if url.contains('?') { '&' } else { '?' };
            format!("{url}{sep}options=-c%20search_path%3D{schema}")
        });
        for s in schemas.into_inner() {
            let _ = admin
                .borrow_mut()
                .batch_execute(&format!("DROP SCHEMA IF EXISTS {s} CASCADE"));
        }
    }

    /// The same on PostgreSQL, when `HUDNA_TEST_PG` names a server (CI).
    #[test]
    fn kept_candidates_merge_as_reading_the_store_every_time_postgres() {
        on_postgres(&|db| {
            kept_candidates_merge_as_reading_the_store_every_time(&|name| {
                let db = db(name);
                let h = Hudna::create_url(&db).unwrap();
                loaded(&h);
                (h, Hudna::open_url(&db).unwrap())
            })
        });
    }

    /// Working a batch out in memory and writing it at once stores exactly
    /// what storing its reports one call each does (each call's commit left
    /// pending while the next begins): the same incidents (ids, aggregates,
    /// grades), events, assessments and audit entries, with resubmitted
    /// reports among them, across two batches of one call.
    fn batching_does_not_change_what_is_stored(open: &dyn Fn(&str) -> Hudna) {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let mut rng = Rng(0x517C_C1B7_2722_0A95);
        let mut reports = random_reports(&mut rng, 300, "b");
        for k in (0..300).step_by(37) {
            let mut again = reports[k].clone();
            again.origin = format!("again:{k}");
            reports.push(again);
        }
        let whole = open("whole");
        let s = whole
            .ingest(reports.clone(), "test", today, &|_| {})
            .unwrap();
        assert_eq!((s.stored, s.duplicates), (300, 9));
        // one call each, as the server's writer makes them: each call's
        // commit is left to another thread while the next call begins
        let single = open("single");
        std::thread::scope(|s| {
            let (to_commit, commits) = std::sync::mpsc::sync_channel::<Box<dyn PendingCommit>>(0);
            s.spawn(move || {
                for p in commits {
                    p.commit().unwrap();
                }
            });
            for r in &reports {
                let (_, p) = single
                    .ingest_pending(vec![r.clone()], "test", today)
                    .unwrap();
                to_commit.send(p).unwrap();
            }
        });
        let (ew, iw) = outcome(&whole);
        let (es, is) = outcome(&single);
        assert_eq!(ew, es, "events went to other incidents");
        assert_eq!(iw.len(), is.len(), "as many incidents");
        for (w, s) in iw.iter().zip(&is) {
            assert_eq!(w, s, "incident {} differs", w.id);
        }
        let joined = ew.len() - iw.len();
        assert!(
            joined > 20,
            "not vacuous: {joined} events joined an incident"
        );
        for i in &iw {
            assert_eq!(
                whole.store().assessments(i.id).unwrap(),
                single.store().assessments(i.id).unwrap()
            );
        }
        let trail = |h: &Hudna| -> Vec<(String, String, serde_json::Value)> {
            h.store()
                .audit_log(None)
                .unwrap()
                .into_iter()
                .filter(|r| r.action == "report.ingest")
                .map(|r| (r.action, r.entity, serde_json::from_str(&r.detail).unwrap()))
                .collect()
        };
        assert_eq!(trail(&whole), trail(&single));
        assert_eq!(whole.store().verify_audit().unwrap().1, None);
    }

    #[test]
    fn batching_does_not_change_what_is_stored_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        batching_does_not_change_what_is_stored(&|name| {
            let h = Hudna::create(&dir.path().join(format!("{name}.sqlite"))).unwrap();
            loaded(&h);
            h
        });
    }

    #[test]
    fn batching_does_not_change_what_is_stored_postgres() {
        on_postgres(&|db| {
            batching_does_not_change_what_is_stored(&|name| {
                let h = Hudna::create_url(&db(name)).unwrap();
                loaded(&h);
                h
            })
        });
    }
}
