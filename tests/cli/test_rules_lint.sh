#!/bin/sh
# test_rules_lint.sh - `winnow rules lint` finds the one error of each broken
# rule file, on the right line, and accepts a file of valid rules.
#
#   test_rules_lint.sh WINNOW TESTDATA
#
# TESTDATA/rules/broken/*.cf: each holds exactly one error; its first line
# is `# lint-error-line: N`. Lint must exit 1 and print `FILE:N: error:`
# (FILE as given on the command line) and no other error.
# TESTDATA/rules/good/ok.cf: valid rules of every kind; its first line is
# `# lint-warning-line: N`, the eval: rule lint skips with a warning. Lint
# must exit 0, print no error, and print `FILE:N: warning:`.
set -u
winnow=$1
data=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# lint FILE: run lint on FILE, stdout and stderr into $tmp/out, status in $st.
lint() {
	"$winnow" rules lint "$1" >"$tmp/out" 2>&1
	st=$?
}

# header_line FILE KEY: N of the `# KEY: N` first line (empty if absent).
header_line() {
	sed -n "1s/^# $2: *\([0-9][0-9]*\) *\$/\1/p" "$1"
}

bad() {
	# bad NAME WHY: report one failed case, with lint's first lines.
	fail=$((fail + 1))
	echo "FAIL: $1: $2"
	head -5 "$tmp/out" | sed 's/^/  | /'
}

n=0
for f in "$data"/rules/broken/*.cf; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	name=$(basename "$f")
	line=$(header_line "$f" lint-error-line)
	if [ -z "$line" ]; then
		fail=$((fail + 1))
		echo "FAIL: $name: first line is not '# lint-error-line: N'"
		continue
	fi
	lint "$f"
	errors=$(grep -c ': error: ' "$tmp/out")
	if [ "$st" -ne 1 ]; then
		bad "$name" "exit $st, want 1"
	elif ! grep -qF -- "$f:$line: error:" "$tmp/out"; then
		bad "$name" "no '$f:$line: error:'"
	elif [ "$errors" -ne 1 ]; then
		bad "$name" "$errors errors reported, want 1"
	else
		echo "ok $name (line $line)"
	fi
done
if [ "$n" -lt 12 ]; then
	fail=$((fail + 1))
	echo "FAIL: only $n broken rule files in $data/rules/broken"
fi

f=$data/rules/good/ok.cf
name=good/ok.cf
line=$(header_line "$f" lint-warning-line)
lint "$f"
if [ "$st" -ne 0 ]; then
	bad "$name" "exit $st, want 0"
elif grep -q ': error: ' "$tmp/out"; then
	bad "$name" "an error reported"
elif [ -z "$line" ]; then
	bad "$name" "first line is not '# lint-warning-line: N'"
elif ! grep -qF -- "$f:$line: warning:" "$tmp/out"; then
	bad "$name" "no '$f:$line: warning:' for the eval: rule"
else
	echo "ok $name"
fi

# Several files at once: the errors of each, the status of the worst.
b=$data/rules/broken/02_invalid_regex.cf
line=$(header_line "$b" lint-error-line)
"$winnow" rules lint "$f" "$b" >"$tmp/out" 2>&1
st=$?
if [ "$st" -ne 1 ]; then
	bad "good+broken" "exit $st, want 1"
elif ! grep -qF -- "$b:$line: error:" "$tmp/out"; then
	bad "good+broken" "the broken file's error is missing"
else
	echo "ok good+broken"
fi

[ "$fail" -eq 0 ] || echo "$fail failed"
[ "$fail" -eq 0 ]
