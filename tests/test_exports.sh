#!/usr/bin/env bash
# test_exports.sh — libaiaprep.so exports exactly the functions that
# include/aiaprep.h declares with AIA_API: every one of them, and nothing
# else (no internal helper, no kernel-level copy, no stray global).
# Usage: test_exports.sh LIBAIAPREP_SO AIAPREP_H
set -u
LIB=$1 HEADER=$2
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/checks.sh"
command -v nm >/dev/null || { echo "test_exports: SKIPPED: no nm (binutils)"; exit 77; }
# declared: "AIA_API <type> name(" possibly with '*' before the name
sed -n 's/^AIA_API [^(]*[ *]\([a-z_0-9]*\)(.*/\1/p' "$HEADER" | sort -u >"$T/declared"
nm -D --defined-only "$LIB" | awk '{print $3}' | sort -u >"$T/exported"
check "the header declares functions" test "$(wc -l <"$T/declared")" -gt 50
comm -13 "$T/declared" "$T/exported" >"$T/extra"
comm -23 "$T/declared" "$T/exported" >"$T/missing"
check "nothing exported beyond the header" test ! -s "$T/extra"
[ -s "$T/extra" ] && sed 's/^/  exported, not declared: /' "$T/extra" >&2
check "every declared function exported" test ! -s "$T/missing"
[ -s "$T/missing" ] && sed 's/^/  declared, not exported: /' "$T/missing" >&2
finish test_exports
