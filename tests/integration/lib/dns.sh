# dns.sh: a real DNS server on loopback for integration tests.
#
# Source this file (POSIX sh; works under dash and `set -eu`).  It builds a
# network namespace whose /etc/resolv.conf points at 127.0.0.1, and runs
# NSD there, authoritative for the test zones.  Any program started with
# dns_exec (winnowd, Postfix, spfcheck) resolves through glibc's stub
# resolver exactly as in production, but only ever sees the test zones.
#
#   dns_require_root             exit 77 (ctest "skipped") unless we are root
#                                and can create network namespaces
#   dns_setup WORKDIR NAME [ZONEDIR]
#                                create namespace NAME, write
#                                /etc/netns/NAME/resolv.conf, start NSD with
#                                its config, zones, pid file and log under
#                                WORKDIR; return once every zone answers
#   dns_exec CMD [ARG...]        run CMD inside the namespace
#   dns_query NAME [TYPE]        ask the server once (UDP, 1 s); print
#                                "RCODE ANCOUNT" (e.g. "NOERROR 1") or
#                                "NOREPLY 0" and return 1
#   dns_silent_start             swap NSD for a server that reads queries on
#                                127.0.0.1:53 (UDP and TCP) and never
#                                answers, so resolvers time out
#   dns_silent_stop              swap back to NSD
#   dns_teardown                 stop everything, delete the namespace and
#                                /etc/netns/NAME (WORKDIR, with the logs, is
#                                left to the caller); safe to call twice and
#                                from `trap ... EXIT`; returns 1 if something
#                                would not go (e.g. a process the test
#                                started in the namespace is still running)
#
# Zones: every ZONEDIR/ZONE.zone is served as ZONE.  Each name listed in
# ZONEDIR/servfail-zones (one per line, # comments) is declared to NSD with
# no zone data, so NSD answers SERVFAIL for everything in it: a
# deterministic, instant "temporary DNS failure".  ZONEDIR defaults to
# $DNS_ZONE_DIR.  The zone files are copied to WORKDIR/zones first.
#
# The silent server replaces NSD inside the same namespace (rather than
# living in a second one), so a daemon already running there sees its DNS
# go quiet without being restarted.
#
# Tunables (set before dns_setup):
#   DNS_RESOLV_OPTIONS  "options" line for the namespace's resolv.conf;
#                       default "timeout:1 attempts:1" so that a silent
#                       server costs 1 s per query, not 10.  Set it empty
#                       for glibc's defaults.  RES_OPTIONS in a program's
#                       environment still overrides it.
#   DNS_START_TIMEOUT   seconds to wait for a server to come up (10).
#
# Needs: iproute2 (ip netns), nsd, perl (perl-base); root.

DNS_NS=
DNS_DIR=
DNS_ZONES=
DNS_SERVFAIL_ZONES=
DNS_MADE_ETC_NETNS=

_dns_err() {
	echo "dns: $*" >&2
}

# Perl programs, kept free of single quotes so they can live in sh strings.

# shellcheck disable=SC2016 # perl, not sh, expands these
# dns_query: one UDP query to 127.0.0.1:53, print "RCODE ANCOUNT".
_DNS_QUERY_PL='
use strict; use IO::Socket::INET;
my ($name, $type) = @ARGV;
my %types = (A => 1, NS => 2, CNAME => 5, SOA => 6, PTR => 12, MX => 15,
    TXT => 16, AAAA => 28, SPF => 99);
my $qt = $type =~ /^\d+$/ ? $type : $types{uc $type};
defined $qt or die "dns_query: unknown type $type\n";
my $q = pack("n6", $$ & 0xffff, 0, 1, 0, 0, 0);
$q .= pack("C/a*", $_) for grep { length } split /\./, $name;
$q .= pack("Cn2", 0, $qt, 1);
my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:53", Proto => "udp")
    or die "dns_query: socket: $!\n";
