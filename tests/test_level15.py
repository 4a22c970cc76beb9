"""The level-1.5 files aiaprep prep writes, as downstream tools see them:
fitsverify (or astropy's verify and checksums) finds no error; sunpy makes
AIA maps with a unit (BUNIT it parses), the WCS of the header and XCEN/YCEN
at the image centre; every image HDU's statistics keys are numpy's on its
data; HISTORY has one card per step and the options card, no paths; the
UNCERTAINTY HDU says what it is; the default integer output differs from
the float one by its rounding only (1/16 DN for a JSOC synoptic input).
Usage: test_level15.py DIR (made by test_level15.sh; DIR/files.json lists
the outputs)."""
import json
import math
import os
import shutil
import subprocess
import sys
import warnings

import astropy.units as u
import numpy as np
from astropy.io import fits
import sunpy.map

from checks import check, finish

d = sys.argv[1]
files = json.load(open(os.path.join(d, "files.json")))
warnings.simplefilter("ignore")
FITSVERIFY = shutil.which("fitsverify")
if not FITSVERIFY:
    print("note: no fitsverify (apt-get install fitsverify): astropy's verify and checksums instead")
PCT = [1, 10, 25, 75, 90, 95, 98, 99]


def image_hdus(hdul):
    return [h for h in hdul if h.data is not None and h.header.get("NAXIS", 0) == 2]


def values(hdu):
    """The physical values astropy reads, BLANK/NaN as NaN, float64."""
    v = np.asarray(hdu.data, dtype=np.float64)
    blank = hdu.header.get("BLANK")
    if hdu.data.dtype.kind in "iu" and blank is not None:
        v[hdu.data == blank] = np.nan
    return v


