#!/bin/sh
# test_repository_rulesets.sh - winnow-repository's rule-set channels end
# to end, over HTTP, against SQLite and against a real PostgreSQL server:
# the same checks on both.
#
# usage: test_repository_rulesets.sh WINNOW_REPOSITORY WINNOW SOURCE_DIR
#            RULESET_TOOL REPO_TOOL
#
# Maintainers are registered, listed and revoked with the command line;
# rule sets are made here, packed and signed by `winnow rules`, posted
# with curl (and once with `winnow rules publish` and `promote`);
# promotions are signed by ruleset_tool. Checks: publish 201
# then 200, list, one set, latest per channel, promote (200, again 200),
# the package's bytes and ETag, a newer version, and every refusal with
# its status and nothing stored: 409 older and same version, 400
# tampered, not gzip, path traversal and symlink members, a rule that
# does not compile (details naming FILE:LINE), failing tests, a newer
# min-engine, 403 unknown, revoked and foreign keys, 413 over 8 MiB, 415,
# promotions with a bad signature or a stale time (403), unknown versions
# (404), bad names in paths (400), revoked versions (410, skipped by
# latest); the dashboard's rule-set tables with a rule's hits from a
# report; the temporary folder left empty; an old PostgreSQL schema
# upgraded in place. Exit 0 pass, 1 fail, 77 skipped (not root, or no
# curl or python3; no PostgreSQL binaries: the SQLite half still runs and
# fails the test if it fails).
set -eu
REPO=$1
WINNOW=$2
SRC=$3
RS_TOOL=$4
REPO_TOOL=$5
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/check.sh"
. "$here/lib/pg.sh"
. "$here/lib/repo.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "test_repository_rulesets.sh: not root; skipping"
	exit 77
fi
for t in curl python3 sha256sum; do
	if ! command -v $t >/dev/null 2>&1; then
		echo "test_repository_rulesets.sh: $t not found; skipping"
		exit 77
	fi
done

work=$(mktemp -d /tmp/wn-rs-XXXXXX)
cleanup() {
	repo_stop >/dev/null 2>&1 || true
	pg_stop
	rm -rf "$work"
}
trap cleanup EXIT

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

# mkset DIR NAME VERSION [FLAW] - a rule-set folder DIR/NAME-VERSION[-FLAW]
# with one rule, WN_TEST, and a hit and a miss test; FLAW regex: the rule
# does not compile (line 2), test: its hit test does not hit, engine:
# min-engine 99.0.0
mkset() {
	_d=$1/$2-$3${4:+-$4}
	rm -rf "$_d"
	mkdir -p "$_d/tests"
	_eng=0.1.0
	[ "${4:-}" = engine ] && _eng=99.0.0
	printf 'name: %s\nversion: %s\nmaintainer: Test <t@example.org>\n%s\n' \
	    "$2" "$3" "licence: MIT" >"$_d/manifest"
	printf 'min-engine: %s\ndescription: a demonstration set\n' "$_eng" \
	    >>"$_d/manifest"
	_rx='/cheap pills/i'
	[ "${4:-}" = regex ] && _rx='/cheap (pills/i'
	printf '# the only rule\nbody WN_TEST %s\nscore WN_TEST 2.0\n' "$_rx" \
	    >"$_d/10_demo.cf"
	printf 'describe WN_TEST Offers cheap pills\n' >>"$_d/10_demo.cf"
	_body='Buy cheap pills now.'
	[ "${4:-}" = test ] && _body='Nothing to see.'
	printf '# hit: WN_TEST\nFrom: a@example.org\nTo: b@example.org\n%s\n\n%s\n' \
	    'Subject: offer' "$_body" >"$_d/tests/spam.eml"
	printf '# miss: WN_TEST\nFrom: c@example.org\nTo: d@example.org\n%s\n\n%s\n' \
	    'Subject: notes' 'The minutes of the meeting.' >"$_d/tests/ham.eml"
	echo "$_d"
}

# pkg SETDIR KEY OUT - pack and sign
pkg() {
	"$WINNOW" rules pack "$1" -o "$3" >/dev/null &&
	    "$WINNOW" rules sign "$3" --key "$2" >/dev/null
}

