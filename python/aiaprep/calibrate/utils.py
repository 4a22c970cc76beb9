"""aiapy's table getters, reading local files only: the tables they return
have the columns, units and time columns of aiapy's, so either kind can be
given to the drop-in functions. Where aiapy would download ("SSW", "JSOC",
"lmsal"), these raise TableRequiredError saying where to get the file."""
import warnings

import astropy.io.ascii
import astropy.units as u
import numpy as np
from astropy.table import QTable
from astropy.time import Time

from .._dropin import is_path
from ..errors import TableRequiredError

__all__ = ["LATEST_CORRECTION_VERSION", "get_correction_table", "get_error_table", "get_pointing_table"]

LATEST_CORRECTION_VERSION = 10
_SSW = "https://sohoftp.nascom.nasa.gov/solarsoft/sdo/aia/response/"
_WHERE = {
    "correction": f"{_SSW}aia_V10_20201119_190000_response_table.txt",
    "error": f"{_SSW}aia_V3_error_table.txt",
    "pointing": "https://raw.githubusercontent.com/LM-SAL/backup_files/refs/heads/aia/generated/"
                "aia_pointing_table.csv (or a JSOC export of aia.master_pointing3h)",
}


def _local(source, kind):
    if not is_path(source) or str(source).lower() in ("ssw", "jsoc", "lmsal"):
        raise TableRequiredError(
            f"aiaprep never downloads: give the path of the {kind} table file (from {_WHERE[kind]}), "
            f"not {source!r}")
    return source


def _times(column):
    """Times of a table column: ISO strings, or JSOC's 2014.01.01_00:00:00_TAI."""
    values = [str(v) for v in column]
    if values and all(v.endswith("_TAI") for v in values):
        iso = [v[:-4].replace(".", "-", 2).replace("_", "T") for v in values]
        return Time(iso, scale="tai").utc
    with warnings.catch_warnings():  # dates beyond the leap-second table (2050)
        warnings.simplefilter("ignore")
        return Time([v.rstrip("Z") for v in values], scale="utc")


def get_correction_table(source="SSW"):
    """The degradation (response) table from a file, as aiapy returns it:
    the columns DATE, VER_NUM, WAVE_STR, WAVELNTH, T_START, T_STOP,
    EFFA_P1..3, EFF_AREA, EFF_WVLN; times as Time, EFF_AREA in cm2."""
    table = QTable(astropy.io.ascii.read(_local(source, "correction")))
    table = table[["DATE", "VER_NUM", "WAVE_STR", "WAVELNTH", "T_START", "T_STOP", "EFFA_P1", "EFFA_P2",
                   "EFFA_P3", "EFF_AREA", "EFF_WVLN"]]
    table["T_START"] = _times(table["T_START"])
    table["T_STOP"] = _times(table["T_STOP"])
    table["WAVELNTH"].unit = "Angstrom"
    table["EFF_WVLN"].unit = "Angstrom"
    table["EFF_AREA"].unit = "cm2"
    return table


def get_error_table(source="SSW"):
    """The error table (aia_V3_error_table.txt) from a file, as aiapy
    returns it (WAVELNTH in Angstrom, DNPERPHT in DN / photon)."""
    table = QTable(astropy.io.ascii.read(_local(source, "error")))
    for name in ("DATE", "T_START", "T_STOP"):
        table[name] = _times(table[name])
    table["WAVELNTH"] = u.Quantity(table["WAVELNTH"], "Angstrom")
    table["DNPERPHT"] = u.Quantity(table["DNPERPHT"], "DN photon-1")
    return table


def get_pointing_table(source="lmsal", time_range=None):
    """The master pointing table from a file (LM-SAL's daily CSV copy, or a
    JSOC export with TAI stamps), as aiapy returns it: T_START/T_STOP as
    Time, X0/Y0 in pixel, IMSCALE in arcsec / pixel, INSTROT in deg, and
    missing entries NaN. time_range is accepted for aiapy's signature; the
    whole file is returned."""
    table = QTable(astropy.io.ascii.read(_local(source, "pointing")))
    table["T_START"] = _times(table["T_START"])
    table["T_STOP"] = _times(table["T_STOP"])
    for c in table.colnames:
        units = ("pixel" if "X0" in c or "Y0" in c else "arcsecond / pixel" if "IMSCALE" in c
                 else "degree" if "INSTROT" in c else None)
        if units is None:
            continue
        table[c] = u.Quantity(_numbers(table[c]), units)
    return table


def _numbers(column):
    """A column as floats: empty (masked) and JSOC's MISSING entries NaN."""
    mask = np.ma.getmaskarray(np.ma.asarray(column))
    values = np.asarray(column)
    out = np.full(len(values), np.nan)
    try:
        out[~mask] = values[~mask].astype(float)
    except ValueError:  # text: numbers and MISSING
        for i in np.flatnonzero(~mask):
            try:
                out[i] = float(values[i])
            except ValueError:
                pass
    return out
