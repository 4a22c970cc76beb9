"""Finding and loading libaiaprep.so, and the C declarations of include/aiaprep.h
the binding uses (ctypes: nothing is compiled at install time).

Where the library comes from, first match wins:

1. the environment variable ``AIAPREP_LIBRARY``: the path of a
   libaiaprep.so (a build tree's ``build/libaiaprep.so``);
2. the path recorded at install time in ``aiaprep/_install.py`` (``make
   install`` writes it relative to the package, so a DESTDIR-staged tree
   finds its own copy; ``pip install`` records ``AIAPREP_LIBRARY`` when it
   is set during the install);
3. the system's loader: ``libaiaprep.so.0`` on the usual library paths
   (``ldconfig``, ``LD_LIBRARY_PATH``).

When none loads, importing aiaprep raises ImportError listing each place
tried and why it failed.

Functions called through ctypes.CDLL release the GIL for the duration of
the call, so every long library call lets other Python threads run."""
import ctypes
import os
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char, c_char_p, c_double, c_float, c_int,
                    c_long, c_longlong, c_size_t, c_uint, c_void_p)

SONAME = "libaiaprep.so.0"


def _candidates():
    env = os.environ.get("AIAPREP_LIBRARY")
    if env:
        yield "AIAPREP_LIBRARY", env
        return  # an explicit choice is not second-guessed
    try:
        from . import _install
    except ImportError:
        _install = None
    if _install is not None and getattr(_install, "LIBRARY", None):
        path = _install.LIBRARY
        if not os.path.isabs(path):
            path = os.path.normpath(os.path.join(os.path.dirname(__file__), path))
        yield "recorded at install time (aiaprep/_install.py)", path
    yield "the system's library path", SONAME


def _load():
    tried = []
    for where, path in _candidates():
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            tried.append(f"  {where}: {path}: {e}")
    raise ImportError(
        "aiaprep: cannot load the aiaprep C library (libaiaprep.so). Tried:\n" + "\n".join(tried) +
        "\nBuild the project (make) and set AIAPREP_LIBRARY to the built library, e.g. "
        "AIAPREP_LIBRARY=/path/to/aiaprep/build/libaiaprep.so, or install it (make install).")


lib, LIBRARY_PATH = _load()


def _fork_safe():
    """GNU OpenMP cannot use its thread pool in a child made by fork (the
    pool's threads are not there): the child's first parallel region would
    hang. A forked child (multiprocessing's default on Linux) therefore runs
    the library's parallel loops on one thread in the forking thread, which
    is what a process pool wants anyway; threads it starts itself, and
    children made by spawn or forkserver, get every core."""
    try:
        gomp = ctypes.CDLL("libgomp.so.1", mode=os.RTLD_NOLOAD)
    except OSError:
        return  # not GNU OpenMP: nothing to do
    gomp.omp_set_num_threads.argtypes = [c_int]
    os.register_at_fork(after_in_child=lambda: gomp.omp_set_num_threads(1))


_fork_safe()

# ---- enums and constants (include/aiaprep.h) -------------------------------
AIA_OK = 0
STATUS_NAMES = ["AIA_OK", "AIA_ERR_NOMEM", "AIA_ERR_ARG", "AIA_ERR_IO", "AIA_ERR_NOT_REGULAR",
                "AIA_ERR_NOT_FITS", "AIA_ERR_TRUNCATED", "AIA_ERR_NO_IMAGE", "AIA_ERR_FITS",
                "AIA_ERR_KEY_MISSING", "AIA_ERR_KEY_MALFORMED", "AIA_ERR_EXISTS", "AIA_ERR_SAME_FILE",
                "AIA_ERR_RANGE", "AIA_ERR_UNSUPPORTED", "AIA_ERR_NOT_IMPLEMENTED",
                "AIA_ERR_NOT_FULL_DISK", "AIA_ERR_BAD_DATA", "AIA_ERR_CORRUPT", "AIA_ERR_CHECKSUM",
                "AIA_ERR_INTERRUPTED"]
globals().update({name: code for code, name in enumerate(STATUS_NAMES)})
AIA_PIX_F32, AIA_PIX_F64 = 1, 2
AIA_INTERP_SPLINE, AIA_INTERP_CUBIC_CONVOLUTION = 0, 1
AIA_GRID_FULL, AIA_GRID_AIAPY = 0, 1
AIA_MISSING_AUTO, AIA_MISSING_MIN, AIA_MISSING_NAN, AIA_MISSING_VALUE = 0, 1, 2, 3
AIA_PREP_STAGES = 3
PREP_STATUS = {0: "pending", 1: "done", 2: "skipped", 3: "failed"}
POINTING_WARN_RESAMPLED, POINTING_WARN_DATE_OBS, POINTING_WARN_NO_MP = 1, 2, 4
POINTING_WARN_MISSING_VALUE, POINTING_WARN_NO_SAT_ROT = 8, 16


# ---- structs ----------------------------------------------------------------
class View(Structure):
    _fields_ = [("data", c_void_p), ("width", c_long), ("height", c_long), ("stride", c_long),
                ("type", c_int)]


