//! Prints the extraction of one file: `cargo run --example extract_one -- FILE [YYYY-MM-DD]`.
fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("FILE");
    let published = args
        .next()
        .map(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").expect("date"));
    let text = std::fs::read_to_string(path).expect("read");
    let x = hudna_text::Extractor::builtin().extract(&text, published);
    println!("{}", serde_json::to_string_pretty(&x).unwrap());
}
