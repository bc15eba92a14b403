//! The demo, and the text renderings the commands share.

use crate::output::{emit, opt, Format};
use anyhow::{Context, Result};
use chrono::NaiveDate;
use hudna_app::definition::LoadOptions;
use hudna_app::{Hudna, Location, ZoneState};
use hudna_core::{Agreement, MandateStatus};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};

pub fn print_agreement(a: &Agreement) {
    println!("{} — {}\n{}", a.id, a.names.ar, a.names.en);
    println!(
        "signed {}{}",
        a.signed,
        if a.approximate {
            "  (geometry approximate)"
        } else {
            ""
        }
    );
    println!("\nparties:");
    for p in &a.parties {
        println!(
            "  {:<20} {:<15} {} | {}",
            p.id, p.role, p.names.ar, p.names.en
        );
    }
    if !a.designations.is_empty() {
        println!("\ndesignations:");
        for d in &a.designations {
            println!(
                "  {:<12} {} by {} from {}{}",
                d.actor,
                d.kind,
                d.by,
                d.valid.from,
                d.valid.to.map(|t| format!(" to {t}")).unwrap_or_default()
            );
        }
    }
    if let Some(m) = &a.mandate {
        println!(
            "\nmandate: from {}, terms of {} months, {}; consenting: {}",
            m.start,
            m.term_months,
            m.rule,
            m.consenting
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    println!("\nzones:");
    for z in &a.zones {
        println!("  {} — {} | {}", z.id, z.names.ar, z.names.en);
        for v in &z.versions {
            println!(
                "    v{} {:<9} {} → {}{}",
                v.seq,
                v.status,
                v.valid.from,
                opt(&v.valid.to),
                if v.approximate { "  (approximate)" } else { "" }
            );
        }
        for s in &z.security_zones {
            let what = match &s.shape {
                hudna_core::SecurityShape::Band { width_km, side } => {
                    format!("band {width_km} km {side}")
                }
                hudna_core::SecurityShape::Area(_) => "own geometry".into(),
            };
            println!(
                "    security zone: {what}, {} → {}",
                s.valid.from,
                opt(&s.valid.to)
            );
        }
    }
    if !a.posts.is_empty() {
        println!("\nmonitoring posts: {}", a.posts.len());
        for p in &a.posts {
            println!(
                "  {:<16} {:<8} {:.4}, {:.4}  {} → {}  {} | {}",
                p.id,
                p.party,
                p.lat,
                p.lon,
                p.active.from,
                opt(&p.active.to),
                p.names.ar,
                p.names.en
            );
        }
    }
    if !a.rules.is_empty() {
        println!("\nrules:");
        for r in &a.rules {
            println!(
                "  {}: prohibits {} by {}{}",
                r.id,
                r.prohibited.join(", "),
                r.bound
                    .iter()
                    .map(|b| b.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                r.carve_out
                    .as_ref()
                    .map(|c| format!("; carve-out for targets designated {c}"))
                    .unwrap_or_default()
            );
        }
    }
    if !a.rounds.is_empty() {
        println!("\nrounds:");
        for r in &a.rounds {
            println!(
                "  {:<10} {} → {}  {}  {}",
                r.id, r.start, r.end, r.venue, r.names.ar
            );
        }
    }
    if !a.commitments.is_empty() {
        println!("\ncommitments:");
        for c in &a.commitments {
            println!(
                "  [{}] {} (round {}, due {}{}): {}",
                c.status,
                c.id,
                c.round,
                opt(&c.due),
                c.settled_by
                    .as_ref()
                    .map(|s| format!(", settled by {s}"))
                    .unwrap_or_default(),
                if c.text.ar.is_empty() {
                    &c.text.en
                } else {
                    &c.text.ar
                }
            );
        }
    }
}

pub fn print_zones(at: NaiveDate, zs: &[ZoneState]) {
    println!("zones on {at}:");
    for z in zs {
        let st = match z.status {
            Some(s) => format!(
                "{s} (v{}, {} → {})",
                z.version.unwrap_or(0),
                opt(&z.valid_from),
                opt(&z.valid_to)
            ),
            None => "not in force".into(),
        };
        println!(
            "  {:<12} {:<20} {:<42} {} | {}",
            z.agreement, z.zone, st, z.name_ar, z.name_en
        );
    }
}

pub fn print_mandate(s: &MandateStatus) {
    println!("{s}");
    if s.rule == hudna_core::ExtensionRule::UnanimousConsent && !s.missing_for_next.is_empty() {
        println!(
            "  no decision yet on the next extension from: {}",
            s.missing_for_next
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
}

pub fn print_location(l: &Location) {
    println!("{:.5}, {:.5} on {}", l.lat, l.lon, l.at);
    if l.zones.is_empty() {
        println!("  no zone covers this point that day");
    }
    for z in &l.zones {
        println!(
            "  {}/{} v{}: {}{}",
            z.agreement,
            z.zone,
            z.version,
            z.status,
            if z.security_zone {
                ", in its security zone"
            } else {
                ""
            }
        );
    }
    if let (Some(km), Some(b)) = (l.border_km, &l.nearest_border) {
        println!("  nearest zone line: {km:.2} km ({b})");
    }
    println!("  governorate: {}", opt(&l.admin1));
    if let Some(p) = &l.nearest_place {
        println!(
            "  nearest place: {} | {} ({}), {:.1} km",
            p.name_ar.as_deref().unwrap_or("—"),
            p.name_en,
            p.geonameid,
            p.distance_km
        );
    }
}

/// `hudna locate --batch`: every good row is answered; bad rows are reported and skipped.
pub fn locate_batch(
    h: &Hudna,
    input: &Path,
    out: &Path,
    default_day: NaiveDate,
    f: Format,
) -> Result<i32> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(input)
        .with_context(|| format!("opening {}", input.display()))?;
    let headers = rdr
        .headers()
        .with_context(|| format!("{}: reading the header row", input.display()))?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let (Some(ilat), Some(ilon)) = (col("lat"), col("lon")) else {
        return Err(hudna_app::AppError::BadInput(format!(
            "{}: the header row needs columns lat and lon (found: {})",
            input.display(),
            headers.iter().collect::<Vec<_>>().join(", ")
        ))
        .into());
    };
    let idate = col("date");
    let mut pts = vec![];
    let mut lines = vec![];
    let mut bad = 0usize;
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                bad += 1;
                eprintln!("{}: {e}; skipped", input.display());
                continue;
            }
        };
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let parsed = (|| -> std::result::Result<(f64, f64, NaiveDate), String> {
            let get = |i: usize| rec.get(i).unwrap_or("").trim();
            let lat: f64 = get(ilat)
                .parse()
                .map_err(|_| format!("lat: {:?} is not a number", get(ilat)))?;
            let lon: f64 = get(ilon)
                .parse()
                .map_err(|_| format!("lon: {:?} is not a number", get(ilon)))?;
            hudna_app::check_point(lat, lon).map_err(|e| e.to_string())?;
            let day = match idate.map(get).filter(|s| !s.is_empty()) {
                Some(s) => hudna_core::parse_day(s).map_err(|e| format!("date: {e}"))?,
                None => default_day,
            };
            Ok((lat, lon, day))
        })();
        match parsed {
            Ok(p) => {
                pts.push(p);
                lines.push(line);
            }
            Err(why) => {
                bad += 1;
                eprintln!("{}:{line}: {why}; row skipped", input.display());
            }
        }
    }
    let pb = ProgressBar::new(pts.len() as u64);
    pb.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} points {per_sec} eta {eta}")
            .expect("template"),
    );
    let locs = h.locate_batch(&pts, &|n| pb.inc(n as u64))?;
    pb.finish_and_clear();
    let mut w =
        csv::Writer::from_path(out).with_context(|| format!("creating {}", out.display()))?;
    w.write_record([
        "line",
        "lat",
        "lon",
        "date",
        "zones",
        "in_security_zone",
        "border_km",
        "admin1",
        "nearest_geonameid",
    ])?;
    for (l, line) in locs.iter().zip(&lines) {
        let zones = l
            .zones
            .iter()
            .map(|z| format!("{}/{}:{}", z.agreement, z.zone, z.status))
            .collect::<Vec<_>>()
            .join(";");
        w.write_record([
            line.to_string(),
            l.lat.to_string(),
            l.lon.to_string(),
            l.at.to_string(),
            zones,
            l.in_security_zone.to_string(),
            l.border_km.map(|k| format!("{k:.3}")).unwrap_or_default(),
            l.admin1.clone().unwrap_or_default(),
            l.nearest_place
                .as_ref()
                .map(|p| p.geonameid.to_string())
                .unwrap_or_default(),
        ])?;
    }
    w.flush()?;
    let summary = serde_json::json!({"input": input.display().to_string(), "output": out.display().to_string(), "located": locs.len(), "skipped": bad});
    emit(f, &summary, |_| {
        eprintln!(
            "{} points located into {}; {} bad rows skipped",
            locs.len(),
            out.display(),
            bad
        )
    });
    Ok(if bad > 0 && locs.is_empty() { 2 } else { 0 })
}

