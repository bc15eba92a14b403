//! Geometry hygiene: every problem is reported with its part, ring and
//! vertex index, and the coordinates where it happens. Nothing is repaired
//! here except by the explicit [`fix_winding`].

use crate::exact::{locate_in_ring, meet, Edge, Location, Meet};

/// What is wrong with a ring or between rings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ProblemKind {
    /// First position differs from the last (raw coordinate lists only).
    Unclosed,
    /// Fewer than 4 positions (3 distinct vertices + closing) after
    /// dropping repeated consecutive positions.
    TooFewPoints,
    /// RFC 7946: exterior rings counter-clockwise, holes clockwise.
    WrongWinding,
    /// Two edges of one ring meet other than at their shared vertex
    /// (crossing, touching or doubling back).
    SelfIntersection { at: (f64, f64) },
    /// A hole is not inside its shell.
    HoleOutsideShell,
    /// A hole lies inside another hole of the same polygon.
    NestedHole,
    /// Edges of two rings of one polygon cross or overlap.
    RingsCross { at: (f64, f64), other_ring: usize },
    /// Two parts of a multipolygon overlap (crossing edges, shared edges
    /// or one inside the other). `at` is where, when an edge pair shows it.
    PartsOverlap {
        at: Option<(f64, f64)>,
        other_part: usize,
    },
    /// A coordinate is NaN or infinite.
    NonFinite,
    /// Longitude outside [-180, 180] or latitude outside [-90, 90].
    OutOfRange,
}

/// One problem: `part` is the polygon's index in a multipolygon (0 for a
/// polygon), `ring` is 0 for the exterior and 1.. for holes, `vertex` the
/// index of the position (the first vertex of the offending edge).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeomProblem {
    pub part: usize,
    pub ring: usize,
    pub vertex: usize,
    pub kind: ProblemKind,
}

impl std::fmt::Display for GeomProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "part {} ring {} vertex {}: {:?}",
            self.part, self.ring, self.vertex, self.kind
        )
    }
}

pub(crate) type Ring = Vec<(f64, f64)>;

fn ring_coords(ls: &geo::LineString<f64>) -> Ring {
    ls.0.iter().map(|c| (c.x, c.y)).collect()
}

pub(crate) fn polygon_rings(p: &geo::Polygon<f64>) -> Vec<Ring> {
    let mut rings = vec![ring_coords(p.exterior())];
    rings.extend(p.interiors().iter().map(ring_coords));
    rings
}

/// Twice the signed area (> 0 counter-clockwise), computed relative to the
/// first vertex for precision.
pub(crate) fn signed_area2(ring: &[(f64, f64)]) -> f64 {
    let Some(&(ox, oy)) = ring.first() else {
        return 0.0;
    };
    let mut s = 0.0;
    for w in ring.windows(2) {
        let (ax, ay) = (w[0].0 - ox, w[0].1 - oy);
        let (bx, by) = (w[1].0 - ox, w[1].1 - oy);
        s += ax * by - bx * ay;
    }
    s
}

/// Validates one polygon (exterior + holes), as OGC simple features
/// validity with the RFC 7946 winding rule.
pub fn validate_polygon(p: &geo::Polygon<f64>) -> Vec<GeomProblem> {
    validate_parts(&[polygon_rings(p)])
}

/// Validates a multipolygon: each part as [`validate_polygon`], plus parts
/// overlapping each other.
pub fn validate_multipolygon(mp: &geo::MultiPolygon<f64>) -> Vec<GeomProblem> {
    let parts: Vec<Vec<Ring>> = mp.0.iter().map(polygon_rings).collect();
    validate_parts(&parts)
}

/// Validates a raw coordinate list `(lon, lat)` as it came from a file,
/// before any library closed it: unclosed, too few points, non-finite,
/// out of range, winding (`exterior`: counter-clockwise expected, else
/// clockwise) and self-intersection.
pub fn validate_ring_coords(ring: &[(f64, f64)], exterior: bool) -> Vec<GeomProblem> {
    let mut problems = basic_ring_checks(ring, 0, 0, true);
    if !problems.is_empty() {
        return problems;
    }
    let area = signed_area2(ring);
    if (exterior && area < 0.0) || (!exterior && area > 0.0) {
        problems.push(GeomProblem {
            part: 0,
            ring: 0,
            vertex: 0,
            kind: ProblemKind::WrongWinding,
        });
    }
    problems.extend(intersections(&[vec![ring.to_vec()]]));
    problems
}

