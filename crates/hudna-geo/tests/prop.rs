//! The index agrees with brute force: an independent even-odd
//! point-in-polygon over every ring with exact on-segment detection, and a
//! scan of every edge for the border distance.

use geo::{LineString, MultiPolygon, Polygon};
use hudna_geo::*;
use proptest::prelude::*;

const Q: f64 = 1.0 / 1024.0; // coordinates on a dyadic grid: edge midpoints are exact

fn q(v: f64) -> f64 {
    (v / Q).round() * Q
}

/// Star-shaped simple ring around (cx, cy); counter-clockwise.
fn star(cx: f64, cy: f64, r: f64, radii: &[f64], jitter: &[f64]) -> Vec<(f64, f64)> {
    let n = radii.len();
    let mut pts: Vec<(f64, f64)> = (0..n)
        .map(|i| {
            let a = (i as f64 + 0.3 * jitter[i]) / n as f64 * std::f64::consts::TAU;
            (
                q(cx + r * radii[i] * a.cos()),
                q(cy + r * radii[i] * a.sin()),
            )
        })
        .collect();
    pts.dedup();
    pts.push(pts[0]);
    pts
}

#[derive(Debug, Clone)]
struct Version {
    key: u32,
    parts: Vec<Vec<Vec<(f64, f64)>>>,
    from: i32,
    to: Option<i32>,
    security: bool,
}

fn version_strategy(key: u32) -> impl Strategy<Value = Version> {
    (
        (35.7f64..42.4, 32.3f64..37.3, 0.2f64..1.0),
        // >= 5 vertices: angular gaps stay below pi, so the ring is star-shaped
        // around the centre and the scaled hole lies inside it
        prop::collection::vec((0.5f64..1.0, -1.0f64..1.0), 5..40),
        any::<bool>(),
        any::<bool>(),
        (0i32..100, prop::option::of(1i32..60)),
        prop::bool::weighted(0.2),
    )
        .prop_map(
            move |((cx, cy, r), rv, hole, multi, (from, len), security)| {
                let radii: Vec<f64> = rv.iter().map(|v| v.0).collect();
                let jit: Vec<f64> = rv.iter().map(|v| v.1).collect();
                let mut shell = vec![star(cx, cy, r, &radii, &jit)];
                if hole {
                    let mut h = star(cx, cy, r * 0.3, &radii, &jit);
                    h.reverse();
                    shell.push(h);
                }
                let mut parts = vec![shell];
                if multi {
                    // a second part two and a half radii away: disjoint
                    parts.push(vec![star(cx + 2.5 * r, cy, r * 0.5, &radii, &jit)]);
                }
                Version {
                    key,
                    parts,
                    from,
                    to: len.map(|l| from + l),
                    security,
                }
            },
        )
}

fn to_input(v: &Version) -> AreaInput {
    let polys = v
        .parts
        .iter()
        .map(|rings| {
            Polygon::new(
                LineString::from(rings[0].clone()),
                rings[1..]
                    .iter()
                    .map(|h| LineString::from(h.clone()))
                    .collect(),
            )
        })
        .collect();
    AreaInput {
        key: v.key,
        shape: AreaShape::Polygon(MultiPolygon(polys)),
        validity: Validity {
            from: v.from,
            to: v.to,
        },
        status: Status::Active,
        security: v.security,
    }
}

fn orient(a: (f64, f64), b: (f64, f64), c: (f64, f64)) -> f64 {
    robust::orient2d(
        robust::Coord { x: a.0, y: a.1 },
        robust::Coord { x: b.0, y: b.1 },
        robust::Coord { x: c.0, y: c.1 },
    )
}

/// Even-odd crossing count per part; any part covering wins; on a segment = covered.
fn brute_covers(v: &Version, p: (f64, f64)) -> bool {
    v.parts.iter().any(|rings| {
        let mut inside = false;
        for r in rings {
            for w in r.windows(2) {
                let (a, b) = (w[0], w[1]);
                if orient(a, b, p) == 0.0
                    && p.0 >= a.0.min(b.0)
                    && p.0 <= a.0.max(b.0)
                    && p.1 >= a.1.min(b.1)
                    && p.1 <= a.1.max(b.1)
                {
                    return true;
                }
                if (a.1 > p.1) != (b.1 > p.1) {
                    // crossing to the right of p?
                    let o = orient(a, b, p);
                    if (b.1 > a.1) == (o > 0.0) {
                        inside = !inside;
                    }
                }
            }
        }
        inside
    })
}

fn valid(v: &Version, day: i32) -> bool {
    v.from <= day && v.to.is_none_or(|t| day < t)
}

