# tests/integration/lib/repo.sh - run winnow-repository and talk to it.
#
# Source after setting REPO (the winnow-repository binary) and REPO_TOOL
# (tests/integration/repo_tool). Functions:
#
#   repo_start WORKDIR DB_URL [SERVE OPTIONS...]
#                           serve on 127.0.0.1, a port the system picks;
#                           waits until it listens. Sets REPO_URL, REPO_PID,
#                           REPO_LOG (its stderr: the access log)
#   repo_stop               SIGTERM, wait for a clean exit (status 0)
#   repo_post FILE [CONTENT_TYPE]
#                           POST FILE to /api/v1/reports; prints the HTTP
#                           status, the answer is in $REPO_BODY
#   repo_get PATH           GET PATH; prints the status, answer in $REPO_BODY
#   repo_report ID KEY_ID DAY SCALE [DECLARED_COUNTRY] [OPERATOR_TYPE]
#                           print a valid report (one line) for the period
#                           DAYT00:00:00Z + 1 h, every count SCALE times the
#                           base: total 100, scanned 90, skipped 8, failed 2,
#                           ham 60, spam 30, accept 55, mark 5, quarantine
#                           10, reject 20; SPF none 10, pass 50, fail 5,
#                           softfail 5, not_checked 20; rules BAYES_99 spam
#                           25, WN_TEST spam 3 ham 2; countries US 40/20,
#                           DE 50/10
#   repo_json FILE EXPR     print EXPR of the JSON in FILE, EXPR a Python
#                           expression over j (python3)

CURL_OPTS=${CURL_OPTS:-}

repo_start() {
	_repo_dir=$1
	_repo_db=$2
	shift 2
	REPO_LOG=$_repo_dir/repo.log
	REPO_BODY=$_repo_dir/body.out
	: >"$REPO_LOG"
	"$REPO" serve --listen 127.0.0.1:0 --db "$_repo_db" "$@" \
	    2>>"$REPO_LOG" &
	REPO_PID=$!
	_repo_end=$(($(date +%s) + 30))
	while :; do
		_repo_port=$(sed -n 's/.*listening on .*(port \([0-9]*\).*/\1/p' \
		    "$REPO_LOG" | tail -n 1)
		[ -n "$_repo_port" ] && break
		if ! kill -0 "$REPO_PID" 2>/dev/null ||
		    [ "$(date +%s)" -ge "$_repo_end" ]; then
			echo "repo.sh: winnow-repository did not start:" >&2
			cat "$REPO_LOG" >&2
			REPO_PID=
			return 1
		fi
		sleep 0.1
	done
	REPO_PORT=$_repo_port
	REPO_URL=http://127.0.0.1:$REPO_PORT
}

repo_stop() {
	[ -n "${REPO_PID:-}" ] || return 0
	kill -TERM "$REPO_PID" 2>/dev/null || true
	_repo_rc=0
	wait "$REPO_PID" || _repo_rc=$?
	REPO_PID=
	return $_repo_rc
}

repo_post() {
	curl -s $CURL_OPTS -o "$REPO_BODY" -w '%{http_code}' \
	    -H "Content-Type: ${2:-application/json}" \
	    --data-binary @"$1" "$REPO_URL/api/v1/reports"
}

repo_get() {
	curl -s $CURL_OPTS -o "$REPO_BODY" -w '%{http_code}' "$REPO_URL$1"
}

repo_report() {
	_s=$4
	printf '{"format":"winnow-report-1","report_id":"%s",' "$1"
	printf '"reporter":{"key_id":"%s","country":"%s","operator_type":"%s"},' \
	    "$2" "${5:-ZZ}" "${6:-isp}"
	printf '"software":{"name":"winnow","version":"0.1.0"},'
	printf '"rulesets":[{"name":"core","version":"1.0"}],'
	printf '"period":{"start":"%sT00:00:00Z","end":"%sT01:00:00Z",' "$3" "$3"
	printf '"length":3600},"sharing":"standard","min_count":5,'
	printf '"messages":{"total":%d,"scanned":%d,"skipped":%d,"failed":%d,' \
	    $((100 * _s)) $((90 * _s)) $((8 * _s)) $((2 * _s))
	printf '"verdict":{"ham":%d,"spam":%d},' $((60 * _s)) $((30 * _s))
	printf '"action":{"accept":%d,"mark":%d,"subject":0,"tempfail":0,' \
	    $((55 * _s)) $((5 * _s))
	printf '"quarantine":%d,"discard":0,"reject":%d}},' \
	    $((10 * _s)) $((20 * _s))
	printf '"spf":{"none":%d,"neutral":0,"pass":%d,"fail":%d,' \
	    $((10 * _s)) $((50 * _s)) $((5 * _s))
	printf '"softfail":%d,"temperror":0,"permerror":0,"not_checked":%d},' \
	    $((5 * _s)) $((20 * _s))
	printf '"rules":[{"name":"BAYES_99","spam":%d,"ham":0},' $((25 * _s))
	printf '{"name":"WN_TEST","spam":%d,"ham":%d}],' $((3 * _s)) $((2 * _s))
	printf '"countries":[{"country":"US","messages":%d,"spam":%d},' \
	    $((40 * _s)) $((20 * _s))
	printf '{"country":"DE","messages":%d,"spam":%d}]}\n' \
	    $((50 * _s)) $((10 * _s))
}

repo_json() {
	python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
v = eval(sys.argv[2])
print(json.dumps(v) if isinstance(v, (dict, list)) or v is None else v)' \
	    "$1" "$2"
}
