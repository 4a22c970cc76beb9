"""prep_files: the library's pipeline from Python, with the program's options,
callbacks, per-file results, and errors that name the file or option."""
import json
import os
import subprocess

import numpy as np
import pytest
from astropy.io import fits

import aiaprep


@pytest.fixture
def inputs(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    for ch, seed in ((171, 1), (193, 2), (211, 3)):
        data, header = aiaprep.synth(ch, 256, seed=seed)
        fits.PrimaryHDU(np.array(data), header).writeto(d / f"aia_lev1_{ch}a_test.fits")
    (d / "aia_lev1_bad.fits").write_text("not a FITS file" * 20)
    return d


def test_prep_files_runs_the_pipeline(inputs, tmp_path):
    out = tmp_path / "out"
    seen, progress = [], []
    results = aiaprep.prep_files(inputs, out, grid="aiapy", dtype="float32", threads=2, on_item=seen.append,
                                 on_progress=progress.append, progress_interval=0, log=tmp_path / "run.jsonl")
    assert [r.input for r in results] == sorted(str(p) for p in inputs.iterdir())
    assert len(seen) == 4 and all(isinstance(r, aiaprep.PrepResult) for r in seen)
    done = [r for r in results if r.status == "done"]
    assert len(done) == 3 and all(r.ok for r in done)
    for r in done:
        assert "_lev1.5_" in r.output and r.written["type"] == "float32"
        assert set(r.seconds) == {"load", "process", "store"}
        with fits.open(r.output) as h:
            assert h[0].header["LVL_NUM"] == 1.5 and h[0].data.dtype.kind == "f"
            assert "options: --grid aiapy --interp spline" in "".join(h[0].header["HISTORY"])
    bad = [r for r in results if r.status == "failed"]
    assert len(bad) == 1 and not bad[0].ok
    assert bad[0].error == "AIA_ERR_NOT_FITS" and "aia_lev1_bad.fits" in bad[0].message
    assert progress and isinstance(progress[-1], aiaprep.Progress) and progress[-1].total == 4
    lines = [json.loads(x) for x in (tmp_path / "run.jsonl").read_text().splitlines()]
    assert sorted(x["status"] for x in lines) == ["done", "done", "done", "failed"]
    again = aiaprep.prep_files(inputs, out, grid="aiapy", dtype="float32")
    assert sorted(r.status for r in again) == ["failed", "skipped", "skipped", "skipped"]


def test_prep_files_options_and_callbacks(inputs, tmp_path):
    with pytest.raises(aiaprep.AiaprepValueError, match="order=9.*whole number from 0 to 5"):
        aiaprep.prep_files(inputs, tmp_path / "o", order=9)
    with pytest.raises(aiaprep.AiaprepValueError, match="unknown preparation option 'colour'"):
        aiaprep.prep_files(inputs, tmp_path / "o", colour="red")
    with pytest.raises(aiaprep.AiaprepIOError, match="none.txt: cannot read the table"):
        aiaprep.prep_files(inputs, tmp_path / "o", degradation=tmp_path / "none.txt")

    def boom(result):
        raise RuntimeError(f"callback saw {result.input}")

    with pytest.raises(RuntimeError, match="callback saw"):  # raised after the run, not lost
        aiaprep.prep_files(inputs, tmp_path / "o2", on_item=boom)
    assert len(list((tmp_path / "o2").glob("*.fits"))) == 3  # the run went on


def test_prep_files_writes_the_programs_bytes(inputs, tmp_path):
    cli = os.environ.get("AIAPREP_CLI")
    if not cli:
        pytest.skip("AIAPREP_CLI is not set (ctest sets it to the build's aiaprep)")
    one = inputs / "aia_lev1_193a_test.fits"
    (r,) = aiaprep.prep_files([one], tmp_path / "py", grid="aiapy", order=1)
    subprocess.run([cli, "prep", "-q", "--grid", "aiapy", "--order", "1", "-o", str(tmp_path / "cli"), str(one)],
                   check=True)
    ours = (tmp_path / "py" / os.path.basename(r.output)).read_bytes()
    assert ours == (tmp_path / "cli" / os.path.basename(r.output)).read_bytes()


def test_ctrl_c_finishes_the_files_in_flight(inputs, tmp_path):
    import _thread
    import time
    out = tmp_path / "out"

    pressed = []

    def interrupt(result):
        if pressed:  # Ctrl-C once: a later item's callback pressing it again left an
            return   # interrupt pending past the test, raised in a later one (seen once)
        pressed.append(result)
        _thread.interrupt_main()  # as Ctrl-C: KeyboardInterrupt in the calling thread
        time.sleep(2)  # the pipeline waits for its callback: the stop is asked for meanwhile

    with pytest.raises(KeyboardInterrupt):  # one worker, one file at a time: one is done
        aiaprep.prep_files(inputs, out, threads=1, max_in_flight=1, on_item=interrupt)
    written = sorted(p.name for p in out.iterdir())
    assert written == ["aia_lev1.5_171a_test.fits"]  # published, and no temporaries left
    again = aiaprep.prep_files(inputs, out)
    assert sorted(r.status for r in again) == ["done", "done", "failed", "skipped"]
