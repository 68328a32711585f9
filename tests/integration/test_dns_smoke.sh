#!/bin/sh
# test_dns_smoke.sh: prove that lib/dns.sh gives programs a working DNS.
#
# Builds spfcheck.c against libspf2, starts NSD with tests/data/spf in a
# private network namespace, and checks that libspf2's ordinary resolver
# gets every SPF result the zone is meant to produce.  Then it makes the
# server silent and checks that a lookup fails within a bounded time, and
# finally that nothing is left behind.
#
#   sh tests/integration/test_dns_smoke.sh
#
# Exit status: 0 passed, 1 failed, 77 skipped (not root / no netns).
# Needs: root, iproute2, nsd, perl, a C compiler ($CC, default cc) and
# libspf2-dev.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/dns.sh
. "$here/lib/dns.sh"

dns_require_root

CC=${CC:-cc}
ns=wndns$$
work=$(mktemp -d "${TMPDIR:-/tmp}/winnow-dns.XXXXXX")
failures=0

cleanup() {
	_rc=$?
	dns_teardown || _rc=1
	rm -rf "$work"
	exit "$_rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# spf_is EXPECTED IP MAIL-FROM [HELO]: libspf2's verdict is EXPECTED.
spf_is() {
	_want=$1
	shift
	_got=$(dns_exec "$work/spfcheck" "$@" 2>"$work/spfcheck.err") ||
	    _got="spfcheck exited $?"
	_what="$1 MAIL FROM:<$2>${3:+ HELO $3}"
	if [ "$_got" = "$_want" ]; then
		echo "ok: $_what -> $_got"
	else
		fail "$_what -> '$_got', expected '$_want'"
		sed 's/^/    /' "$work/spfcheck.err"
	fi
}

# said TEXT: the last spfcheck reported a libspf2 message containing TEXT.
said() {
	if grep -qF "$1" "$work/spfcheck.err"; then
		echo "ok:   with message '$1'"
	else
		fail "no message '$1' from libspf2; got:"
		sed 's/^/    /' "$work/spfcheck.err"
	fi
}

# query_is EXPECTED NAME TYPE: the server answers NAME/TYPE as EXPECTED.
query_is() {
	_got=$(dns_query "$2" "$3") || true
	if [ "$_got" = "$1" ]; then
		echo "ok: query $2 $3 -> $_got"
	else
		fail "query $2 $3 -> '$_got', expected '$1'"
	fi
}

if ! "$CC" -Wall -o "$work/spfcheck" "$here/spfcheck.c" -lspf2 \
    2>"$work/cc.err"; then
	cat "$work/cc.err"
	echo "FAIL: cannot build spfcheck (needs a C compiler and libspf2-dev)"
	exit 1
fi

dns_setup "$work/dns" "$ns" "$here/../data/spf"

# The namespace resolves through our server, and only through it.
if dns_exec cat /etc/resolv.conf | grep -qx 'nameserver 127.0.0.1'; then
	echo "ok: resolv.conf in $ns points at 127.0.0.1"
else
	fail "resolv.conf in $ns does not point at 127.0.0.1"
fi
query_is "NOERROR 1" pass.spf.test TXT
query_is "NXDOMAIN 0" no-such-name.spf.test TXT
query_is "SERVFAIL 0" servfail.spf.test TXT
query_is "REFUSED 0" example.com A

# One RFC 7208 result per name, as libspf2 reports it.
ip=192.0.2.10
spf_is pass "$ip" user@pass.spf.test
spf_is fail 198.51.100.1 user@pass.spf.test
spf_is fail "$ip" user@fail.spf.test
spf_is softfail "$ip" user@softfail.spf.test
spf_is neutral "$ip" user@neutral.spf.test
spf_is none "$ip" user@none.spf.test
spf_is none "$ip" user@no-such-name.spf.test
# A record that does not compile gets no verdict from libspf2 at all.
spf_is "(invalid)" "$ip" user@permerror.spf.test
said "Unknown mechanism"
spf_is permerror "$ip" user@permerror-include.spf.test
spf_is permerror "$ip" user@permerror-lookups.spf.test
spf_is permerror "$ip" user@permerror-multi.spf.test
spf_is temperror "$ip" user@temperror.spf.test
said "Temporary DNS failure for 'servfail.spf.test'"
# A DNS failure for the sender's own record also gets no verdict.
spf_is "(invalid)" "$ip" user@servfail.spf.test
said "Temporary DNS failure"
# Null sender: the HELO name is checked.
spf_is pass "$ip" "" helo.spf.test
spf_is fail 198.51.100.1 "" helo.spf.test

# A server that never answers: the check must give up, and quickly.  The
# namespace's resolv.conf says "timeout:1 attempts:1"; libspf2 stops at
# the first failed query, so a check costs about one timeout.
dns_silent_start
query_is "NOREPLY 0" pass.spf.test TXT
t0=$(now_ms)
spf_is "(invalid)" "$ip" user@pass.spf.test
t1=$(now_ms)
said "Temporary DNS failure for 'pass.spf.test'"
echo "    silent server, timeout:1 attempts:1: $((t1 - t0)) ms"
if [ $((t1 - t0)) -ge 5000 ]; then
	fail "silent-server check took $((t1 - t0)) ms (limit 5000)"
fi
# RES_OPTIONS in the environment overrides resolv.conf.
t0=$(now_ms)
got=$(dns_exec env RES_OPTIONS="timeout:2 attempts:1" \
    "$work/spfcheck" "$ip" "" helo.spf.test 2>/dev/null) || true
t1=$(now_ms)
if [ "$got" = "(invalid)" ]; then
	echo "ok: $ip MAIL FROM:<> HELO helo.spf.test -> $got"
else
	fail "$ip MAIL FROM:<> HELO helo.spf.test -> '$got'," \
	    "expected '(invalid)'"
fi
echo "    silent server, RES_OPTIONS=timeout:2 attempts:1: $((t1 - t0)) ms"
if [ $((t1 - t0)) -lt 1900 ] || [ $((t1 - t0)) -ge 6000 ]; then
	fail "RES_OPTIONS not honoured: took $((t1 - t0)) ms (want 2-6 s)"
fi
dns_silent_stop
spf_is pass "$ip" user@pass.spf.test

# Teardown leaves nothing behind, and a second call is harmless.
pids=$(ip netns pids "$ns" | tr '\n' ' ')
dns_teardown
dns_teardown
if ip netns list | awk -v n="$ns" '$1 == n { f = 1 } END { exit !f }'; then
	fail "namespace $ns still exists"
fi
if [ -e "/etc/netns/$ns" ]; then
	fail "/etc/netns/$ns still exists"
fi
for p in $pids; do
	if [ -r "/proc/$p/stat" ] &&
	    [ "$(sed 's/.*) //' "/proc/$p/stat" | cut -c1)" != Z ]; then
		fail "process $p ($(cat "/proc/$p/comm")) outlived teardown"
	fi
done
[ "$failures" -ne 0 ] || echo "ok: teardown removed namespace $ns," \
    "/etc/netns/$ns and pids $pids"

if [ "$failures" -ne 0 ]; then
	echo "$failures check(s) failed"
	exit 1
fi
echo "all DNS smoke checks passed"
