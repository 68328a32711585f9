#!/bin/sh
# test_repository.sh - winnow-repository end to end, over HTTP, against
# SQLite and against a real PostgreSQL server: the same checks on both.
#
# usage: test_repository.sh WINNOW_REPOSITORY REPO_TOOL SOURCE_DIR
#
# Reporters are registered, listed and revoked with the command line;
# reports are signed by repo_tool and posted with curl. Checks: every
# status of the intake table in docs/repository-api.md (201, 200
# duplicate, 409 replay, stale and conflict, 401 tampered and unknown
# key, 403 revoked, 400 malformed and schema, 415, 413), statistics equal
# to the sums posted by day, week and month and under the country and
# operator-type filters, bulk detections (one report carries them, the
# others predate them), 400 naming a bad parameter, the CSV export,
# health, 404/405, the dashboard, a clean stop on SIGTERM, and HTTPS with
# a self-signed certificate. Bulk sharing: cooperative reports with
# bulk_fingerprints (refused at standard sharing), the feed's 404 without
# --feed-key, then with a key made by feed-keygen: the threshold of three
# reporters, the envelope verified as winnowd verifies it, ETag and 304,
# bulk block/unblock/list taking effect at once (a blocked digest taking
# its text's bands along), and on PostgreSQL the keys in their table and
# a version-2 database upgraded in place. Exit 0 pass, 1 fail, 77 skipped (no curl or
# python3; no PostgreSQL binaries: the SQLite half still runs and fails
# the test if it fails).
set -eu
REPO=$1
REPO_TOOL=$2
SRC=$3
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/check.sh"
. "$here/lib/pg.sh"
. "$here/lib/repo.sh"

for t in curl python3 openssl; do
	if ! command -v $t >/dev/null 2>&1; then
		echo "test_repository.sh: $t not found; skipping"
		exit 77
	fi
done

work=$(mktemp -d /tmp/wn-repo-XXXXXX)
cleanup() {
	repo_stop >/dev/null 2>&1 || true
	pg_stop
	rm -rf "$work"
}
trap cleanup EXIT
[ -z "${WN_IT_KEEP:-}" ] || trap "repo_stop || true; pg_stop" EXIT

# status DESC WANT GOT - the HTTP status was WANT
status() {
	if [ "$3" = "$2" ]; then
		ok "$1 ($3)"
	else
		fail "$1: got $3, want $2: $(head -c 300 "$REPO_BODY")"
	fi
}

# equal DESC WANT EXPR - the JSON answer in $REPO_BODY has EXPR == WANT
equal() {
	_got=$(repo_json "$REPO_BODY" "$3" 2>&1) || true
	if [ "$_got" = "$2" ]; then
		ok "$1 ($3 = $2)"
	else
		fail "$1: $3 is $_got, want $2"
	fi
}

# body_has DESC TEXT - the answer contains TEXT
body_has() {
	if grep -q -- "$2" "$REPO_BODY"; then
		ok "$1"
	else
		fail "$1: no '$2' in $(head -c 300 "$REPO_BODY")"
	fi
}

hexid() {
	printf '%032x' "$1"
}

now_iso() {
	date -u -d "@$(($(date +%s) + ${1:-0}))" +%Y-%m-%dT%H:%M:%SZ
}

# The bulk section one report carries: ham and spam, each checked,
# exempt, flagged, low, medium, high, senders, attachment.
BULK='"bulk":{"ham":{"checked":120,"exempt":4,"flagged":6,"low":5,"medium":1,"high":0,"senders":2,"attachment":0},"spam":{"checked":60,"exempt":0,"flagged":21,"low":8,"medium":6,"high":4,"senders":9,"attachment":3}},'

# with_bulk IN OUT [SECTION] - the report IN with a bulk section
with_bulk() {
	sed "s/\"rules\":\[/${3:-$BULK}\"rules\":[/" "$1" >"$2"
}

# fp_items N... - bulk_fingerprints items of fingerprints N (0-255):
# digest d0000000000000NN, bands b00000000000NN00 to ...NN0f
fp_items() {
	_sep=
	for _n in "$@"; do
		printf '%s{"d":"d0000000000000%02x","b":[' "$_sep" "$_n"
		_j=0
		while [ $_j -lt 16 ]; do
			[ $_j -eq 0 ] || printf ','
			printf '"b00000000000%02x%02x"' "$_n" "$_j"
			_j=$((_j + 1))
		done
		printf ']}'
		_sep=,
	done
}

# coop IN OUT VERSION N... - the report IN at sharing cooperative with the
# fingerprints N of fingerprint version VERSION
coop() {
	_in=$1 _out=$2 _v=$3
	shift 3
	sed "s/\"sharing\":\"standard\"/\"sharing\":\"cooperative\"/;
s/}\$/,\"bulk_fingerprints\":{\"fingerprint_version\":$_v,\"items\":[$(fp_items "$@")],\"dropped\":0}}/" \
	    "$_in" >"$_out"
}

# feed_keys - the keys of the feed in $REPO_BODY, space-separated
feed_keys() {
	repo_json "$REPO_BODY" "' '.join(json.loads(j['feed'])['keys'])"
}

