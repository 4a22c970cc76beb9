#!/usr/bin/env bash
# make-man.sh AIAPREP OUT — the man page aiaprep.1 from the program's own
# --help texts (run at build time), so that the two never disagree: the
# main help as DESCRIPTION, then each command's help in its own section,
# set as written (no filling). No date in it: the same program gives the
# same page.
set -euo pipefail
AIAPREP=$1 OUT=$2
version=$("$AIAPREP" --version | head -n 1)
# the commands, in the order the main help lists them
commands=$("$AIAPREP" --help | awk '/^Commands:/ {on=1; next} on && /^$/ {exit} on && /^  [a-z]/ {print $1}')
roff() { # plain text to roff: backslashes, leading dots and quotes
  sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/" -e 's/-/\\-/g'
}
tmp=$OUT.tmp.$$
{
  echo '.TH AIAPREP 1 "" "'"$version"'" "User Commands"'
  echo '.SH NAME'
  echo 'aiaprep \- prepare SDO/AIA level-1 images for science with aiapy'"'"'s numbers'
  echo '.SH SYNOPSIS'
  echo '.nf'
  for c in $commands; do "$AIAPREP" "$c" --help | sed -n '1,/^$/p' | grep -v '^$' | sed 's/^Usage: //; s/^       //'; done | roff
  echo '.fi'
  echo '.SH DESCRIPTION'
  echo '.nf'
  "$AIAPREP" --help | roff
  echo '.fi'
  for c in $commands; do
    echo ".SH COMMAND: $c"
    echo '.nf'
    "$AIAPREP" "$c" --help | roff
    echo '.fi'
  done
  echo '.SH ENVIRONMENT'
  echo '.TP'
  echo '.B AIAPREP_CACHE'
  echo 'the cache directory (PSFs, FFTW wisdom, tables/); else $XDG_CACHE_HOME/aiaprep, else ~/.cache/aiaprep'
  echo '.TP'
  echo '.B AIAPREP_JSOC_URL, AIAPREP_SSW_URL, AIAPREP_FETCH_TIMEOUT'
  echo 'where fetch and the auto tables download from, and how long they wait'
  echo '.TP'
  echo '.B AIAPREP_KERNELS'
  echo 'generic, avx2 or avx512: the CPU kernels to use (default: the best this CPU has)'
  echo '.TP'
  echo '.B AIAPREP_RICE'
  echo 'cfitsio: read and write Rice tiles with cfitsio'"'"'s codec instead of the library'"'"'s'
  echo '.SH SEE ALSO'
  echo 'The README of the source tree; aiapy (https://aiapy.readthedocs.io).'
} >"$tmp"
mv "$tmp" "$OUT"
