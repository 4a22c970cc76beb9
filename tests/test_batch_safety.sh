#!/usr/bin/env bash
# test_batch_safety.sh — a batch never loses, fakes or stales an output
# (issue 12): hostile files among good ones; --uncertainty-file items cut
# short; a rerun with other science options; two inputs for one output
# name; two runs into one directory; SIGINT/SIGTERM; values that cannot be
# right; a newline in a file name; hostile spikes files; an 8192² frame.
# Usage: test_batch_safety.sh PATH/TO/aiaprep PATH/TO/make_hostile
set -u
AIAPREP=$1
MAKE_HOSTILE=$2
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/checks.sh"
no_temporaries() { [ -z "$(ls -A "$1" | grep aiaprep-tmp)" ] || { echo "  left in $1:" >&2; ls -A "$1" >&2; return 1; }; }
all_complete() { local f; for f in "$1"/*.fits; do "$AIAPREP" info "$f" >/dev/null 2>&1 || { echo "  incomplete: $f" >&2; return 1; }; done; }

mkdir -p "$T/good"
for s in 1 2 3; do
  "$AIAPREP" synth -o "$T/good/aia_lev1_171a_g$s.fits" --size 256 --seed $s >/dev/null || exit 1
done

# ---- hostile files among good ones -----------------------------------------
mkdir -p "$T/hostile"
"$MAKE_HOSTILE" "$T/hostile" || exit 1
cp "$T/good"/*.fits "$T/hostile/"
nh=$(ls "$T/hostile" | grep -c -v '_g[0-9].fits')
check "a batch with hostile files finishes (exit 1, not a crash)" rc_is 1 "$AIAPREP" prep -o "$T/h_out" "$T/hostile"
check "  ... every good file done, every hostile one failed" out_has "3 done, 0 skipped, $nh failed"
check "  ... each failure names its file" count_is "$(grep -c -E '^failed: .*/hostile/[a-z0-9_]+\.fits(\.gz)?: ' "$T/stdout")" "$nh"
check "  ... the reasons: a tile of 0, a block size of 0" err_has "ztile1_zero.fits: extension 1: ZTILE1 = 0"
check "  ... HCOMPRESS refused" err_has "hcompress_tile_size.fits: .*HCOMPRESS_1 tile compression is not read"
check "  ... a GZIP tile one byte short" err_has "gzip_tile_short.fits: .*its gzip data"
check "  ... a DATASUM that disagrees" err_has "datasum_wrong.fits: the data of extension 1 do not match their DATASUM"
check "  ... BSCALE = 0" err_has "bscale_zero.fits: BSCALE = 0"
check "  ... the outputs are complete, no temporaries" all_complete "$T/h_out"
check "  ... no temporaries" no_temporaries "$T/h_out"
check "--no-verify reads the file whose DATASUM is wrong" rc_is 1 "$AIAPREP" prep --no-verify -o "$T/h_nv" "$T/hostile/datasum_wrong.fits"
check "  ... (it fails later: the hostile file has no AIA keys)" err_has "datasum_wrong.fits: .*WAVELNTH"

# ---- --uncertainty-file: done only when both outputs exist -------------------
cat > "$T/err.txt" <<'TXT'
DATE T_START T_STOP VER_NUM WAVE_STR WAVELNTH DNPERPHT COMPRESS CALERR CHIANTI EVEERR
2012-02-10T01:12:01 2010-05-01T00:00:00 2050-05-01T00:00:00 3 171_THIN 171 1.5 26.196 0.250 0.500 0.087
TXT
U=(--uncertainty "$T/err.txt" --uncertainty-file)
check "prep --uncertainty-file" rc_is 0 "$AIAPREP" prep "${U[@]}" -o "$T/u" "$T/good"
check "  ... both outputs of each" count_is "$(ls "$T/u" | wc -l)" 6
cp "$T/u/aia_lev1.5_171a_g2.fits" "$T/g2_main.fits"
rm "$T/u/aia_lev1.5_err_171a_g2.fits"  # cut short after the main file (a run of an older version)
rm "$T/u/aia_lev1.5_171a_g3.fits"      # cut short between the two: an orphaned _err file
check "a rerun redoes the two items cut short" rc_is 0 "$AIAPREP" prep "${U[@]}" -o "$T/u" "$T/good"
check "  ... 2 done, 1 skipped" out_has "2 done, 1 skipped, 0 failed"
check "  ... all six outputs again" count_is "$(ls "$T/u" | wc -l)" 6
check "  ... the main output made again is the same" cmp -s "$T/g2_main.fits" "$T/u/aia_lev1.5_171a_g2.fits"
check "  ... and all complete" all_complete "$T/u"
check "a third run: everything is done" rc_is 0 "$AIAPREP" prep "${U[@]}" -o "$T/u" "$T/good"
check "  ... 3 skipped" out_has "0 done, 3 skipped, 0 failed"

# ---- a rerun with other science options ------------------------------------
check "prep" rc_is 0 "$AIAPREP" prep -o "$T/s" "$T/good"
check "a rerun adding --normalize is not 'done'" rc_is 1 "$AIAPREP" prep --normalize -o "$T/s" "$T/good"
check "  ... each output failed, with why and what to do" out_has "0 done, 0 skipped, 3 failed"
check "  ... the message" err_has "g1.fits: .*aia_lev1.5_171a_g1.fits exists, made with other science options (it records \[\], this run is \[normalize\]): give --overwrite to replace it, or write to another -o"
check "  ... the old outputs untouched" rc_is 0 "$AIAPREP" prep -o "$T/s" "$T/good"
check "  ... (same options: skipped)" out_has "0 done, 3 skipped, 0 failed"
check "the defaults given explicitly are the same options" rc_is 0 "$AIAPREP" prep --order 3 --dtype auto -o "$T/s" "$T/good"
check "  ... skipped" out_has "0 done, 3 skipped, 0 failed"
check "--overwrite replaces them" rc_is 0 "$AIAPREP" prep --normalize --overwrite -o "$T/s" "$T/good"
check "  ... then the new options are done" rc_is 0 "$AIAPREP" prep --normalize -o "$T/s" "$T/good"
check "  ... skipped" out_has "0 done, 3 skipped, 0 failed"

# ---- two inputs, one output name ----------------------------------------------
mkdir -p "$T/dup/a" "$T/dup/b"
cp "$T/good/aia_lev1_171a_g1.fits" "$T/dup/a/"; cp "$T/good/aia_lev1_171a_g2.fits" "$T/dup/b/aia_lev1_171a_g1.fits"
check "two inputs with one output name: refused before starting" rc_is 2 "$AIAPREP" prep -o "$T/dup/out" "$T/dup/a" "$T/dup/b"
check "  ... naming both and the output" err_has "dup/a/aia_lev1_171a_g1.fits and .*dup/b/aia_lev1_171a_g1.fits would both be written to .*aia_lev1.5_171a_g1.fits"
check "  ... nothing written" test ! -e "$T/dup/out/aia_lev1.5_171a_g1.fits"

# ---- two runs into one directory -----------------------------------------------
mkdir -p "$T/big"
for s in 1 2 3 4 5 6; do
  "$AIAPREP" synth -o "$T/big/aia_lev1_171a_b$s.fits" --size 1024 --seed $s >/dev/null || exit 1
done
"$AIAPREP" prep --threads 1 -o "$T/two" "$T/big" >"$T/run1" 2>&1 & p1=$!
"$AIAPREP" prep --threads 1 -o "$T/two" "$T/big" >"$T/run2" 2>&1 & p2=$!
wait $p1; r1=$?; wait $p2; r2=$?
check "two runs into one directory both succeed" test "$r1$r2" = 00
done1=$(sed -n 's/.* \([0-9]*\) done, .*/\1/p' "$T/run1"); done2=$(sed -n 's/.* \([0-9]*\) done, .*/\1/p' "$T/run2")
skip1=$(sed -n 's/.* done, \([0-9]*\) skipped, .*/\1/p' "$T/run1"); skip2=$(sed -n 's/.* done, \([0-9]*\) skipped, .*/\1/p' "$T/run2")
check "  ... each output published once between them" count_is "$((done1 + done2))" 6
check "  ... what the other published counted as skipped" count_is "$((skip1 + skip2))" 6
check "  ... no failure in either" count_is "$(cat "$T/run1" "$T/run2" | grep -c '^failed')" 0
check "  ... the outputs complete" all_complete "$T/two"

# ---- SIGINT, SIGTERM -----------------------------------------------------------
mkdir -p "$T/sigin"
for s in $(seq 1 12); do cp "$T/big/aia_lev1_171a_b$(( (s - 1) % 6 + 1 )).fits" "$T/sigin/aia_lev1_171a_s$s.fits"; done
interrupt() { # SIGNAL DIR: start prep, signal it once files are out, wait
  "$AIAPREP" prep --threads 1 -o "$2" "$T/sigin" >"$T/sig.out" 2>"$T/sig.err" & local pid=$!
  for _ in $(seq 400); do [ -n "$(ls "$2" 2>/dev/null | grep -v aiaprep-tmp)" ] && break; sleep 0.02; done
  kill -s "$1" $pid; wait $pid; echo $? >"$T/sig.rc"
}
interrupt INT "$T/sig1"
check "SIGINT: exit 130" count_is "$(cat "$T/sig.rc")" 130
check "  ... the summary says so" grep -q "prep: interrupted by SIGINT: [0-9]* done, 0 skipped, 0 failed, [1-9][0-9]* not started" "$T/sig.out"
check "  ... the files in flight finished: no temporaries" no_temporaries "$T/sig1"
check "  ... what is there is complete" all_complete "$T/sig1"
check "  ... the same command goes on" rc_is 0 "$AIAPREP" prep --threads 1 -o "$T/sig1" "$T/sigin"
check "  ... and finishes" count_is "$(ls "$T/sig1" | wc -l)" 12
interrupt TERM "$T/sig2"
check "SIGTERM: exit 143" count_is "$(cat "$T/sig.rc")" 143
check "  ... the summary says so" grep -q "prep: interrupted by SIGTERM" "$T/sig.out"
check "  ... no temporaries" no_temporaries "$T/sig2"
"$AIAPREP" prep --threads 1 --deconvolve --iterations 200 -o "$T/sig3" "$T/sigin" >/dev/null 2>&1 & pid=$!
sleep 1; kill -INT $pid; sleep 0.2; kill -INT $pid
t0=$(date +%s%N); wait $pid; rc=$?; t1=$(date +%s%N)
check "a second SIGINT exits at once" count_is "$rc" 130
check "  ... within a second" test $(( (t1 - t0) / 1000000 )) -lt 1000

# ---- values that cannot be right -------------------------------------------------
"$MAKE_HOSTILE" --frame EXPTIME 1e300 "$T/aia_lev1_171a_exptime.fits" || exit 1
check "--normalize with EXPTIME 1e300: failed, not an all-zero output" rc_is 1 "$AIAPREP" prep --normalize -o "$T/v" "$T/aia_lev1_171a_exptime.fits"
check "  ... naming the file and the key" err_has "exptime.fits: EXPTIME = 1e+300 s is not a possible AIA exposure"
check "  ... nothing written" test ! -e "$T/v/aia_lev1.5_171a_exptime.fits"

# ---- a newline in a file name -----------------------------------------------------
mkdir -p "$T/nl"
cp "$T/good/aia_lev1_171a_g1.fits" "$T/nl/aia_lev1_171a_new
line.fits"
check "a newline in a file name" rc_is 0 "$AIAPREP" prep -o "$T/nl_out" "$T/nl"
check "  ... one output line, the newline shown as \\n" count_is "$(grep -c 'aia_lev1_171a_new\\nline.fits -> ' "$T/stdout")" 1
check "  ... the output line count is one a file" count_is "$(grep -c -- ' -> ' "$T/stdout")" 1

# ---- hostile spikes files ------------------------------------------------------------
printf 'PK\003\004%044d' 0 >"$T/zip.spikes.fits"
"$MAKE_HOSTILE" --frame NSPIKES 3 "$T/aia_lev1_171a_full.fits" 4096 || exit 1
check "a spikes file that is a zip" rc_is 1 "$AIAPREP" prep --respike "$T/zip.spikes.fits" -o "$T/sp" "$T/aia_lev1_171a_full.fits"
check "  ... named, with the reason" err_has "zip.spikes.fits: a zip file, not FITS"
check "a directory as the spikes file" rc_is 1 "$AIAPREP" prep --respike "$T/good" -o "$T/sp" "$T/aia_lev1_171a_full.fits"
check "  ... named, with the reason" err_has "good: is a directory"

# ---- an 8192 x 8192 frame ---------------------------------------------------------------
"$AIAPREP" synth --size 8192 -o "$T/aia_lev1_171a_8192.fits" >/dev/null || exit 1
check "an 8192 x 8192 frame at 0.3 arcsec/px" rc_is 1 "$AIAPREP" prep -o "$T/b8" "$T/aia_lev1_171a_8192.fits"
check "  ... is refused with the reason" err_has "8192.fits: CDELT1 = 0.29.* arcsec/px is finer than half of level 1.5's 0.6"

finish test_batch_safety
