"""Side by side, in one run: aiapy's register (restated with the sunpy and
scipy calls it makes, as tests/test_register_sunpy.py does: Debian ships no
aiapy) against aiaprep's, on the same 4096 x 4096 frame (read as float32, as
aiapy's reference outputs were made). Prints the medians and the ratio.
Usage: compare_aiapy.py BENCH_REGISTER FRAME"""
import statistics
import subprocess
import sys
import time
import warnings

import astropy.units as u
import numpy as np
from astropy.io import fits
import sunpy.map

bench, frame = sys.argv[1], sys.argv[2]
warnings.simplefilter("ignore")


def aiapy_register(m):
    k = (m.scale[0] / 0.6).round()
    target = k * 0.6 if (k != 1.0 * u.arcsec / u.pix and m.data.shape != (4096, 4096)) \
        else 0.6 * u.arcsec / u.pix
    s = (m.scale[0] / target).decompose().value
    tmp = m.rotate(recenter=True, scale=s, order=3, missing=np.nanmin(m.data))
    center = np.floor(tmp.meta["crpix1"])
    half = m.data.shape[0] / 2
    return tmp.submap([center - half, center - half] * u.pix,
                      top_right=[center + half - 1, center + half - 1] * u.pix)


with fits.open(frame) as h:
    hdu = h[1] if h[0].data is None else h[0]
    m = sunpy.map.Map(hdu.data.astype(np.float32), hdu.header)
times = []
for _ in range(3):
    t0 = time.perf_counter()
    aiapy_register(m)
    times.append(time.perf_counter() - t0)
ref = statistics.median(times)
ours = float(subprocess.run([bench, "--register-median"], check=True, capture_output=True,
                            text=True).stdout)
print(f"aiapy register (sunpy {sunpy.__version__} rotate + submap, scipy, one core): "
      f"median {ref * 1e3:.0f} ms of 3")
print(f"aiaprep register (workspace reused, all cores): median {ours * 1e3:.1f} ms of 9")
print(f"speed-up, measured side by side: {ref / ours:.0f}x")
