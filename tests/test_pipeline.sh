#!/usr/bin/env bash
# test_pipeline.sh — the batch pipeline (aiaprep prep on many files): a batch
# with bad files in it, an unwritable output directory, disk full, resuming
# after kill -9, shards, @lists and the JSON log.
# Usage: test_pipeline.sh PATH/TO/aiaprep PATH/TO/make_bad_inputs
set -u
AIAPREP=$1
MAKE_BAD=$2
T=$(mktemp -d); trap 'chmod -R u+rwX "$T" 2>/dev/null; rm -rf "$T"' EXIT
chmod 755 "$T"
. "$(dirname "$0")/checks.sh"
no_temporaries() { [ -z "$(ls -A "$1" | grep aiaprep-tmp)" ] || { echo "  left in $1:" >&2; ls -A "$1" >&2; return 1; }; }
# every .fits in DIR reads back whole (checksums verified)
all_complete() { local f; for f in "$1"/*.fits; do "$AIAPREP" info "$f" >/dev/null 2>&1 || { echo "  incomplete: $f" >&2; return 1; }; done; }

# Running as root reads any file: the unreadable-file and unwritable-directory
# cases then run as 'nobody' (setpriv), or are SKIPPED.
AS_USER=()
if [ "$(id -u)" = 0 ]; then
  if command -v setpriv >/dev/null; then AS_USER=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  else AS_USER=(none); fi
fi

# ---- inputs: six good 512 x 512 frames and the bad ones --------------------
mkdir -p "$T/good" "$T/batch"
i=0
for ch in 94 131 171 193 211 335; do
  i=$((i+1))
  "$AIAPREP" synth -o "$T/good/aia_lev1_${ch}a_t$i.fits" --channel $ch --size 512 --seed $i >/dev/null || exit 1
done
cp "$T/good"/*.fits "$T/batch/"
"$MAKE_BAD" "$T/batch" || exit 1
cp "$T/good/aia_lev1_94a_t1.fits" "$T/batch/aia_lev1_94a_unreadable.fits"
chmod 000 "$T/batch/aia_lev1_94a_unreadable.fits"
chmod 755 "$T/batch" "$T/good"
chmod 644 "$T/batch"/*.fits "$T/good"/*.fits
chmod 000 "$T/batch/aia_lev1_94a_unreadable.fits"

# ---- a batch with bad files ------------------------------------------------
mkdir -m 777 "$T/out"
if [ "${AS_USER[0]:-}" = none ]; then
  echo "SKIPPED: unreadable-file case (root without setpriv)"
  rm -f "$T/batch/aia_lev1_94a_unreadable.fits"; nbad=4
else
  nbad=5
fi
check "a batch with bad files exits 1" rc_is 1 "${AS_USER[@]}" "$AIAPREP" prep --log "$T/out/run.log" -o "$T/out" "$T/batch"
check "  ... every good file is written" count_is "$(ls "$T/out" | grep -c 'lev1.5.*_t[0-9].fits')" 6
check "  ... and complete" all_complete "$T/out"
check "  ... no partial or temporary file" no_temporaries "$T/out"
check "  ... nothing for the bad files" count_is "$(ls "$T/out" | grep -c -E 'cutout|truncated|nocrpix1|corrupt|unreadable')" 0
check "  ... the cutout named with its reason" err_has "cutout.fits: .*full"
check "  ... the truncated file" err_has "truncated.fits: .*truncated"
check "  ... the file without CRPIX1" err_has "nocrpix1.fits: .*CRPIX1"
check "  ... the file that is not FITS" err_has "corrupt.fits: "
[ "$nbad" = 5 ] && check "  ... the unreadable file" err_has "unreadable.fits: .*ermission"
check "  ... one line per bad file" count_is "$(grep -c -E '(cutout|truncated|nocrpix1|corrupt|unreadable)\.fits: ' "$T/err")" "$nbad"
check "  ... the summary counts them" out_has "6 done, 0 skipped, $nbad failed"
check "  ... and lists them" count_is "$(grep -c '^failed: .*\.fits: ' "$T/stdout")" "$nbad"
check "  ... the log has a line per file, a run record and a summary" count_is "$(wc -l <"$T/out/run.log")" $((6 + nbad + 2))
check "  ... with the failures' status and error" count_is "$(grep '"status": "failed"' "$T/out/run.log" | grep -c '"error": "[^"]')" "$nbad"
check "  ... and the good files' stage times" count_is "$(grep '"status": "done"' "$T/out/run.log" | grep -c '"process": ')" 6
if command -v python3 >/dev/null; then
  check "  ... the log is JSON" python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$T/out/run.log"
  # the records and their documented fields (aiaprep.h, README)
  check "  ... run first, files, summary last, as documented" python3 - "$T/out/run.log" $((6 + nbad)) <<'PY'
import json, re, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
iso = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
run, files, summary = recs[0], recs[1:-1], recs[-1]
ok = run["record"] == "run" and summary["record"] == "summary" and len(files) == int(sys.argv[2])
ok &= set(run) >= {"program", "version", "start", "host", "pid", "kernels", "threads", "inputs", "output", "options"}
ok &= bool(iso.match(run["start"])) and bool(iso.match(summary["end"])) and run["options"].startswith("--grid 4096")
for f in files:
    ok &= f["record"] == "file" and isinstance(f["warnings"], list) and bool(iso.match(f["time"]))
    ok &= set(f) >= {"input", "output", "status", "error", "seconds"} and set(f["seconds"]) == {"load", "process", "store"}
ok &= summary["total"] == len(files) and summary["done"] == 6 and summary["failed"] == len(files) - 6
ok &= set(summary) >= {"seconds", "skipped", "files_per_second", "workers", "threads_per_worker", "stage_median"}
sys.exit(0 if ok else 1)
PY
fi
check "inputs are not modified" cmp -s "$T/good/aia_lev1_171a_t3.fits" "$T/batch/aia_lev1_171a_t3.fits"

# ---- an unwritable output directory ----------------------------------------
mkdir -m 555 "$T/readonly"
if [ "${AS_USER[0]:-}" = none ]; then
  echo "SKIPPED: unwritable-directory case (root without setpriv)"
else
  check "an unwritable output directory exits 1" rc_is 1 "${AS_USER[@]}" "$AIAPREP" prep -o "$T/readonly" "$T/good"
  check "  ... saying so" err_has "output directory .*readonly: Permission denied"
  check "  ... and writes nothing" count_is "$(ls -A "$T/readonly" | wc -l)" 0
fi

# ---- disk full (a file-size limit) -----------------------------------------
mkdir "$T/full"
check "disk full fails the file" rc_is 1 bash -c 'ulimit -f 64; exec "$@"' _ "$AIAPREP" prep -o "$T/full" "$T/good/aia_lev1_171a_t3.fits"
check "  ... saying why" err_has "t3.fits: .*cannot write"
check "  ... and removes the temporary" count_is "$(ls -A "$T/full" | wc -l)" 0

# ---- resume after kill -9 --------------------------------------------------
mkdir "$T/big" "$T/whole" "$T/resumed"
for s in 1 2 3 4 5 6 7 8; do
  "$AIAPREP" synth -o "$T/big/aia_lev1_171a_b$s.fits" --size 2048 --seed $s >/dev/null || exit 1
done
# the same command line (HISTORY records it) uninterrupted, for comparison
"$AIAPREP" prep --threads 1 -o "$T/resumed" "$T/big" >/dev/null || exit 1
rmdir "$T/whole"; mv "$T/resumed" "$T/whole"; mkdir "$T/resumed"
"$AIAPREP" prep --threads 1 -o "$T/resumed" "$T/big" >/dev/null & pid=$!
for _ in $(seq 600); do # kill it once it has written something, mid-run
  [ -n "$(ls "$T/resumed" | grep -v aiaprep-tmp)" ] && break; sleep 0.05
done
kill -9 $pid; wait $pid 2>/dev/null
ndone=$(ls "$T/resumed" | grep -c -v aiaprep-tmp)
check "the killed run stopped half-way" test "$ndone" -lt 8
check "  ... what it left under final names is complete" all_complete "$T/resumed"
# a temporary of a process that is gone, and one of a live process
host=$(hostname | tr -c 'A-Za-z0-9\n' '-')
touch "$T/resumed/.aia_lev1.5_171a_b8.fits.$host.999999999-0.aiaprep-tmp"
sleep 300 & live=$!
touch "$T/resumed/.aia_lev1.5_171a_b7.fits.$host.$live-0.aiaprep-tmp"
check "running again finishes the job" rc_is 0 "$AIAPREP" prep --threads 1 -o "$T/resumed" "$T/big"
check "  ... skipping what was done" out_has "$((8 - ndone)) done, $ndone skipped, 0 failed"
check "  ... removing the dead run's temporaries" test ! -e "$T/resumed/.aia_lev1.5_171a_b8.fits.$host.999999999-0.aiaprep-tmp"
check "  ... keeping a live process's" test -e "$T/resumed/.aia_lev1.5_171a_b7.fits.$host.$live-0.aiaprep-tmp"
kill $live; rm -f "$T/resumed/.aia_lev1.5_171a_b7.fits.$host.$live-0.aiaprep-tmp"
check "  ... every output, byte for byte as an uninterrupted run" diff -rq "$T/whole" "$T/resumed"

# ---- progress on a terminal ------------------------------------------------
if command -v script >/dev/null; then
  script -qec "'$AIAPREP' prep --overwrite -o '$T/tty' '$T/good'" /dev/null >"$T/tty.out" 2>&1
  check "on a terminal: a progress line" grep -q "prep: 6/6 files, .* files/s, ETA 0:00:00, 0 failed" "$T/tty.out"
  check "  ... instead of a line per file" test "$(grep -c -- ' -> ' "$T/tty.out")" = 0
  script -qec "'$AIAPREP' prep -q --overwrite -o '$T/tty' '$T/good'" /dev/null >"$T/tty.out" 2>&1
  check "  ... and nothing with --quiet" test ! -s "$T/tty.out"
else
  echo "SKIPPED: progress-line check (no 'script' to make a terminal)"
fi
check "not on a terminal: no progress line" rc_is 0 "$AIAPREP" prep --overwrite -o "$T/tty" "$T/good"
check "  ... but a line per file" count_is "$(grep -c -- ' -> ' "$T/stdout")" 6
check "  ... and no escape codes" count_is "$(cat "$T/stdout" "$T/err" | grep -c $'\033')" 0

# ---- the same bytes every time (no dates, no clock-seeded dither) -----------
for k in 1 2; do
  "$AIAPREP" prep -q --dtype float32 --compress rice -o "$T/q" "$T/good/aia_lev1_171a_t3.fits"
  mv "$T/q" "$T/q$k"; sleep 1
done
check "quantised float output: the same bytes a second later" diff -rq "$T/q1" "$T/q2"

# ---- shards and lists ------------------------------------------------------
for k in 0 1 2; do
  check "shard $k/3" rc_is 0 "$AIAPREP" prep -q --shard $k/3 -o "$T/shard$k" "$T/big"
done
check "shards are disjoint and cover the inputs" count_is "$(ls "$T"/shard?/ | grep fits | sort | uniq -u | wc -l)" 8
check "shards are deterministic slices" test -f "$T/shard1/aia_lev1.5_171a_b2.fits"
check "an empty shard (more shards than files) is no error" rc_is 0 "$AIAPREP" prep --shard 9/10 -o "$T/shardx" "$T/big"
mkdir "$T/nothing"
check "no FITS files at all is one" rc_is 1 "$AIAPREP" prep -o "$T/shardx" "$T/nothing"
check "  ... saying so" err_has "no FITS files in the inputs"
check "bad shard" rc_is 2 "$AIAPREP" prep --shard 3/3 -o "$T/shardx" "$T/big"
printf '%s\n' "$T/good/aia_lev1_94a_t1.fits" "$T/good/aia_lev1_335a_t6.fits" "$T/good/aia_lev1_94a_t1.fits" >"$T/list"
check "@list (duplicates once)" rc_is 0 "$AIAPREP" prep -o "$T/listed" "@$T/list"
check "  ... its files" count_is "$(ls "$T/listed" | wc -l)" 2
check "missing list" rc_is 2 "$AIAPREP" prep -o "$T/listed" "@$T/nolist"

finish test_pipeline
