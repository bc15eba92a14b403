//! The linkage pipeline and the incremental registry.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::block::{candidate_pairs, keys, unpack, BlockConfig, BlockIndex, BlockStats, NKEYS};
use crate::cluster::{cluster, ClusterConfig};
use crate::model::{
    compare, pack_gamma, pair_class, probability, u_from_samples, unpack_gamma, Explanation, Field,
    Gamma, Model, Session, TermFreq, NCLASS, NF,
};

/// Blocking keys used as EM training sessions, with the fields they fix or
/// strongly correlate with (sex follows the first name; families cluster in
/// places), which are left out of that session's EM.
const TRAINING_KEYS: &[(usize, &[Field])] = &[
    (0, &[Field::First, Field::Family, Field::Sex, Field::Place]),
    (3, &[Field::First, Field::Father, Field::Sex]),
    (2, &[Field::Family, Field::Mother, Field::Place]),
];
use crate::record::{FnvBuild, Interner, Normalized, Prepared, RawRecord};
use crate::rng::Rng;
use crate::NameError;

/// All tunables of a linkage run.
#[derive(Clone, Debug)]
pub struct LinkConfig {
    pub block: BlockConfig,
    pub cluster: ClusterConfig,
    /// EM iterations on the comparison-vector histogram.
    pub em_iterations: usize,
    /// Random pairs per class used to estimate u.
    pub u_samples: usize,
    pub seed: u64,
    /// Return the candidate pairs in [`LinkOutput::candidates`] (for
    /// diagnostics such as pair completeness; costs 8 bytes a pair).
    pub keep_candidates: bool,
}

impl Default for LinkConfig {
    fn default() -> Self {
        LinkConfig {
            block: BlockConfig::default(),
            cluster: ClusterConfig::default(),
            em_iterations: 40,
            u_samples: 200_000,
            seed: 42,
            keep_candidates: false,
        }
    }
}

/// A scored pair of record indices.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScoredPair {
    pub a: u32,
    pub b: u32,
    pub probability: f64,
}

/// Result of a linkage run.
#[derive(Clone, Debug, Default)]
pub struct LinkOutput {
    /// Pairs at or above the threshold (indices into the linker's records).
    pub pairs: Vec<ScoredPair>,
    /// Cluster label per record of the linker (smallest member index).
    pub clusters: Vec<u32>,
    pub blocking: BlockStats,
    /// Records skipped, with the reason.
    pub rejected: Vec<NameError>,
    /// Candidate pairs (packed), kept for diagnostics such as pair completeness.
    pub candidates: Vec<u64>,
}

/// A registry of prepared records with a trained model.
#[derive(Clone, Debug, Default)]
pub struct Linker {
    pub config: LinkConfig,
    interner: Interner,
    ids: Vec<String>,
    recs: Vec<Prepared>,
    tf: TermFreq,
    model: Option<Model>,
    clusters: Vec<u32>,
    index: Option<BlockIndex>,
}

impl Linker {
    pub fn new(config: LinkConfig) -> Linker {
        Linker {
            config,
            ..Default::default()
        }
    }

    pub fn len(&self) -> usize {
        self.recs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.recs.is_empty()
    }

    pub fn record_id(&self, i: u32) -> &str {
        &self.ids[i as usize]
    }

    pub fn model(&self) -> Option<&Model> {
        self.model.as_ref()
    }

    /// Normalize and intern records; returns the index of the first added
    /// record and the rejected ones.
    fn add(&mut self, raw: &[RawRecord]) -> (usize, Vec<NameError>) {
        let start = self.recs.len();
        let mut rejected = Vec::new();
        // Normalize in parallel by chunks (normalized strings are bulky),
        // intern sequentially.
        for (c, chunk) in raw.chunks(1 << 15).enumerate() {
            let norm: Vec<Normalized> = chunk.par_iter().map(Normalized::from_raw).collect();
            for (k, (r, n)) in chunk.iter().zip(&norm).enumerate() {
                let i = (c << 15) + k;
                if r.record_id.trim().is_empty() {
                    rejected.push(NameError::MissingId { index: i });
                    continue;
                }
                if !n.has_name() {
                    rejected.push(NameError::MissingName {
                        index: i,
                        record_id: r.record_id.clone(),
                    });
                    continue;
                }
                let p = Prepared::intern(n, &mut self.interner);
                self.tf.add(&p);
                if let Some(ix) = self.index.as_mut() {
                    ix.insert(self.recs.len() as u32, &p);
                }
                self.recs.push(p);
                self.ids.push(r.record_id.clone());
                self.clusters.push(self.clusters.len() as u32);
            }
        }
        self.tf.finish();
        (start, rejected)
    }

