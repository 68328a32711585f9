#!/bin/sh
# test_dashboard_fixture.sh - the regulator's dashboard as a browser sees it.
#
# usage: test_dashboard_fixture.sh DASHBOARD_FIXTURE OUTDIR
#
# Renders the fixture pages (a month of made-up statistics, an empty
# selection, 400 days) into OUTDIR, loads each in headless Chromium over
# file://, and checks in the DOM Chromium built that the headline figures
# and table cells carry the values the fixture's formulas give, and that
# every chart is an <svg> with marks in it. Screenshots of the month and
# the 400 days are left in OUTDIR (dashboard_fixture.png,
# dashboard_fixture_year.png) for people to look at.
# Exit 0 pass, 1 fail, 77 skipped (no Chromium).
set -eu
FIXTURE=$1
OUT=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/check.sh"
. "$here/lib/browser.sh"

if ! browser_available; then
	echo "skip: no browser at $BROWSER"
	exit 77
fi
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
BROWSER_LOG=$OUT/dashboard_fixture.browser.log
: >"$BROWSER_LOG"
sp=$(printf '\342\200\257')	# U+202F, the thousands separator
dash=$(printf '\342\200\224')	# U+2014, a share of nothing
ndash=$(printf '\342\200\223')	# U+2013, between the days of a gap

# dom_has FILE TEXT - the DOM dump contains TEXT literally
dom_has() {
	grep -qF -- "$2" "$1"
}

# row HEADER CELL... - a table row as the page writes it
row() {
	printf '<tr><th scope="row">%s</th>' "$1"
	shift
	for _c in "$@"; do
		printf '<td class="num">%s</td>' "$_c"
	done
	printf '</tr>'
}

# lacks FILE ERE - no line of FILE matches ERE (case-insensitively)
lacks() {
	! grep -Eiq -- "$2" "$1"
}

# element_of FILE TAG ID - the lines of the <TAG> element with that id
# (the page starts each such element on a line of its own)
element_of() {
	awk -v start="<$2" -v end="</$2>" -v id="id=\"$3\"" '
	    index($0, start) && index($0, id) { on = 1 }
	    on { print }
	    on && index($0, end) { exit }' "$1"
}

svg_of() {
	element_of "$1" svg "$2"
}

# rows_of FILE ID - the number of body and footer rows of a table
rows_of() {
	element_of "$1" table "$2" | grep -c '<tr><th scope="row">'
}

# svg_has FILE ID TEXT - the <svg> with that id contains TEXT
svg_has() {
	svg_of "$1" "$2" | grep -qF -- "$3"
}

# chart_drawn FILE ID - the chart exists and has bars or a non-empty line
chart_drawn() {
	_cd=$(svg_of "$1" "$2")
	[ -n "$_cd" ] || return 1
	printf '%s\n' "$_cd" | grep -q 'role="img"' || return 1
	printf '%s\n' "$_cd" | grep -q '<title>' || return 1
	# a bar with a width, or a line that moves somewhere
	printf '%s\n' "$_cd" | grep -Eq \
	    '<rect class="svg-bar"[^>]* width="[1-9]|<path class="svg-line"[^>]* d="M'
}

# --- a month ---------------------------------------------------------------
page=$OUT/dashboard_fixture.html
dom=$OUT/dashboard_fixture.dom.html
png=$OUT/dashboard_fixture.png
"$FIXTURE" "$page" month
check "fixture page written" test -s "$page"
check "Chromium loads the page" browser_dump_dom "file://$page" "$dom"

# Totals over the 29 days with reports (see dashboard_fixture.c).
check "title" dom_has "$dom" \
    "<title>winnow-repository $dash spam statistics</title>"
check "selection line" dom_has "$dom" "From <time>2026-11-01</time> to \
<time>2026-11-30</time>, all countries, all operators, per day"
check "reports in the selection" dom_has "$dom" \
    "id=\"sel-reports\">8${sp}136</span>"
check "headline: messages" dom_has "$dom" \
    "id=\"total-messages\">1${sp}318${sp}300</dd>"
check "headline: spam" dom_has "$dom" "id=\"total-spam\">547${sp}351</dd>"
check "headline: spam share" dom_has "$dom" "id=\"spam-share\">41.9%</dd>"
check "headline: SPF pass share" dom_has "$dom" \
    "id=\"spf-pass-share\">62.4%</dd>"
check "headline: rejected" dom_has "$dom" \
    "id=\"total-reject\">164${sp}194</dd>"
