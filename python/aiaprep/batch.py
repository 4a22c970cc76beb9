"""Batches: files through the library's pipeline (aiaprep prep), from Python.

    results = aiaprep.prep_files(["a.fits", "frames/"], "out/", grid="aiapy",
                                 deconvolve=True, on_progress=print)

Keyword options are aiaprep prep's command-line options with '_' for '-'
(``calibration_version=10`` is ``--calibration-version 10``): True sets a
switch, False or None leaves it out, anything else is the option's value.
The run happens in the library's threads with the GIL released; the
callbacks are called from those threads (keep them short: the pipeline
waits for them)."""
import ctypes
import ctypes.util
import os
import threading
from dataclasses import dataclass, field

from . import _lib
from .errors import AiaprepIOError, check, error

lib = _lib.lib
STAGES = ("load", "process", "store")
_FITS_EXTENSIONS = (".fits", ".fit", ".fts", ".fits.fz", ".fits.gz")


@dataclass
class PrepResult:
    """What happened to one input."""
    input: str
    output: str
    status: str                # "done", "skipped" or "failed"
    message: str = ""          # the error (naming the input), or why it was skipped
    error: str = ""            # the library's status name when failed, e.g. AIA_ERR_NOT_FULL_DISK
    warnings: list = field(default_factory=list)
    seconds: dict = field(default_factory=dict)  # per stage: load, process, store
    written: dict = field(default_factory=dict)  # when done: type, compression, promoted_to_int32, ...

    @property
    def ok(self):
        return self.status != "failed"


@dataclass
class Progress:
    """A run so far, as on_progress sees it."""
    finished: int
    total: int
    done: int
    skipped: int
    failed: int
    seconds: float
    workers: int
    interrupted: bool = False  # Ctrl-C: no new file is started


def _result(item):
    st = lib.aia_prep_item_status(item)
    status = _lib.PREP_STATUS.get(st, str(st))
    warnings = _lib.text(lib.aia_prep_item_warnings(item))
    written = {}
    if status == "done":
        w = lib.aia_prep_item_written(item)
        written = {"type": _lib.text(lib.aia_out_type_name(w.type)),
                   "compression": _lib.text(lib.aia_compression_name(w.compression)),
                   "promoted_to_int32": bool(w.promoted_to_int32), "blank_pixels": w.blank_pixels}
    code = lib.aia_prep_item_error(item) if status == "failed" else 0
    return PrepResult(
        input=_lib.text(lib.aia_prep_item_input(item)), output=_lib.text(lib.aia_prep_item_output(item)),
        status=status, message=_lib.text(lib.aia_prep_item_message(item)),
        error=_lib.STATUS_NAMES[code] if status == "failed" and 0 < code < len(_lib.STATUS_NAMES) else "",
        warnings=[w for w in warnings.split("; ") if w],
        seconds={s: lib.aia_prep_item_seconds(item, i) for i, s in enumerate(STAGES)}, written=written)


def expand_inputs(inputs):
    """Files as given, directories as their FITS files; sorted, without
    repeats (the order the program uses)."""
    if isinstance(inputs, (str, bytes, os.PathLike)):
        inputs = [inputs]
    paths = []
    for p in inputs:
        p = os.fsdecode(os.fspath(p))
        if os.path.isdir(p):
            paths += [os.path.join(p, n) for n in sorted(os.listdir(p))
                      if not n.startswith(".") and n.endswith(_FITS_EXTENSIONS)]
        else:
            paths.append(p)
    return sorted(set(paths))


def _option_args(options):
    """(name, value) pairs for aia_prep_option. The outputs' HISTORY is the
    library's (a card per step and the canonical options), as the program
    writes it: the same options give the same bytes."""
    pairs = []
    for key, value in options.items():
        name = key.replace("_", "-")
        if value is None or value is False:
            continue
        text = None if value is True else os.fsdecode(os.fspath(value)) if isinstance(
            value, (os.PathLike, bytes)) else str(value)
        pairs.append((name, text))
    return pairs


class _Options:
    def __init__(self, outdir, options):
        self.ptr = lib.aia_prep_options_new()
        if not self.ptr:
            raise MemoryError("aiaprep: out of memory for the options")
        pairs = _option_args(options)
        pairs.append(("output", os.fsdecode(os.fspath(outdir))))
        for name, value in pairs:
            st = lib.aia_prep_option(self.ptr, name.encode(), None if value is None else value.encode())
            check(st, f"prep_files option {name.replace('-', '_')}" + ("" if value is None else f"={value}"))

    def __del__(self):
        if getattr(self, "ptr", None):
            lib.aia_prep_options_free(self.ptr)
            self.ptr = None


