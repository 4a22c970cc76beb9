#!/usr/bin/env bash
# gpu-check.sh — issue 16's GPU check in one call on a GPU machine (one
# H200, 16 cores; CUDA, CMake and Python there, but no Debian packages and
# no network), in well under 8 minutes:
#   1. the build: gpu-bundle/ made beforehand on a Debian machine by
#      scripts/gpu-bundle.sh and carried with the call (aiaprep, the GPU
#      test and benchmark programs, libaiaprep.so, libaiaprep_cuda.so and
#      the Debian libraries they need: cfitsio, FFTW, libgomp, curl and its
#      dependencies; the CUDA libraries are the GPU machine's own);
#   2. what the machine has: nvidia-smi, aiaprep --version;
#   3. the tests: test_cuda_math (the device arithmetic on the host),
#      test_cuda (the GPU against the CPU with the issue's tolerances;
#      second runs identical; several threads at once), test_devices.sh;
#      then test_cuda on small frames under compute-sanitizer, memcheck and
#      racecheck;
#   4. the benchmarks: bench_cuda (Richardson-Lucy against its memory
#      floor, the PSF, registration, level 1.6 of a frame), then batches of
#      96 synthetic full frames (six channels, each repeated) through
#      `aiaprep prep` with 16 workers: level 1.5 and 1.6 on the GPU and on
#      the 16 CPU cores, files/s and the median seconds per stage;
#   5. one table, last.
# Logs and results go to $OUT (the device tool's) or ./gpu-check-out.
# Usage (from the repository root): scripts/gpu-check.sh [BUNDLE]
# GPU_CHECK_PER_CHANNEL (default 16: 96 files) and GPU_CHECK_CPU16 (default
# 32: the CPU's level-1.6 batch, slow) size the batches.
# The device call: carry ["gpu-bundle"], command "scripts/gpu-check.sh",
# timeout_s 540.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
BUNDLE=$(cd "${1:-gpu-bundle}" 2>/dev/null && pwd) || { echo "gpu-check: no bundle (run scripts/gpu-bundle.sh first, carry gpu-bundle)"; exit 1; }
OUTDIR=${OUT:-$ROOT/gpu-check-out}
mkdir -p "$OUTDIR"
W=$(mktemp -d /tmp/gpu-check.XXXXXX)
trap 'rm -rf "$W"' EXIT
START=$(date +%s)
CUDA_LIB=/usr/local/cuda/lib64
[ -d "$CUDA_LIB" ] || CUDA_LIB=$(dirname "$(ls /usr/local/cuda*/lib*/libcufft.so.12 2>/dev/null | head -1)" 2>/dev/null)
export LD_LIBRARY_PATH="$BUNDLE/lib:${CUDA_LIB}:${LD_LIBRARY_PATH:-}"
export AIAPREP_CUDA_PLUGIN="$BUNDLE/lib/libaiaprep_cuda.so"
export AIAPREP_CACHE="$W/cache" OMP_NUM_THREADS=${OMP_NUM_THREADS:-$(nproc)}
AIAPREP="$BUNDLE/bin/aiaprep"
PER_CHANNEL=${GPU_CHECK_PER_CHANNEL:-16}
CPU16=${GPU_CHECK_CPU16:-32}
SAN=$(command -v compute-sanitizer || ls /usr/local/cuda/bin/compute-sanitizer 2>/dev/null || true)
declare -a ROWS
row() { ROWS+=("$(printf '%-46s %-14s %-14s %-10s %s' "$@")"); }
elapsed() { echo $(( $(date +%s) - START ))s; }
say() { echo "== $* ($(elapsed))"; }

say "the machine"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.mem --format=csv 2>&1 | tee "$OUTDIR/nvidia-smi.txt"
"$AIAPREP" --version 2>&1 | tee "$OUTDIR/version.txt"
nproc

# ---- tests -------------------------------------------------------------------
result() { [ "$1" = 0 ] && echo pass || { [ "$1" = 77 ] && echo SKIPPED || echo "FAIL($1)"; }; }
say "test_cuda_math"
"$BUNDLE/bin/test_cuda_math" >"$OUTDIR/test_cuda_math.log" 2>&1; r=$?
tail -3 "$OUTDIR/test_cuda_math.log"; row "test_cuda_math (device math on the host)" "$(result $r)" "" "" ""
say "test_cuda (full frames)"
"$BUNDLE/bin/test_cuda" >"$OUTDIR/test_cuda.log" 2>&1; r=$?
cat "$OUTDIR/test_cuda.log" | tail -40; row "test_cuda (GPU vs CPU, 4096²)" "$(result $r)" "" "" ""
say "test_devices"
bash "$BUNDLE/tests/test_devices.sh" "$AIAPREP" >"$OUTDIR/test_devices.log" 2>&1; r=$?
tail -3 "$OUTDIR/test_devices.log"; row "test_devices (--device on the CLI)" "$(result $r)" "" "" ""
if [ -n "$SAN" ]; then
  for tool in memcheck racecheck; do
    say "compute-sanitizer $tool, test_cuda quick"
    timeout 150 "$SAN" --tool $tool --error-exitcode 99 "$BUNDLE/bin/test_cuda" quick >"$OUTDIR/sanitizer-$tool.log" 2>&1; r=$?
    tail -4 "$OUTDIR/sanitizer-$tool.log"
    row "compute-sanitizer $tool (test_cuda quick)" "$(result $r)" "" "" "$(grep -m1 'ERROR SUMMARY' "$OUTDIR/sanitizer-$tool.log")"
  done
else
  row "compute-sanitizer" "not found" "" "" ""
fi

