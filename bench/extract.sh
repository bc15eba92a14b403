#!/usr/bin/env bash
# Extraction throughput (MB/s of Arabic text, one core) of hudna-text versus
# CAMeL Tools' normalize + simple_word_tokenize, on the same ~20 MB corpus in
# the same run. Throughput is bytes per CPU-second of the working thread on both
# sides, best of three passes (the machine is shared; wall time is printed too).
# Last line: one JSON object with both figures and the ratio.
#   bench/extract.sh [MEGABYTES]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/bench/out
SHARED=${HUDNA_SHARED:-$ROOT/../shared}
[ -d "$SHARED/dev-corpus" ] || SHARED=$ROOT/crates/hudna-text/tests/corpus/..
MB=${1:-20}
mkdir -p "$OUT"
CORPUS=$OUT/extract_corpus_${MB}mb.txt
if [ ! -s "$CORPUS" ]; then
  if [ -d "$SHARED/dev-corpus" ]; then
    python3 bench/extract/make_corpus.py "$SHARED" "$CORPUS" "$MB"
  else
    # Fallback: the copy of the corpus kept with the crate's tests.
    TMP=$OUT/shared-copy; mkdir -p "$TMP/dev-corpus" "$TMP/seed"
    cp crates/hudna-text/tests/corpus/[0-9]*.* "$TMP/dev-corpus/"
    cp crates/hudna-text/tests/corpus/astana6-final-statement.txt "$TMP/seed/"
    python3 bench/extract/make_corpus.py "$TMP" "$CORPUS" "$MB"
  fi
fi

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target/text}
cargo build -q --release -p hudna-text --example extract_bench
HUDNA=$("$CARGO_TARGET_DIR/release/examples/extract_bench" "$CORPUS")
echo "hudna-text:  $HUDNA"

VENV=$OUT/camel-venv
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import camel_tools.tokenizers.word" 2>/dev/null; then
  python3 -m venv "$VENV"
  # Only the pure-Python utilities are used: skip the heavy model dependencies.
  "$VENV/bin/pip" install -q --no-deps camel-tools
  "$VENV/bin/pip" install -q six emoji regex
fi
CAMEL=$("$VENV/bin/python" bench/extract/camel_bench.py "$CORPUS")
echo "camel-tools: $CAMEL"

python3 - "$HUDNA" "$CAMEL" <<'PY'
import json, sys
h, c = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(json.dumps({
    "corpus_bytes": h["bytes"],
    "hudna_extract_mb_per_s": h["mb_per_s"],
    "camel_normalize_tokenize_mb_per_s": c["mb_per_s"],
    "ratio": round(h["mb_per_s"] / c["mb_per_s"], 2),
    "target_mb_per_s": 20, "target_ratio": 10,
}))
PY