# rs_post FILE [CONTENT_TYPE] - POST a package; prints the status
rs_post() {
	curl -s -o "$REPO_BODY" -w '%{http_code}' \
	    -H "Content-Type: ${2:-application/gzip}" \
	    --data-binary @"$1" "$REPO_URL/api/v1/rulesets"
}

# rs_promote FILE NAME VERSION - POST a promotion; prints the status
rs_promote() {
	curl -s -o "$REPO_BODY" -w '%{http_code}' \
	    -H "Content-Type: application/json" \
	    --data-binary @"$1" "$REPO_URL/api/v1/rulesets/$2/$3/promote"
}

# versions NAME - how many versions of NAME are stored
versions() {
	repo_get "/api/v1/rulesets/$1" >/dev/null
	repo_json "$REPO_BODY" "len(j['versions'])" 2>/dev/null || echo 0
}

# craft OUT KIND - a gzip'd tar python writes: traversal (a member
# outside the top folder) or symlink (a link member)
craft() {
	python3 - "$1" "$2" <<'EOF'
import io, sys, tarfile
out, kind = sys.argv[1], sys.argv[2]
t = tarfile.open(out, "w:gz")
def add(name, data):
	i = tarfile.TarInfo(name)
	i.size = len(data)
	i.mode = 0o644
	t.addfile(i, io.BytesIO(data))
d = tarfile.TarInfo("demo-3.0.0")
d.type = tarfile.DIRTYPE
d.mode = 0o755
t.addfile(d)
add("demo-3.0.0/manifest", b"name: demo\nversion: 3.0.0\nmaintainer: x\n"
    b"licence: MIT\nmin-engine: 0.1.0\n")
if kind == "traversal":
	add("demo-3.0.0/../evil.cf", b"body EVIL /x/\n")
else:
	l = tarfile.TarInfo("demo-3.0.0/10_link.cf")
	l.type = tarfile.SYMTYPE
	l.linkname = "/etc/passwd"
	t.addfile(l)
t.close()
EOF
}

# tamper IN OUT - the signed package with one rule file changed and
# CHECKSUMS and the signature left as they were
tamper() {
	python3 - "$1" "$2" <<'EOF'
import io, sys, tarfile
src = tarfile.open(sys.argv[1], "r:gz")
dst = tarfile.open(sys.argv[2], "w:gz")
for m in src.getmembers():
	data = src.extractfile(m).read() if m.isfile() else None
	if m.name.endswith(".cf"):
		data = data.replace(b"2.0", b"9.0")
		m.size = len(data)
	dst.addfile(m, io.BytesIO(data) if data is not None else None)
dst.close()
EOF
}

