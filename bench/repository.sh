#!/bin/bash
# repository.sh - winnow-repository's benchmark: signed reports ingested
# per second over HTTP, and the time to answer a year's aggregate.
#
#   sudo bench/repository.sh [--quick] [--reports N] [--threads T]
#                            [--reporters R] [--days D] [--runs K]
#                            [--no-pg] [--pg-year] [--work DIR]
#
# --reports N    reports per ingest run (default 5000; --quick 500)
# --threads T    client threads of the main ingest run (default 8); a
#                run with 1 thread follows it
# --reporters R  reporter keys (default 200; --quick 20)
# --days D       days of daily reports for the query part (default 365;
#                --quick 30): R x D reports
# --runs K       timed requests per query (default 5)
# --no-pg        skip the PostgreSQL runs (the ingest runs are made when
#                the PostgreSQL server binaries are installed)
# --pg-year      also the year part on PostgreSQL (a few minutes more)
# --work DIR     keep the work files there (default: a new folder under
#                ${TMPDIR:-/tmp}, removed at the end)
#
# The bar: winnow-repository ingests at least 500 signed reports per
# second into SQLite, and answers a year's aggregate for 200 reporters
# in under a second. Builds winnow-repository and repo_load in release
# mode in build-bench/ (or uses REPO and REPO_LOAD), makes R key pairs
# and registers them with `winnow-repository reporter add`, then:
# ingest runs (a fresh database each, `serve` with its default threads
# on 127.0.0.1, N pre-signed reports POSTed by repo_load with T threads,
# then 1); a year of daily reports stored in-process (repo_load fill:
# wn_intake_submit, the checks and the store of POST without HTTP); K
# timed requests each of /api/v1/stats (group=month, group=day, with
# country=DE), /api/v1/export.csv and the dashboard over that year; one
# more ingest run into the year's database. All on SQLite, then the
# ingest runs (and with --pg-year the year) on a private PostgreSQL
# (tests/integration/lib/pg.sh) when it is installed. Prints one markdown table with the bar next
# to each figure; exits 1 when a request failed or an answer was wrong.
# See bench/README.md, "repository.sh".
set -eu -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")

usage() { sed -n '2,/^set -eu/{/^set -eu/d;s/^# \{0,1\}//;p}' "$0"; }
die() { echo "repository.sh: $*" >&2; exit 1; }
note() { echo "repository.sh: $*" >&2; }
. "$here/peers/lists.sh"
. "$top/tests/integration/lib/pg.sh"

quick=0
n_reports=
threads=8
n_reporters=
days=
runs=5
use_pg=1
pg_year=
work=
keep=0
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1; shift ;;
	--reports) [ $# -ge 2 ] || die "--reports needs a number"; n_reports=$2; shift 2 ;;
	--reports=*) n_reports=${1#--reports=}; shift ;;
	--threads) [ $# -ge 2 ] || die "--threads needs a number"; threads=$2; shift 2 ;;
	--threads=*) threads=${1#--threads=}; shift ;;
	--reporters) [ $# -ge 2 ] || die "--reporters needs a number"; n_reporters=$2; shift 2 ;;
	--reporters=*) n_reporters=${1#--reporters=}; shift ;;
	--days) [ $# -ge 2 ] || die "--days needs a number"; days=$2; shift 2 ;;
	--days=*) days=${1#--days=}; shift ;;
	--runs) [ $# -ge 2 ] || die "--runs needs a number"; runs=$2; shift 2 ;;
	--runs=*) runs=${1#--runs=}; shift ;;
	--no-pg) use_pg=0; shift ;;
	--pg-year) pg_year=1; shift ;;
	--work) [ $# -ge 2 ] || die "--work needs a folder"; work=$2; keep=1; shift 2 ;;
	--work=*) work=${1#--work=}; keep=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) die "unknown argument: $1 (try --help)" ;;
	esac
done
if [ "$quick" = 1 ]; then
	: "${n_reports:=500}" "${n_reporters:=20}" "${days:=30}"
else
	: "${n_reports:=5000}" "${n_reporters:=200}" "${days:=365}"
fi
num() { case $2 in '' | *[!0-9]* | 0*) die "$1 needs a positive whole number, not '$2'" ;; esac; }
num --reports "$n_reports"
num --threads "$threads"
num --reporters "$n_reporters"
num --days "$days"
num --runs "$runs"
[ "$n_reporters" -le 10000 ] || die "--reporters: at most 10000"
[ "$threads" -le 256 ] || die "--threads: at most 256"

