//! Maps and charts as server-side SVG.
//!
//! Projection: equirectangular with the x axis scaled by cos(mid latitude),
//! which keeps Syria's shape within a percent or two at this size and needs
//! no library. The outline of Syria and its neighbours comes from the
//! repository's Natural Earth extract (embedded at build time); place labels
//! from the builtin GeoNames gazetteer, in the page's language.

use crate::html::esc;
use crate::i18n::{self, t, Lang};
use chrono::NaiveDate;
use geo_types::{LineString, MultiPolygon};
use hudna_core::{Agreement, SecurityShape, Side, ZoneStatus};
use hudna_store::{AssessmentRow, IncidentRow};
use std::fmt::Write;
use std::sync::OnceLock;

/// The map's frame: lon/lat box and pixel width.
#[derive(Debug, Clone, Copy)]
pub struct Proj {
    pub lon0: f64,
    pub lat0: f64,
    pub lon1: f64,
    pub lat1: f64,
    pub width: f64,
}

impl Proj {
    /// The frame used for the Syria map.
    pub const SYRIA: Proj = Proj {
        lon0: 34.6,
        lat0: 31.9,
        lon1: 42.9,
        lat1: 37.7,
        width: 900.0,
    };

    fn kx(&self) -> f64 {
        (((self.lat0 + self.lat1) / 2.0).to_radians()).cos()
    }
    /// Pixels per degree of latitude.
    pub fn scale(&self) -> f64 {
        self.width / ((self.lon1 - self.lon0) * self.kx())
    }
    pub fn height(&self) -> f64 {
        (self.lat1 - self.lat0) * self.scale()
    }
    /// Pixel position of a point.
    pub fn xy(&self, lon: f64, lat: f64) -> (f64, f64) {
        let s = self.scale();
        ((lon - self.lon0) * self.kx() * s, (self.lat1 - lat) * s)
    }
    /// Pixels per kilometre.
    pub fn px_per_km(&self) -> f64 {
        self.scale() / 111.2
    }
}

struct Country {
    name_ar: String,
    name_en: String,
    syria: bool,
    rings: Vec<Vec<(f64, f64)>>,
}

fn countries() -> &'static [Country] {
    static C: OnceLock<Vec<Country>> = OnceLock::new();
    C.get_or_init(|| {
        let doc: serde_json::Value = serde_json::from_str(include_str!(
            "../../../data/outline/syria-neighbours.geojson"
        ))
        .unwrap_or_default();
        let mut out = vec![];
        for f in doc["features"].as_array().into_iter().flatten() {
            let p = &f["properties"];
            let g = &f["geometry"];
            let polys: Vec<&serde_json::Value> = match g["type"].as_str() {
                Some("Polygon") => vec![&g["coordinates"]],
                Some("MultiPolygon") => g["coordinates"]
                    .as_array()
                    .map(|a| a.iter().collect())
                    .unwrap_or_default(),
                _ => vec![],
            };
            let mut rings = vec![];
            for poly in polys {
                for ring in poly.as_array().into_iter().flatten() {
                    let pts: Vec<(f64, f64)> = ring
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|c| Some((c[0].as_f64()?, c[1].as_f64()?)))
                        .collect();
                    if pts.len() >= 3 {
                        rings.push(pts);
                    }
                }
            }
            out.push(Country {
                name_ar: p["name_ar"].as_str().unwrap_or("").into(),
                name_en: p["name_en"].as_str().unwrap_or("").into(),
                syria: p["iso_a3"].as_str() == Some("SYR"),
                rings,
            });
        }
        out
    })
}

struct Label {
    name_ar: String,
    name_en: String,
    lat: f64,
    lon: f64,
}

