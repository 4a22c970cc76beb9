#!/usr/bin/env bash
# test_cpu_levels.sh — one binary for every x86-64: the default build runs on
# an emulated Haswell (AVX2, no AVX-512) and Nehalem (no AVX at all) with
# qemu-user, picks the kernels those CPUs support, and gives the same output
# bytes as on this CPU: registration, PSF and deconvolution against this
# CPU's run of the same kernels (AIAPREP_KERNELS), and the test suite's
# registration cases pass there. SKIPPED when qemu-x86_64 is absent (Debian:
# qemu-user; scripts/install-deps.sh installs it) or this is not x86-64.
# Usage: test_cpu_levels.sh AIAPREP CPU_LEVEL_CASES TEST_REGISTER
set -u
AIAPREP=$1 CASES=$2 TEST_REGISTER=$3
. "$(dirname "$0")/checks.sh"
QEMU=$(command -v qemu-x86_64 || true)
if [ -z "$QEMU" ] || [ "$(uname -m)" != x86_64 ]; then
  echo "test_cpu_levels: SKIPPED: needs qemu-x86_64 on x86-64 (apt-get install qemu-user)"; exit 77
fi
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
# The same FFTW wisdom and thread count for every run, so that FFTW plans alike.
export AIAPREP_CACHE=$T/cache OMP_NUM_THREADS=2
emulate() { local cpu=$1; shift; "$QEMU" -cpu "$cpu" "$@" 2>"$T/qemu.err"; }

kernels_of() { "$@" --version | sed -n 's/^CPU kernels: \([a-z0-9]*\).*/\1/p'; }
check "native kernels named" rc_is 0 "$AIAPREP" --version
native=$(kernels_of "$AIAPREP")
haswell=$(kernels_of emulate Haswell "$AIAPREP")
nehalem=$(kernels_of emulate Nehalem "$AIAPREP")
check "Haswell (AVX2, FMA) takes the avx2 kernels" test "$haswell" = avx2
check "Nehalem (SSE4.2) takes the generic kernels and runs" test "$nehalem" = generic

# This CPU with the same level as the emulated one, then the emulated CPU.
mkdir -p "$T/native-avx2" "$T/haswell" "$T/native-generic" "$T/nehalem"
if [ "$native" = generic ]; then
  echo "test_cpu_levels: note: this CPU has no AVX2; the Haswell comparison is skipped"
else
  check "avx2 cases on this CPU" rc_is 0 env AIAPREP_KERNELS=avx2 "$CASES" "$T/native-avx2"
  check "the same cases on Haswell" rc_is 0 emulate Haswell "$CASES" "$T/haswell"
  for f in "$T"/native-avx2/*; do
    check "Haswell: $(basename "$f") identical" cmp -s "$f" "$T/haswell/$(basename "$f")"
  done
  check "Haswell: the registration tests pass" rc_is 0 emulate Haswell "$TEST_REGISTER"
fi
# The generic kernels: registration is the same bytes everywhere; the FFTs
# are FFTW's, which picks its own SIMD codelets (SSE2 there, AVX here).
check "generic cases on this CPU" rc_is 0 env AIAPREP_KERNELS=generic "$CASES" "$T/native-generic" register
check "the same cases on Nehalem" rc_is 0 emulate Nehalem "$CASES" "$T/nehalem" register
for f in "$T"/native-generic/reg_*; do
  check "Nehalem: $(basename "$f") identical" cmp -s "$f" "$T/nehalem/$(basename "$f")"
done
# The Rice codec's two levels (plain x86-64 and x86-64-v3, rice.c): a frame
# prepared on Nehalem (decoded, registered with the generic kernels, encoded,
# all at the plain level) is this CPU's bytes (v3 decoder and encoder). (Not
# the synthesis itself: its file differs there; its scene's floating-point
# arithmetic, not the codec, which the prep comparison covers.)
check "synth on this CPU" rc_is 0 "$AIAPREP" synth -o "$T/synth_native.fits" --size 512 --seed 7
check "prep on this CPU (generic kernels)" rc_is 0 env AIAPREP_KERNELS=generic "$AIAPREP" prep -q -o "$T/prep_native" "$T/synth_native.fits"
check "prep on Nehalem" rc_is 0 emulate Nehalem "$AIAPREP" prep -q -o "$T/prep_nehalem" "$T/synth_native.fits"
for f in "$T"/prep_native/*.fits; do
  check "Nehalem: $(basename "$f") identical" cmp -s "$f" "$T/prep_nehalem/$(basename "$f")"
done
finish test_cpu_levels
