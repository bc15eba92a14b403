//! Link a CSV list (the CLI's columns) with the library, for benchmarks:
//! `link RECORDS.csv --out PAIRS.csv [--clusters CLUSTERS.csv] [--threshold P]`.
//! Prints blocking statistics and phase timings as JSON on stdout.

use std::collections::HashMap;
use std::error::Error;
use std::time::Instant;

use hudna_names::{LinkConfig, Linker, RawRecord};

fn read(path: &str) -> Result<Vec<RawRecord>, Box<dyn Error>> {
    let mut rd = csv::Reader::from_path(path)?;
    let h: HashMap<String, usize> = rd
        .headers()?
        .iter()
        .enumerate()
        .map(|(i, s)| (s.trim().to_string(), i))
        .collect();
    let col = |name: &str| h.get(name).copied();
    let cols = [
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
    ]
    .map(col);
    let mut out = Vec::new();
    for row in rd.records() {
        let row = row?;
        let g = |k: usize| cols[k].and_then(|i| row.get(i)).unwrap_or("").to_string();
        out.push(RawRecord {
            record_id: g(0),
            source: g(1),
            full_name: g(2),
            first: g(3),
            father: g(4),
            grandfather: g(5),
            family: g(6),
            mother: g(7),
            sex: g(8),
            birth_year: g(9),
            place: g(10),
            event_date: g(11),
            script: g(12),
        });
    }
    Ok(out)
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let input = args
        .first()
        .ok_or("usage: link RECORDS.csv --out PAIRS.csv [--clusters C.csv] [--threshold P]")?
        .clone();
    let (mut out, mut clusters, mut thr, mut truth) =
        (String::from("pairs.csv"), None, None, None::<String>);
    let (mut floor, mut mean, mut cap, mut window, mut sub_cap) = (None, None, None, None, None);
    let mut i = 1;
    while i + 1 < args.len() {
        match args[i].as_str() {
            "--out" => out = args[i + 1].clone(),
            "--clusters" => clusters = Some(args[i + 1].clone()),
            "--threshold" => thr = Some(args[i + 1].parse::<f64>()?),
            "--truth" => truth = Some(args[i + 1].clone()),
            "--floor" => floor = Some(args[i + 1].parse::<f64>()?),
            "--mean" => mean = Some(args[i + 1].parse::<f64>()?),
            "--cap" => cap = Some(args[i + 1].parse::<usize>()?),
            "--window" => window = Some(args[i + 1].parse::<usize>()?),
            "--sub-cap" => sub_cap = Some(args[i + 1].parse::<usize>()?),
            o => return Err(format!("unknown option {o}").into()),
        }
        i += 2;
    }
    let t0 = Instant::now();
    let recs = read(&input)?;
    let t_read = t0.elapsed().as_secs_f64();
    let mut cfg = LinkConfig {
        keep_candidates: truth.is_some(),
        ..Default::default()
    };
    if let Some(t) = thr {
        cfg.cluster.threshold = t;
    }
    if let Some(f) = floor {
        cfg.cluster.floor = f;
    }
    if let Some(m) = mean {
        cfg.cluster.mean = m;
    }
    if let Some(c) = cap {
        cfg.block.cap = c;
    }
    if let Some(w) = window {
        cfg.block.window = w;
    }
    if let Some(c) = sub_cap {
        cfg.block.sub_cap = c;
    }
    let mut linker = Linker::new(cfg);
    let res = linker.fit(&recs);
    let t_link = t0.elapsed().as_secs_f64() - t_read;
    let mut w = csv::Writer::from_path(&out)?;
    w.write_record(["record_id_a", "record_id_b", "probability"])?;
    for p in &res.pairs {
        w.write_record([
            linker.record_id(p.a),
            linker.record_id(p.b),
            &format!("{:.4}", p.probability),
        ])?;
    }
    w.flush()?;
    if let Some(c) = clusters {
        let mut w = csv::Writer::from_path(c)?;
        w.write_record(["record_id", "cluster_id"])?;
        for (i, &l) in res.clusters.iter().enumerate() {
            w.write_record([linker.record_id(i as u32), linker.record_id(l)])?;
        }
        w.flush()?;
    }
    let s = &res.blocking;
    println!(
        "{{\"records\":{},\"rejected\":{},\"candidates\":{},\"reduction_ratio\":{:.6},\"per_key\":{:?},\"windowed_blocks\":{},\"pairs\":{},\"read_s\":{:.2},\"link_s\":{:.2},\"total_s\":{:.2}}}",
        s.records,
        res.rejected.len(),
        s.candidates,
        s.reduction_ratio(),
        s.per_key,
        s.windowed_blocks,
        res.pairs.len(),
        t_read,
        t_link,
        t0.elapsed().as_secs_f64()
    );
    if let Some(t) = truth {
        // Diagnostics: pair completeness and a sample of missed matches.
        let mut pid: HashMap<String, u32> = HashMap::new();
        for row in csv::Reader::from_path(&t)?.records() {
            let row = row?;
            pid.insert(row[0].to_string(), row[1].parse()?);
        }
        let tr: Vec<u32> = (0..linker.len() as u32)
            .map(|i| pid[linker.record_id(i)])
            .collect();
        eprintln!(
            "pair_completeness={:.4}",
            hudna_names::eval::pair_completeness(&res.candidates, &tr)
        );
        let mut by: HashMap<u32, Vec<u32>> = HashMap::new();
        for (i, &p) in tr.iter().enumerate() {
            by.entry(p).or_default().push(i as u32);
        }
        let idx: HashMap<&str, usize> = recs
            .iter()
            .enumerate()
            .map(|(i, r)| (r.record_id.as_str(), i))
            .collect();
        let show = |i: u32| {
            let r = &recs[idx[linker.record_id(i)]];
            format!(
                "{}|{} {} {} {}|m={}|{}|{}|{}",
                r.full_name,
                r.first,
                r.father,
                r.grandfather,
                r.family,
                r.mother,
                r.birth_year,
                r.place,
                r.sex
            )
        };
        let (mut missed, mut missed_nc, mut missed_hi) = (0u64, 0u64, 0u64);
        for m in by.values() {
            for x in 0..m.len() {
                for y in x + 1..m.len() {
                    if res.clusters[m[x] as usize] != res.clusters[m[y] as usize] {
                        missed += 1;
                        if res
                            .candidates
                            .binary_search(&hudna_names::block::pack(m[x], m[y]))
                            .is_err()
                        {
                            missed_nc += 1;
                        }
                        if linker.probability(m[x], m[y]) >= 0.5 {
                            missed_hi += 1;
                        }
                    }
                }
            }
        }
        eprintln!(
            "missed_pairs={missed} not_candidates={missed_nc} scored_above_threshold={missed_hi}"
        );
        // Why true pairs are not candidates: per key, a part is missing on
        // one side, the keys differ, or they agree (the block was windowed).
        let nk = hudna_names::block::NKEYS;
        let (mut missing, mut differ, mut same) = (vec![0u64; nk], vec![0u64; nk], vec![0u64; nk]);
        let mut block_sizes: HashMap<u64, u32> = HashMap::new();
        for i in 0..linker.len() as u32 {
            for k in linker.blocking_keys(i) {
                *block_sizes.entry(k).or_default() += 1;
            }
        }
        let mut windowed_sizes: Vec<u32> = Vec::new();
        for m in by.values() {
            for x in 0..m.len() {
                for y in x + 1..m.len() {
                    if res
                        .candidates
                        .binary_search(&hudna_names::block::pack(m[x], m[y]))
                        .is_ok()
                    {
                        continue;
                    }
                    let (a, b) = (linker.blocking_keys(m[x]), linker.blocking_keys(m[y]));
                    for k in 0..nk {
                        if a[k] == 0 || b[k] == 0 {
                            missing[k] += 1;
                        } else if a[k] != b[k] {
                            differ[k] += 1;
                        } else {
                            same[k] += 1;
                            windowed_sizes.push(block_sizes[&a[k]]);
                        }
                    }
                }
            }
        }
        windowed_sizes.sort_unstable();
        let q = |f: f64| {
            windowed_sizes
                .get((f * windowed_sizes.len() as f64) as usize)
                .copied()
                .unwrap_or(0)
        };
        eprintln!(
            "not_candidates per key: missing={missing:?} differ={differ:?} windowed={same:?} windowed block size p10/p50/p90={}/{}/{}",
            q(0.1),
            q(0.5),
            q(0.9)
        );
        let mut shown = 0;
        'o: for m in by.values() {
            for x in 0..m.len() {
                for y in x + 1..m.len() {
                    if res.clusters[m[x] as usize] != res.clusters[m[y] as usize] {
                        let cand = res
                            .candidates
                            .binary_search(&hudna_names::block::pack(m[x], m[y]))
                            .is_ok();
                        eprintln!(
                            "MISS cand={cand}\n  {}\n  {}\n  {}",
                            show(m[x]),
                            show(m[y]),
                            linker.explain(m[x], m[y])?
                        );
                        shown += 1;
                        if shown >= 25 {
                            break 'o;
                        }
                    }
                }
            }
        }
        let mut fp = 0;
        for (i, &l) in res.clusters.iter().enumerate() {
            if l as usize != i && tr[i] != tr[l as usize] && fp < 10 {
                fp += 1;
                eprintln!(
                    "FALSE\n  {}\n  {}\n  {}",
                    show(i as u32),
                    show(l),
                    linker.explain(i as u32, l)?
                );
            }
        }
    }
    if let Some(m) = linker.model() {
        eprintln!("lambda={:?}", m.lambda);
        for c in 0..3 {
            for f in 0..hudna_names::model::NF {
                let k = hudna_names::model::FIELDS[f].levels().len();
                eprintln!(
                    "class{c} {:12} m={:?} u={:?}",
                    hudna_names::model::FIELDS[f].name(),
                    m.m[c][f][1..k]
                        .iter()
                        .map(|x| (x * 1000.0).round() / 1000.0)
                        .collect::<Vec<_>>(),
                    m.u[c][f][1..k]
                        .iter()
                        .map(|x| (x * 1000.0).round() / 1000.0)
                        .collect::<Vec<_>>()
                );
            }
        }
    }
    Ok(())
}
