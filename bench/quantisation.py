"""How much each default output's storage rounds off, against the noise
the data have (aiapy's estimate_error, the UNCERTAINTY aiaprep writes).

Usage: quantisation.py AIAPREP FRAME.fits ERROR_TABLE [SYNOPTIC.fits]
Runs aiaprep prep on FRAME (a full-disk level-1 frame) with the default
output (int16, Rice), float32 and float64 (the reference), and with the
uncertainty; prints, per output, the rounding error (rms, worst) and its
ratio to the 1-sigma noise of each pixel (median over the solar disk and
over the whole image, and the fraction of pixels where it exceeds 10 % of
the noise). With SYNOPTIC (a JSOC synoptic file, 1/16 DN), the same for the
sub-DN default output."""
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np
from astropy.io import fits

warnings.simplefilter("ignore")
aiaprep, frame, table = sys.argv[1:4]
synoptic = sys.argv[4] if len(sys.argv) > 4 else None
tmp = tempfile.mkdtemp()


def prep(name, *args, src=frame):
    out = os.path.join(tmp, name)
    subprocess.run([aiaprep, "prep", "-q", "-o", out, *args, src], check=True)
    return os.path.join(out, os.listdir(out)[0])


def data(path, extname=None):
    with fits.open(path) as h:
        hdus = [x for x in h if x.data is not None]
        hdu = next(x for x in hdus if x.name == extname) if extname else hdus[0]
        v = np.asarray(hdu.data, dtype=np.float64)
        if hdu.data.dtype.kind == "i" and "BLANK" in hdu.header:
            v[hdu.data == hdu.header["BLANK"]] = np.nan
        return v, fits.Header(hdu.header)


ref, hdr = data(prep("f64", "--dtype", "float64", "--compress", "none", "--uncertainty", table))
sigma, _ = data(os.path.join(tmp, "f64", os.listdir(os.path.join(tmp, "f64"))[0]), "UNCERTAINTY")
ny, nx = ref.shape
y, x = np.mgrid[0:ny, 0:nx]
r = np.hypot(x - (hdr["CRPIX1"] - 1), y - (hdr["CRPIX2"] - 1))
disk = r < hdr["R_SUN"]
print(f"frame: {os.path.basename(frame)}, {nx} x {ny}; noise (estimate_error, DN): median {np.nanmedian(sigma[disk]):.3g} "
      f"on the disk, {np.nanmedian(sigma):.3g} over the image")
print(f"{'output':44s} {'rms':>9s} {'worst':>9s} {'err/noise disk':>14s} {'image':>8s} {'>10%':>7s}")


def report(name, value, reference, noise):
    e = value - reference
    ok = np.isfinite(e) & np.isfinite(noise) & (noise > 0)
    ratio = np.abs(e[ok]) / noise[ok]
    # the ratio of the rms error to the noise is what adds in quadrature
    rms_ratio_disk = np.sqrt(np.mean(e[ok & disk] ** 2)) / np.median(noise[ok & disk])
    rms_ratio_all = np.sqrt(np.mean(e[ok] ** 2)) / np.median(noise[ok])
    print(f"{name:44s} {np.sqrt(np.mean(e[ok] ** 2)):9.3g} {np.abs(e[ok]).max():9.3g} {rms_ratio_disk:14.3g} "
          f"{rms_ratio_all:8.3g} {np.mean(ratio > 0.1):7.2%}")


report("default (int16 Rice, 1 DN steps)", data(prep("auto"))[0], ref, sigma)
report("--dtype float32", data(prep("f32", "--dtype", "float32"))[0], ref, sigma)
with_unc = prep("auto_unc", "--uncertainty", table)
report("UNCERTAINTY HDU of the default (Rice q = 16)", data(with_unc, "UNCERTAINTY")[0], sigma, sigma)
exptime = hdr["EXPTIME"]
n64 = data(prep("n64", "--normalize", "--dtype", "float64"))[0]
report("--normalize (float32, DN/s)", data(prep("n32", "--normalize"))[0], n64, sigma / exptime)
if synoptic:
    sref, shdr = data(prep("s64", "--dtype", "float64", src=synoptic))
    with fits.open(prep("s_auto", src=synoptic), do_not_scale_image_data=True) as h:
        bscale = [x for x in h if x.data is not None][0]._header.get("BSCALE")
    sdef = data(os.path.join(tmp, "s_auto", os.listdir(os.path.join(tmp, "s_auto"))[0]))[0]
    # the synoptic file is level 1.5 already: registration leaves it as it is,
    # so the comparison is with its own 1/16 DN values
    e = sdef - sref
    print(f"synoptic default (BSCALE {bscale}): rms {np.sqrt(np.nanmean(e ** 2)):.3g} DN, worst {np.nanmax(np.abs(e)):.3g} DN "
          f"(whole DN would be 0.289 / 0.5)")
