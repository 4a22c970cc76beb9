"""The array level: numpy in and out without copies, plans reused, threads,
memory, and the calibration steps against the library's own rules."""
import os
import threading
import time

import numpy as np
import pytest
from astropy.io import fits

import aiaprep
from aiaprep._arrays import _OwnedImage


def test_read_lends_the_library_buffer(shared):
    path = shared / "data" / "level1" / "aia_lev1_171a_2014_01_01_synthetic.fits"
    data, header = aiaprep.read(path)
    assert data.dtype == np.float32 and data.shape == (4096, 4096)
    assert isinstance(data.base, _OwnedImage)  # the library's pixels, not a copy
    assert isinstance(header, fits.Header) and header["WAVELNTH"] == 171
    with fits.open(path) as h:
        assert np.array_equal(data, h[1].data.astype(np.float32), equal_nan=True)


def test_register_plan_in_place_strided_and_grids():
    data, header = aiaprep.synth(171, 512, roll=0.05, scale=4.8 * 0.991, seed=3)
    full = aiaprep.RegisterPlan(header, data.shape, grid="4096")
    own = aiaprep.RegisterPlan(header, data.shape, grid="aiapy")
    assert full.shape == (512, 512) and own.shape == (508, 508)  # sunpy's unpadding
    out = np.empty(full.shape, np.float32)
    assert full.execute(data, out) is out  # written where asked
    # a sub-rectangle of a larger array is a view with a stride, not a copy
    big = np.zeros((600, 700), np.float32)
    big[10:522, 20:532] = data
    assert np.array_equal(full.execute(big[10:522, 20:532]), out)
    # where the grids overlap their pixels are the same
    small = own.execute(data)
    assert np.array_equal(small, out[2:-2, 2:-2])
    h = own.header(header)
    assert (h["NAXIS1"], h["CRPIX1"], h["LVL_NUM"]) == (508, 254.5, 1.5) and "CROTA2" not in h
    with pytest.raises(ValueError, match="the plan is for a"):
        full.execute(data[:100])
    with pytest.raises(ValueError, match="out must be"):
        full.execute(data, np.empty((512, 512), np.float64))


def test_register_errors_say_what_is_wrong():
    data, header = aiaprep.synth(171, 256, seed=2)
    cut = header.copy()
    cut["CRPIX1"] += 200  # the Sun off the frame: a cutout
    with pytest.raises(aiaprep.AiaprepValueError) as e:
        aiaprep.RegisterPlan(cut, data.shape)
    assert e.value.status_name == "AIA_ERR_NOT_FULL_DISK"
    del cut["CDELT1"]
    with pytest.raises(ValueError, match="CDELT1 is missing"):
        aiaprep.RegisterPlan(cut, data.shape)


