//! Quality measures against a known truth (person id per record).

use std::collections::HashMap;

/// Precision, recall and F1.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Prf {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Prf {
    pub fn new(tp: f64, predicted: f64, actual: f64) -> Prf {
        let precision = if predicted > 0.0 { tp / predicted } else { 1.0 };
        let recall = if actual > 0.0 { tp / actual } else { 1.0 };
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        Prf {
            precision,
            recall,
            f1,
        }
    }
}

fn c2(n: u64) -> f64 {
    (n * n.saturating_sub(1) / 2) as f64
}

/// Pairwise precision/recall of a clustering, restricted to records where
/// `keep` is true.
pub fn pairwise(pred: &[u32], truth: &[u32], keep: impl Fn(usize) -> bool) -> Prf {
    let mut cells: HashMap<(u32, u32), u64> = HashMap::new();
    let mut pc: HashMap<u32, u64> = HashMap::new();
    let mut tc: HashMap<u32, u64> = HashMap::new();
    for i in (0..pred.len()).filter(|&i| keep(i)) {
        *cells.entry((pred[i], truth[i])).or_default() += 1;
        *pc.entry(pred[i]).or_default() += 1;
        *tc.entry(truth[i]).or_default() += 1;
    }
    let tp: f64 = cells.values().map(|&n| c2(n)).sum();
    let p: f64 = pc.values().map(|&n| c2(n)).sum();
    let t: f64 = tc.values().map(|&n| c2(n)).sum();
    Prf::new(tp, p, t)
}

/// Pairwise precision/recall over pairs whose two records fall in groups
/// `x` and `y` of `side` (e.g. Arabic × Latin).
pub fn pairwise_cross(pred: &[u32], truth: &[u32], side: &[bool]) -> Prf {
    let mut cells: HashMap<(u32, u32), (u64, u64)> = HashMap::new();
    let mut pc: HashMap<u32, (u64, u64)> = HashMap::new();
    let mut tc: HashMap<u32, (u64, u64)> = HashMap::new();
    for i in 0..pred.len() {
        for e in [
            cells.entry((pred[i], truth[i])).or_default(),
            pc.entry(pred[i]).or_default(),
            tc.entry(truth[i]).or_default(),
        ] {
            if side[i] {
                e.0 += 1
            } else {
                e.1 += 1
            }
        }
    }
    fn f<K>(m: &HashMap<K, (u64, u64)>) -> f64 {
        m.values().map(|&(a, b)| (a * b) as f64).sum()
    }
    Prf::new(f(&cells), f(&pc), f(&tc))
}

/// B-cubed precision/recall/F1 of a clustering.
pub fn bcubed(pred: &[u32], truth: &[u32]) -> Prf {
    let mut cells: HashMap<(u32, u32), u64> = HashMap::new();
    let mut pc: HashMap<u32, u64> = HashMap::new();
    let mut tc: HashMap<u32, u64> = HashMap::new();
    for i in 0..pred.len() {
        *cells.entry((pred[i], truth[i])).or_default() += 1;
        *pc.entry(pred[i]).or_default() += 1;
        *tc.entry(truth[i]).or_default() += 1;
    }
    let n = pred.len().max(1) as f64;
    let (mut p, mut r) = (0.0, 0.0);
    for (&(c, t), &k) in &cells {
        let k = k as f64;
        p += k * k / pc[&c] as f64;
        r += k * k / tc[&t] as f64;
    }
    let (p, r) = (p / n, r / n);
    Prf {
        precision: p,
        recall: r,
        f1: if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        },
    }
}

/// Share of true matching pairs present among candidate pairs (sorted,
/// packed as by [`crate::block::pack`]).
pub fn pair_completeness(candidates: &[u64], truth: &[u32]) -> f64 {
    let mut by: HashMap<u32, Vec<u32>> = HashMap::new();
    for (i, &t) in truth.iter().enumerate() {
        by.entry(t).or_default().push(i as u32);
    }
    let (mut found, mut total) = (0u64, 0u64);
    for m in by.values() {
        for x in 0..m.len() {
            for y in x + 1..m.len() {
                total += 1;
                if candidates
                    .binary_search(&crate::block::pack(m[x], m[y]))
                    .is_ok()
                {
                    found += 1;
                }
            }
        }
    }
    if total == 0 {
        1.0
    } else {
        found as f64 / total as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_on_a_small_case() {
        let truth = [0, 0, 0, 1, 1];
        let pred = [0, 0, 2, 3, 3];
        let p = pairwise(&pred, &truth, |_| true);
        assert!((p.precision - 1.0).abs() < 1e-9);
        assert!((p.recall - 0.5).abs() < 1e-9);
        let b = bcubed(&pred, &truth);
        assert!((b.precision - 1.0).abs() < 1e-9);
        assert!(b.recall < 1.0 && b.recall > 0.6);
        let side = [true, false, true, true, false];
        let c = pairwise_cross(&pred, &truth, &side);
        // true cross pairs: (0,1),(1,2),(3,4) = 3; predicted (0,1),(3,4).
        assert!((c.recall - 2.0 / 3.0).abs() < 1e-9);
    }
}
