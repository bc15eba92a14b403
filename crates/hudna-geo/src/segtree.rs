//! A static packed R-tree of segments (the Flatbush layout: items sorted by
//! the Hilbert index of their centres, nodes of `B` consecutive children),
//! built in O(n log n) with one sort, searched best-first for the nearest
//! segment under the query's own metric.
//!
//! The metric is the equirectangular plane centred on the query point:
//! `d² = ((lon − lon_p)·cos φ_p)² + (lat − lat_p)²` (degrees of latitude).
//! It is a fixed axis scaling for a given query, so the distance from the
//! point to a bounding box in this metric is an exact lower bound for
//! everything inside, and the first segment popped is the nearest.

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::exact::Edge;

const B: usize = 8;

pub(crate) struct SegTree {
    /// segments in Hilbert order
    segs: Vec<Edge>,
    /// node boxes of levels 1.. (level 0 is the segments themselves)
    boxes: Vec<[f64; 4]>,
    /// start of each level in `boxes`; level k (k >= 1) is
    /// `boxes[level[k-1]..level[k]]`
    level: Vec<usize>,
}

/// The query metric: a point and the x scale at its latitude.
#[derive(Clone, Copy)]
pub(crate) struct Metric {
    pub lon: f64,
    pub lat: f64,
    pub k: f64,
}

impl Metric {
    pub fn at(lon: f64, lat: f64) -> Self {
        Metric {
            lon,
            lat,
            k: lat.to_radians().cos(),
        }
    }

    #[inline]
    pub fn box_d2(&self, b: &[f64; 4]) -> f64 {
        let dx = (b[0] - self.lon).max(0.0).max(self.lon - b[2]) * self.k;
        let dy = (b[1] - self.lat).max(0.0).max(self.lat - b[3]);
        dx * dx + dy * dy
    }

    /// Parameter along `e` of the nearest point, and the squared distance.
    #[inline]
    pub fn seg(&self, e: &Edge) -> (f64, f64) {
        let (ax, ay) = ((e[0] - self.lon) * self.k, e[1] - self.lat);
        let (dx, dy) = ((e[2] - e[0]) * self.k, e[3] - e[1]);
        let l2 = dx * dx + dy * dy;
        let t = if l2 > 0.0 {
            (-(ax * dx + ay * dy) / l2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let (ex, ey) = (ax + t * dx, ay + t * dy);
        (t, ex * ex + ey * ey)
    }
}

/// Hilbert index of (x, y) on a 2^16 grid, branch-free (the bit-parallel
/// construction used by Flatbush). Only the locality of the order matters
/// here: any order gives a correct tree.
pub(crate) fn hilbert(x: u32, y: u32) -> u32 {
    let (x, y) = (x & 0xFFFF, y & 0xFFFF);
    let mut a = x ^ y;
    let mut b = 0xFFFF ^ a;
    let mut c = 0xFFFF ^ (x | y);
    let mut d = x & (y ^ 0xFFFF);

    let mut aa = a | (b >> 1);
    let mut bb = (a >> 1) ^ a;
    let mut cc = ((c >> 1) ^ (b & (d >> 1))) ^ c;
    let mut dd = ((a & (c >> 1)) ^ (d >> 1)) ^ d;

    (a, b, c, d) = (aa, bb, cc, dd);
    aa = (a & (a >> 2)) ^ (b & (b >> 2));
    bb = (a & (b >> 2)) ^ (b & ((a ^ b) >> 2));
    cc ^= (a & (c >> 2)) ^ (b & (d >> 2));
    dd ^= (b & (c >> 2)) ^ ((a ^ b) & (d >> 2));

    (a, b, c, d) = (aa, bb, cc, dd);
    aa = (a & (a >> 4)) ^ (b & (b >> 4));
    bb = (a & (b >> 4)) ^ (b & ((a ^ b) >> 4));
    cc ^= (a & (c >> 4)) ^ (b & (d >> 4));
    dd ^= (b & (c >> 4)) ^ ((a ^ b) & (d >> 4));

    (a, b, c, d) = (aa, bb, cc, dd);
    cc ^= (a & (c >> 8)) ^ (b & (d >> 8));
    dd ^= (b & (c >> 8)) ^ ((a ^ b) & (d >> 8));

    a = cc ^ (cc >> 1);
    b = dd ^ (dd >> 1);
    let i0 = x ^ y;
    let i1 = b | (0xFFFF ^ (i0 | a));
    (interleave(i1) << 1) | interleave(i0)
}

fn interleave(mut x: u32) -> u32 {
    x = (x | (x << 8)) & 0x00FF_00FF;
    x = (x | (x << 4)) & 0x0F0F_0F0F;
    x = (x | (x << 2)) & 0x3333_3333;
    x = (x | (x << 1)) & 0x5555_5555;
    x
}

fn seg_box(e: &Edge) -> [f64; 4] {
    [
        e[0].min(e[2]),
        e[1].min(e[3]),
        e[0].max(e[2]),
        e[1].max(e[3]),
    ]
}

fn union(a: [f64; 4], b: [f64; 4]) -> [f64; 4] {
    [
        a[0].min(b[0]),
        a[1].min(b[1]),
        a[2].max(b[2]),
        a[3].max(b[3]),
    ]
}

thread_local! {
    static HEAP: RefCell<BinaryHeap<Reverse<(u64, u32, u32)>>> =
        const { RefCell::new(BinaryHeap::new()) };
}

impl SegTree {
    pub fn new(edges: &[Edge], bbox: [f64; 4]) -> Self {
        let w = (bbox[2] - bbox[0]).max(1e-300);
        let h = (bbox[3] - bbox[1]).max(1e-300);
        let mut keyed: Vec<(u32, u32)> = edges
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let cx = ((e[0] + e[2]) * 0.5 - bbox[0]) / w;
                let cy = ((e[1] + e[3]) * 0.5 - bbox[1]) / h;
                let q = |v: f64| (v.clamp(0.0, 1.0) * 65535.0) as u32;
                (hilbert(q(cx), q(cy)), i as u32)
            })
            .collect();
        keyed.sort_unstable();
        let segs: Vec<Edge> = keyed.iter().map(|&(_, i)| edges[i as usize]).collect();
        let mut boxes: Vec<[f64; 4]> = Vec::with_capacity(segs.len() / (B - 1) + 2);
        let mut level = vec![0usize];
        // level 1 from the segments
        for c in segs.chunks(B) {
            boxes.push(
                c.iter()
                    .map(seg_box)
                    .reduce(union)
                    .expect("non-empty chunk"),
            );
        }
        level.push(boxes.len());
        while level[level.len() - 1] - level[level.len() - 2] > 1 {
            let (lo, hi) = (level[level.len() - 2], level[level.len() - 1]);
            let mut i = lo;
            while i < hi {
                let j = (i + B).min(hi);
                let b = boxes[i..j]
                    .iter()
                    .copied()
                    .reduce(union)
                    .expect("non-empty");
                boxes.push(b);
                i = j;
            }
            level.push(boxes.len());
        }
        SegTree { segs, boxes, level }
    }