# sign KEY REPORT OUT [repo_tool options] - a signed envelope into OUT
sign() {
	_k=$1 _r=$2 _o=$3
	shift 3
	"$REPO_TOOL" envelope --key "$_k" --report "$_r" "$@" >"$_o"
}

# suite LABEL DB_URL - every check against one database
suite() {
	L=$1
	DB=$2
	d=$work/$L
	mkdir -p "$d"
	echo "# --- $L: $DB"

	# --- reporters -----------------------------------------------------
	k1=$("$REPO_TOOL" keygen "$d" op1)
	k2=$("$REPO_TOOL" keygen "$d" op2)
	k3=$("$REPO_TOOL" keygen "$d" op3)
	k9=$("$REPO_TOOL" keygen "$d" stranger)
	got=$("$REPO" reporter add --db "$DB" --key "$d/op1.pub" \
	    --name "Operator One" --country de --operator-type isp)
	check "$L: reporter add prints the key id" [ "$got" = "$k1" ]
	got=$("$REPO" reporter add --db "$DB" --key "$d/op2.pub" \
	    --name "Operator Two" --country FR --operator-type hosting)
	check "$L: second reporter added" [ "$got" = "$k2" ]
	got=$("$REPO" reporter add --db "$DB" --key "$d/op3.pub" \
	    --name "Operator Three" --country DE --operator-type enterprise)
	check "$L: third reporter added" [ "$got" = "$k3" ]
	rc=0
	"$REPO" reporter add --db "$DB" --key "$d/op1.pub" --name again \
	    --country DE 2>"$d/err" || rc=$?
	check "$L: a key registered twice is refused (65)" [ "$rc" -eq 65 ]
	check "$L: ... naming the key" grep -q "$k1" "$d/err"
	rc=0
	"$REPO" reporter add --db "$DB" --key "$d/op1.pub" --name x \
	    --country Germany 2>"$d/err" || rc=$?
	check "$L: a bad country is refused (65)" [ "$rc" -eq 65 ]
	rc=0
	"$REPO" reporter add --db "$DB" --key "$d/none.pub" --name x \
	    --country DE 2>"$d/err" || rc=$?
	check "$L: a missing key file is refused (66), naming it" \
	    sh -c "[ $rc -eq 66 ] && grep -q none.pub '$d/err'"
	rc=0
	"$REPO" reporter add --db "$DB" --name x --country DE 2>"$d/err" ||
	    rc=$?
	check "$L: add without --key is a usage error (64)" [ "$rc" -eq 64 ]
	"$REPO" reporter list --db "$DB" >"$d/list"
	check "$L: reporter list has a header and three reporters" \
	    [ "$(wc -l <"$d/list")" -eq 4 ]
	check "$L: ... with key id, country, type and name" \
	    grep -q "^$k2 *FR *hosting .*Operator Two\$" "$d/list"
	rc=0
	"$REPO" reporter revoke --db "$DB" 0123456789abcdef 2>"$d/err" ||
	    rc=$?
	check "$L: revoking an unknown key fails (65)" [ "$rc" -eq 65 ]

	repo_start "$d" "$DB" --max-body 65536 --max-skew 900 || {
		fail "$L: winnow-repository serve starts"
		return 0
	}
	ok "$L: winnow-repository serve starts"

	# --- intake ----------------------------------------------------------
	repo_report "$(hexid 1)" "$k1" 2026-11-02 1 DE isp >"$d/r1.json"
	repo_report "$(hexid 2)" "$k2" 2026-11-02 2 FR hosting >"$d/r2old.json"
	with_bulk "$d/r2old.json" "$d/r2.json"
	repo_report "$(hexid 3)" "$k1" 2026-11-10 3 DE isp >"$d/r3.json"
	repo_report "$(hexid 4)" "$k3" 2026-11-03 1 DE education >"$d/r4.json"
	sign "$d/op1.key" "$d/r1.json" "$d/e1.json"
	status "$L: a valid report is stored" 201 "$(repo_post "$d/e1.json")"
	equal "$L: ... the answer says stored" stored "j['status']"
	equal "$L: ... with its report_id" "$(hexid 1)" "j['report_id']"
	sign "$d/op2.key" "$d/r2.json" "$d/e2.json"
	status "$L: second report" 201 "$(repo_post "$d/e2.json")"
	sign "$d/op1.key" "$d/r3.json" "$d/e3.json"
	status "$L: third report" 201 "$(repo_post "$d/e3.json")"
	sign "$d/op3.key" "$d/r4.json" "$d/e4.json"
	status "$L: fourth report" 201 "$(repo_post "$d/e4.json")"

	repo_get "/api/v1/stats?from=2026-11-01&to=2026-11-30" >/dev/null
	cp "$REPO_BODY" "$d/before.json"
	sign "$d/op1.key" "$d/r1.json" "$d/e1b.json"
	status "$L: the same report signed anew is a duplicate" 200 \
	    "$(repo_post "$d/e1b.json")"
	equal "$L: ... the answer says duplicate" duplicate "j['status']"
	repo_get "/api/v1/stats?from=2026-11-01&to=2026-11-30" >/dev/null
	check "$L: ... and the statistics did not change" \
	    cmp -s "$d/before.json" "$REPO_BODY"
	status "$L: the same envelope again is a replay" 409 \
	    "$(repo_post "$d/e1.json")"
	body_has "$L: ... the answer says replay" replay
	repo_report "$(hexid 5)" "$k1" 2026-11-04 1 >"$d/r5.json"
	sign "$d/op1.key" "$d/r5.json" "$d/stale.json" \
	    --signed-at "$(now_iso -3600)"
	status "$L: signed an hour ago is stale" 409 \
	    "$(repo_post "$d/stale.json")"
	body_has "$L: ... the answer says stale" stale
	sign "$d/op1.key" "$d/r5.json" "$d/future.json" \
	    --signed-at "$(now_iso 3600)"
	status "$L: signed an hour ahead is stale too" 409 \
	    "$(repo_post "$d/future.json")"
	sign "$d/op1.key" "$d/r5.json" "$d/tampered.json" --tamper
	status "$L: a tampered report does not verify" 401 \
	    "$(repo_post "$d/tampered.json")"
	body_has "$L: ... the answer says so" "does not verify"
	repo_report "$(hexid 6)" "$k9" 2026-11-04 1 >"$d/r9.json"
	sign "$d/stranger.key" "$d/r9.json" "$d/unknown.json"
	status "$L: an unregistered key is refused" 401 \
	    "$(repo_post "$d/unknown.json")"
	body_has "$L: ... naming the key" "$k9"
	# op2's key signing a report that says it is op1's
	sign "$d/op2.key" "$d/r5.json" "$d/wrongkey.json"
	status "$L: a report whose key_id is not the envelope's" 400 \
	    "$(repo_post "$d/wrongkey.json")"
	body_has "$L: ... names key_id" key_id
	"$REPO" reporter revoke --db "$DB" "$k3" >/dev/null
	check "$L: reporter revoke" [ $? -eq 0 ]
	"$REPO" reporter list --db "$DB" >"$d/list"
	check "$L: ... the list shows when" \
	    grep -q "^$k3 .* 20[0-9-]*T[0-9:]*Z  Operator Three" "$d/list"
	repo_report "$(hexid 7)" "$k3" 2026-11-04 1 >"$d/r7.json"
	sign "$d/op3.key" "$d/r7.json" "$d/revoked.json"
	status "$L: a revoked key is refused" 403 \
	    "$(repo_post "$d/revoked.json")"
	printf '{"format":"winnow-signed-report-1","key_id":' >"$d/bad.json"
	status "$L: malformed JSON" 400 "$(repo_post "$d/bad.json")"
	printf '{"format":"winnow-signed-report-2","key_id":"%s"}' "$k1" \
	    >"$d/badfmt.json"
	status "$L: an unknown envelope format" 400 \
	    "$(repo_post "$d/badfmt.json")"
	sed 's/"sharing":"standard"/"sharing":"everything"/' "$d/r5.json" \
	    >"$d/schema.json"
	sign "$d/op1.key" "$d/schema.json" "$d/eschema.json"
	status "$L: a schema violation" 400 "$(repo_post "$d/eschema.json")"
	body_has "$L: ... naming the property" sharing
	with_bulk "$d/r5.json" "$d/bulkbad.json" \
	    "$(echo "$BULK" | sed 's/"checked":60/"checked":20/')"
	sign "$d/op1.key" "$d/bulkbad.json" "$d/ebulkbad.json"
	status "$L: more spam flagged as bulk than checked" 400 \
	    "$(repo_post "$d/ebulkbad.json")"
	body_has "$L: ... naming bulk.spam" \
	    "bulk.spam: flagged (21) exceeds checked (20)"
	sed 's/"start":"2026-11-04T00:00:00Z"/"start":"2026-11-05T00:00:00Z"/' \
	    "$d/r5.json" >"$d/backwards.json"
	sign "$d/op1.key" "$d/backwards.json" "$d/ebackwards.json"
	status "$L: a period ending before it starts" 400 \
	    "$(repo_post "$d/ebackwards.json")"
	sed 's/"total":100,/"total":101,/' "$d/r1.json" >"$d/r1other.json"
	sign "$d/op1.key" "$d/r1other.json" "$d/conflict.json"
	status "$L: a stored report_id with other content" 409 \
	    "$(repo_post "$d/conflict.json")"
	body_has "$L: ... the answer says conflict" conflict
	sign "$d/op1.key" "$d/r5.json" "$d/e5.json"
	status "$L: a wrong content type" 415 \
	    "$(repo_post "$d/e5.json" text/plain)"
	head -c 70000 /dev/zero | tr '\0' ' ' >"$d/huge.json"
	status "$L: a body over the limit" 413 "$(repo_post "$d/huge.json")"
	rc=$(curl -s -o "$REPO_BODY" -w '%{http_code}' \
	    -H 'Content-Type: application/json' \
	    -H 'Transfer-Encoding: chunked' --data-binary @"$d/huge.json" \
	    "$REPO_URL/api/v1/reports")
	status "$L: a chunked body over the limit" 413 "$rc"
	status "$L: the refused report can still be sent" 201 \
	    "$(repo_post "$d/e5.json")"

	# --- statistics --------------------------------------------------------
	# Stored: r1 (op1 DE isp, 11-02, x1), r2 (op2 FR hosting, 11-02, x2),
	# r3 (op1, 11-10, x3), r4 (op3 DE enterprise, 11-03, x1), r5 (op1,
	# 11-04, x1): 8 units of every count.
	q="/api/v1/stats?from=2026-11-01&to=2026-11-30"
	status "$L: stats" 200 "$(repo_get "$q")"
	equal "$L: reports" 5 "j['reports']"
	equal "$L: reporters" 3 "j['reporters']"
	equal "$L: messages" 800 "j['totals']['messages']"
	equal "$L: scanned" 720 "j['totals']['scanned']"
	equal "$L: spam" 240 "j['totals']['spam']"
	equal "$L: ham" 480 "j['totals']['ham']"
	equal "$L: spam share" 0.3333 "j['totals']['spam_share']"
	equal "$L: reject" 160 "j['totals']['action']['reject']"
	equal "$L: quarantine" 80 "j['totals']['action']['quarantine']"
	equal "$L: subject" 0 "j['totals']['action']['subject']"
	equal "$L: spf pass" 400 "j['totals']['spf']['pass']"
	equal "$L: spf not_checked" 160 "j['totals']['spf']['not_checked']"
	equal "$L: spf pass share" 0.7143 "j['totals']['spf_pass_share']"
	equal "$L: source countries by spam" \
	    '[["US", 320, 160], ["DE", 400, 80]]' \
	    "[[c['country'], c['messages'], c['spam']] for c in j['totals']['source_countries']]"
	equal "$L: rules by spam" '[["BAYES_99", 200, 0], ["WN_TEST", 24, 16]]' \
	    "[[r['name'], r['spam'], r['ham']] for r in j['totals']['rules']]"
	equal "$L: a day per bucket, no gaps" 30 "len(j['series'])"
	equal "$L: 2 November" '["2026-11-02", 2, 300]' \
	    "[j['series'][1][k] for k in ('period', 'reporters', 'messages')]"
	equal "$L: an empty day has zeros" '[0, 0, null]' \
	    "[j['series'][0][k] for k in ('messages', 'reporters', 'spam_share')]"
	equal "$L: 10 November" '[150, 210, 90]' \
	    "[j['series'][9][k] for k in ('spf_pass', 'spf_checked', 'spam')]"
	equal "$L: bulk, from the one report with it" \
	    '[120, 4, 6, 5, 1, 0, 2, 0, 60, 0, 21, 8, 6, 4, 9, 3]' \
	    "list(j['totals']['bulk']['ham'].values()) + list(j['totals']['bulk']['spam'].values())"
	equal "$L: bulk share of the checked, not of all mail" 0.15 \
	    "j['totals']['bulk_share']"
	equal "$L: bulk on 2 November" '[180, 27]' \
	    "[j['series'][1][k] for k in ('bulk_checked', 'bulk_flagged')]"
	equal "$L: no bulk on 10 November" '[0, 0]' \
	    "[j['series'][9][k] for k in ('bulk_checked', 'bulk_flagged')]"
	status "$L: stats by week" 200 "$(repo_get "$q&group=week")"
	equal "$L: ISO weeks 44 to 49" \
	    '["2026-W44", "2026-W45", "2026-W46", "2026-W47", "2026-W48", "2026-W49"]' \
	    "[b['period'] for b in j['series']]"
	equal "$L: week 45 starts on Monday 2 November" 2026-11-02 \
	    "j['series'][1]['start']"
	equal "$L: week 45 sums three reports of three reporters" '[500, 3]' \
	    "[j['series'][1]['messages'], j['series'][1]['reporters']]"
	equal "$L: week 46" '[300, 1]' \
	    "[j['series'][2]['messages'], j['series'][2]['reporters']]"
	status "$L: stats by month" 200 "$(repo_get "$q&group=month")"
	equal "$L: one month" '[["2026-11", 800, 3]]' \
	    "[[b['period'], b['messages'], b['reporters']] for b in j['series']]"
	status "$L: country filter" 200 "$(repo_get "$q&country=de")"
	equal "$L: DE reporters' reports" '["DE", 600, 4, 2]' \
	    "[j['country'], j['totals']['messages'], j['reports'], j['reporters']]"
	equal "$L: ... none of them counted bulk" '[0, null]' \
	    "[j['totals']['bulk']['spam']['checked'], j['totals']['bulk_share']]"
	status "$L: operator type filter" 200 \
	    "$(repo_get "$q&operator_type=hosting")"
	equal "$L: hosting" '["hosting", 200, 1]' \
	    "[j['operator_type'], j['totals']['messages'], j['reporters']]"
	equal "$L: ... with its bulk detections" '[21, 6]' \
	    "[j['totals']['bulk']['spam']['flagged'], j['totals']['bulk']['ham']['flagged']]"
	status "$L: both filters" 200 \
	    "$(repo_get "$q&country=DE&operator_type=isp&group=week")"
	equal "$L: DE isp" '[500, 200, 300]' \
	    "[j['totals']['messages'], j['series'][1]['messages'], j['series'][2]['messages']]"
	equal "$L: a filter matching nobody" 0 \
	    "0 if '$(repo_get "$q&country=JP")' == '200' and j['totals']['messages'] == 0 else 1"
	status "$L: limit on rules" 200 "$(repo_get "$q&limit=1")"
	equal "$L: ... one rule" 1 "len(j['totals']['rules'])"
	for bad in "from=2026-13-01:from" "to=yesterday:to" "group=year:group" \
	    "country=DEU:country" "operator_type=army:operator_type" \
	    "limit=0:limit" "from=2026-12-01&to=2026-11-01:to"; do
		status "$L: bad ${bad%%:*}" 400 \
		    "$(repo_get "/api/v1/stats?${bad%%:*}")"
		body_has "$L: ... names ${bad##*:}" "parameter ${bad##*:}"
	done
	status "$L: the CSV export" 200 \
	    "$(repo_get "/api/v1/export.csv?from=2026-11-01&to=2026-11-30")"
	check "$L: ... header line" \
	    sh -c "head -n 1 '$REPO_BODY' | grep -qx 'period,metric,key,value'"
	for row in "2026-11-02,messages,total,300" \
	    "2026-11-02,reporters,distinct,2" "2026-11-02,reports,count,2" \
	    "2026-11-10,verdict,spam,90" "2026-11-03,action,reject,20" \
	    "2026-11-02,spf,pass,150" "2026-11-02,source_country,US,120" \
	    "2026-11-02,rule_spam,BAYES_99,75" "2026-11-30,messages,total,0" \
	    "2026-11-02,bulk_spam,flagged,21" "2026-11-02,bulk_ham,exempt,4" \
	    "2026-11-03,bulk_spam,flagged,0"; do
		check "$L: ... row $row" grep -qx "$row" "$REPO_BODY"
	done
	status "$L: the CSV export by month" 200 \
	    "$(repo_get "/api/v1/export.csv?from=2026-11-01&to=2026-11-30&group=month&country=DE")"
	check "$L: ... row 2026-11,messages,total,600" \
	    grep -qx "2026-11,messages,total,600" "$REPO_BODY"
	check "$L: ... the bulk rows end the bucket" \
	    sh -c "tail -n 1 '$REPO_BODY' | grep -qx '2026-11,bulk_spam,attachment,0'"
	status "$L: the CSV export with a bad parameter" 400 \
	    "$(repo_get "/api/v1/export.csv?group=fortnight")"

	# --- the rest ----------------------------------------------------------
	status "$L: no bulk feed without --feed-key" 404 \
	    "$(repo_get /api/v1/bulk/feed)"
	equal "$L: ... saying so" "no bulk feed on this repository" \
	    "j['error']"
	status "$L: health" 200 "$(repo_get /api/v1/health)"
	equal "$L: ... ok" ok "j['status']"
	status "$L: an unknown path" 404 "$(repo_get /api/v2/stats)"
	equal "$L: ... as JSON" "no such path" "j['error']"
	rc=$(curl -s -o "$REPO_BODY" -w '%{http_code}' -X DELETE \
	    "$REPO_URL/api/v1/reports")
	status "$L: a wrong method" 405 "$rc"
	rc=$(curl -s -o "$REPO_BODY" -w '%{http_code}' "$REPO_URL/api/v1/reports")
	status "$L: GET on the intake" 405 "$rc"
	status "$L: the dashboard" 200 \
	    "$(repo_get "/?from=2026-11-01&to=2026-11-30&country=DE")"
	check "$L: ... is an HTML page with SVG" \
	    sh -c "grep -qi '<html' '$REPO_BODY' && grep -qi '<svg' '$REPO_BODY'"
	check "$L: ... DE counted no bulk, and says so" \
	    grep -q 'id="no-bulk"' "$REPO_BODY"
	status "$L: the dashboard for FR" 200 \
	    "$(repo_get "/?from=2026-11-01&to=2026-11-30&country=FR")"
	check "$L: ... bulk share 15.0% of 180 checked" grep -q \
	    'id="bulk-share">15.0%</dd><dd class="note">of 180 checked' \
	    "$REPO_BODY"
	check "$L: ... and the bulk chart" grep -q 'id="chart-bulk"' \
	    "$REPO_BODY"
	status "$L: the dashboard with a bad parameter" 400 \
	    "$(repo_get "/?group=year")"
	check "$L: no report content in the access log" \
	    sh -c "! grep -q BAYES_99 '$REPO_LOG'"
	check "$L: one access line per request" \
	    grep -q "GET /api/v1/stats 200 [0-9.]* ms" "$REPO_LOG"
	check "$L: SIGTERM stops the server cleanly" repo_stop
	check "$L: no sanitizer report in the server's log" \
	    sh -c "! grep -q 'Sanitizer\|runtime error' '$REPO_LOG'"
	bulk_suite
}

