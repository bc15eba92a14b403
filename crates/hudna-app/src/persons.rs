//! The humanitarian file: lists of detainees, abductees, bodies and missing
//! persons; linkage across lists; review; status changes and exchanges;
//! redacted exports and PFIF 1.4.
//!
//! Personal data is need-to-know: every read of a person record through this
//! API appends an audit entry naming who read it; exports redact names unless
//! asked not to (and that request is itself audited).

use crate::agreements::Hudna;
use crate::{AppError, Result};
use chrono::NaiveDate;
use hudna_names::{LinkConfig, Linker, RawRecord};
use hudna_store::{
    AuditEntry, ExchangeItem, ExchangeRow, HumanitarianStore, ListRow, PersonRecordRow,
    StatusChangeRow, STATUSES,
};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;

/// A list read from CSV, with the rows that could not be taken.
#[derive(Debug, Default)]
pub struct ReadList {
    pub records: Vec<PersonRecordRow>,
    pub problems: Vec<String>,
}

/// Reads a person list (header row; `record_id` and `full_name` or `first` required).
pub fn read_person_csv(origin: &str, text: &str, default_status: &str) -> ReadList {
    let mut out = ReadList::default();
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            out.problems.push(format!("{origin}: header row: {e}"));
            return out;
        }
    };
    let col = |n: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(n))
    };
    if col("record_id").is_none() || (col("full_name").is_none() && col("first").is_none()) {
        out.problems.push(format!(
            "{origin}: the header needs record_id and full_name (or first); found {}",
            headers.iter().collect::<Vec<_>>().join(", ")
        ));
        return out;
    }
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                out.problems.push(format!("{origin}: {e}"));
                continue;
            }
        };
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let get = |n: &str| {
            col(n)
                .and_then(|i| rec.get(i))
                .map(str::trim)
                .unwrap_or("")
                .to_owned()
        };
        let r = PersonRecordRow {
            record_id: get("record_id"),
            full_name: get("full_name"),
            first: get("first"),
            father: get("father"),
            grandfather: get("grandfather"),
            family: get("family"),
            mother: get("mother"),
            sex: get("sex"),
            birth_year: get("birth_year"),
            place: get("place"),
            event_date: get("event_date"),
            event_place: get("event_place"),
            holding_party: get("holding_party"),
            status: Some(get("status"))
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| default_status.to_owned()),
            script: get("script"),
            ..Default::default()
        };
        if r.record_id.is_empty() {
            out.problems
                .push(format!("{origin}:{line}: record_id: empty; row skipped"));
        } else if r.full_name.is_empty() && r.first.is_empty() {
            out.problems.push(format!(
                "{origin}:{line}: full_name: no name (full_name or first); row skipped"
            ));
        } else if !STATUSES.contains(&r.status.as_str()) {
            out.problems.push(format!(
                "{origin}:{line}: status: {:?} is not one of {}; row skipped",
                r.status,
                STATUSES.join(", ")
            ));
        } else if !r.birth_year.is_empty()
            && !r
                .birth_year
                .chars()
                .all(|c| c.is_ascii_digit() || ('\u{0660}'..='\u{0669}').contains(&c))
        {
            out.problems.push(format!(
                "{origin}:{line}: birth_year: {:?} is not a year; row skipped",
                r.birth_year
            ));
        } else {
            out.records.push(r);
        }
    }
    out
}

/// What a linkage run did.
#[derive(Debug, Clone, Serialize)]
pub struct LinkRun {
    pub records: usize,
    pub candidate_pairs: u64,
    pub reduction_ratio: f64,
    pub above_threshold: usize,
    pub new_candidates: usize,
    pub auto_accepted: usize,
}

/// A candidate link with its two records.
#[derive(Debug, Clone, Serialize)]
pub struct LinkPair {
    pub link: hudna_store::LinkRow,
    pub a: PersonRecordRow,
    pub b: PersonRecordRow,
}

/// A person record as shown to an authorised reader.
#[derive(Debug, Clone, Serialize)]
pub struct PersonView {
    pub record: PersonRecordRow,
    pub list: Option<ListRow>,
    pub same_person: Vec<PersonRecordRow>,
    pub history: Vec<StatusChangeRow>,
}