fn labels() -> &'static [Label] {
    static L: OnceLock<Vec<Label>> = OnceLock::new();
    L.get_or_init(|| {
        let g = hudna_text::Gazetteer::builtin();
        let mut ps: Vec<&hudna_text::Place> = g
            .places()
            .iter()
            .filter(|p| p.population >= 60_000)
            .collect();
        ps.sort_by_key(|p| std::cmp::Reverse(p.population));
        ps.into_iter()
            .take(24)
            .map(|p| Label {
                // the first name in Arabic script (some entries are transliterations)
                name_ar: p
                    .names_ar
                    .iter()
                    .find(|n| {
                        n.chars().all(|c| !c.is_ascii_alphabetic())
                            && n.chars().any(|c| ('\u{0621}'..='\u{064A}').contains(&c))
                    })
                    .cloned()
                    .unwrap_or_default(),
                name_en: p.name_en.clone(),
                lat: p.lat,
                lon: p.lon,
            })
            .collect()
    })
}

fn ring_path(out: &mut String, p: &Proj, pts: impl Iterator<Item = (f64, f64)>) {
    let mut first = true;
    for (lon, lat) in pts {
        let (x, y) = p.xy(lon, lat);
        let _ = write!(out, "{}{:.1},{:.1}", if first { "M" } else { "L" }, x, y);
        first = false;
    }
    out.push('Z');
}

fn ls(l: &LineString<f64>) -> impl Iterator<Item = (f64, f64)> + '_ {
    l.coords().map(|c| (c.x, c.y))
}

/// SVG path data of a multipolygon (holes included; use fill-rule evenodd).
pub fn mp_path(p: &Proj, mp: &MultiPolygon<f64>) -> String {
    let mut d = String::new();
    for poly in &mp.0 {
        ring_path(&mut d, p, ls(poly.exterior()));
        for h in poly.interiors() {
            ring_path(&mut d, p, ls(h));
        }
    }
    d
}

/// What the map shows.
pub struct MapInput<'a> {
    pub lang: Lang,
    pub at: NaiveDate,
    pub agreements: &'a [Agreement],
    pub incidents: &'a [(IncidentRow, Vec<AssessmentRow>)],
    /// Only this zone (zone page), else all.
    pub only_zone: Option<(&'a str, &'a str)>,
}

fn status_class(s: ZoneStatus) -> &'static str {
    match s {
        ZoneStatus::Active => "active",
        ZoneStatus::Suspended => "suspended",
        ZoneStatus::Dissolved => "dissolved",
    }
}

