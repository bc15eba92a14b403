//! Exports re-import without loss; reports render in both languages.

use hudna_app::definition::LoadOptions;
use hudna_app::exports::fingerprint;
use hudna_app::reports::{render_html, Lang};
use hudna_app::sources::{read_acled, read_paths, Defaults};
use hudna_app::Hudna;
use hudna_core::parse_day;
use hudna_store::IncidentFilter;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data")
}

fn fresh(dir: &std::path::Path, name: &str) -> Hudna {
    let h = Hudna::create(&dir.join(name)).unwrap();
    for a in ["astana-2017", "sochi-2018", "moscow-2020"] {
        h.load_agreement(
            &root().join("agreements").join(a),
            LoadOptions::default(),
            "test",
        )
        .unwrap();
    }
    h
}

fn today() -> chrono::NaiveDate {
    parse_day("2026-01-01").unwrap()
}

fn with_samples(dir: &std::path::Path) -> Hudna {
    let h = fresh(dir, "a.sqlite");
    let read = read_paths(
        &[root().join("samples")],
        &Defaults::default(),
        &mut std::io::empty(),
    );
    h.ingest(read.reports, "test", today(), &|_| {}).unwrap();
    let all = h.incidents(&IncidentFilter::default()).unwrap();
    let first = all.iter().max_by_key(|(i, _)| i.reports).unwrap().0.id;
    h.record_stance(first, "astana-2017", "turkey", "confirm", "seen", "lt")
        .unwrap();
    h.record_stance(first, "astana-2017", "russia", "dispute", "not seen", "lr")
        .unwrap();
    h.review(first, "in_review", Some("analyst-1"), None, "a")
        .unwrap();
    // an analyst's merge of two incidents, to be preserved
    let mut ids: Vec<i64> = all
        .iter()
        .map(|(i, _)| i.id)
        .filter(|i| *i != first)
        .collect();
    ids.sort();
    h.merge(ids[0], &[ids[1]], None, "a").unwrap();
    h
}

#[test]
fn jsonl_export_reimports_without_loss() {
    let dir = tempfile::tempdir().unwrap();
    let a = with_samples(dir.path());
    let mut buf = vec![];
    let n = a
        .export_jsonl(&IncidentFilter::default(), &mut buf)
        .unwrap();
    assert!(n >= 8, "{n}");
    let text = String::from_utf8(buf).unwrap();
    let b = fresh(dir.path(), "b.sqlite");
    let (s, problems) = b
        .import_jsonl(&text, "export.jsonl", "test", today())
        .unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    assert!(s.stored > 0);
    let fa = fingerprint(&a.incidents(&IncidentFilter::default()).unwrap());
    let fb = fingerprint(&b.incidents(&IncidentFilter::default()).unwrap());
    assert_eq!(fa, fb);
    // and a second export of the copy is the same document, up to ids
    let mut again = vec![];
    b.export_jsonl(&IncidentFilter::default(), &mut again)
        .unwrap();
    let strip = |t: &str| {
        t.lines()
            .filter(|l| l.contains("\"record\":\"report\""))
            .count()
    };
    assert_eq!(strip(&text), strip(&String::from_utf8(again).unwrap()));
}

