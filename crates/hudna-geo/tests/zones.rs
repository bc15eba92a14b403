//! Behaviour of the zone index on hand-made cases: boundary rule, holes,
//! multipolygons, interval edges, border distance, bands, batches.

use geo::{LineString, MultiPolygon, Polygon};
use hudna_geo::*;

fn ring(c: &[(f64, f64)]) -> LineString<f64> {
    LineString::from(c.to_vec())
}

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Vec<(f64, f64)> {
    vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
}

fn rect_cw(x0: f64, y0: f64, x1: f64, y1: f64) -> Vec<(f64, f64)> {
    let mut r = rect(x0, y0, x1, y1);
    r.reverse();
    r
}

fn area(key: u32, polys: Vec<Polygon<f64>>, from: i32, to: Option<i32>) -> AreaInput {
    AreaInput {
        key,
        shape: AreaShape::Polygon(MultiPolygon(polys)),
        validity: Validity { from, to },
        status: Status::Active,
        security: false,
    }
}

/// Square 36..37 x 35..36 with a hole 36.4..36.6 x 35.4..35.6, valid
/// [100, 200); a two-part multipolygon valid from 150 on.
fn sample() -> ZoneIndex {
    let sq = Polygon::new(
        ring(&rect(36.0, 35.0, 37.0, 36.0)),
        vec![ring(&rect_cw(36.4, 35.4, 36.6, 35.6))],
    );
    let a = Polygon::new(ring(&rect(38.0, 33.0, 38.5, 33.5)), vec![]);
    let b = Polygon::new(ring(&rect(39.0, 33.0, 39.5, 33.5)), vec![]);
    ZoneIndex::build(vec![
        area(1, vec![sq], 100, Some(200)),
        area(2, vec![a, b], 150, None),
    ])
    .expect("valid sample")
}

fn covering(ix: &ZoneIndex, lon: f64, lat: f64, day: i32) -> Vec<u32> {
    ix.query(lon, lat, day).covering
}

#[test]
fn boundary_rule_is_covers() {
    let ix = sample();
    let cases = [
        ((36.5, 35.2), vec![1]),        // interior
        ((36.0, 35.5), vec![1]),        // on the shell's west edge
        ((37.0, 36.0), vec![1]),        // on a shell vertex
        ((36.5, 36.0), vec![1]),        // on the top edge
        ((36.4, 35.5), vec![1]),        // on the hole's edge: covered
        ((36.6, 35.6), vec![1]),        // on a hole vertex
        ((36.5, 35.5), vec![]),         // inside the hole
        ((37.0 + 1e-13, 35.5), vec![]), // just outside the east edge
        ((36.4 + 1e-13, 35.5), vec![]), // just inside the hole
        ((35.9, 35.5), vec![]),
    ];
    for ((lon, lat), want) in cases {
        assert_eq!(covering(&ix, lon, lat, 120), want, "at ({lon}, {lat})");
    }
    assert_eq!(ix.locate(1, 36.0, 35.5), Some(Location::Boundary));
    assert_eq!(ix.locate(1, 36.5, 35.5), Some(Location::Outside));
    assert_eq!(ix.locate(1, 36.2, 35.5), Some(Location::Interior));
}

#[test]
fn the_index_can_be_shared_across_threads() {
    fn send_sync<T: Send + Sync>(_: &T) {}
    let ix = sample();
    send_sync(&ix);
    let ix = &ix;
    let got: Vec<Vec<u32>> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..4)
            .map(|k| s.spawn(move || ix.query(36.1 + k as f64 * 0.3, 35.2, 120).covering))
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    // 36.1, 36.4 and 36.7 inside (south of the hole), 37.0 on the east edge
    assert_eq!(got, vec![vec![1], vec![1], vec![1], vec![1]]);
}

#[test]
fn non_finite_points_are_covered_by_nothing() {
    let ix = sample();
    assert_eq!(ix.query(f64::NAN, 35.5, 120), Hit::default());
    assert_eq!(ix.query(36.5, f64::INFINITY, 120), Hit::default());
    let mut out = vec![];
    assert!(!ix.covering_into(f64::NAN, f64::NAN, 120, &mut out));
    assert!(out.is_empty());
    assert_eq!(ix.within_km(f64::NAN, 35.5, 120, 1e9), Vec::<u32>::new());
}