/// The map as an `<svg>` element.
pub fn render(m: &MapInput<'_>) -> String {
    let p = Proj::SYRIA;
    let (w, h) = (p.width, p.height());
    let l = m.lang;
    let mut s = String::with_capacity(64 * 1024);
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w:.0} {h:.0}\" role=\"img\" id=\"map\" aria-label=\"{}\" direction=\"ltr\">\
<rect class=\"sea\" width=\"{w:.0}\" height=\"{h:.0}\"/>",
        t(l, "map")
    );
    for c in countries() {
        let mut d = String::new();
        for r in &c.rings {
            ring_path(&mut d, &p, r.iter().copied());
        }
        let _ = write!(
            s,
            "<path class=\"{}\" fill-rule=\"evenodd\" d=\"{d}\"><title>{}</title></path>",
            if c.syria { "syria" } else { "land" },
            esc(l.pick(&c.name_ar, &c.name_en))
        );
    }
    // country names at fixed positions (outline centroids are poor for Turkey/Iraq)
    for (lon, lat, ar, en) in [
        (36.3, 37.35, "تركيا", "Turkey"),
        (41.8, 33.6, "العراق", "Iraq"),
        (36.9, 32.15, "الأردن", "Jordan"),
        (35.55, 33.75, "لبنان", "Lebanon"),
    ] {
        let (x, y) = p.xy(lon, lat);
        let _ = write!(
            s,
            "<text class=\"country\" x=\"{x:.0}\" y=\"{y:.0}\" text-anchor=\"middle\">{}</text>",
            l.pick(ar, en)
        );
    }
    let ppk = p.px_per_km();
    for a in m.agreements {
        for z in &a.zones {
            if m.only_zone
                .is_some_and(|(ag, zid)| ag != a.id.as_str() || zid != z.id.as_str())
            {
                continue;
            }
            let Some(v) = z.version_on(m.at) else {
                continue;
            };
            let d = mp_path(&p, &v.geometry);
            for sz in z.security_zones.iter().filter(|sz| sz.valid.contains(m.at)) {
                match &sz.shape {
                    SecurityShape::Band { width_km, side } => {
                        let k = if matches!(side, Side::Both) { 2.0 } else { 1.0 };
                        let _ = write!(s, "<path class=\"szone\" fill=\"none\" stroke-width=\"{:.1}\" d=\"{d}\"><title>{}</title></path>", (width_km * ppk * k).max(1.0), t(l, "security_zone"));
                    }
                    SecurityShape::Area(g) => {
                        let _ = write!(s, "<path class=\"szone-area\" fill-rule=\"evenodd\" d=\"{}\"><title>{}</title></path>", mp_path(&p, g), t(l, "security_zone"));
                    }
                }
            }
            let _ = write!(
                s,
                "<a href=\"/zones/{}/{}\"><path class=\"zone {}\" fill-rule=\"evenodd\" data-zone=\"{}\" d=\"{d}\"><title>{} ({}){}</title></path></a>",
                esc(a.id.as_str()),
                esc(z.id.as_str()),
                status_class(v.status),
                esc(z.id.as_str()),
                esc(l.pick(&z.names.ar, &z.names.en)),
                i18n::word(l, status_class(v.status)),
                if v.approximate { format!(" · {}", t(l, "approximate")) } else { String::new() }
            );
        }
        if m.only_zone.is_none() {
            for post in a.posts.iter().filter(|x| x.active.contains(m.at)) {
                let (x, y) = p.xy(post.lon, post.lat);
                let _ = write!(
                    s,
                    "<rect class=\"post\" x=\"{:.1}\" y=\"{:.1}\" width=\"6\" height=\"6\" transform=\"rotate(45 {x:.1} {y:.1})\"><title>{} · {} ({})</title></rect>",
                    x - 3.0,
                    y - 3.0,
                    t(l, "observation_post"),
                    esc(l.pick(&post.names.ar, &post.names.en)),
                    esc(post.party.as_str())
                );
            }
        }
    }
    for lb in labels() {
        let (x, y) = p.xy(lb.lon, lb.lat);
        let _ = write!(
            s,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"1.6\" fill=\"#333\"/><text class=\"label\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            x + 3.0,
            y - 2.0,
            esc(l.pick(&lb.name_ar, &lb.name_en))
        );
    }
    for (i, ass) in m.incidents {
        let (Some(lat), Some(lon)) = (i.lat, i.lon) else {
            continue;
        };
        let (x, y) = p.xy(lon, lat);
        if x < 0.0 || y < 0.0 || x > w || y > h {
            continue;
        }
        let violation = ass.iter().any(|a| a.reading == "violation");
        let r = 3.5 + (i.killed.best.unwrap_or(0) as f64).sqrt().min(6.0);
        let reading = ass
            .first()
            .map(|a| a.reading.as_str())
            .unwrap_or("outside_zones");
        let _ = write!(
            s,
            "<a href=\"/incidents/{id}\" id=\"inc-{id}\"><circle class=\"inc g-{} {}\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{r:.1}\" data-type=\"{}\"><title>#{} · {} · {} · {} · {}</title></circle></a>",
            esc(&i.event_group),
            if violation { "violation" } else { "" },
            esc(&i.kind),
            i18n::num(l, i.id),
            esc(&i18n::word(l, &i.kind)),
            esc(i.place_name.as_deref().unwrap_or("")),
            i.date.as_deref().map(|d| i18n::date_str(l, d)).unwrap_or_default(),
            i18n::word(l, reading),
            id = i.id,
        );
    }
    s.push_str("</svg>");
    s
}

