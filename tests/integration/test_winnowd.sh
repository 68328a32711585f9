#!/bin/sh
# test_winnowd.sh - winnowd in a real Postfix, end to end.
#
# usage: test_winnowd.sh WINNOWD WINNOW SOURCE_DIR
#
# A private Postfix on loopback hands every message to winnowd over the
# milter protocol; swaks sends, XCLIENT presents client addresses. Checks:
# headers in SpamAssassin's form on delivered mail, forged ones removed,
# reject with the configured text, quarantine to Postfix's hold queue,
# subject tagging, trusted clients skipped, bad input (malformed MIME, NUL
# bytes, 10,000 headers, a 50 MB message), reload (good, broken rule file,
# `winnow reload`), and the token store deleted under the running daemon.
# Exit 0 pass, 1 fail, 77 skipped (not root).
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

work=$(mktemp -d /tmp/wn-it-XXXXXX)
chmod 755 "$work"
cleanup() {
	wd_stop
	pf_stop || true
	rm -rf "$work"
}
trap cleanup EXIT
[ -z "${WN_IT_KEEP:-}" ] || trap "wd_stop; pf_stop || true" EXIT

# A rule file of the test's own: scores that land in each action band
# (mark 5, subject 10, quarantine 20, reject 30) whatever Bayes adds
# (BAYES_00 -3 to BAYES_50 +1.0 for these messages).
mkdir -p "$work/rules"
cat >"$work/rules/it.cf" <<'CF'
body WN_IT_MARK /mark me please/
score WN_IT_MARK 8
body WN_IT_SUBJECT /tag me please/
score WN_IT_SUBJECT 16
body WN_IT_HOLD /hold me please/
score WN_IT_HOLD 26
CF

# A trained store (Bayes needs 20 of each class before it speaks).
train_store "$WINNOW" "$work/bayes.lmdb" "$work/train"

wport=$(pf_free_port 21000)
wd_config "$work" "$wport" \
    "rules = $SRC/rules/core $work/rules" \
    "store = $work/bayes.lmdb" \
    "spf = no" \
    "authserv_id = mx.test.example" \
    "subject_score = 10" \
    "quarantine_score = 20" \
    "reject_score = 30" \
    "reject_text = Rejected as spam by the integration test" \
    "log_level = info"
wd_start
PF_MILTER_DEFAULT_ACTION=tempfail
pf_setup "$work/pf" "$(pf_free_port 22000)" "$WD_SPEC"
pf_start

# msg FILE SUBJECT BODY [EXTRA HEADER LINES...]
msg() {
	f=$1 subj=$2 body=$3
	shift 3
	{
		echo "From: Sender <sender@example.org>"
		echo "To: user@test.example"
		echo "Subject: $subj"
		echo "Date: Sun, 22 Nov 2026 10:00:00 +0000"
		echo "Message-ID: <$(basename "$f")@example.org>"
		for h in "$@"; do
			echo "$h"
		done
		echo ""
		echo "$body"
	} >"$f"
}

# delivered SUBJECT - path of the delivered message with that subject
delivered() {
	pf_delivered_with "^Subject: .*$1"
}

send() {
	pf_send_xclient 192.0.2.10 sender@example.org user@test.example "$@"
}

# --- verdicts and headers -------------------------------------------------
msg "$work/clean.eml" "clean-1" "Lunch at noon on Friday?" \
    "X-Spam-Flag: YES" "X-Spam-Status: No, score=-99 forged"
msg "$work/mark.eml" "mark-1" "Please mark me please, thanks."
msg "$work/subject.eml" "subj-1" "Please tag me please."
msg "$work/hold.eml" "hold-1" "Please hold me please."
msg "$work/gtube.eml" "gtube-1" \
    "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"

