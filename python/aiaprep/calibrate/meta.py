"""aiapy.calibrate.update_pointing on sunpy maps: the pointing keys from the
master pointing table (a file, or the table aiapy's get_pointing_table
returns). Only the metadata change, as in aiapy."""
import copy
import warnings

import astropy.units as u
import numpy as np
from sunpy.time import parse_time

from .._dropin import is_path, require
from ..utils import AiaprepUserWarning
from .utils import get_pointing_table

__all__ = ["update_pointing"]


def _reference_date(smap):
    """T_OBS, sunpy's reference date of AIA maps (sunpy >= 6 has it as
    smap.reference_date); DATE-OBS when there is none."""
    date = getattr(smap, "reference_date", None)
    if date is not None:
        return date
    t_obs = smap.meta.get("t_obs")
    return parse_time(t_obs) if t_obs else smap.date


def update_pointing(smap, *, pointing_table=None):
    """aiapy.calibrate.update_pointing: CRPIX1/2 (moved by the change of
    X0_MP/Y0_MP, so cutouts work), CDELT1/2, CROTA2 = INSTROT + SAT_ROT and
    X0_MP/Y0_MP from the first table row with T_START <= T_OBS < T_STOP;
    PCi_j removed. pointing_table: a path (LM-SAL's daily CSV or a JSOC
    export of aia.master_pointing3h) or aiapy's table; required."""
    target = 0.6 * u.arcsec / u.pixel
    if not all(np.fabs(u.Quantity(smap.scale) / target - 1) < 0.01):
        warnings.warn(
            f"Input map has plate scale {u.Quantity(smap.scale)} which is significantly different than "
            f"{target}. This function is only meant to be used with maps which have not been resampled or "
            "rebinned. The updated pointing is likely incorrect.", AiaprepUserWarning, stacklevel=2)
    require(pointing_table, "pointing_table", "the master pointing table (aia.master_pointing3h) file",
            "aiapy.calibrate.utils.get_pointing_table()")
    table = get_pointing_table(pointing_table) if is_path(pointing_table) else pointing_table
    t = _reference_date(smap)
    inside = np.logical_and(t >= table["T_START"], t < table["T_STOP"])
    if not inside.any():
        raise IndexError(f"No valid entries for {t} in pointing table with first T_START date of "
                         f"{table[0]['T_START']} and a last T_STOP date of {table[-1]['T_STOP']}.")
    row = np.where(inside)[0][0]
    w = f"{smap.wavelength.to(u.angstrom).value:03.0f}"
    x0 = table[f"A_{w}_X0"][row].to_value("pix")
    y0 = table[f"A_{w}_Y0"][row].to_value("pix")
    crpix1 = smap.reference_pixel.x.to_value("pix") + 1
    crpix2 = smap.reference_pixel.y.to_value("pix") + 1
    x0_old, y0_old = smap.meta.get("x0_mp"), smap.meta.get("y0_mp")
    if x0_old is not None and y0_old is not None:  # relative: cutouts keep their offset
        crpix1 += x0 - x0_old
        crpix2 += y0 - y0_old
    else:
        warnings.warn("x0_mp and/or y0_mp keywords are missing. Skipping reference pixel update.",
                      AiaprepUserWarning, stacklevel=2)
    cdelt = table[f"A_{w}_IMSCALE"][row].to_value("arcsecond / pixel")
    crota2 = (table[f"A_{w}_INSTROT"][row] + smap.meta["SAT_ROT"] * u.degree).to_value("degree")
    meta = copy.deepcopy(smap.meta)
    for key, value in [("crpix1", crpix1), ("crpix2", crpix2), ("cdelt1", cdelt), ("cdelt2", cdelt),
                       ("crota2", crota2), ("x0_mp", x0), ("y0_mp", y0)]:
        if np.isnan(value):  # JSOC's MISSING entries
            warnings.warn(f"Missing value in pointing table for {key}. This key will not be updated.",
                          AiaprepUserWarning, stacklevel=2)
        else:
            meta[key] = value
    for key in ("PC1_1", "PC1_2", "PC2_1", "PC2_2"):  # sunpy then builds the matrix from CROTA2
        meta.pop(key, None)
    return smap._new_instance(smap.data, meta, plot_settings=smap.plot_settings, mask=smap.mask)
