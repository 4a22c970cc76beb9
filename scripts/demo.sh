#!/usr/bin/env bash
# demo.sh — run aiaprep's main job on the default input and say where the
# outputs are: the sample level-1 frames in ../shared/data/level1 when that
# folder exists, otherwise a synthetic full-disk frame written by `aiaprep synth`.
# Until registration exists the main job is `aiaprep info`.
set -euo pipefail
AIAPREP=${1:-build/aiaprep}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=${AIAPREP_DATA:-$ROOT/../shared}/data/level1
OUT=$ROOT/demo-output
mkdir -p "$OUT"
if [ -d "$DATA" ] && ls "$DATA"/*.fits >/dev/null 2>&1; then
  inputs=("$DATA"/*.fits)
  echo "demo: input: the ${#inputs[@]} sample level-1 frames in $DATA"
else
  echo "demo: no sample data at $DATA; writing a synthetic 171 A level-1 frame"
  "$AIAPREP" synth -o "$OUT/aia_lev1_171a_synthetic.fits" --overwrite
  inputs=("$OUT/aia_lev1_171a_synthetic.fits")
fi
"$AIAPREP" info "${inputs[@]}" | tee "$OUT/info.txt"
echo
echo "demo: described ${#inputs[@]} file(s); the report is in $OUT/info.txt"
