#!/usr/bin/env bash
# Hudna vs Splink on generated lists: quality against the truth, wall time and
# peak memory, at each size in SIZES (default "100000 1000000").
#   bench/link.sh                 # both sizes
#   SIZES=100000 bench/link.sh    # one size
# Splink runs under `timeout $SPLINK_TIMEOUT` (default 3600 s) and
# `SPLINK_MAX_N` (default 1000000) bounds the sizes it is tried on.
# DUCKDB_MEMORY_LIMIT (e.g. 8GB) caps DuckDB's memory inside Splink, and
# DUCKDB_TEMP_LIMIT (e.g. 25GB) what it may spill to disk.
# REUSE_SPLINK=1 reuses a previous Splink run of the same size and seed
# (bench/out/link/nN/splink.*) instead of running it again.
# Everything generated goes to bench/out/ (gitignored). Last line: one JSON object.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target/names}
SIZES=${SIZES:-"100000 1000000"}
SEED=${SEED:-20}
SPLINK_TIMEOUT=${SPLINK_TIMEOUT:-3600}
SPLINK_MAX_N=${SPLINK_MAX_N:-1000000}
THRESHOLD=${THRESHOLD:-0.5}
OUT=$ROOT/bench/out/link
VENV=$ROOT/bench/out/venv
mkdir -p "$OUT"

if [ ! -x /usr/bin/time ]; then
  echo "installing GNU time" >&2
  apt-get install -y time >/dev/null
fi
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import splink' 2>/dev/null; then
  echo "creating $VENV with splink 4" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q 'splink>=4,<5' pandas pyarrow
fi
cargo build --release -q -p hudna-names --examples
BIN=$CARGO_TARGET_DIR/release/examples

# measure NAME LOGFILE cmd... : runs under /usr/bin/time -v, prints "secs kb rc"
measure() {
  local log=$1; shift
  local rc=0
  /usr/bin/time -v "$@" 2>"$log" >/dev/null || rc=$?
  local wall kb
  wall=$(grep 'Elapsed (wall clock)' "$log" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  kb=$(grep 'Maximum resident set size' "$log" | awk '{print $NF}')
  echo "${wall:-0} ${kb:-0} $rc"
}

RESULTS=()
for N in $SIZES; do
  D=$OUT/n$N
  mkdir -p "$D"
  echo "== $N records" >&2
  "$BIN/gen" --records "$N" --seed "$SEED" --out "$D" 2>/dev/null
  "$BIN/export_norm" "$D/records.csv" "$D/norm.csv"

  read -r H_S H_KB H_RC < <(measure "$D/hudna.time" "$BIN/hudna_link" "$D/records.csv" --out "$D/hudna_pairs.csv" --clusters "$D/hudna_clusters.csv" --threshold "$THRESHOLD")
  grep '^hudna link' "$D/hudna.time" >&2 || true
  H_Q=$("$BIN/eval" "$D/truth.csv" "$D/hudna_clusters.csv")
  H_DIAG=$("$BIN/link" "$D/records.csv" --out "$D/diag_pairs.csv" --truth "$D/truth.csv" 2>"$D/diag.txt" | tail -1)
  PC=$(grep -o 'pair_completeness=[0-9.]*' "$D/diag.txt" | cut -d= -f2)
  echo "hudna: ${H_S}s ${H_KB}KB $H_Q pc=$PC" >&2

  S_Q=null; S_S=null; S_KB=null; S_STATUS=skipped
  if [ "$N" -le "$SPLINK_MAX_N" ]; then
    if [ "${REUSE_SPLINK:-0}" = 1 ] && [ -f "$D/splink.rc" ]; then
      read -r S_S S_KB S_RC < "$D/splink.rc"
      echo "splink: reusing the previous run" >&2
    else
      read -r S_S S_KB S_RC < <(measure "$D/splink.time" timeout "$SPLINK_TIMEOUT" "$VENV/bin/python" bench/link/splink_run.py "$D/norm.csv" "$D/splink_clusters.csv" "$THRESHOLD")
      echo "$S_S $S_KB $S_RC" > "$D/splink.rc"
    fi
    if [ "$S_RC" = 0 ]; then
      S_STATUS=ok
      S_Q=$("$BIN/eval" "$D/truth.csv" "$D/splink_clusters.csv")
    elif [ "$S_RC" = 124 ]; then
      S_STATUS="timeout_${SPLINK_TIMEOUT}s"
    else
      S_STATUS="failed_rc_$S_RC"
    fi
    echo "splink: ${S_S}s ${S_KB}KB $S_STATUS $S_Q" >&2
  fi
  RESULTS+=("{\"records\":$N,\"hudna\":{\"wall_s\":$H_S,\"peak_kb\":$H_KB,\"rc\":$H_RC,\"pair_completeness\":${PC:-null},\"blocking\":$H_DIAG,\"quality\":$H_Q},\"splink\":{\"status\":\"$S_STATUS\",\"wall_s\":$S_S,\"peak_kb\":$S_KB,\"quality\":$S_Q}}")
done

python3 - "${RESULTS[@]}" <<'PY'
import json, sys
runs = [json.loads(a) for a in sys.argv[1:]]
for r in runs:
    h, s = r["hudna"], r["splink"]
    if s["status"] == "ok" and h["wall_s"]:
        r["speedup_vs_splink"] = round(s["wall_s"] / h["wall_s"], 2)
        r["bcubed_f1_gain_points"] = round(100 * (h["quality"]["bcubed"]["f1"] - s["quality"]["bcubed"]["f1"]), 2)
    q = h["quality"]
    r["targets"] = {
        "arabic_f1>=0.97": q["arabic"]["f1"] >= 0.97,
        "ar_latin_p>=0.95_r>=0.90": q["ar_latin"]["p"] >= 0.95 and q["ar_latin"]["r"] >= 0.90,
        "peak<=2GiB": h["peak_kb"] <= 2 * 1024 * 1024,
    }
    if r["records"] >= 1_000_000:
        r["targets"]["wall<=90s"] = h["wall_s"] <= 90
print(json.dumps({"bench": "link", "runs": runs}, separators=(",", ":")))
PY
