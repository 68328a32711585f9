#!/bin/sh
# test_report_e2e.sh - statistics from Postfix to the regulator's page.
#
# usage: test_report_e2e.sh WINNOWD WINNOW SOURCE_DIR REPOSITORY
#
# winnowd scans mail through a real Postfix, with countries from a MaxMind
# DB made for the test; stopping it seals the period; `winnow report
# send` signs and posts it to a real winnow-repository (SQLite); the API,
# the CSV export and the dashboard (in headless Chromium) show the
# numbers that were sent. Also: the sender's addresses, subject, message
# id, HELO name and client addresses appear nowhere in the spool, the
# report or the database; bulk detections (winnowd's own bulk store, the
# default thresholds) reach the report, the API, the CSV and the page; a repository that is down keeps reports spooled
# until it is back, and nothing is counted twice; a resent report changes
# nothing; counts survive winnowd being killed.
# Exit 0 pass, 1 fail, 77 skipped (not root).
set -eu
WINNOWD=$1
WINNOW=$2
SRC=$3
REPO=$4
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/postfix.sh"
. "$here/lib/winnowd.sh"
. "$here/lib/check.sh"
. "$here/lib/browser.sh"
pf_require_root
pf_check_tools
for tool in python3 perl curl sqlite3; do
	command -v $tool >/dev/null || { echo "SKIP: no $tool"; exit 77; }
done

