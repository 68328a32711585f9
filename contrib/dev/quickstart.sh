#!/bin/sh
# quickstart.sh - install, build, and run winnow on its embedded defaults.
#
# The first command of the README's quick start, on Debian 12 as root.
# Installs the Debian packages winnow needs (and Postfix and swaks for the
# demonstration), builds in build/, installs under /usr/local, starts
# winnowd on its built-in defaults (milter on inet:8891@127.0.0.1, token
# store /var/lib/winnow/bayes.lmdb, the shipped rules), and shows it
# filtering the sample messages through a real Postfix; then its
# statistics go, signed, to a winnow-repository on SQLite
# (contrib/dev/report_demo.sh). winnowd and the repository keep running
# afterwards; the lines to hook winnowd into the system's Postfix are
# printed at the end.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
if [ "$(id -u)" != 0 ]; then
	echo "quickstart.sh: run as root (it installs packages and winnowd)" >&2
	exit 1
fi
sh contrib/dev/deps.sh --test
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
cmake --install build >/dev/null
echo
echo "== winnow classify --rules rules/core tests/data/samples"
winnow classify --rules /usr/local/share/winnow/rules/core tests/data/samples

# A winnowd left from an earlier run stops first.
pid_file=/run/winnow/winnowd.pid
if [ -s "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
	old=$(cat "$pid_file")
	kill -TERM "$old"
	while kill -0 "$old" 2>/dev/null; do
		sleep 0.2
	done
fi
echo
echo "== winnowd -t (check the built-in configuration)"
winnowd -t
echo "== winnowd (starts in the background, logs to syslog: mail facility)"
# its state folder: the bulk counts (bulk.lmdb) and, once learned, the
# token store; systemd's StateDirectory= makes it under the unit
install -d -m 0750 /var/lib/winnow
winnowd
sleep 0.5
echo "winnowd running, pid $(cat "$pid_file")"
echo
sh contrib/dev/demo.sh inet:127.0.0.1:8891
echo
sh contrib/dev/report_demo.sh 8080
echo
echo "== to filter the system's Postfix through winnowd:"
echo "   postconf -e 'smtpd_milters = inet:127.0.0.1:8891'" \
    "'non_smtpd_milters = \$smtpd_milters'" \
    "'milter_default_action = accept' 'milter_protocol = 6'"
echo "   postfix reload        (see contrib/postfix/main.cf.snippet)"
echo "== winnowd keeps running: winnow reload re-reads its configuration;"
echo "   kill \$(cat $pid_file) stops it. See winnowd(8), winnow.conf(5)."
