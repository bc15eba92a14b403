//! The temporal zone index.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::exact::{Edge, Location};
use crate::grid::{rasterize, GridSpec, Locator, EDGE, IN};
use crate::segtree::{hilbert, Metric, SegTree};
use crate::validate::{
    fix_winding, polygon_rings, signed_area2, validate_parts, GeomProblem, Ring,
};
use crate::{AreaInput, AreaShape, GeoError, Side, Status, Validity, KM_PER_DEG};

/// What to do with geometry at build time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Winding {
    /// Report rings wound against RFC 7946 as errors (default).
    #[default]
    Reject,
    /// Reverse them (the loader's `--fix-winding`). Nothing else is ever
    /// repaired.
    Fix,
}

/// Build options for [`ZoneIndex::build_with`].
#[derive(Debug, Clone, Copy, Default)]
pub struct BuildOptions {
    pub winding: Winding,
}

/// Answer for one (point, day).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Hit {
    /// Keys of every area covering the point that day (zones, security
    /// polygons and bands; any status), ascending.
    pub covering: Vec<u32>,
    /// Whether one of `covering` is a security area.
    pub in_security_zone: bool,
    /// Distance in km to the nearest border of a non-security polygon area
    /// valid that day (0 on the border); `None` when none is valid.
    pub border_km: Option<f64>,
    /// The area whose border that is.
    pub nearest_border_key: Option<u32>,
}

/// Per-area facts kept for callers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AreaMeta {
    pub key: u32,
    pub validity: Validity,
    pub status: Status,
    pub security: bool,
}

/// Grid entry: `to` is `i32::MAX` for open intervals; the top bit of `v`
/// says the cell lies wholly inside version `v`, the next one that `v` is a
/// security area. The key is repeated here so that a cell wholly inside
/// answers without touching the version.
#[derive(Clone, Copy, Debug)]
struct Entry {
    from: i32,
    to: i32,
    v: u32,
    key: u32,
}
const INSIDE_BIT: u32 = 1 << 31;
const SECURITY_BIT: u32 = 1 << 30;
const V_MASK: u32 = SECURITY_BIT - 1;

struct Poly {
    area: u32,
    key: u32,
    from: i32,
    to: i32,
    security: bool,
    loc: Locator,
    segs: SegTree,
}

struct Band {
    key: u32,
    from: i32,
    to: i32,
    base: u32,
    width_km: f64,
    side: Side,
    security: bool,
}

/// Temporal zone index: see the crate documentation for the design.
pub struct ZoneIndex {
    meta: Vec<AreaMeta>,
    by_key: HashMap<u32, usize>,
    polys: Vec<Poly>,
    bands: Vec<Band>,
    grid: Option<GridSpec>,
    gbox: [f64; 4],
    cell_off: Vec<u32>,
    entries: Vec<Entry>,
    /// elementary time intervals for border distance: starts, and per
    /// interval the non-security polygons valid in it (CSR)
    epoch_start: Vec<i32>,
    epoch_off: Vec<u32>,
    epoch_polys: Vec<u32>,
}

/// Problems found in one area at build time.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaProblem {
    pub key: u32,
    pub problem: GeomProblem,
}

fn to_bound(v: &Validity) -> (i32, i32) {
    (v.from, v.to.unwrap_or(i32::MAX))
}

impl ZoneIndex {
    /// Validates and indexes `areas`; rejects wrongly wound rings. See
    /// [`ZoneIndex::build_with`].
    pub fn build(areas: Vec<AreaInput>) -> Result<ZoneIndex, GeoError> {
        Self::build_with(areas, BuildOptions::default())
    }

