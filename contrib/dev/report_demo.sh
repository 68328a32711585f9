#!/bin/sh
# report_demo.sh - winnowd's statistics, signed and sent to a local
# winnow-repository on SQLite; part of the quick start.
#
# usage: report_demo.sh [PORT]   (default 8080)
#
# Makes the report key /etc/winnow/report.key if there is none, starts
# winnow-repository on 127.0.0.1:PORT with its database in
# /var/lib/winnow-repository/repository.db and registers the key, restarts
# winnowd so that its current period is sealed, shows the report and sends
# it, then prints what the repository's API says. The repository keeps
# running; its dashboard is http://127.0.0.1:PORT/.
set -eu
port=${1:-8080}
dbdir=/var/lib/winnow-repository
db="sqlite:$dbdir/repository.db"
pid_file=/run/winnow/winnowd.pid
repo_pid_file=/run/winnow-repository.pid

install -d -m 0755 /etc/winnow
[ -e /etc/winnow/report.key ] || winnow report keygen --out /etc/winnow
install -d -m 0750 "$dbdir"

# a repository left from an earlier run stops first
if [ -s "$repo_pid_file" ] && kill -0 "$(cat "$repo_pid_file")" 2>/dev/null
then
	kill -TERM "$(cat "$repo_pid_file")"
	sleep 0.5
fi
# registered once; a second add says so and changes nothing
winnow-repository reporter add --db "$db" --key /etc/winnow/report.pub \
    --name "this host" --country ZZ 2>&1 | sed 's/^/   /' || true
winnow-repository serve --listen "127.0.0.1:$port" --db "$db" \
    >/var/log/winnow-repository.log 2>&1 &
echo $! >"$repo_pid_file"
i=0
until curl -sf "http://127.0.0.1:$port/api/v1/health" >/dev/null; do
	i=$((i + 1))
	[ $i -lt 50 ] || { echo "winnow-repository did not start:" >&2;
	    cat /var/log/winnow-repository.log >&2; exit 1; }
	sleep 0.1
done

echo "== winnowd restarted: stopping seals the current statistics period"
old=$(cat "$pid_file")
kill -TERM "$old"
while kill -0 "$old" 2>/dev/null; do
	sleep 0.2
done
winnowd
sleep 0.5
echo
echo "== winnow report preview --pretty (the first lines)"
winnow report preview --pretty | head -n 40
echo "   ..."
echo
echo "== winnow report send --repository http://127.0.0.1:$port"
winnow report send --repository "http://127.0.0.1:$port"
echo
echo "== GET /api/v1/stats (today)"
today=$(date -u +%Y-%m-%d)
curl -sf "http://127.0.0.1:$port/api/v1/stats?from=$today&to=$today" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); t=d["totals"];
print("reporters %d, reports %d, messages %d, spam %d, rejected %d" % (
    d["reporters"], d["reports"], t["messages"], t["spam"],
    t["action"]["reject"]))'
echo
echo "== the regulators' dashboard: http://127.0.0.1:$port/"
echo "   (winnow-repository keeps running: kill \$(cat $repo_pid_file))"
