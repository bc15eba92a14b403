//! `hudna ingest`, `hudna incidents` and the incident renderings.

use crate::output::{emit, opt, Format};
use anyhow::Result;
use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use hudna_app::sources::{read_paths, Defaults};
use hudna_app::{Hudna, IncidentDetail};
use hudna_store::{AssessmentRow, IncidentFilter, IncidentRow};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
    Csv,
    Geojson,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[arg(long)]
    agreement: Option<String>,
    #[arg(long)]
    zone: Option<String>,
    #[arg(long, value_parser = crate::cli::day)]
    since: Option<NaiveDate>,
    #[arg(long, value_parser = crate::cli::day)]
    until: Option<NaiveDate>,
    /// Only incidents read as violations
    #[arg(long)]
    violations: bool,
    /// Only this review status (new, in_review, ready, published)
    #[arg(long)]
    status: Option<String>,
    #[arg(long)]
    limit: Option<usize>,
    /// table, json, csv or geojson (overrides the global --format)
    #[arg(long = "as", value_enum)]
    output: Option<ListFormat>,
}

pub fn ingest(
    h: &Hudna,
    paths: &[PathBuf],
    source: Option<String>,
    published: Option<NaiveDate>,
    actor: &str,
    f: Format,
) -> Result<i32> {
    let defaults = Defaults { source, published };
    let read = read_paths(paths, &defaults, &mut std::io::stdin());
    for p in &read.problems {
        eprintln!("skipped: {p}");
    }
    let pb = ProgressBar::new(read.reports.len() as u64);
    pb.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} reports {per_sec} eta {eta}")
            .expect("template"),
    );
    let today = chrono::Local::now().date_naive();
    let s = h.ingest(read.reports, actor, today, &|n| pb.inc(n as u64))?;
    pb.finish_and_clear();
    let problems = read.problems.len();
    emit(
        f,
        &serde_json::json!({"summary": &s, "unreadable": read.problems}),
        |_| {
            for r in &s.reports {
                match r.outcome {
                    "stored" => println!(
                        "stored   {} → report {}: {} events{}{}",
                        r.origin,
                        r.report_id.unwrap_or(0),
                        r.events,
                        if r.incidents.is_empty() {
                            String::new()
                        } else {
                            format!(", new incidents {:?}", r.incidents)
                        },
                        if r.flags.is_empty() {
                            String::new()
                        } else {
                            format!("  [flagged: {}]", r.flags.join(", "))
                        }
                    ),
                    "duplicate" => println!(
                        "same     {}: {}",
                        r.origin,
                        r.reason.as_deref().unwrap_or("")
                    ),
                    _ => println!(
                        "refused  {}: {}",
                        r.origin,
                        r.reason.as_deref().unwrap_or("")
                    ),
                }
            }
            println!(
            "\n{} stored, {} already stored (unchanged), {} refused, {} unreadable; {} events → {} new incidents, {} joined existing ones; {} reports flagged for an analyst",
            s.stored, s.duplicates, s.rejected, problems, s.events, s.new_incidents, s.merged_events, s.flagged
        );
        },
    );
    Ok(
        if s.stored + s.duplicates == 0 && (s.rejected > 0 || problems > 0) {
            2
        } else {
            0
        },
    )
}

fn reading(a: &[AssessmentRow]) -> String {
    let order = [
        "violation",
        "carve_out_claimed",
        "not_covered",
        "outside_zones",
    ];
    a.iter()
        .min_by_key(|x| order.iter().position(|o| *o == x.reading).unwrap_or(9))
        .map(|x| match &x.zone {
            Some(z) => format!("{} ({}/{})", x.reading, x.agreement, z),
            None => x.reading.clone(),
        })
        .unwrap_or_else(|| "unassessed".into())
}

