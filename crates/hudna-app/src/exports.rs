//! Open exports and their re-imports.
//!
//! - ACLED-column CSV with an HXL hashtag row (humanitarian tools read the
//!   tags; `hudna import acled-csv` skips the row).
//! - GeoJSON (RFC 7946) of incidents, and of zones as they stood on a day.
//! - JSON Lines of everything: each report with its text and structured
//!   events, then each incident's review state, grade override and stances,
//!   anchored to its reports' content hashes so a re-import rebuilds the same
//!   incidents (merges included) in another database.

use crate::agreements::Hudna;
use crate::incidents::NewReport;
use crate::{AppError, Result};
use chrono::NaiveDate;
use hudna_core::vocab::{acled_event_type_label, acled_label, event_type_of};
use hudna_store::{EventRow, IncidentFilter, IncidentRow, ReportRow};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

/// ACLED actor names for Hudna's actor ids (inverse of `sources::acled_actor`).
pub fn acled_actor_name(actor: &str) -> &'static str {
    match actor {
        "syrian_government" => "Military Forces of Syria (2000-)",
        "russia" => "Military Forces of Russia (2000-)",
        "iran" => "Military Forces of Iran (1989-)",
        "iran_backed_militias" => "Iran-backed militias (Syria)",
        "turkey" => "Military Forces of Turkey (2016-)",
        "us_led_coalition" => "Coalition Forces (Syria)",
        "hts" => "Hayat Tahrir al Sham",
        "isis" => "Islamic State (Syria)",
        "sdf" => "QSD: Syrian Democratic Forces",
        "opposition_factions" => "Opposition Rebels (Syria)",
        "civilians" => "Civilians (Syria)",
        _ => "Unidentified Armed Group (Syria)",
    }
}

fn admin1_name(iso: &str) -> &'static str {
    match iso {
        "SY-DI" => "Damascus",
        "SY-RD" => "Rural Damascus",
        "SY-HL" => "Aleppo",
        "SY-ID" => "Idleb",
        "SY-HM" => "Hama",
        "SY-HI" => "Homs",
        "SY-LA" => "Lattakia",
        "SY-TA" => "Tartous",
        "SY-DR" => "Dar'a",
        "SY-SU" => "As-Sweida",
        "SY-QU" => "Quneitra",
        "SY-DY" => "Deir-ez-Zor",
        "SY-RA" => "Ar-Raqqa",
        "SY-HA" => "Al-Hasakeh",
        _ => "",
    }
}

pub const ACLED_COLUMNS: [&str; 19] = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
];
pub const HXL_TAGS: [&str; 19] = [
    "#event+id",
    "#date+occurred",
    "#date+year",
    "#date+precision",
    "#event+type",
    "#event+type+sub",
    "#org+perpetrator",
    "#org+target",
    "#adm1+name",
    "#adm2+name",
    "#adm3+name",
    "#loc+name",
    "#geo+lat",
    "#geo+lon",
    "#geo+precision",
    "#meta+source",
    "#meta+source+scale",
    "#description",
    "#affected+killed",
];

impl Hudna {
    fn sources_of(&self, id: i64) -> Result<Vec<ReportRow>> {
        let mut ids = vec![];
        self.store().read_tx(&mut |tx| {
            ids = tx
                .events_of(id)?
                .iter()
                .map(|e| e.report_id)
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            Ok(())
        })?;
        ids.into_iter()
            .filter_map(|r| self.store().report(r).transpose())
            .collect::<std::result::Result<_, _>>()
            .map_err(AppError::from)
    }

