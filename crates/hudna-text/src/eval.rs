//! Scoring extraction against gold annotations (the dev-corpus format:
//! `NNN.txt` report + `NNN.json` gold with `published`, `language`, `kind`,
//! `events[]`).
//!
//! **Event matching.** Gold and predicted events of a document are paired
//! greedily, in gold order: a pair needs the same location — equal
//! `geonameid` when both have one, otherwise equal normalized `name` — and
//! among such candidates one of the same `type` is preferred. A pair counts
//! as a true positive for precision/recall/F1 when its types agree too.
//! Per-field accuracy (`type`, `date`, `location` = admin1 agrees as well,
//! `perpetrator`, `killed`, `injured`; null must meet null) is computed over
//! all location-matched pairs, so a wrong type shows up as a type error
//! rather than only as a missed event. Kind accuracy is over documents.
//!
//! This module does no IO: callers pass the texts.

use crate::extract::Extractor;
use crate::model::{Actor, DocKind, EventType, Extraction};
use crate::normalize::normalize_str;
use crate::TextError;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A gold annotation file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GoldDoc {
    pub published: Option<NaiveDate>,
    pub language: Option<String>,
    pub kind: DocKind,
    #[serde(default)]
    pub events: Vec<GoldEvent>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GoldEvent {
    #[serde(rename = "type")]
    pub kind: EventType,
    pub date: Option<NaiveDate>,
    pub location: GoldLocation,
    pub perpetrator: Option<Actor>,
    pub killed: Option<u32>,
    pub injured: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GoldLocation {
    pub geonameid: Option<u32>,
    pub admin1: Option<String>,
    pub name: Option<String>,
}

/// One (report, gold) pair to score.
#[derive(Debug, Clone)]
pub struct EvalCase {
    pub id: String,
    pub text: String,
    pub gold_json: String,
}

/// Correct / total for one field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct FieldScore {
    pub correct: usize,
    pub total: usize,
    pub accuracy: f64,
}

impl FieldScore {
    fn add(&mut self, ok: bool) {
        self.total += 1;
        if ok {
            self.correct += 1;
        }
        self.accuracy = self.correct as f64 / self.total as f64;
    }
}

/// Per-document outcome, with readable error notes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DocReport {
    pub id: String,
    pub kind_ok: bool,
    pub gold_events: usize,
    pub predicted_events: usize,
    pub true_positives: usize,
    pub errors: Vec<String>,
}

/// Scores over a corpus.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvalReport {
    pub documents: usize,
    pub gold_events: usize,
    pub predicted_events: usize,
    pub matched_events: usize,
    pub true_positives: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub kind_accuracy: f64,
    /// `type`, `date`, `location`, `perpetrator`, `killed`, `injured`.
    pub fields: BTreeMap<String, FieldScore>,
    pub docs: Vec<DocReport>,
}

impl EvalReport {
    /// The lowest of event F1, kind accuracy and every field accuracy.
    pub fn min_score(&self) -> f64 {
        self.fields
            .values()
            .map(|f| f.accuracy)
            .fold(self.f1.min(self.kind_accuracy), f64::min)
    }
}

