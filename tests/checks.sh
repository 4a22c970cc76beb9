# checks.sh — what the shell tests share; source it after setting T (a
# scratch folder). check DESCRIPTION COMMAND... runs one check; the others
# are commands for it. `finish NAME` prints the count and sets the status.
checks=0; failed=0
check() {
  local what=$1; shift
  checks=$((checks+1))
  if ! "$@"; then failed=$((failed+1)); echo "FAILED: $what" >&2; fi
}
# rc_is CODE COMMAND...: the exit status; stdout and stderr kept in $T
rc_is() { local want=$1; shift; "$@" >"$T/stdout" 2>"$T/err"; local rc=$?; [ "$rc" = "$want" ] || { echo "  exit $rc, expected $want: $*" >&2; cat "$T/err" >&2; return 1; }; }
out_has() { grep -q -- "$1" "$T/stdout" || { echo "  stdout lacks '$1':" >&2; cat "$T/stdout" >&2; return 1; }; }
err_has() { grep -q -- "$1" "$T/err" || { echo "  stderr lacks '$1':" >&2; cat "$T/err" >&2; return 1; }; }
count_is() { [ "$1" = "$2" ] || { echo "  counted $1, expected $2" >&2; return 1; }; }
finish() { echo "$1: $checks checks, $failed failed"; [ "$failed" = 0 ]; }