/// The legend under the map.
pub fn legend(l: Lang) -> String {
    let mut s = String::from("<p class=\"legend\">");
    for (g, color) in [
        ("battles", "#d84315"),
        ("explosions_remote_violence", "#6a1b9a"),
        ("violence_against_civilians", "#c62828"),
        ("protests", "#1565c0"),
        ("strategic_developments", "#546e7a"),
    ] {
        let _ = color;
        let _ = write!(s, "<span><i class=\"lg-{g}\"></i>{}</span>", t(l, g));
    }
    let _ = write!(
        s,
        "<span><i class=\"lg-violation\"></i>{}</span><span>◆ {}</span><span>▭ {}</span></p>",
        t(l, "violation"),
        t(l, "observation_post"),
        t(l, "security_zone")
    );
    s
}

/// A bar chart of counts per day (violations per day on the zone page).
pub fn bar_chart(l: Lang, days: &[(NaiveDate, u64)], title: &str) -> String {
    let (w, h, pad) = (900.0_f64, 180.0_f64, 28.0_f64);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{}\" direction=\"ltr\" class=\"chart\">",
        esc(title)
    );
    if days.is_empty() {
        let _ = write!(
            s,
            "<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text></svg>",
            w / 2.0,
            h / 2.0,
            t(l, "none")
        );
        return s;
    }
    let first = days[0].0;
    let last = days[days.len() - 1].0;
    let span = ((last - first).num_days() + 1).max(1) as f64;
    let max = days.iter().map(|d| d.1).max().unwrap_or(1).max(1) as f64;
    let bw = ((w - 2.0 * pad) / span).max(1.0);
    let _ = write!(
        s,
        "<line class=\"axis\" x1=\"{pad}\" y1=\"{:.0}\" x2=\"{:.0}\" y2=\"{:.0}\"/>",
        h - pad,
        w - pad,
        h - pad
    );
    for (d, n) in days {
        let x = pad + (*d - first).num_days() as f64 * bw;
        let bh = (*n as f64 / max) * (h - 2.0 * pad);
        let _ = write!(
            s,
            "<rect class=\"bar\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{bh:.1}\"><title>{}: {}</title></rect>",
            h - pad - bh,
            (bw - 0.5).max(0.8),
            i18n::date(l, *d),
            i18n::num(l, n)
        );
    }
    let _ = write!(
        s,
        "<text class=\"tick\" x=\"{pad}\" y=\"{:.0}\">{}</text><text class=\"tick\" x=\"{:.0}\" y=\"{:.0}\" text-anchor=\"end\">{}</text>\
<text class=\"tick\" x=\"2\" y=\"{:.0}\">{}</text></svg>",
        h - 8.0,
        i18n::date(l, first),
        w - pad,
        h - 8.0,
        i18n::date(l, last),
        pad + 4.0,
        i18n::num(l, max as u64)
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projection_puts_damascus_and_aleppo_where_they_belong() {
        let p = Proj::SYRIA;
        let (dx, dy) = p.xy(36.29, 33.51); // Damascus
        let (ax, ay) = p.xy(37.16, 36.20); // Aleppo
        assert!(dx > 0.0 && dx < p.width && dy > 0.0 && dy < p.height());
        assert!(ay < dy, "Aleppo is north of Damascus, so higher on the map");
        assert!(ax > dx, "Aleppo is east of Damascus");
        // ~300 km apart north-south: check the km scale roughly
        let km = (dy - ay) / p.px_per_km();
        assert!((km - 299.0).abs() < 10.0, "{km}");
    }

    #[test]
    fn the_outline_has_syria_and_labels_exist() {
        assert!(countries().iter().any(|c| c.syria && !c.rings.is_empty()));
        assert!(labels().len() >= 10);
    }
}
