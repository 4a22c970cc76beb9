#!/usr/bin/env bash
# test_register_sunpy.sh — registration against sunpy's rotate (orders 0-5,
# NaN pixels). SKIPPED (77) only when no Python with sunpy and scipy is found.
set -u
HERE=${AIAPREP_TESTS:-$(dirname "$0")}
PY=""
for cand in "${AIAPREP_PYTHON:-}" /usr/bin/python3 python3; do
  [ -n "$cand" ] || continue
  if "$cand" -c "import sunpy.map, scipy.ndimage, astropy" >/dev/null 2>&1; then PY=$cand; break; fi
done
if [ -z "$PY" ]; then
  echo "test_register_sunpy: SKIPPED: no python3 with sunpy and scipy (apt-get install python3-sunpy python3-scipy)"
  exit 77
fi
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
"$PY" "$HERE/test_register_sunpy.py" "$1" "$T"
