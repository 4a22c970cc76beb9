#!/usr/bin/env bash
# test_register_frames.sh — the frames users have (sunpy's test frame at
# 4096², CRVAL != 0, --missing, --scale, the real JSOC cutouts) with sunpy
# as the judge. SKIPPED (77) without a Python with sunpy, or without the
# shared data.
set -u
HERE=${AIAPREP_TESTS:-$(dirname "$0")}
SHARED=${AIAPREP_DATA:-${AIAPREP_DEFAULT_SHARED:-$HERE/../../shared}}
PY=""
for cand in "${AIAPREP_PYTHON:-}" /usr/bin/python3 python3; do
  [ -n "$cand" ] || continue
  if "$cand" -c "import sunpy.map, scipy.ndimage, astropy" >/dev/null 2>&1; then PY=$cand; break; fi
done
if [ -z "$PY" ]; then
  echo "test_register_frames: SKIPPED: no python3 with sunpy and scipy (apt-get install python3-sunpy python3-scipy)"
  exit 77
fi
if [ ! -f "$SHARED/data/real/aia_lev1_171a_2011_02_15_128px.fits" ]; then
  echo "test_register_frames: SKIPPED: no shared data folder with data/real (set AIAPREP_DATA)"
  exit 77
fi
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
"$PY" "$HERE/test_register_frames.py" "$1" "$SHARED" "$T"
