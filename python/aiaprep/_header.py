"""FITS headers between Python and the library: an aia_header is an ordered
list of 80-character cards, so an astropy Header goes in card by card and
comes back through Header.fromstring; a sunpy map's meta (a dict of key ->
value) is written as cards of its scalar keys."""
import math
import numbers

from astropy.io import fits

from . import _lib
from .errors import check

lib = _lib.lib


class CHeader:
    """An aia_header owned by Python (freed with the object)."""

    def __init__(self):
        self.ptr = lib.aia_header_new()
        if not self.ptr:
            raise MemoryError("aiaprep: out of memory for a header")

    def __del__(self):
        if getattr(self, "ptr", None):
            lib.aia_header_free(self.ptr)
            self.ptr = None

    def append(self, card):
        check(lib.aia_header_append_card(self.ptr, card.encode("ascii", "replace")))

    def to_astropy(self):
        return astropy_header(self.ptr)


def cards(ptr):
    """The cards of an aia_header (owned by anyone), each 80 characters."""
    return [_lib.text(lib.aia_header_card(ptr, i)) for i in range(lib.aia_header_count(ptr))]


def astropy_header(ptr):
    """An astropy Header of an aia_header's cards. Cards that real files
    carry but astropy cannot parse (a string continued without an &, an
    unquoted nan) are fixed as sunpy's reader fixes them, so that the header
    makes a map."""
    header = fits.Header.fromstring("".join(cards(ptr)))
    for card in header.cards:
        card.verify("silentfix+ignore")
    return header


def from_astropy(header):
    """A CHeader with every card of an astropy Header, in order."""
    c = CHeader()
    image = header.tostring(sep="", endcard=False, padding=False)
    for i in range(0, len(image), 80):
        c.append(image[i:i + 80])
    return c


def _value_text(value):
    """A FITS card's value field, or None for what a card cannot hold."""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return f"{'T' if value else 'F':>20}"
    if isinstance(value, numbers.Integral):
        return f"{int(value):>20}"
    if isinstance(value, numbers.Real):
        v = float(value)
        return f"{v!r:>20}" if math.isfinite(v) else None
    if isinstance(value, str):
        s = value.replace("'", "''")[:68]
        return f"'{s:<8}'"
    return None


_SKIPPED = {"COMMENT", "HISTORY", "KEYCOMMENTS", ""}


def from_meta(meta, override=None):
    """A CHeader of a sunpy map's meta: every scalar key that fits in a card
    (keys of up to 8 characters; comments, history and long strings are not
    needed by the steps). override: keys to replace or add (None removes)."""
    override = {k.upper(): v for k, v in (override or {}).items()}
    c = CHeader()
    for key, value in meta.items():
        k = str(key).upper()
        if k in _SKIPPED or len(k) > 8 or k in override:
            continue
        v = _value_text(value)
        if v is not None:
            c.append(f"{k:<8}= {v}"[:80])
    for k, value in override.items():
        v = None if value is None else _value_text(value)
        if v is not None:
            c.append(f"{k:<8}= {v}"[:80])
    return c
