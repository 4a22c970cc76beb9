"""Threads: the library releases the GIL, so a thread pool registers several
maps at once in one process (no pickling, no copies).
Usage: python3 threads.py FILE..."""
import sys
from concurrent.futures import ThreadPoolExecutor

import aiaprep
from aiaprep.calibrate import register

maps = [aiaprep.read_map(path) for path in sys.argv[1:]]
with ThreadPoolExecutor(max_workers=2) as pool:
    for lev15 in pool.map(register, maps):
        print(lev15.meta["wavelnth"], lev15.data.shape, lev15.meta["lvl_num"])