    /// Incidents as ACLED-column CSV with the HXL hashtag row second.
    pub fn export_acled_csv(&self, filter: &IncidentFilter, out: &mut dyn Write) -> Result<usize> {
        let rows = self.incidents(filter)?;
        let mut w = csv::Writer::from_writer(out);
        let io = |e: csv::Error| AppError::BadInput(format!("writing CSV: {e}"));
        w.write_record(ACLED_COLUMNS).map_err(io)?;
        w.write_record(HXL_TAGS).map_err(io)?;
        for (i, _) in &rows {
            let srcs = self.sources_of(i.id)?;
            let names: BTreeSet<&str> = srcs
                .iter()
                .map(|r| r.source.trim_start_matches("acled:"))
                .collect();
            let date = i.date.clone().unwrap_or_default();
            w.write_record([
                format!("HUDNA{}", i.id),
                date.clone(),
                date.get(..4).unwrap_or("").to_owned(),
                i.date_precision.unwrap_or(1).to_string(),
                acled_event_type_label(event_type_of(&i.kind).unwrap_or("")).to_owned(),
                acled_label(&i.kind).to_owned(),
                i.perpetrator
                    .as_deref()
                    .map(acled_actor_name)
                    .unwrap_or("")
                    .to_owned(),
                i.target
                    .as_deref()
                    .map(acled_actor_name)
                    .unwrap_or("")
                    .to_owned(),
                i.admin1
                    .as_deref()
                    .map(admin1_name)
                    .unwrap_or("")
                    .to_owned(),
                String::new(),
                String::new(),
                i.place_name.clone().unwrap_or_default(),
                i.lat.map(|x| format!("{x:.4}")).unwrap_or_default(),
                i.lon.map(|x| format!("{x:.4}")).unwrap_or_default(),
                i.geo_precision.unwrap_or(1).to_string(),
                names.into_iter().collect::<Vec<_>>().join("; "),
                String::new(),
                format!(
                    "Hudna incident {}; grade {}; {} reports",
                    i.id, i.grade, i.reports
                ),
                i.killed.best.map(|k| k.to_string()).unwrap_or_default(), // unknown stays empty, not 0
            ])
            .map_err(io)?;
        }
        w.flush()
            .map_err(|e| AppError::BadInput(format!("writing CSV: {e}")))?;
        Ok(rows.len())
    }

    /// Incidents as an RFC 7946 FeatureCollection.
    pub fn export_geojson(&self, filter: &IncidentFilter) -> Result<Value> {
        let rows = self.incidents(filter)?;
        let feats: Vec<Value> = rows
            .iter()
            .filter(|(i, _)| i.lat.is_some() && i.lon.is_some())
            .map(|(i, a)| {
                json!({"type": "Feature", "id": i.id,
                    "geometry": {"type": "Point", "coordinates": [i.lon, i.lat]},
                    "properties": {"id": i.id, "date": i.date, "date_precision": i.date_precision, "type": i.kind, "event_type": event_type_of(&i.kind),
                        "place": i.place_name, "geonameid": i.geonameid, "admin1": i.admin1, "geo_precision": i.geo_precision,
                        "perpetrator": i.perpetrator, "target": i.target,
                        "killed_low": i.killed.low, "killed_best": i.killed.best, "killed_high": i.killed.high,
                        "injured_low": i.injured.low, "injured_best": i.injured.best, "injured_high": i.injured.high,
                        "sources": i.sources, "reports": i.reports, "grade": i.grade, "status": i.status,
                        "assessments": a.iter().map(|x| json!({"agreement": x.agreement, "zone": x.zone, "reading": x.reading})).collect::<Vec<_>>()}})
            })
            .collect();
        Ok(json!({"type": "FeatureCollection", "features": feats}))
    }

    /// Zones (and security zone polygons) as they stood on `day`, as GeoJSON.
    pub fn zones_geojson(&self, day: NaiveDate) -> Result<Value> {
        let mut feats = vec![];
        for a in self.agreements()?.iter() {
            for z in &a.zones {
                let Some(v) = z.version_on(day) else { continue };
                let coords: Vec<Value> = v
                    .geometry
                    .0
                    .iter()
                    .map(|p| {
                        let ring = |ls: &geo_types::LineString<f64>| {
                            Value::Array(ls.0.iter().map(|c| json!([c.x, c.y])).collect())
                        };
                        let mut rings = vec![ring(p.exterior())];
                        rings.extend(p.interiors().iter().map(ring));
                        Value::Array(rings)
                    })
                    .collect();
                feats.push(json!({"type": "Feature", "id": format!("{}/{}", a.id, z.id),
                    "geometry": {"type": "MultiPolygon", "coordinates": coords},
                    "properties": {"agreement": a.id, "zone": z.id, "name_ar": z.names.ar, "name_en": z.names.en, "version": v.seq,
                        "status": v.status, "valid_from": v.valid.from, "valid_to": v.valid.to, "approximate": v.approximate, "source": v.source,
                        "security_zones": z.security_zones.iter().filter(|s| s.valid.contains(day)).map(|s| match &s.shape {
                            hudna_core::SecurityShape::Band { width_km, side } => json!({"band_km": width_km, "side": side}),
                            hudna_core::SecurityShape::Area(_) => json!({"geometry": "own"}),
                        }).collect::<Vec<_>>()}}));
            }
            for p in a.posts.iter().filter(|p| p.active.contains(day)) {
                feats.push(json!({"type": "Feature", "id": format!("{}/post/{}", a.id, p.id),
                    "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
                    "properties": {"agreement": a.id, "post": p.id, "party": p.party, "name_ar": p.names.ar, "name_en": p.names.en}}));
            }
        }
        Ok(json!({"type": "FeatureCollection", "features": feats, "at": day}))
    }

