#!/usr/bin/env bash
# bench/sim/run.sh: simulated jobs per second and peak memory of `wattscale simulate`.
#  1. FIFO first-fit on 1000 nodes x 32 cores, SWF traces of 10^4 .. 10^7 jobs (80 % load).
#  2. One simulated year at 1 million jobs a day over 170 sites (synthetic classes, 6 CPU nodes of
#     64 cores per site, round-robin), with the hourly series written.
# Usage: bench/sim/run.sh BUILD_DIR [MAX_EXPONENT] [--no-year]   (results on stdout; traces in $TMPDIR)
# Results and how they were taken: bench/sim/README.md.
set -eu
BUILD=${1:?build dir}
MAXE=${2:-7}
YEAR=${3:-}
BIN=$BUILD/wattscale
HERE=$(cd "$(dirname "$0")" && pwd)
W=${TMPDIR:-/tmp}/wattscale-bench-sim
mkdir -p "$W"
cc -O2 -o "$W/gen_trace" "$HERE/gen_trace.c" -lm

measure() { # label jobs scenario
    local out t0 t1
    # wall from date +%s%N (GNU time's %e has 10 ms steps: 10^4 jobs read as "0.00 s"); peak RSS from %M
    t0=$(date +%s%N)
    out=$( { /usr/bin/time -f "%M" "$BIN" simulate "$3" --no-store --json >"$W/last.json"; } 2>&1 | tail -1)
    t1=$(date +%s%N)
    local wall kb=$out
    wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", (b - a) / 1e9 }')
    local done
    done=$(grep -E '"jobs":' "$W/last.json" | head -1 | tr -dc 0-9)
    awk -v l="$1" -v n="$done" -v w="$wall" -v kb="$kb" \
        'BEGIN { printf "%-34s %10d jobs %8.3f s %12.0f jobs/s %8.1f MiB peak\n", l, n, w, n / (w > 0 ? w : 1e-9), kb / 1024 }'
}

for e in $(seq 4 "$MAXE"); do
    n=$((10 ** e))
    [ -s "$W/t$e.swf" ] || "$W/gen_trace" $n 1000 32 0.8 $e >"$W/t$e.swf"
    cat >"$W/s$e.json" <<J
{"sites": [{"name": "A", "pue": 1.2, "carbon_g_per_kwh": 100,
  "nodes": [{"type": "cpu", "count": 1000, "cores": 32, "power": {"model": "linear", "idle_w": 100, "max_w": 400}}]}],
 "workload": {"trace": "t$e.swf"}, "policy": {"queue": "fifo", "placement": "first-fit"}, "horizon": "makespan"}
J
    measure "fifo first-fit 1000x32, 10^$e" $n "$W/s$e.json"
done

[ "$YEAR" = --no-year ] && exit 0
python3 - "$W/year.json" <<'P'
import json, sys
sites = [{"name": f"S{i:03d}", "pue": 1.3, "carbon_g_per_kwh": 50 + i,
          "nodes": [{"type": "cpu", "count": 6, "cores": 64,
                     "power": {"model": "linear", "idle_w": 150, "max_w": 500}}]} for i in range(170)]
classes = [{"name": "short", "rate_per_day": 1_000_000, "cores": 1, "utilisation": 0.9,
            "runtime": {"dist": "lognormal", "median_s": 2700, "sigma": 0.5}}]
json.dump({"sites": sites, "workload": {"classes": classes},
           "policy": {"queue": "fifo", "placement": "first-fit", "dispatch": "round-robin"},
           "horizon": {"start": "2020-01-01T00:00:00Z", "days": 365}, "seed": 1}, open(sys.argv[1], "w"))
P
measure "1 year, 10^6 jobs/day, 170 sites" 365000000 "$W/year.json"