/// Where the shipped data lives: ./data when run from the repository, else
/// next to the sources this binary was built from.
pub fn data_root() -> PathBuf {
    let here = PathBuf::from("data");
    if here.join("agreements").is_dir() {
        return here;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data")
}

pub fn run(data_dir: &Path, f: Format) -> Result<i32> {
    let root = data_root();
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("creating {}", data_dir.display()))?;
    let db = data_dir.join("demo.sqlite");
    for ext in ["", "-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{ext}", db.display()));
        if p.exists() {
            std::fs::remove_file(&p)
                .with_context(|| format!("removing the previous demo database {}", p.display()))?;
        }
    }
    let h = Hudna::create(&db)?;
    let mut loaded = vec![];
    for name in ["astana-2017", "sochi-2018", "moscow-2020"] {
        let r = h.load_agreement(
            &root.join("agreements").join(name),
            LoadOptions::default(),
            "demo",
        )?;
        loaded.push(r);
    }
    let days = [
        "2017-06-01",
        "2018-01-15",
        "2018-06-01",
        "2019-06-01",
        "2020-06-01",
    ]
    .map(|d| hudna_core::parse_day(d).expect("demo day"));
    let probes: &[(&str, f64, f64, &str)] = &[
        ("Douma · دوما", 33.572, 36.402, "2018-01-15"),
        ("Douma · دوما", 33.572, 36.402, "2018-06-01"),
        ("Kafranbel · كفرنبل", 35.614, 36.563, "2018-03-01"),
        ("Jisr al-Shughur · جسر الشغور", 35.812, 36.318, "2019-06-01"),
        ("Rastan · الرستن", 34.926, 36.733, "2017-12-01"),
        ("Nawa · نوى", 32.889, 36.043, "2017-12-01"),
        ("Damascus, Umayyad Sq. · دمشق", 33.513, 36.276, "2018-01-15"),
        ("Latakia · اللاذقية", 35.523, 35.792, "2018-01-15"),
    ];
    if f == Format::Json {
        ingest_samples(&h, &root)?;
    }
    let mut locs = vec![];
    for (name, lat, lon, d) in probes {
        locs.push((
            name.to_string(),
            h.locate(*lat, *lon, hudna_core::parse_day(d).expect("day"))?,
        ));
    }
    let mandate: Vec<MandateStatus> = ["2017-06-01", "2017-12-01", "2018-06-01"]
        .iter()
        .map(|d| h.mandate_status("astana-2017", hudna_core::parse_day(d).expect("day")))
        .collect::<std::result::Result<_, _>>()?;
    if f == Format::Json {
        let zones: Vec<_> = days
            .iter()
            .map(|d| Ok(serde_json::json!({"at": d, "zones": h.zones_at(*d, None)?})))
            .collect::<Result<Vec<_>>>()?;
        let incidents = h.incidents(&hudna_store::IncidentFilter::default())?;
        let v = serde_json::json!({"db": db.display().to_string(), "loaded": loaded, "zones": zones, "incidents": incidents.iter().map(|(i, a)| serde_json::json!({"incident": i, "assessments": a})).collect::<Vec<_>>(),
            "locate": locs.iter().map(|(n, l)| serde_json::json!({"name": n, "location": l})).collect::<Vec<_>>(), "mandate": mandate});
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(0);
    }
    println!(
        "Hudna demo — هدنة\n================\ndatabase: {}\n",
        db.display()
    );
    for r in &loaded {
        println!(
            "loaded {}: {} parties, {} zones ({} versions), {} posts, {} rules, {} rounds",
            r.agreement, r.parties, r.zones, r.versions, r.posts, r.rules, r.rounds
        );
    }
    let astana = h.agreement("astana-2017")?;
    println!("\nParties to the Astana memorandum · الأطراف");
    for p in &astana.parties {
        println!(
            "  {:<20} {:<15} {} | {}",
            p.id, p.role, p.names.ar, p.names.en
        );
    }
    println!("\nThe zones over time · مناطق خفض التصعيد عبر الزمن");
    for d in &days {
        println!();
        print_zones(*d, &h.zones_at(*d, None)?);
    }
    println!("\nWhere and when · أين ومتى");
    for (name, l) in &locs {
        println!("\n{name}");
        print_location(l);
    }
    println!(
        "\nThe mandate · الولاية (6-month terms, renewed automatically unless a guarantor objects)"
    );
    for s in &mandate {
        print!("  ");
        print_mandate(s);
    }
    reports_tour(&h, &root, &db)?;
    humanitarian_tour(&h)?;
    let (n, brk) = h.store().verify_audit()?;
    println!(
        "\naudit log: {n} entries, {}",
        if brk.is_none() {
            "hash chain intact"
        } else {
            "BROKEN"
        }
    );
    println!("\nTry next:\n  hudna --db {} zones --at 2018-06-01\n  hudna --db {} locate 35.614 36.563 --at 2018-03-01 --format json\n  hudna --db {} agreement show astana-2017", db.display(), db.display(), db.display());
    Ok(0)
}

