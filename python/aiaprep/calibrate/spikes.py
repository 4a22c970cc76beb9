"""aiapy.calibrate.respike on sunpy maps: the pixels JSOC's cosmic-ray
removal replaced, put back from a local spikes file or from (coordinates,
values) as aiapy's fetch_spikes gives them."""
import copy
import warnings

import astropy.units as u
import numpy as np
from astropy.io import fits
from astropy.wcs.utils import pixel_to_pixel
from sunpy.map.mapbase import PixelPair
from sunpy.map.sources.sdo import AIAMap

from .._dropin import is_path, require
from ..utils import AiaprepUserWarning

__all__ = ["respike", "spikes_from_file"]

_FRAME = (4096, 4096)


def spikes_from_file(smap, path):
    """(coordinates, values) of a JSOC spikes file (a 2 x N array: flat
    indices into the full 4096 x 4096 frame, then the original values) in
    smap's pixels; for a cutout, only the spikes inside it (through the
    full frame's WCS, as aiapy's fetch_spikes)."""
    spikes = fits.getdata(path).astype(np.int32)
    if spikes.ndim != 2 or spikes.shape[0] != 2:
        raise ValueError(f"{path}: not a spikes file (expected a 2 x N array, got {spikes.shape})")
    values = spikes[1, :]
    y, x = np.unravel_index(spikes[0, :], shape=_FRAME)
    if tuple(smap.data.shape) != _FRAME:
        full = copy.deepcopy(smap.wcs)
        full.wcs.crval = np.array([0.0, 0.0])
        full.wcs.crpix = np.array([smap.meta["x0_mp"], smap.meta["y0_mp"]]) + 1
        x, y = pixel_to_pixel(full, smap.wcs, x, y)
        inside = (x >= 0) & (y >= 0) & (x < smap.data.shape[1]) & (y < smap.data.shape[0])
        x, y, values = x[inside], y[inside], values[inside]
    return PixelPair(x * u.pixel, y * u.pixel), values


def respike(smap, *, spikes=None):
    """aiapy.calibrate.respike: a level-1 AIAMap (full frame or cutout) with
    its spikes put back, at level 0.5 (LVL_NUM 0.5, NSPIKES 0, a COMMENTS
    line). spikes: the path of the frame's JSOC spikes file, or
    (coordinates, values) as aiapy's fetch_spikes returns; required
    (aiaprep never downloads)."""
    if not isinstance(smap, AIAMap):
        raise TypeError("Input must be an AIAMap.")
    if smap.meta["lvl_num"] != 1.0:
        raise ValueError("Can only apply respike procedure to level 1 data")
    nominal, tol = 0.6 * u.arcsec / u.pixel, 1e-3 * u.arcsec / u.pixel
    if not all(u.allclose(s, nominal, rtol=0, atol=tol) for s in smap.scale):
        warnings.warn(
            f"{smap.scale} is significantly different from the expected level 1 plate scale {nominal}. "
            "If this map has been interpolated in any way from the level 1 image, the spike data will "
            "likely be reinserted in the incorrect pixel positions.", AiaprepUserWarning, stacklevel=2)
    if smap.meta["nspikes"] == 0:
        raise ValueError("No spikes were present in the level 0 data.")
    require(spikes, "spikes", "the frame's JSOC spikes file",
            "aiapy.calibrate.fetch_spikes(smap) (as (coordinates, values))")
    coords, values = spikes_from_file(smap, spikes) if is_path(spikes) else spikes
    data = np.copy(smap.data)
    data[coords.y.value.round().astype(int), coords.x.value.round().astype(int)] = values
    meta = copy.deepcopy(smap.meta)
    meta["lvl_num"] = 0.5
    meta["comments"] = f"Respike applied; {values.shape[0]} hot pixels reinserted."
    meta["nspikes"] = 0
    return smap._new_instance(data, meta, plot_settings=smap.plot_settings)
