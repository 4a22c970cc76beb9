"""aiapy.psf.calculate_psf (and its deprecated alias psf): the instrument
PSF of an EUV channel, computed by the library (and cached: a channel's
PSF is computed once per machine, then read back)."""
import astropy.units as u
from sunpy.util.decorators import deprecated

from .. import _deconvolve
from .._dropin import EUV_CHANNELS, validate_channel

__all__ = ["calculate_psf", "psf"]


@u.quantity_input
@validate_channel("channel", valid_channels=EUV_CHANNELS * u.angstrom)
def calculate_psf(channel: u.angstrom, *, use_preflightcore=False, diffraction_orders=None):
    """aiapy.psf.calculate_psf: the 4096 x 4096 float64 composite PSF of the
    entrance and focal-plane filter meshes and the Gaussian core, peak at
    [2048, 2048], sum 1 (aiapy 0.12's model). use_preflightcore: the
    preflight core width; diffraction_orders: the (whole) orders to sum,
    default -100..100."""
    return _deconvolve.psf(int(round(channel.to_value(u.angstrom))), preflight=use_preflightcore,
                           orders=diffraction_orders)


@deprecated("0.11.0", alternative="calculate_psf")
@u.quantity_input
def psf(channel: u.angstrom, *, use_preflightcore=False, diffraction_orders=None):
    """Deprecated in aiapy 0.11: use calculate_psf."""
    return calculate_psf(channel, use_preflightcore=use_preflightcore, diffraction_orders=diffraction_orders)
