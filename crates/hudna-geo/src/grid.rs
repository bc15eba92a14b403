//! Uniform grids: cell classification (inside / outside / boundary) and
//! horizontal slabs of edges for exact tests in boundary cells.
//!
//! Correctness argument. A cell is marked *boundary* when any edge touches
//! the cell grown by a margin far larger than the floating error of mapping
//! a point to its cell index (`floor((x - x0) / w)` is off by at most a few
//! ulps of the cell count). Every other cell is free of edges in that grown
//! rectangle, which is connected, so its whole area has the location of its
//! centre; the centre's winding number is computed from row crossings in
//! floating point, which is safe because no edge comes within the margin.
//! Boundary cells are decided exactly with `orient2d` over the slab of the
//! cell's row, which holds every edge whose y-range meets the grown row.

use crate::exact::{winding_step, Edge, Location};

pub(crate) const OUT: u8 = 0;
pub(crate) const IN: u8 = 1;
pub(crate) const EDGE: u8 = 2;

#[derive(Debug, Clone, Copy)]
pub(crate) struct GridSpec {
    pub x0: f64,
    pub y0: f64,
    pub cw: f64,
    pub ch: f64,
    pub inv_cw: f64,
    pub inv_ch: f64,
    pub nx: usize,
    pub ny: usize,
    /// margins by which cells are grown when edges are registered
    pub ex: f64,
    pub ey: f64,
}

impl GridSpec {
    pub fn new(bbox: [f64; 4], nx: usize, ny: usize) -> Self {
        let [x0, y0, x1, y1] = bbox;
        let nx = nx.max(1);
        let ny = ny.max(1);
        let cw = if x1 > x0 { (x1 - x0) / nx as f64 } else { 1.0 };
        let ch = if y1 > y0 { (y1 - y0) / ny as f64 } else { 1.0 };
        let mag = x0.abs().max(x1.abs()).max(y0.abs()).max(y1.abs()).max(1.0);
        GridSpec {
            x0,
            y0,
            cw,
            ch,
            inv_cw: 1.0 / cw,
            inv_ch: 1.0 / ch,
            nx,
            ny,
            ex: cw * 1e-6 + mag * 1e-13,
            ey: ch * 1e-6 + mag * 1e-13,
        }
    }

    /// Grid over `bbox` with about `target` square-ish cells.
    pub fn with_target(bbox: [f64; 4], target: usize) -> Self {
        Self::with_target_rows(bbox, target, 1.0)
    }

    /// As [`GridSpec::with_target`], with rows `row_factor` times finer
    /// than columns.
    pub fn with_target_rows(bbox: [f64; 4], target: usize, row_factor: f64) -> Self {
        let w = (bbox[2] - bbox[0]).max(1e-12);
        let h = (bbox[3] - bbox[1]).max(1e-12) * row_factor;
        let t = target.max(1) as f64;
        let nx = ((t * w / h).sqrt().round() as usize).clamp(1, 2048);
        let ny = ((t / nx as f64).round() as usize).clamp(1, 2048);
        GridSpec::new(bbox, nx, ny)
    }

    /// Column of `x`. Truncation equals `floor` for x >= x0; below x0 it
    /// may give 0 instead of -1, and every caller clamps to a range
    /// starting at 0 or above, so the result is the same (and avoids a
    /// libm call).
    #[inline(always)]
    pub fn col_i(&self, x: f64) -> i64 {
        ((x - self.x0) * self.inv_cw) as i64
    }

    /// Row of `y`; see [`GridSpec::col_i`].
    #[inline(always)]
    pub fn row_i(&self, y: f64) -> i64 {
        ((y - self.y0) * self.inv_ch) as i64
    }

    #[inline(always)]
    pub fn col(&self, x: f64) -> usize {
        self.col_i(x).clamp(0, self.nx as i64 - 1) as usize
    }

    #[inline(always)]
    pub fn row(&self, y: f64) -> usize {
        self.row_i(y).clamp(0, self.ny as i64 - 1) as usize
    }

