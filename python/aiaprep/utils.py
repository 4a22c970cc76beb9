"""Warnings of the aiapy drop-in (aiaprep.calibrate, aiaprep.psf).

AiaprepUserWarning is a UserWarning (and an astropy AstropyWarning, as
aiapy's AIApyUserWarning is); the drop-in warns with aiapy's texts. When
aiapy itself is importable the class also derives from aiapy's
AIApyUserWarning, so code that filters or catches aiapy's warnings keeps
working after swapping the import. AIApyUserWarning is an alias."""
from astropy.utils.exceptions import AstropyWarning

try:  # aiapy is optional: only its warning classes are used
    from aiapy.utils.exceptions import AIApyUserWarning as _AiapyUserWarning
    from aiapy.utils.exceptions import AIApyWarning as _AiapyWarning
    _bases, _user_bases = (_AiapyWarning,), (_AiapyUserWarning,)
except ImportError:
    _bases, _user_bases = (AstropyWarning,), (UserWarning,)


class AiaprepWarning(*_bases):
    """The base of the drop-in's warnings."""


class AiaprepUserWarning(*_user_bases, AiaprepWarning):
    """The drop-in's warnings, with aiapy's messages."""


AIApyWarning = AiaprepWarning
AIApyUserWarning = AiaprepUserWarning

__all__ = ["AIApyUserWarning", "AIApyWarning", "AiaprepUserWarning", "AiaprepWarning"]
