#!/bin/sh
# test_rules_channel_e2e.sh - a rule set from its maintainer to mail.
#
# usage: test_rules_channel_e2e.sh WINNOWD WINNOW SOURCE_DIR REPOSITORY
#
# A maintainer registered with a real winnow-repository (SQLite) packs,
# signs and publishes version 1 of a rule set and promotes it to stable;
# the operator's `winnow rules update` installs it and winnowd, behind a
# real Postfix, scores mail with it. Version 2 adds a rule; while mail
# flows through Postfix the next update switches to it and no message is
# lost or left unscanned. Rollback returns to version 1 and the timer's
# next update leaves version 2 alone. Refusals leave the installed set
# untouched: an untrusted signer, a repository that is down, a package
# changed at rest in the repository. Exit 0 pass, 1 fail, 77 skipped.
set -eu
WINNOWD=$1
WINNOW=$2
SRC=$3
REPO=$4
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/postfix.sh"
. "$here/lib/winnowd.sh"
. "$here/lib/check.sh"
. "$here/lib/repo.sh"
pf_require_root
pf_check_tools
for tool in sqlite3 curl; do
	command -v $tool >/dev/null || { echo "SKIP: no $tool"; exit 77; }
done

work=$(mktemp -d /tmp/wn-rch-XXXXXX)
chmod 755 "$work"
flow_pid=
cleanup() {
	[ -z "$flow_pid" ] || kill "$flow_pid" 2>/dev/null || true
	wd_stop
	repo_stop || true
	pf_stop || true
	[ -n "${WN_IT_KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

db="sqlite:$work/repo.db"
mkdir "$work/maint" "$work/other" "$work/trusted" "$work/src"
"$WINNOW" rules keygen --out "$work/maint" --name alice >/dev/null
"$WINNOW" rules keygen --out "$work/other" --name mallory >/dev/null
cp "$work/other/mallory.pub" "$work/trusted/"

# make_set VERSION WITH_MONEY - the rule set "extra" in $work/src/VERSION,
# packed and signed by alice into $work/src/extra-VERSION.tar.gz
make_set() {
	d=$work/src/$1
	mkdir -p "$d/tests"
	printf 'name: extra\nversion: %s\nmaintainer: Alice <alice@example.org>\nlicence: Apache-2.0\nmin-engine: 0.1\ndescription: end-to-end test set\n' \
	    "$1" >"$d/manifest"
	{
		echo 'body WN_X_PILLS /cheap pills/i'
		echo 'describe WN_X_PILLS Sells cheap pills'
		echo 'score WN_X_PILLS 6.0'
		if [ "$2" = yes ]; then
			echo 'body WN_X_MONEY /free money/i'
			echo 'describe WN_X_MONEY Promises free money'
			echo 'score WN_X_MONEY 6.0'
		fi
	} >"$d/50_extra.cf"
	if [ "$2" = yes ]; then
		printf '# hit: WN_X_PILLS WN_X_MONEY\nSubject: x\n\ncheap pills and free money\n' >"$d/tests/hit.eml"
		printf '# miss: WN_X_PILLS WN_X_MONEY\nSubject: x\n\nlunch at noon\n' >"$d/tests/miss.eml"
	else
		printf '# hit: WN_X_PILLS\nSubject: x\n\ncheap pills\n' >"$d/tests/hit.eml"
		printf '# miss: WN_X_PILLS\nSubject: x\n\nlunch at noon\n' >"$d/tests/miss.eml"
	fi
	"$WINNOW" rules pack "$d" -o "$work/src/extra-$1.tar.gz" >/dev/null
	"$WINNOW" rules sign "$work/src/extra-$1.tar.gz" \
	    --key "$work/maint/alice.key" >/dev/null
}

publish() {
	"$WINNOW" rules publish "$work/src/extra-$1.tar.gz" \
	    --repository "$REPO_URL" >"$work/publish.out" 2>&1
}

promote() {
	"$WINNOW" rules promote extra "$1" --key "$work/maint/alice.key" \
	    --repository "$REPO_URL" >"$work/promote.out" 2>&1
}

# update - winnow rules update; its exit status in $urc, output in
# $work/update.out
update() {
	urc=0
	"$WINNOW" rules update -c "$WD_CONF" "$@" >"$work/update.out" 2>&1 ||
	    urc=$?
}

current() {
	readlink "$work/installed/extra/current" 2>/dev/null || echo none
}

# mail SUBJECT BODY - one message from a scanned client
mail() {
	f=$work/mail.$1
	printf 'From: s@example.org\nTo: user@test.example\nSubject: %s\n\n%s\n' \
	    "$1" "$2" >"$f"
	pf_send_xclient 203.0.113.7 s@example.org user@test.example "$f"
}

status_of() {
	f=$(grep -rls "^Subject: $1\$" "$PF_MAIL" | head -n 1)
	[ -n "$f" ] && grep '^X-Spam-Status:' "$f"
}

# hits SUBJECT SYMBOL / misses SUBJECT SYMBOL - the delivered message was
# scanned and SYMBOL is (not) in its X-Spam-Status
hits() {
	status_of "$1" | grep -q "$2"
}

misses() {
	_st=$(status_of "$1") && ! echo "$_st" | grep -q "$2"
}

# wait_config N - winnowd's log says configuration N is in place
wait_config() {
	_wd_wait_log "configuration $1:" 30
}

repo_start "$work" "$db"
"$REPO" maintainer add --db "$db" --name alice \
    --key "$work/maint/alice.pub" >/dev/null
make_set 1.0.0 no
make_set 2.0.0 yes

check "maintainer publishes 1.0.0" publish 1.0.0
check "publish says testing" grep -q "testing" "$work/publish.out"
check "maintainer promotes 1.0.0 to stable" promote 1.0.0

wport=$(pf_free_port 23500)
wd_config "$work" "$wport" \
    "rules = $SRC/rules/core" \
    "store =" \
    "spf = no" \
    "rules_installed = $work/installed" \
    "rules_channels = extra" \
    "rules_repository = $REPO_URL" \
    "rules_trusted_keys = $work/trusted"
wd_start
PF_MILTER_DEFAULT_ACTION=tempfail
pf_setup "$work/pf" "$(pf_free_port 24500)" "$WD_SPEC"
pf_start

# --- an untrusted signer: refused, nothing installed ----------------------
update
check "update refuses a package by an untrusted key (exit 1)" [ "$urc" -eq 1 ]
check "the refusal says why" grep -q "key" "$work/update.out"
check "nothing installed" [ "$(current)" = none ]

# --- version 1 ----------------------------------------------------------------
cp "$work/maint/alice.pub" "$work/trusted/"
WD_LOG_MARK=$(wc -l <"$WD_LOG")
update
check "update installs 1.0.0 (exit 0)" [ "$urc" -eq 0 ]
check "update says none -> 1.0.0" grep -q "extra: none -> 1.0.0" "$work/update.out"
check "current is 1.0.0" [ "$(current)" = 1.0.0 ]
check "winnowd reloaded" wait_config 2
check "winnowd loaded extra 1.0.0" grep -q "rule set extra 1.0.0 (installed)" "$WD_LOG"
mail pills-1 "Buy cheap pills today." || true
mail money-1 "Get free money now." || true
pf_wait_idle 30 || true
check "1.0.0 scores mail: WN_X_PILLS" hits pills-1 WN_X_PILLS
check "1.0.0 has no WN_X_MONEY" misses money-1 WN_X_MONEY
update
check "a second update finds 1.0.0 current" grep -q "extra 1.0.0 is current" "$work/update.out"

# --- version 2: testing first, then stable, while mail flows ----------------
check "maintainer publishes 2.0.0" publish 2.0.0
update
check "2.0.0 in testing is not offered on stable" [ "$(current)" = 1.0.0 ]
check "maintainer promotes 2.0.0" promote 2.0.0

flow=60
(
	i=0
	while [ $i -lt $flow ]; do
		mail "flow-$i" "Message $i of the flow, cheap pills." \
		    >/dev/null 2>&1 || echo "flow-$i" >>"$work/flow.failed"
		i=$((i + 1))
	done
) &
flow_pid=$!
sleep 1
WD_LOG_MARK=$(wc -l <"$WD_LOG")
update
check "update during the flow installs 2.0.0" grep -q "extra: 1.0.0 -> 2.0.0" "$work/update.out"
check "winnowd reloaded during the flow" wait_config 3
check "the flow was still sending after the reload" kill -0 "$flow_pid"
wait "$flow_pid" || true
flow_pid=
check "every message of the flow was accepted" [ ! -s "$work/flow.failed" ]
pf_wait_idle 60 || true
got=0
unscanned=0
i=0
while [ $i -lt $flow ]; do
	if status_of "flow-$i" >/dev/null; then got=$((got + 1))
	else unscanned=$((unscanned + 1)); fi
	i=$((i + 1))
done
check "all $flow messages delivered and scanned ($got)" [ "$got" -eq $flow ]
check "none unscanned" [ "$unscanned" -eq 0 ]
mail money-2 "Get free money now." || true
pf_wait_idle 30 || true
check "2.0.0 scores mail: WN_X_MONEY" hits money-2 WN_X_MONEY

# --- rollback ---------------------------------------------------------------
WD_LOG_MARK=$(wc -l <"$WD_LOG")
check "rollback" "$WINNOW" rules rollback -c "$WD_CONF" extra
check "current is 1.0.0 again" [ "$(current)" = 1.0.0 ]
check "winnowd reloaded after the rollback" wait_config 4
mail money-3 "Get free money now." || true
pf_wait_idle 30 || true
check "after rollback no WN_X_MONEY" misses money-3 WN_X_MONEY
update
check "the next update leaves 2.0.0 alone" grep -q "2.0.0 was rolled back" "$work/update.out"
check "still 1.0.0" [ "$(current)" = 1.0.0 ]
"$WINNOW" rules list -c "$WD_CONF" >"$work/list.out"
check "list: extra current 1.0.0" grep -q "extra .*current 1.0.0" "$work/list.out"
check "list: 2.0.0 rolled back" grep -q "2.0.0 rolled back" "$work/list.out"
check "list: winnowd loads extra 1.0.0" grep -q "extra  *1.0.0 .*(installed)" "$work/list.out"

# --- a package changed at rest in the repository -----------------------------
make_set 3.0.0 yes
check "maintainer publishes 3.0.0" publish 3.0.0
check "and promotes it" promote 3.0.0
repo_stop
python3 - "$work/repo.db" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
cols = [r[1] for r in db.execute("PRAGMA table_info(ruleset_versions)")]
blob = [c for c in cols if c in ("package", "data", "bytes")][0]
row = db.execute("SELECT rowid, %s FROM ruleset_versions WHERE version = '3.0.0'" % blob).fetchone()
data = bytearray(row[1])
data[len(data) // 2] ^= 0xff
db.execute("UPDATE ruleset_versions SET %s = ? WHERE rowid = ?" % blob, (bytes(data), row[0]))
db.commit()
EOF
repo_start "$work" "$db"
sed -i "s|^rules_repository = .*|rules_repository = $REPO_URL|" "$WD_CONF"
update
check "a package changed at rest is refused (exit 1)" [ "$urc" -eq 1 ]
check "the refusal names the checksum" grep -qi "sha-\?256\|checksum" "$work/update.out"
check "still 1.0.0 after the refusal" [ "$(current)" = 1.0.0 ]

# --- the repository is down --------------------------------------------------
repo_stop
update
check "repository down: exit 75" [ "$urc" -eq 75 ]
check "still 1.0.0 with the repository down" [ "$(current)" = 1.0.0 ]
mail pills-4 "Buy cheap pills today." || true
pf_wait_idle 30 || true
check "mail still scored by 1.0.0" hits pills-4 WN_X_PILLS

# --- remove -------------------------------------------------------------------
WD_LOG_MARK=$(wc -l <"$WD_LOG")
check "remove" "$WINNOW" rules remove -c "$WD_CONF" extra
check "the set's folder is gone" [ ! -e "$work/installed/extra" ]
check "winnowd reloaded after remove" wait_config 5
mail pills-5 "Buy cheap pills today." || true
pf_wait_idle 30 || true
check "after remove no WN_X_PILLS" misses pills-5 WN_X_PILLS
check "winnowd ran throughout" wd_alive

check_done
