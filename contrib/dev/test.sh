#!/bin/sh
# test.sh - the whole test suite, from a fresh clone on Debian 12.
#
# The second command of the README's quick start, and what CI runs. It
# installs what is missing, then builds and tests three ways:
#   1. release build, warnings as errors: unit, golden, CLI, fuzz replays;
#   2. ASan + UBSan debug build: the same tests under the sanitizers;
#   3. clang libFuzzer build of the fuzz targets only: each runs
#      WN_FUZZ_SECONDS (10, which keeps the whole suite under 20 minutes
#      on 2 cores; set it higher for a longer fuzzing run).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
jobs=$(nproc)
fuzz_seconds=${WN_FUZZ_SECONDS:-10}

sh contrib/dev/deps.sh --test

echo "== release build"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWN_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs")

echo "== ASan + UBSan build"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DWN_ASAN=ON -DWN_UBSAN=ON \
    -DWN_WERROR=ON -DWN_BENCH=OFF >/dev/null
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    sh -c 'cd build-asan && ctest --output-on-failure -j'"$jobs"

echo "== libFuzzer build, ${fuzz_seconds}s per target"
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DWN_FUZZ=ON -DWN_FUZZ_SECONDS="$fuzz_seconds" -DWN_TESTS=ON \
    -DWN_BENCH=OFF >/dev/null
cmake --build build-fuzz -j"$jobs" --target fuzz-all
(cd build-fuzz && ctest --output-on-failure -j"$jobs" -L 'fuzz|fuzzrun')
