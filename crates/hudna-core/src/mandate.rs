//! The mandate: a term that runs and renews.
//!
//! Extension `n` covers `[start + n·term, start + (n+1)·term)`; extension 0 is
//! the initial term. Whether extension `n ≥ 1` is in force depends on the
//! rule, which the agreement states explicitly:
//! - [`ExtensionRule::AutomaticUnlessObjection`]: in force unless a consenting
//!   party recorded an objection to it (Astana: "extended automatically").
//! - [`ExtensionRule::UnanimousConsent`]: in force only once every consenting
//!   party recorded its consent.
//!
//! Consents are appended, never edited; a party's latest decision on an
//! extension is the one that counts.

use crate::agreement::str_enum;
use crate::date::add_months;
use crate::ids::PartyId;
use chrono::NaiveDate;
use std::fmt;

str_enum!(
    /// How a term renews.
    ExtensionRule { AutomaticUnlessObjection = "automatic_unless_objection", UnanimousConsent = "unanimous_consent" }
);
str_enum!(
    /// A party's decision on one extension.
    Decision { Grant = "grant", Object = "object" }
);

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Consent {
    pub extension: u32,
    pub party: PartyId,
    pub decision: Decision,
    pub date: NaiveDate,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Mandate {
    pub start: NaiveDate,
    pub term_months: u32,
    pub rule: ExtensionRule,
    pub consenting: Vec<PartyId>,
    pub until: Option<NaiveDate>,
    pub consents: Vec<Consent>,
}

/// The mandate's state on one day.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MandateStatus {
    pub at: NaiveDate,
    pub in_force: bool,
    /// The extension whose term contains `at` (0 = initial term); `None` before the start.
    pub extension: Option<u32>,
    pub term_start: Option<NaiveDate>,
    pub term_end: Option<NaiveDate>,
    pub rule: ExtensionRule,
    /// Consenting parties that granted this extension.
    pub granted: Vec<PartyId>,
    /// Consenting parties that objected to this extension.
    pub objected: Vec<PartyId>,
    /// Consenting parties with no decision recorded on the next extension.
    pub missing_for_next: Vec<PartyId>,
    pub reason: String,
}

impl Mandate {
    /// First day and first day after of extension `n`.
    pub fn term(&self, n: u32) -> (NaiveDate, NaiveDate) {
        (
            add_months(self.start, self.term_months * n),
            add_months(self.start, self.term_months * (n + 1)),
        )
    }

    /// The extension whose term contains `day`.
    pub fn extension_on(&self, day: NaiveDate) -> Option<u32> {
        if day < self.start || self.term_months == 0 {
            return None;
        }
        let mut n = ((day - self.start).num_days() / 31 / self.term_months as i64) as u32;
        loop {
            let (s, e) = self.term(n);
            if day < s {
                n -= 1;
            } else if day >= e {
                n += 1;
            } else {
                return Some(n);
            }
        }
    }

    /// Each consenting party's latest decision on extension `n`, as of `day`.
    fn decisions(&self, n: u32, day: NaiveDate) -> Vec<(PartyId, Option<Decision>)> {
        self.consenting
            .iter()
            .map(|p| {
                let d = self
                    .consents
                    .iter()
                    .filter(|c| c.extension == n && &c.party == p && c.date <= day)
                    .max_by_key(|c| c.date)
                    .map(|c| c.decision);
                (p.clone(), d)
            })
            .collect()
    }

    fn extension_holds(&self, n: u32, day: NaiveDate) -> (bool, String) {
        if n == 0 {
            return (true, "initial term".into());
        }
        let ds = self.decisions(n, day);
        match self.rule {
            ExtensionRule::AutomaticUnlessObjection => {
                let obj: Vec<_> = ds
                    .iter()
                    .filter(|(_, d)| *d == Some(Decision::Object))
                    .map(|(p, _)| p.as_str())
                    .collect();
                if obj.is_empty() {
                    (
                        true,
                        format!("extension {n} renewed automatically: no objection recorded"),
                    )
                } else {
                    (
                        false,
                        format!("extension {n} blocked: objection by {}", obj.join(", ")),
                    )
                }
            }
            ExtensionRule::UnanimousConsent => {
                let missing: Vec<_> = ds
                    .iter()
                    .filter(|(_, d)| *d != Some(Decision::Grant))
                    .map(|(p, _)| p.as_str())
                    .collect();
                if missing.is_empty() {
                    (
                        true,
                        format!("extension {n} granted by every consenting party"),
                    )
                } else {
                    (
                        false,
                        format!("extension {n} lacks the consent of {}", missing.join(", ")),
                    )
                }
            }
        }
    }

