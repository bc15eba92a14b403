//! Throughput of full extraction on one core: `extract_bench CORPUS [YYYY-MM-DD]`.
//! The corpus holds documents separated by a line with only U+001E.
//! Prints one JSON line: bytes, wall and CPU seconds, MB/s per core (by CPU
//! time of this thread, best of three passes, so a busy shared machine
//! skews it less), events.
use std::time::Instant;

/// CPU time of the calling thread in seconds (Linux schedstat, ns resolution).
fn thread_cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .expect("usage: extract_bench CORPUS [YYYY-MM-DD]");
    let published = args
        .next()
        .and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
        .or(chrono::NaiveDate::from_ymd_opt(2019, 7, 16));
    let data = std::fs::read_to_string(&path).expect("read corpus");
    let docs: Vec<&str> = data
        .split("\n\u{1e}\n")
        .filter(|d| !d.trim().is_empty())
        .collect();
    let bytes: usize = docs.iter().map(|d| d.len()).sum();
    let x = hudna_text::Extractor::builtin();
    for d in docs.iter().take(200) {
        std::hint::black_box(x.extract(d, published));
    }
    // Best of three passes: the machine is shared, the best pass is the one
    // least disturbed by other work.
    let mut best: Option<(f64, f64)> = None;
    let mut events = 0usize;
    for _ in 0..3 {
        let t0 = Instant::now();
        let c0 = thread_cpu_seconds();
        events = 0;
        for d in &docs {
            events += std::hint::black_box(x.extract(d, published)).events.len();
        }
        let wall = t0.elapsed().as_secs_f64();
        let cpu = match (c0, thread_cpu_seconds()) {
            (Some(a), Some(b)) if b > a => b - a,
            _ => wall,
        };
        if best.is_none_or(|(c, _)| cpu < c) {
            best = Some((cpu, wall));
        }
    }
    let (cpu, wall) = best.unwrap_or((1.0, 1.0));
    println!(
        "{{\"bytes\":{bytes},\"wall_seconds\":{wall:.3},\"cpu_seconds\":{cpu:.3},\"mb_per_s\":{:.3},\"events\":{events}}}",
        bytes as f64 / cpu / 1e6
    );
}
