#!/usr/bin/env bash
# test_cli.sh — the program: help, version, exit codes, info on good and bad
# files, synth options. Usage: test_cli.sh PATH/TO/aiaprep
set -u
AIAPREP=$1
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/checks.sh"

check "--version" rc_is 0 "$AIAPREP" --version
check "--version prints the version" out_has "aiaprep [0-9]"
check "--help" rc_is 0 "$AIAPREP" --help
check "--help lists exit codes" out_has "Exit status"
for sub in info synth prep psf deconvolve; do
  check "$sub --help" rc_is 0 "$AIAPREP" $sub --help
  check "$sub --help has usage" out_has "Usage: aiaprep $sub"
done
check "synth --help says rice floats are lossy" out_has "LOSSY"
check "no command" rc_is 2 "$AIAPREP"
check "unknown command" rc_is 2 "$AIAPREP" frobnicate
check "unknown option" rc_is 2 "$AIAPREP" info --bogus x.fits
check "info without files" rc_is 2 "$AIAPREP" info
check "synth without -o" rc_is 2 "$AIAPREP" synth
check "synth bad channel" rc_is 2 "$AIAPREP" synth -o "$T/x.fits" --channel 999
check "synth bad dtype" rc_is 2 "$AIAPREP" synth -o "$T/x.fits" --dtype int8

check "synth small frame" rc_is 0 "$AIAPREP" synth -o "$T/a.fits" --size 512 --channel 94 --roll 12.5 --seed 3
check "synth says what it wrote" out_has "wrote $T/a.fits (int16, compression rice"
check "synth refuses to overwrite" rc_is 1 "$AIAPREP" synth -o "$T/a.fits" --size 512
check "  ... saying why" err_has "already exists"
check "synth --overwrite" rc_is 0 "$AIAPREP" synth -o "$T/a.fits" --channel 94 --size 512 --overwrite --center 250.5,260 --scale 4.9
check "synth float32" rc_is 0 "$AIAPREP" synth -o "$T/f.fits" --size 256 --dtype float32

check "info good file" rc_is 0 "$AIAPREP" info "$T/a.fits"
check "info shows shape" out_has "512 x 512, int16"
check "info shows compression" out_has "HDU 1, RICE_1"
check "info shows pointing" out_has "CRPIX 251.500000, 261.000000"
check "info shows CDELT" out_has "CDELT 4.900000"
check "info shows level and channel" out_has "level       1 .*channel 94 A"
check "info shows statistics" out_has "median"

# bad files: one line each, exit 1, the good files still print
: > "$T/empty.fits"
echo "not fits" > "$T/text.fits"
head -c 20000 "$T/a.fits" > "$T/trunc.fits"
mkdir "$T/dir.fits"
check "info with bad files" rc_is 1 "$AIAPREP" info "$T/empty.fits" "$T/a.fits" "$T/text.fits" "$T/trunc.fits" "$T/dir.fits" "$T/missing.fits" "$T/f.fits"
check "good files still described" out_has "$T/a.fits"
check "  ... all of them" out_has "$T/f.fits"
check "empty file error" err_has "$T/empty.fits: empty file"
check "not FITS error" err_has "$T/text.fits: not a FITS file"
check "truncated error" err_has "$T/trunc.fits: truncated"
check "directory error" err_has "$T/dir.fits: is a directory"
check "missing file error" err_has "$T/missing.fits: cannot open"
check "one line per bad file" test "$(wc -l < "$T/err")" = 5

# prep: registration of good files, one line per bad file, exit 1
mkdir "$T/in"
"$AIAPREP" synth -o "$T/in/aia_lev1_171a_test.fits" --size 256 --roll 2 >/dev/null
cp "$T/empty.fits" "$T/in/empty.fits"
check "prep --help explains grids" rc_is 0 "$AIAPREP" prep --help
check "  ... with 4094" out_has "4094"
check "prep without -o" rc_is 2 "$AIAPREP" prep "$T/in"
check "prep bad order" rc_is 2 "$AIAPREP" prep --order 7 -o "$T/res" "$T/in"
check "prep a directory with a bad file" rc_is 1 "$AIAPREP" prep -o "$T/res" "$T/in"
check "  ... registers the good one" test -f "$T/res/aia_lev1.5_171a_test.fits"
check "  ... names the bad one" err_has "$T/in/empty.fits: empty file"
check "  ... summary" out_has "1 done, 0 skipped, 1 failed"
check "  ... no temporary left" test -z "$(ls -A "$T/res" | grep aiaprep-tmp)"
check "prep skips an existing output" rc_is 0 "$AIAPREP" prep -o "$T/res" "$T/in/aia_lev1_171a_test.fits"
check "  ... saying so" out_has "skipped"
check "prep --overwrite --normalize" rc_is 0 "$AIAPREP" prep --overwrite --normalize -o "$T/res" "$T/in/aia_lev1_171a_test.fits"
check "  ... writes float32 for DN/s" out_has "float32"
check "info on the output" rc_is 0 "$AIAPREP" info "$T/res/aia_lev1.5_171a_test.fits"
check "  ... level 1.5" out_has "level       1.5"
check "  ... north up" out_has "CROTA2 missing"
check "prep a level-1.5 file warns" rc_is 0 "$AIAPREP" prep -o "$T/res2" "$T/res/aia_lev1.5_171a_test.fits"
check "  ... with the aiapy warning" err_has "registration should only be applied to level 1"

