"""The frames users have, with sunpy (Debian's 4.1) as the judge:

1. sunpy's 128 px test frame resampled to 4096² (aiapy's aia_171_map
   fixture; CRVAL (-4.5", 2.9")) against aiapy's register restated with the
   sunpy calls it makes: shape (4094, 4094), crpix = shape/2 + 0.5, pixels;
2. a frame with CRVAL = (10", -5") and CRPIX moved to match, likewise;
3. --missing nan and --missing VALUE against sunpy's rotate with them;
4. --scale 1.2 against sunpy's rotate at that scale;
5. the real JSOC cutouts (171 A, 1600 A): registered as cutouts, and the
   world coordinates of bright features in the output agree with those of
   the same features in the input (sunpy's WCS of each file).

Usage: test_register_frames.py AIAPREP SHARED DIR"""
import os
import subprocess
import sys
import warnings

import astropy.units as u
import numpy as np
from astropy.coordinates import SkyCoord
from astropy.io import fits
import scipy.ndimage as ndi
import sunpy.map

from checks import check, finish

aiaprep, shared, work = sys.argv[1], sys.argv[2], sys.argv[3]
warnings.simplefilter("ignore")
real = f"{shared}/data/real"


def aiapy_register(m, missing=None, order=3):
    """aiapy.calibrate.register (aiapy-reference.md §2.1)."""
    k = (m.scale[0] / 0.6).round()
    if k != 1.0 * u.arcsec / u.pix and m.data.shape != (4096, 4096):
        target = k * 0.6
    else:
        target = 0.6 * u.arcsec / u.pix
    s = (m.scale[0] / target).decompose().value
    missing = np.nanmin(m.data) if missing is None else missing
    tmp = m.rotate(recenter=True, scale=s, order=order, missing=missing)
    center = np.floor(tmp.meta["crpix1"])
    half = m.data.shape[0] / 2
    return tmp.submap([center - half, center - half] * u.pix,
                      top_right=[center + half - 1, center + half - 1] * u.pix)


def prep(path, outdir, *options):
    subprocess.run([aiaprep, "prep", "-q", "--dtype", "float32", "-o", outdir, *options, path], check=True)
    name = os.path.basename(path).replace("lev1", "lev1.5")
    if "lev1.5" not in name:
        name = name.replace(".fits", "_lev1.5.fits")
    return fits.open(f"{outdir}/{name}")[0]


def compare(what, ours, ref_data, ref_meta=None, tol=2e-6):
    check(ours.data.shape == ref_data.shape, f"{what}: shape {ours.data.shape} vs {ref_data.shape}")
    if ours.data.shape != ref_data.shape:
        return
    if ref_meta is not None:
        for key in ("crpix1", "crpix2", "cdelt1", "cdelt2", "crval1", "crval2"):
            check(abs(ours.header[key] - ref_meta[key]) < 1e-9,
                  f"{what}: {key} {ours.header[key]} vs {ref_meta[key]}")
    nan_ours, nan_ref = np.isnan(ours.data), np.isnan(ref_data)
    check((nan_ours == nan_ref).all(), f"{what}: NaN pattern ({nan_ours.sum()} vs {nan_ref.sum()} NaN)")
    both = ~nan_ours & ~nan_ref
    r = ref_data[both].astype(float)
    worst = np.max(np.abs(ours.data[both] - r)) / (r.max() - r.min())
    check(worst <= tol, f"{what}: max |diff| = {worst:.3g} x range")
    print(f"  {what}: {ours.data.shape}, {nan_ref.sum()} NaN, max |diff| {worst:.2g} x range")


# ---- 1. sunpy's test frame at 4096² (CRVAL != 0) -------------------------
small = sunpy.map.Map(f"{real}/aia_lev1_171a_2011_02_15_128px.fits")
big = small.resample((4096, 4096) * u.pix)
big_path = f"{work}/aia_lev1_171a_2011_02_15_4096.fits"
big.save(big_path, overwrite=True)
m = sunpy.map.Map(big_path)
ref = aiapy_register(m)
check(ref.data.shape == (4094, 4094), f"aiapy's own result: {ref.data.shape}")
ours = prep(big_path, f"{work}/o1", "--grid", "aiapy")
check(abs(ours.header["crpix1"] - (ours.data.shape[1] / 2 + 0.5)) < 1e-12, "crpix = shape/2 + 0.5")
compare("sunpy test frame 4096^2 (CRVAL -4.5, 2.9)", ours, ref.data, ref.meta)
full = prep(big_path, f"{work}/o1f")
check(full.data.shape == (4096, 4096) and full.header["crpix1"] == 2048.5, "the 4096 grid of it")
check(np.array_equal(full.data[1:-1, 1:-1], ours.data, equal_nan=True), "4096 and aiapy grids overlap exactly")

