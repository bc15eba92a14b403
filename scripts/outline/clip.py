#!/usr/bin/env python3
"""Clip the neighbours outline to a frame round Syria, round coordinates to
4 decimals, orient rings RFC 7946 (exterior CCW), write compact GeoJSON.
Usage: clip.py raw.geojson out.geojson"""
import json
import sys

from shapely.geometry import MultiPolygon, Polygon, box, mapping, shape
from shapely.geometry.polygon import orient

FRAME = box(32.0, 29.0, 44.5, 38.5)  # lon_min, lat_min, lon_max, lat_max


def polys(g):
    if isinstance(g, Polygon):
        return [g]
    if isinstance(g, MultiPolygon):
        return list(g.geoms)
    return [p for p in getattr(g, "geoms", []) if isinstance(p, Polygon)]


def rnd(p):
    ext = [(round(x, 4), round(y, 4)) for x, y in p.exterior.coords]
    holes = [[(round(x, 4), round(y, 4)) for x, y in r.coords] for r in p.interiors]
    q = Polygon(ext, holes)
    if not q.is_valid:
        q = q.buffer(0)
    return [orient(x, sign=1.0) for x in polys(q) if x.area > 0]


def main(src, out):
    fc = json.load(open(src, encoding="utf-8"))
    feats = []
    for f in fc["features"]:
        g = shape(f["geometry"]).intersection(FRAME)
        ps = [q for p in polys(g) for q in rnd(p)]
        if not ps:
            continue
        geom = ps[0] if len(ps) == 1 else MultiPolygon(ps)
        feats.append({"type": "Feature", "properties": f["properties"], "geometry": mapping(geom)})
    text = json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False,
                      separators=(",", ":"))
    text = text.replace('{"type":"Feature",', '\n{"type":"Feature",')
    open(out, "w", encoding="utf-8").write(text + "\n")
    print(f"wrote {out}: {len(feats)} features, {len(text.encode())} bytes")


if __name__ == "__main__":
    main(*sys.argv[1:3])
