"""Workload for bench/zones.sh: zone versions + query points.

usage: gen.py OUTDIR N_SYNTHETIC N_POINTS SEED

Writes to OUTDIR:
  zones.txt   Hudna example input: "V key from to security" then one
              "P" line per part and one "R x y x y ..." line per ring
  zones.tsv   key, from, to, security, WKT (PostGIS COPY / shapely)
  points.bin  float64 lon[N], float64 lat[N], int32 day[N] (little endian)
  meta.json   counts

Zones: the shipped data/agreements/*/zones.geojson features (validity from
agreement.toml when a zone version names the feature, else the whole
period), plus N synthetic versions: families of zone lines corrected over
time (each version a perturbed copy of the family's line, consecutive
validity intervals, some overlapping in time), star-shaped rings of up to
~1,200 vertices, ~30 % with holes, ~20 % multipolygons.

Points: uniform over Syria's bbox (lon 35.7-42.4, lat 32.3-37.3), days
uniform over the period; 20 % are placed within 100 m of a border of a
version valid on the point's day (random edge, random position, random
perpendicular offset up to 100 m either side) and 0.1 % exactly on a vertex
(the boundary rule: covered).
"""
import glob
import json
import os
import sys
import tomllib
from datetime import date

import numpy as np

DAY0, DAY1 = 17167, 18993  # 2017-01-01 .. 2022-01-01
OPEN = 2**31 - 1
BBOX = (35.7, 32.3, 42.4, 37.3)


def days(d):
    return (d - date(1970, 1, 1)).days


def shipped(root):
    out = []
    for f in sorted(glob.glob(os.path.join(root, "data/agreements/*/zones.geojson"))):
        try:
            fc = json.load(open(f))
        except (OSError, ValueError) as e:
            print(f"skip {f}: {e}", file=sys.stderr)
            continue
        validity = {}
        toml_path = os.path.join(os.path.dirname(f), "agreement.toml")
        if os.path.exists(toml_path):
            try:
                doc = tomllib.load(open(toml_path, "rb"))
                for z in doc.get("zone", []):
                    for v in z.get("version", []):
                        g = v.get("geometry", "")
                        if "#" in g:
                            fid = g.split("#", 1)[1]
                            to = v.get("valid_to")
                            validity.setdefault(fid, (days(v["valid_from"]), days(to) if to else OPEN))
            except (OSError, ValueError) as e:
                print(f"skip validity of {toml_path}: {e}", file=sys.stderr)
        for ft in fc.get("features", []):
            g = ft.get("geometry") or {}
            if g.get("type") == "Polygon":
                parts = [g["coordinates"]]
            elif g.get("type") == "MultiPolygon":
                parts = g["coordinates"]
            else:
                continue
            fid = (ft.get("properties") or {}).get("id", "?")
            fr, to = validity.get(fid, (DAY0, OPEN))
            parts = [[[(float(x), float(y)) for x, y, *_ in ring] for ring in p] for p in parts]
            out.append(dict(name=fid, parts=parts, frm=fr, to=to, security=False))
    return out


def star(rng, cx, cy, r, n, phase, amp, ccw=True):
    t = np.sort(rng.uniform(0, 2 * np.pi, n))
    t = np.unique(t)
    rad = r * (1 + amp[0] * np.sin(3 * t + phase[0]) + amp[1] * np.sin(7 * t + phase[1]) + 0.04 * rng.uniform(-1, 1, len(t)))
    x = cx + rad * np.cos(t) / np.cos(np.radians(cy))
    y = cy + rad * np.sin(t)
    ring = list(zip(x.tolist(), y.tolist()))
    ring.append(ring[0])
    if not ccw:
        ring.reverse()
    return ring


