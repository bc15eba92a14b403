"""Covering query through shapely 2 (GEOS prepared geometries).

usage: shapely_run.py CASEDIR

For every version: points whose day is in [from, to) (points pre-sorted by
day, so that is a contiguous slice), then `shapely.intersects_xy` on the
prepared geometry. For a point, intersects == covers (boundary counts), the
PostGIS ST_Covers rule. Writes pairs_shapely.npy (idx << 32 | key, sorted)
and prints JSON timings.
"""
import json
import os
import sys
import time

import numpy as np
import shapely


def load_points(d):
    raw = open(os.path.join(d, "points.bin"), "rb").read()
    n = len(raw) // 20
    lon = np.frombuffer(raw, "<f8", n, 0)
    lat = np.frombuffer(raw, "<f8", n, 8 * n)
    day = np.frombuffer(raw, "<i4", n, 16 * n)
    return lon, lat, day


def main():
    d = sys.argv[1]
    lon, lat, day = load_points(d)
    keys, frm, to, wkts = [], [], [], []
    for line in open(os.path.join(d, "zones.tsv")):
        k, f, t, _sec, w = line.rstrip("\n").split("\t")
        keys.append(int(k))
        frm.append(int(f))
        to.append(int(t))
        wkts.append(w.split(";", 1)[1])
    t0 = time.perf_counter()
    geoms = shapely.from_wkt(wkts)
    shapely.prepare(geoms)
    t_build = time.perf_counter() - t0

    t0, c0 = time.perf_counter(), time.process_time()
    order = np.argsort(day, kind="stable")
    ds, xs, ys = day[order], lon[order], lat[order]
    out = []
    for g, k, f, t in zip(geoms, keys, frm, to):
        lo = np.searchsorted(ds, f, "left")
        hi = np.searchsorted(ds, t, "left")
        if hi <= lo:
            continue
        m = shapely.intersects_xy(g, xs[lo:hi], ys[lo:hi])
        idx = order[lo:hi][m].astype(np.int64)
        out.append((idx << 32) | k)
    pairs = np.concatenate(out) if out else np.zeros(0, np.int64)
    t_query = time.perf_counter() - t0
    c_query = time.process_time() - c0
    pairs.sort()
    np.save(os.path.join(d, "pairs_shapely.npy"), pairs)
    print(json.dumps(dict(tool="shapely", version=shapely.__version__, geos=shapely.geos_version_string,
                          points=len(lon), build_s=t_build, query_s=t_query, query_cpu_s=c_query,
                          pairs=len(pairs), pts_per_s=len(lon) / t_query,
                          pts_per_cpu_s=len(lon) / c_query)))


if __name__ == "__main__":
    main()
