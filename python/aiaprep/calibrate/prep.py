"""aiapy.calibrate's register, degradation, correct_degradation (and the
normalize_exposure of aiapy <= 0.7) on sunpy maps.

register's pixels come from the library (the padded frame's spline and the
affine map, in float32 as aiapy's are for float32 maps); its metadata are
computed here with the same numpy and sunpy operations that sunpy's rotate
and submap use, so that the map's meta is aiapy's key by key."""
import copy
import itertools
import warnings

import astropy.units as u
import numpy as np
from sunpy.map.sources.sdo import AIAMap, HMIMap

from .. import _lib
from .._dropin import is_path, require, validate_channel
from .._header import from_meta
from .._register import RegisterPlan
from ..errors import AiaprepError
from ..utils import AiaprepUserWarning
from .utils import LATEST_CORRECTION_VERSION, get_correction_table

__all__ = ["correct_degradation", "degradation", "normalize_exposure", "register"]

_SUNPY_METHODS = ("scipy", "scikit-image", "opencv", "cupy")


def _plan(smap, order, grid, interp, missing=None):
    """The library's plan, with the map's rotation matrix given as PCi_j so
    that the library rotates by exactly the matrix sunpy uses."""
    rm = smap.rotation_matrix
    override = {"PC1_1": rm[0, 0], "PC1_2": rm[0, 1], "PC2_1": rm[1, 0], "PC2_2": rm[1, 1],
                "NAXIS1": smap.data.shape[1], "NAXIS2": smap.data.shape[0]}
    override.update({k: None for k in ("CD1_1", "CD1_2", "CD2_1", "CD2_2", "CROTA1", "CROTA2")})
    header = from_meta(smap.meta, override)
    try:
        plan = RegisterPlan(header, smap.data.shape, order=order if order in range(6) else 3, grid=grid,
                            interp=interp, missing=missing)
    except AiaprepError as e:
        if e.status == _lib.AIA_ERR_NOT_FULL_DISK:
            raise ValueError("Input must be a full disk image.") from e
        raise
    if plan.cutout:  # aiapy registers full frames only (aiaprep.register takes cutouts)
        raise ValueError("Input must be a full disk image.")
    return plan


def _level15_meta(smap, scale_factor, grid):
    """The meta of aiapy's register result: sunpy's rotate (recenter, scale)
    then register's submap crop, step by step as sunpy computes them."""
    ny, nx = smap.data.shape
    rmatrix = smap.rotation_matrix
    inv = np.linalg.inv(rmatrix)
    corners = itertools.product([-0.5, nx - 0.5], [-0.5, ny - 0.5])
    rot = np.vstack([rmatrix @ c for c in corners]) * scale_factor
    extent = np.max(rot, axis=0) - np.min(rot, axis=0)
    diff = np.asarray(np.ceil((extent - np.flipud(smap.data.shape)) / 2), dtype=int)
    pad_x, pad_y = max(diff[0], 0), max(diff[1], 0)
    unpad_x, unpad_y = -min(diff[0], 0), -min(diff[1], 0)
    padded = (ny + 2 * pad_y, nx + 2 * pad_x)
    centre = (np.flipud(padded) - 1) / 2.0

    meta = smap.meta.copy()
    lon, lat = smap._get_lon_lat(smap.reference_coordinate.frame)
    meta["crval1"], meta["crval2"] = lon.value, lat.value
    crpix = [centre[0] + 1, centre[1] + 1]
    if unpad_x > 0:
        crpix[0] -= unpad_x
    if unpad_y > 0:
        crpix[1] -= unpad_y
    pc = np.dot(rmatrix, inv)
    meta["PC1_1"], meta["PC1_2"], meta["PC2_1"], meta["PC2_2"] = pc[0, 0], pc[0, 1], pc[1, 0], pc[1, 1]
    if scale_factor != 1.0:
        meta["cdelt1"] = (smap.scale[0] / scale_factor).value
        meta["cdelt2"] = (smap.scale[1] / scale_factor).value
    for key in ("CROTA1", "CROTA2", "CD1_1", "CD1_2", "CD2_1", "CD2_2"):
        meta.pop(key, None)

    if grid == "aiapy":  # register's crop of the rotated map, as submap does it
        rows, cols = padded[0] - 2 * unpad_y, padded[1] - 2 * unpad_x
        center = np.floor(crpix[0])
        lo, hi = center - ny / 2, center + ny / 2 - 1
        bottom = int(np.clip(np.floor(lo + 0.5), 0, rows))
        top = int(np.clip(np.ceil(hi - 0.5) + 1, 0, rows))
        left = int(np.clip(np.floor(lo + 0.5), 0, cols))
        right = int(np.clip(np.ceil(hi - 0.5) + 1, 0, cols))
        meta["crpix1"] = (crpix[0] - 1) + 1 - left
        meta["crpix2"] = (crpix[1] - 1) + 1 - bottom
        shape = (top - bottom, right - left)
    else:  # the input's shape with the Sun at its centre
        meta["crpix1"], meta["crpix2"] = crpix[0] + unpad_x - pad_x, crpix[1] + unpad_y - pad_y
        shape = (ny, nx)
    meta["naxis1"], meta["naxis2"] = shape[1], shape[0]
    return meta, shape


