#!/usr/bin/env bash
# Regenerate data/outline/syria-neighbours.geojson from Natural Earth
# (public domain) as packaged by the npm package world-atlas (ISC), converted
# with topojson-client (ISC). Downloads nothing else; installs into data/work/
# (gitignored).
#   bash scripts/outline/build.sh
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
WORK="$ROOT/data/work/outline"
mkdir -p "$WORK"
if [ ! -d "$WORK/node_modules/world-atlas" ] || [ ! -d "$WORK/node_modules/topojson-client" ]; then
  (cd "$WORK" && [ -f package.json ] || (cd "$WORK" && npm init -y >/dev/null))
  (cd "$WORK" && npm install --no-audit --no-fund world-atlas@2.0.2 topojson-client@3.1.0 >/dev/null)
fi
NODE_PATH="$WORK/node_modules" node "$ROOT/scripts/outline/to-geojson.mjs" \
  "$WORK/node_modules/world-atlas/countries-10m.json" "$WORK/neighbours-raw.geojson"
PY="${PYTHON:-$ROOT/data/work/venv/bin/python}"
if ! "$PY" -c "import shapely" 2>/dev/null; then
  python3 -m venv "$ROOT/data/work/venv" && "$ROOT/data/work/venv/bin/pip" install -q shapely pyproj
  PY="$ROOT/data/work/venv/bin/python"
fi
"$PY" "$ROOT/scripts/outline/clip.py" "$WORK/neighbours-raw.geojson" "$ROOT/data/outline/syria-neighbours.geojson"
