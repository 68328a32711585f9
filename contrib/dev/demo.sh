#!/bin/sh
# demo.sh - winnowd filtering mail: the sample messages through a Postfix.
#
#   sh contrib/dev/demo.sh [MILTER_SPEC]
#
# Starts a private, throw-away Postfix on 127.0.0.1:2525 (its own
# configuration, queue and maildirs under a temporary folder; the system's
# Postfix is not touched) whose smtpd hands every message to the winnowd
# listening at MILTER_SPEC (default inet:127.0.0.1:8891), sends the
# messages of tests/data/samples and four copies of one bulk campaign
# (tests/data/bulk) with swaks, and shows the headers winnowd added to
# what was delivered, or the SMTP reply when it refused one.
# Clients on 127.0.0.0/8 are trusted (not scanned) by default, so the
# messages are sent as coming from 192.0.2.10 through Postfix's XCLIENT.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
milter=${1:-inet:127.0.0.1:8891}
. "$top/tests/integration/lib/postfix.sh"
pf_check_tools
work=$(mktemp -d /tmp/winnow-demo-XXXXXX)
chmod 755 "$work"
trap 'pf_stop || true; rm -rf "$work"' EXIT
PF_MILTER_DEFAULT_ACTION=tempfail
pf_setup "$work" "$(pf_free_port 2525)" "$milter"
pf_start
echo "Postfix on 127.0.0.1:$PF_PORT, milter $milter"
for f in "$top"/tests/data/samples/*.eml; do
	name=$(basename "$f")
	if pf_send_xclient 192.0.2.10 sender@example.org user@test.example "$f"
	then
		echo "== $name: accepted"
	else
		echo "== $name: refused:" \
		    "$(grep '<\*\*' "$PF_TRANSCRIPT" | tail -1 | sed 's/^<\*\* *//')"
	fi
done
# Bulk: four per-recipient copies of one campaign (other names, ids and
# links, plain or HTML), three recipients each. From the second copy the
# text has reached bulk_low_recipients (5): BULK_LOW in X-Spam-Status.
i=0
for f in "$top"/tests/data/bulk/campaign-loan-[1-4].eml; do
	i=$((i + 1))
	if pf_send_xclient 192.0.2.20 offers@fastfunds-mail.com \
	    "a$i@test.example,b$i@test.example,c$i@test.example" "$f"; then
		echo "== bulk copy $i ($(basename "$f"), 3 recipients): accepted"
	else
		echo "== bulk copy $i: refused"
	fi
done
pf_wait_idle 30 || true
echo
echo "== headers winnowd added to the delivered messages"
seen=" "
for d in $(pf_delivered_files); do
	# one copy per message, not one per recipient
	id=$(grep -m1 -i '^Message-ID:' "$d" || true)
	case $seen in *" $id "*) continue ;; esac
	seen="$seen$id "
	echo "-- $(grep -m1 '^Subject:' "$d" | cut -c1-70)"
	# The X-Spam-* headers with their folded continuation lines.
	awk '/^X-Spam-/ { on = 1; print; next }
	    /^[ \t]/ && on { print; next } { on = 0 } /^$/ { exit }' "$d"
done
