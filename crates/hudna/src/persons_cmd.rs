//! `hudna persons ...` and `hudna exchange ...`.

use crate::output::{emit, Format};
use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::Subcommand;
use hudna_app::persons::read_person_csv;
use hudna_app::{AppError, Hudna};
use hudna_store::ExchangeItem;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum PersonsCmd {
    /// Import a list handed over by a party (CSV: record_id, full_name or first/father/grandfather/family, mother, sex, birth_year, place, event_date, event_place, holding_party, status, script)
    Import {
        file: PathBuf,
        /// The party that handed the list over
        #[arg(long)]
        source: String,
        #[arg(long, value_parser = crate::cli::day)]
        received: Option<NaiveDate>,
        /// Status for rows that give none
        #[arg(long, default_value = "missing")]
        status: String,
        #[arg(long, env = "HUDNA_ACTOR", default_value = "cli")]
        actor: String,
    },
    /// Link records across every list; store candidate links for review
    Link {
        #[arg(long, default_value_t = 0.5)]
        threshold: f64,
        /// Accept links at or above this probability without review
        #[arg(long)]
        auto_accept: Option<f64>,
        #[arg(long, env = "HUDNA_ACTOR", default_value = "cli")]
        actor: String,
    },
    /// List candidate links, or accept / reject one
    Review {
        #[arg(long, num_args = 2, value_names = ["A", "B"], conflicts_with = "reject")]
        accept: Option<Vec<i64>>,
        #[arg(long, num_args = 2, value_names = ["A", "B"])]
        reject: Option<Vec<i64>>,
        #[arg(long, env = "HUDNA_ACTOR", default_value = "cli")]
        actor: String,
    },
    /// One record, the records linked to it, and its status history (the read is audited)
    Show {
        id: i64,
        #[arg(long, env = "HUDNA_ACTOR", default_value = "cli")]
        actor: String,
    },
    /// Change a record's status (detained, abducted, missing, released, deceased, body_handed_over, identified)
    Status {
        id: i64,
        #[arg(long)]
        to: String,
        #[arg(long, value_parser = crate::cli::day)]
        date: Option<NaiveDate>,
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long, env = "HUDNA_ACTOR", default_value = "cli")]
        actor: String,
    },
    /// The lists received
    Lists,
    /// Export every record as CSV (redacted unless --unredacted, which is audited)
    Export {
        #[arg(long)]
        unredacted: bool,
        #[arg(long, env = "HUDNA_ACTOR", default_value = "cli")]
        actor: String,
    },
    /// Export as PFIF 1.4 XML
    ExportPfif {
        #[arg(long, default_value = "hudna.example.org")]
        domain: String,
        #[arg(long)]
        unredacted: bool,
        #[arg(long, env = "HUDNA_ACTOR", default_value = "cli")]
        actor: String,
    },
    /// Import a PFIF 1.4 document as a list
    ImportPfif {
        file: PathBuf,
        #[arg(long)]
        source: String,
        #[arg(long, value_parser = crate::cli::day)]
        received: Option<NaiveDate>,
        #[arg(long, env = "HUDNA_ACTOR", default_value = "cli")]
        actor: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ExchangeCmd {
    /// Record an exchange
    Add {
        #[arg(long, value_parser = crate::cli::day)]
        date: NaiveDate,
        #[arg(long)]
        mediator: String,
        #[arg(long, default_value = "")]
        place: String,
        /// RECORD:PARTY — record released by party (repeatable)
        #[arg(long = "released")]
        released: Vec<String>,
        /// RECORD:PARTY — body handed over by party (repeatable)
        #[arg(long = "body")]
        bodies: Vec<String>,
        #[arg(long, env = "HUDNA_ACTOR", default_value = "cli")]
        actor: String,
    },
    /// Exchanges so far
    List,
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

fn read_text(p: &PathBuf) -> Result<String> {
    let bytes = std::fs::read(p).with_context(|| format!("reading {}", p.display()))?;
    Ok(hudna_app::sources::decode(&p.display().to_string(), bytes).map_err(AppError::BadInput)?)
}

pub fn persons(h: &Hudna, cmd: PersonsCmd, f: Format) -> Result<i32> {
    match cmd {
        PersonsCmd::Import {
            file,
            source,
            received,
            status,
            actor,
        } => {
            let read = read_person_csv(&file.display().to_string(), &read_text(&file)?, &status);
            for p in &read.problems {
                eprintln!("skipped: {p}");
            }
            let name = file
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("list")
                .to_owned();
            let (id, n) = h.import_person_list(
                &name,
                &source,
                received.unwrap_or_else(today),
                &read,
                &actor,
            )?;
            emit(
                f,
                &serde_json::json!({"list": id, "records": n, "skipped": read.problems}),
                |_| {
                    println!(
                        "list {id} ({name}, from {source}): {n} records, {} rows skipped",
                        read.problems.len()
                    )
                },
            );
        }
        PersonsCmd::Link {
            threshold,
            auto_accept,
            actor,
        } => {
            let r = h.link_persons(threshold, auto_accept, &actor)?;
            emit(f, &r, |r| {
                println!("{} records; {} candidate pairs compared (reduction ratio {:.5}); {} links ≥ {threshold} ({} new); {} accepted automatically", r.records, r.candidate_pairs, r.reduction_ratio, r.above_threshold, r.new_candidates, r.auto_accepted)
            });
        }
        PersonsCmd::Review {
            accept,
            reject,
            actor,
        } => {
            if let Some(ab) = accept.or(reject.clone()) {
                let l = h.review_person_link(ab[0], ab[1], reject.is_none(), &actor)?;
                emit(f, &l, |l| {
                    println!("link {} – {}: {}", l.record_a, l.record_b, l.decision)
                });
            } else {
                let links = h.person_links(Some("candidate"))?;
                emit(f, &links, |links| {
                    for l in links {
                        println!(
                            "{:>6} {:>6}  p={:.3}",
                            l.record_a, l.record_b, l.probability
                        );
                    }
                    println!(
                        "{} candidate links; accept with --accept A B, reject with --reject A B",
                        links.len()
                    );
                });
            }
        }
        PersonsCmd::Show { id, actor } => {
            let v = h.person(id, &actor)?;
            emit(f, &v, |v| {
                let r = &v.record;
                println!(
                    "record {} ({} in list {}), person {}: {} — {}",
                    r.id,
                    r.record_id,
                    r.list_id,
                    r.person_id,
                    if r.full_name.is_empty() {
                        &r.first
                    } else {
                        &r.full_name
                    },
                    r.status
                );
                for o in &v.same_person {
                    println!(
                        "  same person: record {} (list {}): {} — {}",
                        o.id,
                        o.list_id,
                        if o.full_name.is_empty() {
                            &o.first
                        } else {
                            &o.full_name
                        },
                        o.status
                    );
                }
                for c in &v.history {
                    println!(
                        "  {} {} → {} {}",
                        c.date, c.from_status, c.to_status, c.note
                    );
                }
            });
        }
        PersonsCmd::Status {
            id,
            to,
            date,
            note,
            actor,
        } => {
            h.set_person_status(id, &to, date.unwrap_or_else(today), &note, &actor)?;
            emit(f, &serde_json::json!({"record": id, "status": to}), |_| {
                println!("record {id}: {to}")
            });
        }
        PersonsCmd::Lists => {
            let l = h.person_lists()?;
            emit(f, &l, |l| {
                for x in l {
                    println!(
                        "{:>4} {:<24} from {:<20} received {} ({} records)",
                        x.id, x.name, x.source_party, x.received, x.records
                    );
                }
            });
        }
        PersonsCmd::Export { unredacted, actor } => {
            let recs = h.export_persons(unredacted, &actor)?;
            let mut w = csv::Writer::from_writer(std::io::stdout());
            w.write_record([
                "id",
                "list_id",
                "record_id",
                "person_id",
                "full_name",
                "first",
                "father",
                "grandfather",
                "family",
                "mother",
                "sex",
                "birth_year",
                "place",
                "event_date",
                "event_place",
                "holding_party",
                "status",
            ])?;
            for r in recs {
                w.write_record([
                    r.id.to_string(),
                    r.list_id.to_string(),
                    r.record_id,
                    r.person_id.to_string(),
                    r.full_name,
                    r.first,
                    r.father,
                    r.grandfather,
                    r.family,
                    r.mother,
                    r.sex,
                    r.birth_year,
                    r.place,
                    r.event_date,
                    r.event_place,
                    r.holding_party,
                    r.status,
                ])?;
            }
            w.flush()?;
        }
        PersonsCmd::ExportPfif {
            domain,
            unredacted,
            actor,
        } => print!("{}", h.export_pfif(&domain, unredacted, &actor)?),
        PersonsCmd::ImportPfif {
            file,
            source,
            received,
            actor,
        } => {
            let name = file
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("pfif")
                .to_owned();
            let (id, n, problems) = h.import_pfif(
                &read_text(&file)?,
                &name,
                &source,
                received.unwrap_or_else(today),
                &actor,
            )?;
            for p in &problems {
                eprintln!("skipped: {p}");
            }
            emit(f, &serde_json::json!({"list": id, "records": n}), |_| {
                println!("list {id}: {n} records from PFIF")
            });
        }
    }
    Ok(0)
}

fn items(specs: &[String], kind: &str) -> Result<Vec<ExchangeItem>> {
    specs
        .iter()
        .map(|s| {
            let (r, p) = s.split_once(':').ok_or_else(|| {
                AppError::BadInput(format!(
                    "{s:?}: expected RECORD:PARTY, e.g. 12:syrian_government"
                ))
            })?;
            let record = r
                .trim()
                .parse::<i64>()
                .map_err(|_| AppError::BadInput(format!("{s:?}: {r:?} is not a record id")))?;
            Ok(ExchangeItem {
                record,
                released_by: p.trim().to_owned(),
                kind: kind.into(),
            })
        })
        .collect()
}

pub fn exchange(h: &Hudna, cmd: ExchangeCmd, f: Format) -> Result<i32> {
    match cmd {
        ExchangeCmd::Add {
            date,
            mediator,
            place,
            released,
            bodies,
            actor,
        } => {
            let mut all = items(&released, "released")?;
            all.extend(items(&bodies, "body_handed_over")?);
            if all.is_empty() {
                return Err(AppError::BadInput(
                    "an exchange needs at least one --released or --body RECORD:PARTY".into(),
                )
                .into());
            }
            let id = h.add_exchange(date, &mediator, &place, &all, &actor)?;
            emit(
                f,
                &serde_json::json!({"exchange": id, "items": all.len()}),
                |_| {
                    println!(
                        "exchange {id} on {date} (mediator {mediator}): {} persons",
                        all.len()
                    )
                },
            );
        }
        ExchangeCmd::List => {
            let ex = h.exchanges()?;
            emit(f, &ex, |ex| {
                for e in ex {
                    println!(
                        "{:>4} {} mediator {} {} — {} released, {} bodies",
                        e.id,
                        e.date,
                        e.mediator,
                        e.place,
                        e.items.iter().filter(|i| i.kind == "released").count(),
                        e.items
                            .iter()
                            .filter(|i| i.kind == "body_handed_over")
                            .count()
                    );
                }
            });
        }
    }
    Ok(0)
}
