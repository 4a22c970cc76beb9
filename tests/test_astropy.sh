#!/usr/bin/env bash
# test_astropy.sh — files aiaprep writes open in Debian's astropy and sunpy as
# AIA maps with the right values. SKIPPED (77) only when no Python with astropy
# and sunpy can be found (scripts/install-deps.sh installs them).
set -u
WRITE_SAMPLES=$(dirname "$1")/tests/write_samples
HERE=${AIAPREP_TESTS:-$(dirname "$0")}
. "$(dirname "$0")/find_python.sh"
find_python test_astropy "astropy, sunpy.map, numpy" "python3-astropy python3-sunpy"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
"$WRITE_SAMPLES" "$T" || { echo "test_astropy: write_samples failed"; exit 1; }
"$PY" "$HERE/test_astropy.py" "$T"
