#!/bin/sh
# test_report.sh - `winnow report` and winnowd's statistics spool.
#
# usage: test_report.sh WINNOWD WINNOW SOURCE_DIR
#
# winnowd seals its period at shutdown; preview prints reports that hold
# to docs/report-schema.json at every sharing level; send keeps reports
# when the repository cannot be reached (exit 75) and refuses bad keys;
# keygen makes a private key file no one else reads and never overwrites
# one; a spool that cannot be made leaves winnowd running, uncounted.
set -u
winnowd=$1
winnow=$2
src=$3
tmp=$(mktemp -d /tmp/wn-report-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"

# run_winnowd CONF - start in the foreground, wait to listen, SIGTERM
run_winnowd() {
	"$winnowd" -f -c "$1" >"$tmp/run.log" 2>&1 &
	pid=$!
	i=0
	while ! grep -q "listening on" "$tmp/run.log" && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -TERM "$pid"
	wait "$pid"
}

# a unix socket: no port to share with tests running beside this one
cat >"$tmp/ok.conf" <<CONF
socket = unix:$tmp/winnowd.sock
pid_file = $tmp/winnowd.pid
store =
rules = $src/rules/core
spf = no
report_spool = $tmp/spool
bulk_store = $tmp/bulk.lmdb
report_key = $tmp/keys/report.key
report_country = DE
report_operator_type = isp
CONF

# keys
mkdir "$tmp/keys"
check keygen 0 "$winnow" report keygen --out "$tmp/keys"
expect_in keygen_prints_id "$tmp/out" "^key id [0-9a-f]\{16\}$"
check key_private 0 test "$(stat -c %a "$tmp/keys/report.key")" = 600
check key_public 0 grep -q "^winnow-ed25519-public " "$tmp/keys/report.pub"
check keygen_never_overwrites 1 "$winnow" report keygen --out "$tmp/keys"
expect_in keygen_says_why "$tmp/err" "already there"
check keygen_needs_out 64 "$winnow" report keygen

# a period sealed at shutdown
run_winnowd "$tmp/ok.conf"
check winnowd_stopped_cleanly 0 test $? -eq 0
expect_in counting_logged "$tmp/run.log" "statistics: counting into $tmp/spool"
check one_period_sealed 0 test "$(ls "$tmp/spool" | grep -c '^period-')" = 1
check no_live_file_left 0 test "$(ls "$tmp/spool" | grep -c '^live-')" = 0

# preview: the schema holds at every level
schema_ok() {
	python3 - "$src/docs/report-schema.json" "$1" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
n = 0
for line in open(sys.argv[2]):
    jsonschema.validate(json.loads(line), schema,
                        format_checker=jsonschema.FormatChecker())
    n += 1
sys.exit(0 if n > 0 else 1)
PY
}
for level in minimal standard cooperative; do
	sed "s/^report_country.*/&\nreport_sharing = $level/" "$tmp/ok.conf" \
	    >"$tmp/$level.conf"
	check "preview_$level" 0 "$winnow" report preview -c "$tmp/$level.conf"
	cp "$tmp/out" "$tmp/$level.json"
	check "preview_${level}_schema" 0 schema_ok "$tmp/$level.json"
done
expect_in preview_declares_country "$tmp/standard.json" \
    '"country":"DE","operator_type":"isp"'
expect_in preview_names_rule_set "$tmp/standard.json" \
    '"rulesets":\[{"name":"core","version":"1.0.0"}\]'
check minimal_has_no_spf 1 grep -q '"spf"' "$tmp/minimal.json"
check preview_with_public_key 0 "$winnow" report preview -c "$tmp/ok.conf" \
    --key "$tmp/keys/report.pub" --pretty
expect_in preview_pretty "$tmp/out" '^  "format": "winnow-report-1",$'
check schema_refuses_garbage 1 schema_ok "$tmp/ok.conf"

# send: nobody listens; the report stays
dead=$((40000 + $$ % 20000))
check send_unreachable 75 "$winnow" report send -c "$tmp/ok.conf" \
    --repository "http://127.0.0.1:$dead" --attempts 2 --timeout 2
expect_in send_says_kept "$tmp/err" "kept in the spool"
check still_spooled 0 test "$(ls "$tmp/spool" | grep -c '^period-')" = 1
check send_without_repository 64 "$winnow" report send -c "$tmp/ok.conf"
check send_with_public_key 1 "$winnow" report send -c "$tmp/ok.conf" \
    --repository "http://127.0.0.1:$dead" --key "$tmp/keys/report.pub"
expect_in send_names_key "$tmp/err" "report.pub: not a winnow secret key"

# a damaged period file is named and kept
head -c 100 "$tmp/spool"/period-* >"$tmp/spool/period-000000000001-x.stats"
check preview_damaged 1 "$winnow" report preview -c "$tmp/ok.conf"
expect_in damaged_named "$tmp/err" "period-000000000001-x.stats: not a period"
check damaged_kept 0 test -e "$tmp/spool/period-000000000001-x.stats"

# a spool that cannot be made: winnowd runs, uncounted
sed "s|^report_spool.*|report_spool = /proc/wn-no-spool|" "$tmp/ok.conf" \
    >"$tmp/nospool.conf"
run_winnowd "$tmp/nospool.conf"
check runs_without_spool 0 test $? -eq 0
expect_in spool_error_logged "$tmp/run.log" "statistics: .*wn-no-spool"

check bad_sharing 78 "$winnowd" -t -c /dev/stdin <<CONF
report_sharing = everything
CONF
expect_in bad_sharing_says_choices "$tmp/err" \
    "not one of minimal, standard, cooperative"
check bad_period 78 "$winnowd" -t -c /dev/stdin <<CONF
report_period = 7000
CONF
expect_in bad_period_says_why "$tmp/err" "does not divide a day"
check bad_country 78 "$winnowd" -t -c /dev/stdin <<CONF
report_country = Germany
CONF

echo "report: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
