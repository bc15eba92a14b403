#!/usr/bin/env python3
"""Check the shipped agreement definitions (data/agreements/*/).

    data/work/venv/bin/python scripts/agreements/check.py   # needs shapely, pyproj

Checks, for every agreement directory with an agreement.toml:
  * GeoJSON: RFC 7946 (closed rings of >= 4 positions, exterior CCW, holes
    CW), shapely validity, coordinates inside area_bbox with <= 5 decimals,
    <= 150 vertices per polygon, zone properties id/approximate/source, posts
    are Points with id/name_ar/name_en/party/active_from;
  * agreement.toml: geometry references resolve, versions of one zone do not
    overlap in time (half-open [valid_from, valid_to)), parties/zones/rounds
    referenced exist, statement files exist;
  * the locate expectations the hudna tests assert (zone + status on a day,
    security bands), computed here independently with shapely.
Exit status 1 on any failure.
"""
from __future__ import annotations

import datetime as dt
import json
import sys
import tomllib
from pathlib import Path

from pyproj import Geod
from shapely.geometry import Point, shape
from shapely.ops import nearest_points

ROOT = Path(__file__).resolve().parents[2]
AGR = ROOT / "data" / "agreements"
GEOD = Geod(ellps="WGS84")
FAIL: list[str] = []


def fail(msg):
    FAIL.append(msg)
    print("FAIL", msg)


def ok(cond, msg):
    if not cond:
        fail(msg)
    return cond


def signed_area(ring):
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:])) / 2.0


def decimals(v: float) -> int:
    s = repr(v)
    return len(s.split(".")[1]) if "." in s and "e" not in s else 0


def check_polygon_coords(where, polys, bbox):
    for pi, rings in enumerate(polys):
        nverts = sum(len(r) for r in rings)
        ok(nverts <= 150, f"{where} polygon {pi}: {nverts} vertices > 150")
        for ri, r in enumerate(rings):
            ok(len(r) >= 4, f"{where} ring {ri}: fewer than 4 positions")
            ok(r[0] == r[-1], f"{where} ring {ri}: not closed")
            a = signed_area(r)
            if ri == 0:
                ok(a > 0, f"{where} exterior ring not counter-clockwise")
            else:
                ok(a < 0, f"{where} hole {ri} not clockwise")
            for lon, lat in r:
                ok(bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3],
                   f"{where}: [{lon}, {lat}] outside area_bbox")
                ok(decimals(lon) <= 5 and decimals(lat) <= 5, f"{where}: more than 5 decimals")


def load_geojson(path: Path, bbox, kind):
    fc = json.loads(path.read_text(encoding="utf-8"))
    ok(fc.get("type") == "FeatureCollection", f"{path}: not a FeatureCollection")
    feats = {}
    for i, f in enumerate(fc["features"]):
        where = f"{path.relative_to(ROOT)}[{i}]"
        p = f.get("properties") or {}
        fid = p.get("id")
        ok(isinstance(fid, str) and fid, f"{where}: properties.id missing")
        ok(fid not in feats, f"{where}: duplicate id {fid}")
        g = f["geometry"]
        if kind == "zones":
            ok(g["type"] in ("Polygon", "MultiPolygon"), f"{where}: zone geometry must be (Multi)Polygon")
            ok(p.get("approximate") is True or p.get("approximate") is False, f"{where}: approximate missing")
            ok(isinstance(p.get("source"), str) and p["source"], f"{where}: source missing")
            polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
            check_polygon_coords(where, polys, bbox)
        else:
            ok(g["type"] == "Point", f"{where}: post must be a Point")
            for k in ("name_ar", "name_en", "party", "active_from"):
                ok(k in p, f"{where}: {k} missing")
            lon, lat = g["coordinates"]
            ok(bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3], f"{where}: outside area_bbox")
        geom = shape(g)
        ok(geom.is_valid, f"{where}: shapely says invalid")
        feats[fid] = (geom, p)
    return feats


def interval_ok(vf, vt, day):
    return vf <= day and (vt is None or day < vt)