# ---- benchmarks --------------------------------------------------------------
say "bench_cuda"
"$BUNDLE/bin/bench_cuda" 2>&1 | tee "$OUTDIR/bench_cuda.log"
tab() { grep "^TABLE $1" "$OUTDIR/bench_cuda.log" | head -1; }
kv() { tab "$1" | tr ' ' '\n' | awk -v k="$2" 'found {print; exit} $0 == k {found = 1}'; }
row "RL 25 it. 4096² single, ms (target <= 15)" "$(kv rl_single_ms rl_single_ms)" "$(kv rl_single_ms cpu_ms)" "" "floor $(kv rl_single_ms floor_ms) ms"
row "RL 25 it. 4096² double, ms" "$(kv rl_double_ms rl_double_ms)" "$(kv rl_double_ms cpu_ms)" "" "floor $(kv rl_double_ms floor_ms) ms"
row "PSF of one channel, ms (target <= 20)" "$(kv psf_ms psf_ms)" "$(kv psf_ms cpu_ms)" "" ""
row "registration order 3, device ms (target <= 2)" "$(kv register_device_ms register_device_ms)" "$(kv register_device_ms cpu_ms)" "" "with transfers $(kv register_device_ms register_wall_ms) ms"
row "level 1.6 of one frame, ms" "$(kv level16_ms level16_ms)" "" "" ""

say "batch inputs: 6 synthetic full frames, each $PER_CHANNEL times"
mkdir -p "$W/frames" "$W/in"
for ch in 94 131 171 193 211 335; do
  "$AIAPREP" synth -o "$W/frames/aia_lev1_${ch}a_synth.fits" --channel $ch --seed $ch >/dev/null &
done
wait
for k in $(seq -w 1 "$PER_CHANNEL"); do
  for f in "$W"/frames/*.fits; do b=$(basename "$f" .fits); ln -s "$f" "$W/in/${b}_$k.fits"; done
done
ls "$W/in" | wc -l

run_batch() { # NAME DEVICE FILES EXTRA...: the summary lines
  local name=$1 dev=$2 files=$3; shift 3
  rm -rf "$W/out-$name"; mkdir -p "$W/sub-$name"
  ls "$W/in" | head -n "$files" | while read -r f; do ln -sf "$W/in/$f" "$W/sub-$name/$f"; done
  "$AIAPREP" prep --threads 16 --device "$dev" "$@" -o "$W/out-$name" "$W/sub-$name" >"$OUTDIR/batch-$name.log" 2>&1
  echo "rc=$?" >>"$OUTDIR/batch-$name.log"
  grep -E "^prep: " "$OUTDIR/batch-$name.log" | tail -2
}
fps() { sed -n 's/.*(\([0-9.]*\) files\/s.*/\1/p' "$OUTDIR/batch-$1.log" | tail -1; }
stages() { sed -n 's/^prep: median per file: load \([0-9.]*\) s, process \([0-9.]*\) s, store \([0-9.]*\) s/load \1 process \2 store \3/p' "$OUTDIR/batch-$1.log" | tail -1; }
N=$((6 * PER_CHANNEL))
say "batch level 1.5, GPU, $N files"; run_batch l15_gpu cuda $N
say "batch level 1.5, CPU, $N files"; run_batch l15_cpu cpu $N
say "batch level 1.6, GPU, $N files"; AIAPREP_CACHE="$W/cache-gpu" run_batch l16_gpu cuda $N --deconvolve
say "batch level 1.6, GPU again (same bytes?)"; AIAPREP_CACHE="$W/cache-gpu" run_batch l16_gpu2 cuda $N --deconvolve
same=$(cd "$W/out-l16_gpu" 2>/dev/null && for f in *.fits; do cmp -s "$f" "$W/out-l16_gpu2/$f" || echo "$f"; done | wc -l)
say "batch level 1.6, CPU, $CPU16 files"; AIAPREP_CACHE="$W/cache-cpu" run_batch l16_cpu cpu $CPU16 --deconvolve
ratio() { python3 -c "a, b = float('${1:-0}' or 0), float('${2:-0}' or 0); print('%.1fx' % (a / b) if a and b else '-')" 2>/dev/null; }
rc_of() { sed -n 's/^rc=\([0-9]*\)$/exit \1/p' "$OUTDIR/batch-$1.log" | tail -1; }
row "batch level 1.5, files/s (16 workers)" "$(fps l15_gpu)" "$(fps l15_cpu)" "$(ratio "$(fps l15_gpu)" "$(fps l15_cpu)")" "GPU $(rc_of l15_gpu), $(stages l15_gpu)"
row "batch level 1.6, files/s (target >= 30x CPU)" "$(fps l16_gpu)" "$(fps l16_cpu)" "$(ratio "$(fps l16_gpu)" "$(fps l16_cpu)")" "GPU $(rc_of l16_gpu), $(stages l16_gpu)"
row "  level 1.6 CPU stages ($CPU16 files)" "" "" "" "CPU $(stages l16_cpu)"
row "  level 1.6 GPU second run: files differing" "$same" "" "" "of $(ls "$W/out-l16_gpu" | wc -l)"
cp "$W"/out-l16_gpu/*171a_synth_01.fits "$OUTDIR/" 2>/dev/null || true

# ---- the table ---------------------------------------------------------------
say "done"
{
  echo
  echo "GPU check of issue 16, $(date -u +%Y-%m-%dT%H:%MZ), $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -1), $(nproc) cores, $(elapsed)"
  printf '%-46s %-14s %-14s %-10s %s\n' "" "GPU" "CPU" "ratio" "notes"
  for r in "${ROWS[@]}"; do echo "$r"; done
} | tee "$OUTDIR/table.txt"