    pub fn bytes(&self) -> usize {
        std::mem::size_of::<Self>()
    }
}

/// Result of classifying a rectangle of cells `[c0, c1] x [r0, r1]`.
pub(crate) struct Raster {
    pub c0: usize,
    pub r0: usize,
    pub w: usize,
    pub h: usize,
    /// row-major over the rectangle: OUT, IN or EDGE
    pub states: Vec<u8>,
    /// CSR: edges (indices into the input) meeting each grown row
    pub slab_off: Vec<u32>,
    pub slab_idx: Vec<u32>,
}

#[inline]
fn x_at(e: &Edge, y: f64) -> f64 {
    let [ax, ay, bx, by] = *e;
    ax + (y - ay) * (bx - ax) / (by - ay)
}

/// Classifies the cells of `g` in the rectangle covering `bbox` (clamped to
/// the grid) for the rings given as `edges` (non-zero winding).
pub(crate) fn rasterize(edges: &[Edge], g: &GridSpec, bbox: [f64; 4]) -> Raster {
    let c0 = g.col(bbox[0] - g.ex);
    let c1 = g.col(bbox[2] + g.ex);
    let r0 = g.row(bbox[1] - g.ey);
    let r1 = g.row(bbox[3] + g.ey);
    let (w, h) = (c1 - c0 + 1, r1 - r0 + 1);
    let mut states = vec![OUT; w * h];
    // rows each edge meets, counted then filled (CSR)
    let row_span = |e: &Edge| {
        let (ylo, yhi) = (e[1].min(e[3]), e[1].max(e[3]));
        let a = g.row_i(ylo - g.ey).clamp(r0 as i64, r1 as i64) as usize;
        let b = g.row_i(yhi + g.ey).clamp(r0 as i64, r1 as i64) as usize;
        (a, b)
    };
    let mut slab_off = vec![0u32; h + 1];
    for e in edges {
        let (a, b) = row_span(e);
        for r in a..=b {
            slab_off[r - r0 + 1] += 1;
        }
    }
    for i in 1..=h {
        slab_off[i] += slab_off[i - 1];
    }
    let mut fill: Vec<u32> = slab_off[..h].to_vec();
    let mut slab_idx = vec![0u32; slab_off[h] as usize];
    for (i, e) in edges.iter().enumerate() {
        let (a, b) = row_span(e);
        for r in a..=b {
            let k = r - r0;
            slab_idx[fill[k] as usize] = i as u32;
            fill[k] += 1;
            // mark the columns this edge meets within the grown row
            let band_lo = g.y0 + r as f64 * g.ch - g.ey;
            let band_hi = g.y0 + (r + 1) as f64 * g.ch + g.ey;
            let (xa, xb) = if e[1] == e[3] {
                (e[0], e[2])
            } else {
                let (ylo, yhi) = (e[1].min(e[3]), e[1].max(e[3]));
                (x_at(e, ylo.max(band_lo)), x_at(e, yhi.min(band_hi)))
            };
            let ca = g.col_i(xa.min(xb) - g.ex).clamp(c0 as i64, c1 as i64) as usize;
            let cb = g.col_i(xa.max(xb) + g.ex).clamp(c0 as i64, c1 as i64) as usize;
            for c in ca..=cb {
                states[k * w + c - c0] = EDGE;
            }
        }
    }
    // non-boundary cells take the winding number of their centre
    let mut xs: Vec<(f64, i32)> = Vec::new();
    for k in 0..h {
        let yc = g.y0 + ((r0 + k) as f64 + 0.5) * g.ch;
        xs.clear();
        for &i in &slab_idx[slab_off[k] as usize..slab_off[k + 1] as usize] {
            let e = &edges[i as usize];
            let (ay, by) = (e[1], e[3]);
            if ay <= yc && yc < by {
                xs.push((x_at(e, yc), 1));
            } else if by <= yc && yc < ay {
                xs.push((x_at(e, yc), -1));
            }
        }
        xs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut wsum = 0;
        let mut j = xs.len();
        for c in (0..w).rev() {
            let xc = g.x0 + ((c0 + c) as f64 + 0.5) * g.cw;
            while j > 0 && xs[j - 1].0 > xc {
                j -= 1;
                wsum += xs[j].1;
            }
            let s = &mut states[k * w + c];
            if *s != EDGE && wsum != 0 {
                *s = IN;
            }
        }
    }
    Raster {
        c0,
        r0,
        w,
        h,
        states,
        slab_off,
        slab_idx,
    }
}