#[test]
fn validity_is_half_open() {
    let ix = sample();
    assert_eq!(covering(&ix, 36.5, 35.2, 99), Vec::<u32>::new());
    assert_eq!(covering(&ix, 36.5, 35.2, 100), vec![1]);
    assert_eq!(covering(&ix, 36.5, 35.2, 199), vec![1]);
    assert_eq!(covering(&ix, 36.5, 35.2, 200), Vec::<u32>::new());
    // open-ended multipolygon: both parts, not the gap between them
    assert_eq!(covering(&ix, 39.2, 33.2, 149), Vec::<u32>::new());
    assert_eq!(covering(&ix, 39.2, 33.2, 150), vec![2]);
    assert_eq!(covering(&ix, 38.2, 33.2, 100_000), vec![2]);
    assert_eq!(covering(&ix, 38.75, 33.2, 160), Vec::<u32>::new());
}

#[test]
fn overlapping_versions_are_all_reported() {
    let mut areas = Vec::new();
    for k in 0..50u32 {
        let d = k as f64 * 0.01;
        let p = Polygon::new(ring(&rect(36.0 + d, 35.0, 37.0 + d, 36.0)), vec![]);
        areas.push(area(k, vec![p], k as i32 * 10, Some(k as i32 * 10 + 25)));
    }
    let ix = ZoneIndex::build(areas).unwrap();
    // day 100: versions 8 (80..105), 9 (90..115), 10 (100..125)
    assert_eq!(covering(&ix, 36.5, 35.5, 100), vec![8, 9, 10]);
    // x = 36.09 is covered by versions with d <= 0.09 only
    assert_eq!(covering(&ix, 36.09, 35.5, 90), vec![7, 8, 9]);
    assert_eq!(covering(&ix, 36.085, 35.5, 90), vec![7, 8]);
}

#[test]
fn border_distance_and_within_km() {
    let ix = sample();
    // centre of the square's west half, near the west edge
    let (lon, lat) = (36.05, 35.2);
    let hit = ix.query(lon, lat, 120);
    // equirectangular at the point: 0.05 deg of longitude at cos(35.2 deg)
    let want = 0.05 * lat.to_radians().cos() * KM_PER_DEG;
    let got = hit.border_km.unwrap();
    assert!((got - want).abs() < 1e-9 * want, "{got} vs {want}");
    // and within the documented 0.0023 %/km of the great-circle distance
    let gc = haversine_km(lat, lon, lat, 36.0);
    assert!((got - gc).abs() < 0.000023 * got * gc, "{got} vs {gc}");
    assert!((got - 4.55).abs() < 0.05, "about 4.55 km, got {got}");
    assert_eq!(hit.nearest_border_key, Some(1));
    // the hole's border counts as border too
    let hit = ix.query(36.5, 35.5, 120);
    let want = haversine_km(35.5, 36.5, 35.5, 36.4);
    assert!((hit.border_km.unwrap() - want).abs() < 1e-3);
    // day 160: the multipolygon is valid and nearer from its own gap
    let hit = ix.query(38.75, 33.25, 160);
    assert_eq!(hit.nearest_border_key, Some(2));
    let want = haversine_km(33.25, 38.75, 33.25, 38.5);
    assert!((hit.border_km.unwrap() - want).abs() < 1e-3);
    // no version valid: no distance
    assert_eq!(ix.query(36.5, 35.5, 50).border_km, None);
    assert_eq!(ix.within_km(36.05, 35.2, 120, 5.0), vec![1]);
    assert_eq!(ix.within_km(36.05, 35.2, 120, 4.0), Vec::<u32>::new());
    assert_eq!(ix.within_km(38.75, 33.25, 120, 50.0), Vec::<u32>::new());
    assert_eq!(ix.within_km(38.75, 33.25, 160, 50.0), vec![2]);
}

#[test]
fn security_areas_cover_but_have_no_border() {
    let sq = Polygon::new(ring(&rect(36.0, 35.0, 37.0, 36.0)), vec![]);
    let sec = Polygon::new(ring(&rect(36.9, 35.0, 37.2, 36.0)), vec![]);
    let mut s = area(7, vec![sec], 0, None);
    s.security = true;
    let ix = ZoneIndex::build(vec![area(1, vec![sq], 0, None), s]).unwrap();
    let hit = ix.query(36.95, 35.5, 10);
    assert_eq!(hit.covering, vec![1, 7]);
    assert!(hit.in_security_zone);
    assert_eq!(hit.nearest_border_key, Some(1));
    let hit = ix.query(37.1, 35.5, 10);
    assert_eq!(hit.covering, vec![7]);
    assert!(hit.in_security_zone);
    assert!(!ix.query(36.5, 35.5, 10).in_security_zone);
}

