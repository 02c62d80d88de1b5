#!/usr/bin/env bash
# The main job (README, first command): install what is missing, build, then run the shipped
# what-if scenario on the shipped real data: ingest -> fit -> simulate -> report, into out/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc 2>/dev/null || echo 2)"
WS=$PWD/build/wattscale
OUT=${WATTSCALE_OUT:-$PWD/out}
mkdir -p "$OUT"
export WATTSCALE_DB="$OUT/wattscale.db"
rm -f "$WATTSCALE_DB" "$WATTSCALE_DB-wal" "$WATTSCALE_DB-shm"

echo "== 1. ingest the measured profiles (data/)"
H100=data/measured/h100
"$WS" ingest -q --arch "NVIDIA H100 80GB HBM3" --work-column 'samples_per_s*duration_s' --work-unit samples \
  "$H100/jobs_r0.csv"
"$WS" ingest -q data/studies/baler_t4_amp.csv
"$WS" ingest -q "$H100/nvidia-smi_query_run.csv"
for f in "$H100"/power_*_r0.csv; do
  job=$(basename "$f" _r0.csv); job=${job#power_}
  "$WS" ingest -q --job "$job" --arch "NVIDIA H100 80GB HBM3" "$f"
done
"$WS" profiles