# psf
check "psf without channel" rc_is 2 "$AIAPREP" psf -o "$T/psf.fits"
check "psf bad orders" rc_is 2 "$AIAPREP" psf --channel 171 --orders 5:1 -o "$T/psf.fits"
check "psf of 1600 A" rc_is 1 "$AIAPREP" psf --channel 1600 -o "$T/psf.fits"
check "  ... says why" err_has "no filter-mesh PSF model for 1600"
check "  ... and leaves no file" test ! -e "$T/psf.fits"
check "psf 94 preflight, orders -1..1" rc_is 0 "$AIAPREP" psf --channel 94 --preflight --orders=-1,0,1 --no-cache -o "$T/psf.fits"
check "  ... float64" out_has "wrote $T/psf.fits (float64"

# deconvolve and prep --deconvolve (2 iterations on a full synthetic frame)
check "deconvolve without -o" rc_is 2 "$AIAPREP" deconvolve "$T/a.fits"
check "deconvolve bad precision" rc_is 2 "$AIAPREP" deconvolve --precision half -o "$T/d.fits" "$T/a.fits"
check "deconvolve a 512 frame" rc_is 1 "$AIAPREP" deconvolve -o "$T/d.fits" "$T/a.fits"
check "  ... says to use the level-1 frame" err_has "before registration"
mkdir -p "$T/in4k"
"$AIAPREP" synth -o "$T/in4k/aia_lev1_171a_full.fits" --seed 9 >/dev/null
check "deconvolve 2 iterations" rc_is 0 "$AIAPREP" deconvolve --iterations 2 -o "$T/d.fits" "$T/in4k/aia_lev1_171a_full.fits"
check "  ... reports them" out_has "2 iterations (single)"
check "prep --deconvolve" rc_is 0 "$AIAPREP" prep --deconvolve --iterations 2 -o "$T/res6" "$T/in4k"
check "  ... lev1.6 name" test -f "$T/res6/aia_lev1.6_171a_full.fits"
check "  ... LVL_NUM 1.6" rc_is 0 "$AIAPREP" info --no-stats "$T/res6/aia_lev1.6_171a_full.fits"
check "  ... shown" out_has "level       1.6"

# calibration through prep: pointing, degradation, uncertainty, normalize
cat > "$T/mpt.csv" <<'CSV'
T_START,T_STOP,A_094_X0,A_094_Y0,A_094_IMSCALE,A_094_INSTROT
2014-01-01T00:00:00Z,2014-01-01T03:00:00Z,256.7,255.0,4.8,0.1
CSV
cat > "$T/resp.txt" <<'TXT'
DATE T_START T_STOP VER_NUM WAVE_STR WAVELNTH EPERDN DNPERPHT EFF_AREA EFF_WVLN EFFA_P1 EFFA_P2 EFFA_P3 RMSE
2020-10-29T11:14:51 2010-03-24T00:00:00 2020-01-01T00:00:00 10 94_THIN 94 18.3 1.97 0.3 93.9 -0.0001 0 0 0.05
TXT
cat > "$T/err.txt" <<'TXT'
DATE T_START T_STOP VER_NUM WAVE_STR WAVELNTH DNPERPHT COMPRESS CALERR CHIANTI EVEERR
2012-02-10T01:12:01 2010-05-01T00:00:00 2050-05-01T00:00:00 3 94_THIN 94 1.975 26.196 0.250 0.500 0.087
TXT
mkdir -p "$T/cal"
"$AIAPREP" synth -o "$T/cal/aia_lev1_94a_cal.fits" --channel 94 --size 512 >/dev/null
check "pointing shows the change" rc_is 0 "$AIAPREP" pointing "$T/mpt.csv" "$T/cal/aia_lev1_94a_cal.fits"
check "  ... CRPIX1 moves" out_has "CRPIX1   257.547500 -> 257.700000"
check "prep with the calibration steps" rc_is 0 "$AIAPREP" prep --pointing "$T/mpt.csv" --degradation "$T/resp.txt" --uncertainty "$T/err.txt" --normalize -o "$T/calout" "$T/cal"
check "  ... float32 DN/s output" out_has "float32"
check "  ... with a DEGRADAT key" grep -q "DEGRADAT=" "$T/calout/aia_lev1.5_94a_cal.fits"
check "  ... and the UNCERTAINTY HDU" grep -q "UNCERTAINTY" "$T/calout/aia_lev1.5_94a_cal.fits"
check "prep --uncertainty-file" rc_is 0 "$AIAPREP" prep --uncertainty "$T/err.txt" --uncertainty-file -o "$T/calout2" "$T/cal"
check "  ... a separate _err file" test -f "$T/calout2/aia_lev1.5_94a_cal_err.fits"
check "prep with a bad table" rc_is 2 "$AIAPREP" prep --pointing "$T/nope.csv" -o "$T/calout3" "$T/cal"
check "  ... names it" err_has "nope.csv"
check "prep --respike on a frame without spikes" rc_is 1 "$AIAPREP" prep --respike "$T/none.spikes.fits" -o "$T/calout4" "$T/cal/aia_lev1_94a_cal.fits"
check "  ... says so" err_has "NSPIKES is 0: no pixels were removed"
check "prep --output-template" rc_is 0 "$AIAPREP" prep --output-template "{stem}_prep" -o "$T/calout5" "$T/cal"
check "  ... names the output" test -f "$T/calout5/aia_lev1_94a_cal_prep.fits"
check "prep bad template" rc_is 1 "$AIAPREP" prep --output-template "{bogus}" -o "$T/calout6" "$T/cal"

