//! Reverse geocoding: the nearest gazetteer place to a point.
//!
//! Places are stored as unit vectors on the sphere in an R-tree; the
//! chord distance between unit vectors grows monotonically with the
//! great-circle distance, so the Euclidean nearest neighbour in 3-D is the
//! great-circle nearest place, exactly, anywhere on Earth (no projection,
//! no antimeridian or pole special case).

use rstar::{primitives::GeomWithData, RTree};

use crate::haversine_km;

/// One gazetteer entry. `key` is the caller's id (e.g. a GeoNames id);
/// the caller maps it to a name and a governorate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlacePoint {
    pub key: u32,
    pub lat: f64,
    pub lon: f64,
}

type Node = GeomWithData<[f64; 3], (u32, f64, f64)>;

/// Nearest-place index.
pub struct PlaceIndex {
    tree: RTree<Node>,
}

fn unit(lat: f64, lon: f64) -> [f64; 3] {
    let (la, lo) = (lat.to_radians(), lon.to_radians());
    [la.cos() * lo.cos(), la.cos() * lo.sin(), la.sin()]
}

impl PlaceIndex {
    /// Builds the index; places with non-finite coordinates are skipped.
    pub fn new(places: Vec<PlacePoint>) -> Self {
        let nodes = places
            .into_iter()
            .filter(|p| p.lat.is_finite() && p.lon.is_finite())
            .map(|p| GeomWithData::new(unit(p.lat, p.lon), (p.key, p.lat, p.lon)))
            .collect();
        PlaceIndex {
            tree: RTree::bulk_load(nodes),
        }
    }

    /// The nearest place and its great-circle distance in km, or `None`
    /// when the index is empty or the point is not finite.
    pub fn nearest(&self, lat: f64, lon: f64) -> Option<(u32, f64)> {
        if !lat.is_finite() || !lon.is_finite() {
            return None;
        }
        let n = self.tree.nearest_neighbor(&unit(lat, lon))?;
        let (key, plat, plon) = n.data;
        Some((key, haversine_km(lat, lon, plat, plon)))
    }

    /// Number of places indexed.
    pub fn len(&self) -> usize {
        self.tree.size()
    }

    pub fn is_empty(&self) -> bool {
        self.tree.size() == 0
    }
}