$s->send($q);
my ($rin, $r) = ("", "");
vec($rin, fileno($s), 1) = 1;
if (select($rin, undef, undef, 1) > 0 && defined $s->recv($r, 65535)
    && length($r) >= 12) {
	my (undef, $flags, undef, $an) = unpack("n4", $r);
	my @rc = qw(NOERROR FORMERR SERVFAIL NXDOMAIN NOTIMP REFUSED);
	printf "%s %d\n", $rc[$flags & 15] // "RCODE" . ($flags & 15), $an;
	exit 0;
}
print "NOREPLY 0\n";
exit 1;
'

# shellcheck disable=SC2016 # perl, not sh, expands these
# Silent server: bind UDP and TCP 127.0.0.1:53 (retrying while the old
# server lets go of the port), then fork; the parent writes the child pid
# to ARGV[0] and exits, so the caller knows the port is held.  The child
# reads and discards everything and never writes a byte.
_DNS_SILENT_PL='
use strict; use IO::Socket::INET; use IO::Select; use POSIX ();
my ($pidfile) = @ARGV;
my ($u, $t);
for (1 .. 50) {
	$u //= IO::Socket::INET->new(LocalAddr => "127.0.0.1:53",
	    Proto => "udp");
	$t //= IO::Socket::INET->new(LocalAddr => "127.0.0.1:53",
	    Proto => "tcp", Listen => 16, ReuseAddr => 1);
	last if $u && $t;
	select(undef, undef, undef, 0.1);
}
$u && $t or die "silent server: cannot bind 127.0.0.1:53: $!\n";
my $pid = fork() // die "silent server: fork: $!\n";
if ($pid) {
	open(my $f, ">", $pidfile) or die "silent server: $pidfile: $!\n";
	print $f "$pid\n";
	close($f);
	exit 0;
}
POSIX::setsid();
$0 = "silent-dns-server";
my $sel = IO::Select->new($u, $t);
for (;;) {
	for my $s ($sel->can_read) {
		my $junk;
		if ($s == $u) {
			$u->recv($junk, 65535);
		} elsif ($s == $t) {
			my $c = $t->accept;
			$sel->add($c) if $c;
		} elsif (!sysread($s, $junk, 65535)) {
			$sel->remove($s);
			close($s);
		}
	}
}
'

# Exit 77 (skip) unless this process can create network namespaces.
dns_require_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: needs root (creates network namespaces)" >&2
		exit 77
	fi
	if ! command -v ip >/dev/null 2>&1; then
		echo "SKIP: 'ip' (iproute2) not found" >&2
		exit 77
	fi
	_dns_probe=wnprobe$$
	if ! ip netns add "$_dns_probe" >/dev/null 2>&1; then
		echo "SKIP: 'ip netns add' does not work here" >&2
		exit 77
	fi
	ip netns delete "$_dns_probe" >/dev/null 2>&1 || true
}

# Is process $1 gone?  A zombie counts as gone.
_dns_gone() {
	[ -r "/proc/$1/stat" ] || return 0
	_dns_state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
	[ -z "$_dns_state" ] || [ "$_dns_state" = Z ]
}

# Stop the process whose pid is in file $1 (TERM, then KILL after 5 s).
_dns_stop_pidfile() {
	[ -s "$1" ] || { rm -f "$1"; return 0; }
	_dns_pid=$(cat "$1")
	case $_dns_pid in
	''|*[!0-9]*) rm -f "$1"; return 0 ;;
	esac
	kill -TERM "$_dns_pid" 2>/dev/null || true
	_dns_i=0
	while ! _dns_gone "$_dns_pid"; do
		_dns_i=$((_dns_i + 1))
		if [ "$_dns_i" -eq 50 ]; then
			_dns_err "pid $_dns_pid ignored SIGTERM; killing it"
			kill -KILL "$_dns_pid" 2>/dev/null || true
		elif [ "$_dns_i" -gt 100 ]; then
			_dns_err "pid $_dns_pid will not die"
			return 1
		fi
		sleep 0.1
	done
	rm -f "$1"
}