# cutouts, QUALITY, --missing, --scale
check "prep bad --quality" rc_is 2 "$AIAPREP" prep --quality maybe -o "$T/q" "$T/cal"
check "prep bad --quality-mask" rc_is 2 "$AIAPREP" prep --quality-mask 0xZZ -o "$T/q" "$T/cal"
check "  ... says what it takes" err_has "bit numbers 0-31"
check "prep bad --missing" rc_is 2 "$AIAPREP" prep --missing lots -o "$T/q" "$T/cal"
check "prep bad --scale" rc_is 2 "$AIAPREP" prep --scale 0 -o "$T/q" "$T/cal"
check "prep --scale 9.6 --missing nan" rc_is 0 "$AIAPREP" prep --scale 9.6 --missing nan --dtype float32 -o "$T/scaled" "$T/cal"
check "  ... half the pixels a side" rc_is 0 "$AIAPREP" info "$T/scaled/aia_lev1.5_94a_cal.fits"
check "  ... 256 x 256 at 9.6 arcsec/px" out_has "256 x 256, float32"
check "  ... CDELT 9.6" out_has "CDELT 9.600000, 9.600000"
check "  ... NaN where the frame has no pixel" out_has "NaN/BLANK [1-9]"
SHARED=${AIAPREP_DATA:-${AIAPREP_DEFAULT_SHARED:-}}
CUT171=$SHARED/data/real/aia_lev1_171a_2013_03_10_cutout.fits
CUT1600=$SHARED/data/real/aia_lev1_1600a_2012_06_06_cutout.fits
if [ -f "$CUT171" ] && [ -f "$CUT1600" ]; then
  check "info decodes QUALITY" rc_is 0 "$AIAPREP" info --no-stats "$CUT1600"
  check "  ... the value" out_has "quality 1076104960 (0x40240f00)"
  check "  ... bit by bit" out_has "bit 18\* Calibration image"
  check "  ... quicklook is not unusable" out_has "bit 30: Quicklook image"
  check "  ... missing-pixel bits explained on a cutout" out_has "on a cutout: the pixels outside it"
  check "prep a real JSOC cutout" rc_is 0 "$AIAPREP" prep --log "$T/cut.jsonl" -o "$T/cut" "$CUT171"
  check "  ... says cutout" out_has "cutout: 769 x 705 px at (1925, 1277) of the CCD"
  check "  ... the log too" grep -q '"notes": "cutout: 769 x 705' "$T/cut.jsonl"
  check "  ... GRID keys" grep -q "GRID_X0 =" "$T/cut/aia_lev1.5_171a_2013_03_10_cutout.fits"
  check "prep --quality skip" rc_is 0 "$AIAPREP" prep --quality skip --log "$T/q.jsonl" -o "$T/q" "$CUT1600" "$CUT171"
  check "  ... skips the calibration image" out_has "skipped $CUT1600: QUALITY 0x40240f00: Calibration image"
  check "  ... counted by reason" out_has "1 done, 1 skipped (0 existing, 1 for QUALITY: 1 calibration), 0 failed"
  check "  ... logged with its flags" grep -q '"skipped_for": \["calibration"\]' "$T/q.jsonl"
  check "prep --quality warn (default)" rc_is 0 "$AIAPREP" prep -o "$T/q2" "$CUT1600"
  check "  ... warns" err_has "warning: $CUT1600: QUALITY 0x40240f00: Calibration image"
  check "prep --quality ignore" rc_is 0 "$AIAPREP" prep --quality ignore -o "$T/q3" "$CUT1600"
  check "  ... says nothing (a device notice aside)" test -z "$(grep -v "notice: no CUDA device used" "$T/err")"
