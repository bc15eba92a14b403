//! The shipped agreements answer the questions the issue fixes, through the app.

use hudna_app::definition::LoadOptions;
use hudna_app::Hudna;
use hudna_core::{parse_day, ZoneStatus};
use std::path::PathBuf;

fn data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/agreements")
}

fn loaded() -> (tempfile::TempDir, Hudna) {
    let dir = tempfile::tempdir().unwrap();
    let h = Hudna::create(&dir.path().join("t.sqlite")).unwrap();
    for a in ["astana-2017", "sochi-2018", "moscow-2020"] {
        h.load_agreement(&data().join(a), LoadOptions::default(), "test")
            .unwrap();
    }
    (dir, h)
}

/// (lat, lon, day, expected astana zone and whether it must be active; None = no zone at all)
type Row = (
    &'static str,
    f64,
    f64,
    &'static str,
    Option<(&'static str, bool)>,
);
const TABLE: &[Row] = &[
    (
        "Douma",
        33.572,
        36.402,
        "2018-01-15",
        Some(("eastern_ghouta", true)),
    ),
    (
        "Douma",
        33.572,
        36.402,
        "2018-06-01",
        Some(("eastern_ghouta", false)),
    ),
    (
        "Kafranbel",
        35.614,
        36.563,
        "2018-03-01",
        Some(("idlib", true)),
    ),
    (
        "Jisr al-Shughur",
        35.812,
        36.318,
        "2019-06-01",
        Some(("idlib", true)),
    ),
    (
        "Rastan",
        34.926,
        36.733,
        "2017-12-01",
        Some(("northern_homs", true)),
    ),
    (
        "Nawa",
        32.889,
        36.043,
        "2017-12-01",
        Some(("southern_syria", true)),
    ),
    ("Damascus, Umayyad Sq.", 33.513, 36.276, "2018-01-15", None),
    ("Latakia city", 35.523, 35.792, "2018-01-15", None),
];

#[test]
fn the_issue_table_holds() {
    let (_d, h) = loaded();
    for (name, lat, lon, day, expect) in TABLE {
        let loc = h.locate(*lat, *lon, parse_day(day).unwrap()).unwrap();
        match expect {
            None => assert!(
                loc.zones.is_empty(),
                "{name} on {day}: expected no zone, got {:?}",
                loc.zones
            ),
            Some((zone, active)) => {
                let active_hits: Vec<_> = loc
                    .zones
                    .iter()
                    .filter(|z| z.status == ZoneStatus::Active)
                    .map(|z| z.zone.as_str())
                    .collect();
                if *active {
                    assert!(
                        active_hits.contains(zone),
                        "{name} on {day}: expected {zone} active, got {:?}",
                        loc.zones
                    );
                } else {
                    assert!(
                        !active_hits.contains(zone),
                        "{name} on {day}: {zone} must not be active, got {:?}",
                        loc.zones
                    );
                }
            }
        }
    }
    let k = h
        .locate(35.614, 36.563, parse_day("2018-03-01").unwrap())
        .unwrap();
    assert_eq!(k.admin1.as_deref(), Some("SY-ID"));
    let p = k.nearest_place.unwrap();
    assert_eq!(
        p.geonameid, 168661,
        "nearest place to Kafranbel's coordinates is Kafranbel"
    );
    assert!(p.distance_km < 2.0);
}

#[test]
fn the_mandate_runs_and_renews() {
    let (_d, h) = loaded();
    let s = h
        .mandate_status("astana-2017", parse_day("2017-12-01").unwrap())
        .unwrap();
    assert!(s.in_force);
    assert_eq!(s.extension, Some(1));
    assert_eq!(s.term_start, parse_day("2017-11-04").ok());
    assert_eq!(s.term_end, parse_day("2018-05-04").ok());
    let s = h
        .mandate_status("astana-2017", parse_day("2017-06-01").unwrap())
        .unwrap();
    assert!(s.in_force);
    assert_eq!(s.extension, Some(0));
}

#[test]
fn an_objection_is_recorded_audited_and_stops_the_next_term() {
    let (_d, h) = loaded();
    let day = parse_day("2018-10-20").unwrap();
    let s = h
        .record_consent(
            &hudna_app::NewConsent {
                agreement: "astana-2017",
                party: "iran",
                extension: 3,
                decision: hudna_core::Decision::Object,
                date: day,
                note: "test",
            },
            "liaison-iran",
        )
        .unwrap();
    assert!(!s.in_force, "extension 3 blocked by Iran's objection: {s}");
    assert!(
        h.mandate_status("astana-2017", parse_day("2018-10-21").unwrap())
            .unwrap()
            .in_force
    );
    let refused = h.record_consent(
        &hudna_app::NewConsent {
            agreement: "astana-2017",
            party: "un",
            extension: 3,
            decision: hudna_core::Decision::Grant,
            date: day,
            note: "",
        },
        "x",
    );
    assert!(
        matches!(refused, Err(hudna_app::AppError::Refused(_))),
        "{refused:?}"
    );
    let log = h
        .store()
        .audit_log(Some("agreement/astana-2017/mandate"))
        .unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(h.store().verify_audit().unwrap().1, None);
}

#[test]
fn reloading_an_unchanged_agreement_changes_nothing() {
    let (_d, h) = loaded();
    let r = h
        .load_agreement(&data().join("astana-2017"), LoadOptions::default(), "test")
        .unwrap();
    assert_eq!(r.outcome, "unchanged");
}

#[test]
fn governorates_only_inside_syria() {
    let (_d, h) = loaded();
    let day = parse_day("2018-03-01").unwrap();
    // Kilis, in Turkey, 8 km north of the border: its nearest gazetteer place is Syrian
    let kilis = h.locate(36.716, 37.115, day).unwrap();
    assert_eq!(kilis.admin1, None, "{kilis:?}");
    assert_eq!(
        h.locate(35.523, 35.792, day).unwrap().admin1.as_deref(),
        Some("SY-LA")
    );
    assert_eq!(
        h.locate(33.513, 36.276, day).unwrap().admin1.as_deref(),
        Some("SY-DI")
    );
}
