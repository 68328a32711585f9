# tests/integration/lib/check.sh - TAP-like checks for integration tests.
#
#   check DESCRIPTION COMMAND...   run COMMAND; "ok N - ..." or "FAIL N - ..."
#   ok DESCRIPTION / fail DESCRIPTION
#   check_done                     print the count; false if any failed
#   train_store WINNOW STORE DIR   learn 25 made-up ham and 25 spam messages
#                                  (written under DIR) into STORE, so Bayes
#                                  speaks (it waits for 20 of each class)

fails=0
n=0

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}

fail() {
	n=$((n + 1))
	fails=$((fails + 1))
	echo "FAIL $n - $1"
}

check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else fail "$desc"; fi
}

check_done() {
	echo "$n checks, $fails failed"
	[ "$fails" -eq 0 ]
}

train_store() {
	mkdir -p "$3/ham" "$3/spam"
	_ts_i=0
	while [ $_ts_i -lt 25 ]; do
		printf 'From: colleague%d@example.org\nSubject: project notes %d\n\n%s\n' \
		    $_ts_i $_ts_i \
		    "Minutes of meeting $_ts_i: schedule, review, lunch agenda." \
		    >"$3/ham/$_ts_i.eml"
		printf 'From: deals%d@example.biz\nSubject: cheap offer %d\n\n%s\n' \
		    $_ts_i $_ts_i \
		    "Buy cheap pills now, limited offer $_ts_i, click here!" \
		    >"$3/spam/$_ts_i.eml"
		_ts_i=$((_ts_i + 1))
	done
	"$1" learn --db "$2" --ham "$3/ham" >/dev/null &&
	    "$1" learn --db "$2" --spam "$3/spam" >/dev/null
}