    /// Nearest segment under `m` with squared distance `<= limit2`:
    /// `(segment, t, d²)`. Best-first branch and bound: nodes wait in a
    /// heap keyed by their box distance; a leaf node's segments are measured
    /// at once and only tighten the bound.
    pub fn nearest(&self, m: &Metric, limit2: f64) -> Option<(&Edge, f64, f64)> {
        if self.segs.is_empty() {
            return None;
        }
        HEAP.with(|h| {
            let mut heap = h.borrow_mut();
            heap.clear();
            let mut best = limit2;
            let mut found: Option<(usize, f64)> = None;
            let top = self.level.len() - 1;
            for i in self.level[top - 1]..self.level[top] {
                let d = m.box_d2(&self.boxes[i]);
                if d <= best {
                    heap.push(Reverse((d.to_bits(), top as u32, i as u32)));
                }
            }
            while let Some(Reverse((d, lvl, i))) = heap.pop() {
                if f64::from_bits(d) > best {
                    break;
                }
                let (lvl, i) = (lvl as usize, i as usize);
                // children of node i at level lvl live at level lvl - 1
                let first = (i - self.level[lvl - 1]) * B;
                if lvl == 1 {
                    let end = (first + B).min(self.segs.len());
                    for c in first..end {
                        let (t, d2) = m.seg(&self.segs[c]);
                        if d2 < best || (d2 == best && found.is_none()) {
                            best = d2;
                            found = Some((c, t));
                        }
                    }
                } else {
                    let base = self.level[lvl - 2];
                    let end = (base + first + B).min(self.level[lvl - 1]);
                    for c in base + first..end {
                        let d2 = m.box_d2(&self.boxes[c]);
                        if d2 <= best {
                            heap.push(Reverse((d2.to_bits(), (lvl - 1) as u32, c as u32)));
                        }
                    }
                }
            }
            found.map(|(c, t)| (&self.segs[c], t, best))
        })
    }

    pub fn heap_bytes(&self) -> usize {
        self.segs.capacity() * std::mem::size_of::<Edge>()
            + self.boxes.capacity() * 32
            + self.level.capacity() * 8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hilbert_is_a_bijection_on_a_small_grid() {
        // on the 2^16 grid restricted to a 16 x 16 corner, neighbours along
        // the curve are grid neighbours for indices that stay in the corner
        let mut seen = std::collections::HashMap::new();
        for x in 0..16u32 {
            for y in 0..16u32 {
                assert!(seen.insert(hilbert(x, y), (x, y)).is_none());
            }
        }
        let mut keys: Vec<_> = seen.keys().copied().collect();
        keys.sort_unstable();
        for w in keys.windows(2) {
            if w[1] == w[0] + 1 {
                let (a, b) = (seen[&w[0]], seen[&w[1]]);
                assert_eq!(a.0.abs_diff(b.0) + a.1.abs_diff(b.1), 1, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn nearest_matches_a_scan() {
        // a zig-zag of 500 segments
        let pts: Vec<(f64, f64)> = (0..501)
            .map(|i| {
                (
                    36.0 + i as f64 * 0.01,
                    35.0 + ((i * 7919) % 13) as f64 * 0.003,
                )
            })
            .collect();
        let edges: Vec<Edge> = pts
            .windows(2)
            .map(|w| [w[0].0, w[0].1, w[1].0, w[1].1])
            .collect();
        let bbox = edges.iter().map(seg_box).reduce(union).unwrap();
        let t = SegTree::new(&edges, bbox);
        for j in 0..200 {
            let m = Metric::at(35.5 + j as f64 * 0.03, 34.9 + (j % 17) as f64 * 0.01);
            let want = edges
                .iter()
                .map(|e| m.seg(e).1)
                .fold(f64::INFINITY, f64::min);
            let (_, _, got) = t.nearest(&m, f64::INFINITY).unwrap();
            assert_eq!(got, want);
            assert!(t.nearest(&m, want * 0.999).is_none() || want == 0.0);
        }
    }
}
