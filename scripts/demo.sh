#!/usr/bin/env bash
# demo.sh — run aiaprep's main job on the default input and say where the
# outputs are: the sample level-1 frames in ../shared/data/level1 when that
# folder exists, otherwise a synthetic full-disk frame written by `aiaprep synth`.
set -euo pipefail
AIAPREP=${1:-build/aiaprep}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=${AIAPREP_DATA:-$ROOT/../shared}/data/level1
OUT=$ROOT/demo-output
mkdir -p "$OUT/level1.5"
if [ -d "$DATA" ] && ls "$DATA"/*.fits >/dev/null 2>&1; then
  inputs=("$DATA"/*.fits)
  echo "demo: input: the ${#inputs[@]} sample level-1 frames in $DATA"
else
  echo "demo: no sample data at $DATA; writing a synthetic 171 A level-1 frame"
  "$AIAPREP" synth -o "$OUT/aia_lev1_171a_synthetic.fits" --overwrite
  inputs=("$OUT/aia_lev1_171a_synthetic.fits")
fi
echo "demo: registering to level 1.5 (aiaprep prep, aiapy's algorithm, int16 Rice output)"
start=$(date +%s.%N)
"$AIAPREP" prep --overwrite -o "$OUT/level1.5" "${inputs[@]}"
end=$(date +%s.%N)
first=$(ls "$OUT/level1.5"/*.fits | head -n 1)
"$AIAPREP" info "$first" > "$OUT/info.txt"
echo
seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
echo "demo: ${#inputs[@]} file(s) in $seconds s; level-1.5 outputs in $OUT/level1.5"
echo "demo: 'aiaprep info' of $first is in $OUT/info.txt"
