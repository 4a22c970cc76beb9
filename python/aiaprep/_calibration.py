"""The calibration steps on arrays and astropy headers (aiapy 0.12's rules,
in the library): pointing update, degradation, uncertainty, respike,
exposure normalisation. Tables are files the caller gives (nothing is
downloaded): a path, or a table object read once and reused."""
import ctypes
import os

import numpy as np

from . import _lib
from ._arrays import as_float, check_output, view
from ._header import from_astropy
from .errors import check

lib = _lib.lib


class _Table:
    _read = _free = None
    kind = "table"

    def __init__(self, path):
        self.path = os.fspath(path)
        ptr = ctypes.c_void_p()
        check(getattr(lib, self._read)(_lib.encode_path(self.path), ctypes.byref(ptr)))
        self.ptr = ptr

    def __del__(self):
        if getattr(self, "ptr", None):
            getattr(lib, self._free)(self.ptr)
            self.ptr = None

    def __reduce__(self):
        return (type(self), (self.path,))

    def __repr__(self):
        return f"{type(self).__name__}({self.path!r})"

    @classmethod
    def of(cls, table):
        """A table object for a path or an object of this class."""
        if isinstance(table, cls):
            return table
        if isinstance(table, (str, bytes, os.PathLike)):
            return cls(table)
        raise TypeError(f"aiaprep: expected the path of {cls.kind} or a {cls.__name__}, got {type(table)}")


class PointingTable(_Table):
    """The master pointing table (aia.master_pointing3h) from a file: LM-SAL's
    daily CSV copy or a JSOC export."""
    _read, _free, kind = "aia_pointing_table_read", "aia_pointing_table_free", "a pointing table"


class ResponseTable(_Table):
    """The SSW response table (aia_V10_..._response_table.txt)."""
    _read, _free, kind = "aia_response_table_read", "aia_response_table_free", "a response table"


class ErrorTable(_Table):
    """The V3 error table (aia_V3_error_table.txt)."""
    _read, _free, kind = "aia_uncertainty_table_read", "aia_uncertainty_table_free", "an error table"


def _pixels_out(data, out):
    """The array a step changes: a float copy of data, or out (data's values
    copied in unless out is data: in place)."""
    if out is None:
        src = as_float(data, default=np.float32)
        return src.copy() if src is data else src  # as_float copied what it converted
    check_output(out, np.shape(data))
    if out is not data:
        np.copyto(out, data)
    return out


_POINTING_WARNINGS = {
    _lib.POINTING_WARN_RESAMPLED: "the plate scale is more than 1% from 0.6\"/px: a resampled map?",
    _lib.POINTING_WARN_DATE_OBS: "no T_OBS: DATE-OBS used to find the table row",
    _lib.POINTING_WARN_NO_MP: "X0_MP/Y0_MP missing: CRPIX left alone",
    _lib.POINTING_WARN_MISSING_VALUE: "values missing in the table: those keys left alone",
    _lib.POINTING_WARN_NO_SAT_ROT: "SAT_ROT missing: CROTA2 left alone",
}


def update_pointing(header, table):
    """aiapy's update_pointing on an astropy Header: returns (new header,
    report). The report holds the table row and interval used, the old and
    new CRPIX, CDELT, CROTA2, X0_MP/Y0_MP, and 'warnings' (texts)."""
    t = PointingTable.of(table)
    h = from_astropy(header)
    rep = _lib.PointingReport()
    check(lib.aia_update_pointing(h.ptr, t.ptr, ctypes.byref(rep)))
    report = {"row": rep.row, "t_start": _lib.text(rep.t_start), "t_stop": _lib.text(rep.t_stop),
              "old_crpix": tuple(rep.old_crpix), "new_crpix": tuple(rep.new_crpix),
              "old_cdelt": rep.old_cdelt, "new_cdelt": rep.new_cdelt, "old_crota2": rep.old_crota2,
              "new_crota2": rep.new_crota2, "old_x0": rep.old_x0, "new_x0": rep.new_x0,
              "old_y0": rep.old_y0, "new_y0": rep.new_y0, "missing": _lib.text(rep.missing),
              "warnings": [w for bit, w in _POINTING_WARNINGS.items() if rep.warnings & bit]}
    return h.to_astropy(), report


