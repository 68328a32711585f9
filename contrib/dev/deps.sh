#!/bin/sh
# deps.sh - install what winnow needs to build and test, on Debian 12.
#
# Installs only what is missing, so it is cheap to run again; needs root
# (or sudo) when something is missing. The list is the single place that
# names winnow's Debian packages.
set -eu
PKGS="build-essential cmake pkg-config clang
libcriterion-dev libxxhash-dev libpsl-dev libunistring-dev liblmdb-dev
libpcre2-dev"

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
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
