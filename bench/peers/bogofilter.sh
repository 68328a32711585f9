#!/bin/bash
# bogofilter.sh - bogofilter as a benchmark peer (see bench/README.md).
#
#   bogofilter.sh name
#   bogofilter.sh train TRAIN_LIST DATA_DIR WORKDIR
#   bogofilter.sh classify TEST_LIST DATA_DIR WORKDIR OUT_SCORES
#   bogofilter.sh start|stop|rss WORKDIR       (nothing to run: no-ops)
#
# Lists hold `ham|spam<TAB>relative/path` lines resolved against DATA_DIR.
# Settings: bogofilter's compiled-in defaults (-C: no config file read),
# wordlist in WORKDIR/bogofilter. Training registers each run of equal labels
# in list order with one `-s -b` or `-n -b` process; classification is one
# `-b` (streaming bulk) process over the whole list. Score = spamicity,
# verdict = 1 for "Spam", 0 for "Ham" and "Unsure" (bogofilter's default
# cut-offs: spam >= 0.99, ham < 0.45 -- the Unsure band counts as not spam).
set -eu -o pipefail

die() { echo "bogofilter.sh: $*" >&2; exit 1; }

. "$(dirname "$0")/lists.sh"

version() { bogofilter -V 2>&1 | awk 'NR == 1 { print $3 }'; }

train() {
	[ $# -eq 3 ] || die "usage: train TRAIN_LIST DATA_DIR WORKDIR"
	local list=$1 data=$2 dir=$3/bogofilter run flag
	rm -rf "$dir" && mkdir -p "$dir/db"
	split_runs "$list" "$data" "$dir/runs"
	for run in "$dir"/runs/*; do
		case $run in *.spam) flag=-s ;; *) flag=-n ;; esac
		bogofilter -C -d "$dir/db" "$flag" -b <"$run"
	done
}

classify() {
	[ $# -eq 4 ] || die "usage: classify TEST_LIST DATA_DIR WORKDIR OUT_SCORES"
	local list=$1 data=$2 dir=$3/bogofilter out=$4
	[ -d "$dir/db" ] || die "no wordlist in $dir: train first"
	# -v prints one line per message: PATH CLASS SPAMICITY (the header
	# format below), in input order.
	# Its exit status is that of the last message (0 spam, 1 ham,
	# 2 unsure); 3 means an error.
	local rc=0
	awk -F'\t' -v d="$data" 'NF { print d "/" $2 }' "$list" >"$out.paths"
	bogofilter -C -d "$dir/db" -b -v --header-format='%c %.10e' \
		<"$out.paths" >"$out.raw" || rc=$?
	[ "$rc" -le 2 ] || die "bogofilter failed (exit $rc)"
	awk -F'\t' -v d="$data" '
		NR == FNR { if (NF) { lab[++n] = $1; path[n] = d "/" $2 }; next }
		{
			i++
			m = split($0, f, " "); cls = f[m - 1]; score = f[m]; p = $0
			sub(/ [^ ]+ [^ ]+$/, "", p)
			if (p != path[i]) { printf "output line %d is for %s, expected %s\n", i, p, path[i] > "/dev/stderr"; bad = 1; exit 1 }
			printf "%s\t%s\t%d\n", lab[i], score, cls == "Spam"
		}
		END { if (!bad && i != n) { printf "%d results for %d messages\n", i, n > "/dev/stderr"; exit 1 } }' \
		"$list" "$out.raw" >"$out"
	rm -f "$out.raw" "$out.paths"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
name) echo "bogofilter $(version) (\`-b\` bulk mode, one process)" ;;
train) train "$@" ;;
classify) classify "$@" ;;
start | stop | rss) : ;;
*) die "usage: bogofilter.sh name|train|classify|start|stop|rss ..." ;;
esac
