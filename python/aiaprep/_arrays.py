"""numpy arrays as the library's borrowed views (aia_view: pointer, width,
height, stride, type), and library-owned pixels as numpy arrays, without
copies wherever the layout allows."""
import numpy as np

from . import _lib

lib = _lib.lib
_TYPES = {np.dtype(np.float32): _lib.AIA_PIX_F32, np.dtype(np.float64): _lib.AIA_PIX_F64}
_DTYPES = {v: k for k, v in _TYPES.items()}


def usable(a, dtypes=(np.float32, np.float64)):
    """Whether the library can read or write a's pixels in place: a 2-D
    array of one of dtypes in native byte order, rows contiguous (a view of
    a sub-rectangle is fine: rows may be further apart than their width)."""
    return (isinstance(a, np.ndarray) and a.ndim == 2 and a.dtype in [np.dtype(d) for d in dtypes]
            and a.dtype.isnative and a.shape[0] > 0 and a.shape[1] > 0 and a.strides[1] == a.itemsize
            and a.strides[0] >= a.shape[1] * a.itemsize and a.strides[0] % a.itemsize == 0)


def as_float(a, dtypes=(np.float32, np.float64), default=np.float32):
    """a itself when the library can use it as it is, else a contiguous copy
    in the first of dtypes that holds it (default for integers)."""
    if usable(a, dtypes):
        return a
    a = np.asarray(a)
    if a.ndim != 2:
        raise ValueError(f"aiaprep: expected a 2-D image, got an array of shape {a.shape}")
    native = a.dtype.newbyteorder("=")  # FITS data are big-endian
    want = native if native in [np.dtype(d) for d in dtypes] else np.dtype(default)
    return np.ascontiguousarray(a, dtype=want)


def view(a):
    """The aia_view of a usable array (see usable)."""
    return _lib.View(a.ctypes.data, a.shape[1], a.shape[0], a.strides[0] // a.itemsize, _TYPES[a.dtype])


def check_output(out, shape, dtypes=(np.float32, np.float64)):
    if not usable(out, dtypes) or out.shape != tuple(shape) or not out.flags.writeable:
        names = "/".join(np.dtype(d).name for d in dtypes)
        raise ValueError(f"aiaprep: out must be a writeable {names} array of shape {tuple(shape)} with "
                         f"contiguous rows, got {getattr(out, 'dtype', type(out))} {getattr(out, 'shape', '')}")
    return out


class _OwnedImage:
    """Holds an aia_image the library allocated; numpy arrays made from it
    keep it alive, and it is freed with the last of them."""

    def __init__(self, ptr):
        self._ptr = ptr
        img = ptr.contents
        self.__array_interface__ = {
            "shape": (img.height, img.width),
            "typestr": _DTYPES[img.pixtype].str,
            "data": (img.data, False),
            "version": 3,
        }

    def __del__(self):
        if getattr(self, "_ptr", None) is not None:
            lib.aia_image_free(self._ptr)
            self._ptr = None


def owned_pixels(ptr):
    """The pixels of a library-allocated aia_image as a numpy array (no
    copy); the image is freed when the array is."""
    return np.asarray(_OwnedImage(ptr))


def borrowed_image(a, header_ptr):
    """An aia_image describing a contiguous usable array (for calls that take
    an image, not a view). The array must outlive the call; nothing is freed
    through it."""
    a = np.ascontiguousarray(a)
    img = _lib.Image()
    img.width, img.height = a.shape[1], a.shape[0]
    img.pixtype = _TYPES[a.dtype]
    img.data = a.ctypes.data
    img.capacity = a.nbytes
    img.header = header_ptr
    return img, a
