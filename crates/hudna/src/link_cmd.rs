//! `hudna link`: find the same person across detainee / missing-person lists.
//!
//! Reads CSV lists (header row; `record_id` and `full_name` or `first` are
//! required, `source, father, grandfather, family, mother, sex, birth_year,
//! place, event_date, script` optional), runs the `hudna-names` engine and
//! writes `PAIRS.csv` (`record_id_a, record_id_b, probability[, explanation]`)
//! and optionally `CLUSTERS.csv` (`record_id, cluster_id`). A bad row is
//! reported on stderr with its file and line and skipped; it never sinks the
//! batch. With `--against REGISTRY.csv` the model is trained on the registry
//! and only pairs involving the new records are scored and written.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use hudna_names::{LinkConfig, LinkOutput, Linker, RawRecord};

/// Arguments of `hudna link`.
#[derive(Clone, Debug)]
pub struct LinkArgs {
    /// The list to link (CSV).
    pub records: PathBuf,
    /// An already linked registry to link the list against.
    pub against: Option<PathBuf>,
    /// Where to write matching pairs.
    pub out: PathBuf,
    /// Where to write one cluster id per record.
    pub clusters: Option<PathBuf>,
    /// Match probability at or above which a pair is written (0..1).
    pub threshold: f64,
    /// Add a per-field explanation column to the pairs.
    pub explain: bool,
}

const COLUMNS: [&str; 13] = [
    "record_id",
    "source",
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
    "script",
];

/// Records of one file with the line each came from.
struct Loaded {
    records: Vec<RawRecord>,
    lines: Vec<u64>,
    skipped: usize,
}

fn read_records(path: &Path, seen: &mut HashSet<String>) -> Result<Loaded> {
    let mut rd = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    let headers = rd
        .byte_headers()
        .with_context(|| format!("{}: cannot read the header row", path.display()))?
        .clone();
    let names: Vec<String> = headers
        .iter()
        .map(|h| {
            String::from_utf8_lossy(h)
                .trim()
                .trim_start_matches('\u{feff}')
                .to_lowercase()
        })
        .collect();
    let col: Vec<Option<usize>> = COLUMNS
        .iter()
        .map(|c| names.iter().position(|n| n == c))
        .collect();
    if col[0].is_none() {
        bail!(
            "{}: line 1: no `record_id` column (found: {})",
            path.display(),
            names.join(", ")
        );
    }
    if col[2].is_none() && col[3].is_none() {
        bail!(
            "{}: line 1: need a `full_name` or a `first` column",
            path.display()
        );
    }
    let mut out = Loaded {
        records: Vec::new(),
        lines: Vec::new(),
        skipped: 0,
    };
    let mut row = csv::ByteRecord::new();
    loop {
        let line = rd.position().line() + 1;
        match rd.read_byte_record(&mut row) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(line, |p| p.line());
                eprintln!("{}: line {line}: skipped: {e}", path.display());
                out.skipped += 1;
                continue;
            }
        }
        let line = row.position().map_or(line, |p| p.line());
        if row.len() != headers.len() {
            eprintln!(
                "{}: line {line}: skipped: {} fields, the header has {}",
                path.display(),
                row.len(),
                headers.len()
            );
            out.skipped += 1;
            continue;
        }
        let mut fields: Vec<String> = Vec::with_capacity(COLUMNS.len());
        let mut bad = None;
        for (k, c) in col.iter().enumerate() {
            let v = c.and_then(|i| row.get(i)).unwrap_or(b"");
            match std::str::from_utf8(v) {
                Ok(s) => fields.push(s.trim().to_string()),
                Err(_) => {
                    bad = Some(COLUMNS[k]);
                    break;
                }
            }
        }
        if let Some(c) = bad {
            eprintln!(
                "{}: line {line}: skipped: column `{c}` is not valid UTF-8",
                path.display()
            );
            out.skipped += 1;
            continue;
        }
        let mut it = fields.into_iter();
        let mut next = || it.next().unwrap_or_default();
        let r = RawRecord {
            record_id: next(),
            source: next(),
            full_name: next(),
            first: next(),
            father: next(),
            grandfather: next(),
            family: next(),
            mother: next(),
            sex: next(),
            birth_year: next(),
            place: next(),
            event_date: next(),
            script: next(),
        };
        if !r.record_id.is_empty() && !seen.insert(r.record_id.clone()) {
            eprintln!(
                "{}: line {line}: skipped: duplicate record_id `{}`",
                path.display(),
                r.record_id
            );
            out.skipped += 1;
            continue;
        }
        out.records.push(r);
        out.lines.push(line);
    }
    Ok(out)
}

