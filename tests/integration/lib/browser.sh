# browser.sh: load pages in Debian's headless Chromium for integration tests.
#
# Source this file (POSIX sh; works under dash and `set -eu`).
#
#   browser_available                  true if the browser can be run
#   browser_dump_dom URL OUTFILE       the DOM after loading URL, as HTML
#   browser_screenshot URL PNG [WxH]   a PNG of the page at WxH (1280x2000)
#
# Each call runs one browser with a fresh profile in a temporary folder,
# also used as HOME and XDG folders so nothing is left in the caller's
# home, and removes it afterwards. The flags keep Chromium off the network
# (the test machine has none): no background requests, component updates,
# sync or QUIC. Runs end after BROWSER_TIMEOUT seconds (default 60).
# Chromium's own chatter goes to BROWSER_LOG (default /dev/null).

BROWSER=${WN_CHROMIUM:-/usr/bin/chromium}
BROWSER_TIMEOUT=${BROWSER_TIMEOUT:-60}
BROWSER_LOG=${BROWSER_LOG:-/dev/null}

browser_available() {
	[ -x "$BROWSER" ]
}

# browser_run ARGS... - Chromium headless with ARGS and a fresh profile
browser_run() {
	_br_profile=$(mktemp -d "${TMPDIR:-/tmp}/wn-browser-XXXXXX") || return 1
	_br_rc=0
	HOME=$_br_profile XDG_CONFIG_HOME=$_br_profile/config \
	    XDG_CACHE_HOME=$_br_profile/cache \
	    timeout -k 5 "$BROWSER_TIMEOUT" "$BROWSER" \
	    --headless --no-sandbox --disable-gpu --disable-quic \
	    --no-first-run --no-default-browser-check \
	    --disable-background-networking --disable-component-update \
	    --disable-sync --disable-dev-shm-usage --hide-scrollbars \
	    --user-data-dir="$_br_profile/profile" "$@" \
	    2>>"$BROWSER_LOG" || _br_rc=$?
	rm -rf "$_br_profile"
	return $_br_rc
}

browser_dump_dom() {
	browser_run --dump-dom "$1" >"$2" && [ -s "$2" ]
}

browser_screenshot() {
	rm -f "$2"
	# Chromium writes the file relative to its working folder unless the
	# path is absolute.
	case $2 in
	/*) _br_png=$2 ;;
	*) _br_png=$(pwd)/$2 ;;
	esac
	browser_run --screenshot="$_br_png" \
	    --window-size="$(echo "${3:-1280x2000}" | tr x ,)" "$1" \
	    >/dev/null && [ -s "$_br_png" ]
}
