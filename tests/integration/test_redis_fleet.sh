#!/bin/sh
# test_redis_fleet.sh - two winnowd hosts sharing one Redis, end to end.
#
# usage: test_redis_fleet.sh WINNOWD WINNOW SOURCE_DIR
#
# A real redis-server (Unix socket, append-only file) holds the Bayes
# model and the bulk counts; two winnowd, each behind its own Postfix,
# use it. Checks:
#   - a model learned into LMDB moves to Redis with winnow bayes dump and
#     winnow bayes load, and both hosts score with it (BAYES_ symbols);
#   - copies of one campaign sent half through each host are counted
#     together (the second host's copies reach BULK_LOW);
#   - Redis stopped: both hosts accept and score every message without
#     Bayes and bulk detection, and say so in their logs;
#   - Redis back: both hosts use it again by themselves, and the counts
#     kept on disk go on;
#   - a third winnowd started while Redis is down starts without Bayes and
#     picks Redis up by itself once it answers (store_retry).
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
command -v redis-server >/dev/null 2>&1 || {
	echo "redis-server is missing (contrib/dev/deps.sh --test)" >&2
	exit 1
}

work=$(mktemp -d /tmp/wn-it-fleet-XXXXXX)
chmod 755 "$work"
redis_pid=
A_PID= B_PID= C_PID=

# Each winnowd's lib/winnowd.sh state, saved and restored by name.
save_wd() { eval "${1}_PID=\${WD_PID:-}; ${1}_CONF=\$WD_CONF;"\
" ${1}_LOG=\$WD_LOG; ${1}_SPEC=\$WD_SPEC; ${1}_DIR=\$WD_DIR"; }
use_wd() { eval "WD_PID=\${${1}_PID:-}; WD_CONF=\$${1}_CONF;"\
" WD_LOG=\$${1}_LOG; WD_SPEC=\$${1}_SPEC; WD_DIR=\$${1}_DIR"; }

redis_start() {
	redis-server --port 0 --unixsocket "$work/redis/redis.sock" \
	    --unixsocketperm 777 --dir "$work/redis" --save "" \
	    --appendonly yes --appendfsync always --daemonize no \
	    >>"$work/redis/redis.log" 2>&1 &
	redis_pid=$!
	i=0
	while ! redis-cli -s "$work/redis/redis.sock" ping >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 100 ] || { echo "redis did not start" >&2; return 1; }
		sleep 0.1
	done
}
redis_stop() {
	[ -n "$redis_pid" ] || return 0
	kill -TERM "$redis_pid" 2>/dev/null || true
	wait "$redis_pid" 2>/dev/null || true
	redis_pid=
}
cleanup() {
	for h in A B C; do
		use_wd $h 2>/dev/null || continue
		wd_stop
	done
	for d in pfa pfb; do
		[ -f "$work/$d/pf.env" ] && { pf_use "$work/$d"; pf_stop || true; }
	done
	redis_stop
	rm -rf "$work"
}
A_CONF= A_LOG= A_SPEC= A_DIR= B_CONF= B_LOG= B_SPEC= B_DIR=
C_CONF= C_LOG= C_SPEC= C_DIR=
trap cleanup EXIT

mkdir -p "$work/redis" "$work/a" "$work/b" "$work/c"
redis_start
url="redis+unix://$work/redis/redis.sock?timeout=500"

# --- a model moves from LMDB to Redis ---------------------------------------
train_store "$WINNOW" "$work/bayes.lmdb" "$work/train"
check "bayes dump from LMDB" \
    "$WINNOW" bayes dump --db "$work/bayes.lmdb" -o "$work/model.dump"
check "bayes load into Redis" \
    "$WINNOW" bayes load --db "$url" "$work/model.dump"
"$WINNOW" bayes stats --db "$url" >"$work/stats.out" 2>&1 || true
check "Redis store holds the 25 + 25 messages" \
    sh -c "grep -q '^spam messages  25' '$work/stats.out' &&
        grep -q '^ham messages   25' '$work/stats.out' &&
        grep -q 'store .*(redis)' '$work/stats.out'"

# --- two hosts --------------------------------------------------------------
for h in A B; do
	d=$work/$(echo $h | tr AB ab)
	base=25100
	[ $h = A ] || base=25200
	wd_config "$d" "$(pf_free_port $base)" \
	    "store = $url" "bulk_store = $url" "rules = none" "spf = no" \
	    "log_level = info"
	wd_start
	save_wd $h
done
check "host A uses Redis for Bayes and bulk" \
    grep -q "Bayes redis+unix://.*bulk redis+unix://" "$A_LOG"