/// Ingests the bundled sample reports and records the guarantors' first stances.
fn ingest_samples(h: &Hudna, root: &Path) -> Result<(hudna_app::IngestSummary, Option<i64>)> {
    let read = hudna_app::sources::read_paths(
        &[root.join("samples")],
        &hudna_app::sources::Defaults::default(),
        &mut std::io::empty(),
    );
    for p in &read.problems {
        eprintln!("skipped: {p}");
    }
    let s = h.ingest(
        read.reports,
        "demo",
        chrono::Local::now().date_naive(),
        &|_| {},
    )?;
    // the shelling of Kafranbel told by three outlets: Turkey confirms, Russia disputes
    let kafranbel = h
        .incidents(&hudna_store::IncidentFilter::default())?
        .into_iter()
        .map(|(i, _)| i)
        .filter(|i| i.geonameid == Some(168661))
        .max_by_key(|i| i.reports)
        .map(|i| i.id);
    if let Some(id) = kafranbel {
        h.record_stance(
            id,
            "astana-2017",
            "turkey",
            "confirm",
            "Turkish observation post 9 reported the shelling",
            "liaison-turkey",
        )?;
        h.record_stance(id, "astana-2017", "iran", "abstain", "", "liaison-iran")?;
        h.record_stance(
            id,
            "astana-2017",
            "russia",
            "dispute",
            "the Russian reconciliation centre recorded militant fire, not government shelling",
            "liaison-russia",
        )?;
    }
    // the seed statement's detainee file: postponed at Astana 7, then met
    // when Astana 8 set up the working group (the timeline shows both)
    for (status, settled_by, evidence, date) in [
        (
            "postponed",
            "astana-7",
            "Astana 7 final statement: the detainee file was not settled and goes to the next meeting",
            "2017-10-31",
        ),
        (
            "met",
            "astana-8",
            "Astana 8 final statement: a working group on detainees, abductees, bodies and missing persons",
            "2017-12-22",
        ),
    ] {
        h.follow_up(&hudna_store::FollowupRow {
            agreement: "astana-2017".into(),
            commitment: "astana-6-detainees".into(),
            status: status.into(),
            settled_by: settled_by.into(),
            evidence: evidence.into(),
            date: date.into(),
            recorded_by: "demo".into(),
        })?;
    }
    Ok((s, kafranbel))
}

