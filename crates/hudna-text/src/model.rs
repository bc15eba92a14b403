//! The extraction result: the JSON schema of `hudna extract --format json`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Report language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    Ar,
    En,
}

/// What kind of document a report is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    /// Tells of violent or strategic events that happened.
    Incident,
    /// A communique, declaration or announced agreement: no events.
    Statement,
    /// Anything else (news without a codable event).
    Other,
}

/// ACLED sub-event types, snake_case (`attack_on_civilians` is ACLED's
/// "Attack", `abduction` its "Abduction/forced disappearance").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventType {
    ArmedClash,
    GovernmentRegainsTerritory,
    NonStateActorOvertakesTerritory,
    ChemicalWeapon,
    AirDroneStrike,
    SuicideBomb,
    ShellingArtilleryMissile,
    RemoteExplosive,
    Grenade,
    SexualViolence,
    AttackOnCivilians,
    Abduction,
    PeacefulProtest,
    ProtestWithIntervention,
    ExcessiveForceAgainstProtesters,
    ViolentDemonstration,
    MobViolence,
    Agreement,
    Arrests,
    ChangeToGroupActivity,
    DisruptedWeaponsUse,
    HeadquartersOrBaseEstablished,
    LootingPropertyDestruction,
    NonViolentTransferOfTerritory,
    Other,
}

/// ACLED's event_type, the grouping of sub-event types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventGroup {
    Battles,
    ExplosionsRemoteViolence,
    ViolenceAgainstCivilians,
    Protests,
    Riots,
    StrategicDevelopments,
}

impl EventGroup {
    /// ACLED's label.
    pub fn label(self) -> &'static str {
        match self {
            EventGroup::Battles => "Battles",
            EventGroup::ExplosionsRemoteViolence => "Explosions/Remote violence",
            EventGroup::ViolenceAgainstCivilians => "Violence against civilians",
            EventGroup::Protests => "Protests",
            EventGroup::Riots => "Riots",
            EventGroup::StrategicDevelopments => "Strategic developments",
        }
    }
}

impl EventType {
    /// ACLED's event_type for this sub-event type.
    pub fn group(self) -> EventGroup {
        use EventType::*;
        match self {
            ArmedClash | GovernmentRegainsTerritory | NonStateActorOvertakesTerritory => {
                EventGroup::Battles
            }
            ChemicalWeapon
            | AirDroneStrike
            | SuicideBomb
            | ShellingArtilleryMissile
            | RemoteExplosive
            | Grenade => EventGroup::ExplosionsRemoteViolence,
            SexualViolence | AttackOnCivilians | Abduction => EventGroup::ViolenceAgainstCivilians,
            PeacefulProtest | ProtestWithIntervention | ExcessiveForceAgainstProtesters => {
                EventGroup::Protests
            }
            ViolentDemonstration | MobViolence => EventGroup::Riots,
            Agreement
            | Arrests
            | ChangeToGroupActivity
            | DisruptedWeaponsUse
            | HeadquartersOrBaseEstablished
            | LootingPropertyDestruction
            | NonViolentTransferOfTerritory
            | Other => EventGroup::StrategicDevelopments,
        }
    }

    /// Parses the snake_case name.
    pub fn parse(s: &str) -> Option<EventType> {
        EVENT_TYPES.iter().find(|(_, n)| *n == s).map(|(t, _)| *t)
    }

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        EVENT_TYPES
            .iter()
            .find(|(t, _)| *t == self)
            .map(|(_, n)| *n)
            .unwrap_or("other")
    }

    /// All sub-event types.
    pub fn all() -> impl Iterator<Item = EventType> {
        EVENT_TYPES.iter().map(|(t, _)| *t)
    }
}

const EVENT_TYPES: &[(EventType, &str)] = &[
    (EventType::ArmedClash, "armed_clash"),
    (
        EventType::GovernmentRegainsTerritory,
        "government_regains_territory",
    ),
    (
        EventType::NonStateActorOvertakesTerritory,
        "non_state_actor_overtakes_territory",
    ),
    (EventType::ChemicalWeapon, "chemical_weapon"),
    (EventType::AirDroneStrike, "air_drone_strike"),
    (EventType::SuicideBomb, "suicide_bomb"),
    (
        EventType::ShellingArtilleryMissile,
        "shelling_artillery_missile",
    ),
    (EventType::RemoteExplosive, "remote_explosive"),
    (EventType::Grenade, "grenade"),
    (EventType::SexualViolence, "sexual_violence"),
    (EventType::AttackOnCivilians, "attack_on_civilians"),
    (EventType::Abduction, "abduction"),
    (EventType::PeacefulProtest, "peaceful_protest"),
    (
        EventType::ProtestWithIntervention,
        "protest_with_intervention",
    ),
    (
        EventType::ExcessiveForceAgainstProtesters,
        "excessive_force_against_protesters",
    ),
    (EventType::ViolentDemonstration, "violent_demonstration"),
    (EventType::MobViolence, "mob_violence"),
    (EventType::Agreement, "agreement"),
    (EventType::Arrests, "arrests"),
    (EventType::ChangeToGroupActivity, "change_to_group_activity"),
    (EventType::DisruptedWeaponsUse, "disrupted_weapons_use"),
    (
        EventType::HeadquartersOrBaseEstablished,
        "headquarters_or_base_established",
    ),
    (
        EventType::LootingPropertyDestruction,
        "looting_property_destruction",
    ),
    (
        EventType::NonViolentTransferOfTerritory,
        "non_violent_transfer_of_territory",
    ),
    (EventType::Other, "other"),
];

