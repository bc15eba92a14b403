//! The linkage pipeline and the incremental registry.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::block::{candidate_pairs, keys, unpack, BlockConfig, BlockIndex, BlockStats, NKEYS};
use crate::cluster::{cluster, ClusterConfig};
use crate::model::{
    compare, name_agrees, pack_gamma, pair_class, probability, u_from_samples, unpack_gamma,
    Explanation, Field, Gamma, Model, Session, TermFreq, NCLASS, NF,
};

/// Blocking keys used as EM training sessions, with the fields they fix or
/// strongly correlate with (sex follows the first name; families cluster in
/// places), which are left out of that session's EM.
const TRAINING_KEYS: &[(usize, &[Field])] = &[
    (0, &[Field::First, Field::Family, Field::Sex, Field::Place]),
    (3, &[Field::First, Field::Father, Field::Sex]),
    (2, &[Field::Family, Field::Mother, Field::Place]),
];
use crate::record::{FnvBuild, Interner, Normalized, Prepared, RawRecord, Tail};
use crate::rng::Rng;
use crate::NameError;

/// Phase timings on stderr when `HUDNA_TIMING` is set (benchmarks): wall
/// seconds and process CPU seconds (Linux /proc; the machines are shared).
struct PhaseClock(Option<(std::time::Instant, f64)>);

fn cpu_seconds() -> f64 {
    // Fields 14 and 15 of /proc/self/stat: user and system clock ticks.
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit(')').next()?.to_string();
            let f: Vec<&str> = rest.split_whitespace().collect();
            Some((f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?) / 100.0)
        })
        .unwrap_or(0.0)
}

