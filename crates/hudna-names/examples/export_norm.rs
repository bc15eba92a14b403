//! Export Hudna's normalization as plain columns for peer tools (Splink):
//! `export_norm RECORDS.csv OUT.csv` writes record_id, first, father,
//! grandfather, family, mother (cross-script skeletons), birth_year, place,
//! sex, script, event_day (days since 1970-01-01). Empty cells are missing
//! values.

use std::error::Error;

use hudna_names::record::Normalized;
use hudna_names::{RawRecord, Script};

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (inp, outp) = (
        args.first().ok_or("usage: export_norm IN.csv OUT.csv")?,
        args.get(1).ok_or("missing OUT.csv")?,
    );
    let mut rd = csv::Reader::from_path(inp)?;
    let h: Vec<String> = rd.headers()?.iter().map(|s| s.to_string()).collect();
    let col = |n: &str| h.iter().position(|x| x == n);
    let cols = [
        "record_id",
        "full_name",
        "first",
        "father",
        "grandfather",
        "family",
        "mother",
        "sex",
        "birth_year",
        "place",
        "script",
        "event_date",
    ]
    .map(col);
    let mut w = csv::Writer::from_path(outp)?;
    w.write_record([
        "record_id",
        "first",
        "father",
        "grandfather",
        "family",
        "mother",
        "birth_year",
        "place",
        "sex",
        "script",
        "event_day",
    ])?;
    for row in rd.records() {
        let row = row?;
        let g = |k: usize| cols[k].and_then(|i| row.get(i)).unwrap_or("").to_string();
        let r = RawRecord {
            record_id: g(0),
            full_name: g(1),
            first: g(2),
            father: g(3),
            grandfather: g(4),
            family: g(5),
            mother: g(6),
            sex: g(7),
            birth_year: g(8),
            place: g(9),
            script: g(10),
            event_date: g(11),
            ..Default::default()
        };
        let n = Normalized::from_raw(&r);
        let c = n.skeleton_columns();
        let year = if n.year == 0 {
            String::new()
        } else {
            n.year.to_string()
        };
        let sex = match n.sex {
            1 => "m",
            2 => "f",
            _ => "",
        };
        let script = match n.script {
            Some(Script::Latin) => "latin",
            _ => "ar",
        };
        w.write_record([
            &r.record_id,
            &c[0],
            &c[1],
            &c[2],
            &c[3],
            &c[4],
            &year,
            &c[5],
            sex,
            script,
            &n.event.map(|e| e.0.to_string()).unwrap_or_default(),
        ])?;
    }
    w.flush()?;
    Ok(())
}
