#!/bin/bash
# spamassassin.sh - SpamAssassin (spamd/spamc) as a benchmark peer.
#
#   spamassassin.sh name
#   spamassassin.sh start WORKDIR      start spamd on 127.0.0.1:$BENCH_SPAMD_PORT
#   spamassassin.sh train TRAIN_LIST DATA_DIR WORKDIR
#   spamassassin.sh classify TEST_LIST DATA_DIR WORKDIR OUT_SCORES
#   spamassassin.sh stop WORKDIR       stop spamd
#   spamassassin.sh rss WORKDIR        spamd's peak RSS in KiB (after stop)
#
# Lists hold `ham|spam<TAB>relative/path` lines resolved against DATA_DIR.
# Everything lives in WORKDIR/spamassassin: a site config (the plugin .pre
# files and 65_debian.cf of the Debian package, plus local.cf below), the
# Bayes database, HOME, spamd's pid and log. Rules: the ones the package
# ships in /usr/share/spamassassin (pinned with -C, so an sa-update'd tree is
# not used). Network tests are off (spamd -L, sa-learn -L); Bayes on, no
# auto-learning. Training: one sa-learn over the whole list in list order.
# Classification: one `spamc -c` per message, score = the score spamc
# reports, verdict = spamd's own decision (spamc's exit status; threshold
# 5.0). `classify` and `train` start spamd themselves when it is not running
# and stop it again on exit. Run as root, spamd and sa-learn run as the
# unprivileged debian-spamd user (nobody if missing): WORKDIR's parents must
# be searchable by it.
set -eu -o pipefail

port=${BENCH_SPAMD_PORT:-17830}
rules=/usr/share/spamassassin

die() { echo "spamassassin.sh: $*" >&2; exit 1; }

if [ "$(id -u)" = 0 ]; then
	if id debian-spamd >/dev/null 2>&1; then user=debian-spamd; else user=nobody; fi
else
	user=
fi

# as_user CMD...: run CMD as the unprivileged user (when root), HOME isolated.
as_user() {
	if [ -n "$user" ]; then
		runuser -u "$user" -- env HOME="$dir/home" "$@"
	else
		env HOME="$dir/home" "$@"
	fi
}

