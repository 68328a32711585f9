#!/bin/sh
# test_bulk_sharing.sh - cooperative bulk sharing, end to end.
#
# usage: test_bulk_sharing.sh WINNOWD WINNOW SOURCE_DIR REPOSITORY
#
# Three sites (each its own winnowd, bulk store, spool and reporter key,
# behind one real Postfix in turn) see one phishing campaign in bulk and
# score it spam; at report_sharing = cooperative their reports carry the
# campaign's fingerprint keys to a real winnow-repository (SQLite) that
# signs a feed with its own key. A fourth site subscribes with `winnow
# bulk feed update`. Checks:
#   - nothing enters the feed while only two reporters sent the keys;
#     the third puts them in;
#   - the subscriber's winnowd adds BULK_SHARED to the first copy of a
#     new variant it sees (one recipient: no local BULK_ symbol), and
#     not to unrelated mail;
#   - a feed signed by another key, or a repository that is down, leaves
#     the installed feed alone (exit 1, exit 75);
#   - blocking the fingerprint at the repository takes it out of the next
#     feed, and the subscriber no longer adds BULK_SHARED;
#   - the reports carry keys only: no text, no address of the campaign.
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
pf_require_root
pf_check_tools
command -v curl >/dev/null || { echo "SKIP: no curl"; exit 77; }

work=$(mktemp -d /tmp/wn-it-share-XXXXXX)
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
data=$SRC/tests/data/bulk

# --- the repository, with its feed key -----------------------------------
db="sqlite:$work/repo.db"
mkdir "$work/feedkey" "$work/otherkey"
check "feed-keygen" "$REPO" feed-keygen "$work/feedkey"
check "another key" "$REPO" feed-keygen "$work/otherkey"
rport=$(pf_free_port 26000)
URL=http://127.0.0.1:$rport
repo_start() {
	"$REPO" serve --listen "127.0.0.1:$rport" --db "$db" \
	    --feed-key "$work/feedkey/bulk-feed.key" "$@" \
	    >>"$work/repo.log" 2>&1 &
	repo_pid=$!
	_i=0
	until curl -sf "$URL/api/v1/health" >/dev/null; do
		_i=$((_i + 1))
		[ $_i -lt 100 ] || { echo "repository did not start"; \
		    cat "$work/repo.log"; return 1; }
		sleep 0.1
	done
}
repo_start

# A rule that makes the campaign spam at every site.
mkdir "$work/rules"
printf 'body WN_IT_PHISH /mailbox storage is full/i\nscore WN_IT_PHISH 8\n' \
    >"$work/rules/phish.cf"

wport=$(pf_free_port 26100)
pf_setup "$work/pf" "$(pf_free_port 26200)" "inet:127.0.0.1:$wport"
PF_MILTER_DEFAULT_ACTION=tempfail
pf_start

# copy FILE TAG - FILE with X-Test-Copy: TAG on top, in $work/TAG.eml
copy() { { echo "X-Test-Copy: $2"; cat "$1"; } >"$work/$2.eml"; }
status() {
	pf_wait_idle 60 >/dev/null 2>&1 || true
	if f=$(pf_delivered_with "^X-Test-Copy: $1\$"); then
		sed -n '/^X-Spam-Status:/,/^[^ \t]/p' "$f" | tr -d '\n'
	else
		echo "(not delivered)"
	fi
}
has() { status "$1" | grep -q -- "$2"; }
lacks() { s=$(status "$1"); [ "$s" != "(not delivered)" ] &&
    ! echo "$s" | grep -q -- "$2"; }

# site N - a reporting site: three copies of the campaign, two
# recipients each (the third copy reaches BULK_LOW), then its period is
# sealed and sent
site() {
	d=$work/site$1
	mkdir -p "$d/keys"
	"$WINNOW" report keygen --out "$d/keys" >/dev/null
	"$REPO" reporter add --db "$db" --key "$d/keys/report.pub" \
	    --name "Site $1" --country DE --operator-type isp >/dev/null
	wd_config "$d" "$wport" "rules = $work/rules" "store =" "spf = no" \
	    "report_key = $d/keys/report.key" "report_country = DE" \
	    "report_operator_type = isp" "report_sharing = cooperative" \
	    "report_min_count = 1"
	wd_start
	for v in 1 2 3; do
		copy "$data/campaign-phish-$v.eml" "s$1-c$v"
		pf_send_xclient 192.0.2.$((10 + $1)) helpdesk@verify.example \
		    "x$1$v@test.example,y$1$v@test.example" \
		    "$work/s$1-c$v.eml" || true
	done
	pf_wait_idle 60 || true
	wd_stop
	"$WINNOW" report preview -c "$WD_CONF" >"$d/preview.json" 2>/dev/null
	"$WINNOW" report send -c "$WD_CONF" --repository "$URL" \
	    >"$d/send.out" 2>&1
}

