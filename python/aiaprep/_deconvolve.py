"""The instrument PSF and Richardson-Lucy deconvolution on arrays: a plan
per PSF (its spectrum and FFT plans), reusable across images and threads."""
import ctypes

import numpy as np

from . import _lib
from ._arrays import as_float, borrowed_image, check_output, owned_pixels, view
from ._header import CHeader
from .errors import check

lib = _lib.lib
PRECISIONS = {"single": _lib.AIA_PIX_F32, "double": _lib.AIA_PIX_F64}


def _device(device):
    """The C string of a device name: "cpu", "auto", "cuda" or "cuda:N"."""
    if not isinstance(device, str):
        raise TypeError(f"aiaprep: device must be a string ('cpu', 'auto', 'cuda', 'cuda:N'), got {device!r}")
    return device.encode()


def _psf_image(channel, preflight=False, orders=None, threads=0, cache_dir=None, device="cpu"):
    opts = _lib.PsfOptions()
    lib.aia_psf_options_default(ctypes.byref(opts), int(channel))
    opts.preflight_core = int(bool(preflight))
    opts.threads = int(threads)
    opts.device = _device(device)
    keep = None
    if orders is not None:
        orders = np.asarray(orders)
        if orders.size == 0 or not np.all(np.mod(orders, 1) == 0):
            raise NotImplementedError("aiaprep: diffraction orders must be whole numbers "
                                      f"(aiapy's are -100..100), got {orders!r}")
        keep = (ctypes.c_int * orders.size)(*(int(m) for m in orders.ravel()))
        opts.orders = ctypes.cast(keep, ctypes.POINTER(ctypes.c_int))
        opts.norders = orders.size
    out = ctypes.POINTER(_lib.Image)()
    cache = None if cache_dir is None else _lib.encode_path(cache_dir)
    check(lib.aia_psf_cached(ctypes.byref(opts), cache, ctypes.byref(out), None))
    return out


def psf(channel, *, preflight=False, orders=None, threads=0, cache_dir=None):
    """The 4096 x 4096 float64 PSF of an EUV channel (94, 131, 171, 193, 211,
    304, 335), as aiapy's calculate_psf: peak at [2048, 2048], sum 1.
    preflight: the preflight core width; orders: the diffraction orders to
    sum (default -100..100). Computed once and then read from the cache
    ($AIAPREP_CACHE, else ~/.cache/aiaprep; cache_dir overrides)."""
    return owned_pixels(_psf_image(channel, preflight, orders, threads, cache_dir))


class DeconvolutionPlan:
    """Richardson-Lucy with one PSF, built once and executed on many images
    (of the PSF's shape), from several threads at once if wanted.

    DeconvolutionPlan(psf_array) or DeconvolutionPlan(channel=171,
    preflight=False): the PSF given (square, a multiple of 8 in size) or the
    channel's (aiapy's calculate_psf, cached). precision: "single" (float32
    FFTs, within ~3e-7 of double) or "double" (aiapy's numbers to ~1e-14).
    threads: for the FFTs and the iterations (0: all cores). device: "cpu"
    (default), "auto" (the first CUDA device when one can be used, else the
    CPU), "cuda" or "cuda:N" (an error saying why when it cannot be used).
    Memory: 64 MiB (single) or 128 MiB (double) for 4096²."""

    def __init__(self, psf=None, *, channel=None, preflight=False, precision="single", threads=0, device="cpu"):
        if (psf is None) == (channel is None):
            raise ValueError("aiaprep: give a PSF array or a channel, not both or neither")
        if precision not in PRECISIONS:
            raise ValueError(f"aiaprep: precision must be 'single' or 'double', got {precision!r}")
        self.precision, self.threads, self.device = precision, int(threads), device
        dev = _device(device)
        self.channel, self.preflight = (None if channel is None else int(channel)), bool(preflight)
        self._psf = psf  # for pickling
        ptr = ctypes.c_void_p()
        if psf is None:
            img = _psf_image(channel, preflight, threads=threads)
            try:
                st = lib.aia_deconv_plan_new_on(img, PRECISIONS[precision], self.threads, dev, ctypes.byref(ptr))
            finally:
                lib.aia_image_free(img)
            check(st)
        else:
            psf = as_float(psf)
            header = CHeader()
            image, pixels = borrowed_image(psf, header.ptr)  # pixels: alive through the call
            check(lib.aia_deconv_plan_new_on(ctypes.byref(image), PRECISIONS[precision], self.threads, dev,
                                             ctypes.byref(ptr)))
        self._ptr = ptr
        self.shape = tuple(np.shape(psf)) if psf is not None else (4096, 4096)

    def __del__(self):
        if getattr(self, "_ptr", None):
            lib.aia_deconv_plan_free(self._ptr)
            self._ptr = None

    def __reduce__(self):
        return (_rebuild_deconvolution_plan,
                (self._psf, self.channel, self.preflight, self.precision, self.threads, self.device))

    def execute(self, data, out=None, *, iterations=25, clip_negative=True, dtype=None, info=False):
        """Deconvolve a level-1 image (the PSF's shape; float32 or float64
        used in place, other types converted). NaN pixels are filled for the
        iterations and NaN again in the output. out: an array to write to, or
        None for a new one of dtype (default float32 for a single plan,
        float64 for a double one). The GIL is released while it runs.
        Returns out, or (out, info) with info=True: filled_pixels,
        negative_pixels, seconds."""
        data = as_float(data)
        if data.shape != self.shape:
            raise ValueError(f"aiaprep: the PSF is {self.shape[0]} x {self.shape[1]}, the image "
                             f"{data.shape[0]} x {data.shape[1]}: deconvolve the full level-1 frame, "
                             "before registration")
        if out is None:
            dtype = dtype or (np.float64 if self.precision == "double" else np.float32)
            out = np.empty(self.shape, dtype)
        else:
            check_output(out, self.shape)
        opts = _lib.DeconvOptions(int(iterations), int(bool(clip_negative)))
        di = _lib.DeconvInfo()
        check(lib.aia_deconvolve_execute(self._ptr, view(data), view(out), ctypes.byref(opts),
                                         ctypes.byref(di)))
        if not info:
            return out
        return out, {"filled_pixels": di.filled_pixels, "negative_pixels": di.negative_pixels,
                     "seconds": di.seconds}


def _rebuild_deconvolution_plan(psf, channel, preflight, precision, threads, device="cpu"):
    return DeconvolutionPlan(psf, channel=channel, preflight=preflight, precision=precision, threads=threads,
                             device=device)


def deconvolve(data, psf=None, *, channel=None, iterations=25, clip_negative=True, precision="single",
               threads=0, device="cpu", out=None):
    """Richardson-Lucy deconvolution of a level-1 image with a PSF array, a
    DeconvolutionPlan, or the PSF of channel. For many images, build a
    DeconvolutionPlan once and call its execute."""
    plan = psf if isinstance(psf, DeconvolutionPlan) else DeconvolutionPlan(
        psf, channel=channel, precision=precision, threads=threads, device=device)
    return plan.execute(data, out, iterations=iterations, clip_negative=clip_negative)
