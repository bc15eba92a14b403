//! `hudna export`, `hudna report`, `hudna rounds`.

use crate::cli::{ExportCmd, ExportFormat, ReportCmd, ReportFormat};
use crate::output::{emit, opt, Format};
use anyhow::{Context, Result};
use chrono::NaiveDate;
use hudna_app::reports::{html_to_pdf, render_html, Lang, SituationReport};
use hudna_app::{AppError, Hudna};
use hudna_store::IncidentFilter;
use std::io::Write;
use std::path::Path;

pub fn export(h: &Hudna, cmd: ExportCmd) -> Result<i32> {
    match cmd {
        ExportCmd::Incidents {
            output,
            agreement,
            zone,
            since,
            until,
            violations,
            published,
        } => {
            let filter = IncidentFilter {
                agreement,
                zone,
                since_day: since.map(hudna_core::date::day_number),
                until_day: until.map(hudna_core::date::day_number),
                violations_only: violations,
                published_only: published,
                ..Default::default()
            };
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            match output {
                ExportFormat::AcledCsv => {
                    h.export_acled_csv(&filter, &mut out)?;
                }
                ExportFormat::Geojson => writeln!(
                    out,
                    "{}",
                    serde_json::to_string(&h.export_geojson(&filter)?)?
                )?,
                ExportFormat::Jsonl => {
                    h.export_jsonl(&filter, &mut out)?;
                }
            }
        }
        ExportCmd::Zones { at } => {
            let at = at.unwrap_or_else(|| chrono::Local::now().date_naive());
            println!("{}", serde_json::to_string(&h.zones_geojson(at)?)?);
        }
    }
    Ok(0)
}

fn write_report(
    h: &Hudna,
    r: &SituationReport,
    output: ReportFormat,
    lang: &str,
    out: Option<&Path>,
    published_only: bool,
) -> Result<i32> {
    let lang = Lang::parse(lang)
        .ok_or_else(|| AppError::BadInput(format!("--lang {lang:?}: ar or en")))?;
    match output {
        ReportFormat::Json => put(out, serde_json::to_string_pretty(r)?.as_bytes())?,
        ReportFormat::Html => {
            let map = report_map(h, r, lang, published_only)?;
            put(out, render_html(r, lang, Some(&map)).as_bytes())?
        }
        ReportFormat::Text => put(out, text(r).as_bytes())?,
        ReportFormat::Pdf => {
            let out = out.ok_or_else(|| AppError::BadInput("a PDF needs --out FILE".into()))?;
            let map = report_map(h, r, lang, published_only)?;
            let bytes = html_to_pdf(&render_html(r, lang, Some(&map)))?;
            put(Some(out), &bytes)?;
            eprintln!("wrote {}", out.display());
        }
    }
    Ok(0)
}

/// The report's map: zones as they stood on its last day and its incidents.
pub fn report_map(
    h: &Hudna,
    r: &SituationReport,
    lang: Lang,
    published_only: bool,
) -> Result<String, AppError> {
    let incidents = h.incidents(&IncidentFilter {
        since_day: Some(hudna_core::date::day_number(r.since)),
        until_day: Some(hudna_core::date::day_number(r.until)),
        published_only,
        limit: Some(5000),
        ..Default::default()
    })?;
    let ags = h.agreements()?;
    Ok(hudna_server::map::render(&hudna_server::map::MapInput {
        lang: lang.into(),
        at: r.until,
        agreements: &ags,
        incidents: &incidents,
        only_zone: None,
    }))
}

fn put(out: Option<&Path>, bytes: &[u8]) -> Result<()> {
    match out {
        Some(p) => std::fs::write(p, bytes).with_context(|| format!("writing {}", p.display())),
        None => Ok(std::io::stdout().write_all(bytes)?),
    }
}

