//! The coordination centre's loop: ingest, merge, assess, stances, review, audit.

use hudna_app::definition::LoadOptions;
use hudna_app::sources::{read_acled, read_paths, Defaults};
use hudna_app::{Hudna, NewReport};
use hudna_core::parse_day;
use hudna_store::IncidentFilter;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data")
}

fn loaded() -> (tempfile::TempDir, Hudna) {
    let dir = tempfile::tempdir().unwrap();
    let h = Hudna::create(&dir.path().join("t.sqlite")).unwrap();
    for a in ["astana-2017", "sochi-2018", "moscow-2020"] {
        h.load_agreement(
            &root().join("agreements").join(a),
            LoadOptions::default(),
            "test",
        )
        .unwrap();
    }
    (dir, h)
}

fn today() -> chrono::NaiveDate {
    parse_day("2026-01-01").unwrap()
}

fn report(text: &str, source: &str, published: &str) -> NewReport {
    NewReport {
        text: text.into(),
        source: Some(source.into()),
        published: parse_day(published).ok(),
        origin: format!("test:{source}"),
        ..Default::default()
    }
}

const SHELLING: [(&str, &str); 3] = [
    ("قصفت قوات النظام بلدة كفرنبل في ريف إدلب الجنوبي اليوم، ما أدى إلى مقتل أربعة مدنيين وإصابة سبعة آخرين.", "outlet_a"),
    ("مقتل خمسة مدنيين وجرح تسعة بقصف مدفعي لقوات الأسد على كفرنبل جنوبي إدلب صباح اليوم.", "outlet_b"),
    ("Government forces shelled Kafranbel in southern Idlib today, killing four civilians, local rescuers said.", "outlet_c"),
];

#[test]
fn three_reports_of_one_shelling_become_one_incident_with_a_casualty_range() {
    let (_d, h) = loaded();
    let reports = SHELLING
        .iter()
        .map(|(t, s)| report(t, s, "2018-03-20"))
        .collect();
    let s = h.ingest(reports, "analyst", today(), &|_| {}).unwrap();
    assert_eq!(s.stored, 3);
    assert_eq!(s.events, 3, "{:?}", s.reports);
    assert_eq!(s.new_incidents, 1, "{:?}", s.reports);
    let all = h.incidents(&IncidentFilter::default()).unwrap();
    assert_eq!(all.len(), 1);
    let (i, a) = &all[0];
    assert_eq!(i.kind, "shelling_artillery_missile");
    assert_eq!(i.date.as_deref(), Some("2018-03-20"));
    assert_eq!(i.geonameid, Some(168661));
    assert_eq!(i.perpetrator.as_deref(), Some("syrian_government"));
    assert_eq!(
        (i.killed.low, i.killed.best, i.killed.high),
        (Some(4), Some(4), Some(5))
    );
    assert_eq!(i.reports, 3);
    assert_eq!(i.sources, 3);
    assert_eq!(i.grade, "fair");
    let astana = a.iter().find(|x| x.agreement == "astana-2017").unwrap();
    assert_eq!(astana.reading, "violation");
    assert_eq!(astana.zone.as_deref(), Some("idlib"));
    let d = h.incident(i.id).unwrap();
    assert_eq!(d.sources.len(), 3);
    assert!(
        d.sources.iter().all(|s| !s.evidence.is_empty()),
        "every account keeps its evidence"
    );
    assert!(
        d.sources[0]
            .evidence
            .iter()
            .any(|e| e.contains("كفرنبل") || e.contains("قصفت")),
        "{:?}",
        d.sources[0].evidence
    );
    // re-ingesting changes nothing
    let again = h
        .ingest(
            SHELLING
                .iter()
                .map(|(t, s)| report(t, s, "2018-03-20"))
                .collect(),
            "analyst",
            today(),
            &|_| {},
        )
        .unwrap();
    assert_eq!((again.stored, again.duplicates), (0, 3));
    assert_eq!(h.store().counts().unwrap().reports, 3);
}