/// Equirectangular distance at p, in km (the documented metric).
fn seg_km(a: (f64, f64), b: (f64, f64), p: (f64, f64)) -> f64 {
    let k = p.1.to_radians().cos();
    let (ax, ay) = ((a.0 - p.0) * k, a.1 - p.1);
    let (dx, dy) = ((b.0 - a.0) * k, b.1 - a.1);
    let l2 = dx * dx + dy * dy;
    let t = if l2 > 0.0 {
        (-(ax * dx + ay * dy) / l2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (ex, ey) = (ax + t * dx, ay + t * dy);
    (ex * ex + ey * ey).sqrt() * KM_PER_DEG
}

fn brute_border(vs: &[Version], p: (f64, f64), day: i32) -> Option<f64> {
    vs.iter()
        .filter(|v| !v.security && valid(v, day))
        .flat_map(|v| v.parts.iter().flatten())
        .flat_map(|r| r.windows(2).map(|w| seg_km(w[0], w[1], p)))
        .reduce(f64::min)
}

/// (kind, u, w, day, pick): how to draw one query point.
type RawPoint = (u8, f64, f64, i32, u16);

fn case() -> impl Strategy<Value = (Vec<Version>, Vec<RawPoint>)> {
    (1usize..12).prop_flat_map(|n| {
        let vs: Vec<_> = (0..n as u32).map(|k| version_strategy(k * 3 + 1)).collect();
        (
            vs,
            prop::collection::vec(
                (0u8..4, 0.0f64..1.0, 0.0f64..1.0, -5i32..170, any::<u16>()),
                200,
            ),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn index_agrees_with_brute_force((vs, raw) in case()) {
        let ix = ZoneIndex::build(vs.iter().map(to_input).collect())
            .map_err(|e| TestCaseError::fail(format!("build: {e}")))?;
        let all: Vec<(f64, f64)> = vs.iter().flat_map(|v| v.parts.iter().flatten().flatten().copied()).collect();
        for (kind, u, w, day, pick) in raw {
            // 0: uniform; 1: a vertex; 2: an edge midpoint; 3: a hair off a vertex
            let p = match kind {
                0 => (34.0 + u * 11.0, 31.0 + w * 8.0),
                _ => {
                    let i = pick as usize % (all.len() - 1);
                    let (a, b) = (all[i], all[i + 1]);
                    match kind {
                        1 => a,
                        2 => ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0),
                        _ => (a.0 + (u - 0.5) * 1e-12, a.1 + (w - 0.5) * 1e-12),
                    }
                }
            };
            // days at interval edges as often as not
            let day = if pick % 2 == 0 {
                let v = &vs[pick as usize % vs.len()];
                if pick % 4 == 0 { v.from } else { v.to.unwrap_or(v.from) - (pick % 3) as i32 + 1 }
            } else { day };
            let want: Vec<u32> = vs.iter().filter(|v| valid(v, day) && brute_covers(v, p)).map(|v| v.key).collect();
            let hit = ix.query(p.0, p.1, day);
            prop_assert_eq!(&hit.covering, &want, "point {:?} day {}", p, day);
            let sec = vs.iter().any(|v| want.contains(&v.key) && v.security);
            prop_assert_eq!(hit.in_security_zone, sec);
            let bb = brute_border(&vs, p, day);
            match (hit.border_km, bb) {
                (None, None) => {}
                (Some(a), Some(b)) => prop_assert!((a - b).abs() <= 1e-9 + 1e-9 * b, "border {} vs brute {} at {:?} day {}", a, b, p, day),
                (a, b) => prop_assert!(false, "border {:?} vs brute {:?}", a, b),
            }
            if let Some(b) = bb {
                let within = ix.within_km(p.0, p.1, day, b + 0.5);
                prop_assert!(within.contains(&hit.nearest_border_key.unwrap()));
            }
        }
    }

    #[test]
    fn valid_stars_pass_validation(v in version_strategy(1)) {
        let AreaShape::Polygon(mp) = to_input(&v).shape else { unreachable!() };
        prop_assert_eq!(validate_multipolygon(&mp), vec![]);
    }

    #[test]
    fn a_ring_revisiting_a_vertex_is_caught(v in version_strategy(1), i in 0usize..1000, k in 2usize..1000) {
        // detour from vertex i to vertex j (not a neighbour) and back: the
        // ring now touches itself at j, whatever else the chords cross
        let shell = &v.parts[0][0];
        let n = shell.len() - 1;
        prop_assume!(n >= 4);
        let i = i % n;
        let j = (i + 2 + k % (n - 2)) % n;
        prop_assume!(j != i && j != (i + 1) % n && (j + 1) % n != i);
        let mut bad = shell[..n].to_vec();
        bad.insert(i + 1, shell[j]);
        bad.push(bad[0]);
        let probs = validate_ring_coords(&bad, true);
        prop_assert!(probs.iter().any(|p| matches!(p.kind, ProblemKind::SelfIntersection { .. })), "{:?}", probs);
    }
}

/// Many overlapping versions at once (beyond what the shrinking-friendly
/// proptest cases hold): 300 versions stacked on a few centres, every one
/// valid on some of the query days, 4,000 points half of them on vertices
/// or edge midpoints; every answer checked against brute force.
#[test]
fn hundreds_of_overlapping_versions_agree_with_brute_force() {
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut vs = Vec::new();
    for k in 0..300u32 {
        let c = (k % 4) as f64; // four families on four centres
        let n = 5 + (next() * 60.0) as usize;
        let radii: Vec<f64> = (0..n).map(|_| 0.5 + 0.5 * next()).collect();
        let jit: Vec<f64> = (0..n).map(|_| next() * 2.0 - 1.0).collect();
        let (cx, cy, r) = (37.0 + c * 0.4, 35.0 + c * 0.2, 0.3 + 0.4 * next());
        let mut parts = vec![vec![star(cx, cy, r, &radii, &jit)]];
        if k % 3 == 0 {
            let mut h = star(cx, cy, r * 0.3, &radii, &jit);
            h.reverse();
            parts[0].push(h);
        }
        if k % 5 == 0 {
            parts.push(vec![star(cx + 2.5 * r, cy, r * 0.5, &radii, &jit)]);
        }
        let from = (next() * 100.0) as i32;
        let to = (k % 7 != 0).then(|| from + 1 + (next() * 80.0) as i32);
        vs.push(Version {
            key: 1000 + k,
            parts,
            from,
            to,
            security: k % 10 == 0,
        });
    }
    let ix = ZoneIndex::build(vs.iter().map(to_input).collect()).expect("valid versions");
    let all: Vec<(f64, f64)> = vs
        .iter()
        .flat_map(|v| v.parts.iter().flatten().flatten().copied())
        .collect();
    let mut max_cover = 0;
    for i in 0..4000 {
        let p = match i % 4 {
            0 | 1 => (36.5 + next() * 3.0, 34.5 + next() * 2.0),
            2 => all[(next() * all.len() as f64) as usize],
            _ => {
                let j = (next() * (all.len() - 1) as f64) as usize;
                (
                    (all[j].0 + all[j + 1].0) / 2.0,
                    (all[j].1 + all[j + 1].1) / 2.0,
                )
            }
        };
        let day = (next() * 190.0) as i32 - 5;
        let want: Vec<u32> = vs
            .iter()
            .filter(|v| valid(v, day) && brute_covers(v, p))
            .map(|v| v.key)
            .collect();
        let hit = ix.query(p.0, p.1, day);
        assert_eq!(hit.covering, want, "point {p:?} day {day}");
        max_cover = max_cover.max(want.len());
        match (hit.border_km, brute_border(&vs, p, day)) {
            (None, None) => {}
            (Some(a), Some(b)) => assert!((a - b).abs() <= 1e-9 + 1e-9 * b, "{a} vs {b}"),
            (a, b) => panic!("border {a:?} vs brute {b:?} at {p:?} day {day}"),
        }
    }
    assert!(
        max_cover >= 10,
        "the workload must stack versions: {max_cover}"
    );
}

/// A comb whose axis-aligned edges fall exactly on the version grid's cell
/// lines (dyadic bbox and coordinates), probed on and around every line:
/// the conservative cell classification must never answer a cell wrongly.
#[test]
fn edges_on_grid_lines_are_located_exactly() {
    // teeth of width 1/32 every 1/16 over [36, 37] x [35, 36]
    let mut ring = vec![(36.0, 35.0), (37.0, 35.0), (37.0, 35.5)];
    let mut x = 37.0;
    while x > 36.0 {
        ring.push((x, 36.0));
        ring.push((x - 1.0 / 32.0, 36.0));
        ring.push((x - 1.0 / 32.0, 35.5));
        ring.push((x - 1.0 / 16.0, 35.5));
        x -= 1.0 / 16.0;
    }
    ring.pop();
    ring.push((36.0, 35.0));
    let v = Version {
        key: 5,
        parts: vec![vec![ring]],
        from: 0,
        to: None,
        security: false,
    };
    let ix = ZoneIndex::build(vec![to_input(&v)]).expect("valid comb");
    let mut checked = 0;
    for i in 0..=256 {
        for j in 0..=64 {
            let p = (36.0 + i as f64 / 256.0, 35.0 + j as f64 / 64.0);
            for d in [0.0, 1e-12, -1e-12] {
                for q in [(p.0 + d, p.1), (p.0, p.1 + d)] {
                    let want = brute_covers(&v, q);
                    assert_eq!(ix.query(q.0, q.1, 1).covering == vec![5], want, "{q:?}");
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 257 * 65 * 6);
}