check "clean message accepted" send "$work/clean.eml"
check "marked message accepted" send "$work/mark.eml"
check "subject message accepted" send "$work/subject.eml"
check "held message accepted" send "$work/hold.eml"
rc=0
send "$work/gtube.eml" || rc=$?
check "GTUBE refused at end of DATA (swaks exit 26)" [ "$rc" -eq 26 ]
check "reject reply is 550 5.7.1 with the configured text" \
    grep -q "<\*\* *550 5.7.1 Rejected as spam by the integration test" \
    "$PF_TRANSCRIPT"
pf_wait_idle 30 || true

f=$(delivered clean-1) || f=/nonexistent
check "clean: delivered" [ -f "$f" ]
check "clean: X-Spam-Status: No, score=... required=5.0" \
    grep -q "^X-Spam-Status: No, score=-\?[0-9.]* required=5.0" "$f"
check "clean: X-Spam-Score and X-Spam-Level present" \
    sh -c "grep -q '^X-Spam-Score: ' '$f' && grep -q '^X-Spam-Level:' '$f'"
check "clean: forged X-Spam-Flag removed" \
    sh -c "! grep -q '^X-Spam-Flag' '$f'"
check "clean: forged X-Spam-Status removed" \
    sh -c "! grep -q 'score=-99 forged' '$f'"
check "clean: exactly one X-Spam-Status" \
    [ "$(grep -c '^X-Spam-Status:' "$f")" -eq 1 ]
check "clean: Bayes consulted (BAYES_ symbol in tests)" \
    sh -c "sed -n '/^X-Spam-Status/,/^[^ \t]/p' '$f' | grep -q BAYES_"

f=$(delivered mark-1) || f=/nonexistent
check "mark: X-Spam-Flag: YES" grep -q "^X-Spam-Flag: YES" "$f"
check "mark: tests list the rule" \
    sh -c "sed -n '/^X-Spam-Status/,/^[^ \t]/p' '$f' | grep -q WN_IT_MARK"
check "mark: X-Spam-Level has stars" grep -q "^X-Spam-Level: \*\*\*\*\*" "$f"

f=$(delivered "subj-1") || f=/nonexistent
check "subject: tagged [SPAM]" grep -q "^Subject: \[SPAM\] subj-1" "$f"

check "hold: message is in Postfix's hold queue" [ "$(pf_count_held)" -eq 1 ]
check "hold: not delivered" sh -c "! grep -rqs 'hold-1' '$PF_MAIL'"
check "log line per message carries the queue id" \
    grep -q "^winnowd: [0-9A-F]\{6,\}: score=" "$WD_LOG"
check "log has no addresses" sh -c "! grep -q 'sender@example.org' '$WD_LOG'"

# --- trusted client: not scanned -------------------------------------------
msg "$work/local.eml" "local-1" "From a trusted client."
check "trusted client (127.0.0.1) accepted" \
    pf_send sender@example.org user@test.example "$work/local.eml"
pf_wait_idle 30 || true
f=$(delivered local-1) || f=/nonexistent
check "trusted client: no X-Spam headers" \
    sh -c "[ -f '$f' ] && ! grep -q '^X-Spam-' '$f'"

# --- bad input ------------------------------------------------------------
{
	echo "From: a@example.org"
	echo "To: user@test.example"
	echo "Subject: badmime-1"
	echo "MIME-Version: 1.0"
	echo 'Content-Type: multipart/mixed; boundary="b1"'
	echo ""
	echo "--b1"
	echo "Content-Type: multipart/alternative; boundary=\"b2"
	echo "Content-Transfer-Encoding: base64"
	echo ""
	echo "!!!! not base64 ===="
	echo "--b2"
	echo "--b1"
} >"$work/badmime.eml"
check "malformed MIME accepted" send "$work/badmime.eml"
printf 'From: a@example.org\nTo: user@test.example\nSubject: nul-1\n\nnul\000byte\000here\n' \
    >"$work/nul.eml"
