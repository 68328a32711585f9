#!/bin/bash
# bayes.sh - winnow's Bayesian classifier against peer spam filters, side by
# side, on the SpamAssassin public corpus, in one run.
#
#   sudo bench/bayes.sh [--only NAME[,NAME...]] [--quick] [--work DIR]
#
# NAME: winnow, bogofilter, spamprobe, spamassassin, rspamd (default: all).
# --quick skips the 2-client timing and the second classification run.
# --work DIR keeps the work files there (default: a new folder under
# ${TMPDIR:-/tmp}, kept and printed at the end). See bench/README.md for the
# protocol, the columns and each peer's configuration.
#
# Steps: install the missing Debian packages (root needed only then), fetch
# the corpus (bench/fetch_corpus.sh), build winnow in release mode, then per
# filter: train on TRAIN, classify TEST twice with one client and twice with
# two parallel clients (each on half of TEST), measure wall times and peak
# RSS, score with bench/metrics.py, and print one markdown table.
set -eu -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
all="bogofilter spamprobe spamassassin rspamd winnow"

usage() { sed -n '2,/^set -eu/{/^set -eu/d;s/^# \{0,1\}//;p}' "$0"; }
die() { echo "bayes.sh: $*" >&2; exit 1; }
note() { echo "bayes.sh: $*" >&2; }
. "$here/peers/lists.sh"

only=
quick=0
work=
while [ $# -gt 0 ]; do
	case $1 in
	--only) [ $# -ge 2 ] || die "--only needs a list"; only=$2; shift 2 ;;
	--only=*) only=${1#--only=}; shift ;;
	--quick) quick=1; shift ;;
	--work) [ $# -ge 2 ] || die "--work needs a folder"; work=$2; shift 2 ;;
	--work=*) work=${1#--work=}; shift ;;
	-h | --help) usage; exit 0 ;;
	*) die "unknown argument: $1 (try --help)" ;;
	esac
done

filters=$(select_filters "$all" "$only") || exit 1
has() { case " $filters " in *" $1 "*) return 0 ;; esac; return 1; }
load0=$(cut -d' ' -f1-3 /proc/loadavg)

# 1. Debian packages -----------------------------------------------------
pkgs="python3 time"
has bogofilter && pkgs="$pkgs bogofilter"
has spamprobe && pkgs="$pkgs spamprobe"
has spamassassin && pkgs="$pkgs spamassassin spamc spamd"
has rspamd && pkgs="$pkgs rspamd redis-server"
install_missing bench/bayes.sh $pkgs

# 2. Corpus and split ------------------------------------------------------
data=$("$here/fetch_corpus.sh")
[ -d "$data/spam-1" ] || die "no corpus in $data"

work=$(work_dir "$work" bench) || die "cannot make the work folder"
# The daemons run as their own unprivileged users: they must reach it.
chmod 755 "$work"
log=$work/bayes.log
: >"$log"

# The fixed split of the shared README: TEST when the first hex digit of
# md5(basename) is 0-7. Use the shared lists when they are beside the
# repository (or in $BENCH_SPLIT_DIR); else derive them the same way.
split_dir=${BENCH_SPLIT_DIR:-}
for d in "$top/../shared/bench" /work/shared/bench; do
	[ -n "$split_dir" ] && break
	[ -f "$d/sa_train.tsv" ] && [ -f "$d/sa_test.tsv" ] && split_dir=$d
done
if [ -n "$split_dir" ]; then
	train_list=$split_dir/sa_train.tsv
	test_list=$split_dir/sa_test.tsv
else
	train_list=$work/sa_train.tsv
	test_list=$work/sa_test.tsv
	python3 - "$data" "$train_list" "$test_list" <<'EOF'
import hashlib, os, sys
data, train, test = sys.argv[1:4]
with open(train, "w") as tr, open(test, "w") as te:
    for folder in ("easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2"):
        label = "spam" if folder.startswith("spam") else "ham"
        for name in sorted(os.listdir(os.path.join(data, folder))):
            if name.endswith(".txt"):
                out = te if hashlib.md5(name.encode()).hexdigest()[0] in "01234567" else tr
                out.write(f"{label}\t{folder}/{name}\n")