use_wd A
pf_setup "$work/pfa" "$(pf_free_port 25500)" "$WD_SPEC"
pf_start
use_wd B
pf_setup "$work/pfb" "$(pf_free_port 25600)" "$WD_SPEC"
pf_start

# send HOST TAG FILE RCPTS - through HOST's Postfix, as 192.0.2.20
send() {
	pf_use "$work/pf$(echo "$1" | tr AB ab)"
	{ echo "X-Test-Copy: $2"; cat "$3"; } >"$work/msg-$2.eml"
	pf_send_xclient 192.0.2.20 offers@shop.example "$4" "$work/msg-$2.eml"
}
# status HOST TAG - X-Spam-Status (unfolded) of the copy tagged TAG
status() {
	pf_use "$work/pf$(echo "$1" | tr AB ab)"
	pf_wait_idle 60 >/dev/null 2>&1 || true
	if f=$(pf_delivered_with "^X-Test-Copy: $2\$"); then
		sed -n '/^X-Spam-Status:/,/^[^ \t]/p' "$f" | tr -d '\n'
	else
		echo "(not delivered)"
	fi
}
has() { status "$1" "$2" | grep -q -- "$3"; }
lacks() { s=$(status "$1" "$2"); [ "$s" != "(not delivered)" ] &&
    ! echo "$s" | grep -q -- "$3"; }

printf 'From: deals@example.biz\nSubject: cheap offer\n\nBuy cheap pills now, limited offer, click here!\n' \
    >"$work/spam.eml"
check "spam through A accepted" send A spam-a "$work/spam.eml" u1@test.example
check "spam through B accepted" send B spam-b "$work/spam.eml" u2@test.example
check "A scores with the shared model (BAYES_9)" has A spam-a BAYES_9
check "B scores with the shared model (BAYES_9)" has B spam-b BAYES_9

data=$SRC/tests/data/bulk
check "campaign copy 1 through A" send A sale-1 "$data/campaign-sale-1.eml" \
    a1@test.example,b1@test.example
check "campaign copy 2 through A" send A sale-2 "$data/campaign-sale-2.eml" \
    a2@test.example
check "campaign copy 3 through B" send B sale-3 "$data/campaign-sale-3.eml" \
    a3@test.example,b3@test.example
check "copy 1 (2 recipients): no BULK_" lacks A sale-1 BULK_
check "copy 3 on B counts A's copies (5 recipients): BULK_LOW" \
    has B sale-3 BULK_LOW
check "B logs the fleet's count (bulk=5/1)" grep -q "bulk=5/1 " "$B_LOG"

# --- Redis down ----------------------------------------------------------------
redis_stop
check "A accepts while Redis is down" send A down-a "$work/spam.eml" u3@test.example
check "B accepts while Redis is down" send B down-b \
    "$data/campaign-sale-4.eml" u4@test.example
check "A: scored without Bayes (X-Spam-Status, no BAYES_)" \
    has A down-a "score="
check "A: no BAYES_ while Redis is down" lacks A down-a BAYES_
check "A: the log says the token store failed" \
    grep -q "token store failed (Redis at .*); scanned without Bayes" "$A_LOG"
check "B: the log says the bulk store failed" \
    grep -q "bulk store failed (Redis at .*); scanned without bulk" "$B_LOG"
check "B: logged bulk=off" grep -q "bulk=off " "$B_LOG"

# --- a host started while Redis is down ---------------------------------------
wd_config "$work/c" "$(pf_free_port 25700)" "store = $url" \
    "bulk_store = $url" "rules = none" "spf = no" "log_level = info" \
    "store_retry = 2"
wd_start
save_wd C
check "C starts without Redis and says it will retry" \
    grep -q "cannot open token store.*Bayes is off until it answers" "$C_LOG"

# --- Redis back --------------------------------------------------------------------
redis_start
sleep 1.2
check "A scores with Bayes again" send A back-a "$work/spam.eml" u5@test.example
check "A: BAYES_ is back" has A back-a BAYES_9
check "B counts on from the kept counts" send B back-b \
    "$data/campaign-sale-4.eml" u6@test.example,u7@test.example
check "B: BULK_LOW with the counts from before" has B back-b BULK_LOW
check "B: bulk=7/1 (A's and B's copies, the lost one not counted)" \
    grep -q "bulk=7/1 " "$B_LOG"
use_wd C
check "C picks Redis up by itself (store_retry = 2)" \
    _wd_wait_log "configuration [0-9]*: .*Bayes redis+unix" 15
check_done