/// Reverses rings whose winding disagrees with RFC 7946 (exterior
/// counter-clockwise, holes clockwise). The only repair this crate does,
/// and only when asked.
pub fn fix_winding(p: &mut geo::Polygon<f64>) {
    let ext_ccw = signed_area2(&ring_coords(p.exterior())) >= 0.0;
    p.exterior_mut(|e| {
        if !ext_ccw {
            e.0.reverse();
        }
    });
    p.interiors_mut(|holes| {
        for h in holes {
            if signed_area2(&ring_coords(h)) > 0.0 {
                h.0.reverse();
            }
        }
    });
}

fn basic_ring_checks(ring: &[(f64, f64)], part: usize, r: usize, raw: bool) -> Vec<GeomProblem> {
    let mut out = Vec::new();
    let mk = |vertex, kind| GeomProblem {
        part,
        ring: r,
        vertex,
        kind,
    };
    if let Some(i) = ring
        .iter()
        .position(|c| !c.0.is_finite() || !c.1.is_finite())
    {
        out.push(mk(i, ProblemKind::NonFinite));
        return out;
    }
    if let Some(i) = ring
        .iter()
        .position(|c| c.0.abs() > 180.0 || c.1.abs() > 90.0)
    {
        out.push(mk(i, ProblemKind::OutOfRange));
    }
    if raw && ring.len() >= 2 && ring.first() != ring.last() {
        out.push(mk(ring.len() - 1, ProblemKind::Unclosed));
    }
    let mut distinct = 0;
    for (i, c) in ring.iter().enumerate() {
        if i == 0 || ring[i - 1] != *c {
            distinct += 1;
        }
    }
    if ring.len() < 4 || distinct < 4 {
        out.push(mk(0, ProblemKind::TooFewPoints));
    }
    out
}

/// All checks on parts given as closed rings.
pub(crate) fn validate_parts(parts: &[Vec<Ring>]) -> Vec<GeomProblem> {
    let mut problems = Vec::new();
    for (pi, rings) in parts.iter().enumerate() {
        for (ri, ring) in rings.iter().enumerate() {
            problems.extend(basic_ring_checks(ring, pi, ri, false));
        }
    }
    if !problems.is_empty() {
        return problems;
    }
    for (pi, rings) in parts.iter().enumerate() {
        for (ri, ring) in rings.iter().enumerate() {
            let a = signed_area2(ring);
            if (ri == 0 && a < 0.0) || (ri > 0 && a > 0.0) {
                problems.push(GeomProblem {
                    part: pi,
                    ring: ri,
                    vertex: 0,
                    kind: ProblemKind::WrongWinding,
                });
            }
        }
    }
    let crossings = intersections(parts);
    let crossed = !crossings.is_empty();
    problems.extend(crossings);
    if crossed {
        // containment tests are meaningless while rings cross
        return problems;
    }
    for (pi, rings) in parts.iter().enumerate() {
        let shell = &rings[0];
        let hole_boxes: Vec<[f64; 4]> = rings.iter().map(|r| ring_box(r)).collect();
        for (hi, hole) in rings.iter().enumerate().skip(1) {
            if sample_location(hole, shell) == Some(Location::Outside) {
                problems.push(GeomProblem {
                    part: pi,
                    ring: hi,
                    vertex: 0,
                    kind: ProblemKind::HoleOutsideShell,
                });
            }
            for (hj, other) in rings.iter().enumerate().skip(1) {
                if hj != hi
                    && inside_box(&hole_boxes[hi], &hole_boxes[hj])
                    && sample_location(hole, other) == Some(Location::Interior)
                {
                    problems.push(GeomProblem {
                        part: pi,
                        ring: hi,
                        vertex: 0,
                        kind: ProblemKind::NestedHole,
                    });
                    break;
                }
            }
        }
    }
    let boxes: Vec<[f64; 4]> = parts.iter().map(|rings| ring_box(&rings[0])).collect();
    for (pi, rings) in parts.iter().enumerate() {
        for (pj, other) in parts.iter().enumerate() {
            // a part can only lie inside another whose box holds its box
            if pi == pj || !inside_box(&boxes[pi], &boxes[pj]) {
                continue;
            }
            // part pi's shell inside part pj (in its shell, not in a hole)
            if sample_location(&rings[0], &other[0]) == Some(Location::Interior)
                && !other[1..]
                    .iter()
                    .any(|h| sample_location(&rings[0], h) != Some(Location::Outside))
            {
                problems.push(GeomProblem {
                    part: pi,
                    ring: 0,
                    vertex: 0,
                    kind: ProblemKind::PartsOverlap {
                        at: Some(rings[0][0]),
                        other_part: pj,
                    },
                });
            }
        }
    }
    problems
}