#[test]
fn bands_follow_width_side_and_base_validity() {
    let sq = Polygon::new(ring(&rect(36.0, 35.0, 37.0, 36.0)), vec![]);
    let band = |key, side, from| AreaInput {
        key,
        shape: AreaShape::Band {
            of: 1,
            width_km: 2.0,
            side,
        },
        validity: Validity { from, to: None },
        status: Status::Active,
        security: true,
    };
    let ix = ZoneIndex::build(vec![
        area(1, vec![sq], 10, Some(100)),
        band(10, Side::Outside, 0),
        band(11, Side::Inside, 0),
        band(12, Side::Both, 50),
    ])
    .unwrap();
    let km = 1.0 / KM_PER_DEG; // one km of latitude in degrees
    let cov = |lat: f64, day| ix.query(36.5, lat, day).covering;
    assert_eq!(cov(36.0 + km, 20), vec![10]); // 1 km outside
    assert_eq!(cov(36.0 + 3.0 * km, 20), Vec::<u32>::new()); // 3 km outside
    assert_eq!(cov(36.0 - km, 20), vec![1, 11]); // 1 km inside
    assert_eq!(cov(36.0, 20), vec![1, 10, 11]); // on the border: both sides
    assert_eq!(cov(36.0, 60), vec![1, 10, 11, 12]);
    assert_eq!(cov(36.0 - 1.9 * km, 60), vec![1, 11, 12]);
    assert_eq!(cov(36.0 - 2.1 * km, 60), vec![1]);
    assert_eq!(cov(36.0 + km, 5), Vec::<u32>::new()); // base not yet valid
    assert_eq!(cov(36.0 + km, 100), Vec::<u32>::new()); // base expired
    assert!(ix.query(36.5, 36.0 + km, 20).in_security_zone);
}

#[test]
fn batches_match_single_queries_and_report_progress() {
    let ix = sample();
    let pts: Vec<(f64, f64, i32)> = (0..5000)
        .map(|i| {
            let f = i as f64;
            (
                35.5 + (f * 0.618).fract() * 4.5,
                32.5 + (f * 0.414).fract() * 4.0,
                90 + (i % 130),
            )
        })
        .collect();
    let single = ix.query_batch_single(&pts);
    assert_eq!(ix.query_batch(&pts), single);
    let mut calls = Vec::new();
    let chunked = ix.query_batch_progress(&pts, 1000, |done, total| calls.push((done, total)));
    assert_eq!(chunked, single);
    assert_eq!(calls, (1..=5).map(|k| (k * 1000, 5000)).collect::<Vec<_>>());
    assert_eq!(single[17], ix.query(pts[17].0, pts[17].1, pts[17].2));
    assert!(single.iter().any(|h| h.covering == vec![1]));
    assert!(single.iter().any(|h| h.covering == vec![2]));
}

#[test]
fn invalid_geometry_is_reported_with_location() {
    // bow-tie: edges (0->1) and (2->3) cross at (36.5, 35.5)
    let bow = Polygon::new(
        ring(&[
            (36.0, 35.0),
            (37.0, 36.0),
            (37.0, 35.0),
            (36.0, 36.0),
            (36.0, 35.0),
        ]),
        vec![],
    );
    let ok = Polygon::new(ring(&rect(30.0, 30.0, 31.0, 31.0)), vec![]);
    let err = ZoneIndex::build(vec![
        area(3, vec![ok], 0, None),
        area(9, vec![bow], 0, None),
    ])
    .err()
    .expect("bow-tie must be rejected");
    let GeoError::InvalidGeometry(probs) = err else {
        panic!("wrong error")
    };
    assert_eq!(probs.len(), 1, "{probs:?}");
    assert_eq!(probs[0].key, 9);
    assert_eq!(probs[0].problem.ring, 0);
    assert_eq!(probs[0].problem.vertex, 0);
    match probs[0].problem.kind {
        ProblemKind::SelfIntersection { at } => {
            assert!(
                (at.0 - 36.5).abs() < 1e-9 && (at.1 - 35.5).abs() < 1e-9,
                "{at:?}"
            )
        }
        k => panic!("unexpected {k:?}"),
    }
}

