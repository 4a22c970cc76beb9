#!/usr/bin/env bash
# test_rice_files.sh — whole files through the library's Rice codec and
# cfitsio's (AIAPREP_RICE=cfitsio): the sample frames and the real JSOC
# files read to the same pixels, and written again to the same bytes; the
# files our encoder writes read back to the same pixels with funpack -S and
# with astropy. SKIPPED without ../shared (funpack, astropy: their checks
# say SKIPPED when absent).
# Usage: test_rice_files.sh TEST_RICE
set -u
TEST_RICE=$1
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/checks.sh"
SHARED=${AIAPREP_DATA:-${AIAPREP_DEFAULT_SHARED:-}}
if [ -z "$SHARED" ] || [ ! -d "$SHARED/data" ]; then
  echo "test_rice_files: SKIPPED: no ../shared sample data (set AIAPREP_DATA)"; exit 77
fi
PY=""
for cand in "${AIAPREP_PYTHON:-}" /usr/bin/python3 python3; do
  [ -n "$cand" ] && "$cand" -c "import astropy, numpy" 2>/dev/null && { PY=$cand; break; }
done
files=("$SHARED"/data/level1/*.fits "$SHARED"/data/real/aia_lev1_171a_2013_03_10_cutout.fits
       "$SHARED"/data/real/aia_lev1_1600a_2012_06_06_cutout.fits "$SHARED"/data/real/synoptic/*0171*.fits)
for f in "${files[@]}"; do
  b=$(basename "$f" .fits)
  check "$b: read with ours" rc_is 0 "$TEST_RICE" --read "$f" "$T/$b.ours"
  check "  ... the codec was ours" out_has "codec aiaprep"
  check "$b: read with cfitsio's" rc_is 0 env AIAPREP_RICE=cfitsio "$TEST_RICE" --read "$f" "$T/$b.cf"
  check "  ... the codec was cfitsio's" out_has "codec cfitsio"
  check "$b: the same pixels" cmp -s "$T/$b.ours" "$T/$b.cf"
  check "$b: written again, the same bytes" cmp -s "$T/$b.ours.fits" "$T/$b.cf.fits"
done
# other readers of what our encoder wrote (the 171 frame and a cutout)
for b in aia_lev1_171a_2014_01_01_synthetic aia_lev1_171a_2013_03_10_cutout; do
  [ -f "$T/$b.ours.fits" ] || continue
  if command -v funpack >/dev/null; then
    check "$b: funpack -S reads our file" sh -c "funpack -S '$T/$b.ours.fits' > '$T/$b.unpacked.fits'"
    check "  ... to the same pixels" rc_is 0 "$TEST_RICE" --read "$T/$b.unpacked.fits" "$T/$b.unpacked"
    check "  ... equal" cmp -s "$T/$b.unpacked" "$T/$b.ours"
  else
    echo "test_rice_files: funpack check SKIPPED: no funpack (apt-get install libcfitsio-bin)"
  fi
  if [ -n "$PY" ]; then
    check "$b: astropy reads our file to the same pixels" "$PY" - "$T/$b.ours.fits" "$T/$b.ours" <<'PY'
import sys
import numpy as np
from astropy.io import fits
with fits.open(sys.argv[1]) as h:
    stored = h[1].data
    data = stored.astype(np.float32)
    blank = h[1].header.get("BLANK")
    if blank is not None and stored.dtype.kind == "i":   # astropy keeps integer BLANK as is
        data[stored == blank] = np.nan
raw = np.fromfile(sys.argv[2], dtype=np.float32).reshape(data.shape)
same = np.array_equal(np.isnan(data), np.isnan(raw)) and np.array_equal(data[~np.isnan(data)], raw[~np.isnan(raw)])
sys.exit(0 if same else 1)
PY
  else
    echo "test_rice_files: astropy check SKIPPED: no python3 with astropy"
  fi
done
finish test_rice_files
