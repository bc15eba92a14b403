#!/usr/bin/env python3
"""Regenerate the zone and post GeoJSON of the shipped agreement definitions.

    python3 -m venv data/work/venv && data/work/venv/bin/pip install shapely pyproj
    data/work/venv/bin/python scripts/agreements/derive.py
    data/work/venv/bin/python scripts/agreements/check.py

Writes:
    data/agreements/astana-2017/zones.geojson, posts.geojson
    data/agreements/sochi-2018/zones.geojson
    data/agreements/moscow-2020/zones.geojson

Every line below is APPROXIMATE. The de-escalation zone lines were never
published precisely; the vertex lists are hand-written facts read off public
maps of the front lines of the time (news-agency and think-tank control maps,
widely reproduced), rounded to about 0.01 degree (~1 km). Each list says what
it follows. Places named in comments are the landmarks used, not claims that
the line passes exactly through them. Coordinates are [lon, lat] (RFC 7946).

The agreement.toml files are hand-written and refer to the feature ids made
here (FILE#FEATURE_ID).
"""
from __future__ import annotations

import json
from pathlib import Path

from pyproj import Transformer
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, mapping, shape
from shapely.geometry.polygon import orient
import shapely
from shapely.ops import unary_union

ROOT = Path(__file__).resolve().parents[2]
AGR = ROOT / "data" / "agreements"

MAX_VERTICES = 150
SOURCE_ZONES = (
    "Hand-drawn approximation of the front lines of the time, read off public "
    "control maps; zone lines were never published officially. "
    "scripts/agreements/derive.py"
)

# ---------------------------------------------------------------------------
# Zone 1: Idlib governorate and adjoining parts of Latakia, Hama, Aleppo.
# The ring is assembled from an "outer" part (Turkish border and the line with
# the Afrin area, which is not a front with the government) and a "front" part
# (the line of contact with government forces). The Sochi strip is measured
# from the front part only.
# ---------------------------------------------------------------------------

# Outer part, west to east. Along the Turkish border the ring is drawn
# generously inside Turkey ("TR" points) and the zone is then cut by the
# Natural Earth outline of Syria (data/outline/syria-neighbours.geojson), so
# the international border is Natural Earth's. Then the line with the Afrin
# area (not a front with the government): north of Darat Izza, Qalaat Samaan
# and Jabal Sheikh Barakat to the Anadan heights north-west of Aleppo.
IDLIB_OUTER = [
    (35.98, 35.95),  # TR, north of the Jabal al-Turkman border
    (36.20, 36.10),  # TR, Antakya plain south
    (36.40, 36.30),  # TR, west of Reyhanli
    (36.60, 36.31),  # TR, at the border west of Atmeh
    (36.70, 36.33),  # Afrin line begins (Deir Ballut to the north)
    (36.80, 36.33),
    (36.85, 36.35),  # Qalaat Samaan
    (36.95, 36.32),  # south of the Afrin area, Jabal Sheikh Barakat east
    (37.03, 36.32),  # Anadan heights
    (37.07, 36.31),
]
TURKEY_SIDE = IDLIB_OUTER[:4]

# Front, 2017 (memorandum to the Dec 2017-Feb 2018 offensive): north-west
# Aleppo outskirts (Haritan, Rashidin), southern Aleppo countryside east of
# the M5 (al-Eis), the area east of the Hejaz railway (Abu al-Duhur, Sinjar),
# north-east and north Hama (Atshan, Morek, Latamneh, Kafr Zita, Kafr Nabudah),
# the Ghab plain (Qalaat al-Madiq), Jisr al-Shughur south-west, and the Kabani
# / Jabal al-Akrad heights of north Latakia back to the Turkish border.
IDLIB_FRONT_2017 = [
    (37.10, 36.28),  # Haritan / Kafr Hamra east
    (37.08, 36.20),  # Rashidin, western Aleppo edge
    (37.06, 36.12),  # Khan Tuman west
    (37.05, 36.05),  # al-Eis
    (37.18, 35.95),  # southern Aleppo countryside east of the M5
    (37.28, 35.82),
    (37.30, 35.70),  # east of Abu al-Duhur airbase
    (37.22, 35.55),  # Sinjar / Rahjan area east
    (37.10, 35.43),  # Abu Dali
    (36.95, 35.37),
    (36.86, 35.41),  # Atshan
    (36.75, 35.34),  # south of Morek
    (36.66, 35.30),  # south of Latamneh / Lahaya
    (36.60, 35.33),  # south of Kafr Zita
    (36.52, 35.40),  # south of Kafr Nabudah
    (36.42, 35.41),  # Qalaat al-Madiq
    (36.37, 35.45),
    (36.35, 35.52),  # Ghab plain
    (36.31, 35.61),
    (36.25, 35.68),  # south-west of Jisr al-Shughur
    (36.17, 35.70),  # Kabani
    (36.10, 35.75),  # Jabal al-Akrad
    (36.05, 35.80),
    (36.03, 35.85),  # reaches the Turkish border east of Jabal al-Turkman
]