# the subscriber: its own bulk store, the repository's key
sub=$work/sub
mkdir -p "$sub"
cp "$work/feedkey/bulk-feed.pub" "$sub/feed.pub"
sub_config() {
	wd_config "$sub" "$wport" "rules = $work/rules" "store =" "spf = no" \
	    "bulk_feed = $sub/feed.json" "bulk_feed_key = $sub/feed.pub" \
	    "bulk_feed_repository = $URL"
}
update() {
	"$WINNOW" bulk feed update -c "$sub/winnow.conf" "$@" \
	    >"$sub/update.out" 2>&1
}

# --- two reporters: not enough ---------------------------------------------
site 1
check "site 1: its third copy was BULK_LOW and spam" has s1-c3 BULK_LOW
check "site 1: the report carries fingerprint keys" python3 -c "
import json; d = json.load(open('$work/site1/preview.json'))
f = d['bulk_fingerprints']; i = f['items']
assert len(i) == 1 and len(i[0]['b']) == 16 and len(i[0]['d']) == 16, f"
check "site 1: the report holds no text or address of the campaign" \
    sh -c "! grep -q -i 'mailbox\|verify\|helpdesk\|storage' \
        '$work/site1/preview.json'"
check "site 1: report sent" grep -q "sent\|stored" "$work/site1/send.out"
site 2
sub_config
check "feed with two reporters: installed" update --no-reload
check "feed with two reporters: holds nothing" \
    grep -q "0 text digests, 0 band keys" "$sub/update.out"

# --- the third reporter ---------------------------------------------------------
site 3
check "feed with three reporters: installed" update --no-reload
check "feed holds the campaign's digest and bands" \
    grep -q "1 text digests, 16 band keys" "$sub/update.out"
check "winnow bulk feed show" "$WINNOW" bulk feed show -c "$sub/winnow.conf"

sub_config
wd_start
check "the subscriber loads the feed" \
    grep -q "bulk feed $sub/feed.json: 1 digests, 16 band keys" "$WD_LOG"
copy "$data/campaign-phish-4.eml" sub-c4
check "new variant accepted" pf_send_xclient 192.0.2.30 \
    it@verify-two.example z1@test.example "$work/sub-c4.eml"
check "new variant, one recipient: BULK_SHARED" has sub-c4 BULK_SHARED
check "new variant: no local BULK_LOW (one recipient)" lacks sub-c4 BULK_LOW
copy "$data/single-hiking.eml" sub-ham
check "unrelated mail accepted" pf_send_xclient 192.0.2.30 \
    friend@example.org z2@test.example "$work/sub-ham.eml"
check "unrelated mail: no BULK_SHARED" lacks sub-ham BULK_SHARED

# --- refusals leave the installed feed alone -------------------------------------
cp "$sub/feed.json" "$sub/feed.before"
cp "$work/otherkey/bulk-feed.pub" "$sub/other.pub"
rc=0
update --key "$sub/other.pub" --no-reload || rc=$?
check "a feed signed by another key: exit 1" [ "$rc" -eq 1 ]
check "  ... says why" grep -q "not the trusted" "$sub/update.out"
check "  ... installed feed unchanged" cmp -s "$sub/feed.json" "$sub/feed.before"
repo_stop
rc=0
update --no-reload || rc=$?
check "repository down: exit 75" [ "$rc" -eq 75 ]
check "  ... installed feed unchanged" cmp -s "$sub/feed.json" "$sub/feed.before"
repo_start

# --- the repository takes the fingerprint out -----------------------------------------
# the copy each site reported is its third (the first in bulk): its text
dkey=$("$WINNOW" bulk check --db "$sub/bulk.lmdb" --json \
    "$data/campaign-phish-3.eml" | python3 -c "
import json, sys; print('d:' + json.load(sys.stdin)['fingerprint'][:16])")
check "the digest the sites reported is in the feed" \
    sh -c "'$REPO' bulk list --db '$db' | grep -q '^$dkey *3 *feed'"
check "bulk block" "$REPO" bulk block --db "$db" "$dkey" \
    --reason "test: a newsletter people asked for"
check "feed after the block: installed, winnowd reloads" update
check "feed after the block: the fingerprint is gone" \
    grep -q "0 text digests, 0 band keys" "$sub/update.out"
WD_LOG_MARK=$(wc -l <"$WD_LOG")
_wd_wait_log "configuration [0-9]*:" 30 || true
copy "$data/campaign-phish-2.eml" sub-c2
check "after the block: accepted" pf_send_xclient 192.0.2.30 \
    it@verify-two.example z3@test.example "$work/sub-c2.eml"
check "after the block: no BULK_SHARED" lacks sub-c2 BULK_SHARED
check_done
