# tests/integration/lib/postfix.sh - run a private Postfix instance for tests.
#
# Source this file from a POSIX sh test script (dash is fine, so is `set -eu`).
# It builds a throw-away Postfix instance under a work directory of its own:
# its own main.cf/master.cf, queue, data directory, log file and maildirs,
# with smtpd listening on 127.0.0.1 at a port of the caller's choosing.  Mail
# for the domain test.example is delivered by virtual(8) into maildirs under
# WORKDIR/mail; mail for any other domain bounces at once (nothing leaves the
# machine).  Instances with different work directories and ports run side by
# side, and beside a system Postfix, without touching each other.
#
# Must run as root (Postfix's master and `postfix -c` need it).  Nothing
# outside WORKDIR is written: as root, Postfix 3.7's `postfix -c DIR` and
# `postqueue -c DIR` accept a configuration directory that is not listed in
# alternate_config_directories, and /etc/postfix/main.cf need not exist.
#
# Typical use:
#
#   . "$here/lib/postfix.sh"
#   pf_require_root
#   work=$(mktemp -d)
#   trap 'pf_stop; rm -rf "$work"' EXIT
#   pf_setup "$work" "$(pf_free_port)" inet:127.0.0.1:8891
#   pf_start
#   pf_send sender@example.org user@test.example msg.eml || cat "$PF_TRANSCRIPT"
#   pf_wait_idle 30
#   pf_count_delivered
#
# Functions (all return non-zero on failure and say why on stderr):
#
#   pf_require_root            exit 77 (ctest "skipped") unless running as root
#   pf_check_tools             fail unless postfix, postconf, postqueue, swaks
#   pf_free_port [START]       print a TCP port >= START nobody listens on
#   pf_setup WORKDIR PORT [MILTER_SPEC]
#                              write the instance (config, queue, maildirs)
#   pf_use WORKDIR             make an instance set up earlier the current one
#   pf_postconf 'name = value'...
#                              change main.cf of the current instance (then
#                              pf_reload, or pf_setup/pf_start afresh)
#   pf_start                   start it; waits until it accepts mail
#   pf_stop                    stop it and wait for every process to exit;
#                              harmless when not running or not set up
#   pf_reload                  re-read the configuration, wait until done
#   pf_running                 true while the instance's master runs
#   pf_send FROM TO FILE [swaks args...]
#                              send FILE as the whole message (headers and
#                              body); returns swaks' exit status and leaves
#                              the SMTP transcript in the file $PF_TRANSCRIPT
#   pf_send_xclient ADDR FROM TO FILE [swaks args...]
#                              the same, presenting client address ADDR
#                              through XCLIENT
#   pf_wait_idle TIMEOUT_SECS  wait until maildrop, incoming, active and
#                              deferred queues are empty; 1 on timeout
#   pf_queue_count [QUEUE...]  messages in the named queues (default: all)
#   pf_count_held              messages in the hold queue
#   pf_count_delivered         messages delivered (files in maildir new/)
#   pf_delivered_files         their paths, one a line, sorted
#   pf_log                     print the path of the instance's log file
#   pf_log_tail [N]            print the last N (40) log lines to stderr
#
# Environment read by pf_setup:
#
#   PF_MILTER_DEFAULT_ACTION   milter_default_action (tempfail)
#   PF_MESSAGE_SIZE_LIMIT      message_size_limit in bytes (60000000)
#   PF_MAILBOXES               local parts given a maildir of their own
#                              (WORKDIR/mail/<local part>/); every other
#                              recipient @test.example goes to
#                              WORKDIR/mail/catchall/
#
# Variables set for the caller:
#
#   PF_WORKDIR PF_PORT PF_MILTER PF_CONF PF_QUEUE PF_DATA PF_MAIL PF_LOG
#   PF_TRANSCRIPT (after pf_send: transcript file of that call; set it to
#   a path of your own before the call with PF_SEND_OUT=path)
#
# Only one instance is "current" at a time in a shell; pf_use switches.
# The PF_* settings may be given for one call, as in
# `PF_MILTER_DEFAULT_ACTION=accept pf_setup ...`.

PF_DOMAIN=test.example
PF_UNPRIV_USER=nobody

# ---------------------------------------------------------------- helpers

_pf_err() {
	echo "postfix.sh: $*" >&2
}