# Front, 2018 (after the Dec 2017-Feb 2018 offensive: Abu al-Duhur airbase fell
# on 20 Jan 2018, the area east of the railway was lost). The line then ran
# past the Turkish posts of al-Eis, Tal Tuqan and Surman; south of Atshan it
# is the 2017 line.
IDLIB_FRONT_2018 = [
    (37.10, 36.28),
    (37.08, 36.20),
    (37.06, 36.12),
    (37.03, 36.03),  # al-Eis hill (Turkish post 4 on the opposition side)
    (37.00, 35.92),
    (37.00, 35.82),  # Tal Tuqan
    (36.94, 35.68),
    (36.87, 35.56),  # east of Surman
    (36.87, 35.45),
] + IDLIB_FRONT_2017[10:]

# Front, after 23 Aug 2019 (government took Khan Sheikhoun on 21 Aug and the
# northern Hama pocket - Morek, Latamneh, Kafr Zita - on 23 Aug; Kafr Nabudah
# and Qalaat al-Madiq had fallen in May 2019): roughly 10-12 km south of
# Maarat al-Numan, across southern Jabal al-Zawiya to the Ghab.
IDLIB_FRONT_2019 = IDLIB_FRONT_2018[:7] + [
    (36.86, 35.58),  # al-Tamanah north-east
    (36.76, 35.55),
    (36.65, 35.53),  # north of Khan Sheikhoun (al-Tah / Hish)
    (36.55, 35.51),  # Kafr Sajna area
    (36.46, 35.50),  # Jabal Shahshabo
    (36.38, 35.53),
    (36.33, 35.58),  # northern Ghab
] + IDLIB_FRONT_2017[19:]

# Front after the Moscow protocol (ceasefire from 6 Mar 2020): the government
# held the M5 (Maarat al-Numan 28 Jan, Saraqib Mar 2020) and western Aleppo up
# to the Anadan/Haritan heights (Feb 2020); the opposition kept Darat Izza,
# Atarib, Taftanaz, Ariha, northern Jabal al-Zawiya (Kansafra, al-Barah) and
# Jisr al-Shughur. The line starts at the Afrin edge east of Jabal Sheikh
# Barakat, so the outer part is cut there.
IDLIB_OUTER_2020 = IDLIB_OUTER[:7]
IDLIB_FRONT_2020 = [
    (36.93, 36.30),  # east of Jabal Sheikh Barakat
    (36.91, 36.20),  # Kafr Karmin
    (36.89, 36.11),  # east of Atarib / Kafr Nouran
    (36.84, 36.01),  # east of Taftanaz
    (36.76, 35.89),  # west of Saraqib / Nayrab
    (36.69, 35.78),
    (36.62, 35.70),  # south-east of Ariha
    (36.53, 35.66),  # south of al-Barah / Kansafra
    (36.45, 35.62),
    (36.37, 35.60),  # northern Ghab
] + IDLIB_FRONT_2017[18:]

