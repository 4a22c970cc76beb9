#!/usr/bin/env bash
# test_level15.sh — make the level-1.5 files a user makes (default output,
# float, per second with the UNCERTAINTY HDU, deconvolved, a JSOC synoptic
# input at 1/16 DN) and let test_level15.py look at them with sunpy,
# astropy and fitsverify. SKIPPED (77) only without a Python with astropy
# and sunpy (scripts/install-deps.sh installs them).
# Usage: test_level15.sh PATH/TO/aiaprep
set -u
AIAPREP=$1
HERE=${AIAPREP_TESTS:-$(dirname "$0")}
. "$(dirname "$0")/find_python.sh"
find_python test_level15 "astropy, sunpy.map, numpy" "python3-astropy python3-sunpy"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
run() { "$@" >"$T/last.log" 2>&1 || { echo "test_level15: failed: $*"; cat "$T/last.log"; exit 1; }; }
cat >"$T/err.txt" <<'TXT'
DATE T_START T_STOP VER_NUM WAVE_STR WAVELNTH DNPERPHT COMPRESS CALERR CHIANTI EVEERR
2012-02-10T01:12:01 2010-05-01T00:00:00 2050-05-01T00:00:00 3 94_THIN 94 1.975 26.196 0.250 0.500 0.087
2012-02-10T01:12:01 2010-05-01T00:00:00 2050-05-01T00:00:00 3 171_THIN 171 1.122 14.400 0.250 0.250 0.019
TXT
mkdir -p "$T/in" "$T/big"
run "$AIAPREP" synth -o "$T/in/aia_lev1_94a_t.fits" --channel 94 --size 1024 --roll 3
run "$AIAPREP" synth -o "$T/big/aia_lev1_171a_full.fits" --seed 5
run "$AIAPREP" prep -o "$T/default" "$T/in"
run "$AIAPREP" prep -o "$T/float" --dtype float32 --compress none "$T/in"
run "$AIAPREP" prep -o "$T/persec" --normalize --uncertainty "$T/err.txt" "$T/in"
run "$AIAPREP" prep -o "$T/withunc" --uncertainty "$T/err.txt" "$T/in"
run "$AIAPREP" prep -o "$T/deconv" --deconvolve --iterations 2 "$T/big"
n=aia_lev1.5_94a_t.fits
files='[{"name": "default", "path": "'$T/default/$n'", "level": 1.5, "compressed": true},
 {"name": "float32", "path": "'$T/float/$n'", "level": 1.5},
 {"name": "normalized+uncertainty", "path": "'$T/persec/$n'", "level": 1.5, "uncertainty": true, "per_second": true},
 {"name": "int16+uncertainty", "path": "'$T/withunc/$n'", "level": 1.5, "uncertainty": true, "compressed": true},
 {"name": "deconvolved", "path": "'$T/deconv/aia_lev1.6_171a_full.fits'", "level": 1.6, "compressed": true}'
pairs='[{"name": "int16 vs float32", "int": "'$T/default/$n'", "float": "'$T/float/$n'", "quantum": 1.0, "interpolated": true}'
SYN=${AIAPREP_DATA:-${AIAPREP_DEFAULT_SHARED:-}}/data/real/synoptic/aia_synoptic_lev15_0171_2014_01_01.fits
if [ -f "$SYN" ]; then
  # already level 1.5: registered again (aiapy's warning), as a user might
  run "$AIAPREP" prep -o "$T/syn" "$SYN"
  run "$AIAPREP" prep -o "$T/synf" --dtype float32 "$SYN"
  s=aia_synoptic_lev15_0171_2014_01_01_lev1.5.fits
  files=$files',
 {"name": "synoptic", "path": "'$T/syn/$s'", "level": 1.5, "compressed": true}'
  pairs=$pairs',
 {"name": "synoptic 1/16 DN vs float32", "int": "'$T/syn/$s'", "float": "'$T/synf/$s'", "quantum": 0.0625, "bscale": 0.0625}'
else
  echo "SKIPPED: the JSOC synoptic (1/16 DN) case: no $SYN"
fi
echo "$files]" >"$T/files.json"
echo "$pairs]" >"$T/pairs.json"
cd "$HERE" && "$PY" "$HERE/test_level15.py" "$T"
