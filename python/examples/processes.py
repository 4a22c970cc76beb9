"""Processes: aiaprep's functions are picklable, so concurrent.futures runs
them in worker processes; each worker reads, registers and saves a file.
Usage: python3 processes.py OUTDIR FILE..."""
import os
import sys
from concurrent.futures import ProcessPoolExecutor

import aiaprep
from aiaprep.calibrate import register


def prepare(path, outdir):
    lev15 = register(aiaprep.read_map(path))
    out = os.path.join(outdir, os.path.basename(path).replace("lev1", "lev1.5"))
    lev15.save(out, overwrite=True)
    return out


if __name__ == "__main__":
    outdir, paths = sys.argv[1], sys.argv[2:]
    with ProcessPoolExecutor(max_workers=2) as pool:
        for out in pool.map(prepare, paths, [outdir] * len(paths)):
            print(out)