EOF
fi
n_test=$(grep -c . "$test_list")
n_train=$(grep -c . "$train_list")
# The two clients: odd and even lines of TEST.
awk 'NR % 2 == 1' "$test_list" >"$work/test_a.tsv"
awk 'NR % 2 == 0' "$test_list" >"$work/test_b.tsv"

# 3. winnow, release build -------------------------------------------------
winnow_build_failed=0
if has winnow; then
	note "building winnow (release) in $top/build-bench"
	if cmake -S "$top" -B "$top/build-bench" -DCMAKE_BUILD_TYPE=Release -DWN_TESTS=OFF >>"$log" 2>&1 &&
		cmake --build "$top/build-bench" --target winnow-cli -j"$(nproc)" >>"$log" 2>&1; then
		export WINNOW=$top/build-bench/winnow
	else
		winnow_build_failed=1
		note "winnow build failed; see $log"
	fi
fi

# Cache warm: every message of the corpus read once.
awk -F'\t' -v d="$data" 'NF { print d "/" $2 }' "$train_list" "$test_list" |
	xargs -d '\n' cat >/dev/null

# 4. The filters -----------------------------------------------------------
now() { date +%s.%N; }
sub_() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
cpu_s() { awk -F': ' '/User time|System time/ { t += $2 } END { printf "%.2f", t }' "$1" 2>/dev/null; }
maxrss() { cat "$@" 2>/dev/null | awk -F': ' '/Maximum resident set size/ { if ($2 + 0 > m) m = $2 + 0 } END { print m + 0 }'; }

# Long steps run in the background and are waited for (bg_wait), so that
# a signal is handled at once: cleanup then ends whatever still runs (the
# peers' own traps stop the servers they were starting) and stops the
# current peer.
running=
cleanup() {
	local p i kids left
	trap - INT TERM HUP
	mapfile -t kids < <(ps -o pid= --ppid $$ 2>/dev/null)
	for p in "${kids[@]}"; do kill_tree "$p"; done
	for i in $(seq 1 300); do
		left=0
		for p in "${kids[@]}"; do
			case $(ps -o stat= -p "$p" 2>/dev/null) in '' | Z*) ;; *) left=1 ;; esac
		done
		[ "$left" = 1 ] || break
		sleep 0.1
	done
	if [ -n "$running" ]; then
		"$here/peers/$running.sh" stop "$work/$running" >>"$log" 2>&1 || true
		running=
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

results=$work/results.tsv
: >"$results"
failed=0

# step NAME RUSAGE CMD...: run one timed step (wall time in $elapsed).
step() {
	local what=$1 ru=$2 t0 t1 rc=0
	shift 2
	echo "== $what: $*" >>"$log"
	t0=$(now)
	bg_wait /usr/bin/time -v -o "$ru" "$@" >>"$log" 2>&1 || rc=$?
	t1=$(now)
	elapsed=$(sub_ "$t0" "$t1")
	echo "== $what: exit $rc, $elapsed s" >>"$log"
	return "$rc"
}

# same A B: do two score files agree (label and verdict; score to 1e-9)?
same() {
	awk -F'\t' 'NR == FNR { l[FNR] = $1; s[FNR] = $2; v[FNR] = $3; n = FNR; next }
		{ m = FNR; d = $2 - s[FNR]; if ($1 != l[FNR] || $3 != v[FNR] || d > 1e-9 || d < -1e-9) bad++ }
		END { exit (bad || m != n) }' "$1" "$2"
}