    /// Validates every area (all problems of all areas are returned at
    /// once, each with area key, part, ring and vertex) and builds the index.
    pub fn build_with(areas: Vec<AreaInput>, opts: BuildOptions) -> Result<ZoneIndex, GeoError> {
        let mut by_key = HashMap::with_capacity(areas.len());
        for (i, a) in areas.iter().enumerate() {
            if by_key.insert(a.key, i).is_some() {
                return Err(GeoError::DuplicateKey(a.key));
            }
            if let Some(to) = a.validity.to {
                if to <= a.validity.from {
                    return Err(GeoError::EmptyValidity {
                        key: a.key,
                        from: a.validity.from,
                        to,
                    });
                }
            }
        }
        for a in &areas {
            match &a.shape {
                AreaShape::Polygon(mp) if mp.0.is_empty() => {
                    return Err(GeoError::EmptyGeometry(a.key));
                }
                AreaShape::Band { of, width_km, .. } => {
                    let ok = by_key
                        .get(of)
                        .is_some_and(|&i| matches!(areas[i].shape, AreaShape::Polygon(_)));
                    if !ok {
                        return Err(GeoError::UnknownBase {
                            key: a.key,
                            of: *of,
                        });
                    }
                    if !(width_km.is_finite() && *width_km >= 0.0) {
                        return Err(GeoError::BadBandWidth {
                            key: a.key,
                            width_km: *width_km,
                        });
                    }
                }
                _ => {}
            }
        }
        // geometry: optional winding repair, then validation (parallel)
        let prepared: Vec<Option<Vec<Vec<Ring>>>> = areas
            .par_iter()
            .map(|a| match &a.shape {
                AreaShape::Polygon(mp) => Some(
                    mp.0.iter()
                        .map(|p| {
                            if opts.winding == Winding::Fix {
                                let mut p = p.clone();
                                fix_winding(&mut p);
                                polygon_rings(&p)
                            } else {
                                polygon_rings(p)
                            }
                        })
                        .collect(),
                ),
                AreaShape::Band { .. } => None,
            })
            .collect();
        let problems: Vec<AreaProblem> = areas
            .par_iter()
            .zip(prepared.par_iter())
            .flat_map_iter(|(a, parts)| {
                let probs = parts
                    .as_ref()
                    .map(|p| validate_parts(p))
                    .unwrap_or_default();
                probs.into_iter().map(move |problem| AreaProblem {
                    key: a.key,
                    problem,
                })
            })
            .collect();
        if !problems.is_empty() {
            return Err(GeoError::InvalidGeometry(problems));
        }

        let meta: Vec<AreaMeta> = areas
            .iter()
            .map(|a| AreaMeta {
                key: a.key,
                validity: a.validity,
                status: a.status,
                security: a.security,
            })
            .collect();

        // edges of each polygon area; bounding boxes
        let poly_areas: Vec<usize> = (0..areas.len())
            .filter(|&i| prepared[i].is_some())
            .collect();
        let mut gbox = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
        for &i in &poly_areas {
            for part in prepared[i].as_ref().into_iter().flatten() {
                for &(x, y) in &part[0] {
                    gbox = [
                        gbox[0].min(x),
                        gbox[1].min(y),
                        gbox[2].max(x),
                        gbox[3].max(y),
                    ];
                }
            }
        }
        let total_edges: usize = poly_areas
            .iter()
            .flat_map(|&i| prepared[i].iter().flatten().flatten())
            .map(|r| r.len().saturating_sub(1))
            .sum();
        let grid = (!poly_areas.is_empty())
            .then(|| GridSpec::with_target(gbox, (total_edges / 32).clamp(4096, 1 << 16)));
        let built: Vec<(Poly, Vec<(u32, Entry)>)> = poly_areas
            .par_iter()
            .enumerate()
            .map(|(vi, &i)| {
                let a = &areas[i];
                let parts = prepared[i].as_ref().expect("polygon area");
                let mut edges: Vec<Edge> = Vec::new();
                let mut bbox = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
                for rings in parts {
                    for (ri, ring) in rings.iter().enumerate() {
                        // non-zero winding needs shells CCW, holes CW; the
                        // geometry is valid here, so reversing is
                        // orientation bookkeeping, not repair
                        let a2 = signed_area2(ring);
                        let flip = (ri == 0) == (a2 < 0.0);
                        for w in ring.windows(2) {
                            if w[0] == w[1] {
                                continue;
                            }
                            let (p, q) = if flip { (w[1], w[0]) } else { (w[0], w[1]) };
                            edges.push([p.0, p.1, q.0, q.1]);
                            bbox = [
                                bbox[0].min(p.0),
                                bbox[1].min(p.1),
                                bbox[2].max(p.0),
                                bbox[3].max(p.1),
                            ];
                        }
                    }
                }
                let loc = Locator::new(&edges, bbox);
                let (from, to) = to_bound(&a.validity);
                let mut cells = Vec::new();
                if let Some(g) = &grid {
                    let r = rasterize(&edges, g, bbox);
                    for k in 0..r.h {
                        for c in 0..r.w {
                            let s = r.states[k * r.w + c];
                            if s == IN || s == EDGE {
                                let cell = ((r.r0 + k) * g.nx + r.c0 + c) as u32;
                                let v = vi as u32
                                    | if s == IN { INSIDE_BIT } else { 0 }
                                    | if a.security { SECURITY_BIT } else { 0 };
                                cells.push((
                                    cell,
                                    Entry {
                                        from,
                                        to,
                                        v,
                                        key: a.key,
                                    },
                                ));
                            }
                        }
                    }
                }
                let poly = Poly {
                    area: i as u32,
                    key: a.key,
                    from,
                    to,
                    security: a.security,
                    loc,
                    segs: SegTree::new(&edges, bbox),
                };
                (poly, cells)
            })
            .collect();
        let (polys, per): (Vec<Poly>, Vec<Vec<(u32, Entry)>>) = built.into_iter().unzip();
        let poly_of_area: HashMap<u32, u32> = polys
            .iter()
            .enumerate()
            .map(|(pi, p)| (p.key, pi as u32))
            .collect();

        let bands: Vec<Band> = areas
            .iter()
            .filter_map(|a| match &a.shape {
                AreaShape::Band { of, width_km, side } => {
                    let (from, to) = to_bound(&a.validity);
                    Some(Band {
                        key: a.key,
                        from,
                        to,
                        base: poly_of_area[of],
                        width_km: *width_km,
                        side: *side,
                        security: a.security,
                    })
                }
                AreaShape::Polygon(_) => None,
            })
            .collect();

        // global grid: per cell, the versions touching it, inside or partial
        let (cell_off, entries) = match &grid {
            None => (vec![0], Vec::new()),
            Some(g) => {
                let ncell = g.nx * g.ny;
                let mut off = vec![0u32; ncell + 1];
                for list in &per {
                    for (c, _) in list {
                        off[*c as usize + 1] += 1;
                    }
                }
                for i in 1..=ncell {
                    off[i] += off[i - 1];
                }
                let mut fill: Vec<u32> = off[..ncell].to_vec();
                let mut ents = vec![
                    Entry {
                        from: 0,
                        to: 0,
                        v: 0,
                        key: 0,
                    };
                    off[ncell] as usize
                ];
                for list in &per {
                    for (c, e) in list {
                        ents[fill[*c as usize] as usize] = *e;
                        fill[*c as usize] += 1;
                    }
                }
                drop(per);
                // sort each cell by valid_from so a lookup stops early
                let mut rest: &mut [Entry] = &mut ents;
                let mut slices = Vec::with_capacity(ncell);
                for i in 0..ncell {
                    let (head, tail) = rest.split_at_mut((off[i + 1] - off[i]) as usize);
                    slices.push(head);
                    rest = tail;
                }
                slices
                    .par_iter_mut()
                    .for_each(|s| s.sort_unstable_by_key(|e| (e.from, e.v & V_MASK)));
                (off, ents)
            }
        };

        // elementary intervals for border distance
        let mut cuts: Vec<i32> = Vec::new();
        for p in polys.iter().filter(|p| !p.security) {
            cuts.push(p.from);
            if p.to != i32::MAX {
                cuts.push(p.to);
            }
        }
        cuts.sort_unstable();
        cuts.dedup();
        let mut epoch_off = vec![0u32];
        let mut epoch_polys = Vec::new();
        for &s in &cuts {
            for (pi, p) in polys.iter().enumerate() {
                if !p.security && p.from <= s && s < p.to {
                    epoch_polys.push(pi as u32);
                }
            }
            epoch_off.push(epoch_polys.len() as u32);
        }

        Ok(ZoneIndex {
            meta,
            by_key,
            polys,
            bands,
            grid,
            gbox,
            cell_off,
            entries,
            epoch_start: cuts,
            epoch_off,
            epoch_polys,
        })
    }