# setup WORKDIR: the isolated configuration (kept when present).
setup() {
	dir=$1/spamassassin
	[ -f "$dir/etc/local.cf" ] && return 0
	mkdir -p "$dir/etc" "$dir/home" "$dir/bayes"
	cp /etc/spamassassin/*.pre "$dir/etc/"
	[ -f /etc/spamassassin/65_debian.cf ] && cp /etc/spamassassin/65_debian.cf "$dir/etc/"
	cat >"$dir/etc/local.cf" <<EOF
# winnow benchmark: Bayes plus local rules, nothing from the network.
use_bayes 1
bayes_auto_learn 0
# Score with the database as trained: no opportunistic expiry (it would
# drop a third of the 214,000 tokens at the first scan).
bayes_auto_expire 0
bayes_path $dir/bayes/bayes
bayes_file_mode 0700
skip_rbl_checks 1
use_razor2 0
use_pyzor 0
EOF
	if [ -n "$user" ]; then
		chown -R "$user:" "$dir"
		runuser -u "$user" -- test -w "$dir/bayes" -a -x "$dir/etc" ||
			die "$user cannot use $dir: make its parent folders searchable (chmod o+x)"
	fi
}

ping_spamd() { spamc -d 127.0.0.1 -p "$port" -K >/dev/null 2>&1; }

spamd_pid() {
	local pid
	[ -f "$dir/spamd.pid" ] || return 1
	pid=$(cat "$dir/spamd.pid" 2>/dev/null) || return 1
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -q spamd "/proc/$pid/cmdline" 2>/dev/null || return 1
	echo "$pid"
}

start() {
	[ $# -eq 1 ] || die "usage: start WORKDIR"
	setup "$1"
	if spamd_pid >/dev/null; then return 0; fi
	(: </dev/tcp/127.0.0.1/"$port") 2>/dev/null && die "port $port is in use (set BENCH_SPAMD_PORT)"
	rm -f "$dir/spamd.pid" "$dir/spamd.rusage"
	# Interrupted or failed before spamd answers: stop it again.
	startdir=$1
	trap 'stop "$startdir"' EXIT
	# Foreground spamd under GNU time: its report holds the largest RSS of
	# spamd and its children (ru_maxrss of the whole tree).
	as_user /usr/bin/time -v -o "$dir/spamd.rusage" \
		spamd -L -x -C "$rules" --siteconfigpath="$dir/etc" \
		-i "127.0.0.1:$port" -A 127.0.0.1 -r "$dir/spamd.pid" -s "$dir/spamd.log" \
		</dev/null >>"$dir/spamd.out" 2>&1 &
	echo $! >"$dir/wrapper.pid"
	local i
	for i in $(seq 1 600); do
		if ping_spamd; then
			trap - EXIT
			return 0
		fi
		kill -0 "$(cat "$dir/wrapper.pid")" 2>/dev/null || die "spamd did not start; see $dir/spamd.log"
		sleep 0.2
	done
	die "spamd did not answer within 120 s"
}

stop() {
	[ $# -eq 1 ] || die "usage: stop WORKDIR"
	dir=$1/spamassassin
	local pid i wrapper
	if pid=$(spamd_pid); then
		kill -TERM "$pid" 2>/dev/null || true
		for i in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
		kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
	fi
	# Let the time(1) wrapper write its report.
	if [ -f "$dir/wrapper.pid" ]; then
		wrapper=$(cat "$dir/wrapper.pid")
		for i in $(seq 1 50); do kill -0 "$wrapper" 2>/dev/null || break; sleep 0.1; done
		rm -f "$dir/wrapper.pid"
	fi
	return 0
}

rss() {
	[ $# -eq 1 ] || die "usage: rss WORKDIR"
	local f=$1/spamassassin/spamd.rusage
	[ -f "$f" ] && awk -F': ' '/Maximum resident set size/ { print $2 }' "$f"
	return 0
}

# ensure_started WORKDIR: start spamd unless running; stop it on exit then.
ensure_started() {
	setup "$1"
	if ! spamd_pid >/dev/null || ! ping_spamd; then
		start "$1"
		workdir=$1
		trap 'stop "$workdir"' EXIT
	fi
}

train() {
	[ $# -eq 3 ] || die "usage: train TRAIN_LIST DATA_DIR WORKDIR"
	local list=$1 data=$2
	setup "$3"
	rm -rf "$dir/bayes"/*
	# ham:file:PATH / spam:file:PATH, one message per file, in list order.
	awk -F'\t' -v d="$data" '
		NF == 0 { next }
		$1 != "ham" && $1 != "spam" { printf "line %d: bad label\n", NR > "/dev/stderr"; exit 1 }
		{ print $1 ":file:" d "/" $2 }' "$list" >"$dir/folders"
	[ -z "$user" ] || chown "$user:" "$dir/folders"
	as_user sa-learn -L -C "$rules" --siteconfigpath="$dir/etc" -f "$dir/folders" \
		>"$dir/sa-learn.out" 2>"$dir/sa-learn.log" ||
		die "sa-learn failed; see $dir/sa-learn.log"
	grep -q '^Learned tokens' "$dir/sa-learn.out" || die "sa-learn learned nothing; see $dir/sa-learn.out"
}

classify() {
	[ $# -eq 4 ] || die "usage: classify TEST_LIST DATA_DIR WORKDIR OUT_SCORES"
	local list=$1 data=$2 out=$4 label rel res rc
	ensure_started "$3"
	while IFS=$'\t' read -r label rel; do
		[ -n "$label" ] || continue
		rc=0
		res=$(spamc -x -c -d 127.0.0.1 -p "$port" <"$data/$rel") || rc=$?
		# -c prints SCORE/THRESHOLD; exit 1 = spam, 0 = ham, else error.
		case $rc in
		0 | 1) ;;
		*) die "spamc failed (exit $rc) on $rel" ;;
		esac
		printf '%s\t%s\t%d\n' "$label" "${res%%/*}" "$rc"
	done <"$list" >"$out"
}

# Signals end the script at once (EXIT traps still run).
trap 'exit 130' INT TERM HUP
cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
name) echo "SpamAssassin $(spamassassin -V | awk 'NR == 1 { print $3 }') (spamd/spamc, Bayes + local rules)" ;;
start) start "$@" ;;
stop) stop "$@" ;;
rss) rss "$@" ;;
train) train "$@" ;;
classify) classify "$@" ;;
*) die "usage: spamassassin.sh name|start|train|classify|stop|rss ..." ;;
esac
