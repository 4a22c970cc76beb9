"""The usual parallel tools: the functions, plans, results and errors pickle;
process pools run the drop-in (fork and spawn); the examples of
python/README.md run (Dask's only where Debian's python3-dask is)."""
import importlib.util
import multiprocessing
import os
import pathlib
import pickle
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest
from astropy.io import fits

import aiaprep
import aiaprep.calibrate
import aiaprep.psf
from conftest import synth_map

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"


def test_everything_public_pickles():
    functions = [getattr(aiaprep.calibrate, n) for n in aiaprep.calibrate.__all__]
    functions += [getattr(aiaprep.psf, n) for n in aiaprep.psf.__all__]
    functions += [aiaprep.register, aiaprep.deconvolve, aiaprep.prep_files, aiaprep.read_map]
    for f in functions:
        assert pickle.loads(pickle.dumps(f)) is f, f
    data, header = aiaprep.synth(171, 256, seed=1)
    plan = aiaprep.RegisterPlan(header, data.shape, grid="aiapy")
    assert np.array_equal(pickle.loads(pickle.dumps(plan)).execute(data), plan.execute(data))
    result = aiaprep.PrepResult("a.fits", "b.fits", "failed", "a.fits: bad", "AIA_ERR_NOT_FITS")
    assert pickle.loads(pickle.dumps(result)) == result


def _register_sum(m):
    return float(np.nansum(aiaprep.calibrate.register(m).data))


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_process_pools_run_the_drop_in(method):
    if os.environ.get("AIAPREP_SANITIZED") and method == "spawn":
        pytest.skip("spawned interpreters do not start under the sanitizer runtime preload")
    maps = [synth_map(171, 256, seed=s) for s in (1, 2)]
    here = [_register_sum(m) for m in maps]  # the library has run in this process before the fork
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context(method)) as pool:
        assert list(pool.map(_register_sum, maps)) == here


@pytest.fixture(scope="module")
def frames(tmp_path_factory):
    d = tmp_path_factory.mktemp("frames")
    paths = []
    for ch, seed in ((171, 1), (193, 2)):
        data, header = aiaprep.synth(ch, 512, seed=seed)
        paths.append(str(d / f"aia_lev1_{ch}a.fits"))
        fits.PrimaryHDU(np.array(data), header).writeto(paths[-1])
    return paths


def _run(example, *args):
    r = subprocess.run([sys.executable, str(EXAMPLES / example), *args], capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    return r.stdout


@pytest.mark.parametrize("example", ["threads.py", "multiprocessing_pool.py"])
def test_examples_on_maps(example, frames):
    if os.environ.get("AIAPREP_SANITIZED") and example != "threads.py":
        pytest.skip("spawned interpreters do not start under the sanitizer runtime preload")
    lines = _run(example, *frames).splitlines()
    assert lines == ["171 (512, 512) 1.5", "193 (512, 512) 1.5"]


@pytest.mark.parametrize("example", ["processes.py", "dask_example.py"])
def test_examples_on_files(example, frames, tmp_path):
    if example == "dask_example.py" and importlib.util.find_spec("dask") is None:
        pytest.skip("Debian's python3-dask is not installed (apt-get install python3-dask python3-distributed)")
    if os.environ.get("AIAPREP_SANITIZED"):
        pytest.skip("spawned interpreters do not start under the sanitizer runtime preload")
    out = _run(example, str(tmp_path), *frames)
    for ch in (171, 193):
        path = tmp_path / f"aia_lev1.5_{ch}a.fits"
        assert str(path) in out
        with fits.open(path) as h:
            assert h[0].header["LVL_NUM"] == 1.5
    if example == "dask_example.py" and importlib.util.find_spec("distributed") is not None:
        assert out.count("client.map") == 2
