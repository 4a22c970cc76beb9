"""aiaprep.calibrate against aiapy: register's pixels and meta (key by key)
against aiapy's restated register and its reference outputs, aiapy's
errors and warnings, and the calibration functions against given tables."""
import copy
import os
import threading
import warnings

import astropy.units as u
import numpy as np
import pytest
import sunpy.map
from astropy.io import fits
from astropy.time import Time

import aiaprep
import aiapy_twins
from aiaprep.calibrate import (correct_degradation, degradation, estimate_error, normalize_exposure, register,
                               respike, update_pointing)
from aiaprep.calibrate.utils import get_correction_table, get_error_table, get_pointing_table
from aiaprep.utils import AIApyUserWarning, AiaprepUserWarning
from conftest import load_map, level1_path, reference, sampled, synth_map

REGISTER_TOLERANCE = 2e-6  # x (max - min): the registration issue's tolerance


def assert_same_meta(ours, theirs):
    assert list(ours.meta.keys()) == list(theirs.meta.keys())
    for key, value in theirs.meta.items():
        assert ours.meta[key] == value or (value != value and ours.meta[key] != ours.meta[key]), \
            f"{key}: {ours.meta[key]!r} (aiaprep) vs {value!r} (aiapy)"


def assert_close_pixels(ours, theirs, tolerance=REGISTER_TOLERANCE):
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    nan = np.isnan(theirs)
    assert np.array_equal(np.isnan(ours), nan)
    span = np.nanmax(theirs) - np.nanmin(theirs)
    worst = np.max(np.abs(ours[~nan].astype(float) - theirs[~nan]))
    assert worst <= tolerance * span, f"max |diff| {worst / span:.3g} x range"


CASES = {  # size, roll, scale (target 4.8"/px), Sun centre, NaN pixels
    "rolled": (512, 1.3, 4.8 * 1.0013, (258.3, 251.7), [(200, 300), (201, 300), (400, 100)]),
    "unpadded": (512, 0.05, 4.8 * 0.991, (254.2, 257.9), [(256, 256)]),
}


@pytest.mark.parametrize("case", CASES)
def test_register_is_aiapys_key_by_key(case):
    size, roll, scale, centre, nans = CASES[case]
    m = synth_map(171, size, roll=roll, scale=scale, center=centre, seed=5)
    for y, x in nans:
        m.data[y, x] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = aiapy_twins.register(m)
    ours = register(m)
    assert type(ours) is type(theirs)
    assert_same_meta(ours, theirs)
    assert_close_pixels(ours.data, theirs.data)


@pytest.fixture(scope="module")
def aia_171_map():
    """aiapy's test fixture: sunpy's 128-px test frame resampled to 4096²."""
    import sunpy.data.test
    path = sunpy.data.test.get_test_filepath("aia_171_level1.fits")
    return sunpy.map.Map(path).resample((4096, 4096) * u.pixel)


def test_register_as_aiapys_tests_pin_it(aia_171_map, tmp_path):
    lvl_15_map = register(aia_171_map)  # aiapy's test_register and test_register_filesave
    assert lvl_15_map.data.shape == (4094, 4094) != aia_171_map.data.shape
    assert lvl_15_map.meta["crpix1"] == lvl_15_map.data.shape[1] / 2.0 + 0.5
    assert lvl_15_map.meta["crpix2"] == lvl_15_map.data.shape[0] / 2.0 + 0.5
    assert lvl_15_map.meta["cdelt1"] / 0.6 == int(lvl_15_map.meta["cdelt1"] / 0.6)
    assert lvl_15_map.meta["cdelt2"] / 0.6 == int(lvl_15_map.meta["cdelt2"] / 0.6)
    np.testing.assert_allclose(lvl_15_map.rotation_matrix, np.identity(2), rtol=1e-5, atol=1e-8)
    assert lvl_15_map.meta["lvl_num"] == 1.5
    filename = tmp_path / "test_register_filesave.fits"
    with pytest.warns(fits.verify.VerifyWarning, match="The 'BLANK' keyword is only applicable to integer data"):
        lvl_15_map.save(str(filename), overwrite=True)
    load_map = sunpy.map.Map(str(filename))
    assert load_map.meta["crpix1"] == lvl_15_map.data.shape[1] / 2.0 + 0.5
    assert load_map.meta["crpix2"] == lvl_15_map.data.shape[0] / 2.0 + 0.5
    assert load_map.meta["cdelt1"] / 0.6 == int(load_map.meta["cdelt1"] / 0.6)
    assert load_map.meta["lvl_num"] == 1.5