run_filter() {
	local f=$1 peer=$here/peers/$1.sh w=$work/$1 name r t1 t2 train_s mps1 mps2 rss train_rss m
	local one=() two=()
	rm -rf "$w" && mkdir -p "$w"
	chmod 755 "$w"
	name=$("$peer" name 2>>"$log") || name=$f
	note "$name"
	fail() { echo "$f	$name	failed: $1" >>"$results"; failed=1; note "$f failed: $1 (see $log)"; cleanup; }

	running=$f
	bg_wait "$peer" start "$w" >>"$log" 2>&1 || { fail "start"; return; }
	step "$f train" "$w/train.rusage" "$peer" train "$train_list" "$data" "$w" || { fail "train"; return; }
	train_s=$elapsed

	local runs=2
	[ "$quick" = 1 ] && runs=1
	for r in $(seq 1 "$runs"); do
		step "$f classify run $r" "$w/classify$r.rusage" \
			"$peer" classify "$test_list" "$data" "$w" "$w/scores$r.tsv" || { fail "classify"; return; }
		one+=("$elapsed")
		[ "$(grep -c . "$w/scores$r.tsv")" = "$n_test" ] || { fail "classify: wrong number of scores"; return; }
		[ "$r" = 1 ] || same "$w/scores1.tsv" "$w/scores$r.tsv" ||
			note "$f: classify run $r differs from run 1"
	done
	t1=$(median "${one[@]}")

	t2=
	if [ "$quick" = 0 ]; then
		for r in $(seq 1 "$runs"); do
			local pa pb rca=0 rcb=0 s0 s1
			echo "== $f 2 clients run $r" >>"$log"
			s0=$(now)
			/usr/bin/time -v -o "$w/two$r-a.rusage" "$peer" classify "$work/test_a.tsv" "$data" "$w" "$w/two$r-a.tsv" >>"$log" 2>&1 &
			pa=$!
			/usr/bin/time -v -o "$w/two$r-b.rusage" "$peer" classify "$work/test_b.tsv" "$data" "$w" "$w/two$r-b.tsv" >>"$log" 2>&1 &
			pb=$!
			wait "$pa" || rca=$?
			wait "$pb" || rcb=$?
			s1=$(now)
			[ "$rca" = 0 ] && [ "$rcb" = 0 ] || { fail "classify with 2 clients"; return; }
			two+=("$(sub_ "$s0" "$s1")")
			echo "== $f 2 clients run $r: ${two[-1]} s" >>"$log"
			paste -d '\n' "$w/two$r-a.tsv" "$w/two$r-b.tsv" | grep . >"$w/two$r.tsv" || true
			same "$w/scores1.tsv" "$w/two$r.tsv" || note "$f: the 2-client scores differ from the 1-client ones"
		done
		t2=$(median "${two[@]}")
	fi

	"$peer" stop "$w" >>"$log" 2>&1 || note "$f: stop failed"
	running=
	# Classifying and training apart: the bar on memory is the
	# classifier's, and a fit may take more.
	rss=$(maxrss "$w"/classify*.rusage "$w"/two*.rusage)
	train_rss=$(maxrss "$w"/train.rusage)
	m=$("$peer" rss "$w" 2>>"$log") || m=
	[ -n "$m" ] && [ "$m" -gt "$rss" ] && rss=$m

	m=$(python3 "$here/metrics.py" --tsv "$w/scores1.tsv" 2>>"$log") || { fail "metrics"; return; }
	mps1=$(awk -v n="$n_test" -v t="$t1" 'BEGIN { printf "%.3f", n / t }')
	mps2=-
	[ -z "$t2" ] || mps2=$(awk -v n="$n_test" -v t="$t2" 'BEGIN { printf "%.3f", n / t }')
	# filter, name, FP%, FN%, 1-ROCA%, train s, msgs/s 1, msgs/s 2,
	# classify RSS KiB, train RSS KiB, classify times (1 client; 2 clients)
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$f" "$name" \
		"$(echo "$m" | cut -f4)" "$(echo "$m" | cut -f5)" "$(echo "$m" | cut -f6)" \
		"$train_s" "$mps1" "$mps2" "$rss" "$train_rss" "${one[*]}" "${two[*]:--}" >>"$results"
}

for f in $filters; do
	if [ "$f" = winnow ] && [ "$winnow_build_failed" = 1 ]; then
		echo "winnow	winnow	failed: build" >>"$results"
		failed=1
		continue
	fi
	run_filter "$f"
done

