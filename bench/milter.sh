#!/bin/bash
# milter.sh - winnowd against spamass-milter (with spamd) and rspamd's milter,
# each behind the same private Postfix: messages per second, and the latency
# each adds to the end of DATA.
#
#   sudo bench/milter.sh [--only NAME[,NAME...]] [--socket unix,inet]
#                        [--quick] [--messages N] [--tp-messages N]
#                        [--seconds S] [--sessions N] [--reconnect] [--work DIR]
#
# NAME: winnowd, spamass (spamass-milter + spamd), rspamd (default: all).
# --socket     the milter sockets to measure each filter on: unix, inet or
#              both (default unix,inet; see bench/README.md for why both).
# --quick      a fast check: a quarter of TRAIN, 200 messages per latency
#              run, throughput runs of 8 s.
# --messages N messages per latency run (default 1000).
# --seconds S  length of each throughput run (default 30): the sessions
#              send until S seconds have passed.
# --tp-messages N  instead: N messages per throughput run.
# --sessions N parallel SMTP sessions of the throughput runs (default 16).
# --reconnect  a new SMTP connection per message (default: one connection
#              per session for the whole run, RSET between messages).
# --work DIR   keep the work files there (default: a new folder under
#              ${TMPDIR:-/tmp}, kept and printed at the end).
#
# Needs root (Postfix). Installs the missing Debian packages, fetches the
# corpus, builds winnowd in release mode in build-bench/, trains each
# filter's Bayes on the same TRAIN messages, starts one private Postfix on
# 127.0.0.1 and then, for Postfix alone and for each filter and socket:
# a warm-up, a latency run (1 session, messages near the median size) and
# a throughput run (--sessions sessions, a mix of sizes). Prints a markdown
# table; results.tsv, summary.tsv and table.md are in the work folder.
set -eu -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
all="winnowd spamass rspamd"

usage() { sed -n '2,/^set -eu/{/^set -eu/d;s/^# \{0,1\}//;p}' "$0"; }
die() { echo "milter.sh: $*" >&2; exit 1; }
note() { echo "milter.sh: $*" >&2; }
. "$here/peers/lists.sh"
. "$top/tests/integration/lib/postfix.sh"

only=
sockets="unix inet"
quick=0
lat_n=
tp_n=
tp_secs=
sessions=16
reconnect=0
work=
while [ $# -gt 0 ]; do
	case $1 in
	--only) [ $# -ge 2 ] || die "--only needs a list"; only=$2; shift 2 ;;
	--only=*) only=${1#--only=}; shift ;;
	--socket) [ $# -ge 2 ] || die "--socket needs unix, inet or both"; sockets=${2//,/ }; shift 2 ;;
	--socket=*) sockets=${1#--socket=}; sockets=${sockets//,/ }; shift ;;
	--quick) quick=1; shift ;;
	--messages) [ $# -ge 2 ] || die "--messages needs a number"; lat_n=$2; shift 2 ;;
	--messages=*) lat_n=${1#--messages=}; shift ;;
	--tp-messages) [ $# -ge 2 ] || die "--tp-messages needs a number"; tp_n=$2; shift 2 ;;
	--tp-messages=*) tp_n=${1#--tp-messages=}; shift ;;
	--seconds) [ $# -ge 2 ] || die "--seconds needs a number"; tp_secs=$2; shift 2 ;;
	--seconds=*) tp_secs=${1#--seconds=}; shift ;;
	--sessions) [ $# -ge 2 ] || die "--sessions needs a number"; sessions=$2; shift 2 ;;
	--sessions=*) sessions=${1#--sessions=}; shift ;;
	--reconnect) reconnect=1; shift ;;
	--work) [ $# -ge 2 ] || die "--work needs a folder"; work=$2; shift 2 ;;
	--work=*) work=${1#--work=}; shift ;;
	-h | --help) usage; exit 0 ;;
	*) die "unknown argument: $1 (try --help)" ;;
	esac
done
for s in $sockets; do
	case $s in unix | inet) ;; *) die "--socket: unix, inet or both, not $s" ;; esac
done
[ -n "$sockets" ] || die "--socket: unix, inet or both"
num() { case $2 in '' | *[!0-9]*) die "$1 needs a positive whole number, not '$2'" ;; esac; [ "$2" -gt 0 ] || die "$1 must be > 0"; }
[ -z "$lat_n" ] || num --messages "$lat_n"
[ -z "$tp_n" ] || num --tp-messages "$tp_n"
[ -z "$tp_secs" ] || num --seconds "$tp_secs"
num --sessions "$sessions"
if [ "$quick" = 1 ]; then
	: "${lat_n:=200}" "${tp_secs:=8}"
	lat_k=100	# latency set: the messages closest to the median size
	mix_k=200	# throughput mix
	warm_n=$((2 * sessions))
