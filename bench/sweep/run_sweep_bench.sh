#!/usr/bin/env bash
# run_sweep_bench: sweep throughput of `wattscale sweep bench/sweep/bench-sweep.json` (64 points x 2
# variants x 2 replicas) serially and under `mpirun -np N` for each N of --np, best of --reps runs, with
# the parallel efficiency T_serial / (N x T_N) and the per-rank timings (--timings) of the largest N.
# Every run's sweep.csv and sweep.json must be byte-identical to the serial ones (exit 1 otherwise).
# --whatif "1 2 4 ..." also times `mpirun -np N wattscale simulate bench/sweep/bench-whatif.json
# --threads 1` (128 what-if runs spread over the ranks by ws_whatif) and byte-compares its report.json.
# --ceiling N measures what the machine itself gives N processes: the last 8 points (--point, no MPI)
# alone, then N copies of that at once; ceiling = time alone / slowest copy's time (1 on a machine whose
# N cores run N processes as fast as one).
# Builds wattscale (Release, MPI on) in build-bench-sweep/ unless --bin BIN.
# Usage: bench/sweep/run_sweep_bench.sh [--bin BIN] [--reps R] [--np "2 4"] [--scenario FILE] [--whatif "1 2"]
#        [--ceiling N]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN="" REPS=3 NPS="2" SCEN=$HERE/bench-sweep.json WHATIF="" CEILING=""
while [ $# -gt 0 ]; do
    case $1 in
    --bin) BIN=$2; shift 2 ;;
    --reps) REPS=$2; shift 2 ;;
    --np) NPS=$2; shift 2 ;;
    --scenario) SCEN=$2; shift 2 ;;
    --whatif) WHATIF=$2; shift 2 ;;
    --ceiling) CEILING=$2; shift 2 ;;
    *) echo "usage: $0 [--bin BIN] [--reps R] [--np \"2 4\"] [--scenario FILE] [--whatif \"1 2\"] [--ceiling N]" >&2; exit 2 ;;
    esac
done
if [ -z "$BIN" ]; then
    cmake -S "$ROOT" -B "$ROOT/build-bench-sweep" -DCMAKE_BUILD_TYPE=Release -DWATTSCALE_TESTS=OFF >/dev/null
    cmake --build "$ROOT/build-bench-sweep" --target wattscale -j"$(nproc)" >/dev/null
    BIN=$ROOT/build-bench-sweep/wattscale
fi
"$BIN" sweep --mpi-info | grep -q "with MPI" || { echo "run_sweep_bench: $BIN was built without MPI" >&2; exit 1; }
TIMINGS=()
"$BIN" sweep --help | grep -q -- --timings && TIMINGS=(--timings) # older binaries lack it
MPIRUN=(mpirun --oversubscribe)
[ "$(id -u)" -eq 0 ] && MPIRUN+=(--allow-run-as-root)
[ -n "${LD_LIBRARY_PATH:-}" ] && MPIRUN+=(-x LD_LIBRARY_PATH)
export OMPI_MCA_btl_vader_single_copy_mechanism=none
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
secs() { date +%s.%N; }
calc() { awk "BEGIN { print $* }"; } # bc is not everywhere
best() { if [ -z "$1" ] || awk "BEGIN { exit !($2 < $1) }"; then echo "$2"; else echo "$1"; fi; }

# run LABEL CMD...: best of REPS; prints "compute_s wall_s" (compute = the sweep's own timing line,
# wall = the whole command including MPI start-up). The last run's stderr stays in $T/LABEL.err.
run() {
    local label=$1 best_c="" best_w=""
    shift
    for r in $(seq "$REPS"); do
        local t0 t1 c
        rm -rf "${T:?}/$label"
        t0=$(secs)
        "$@" "$SCEN" --no-store --no-plots --quiet "${TIMINGS[@]}" --out "$T/$label" >/dev/null 2>"$T/$label.err"
        t1=$(secs)
        c=$(sed -n 's/^sweep: [0-9]* points on .* in \([0-9.]*\) s .*/\1/p' "$T/$label.err")
        best_w=$(best "$best_w" "$(calc "$t1 - $t0")")
        best_c=$(best "$best_c" "$c")
    done
    local same=yes
    if [ "$label" != serial ]; then
        cmp -s "$T/serial/sweep.csv" "$T/$label/sweep.csv" && cmp -s "$T/serial/sweep.json" "$T/$label/sweep.json" || same=no
    fi
    echo "$best_c $best_w $same"
}

