#!/usr/bin/env bash
# test_fetch.sh — aiaprep fetch and prep's "auto" tables, against a stand-in
# for JSOC and SolarSoft on the loopback address (fake_jsoc.py, started
# here): the real HTTP code on the real formats, and every failure (404, a
# stall, a body cut short, an HTML page, a JSOC error, no records, a refused
# connection, a wrong checksum) a clear error with nothing left in the cache.
# Usage: test_fetch.sh PATH/TO/aiaprep
set -u
AIAPREP=$1
HERE=${AIAPREP_TESTS:-$(dirname "$0")}
T=$(mktemp -d)
SERVER=""
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$T"' EXIT
. "$HERE/checks.sh"
export AIAPREP_CACHE=$T/cache
C=$T/cache/tables

if ! "$AIAPREP" --version | grep -q "downloads: yes"; then
  # built without libcurl: fetch must say so, and the cache still serves
  check "without libcurl: fetch fails" rc_is 1 "$AIAPREP" fetch errors --ssw-url http://127.0.0.1:1/
  check "  ... saying it was built without libcurl" err_has "built without libcurl"
  finish test_fetch
  exit $?
fi
PY=""
for cand in "${AIAPREP_PYTHON:-}" /usr/bin/python3 python3; do
  [ -n "$cand" ] && "$cand" -c "import http.server" 2>/dev/null && { PY=$cand; break; }
done
[ -n "$PY" ] || { echo "test_fetch: SKIPPED: no python3 for the loopback server"; exit 77; }

# ---- the tables the stand-in serves ----------------------------------------
mkdir -p "$T/ssw"
SHARED=${AIAPREP_DATA:-${AIAPREP_DEFAULT_SHARED:-}}
REAL=""
if [ -f "$SHARED/data/tables/aia_V10_20201119_190000_response_table.txt" ]; then
  cp "$SHARED/data/tables/aia_V10_20201119_190000_response_table.txt" "$SHARED/data/tables/aia_V3_error_table.txt" "$T/ssw/"
  REAL=yes
fi
cat >"$T/ssw/aia_V99_custom_response_table.txt" <<'TXT'
DATE T_START T_STOP VER_NUM WAVE_STR WAVELNTH EPERDN DNPERPHT EFF_AREA EFF_WVLN EFFA_P1 EFFA_P2 EFFA_P3 RMSE
2020-10-29T11:14:51 2010-03-24T00:00:00 2030-01-01T00:00:00 99 171_THIN 171 18.3 1.97 0.3 171.1 -0.0001 0 0 0.05
TXT
# a table under a known name whose bytes are not aiapy's
[ -n "$REAL" ] || cp "$T/ssw/aia_V99_custom_response_table.txt" "$T/ssw/aia_V10_20201119_190000_response_table.txt"
"$PY" "$HERE/fake_jsoc.py" "$T/port" "$T/requests" "$T/ssw" 2>"$T/server.err" &
SERVER=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.1; done
[ -s "$T/port" ] || { echo "test_fetch: the loopback server did not start:"; cat "$T/server.err"; exit 1; }
U=http://127.0.0.1:$(cat "$T/port")
requests() { wc -l <"$T/requests" 2>/dev/null || echo 0; }
cache_clean() { # nothing but whole files and their sidecars
  [ -z "$(ls -A "$C" 2>/dev/null | grep -E 'aiaprep-tmp')" ] || { echo "  temporaries left:" >&2; ls -A "$C" >&2; return 1; }
}

