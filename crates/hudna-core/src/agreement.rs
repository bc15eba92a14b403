//! The agreement as data.

use crate::date::Interval;
use crate::ids::{AgreementId, LocalId, PartyId, ZoneId};
use crate::mandate::Mandate;
use chrono::NaiveDate;
use geo_types::MultiPolygon;
use std::fmt;

macro_rules! str_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            pub fn parse(s: &str) -> Result<Self, crate::CoreError> {
                match s { $($text => Ok($name::$variant),)+
                    _ => Err(crate::CoreError::UnknownValue {
                        kind: stringify!($name),
                        value: s.to_owned(),
                        expected: [$($text),+].join(", "),
                    }),
                }
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.pad(self.as_str()) }
        }
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> { s.serialize_str(self.as_str()) }
        }
    };
}
pub(crate) use str_enum;

str_enum!(
    /// What a party is to the agreement.
    Role { Guarantor = "guarantor", ConflictParty = "conflict_party", Observer = "observer", Mediator = "mediator" }
);
str_enum!(
    /// The state of a zone version.
    ZoneStatus { Active = "active", Suspended = "suspended", Dissolved = "dissolved" }
);
str_enum!(
    /// Which side of a zone's border a security band lies on.
    Side { Outside = "outside", Inside = "inside", Both = "both" }
);
str_enum!(
    /// Where a commitment stands.
    CommitmentStatus { Open = "open", Met = "met", Missed = "missed", Postponed = "postponed" }
);

/// Arabic and English names; Arabic first.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Names {
    pub ar: String,
    pub en: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Party {
    pub id: PartyId,
    pub role: Role,
    pub names: Names,
    /// Actor ids (as extraction names them) this party answers for.
    pub actors: Vec<String>,
}

/// A listing of an actor (e.g. as terrorist) by someone, over time.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Designation {
    pub actor: String,
    pub kind: String,
    pub by: String,
    pub valid: Interval,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Zone {
    pub id: ZoneId,
    pub number: Option<u32>,
    pub names: Names,
    pub versions: Vec<ZoneVersion>,
    pub security_zones: Vec<SecurityZone>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ZoneVersion {
    /// 1-based order of the version within its zone.
    pub seq: u32,
    pub valid: Interval,
    pub status: ZoneStatus,
    #[serde(skip)]
    pub geometry: MultiPolygon<f64>,
    /// Where the geometry came from (`zones.geojson#idlib-2017`).
    pub geometry_ref: String,
    pub approximate: bool,
    pub source: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub enum SecurityShape {
    Band { width_km: f64, side: Side },
    Area(#[serde(skip)] MultiPolygon<f64>),
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SecurityZone {
    pub valid: Interval,
    pub shape: SecurityShape,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MonitoringPost {
    pub id: LocalId,
    pub names: Names,
    pub party: PartyId,
    pub lat: f64,
    pub lon: f64,
    pub active: Interval,
}

/// A rule of the agreement: who may not do what, where.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Rule {
    pub id: LocalId,
    pub names: Names,
    /// `None` = every zone of the agreement.
    pub zones: Option<Vec<ZoneId>>,
    pub prohibited: Vec<String>,
    pub bound: Vec<PartyId>,
    /// A designation kind: acts against actors so designated that day are carved out.
    pub carve_out: Option<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Round {
    pub id: LocalId,
    pub names: Names,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub venue: String,
    pub participants: Vec<String>,
    /// Text of the final statement, when the definition ships it.
    #[serde(skip)]
    pub statement: Option<String>,
    pub statement_ref: Option<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Commitment {
    pub id: LocalId,
    pub round: LocalId,
    pub owner: String,
    pub due: Option<NaiveDate>,
    pub status: CommitmentStatus,
    pub settled_by: Option<String>,
    pub text: Names,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Agreement {
    pub id: AgreementId,
    pub names: Names,
    pub signed: NaiveDate,
    pub source: String,
    pub approximate: bool,
    /// lon_min, lat_min, lon_max, lat_max
    pub area_bbox: Option<[f64; 4]>,
    pub parties: Vec<Party>,
    pub designations: Vec<Designation>,
    pub mandate: Option<Mandate>,
    pub zones: Vec<Zone>,
    pub posts: Vec<MonitoringPost>,
    pub rules: Vec<Rule>,
    pub rounds: Vec<Round>,
    pub commitments: Vec<Commitment>,
}

impl Agreement {
    pub fn party(&self, id: &str) -> Option<&Party> {
        self.parties.iter().find(|p| p.id.as_str() == id)
    }
    pub fn zone(&self, id: &str) -> Option<&Zone> {
        self.zones.iter().find(|z| z.id.as_str() == id)
    }
    /// The parties that answer for an actor id (e.g. `russia` → party `russia`).
    pub fn parties_for_actor<'a>(&'a self, actor: &'a str) -> impl Iterator<Item = &'a Party> {
        self.parties
            .iter()
            .filter(move |p| p.actors.iter().any(|a| a == actor))
    }
    /// Designations of `actor` in force on `day`.
    pub fn designations_on(&self, actor: &str, day: NaiveDate) -> Vec<&Designation> {
        self.designations
            .iter()
            .filter(|d| d.actor == actor && d.valid.contains(day))
            .collect()
    }
}

impl Zone {
    /// The version in force on `day` (versions of one zone never overlap).
    pub fn version_on(&self, day: NaiveDate) -> Option<&ZoneVersion> {
        self.versions.iter().find(|v| v.valid.contains(day))
    }
    /// The first day the zone was active.
    pub fn active_since(&self) -> Option<NaiveDate> {
        self.versions
            .iter()
            .filter(|v| v.status == ZoneStatus::Active)
            .map(|v| v.valid.from)
            .min()
    }
}
