"""aiapy.psf.deconvolve on sunpy maps: Richardson-Lucy with the channel's
PSF, in the library (a plan per PSF; the channels' plans are kept between
calls, so a series of images pays for the PSF's spectrum once)."""
import copy
import threading
import warnings
from collections import OrderedDict

import astropy.units as u
import numpy as np

from .. import _lib
from .._deconvolve import DeconvolutionPlan
from .._dropin import EUV_CHANNELS, validate_channel
from ..utils import AiaprepUserWarning

__all__ = ["deconvolve"]

_plans = OrderedDict()  # (channel, precision, threads) -> DeconvolutionPlan
_plans_lock = threading.Lock()
_MAX_PLANS = 2  # 64-128 MiB each


@u.quantity_input
@validate_channel("channel", valid_channels=EUV_CHANNELS * u.angstrom)
def _channel(channel: u.angstrom):
    return int(round(channel.to_value(u.angstrom)))


def _channel_plan(channel, precision, threads, device):
    key = (channel, precision, threads, device)
    with _plans_lock:
        if key in _plans:
            _plans.move_to_end(key)
            return _plans[key]
    plan = DeconvolutionPlan(channel=channel, precision=precision, threads=threads, device=device)
    with _plans_lock:
        _plans[key] = plan
        while len(_plans) > _MAX_PLANS:
            _plans.popitem(last=False)
    return plan


def deconvolve(smap, *, psf=None, iterations=25, clip_negative=True, precision="single", device="auto",
               threads=0):
    """aiapy.psf.deconvolve: Richardson-Lucy deconvolution of a level-1 map
    (the full 4096 x 4096 frame, before registration) with the PSF:
    est = u (*) psf; u *= (img / est) (*) flipped psf, from u = img.

    psf: None (the channel's, as aiapy's calculate_psf; its plan is kept for
    the next call), an array of the image's shape, or an
    aiaprep.DeconvolutionPlan (reused as it is). clip_negative: negative
    pixels set to 0 first (aiapy's warning when False and there are some).

    Beyond aiapy: precision="single" (default: float32 FFTs, within ~3e-7
    relative L2 of double) or "double" (aiapy's float64 result to ~1e-14);
    device: "auto" (default: the first CUDA device when one can be used,
    else the CPU), "cpu", "cuda" or "cuda:N"; threads (0: all cores). NaN pixels do not turn the image into NaN as in aiapy: each
    is filled for the iterations and is NaN again in the result. The data
    come back float64, as aiapy's; the meta is a copy of the map's."""
    img = smap.data
    if not clip_negative and np.any(img < 0):
        warnings.warn("Image contains negative intensity values. Consider setting clip_negative to True",
                      AiaprepUserWarning, stacklevel=2)
    if isinstance(psf, DeconvolutionPlan):
        plan = psf
    elif psf is None:
        plan = _channel_plan(_channel(smap.wavelength), precision, int(threads), device)
    else:
        plan = DeconvolutionPlan(np.asarray(psf), precision=precision, threads=threads, device=device)
    out = plan.execute(img, iterations=iterations, clip_negative=clip_negative, dtype=np.float64)
    return smap._new_instance(out, copy.deepcopy(smap.meta), plot_settings=copy.deepcopy(smap.plot_settings),
                              mask=smap.mask)
