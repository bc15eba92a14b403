#!/usr/bin/env bash
# Load test of the web API (hudna-server), against 127.0.0.1 only, bounded in time:
#   32 connections for DURATION (default 30 s) on
#   1. GET /api/incidents with zone and time filters over 100,000 incidents
#   2. POST /api/reports (every body distinct; counted as durable when the
#      report is in the database afterwards)
# Targets: >= 5,000 GET/s with p99 < 50 ms; >= 1,000 durable POST/s.
# Needs wrk (Debian package `wrk`). The last line is one JSON object.
# wrk runs on the same machine: two threads for GET, one for POST (1,000/s
# needs no more, and the server's single writer needs the other core).
# "Durable" = committed to the SQLite WAL and synced (the store's
# synchronous=FULL) before the 201 answer; counted from the database after
# the run.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/bench/out/serve"
DURATION="${DURATION:-30s}"
N="${N:-100000}"
CONNS="${CONNS:-32}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }

echo "building (release) ..." >&2
cargo build --release -q -p hudna-server --example serve --example bench_seed --manifest-path "$ROOT/Cargo.toml"
BIN="$CARGO_TARGET_DIR/release/examples"

echo "seeding $N incidents ..." >&2
t0=$(date +%s.%N)
HUDNA_TOKEN="$("$BIN/bench_seed" "$OUT/bench.sqlite" "$N")"
export HUDNA_TOKEN
t1=$(date +%s.%N)
echo "seeded in $(echo "$t1 - $t0" | bc) s" >&2

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"
"$BIN/serve" "$OUT/bench.sqlite" "127.0.0.1:$PORT" > "$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -sf "$URL/api/health" >/dev/null && break
  sleep 0.1
done
count() { curl -sf -H "Authorization: Bearer $HUDNA_TOKEN" "$URL/api/health" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["'"$1"'"])'; }

echo "GET  /api/incidents (zone + time filters), $CONNS connections, $DURATION ..." >&2
GET=$(wrk -t2 -c"$CONNS" -d"$DURATION" --timeout 5s -s "$ROOT/bench/serve/get.lua" "$URL" | tee "$OUT/get.txt" | sed -n 's/^JSON //p')
echo "  $GET" >&2

REPORTS0=$(count reports)
echo "POST /api/reports, $CONNS connections, $DURATION ..." >&2
POST=$(wrk -t1 -c"$CONNS" -d"$DURATION" --timeout 10s -s "$ROOT/bench/serve/post.lua" "$URL" | tee "$OUT/post.txt" | sed -n 's/^JSON //p')
echo "  $POST" >&2
REPORTS1=$(count reports)
INCIDENTS=$(count incidents)

python3 - "$GET" "$POST" "$REPORTS0" "$REPORTS1" "$INCIDENTS" "$N" <<'PY'
import json, sys
g, p = json.loads(sys.argv[1]), json.loads(sys.argv[2])
r0, r1, inc, n = (int(x) for x in sys.argv[3:7])
gs, ps = g["duration_us"] / 1e6, p["duration_us"] / 1e6
out = {
    "bench": "serve",
    "incidents_seeded": n,
    "get_rps": round(g["requests"] / gs),
    "get_p50_ms": g["p50_us"] / 1000, "get_p99_ms": g["p99_us"] / 1000,
    "get_errors": g["errors"] + g["non_2xx"],
    "post_rps": round(p["requests"] / ps),
    "post_durable_rps": round((r1 - r0) / ps),
    "post_p50_ms": p["p50_us"] / 1000, "post_p99_ms": p["p99_us"] / 1000,
    "post_errors": p["errors"] + p["non_2xx"],
    "reports_stored": r1 - r0, "incidents_after": inc,
    "targets": {"get_rps": 5000, "get_p99_ms": 50, "post_durable_rps": 1000},
}
out["met"] = out["get_rps"] >= 5000 and out["get_p99_ms"] < 50 and out["post_durable_rps"] >= 1000
print(json.dumps(out))
PY
