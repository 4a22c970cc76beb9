#!/usr/bin/env bash
# test_register_sunpy.sh — registration against sunpy's rotate (orders 0-5,
# NaN pixels). SKIPPED (77) only when no Python with sunpy and scipy is found.
set -u
HERE=${AIAPREP_TESTS:-$(dirname "$0")}
. "$(dirname "$0")/find_python.sh"
find_python test_register_sunpy "sunpy.map, scipy.ndimage, astropy" "python3-sunpy python3-scipy"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
"$PY" "$HERE/test_register_sunpy.py" "$1" "$T"
