#!/usr/bin/env bash
# Load and soak of `hudna serve` on each backend (a SQLite file, then
# PostgreSQL), on 127.0.0.1 only, bounded in time.
#
# For each backend: a fresh database with the shipped agreements, an
# account and an API token made with the CLI (`hudna org add`, `user add`,
# `user token`), the release `hudna serve`, then the load client
# (crates/hudna-server/examples/soak.rs): WRITERS threads posting distinct
# reports and READERS threads reading the incident list (zone + time
# filters) and an incident, for DURATION seconds (default 300; at most
# 3600; report dates over SOAK_DAYS days, default 900). Afterwards every
# acknowledged report is checked once through the
# API. Per backend: requests served, errors, lost writes, duplicates,
# p50/p99/max latency of reads and writes, acknowledged writes/s.
# The last line is one JSON object with every backend's figures.
#
# READ_RATE=R keeps the readers to R reads/s in all (default: as fast as
# they are answered). With it every backend serves the same read load and
# the writes it takes alongside compare; without it the backend that
# answers reads faster is asked for more of them, out of the same cores.
#
# ROUNDS=N (default 1, at most 9) runs the backends N times, alternating
# which goes first (the machine's other load drifts): the JSON gives each
# backend's median round (by writes/s), every round's writes/s, and the
# median of the rounds' PostgreSQL/SQLite write ratios.
#
# DESKS=N (default 1) serves the database with N `hudna serve` processes
# at once (each with its own writer and caches, as several desks sharing a
# database would); writers and readers are spread over them.
#
# PostgreSQL: SOAK_PG (or HUDNA_TEST_PG) is the URL of a database this
# script may create a schema `hudna_soak` in (dropped first). Without either,
# only SQLite runs and the JSON says why PostgreSQL was skipped.
# BACKENDS="sqlite postgres" (the default) chooses. Logs: bench/out/soak/.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/bench/out/soak"
DURATION="${DURATION:-300}"
WRITERS="${WRITERS:-16}"
READERS="${READERS:-8}"
DESKS="${DESKS:-1}"
ROUNDS="${ROUNDS:-1}"
export SOAK_READ_RATE="${READ_RATE:-}"
PG="${SOAK_PG:-${HUDNA_TEST_PG:-}}"
BACKENDS="${BACKENDS:-sqlite postgres}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
mkdir -p "$OUT"
if [ "$DURATION" -gt 3600 ]; then DURATION=3600; fi
if ! [[ "$ROUNDS" =~ ^[1-9]$ ]]; then echo "ROUNDS must be 1 to 9, not $ROUNDS" >&2; exit 2; fi

echo "building (release) ..." >&2
cargo build --release -q -p hudna -p hudna-server --bin hudna --example soak --manifest-path "$ROOT/Cargo.toml"
HUDNA="$CARGO_TARGET_DIR/release/hudna"
SOAK="$CARGO_TARGET_DIR/release/examples/soak"

SERVERS=()
stop_servers() {
  local p
  for p in "${SERVERS[@]}"; do kill -INT "$p" 2>/dev/null || true; done
  for p in "${SERVERS[@]}"; do wait "$p" 2>/dev/null || true; done
  SERVERS=()
}
cleanup() { stop_servers; }
trap cleanup EXIT

