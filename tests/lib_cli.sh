# lib_cli.sh: what the command-line tests (tests/cli_*.sh) share, sourced by them: a scratch folder
# $T removed at exit, `check NAME COMMAND...` (passes when COMMAND succeeds), `scenario_copy`, and
# `finish NAME`, the summary line and the exit status. Scripts set SRC (the source tree) first. Not a test itself (ctest runs tests/cli_*.sh only).
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
check() {
    local name=$1
    shift
    if "$@"; then echo "ok - $name"; else echo "FAIL - $name"; fails=$((fails + 1)); fi
}
# scenario_copy SCENARIO OUT PYTHON: a copy of a shipped scenario outside the source tree, its "../"
# paths made absolute (they resolve against the scenario's folder), then edited by PYTHON acting on d.
scenario_copy() {
    /usr/bin/python3 - "$SRC" "$1" "$2" "$3" <<'PY'
import json, sys
src, scenario, out, edit = sys.argv[1:5]
def absolute(x):
    if isinstance(x, dict): return {k: absolute(v) for k, v in x.items()}
    if isinstance(x, list): return [absolute(v) for v in x]
    if isinstance(x, str) and x.startswith("../"): return src + "/" + x[3:]
    return x
d = absolute(json.load(open(scenario)))
exec(edit)
json.dump(d, open(out, "w"))
PY
}
finish() {
    echo "$1: $fails failed"
    [ "$fails" -eq 0 ]
}
