"""Fixtures of the Python package's tests.

The tests use the library named by AIAPREP_LIBRARY (ctest sets it to the
build's) and the sample data in ../shared (AIAPREP_DATA, else
AIAPREP_DEFAULT_SHARED, else ../shared beside the checkout); tests that
need the data are skipped, with the reason, without it. aiapy is not
installed (Debian has no package): where a test compares with aiapy, aiapy's
steps are restated with the sunpy/numpy calls they make (aiapy_twins.py)."""
import os
import pathlib
import warnings

import numpy as np
import pytest
import sunpy.map

import aiaprep

HERE = pathlib.Path(__file__).resolve().parent


def shared_dir():
    for candidate in (os.environ.get("AIAPREP_DATA"), os.environ.get("AIAPREP_DEFAULT_SHARED"),
                      HERE.parents[2] / "shared"):
        if candidate and (pathlib.Path(candidate) / "data").is_dir():
            return pathlib.Path(candidate)
    return None


@pytest.fixture(scope="session")
def shared():
    d = shared_dir()
    if d is None:
        pytest.skip("the sample data (../shared, or AIAPREP_DATA) is not there")
    return d


def level1_path(shared, channel):
    p = shared / "data" / "level1" / f"aia_lev1_{channel}a_2014_01_01_synthetic.fits"
    if not p.exists():
        pytest.skip(f"{p} is not there")
    return p


def load_map(path, dtype=np.float32):
    """A level-1 map as aiapy's reference outputs were made: the frame read
    with astropy, its data as dtype."""
    from astropy.io import fits
    with fits.open(path) as h:
        hdu = h[1] if h[0].data is None else h[0]
        return sunpy.map.Map(hdu.data.astype(dtype), hdu.header)


@pytest.fixture(scope="session")
def map171(shared):
    return load_map(level1_path(shared, 171))


def synth_map(channel=171, size=512, **kwargs):
    """A synthetic full-disk level-1 AIAMap from the library (float32)."""
    data, header = aiaprep.synth(channel, size, **kwargs)
    return sunpy.map.Map(np.array(data), header)


@pytest.fixture
def small_map():
    return synth_map(171, 512, roll=1.3, scale=4.8 * 1.0013, center=(258.3, 251.7), seed=5)


@pytest.fixture
def tables(shared):
    t = shared / "data" / "tables"
    return {"response": t / "aia_V10_20201119_190000_response_table.txt",
            "error": t / "aia_V3_error_table.txt", "pointing": t / "aia_pointing_table_sample.csv"}


@pytest.fixture(autouse=True)
def _quiet_astropy():
    # astropy's leap-second table of Debian bookworm is "expired": not ours
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*leap-second.*")
        warnings.filterwarnings("ignore", message=".*IERS.*")
        yield


def pytest_terminal_summary(terminalreporter):
    """The summary line every test program of the project prints."""
    stats = terminalreporter.stats
    failed = len(stats.get("failed", [])) + len(stats.get("error", []))
    ran = failed + len(stats.get("passed", []))
    skipped = len(stats.get("skipped", []))
    terminalreporter.write_line(f"test_python: {ran} checks, {failed} failed ({skipped} skipped)")


def reference(shared, name):
    """aiaprep's sample of an aiapy output (../shared/reference): the header
    values aiapy wrote, and (name, row0, col0, stride, pixels) parts: the
    every-7th-pixel sample and two full-resolution tiles."""
    from astropy.io import fits
    path = shared / "reference" / name
    if not path.exists():
        pytest.skip(f"{path} is not there")
    with fits.open(path) as h:
        header = h[0].header
        parts = [(p.name, p.header.get("ROW0", 0), p.header.get("COL0", 0), 7 if p.name == "STRIDED" else 1,
                  p.data.astype(np.float64)) for p in h[1:]]
    return header, parts


def sampled(image, part):
    """The pixels of image where a reference part sampled aiapy's."""
    _, row0, col0, stride, ref = part
    return image[row0:row0 + stride * ref.shape[0]:stride, col0:col0 + stride * ref.shape[1]:stride]
