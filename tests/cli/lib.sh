# tests/cli/lib.sh - checks shared by the command-line tests.
#
# Source after setting tmp (a scratch folder). check runs a command with
# its output in $tmp/out and $tmp/err and compares the exit status;
# expect_in looks for text in a file. pass and fail count the results.

pass=0
fail=0

check() {
	# check NAME EXPECTED_STATUS COMMAND...
	name=$1
	want=$2
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -eq "$want" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $name: exit $got, want $want"
		sed 's/^/  stderr: /' "$tmp/err" | head -5
	fi
}

expect_in() {
	# expect_in NAME FILE TEXT
	if grep -q -- "$3" "$2"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $1: '$3' not in $(basename "$2")"
		head -5 "$2" | sed 's/^/  /'
	fi
}

expect_not_in() {
	# expect_not_in NAME FILE TEXT
	if grep -q -- "$3" "$2"; then
		fail=$((fail + 1))
		echo "FAIL $1: '$3' in $(basename "$2")"
		grep -- "$3" "$2" | head -5 | sed 's/^/  /'
	else
		pass=$((pass + 1))
	fi
}
