"""What the aiapy drop-in modules share: aiapy's channel validation (same
messages), the never-download rule, tables given as files or as the
astropy tables aiapy's getters return."""
import functools
import inspect
import os

import astropy.units as u

from .errors import TableRequiredError

ALL_CHANNELS = [94, 131, 171, 193, 211, 304, 335, 1600, 1700, 4500]
EUV_CHANNELS = [94, 131, 171, 193, 211, 304, 335]


def validate_channel(argument, valid_channels=None):
    """Check a channel argument as aiapy does: a ValueError naming it and
    the valid channels, in aiapy's words."""
    valid = [c * u.angstrom for c in ALL_CHANNELS] if valid_channels is None else valid_channels

    def outer(function):
        sig = inspect.signature(function)

        @functools.wraps(function)
        def inner(*args, **kwargs):
            channel = sig.bind(*args, **kwargs).arguments[argument]
            if channel not in valid:
                raise ValueError(f'channel "{channel}" not in list of valid channels: {valid}.')
            return function(*args, **kwargs)

        return inner

    return outer


def is_path(x):
    return isinstance(x, (str, bytes, os.PathLike))


def require(table, argument, what, getter):
    """A table argument given, or TableRequiredError saying how to give it."""
    if table is None:
        raise TableRequiredError(
            f"aiaprep never downloads calibration data: give {argument}=, the path of {what} or the "
            f"astropy table that aiapy's {getter} returns")
    return table