    /// Number of areas (polygon and band) indexed.
    pub fn len(&self) -> usize {
        self.meta.len()
    }

    pub fn is_empty(&self) -> bool {
        self.meta.is_empty()
    }

    /// Facts about one area.
    pub fn area(&self, key: u32) -> Option<&AreaMeta> {
        self.by_key.get(&key).map(|&i| &self.meta[i])
    }

    /// Exact location of a point relative to one polygon area's geometry,
    /// ignoring dates (`None` for unknown keys and bands).
    pub fn locate(&self, key: u32, lon: f64, lat: f64) -> Option<Location> {
        let i = *self.by_key.get(&key)?;
        let p = self.polys.iter().find(|p| p.area as usize == i)?;
        Some(p.loc.locate(lon, lat))
    }

    /// Keys of the areas covering `(lon, lat)` on `day`, appended to `out`
    /// (unsorted); returns whether one of them is a security area. The
    /// allocation-free core of [`ZoneIndex::query`].
    pub fn covering_into(&self, lon: f64, lat: f64, day: i32, out: &mut Vec<u32>) -> bool {
        if !lon.is_finite() || !lat.is_finite() {
            return false;
        }
        let mut security = false;
        if let Some(g) = &self.grid {
            let b = &self.gbox;
            if lon >= b[0] && lon <= b[2] && lat >= b[1] && lat <= b[3] {
                let cell = g.row(lat) * g.nx + g.col(lon);
                let list =
                    &self.entries[self.cell_off[cell] as usize..self.cell_off[cell + 1] as usize];
                for e in list {
                    if e.from > day {
                        break;
                    }
                    if day >= e.to {
                        continue;
                    }
                    if e.v & INSIDE_BIT != 0
                        || self.polys[(e.v & V_MASK) as usize]
                            .loc
                            .locate(lon, lat)
                            .covered()
                    {
                        out.push(e.key);
                        security |= e.v & SECURITY_BIT != 0;
                    }
                }
            }
        }
        for band in &self.bands {
            if band.from <= day && day < band.to && self.band_covers(band, lon, lat, day) {
                out.push(band.key);
                security |= band.security;
            }
        }
        security
    }