def test_register_of_sunpys_test_frame_is_aiapys(shared):
    """sunpy's 128 x 128 test frame (float64, CRVAL off the Sun centre, a
    binned map: the target scale is 32 x 0.6"), as aiapy's tests use it."""
    path = shared / "data" / "real" / "aia_lev1_171a_2011_02_15_128px.fits"
    if not path.exists():
        pytest.skip(f"{path} is not there")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = sunpy.map.Map(str(path))
        theirs = aiapy_twins.register(m)
    ours = register(m)
    assert ours.data.dtype == np.float64 and m.meta["crval1"] != 0
    assert_same_meta(ours, theirs)
    assert_close_pixels(ours.data, theirs.data)


@pytest.mark.parametrize("channel", [171, 94])
def test_register_against_aiapys_outputs(shared, channel):
    m = load_map(level1_path(shared, channel))
    ref, parts = reference(shared, f"register/register_{channel}.fits")
    out = register(m)
    assert out.data.shape == (ref["NROWS"], ref["NCOLS"]) and out.data.dtype == np.float32
    for key in ("CRPIX1", "CRPIX2", "LVL_NUM"):
        assert out.meta[key.lower()] == ref[f"REF {key}"]
    for key in ("CDELT1", "CDELT2", "CRVAL1", "CRVAL2", "PC1_1", "PC1_2", "PC2_1", "PC2_2"):
        assert out.meta[key.lower()] == pytest.approx(ref[f"REF {key}"], abs=1e-12)
    assert out.meta["r_sun"] == pytest.approx(ref["REF R_SUN"], rel=1e-9)
    assert "crota2" not in out.meta
    lo = min(np.nanmin(p[4]) for p in parts)
    hi = max(np.nanmax(p[4]) for p in parts)
    for part in parts:
        got = sampled(out.data, part)
        assert np.array_equal(np.isnan(got), np.isnan(part[4])), part[0]
        worst = np.nanmax(np.abs(got - part[4]))
        assert worst <= REGISTER_TOLERANCE * (hi - lo), f"{part[0]}: {worst / (hi - lo):.3g} x range"
    full = register(m, grid="4096")  # JSOC's grid: the same pixels where they overlap
    assert full.data.shape == m.data.shape and full.meta["crpix1"] == 2048.5
    d = int(full.meta["crpix1"] - out.meta["crpix1"])
    assert np.array_equal(full.data[d:d + out.data.shape[0], d:d + out.data.shape[1]], out.data,
                          equal_nan=True)


def test_registered_map_round_trips_through_fits(small_map, tmp_path):
    out = register(small_map)
    path = tmp_path / "lev15.fits"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # astropy: BLANK on float data, as aiapy's test expects
        out.save(str(path))
    back = sunpy.map.Map(str(path))
    for attr in ("crpix", "cdelt", "crval", "pc", "ctype", "cunit"):
        a, b = getattr(out.wcs.wcs, attr), getattr(back.wcs.wcs, attr)
        assert np.array_equal(np.asarray(a), np.asarray(b)), attr
    corners = [(0, 0), (511, 0), (0, 511), (255.5, 255.5)]
    for x, y in corners:
        c1, c2 = out.pixel_to_world(x * u.pix, y * u.pix), back.pixel_to_world(x * u.pix, y * u.pix)
        assert c1.separation(c2).to_value(u.arcsec) < 1e-9
    assert np.array_equal(back.data, out.data, equal_nan=True)
    assert back.meta["lvl_num"] == 1.5 and back.meta["crpix1"] == out.data.shape[1] / 2 + 0.5


