"""Check with Debian's astropy and sunpy that the files aiaprep writes open as
AIA maps with the right shape, dtype, pixel values and WCS.
Usage: test_astropy.py DIR (made by write_samples)."""
import json
import math
import sys
import warnings

import astropy
import numpy as np
from astropy.io import fits
from astropy.wcs import WCS
import sunpy.map

from checks import check, finish

d = sys.argv[1]
exp = json.load(open(f"{d}/expected.json"))
# name: (dtype astropy gives, rounds to integers, lossy tolerance, compressed)
kinds = {
    "auto.fits": (np.int16, True, 0, True),
    "int32_rice.fits": (np.int32, True, 0, True),
    "float32.fits": (np.float32, False, 0, False),
    "float64.fits": (np.float64, False, 0, False),
    "float32_gzip2.fits": (np.float32, False, 0, True),
    "float32_rice.fits": (np.float32, False, 5.0, True),  # q=4: step ~ noise/4 ~ 4 DN
}

# astropy < 5.3 ignores ZBLANK in quantised float tiles (astropy issue 11212):
# NaN pixels of a Rice-quantised float file read as numbers there. The files
# follow the tiled-compression convention; cfitsio, funpack and astropy >= 5.3
# read them right (tests/test_fits_roundtrip checks it with cfitsio).
ZBLANK_OK = tuple(int(x) for x in astropy.__version__.split(".")[:2]) >= (5, 3)
if not ZBLANK_OK:
    print(f"note: astropy {astropy.__version__} < 5.3 ignores ZBLANK: NaN pixels of the "
          "Rice-quantised float file are not checked here")


def image_hdu(hdul):
    return next(h for h in hdul if h.data is not None)


def half_away(v):
    return math.floor(v + 0.5) if v >= 0 else -math.floor(-v + 0.5)


warnings.simplefilter("ignore")
for name, (dtype, integer, tol, compressed) in kinds.items():
    path = f"{d}/{name}"
    with fits.open(path) as hdul:
        hdu = image_hdu(hdul)
        data = hdu.data
        check(data.shape == (256, 256), f"{name}: shape {data.shape}")
        check(data.dtype.type == dtype, f"{name}: dtype {data.dtype}, expected {np.dtype(dtype)}")
        blank = hdu.header.get("BLANK")
        for y, x, v in exp["pixels"]:
            got = data[y, x]
            if v is None and name == "float32_rice.fits" and not ZBLANK_OK:
                continue  # see ZBLANK_OK
            if v is None:
                ok = got == blank if integer else np.isnan(got)
            elif integer:
                ok = got == half_away(v)
            else:
                ok = abs(float(got) - v) <= tol
            check(ok, f"{name}: pixel [{y},{x}] = {got}, expected {v}")
        h = hdu.header
        check(h["CTYPE1"] == "HPLN-TAN" and h["CTYPE2"] == "HPLT-TAN", f"{name}: CTYPE")
        check(h["CRPIX1"] == exp["crpix"][0] and h["CRPIX2"] == exp["crpix"][1], f"{name}: CRPIX")
        check(h["CDELT1"] == exp["cdelt"][0], f"{name}: CDELT1")
        w = WCS(h)
        lon, lat = w.wcs_pix2world([[exp["crpix"][0] - 1, exp["crpix"][1] - 1]], 0)[0]
        check(abs(lon) < 1e-9 and abs(lat) < 1e-9, f"{name}: Sun centre at CRPIX ({lon}, {lat})")
        if compressed:  # JSOC layout: empty primary, compressed image in HDU 1
            check(len(hdul) == 2 and isinstance(hdul[1], fits.CompImageHDU), f"{name}: HDU layout")
        else:
            check(len(hdul) == 1 and hdul[0].data is not None, f"{name}: HDU layout")
    m = sunpy.map.Map(path)
    check(type(m).__name__ == "AIAMap", f"{name}: sunpy map type {type(m).__name__}")
    check(m.wavelength.value == 171, f"{name}: wavelength {m.wavelength}")
    check(abs(m.scale.axis1.value - exp["cdelt"][0]) < 1e-12, f"{name}: scale {m.scale}")
    check(abs(m.reference_pixel.x.value - (exp["crpix"][0] - 1)) < 1e-9, f"{name}: reference pixel")
    rot = m.rotation_matrix
    rho = math.radians(exp["crota2"])
    check(abs(rot[0, 0] - math.cos(rho)) < 1e-12 and abs(rot[1, 0] - math.sin(rho)) < 1e-12,
          f"{name}: rotation matrix {rot}")
    check(m.data.shape == (256, 256), f"{name}: map shape")

finish("test_astropy")