# ---- 2. CRVAL (10", -5") with CRPIX moved to match -------------------------
synth = f"{work}/synth.fits"
subprocess.run([aiaprep, "synth", "-o", synth, "--size", "1024", "--roll", "0.7", "--dtype", "float32",
                "--seed", "9"], check=True, stdout=subprocess.DEVNULL)
with fits.open(synth) as h:
    data, header = h[0].data.copy(), h[0].header.copy()
m0 = sunpy.map.Map(data, header)
ref_pix = m0.wcs.world_to_pixel(SkyCoord(10 * u.arcsec, -5 * u.arcsec, frame=m0.coordinate_frame))
header["CRVAL1"], header["CRVAL2"] = 10.0, -5.0
header["CRPIX1"], header["CRPIX2"] = float(ref_pix[0]) + 1, float(ref_pix[1]) + 1
moved = f"{work}/aia_lev1_crval.fits"
fits.PrimaryHDU(data, header).writeto(moved, overwrite=True, checksum=True)  # the edited header: new sums
m1 = sunpy.map.Map(moved)
sun0 = m0.wcs.world_to_pixel(SkyCoord(0 * u.arcsec, 0 * u.arcsec, frame=m0.coordinate_frame))
sun1 = m1.wcs.world_to_pixel(SkyCoord(0 * u.arcsec, 0 * u.arcsec, frame=m1.coordinate_frame))
check(np.hypot(sun0[0] - sun1[0], sun0[1] - sun1[1]) < 1e-6, "the moved header describes the same sky")
ours = prep(moved, f"{work}/o2", "--grid", "aiapy")
compare("CRVAL (10, -5)", ours, aiapy_register(m1).data, aiapy_register(m1).meta)
om = sunpy.map.Map(ours.data, ours.header)
sun_out = om.wcs.world_to_pixel(SkyCoord(0 * u.arcsec, 0 * u.arcsec, frame=om.coordinate_frame))
c, step = (ours.data.shape[1] - 1) / 2, ours.header["cdelt1"]  # 2.4"/px: a 1024 px frame
check(abs(sun_out[0] - (c - 10 / step)) < 1e-6 and abs(sun_out[1] - (c + 5 / step)) < 1e-6,
      f"the Sun centre in the output: {sun_out}, CRVAL at the centre {c}")

# ---- 3. --missing nan / VALUE (a rolled 512 px frame with NaN pixels) -------
rolled = f"{work}/aia_lev1_rolled.fits"
subprocess.run([aiaprep, "synth", "-o", rolled, "--size", "512", "--roll", "1.3", "--dtype", "float32",
                "--scale", str(4.8 * 1.0013), "--center", "258.3,251.7", "--seed", "5"], check=True,
               stdout=subprocess.DEVNULL)
with fits.open(rolled) as h:
    data, header = h[0].data.copy(), h[0].header
data[200, 300] = data[3, 250] = np.nan
fits.PrimaryHDU(data, header).writeto(rolled, overwrite=True, checksum=True)
mr = sunpy.map.Map(rolled)
for order in (1, 3):
    for missing, option in ((np.nan, "nan"), (-50.0, "-50"), (123.5, "123.5")):
        ours = prep(rolled, f"{work}/o3_{order}_{option}", "--grid", "aiapy", "--order", str(order),
                    "--missing", option)
        compare(f"--missing {option}, order {order}", ours, aiapy_register(mr, missing, order).data)

# ---- 4. --scale 1.2 (the 4096 grid's field of view: 2048²) ---------------
sm = sunpy.map.Map(big_path)
s = sm.scale[0].value / 1.2
tmp = sm.rotate(recenter=True, scale=s, order=3, missing=np.nanmin(sm.data))
ours = prep(big_path, f"{work}/o4", "--scale", "1.2")
check(ours.data.shape == (2048, 2048), f"--scale 1.2: {ours.data.shape}")
check(abs(ours.header["cdelt1"] - 1.2) < 1e-12 and ours.header["crpix1"] == 1024.5, "--scale 1.2: header")
lo = int(round(tmp.meta["crpix1"] - 1 - 1023.5))
compare("--scale 1.2", ours, tmp.data[lo:lo + 2048, lo:lo + 2048])