# ---------------------------------------------------------------------------
# Zone 2: northern Homs, the Rastan-Talbiseh pocket with the Houla plain.
# Follows the edge of the opposition-held pocket in 2017: Aqrab and the Houla
# villages in the west, Harbinafsah (south Hama) in the north-east, Talbiseh
# and Ghantu in the south, stopping short of Homs city (Tir Maalah).
# ---------------------------------------------------------------------------
NORTHERN_HOMS = [
    (36.42, 34.90),  # Aqrab, west
    (36.50, 34.93),  # Houla north
    (36.60, 34.93),
    (36.70, 34.97),  # north of Rastan, Rastan dam
    (36.80, 35.00),  # Harbinafsah
    (36.88, 34.96),
    (36.86, 34.88),  # eastern edge
    (36.78, 34.82),
    (36.72, 34.81),  # south of Talbiseh
    (36.62, 34.85),  # Ghantu / Deir Foul south
    (36.50, 34.85),  # south of Taldou
    (36.42, 34.87),
]

# ---------------------------------------------------------------------------
# Zone 3: Eastern Ghouta (Rif Dimashq): the besieged enclave of 2017, Douma,
# Harasta, Arbin, Zamalka, Ein Tarma, Jobar (east part), the Marj villages
# and Nashabiyah. The western edge is kept on the eastern side of Jobar so that
# central Damascus (Umayyad Square, 36.276 E, and the GeoNames point of
# Damascus, 36.291 E) stays more than 3 km outside.
# Jaramana (government) is left outside in the south-west.
# ---------------------------------------------------------------------------
EASTERN_GHOUTA = [
    (36.325, 33.527),  # Jobar, east of Abbasiyin
    (36.350, 33.555),  # Harasta west, along the M5
    (36.370, 33.580),
    (36.395, 33.610),  # north of Douma
    (36.430, 33.615),  # al-Rayhan / Shifuniyah
    (36.470, 33.590),
    (36.520, 33.540),  # Hazrama / Nashabiyah east
    (36.530, 33.490),  # Otaya
    (36.480, 33.455),  # Marj villages south-east
    (36.420, 33.450),  # Deir al-Asafir south
    (36.370, 33.465),  # Mleiha south
    (36.335, 33.510),  # between Jaramana and Ein Tarma
    (36.325, 33.515),
]

# ---------------------------------------------------------------------------
# Zone 4: southern Syria, opposition-held parts of Daraa and Quneitra. One ring
# going round the government-held M5 corridor (Sanamayn, Izraa, Sheikh Miskin,
# Khirbet Ghazaleh, Daraa al-Mahatta), which enters it from the north. West
# part: Quneitra along the 1974 ceasefire line and western Daraa (Nawa, Jasim,
# Tafas, the Yarmouk basin); east part: eastern Daraa, Busra al-Harir, Busra
# al-Sham, the Lajat; the two joined along the Jordanian border (Nasib).
# ---------------------------------------------------------------------------
SOUTHERN_SYRIA = [
    (35.75, 32.72),  # JO/Golan side, cut by the outline: Yarmouk basin
    (35.85, 32.55),  # JO, south of the Yarmouk
    (36.10, 32.45),  # JO, south of Daraa al-Balad / Ramtha
    (36.30, 32.38),  # JO, south of Nasib
    (36.47, 32.33),  # JO, south of Busra al-Sham
    (36.55, 32.52),  # Daraa-Suwayda boundary
    (36.50, 32.75),
    (36.55, 32.95),  # Lajat east
    (36.45, 33.08),  # Lajat north
    (36.30, 33.03),  # Lajat west
    (36.29, 32.85),  # east of Izraa
    (36.25, 32.70),  # east of Khirbet Ghazaleh
    (36.17, 32.66),
    (36.13, 32.64),  # Daraa al-Mahatta (government) north edge
    (36.14, 32.80),  # west of Sheikh Miskin
    (36.15, 33.10),  # west of Sanamayn
    (36.00, 33.17),  # Kafr Shams
    (35.86, 33.22),  # north Quneitra (Jubata al-Khashab)
    (35.76, 33.20),  # Golan side, cut by the outline (1974 line)
    (35.75, 32.95),  # Golan side
]

