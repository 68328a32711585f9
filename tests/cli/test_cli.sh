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
. "$(dirname "$0")/lib.sh"

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


# Learning and classifying with a real store.
db="$tmp/bayes.lmdb"
mkdir -p "$tmp/spam" "$tmp/ham"
i=0
while [ $i -lt 25 ]; do
	printf 'Subject: cheap pills %d\nFrom: a@promo.example\n\nBuy cheap pills now, viagra discount %d\n' $i $i >"$tmp/spam/$i"
	printf 'Subject: build report %d\nFrom: ci@dev.example\n\nThe build is green; please review the patch %d\n' $i $i >"$tmp/ham/$i"
	i=$((i + 1))
done
check learn_no_class 64 "$winnow" learn --db "$db" "$tmp/spam"
check classify_missing_db 1 "$winnow" classify --db "$tmp/none.lmdb" "$tmp/spam/1"
expect_in classify_missing_db_named "$tmp/err" "none.lmdb"
check learn_spam 0 "$winnow" learn -q --db "$db" --spam "$tmp/spam"
expect_in learn_summary "$tmp/out" "learned 25 as spam"
expect_in learn_linear_waits "$tmp/out" "linear stage: not trained, 25 spam and 0 ham samples kept, 20 of each needed"
check learn_spam_again 0 "$winnow" learn -q --db "$db" --spam "$tmp/spam"
expect_in learn_duplicates "$tmp/out" "skipped 25 duplicates"
check learn_ham 0 "$winnow" learn -q --db "$db" --ham "$tmp/ham"
expect_in learn_linear_trained "$tmp/out" "linear stage: trained on 25 spam and 25 ham samples"
printf '\177ELF\001\001binary junk' >"$tmp/notmail"
check learn_not_mail 1 "$winnow" learn -q --db "$db" --ham "$tmp/notmail" "$tmp/ham/1"
expect_in learn_not_mail_named "$tmp/err" "notmail: not a mail message"
check classify_json 0 "$winnow" classify --db "$db" --json "$tmp/spam/3" "$tmp/ham/3"
expect_in classify_spam_json "$tmp/out" '"spam":true'
expect_in classify_ham_json "$tmp/out" '"spam":false'
expect_in classify_symbols "$tmp/out" '"symbols":\[{"name":"BAYES_'
expect_in classify_linear_margin "$tmp/out" '"bayes_margin":'
ls "$tmp"/spam/1 "$tmp"/ham/2 >"$tmp/list"
check classify_files_from 0 "$winnow" classify --db "$db" --json --files-from "$tmp/list"
count_lines classify_files_from_two "$tmp/out" '^{"path":' 2
check classify_files_from_stdin 0 sh -c "\"$winnow\" classify --db \"$db\" --json -T - < \"$tmp/list\""
count_lines classify_files_from_stdin_two "$tmp/out" '^{"path":' 2
check classify_files_from_missing 1 "$winnow" classify --db "$db" -T "$tmp/nolist"
expect_in classify_files_from_missing_named "$tmp/err" "nolist"
check classify_explain 0 "$winnow" classify --db "$db" --explain 5 "$tmp/spam/3"
expect_in classify_explain_clue "$tmp/out" "pills"
check stats 0 "$winnow" bayes stats --db "$db"
expect_in stats_counts "$tmp/out" "spam messages  25"
expect_in stats_samples "$tmp/out" "samples        25 spam, 25 ham"
expect_in stats_linear "$tmp/out" "linear stage   trained on 25 spam, 25 ham"
check dump 0 "$winnow" bayes dump --db "$db" -o "$tmp/dump.txt"
check load 0 "$winnow" bayes load --db "$tmp/copy.lmdb" "$tmp/dump.txt"
# Parsing in threads changes nothing the store keeps: one job and three
# learn the same, and the errors name the same file.
for j in 1 3; do
	check learn_jobs$j 0 "$winnow" learn -q -j $j --no-retrain \
	    --db "$tmp/j$j.lmdb" --spam "$tmp/spam"
	check learn_jobs${j}_ham 1 "$winnow" learn -q -j $j \
	    --db "$tmp/j$j.lmdb" --ham "$tmp/ham" "$tmp/notmail"
	expect_in learn_jobs${j}_summary "$tmp/out" "learned 25 as ham"
	expect_in learn_jobs${j}_error "$tmp/err" "notmail: not a mail message"
	check dump_jobs$j 0 "$winnow" bayes dump --db "$tmp/j$j.lmdb" \
	    -o "$tmp/j$j.txt"
