# bash completion for aiaprep (installed as share/bash-completion/completions/aiaprep).
# The commands and options come from the program's own --help, so they are
# always the program's: `aiaprep --help` lists the commands, `aiaprep CMD
# --help` the options (read once per shell and command).

declare -gA _aiaprep_options_cache

_aiaprep_options() { # the long options of a command, from its --help
  local prog=$1 cmd=$2
  if [[ -z ${_aiaprep_options_cache[$cmd]+x} ]]; then
    local help
    help=$("$prog" "$cmd" --help 2>/dev/null)
    # the options of the option lines (those that start with a '-'): "  -o, --output DIR"
    local lines
    lines=$(grep -E '^ +-' <<<"$help")
    _aiaprep_options_cache[$cmd]=$({ grep -oE -- '--[a-z0-9][a-z0-9-]*' <<<"$lines"
                                     grep -oE '^ +-[a-zA-Z],' <<<"$lines" | tr -d ' ,'; } | sort -u | tr '\n' ' ')
  fi
  printf '%s' "${_aiaprep_options_cache[$cmd]}"
}

_aiaprep() {
  local cur prev prog cmd
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD-1]}
  prog=${COMP_WORDS[0]}
  COMPREPLY=()
  if ((COMP_CWORD == 1)); then
    local commands
    commands=$("$prog" --help 2>/dev/null | awk '/^Commands:/ {on=1; next} on && /^$/ {exit} on && /^  [a-z]/ {print $1}')
    mapfile -t COMPREPLY < <(compgen -W "$commands --help --version" -- "$cur")
    return
  fi
  cmd=${COMP_WORDS[1]}
  case $prev in # option values
    --dtype) mapfile -t COMPREPLY < <(compgen -W "auto int16 int32 float32 float64" -- "$cur"); return ;;
    --compress) mapfile -t COMPREPLY < <(compgen -W "auto none rice gzip2" -- "$cur"); return ;;
    --grid) mapfile -t COMPREPLY < <(compgen -W "4096 aiapy" -- "$cur"); return ;;
    --interp) mapfile -t COMPREPLY < <(compgen -W "spline cubic-convolution" -- "$cur"); return ;;
    --precision) mapfile -t COMPREPLY < <(compgen -W "single double" -- "$cur"); return ;;
    --order) mapfile -t COMPREPLY < <(compgen -W "0 1 2 3 4 5" -- "$cur"); return ;;
    --channel) mapfile -t COMPREPLY < <(compgen -W "94 131 171 193 211 304 335 1600 1700 4500" -- "$cur"); return ;;
    --pointing|--degradation|--uncertainty)
      mapfile -t COMPREPLY < <(compgen -W "auto" -- "$cur"; compgen -f -- "$cur"); return ;;
    --respike-dir) mapfile -t COMPREPLY < <(compgen -W "auto" -- "$cur"; compgen -d -- "$cur"); return ;;
    -o|--output|--cache|--cache-dir)
      if [[ $cmd == prep || $cmd == fetch ]]; then mapfile -t COMPREPLY < <(compgen -d -- "$cur")
      else mapfile -t COMPREPLY < <(compgen -f -- "$cur"); fi
      return ;;
  esac
  if [[ $cmd == fetch ]] && ((COMP_CWORD == 2)) && [[ $cur != -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "pointing response errors spikes" -- "$cur")
    return
  fi
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$(_aiaprep_options "$prog" "$cmd")" -- "$cur")
    return
  fi
  mapfile -t COMPREPLY < <(compgen -f -- "$cur")
}

complete -o filenames -o bashdefault -F _aiaprep aiaprep
