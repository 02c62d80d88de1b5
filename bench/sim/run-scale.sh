#!/usr/bin/env bash
# Scale benchmarks of the what-if path (bench/sim/README.md, "At LHC scale"):
#   (a) a persistent queue on 288,000 cores: easy-backfill against fifo (persistent-queue.json);
#   (b) a WLCG-sized what-if: 12 sites, 374,592 cores, 2,400 GPUs, 1e6 jobs a day for 3 days,
#       easy-backfill, 4 variants x 3 replicas (wlcg-whatif.json), on every core;
#   (c) jobs per second of both against the trace replay (bench/sim/run.sh).
#   bench/sim/run-scale.sh BUILD_DIR
set -euo pipefail
BUILD=${1:?build dir}
HERE=$(cd "$(dirname "$0")" && pwd)
T=${TMPDIR:-/tmp}/wattscale-bench-scale
mkdir -p "$T"
WS=$BUILD/wattscale
run() { # run NAME ARGS...: wall s, peak RSS
    local name=$1
    shift
    /usr/bin/time -f "%e %M" -o "$T/time" "$WS" "$@" >"$T/$name.out" 2>"$T/$name.err"
    read -r wall kb <"$T/time"
    printf '%-40s %8s s %8.0f MiB\n' "$name" "$wall" "$((kb / 1024))"
}
for q in fifo easy-backfill; do
    sed "s/\"queue\": \"fifo\"/\"queue\": \"$q\"/" "$HERE/persistent-queue.json" >"$T/pq-$q.json"
    run "persistent queue, $q" simulate "$T/pq-$q.json" --no-store --quiet
    grep -E "^jobs|^total" "$T/persistent queue, $q.out" | sed 's/^/    /'
done
run "WLCG what-if, $(nproc) threads" simulate "$HERE/wlcg-whatif.json" --no-store --quiet --plots "$T/plots"
grep -E "^baseline|^greenest|^shift|^faster" "$T/WLCG what-if, $(nproc) threads.out" | sed 's/^/    /'
run "WLCG what-if, 1 thread" simulate "$HERE/wlcg-whatif.json" --no-store --quiet --threads 1 --plots "$T/plots1"
cmp -s "$T/plots/bench-wlcg-whatif-savings.svg" "$T/plots1/bench-wlcg-whatif-savings.svg" &&
    echo "    same figures at 1 and $(nproc) threads"