def _libc():
    c = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    c.fopen.restype, c.fopen.argtypes = ctypes.c_void_p, [ctypes.c_char_p, ctypes.c_char_p]
    c.fclose.argtypes = [ctypes.c_void_p]
    return c


def _run_interruptibly(argv, n, opts, po, stop):
    """aia_pipeline_run in a thread of its own, so that Ctrl-C reaches this
    one: the first KeyboardInterrupt asks the pipeline to start no new file
    and to finish (and publish) those in flight, then is raised; a second
    one stops waiting at once (the next run in the directory removes what
    the files in flight left). Returns the run's error, or None."""
    outcome = {}

    def run():
        summary = _lib.PipelineSummary()
        st = lib.aia_pipeline_run(argv, n, opts.ptr, ctypes.byref(po), ctypes.byref(summary))
        outcome["error"] = error(st, "prep_files") if st else None  # the message is this thread's

    runner = threading.Thread(target=run, name="aiaprep-pipeline", daemon=True)
    runner.start()
    try:
        while runner.is_alive():
            runner.join(0.2)
    except KeyboardInterrupt:
        stop.value = 1
        runner.join()
        raise
    return outcome.get("error")


def prep_files(inputs, outdir, *, threads=0, on_item=None, on_progress=None, progress_interval=0.5,
               log=None, max_in_flight=0, **options):
    """Prepare files as ``aiaprep prep -o OUTDIR [options] INPUT...`` does:
    every file attempted, a bad one reported and the others go on; outputs
    written atomically (an existing one is skipped unless overwrite=True).

    inputs: a path or paths (directories stand for their FITS files).
    threads: cores to use (0: all). on_item(PrepResult): as each file
    finishes; on_progress(Progress): every progress_interval seconds.
    log: a file to append one JSON line per file to. options: the
    program's options (see the module's help).

    Returns a PrepResult per input, in the inputs' sorted order. A bad
    option raises an AiaprepError naming it before any file is touched; an
    exception in a callback is raised after the run. Ctrl-C (KeyboardInterrupt)
    starts no new file, lets the files in flight finish, then is raised: run
    the same call again to go on (done files are skipped)."""
    paths = expand_inputs(inputs)
    opts = _Options(outdir, options)
    check(lib.aia_prep_options_check(opts.ptr, len(paths)), "prep_files")
    out = _lib.text(lib.aia_prep_options_outdir(opts.ptr))
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as e:
        raise AiaprepIOError(_lib.AIA_ERR_IO, f"cannot write to the output directory {out}: {e}") from e
    if not os.access(out, os.W_OK | os.X_OK):
        raise AiaprepIOError(_lib.AIA_ERR_IO, f"cannot write to the output directory {out}")
    removed = ctypes.c_int()
    lib.aia_cleanup_temporaries(out.encode(), ctypes.byref(removed))

    results, problems = [], []

    def item_done(item, _user):
        try:
            r = _result(item)
            results.append(r)
            if on_item is not None:
                on_item(r)
        except BaseException as e:  # noqa: BLE001 - handed back after the run
            problems.append(e)

    def progress(sum_ptr, finished, total, _user):
        try:
            if on_progress is not None:
                s = sum_ptr.contents
                on_progress(Progress(finished, total, s.done, s.skipped, s.failed, s.seconds, s.workers,
                                     bool(stop.value)))
        except BaseException as e:  # noqa: BLE001
            problems.append(e)

    po = _lib.PipelineOptions()
    lib.aia_pipeline_options_default(ctypes.byref(po))
    po.threads, po.max_in_flight = int(threads), int(max_in_flight)
    po.progress_interval = float(progress_interval)
    po.on_item = _lib.ON_ITEM(item_done)  # referenced by po until the run ends
    po.on_progress = _lib.ON_PROGRESS(progress) if on_progress is not None else _lib.ON_PROGRESS()
    libc = logf = None
    if log is not None:
        libc = _libc()
        logf = libc.fopen(os.fsencode(os.fspath(log)), b"a")
        if not logf:
            raise AiaprepIOError(_lib.AIA_ERR_IO, f"cannot open the log {log}: "
                                                  f"{os.strerror(ctypes.get_errno())}")
        po.log = logf
    stop = ctypes.c_int(0)
    po.stop = ctypes.pointer(stop)
    argv = (ctypes.c_char_p * max(len(paths), 1))(*(os.fsencode(p) for p in paths))
    try:
        failure = _run_interruptibly(argv, len(paths), opts, po, stop)
    finally:
        if logf:
            libc.fclose(logf)
    if failure is not None:
        raise failure
    if problems:
        raise problems[0]
    order = {p: i for i, p in enumerate(paths)}
    results.sort(key=lambda r: order.get(r.input, len(order)))
    return results