# bulk_suite - the bulk feed, on the database and reporters of suite
bulk_suite() {
	today=$(date -u +%Y-%m-%d)
	fk=$("$REPO" feed-keygen "$d" | sed -n 's/^key id //p')
	check "$L: feed-keygen prints the key id" \
	    sh -c "[ -n '$fk' ] && [ -f '$d/bulk-feed.key' ] && [ -f '$d/bulk-feed.pub' ]"
	rc=0
	"$REPO" feed-keygen "$d" 2>"$d/err" || rc=$?
	check "$L: ... and keeps a key that is there (73)" [ "$rc" -eq 73 ]
	k4=$("$REPO_TOOL" keygen "$d" op4)
	"$REPO" reporter add --db "$DB" --key "$d/op4.pub" --name "Four" \
	    --country NL >/dev/null
	repo_start "$d" "$DB" --feed-key "$d/bulk-feed.key" || {
		fail "$L: serve --feed-key starts"
		return 0
	}
	ok "$L: serve --feed-key starts"
	# op1 and op2 saw fingerprints 1 and 2, op4 only 1, op1 1 again; the
	# reports count no messages (today may be in the statistics above)
	repo_report "$(hexid 31)" "$k1" "$today" 0 >"$d/b1.json"
	coop "$d/b1.json" "$d/cb1.json" 2 1 2
	repo_report "$(hexid 32)" "$k2" "$today" 0 >"$d/b2.json"
	coop "$d/b2.json" "$d/cb2.json" 2 1 2
	repo_report "$(hexid 33)" "$k4" "$today" 0 >"$d/b3.json"
	coop "$d/b3.json" "$d/cb3.json" 2 1
	repo_report "$(hexid 34)" "$k1" "$today" 0 >"$d/b4.json"
	coop "$d/b4.json" "$d/cb4.json" 2 1
	# op2 saw 3 with another fingerprint version, op4 saw it too
	repo_report "$(hexid 35)" "$k2" "$today" 0 >"$d/b5.json"
	coop "$d/b5.json" "$d/cb5.json" 99 3
	repo_report "$(hexid 36)" "$k4" "$today" 0 >"$d/b6.json"
	coop "$d/b6.json" "$d/cb6.json" 2 3
	n=1
	for who in op1:cb1 op2:cb2 op4:cb3 op1:cb4 op2:cb5 op4:cb6; do
		sign "$d/${who%%:*}.key" "$d/${who##*:}.json" "$d/eb$n.json"
		status "$L: a cooperative report with bulk_fingerprints ($n)" \
		    201 "$(repo_post "$d/eb$n.json")"
		n=$((n + 1))
	done
	sign "$d/op1.key" "$d/cb1.json" "$d/eb1again.json"
	status "$L: ... sent again, a duplicate" 200 \
	    "$(repo_post "$d/eb1again.json")"
	repo_report "$(hexid 37)" "$k1" "$today" 0 >"$d/b7.json"
	coop "$d/b7.json" "$d/cb7.json" 2 1
	sed 's/"sharing":"cooperative"/"sharing":"standard"/' "$d/cb7.json" \
	    >"$d/sb7.json"
	sign "$d/op1.key" "$d/sb7.json" "$d/esb7.json"
	status "$L: bulk_fingerprints at standard sharing" 400 \
	    "$(repo_post "$d/esb7.json")"
	body_has "$L: ... naming the member and the level" \
	    'bulk_fingerprints: only a report at sharing level'
	sed 's/"d":"d000000000000001"/"d":"D000000000000001"/' "$d/cb7.json" \
	    >"$d/xb7.json"
	sign "$d/op1.key" "$d/xb7.json" "$d/exb7.json"
	status "$L: a key in capitals" 400 "$(repo_post "$d/exb7.json")"
	body_has "$L: ... naming it" 'bulk_fingerprints.items\[0\].d'

	status "$L: the bulk feed" 200 "$(repo_get /api/v1/bulk/feed)"
	cp "$REPO_BODY" "$d/feed1.json"
	got=$("$REPO_TOOL" feed-verify --key "$d/bulk-feed.pub" "$d/feed1.json")
	check "$L: ... verifies under the feed key: fingerprint 1 of three reporters" \
	    [ "$got" = "digests 1 bands 16 min_reporters 3 key_id $fk" ]
	check "$L: ... not under another key" \
	    sh -c "! '$REPO_TOOL' feed-verify --key '$d/op1.pub' '$d/feed1.json' 2>/dev/null"
	keys=$(feed_keys)
	check "$L: ... the keys sorted, bands first" sh -c \
	    "[ '$(echo "$keys" | cut -d' ' -f1)' = b:b000000000000100 ] && [ '$(echo "$keys" | cut -d' ' -f17)' = d:d000000000000001 ]"
	check "$L: ... two reporters and another version are not enough" \
	    sh -c "! echo '$keys' | grep -q 'd:d000000000000002\|d:d000000000000003'"
	equal "$L: ... min_reporters 3" 3 \
	    "json.loads(j['feed'])['min_reporters']"
	etag=$(curl -s -D - -o /dev/null "$REPO_URL/api/v1/bulk/feed" |
	    sed -n 's/^[Ee][Tt][Aa][Gg]: *//p' | tr -d '\r')
	check "$L: ... with an ETag" sh -c "[ -n '$etag' ]"
	check "$L: ... Cache-Control: max-age=60" sh -c \
	    "curl -s -D - -o /dev/null '$REPO_URL/api/v1/bulk/feed' | grep -qi '^cache-control: max-age=60'"
	rm -f "$REPO_BODY"
	rc=$(curl -s -o "$REPO_BODY" -w '%{http_code}' \
	    -H "If-None-Match: $etag" "$REPO_URL/api/v1/bulk/feed")
	status "$L: ... If-None-Match: 304" 304 "$rc"
	check "$L: ... without a body" [ ! -s "$REPO_BODY" ]

	"$REPO" bulk list --db "$DB" >"$d/blist" 2>&1
	check "$L: bulk list: the feed's key with its reporters" \
	    grep -q '^d:d000000000000001  *3  feed$' "$d/blist"
	check "$L: ... not the ones below" \
	    sh -c "! grep -q d000000000000002 '$d/blist'"
	"$REPO" bulk list --db "$DB" --all >"$d/blist"
	check "$L: bulk list --all: the ones below too" \
	    grep -q '^d:d000000000000002  *2  below$' "$d/blist"
	check "$L: ... counting only this fingerprint version" \
	    grep -q '^d:d000000000000003  *1  below$' "$d/blist"
	got=$("$REPO" bulk block --db "$DB" d:d000000000000001 \
	    --reason "the town newsletter")
	check "$L: bulk block" [ "$got" = "d:d000000000000001 blocked" ]
	status "$L: the feed at once after a block" 200 \
	    "$(repo_get /api/v1/bulk/feed)"
	check "$L: ... without the text: its digest and its bands" \
	    [ -z "$(feed_keys)" ]
	rc=$(curl -s -o "$REPO_BODY" -w '%{http_code}' \
	    -H "If-None-Match: $etag" "$REPO_URL/api/v1/bulk/feed")
	status "$L: ... the old ETag no longer matches" 200 "$rc"
	rc=0
	"$REPO" bulk block --db "$DB" d:d000000000000001 --reason again \
	    2>"$d/err" || rc=$?
	check "$L: blocking it again: 65" [ "$rc" -eq 65 ]
	rc=0
	"$REPO" bulk block --db "$DB" d:xyz --reason x 2>"$d/err" || rc=$?
	check "$L: a key that is not one: 65" [ "$rc" -eq 65 ]
	rc=0
	"$REPO" bulk block --db "$DB" d:d000000000000002 2>"$d/err" || rc=$?
	check "$L: block without --reason: 64" [ "$rc" -eq 64 ]
	"$REPO" bulk list --db "$DB" >"$d/blist"
	check "$L: bulk list: the blocked key, its reporters, when and why" \
	    grep -q '^d:d000000000000001  *3  20[0-9-]*T[0-9:]*Z  the town newsletter$' \
	    "$d/blist"
	check "$L: ... and not in the feed's part" \
	    sh -c "! grep -q 'd:d000000000000001 .* feed$' '$d/blist'"
	got=$("$REPO" bulk unblock --db "$DB" d:d000000000000001)
	check "$L: bulk unblock" [ "$got" = "d:d000000000000001 unblocked" ]
	status "$L: the feed at once after an unblock" 200 \
	    "$(repo_get /api/v1/bulk/feed)"
	check "$L: ... has the text again" \
	    [ "$(feed_keys | wc -w)" -eq 17 ]
	got=$("$REPO" bulk block --db "$DB" b:b000000000000100 \
	    --reason "one band")
	check "$L: bulk block of a band" [ "$got" = "b:b000000000000100 blocked" ]
	status "$L: the feed after it" 200 "$(repo_get /api/v1/bulk/feed)"
	check "$L: ... without that band, with the rest" sh -c \
	    "[ \"\$(echo '$(feed_keys)' | wc -w)\" -eq 16 ] && ! echo '$(feed_keys)' | grep -q b:b000000000000100"
	rc=0
	"$REPO" bulk unblock --db "$DB" d:d000000000000001 2>"$d/err" || rc=$?
	check "$L: unblocking a key that is not blocked: 65" [ "$rc" -eq 65 ]
	rc=$(curl -s -o "$REPO_BODY" -w '%{http_code}' -X POST \
	    "$REPO_URL/api/v1/bulk/feed")
	status "$L: POST on the feed" 405 "$rc"
	check "$L: SIGTERM stops the feeding server cleanly" repo_stop
	check "$L: ... no sanitizer report" \
	    sh -c "! grep -q 'Sanitizer\|runtime error' '$REPO_LOG'"
}

