#!/bin/sh
# test_load.sh - many messages over many concurrent SMTP sessions through
# Postfix and winnowd: nothing lost, verdicts as the content says, memory
# flat, and no sanitizer report from winnowd.
#
# usage: test_load.sh WINNOWD WINNOW SOURCE_DIR
#
# WN_LOAD_MESSAGES (2000) messages in two equal rounds, each round over 16
# parallel SMTP sessions (bench/milter/smtp_bench.pl), four message kinds
# in turn: two
# ham samples are delivered as they are, a spam sample is delivered marked
# X-Spam-Flag: YES, GTUBE is rejected by winnowd. During round two winnowd
# reloads its configuration every half second. After both rounds:
# delivered + rejected = sent, the queue is empty, no reload failed,
# winnowd's resident memory grew by less than WN_LOAD_RSS_SLACK_KIB (8192)
# from the end of round one to the end of round two, and its log holds no
# sanitizer error. Exit 0, 1, or 77.
set -eu
WINNOWD=$1
WINNOW=$2
SRC=$3
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/postfix.sh"
. "$here/lib/winnowd.sh"
. "$here/lib/check.sh"
pf_require_root
pf_check_tools
total=${WN_LOAD_MESSAGES:-2000}
slack=${WN_LOAD_RSS_SLACK_KIB:-8192}
half=$((total / 2))

work=$(mktemp -d /tmp/wn-load-XXXXXX)
chmod 755 "$work"
cleanup() {
	wd_stop
	pf_stop || true
	[ -n "${WN_IT_KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

# A small trained store so Bayes runs on every message.
train_store "$WINNOW" "$work/bayes.lmdb" "$work/train"

wport=$(pf_free_port 25000)
wd_config "$work" "$wport" "rules = $SRC/rules/core" \
    "store = $work/bayes.lmdb" "spf = no" "trusted_networks = none" \
    "reject_score = 100" "log_level = notice"
wd_start
pf_setup "$work/pf" "$(pf_free_port 26000)" "$WD_SPEC"
pf_start

cp "$SRC/tests/data/samples/ham-personal.eml" "$work/k1.eml"
cp "$SRC/tests/data/samples/ham-newsletter.eml" "$work/k2.eml"
cp "$SRC/tests/data/samples/spam-pharma.eml" "$work/k3.eml"
printf 'From: x@example.net\nTo: user@test.example\nSubject: gtube\n\n%s\n' \
    'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X' \
    >"$work/k4.eml"

ls "$work"/k[1-4].eml >"$work/kinds.list"

# round R - half the messages over 16 sessions, the kinds in turn
round() {
	perl "$SRC/bench/milter/smtp_bench.pl" --sessions 16 \
	    --messages "$half" --from sender@example.org \
	    --to user@test.example "127.0.0.1:$PF_PORT" "$work/kinds.list" \
	    >"$work/round$1.out" 2>&1 || true
	echo "# round $1: $(cat "$work/round$1.out")"
	pf_wait_idle 300 || true
}

start=$(date +%s)
round 1
rss1=$(wd_rss_kib)
# Reloads under load: each builds a whole snapshot and swaps it in while
# messages are in flight.
(
	while [ ! -e "$work/round2.done" ]; do
		kill -USR1 "$WD_PID" 2>/dev/null || true
		sleep 0.5
	done
) &
reloader=$!
round 2
touch "$work/round2.done"
wait "$reloader" || true
rss2=$(wd_rss_kib)
reloads=$(grep -c "^winnowd: configuration [0-9]*:" "$WD_LOG" || true)
took=$(($(date +%s) - start))

delivered=$(pf_count_delivered)
rejected=$(grep -c "milter-reject: END-OF-MESSAGE" "$(pf_log)" || true)
sent=$(($(sed -n 's/.*sent=\([0-9]*\).*/\1/p' "$work"/round[12].out |
    paste -sd+)))
left=$(pf_queue_count)
echo "# $total messages in ${took}s: $delivered delivered, $rejected" \
    "rejected, $left in the queue; winnowd RSS ${rss1} KiB -> ${rss2} KiB"
check "every ham and spam sample delivered ($delivered of $((total * 3 / 4)))" \
    [ "$delivered" -eq $((total * 3 / 4)) ]
check "every GTUBE message rejected ($rejected of $((total / 4)))" \
    [ "$rejected" -eq $((total / 4)) ]
flagged=$(grep -l '^X-Spam-Flag: YES' $(pf_delivered_files) /dev/null | wc -l)
check "every spam sample marked ($flagged of $((total / 4)))" \
    [ "$flagged" -eq $((total / 4)) ]
check "nothing left in the queue" [ "$left" -eq 0 ]
check "every message sent got a reply ($sent of $total)" [ "$sent" -eq "$total" ]
check "the clients saw every GTUBE refused" \
    [ "$(($(sed -n 's/.*rejected=\([0-9]*\).*/\1/p' "$work"/round[12].out |
    paste -sd+)))" -eq $((total / 4)) ]
check "winnowd reloaded under load ($((reloads - 1)) times)" \
    [ "$reloads" -gt 2 ]
check "no reload failed" sh -c "! grep -q 'reload failed' '$WD_LOG'"
check "memory flat: +$((rss2 - rss1)) KiB in round two (limit $slack)" \
    [ $((rss2 - rss1)) -lt "$slack" ]
check "no milter errors in Postfix's log" \
    sh -c "! grep -q 'warning: milter' '$(pf_log)'"
wd_stop
check "no sanitizer report from winnowd" \
    sh -c "! grep -q 'Sanitizer' '$WD_LOG'"
check "winnowd counted $total messages at exit" \
    grep -q "stopping after $total messages (0 under on_error)" "$WD_LOG"

check_done