check "headline: bulk share" dom_has "$dom" \
    "id=\"bulk-share\">10.9%</dd><dd class=\"note\">of 1${sp}199${sp}088 checked"

# Table rows: a weekend day, the outage, the day without SPF, a country,
# a rule, an action.
check "series: 2026-11-01" dom_has "$dom" \
    "$(row 2026-11-01 11 "25${sp}000" "8${sp}662" "16${sp}088" 35.0%)"
check "series: the outage is zeros and no share" dom_has "$dom" \
    "$(row 2026-11-17 0 0 0 0 "$dash")"
check "spf: no mail checked on 2026-11-24" dom_has "$dom" \
    "$(row 2026-11-24 0 0 0 0 "56${sp}100" "$dash")"
check "countries: US" dom_has "$dom" \
    "$(row US "487${sp}939" "169${sp}678" 34.8% 31.0%)"
check "rules: BAYES_99" dom_has "$dom" \
    "$(row BAYES_99 "301${sp}240" 212 0.999)"
check "actions: reject" dom_has "$dom" "$(row reject "164${sp}194" 12.6%)"
check "bulk: not counted before 2026-11-04" dom_has "$dom" \
    "$(row 2026-11-01 0 0 "$dash" "$dash" "$dash")"
check "bulk: 2026-11-04" dom_has "$dom" \
    "$(row 2026-11-04 "41${sp}679" "4${sp}246" 10.2% 23.0% 2.0%)"
check "bulk: BULK_HIGH on spam and ham" dom_has "$dom" \
    "$(row BULK_HIGH "25${sp}438" 5.0% 0 0.0%)"
check "bulk: ham exempt by nobulk rules" dom_has "$dom" \
    "$(row "Exempt (nobulk rule)" 0 0.0% "20${sp}691" 3.0%)"
check "all 20 rules in the table" test "$(rows_of "$dom" table-rules)" -eq 20
check "30 days and the total in the series" \
    test "$(rows_of "$dom" table-series)" -eq 31
check "country filter preselects all" dom_has "$dom" \
    '<option value="all" selected="selected">all countries</option>'

for id in chart-spam-share chart-actions chart-countries chart-spf \
    chart-bulk chart-rules
do
	check "$id is an <svg> with marks" chart_drawn "$dom" "$id"
done
check "the outage is a shaded gap in the SPF chart" \
    svg_has "$dom" chart-spf "<title>no data: 2026-11-17</title>"
check "and so is the day without SPF" \
    svg_has "$dom" chart-spf "<title>no data: 2026-11-24</title>"
check "the outage is a gap in the spam share chart" \
    svg_has "$dom" chart-spam-share "<title>no data: 2026-11-17</title>"
check "days before bulk was counted are a gap in the bulk chart" \
    svg_has "$dom" chart-bulk "<title>no data: 2026-11-01 $ndash 2026-11-03</title>"
check "and the outage is a gap in it too" \
    svg_has "$dom" chart-bulk "<title>no data: 2026-11-17</title>"
check "no scripts or external resources" lacks "$page" \
    '<(script|link|img|iframe|object|embed)[ >]|url\(|@import|src='
check "screenshot of the month" browser_screenshot "file://$page" "$png" \
    1280x2000
[ ! -s "$png" ] || echo "# screenshot: $png"

# --- nothing to show ------------------------------------------------------
page=$OUT/dashboard_fixture_empty.html
dom=$OUT/dashboard_fixture_empty.dom.html
"$FIXTURE" "$page" empty
check "Chromium loads the empty page" browser_dump_dom "file://$page" "$dom"
check "empty: says so" dom_has "$dom" "No reports in this selection"
check "empty: no charts" lacks "$dom" "<svg"

# --- 400 days -------------------------------------------------------------
page=$OUT/dashboard_fixture_year.html
dom=$OUT/dashboard_fixture_year.dom.html
"$FIXTURE" "$page" year
check "Chromium loads 400 days" browser_dump_dom "file://$page" "$dom"
check "400 days: 400 bars" test "$(svg_of "$dom" chart-spam-share |
    grep -c '<rect class="svg-bar"')" -eq 400
check "400 days: a row per day and the total" \
    test "$(rows_of "$dom" table-series)" -eq 401
check "screenshot of 400 days" browser_screenshot "file://$page" \
    "$OUT/dashboard_fixture_year.png" 1280x1400

check_done
