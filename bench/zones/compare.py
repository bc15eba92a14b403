"""Compare Hudna, shapely and PostGIS answers; print the table and, as the
last line, the JSON summary of the largest case.

usage: compare.py CASEDIR...

A pair is (point index, area key) for "this area covers this point on the
point's day". Hudna and shapely answer every point; PostGIS answers a
random subset (subset_postgis.npy), compared against Hudna on that subset.
Every disagreement is printed with its coordinates and day.
"""
import json
import os
import sys

import numpy as np

from shapely_run import load_points


def diff(name, a, b, lon, lat, day, limit=20):
    only_a = np.setdiff1d(a, b)
    only_b = np.setdiff1d(b, a)
    for tag, arr in (("hudna only", only_a), (f"{name} only", only_b)):
        for p in arr[:limit]:
            i, k = int(p >> 32), int(p & 0xFFFFFFFF)
            print(f"  MISMATCH vs {name}: {tag}: point {i} lon={lon[i]!r} lat={lat[i]!r} day={day[i]} key={k}")
    return len(only_a) + len(only_b)


def main():
    rows = []
    for d in sys.argv[1:]:
        lon, lat, day = load_points(d)
        meta = json.load(open(os.path.join(d, "meta.json")))
        h = json.loads(open(os.path.join(d, "hudna.json")).read().strip().splitlines()[-1])
        s = json.loads(open(os.path.join(d, "shapely.json")).read().strip().splitlines()[-1])
        hp = np.fromfile(os.path.join(d, "pairs_hudna.bin"), "<u8").astype(np.int64)
        sp = np.load(os.path.join(d, "pairs_shapely.npy"))
        print(f"case {os.path.basename(d)}: {meta}")
        mm_s = diff("shapely", hp, sp, lon, lat, day)
        pg, mm_p, pg_pts = None, None, 0
        if os.path.exists(os.path.join(d, "postgis.json")):
            pg = json.loads(open(os.path.join(d, "postgis.json")).read().strip().splitlines()[-1])
            pp = np.load(os.path.join(d, "pairs_postgis.npy"))
            sub = np.load(os.path.join(d, "subset_postgis.npy"))
            hsub = hp[np.isin(hp >> 32, sub)]
            mm_p = diff("postgis", hsub, pp, lon, lat, day)
            pg_pts = pg["points"]
        rows.append((meta, h, s, pg, mm_s, mm_p, pg_pts))

    print()
    hdr = (f"{'versions':>8} {'vertices':>9} {'points':>8} | {'hudna 1t':>10} {'hudna all':>10} {'+border 1t':>10} "
           f"{'shapely':>9} {'postgis':>8} | {'x shapely':>9} {'x postgis':>9} | {'build 1t':>8} {'build':>7} {'MB':>6} | mism.")
    print(hdr)
    print("-" * len(hdr))
    for meta, h, s, pg, mm_s, mm_p, _ in rows:
        pgr = pg["pts_per_s"] if pg else float("nan")
        print(f"{meta['versions']:>8} {meta['vertices']:>9} {meta['points']:>8} | {h['pts_per_s']:>10.0f} {h['pts_per_s_mt']:>10.0f} "
              f"{h['query_pts_per_s']:>10.0f} {s['pts_per_s']:>9.0f} {pgr:>8.0f} | {h['pts_per_s'] / s['pts_per_s']:>9.1f} "
              f"{h['pts_per_s'] / pgr:>9.1f} | {h['build_1t_s'] * 1000:>7.0f}ms {h['build_s'] * 1000:>5.0f}ms "
              f"{h['index_bytes'] / 1e6:>6.1f} | {mm_s}+{mm_p}")
    print()
    print("CPU time (user+sys of the process; clock-tick resolution) for the covering question, one thread:")
    for meta, h, s, pg, mm_s, mm_p, _ in rows:
        hc = meta["points"] / max(h["covering_1t_cpu_s"], 0.01)
        print(f"  {meta['versions']:>5} versions: hudna {hc:>11.0f} pts/cpu-s, shapely {s['pts_per_cpu_s']:>10.0f} pts/cpu-s, "
              f"x{hc / s['pts_per_cpu_s']:.1f}; build 1 thread {h['build_1t_cpu_s'] * 1000:.0f} ms CPU")
    print("pts/s = points per second for the covering question (every covering version on the point's day);")
    print("'+border' = Hudna's full query (covering + km to the nearest line), which the peers do not compute.")
    print(f"PostGIS ran on a random subset of {rows[-1][6]} points (numpy default_rng(7) permutation), one backend.")
    meta, h, s, pg, mm_s, mm_p, pg_pts = rows[-1]
    out = dict(
        points=meta["points"],
        versions=meta["versions"],
        vertices=meta["vertices"],
        hudna_pts_per_s=round(h["pts_per_s"]),
        hudna_pts_per_s_all_cores=round(h["pts_per_s_mt"]),
        hudna_full_query_pts_per_s=round(h["query_pts_per_s"]),
        threads=h["threads"],
        shapely_pts_per_s=round(s["pts_per_s"]),
        postgis_pts_per_s=round(pg["pts_per_s"]) if pg else None,
        postgis_points=pg_pts,
        ratio_vs_shapely=round(h["pts_per_s"] / s["pts_per_s"], 2),
        ratio_vs_postgis=round(h["pts_per_s"] / pg["pts_per_s"], 1) if pg else None,
        mismatches=mm_s + (mm_p or 0),
        index_build_ms=round(h["build_s"] * 1000),
        index_build_1t_ms=round(h["build_1t_s"] * 1000),
        index_bytes=h["index_bytes"],
        # CPU-time figures: the machine is shared, wall time includes waiting
        hudna_pts_per_cpu_s=round(meta["points"] / max(h["covering_1t_cpu_s"], 0.01)),
        shapely_pts_per_cpu_s=round(s["pts_per_cpu_s"]),
        ratio_vs_shapely_cpu=round(meta["points"] / max(h["covering_1t_cpu_s"], 0.01) / s["pts_per_cpu_s"], 2),
        index_build_1t_cpu_ms=round(h["build_1t_cpu_s"] * 1000),
    )
    print(json.dumps(out))


if __name__ == "__main__":
    main()
