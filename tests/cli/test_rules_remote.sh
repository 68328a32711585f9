#!/bin/sh
# test_rules_remote.sh - `winnow rules publish|promote` and the rule-set
# channel client (cli/rules_remote.c) without a real repository.
#
# usage: test_rules_remote.sh WINNOW REMOTE_PROBE SOURCE_DIR [REPOSITORY]
#
# Usage errors exit 64; a package that cannot be read, is not gzip, is
# empty or over 8 MiB is refused (1) before anything is sent; a closed
# port exits 75 naming the URL. broken_server.py stands in for a
# misbehaving repository: garbage, 5xx (75), 4xx with its error text (1),
# an endless body (1), and the good answers. remote_probe checks the
# codes of every rules_remote.c function against the same server. With
# REPOSITORY (a winnow-repository binary), a short round with the real
# thing: publish, publish again, promote, fetch the stable channel, and
# the refusals of a key that is not registered.
set -u
winnow=$1
probe=$2
src=$3
repo=${4:-}
tmp=$(mktemp -d /tmp/wn-rules-remote-XXXXXX)
server_pid=
repo_pid=
trap '[ -n "$server_pid" ] && kill "$server_pid"; \
    [ -n "$repo_pid" ] && kill "$repo_pid"; rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"

mkdir "$tmp/keys" "$tmp/state"
python3 "$(dirname "$0")/broken_server.py" "$tmp/state" >"$tmp/ports" \
    2>"$tmp/server.err" &