def test_register_refuses_what_aiapy_refuses(small_map):
    cutout = small_map.submap(small_map.center, top_right=small_map.top_right_coord)
    with pytest.raises(ValueError, match=r"^Input must be a full disk image\.$"):
        register(cutout)
    generic = sunpy.map.GenericMap(small_map.data, {k: v for k, v in small_map.meta.items()
                                                    if k not in ("telescop", "instrume", "detector")})
    with pytest.raises(TypeError, match=r"^Input must be an AIAMap or HMIMap\.$"):
        register(generic)
    with pytest.raises(ValueError, match="Order must be between 0 and 5."):
        register(small_map, order=6)
    with pytest.raises(NotImplementedError, match="method='opencv' is not implemented"):
        register(small_map, method="opencv")
    with pytest.raises(ValueError, match="Method nearest not in supported methods"):
        register(small_map, method="nearest")
    with pytest.raises(TypeError, match="missing must be a number or None"):
        register(small_map, missing=[0, 1])
    same = register(small_map, missing=np.nanmin(small_map.data))  # the default's value
    assert np.array_equal(same.data, register(small_map).data)


@pytest.mark.parametrize("missing", [0.0, -7.5, np.nan])
def test_register_missing_is_sunpys(missing):
    # aiapy passes missing to sunpy's rotate: the padding, the pixels beyond
    # the frame and the clip's range take it; NaN spreads from the edges
    size, roll, scale, centre, nans = CASES["rolled"]
    m = synth_map(171, size, roll=roll, scale=scale, center=centre, seed=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = aiapy_twins.register(m, missing=missing)
    ours = register(m, missing=missing)
    assert_same_meta(ours, theirs)
    assert_close_pixels(ours.data, theirs.data)
    beyond = np.isnan(ours.data) if np.isnan(missing) else ours.data == np.float32(missing)
    assert beyond[0].sum() > 0 and beyond[-1].sum() > 0  # the rolled frame's corners


def test_register_warns_on_level_15(small_map):
    lev15 = register(small_map)
    with pytest.warns(AiaprepUserWarning, match="Image registration should only be applied to level 1 data"):
        register(lev15)
    meta = copy.deepcopy(lev15.meta)
    del meta["lvl_num"]
    with pytest.warns(AIApyUserWarning, match="Image registration should only be applied to level 1 data"):
        register(lev15._new_instance(lev15.data, meta))
    assert issubclass(AiaprepUserWarning, UserWarning)


def test_register_keeps_the_maps_dtype(small_map):
    m64 = small_map._new_instance(small_map.data.astype(np.float64), small_map.meta)
    assert register(m64).data.dtype == np.float64
    m16 = small_map._new_instance(np.round(small_map.data).astype(np.int16), small_map.meta)
    r16 = register(m16)
    assert r16.data.dtype == np.int16
    assert np.max(np.abs(r16.data - register(small_map).data)) <= 1.0  # the input rounded


def test_register_threads_and_memory():
    maps = [synth_map(ch, 2048, seed=s) for ch, s in ((171, 1), (211, 2))]
    alone = [register(m).data for m in maps]
    together = [None, None]
    ts = [threading.Thread(target=lambda i=i: together.__setitem__(i, register(maps[i]).data)) for i in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert all(np.array_equal(a, b) for a, b in zip(alone, together))
    if os.environ.get("AIAPREP_SANITIZED"):
        pytest.skip("the memory bound: AddressSanitizer keeps freed memory in quarantine (the optimised build "
                    "checks it)")

    def rss():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    for _ in range(2):
        register(maps[0])
    base = peak = rss()
    for i in range(50):
        out = register(maps[i % 2])
        del out
        peak = max(peak, rss())
    assert peak - base < 4 * maps[0].data.nbytes, f"grew by {(peak - base) / maps[0].data.nbytes:.1f} images"


# ---- degradation -----------------------------------------------------------------

V10_2015 = {94: 0.9031803542673108, 131: 0.6776373799468738, 171: 0.7868931313968579,
            193: 0.8618156774743074, 211: 0.8299878322224179, 304: 0.14925729560975612,
            335: 0.3268535672061928, 1600: 0.5604830627615063, 1700: 0.8789503502906977}


def test_degradation_against_the_v10_table(tables):
    t = Time("2015-01-01T00:00:00", scale="utc")
    table = get_correction_table(tables["response"])
    for channel, value in V10_2015.items():
        for given in (tables["response"], table):
            d = degradation(channel * u.angstrom, t, correction_table=given)
            assert d.shape == (1,) and d.unit == u.dimensionless_unscaled
            assert d[0].value == pytest.approx(value, rel=1e-12), channel
        assert aiaprep.degradation(tables["response"], channel, t.isot) == pytest.approx(value, rel=1e-12)
    many = degradation(171 * u.angstrom, Time(["2015-01-01", "2016-01-01"]), correction_table=table)
    assert many.shape == (2,)


def test_degradation_errors(tables):
    t = Time("2015-01-01")
    with pytest.raises(aiaprep.TableRequiredError, match="correction_table="):
        degradation(171 * u.angstrom, t)
    with pytest.raises(ValueError, match="does not contain calibration for 171 Angstrom and version 8"):
        degradation(171 * u.angstrom, t, correction_table=tables["response"], calibration_version=8)
    with pytest.raises(ValueError, match="No valid calibration epoch for 2009-01-01"):
        degradation(171 * u.angstrom, Time("2009-01-01"), correction_table=tables["response"])
    with pytest.raises(ValueError, match='channel "170.0 Angstrom" not in list of valid channels'):
        degradation(170 * u.angstrom, t, correction_table=tables["response"])
    with pytest.raises(aiaprep.TableRequiredError, match="never downloads"):
        get_correction_table("SSW")


def test_correct_degradation_divides_by_it(small_map, tables):
    small_map.meta["date-obs"] = "2015-01-01T00:00:00.000"
    out = correct_degradation(small_map, correction_table=tables["response"])
    d = degradation(small_map.wavelength, small_map.date, correction_table=tables["response"])
    ok = small_map.data > 0
    np.testing.assert_allclose(np.mean(small_map.data[ok] / out.data[ok]), d.to_value())
    assert d.to_value()[0] == pytest.approx(V10_2015[171], rel=1e-12)


# ---- pointing ----------------------------------------------------------------------

def test_update_pointing_against_the_library(shared, tables):
    path = level1_path(shared, 171)
    data, header = aiaprep.read(path)
    m = sunpy.map.Map(data, header)
    for given in (tables["pointing"], get_pointing_table(tables["pointing"])):
        out = update_pointing(m, pointing_table=given)
        c_header, report = aiaprep.update_pointing(header, tables["pointing"])
        for key in ("CRPIX1", "CRPIX2", "CDELT1", "CDELT2", "CROTA2", "X0_MP", "Y0_MP"):
            assert out.meta[key.lower()] == pytest.approx(c_header[key], rel=1e-13, abs=1e-12), key
        assert out.meta["crpix1"] != m.meta["crpix1"]  # the sample table moves it
        assert not any(k.startswith("pc") for k in out.meta) and out.data is m.data


def test_update_pointing_errors(small_map, tables):
    with pytest.warns(AiaprepUserWarning, match="significantly different than 0.6 arcsec / pix"):
        with pytest.raises(aiaprep.TableRequiredError, match="pointing_table="):
            update_pointing(small_map)
    m = small_map._new_instance(small_map.data, dict(small_map.meta, cdelt1=0.6, cdelt2=0.6))
    m.meta["t_obs"] = "2030-01-01T00:00:00Z"
    with pytest.raises(IndexError, match="No valid entries for 2030-01-01"):
        update_pointing(m, pointing_table=tables["pointing"])
    m.meta["t_obs"], m.meta["wavelnth"] = "2014-01-01T01:00:00Z", 131
    with pytest.raises(KeyError, match="A_131_X0"):  # LM-SAL's daily table has no 131 columns
        update_pointing(m, pointing_table=tables["pointing"])


# ---- uncertainty -------------------------------------------------------------------

def test_estimate_error(tables):
    counts = np.array([-4.0, 0.0, 24.0, 26.0, 1000.0]) * u.DN / u.pix
    by_path = estimate_error(counts, 193 * u.angstrom, error_table=tables["error"], include_chianti=True)
    by_table = estimate_error(counts, 193 * u.angstrom, error_table=get_error_table(tables["error"]),
                              include_chianti=True)
    assert by_path.unit == u.DN / u.pix and by_path.shape == (5,)
    assert np.array_equal(by_path.value, by_table.value, equal_nan=True)
    c = counts.value[1:]
    g, comp, chianti, rn = 0.962, 12.759, 0.25, 1.20
    shot = np.sqrt(c / g) * g
    cm = np.where(c < 25, 0, np.maximum(shot / comp, 1 / np.sqrt(12)))
    want = np.sqrt(shot**2 + 0.18**2 + rn**2 + 1 / 12 + cm**2 + (chianti * c)**2)
    np.testing.assert_allclose(by_path.value[1:], want, rtol=1e-14)
    assert np.isnan(by_path.value[0])  # aiapy: the root of negative counts
    one = estimate_error(100 * u.DN / u.pix, 171 * u.angstrom, error_table=tables["error"])
    assert one.shape == (1,)
    with pytest.raises(ValueError, match="Cannot include both EVE and pre-flight correction."):
        estimate_error(counts, 171 * u.angstrom, error_table=tables["error"], include_eve=True,
                       include_preflight=True)
    with pytest.raises(ValueError, match="not in list of valid channels"):
        estimate_error(counts, 170 * u.angstrom, error_table=tables["error"])
    with pytest.raises(TypeError):
        estimate_error(np.ones(3), 171 * u.angstrom, error_table=tables["error"])  # no units
    with pytest.raises(aiaprep.TableRequiredError, match="error_table="):
        estimate_error(counts, 171 * u.angstrom)


# ---- respike, exposure ---------------------------------------------------------------

def test_respike(small_map, tmp_path):
    m = small_map._new_instance(small_map.data, dict(small_map.meta, lvl_num=1.0, nspikes=2, cdelt1=0.6,
                                                     cdelt2=0.6))
    from sunpy.map.mapbase import PixelPair
    coords = PixelPair([3.0, 10.0] * u.pix, [5.0, 20.0] * u.pix)
    out = respike(m, spikes=(coords, np.array([9000, 9001])))
    assert (out.data[5, 3], out.data[20, 10]) == (9000, 9001)
    assert out.meta["lvl_num"] == 0.5 and out.meta["nspikes"] == 0
    assert out.meta["comments"] == "Respike applied; 2 hot pixels reinserted."
    with pytest.raises(ValueError, match="Can only apply respike procedure to level 1 data"):
        respike(out, spikes=(coords, np.array([1, 2])))
    with pytest.raises(ValueError, match="No spikes were present in the level 0 data."):
        respike(m._new_instance(m.data, dict(m.meta, nspikes=0)), spikes=(coords, np.array([1, 2])))
    with pytest.raises(aiaprep.TableRequiredError, match="spikes="):
        respike(m)
    # a spikes file of the full frame, as JSOC serves it, on the 4096 frame
    _, header = aiaprep.synth(171, 256, seed=6)  # a header; the pixels of a full frame
    data = np.zeros((4096, 4096), np.float32)
    header["NSPIKES"], header["LVL_NUM"] = 2, 1.0
    full = sunpy.map.Map(data, header)
    path = tmp_path / "spikes.fits"
    fits.PrimaryHDU(np.array([[4096 * 7 + 3, 4096 * 4000 + 9], [777, 888]], np.int32)).writeto(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AiaprepUserWarning)  # the frame's plate scale
        out = respike(full, spikes=path)
    c_out, _, _ = aiaprep.respike(data, header, path)
    assert (out.data[7, 3], out.data[4000, 9]) == (777, 888) and np.array_equal(out.data, c_out)


def test_normalize_exposure(small_map):
    out = normalize_exposure(small_map)
    np.testing.assert_array_equal(out.data, small_map.data / small_map.meta["exptime"])
    assert out.meta["exptime"] == 1.0 and out.meta["bunit"] == "ct / s"
    with pytest.raises(ValueError, match="Input must be an AIAMap"):
        normalize_exposure(sunpy.map.GenericMap(small_map.data, {
            "cdelt1": 1, "cdelt2": 1, "cunit1": "arcsec", "cunit2": "arcsec", "date-obs": "2014-01-01"}))
