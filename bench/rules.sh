#!/bin/bash
# rules.sh - rule-only speed: winnow's rule engine against SpamAssassin's,
# same rule files, same messages, Bayes and network tests off.
#
#   bench/rules.sh [--quick] [--rules DIR]... [--messages N] [--work DIR]
#
# --rules DIR   a rule set to measure, one table row each (repeatable;
#               default: rules/core of this tree and /usr/share/spamassassin)
# --messages N  how many test messages (default 1000; --quick: 200)
# --quick       one timed run per side instead of the median of two
# --work DIR    keep the work files there (default: a new folder under
#               ${TMPDIR:-/tmp}, kept and printed at the end)
#
# Messages: N lines spread evenly over the shared TEST list (every
# (3026/N)-th line, list order), so ham and spam keep the list's mix (the
# list holds all ham first). SpamAssassin: bench/sa_rules.pl through the
# Mail::SpamAssassin API, plugins Check, ReplaceTags and MIMEHeader only,
# only the parse/check/get_score/finish loop timed. winnow: `winnow
# classify --no-bayes --rules DIR --json --files-from LIST` (plus
# --skip-broken when `winnow rules lint` finds errors in the set), timed
# whole, minus the median time of the same command on an empty list (load
# and compile). Root is needed only to install missing packages.
# See bench/README.md, "rules.sh".
set -eu -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")

usage() { sed -n '2,/^set -eu/{/^set -eu/d;s/^# \{0,1\}//;p}' "$0"; }
die() { echo "rules.sh: $*" >&2; exit 1; }
note() { echo "rules.sh: $*" >&2; }
. "$here/peers/lists.sh"

quick=0
nmsg=
work=
sets=()
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1; shift ;;
	--rules) [ $# -ge 2 ] || die "--rules needs a folder"; sets+=("$2"); shift 2 ;;
	--rules=*) sets+=("${1#--rules=}"); shift ;;
	--messages) [ $# -ge 2 ] || die "--messages needs a number"; nmsg=$2; shift 2 ;;
	--messages=*) nmsg=${1#--messages=}; shift ;;
	--work) [ $# -ge 2 ] || die "--work needs a folder"; work=$2; shift 2 ;;
	--work=*) work=${1#--work=}; shift ;;
	-h | --help) usage; exit 0 ;;
	*) die "unknown argument: $1 (try --help)" ;;
	esac
