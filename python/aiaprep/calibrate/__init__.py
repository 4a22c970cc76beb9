"""A drop-in for aiapy.calibrate (aiapy 0.12): the same functions, module
paths and keyword names on sunpy maps, with the pixel work in libaiaprep.

    from aiaprep.calibrate import register      # was: from aiapy.calibrate import register

Where aiapy downloads a table, give a file path or the astropy table aiapy's
getter returns; aiaprep never downloads (aiaprep.calibrate.utils reads the
files into aiapy's tables). See python/README.md for what differs."""
from .meta import update_pointing
from .prep import correct_degradation, degradation, normalize_exposure, register
from .spikes import respike, spikes_from_file
from .uncertainty import estimate_error

__all__ = ["correct_degradation", "degradation", "estimate_error", "normalize_exposure", "register",
           "respike", "spikes_from_file", "update_pointing"]