# Print the pids of live nsd processes in the namespace.
_dns_nsd_pids() {
	for _dns_p in $(ip netns pids "$DNS_NS" 2>/dev/null); do
		if [ "$(cat "/proc/$_dns_p/comm" 2>/dev/null)" = nsd ] &&
		    ! _dns_gone "$_dns_p"; then
			echo "$_dns_p"
		fi
	done
}

# Wait until no nsd process is left in the namespace: its server and xfrd
# children may outlive the main process for a moment, and an nsd whose pid
# file was never written is still ours (the namespace is ours).
_dns_wait_nsd_gone() {
	_dns_i=0
	while :; do
		_dns_left=$(_dns_nsd_pids | tr '\n' ' ')
		[ -n "$_dns_left" ] || return 0
		_dns_i=$((_dns_i + 1))
		# shellcheck disable=SC2086 # a list of pids
		case $_dns_i in
		1) kill -TERM $_dns_left 2>/dev/null || true ;;
		30) kill -KILL $_dns_left 2>/dev/null || true ;;
		60)
			_dns_err "nsd processes will not die: $_dns_left"
			return 1 ;;
		esac
		sleep 0.1
	done
}

_dns_nsd_log_errors() {
	if [ -f "$DNS_DIR/nsd.log" ]; then
		_dns_err "last lines of $DNS_DIR/nsd.log:"
		tail -n 15 "$DNS_DIR/nsd.log" >&2
	fi
}

# Start NSD in the namespace and wait until every zone answers as it
# should: NOERROR with an SOA for a real zone, SERVFAIL for a servfail one.
_dns_nsd_start() {
	if ! ip netns exec "$DNS_NS" nsd -c "$DNS_DIR/nsd.conf" \
	    >>"$DNS_DIR/nsd.out" 2>&1; then
		_dns_err "nsd failed to start:"
		cat "$DNS_DIR/nsd.out" >&2
		_dns_nsd_log_errors
		return 1
	fi
	_dns_deadline=$(($(date +%s) + ${DNS_START_TIMEOUT:-10}))
	for _dns_z in $DNS_ZONES $DNS_SERVFAIL_ZONES; do
		case " $DNS_SERVFAIL_ZONES " in
		*" $_dns_z "*) _dns_want=SERVFAIL ;;
		*) _dns_want=NOERROR ;;
		esac
		while :; do
			_dns_got=$(dns_query "$_dns_z" SOA) || true
			case $_dns_want:$_dns_got in
			NOERROR:"NOERROR "[1-9]*|SERVFAIL:"SERVFAIL "*)
				break ;;
			*:NOREPLY*) ;;
			*)
				_dns_err "zone $_dns_z: SOA query gave" \
				    "'$_dns_got', expected $_dns_want" \
				    "(zone not loaded?)"
				_dns_nsd_log_errors
				return 1 ;;
			esac
			if [ "$(date +%s)" -ge "$_dns_deadline" ]; then
				_dns_err "nsd did not answer within" \
				    "${DNS_START_TIMEOUT:-10} s"
				_dns_nsd_log_errors
				return 1
			fi
			sleep 0.1
		done
	done
	# The daemon writes its pid file itself; teardown needs it.
	while [ ! -s "$DNS_DIR/nsd.pid" ]; do
		if [ "$(date +%s)" -ge "$_dns_deadline" ]; then
			_dns_err "nsd wrote no pid file $DNS_DIR/nsd.pid"
			return 1
		fi
		sleep 0.1
	done
}

_dns_nsd_stop() {
	_dns_stop_pidfile "$DNS_DIR/nsd.pid" || return 1
	_dns_wait_nsd_gone
}

