#!/usr/bin/env bash
# test_mpi.sh — prep's MPI mode: mpirun -n 3 (one dealer, two workers) on a
# batch with a bad file gives the same output bytes, log lines, summary and
# exit status as one process. SKIPPED when aiaprep was built without MPI or
# mpirun is missing. Usage: test_mpi.sh PATH/TO/aiaprep [MPIRUN]
set -u
AIAPREP=$1
MPIRUN=${2:-mpirun}
if ! "$AIAPREP" --version | grep -q "^MPI: yes"; then
  echo "SKIPPED: aiaprep was built without MPI (install libopenmpi-dev openmpi-bin and rebuild)"; exit 77
fi
if ! command -v "$MPIRUN" >/dev/null; then
  echo "SKIPPED: no $MPIRUN"; exit 77
fi
# Open MPI refuses root unless told; in containers its shared-memory
# single-copy (CMA) is often forbidden.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/checks.sh"
same_lines() { diff <(sort "$1") <(sort "$2") >&2; }

# uneven files: small and large frames, in several channels, and a bad one
mkdir "$T/in"
i=0
for spec in 94:512 131:2048 171:1024 193:512 211:2048 335:1024 171:512 94:1024; do
  i=$((i+1))
  "$AIAPREP" synth -o "$T/in/aia_lev1_${spec%%:*}a_m$i.fits" --channel ${spec%%:*} --size ${spec##*:} --seed $i >/dev/null || exit 1
done
printf 'not FITS\n' >"$T/in/aia_lev1_171a_corrupt.fits"

cd "$T"
"$AIAPREP" prep --log single.log -o out in >single.out 2>single.err; single_rc=$?
mv out single
"$MPIRUN" -n 3 --oversubscribe "$AIAPREP" prep --log mpi.log -o out in >mpi.out 2>mpi.err; mpi_rc=$?
check "one process exits 1 (a bad file)" test "$single_rc" = 1
check "mpirun -n 3 exits non-zero too" test "$mpi_rc" != 0
check "every output, byte for byte the same" diff -r single out
check "  ... all of them" test "$(ls out | wc -l)" = 8
check "no temporaries" test -z "$(ls -A out | grep aiaprep-tmp)"
# the log's file records without the times: same lines (in another order)
for l in single mpi; do grep '"record": "file"' $l.log | sed 's/, "time".*//' >$l.log.cut; done
check "the log: one line per file, as one process writes it" same_lines single.log.cut mpi.log.cut
check "  ... a run record first, a summary last (the dealer's)" sh -c \
  'head -n 1 mpi.log | grep -q "^{\"record\": \"run\"" && tail -n 1 mpi.log | grep -q "^{\"record\": \"summary\""'
check "  ... and one of each" test "$(grep -c '"record": "run"' mpi.log)$(grep -c '"record": "summary"' mpi.log)" = 11
check "one summary, from rank 0" test "$(grep -c '^prep: 9 files' mpi.out)" = 1
check "  ... counting done and failed" grep -q "8 done, 0 skipped, 1 failed" mpi.out
check "  ... listing the failure" grep -q "^failed: in/aia_lev1_171a_corrupt.fits: " mpi.out
check "the failure reported once" test "$(grep -c 'error: in/aia_lev1_171a_corrupt.fits' mpi.err)" = 1
# resuming under MPI: all skipped
"$MPIRUN" -n 3 --oversubscribe "$AIAPREP" prep -o out in >again.out 2>&1
check "again: the finished files are skipped" grep -q "0 done, 8 skipped, 1 failed" again.out

finish test_mpi
