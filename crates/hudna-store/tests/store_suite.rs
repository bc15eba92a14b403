//! The store test-suite, run against every backend: SQLite always and
//! PostgreSQL when `HUDNA_TEST_PG` is set (see tests/common).

mod common;

use common::{each, pg_url, sqlite_case};
use hudna_store::*;
use serde_json::json;

fn entry(n: i32) -> AuditEntry {
    AuditEntry::new(
        "analyst",
        "test",
        &format!("thing/{n}"),
        json!({ "n": n, "ar": "هدنة" }),
    )
}

fn agreement(id: &str, hash: &str) -> AgreementRow {
    AgreementRow {
        id: id.into(),
        name_ar: "مسار أستانا".into(),
        name_en: "Astana".into(),
        signed: "2017-05-04".into(),
        definition: json!({"id": id, "zones": [1, 2]}),
        content_hash: hash.into(),
        source_dir: Some("data/agreements/astana-2017".into()),
        loaded_at: String::new(),
    }
}

fn report(hash: &str, source: &str) -> ReportRow {
    ReportRow {
        id: 0,
        content_hash: hash.into(),
        source: source.into(),
        outlet: "outlet".into(),
        url: "https://example.org/r".into(),
        published: Some("2018-03-01".into()),
        language: "ar".into(),
        kind: "article".into(),
        origin: "file.txt".into(),
        text: "قصف مدفعي على بلدة".into(),
        extraction: "{}".into(),
        flags: String::new(),
        ingested_by: "cli".into(),
        ingested_at: String::new(),
    }
}

fn incident(day: i32) -> IncidentRow {
    IncidentRow {
        kind: "Shelling/artillery/missile attack".into(),
        event_group: "explosions".into(),
        date: Some("2018-03-01".into()),
        day: Some(day),
        date_precision: Some(1),
        place_name: Some("Khan Shaykhun".into()),
        geonameid: Some(169_304),
        lat: Some(35.44),
        lon: Some(36.65),
        geo_precision: Some(1),
        killed: Range {
            low: Some(2),
            best: Some(3),
            high: Some(4),
        },
        injured: Range {
            low: None,
            best: Some(7),
            high: None,
        },
        sources: 1,
        reports: 1,
        status: "new".into(),
        grade: "weak".into(),
        absorbed: "[]".into(),
        ..Default::default()
    }
}

fn assessment(agreement: &str, zone: Option<&str>, day: i32, reading: &str) -> AssessmentRow {
    AssessmentRow {
        incident_id: 0,
        agreement: agreement.into(),
        zone: zone.map(str::to_owned),
        day: Some(day),
        reading: reading.into(),
        rule: Some("no-shelling".into()),
        in_security_zone: true,
        border_km: Some(1.25),
        reasons: "[\"inside\"]".into(),
    }
}

#[test]
fn schema_is_current_and_the_database_reopens() {
    each(|c| {
        c.store.append_audit(&entry(1)).unwrap();
        let again = open_db(&c.db, false).unwrap();
        assert_eq!(again.store.audit_log(None).unwrap().len(), 1);
        // creating again is a no-op on an up-to-date schema
        let again = open_db(&c.db, true).unwrap();
        assert_eq!(again.store.verify_audit().unwrap(), (1, None));
        assert!(again.accounts.orgs().unwrap().is_empty());
        assert!(again.humanitarian.lists().unwrap().is_empty());
    });
}

#[test]
fn a_missing_database_is_refused_with_advice() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("none.sqlite");
    let e = open_db(p.to_str().unwrap(), false).err().expect("refused");
    assert!(matches!(e, StoreError::Missing(_)), "{e}");
    if let Some(url) = pg_url() {
        let schema = common::Schema::new(&url);
        let e = PgStore::open(&schema.url()).err().expect("refused");
        assert!(matches!(e, StoreError::Missing(_)), "{e}");
        assert!(e.to_string().contains("hudna init"), "{e}");
        let s = PgStore::connect(&schema.url()).unwrap();
        assert_eq!(s.schema_version().unwrap(), 0);
        let applied = s.migrate().unwrap();
        assert_eq!(applied.len() as i64, s.schema_version().unwrap());
        assert!(
            s.migrate().unwrap().is_empty(),
            "a second migrate applies nothing"
        );
    }
}

#[test]
fn audit_chain_verifies_and_tampering_is_caught() {
    each(|c| {
        for n in 0..5 {
            c.store.append_audit(&entry(n)).unwrap();
        }
        assert_eq!(c.store.verify_audit().unwrap(), (5, None));
        let log = c.store.audit_log(None).unwrap();
        assert_eq!(
            log.iter().map(|r| r.id).collect::<Vec<_>>(),
            [1, 2, 3, 4, 5]
        );
        assert_eq!(log[0].prev_hash, "0".repeat(64));
        assert_eq!(log[1].prev_hash, log[0].hash);
        assert_eq!(c.store.audit_log(Some("thing/3")).unwrap().len(), 1);
        // same text format on every backend: 2026-11-29T18:47:59.123456Z
        for r in &log {
            assert_eq!(r.at.len(), 27, "{}", r.at);
            assert!(
                chrono::NaiveDateTime::parse_from_str(&r.at, "%Y-%m-%dT%H:%M:%S%.6fZ").is_ok(),
                "{}",
                r.at
            );
        }
        (c.raw)("UPDATE audit_log SET detail = '{\"n\":99}' WHERE id = 3");
        let (_, brk) = c.store.verify_audit().unwrap();
        assert_eq!(brk.as_ref().map(|b| b.id), Some(3));
        assert!(brk.unwrap().reason.contains("altered"));
        (c.raw)("DELETE FROM audit_log WHERE id = 2");
        assert_eq!(c.store.verify_audit().unwrap().1.map(|b| b.id), Some(3));
    });
}

#[test]
fn an_audit_log_copied_between_backends_verifies_the_same() {
    let Some(url) = pg_url() else { return };
    let pg = common::pg_case(&url);
    let lite = sqlite_case();
    for n in 0..4 {
        pg.store.append_audit(&entry(n)).unwrap();
        lite.store.append_audit(&entry(n + 10)).unwrap();
    }
    // PostgreSQL's chain, inserted into SQLite row for row, and the other way
    let copy = |from: &common::Case, to: &common::Case| {
        (to.raw)("DELETE FROM audit_log");
        for r in from.store.audit_log(None).unwrap() {
            let q = |s: &str| format!("'{}'", s.replace('\'', "''"));
            (to.raw)(&format!(
                "INSERT INTO audit_log (id, at, actor, action, entity, detail, prev_hash, hash) VALUES ({}, {}, {}, {}, {}, {}, {}, {})",
                r.id, q(&r.at), q(&r.actor), q(&r.action), q(&r.entity), q(&r.detail), q(&r.prev_hash), q(&r.hash)
            ));
        }
        assert_eq!(
            to.store.verify_audit().unwrap(),
            (4, None),
            "{} -> {}",
            from.name,
            to.name
        );
        assert_eq!(
            to.store.audit_log(None).unwrap(),
            from.store.audit_log(None).unwrap()
        );
    };
    let pg_log = pg.store.audit_log(None).unwrap();
    copy(&pg, &lite);
    let lite2 = sqlite_case();
    for n in 0..4 {
        lite2.store.append_audit(&entry(n)).unwrap();
    }
    copy(&lite2, &pg);
    // and the store keeps appending to a chain it did not write
    pg.store.append_audit(&entry(5)).unwrap();
    assert_eq!(pg.store.verify_audit().unwrap(), (5, None));
    assert_eq!(pg_log.len(), 4);
}

#[test]
fn agreements_are_replaced_only_when_changed() {
    each(|c| {
        let mut row = agreement("a", "h1");
        let au = entry(0);
        assert_eq!(
            c.store.put_agreement(&row, &au).unwrap(),
            PutOutcome::Created
        );
        assert_eq!(
            c.store.put_agreement(&row, &au).unwrap(),
            PutOutcome::Unchanged
        );
        row.content_hash = "h2".into();
        row.name_en = "Astana II".into();
        assert_eq!(
            c.store.put_agreement(&row, &au).unwrap(),
            PutOutcome::Replaced
        );
        assert_eq!(
            c.store.audit_log(None).unwrap().len(),
            2,
            "unchanged writes no audit entry"
        );
        let all = c.store.agreements().unwrap();
        assert_eq!(all.len(), 1);
        let got = c.store.agreement("a").unwrap().unwrap();
        assert_eq!(got.name_en, "Astana II");
        assert_eq!(got.name_ar, "مسار أستانا");
        assert_eq!(got.definition, json!({"id": "a", "zones": [1, 2]}));
        assert!(!got.loaded_at.is_empty());
        assert!(c.store.agreement("b").unwrap().is_none());
        c.store
            .put_agreement(
                &AgreementRow {
                    signed: "2016-01-01".into(),
                    ..agreement("b", "x")
                },
                &au,
            )
            .unwrap();
        let ids: Vec<_> = c
            .store
            .agreements()
            .unwrap()
            .into_iter()
            .map(|a| a.id)
            .collect();
        assert_eq!(ids, ["b", "a"], "ordered by signing date");
    });
}