#[test]
fn acled_rows_merge_and_bad_rows_are_named() {
    let (_d, h) = loaded();
    let csv = "event_id_cnty,event_date,event_type,sub_event_type,actor1,actor2,admin1,admin2,admin3,location,latitude,longitude,geo_precision,time_precision,source,source_scale,notes,fatalities\n\
SYR1,2018-03-20,Explosions/Remote violence,Shelling/artillery/missile attack,Military Forces of Syria (2000-),Civilians (Syria),Idleb,Maarrat An Nu'man,Kafr Nobol,Kafr Nobol,35.6138,36.5612,1,1,SOHR,National,shelling,4\n\
SYR2,2018-03-20,Explosions/Remote violence,Shelling/artillery/missile attack,Military Forces of Syria (2000-),Civilians (Syria),Idleb,Maarrat An Nu'man,Kafr Nobol,Kafr Nobol,35.6138,36.5612,1,1,Local Coordination Committees,Subnational,shelling,5\n\
SYR3,2018-03-32,Explosions/Remote violence,Shelling/artillery/missile attack,X,Y,Idleb,,,Kafr Nobol,35.6,36.5,1,1,S,,n,1\n\
SYR4,2018-03-21,Explosions/Remote violence,Bombardment,X,Y,Idleb,,,Kafr Nobol,35.6,36.5,1,1,S,,n,1\n\
SYR5,2018-03-20,Explosions/Remote violence,Shelling/artillery/missile attack,Military Forces of Syria (2000-),Civilians (Syria),Idleb,,,Kafr Nobol,35.61,36.56,1,1,Smart News,Subnational,n,4\n";
    let r = read_acled("acled.csv", csv);
    assert_eq!(r.reports.len(), 3);
    assert_eq!(r.problems.len(), 2, "{:?}", r.problems);
    assert!(
        r.problems[0].starts_with("acled.csv:4: event_date"),
        "{}",
        r.problems[0]
    );
    assert!(
        r.problems[1].starts_with("acled.csv:5: sub_event_type"),
        "{}",
        r.problems[1]
    );
    let s = h.ingest(r.reports, "analyst", today(), &|_| {}).unwrap();
    assert_eq!(s.new_incidents, 1);
    let all = h
        .incidents(&IncidentFilter {
            violations_only: true,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].0.killed.best, Some(4));
    assert_eq!(all[0].0.killed.high, Some(5));
}

#[test]
fn bad_reports_are_refused_by_name_and_unresolved_places_are_kept_and_flagged() {
    let (_d, h) = loaded();
    let reports = vec![
        report("", "a", "2018-01-01"),
        report("قصفت قوات النظام بلدة كفرنبل اليوم", "b", "2099-01-01"),
        report(
            "قصفت قوات النظام قرية المزرعة الشرقية الصغيرة في ريف بعيد اليوم ما أدى إلى مقتل رجل",
            "c",
            "2018-01-10",
        ),
        NewReport {
            text: "Russian jets struck Khan Sheikhoun today, killing three.".into(),
            source: None,
            published: parse_day("2019-05-27").ok(),
            origin: "no-source".into(),
            ..Default::default()
        },
    ];
    let s = h.ingest(reports, "analyst", today(), &|_| {}).unwrap();
    assert_eq!(s.rejected, 2);
    let why: Vec<String> = s
        .reports
        .iter()
        .filter(|r| r.outcome == "rejected")
        .map(|r| r.reason.clone().unwrap())
        .collect();
    assert!(why[0].contains("empty"));
    assert!(why[1].contains("future"));
    assert_eq!(s.stored, 2);
    let no_source = s.reports.iter().find(|r| r.origin == "no-source").unwrap();
    assert!(
        no_source.flags.contains(&"unknown_source".to_owned()),
        "{:?}",
        no_source.flags
    );

    // files: empty, binary and non-UTF-8 are named; the good one goes through
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "").unwrap();
    std::fs::write(dir.path().join("b.txt"), [0u8, 159, 146, 150]).unwrap();
    std::fs::write(dir.path().join("c.txt"), [b'a', b'b', 0xff, b'c']).unwrap();
    std::fs::write(dir.path().join("d.txt"), "قصفت قوات النظام بلدة كفرنبل").unwrap();
    let read = read_paths(
        &[dir.path().to_owned()],
        &Defaults::default(),
        &mut std::io::empty(),
    );
    assert_eq!(read.reports.len(), 1);
    assert_eq!(read.problems.len(), 3, "{:?}", read.problems);
    assert!(read
        .problems
        .iter()
        .any(|p| p.contains("b.txt") && p.contains("binary")));
    assert!(read
        .problems
        .iter()
        .any(|p| p.contains("c.txt") && p.contains("byte offset 2")));
}

