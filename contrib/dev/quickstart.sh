#!/bin/sh
# quickstart.sh - install, build, and run winnow on its embedded defaults.
#
# The first command of the README's quick start. Installs the Debian
# packages winnow needs, builds it in build/, installs the binaries under
# /usr/local (as root), and runs the main job on the sample messages
# shipped in tests/data/samples.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
sh contrib/dev/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
if [ "$(id -u)" = 0 ]; then
	cmake --install build >/dev/null
fi
echo
echo "== winnow parse tests/data/samples"
build/winnow parse tests/data/samples
echo
echo "== winnow classify --rules rules/core tests/data/samples"
build/winnow classify --rules rules/core tests/data/samples