const ACTORS: &[(Actor, &str)] = &[
    (Actor::SyrianGovernment, "syrian_government"),
    (Actor::Russia, "russia"),
    (Actor::Iran, "iran"),
    (Actor::IranBackedMilitias, "iran_backed_militias"),
    (Actor::Turkey, "turkey"),
    (Actor::UsLedCoalition, "us_led_coalition"),
    (Actor::Hts, "hts"),
    (Actor::Isis, "isis"),
    (Actor::Sdf, "sdf"),
    (Actor::OppositionFactions, "opposition_factions"),
    (Actor::Civilians, "civilians"),
    (Actor::Unknown, "unknown"),
];

/// Free-standing form of [`EventType::group`].
pub fn event_group(t: EventType) -> EventGroup {
    t.group()
}

/// Canonical actors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    SyrianGovernment,
    Russia,
    Iran,
    IranBackedMilitias,
    Turkey,
    UsLedCoalition,
    Hts,
    Isis,
    Sdf,
    OppositionFactions,
    Civilians,
    Unknown,
}

impl Actor {
    /// Parses the canonical id.
    pub fn parse(s: &str) -> Option<Actor> {
        ACTORS.iter().find(|(_, n)| *n == s).map(|(a, _)| *a)
    }

    /// The canonical id.
    pub fn as_str(self) -> &'static str {
        ACTORS
            .iter()
            .find(|(a, _)| *a == self)
            .map(|(_, n)| *n)
            .unwrap_or("unknown")
    }

    /// Whether this actor takes territory for the government side.
    pub fn is_state_side(self) -> bool {
        matches!(
            self,
            Actor::SyrianGovernment | Actor::Russia | Actor::Iran | Actor::IranBackedMilitias
        )
    }
}

/// A byte range in the original text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// Where an event happened. Unknown values are null.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub name: Option<String>,
    pub geonameid: Option<u32>,
    /// ISO 3166-2, e.g. `SY-ID`.
    pub admin1: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// ACLED geo_precision: 1 town, 2 part of region, 3 region.
    pub precision: Option<u8>,
}

/// One event a report tells of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    #[serde(rename = "type")]
    pub kind: EventType,
    pub date: Option<NaiveDate>,
    /// ACLED time_precision: 1 day, 2 week, 3 month.
    pub date_precision: Option<u8>,
    pub location: Location,
    pub perpetrator: Option<Actor>,
    pub target: Option<Actor>,
    pub killed: Option<u32>,
    pub injured: Option<u32>,
    pub evidence: Vec<Span>,
}

/// A place, region or governorate named in the text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaceMention {
    /// As written, without attached particles.
    pub name: String,
    /// `place`, `governorate`, `region` or `unlisted` (a settlement the
    /// gazetteer does not know, introduced by بلدة/قرية/...).
    pub kind: String,
    pub geonameid: Option<u32>,
    pub admin1: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub precision: Option<u8>,
    pub start: usize,
    pub end: usize,
}

/// A date expression, resolved against the publication date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DateMention {
    pub text: String,
    pub date: Option<NaiveDate>,
    /// 1 day, 3 month.
    pub precision: Option<u8>,
    pub start: usize,
    pub end: usize,
}

/// An actor named in the text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActorMention {
    pub actor: Actor,
    /// `perpetrator`, `target` or `neutral`: the role the construction gives.
    pub role: String,
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// A number (digits in any script, number words, vague counts).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumberMention {
    pub text: String,
    /// Null for vague counts (عشرات, dozens).
    pub value: Option<u64>,
    pub start: usize,
    pub end: usize,
}

/// Everything recognised in a report, events or not.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Mentions {
    pub places: Vec<PlaceMention>,
    pub dates: Vec<DateMention>,
    pub actors: Vec<ActorMention>,
    pub numbers: Vec<NumberMention>,
}

/// Something the engine could not do, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Stable snake_case code.
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<usize>,
}

impl Diagnostic {
    pub fn at_line(code: &str, line: usize, message: String) -> Diagnostic {
        Diagnostic {
            code: code.to_string(),
            message,
            line: Some(line),
            start: None,
            end: None,
        }
    }

    pub fn at_span(code: &str, start: usize, end: usize, message: String) -> Diagnostic {
        Diagnostic {
            code: code.to_string(),
            message,
            line: None,
            start: Some(start),
            end: Some(end),
        }
    }
}

/// The result of extracting one report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Extraction {
    pub language: Language,
    pub kind: DocKind,
    pub published: Option<NaiveDate>,
    pub events: Vec<Event>,
    pub mentions: Mentions,
    pub diagnostics: Vec<Diagnostic>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_agree_with_serde() {
        for t in EventType::all() {
            assert_eq!(
                serde_json::to_value(t).unwrap(),
                serde_json::Value::String(t.as_str().to_string())
            );
            assert_eq!(EventType::parse(t.as_str()), Some(t));
        }
        assert_eq!(
            EventType::AttackOnCivilians.group().label(),
            "Violence against civilians"
        );
        assert_eq!(
            event_group(EventType::Arrests),
            EventGroup::StrategicDevelopments
        );
        assert_eq!(
            Actor::parse("iran_backed_militias"),
            Some(Actor::IranBackedMilitias)
        );
        assert_eq!(
            serde_json::to_value(Actor::UsLedCoalition).unwrap(),
            "us_led_coalition"
        );
    }
}