class Agreement:
    def __init__(self, d: Path):
        self.dir = d
        self.t = tomllib.loads((d / "agreement.toml").read_text(encoding="utf-8"))
        self.bbox = self.t.get("area_bbox", [-180, -90, 180, 90])
        self.files: dict[str, dict] = {}

    def feature(self, ref):
        fname, _, fid = ref.partition("#")
        if fname not in self.files:
            self.files[fname] = load_geojson(self.dir / fname, self.bbox, "zones")
        return self.files[fname].get(fid)

    def check(self):
        t, name = self.t, self.dir.name
        ok(t.get("id") == name, f"{name}: id {t.get('id')} differs from directory")
        parties = {p["id"] for p in t.get("party", [])}
        for k in ("name_ar", "name_en", "signed", "source"):
            ok(k in t, f"{name}: {k} missing")
        zones = {}
        for z in t.get("zone", []):
            zid = z["id"]
            zones[zid] = z
            vs = z.get("version", [])
            ok(vs, f"{name}: zone {zid} has no version")
            for v in vs:
                f = self.feature(v["geometry"])
                ok(f is not None, f"{name}: zone {zid}: {v['geometry']} not found")
                ok(v["status"] in ("active", "suspended", "dissolved"), f"{name}: zone {zid}: status")
                if v.get("valid_to"):
                    ok(v["valid_from"] < v["valid_to"], f"{name}: zone {zid}: empty interval")
            ordered = sorted(vs, key=lambda v: v["valid_from"])
            for a, b in zip(ordered, ordered[1:]):
                ok(a.get("valid_to") is not None and a["valid_to"] <= b["valid_from"],
                   f"{name}: zone {zid}: versions {a['valid_from']} and {b['valid_from']} overlap in time")
            for s in z.get("security_zone", []):
                ok(("band_km" in s and s.get("side") in ("outside", "inside", "both")) or "geometry" in s,
                   f"{name}: zone {zid}: security_zone needs band_km+side or geometry")
        if "posts" in t:
            posts = load_geojson(self.dir / t["posts"]["file"], self.bbox, "posts")
            for pid, (_, p) in posts.items():
                ok(p["party"] in parties, f"{name}: post {pid}: unknown party {p['party']}")
        if "mandate" in t:
            for c in t["mandate"].get("consenting", []):
                ok(c in parties, f"{name}: mandate: unknown party {c}")
        for r in t.get("rule", []):
            for zid in r.get("zones", ["*"]):
                ok(zid == "*" or zid in zones, f"{name}: rule {r['id']}: unknown zone {zid}")
            for b in r.get("bound", []):
                ok(b in parties, f"{name}: rule {r['id']}: unknown party {b}")
        rounds = {r["id"] for r in t.get("round", [])}
        for r in t.get("round", []):
            ok(r["start"] <= r["end"], f"{name}: round {r['id']}: end before start")
            if "statement" in r:
                ok((self.dir / r["statement"]).is_file(), f"{name}: round {r['id']}: statement missing")
        for c in t.get("commitment", []):
            ok(c["round"] in rounds, f"{name}: commitment {c['id']}: unknown round")
            ok(c["status"] in ("open", "met", "missed", "postponed"), f"{name}: commitment {c['id']}: status")
            if c.get("settled_by", "").startswith(("astana-", "sochi-")):
                ok(c["settled_by"] in rounds, f"{name}: commitment {c['id']}: unknown round {c['settled_by']}")
        self.zones = zones

    def locate(self, lat, lon, day):
        """[(zone_id, status)] containing the point, and [(zone_id, km)] of
        security bands (side outside) containing it, on `day`."""
        pt = Point(lon, lat)
        inside, bands = [], []
        for zid, z in self.zones.items():
            geom = None
            for v in z["version"]:
                if interval_ok(v["valid_from"], v.get("valid_to"), day):
                    geom = self.feature(v["geometry"])[0]
                    if geom.covers(pt):
                        inside.append((zid, v["status"]))
            if geom is None:
                continue
            for s in z.get("security_zone", []):
                if "band_km" not in s or not interval_ok(s["valid_from"], s.get("valid_to"), day):
                    continue
                d = distance_km(geom, pt)
                side = s["side"]
                inn = geom.covers(pt)
                if d <= s["band_km"] and ((side == "outside" and not inn) or (side == "inside" and inn) or side == "both"):
                    bands.append((zid, round(d, 2)))
        return inside, bands


