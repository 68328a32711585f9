#!/bin/sh
# test_bulk.sh - bulk detection in a real Postfix, end to end.
#
# usage: test_bulk.sh WINNOWD WINNOW SOURCE_DIR
#
# winnowd starts on a bulk store that is not an LMDB file: it says so,
# moves it aside and counts in a new one. Then, through Postfix:
#   - eight per-recipient copies of one campaign (four variants: names,
#     ids, plain, QP, base64, HTML), three recipients each: the first copy
#     carries no BULK_ symbol, the second BULK_LOW (6 recipients), the
#     seventh BULK_MEDIUM (21);
#   - one phishing text from three senders: BULK_SENDERS on the third;
#   - a trusted list (a nobulk rule, score 0) to five recipients six
#     times: never a BULK_ symbol, logged bulk=exempt;
#   - eleven unrelated messages: no BULK_ symbol;
#   - the counts go on across a reload and a restart (the LMDB file);
#   - `winnow bulk stats` reads the store winnowd wrote.
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

work=$(mktemp -d /tmp/wn-it-bulk-XXXXXX)
chmod 755 "$work"
cleanup() {
	wd_stop
	pf_stop || true
	rm -rf "$work"
}
trap cleanup EXIT
[ -z "${WN_IT_KEEP:-}" ] || trap "wd_stop; pf_stop || true" EXIT
data=$SRC/tests/data/bulk

mkdir -p "$work/rules"
cat >"$work/rules/lists.cf" <<'CF'
header LOCAL_OUR_LIST List-Id =~ /<news\.lists\.example\.org>/
score LOCAL_OUR_LIST 0
tflags LOCAL_OUR_LIST nobulk
CF
printf 'this is not an LMDB file but a leftover of something else\n' \
    >"$work/bulk.lmdb"

wport=$(pf_free_port 23000)
wd_config "$work" "$wport" \
    "rules = $work/rules" \
    "store =" \
    "spf = no" \
    "log_level = info"
wd_start
check "broken bulk store: said in the log" \
    grep -q "bulk store was unreadable.*moved aside to $work/bulk.lmdb.broken" \
    "$WD_LOG"
check "broken bulk store: kept as bulk.lmdb.broken" \
    [ -s "$work/bulk.lmdb.broken" ]
check "startup names the bulk store" \
    grep -q "bulk $work/bulk.lmdb" "$WD_LOG"

PF_MILTER_DEFAULT_ACTION=tempfail
pf_setup "$work/pf" "$(pf_free_port 24000)" "$WD_SPEC"
pf_start

# copy SRC TAG FILE - SRC with an X-Test-Copy: TAG header on top
copy() {
	{ echo "X-Test-Copy: $2"; cat "$1"; } >"$3"
}

# status TAG - the X-Spam-Status header (unfolded) of the first delivered
# copy tagged TAG
status() {
	if f=$(pf_delivered_with "^X-Test-Copy: $1\$"); then
		sed -n '/^X-Spam-Status:/,/^[^ \t]/p' "$f" | tr -d '\n'
	else
		echo "(not delivered)"
	fi
}

# has TAG PATTERN / lacks TAG PATTERN
has() { status "$1" | grep -q -- "$2"; }
lacks() { s=$(status "$1"); [ "$s" != "(not delivered)" ] &&
    ! echo "$s" | grep -q -- "$2"; }

# --- one campaign, eight copies, three recipients each --------------------
k=0
for round in 1 2; do
	for v in 1 2 3 4; do
		k=$((k + 1))
		copy "$data/campaign-sale-$v.eml" "sale-$k" "$work/sale-$k.eml"
		check "sale copy $k accepted" pf_send_xclient 192.0.2.20 \
		    newsletter@gartenwelt-shop.de \
		    "a$k@test.example,b$k@test.example,c$k@test.example" \
		    "$work/sale-$k.eml"
	done