fn initials(s: &str) -> String {
    s.split_whitespace()
        .filter_map(|w| w.chars().next())
        .map(|c| format!("{c}."))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A record with names reduced to initials, mother's name removed and the birth year to its decade.
pub fn redact(r: &PersonRecordRow) -> PersonRecordRow {
    PersonRecordRow {
        full_name: initials(&r.full_name),
        first: initials(&r.first),
        father: initials(&r.father),
        grandfather: initials(&r.grandfather),
        family: initials(&r.family),
        mother: String::new(),
        birth_year: r
            .birth_year
            .get(..3)
            .map(|d| format!("{d}0s"))
            .unwrap_or_default(),
        ..r.clone()
    }
}

impl Hudna {
    fn hstore(&self) -> Result<&(dyn HumanitarianStore + Send + Sync)> {
        self.humanitarian()
            .ok_or_else(|| AppError::Refused("this store keeps no humanitarian file".into()))
    }

    /// Imports a list handed over by a party.
    pub fn import_person_list(
        &self,
        name: &str,
        source_party: &str,
        received: NaiveDate,
        read: &ReadList,
        actor: &str,
    ) -> Result<(i64, usize)> {
        if read.records.is_empty() {
            return Err(AppError::BadInput(format!("list {name}: no usable record")));
        }
        let list = ListRow {
            id: 0,
            name: name.into(),
            source_party: source_party.into(),
            received: received.to_string(),
            submitted_by: actor.into(),
            records: 0,
            created_at: String::new(),
        };
        let audit = AuditEntry::new(
            actor,
            "persons.import",
            &format!("list/{name}"),
            json!({"source_party": source_party, "received": received.to_string(), "records": read.records.len(), "skipped": read.problems.len()}),
        );
        let (id, ids) = self
            .hstore()?
            .add_list(&list, &read.records, &audit)
            .map_err(crate::store_error)?;
        Ok((id, ids.len()))
    }

    /// Links every record in the registry; stores pairs at or above
    /// `threshold` as candidates and accepts those at or above `auto_accept`.
    pub fn link_persons(
        &self,
        threshold: f64,
        auto_accept: Option<f64>,
        actor: &str,
    ) -> Result<LinkRun> {
        let st = self.hstore()?;
        let recs = st.person_records()?;
        let lists: BTreeMap<i64, String> = st
            .lists()?
            .into_iter()
            .map(|l| (l.id, l.source_party))
            .collect();
        let raw: Vec<RawRecord> = recs
            .iter()
            .map(|r| RawRecord {
                record_id: r.id.to_string(),
                source: format!(
                    "{}:{}",
                    r.list_id,
                    lists.get(&r.list_id).cloned().unwrap_or_default()
                ),
                full_name: r.full_name.clone(),
                first: r.first.clone(),
                father: r.father.clone(),
                grandfather: r.grandfather.clone(),
                family: r.family.clone(),
                mother: r.mother.clone(),
                sex: r.sex.clone(),
                birth_year: r.birth_year.clone(),
                place: r.place.clone(),
                event_date: r.event_date.clone(),
                script: r.script.clone(),
            })
            .collect();
        let mut linker = Linker::new(LinkConfig::default());
        let out = linker.fit(&raw);
        let mut cands = vec![];
        let mut accept = vec![];
        for p in out.pairs.iter().filter(|p| p.probability >= threshold) {
            let (a, b) = (
                linker.record_id(p.a).parse::<i64>().unwrap_or(0),
                linker.record_id(p.b).parse::<i64>().unwrap_or(0),
            );
            let expl = linker
                .explain(p.a, p.b)
                .map(|e| serde_json::to_string(&format!("{e:?}")).unwrap_or_default())
                .unwrap_or_default();
            cands.push((a, b, p.probability, expl));
            if auto_accept.is_some_and(|t| p.probability >= t) {
                accept.push((a, b));
            }
        }
        let audit = AuditEntry::new(
            actor,
            "persons.link",
            "persons",
            json!({"records": recs.len(), "pairs": cands.len(), "threshold": threshold}),
        );
        let new = st.add_candidates(&cands, &audit)?;
        for (a, b) in &accept {
            st.decide_link(
                *a,
                *b,
                true,
                actor,
                &AuditEntry::new(
                    actor,
                    "persons.link.accept",
                    &format!("person_record/{a}"),
                    json!({"with": b, "auto": true}),
                ),
            )?;
        }
        Ok(LinkRun {
            records: recs.len(),
            candidate_pairs: out.blocking.candidates as u64,
            reduction_ratio: out.blocking.reduction_ratio(),
            above_threshold: cands.len(),
            new_candidates: new,
            auto_accepted: accept.len(),
        })
    }

    /// Accepts or rejects a candidate link (accepting joins the two persons).
    pub fn review_person_link(
        &self,
        a: i64,
        b: i64,
        accept: bool,
        actor: &str,
    ) -> Result<hudna_store::LinkRow> {
        let audit = AuditEntry::new(
            actor,
            if accept {
                "persons.link.accept"
            } else {
                "persons.link.reject"
            },
            &format!("person_record/{}", a.min(b)),
            json!({"with": a.max(b)}),
        );
        self.hstore()?
            .decide_link(a, b, accept, actor, &audit)
            .map_err(crate::store_error)
    }

    /// One person record with the records linked to it; the read is audited.
    pub fn person(&self, id: i64, actor: &str) -> Result<PersonView> {
        let st = self.hstore()?;
        let record = st
            .person_record(id)?
            .ok_or_else(|| AppError::NotFound(format!("person record {id}")))?;
        self.store().append_audit(&AuditEntry::new(
            actor,
            "person.read",
            &format!("person_record/{id}"),
            json!({}),
        ))?;
        let same_person = st
            .person_records()?
            .into_iter()
            .filter(|r| r.person_id == record.person_id && r.id != id)
            .collect();
        let list = st.lists()?.into_iter().find(|l| l.id == record.list_id);
        let history = st.status_changes(id)?;
        Ok(PersonView {
            record,
            list,
            same_person,
            history,
        })
    }

    /// Changes a record's status (audited, with its history kept).
    pub fn set_person_status(
        &self,
        id: i64,
        to: &str,
        date: NaiveDate,
        note: &str,
        actor: &str,
    ) -> Result<()> {
        if !STATUSES.contains(&to) {
            return Err(AppError::BadInput(format!(
                "status {to:?}: one of {}",
                STATUSES.join(", ")
            )));
        }
        let st = self.hstore()?;
        let rec = st
            .person_record(id)?
            .ok_or_else(|| AppError::NotFound(format!("person record {id}")))?;
        let change = StatusChangeRow {
            record: id,
            from_status: rec.status.clone(),
            to_status: to.into(),
            date: date.to_string(),
            exchange: None,
            note: note.into(),
            recorded_by: actor.into(),
        };
        st.set_status(
            &change,
            &AuditEntry::new(
                actor,
                "person.status",
                &format!("person_record/{id}"),
                json!({"from": rec.status, "to": to, "date": date.to_string(), "note": note}),
            ),
        )?;
        Ok(())
    }

    /// Records an exchange: who was released (or whose body was handed over) by whom.
    pub fn add_exchange(
        &self,
        date: NaiveDate,
        mediator: &str,
        place: &str,
        items: &[ExchangeItem],
        actor: &str,
    ) -> Result<i64> {
        for it in items {
            if !matches!(it.kind.as_str(), "released" | "body_handed_over") {
                return Err(AppError::BadInput(format!(
                    "exchange item kind {:?}: released or body_handed_over",
                    it.kind
                )));
            }
        }
        let ex = ExchangeRow {
            id: 0,
            date: date.to_string(),
            mediator: mediator.into(),
            place: place.into(),
            note: String::new(),
            items: items.to_vec(),
        };
        let audit = AuditEntry::new(
            actor,
            "exchange.add",
            "exchanges",
            json!({"date": date.to_string(), "mediator": mediator, "items": items}),
        );
        self.hstore()?
            .add_exchange(&ex, actor, &audit)
            .map_err(crate::store_error)
    }

    pub fn exchanges(&self) -> Result<Vec<ExchangeRow>> {
        Ok(self.hstore()?.exchanges()?)
    }

    pub fn person_lists(&self) -> Result<Vec<ListRow>> {
        Ok(self.hstore()?.lists()?)
    }

    /// Candidate links with both records, for review on the desk: up to
    /// `limit` links of `decision` (`candidate` by default), most probable
    /// first. Showing the records is a read of personal data, so one audit
    /// entry names every record shown.
    pub fn link_review(
        &self,
        decision: Option<&str>,
        limit: usize,
        actor: &str,
    ) -> Result<Vec<LinkPair>> {
        let st = self.hstore()?;
        let mut links = st.links(Some(decision.unwrap_or("candidate")))?;
        links.sort_by(|a, b| {
            b.probability
                .partial_cmp(&a.probability)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.id.cmp(&b.id))
        });
        links.truncate(limit);
        let mut out = Vec::with_capacity(links.len());
        let mut shown = vec![];
        for l in links {
            let (Some(a), Some(b)) = (st.person_record(l.record_a)?, st.person_record(l.record_b)?)
            else {
                continue;
            };
            shown.push(a.id);
            shown.push(b.id);
            out.push(LinkPair { link: l, a, b });
        }
        if !shown.is_empty() {
            self.store().append_audit(&AuditEntry::new(
                actor,
                "person.read_many",
                "persons",
                json!({"records": shown, "purpose": "link review"}),
            ))?;
        }
        Ok(out)
    }

    pub fn person_links(&self, decision: Option<&str>) -> Result<Vec<hudna_store::LinkRow>> {
        Ok(self.hstore()?.links(decision)?)
    }

    /// Every record, redacted unless `unredacted` (which is audited).
    pub fn export_persons(&self, unredacted: bool, actor: &str) -> Result<Vec<PersonRecordRow>> {
        let st = self.hstore()?;
        let recs = st.person_records()?;
        self.store().append_audit(&AuditEntry::new(
            actor,
            "persons.export",
            "persons",
            json!({"records": recs.len(), "unredacted": unredacted}),
        ))?;
        Ok(if unredacted {
            recs
        } else {
            recs.iter().map(redact).collect()
        })
    }

    /// PFIF 1.4 XML of every record (one pfif:person each, with a note giving its status).
    pub fn export_pfif(&self, domain: &str, unredacted: bool, actor: &str) -> Result<String> {
        let recs = self.export_persons(unredacted, actor)?;
        Ok(pfif::write(domain, &recs))
    }

    /// Imports a PFIF 1.4 document as a list.
    pub fn import_pfif(
        &self,
        xml: &str,
        name: &str,
        source_party: &str,
        received: NaiveDate,
        actor: &str,
    ) -> Result<(i64, usize, Vec<String>)> {
        let (records, problems) = pfif::read(xml).map_err(AppError::BadInput)?;
        let read = ReadList {
            records,
            problems: problems.clone(),
        };
        let (id, n) = self.import_person_list(name, source_party, received, &read, actor)?;
        Ok((id, n, problems))
    }

    /// Records a commitment's follow-up (met, missed, postponed), with what
    /// settled it; `f.recorded_by` is the actor.
    pub fn follow_up(&self, f: &hudna_store::FollowupRow) -> Result<()> {
        let a = self.agreement(&f.agreement)?;
        if !a.commitments.iter().any(|c| c.id.as_str() == f.commitment) {
            return Err(AppError::NotFound(format!(
                "commitment {:?} of {}",
                f.commitment, f.agreement
            )));
        }
        hudna_core::CommitmentStatus::parse(&f.status)
            .map_err(|e| AppError::BadInput(e.to_string()))?;
        hudna_core::parse_day(&f.date).map_err(|e| AppError::BadInput(e.to_string()))?;
        let audit = AuditEntry::new(
            &f.recorded_by,
            "commitment.follow_up",
            &format!("agreement/{}/commitment/{}", f.agreement, f.commitment),
            json!({"status": f.status, "settled_by": f.settled_by, "evidence": f.evidence, "date": f.date}),
        );
        self.hstore()?.add_followup(f, &audit)?;
        Ok(())
    }

    /// Follow-ups recorded after loading, latest last.
    pub fn followups(&self, agreement: &str) -> Result<Vec<hudna_store::FollowupRow>> {
        Ok(self.hstore()?.followups(agreement)?)
    }
}

