//! Benchmark driver for `bench/zones.sh` (not a test).
//!
//! usage: zones_bench CASEDIR
//!
//! Reads `zones.txt` and `points.bin` written by `bench/zones/gen.py`,
//! builds the index (timed on all cores and on one), answers the covering
//! question for every point on one thread and on all cores, then the full
//! query (covering + border km), writes `pairs_hudna.bin` (sorted
//! little-endian u64 `idx << 32 | key`) and prints one JSON line.

use std::io::Write;
use std::time::Instant;

use geo::{LineString, MultiPolygon, Polygon};
use hudna_geo::{AreaInput, AreaShape, BuildOptions, Status, Validity, Winding, ZoneIndex};
use rayon::prelude::*;

const OPEN: i32 = i32::MAX;

fn read_zones(path: &str) -> Vec<AreaInput> {
    let text = std::fs::read_to_string(path).expect("zones.txt");
    let mut areas: Vec<AreaInput> = Vec::new();
    let mut parts: Vec<Vec<Vec<(f64, f64)>>> = Vec::new();
    let flush = |areas: &mut Vec<AreaInput>, parts: &mut Vec<Vec<Vec<(f64, f64)>>>| {
        if let Some(a) = areas.last_mut() {
            let polys = parts
                .drain(..)
                .map(|rings| {
                    let mut it = rings.into_iter().map(LineString::from);
                    let ext = it.next().expect("exterior ring");
                    Polygon::new(ext, it.collect())
                })
                .collect();
            a.shape = AreaShape::Polygon(MultiPolygon(polys));
        }
    };
    for (no, line) in text.lines().enumerate() {
        let mut f = line.split_ascii_whitespace();
        match f.next() {
            Some("V") => {
                flush(&mut areas, &mut parts);
                let v: Vec<i64> = f.map(|s| s.parse().expect("number")).collect();
                areas.push(AreaInput {
                    key: v[0] as u32,
                    shape: AreaShape::Polygon(MultiPolygon(vec![])),
                    validity: Validity {
                        from: v[1] as i32,
                        to: (v[2] as i32 != OPEN).then_some(v[2] as i32),
                    },
                    status: Status::Active,
                    security: v[3] != 0,
                });
            }
            Some("P") => parts.push(Vec::new()),
            Some("R") => {
                let xs: Vec<f64> = f.map(|s| s.parse().expect("coordinate")).collect();
                let ring = xs.chunks(2).map(|c| (c[0], c[1])).collect();
                parts.last_mut().expect("P before R").push(ring);
            }
            _ => panic!("zones.txt line {}: unexpected {line:.40}", no + 1),
        }
    }
    flush(&mut areas, &mut parts);
    areas
}

fn read_points(path: &str) -> Vec<(f64, f64, i32)> {
    let raw = std::fs::read(path).expect("points.bin");
    let n = raw.len() / 20;
    let f = |o: usize| f64::from_le_bytes(raw[o..o + 8].try_into().unwrap());
    (0..n)
        .map(|i| {
            let d = 16 * n + 4 * i;
            (
                f(8 * i),
                f(8 * n + 8 * i),
                i32::from_le_bytes(raw[d..d + 4].try_into().unwrap()),
            )
        })
        .collect()
}

/// CPU time of this process (all threads), seconds, from /proc/self/stat
/// (user + system, clock ticks of 1/100 s). On a shared machine wall time
/// includes time spent waiting for a core; CPU time does not.
fn cpu_s() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // fields after the command name, which is in parentheses
    let rest = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn covering_pairs(ix: &ZoneIndex, pts: &[(f64, f64, i32)], base: usize) -> Vec<u64> {
    let mut out = Vec::new();
    let mut buf = Vec::new();
    for (i, &(lon, lat, day)) in pts.iter().enumerate() {
        buf.clear();
        ix.covering_into(lon, lat, day, &mut buf);
        out.extend(buf.iter().map(|&k| ((base + i) as u64) << 32 | k as u64));
    }
    out
}

