#!/bin/bash
# spamprobe.sh - SpamProbe as a benchmark peer (see bench/README.md).
#
#   spamprobe.sh name
#   spamprobe.sh train TRAIN_LIST DATA_DIR WORKDIR
#   spamprobe.sh classify TEST_LIST DATA_DIR WORKDIR OUT_SCORES
#   spamprobe.sh start|stop|rss WORKDIR        (nothing to run: no-ops)
#
# Lists hold `ham|spam<TAB>relative/path` lines resolved against DATA_DIR.
# Settings: SpamProbe's defaults, database in WORKDIR/spamprobe. Training
# runs `spamprobe good` / `spamprobe spam` (learn every message, not the
# train-* commands that learn only mistakes) once per run of equal labels,
# in list order -- order matters to SpamProbe: the shared TRAIN list holds
# all ham first, then all spam. Classification is one `spamprobe score`
# process over the whole list (read-only, so two can share the database).
# Score = SpamProbe's probability, verdict = 1 when it prints SPAM (its
# default threshold 0.6). Messages it has seen twice (same digest) are
# learned once: its counts show 2,090 ham / 920 spam.
set -eu -o pipefail

die() { echo "spamprobe.sh: $*" >&2; exit 1; }

. "$(dirname "$0")/lists.sh"

version() { spamprobe -V 2>&1 | awk '/^SpamProbe v/ { sub(/^v/, "", $2); print $2; exit }'; }

train() {
	[ $# -eq 3 ] || die "usage: train TRAIN_LIST DATA_DIR WORKDIR"
	local list=$1 data=$2 dir=$3/spamprobe run what files
	rm -rf "$dir" && mkdir -p "$dir/db"
	split_runs "$list" "$data" "$dir/runs"
	for run in "$dir"/runs/*; do
		case $run in *.spam) what=spam ;; *) what=good ;; esac
		mapfile -t files <"$run"
		# stderr: its image decoder complains about broken JPEGs.
		spamprobe -c -d "$dir/db" "$what" "${files[@]}" 2>>"$dir/train.log"
	done
}

classify() {
	[ $# -eq 4 ] || die "usage: classify TEST_LIST DATA_DIR WORKDIR OUT_SCORES"
	local list=$1 data=$2 dir=$3/spamprobe out=$4 files
	[ -d "$dir/db" ] || die "no database in $dir: train first"
	mapfile -t files < <(awk -F'\t' -v d="$data" 'NF { print d "/" $2 }' "$list")
	# One line per message, in argument order: CLASS SCORE DIGEST.
	spamprobe -d "$dir/db" score "${files[@]}" >"$out.raw" 2>>"$dir/classify.log"
	awk -F'\t' '
		NR == FNR { if (NF) lab[++n] = $1; next }
		{ split($0, f, " "); i++; printf "%s\t%s\t%d\n", lab[i], f[2], f[1] == "SPAM" }
		END { if (i != n) { printf "%d results for %d messages\n", i, n > "/dev/stderr"; exit 1 } }' \
		"$list" "$out.raw" >"$out"
	rm -f "$out.raw"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
name) echo "spamprobe $(version)" ;;
train) train "$@" ;;
classify) classify "$@" ;;
start | stop | rss) : ;;
*) die "usage: spamprobe.sh name|train|classify|start|stop|rss ..." ;;
esac