points=$(/usr/bin/python3 -c "
import json, math
d = json.load(open('$SCEN'))
print(math.prod(len(v) for v in d['sweep'].values()))")
echo "scenario: $SCEN ($points points), best of $REPS, $(nproc) cores, $("$BIN" sweep --mpi-info | sed 's/.*built //')"
printf '| run | ranks | compute s | wall s | points/s (compute) | efficiency | byte-identical |\n|---|---:|---:|---:|---:|---:|---|\n'
read -r c1 w1 s1 < <(run serial "$BIN" sweep)
printf '| serial (no mpirun) | 1 | %.3f | %.3f | %.2f | 1.00 | reference |\n' "$c1" "$w1" "$(calc "$points / $c1")"
fail=0 last=""
for np in $NPS; do
    read -r c w same < <(run "np$np" "${MPIRUN[@]}" -np "$np" "$BIN" sweep)
    printf '| mpirun -np %s | %s | %.3f | %.3f | %.2f | %.2f | %s |\n' "$np" "$np" "$c" "$w" \
        "$(calc "$points / $c")" "$(calc "$c1 / ($np * $c)")" "$same"
    [ "$same" = yes ] || fail=1
    last=np$np
done
echo "efficiency = serial compute time / (ranks x compute time)"
if [ -n "$last" ]; then
    echo "per-rank timings of the last run with the most ranks ($last, --timings):"
    grep '^sweep: rank' "$T/$last.err" || true
fi

if [ -n "$CEILING" ]; then
    first=$((points > 8 ? points - 8 : 0))
    range="$first-$((points - 1))"
    t0=$(secs)
    "$BIN" sweep "$SCEN" --point "$range" --out "$T/c1" 2>/dev/null
    alone=$(calc "$(secs) - $t0")
    for i in $(seq "$CEILING"); do
        (t0=$(secs); "$BIN" sweep "$SCEN" --point "$range" --out "$T/c$i" 2>/dev/null; calc "$(secs) - $t0" >"$T/c$i.t") &
    done
    wait
    slowest=$(cat "$T"/c*.t | sort -g | tail -1)
    echo
    printf 'machine ceiling: points %s alone %.3f s; %s copies at once (no MPI), slowest %.3f s, mean %.3f s: ceiling %.2f\n' \
        "$range" "$alone" "$CEILING" "$slowest" "$(cat "$T"/c*.t | awk '{ s += $1 } END { print s / NR }')" \
        "$(calc "$alone / $slowest")"
fi

if [ -n "$WHATIF" ]; then
    W=$HERE/bench-whatif.json
    echo
    echo "what-if over ranks: $W (mpirun -np N wattscale simulate --threads 1), wall s best of $REPS"
    printf '| ranks | wall s | mpirun start-up s | efficiency | efficiency without start-up | report.json byte-identical |\n|---:|---:|---:|---:|---:|---|\n'
    wref=""
    for np in $WHATIF; do
        bw=""
        for r in $(seq "$REPS"); do
            rm -rf "${T:?}/w$np"
            mkdir -p "$T/w$np"
            # Each in its own folder with the same relative paths: the report names its figures.
            t0=$(secs)
            if [ "$np" = 1 ]; then
                (cd "$T/w$np" && "$BIN" simulate "$W" --threads 1 --no-store --quiet --out out --plots plots >/dev/null 2>err)
            else
                (cd "$T/w$np" && "${MPIRUN[@]}" -np "$np" "$BIN" simulate "$W" --threads 1 --no-store --quiet --out out \
                    --plots plots >/dev/null 2>err)
            fi
            t1=$(secs)
            bw=$(best "$bw" "$(calc "$t1 - $t0")")
        done
        [ -n "$wref" ] || wref=$bw
        st=0
        if [ "$np" != 1 ]; then # what an empty command costs under mpirun at this N
            t0=$(secs)
            "${MPIRUN[@]}" -np "$np" "$BIN" sweep --mpi-info >/dev/null
            st=$(calc "$(secs) - $t0")
        fi
        same=yes
        cmp -s "$T/w1/out/report.json" "$T/w$np/out/report.json" || { same=no; fail=1; }
        printf '| %s | %.3f | %.3f | %.2f | %.2f | %s |\n' "$np" "$bw" "$st" "$(calc "$wref / ($np * $bw)")" \
            "$(calc "$wref / ($np * ($bw - $st))")" "$same"
    done
fi
if [ "$fail" -ne 0 ]; then
    echo "run_sweep_bench: an output differs from the serial one" >&2
    exit 1
fi