def _in_dtype(pixels, dtype):
    """The registered float32 pixels in the input's dtype, as scipy writes
    them (integers rounded half away from zero; native byte order, as
    scipy makes its output)."""
    dtype = np.dtype(dtype).newbyteorder("=")
    if dtype == np.float32:
        return pixels
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return np.clip(np.trunc(pixels + np.copysign(0.5, pixels)), info.min, info.max).astype(dtype)
    return pixels.astype(dtype)


def register(smap, *, missing=None, order=3, method="scipy", grid="aiapy", interp="spline"):
    """aiapy.calibrate.register: a full-disk level-1 AIAMap (or HMIMap) to a
    level 1.5 map: rotated to solar north, 0.6"/px, the Sun at the centre.

    missing: the fill value beyond the frame; None (aiapy's default) is the
    image minimum; a number, or NaN, as sunpy's rotate takes it (the value
    takes part in the clip to the input's range; NaN pads with NaN, so the
    frame's edge pixels become NaN). order: B-spline order 0-5. method:
    "scipy" (aiaprep computes scipy's spline).

    Beyond aiapy: grid="aiapy" (default: aiapy's shape, e.g. 4094 x 4094
    for CDELT < 0.6) or grid="4096" (the input's shape, CRPIX 2048.5, as
    JSOC/IDL level 1.5; where the grids overlap the pixels are identical);
    interp="cubic-convolution" (IDL's kernel) instead of "spline".

    The pixels are computed in float32 and returned in the map's dtype;
    the meta is aiapy's (CRPIX, CDELT, PCi_j, R_SUN, LVL_NUM 1.5, ...)."""
    if not isinstance(smap, (AIAMap, HMIMap)):
        raise TypeError("Input must be an AIAMap or HMIMap.")
    if str(grid) not in ("aiapy", "4096", "full"):
        raise ValueError(f"grid must be 'aiapy' or '4096', got {grid!r}")
    grid = "aiapy" if str(grid) == "aiapy" else "4096"
    if missing is not None and not np.isscalar(missing):
        raise TypeError(f"missing must be a number or None, got {missing!r}")
    plan = _plan(smap, order, grid, interp, missing)
    if smap.processing_level is None or smap.processing_level > 1:
        warnings.warn("Image registration should only be applied to level 1 data", AiaprepUserWarning,
                      stacklevel=2)
    if (smap.scale[0] / 0.6).round() != 1.0 * u.arcsec / u.pix and smap.data.shape != (4096, 4096):
        scale = (smap.scale[0] / 0.6).round() * 0.6 * u.arcsec
    else:
        scale = 0.6 * u.arcsec
    scale_factor = (smap.scale[0] / scale).value
    if order not in range(6):
        raise ValueError("Order must be between 0 and 5.")
    if method != "scipy":
        if method in _SUNPY_METHODS:
            raise NotImplementedError(f"aiaprep.calibrate.register computes scipy's B-spline "
                                      f"(method='scipy'); method={method!r} is not implemented")
        raise ValueError(f"Method {method} not in supported methods: {_SUNPY_METHODS}")
    meta, shape = _level15_meta(smap, scale_factor, grid)
    if shape != plan.shape:
        raise RuntimeError(f"aiaprep: internal error: the library's grid {plan.shape} differs from "
                           f"sunpy's {shape}")
    pixels = _in_dtype(plan.execute(smap.data), smap.data.dtype)
    newmap = smap._new_instance(pixels, meta, smap.plot_settings)
    newmap.meta["r_sun"] = newmap.meta["rsun_obs"] / newmap.meta["cdelt1"]
    newmap.meta["lvl_num"] = 1.5
    newmap.meta["bitpix"] = -64
    return newmap