# run_backend LABEL DB: prepares DB, serves it, loads it; appends the JSON line to $OUT/results.jsonl
run_backend() {
  local label="$1" db="$2"
  local h=("$HUDNA" --db "$db")
  "${h[@]}" init > "$OUT/$label.setup.log"
  for a in astana-2017 sochi-2018 moscow-2020; do
    "${h[@]}" agreement load "$ROOT/data/agreements/$a" >> "$OUT/$label.setup.log"
  done
  "${h[@]}" org add soak-mission --name "Soak mission" --kind mission >> "$OUT/$label.setup.log"
  "${h[@]}" user add soak --name "Soak analyst" --org soak-mission --role analyst \
    --password "soak-$RANDOM-$RANDOM-pass" >> "$OUT/$label.setup.log"
  local token
  token="$("${h[@]}" user token soak --label soak)"
  local port urls="" d
  for d in $(seq 1 "$DESKS"); do
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    "${h[@]}" serve --addr "127.0.0.1:$port" > "$OUT/$label.server$d.log" 2>&1 &
    SERVERS+=($!)
    for _ in $(seq 1 100); do
      curl -sf "http://127.0.0.1:$port/api/health" >/dev/null && break
      sleep 0.1
    done
    echo "[$label] desk $d serving on 127.0.0.1:$port (pid $!)" >&2
    urls="${urls:+$urls,}http://127.0.0.1:$port"
  done
  "$SOAK" "$urls" "$token" "$label" "$DURATION" "$WRITERS" "$READERS" \
    2> >(tee -a "$OUT/$label.client.log" >&2) | tee "$OUT/$label.out"
  python3 -c 'import json,sys; r=json.loads(sys.argv[1]); r["round"]=int(sys.argv[2]); print(json.dumps(r))' \
    "$(tail -n 1 "$OUT/$label.out")" "$ROUND" >> "$OUT/results.jsonl"
  stop_servers
}

: > "$OUT/results.jsonl"

run_sqlite() {
  rm -f "$OUT"/soak.sqlite "$OUT"/soak.sqlite-wal "$OUT"/soak.sqlite-shm
  run_backend sqlite "$OUT/soak.sqlite"
}

PG_NOTE=""
run_postgres() {
  if [ -n "$PG" ]; then
    psql "$PG" -qc "DROP SCHEMA IF EXISTS hudna_soak CASCADE" -c "CREATE SCHEMA hudna_soak" 2>/dev/null
    case "$PG" in *\?*) SEP='&' ;; *) SEP='?' ;; esac
    run_backend postgres "${PG}${SEP}options=-c%20search_path%3Dhudna_soak"
  fi
}
if [[ " $BACKENDS " == *" postgres "* ]] && [ -z "$PG" ]; then
  PG_NOTE="PostgreSQL skipped: set SOAK_PG or HUDNA_TEST_PG to a database URL"
  echo "$PG_NOTE" >&2
fi

for ROUND in $(seq 1 "$ROUNDS"); do
  # odd rounds SQLite first, even rounds PostgreSQL first
  if [ $((ROUND % 2)) -eq 1 ]; then order="sqlite postgres"; else order="postgres sqlite"; fi
  for b in $order; do
    if [[ " $BACKENDS " == *" $b "* ]]; then "run_$b"; fi
  done
done

python3 - "$OUT/results.jsonl" "$PG_NOTE" "$DURATION" "$ROUNDS" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
rounds = int(sys.argv[4])

def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2

by = {}
for r in rows:
    by.setdefault(r["backend"], []).append(r)
out = {"bench": "soak", "duration_s": int(sys.argv[3])}
if rounds > 1:
    out["rounds"] = rounds
# each backend: its median round by writes/s (the one below it for an even count)
out["backends"] = {
    k: sorted(rs, key=lambda r: r["writes_per_s"])[(len(rs) - 1) // 2] for k, rs in by.items()
}
if rounds > 1:
    out["writes_per_s_by_round"] = {k: [r["writes_per_s"] for r in rs] for k, rs in by.items()}
    out["all_rounds"] = {
        k: {
            f: sum(r[f] for r in rs)
            for f in ("requests", "errors", "lost", "duplicates", "check_errors")
        }
        for k, rs in by.items()
    }
if sys.argv[2]:
    out["note"] = sys.argv[2]
out["ok"] = bool(rows) and all(
    r["errors"] == 0 and r["lost"] == 0 and r["duplicates"] == 0 and r["check_errors"] == 0
    for r in rows
)
s = {r["round"]: r for r in by.get("sqlite", [])}
ratios = [
    p["writes_per_s"] / s[p["round"]]["writes_per_s"]
    for p in by.get("postgres", [])
    if p["round"] in s and s[p["round"]]["writes_per_s"]
]
if ratios:
    out["pg_over_sqlite_writes"] = round(median(ratios), 3)
    if rounds > 1:
        out["pg_over_sqlite_writes_by_round"] = [round(x, 3) for x in ratios]
print(json.dumps(out, ensure_ascii=False))
PY
