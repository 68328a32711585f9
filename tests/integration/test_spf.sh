#!/bin/sh
# test_spf.sh - SPF in winnowd against a real DNS server, through Postfix.
#
# usage: test_spf.sh WINNOWD WINNOW SOURCE_DIR
#
# nsd serves the test zone tests/data/spf/spf.test.zone inside a network
# namespace made for this test; the test re-runs itself in that namespace,
# so Postfix, winnowd and swaks use it as their only DNS. Each sender
# domain yields one SPF result: pass, fail, softfail, neutral, none,
# permerror, temperror, the HELO identity for a null sender, pass and fail
# for an IPv6 client, and a DNS server that does not answer. winnowd
# listens on IPv6 loopback here. Checks Received-SPF, Authentication-Results,
# the SPF_* symbol in X-Spam-Status, and how long the silent case takes.
# Exit 0 pass, 1 fail, 77 skipped (not root, or no network namespaces).
set -eu
WINNOWD=$1
WINNOW=$2
SRC=$3
here=$(cd "$(dirname "$0")" && pwd)

if [ -z "${WN_SPF_INSIDE:-}" ]; then
	. "$here/lib/dns.sh"
	dns_require_root
	work=$(mktemp -d /tmp/wn-spf-XXXXXX)
	chmod 755 "$work"
	ns=wnspf$$
	trap 'dns_teardown || true; [ -n "${WN_IT_KEEP:-}" ] || rm -rf "$work"' EXIT
	DNS_ZONE_DIR=$SRC/tests/data/spf
	dns_setup "$work/dns" "$ns" "$DNS_ZONE_DIR"
	rc=0
	# The inner run needs the server's state to swap it for a silent one.
	WN_SPF_INSIDE=$ns WN_SPF_WORK=$work WN_DNS_DIR=$DNS_DIR \
	    WN_DNS_ZONES=$DNS_ZONES WN_DNS_SERVFAIL=$DNS_SERVFAIL_ZONES \
	    dns_exec sh "$0" "$@" || rc=$?
	exit "$rc"
fi

# --- inside the namespace -------------------------------------------------
. "$here/lib/postfix.sh"
. "$here/lib/winnowd.sh"
. "$here/lib/check.sh"
. "$here/lib/dns.sh"
DNS_NS=$WN_SPF_INSIDE
DNS_DIR=$WN_DNS_DIR
DNS_ZONES=$WN_DNS_ZONES
DNS_SERVFAIL_ZONES=$WN_DNS_SERVFAIL
pf_check_tools
work=$WN_SPF_WORK
cleanup() {
	wd_stop
	pf_stop || true
}
trap cleanup EXIT
[ -z "${WN_IT_KEEP:-}" ] || trap "wd_stop; pf_stop || true" EXIT

wport=$(pf_free_port 23000)
# This test's winnowd listens on IPv6 loopback (the others on IPv4).
WD_INET6=1
wd_config "$work" "$wport" \
    "rules = none" "store =" "spf = yes" "spf_timeout = 1" \
    "authserv_id = mx.test.example" "trusted_networks = none" \
    "spf_fail_weight = 2.5"
# The resolver's limits come from spf_timeout, not from the caller.
unset RES_OPTIONS || true
wd_start
pf_setup "$work/pf" "$(pf_free_port 24000)" "$WD_SPEC"
# No reverse lookups of the presented client: they are not under test.
# IPv6 on, so XCLIENT may present an IPv6 client.
pf_postconf "smtpd_peername_lookup = no" "inet_protocols = all" \
    "smtpd_authorized_xclient_hosts = 127.0.0.0/8, [::1]/128"
pf_start

# spf_case NAME FROM HELO WANT [CLIENT] - send one message from CLIENT
# (XCLIENT syntax; 192.0.2.10 when not given) and check its headers.
spf_case() {
	name=$1 from=$2 helo=$3 want=$4 client=${5:-192.0.2.10}
	f=$work/$name.eml
	printf 'From: a@example.org\nTo: user@test.example\nSubject: spf-%s\n\nhello\n' \
	    "$name" >"$f"
	swaks --server 127.0.0.1 --port "$PF_PORT" --helo "$helo" \
	    --from "${from:-<>}" --to user@test.example --data "@$f" \
	    --xclient-addr "$client" --suppress-data --timeout 60 \
	    >"$work/$name.out" 2>&1 || {
		fail "$name: accepted (see $work/$name.out)"
		return 0
	}
	pf_wait_idle 30 || true
	d=$(pf_delivered_with "^Subject: spf-$name\$") || d=
	if [ -z "$d" ]; then
		fail "$name: delivered"
		return 0
	fi
	check "$name: Received-SPF: $want" grep -q "^Received-SPF: $want (" "$d"
	check "$name: Authentication-Results: mx.test.example; spf=$want" \
	    sh -c "sed -n '/^Authentication-Results: mx.test.example;/,+1p' '$d' |
	        grep -q 'spf=$want smtp\.'"
	sym=$(echo "$want" | tr a-z A-Z)
	case $from in
	"") sym="SPF_HELO_$sym" ;;
	*) sym="SPF_$sym" ;;
	esac
	check "$name: symbol $sym in X-Spam-Status" \
	    sh -c "sed -n '/^X-Spam-Status/,/^[^ \t]/p' '$d' | grep -q '$sym'"
}

spf_case pass user@pass.spf.test client.test pass
spf_case fail user@fail.spf.test client.test fail
spf_case softfail user@softfail.spf.test client.test softfail
spf_case neutral user@neutral.spf.test client.test neutral
spf_case none user@none.spf.test client.test none
spf_case permerror user@permerror.spf.test client.test permerror
spf_case permerror-lookups user@permerror-lookups.spf.test client.test \
    permerror
spf_case temperror user@temperror.spf.test client.test temperror
spf_case helo "" helo.spf.test pass
spf_case pass6 user@pass6.spf.test client.test pass IPV6:2001:db8::10
spf_case fail6 user@fail6.spf.test client.test fail IPV6:2001:db8::10

d=$(pf_delivered_with "^Subject: spf-fail\$") || d=
check "fail: Received-SPF names client-ip and identity" \
    sh -c "sed -n '/^Received-SPF/,/identity=/p' '$d' |
        grep -q 'client-ip=192.0.2.10;' &&
        sed -n '/^Received-SPF/,/identity=/p' '$d' | grep -q 'identity=mailfrom;'"
d=$(pf_delivered_with "^Subject: spf-helo\$") || d=
check "null sender: the HELO identity is checked" \
    sh -c "sed -n '/^Received-SPF/,/identity=/p' '$d' | grep -q 'identity=helo;'"
d=$(pf_delivered_with "^Subject: spf-fail6\$") || d=
check "IPv6 client: Received-SPF names client-ip=2001:db8::10" \
    sh -c "sed -n '/^Received-SPF/,/identity=/p' '$d' |
        grep -q 'client-ip=2001:db8::10;'"

# A DNS server that does not answer: temperror, within the time limit.
dns_silent_start
start=$(date +%s)
spf_case silent user@silent.spf.test client.test temperror
took=$(($(date +%s) - start))
check "silent DNS: the message took ${took}s (limit 15s)" [ "$took" -le 15 ]
check "winnowd still running" wd_alive
dns_silent_stop

check_done