else
	: "${lat_n:=1000}" "${tp_secs:=30}"
	lat_k=300
	mix_k=600
	warm_n=$((4 * sessions))
fi

filters=$(select_filters "$all" "$only") || exit 1
has() { case " $filters " in *" $1 "*) return 0 ;; esac; return 1; }

[ "$(id -u)" = 0 ] || die "a private Postfix needs root: sudo bench/milter.sh"
t_begin=$(date +%s)
load0=$(cut -d' ' -f1-3 /proc/loadavg)

# 1. Packages ----------------------------------------------------------------
pkgs="postfix swaks time"
has spamass && pkgs="$pkgs spamass-milter spamassassin spamc spamd"
has rspamd && pkgs="$pkgs rspamd redis-server"
# shellcheck disable=SC2086 # one word per package
install_missing bench/milter.sh $pkgs
pf_check_tools

# 2. Corpus, split, work folder ----------------------------------------------
data=$("$here/fetch_corpus.sh")
[ -d "$data/spam-1" ] || die "no corpus in $data"
split_dir=${BENCH_SPLIT_DIR:-}
for d in "$top/../shared/bench" /work/shared/bench; do
	[ -n "$split_dir" ] && break
	[ -f "$d/sa_train.tsv" ] && [ -f "$d/sa_test.tsv" ] && split_dir=$d
done
[ -n "$split_dir" ] || die "no sa_train.tsv/sa_test.tsv (set BENCH_SPLIT_DIR; bench/bayes.sh describes the split)"