class SourceInfo(Structure):
    _fields_ = [("bitpix", c_int), ("hdu", c_int), ("compressed", c_int), ("compression", c_char * 16),
                ("bscale", c_double), ("bzero", c_double), ("has_blank", c_int), ("blank", c_longlong),
                ("file_bytes", c_longlong), ("gzip", c_int), ("range_known", c_int), ("has_nulls", c_int),
                ("data_min", c_double), ("data_max", c_double)]


class Image(Structure):
    _fields_ = [("width", c_long), ("height", c_long), ("pixtype", c_int), ("data", c_void_p),
                ("capacity", c_size_t), ("header", c_void_p), ("source", SourceInfo)]


class RegisterOptions(Structure):
    _fields_ = [("order", c_int), ("interp", c_int), ("grid", c_int), ("scale", c_double),
                ("missing", c_int), ("missing_value", c_double), ("device", c_char_p)]


class RegisterInfo(Structure):
    _fields_ = [("scale_factor", c_double), ("target_scale", c_double), ("pad_x", c_long),
                ("pad_y", c_long), ("missing", c_float), ("nan_input", c_longlong),
                ("nan_output", c_longlong), ("level_warning", c_int), ("seconds_scan", c_double),
                ("seconds_prefilter", c_double), ("seconds_sample", c_double),
                ("seconds_finish", c_double), ("cutout", c_int), ("ccd_x0", c_long), ("ccd_y0", c_long),
                ("grid_x0", c_long), ("grid_y0", c_long), ("grid_width", c_long), ("grid_height", c_long),
                ("clip_min", c_float), ("clip_max", c_float)]


class PsfOptions(Structure):
    _fields_ = [("channel", c_int), ("preflight_core", c_int), ("orders", POINTER(c_int)),
                ("norders", c_int), ("threads", c_int), ("device", c_char_p)]


class PsfInfo(Structure):
    _fields_ = [("seconds_spikes", c_double), ("seconds_fft", c_double), ("from_cache", c_int)]


class DeconvOptions(Structure):
    _fields_ = [("iterations", c_int), ("clip_negative", c_int)]


class DeconvInfo(Structure):
    _fields_ = [("filled_pixels", c_longlong), ("negative_pixels", c_longlong), ("seconds", c_double)]


class PointingReport(Structure):
    _fields_ = [("row", c_long), ("t_start", c_char * 32), ("t_stop", c_char * 32),
                ("old_crpix", c_double * 2), ("new_crpix", c_double * 2), ("old_cdelt", c_double),
                ("new_cdelt", c_double), ("old_crota2", c_double), ("new_crota2", c_double),
                ("old_x0", c_double), ("new_x0", c_double), ("old_y0", c_double), ("new_y0", c_double),
                ("warnings", c_uint), ("missing", c_char * 160)]


class UncertaintyOptions(Structure):
    _fields_ = [("n_sample", c_int), ("include_preflight", c_int), ("include_eve", c_int),
                ("include_chianti", c_int), ("compare_idl", c_int)]


class UncertaintyTerms(Structure):
    _fields_ = [("dn_per_photon", c_double), ("compress", c_double), ("calibration", c_double),
                ("chianti", c_double), ("read_noise", c_double), ("n_sample", c_int)]


class SynthParams(Structure):
    _fields_ = [("channel", c_int), ("size", c_long), ("roll_deg", c_double), ("scale_arcsec", c_double),
                ("center_x", c_double), ("center_y", c_double), ("seed", ctypes.c_uint64)]


class WriteResult(Structure):
    _fields_ = [("type", c_int), ("compression", c_int), ("promoted_to_int32", c_int),
                ("blank_pixels", c_longlong), ("quantum", c_double)]


class PipelineSummary(Structure):
    _fields_ = [("total", c_long), ("done", c_long), ("skipped", c_long), ("failed", c_long),
                ("not_started", c_long), ("interrupted", c_int), ("seconds", c_double),
                ("stage_median", c_double * AIA_PREP_STAGES), ("workers", c_int), ("threads_per_worker", c_int),
                ("skipped_quality", c_long), ("skipped_by_flag", c_long * 32)]


ON_ITEM = CFUNCTYPE(None, c_void_p, c_void_p)
ON_PROGRESS = CFUNCTYPE(None, POINTER(PipelineSummary), c_long, c_long, c_void_p)
NEXT_INPUT = CFUNCTYPE(c_void_p, c_void_p)


class PipelineOptions(Structure):
    _fields_ = [("threads", c_int), ("max_in_flight", c_int), ("log", c_void_p), ("on_item", ON_ITEM),
                ("on_progress", ON_PROGRESS), ("progress_interval", c_double), ("next_input", NEXT_INPUT),
                ("user", c_void_p), ("stop", POINTER(c_int))]


