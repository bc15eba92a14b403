//! Command-line definitions and dispatch.

use crate::output::{emit, Format};
use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};
use hudna_app::definition::LoadOptions;
use hudna_app::Hudna;
use hudna_core::Decision;
use std::path::{Path, PathBuf};

/// A failure that carries its own exit code.
#[derive(Debug)]
pub struct Exit(pub i32, pub String);
impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.1)
    }
}
impl std::error::Error for Exit {}

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  unexpected failure (a bug or a damaged database)
  2  bad input: a malformed date, coordinate, file or flag
  3  the agreement definition is invalid (every problem is listed)
  4  not found: no such database, agreement, zone or record
  5  the database is locked by another process
  6  refused: e.g. a consent from a party that does not consent
  7  the audit log's hash chain is broken
  8  a needed tool is missing or failed (e.g. Chromium for PDF output)";

#[derive(Debug, Parser)]
#[command(
    name = "hudna",
    version,
    about = "Hudna (هدنة): monitoring multi-party de-escalation and ceasefire agreements",
    long_about = "Hudna holds an agreement as data — parties, zones that change over time, a mandate that runs and renews — and answers where and when: which zone covered a point on a day, and whether the mandate was in force.\n\nStart with `hudna demo`, or: `hudna init`, `hudna agreement load data/agreements/astana-2017`, `hudna zones --at 2018-01-15`, `hudna locate 33.572 36.402 --at 2018-01-15`.",
    after_help = EXIT_CODES
)]
pub struct Cli {
    /// SQLite database file, or a PostgreSQL URL (postgres://USER:PASSWORD@HOST:PORT/DB)
    #[arg(long, global = true, env = "HUDNA_DB", default_value = "hudna.sqlite")]
    pub db: PathBuf,
    /// Output format
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(subcommand)]
    pub cmd: Cmd,
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Create the database (or bring an existing one's schema up to date)
    Init,
    /// Apply pending schema migrations (SQLite or PostgreSQL) and print the schema version
    Migrate,
    /// Copy a SQLite database (consistent online backup) to OUT; for PostgreSQL use pg_dump
    Backup {
        /// The backup file to write (must not exist)
        out: PathBuf,
    },
    /// Load, list and show agreement definitions
    #[command(subcommand)]
    Agreement(AgreementCmd),
    /// Zones of every loaded agreement as they stood on a day
    Zones {
        /// The day (YYYY-MM-DD); default today
        #[arg(long, value_parser = day)]
        at: Option<NaiveDate>,
        /// Only this agreement
        #[arg(long)]
        agreement: Option<String>,
    },
    /// Which zones cover a point on a day, how far the nearest line is, and the nearest place
    #[command(
        after_help = "Examples:\n  hudna locate 35.614 36.563 --at 2018-03-01\n  hudna locate --batch points.csv --out located.csv\n\nBatch input is CSV with a header: lat,lon and an optional date column (YYYY-MM-DD; --at or today when absent). Output adds zones, in_security_zone, border_km, admin1, nearest_geonameid. A bad row is reported with its line number and skipped."
    )]
    Locate(LocateArgs),
    /// The mandate: is it in force on a day, under which extension?
    #[command(subcommand)]
    Mandate(MandateCmd),
    /// Record a party's consent to (or objection against) an extension of the mandate
    Consent {
        #[arg(long)]
        agreement: String,
        /// The consenting party (e.g. russia)
        #[arg(long)]
        party: String,
        /// The extension (1 = first renewal)
        #[arg(long)]
        extension: u32,
        /// grant or object
        #[arg(value_enum)]
        decision: DecisionArg,
        /// The day the decision was given; default today
        #[arg(long, value_parser = day)]
        date: Option<NaiveDate>,
        #[arg(long, default_value = "")]
        note: String,
        /// Who records it (goes into the audit log)
        #[arg(long, env = "HUDNA_ACTOR", default_value = "cli")]
        actor: String,
    },
    /// Load a full GeoNames country dump (SY.txt, optionally alternateNamesV2.txt) as the gazetteer for `locate`
    #[command(subcommand)]
    Gazetteer(GazetteerCmd),
    /// The audit log: verify its hash chain, or list it
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Read reports (files, directories, JSON Lines, `-` for stdin, ACLED CSV) into incidents
    #[command(
        after_help = "A directory may hold a sources.tsv (file, source, outlet, published, url) giving each file's metadata. JSON Lines: one object per line with text, source, published, url. A .csv file is read as an ACLED export. A report already stored (same text) is skipped and nothing changes; an empty, binary or future-dated report is refused by name; a report whose places cannot be resolved is kept and flagged."
    )]
    Ingest {
        /// Files, directories, or - for standard input
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Source name for reports that do not give one
        #[arg(long)]
        source: Option<String>,
        /// Publication date for reports that do not give one (relative dates resolve against it)
        #[arg(long, value_parser = day)]
        published: Option<NaiveDate>,
        #[arg(long, env = "HUDNA_ACTOR", default_value = "cli")]
        actor: String,
    },
    /// Import structured data
    #[command(subcommand)]
    Import(ImportCmd),
    /// List incidents (filters combine)
    Incidents(crate::incidents_cmd::ListArgs),
    /// One incident: sources with evidence, assessment and reasons, stances, grade, history
    Incident { id: i64 },
    /// Record a party's stance on an incident
    Stance {
        incident: i64,
        #[arg(long, default_value = "astana-2017")]
        agreement: String,
        #[arg(long)]
        party: String,
        /// confirm, dispute or abstain
        position: String,
        #[arg(long, default_value = "")]
        comment: String,
        #[arg(long, env = "HUDNA_ACTOR", default_value = "cli")]
        actor: String,
    },
    /// Move an incident through review: new → in_review → ready → published
    Review {
        incident: i64,
        /// The new status
        #[arg(long)]
        to: String,
        #[arg(long)]
        assignee: Option<String>,
        /// Required to change a published incident: why
        #[arg(long)]
        revision: Option<String>,
        #[arg(long, env = "HUDNA_ACTOR", default_value = "cli")]
        actor: String,
    },
    /// Override an incident's verification grade, with a reason (or --clear)
    Grade {
        incident: i64,
        /// confirmed, fair, weak, contested or discounted
        grade: Option<String>,
        #[arg(long, default_value = "")]
        reason: String,
        #[arg(long)]
        clear: bool,
        #[arg(long)]
        revision: Option<String>,
        #[arg(long, env = "HUDNA_ACTOR", default_value = "cli")]
        actor: String,
    },
    /// Merge incidents into the first one (ids stay stable; the keeper remembers what it absorbed)
    Merge {
        keep: i64,
        #[arg(required = true)]
        others: Vec<i64>,
        #[arg(long)]
        revision: Option<String>,
        #[arg(long, env = "HUDNA_ACTOR", default_value = "cli")]
        actor: String,
    },
    /// Split events off an incident into a new one
    Split {
        incident: i64,
        /// Event ids to move (see `hudna incident ID`)
        #[arg(long, value_delimiter = ',', required = true)]
        events: Vec<i64>,
        #[arg(long)]
        revision: Option<String>,
        #[arg(long, env = "HUDNA_ACTOR", default_value = "cli")]
        actor: String,
    },
    /// Re-assess and re-grade every incident against the agreements as they now stand
    Reassess {
        #[arg(long, env = "HUDNA_ACTOR", default_value = "cli")]
        actor: String,
    },
    /// Extract events from reports (no database needed); one JSON object per file
    Extract {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Publication date: relative dates (اليوم، أمس، مساء الثلاثاء) resolve against it
        #[arg(long, value_parser = day)]
        published: Option<NaiveDate>,
    },
    /// Evaluate extraction on a directory of NNN.txt / NNN.json gold pairs
    #[command(subcommand)]
    Eval(EvalCmd),
    /// Link person records across lists (Fellegi–Sunter with EM; see --help)
    Link {
        /// The list to link (CSV: record_id, full_name or first/father/grandfather/family, ...)
        records: PathBuf,
        /// An already linked registry to link the list against
        #[arg(long)]
        against: Option<PathBuf>,
        /// Where to write pairs: record_id_a, record_id_b, probability
        #[arg(long)]
        out: PathBuf,
        /// Where to write record_id, cluster_id
        #[arg(long)]
        clusters: Option<PathBuf>,
        /// Match probability at or above which a pair is written
        #[arg(long, default_value_t = 0.5)]
        threshold: f64,
        /// Add each field's weight to the pairs
        #[arg(long)]
        explain: bool,
    },
    /// Export incidents or zones (to stdout)
    #[command(subcommand)]
    Export(ExportCmd),
    /// Situation reports: daily, or over a period, in Arabic or English, as text, JSON, HTML or PDF
    #[command(subcommand)]
    Report(ReportCmd),
    /// The humanitarian file: lists of detainees, abductees, bodies and missing persons
    #[command(subcommand)]
    Persons(crate::persons_cmd::PersonsCmd),
    /// Exchanges of detainees and handovers of bodies
    #[command(subcommand)]
    Exchange(crate::persons_cmd::ExchangeCmd),
    /// Record a commitment's follow-up: met, missed or postponed, and what settled it
    Commitment {
        id: String,
        #[arg(long, default_value = "astana-2017")]
        agreement: String,
        /// open, met, missed or postponed
        #[arg(long)]
        status: String,
        /// The round or evidence that settled it
        #[arg(long, default_value = "")]
        settled_by: String,
        #[arg(long, default_value = "")]
        evidence: String,
        #[arg(long, value_parser = day)]
        date: Option<NaiveDate>,
        #[arg(long, env = "HUDNA_ACTOR", default_value = "cli")]
        actor: String,
    },
    /// Rounds of talks and their commitments, in order
    Rounds {
        #[arg(long)]
        agreement: Option<String>,
    },
    /// Serve the web desk and the JSON API (Arabic first; every asset from the binary)
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
    },
    /// Organisations (each guarantor's liaison office, the mission, NGOs)
    #[command(subcommand)]
    Org(OrgCmd),
    /// Users and API tokens
    #[command(subcommand)]
    User(UserCmd),
    /// A fresh database with the shipped agreements and sample reports, a tour of what it holds, then the desk
    #[command(
        after_help = "The desk is served when standard input is a terminal (Ctrl-C stops it), or with --serve; with --no-serve, or without a terminal (CI), the demo prints its tour and exits."
    )]
    Demo {
        /// Where the demo database goes (replaced on each run)
        #[arg(long, default_value = "hudna-data")]
        data_dir: PathBuf,
        /// Serve the desk after the tour even without a terminal
        #[arg(long, conflicts_with = "no_serve")]
        serve: bool,
        /// Never serve the desk
        #[arg(long)]
        no_serve: bool,
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AgreementCmd {
    /// Validate an agreement directory and store it (nothing is written if any check fails)
    Load {
        dir: PathBuf,
        /// Reverse rings wound against RFC 7946 instead of refusing them
        #[arg(long)]
        fix_winding: bool,
        /// Only validate; write nothing
        #[arg(long)]
        check: bool,
        #[arg(long, env = "HUDNA_ACTOR", default_value = "cli")]
        actor: String,
    },
    /// List loaded agreements
    List,
    /// Parties, zones, mandate, rules, rounds and commitments of one agreement
    Show { id: String },
}

#[derive(Debug, Subcommand)]
pub enum ImportCmd {
    /// An ACLED export (the real export columns; an HXL row is skipped); errors per row with the line number
    AcledCsv {
        file: PathBuf,
        #[arg(long, env = "HUDNA_ACTOR", default_value = "cli")]
        actor: String,
    },
    /// A `hudna export incidents --as jsonl` file: reports, events, merges, review state and stances
    Jsonl {
        file: PathBuf,
        #[arg(long, env = "HUDNA_ACTOR", default_value = "cli")]
        actor: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// ACLED columns with an HXL hashtag row
    AcledCsv,
    /// RFC 7946 FeatureCollection
    Geojson,
    /// JSON Lines of everything (re-imports with `hudna import jsonl`)
    Jsonl,
}

#[derive(Debug, Subcommand)]
pub enum ExportCmd {
    /// Incidents, filtered
    Incidents {
        #[arg(long = "as", value_enum, default_value_t = ExportFormat::AcledCsv)]
        output: ExportFormat,
        #[arg(long)]
        agreement: Option<String>,
        #[arg(long)]
        zone: Option<String>,
        #[arg(long, value_parser = day)]
        since: Option<NaiveDate>,
        #[arg(long, value_parser = day)]
        until: Option<NaiveDate>,
        #[arg(long)]
        violations: bool,
        /// Only published incidents
        #[arg(long)]
        published: bool,
    },
    /// Zones and posts as they stood on a day, as GeoJSON
    Zones {
        #[arg(long, value_parser = day)]
        at: Option<NaiveDate>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
    Html,
    Pdf,
}

#[derive(Debug, Subcommand)]
pub enum ReportCmd {
    /// The day against the day before, per zone, and since each zone began
    Daily {
        #[arg(long, value_parser = day)]
        date: Option<NaiveDate>,
        #[arg(long = "as", value_enum, default_value_t = ReportFormat::Text)]
        output: ReportFormat,
        /// ar or en
        #[arg(long, default_value = "ar")]
        lang: String,
        /// Write to this file instead of stdout (required for pdf)
        #[arg(long)]
        out: Option<PathBuf>,
        /// Count and list published incidents only (the public edition)
        #[arg(long)]
        published_only: bool,
    },
    /// A period against the period of equal length before it
    Period {
        #[arg(long, value_parser = day)]
        since: NaiveDate,
        #[arg(long, value_parser = day)]
        until: NaiveDate,
        #[arg(long = "as", value_enum, default_value_t = ReportFormat::Text)]
        output: ReportFormat,
        #[arg(long, default_value = "ar")]
        lang: String,
        #[arg(long)]
        out: Option<PathBuf>,
        /// Count and list published incidents only (the public edition)
        #[arg(long)]
        published_only: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum EvalCmd {
    /// Score extraction against gold files: per-field accuracy, event P/R/F1, kind accuracy
    Extract { dir: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum MandateCmd {
    /// The mandate's state on a day
    Status {
        #[arg(long, default_value = "astana-2017")]
        agreement: String,
        #[arg(long, value_parser = day)]
        at: Option<NaiveDate>,
    },
}

#[derive(Debug, Subcommand)]
pub enum OrgCmd {
    /// Create or update an organisation
    Add {
        id: String,
        #[arg(long)]
        name: String,
        /// guarantor, mission, ngo, observer or other
        #[arg(long, default_value = "mission")]
        kind: String,
        /// The party a liaison office speaks for (e.g. turkey)
        #[arg(long)]
        party: Option<String>,
        #[arg(long, env = "HUDNA_ACTOR", default_value = "cli")]
        actor: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCmd {
    /// Create a user (the password is read from standard input unless --password is given)
    Add {
        username: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        org: String,
        /// admin, analyst, liaison, humanitarian_officer or viewer
        #[arg(long)]
        role: String,
        #[arg(long)]
        password: Option<String>,
        #[arg(long, env = "HUDNA_ACTOR", default_value = "cli")]
        actor: String,
    },
    /// Issue an API token for scripts (printed once)
    Token {
        username: String,
        #[arg(long, default_value = "script")]
        label: String,
        #[arg(long, env = "HUDNA_ACTOR", default_value = "cli")]
        actor: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum GazetteerCmd {
    /// Replace the stored gazetteer with a GeoNames dump (bad rows are reported by line and skipped)
    Import {
        /// SY.txt from a GeoNames country dump
        dump: PathBuf,
        /// alternateNamesV2.txt (or the country's alternate names file) for Arabic names
        #[arg(long)]
        alternate_names: Option<PathBuf>,
        #[arg(long, env = "HUDNA_ACTOR", default_value = "cli")]
        actor: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCmd {
    /// Walk the hash chain and report the first entry that does not match
    Verify,
    /// List entries (optionally about one entity, e.g. agreement/astana-2017)
    Log {
        #[arg(long)]
        entity: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct LocateArgs {
    /// Latitude (decimal degrees)
    #[arg(allow_negative_numbers = true, required_unless_present = "batch")]
    lat: Option<String>,
    /// Longitude (decimal degrees)
    #[arg(allow_negative_numbers = true, required_unless_present = "batch")]
    lon: Option<String>,
    /// The day (YYYY-MM-DD); default today
    #[arg(long, value_parser = day)]
    at: Option<NaiveDate>,
    /// CSV of points (lat,lon[,date])
    #[arg(long, conflicts_with_all = ["lat", "lon"], requires = "out")]
    batch: Option<PathBuf>,
    /// Where batch results go
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DecisionArg {
    Grant,
    Object,
}

/// Parses a day for clap, with an error that says what to write.
pub fn day(s: &str) -> std::result::Result<NaiveDate, String> {
    hudna_core::parse_day(s).map_err(|e| e.to_string())
}

/// Parses a coordinate, accepting Arabic-Indic digits and the Arabic decimal separator.
fn coord(s: &str, what: &str) -> Result<f64> {
    let t: String = s
        .trim()
        .chars()
        .map(|c| match c {
            '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
            '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
            '\u{066B}' => '.',
            _ => c,
        })
        .collect();
    t.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| {
            hudna_app::AppError::BadInput(format!(
                "{what} {s:?} is not a number in decimal degrees"
            ))
            .into()
        })
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

pub fn open(db: &Path) -> Result<Hudna> {
    Ok(Hudna::open_url(&db.to_string_lossy())?)
}

pub fn run(cli: Cli) -> Result<i32> {
    let f = cli.format;
    match cli.cmd {
        Cmd::Init => {
            let h = Hudna::create_url(&cli.db.to_string_lossy())?;
            let _ = h.agreements()?;
            let db = hudna_store::redact_url(&cli.db.to_string_lossy());
            emit(f, &serde_json::json!({"db": db, "ready": true}), |_| {
                println!("database ready: {db}");
                println!("next: hudna --db {db} agreement load data/agreements/astana-2017");
            });
        }
        Cmd::Migrate => {
            let db = cli.db.to_string_lossy();
            let store = hudna_app::AppError::from;
            // PostgreSQL says which migrations it applied; SQLite only the version reached
            let (applied, version) = if hudna_store::is_postgres_url(&db) {
                let s = hudna_store::PgStore::connect(&db).map_err(store)?;
                (
                    Some(s.migrate().map_err(store)?),
                    s.schema_version().map_err(store)?,
                )
            } else {
                let s = hudna_store::SqliteStore::create(&cli.db).map_err(store)?;
                (None, s.schema_version().map_err(store)?)
            };
            let shown = hudna_store::redact_url(&db);
            emit(
                f,
                &serde_json::json!({"db": shown, "schema_version": version, "applied": applied}),
                |_| match &applied {
                    Some(a) if !a.is_empty() => {
                        println!("{shown}: applied migrations {a:?}; schema version {version}")
                    }
                    _ => println!("{shown}: schema version {version}"),
                },
            );
        }
        Cmd::Backup { out } => {
            if out.exists() {
                return Err(hudna_app::AppError::BadInput(format!(
                    "{} exists already; give a new file name",
                    out.display()
                ))
                .into());
            }
            open(&cli.db)?.store().backup(&out).map_err(|e| match e {
                hudna_store::StoreError::Conflict(s) => hudna_app::AppError::Refused(s),
                e => hudna_app::AppError::from(e),
            })?;
            emit(
                f,
                &serde_json::json!({"backup": out.display().to_string()}),
                |_| {
                    println!("backup written: {}", out.display());
                    println!("check it: hudna --db {} audit verify", out.display());
                },
            );
        }
        Cmd::Agreement(AgreementCmd::Load {
            dir,
            fix_winding,
            check,
            actor,
        }) => {
            let opts = LoadOptions { fix_winding };
            if check {
                let loaded = hudna_app::definition::load_dir(&dir, opts)
                    .map_err(hudna_app::AppError::Invalid)?;
                emit(
                    f,
                    &serde_json::json!({"valid": true, "agreement": loaded.agreement.id}),
                    |_| println!("{}: valid ({})", dir.display(), loaded.agreement.id),
                );
                return Ok(0);
            }
            let h = open(&cli.db)?;
            let r = h.load_agreement(&dir, opts, &actor)?;
            emit(f, &r, |r| {
                println!(
                    "{} {}: {} parties, {} zones ({} versions), {} posts, {} rules, {} rounds",
                    r.agreement,
                    r.outcome,
                    r.parties,
                    r.zones,
                    r.versions,
                    r.posts,
                    r.rules,
                    r.rounds
                );
                for n in &r.notes {
                    println!("  note: {n}");
                }
            });
        }
        Cmd::Agreement(AgreementCmd::List) => {
            let h = open(&cli.db)?;
            let ags = h.agreements()?;
            let rows: Vec<_> = ags
                .iter()
                .map(|a| serde_json::json!({"id": a.id, "name_ar": a.names.ar, "name_en": a.names.en, "signed": a.signed, "zones": a.zones.len(), "parties": a.parties.len()}))
                .collect();
            emit(f, &rows, |_| {
                if ags.is_empty() {
                    println!("no agreements loaded; try: hudna agreement load data/agreements/astana-2017");
                }
                for a in ags.iter() {
                    println!(
                        "{:<14} {}  {} | {}  ({} zones)",
                        a.id,
                        a.signed,
                        a.names.ar,
                        a.names.en,
                        a.zones.len()
                    );
                }
            });
        }
        Cmd::Agreement(AgreementCmd::Show { id }) => {
            let h = open(&cli.db)?;
            let a = h.agreement(&id)?;
            emit(f, &a, crate::demo::print_agreement);
        }
        Cmd::Zones { at, agreement } => {
            let h = open(&cli.db)?;
            let at = at.unwrap_or_else(today);
            let zs = h.zones_at(at, agreement.as_deref())?;
            emit(f, &zs, |zs| crate::demo::print_zones(at, zs));
        }
        Cmd::Locate(args) => return locate(&cli.db, f, args),
        Cmd::Mandate(MandateCmd::Status { agreement, at }) => {
            let h = open(&cli.db)?;
            let s = h.mandate_status(&agreement, at.unwrap_or_else(today))?;
            emit(f, &s, crate::demo::print_mandate);
        }
        Cmd::Consent {
            agreement,
            party,
            extension,
            decision,
            date,
            note,
            actor,
        } => {
            let h = open(&cli.db)?;
            let d = match decision {
                DecisionArg::Grant => Decision::Grant,
                DecisionArg::Object => Decision::Object,
            };
            let consent = hudna_app::NewConsent {
                agreement: &agreement,
                party: &party,
                extension,
                decision: d,
                date: date.unwrap_or_else(today),
                note: &note,
            };
            let s = h.record_consent(&consent, &actor)?;
            emit(f, &s, |s| {
                println!(
                    "recorded: {party} {} extension {extension} of {agreement}",
                    d.as_str()
                );
                crate::demo::print_mandate(s);
            });
        }
        Cmd::Gazetteer(GazetteerCmd::Import {
            dump,
            alternate_names,
            actor,
        }) => {
            let h = open(&cli.db)?;
            let read = |p: &Path| -> Result<String> {
                let bytes = std::fs::read(p).with_context(|| format!("reading {}", p.display()))?;
                Ok(hudna_app::sources::decode(&p.display().to_string(), bytes)
                    .map_err(hudna_app::AppError::BadInput)?)
            };
            let text = read(&dump)?;
            let alt = alternate_names.as_deref().map(read).transpose()?;
            let (places, diags) = hudna_text::parse_geonames_dump(&text, alt.as_deref());
            for d in &diags {
                eprintln!("{}:{}: {}", dump.display(), d.line.unwrap_or(0), d.message);
            }
            if places.is_empty() {
                return Err(hudna_app::AppError::BadInput(format!(
                    "{}: no usable place",
                    dump.display()
                ))
                .into());
            }
            let rows: Vec<hudna_store::PlaceRow> = places
                .iter()
                .map(|p| hudna_store::PlaceRow {
                    geonameid: p.geonameid,
                    name_en: p.name_en.clone(),
                    names_ar: p.names_ar.clone(),
                    names_latin: p.names_latin.clone(),
                    lat: p.lat,
                    lon: p.lon,
                    admin1: p.admin1.clone(),
                    population: p.population,
                    kind: p.kind.clone(),
                })
                .collect();
            let audit = hudna_store::AuditEntry::new(
                &actor,
                "gazetteer.import",
                "gazetteer",
                serde_json::json!({"file": dump.display().to_string(), "places": rows.len(), "skipped": diags.len()}),
            );
            let n = h.store().replace_places(&rows, &audit)?;
            emit(
                f,
                &serde_json::json!({"places": n, "skipped": diags.len()}),
                |_| println!("gazetteer: {n} places loaded, {} rows skipped", diags.len()),
            );
        }
        Cmd::Audit(AuditCmd::Verify) => {
            let h = open(&cli.db)?;
            let (n, brk) = h.store().verify_audit()?;
            emit(
                f,
                &serde_json::json!({"entries": n, "intact": brk.is_none(), "first_break": brk}),
                |_| match &brk {
                    None => println!("audit log intact: {n} entries, hash chain verified"),
                    Some(b) => println!("audit log BROKEN at entry {}: {}", b.id, b.reason),
                },
            );
            if brk.is_some() {
                return Ok(7);
            }
        }
        Cmd::Audit(AuditCmd::Log { entity }) => {
            let h = open(&cli.db)?;
            let log = h.store().audit_log(entity.as_deref())?;
            emit(f, &log, |log| {
                for e in log {
                    println!(
                        "{:>5} {} {:<10} {:<18} {} {}",
                        e.id, e.at, e.actor, e.action, e.entity, e.detail
                    );
                }
            });
        }
        Cmd::Demo {
            data_dir,
            serve,
            no_serve,
            addr,
        } => {
            use std::io::IsTerminal;
            let code = crate::demo::run(&data_dir, f)?;
            let db = data_dir.join("demo.sqlite");
            let accounts = crate::serve_cmd::demo_accounts(&db)?;
            if f == Format::Text {
                println!("\nDemo accounts · حسابات العرض (user / password / role):");
                for (u, p, r) in &accounts {
                    println!("  {u:<18} {p:<22} {r}");
                }
                println!(
                    "Desk pages: / (dashboard) · /map · /incidents · /reports/new · /situation?date=2018-04-10 (daily report, HTML/PDF) · /rounds (Astana rounds, the Astana 6 statement and its commitments)"
                );
            }
            if !no_serve && (serve || std::io::stdin().is_terminal()) {
                crate::serve_cmd::serve(&db, &addr)?;
            } else if f == Format::Text {
                println!(
                    "\n(the desk: hudna --db {} serve --addr {addr})",
                    db.display()
                );
            }
            return Ok(code);
        }
        Cmd::Serve { addr } => crate::serve_cmd::serve(&cli.db, &addr)?,
        Cmd::Org(OrgCmd::Add {
            id,
            name,
            kind,
            party,
            actor,
        }) => crate::serve_cmd::org_add(&cli.db, &id, &name, &kind, party.as_deref(), &actor)?,
        Cmd::User(UserCmd::Add {
            username,
            name,
            org,
            role,
            password,
            actor,
        }) => crate::serve_cmd::user_add(
            &cli.db,
            &username,
            &name,
            &org,
            &role,
            password.as_deref(),
            &actor,
        )?,
        Cmd::User(UserCmd::Token {
            username,
            label,
            actor,
        }) => crate::serve_cmd::user_token(&cli.db, &username, &label, &actor)?,
        Cmd::Ingest {
            paths,
            source,
            published,
            actor,
        } => {
            let h = open(&cli.db)?;
            return crate::incidents_cmd::ingest(&h, &paths, source, published, &actor, f);
        }
        Cmd::Import(ImportCmd::AcledCsv { file, actor }) => {
            let h = open(&cli.db)?;
            return crate::incidents_cmd::ingest(&h, &[file], None, None, &actor, f);
        }
        Cmd::Import(ImportCmd::Jsonl { file, actor }) => {
            let h = open(&cli.db)?;
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let text = hudna_app::sources::decode(&file.display().to_string(), bytes)
                .map_err(hudna_app::AppError::BadInput)?;
            let (s, problems) =
                h.import_jsonl(&text, &file.display().to_string(), &actor, today())?;
            for p in &problems {
                eprintln!("skipped: {p}");
            }
            emit(
                f,
                &serde_json::json!({"stored": s.stored, "duplicates": s.duplicates, "rejected": s.rejected, "problems": problems}),
                |_| {
                    println!("imported {}: {} reports stored, {} already present, {} refused, {} problems", file.display(), s.stored, s.duplicates, s.rejected, problems.len())
                },
            );
        }
        Cmd::Export(cmd) => return crate::reports_cmd::export(&open(&cli.db)?, cmd),
        Cmd::Report(cmd) => return crate::reports_cmd::report(&open(&cli.db)?, cmd, today()),
        Cmd::Persons(cmd) => return crate::persons_cmd::persons(&open(&cli.db)?, cmd, f),
        Cmd::Exchange(cmd) => return crate::persons_cmd::exchange(&open(&cli.db)?, cmd, f),
        Cmd::Commitment {
            id,
            agreement,
            status,
            settled_by,
            evidence,
            date,
            actor,
        } => {
            let h = open(&cli.db)?;
            h.follow_up(&hudna_store::FollowupRow {
                agreement: agreement.clone(),
                commitment: id.clone(),
                status: status.clone(),
                settled_by: settled_by.clone(),
                evidence,
                date: date.unwrap_or_else(today).to_string(),
                recorded_by: actor,
            })?;
            emit(
                f,
                &serde_json::json!({"agreement": agreement, "commitment": id, "status": status}),
                |_| {
                    println!(
                        "{agreement}/{id}: {status}{}",
                        if settled_by.is_empty() {
                            String::new()
                        } else {
                            format!(" (settled by {settled_by})")
                        }
                    )
                },
            );
        }
        Cmd::Rounds { agreement } => {
            return crate::reports_cmd::rounds(&open(&cli.db)?, agreement.as_deref(), f, today())
        }
        Cmd::Incidents(args) => {
            let h = open(&cli.db)?;
            return crate::incidents_cmd::list(&h, &args, f);
        }
        Cmd::Incident { id } => {
            let h = open(&cli.db)?;
            let d = h.incident(id)?;
            emit(f, &d, crate::incidents_cmd::print_detail);
        }
        Cmd::Stance {
            incident,
            agreement,
            party,
            position,
            comment,
            actor,
        } => {
            let h = open(&cli.db)?;
            let d = h.record_stance(incident, &agreement, &party, &position, &comment, &actor)?;
            emit(f, &d, |d| {
                println!("recorded: {party} {position}s incident {}", d.incident.id);
                crate::incidents_cmd::print_consensus(d);
            });
        }
        Cmd::Review {
            incident,
            to,
            assignee,
            revision,
            actor,
        } => {
            let h = open(&cli.db)?;
            let i = h.review(
                incident,
                &to,
                assignee.as_deref(),
                revision.as_deref(),
                &actor,
            )?;
            emit(f, &i, |i| {
                println!(
                    "incident {} is now {} (revision {})",
                    i.id, i.status, i.revision
                )
            });
        }
        Cmd::Grade {
            incident,
            grade,
            reason,
            clear,
            revision,
            actor,
        } => {
            let h = open(&cli.db)?;
            if grade.is_none() && !clear {
                return Err(hudna_app::AppError::BadInput(
                    "give a grade (confirmed, fair, weak, contested, discounted) or --clear".into(),
                )
                .into());
            }
            let g = if clear { None } else { grade.as_deref() };
            let i = h.override_grade(incident, g, &reason, revision.as_deref(), &actor)?;
            emit(f, &i, |i| println!("incident {} graded {}", i.id, i.grade));
        }
        Cmd::Merge {
            keep,
            others,
            revision,
            actor,
        } => {
            let h = open(&cli.db)?;
            let i = h.merge(keep, &others, revision.as_deref(), &actor)?;
            emit(f, &i, |i| {
                println!(
                    "incident {} now holds {} reports; absorbed {}",
                    i.id, i.reports, i.absorbed
                )
            });
        }
        Cmd::Split {
            incident,
            events,
            revision,
            actor,
        } => {
            let h = open(&cli.db)?;
            let (a, b) = h.split(incident, &events, revision.as_deref(), &actor)?;
            emit(f, &serde_json::json!({"kept": a, "new": b}), |_| {
                println!(
                    "incident {} split: events {:?} moved to new incident {}",
                    a.id, events, b.id
                )
            });
        }
        Cmd::Reassess { actor } => {
            let h = open(&cli.db)?;
            let n = h.reassess_all(&actor)?;
            emit(f, &serde_json::json!({"changed": n}), |_| {
                println!("re-assessed every incident; {n} readings changed")
            });
        }
        Cmd::Extract { files, published } => {
            crate::extract_cmd::extract_files(&files, published, f == Format::Text)?;
        }
        Cmd::Eval(EvalCmd::Extract { dir }) => {
            crate::extract_cmd::eval_extract(&dir, f == Format::Json)?;
        }
        Cmd::Link {
            records,
            against,
            out,
            clusters,
            threshold,
            explain,
        } => {
            if !(0.0..=1.0).contains(&threshold) {
                return Err(hudna_app::AppError::BadInput(format!(
                    "--threshold {threshold}: a probability between 0 and 1"
                ))
                .into());
            }
            crate::link_cmd::run(&crate::link_cmd::LinkArgs {
                records,
                against,
                out,
                clusters,
                threshold,
                explain,
            })?;
        }
    }
    Ok(0)
}

fn locate(db: &Path, f: Format, args: LocateArgs) -> Result<i32> {
    let h = open(db)?;
    if let Some(batch) = args.batch {
        let out = args.out.expect("clap requires --out");
        return crate::demo::locate_batch(&h, &batch, &out, args.at.unwrap_or_else(today), f);
    }
    let lat = coord(args.lat.as_deref().unwrap_or_default(), "latitude")?;
    let lon = coord(args.lon.as_deref().unwrap_or_default(), "longitude")?;
    let at = args.at.unwrap_or_else(today);
    let loc = h.locate(lat, lon, at)?;
    emit(f, &loc, crate::demo::print_location);
    Ok(0)
}

#[allow(dead_code)]
fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}