work=$(work_dir "$work" milter) || die "cannot make the work folder"
# Postfix's and the filters' unprivileged users must get through.
chmod 755 "$work"
log=$work/milter.log
: >"$log"
mkdir -p "$work/lists" "$work/runs" "$work/pids"
rm -f "$work"/pids/*
# Unix sockets of the filters, each running as its own user.
mkdir -p "$work/sock" && chmod 1777 "$work/sock"
note "work folder: $work"

# 3. winnowd, release build ----------------------------------------------------
if has winnowd; then
	if [ -n "${WINNOWD:-}" ] && [ -n "${WINNOW:-}" ]; then
		winnowd_bin=$WINNOWD
		winnow_bin=$WINNOW
	else
		note "building winnowd and winnow (release) in $top/build-bench"
		cmake -S "$top" -B "$top/build-bench" -DCMAKE_BUILD_TYPE=Release -DWN_TESTS=OFF >>"$log" 2>&1 &&
			cmake --build "$top/build-bench" --target winnowd winnow-cli -j"$(nproc)" >>"$log" 2>&1 ||
			die "build failed; see $log"
		winnowd_bin=$top/build-bench/winnowd
		winnow_bin=$top/build-bench/winnow
	fi
	[ -x "$winnowd_bin" ] && [ -x "$winnow_bin" ] || die "no winnowd/winnow binary"
fi

# 4. Ports (127.0.0.1 only), each one free when chosen -------------------------
next_port=$((20000 + $$ % 10000))
# port VAR: the next free port into VAR.
port() {
	next_port=$(pf_free_port "$next_port") || die "no free port"
	printf -v "$1" '%s' "$next_port"
	next_port=$((next_port + 1))
}
smtp_port='' wd_port='' sm_port='' rp_port=''
port smtp_port
port wd_port
port sm_port
port rp_port
port BENCH_SPAMD_PORT
port BENCH_RSPAMD_PORT
port BENCH_RSPAMD_CONTROLLER_PORT
port BENCH_REDIS_PORT
export BENCH_SPAMD_PORT BENCH_RSPAMD_PORT BENCH_RSPAMD_CONTROLLER_PORT BENCH_REDIS_PORT

# 5. Messages -------------------------------------------------------------------
# Size of each TEST message as sent (the mbox "From " line dropped).
perl -e '
	my ($data, $list) = @ARGV;
	open(my $l, "<", $list) or die "$list: $!\n";
	while (<$l>) {
		chomp;
		my ($label, $rel) = split /\t/;
		next unless defined $rel;
		my $size = -s "$data/$rel" // die "$data/$rel: $!\n";
		open(my $f, "<", "$data/$rel") or die "$data/$rel: $!\n";
		my $first = <$f> // "";
		close $f;
		$size -= length $first if $first =~ /^From /;
		print "$.\t$label\t$data/$rel\t$size\n";
	}' "$data" "$split_dir/sa_test.tsv" >"$work/lists/test_sizes.tsv"
n_test=$(wc -l <"$work/lists/test_sizes.tsv")
median=$(cut -f4 "$work/lists/test_sizes.tsv" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }')
# Latency set: the lat_k messages closest in size to the median (ties in
# list order), sent in list order.
awk -F'\t' -v m="$median" '{ d = $4 - m; if (d < 0) d = -d; print d "\t" $0 }' "$work/lists/test_sizes.tsv" |
	sort -t"$(printf '\t')" -k1,1n -k2,2n | awk -v k="$lat_k" 'NR <= k' | cut -f2- | sort -n >"$work/lists/latency.tsv"
# Throughput mix: mix_k lines spread evenly over TEST (it lists all ham
# before all spam), line floor((i + 1/2) * n / k) + 1.
awk -F'\t' -v n="$n_test" -v k="$mix_k" '
	BEGIN { for (i = 0; i < k; i++) want[int((i + 0.5) * n / k) + 1] = 1 }
	NR in want' "$work/lists/test_sizes.tsv" >"$work/lists/mix.tsv"
cut -f3 "$work/lists/latency.tsv" >"$work/lists/latency.list"
cut -f3 "$work/lists/mix.tsv" >"$work/lists/mix.list"
describe() {
	awk -F'\t' '{ n++; s += $4; if ($2 == "spam") sp++; v[n] = $4 }
		END { printf "%d messages (%d ham, %d spam), %d-%d bytes, mean %d", n, n - sp, sp, v[1], v[n], s / n }' \
		< <(sort -t"$(printf '\t')" -k4,4n "$1")
}
lat_desc=$(describe "$work/lists/latency.tsv")
mix_desc=$(describe "$work/lists/mix.tsv")
note "TEST median size $median bytes; latency set: $lat_desc; mix: $mix_desc"

# Training list: all of TRAIN, or every fourth line with --quick.
if [ "$quick" = 1 ]; then
	awk 'NR % 4 == 1' "$split_dir/sa_train.tsv" >"$work/lists/train.tsv"
else
	cp "$split_dir/sa_train.tsv" "$work/lists/train.tsv"
fi
n_train=$(grep -c . "$work/lists/train.tsv")

# Page cache warm.
cut -f3 "$work/lists/test_sizes.tsv" | xargs -d '\n' cat >/dev/null
awk -F'\t' -v d="$data" 'NF { print d "/" $2 }' "$work/lists/train.tsv" | xargs -d '\n' cat >/dev/null

# 6. Process control -------------------------------------------------------------
now() { date +%s.%N; }
# stop_pidfile FILE: TERM the process named in FILE, wait up to 10 s, KILL.
stop_pidfile() {
	local pid _
	[ -f "$1" ] || return 0
	pid=$(cat "$1")
	rm -f "$1"
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null || true
}
stop_winnowd() { stop_pidfile "$work/pids/winnowd-unix"; stop_pidfile "$work/pids/winnowd-inet"; }
stop_spamass() {
	stop_pidfile "$work/pids/spamass-unix"
	stop_pidfile "$work/pids/spamass-inet"
	[ ! -f "$work/spamassassin/spamd.pid" ] || "$here/peers/spamassassin.sh" stop "$work" >>"$log" 2>&1 || true
}
stop_rspamd() {
	[ ! -d "$work/rspamd" ] || "$here/peers/rspamd.sh" stop "$work" >>"$log" 2>&1 || true
}
phase_pid=
cleanup() {
	local rc=$?
	trap - EXIT INT TERM HUP
	[ -z "$phase_pid" ] || kill_tree "$phase_pid"
	stop_winnowd
	stop_spamass
	stop_rspamd
	pf_stop >/dev/null 2>&1 || true
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP


port_listening() { [ "$(pf_free_port "$1")" != "$1" ]; }

# wait_socket SPEC PID SECONDS: until the milter socket exists / listens.
wait_socket() {
	local _
	for _ in $(seq 1 $(($3 * 10))); do
		case $1 in
		unix:*) [ -S "${1#unix:}" ] && { chmod 666 "${1#unix:}"; return 0; } ;;
		inet:*) port_listening "${1##*:}" && return 0 ;;
		esac
		[ -z "$2" ] || kill -0 "$2" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# 7. Training ----------------------------------------------------------------------
# Each filter learns the same list with its own tool (the bayes.sh drivers:
# winnow learn, sa-learn, rspamc learn_* through the controller).
train_secs=
train() {
	local name=$1 t0 rc=0
	shift
	note "training $name on $n_train messages"
	t0=$(now)
	bg_wait "$@" >>"$log" 2>&1 || rc=$?
	train_secs="$train_secs $name=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')"
	return "$rc"
}
failed=
has winnowd && { WINNOW=$winnow_bin train winnowd "$here/peers/winnow.sh" train "$work/lists/train.tsv" "$data" "$work" ||
	{ note "winnowd: training failed; see $log"; failed="$failed winnowd"; }; }
has spamass && { train spamass "$here/peers/spamassassin.sh" train "$work/lists/train.tsv" "$data" "$work" ||
	{ note "spamass: training failed; see $log"; failed="$failed spamass"; }; }
has rspamd && { train rspamd "$here/peers/rspamd.sh" train "$work/lists/train.tsv" "$data" "$work" ||
	{ note "rspamd: training failed; see $log"; failed="$failed rspamd"; }; }

# 8. The filters as milters ---------------------------------------------------------
# Each start_* prints the Postfix milter spec of the socket asked for.
start_winnowd() {
	local sock=$1 spec conf=$work/winnowd/$1.conf
	mkdir -p "$work/winnowd"
	if [ "$sock" = unix ]; then
		spec=unix:$work/sock/winnowd.sock
		echo "socket = unix:$work/sock/winnowd.sock" >"$conf"
	else
		spec=inet:127.0.0.1:$wd_port
		echo "socket = inet:$wd_port@127.0.0.1" >"$conf"
	fi
	cat >>"$conf" <<-EOF
	pid_file =
	report_spool = $work/winnowd/spool
	bulk_store = $work/winnowd/bulk.lmdb
	rules = $top/rules/core
	store = $work/winnow/bayes.lmdb
	# The test client connects from 127.0.0.1, which is trusted by default.
	trusted_networks = none
	# No DNS here.
	spf = no
	# Every message delivered, as with the other filters.
	reject_score = off
	EOF
	: >"$work/winnowd/$sock.log"
	"$winnowd_bin" -f -c "$conf" >>"$work/winnowd/$sock.log" 2>&1 &
	echo $! >"$work/pids/winnowd-$sock"
	wait_socket "$spec" "$!" 30 || { cat "$work/winnowd/$sock.log" >&2; return 1; }
	echo "$spec"
}

start_spamd() {
	[ -f "$work/spamassassin/spamd.pid" ] && return 0
	"$here/peers/spamassassin.sh" start "$work" >>"$log" 2>&1
}
start_spamass() {
	local sock=$1 spec listen
	start_spamd || return 1
	if [ "$sock" = unix ]; then
		spec=unix:$work/sock/spamass.sock
		listen=unix:$work/sock/spamass.sock
	else
		spec=inet:127.0.0.1:$sm_port
		listen=inet:$sm_port@127.0.0.1
	fi
	# As its own user, as the Debian package runs it; spamc options after --.
	setpriv --reuid=spamass-milter --regid=spamass-milter --init-groups \
		spamass-milter -p "$listen" -- -d 127.0.0.1 -p "$BENCH_SPAMD_PORT" \
		>>"$work/spamass-$sock.log" 2>&1 </dev/null &
	echo $! >"$work/pids/spamass-$sock"
	wait_socket "$spec" "$!" 30 || return 1
	echo "$spec"
}

# rspamd: the bayes.sh driver's configuration (network modules off, Bayes
# on the private Redis) plus the proxy worker as a milter that scans itself,
# on both sockets, one process per CPU; all actions but "add header" off,
# and the headers that show the scan.
configure_rspamd() {
	local l=$work/rspamd/local
	cat >"$l/override.d/worker-proxy.inc" <<-EOF
	bind_socket = "127.0.0.1:$rp_port";
	bind_socket = "$work/sock/rspamd.sock mode=0666";
	milter = yes;
	timeout = 120s;
	upstream "local" {
	  default = yes;
	  self_scan = yes;
	}
	count = $(nproc);
	EOF
	cat >"$l/local.d/actions.conf" <<-'EOF'
	reject = null;
	greylist = null;
	EOF
	cat >"$l/local.d/milter_headers.conf" <<-'EOF'
	use = ["x-spamd-result", "x-rspamd-queue-id", "x-spam-status"];
	skip_local = false;
	skip_authenticated = false;
	EOF
}
start_rspamd() {
	local sock=$1 spec logf=$work/rspamd/log/rspamd.log before
	if [ ! -f "$work/rspamd/rspamd.pid" ]; then
		configure_rspamd
		before=$(wc -l <"$logf" 2>/dev/null || echo 0)
		"$here/peers/rspamd.sh" start "$work" >>"$log" 2>&1 || return 1
		# Until every proxy process has started (the main process loads
		# the hyperscan cache before it forks them).
		for _ in $(seq 1 600); do
			[ "$(tail -n +"$((before + 1))" "$logf" | grep -c 'starting rspamd_proxy process' || true)" -ge "$(nproc)" ] && break
			sleep 0.1
		done
	fi
	if [ "$sock" = unix ]; then spec=unix:$work/sock/rspamd.sock; else spec=inet:127.0.0.1:$rp_port; fi
	wait_socket "$spec" "" 60 || return 1
	echo "$spec"
}

# CPU roots of each filter: every process below them counts.
filter_roots() {
	case $1 in
	winnowd) cat "$work"/pids/winnowd-* 2>/dev/null ;;
	spamass) cat "$work"/pids/spamass-* "$work/spamassassin/spamd.pid" 2>/dev/null ;;
	rspamd) cat "$work/rspamd/rspamd.pid" "$work/rspamd/redis.pid" 2>/dev/null ;;
	esac
	return 0
}
# filter_log FILTER SOCKET: the log with one line per scanned message.
filter_log() {
	case $1 in
	winnowd) echo "$work/winnowd/$2.log" ;;
	spamass) echo "$work/spamassassin/spamd.log" ;;
	rspamd) echo "$work/rspamd/log/rspamd.log" ;;
	esac
}
# scan_times FILTER < LOG: each message's scan time in ms, as the filter logs it.
scan_times() {
	case $1 in
	winnowd) sed -n 's/.* time=\([0-9.]*\)ms.*/\1/p' ;;
	spamass) sed -n 's/.*spamd: \(clean message\|identified spam\) .* in \([0-9.]*\) seconds.*/\2/p' | awk '{ print $1 * 1000 }' ;;
	rspamd) { grep 'rspamd_proxy.*rspamd_task_write_log' || true; } | sed -n 's/.*, time: \([0-9.]*\)ms.*/\1/p' ;;
	esac
}
# Marker header of each filter in delivered mail.
filter_header() {
	case $1 in
	winnowd) echo '^X-Spam-Status: ' ;;
	spamass) echo '^X-Spam-Checker-Version: SpamAssassin' ;;
	rspamd) echo '^X-Rspamd-Queue-Id: ' ;;
	esac
}

