"""Registration to level 1.5 on arrays: a plan per frame geometry, executed
on the frame and on anything on its grid (aia_register_plan_*)."""
import ctypes
import threading

import numpy as np
from astropy.io import fits

from . import _lib
from ._arrays import as_float, check_output, view
from ._header import CHeader, cards, from_astropy, from_meta
from ._deconvolve import _device
from .errors import check

lib = _lib.lib
GRIDS = {"4096": _lib.AIA_GRID_FULL, "full": _lib.AIA_GRID_FULL, "aiapy": _lib.AIA_GRID_AIAPY}
INTERPS = {"spline": _lib.AIA_INTERP_SPLINE, "cubic-convolution": _lib.AIA_INTERP_CUBIC_CONVOLUTION}


class _Workspace:
    """One thread's scratch memory (~80 MiB for 4096²), kept between calls:
    fresh memory for every frame costs page faults."""

    def __init__(self):
        self.ptr = lib.aia_workspace_new()
        if not self.ptr:
            raise MemoryError("aiaprep: out of memory for a workspace")

    def __del__(self):
        if getattr(self, "ptr", None):
            lib.aia_workspace_free(self.ptr)
            self.ptr = None


_local = threading.local()


def workspace():
    """The calling thread's workspace (freed when the thread ends)."""
    ws = getattr(_local, "workspace", None)
    if ws is None:
        ws = _local.workspace = _Workspace()
    return ws.ptr


def _c_header(header):
    if isinstance(header, CHeader):
        return header
    if isinstance(header, fits.Header):
        return from_astropy(header)
    return from_meta(header)


def _choice(name, value, choices):
    if value not in choices:
        raise ValueError(f"aiaprep: {name} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return choices[value]


class RegisterPlan:
    """Everything registration derives from a header and a shape before
    touching a pixel: the full-disk check, the scale to 0.6"/px, sunpy's
    padding, the rotation about the reference pixel, the output grid.

    header: an astropy Header (or a sunpy map's meta); shape: the input's
    (rows, columns). order: B-spline order 0-5; grid: "4096" (the input's
    shape, Sun at its centre, as JSOC/IDL) or "aiapy" (aiapy's own shape,
    e.g. 4094 x 4094); interp: "spline" (scipy's, as aiapy) or
    "cubic-convolution" (IDL's); missing: what fills the pixels the input
    does not cover, None (aiapy's default: the image minimum; NaN outside a
    cutout's footprint), a number, or NaN (as sunpy, the frame's edge pixels
    then become NaN too); scale: the target plate scale in arcsec/px (None:
    aiapy's 0.6, k x 0.6 for binned maps; another keeps the default grid's
    field of view). Cutouts of a full-resolution level-1 frame are
    registered with their full frame's transform (the output is the part of
    the full level-1.5 grid they cover). device: "cpu" (default), "auto",
    "cuda" or "cuda:N" (full frames with the default fill; others register on
    the CPU). Errors say what in the header is wrong (AiaprepValueError).

    One plan may be executed by several threads at once. Pickling a plan
    pickles its header and options; it is rebuilt where it is unpickled."""

    def __init__(self, header, shape, *, order=3, grid="4096", interp="spline", missing=None, scale=None,
                 device="cpu"):
        self._args = (header, tuple(int(n) for n in shape), order, grid, interp, missing, scale, device)
        h = _c_header(header)
        opts = _lib.RegisterOptions(int(order), _choice("interp", interp, INTERPS),
                                    _choice("grid", str(grid), GRIDS), 0.0 if scale is None else float(scale),
                                    *_missing(missing), _device(device))
        ptr = ctypes.c_void_p()
        rows, cols = self._args[1]
        check(lib.aia_register_plan_new(h.ptr, cols, rows, ctypes.byref(opts), ctypes.byref(ptr)))
        self._ptr = ptr
        w, hgt = ctypes.c_long(), ctypes.c_long()
        lib.aia_register_plan_shape(ptr, ctypes.byref(w), ctypes.byref(hgt))
        self.input_shape = (rows, cols)
        self.shape = (hgt.value, w.value)
        probe = CHeader()  # the plan's keys alone: a cutout's name its place in the full grid
        check(lib.aia_register_plan_header(ptr, probe.ptr))
        self.cutout = any(card.startswith("GRID_NX ") for card in cards(probe.ptr))

    def __del__(self):
        if getattr(self, "_ptr", None):
            lib.aia_register_plan_free(self._ptr)
            self._ptr = None

    def __reduce__(self):
        header, *rest = self._args
        if isinstance(header, CHeader):
            header = header.to_astropy()
        return (_rebuild_register_plan, (header, *rest))

    def execute(self, data, out=None, *, info=False):
        """Register data (the plan's input shape; float32 is used in place,
        anything else is converted to a float32 copy) into out (a float32
        array of the plan's shape, made when None). The GIL is released
        while the library works. Returns out, or (out, info dict) with
        info=True (scale factor, padding, the fill value, NaN counts,
        seconds per stage)."""
        data = as_float(data, (np.float32,))
        if data.shape != self.input_shape:
            raise ValueError(f"aiaprep: the plan is for a {self.input_shape} image, got {data.shape}")
        out = np.empty(self.shape, np.float32) if out is None else check_output(out, self.shape, (np.float32,))
        ri = _lib.RegisterInfo()
        check(lib.aia_register_execute(self._ptr, view(data), view(out), workspace(), ctypes.byref(ri)))
        if not info:
            return out
        return out, {name: getattr(ri, name) for name, _ in _lib.RegisterInfo._fields_}

    def header(self, header):
        """A copy of an astropy Header with this plan's level-1.5 keys:
        NAXISn, CRPIX, CDELT, PCi_j (CROTA and CD removed), R_SUN, LVL_NUM."""
        h = from_astropy(header)
        check(lib.aia_register_plan_header(self._ptr, h.ptr))
        return h.to_astropy()


def _missing(missing):
    """(aia_missing, value) of a fill value: None, NaN or a number."""
    if missing is None:
        return _lib.AIA_MISSING_AUTO, 0.0
    value = float(missing)
    if np.isnan(value):
        return _lib.AIA_MISSING_NAN, 0.0
    if not np.isfinite(value):
        raise ValueError(f"aiaprep: missing={missing!r}: a fill value must be finite, NaN or None")
    return _lib.AIA_MISSING_VALUE, value


def _rebuild_register_plan(header, shape, order, grid, interp, missing=None, scale=None, device="cpu"):
    return RegisterPlan(header, shape, order=order, grid=grid, interp=interp, missing=missing, scale=scale,
                        device=device)


def register(data, header, *, order=3, grid="4096", interp="spline", missing=None, scale=None, device="cpu",
             out=None):
    """Register a level-1 image to level 1.5 (aiapy's register, arrays in and
    out): returns (pixels, header). See RegisterPlan for the options; use a
    plan directly to register other images on the same grid."""
    plan = RegisterPlan(header, np.shape(data), order=order, grid=grid, interp=interp, missing=missing,
                        scale=scale, device=device)
    return plan.execute(data, out), plan.header(header)