# _pf_need_setup - fail unless pf_setup or pf_use has run.
_pf_need_setup() {
	if [ -z "${PF_CONF:-}" ] || [ ! -f "${PF_CONF:-}/main.cf" ]; then
		_pf_err "no instance set up (call pf_setup first)"
		return 1
	fi
}

pf_require_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIP: a private Postfix instance needs root" >&2
		exit 77
	fi
}

pf_check_tools() {
	_pf_missing=
	for _pf_t in postfix postconf postqueue postsuper; do
		command -v "$_pf_t" >/dev/null 2>&1 ||
			[ -x "/usr/sbin/$_pf_t" ] ||
			_pf_missing="$_pf_missing $_pf_t"
	done
	command -v swaks >/dev/null 2>&1 || _pf_missing="$_pf_missing swaks"
	if [ -n "$_pf_missing" ]; then
		_pf_err "missing:$_pf_missing (install the Debian packages postfix and swaks)"
		return 1
	fi
	# Postfix commands live in /usr/sbin, which a plain user's PATH lacks.
	case ":$PATH:" in
	*:/usr/sbin:*) ;;
	*) PATH="$PATH:/usr/sbin" ;;
	esac
	return 0
}

# pf_free_port [START] - first port from START (default 20000 + PID % 10000)
# up to 65000 that no socket listens on, read from /proc/net/tcp{,6}.
pf_free_port() {
	_pf_p=${1:-$((20000 + $$ % 10000))}
	# Local address is field 2 ("0100007F:1F90"), state 0A is LISTEN.
	_pf_busy=" $(cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
		awk '$4 == "0A" { split($2, a, ":"); printf "%s ", a[2] }')"
	while [ "$_pf_p" -le 65000 ]; do
		_pf_hex=$(printf '%04X' "$_pf_p")
		case "$_pf_busy" in
		*" $_pf_hex "*) _pf_p=$((_pf_p + 1)) ;;
		*)
			echo "$_pf_p"
			return 0
			;;
		esac
	done
	_pf_err "no free TCP port found"
	return 1
}

# _pf_vars WORKDIR - derive the instance's paths from its work directory.
_pf_vars() {
	PF_WORKDIR=$1
	PF_CONF=$1/conf
	PF_QUEUE=$1/queue
	PF_DATA=$1/data
	PF_MAIL=$1/mail
	PF_LOG=$1/maillog
}