done
check learn_jobs_same 0 cmp "$tmp/j1.txt" "$tmp/j3.txt"
check learn_jobs_bad 64 "$winnow" learn -q -j 0 --db "$tmp/j1.lmdb" --ham "$tmp/ham"
check stats_copy 0 "$winnow" bayes stats --db "$tmp/copy.lmdb"
expect_in stats_copy_counts "$tmp/out" "ham messages   25"
expect_in stats_copy_samples "$tmp/out" "samples        25 spam, 25 ham"
expect_in stats_copy_linear "$tmp/out" "linear stage   trained on 25 spam, 25 ham"
expect_in load_messages "$tmp/dump.txt" "^message [0-9a-f]\{32\} spam [0-9]* [0-9a-f]"
expect_in stats_features "$tmp/out" "feature set    5"
# A model learned with an older feature set keeps its features after a move.
sed 's/^seed 0x77696e6e6f770005$/seed 0x77696e6e6f770001/' "$tmp/dump.txt" >"$tmp/dump1.txt"
check load_set1 0 "$winnow" bayes load --db "$tmp/set1.lmdb" "$tmp/dump1.txt"
check stats_set1 0 "$winnow" bayes stats --db "$tmp/set1.lmdb"
expect_in stats_set1_features "$tmp/out" "feature set    1 (an older one"
check classify_copy 0 "$winnow" classify --db "$tmp/copy.lmdb" --json "$tmp/spam/4"
expect_in classify_copy_spam "$tmp/out" '"spam":true'
# A dump moves the learned messages and samples too: the copy scores as
# the original does, knows what it learned, and dumps the same.
"$winnow" classify --db "$db" --json "$tmp/spam/4" "$tmp/ham/4" >"$tmp/orig.json"
"$winnow" classify --db "$tmp/copy.lmdb" --json "$tmp/spam/4" "$tmp/ham/4" >"$tmp/copy.json"
check classify_copy_same 0 cmp "$tmp/orig.json" "$tmp/copy.json"
check learn_copy_again 0 "$winnow" learn -q --db "$tmp/copy.lmdb" --spam "$tmp/spam"
expect_in learn_copy_duplicates "$tmp/out" "skipped 25 duplicates"
check dump_copy 0 "$winnow" bayes dump --db "$tmp/copy.lmdb" -o "$tmp/dump_copy.txt"
check dump_copy_same 0 cmp "$tmp/dump.txt" "$tmp/dump_copy.txt"
# A dump of format 1 (tokens only) still loads, and ranks with Fisher.
grep -v '^message ' "$tmp/dump.txt" | sed '1s/dump 2$/dump 1/' >"$tmp/dump_v1.txt"
check load_v1 0 "$winnow" bayes load --db "$tmp/v1.lmdb" "$tmp/dump_v1.txt"
check stats_v1 0 "$winnow" bayes stats --db "$tmp/v1.lmdb"
expect_in stats_v1_fisher_alone "$tmp/out" "linear stage   no model (Fisher alone)"
# A damaged message line, or tokens after the messages, are named.
sed '0,/^message [0-9a-f]*/s//message 00zz/' "$tmp/dump.txt" >"$tmp/bad_message.txt"
check load_bad_message 1 "$winnow" bayes load --db "$tmp/bm.lmdb" "$tmp/bad_message.txt"
expect_in load_bad_message_line "$tmp/err" "bad_message.txt:[0-9]*: bad line"
{ cat "$tmp/dump.txt"; echo "00000000000000ff 1 0 20000"; } >"$tmp/late_token.txt"
check load_late_token 1 "$winnow" bayes load --db "$tmp/lt.lmdb" "$tmp/late_token.txt"
expect_in load_late_token_line "$tmp/err" "late_token.txt:[0-9]*: bad line"
check learn_forget 0 "$winnow" learn -q --db "$db" --forget "$tmp/ham/1"
expect_in forget_summary "$tmp/out" "forgot 1"
expect_in forget_retrains "$tmp/out" "linear stage: trained on 25 spam and 24 ham samples"
printf 'Subject: cheap pills again\nFrom: b@promo.example\n\nBuy cheap pills\n' >"$tmp/spam26"
check learn_no_retrain 0 "$winnow" learn -q --no-retrain --db "$db" --spam "$tmp/spam26"
expect_not_in learn_no_retrain_quiet "$tmp/out" "linear stage"
check stats_stale 0 "$winnow" bayes stats --db "$db"
expect_in stats_stale_samples "$tmp/out" "samples        26 spam, 24 ham"
expect_in stats_stale_model "$tmp/out" "linear stage   trained on 25 spam, 24 ham"
check retrain 0 "$winnow" bayes retrain --db "$db"
expect_in retrain_counts "$tmp/out" "linear stage: trained on 26 spam and 24 ham samples"
check retrain_missing 1 "$winnow" bayes retrain --db "$tmp/none.lmdb"
expect_in retrain_missing_named "$tmp/err" "none.lmdb"
check expire 0 "$winnow" bayes expire --db "$db" --days 1
printf 'not a dump\n' >"$tmp/bad.dump"
check load_bad_dump 1 "$winnow" bayes load --db "$tmp/other.lmdb" "$tmp/bad.dump"
expect_in load_bad_dump_named "$tmp/err" "bad.dump"
head -c 100000 /dev/urandom >"$tmp/corrupt.lmdb"
check classify_corrupt_store 1 "$winnow" classify --db "$tmp/corrupt.lmdb" "$tmp/spam/1"
expect_in corrupt_store_named "$tmp/err" "corrupt.lmdb"
check learn_corrupt_store 1 "$winnow" learn -q --db "$tmp/corrupt.lmdb" --spam "$tmp/spam/1"