# ---- the master pointing table -----------------------------------------------
check "fetch pointing for two days" rc_is 0 "$AIAPREP" fetch pointing --start 2014-01-01 --end 2014-01-02 --jsoc-url "$U/ok"
check "  ... one file a day" test -f "$C/aia.master_pointing3h_2014-01-01.csv" -a -f "$C/aia.master_pointing3h_2014-01-02.csv"
check "  ... named on stdout" out_has "aia.master_pointing3h_2014-01-02.csv"
check "  ... asked as aiapy/drms ask" grep -q 'jsoc_info?ds=aia.master_pointing3h%5B2013-12-31T00%3A00%3A00Z-2014-01-02T00%3A00%3A00Z%5D&op=rs_list&key=%2A%2AALL%2A%2A' "$T/requests"
check "  ... a CSV with the 131 A columns" grep -q "A_131_X0" "$C/aia.master_pointing3h_2014-01-01.csv"
check "  ... with its source" grep -q "\"url\": \"$U/ok/cgi-bin/ajax/jsoc_info" "$C/aia.master_pointing3h_2014-01-01.csv.source"
sha=$(sha256sum "$C/aia.master_pointing3h_2014-01-01.csv" | cut -d' ' -f1)
check "  ... and its checksum" grep -q "\"sha256\": \"$sha\"" "$C/aia.master_pointing3h_2014-01-01.csv.source"
check "  ... which reads as a pointing table (aiaprep pointing)" rc_is 0 "$AIAPREP" synth -o "$T/f131.fits" --channel 131 --size 512
check "  ... for 131 A" rc_is 0 "$AIAPREP" pointing "$C/aia.master_pointing3h_2014-01-01.csv" "$T/f131.fits"
check "  ... the row of T_OBS" out_has "2014-01-01T00:00:00"
n=$(requests)
check "a cached day is not fetched again" rc_is 0 "$AIAPREP" fetch pointing --start 2014-01-01 --jsoc-url "$U/ok"
check "  ... no request" count_is "$(requests)" "$n"
check "--refresh fetches it again" rc_is 0 "$AIAPREP" fetch pointing --start 2014-01-01 --jsoc-url "$U/ok" --refresh
check "  ... one request" count_is "$(requests)" $((n + 1))
check "--offline with it cached" rc_is 0 "$AIAPREP" fetch pointing --start 2014-01-01 --offline --jsoc-url "$U/ok"
check "--offline without it" rc_is 1 "$AIAPREP" fetch pointing --start 2015-06-01 --offline --jsoc-url "$U/ok"
check "  ... says so" err_has "not in the cache and --offline forbids"
check "  ... never touches the network" count_is "$(requests)" $((n + 1))
echo "damaged" >>"$C/aia.master_pointing3h_2014-01-02.csv"
check "a damaged cache file (checksum) is fetched again" rc_is 0 "$AIAPREP" fetch pointing --start 2014-01-02 --jsoc-url "$U/ok"
check "  ... and whole again" test "$(sha256sum <"$C/aia.master_pointing3h_2014-01-02.csv" | cut -d' ' -f1)" = \
  "$(sed 's/.*"sha256": "\([0-9a-f]*\)".*/\1/' "$C/aia.master_pointing3h_2014-01-02.csv.source")"

# ---- failures: a clear error each, nothing in the cache -----------------------
fails() { # WHAT EXPECTED-TEXT ARGS...: exit 1, the text on stderr, the day not cached, no temporaries
  local what=$1 text=$2; shift 2
  check "$what" rc_is 1 "$AIAPREP" fetch "$@"
  check "  ... says: $text" err_has "$text"
  check "  ... names the URL" err_has "http://127.0.0.1"
  check "  ... leaves no temporary" cache_clean
}
fails "404" "HTTP 404" pointing --start 2014-03-01 --jsoc-url "$U/missing"
fails "a stall" "timed out" pointing --start 2014-03-01 --jsoc-url "$U/stall" --timeout 1
fails "a body cut short" "cut short" pointing --start 2014-03-01 --jsoc-url "$U/cut"
fails "an HTML page" "not a JSOC JSON answer" pointing --start 2014-03-01 --jsoc-url "$U/html"
fails "a JSOC error" "JSOC says status 1: Bad record-set" pointing --start 2014-03-01 --jsoc-url "$U/jsocerr"
fails "no records" "no aia.master_pointing3h records" pointing --start 2014-03-01 --jsoc-url "$U/norecords"
check "  ... and none of them cached that day" test ! -e "$C/aia.master_pointing3h_2014-03-01.csv" -a ! -e "$C/aia.master_pointing3h_2014-03-01.csv.source"
check "a refused connection" rc_is 1 "$AIAPREP" fetch pointing --start 2014-03-01 --jsoc-url "http://127.0.0.1:1"
check "  ... says so" err_has "onnect"

# ---- SSW tables ----------------------------------------------------------------
check "fetch response --file (any sdo/aia/response table)" rc_is 0 "$AIAPREP" fetch response --file aia_V99_custom_response_table.txt --ssw-url "$U/ok/"
check "  ... cached" test -f "$C/aia_V99_custom_response_table.txt" -a -f "$C/aia_V99_custom_response_table.txt.source"
check "  ... from sdo/aia/response/" grep -q "\"url\": \"$U/ok/sdo/aia/response/aia_V99_custom_response_table.txt\"" "$C/aia_V99_custom_response_table.txt.source"
fails "an SSW table cut short" "cut short" response --file aia_V99_custom_response_table.txt --ssw-url "$U/cut/" --refresh
check "  ... the cached copy kept whole" cmp -s "$C/aia_V99_custom_response_table.txt" "$T/ssw/aia_V99_custom_response_table.txt"
fails "an SSW table that is an HTML page" "not a usable response table" response --file aia_V99_custom_response_table.txt --ssw-url "$U/html/" --refresh
fails "an SSW table missing" "HTTP 404" errors --ssw-url "$U/missing/"
if [ -n "$REAL" ]; then
  check "fetch response: aiapy's V10 table" rc_is 0 "$AIAPREP" fetch response --ssw-url "$U/ok/"
  check "  ... with aiapy's checksum" grep -q 0a3f2db39d05c44185f6fdeec928089fb55d1ce1e0a805145050c6356cbc6e98 "$C/aia_V10_20201119_190000_response_table.txt.source"
  check "fetch errors: the V3 error table" rc_is 0 "$AIAPREP" fetch errors --ssw-url "$U/ok/"
