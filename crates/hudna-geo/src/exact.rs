//! Exact predicates (Shewchuk's adaptive `orient2d` from the `robust` crate)
//! and the two primitives everything else is built on: locating a point
//! against a set of rings, and classifying how two segments meet.

/// Sign of the turn a → b → c: > 0 counter-clockwise (c left of a→b),
/// < 0 clockwise, exactly 0 when collinear.
#[inline]
pub(crate) fn orient(ax: f64, ay: f64, bx: f64, by: f64, cx: f64, cy: f64) -> f64 {
    robust::orient2d(
        robust::Coord { x: ax, y: ay },
        robust::Coord { x: bx, y: by },
        robust::Coord { x: cx, y: cy },
    )
}

/// Where a point lies with respect to an area. Decided exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    Outside,
    /// On an edge or a vertex of any ring (shell or hole).
    Boundary,
    Interior,
}

impl Location {
    /// The boundary rule (PostGIS `ST_Covers`): boundary points are covered.
    #[inline]
    pub fn covered(self) -> bool {
        self != Location::Outside
    }
}

/// One directed edge `[ax, ay, bx, by]`.
pub(crate) type Edge = [f64; 4];

/// Adds the contribution of edge `e` to the winding number of `(px, py)`,
/// or returns `true` when the point lies exactly on the edge.
///
/// Half-open crossing rule: an upward edge counts when `ay <= py < by`, a
/// downward one when `by <= py < ay`, so a ray through a vertex is counted
/// once. Edges whose closed y-range holds `py` are also tested for
/// "point on segment", which catches vertices at local y-extrema and
/// horizontal edges that the crossing rule skips.
#[inline(always)]
pub(crate) fn winding_step(e: &Edge, px: f64, py: f64, w: &mut i32) -> bool {
    let [ax, ay, bx, by] = *e;
    let (ylo, yhi) = if ay < by { (ay, by) } else { (by, ay) };
    if py < ylo || py > yhi {
        return false;
    }
    let (xlo, xhi) = if ax < bx { (ax, bx) } else { (bx, ax) };
    if px > xhi {
        return false;
    }
    if ay == by {
        // horizontal edge at the point's height: on it, or irrelevant
        return px >= xlo;
    }
    if px < xlo {
        // the edge lies wholly to the right of the point: a crossing iff
        // the half-open rule says so; the point cannot be on it
        if ay < by {
            if py < by {
                *w += 1;
            }
        } else if py < ay {
            *w -= 1;
        }
        return false;
    }
    let o = orient(ax, ay, bx, by, px, py);
    if o == 0.0 {
        return true; // collinear and inside the edge's bounding box
    }
    if ay < by {
        if py < by && o > 0.0 {
            *w += 1;
        }
    } else if py < ay && o < 0.0 {
        *w -= 1;
    }
    false
}

/// Locates a point against one closed ring (first = last), even-odd by
/// orientation-independent winding (|w| is 0 or 1 for a simple ring).
pub(crate) fn locate_in_ring(ring: &[(f64, f64)], px: f64, py: f64) -> Location {
    let mut w = 0;
    for s in ring.windows(2) {
        let e = [s[0].0, s[0].1, s[1].0, s[1].1];
        if winding_step(&e, px, py, &mut w) {
            return Location::Boundary;
        }
    }
    if w != 0 {
        Location::Interior
    } else {
        Location::Outside
    }
}

/// How two closed segments meet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Meet {
    None,
    /// Interiors cross at one point (approximate coordinates).
    Cross(f64, f64),
    /// They touch at one point (an endpoint of at least one of them).
    Touch(f64, f64),
    /// Collinear and sharing more than one point; the first shared point.
    Overlap(f64, f64),
}

#[inline]
fn in_box(ax: f64, ay: f64, bx: f64, by: f64, px: f64, py: f64) -> bool {
    px >= ax.min(bx) && px <= ax.max(bx) && py >= ay.min(by) && py <= ay.max(by)
}

