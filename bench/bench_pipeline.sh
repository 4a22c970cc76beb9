#!/usr/bin/env bash
# bench_pipeline.sh — the batch pipeline end to end: the six sample level-1
# frames (or synthetic ones) repeated to 24 files, `aiaprep prep` to the
# default output (int16 Rice), median of 3 runs: files/s and per-stage
# medians. Then, when Debian's sunpy is there, aiapy's load + register + save
# (restated with its sunpy calls; float64 FITS, aiapy's default) timed on 3
# of the same files in the same run, for the ratio.
# Usage: bench_pipeline.sh AIAPREP [SHARED]
set -euo pipefail
AIAPREP=$1
SHARED=${2:-${AIAPREP_DATA:-$(dirname "$0")/../../shared}}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
mkdir -p "$T/in" "$T/out"
frames=("$SHARED"/data/level1/*.fits)
if [ ! -e "${frames[0]}" ]; then
  for ch in 94 131 171 193 211 335; do "$AIAPREP" synth -o "$T/src_$ch.fits" --channel $ch >/dev/null; done
  frames=("$T"/src_*.fits)
fi
n=0
for rep in 1 2 3 4; do
  for f in "${frames[@]}"; do
    n=$((n + 1)); ln -s "$(readlink -f "$f")" "$T/in/aia_lev1_copy${rep}_$(basename "$f" .fits | sed 's/aia_lev1_//').fits"
  done
done
echo "aiaprep bench_pipeline: $n files ($(ls "${frames[@]}" | wc -l) frames x 4), $(nproc) cores, default output (int16 Rice)"
rates=()
for run in 1 2 3; do
  rm -rf "$T/out"
  line=$("$AIAPREP" prep -o "$T/out" "$T/in" | grep -E "^prep: [0-9]+ files|median per file")
  rate=$(echo "$line" | sed -n 's/.*(\([0-9.]*\) files\/s.*/\1/p')
  rates+=("$rate")
  echo "  run $run: $(echo "$line" | head -1 | sed 's/; outputs in.*//')"
  echo "         $(echo "$line" | tail -1)"
done
median=$(printf '%s\n' "${rates[@]}" | sort -g | sed -n 2p)
echo "median: $median files/s ($(awk -v r="$median" 'BEGIN { printf "%.3f", 1 / r }') s a file)"
PY=${AIAPREP_PYTHON:-/usr/bin/python3}
if "$PY" -c "import sunpy.map, scipy" 2>/dev/null; then
  "$PY" - "$T" "$median" "${frames[@]:0:3}" <<'PY'
import sys, time, warnings
import astropy.units as u, numpy as np
from astropy.io import fits
import sunpy.map
warnings.simplefilter("ignore")
out, rate = sys.argv[1], float(sys.argv[2])
times = []
for i, path in enumerate(sys.argv[3:]):
    t0 = time.perf_counter()
    with fits.open(path) as h:                       # load (float32, as aiapy's reference)
        hdu = h[1] if h[0].data is None else h[0]
        m = sunpy.map.Map(hdu.data.astype(np.float32), hdu.header)
    k = (m.scale[0] / 0.6).round()                   # register (aiapy 0.12, restated)
    target = k * 0.6 if (k != 1 * u.arcsec / u.pix and m.data.shape != (4096, 4096)) else 0.6 * u.arcsec / u.pix
    tmp = m.rotate(recenter=True, scale=(m.scale[0] / target).decompose().value, order=3,
                   missing=np.nanmin(m.data))
    c = np.floor(tmp.meta["crpix1"]); half = m.data.shape[0] / 2
    reg = tmp.submap([c - half, c - half] * u.pix, top_right=[c + half - 1, c + half - 1] * u.pix)
    reg.save(f"{out}/aiapy_{i}.fits", overwrite=True)  # save (float64, aiapy's default)
    times.append(time.perf_counter() - t0)
per = sorted(times)[len(times) // 2]
print(f"aiapy load + register + save, one after another: median {per:.2f} s a file ({len(times)} files)")
print(f"throughput ratio aiaprep / aiapy (same machine, same run): {per * rate:.1f}x")
PY
else
  echo "aiapy comparison SKIPPED: needs Debian's python3-sunpy and python3-scipy"
fi