/// Whether box `a` lies within box `b`.
fn inside_box(a: &[f64; 4], b: &[f64; 4]) -> bool {
    a[0] >= b[0] && a[1] >= b[1] && a[2] <= b[2] && a[3] <= b[3]
}

fn ring_box(ring: &[(f64, f64)]) -> [f64; 4] {
    ring.iter().fold(
        [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ],
        |b, &(x, y)| [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)],
    )
}

/// Location, relative to `container`, of the first vertex of `ring` not on
/// the container's boundary (rings that do not cross are wholly on one
/// side). `None` when every vertex is on the boundary.
fn sample_location(ring: &[(f64, f64)], container: &[(f64, f64)]) -> Option<Location> {
    ring.iter()
        .map(|&(x, y)| locate_in_ring(container, x, y))
        .find(|l| *l != Location::Boundary)
}

#[derive(Clone, Copy)]
struct LabeledEdge {
    e: Edge,
    /// bounding box: min x, min y, max x, max y
    b: [f64; 4],
    part: u32,
    ring: u32,
    /// index among this ring's non-degenerate edges
    idx: u32,
    /// index of the first vertex in the ring as given
    vertex: u32,
}

/// Finds crossing/touching edge pairs with a uniform grid; each pair is
/// tested once, in the cell holding the lower-left corner of the
/// intersection of their bounding boxes.
fn intersections(parts: &[Vec<Ring>]) -> Vec<GeomProblem> {
    let mut edges: Vec<LabeledEdge> = Vec::new();
    let mut ring_len: Vec<Vec<u32>> = Vec::new();
    for (pi, rings) in parts.iter().enumerate() {
        let mut lens = Vec::new();
        for (ri, ring) in rings.iter().enumerate() {
            let mut idx = 0u32;
            for (vi, w) in ring.windows(2).enumerate() {
                if w[0] == w[1] {
                    continue; // repeated position: harmless
                }
                edges.push(LabeledEdge {
                    e: [w[0].0, w[0].1, w[1].0, w[1].1],
                    b: [
                        w[0].0.min(w[1].0),
                        w[0].1.min(w[1].1),
                        w[0].0.max(w[1].0),
                        w[0].1.max(w[1].1),
                    ],
                    part: pi as u32,
                    ring: ri as u32,
                    idx,
                    vertex: vi as u32,
                });
                idx += 1;
            }
            lens.push(idx);
        }
        ring_len.push(lens);
    }
    let n = edges.len();
    if n < 2 {
        return Vec::new();
    }
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for le in &edges {
        let [ax, ay, bx, by] = le.e;
        x0 = x0.min(ax).min(bx);
        y0 = y0.min(ay).min(by);
        x1 = x1.max(ax).max(bx);
        y1 = y1.max(ay).max(by);
    }
    // about 4 cells per edge: few edges share a cell, so few pairs
    let g = ((2.0 * (n as f64).sqrt()).ceil() as usize).clamp(1, 2048);
    let sx = if x1 > x0 { g as f64 / (x1 - x0) } else { 0.0 };
    let sy = if y1 > y0 { g as f64 / (y1 - y0) } else { 0.0 };
    let cx = |x: f64| (((x - x0) * sx) as usize).min(g - 1);
    let cy = |y: f64| (((y - y0) * sy) as usize).min(g - 1);
    let mut count = vec![0u32; g * g + 1];
    let range = |b: &[f64; 4]| (cx(b[0]), cx(b[2]), cy(b[1]), cy(b[3]));
    for le in &edges {
        let (c0, c1, r0, r1) = range(&le.b);
        for r in r0..=r1 {
            for c in c0..=c1 {
                count[r * g + c + 1] += 1;
            }
        }
    }
    for i in 1..count.len() {
        count[i] += count[i - 1];
    }
    let mut fill = count.clone();
    let mut cells = vec![0u32; count[g * g] as usize];
    for (i, le) in edges.iter().enumerate() {
        let (c0, c1, r0, r1) = range(&le.b);
        for r in r0..=r1 {
            for c in c0..=c1 {
                let k = r * g + c;
                cells[fill[k] as usize] = i as u32;
                fill[k] += 1;
            }
        }
    }
    let mut out = Vec::new();
    for cell in 0..g * g {
        let list = &cells[count[cell] as usize..count[cell + 1] as usize];
        for (a, &i) in list.iter().enumerate() {
            for &j in &list[a + 1..] {
                let (p, q) = (&edges[i as usize], &edges[j as usize]);
                if p.b[2] < q.b[0] || q.b[2] < p.b[0] || p.b[3] < q.b[1] || q.b[3] < p.b[1] {
                    continue; // boxes apart: the segments cannot meet
                }
                let (mx, my) = (p.b[0].max(q.b[0]), p.b[1].max(q.b[1]));
                if cy(my) * g + cx(mx) != cell {
                    continue;
                }
                if let Some(adj) = adjacent_doubling_back(p, q, &ring_len) {
                    // neighbours share a vertex by construction; only
                    // doubling back on the same line is wrong
                    if let Some(at) = adj {
                        let first = if p.idx < q.idx { p } else { q };
                        out.push(GeomProblem {
                            part: first.part as usize,
                            ring: first.ring as usize,
                            vertex: first.vertex as usize,
                            kind: ProblemKind::SelfIntersection { at },
                        });
                    }
                    continue;
                }
                let m = meet(&p.e, &q.e);
                if m == Meet::None {
                    continue;
                }
                if let Some(prob) = classify(p, q, m, &ring_len) {
                    out.push(prob);
                }
            }
        }
    }
    out.sort_by_key(|p| (p.part, p.ring, p.vertex));
    out
}