# ---------------------------------------------------------------------------
# Moscow protocol: the M4 road from Tronba (west of Saraqib) to Ain al-Hawr,
# approximate points along the real road (Nayrab, south of Ariha, Urum
# al-Jawz, Bsanqul, Muhambal, Fureikah, Jisr al-Shughur, Bidama).
# ---------------------------------------------------------------------------
M4_ROAD = [
    (36.770, 35.853),  # Tronba, west of Saraqib
    (36.740, 35.845),  # Nayrab
    (36.700, 35.830),
    (36.660, 35.818),
    (36.615, 35.805),  # south of Ariha
    (36.575, 35.785),  # Urum al-Jawz
    (36.530, 35.770),
    (36.480, 35.765),  # Bsanqul
    (36.440, 35.775),  # Muhambal
    (36.395, 35.790),  # Fureikah
    (36.350, 35.805),
    (36.318, 35.812),  # Jisr al-Shughur
    (36.270, 35.800),
    (36.225, 35.790),  # Bidama
    (36.170, 35.795),
    (36.120, 35.790),
    (36.080, 35.790),  # Ain al-Hawr
]

# ---------------------------------------------------------------------------
# Turkey's 12 observation posts (Astana 6 deal), order and dates as announced
# by the Turkish military and reported at the time; coordinates approximate
# (village or hill named, +/- a few km). (lat, lon) here for readability.
# ---------------------------------------------------------------------------
TURKISH_POSTS = [
    # n, id, name_ar, name_en, lat, lon, active_from, note
    (1, "salwa", "صلوة", "Salwa (Darat Izza area)", 36.262, 36.790, "2017-10-13",
     "first post; Turkish military began deploying on 12 Oct 2017"),
    (2, "qalaat_samaan", "قلعة سمعان", "Qalaat Samaan", 36.334, 36.844, "2017-11-01",
     "second of the three posts around Darat Izza; date approximate (Nov 2017)"),
    (3, "sheikh_aqil", "جبل الشيخ عقيل", "Jabal Sheikh Aqil", 36.280, 36.900, "2017-11-20",
     "third of the three posts around Darat Izza; date approximate (Nov 2017)"),
    (4, "tal_al_eis", "تل العيس", "Tal al-Eis", 36.020, 37.020, "2018-02-05", ""),
    (5, "tal_tuqan", "تل طوقان", "Tal Tuqan", 35.845, 36.975, "2018-02-09",
     "date approximate (early Feb 2018)"),
    (6, "surman", "صرمان", "Surman", 35.575, 36.790, "2018-02-15",
     "south-east of Maarat al-Numan"),
    (7, "anadan", "عندان", "Anadan heights", 36.300, 37.030, "2018-03-16",
     "date approximate (Mar 2018)"),
    (8, "zaytuna", "الزيتونة", "al-Zaytuna (north Latakia)", 35.780, 36.200, "2018-04-03",
     "reported as the 8th post, in rural Latakia; location uncertain"),
    (9, "morek", "مورك", "Morek", 35.378, 36.715, "2018-04-07",
     "encircled by government forces Aug 2019; evacuated by Turkey Oct 2020"),
    (10, "rashidin", "الراشدين", "al-Rashidin (western Aleppo)", 36.170, 37.060, "2018-05-08",
     "date approximate (early May 2018)"),
    (11, "shir_mughar", "شير مغار", "Shir Mughar (Jabal Shahshabo)", 35.470, 36.420, "2018-05-14",
     "reported as 'Maydan Ghazal' north of Qalaat al-Madiq; date approximate"),
    (12, "ishtabraq", "اشتبرق", "Jabal Ishtabraq (south of Jisr al-Shughur)", 35.770, 36.355,
     "2018-05-16", "last of the 12 posts"),
]
POST_ACTIVE_TO = {"morek": "2020-10-20"}


# ---------------------------------------------------------------------------
OUTLINE = ROOT / "data" / "outline" / "syria-neighbours.geojson"


def syria() -> Polygon:
    """Natural Earth outline of Syria (generated by scripts/outline/build.sh)."""
    fc = json.loads(OUTLINE.read_text(encoding="utf-8"))
    geoms = [shape(f["geometry"]) for f in fc["features"] if f["properties"]["iso_a3"] == "SYR"]
    assert len(geoms) == 1, "Syria missing from the outline"
    return geoms[0]