# _pf_traversable DIR - every directory from / down to DIR must let the
# unprivileged postfix and nobody users pass (search permission for others).
_pf_traversable() {
	_pf_d=$1
	while [ -n "$_pf_d" ] && [ "$_pf_d" != / ]; do
		_pf_mode=$(stat -c %A "$_pf_d") || return 1
		case "$_pf_mode" in
		?????????[xt]) ;;
		*)
			_pf_err "$_pf_d is not searchable by other users (mode $_pf_mode); Postfix's unprivileged processes could not reach $1"
			return 1
			;;
		esac
		_pf_d=${_pf_d%/*}
	done
}

# ---------------------------------------------------------------- setup

# pf_setup WORKDIR SMTP_PORT [MILTER_SPEC]
#
# Writes WORKDIR/conf/{main.cf,master.cf}, creates WORKDIR/queue (owned as
# Postfix wants it, via `postfix -c conf check`), WORKDIR/data,
# WORKDIR/mail (maildirs, owned by nobody) and names WORKDIR/maillog as the
# log.  May be run again on the same WORKDIR (e.g. with another milter or
# PF_MILTER_DEFAULT_ACTION); the queue is kept.  Then pf_start, or
# pf_reload when the instance already runs.
pf_setup() {
	if [ $# -lt 2 ] || [ $# -gt 3 ]; then
		_pf_err "usage: pf_setup WORKDIR SMTP_PORT [MILTER_SPEC]"
		return 2
	fi
	pf_check_tools || return 1
	case "$1" in
	/*) ;;
	*)
		_pf_err "pf_setup: WORKDIR must be an absolute path: $1"
		return 2
		;;
	esac
	case "$2" in
	'' | *[!0-9]*)
		_pf_err "pf_setup: bad port: $2"
		return 2
		;;
	esac
	if [ "$2" -lt 1024 ] || [ "$2" -gt 65535 ]; then
		_pf_err "pf_setup: port $2 is not a high port"
		return 2
	fi
	_pf_milter=${3:-}
	case "$_pf_milter" in
	'' | inet:* | unix:* | local:*) ;;
	*)
		_pf_err "pf_setup: milter must be inet:HOST:PORT or unix:/PATH, not $_pf_milter"
		return 2
		;;
	esac
	_pf_action=${PF_MILTER_DEFAULT_ACTION:-tempfail}
	case "$_pf_action" in
	accept | reject | tempfail | quarantine) ;;
	*)
		_pf_err "PF_MILTER_DEFAULT_ACTION must be accept, reject, tempfail or quarantine"
		return 2
		;;
	esac
	_pf_size=${PF_MESSAGE_SIZE_LIMIT:-60000000}
	case "$_pf_size" in
	*[!0-9]*)
		_pf_err "PF_MESSAGE_SIZE_LIMIT must be a number of bytes"
		return 2
		;;
	esac

	_pf_vars "${1%/}"
	PF_PORT=$2
	PF_MILTER=$_pf_milter

	if ! id "$PF_UNPRIV_USER" >/dev/null 2>&1 || ! id postfix >/dev/null 2>&1; then
		_pf_err "users $PF_UNPRIV_USER and postfix must exist"
		return 1
	fi
	_pf_uid=$(id -u "$PF_UNPRIV_USER")
	_pf_gid=$(id -g "$PF_UNPRIV_USER")

	mkdir -p "$PF_WORKDIR" "$PF_CONF" "$PF_QUEUE" "$PF_DATA" "$PF_MAIL" ||
		return 1
	# mktemp -d gives 0700; Postfix daemons (user postfix) and virtual(8)
	# (user nobody) must get through to the queue and the maildirs.
	chmod 0755 "$PF_WORKDIR" "$PF_CONF" "$PF_MAIL" || return 1
	_pf_traversable "$PF_WORKDIR" || return 1
	chown root:root "$PF_QUEUE" && chmod 0755 "$PF_QUEUE" || return 1
	chown postfix "$PF_DATA" && chmod 0700 "$PF_DATA" || return 1
	chown "$_pf_uid:$_pf_gid" "$PF_MAIL" || return 1
	mkdir -p "$PF_WORKDIR/swaks" || return 1

	# Recipients with a maildir of their own; the rest fall to catchall/.
	: >"$PF_CONF/vmailbox" || return 1
	for _pf_box in ${PF_MAILBOXES:-}; do
		printf '%s@%s %s/\n' "$_pf_box" "$PF_DOMAIN" "$_pf_box" \
			>>"$PF_CONF/vmailbox" || return 1
	done

	_pf_write_main_cf "$_pf_uid" "$_pf_gid" || return 1
	_pf_write_master_cf || return 1
	_pf_backdate || return 1
	_pf_ver=$(postconf -c "$PF_CONF" -h mail_version 2>/dev/null) || _pf_ver=0
	case "$_pf_ver" in
	[0-2].* | 3.[0-3] | 3.[0-3].*)
		_pf_err "Postfix $_pf_ver is too old: maillog_file needs 3.4 or later"
		return 1
		;;
	esac

	# State for pf_use and for shells that only know the work directory.
	{
		echo "PF_PORT=$PF_PORT"
		echo "PF_MILTER='$PF_MILTER'"
	} >"$PF_WORKDIR/pf.env" || return 1

	# `postfix check` creates the queue's subdirectories with Postfix's
	# owners and modes (postfix, postdrop for maildrop/ and public/) and
	# checks the configuration.
	if ! _pf_postfix check >"$PF_WORKDIR/check.out" 2>&1; then
		_pf_err "postfix -c $PF_CONF check failed:"
		cat "$PF_WORKDIR/check.out" >&2
		pf_log_tail 20
		return 1
	fi
	return 0
}

# pf_use WORKDIR - make an instance set up earlier (perhaps by another
# shell) the current one.
pf_use() {
	if [ ! -f "$1/pf.env" ]; then
		_pf_err "pf_use: no instance in $1"
		return 1
	fi
	_pf_vars "${1%/}"
	. "$PF_WORKDIR/pf.env"
}

_pf_write_main_cf() {
	_pf_milter_cf=
	if [ -n "$PF_MILTER" ]; then
		_pf_milter_cf="
# The milter under test, for SMTP and for locally submitted mail.
smtpd_milters = $PF_MILTER
non_smtpd_milters = $PF_MILTER
milter_default_action = $_pf_action
milter_protocol = 6
milter_connect_macros = j {daemon_name} {daemon_addr} v _ {client_addr} {client_name} {client_port}
milter_helo_macros = {tls_version} {cipher} {cipher_bits} {cert_subject} {cert_issuer}
milter_mail_macros = i {auth_authen} {auth_type} {auth_author} {mail_addr} {mail_host} {mail_mailer}
milter_rcpt_macros = i {rcpt_addr} {rcpt_host} {rcpt_mailer}
milter_data_macros = i
milter_end_of_header_macros = i
milter_end_of_data_macros = i
"
	fi
	cat >"$PF_CONF/main.cf" <<EOF
# Private Postfix instance for integration tests, written by
# tests/integration/lib/postfix.sh (pf_setup).  Regenerated on every setup.
compatibility_level = 3.6

# Everything this instance owns lives under $PF_WORKDIR.
queue_directory = $PF_QUEUE
data_directory = $PF_DATA
syslog_name = postfix-test-$PF_PORT
maillog_file = $PF_LOG
maillog_file_prefixes = $PF_WORKDIR

myhostname = mx.$PF_DOMAIN
mydomain = $PF_DOMAIN
myorigin = \$myhostname
mydestination =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_banner = \$myhostname ESMTP
biff = no
append_dot_mydomain = no
smtpd_peername_lookup = no
alias_maps =
alias_database =
local_recipient_maps =
relay_domains =
notify_classes =

# Mail for $PF_DOMAIN: maildirs under $PF_MAIL, owned by $PF_UNPRIV_USER.
virtual_mailbox_domains = $PF_DOMAIN
virtual_mailbox_base = $PF_MAIL
virtual_mailbox_maps = texthash:$PF_CONF/vmailbox, static:catchall/
virtual_uid_maps = static:$1
virtual_gid_maps = static:$2
virtual_mailbox_limit = 0
# Nothing leaves this machine: other domains (and bounces to them) fail.
default_transport = error:5.7.1 test instance delivers only to $PF_DOMAIN
relay_transport = \$default_transport

# Tests present any client address with XCLIENT.
smtpd_authorized_xclient_hosts = 127.0.0.0/8

message_size_limit = $_pf_size
mailbox_size_limit = 0

# Fast queue runs, no warnings, no throttling of a busy test client.
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
delay_warning_time = 0
in_flow_delay = 0
default_process_limit = 100
smtpd_client_connection_count_limit = 1000
smtpd_client_connection_rate_limit = 0
smtpd_client_message_rate_limit = 0
smtpd_client_recipient_rate_limit = 0
smtpd_client_new_tls_session_rate_limit = 0
smtpd_client_auth_rate_limit = 0
# Every client is local (smtpd listens on 127.0.0.1 only); addresses given
# through XCLIENT are exempt too.
smtpd_client_event_limit_exceptions = 0.0.0.0/0
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 1000
smtpd_hard_error_limit = 1000
smtpd_junk_command_limit = 100000
$_pf_milter_cf
EOF
}

_pf_write_master_cf() {
	cat >"$PF_CONF/master.cf" <<EOF
# Private Postfix instance for integration tests, written by
# tests/integration/lib/postfix.sh (pf_setup).  No service is chrooted;
# unix-domain sockets live in $PF_QUEUE/{private,public}.
#
# service type  private unpriv  chroot  wakeup  maxproc command + args
127.0.0.1:$PF_PORT inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
}

# _pf_postfix ARGS... - the postfix command for the current instance.
_pf_postfix() {
	postfix -c "$PF_CONF" "$@"
}

pf_postconf() {
	_pf_need_setup || return 1
	postconf -c "$PF_CONF" -e "$@" && _pf_backdate
}

# _pf_backdate - give the configuration files an old modification time.
# Postfix programs that read a table or main.cf modified within the last
# second or so sleep until it is older (a guard against half-written
# files), which would add about two seconds to every step after a change.
_pf_backdate() {
	touch -t 200001010000 "$PF_CONF/main.cf" "$PF_CONF/master.cf" \
		"$PF_CONF/vmailbox"
}

# ---------------------------------------------------------------- control

# _pf_master_pid - print the master's PID if it is alive.
_pf_master_pid() {
	[ -n "${PF_QUEUE:-}" ] && [ -r "$PF_QUEUE/pid/master.pid" ] || return 1
	_pf_pid=$(sed -n '1s/[^0-9]//gp' "$PF_QUEUE/pid/master.pid" 2>/dev/null)
	[ -n "$_pf_pid" ] || return 1
	# A stale pid file may name an unrelated process, or a zombie.
	case "$(cat "/proc/$_pf_pid/stat" 2>/dev/null)" in
	*" (master) Z "*) return 1 ;;
	*" (master) "*) ;;
	*) return 1 ;;
	esac
	echo "$_pf_pid"
}

pf_running() {
	_pf_master_pid >/dev/null
}

pf_log() {
	_pf_need_setup || return 1
	echo "$PF_LOG"
}

pf_log_tail() {
	[ -n "${PF_LOG:-}" ] && [ -f "$PF_LOG" ] || return 0
	echo "--- last lines of $PF_LOG:" >&2
	tail -n "${1:-40}" "$PF_LOG" >&2
	echo "---" >&2
}

pf_start() {
	_pf_need_setup || return 1
	if pf_running; then
		_pf_err "instance in $PF_WORKDIR already runs"
		return 1
	fi
	if ! _pf_postfix start >"$PF_WORKDIR/start.out" 2>&1; then
		_pf_err "postfix -c $PF_CONF start failed:"
		cat "$PF_WORKDIR/start.out" >&2
		pf_log_tail 20
		return 1
	fi
	# master -w returns once the master has initialized and bound the
	# port; connections wait in the listen queue until smtpd runs.  Check
	# the listening socket without connecting (a probe connection would
	# reach the milter).
	_pf_i=0
	while [ "$(pf_free_port "$PF_PORT")" = "$PF_PORT" ]; do
		_pf_i=$((_pf_i + 1))
		if [ "$_pf_i" -ge 100 ]; then
			_pf_err "nothing listens on 127.0.0.1:$PF_PORT after 10 s"
			pf_log_tail 20
			return 1
		fi
		sleep 0.1
	done
	return 0
}

# _pf_group_alive PGID - true while a process of that process group (the
# master made itself a session and group leader) is alive.  Zombies do not
# count: they hold no socket, and an init that is slow to reap them (as in
# some containers) would make every stop take seconds.
_pf_group_alive() {
	_pf_alive=$(cat /proc/[0-9]*/stat 2>/dev/null | awk -v pg="$1" '
		{ sub(/^.*\) /, "") }	# drop "pid (comm) ": state ppid pgrp...
		$3 == pg && $1 != "Z" { n++ }
		END { print n + 0 }')
	[ "${_pf_alive:-0}" -gt 0 ]
}