/// Report records the engine rejected, by file and line.
fn report_rejected(path: &Path, loaded: &Loaded, res: &LinkOutput) -> usize {
    for e in &res.rejected {
        let line = e
            .index()
            .and_then(|i| loaded.lines.get(i))
            .copied()
            .unwrap_or(0);
        eprintln!("{}: line {line}: skipped: {e}", path.display());
    }
    res.rejected.len()
}

/// Run `hudna link`.
pub fn run(args: &LinkArgs) -> Result<()> {
    if !(0.0..=1.0).contains(&args.threshold) {
        bail!(
            "--threshold must be a probability between 0 and 1, got {}",
            args.threshold
        );
    }
    let t0 = Instant::now();
    let mut config = LinkConfig::default();
    config.cluster.threshold = args.threshold;
    let mut linker = Linker::new(config);
    let mut seen = HashSet::new();
    let mut skipped = 0;
    let (res, first_new) = match &args.against {
        Some(reg_path) => {
            let reg = read_records(reg_path, &mut seen)?;
            skipped += reg.skipped;
            if reg.records.is_empty() {
                bail!("{}: no usable records in the registry", reg_path.display());
            }
            let fitted = linker.fit(&reg.records);
            skipped += report_rejected(reg_path, &reg, &fitted);
            let first_new = linker.len();
            let new = read_records(&args.records, &mut seen)?;
            skipped += new.skipped;
            let res = linker.link_incremental(&new.records).with_context(|| {
                format!(
                    "linking {} against {}",
                    args.records.display(),
                    reg_path.display()
                )
            })?;
            skipped += report_rejected(&args.records, &new, &res);
            (res, first_new)
        }
        None => {
            let new = read_records(&args.records, &mut seen)?;
            skipped += new.skipped;
            let res = linker.fit(&new.records);
            skipped += report_rejected(&args.records, &new, &res);
            (res, 0)
        }
    };

    let mut w = csv::Writer::from_path(&args.out)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    let mut header = vec!["record_id_a", "record_id_b", "probability"];
    if args.explain {
        header.push("explanation");
    }
    w.write_record(&header)
        .with_context(|| format!("writing {}", args.out.display()))?;
    let mut pairs = res.pairs.clone();
    pairs.sort_by(|x, y| {
        y.probability
            .total_cmp(&x.probability)
            .then((x.a, x.b).cmp(&(y.a, y.b)))
    });
    for p in &pairs {
        let mut rec = vec![
            linker.record_id(p.a).to_string(),
            linker.record_id(p.b).to_string(),
            format!("{:.4}", p.probability),
        ];
        if args.explain {
            rec.push(
                linker
                    .explain(p.a, p.b)
                    .map(|e| e.to_string())
                    .unwrap_or_default(),
            );
        }
        w.write_record(&rec)
            .with_context(|| format!("writing {}", args.out.display()))?;
    }
    w.flush()
        .with_context(|| format!("writing {}", args.out.display()))?;

    let mut n_clusters = 0;
    if let Some(path) = &args.clusters {
        let mut w = csv::Writer::from_path(path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        w.write_record(["record_id", "cluster_id"])
            .with_context(|| format!("writing {}", path.display()))?;
        for (i, &label) in res.clusters.iter().enumerate() {
            if label as usize == i {
                n_clusters += 1;
            }
            w.write_record([linker.record_id(i as u32), linker.record_id(label)])
                .with_context(|| format!("writing {}", path.display()))?;
        }
        w.flush()
            .with_context(|| format!("writing {}", path.display()))?;
    }

    let b = &res.blocking;
    eprintln!(
        "hudna link: {} records ({} new), {} skipped; {} candidate pairs (reduction ratio {:.6}); {} pairs ≥ {} written to {}{}; {:.2} s",
        linker.len(),
        linker.len() - first_new,
        skipped,
        b.candidates,
        b.reduction_ratio(),
        pairs.len(),
        args.threshold,
        args.out.display(),
        args.clusters
            .as_ref()
            .map(|p| format!(", {n_clusters} clusters written to {}", p.display()))
            .unwrap_or_default(),
        t0.elapsed().as_secs_f64()
    );
    Ok(())
}