done
[ -n "$nmsg" ] || { [ "$quick" = 1 ] && nmsg=200 || nmsg=1000; }
case $nmsg in '' | *[!0-9]* | 0*) die "--messages: a positive number, not '$nmsg'" ;; esac
[ ${#sets[@]} -gt 0 ] || sets=("$top/rules/core" /usr/share/spamassassin)
runs=2
[ "$quick" = 1 ] && runs=1
load0=$(cut -d' ' -f1-3 /proc/loadavg)

# 1. Debian packages (spamassassin holds the Mail::SpamAssassin API) -------
install_missing bench/rules.sh spamassassin

# 2. Corpus and the message list -------------------------------------------
data=$("$here/fetch_corpus.sh")
[ -d "$data/spam-1" ] || die "no corpus in $data"

work=$(work_dir "$work" rules) || die "cannot make the work folder"
log=$work/rules.log
: >"$log"

# The shared split, found as bayes.sh finds it; without it, TEST derived by
# the same rule (first hex digit of md5(basename) 0-7, ham folders first).
split_dir=${BENCH_SPLIT_DIR:-}
for d in "$top/../shared/bench" /work/shared/bench; do
	[ -n "$split_dir" ] && break
	[ -f "$d/sa_test.tsv" ] && split_dir=$d
done
if [ -n "$split_dir" ]; then
	test_list=$split_dir/sa_test.tsv
else
	test_list=$work/sa_test.tsv
	for f in easy-ham-1 easy-ham-2 hard-ham-1 spam-1 spam-2; do
		(cd "$data/$f" && ls -- *.txt) | LC_ALL=C sort | while read -r name; do
			case $(printf '%s' "$name" | md5sum) in
			[0-7]*) printf '%s\t%s/%s\n' "${f%%-[0-9]}" "$f" "$name" ;;
			esac
		done
	done | sed 's/^easy-ham\t/ham\t/; s/^hard-ham\t/ham\t/' >"$test_list"
fi
total=$(grep -c . "$test_list")
[ "$nmsg" -le "$total" ] || die "--messages $nmsg: the test list has $total"
# Line floor((i + 0.5) * total / N) + 1 for i = 0..N-1: evenly spread.
grep . "$test_list" | awk -F'\t' -v n="$nmsg" -v t="$total" -v d="$data" '
	BEGIN { for (i = 0; i < n; i++) want[int((i + 0.5) * t / n) + 1] = 1 }
	want[NR] { print $1 "\t" d "/" $2 }' >"$work/messages.tsv"
cut -f2 "$work/messages.tsv" >"$work/messages.list"
: >"$work/empty.list"
n_ham=$(grep -c '^ham' "$work/messages.tsv" || true)
n_spam=$(grep -c '^spam' "$work/messages.tsv" || true)
[ "$((n_ham + n_spam))" = "$nmsg" ] || die "selected $((n_ham + n_spam)) messages, want $nmsg"
# Page cache warm: every selected message read once.
xargs -d '\n' cat <"$work/messages.list" >/dev/null

# 3. winnow, release build (as bayes.sh) ------------------------------------
bin=
winnow_note=
if [ -n "${WINNOW:-}" ]; then
	bin=$WINNOW
else
	note "building winnow (release) in $top/build-bench"
	if cmake -S "$top" -B "$top/build-bench" -DCMAKE_BUILD_TYPE=Release -DWN_TESTS=OFF >>"$log" 2>&1 &&
		cmake --build "$top/build-bench" --target winnow-cli -j"$(nproc)" >>"$log" 2>&1; then
		bin=$top/build-bench/winnow
	else
		winnow_note="build failed (see $log)"
	fi
fi
# Bayes off: --no-bayes where classify has it (else no --db, and the
# default store must not exist: checked on the output below).
wn_opts=()
if [ -n "$bin" ]; then
	"$bin" classify --help >"$work/classify-help.txt" 2>&1 || true
	if ! grep -q -- '--rules' "$work/classify-help.txt"; then
		winnow_note="winnow classify has no --rules option yet"
		bin=
	elif grep -q -- '--no-bayes' "$work/classify-help.txt"; then
		wn_opts+=(--no-bayes)
	fi
fi

# 4. The rule sets -----------------------------------------------------------
now() { date +%s.%N; }
sub_() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
kv() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }

results=$work/results.tsv
: >"$results"
failed=0

# sa_side DIR W: SpamAssassin's figures into W/sa.N.out; lint into W/sa_lint.log.
sa_side() {
	local dir=$1 w=$2 r t=() out
	for r in $(seq 1 "$runs"); do
		out=$w/sa.$r.out
		echo "== sa run $r: sa_rules.pl --rules $dir" >>"$log"
		HOME=$w/sa/home perl "$here/sa_rules.pl" --rules "$dir" --work "$w/sa" \
			--scores "$w/sa.$r.scores" "$work/messages.list" >"$out" 2>"$w/sa.$r.err" || {
			cat "$w/sa.$r.err" >>"$log"
			return 1
		}
		cat "$out" "$w/sa.$r.err" >>"$log"
		t+=("$(kv seconds "$out")")
	done
	sa_secs=$(median "${t[@]}")
	sa_spam=$(kv spam "$w/sa.1.out")
	sa_load=$(kv load_seconds "$w/sa.1.out")
	sa_tests=$(kv tests "$w/sa.1.out")
	# What SpamAssassin itself says of the set under the same configuration.
	HOME=$w/sa/home spamassassin --lint -L -C "$dir" --siteconfigpath="$w/sa/site" \
		-p "$w/sa/user_prefs" >"$w/sa_lint.log" 2>&1 || true
	sa_warn=$(grep -c 'warn: ' "$w/sa_lint.log" || true)
	# lint's own summary line is not a warning of its own.
	sa_warn=$((sa_warn - $(grep -c 'warn: lint: [0-9]* issues' "$w/sa_lint.log" || true)))
}

