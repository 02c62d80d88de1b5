#!/usr/bin/env bash
# Cross-check wattscale's simulator against an independent SimGrid implementation (sg_fifo.cpp).
#   bench/simgrid/run.sh [SIZE...]      SIZE: 1e4 1e5 1e6 1e7 or a job count (default: 1e4 1e5)
# Env: WATTSCALE=path/to/wattscale (default: the first build*/wattscale that implements simulate),
#      NODES=1000 CORES=32 IDLE_W=100 MAX_W=300, TOL=1e-9, OUT=bench/simgrid/out.
# Steps: build sg_fifo + gen_trace (bench/simgrid/out/build, not the main build), check the hand-computed
# tiny.csv (2 nodes x 4 cores: makespan 14 s, 6100 J) and tiny_ties.csv (30 s, 13000 J), generate synthetic_*.csv traces, run both
# simulators on each, compare makespan and IT energy to TOL relative and print the table.
# Exit: 0 all agree, 1 a mismatch, 2 a failure. Without a usable wattscale only SimGrid runs (exit 0).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="${OUT:-$HERE/out}"
NODES="${NODES:-1000}" CORES="${CORES:-32}" IDLE_W="${IDLE_W:-100}" MAX_W="${MAX_W:-300}" TOL="${TOL:-1e-9}"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1e4 1e5)
mkdir -p "$OUT"

# SimGrid (and the Boost headers it needs) is only for this benchmark, so it is installed here.
pkg-config --exists simgrid || bash "$HERE/../../scripts/install-deps.sh" libsimgrid-dev
if ! pkg-config --exists simgrid; then
  echo "run.sh: SimGrid not found (pkg-config simgrid) and could not be installed (libsimgrid-dev)" >&2
  exit 2
fi
echo "== building sg_fifo against SimGrid $(pkg-config --modversion simgrid)"
cmake -S "$HERE" -B "$OUT/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$OUT/build" >/dev/null
SG="$OUT/build/sg_fifo"

# wattscale: an explicit $WATTSCALE, else build/wattscale, else the newest other build*/wattscale
# (sanitizer builds last); it must implement `simulate`.
WS=""
why=""
cands=()
if [ -n "${WATTSCALE:-}" ]; then cands=("$WATTSCALE"); else
  [ -x "$ROOT/build/wattscale" ] && cands+=("$ROOT/build/wattscale")
  while IFS= read -r b; do [ "$b" = "$ROOT/build/wattscale" ] || cands+=("$b"); done < <(
    ls -t "$ROOT"/build*/wattscale 2>/dev/null | grep -v asan || true
    ls -t "$ROOT"/build*/wattscale 2>/dev/null | grep asan || true)
fi
for b in "${cands[@]}"; do
  if [ ! -x "$b" ]; then why+="  $b: not an executable"$'\n'; continue; fi
  h="$("$b" simulate --help 2>&1 || true)"
  if grep -q -- "--json" <<<"$h" && ! grep -qi "not implemented" <<<"$h"; then WS="$b"; break; fi
  why+="  $b: 'simulate' not implemented in this build: $(head -1 <<<"$h")"$'\n'
done
if [ -n "$WS" ]; then
  echo "== wattscale: $WS"
else
  echo "== wattscale: NO usable build with 'wattscale simulate' (only the SimGrid side runs)"
  [ ${#cands[@]} -gt 0 ] && printf '%s' "$why" || echo "  no build*/wattscale found; build one (cmake -B build && cmake --build build) or set WATTSCALE="
fi
wsarg=()
[ -n "$WS" ] && wsarg=(--wattscale "$WS")

rc=0
echo "== tiny.csv (2 nodes x 4 cores, 100..300 W): hand-computed makespan 14 s, energy 6100 J"
python3 "$HERE/compare.py" --sg "$SG" "${wsarg[@]}" --nodes 2 --cores 4 --idle 100 --max 300 --outdir "$OUT" \
  --tol "$TOL" --expect-makespan 14 --expect-energy 6100 "$HERE/tiny.csv" || rc=$?
echo "== tiny_ties.csv (2 nodes x 4 cores): a completion and two arrivals at t=5; completions first: 30 s, 13000 J"
python3 "$HERE/compare.py" --sg "$SG" "${wsarg[@]}" --nodes 2 --cores 4 --idle 100 --max 300 --outdir "$OUT" \
  --tol "$TOL" --expect-makespan 30 --expect-energy 13000 "$HERE/tiny_ties.csv" || { r=$?; [ $r -gt $rc ] && rc=$r; }

traces=()
for s in "${sizes[@]}"; do
  n="$(python3 -c "import sys; print(int(float(sys.argv[1])))" "$s")"
  f="$OUT/synthetic_$s.csv"
  if [ ! -s "$f" ] || [ "$(tail -n1 "$f" | cut -d, -f1)" != "$n" ]; then
    echo "== generating $f ($n jobs)"
    "$OUT/build/gen_trace" "$n" > "$f.tmp" && mv "$f.tmp" "$f"
  fi
  traces+=("$f")
done
echo "== synthetic traces on $NODES nodes x $CORES cores, $IDLE_W..$MAX_W W (tolerance $TOL relative)"
python3 "$HERE/compare.py" --sg "$SG" "${wsarg[@]}" --nodes "$NODES" --cores "$CORES" --idle "$IDLE_W" \
  --max "$MAX_W" --outdir "$OUT" --tol "$TOL" "${traces[@]}" || { r=$?; [ $r -gt $rc ] && rc=$r; }
echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(date -u +%Y-%m-%dT%H:%MZ); results appended to $OUT/results.jsonl"
[ $rc -eq 0 ] && echo "run.sh: OK" || echo "run.sh: FAILED ($rc)"
exit $rc