else
  echo "test_cli: the real cutout cases SKIPPED: no shared data folder (set AIAPREP_DATA)"
fi
# names: JSOC export names, templates with header fields and folders, -o
# with missing parents, directory scans of every FITS spelling
mkdir -p "$T/names"
cp "$T/in/aia_lev1_171a_test.fits" "$T/names/aia.lev1_euv_12s.2014-01-01T000011Z.171.image_lev1.fits"
cp "$T/in/aia_lev1_171a_test.fits" "$T/names/UPPER.FITS"
cp "$T/in/aia_lev1_171a_test.fits" "$T/names/short.fts"
gzip -c "$T/in/aia_lev1_171a_test.fits" > "$T/names/packed.fits.gz"
echo "not fits" > "$T/names/notes.txt"
check "prep -o with missing parents, a folder of every FITS spelling" rc_is 0 "$AIAPREP" prep -o "$T/new/a/b" "$T/names"
check "  ... the JSOC name, both lev1 marks" test -f "$T/new/a/b/aia.lev1.5_euv_12s.2014-01-01T000011Z.171.image_lev1.5.fits"
check "  ... .FITS" test -f "$T/new/a/b/UPPER_lev1.5.fits"
check "  ... .fts" test -f "$T/new/a/b/short_lev1.5.fits"
check "  ... .fits.gz (read through cfitsio)" test -f "$T/new/a/b/packed_lev1.5.fits"
check "  ... four files, not the .txt" out_has "4 done, 0 skipped, 0 failed"
check "prep --output-template with header fields and folders" rc_is 0 "$AIAPREP" prep -o "$T/tmpl" \
  --output-template "{date}/{wave}/aia_{wavelnth}_{t_obs}_{level}" "$T/in/aia_lev1_171a_test.fits"
t_obs=$("$AIAPREP" info --no-stats "$T/in/aia_lev1_171a_test.fits" | sed -n 's/.*T_OBS \([0-9-]*\)T\([0-9]*\):\([0-9]*\):\([0-9]*\).*/\1 \2\3\4/p')
check "  ... named from T_OBS and WAVELNTH" test -f "$T/tmpl/${t_obs% *}/0171/aia_171_${t_obs% *}T${t_obs#* }Z_lev1.5.fits"
check "  ... a second run skips it (the name is known before reading)" rc_is 0 "$AIAPREP" prep -o "$T/tmpl" \
  --output-template "{date}/{wave}/aia_{wavelnth}_{t_obs}_{level}" "$T/in/aia_lev1_171a_test.fits"
check "  ... as skipped" out_has "0 done, 1 skipped"
check "a template field the header lacks fails the file" rc_is 1 "$AIAPREP" prep -o "$T/tmpl2" --output-template "{nosuchkey}" "$T/in/aia_lev1_171a_test.fits"
check "  ... saying which" err_has "has no NOSUCHKEY"
check "a template leaving the output directory" rc_is 1 "$AIAPREP" prep -o "$T/tmpl2" --output-template "../{stem}" "$T/in/aia_lev1_171a_test.fits"
check "  ... is refused" err_has "inside the output directory"

# fetch: usage (the network parts: test_fetch.sh)
check "fetch --help" rc_is 0 "$AIAPREP" fetch --help
check "  ... usage" out_has "Usage: aiaprep fetch pointing"
check "fetch without what" rc_is 2 "$AIAPREP" fetch
check "fetch of something unknown" rc_is 2 "$AIAPREP" fetch frobs
check "fetch pointing without --start" rc_is 2 "$AIAPREP" fetch pointing
check "fetch pointing with a bad day" rc_is 2 "$AIAPREP" fetch pointing --start 2014-13-01
check "fetch --offline with an empty cache" rc_is 1 "$AIAPREP" fetch errors --offline --cache "$T/emptycache"
check "  ... says it is not cached" err_has "not in the cache and --offline forbids"
check "prep --degradation auto --offline, empty cache: stops before any file" rc_is 1 "$AIAPREP" prep \
  --degradation auto --offline --cache "$T/emptycache" -o "$T/offl" "$T/in/aia_lev1_171a_test.fits"
check "  ... saying why" err_has "not in the cache"
check "  ... writing nothing" test -z "$(ls -A "$T/offl" 2>/dev/null)"
check "--version says whether downloads are built in" rc_is 0 "$AIAPREP" --version
check "  ... downloads line" out_has "downloads: "

finish test_cli