def check_stats(name, hdu, quantised):
    """DATAMIN ... against numpy, with the definitions of pixel_stats.h:
    exactly for what is stored as it was computed; for a Rice-quantised
    float HDU (lossy, ZQUANTIZ) the keys describe the values before the
    quantisation, so they agree with numpy to within its step (the header
    says so in a COMMENT)."""
    h, v = hdu.header, values(hdu)
    f = np.sort(v[np.isfinite(v)])
    n = f.size
    check(h["DATAVALS"] == n and h["MISSVALS"] == v.size - n, f"{name}: DATAVALS/MISSVALS {h['DATAVALS']} {h['MISSVALS']}")
    if not n:
        return
    mean = f.mean(dtype=np.float64)
    rms = f.std(ddof=1, dtype=np.float64)
    skew = ((f - mean) ** 3).sum() / (n * rms ** 3)
    kurt = ((f - mean) ** 4).sum() / (n * rms ** 4) - 3.0
    if quantised:
        step = 0.1 * rms  # q = 16: a step of (tile noise)/16, well below this
        check(any("before" in str(c) and "quantis" in str(c) for c in h.get("COMMENT", [])),
              f"{name}: the header does not say its statistics are of the values before quantisation")
        for key, want in [("DATAMIN", f[0]), ("DATAMAX", f[-1]), ("DATAMEDN", f[n // 2]), ("DATAMEAN", mean)]:
            check(abs(h[key] - want) <= step, f"{name}: {key} {h[key]}, numpy {want} (step {step})")
        check(math.isclose(h["DATARMS"], rms, rel_tol=1e-2), f"{name}: DATARMS {h['DATARMS']}, numpy {rms}")
        return
    check(h["DATAMIN"] == f[0] and h["DATAMAX"] == f[-1], f"{name}: DATAMIN/MAX {h['DATAMIN']} {h['DATAMAX']}, numpy {f[0]} {f[-1]}")
    check(h["DATAMEDN"] == f[n // 2], f"{name}: DATAMEDN {h['DATAMEDN']}, numpy {f[n // 2]}")
    for key, want in [("DATAMEAN", mean), ("DATARMS", rms), ("DATASKEW", skew), ("DATAKURT", kurt)]:
        check(math.isclose(h[key], want, rel_tol=1e-9), f"{name}: {key} {h[key]}, numpy {want}")
    for p in PCT:
        key = f"DATAP{p:02d}"
        if key in h:
            check(h[key] == f[p * n // 100], f"{name}: {key} {h[key]}, numpy {f[p * n // 100]}")


def check_verify(name, path):
    if FITSVERIFY:
        r = subprocess.run([FITSVERIFY, "-e", "-q", path], capture_output=True, text=True)
        check(r.returncode == 0 and "verification OK" in r.stdout, f"{name}: fitsverify: {r.stdout.strip()}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with fits.open(path, checksum=True) as hdul:
            try:
                hdul.verify("exception")
                ok = True
            except Exception as e:  # noqa: BLE001 - report whatever astropy found
                ok = False
                print(e, file=sys.stderr)
            check(ok, f"{name}: astropy verify")
            for h in hdul:
                _ = h.data  # checksums are verified as the data are read
    bad = [str(w.message) for w in caught if "checksum" in str(w.message).lower()]
    check(not bad, f"{name}: checksums: {bad}")


def check_header(name, h, tmpdir, level):
    check(h["LVL_NUM"] == level, f"{name}: LVL_NUM {h['LVL_NUM']}")
    check("PIXLUNIT" not in h, f"{name}: PIXLUNIT beside BUNIT")
    check(h["BUNIT"] in ("DN", "DN/s"), f"{name}: BUNIT {h['BUNIT']!r}")
    hist = [str(c) for c in h.get("HISTORY", [])]
    ours = [c for c in hist if c.startswith("aiaprep ") or c.startswith("    ")]
    check(any(" register: " in c for c in ours), f"{name}: no register HISTORY card")
    check(any(" options: --grid " in c for c in ours), f"{name}: no options HISTORY card")
    check(not any(tmpdir in c for c in ours), f"{name}: a path in HISTORY")
    # XCEN/YCEN: IDL's comp_fits_cen
    for ax, key in ((1, "XCEN"), (2, "YCEN")):
        want = h.get(f"CRVAL{ax}", 0.0) + h[f"CDELT{ax}"] * ((h[f"NAXIS{ax}"] + 1) / 2 - h[f"CRPIX{ax}"])
        check(math.isclose(h[key], want, abs_tol=1e-9), f"{name}: {key} {h[key]}, expected {want}")
    check(any("level-1 pointing" in str(c) for c in h.get("COMMENT", [])), f"{name}: X0_MP ... not labelled")


for entry in files:
    name, path, level = entry["name"], entry["path"], entry["level"]
    check_verify(name, path)
    with fits.open(path) as hdul:
        hdus = image_hdus(hdul)
        check(len(hdus) == (2 if entry.get("uncertainty") else 1), f"{name}: {len(hdus)} image HDUs")
        for k, hdu in enumerate(hdus):
            lossy = isinstance(hdu, fits.CompImageHDU) and "ZQUANTIZ" in hdu._header
            check_stats(f"{name}[{hdu.name}]", hdu, lossy)
        image = hdus[0].header
        check_header(name, image, d, level)
        if entry.get("uncertainty"):
            eh = hdus[1].header
            check(eh["EXTNAME"] == "UNCERTAINTY", f"{name}: EXTNAME {eh.get('EXTNAME')}")
            check(eh["BUNIT"] == image["BUNIT"], f"{name}: uncertainty BUNIT {eh['BUNIT']} vs {image['BUNIT']}")
            check(any("1-sigma uncertainty" in str(c) for c in eh.get("COMMENT", [])), f"{name}: the extension says what it is")
            check(not any(" register: " in str(c) for c in eh.get("HISTORY", [])), f"{name}: the image's HISTORY repeated")
            ev = values(hdus[1])
            check(np.nanmin(ev) > 0, f"{name}: uncertainty not positive")
    maps = sunpy.map.Map(path)
    maps = maps if isinstance(maps, list) else [maps]
    check(len(maps) == (2 if entry.get("uncertainty") else 1), f"{name}: sunpy made {len(maps)} maps")
    m = maps[0]
    unit = "ct / s" if entry.get("per_second") else "ct"
    check(type(m).__name__ == "AIAMap", f"{name}: {type(m).__name__}")
    check(m.unit is not None and m.unit.to_string() == unit, f"{name}: sunpy unit {m.unit}, expected {unit}")
    for extra in maps[1:]:
        check(extra.unit is not None and extra.unit.to_string() == unit, f"{name}: uncertainty unit {extra.unit}")
        check(extra.meta.get("extname") == "UNCERTAINTY", f"{name}: second map is not the uncertainty")
    h = m.meta
    check(abs(m.reference_pixel.x.value - (h["crpix1"] - 1)) < 1e-9, f"{name}: reference pixel")
    check(np.allclose(m.rotation_matrix, np.eye(2), atol=1e-12), f"{name}: rotation {m.rotation_matrix}")
    ny, nx = m.data.shape
    c = m.pixel_to_world((nx - 1) / 2 * u.pix, (ny - 1) / 2 * u.pix)
    check(abs(c.Tx.to_value("arcsec") - h["xcen"]) < 1e-6 and abs(c.Ty.to_value("arcsec") - h["ycen"]) < 1e-6,
          f"{name}: image centre at ({c.Tx}, {c.Ty}), XCEN/YCEN ({h['xcen']}, {h['ycen']})")
    # just the image: Map(path, hdus=N) with N its HDU (1 compressed, 0 plain)
    hdu_index = 1 if entry.get("compressed") else 0
    only = sunpy.map.Map(path, hdus=hdu_index)
    check(not isinstance(only, list) and only.meta.get("extname") != "UNCERTAINTY", f"{name}: Map(path, hdus={hdu_index})")

# the integer output against the float one: rounding, and nothing else
for pair in json.load(open(os.path.join(d, "pairs.json"))):
    with fits.open(pair["int"]) as a, fits.open(pair["float"]) as b:
        ia, fb = values(image_hdus(a)[0]), values(image_hdus(b)[0])
        q = pair["quantum"]
        err = ia - fb
        finite = np.isfinite(err)
        worst = np.abs(err[finite]).max()
        rms = math.sqrt(np.mean(err[finite] ** 2))
        check(worst <= q / 2 * (1 + 1e-6), f"{pair['name']}: worst rounding {worst}, step {q}")
        check(rms <= q / math.sqrt(12) * 1.05, f"{pair['name']}: rounding rms {rms} above q/sqrt(12) = {q / math.sqrt(12)}")
        if pair.get("interpolated"):  # values off the grid: uniform rounding errors
            check(abs(rms / (q / math.sqrt(12)) - 1) < 0.05, f"{pair['name']}: rounding rms {rms}, q/sqrt(12) = {q / math.sqrt(12)}")
    if "bscale" in pair:
        with fits.open(pair["int"], do_not_scale_image_data=True) as raw:
            bscale = image_hdus(raw)[0]._header.get("BSCALE")
        check(bscale == pair["bscale"], f"{pair['name']}: BSCALE {bscale}, expected {pair['bscale']}")
    print(f"{pair['name']}: rounding error rms {rms:.4g}, worst {worst:.4g} (step {q})")

finish("test_level15")