# --- SQLite ------------------------------------------------------------------
suite sqlite "sqlite:$work/repo.sqlite"
rc=0
"$REPO" reporter list --db "sqlite:$work/nodir/x/repo.sqlite" \
    2>"$work/err" || rc=$?
check "sqlite: a database that cannot be opened: 69, naming it" \
    sh -c "[ $rc -eq 69 ] && grep -q nodir '$work/err'"
rc=0
"$REPO" serve --listen 127.0.0.1 --db "sqlite:$work/repo.sqlite" \
    2>"$work/err" || rc=$?
check "serve: a listen address without port is a usage error (64)" \
    [ "$rc" -eq 64 ]
rc=0
"$REPO" serve --listen 127.0.0.1:0 --db "mysql://x" 2>"$work/err" || rc=$?
check "serve: an unknown database kind is a usage error (64)" \
    [ "$rc" -eq 64 ]

# --- HTTPS -------------------------------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/tls.key" \
    -out "$work/tls.crt" -days 2 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" >/dev/null 2>&1
if repo_start "$work" "sqlite:$work/repo.sqlite" --tls-cert "$work/tls.crt" \
    --tls-key "$work/tls.key"; then
	ok "tls: serve with a certificate"
	REPO_URL=https://localhost:$REPO_PORT
	rc=$(CURL_OPTS="--cacert $work/tls.crt" repo_get /api/v1/health)
	status "tls: health over https, the certificate verified" 200 "$rc"
	rc=$(CURL_OPTS="--cacert $work/tls.crt" repo_get \
	    "/api/v1/stats?from=2026-11-01&to=2026-11-30")
	status "tls: stats over https" 200 "$rc"
	equal "tls: ... the same database" 800 "j['totals']['messages']"
	repo_report "$(hexid 11)" "$(cat "$work/sqlite/op1.pub" >/dev/null;
	    "$REPO" reporter list --db "sqlite:$work/repo.sqlite" |
	    sed -n 's/^\([0-9a-f]*\) .*Operator One$/\1/p')" 2026-11-20 1 \
	    >"$work/r11.json"
	sign "$work/sqlite/op1.key" "$work/r11.json" "$work/e11.json"
	rc=$(CURL_OPTS="--cacert $work/tls.crt" repo_post "$work/e11.json")
	status "tls: a report over https" 201 "$rc"
	rc=0
	curl -s -o /dev/null "http://127.0.0.1:$REPO_PORT/api/v1/health" ||
	    rc=$?
	check "tls: plain http is not answered" [ "$rc" -ne 0 ]
	rc=0
	curl -s -o /dev/null "https://localhost:$REPO_PORT/api/v1/health" ||
	    rc=$?
	check "tls: an unknown certificate is refused by curl" [ "$rc" -ne 0 ]
	check "tls: SIGTERM stops it" repo_stop