# winnow_side DIR W: winnow's figures; W/winnow.1.jsonl the first run's output.
winnow_side() {
	local dir=$1 w=$2 r t0 t1 t=() e=() lines
	"$bin" rules lint "$dir" >"$w/winnow_lint.log" 2>&1 || true
	wn_warn=$(grep -c ': warning: ' "$w/winnow_lint.log" || true)
	wn_err=$(grep -c ': error: ' "$w/winnow_lint.log" || true)
	# A set with errors: use what loads, as SpamAssassin does (the errors
	# are counted in the second table).
	local opts=("${wn_opts[@]}")
	if [ "$wn_err" -gt 0 ] && grep -q -- '--skip-broken' "$work/classify-help.txt"; then
		opts+=(--skip-broken)
		note "$(basename "$dir"): $wn_err lint errors: classify --skip-broken"
	fi
	for r in $(seq 1 "$runs"); do
		echo "== winnow run $r: classify ${opts[*]} --rules $dir (empty list)" >>"$log"
		t0=$(now)
		"$bin" classify "${opts[@]}" --rules "$dir" --json --files-from "$work/empty.list" \
			>"$w/winnow.empty.jsonl" 2>>"$log" || return 1
		t1=$(now)
		e+=("$(sub_ "$t0" "$t1")")
		echo "== winnow run $r: classify ${opts[*]} --rules $dir ($nmsg messages)" >>"$log"
		t0=$(now)
		"$bin" classify "${opts[@]}" --rules "$dir" --json --files-from "$work/messages.list" \
			>"$w/winnow.$r.jsonl" 2>>"$log" || return 1
		t1=$(now)
		t+=("$(sub_ "$t0" "$t1")")
		echo "== winnow run $r: ${e[-1]} s empty, ${t[-1]} s full" >>"$log"
	done
	wn_raw=$(median "${t[@]}")
	wn_load=$(median "${e[@]}")
	lines=$(grep -c '^{' "$w/winnow.1.jsonl" || true)
	[ "$lines" = "$nmsg" ] || { note "winnow: $lines results for $nmsg messages"; return 1; }
	# Bayes must be off: no store, so every "bayes" is null.
	if grep -q '"bayes":[0-9]' "$w/winnow.1.jsonl"; then
		note "winnow used a token store (a \"bayes\" value is not null): not rule-only"
		return 1
	fi
	wn_spam=$(grep -c '"spam":true' "$w/winnow.1.jsonl" || true)
	# Same verdict as SpamAssassin, message by message (both in list order).
	agree=$(awk -F'\t' 'NR == FNR { v[FNR] = ($2 >= 5); n = FNR; next }
		{ s = index($0, "\"spam\":true") ? 1 : 0; if (s == v[FNR]) a++ }
		END { print a + 0 }' "$w/sa.1.scores" "$w/winnow.1.jsonl")
	# Messages hit per scoring rule on each side, largest difference first.
	awk -F'\t' 'NR == FNR { k = split($3, a, ","); for (i = 1; i <= k; i++) if (a[i] != "") sa[a[i]]++; next }
		{ while (match($0, /"name":"[^"]*"/)) { r = substr($0, RSTART + 8, RLENGTH - 9); wn[r]++; $0 = substr($0, RSTART + RLENGTH) } }
		END {
			print "rule\tsa_hits\twinnow_hits"
			for (r in sa) all[r] = 1
			for (r in wn) all[r] = 1
			for (r in all) { d = sa[r] - wn[r]; printf "%d\t%s\t%d\t%d\n", d < 0 ? -d : d, r, sa[r], wn[r] }
		}' "$w/sa.1.scores" "$w/winnow.1.jsonl" |
		sort -t$'\t' -k1,1nr -k2,2 | cut -f2- | sed '/^rule\t/d;1i rule\tsa_hits\twinnow_hits' >"$w/hits.tsv"
}

for dir in "${sets[@]}"; do
	name=${dir%/}
	case $name in "$top"/*) name=${name#"$top"/} ;; esac
	w=$work/$(printf '%s' "$name" | tr -c 'A-Za-z0-9_.-' '_')
	rm -rf "$w" && mkdir -p "$w/sa"
	if [ ! -d "$dir" ] || ! ls "$dir"/*.cf >/dev/null 2>&1; then
		note "$name: no rule files"
		printf '%s\tmissing\n' "$name" >>"$results"
		failed=1
		continue
	fi
	dir=$(cd "$dir" && pwd)
	note "$name: SpamAssassin"
	sa_secs='' sa_spam='' sa_load='' sa_tests='' sa_warn=''
	if ! sa_side "$dir" "$w"; then
		note "$name: SpamAssassin failed (see $log)"
		printf '%s\tsa failed\n' "$name" >>"$results"
		failed=1
		continue
	fi
	wn_raw=- wn_load=- wn_spam=- agree=- wn_warn=- wn_err=-
	if [ -n "$bin" ]; then
		note "$name: winnow"
		if ! winnow_side "$dir" "$w"; then
			note "$name: winnow failed (see $log)"
			wn_raw=failed
			failed=1
		fi
	fi
	# name, SA s, SA spam, SA load s, SA tests, SA lint warnings,
	# winnow raw s, winnow load s, winnow spam, verdicts agreeing,
	# winnow lint warnings, winnow lint errors
	printf '%s\tok\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" \
		"$sa_secs" "$sa_spam" "$sa_load" "$sa_tests" "$sa_warn" \
		"$wn_raw" "$wn_load" "$wn_spam" "$agree" "$wn_warn" "$wn_err" >>"$results"
done

# 5. The table -----------------------------------------------------------------
echo
echo "Messages: $nmsg of $test_list ($n_ham ham, $n_spam spam), corpus $data;" \
	"$(nproc) cores; $(date -u '+%Y-%m-%d %H:%M UTC'); load average before the run: $load0;" \
	"$([ "$runs" = 1 ] && echo "one run per side" || echo "median of $runs runs per side")."
echo
awk -F'\t' -v n="$nmsg" '
function rate(s) { return (s > 0) ? n / s : 0 }
function fmt(x) { return (x >= 100) ? sprintf("%d", x + 0.5) : sprintf("%.1f", x) }
BEGIN {
	print "| rule set | SA msgs/s | winnow msgs/s | ratio (winnow/SA) | SA spam≥5 | winnow spam≥5 | same verdict |"
	print "|---|---|---|---|---|---|---|"
}
$2 != "ok" { printf "| %s | %s | | | | | |\n", $1, $2; next }
{
	sa = rate($3)
	if ($8 == "-" || $8 == "failed") { wn = $8; ratio = "-"; ws = "-"; ag = "-" }
	else {
		net = $8 - $9
		if (net <= 0) { wn = "too fast to time"; ratio = "-" }
		else { wn = fmt(rate(net)); ratio = sprintf("%.1f× %s", rate(net) / sa, rate(net) / sa >= 20 ? "(≥20: met)" : "(≥20: NOT met)") }
		ws = $10; ag = $11 "/" n
	}
	printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, fmt(sa), wn, ratio, $4, ws, ag
}' "$results" | tee "$work/table.md"
echo
echo "Load and compile (excluded above), and the raw winnow figures:"
echo
awk -F'\t' -v n="$nmsg" '
BEGIN {
	print "| rule set | SA load s | SA tests loaded | SA lint warnings | winnow load s | winnow raw msgs/s | raw ratio | winnow lint warnings / errors |"
	print "|---|---|---|---|---|---|---|---|"
}
function fmt(x) { return (x >= 100) ? sprintf("%d", x + 0.5) : sprintf("%.1f", x) }
$2 != "ok" { next }
{
	sa = n / $3
	if ($8 == "-" || $8 == "failed") { wl = "-"; wr = $8; rr = "-"; wlint = "-" }
	else { wl = $9; wr = fmt(n / $8); rr = sprintf("%.1f×", n / $8 / sa); wlint = $12 " / " $13 }
	printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $5, $6, $7, wl, wr, rr, wlint
}' "$results" | tee -a "$work/table.md"
[ -z "$winnow_note" ] || { echo; echo "winnow not measured: $winnow_note."; }
echo
echo "Work files (per set: SA scores and lint log, winnow JSON and lint log, hits.tsv): $work"
exit "$failed"