SYRIA = syria()


def in_syria(points) -> Polygon:
    """Hand ring cut by the outline of Syria (for rings drawn across a border)."""
    g = polygon(points).intersection(SYRIA)
    parts = [g] if isinstance(g, Polygon) else [p for p in getattr(g, "geoms", []) if isinstance(p, Polygon)]
    parts = [p for p in parts if p.area > 1e-6]
    assert len(parts) == 1, f"clipping left {len(parts)} parts"
    return parts[0]


def metric(geom):
    """Return (projected geom, inverse transform) in a local azimuthal
    equidistant projection centred on the geometry: metres, error < 0.1 %
    over the few hundred km involved."""
    c = geom.centroid
    proj = f"+proj=aeqd +lat_0={c.y:.4f} +lon_0={c.x:.4f} +datum=WGS84 +units=m"
    f = Transformer.from_crs("EPSG:4326", proj, always_xy=True).transform
    i = Transformer.from_crs(proj, "EPSG:4326", always_xy=True).transform
    fwd = lambda g: shapely.transform(g, lambda x, y: f(x, y), interleaved=False)  # noqa: E731
    inv = lambda g: shapely.transform(g, lambda x, y: i(x, y), interleaved=False)  # noqa: E731
    return fwd(geom), inv, fwd


def ring(points):
    pts = list(points)
    if pts[0] != pts[-1]:
        pts.append(pts[0])
    return pts


def polygon(points) -> Polygon:
    p = Polygon(ring(points))
    assert p.is_valid, f"hand-drawn ring is invalid: {points[:3]}..."
    return p


def count_vertices(g) -> int:
    polys = [g] if isinstance(g, Polygon) else list(g.geoms)
    return sum(len(p.exterior.coords) + sum(len(i.coords) for i in p.interiors) for p in polys)


def finish(g, tol_m=60.0):
    """Simplify (metric tolerance) to <= MAX_VERTICES per polygon, round to
    5 decimals, orient RFC 7946 (exterior CCW, holes CW)."""
    m, inv, _ = metric(g)
    tol = tol_m
    while True:
        s = m.simplify(tol, preserve_topology=True)
        polys = [s] if isinstance(s, Polygon) else list(s.geoms)
        if all(count_vertices(p) <= MAX_VERTICES for p in polys):
            break
        tol *= 1.5
    g = inv(s)

    def rnd(p: Polygon) -> Polygon:
        ext = [(round(x, 5), round(y, 5)) for x, y in p.exterior.coords]
        holes = [[(round(x, 5), round(y, 5)) for x, y in r.coords] for r in p.interiors]
        return orient(Polygon(ext, holes), sign=1.0)

    if isinstance(g, Polygon):
        out = rnd(g)
    else:
        out = MultiPolygon([rnd(p) for p in g.geoms if p.area > 0])
    assert out.is_valid, "finished geometry invalid"
    return out


def feature(fid, geom, **props):
    p = {"id": fid, "approximate": True, "source": SOURCE_ZONES}
    p.update(props)
    return {"type": "Feature", "properties": p, "geometry": mapping(geom)}


def write_fc(path: Path, features):
    path.parent.mkdir(parents=True, exist_ok=True)
    fc = {"type": "FeatureCollection", "features": features}

    def fix(o):  # tuples -> lists for stable JSON
        if isinstance(o, (list, tuple)):
            return [fix(x) for x in o]
        if isinstance(o, dict):
            return {k: fix(v) for k, v in o.items()}
        return o

    text = json.dumps(fix(fc), ensure_ascii=False, separators=(",", ":"))
    # one feature per line: diffable and small
    text = text.replace('{"type":"Feature",', '\n{"type":"Feature",')
    path.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size} bytes, {len(features)} features)")


def idlib_polygons():
    return {
        "idlib-2017": in_syria(IDLIB_OUTER + IDLIB_FRONT_2017),
        "idlib-2018": in_syria(IDLIB_OUTER + IDLIB_FRONT_2018),
        "idlib-2019": in_syria(IDLIB_OUTER + IDLIB_FRONT_2019),
        "idlib-2020": in_syria(IDLIB_OUTER_2020 + IDLIB_FRONT_2020),
    }