    /// Everything, as JSON Lines: reports (with structured events), then incidents' state.
    pub fn export_jsonl(&self, filter: &IncidentFilter, out: &mut dyn Write) -> Result<usize> {
        let rows = self.incidents(filter)?;
        let mut seen = BTreeSet::new();
        let mut n = 0;
        let mut lines: Vec<String> = vec![];
        let mut incident_lines: Vec<String> = vec![];
        for (i, _) in &rows {
            let mut events = vec![];
            let mut stances = vec![];
            self.store().read_tx(&mut |tx| {
                events = tx.events_of(i.id)?;
                stances = tx.stances(i.id)?;
                Ok(())
            })?;
            let mut anchors = vec![];
            for e in &events {
                let Some(r) = self.store().report(e.report_id)? else {
                    continue;
                };
                anchors.push(json!([r.content_hash, e.seq]));
                if seen.insert(r.id) {
                    let mut all_events = vec![];
                    // every event of the report, so it re-imports whole
                    self.store().read_tx(&mut |tx| {
                        all_events = report_events(tx, r.id)?;
                        Ok(())
                    })?;
                    lines.push(
                        serde_json::to_string(&JsonlRecord::Report(ReportLine::from_row(
                            &r,
                            &all_events,
                        )))
                        .expect("json"),
                    );
                }
            }
            incident_lines.push(
                serde_json::to_string(&JsonlRecord::Incident(IncidentLine {
                    id: i.id,
                    anchors,
                    status: i.status.clone(),
                    assignee: i.assignee.clone(),
                    grade_override: i.grade_override.clone(),
                    grade_reason: i.grade_reason.clone(),
                    stances: stances
                        .iter()
                        .map(|s| StanceLine {
                            agreement: s.agreement.clone(),
                            party: s.party.clone(),
                            position: s.position.clone(),
                            comment: s.comment.clone(),
                            recorded_by: s.recorded_by.clone(),
                        })
                        .collect(),
                }))
                .expect("json"),
            );
            n += 1;
        }
        for l in lines.iter().chain(incident_lines.iter()) {
            writeln!(out, "{l}").map_err(|e| AppError::BadInput(format!("writing: {e}")))?;
        }
        Ok(n)
    }

    /// Re-imports a JSON Lines export: reports with their events, then each
    /// incident's grouping (merges, splits), review state, override and stances.
    pub fn import_jsonl(
        &self,
        text: &str,
        origin: &str,
        actor: &str,
        today: NaiveDate,
    ) -> Result<(crate::IngestSummary, Vec<String>)> {
        let mut problems = vec![];
        let mut reports = vec![];
        let mut incidents = vec![];
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<JsonlRecord>(line) {
                Ok(JsonlRecord::Report(r)) => {
                    reports.push(r.into_new(format!("{origin}:{}", n + 1)))
                }
                Ok(JsonlRecord::Incident(i)) => incidents.push((n + 1, i)),
                Err(e) => problems.push(format!("{origin}:{}: {e}", n + 1)),
            }
        }
        let summary = self.ingest(reports, actor, today, &|_| {})?;
        // where each (report hash, event seq) landed
        for (line, inc) in incidents {
            let mut landed: Vec<(i64, i64)> = vec![]; // (event id, incident id)
            for a in &inc.anchors {
                let (Some(hash), Some(seq)) = (
                    a.get(0).and_then(Value::as_str),
                    a.get(1).and_then(Value::as_u64),
                ) else {
                    continue;
                };
                let mut found = None;
                self.store().read_tx(&mut |tx| {
                    if let Some(rid) = tx.report_by_hash(hash)? {
                        found = report_events(tx, rid)?
                            .into_iter()
                            .find(|e| e.seq as u64 == seq)
                            .map(|e| (e.id, e.incident_id.unwrap_or(0)));
                    }
                    Ok(())
                })?;
                match found {
                    Some(x) => landed.push(x),
                    None => problems.push(format!("{origin}:{line}: incident {}: event {seq} of report {hash} is not in the file", inc.id)),
                }
            }
            let Some(&(_, keep)) = landed.first() else {
                continue;
            };
            let keep = self.incident(keep)?.incident.id;
            let others: BTreeSet<i64> = landed
                .iter()
                .map(|(_, i)| *i)
                .filter(|i| *i != keep)
                .collect();
            if !others.is_empty() {
                let live: Vec<i64> = others
                    .into_iter()
                    .filter(|o| {
                        self.incident(*o)
                            .map(|d| d.incident.id != keep)
                            .unwrap_or(false)
                    })
                    .collect();
                if !live.is_empty() {
                    self.merge(keep, &live, Some("re-import"), actor)?;
                }
            }
            // events that joined `keep` but belong elsewhere in the export are split off
            let mine: BTreeSet<i64> = landed.iter().map(|(e, _)| *e).collect();
            let d = self.incident(keep)?;
            let foreign: Vec<i64> = d
                .sources
                .iter()
                .map(|s| s.event.id)
                .filter(|e| !mine.contains(e))
                .collect();
            if !foreign.is_empty() && foreign.len() < d.sources.len() {
                self.split(keep, &foreign, Some("re-import"), actor)?;
            }
            for s in &inc.stances {
                if let Err(e) = self.record_stance(
                    keep,
                    &s.agreement,
                    &s.party,
                    &s.position,
                    &s.comment,
                    &s.recorded_by,
                ) {
                    problems.push(format!("{origin}:{line}: stance of {}: {e}", s.party));
                }
            }
            if let Some(g) = &inc.grade_override {
                self.override_grade(
                    keep,
                    Some(g),
                    inc.grade_reason.as_deref().unwrap_or("imported"),
                    Some("re-import"),
                    actor,
                )?;
            }
            let path: &[&str] = match inc.status.as_str() {
                "in_review" => &["in_review"],
                "ready" => &["in_review", "ready"],
                "published" => &["in_review", "ready", "published"],
                _ => &[],
            };
            for st in path {
                self.review(keep, st, inc.assignee.as_deref(), Some("re-import"), actor)?;
            }
        }
        Ok((summary, problems))
    }
}

