# tests/integration/lib/pg.sh - a private PostgreSQL server for a test.
#
# Source from a POSIX sh test script. The server is a new cluster under a
# work directory of the caller's, listening only on a unix socket in that
# directory (no TCP port, so tests never collide), with trust
# authentication for its own socket. As root it runs as the postgres
# system user (initdb refuses root); otherwise as the caller.
#
#   pg_require            exit 77 (ctest "skipped") unless initdb, pg_ctl
#                         and postgres are found
#   pg_start WORKDIR      initdb WORKDIR/pg, start, create database
#                         "winnow"; sets PG_URL (libpq URI), PG_DIR, PG_LOG
#   pg_stop               stop it (fast); harmless twice or before start
#   pg_psql SQL           run SQL in the test database, print the rows
#
# PG_BIN may name the folder of the binaries; otherwise the newest
# /usr/lib/postgresql/*/bin, then the PATH.

_pg_err() {
	echo "pg.sh: $*" >&2
}

_pg_find_bin() {
	[ -n "${PG_BIN:-}" ] && [ -x "$PG_BIN/initdb" ] && return 0
	PG_BIN=
	for _pg_d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V); do
		[ -x "$_pg_d/initdb" ] && PG_BIN=$_pg_d
	done
	if [ -z "$PG_BIN" ] && command -v initdb >/dev/null 2>&1; then
		PG_BIN=$(dirname "$(command -v initdb)")
	fi
	[ -n "$PG_BIN" ] && [ -x "$PG_BIN/pg_ctl" ] && [ -x "$PG_BIN/postgres" ]
}

pg_require() {
	if ! _pg_find_bin; then
		echo "pg.sh: PostgreSQL server binaries not found; skipping" >&2
		exit 77
	fi
}

# _pg_as CMD... - run as the cluster's owner
_pg_as() {
	if [ -n "$_PG_USER" ]; then
		runuser -u "$_PG_USER" -- "$@"
	else
		"$@"
	fi
}

pg_start() {
	_pg_find_bin || { _pg_err "no PostgreSQL binaries"; return 1; }
	PG_DIR=$1/pg
	PG_LOG=$1/pg.log
	_PG_SOCK=$1/pgsock
	_PG_USER=
	if [ "$(id -u)" -eq 0 ]; then
		if id postgres >/dev/null 2>&1; then
			_PG_USER=postgres
		else
			_PG_USER=nobody
		fi
	fi
	mkdir -p "$PG_DIR" "$_PG_SOCK"
	: >"$PG_LOG"
	if [ -n "$_PG_USER" ]; then
		# the owner must reach the folders it works in
		chmod 755 "$1"
		chown "$_PG_USER" "$PG_DIR" "$_PG_SOCK" "$PG_LOG"
	fi
	if ! _pg_as "$PG_BIN/initdb" -D "$PG_DIR" -U postgres -A trust \
	    -E UTF8 --no-locale --no-sync >"$1/initdb.log" 2>&1; then
		_pg_err "initdb failed:"
		tail -n 20 "$1/initdb.log" >&2
		return 1
	fi
	if ! _pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR" -l "$PG_LOG" -w -t 60 \
	    -o "-c listen_addresses='' -k $_PG_SOCK -c fsync=off" \
	    start >/dev/null; then
		_pg_err "the server did not start:"
		tail -n 20 "$PG_LOG" >&2
		return 1
	fi
	_PG_STARTED=1
	if ! _pg_as "$PG_BIN/createdb" -h "$_PG_SOCK" -U postgres winnow; then
		_pg_err "createdb failed"
		return 1
	fi
	PG_URL="postgresql://postgres@/winnow?host=$_PG_SOCK"
}

pg_stop() {
	[ -n "${_PG_STARTED:-}" ] || return 0
	_PG_STARTED=
	_pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR" -m fast -w stop >/dev/null 2>&1 ||
	    true
}

pg_psql() {
	_pg_as "$PG_BIN/psql" -h "$_PG_SOCK" -U postgres -d winnow -At \
	    -c "$1"
}