# suite LABEL DB_URL - every check against one database
suite() {
	L=$1
	DB=$2
	d=$work/$L
	mkdir -p "$d/tmp"
	echo "# --- $L: $DB"

	# --- maintainers -----------------------------------------------------
	for k in alice alice2 bob mallory; do
		"$WINNOW" rules keygen --out "$d" --name $k >/dev/null
	done
	ka=$("$REPO" maintainer add --db "$DB" --name 'Winnow & <Friends>' \
	    --key "$d/alice.pub")
	check "$L: maintainer add prints the key id" \
	    sh -c "echo '$ka' | grep -qx '[0-9a-f]\{16\}'"
	ka2=$("$REPO" maintainer add --db "$DB" --name 'Winnow & <Friends>' \
	    --key "$d/alice2.pub")
	kb=$("$REPO" maintainer add --db "$DB" --name bob --key "$d/bob.pub")
	check "$L: three maintainers added" \
	    sh -c "[ -n '$ka2' ] && [ -n '$kb' ] && [ '$ka2' != '$ka' ]"
	rc=0
	"$REPO" maintainer add --db "$DB" --name again --key "$d/alice.pub" \
	    2>"$d/err" || rc=$?
	check "$L: a key registered twice is refused (65), naming it" \
	    sh -c "[ $rc -eq 65 ] && grep -q '$ka' '$d/err'"
	rc=0
	"$REPO" maintainer add --db "$DB" --name x 2>"$d/err" || rc=$?
	check "$L: add without --key is a usage error (64)" [ "$rc" -eq 64 ]
	rc=0
	"$REPO" maintainer add --db "$DB" --name x --key "$d/none.pub" \
	    2>"$d/err" || rc=$?
	check "$L: a missing key file (66)" [ "$rc" -eq 66 ]
	rc=0
	"$REPO" maintainer revoke --db "$DB" 0123456789abcdef 2>"$d/err" ||
	    rc=$?
	check "$L: revoking an unknown key fails (65)" [ "$rc" -eq 65 ]
	"$REPO" maintainer list --db "$DB" >"$d/list"
	check "$L: maintainer list has a header and three keys" \
	    [ "$(wc -l <"$d/list")" -eq 4 ]
	check "$L: ... with key id and name" \
	    grep -q "^$kb .* -  *bob\$" "$d/list"

	repo_start "$d" "$DB" --tmp-dir "$d/tmp" || {
		fail "$L: winnow-repository serve starts"
		return 0
	}
	ok "$L: winnow-repository serve starts"

	# --- publish, read, promote -------------------------------------------
	pkg "$(mkset "$d" demo 1.0.0)" "$d/alice.key" "$d/v1.tgz"
	sha1=$(sha256sum "$d/v1.tgz" | cut -d' ' -f1)
	status "$L: version 1.0.0 is published" 201 "$(rs_post "$d/v1.tgz")"
	equal "$L: ... in stage testing, with the package's sha256 and size, its signer, maintainer, one rule, two tests and url" \
	    "[\"testing\", \"$sha1\", $(wc -c <"$d/v1.tgz"), \"$ka\", \"Winnow & <Friends>\", 1, 2, \"/api/v1/rulesets/demo/1.0.0\"]" \
	    "[j[k] for k in ('stage', 'sha256', 'size', 'key_id', 'maintainer', 'rules', 'tests', 'url')]"
	status "$L: the same package again" 200 "$(rs_post "$d/v1.tgz")"
	body_has "$L: ... the same version" '"version":"1.0.0"'
	status "$L: the list" 200 "$(repo_get /api/v1/rulesets)"
	equal "$L: ... one set, testing 1.0.0, nothing stable" \
	    '["demo", "1.0.0", null, 1]' \
	    "[j['rulesets'][0][k] for k in ('name', 'testing', 'stable')] + [len(j['rulesets'][0]['versions'])]"
	status "$L: one set" 200 "$(repo_get /api/v1/rulesets/demo)"
	body_has "$L: ... described by its manifest" \
	    '"description":"a demonstration set"'
	status "$L: latest stable before any promotion" 404 \
	    "$(repo_get /api/v1/rulesets/demo/latest)"
	status "$L: latest testing" 200 \
	    "$(repo_get '/api/v1/rulesets/demo/latest?stage=testing')"
	body_has "$L: ... is 1.0.0" '"version":"1.0.0"'
	status "$L: latest of a stage that does not exist" 400 \
	    "$(repo_get '/api/v1/rulesets/demo/latest?stage=gold')"

	"$RS_TOOL" promote --key "$d/alice.key" --name demo --version 1.0.0 \
	    --tamper >"$d/p-bad.json"
	status "$L: a promotion with a bad signature" 403 \
	    "$(rs_promote "$d/p-bad.json" demo 1.0.0)"
	"$RS_TOOL" promote --key "$d/alice.key" --name demo --version 1.0.0 \
	    --skew -3600 >"$d/p-stale.json"
	status "$L: a promotion signed an hour ago is stale" 403 \
	    "$(rs_promote "$d/p-stale.json" demo 1.0.0)"
	body_has "$L: ... the answer says stale" stale
	"$RS_TOOL" promote --key "$d/bob.key" --name demo --version 1.0.0 \
	    >"$d/p-bob.json"
	status "$L: a promotion by another maintainer" 403 \
	    "$(rs_promote "$d/p-bob.json" demo 1.0.0)"
	"$RS_TOOL" promote --key "$d/alice.key" --name demo --version 9.9.9 \
	    >"$d/p-none.json"
	status "$L: a promotion of an unknown version" 404 \
	    "$(rs_promote "$d/p-none.json" demo 9.9.9)"
	printf '{"stage":"stable"}' >"$d/p-short.json"
	status "$L: a promotion body without a signature" 400 \
	    "$(rs_promote "$d/p-short.json" demo 1.0.0)"
	"$RS_TOOL" promote --key "$d/alice.key" --name demo --version 1.0.0 \
	    --stage testing >"$d/p-testing.json"
	status "$L: a promotion to testing" 400 \
	    "$(rs_promote "$d/p-testing.json" demo 1.0.0)"
	status "$L: ... nothing was promoted" 404 \
	    "$(repo_get /api/v1/rulesets/demo/latest)"
	"$RS_TOOL" promote --key "$d/alice.key" --name demo --version 1.0.0 \
	    >"$d/p-ok.json"
	status "$L: the promotion" 200 "$(rs_promote "$d/p-ok.json" demo 1.0.0)"
	body_has "$L: ... the version is stable" '"stage":"stable"'
	status "$L: the same promotion again" 200 \
	    "$(rs_promote "$d/p-ok.json" demo 1.0.0)"
	status "$L: latest stable" 200 "$(repo_get /api/v1/rulesets/demo/latest)"
	body_has "$L: ... is 1.0.0" '"version":"1.0.0"'
	rc=$(curl -s -D "$d/headers" -o "$d/download.tgz" -w '%{http_code}' \
	    "$REPO_URL/api/v1/rulesets/demo/1.0.0")
	status "$L: the package" 200 "$rc"
	check "$L: ... its bytes are the published ones" \
	    cmp -s "$d/download.tgz" "$d/v1.tgz"
	check "$L: ... gzip, with the sha256 as ETag" sh -c \
	    "grep -qi '^content-type: application/gzip' '$d/headers' &&
	     grep -qi '^etag: \"$sha1\"' '$d/headers'"
	check "$L: ... what winnow rules verify accepts" sh -c \
	    "mkdir -p '$d/trusted' && cp '$d/alice.pub' '$d/trusted/' &&
	     '$WINNOW' rules verify '$d/download.tgz' --trusted '$d/trusted' \
	     >/dev/null"

	pkg "$(mkset "$d" demo 1.1.0)" "$d/alice.key" "$d/v11.tgz"
	check "$L: version 1.1.0, by winnow rules publish" \
	    sh -c "'$WINNOW' rules publish '$d/v11.tgz' \
	    --repository '$REPO_URL' >/dev/null"
	repo_get '/api/v1/rulesets/demo/latest?stage=testing' >/dev/null
	body_has "$L: ... testing offers it" '"version":"1.1.0"'
	repo_get /api/v1/rulesets/demo/latest >/dev/null
	body_has "$L: ... stable still offers 1.0.0" '"version":"1.0.0"'

	# --- refusals, nothing stored ------------------------------------------
	pkg "$(mkset "$d" demo 1.0.5)" "$d/alice.key" "$d/old.tgz"
	status "$L: an older version" 409 "$(rs_post "$d/old.tgz")"
	body_has "$L: ... naming the newest" 1.1.0
	pkg "$(mkset "$d" demo 1.1)" "$d/alice.key" "$d/same.tgz"
	status "$L: the same version with other content" 409 \
	    "$(rs_post "$d/same.tgz")"
	pkg "$(mkset "$d" demo 1.5.0)" "$d/alice.key" "$d/v15.tgz"
	tamper "$d/v15.tgz" "$d/tampered.tgz"
	status "$L: a tampered package" 400 "$(rs_post "$d/tampered.tgz")"
	body_has "$L: ... checksum" checksum
	pkg "$(mkset "$d" demo 1.5.0)" "$d/mallory.key" "$d/mallory.tgz"
	status "$L: a package by an unknown key" 403 \
	    "$(rs_post "$d/mallory.tgz")"
	body_has "$L: ... naming it" "not a registered maintainer key"
	pkg "$(mkset "$d" demo 1.5.0)" "$d/bob.key" "$d/bob.tgz"
	status "$L: a package of a name another maintainer owns" 403 \
	    "$(rs_post "$d/bob.tgz")"
	craft "$d/traversal.tgz" traversal
	status "$L: a member outside the top folder" 400 \
	    "$(rs_post "$d/traversal.tgz")"
	craft "$d/symlink.tgz" symlink
	status "$L: a symbolic link member" 400 "$(rs_post "$d/symlink.tgz")"
	head -c 9000000 /dev/urandom >"$d/huge.tgz"
	status "$L: a package over 8 MiB" 413 "$(rs_post "$d/huge.tgz")"
	head -c 2000000 /dev/urandom >"$d/big.json"
	status "$L: ... while a report still has its own limit" 413 \
	    "$(repo_post "$d/big.json")"
	echo "not gzip at all" >"$d/text.tgz"
	status "$L: not gzip" 400 "$(rs_post "$d/text.tgz")"
	status "$L: a package as application/json" 415 \
	    "$(rs_post "$d/v15.tgz" application/json)"
	pkg "$(mkset "$d" demo 1.5.0 regex)" "$d/alice.key" "$d/regex.tgz"
	status "$L: a rule that does not compile" 400 \
	    "$(rs_post "$d/regex.tgz")"
	equal "$L: ... details name the file and line" True \
	    "any(x.startswith('demo-1.5.0/10_demo.cf:2:') for x in j['details'])"
	pkg "$(mkset "$d" demo 1.5.0 test)" "$d/alice.key" "$d/test.tgz"
	status "$L: a set whose tests fail" 400 "$(rs_post "$d/test.tgz")"
	equal "$L: ... details name the test message" True \
	    "any('tests/spam.eml' in x and 'WN_TEST' in x for x in j['details'])"
	pkg "$(mkset "$d" demo 1.5.0 engine)" "$d/alice.key" "$d/engine.tgz"
	status "$L: a min-engine newer than the repository's" 400 \
	    "$(rs_post "$d/engine.tgz")"
	check "$L: nothing refused was stored" [ "$(versions demo)" = 2 ]
	status "$L: a name with a leading dot" 400 \
	    "$(repo_get /api/v1/rulesets/.demo)"
	status "$L: an encoded traversal" 400 \
	    "$(repo_get /api/v1/rulesets/..%2Fetc)"
	status "$L: a version that is not dotted numbers" 400 \
	    "$(repo_get /api/v1/rulesets/demo/1.0.0x)"
	status "$L: a path of another shape" 404 \
	    "$(repo_get /api/v1/rulesets/demo/1.0.0/files)"
	status "$L: an unknown set" 404 "$(repo_get /api/v1/rulesets/nope)"
	status "$L: an unknown version" 404 \
	    "$(repo_get /api/v1/rulesets/demo/7.0.0)"

	# --- revocation --------------------------------------------------------
	pkg "$(mkset "$d" demo 1.2.0)" "$d/alice2.key" "$d/v12.tgz"
	status "$L: alice's second key publishes 1.2.0" 201 \
	    "$(rs_post "$d/v12.tgz")"
	check "$L: ... and winnow rules promote, with the first key, makes it stable" \
	    sh -c "'$WINNOW' rules promote demo 1.2.0 --key '$d/alice.key' \
	    --repository '$REPO_URL' >/dev/null"
	"$REPO" maintainer revoke --db "$DB" "$ka2" >/dev/null
	check "$L: maintainer revoke" [ $? -eq 0 ]
	"$REPO" maintainer list --db "$DB" >"$d/list"
	check "$L: ... the list shows when" \
	    grep -q "^$ka2 .* 20[0-9-]*T[0-9:]*Z  Winnow" "$d/list"
	repo_get /api/v1/rulesets/demo/latest >/dev/null
	body_has "$L: latest stable skips the revoked key's 1.2.0" \
	    '"version":"1.0.0"'
	repo_get '/api/v1/rulesets/demo/latest?stage=testing' >/dev/null
	body_has "$L: latest testing skips it too" '"version":"1.1.0"'
	status "$L: its package is gone" 410 \
	    "$(repo_get /api/v1/rulesets/demo/1.2.0)"
	repo_get /api/v1/rulesets/demo >/dev/null
	equal "$L: ... and listed as revoked" '[true, false, false]' \
	    "[v['revoked'] for v in j['versions']]"
	pkg "$(mkset "$d" demo 1.3.0)" "$d/alice2.key" "$d/v13.tgz"
	status "$L: the revoked key publishes nothing more" 403 \
	    "$(rs_post "$d/v13.tgz")"
	body_has "$L: ... the answer says revoked" revoked
	"$RS_TOOL" promote --key "$d/alice2.key" --name demo --version 1.1.0 \
	    >"$d/p-rev.json"
	status "$L: ... and promotes nothing" 403 \
	    "$(rs_promote "$d/p-rev.json" demo 1.1.0)"
	check "$L: three versions stored" [ "$(versions demo)" = 3 ]

	# --- the dashboard -----------------------------------------------------
	kr=$("$REPO_TOOL" keygen "$d" op)
	"$REPO" reporter add --db "$DB" --key "$d/op.pub" --name Op \
	    --country DE >/dev/null
	today=$(date -u +%Y-%m-%d)
	repo_report "$(printf '%032x' 1)" "$kr" "$today" 1 >"$d/r.json"
	"$REPO_TOOL" envelope --key "$d/op.key" --report "$d/r.json" \
	    >"$d/e.json"
	status "$L: a report with WN_TEST hits" 201 "$(repo_post "$d/e.json")"
	status "$L: the dashboard" 200 "$(repo_get /)"
	python3 - "$REPO_BODY" >"$d/dash.txt" 2>&1 <<'EOF' || true
import sys, xml.etree.ElementTree as ET
t = ET.fromstring(open(sys.argv[1]).read().replace("<!DOCTYPE html>", ""))
def rows(tid):
	for tb in t.iter("table"):
		if tb.get("id") == tid:
			for tr in tb.iter("tr"):
				yield "|".join("".join(c.itertext()) for c in tr)
for r in rows("table-rulesets"):
	print("set", r)
for r in rows("table-ruleset-rules"):
	print("rule", r)
print("section", any(s.get("id") == "sec-rulesets" for s in t.iter("section")))
EOF
	check "$L: ... the page is well-formed, with the rule-set section" \
	    grep -q "^section True" "$d/dash.txt"
	check "$L: ... the set, maintainer (escaped), stable and testing" \
	    grep -q "^set demo|Winnow & <Friends>|1.0.0|1.1.0|$today|1\$" \
	    "$d/dash.txt"
	check "$L: ... WN_TEST of demo 1.0.0: hits, S/O, hit rate on spam" \
	    grep -q "^rule demo 1.0.0|WN_TEST|3|2|0.600|10.0%\$" "$d/dash.txt"
	check "$L: ... the maintainer's name is escaped in the HTML" \
	    grep -q "Winnow &amp; &lt;Friends&gt;" "$REPO_BODY"

	check "$L: the temporary folder is empty" \
	    [ -z "$(ls -A "$d/tmp")" ]
	check "$L: SIGTERM stops the server cleanly" repo_stop
	check "$L: no sanitizer report in the server's log" \
	    sh -c "! grep -q 'Sanitizer\|runtime error' '$REPO_LOG'"
	[ -n "${WN_IT_VERBOSE:-}" ] && cat "$REPO_LOG" || true
}