    fn band_covers(&self, band: &Band, lon: f64, lat: f64, day: i32) -> bool {
        let base = &self.polys[band.base as usize];
        if !(base.from <= day && day < base.to) {
            return false;
        }
        let loc = base.loc.locate(lon, lat);
        let side_ok = match band.side {
            Side::Both => true,
            Side::Inside => loc != Location::Outside,
            Side::Outside => loc != Location::Interior,
        };
        if !side_ok {
            return false;
        }
        if loc == Location::Boundary {
            return true;
        }
        self.poly_dist_km(base, lon, lat, band.width_km)
            .is_some_and(|d| d <= band.width_km)
    }

    /// Squared metric distance from the point to polygon `p`'s border, if
    /// at most `limit2`.
    fn poly_nearest(&self, p: &Poly, m: &Metric, limit2: f64) -> Option<f64> {
        if m.box_d2(&p.loc.bbox) > limit2 {
            return None;
        }
        p.segs.nearest(m, limit2).map(|(_, _, d2)| d2)
    }

    /// Distance in km from the point to polygon `p`'s border, if at most
    /// `limit_km`.
    fn poly_dist_km(&self, p: &Poly, lon: f64, lat: f64, limit_km: f64) -> Option<f64> {
        let m = Metric::at(lon, lat);
        let lim = limit_km / KM_PER_DEG;
        let d2 = self.poly_nearest(p, &m, lim * lim)?;
        Some(d2.sqrt() * KM_PER_DEG).filter(|d| *d <= limit_km)
    }

