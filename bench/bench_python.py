"""The Python drop-in side by side with aiapy, in one run, on the same
in-memory map (a 4096 x 4096 level-1 frame read as float32, as aiapy's
reference outputs were made): aiaprep.calibrate.register against aiapy's
register (restated with the sunpy calls it makes: Debian has no aiapy), and
aiaprep.psf.deconvolve against aiapy's numpy Richardson-Lucy loop with the
same PSF; and the Python overhead over the library call (the plan's execute
with its output allocated once).
Usage: bench_python.py FRAME [--deconvolve-runs N]"""
import argparse
import os
import statistics
import sys
import time
import warnings

import numpy as np
from astropy.io import fits

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python", "tests"))
import aiapy_twins  # noqa: E402
import sunpy.map  # noqa: E402

import aiaprep  # noqa: E402
from aiaprep.calibrate import register  # noqa: E402
from aiaprep.psf import deconvolve  # noqa: E402

warnings.simplefilter("ignore")


def median_seconds(f, runs):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


args = argparse.ArgumentParser()
args.add_argument("frame")
args.add_argument("--deconvolve-runs", type=int, default=1)
a = args.parse_args()
with fits.open(a.frame) as h:
    hdu = h[1] if h[0].data is None else h[0]
    smap = sunpy.map.Map(hdu.data.astype(np.float32), hdu.header)
print(f"aiaprep bench_python: {a.frame}, {smap.data.shape[1]} x {smap.data.shape[0]} float32, "
      f"{os.cpu_count()} cores, kernels {aiaprep.kernels()}, sunpy {sunpy.__version__}")

# ---- register --------------------------------------------------------------
register(smap)  # first call: the coordinate machinery of sunpy/astropy warms up
ours = median_seconds(lambda: register(smap), 7)
theirs = median_seconds(lambda: aiapy_twins.register(smap), 3)
plan = aiaprep.RegisterPlan(dict(smap.meta), smap.data.shape, grid="aiapy")
out = np.empty(plan.shape, np.float32)
c_call = median_seconds(lambda: plan.execute(smap.data, out), 7)
print(f"register: aiapy (sunpy rotate + submap, scipy, one core) median {theirs * 1e3:.0f} ms of 3; "
      f"aiaprep.calibrate.register median {ours * 1e3:.0f} ms of 7: {theirs / ours:.1f}x")
print(f"  the library call alone (RegisterPlan.execute, output reused) {c_call * 1e3:.0f} ms: Python "
      f"overhead {(ours - c_call) * 1e3:.0f} ms ({(ours - c_call) / ours * 100:.0f}% of the call: the meta, "
      "the plan, the output map)")

# ---- deconvolve -------------------------------------------------------------
psf = aiaprep.psf_array(171)
runs = a.deconvolve_runs
theirs = median_seconds(lambda: aiapy_twins.richardson_lucy(smap.data, psf), runs)
print(f"deconvolve, 25 iterations: aiapy (numpy RL loop, float64 FFTs) median {theirs:.1f} s of {runs}")
for precision in ("single", "double"):
    given = median_seconds(lambda: deconvolve(smap, psf=psf, precision=precision), runs)
    deconvolve(smap, precision=precision)  # the channel's plan, kept for the next call
    kept = median_seconds(lambda: deconvolve(smap, precision=precision), runs)
    dplan = aiaprep.DeconvolutionPlan(channel=171, precision=precision)
    dout = np.empty(smap.data.shape, np.float64)
    c_call = median_seconds(lambda: dplan.execute(smap.data, dout), runs)
    print(f"  aiaprep.psf.deconvolve precision={precision}: psf given {given:.2f} s ({theirs / given:.1f}x), "
          f"psf=None (plan kept) {kept:.2f} s ({theirs / kept:.1f}x); the library call alone {c_call:.2f} s, "
          f"Python overhead {(kept - c_call) * 1e3:.0f} ms")