# tree_ticks PID...: CPU clock ticks (user + system, with waited-for
# children) of the processes and all their descendants.
tree_ticks() {
	# (Processes come and go while it reads: cat may fail on one.)
	{ cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v roots="$*" '
		{
			s = $0; pid = s + 0
			sub(/^.*\) /, "", s)	# "pid (comm) " off; state is field 1
			split(s, f, " ")
			ppid[pid] = f[2]; t[pid] = f[12] + f[13] + f[14] + f[15]
		}
		END {
			n = split(roots, r, " ")
			for (i = 1; i <= n; i++) want[r[i]] = 1
			do {
				more = 0
				for (p in ppid)
					if (!(p in want) && (ppid[p] in want)) { want[p] = 1; more = 1 }
			} while (more)
			for (p in want) if (p in t) sum += t[p]
			print sum + 0
		}'
}
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9; exit }' /proc/stat; }
hz=$(getconf CLK_TCK)
pf_master() { sed -n '1s/[^0-9]//gp' "$PF_QUEUE/pid/master.pid" 2>/dev/null; }

kv() { awk -v k="$1" '{ for (i = 1; i <= NF; i++) { split($i, a, "="); if (a[1] == k) { print a[2]; exit } } }' <<<"$2"; }
# pct P: nearest-rank percentile of the numbers on stdin ("-" if none).
pct() { awk NF | sort -g | awk -v p="$1" '{ v[NR] = $1 } END { if (!NR) { print "-"; exit } k = int(p * NR); if (k < p * NR) k++; if (k < 1) k = 1; print v[k] }'; }