# pf_stop - stop the master and wait until it and all of its children
# (its process group) are gone, so the port is free again.  Safe to call
# twice, before pf_setup, or from an EXIT trap; always returns 0 unless
# the processes cannot be killed.
pf_stop() {
	_pf_pid=$(_pf_master_pid) || return 0
	# What `postfix stop` does, without its one-second polling: on SIGTERM
	# the master terminates its children and exits.
	kill -TERM "$_pf_pid" 2>/dev/null
	_pf_i=0
	while _pf_group_alive "$_pf_pid"; do
		_pf_i=$((_pf_i + 1))
		if [ "$_pf_i" -eq 100 ]; then
			_pf_err "Postfix in $PF_WORKDIR still runs after 10 s; killing it"
			kill -9 "-$_pf_pid" "$_pf_pid" 2>/dev/null
		elif [ "$_pf_i" -ge 150 ]; then
			_pf_err "cannot stop Postfix (master PID $_pf_pid)"
			return 1
		fi
		sleep 0.1
	done
	return 0
}

# pf_reload - re-read main.cf/master.cf; returns once the master has
# logged the reload and new smtpd processes use the new settings.
pf_reload() {
	_pf_need_setup || return 1
	if ! pf_running; then
		_pf_err "pf_reload: instance in $PF_WORKDIR does not run"
		return 1
	fi
	_pf_before=$(grep -c 'master.*: reload -- ' "$PF_LOG" 2>/dev/null) ||
		_pf_before=0
	if ! _pf_postfix reload >"$PF_WORKDIR/reload.out" 2>&1; then
		_pf_err "postfix -c $PF_CONF reload failed:"
		cat "$PF_WORKDIR/reload.out" >&2
		return 1
	fi
	_pf_i=0
	while :; do
		_pf_now=$(grep -c 'master.*: reload -- ' "$PF_LOG" 2>/dev/null) ||
			_pf_now=0
		[ "$_pf_now" -gt "$_pf_before" ] && break
		_pf_i=$((_pf_i + 1))
		if [ "$_pf_i" -ge 100 ]; then
			_pf_err "no reload logged after 10 s"
			pf_log_tail 20
			return 1
		fi
		sleep 0.1
	done
	# Idle smtpd processes of the old generation exit when the master
	# drops their status pipe; give them a moment.
	sleep 0.5
	return 0
}