#[test]
fn winding_is_rejected_unless_fix_is_asked() {
    let cw = Polygon::new(ring(&rect_cw(36.0, 35.0, 37.0, 36.0)), vec![]);
    let err = ZoneIndex::build(vec![area(4, vec![cw.clone()], 0, None)])
        .err()
        .unwrap();
    let GeoError::InvalidGeometry(p) = err else {
        panic!()
    };
    assert_eq!(p[0].problem.kind, ProblemKind::WrongWinding);
    let ix = ZoneIndex::build_with(
        vec![area(4, vec![cw], 0, None)],
        BuildOptions {
            winding: Winding::Fix,
        },
    )
    .unwrap();
    assert_eq!(covering(&ix, 36.5, 35.5, 1), vec![4]);
    assert_eq!(covering(&ix, 37.5, 35.5, 1), Vec::<u32>::new());
}

#[test]
fn build_rejects_bad_inputs() {
    let sq = || Polygon::new(ring(&rect(36.0, 35.0, 37.0, 36.0)), vec![]);
    assert!(matches!(
        ZoneIndex::build(vec![
            area(1, vec![sq()], 0, None),
            area(1, vec![sq()], 5, None)
        ]),
        Err(GeoError::DuplicateKey(1))
    ));
    assert!(matches!(
        ZoneIndex::build(vec![area(1, vec![sq()], 5, Some(5))]),
        Err(GeoError::EmptyValidity { key: 1, .. })
    ));
    let band = AreaInput {
        key: 2,
        shape: AreaShape::Band {
            of: 99,
            width_km: 1.0,
            side: Side::Both,
        },
        validity: Validity { from: 0, to: None },
        status: Status::Active,
        security: true,
    };
    assert!(matches!(
        ZoneIndex::build(vec![area(1, vec![sq()], 0, None), band]),
        Err(GeoError::UnknownBase { key: 2, of: 99 })
    ));
    assert!(matches!(
        ZoneIndex::build(vec![area(1, vec![], 0, None)]),
        Err(GeoError::EmptyGeometry(1))
    ));
}

#[test]
fn validation_names_each_problem() {
    let kinds = |p: &Polygon<f64>| -> Vec<(usize, usize, ProblemKind)> {
        validate_polygon(p)
            .into_iter()
            .map(|g| (g.ring, g.vertex, g.kind))
            .collect()
    };
    // hole outside the shell
    let p = Polygon::new(
        ring(&rect(0.0, 0.0, 1.0, 1.0)),
        vec![ring(&rect_cw(2.0, 2.0, 3.0, 3.0))],
    );
    assert_eq!(kinds(&p), vec![(1, 0, ProblemKind::HoleOutsideShell)]);
    // hole crossing the shell's east edge at (1, 0.2) and (1, 0.4)
    let p = Polygon::new(
        ring(&rect(0.0, 0.0, 1.0, 1.0)),
        vec![ring(&rect_cw(0.5, 0.2, 1.5, 0.4))],
    );
    let k = kinds(&p);
    assert!(!k.is_empty());
    assert!(k.iter().all(|(r, _, kind)| *r == 0
        && matches!(kind, ProblemKind::RingsCross { at, other_ring: 1 } if at.0 == 1.0)));
    // nested holes
    let p = Polygon::new(
        ring(&rect(0.0, 0.0, 10.0, 10.0)),
        vec![
            ring(&rect_cw(1.0, 1.0, 9.0, 9.0)),
            ring(&rect_cw(2.0, 2.0, 3.0, 3.0)),
        ],
    );
    assert_eq!(kinds(&p), vec![(2, 0, ProblemKind::NestedHole)]);
    // a hole touching the shell at one vertex is valid
    let p = Polygon::new(
        ring(&rect(0.0, 0.0, 4.0, 4.0)),
        vec![ring(&[(0.0, 2.0), (2.0, 1.0), (2.0, 3.0), (0.0, 2.0)])],
    );
    let mut p2 = p.clone();
    fix_winding(&mut p2);
    assert_eq!(kinds(&p2), vec![]);
    // spike: the ring doubles back on itself
    let p = Polygon::new(
        ring(&[
            (0.0, 0.0),
            (2.0, 0.0),
            (2.0, 2.0),
            (2.0, 3.0),
            (2.0, 1.5),
            (0.0, 2.0),
            (0.0, 0.0),
        ]),
        vec![],
    );
    let k = kinds(&p);
    assert!(k.iter().any(|(r, v, _)| (*r, *v) == (0, 2)), "{k:?}");
    assert!(k
        .iter()
        .all(|(_, _, kind)| matches!(kind, ProblemKind::SelfIntersection { .. })));
    // non-finite and out of range
    let p = Polygon::new(
        ring(&[(0.0, 0.0), (1.0, f64::NAN), (1.0, 1.0), (0.0, 0.0)]),
        vec![],
    );
    assert_eq!(kinds(&p), vec![(0, 1, ProblemKind::NonFinite)]);
    let p = Polygon::new(
        ring(&[(35.0, 0.0), (36.0, 0.0), (36.0, 95.0), (35.0, 0.0)]),
        vec![],
    );
    assert_eq!(kinds(&p), vec![(0, 2, ProblemKind::OutOfRange)]);
    // overlapping multipolygon parts
    let mp = MultiPolygon(vec![
        Polygon::new(ring(&rect(0.0, 0.0, 2.0, 2.0)), vec![]),
        Polygon::new(ring(&rect(1.0, 1.0, 3.0, 3.0)), vec![]),
    ]);
    let probs = validate_multipolygon(&mp);
    assert!(!probs.is_empty());
    assert!(probs
        .iter()
        .all(|p| matches!(p.kind, ProblemKind::PartsOverlap { other_part: 1, .. })));
    let mp = MultiPolygon(vec![
        Polygon::new(ring(&rect(0.0, 0.0, 5.0, 5.0)), vec![]),
        Polygon::new(ring(&rect(1.0, 1.0, 2.0, 2.0)), vec![]),
    ]);
    assert_eq!(
        validate_multipolygon(&mp)
            .iter()
            .map(|p| (p.part, p.kind))
            .collect::<Vec<_>>(),
        vec![(
            1,
            ProblemKind::PartsOverlap {
                at: Some((1.0, 1.0)),
                other_part: 0
            }
        )]
    );
}

