#!/usr/bin/env bash
# test_devices.sh — --device on the commands that compute (prep, psf,
# deconvolve) and what --version says about CUDA. Where no CUDA device can
# be used (CI): --device auto falls back to the CPU with a one-line notice
# and writes the same bytes as --device cpu; --device cuda fails with exit
# status 2 and says why; a bad device string is a usage error. Where a
# device can be used, the comparisons of results are test_cuda's and the
# failure checks are skipped (said so). The device never enters HISTORY.
# Usage: test_devices.sh PATH/TO/aiaprep
set -u
AIAPREP=$1
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/checks.sh"
export AIAPREP_CACHE=${AIAPREP_CACHE:-$T/cache}

check "--version" rc_is 0 "$AIAPREP" --version
check "--version says what auto takes" out_has "^backends: cpu.*--device auto takes: "
check "--version has a CUDA line" out_has "^CUDA"
auto=$(sed -n 's/^backends: .*--device auto takes: \([a-z0-9:]*\).*/\1/p' "$T/stdout")
built=$(sed -n 's/^backends: \([a-z ]*\) (.*/\1/p' "$T/stdout")
case "$built" in
  *cuda*) check "a CUDA build names its runtime" out_has "^CUDA runtime: " ;;
  *) check "a build without CUDA says so" out_has "^CUDA: none: this build" ;;
esac

mkdir -p "$T/in" "$T/c" "$T/a"
check "synth a frame" rc_is 0 "$AIAPREP" synth -o "$T/in/aia_lev1_171a_t.fits" --size 1024 --seed 5 --roll 8
check "bad device string" rc_is 2 "$AIAPREP" prep --device gpu -o "$T/x" "$T/in"
check "  ... says what is allowed" err_has "auto, cpu, cuda or cuda:N"
check "bad device number" rc_is 2 "$AIAPREP" psf --channel 171 --device cuda:x -o "$T/x.fits"
check "bad --device-files" rc_is 2 "$AIAPREP" prep --device-files many -o "$T/x" "$T/in"

check "prep --device cpu" rc_is 0 "$AIAPREP" prep --device cpu -o "$T/cpu" "$T/in"
check "  ... no notice" test ! -s "$T/err"
check "prep --device auto" rc_is 0 "$AIAPREP" prep --device auto --device-files 2 -o "$T/auto" "$T/in"
check "prep, no --device (auto)" rc_is 0 "$AIAPREP" prep -q -o "$T/default" "$T/in"
check "  ... quiet: no notice" test ! -s "$T/err"
check "the device is not in HISTORY" test "$(grep -c -- '--device' "$T/auto/aia_lev1.5_171a_t.fits")" = 0

if [ "$auto" = cpu ]; then
  "$AIAPREP" prep --device auto -o "$T/auto2" "$T/in" >/dev/null 2>"$T/err"
  case "$built" in
    *cuda*) check "auto on the CPU: a one-line notice" test "$(grep -c 'notice: no CUDA device used' "$T/err")" = 1 ;;
  esac
  check "auto on the CPU: prep's bytes are the CPU's" cmp -s "$T/cpu/aia_lev1.5_171a_t.fits" "$T/auto/aia_lev1.5_171a_t.fits"
  check "  ... also by default" cmp -s "$T/cpu/aia_lev1.5_171a_t.fits" "$T/default/aia_lev1.5_171a_t.fits"
  # the same output name, from two folders: HISTORY holds it
  AIAPREP=$(cd "$(dirname "$AIAPREP")" && pwd)/$(basename "$AIAPREP")
  cd "$T/c" && check "psf --device cpu" rc_is 0 "$AIAPREP" psf --channel 335 --orders 1:3 --no-cache --device cpu -o p.fits
  cd "$T/a" && check "psf --device auto" rc_is 0 "$AIAPREP" psf --channel 335 --orders 1:3 --no-cache --device auto -o p.fits
  check "  ... the same bytes" cmp -s "$T/c/p.fits" "$T/a/p.fits"
  check "prep --device cuda fails" rc_is 2 "$AIAPREP" prep --device cuda -o "$T/cuda" "$T/in"
  check "  ... saying why" err_has "error: --device cuda: "
  check "  ... and writes nothing" test ! -e "$T/cuda/aia_lev1.5_171a_t.fits"
  check "psf --device cuda:1 fails" rc_is 2 "$AIAPREP" psf --channel 171 --device cuda:1 -o "$T/p.fits"
  check "  ... saying why" err_has "error: --device cuda:1: "
  check "deconvolve --device cuda fails" rc_is 2 "$AIAPREP" deconvolve --device cuda -o "$T/d.fits" "$T/in/aia_lev1_171a_t.fits"
  # deconvolution needs a full 4096² frame: one iteration, both ways
  check "synth a full frame" rc_is 0 "$AIAPREP" synth -o "$T/full.fits" --seed 2
  cd "$T/c" && check "deconvolve --device cpu" rc_is 0 "$AIAPREP" deconvolve --iterations 1 --device cpu -o d.fits "$T/full.fits"
  cd "$T/a" && check "deconvolve --device auto" rc_is 0 "$AIAPREP" deconvolve --iterations 1 --device auto -o d.fits "$T/full.fits"
  cd "$T"
  check "  ... the same bytes" cmp -s "$T/c/d.fits" "$T/a/d.fits"
else
  echo "test_devices: note: a CUDA device is used by auto ($auto): the CPU-fallback checks are skipped (test_cuda compares the results)"
  check "prep --device cuda" rc_is 0 "$AIAPREP" prep --device cuda -o "$T/cuda" "$T/in"
fi
finish test_devices
