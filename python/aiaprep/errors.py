"""Library errors as Python exceptions.

Every failing library call raises an AiaprepError carrying the library's
status (``.status``, ``.status_name``) and its message (``aia_last_error``,
which names the file, key or byte). Each status also derives from the
built-in exception a Python caller would expect: a missing file is an
OSError, a bad argument or bad data a ValueError, an unsupported request a
NotImplementedError, exhaustion a MemoryError (a corrupt file or a
checksum that disagrees is a ValueError)."""
from . import _lib


class AiaprepError(Exception):
    """A failure reported by libaiaprep."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message

    @property
    def status_name(self):
        names = _lib.STATUS_NAMES
        return names[self.status] if 0 <= self.status < len(names) else f"status {self.status}"

    def __reduce__(self):  # picklable: processes hand errors back to their parent
        return (type(self), (self.status, self.message))

    def __str__(self):
        return self.message


class AiaprepIOError(AiaprepError, OSError):
    """A file could not be opened, read, written or renamed."""


class AiaprepFileExistsError(AiaprepError, FileExistsError):
    """The output exists and overwriting was not asked for."""


class AiaprepValueError(AiaprepError, ValueError):
    """Bad arguments, a bad file, a bad header key, or unusable pixel data."""


class AiaprepNotImplementedError(AiaprepError, NotImplementedError):
    """A valid request that the library does not support (yet)."""


class AiaprepMemoryError(AiaprepError, MemoryError):
    """The library ran out of memory."""


class AiaprepInterruptedError(AiaprepError, InterruptedError):
    """Stopped by a signal before it was done."""


class TableRequiredError(ValueError):
    """aiaprep never downloads: a calibration table must be given."""


_CLASSES = {
    _lib.AIA_ERR_NOMEM: AiaprepMemoryError,
    _lib.AIA_ERR_IO: AiaprepIOError,
    _lib.AIA_ERR_NOT_REGULAR: AiaprepIOError,
    _lib.AIA_ERR_EXISTS: AiaprepFileExistsError,
    _lib.AIA_ERR_UNSUPPORTED: AiaprepNotImplementedError,
    _lib.AIA_ERR_NOT_IMPLEMENTED: AiaprepNotImplementedError,
    _lib.AIA_ERR_INTERRUPTED: AiaprepInterruptedError,
}


def error(status, prefix=None):
    """The exception for a status just returned in this thread."""
    message = _lib.text(_lib.lib.aia_last_error()) or _lib.text(_lib.lib.aia_strerror(status))
    if prefix:
        message = f"{prefix}: {message}"
    return _CLASSES.get(status, AiaprepValueError)(status, message)


def check(status, prefix=None):
    """Raise the library's error for a failing status. prefix: what the step
    worked on (a file name), as the C callers add it."""
    if status != _lib.AIA_OK:
        raise error(status, prefix)