# ---- functions: name, result type, argument types ---------------------------
_P = c_void_p  # opaque pointers (aia_header *, plans, tables, ...)
_PROTOTYPES = {
    "aia_strerror": (c_char_p, [c_int]),
    "aia_last_error": (c_char_p, []),
    "aia_now_seconds": (c_double, []),
    "aia_version": (c_char_p, []),
    "aia_kernels": (c_char_p, []),
    "aia_kernels_note": (c_char_p, []),
    "aia_kernels_built": (c_char_p, []),
    "aia_backends": (c_char_p, []),
    "aia_rice_codec": (c_char_p, []),
    "aia_header_new": (_P, []),
    "aia_header_free": (None, [_P]),
    "aia_header_count": (c_size_t, [_P]),
    "aia_header_card": (c_char_p, [_P, c_size_t]),
    "aia_header_append_card": (c_int, [_P, c_char_p]),
    "aia_image_free": (None, [POINTER(Image)]),
    "aia_image_read": (c_int, [c_char_p, c_int, POINTER(POINTER(Image))]),
    "aia_workspace_new": (_P, []),
    "aia_workspace_free": (None, [_P]),
    "aia_register_plan_new": (c_int, [_P, c_long, c_long, POINTER(RegisterOptions), POINTER(_P)]),
    "aia_register_plan_free": (None, [_P]),
    "aia_register_plan_shape": (None, [_P, POINTER(c_long), POINTER(c_long)]),
    "aia_register_plan_header": (c_int, [_P, _P]),
    "aia_register_execute": (c_int, [_P, View, View, _P, POINTER(RegisterInfo)]),
    "aia_psf_options_default": (None, [POINTER(PsfOptions), c_int]),
    "aia_psf_cached": (c_int, [POINTER(PsfOptions), c_char_p, POINTER(POINTER(Image)), POINTER(PsfInfo)]),
    "aia_deconv_plan_new": (c_int, [POINTER(Image), c_int, c_int, POINTER(_P)]),
    "aia_deconv_plan_new_on": (c_int, [POINTER(Image), c_int, c_int, c_char_p, POINTER(_P)]),
    "aia_deconv_plan_free": (None, [_P]),
    "aia_deconvolve_execute": (c_int, [_P, View, View, POINTER(DeconvOptions), POINTER(DeconvInfo)]),
    "aia_deconvolve_header": (c_int, [_P, POINTER(DeconvOptions), _P]),
    "aia_pointing_table_read": (c_int, [c_char_p, POINTER(_P)]),
    "aia_pointing_table_free": (None, [_P]),
    "aia_update_pointing": (c_int, [_P, _P, POINTER(PointingReport)]),
    "aia_response_table_read": (c_int, [c_char_p, POINTER(_P)]),
    "aia_response_table_free": (None, [_P]),
    "aia_degradation": (c_int, [_P, c_int, c_char_p, c_int, POINTER(c_double)]),
    "aia_correct_degradation": (c_int, [View, _P, _P, c_int, POINTER(c_double)]),
    "aia_uncertainty_table_read": (c_int, [c_char_p, POINTER(_P)]),
    "aia_uncertainty_table_free": (None, [_P]),
    "aia_uncertainty_options_default": (None, [POINTER(UncertaintyOptions)]),
    "aia_uncertainty_model": (c_int, [_P, c_int, POINTER(UncertaintyOptions), POINTER(UncertaintyTerms)]),
    "aia_estimate_error": (c_int, [View, POINTER(UncertaintyTerms), View]),
    "aia_respike": (c_int, [View, _P, c_char_p, POINTER(c_long)]),
    "aia_normalize_exposure": (c_int, [View, _P]),
    "aia_synth_defaults": (c_int, [c_int, c_long, POINTER(SynthParams)]),
    "aia_synth": (c_int, [POINTER(SynthParams), POINTER(POINTER(Image))]),
    "aia_prep_options_new": (_P, []),
    "aia_prep_options_free": (None, [_P]),
    "aia_prep_option": (c_int, [_P, c_char_p, c_char_p]),
    "aia_prep_options_check": (c_int, [_P, c_long]),
    "aia_prep_options_outdir": (c_char_p, [_P]),
    "aia_prep_item_input": (c_char_p, [_P]),
    "aia_prep_item_output": (c_char_p, [_P]),
    "aia_prep_item_status": (c_int, [_P]),
    "aia_prep_item_error": (c_int, [_P]),
    "aia_prep_item_message": (c_char_p, [_P]),
    "aia_prep_item_warnings": (c_char_p, [_P]),
    "aia_prep_item_seconds": (c_double, [_P, c_int]),
    "aia_prep_item_written": (WriteResult, [_P]),
    "aia_out_type_name": (c_char_p, [c_int]),
    "aia_compression_name": (c_char_p, [c_int]),
    "aia_pipeline_options_default": (None, [POINTER(PipelineOptions)]),
    "aia_pipeline_run": (c_int, [POINTER(c_char_p), c_long, _P, POINTER(PipelineOptions),
                                 POINTER(PipelineSummary)]),
    "aia_cleanup_temporaries": (c_int, [c_char_p, POINTER(c_int)]),
}
for _name, (_res, _args) in _PROTOTYPES.items():
    _f = getattr(lib, _name)
    _f.restype = _res
    _f.argtypes = _args


def text(b):
    """A C string from the library as str ('' for NULL)."""
    return b.decode("utf-8", "replace") if b else ""


def encode_path(path):
    return os.fsencode(os.fspath(path))