printf 'filter\tsocket\trun\tsessions\tmessages\tsent\taccepted\trejected\tdeferred\terrors\twall_s\tmsgs_per_s\tp50_ms\tp90_ms\tp99_ms\tmax_ms\tmean_ms\tfilter_cpu_ms_per_msg\tpostfix_cpu_ms_per_msg\tmachine_busy_pct\tscan_n\tscan_p50_ms\tscan_p99_ms\n' >"$work/results.tsv"
printf 'filter\tsocket\taccepted\tdelivered\twith_header\tstatus\n' >"$work/checks.tsv"

# measure FILTER SOCKET RUN SESSIONS COUNT LIST: one client run, one row of
# results.tsv. FILTER "postfix" is Postfix alone.
measure() {
	local f=$1 sock=$2 run=$3 ses=$4 count=$5 list=$6 out roots fb pb mb fa pa ma logf off=0 scans
	local args=(--sessions "$ses")
	# COUNT: a number of messages, or "Ss" for S seconds.
	case $count in
	*s) args+=(--duration "${count%s}") ;;
	*) args+=(--messages "$count") ;;
	esac
	[ "$reconnect" = 0 ] || args+=(--reconnect)
	pf_wait_idle 600 >/dev/null
	out=$work/runs/$f-$sock-$run
	roots=$(filter_roots "$f")
	logf=$(filter_log "$f" "$sock")
	[ -z "$logf" ] || off=$(stat -c %s "$logf" 2>/dev/null || echo 0)
	fb=0
	# shellcheck disable=SC2086 # one word per process
	[ -z "$roots" ] || fb=$(tree_ticks $roots)
	pb=$(tree_ticks "$(pf_master)")
	mb=$(machine_ticks)
	bg_wait perl "$here/milter/smtp_bench.pl" "${args[@]}" --latencies "$out.lat" \
		"127.0.0.1:$PF_PORT" "$list" >"$out.out" 2>>"$log" || true
	fa=0
	# shellcheck disable=SC2086 # one word per process
	[ -z "$roots" ] || fa=$(tree_ticks $roots)
	pa=$(tree_ticks "$(pf_master)")
	ma=$(machine_ticks)
	local line sent
	line=$(cat "$out.out")
	[ -n "$line" ] || { note "$f/$sock/$run: the client printed nothing"; return 1; }
	sent=$(kv sent "$line")
	scans=
	[ -z "$logf" ] || scans=$(tail -c +"$((off + 1))" "$logf" | scan_times "$f")
	printf '%s\t%s\t%s\t%s\t%s' "$f" "$sock" "$run" "$ses" "$count" >>"$work/results.tsv"
	for k in sent accepted rejected deferred errors wall_s msgs_per_s p50_ms p90_ms p99_ms max_ms mean_ms; do
		printf '\t%s' "$(kv $k "$line")" >>"$work/results.tsv"
	done
	awk -v fb="$fb" -v fa="$fa" -v pb="$pb" -v pa="$pa" -v n="$sent" -v hz="$hz" \
		-v mb="$mb" -v ma="$ma" -v f="$f" 'BEGIN {
			split(mb, b, " "); split(ma, a, " ")
			busy = (a[2] - b[2]) > 0 ? 100 * (a[1] - b[1]) / (a[2] - b[2]) : 0
			if (f == "postfix") fc = "-"; else fc = n ? sprintf("%.2f", (fa - fb) * 1000 / hz / n) : "-"
			printf "\t%s\t%s\t%.0f", fc, n ? sprintf("%.2f", (pa - pb) * 1000 / hz / n) : "-", busy
		}' >>"$work/results.tsv"
	printf '\t%s\t%s\t%s\n' "$(grep -c . <<<"$scans" || true)" "$(pct 0.5 <<<"$scans")" "$(pct 0.99 <<<"$scans")" >>"$work/results.tsv"
	note "$f/$sock/$run: $line"
	echo "$line"
}

