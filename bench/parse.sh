#!/bin/sh
# parse.sh - parse+tokenize throughput over the SpamAssassin corpus.
#
# Builds winnow in release mode, fetches the corpus, and runs bench_parse
# on one core (taskset) over all 6,046 messages. Usage: bench/parse.sh
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
data=$("$top/bench/fetch_corpus.sh")
build="$top/build-bench"
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Release -DWN_TESTS=OFF >/dev/null
cmake --build "$build" --target bench_parse -j2 >/dev/null
echo "corpus: $data"
taskset -c 0 "$build/bench/bench_parse" --runs 5 "$data"
