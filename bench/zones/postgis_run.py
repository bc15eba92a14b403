"""Covering query through PostGIS (ST_Covers, GiST indexes).

usage: postgis_run.py CASEDIR SUBSET SEED

Runs as the `postgres` OS user through psql (the cluster must be running).
Creates a scratch database, loads the zones (EWKT, exact round-trip
decimal) and a random subset of SUBSET points (numpy default_rng(SEED)
permutation; coordinates written with repr(), which round-trips doubles
exactly), builds GiST indexes on both tables, then times

  SELECT p.idx, z.key FROM pts p JOIN zones z
    ON ST_Covers(z.geom, p.geom) AND p.day >= z.vfrom AND p.day < z.vto

with max_parallel_workers_per_gather = 0 (one backend: the single-thread
figure). Load and index build are not timed. Writes pairs_postgis.npy and
subset_postgis.npy; drops the database at the end, also on failure.
"""
import json
import os
import subprocess
import sys
import time

import numpy as np

from shapely_run import load_points


def psql(db, sql=None, stdin=None, capture=False):
    cmd = ["runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db]
    if sql is not None:
        cmd += ["-c", sql]
    r = subprocess.run(cmd, input=stdin, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"psql failed: {r.stderr.strip()[:2000]}")
    return r.stdout if capture else None


def main():
    d, subset, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    lon, lat, day = load_points(d)
    sub = np.sort(np.random.default_rng(seed).permutation(len(lon))[: min(subset, len(lon))])
    db = f"hudna_geo_bench_{os.getpid()}"
    psql("postgres", f"CREATE DATABASE {db}")
    try:
        psql(db, "CREATE EXTENSION postgis")
        psql(db, "CREATE TABLE zones (key int, vfrom int, vto int, security int, geom geometry(MultiPolygon, 4326))")
        psql(db, "COPY zones FROM STDIN", stdin=open(os.path.join(d, "zones.tsv")).read())
        psql(db, "CREATE TABLE pts (idx int, day int, lon float8, lat float8, geom geometry(Point, 4326))")
        lx, ly, ld = lon[sub].tolist(), lat[sub].tolist(), day[sub].tolist()
        rows = "".join(f"{i}\t{d_}\t{x!r}\t{y!r}\n" for i, d_, x, y in zip(sub.tolist(), ld, lx, ly))
        psql(db, "COPY pts (idx, day, lon, lat) FROM STDIN", stdin=rows)
        psql(db, "UPDATE pts SET geom = ST_SetSRID(ST_MakePoint(lon, lat), 4326)")
        psql(db, "CREATE INDEX ON zones USING gist (geom)")
        psql(db, "CREATE INDEX ON pts USING gist (geom)")
        psql(db, "VACUUM ANALYZE zones")
        psql(db, "VACUUM ANALYZE pts")
        # the loaded coordinates must be the generated doubles, bit for bit
        back = psql(db, "COPY (SELECT idx, lon, lat FROM pts ORDER BY idx) TO STDOUT", capture=True)
        bad = 0
        for line in back.splitlines():
            i, x, y = line.split("\t")
            bad += float(x) != lon[int(i)] or float(y) != lat[int(i)]
        q = ("SELECT p.idx, z.key FROM pts p JOIN zones z ON ST_Covers(z.geom, p.geom) "
             "AND p.day >= z.vfrom AND p.day < z.vto")
        plan = psql(db, f"SET max_parallel_workers_per_gather = 0; EXPLAIN {q}", capture=True)
        t0 = time.perf_counter()
        out = psql(db, f"SET max_parallel_workers_per_gather = 0; SET jit = off; COPY ({q}) TO STDOUT", capture=True)
        t_query = time.perf_counter() - t0
        version = psql(db, "SELECT postgis_lib_version()", capture=True).strip()
    finally:
        psql("postgres", f"DROP DATABASE IF EXISTS {db}")
    pairs = np.array([(int(a) << 32) | int(b) for a, b in (l.split("\t") for l in out.splitlines())], dtype=np.int64)
    pairs.sort()
    np.save(os.path.join(d, "pairs_postgis.npy"), pairs)
    np.save(os.path.join(d, "subset_postgis.npy"), sub)
    with open(os.path.join(d, "postgis_plan.txt"), "w") as f:
        f.write(plan)
    print(json.dumps(dict(tool="postgis", version=version, points=len(sub), query_s=t_query,
                          pairs=len(pairs), pts_per_s=len(sub) / t_query, coord_roundtrip_errors=int(bad))))


if __name__ == "__main__":
    main()