#[test]
fn consents_are_appended_in_order_and_need_an_agreement() {
    each(|c| {
        c.store
            .put_agreement(&agreement("a", "h"), &entry(0))
            .unwrap();
        let mk = |party: &str, decision: &str| ConsentRow {
            agreement: "a".into(),
            extension: 2,
            party: party.into(),
            decision: decision.into(),
            date: "2018-10-20".into(),
            note: "ملاحظة".into(),
            recorded_by: "cli".into(),
            recorded_at: String::new(),
        };
        c.store
            .add_consent(&mk("iran", "object"), &entry(1))
            .unwrap();
        c.store
            .add_consent(&mk("iran", "grant"), &entry(2))
            .unwrap();
        let got = c.store.consents("a").unwrap();
        assert_eq!(
            got.iter().map(|r| r.decision.as_str()).collect::<Vec<_>>(),
            ["object", "grant"]
        );
        assert_eq!(got[0].extension, 2);
        assert_eq!(got[0].note, "ملاحظة");
        assert!(c
            .store
            .add_consent(
                &ConsentRow {
                    agreement: "zz".into(),
                    ..mk("x", "grant")
                },
                &entry(3)
            )
            .is_err());
        assert!(c.store.add_consent(&mk("x", "maybe"), &entry(3)).is_err());
        assert_eq!(
            c.store.audit_log(None).unwrap().len(),
            3,
            "refused consents leave no audit entry"
        );
        assert!(c.store.consents("zz").unwrap().is_empty());
    });
}

#[test]
fn places_are_replaced_whole() {
    each(|c| {
        let p = |id: u32, name: &str| PlaceRow {
            geonameid: id,
            name_en: name.into(),
            names_ar: vec!["إدلب".into(), "ادلب".into()],
            names_latin: vec!["Idlib".into()],
            lat: 35.930_359,
            lon: 36.633_93,
            admin1: Some("SY07".into()),
            population: 4_000_000_000,
            kind: "PPLA".into(),
        };
        assert_eq!(
            c.store
                .replace_places(&[p(2, "b"), p(1, "a")], &entry(0))
                .unwrap(),
            2
        );
        let got = c.store.places().unwrap();
        assert_eq!(got, vec![p(1, "a"), p(2, "b")]);
        c.store.replace_places(&[p(3, "c")], &entry(1)).unwrap();
        assert_eq!(c.store.places().unwrap(), vec![p(3, "c")]);
    });
}

