//! Any text: the report readers (a text, JSON Lines), the ACLED CSV reader
//! and the person-list reader never panic, and every row is either taken or
//! named in a problem.
#![no_main]
use hudna_app::persons::read_person_csv;
use hudna_app::sources::{read_acled, read_text, Defaults};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let a = read_acled("fuzz.csv", text);
    for r in &a.reports {
        assert!(r.events.as_ref().is_some_and(|e| e.len() == 1));
    }
    let p = read_person_csv("fuzz.csv", text, "missing");
    for r in &p.records {
        assert!(!r.record_id.is_empty());
        assert!(!(r.full_name.is_empty() && r.first.is_empty()));
    }
    let r = read_text("fuzz.txt", text, &Defaults::default());
    for rep in &r.reports {
        assert!(!rep.text.trim().is_empty());
    }
    // every non-empty line of JSON Lines is a report or a problem naming its line
    if text.trim_start().starts_with('{') {
        let lines = text.lines().filter(|l| !l.trim().is_empty()).count();
        assert_eq!(r.reports.len() + r.problems.len(), lines);
    }
});