server_pid=$!
i=0
while [ ! -s "$tmp/ports" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
read -r port dead <"$tmp/ports" || { echo "broken_server did not start"; \
    cat "$tmp/server.err"; exit 1; }
url="http://127.0.0.1:$port"

"$winnow" rules keygen --out "$tmp/keys" >/dev/null
"$winnow" rules pack "$src/rules/core" -o "$tmp/core.tar.gz" >/dev/null
"$winnow" rules sign "$tmp/core.tar.gz" --key "$tmp/keys/maintainer.key" \
    >/dev/null
pkg=$tmp/core.tar.gz
key=$tmp/keys/maintainer.key

# usage
check publish_no_args 64 "$winnow" rules publish
check publish_no_repository 64 "$winnow" rules publish "$pkg"
check publish_two_files 64 "$winnow" rules publish "$pkg" "$pkg" \
    --repository "$url/publish-201"
check publish_ftp 64 "$winnow" rules publish "$pkg" --repository ftp://x/
expect_in publish_ftp_says_why "$tmp/err" "http:// or https://"
check publish_timeout_zero 64 "$winnow" rules publish "$pkg" \
    --repository "$url/publish-201" --timeout 0
check publish_takes_no_key 64 "$winnow" rules publish "$pkg" \
    --repository "$url/publish-201" --key "$key"
check publish_unknown_option 64 "$winnow" rules publish "$pkg" \
    --repository "$url/publish-201" --frobnicate
check promote_no_version 64 "$winnow" rules promote core --key "$key" \
    --repository "$url/promote"
check promote_no_key 64 "$winnow" rules promote core 1.1.0 \
    --repository "$url/promote"
check promote_no_repository 64 "$winnow" rules promote core 1.1.0 \
    --key "$key"
check promote_bad_version 64 "$winnow" rules promote core 1.x --key "$key" \
    --repository "$url/promote"
check promote_bad_name 64 "$winnow" rules promote ../core 1.1.0 \
    --key "$key" --repository "$url/promote"
check promote_bad_stage 64 "$winnow" rules promote core 1.1.0 --key "$key" \
    --repository "$url/promote" --stage beta
check help_lists_publish 0 "$winnow" rules --help
expect_in help_has_publish "$tmp/out" "rules publish FILE --repository URL"
expect_in help_has_promote "$tmp/out" "rules promote NAME VERSION --key KEY"

# the package, checked before anything is sent
rm -f "$tmp/state/body"
check publish_missing 1 "$winnow" rules publish "$tmp/nothing.tar.gz" \
    --repository "$url/publish-201"
expect_in missing_names_file "$tmp/err" "nothing.tar.gz: No such file"
check publish_folder 1 "$winnow" rules publish "$tmp/keys" \
    --repository "$url/publish-201"
expect_in folder_says_why "$tmp/err" "keys: not a regular file"
: >"$tmp/empty.tar.gz"
check publish_empty 1 "$winnow" rules publish "$tmp/empty.tar.gz" \
    --repository "$url/publish-201"
expect_in empty_says_why "$tmp/err" "empty.tar.gz: empty"
truncate -s $((8 * 1024 * 1024 + 1)) "$tmp/big.tar.gz"
check publish_oversized 1 "$winnow" rules publish "$tmp/big.tar.gz" \
    --repository "$url/publish-201"
expect_in oversized_says_why "$tmp/err" "big.tar.gz: over the 8 MiB"
echo "name: core" >"$tmp/manifest"
check publish_not_gzip 1 "$winnow" rules publish "$tmp/manifest" \
    --repository "$url/publish-201"
expect_in not_gzip_says_why "$tmp/err" "manifest: not a rule-set package"
if [ "$(id -u)" -ne 0 ]; then
	cp "$pkg" "$tmp/locked.tar.gz"
	chmod 000 "$tmp/locked.tar.gz"
	check publish_unreadable 1 "$winnow" rules publish \
	    "$tmp/locked.tar.gz" --repository "$url/publish-201"
	expect_in unreadable_says_why "$tmp/err" "Permission denied"
fi
check nothing_sent 1 test -e "$tmp/state/body"

# no repository there
check publish_unreachable 75 "$winnow" rules publish "$pkg" \
    --repository "http://127.0.0.1:$dead" --timeout 5
expect_in unreachable_names_url "$tmp/err" \
    "^winnow rules publish: http://127.0.0.1:$dead/api/v1/rulesets: "
check promote_unreachable 75 "$winnow" rules promote core 1.1.0 \
    --key "$key" --repository "http://127.0.0.1:$dead/"
expect_in promote_unreachable_names_url "$tmp/err" \
    "http://127.0.0.1:$dead/api/v1/rulesets/core/1.1.0/promote: "

# a broken repository
check publish_500 75 "$winnow" rules publish "$pkg" \
    --repository "$url/status-500"
expect_in publish_500_says_why "$tmp/err" "HTTP 500: error 500"
check publish_garbage_status 1 "$winnow" rules publish "$pkg" \
    --repository "$url/html-409"
expect_in html_409_falls_back "$tmp/err" "rulesets: HTTP 409$"
check publish_refused 1 "$winnow" rules publish "$pkg" \
    --repository "$url/refused"
expect_in refused_says_why "$tmp/err" \
    "HTTP 400: the set's own tests fail: tests/spam.eml: BODY_X"
check refused_one_line 0 test "$(wc -l <"$tmp/err")" -eq 1
check publish_escape 1 "$winnow" rules publish "$pkg" \
    --repository "$url/escape"
check escape_one_line 0 test "$(wc -l <"$tmp/err")" -eq 1
check escape_no_control 1 grep -q "$(printf '\033')" "$tmp/err"
check publish_endless 1 "$winnow" rules publish "$pkg" \
    --repository "$url/endless" --timeout 20
expect_in endless_says_why "$tmp/err" "answer larger than"
check publish_raw 1 "$winnow" rules publish "$pkg" --repository "$url/raw"
expect_in raw_says_why "$tmp/err" "not an HTTP answer"
check publish_redirect 1 "$winnow" rules publish "$pkg" \
    --repository "$url/redirect"
check publish_slow 75 "$winnow" rules publish "$pkg" \
    --repository "$url/slow" --timeout 1

# good answers
check publish 0 "$winnow" rules publish "$pkg" \
    --repository "$url/publish-201"
expect_in publish_says_what "$tmp/out" \
    "^published core 1.1.0 (testing) to $url/publish-201$"
check publish_sent_the_package 0 cmp "$pkg" "$tmp/state/body"
check publish_again 0 "$winnow" rules publish "$pkg" \
    --repository "$url/publish-200"
expect_in publish_again_says_what "$tmp/out" \
    "^core 1.1.0 was already published$"
check publish_garbage_answer 0 "$winnow" rules publish "$pkg" \
    --repository "$url/garbage"
expect_in garbage_answer_warns "$tmp/err" "the answer does not read"
check promote 0 "$winnow" rules promote core 1.1.0 --key "$key" \
    --repository "$url/promote"
expect_in promote_says_what "$tmp/out" "^promoted core 1.1.0 to stable$"
sig='"signature":"[A-Za-z0-9+/=]\{88\}"'
expect_in promote_sent_json "$tmp/state/body" \
    '^{"stage":"stable","time":"[0-9T:-]*Z","key_id":"[0-9a-f]\{16\}",'"$sig}\$"
check promote_403 1 "$winnow" rules promote core 1.1.0 --key "$key" \
    --repository "$url/status-403"
expect_in promote_403_says_why "$tmp/err" "HTTP 403: error 403"
check promote_404 1 "$winnow" rules promote core 9.9 --key "$key" \
    --repository "$url/status-404"
check promote_503 75 "$winnow" rules promote core 1.1.0 --key "$key" \
    --repository "$url/status-503"
check promote_public_key 1 "$winnow" rules promote core 1.1.0 \
    --key "$tmp/keys/maintainer.pub" --repository "$url/promote"
expect_in promote_names_key "$tmp/err" "maintainer.pub: not a winnow secret key"

# rules_remote.c itself, as winnow rules update uses it
check remote_probe 0 "$probe" "$port" "$dead" "$tmp/state"
[ -s "$tmp/out" ] && grep FAIL "$tmp/out"

# a real winnow-repository, when there is one
if [ -n "$repo" ] && [ -x "$repo" ]; then
	db="sqlite:$tmp/repo.db"
	"$repo" maintainer add --db "$db" --name winnow \
	    --key "$tmp/keys/maintainer.pub" >/dev/null
	rport=$(python3 -c 'import socket; s = socket.socket(); \
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	"$repo" serve --listen "127.0.0.1:$rport" --db "$db" \
	    >"$tmp/repo.log" 2>&1 &
	repo_pid=$!
	real=http://127.0.0.1:$rport
	i=0
	until curl -sf "$real/api/v1/health" >/dev/null; do
		i=$((i + 1))
		[ $i -lt 100 ] || break
		sleep 0.1
	done
	check real_publish 0 "$winnow" rules publish "$pkg" --repository "$real"
	expect_in real_publish_says_what "$tmp/out" \
	    "^published core 1.0.0 (testing) to $real$"
	check real_publish_again 0 "$winnow" rules publish "$pkg" \
	    --repository "$real/"
	expect_in real_again_says_what "$tmp/out" \
	    "^core 1.0.0 was already published$"
	check real_no_stable_yet 1 "$probe" fetch "$real" core stable
	expect_in real_no_stable_says_404 "$tmp/out" "HTTP 404"
	check real_promote 0 "$winnow" rules promote core 1.0.0 --key "$key" \
	    --repository "$real"
	expect_in real_promote_says_what "$tmp/out" \
	    "^promoted core 1.0.0 to stable$"
	check real_fetch_stable 0 "$probe" fetch "$real" core stable
	expect_in real_fetched "$tmp/out" \
	    "^core 1.0.0 stable $(wc -c <"$pkg")$"
	check real_promote_unknown 1 "$winnow" rules promote core 9.9 \
	    --key "$key" --repository "$real"
	expect_in real_unknown_says_404 "$tmp/err" "promote: HTTP 404: "
	mkdir "$tmp/eve"
	"$winnow" rules keygen --out "$tmp/eve" --name eve >/dev/null
	cp "$pkg" "$tmp/eve.tar.gz"
	"$winnow" rules sign "$tmp/eve.tar.gz" --key "$tmp/eve/eve.key" \
	    >/dev/null
	check real_publish_unregistered 1 "$winnow" rules publish \
	    "$tmp/eve.tar.gz" --repository "$real"
	expect_in real_unregistered_says_403 "$tmp/err" "HTTP 403: "
	check real_promote_unregistered 1 "$winnow" rules promote core 1.0.0 \
	    --key "$tmp/eve/eve.key" --repository "$real"
	"$winnow" rules pack "$src/rules/core" -o "$tmp/unsigned.tar.gz" \
	    >/dev/null
	check real_publish_unsigned 1 "$winnow" rules publish \
	    "$tmp/unsigned.tar.gz" --repository "$real"
	expect_in real_unsigned_says_why "$tmp/err" "package is not signed"
else
	echo "rules_remote: no winnow-repository; the real round is skipped"
fi

echo "rules_remote: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
