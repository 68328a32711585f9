#!/bin/bash
# rspamd.sh - rspamd (Bayes on Redis, network modules off) as a benchmark peer.
#
#   rspamd.sh name
#   rspamd.sh start WORKDIR     start redis-server and rspamd on loopback ports
#   rspamd.sh train TRAIN_LIST DATA_DIR WORKDIR
#   rspamd.sh classify TEST_LIST DATA_DIR WORKDIR OUT_SCORES
#   rspamd.sh stop WORKDIR      stop both
#   rspamd.sh rss WORKDIR       largest peak RSS of rspamd's processes and
#                               redis-server, in KiB (after stop)
#
# Lists hold `ham|spam<TAB>relative/path` lines resolved against DATA_DIR.
# Everything lives in WORKDIR/rspamd: LOCAL_CONFDIR (local.d/override.d
# files written below over the packaged /etc/rspamd), DBDIR, RUNDIR, LOGDIR
# and the Redis data folder. Ports (127.0.0.1 only): normal worker
# $BENCH_RSPAMD_PORT (17831), controller $BENCH_RSPAMD_CONTROLLER_PORT
# (17832), redis $BENCH_REDIS_PORT (17833). The resolver is pointed at
# 127.0.0.1:53 and every module that asks the network is disabled, so
# nothing leaves the machine.
#
# Training: `rspamc learn_ham|learn_spam` on the controller, one request at
# a time (-n 1), one rspamc per run of equal labels, in list order; rspamd's
# default learn condition refuses to learn a message Bayes already puts in
# that class (most spam after the first few hundred). Classification: one
# rspamc, one request at a time (-n 1); score = rspamd's total score,
# verdict = 1 when its action is `reject`, `rewrite subject` or `add header`
# (its default thresholds 15 / - / 6), 0 for `no action` and `greylist`.
# `classify` and `train` start the servers themselves when they are not
# running and stop them on exit.
set -eu -o pipefail

port=${BENCH_RSPAMD_PORT:-17831}
cport=${BENCH_RSPAMD_CONTROLLER_PORT:-17832}
rport=${BENCH_REDIS_PORT:-17833}

die() { echo "rspamd.sh: $*" >&2; exit 1; }

if [ "$(id -u)" = 0 ] && id _rspamd >/dev/null 2>&1; then user=_rspamd; else user=; fi

# Modules that query DNS or fetch from the internet.
net_modules="rbl surbl emails fuzzy_check spf dkim dmarc arc asn dcc rspamd_update
	once_received mx_check url_redirector reputation bimi external_services antivirus p0f
	clickhouse elastic metadata_exporter"

