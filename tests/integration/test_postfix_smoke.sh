#!/bin/sh
# test_postfix_smoke.sh - the private Postfix instance of lib/postfix.sh
# works: it starts on a loopback port, takes mail over SMTP (also with an
# XCLIENT client address), delivers it to maildirs, honours
# milter_default_action when the milter cannot be reached, reloads, and
# stops cleanly.  Needs root (exits 77, "skipped", otherwise).
#
#   test_postfix_smoke.sh
#
# Several copies may run at once: each uses its own directory and port.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/postfix.sh"

pf_require_root

work=$(mktemp -d "${TMPDIR:-/tmp}/winnow-pf.XXXXXX")
trap 'pf_stop; rm -rf "$work"' EXIT
trap 'exit 1' INT TERM HUP

pass=0
fail=0
ok() {
	pass=$((pass + 1))
}
bad() {
	fail=$((fail + 1))
	echo "FAIL $*"
}

# message FILE SUBJECT - write a small message with that Subject.
message() {
	cat >"$1" <<EOF
From: Sender <sender@example.org>
To: User <user@test.example>
Subject: $2
Message-ID: <$2@example.org>
Date: Mon, 02 Mar 2026 10:00:00 +0000

Body of $2.
.A line that starts with a dot.
EOF
}

# sent NAME WANT_STATUS STATUS - check a pf_send status; show the dialogue
# when it is not the wanted one.
sent() {
	if [ "$3" -eq "$2" ]; then
		ok
	else
		bad "$1: swaks exit $3, want $2"
		sed 's/^/  /' "$PF_TRANSCRIPT"
	fi
}

port=$(pf_free_port)
if ! pf_setup "$work" "$port" || ! pf_start; then
	echo "FAIL setup: cannot set up or start Postfix in $work on port $port"
	echo "postfix-smoke: 0 passed, 1 failed"
	exit 1
fi
ok

# --- three messages, one of them from a client address given by XCLIENT
id=$$
for n in 1 2 3; do
	message "$work/m$n.eml" "smoke-$id-$n"
done
rc=0
pf_send sender@example.org user@test.example "$work/m1.eml" || rc=$?
sent send_1 0 "$rc"
rc=0
pf_send sender@example.org other@test.example "$work/m2.eml" || rc=$?
sent send_2 0 "$rc"
rc=0
pf_send_xclient 192.0.2.7 sender@example.org user@test.example \
	"$work/m3.eml" || rc=$?
sent send_xclient 0 "$rc"
if grep -q '^ -> XCLIENT ADDR=192.0.2.7' "$PF_TRANSCRIPT"; then
	ok
else
	bad "send_xclient: no XCLIENT command in the dialogue"
fi

if pf_wait_idle 30; then ok; else bad "wait_idle: queue did not drain"; fi

n=$(pf_count_delivered)
if [ "$n" -eq 3 ]; then
	ok
else
	bad "delivered: $n messages in the maildirs, want 3"
fi
# Each message arrived once, whole; the third from the XCLIENT address.
# (Maildir file names made by Postfix have no blanks.)
files=$(pf_delivered_files)
for n in 1 2 3; do
	hits=0
	if [ -n "$files" ]; then
		# shellcheck disable=SC2086
		hits=$(grep -l "^Subject: smoke-$id-$n\$" $files | wc -l)
	fi
	if [ "$hits" -eq 1 ]; then
		ok
	else
		bad "delivered_$n: Subject smoke-$id-$n in $hits delivered files, want 1"
	fi
done
# shellcheck disable=SC2086
if [ -n "$files" ] &&
	grep -l "^Subject: smoke-$id-1\$" $files |
	xargs grep -q '^\.A line that starts with a dot\.$'; then
	ok
else
	bad "body: message 1 lost its line with a leading dot"
fi
# shellcheck disable=SC2086
if [ -n "$files" ] &&
	grep -l "^Subject: smoke-$id-3\$" $files |
	xargs grep -q '^Received: from .*\[192\.0\.2\.7\]'; then
	ok
else
	bad "xclient_address: message 3 not received from [192.0.2.7]"
fi

n=$(pf_count_held)
if [ "$n" -eq 0 ]; then ok; else bad "held: $n messages on hold, want 0"; fi

# --- a milter nobody listens on, milter_default_action = tempfail: smtpd
# cannot reach it when the client connects, and answers the first command
# where Postfix reports rejections (MAIL FROM, as smtpd_delay_reject is on)
# with 451 4.7.1; swaks then exits 23.  A milter that fails later in the
# session would make the 4xx come at the end of DATA (swaks status 26).
pf_stop
dead=$(pf_free_port $((port + 1)))
message "$work/m4.eml" "smoke-$id-4"
if PF_MILTER_DEFAULT_ACTION=tempfail pf_setup "$work" "$port" \
	"inet:127.0.0.1:$dead" && pf_start; then
	ok
	rc=0
	pf_send sender@example.org user@test.example "$work/m4.eml" || rc=$?
	sent milter_tempfail 23 "$rc"
	if grep -A1 '^ -> MAIL FROM:' "$PF_TRANSCRIPT" |
		grep -q '^<\*\* *451 4\.7\.1 '; then
		ok
	else
		bad "milter_tempfail: no 451 4.7.1 reply to MAIL FROM"
		sed 's/^/  /' "$PF_TRANSCRIPT"
	fi
	pf_wait_idle 30 || true
	n=$(pf_count_delivered)
	if [ "$n" -eq 3 ]; then
		ok
	else
		bad "milter_tempfail: $n messages in the maildirs, want still 3"
	fi
else
	bad "milter_tempfail: cannot restart with a milter"
fi

# --- with milter_default_action = accept (taken on reload) the same
# message is delivered, the milter still being unreachable.
if PF_MILTER_DEFAULT_ACTION=accept pf_setup "$work" "$port" \
	"inet:127.0.0.1:$dead" && pf_reload; then
	ok
	rc=0
	pf_send sender@example.org user@test.example "$work/m4.eml" || rc=$?
	sent milter_accept 0 "$rc"
	if pf_wait_idle 30; then ok; else bad "milter_accept: queue did not drain"; fi
	n=$(pf_count_delivered)
	if [ "$n" -eq 4 ]; then
		ok
	else
		bad "milter_accept: $n messages in the maildirs, want 4"
	fi
else
	bad "milter_accept: cannot reload"
fi

# --- stop: the master and its children are gone, the port is free, and
# a second stop is harmless.
pf_stop
if pf_running; then bad "stop: master still runs"; else ok; fi
if [ "$(pf_free_port "$port")" = "$port" ]; then
	ok
else
	bad "stop: port $port still in use"
fi
if pf_stop; then ok; else bad "stop_twice: second pf_stop failed"; fi

if [ "$fail" -ne 0 ]; then
	pf_log_tail 40
fi
echo "postfix-smoke: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