# eval over lists.
: >"$tmp/train.tsv"
: >"$tmp/test.tsv"
i=0
while [ $i -lt 25 ]; do
	if [ $i -lt 20 ]; then
		printf 'spam\tspam/%d\nham\tham/%d\n' $i $i >>"$tmp/train.tsv"
	else
		printf 'spam\tspam/%d\nham\tham/%d\n' $i $i >>"$tmp/test.tsv"
	fi
	i=$((i + 1))
done
check eval 0 "$winnow" eval --train "$tmp/train.tsv" --test "$tmp/test.tsv" --data "$tmp" --scores "$tmp/scores"
expect_in eval_roca "$tmp/out" "1-roca%"
expect_in eval_no_fp "$tmp/out" "^fp  *0 "
count_lines eval_scores "$tmp/scores" '	' 10
printf 'maybe\tx\n' >"$tmp/badlist"
check eval_bad_list 1 "$winnow" eval --train "$tmp/badlist" --test "$tmp/test.tsv" --data "$tmp"
expect_in eval_bad_list_line "$tmp/err" "badlist:1"

# Rules: classify with a rule set, the maintainer tools, broken sets.
rules=$(dirname "$data")/../rules/core
check rules_help 0 "$winnow" rules --help
check rules_unknown 64 "$winnow" rules frob
check rules_lint_core 0 "$winnow" rules lint "$rules"
expect_in rules_lint_counts "$tmp/out" "0 errors"
check rules_test_core 0 "$winnow" rules test "$rules"
expect_in rules_test_summary "$tmp/out" " 0 failures"
check classify_rules 0 "$winnow" classify --no-bayes --rules "$rules" --json "$data/samples"
count_lines classify_rules_lines "$tmp/out" '"path"' 8
expect_in classify_rules_spam "$tmp/out" '"spam":true'
expect_in classify_rules_symbol "$tmp/out" '"name":"WN_'
check classify_rules_db_conflict 64 "$winnow" classify --no-bayes --db "$tmp/x" "$data/samples"
printf 'body BROKEN /unclosed(/\n' >"$tmp/broken.cf"
check classify_broken_rules 1 "$winnow" classify --no-bayes --rules "$tmp/broken.cf" "$data/samples"
expect_in classify_broken_names_line "$tmp/err" "broken.cf:1: error"
check classify_skip_broken 0 "$winnow" classify --no-bayes --skip-broken --rules "$tmp/broken.cf" "$data/samples"
check classify_missing_rules 1 "$winnow" classify --no-bayes --rules "$tmp/nosuch.cf" "$data/samples"
expect_in classify_missing_rules_named "$tmp/err" "nosuch.cf"
check rules_check 0 "$winnow" rules check --rules "$rules" --ham "$data/samples/ham-list.eml" --ham "$data/samples/ham-personal.eml" --spam "$data/samples/spam-419.eml"
expect_in rules_check_table "$tmp/out" "S/O"
expect_in rules_check_summary "$tmp/out" "1 spam, 2 ham"
check rules_check_usage 64 "$winnow" rules check --rules "$rules"
mkdir -p "$tmp/set/tests"
printf 'body WON /you won/\nscore WON 2\n' >"$tmp/set/a.cf"
printf '# hit: WON\nSubject: x\n\nyou won\n' >"$tmp/set/tests/hit.eml"
check rules_test_no_manifest 1 "$winnow" rules test "$tmp/set"
expect_in rules_test_no_manifest_named "$tmp/out" "set/manifest"
printf 'name: set\nversion: 1.0\nmaintainer: t\nlicence: MIT\nmin-engine: 99.0\n' >"$tmp/set/manifest"
check rules_test_newer_engine 1 "$winnow" rules test "$tmp/set"
expect_in rules_test_newer_engine_named "$tmp/out" "needs winnow 99.0 or newer"
printf 'name: set\nversion: 1.0\nmaintainer: t\nlicence: MIT\nmin-engine: 0.1\n' >"$tmp/set/manifest"
printf '# hit: WON\nSubject: x\n\nyou won\n' >"$tmp/set/tests/hit.eml"
check rules_test_no_miss 1 "$winnow" rules test "$tmp/set"
expect_in rules_test_no_miss_named "$tmp/out" "WON: no miss test"
printf '# miss: WON\nSubject: x\n\nyou won\n' >"$tmp/set/tests/miss.eml"
check rules_test_wrong 1 "$winnow" rules test "$tmp/set"
expect_in rules_test_wrong_named "$tmp/out" "miss.eml: error: WON should not hit but did"
printf 'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X\n' >"$tmp/gtube.eml"
check classify_gtube 0 "$winnow" classify --no-bayes "$tmp/gtube.eml"
expect_in classify_gtube_spam "$tmp/out" "spam score=1000"

