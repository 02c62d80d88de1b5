#!/usr/bin/env bash
# run_sweep_bench: sweep throughput of `wattscale sweep` serially and under `mpirun -np 1` and `-np 2`
# on bench/sweep/bench-sweep.json (16 points x 2 variants x 2 replicas), best of --reps runs, and the
# parallel efficiency T_serial / (N x T_N). Every run's CSV must be byte-identical to the serial one
# (exit 1 otherwise). Builds wattscale (Release, MPI on) in build-bench-sweep/ unless --bin BIN.
# Usage: bench/sweep/run_sweep_bench.sh [--bin BIN] [--reps R] [--np "1 2"] [--scenario FILE]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN="" REPS=3 NPS="1 2" SCEN=$HERE/bench-sweep.json
while [ $# -gt 0 ]; do
    case $1 in
    --bin) BIN=$2; shift 2 ;;
    --reps) REPS=$2; shift 2 ;;
    --np) NPS=$2; shift 2 ;;
    --scenario) SCEN=$2; shift 2 ;;
    *) echo "usage: $0 [--bin BIN] [--reps R] [--np \"1 2\"] [--scenario FILE]" >&2; exit 2 ;;
    esac
done
if [ -z "$BIN" ]; then
    cmake -S "$ROOT" -B "$ROOT/build-bench-sweep" -DCMAKE_BUILD_TYPE=Release -DWATTSCALE_TESTS=OFF >/dev/null
    cmake --build "$ROOT/build-bench-sweep" --target wattscale -j"$(nproc)" >/dev/null
    BIN=$ROOT/build-bench-sweep/wattscale
fi
"$BIN" sweep --mpi-info | grep -q "with MPI" || { echo "run_sweep_bench: $BIN was built without MPI" >&2; exit 1; }
MPIRUN=(mpirun --oversubscribe)
[ "$(id -u)" -eq 0 ] && MPIRUN+=(--allow-run-as-root)
export OMPI_MCA_btl_vader_single_copy_mechanism=none
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# run LABEL CMD...: best of REPS; prints "compute_s wall_s" (compute = the sweep's own timing line,
# wall = the whole command including MPI start-up).
run() {
    local label=$1 best_c="" best_w=""
    shift
    for r in $(seq "$REPS"); do
        local t0 t1 c w
        t0=$(date +%s.%N)
        "$@" "$SCEN" --no-store --no-plots --out "$T/$label" >/dev/null 2>"$T/err"
        t1=$(date +%s.%N)
        c=$(sed -n 's/^sweep: .* in \([0-9.]*\) s .*/\1/p' "$T/err")
        w=$(echo "$t1 - $t0" | bc -l)
        if [ -z "$best_w" ] || [ "$(echo "$w < $best_w" | bc -l)" -eq 1 ]; then best_w=$w; fi
        if [ -z "$best_c" ] || [ "$(echo "$c < $best_c" | bc -l)" -eq 1 ]; then best_c=$c; fi
    done
    if [ "$label" != serial ] && ! cmp -s "$T/serial/sweep.csv" "$T/$label/sweep.csv"; then
        echo "run_sweep_bench: $label output differs from the serial one" >&2
        exit 1
    fi
    echo "$best_c $best_w"
}

points=$(/usr/bin/python3 -c "
import json, math
d = json.load(open('$SCEN'))
print(math.prod(len(v) for v in d['sweep'].values()))")
echo "scenario: $SCEN ($points points), best of $REPS, $(nproc) cores, $("$BIN" sweep --mpi-info | sed 's/.*built //')"
printf '| run | ranks | compute s | wall s | points/s (compute) | points/s (wall) | efficiency |\n|---|---:|---:|---:|---:|---:|---:|\n'
read -r c1 w1 < <(run serial "$BIN" sweep)
printf '| serial (no mpirun) | 1 | %.3f | %.3f | %.2f | %.2f | 1.00 |\n' "$c1" "$w1" "$(echo "$points / $c1" | bc -l)" "$(echo "$points / $w1" | bc -l)"
for np in $NPS; do
    read -r c w < <(run "np$np" "${MPIRUN[@]}" -np "$np" "$BIN" sweep)
    printf '| mpirun -np %s | %s | %.3f | %.3f | %.2f | %.2f | %.2f |\n' "$np" "$np" "$c" "$w" \
        "$(echo "$points / $c" | bc -l)" "$(echo "$points / $w" | bc -l)" "$(echo "$c1 / ($np * $c)" | bc -l)"
done
echo "efficiency = serial compute time / (ranks x compute time); every run's sweep.csv is byte-identical to the serial one"
