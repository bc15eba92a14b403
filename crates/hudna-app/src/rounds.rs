//! Rounds of talks and what they promised: the timeline the desk and
//! `hudna rounds` show.
//!
//! A commitment's status starts as the definition gives it; the latest
//! follow-up recorded in the store (met, missed, postponed, with what settled
//! it) overrides that. Final statements shipped with a round are run through
//! the same extraction engine as field reports, so the places, dates and
//! parties they name can be shown with their evidence.

use crate::{Hudna, Result};
use chrono::NaiveDate;
use hudna_core::{Commitment, Round};
use serde::Serialize;

/// One round with its commitments, in time order.
#[derive(Debug, Clone, Serialize)]
pub struct RoundView {
    pub agreement: String,
    pub round: Round,
    pub commitments: Vec<CommitmentView>,
    pub has_statement: bool,
}

/// A commitment as it stands now.
#[derive(Debug, Clone, Serialize)]
pub struct CommitmentView {
    #[serde(flatten)]
    pub commitment: Commitment,
    /// `open`, `met`, `missed` or `postponed`: the latest follow-up's, else
    /// the definition's (this field overrides the commitment's own).
    pub current: String,
    /// What settled it (a round id, a URL, a document): the latest
    /// follow-up's, else the definition's.
    pub settled: Option<String>,
    pub evidence: Option<String>,
    /// The date of the latest follow-up.
    pub followed_up: Option<String>,
    /// Every follow-up recorded, oldest first.
    pub history: Vec<hudna_store::FollowupRow>,
    /// Open and past its due date on `today`.
    pub overdue: bool,
}

/// What extraction found in a round's final statement.
#[derive(Debug, Clone, Serialize)]
pub struct StatementFindings {
    pub text: String,
    /// Byte spans of every place, date and actor mention (for highlighting).
    pub spans: Vec<[usize; 2]>,
    pub places: Vec<String>,
    pub dates: Vec<(String, Option<NaiveDate>)>,
    pub actors: Vec<String>,
}

impl Hudna {
    /// Every round of `agreement` (or of all agreements), oldest first, with
    /// its commitments as they stand on `today`.
    pub fn timeline(&self, agreement: Option<&str>, today: NaiveDate) -> Result<Vec<RoundView>> {
        let ags = self.agreements()?;
        let mut out = vec![];
        for a in ags
            .iter()
            .filter(|a| agreement.is_none_or(|x| x == a.id.as_str()))
        {
            // a store without a humanitarian file has no follow-ups
            let follow = match self.humanitarian() {
                Some(_) => self.followups(a.id.as_str())?,
                None => vec![],
            };
            for r in &a.rounds {
                let commitments = a
                    .commitments
                    .iter()
                    .filter(|c| c.round == r.id)
                    .map(|c| {
                        let history: Vec<_> = follow
                            .iter()
                            .filter(|f| f.commitment == c.id.as_str())
                            .cloned()
                            .collect();
                        let last = history.last();
                        let current = last
                            .map(|f| f.status.clone())
                            .unwrap_or_else(|| c.status.to_string());
                        CommitmentView {
                            overdue: current == "open" && c.due.is_some_and(|d| d < today),
                            settled: last
                                .map(|f| f.settled_by.clone())
                                .filter(|s| !s.is_empty())
                                .or_else(|| c.settled_by.clone()),
                            evidence: last.map(|f| f.evidence.clone()).filter(|s| !s.is_empty()),
                            followed_up: last.map(|f| f.date.clone()),
                            current,
                            history,
                            commitment: c.clone(),
                        }
                    })
                    .collect();
                out.push(RoundView {
                    agreement: a.id.to_string(),
                    round: r.clone(),
                    commitments,
                    has_statement: r.statement.is_some(),
                });
            }
        }
        out.sort_by(|x, y| {
            (x.round.start, &x.agreement, x.round.id.as_str()).cmp(&(
                y.round.start,
                &y.agreement,
                y.round.id.as_str(),
            ))
        });
        Ok(out)
    }

    /// Extraction over a round's final statement, if the definition ships one.
    pub fn statement_findings(&self, r: &Round) -> Option<StatementFindings> {
        let text = r.statement.as_ref()?;
        let x = self.extractor().extract(text, Some(r.end));
        let m = &x.mentions;
        let mut spans: Vec<[usize; 2]> = vec![];
        let mut places = vec![];
        for p in &m.places {
            spans.push([p.start, p.end]);
            if !places.contains(&p.name) {
                places.push(p.name.clone());
            }
        }
        let mut dates = vec![];
        for d in &m.dates {
            spans.push([d.start, d.end]);
            dates.push((d.text.clone(), d.date));
        }
        let mut actors = vec![];
        for a in &m.actors {
            spans.push([a.start, a.end]);
            let id = a.actor.as_str().to_string();
            if !actors.contains(&id) {
                actors.push(id);
            }
        }
        Some(StatementFindings {
            text: text.clone(),
            spans,
            places,
            dates,
            actors,
        })
    }
}
