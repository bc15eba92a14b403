//! Prints a one-line summary per `YYYY-MM-DD|text` line of a file (development aid).
fn main() {
    let path = std::env::args().nth(1).expect("FILE");
    let x = hudna_text::Extractor::builtin();
    for line in std::fs::read_to_string(path).expect("read").lines() {
        let Some((d, text)) = line.split_once('|') else {
            continue;
        };
        let text = text.replace("\\n", "\n");
        let e = x.extract(&text, chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        println!(
            "{:?} {:?}: {}",
            e.kind,
            e.language,
            text.chars().take(60).collect::<String>()
        );
        for ev in &e.events {
            println!(
                "   {} {:?} {:?} id={:?} {:?} perp={:?} tgt={:?} k={:?} i={:?}",
                ev.kind.as_str(),
                ev.date,
                ev.location.name,
                ev.location.geonameid,
                ev.location.admin1,
                ev.perpetrator.map(|a| a.as_str()),
                ev.target.map(|a| a.as_str()),
                ev.killed,
                ev.injured
            );
        }
    }
}
