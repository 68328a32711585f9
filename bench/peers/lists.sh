# lists.sh - shared by the bench scripts and peer drivers (sourced, not
# run).
#
# install_missing SCRIPT PKG...: apt-get install the packages not yet
# installed (root only; SCRIPT names the caller in the hint), with the
# packages' own services kept from starting. Uses the caller's die/note.
install_missing() {
	_caller=$1
	shift
	_missing=
	for _p in "$@"; do
		dpkg-query -W -f='${db:Status-Abbrev}' "$_p" 2>/dev/null | grep -q '^ii' || _missing="$_missing $_p"
	done
	[ -n "$_missing" ] || return 0
	[ "$(id -u)" = 0 ] || die "missing packages:$_missing -- run as root (sudo $_caller)"
	note "installing:$_missing"
	# The packages' own services (system spamd, rspamd, redis on their
	# default ports) are not wanted: keep them from starting while
	# installing, unless the machine already has a policy.
	_policy=
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		_policy=/usr/sbin/policy-rc.d
		printf '#!/bin/sh\nexit 101\n' >"$_policy"
		chmod 755 "$_policy"
	fi
	_rc=0
	# shellcheck disable=SC2086 # one word per package
	{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends $_missing; } >/dev/null || _rc=$?
	[ -z "$_policy" ] || rm -f "$_policy"
	[ "$_rc" = 0 ] || die "apt-get failed (exit $_rc)"
}

#
# split_runs LIST DATA OUTDIR: one file of absolute paths per run of equal
# labels, named OUTDIR/NNN.ham or OUTDIR/NNN.spam, in list order, so each
# filter learns the training list in the same order.
split_runs() {
	rm -rf "$3" && mkdir -p "$3"
	awk -F'\t' -v d="$2" -v o="$3" '
		NF == 0 { next }
		$1 != "ham" && $1 != "spam" { printf "line %d: bad label\n", NR > "/dev/stderr"; exit 1 }
		$1 != prev { if (f != "") close(f); n++; prev = $1; f = sprintf("%s/%03d.%s", o, n, $1) }
		{ print d "/" $2 > f }' "$1"
}

# select_filters ALL ONLY: the filters of the space-separated ALL named in
# the comma-separated ONLY, in ALL's order (the tables' order); all of
# them when ONLY is empty. An unknown name is an error (caller's die).
select_filters() {
	_sel=
	if [ -z "$2" ]; then
		echo "$1"
		return 0
	fi
	for _f in $(echo "$2" | tr ',' ' '); do
		case " $1 " in *" $_f "*) ;; *) die "unknown filter: $_f (one of: $1)" ;; esac
	done
	for _f in $1; do
		case ",$2," in *",$_f,"*) _sel="$_sel $_f" ;; esac
	done
	echo "${_sel# }"
}

# work_dir DIR NAME: DIR made absolute (created if missing), or a new
# folder winnow-NAME.XXXXXX under $TMPDIR when DIR is empty.
work_dir() {
	if [ -z "$1" ]; then
		mktemp -d "${TMPDIR:-/tmp}/winnow-$2.XXXXXX"
	else
		mkdir -p "$1" && (cd "$1" && pwd)
	fi
}

# bg_wait CMD...: run CMD in the background and wait for it, so that a
# signal reaching the script is handled at once rather than after CMD.
bg_wait() {
	_bw_rc=0
	"$@" &
	wait "$!" || _bw_rc=$?
	return "$_bw_rc"
}

# kill_tree PID: TERM a process and, first, all its descendants.
kill_tree() {
	for _kt in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		kill_tree "$_kt"
	done
	kill -TERM "$1" 2>/dev/null || true
}