# ---- degradation -------------------------------------------------------------

def _epoch_rows(channel, obstime, table, version):
    """The first (launch) row and the row of the epoch holding obstime, of
    the channel's rows of this calibration version (aiapy's selection)."""
    wave = channel.to_value(u.angstrom)
    thin = "" if wave in (1600, 1700, 4500) else "_THIN"
    rows = table[table["WAVE_STR"] == f"{wave:.0f}{thin}"]
    if wave == 4500:
        version = min(version, 3)  # 4500 was calibrated to version 3 only
    rows = rows[rows["VER_NUM"] == version]
    if len(rows) == 0:
        raise ValueError(f"Correction table does not contain calibration for {channel:0.0f} and version "
                         f"{version}.")
    inside = np.logical_and(obstime >= rows["T_START"], obstime < rows["T_STOP"])
    if not inside.any():
        raise ValueError(f"No valid calibration epoch for {obstime}")
    return rows[0], rows[np.where(inside)[0][-1]]


def _table(correction_table):
    require(correction_table, "correction_table", "the SSW response table (aia_V10_..._response_table.txt)",
            "aiapy.calibrate.utils.get_correction_table()")
    return get_correction_table(correction_table) if is_path(correction_table) else correction_table


@u.quantity_input
@validate_channel("channel")
def degradation(channel: u.angstrom, obstime, *, correction_table=None,
                calibration_version=LATEST_CORRECTION_VERSION) -> u.dimensionless_unscaled:
    """aiapy.calibrate.degradation: the effective-area ratio of the epoch
    holding obstime to launch, times the epoch's cubic in elapsed days.

    correction_table: a path to the SSW response table, or the table of
    aiapy.calibrate.utils.get_correction_table (or aiaprep's, which reads
    a file). It is required: aiaprep never downloads."""
    table = _table(correction_table)
    if obstime.shape == ():
        obstime = obstime.reshape((1,))
    ratio, poly = np.zeros(obstime.shape), np.zeros(obstime.shape)
    for i, t in enumerate(obstime):
        first, epoch = _epoch_rows(channel, t, table, calibration_version)
        dt = (t - epoch["T_START"]).to(u.day).value
        ratio[i] = epoch["EFF_AREA"] / first["EFF_AREA"]
        poly[i] = epoch["EFFA_P1"] * dt + epoch["EFFA_P2"] * dt**2 + epoch["EFFA_P3"] * dt**3 + 1.0
    return u.Quantity(poly * ratio)


def correct_degradation(smap, *, correction_table=None, calibration_version=LATEST_CORRECTION_VERSION):
    """aiapy.calibrate.correct_degradation: the map divided by its
    degradation at the map's date (sunpy's map arithmetic, as aiapy)."""
    d = degradation(smap.wavelength, smap.date, correction_table=correction_table,
                    calibration_version=calibration_version)
    return smap / d


def normalize_exposure(smap):
    """aiapy's normalize_exposure (removed in aiapy 0.8; older scripts still
    call it): the data divided by EXPTIME, EXPTIME set to 1 and BUNIT to
    'ct / s'. aiapy 0.8+ recommends ``smap / smap.exposure_time``."""
    if not isinstance(smap, AIAMap):
        raise ValueError("Input must be an AIAMap")
    if smap.exposure_time <= 0.0 * u.s:
        warnings.warn("Exposure time is less than or equal to 0.0 seconds.", AiaprepUserWarning,
                      stacklevel=2)
    newmap = smap._new_instance(smap.data / smap.exposure_time.to(u.s).value, copy.deepcopy(smap.meta))
    newmap.meta["exptime"] = 1.0
    newmap.meta["BUNIT"] = "ct / s"
    return newmap
