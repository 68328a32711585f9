#!/bin/sh
# test_winnowd.sh - winnowd's command line: -t checks, exit statuses
# (sysexits), start-up errors on standard error, SIGTERM stops cleanly.
#
#   test_winnowd.sh WINNOWD SOURCE_DIR
set -u
winnowd=$1
src=$2
tmp=$(mktemp -d)
pids=
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"

port=$((30000 + $$ % 20000))
cat >"$tmp/ok.conf" <<CONF
socket = inet:$port@127.0.0.1
pid_file = $tmp/winnowd.pid
report_spool = $tmp/spool
bulk_store = $tmp/bulk.lmdb
store = $tmp/bayes.lmdb
rules = $src/rules/core
spf = no
CONF
printf 'rules = %s/broken.cf\nstore =\n' "$tmp" >"$tmp/badrules.conf"
printf 'body BROKEN /(unclosed/\n' >"$tmp/broken.cf"
printf 'store =\nreject_score = never\n' >"$tmp/bad.conf"

check check_ok 0 "$winnowd" -t -c "$tmp/ok.conf"
expect_in check_ok_summary "$tmp/err" "configuration OK: [0-9]* rules"
expect_in check_ok_store_missing "$tmp/err" "Bayes is off"
check check_creates_nothing 0 test ! -e "$tmp/bayes.lmdb"
check check_verbose 0 "$winnowd" -t -v -c "$tmp/ok.conf"
expect_in check_verbose_keys "$tmp/out" "^required_score = 5$"
check check_bad_value 78 "$winnowd" -t -c "$tmp/bad.conf"
expect_in check_bad_value_line "$tmp/err" "bad.conf:2: error: reject_score"
check check_bad_rules 78 "$winnowd" -t -c "$tmp/badrules.conf"
expect_in check_bad_rules_line "$tmp/err" "broken.cf:1: error"
check check_missing_file 78 "$winnowd" -t -c "$tmp/nosuch.conf"
expect_in check_missing_file_named "$tmp/err" "nosuch.conf"
check usage 64 "$winnowd" -x
check extra_argument 64 "$winnowd" stray
check version 0 "$winnowd" -V
expect_in version_text "$tmp/out" "^winnowd [0-9]"

# Start in the foreground; a second one on the same port fails with 71
# and says why on standard error; SIGTERM stops the first cleanly.
"$winnowd" -f -c "$tmp/ok.conf" >"$tmp/run.log" 2>&1 &
first=$!
pids=$first
i=0
while ! grep -q "listening on" "$tmp/run.log" && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
expect_in started "$tmp/run.log" "listening on inet:$port@127.0.0.1"
check pid_file_written 0 test "$(cat "$tmp/winnowd.pid")" = "$first"
check second_on_same_port 71 "$winnowd" -f -c "$tmp/ok.conf"
expect_in second_says_why "$tmp/err" "cannot listen on inet:$port"
check second_in_background_reports_on_stderr 71 "$winnowd" -c "$tmp/ok.conf"
expect_in background_error_on_stderr "$tmp/err" "cannot listen"
kill -TERM "$first"
i=0
while kill -0 "$first" 2>/dev/null && [ $i -lt 150 ]; do
	sleep 0.1
	i=$((i + 1))
done
check stopped_on_sigterm 1 kill -0 "$first"
wait "$first"
check exit_status_after_sigterm 0 test $? -eq 0
expect_in stop_logged "$tmp/run.log" "stopping after 0 messages"
check pid_file_removed 0 test ! -e "$tmp/winnowd.pid"

echo "winnowd: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