fn name_key(s: &str) -> String {
    normalize_str(s)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

fn show<T: std::fmt::Debug>(v: &Option<T>) -> String {
    match v {
        Some(x) => format!("{x:?}"),
        None => "null".into(),
    }
}

/// Scores one extraction against its gold document.
pub fn score_doc(
    id: &str,
    pred: &Extraction,
    gold: &GoldDoc,
    fields: &mut BTreeMap<String, FieldScore>,
) -> DocReport {
    let mut errors = Vec::new();
    let kind_ok = pred.kind == gold.kind;
    if !kind_ok {
        errors.push(format!(
            "kind: expected {:?}, got {:?}",
            gold.kind, pred.kind
        ));
    }
    let mut used = vec![false; pred.events.len()];
    let mut tp = 0;
    for g in &gold.events {
        let loc_match = |p: &crate::model::Event| match (g.location.geonameid, p.location.geonameid)
        {
            (Some(a), Some(b)) => a == b,
            _ => match (&g.location.name, &p.location.name) {
                (Some(a), Some(b)) => name_key(a) == name_key(b),
                _ => false,
            },
        };
        let cands: Vec<usize> = (0..pred.events.len())
            .filter(|&k| !used[k] && loc_match(&pred.events[k]))
            .collect();
        let pick = cands
            .iter()
            .copied()
            .find(|&k| pred.events[k].kind == g.kind)
            .or(cands.first().copied());
        let Some(k) = pick else {
            errors.push(format!("missed {:?} at {}", g.kind, show(&g.location.name)));
            continue;
        };
        used[k] = true;
        let p = &pred.events[k];
        let mut field = |name: &str, ok: bool, want: String, got: String| {
            fields.entry(name.to_string()).or_default().add(ok);
            if !ok {
                errors.push(format!(
                    "{name} at {}: expected {want}, got {got}",
                    show(&g.location.name)
                ));
            }
        };
        let type_ok = p.kind == g.kind;
        if type_ok {
            tp += 1;
        }
        field(
            "type",
            type_ok,
            format!("{:?}", g.kind),
            format!("{:?}", p.kind),
        );
        field("date", p.date == g.date, show(&g.date), show(&p.date));
        field(
            "location",
            p.location.admin1 == g.location.admin1,
            show(&g.location.admin1),
            show(&p.location.admin1),
        );
        field(
            "perpetrator",
            p.perpetrator == g.perpetrator,
            show(&g.perpetrator),
            show(&p.perpetrator),
        );
        field(
            "killed",
            p.killed == g.killed,
            show(&g.killed),
            show(&p.killed),
        );
        field(
            "injured",
            p.injured == g.injured,
            show(&g.injured),
            show(&p.injured),
        );
    }
    for (k, u) in used.iter().enumerate() {
        if !u {
            let e = &pred.events[k];
            errors.push(format!(
                "spurious {:?} at {}",
                e.kind,
                show(&e.location.name)
            ));
        }
    }
    DocReport {
        id: id.to_string(),
        kind_ok,
        gold_events: gold.events.len(),
        predicted_events: pred.events.len(),
        true_positives: tp,
        errors,
    }
}

/// Runs the extractor over `cases` and scores them.
pub fn evaluate(extractor: &Extractor, cases: &[EvalCase]) -> Result<EvalReport, TextError> {
    let mut fields: BTreeMap<String, FieldScore> = BTreeMap::new();
    for f in [
        "type",
        "date",
        "location",
        "perpetrator",
        "killed",
        "injured",
    ] {
        fields.insert(f.to_string(), FieldScore::default());
    }
    let mut docs = Vec::new();
    let (mut gold_n, mut pred_n, mut tp, mut kind_ok) = (0, 0, 0, 0);
    for c in cases {
        let gold: GoldDoc = serde_json::from_str(&c.gold_json)
            .map_err(|e| TextError::Eval(format!("{}: bad gold JSON: {e}", c.id)))?;
        let pred = extractor.extract(&c.text, gold.published);
        let r = score_doc(&c.id, &pred, &gold, &mut fields);
        gold_n += r.gold_events;
        pred_n += r.predicted_events;
        tp += r.true_positives;
        kind_ok += r.kind_ok as usize;
        docs.push(r);
    }
    let matched = fields.get("type").map(|f| f.total).unwrap_or(0);
    let precision = if pred_n == 0 {
        1.0
    } else {
        tp as f64 / pred_n as f64
    };
    let recall = if gold_n == 0 {
        1.0
    } else {
        tp as f64 / gold_n as f64
    };
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    Ok(EvalReport {
        documents: cases.len(),
        gold_events: gold_n,
        predicted_events: pred_n,
        matched_events: matched,
        true_positives: tp,
        precision,
        recall,
        f1,
        kind_accuracy: if cases.is_empty() {
            1.0
        } else {
            kind_ok as f64 / cases.len() as f64
        },
        fields,
        docs,
    })
}

/// Renders a report as a plain-text table.
pub fn render_table(r: &EvalReport) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "documents {}  gold events {}  predicted {}  matched {}  true positives {}\n",
        r.documents, r.gold_events, r.predicted_events, r.matched_events, r.true_positives
    ));
    s.push_str(&format!(
        "event precision {:.3}  recall {:.3}  F1 {:.3}\n",
        r.precision, r.recall, r.f1
    ));
    s.push_str(&format!("kind accuracy   {:.3}\n", r.kind_accuracy));
    s.push_str("field          correct/total  accuracy\n");
    for (k, f) in &r.fields {
        s.push_str(&format!(
            "{:<14} {:>5}/{:<7} {:.3}\n",
            k, f.correct, f.total, f.accuracy
        ));
    }
    for d in &r.docs {
        for e in &d.errors {
            s.push_str(&format!("  {}: {}\n", d.id, e));
        }
    }
    s
}
