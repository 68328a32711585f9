#!/bin/sh
# deps.sh - install what winnow needs to build and test, on Debian 12.
#
# deps.sh          what building and running winnow needs;
# deps.sh --test   also what the integration tests run: a real Postfix,
#                  swaks, nsd for the SPF tests' DNS, a PostgreSQL server
#                  and Chromium for the repository's tests, a MaxMind DB
#                  writer for GeoIP test data, jsonschema for the report
#                  schema.
# Installs only what is missing, so it is cheap to run again; needs root
# (or sudo) when something is missing. The lists are the single place that
# names winnow's Debian packages.
set -eu
PKGS="build-essential cmake pkg-config clang
libcriterion-dev libxxhash-dev libpsl-dev libunistring-dev liblmdb-dev
libpcre2-dev libmilter-dev libspf2-dev libsodium-dev libcurl4-openssl-dev
libjansson-dev libsqlite3-dev libpq-dev libmicrohttpd-dev libmaxminddb-dev
libgeoip-dev geoip-database libarchive-dev libhiredis-dev"
TEST_PKGS="postfix swaks nsd iproute2 postgresql chromium redis-server
libmaxmind-db-writer-perl python3-jsonschema openssl sqlite3 curl"
if [ "${1:-}" = "--test" ]; then
	PKGS="$PKGS $TEST_PKGS"
fi

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

SUDO=""
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null 2>&1 || {
		echo "deps.sh: run as root to install:$missing" >&2
		exit 1
	}
	SUDO=sudo
fi
echo "deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# Postfix is only run by the tests, from private configurations: keep
# the package from setting up a system mail server.
echo "postfix postfix/main_mailer_type select No configuration" |
    $SUDO debconf-set-selections
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
