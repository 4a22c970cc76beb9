"""Registration against sunpy itself (Debian's sunpy 4.1 + scipy 1.10, the
versions aiapy's reference outputs were made with), for what the shared
reference does not cover: spline orders 0-5, NaN pixels, sunpy's unpadding.

aiapy is not packaged by Debian, so its register (aiapy-reference.md §2.1) is
restated here with the sunpy calls it makes: rotate(recenter=True, scale,
order, missing=nanmin) then the submap crop.
Usage: test_register_sunpy.py AIAPREP DIR"""
import subprocess
import sys
import warnings

import astropy.units as u
import numpy as np
from astropy.io import fits
import sunpy.map

from checks import check, finish

aiaprep, work = sys.argv[1], sys.argv[2]
warnings.simplefilter("ignore")


def aiapy_register(m, order):
    k = (m.scale[0] / 0.6).round()
    if k != 1.0 * u.arcsec / u.pix and m.data.shape != (4096, 4096):
        target = k * 0.6
    else:
        target = 0.6 * u.arcsec / u.pix
    s = (m.scale[0] / target).decompose().value
    tmp = m.rotate(recenter=True, scale=s, order=order, missing=np.nanmin(m.data))
    center = np.floor(tmp.meta["crpix1"])
    half = m.data.shape[0] / 2
    return tmp.submap([center - half, center - half] * u.pix,
                      top_right=[center + half - 1, center + half - 1] * u.pix)


def frame(name, size, roll, scale, centre, nans):
    """A synthetic float32 level-1 frame with NaN pixels planted in it."""
    path = f"{work}/{name}.fits"
    subprocess.run([aiaprep, "synth", "-o", path, "--size", str(size), "--roll", str(roll),
                    "--scale", str(scale), "--center", centre, "--dtype", "float32",
                    "--seed", "5"], check=True, stdout=subprocess.DEVNULL)
    with fits.open(path) as h:
        data, header = h[0].data.copy(), h[0].header
    for y, x in nans:
        data[y, x] = np.nan
    # new checksums: the old ones no longer describe the data, and aiaprep
    # verifies them
    fits.PrimaryHDU(data, header).writeto(path, overwrite=True, checksum=True)
    return path


cases = [  # name, size, roll, scale (target 4.8), centre, NaN pixels
    ("rolled", 512, 1.3, 4.8 * 1.0013, "258.3,251.7",
     [(200, 300), (201, 300), (400, 100), (3, 250), (250, 508)]),
    ("unpadded", 512, 0.05, 4.8 * 0.991, "254.2,257.9", [(256, 256)]),
]
for name, size, roll, scale, centre, nans in cases:
    path = frame(name, size, roll, scale, centre, nans)
    m = sunpy.map.Map(path)
    for order in range(6):
        outdir = f"{work}/out_{name}_{order}"
        subprocess.run([aiaprep, "prep", "-q", "--grid", "aiapy", "--dtype", "float32",
                        "--order", str(order), "-o", outdir, path], check=True)
        ours = fits.open(f"{outdir}/{name}_lev1.5.fits")[0]
        ref = aiapy_register(m, order)
        what = f"{name} order {order}"
        check(ours.data.shape == ref.data.shape, f"{what}: shape {ours.data.shape} vs {ref.data.shape}")
        if ours.data.shape != ref.data.shape:
            continue
        for key in ("crpix1", "crpix2", "cdelt1", "cdelt2"):
            check(abs(ours.header[key] - ref.meta[key]) < 1e-9, f"{what}: {key}")
        nan_ours, nan_ref = np.isnan(ours.data), np.isnan(ref.data)
        check((nan_ours == nan_ref).all(),
              f"{what}: NaN pattern differs ({nan_ours.sum()} vs {nan_ref.sum()} NaN)")
        both = ~nan_ours & ~nan_ref
        r = ref.data[both].astype(float)
        worst = np.max(np.abs(ours.data[both] - r)) / (r.max() - r.min())
        check(worst <= 2e-6, f"{what}: max |diff| = {worst:.3g} x range")
        print(f"  {what}: {ours.data.shape[0]}^2, {nan_ref.sum()} NaN, max |diff| {worst:.2g} x range")

finish("test_register_sunpy")