dns_setup() {
	if [ $# -lt 2 ] || [ $# -gt 3 ]; then
		_dns_err "usage: dns_setup WORKDIR NAME [ZONEDIR]"
		return 2
	fi
	if [ -n "$DNS_NS" ]; then
		_dns_err "dns_setup: namespace $DNS_NS already set up here"
		return 1
	fi
	_dns_zonedir=${3:-${DNS_ZONE_DIR:-}}
	if [ -z "$_dns_zonedir" ] || [ ! -d "$_dns_zonedir" ]; then
		_dns_err "dns_setup: no zone directory (give ZONEDIR or" \
		    "set DNS_ZONE_DIR): '$_dns_zonedir'"
		return 1
	fi
	for _dns_tool in nsd nsd-checkzone perl ip; do
		if ! command -v "$_dns_tool" >/dev/null 2>&1; then
			_dns_err "dns_setup: '$_dns_tool' not found" \
			    "(Debian packages: nsd, perl-base, iproute2)"
			return 1
		fi
	done
	mkdir -p "$1" || return 1
	_dns_dir=$(cd "$1" && pwd) || return 1
	rm -rf "$_dns_dir/zones"
	mkdir -p "$_dns_dir/zones"
	: >"$_dns_dir/nsd.out"

	# Zone list, each zone checked before NSD sees it.
	_dns_zones=
	for _dns_f in "$_dns_zonedir"/*.zone; do
		[ -f "$_dns_f" ] || continue
		_dns_z=$(basename "$_dns_f" .zone)
		if ! nsd-checkzone "$_dns_z" "$_dns_f" >"$_dns_dir/checkzone.out" 2>&1; then
			_dns_err "dns_setup: zone $_dns_z ($_dns_f) is broken:"
			cat "$_dns_dir/checkzone.out" >&2
			return 1
		fi
		cp "$_dns_f" "$_dns_dir/zones/"
		_dns_zones="$_dns_zones $_dns_z"
	done
	if [ -z "$_dns_zones" ]; then
		_dns_err "dns_setup: no *.zone files in $_dns_zonedir"
		return 1
	fi
	_dns_servfail=
	if [ -f "$_dns_zonedir/servfail-zones" ]; then
		_dns_servfail=$(awk '{ sub(/#.*/, "")
		    for (i = 1; i <= NF; i++) printf "%s ", $i }' \
		    "$_dns_zonedir/servfail-zones") || return 1
	fi

	{
		cat <<EOF
# Written by tests/integration/lib/dns.sh; NSD for namespace $2.
server:
	ip-address: 127.0.0.1@53
	do-ip4: yes
	do-ip6: no
	server-count: 1
	username: ""
	chroot: ""
	database: ""
	zonesdir: "$_dns_dir/zones"
	zonelistfile: "$_dns_dir/zone.list"
	xfrdfile: "$_dns_dir/xfrd.state"
	xfrdir: "$_dns_dir"
	pidfile: "$_dns_dir/nsd.pid"
	logfile: "$_dns_dir/nsd.log"
	verbosity: 1
	hide-version: yes
remote-control:
	control-enable: no
EOF
		for _dns_z in $_dns_zones; do
			printf 'zone:\n\tname: "%s"\n\tzonefile: "%s.zone"\n' \
			    "$_dns_z" "$_dns_z"
		done
		for _dns_z in $_dns_servfail; do
			printf '# zone file deliberately absent: NSD answers SERVFAIL\n'
			printf 'zone:\n\tname: "%s"\n\tzonefile: "%s.servfail-no-data"\n' \
			    "$_dns_z" "$_dns_z"
		done
	} >"$_dns_dir/nsd.conf"
	if ! nsd-checkconf "$_dns_dir/nsd.conf" >"$_dns_dir/checkconf.out" 2>&1; then
		_dns_err "dns_setup: generated nsd.conf is rejected:"
		cat "$_dns_dir/checkconf.out" >&2
		return 1
	fi

	if ip netns list 2>/dev/null |
	    awk -v n="$2" '$1 == n { f = 1 } END { exit !f }'; then
		_dns_err "dns_setup: network namespace '$2' already exists" \
		    "(left over? remove it with: ip netns delete $2)"
		return 1
	fi
	if ! ip netns add "$2"; then
		_dns_err "dns_setup: cannot create network namespace '$2'" \
		    "(needs root and kernel network namespaces)"
		return 1
	fi
	# From here on the namespace is ours and dns_teardown removes it.
	DNS_NS=$2
	DNS_DIR=$_dns_dir
	DNS_ZONES=${_dns_zones# }
	DNS_SERVFAIL_ZONES=${_dns_servfail% }
	if ! ip netns exec "$DNS_NS" ip link set lo up; then
		_dns_err "dns_setup: cannot bring up lo in '$DNS_NS'"
		return 1
	fi
	[ -d /etc/netns ] || DNS_MADE_ETC_NETNS=yes
	if ! mkdir -p "/etc/netns/$DNS_NS" || ! {
		echo "# Written by tests/integration/lib/dns.sh"
		echo "nameserver 127.0.0.1"
		if [ -n "${DNS_RESOLV_OPTIONS-timeout:1 attempts:1}" ]; then
			echo "options ${DNS_RESOLV_OPTIONS-timeout:1 attempts:1}"
		fi
	} >"/etc/netns/$DNS_NS/resolv.conf"; then
		_dns_err "dns_setup: cannot write /etc/netns/$DNS_NS/resolv.conf"
		return 1
	fi

	_dns_nsd_start
}