def distance_km(geom, pt):
    """Geodesic distance from pt to the boundary of geom, in km."""
    a, b = nearest_points(geom.boundary, pt)
    _, _, m = GEOD.inv(a.x, a.y, b.x, b.y)
    return m / 1000.0


D = dt.date.fromisoformat


def expectations(ast: Agreement):
    def expect_in(label, lat, lon, day, zone):
        inside, _ = ast.locate(lat, lon, D(day))
        ok((zone, "active") in inside, f"locate {label} {day}: expected in {zone} active, got {inside}")

    def expect_not_active(label, lat, lon, day, zone):
        inside, _ = ast.locate(lat, lon, D(day))
        ok((zone, "active") not in inside, f"locate {label} {day}: expected {zone} not active, got {inside}")

    def expect_nothing(label, lat, lon, day, min_km=3.0):
        inside, bands = ast.locate(lat, lon, D(day))
        ok(not inside and not bands, f"locate {label} {day}: expected no zone/band, got {inside} {bands}")
        pt = Point(lon, lat)
        for zid, z in ast.zones.items():
            for v in z["version"]:
                g = ast.feature(v["geometry"])[0]
                ok(not g.covers(pt) and distance_km(g, pt) > min_km,
                   f"{label}: inside or within {min_km} km of {v['geometry']}")

    expect_in("Douma", 33.572, 36.402, "2018-01-15", "eastern_ghouta")
    expect_not_active("Douma", 33.572, 36.402, "2018-06-01", "eastern_ghouta")
    expect_in("Kafranbel", 35.614, 36.563, "2018-03-01", "idlib")
    expect_in("Jisr al-Shughur", 35.812, 36.318, "2019-06-01", "idlib")
    expect_in("Rastan", 34.926, 36.733, "2017-12-01", "northern_homs")
    expect_in("Nawa", 32.889, 36.043, "2017-12-01", "southern_syria")
    expect_nothing("Damascus Umayyad Sq", 33.513, 36.276, "2018-01-15")
    expect_nothing("Latakia city", 35.523, 35.792, "2018-01-15")
    expect_nothing("Damascus (GeoNames point)", 33.5102, 36.29128, "2018-01-15")
    expect_nothing("Hama city", 35.131, 36.757, "2018-01-15")
    # history behaves as documented
    expect_not_active("Rastan", 34.926, 36.733, "2018-06-01", "northern_homs")
    expect_not_active("Nawa", 32.889, 36.043, "2018-08-15", "southern_syria")
    expect_in("Khan Sheikhoun", 35.441, 36.648, "2019-06-01", "idlib")
    expect_not_active("Khan Sheikhoun", 35.441, 36.648, "2019-09-01", "idlib")
    expect_in("Maarat al-Numan", 35.648, 36.674, "2019-12-01", "idlib")
    expect_not_active("Maarat al-Numan", 35.648, 36.674, "2020-04-01", "idlib")
    expect_in("Idlib city", 35.930, 36.633, "2021-01-01", "idlib")
    expect_in("Ariha", 35.813, 36.607, "2020-04-01", "idlib")
    # places of the bundled sample reports (GeoNames points, data/gazetteer)
    expect_in("Harasta", 33.55869, 36.36515, "2017-11-15", "eastern_ghouta")
    expect_in("Talbiseh", 34.84072, 36.73092, "2018-02-10", "northern_homs")
    expect_in("Daraa", 32.61889, 36.10213, "2017-06-10", "southern_syria")
    expect_in("Nawa (GeoNames)", 32.88646, 36.03905, "2018-07-11", "southern_syria")
    expect_in("Khan Shaykhun (GeoNames)", 35.44208, 36.65095, "2019-05-27", "idlib")
    expect_in("Kafranbel (GeoNames)", 35.61376, 36.56449, "2018-03-20", "idlib")
    expect_in("Saraqib", 35.86447, 36.80591, "2018-03-01", "idlib")
    expect_not_active("Saraqib", 35.86447, 36.80591, "2020-04-01", "idlib")
    expect_in("Binnish", 35.95664, 36.71380, "2020-04-01", "idlib")
    ok(ast.locate(33.572, 36.402, D("2018-06-01"))[0] == [("eastern_ghouta", "dissolved")],
       "Douma 2018-06-01 should read eastern_ghouta dissolved")


