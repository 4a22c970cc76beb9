#!/usr/bin/env bash
# test_astropy.sh — files aiaprep writes open in Debian's astropy and sunpy as
# AIA maps with the right values. SKIPPED (77) only when no Python with astropy
# and sunpy can be found (scripts/install-deps.sh installs them).
set -u
WRITE_SAMPLES=$(dirname "$1")/tests/write_samples
HERE=${AIAPREP_TESTS:-$(dirname "$0")}
PY=""
for cand in "${AIAPREP_PYTHON:-}" /usr/bin/python3 python3; do
  [ -n "$cand" ] || continue
  if "$cand" -c "import astropy, sunpy.map, numpy" >/dev/null 2>&1; then PY=$cand; break; fi
done
if [ -z "$PY" ]; then
  echo "test_astropy: SKIPPED: no python3 with astropy and sunpy (apt-get install python3-astropy python3-sunpy)"
  exit 77
fi
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
"$WRITE_SAMPLES" "$T" || { echo "test_astropy: write_samples failed"; exit 1; }
"$PY" "$HERE/test_astropy.py" "$T"
