"""multiprocessing: a Pool maps aiaprep's drop-in functions over maps (they
and the maps are pickled to the workers and back).
Usage: python3 multiprocessing_pool.py FILE..."""
import multiprocessing
import sys

import aiaprep
from aiaprep.calibrate import register

if __name__ == "__main__":
    maps = [aiaprep.read_map(path) for path in sys.argv[1:]]
    with multiprocessing.get_context("spawn").Pool(2) as pool:  # fork works too
        for lev15 in pool.map(register, maps):
            print(lev15.meta["wavelnth"], lev15.data.shape, lev15.meta["lvl_num"])
