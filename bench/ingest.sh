#!/usr/bin/env bash
# Ingest end to end (extract -> geocode -> merge -> assess -> grade -> commit)
# of generated reports through the real CLI, then query latency over a large
# incident store. Last line: one JSON object with the figures.
#   bench/ingest.sh [REPORTS=100000] [INCIDENTS=1000000] [QUERIES=1000]
# The reports are generated (bench/ingest/gen_reports.py) into bench/out/ingest/
# and never committed; the 1M-incident database there is reused when it exists.
# The machine may be shared: CPU seconds (user+sys) are printed next to wall time.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
N=${1:-100000}
NI=${2:-1000000}
Q=${3:-1000}
OUT=$ROOT/bench/out/ingest
mkdir -p "$OUT"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target/bench}
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

cargo build -q --release -p hudna
cargo build -q --release -p hudna-app --example incidents_bench
HUDNA=$CARGO_TARGET_DIR/release/hudna
QBENCH=$CARGO_TARGET_DIR/release/examples/incidents_bench

REPORTS=$OUT/reports-$N.jsonl
if [ ! -s "$REPORTS" ]; then
  python3 bench/ingest/gen_reports.py "$REPORTS" "$N" 2017
fi

DB=$OUT/ingest.sqlite
rm -f "$DB" "$DB-wal" "$DB-shm"
"$HUDNA" --db "$DB" init >/dev/null
for a in data/agreements/*/; do
  "$HUDNA" --db "$DB" agreement load "$a" >/dev/null
done
/usr/bin/time -v -o "$OUT/ingest.time" \
  "$HUDNA" --db "$DB" --format json ingest "$REPORTS" >"$OUT/ingest.json" 2>"$OUT/ingest.err"
ING=$(python3 - "$OUT/ingest.json" "$OUT/ingest.time" "$N" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
s = d["summary"]
t = open(sys.argv[2]).read()
def field(name):
    return re.search(re.escape(name) + r":\s*(.+)", t).group(1).strip()
w = [float(x) for x in field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")]
wall = w[-1] + 60 * w[-2] + (3600 * w[-3] if len(w) > 2 else 0)
cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
n = int(sys.argv[3])
print(json.dumps({
    "reports": n, "stored": s["stored"], "duplicates": s["duplicates"],
    "rejected": s["rejected"], "unreadable": len(d["unreadable"]),
    "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
    "ingest_reports_per_s": round(n / wall, 1),
    "ingest_reports_per_cpu_s": round(n / cpu, 1),
    "ingest_peak_rss_mib": round(int(field("Maximum resident set size (kbytes)")) / 1024, 1),
    "ingest_events": s["events"], "ingest_new_incidents": s["new_incidents"],
    "merged_events": s["merged_events"], "flagged": s["flagged"],
}))
PY
)

QDB=$OUT/incidents-$NI.sqlite
/usr/bin/time -v -o "$OUT/query.time" "$QBENCH" "$QDB" "$NI" "$Q" >"$OUT/query.json" 2>"$OUT/query.err"
QRY=$(tail -n 1 "$OUT/query.json")

python3 - "$ING" "$QRY" <<'PY'
import json, sys
i, q = json.loads(sys.argv[1]), json.loads(sys.argv[2])
rows = [
    ("reports generated", i["reports"]),
    ("stored / duplicate / rejected / unreadable",
     f'{i["stored"]} / {i["duplicates"]} / {i["rejected"]} / {i["unreadable"]}'),
    ("events -> new incidents (merged)",
     f'{i["ingest_events"]} -> {i["ingest_new_incidents"]} ({i["merged_events"]})'),
    ("ingest wall s / CPU s", f'{i["wall_s"]} / {i["cpu_s"]}'),
    ("ingest reports/s (wall)", i["ingest_reports_per_s"]),
    ("ingest reports/CPU-s", i["ingest_reports_per_cpu_s"]),
    ("ingest peak RSS MiB", i["ingest_peak_rss_mib"]),
    ("incidents in query store", q["incidents"]),
    ("zone+30-day window p50 / p99 / max ms",
     f'{q["zone_window_p50_ms"]} / {q["zone_window_p99_ms"]} / {q["zone_window_max_ms"]}'),
    ("daily counts 30 days p50 / p99 / max ms",
     f'{q["daily_counts_p50_ms"]} / {q["daily_counts_p99_ms"]} / {q["daily_counts_max_ms"]}'),
]
w = max(len(k) for k, _ in rows)
for k, v in rows:
    print(f"{k:<{w}}  {v}")
print(json.dumps({
    "reports": i["reports"],
    "ingest_reports_per_s": i["ingest_reports_per_s"],
    "ingest_reports_per_cpu_s": i["ingest_reports_per_cpu_s"],
    "ingest_peak_rss_mib": i["ingest_peak_rss_mib"],
    "ingest_events": i["ingest_events"],
    "ingest_new_incidents": i["ingest_new_incidents"],
    "incidents": q["incidents"],
    "zone_window_p50_ms": q["zone_window_p50_ms"],
    "zone_window_p99_ms": q["zone_window_p99_ms"],
    "daily_counts_p50_ms": q["daily_counts_p50_ms"],
    "daily_counts_p99_ms": q["daily_counts_p99_ms"],
    "targets": {"ingest_reports_per_s>=2000": i["ingest_reports_per_s"] >= 2000,
                "p99_ms<50": max(q["zone_window_p99_ms"], q["daily_counts_p99_ms"]) < 50},
}))
PY