pub fn list(h: &Hudna, a: &ListArgs, f: Format) -> Result<i32> {
    let filter = IncidentFilter {
        agreement: a.agreement.clone(),
        zone: a.zone.clone(),
        since_day: a.since.map(hudna_core::date::day_number),
        until_day: a.until.map(hudna_core::date::day_number),
        violations_only: a.violations,
        status: a.status.clone(),
        published_only: false,
        limit: a.limit,
        offset: None,
    };
    let rows = h.incidents(&filter)?;
    let out = a.output.unwrap_or(if f == Format::Json {
        ListFormat::Json
    } else {
        ListFormat::Table
    });
    match out {
        ListFormat::Json => {
            let v: Vec<_> = rows
                .iter()
                .map(|(i, a)| serde_json::json!({"incident": i, "assessments": a}))
                .collect();
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
        ListFormat::Csv => {
            let mut w = csv::Writer::from_writer(std::io::stdout());
            w.write_record([
                "id",
                "date",
                "type",
                "place",
                "geonameid",
                "admin1",
                "lat",
                "lon",
                "perpetrator",
                "target",
                "killed_low",
                "killed_best",
                "killed_high",
                "injured_best",
                "sources",
                "grade",
                "status",
                "reading",
            ])?;
            for (i, a) in &rows {
                let s = |v: Option<String>| v.unwrap_or_default();
                w.write_record([
                    i.id.to_string(),
                    s(i.date.clone()),
                    i.kind.clone(),
                    s(i.place_name.clone()),
                    s(i.geonameid.map(|x| x.to_string())),
                    s(i.admin1.clone()),
                    s(i.lat.map(|x| x.to_string())),
                    s(i.lon.map(|x| x.to_string())),
                    s(i.perpetrator.clone()),
                    s(i.target.clone()),
                    s(i.killed.low.map(|x| x.to_string())),
                    s(i.killed.best.map(|x| x.to_string())),
                    s(i.killed.high.map(|x| x.to_string())),
                    s(i.injured.best.map(|x| x.to_string())),
                    i.sources.to_string(),
                    i.grade.clone(),
                    i.status.clone(),
                    reading(a),
                ])?;
            }
            w.flush()?;
        }
        ListFormat::Geojson => {
            let feats: Vec<_> = rows
                .iter()
                .filter(|(i, _)| i.lat.is_some())
                .map(|(i, a)| serde_json::json!({"type": "Feature", "id": i.id,
                    "geometry": {"type": "Point", "coordinates": [i.lon, i.lat]},
                    "properties": {"id": i.id, "date": i.date, "type": i.kind, "place": i.place_name, "perpetrator": i.perpetrator, "killed_best": i.killed.best, "grade": i.grade, "status": i.status, "reading": reading(a)}}))
                .collect();
            println!(
                "{}",
                serde_json::to_string(
                    &serde_json::json!({"type": "FeatureCollection", "features": feats})
                )?
            );
        }
        ListFormat::Table => {
            println!(
                "{:>5}  {:<10}  {:<28}  {:<18}  {:<18}  {:>9}  {:<9}  {:<10}  reading",
                "id", "date", "type", "place", "perpetrator", "killed", "grade", "status"
            );
            for (i, a) in &rows {
                let killed = match (i.killed.low, i.killed.best, i.killed.high) {
                    (Some(l), Some(b), Some(h)) if l != h => format!("{l}/{b}/{h}"),
                    (_, Some(b), _) => b.to_string(),
                    _ => "—".into(),
                };
                println!(
                    "{:>5}  {:<10}  {:<28}  {:<18}  {:<18}  {:>9}  {:<9}  {:<10}  {}",
                    i.id,
                    opt(&i.date),
                    i.kind,
                    opt(&i.place_name),
                    opt(&i.perpetrator),
                    killed,
                    i.grade,
                    i.status,
                    reading(a)
                );
            }
            println!("{} incidents", rows.len());
        }
    }
    Ok(0)
}

pub fn print_consensus(d: &IncidentDetail) {
    for c in &d.consensus {
        let detail = match c.state.as_str() {
            "disputed" => format!("disputed by {}", c.dispute.join(", ")),
            "consensus_confirm" => "consensus: every guarantor confirms".into(),
            "pending" => format!(
                "pending: no stance yet from {}",
                c.pending_guarantors.join(", ")
            ),
            _ => "no stances yet".into(),
        };
        println!(
            "  {}: {detail}{}",
            c.agreement,
            if c.confirm.is_empty() {
                String::new()
            } else {
                format!(" (confirmed by {})", c.confirm.join(", "))
            }
        );
    }
    println!("  grade: {}", d.incident.grade);
}

pub fn print_detail(d: &IncidentDetail) {
    let i: &IncidentRow = &d.incident;
    println!(
        "incident {} — {} at {} ({}), {}",
        i.id,
        i.kind,
        opt(&i.place_name),
        opt(&i.admin1),
        opt(&i.date)
    );
    println!(
        "  perpetrator {}, target {}",
        opt(&i.perpetrator),
        opt(&i.target)
    );
    println!(
        "  killed low/best/high {}/{}/{}, injured {}/{}/{}",
        opt(&i.killed.low),
        opt(&i.killed.best),
        opt(&i.killed.high),
        opt(&i.injured.low),
        opt(&i.injured.best),
        opt(&i.injured.high)
    );
    println!(
        "  {} reports from {} sources; grade {}; status {}{}; revision {}",
        i.reports,
        i.sources,
        i.grade,
        i.status,
        i.assignee
            .as_ref()
            .map(|a| format!(" (assigned to {a})"))
            .unwrap_or_default(),
        i.revision
    );
    if !d.absorbed.is_empty() {
        println!("  absorbed incidents {:?}", d.absorbed);
    }
    if !i.flags.is_empty() {
        println!("  flagged: {}", i.flags);
    }
    println!("\nsources:");
    for s in &d.sources {
        println!(
            "  report {} — {} {} {} (event {}: {}, killed {}, injured {})",
            s.report_id,
            s.source,
            opt(&s.published),
            s.url,
            s.event.id,
            s.event.kind,
            opt(&s.event.killed),
            opt(&s.event.injured)
        );
        for e in &s.evidence {
            println!("    «{e}»");
        }
    }
    println!("\nassessment:");
    if d.assessments.is_empty() {
        println!("  not assessed: place or date unresolved");
    }
    for a in &d.assessments {
        println!(
            "  {}: {}{}{}",
            a.agreement,
            a.reading,
            a.zone
                .as_ref()
                .map(|z| format!(" in {z}"))
                .unwrap_or_default(),
            a.border_km
                .map(|b| format!(", {b:.1} km from the line"))
                .unwrap_or_default()
        );
        for r in &a.reasons {
            println!("    - {r}");
        }
    }
    println!("\nstances:");
    for s in &d.stances {
        println!(
            "  {} {} {}: {} {}",
            s.recorded_at, s.agreement, s.party, s.position, s.comment
        );
    }
    print_consensus(d);
    println!("\nhistory:");
    for h in &d.history {
        println!(
            "  {:>4} {} {:<8} {:<22} {}",
            h.id, h.at, h.actor, h.action, h.detail
        );
    }
}
