//! Reading reports from files, directories, JSON Lines, stdin and ACLED CSV.
//!
//! Every problem names its place (`file`, `file:line`, `file:line: field`)
//! and loses nothing else: a bad file or row is reported and skipped.

use crate::incidents::NewReport;
use chrono::NaiveDate;
use hudna_core::vocab::sub_event_from_acled;
use hudna_store::EventRow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Defaults that apply where a report does not say.
#[derive(Debug, Clone, Default)]
pub struct Defaults {
    pub source: Option<String>,
    pub published: Option<NaiveDate>,
}

/// Reports read, and the problems met on the way.
#[derive(Debug, Default)]
pub struct Read {
    pub reports: Vec<NewReport>,
    pub problems: Vec<String>,
}

/// Decodes bytes as UTF-8, naming the byte offset of the first bad sequence.
pub fn decode(origin: &str, bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{origin}: not valid UTF-8 at byte offset {}; convert it to UTF-8 (e.g. iconv -f WINDOWS-1256 -t UTF-8)",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Reads paths (files, directories, or `-` for stdin).
pub fn read_paths(paths: &[PathBuf], d: &Defaults, stdin: &mut dyn std::io::Read) -> Read {
    let mut out = Read::default();
    for p in paths {
        if p.as_os_str() == "-" {
            let mut buf = vec![];
            if let Err(e) = stdin.read_to_end(&mut buf) {
                out.problems.push(format!("stdin: {e}"));
                continue;
            }
            match decode("stdin", buf) {
                Ok(text) => read_text_or_jsonl("stdin", &text, d, None, &mut out),
                Err(e) => out.problems.push(e),
            }
        } else if p.is_dir() {
            read_dir(p, d, &mut out);
        } else {
            read_file(p, d, None, &mut out);
        }
    }
    out
}

/// Reads one text as a report, or as JSON Lines of reports when it looks
/// like JSON (what `hudna ingest -` does with standard input).
pub fn read_text(origin: &str, text: &str, d: &Defaults) -> Read {
    let mut out = Read::default();
    read_text_or_jsonl(origin, text, d, None, &mut out);
    out
}

/// One row of a directory's `sources.tsv`.
#[derive(Debug, Clone, Default)]
struct SourceMeta {
    source: Option<String>,
    outlet: String,
    published: Option<NaiveDate>,
    url: String,
}

fn read_dir(dir: &Path, d: &Defaults, out: &mut Read) {
    let mut meta: HashMap<String, SourceMeta> = HashMap::new();
    let tsv = dir.join("sources.tsv");
    if let Ok(text) = std::fs::read_to_string(&tsv) {
        let mut lines = text.lines().enumerate();
        let header: Vec<&str> = lines
            .next()
            .map(|(_, h)| h.split('\t').collect())
            .unwrap_or_default();
        let col = |name: &str| header.iter().position(|h| h.trim() == name);
        let (cf, cs, co, cp, cu) = (
            col("file"),
            col("source"),
            col("outlet"),
            col("published"),
            col("url"),
        );
        for (n, line) in lines {
            let f: Vec<&str> = line.split('\t').collect();
            let get = |c: Option<usize>| c.and_then(|i| f.get(i)).map(|s| s.trim()).unwrap_or("");
            let file = get(cf);
            if file.is_empty() {
                continue;
            }
            let published = match get(cp) {
                "" => None,
                s => match hudna_core::parse_day(s) {
                    Ok(x) => Some(x),
                    Err(e) => {
                        out.problems
                            .push(format!("{}:{}: published: {e}", tsv.display(), n + 1));
                        None
                    }
                },
            };
            meta.insert(
                file.to_owned(),
                SourceMeta {
                    source: Some(get(cs).to_owned()).filter(|s| !s.is_empty()),
                    outlet: get(co).into(),
                    published,
                    url: get(cu).into(),
                },
            );
        }
    }
    let mut entries: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => {
            out.problems.push(format!("{}: {e}", dir.display()));
            return;
        }
    };
    entries.sort();
    for p in entries {
        let name = p
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_owned();
        if p.is_dir() {
            read_dir(&p, d, out);
            continue;
        }
        let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !matches!(ext, "txt" | "jsonl" | "csv") || name == "sources.tsv" {
            continue;
        }
        read_file(&p, d, meta.get(&name), out);
    }
}

