//! Normalization + tokenization throughput alone (development aid): `norm_bench CORPUS`.
use std::time::Instant;
fn main() {
    let path = std::env::args().nth(1).expect("CORPUS");
    let data = std::fs::read_to_string(path).expect("read");
    let docs: Vec<&str> = data.split("\n\u{1e}\n").collect();
    let mut n = hudna_text::Normalized::default();
    let mut toks = Vec::new();
    for _ in 0..2 {
        let t0 = Instant::now();
        let mut total = 0usize;
        for d in &docs {
            hudna_text::normalize::normalize_into(d, &mut n);
            total += n.as_str().len();
        }
        let t1 = Instant::now();
        for d in &docs {
            hudna_text::normalize::normalize_into(d, &mut n);
            hudna_text::tokenize::tokenize_into(n.as_str(), &mut toks);
            total += toks.len();
        }
        let t2 = Instant::now();
        println!(
            "normalize {:.1} MB/s, +tokenize {:.1} MB/s ({total})",
            data.len() as f64 / (t1 - t0).as_secs_f64() / 1e6,
            data.len() as f64 / (t2 - t1).as_secs_f64() / 1e6
        );
    }
}
