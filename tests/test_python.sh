#!/usr/bin/env bash
# test_python.sh — the Python package's pytest suite (python/tests) against
# this build's library (AIAPREP_LIBRARY, set by ctest). SKIPPED (77) when
# Debian's python3-pytest, -numpy, -astropy or -sunpy is missing; pytest's
# exit status 5 (no tests collected) is a failure, not a pass.
# Usage: test_python.sh PACKAGE_DIR (python/ of the checkout)
set -u
PKG=$1
PY=${AIAPREP_PYTHON:-/usr/bin/python3}
if ! missing=$("$PY" - 2>/dev/null <<'PYCODE'
import importlib.util
need = {"pytest": "python3-pytest", "numpy": "python3-numpy", "astropy": "python3-astropy",
        "sunpy": "python3-sunpy", "scipy": "python3-scipy", "matplotlib": "python3-matplotlib"}
print(" ".join(deb for mod, deb in need.items() if importlib.util.find_spec(mod) is None))
PYCODE
); then
  echo "test_python: SKIPPED: no usable Python at $PY (apt-get install python3)"
  exit 77
fi
if [ -n "$missing" ]; then
  echo "test_python: SKIPPED: $PY lacks $missing (apt-get install $missing)"
  exit 77
fi
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1  # pytest and Python write nothing into the checkout
PYTHONPATH="$PKG${PYTHONPATH:+:$PYTHONPATH}" "$PY" -m pytest -q -rs -p no:cacheprovider "$PKG/tests"
rc=$?
if [ "$rc" -eq 5 ]; then
  echo "test_python: FAILED: pytest collected no tests from $PKG/tests"
  exit 1
fi
[ "$rc" -eq 0 ] || exit 1
