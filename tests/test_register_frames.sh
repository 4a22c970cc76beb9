#!/usr/bin/env bash
# test_register_frames.sh — the frames users have (sunpy's test frame at
# 4096², CRVAL != 0, --missing, --scale, the real JSOC cutouts) with sunpy
# as the judge. SKIPPED (77) without a Python with sunpy, or without the
# shared data.
set -u
HERE=${AIAPREP_TESTS:-$(dirname "$0")}
SHARED=${AIAPREP_DATA:-${AIAPREP_DEFAULT_SHARED:-$HERE/../../shared}}
. "$(dirname "$0")/find_python.sh"
find_python test_register_frames "sunpy.map, scipy.ndimage, astropy" "python3-sunpy python3-scipy"
if [ ! -f "$SHARED/data/real/aia_lev1_171a_2011_02_15_128px.fits" ]; then
  echo "test_register_frames: SKIPPED: no shared data folder with data/real (set AIAPREP_DATA)"
  exit 77
fi
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
"$PY" "$HERE/test_register_frames.py" "$1" "$SHARED" "$T"
