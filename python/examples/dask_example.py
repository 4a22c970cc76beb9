"""Dask: a bag of files prepared by worker processes, and the same with a
distributed client (client.map), when Debian's python3-dask (and
python3-distributed) are installed.
Usage: python3 dask_example.py OUTDIR FILE..."""
import os
import sys

import dask.bag

import aiaprep
from aiaprep.calibrate import register


def prepare(path, outdir):
    lev15 = register(aiaprep.read_map(path))
    out = os.path.join(outdir, os.path.basename(path).replace("lev1", "lev1.5"))
    lev15.save(out, overwrite=True)
    return out


if __name__ == "__main__":
    outdir, paths = sys.argv[1], sys.argv[2:]
    bag = dask.bag.from_sequence(paths, npartitions=2).map(prepare, outdir)
    for out in bag.compute(scheduler="processes", num_workers=2):
        print("bag", out)
    try:
        from dask.distributed import Client
    except ImportError:
        sys.exit(0)  # dask without distributed: the bag was the example
    with Client(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as client:
        for out in client.gather(client.map(prepare, paths, outdir=outdir)):
            print("client.map", out)
