#!/usr/bin/env bash
# gpu-bundle.sh — run HERE (a Debian machine with the build dependencies and
# the CUDA toolkit at /usr/local/cuda) before a GPU check: builds aiaprep
# with the CUDA backend (no MPI) and puts into gpu-bundle/ (git-ignored;
# carry it with the device call) everything scripts/gpu-check.sh needs on a
# GPU machine that has CUDA but no Debian packages and no network:
#   gpu-bundle/bin/  aiaprep, test_cuda, test_cuda_math, bench_cuda
#   gpu-bundle/lib/  libaiaprep.so, libaiaprep_cuda.so, and every shared
#                    library they load from this machine's system (cfitsio,
#                    FFTW, libgomp, curl and its dependencies), except the C
#                    and C++ runtimes (the GPU machine's own, newer ones do)
#                    and the CUDA libraries (the GPU machine's: cuFFT, the
#                    driver)
#   gpu-bundle/tests/ the shell tests the check runs (test_devices.sh)
# Usage: scripts/gpu-bundle.sh [BUILD_DIR]   (default build-gpu)
set -eu
cd "$(dirname "$0")/.."
BUILD=${1:-build-gpu}
OUT=gpu-bundle
[ -x /usr/local/cuda/bin/nvcc ] || { echo "gpu-bundle: no /usr/local/cuda/bin/nvcc: the CUDA backend cannot be built" >&2; exit 1; }
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DAIAPREP_MPI=OFF -DAIAPREP_WERROR=ON >/dev/null
cmake --build "$BUILD" -j "$(nproc)" --target aiaprep_cli aiaprep_cuda test_cuda test_cuda_math bench_cuda
[ -f "$BUILD/libaiaprep_cuda.so" ] || { echo "gpu-bundle: the CUDA backend was not built (see cmake's message)" >&2; exit 1; }
rm -rf "$OUT"
mkdir -p "$OUT/bin" "$OUT/lib" "$OUT/tests"
cmake --install "$BUILD" --prefix "$PWD/$OUT/install" >/dev/null
cp "$OUT"/install/bin/aiaprep "$OUT/bin/"
cp -P "$OUT"/install/lib*/libaiaprep* "$OUT/lib/"
rm -rf "$OUT/install"
cp "$BUILD/tests/test_cuda" "$BUILD/tests/test_cuda_math" "$BUILD/bench/bench_cuda" "$OUT/bin/"
cp tests/test_devices.sh tests/checks.sh "$OUT/tests/"
# the system libraries they load, but not the C/C++ runtimes or CUDA's
skip='^(linux-vdso|ld-linux|libc\.|libm\.|libdl\.|libpthread\.|librt\.|libresolv\.|libstdc\+\+|libgcc_s|libcuda\.|libcufft|libcudart|libaiaprep)'
for f in "$OUT"/bin/* "$OUT"/lib/libaiaprep*.so*; do
  [ -L "$f" ] && continue
  LD_LIBRARY_PATH="$OUT/lib" ldd "$f" 2>/dev/null | awk '$3 ~ /^\// {print $1, $3}'
done | sort -u | while read -r name path; do
  echo "$name" | grep -Eq "$skip" || cp -L "$path" "$OUT/lib/$name"
done
du -sh "$OUT"
echo "gpu-bundle: ready; carry '$OUT' with the device call and run: scripts/gpu-check.sh"
