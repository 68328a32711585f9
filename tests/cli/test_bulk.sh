#!/bin/sh
# test_bulk.sh - `winnow bulk check|stats|expire`.
#
# usage: test_bulk.sh WINNOW TEST_DATA
#
# Four variants of one campaign recorded from four senders, two
# recipients each, reach BULK_LOW and BULK_SENDERS; check without
# --record counts nothing; --json has the fields; a nobulk rule exempts;
# stats and expire report; a missing store, a broken store, a directory
# and usage errors exit 1 or 64 with one line naming what is wrong.
set -u
winnow=$1
data=$2
tmp=$(mktemp -d /tmp/wn-cli-bulk-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
db=$tmp/bulk.lmdb
b=$data/bulk

check record_first 0 "$winnow" bulk check --db "$db" --record \
    --from a@x.example --rcpts 2 "$b/campaign-loan-1.eml"
expect_in first_counts "$tmp/out" "recipients 2 senders 1 copies 1 (exact) symbols none"
for i in 2 3 4; do
	check "record_$i" 0 "$winnow" bulk check --db "$db" --record \
	    --from "s$i@x.example" --rcpts 2 "$b/campaign-loan-$i.eml"
done
expect_in fourth_counts "$tmp/out" "recipients 8 senders 4 copies 4"
expect_in fourth_symbols "$tmp/out" "symbols BULK_LOW,BULK_SENDERS"
check peek 0 "$winnow" bulk check --db "$db" "$b/campaign-loan-2.eml"
check peek_again 0 "$winnow" bulk check --db "$db" --json \
    "$b/campaign-loan-2.eml"
expect_in peek_counts_nothing "$tmp/out" '"recipients":8,'
expect_in json_symbols "$tmp/out" '"symbols":\[{"name":"BULK_LOW","weight":0.50}'
expect_in json_fingerprint "$tmp/out" '"fingerprint":"[0-9a-f]\{32\}:'
check unrelated 0 "$winnow" bulk check --db "$db" "$b/single-hiking.eml"
expect_in unrelated_new "$tmp/out" "recipients 0 senders 0 copies 0"

cat >"$tmp/lists.cf" <<'CF'
header LOCAL_LIST From =~ /ann\@example\.org/
score LOCAL_LIST 0
tflags LOCAL_LIST nobulk
CF
check exempt 0 "$winnow" bulk check --db "$db" --record --rcpts 50 \
    --rules "$tmp/lists.cf" "$b/short-attachment.eml"
expect_in exempt_named "$tmp/out" "exempt (LOCAL_LIST) symbols none"

check stats 0 "$winnow" bulk stats --db "$db"
expect_in stats_keys "$tmp/out" "^keys *[1-9]"
check expire 0 "$winnow" bulk expire --db "$db"
expect_in expire_says "$tmp/out" "removed 0 keys"

check missing 1 "$winnow" bulk stats --db "$tmp/none.lmdb"
expect_in missing_named "$tmp/err" "none.lmdb: no such bulk store"
check missing_not_created 0 test ! -e "$tmp/none.lmdb"
printf 'not an lmdb file, just some text long enough to be read\n' \
    >"$tmp/broken.lmdb"
check broken 1 "$winnow" bulk stats --db "$tmp/broken.lmdb"
expect_in broken_named "$tmp/err" "broken.lmdb: "
check broken_kept 0 test -s "$tmp/broken.lmdb"
check directory 1 "$winnow" bulk check --db "$tmp" --record \
    "$b/single-hiking.eml"
expect_in directory_named "$tmp/err" "not a regular file"
check bad_rcpts 64 "$winnow" bulk check --db "$db" --rcpts 0 \
    "$b/single-hiking.eml"
check no_messages 64 "$winnow" bulk check --db "$db"
check bad_sub 64 "$winnow" bulk frobnicate
check unreadable_message 1 "$winnow" bulk check --db "$db" "$tmp/nope.eml"
expect_in unreadable_named "$tmp/err" "nope.eml"

echo "bulk: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