    fn random_u(&self) -> [[[f64; crate::model::MAXL]; crate::model::NF]; crate::model::NCLASS] {
        let mut rng = Rng::new(self.config.seed);
        let ar: Vec<u32> = (0..self.recs.len() as u32)
            .filter(|&i| self.recs[i as usize].script == crate::Script::Arabic)
            .collect();
        let la: Vec<u32> = (0..self.recs.len() as u32)
            .filter(|&i| self.recs[i as usize].script == crate::Script::Latin)
            .collect();
        let mut samples = Vec::with_capacity(self.config.u_samples * 3);
        for (x, y) in [(&ar, &ar), (&ar, &la), (&la, &la)] {
            if x.is_empty() || y.is_empty() || x.len() + y.len() < 3 {
                continue;
            }
            // Never draw more samples than there are distinct pairs.
            let distinct = (x.len() * y.len()) / if std::ptr::eq(x, y) { 2 } else { 1 };
            for _ in 0..self.config.u_samples.min(distinct) {
                let i = x[rng.below(x.len())];
                let j = y[rng.below(y.len())];
                if i == j {
                    continue;
                }
                let (a, b) = (&self.recs[i as usize], &self.recs[j as usize]);
                samples.push((pair_class(a, b), compare(&self.interner, a, b)));
            }
        }
        u_from_samples(&samples)
    }

    /// Prior per class by fixed point: λ = expected matches among candidates
    /// / all pairs of the class (pairs outside blocks count as non-matches).
    fn estimate_lambda(&self, gammas: &[u32], bfs: &[f32]) -> [f64; NCLASS] {
        let n_ar = self
            .recs
            .iter()
            .filter(|r| r.script == crate::Script::Arabic)
            .count() as f64;
        let n_la = self.recs.len() as f64 - n_ar;
        let totals = [
            n_ar * (n_ar - 1.0) / 2.0,
            n_ar * n_la,
            n_la * (n_la - 1.0) / 2.0,
        ];
        let mut bins: [HashMap<i32, f64>; NCLASS] = Default::default();
        for (g, bf) in gammas.iter().zip(bfs) {
            let c = unpack_gamma(*g).0;
            *bins[c].entry((bf * 20.0).round() as i32).or_default() += 1.0;
        }
        let mut lambda = [1e-4f64; NCLASS];
        for c in 0..NCLASS {
            if totals[c] < 1.0 || bins[c].is_empty() {
                continue;
            }
            for _ in 0..50 {
                let prior = (lambda[c] / (1.0 - lambda[c])).log2();
                let exp: f64 = bins[c]
                    .iter()
                    .map(|(&b, &n)| n * probability(prior + b as f64 / 20.0))
                    .sum();
                lambda[c] = (exp / totals[c]).clamp(1e-12, 0.5);
            }
        }
        lambda
    }

    /// Probability that records `a` and `b` are the same person.
    pub fn probability(&self, a: u32, b: u32) -> f64 {
        match &self.model {
            Some(m) => probability(m.log2_odds(
                &self.interner,
                &self.tf,
                &self.recs[a as usize],
                &self.recs[b as usize],
            )),
            None => 0.0,
        }
    }

    /// Per-field explanation of a pair.
    pub fn explain(&self, a: u32, b: u32) -> Result<Explanation, NameError> {
        let m = self.model.as_ref().ok_or(NameError::NotTrained)?;
        Ok(m.explain(
            &self.interner,
            &self.tf,
            &self.recs[a as usize],
            &self.recs[b as usize],
        ))
    }

    /// Link a whole set of records from scratch: block, train by EM, score,
    /// cluster. The records become the registry for later incremental calls.
    pub fn fit(&mut self, raw: &[RawRecord]) -> LinkOutput {
        let (_, rejected) = self.add(raw);
        let (cands, stats) = candidate_pairs(&self.recs, &self.config.block);
        let (it, recs) = (&self.interner, &self.recs);
        let gammas: Vec<u32> = cands
            .par_iter()
            .map(|&p| {
                let (i, j) = unpack(p);
                let (a, b) = (&recs[i as usize], &recs[j as usize]);
                pack_gamma(pair_class(a, b), &compare(it, a, b))
            })
            .collect();
        let sessions = self.sessions(&cands, &gammas);
        let u = self.random_u();
        let mut model = Model::train(&sessions, &u, self.config.em_iterations);
        let (tf, recs) = (&self.tf, &self.recs);
        let bfs: Vec<f32> = cands
            .par_iter()
            .zip(gammas.par_iter())
            .map(|(&p, &g)| {
                let (i, j) = unpack(p);
                model.log2_bf_gamma(tf, &recs[i as usize], &recs[j as usize], &unpack_gamma(g).1)
                    as f32
            })
            .collect();
        model.set_lambda(self.estimate_lambda(&gammas, &bfs));
        let thr = self.config.cluster.threshold;
        let edges: Vec<(u32, u32, f64)> = cands
            .par_iter()
            .zip(gammas.par_iter().zip(bfs.par_iter()))
            .filter_map(|(&p, (&g, &bf))| {
                let (i, j) = unpack(p);
                let pr = probability(model.prior(unpack_gamma(g).0) + bf as f64);
                (pr >= thr).then_some((i, j, pr))
            })
            .collect();
        drop(gammas);
        drop(bfs);
        let cands = if self.config.keep_candidates {
            cands
        } else {
            Vec::new()
        };
        self.model = Some(model);
        let clusters = cluster(
            self.recs.len(),
            &edges,
            None,
            &self.config.cluster,
            |a, b| self.probability(a, b),
        );
        self.clusters = clusters.clone();
        let pairs = edges
            .into_iter()
            .map(|(a, b, probability)| ScoredPair { a, b, probability })
            .collect();
        LinkOutput {
            pairs,
            clusters,
            blocking: stats,
            rejected,
            candidates: cands,
        }
    }

