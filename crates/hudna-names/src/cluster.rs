//! Constrained agglomerative clustering.
//!
//! Plain connected components chain unrelated people: A–B strong, B–C strong,
//! A–C hopeless still lands A and C together. Here edges are taken strongest
//! first and two clusters merge only if *every* cross pair scores at least
//! `floor` and their mean probability reaches `mean`. Cross pairs are scored
//! directly (not looked up among candidates), so the guarantee holds for all
//! pairs: two records in one cluster never have a probability below `floor`.
//! A batch fit adds a second pass over whole clusters (`Linker::fit`,
//! `profile_edges`) under the same floor.

/// Clustering parameters (probabilities).
#[derive(Clone, Copy, Debug)]
pub struct ClusterConfig {
    /// Edges below this probability are ignored.
    pub threshold: f64,
    /// No two records of a cluster may score below this.
    pub floor: f64,
    /// Mean probability of cross pairs required to merge two clusters.
    pub mean: f64,
    /// Candidate pairs scoring at least this (and below `threshold`) are
    /// kept for the second pass of a batch fit, which compares whole
    /// clusters (see `Linker::fit`); 1.0 turns that pass off.
    pub profile_edges: f64,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            threshold: 0.5,
            floor: 0.001,
            mean: 0.4,
            profile_edges: 0.01,
        }
    }
}

/// Cluster `n` records. `edges` are `(a, b, probability)`; `initial` gives
/// existing cluster labels (records with equal labels start together and
/// are never split); `score` returns the probability of any pair.
/// Returns one label per record: the smallest record index of its cluster.
pub fn cluster(
    n: usize,
    edges: &[(u32, u32, f64)],
    initial: Option<&[u32]>,
    cfg: &ClusterConfig,
    score: impl Fn(u32, u32) -> f64,
) -> Vec<u32> {
    let mut root: Vec<u32> = (0..n as u32).collect();
    let mut members: Vec<Vec<u32>> = (0..n as u32).map(|i| vec![i]).collect();
    if let Some(init) = initial {
        let mut first: std::collections::HashMap<u32, usize> = std::collections::HashMap::new();
        for (i, &lab) in init.iter().enumerate().take(n) {
            let r = *first.entry(lab).or_insert(i);
            if r != i {
                members[i].clear();
                members[r].push(i as u32);
                root[i] = r as u32;
            }
        }
    }
    let mut order: Vec<usize> = (0..edges.len())
        .filter(|&e| edges[e].2 >= cfg.threshold)
        .collect();
    order.sort_unstable_by(|&x, &y| edges[y].2.total_cmp(&edges[x].2).then(x.cmp(&y)));
    for e in order {
        let (a, b, _) = edges[e];
        let (ra, rb) = (root[a as usize] as usize, root[b as usize] as usize);
        if ra == rb {
            continue;
        }
        let mut ok = true;
        let mut sum = 0.0;
        let mut cnt = 0usize;
        'outer: for &x in &members[ra] {
            for &y in &members[rb] {
                let s = score(x, y);
                if s < cfg.floor {
                    ok = false;
                    break 'outer;
                }
                sum += s;
                cnt += 1;
            }
        }
        if !ok || sum / (cnt.max(1) as f64) < cfg.mean {
            continue;
        }
        join(&mut members, &mut root, ra, rb);
    }
    labels(&members, n)
}

/// Moves the smaller of clusters `ra` and `rb` into the larger one.
pub(crate) fn join(members: &mut [Vec<u32>], root: &mut [u32], ra: usize, rb: usize) {
    let (big, small) = if members[ra].len() >= members[rb].len() {
        (ra, rb)
    } else {
        (rb, ra)
    };
    let moved = std::mem::take(&mut members[small]);
    for &x in &moved {
        root[x as usize] = big as u32;
    }
    members[big].extend(moved);
}

/// Each record's cluster label: the smallest record index in its cluster.
pub(crate) fn labels(members: &[Vec<u32>], n: usize) -> Vec<u32> {
    let mut label = vec![0u32; n];
    for m in members.iter().filter(|m| !m.is_empty()) {
        let min = *m.iter().min().unwrap_or(&0);
        for &x in m {
            label[x as usize] = min;
        }
    }
    label
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_link_does_not_chain() {
        // A–B 0.99, B–C 0.99, A–C 0.0001 (a conflict: another birth
        // year, another mother): C must not join A's cluster.
        let p = |a: u32, b: u32| match (a.min(b), a.max(b)) {
            (0, 1) | (1, 2) => 0.99,
            _ => 0.0001,
        };
        let edges = [(0, 1, 0.99), (1, 2, 0.99)];
        let l = cluster(3, &edges, None, &ClusterConfig::default(), p);
        assert_eq!(l[0], l[1]);
        assert_ne!(l[0], l[2]);
    }

    #[test]
    fn initial_clusters_are_kept() {
        let l = cluster(
            3,
            &[],
            Some(&[0, 0, 2]),
            &ClusterConfig::default(),
            |_, _| 0.0,
        );
        assert_eq!(l, vec![0, 0, 2]);
    }
}