dns_exec() {
	if [ -z "$DNS_NS" ]; then
		_dns_err "dns_exec: no namespace (call dns_setup first)"
		return 1
	fi
	ip netns exec "$DNS_NS" "$@"
}

dns_query() {
	dns_exec perl -e "$_DNS_QUERY_PL" "$1" "${2:-A}"
}

dns_silent_start() {
	if [ -z "$DNS_NS" ]; then
		_dns_err "dns_silent_start: no namespace (call dns_setup first)"
		return 1
	fi
	[ ! -s "$DNS_DIR/silent.pid" ] || return 0
	_dns_nsd_stop || return 1
	if ! ip netns exec "$DNS_NS" perl -e "$_DNS_SILENT_PL" \
	    "$DNS_DIR/silent.pid" </dev/null >>"$DNS_DIR/silent.log" 2>&1; then
		_dns_err "dns_silent_start: silent server failed:"
		cat "$DNS_DIR/silent.log" >&2
		return 1
	fi
}

dns_silent_stop() {
	if [ -z "$DNS_NS" ]; then
		_dns_err "dns_silent_stop: no namespace (call dns_setup first)"
		return 1
	fi
	[ -s "$DNS_DIR/silent.pid" ] || return 0
	_dns_stop_pidfile "$DNS_DIR/silent.pid" || return 1
	_dns_nsd_start
}

dns_teardown() {
	[ -n "$DNS_NS" ] || return 0
	_dns_status=0
	_dns_stop_pidfile "$DNS_DIR/silent.pid" || _dns_status=1
	_dns_nsd_stop || _dns_status=1
	_dns_left=$(ip netns pids "$DNS_NS" 2>/dev/null | tr '\n' ' ') || true
	if [ -n "$_dns_left" ]; then
		_dns_err "dns_teardown: processes still in namespace" \
		    "$DNS_NS: $_dns_left"
		_dns_status=1
	fi
	if ! ip netns delete "$DNS_NS"; then
		_dns_err "dns_teardown: cannot delete namespace $DNS_NS"
		_dns_status=1
	fi
	rm -rf "/etc/netns/$DNS_NS"
	if [ -n "$DNS_MADE_ETC_NETNS" ]; then
		rmdir /etc/netns 2>/dev/null || true
	fi
	DNS_MADE_ETC_NETNS=
	DNS_NS=
	DNS_DIR=
	DNS_ZONES=
	DNS_SERVFAIL_ZONES=
	return "$_dns_status"
}
