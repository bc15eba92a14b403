//! Write a synthetic list and its truth:
//! `cargo run --release -p hudna-names --example gen -- --records N --seed S --out DIR`
//! produces DIR/records.csv (the CLI's input columns) and DIR/truth.csv
//! (record_id, person_id, script).

use std::error::Error;
use std::path::PathBuf;

use hudna_names::generate::{generate, GenConfig};

fn main() -> Result<(), Box<dyn Error>> {
    let mut cfg = GenConfig::default();
    let mut out = PathBuf::from("bench/out/gen");
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let v = args
            .get(i + 1)
            .ok_or_else(|| format!("{} needs a value", args[i]))?;
        match args[i].as_str() {
            "--records" => cfg.records = v.parse()?,
            "--seed" => cfg.seed = v.parse()?,
            "--latin-share" => cfg.latin_share = v.parse()?,
            "--out" => out = PathBuf::from(v),
            o => return Err(format!("unknown option {o}").into()),
        }
        i += 2;
    }
    std::fs::create_dir_all(&out)?;
    let g = generate(&cfg);
    let mut w = csv::Writer::from_path(out.join("records.csv"))?;
    w.write_record([
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
    ])?;
    for r in &g.records {
        w.write_record([
            &r.record_id,
            &r.source,
            &r.full_name,
            &r.first,
            &r.father,
            &r.grandfather,
            &r.family,
            &r.mother,
            &r.sex,
            &r.birth_year,
            &r.place,
            &r.event_date,
            &r.script,
        ])?;
    }
    w.flush()?;
    let mut t = csv::Writer::from_path(out.join("truth.csv"))?;
    t.write_record(["record_id", "person_id", "script"])?;
    for (r, p) in g.records.iter().zip(&g.truth) {
        let arabic = (r.full_name.clone() + &r.first + &r.family)
            .chars()
            .any(|c| ('\u{0600}'..='\u{06FF}').contains(&c));
        t.write_record([
            r.record_id.as_str(),
            &p.to_string(),
            if arabic { "ar" } else { "latin" },
        ])?;
    }
    t.flush()?;
    eprintln!(
        "wrote {} records of {} people to {}",
        g.records.len(),
        g.truth.iter().max().map_or(0, |m| m + 1),
        out.display()
    );
    Ok(())
}