fn reports_tour(h: &Hudna, root: &Path, db: &Path) -> Result<()> {
    println!("\nReports become incidents · من التقارير إلى الحوادث");
    let (s, kafranbel) = ingest_samples(h, root)?;
    println!(
        "ingested data/samples: {} reports stored ({} refused); {} events → {} incidents; {} reports flagged for an analyst (place not resolved)",
        s.stored, s.rejected, s.events, s.new_incidents, s.flagged
    );
    let all = h.incidents(&hudna_store::IncidentFilter::default())?;
    println!(
        "\n{:>4}  {:<10}  {:<28}  {:<18}  {:<18}  {:>8}  {:<9}  reading",
        "id", "date", "type", "place", "perpetrator", "killed", "grade"
    );
    for (i, a) in &all {
        let reading = a
            .iter()
            .find(|x| x.reading != "outside_zones")
            .or(a.first())
            .map(|x| {
                format!(
                    "{}{}",
                    x.reading,
                    x.zone
                        .as_ref()
                        .map(|z| format!(" ({}/{z})", x.agreement))
                        .unwrap_or_default()
                )
            })
            .unwrap_or_else(|| "unassessed (place unresolved)".into());
        let killed = match (i.killed.low, i.killed.best, i.killed.high) {
            (Some(l), Some(b), Some(hh)) if l != hh => format!("{l}/{b}/{hh}"),
            (_, Some(b), _) => b.to_string(),
            _ => "—".into(),
        };
        println!(
            "{:>4}  {:<10}  {:<28}  {:<18}  {:<18}  {:>8}  {:<9}  {}",
            i.id,
            opt(&i.date),
            i.kind,
            opt(&i.place_name),
            opt(&i.perpetrator),
            killed,
            i.grade,
            reading
        );
    }
    if let Some(id) = kafranbel {
        let d = h.incident(id)?;
        println!("\nOne shelling, three accounts · قصف واحد وثلاث روايات — incident {id}");
        for src in &d.sources {
            println!(
                "  {} ({}): killed {}, injured {} — «{}»",
                src.source,
                opt(&src.published),
                opt(&src.event.killed),
                opt(&src.event.injured),
                src.evidence.first().map(String::as_str).unwrap_or("")
            );
        }
        println!(
            "  casualties low/best/high: {}/{}/{}",
            opt(&d.incident.killed.low),
            opt(&d.incident.killed.best),
            opt(&d.incident.killed.high)
        );
        for a in d
            .assessments
            .iter()
            .filter(|a| a.reading != "outside_zones")
        {
            println!("  {}: {}", a.agreement, a.reading);
            for r in &a.reasons {
                println!("    - {r}");
            }
        }
        for st in &d.stances {
            println!("  {}: {} — {}", st.party, st.position, st.comment);
        }
        crate::incidents_cmd::print_consensus(&d);
        println!(
            "  see everything: hudna --db {} incident {id}",
            db.display()
        );
    }
    Ok(())
}