#[test]
fn stances_consensus_grades_review_and_revisions() {
    let (_d, h) = loaded();
    h.ingest(
        SHELLING
            .iter()
            .map(|(t, s)| report(t, s, "2018-03-20"))
            .collect(),
        "analyst",
        today(),
        &|_| {},
    )
    .unwrap();
    let id = h.incidents(&IncidentFilter::default()).unwrap()[0].0.id;
    let refused = h.record_stance(id, "astana-2017", "israel", "dispute", "", "x");
    assert!(
        matches!(refused, Err(hudna_app::AppError::Refused(_))),
        "{refused:?}"
    );
    let d = h
        .record_stance(
            id,
            "astana-2017",
            "turkey",
            "confirm",
            "our observers saw it",
            "liaison-tr",
        )
        .unwrap();
    assert_eq!(d.consensus[0].state, "pending");
    h.record_stance(id, "astana-2017", "iran", "confirm", "", "liaison-ir")
        .unwrap();
    let d = h
        .record_stance(id, "astana-2017", "russia", "confirm", "", "liaison-ru")
        .unwrap();
    assert_eq!(
        d.consensus
            .iter()
            .find(|c| c.agreement == "astana-2017")
            .unwrap()
            .state,
        "consensus_confirm"
    );
    assert_eq!(d.incident.grade, "confirmed");
    let d = h
        .record_stance(
            id,
            "astana-2017",
            "russia",
            "dispute",
            "no such shelling",
            "liaison-ru",
        )
        .unwrap();
    let c = d
        .consensus
        .iter()
        .find(|c| c.agreement == "astana-2017")
        .unwrap();
    assert_eq!(c.state, "disputed");
    assert_eq!(c.dispute, ["russia"]);
    assert_eq!(d.incident.grade, "contested");

    assert!(
        h.review(id, "published", None, None, "a").is_err(),
        "new cannot jump to published"
    );
    h.review(id, "in_review", Some("analyst-1"), None, "a")
        .unwrap();
    h.review(id, "ready", None, None, "a").unwrap();
    let p = h.review(id, "published", None, None, "a").unwrap();
    assert_eq!(p.status, "published");
    let silent = h.override_grade(id, Some("discounted"), "duplicate claim", None, "a");
    assert!(
        matches!(silent, Err(hudna_app::AppError::Refused(_))),
        "published changes only through a revision: {silent:?}"
    );
    let r = h
        .override_grade(
            id,
            Some("discounted"),
            "duplicate claim",
            Some("new evidence from the field team"),
            "a",
        )
        .unwrap();
    assert_eq!((r.grade.as_str(), r.revision), ("discounted", 1));
    let hist = h.incident(id).unwrap().history;
    assert!(hist
        .iter()
        .any(|e| e.action == "incident.grade_override" && e.detail.contains("new evidence")));
}

#[test]
fn merge_and_split_keep_ids_stable() {
    let (_d, h) = loaded();
    let reports = vec![
        report(
            "قصفت قوات النظام بلدة كفرنبل اليوم ما أدى إلى مقتل أربعة مدنيين",
            "a",
            "2018-03-20",
        ),
        report(
            "قصفت قوات النظام مدينة الرستن في ريف حمص الشمالي اليوم ما أدى إلى مقتل مدنيين اثنين",
            "b",
            "2017-10-02",
        ),
    ];
    h.ingest(reports, "analyst", today(), &|_| {}).unwrap();
    let mut ids: Vec<i64> = h
        .incidents(&IncidentFilter::default())
        .unwrap()
        .iter()
        .map(|x| x.0.id)
        .collect();
    ids.sort();
    assert_eq!(ids.len(), 2);
    let k = h.merge(ids[0], &[ids[1]], None, "analyst").unwrap();
    assert_eq!(k.reports, 2);
    assert_eq!(k.absorbed, format!("[{}]", ids[1]));
    // the absorbed id still leads to the keeper
    assert_eq!(h.incident(ids[1]).unwrap().incident.id, ids[0]);
    let ev = h
        .incident(ids[0])
        .unwrap()
        .sources
        .iter()
        .map(|s| s.event.id)
        .collect::<Vec<_>>();
    let (kept, new) = h.split(ids[0], &ev[1..], None, "analyst").unwrap();
    assert_eq!(kept.reports, 1);
    assert_eq!(new.reports, 1);
    assert!(new.id > ids[1]);
    assert_eq!(h.store().verify_audit().unwrap().1, None);
}