def sochi_strip(idlib: Polygon, front, depth_km=17.5):
    """The demilitarised strip: the part of the Idlib zone within depth_km of
    its line of contact with government forces (= the zone minus its inward
    buffer, measured from the front only, not from the Turkish border)."""
    m, inv, fwd = metric(idlib)
    front_m = fwd(LineString(front))
    strip = m.intersection(front_m.buffer(depth_km * 1000.0, quad_segs=8))
    strip = strip.buffer(0)
    if not isinstance(strip, (Polygon, MultiPolygon)):
        strip = unary_union([g for g in strip.geoms if g.area > 0])
    return inv(strip)


def m4_corridor(half_width_km=6.0):
    line = LineString(M4_ROAD)
    m, inv, _ = metric(line)
    return inv(m.buffer(half_width_km * 1000.0, quad_segs=8))


def main():
    for x, y in TURKEY_SIDE + [SOUTHERN_SYRIA[i] for i in (0, 1, 2, 3, 4, 18, 19)]:
        assert not SYRIA.contains(Point(x, y)), f"({x}, {y}) should lie outside Syria"
    idl = idlib_polygons()
    notes = {
        "idlib-2017": "front of May 2017 to the Dec 2017-Feb 2018 offensive",
        "idlib-2018": "after the loss of the area east of the Hejaz railway (Abu al-Duhur, 20 Jan 2018)",
        "idlib-2019": "after Khan Sheikhoun (21 Aug 2019) and the northern Hama pocket (23 Aug 2019)",
        "idlib-2020": "ceasefire line of the Moscow protocol (6 Mar 2020): M5, Maarat al-Numan, Saraqib and western Aleppo lost",
    }
    feats = [feature(k, finish(v), zone="idlib", note=notes[k]) for k, v in idl.items()]
    feats.append(feature("northern_homs-2017", finish(polygon(NORTHERN_HOMS)), zone="northern_homs",
                         note="Rastan-Talbiseh pocket and the Houla plain, 2017"))
    feats.append(feature("eastern_ghouta-2017", finish(polygon(EASTERN_GHOUTA)), zone="eastern_ghouta",
                         note="besieged enclave, 2017; west edge kept > 3 km from central Damascus"))
    feats.append(feature("southern_syria-2017", finish(in_syria(SOUTHERN_SYRIA)), zone="southern_syria",
                         note="opposition-held Daraa and Quneitra round the government M5 corridor, 2017"))
    write_fc(AGR / "astana-2017" / "zones.geojson", feats)

    posts = []
    for n, pid, ar, en, lat, lon, since, note in TURKISH_POSTS:
        props = {"id": f"tr-op-{n:02d}-{pid}", "name_ar": f"نقطة المراقبة التركية {n}: {ar}",
                 "name_en": f"Turkish observation post {n}: {en}", "party": "turkey",
                 "active_from": since}
        if pid in POST_ACTIVE_TO:
            props["active_to"] = POST_ACTIVE_TO[pid]
        props["number"] = n
        props["approximate"] = True
        props["note"] = note
        posts.append({"type": "Feature", "properties": props,
                      "geometry": {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]}})
    write_fc(AGR / "astana-2017" / "posts.geojson", posts)

    strip = finish(sochi_strip(idl["idlib-2018"], IDLIB_FRONT_2018))
    write_fc(AGR / "sochi-2018" / "zones.geojson", [
        feature("idlib_demilitarised-2018", strip, zone="idlib_demilitarised",
                note="the Idlib zone (2018 line) within 17.5 km of its line of contact with government forces")])

    corridor = finish(m4_corridor().intersection(SYRIA))
    write_fc(AGR / "moscow-2020" / "zones.geojson", [
        feature("m4_corridor-2020", corridor, zone="m4_corridor",
                note="6 km either side of an approximate trace of the M4, Tronba to Ain al-Hawr")])


if __name__ == "__main__":
    main()