t_begin=$(date +%s)
load0=$(cut -d' ' -f1-3 /proc/loadavg)

# 1. Tools and binaries ---------------------------------------------------------
install_missing bench/repository.sh curl python3
work=$(work_dir "$work" repository) || die "cannot make the work folder"
# Whatever happens, the servers stop, and a folder of our own goes.
pg_up=0
REPO_PID=
cleanup() {
	local rc=$?
	trap - EXIT INT TERM HUP
	[ -z "$REPO_PID" ] || { kill -TERM "$REPO_PID" 2>/dev/null || true; wait "$REPO_PID" 2>/dev/null || true; }
	[ "$pg_up" = 0 ] || pg_stop
	if [ "$keep" = 0 ]; then
		rm -rf "$work"
	else
		note "work files kept in $work"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
# A kept folder may hold an earlier run's files.
(cd "$work" && rm -rf keys pg pgsock ingest-* year-* template.db* year.db* ingest.tsv fill.tsv \
	query.tsv table.md fill-*.out answer.* repository.log pg.log initdb.log sample.json)
# PostgreSQL's own user must get through (pg.sh runs it as postgres).
chmod 755 "$work"
log=$work/repository.log
: >"$log"
note "work folder: $work"

if [ -n "${REPO:-}" ] && [ -n "${REPO_LOAD:-}" ]; then
	repo_bin=$REPO
	load_bin=$REPO_LOAD
else
	note "building winnow-repository and repo_load (release) in $top/build-bench"
	cmake -S "$top" -B "$top/build-bench" -DCMAKE_BUILD_TYPE=Release -DWN_TESTS=OFF >>"$log" 2>&1 &&
		cmake --build "$top/build-bench" --target winnow-repository repo_load -j"$(nproc)" >>"$log" 2>&1 ||
		die "build failed; see $log"
	repo_bin=$top/build-bench/repository/winnow-repository
	load_bin=$top/build-bench/bench/repo_load
fi
[ -x "$repo_bin" ] && [ -x "$load_bin" ] || die "no winnow-repository/repo_load binary"
REPO=$repo_bin
. "$top/tests/integration/lib/repo.sh"

# 2. Helpers ---------------------------------------------------------------------
fail() { note "FAILED: $*"; failed="$failed
- $*"; }
now_s() { date +%s.%N; }
# CPU ticks (user + system, all threads) of a process.
ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
hz=$(getconf CLK_TCK)
# tree_ticks PID: the same for a process and all its descendants, with
# the children it has waited for (PostgreSQL's server processes).
tree_ticks() {
	{ cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v root="$1" '
		{
			s = $0; pid = s + 0
			sub(/^.*\) /, "", s)
			split(s, f, " ")
			ppid[pid] = f[2]; t[pid] = f[12] + f[13] + f[14] + f[15]
		}
		END {
			want[root] = 1
			do {
				more = 0
				for (p in ppid)
					if (!(p in want) && (ppid[p] in want)) { want[p] = 1; more = 1 }
			} while (more)
			for (p in want) if (p in t) sum += t[p]
			print sum + 0
		}'
}
# db_ticks DB: CPU ticks of the database server; 0 for SQLite (in-process).
db_ticks() {
	if [ "$1" = postgresql ] && [ "$pg_up" = 1 ]; then
		tree_ticks "$(head -n 1 "$PG_DIR/postmaster.pid")"
	else
		echo 0
	fi
}
kv() { awk -v k="$1" '{ for (i = 1; i <= NF; i++) { split($i, a, "="); if (a[1] == k) { print a[2]; exit } } }' <<<"$2"; }
# pct P: nearest-rank percentile of the numbers on stdin ("-" if none).
pct() { awk NF | sort -g | awk -v p="$1" '{ v[NR] = $1 } END { if (!NR) { print "-"; exit } k = int(p * NR); if (k < p * NR) k++; if (k < 1) k = 1; print v[k] }'; }
day() { date -u -d "@$(($(date +%s) - $1 * 86400))" +%F; }
# jget FILE EXPR: EXPR of the JSON answer in FILE (Python over j).
jget() { repo_json "$1" "$2" 2>/dev/null || echo '?'; }
failed=
ingest_bytes=

# 3. Keys, one sample checked against the schema, the registered reporters -----
bg_wait "$load_bin" keys "$work/keys" "$n_reporters" || die "repo_load keys failed"
"$load_bin" sample "$work/keys" >"$work/sample.json" || die "repo_load sample failed"
if python3 -c 'import jsonschema' 2>/dev/null; then
	python3 -c 'import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))' \
		"$work/sample.json" "$top/docs/report-schema.json" 2>>"$log" ||
		die "repo_load's report does not satisfy docs/report-schema.json; see $log"
	schema_note="A sample report satisfies docs/report-schema.json (python3-jsonschema)"
else
	schema_note="python3-jsonschema missing: the sample report was not checked against the schema"
fi
de_reporters=$(awk -F'\t' '$2 == "DE"' "$work/keys/reporters.tsv" | wc -l)

# register URL: every reporter of keys/reporters.tsv, with the command an
# administrator uses.
register() {
	local name cc ot _
	while IFS=$'\t' read -r name cc ot _; do
		"$repo_bin" reporter add --db "$1" --key "$work/keys/$name.pub" --name "$name" \
			--country "$cc" --operator-type "$ot" >/dev/null 2>>"$log" || return 1
	done <"$work/keys/reporters.tsv"
}
note "registering $n_reporters reporters (reporter add)"
t0=$(now_s)
bg_wait register "sqlite:$work/template.db" || die "reporter add failed; see $log"
register_s=$(awk -v a="$t0" -v b="$(now_s)" 'BEGIN { printf "%.1f", b - a }')
rm -f "$work/template.db-wal" "$work/template.db-shm"

# 4. Steps ------------------------------------------------------------------------------
# The ingest runs post hourly periods going back N/R hours from the last
# full hour; the year is R x D daily periods, D days back from yesterday.
today=$(day 0)
from=$(day "$days")
ingest_from=$(day $(((n_reports + n_reporters - 1) / n_reporters / 24 + 2)))
year_reports=$((n_reporters * days))

# stored_reports: the reports /api/v1/stats counts over the ingest runs'
# days, "?" when it does not answer.
stored_reports() {
	if [ "$(repo_get "/api/v1/stats?from=$ingest_from&to=$today")" = 200 ]; then
		jget "$REPO_BODY" 'j["reports"]'
	else
		echo "?"
	fi
}

# ingest DB STATE DB_URL THREADS: serve DB_URL, post N reports with
# THREADS client threads, check that /api/v1/stats counts N more, stop.
# DB (sqlite, postgresql) and STATE (empty, year) label the row.
ingest() {
	local db=$1 state=$2 url=$3 t=$4 dir=$work/ingest-$1-$2-t$4 line c0 c1 d0 d1 n201 before after srv
	mkdir -p "$dir"
	repo_start "$dir" "$url" >>"$log" 2>&1 || { fail "$db/$state/$t: serve did not start; see $log"; return 1; }
	before=$(stored_reports)
	note "$db, $state database, $t threads: $n_reports reports to $REPO_URL"
	c0=$(ticks "$REPO_PID")
	d0=$(db_ticks "$db")
	bg_wait "$load_bin" post "$work/keys" "$REPO_URL" --reports "$n_reports" --threads "$t" \
		>"$dir/post.out" 2>>"$log" || true
	c1=$(ticks "$REPO_PID")
	d1=$(db_ticks "$db")
	line=$(cat "$dir/post.out")
	ingest_bytes=$(kv bytes_mean "$line")
	note "$db, $state database, $t threads: $line"
	n201=$(kv statuses "$line" | tr ',' '\n' | awk -F: '$1 == 201 { print $2 }')
	[ "$(kv failed "$line")" = 0 ] && [ "${n201:-0}" = "$n_reports" ] ||
		fail "$db/$state/$t: not every report was stored (statuses $(kv statuses "$line"); see $log)"
	after=$(stored_reports)
	[ "$before" != "?" ] && [ "$after" != "?" ] && [ "$((after - before))" = "$n_reports" ] ||
		fail "$db/$state/$t: /api/v1/stats counted $before reports before and $after after, not $n_reports more"
	# The server's own time per request, from its access log.
	srv=$(sed -n 's/.*POST \/api\/v1\/reports 201 \([0-9.]*\) ms.*/\1/p' "$REPO_LOG")
	repo_stop >>"$log" 2>&1 || fail "$db/$state/$t: serve did not stop cleanly"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$db" "$state" "$t" "$n_reports" \
		"$(kv per_s "$line")" "$(kv p50_ms "$line")" "$(kv p99_ms "$line")" \
		"$(pct 0.5 <<<"$srv")" "$(pct 0.99 <<<"$srv")" \
		"$(awk -v a="$c0" -v b="$c1" -v hz="$hz" -v n="$n_reports" 'BEGIN { printf "%.2f", (b - a) * 1000 / hz / n }')" \
		"$(awk -v a="$d0" -v b="$d1" -v hz="$hz" -v n="$n_reports" 'BEGIN { printf "%.2f", (b - a) * 1000 / hz / n }')" \
		"$(kv statuses "$line")" >>"$work/ingest.tsv"
}

# query DB NAME PATH CHECK_EXPR WANT: RUNS timed GETs of PATH, each on a
# new connection as a browser or a script asks; the first answer's
# CHECK_EXPR (Python over j, the JSON answer) must give WANT.
query() {
	local db=$1 name=$2 path=$3 expr=$4 want=$5 i out c0 c1 d0 d1 times="" st t bytes got status=ok
	c0=$(ticks "$REPO_PID")
	d0=$(db_ticks "$db")
	for i in $(seq 1 "$runs"); do
		out=$(curl -s -o "$work/answer.$i" -w '%{http_code} %{time_total} %{size_download}' "$REPO_URL$path") || out="000 0 0"
		read -r st t bytes <<<"$out"
		times="$times$t
"
		[ "$st" = 200 ] || status="HTTP $st"
	done
	c1=$(ticks "$REPO_PID")
	d1=$(db_ticks "$db")
	if [ "$status" = ok ] && [ -n "$expr" ]; then
		got=$(jget "$work/answer.1" "$expr")
		[ "$got" = "$want" ] || status="$expr = $got, not $want"
	fi
	[ "$status" = ok ] || fail "$db: $name: $status"
	printf '%s\t%s\t%s\t%.3f\t%.3f\t%s\t%s\t%s\t%s\n' "$db" "$name" "$runs" "$(pct 0.5 <<<"$times")" "$(pct 1 <<<"$times")" "$bytes" \
		"$(awk -v a="$c0" -v b="$c1" -v hz="$hz" -v n="$runs" 'BEGIN { printf "%.0f", (b - a) * 1000 / hz / n }')" \
		"$(awk -v a="$d0" -v b="$d1" -v hz="$hz" -v n="$runs" 'BEGIN { printf "%.0f", (b - a) * 1000 / hz / n }')" \
		"$status" >>"$work/query.tsv"
	note "$db: $name: $(tail -n 1 "$work/query.tsv" | cut -f4,5 | tr '\t' ' ') s (median, max)"
	rm -f "$work"/answer.*
}

# year DB DB_URL SIZE_CMD: fill DB_URL (reporters registered) with the
# year in-process, time the queries over it, then one ingest run into
# it. SIZE_CMD prints the database's size in bytes.
year() {
	local db=$1 url=$2 size_cmd=$3 line q
	note "$db: storing $n_reporters x $days daily reports in-process (repo_load fill)"
	bg_wait "$load_bin" fill "$work/keys" "$url" --days "$days" --threads 2 \
		>"$work/fill-$db.out" 2>>"$log" || true
	line=$(cat "$work/fill-$db.out")
	note "$db: fill: $line"
	[ "$(kv failed "$line")" = 0 ] || fail "$db: fill: not every report was stored (statuses $(kv statuses "$line"); see $log)"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$db" "$(kv wall_s "$line")" "$(kv per_s "$line")" \
		"$(kv p50_ms "$line")" "$(kv p99_ms "$line")" \
		"$(awk -v c="$(kv client_cpu_s "$line")" -v n="$year_reports" 'BEGIN { printf "%.2f", c * 1000 / n }')" \
		"$($size_cmd)" >>"$work/fill.tsv"
	mkdir -p "$work/year-$db"
	repo_start "$work/year-$db" "$url" >>"$log" 2>&1 || { fail "$db: year: serve did not start; see $log"; return 1; }
	q="from=$from&to=$today"
	query "$db" "stats group=month" "/api/v1/stats?$q&group=month" '[j["reports"], j["reporters"]]' "[$year_reports, $n_reporters]"
	query "$db" "stats group=day" "/api/v1/stats?$q&group=day" 'len(j["series"])' "$((days + 1))"
	query "$db" "stats country=DE group=month" "/api/v1/stats?$q&group=month&country=DE" 'j["reporters"]' "$de_reporters"
	query "$db" "stats country=DE group=day" "/api/v1/stats?$q&group=day&country=DE" 'j["reporters"]' "$de_reporters"
	query "$db" "export.csv group=day" "/api/v1/export.csv?$q&group=day" "" ""
	query "$db" "dashboard group=month" "/?$q&group=month" "" ""
	query "$db" "dashboard group=day" "/?$q&group=day" "" ""
	repo_stop >>"$log" 2>&1 || fail "$db: year: serve did not stop cleanly"
	ingest "$db" year "$url" "$threads"
}

printf 'database\tstate\tthreads\treports\tper_s\tp50_ms\tp99_ms\tserver_p50_ms\tserver_p99_ms\tserver_cpu_ms_per_report\tdb_server_cpu_ms_per_report\tstatuses\n' >"$work/ingest.tsv"
printf 'database\tquery\truns\tmedian_s\tmax_s\tbytes\tserver_cpu_ms_per_request\tdb_server_cpu_ms_per_request\tstatus\n' >"$work/query.tsv"
printf 'database\twall_s\tper_s\tp50_ms\tp99_ms\tcpu_ms_per_report\tbytes\n' >"$work/fill.tsv"

# 5. SQLite ------------------------------------------------------------------------------
for t in "$threads" 1; do
	cp "$work/template.db" "$work/ingest-t$t.db"
	ingest sqlite empty "sqlite:$work/ingest-t$t.db" "$t" || true
	rm -f "$work/ingest-t$t.db"*
done
cp "$work/template.db" "$work/year.db"
sqlite_size() { stat -c %s "$work/year.db"; }
year sqlite "sqlite:$work/year.db" sqlite_size || true

# 6. PostgreSQL ----------------------------------------------------------------------------
pg_version=
pg_db_size() { pg_psql "SELECT pg_database_size('year')"; }
if [ "$use_pg" = 1 ] && (pg_require) >/dev/null 2>&1; then
	note "starting a private PostgreSQL"
	if pg_start "$work" >>"$log" 2>&1; then
		pg_up=1
		pg_version=$("$PG_BIN/postgres" --version | awk '{ print $3 }')
		for name in "ingest_t$threads" ingest_t1 ${pg_year:+year}; do
			url=${PG_URL/\/winnow\?//$name?}
			pg_psql "CREATE DATABASE $name" >>"$log" 2>&1 &&
				bg_wait register "$url" || { fail "postgresql: database $name: createdb or reporter add failed; see $log"; continue; }
			case $name in
			ingest_t*) ingest postgresql empty "$url" "${name#ingest_t}" || true ;;
			year) year postgresql "$url" pg_db_size || true ;;
			esac
		done
		pg_stop
		pg_up=0
	else
		fail "postgresql: the private server did not start; see $log"
	fi
elif [ "$use_pg" = 1 ]; then
	note "no PostgreSQL server binaries: PostgreSQL runs skipped"
fi

# 7. Table ----------------------------------------------------------------------------------
t_end=$(date +%s)
load1=$(cut -d' ' -f1-3 /proc/loadavg)
thousands() { echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }
dbname() {
	case $1 in
	sqlite) echo "SQLite $(sqlite3 --version 2>/dev/null | awk '{ print $1 }')" ;;
	*) echo "PostgreSQL $pg_version" ;;
	esac
}
{
	echo "| measurement | database | load | result | latency | server CPU | bar | verdict |"
	echo "|---|---|---|---|---|---|---|---|"
	tail -n +2 "$work/ingest.tsv" | while IFS=$'\t' read -r db state t n rate p50 p99 s50 s99 cpu dbcpu _; do
		verdict=$(awk -v r="$rate" 'BEGIN { print (r >= 500) ? "PASS" : "FAIL" }')
		into="an empty database"
		[ "$state" = empty ] || into="a database holding the year"
		echo "| ingest, HTTP POST | $(dbname "$db") | $(thousands "$n") reports, $t client thread$([ "$t" = 1 ] || echo s), into $into | $(printf '%.0f' "$rate") reports/s | p50 $p50 / p99 $p99 ms (server $s50 / $s99 ms) | $cpu ms/report$([ "$db" = sqlite ] || echo ", PostgreSQL's $dbcpu") | ≥ 500/s | $verdict |"
	done
	tail -n +2 "$work/fill.tsv" | while IFS=$'\t' read -r db wall rate p50 p99 cpu bytes; do
		echo "| store the year in-process (wn_intake_submit) | $(dbname "$db") | $(thousands "$year_reports") daily reports, 2 threads; $(awk -v b="$bytes" 'BEGIN { printf "%.0f", b / 1048576 }') MiB after | $(printf '%.0f' "$rate") reports/s ($wall s) | p50 $p50 / p99 $p99 ms per call | $cpu ms/report, building and signing included | - | - |"
	done
	tail -n +2 "$work/query.tsv" | while IFS=$'\t' read -r db name k med max bytes cpu dbcpu status; do
		verdict=$(awk -v m="$med" -v x="$max" 'BEGIN { print (m < 1 && x < 1) ? "PASS" : "FAIL" }')
		[ "$status" = ok ] || verdict="FAIL ($status)"
		echo "| year: $name | $(dbname "$db") | $days days, $(thousands "$n_reporters") reporters, $(thousands "$year_reports") reports; answer $(thousands "$bytes") bytes | $med s (median of $k) | max $max s | $cpu ms/request$([ "$db" = sqlite ] || echo ", PostgreSQL's $dbcpu") | < 1 s | $verdict |"
	done
	echo
	echo "Ingest: \`serve\` with its default threads on 127.0.0.1; $(thousands "$n_reports") hourly reports ($(awk -v b="${ingest_bytes:-0}" 'BEGIN { printf "%.1f", b / 1024 }') KiB each, signed) posted by repo_load, all signed before the clock starts; one keep-alive connection per client thread. Server CPU (winnow-repository's, and PostgreSQL's processes') from /proc, server latency from its access log."
	echo "Year: $(thousands "$year_reports") daily reports, $from to $(day 1), stored in-process by repo_load fill; each request $runs times with curl (a new connection each), \`from=$from&to=$today\`; the bar applies to the median and the maximum."
	echo "Registering $n_reporters reporters with \`winnow-repository reporter add\`: $register_s s. $schema_note."
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load average $load0 before and $load1 after; run time $(((t_end - t_begin) / 60)) min $(((t_end - t_begin) % 60)) s; winnow-repository built from commit $(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$top" diff --quiet HEAD -- repository 2>/dev/null && [ -z "$(git -C "$top" ls-files --others --exclude-standard repository 2>/dev/null)" ] || echo ' with local changes')."
	[ -z "$failed" ] || echo "FAILED:$failed"
} >"$work/table.md"
cat "$work/table.md"
[ -z "$failed" ]
