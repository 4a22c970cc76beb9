#!/usr/bin/env bash
# test_install.sh — `make install` as a packager and a user meet it: the
# program, the shared library, the header, aiaprep.pc, the man page and
# bash completion land under
# DESTDIR + PREFIX; a program compiled with `pkg-config --cflags --libs
# aiaprep` against the installed copy links and runs; the installed
# aiaprep finds its library without LD_LIBRARY_PATH.
# Usage: test_install.sh BUILD_DIR [CFLAGS for the user's program: the
# sanitizer build's library needs its runtime in the program too]
set -u
BUILD=$1 USER_CFLAGS=${2:-}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/checks.sh"
command -v pkg-config >/dev/null || { echo "test_install: SKIPPED: no pkg-config"; exit 77; }
PREFIX=/opt/aiaprep-test
check "install into DESTDIR" rc_is 0 env DESTDIR="$T/stage" cmake --install "$BUILD" --prefix "$PREFIX"
R=$T/stage$PREFIX
LIBDIR=$(ls -d "$R"/lib* 2>/dev/null | head -1)
check "the program" test -x "$R/bin/aiaprep"
check "the header" test -f "$R/include/aiaprep.h"
check "the shared library" test -e "$LIBDIR/libaiaprep.so"
check "its soname link" test -e "$LIBDIR/libaiaprep.so.0"
check "the pkg-config file" test -f "$LIBDIR/pkgconfig/aiaprep.pc"
check "the man page" test -s "$R/share/man/man1/aiaprep.1"
check "  ... a man page" grep -q '^\.TH AIAPREP 1' "$R/share/man/man1/aiaprep.1"
if command -v man >/dev/null; then
  check "  ... that man finds on MANPATH" rc_is 0 env MANPATH="$R/share/man" man -w aiaprep
fi
check "bash completion" test -s "$R/share/bash-completion/completions/aiaprep"
check "  ... that completes the installed program's commands" test "$(bash -c '. "$1"; COMP_WORDS=("$2" fe); COMP_CWORD=1; _aiaprep; echo "${COMPREPLY[*]}"' _ "$R/share/bash-completion/completions/aiaprep" "$R/bin/aiaprep")" = fetch
check "nothing outside DESTDIR" test ! -e "$PREFIX"
# pkg-config straight from the staged tree: the .pc file finds its prefix
# from where it lies, whatever --prefix and DESTDIR were
export PKG_CONFIG_PATH=$LIBDIR/pkgconfig
check "pkg-config knows it" rc_is 0 pkg-config --exists aiaprep
check "  ... with the header's version" test "$(pkg-config --modversion aiaprep)" = \
  "$(sed -n 's/^#define AIAPREP_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)/\2/p' "$R/include/aiaprep.h" | paste -sd.)"
cat >"$T/user.c" <<'C'
#include <aiaprep.h>
#include <stdio.h>
#include <string.h>
int main(void)
{
    aia_image *img = NULL;
    if (aia_image_create(8, 8, AIA_PIX_F32, &img) != AIA_OK) return 1;
    aia_image_free(img);
    printf("%d.%d.%d %s\n", AIAPREP_VERSION_MAJOR, AIAPREP_VERSION_MINOR, AIAPREP_VERSION_PATCH, aia_version());
    return strcmp(aia_strerror(AIA_OK), "success") != 0;
}
C
check "a user's program compiles and links with pkg-config" \
  rc_is 0 sh -c "cc $USER_CFLAGS -o '$T/user' '$T/user.c' \$(pkg-config --cflags --libs aiaprep)"
check "  ... and runs against the installed library" rc_is 0 env LD_LIBRARY_PATH="$LIBDIR" "$T/user"
versions=$(LD_LIBRARY_PATH="$LIBDIR" "$T/user")
check "  ... header and library agree on the version" test -n "$versions" -a "${versions% *}" = "${versions#* }"
# Every RUNPATH entry, built and installed, absolute or $ORIGIN-relative:
# the loader reads an empty or relative entry from the current directory.
if command -v readelf >/dev/null; then
  bad_runpath() {
    for f in "$@"; do
      [ -f "$f" ] || continue
      readelf -d "$f" 2>/dev/null | sed -n 's/.*(R[UN]*PATH).*\[\(.*\)\]/\1/p' | tr ':' '\n' |
        grep -qvE '^(/|\$ORIGIN)' && echo "$f"
    done
    return 0
  }
  bad=$(bad_runpath "$BUILD"/aiaprep "$BUILD"/libaiaprep*.so* "$R/bin/aiaprep" "$LIBDIR"/libaiaprep*.so*)
  check "no RUNPATH searches the current directory${bad:+ (}${bad//$'\n'/, }${bad:+)}" test -z "$bad"
else
  echo "test_install: the RUNPATH check SKIPPED: no readelf"
fi
check "the installed aiaprep runs without LD_LIBRARY_PATH" rc_is 0 "$R/bin/aiaprep" --version
used=$(ldd "$R/bin/aiaprep" | awk '/libaiaprep/ {print $3}')
check "  ... on the installed library" test "$(readlink -f "$used")" = "$(readlink -f "$LIBDIR/libaiaprep.so.0")"

# The Python package: importable from the staged tree by Debian's python3,
# on the staged library (not the build's); pip installs it against a library.
PY=${AIAPREP_PYTHON:-/usr/bin/python3}
if "$PY" -c "import numpy, astropy, sunpy" 2>/dev/null; then
  PYDIR=$(ls -d "$R"/lib/python3*/*-packages 2>/dev/null | head -1)
  check "the Python package" test -f "$PYDIR/aiaprep/__init__.py" -a -f "$PYDIR/aiaprep/_install.py"
  pyrun() { # a sanitized library loads into an uninstrumented python only after the ASan runtime
    case "$USER_CFLAGS" in
      *sanitize=address*) env LD_PRELOAD="$(cc -print-file-name=libasan.so)" ASAN_OPTIONS=detect_leaks=0 "$@" ;;
      *) "$@" ;;
    esac
  }
  where=$(cd "$T" && pyrun env -u AIAPREP_LIBRARY PYTHONPATH="$PYDIR" "$PY" -c \
    "import aiaprep; print(aiaprep.library_path()); print(aiaprep.__file__)")
  check "  ... imports from the staged tree" test "$(echo "$where" | sed -n 2p)" = "$PYDIR/aiaprep/__init__.py"
  check "  ... on the staged library" test "$(readlink -f "$(echo "$where" | head -1)")" = \
    "$(readlink -f "$LIBDIR/libaiaprep.so.0")"
  if [ -n "${AIAPREP_SOURCE:-}" ] && "$PY" -m pip --version >/dev/null 2>&1; then
    mkdir -p "$T/src" && cp -r "$AIAPREP_SOURCE/python" "$AIAPREP_SOURCE/include" "$T/src/"
    check "pip installs the package against a built library" rc_is 0 env AIAPREP_LIBRARY="$LIBDIR/libaiaprep.so.0" \
      "$PY" -m pip install -q --no-deps --no-build-isolation --no-index --target "$T/pip" "$T/src/python"
    where=$(cd "$T" && pyrun env -u AIAPREP_LIBRARY PYTHONPATH="$T/pip" "$PY" -c "import aiaprep; print(aiaprep.library_path())")
    check "  ... which finds that library" test "$(readlink -f "$where")" = "$(readlink -f "$LIBDIR/libaiaprep.so.0")"
  fi
else
  echo "test_install: the Python package's checks SKIPPED: $PY lacks numpy, astropy or sunpy"
fi
finish test_install
