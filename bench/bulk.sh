#!/bin/sh
# bulk.sh - bulk detection on the SpamAssassin corpus: every spam message
# sent as a campaign of per-recipient copies among ham sent once.
#
#   bench/bulk.sh [--work DIR] [--copies N] [--hours H] [--seed S]
#
# Fetches the corpus (bench/fetch_corpus.sh), builds bulk_replay in release
# mode in build-bench/, makes the scenario (bench/bulk_scenario.py: each ham
# once, each spam as N copies edited per recipient by bench/bulk_mutate.py,
# half the campaigns from one envelope sender, half snowshoe, one recipient
# per copy, times uniform over H hours), replays it through wn_bulk_check
# against a new LMDB bulk store with the default parameters, and prints the
# tables (bench/bulk_table.py), also written to WORK/table.md.
#
# --work DIR keeps the files there (default: a new folder
# ${TMPDIR:-/tmp}/winnow-bulk.XXXXXX, kept and printed at the end).
# --copies N copies per campaign (20), --hours H the span (12), --seed S
# the scenario's seed (1). Environment: BULK_REPLAY, a prebuilt
# bulk_replay (no build then); BULK_BUILD, the build folder (build-bench).
# See bench/README.md, "bulk.sh: bulk detection".
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")

usage() { sed -n '2,/^set -eu/{/^set -eu/d;s/^# \{0,1\}//;p;}' "$0"; }
die() { echo "bulk.sh: $*" >&2; exit 1; }
note() { echo "bulk.sh: $*" >&2; }
now() { date +%s; }

work=
copies=20
hours=12
seed=1
while [ $# -gt 0 ]; do
	case $1 in
	--work) [ $# -ge 2 ] || die "--work needs a folder"; work=$2; shift 2 ;;
	--work=*) work=${1#--work=}; shift ;;
	--copies) [ $# -ge 2 ] || die "--copies needs a number"; copies=$2; shift 2 ;;
	--copies=*) copies=${1#--copies=}; shift ;;
	--hours) [ $# -ge 2 ] || die "--hours needs a number"; hours=$2; shift 2 ;;
	--hours=*) hours=${1#--hours=}; shift ;;
	--seed) [ $# -ge 2 ] || die "--seed needs a value"; seed=$2; shift 2 ;;
	--seed=*) seed=${1#--seed=}; shift ;;
	-h | --help) usage; exit 0 ;;
	*) die "unknown argument: $1 (try --help)" ;;
	esac
done
case $copies in '' | *[!0-9]*) die "--copies must be a number" ;; esac
[ "$copies" -ge 1 ] || die "--copies must be at least 1"
command -v python3 >/dev/null 2>&1 || die "python3 is needed"

t_start=$(now)
load0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')

# 1. Corpus.
data=$("$here/fetch_corpus.sh")
[ -d "$data/spam-1" ] || die "no corpus in $data"

# 2. bulk_replay, release build.
if [ -n "${BULK_REPLAY:-}" ]; then
	replay=$BULK_REPLAY
	[ -x "$replay" ] || die "BULK_REPLAY=$replay is not an executable"
else
	build=${BULK_BUILD:-$top/build-bench}
	note "building bulk_replay (release) in $build"
	cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Release -DWN_TESTS=OFF >/dev/null ||
		die "cmake failed"
	cmake --build "$build" --target bulk_replay -j"$(nproc)" >/dev/null ||
		die "the build of bulk_replay failed"
	replay=$build/bench/bulk_replay
fi

# 3. Work folder.
if [ -z "$work" ]; then
	work=$(mktemp -d "${TMPDIR:-/tmp}/winnow-bulk.XXXXXX") || die "cannot make the work folder"
else
	mkdir -p "$work" || die "cannot make $work"
	work=$(cd "$work" && pwd)
fi
rm -rf "$work/copies"
rm -f "$work/bulk.db" "$work/bulk.db-lock" "$work/replay.tsv" "$work/replay.err"

# 4. The scenario.
note "making the scenario in $work (about a minute)"
t0=$(now)
python3 "$here/bulk_scenario.py" --data "$data" --out "$work" --seed "$seed" \
	--copies "$copies" --hours "$hours" 2>"$work/scenario.err" ||
	{ cat "$work/scenario.err" >&2; die "bulk_scenario.py failed"; }
t_scenario=$(($(now) - t0))
scenario=$(tail -n 1 "$work/scenario.err")

# 5. The replay.
note "replaying $(wc -l <"$work/list.tsv") messages"
t0=$(now)
"$replay" --db "$work/bulk.db" --fingerprint "$work/list.tsv" \
	>"$work/replay.tsv" 2>"$work/replay.err" ||
	{ cat "$work/replay.err" >&2; die "bulk_replay failed"; }
t_replay=$(($(now) - t0))

# 6. The tables.
python3 "$here/bulk_table.py" "$work" >"$work/table.md" || die "bulk_table.py failed"
echo
echo "Corpus: $data; ${scenario#bulk_scenario: }."
echo "Default bulk parameters (wn_bulk_params_default), LMDB store; $(nproc) cores;" \
	"$(date -u '+%Y-%m-%d %H:%M UTC'); load average before the run: $load0."
echo
cat "$work/table.md"
echo
echo "Wall time: scenario ${t_scenario} s, replay ${t_replay} s, all $(($(now) - t_start)) s."
echo "Work files (list.tsv, replay.tsv, campaigns.tsv, flagged_ham.tsv, unflagged_campaigns.tsv, table.md, copies/): $work"