#[test]
fn acled_csv_export_carries_hxl_and_reimports() {
    let dir = tempfile::tempdir().unwrap();
    let a = with_samples(dir.path());
    let mut buf = vec![];
    a.export_acled_csv(&IncidentFilter::default(), &mut buf)
        .unwrap();
    let text = String::from_utf8(buf).unwrap();
    let second = text.lines().nth(1).unwrap();
    assert!(second.starts_with("#event+id,#date+occurred"), "{second}");
    assert!(
        second.contains("#geo+lat")
            && second.contains("#affected+killed")
            && second.contains("#adm1+name")
    );
    let read = read_acled("export.csv", &text);
    assert!(read.problems.is_empty(), "{:?}", read.problems);
    let b = fresh(dir.path(), "b.sqlite");
    b.ingest(read.reports, "test", today(), &|_| {}).unwrap();
    let key = |h: &Hudna| {
        let mut v: Vec<_> = h
            .incidents(&IncidentFilter::default())
            .unwrap()
            .into_iter()
            .filter(|(i, _)| i.lat.is_some())
            .map(|(i, a)| {
                (
                    i.date,
                    i.kind,
                    i.perpetrator,
                    i.killed.best,
                    a.iter().map(|x| x.reading.clone()).collect::<Vec<_>>(),
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(key(&a), key(&b));
}

#[test]
fn zones_geojson_at_a_date() {
    let dir = tempfile::tempdir().unwrap();
    let h = fresh(dir.path(), "z.sqlite");
    let g = h.zones_geojson(parse_day("2018-06-01").unwrap()).unwrap();
    let feats = g["features"].as_array().unwrap();
    let eg = feats
        .iter()
        .find(|f| f["properties"]["zone"] == "eastern_ghouta")
        .unwrap();
    assert_eq!(eg["properties"]["status"], "dissolved");
    assert_eq!(eg["geometry"]["type"], "MultiPolygon");
    assert!(
        feats.iter().any(|f| f["properties"]["post"].is_string()),
        "posts active that day are included"
    );
    assert!(
        !feats
            .iter()
            .any(|f| f["properties"]["zone"] == "m4_corridor"),
        "not yet in force"
    );
}

#[test]
fn daily_report_counts_and_renders_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let h = with_samples(dir.path());
    let kaf = h
        .incidents(&IncidentFilter::default())
        .unwrap()
        .into_iter()
        .find(|(i, _)| i.geonameid == Some(168661))
        .unwrap()
        .0;
    let day = parse_day(kaf.date.as_deref().unwrap()).unwrap();
    let r = h.daily_report(day).unwrap();
    let idlib = r.zones.iter().find(|z| z.zone == "idlib").unwrap();
    assert_eq!(idlib.period, 1);
    assert!(idlib.since_start >= 1);
    assert_eq!(r.disputed.len(), 1);
    assert_eq!(r.disputed[0].disputed_by, ["russia"]);
    let ar = render_html(&r, Lang::Ar, None);
    assert!(ar.contains("dir=\"rtl\"") && ar.contains("التقرير اليومي"));
    assert!(ar.contains("٢٠١٨"), "Arabic-Indic digits");
    assert!(
        !ar.contains("<div class=\"sitrep-map\">"),
        "no map asked for"
    );
    // the stylesheet is inline: the document stands alone (and prints to PDF)
    assert!(ar.contains("<style>") && ar.contains(".sitrep"));
    let with_map = render_html(&r, Lang::Ar, Some("<svg id=\"the-map\"></svg>"));
    assert!(with_map.contains("<div class=\"sitrep-map\"><svg id=\"the-map\"></svg></div>"));
    assert!(with_map.contains("<h2>الخريطة</h2>"));
    let en = render_html(&r, Lang::En, None);
    assert!(en.contains("dir=\"ltr\"") && en.contains("Violations by zone") && en.contains("2018"));
    assert!(
        !en.contains("http://") && !en.contains("https://"),
        "self-contained"
    );
    assert!(h
        .period_report(day, day - chrono::Duration::days(1))
        .is_err());
}

#[test]
fn the_published_edition_counts_published_incidents_only() {
    let dir = tempfile::tempdir().unwrap();
    let h = with_samples(dir.path());
    let kaf = h
        .incidents(&IncidentFilter::default())
        .unwrap()
        .into_iter()
        .find(|(i, _)| i.geonameid == Some(168661))
        .unwrap()
        .0;
    let day = parse_day(kaf.date.as_deref().unwrap()).unwrap();
    let all = h.period_report_scoped(day, day, false).unwrap();
    assert!(all.totals.incidents >= 1);
    let public = h.period_report_scoped(day, day, true).unwrap();
    assert_eq!(public.totals.incidents, 0, "nothing is published yet");
    assert!(public
        .zones
        .iter()
        .all(|z| z.period == 0 && z.since_start == 0));
    // publish the Kafranbel incident: the public edition now has it, counted in its zone
    for to in ["in_review", "ready", "published"] {
        h.review(kaf.id, to, None, None, "analyst").unwrap();
    }
    let public = h.period_report_scoped(day, day, true).unwrap();
    assert_eq!(public.totals.incidents, 1);
    assert_eq!(public.incidents[0].id, kaf.id);
    let idlib = public.zones.iter().find(|z| z.zone == "idlib").unwrap();
    assert_eq!(idlib.period, 1);
}

#[test]
fn the_timeline_has_astana_6_with_its_statement_and_follow_ups_override() {
    let dir = tempfile::tempdir().unwrap();
    let h = fresh(dir.path(), "t.sqlite");
    let today = parse_day("2017-11-01").unwrap();
    let t = h.timeline(Some("astana-2017"), today).unwrap();
    assert!(
        t.windows(2).all(|w| w[0].round.start <= w[1].round.start),
        "in time order"
    );
    let a6 = t
        .iter()
        .find(|r| r.round.id.as_str() == "astana-6")
        .expect("astana-6");
    assert!(a6.has_statement);
    assert!(!a6.commitments.is_empty());
    // the statement goes through extraction: Idlib and a date are found, with spans
    let round = h
        .agreement("astana-2017")
        .unwrap()
        .rounds
        .iter()
        .find(|r| r.id.as_str() == "astana-6")
        .cloned()
        .unwrap();
    let f = h.statement_findings(&round).expect("a statement");
    assert!(
        f.places.iter().any(|p| p.contains("إدلب")),
        "{:?}",
        f.places
    );
    assert!(!f.dates.is_empty());
    assert!(f
        .spans
        .iter()
        .all(|[s, e]| s < e && f.text.is_char_boundary(*s) && f.text.is_char_boundary(*e)));
    // a follow-up overrides the definition's status, and the history keeps it
    let c = a6.commitments[0].commitment.id.to_string();
    h.follow_up(&hudna_store::FollowupRow {
        agreement: "astana-2017".into(),
        commitment: c.clone(),
        status: "postponed".into(),
        settled_by: "astana-7".into(),
        evidence: "final statement of Astana 7".into(),
        date: "2017-10-31".into(),
        recorded_by: "user:analyst".into(),
    })
    .unwrap();
    let t = h.timeline(Some("astana-2017"), today).unwrap();
    let cv = t
        .iter()
        .flat_map(|r| r.commitments.iter())
        .find(|x| x.commitment.id.as_str() == c)
        .unwrap();
    assert_eq!(cv.current, "postponed");
    assert_eq!(cv.settled.as_deref(), Some("astana-7"));
    assert_eq!(cv.history.len(), 1);
    assert!(!cv.overdue, "postponed is not overdue");
    // an unknown commitment is refused, naming it
    let e = h
        .follow_up(&hudna_store::FollowupRow {
            agreement: "astana-2017".into(),
            commitment: "no-such".into(),
            status: "met".into(),
            settled_by: String::new(),
            evidence: String::new(),
            date: "2017-10-31".into(),
            recorded_by: "x".into(),
        })
        .unwrap_err();
    assert!(e.to_string().contains("no-such"));
}
