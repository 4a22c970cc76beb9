"""aiaprep: SDO/AIA data preparation with aiapy's numbers, over the C
library libaiaprep (ctypes; every long call releases the GIL).

Two levels:

- arrays, numpy in and out without copies where the layout allows:
  ``read``, ``RegisterPlan`` / ``register``, ``psf``, ``DeconvolutionPlan`` /
  ``deconvolve``, ``update_pointing``, ``degradation``,
  ``correct_degradation``, ``estimate_error``, ``respike``,
  ``normalize_exposure``, ``synth``, and the batch ``prep_files``;
- a drop-in for aiapy 0.12 on sunpy maps: ``aiaprep.calibrate`` and
  ``aiaprep.psf`` with aiapy's function and keyword names.

Library errors are raised as AiaprepError (with the library's message),
which also derive from OSError, ValueError, NotImplementedError or
MemoryError as fits. See python/README.md for the rule that finds the
library and for examples."""
from . import _lib
from ._calibration import (ErrorTable, PointingTable, ResponseTable, correct_degradation, degradation,
                           error_terms, estimate_error, normalize_exposure, respike, update_pointing)
from ._deconvolve import DeconvolutionPlan, deconvolve
from ._deconvolve import psf as _psf_array
from ._image import read, read_map, synth
from ._register import RegisterPlan, register
from .batch import PrepResult, Progress, prep_files
from .errors import (AiaprepError, AiaprepFileExistsError, AiaprepInterruptedError, AiaprepIOError,
                     AiaprepMemoryError, AiaprepNotImplementedError, AiaprepValueError, TableRequiredError)

__version__ = _lib.text(_lib.lib.aia_version())
LIBRARY_PATH = _lib.LIBRARY_PATH


def library_path():
    """The libaiaprep.so this package loaded."""
    return LIBRARY_PATH


def version():
    """The library's version."""
    return __version__


def kernels():
    """The CPU kernel level in use ("generic", "avx2", "avx512")."""
    return _lib.text(_lib.lib.aia_kernels())


def backends():
    """The compute backends built into the library, e.g. "cpu"."""
    return _lib.text(_lib.lib.aia_backends())


def psf_array(channel, *, preflight=False, orders=None, threads=0, cache_dir=None):
    """The 4096 x 4096 float64 PSF of a channel (see aiaprep.psf.calculate_psf
    for the aiapy-named function)."""
    return _psf_array(channel, preflight=preflight, orders=orders, threads=threads, cache_dir=cache_dir)


__all__ = [
    "AiaprepError", "AiaprepFileExistsError", "AiaprepInterruptedError", "AiaprepIOError", "AiaprepMemoryError",
    "AiaprepNotImplementedError", "AiaprepValueError", "TableRequiredError", "DeconvolutionPlan",
    "ErrorTable", "PointingTable", "PrepResult", "Progress", "RegisterPlan", "ResponseTable",
    "backends", "correct_degradation", "deconvolve", "degradation", "error_terms", "estimate_error",
    "kernels", "library_path", "normalize_exposure", "prep_files", "psf_array", "read", "read_map",
    "register", "respike", "synth", "update_pointing", "version",
]
