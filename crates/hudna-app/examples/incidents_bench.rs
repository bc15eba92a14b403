//! Query latency over a large incident store (the ingest benchmark's second half).
//!
//! Fills a SQLite database with N synthetic incidents and their assessments
//! through the store's public write path (`Store::write_tx`,
//! `Tx::insert_incident`, `Tx::put_assessments`, in big transactions), then
//! times Q random queries of each kind through the public read API:
//! `Store::incidents` (one agreement, one zone, a 30-day window, 100 rows)
//! and `Store::daily_counts` (violations per zone per day, 30-day window).
//! The incidents are synthetic (days 2017-05-04..2024-12-31, types, zones and
//! readings in plausible proportions); nothing here is a record of real events.
//!
//!     incidents_bench DB [N=1000000] [Q=1000]
//!
//! An existing DB holding exactly N live incidents is reused. Prints one JSON
//! object on stdout.

use chrono::NaiveDate;
use hudna_core::date::day_number;
use hudna_store::{AssessmentRow, IncidentFilter, IncidentRow, Range, SqliteStore, Store};
use std::path::PathBuf;
use std::time::Instant;

/// splitmix64: a small deterministic generator (no extra dependency).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const ASTANA_ZONES: &[&str] = &["idlib", "northern_homs", "eastern_ghouta", "southern_syria"];
const KINDS: &[(&str, &str)] = &[
    ("air_drone_strike", "explosions_remote_violence"),
    ("shelling_artillery_missile", "explosions_remote_violence"),
    ("remote_explosive", "explosions_remote_violence"),
    ("armed_clash", "battles"),
];
const PERPS: &[&str] = &[
    "syrian_government",
    "russia",
    "opposition_factions",
    "hts",
    "iran_backed_militias",
    "unknown",
];

fn day(y: i32, m: u32, d: u32) -> i32 {
    day_number(NaiveDate::from_ymd_opt(y, m, d).expect("date"))
}

fn reading(rng: &mut Rng) -> &'static str {
    match rng.below(100) {
        0..=54 => "violation",
        55..=59 => "carve_out_claimed",
        _ => "not_covered",
    }
}

fn assessment(
    id: i64,
    agreement: &str,
    zone: Option<&str>,
    d: i32,
    rng: &mut Rng,
) -> AssessmentRow {
    AssessmentRow {
        incident_id: id,
        agreement: agreement.into(),
        zone: zone.map(str::to_owned),
        day: Some(d),
        reading: if zone.is_some() {
            reading(rng)
        } else {
            "outside_zones"
        }
        .into(),
        rule: zone.map(|_| "no_hostilities".to_owned()),
        in_security_zone: false,
        border_km: Some((rng.unit() * 40.0 * 1000.0).round() / 1000.0),
        reasons: "[\"synthetic\"]".into(),
    }
}

fn fill(store: &SqliteStore, n: usize, first: i32, last: i32) -> hudna_store::Result<f64> {
    let t = Instant::now();
    let mut rng = Rng(20170504);
    let (sochi, moscow) = (day(2018, 9, 17), day(2020, 3, 5));
    let mut done = 0usize;
    while done < n {
        let batch = (n - done).min(50_000);
        store.write_tx(&mut |tx| {
            for _ in 0..batch {
                let d = first + rng.below((last - first + 1) as u64) as i32;
                let date = NaiveDate::from_num_days_from_ce_opt(d + 719_163).expect("day");
                let (kind, group) = KINDS[rng.below(KINDS.len() as u64) as usize];
                let killed = rng.below(8) as u32;
                let mut i = IncidentRow {
                    kind: kind.into(),
                    event_group: group.into(),
                    date: Some(date.to_string()),
                    day: Some(d),
                    date_precision: Some(1),
                    place_name: Some("synthetic".into()),
                    geonameid: Some(rng.below(300) as u32),
                    admin1: Some("SY-ID".into()),
                    lat: Some(32.5 + rng.unit() * 4.0),
                    lon: Some(35.8 + rng.unit() * 1.5),
                    geo_precision: Some(1),
                    perpetrator: Some(PERPS[rng.below(PERPS.len() as u64) as usize].into()),
                    killed: Range {
                        low: Some(killed),
                        best: Some(killed),
                        high: Some(killed + 1),
                    },
                    sources: 1 + rng.below(3) as u32,
                    reports: 1 + rng.below(4) as u32,
                    status: "new".into(),
                    grade: "weak".into(),
                    absorbed: "[]".into(),
                    ..Default::default()
                };
                i.id = tx.insert_incident(&i)?;
                // where it fell: 80 % inside an Astana zone (Idlib most often)
                let zone = match rng.below(100) {
                    0..=49 => Some("idlib"),
                    50..=79 => Some(ASTANA_ZONES[1 + rng.below(3) as usize]),
                    _ => None,
                };
                let mut rows = vec![assessment(i.id, "astana-2017", zone, d, &mut rng)];
                if d >= sochi {
                    let z = (zone == Some("idlib") && rng.below(3) == 0)
                        .then_some("idlib_demilitarised");
                    rows.push(assessment(i.id, "sochi-2018", z, d, &mut rng));
                }
                if d >= moscow {
                    let z = (zone == Some("idlib") && rng.below(5) == 0).then_some("m4_corridor");
                    rows.push(assessment(i.id, "moscow-2020", z, d, &mut rng));
                }
                tx.put_assessments(i.id, &rows)?;
            }
            Ok(())
        })?;
        done += batch;
        eprintln!(
            "filled {done}/{n} incidents ({:.0} s)",
            t.elapsed().as_secs_f64()
        );
    }
    Ok(t.elapsed().as_secs_f64())
}

