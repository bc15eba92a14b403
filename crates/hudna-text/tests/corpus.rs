//! Golden tests over the development corpus and the Astana 6 seed statement.
//!
//! The corpus is read from `$CARGO_MANIFEST_DIR/../../../shared` (where CI
//! puts `shared/` beside the clone) and falls back to the copy in
//! `tests/corpus/`.

use hudna_text::eval::{evaluate, render_table, EvalCase};
use hudna_text::{Actor, DocKind, Extractor};
use std::path::PathBuf;

fn corpus_dir() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../../../shared/dev-corpus");
    if shared.join("001.txt").exists() {
        shared
    } else {
        root.join("tests/corpus")
    }
}

fn seed_text() -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../../../shared/seed/astana6-final-statement.txt");
    std::fs::read_to_string(&shared)
        .or_else(|_| std::fs::read_to_string(root.join("tests/corpus/astana6-final-statement.txt")))
        .expect("seed statement")
}

fn cases() -> Vec<EvalCase> {
    let dir = corpus_dir();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt") && p.with_extension("json").exists())
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| EvalCase {
            id: p.file_stem().unwrap().to_string_lossy().into_owned(),
            text: std::fs::read_to_string(&p).unwrap(),
            gold_json: std::fs::read_to_string(p.with_extension("json")).unwrap(),
        })
        .collect()
}

#[test]
fn dev_corpus_scores_at_least_0_9() {
    let cases = cases();
    assert_eq!(cases.len(), 24, "expected the 24 dev-corpus pairs");
    let r = evaluate(&Extractor::builtin(), &cases).unwrap();
    let table = render_table(&r);
    assert!(r.f1 >= 0.9, "event F1 {:.3}\n{table}", r.f1);
    assert!(
        r.kind_accuracy >= 0.9,
        "kind accuracy {:.3}\n{table}",
        r.kind_accuracy
    );
    for (name, f) in &r.fields {
        assert!(f.total > 0, "no matched events for {name}");
        assert!(
            f.accuracy >= 0.9,
            "{name} accuracy {:.3}\n{table}",
            f.accuracy
        );
    }
}

#[test]
fn extraction_round_trips_through_json() {
    let x = Extractor::builtin();
    for c in cases().iter().take(5) {
        let e = x.extract(&c.text, (2019, 7, 16));
        let json = serde_json::to_string(&e).unwrap();
        let back: hudna_text::Extraction = serde_json::from_str(&json).unwrap();
        assert_eq!(back, e);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        for key in [
            "language",
            "kind",
            "published",
            "events",
            "mentions",
            "diagnostics",
        ] {
            assert!(v.get(key).is_some(), "missing {key}");
        }
        for ev in v["events"].as_array().unwrap() {
            for key in [
                "type",
                "date",
                "date_precision",
                "location",
                "perpetrator",
                "target",
                "killed",
                "injured",
                "evidence",
            ] {
                assert!(ev.get(key).is_some(), "event missing {key}");
            }
            for key in ["name", "geonameid", "admin1", "lat", "lon", "precision"] {
                assert!(ev["location"].get(key).is_some(), "location missing {key}");
            }
        }
    }
}

#[test]
fn evidence_points_into_the_original_text() {
    let x = Extractor::builtin();
    for c in cases() {
        let e = x.extract(&c.text, None);
        for ev in &e.events {
            assert!(!ev.evidence.is_empty(), "{}: event without evidence", c.id);
            for s in &ev.evidence {
                assert!(
                    s.start < s.end && s.end <= c.text.len(),
                    "{}: bad span {s:?}",
                    c.id
                );
                assert!(c.text.is_char_boundary(s.start) && c.text.is_char_boundary(s.end));
            }
            if let Some(name) = &ev.location.name {
                assert!(
                    c.text.contains(name.as_str()),
                    "{}: {name} not in text",
                    c.id
                );
            }
        }
    }
}

#[test]
fn astana6_statement_is_a_statement_with_mentions() {
    let text = seed_text();
    let e = Extractor::builtin().extract(&text, (2017, 9, 15));
    assert_eq!(e.kind, DocKind::Statement);
    assert!(e.events.is_empty(), "{:?}", e.events);
    let places: Vec<&str> = e.mentions.places.iter().map(|p| p.name.as_str()).collect();
    for want in ["إدلب", "حماة", "حلب", "اللاذقية", "الغوطة الشرقية", "حمص"]
    {
        assert!(
            places.contains(&want),
            "place {want} missing from {places:?}"
        );
    }
    let ghouta = e
        .mentions
        .places
        .iter()
        .find(|p| p.name == "الغوطة الشرقية")
        .unwrap();
    assert_eq!(ghouta.admin1.as_deref(), Some("SY-RD"));
    let actors: Vec<Actor> = e.mentions.actors.iter().map(|a| a.actor).collect();
    for want in [
        Actor::Turkey,
        Actor::Russia,
        Actor::Iran,
        Actor::Isis,
        Actor::SyrianGovernment,
    ] {
        assert!(actors.contains(&want), "actor {want:?} missing");
    }
    let dates: Vec<(String, Option<u8>)> = e
        .mentions
        .dates
        .iter()
        .map(|d| {
            (
                d.date.map(|d| d.to_string()).unwrap_or_default(),
                d.precision,
            )
        })
        .collect();
    assert!(
        dates.contains(&("2017-05-04".to_string(), Some(1))),
        "{dates:?}"
    );
    assert!(
        dates
            .iter()
            .any(|(d, p)| d.starts_with("2017-10") && *p == Some(3)),
        "{dates:?}"
    );
    for p in &e.mentions.places {
        assert_eq!(&text[p.start..p.end], p.name);
    }
}
