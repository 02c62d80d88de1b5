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

echo "== build with clang ASan+UBSan and test"
CC=clang cmake -S . -B build-clang -DCMAKE_BUILD_TYPE=Debug -DWATTSCALE_SANITIZE=ON -DWATTSCALE_MPI=OFF >/dev/null
cmake --build build-clang -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0" \
  WATTSCALE_SANITIZED=1 ctest --test-dir build-clang --output-on-failure -j"$jobs"