# winnow's in-process figures (`winnow eval`), as a cross-check.
eval_note=
if has winnow && grep -q '^winnow	[^	]*	[0-9]' "$results"; then
	if "$here/peers/winnow.sh" eval "$train_list" "$test_list" "$data" "$work/winnow" \
		"$work/winnow/eval-scores.tsv" >"$work/winnow/eval.out" 2>>"$log" &&
		m=$(python3 "$here/metrics.py" --tsv "$work/winnow/eval-scores.tsv" 2>>"$log"); then
		et=$(awk '$1 == "train_seconds" { print $2 }' "$work/winnow/eval.out")
		ec=$(awk '$1 == "classify_seconds" { print $2 }' "$work/winnow/eval.out")
		agree=$(awk -F'\t' 'NR == FNR { v[FNR] = $1 $3; n = FNR; next } { m = FNR; if ($1 $3 != v[FNR]) d++ }
			END { print (m == n && !d) ? "yes" : "no (" d + 0 " differ)" }' \
			"$work/winnow/scores1.tsv" "$work/winnow/eval-scores.tsv")
		eval_note=$(echo "$m" | awk -F'\t' -v et="${et:-?}" -v ec="${ec:-?}" -v agree="$agree" '{
			printf "winnow eval (one process, full-precision Bayes probability): FP %s%%, FN %s%%, 1-ROCA%% %s; train_seconds %s, classify_seconds %s; same verdicts as learn+classify: %s\n", $4, $5, $6, et, ec, agree }')
	else
		eval_note="winnow eval failed (see $log)"
	fi
fi

# 5. The table ---------------------------------------------------------------
fmt_rate() { awk -v x="$1" 'BEGIN {
	if (x == "" || x == "-") { print "-"; exit }
	if (x >= 100) { s = sprintf("%d", x + 0.5); while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]($|,)/, ",&", s); print s }
	else printf "%.1f\n", x }'; }
{
	echo "| filter | FP (ham→spam) | FN (spam missed) | 1-ROCA% | train s | classify msgs/s, 1 client | 2 clients | peak RSS MiB, classify | train |"
	echo "|---|---|---|---|---|---|---|---|---|"
	while IFS=$'\t' read -r f name fp fn roca train_s mps1 mps2 rss train_rss rest; do
		case $fp in failed*) echo "| $name | $fp | | | | | | | |"; continue ;; esac
		printf '| %s | %s%% | %s%% | %s | %.1f | %s | %s | %d | %d |\n' "$name" "$fp" "$fn" "$roca" "$train_s" \
			"$(fmt_rate "$mps1")" "$(fmt_rate "$mps2")" "$(awk -v k="$rss" 'BEGIN { printf "%d", k / 1024 + 0.5 }')" \
			"$(awk -v k="$train_rss" 'BEGIN { printf "%d", k / 1024 + 0.5 }')"
	done <"$results"
} >"$work/table.md"

echo
echo "Corpus: $data ($n_train train, $n_test test messages); $(nproc) cores; $(date -u '+%Y-%m-%d %H:%M UTC'); load average before the run: $load0."
echo
cat "$work/table.md"
w=$(awk -F'\t' '$1 == "winnow" && $3 ~ /^[0-9]/' "$results")
b=$(awk -F'\t' '$1 == "bogofilter" && $3 ~ /^[0-9]/' "$results")
if [ -n "$w" ] && [ -n "$b" ]; then
	echo
	printf '%s\n%s\n' "$w" "$b" | awk -F'\t' '
		NR == 1 { wt = $6; wc = $7 } NR == 2 { bt = $6; bc = $7 }
		END { printf "winnow vs bogofilter (this run; > 1 means winnow is faster): classify, 1 client x%.2f (%.0f vs %.0f msgs/s); train x%.2f (%.2f vs %.2f s)\n", wc / bc, wc, bc, bt / wt, wt, bt }'
	# Training CPU time (user + system, all threads): winnow learn
	# parses in threads, bogofilter in one.
	echo "train CPU seconds (user + system): winnow $(cpu_s "$work/winnow/train.rusage"), bogofilter $(cpu_s "$work/bogofilter/train.rusage")"
fi
[ -z "$eval_note" ] || { echo; echo "$eval_note"; }

# How far each 1-ROCA% could move on another test set of this size.
ci=()
for f in winnow $filters; do
	case " ${ci[*]} " in *" $f="*) continue ;; esac
	grep -q "^$f	[^	]*	[0-9]" "$results" && ci+=("$f=$work/$f/scores1.tsv")
done
if [ "${#ci[@]}" -ge 2 ]; then
	echo
	python3 "$here/roca_ci.py" "${ci[@]}" 2>>"$log" || note "roca_ci.py failed (see $log)"
fi
echo
echo "Work files, score files and logs: $work"
exit "$failed"