def synthetic(rng, n):
    out = []
    if n == 0:
        return out
    fams = max(1, n // 25)
    per = [n // fams + (1 if i < n % fams else 0) for i in range(fams)]
    for f, k in enumerate(per):
        cx = rng.uniform(BBOX[0] + 0.8, BBOX[2] - 0.8)
        cy = rng.uniform(BBOX[1] + 0.6, BBOX[3] - 0.6)
        r = rng.uniform(0.25, 0.7)
        phase = rng.uniform(0, 2 * np.pi, 2)
        amp = rng.uniform(0.05, 0.15, 2)
        cuts = np.sort(rng.choice(np.arange(DAY0 + 1, DAY1), size=k - 1, replace=False)) if k > 1 else []
        starts = [DAY0] + list(cuts)
        ends = list(cuts) + [OPEN if rng.uniform() < 0.5 else DAY1]
        for v in range(k):
            nv = 1200 if n == 1 else (int(rng.integers(900, 1100)) if n >= 1000 else int(rng.integers(200, 1300)))
            # a corrected line: small shifts of centre, radius and shape
            vcx = cx + rng.normal(0, 0.01)
            vcy = cy + rng.normal(0, 0.01)
            vr = r * (1 + rng.normal(0, 0.02))
            shell = star(rng, vcx, vcy, vr, nv, phase + rng.normal(0, 0.05, 2), amp)
            rings = [shell]
            if rng.uniform() < 0.3:
                for h in range(int(rng.integers(1, 3))):
                    ang = rng.uniform(0, 2 * np.pi)
                    d = 0.35 * vr * h  # hole 0 at the centre, hole 1 off it: disjoint
                    rings.append(star(rng, vcx + d * np.cos(ang) / np.cos(np.radians(vcy)), vcy + d * np.sin(ang), 0.1 * vr, int(rng.integers(20, 120)), phase, amp * 0.5, ccw=False))
            parts = [rings]
            if rng.uniform() < 0.2:
                ang = rng.uniform(0, 2 * np.pi)
                d = vr * 1.45 + 0.25 * vr * 1.4
                parts.append([star(rng, vcx + d * np.cos(ang) / np.cos(np.radians(vcy)), vcy + d * np.sin(ang), 0.2 * vr, int(rng.integers(40, 300)), phase, amp * 0.5)])
            fr, to = starts[v], ends[v]
            if v + 1 < k and rng.uniform() < 0.2 and ends[v] != OPEN:
                to = min(DAY1, to + int(rng.integers(10, 200)))  # overlaps the next version
            out.append(dict(name=f"syn-{f}-{v}", parts=parts, frm=int(fr), to=int(to), security=bool(rng.uniform() < 0.1)))
    return out


def wkt(parts):
    def ring(r):
        return "(" + ",".join(f"{x!r} {y!r}" for x, y in r) + ")"

    return "MULTIPOLYGON(" + ",".join("(" + ",".join(ring(r) for r in p) + ")" for p in parts) + ")"


def main():
    outdir, n_syn, n_pts, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    rng = np.random.default_rng(seed)
    os.makedirs(outdir, exist_ok=True)
    zones = shipped(root)
    n_shipped = len(zones)
    zones += synthetic(rng, n_syn)
    for i, z in enumerate(zones):
        z["key"] = 100000 + i if i < n_shipped else i - n_shipped + 1
    with open(os.path.join(outdir, "zones.txt"), "w") as f, open(os.path.join(outdir, "zones.tsv"), "w") as t:
        for z in zones:
            f.write(f"V {z['key']} {z['frm']} {z['to']} {int(z['security'])}\n")
            for p in z["parts"]:
                f.write("P\n")
                for r in p:
                    f.write("R " + " ".join(f"{x!r} {y!r}" for x, y in r) + "\n")
            t.write(f"{z['key']}\t{z['frm']}\t{z['to']}\t{int(z['security'])}\tSRID=4326;{wkt(z['parts'])}\n")

    lon = rng.uniform(BBOX[0], BBOX[2], n_pts)
    lat = rng.uniform(BBOX[1], BBOX[3], n_pts)
    day = rng.integers(DAY0, DAY1, n_pts).astype(np.int32)
    # near-border points: 20 %
    near = rng.permutation(n_pts)[: n_pts // 5]
    edges = []  # (zone index, ring) for sampling
    for zi, z in enumerate(zones):
        for p in z["parts"]:
            for r in p:
                edges.append((zi, np.asarray(r)))
    pick = rng.integers(0, len(edges), len(near))
    for j, i in enumerate(near):
        zi, r = edges[pick[j]]
        z = zones[zi]
        e = int(rng.integers(0, len(r) - 1))
        (ax, ay), (bx, by) = r[e], r[e + 1]
        t = rng.uniform()
        x, y = ax + t * (bx - ax), ay + t * (by - ay)
        k = np.cos(np.radians(y))
        dx, dy = (bx - ax) * k, by - ay
        L = np.hypot(dx, dy) or 1.0
        off = rng.uniform(-100.0, 100.0) / 111195.0
        lon[i] = x + (-dy / L) * off / k
        lat[i] = y + (dx / L) * off
        hi = min(z["to"], DAY1)
        day[i] = rng.integers(max(z["frm"], DAY0), max(hi, max(z["frm"], DAY0) + 1))
    # exactly on a vertex: 0.1 %
    onv = rng.permutation(n_pts)[: n_pts // 1000]
    for i in onv:
        zi, r = edges[int(rng.integers(0, len(edges)))]
        x, y = r[int(rng.integers(0, len(r) - 1))]
        lon[i], lat[i] = x, y
        z = zones[zi]
        day[i] = rng.integers(max(z["frm"], DAY0), max(min(z["to"], DAY1), max(z["frm"], DAY0) + 1))
    with open(os.path.join(outdir, "points.bin"), "wb") as f:
        f.write(lon.astype("<f8").tobytes())
        f.write(lat.astype("<f8").tobytes())
        f.write(day.astype("<i4").tobytes())
    meta = dict(
        versions=len(zones),
        shipped=n_shipped,
        synthetic=n_syn,
        points=n_pts,
        vertices=int(sum(len(r) for z in zones for p in z["parts"] for r in p)),
        max_vertices=int(max(sum(len(r) for p in z["parts"] for r in p) for z in zones)),
        with_holes=sum(any(len(p) > 1 for p in z["parts"]) for z in zones),
        multipolygons=sum(len(z["parts"]) > 1 for z in zones),
    )
    json.dump(meta, open(os.path.join(outdir, "meta.json"), "w"))
    print(json.dumps(meta))


if __name__ == "__main__":
    main()
