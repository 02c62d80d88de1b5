#!/usr/bin/env bash
# The test command (README, .ci/run): install what is missing, build, run the whole suite, then build
# and run it again under AddressSanitizer + UndefinedBehaviorSanitizer, with GCC and with clang (each
# finds undefined behaviour the other misses).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
jobs=$(nproc 2>/dev/null || echo 2)

echo "== build (RelWithDebInfo) and test"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

echo "== build with ASan+UBSan and test"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DWATTSCALE_SANITIZE=ON -DWATTSCALE_MPI=OFF >/dev/null
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0" \
  WATTSCALE_SANITIZED=1 ctest --test-dir build-asan --output-on-failure -j"$jobs"

echo "== fuzz smoke: clang libFuzzer harnesses of tests/fuzz, 8 s each on seeds from data/, models/ and scenarios/"
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DWATTSCALE_FUZZ=ON -DWATTSCALE_TESTS=OFF \
  -DWATTSCALE_MPI=OFF >/dev/null
HARNESSES="ingest scenario trace series model"
cmake --build build-fuzz -j"$jobs" $(for h in $HARNESSES; do printf -- '--target fuzz_%s ' "$h"; done) >/dev/null
F=$(mktemp -d)
for h in $HARNESSES; do mkdir -p "$F/seed_$h" "$F/corpus_$h"; done
cp data/profiles/*/*.csv data/studies/*.csv "$F/seed_ingest/"
head -c 20000 data/measured/h100/power_fp32_gpu_b512_r0.csv >"$F/seed_ingest/nvidia-smi.csv"
cp scenarios/*.json "$F/seed_scenario/"
for c in data/carbon/*.csv; do head -200 "$c" >"$F/seed_series/$(basename "$c")"; done # a year is slow to fuzz
# trace and model harnesses read a selector byte first (trace: odd = SWF; model: 0 power, 1 job, 2 table)
{ printf '\001'; cat data/workloads/*.swf; } >"$F/seed_trace/swf"
{ printf '\000'; cat models/h100-80gb-hbm3-power.json; } >"$F/seed_model/power"
{ printf '\001'; cat models/h100-80gb-hbm3-job-fp32_gpu_b512.json; } >"$F/seed_model/job"
{ printf '\002'; cat data/measured/h100/util_curve.csv; } >"$F/seed_model/table"
for h in $HARNESSES; do
  if ! (cd "$F" && ASAN_OPTIONS=detect_leaks=1 "$OLDPWD/build-fuzz/fuzz_$h" -max_total_time=8 -rss_limit_mb=2048 \
        -artifact_prefix="$F/" "corpus_$h" "seed_$h" >"$F/fuzz_$h.log" 2>&1); then
    tail -40 "$F/fuzz_$h.log"
    echo "fuzz_$h found a failure; the input is in $F" >&2
    exit 1
  fi
  echo "fuzz_$h: $(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$F/fuzz_$h.log"), no failure"
done
rm -rf "$F"

echo "== build with clang ASan+UBSan and test"
CC=clang cmake -S . -B build-clang -DCMAKE_BUILD_TYPE=Debug -DWATTSCALE_SANITIZE=ON -DWATTSCALE_MPI=OFF >/dev/null
cmake --build build-clang -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0" \
  WATTSCALE_SANITIZED=1 ctest --test-dir build-clang --output-on-failure -j"$jobs"
