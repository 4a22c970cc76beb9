"""aiapy.calibrate.estimate_error: the noise of AIA counts, computed by the
library from the V3 error table (a file, or aiapy's table)."""
import os
import tempfile

import astropy.units as u
import numpy as np

from .._calibration import error_terms, estimate_error_with
from .._dropin import is_path, require, validate_channel

__all__ = ["estimate_error"]

_COLUMNS = ("WAVELNTH", "DNPERPHT", "COMPRESS", "CALERR", "CHIANTI", "EVEERR")


def _terms(error_table, channel, **options):
    """The model's terms for a channel from a table file, or from an astropy
    table (its channel's row handed to the library as a one-row file)."""
    if is_path(error_table):
        return error_terms(error_table, channel, **options)
    rows = error_table[u.Quantity(error_table["WAVELNTH"], u.angstrom) == channel * u.angstrom]
    if len(rows) == 0:
        raise ValueError(f"the error table has no row for {channel} Angstrom")
    values = [u.Quantity(rows[0][c]).value for c in _COLUMNS]
    fd, path = tempfile.mkstemp(prefix="aiaprep-error-table-", suffix=".txt")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(" ".join(_COLUMNS) + "\n" + " ".join(repr(float(v)) for v in values) + "\n")
        return error_terms(path, channel, **options)
    finally:
        os.unlink(path)


@u.quantity_input
@validate_channel("channel")
def estimate_error(counts: u.DN / u.pix, channel: u.angstrom, *, n_sample=1, include_preflight=False,
                   include_eve=False, include_chianti=False, error_table=None, **kwargs) -> u.DN / u.pix:
    """aiapy.calibrate.estimate_error: shot, dark, read, quantisation and
    compression noise (and optionally the calibration and CHIANTI errors)
    of counts in DN/pix (not divided by the exposure time), in quadrature.

    error_table: a path to aia_V3_error_table.txt or aiapy's table from
    get_error_table; required (aiaprep never downloads). The result is
    float64 with counts' shape (at least 1-d); negative counts give NaN,
    as in aiapy."""
    counts = np.atleast_1d(counts)
    require(error_table, "error_table", "the V3 error table (aia_V3_error_table.txt)",
            "aiapy.calibrate.utils.get_error_table()")
    if include_eve and include_preflight:
        raise ValueError("Cannot include both EVE and pre-flight correction.")
    terms = _terms(error_table, int(round(channel.to_value(u.angstrom))), n_sample=n_sample,
                   include_preflight=include_preflight, include_eve=include_eve,
                   include_chianti=include_chianti, compare_idl=bool(kwargs.get("compare_idl", False)))
    values = counts.to_value(u.DN / u.pix)
    errors = estimate_error_with(terms, values)
    errors[values < 0] = np.nan  # aiapy: the square root of negative counts
    return u.Quantity(errors, u.DN / u.pix, copy=False)
