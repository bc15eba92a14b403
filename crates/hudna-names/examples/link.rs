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
    let mut profile_edges = None;
    let mut i = 1;
    while i + 1 < args.len() {
        match args[i].as_str() {
            "--out" => out = args[i + 1].clone(),
            "--clusters" => clusters = Some(args[i + 1].clone()),
            "--threshold" => thr = Some(args[i + 1].parse::<f64>()?),
            "--truth" => truth = Some(args[i + 1].clone()),
            "--floor" => floor = Some(args[i + 1].parse::<f64>()?),
            "--mean" => mean = Some(args[i + 1].parse::<f64>()?),
            "--profile-edges" => profile_edges = Some(args[i + 1].parse::<f64>()?),
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
    if let Some(p) = profile_edges {
        cfg.cluster.profile_edges = p;
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
        let mut pid: HashMap<String, (u32, bool)> = HashMap::new();
        for row in csv::Reader::from_path(&t)?.records() {
            let row = row?;
            pid.insert(row[0].to_string(), (row[1].parse()?, &row[2] == "ar"));
        }
        let tr: Vec<u32> = (0..linker.len() as u32)
            .map(|i| pid[linker.record_id(i)].0)
            .collect();
        let ar: Vec<bool> = (0..linker.len() as u32)
            .map(|i| pid[linker.record_id(i)].1)
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
        // Arabic–Arabic pairs: true, missed as not candidates, missed with a
        // probability >= 0.5 (split by clustering), missed scoring below 0.5.
        let (mut ar_true, mut ar_nc, mut ar_hi, mut ar_lo) = (0u64, 0u64, 0u64, 0u64);
        let mut ar_nc_hi = 0u64;
        let mut nc_sigs: HashMap<(bool, String), u64> = HashMap::new();
        let mut split_sigs: HashMap<String, u64> = HashMap::new();
        let mut lo_sigs: HashMap<String, u64> = HashMap::new();
        for m in by.values() {
            for x in 0..m.len() {
                for y in x + 1..m.len() {
                    let both_ar = ar[m[x] as usize] && ar[m[y] as usize];
                    ar_true += u64::from(both_ar);
                    if both_ar && res.clusters[m[x] as usize] != res.clusters[m[y] as usize] {
                        if res
                            .candidates
                            .binary_search(&hudna_names::block::pack(m[x], m[y]))
                            .is_err()
                        {
                            ar_nc += 1;
                            let e = linker.explain(m[x], m[y])?;
                            let sig: Vec<String> = e
                                .fields
                                .iter()
                                .filter(|w| w.level != "null" && w.field.name() != "source")
                                .map(|w| format!("{}={}", w.field.name(), w.level))
                                .collect();
                            let hi = e.probability >= 0.5;
                            if hi && std::env::var_os("SHOW_AR").is_some() {
                                eprintln!("ARNC\n  {}\n  {}\n  {}", show(m[x]), show(m[y]), e);
                            }
                            ar_nc_hi += u64::from(hi);
                            *nc_sigs.entry((hi, sig.join(" "))).or_default() += 1;
                        } else {
                            let e = linker.explain(m[x], m[y])?;
                            let sig: Vec<String> = e
                                .fields
                                .iter()
                                .filter(|w| w.level != "null" && w.field.name() != "source")
                                .map(|w| format!("{}={}", w.field.name(), w.level))
                                .collect();
                            if std::env::var_os("SHOW_AR").is_some() {
                                eprintln!(
                                    "AR{}\n  {}\n  {}\n  {}",
                                    if e.probability >= 0.5 { "SPLIT" } else { "LOW" },
                                    show(m[x]),
                                    show(m[y]),
                                    e
                                );
                            }
                            if e.probability >= 0.5 {
                                ar_hi += 1;
                                *split_sigs.entry(sig.join(" ")).or_default() += 1;
                            } else {
                                ar_lo += 1;
                                *lo_sigs.entry(sig.join(" ")).or_default() += 1;
                            }
                        }
                    }
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
        eprintln!(
            "arabic: true_pairs={ar_true} missed_not_candidates={ar_nc} (of which p>=0.5: {ar_nc_hi}) missed_split={ar_hi} missed_low_score={ar_lo}"
        );
        let mut sigs: Vec<_> = nc_sigs.into_iter().collect();
        sigs.sort_by_key(|x| std::cmp::Reverse(x.1));
        for ((hi, sig), n) in sigs.iter().take(15) {
            eprintln!("  nc_sig hi={hi} n={n} {sig}");
        }
        for (name, m) in [("split_sig", split_sigs), ("low_sig", lo_sigs)] {
            let mut v: Vec<_> = m.into_iter().collect();
            v.sort_by_key(|x| std::cmp::Reverse(x.1));
            for (sig, n) in v.iter().take(25) {
                eprintln!("  {name} n={n} {sig}");
            }
        }
        // False merges among Arabic records: pairs in one predicted cluster
        // that are different people, by signature.
        let mut byc: HashMap<u32, Vec<u32>> = HashMap::new();
        for (i, &l) in res.clusters.iter().enumerate() {
            if ar[i] {
                byc.entry(l).or_default().push(i as u32);
            }
        }
        let mut fp_sigs: HashMap<String, u64> = HashMap::new();
        let mut fp_n = 0u64;
        let mut fp_hi = 0u64;
        for m in byc.values() {
            for x in 0..m.len() {
                for y in x + 1..m.len() {
                    if tr[m[x] as usize] != tr[m[y] as usize] {
                        fp_n += 1;
                        let e = linker.explain(m[x], m[y])?;
                        fp_hi += u64::from(e.probability >= 0.5);
                        let sig: Vec<String> = e
                            .fields
                            .iter()
                            .filter(|w| w.level != "null" && w.field.name() != "source")
                            .map(|w| format!("{}={}", w.field.name(), w.level))
                            .collect();
                        *fp_sigs.entry(sig.join(" ")).or_default() += 1;
                    }
                }
            }
        }
        eprintln!("arabic false pairs={fp_n} (p>=0.5: {fp_hi})");
        // SWEEP="floor,mean;..." re-clusters the same edges with other
        // settings and prints the Arabic and Arabic–Latin figures.
        if let Ok(sw) = std::env::var("SWEEP") {
            let edges: Vec<(u32, u32, f64)> = res
                .pairs
                .iter()
                .map(|p| (p.a, p.b, p.probability))
                .collect();
            for spec in sw.split(';') {
                let v: Vec<f64> = spec.split(',').map(|x| x.parse().unwrap_or(0.0)).collect();
                let mut cc = linker.config.cluster;
                cc.floor = v[0];
                cc.mean = v[1];
                let l = hudna_names::cluster::cluster(linker.len(), &edges, None, &cc, |a, b| {
                    linker.probability(a, b)
                });
                let a = hudna_names::eval::pairwise(&l, &tr, |i| ar[i]);
                let x = hudna_names::eval::pairwise_cross(&l, &tr, &ar);
                eprintln!(
                    "sweep {spec}: arabic p={:.4} r={:.4} f1={:.4} ar_latin p={:.4} r={:.4}",
                    a.precision, a.recall, a.f1, x.precision, x.recall
                );
            }
        }
        // Why split true pairs (p >= 0.5) were not merged: min and mean of
        // the cross pairs between their final clusters.
        let mut full: HashMap<u32, Vec<u32>> = HashMap::new();
        for (i, &l) in res.clusters.iter().enumerate() {
            full.entry(l).or_default().push(i as u32);
        }
        let (mut by_floor, mut by_mean, mut by_other) = (0u64, 0u64, 0u64);
        let mut floor_sigs: HashMap<(bool, String), u64> = HashMap::new();
        let mut sizes: HashMap<(usize, usize), u64> = HashMap::new();
        for m in by.values() {
            for x in 0..m.len() {
                for y in x + 1..m.len() {
                    let (a, b) = (m[x], m[y]);
                    if !(ar[a as usize] && ar[b as usize]) {
                        continue;
                    }
                    let (ca, cb) = (res.clusters[a as usize], res.clusters[b as usize]);
                    if ca == cb || linker.probability(a, b) < 0.5 {
                        continue;
                    }
                    let (ma, mb) = (&full[&ca], &full[&cb]);
                    let mut mn = 1.0f64;
                    let mut sum = 0.0;
                    let mut arg = (a, b);
                    for &u in ma {
                        for &v in mb {
                            let p = linker.probability(u, v);
                            if p < mn {
                                mn = p;
                                arg = (u, v);
                            }
                            sum += p;
                        }
                    }
                    let mean = sum / (ma.len() * mb.len()) as f64;
                    if mn < 0.01 {
                        by_floor += 1;
                        let e = linker.explain(arg.0, arg.1)?;
                        let same = tr[arg.0 as usize] == tr[arg.1 as usize];
                        let sig: Vec<String> = e
                            .fields
                            .iter()
                            .filter(|w| w.level != "null" && w.field.name() != "source")
                            .map(|w| format!("{}={}", w.field.name(), w.level))
                            .collect();
                        *floor_sigs.entry((same, sig.join(" "))).or_default() += 1;
                    } else if mean < 0.4 {
                        by_mean += 1;
                    } else {
                        by_other += 1;
                    }
                    *sizes.entry((ma.len().min(6), mb.len().min(6))).or_default() += 1;
                }
            }
        }
        eprintln!("split reasons: floor={by_floor} mean={by_mean} other={by_other}");
        let mut v: Vec<_> = floor_sigs.into_iter().collect();
        v.sort_by_key(|x| std::cmp::Reverse(x.1));
        for ((same, sig), n) in v.iter().take(25) {
            eprintln!("  floor_sig same_person={same} n={n} {sig}");
        }
        let mut v: Vec<_> = sizes.into_iter().collect();
        v.sort_by_key(|x| std::cmp::Reverse(x.1));
        eprintln!("split cluster sizes: {:?}", &v[..v.len().min(12)]);
        // Calibration on a sample of Arabic candidate pairs.
        let mut cal = [(0u64, 0u64, 0.0f64); 10];
        for &c in res.candidates.iter().step_by(7) {
            let (a, b) = hudna_names::block::unpack(c);
            if !(ar[a as usize] && ar[b as usize]) {
                continue;
            }
            let p = linker.probability(a, b);
            let k = ((p * 10.0) as usize).min(9);
            cal[k].0 += 1;
            cal[k].1 += u64::from(tr[a as usize] == tr[b as usize]);
            cal[k].2 += p;
        }
        for (k, (n, t, s)) in cal.iter().enumerate() {
            eprintln!(
                "calibration p in [{:.1},{:.1}): n={n} mean_p={:.3} true={:.3}",
                k as f64 / 10.0,
                (k + 1) as f64 / 10.0,
                s / (*n).max(1) as f64,
                *t as f64 / (*n).max(1) as f64
            );
        }
        let mut v: Vec<_> = fp_sigs.into_iter().collect();
        v.sort_by_key(|x| std::cmp::Reverse(x.1));
        for (sig, n) in v.iter().take(25) {
            eprintln!("  fp_sig n={n} {sig}");
        }
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
