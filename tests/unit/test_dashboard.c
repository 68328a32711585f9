/* test_dashboard.c - the regulator's page, its SVG charts and formats. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <winnow/arena.h>
#include <winnow/buf.h>

#include "agg_util.h"
#include "dashboard.h"
#include "svg.h"

#define NNBSP "\xe2\x80\xaf"
#define DASH "\xe2\x80\x94"
#define FIRST_DAY 20758		/* 2026-11-01 */

/* --- helpers --------------------------------------------------------- */

static const char *known[] = { "DE", "FR", "US" };

/* An aggregate of n daily buckets from 2026-11-01 with fixed totals. */
static void
agg_make(wn_agg *agg, size_t n)
{
	size_t i;

	memset(agg, 0, sizeof(*agg));
	agg->arena = wn_arena_new(0);
	cr_assert_not_null(agg->arena);
	agg->q.from_day = FIRST_DAY;
	agg->q.to_day = FIRST_DAY + (int64_t)n - 1;
	agg->q.group = WN_AGG_DAY;
	agg->q.rule_limit = 50;
	agg->known_countries = known;
	agg->n_known_countries = 3;
	agg->reports = 8640;
	agg->total.reporters = 12;
	agg->total.messages = 1234567;
	agg->total.scanned = 1200000;
	agg->total.spam = 456789;
	agg->total.ham = 700000;
	agg->total.action[0] = 700000;
	agg->total.action[1] = 358024;
	agg->total.action[6] = 98765;
	agg->total.spf[2] = 600000;
	agg->total.spf[3] = 200000;
	agg->total.spf[WN_AGG_SPF_NOT_CHECKED] = 434567;
	/* bulk: checked, exempt, flagged, low, medium, high, senders,
	 * attachment (wn_report_bulk_names) */
	memcpy(agg->total.bulk_spam, (uint64_t[WN_AGG_BULK]){ 400000, 0,
	    120000, 50000, 30000, 20000, 15000, 5000 },
	    sizeof(agg->total.bulk_spam));
	memcpy(agg->total.bulk_ham, (uint64_t[WN_AGG_BULK]){ 600000, 12000,
	    6000, 4000, 1000, 0, 500, 200 }, sizeof(agg->total.bulk_ham));

	agg->series = wn_arena_calloc(agg->arena, n ? n : 1,
	    sizeof(*agg->series));
	cr_assert_not_null(agg->series);
	agg->n_series = n;
	for (i = 0; i < n; i++) {
		wn_agg_bucket *b = &agg->series[i];

		b->start_day = FIRST_DAY + (int64_t)i;
		wn_agg_day_format(b->start_day, b->label);
		b->v.reporters = 12;
		b->v.messages = 1000 + i;
		b->v.spam = 400;
		b->v.ham = 600;
		b->v.spf[2] = 700;
		b->v.spf[3] = 100;
		b->v.bulk_spam[WN_AGG_BULK_CHECKED] = 380;
		b->v.bulk_spam[WN_AGG_BULK_FLAGGED] = 95;
		b->v.bulk_ham[WN_AGG_BULK_CHECKED] = 570;
		b->v.bulk_ham[WN_AGG_BULK_FLAGGED] = 19;
	}

	agg->countries = wn_arena_calloc(agg->arena, 2,
	    sizeof(*agg->countries));
	cr_assert_not_null(agg->countries);
	agg->n_countries = 2;
	strcpy(agg->countries[0].country, "US");
	agg->countries[0].messages = 300000;
	agg->countries[0].spam = 200000;
	strcpy(agg->countries[1].country, "CN");
	agg->countries[1].messages = 100000;
	agg->countries[1].spam = 90000;

	agg->rules = wn_arena_calloc(agg->arena, 2, sizeof(*agg->rules));
	cr_assert_not_null(agg->rules);
	agg->n_rules = 2;
	agg->rules[0].name = "BAYES_99";
	agg->rules[0].spam = 300000;
	agg->rules[0].ham = 1000;
	agg->rules[1].name = "HTML_MESSAGE";
	agg->rules[1].spam = 0;
	agg->rules[1].ham = 0;
}