impl PhaseClock {
    fn new() -> PhaseClock {
        PhaseClock(
            std::env::var_os("HUDNA_TIMING").map(|_| (std::time::Instant::now(), cpu_seconds())),
        )
    }
    fn mark(&mut self, phase: &str) {
        if let Some((t, c)) = self.0 {
            let now = cpu_seconds();
            // Peak resident memory so far (VmHWM), in MB.
            let hwm = std::fs::read_to_string("/proc/self/status")
                .ok()
                .and_then(|s| {
                    let l = s.lines().find(|l| l.starts_with("VmHWM:"))?;
                    l.split_whitespace().nth(1)?.parse::<f64>().ok()
                })
                .unwrap_or(0.0)
                / 1024.0;
            eprintln!(
                "timing {phase}: {:.2} s wall, {:.2} s cpu, peak {hwm:.0} MB",
                t.elapsed().as_secs_f64(),
                now - c
            );
            self.0 = Some((std::time::Instant::now(), now));
        }
    }
}

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

    /// Blocking keys of a record (diagnostics: why a pair was not a candidate).
    pub fn blocking_keys(&self, i: u32) -> [u64; NKEYS] {
        keys(&self.recs[i as usize])
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
                    ix.insert(self.recs.len() as u32, &p, &self.interner);
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

    /// Conditional u of the [`crate::model::CONDITIONALS`]: for each
    /// (field, given) pair, random pairs from one group of the given field
    /// (by skeleton) whose other name (family for a given name, given name
    /// for a family) differs, so that they are almost never one person.
    /// Too few such pairs (a small list) leave the unconditional `u`.
    fn random_u_given(
        &self,
        u: &[[[f64; crate::model::MAXL]; NF]; NCLASS],
    ) -> [[[f64; crate::model::MAXL]; NF]; NCLASS] {
        let mut out = *u;
        let mut rng = Rng::new(self.config.seed ^ 0x5eed);
        for (field, given) in crate::model::CONDITIONALS {
            let key = |p: &Prepared| match given {
                Field::Family => p.family,
                _ => p.first,
            };
            let other = if given == Field::Family {
                Field::First
            } else {
                Field::Family
            };
            let mut groups: HashMap<u32, Vec<u32>, FnvBuild> = HashMap::default();
            for (i, p) in self.recs.iter().enumerate() {
                if !key(p).is_missing() {
                    groups.entry(key(p).skel).or_default().push(i as u32);
                }
            }
            let members: Vec<u32> = groups.values().flatten().copied().collect();
            let mut samples = Vec::new();
            if !members.is_empty() {
                for _ in 0..self.config.u_samples {
                    // A random record, then a random other member of its
                    // group: pairs in proportion to their number.
                    let i = members[rng.below(members.len())];
                    let g = &groups[&key(&self.recs[i as usize]).skel];
                    let j = g[rng.below(g.len())];
                    if i == j {
                        continue;
                    }
                    let (a, b) = (&self.recs[i as usize], &self.recs[j as usize]);
                    let gamma = compare(&self.interner, a, b);
                    if gamma[other as usize] == 1 && name_agrees(given, gamma[given as usize]) {
                        samples.push((pair_class(a, b), gamma));
                    }
                }
            }
            const MIN_SAMPLES: usize = 1000;
            let u = u_from_samples(&samples);
            for c in 0..NCLASS {
                if samples.iter().filter(|s| s.0 == c).count() >= MIN_SAMPLES {
                    out[c][field as usize] = u[c][field as usize];
                }
            }
        }
        out
    }

    /// Prior per class by fixed point: λ = expected matches among candidates
    /// / all pairs of the class (pairs outside blocks count as non-matches).
    fn estimate_lambda(&self, cands: &[u64], bfs: &[u32]) -> [f64; NCLASS] {
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
        // Histogram of Bayes factors per class, in 1/20 bit bins.
        const NB: usize = 8001;
        let bin_of = |bf: f32| ((bf * 20.0).round() as i64 + 4000).clamp(0, NB as i64 - 1) as usize;
        let recs = &self.recs;
        let dense: Vec<Vec<f64>> = cands
            .par_iter()
            .zip(bfs.par_iter())
            .with_min_len(1 << 18)
            .fold(
                || vec![vec![0.0f64; NB]; NCLASS],
                |mut acc, (&p, &bf)| {
                    let (i, j) = unpack(p);
                    let c = pair_class(&recs[i as usize], &recs[j as usize]);
                    acc[c][bin_of(f32::from_bits(bf))] += 1.0;
                    acc
                },
            )
            .reduce(
                || vec![vec![0.0f64; NB]; NCLASS],
                |mut a, b| {
                    for (x, y) in a.iter_mut().zip(&b) {
                        for (u, v) in x.iter_mut().zip(y) {
                            *u += v;
                        }
                    }
                    a
                },
            );
        let bins: Vec<Vec<(i32, f64)>> = dense
            .iter()
            .map(|row| {
                row.iter()
                    .enumerate()
                    .filter(|(_, &n)| n > 0.0)
                    .map(|(b, &n)| (b as i32 - 4000, n))
                    .collect()
            })
            .collect();
        let mut lambda = [1e-4f64; NCLASS];
        for c in 0..NCLASS {
            if totals[c] < 1.0 || bins[c].is_empty() {
                continue;
            }
            for _ in 0..50 {
                let prior = (lambda[c] / (1.0 - lambda[c])).log2();
                let exp: f64 = bins[c]
                    .iter()
                    .map(|&(b, n)| n * probability(prior + b as f64 / 20.0))
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
        let mut clock = PhaseClock::new();
        let (_, rejected) = self.add(raw);
        clock.mark("prepare");
        // Comparing is bound by memory latency (one random record per pair):
        // renumber the records so that those sharing a first name, family and
        // father sit together, work in that order, and map back at the end.
        let mut order: Vec<u32> = (0..self.recs.len() as u32).collect();
        {
            let recs = &self.recs;
            order.par_sort_unstable_by_key(|&i| {
                let p = &recs[i as usize];
                (p.first.skel, p.family.skel, p.father.skel, i)
            });
        }
        self.recs = order.iter().map(|&i| self.recs[i as usize]).collect();
        let (cands, stats) = candidate_pairs(&self.recs, &self.interner, &self.config.block);
        clock.mark("block");
        let (it, recs) = (&self.interner, &self.recs);
        let gammas: Vec<u32> = cands
            .par_iter()
            .map(|&p| {
                let (i, j) = unpack(p);
                let (a, b) = (&recs[i as usize], &recs[j as usize]);
                pack_gamma(pair_class(a, b), &compare(it, a, b))
            })
            .collect();
        clock.mark("compare");
        let sessions = self.sessions(&cands, &gammas);
        clock.mark("sessions");
        let u = self.random_u();
        let mut model = Model::train(&sessions, &u, self.config.em_iterations);
        model.set_u_given(self.random_u_given(&u));
        clock.mark("u+em");
        // The comparison vectors are not needed once scored: each becomes
        // its Bayes factor (f32 bits) in place, which saves 4 bytes a pair at
        // the memory peak.
        let (tf, recs) = (&self.tf, &self.recs);
        let mut bfs = gammas;
        bfs.par_iter_mut()
            .zip(cands.par_iter())
            .for_each(|(g, &p)| {
                let (i, j) = unpack(p);
                let bf = model.log2_bf_gamma(
                    tf,
                    &recs[i as usize],
                    &recs[j as usize],
                    &unpack_gamma(*g).1,
                ) as f32;
                *g = bf.to_bits();
            });
        model.set_lambda(self.estimate_lambda(&cands, &bfs));
        clock.mark("score+lambda");
        let thr = self.config.cluster.threshold;
        let keep = thr.min(self.config.cluster.profile_edges);
        let edges: Vec<(u32, u32, f64)> = cands
            .par_iter()
            .zip(bfs.par_iter())
            .filter_map(|(&p, &bf)| {
                let (i, j) = unpack(p);
                let c = pair_class(&recs[i as usize], &recs[j as usize]);
                let pr = probability(model.prior(c) + f32::from_bits(bf) as f64);
                (pr >= keep).then_some((i, j, pr))
            })
            .collect();
        drop(bfs);
        // Back to the caller's numbering.
        let edges: Vec<(u32, u32, f64)> = edges
            .into_par_iter()
            .map(|(i, j, p)| {
                let (a, b) = (order[i as usize], order[j as usize]);
                (a.min(b), a.max(b), p)
            })
            .collect();
        let cands = if self.config.keep_candidates {
            let mut c: Vec<u64> = cands
                .into_par_iter()
                .map(|p| {
                    let (i, j) = unpack(p);
                    crate::block::pack(order[i as usize], order[j as usize])
                })
                .collect();
            c.par_sort_unstable();
            c
        } else {
            Vec::new()
        };
        let mut original = self.recs.clone();
        for (k, &i) in order.iter().enumerate() {
            original[i as usize] = self.recs[k];
        }
        self.recs = original;
        drop(order);
        self.model = Some(model);
        let clusters = cluster(
            self.recs.len(),
            &edges,
            None,
            &self.config.cluster,
            |a, b| self.probability(a, b),
        );
        let clusters = self.merge_profiles(clusters, &edges);
        clock.mark("cluster");
        self.clusters = clusters.clone();
        let pairs = edges
            .into_iter()
            .filter(|e| e.2 >= thr)
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

    /// What a cluster knows about its person: the record with the most
    /// fields, with its missing fields filled from the other members (name
    /// fields only from records in its script, family and grandfather only
    /// between records whose name parts are not ambiguous).
    fn profile(&self, members: &[u32]) -> Prepared {
        let filled = |p: &Prepared| {
            [p.first, p.father, p.grandfather, p.family, p.mother]
                .iter()
                .filter(|t| !t.is_missing())
                .count()
                + usize::from(p.year != 0)
                + usize::from(p.event.is_some())
                + usize::from(p.place[0] != crate::record::NONE)
        };
        let base = members
            .iter()
            .copied()
            .max_by_key(|&i| (filled(&self.recs[i as usize]), std::cmp::Reverse(i)))
            .unwrap_or(0);
        let mut p = self.recs[base as usize];
        for &i in members {
            let r = &self.recs[i as usize];
            let same = r.script == p.script;
            if same && p.mother.is_missing() && !r.mother.is_missing() {
                p.mother = r.mother;
                p.mother_family = r.mother_family;
            }
            if same && p.tail == Tail::Fixed && r.tail == Tail::Fixed {
                if p.grandfather.is_missing() {
                    p.grandfather = r.grandfather;
                }
                if p.family.is_missing() {
                    p.family = r.family;
                }
            }
            if p.year == 0 {
                p.year = r.year;
            }
            if p.event.is_none() {
                p.event = r.event;
            }
            if p.place[0] == crate::record::NONE {
                p.place = r.place;
            }
            if p.sex == 0 {
                p.sex = r.sex;
            }
        }
        p
    }

    /// Second clustering pass: two clusters joined by a candidate pair (from
    /// `profile_edges` up) merge when their profiles (see
    /// [`Linker::profile`]) score at least the threshold and no cross pair
    /// scores below the floor. Complementary fields (a year on one record, a
    /// mother's name on another) then count together.
    fn merge_profiles(&self, labels: Vec<u32>, edges: &[(u32, u32, f64)]) -> Vec<u32> {
        let cfg = &self.config.cluster;
        let Some(model) = self.model.as_ref() else {
            return labels;
        };
        if cfg.profile_edges >= 1.0 {
            return labels;
        }
        let n = labels.len();
        let mut root: Vec<u32> = labels.clone();
        let mut members: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (i, &l) in labels.iter().enumerate() {
            members[l as usize].push(i as u32);
        }
        let mut order: Vec<&(u32, u32, f64)> = edges
            .iter()
            .filter(|e| labels[e.0 as usize] != labels[e.1 as usize])
            .collect();
        order.sort_unstable_by(|x, y| y.2.total_cmp(&x.2).then((x.0, x.1).cmp(&(y.0, y.1))));
        for &&(a, b, _) in &order {
            let (ra, rb) = (root[a as usize] as usize, root[b as usize] as usize);
            if ra == rb {
                continue;
            }
            // Single records are compared as they are: nothing to pool.
            if members[ra].len() == 1 && members[rb].len() == 1 {
                continue;
            }
            let (pa, pb) = (self.profile(&members[ra]), self.profile(&members[rb]));
            let p = probability(model.log2_odds(&self.interner, &self.tf, &pa, &pb));
            if p < cfg.threshold {
                continue;
            }
            let ok = members[ra].iter().all(|&x| {
                members[rb]
                    .iter()
                    .all(|&y| self.probability(x, y) >= cfg.floor)
            });
            if !ok {
                continue;
            }
            crate::cluster::join(&mut members, &mut root, ra, rb);
        }
        crate::cluster::labels(&members, n)
    }

    /// EM training sessions: for each training key, the histogram of
    /// comparison vectors of candidate pairs sharing that key (in blocks that
    /// were not windowed), with the key's fields excluded.
    fn sessions(&self, cands: &[u64], gammas: &[u32]) -> Vec<Session> {
        let all_keys: Vec<[u64; NKEYS]> = self.recs.par_iter().map(keys).collect();
        let cap = self.config.block.cap as u32;
        let nt = TRAINING_KEYS.len();
        // Per record and training key: the key if its block was not windowed
        // (windowed blocks are not a fair sample of non-matches), else 0.
        let mut small: Vec<Vec<u64>> = vec![vec![0; self.recs.len()]; nt];
        small.par_iter_mut().enumerate().for_each(|(t, col)| {
            let k = TRAINING_KEYS[t].0;
            let mut sizes: HashMap<u64, u32, FnvBuild> = HashMap::default();
            for ks in &all_keys {
                if ks[k] != 0 {
                    *sizes.entry(ks[k]).or_default() += 1;
                }
            }
            for (c, ks) in col.iter_mut().zip(&all_keys) {
                if ks[k] != 0 && sizes[&ks[k]] <= cap {
                    *c = ks[k];
                }
            }
        });
        // EM needs the shape of the comparison vectors, not every pair: a
        // systematic sample of at most SESSION_SAMPLE candidates.
        const SESSION_SAMPLE: usize = 6_000_000;
        let step = cands.len().div_ceil(SESSION_SAMPLE).max(1);
        let counts: Vec<HashMap<u32, u64, FnvBuild>> = (0..nt)
            .into_par_iter()
            .map(|t| {
                let col = &small[t];
                let mut counts: HashMap<u32, u64, FnvBuild> = HashMap::default();
                for (&p, &g) in cands.iter().zip(gammas).step_by(step) {
                    let (i, j) = unpack(p);
                    let ki = col[i as usize];
                    if ki != 0 && ki == col[j as usize] {
                        *counts.entry(g).or_default() += 1;
                    }
                }
                counts
            })
            .collect();
        TRAINING_KEYS
            .iter()
            .zip(counts)
            .map(|(&(_, excl), counts)| {
                let mut excluded = [false; NF];
                for f in excl {
                    excluded[*f as usize] = true;
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
    /// same no-chaining rule; the whole-cluster pass of a batch fit is not
    /// run).
    pub fn link_incremental(&mut self, raw: &[RawRecord]) -> Result<LinkOutput, NameError> {
        if self.model.is_none() {
            return Err(NameError::NotTrained);
        }
        if self.index.is_none() {
            let mut ix = BlockIndex::default();
            for (i, p) in self.recs.iter().enumerate() {
                ix.insert(i as u32, p, &self.interner);
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
                ix.candidates(i as u32, &self.recs, &self.interner, &cfg, &mut v);
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
