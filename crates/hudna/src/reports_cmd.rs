//! `hudna export`, `hudna report`, `hudna rounds`.

use crate::cli::{ExportCmd, ExportFormat, ReportCmd, ReportFormat};
use crate::output::{emit, opt, Format};
use anyhow::{Context, Result};
use chrono::NaiveDate;
use hudna_app::reports::{render_html, Lang, SituationReport};
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
    r: &SituationReport,
    output: ReportFormat,
    lang: &str,
    out: Option<&Path>,
) -> Result<i32> {
    let lang = Lang::parse(lang)
        .ok_or_else(|| AppError::BadInput(format!("--lang {lang:?}: ar or en")))?;
    match output {
        ReportFormat::Json => put(out, serde_json::to_string_pretty(r)?.as_bytes())?,
        ReportFormat::Html => put(out, render_html(r, lang).as_bytes())?,
        ReportFormat::Text => put(out, text(r).as_bytes())?,
        ReportFormat::Pdf => {
            let out = out.ok_or_else(|| AppError::BadInput("a PDF needs --out FILE".into()))?;
            pdf(&render_html(r, lang), out)?;
            eprintln!("wrote {}", out.display());
        }
    }
    Ok(0)
}

fn put(out: Option<&Path>, bytes: &[u8]) -> Result<()> {
    match out {
        Some(p) => std::fs::write(p, bytes).with_context(|| format!("writing {}", p.display())),
        None => Ok(std::io::stdout().write_all(bytes)?),
    }
}

/// Prints HTML to PDF with headless Chromium, which shapes Arabic and lays
/// out right-to-left correctly (install the Debian package `chromium`).
fn pdf(html: &str, out: &Path) -> Result<()> {
    let browser = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find(|b| std::process::Command::new("which").arg(b).output().map(|o| o.status.success()).unwrap_or(false))
        .ok_or_else(|| AppError::BadInput("PDF output needs headless Chromium (apt-get install chromium); HTML output needs nothing".into()))?;
    let dir = tempfile_dir()?;
    let page = dir.join("report.html");
    std::fs::write(&page, html)?;
    let abs_out = std::env::current_dir()?.join(out);
    let status = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg(format!("--print-to-pdf={}", abs_out.display()))
        .arg(format!("file://{}", page.display()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .context("running chromium")?;
    let _ = std::fs::remove_dir_all(&dir);
    if !status.success() || !abs_out.exists() {
        return Err(
            AppError::BadInput(format!("chromium could not print {}", out.display())).into(),
        );
    }
    Ok(())
}

fn tempfile_dir() -> Result<std::path::PathBuf> {
    let d = std::env::temp_dir().join(format!("hudna-pdf-{}", std::process::id()));
    std::fs::create_dir_all(&d)?;
    Ok(d)
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
        } => write_report(
            &h.daily_report(date.unwrap_or(today))?,
            output,
            &lang,
            out.as_deref(),
        ),
        ReportCmd::Period {
            since,
            until,
            output,
            lang,
            out,
        } => write_report(
            &h.period_report(since, until)?,
            output,
            &lang,
            out.as_deref(),
        ),
    }
}

pub fn rounds(h: &Hudna, agreement: Option<&str>, f: Format) -> Result<i32> {
    let ags = h.agreements()?;
    let mut items = vec![];
    for a in ags
        .iter()
        .filter(|a| agreement.is_none_or(|x| x == a.id.as_str()))
    {
        let follow = h.followups(a.id.as_str())?;
        for r in &a.rounds {
            // the latest recorded follow-up overrides the definition's status
            let commitments: Vec<_> = a
                .commitments
                .iter()
                .filter(|c| c.round == r.id)
                .map(|c| {
                    let mut v = serde_json::to_value(c).unwrap_or_default();
                    if let Some(f) = follow.iter().rev().find(|f| f.commitment == c.id.as_str()) {
                        v["status"] = f.status.clone().into();
                        v["settled_by"] = f.settled_by.clone().into();
                        v["evidence"] = f.evidence.clone().into();
                        v["followed_up"] = f.date.clone().into();
                    }
                    v
                })
                .collect();
            items.push(serde_json::json!({"agreement": a.id, "round": r, "commitments": commitments, "has_statement": r.statement.is_some()}));
        }
    }
    items.sort_by_key(|v| v["round"]["start"].as_str().unwrap_or("").to_owned());
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