def degradation(table, channel, time, version=10):
    """aiapy's degradation factor of a channel at a time (ISO UTC string)
    from the response table."""
    t = ResponseTable.of(table)
    d = ctypes.c_double()
    check(lib.aia_degradation(t.ptr, int(channel), str(time).encode(), int(version), ctypes.byref(d)))
    return d.value


def correct_degradation(data, header, table, version=10, *, out=None):
    """Divide by the degradation at DATE-OBS: returns (pixels, header with
    DEGRADAT and DEGRVER, factor)."""
    t = ResponseTable.of(table)
    pix = _pixels_out(data, out)
    h = from_astropy(header)
    d = ctypes.c_double()
    check(lib.aia_correct_degradation(view(pix), h.ptr, t.ptr, int(version), ctypes.byref(d)))
    return pix, h.to_astropy(), d.value


def error_terms(table, channel, *, n_sample=1, include_preflight=False, include_eve=False,
                include_chianti=False, compare_idl=False):
    """The terms of the uncertainty model of a channel (a ctypes struct)."""
    t = ErrorTable.of(table)
    o = _lib.UncertaintyOptions()
    lib.aia_uncertainty_options_default(ctypes.byref(o))
    o.n_sample, o.include_preflight, o.include_eve = int(n_sample), int(include_preflight), int(include_eve)
    o.include_chianti, o.compare_idl = int(include_chianti), int(compare_idl)
    terms = _lib.UncertaintyTerms()
    check(lib.aia_uncertainty_model(t.ptr, int(channel), ctypes.byref(o), ctypes.byref(terms)))
    return terms


def estimate_error_with(terms, counts, out=None):
    """The errors of counts (any shape) with given terms into out (float64
    made when None); negative counts are counted as 0 by the library."""
    counts = np.asarray(counts)
    flat = counts.reshape(1, -1) if counts.ndim != 2 else counts
    flat = as_float(flat, default=np.float64)
    if out is None:
        out = np.empty(counts.shape, np.float64)
    out2 = out.reshape(flat.shape)
    check_output(out2, flat.shape)
    check(lib.aia_estimate_error(view(flat), ctypes.byref(terms), view(out2)))
    return out


def estimate_error(counts, channel, table, *, n_sample=1, include_preflight=False, include_eve=False,
                   include_chianti=False, out=None):
    """aiapy's estimate_error of level-1 counts (DN/px, any shape) with the V3
    error table: float64 errors in DN/px. Negative counts are counted as 0
    (aiapy gives NaN); NaN stays NaN."""
    terms = error_terms(table, channel, n_sample=n_sample, include_preflight=include_preflight,
                        include_eve=include_eve, include_chianti=include_chianti)
    return estimate_error_with(terms, counts, out)


def respike(data, header, spikes, *, out=None):
    """Put back the pixels JSOC's cosmic-ray removal replaced, from the
    frame's spikes file (a full 4096² level-1 frame, LVL_NUM 1, NSPIKES not
    0). Returns (pixels, header at level 0.5, count)."""
    pix = _pixels_out(data, out)
    h = from_astropy(header)
    n = ctypes.c_long()
    check(lib.aia_respike(view(pix), h.ptr, _lib.encode_path(spikes), ctypes.byref(n)))
    return pix, h.to_astropy(), n.value


def normalize_exposure(data, header, *, out=None):
    """Divide by EXPTIME as sunpy does (times 1/EXPTIME), BUNIT 'DN/s'.
    Returns (pixels, header)."""
    pix = _pixels_out(data, out)
    h = from_astropy(header)
    check(lib.aia_normalize_exposure(view(pix), h.ptr))
    return pix, h.to_astropy()
