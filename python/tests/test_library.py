"""The binding itself: which library it loads and how it says it cannot,
the C structs it declares against the header's, errors with the library's
messages."""
import ctypes
import os
import pickle
import subprocess
import sys

import pytest

import aiaprep
from aiaprep import _lib


def test_loads_the_library_named_by_the_environment():
    if "AIAPREP_LIBRARY" not in os.environ:
        pytest.skip("AIAPREP_LIBRARY is not set (ctest sets it)")
    assert aiaprep.library_path() == os.environ["AIAPREP_LIBRARY"]
    assert aiaprep.version().count(".") == 2
    assert aiaprep.kernels() in ("generic", "avx2", "avx512")
    assert "cpu" in aiaprep.backends().split()


def test_a_missing_library_is_a_clear_import_error():
    env = dict(os.environ, AIAPREP_LIBRARY="/nonexistent/libaiaprep.so")
    r = subprocess.run([sys.executable, "-c", "import aiaprep"], env=env, capture_output=True, text=True)
    assert r.returncode != 0
    assert "ImportError: aiaprep: cannot load the aiaprep C library" in r.stderr
    assert "/nonexistent/libaiaprep.so" in r.stderr and "AIAPREP_LIBRARY" in r.stderr


def test_calls_release_the_gil():
    # ctypes.CDLL (unlike PyDLL) releases the GIL around every call
    assert isinstance(_lib.lib, ctypes.CDLL) and not isinstance(_lib.lib, ctypes.PyDLL)


_STRUCTS = {
    "aia_view": _lib.View, "aia_source_info": _lib.SourceInfo, "aia_image": _lib.Image,
    "aia_register_options": _lib.RegisterOptions, "aia_register_info": _lib.RegisterInfo,
    "aia_psf_options": _lib.PsfOptions, "aia_psf_info": _lib.PsfInfo,
    "aia_deconv_options": _lib.DeconvOptions, "aia_deconv_info": _lib.DeconvInfo,
    "aia_pointing_report": _lib.PointingReport, "aia_uncertainty_options": _lib.UncertaintyOptions,
    "aia_uncertainty_terms": _lib.UncertaintyTerms, "aia_synth_params": _lib.SynthParams,
    "aia_write_result": _lib.WriteResult, "aia_pipeline_summary": _lib.PipelineSummary,
    "aia_pipeline_options": _lib.PipelineOptions,
}


def test_struct_layouts_match_the_header():
    exe = os.environ.get("AIAPREP_ABI_LAYOUT")
    if not exe:
        pytest.skip("AIAPREP_ABI_LAYOUT is not set (ctest sets it to the build's abi_layout)")
    lines = subprocess.run([exe], check=True, capture_output=True, text=True).stdout.split("\n")
    seen = set()
    for line in filter(None, lines):
        what, value = line.split()
        name, _, field = what.partition(".")
        cls = _STRUCTS[name]
        seen.add(name)
        got = getattr(cls, field).offset if field else ctypes.sizeof(cls)
        assert got == int(value), f"{what}: the binding has {got}, the header {value}"
    assert seen == set(_STRUCTS)


def test_errors_carry_the_library_message(tmp_path):
    with pytest.raises(aiaprep.AiaprepIOError) as e:
        aiaprep.read(tmp_path / "none.fits")
    assert isinstance(e.value, OSError) and isinstance(e.value, aiaprep.AiaprepError)
    assert str(e.value) == f"{tmp_path / 'none.fits'}: cannot open: No such file or directory"
    assert e.value.status_name == "AIA_ERR_IO"
    bad = tmp_path / "bad.fits"
    bad.write_text("not a FITS file at all" * 10)
    with pytest.raises(ValueError, match="not a FITS file"):
        aiaprep.read(bad)
    copy = pickle.loads(pickle.dumps(e.value))
    assert type(copy) is type(e.value) and str(copy) == str(e.value) and copy.status == e.value.status
