# lib_cli.sh: what the command-line tests (tests/cli_*.sh) share, sourced by them: a scratch folder
# $T removed at exit, `check NAME COMMAND...` (passes when COMMAND succeeds), and `finish NAME`, the
# summary line and the exit status. Not a test itself (ctest runs tests/cli_*.sh only).
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
check() {
    local name=$1
    shift
    if "$@"; then echo "ok - $name"; else echo "FAIL - $name"; fails=$((fails + 1)); fi
}
finish() {
    echo "$1: $fails failed"
    [ "$fails" -eq 0 ]
}
