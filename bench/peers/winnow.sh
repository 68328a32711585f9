#!/bin/bash
# winnow.sh - winnow's Bayesian classifier, driven like the peers.
#
#   winnow.sh name
#   winnow.sh train TRAIN_LIST DATA_DIR WORKDIR
#   winnow.sh classify TEST_LIST DATA_DIR WORKDIR OUT_SCORES
#   winnow.sh eval TRAIN_LIST TEST_LIST DATA_DIR WORKDIR OUT_SCORES
#   winnow.sh start|stop|rss WORKDIR          (nothing to run: no-ops)
#
# Lists hold `ham|spam<TAB>relative/path` lines resolved against DATA_DIR.
# The binary is $WINNOW, else build-bench/winnow of this tree, else `winnow`
# on PATH. train: a fresh token store WORKDIR/winnow/bayes.lmdb, one
# `winnow learn --db STORE --ham|--spam --files-from RUN` per run of equal
# labels, in list order. classify: one `winnow classify --db STORE --json --files-from -`
# over the whole list; score = its "bayes" field, the Bayes spam probability, as
# `winnow eval --scores` writes it ($WINNOW_SCORE_FIELD=score for the total
# score instead); verdict = its "spam" field (total score >= 5.0). eval: the
# same work in one process (`winnow eval`), whose report (train_seconds,
# classify_seconds, ...) is printed on stdout.
set -eu -o pipefail

die() { echo "winnow.sh: $*" >&2; exit 1; }

top=$(cd "$(dirname "$0")/../.." && pwd)
if [ -n "${WINNOW:-}" ]; then
	bin=$WINNOW
elif [ -x "$top/build-bench/winnow" ]; then
	bin=$top/build-bench/winnow
else
	bin=$(command -v winnow) || bin=
fi
field=${WINNOW_SCORE_FIELD:-bayes}

need_bin() { [ -n "$bin" ] && [ -x "$bin" ] || die "no winnow binary (build it or set WINNOW)"; }

. "$(dirname "$0")/lists.sh"

train() {
	[ $# -eq 3 ] || die "usage: train TRAIN_LIST DATA_DIR WORKDIR"
	need_bin
	local list=$1 data=$2 dir=$3/winnow run flag files
	rm -rf "$dir" && mkdir -p "$dir"
	split_runs "$list" "$data" "$dir/runs"
	for run in "$dir"/runs/*; do
		case $run in *.spam) flag=--spam ;; *) flag=--ham ;; esac
		"$bin" learn --db "$dir/bayes.lmdb" -q "$flag" --files-from "$run" \
		    >>"$dir/learn.out"
	done
}

# to_scores LIST JSONL: label<TAB>score<TAB>verdict in LIST order.
# `winnow classify` prints one line per message in the order given, so line
# i answers list line i; the count is checked. An abstained Bayes (null)
# scores 0.5. Kept in awk: a Python pass cost twice winnow's own time.
to_scores() {
	awk -F'\t' -v key="\"$field\":" '
		FNR == NR { if (NF) lab[++n] = $1; next }
		{
			p = index($0, key)
			if (p == 0) {
				print "winnow.sh: no " key " in line " FNR > "/dev/stderr"
				exit 1
			}
			v = substr($0, p + length(key))
			sub(/[,}].*/, "", v)
			if (v == "null")
				v = 0.5
			print lab[++i] "\t" v "\t" (index($0, "\"spam\":true") ? 1 : 0)
		}
		END {
			if (i != n) {
				print "winnow.sh: " i " results for " n " messages" > "/dev/stderr"
				exit 1
			}
		}' "$1" "$2"
}

classify() {
	[ $# -eq 4 ] || die "usage: classify TEST_LIST DATA_DIR WORKDIR OUT_SCORES"
	need_bin
	local list=$1 data=$2 dir=$3/winnow out=$4 files
	[ -f "$dir/bayes.lmdb" ] || die "no store in $dir: train first"
	awk -F'\t' -v d="$data" 'NF { print d "/" $2 }' "$list" |
	    "$bin" classify --db "$dir/bayes.lmdb" --json --files-from - >"$out.jsonl"
	to_scores "$list" "$out.jsonl" >"$out"
	rm -f "$out.jsonl"
}

eval_() {
	[ $# -eq 5 ] || die "usage: eval TRAIN_LIST TEST_LIST DATA_DIR WORKDIR OUT_SCORES"
	need_bin
	local dir=$4/winnow-eval
	rm -rf "$dir" && mkdir -p "$dir"
	"$bin" eval --train "$1" --test "$2" --data "$3" --db "$dir/bayes.lmdb" --scores "$5"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
name)
	need_bin
	echo "winnow $("$bin" --version 2>/dev/null | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\./) { print $i; exit } }') (Bayes)"
	;;
train) train "$@" ;;
classify) classify "$@" ;;
eval) eval_ "$@" ;;
start | stop | rss) : ;;
*) die "usage: winnow.sh name|train|classify|eval|start|stop|rss ..." ;;
esac
