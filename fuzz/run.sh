#!/usr/bin/env bash
# Runs the fuzz targets one after another, each for SECONDS (default 600),
# with their seed corpora; new inputs go to fuzz/corpus/TARGET (gitignored),
# logs to bench/out/fuzz/TARGET.log. Last line per target: runs, seconds, result.
#   fuzz/run.sh                       # all four, 10 minutes each
#   SECONDS_PER=60 fuzz/run.sh names  # one target, one minute
set -uo pipefail
cd "$(dirname "$0")"
PER=${SECONDS_PER:-600}
TARGETS=${*:-"csv_import names agreement extract"}
LOGS=../bench/out/fuzz
mkdir -p "$LOGS"
declare -A SEEDS=([extract]=seeds [agreement]=seeds-agreement [csv_import]=seeds-csv [names]=seeds-names)
RUSTC_BOOTSTRAP=1 cargo fuzz build -O || exit 1
for t in $TARGETS; do
  mkdir -p "corpus/$t"
  start=$(date +%s)
  RUSTC_BOOTSTRAP=1 cargo fuzz run -O "$t" "corpus/$t" "${SEEDS[$t]}" -- \
    -max_total_time="$PER" -max_len=8192 -rss_limit_mb=2048 >"$LOGS/$t.log" 2>&1
  rc=$?
  secs=$(( $(date +%s) - start ))
  runs=$(grep -o 'Done [0-9]* runs' "$LOGS/$t.log" | tail -1 | awk '{print $2}')
  if [ $rc = 0 ]; then result=clean; else result="FAILED rc=$rc (see $LOGS/$t.log and fuzz/artifacts/$t/)"; fi
  echo "$t: ${runs:-?} runs in ${secs}s: $result" | tee -a "$LOGS/summary.txt"
done
