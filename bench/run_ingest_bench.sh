#!/usr/bin/env bash
# The ingest benchmark: a SYNTHETIC nvidia-smi power log (bench/gen_nvsmi.c, seeded) ingested by
#   wattscale ingest --no-samples   (totals only: the parser's speed)
#   wattscale ingest                (every sample stored in SQLite, one transaction)
#   pandas read_csv + to_datetime + unit stripping + np.trapz   (bench/ingest_pandas.py)
# on the same file, each checked against the exact trapezoid energy the generator computed while
# writing the file. Peak memory comes from /usr/bin/time -v (Debian package `time`).
#
# usage: bench/run_ingest_bench.sh [--rows N] [--gpus G] [--seed S] [--repeat R] [--no-pandas]
#                                  [--no-samples-only] [--keep DIR]
#   --rows N           rows in the log (default 10000000, ~900 MB)
#   --gpus G           GPUs interleaved with an index column (default 1: the layout of
#                      data/measured/h100/nvidia-smi_query_run.csv)
#   --repeat R         runs of `ingest --no-samples`; the fastest is reported (default 3)
#   --no-pandas        skip pandas (it needs ~2.5 GB of memory and ~25 s for 10M rows)
#   --no-samples-only  skip the store-every-sample run
#   --keep DIR         generate into DIR and keep the files (default: a temporary directory, removed)
# Builds wattscale in Release in build-bench/ (only the wattscale target). Exit status 1 when an
# energy disagrees with the generator's.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROWS=10000000 GPUS=1 SEED=42 REPEAT=3 PANDAS=1 SAMPLES=1 KEEP=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) ROWS=$2; shift 2 ;;
    --gpus) GPUS=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --repeat) REPEAT=$2; shift 2 ;;
    --no-pandas) PANDAS=0; shift ;;
    --no-samples-only) SAMPLES=0; shift ;;
    --keep) KEEP=$2; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run_ingest_bench: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ ! -x /usr/bin/time ]; then
  echo "run_ingest_bench: /usr/bin/time missing: apt-get install time (or scripts/install-deps.sh)" >&2
  exit 2
fi
PY=/usr/bin/python3 # Debian's, with python3-pandas; the python3 on PATH may lack pandas

BUILD="$ROOT/build-bench"
echo "== building wattscale (Release) in $BUILD"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" --target wattscale -j"$(nproc)" >/dev/null
cc -O2 -std=c11 -Wall -Wextra -Werror -o "$BUILD/gen_nvsmi" "$ROOT/bench/gen_nvsmi.c"
WS="$BUILD/wattscale"

if [ -n "$KEEP" ]; then
  WORK=$KEEP; mkdir -p "$WORK"
else
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/wattscale-bench.XXXXXX")
  trap 'rm -rf "$WORK"' EXIT
fi
label() { # 10000000 -> 10M, 2500000 -> 2500k
  if [ $(( $1 % 1000000 )) -eq 0 ]; then echo "$(( $1 / 1000000 ))M"
  elif [ $(( $1 % 1000 )) -eq 0 ]; then echo "$(( $1 / 1000 ))k"; else echo "$1"; fi
}
SUFFIX=""
[ "$GPUS" -le 1 ] || SUFFIX="_${GPUS}gpu"
CSV="$WORK/synthetic_nvsmi_$(label "$ROWS")$SUFFIX.csv"
echo "== generating $CSV (SYNTHETIC: seeded random walk, not measured)"
EXPECT_LINE=$("$BUILD/gen_nvsmi" --rows "$ROWS" --gpus "$GPUS" --seed "$SEED" --out "$CSV")
EXPECT=$(sed -n 's/.*total=\([0-9.]*\).*/\1/p' <<<"$EXPECT_LINE")
BYTES=$(stat -c %s "$CSV")
echo "   $EXPECT_LINE"
cat "$CSV" >/dev/null # every tool reads the file from the page cache

