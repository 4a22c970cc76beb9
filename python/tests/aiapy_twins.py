"""aiapy 0.12's register and deconvolve restated with the sunpy and numpy
calls they make (Debian packages no aiapy; aiapy-reference.md §2.1 and §6).
The tests and bench/bench_python.py compare aiaprep with these."""
import astropy.units as u
import numpy as np


def register(smap, order=3, missing=None):
    """aiapy.calibrate.register: sunpy's rotate (recenter, scale to
    0.6"/px, missing = the image minimum unless given), the crop, the
    header keys."""
    if (smap.scale[0] / 0.6).round() != 1.0 * u.arcsec / u.pix and smap.data.shape != (4096, 4096):
        scale = (smap.scale[0] / 0.6).round() * 0.6 * u.arcsec
    else:
        scale = 0.6 * u.arcsec
    tmp = smap.rotate(recenter=True, scale=(smap.scale[0] / scale).value, order=order,
                      missing=smap.min() if missing is None else missing, method="scipy")
    center = np.floor(tmp.meta["crpix1"])
    side = (center + np.array([-1, 1]) * smap.data.shape[0] / 2) * u.pix
    out = tmp.submap(u.Quantity([side[0], side[0]]), top_right=u.Quantity([side[1], side[1]]) - 1 * u.pix)
    out.meta["r_sun"] = out.meta["rsun_obs"] / out.meta["cdelt1"]
    out.meta["lvl_num"] = 1.5
    out.meta["bitpix"] = -64
    return out


def richardson_lucy(img, psf, iterations=25, clip_negative=True):
    """aiapy.psf.deconvolve's numpy loop (numpy 1.x: double FFTs)."""
    if clip_negative:
        img = np.where(img < 0, 0, img)
    h = np.fft.rfft2(np.fft.fftshift(psf))
    hc = np.conj(h)
    current = img
    for _ in range(iterations):
        est = np.fft.irfft2(np.fft.rfft2(current) * h)
        current = current * np.fft.irfft2(np.fft.rfft2(img / est) * hc)
    return current
