//! `hudna extract` and `hudna eval extract`: file IO around the hudna-text
//! engine (which itself does no IO).
//!
//! Needs `hudna-text.workspace = true` and `serde_json` in this crate's
//! dependencies.

use anyhow::{bail, Context, Result};
use chrono::NaiveDate;
use hudna_text::eval::{evaluate, render_table, EvalCase};
use hudna_text::{decode, Extractor};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

fn read_input(path: &Path) -> Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .context("reading standard input")?;
        return Ok(buf);
    }
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

/// Extracts each file (`-` = standard input) and prints one JSON object per
/// file: one per line, or indented with `pretty`.
pub fn extract_files(paths: &[PathBuf], published: Option<NaiveDate>, pretty: bool) -> Result<()> {
    if paths.is_empty() {
        bail!("no input files given (use - to read standard input)");
    }
    let extractor = Extractor::builtin();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for path in paths {
        let bytes = read_input(path)?;
        let text =
            decode(&bytes).with_context(|| format!("{} is not UTF-8 text", path.display()))?;
        let extraction = extractor.extract(text, published);
        if pretty {
            serde_json::to_writer_pretty(&mut out, &extraction)?;
        } else {
            serde_json::to_writer(&mut out, &extraction)?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// Scores every `NNN.txt` + `NNN.json` pair in `dir` and prints a table (or
/// the JSON report with `json`).
pub fn eval_extract(dir: &Path, json: bool) -> Result<()> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading directory {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    let mut cases = Vec::new();
    for p in paths {
        let gold = p.with_extension("json");
        if !gold.exists() {
            continue;
        }
        let bytes = std::fs::read(&p).with_context(|| format!("reading {}", p.display()))?;
        let text = decode(&bytes).with_context(|| format!("{} is not UTF-8 text", p.display()))?;
        let gold_json = std::fs::read_to_string(&gold)
            .with_context(|| format!("reading {}", gold.display()))?;
        cases.push(EvalCase {
            id: p
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
            text: text.to_string(),
            gold_json,
        });
    }
    if cases.is_empty() {
        bail!("no NNN.txt + NNN.json pairs in {}", dir.display());
    }
    let report = evaluate(&Extractor::builtin(), &cases).context("scoring the corpus")?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", render_table(&report));
    }
    Ok(())
}
