#!/bin/sh
# test_cli.sh - behaviour of the winnow command line: exit statuses, errors
# that name the file, and every input kind (file, folder, mbox, maildir,
# standard input).
#
#   test_cli.sh WINNOW TESTDATA
set -u
winnow=$1
data=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

check() {
	# check NAME EXPECTED_STATUS COMMAND...
	name=$1
	want=$2
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -eq "$want" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $name: exit $got, want $want"
		sed 's/^/  stderr: /' "$tmp/err" | head -5
	fi
}

expect_in() {
	# expect_in NAME FILE TEXT
	if grep -q -- "$3" "$2"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $1: '$3' not in $(basename "$2")"
		head -5 "$2" | sed 's/^/  /'
	fi
}

count_lines() {
	# count_lines NAME FILE PATTERN WANT
	n=$(grep -c -- "$3" "$2")
	if [ "$n" -eq "$4" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $1: $n lines match '$3', want $4"
	fi
}

check help 0 "$winnow" --help
expect_in help_lists_parse "$tmp/out" "parse"
check no_args 64 "$winnow"
check unknown_command 64 "$winnow" frobnicate
expect_in unknown_command_named "$tmp/err" "frobnicate"
check parse_help 0 "$winnow" parse --help
check tokens_help 0 "$winnow" tokens --help
check parse_no_path 64 "$winnow" parse
check parse_bad_option 64 "$winnow" parse --no-such-option x
check parse_bad_number 64 "$winnow" parse --max-depth lots "$data/samples"
expect_in bad_number_named "$tmp/err" "max-depth"
check parse_number_out_of_range 64 "$winnow" parse --max-depth 0 "$data/samples"

# Missing file: error names it, exit 1, other inputs still processed.
check missing_file 1 "$winnow" parse "$tmp/no-such-file" "$data/samples"
expect_in missing_file_named "$tmp/err" "no-such-file"
expect_in missing_file_others_done "$tmp/out" "==> "

# A directory given as the only message of a folder walk that is unreadable
# is covered by the unit tests; here: every input kind.
check folder 0 "$winnow" parse --json "$data/samples"
nsamples=$(find "$data/samples" -type f ! -name '.*' | wc -l)
count_lines folder_one_line_per_message "$tmp/out" '^{"path":' "$nsamples"

first=$(find "$data/samples" -type f ! -name '.*' | sort | head -1)
check stdin 0 sh -c "\"$winnow\" parse --json - < \"$first\""
expect_in stdin_path "$tmp/out" '"path":"-"'

{
	printf 'From a@example.org Thu Aug 22 12:36:23 2002\n'
	printf 'Subject: one\n\nfirst\n\n'
	printf 'From b@example.org Thu Aug 22 12:37:23 2002\n'
	printf 'Subject: two\n\nsecond\n'
} >"$tmp/box"
check mbox 0 "$winnow" parse --json "$tmp/box"
count_lines mbox_two_messages "$tmp/out" '^{"path":' 2
expect_in mbox_index "$tmp/out" '"index":2'

mkdir -p "$tmp/md/cur" "$tmp/md/new" "$tmp/md/tmp"
printf 'Subject: a\n\nx\n' >"$tmp/md/cur/1:2,S"
printf 'Subject: b\n\ny\n' >"$tmp/md/new/2"
printf 'Subject: c\n\nz\n' >"$tmp/md/tmp/3"
check maildir 0 "$winnow" parse --json "$tmp/md"
count_lines maildir_cur_and_new "$tmp/out" '^{"path":' 2

check tokens 0 "$winnow" tokens "$first"
expect_in tokens_have_kinds "$tmp/out" "^word	"
check tokens_count 0 "$winnow" tokens --count "$data/samples"
count_lines tokens_count_lines "$tmp/out" '	' "$nsamples"

# Garbage is not an error: binary noise parses.
head -c 4096 /dev/urandom >"$tmp/noise"
check garbage_parses 0 "$winnow" parse "$tmp/noise"
check garbage_tokens 0 "$winnow" tokens --count "$tmp/noise"

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
