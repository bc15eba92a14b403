//! Score a clustering against the generator's truth:
//! `eval TRUTH.csv CLUSTERS.csv [CANDIDATES-free]` prints one JSON object with
//! pairwise P/R/F1 (all, Arabic-only, Arabic↔Latin) and B-cubed.
//! CLUSTERS.csv: record_id, cluster_id (any tool). Records missing from it
//! count as singletons.

use std::collections::HashMap;
use std::error::Error;

use hudna_names::eval::{bcubed, pairwise, pairwise_cross, Prf};

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (truth_p, clus_p) = (
        args.first().ok_or("usage: eval TRUTH.csv CLUSTERS.csv")?,
        args.get(1).ok_or("missing CLUSTERS.csv")?,
    );
    let mut ids: HashMap<String, usize> = HashMap::new();
    let (mut truth, mut arabic) = (Vec::new(), Vec::new());
    for row in csv::Reader::from_path(truth_p)?.records() {
        let row = row?;
        ids.insert(row[0].to_string(), truth.len());
        truth.push(row[1].parse::<u32>()?);
        arabic.push(&row[2] == "ar");
    }
    let n = truth.len();
    let mut pred: Vec<u32> = (0..n as u32).map(|i| i + n as u32).collect();
    let mut labels: HashMap<String, u32> = HashMap::new();
    for row in csv::Reader::from_path(clus_p)?.records() {
        let row = row?;
        let Some(&i) = ids.get(&row[0]) else { continue };
        let k = labels.len() as u32;
        pred[i] = *labels.entry(row[1].to_string()).or_insert(k);
    }
    let all = pairwise(&pred, &truth, |_| true);
    let ar = pairwise(&pred, &truth, |i| arabic[i]);
    let x = pairwise_cross(&pred, &truth, &arabic);
    let b = bcubed(&pred, &truth);
    let j = |p: Prf| {
        format!(
            "{{\"p\":{:.4},\"r\":{:.4},\"f1\":{:.4}}}",
            p.precision, p.recall, p.f1
        )
    };
    println!(
        "{{\"pairwise\":{},\"arabic\":{},\"ar_latin\":{},\"bcubed\":{}}}",
        j(all),
        j(ar),
        j(x),
        j(b)
    );
    Ok(())
}
