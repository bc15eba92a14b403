//! The humanitarian file: lists, linkage across lists, review, exchanges, privacy, PFIF.

use hudna_app::persons::{pfif, read_person_csv};
use hudna_app::Hudna;
use hudna_core::parse_day;
use hudna_store::ExchangeItem;

const LIST_A: &str = "record_id,full_name,mother,sex,birth_year,place,status,holding_party\n\
a1,محمد عبد الله الأحمد,فاطمة,m,1985,كفرنبل,detained,syrian_government\n\
a2,أحمد خالد النعسان,مريم,m,1990,معرة النعمان,detained,syrian_government\n\
a3,خالد محمود السيد,عائشة,m,1979,دوما,missing,\n\
a4,,,,,,detained,\n\
a5,علي حسن الحسين,زينب,m,19x0,حمص,detained,\n";

const LIST_B: &str = "record_id,full_name,mother,sex,birth_year,place,status,script\n\
b1,محمد عبدالله احمد,فاطمه,m,1985,كفر نبل,detained,ar\n\
b2,Mohamad Abdallah al-Ahmad,Fatima,m,1986,Kafranbel,detained,latin\n\
b3,سعيد عمر الخطيب,هدى,m,1970,درعا,abducted,ar\n";

#[test]
fn lists_link_across_scripts_review_and_exchange() {
    let dir = tempfile::tempdir().unwrap();
    let h = Hudna::create(&dir.path().join("p.sqlite")).unwrap();
    let a = read_person_csv("a.csv", LIST_A, "missing");
    assert_eq!(a.records.len(), 3);
    assert_eq!(a.problems.len(), 2, "{:?}", a.problems);
    assert!(
        a.problems[0].starts_with("a.csv:5: full_name"),
        "{}",
        a.problems[0]
    );
    assert!(
        a.problems[1].starts_with("a.csv:6: birth_year"),
        "{}",
        a.problems[1]
    );
    let (la, _) = h
        .import_person_list(
            "a.csv",
            "opposition_factions",
            parse_day("2018-01-10").unwrap(),
            &a,
            "officer",
        )
        .unwrap();
    let b = read_person_csv("b.csv", LIST_B, "missing");
    let (lb, _) = h
        .import_person_list(
            "b.csv",
            "syrian_government",
            parse_day("2018-01-12").unwrap(),
            &b,
            "officer",
        )
        .unwrap();
    assert_ne!(la, lb);
    let run = h.link_persons(0.5, None, "officer").unwrap();
    assert_eq!(run.records, 6);
    let recs = h.export_persons(true, "officer").unwrap();
    let id = |rid: &str| recs.iter().find(|r| r.record_id == rid).unwrap().id;
    let links = h.person_links(Some("candidate")).unwrap();
    let has = |x: i64, y: i64| {
        links
            .iter()
            .any(|l| (l.record_a, l.record_b) == (x.min(y), x.max(y)))
    };
    assert!(
        has(id("a1"), id("b1")),
        "the Arabic spellings of one man link: {links:?}"
    );
    assert!(
        has(id("a1"), id("b2")) || has(id("b1"), id("b2")),
        "and the Latin one: {links:?}"
    );
    assert!(!has(id("a2"), id("b3")), "different people do not link");
    // accept: the two records become one person
    h.review_person_link(id("a1"), id("b1"), true, "officer")
        .unwrap();
    let v = h.person(id("a1"), "officer").unwrap();
    assert_eq!(v.same_person.len(), 1);
    assert_eq!(v.same_person[0].record_id, "b1");
    // reading a record is audited
    let reads = h
        .store()
        .audit_log(Some(&format!("person_record/{}", id("a1"))))
        .unwrap();
    assert!(reads
        .iter()
        .any(|e| e.action == "person.read" && e.actor == "officer"));
    // an exchange releases one and hands over a body
    h.add_exchange(
        parse_day("2018-05-01").unwrap(),
        "icrc",
        "Astana",
        &[
            ExchangeItem {
                record: id("a2"),
                released_by: "syrian_government".into(),
                kind: "released".into(),
            },
            ExchangeItem {
                record: id("b3"),
                released_by: "opposition_factions".into(),
                kind: "body_handed_over".into(),
            },
        ],
        "officer",
    )
    .unwrap();
    let v = h.person(id("a2"), "officer").unwrap();
    assert_eq!(v.record.status, "released");
    assert_eq!(v.history.len(), 1);
    assert_eq!(v.history[0].from_status, "detained");
    assert!(h
        .add_exchange(
            parse_day("2018-05-01").unwrap(),
            "x",
            "",
            &[ExchangeItem {
                record: 999,
                released_by: "x".into(),
                kind: "released".into()
            }],
            "o"
        )
        .is_err());
    // exports redact by default
    let red = h.export_persons(false, "officer").unwrap();
    let r1 = red.iter().find(|r| r.record_id == "a1").unwrap();
    assert_eq!(r1.full_name, "م. ع. ا. ا.");
    assert!(r1.mother.is_empty());
    assert_eq!(r1.birth_year, "1980s");
    assert_eq!(h.store().verify_audit().unwrap().1, None);
}

#[test]
fn pfif_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let h = Hudna::create(&dir.path().join("p.sqlite")).unwrap();
    let a = read_person_csv("a.csv", LIST_A, "missing");
    h.import_person_list(
        "a.csv",
        "opposition_factions",
        parse_day("2018-01-10").unwrap(),
        &a,
        "officer",
    )
    .unwrap();
    let xml = h.export_pfif("hudna.example.org", true, "officer").unwrap();
    assert!(xml.contains("xmlns:pfif=\"http://zesty.ca/pfif/1.4\""));
    assert!(xml.contains("<pfif:status>believed_missing</pfif:status>"));
    let (back, problems) = pfif::read(&xml).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    let orig = h.export_persons(true, "officer").unwrap();
    assert_eq!(back.len(), orig.len());
    for (x, y) in back.iter().zip(&orig) {
        assert_eq!(
            (
                &x.record_id,
                &x.full_name,
                &x.mother,
                &x.birth_year,
                &x.status,
                &x.holding_party
            ),
            (
                &y.record_id,
                &y.full_name,
                &y.mother,
                &y.birth_year,
                &y.status,
                &y.holding_party
            )
        );
    }
    assert!(pfif::read("<pfif:pfif><pfif:person>").is_ok() || pfif::read("<a><b></a>").is_err());
    assert!(
        pfif::read("<a><b></a>").is_err(),
        "malformed XML is refused"
    );
}