fn main() {
    let dir = std::env::args().nth(1).expect("usage: zones_bench CASEDIR");
    let areas = read_zones(&format!("{dir}/zones.txt"));
    let pts = read_points(&format!("{dir}/points.bin"));
    let opts = BuildOptions {
        winding: Winding::Fix,
    };
    let n_versions = areas.len();

    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let areas1 = areas.clone();
    let (t, c) = (Instant::now(), cpu_s());
    let ix1 = one.install(|| ZoneIndex::build_with(areas1, opts).expect("valid zones"));
    let build_1t = t.elapsed().as_secs_f64();
    let build_1t_cpu = cpu_s() - c;
    drop(ix1);
    let t = Instant::now();
    let ix = ZoneIndex::build_with(areas, opts).expect("valid zones");
    let build_mt = t.elapsed().as_secs_f64();
    if std::env::var_os("ZONES_BENCH_BUILD_ONLY").is_some() {
        println!("build 1t {build_1t:.3}s, all cores {build_mt:.3}s");
        return;
    }

    // warm-up on a slice, then timed runs
    covering_pairs(&ix, &pts[..pts.len().min(10_000)], 0);
    let (t, c) = (Instant::now(), cpu_s());
    let single = covering_pairs(&ix, &pts, 0);
    let cov_1t = t.elapsed().as_secs_f64();
    let cov_1t_cpu = cpu_s() - c;
    let t = Instant::now();
    let multi: Vec<u64> = pts
        .par_chunks(8192)
        .enumerate()
        .flat_map_iter(|(c, ch)| covering_pairs(&ix, ch, c * 8192))
        .collect();
    let cov_mt = t.elapsed().as_secs_f64();
    assert_eq!(single, multi, "single- and multi-threaded answers differ");

    if std::env::var_os("ZONES_BENCH_COVERING_ONLY").is_some() {
        println!("covering 1t {cov_1t:.3}s");
        return;
    }
    let t = Instant::now();
    let hits1 = ix.query_batch_single(&pts);
    let q_1t = t.elapsed().as_secs_f64();
    if std::env::var_os("ZONES_BENCH_SINGLE_QUERY_ONLY").is_some() {
        println!("query 1t {q_1t:.3}s");
        return;
    }
    let t = Instant::now();
    let hits = ix.query_batch(&pts);
    let q_mt = t.elapsed().as_secs_f64();
    assert_eq!(hits1, hits, "query_batch differs from query_batch_single");
    let within2 = hits
        .iter()
        .filter(|h| h.border_km.is_some_and(|d| d <= 2.0))
        .count();

    let mut pairs = single;
    pairs.sort_unstable();
    let mut f = std::io::BufWriter::new(
        std::fs::File::create(format!("{dir}/pairs_hudna.bin")).expect("write pairs"),
    );
    for p in &pairs {
        f.write_all(&p.to_le_bytes()).unwrap();
    }
    f.flush().unwrap();
    let n = pts.len() as f64;
    println!(
        "{{\"tool\":\"hudna\",\"points\":{},\"versions\":{},\"threads\":{},\"build_1t_s\":{:.4},\"build_s\":{:.4},\"build_1t_cpu_s\":{:.3},\"covering_1t_cpu_s\":{:.3},\"index_bytes\":{},\"covering_1t_s\":{:.4},\"covering_mt_s\":{:.4},\"query_1t_s\":{:.4},\"query_mt_s\":{:.4},\"pairs\":{},\"within_2km\":{},\"pts_per_s\":{:.1},\"pts_per_s_mt\":{:.1},\"query_pts_per_s\":{:.1},\"query_pts_per_s_mt\":{:.1}}}",
        pts.len(),
        n_versions,
        rayon::current_num_threads(),
        build_1t,
        build_mt,
        build_1t_cpu,
        cov_1t_cpu,
        ix.heap_bytes(),
        cov_1t,
        cov_mt,
        q_1t,
        q_mt,
        pairs.len(),
        within2,
        n / cov_1t,
        n / cov_mt,
        n / q_1t,
        n / q_mt
    );
}
