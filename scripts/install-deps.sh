#!/usr/bin/env bash
# Install the Debian packages aiaprep needs, if any is missing.
# Runs as root (CI, a fresh machine) or through sudo when available.
set -euo pipefail

# Build: compiler, CMake, pkg-config, cfitsio (with funpack for the tests),
# FFTW (double and float, with threads), OpenMP (part of gcc), zlib (gzip
# inputs and the checks of GZIP tiles before cfitsio decodes them).
required=(gcc make cmake pkg-config libcfitsio-dev libcfitsio-bin libfftw3-dev zlib1g-dev)
# Tests: Debian's astropy and sunpy read the files aiaprep writes (sunpy.map
# needs matplotlib), fitsverify checks them; pytest runs the Python
# package's tests, pip installs it in test_install, Dask runs its example.
# Open MPI: the MPI mode of prep. qemu-user: the binary run as older CPUs.
# libcurl: aiaprep fetch and the auto tables (without it they use the cache
# only). man-db: the man page rendered in the tests. Each is built/tested
# when present; SKIPPED otherwise.
optional=(python3 python3-numpy python3-scipy python3-astropy python3-sunpy python3-matplotlib
          python3-pytest python3-pip python3-dask python3-distributed
          libopenmpi-dev openmpi-bin qemu-user libcurl4-openssl-dev fitsverify man-db)

missing() {
  local out=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || out+=("$p")
  done
  echo "${out[@]:-}"
}

need_req=$(missing "${required[@]}")
need_opt=$(missing "${optional[@]}")
[ -z "$need_req$need_opt" ] && exit 0

if ! command -v apt-get >/dev/null; then
  [ -z "$need_req" ] && exit 0
  echo "install-deps: missing packages ($need_req) and no apt-get: install them by hand" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "install-deps: missing packages ($need_req $need_opt); run as root: apt-get install $need_req $need_opt" >&2
    [ -z "$need_req" ] && exit 0 || exit 1
  fi
fi

echo "install-deps: installing $need_req $need_opt" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
if [ -n "$need_req" ]; then
  $SUDO apt-get install -y -qq --no-install-recommends $need_req >/dev/null
fi
if [ -n "$need_opt" ]; then
  # These serve the interoperability tests and the MPI mode, which say
  # SKIPPED when they are absent: their failure is not fatal.
  $SUDO apt-get install -y -qq --no-install-recommends $need_opt >/dev/null ||
    echo "install-deps: warning: could not install $need_opt; the astropy/sunpy/MPI/qemu tests will be skipped" >&2
fi
