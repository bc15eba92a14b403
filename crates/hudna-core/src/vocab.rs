//! Vocabularies Hudna adopts: ACLED event types and precision codes, actor
//! ids, Airwars verification grades.

use crate::agreement::str_enum;
use std::fmt;

/// ACLED sub-event types (snake_case) with their ACLED event type.
pub const SUB_EVENT_TYPES: &[(&str, &str)] = &[
    ("armed_clash", "battles"),
    ("government_regains_territory", "battles"),
    ("non_state_actor_overtakes_territory", "battles"),
    ("chemical_weapon", "explosions_remote_violence"),
    ("air_drone_strike", "explosions_remote_violence"),
    ("suicide_bomb", "explosions_remote_violence"),
    ("shelling_artillery_missile", "explosions_remote_violence"),
    ("remote_explosive", "explosions_remote_violence"),
    ("grenade", "explosions_remote_violence"),
    ("sexual_violence", "violence_against_civilians"),
    ("attack_on_civilians", "violence_against_civilians"),
    ("abduction", "violence_against_civilians"),
    ("peaceful_protest", "protests"),
    ("protest_with_intervention", "protests"),
    ("excessive_force_against_protesters", "protests"),
    ("violent_demonstration", "riots"),
    ("mob_violence", "riots"),
    ("agreement", "strategic_developments"),
    ("arrests", "strategic_developments"),
    ("change_to_group_activity", "strategic_developments"),
    ("disrupted_weapons_use", "strategic_developments"),
    ("headquarters_or_base_established", "strategic_developments"),
    ("looting_property_destruction", "strategic_developments"),
    (
        "non_violent_transfer_of_territory",
        "strategic_developments",
    ),
    ("other", "strategic_developments"),
];

/// The ACLED event type of a sub-event type, if it is one.
pub fn event_type_of(sub_event: &str) -> Option<&'static str> {
    SUB_EVENT_TYPES
        .iter()
        .find(|(s, _)| *s == sub_event)
        .map(|(_, t)| *t)
}

/// Maps ACLED's human spelling ("Shelling/artillery/missile attack",
/// "Air/drone strike", "Attack") to Hudna's snake_case sub-event type.
pub fn sub_event_from_acled(label: &str) -> Option<&'static str> {
    let l = label.trim().to_ascii_lowercase();
    let s = match l.as_str() {
        "armed clash" => "armed_clash",
        "government regains territory" => "government_regains_territory",
        "non-state actor overtakes territory" => "non_state_actor_overtakes_territory",
        "chemical weapon" => "chemical_weapon",
        "air/drone strike" => "air_drone_strike",
        "suicide bomb" => "suicide_bomb",
        "shelling/artillery/missile attack" => "shelling_artillery_missile",
        "remote explosive/landmine/ied" => "remote_explosive",
        "grenade" => "grenade",
        "sexual violence" => "sexual_violence",
        "attack" => "attack_on_civilians",
        "abduction/forced disappearance" => "abduction",
        "peaceful protest" => "peaceful_protest",
        "protest with intervention" => "protest_with_intervention",
        "excessive force against protesters" => "excessive_force_against_protesters",
        "violent demonstration" => "violent_demonstration",
        "mob violence" => "mob_violence",
        "agreement" => "agreement",
        "arrests" => "arrests",
        "change to group/activity" => "change_to_group_activity",
        "disrupted weapons use" => "disrupted_weapons_use",
        "headquarters or base established" => "headquarters_or_base_established",
        "looting/property destruction" => "looting_property_destruction",
        "non-violent transfer of territory" => "non_violent_transfer_of_territory",
        "other" => "other",
        _ => {
            return SUB_EVENT_TYPES
                .iter()
                .find(|(s, _)| *s == l)
                .map(|(s, _)| *s)
        }
    };
    Some(s)
}

/// ACLED's human spelling of a Hudna sub-event type (inverse of [`sub_event_from_acled`]).
pub fn acled_label(sub_event: &str) -> &'static str {
    match sub_event {
        "armed_clash" => "Armed clash",
        "government_regains_territory" => "Government regains territory",
        "non_state_actor_overtakes_territory" => "Non-state actor overtakes territory",
        "chemical_weapon" => "Chemical weapon",
        "air_drone_strike" => "Air/drone strike",
        "suicide_bomb" => "Suicide bomb",
        "shelling_artillery_missile" => "Shelling/artillery/missile attack",
        "remote_explosive" => "Remote explosive/landmine/IED",
        "grenade" => "Grenade",
        "sexual_violence" => "Sexual violence",
        "attack_on_civilians" => "Attack",
        "abduction" => "Abduction/forced disappearance",
        "peaceful_protest" => "Peaceful protest",
        "protest_with_intervention" => "Protest with intervention",
        "excessive_force_against_protesters" => "Excessive force against protesters",
        "violent_demonstration" => "Violent demonstration",
        "mob_violence" => "Mob violence",
        "agreement" => "Agreement",
        "arrests" => "Arrests",
        "change_to_group_activity" => "Change to group/activity",
        "disrupted_weapons_use" => "Disrupted weapons use",
        "headquarters_or_base_established" => "Headquarters or base established",
        "looting_property_destruction" => "Looting/property destruction",
        "non_violent_transfer_of_territory" => "Non-violent transfer of territory",
        _ => "Other",
    }
}

/// ACLED's event type label.
pub fn acled_event_type_label(event_type: &str) -> &'static str {
    match event_type {
        "battles" => "Battles",
        "explosions_remote_violence" => "Explosions/Remote violence",
        "violence_against_civilians" => "Violence against civilians",
        "protests" => "Protests",
        "riots" => "Riots",
        _ => "Strategic developments",
    }
}

/// Canonical actor ids that extraction produces.
pub const ACTORS: &[&str] = &[
    "syrian_government",
    "russia",
    "iran",
    "iran_backed_militias",
    "turkey",
    "us_led_coalition",
    "hts",
    "isis",
    "sdf",
    "opposition_factions",
    "civilians",
    "unknown",
];

str_enum!(
    /// Verification grades, as Airwars grades civilian harm claims.
    Grade { Confirmed = "confirmed", Fair = "fair", Weak = "weak", Contested = "contested", Discounted = "discounted" }
);

/// ACLED geo_precision: 1 town, 2 near or part of a region, 3 region.
pub fn geo_precision_label(p: u8) -> &'static str {
    match p {
        1 => "town",
        2 => "part of region",
        _ => "region",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acled_labels_round_trip() {
        for (s, t) in SUB_EVENT_TYPES {
            assert_eq!(sub_event_from_acled(acled_label(s)), Some(*s), "{s}");
            assert_eq!(event_type_of(s), Some(*t));
        }
        assert_eq!(
            sub_event_from_acled("Shelling/artillery/missile attack"),
            Some("shelling_artillery_missile")
        );
        assert_eq!(sub_event_from_acled("Bombardment"), None);
    }
}