/// Exact classification of the meeting of segments p = (p1, p2) and
/// q = (q1, q2).
pub(crate) fn meet(p: &Edge, q: &Edge) -> Meet {
    let [p1x, p1y, p2x, p2y] = *p;
    let [q1x, q1y, q2x, q2y] = *q;
    if p1x.max(p2x) < q1x.min(q2x)
        || q1x.max(q2x) < p1x.min(p2x)
        || p1y.max(p2y) < q1y.min(q2y)
        || q1y.max(q2y) < p1y.min(p2y)
    {
        return Meet::None;
    }
    let d1 = orient(q1x, q1y, q2x, q2y, p1x, p1y);
    let d2 = orient(q1x, q1y, q2x, q2y, p2x, p2y);
    let d3 = orient(p1x, p1y, p2x, p2y, q1x, q1y);
    let d4 = orient(p1x, p1y, p2x, p2y, q2x, q2y);
    if ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0))
        && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0))
    {
        let t = d1 / (d1 - d2);
        return Meet::Cross(p1x + t * (p2x - p1x), p1y + t * (p2y - p1y));
    }
    if d1 == 0.0 && d2 == 0.0 {
        // collinear: collect the endpoints lying on the other segment
        let mut shared: Vec<(f64, f64)> = Vec::with_capacity(4);
        for &(x, y) in &[(p1x, p1y), (p2x, p2y)] {
            if in_box(q1x, q1y, q2x, q2y, x, y) {
                shared.push((x, y));
            }
        }
        for &(x, y) in &[(q1x, q1y), (q2x, q2y)] {
            if in_box(p1x, p1y, p2x, p2y, x, y) {
                shared.push((x, y));
            }
        }
        let Some(&first) = shared.first() else {
            return Meet::None;
        };
        return if shared.iter().any(|&s| s != first) {
            Meet::Overlap(first.0, first.1)
        } else {
            Meet::Touch(first.0, first.1)
        };
    }
    if d1 == 0.0 && in_box(q1x, q1y, q2x, q2y, p1x, p1y) {
        return Meet::Touch(p1x, p1y);
    }
    if d2 == 0.0 && in_box(q1x, q1y, q2x, q2y, p2x, p2y) {
        return Meet::Touch(p2x, p2y);
    }
    if d3 == 0.0 && in_box(p1x, p1y, p2x, p2y, q1x, q1y) {
        return Meet::Touch(q1x, q1y);
    }
    if d4 == 0.0 && in_box(p1x, p1y, p2x, p2y, q2x, q2y) {
        return Meet::Touch(q2x, q2y);
    }
    Meet::None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meet_classifies_every_case() {
        let p = [0.0, 0.0, 2.0, 2.0];
        assert!(
            matches!(meet(&p, &[0.0, 2.0, 2.0, 0.0]), Meet::Cross(x, y) if (x - 1.0).abs() < 1e-12 && (y - 1.0).abs() < 1e-12)
        );
        assert_eq!(meet(&p, &[2.0, 2.0, 3.0, 0.0]), Meet::Touch(2.0, 2.0));
        assert_eq!(meet(&p, &[1.0, 1.0, 3.0, 0.0]), Meet::Touch(1.0, 1.0));
        assert_eq!(meet(&p, &[1.0, 1.0, 3.0, 3.0]), Meet::Overlap(2.0, 2.0));
        assert_eq!(meet(&p, &[2.0, 2.0, 3.0, 3.0]), Meet::Touch(2.0, 2.0));
        assert_eq!(meet(&p, &[3.0, 3.0, 4.0, 4.0]), Meet::None);
        assert_eq!(meet(&p, &[0.0, 1.0, 0.5, 2.0]), Meet::None);
    }

    #[test]
    fn winding_handles_vertices_and_horizontal_edges() {
        // CCW square with a vertex at mid-height of the left side
        let ring = [
            (0.0, 0.0),
            (2.0, 0.0),
            (2.0, 2.0),
            (0.0, 2.0),
            (0.0, 1.0),
            (0.0, 0.0),
        ];
        assert_eq!(locate_in_ring(&ring, 1.0, 1.0), Location::Interior);
        assert_eq!(locate_in_ring(&ring, -1.0, 1.0), Location::Outside);
        assert_eq!(locate_in_ring(&ring, 0.0, 1.0), Location::Boundary);
        assert_eq!(locate_in_ring(&ring, 1.0, 0.0), Location::Boundary);
        assert_eq!(locate_in_ring(&ring, 2.0, 2.0), Location::Boundary);
        assert_eq!(locate_in_ring(&ring, 3.0, 2.0), Location::Outside);
        assert_eq!(locate_in_ring(&ring, -1.0, 2.0), Location::Outside);
        assert_eq!(locate_in_ring(&ring, -1.0, 0.0), Location::Outside);
    }
}
