# tests/integration/lib/winnowd.sh - run winnowd for integration tests.
#
# Source after setting WINNOWD (the binary). Functions:
#
#   wd_config WORKDIR PORT [LINES...]  write WORKDIR/winnow.conf: a milter
#                                       socket on 127.0.0.1:PORT, a pid file,
#                                       log and report spool under WORKDIR,
#                                       then LINES
#   wd_start                            start winnowd -f on that file; waits
#                                       until it listens (WD_LOG has stderr)
#   wd_stop                             SIGTERM, wait for exit; harmless twice
#   wd_reload                           SIGUSR1; waits for the outcome line
#   wd_rss_kib                          resident memory of winnowd, KiB
#   wd_alive                            true while it runs
#
# Variables: WD_CONF WD_LOG WD_PID WD_PORT WD_SPEC (Postfix's milter spec,
# inet:127.0.0.1:PORT, or inet:[::1]:PORT when WD_INET6 is set before
# wd_config). Set WD_WRAP to a command prefix (for example
# "ip netns exec NAME") to start winnowd under it.

_wd_err() {
	echo "winnowd.sh: $*" >&2
}

wd_config() {
	WD_DIR=$1
	WD_PORT=$2
	shift 2
	WD_CONF=$WD_DIR/winnow.conf
	WD_LOG=$WD_DIR/winnowd.log
	WD_SPEC=inet:127.0.0.1:$WD_PORT
	_wd_socket=inet:$WD_PORT@127.0.0.1
	if [ -n "${WD_INET6:-}" ]; then
		WD_SPEC=inet:[::1]:$WD_PORT
		_wd_socket=inet6:$WD_PORT@::1
	fi
	{
		echo "socket = $_wd_socket"
		echo "pid_file = $WD_DIR/winnowd.pid"
		echo "report_spool = $WD_DIR/spool"
		echo "bulk_store = $WD_DIR/bulk.lmdb"
		for line in "$@"; do
			echo "$line"
		done
	} >"$WD_CONF"
}

# _wd_wait_log PATTERN TIMEOUT - wait for a line matching PATTERN in the
# log after WD_LOG_MARK lines
_wd_wait_log() {
	_wd_end=$(($(date +%s) + $2))
	while :; do
		if tail -n +"$((${WD_LOG_MARK:-0} + 1))" "$WD_LOG" 2>/dev/null |
		    grep -q -- "$1"; then
			return 0
		fi
		if [ "$(date +%s)" -ge "$_wd_end" ]; then
			_wd_err "no '$1' in $WD_LOG after $2 s"
			tail -n 20 "$WD_LOG" >&2 || true
			return 1
		fi
		wd_alive || {
			_wd_err "winnowd exited; its log:"
			tail -n 20 "$WD_LOG" >&2 || true
			return 1
		}
		sleep 0.1
	done
}

wd_alive() {
	[ -n "${WD_PID:-}" ] && kill -0 "$WD_PID" 2>/dev/null
}

wd_start() {
	: >"$WD_LOG"
	WD_LOG_MARK=0
	# shellcheck disable=SC2086
	${WD_WRAP:-} "$WINNOWD" -f -c "$WD_CONF" >>"$WD_LOG" 2>&1 &
	WD_PID=$!
	_wd_wait_log "listening on" 30
}

wd_stop() {
	if wd_alive; then
		kill -TERM "$WD_PID" 2>/dev/null || true
		_wd_i=0
		while wd_alive && [ $_wd_i -lt 100 ]; do
			sleep 0.1
			_wd_i=$((_wd_i + 1))
		done
		if wd_alive; then
			_wd_err "winnowd did not stop on SIGTERM; killing it"
			kill -KILL "$WD_PID" 2>/dev/null || true
		fi
		wait "$WD_PID" 2>/dev/null || true
	fi
	WD_PID=
}

# wd_reload - SIGUSR1, then wait for "configuration N" (success) or
# "reload failed"; returns 0 on success, 1 on a refused reload
wd_reload() {
	WD_LOG_MARK=$(wc -l <"$WD_LOG")
	kill -USR1 "$WD_PID"
	_wd_wait_log "configuration [0-9]*:\|reload failed" 30 || return 2
	if tail -n +"$((WD_LOG_MARK + 1))" "$WD_LOG" | grep -q "reload failed"
	then
		return 1
	fi
	return 0
}

wd_rss_kib() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$WD_PID/status"
}
