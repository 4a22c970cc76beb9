#!/usr/bin/env bash
# test_docs.sh — the man page and bash completion: aiaprep.1 (made at build
# time from the --help texts) has every command and every option of every
# command's --help, and man renders it without warnings; the completion
# offers the commands, each command's options and the values of the
# options that take a word.
# Usage: test_docs.sh PATH/TO/aiaprep
set -u
AIAPREP=$1
HERE=${AIAPREP_TESTS:-$(dirname "$0")}
MAN=$(dirname "$AIAPREP")/aiaprep.1
COMPLETION=$HERE/../scripts/aiaprep-completion.bash
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
. "$HERE/checks.sh"

check "the man page was built" test -s "$MAN"
commands=$("$AIAPREP" --help | awk '/^Commands:/ {on=1; next} on && /^$/ {exit} on && /^  [a-z]/ {print $1}')
check "the main help lists the commands" test -n "$commands"
# the page as text: roff's \- and \e undone
sed -e 's/\\-/-/g' -e 's/\\e/\\/g' -e 's/^\\&//' "$MAN" >"$T/man.txt"
for c in $commands; do
  check "man page: a section for $c" grep -q "^\.SH COMMAND: $c\$" "$T/man.txt"
  missing=""
  for opt in $("$AIAPREP" "$c" --help | grep -E '^ +-' | grep -oE -- '--[a-z0-9][a-z0-9-]*' | sort -u); do
    grep -q -- "$opt" "$T/man.txt" || missing="$missing $opt"
  done
  check "man page: every option of $c --help${missing:+ (missing:$missing)}" test -z "$missing"
done
if command -v man >/dev/null; then
  man --warnings -l "$MAN" >"$T/rendered" 2>"$T/warnings"
  check "man renders the page" test -s "$T/rendered"
  check "  ... without warnings" test ! -s "$T/warnings"
else
  echo "SKIPPED: rendering with man (not installed)"
fi

complete_words() { # WORDS...: what the completion offers for the last word
  bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _aiaprep; printf "%s\n" "${COMPREPLY[@]}"' \
    _ "$COMPLETION" "$@"
}
check "completion: the commands" test "$(complete_words "$AIAPREP" "" | grep -c -x -E "$(echo $commands | tr ' ' '|')")" = "$(echo $commands | wc -w)"
check "  ... a prefix" test "$(complete_words "$AIAPREP" fe)" = fetch
check "  ... prep's options" grep -qx -- --deconvolve <(complete_words "$AIAPREP" prep --deco)
check "  ... every option of prep --help" test "$(complete_words "$AIAPREP" prep -- | wc -l)" = \
  "$("$AIAPREP" prep --help | grep -E '^ +-' | grep -oE -- '--[a-z0-9][a-z0-9-]*' | sort -u | wc -l)"
check "  ... not another command's" test -z "$(complete_words "$AIAPREP" info -- | grep -- --deconvolve)"
check "  ... --dtype's values" test "$(complete_words "$AIAPREP" prep --dtype "" | tr '\n' ' ')" = "auto int16 int32 float32 float64 "
check "  ... auto for a table" grep -qx auto <(complete_words "$AIAPREP" prep --pointing "")
check "  ... what fetch fetches" test "$(complete_words "$AIAPREP" fetch "" | tr '\n' ' ')" = "pointing response errors spikes "
touch "$T/frame_one.fits"
check "  ... file names otherwise" grep -qx "$T/frame_one.fits" <(complete_words "$AIAPREP" info "$T/frame_o")
check "the completion registers for aiaprep" bash -c ". '$COMPLETION'; complete -p aiaprep | grep -q _aiaprep"
finish test_docs