/// PFIF 1.4 (People Finder Interchange Format), the subset Hudna writes and reads.
pub mod pfif {
    use hudna_store::PersonRecordRow;

    pub const NS: &str = "http://zesty.ca/pfif/1.4";

    fn esc(s: &str) -> String {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    }

    /// PFIF note status for a Hudna status.
    pub fn note_status(s: &str) -> &'static str {
        match s {
            "missing" | "abducted" => "believed_missing",
            "deceased" | "body_handed_over" => "believed_dead",
            _ => "believed_alive",
        }
    }

    pub fn write(domain: &str, recs: &[PersonRecordRow]) -> String {
        let mut x = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<pfif:pfif xmlns:pfif=\"{NS}\">\n"
        );
        for r in recs {
            let id = format!("{domain}/{}.{}", r.list_id, esc(&r.record_id));
            let given = if r.first.is_empty() {
                r.full_name
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_owned()
            } else {
                r.first.clone()
            };
            let full = if r.full_name.is_empty() {
                [r.first.as_str(), &r.father, &r.grandfather, &r.family]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(" ")
            } else {
                r.full_name.clone()
            };
            x.push_str("  <pfif:person>\n");
            for (tag, v) in [
                ("person_record_id", id.clone()),
                ("source_name", format!("hudna list {}", r.list_id)),
                ("full_name", full),
                ("given_name", given),
                ("family_name", r.family.clone()),
                ("sex", match r.sex.to_ascii_lowercase().as_str() { "m" | "male" | "ذكر" => "male".into(), "f" | "female" | "أنثى" => "female".into(), _ => String::new() }),
                ("birth_date", r.birth_year.clone()),
                ("home_city", r.place.clone()),
                ("description", format!("father: {}; grandfather: {}; mother: {}; held by: {}; event: {} {}; hudna_status: {}", r.father, r.grandfather, r.mother, r.holding_party, r.event_date, r.event_place, r.status)),
            ] {
                if !v.is_empty() {
                    x.push_str(&format!("    <pfif:{tag}>{}</pfif:{tag}>\n", esc(&v)));
                }
            }
            x.push_str(&format!(
                "    <pfif:note>\n      <pfif:note_record_id>{id}.status</pfif:note_record_id>\n      <pfif:person_record_id>{id}</pfif:person_record_id>\n      <pfif:status>{}</pfif:status>\n      <pfif:text>{}</pfif:text>\n    </pfif:note>\n",
                note_status(&r.status),
                esc(&r.status)
            ));
            x.push_str("  </pfif:person>\n");
        }
        x.push_str("</pfif:pfif>\n");
        x
    }

    /// Reads pfif:person elements back into records (status from the note text or description).
    pub fn read(xml: &str) -> Result<(Vec<PersonRecordRow>, Vec<String>), String> {
        use quick_xml::events::Event;
        let mut rdr = quick_xml::Reader::from_str(xml);
        let mut out = vec![];
        let mut problems = vec![];
        let mut cur: Option<std::collections::BTreeMap<String, String>> = None;
        let mut path: Vec<String> = vec![];
        let mut n = 0;
        loop {
            match rdr.read_event() {
                Err(e) => {
                    return Err(format!(
                        "PFIF: not well-formed XML at byte {}: {e}",
                        rdr.buffer_position()
                    ))
                }
                Ok(Event::Eof) => break,
                Ok(Event::Start(e)) => {
                    let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                    if name == "person" && cur.is_none() {
                        cur = Some(Default::default());
                        n += 1;
                    }
                    path.push(name);
                }
                Ok(Event::End(_)) => {
                    let name = path.pop().unwrap_or_default();
                    if name == "person" && !path.iter().any(|p| p == "person") {
                        if let Some(m) = cur.take() {
                            let g = |k: &str| m.get(k).cloned().unwrap_or_default();
                            let desc = g("description");
                            let field = |label: &str| {
                                desc.split("; ")
                                    .find_map(|p| p.strip_prefix(&format!("{label}: ")))
                                    .unwrap_or("")
                                    .trim()
                                    .to_owned()
                            };
                            let id = g("person_record_id");
                            let status = Some(g("note/text"))
                                .filter(|s| super::STATUSES.contains(&s.as_str()))
                                .or_else(|| {
                                    Some(field("hudna_status"))
                                        .filter(|s| super::STATUSES.contains(&s.as_str()))
                                })
                                .unwrap_or_else(|| match g("note/status").as_str() {
                                    "believed_dead" => "deceased".into(),
                                    "believed_missing" => "missing".into(),
                                    _ => "missing".into(),
                                });
                            if id.is_empty() || g("full_name").is_empty() {
                                problems.push(format!("person #{n}: person_record_id and full_name are required; skipped"));
                                continue;
                            }
                            let (event_date, event_place) = field("event")
                                .split_once(' ')
                                .map(|(a, b)| (a.to_owned(), b.to_owned()))
                                .unwrap_or_default();
                            out.push(PersonRecordRow {
                                record_id: {
                                    let tail = id.rsplit('/').next().unwrap_or(&id);
                                    tail.split_once('.')
                                        .map(|(_, r)| r)
                                        .unwrap_or(tail)
                                        .to_owned()
                                },
                                full_name: g("full_name"),
                                first: g("given_name"),
                                family: g("family_name"),
                                father: field("father"),
                                grandfather: field("grandfather"),
                                mother: field("mother"),
                                sex: g("sex"),
                                birth_year: g("birth_date").chars().take(4).collect(),
                                place: g("home_city"),
                                holding_party: field("held by"),
                                event_date,
                                event_place,
                                status,
                                ..Default::default()
                            });
                        }
                    }
                }
                Ok(Event::Text(t)) => {
                    if let Some(m) = cur.as_mut() {
                        let txt = t.unescape().map(|c| c.into_owned()).unwrap_or_default();
                        let key = match path.as_slice() {
                            [.., a, b] if a == "note" => format!("note/{b}"),
                            [.., b] => b.clone(),
                            _ => continue,
                        };
                        m.entry(key).or_default().push_str(&txt);
                    }
                }
                Ok(_) => {}
            }
        }
        Ok((out, problems))
    }
}