/// For neighbouring edges of one ring: `Some(None)` when fine,
/// `Some(Some(at))` when the second doubles back over the first; `None`
/// when the edges are not neighbours.
fn adjacent_doubling_back(
    p: &LabeledEdge,
    q: &LabeledEdge,
    ring_len: &[Vec<u32>],
) -> Option<Option<(f64, f64)>> {
    if p.part != q.part || p.ring != q.ring {
        return None;
    }
    let (p, q) = if p.idx <= q.idx { (p, q) } else { (q, p) };
    let len = ring_len[p.part as usize][p.ring as usize];
    // (far end of the first, shared vertex, far end of the second)
    let (a, v, b) = if q.idx == p.idx + 1 {
        ((p.e[0], p.e[1]), (p.e[2], p.e[3]), (q.e[2], q.e[3]))
    } else if p.idx == 0 && q.idx + 1 == len && len > 2 {
        ((q.e[0], q.e[1]), (q.e[2], q.e[3]), (p.e[2], p.e[3]))
    } else {
        return None;
    };
    if crate::exact::orient(a.0, a.1, v.0, v.1, b.0, b.1) != 0.0 {
        return Some(None);
    }
    let dot = (a.0 - v.0) * (b.0 - v.0) + (a.1 - v.1) * (b.1 - v.1);
    Some((dot > 0.0).then_some(v))
}

fn classify(
    p: &LabeledEdge,
    q: &LabeledEdge,
    m: Meet,
    ring_len: &[Vec<u32>],
) -> Option<GeomProblem> {
    let (p, q) = if (p.part, p.ring, p.idx) <= (q.part, q.ring, q.idx) {
        (p, q)
    } else {
        (q, p)
    };
    let at = match m {
        Meet::None => return None,
        Meet::Cross(x, y) | Meet::Touch(x, y) | Meet::Overlap(x, y) => (x, y),
    };
    let mk = |kind| {
        Some(GeomProblem {
            part: p.part as usize,
            ring: p.ring as usize,
            vertex: p.vertex as usize,
            kind,
        })
    };
    if p.part != q.part {
        return match m {
            Meet::Touch(..) => None,
            _ => mk(ProblemKind::PartsOverlap {
                at: Some(at),
                other_part: q.part as usize,
            }),
        };
    }
    if p.ring != q.ring {
        return match m {
            Meet::Touch(..) => None,
            _ => mk(ProblemKind::RingsCross {
                at,
                other_ring: q.ring as usize,
            }),
        };
    }
    let len = ring_len[p.part as usize][p.ring as usize];
    let adjacent = q.idx == p.idx + 1 || (p.idx == 0 && q.idx + 1 == len);
    if adjacent {
        // neighbours always share a vertex; only doubling back is wrong
        if let Meet::Overlap(..) = m {
            return mk(ProblemKind::SelfIntersection { at });
        }
        if let Meet::Cross(..) = m {
            return mk(ProblemKind::SelfIntersection { at });
        }
        // a touch elsewhere than the shared vertex cannot happen for
        // non-collinear neighbours
        return None;
    }
    mk(ProblemKind::SelfIntersection { at })
}