    fn active_border_polys(&self, day: i32) -> &[u32] {
        let k = self.epoch_start.partition_point(|&s| s <= day);
        if k == 0 {
            return &[];
        }
        &self.epoch_polys[self.epoch_off[k - 1] as usize..self.epoch_off[k] as usize]
    }

    /// Nearest border (km, key) among non-security polygons valid on `day`.
    pub fn border(&self, lon: f64, lat: f64, day: i32) -> Option<(f64, u32)> {
        if !lon.is_finite() || !lat.is_finite() {
            return None;
        }
        let m = Metric::at(lon, lat);
        let act = self.active_border_polys(day);
        CANDS.with(|c| {
            let mut cands = c.borrow_mut();
            cands.clear();
            cands.extend(
                act.iter()
                    .map(|&pi| (m.box_d2(&self.polys[pi as usize].loc.bbox), pi)),
            );
            // (d², key)
            let mut best: Option<(f64, u32)> = None;
            // the nearest box first gives a bound; then the boxes within
            // it, nearest first, until one lies beyond the best distance
            if let Some((j, _)) = cands
                .iter()
                .enumerate()
                .min_by(|a, b| a.1 .0.total_cmp(&b.1 .0))
            {
                let (_, pi) = cands.swap_remove(j);
                let p = &self.polys[pi as usize];
                if let Some(d2) = self.poly_nearest(p, &m, f64::INFINITY) {
                    best = Some((d2, p.key));
                }
            }
            if let Some(b) = best {
                cands.retain(|c| c.0 <= b.0);
            }
            cands.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
            for &(lb, pi) in cands.iter() {
                let limit = best.map_or(f64::INFINITY, |b| b.0);
                if lb > limit {
                    break;
                }
                let p = &self.polys[pi as usize];
                if let Some(d2) = self.poly_nearest(p, &m, limit) {
                    if best.is_none_or(|b| d2 < b.0 || (d2 == b.0 && p.key < b.1)) {
                        best = Some((d2, p.key));
                    }
                }
            }
            best.map(|(d2, key)| (d2.sqrt() * KM_PER_DEG, key))
        })
    }

    /// Keys (ascending) of the non-security polygon areas valid on `day`
    /// whose border is within `km` of the point.
    pub fn within_km(&self, lon: f64, lat: f64, day: i32, km: f64) -> Vec<u32> {
        if !lon.is_finite() || !lat.is_finite() {
            return Vec::new();
        }
        let mut out: Vec<u32> = self
            .active_border_polys(day)
            .iter()
            .map(|&pi| &self.polys[pi as usize])
            .filter(|p| self.poly_dist_km(p, lon, lat, km).is_some())
            .map(|p| p.key)
            .collect();
        out.sort_unstable();
        out
    }

    /// Everything about one (point, day); see [`Hit`].
    pub fn query(&self, lon: f64, lat: f64, day: i32) -> Hit {
        if !lon.is_finite() || !lat.is_finite() {
            return Hit::default();
        }
        let mut covering = Vec::new();
        let in_security_zone = self.covering_into(lon, lat, day, &mut covering);
        covering.sort_unstable();
        let b = self.border(lon, lat, day);
        Hit {
            covering,
            in_security_zone,
            border_km: b.map(|b| b.0),
            nearest_border_key: b.map(|b| b.1),
        }
    }