fn percentiles(mut ms: Vec<f64>) -> (f64, f64, f64) {
    ms.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| ms[((q * ms.len() as f64).ceil() as usize).clamp(1, ms.len()) - 1];
    let r = |x: f64| (x * 1000.0).round() / 1000.0;
    (r(at(0.5)), r(at(0.99)), r(*ms.last().expect("some")))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = PathBuf::from(args.get(1).ok_or("usage: incidents_bench DB [N] [Q]")?);
    let n: usize = args
        .get(2)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let q: usize = args.get(3).map(|s| s.parse()).transpose()?.unwrap_or(1000);
    let (first, last) = (day(2017, 5, 4), day(2024, 12, 31));

    let mut store = SqliteStore::create(&path)?;
    let mut fill_s = None;
    if store.counts()?.incidents as usize != n {
        drop(store);
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
        }
        store = SqliteStore::create(&path)?;
        fill_s = Some(fill(&store, n, first, last)?);
    }

    let mut rng = Rng(42);
    let window = 30;
    let mut zone_ms = Vec::with_capacity(q);
    let mut zone_rows = 0usize;
    let mut count_ms = Vec::with_capacity(q);
    let mut count_rows = 0usize;
    // one untimed query of each kind first (statement preparation, cold pages)
    let warm = IncidentFilter {
        agreement: Some("astana-2017".into()),
        zone: Some("idlib".into()),
        since_day: Some(first),
        until_day: Some(first + window - 1),
        limit: Some(100),
        ..Default::default()
    };
    store.incidents(&warm)?;
    store.daily_counts("astana-2017", first, first + window - 1)?;
    for _ in 0..q {
        let since = first + rng.below((last - first - window + 2) as u64) as i32;
        let (agreement, zone) = match rng.below(10) {
            0 => ("sochi-2018", "idlib_demilitarised"),
            1 => ("moscow-2020", "m4_corridor"),
            _ => ("astana-2017", ASTANA_ZONES[rng.below(4) as usize]),
        };
        let f = IncidentFilter {
            agreement: Some(agreement.into()),
            zone: Some(zone.into()),
            since_day: Some(since),
            until_day: Some(since + window - 1),
            limit: Some(100),
            ..Default::default()
        };
        let t = Instant::now();
        zone_rows += store.incidents(&f)?.len();
        zone_ms.push(t.elapsed().as_secs_f64() * 1000.0);

        let since = first + rng.below((last - first - window + 2) as u64) as i32;
        let agreement =
            ["astana-2017", "astana-2017", "sochi-2018", "moscow-2020"][rng.below(4) as usize];
        let t = Instant::now();
        count_rows += store
            .daily_counts(agreement, since, since + window - 1)?
            .len();
        count_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let (z50, z99, zmax) = percentiles(zone_ms);
    let (c50, c99, cmax) = percentiles(count_ms);
    println!(
        "{}",
        serde_json::json!({
            "incidents": store.counts()?.incidents,
            "fill_s": fill_s.map(|s| (s * 10.0).round() / 10.0),
            "queries": q,
            "zone_window_p50_ms": z50, "zone_window_p99_ms": z99, "zone_window_max_ms": zmax,
            "zone_window_mean_rows": zone_rows as f64 / q as f64,
            "daily_counts_p50_ms": c50, "daily_counts_p99_ms": c99, "daily_counts_max_ms": cmax,
            "daily_counts_mean_rows": count_rows as f64 / q as f64,
        })
    );
    Ok(())
}