    /// EM training sessions: for each training key, the histogram of
    /// comparison vectors of candidate pairs sharing that key (in blocks that
    /// were not windowed), with the key's fields excluded.
    fn sessions(&self, cands: &[u64], gammas: &[u32]) -> Vec<Session> {
        let all_keys: Vec<[u64; NKEYS]> = self.recs.par_iter().map(keys).collect();
        let cap = self.config.block.cap as u32;
        TRAINING_KEYS
            .par_iter()
            .map(|&(k, excl)| {
                // Oversized blocks are windowed on (year, mother, place): their
                // pairs are not a fair sample of non-matches, so skip them.
                let mut sizes: HashMap<u64, u32, FnvBuild> = HashMap::default();
                for ks in &all_keys {
                    if ks[k] != 0 {
                        *sizes.entry(ks[k]).or_default() += 1;
                    }
                }
                let mut excluded = [false; NF];
                for f in excl {
                    excluded[*f as usize] = true;
                }
                let mut counts: HashMap<u32, u64, FnvBuild> = HashMap::default();
                for (&p, &g) in cands.iter().zip(gammas) {
                    let (i, j) = unpack(p);
                    let ki = all_keys[i as usize][k];
                    if ki != 0 && ki == all_keys[j as usize][k] && sizes[&ki] <= cap {
                        *counts.entry(g).or_default() += 1;
                    }
                }
                let mut hist: HashMap<(u8, Gamma), u64> = HashMap::new();
                for (g, n) in counts {
                    let (c, mut g) = unpack_gamma(g);
                    for (f, x) in excluded.iter().zip(g.iter_mut()) {
                        if *f {
                            *x = 0;
                        }
                    }
                    *hist.entry((c as u8, g)).or_default() += n;
                }
                Session { excluded, hist }
            })
            .collect()
    }

    /// Link new records against the registry without re-blocking, re-training
    /// or re-scoring it: only pairs involving a new record are scored, and
    /// existing clusters are kept (new records join or bridge them under the
    /// same no-chaining rule).
    pub fn link_incremental(&mut self, raw: &[RawRecord]) -> Result<LinkOutput, NameError> {
        if self.model.is_none() {
            return Err(NameError::NotTrained);
        }
        if self.index.is_none() {
            let mut ix = BlockIndex::default();
            for (i, p) in self.recs.iter().enumerate() {
                ix.insert(i as u32, p);
            }
            self.index = Some(ix);
        }
        let (start, rejected) = self.add(raw);
        let n = self.recs.len();
        let ix = self.index.as_ref().ok_or(NameError::NotTrained)?;
        let cfg = self.config.block;
        let mut cands: Vec<u64> = (start..n)
            .into_par_iter()
            .flat_map_iter(|i| {
                let mut v = Vec::new();
                ix.candidates(i as u32, &self.recs, &cfg, &mut v);
                v.into_iter().map(move |j| crate::block::pack(i as u32, j))
            })
            .collect();
        cands.par_sort_unstable();
        cands.dedup();
        let edges: Vec<(u32, u32, f64)> = cands
            .par_iter()
            .map(|&p| {
                let (i, j) = unpack(p);
                (i, j, self.probability(i, j))
            })
            .collect();
        let prev = self.clusters.clone();
        let clusters = cluster(n, &edges, Some(&prev), &self.config.cluster, |a, b| {
            self.probability(a, b)
        });
        self.clusters = clusters.clone();
        let thr = self.config.cluster.threshold;
        let blocking = BlockStats {
            records: n,
            candidates: cands.len(),
            ..Default::default()
        };
        Ok(LinkOutput {
            pairs: edges
                .into_iter()
                .filter(|e| e.2 >= thr)
                .map(|(a, b, probability)| ScoredPair { a, b, probability })
                .collect(),
            clusters,
            blocking,
            rejected,
            candidates: cands,
        })
    }
}