done
pf_wait_idle 60 || true
check "sale copy 1 (3 recipients): no BULK_" lacks sale-1 BULK_
check "sale copy 2 (6 recipients): BULK_LOW" has sale-2 BULK_LOW
check "sale copy 6 (18 recipients): still BULK_LOW" has sale-6 BULK_LOW
check "sale copy 7 (21 recipients): BULK_MEDIUM" has sale-7 BULK_MEDIUM
check "sale copy 8: BULK_MEDIUM" has sale-8 BULK_MEDIUM
check "sale: one sender, no BULK_SENDERS" lacks sale-8 BULK_SENDERS
check "log line carries bulk=RECIPIENTS/SENDERS" \
    grep -q "bulk=24/1 " "$WD_LOG"

# --- one text from three senders -------------------------------------------
i=0
for s in desk@verify-one.example helpdesk@verify-two.example \
    it@verify-three.example; do
	i=$((i + 1))
	copy "$data/campaign-phish-$i.eml" "phish-$i" "$work/phish-$i.eml"
	check "phish copy $i accepted" pf_send_xclient 192.0.2.$((30 + i)) \
	    "$s" "victim$i@test.example" "$work/phish-$i.eml"
done
pf_wait_idle 60 || true
check "phish from the 2nd sender: no BULK_SENDERS" lacks phish-2 BULK_SENDERS
check "phish from the 3rd sender: BULK_SENDERS" has phish-3 BULK_SENDERS

# --- a trusted list ---------------------------------------------------------
for i in 1 2 3 4 5 6; do
	{
		echo "X-Test-Copy: list-$i"
		echo "From: News <news@lists.example.org>"
		echo "To: news@lists.example.org"
		echo "List-Id: Our news <news.lists.example.org>"
		echo "Subject: This week at the office"
		echo ""
		echo "The canteen is closed on Friday, the new printers arrive"
		echo "on Monday and the summer party moves to the garden."
	} >"$work/list-$i.eml"
	check "list copy $i accepted" pf_send_xclient 192.0.2.40 \
	    news@lists.example.org \
	    "p$i@test.example,q$i@test.example,r$i@test.example,s$i@test.example,t$i@test.example" \
	    "$work/list-$i.eml"
done
pf_wait_idle 60 || true
check "list copy 6 (30 recipients): no BULK_" lacks list-6 BULK_
check "list: logged bulk=exempt" grep -q "bulk=exempt" "$WD_LOG"

# --- unrelated mail -----------------------------------------------------------
singles=0
for f in "$data"/single-*.eml; do
	singles=$((singles + 1))
	copy "$f" "single-$singles" "$work/single-$singles.eml"
	pf_send_xclient 192.0.2.50 "person$singles@example.org" \
	    "user@test.example" "$work/single-$singles.eml" || true
done
pf_wait_idle 60 || true
flagged=0
i=0
while [ $i -lt $singles ]; do
	i=$((i + 1))
	lacks "single-$i" BULK_ || flagged=$((flagged + 1))
done
check "$singles unrelated messages: none flagged or lost ($flagged)" \
    [ "$flagged" -eq 0 ]

# --- the counts survive a reload and a restart ------------------------------
wd_reload
copy "$data/campaign-sale-1.eml" "sale-9" "$work/sale-9.eml"
check "after reload: copy accepted" pf_send_xclient 192.0.2.20 \
    newsletter@gartenwelt-shop.de "x9@test.example" "$work/sale-9.eml"
pf_wait_idle 60 || true
check "after reload: counting goes on (bulk=25/1)" grep -q "bulk=25/1 " "$WD_LOG"
wd_stop
wd_start
copy "$data/campaign-sale-2.eml" "sale-10" "$work/sale-10.eml"
check "after restart: copy accepted" pf_send_xclient 192.0.2.20 \
    newsletter@gartenwelt-shop.de "x10@test.example" "$work/sale-10.eml"
pf_wait_idle 60 || true
check "after restart: counting goes on (bulk=26/1)" grep -q "bulk=26/1 " "$WD_LOG"
check "after restart: BULK_MEDIUM" has sale-10 BULK_MEDIUM

check "winnow bulk stats reads winnowd's store" \
    sh -c "'$WINNOW' bulk stats --db '$work/bulk.lmdb' | grep -q '^keys *[1-9]'"
check "no message lost" [ "$(pf_count_delivered)" -eq \
    $((8 * 3 + 3 + 6 * 5 + singles + 2)) ]
check_done
