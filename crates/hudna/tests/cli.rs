//! The binary, end to end: the table through `--format json`, and bad input.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn hudna(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hudna"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("HUDNA_DB")
        .output()
        .expect("run hudna")
}

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/agreements")
        .join(name)
}

fn ready() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.sqlite");
    assert!(hudna(&db, &["init"]).status.success());
    for a in ["astana-2017", "sochi-2018", "moscow-2020"] {
        let o = hudna(&db, &["agreement", "load", data(a).to_str().unwrap()]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    (dir, db)
}

fn json(o: &Output) -> Value {
    assert!(
        o.status.success(),
        "exit {:?}: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("json on stdout")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn locate_answers_the_table_as_json() {
    let (_d, db) = ready();
    type Case<'a> = (&'a str, &'a str, &'a str, Option<(&'a str, &'a str)>);
    let cases: &[Case] = &[
        (
            "33.572",
            "36.402",
            "2018-01-15",
            Some(("eastern_ghouta", "active")),
        ),
        ("35.614", "36.563", "2018-03-01", Some(("idlib", "active"))),
        ("35.812", "36.318", "2019-06-01", Some(("idlib", "active"))),
        (
            "34.926",
            "36.733",
            "2017-12-01",
            Some(("northern_homs", "active")),
        ),
        (
            "32.889",
            "36.043",
            "2017-12-01",
            Some(("southern_syria", "active")),
        ),
        ("33.513", "36.276", "2018-01-15", None),
        ("35.523", "35.792", "2018-01-15", None),
    ];
    for (lat, lon, at, expect) in cases {
        let v = json(&hudna(
            &db,
            &["locate", lat, lon, "--at", at, "--format", "json"],
        ));
        let zones = v["zones"].as_array().unwrap();
        match expect {
            None => assert!(zones.is_empty(), "{lat},{lon} {at}: {v}"),
            Some((zone, status)) => assert!(
                zones.iter().any(|z| z["agreement"] == "astana-2017"
                    && z["zone"] == *zone
                    && z["status"] == *status),
                "{lat},{lon} {at}: {v}"
            ),
        }
        for z in zones {
            assert!(z["security_zone"].is_boolean());
        }
        assert!(v["nearest_place"]["geonameid"].is_u64(), "{v}");
        assert!(v["nearest_place"]["distance_km"].is_f64(), "{v}");
    }
    let v = json(&hudna(
        &db,
        &[
            "locate",
            "33.572",
            "36.402",
            "--at",
            "2018-06-01",
            "--format",
            "json",
        ],
    ));
    assert!(
        !v["zones"]
            .as_array()
            .unwrap()
            .iter()
            .any(|z| z["zone"] == "eastern_ghouta" && z["status"] == "active"),
        "{v}"
    );
    let v = json(&hudna(
        &db,
        &[
            "locate",
            "35.614",
            "36.563",
            "--at",
            "2018-03-01",
            "--format",
            "json",
        ],
    ));
    assert_eq!(v["admin1"], "SY-ID");
    // Arabic-Indic digits are numbers too
    let v = json(&hudna(
        &db,
        &[
            "locate",
            "٣٥٫٦١٤",
            "٣٦٫٥٦٣",
            "--at",
            "2018-03-01",
            "--format",
            "json",
        ],
    ));
    assert_eq!(v["admin1"], "SY-ID");
}

#[test]
fn mandate_status_as_json() {
    let (_d, db) = ready();
    let v = json(&hudna(
        &db,
        &[
            "mandate",
            "status",
            "--agreement",
            "astana-2017",
            "--at",
            "2017-12-01",
            "--format",
            "json",
        ],
    ));
    assert_eq!(v["in_force"], true);
    assert_eq!(v["extension"], 1);
    assert_eq!(v["term_start"], "2017-11-04");
    assert_eq!(v["term_end"], "2018-05-04");
    let v = json(&hudna(
        &db,
        &[
            "mandate",
            "status",
            "--agreement",
            "astana-2017",
            "--at",
            "2017-06-01",
            "--format",
            "json",
        ],
    ));
    assert_eq!(v["extension"], 0);
    // an objection, recorded through the CLI, ends the renewal
    let o = hudna(
        &db,
        &[
            "consent",
            "--agreement",
            "astana-2017",
            "--party",
            "turkey",
            "--extension",
            "2",
            "--date",
            "2018-04-30",
            "object",
            "--format",
            "json",
        ],
    );
    assert_eq!(json(&o)["in_force"], false);
    let o = hudna(
        &db,
        &[
            "consent",
            "--agreement",
            "astana-2017",
            "--party",
            "jordan",
            "--extension",
            "2",
            "grant",
        ],
    );
    assert_eq!(o.status.code(), Some(6), "{}", stderr(&o));
    assert!(stderr(&o).contains("consenting parties are"));
    let v = json(&hudna(&db, &["audit", "verify", "--format", "json"]));
    assert_eq!(v["intact"], true);
}

#[test]
fn zones_and_show_print_json() {
    let (_d, db) = ready();
    let v = json(&hudna(
        &db,
        &["zones", "--at", "2018-06-01", "--format", "json"],
    ));
    let eg = v
        .as_array()
        .unwrap()
        .iter()
        .find(|z| z["zone"] == "eastern_ghouta")
        .unwrap();
    assert_eq!(eg["status"], "dissolved");
    let v = json(&hudna(
        &db,
        &["agreement", "show", "astana-2017", "--format", "json"],
    ));
    assert_eq!(v["posts"].as_array().unwrap().len(), 12);
    let guarantors: Vec<_> = v["parties"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["role"] == "guarantor")
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(guarantors, ["russia", "turkey", "iran"]);
}

#[test]
fn bad_input_gets_one_clear_message_and_a_nonzero_code() {
    let (dir, db) = ready();
    let o = hudna(&db, &["zones", "--bogus"]);
    assert_eq!(o.status.code(), Some(2));
    let o = hudna(&db, &["zones", "--at", "2017-13-01"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("month 13"), "{}", stderr(&o));
    let o = hudna(&db, &["zones", "--at", "أمس"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("YYYY-MM-DD"), "{}", stderr(&o));
    let o = hudna(&db, &["locate", "135.6", "36.5", "--at", "2018-01-01"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("latitude"), "{}", stderr(&o));
    let o = hudna(&db, &["locate", "abc", "36.5"]);
    assert_eq!(o.status.code(), Some(2));
    let missing = dir.path().join("nope.sqlite");
    let o = hudna(&missing, &["zones"]);
    assert_eq!(o.status.code(), Some(4));
    assert!(stderr(&o).contains("hudna init"), "{}", stderr(&o));
    assert!(!missing.exists(), "a read must not create a database");
    // a half-written agreement directory: refused, nothing written
    let half = dir.path().join("half");
    std::fs::create_dir(&half).unwrap();
    std::fs::write(half.join("agreement.toml"), "id = \"half\"\nname_ar = \"نصف\"\nname_en = \"Half\"\nsigned = 2020-01-01\n[[zone]]\nid = \"z\"\nname_ar = \"ز\"\nname_en = \"Z\"\n[[zone.version]]\nvalid_from = 2020-01-01\nstatus = \"active\"\ngeometry = \"zones.geojson#z\"\n").unwrap();
    let before = json(&hudna(&db, &["audit", "verify", "--format", "json"]))["entries"].clone();
    let o = hudna(&db, &["agreement", "load", half.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("zones.geojson"), "{}", stderr(&o));
    assert_eq!(
        json(&hudna(&db, &["audit", "verify", "--format", "json"]))["entries"],
        before
    );
    let v = json(&hudna(&db, &["agreement", "list", "--format", "json"]));
    assert!(!v.as_array().unwrap().iter().any(|a| a["id"] == "half"));
}

#[test]
fn a_locked_database_is_named() {
    let (_d, db) = ready();
    let mut holder = Command::new("python3")
        .args(["-c", "import sqlite3,sys,time; c=sqlite3.connect(sys.argv[1], isolation_level=None); c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); time.sleep(30)", db.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .spawn();
    let Ok(child) = holder.as_mut() else {
        eprintln!("python3 not available: skipping the lock test");
        return;
    };
    let mut line = String::new();
    use std::io::BufRead;
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "locked");
    let o = hudna(
        &db,
        &[
            "consent",
            "--agreement",
            "astana-2017",
            "--party",
            "iran",
            "--extension",
            "2",
            "grant",
        ],
    );
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(stderr(&o).contains("locked"), "{}", stderr(&o));
}

#[test]
fn batch_locate_skips_bad_rows_and_keeps_the_rest() {
    let (dir, db) = ready();
    let input = dir.path().join("pts.csv");
    std::fs::write(&input, "lat,lon,date\n35.614,36.563,2018-03-01\nnot-a-number,36.5,2018-01-01\n33.513,36.276,2018-01-15\n95,36,2018-01-01\n33.572,36.402,2017-13-01\n").unwrap();
    let out = dir.path().join("out.csv");
    let o = hudna(
        &db,
        &[
            "locate",
            "--batch",
            input.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(":3:") && err.contains(":5:") && err.contains(":6:"),
        "{err}"
    );
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].contains("zones,in_security_zone,border_km,admin1,nearest_geonameid"));
    assert!(
        lines[1].contains("astana-2017/idlib:active")
            && lines[1].contains("SY-ID")
            && lines[1].contains("168661"),
        "{text}"
    );
    assert!(lines[2].starts_with("4,33.513,36.276"), "{text}");
}

#[test]
fn a_geonames_dump_replaces_the_gazetteer() {
    let (dir, db) = ready();
    // two rows in GeoNames' 19-column layout, and one broken row
    let dump = dir.path().join("SY.txt");
    std::fs::write(
        &dump,
        "168661\tKafr Nubl\tKafr Nubl\tKafranbel\t35.61379\t36.56117\tP\tPPL\tSY\t\t12\t\t\t\t15455\t\t440\tAsia/Damascus\t2012-01-18\n\
         999001\tTest Hamlet\tTest Hamlet\t\t35.70000\t36.60000\tP\tPPL\tSY\t\t12\t\t\t\t10\t\t300\tAsia/Damascus\t2020-01-01\n\
         broken row\n",
    )
    .unwrap();
    let o = hudna(
        &db,
        &[
            "gazetteer",
            "import",
            dump.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    let v = json(&o);
    assert_eq!(v["places"], 2, "{v}");
    assert!(stderr(&o).contains("SY.txt:3"), "{}", stderr(&o));
    let v = json(&hudna(
        &db,
        &[
            "locate",
            "35.70001",
            "36.60001",
            "--at",
            "2018-03-01",
            "--format",
            "json",
        ],
    ));
    assert_eq!(v["nearest_place"]["geonameid"], 999001, "{v}");
}