/// Synthetic lists (the project's generator: no real person) handed over by
/// each side, linked across lists; the desk's /persons shows them to the
/// humanitarian officer.
fn humanitarian_tour(h: &Hudna) -> Result<()> {
    println!("\nThe humanitarian file · الملف الإنساني (synthetic names)");
    let g = hudna_names::generate::generate(&hudna_names::generate::GenConfig {
        records: 240,
        seed: 6,
        latin_share: 0.2,
    });
    let mut by_source: std::collections::BTreeMap<String, Vec<hudna_store::PersonRecordRow>> =
        Default::default();
    for r in g.records {
        by_source
            .entry(r.source.clone())
            .or_default()
            .push(hudna_store::PersonRecordRow {
                record_id: r.record_id,
                full_name: r.full_name,
                first: r.first,
                father: r.father,
                grandfather: r.grandfather,
                family: r.family,
                mother: r.mother,
                sex: r.sex,
                birth_year: r.birth_year,
                place: r.place,
                event_date: r.event_date,
                script: r.script,
                status: "missing".into(),
                ..Default::default()
            });
    }
    let received = chrono::NaiveDate::from_ymd_opt(2018, 1, 12).expect("a date");
    for (source, records) in by_source {
        let party = match source.as_str() {
            "gov" => "syrian_government",
            "opp" => "opposition_factions",
            other => other,
        };
        let n = records.len();
        let read = hudna_app::persons::ReadList {
            records,
            problems: vec![],
        };
        h.import_person_list(
            &format!("list from {party}"),
            party,
            received,
            &read,
            "demo",
        )?;
        println!("  list from {party}: {n} records");
    }
    let run = h.link_persons(0.5, Some(0.999), "demo")?;
    println!(
        "  linked across lists: {} candidate links, {} accepted at once (p ≥ 0.999); the rest wait for review at /persons/review",
        run.new_candidates, run.auto_accepted
    );
    Ok(())
}