# ---- 5. the real JSOC cutouts: world coordinates at features -------------
def features(data, n=12, box=15):
    """Bright compact features: maxima of the smoothed image, at least box
    apart, away from the edges; their centroids (x, y) in the box."""
    d = np.nan_to_num(data.astype(float), nan=np.nanmedian(data))
    sm = ndi.gaussian_filter(d, 1.5)
    peaks = (sm == ndi.maximum_filter(sm, size=box)) & (sm > np.percentile(sm, 99))
    ys, xs = np.nonzero(peaks)
    order = np.argsort(sm[ys, xs])[::-1]
    out = []
    for y, x in zip(ys[order], xs[order]):
        if box < x < d.shape[1] - box and box < y < d.shape[0] - box:
            out.append((x, y))
        if len(out) == n:
            break
    return out


def centroid(data, x, y, r=7, sigma=2.0):
    """The windowed centroid (a Gaussian window moved onto the centroid until
    it stays): where it lands does not depend on where it started, so it
    can be compared between two samplings of the same feature."""
    d = np.nan_to_num(data.astype(float))
    for _ in range(50):
        x0, y0 = int(round(x)), int(round(y))
        sub = d[y0 - r:y0 + r + 1, x0 - r:x0 + r + 1]
        sub = sub - np.median(sub)
        yy, xx = np.mgrid[y0 - r:y0 + r + 1, x0 - r:x0 + r + 1]
        w = np.exp(-((xx - x) ** 2 + (yy - y) ** 2) / (2 * sigma ** 2)) * sub
        nx, ny = np.sum(w * xx) / np.sum(w), np.sum(w * yy) / np.sum(w)
        if abs(nx - x) < 1e-6 and abs(ny - y) < 1e-6:
            break
        x, y = nx, ny
    return x, y


for name, ccd in (("aia_lev1_171a_2013_03_10_cutout.fits", (1925, 1277)),
                  ("aia_lev1_1600a_2012_06_06_cutout.fits", (2921, 2621))):
    path = f"{real}/{name}"
    with fits.open(path) as f:  # the 1600 A header has a card astropy wants fixed first
        f.verify("silentfix")
        mi = sunpy.map.Map(f[1].data, f[1].header)
    ours = prep(path, f"{work}/o5", "--quality", "ignore")
    ours.verify("silentfix")
    mo = sunpy.map.Map(ours.data, ours.header)
    h = ours.header
    check(h.get("GRID_NX") == 4096 and h.get("GRID_NY") == 4096 and 0 <= h["GRID_X0"] <= 4096 - h["NAXIS1"],
          f"{name}: GRID_* keys")
    check(abs(h["cdelt1"] - 0.6) < 1e-12 and abs(h["PC1_2"]) < 1e-12, f"{name}: north up at 0.6 arcsec/px")
    # the Sun centre of the full level-1.5 grid: CRPIX + GRID origin = 2048.5
    check(abs(h["crpix1"] + h["GRID_X0"] - 2048.5) < 1e-9 and abs(h["crpix2"] + h["GRID_Y0"] - 2048.5) < 1e-9,
          f"{name}: CRPIX {h['crpix1']}, {h['crpix2']} with GRID_X0/Y0 {h['GRID_X0']}, {h['GRID_Y0']}")
    worst, n = 0.0, 0
    for x, y in features(mi.data):
        cx, cy = centroid(mi.data, x, y)
        world = mi.pixel_to_world(cx * u.pix, cy * u.pix)
        px, py = mo.world_to_pixel(world)
        px, py = float(px.value), float(py.value)
        if not (6 < px < ours.data.shape[1] - 6 and 6 < py < ours.data.shape[0] - 6):
            continue
        ox, oy = centroid(ours.data, px, py)
        worst = max(worst, np.hypot(ox - px, oy - py))
        n += 1
    check(n >= 6, f"{name}: {n} features compared")
    check(worst < 0.1, f"{name}: features {worst:.3f} px from where the input's WCS puts them")
    print(f"  {name}: cutout at CCD {ccd}: {n} features within {worst:.3f} px of the input's world coordinates")

finish("test_register_frames")