mail_reset() {
	pf_wait_idle 600 >/dev/null || true
	find "$PF_MAIL" -type f -path '*/new/*' -delete
}

# The throughput run's length: messages, or seconds ("30s").
tp_count=${tp_n:-${tp_secs}s}

# phase FILTER SOCKET SPEC: paired baseline latency, then the filter.
phase() {
	local f=$1 sock=$2 spec=$3 acc=0 delivered with hdr status=ok
	# Postfix alone, just before: the latency the filter adds is measured
	# against this run.
	pf_setup "$PF_WORKDIR" "$smtp_port" >>"$log" 2>&1
	pf_reload >>"$log" 2>&1
	mail_reset
	measure "$f" "$sock" base-latency 1 "$lat_n" "$work/lists/latency.list" >/dev/null
	mail_reset
	pf_setup "$PF_WORKDIR" "$smtp_port" "$spec" >>"$log" 2>&1
	pf_reload >>"$log" 2>&1
	measure "$f" "$sock" warmup "$sessions" "$warm_n" "$work/lists/mix.list" >/dev/null
	measure "$f" "$sock" latency 1 "$lat_n" "$work/lists/latency.list" >/dev/null
	measure "$f" "$sock" throughput "$sessions" "$tp_count" "$work/lists/mix.list" >/dev/null
	pf_wait_idle 600 >/dev/null || status="queue not empty"
	acc=$(awk -F'\t' -v f="$f" -v s="$sock" '$1 == f && $2 == s && $3 != "base-latency" { a += $7 } END { print a + 0 }' "$work/results.tsv")
	delivered=$(pf_count_delivered)
	hdr=$(filter_header "$f")
	with=$({ find "$PF_MAIL" -type f -path '*/new/*' -print0 | xargs -0 -r grep -l -m1 -- "$hdr" || true; } | wc -l)
	[ "$delivered" = "$acc" ] || status="delivered $delivered of $acc accepted"
	[ "$with" = "$delivered" ] || status="$status; $((delivered - with)) delivered without $hdr"
	awk -F'\t' -v f="$f" -v s="$sock" '$1 == f && $2 == s && ($8 + $9 + $10) > 0 { bad = 1 } END { exit !bad }' \
		"$work/results.tsv" && status="$status; messages rejected, deferred or lost"
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$f" "$sock" "$acc" "$delivered" "$with" "$status" >>"$work/checks.tsv"
	note "$f/$sock: $delivered of $acc accepted messages delivered, $with with $hdr ($status)"
	mail_reset
}