/// Rows of a version grid are this many times finer than its columns:
/// the exact test scans the edges of one row, so thin rows keep it short.
const ROW_FACTOR: f64 = 4.0;
/// Cells per edge of a version grid.
const ROW_FACTOR_CELLS: usize = 4;

/// Point location for one area version: its own grid over its bbox, with
/// states per cell and per-row slabs of edges.
pub(crate) struct Locator {
    pub bbox: [f64; 4],
    g: GridSpec,
    states: Vec<u8>,
    slab_off: Vec<u32>,
    slab: Vec<Edge>,
}

impl Locator {
    pub fn new(edges: &[Edge], bbox: [f64; 4]) -> Self {
        // about 4 cells per edge, at least 4,096: small rings get a fine
        // grid so few points need the exact slab test
        let target = (edges.len() * ROW_FACTOR_CELLS).clamp(1024 * 4, 1 << 20);
        let g = GridSpec::with_target_rows(bbox, target, ROW_FACTOR);
        let r = rasterize(edges, &g, bbox);
        debug_assert_eq!((r.w, r.h), (g.nx, g.ny));
        let mut idx = r.slab_idx;
        // within a row, edges by decreasing right end: the ray to +x can
        // stop at the first edge lying wholly left of the point (keys
        // computed once; rows are short, so this is a small sort each)
        let mut keyed: Vec<(f64, u32)> = Vec::new();
        for k in 0..r.h {
            let row = &mut idx[r.slab_off[k] as usize..r.slab_off[k + 1] as usize];
            if row.len() < 2 {
                continue;
            }
            keyed.clear();
            keyed.extend(row.iter().map(|&i| {
                let e = &edges[i as usize];
                (e[0].max(e[2]), i)
            }));
            keyed.sort_unstable_by(|a, b| b.0.total_cmp(&a.0));
            for (dst, &(_, i)) in row.iter_mut().zip(keyed.iter()) {
                *dst = i;
            }
        }
        // the row's edges are copied in: the exact test reads them
        // sequentially, which is worth the memory (measured)
        let slab: Vec<Edge> = idx.iter().map(|&i| edges[i as usize]).collect();
        Locator {
            bbox,
            g,
            states: r.states,
            slab_off: r.slab_off,
            slab,
        }
    }

    #[inline]
    pub fn locate(&self, px: f64, py: f64) -> Location {
        let b = &self.bbox;
        if !(px >= b[0] && px <= b[2] && py >= b[1] && py <= b[3]) {
            return Location::Outside;
        }
        let r = self.g.row(py);
        match self.states[r * self.g.nx + self.g.col(px)] {
            IN => Location::Interior,
            OUT => Location::Outside,
            _ => {
                let s = &self.slab[self.slab_off[r] as usize..self.slab_off[r + 1] as usize];
                let mut w = 0;
                for e in s {
                    if px > e[0].max(e[2]) {
                        break; // this edge and all after it lie left of p
                    }
                    if winding_step(e, px, py, &mut w) {
                        return Location::Boundary;
                    }
                }
                if w != 0 {
                    Location::Interior
                } else {
                    Location::Outside
                }
            }
        }
    }

    pub fn heap_bytes(&self) -> usize {
        self.states.capacity()
            + self.slab_off.capacity() * 4
            + self.slab.capacity() * std::mem::size_of::<Edge>()
            + self.g.bytes()
    }
}