check "NUL bytes accepted" send "$work/nul.eml"
awk 'BEGIN { print "From: a@example.org"; print "To: user@test.example";
    print "Subject: manyheaders-1";
    for (i = 0; i < 10000; i++) printf "X-Filler-%d: value %d\n", i, i;
    print ""; print "body" }' >"$work/headers.eml"
check "10,000 headers accepted" send "$work/headers.eml"
{
	echo "From: a@example.org"
	echo "To: user@test.example"
	echo "Subject: big-1"
	echo ""
	head -c 37000000 /dev/zero | base64 -w 76
} >"$work/big.eml"
check "50 MB message accepted" send "$work/big.eml"
pf_wait_idle 120 || true
for s in badmime-1 nul-1 manyheaders-1 big-1; do
	check "$s delivered" sh -c "grep -rqs \"^Subject: $s\" '$PF_MAIL'"
done
f=$(delivered badmime-1) || f=/nonexistent
check "malformed MIME: scanned (X-Spam-Status)" grep -q "^X-Spam-Status:" "$f"
check "50 MB: over max_size, accepted unscanned and logged" \
    grep -q "not scanned: [0-9]* bytes, more than max_size" "$WD_LOG"
check "winnowd still running after bad input" wd_alive

# --- reload ---------------------------------------------------------------
sed -i 's/^subject_score = 10$/subject_score = 10\nrequired_score = 4.5/' \
    "$WD_CONF"
check "reload on SIGUSR1 succeeds" wd_reload
msg "$work/after.eml" "after-1" "After the reload."
send "$work/after.eml" || true
pf_wait_idle 30 || true
f=$(delivered after-1) || f=/nonexistent
check "new configuration applies: required=4.5" \
    grep -q "^X-Spam-Status: .*required=4.5" "$f"

echo 'body WN_IT_BROKEN /(unclosed/' >"$work/rules/broken.cf"
rc=0
wd_reload || rc=$?
check "reload with a broken rule file is refused" [ "$rc" -eq 1 ]
check "the log names the broken file and line" \
    grep -q "broken.cf:1: error" "$WD_LOG"
rc=0
"$WINNOW" reload -c "$WD_CONF" >"$work/reload.out" 2>&1 || rc=$?
check "winnow reload refuses a broken configuration (exit 1)" [ "$rc" -eq 1 ]
check "winnow reload names the line" grep -q "broken.cf:1" "$work/reload.out"
rc=0
send "$work/gtube.eml" || rc=$?
check "the old configuration still filters (GTUBE rejected)" [ "$rc" -eq 26 ]
rm -f "$work/rules/broken.cf"
check "winnow reload with a good configuration signals winnowd" \
    "$WINNOW" reload -c "$WD_CONF"

# --- store deleted under the running daemon -------------------------------
rm -f "$work/bayes.lmdb" "$work/bayes.lmdb-lock"
msg "$work/nostore.eml" "nostore-1" "The store is gone."
check "mail flows with the store deleted" send "$work/nostore.eml"
WD_LOG_MARK=$(wc -l <"$WD_LOG")
kill -USR1 "$WD_PID"
sleep 1
check "reload without a store: Bayes off, said in the log" \
    grep -q "token store not usable" "$WD_LOG"
msg "$work/nostore2.eml" "nostore-2" "Still no store."
check "mail flows after that reload" send "$work/nostore2.eml"
pf_wait_idle 30 || true
f=$(delivered nostore-2) || f=/nonexistent
check "scanned without Bayes" \
    sh -c "grep -q '^X-Spam-Status' '$f' && ! sed -n '/^X-Spam-Status/,/^[^ \t]/p' '$f' | grep -q BAYES_"
check "winnowd still running" wd_alive

# --- winnowd down: Postfix applies milter_default_action ------------------
wd_stop
rc=0
send "$work/clean.eml" || rc=$?
check "winnowd down: Postfix tempfails (milter_default_action)" \
    [ "$rc" -eq 23 ]

check_done