# ---------------------------------------------------------------- mail

# pf_send FROM TO FILE [extra swaks args...]
#
# Sends FILE unchanged as the DATA (headers and body; swaks turns LF into
# CRLF and dot-stuffs) to 127.0.0.1:PORT.  TO may list several
# recipients separated by commas.  Returns swaks' exit status (0: accepted,
# 23: MAIL refused, 24: no RCPT accepted, 25: DATA refused, 26: refused at
# end of DATA, 2: no connection).  The transcript (SMTP dialogue, the
# message itself summarized) goes to the file named by PF_SEND_OUT if set,
# else to a new file under WORKDIR/swaks/; either way PF_TRANSCRIPT names
# it afterwards.  Safe to run several at once in background subshells
# (each gets its own transcript file).
pf_send() {
	if [ $# -lt 3 ]; then
		_pf_err "usage: pf_send FROM TO FILE [swaks args...]"
		return 2
	fi
	_pf_need_setup || return 1
	_pf_from=$1
	_pf_to=$2
	_pf_file=$3
	shift 3
	if [ ! -r "$_pf_file" ]; then
		_pf_err "pf_send: cannot read $_pf_file"
		return 2
	fi
	if [ -n "${PF_SEND_OUT:-}" ]; then
		PF_TRANSCRIPT=$PF_SEND_OUT
	else
		PF_TRANSCRIPT=$(mktemp "$PF_WORKDIR/swaks/send.XXXXXX") || return 1
	fi
	_pf_rc=0
	swaks --server 127.0.0.1 --port "$PF_PORT" --helo client.test \
		--from "$_pf_from" --to "$_pf_to" --data "@$_pf_file" \
		--suppress-data --timeout 120 "$@" >"$PF_TRANSCRIPT" 2>&1 ||
		_pf_rc=$?
	return "$_pf_rc"
}

# pf_send_xclient ADDR FROM TO FILE [extra swaks args...]
# pf_send with XCLIENT ADDR=ADDR, so smtpd and the milter see that client.
pf_send_xclient() {
	if [ $# -lt 4 ]; then
		_pf_err "usage: pf_send_xclient ADDR FROM TO FILE [swaks args...]"
		return 2
	fi
	_pf_addr=$1
	shift
	pf_send "$@" --xclient-addr "$_pf_addr"
}

# pf_queue_count [QUEUE...] - number of messages in the named queues
# (maildrop hold incoming active deferred; all of them by default), as
# listed by `postqueue -j`.
pf_queue_count() {
	_pf_need_setup || return 1
	[ $# -gt 0 ] || set -- maildrop hold incoming active deferred
	_pf_pat=$(echo "$*" | sed 's/  */|/g')
	_pf_json=$(postqueue -c "$PF_CONF" -j 2>/dev/null) || {
		_pf_err "postqueue -c $PF_CONF -j failed"
		return 1
	}
	printf '%s\n' "$_pf_json" |
		grep -cE "\"queue_name\": *\"($_pf_pat)\"" || true
}

pf_count_held() {
	pf_queue_count hold
}

# pf_wait_idle TIMEOUT_SECS - wait until no message is waiting in maildrop,
# incoming, active or deferred.  Held messages do not count.
pf_wait_idle() {
	_pf_need_setup || return 1
	_pf_end=$(($(date +%s) + ${1:-30}))
	while :; do
		_pf_n=$(pf_queue_count maildrop incoming active deferred) ||
			return 1
		[ "$_pf_n" -eq 0 ] && return 0
		if [ "$(date +%s)" -ge "$_pf_end" ]; then
			_pf_err "queue not empty after ${1:-30} s ($_pf_n message(s) left)"
			return 1
		fi
		sleep 0.2
	done
}

pf_delivered_files() {
	_pf_need_setup || return 1
	find "$PF_MAIL" -type f -path '*/new/*' | sort
}

# pf_delivered_with PATTERN - path of the first delivered message with a
# line matching PATTERN (grep); status 1 when there is none.
pf_delivered_with() {
	for _pf_f in $(pf_delivered_files); do
		if grep -q -- "$1" "$_pf_f"; then
			echo "$_pf_f"
			return 0
		fi
	done
	return 1
}

pf_count_delivered() {
	_pf_need_setup || return 1
	find "$PF_MAIL" -type f -path '*/new/*' | wc -l | tr -d ' '
}
