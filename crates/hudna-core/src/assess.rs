//! The violation reading of one event, from the agreement's rules as data.
//!
//! Inputs are what the geo engine found (which zone versions of the agreement
//! cover the place that day) and what extraction found (type, perpetrator,
//! target). The reading is one of, from most to least severe:
//! `violation`, `carve_out_claimed`, `not_covered`, `outside_zones`; every
//! step that led to it is spelled out in `reasons`.

use crate::agreement::{Agreement, ZoneStatus};
use chrono::NaiveDate;
use std::fmt;

crate::agreement::str_enum!(
    /// The verdict of the rules on one event.
    Reading { Violation = "violation", CarveOutClaimed = "carve_out_claimed", NotCovered = "not_covered", OutsideZones = "outside_zones" }
);

impl Reading {
    fn severity(self) -> u8 {
        match self {
            Reading::Violation => 3,
            Reading::CarveOutClaimed => 2,
            Reading::NotCovered => 1,
            Reading::OutsideZones => 0,
        }
    }
}

/// What happened, as far as the rules care.
#[derive(Debug, Clone)]
pub struct Act<'a> {
    pub event_type: &'a str,
    pub perpetrator: Option<&'a str>,
    pub target: Option<&'a str>,
    pub day: NaiveDate,
}

/// A zone version of this agreement that covers the place on the day.
#[derive(Debug, Clone)]
pub struct Covering<'a> {
    pub zone: &'a str,
    pub status: ZoneStatus,
    pub security_zone: bool,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Assessment {
    pub agreement: String,
    pub reading: Reading,
    pub zone: Option<String>,
    pub rule: Option<String>,
    pub reasons: Vec<String>,
}

/// Reads one act against one agreement.
pub fn assess(agreement: &Agreement, act: &Act<'_>, covering: &[Covering<'_>]) -> Assessment {
    let mut out = Assessment {
        agreement: agreement.id.to_string(),
        reading: Reading::OutsideZones,
        zone: None,
        rule: None,
        reasons: vec![],
    };
    let active: Vec<&Covering> = covering
        .iter()
        .filter(|c| c.status == ZoneStatus::Active && agreement.zone(c.zone).is_some())
        .collect();
    if active.is_empty() {
        let inactive: Vec<String> = covering
            .iter()
            .filter(|c| c.status != ZoneStatus::Active)
            .map(|c| format!("{} ({})", c.zone, c.status))
            .collect();
        out.reasons.push(if inactive.is_empty() {
            format!(
                "no zone of {} covers the place on {}",
                agreement.id, act.day
            )
        } else {
            format!(
                "the place lies in {} on {}, not in an active zone",
                inactive.join(", "),
                act.day
            )
        });
        return out;
    }
    let mut best: Option<Assessment> = None;
    for c in &active {
        let zone_note = if c.security_zone {
            format!("zone {} (active; in its security zone)", c.zone)
        } else {
            format!("zone {} (active)", c.zone)
        };
        for rule in &agreement.rules {
            let applies = rule
                .zones
                .as_ref()
                .is_none_or(|zs| zs.iter().any(|z| z.as_str() == c.zone));
            if !applies {
                continue;
            }
            let mut a = Assessment {
                agreement: agreement.id.to_string(),
                reading: Reading::NotCovered,
                zone: Some(c.zone.to_owned()),
                rule: Some(rule.id.to_string()),
                reasons: vec![format!("{} on {}", zone_note, act.day)],
            };
            if !rule.prohibited.iter().any(|t| t == act.event_type) {
                a.reasons.push(format!(
                    "rule {}: {} is not among its prohibited acts",
                    rule.id, act.event_type
                ));
            } else {
                let parties: Vec<&str> = act
                    .perpetrator
                    .map(|p| {
                        agreement
                            .parties_for_actor(p)
                            .map(|x| x.id.as_str())
                            .collect()
                    })
                    .unwrap_or_default();
                let bound: Vec<&str> = parties
                    .iter()
                    .copied()
                    .filter(|p| rule.bound.iter().any(|b| b.as_str() == *p))
                    .collect();
                match (act.perpetrator, bound.first()) {
                    (None, _) | (Some("unknown"), _) => a.reasons.push(format!(
                        "rule {} prohibits {}, but the perpetrator is unknown",
                        rule.id, act.event_type
                    )),
                    (Some(p), None) => a.reasons.push(format!(
                        "rule {} prohibits {}, but {p} is not a party it binds ({})",
                        rule.id,
                        act.event_type,
                        rule.bound
                            .iter()
                            .map(|b| b.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                    (Some(p), Some(party)) => {
                        a.reasons.push(format!(
                            "rule {} prohibits {} by {party} (perpetrator {p})",
                            rule.id, act.event_type
                        ));
                        let carve = rule.carve_out.as_deref().and_then(|kind| {
                            let t = act.target?;
                            agreement
                                .designations_on(t, act.day)
                                .into_iter()
                                .find(|d| d.kind == kind)
                        });
                        match carve {
                            Some(d) => {
                                a.reading = Reading::CarveOutClaimed;
                                a.reasons.push(format!(
                                    "target {} designated {} by {} since {}: the counter-terrorism carve-out is claimed",
                                    d.actor, d.kind, d.by, d.valid.from
                                ));
                            }
                            None => {
                                a.reading = Reading::Violation;
                                if let Some(t) = act.target {
                                    a.reasons.push(format!(
                                        "target {t} is not designated on {}: no carve-out",
                                        act.day
                                    ));
                                }
                            }
                        }
                    }
                }
            }
            if best
                .as_ref()
                .is_none_or(|b| a.reading.severity() > b.reading.severity())
            {
                best = Some(a);
            }
        }
    }
    best.unwrap_or_else(|| Assessment {
        agreement: agreement.id.to_string(),
        reading: Reading::NotCovered,
        zone: active.first().map(|c| c.zone.to_owned()),
        rule: None,
        reasons: vec![format!(
            "{} lies in an active zone but no rule of {} applies there",
            act.event_type, agreement.id
        )],
    })
}
