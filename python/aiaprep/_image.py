"""Reading FITS images and synthesising level-1 frames through the library."""
import ctypes

import numpy as np

from . import _lib
from ._arrays import owned_pixels
from ._header import astropy_header
from .errors import check

lib = _lib.lib


def _pixtype(dtype):
    dtype = np.dtype(dtype)
    if dtype == np.float32:
        return _lib.AIA_PIX_F32
    if dtype == np.float64:
        return _lib.AIA_PIX_F64
    raise ValueError(f"aiaprep: pixels are read as float32 or float64, not {dtype}")


def read(path, dtype=np.float32):
    """Read a 2-D FITS image (primary HDU, or HDU 1 as JSOC ships level 1)
    with the library's reader: BSCALE/BZERO applied, BLANK pixels NaN.

    Returns (data, header): a numpy array of dtype (float32 or float64) that
    owns the library's buffer (no copy), and the image HDU's astropy Header.
    Errors name the file (OSError for a missing one, ValueError for one that
    is not a usable FITS image)."""
    out = ctypes.POINTER(_lib.Image)()
    check(lib.aia_image_read(_lib.encode_path(path), _pixtype(dtype), ctypes.byref(out)))
    header = astropy_header(out.contents.header)
    return owned_pixels(out), header


def read_map(path):
    """A sunpy map of a FITS image read by the library (float32), for
    example a level-1 frame for aiaprep.calibrate.register."""
    import sunpy.map
    data, header = read(path)
    return sunpy.map.Map(data, header)


def synth(channel=171, size=4096, *, roll=None, scale=None, center=None, seed=1):
    """A realistic synthetic full-disk level-1 frame (aiaprep synth): float32
    integer DN values and a complete AIA level-1 header. roll (deg), scale
    (arcsec/px) and center ((x, y), 0-based px) default to the channel's
    typical values. Returns (data, header)."""
    p = _lib.SynthParams()
    check(lib.aia_synth_defaults(int(channel), int(size), ctypes.byref(p)))
    if roll is not None:
        p.roll_deg = float(roll)
    if scale is not None:
        p.scale_arcsec = float(scale)
    if center is not None:
        p.center_x, p.center_y = (float(c) for c in center)
    p.seed = int(seed)
    out = ctypes.POINTER(_lib.Image)()
    check(lib.aia_synth(ctypes.byref(p), ctypes.byref(out)))
    header = astropy_header(out.contents.header)
    return owned_pixels(out), header