setup() {
	dir=$1/rspamd
	[ -f "$dir/local/local.d/options.inc" ] && return 0
	mkdir -p "$dir/local/local.d" "$dir/local/override.d" "$dir/db" "$dir/run" "$dir/log" "$dir/redis"
	local l=$dir/local/local.d o=$dir/local/override.d m
	cat >"$l/options.inc" <<'EOF'
# No resolver but a loopback address that does not answer: nothing leaves.
dns {
  nameserver = ["127.0.0.1:53"];
  timeout = 0.5s;
  retransmits = 1;
}
EOF
	cat >"$l/logging.inc" <<EOF
type = "file";
filename = "$dir/log/rspamd.log";
level = "info";
EOF
	cat >"$o/worker-normal.inc" <<EOF
bind_socket = "127.0.0.1:$port";
EOF
	cat >"$o/worker-controller.inc" <<EOF
bind_socket = "127.0.0.1:$cport";
secure_ip = "127.0.0.1";
EOF
	cat >"$o/worker-proxy.inc" <<'EOF'
enabled = false;
EOF
	cat >"$l/classifier-bayes.conf" <<EOF
backend = "redis";
servers = "127.0.0.1:$rport";
autolearn = false;
EOF
	for m in $net_modules; do echo 'enabled = false;' >"$l/$m.conf"; done
	# phishing: keep the local checks, drop the phishtank DNS lookups.
	echo 'phishtank_enabled = false;' >"$l/phishing.conf"
	# hfilter: keep it, without the A/MX lookups of the From domain.
	echo 'from_enabled = false;' >"$l/hfilter.conf"
	if [ -n "$user" ]; then
		chown -R "$user:" "$dir"
		runuser -u "$user" -- test -w "$dir/db" ||
			die "$user cannot use $dir: make its parent folders searchable (chmod o+x)"
	fi
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

redis_up() { [ "$(redis-cli -h 127.0.0.1 -p "$rport" ping 2>/dev/null)" = PONG ]; }

rspamd_up() {
	# (rspamc aborts when nothing listens: ask only once the ports are open.)
	(: </dev/tcp/127.0.0.1/"$port") 2>/dev/null && (: </dev/tcp/127.0.0.1/"$cport") 2>/dev/null &&
		(rspamc -h "127.0.0.1:$cport" stat) >/dev/null 2>&1
}

port_free() { ! (: </dev/tcp/127.0.0.1/"$1") 2>/dev/null || die "port $1 is in use (see the BENCH_*_PORT variables)"; }

start() {
	[ $# -eq 1 ] || die "usage: start WORKDIR"
	setup "$1"
	local i
	# Interrupted or failed before both answer: stop what was started.
	startdir=$1
	trap 'stop "$startdir"' EXIT
	if ! alive "$dir/redis.pid"; then
		port_free "$rport"
		rm -f "$dir/redis.rusage"
		# Foreground under GNU time, for the peak RSS. Loopback only; saved
		# only by `stop`.
		/usr/bin/time -v -o "$dir/redis.rusage" \
			redis-server --bind 127.0.0.1 --port "$rport" --save '' --appendonly no \
			--dir "$dir/redis" --logfile "$dir/redis/redis.log" --daemonize no \
			</dev/null >/dev/null 2>&1 &
		echo $! >"$dir/redis.pid"
		for i in $(seq 1 100); do
			redis_up && break
			alive "$dir/redis.pid" || die "redis-server did not start; see $dir/redis/redis.log"
			sleep 0.1
		done
		redis_up || die "redis-server did not answer"
	fi
	if ! alive "$dir/rspamd.pid"; then
		port_free "$port"
		port_free "$cport"
		rm -f "$dir/rspamd.rusage"
		local u=()
		[ -z "$user" ] || u=(-u "$user" -g "$user")
		# -f: no fork, so time(1) sees the main process and its workers.
		/usr/bin/time -v -o "$dir/rspamd.rusage" \
			rspamd -f -c /etc/rspamd/rspamd.conf "${u[@]}" \
			--var="LOCAL_CONFDIR=$dir/local" --var="DBDIR=$dir/db" \
			--var="RUNDIR=$dir/run" --var="LOGDIR=$dir/log" \
			</dev/null >>"$dir/rspamd.out" 2>&1 &
		echo $! >"$dir/rspamd.pid"
		# Up, and hyperscan compiled and loaded by the scanner (the first
		# start compiles for a minute or so; the cache is in DBDIR).
		for i in $(seq 1 3000); do
			if rspamd_up && grep -q 'normal.*hyperscan database of .* regexps has been loaded' "$dir/log/rspamd.log" 2>/dev/null; then
				trap - EXIT
				return 0
			fi
			alive "$dir/rspamd.pid" || die "rspamd did not start; see $dir/log/rspamd.log and $dir/rspamd.out"
			sleep 0.1
		done
		die "rspamd not ready within 300 s; see $dir/log/rspamd.log"
	fi
	trap - EXIT
}

# stop_one PIDFILE: TERM the process under the time(1) wrapper, wait.
stop_one() {
	local wrapper child i
	alive "$1" || { rm -f "$1"; return 0; }
	wrapper=$(cat "$1")
	child=$(pgrep -P "$wrapper" | head -n 1) || true
	kill -TERM "${child:-$wrapper}" 2>/dev/null || true
	for i in $(seq 1 150); do kill -0 "$wrapper" 2>/dev/null || break; sleep 0.2; done
	if kill -0 "$wrapper" 2>/dev/null; then
		[ -z "$child" ] || kill -KILL "$child" 2>/dev/null || true
		sleep 0.5
	fi
	rm -f "$1"
}

stop() {
	[ $# -eq 1 ] || die "usage: stop WORKDIR"
	dir=$1/rspamd
	stop_one "$dir/rspamd.pid"
	# Keep what was learned for a later start (train and classify run
	# apart): redis saves to $dir/redis/dump.rdb and loads it on start.
	if alive "$dir/redis.pid" && redis_up; then
		redis-cli -h 127.0.0.1 -p "$rport" shutdown save >/dev/null 2>&1 || true
	fi
	stop_one "$dir/redis.pid"
}

rss() {
	[ $# -eq 1 ] || die "usage: rss WORKDIR"
	cat "$1"/rspamd/*.rusage 2>/dev/null |
		awk -F': ' '/Maximum resident set size/ { if ($2 > m) m = $2 } END { if (m) print m }'
}

ensure_started() {
	setup "$1"
	if ! alive "$dir/rspamd.pid" || ! alive "$dir/redis.pid"; then
		start "$1"
		workdir=$1
		trap 'stop "$workdir"' EXIT
	fi
}

. "$(dirname "$0")/lists.sh"

train() {
	[ $# -eq 3 ] || die "usage: train TRAIN_LIST DATA_DIR WORKDIR"
	local list=$1 data=$2 run what files
	ensure_started "$3"
	redis-cli -h 127.0.0.1 -p "$rport" flushall >/dev/null
	split_runs "$list" "$data" "$dir/runs"
	: >"$dir/learn.out"
	for run in "$dir"/runs/*; do
		case $run in *.spam) what=learn_spam ;; *) what=learn_ham ;; esac
		mapfile -t files <"$run"
		rspamc -h "127.0.0.1:$cport" -n 1 -t 60 "$what" "${files[@]}" >>"$dir/learn.out" 2>&1
	done
	# Refusals ("already learned", "learn conditions denied") are rspamd's
	# own policy; anything else is a failure.
	grep 'error = ' "$dir/learn.out" | grep -v -e 'already learned' -e 'learn conditions denied' \
		-e 'less tokens than required' >"$dir/learn.errors" || true
	[ ! -s "$dir/learn.errors" ] || die "learning failed: $(head -n 3 "$dir/learn.errors")"
}

classify() {
	[ $# -eq 4 ] || die "usage: classify TEST_LIST DATA_DIR WORKDIR OUT_SCORES"
	local list=$1 data=$2 out=$4 files
	ensure_started "$3"
	mapfile -t files < <(awk -F'\t' -v d="$data" 'NF { print d "/" $2 }' "$list")
	rspamc -h "127.0.0.1:$port" -n 1 -t 60 -j --compact "${files[@]}" >"$out.json" 2>"$out.err" ||
		die "rspamc failed: $(head -n 3 "$out.err")"
	# --compact: one JSON object per message and line. The top-level
	# "score" and "action" come before the symbols; "filename" is the last
	# key of that name on the line (inside strings quotes are escaped).
	awk -F'\t' -v d="$data" '
		FNR == NR { if (NF) { n++; lab[n] = $1; path[n] = d "/" $2 }; next }
		{
			if (!match($0, /"score":-?[0-9][0-9.eE+-]*/)) { bad = "no score"; exit 1 }
			score = substr($0, RSTART + 8, RLENGTH - 8)
			if (!match($0, /"action":"[^"]*"/)) { bad = "no action"; exit 1 }
			action = substr($0, RSTART + 10, RLENGTH - 11)
			rest = $0; f = ""
			while ((k = index(rest, "\"filename\":\"")) > 0) {
				rest = substr(rest, k + 12)
				f = substr(rest, 1, index(rest, "\"") - 1)
			}
			if (f == "") { bad = "no filename"; exit 1 }
			sc[f] = score
			v[f] = action == "reject" || action == "add header" || action == "rewrite subject"
		}
		END {
			if (bad != "") { printf "rspamd.sh: reply line %d: %s\n", FNR, bad > "/dev/stderr"; exit 1 }
			for (i = 1; i <= n; i++) {
				if (!(path[i] in sc)) { printf "rspamd.sh: no result for %s\n", path[i] > "/dev/stderr"; exit 1 }
				printf "%s\t%s\t%d\n", lab[i], sc[path[i]], v[path[i]]
			}
		}' "$list" "$out.json" >"$out"
	rm -f "$out.json" "$out.err"
}

# Signals end the script at once (EXIT traps still run).
trap 'exit 130' INT TERM HUP
cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
name) echo "rspamd $(rspamd --version | awk '{ print $NF; exit }') (Bayes on Redis, network modules off)" ;;
start) start "$@" ;;
stop) stop "$@" ;;
rss) rss "$@" ;;
train) train "$@" ;;
classify) classify "$@" ;;
*) die "usage: rspamd.sh name|start|train|classify|stop|rss ..." ;;
esac
