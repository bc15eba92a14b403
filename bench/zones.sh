#!/usr/bin/env bash
# Zone engine benchmark: Hudna (hudna-geo) vs shapely 2 (prepared GEOS) vs
# PostGIS (ST_Covers + GiST) on the same covering question, same points.
#
#   bench/zones.sh            # 1M points; cases of 1, 10 and 1,000 synthetic
#                             # versions, each plus the shipped zones
#   POINTS=200000 PG_SUBSET=20000 bench/zones.sh   # quicker
#
# Needs root (apt-get, runuser postgres). Installs shapely into bench/.venv
# and postgresql-15-postgis-3 if missing; starts the PostgreSQL 15 cluster if
# it is down (and stops it again at the end), creates and drops a scratch
# database. Workloads and outputs go to bench/out/zones (gitignored).
# The last line printed is one JSON object for the largest case.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/bench/out/zones
POINTS=${POINTS:-1000000}
PG_SUBSET=${PG_SUBSET:-100000}
CASES=${CASES:-"1 10 1000"}
mkdir -p "$OUT"

if [ ! -x bench/.venv/bin/python ]; then python3 -m venv bench/.venv; fi
bench/.venv/bin/pip install -q 'shapely>=2,<3' numpy
PY=$ROOT/bench/.venv/bin/python

if ! dpkg -s postgresql-15-postgis-3 >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15-postgis-3
fi
started_pg=0
if ! pg_lsclusters -h | awk '$1 == "15" && $2 == "main" {print $4}' | grep -q online; then
  pg_ctlcluster 15 main start
  started_pg=1
fi
trap 'if [ "$started_pg" = 1 ]; then pg_ctlcluster 15 main stop; fi' EXIT

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target/geo}
cargo build -q --release -p hudna-geo --example zones_bench
BIN=$CARGO_TARGET_DIR/release/examples/zones_bench

dirs=()
for n in $CASES; do
  d=$OUT/case_$n
  echo "== case: $n synthetic versions + shipped zones, $POINTS points" >&2
  "$PY" bench/zones/gen.py "$d" "$n" "$POINTS" 42 >&2
  "$BIN" "$d" > "$d/hudna.json"
  (cd bench/zones && "$PY" shapely_run.py "$d") > "$d/shapely.json"
  (cd bench/zones && "$PY" postgis_run.py "$d" "$PG_SUBSET" 7) > "$d/postgis.json"
  dirs+=("$d")
done
cd bench/zones && "$PY" compare.py "${dirs[@]}"
