//! Builds a benchmark database: the shipped agreements, N synthetic incidents
//! with their assessments (inserted through the store's write transactions),
//! the demo accounts, and an API token for the analyst, printed on stdout.
//!
//! `cargo run --release -p hudna-server --example bench_seed -- DB [N]`

use hudna_app::accounts::Accounts;
use hudna_app::Hudna;
use hudna_store::{AssessmentRow, IncidentRow, Range, SqliteStore, Store};
use std::path::PathBuf;
use std::sync::Arc;

/// The zones and a point inside each (Astana 2017).
const ZONES: &[(&str, f64, f64, u32)] = &[
    ("idlib", 35.75, 36.60, 60),
    ("northern_homs", 34.93, 36.72, 10),
    ("eastern_ghouta", 33.55, 36.40, 15),
    ("south", 32.85, 36.10, 15),
];
const TYPES: &[(&str, &str)] = &[
    ("shelling_artillery_missile", "explosions_remote_violence"),
    ("air_drone_strike", "explosions_remote_violence"),
    ("armed_clash", "battles"),
    ("attack_on_civilians", "violence_against_civilians"),
];

fn main() {
    let mut args = std::env::args().skip(1);
    let db = PathBuf::from(args.next().expect("usage: bench_seed DB [N]"));
    let n: usize = args
        .next()
        .map(|s| s.parse().expect("N"))
        .unwrap_or(100_000);
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", db.display()));
    }
    let store = Arc::new(SqliteStore::create(&db).expect("create"));
    let h = Hudna::with_store(store.clone());
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/agreements");
    for a in ["astana-2017", "sochi-2018", "moscow-2020"] {
        h.load_agreement(&data.join(a), Default::default(), "bench")
            .expect("load");
    }
    let start = hudna_core::date::day_number(chrono::NaiveDate::from_ymd_opt(2017, 6, 1).unwrap());
    let span = 1300; // mid-2017 to 2020, ~77 incidents a day
    let mut seed: u64 = 0x9E3779B97F4A7C15;
    let mut rnd = move |m: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % m
    };
    let mut done = 0;
    while done < n {
        let batch = (n - done).min(5000);
        let mut rows = Vec::with_capacity(batch);
        for _ in 0..batch {
            let mut pick = rnd(100) as u32;
            let &(zone, lat, lon, _) = ZONES
                .iter()
                .find(|z| {
                    if pick < z.3 {
                        true
                    } else {
                        pick -= z.3;
                        false
                    }
                })
                .unwrap_or(&ZONES[0]);
            let (kind, group) = TYPES[rnd(TYPES.len() as u64) as usize];
            let day = start + rnd(span) as i32;
            let date = (chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()
                + chrono::Duration::days(day as i64))
            .to_string();
            let killed = rnd(6) as u32;
            let i = IncidentRow {
                kind: kind.into(),
                event_group: group.into(),
                date: Some(date),
                day: Some(day),
                date_precision: Some(1),
                place_name: Some(format!("bench place {}", rnd(500))),
                lat: Some(lat + (rnd(2000) as f64 - 1000.0) / 20_000.0),
                lon: Some(lon + (rnd(2000) as f64 - 1000.0) / 20_000.0),
                geo_precision: Some(1),
                perpetrator: Some("syrian_government".into()),
                target: Some("civilians".into()),
                killed: Range {
                    low: Some(killed),
                    best: Some(killed),
                    high: Some(killed),
                },
                sources: 1,
                reports: 1,
                status: "new".into(),
                grade: "weak".into(),
                absorbed: "[]".into(),
                ..Default::default()
            };
            let reading = if rnd(10) < 7 {
                "violation"
            } else {
                "carve_out_claimed"
            };
            let a = AssessmentRow {
                incident_id: 0,
                agreement: "astana-2017".into(),
                zone: Some(zone.into()),
                day: Some(day),
                reading: reading.into(),
                rule: Some("cessation_of_hostilities".into()),
                in_security_zone: false,
                border_km: Some(rnd(30) as f64),
                reasons: "[\"synthetic benchmark incident\"]".into(),
            };
            rows.push((i, a));
        }
        store
            .write_tx(&mut |tx| {
                for (i, a) in &rows {
                    let id = tx.insert_incident(i)?;
                    tx.put_assessments(
                        id,
                        &[AssessmentRow {
                            incident_id: id,
                            ..a.clone()
                        }],
                    )?;
                }
                Ok(())
            })
            .expect("insert");
        done += batch;
    }
    let accounts = Accounts::new(store.clone());
    hudna_server::create_demo_accounts(&accounts).expect("accounts");
    let token = accounts
        .create_token("analyst", "bench", "bench")
        .expect("token");
    eprintln!(
        "{} incidents in {}",
        store.counts().expect("counts").incidents,
        db.display()
    );
    println!("{token}");
}