fn read_file(p: &Path, d: &Defaults, meta: Option<&SourceMeta>, out: &mut Read) {
    let shown = p.display().to_string();
    let bytes = match std::fs::read(p) {
        Ok(b) => b,
        Err(e) => {
            out.problems.push(format!("{shown}: cannot read it: {e}"));
            return;
        }
    };
    if bytes.iter().take(8192).any(|&b| b == 0) {
        out.problems.push(format!(
            "{shown}: binary file (NUL bytes); reports must be UTF-8 text"
        ));
        return;
    }
    let text = match decode(&shown, bytes) {
        Ok(t) => t,
        Err(e) => {
            out.problems.push(e);
            return;
        }
    };
    if p.extension().and_then(|e| e.to_str()) == Some("csv") {
        let r = read_acled(&shown, &text);
        out.reports.extend(r.reports);
        out.problems.extend(r.problems);
        return;
    }
    read_text_or_jsonl(&shown, &text, d, meta, out);
}

fn read_text_or_jsonl(
    origin: &str,
    text: &str,
    d: &Defaults,
    meta: Option<&SourceMeta>,
    out: &mut Read,
) {
    let looks_jsonl = origin.ends_with(".jsonl") || text.trim_start().starts_with('{');
    if !looks_jsonl {
        if text.trim().is_empty() {
            out.problems.push(format!("{origin}: empty report"));
            return;
        }
        out.reports.push(NewReport {
            text: text.to_owned(),
            source: meta
                .and_then(|m| m.source.clone())
                .or_else(|| d.source.clone()),
            outlet: meta.map(|m| m.outlet.clone()).unwrap_or_default(),
            url: meta.map(|m| m.url.clone()).unwrap_or_default(),
            published: meta.and_then(|m| m.published).or(d.published),
            origin: origin.to_owned(),
            ..Default::default()
        });
        return;
    }
    for (n, line) in text.lines().enumerate() {
        let line_no = n + 1;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                out.problems
                    .push(format!("{origin}:{line_no}: not valid JSON: {e}"));
                continue;
            }
        };
        let get = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_owned);
        let Some(body) = get("text").filter(|t| !t.trim().is_empty()) else {
            out.problems
                .push(format!("{origin}:{line_no}: text: missing or empty"));
            continue;
        };
        let published = match get("published") {
            Some(s) => match hudna_core::parse_day(&s) {
                Ok(x) => Some(x),
                Err(e) => {
                    out.problems
                        .push(format!("{origin}:{line_no}: published: {e}"));
                    continue;
                }
            },
            None => d.published,
        };
        out.reports.push(NewReport {
            text: body,
            source: get("source").or_else(|| d.source.clone()),
            outlet: get("outlet").unwrap_or_default(),
            url: get("url").unwrap_or_default(),
            published,
            origin: format!("{origin}:{line_no}"),
            ..Default::default()
        });
    }
}

/// ACLED actor names → Hudna actor ids (the common Syrian ones).
pub fn acled_actor(name: &str) -> Option<String> {
    let n = name.to_ascii_lowercase();
    let id = if n.is_empty() {
        return None;
    } else if n.contains("military forces of syria")
        || n.contains("police forces of syria")
        || n.contains("ndf")
    {
        "syrian_government"
    } else if n.contains("russia") {
        "russia"
    } else if n.contains("iran") && n.contains("military forces") {
        "iran"
    } else if n.contains("hezbollah")
        || n.contains("iran")
        || n.contains("fatemiyoun")
        || n.contains("zainabiyoun")
    {
        "iran_backed_militias"
    } else if n.contains("turkey") {
        "turkey"
    } else if n.contains("coalition") || n.contains("united states") {
        "us_led_coalition"
    } else if n.contains("hayat tahrir") || n.contains("hts") || n.contains("nusra") {
        "hts"
    } else if n.contains("islamic state") || n.contains("isis") {
        "isis"
    } else if n.contains("qsd") || n.contains("sdf") || n.contains("syrian democratic") {
        "sdf"
    } else if n.contains("civilians") {
        "civilians"
    } else if n.contains("opposition")
        || n.contains("rebel")
        || n.contains("national front")
        || n.contains("syrian national army")
        || n.contains("free syrian")
    {
        "opposition_factions"
    } else {
        "unknown"
    };
    Some(id.to_owned())
}