def test_threads_register_two_images_as_one_at_a_time():
    frames = [aiaprep.synth(ch, 1024, seed=s) for ch, s in ((171, 1), (193, 2))]
    plans = [aiaprep.RegisterPlan(h, d.shape) for d, h in frames]
    alone = [p.execute(d) for p, (d, _) in zip(plans, frames)]
    together = [None, None]

    def run(i):
        for _ in range(3):
            together[i] = plans[i].execute(frames[i][0])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for a, b in zip(alone, together):
        assert np.array_equal(a, b)
    # one plan executed by two threads at once
    shared_plan, (d, _) = plans[0], frames[0]
    outs = [None, None]
    ts = [threading.Thread(target=lambda i=i: outs.__setitem__(i, shared_plan.execute(d))) for i in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert np.array_equal(outs[0], alone[0]) and np.array_equal(outs[1], alone[0])


def test_other_threads_run_while_the_library_works():
    """The GIL is released: the main thread executes Python while a worker
    is inside a library call (no timing asserted: only that it happened)."""
    rng = np.random.default_rng(1)
    psf = np.zeros((512, 512))
    psf[256, 256] = 1.0
    plan = aiaprep.DeconvolutionPlan(psf, precision="double", threads=1)
    img = rng.random((512, 512))
    window = {}

    def work():
        window["start"] = time.perf_counter()
        plan.execute(img, iterations=60)
        window["end"] = time.perf_counter()

    t = threading.Thread(target=work)
    stamps = []
    t.start()
    while t.is_alive():
        stamps.append(time.perf_counter())
    t.join()
    inside = [s for s in stamps if window["start"] < s < window["end"]]
    assert len(inside) > 10


def _rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_fifty_registrations_do_not_grow_the_process():
    data, header = aiaprep.synth(171, 2048, seed=4)
    plan = aiaprep.RegisterPlan(header, data.shape)
    image = data.nbytes
    for _ in range(3):
        plan.execute(data)  # the thread's workspace and allocator warm up
    base = _rss_bytes()
    peak = base
    for i in range(50):
        d2, h2 = aiaprep.synth(171, 2048, seed=4) if i % 10 == 0 else (data, header)
        out = aiaprep.RegisterPlan(h2, d2.shape).execute(d2)
        del out, d2
        peak = max(peak, _rss_bytes())
    assert peak - base < 4 * image, f"grew by {(peak - base) / image:.1f} images"


def test_estimate_error_is_aiapys_formula(tables):
    counts = np.array([[-3.0, 0.0, 10.0, 24.9], [25.0, 100.0, 1e4, np.nan]])
    err = aiaprep.estimate_error(counts, 171, tables["error"], n_sample=2, include_eve=True)
    g, comp, eve, rn, n = 1.122, 14.400, 0.019, 1.15, 2
    c = np.where(counts < 0, 0, counts)
    shot = np.sqrt(c / g) * g / np.sqrt(n)
    q = 1 / np.sqrt(12)
    cm = np.where(c < 25, 0, np.maximum(shot / comp, q)) / np.sqrt(n)
    want = np.sqrt(shot**2 + 0.18**2 + (rn / np.sqrt(n))**2 + (q / np.sqrt(n))**2 + cm**2 + (eve * c)**2)
    assert err.dtype == np.float64 and err.shape == counts.shape
    np.testing.assert_allclose(err, want, rtol=1e-14)
    assert np.isnan(err[1, 3])
    with pytest.raises(ValueError, match="exclude each other"):
        aiaprep.estimate_error(counts, 171, tables["error"], include_eve=True, include_preflight=True)


def test_pointing_degradation_exposure_on_headers(shared, tables):
    _, header = aiaprep.read(shared / "data" / "level1" / "aia_lev1_171a_2014_01_01_synthetic.fits")
    new, report = aiaprep.update_pointing(header, tables["pointing"])
    assert new["CRPIX1"] == pytest.approx(header["CRPIX1"] + report["new_x0"] - header["X0_MP"], abs=1e-9)
    assert new["CDELT1"] == report["new_cdelt"] and "PC1_1" not in new
    table = aiaprep.ResponseTable(tables["response"])  # read once, used twice
    d = aiaprep.degradation(table, 94, "2015-01-01T00:00:00")
    assert d == pytest.approx(0.9031803542673108, rel=1e-12)
    pix = np.full((8, 8), 100.0, np.float32)
    out, h2, factor = aiaprep.correct_degradation(pix, header, table)
    assert pix[0, 0] == 100.0 and h2["DEGRADAT"] == factor  # a copy: the input is left alone
    np.testing.assert_allclose(out, np.float32(100.0 * (1 / factor)))
    same, h3 = aiaprep.normalize_exposure(out, h2, out=out)
    assert same is out and h3["BUNIT"] == "DN/s"
    with pytest.raises(ValueError, match="already per unit time"):
        aiaprep.normalize_exposure(out, h3)


def test_respike_puts_the_spikes_back(tmp_path):
    _, header = aiaprep.synth(171, 256, seed=6)  # a header; the pixels of a full frame
    data = np.arange(4096 * 4096, dtype=np.float32).reshape(4096, 4096) % 1000
    header["NSPIKES"] = 3
    spikes = np.array([[0, 4096 * 100 + 7, 4096 * 4095 + 4095], [500, 600, 700]], np.int32)
    path = tmp_path / "spikes.fits"
    fits.PrimaryHDU(spikes).writeto(path)
    out, h, n = aiaprep.respike(data, header, path)
    assert n == 3 and h["LVL_NUM"] == 0.5 and h["NSPIKES"] == 0
    assert (out[0, 0], out[100, 7], out[4095, 4095]) == (500, 600, 700)
    assert np.count_nonzero(out != data) <= 3


def test_read_map_of_real_jsoc_and_idl_files(shared):
    """Real headers carry cards astropy cannot parse as they are (an
    unterminated string, 'nan' strings): they are fixed as sunpy fixes them."""
    from aiaprep.calibrate import register
    real = sorted((shared / "data" / "real").glob("*cutout.fits"))
    assert real
    for path in real:
        m = aiaprep.read_map(path)
        assert m.data.shape == (m.meta["naxis2"], m.meta["naxis1"]), path.name
        with pytest.raises(ValueError, match="Input must be a full disk image."):
            register(m)
    synoptic = aiaprep.read_map(shared / "data" / "real" / "synoptic" / "aia_synoptic_lev15_0171_2014_01_01.fits")
    with pytest.warns(UserWarning, match="Image registration should only be applied to level 1 data"):
        assert register(synoptic).data.shape == (1024, 1024)


def test_register_plan_of_a_real_cutout_is_the_programs(shared, tmp_path):
    path = shared / "data" / "real" / "aia_lev1_171a_2013_03_10_cutout.fits"
    if not path.exists():
        pytest.skip(f"{path} is not there")
    data, header = aiaprep.read(path)
    plan = aiaprep.RegisterPlan(header, data.shape)
    assert plan.cutout and plan.shape == (706, 770)  # the part of the 4096 grid it covers
    out = plan.execute(data)
    h = plan.header(header)
    assert (h["GRID_X0"], h["GRID_Y0"], h["GRID_NX"]) == (1919, 1278, 4096)
    assert np.isnan(out).any() and np.isfinite(out).mean() > 0.9  # NaN outside the rolled footprint
    full = aiaprep.RegisterPlan(aiaprep.read(path)[1], data.shape, missing=-1.0).execute(data)
    assert np.array_equal(np.isnan(out), full == -1.0)  # --missing fills exactly those pixels
    cli = os.environ.get("AIAPREP_CLI")
    if cli:
        import subprocess
        subprocess.run([cli, "prep", "-q", "--dtype", "float32", "-o", str(tmp_path), str(path)], check=True)
        with fits.open(tmp_path / "aia_lev1.5_171a_2013_03_10_cutout.fits") as f:
            np.testing.assert_array_equal(f[1].data if f[0].data is None else f[0].data, out)
