# find_python.sh — sourced by the shell tests that drive Python: sets PY to
# the first of $AIAPREP_PYTHON, /usr/bin/python3, python3 that imports the
# modules, or exits 77 (SKIPPED) saying which packages to install.
# Usage: find_python TEST "import a, b.c" "python3-a python3-b"
find_python() {
  local test=$1 imports=$2 packages=$3 cand
  PY=""
  for cand in "${AIAPREP_PYTHON:-}" /usr/bin/python3 python3; do
    [ -n "$cand" ] || continue
    if "$cand" -c "import $imports" >/dev/null 2>&1; then PY=$cand; return 0; fi
  done
  echo "$test: SKIPPED: no python3 that imports $imports (apt-get install $packages)"
  exit 77
}
