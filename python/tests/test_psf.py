"""aiaprep.psf against aiapy: calculate_psf and deconvolve against aiapy's
reference outputs and its restated numpy loop, the mesh table, aiapy's
warnings and errors, plans reused and pickled."""
import pickle
import warnings

import astropy.units as u
import numpy as np
import pytest
from sunpy.util.exceptions import SunpyDeprecationWarning

import aiaprep
import aiapy_twins
from aiaprep.psf import calculate_psf, deconvolve, filter_mesh_parameters, psf
from aiaprep.utils import AiaprepUserWarning
from conftest import level1_path, load_map, reference, sampled, synth_map


@pytest.mark.parametrize("name, channel, preflight", [("psf_171", 171, False), ("psf_94_preflight", 94, True)])
def test_calculate_psf_against_aiapys(shared, name, channel, preflight):
    ref, parts = reference(shared, f"psf/{name}.fits")
    p = calculate_psf(channel * u.angstrom, use_preflightcore=preflight)
    assert isinstance(p, np.ndarray) and p.shape == (4096, 4096) and p.dtype == np.float64
    peak = p.max()
    assert np.unravel_index(np.argmax(p), p.shape) == (2048, 2048)
    for part in parts:
        got = sampled(p, part)
        assert np.all(np.abs(got - part[4]) <= 1e-9 * np.abs(part[4]) + 1e-15 * peak), part[0]


def test_calculate_psf_as_aiapys_tests_call_it():
    p = calculate_psf(94 * u.angstrom, use_preflightcore=True, diffraction_orders=[-1, 0, 1])
    assert isinstance(p, np.ndarray) and p.shape == (4096, 4096)
    assert p.sum() == pytest.approx(1.0, abs=1e-12)
    with pytest.warns(SunpyDeprecationWarning, match="psf"):
        old = psf(94 * u.angstrom, use_preflightcore=True, diffraction_orders=[-1, 0, 1])
    assert np.array_equal(old, p)
    with pytest.raises(ValueError, match=r'channel "1600.0 Angstrom" not in list of valid channels: '
                                         r'\[ 94\. 131\. 171\. 193\. 211\. 304\. 335\.\] Angstrom\.'):
        calculate_psf(1600 * u.angstrom)
    with pytest.raises(NotImplementedError, match="whole numbers"):
        calculate_psf(94 * u.angstrom, diffraction_orders=[0.5])


def test_filter_mesh_parameters():
    table = filter_mesh_parameters()
    keys = {"angle_arm", "error_angle_arm", "spacing_e", "mesh_pitch", "mesh_width", "spacing_fp", "width",
            "CDELT"}
    assert set(table) == {c * u.angstrom for c in (94, 131, 171, 193, 211, 304, 335)}
    assert all(set(v) == keys for v in table.values())
    assert table[171 * u.angstrom]["width"] == 4.5 * u.pixel
    assert filter_mesh_parameters(use_preflightcore=True)[193 * u.angstrom]["width"] == 1.512 * u.pixel
    assert table[335 * u.angstrom]["spacing_e"] == 31.83 * u.pixel


def test_deconvolve_against_aiapys_output(shared):
    m = load_map(level1_path(shared, 171), dtype=np.float64)  # as the reference was made
    ref, parts = reference(shared, "deconvolve/deconvolve_171.fits")
    lo = min(np.nanmin(p[4]) for p in parts)
    hi = max(np.nanmax(p[4]) for p in parts)
    double = deconvolve(m, precision="double")
    assert double.data.dtype == np.float64 and double.data.shape == (4096, 4096)
    assert dict(double.meta) == dict(m.meta)
    for part in parts:
        worst = np.max(np.abs(sampled(double.data, part) - part[4]))
        assert worst <= 1e-12 * (hi - lo), f"{part[0]}: {worst / (hi - lo):.3g} x range"
    single = deconvolve(m)  # the default: float32 FFTs
    assert single.data.dtype == np.float64
    for part in parts:
        got = sampled(single.data, part)
        rel = np.linalg.norm(got - part[4]) / np.linalg.norm(part[4])
        assert rel <= 1e-5, f"{part[0]}: relative L2 {rel:.3g}"


def _gaussian_psf(n, sigma=1.5):
    y, x = np.mgrid[:n, :n] - n // 2
    p = np.exp(-(x**2 + y**2) / (2 * sigma**2))
    return p / p.sum()


def test_deconvolve_is_aiapys_loop():
    m = synth_map(171, 128, seed=9)
    p = _gaussian_psf(128)
    theirs = aiapy_twins.richardson_lucy(m.data, p, iterations=5)
    ours = deconvolve(m, psf=p, iterations=5, precision="double")
    np.testing.assert_allclose(ours.data, theirs, rtol=1e-11, atol=1e-11 * np.abs(theirs).max())
    plan = aiaprep.DeconvolutionPlan(p, precision="double")
    again = deconvolve(m, psf=plan, iterations=5)  # a plan, reused as it is
    assert np.array_equal(again.data, ours.data)
    clone = pickle.loads(pickle.dumps(plan))
    assert np.array_equal(clone.execute(m.data, iterations=5, dtype=np.float64), ours.data)


def test_deconvolve_warns_as_aiapy():
    m = synth_map(171, 64, seed=2)
    assert (m.data < 0).any()
    p = _gaussian_psf(64)
    with pytest.warns(AiaprepUserWarning, match="Image contains negative intensity values. Consider setting "
                                                "clip_negative to True"):
        out = deconvolve(m, psf=p, iterations=1, clip_negative=False)
    assert out.data.shape == (64, 64)
    with warnings.catch_warnings():
        warnings.simplefilter("error", AiaprepUserWarning)
        deconvolve(m, psf=p, iterations=1)
    cpu = deconvolve(m, psf=p, iterations=2)
    try:  # a CUDA device where there is one; else the library's reason, naming CUDA
        gpu = deconvolve(m, psf=p, iterations=2, device="cuda")
    except aiaprep.AiaprepError as e:
        assert "CUDA" in str(e) or "cuda" in str(e), str(e)
    else:
        assert np.linalg.norm(gpu.data - cpu.data) <= 1e-5 * np.linalg.norm(cpu.data)
    with pytest.raises(TypeError, match="device must be a string"):
        deconvolve(m, psf=p, device=0)
    with pytest.raises(ValueError, match="the PSF is 64 x 64, the image 128 x 128"):
        deconvolve(synth_map(171, 128), psf=p)