else
  echo "SKIPPED: aiapy's own tables (the success case of the known checksums): no ../shared/data/tables"
  fails "a table under aiapy's name with other bytes" "is not the expected" response --ssw-url "$U/ok/"
  check "  ... not cached" test ! -e "$C/aia_V10_20201119_190000_response_table.txt"
fi

# ---- prep with auto tables -------------------------------------------------------
# a full frame with three removed spikes, as the stand-in's spikes file says
"$AIAPREP" synth -o "$T/raw.fits" --channel 131 --compress none >/dev/null || exit 1
mkdir -p "$T/in"
"$PY" - "$T/raw.fits" "$T/in/aia_lev1_131a_auto.fits" <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
i = data.find(b"NSPIKES =")
data[i:i + 80] = f"{'NSPIKES':<8}= {3:>20}".ljust(80).encode()
i = data.find(b"CHECKSUM=")  # the header changed: its CHECKSUM no longer holds
data[i:i + 80] = b"COMMENT CHECKSUM removed by the test, which edited the header".ljust(80)
open(sys.argv[2], "wb").write(data)
PY
n=$(requests)
if [ -n "$REAL" ]; then
  check "prep --pointing auto --respike-dir auto --degradation auto --uncertainty auto" rc_is 0 "$AIAPREP" prep \
    --pointing auto --respike-dir auto --degradation auto --uncertainty auto --jsoc-url "$U/ok" --ssw-url "$U/ok/" \
    -o "$T/out" "$T/in"
  out=$T/out/aia_lev1.5_131a_auto.fits
  check "  ... writes the output" test -f "$out"
  check "  ... the day's table from the cache (no new pointing request)" count_is "$(grep -c master_pointing3h <(tail -n +$((n + 1)) "$T/requests"))" 0
  check "  ... the spikes fetched for the frame" test -f "$T/cache/tables/spikes/aia_lev1_131a_auto.spikes.fits"
  check "  ... with their source" test -f "$T/cache/tables/spikes/aia_lev1_131a_auto.spikes.fits.source"
  check "  ... asked by DATE-OBS and WAVELNTH" grep -q 'ds=aia.lev1_euv_12s%5B.*Z%2F12s%5D%5BWAVELNTH%3D131%5D&op=rs_list&seg=spikes' "$T/requests"
  hist=$(grep -a -o 'HISTORY aiaprep[^=]*' "$out" | head -c 4000)
  check "  ... HISTORY: respike with the spikes file" grep -q "respike: 3 pixels put back from" <<<"$hist"
  check "  ... HISTORY: the pointing table by name and checksum" grep -q "aia.master_pointing3h_2014-01-01.csv (sha256 ${sha:0:16})" <<<"$hist"
  check "  ... HISTORY: the options, auto" grep -q "options: --grid 4096 --interp spline --order 3 --respike" <<<"$hist"
  check "  ... HISTORY: no path to the cache" test -z "$(grep -o "$T" <<<"$hist")"
  check "a second run, --offline, from the cache alone" rc_is 0 "$AIAPREP" prep --overwrite --offline \
    --pointing auto --respike-dir auto --degradation auto --uncertainty auto -o "$T/out2" "$T/in"
  check "  ... the same bytes" cmp -s "$out" "$T/out2/aia_lev1.5_131a_auto.fits"
else
  echo "SKIPPED: prep with every auto table (needs aiapy's tables from ../shared/data/tables)"
  check "prep --pointing auto" rc_is 0 "$AIAPREP" prep --pointing auto --jsoc-url "$U/ok" -o "$T/out" "$T/in"
fi
check "prep --pointing auto for a day JSOC cannot give" rc_is 1 "$AIAPREP" prep --pointing auto --overwrite \
  --jsoc-url "$U/missing" --cache "$T/cache2" -o "$T/out3" "$T/in"
check "  ... fails the file, saying why" err_has "aia_lev1_131a_auto.fits: .*HTTP 404"
check "fetch spikes of a file" rc_is 0 "$AIAPREP" fetch spikes -o "$T/sp" --jsoc-url "$U/ok" "$T/in/aia_lev1_131a_auto.fits"
check "  ... where prep --respike-dir looks" test -f "$T/sp/aia_lev1_131a_auto.spikes.fits"
check "fetch spikes, JSOC without them" rc_is 1 "$AIAPREP" fetch spikes -o "$T/sp2" --jsoc-url "$U/jsocerr" "$T/in/aia_lev1_131a_auto.fits"
check "  ... nothing written" test ! -e "$T/sp2/aia_lev1_131a_auto.spikes.fits"
finish test_fetch