#[test]
fn reports_events_incidents_assessments_and_stances() {
    each(|c| {
        let s = &c.store;
        let mut ids = (0, 0, 0, 0);
        s.write_tx(&mut |tx| {
            assert_eq!(tx.report_by_hash("r1")?, None);
            let r1 = tx.insert_report(&report("r1", "SOHR"))?;
            let r2 = tx.insert_report(&report("r2", "SANA"))?;
            assert_eq!(tx.report_by_hash("r1")?, Some(r1));
            let inc = tx.insert_incident(&incident(17_591))?;
            let other = tx.insert_incident(&incident(17_580))?;
            for (seq, rid) in [(0u32, r1), (1, r1), (0, r2)] {
                let e = EventRow {
                    report_id: rid,
                    seq,
                    kind: "Shelling/artillery/missile attack".into(),
                    date: Some("2018-03-01".into()),
                    geonameid: Some(169_304),
                    lat: Some(35.44),
                    killed: Some(3),
                    evidence: "[[0,4]]".into(),
                    ..Default::default()
                };
                let eid = tx.insert_event(&e)?;
                tx.set_event_incident(eid, inc)?;
            }
            tx.audit(&entry(1))?;
            ids = (r1, r2, inc, other);
            Ok(())
        })
        .unwrap();
        let (r1, r2, inc, other) = ids;
        assert_eq!(
            s.counts().unwrap(),
            Counts {
                reports: 2,
                events: 3,
                incidents: 2
            }
        );
        assert_eq!(s.report(r1).unwrap().unwrap().text, "قصف مدفعي على بلدة");
        assert!(s.report(9_999).unwrap().is_none());

        s.write_tx(&mut |tx| {
            let cands = tx.candidates("explosions", 17_585, 17_595)?;
            assert_eq!(cands.iter().map(|i| i.id).collect::<Vec<_>>(), [inc]);
            let mut i = cands[0].clone();
            assert_eq!(
                i.killed,
                Range {
                    low: Some(2),
                    best: Some(3),
                    high: Some(4)
                }
            );
            assert_eq!(i.injured.best, Some(7));
            assert_eq!(i.geonameid, Some(169_304));
            assert_eq!(i.day, Some(17_591));
            i.status = "in_review".into();
            i.revision = 1;
            i.sources = 2;
            tx.update_incident(&i)?;
            let evs = tx.events_of(inc)?;
            assert_eq!(evs.len(), 3);
            assert_eq!(evs[0].killed, Some(3));
            assert_eq!(evs[0].evidence, "[[0,4]]");
            assert_eq!(
                tx.events_of_report(r1)?
                    .iter()
                    .map(|e| e.seq)
                    .collect::<Vec<_>>(),
                [0, 1]
            );
            assert_eq!(
                tx.report_sources(&[r2, r1, 12_345])?,
                vec![(r2, "SANA".to_owned()), (r1, "SOHR".to_owned())]
            );
            tx.put_assessments(
                inc,
                &[
                    assessment("astana-2017", Some("idlib"), 17_591, "violation"),
                    assessment("other", None, 17_591, "outside_zones"),
                ],
            )?;
            tx.put_assessments(
                other,
                &[assessment(
                    "astana-2017",
                    Some("idlib"),
                    17_580,
                    "not_covered",
                )],
            )?;
            let st = StanceRow {
                id: 0,
                incident_id: inc,
                agreement: "astana-2017".into(),
                party: "turkey".into(),
                position: "confirm".into(),
                comment: String::new(),
                recorded_by: "liaison".into(),
                recorded_at: String::new(),
            };
            let sid = tx.insert_stance(&st)?;
            tx.insert_stance(&StanceRow {
                position: "dispute".into(),
                party: "russia".into(),
                ..st.clone()
            })?;
            let got = tx.stances(inc)?;
            assert_eq!(got.len(), 2);
            assert_eq!(got[0].id, sid);
            assert!(!got[0].recorded_at.is_empty());
            let miss = IncidentRow {
                id: 424_242,
                ..i.clone()
            };
            assert!(matches!(
                tx.update_incident(&miss),
                Err(StoreError::NotFound(_))
            ));
            tx.audit(&entry(2))?;
            Ok(())
        })
        .unwrap();

        let got = s.assessments(inc).unwrap();
        assert_eq!(
            got.iter().map(|a| a.agreement.as_str()).collect::<Vec<_>>(),
            ["astana-2017", "other"]
        );
        assert!(got[0].in_security_zone);
        assert_eq!(got[0].border_km, Some(1.25));
        assert_eq!(got[0].incident_id, inc);

        let all = s.incidents(&IncidentFilter::default()).unwrap();
        assert_eq!(
            all.iter().map(|i| i.id).collect::<Vec<_>>(),
            [inc, other],
            "newest day first"
        );
        assert_eq!(all[0].status, "in_review");
        let v = s
            .incidents(&IncidentFilter {
                agreement: Some("astana-2017".into()),
                violations_only: true,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(v.iter().map(|i| i.id).collect::<Vec<_>>(), [inc]);
        let z = s
            .incidents(&IncidentFilter {
                zone: Some("idlib".into()),
                since_day: Some(17_570),
                until_day: Some(17_585),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(z.iter().map(|i| i.id).collect::<Vec<_>>(), [other]);
        let st = s
            .incidents(&IncidentFilter {
                status: Some("new".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(st.iter().map(|i| i.id).collect::<Vec<_>>(), [other]);
        let page = s
            .incidents(&IncidentFilter {
                limit: Some(1),
                offset: Some(1),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(page.iter().map(|i| i.id).collect::<Vec<_>>(), [other]);
        assert!(s
            .incidents(&IncidentFilter {
                published_only: true,
                ..Default::default()
            })
            .unwrap()
            .is_empty());

        assert_eq!(
            s.daily_counts("astana-2017", 17_500, 17_600).unwrap(),
            vec![DailyCount {
                agreement: "astana-2017".into(),
                zone: "idlib".into(),
                day: 17_591,
                violations: 1
            }]
        );
        // nothing published yet: viewers' counts are empty until it is
        assert!(s
            .published_daily_counts("astana-2017", 17_500, 17_600)
            .unwrap()
            .is_empty());
        let set_status = |status: &str| {
            let mut old = String::new();
            s.write_tx(&mut |tx| {
                let mut k = tx.incident(inc)?.expect("inc");
                old = std::mem::replace(&mut k.status, status.into());
                tx.update_incident(&k)
            })
            .unwrap();
            old
        };
        let before = set_status("published");
        assert_eq!(
            s.published_daily_counts("astana-2017", 17_500, 17_600)
                .unwrap()
                .len(),
            1
        );
        set_status(&before);

        // merging hides the absorbed incident everywhere
        s.write_tx(&mut |tx| {
            let mut o = tx.incident(other)?.expect("other");
            o.merged_into = Some(inc);
            tx.update_incident(&o)?;
            let mut k = tx.incident(inc)?.expect("inc");
            k.absorbed = format!("[{other}]");
            tx.update_incident(&k)?;
            tx.audit(&entry(3)).map(|_| ())
        })
        .unwrap();
        assert_eq!(s.live_incident_ids().unwrap(), [inc]);
        assert_eq!(s.counts().unwrap().incidents, 1);
        let mut n = 0;
        s.read_tx(&mut |tx| {
            n = tx.candidates("explosions", 0, 100_000)?.len();
            assert_eq!(tx.incident(inc)?.unwrap().absorbed, format!("[{other}]"));
            Ok(())
        })
        .unwrap();
        assert_eq!(n, 1);
        assert_eq!(s.verify_audit().unwrap(), (3, None));
    });
}

#[test]
fn a_failed_write_transaction_leaves_nothing_behind() {
    each(|c| {
        let s = &c.store;
        s.append_audit(&entry(0)).unwrap();
        let e = s
            .write_tx(&mut |tx| {
                tx.insert_report(&report("r1", "SOHR"))?;
                tx.insert_incident(&incident(17_000))?;
                tx.audit(&entry(1))?;
                Err(StoreError::Conflict("changed my mind".into()))
            })
            .unwrap_err();
        assert!(matches!(e, StoreError::Conflict(_)));
        // a database error half-way through rolls back too
        let e = s.write_tx(&mut |tx| {
            tx.insert_report(&report("r2", "SOHR"))?;
            tx.audit(&entry(2))?;
            tx.insert_report(&report("r2", "SOHR"))?; // same content hash
            Ok(())
        });
        assert!(e.is_err());
        assert_eq!(
            s.counts().unwrap(),
            Counts {
                reports: 0,
                events: 0,
                incidents: 0
            }
        );
        assert_eq!(s.verify_audit().unwrap(), (1, None));
        // and the next entry continues the chain without a gap
        assert_eq!(s.append_audit(&entry(3)).unwrap().id, 2);
    });
}

#[test]
fn concurrent_writers_keep_the_chain_whole() {
    each(|c| {
        std::thread::scope(|sc| {
            for t in 0..4 {
                let s = c.store.clone();
                sc.spawn(move || {
                    for n in 0..10 {
                        s.write_tx(&mut |tx| {
                            tx.insert_report(&report(&format!("r{t}-{n}"), "SOHR"))?;
                            tx.audit(&entry(t * 100 + n))?;
                            Ok(())
                        })
                        .unwrap();
                    }
                });
            }
        });
        assert_eq!(c.store.verify_audit().unwrap(), (40, None));
        assert_eq!(c.store.counts().unwrap().reports, 40);
    });
}

fn org(id: &str) -> OrgRow {
    OrgRow {
        id: id.into(),
        name: id.into(),
        kind: "guarantor".into(),
        party: Some("turkey".into()),
        created_at: String::new(),
    }
}

fn user(name: &str, org: &str) -> UserRow {
    UserRow {
        id: 0,
        username: name.into(),
        display_name: "مراقب".into(),
        org: org.into(),
        role: "liaison".into(),
        password_hash: "$argon2id$x".into(),
        disabled: false,
        created_at: String::new(),
    }
}

#[test]
fn accounts_users_need_an_org_and_a_unique_name() {
    each(|c| {
        let a = &c.accounts;
        assert!(matches!(
            a.insert_user(&user("a", "nope"), &entry(0)),
            Err(StoreError::NotFound(_))
        ));
        a.put_org(&org("turkey-liaison"), &entry(0)).unwrap();
        assert!(matches!(
            a.put_org(
                &OrgRow {
                    kind: "army".into(),
                    ..org("x")
                },
                &entry(0)
            ),
            Err(StoreError::Conflict(_))
        ));
        let id = a
            .insert_user(&user("a", "turkey-liaison"), &entry(1))
            .unwrap();
        assert_eq!(a.user_by_name("a").unwrap().unwrap().id, id);
        assert_eq!(a.user(id).unwrap().unwrap().display_name, "مراقب");
        assert!(matches!(
            a.insert_user(&user("a", "turkey-liaison"), &entry(2)),
            Err(StoreError::Conflict(_))
        ));
        assert_eq!(c.store.audit_log(None).unwrap().len(), 2);
        assert_eq!(
            a.org("turkey-liaison").unwrap().unwrap().party.as_deref(),
            Some("turkey")
        );
        assert_eq!(a.orgs().unwrap().len(), 1);
        a.insert_user(&user("b", "turkey-liaison"), &entry(3))
            .unwrap();
        assert_eq!(
            a.users()
                .unwrap()
                .iter()
                .map(|u| u.username.as_str())
                .collect::<Vec<_>>(),
            ["a", "b"]
        );
        a.insert_session(&SessionRow {
            id_hash: "s".into(),
            user_id: id,
            csrf: "c".into(),
            created_at: String::new(),
            expires_at: 1_000,
        })
        .unwrap();
        a.set_password(id, "$argon2id$y", &entry(4)).unwrap();
        assert_eq!(a.user(id).unwrap().unwrap().password_hash, "$argon2id$y");
        assert!(
            a.session("s", 0).unwrap().is_none(),
            "a new password ends sessions"
        );
        assert!(matches!(
            a.set_password(9_999, "h", &entry(5)),
            Err(StoreError::NotFound(_))
        ));
        assert_eq!(c.store.verify_audit().unwrap(), (4, None));
    });
}

#[test]
fn accounts_sessions_expire_and_failures_reset_on_success() {
    each(|c| {
        let a = &c.accounts;
        a.put_org(&org("o"), &entry(0)).unwrap();
        let uid = a.insert_user(&user("a", "o"), &entry(0)).unwrap();
        a.insert_session(&SessionRow {
            id_hash: "h".into(),
            user_id: uid,
            csrf: "c".into(),
            created_at: String::new(),
            expires_at: 100,
        })
        .unwrap();
        assert_eq!(a.session("h", 99).unwrap().unwrap().csrf, "c");
        assert!(a.session("h", 100).unwrap().is_none());
        assert_eq!(a.purge_sessions(101).unwrap(), 1);
        a.insert_session(&SessionRow {
            id_hash: "h2".into(),
            user_id: uid,
            csrf: "c".into(),
            created_at: String::new(),
            expires_at: 500,
        })
        .unwrap();
        a.delete_session("h2").unwrap();
        assert!(a.session("h2", 0).unwrap().is_none());
        a.record_login_attempt(&["user:a", "ip:1"], 10, false)
            .unwrap();
        a.record_login_attempt(&["user:a"], 11, false).unwrap();
        assert_eq!(a.recent_failures("user:a", 0).unwrap(), 2);
        assert_eq!(a.recent_failures("ip:1", 0).unwrap(), 1);
        assert_eq!(a.recent_failures("user:a", 11).unwrap(), 1);
        a.record_login_attempt(&["user:a"], 12, true).unwrap();
        assert_eq!(a.recent_failures("user:a", 0).unwrap(), 0);
        // a day later the old attempts are gone
        a.record_login_attempt(&["user:b"], 100_000, false).unwrap();
        assert_eq!(a.recent_failures("ip:1", 0).unwrap(), 0);
    });
}

#[test]
fn accounts_revoked_tokens_are_not_found() {
    each(|c| {
        let a = &c.accounts;
        a.put_org(&org("o"), &entry(0)).unwrap();
        let uid = a.insert_user(&user("a", "o"), &entry(0)).unwrap();
        let t = TokenRow {
            id: 0,
            token_hash: "th".into(),
            user_id: uid,
            label: "l".into(),
            created_at: String::new(),
            revoked: false,
        };
        let id = a.insert_token(&t, &entry(0)).unwrap();
        let got = a.token("th").unwrap().unwrap();
        assert_eq!(
            (got.user_id, got.label.as_str(), got.revoked),
            (uid, "l", false)
        );
        a.revoke_token(id, &entry(0)).unwrap();
        assert!(a.token("th").unwrap().is_none());
        assert!(matches!(
            a.revoke_token(9_999, &entry(0)),
            Err(StoreError::NotFound(_))
        ));
    });
}

#[test]
fn postgres_backup_points_to_pg_dump() {
    let Some(url) = pg_url() else { return };
    let c = common::pg_case(&url);
    let e = c
        .store
        .backup(std::path::Path::new("/nonexistent/out"))
        .unwrap_err();
    assert!(e.to_string().contains("pg_dump"), "{e}");
    assert!(
        !e.to_string().contains(":hudna_test@"),
        "the password is not shown: {e}"
    );
}

#[test]
fn a_sqlite_backup_restores_to_the_same_state() {
    let c = sqlite_case();
    c.store
        .put_agreement(&agreement("a", "h"), &entry(0))
        .unwrap();
    c.store
        .write_tx(&mut |tx| {
            let r = tx.insert_report(&report("r1", "SOHR"))?;
            let i = tx.insert_incident(&incident(17_591))?;
            let e = tx.insert_event(&EventRow {
                report_id: r,
                kind: "x".into(),
                evidence: "[]".into(),
                ..Default::default()
            })?;
            tx.set_event_incident(e, i)?;
            tx.audit(&entry(1)).map(|_| ())
        })
        .unwrap();
    let before = c.store.audit_log(None).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("backup.sqlite");
    c.store.backup(&out).unwrap();
    c.store.append_audit(&entry(2)).unwrap(); // after the backup: not in it
                                              // restore = put the backup file where the database goes, and open it
    let restored = dir.path().join("restored.sqlite");
    std::fs::copy(&out, &restored).unwrap();
    let r = open_db(restored.to_str().unwrap(), false).unwrap();
    assert_eq!(r.store.verify_audit().unwrap(), (2, None));
    assert_eq!(r.store.audit_log(None).unwrap(), before);
    assert_eq!(
        r.store.counts().unwrap(),
        Counts {
            reports: 1,
            events: 1,
            incidents: 1
        }
    );
    assert_eq!(r.store.agreement("a").unwrap().unwrap().content_hash, "h");
    // the restored database takes writes and keeps its chain
    r.store.append_audit(&entry(3)).unwrap();
    assert_eq!(r.store.verify_audit().unwrap(), (3, None));
}

fn person(record_id: &str, name: &str) -> PersonRecordRow {
    PersonRecordRow {
        record_id: record_id.into(),
        full_name: name.into(),
        status: "detained".into(),
        script: "arabic".into(),
        ..Default::default()
    }
}

fn list(name: &str) -> ListRow {
    ListRow {
        id: 0,
        name: name.into(),
        source_party: "opposition".into(),
        received: "2018-03-01".into(),
        submitted_by: "icrc".into(),
        records: 0,
        created_at: String::new(),
    }
}

#[test]
fn humanitarian_lists_links_and_persons() {
    each(|c| {
        let h = &c.humanitarian;
        let (l1, ids) = h
            .add_list(
                &list("a"),
                &[person("1", "محمد أحمد"), person("2", "علي حسن")],
                &entry(0),
            )
            .unwrap();
        let (_, ids2) = h
            .add_list(&list("b"), &[person("x", "Mohammad Ahmad")], &entry(1))
            .unwrap();
        assert!(matches!(
            h.add_list(&list("c"), &[person("1", "a"), person("1", "b")], &entry(2)),
            Err(StoreError::Conflict(_))
        ));
        assert_eq!(h.lists().unwrap().len(), 2, "a refused list leaves nothing");
        assert_eq!(h.lists().unwrap()[0].records, 2);
        let recs = h.person_records().unwrap();
        assert_eq!(recs.len(), 3);
        assert_eq!(recs[0].list_id, l1);
        assert_eq!(
            h.person_record(ids[1]).unwrap().unwrap().full_name,
            "علي حسن"
        );
        assert!(h.person_record(9_999).unwrap().is_none());
        // candidates: new ones counted, decided ones kept
        let n = h
            .add_candidates(
                &[
                    (ids2[0], ids[0], 0.97, "same names".into()),
                    (ids[1], ids2[0], 0.2, "weak".into()),
                ],
                &entry(3),
            )
            .unwrap();
        assert_eq!(n, 2);
        let all = h.links(None).unwrap();
        assert_eq!(all.len(), 2);
        assert!(all[0].probability > all[1].probability);
        assert!(all[0].record_a < all[0].record_b);
        let l = h
            .decide_link(ids2[0], ids[0], true, "analyst", &entry(4))
            .unwrap();
        assert_eq!(
            (l.decision.as_str(), l.decided_by.as_deref()),
            ("accepted", Some("analyst"))
        );
        h.decide_link(ids[1], ids2[0], false, "analyst", &entry(5))
            .unwrap();
        assert_eq!(
            h.add_candidates(&[(ids[0], ids2[0], 0.5, "again".into())], &entry(6))
                .unwrap(),
            0
        );
        assert_eq!(h.links(Some("accepted")).unwrap()[0].probability, 0.97);
        assert_eq!(h.links(Some("rejected")).unwrap().len(), 1);
        assert!(h.links(Some("candidate")).unwrap().is_empty());
        let a = h.person_record(ids[0]).unwrap().unwrap().person_id;
        let b = h.person_record(ids2[0]).unwrap().unwrap().person_id;
        assert_eq!(a, b, "an accepted link joins the two persons");
        assert_ne!(h.person_record(ids[1]).unwrap().unwrap().person_id, a);
        assert!(matches!(
            h.decide_link(ids[0], 9_999, true, "x", &entry(7)),
            Err(StoreError::NotFound(_))
        ));
        assert_eq!(
            c.store.verify_audit().unwrap(),
            (6, None),
            "refusals are not audited"
        );
    });
}

#[test]
fn rejecting_an_accepted_link_splits_the_person_where_no_other_link_holds() {
    each(|c| {
        let h = &c.humanitarian;
        let (_, ids) = h
            .add_list(
                &list("a"),
                &[person("1", "a"), person("2", "b"), person("3", "c")],
                &entry(0),
            )
            .unwrap();
        let (a, b, cc) = (ids[0], ids[1], ids[2]);
        let pid = |id: i64| h.person_record(id).unwrap().unwrap().person_id;
        h.decide_link(a, b, true, "o", &entry(1)).unwrap();
        h.decide_link(b, cc, true, "o", &entry(2)).unwrap();
        assert!(
            pid(a) == pid(b) && pid(b) == pid(cc),
            "a chain joins all three"
        );
        // a-c was never accepted: rejecting it leaves a-b-c joined through b
        h.decide_link(a, cc, false, "o", &entry(3)).unwrap();
        assert!(pid(a) == pid(b) && pid(b) == pid(cc));
        // undo b-c: c leaves, a and b stay one person (keeping its id)
        let before = pid(a);
        h.decide_link(b, cc, false, "o", &entry(4)).unwrap();
        assert_eq!(pid(a), before);
        assert_eq!(pid(a), pid(b));
        assert_ne!(pid(cc), pid(a));
        // undo a-b: everyone alone again, each a different person
        h.decide_link(a, b, false, "o", &entry(5)).unwrap();
        let mut ps = vec![pid(a), pid(b), pid(cc)];
        ps.sort();
        ps.dedup();
        assert_eq!(ps.len(), 3);
        assert_eq!(c.store.verify_audit().unwrap(), (6, None));
    });
}

#[test]
fn humanitarian_status_exchanges_and_followups() {
    each(|c| {
        let h = &c.humanitarian;
        let (_, ids) = h
            .add_list(&list("a"), &[person("1", "a"), person("2", "b")], &entry(0))
            .unwrap();
        h.set_status(
            &StatusChangeRow {
                record: ids[0],
                from_status: "detained".into(),
                to_status: "missing".into(),
                date: "2018-04-01".into(),
                exchange: None,
                note: "moved".into(),
                recorded_by: "cli".into(),
            },
            &entry(1),
        )
        .unwrap();
        let ex = ExchangeRow {
            id: 0,
            date: "2018-05-01".into(),
            mediator: "icrc".into(),
            place: "Astana".into(),
            note: String::new(),
            items: vec![
                ExchangeItem {
                    record: ids[1],
                    released_by: "government".into(),
                    kind: "released".into(),
                },
                ExchangeItem {
                    record: ids[0],
                    released_by: "government".into(),
                    kind: "body_handed_over".into(),
                },
            ],
        };
        let xid = h.add_exchange(&ex, "cli", &entry(2)).unwrap();
        let got = h.exchanges().unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].id, xid);
        assert_eq!(
            got[0].items.iter().map(|i| i.record).collect::<Vec<_>>(),
            [ids[0], ids[1]]
        );
        let hist = h.status_changes(ids[0]).unwrap();
        assert_eq!(
            hist.iter()
                .map(|s| (s.from_status.as_str(), s.to_status.as_str()))
                .collect::<Vec<_>>(),
            [("detained", "missing"), ("missing", "body_handed_over")]
        );
        assert_eq!(hist[1].exchange, Some(xid));
        assert_eq!(h.person_record(ids[1]).unwrap().unwrap().status, "released");
        let bad = ExchangeRow {
            items: vec![ExchangeItem {
                record: 9_999,
                released_by: "x".into(),
                kind: "released".into(),
            }],
            ..ex.clone()
        };
        assert!(matches!(
            h.add_exchange(&bad, "cli", &entry(3)),
            Err(StoreError::NotFound(_))
        ));
        assert_eq!(
            h.exchanges().unwrap().len(),
            1,
            "the refused exchange left nothing"
        );
        let f = FollowupRow {
            agreement: "astana-2017".into(),
            commitment: "detainees-wg".into(),
            status: "met".into(),
            settled_by: "round-11".into(),
            evidence: String::new(),
            date: "2018-12-01".into(),
            recorded_by: "cli".into(),
        };
        h.add_followup(&f, &entry(4)).unwrap();
        assert!(h
            .add_followup(
                &FollowupRow {
                    status: "maybe".into(),
                    ..f.clone()
                },
                &entry(5)
            )
            .is_err());
        assert_eq!(h.followups("astana-2017").unwrap(), vec![f]);
        assert_eq!(c.store.verify_audit().unwrap(), (4, None));
    });
}

#[test]
fn a_waiting_postgres_writer_gets_a_clear_locked_error() {
    let Some(url) = pg_url() else { return };
    let schema = common::Schema::new(&url);
    let mut s = PgStore::create(&schema.url()).unwrap();
    s.set_lock_timeout(std::time::Duration::from_millis(200));
    // another process holds the writers' lock (the key is in src/pg.rs)
    let mut other = postgres::Client::connect(&schema.url(), postgres::NoTls).unwrap();
    other
        .batch_execute("SELECT pg_advisory_lock(48362)")
        .unwrap();
    let e = s.append_audit(&entry(1)).unwrap_err();
    assert!(matches!(e, StoreError::Locked(_)), "{e}");
    assert!(e.to_string().contains("locked"), "{e}");
    other
        .batch_execute("SELECT pg_advisory_unlock(48362)")
        .unwrap();
    s.set_lock_timeout(std::time::Duration::from_secs(30));
    assert_eq!(
        s.append_audit(&entry(1)).unwrap().id,
        1,
        "the refused write left no gap"
    );
}

/// The audit head read inside a write transaction is the newest entry, the
/// one an entry appended in that transaction would follow, on every backend.
#[test]
fn the_audit_head_is_the_newest_entry() {
    each(|c| {
        let head = |store: &dyn Store| {
            let mut h = None;
            store
                .write_tx(&mut |tx| {
                    h = tx.audit_head()?;
                    Ok(())
                })
                .unwrap();
            h
        };
        assert_eq!(head(&*c.store), None, "an empty log has no head");
        c.store.append_audit(&entry(1)).unwrap();
        let second = c.store.append_audit(&entry(2)).unwrap();
        assert_eq!(head(&*c.store), Some(AuditHead::from(&second)));
        let mut written = None;
        let mut seen = None;
        c.store
            .write_tx(&mut |tx| {
                written = Some(tx.audit(&entry(3))?);
                seen = tx.audit_head()?;
                Ok(())
            })
            .unwrap();
        let written = written.unwrap();
        assert_eq!(written.id, second.id + 1);
        assert_eq!(seen, Some(AuditHead::from(&written)));
        assert_eq!(head(&*c.store).map(|h| h.hash), Some(written.hash));
    });
}

/// The batch operations (one statement each on PostgreSQL) read and write
/// exactly what the one-row operations do: the context of a batch, rows
/// with reserved ids, incident updates, the replacement of assessments
/// (one dropped, one changed, one added) and the audit entries.
#[test]
fn batch_operations_agree_with_the_one_row_operations() {
    each(|c| {
        c.store
            .write_tx(&mut |tx| {
                // stored: two reports, two incidents with events and a stance
                let r1 = tx.insert_report(&report("h1", "SOHR"))?;
                let r2 = tx.insert_report(&report("h2", "SANA"))?;
                let i1 = tx.insert_incident(&incident(17_591))?;
                let i2 = tx.insert_incident(&incident(17_600))?;
                for (rid, seq, iid) in [(r1, 0, i1), (r2, 0, i1), (r2, 1, i2)] {
                    tx.insert_event(&EventRow {
                        report_id: rid,
                        seq,
                        kind: "shelling_artillery_missile".into(),
                        date: Some("2018-03-01".into()),
                        // needs all 17 digits to come back the same
                        lat: Some(36.3 + 0.601),
                        lon: Some(36.65),
                        killed: Some(3),
                        evidence: "[[0, 5]]".into(),
                        incident_id: Some(iid),
                        ..Default::default()
                    })?;
                }
                tx.insert_stance(&StanceRow {
                    id: 0,
                    incident_id: i2,
                    agreement: "astana-2017".into(),
                    party: "russia".into(),
                    position: "dispute".into(),
                    comment: "لم يحدث".into(),
                    recorded_by: "liaison".into(),
                    recorded_at: String::new(),
                })?;
                let mut first = assessment("astana-2017", Some("idlib"), 17_591, "violation");
                first.incident_id = i1;
                let mut second = assessment("sochi-2018", None, 17_591, "outside_zones");
                second.incident_id = i1;
                tx.put_assessments(i1, &[first.clone(), second])?;

                // the context, against the one-row reads
                let hashes = vec!["h1".to_string(), "nothing".to_string()];
                let ctx = tx.batch_context(&hashes, &[i1, i2, 999_999])?;
                assert_eq!(ctx.stored, [("h1".to_string(), r1)].into_iter().collect());
                let want_incidents = vec![tx.incident(i1)?.unwrap(), tx.incident(i2)?.unwrap()];
                assert_eq!(ctx.incidents, want_incidents);
                let mut want_events = tx.events_of(i1)?;
                want_events.extend(tx.events_of(i2)?);
                want_events.sort_by_key(|e| e.id);
                assert_eq!(ctx.events, want_events);
                assert_eq!(ctx.sources, tx.report_sources(&[r1, r2])?);
                assert_eq!(ctx.stances, tx.stances(i2)?);
                assert_eq!(tx.batch_context(&[], &[])?, BatchContext::default());

                // a batch: a report, a new incident, its event, an update of i1
                let ids = tx.reserve_ids(IdCounts {
                    reports: 1,
                    events: 1,
                    incidents: 1,
                })?;
                assert!(ids.reports[0] > r2 && ids.incidents[0] > i2);
                let mut r3 = report("h3", "Enab Baladi");
                r3.id = ids.reports[0];
                let mut i3 = incident(17_610);
                i3.id = ids.incidents[0];
                i3.perpetrator = Some("unknown".into());
                let e3 = EventRow {
                    id: ids.events[0],
                    report_id: r3.id,
                    seq: 0,
                    kind: "air_drone_strike".into(),
                    date: Some("2018-03-10".into()),
                    date_precision: Some(2),
                    place_name: Some("سراقب".into()),
                    geonameid: Some(163_270),
                    lat: Some(35.86),
                    // needs all 17 digits to come back the same
                    lon: Some(36.3 + 0.601),
                    killed: None,
                    injured: Some(4),
                    evidence: "[]".into(),
                    incident_id: Some(i3.id),
                    ..Default::default()
                };
                let mut i1_now = want_incidents[0].clone();
                i1_now.reports = 3;
                i1_now.grade = "fair".into();
                i1_now.killed.best = None;
                let mut changed = first.clone();
                changed.reading = "carve_out_claimed".into();
                changed.border_km = None;
                let mut added = assessment("moscow-2020", Some("idlib"), 17_610, "violation");
                added.incident_id = i3.id;
                let audit = [entry(1), entry(2)];
                let written = tx.write_batch(&BatchWrite {
                    reports: std::slice::from_ref(&r3),
                    new_incidents: std::slice::from_ref(&i3),
                    events: std::slice::from_ref(&e3),
                    changed_incidents: std::slice::from_ref(&i1_now),
                    assessed: &[i1, i3.id],
                    assessments: &[changed.clone(), added.clone()],
                    audit: &audit,
                })?;
                let strip = |mut i: IncidentRow| {
                    (i.created_at, i.updated_at) = (String::new(), String::new());
                    i
                };
                assert_eq!(tx.report_by_hash("h3")?, Some(r3.id));
                assert_eq!(strip(tx.incident(i3.id)?.unwrap()), strip(i3.clone()));
                assert_eq!(strip(tx.incident(i1)?.unwrap()), strip(i1_now.clone()));
                assert_eq!(tx.events_of(i3.id)?, vec![e3.clone()]);
                assert_eq!(tx.assessments_of(i1)?, vec![changed.clone()]);
                assert_eq!(tx.assessments_of(i3.id)?, vec![added.clone()]);
                assert_eq!(written.len(), 2);
                assert_eq!(tx.audit_head()?, Some(AuditHead::from(&written[1])));
                assert_eq!(written[1].prev_hash, written[0].hash);

                // an update of an incident that is not there is refused
                let mut ghost = i1_now.clone();
                ghost.id = 999_999;
                assert!(matches!(
                    tx.update_incidents(&[ghost]),
                    Err(StoreError::NotFound(_))
                ));
                Ok(())
            })
            .unwrap();
        assert_eq!(c.store.verify_audit().unwrap().1, None);
    });
}

/// Ids a write transaction reserved are never given again: not to a
/// one-row insert before or after them in the same transaction, not to the
/// next transaction, and not on a fresh database whose sequences were never
/// used.
#[test]
fn reserved_ids_are_never_given_twice() {
    each(|c| {
        let batch =
            |tx: &mut dyn Tx, hash: &str, n_reports: usize| -> hudna_store::Result<Vec<i64>> {
                let ids = tx.reserve_ids(IdCounts {
                    reports: n_reports,
                    events: 0,
                    incidents: 0,
                })?;
                let rows: Vec<ReportRow> = ids
                    .reports
                    .iter()
                    .enumerate()
                    .map(|(k, &id)| ReportRow {
                        id,
                        ..report(&format!("{hash}{k}"), "SOHR")
                    })
                    .collect();
                tx.write_batch(&BatchWrite {
                    reports: &rows,
                    new_incidents: &[],
                    events: &[],
                    changed_incidents: &[],
                    assessed: &[],
                    assessments: &[],
                    audit: &[entry(1)],
                })?;
                Ok(ids.reports)
            };
        let mut seen = std::collections::BTreeSet::new();
        c.store
            .write_tx(&mut |tx| {
                // the first ids of a database, then a one-row insert
                let ids = batch(tx, "a", 2)?;
                assert_eq!(ids, vec![1, 2], "a fresh database starts at 1");
                let one = tx.insert_report(&report("b", "SANA"))?;
                assert_eq!(one, 3);
                // reserved after a one-row insert
                let more = batch(tx, "c", 1)?;
                assert_eq!(more, vec![4]);
                seen.extend(ids.into_iter().chain([one]).chain(more));
                Ok(())
            })
            .unwrap();
        c.store
            .write_tx(&mut |tx| {
                let one = tx.insert_report(&report("d", "SANA"))?;
                let ids = batch(tx, "e", 3)?;
                for id in ids.iter().chain([&one]) {
                    assert!(seen.insert(*id), "id {id} given twice");
                }
                Ok(())
            })
            .unwrap();
        // a rolled-back batch, then one that commits
        let failed = c.store.write_tx(&mut |tx| {
            batch(tx, "f", 2)?;
            Err(StoreError::NotFound("on purpose".into()))
        });
        assert!(failed.is_err());
        c.store
            .write_tx(&mut |tx| {
                for id in batch(tx, "g", 2)? {
                    assert!(seen.insert(id), "id {id} given twice");
                }
                // PostgreSQL's sequences do not go back on a rollback: a gap
                let one = tx.insert_report(&report("h", "SANA"))?;
                assert!(one > *seen.last().unwrap(), "{one} after every id given");
                assert!(seen.insert(one));
                Ok(())
            })
            .unwrap();
        assert_eq!(c.store.verify_audit().unwrap().1, None);
    });
}

/// The batch context a backend reads as a write transaction begins
/// ([`Store::write_tx_for`]) is the one `batch_context` reads in it: for
/// hashes that need quoting, for ids beyond the keys (read then), and not
/// used for other hashes. So are the audit entries it reads for the
/// kept candidates' catching up (text with quotes and Arabic, as stored).
#[test]
fn a_context_read_as_the_transaction_begins_is_the_same() {
    each(|c| {
        let (mut i1, mut i2) = (0, 0);
        c.store
            .write_tx(&mut |tx| {
                for n in 0..4 {
                    tx.audit(&AuditEntry::new(
                        "analyst 'o\\",
                        "test",
                        &format!("thing/{n}"),
                        json!({ "n": n, "ar": "هدنة", "q": "it's" }),
                    ))?;
                }
                let r1 = tx.insert_report(&report("h'1", "SOHR"))?;
                let r2 = tx.insert_report(&report("h\\2", "SANA"))?;
                i1 = tx.insert_incident(&incident(17_591))?;
                i2 = tx.insert_incident(&incident(17_600))?;
                for (rid, iid) in [(r1, i1), (r2, i2)] {
                    tx.insert_event(&EventRow {
                        report_id: rid,
                        kind: "shelling_artillery_missile".into(),
                        date: Some("2018-03-01".into()),
                        lat: Some(36.3 + 0.601),
                        lon: Some(36.65),
                        evidence: "[]".into(),
                        incident_id: Some(iid),
                        ..Default::default()
                    })?;
                }
                Ok(())
            })
            .unwrap();
        let hashes: Vec<String> = ["h'1", "h\\2", "none"].map(String::from).to_vec();
        let log = c.store.audit_log(None).unwrap();
        assert_eq!(log.len(), 4);
        let keys = BatchKeys {
            hashes: hashes.clone(),
            ids: vec![i1],
            audit_after: Some((log[0].id, 2)),
            optimistic: None,
        };
        c.store
            .write_tx_for(&|| keys.clone(), &mut |tx| {
                let entries = tx.audit_after(log[0].id, 2)?;
                assert_eq!(entries, log[1..3]);
                assert_eq!(tx.audit_after(log[0].id, 2)?, entries);
                assert_eq!(tx.audit_after(log[1].id, 9)?, log[2..]);
                let first = tx.batch_context(&hashes, &[i1, i2])?;
                let again = tx.batch_context(&hashes, &[i1, i2])?;
                assert_eq!(first, again);
                assert_eq!(first.stored.len(), 2);
                assert_eq!(first.incidents.len(), 2);
                assert_eq!(first.events.len(), 2);
                Ok(())
            })
            .unwrap();
        // no incident expected (their context kept): the stored hashes only
        let no_ids = BatchKeys {
            hashes: hashes.clone(),
            ids: vec![],
            audit_after: None,
            optimistic: None,
        };
        c.store
            .write_tx_for(&|| no_ids.clone(), &mut |tx| {
                let ctx = tx.batch_context(&hashes, &[i2])?;
                assert_eq!(ctx.stored.len(), 2);
                assert_eq!(
                    ctx.incidents.iter().map(|i| i.id).collect::<Vec<_>>(),
                    vec![i2]
                );
                assert_eq!(ctx.events.len(), 1);
                assert_eq!(ctx, tx.batch_context(&hashes, &[i2])?);
                Ok(())
            })
            .unwrap();
        c.store
            .write_tx_for(&|| keys.clone(), &mut |tx| {
                let other = vec!["h'1".to_string()];
                let ctx = tx.batch_context(&other, &[i2])?;
                assert_eq!(ctx.stored.len(), 1);
                assert_eq!(
                    ctx.incidents.iter().map(|i| i.id).collect::<Vec<_>>(),
                    vec![i2]
                );
                Ok(())
            })
            .unwrap();
    });
}

/// A write transaction returned with its commit still to come
/// ([`Store::write_tx_pending`]) is durable once committed; a next writer
/// meanwhile waits for it and then sees it; dropped uncommitted, it rolls
/// back (SQLite's default commits before it returns).
#[test]
fn a_pending_commit_commits_or_rolls_back() {
    each(|c| {
        let pending = c
            .store
            .write_tx_pending(&BatchKeys::default, &mut |tx| {
                tx.insert_report(&report("kept", "SOHR"))?;
                tx.audit(&entry(1))?;
                Ok(())
            })
            .unwrap();
        let store = c.store.clone();
        std::thread::scope(|s| {
            let next = s.spawn(move || {
                store.write_tx_pending(&BatchKeys::default, &mut |tx| {
                    assert!(tx.report_by_hash("kept")?.is_some(), "sees the first");
                    tx.insert_report(&report("dropped", "SOHR"))?;
                    tx.audit(&entry(2)).map(|_| ())
                })
            });
            std::thread::sleep(std::time::Duration::from_millis(50));
            pending.commit().unwrap();
            drop(next.join().unwrap().unwrap());
        });
        let mut seen = (None, None);
        c.store
            .read_tx(&mut |tx| {
                seen = (tx.report_by_hash("kept")?, tx.report_by_hash("dropped")?);
                Ok(())
            })
            .unwrap();
        assert!(seen.0.is_some(), "committed");
        assert_eq!(
            seen.1.is_some(),
            c.name == "sqlite",
            "dropped: rolled back where pending"
        );
        assert_eq!(c.store.verify_audit().unwrap().1, None);
    });
}

/// Reports by ids: in the order asked, each once, the missing left out.
#[test]
fn reports_are_read_by_ids_in_the_order_asked() {
    each(|c| {
        let mut ids = vec![];
        c.store
            .write_tx(&mut |tx| {
                for (h, s) in [("r1", "SOHR"), ("r2", "SANA"), ("r3", "OCHA")] {
                    ids.push(tx.insert_report(&report(h, s))?);
                }
                Ok(())
            })
            .unwrap();
        let got = c
            .store
            .reports_by_ids(&[ids[2], ids[0], 999_999, ids[2]])
            .unwrap();
        let seen: Vec<(i64, &str)> = got.iter().map(|r| (r.id, r.source.as_str())).collect();
        assert_eq!(seen, [(ids[2], "OCHA"), (ids[0], "SOHR")]);
        assert_eq!(got[0], c.store.report(ids[2]).unwrap().unwrap());
        assert!(c.store.reports_by_ids(&[]).unwrap().is_empty());
    });
}

/// An incident with its events and stances reads the same as the rows one
/// by one (PostgreSQL reads it as JSON in one statement: floats, quotes and
/// Arabic must come back as stored), and a merged incident leads to its
/// keeper.
#[test]
fn an_incident_with_its_events_reads_as_its_rows() {
    each(|c| {
        let (mut keep, mut gone) = (0, 0);
        c.store
            .write_tx(&mut |tx| {
                keep = tx.insert_incident(&incident(17_591))?;
                gone = tx.insert_incident(&incident(17_592))?;
                for (k, h) in ["a'1", "b\\2"].iter().enumerate() {
                    let r = tx.insert_report(&report(h, "SOHR"))?;
                    tx.insert_event(&EventRow {
                        report_id: r,
                        seq: k as u32,
                        kind: "shelling_artillery_missile".into(),
                        date: Some("2018-03-01".into()),
                        place_name: Some("معرة النعمان 'x'".into()),
                        lat: Some(35.648_123_456_789_01),
                        lon: Some(36.672_987_654_321_09),
                        evidence: "[[0,4]]".into(),
                        incident_id: Some(keep),
                        ..Default::default()
                    })?;
                }
                tx.insert_stance(&StanceRow {
                    id: 0,
                    incident_id: keep,
                    agreement: "astana-2017".into(),
                    party: "turkey".into(),
                    position: "dispute".into(),
                    comment: "«لم يحدث» it's".into(),
                    recorded_by: "liaison".into(),
                    recorded_at: "2018-03-02T10:00:00Z".into(),
                })?;
                let mut g = tx.incident(gone)?.expect("stored");
                g.merged_into = Some(keep);
                tx.update_incident(&g)?;
                Ok(())
            })
            .unwrap();
        let mut rows = None;
        c.store
            .read_tx(&mut |tx| {
                let i = tx.incident(keep)?.expect("stored");
                rows = Some((i, tx.events_of(keep)?, tx.stances(keep)?));
                Ok(())
            })
            .unwrap();
        let rows = rows.unwrap();
        assert_eq!(rows.1.len(), 2);
        assert_eq!(rows.2.len(), 1);
        assert_eq!(
            c.store.incident_with_events(keep).unwrap(),
            Some(rows.clone())
        );
        assert_eq!(c.store.incident_with_events(gone).unwrap(), Some(rows));
        assert_eq!(c.store.incident_with_events(999_999).unwrap(), None);
    });
}

/// An ingest batch worked out optimistically on PostgreSQL (the caller
/// says its kept state is exact at the audit head the handle's last batch
/// left): worked out without the writers' lock, written by one statement
/// run at its commit, whole, or, when anybody else wrote meanwhile, not at
/// all (`Stale`). What it reads, it reads once the handle's earlier writes
/// have committed. A batch with a stored report, or keys at another head,
/// goes the ordinary way; an ordinary writer of the same handle waits for a
/// pending optimistic statement instead of deadlocking with it.
#[test]
fn an_optimistic_postgres_batch_is_written_whole_or_found_stale() {
    let Some(url) = pg_url() else { return };
    let schema = common::Schema::new(&url);
    let s = PgStore::create(&schema.url()).unwrap();
    let other = PgStore::open(&schema.url()).unwrap();
    // one report with one event of a new incident (on day 100 + n; its id
    // left in `made`), and an audit entry
    let made = std::sync::atomic::AtomicI64::new(0);
    let batch = |tx: &mut dyn Tx, hash: &str, n: i32| -> hudna_store::Result<Vec<AuditRecord>> {
        let ids = tx.reserve_ids(IdCounts {
            reports: 1,
            events: 1,
            incidents: 1,
        })?;
        let r = ReportRow {
            id: ids.reports[0],
            ..report(hash, "SOHR")
        };
        let i = IncidentRow {
            id: ids.incidents[0],
            ..incident(100 + n)
        };
        made.store(i.id, std::sync::atomic::Ordering::Relaxed);
        let e = EventRow {
            id: ids.events[0],
            report_id: r.id,
            incident_id: Some(i.id),
            kind: "Shelling/artillery/missile attack".into(),
            evidence: "[[0,4]]".into(),
            ..Default::default()
        };
        tx.write_batch(&BatchWrite {
            reports: &[r],
            new_incidents: &[i],
            events: &[e],
            changed_incidents: &[],
            assessed: &[],
            assessments: &[],
            audit: &[entry(n)],
        })
    };
    let keys = |hash: &str, at: Option<AuditHead>| BatchKeys {
        hashes: vec![hash.to_owned()],
        optimistic: at,
        ..BatchKeys::default()
    };
    let count = |s: &PgStore| s.counts().unwrap().reports;
    let stats = |s: &PgStore| {
        let w = s.write_stats();
        (w.ordinary, w.optimistic, w.stale)
    };
    // an ordinary batch left uncommitted, and the head it leaves
    let uncommitted = |s: &PgStore, hash: &str, n: i32| {
        let mut after = None;
        let p = s
            .write_tx_pending(&|| keys(hash, None), &mut |tx| {
                after = batch(tx, hash, n)?.last().map(AuditHead::from);
                Ok(())
            })
            .unwrap();
        (p, after)
    };
    // an ordinary batch: the basis of the next
    let mut head = None;
    s.write_tx_for(&|| keys("a", None), &mut |tx| {
        assert!(tx.batch_context(&["a".into()], &[])?.stored.is_empty());
        head = batch(tx, "a", 1)?.last().map(AuditHead::from);
        Ok(())
    })
    .unwrap();
    let incident_a = made.load(std::sync::atomic::Ordering::Relaxed);
    assert_eq!(stats(&s), (1, 0, 0));
    // optimistic: worked out on the head the last batch left, writes
    // nothing until committed, then all of it
    let mut seen = None;
    let mut next = None;
    let pending = s
        .write_tx_pending(&|| keys("b", head.clone()), &mut |tx| {
            seen = tx.audit_head()?;
            let read = tx.candidates("explosions", 101, 101)?;
            assert_eq!(read.len(), 1, "reads what it lacks");
            next = batch(tx, "b", 2)?.last().map(AuditHead::from);
            Ok(())
        })
        .unwrap();
    assert_eq!(seen, head, "worked out on the head the last batch left");
    assert_eq!(count(&s), 1, "nothing written before the commit");
    pending.commit().unwrap();
    assert_eq!(count(&s), 2);
    assert_eq!(stats(&s), (1, 1, 0), "one optimistic statement");
    assert_eq!(s.verify_audit().unwrap(), (2, None));
    assert_eq!(
        s.audit_log(None).unwrap().last().map(AuditHead::from),
        next,
        "the chain continues from the head it was worked out on"
    );
    // somebody else writes: the next optimistic batch is stale, kept not at all
    other.append_audit(&entry(3)).unwrap();
    let pending = s
        .write_tx_pending(&|| keys("c", next.clone()), &mut |tx| {
            batch(tx, "c", 4).map(|_| ())
        })
        .unwrap();
    let e = pending.commit().unwrap_err();
    assert!(matches!(e, StoreError::Stale(_)), "{e}");
    assert_eq!(count(&s), 2, "nothing of a stale batch is kept");
    assert_eq!(stats(&s), (1, 1, 1));
    assert_eq!(s.verify_audit().unwrap(), (3, None));
    // after that, the ordinary way
    s.write_tx_for(&|| keys("c", next.clone()), &mut |tx| {
        head = batch(tx, "c", 5)?.last().map(AuditHead::from);
        Ok(())
    })
    .unwrap();
    assert_eq!(
        stats(&s),
        (2, 1, 1),
        "after a stale batch, the ordinary way"
    );
    assert_eq!(count(&s), 3);
    // a pending optimistic statement, and an ordinary write of the same
    // handle meanwhile: the ordinary one waits for it, and follows it
    let fresh = PgStore::open(&schema.url()).unwrap();
    fresh
        .write_tx_for(&|| keys("d", None), &mut |tx| batch(tx, "d", 6).map(|_| ()))
        .unwrap();
    let at = fresh.audit_log(None).unwrap().last().map(AuditHead::from);
    let pending = fresh
        .write_tx_pending(&|| keys("e", at.clone()), &mut |tx| {
            batch(tx, "e", 7).map(|_| ())
        })
        .unwrap();
    assert_eq!(stats(&fresh), (1, 0, 0), "e: optimistic, pending");
    std::thread::scope(|sc| {
        let waiting = sc.spawn(|| fresh.append_audit(&entry(8)).unwrap());
        std::thread::sleep(std::time::Duration::from_millis(100));
        assert!(!waiting.is_finished(), "the ordinary write waits");
        pending.commit().unwrap();
        waiting.join().unwrap();
    });
    let log = fresh.audit_log(None).unwrap();
    let last: Vec<&str> = log
        .iter()
        .rev()
        .take(2)
        .map(|r| r.entity.as_str())
        .collect();
    assert_eq!(last, ["thing/8", "thing/7"], "in that order");
    assert_eq!(fresh.verify_audit().unwrap().1, None);
    // an optimistic batch worked out while the handle's batch before is
    // still uncommitted: its reads wait for that commit, and see it
    let (first, after_f) = uncommitted(&fresh, "f", 9);
    let second = std::thread::scope(|sc| {
        let working = sc.spawn(|| {
            let mut read = vec![];
            let p = fresh
                .write_tx_pending(&|| keys("g", after_f.clone()), &mut |tx| {
                    read = tx.candidates("explosions", 109, 109)?;
                    batch(tx, "g", 10).map(|_| ())
                })
                .unwrap();
            (p, read)
        });
        std::thread::sleep(std::time::Duration::from_millis(100));
        assert!(!working.is_finished(), "its read waits for the commit");
        first.commit().unwrap();
        let (p, read) = working.join().unwrap();
        assert_eq!(read.len(), 1, "and sees what that commit wrote");
        p
    });
    second.commit().unwrap();
    assert_eq!(count(&fresh), 7);
    // while an optimistic statement of the handle is outstanding, the next
    // batch reads the context of an incident it does not write at once,
    // and of one it writes once it has committed
    let at = fresh.audit_log(None).unwrap().last().map(AuditHead::from);
    let mut after_j = None;
    let j = fresh
        .write_tx_pending(&|| keys("j", at.clone()), &mut |tx| {
            after_j = batch(tx, "j", 13)?.last().map(AuditHead::from);
            Ok(())
        })
        .unwrap();
    let incident_j = made.load(std::sync::atomic::Ordering::Relaxed);
    let (read_a, got_a) = std::sync::mpsc::channel();
    let k = std::thread::scope(|sc| {
        let working = sc.spawn(|| {
            let mut seen_j = vec![];
            let p = fresh
                .write_tx_pending(&|| keys("k", after_j.clone()), &mut |tx| {
                    let a = tx.batch_context(&["k".into()], &[incident_a])?;
                    read_a.send(a.incidents.len()).unwrap();
                    seen_j = tx.batch_context(&["k".into()], &[incident_j])?.incidents;
                    batch(tx, "k", 14).map(|_| ())
                })
                .unwrap();
            (p, seen_j)
        });
        assert_eq!(
            got_a.recv().ok(),
            Some(1),
            "the incident j does not write: read while j is pending"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
        assert!(!working.is_finished(), "the one j writes: waits for j");
        j.commit().unwrap();
        let (p, seen_j) = working.join().unwrap();
        assert_eq!(
            seen_j.iter().map(|i| i.id).collect::<Vec<_>>(),
            [incident_j],
            "and sees it"
        );
        p
    });
    k.commit().unwrap();
    assert_eq!(count(&fresh), 9);
    assert_eq!(stats(&fresh).1, 4, "j and k optimistic");
    // a statement that began before the batch it follows had committed
    // (its snapshot older than the head it was worked out on): stale, by
    // the guard, though the head it checks after the lock is the right one
    let (first, after_h) = uncommitted(&fresh, "h", 11);
    let late = fresh
        .write_tx_pending(&|| keys("i", after_h.clone()), &mut |tx| {
            batch(tx, "i", 12).map(|_| ())
        })
        .unwrap();
    std::thread::scope(|sc| {
        let late = sc.spawn(|| late.commit());
        std::thread::sleep(std::time::Duration::from_millis(100));
        first.commit().unwrap();
        let e = late.join().unwrap().unwrap_err();
        assert!(matches!(e, StoreError::Stale(_)), "{e}");
    });
    assert_eq!(count(&fresh), 10, "h kept, i not");
    assert_eq!(fresh.verify_audit().unwrap().1, None);
    // a batch with a stored report goes the ordinary way (which says so)
    let at = fresh.audit_log(None).unwrap().last().map(AuditHead::from);
    let before = stats(&fresh);
    fresh
        .write_tx_for(&|| keys("a", at.clone()), &mut |tx| {
            let ctx = tx.batch_context(&["a".into()], &[])?;
            assert_eq!(ctx.stored.len(), 1, "read: the ordinary way");
            Ok(())
        })
        .unwrap();
    assert_eq!(stats(&fresh).0, before.0 + 1);
}