# --- SQLite ------------------------------------------------------------------
suite sqlite "sqlite:$work/repo.sqlite"

# --- PostgreSQL --------------------------------------------------------------
if _pg_find_bin; then
	if pg_start "$work"; then
		ok "postgresql: a private server in $work"
		suite postgresql "$PG_URL"
		check "postgresql: the versions are in PostgreSQL" \
		    [ "$(pg_psql "SELECT COUNT(*) FROM ruleset_versions")" = 3 ]
		check "postgresql: ... with their rules" \
		    [ "$(pg_psql "SELECT rule FROM ruleset_rules GROUP BY rule")" = WN_TEST ]
		# back to a version 1 schema (without the tables of versions
		# 2 and 3), then any command upgrades it
		pg_psql "DROP TABLE ruleset_rules, ruleset_versions, rulesets,
		    maintainers, bulk_keys, bulk_blocks, bulk_state;
		    UPDATE schema_version SET version = 1" >/dev/null
		"$REPO" maintainer list --db "$PG_URL" >/dev/null
		check "postgresql: a version 1 schema upgrades in place" \
		    [ "$(pg_psql "SELECT version FROM schema_version")" = 3 ]
		check "postgresql: ... keeping the reports" \
		    [ "$(pg_psql "SELECT COUNT(*) FROM reports")" = 1 ]
		check "postgresql: ... with the rule-set tables back" \
		    [ "$(pg_psql "SELECT COUNT(*) FROM maintainers")" = 0 ]
		pg_stop
	else
		fail "postgresql: a private server starts"
	fi
	check_done
else
	echo "# PostgreSQL binaries not found: the PostgreSQL half is skipped"
	check_done || exit 1
	exit 77
fi