    /// Processing order for a batch: points sorted along a Hilbert curve
    /// over the index's bounding box, so consecutive queries touch the same
    /// grid cells and versions (cache locality). `None` for small batches.
    fn locality_order(&self, pts: &[(f64, f64, i32)]) -> Option<Vec<u32>> {
        if pts.len() < 4096 || self.grid.is_none() {
            return None;
        }
        let b = self.gbox;
        let (sx, sy) = (
            65535.0 / (b[2] - b[0]).max(1e-12),
            65535.0 / (b[3] - b[1]).max(1e-12),
        );
        let mut keyed: Vec<(u32, u32)> = pts
            .iter()
            .enumerate()
            .map(|(i, &(lon, lat, _))| {
                let x = ((lon - b[0]) * sx).clamp(0.0, 65535.0) as u32;
                let y = ((lat - b[1]) * sy).clamp(0.0, 65535.0) as u32;
                (hilbert(x, y), i as u32)
            })
            .collect();
        keyed.sort_unstable();
        Some(keyed.into_iter().map(|(_, i)| i).collect())
    }

    /// [`ZoneIndex::query`] for each `(lon, lat, day)`, on all cores
    /// (rayon's global pool); results in input order. Large batches are
    /// processed in spatial order internally.
    pub fn query_batch(&self, pts: &[(f64, f64, i32)]) -> Vec<Hit> {
        let Some(order) = self.locality_order(pts) else {
            return pts
                .par_iter()
                .with_min_len(256)
                .map(|&(lon, lat, d)| self.query(lon, lat, d))
                .collect();
        };
        let hits: Vec<Hit> = order
            .par_iter()
            .with_min_len(1024)
            .map(|&i| {
                let (lon, lat, d) = pts[i as usize];
                self.query(lon, lat, d)
            })
            .collect();
        scatter(&order, hits)
    }

    /// The same on the calling thread only.
    pub fn query_batch_single(&self, pts: &[(f64, f64, i32)]) -> Vec<Hit> {
        let Some(order) = self.locality_order(pts) else {
            return pts
                .iter()
                .map(|&(lon, lat, d)| self.query(lon, lat, d))
                .collect();
        };
        let hits: Vec<Hit> = order
            .iter()
            .map(|&i| {
                let (lon, lat, d) = pts[i as usize];
                self.query(lon, lat, d)
            })
            .collect();
        scatter(&order, hits)
    }

    /// [`ZoneIndex::query_batch`] in chunks of `chunk` points, calling
    /// `progress(done, total)` after each chunk from the calling thread, so
    /// a CLI can drive a progress bar.
    pub fn query_batch_progress(
        &self,
        pts: &[(f64, f64, i32)],
        chunk: usize,
        mut progress: impl FnMut(usize, usize),
    ) -> Vec<Hit> {
        let mut out = Vec::with_capacity(pts.len());
        for c in pts.chunks(chunk.max(1)) {
            out.extend(self.query_batch(c));
            progress(out.len(), pts.len());
        }
        out
    }

    /// Approximate heap memory held by the index, in bytes.
    pub fn heap_bytes(&self) -> usize {
        let polys: usize = self
            .polys
            .iter()
            .map(|p| p.loc.heap_bytes() + p.segs.heap_bytes())
            .sum();
        polys
            + self.polys.capacity() * std::mem::size_of::<Poly>()
            + self.bands.capacity() * std::mem::size_of::<Band>()
            + self.meta.capacity() * std::mem::size_of::<AreaMeta>()
            + self.by_key.capacity() * 16
            + self.cell_off.capacity() * 4
            + self.entries.capacity() * std::mem::size_of::<Entry>()
            + self.epoch_start.capacity() * 4
            + self.epoch_off.capacity() * 4
            + self.epoch_polys.capacity() * 4
    }
}

thread_local! {
    static CANDS: std::cell::RefCell<Vec<(f64, u32)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Puts `hits[k]` (the answer for point `order[k]`) back in input order.
fn scatter(order: &[u32], hits: Vec<Hit>) -> Vec<Hit> {
    let mut out = vec![Hit::default(); hits.len()];
    for (&i, h) in order.iter().zip(hits) {
        out[i as usize] = h;
    }
    out
}