def check_sochi(soc: Agreement, ast: Agreement):
    strip = soc.feature("zones.geojson#idlib_demilitarised-2018")[0]
    idl = ast.feature("zones.geojson#idlib-2018")[0]
    ok(strip.difference(idl.buffer(0.002)).area < 1e-6, "sochi strip leaves the 2018 Idlib zone")
    for label, lat, lon, want in [("Kafr Zita", 35.375, 36.600, True), ("Morek", 35.372, 36.690, True),
                                  ("Jisr al-Shughur", 35.812, 36.318, True), ("Idlib city", 35.930, 36.633, False),
                                  ("Bab al-Hawa", 36.225, 36.660, False), ("Khan Sheikhoun", 35.441, 36.648, True)]:
        ok(strip.covers(Point(lon, lat)) == want, f"sochi strip: {label} expected inside={want}")


def check_moscow(mos: Agreement):
    c = mos.feature("zones.geojson#m4_corridor-2020")[0]
    for label, lat, lon, want in [("Jisr al-Shughur", 35.812, 36.318, True), ("Ariha", 35.813, 36.607, True),
                                  ("Muhambal", 35.775, 36.440, True), ("Idlib city", 35.930, 36.633, False),
                                  ("Kafranbel", 35.614, 36.563, False)]:
        ok(c.covers(Point(lon, lat)) == want, f"m4 corridor: {label} expected inside={want}")
    # half-width about 6 km: from the road point at Jisr al-Shughur go due
    # north 5.5 km (inside) and 6.5 km (outside); the road runs east-west there.
    for km, want in [(5.5, True), (6.5, False)]:
        lon, lat, _ = GEOD.fwd(36.318, 35.812, 0, km * 1000)
        ok(c.covers(Point(lon, lat)) == want, f"m4 corridor: {km} km north of the road inside={want}")


def check_outline():
    path = ROOT / "data" / "outline" / "syria-neighbours.geojson"
    if not path.is_file():
        return
    ok(path.stat().st_size < 400_000, "outline larger than 400 KB")
    fc = json.loads(path.read_text(encoding="utf-8"))
    isos = set()
    for i, f in enumerate(fc["features"]):
        p, g = f["properties"], f["geometry"]
        for k in ("name_en", "name_ar", "iso_a3"):
            ok(k in p, f"outline[{i}]: {k} missing")
        isos.add(p["iso_a3"])
        polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
        for rings in polys:
            for ri, r in enumerate(rings):
                ok(r[0] == r[-1] and len(r) >= 4, f"outline[{i}]: ring not closed")
                ok((signed_area(r) > 0) == (ri == 0), f"outline[{i}]: winding")
        ok(shape(g).is_valid, f"outline[{i}] ({p.get('name_en')}): invalid")
    for iso in ("SYR", "TUR", "IRQ", "JOR", "LBN", "ISR", "PSE", "CYP"):
        ok(iso in isos, f"outline: {iso} missing")
    print(f"checked outline: {len(fc['features'])} features")


def main():
    check_outline()
    ags = {}
    for d in sorted(AGR.iterdir()):
        if (d / "agreement.toml").is_file():
            a = Agreement(d)
            a.check()
            ags[d.name] = a
            print(f"checked {d.name}: {len(a.zones)} zones")
    if "astana-2017" in ags:
        expectations(ags["astana-2017"])
    if "sochi-2018" in ags and "astana-2017" in ags:
        check_sochi(ags["sochi-2018"], ags["astana-2017"])
    if "moscow-2020" in ags:
        check_moscow(ags["moscow-2020"])
    print(f"{len(FAIL)} failures" if FAIL else "all agreement checks passed")
    sys.exit(1 if FAIL else 0)


if __name__ == "__main__":
    main()