fn report_events(
    tx: &mut dyn hudna_store::Tx,
    report_id: i64,
) -> hudna_store::Result<Vec<EventRow>> {
    tx.events_of_report(report_id)
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum JsonlRecord {
    Report(ReportLine),
    Incident(IncidentLine),
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ReportLine {
    pub content_hash: String,
    pub text: String,
    pub source: String,
    pub outlet: String,
    pub url: String,
    pub published: Option<String>,
    pub language: String,
    pub kind: String,
    pub origin: String,
    pub events: Vec<EventRow>,
}

impl ReportLine {
    fn from_row(r: &ReportRow, events: &[EventRow]) -> Self {
        ReportLine {
            content_hash: r.content_hash.clone(),
            text: r.text.clone(),
            source: r.source.clone(),
            outlet: r.outlet.clone(),
            url: r.url.clone(),
            published: r.published.clone(),
            language: r.language.clone(),
            kind: r.kind.clone(),
            origin: r.origin.clone(),
            events: events
                .iter()
                .map(|e| EventRow {
                    id: 0,
                    report_id: 0,
                    incident_id: None,
                    ..e.clone()
                })
                .collect(),
        }
    }

    fn into_new(self, origin: String) -> NewReport {
        NewReport {
            text: self.text,
            source: Some(self.source),
            outlet: self.outlet,
            url: self.url,
            published: self
                .published
                .as_deref()
                .and_then(|d| hudna_core::parse_day(d).ok()),
            origin: if self.origin.is_empty() {
                origin
            } else {
                self.origin
            },
            events: Some(self.events),
            language: Some(self.language),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct IncidentLine {
    pub id: i64,
    /// `[report content hash, event seq]` of each event.
    pub anchors: Vec<Value>,
    pub status: String,
    pub assignee: Option<String>,
    pub grade_override: Option<String>,
    pub grade_reason: Option<String>,
    pub stances: Vec<StanceLine>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct StanceLine {
    pub agreement: String,
    pub party: String,
    pub position: String,
    pub comment: String,
    pub recorded_by: String,
}

/// A comparable summary of the incidents in a store (tests and round trips).
pub fn fingerprint(
    rows: &[(IncidentRow, Vec<hudna_store::AssessmentRow>)],
) -> BTreeMap<String, String> {
    rows.iter()
        .map(|(i, a)| {
            let key = format!(
                "{}|{}|{:?}",
                i.date.clone().unwrap_or_default(),
                i.kind,
                i.geonameid
            );
            let readings: Vec<String> = a
                .iter()
                .map(|x| format!("{}:{}:{:?}", x.agreement, x.reading, x.zone))
                .collect();
            (
                key,
                format!(
                    "{:?}|{:?}|{:?}|{}|{}|{}|{}",
                    i.perpetrator,
                    i.killed,
                    i.injured,
                    i.reports,
                    i.grade,
                    i.status,
                    readings.join(",")
                ),
            )
        })
        .collect()
}