/* The page of agg as a heap string. */
static char *
render(const wn_agg *agg)
{
	wn_buf b;
	char *s;

	wn_buf_init(&b);
	wn_dashboard_render(agg, &b);
	cr_assert_eq(b.failed, 0);
	cr_assert_not_null(b.data);
	s = strdup(b.data);
	wn_buf_fini(&b);
	return s;
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0, len = strlen(needle);

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += len;
	}
	return n;
}

/*
 * The element with the given id, from its "<tag" to the matching close
 * tag (by name; the page does not nest an element in one of its kind).
 */
static char *
element(const char *page, const char *tag, const char *id)
{
	char attr[96], close[32];
	const char *at, *start, *end;

	snprintf(attr, sizeof(attr), "id=\"%s\"", id);
	snprintf(close, sizeof(close), "</%s>", tag);
	at = strstr(page, attr);
	cr_assert_not_null(at, "no element with %s", attr);
	for (start = at; start > page && *start != '<'; start--)
		;
	cr_assert(strncmp(start + 1, tag, strlen(tag)) == 0,
	    "%s is not on a <%s>", attr, tag);
	end = strstr(at, close);
	cr_assert_not_null(end, "<%s %s> is not closed", tag, attr);
	end += strlen(close);
	return strndup(start, (size_t)(end - start));
}

/* The text content of the element with id (no markup inside). */
static void
assert_text(const char *page, const char *id, const char *want)
{
	char attr[96];
	const char *at, *gt, *lt;

	snprintf(attr, sizeof(attr), "id=\"%s\"", id);
	at = strstr(page, attr);
	cr_assert_not_null(at, "no element with %s", attr);
	gt = strchr(at, '>');
	lt = gt != NULL ? strchr(gt, '<') : NULL;
	cr_assert_not_null(lt);
	cr_assert(strlen(want) == (size_t)(lt - gt - 1) &&
	    strncmp(gt + 1, want, strlen(want)) == 0,
	    "%s: got \"%.*s\", want \"%s\"", id, (int)(lt - gt - 1), gt + 1,
	    want);
}

/*
 * Whether every tag is closed in order, XML-style (the page closes void
 * elements with "/>"). Describes the first problem in why.
 */