# run_filter FILTER: start it per socket, measure, stop it. Runs in a
# subshell of its own (set -e applies there), in the background.
run_filter() {
	local f=$1 sock spec
	for sock in $sockets; do
		case $f in
		winnowd) spec=$(start_winnowd "$sock") ;;
		spamass) spec=$(start_spamass "$sock") ;;
		rspamd) spec=$(start_rspamd "$sock") ;;
		esac
		[ -n "$spec" ] || { note "$f: no $sock socket"; return 1; }
		note "$f on $spec"
		phase "$f" "$sock" "$spec"
		case $f in
		winnowd) stop_pidfile "$work/pids/winnowd-$sock" ;;
		spamass) stop_pidfile "$work/pids/spamass-$sock" ;;
		esac
	done
}

# 9. Postfix, baseline, filters ----------------------------------------------------
note "starting Postfix on 127.0.0.1:$smtp_port"
pf_setup "$work/postfix" "$smtp_port" >>"$log" 2>&1 || die "pf_setup failed; see $log"
pf_start >>"$log" 2>&1 || die "Postfix did not start; see $log"

note "Postfix alone"
(
	set -e
	measure postfix - warmup "$sessions" "$warm_n" "$work/lists/mix.list" >/dev/null
	measure postfix - latency 1 "$lat_n" "$work/lists/latency.list" >/dev/null
	measure postfix - throughput "$sessions" "$tp_count" "$work/lists/mix.list" >/dev/null
	mail_reset
) &
phase_pid=$!
wait "$phase_pid" || die "the baseline failed; see $log"
phase_pid=

for f in $filters; do
	case " $failed " in *" $f "*) continue ;; esac
	note "$f"
	rc=0
	( set -e; run_filter "$f" ) &
	phase_pid=$!
	wait "$phase_pid" || rc=$?
	phase_pid=
	case $f in
	winnowd) stop_winnowd ;;
	spamass) stop_spamass ;;
	rspamd) stop_rspamd ;;
	esac
	[ "$rc" = 0 ] || { note "$f failed (exit $rc); see $log"; failed="$failed $f"; }
done
pf_stop >>"$log" 2>&1 || true