#[test]
fn a_rule_change_reassesses_everything() {
    let (dir, h) = loaded();
    h.ingest(
        vec![report(
            "قصفت قوات النظام بلدة كفرنبل اليوم ما أدى إلى مقتل أربعة مدنيين",
            "a",
            "2018-03-20",
        )],
        "analyst",
        today(),
        &|_| {},
    )
    .unwrap();
    let v = h
        .incidents(&IncidentFilter {
            violations_only: true,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(v.len(), 1);
    // a copy of astana-2017 whose rules no longer prohibit shelling
    let copy = dir.path().join("astana");
    std::fs::create_dir_all(copy.join("statements")).unwrap();
    for f in ["zones.geojson", "posts.geojson"] {
        std::fs::copy(root().join("agreements/astana-2017").join(f), copy.join(f)).unwrap();
    }
    std::fs::copy(
        root().join("agreements/astana-2017/statements/astana-6.txt"),
        copy.join("statements/astana-6.txt"),
    )
    .unwrap();
    let toml =
        std::fs::read_to_string(root().join("agreements/astana-2017/agreement.toml")).unwrap();
    std::fs::write(
        copy.join("agreement.toml"),
        toml.replace("\"shelling_artillery_missile\",", "")
            .replace("\"shelling_artillery_missile\"", "\"grenade\""),
    )
    .unwrap();
    let r = h
        .load_agreement(&copy, LoadOptions::default(), "analyst")
        .unwrap();
    assert_eq!(r.outcome, "replaced");
    assert!(r.reassessed >= 1, "{r:?}");
    let v = h
        .incidents(&IncidentFilter {
            violations_only: true,
            ..Default::default()
        })
        .unwrap();
    assert!(v.is_empty(), "shelling is no longer prohibited: {v:?}");
    // the incident's history says why its reading moved, in the audit log
    let id = h.incidents(&IncidentFilter::default()).unwrap()[0].0.id;
    let log = h
        .store()
        .audit_log(Some(&format!("incident/{id}")))
        .unwrap();
    let e = log
        .iter()
        .find(|e| e.action == "incident.reassess")
        .expect("a reassessment entry");
    assert!(e.detail.contains("violation"), "{}", e.detail);
    // reassessing again changes nothing and writes no incident entry
    let n = log.len();
    assert_eq!(h.reassess_all("analyst").unwrap(), 0);
    assert_eq!(
        h.store()
            .audit_log(Some(&format!("incident/{id}")))
            .unwrap()
            .len(),
        n
    );
    assert_eq!(h.store().verify_audit().unwrap().1, None);
}

#[test]
fn tampering_with_an_incident_behind_hudnas_back_is_caught() {
    let (dir, h) = loaded();
    h.ingest(
        SHELLING
            .iter()
            .map(|(t, s)| report(t, s, "2018-03-20"))
            .collect(),
        "analyst",
        today(),
        &|_| {},
    )
    .unwrap();
    let id = h.incidents(&IncidentFilter::default()).unwrap()[0].0.id;
    h.record_stance(id, "astana-2017", "turkey", "confirm", "seen", "liaison-tr")
        .unwrap();
    assert_eq!(h.store().verify_audit().unwrap().1, None);
    let raw = rusqlite_open(&dir.path().join("t.sqlite"));
    // someone rewrites Turkey's recorded stance in the log
    let n = raw.execute("UPDATE audit_log SET detail = replace(detail, '\"confirm\"', '\"dispute\"') WHERE action = 'incident.stance'", []).unwrap();
    assert_eq!(n, 1);
    let (_, brk) = h.store().verify_audit().unwrap();
    let brk = brk.expect("the edit is caught");
    let entry = h
        .store()
        .audit_log(None)
        .unwrap()
        .into_iter()
        .find(|e| e.action == "incident.stance")
        .unwrap();
    assert_eq!(brk.id, entry.id);
}

fn rusqlite_open(p: &std::path::Path) -> rusqlite::Connection {
    rusqlite::Connection::open(p).unwrap()
}