/// Reads an ACLED export: each row becomes a report with one structured event.
pub fn read_acled(origin: &str, text: &str) -> Read {
    let mut out = Read::default();
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            out.problems
                .push(format!("{origin}: cannot read the header row: {e}"));
            return out;
        }
    };
    let col = |name: &str| headers.iter().position(|h| h.trim() == name);
    let required = [
        "event_id_cnty",
        "event_date",
        "sub_event_type",
        "latitude",
        "longitude",
    ];
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|c| col(c).is_none())
        .collect();
    if !missing.is_empty() {
        out.problems.push(format!(
            "{origin}: not an ACLED export: missing columns {}",
            missing.join(", ")
        ));
        return out;
    }
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                out.problems.push(format!("{origin}: {e}"));
                continue;
            }
        };
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let get = |c: &str| col(c).and_then(|i| rec.get(i)).map(str::trim).unwrap_or("");
        if get("event_id_cnty").starts_with('#') {
            continue; // the HXL hashtag row
        }
        let row = (|| -> Result<NewReport, String> {
            let id = get("event_id_cnty");
            if id.is_empty() {
                return Err("event_id_cnty: missing".into());
            }
            let date =
                parse_acled_date(get("event_date")).map_err(|e| format!("event_date: {e}"))?;
            let sub = sub_event_from_acled(get("sub_event_type")).ok_or_else(|| {
                format!(
                    "sub_event_type: unknown ACLED sub-event type {:?}",
                    get("sub_event_type")
                )
            })?;
            let lat: f64 = get("latitude")
                .parse()
                .map_err(|_| format!("latitude: {:?} is not a number", get("latitude")))?;
            let lon: f64 = get("longitude")
                .parse()
                .map_err(|_| format!("longitude: {:?} is not a number", get("longitude")))?;
            if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
                return Err(format!("latitude/longitude {lat}, {lon} out of range"));
            }
            let geo_p = get("geo_precision")
                .parse::<u8>()
                .ok()
                .filter(|p| (1..=3).contains(p));
            let time_p = get("time_precision")
                .parse::<u8>()
                .ok()
                .filter(|p| (1..=3).contains(p));
            let fatalities = match get("fatalities") {
                "" => None,
                s => Some(
                    s.parse::<u32>()
                        .map_err(|_| format!("fatalities: {s:?} is not a whole number"))?,
                ),
            };
            let notes = get("notes");
            let text = format!(
                "[ACLED {id}] {date} {} {}: {}",
                get("location"),
                get("sub_event_type"),
                notes
            );
            let ev = EventRow {
                kind: sub.into(),
                date: Some(date.to_string()),
                date_precision: time_p.or(Some(1)),
                place_name: Some(get("location").to_owned()).filter(|s| !s.is_empty()),
                admin1: acled_admin1(get("admin1")),
                lat: Some(lat),
                lon: Some(lon),
                geo_precision: geo_p.or(Some(1)),
                perpetrator: acled_actor(get("actor1")),
                target: acled_actor(get("actor2")),
                killed: fatalities,
                evidence: "[]".into(),
                ..Default::default()
            };
            Ok(NewReport {
                text,
                source: Some(get("source"))
                    .filter(|s| !s.is_empty())
                    .map(|s| format!("acled:{s}"))
                    .or(Some("acled".into())),
                outlet: "ACLED".into(),
                url: String::new(),
                published: Some(date),
                origin: format!("{origin}:{line} ({id})"),
                events: Some(vec![ev]),
                language: Some("en".into()),
            })
        })();
        match row {
            Ok(r) => out.reports.push(r),
            Err(why) => out
                .problems
                .push(format!("{origin}:{line}: {why}; row skipped")),
        }
    }
    out
}

fn parse_acled_date(s: &str) -> Result<NaiveDate, String> {
    if let Ok(d) = hudna_core::parse_day(s) {
        return Ok(d);
    }
    NaiveDate::parse_from_str(s, "%d %B %Y")
        .map_err(|_| format!("{s:?}: expected YYYY-MM-DD or ACLED's \"15 November 2017\""))
}

/// ACLED admin1 names → ISO 3166-2.
pub fn acled_admin1(name: &str) -> Option<String> {
    let n = name.to_ascii_lowercase();
    let code = match n.as_str() {
        "damascus" => "SY-DI",
        "rural damascus" | "rif dimashq" => "SY-RD",
        "aleppo" => "SY-HL",
        "idleb" | "idlib" => "SY-ID",
        "hama" => "SY-HM",
        "homs" => "SY-HI",
        "lattakia" | "latakia" => "SY-LA",
        "tartous" | "tartus" => "SY-TA",
        "dar'a" | "daraa" | "deraa" => "SY-DR",
        "as-sweida" | "as-suwayda" | "sweida" => "SY-SU",
        "quneitra" => "SY-QU",
        "deir-ez-zor" | "deir ez-zor" | "deir ez zor" => "SY-DY",
        "ar-raqqa" | "raqqa" => "SY-RA",
        "al-hasakeh" | "hasakah" | "al-hasakah" => "SY-HA",
        _ => return None,
    };
    Some(code.into())
}