# 10. Table -------------------------------------------------------------------------
t_end=$(date +%s)
load1=$(cut -d' ' -f1-3 /proc/loadavg)
name() {
	case $1 in
	postfix) echo "Postfix $(postconf -d -h mail_version 2>/dev/null) alone" ;;
	winnowd) echo "winnowd $("$winnowd_bin" -V 2>&1 | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\./) { print $i; exit } }')" ;;
	spamass) echo "spamass-milter $(dpkg-query -W -f='${Version}' spamass-milter) + spamd $(dpkg-query -W -f='${Version}' spamd)" ;;
	rspamd) echo "rspamd $(rspamd --version | awk '{ print $NF; exit }') proxy (self_scan)" ;;
	esac
}
awk -F'\t' -v OFS='\t' '
	function d(x) { return x == "" ? "-" : x }
	FNR == NR { if (FNR > 1) check[$1 "/" $2] = $6 " (" $5 "/" $4 ")"; next }
	FNR == 1 { next }
	{ k = $1 "/" $2 }
	$3 == "latency" { p50[k] = $13; p99[k] = $15; sp50[k] = $22; sp99[k] = $23; order[++n] = k; f[k] = $1; s[k] = $2 }
	$3 == "base-latency" { b50[k] = $13; b99[k] = $15 }
	$3 == "throughput" { rate[k] = $12; fcpu[k] = $18; pcpu[k] = $19; busy[k] = $20 }
	END {
		print "filter", "socket", "msgs_per_s", "p50_ms", "p99_ms", "base_p50_ms", "base_p99_ms", "added_p50_ms", "added_p99_ms", "scan_p50_ms", "scan_p99_ms", "filter_cpu_ms_per_msg", "postfix_cpu_ms_per_msg", "machine_busy_pct", "check"
		for (i = 1; i <= n; i++) {
			k = order[i]
			if (f[k] == "postfix") { b = "-"; a50 = "-"; a99 = "-"; bb50 = "-"; bb99 = "-" }
			else { bb50 = b50[k]; bb99 = b99[k]; a50 = sprintf("%.2f", p50[k] - b50[k]); a99 = sprintf("%.2f", p99[k] - b99[k]) }
			c = (k in check) ? check[k] : "-"
			print f[k], s[k], d(rate[k]), d(p50[k]), d(p99[k]), bb50, bb99, a50, a99, d(sp50[k]), d(sp99[k]), d(fcpu[k]), d(pcpu[k]), d(busy[k]), c
		}
	}' "$work/checks.tsv" "$work/results.tsv" >"$work/summary.tsv"

{
	echo "| filter | socket | msgs/s, $sessions sessions | % of Postfix alone | p50 ms | p99 ms | added p50 ms | added p99 ms | filter's own scan time p50 / p99 ms | filter CPU ms/msg | Postfix CPU ms/msg | scanned (with header / delivered) |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
	base_rate=$(awk -F'\t' '$1 == "postfix" { print $3 }' "$work/summary.tsv")
	tail -n +2 "$work/summary.tsv" | while IFS=$'\t' read -r f s rate p50 p99 _ _ a50 a99 s50 s99 fc pc _ chk; do
		pctb=$(awk -v r="$rate" -v b="$base_rate" 'BEGIN { printf "%.0f%%", (b > 0 ? 100 * r / b : 0) }')
		scan="-"
		[ "$f" = postfix ] || scan="$s50 / $s99"
		[ "$f" != postfix ] || chk="-"
		echo "| $(name "$f") | $s | $rate | $pctb | $p50 | $p99 | $a50 | $a99 | $scan | $fc | $pc | $chk |"
	done
} >"$work/table.md"

ratio() {
	awk -F'\t' -v a="$1" -v b="$2" -v s="$3" '
		$2 == s && $1 == a { x = $3 } $2 == s && $1 == b { y = $3 }
		END { if (x > 0 && y > 0) printf "%.1f", x / y; else print "-" }' "$work/summary.tsv"
}
{
	echo
	for s in $sockets; do
		has winnowd || continue
		line="- $s socket: winnowd msgs/s"
		has rspamd && line="$line ÷ rspamd = $(ratio winnowd rspamd "$s")×"
		has spamass && line="$line; ÷ spamass-milter = $(ratio winnowd spamass "$s")×"
		line="$line; winnowd added p99 $(awk -F'\t' -v s="$s" '$1 == "winnowd" && $2 == s { print $9 }' "$work/summary.tsv") ms"
		echo "$line"
	done
	echo
	echo "Latency runs: $lat_n messages, 1 session, from the $lat_desc closest to the TEST median size ($median bytes)."
	echo "Throughput runs: $sessions sessions, $([ -n "$tp_n" ] && echo "$tp_n messages" || echo "$tp_secs s") each, from a mix of $mix_desc spread over TEST."
	echo "Bayes trained on $n_train TRAIN messages (wall s:$train_secs). Connections: $([ "$reconnect" = 1 ] && echo "one per message" || echo "one per session, RSET between messages")."
	has winnowd && echo "winnowd built from commit $(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$top" diff --quiet HEAD -- milter lib include CMakeLists.txt 2>/dev/null || echo ' with local changes')."
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load average $load0 before and $load1 after; run time $(((t_end - t_begin) / 60)) min $(((t_end - t_begin) % 60)) s."
	[ -z "$failed" ] || echo "FAILED:$failed (see $log)"
} >>"$work/table.md"

cat "$work/table.md"
echo
note "results: $work/summary.tsv, $work/results.tsv, $work/table.md"
[ -z "$failed" ] && ! awk -F'\t' 'NR > 1 && $6 != "ok" { bad = 1 } END { exit !bad }' "$work/checks.tsv"
