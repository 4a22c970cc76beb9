"""A drop-in for aiapy.psf (aiapy 0.12): calculate_psf, psf, deconvolve and
filter_mesh_parameters with aiapy's names, computed by libaiaprep.

    from aiaprep.psf import deconvolve      # was: from aiapy.psf import deconvolve
"""
from .deconvolve import deconvolve
from .psf import calculate_psf, psf
from .utils import filter_mesh_parameters

__all__ = ["calculate_psf", "deconvolve", "filter_mesh_parameters", "psf"]