#[test]
fn raw_rings_are_checked_before_closing() {
    let open = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)];
    let p = validate_ring_coords(&open, true);
    assert_eq!(p.len(), 1);
    assert_eq!((p[0].vertex, p[0].kind), (3, ProblemKind::Unclosed));
    let tri = [(0.0, 0.0), (1.0, 0.0), (0.0, 0.0)];
    assert!(validate_ring_coords(&tri, true)
        .iter()
        .any(|p| p.kind == ProblemKind::TooFewPoints));
    let sq = rect(0.0, 0.0, 1.0, 1.0);
    assert_eq!(validate_ring_coords(&sq, true), vec![]);
    let hole = validate_ring_coords(&sq, false);
    assert_eq!(hole.len(), 1);
    assert_eq!(hole[0].kind, ProblemKind::WrongWinding);
    let bow = [(0.0, 0.0), (1.0, 1.0), (1.0, 0.0), (0.0, 1.0), (0.0, 0.0)];
    assert!(validate_ring_coords(&bow, true).iter().any(
        |p| matches!(p.kind, ProblemKind::SelfIntersection { at: (x, y) } if x == 0.5 && y == 0.5)
    ));
}

#[test]
fn nearest_place_and_distance() {
    let places = vec![
        PlacePoint {
            key: 1,
            lat: 36.2021,
            lon: 37.1343,
        }, // Aleppo
        PlacePoint {
            key: 2,
            lat: 33.5138,
            lon: 36.2765,
        }, // Damascus
        PlacePoint {
            key: 3,
            lat: 35.9306,
            lon: 36.6339,
        }, // Idlib
    ];
    let ix = PlaceIndex::new(places);
    let (k, d) = ix.nearest(36.0, 36.7).unwrap();
    assert_eq!(k, 3);
    assert!((d - haversine_km(36.0, 36.7, 35.9306, 36.6339)).abs() < 1e-9);
    let (k, d) = ix.nearest(33.6, 36.3).unwrap();
    assert_eq!(k, 2);
    assert!(d > 9.0 && d < 10.5, "{d}");
    assert_eq!(PlaceIndex::new(vec![]).nearest(1.0, 1.0), None);
    // Aleppo–Damascus is about 310 km
    let d = haversine_km(36.2021, 37.1343, 33.5138, 36.2765);
    assert!((d - 308.0).abs() < 8.0, "{d}");
}
