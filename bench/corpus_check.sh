#!/bin/sh
# corpus_check.sh - every corpus message through the parser under ASan+UBSan.
#
# Builds winnow with AddressSanitizer and UndefinedBehaviorSanitizer (any
# report aborts), then runs `winnow parse --json --text` and
# `winnow tokens` over the whole SpamAssassin corpus. Exit 0 means every
# message parsed with no sanitizer report.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
data=$("$top/bench/fetch_corpus.sh")
build="$top/build-asan"
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DWN_ASAN=ON \
    -DWN_UBSAN=ON -DWN_TESTS=OFF -DWN_BENCH=OFF >/dev/null
cmake --build "$build" --target winnow-cli -j2 >/dev/null
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$build/winnow" parse --json --text "$data" >"$out"
echo "parsed: $(wc -l <"$out") messages, no sanitizer report"
"$build/winnow" tokens --count "$data" >"$out"
echo "tokenized: $(wc -l <"$out") messages, no sanitizer report"