RESULTS="$WORK/results.tsv"
: >"$RESULTS"
# run NAME OUTFILE CMD...: one timed run; appends "name seconds rss_kb energy" to $RESULTS.
run() {
  local name=$1 out=$2; shift 2
  local tv="$WORK/time.txt"
  if ! /usr/bin/time -v -o "$tv" "$@" >"$out" 2>"$WORK/stderr.txt"; then
    echo "run_ingest_bench: $name failed:" >&2; cat "$WORK/stderr.txt" >&2; exit 1
  fi
  local secs rss
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0;
                       for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$tv")
  rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$tv")
  local energy
  energy=$("$PY" -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(repr(sum(p["energy_j"] for p in d)) if isinstance(d, list) else repr(d["energy_j"]))' "$out")
  printf '%s\t%s\t%s\t%s\n' "$name" "$secs" "$rss" "$energy" >>"$RESULTS"
  printf '   %-32s %8.2f s %8.1f MB  %s J\n' "$name" "$secs" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" "$energy"
}
fresh_db() { rm -f "$WORK/bench.db" "$WORK/bench.db-wal" "$WORK/bench.db-shm"; }

echo "== wattscale ingest --no-samples (best of $REPEAT)"
for i in $(seq "$REPEAT"); do
  fresh_db
  run "wattscale --no-samples #$i" "$WORK/ws.json" "$WS" ingest --json --no-samples --db "$WORK/bench.db" "$CSV"
done
if [ "$SAMPLES" = 1 ]; then
  echo "== wattscale ingest (every sample stored)"
  fresh_db
  run "wattscale (all samples)" "$WORK/ws_all.json" "$WS" ingest --json --db "$WORK/bench.db" "$CSV"
  DBMB=$(du -m "$WORK/bench.db" | cut -f1)
  echo "   store: $DBMB MB, $(sqlite3 "$WORK/bench.db" 'SELECT count(*) FROM samples' 2>/dev/null || echo '?') samples"
  fresh_db
fi
if [ "$PANDAS" = 1 ]; then
  echo "== pandas ($("$PY" -c 'import pandas; print(pandas.__version__)'))"
  run "pandas" "$WORK/pandas.json" "$PY" "$ROOT/bench/ingest_pandas.py" "$CSV"
fi

# Memory must not grow with the file: the same ingest on a tenth of the rows.
SMALL_ROWS=$(( ROWS / 10 ))
if [ "$SMALL_ROWS" -ge 1000 ]; then
  SMALL="$WORK/synthetic_nvsmi_$(label "$SMALL_ROWS")_small.csv"
  "$BUILD/gen_nvsmi" --rows "$SMALL_ROWS" --gpus "$GPUS" --seed "$SEED" --out "$SMALL" >/dev/null 2>&1
  fresh_db
  /usr/bin/time -v -o "$WORK/time_small.txt" "$WS" ingest -q --no-samples --db "$WORK/bench.db" "$SMALL"
  SMALL_RSS=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$WORK/time_small.txt")
  fresh_db
fi

echo
"$PY" - "$RESULTS" "$ROWS" "$BYTES" "$EXPECT" "${SMALL_ROWS}" "${SMALL_RSS:-}" <<'EOF'
import sys
results, rows, nbytes, expect = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
small_rows, small_rss = int(sys.argv[5]), sys.argv[6]
runs = [l.rstrip("\n").split("\t") for l in open(results) if l.strip()]
# Best of the repeated --no-samples runs (peak memory: the largest of them).
best = {}
for name, secs, rss, energy in runs:
    key = name.split(" #")[0]
    secs, rss, energy = float(secs), int(rss), float(energy)
    if key not in best:
        best[key] = [secs, rss, energy]
    else:
        best[key][0] = min(best[key][0], secs)
        best[key][1] = max(best[key][1], rss)
        if energy != best[key][2]:
            best[key][2] = float("nan")
mb = nbytes / 1e6
print("| tool | rows | MB | seconds | rows/s | MB/s | peak RSS MB | energy J |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
print(f"| generator (exact, integer arithmetic) | {rows:,} | {mb:.1f} | | | | | {expect:.6f} |")
bad = 0
for key, (secs, rss, energy) in best.items():
    ok = abs(energy - expect) <= 1e-9 * abs(expect)
    bad += not ok
    print(f"| {key} | {rows:,} | {mb:.1f} | {secs:.2f} | {rows / secs:,.0f} | {mb / secs:.0f} | {rss / 1024:.1f} | "
          f"{energy:.6f}{'' if ok else ' MISMATCH'} |")
if small_rss:
    print(f"\nmemory vs file length: `ingest --no-samples` peak RSS {int(small_rss) / 1024:.1f} MB on {small_rows:,} rows, "
          f"{best.get('wattscale --no-samples', [0, 0])[1] / 1024:.1f} MB on {rows:,} rows")
ws, pd_ = best.get("wattscale --no-samples"), best.get("pandas")
if ws and pd_:
    print(f"wattscale --no-samples is {pd_[0] / ws[0]:.1f}x faster than pandas"
          + (f"; storing every sample {pd_[0] / best['wattscale (all samples)'][0]:.1f}x"
             if "wattscale (all samples)" in best else ""))
print("energies: " + ("all agree with the generator's exact trapezoid (relative 1e-9)" if not bad
                      else f"{bad} MISMATCH(ES)"))
sys.exit(1 if bad else 0)
EOF