fn text(r: &SituationReport) -> String {
    let mut s = String::new();
    use std::fmt::Write as _;
    let _ = writeln!(
        s,
        "Situation report {} to {} (compared with {} to {})",
        r.since, r.until, r.previous_since, r.previous_until
    );
    let _ = writeln!(
        s,
        "incidents {}, violations {} (previous {}), killed (best) {}",
        r.totals.incidents, r.totals.violations, r.totals.previous_violations, r.totals.killed
    );
    let _ = writeln!(
        s,
        "\n{:<34} {:<10} {:>7} {:>9} {:>12}",
        "zone", "status", "period", "previous", "since start"
    );
    for z in &r.zones {
        let _ = writeln!(
            s,
            "{:<34} {:<10} {:>7} {:>9} {:>12}",
            format!("{}/{}", z.agreement, z.zone),
            opt(&z.status),
            z.period,
            z.previous,
            z.since_start
        );
    }
    let _ = writeln!(
        s,
        "\nby type: {}",
        r.by_type
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        s,
        "by party: {}",
        r.by_party
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(s, "\nincidents:");
    for i in &r.incidents {
        let _ = writeln!(
            s,
            "  {:>5} {} {} at {} by {}: killed {} — {} [{}] sources: {}",
            i.id,
            opt(&i.date),
            i.kind,
            opt(&i.place),
            opt(&i.perpetrator),
            opt(&i.killed),
            i.reading,
            i.grade,
            i.sources.join(", ")
        );
    }
    let _ = writeln!(s, "\ndisputed (last 7 days):");
    for i in &r.disputed {
        let _ = writeln!(
            s,
            "  {:>5} {} {} at {}: disputed by {}",
            i.id,
            opt(&i.date),
            i.kind,
            opt(&i.place),
            i.disputed_by.join(", ")
        );
    }
    let _ = writeln!(s, "\nmandates:");
    for m in &r.mandates {
        let _ = writeln!(
            s,
            "  {}: {} (extension {}, term ends {}, {} days left){}",
            m.agreement,
            if m.in_force {
                "in force"
            } else {
                "not in force"
            },
            opt(&m.extension),
            opt(&m.term_end),
            opt(&m.days_left),
            if m.missing_consents.is_empty() {
                String::new()
            } else {
                format!("; missing consents: {}", m.missing_consents.join(", "))
            }
        );
    }
    s
}

pub fn report(h: &Hudna, cmd: ReportCmd, today: NaiveDate) -> Result<i32> {
    match cmd {
        ReportCmd::Daily {
            date,
            output,
            lang,
            out,
            published_only,
        } => {
            let day = date.unwrap_or(today);
            write_report(
                h,
                &h.period_report_scoped(day, day, published_only)?,
                output,
                &lang,
                out.as_deref(),
                published_only,
            )
        }
        ReportCmd::Period {
            since,
            until,
            output,
            lang,
            out,
            published_only,
        } => write_report(
            h,
            &h.period_report_scoped(since, until, published_only)?,
            output,
            &lang,
            out.as_deref(),
            published_only,
        ),
    }
}

pub fn rounds(h: &Hudna, agreement: Option<&str>, f: Format, today: NaiveDate) -> Result<i32> {
    let items: Vec<serde_json::Value> = h
        .timeline(agreement, today)?
        .into_iter()
        .map(|r| {
            let commitments: Vec<serde_json::Value> = r
                .commitments
                .iter()
                .map(|c| {
                    let mut v = serde_json::to_value(&c.commitment).unwrap_or_default();
                    v["status"] = c.current.clone().into();
                    v["settled_by"] = c.settled.clone().into();
                    v["evidence"] = c.evidence.clone().into();
                    v["followed_up"] = c.followed_up.clone().into();
                    v["overdue"] = c.overdue.into();
                    v
                })
                .collect();
            serde_json::json!({"agreement": r.agreement, "round": r.round, "commitments": commitments, "has_statement": r.has_statement})
        })
        .collect();
    emit(f, &items, |items| {
        for v in items {
            println!(
                "{} {} → {}  {:<12} {}  ({})",
                v["round"]["start"].as_str().unwrap_or(""),
                v["round"]["end"].as_str().unwrap_or(""),
                v["round"]["id"].as_str().unwrap_or(""),
                v["round"]["venue"].as_str().unwrap_or(""),
                v["round"]["names"]["ar"].as_str().unwrap_or(""),
                v["agreement"].as_str().unwrap_or("")
            );
            for c in v["commitments"].as_array().into_iter().flatten() {
                println!(
                    "    [{}] {} — due {}, owner {}{}: {}",
                    c["status"].as_str().unwrap_or(""),
                    c["id"].as_str().unwrap_or(""),
                    c["due"].as_str().unwrap_or("—"),
                    c["owner"].as_str().unwrap_or(""),
                    c["settled_by"]
                        .as_str()
                        .map(|x| format!(", settled by {x}"))
                        .unwrap_or_default(),
                    c["text"]["ar"]
                        .as_str()
                        .filter(|t| !t.is_empty())
                        .or(c["text"]["en"].as_str())
                        .unwrap_or("")
                );
            }
        }
    });
    Ok(0)
}