work=$(mktemp -d /tmp/wn-e2e-XXXXXX)
chmod 755 "$work"
repo_pid=
repo_stop() {
	if [ -n "$repo_pid" ]; then
		kill -TERM "$repo_pid" 2>/dev/null || true
		wait "$repo_pid" 2>/dev/null || true
		repo_pid=
	fi
}
cleanup() {
	wd_stop
	repo_stop
	pf_stop || true
	[ -n "${WN_IT_KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

perl "$SRC/tests/data/geoip/make_mmdb.pl" "$work/geo.mmdb"
mkdir "$work/keys"
"$WINNOW" report keygen --out "$work/keys" >/dev/null

wport=$(pf_free_port 23000)
wd_config "$work" "$wport" \
    "rules = $SRC/rules/core" \
    "store =" \
    "spf = no" \
    "geoip_db = $work/geo.mmdb" \
    "report_key = $work/keys/report.key" \
    "report_country = DE" \
    "report_operator_type = isp" \
    "report_sharing = cooperative" \
    "report_min_count = 1" \
    "report_prefix_min_count = 2"
wd_start
PF_MILTER_DEFAULT_ACTION=tempfail
pf_setup "$work/pf" "$(pf_free_port 24000)" "$WD_SPEC"
pf_start

# Strings that must never leave the operator: addresses, local parts,
# subject, message id, HELO name, client addresses.
SECRETS="alice.secret@private.example alice.secret bob.hidden@test.example
bob.hidden Quarterly-numbers-Xq7ZpL uniq-4711-Kp2@private.example
helo-name-Zr8.private.example 5.9.10.20 177.10.20.5"

# mail N CLIENT KIND - send N messages from CLIENT; KIND spam (GTUBE,
# rejected) or ham
mail() {
	i=0
	while [ $i -lt "$1" ]; do
		f=$work/msg.$$.$i
		{
			echo "From: Alice <alice.secret@private.example>"
			echo "To: bob.hidden@test.example"
			echo "Subject: Quarterly-numbers-Xq7ZpL"
			echo "Message-ID: <uniq-4711-Kp2@private.example>"
			echo ""
			if [ "$3" = spam ]; then
				echo "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"
			else
				echo "Hello Bob, the minutes of Tuesday are attached below."
			fi
		} >"$f"
		pf_send_xclient "$2" alice.secret@private.example \
		    bob.hidden@test.example "$f" \
		    --helo helo-name-Zr8.private.example || true
		i=$((i + 1))
	done
}

# json FILE EXPR - a value of the JSON in FILE (python expression on d)
json() {
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); \
print($2)" "$1"
}

# no_secrets WHAT PATH... - none of SECRETS in the files (bytes)
no_secrets() {
	_what=$1
	shift
	_found=
	for s in $SECRETS; do
		if grep -r -a -F -q -- "$s" "$@" 2>/dev/null; then
			_found="$_found $s"
		fi
	done
	if [ -z "$_found" ]; then ok "no secrets in $_what"
	else fail "secrets in $_what:$_found"; fi
}

# Round 1: 6 spam from Germany, 3 ham from Brazil (IPv6 sources are
# covered by the unit tests: this Postfix listens on IPv4 only)
mail 6 5.9.10.20 spam
mail 3 177.10.20.5 ham
pf_wait_idle 60 || true
wd_stop
check "period sealed at stop" test "$(ls "$work/spool" | grep -c '^period-')" = 1
no_secrets "spool" "$work/spool"

"$WINNOW" report preview -c "$WD_CONF" >"$work/preview.json"
check "preview holds to the schema" python3 -c "
import json, sys, jsonschema
jsonschema.validate(json.load(open('$work/preview.json')),
    json.load(open('$SRC/docs/report-schema.json')))"
check "preview: 9 messages" test "$(json "$work/preview.json" \
    "d['messages']['total']")" = 9
check "preview: 6 rejected" test "$(json "$work/preview.json" \
    "d['messages']['action']['reject']")" = 6
check "preview: DE sent 6 spam" test "$(json "$work/preview.json" \
    "[c['spam'] for c in d['countries'] if c['country']=='DE'][0]")" = 6
check "preview: BR sent 3" test "$(json "$work/preview.json" \
    "[c['messages'] for c in d['countries'] if c['country']=='BR'][0]")" = 3
check "preview: the spam network, as a /24" test "$(json "$work/preview.json" \
    "d['prefixes'][0]['prefix']")" = 5.9.10.0/24
# Every scanned message went through bulk detection; the same GTUBE text
# reaches bulk_low_recipients (5) with its fifth copy, so copies five and
# six get BULK_LOW; three copies of the ham text stay below.
check "preview: bulk checked all 6 spam and 3 ham" test "$(json \
    "$work/preview.json" "[d['bulk'][c]['checked'] for c in ('spam', 'ham')]")" \
    = "[6, 3]"
check "preview: the 5th and 6th copy of the spam are bulk" test "$(json \
    "$work/preview.json" "[d['bulk']['spam'][k] for k in ('flagged', 'low')]")" \
    = "[2, 2]"
check "preview: no ham is bulk yet" test "$(json "$work/preview.json" \
    "d['bulk']['ham']['flagged']")" = 0
no_secrets "report" "$work/preview.json"

# The repository, with the reporter registered
db="sqlite:$work/repo.db"
"$REPO" reporter add --db "$db" --key "$work/keys/report.pub" \
    --name "Test ISP" --country DE --operator-type isp >"$work/add.out"
rport=$(pf_free_port 25000)
repo_start() {
	"$REPO" serve --listen "127.0.0.1:$rport" --db "$db" \
	    >>"$work/repo.log" 2>&1 &
	repo_pid=$!
	_i=0
	until curl -sf "http://127.0.0.1:$rport/api/v1/health" >/dev/null
	do
		_i=$((_i + 1))
		[ $_i -lt 100 ] || { echo "repository did not start"; \
		    cat "$work/repo.log"; return 1; }
		sleep 0.1
	done
}
repo_start
URL=http://127.0.0.1:$rport
check "send" "$WINNOW" report send -c "$WD_CONF" --repository "$URL"
check "spool empty after acknowledgement" \
    test "$(ls "$work/spool" | grep -c '^period-')" = 0

today=$(date -u +%Y-%m-%d)
yesterday=$(date -u -d yesterday +%Y-%m-%d)
q="from=$yesterday&to=$today"
stats() {
	curl -sf "$URL/api/v1/stats?$q" >"$work/stats.json"
}
stats
check "API: 9 messages" test "$(json "$work/stats.json" \
    "d['totals']['messages']")" = 9
check "API: 6 spam" test "$(json "$work/stats.json" "d['totals']['spam']")" = 6
check "API: 6 rejected" test "$(json "$work/stats.json" \
    "d['totals']['action']['reject']")" = 6
check "API: DE first source of spam" test "$(json "$work/stats.json" \
    "d['totals']['source_countries'][0]['country']")" = DE
check "API: one reporter" test "$(json "$work/stats.json" \
    "d['reporters']")" = 1

# Round 2, with the repository down: nothing is lost, nothing doubled
wd_start
mail 2 5.9.10.20 spam
mail 1 177.10.20.5 ham
pf_wait_idle 60 || true
wd_stop
repo_stop
rc=0
"$WINNOW" report send -c "$WD_CONF" --repository "$URL" --attempts 2 \
    --timeout 2 >"$work/send.out" 2>&1 || rc=$?
check "send to a repository that is down: exit 75" test "$rc" = 75
check "report kept in the spool" \
    test "$(ls "$work/spool" | grep -c '^period-')" = 1
cp "$work/spool"/period-* "$work/"
repo_start
check "send when it is back" "$WINNOW" report send -c "$WD_CONF" \
    --repository "$URL"
stats
check "API: 12 messages, nothing lost" test "$(json "$work/stats.json" \
    "d['totals']['messages']")" = 12
cp "$work"/period-* "$work/spool/"
"$WINNOW" report send -c "$WD_CONF" --repository "$URL" >"$work/resend.out"
check "a resent report is acknowledged" grep -q "already stored" \
    "$work/resend.out"
check "and removed" test "$(ls "$work/spool" | grep -c '^period-')" = 0
stats
check "API: still 12 messages, nothing doubled" \
    test "$(json "$work/stats.json" "d['totals']['messages']")" = 12

# Round 3: winnowd killed mid-period; its counts survive
wd_start
mail 3 177.10.20.5 ham
pf_wait_idle 60 || true
kill -KILL "$WD_PID"
wait "$WD_PID" 2>/dev/null || true
WD_PID=
check "a live file survives the kill" \
    test "$(ls "$work/spool" | grep -c '^live-')" = 1
wd_start
wd_stop
"$WINNOW" report preview -c "$WD_CONF" >"$work/preview3.json"
check "counts survived the kill" test "$(json "$work/preview3.json" \
    "d['messages']['total']")" = 3
"$WINNOW" report send -c "$WD_CONF" --repository "$URL" >/dev/null
stats
check "API: 15 messages" test "$(json "$work/stats.json" \
    "d['totals']['messages']")" = 15
# bulk over the three rounds: spam copies 5 to 8 and ham copies 5 to 7
check "API: bulk checked 8 spam and 7 ham" test "$(json "$work/stats.json" \
    "[d['totals']['bulk'][c]['checked'] for c in ('spam', 'ham')]")" = "[8, 7]"
check "API: 4 spam and 3 ham flagged as bulk" test "$(json \
    "$work/stats.json" \
    "[d['totals']['bulk'][c]['flagged'] for c in ('spam', 'ham')]")" = "[4, 3]"
check "API: bulk share 7 of 15" test "$(json "$work/stats.json" \
    "d['totals']['bulk_share']")" = 0.4667

# CSV and the database
curl -sf "$URL/api/v1/export.csv?$q" >"$work/export.csv"
check "CSV header" test "$(head -1 "$work/export.csv")" = \
    "period,metric,key,value"
check "CSV: today's messages" grep -q "^$today,messages,total,15$" \
    "$work/export.csv"
check "CSV: today's bulk spam" grep -q "^$today,bulk_spam,flagged,4$" \
    "$work/export.csv"
sqlite3 "$work/repo.db" .dump >"$work/repo.dump"
no_secrets "database" "$work/repo.dump" "$work/repo.db"*

# The dashboard in a real browser
if browser_available; then
	browser_dump_dom "$URL/?$q" "$work/dom.html"
	check "dashboard: messages" grep -q \
	    'id="total-messages"[^>]*>15<' "$work/dom.html"
	check "dashboard: spam" grep -q 'id="total-spam"[^>]*>8<' \
	    "$work/dom.html"
	check "dashboard: DE sent the 8 spam" grep -q \
	    '<th scope="row">DE</th><td class="num">8</td><td class="num">8<' \
	    "$work/dom.html"
	check "dashboard: four charts drawn" test "$(grep -o '<svg' \
	    "$work/dom.html" | wc -l)" -ge 4
	check "dashboard: bulk share" grep -q \
	    'id="bulk-share"[^>]*>46.7%<' "$work/dom.html"
	browser_dump_dom "$URL/?$q&country=all&operator_type=all&group=week" \
	    "$work/dom-all.html"
	check "dashboard: the form's 'all' is no filter" grep -q \
	    'id="total-messages"[^>]*>15<' "$work/dom-all.html"
	shot=${WN_E2E_SCREENSHOT:-$work/dashboard.png}
	browser_screenshot "$URL/?$q" "$shot" 1280x1800
	check "dashboard screenshot taken" test -s "$shot"
else
	fail "no chromium for the dashboard test"
fi

check_done