# winnow reload: checks first, names the line, never signals on errors
printf 'store =\nspf = no\nrules = none\npid_file = %s/none.pid\n' "$tmp" \
    >"$tmp/ok.conf"
printf 'store =\nrequired_score = lots\n' >"$tmp/bad.conf"
check reload_bad_config 1 "$winnow" reload -c "$tmp/bad.conf"
expect_in reload_bad_config_line "$tmp/err" "bad.conf:2: error"
expect_in reload_bad_config_not_signalled "$tmp/err" "was not signalled"
check reload_no_daemon 1 "$winnow" reload -c "$tmp/ok.conf"
expect_in reload_no_daemon_named "$tmp/err" "none.pid"
check reload_usage 64 "$winnow" reload extra-argument
sleep 300 &
sleeper=$!
echo "$sleeper" >"$tmp/sleeper.pid"
trap '' USR1
check reload_signals 0 "$winnow" reload -c "$tmp/ok.conf" \
    --pid-file "$tmp/sleeper.pid"
sleep 0.2
if kill -0 "$sleeper" 2>/dev/null; then
	fail=$((fail + 1))
	echo "FAIL reload_signals_delivered: the process did not get SIGUSR1"
	kill "$sleeper"
else
	pass=$((pass + 1))
fi

# rules, report and bulk feed run in winnow-exchange, beside winnow in a
# build tree; winnow itself links neither libcurl nor libarchive.
check exchange_rules_help 0 "$winnow" rules --help
expect_in exchange_rules_usage "$tmp/out" "winnow rules lint"
check exchange_bulk_feed_help 0 "$winnow" bulk feed --help
expect_in exchange_feed_usage "$tmp/out" "winnow bulk feed update"
if ldd "$winnow" | grep -q 'libcurl\|libarchive'; then
	fail=$((fail + 1))
	echo "FAIL winnow_links_no_curl: $(ldd "$winnow" | grep 'libcurl\|libarchive')"
else
	pass=$((pass + 1))
fi
# Without winnow-exchange beside it or installed, the error names it.
if [ ! -e /usr/local/libexec/winnow/winnow-exchange ]; then
	mkdir "$tmp/alone" && cp "$winnow" "$tmp/alone/winnow"
	check exchange_missing 70 "$tmp/alone/winnow" report --help
	expect_in exchange_missing_named "$tmp/err" "cannot run "
	expect_in exchange_missing_path "$tmp/err" "/winnow-exchange: "
fi

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