else
	fail "tls: serve with a certificate"
fi

# --- PostgreSQL --------------------------------------------------------------
if _pg_find_bin; then
	if pg_start "$work"; then
		ok "postgresql: a private server in $work"
		suite postgresql "$PG_URL"
		check "postgresql: the rollups are in PostgreSQL" \
		    [ "$(pg_psql "SELECT SUM(value) FROM rollup_all WHERE metric = 'messages' AND key = 'total'")" = 800 ]
		check "postgresql: the bulk rollups are in PostgreSQL" \
		    [ "$(pg_psql "SELECT SUM(value) FROM rollup_all WHERE metric = 'bulk_spam' AND key = 'flagged'")" = 21 ]
		check "postgresql: the schema version is recorded" \
		    [ "$(pg_psql "SELECT version FROM schema_version")" = 3 ]
		check "postgresql: the bulk keys are in PostgreSQL, once per reporter and day" \
		    [ "$(pg_psql "SELECT COUNT(*) FROM bulk_keys WHERE kind = 'd' AND key = x'd000000000000001'::bigint")" = 3 ]
		check "postgresql: ... under their fingerprint version" \
		    [ "$(pg_psql "SELECT COUNT(*) FROM bulk_keys WHERE fingerprint_version = 99")" = 17 ]
		check "postgresql: three blocks and an unblock raised the generation" \
		    [ "$(pg_psql "SELECT generation FROM bulk_state")" = 3 ]
		# a version-2 database: the same without the bulk tables
		pg_psql "DROP TABLE bulk_keys, bulk_blocks, bulk_state; UPDATE schema_version SET version = 2" >/dev/null
		check "postgresql: a version-2 database opens" \
		    "$REPO" bulk list --db "$PG_URL" >/dev/null
		check "postgresql: ... upgraded to version 3" \
		    [ "$(pg_psql "SELECT version FROM schema_version")" = 3 ]
		check "postgresql: ... with the bulk tables" \
		    [ "$(pg_psql "SELECT COUNT(*) FROM bulk_keys") $(pg_psql "SELECT generation FROM bulk_state")" = "0 0" ]
		check "postgresql: ... and its reports" \
		    [ "$(pg_psql "SELECT COUNT(*) FROM reports")" -gt 5 ]
		pg_stop
		rc=0
		"$REPO" reporter list --db "$PG_URL" 2>"$work/err" || rc=$?
		check "postgresql: a server that is down: 69, naming the database" \
		    sh -c "[ $rc -eq 69 ] && grep -q 'postgresql://' '$work/err'"
	else
		fail "postgresql: a private server starts"
	fi
	check_done
else
	echo "# PostgreSQL binaries not found: the PostgreSQL half is skipped"
	check_done || exit 1
	exit 77
fi
