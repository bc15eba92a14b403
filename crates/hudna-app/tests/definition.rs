//! A broken agreement directory: every problem is reported, with its place, and nothing is written.

use hudna_app::definition::{load_dir, LoadOptions};
use hudna_app::Hudna;
use std::fs;

const TOML: &str = r#"id = "test-1"
name_ar = "اختبار"
name_en = "Test"
signed = 2017-05-04
area_bbox = [35.5, 32.2, 42.5, 37.4]

[[party]]
id = "russia"
role = "guarantor"
name_ar = "روسيا"
name_en = "Russia"

[[party]]
id = "rebels"
role = "warlord"
name_ar = "x"
name_en = "x"

[mandate]
start = 2017-05-04
term_months = 6
extension_rule = "automatic_unless_objection"
consenting = ["russia", "atlantis"]

[[zone]]
id = "a"
name_ar = "أ"
name_en = "A"

[[zone.version]]
valid_from = 2017-05-04
valid_to = 2018-01-01
status = "active"
geometry = "zones.geojson#cw"

[[zone.version]]
valid_from = 2017-12-01
status = "active"
geometry = "zones.geojson#bowtie"

[[zone]]
id = "b"
name_ar = "ب"
name_en = "B"

[[zone.version]]
valid_from = "2017-13-01"
status = "active"
geometry = "../outside.geojson#x"

[[rule]]
id = "r"
name_ar = "ق"
name_en = "R"
prohibited = ["bombardment"]
bound = ["russia", "nobody"]
"#;

const GEOJSON: &str = r#"{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"id":"cw"},"geometry":{"type":"Polygon","coordinates":[[[36,35],[36,36],[37,36],[37,35],[36,35]]]}},
 {"type":"Feature","properties":{"id":"bowtie"},"geometry":{"type":"Polygon","coordinates":[[[36,35],[37,36],[37,35],[36,36],[36,35]]]}},
 {"type":"Feature","properties":{"id":"swapped"},"geometry":{"type":"Polygon","coordinates":[[[35,36],[35,37],[36,37],[35,36]]]}}
]}"#;

#[test]
fn every_problem_is_named_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("agreement.toml"), TOML).unwrap();
    fs::write(dir.path().join("zones.geojson"), GEOJSON).unwrap();
    let problems = load_dir(dir.path(), LoadOptions::default()).unwrap_err();
    let all: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    let has = |needle: &str| all.iter().any(|p| p.contains(needle));
    let report = all.join("\n");
    assert!(has("party[1].role"), "unknown role: {report}");
    assert!(has("warlord"), "{report}");
    assert!(has("atlantis"), "unknown consenting party: {report}");
    assert!(has("counter-clockwise"), "wrong winding: {report}");
    assert!(has("crosses itself"), "self-intersection: {report}");
    assert!(has("overlaps version 1"), "overlapping versions: {report}");
    assert!(has("month 13"), "bad date: {report}");
    assert!(
        has("leaves the agreement directory"),
        "path traversal: {report}"
    );
    assert!(has("bombardment"), "unknown event type: {report}");
    assert!(has("nobody"), "unknown bound party: {report}");
    // places: the role problem sits on line 15 of agreement.toml
    let role = problems
        .iter()
        .find(|p| p.field == "party[1].role")
        .unwrap();
    assert_eq!(role.line, Some(15), "{role}");
    let wind = problems
        .iter()
        .find(|p| p.message.contains("counter-clockwise"))
        .unwrap();
    assert_eq!(wind.feature, Some(0));
    assert!(wind.file.ends_with("zones.geojson"));
    assert_eq!(problems.len(), 9, "{report}");

    // and the store stays empty
    let db = dir.path().join("t.sqlite");
    let h = Hudna::create(&db).unwrap();
    assert!(h
        .load_agreement(dir.path(), LoadOptions::default(), "t")
        .is_err());
    assert!(h.agreements().unwrap().is_empty());
    assert!(h.store().audit_log(None).unwrap().is_empty());
}

#[test]
fn fix_winding_repairs_only_winding() {
    let dir = tempfile::tempdir().unwrap();
    let toml = r#"id = "w"
name_ar = "و"
name_en = "W"
signed = 2017-05-04

[[zone]]
id = "a"
name_ar = "أ"
name_en = "A"

[[zone.version]]
valid_from = 2017-05-04
status = "active"
geometry = "zones.geojson#cw"
"#;
    fs::write(dir.path().join("agreement.toml"), toml).unwrap();
    fs::write(dir.path().join("zones.geojson"), GEOJSON).unwrap();
    assert!(load_dir(dir.path(), LoadOptions::default()).is_err());
    let ok = load_dir(dir.path(), LoadOptions { fix_winding: true }).unwrap();
    assert_eq!(ok.notes.len(), 1);
    assert!(ok.notes[0].message.contains("re-wound"));
}

#[test]
fn swapped_coordinates_are_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let toml = r#"id = "s"
name_ar = "س"
name_en = "S"
signed = 2017-05-04
area_bbox = [35.5, 32.2, 42.5, 37.4]

[[zone]]
id = "a"
name_ar = "أ"
name_en = "A"

[[zone.version]]
valid_from = 2017-05-04
status = "active"
geometry = "zones.geojson#swapped"
"#;
    fs::write(dir.path().join("agreement.toml"), toml).unwrap();
    fs::write(
        dir.path().join("zones.geojson"),
        GEOJSON.replace(
            "[[35,36],[35,37],[36,37],[35,36]]",
            "[[32.9,36.0],[33.0,36.0],[33.0,36.2],[32.9,36.0]]",
        ),
    )
    .unwrap();
    let p = load_dir(dir.path(), LoadOptions::default()).unwrap_err();
    assert!(
        p.iter()
            .any(|x| x.message.contains("looks like [lat, lon]")),
        "{p:?}"
    );
}

#[test]
fn a_half_written_directory_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let p = load_dir(dir.path(), LoadOptions::default()).unwrap_err();
    assert!(p[0].to_string().contains("agreement.toml"), "{}", p[0]);
    fs::write(
        dir.path().join("agreement.toml"),
        "id = \"x\"\nname_ar = \n",
    )
    .unwrap();
    let p = load_dir(dir.path(), LoadOptions::default()).unwrap_err();
    assert_eq!(p[0].line, Some(2), "{}", p[0]);
}