static bool
balanced(const char *p, char *why, size_t why_len)
{
	const char *name[512];
	size_t name_len[512];
	int depth = 0;

	while ((p = strchr(p, '<')) != NULL) {
		const char *n, *q;
		char quote = 0;
		bool closing, self;
		size_t len;

		if (p[1] == '!') {
			if ((p = strchr(p, '>')) == NULL)
				return false;
			continue;
		}
		closing = p[1] == '/';
		n = p + 1 + closing;
		len = strspn(n, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");
		if (len == 0) {
			snprintf(why, why_len, "stray '<' at \"%.20s\"", p);
			return false;
		}
		for (q = n + len; *q != '\0' && (quote || *q != '>'); q++) {
			if (quote) {
				if (*q == quote)
					quote = 0;
			} else if (*q == '"' || *q == '\'')
				quote = *q;
			else if (*q == '<') {
				snprintf(why, why_len, "'<' in tag \"%.20s\"",
				    p);
				return false;
			}
		}
		if (*q == '\0') {
			snprintf(why, why_len, "unterminated tag \"%.20s\"", p);
			return false;
		}
		self = q[-1] == '/';
		if (closing) {
			if (depth == 0 || name_len[depth - 1] != len ||
			    strncmp(name[depth - 1], n, len) != 0) {
				snprintf(why, why_len, "</%.*s> closes <%.*s>",
				    (int)len, n,
				    depth ? (int)name_len[depth - 1] : 0,
				    depth ? name[depth - 1] : "");
				return false;
			}
			depth--;
		} else if (!self) {
			if (depth == 512)
				return false;
			name[depth] = n;
			name_len[depth++] = len;
		}
		p = q + 1;
	}
	if (depth != 0)
		snprintf(why, why_len, "<%.*s> never closed",
		    (int)name_len[depth - 1], name[depth - 1]);
	return depth == 0;
}

static void
assert_well_formed(const char *page)
{
	char why[128] = "";
	char path[] = "/tmp/wn-dash-XXXXXX";
	char cmd[256];
	FILE *f;
	int fd, rc;

	cr_assert(balanced(page, why, sizeof(why)), "unbalanced: %s", why);
	cr_assert_eq(count(page, "<svg"), count(page, "</svg>"));
	/* an XML parser as a second opinion, where one is installed */
	if (access("/usr/bin/xmllint", X_OK) != 0)
		return;
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	f = fdopen(fd, "w");
	cr_assert_not_null(f);
	fputs(page, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "/usr/bin/xmllint --noout --nonet %s",
	    path);
	rc = system(cmd);
	unlink(path);
	cr_assert_eq(rc, 0, "xmllint rejects the page");
}

/* --- formats --------------------------------------------------------- */

static char *
fmt_count(uint64_t n)
{
	wn_buf b;
	char *s;

	wn_buf_init(&b);
	wn_agg_put_count(&b, n);
	s = strdup(b.data);
	wn_buf_fini(&b);
	return s;
}

static char *
fmt_share(double v)
{
	wn_buf b;
	char *s;

	wn_buf_init(&b);
	wn_agg_put_share(&b, v);
	s = strdup(b.data);
	wn_buf_fini(&b);
	return s;
}

Test(dashboard, counts_are_grouped_by_threes)
{
	static const struct {
		uint64_t n;
		const char *want;
	} cases[] = {
		{ 0, "0" }, { 999, "999" }, { 1000, "1" NNBSP "000" },
		{ 1234567, "1" NNBSP "234" NNBSP "567" },
		{ 100000, "100" NNBSP "000" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = fmt_count(cases[i].n);

		cr_expect_str_eq(got, cases[i].want, "got %s, want %s", got,
		    cases[i].want);
		free(got);
	}
}

Test(dashboard, shares_have_one_decimal_and_a_dash_for_nothing)
{
	static const struct {
		double v;
		const char *want;
	} cases[] = {
		{ 0.41625, "41.6%" }, { 1, "100.0%" }, { 0, "0.0%" },
		{ 0.00049, "0.0%" }, { 0.99951, "100.0%" }, { -1, DASH },
		{ NAN, DASH },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = fmt_share(cases[i].v);

		cr_expect_str_eq(got, cases[i].want, "got %s, want %s", got,
		    cases[i].want);
		free(got);
	}
}

Test(dashboard, shares_of_a_volume)
{
	wn_agg_volume v;

	memset(&v, 0, sizeof(v));
	cr_expect_eq(wn_agg_spam_share(&v), -1);
	cr_expect_eq(wn_agg_spf_pass_share(&v), -1);
	v.spf[WN_AGG_SPF_NOT_CHECKED] = 50;
	cr_expect_eq(wn_agg_spf_pass_share(&v), -1,
	    "not_checked is no divisor");
	v.spam = 1;
	v.ham = 3;
	v.spf[2] = 3;
	v.spf[0] = 1;
	cr_expect_eq(wn_agg_spam_share(&v), 0.25);
	cr_expect_eq(wn_agg_spf_pass_share(&v), 0.75);
}

Test(dashboard, days_are_iso_dates)
{
	char d[WN_AGG_DAY_LEN];

	wn_agg_day_format(0, d);
	cr_expect_str_eq(d, "1970-01-01");
	wn_agg_day_format(FIRST_DAY, d);
	cr_expect_str_eq(d, "2026-11-01");
	wn_agg_day_format(-1, d);
	cr_expect_str_eq(d, "1969-12-31");
	wn_agg_day_format(INT64_MAX, d);
	cr_expect_str_eq(d, "?");
}

struct step_case {
	double max;
	int ticks;
	bool integral;
	double want;
};

ParameterizedTestParameters(dashboard, nice_steps)
{
	static struct step_case cases[] = {
		{ 100, 5, false, 20 }, { 7, 5, true, 2 },
		{ 0.3, 5, false, 0.1 },
		{ 1234567, 6, true, 500000 }, { 0, 5, true, 1 },
		{ 3, 5, true, 1 }, { 90, 5, true, 20 }, { 1, 5, false, 0.2 },
		{ 2e30, 5, true, 2e17 },	/* clamped, but finite */
	};

	return cr_make_param_array(struct step_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct step_case *c, dashboard, nice_steps)
{
	double got = wn_svg_nice_step(c->max, c->ticks, c->integral);

	cr_expect(fabs(got - c->want) <= 1e-9 * c->want,
	    "max %g ticks %d: got %g, want %g", c->max, c->ticks, got,
	    c->want);
}

/* --- the page -------------------------------------------------------- */

Test(dashboard, headline_figures)
{
	wn_agg agg;
	char *page;

	agg_make(&agg, 3);
	page = render(&agg);
	assert_text(page, "total-messages", "1" NNBSP "234" NNBSP "567");
	assert_text(page, "total-spam", "456" NNBSP "789");
	/* 456789 / 1156789 */
	assert_text(page, "spam-share", "39.5%");
	/* 600000 / 800000; not_checked does not count */
	assert_text(page, "spf-pass-share", "75.0%");
	assert_text(page, "total-reject", "98" NNBSP "765");
	/* (120000 + 6000) / (400000 + 600000) */
	assert_text(page, "bulk-share", "12.6%");
	cr_expect(strstr(page, "id=\"bulk-share\">12.6%</dd><dd class=\"note\">"
	    "of 1" NNBSP "000" NNBSP "000 checked</dd>") != NULL);
	assert_text(page, "sel-reporters", "12");
	assert_text(page, "sel-reports", "8" NNBSP "640");
	cr_expect(strstr(page, "<title>winnow-repository \xe2\x80\x94 spam "
	    "statistics</title>") != NULL);
	cr_expect(strstr(page, "From <time>2026-11-01</time> to "
	    "<time>2026-11-03</time>, all countries, all operators, per "
	    "day") != NULL);
	free(page);
	wn_arena_free(&agg.arena);
}

Test(dashboard, every_chart_has_svg_and_table)
{
	static const char *const charts[] = {
		"chart-spam-share", "chart-actions", "chart-countries",
		"chart-spf", "chart-bulk", "chart-rules"
	};
	static const char *const tables[] = {
		"table-series", "table-actions", "table-countries",
		"table-spf", "table-bulk", "table-rules"
	};
	wn_agg agg;
	char *page, *el;
	size_t i;

	agg_make(&agg, 3);
	page = render(&agg);
	for (i = 0; i < 6; i++) {
		el = element(page, "svg", charts[i]);
		cr_expect(strstr(el, "role=\"img\"") != NULL, "%s", charts[i]);
		cr_expect(strstr(el, "aria-label=\"") != NULL, "%s", charts[i]);
		cr_expect(strstr(el, "<title>") != NULL, "%s", charts[i]);
		cr_expect(strstr(el, "viewBox=\"0 0 720 ") != NULL);
		cr_expect(count(el, "class=\"svg-bar\"") +
		    count(el, "class=\"svg-line\"") > 0, "%s draws nothing",
		    charts[i]);
		free(el);
		el = element(page, "table", tables[i]);
		cr_expect(count(el, "<tr>") > 1, "%s is empty", tables[i]);
		free(el);
	}
	/* the rule without hits has no S/O */
	el = element(page, "table", "table-rules");
	cr_expect(strstr(el, "<th scope=\"row\">BAYES_99</th><td class=\"num\">"
	    "300" NNBSP "000</td><td class=\"num\">1" NNBSP "000</td>"
	    "<td class=\"num\">0.997</td>") != NULL);
	cr_expect(strstr(el, "HTML_MESSAGE</th><td class=\"num\">0</td>"
	    "<td class=\"num\">0</td><td class=\"num\">" DASH "</td>") != NULL);
	free(el);
	el = element(page, "table", "table-actions");
	cr_expect(strstr(el, "<th scope=\"row\">reject</th><td class=\"num\">"
	    "98" NNBSP "765</td>") != NULL);
	free(el);
	assert_well_formed(page);
	free(page);
	wn_arena_free(&agg.arena);
}

Test(dashboard, bulk_share_over_time_and_by_kind)
{
	wn_agg agg;
	char *page, *el;

	agg_make(&agg, 3);
	/* no report of the second day counted bulk detections */
	memset(agg.series[1].v.bulk_spam, 0, sizeof(agg.series[1].v.bulk_spam));
	memset(agg.series[1].v.bulk_ham, 0, sizeof(agg.series[1].v.bulk_ham));
	page = render(&agg);
	cr_expect_null(strstr(page, "id=\"no-bulk\""));
	el = element(page, "section", "sec-bulk");
	cr_expect(strstr(el, "<h2 id=\"h-bulk\">Bulk mail over time</h2>")
	    != NULL);
	free(el);
	el = element(page, "svg", "chart-bulk");
	cr_expect(strstr(el, "<title>no data: 2026-11-02</title>") != NULL);
	cr_expect(strstr(el, "Bulk share per day, 2026-11-01 to 2026-11-03")
	    != NULL);
	free(el);
	/* (95 + 19) / (380 + 570); of spam 95 / 380, of ham 19 / 570 */
	el = element(page, "table", "table-bulk");
	cr_expect(strstr(el, "<tr><th scope=\"row\">2026-11-01</th>"
	    "<td class=\"num\">950</td><td class=\"num\">114</td>"
	    "<td class=\"num\">12.0%</td><td class=\"num\">25.0%</td>"
	    "<td class=\"num\">3.3%</td></tr>") != NULL);
	cr_expect(strstr(el, "<tr><th scope=\"row\">2026-11-02</th>"
	    "<td class=\"num\">0</td><td class=\"num\">0</td>"
	    "<td class=\"num\">" DASH "</td><td class=\"num\">" DASH "</td>"
	    "<td class=\"num\">" DASH "</td></tr>") != NULL);
	cr_expect(strstr(el, "<tfoot><tr><th scope=\"row\">All</th>"
	    "<td class=\"num\">1" NNBSP "000" NNBSP "000</td>"
	    "<td class=\"num\">126" NNBSP "000</td><td class=\"num\">12.6%</td>"
	    "<td class=\"num\">30.0%</td><td class=\"num\">1.0%</td>")
	    != NULL);
	free(el);
	el = element(page, "table", "table-bulk-kinds");
	cr_expect(strstr(el, "<tr><th scope=\"row\">BULK_HIGH</th>"
	    "<td class=\"num\">20" NNBSP "000</td><td class=\"num\">5.0%</td>"
	    "<td class=\"num\">0</td><td class=\"num\">0.0%</td></tr>")
	    != NULL);
	cr_expect(strstr(el, "<tr><th scope=\"row\">Exempt (nobulk rule)</th>"
	    "<td class=\"num\">0</td><td class=\"num\">0.0%</td>"
	    "<td class=\"num\">12" NNBSP "000</td><td class=\"num\">2.0%</td>"
	    "</tr>") != NULL);
	cr_expect_eq(count(el, "<tr><th scope=\"row\">"), 8);
	free(el);
	assert_well_formed(page);
	free(page);
	wn_arena_free(&agg.arena);
}

/* Reports from before bulk detections were counted, or at minimal
 * sharing: the section says so rather than showing 0%. */
Test(dashboard, no_bulk_counted_says_so)
{
	wn_agg agg;
	char *page;
	size_t i;

	agg_make(&agg, 3);
	memset(agg.total.bulk_spam, 0, sizeof(agg.total.bulk_spam));
	memset(agg.total.bulk_ham, 0, sizeof(agg.total.bulk_ham));
	for (i = 0; i < agg.n_series; i++) {
		memset(agg.series[i].v.bulk_spam, 0,
		    sizeof(agg.series[i].v.bulk_spam));
		memset(agg.series[i].v.bulk_ham, 0,
		    sizeof(agg.series[i].v.bulk_ham));
	}
	page = render(&agg);
	assert_text(page, "bulk-share", DASH);
	assert_text(page, "no-bulk", "No report in this selection counted "
	    "bulk detections.");
	cr_expect_null(strstr(page, "id=\"chart-bulk\""));
	cr_expect_null(strstr(page, "id=\"table-bulk\""));
	assert_well_formed(page);
	free(page);
	wn_arena_free(&agg.arena);
}

Test(dashboard, data_is_escaped_in_html_and_svg)
{
	wn_agg agg;
	char *page, *el;

	agg_make(&agg, 3);
	agg.rules[0].name = "<script>alert('x')</script>";
	strcpy(agg.countries[1].country, "\"&");
	strcpy(agg.series[1].label, "<i>&</i>");
	strcpy(agg.q.operator_type, "\"><b>");
	page = render(&agg);
	cr_expect_null(strstr(page, "<script"));
	cr_expect_null(strstr(page, "<i>"));
	cr_expect_null(strstr(page, "<b>"));
	el = element(page, "table", "table-rules");
	cr_expect(strstr(el, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;")
	    != NULL);
	free(el);
	el = element(page, "svg", "chart-rules");
	cr_expect(strstr(el, "&lt;script&gt;") != NULL, "rule label in SVG");
	free(el);
	el = element(page, "table", "table-countries");
	cr_expect(strstr(el, "<th scope=\"row\">&quot;&amp;</th>") != NULL);
	free(el);
	el = element(page, "svg", "chart-countries");
	cr_expect(strstr(el, ">&quot;&amp;</text>") != NULL);
	free(el);
	el = element(page, "svg", "chart-spam-share");
	cr_expect(strstr(el, "&lt;i&gt;&amp;&lt;/i&gt;") != NULL);
	free(el);
	cr_expect(strstr(page, "operator type &quot;&gt;&lt;b&gt;") != NULL);
	assert_well_formed(page);
	free(page);
	wn_arena_free(&agg.arena);
}

Test(dashboard, invalid_utf8_and_controls_become_replacement_characters)
{
	wn_buf b;

	wn_buf_init(&b);
	wn_svg_escape(&b, "a\xff" "b\x01" "c\xc3\xa9");
	cr_expect_str_eq(b.data, "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\xc3\xa9");
	wn_buf_fini(&b);
}

Test(dashboard, empty_selection_says_so)
{
	wn_agg agg;
	char *page;

	agg_make(&agg, 30);
	agg.reports = 0;
	memset(&agg.total, 0, sizeof(agg.total));
	agg.n_countries = 0;
	agg.n_rules = 0;
	page = render(&agg);
	cr_expect(strstr(page, "No reports in this selection") != NULL);
	cr_expect(strstr(page, "id=\"no-data\"") != NULL);
	cr_expect_null(strstr(page, "<svg"));
	cr_expect_null(strstr(page, "id=\"total-messages\""));
	/* the form is still there to widen the selection */
	cr_expect(strstr(page, "<form id=\"filter\"") != NULL);
	assert_text(page, "sel-reports", "0");
	assert_well_formed(page);
	free(page);
	wn_arena_free(&agg.arena);
}

Test(dashboard, shares_of_nothing_show_a_dash)
{
	wn_agg agg;
	char *page, *el;

	agg_make(&agg, 2);
	agg.total.spam = agg.total.ham = 0;
	memset(agg.total.spf, 0, sizeof(agg.total.spf));
	agg.total.spf[WN_AGG_SPF_NOT_CHECKED] = 5;
	agg.series[1].v.spam = agg.series[1].v.ham = 0;
	page = render(&agg);
	assert_text(page, "spam-share", DASH);
	assert_text(page, "spf-pass-share", DASH);
	el = element(page, "table", "table-series");
	cr_expect(strstr(el, "2026-11-02</th><td class=\"num\">12</td>"
	    "<td class=\"num\">1" NNBSP "001</td><td class=\"num\">0</td>"
	    "<td class=\"num\">0</td><td class=\"num\">" DASH "</td>")
	    != NULL);
	free(el);
	/* the bucket without classified mail is a shaded gap, not a bar */
	el = element(page, "svg", "chart-spam-share");
	cr_expect_eq(count(el, "class=\"svg-bar\""), 1);
	cr_expect_eq(count(el, "class=\"svg-nodata\""), 2, "gap and legend");
	cr_expect(strstr(el, "<title>no data: 2026-11-02</title>") != NULL);
	free(el);
	free(page);
	wn_arena_free(&agg.arena);
}

Test(dashboard, spf_gaps_break_the_line)
{
	wn_agg agg;
	char *page, *el, *d;
	const char *at;

	agg_make(&agg, 5);
	memset(agg.series[2].v.spf, 0, sizeof(agg.series[2].v.spf));
	agg.series[2].v.spf[WN_AGG_SPF_NOT_CHECKED] = 1002;
	page = render(&agg);
	el = element(page, "svg", "chart-spf");
	at = strstr(el, " d=\"");
	cr_assert_not_null(at);
	d = strndup(at + 4, strcspn(at + 4, "\""));
	/* two runs, each starting with a move: M.. L.. M.. L.. */
	cr_expect_eq(count(d, "M"), 2);
	cr_expect_eq(count(d, "L"), 2);
	free(d);
	cr_expect_eq(count(el, "class=\"svg-dot\""), 4);
	cr_expect_eq(count(el, "class=\"svg-nodata\""), 2);
	free(el);
	el = element(page, "table", "table-spf");
	cr_expect(strstr(el, "2026-11-03</th><td class=\"num\">0</td>")
	    != NULL);
	free(el);
	free(page);
	wn_arena_free(&agg.arena);
}

Test(dashboard, one_bucket)
{
	wn_agg agg;
	char *page, *el;

	agg_make(&agg, 1);
	page = render(&agg);
	el = element(page, "svg", "chart-spam-share");
	cr_expect_eq(count(el, "class=\"svg-bar\""), 1);
	cr_expect(strstr(el, ">2026-11-01</text>") != NULL);
	cr_expect(strstr(el, "<title>2026-11-01: 40.0%</title>") != NULL);
	/* the y axis runs 0-100% whatever the data */
	cr_expect(strstr(el, ">100%</text>") != NULL);
	cr_expect(strstr(el, ">0%</text>") != NULL);
	free(el);
	el = element(page, "svg", "chart-spf");
	cr_expect_eq(count(el, "class=\"svg-dot\""), 1, "a lone point shows");
	free(el);
	el = element(page, "table", "table-series");
	cr_expect_eq(count(el, "<th scope=\"row\">"), 2, "one bucket + All");
	free(el);
	assert_well_formed(page);
	free(page);
	wn_arena_free(&agg.arena);
}

Test(dashboard, four_hundred_buckets_thin_the_labels)
{
	wn_agg agg;
	char *page, *el, *labels;
	size_t n;

	agg_make(&agg, 400);
	page = render(&agg);
	el = element(page, "svg", "chart-spam-share");
	cr_expect_eq(count(el, "class=\"svg-bar\""), 400);
	/* bucket labels sit in the x axis group after the marks */
	labels = strstr(el, "</g>\n<g class=\"svg-axis-x\">");
	cr_assert_not_null(labels);
	n = count(labels, "<text class=\"svg-tick\"");
	cr_expect(n >= 4 && n <= 12, "%zu x labels", n);
	cr_expect(strstr(labels, ">2026-11-01</text>") != NULL,
	    "the first bucket is labelled");
	free(el);
	el = element(page, "svg", "chart-spf");
	cr_expect_eq(count(el, "class=\"svg-dot\""), 0,
	    "no dots on a long line");
	free(el);
	el = element(page, "table", "table-series");
	cr_expect_eq(count(el, "<th scope=\"row\">"), 401);
	free(el);
	assert_well_formed(page);
	free(page);
	wn_arena_free(&agg.arena);
}

Test(dashboard, form_shows_the_current_query)
{
	wn_agg agg;
	char *page, *el;

	agg_make(&agg, 7);
	strcpy(agg.q.country, "FR");
	strcpy(agg.q.operator_type, "isp");
	agg.q.group = WN_AGG_WEEK;
	page = render(&agg);
	el = element(page, "form", "filter");
	cr_expect(strstr(el, "method=\"get\" action=\"/\"") != NULL);
	cr_expect(strstr(el, "<input type=\"date\" id=\"f-from\" name=\"from\" "
	    "value=\"2026-11-01\"/>") != NULL);
	cr_expect(strstr(el, "<input type=\"date\" id=\"f-to\" name=\"to\" "
	    "value=\"2026-11-07\"/>") != NULL);
	cr_expect(strstr(el, "<option value=\"all\">all countries</option>"
	    "<option value=\"DE\">DE</option><option value=\"FR\" "
	    "selected=\"selected\">FR</option><option value=\"US\">US"
	    "</option></select>") != NULL);
	cr_expect(strstr(el, "<option value=\"isp\" selected=\"selected\">isp"
	    "</option>") != NULL);
	cr_expect(strstr(el, "<option value=\"week\" selected=\"selected\">"
	    "week</option>") != NULL);
	cr_expect_eq(count(el, "selected=\"selected\""), 3);
	free(el);
	cr_expect(strstr(page, "href=\"/api/v1/stats?from=2026-11-01&amp;"
	    "to=2026-11-07&amp;group=week&amp;country=FR&amp;"
	    "operator_type=isp\"") != NULL);
	free(page);
	wn_arena_free(&agg.arena);
}

Test(dashboard, form_defaults_and_unknown_country)
{
	wn_agg agg;
	char *page, *el;

	agg_make(&agg, 3);
	page = render(&agg);
	el = element(page, "form", "filter");
	cr_expect(strstr(el, "<option value=\"all\" selected=\"selected\">"
	    "all countries</option>") != NULL);
	cr_expect(strstr(el, "<option value=\"all\" selected=\"selected\">"
	    "all operators</option>") != NULL);
	cr_expect(strstr(el, "<option value=\"day\" selected=\"selected\">")
	    != NULL);
	free(el);
	free(page);

	/* a filter on a country no reporter has any more stays selected */
	strcpy(agg.q.country, "SE");
	page = render(&agg);
	el = element(page, "select", "f-country");
	cr_expect(strstr(el, "<option value=\"SE\" selected=\"selected\">SE"
	    "</option>") != NULL);
	cr_expect_eq(count(el, "selected="), 1);
	free(el);
	free(page);
	wn_arena_free(&agg.arena);
}

Test(dashboard, countries_beyond_fifteen_are_other_in_the_chart)
{
	wn_agg agg;
	char *page, *el;
	size_t i;

	agg_make(&agg, 3);
	agg.countries = wn_arena_calloc(agg.arena, 20,
	    sizeof(*agg.countries));
	cr_assert_not_null(agg.countries);
	agg.n_countries = 20;
	for (i = 0; i < 20; i++) {
		snprintf(agg.countries[i].country,
		    sizeof(agg.countries[i].country), "C%zu", i);
		agg.countries[i].spam = 1000 - 10 * i;
		agg.countries[i].messages = 2000;
	}
	page = render(&agg);
	el = element(page, "svg", "chart-countries");
	cr_expect_eq(count(el, "<g class=\"svg-row\">"), 16);
	cr_expect(strstr(el, ">C14</text>") != NULL);
	cr_expect_null(strstr(el, ">C15</text>"));
	/* 850 + 840 + 830 + 820 + 810 */
	cr_expect(strstr(el, "<title>other: 4" NNBSP "150") != NULL);
	free(el);
	el = element(page, "table", "table-countries");
	cr_expect_eq(count(el, "<th scope=\"row\">"), 20);
	cr_expect(strstr(el, ">C19</th>") != NULL);
	free(el);
	free(page);
	wn_arena_free(&agg.arena);
}

Test(dashboard, output_is_deterministic)
{
	wn_agg agg;
	char *a, *b;

	agg_make(&agg, 40);
	a = render(&agg);
	b = render(&agg);
	cr_expect_str_eq(a, b);
	free(a);
	free(b);
	wn_arena_free(&agg.arena);
}

Test(dashboard, numbers_ignore_the_locale)
{
	wn_agg agg;
	char *page;

	if (setlocale(LC_NUMERIC, "de_DE.UTF-8") == NULL &&
	    setlocale(LC_NUMERIC, "fr_FR.UTF-8") == NULL)
		cr_skip_test("no locale with a decimal comma installed");
	agg_make(&agg, 3);
	page = render(&agg);
	assert_text(page, "spam-share", "39.5%");
	cr_expect_null(strstr(page, "viewBox=\"0 0 720,"));
	free(page);
	wn_arena_free(&agg.arena);
}
