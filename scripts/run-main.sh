#!/usr/bin/env bash
# The main job (README, first command): install what is missing, build, then run the shipped what-if
# scenario on the shipped real data, ingest -> fit -> simulate -> report. Results go to out/ (store,
# reports, hourly series) and plots/ (figures). Deterministic: a rerun rewrites the same bytes.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc 2>/dev/null || echo 2)"
WS=$PWD/build/wattscale
OUT=${WATTSCALE_OUT:-out}
mkdir -p "$OUT"
export WATTSCALE_DB="$OUT/wattscale.db"
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1767225600} # fixes the stamps in models and the store
rm -f "$WATTSCALE_DB" "$WATTSCALE_DB-wal" "$WATTSCALE_DB-shm"
H100=data/measured/h100

echo "== 1/5 ingest the measured profiles (data/)"
# NVML energy-counter totals of 4 repetitions of 10 H100 jobs; work = samples processed.
"$WS" ingest -q --arch "NVIDIA H100 80GB HBM3" --work-column 'samples_per_s*duration_s' --work-unit samples \
  "$H100"/jobs_r*.csv
# The Baler study on a T4 + Xeon Silver 4216: 1000 epochs x 520,000 rows per run.
"$WS" ingest -q --work 520000000 --work-unit samples data/studies/baler_t4_amp.csv
# The 50 ms NVML power logs of the same jobs (their time series; job names marked as logs so that the
# counter totals above are not counted twice) and the raw nvidia-smi log of the whole session.
for f in "$H100"/power_*_r*.csv; do
  job=$(basename "$f" .csv); job=${job#power_}; job=${job%_r[0-9]}
  "$WS" ingest -q --job "$job/nvml-log" --arch "NVIDIA H100 80GB HBM3" "$f"
done
"$WS" ingest -q "$H100/nvidia-smi_query_run.csv"
"$WS" profiles | tail -n +1 | awk 'NR == 1 || NR <= 6 {print} END {print "   ... " NR - 1 " profiles stored in '"$WATTSCALE_DB"'"}'

echo "== 2/5 fit models (models/)"
"$WS" fit --arch h100-80gb-hbm3 --table "$H100/util_curve.csv" --model auto | grep -E "^chosen|R\^2 0|^wrote"
"$WS" fit --arch t4 --tdp-w 70 | grep -E "^wrote"
"$WS" fit --arch xeon-silver-4216 --tdp-w 100 | grep -E "^wrote"
"$WS" fit --family job --arch h100-80gb-hbm3 | grep -E "wrote" | sed 's/^ *//'
"$WS" fit --family job --arch t4-xeon-silver-4216 | grep -E "wrote" | sed 's/^ *//'
"$WS" tweak --baseline fp32_gpu_b512 --variant amp_bf16_gpu_b512

echo "== 3/5 simulate the what-if scenario (scenarios/lhc-baler-whatif.json)"
"$WS" simulate scenarios/lhc-baler-whatif.json --out "$OUT" --plots plots

echo "== 4/5 report"
"$WS" report latest --format html --out "$OUT/report.html"
"$WS" plot fit models/h100-80gb-hbm3-power.json --out plots >/dev/null

echo "== 5/5 the WLCG scenario (scenarios/wlcg.json), then its check against data it was not built from"
"$WS" simulate scenarios/wlcg.json --out "$OUT/wlcg" --plots plots
python3 scripts/check-wlcg.py "$WS" "$OUT/wlcg"
echo
echo "Done. Open $OUT/report.html (one file, figures inside), or read $OUT/report.md; the WLCG"
echo "projection is $OUT/wlcg/report.html and its check against real data $OUT/wlcg/wlcg-check.md;"
echo "figures (PNG for slides, SVG for papers) are in plots/; the store is $WATTSCALE_DB"
echo "(pandas.read_sql('SELECT * FROM profile_energy', sqlite3.connect('$WATTSCALE_DB')));"
echo "examples/wattscale_projection.ipynb reads both."