    /// Is the mandate in force on `day`, and under which extension?
    /// A lapse is final: once an extension fails, later terms do not revive it.
    pub fn status_on(&self, day: NaiveDate) -> MandateStatus {
        let mut st = MandateStatus {
            at: day,
            in_force: false,
            extension: None,
            term_start: None,
            term_end: None,
            rule: self.rule,
            granted: vec![],
            objected: vec![],
            missing_for_next: vec![],
            reason: String::new(),
        };
        let Some(n) = self.extension_on(day) else {
            st.reason = format!("before the mandate's start ({})", self.start);
            return st;
        };
        let (s, e) = self.term(n);
        st.extension = Some(n);
        st.term_start = Some(s);
        st.term_end = Some(e);
        for (p, d) in self.decisions(n, day) {
            match d {
                Some(Decision::Grant) => st.granted.push(p),
                Some(Decision::Object) => st.objected.push(p),
                None => {}
            }
        }
        st.missing_for_next = self
            .decisions(n + 1, day)
            .into_iter()
            .filter(|(_, d)| d.is_none())
            .map(|(p, _)| p)
            .collect();
        if let Some(u) = self.until {
            if day >= u {
                st.reason = format!("the mandate ended on {u}");
                return st;
            }
        }
        for k in 1..=n {
            let (ok, why) = self.extension_holds(k, day);
            if !ok {
                st.reason = if k == n {
                    why
                } else {
                    format!("lapsed at extension {k}: {why}")
                };
                return st;
            }
            st.reason = why;
        }
        if n == 0 {
            st.reason = "initial term".into();
        }
        st.in_force = true;
        st
    }
}

impl fmt::Display for MandateStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.extension, self.term_start, self.term_end) {
            (Some(n), Some(s), Some(e)) => write!(
                f,
                "{} on {}: extension {n}, term {s} to {e} ({})",
                if self.in_force {
                    "in force"
                } else {
                    "not in force"
                },
                self.at,
                self.reason
            ),
            _ => write!(f, "not in force on {}: {}", self.at, self.reason),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::parse_day;

    fn d(s: &str) -> NaiveDate {
        parse_day(s).unwrap()
    }
    fn p(s: &str) -> PartyId {
        PartyId::parse(s).unwrap()
    }
    fn astana(rule: ExtensionRule) -> Mandate {
        Mandate {
            start: d("2017-05-04"),
            term_months: 6,
            rule,
            consenting: vec![p("russia"), p("turkey"), p("iran")],
            until: None,
            consents: vec![],
        }
    }

    #[test]
    fn astana_terms_and_extensions() {
        let m = astana(ExtensionRule::AutomaticUnlessObjection);
        let s = m.status_on(d("2017-12-01"));
        assert!(s.in_force);
        assert_eq!(s.extension, Some(1));
        assert_eq!(s.term_start, Some(d("2017-11-04")));
        assert_eq!(s.term_end, Some(d("2018-05-04")));
        let s = m.status_on(d("2017-06-01"));
        assert!(s.in_force);
        assert_eq!(s.extension, Some(0));
        assert_eq!(m.extension_on(d("2017-11-03")), Some(0));
        assert_eq!(m.extension_on(d("2017-11-04")), Some(1));
        assert!(!m.status_on(d("2017-05-03")).in_force);
        assert_eq!(m.extension_on(d("2020-03-01")), Some(5));
    }

    #[test]
    fn objection_blocks_automatic_renewal_and_lapse_is_final() {
        let mut m = astana(ExtensionRule::AutomaticUnlessObjection);
        m.consents.push(Consent {
            extension: 2,
            party: p("iran"),
            decision: Decision::Object,
            date: d("2018-04-20"),
            note: String::new(),
        });
        assert!(
            m.status_on(d("2018-04-21")).in_force,
            "extension 1 still runs"
        );
        let s = m.status_on(d("2018-06-01"));
        assert!(!s.in_force);
        assert_eq!(s.objected, vec![p("iran")]);
        assert!(!m.status_on(d("2019-01-01")).in_force, "a lapse is final");
    }

    #[test]
    fn unanimous_consent_needs_every_guarantor() {
        let mut m = astana(ExtensionRule::UnanimousConsent);
        assert!(!m.status_on(d("2017-12-01")).in_force);
        for party in ["russia", "turkey"] {
            m.consents.push(Consent {
                extension: 1,
                party: p(party),
                decision: Decision::Grant,
                date: d("2017-10-30"),
                note: String::new(),
            });
        }
        let s = m.status_on(d("2017-12-01"));
        assert!(!s.in_force);
        assert!(s.reason.contains("iran"), "{}", s.reason);
        m.consents.push(Consent {
            extension: 1,
            party: p("iran"),
            decision: Decision::Grant,
            date: d("2017-11-06"),
            note: String::new(),
        });
        assert!(m.status_on(d("2017-12-01")).in_force);
        // a consent counts only from the day it was given
        assert!(!m.status_on(d("2017-11-05")).in_force);
    }
}
