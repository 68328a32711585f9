/*
 * dashboard.c - the regulator's page (GET /): the selection, a filter form,
 * headline figures and six charts, each with a table of its numbers,
 * then the rule-set section of dashboard_rulesets.c.
 *
 * One self-contained HTML5 document: inline <style>, inline SVG, no
 * script, no external resource, so it works offline, in a text browser
 * and with a screen reader. The markup is also well-formed XML (void
 * elements closed with "/>", attributes quoted), which lets the tests
 * check its structure with an XML parser. Every string from the database
 * goes through wn_svg_escape; fixed-size fields are read only up to their
 * size. Key elements carry stable ids (see docs/repository-api.md).
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <winnow/alloc.h>

#include <winnow/report.h>

#include "agg_util.h"
#include "dashboard.h"
#include "dashboard_rulesets.h"
#include "svg.h"

#define WN_DASH_TITLE "winnow-repository \xe2\x80\x94 spam statistics"
/* rows drawn in the country and rule charts; the tables list all */
#define WN_DASH_CHART_ROWS 15
#define WN_DASH_DEFAULT_RULES 50
/* index of SPF results in wn_agg_volume.spf (enum wn_spf_result) */
#define WN_DASH_SPF_PASS 2
#define WN_DASH_SPF_FAIL 3
#define WN_DASH_SPF_SOFTFAIL 4

/* A bucket label or country code copied out of its fixed-size field. */
typedef struct wn_dash_label {
	char s[16];
} wn_dash_label;

static const char wn_dash_css[] =
    ":root{color-scheme:light}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;background:#f3f4f6;color:#1b1f24;font-family:system-ui,"
    "-apple-system,\"Segoe UI\",Roboto,\"Noto Sans\",\"Liberation Sans\","
    "Arial,sans-serif;font-size:16px;line-height:1.5}\n"
    ".top{background:#1d3557;color:#fff;padding:1.1rem 1.5rem 1rem}\n"
    ".top h1{margin:0 auto;max-width:60rem;font-size:1.5rem;"
    "font-weight:600}\n"
    ".top p{margin:.2rem auto 0;max-width:60rem;color:#dce4ee}\n"
    "main{max-width:63rem;margin:0 auto;padding:1rem 1.5rem 2rem}\n"
    "a{color:#1a5490}\n"
    ".filter{display:flex;flex-wrap:wrap;gap:.75rem 1rem;"
    "align-items:flex-end;background:#fff;border:1px solid #d0d5dc;"
    "border-radius:4px;padding:.8rem 1rem;margin:0 0 .5rem}\n"
    ".field{display:flex;flex-direction:column}\n"
    ".field label{font-size:.85rem;font-weight:600;color:#33404d}\n"
    ".filter input,.filter select{font:inherit;padding:.3rem .45rem;"
    "border:1px solid #7b8794;border-radius:3px;background:#fff;"
    "color:#1b1f24;min-width:8rem}\n"
    ".filter button{font:inherit;font-weight:600;padding:.35rem 1.2rem;"
    "border:1px solid #1d3557;border-radius:3px;background:#1d3557;"
    "color:#fff;cursor:pointer}\n"
    ".filter input:focus,.filter select:focus,.filter button:focus,"
    "a:focus{outline:3px solid #f0b400;outline-offset:1px}\n"
    ".exports{margin:0 0 1rem;font-size:.9rem;color:#4a5561}\n"
    /* six figures: three a row on a wide page, two, then one */
    ".figures{display:grid;grid-template-columns:repeat(auto-fit,"
    "minmax(16rem,1fr));gap:.75rem;margin:0 0 1rem}\n"
    ".fig{background:#fff;border:1px solid #d0d5dc;border-top:4px solid "
    "#1d3557;border-radius:4px;padding:.55rem .9rem .6rem}\n"
    ".fig dt{font-size:.85rem;font-weight:600;color:#4a5561}\n"
    ".fig dd{margin:0}\n"
    ".fig .val{font-size:1.7rem;font-weight:600;line-height:1.3;"
    "font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    ".fig .note{font-size:.8rem;color:#5a6672}\n"
    ".panel{background:#fff;border:1px solid #d0d5dc;border-radius:4px;"
    "padding:1rem 1.25rem 1.1rem;margin:0 0 1rem}\n"
    ".panel h2{font-size:1.15rem;margin:0;font-weight:600}\n"
    ".panel .lead{margin:.1rem 0 .6rem;color:#4a5561;font-size:.9rem}\n"
    ".table-wrap{max-height:20rem;overflow:auto;border:1px solid #e1e5ea;"
    "border-radius:3px;margin-top:.8rem}\n"
    "table{border-collapse:collapse;width:100%;font-size:.875rem;"
    "font-variant-numeric:tabular-nums}\n"
    "caption{text-align:left;font-weight:600;padding:.4rem .6rem;"
    "color:#33404d}\n"
    "th,td{padding:.22rem .6rem;border-bottom:1px solid #e6e9ed;"
    "text-align:left;white-space:nowrap}\n"
    "thead th{position:sticky;top:0;background:#eef1f4;font-weight:600}\n"
    "tbody th{font-weight:400}\n"
    "tbody tr:nth-child(even){background:#f8f9fa}\n"
    "tfoot th,tfoot td{font-weight:600;border-top:2px solid #c5ccd4}\n"
    ".num{text-align:right}\n"
    ".empty{background:#fff;border:1px solid #d0d5dc;border-left:6px "
    "solid #1d3557;border-radius:4px;padding:1rem 1.25rem;"
    "font-size:1.1rem}\n"
    ".empty small{display:block;font-size:.9rem;color:#4a5561}\n"
    "footer{max-width:63rem;margin:0 auto;padding:0 1.5rem 2rem;"
    "font-size:.85rem;color:#4a5561}\n"
    ".s-spam{--c:#d55e00}\n"
    ".s-ham{--c:#0072b2}\n"
    ".s-action{--c:#44546a}\n"
    ".s-country{--c:#8e4585}\n"
    ".s-spf{--c:#00795c}\n"
    ".s-bulk{--c:#9a6700}\n"
    ".s-spam-top{border-top-color:#d55e00}\n"
    ".s-spf-top{border-top-color:#00795c}\n"
    ".s-bulk-top{border-top-color:#9a6700}\n"
    "@media print{body{background:#fff}.top{background:#fff;color:#000}"
    ".top p{color:#000}.filter,.exports{display:none}"
    ".table-wrap{max-height:none}}\n";

/* --- small writers --------------------------------------------------- */

/* A fixed-size field of the aggregate, escaped. */
static void
wn_dash_field(wn_buf *out, const char *s, size_t size)
{
	wn_svg_escape_n(out, s, size);
}

static void
wn_dash_label_copy(wn_dash_label *l, const char *s, size_t size)
{
	size_t n = strnlen(s, size);

	if (n >= sizeof(l->s))
		n = sizeof(l->s) - 1;
	memcpy(l->s, s, n);
	l->s[n] = '\0';
}

static void
wn_dash_count_cell(wn_buf *out, uint64_t n)
{
	wn_buf_puts(out, "<td class=\"num\">");
	wn_agg_put_count(out, n);
	wn_buf_puts(out, "</td>");
}

static void
wn_dash_share_cell(wn_buf *out, double share)
{
	wn_buf_puts(out, "<td class=\"num\">");
	wn_agg_put_share(out, share);
	wn_buf_puts(out, "</td>");
}

/* "n reporter" or "n reporters" with the count in an element of id. */
static void
wn_dash_counted(wn_buf *out, const char *id, uint64_t n, const char *noun)
{
	wn_buf_printf(out, "<span id=\"%s\">", id);
	wn_agg_put_count(out, n);
	wn_buf_printf(out, "</span> %s%s", noun, n == 1 ? "" : "s");
}

static const char *
wn_dash_period_noun(enum wn_agg_group g)
{
	switch (g) {
	case WN_AGG_WEEK:
		return "ISO week";
	case WN_AGG_MONTH:
		return "Month";
	case WN_AGG_DAY:
	default:
		return "Day";
	}
}

/* A table header row from a list of column names; all but the first
 * are numeric. */
static void
wn_dash_thead(wn_buf *out, const char *const *cols, size_t n)
{
	size_t i;

	wn_buf_puts(out, "<thead><tr>");
	for (i = 0; i < n; i++)
		wn_buf_printf(out, "<th scope=\"col\"%s>%s</th>",
		    i > 0 ? " class=\"num\"" : "", cols[i]);
	wn_buf_puts(out, "</tr></thead>\n");
}

static void
wn_dash_table_open(wn_buf *out, const char *id, const char *caption)
{
	wn_buf_printf(out, "<div class=\"table-wrap\"><table id=\"%s\">"
	    "<caption>", id);
	wn_svg_escape(out, caption);
	wn_buf_puts(out, "</caption>\n");
}

static void
wn_dash_table_close(wn_buf *out)
{
	wn_buf_puts(out, "</table></div>\n");
}

static void
wn_dash_section_open(wn_buf *out, const char *id, const char *heading,
    const char *lead)
{
	wn_buf_printf(out, "<section class=\"panel\" id=\"sec-%s\" "
	    "aria-labelledby=\"h-%s\">\n<h2 id=\"h-%s\">%s</h2>\n", id, id,
	    id, heading);
	if (lead != NULL)
		wn_buf_printf(out, "<p class=\"lead\">%s</p>\n", lead);
}

static void
wn_dash_section_note(wn_buf *out, const char *id, const char *text)
{
	wn_buf_printf(out, "<p class=\"lead\" id=\"%s\">%s</p>\n", id, text);
}

/* --- header, selection, form ----------------------------------------- */

static void
wn_dash_head(wn_buf *out)
{
	wn_buf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\"/>\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\"/>\n"
	    "<title>" WN_DASH_TITLE "</title>\n<style>\n");
	wn_buf_puts(out, wn_dash_css);
	wn_svg_style(out);
	wn_buf_puts(out, "</style>\n</head>\n<body>\n");
}

static void
wn_dash_selection(wn_buf *out, const wn_agg *agg)
{
	const wn_agg_query *q = &agg->q;
	char from[WN_AGG_DAY_LEN], to[WN_AGG_DAY_LEN];

	wn_agg_day_format(q->from_day, from);
	wn_agg_day_format(q->to_day, to);
	wn_buf_printf(out, "<header class=\"top\">\n<h1>" WN_DASH_TITLE
	    "</h1>\n<p id=\"selection\">From <time>%s</time> to "
	    "<time>%s</time>, ", from, to);
	if (q->country[0] != '\0') {
		wn_buf_puts(out, "reporters in ");
		wn_dash_field(out, q->country, sizeof(q->country));
	} else
		wn_buf_puts(out, "all countries");
	wn_buf_puts(out, ", ");
	if (q->operator_type[0] != '\0') {
		wn_buf_puts(out, "operator type ");
		wn_dash_field(out, q->operator_type, sizeof(q->operator_type));
	} else
		wn_buf_puts(out, "all operators");
	wn_buf_printf(out, ", per %s: ", wn_agg_group_name(q->group));
	wn_dash_counted(out, "sel-reporters", agg->total.reporters,
	    "reporter");
	wn_buf_puts(out, ", ");
	wn_dash_counted(out, "sel-reports", agg->reports, "report");
	wn_buf_puts(out, ".</p>\n</header>\n");
}

/* <option>, selected when it is the query's value. */
static void
wn_dash_option(wn_buf *out, const char *value, size_t size,
    const char *text, bool selected)
{
	wn_buf_puts(out, "<option value=\"");
	wn_dash_field(out, value, size);
	wn_buf_putc(out, '"');
	if (selected)
		wn_buf_puts(out, " selected=\"selected\"");
	wn_buf_putc(out, '>');
	if (text != NULL)
		wn_svg_escape(out, text);
	else
		wn_dash_field(out, value, size);
	wn_buf_puts(out, "</option>");
}

static void
wn_dash_field_open(wn_buf *out, const char *name, const char *label)
{
	wn_buf_printf(out, "<div class=\"field\"><label for=\"f-%s\">%s"
	    "</label>", name, label);
}

static void
wn_dash_form_country(wn_buf *out, const wn_agg *agg)
{
	const char *cur = agg->q.country;
	size_t cur_size = sizeof(agg->q.country), i;
	bool found = cur[0] == '\0';

	wn_dash_field_open(out, "country", "Reporters' country");
	wn_buf_puts(out, "<select id=\"f-country\" name=\"country\">");
	wn_dash_option(out, "all", SIZE_MAX, "all countries", cur[0] == '\0');
	for (i = 0; i < agg->n_known_countries; i++) {
		const char *c = agg->known_countries[i];
		bool sel;

		if (c == NULL)
			continue;
		sel = !found && strncmp(c, cur, cur_size) == 0 &&
		    strlen(c) == strnlen(cur, cur_size);
		found = found || sel;
		wn_dash_option(out, c, SIZE_MAX, NULL, sel);
	}
	/* a filter on a country not (or no longer) in the list stays visible */
	if (!found)
		wn_dash_option(out, cur, cur_size, NULL, true);
	wn_buf_puts(out, "</select></div>\n");
}

static void
wn_dash_form_operator(wn_buf *out, const wn_agg *agg)
{
	const char *cur = agg->q.operator_type;
	size_t cur_size = sizeof(agg->q.operator_type), i;
	bool found = cur[0] == '\0';

	wn_dash_field_open(out, "operator_type", "Operator type");
	wn_buf_puts(out, "<select id=\"f-operator_type\" "
	    "name=\"operator_type\">");
	wn_dash_option(out, "all", SIZE_MAX, "all operators", cur[0] == '\0');
	for (i = 0; wn_operator_types[i] != NULL; i++) {
		bool sel = strncmp(wn_operator_types[i], cur,
		    cur_size) == 0;

		found = found || sel;
		wn_dash_option(out, wn_operator_types[i], SIZE_MAX, NULL,
		    sel);
	}
	if (!found)
		wn_dash_option(out, cur, cur_size, NULL, true);
	wn_buf_puts(out, "</select></div>\n");
}

static void
wn_dash_form(wn_buf *out, const wn_agg *agg)
{
	static const enum wn_agg_group groups[] = {
		WN_AGG_DAY, WN_AGG_WEEK, WN_AGG_MONTH
	};
	char from[WN_AGG_DAY_LEN], to[WN_AGG_DAY_LEN];
	size_t i;

	wn_agg_day_format(agg->q.from_day, from);
	wn_agg_day_format(agg->q.to_day, to);
	wn_buf_puts(out, "<form id=\"filter\" class=\"filter\" method=\"get\" "
	    "action=\"/\" aria-label=\"Selection\">\n");
	wn_dash_field_open(out, "from", "From");
	wn_buf_printf(out, "<input type=\"date\" id=\"f-from\" name=\"from\" "
	    "value=\"%s\"/></div>\n", from);
	wn_dash_field_open(out, "to", "To");
	wn_buf_printf(out, "<input type=\"date\" id=\"f-to\" name=\"to\" "
	    "value=\"%s\"/></div>\n", to);
	wn_dash_form_country(out, agg);
	wn_dash_form_operator(out, agg);
	wn_dash_field_open(out, "group", "Group by");
	wn_buf_puts(out, "<select id=\"f-group\" name=\"group\">");
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		wn_dash_option(out, wn_agg_group_name(groups[i]), SIZE_MAX,
		    NULL, agg->q.group == groups[i]);
	wn_buf_puts(out, "</select></div>\n");
	/* keep a non-default rule limit across reloads of the page */
	if (agg->q.rule_limit != 0 &&
	    agg->q.rule_limit != WN_DASH_DEFAULT_RULES)
		wn_buf_printf(out, "<input type=\"hidden\" name=\"limit\" "
		    "value=\"%zu\"/>\n", agg->q.rule_limit);
	wn_buf_puts(out, "<div class=\"field\"><button type=\"submit\">"
	    "Show</button></div>\n</form>\n");
}

/* One percent-encoded query value (RFC 3986 unreserved kept). */
static void
wn_dash_url_value(wn_buf *out, const char *s, size_t size)
{
	size_t i, n = strnlen(s, size);

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~')
			wn_buf_putc(out, (char)c);
		else
			wn_buf_printf(out, "%%%02X", c);
	}
}

/* The query string of this selection, as an HTML attribute value. */
static void
wn_dash_query_string(wn_buf *out, const wn_agg *agg)
{
	const wn_agg_query *q = &agg->q;
	char from[WN_AGG_DAY_LEN], to[WN_AGG_DAY_LEN];

	wn_agg_day_format(q->from_day, from);
	wn_agg_day_format(q->to_day, to);
	wn_buf_printf(out, "?from=%s&amp;to=%s&amp;group=%s", from, to,
	    wn_agg_group_name(q->group));
	if (q->country[0] != '\0') {
		wn_buf_puts(out, "&amp;country=");
		wn_dash_url_value(out, q->country, sizeof(q->country));
	}
	if (q->operator_type[0] != '\0') {
		wn_buf_puts(out, "&amp;operator_type=");
		wn_dash_url_value(out, q->operator_type,
		    sizeof(q->operator_type));
	}
	if (q->rule_limit != 0 && q->rule_limit != WN_DASH_DEFAULT_RULES)
		wn_buf_printf(out, "&amp;limit=%zu", q->rule_limit);
}

static void
wn_dash_exports(wn_buf *out, const wn_agg *agg)
{
	wn_buf_puts(out, "<p class=\"exports\">The same selection as data: "
	    "<a id=\"link-json\" href=\"/api/v1/stats");
	wn_dash_query_string(out, agg);
	wn_buf_puts(out, "\">JSON</a> \xc2\xb7 <a id=\"link-csv\" "
	    "href=\"/api/v1/export.csv");
	wn_dash_query_string(out, agg);
	wn_buf_puts(out, "\">CSV</a></p>\n");
}

/* --- headline figures ------------------------------------------------ */

/* Messages that got an action: each scanned message gets exactly one, so
 * this is the divisor of every action share on the page. */
static uint64_t
wn_dash_action_sum(const wn_agg_volume *v)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < WN_AGG_ACTIONS; i++)
		sum += v->action[i];
	return sum;
}

static void
wn_dash_fig_open(wn_buf *out, const char *cls, const char *label,
    const char *id)
{
	wn_buf_printf(out, "<div class=\"fig%s%s\"><dt>%s</dt>"
	    "<dd class=\"val\" id=\"%s\">", cls != NULL ? " " : "",
	    cls != NULL ? cls : "", label, id);
}

static void
wn_dash_figures(wn_buf *out, const wn_agg *agg)
{
	const wn_agg_volume *t = &agg->total;

	wn_buf_puts(out, "<dl class=\"figures\" id=\"headline\">\n");
	wn_dash_fig_open(out, NULL, "Messages", "total-messages");
	wn_agg_put_count(out, t->messages);
	wn_buf_puts(out, "</dd><dd class=\"note\">");
	wn_agg_put_count(out, t->scanned);
	wn_buf_puts(out, " scanned</dd></div>\n");

	wn_dash_fig_open(out, "s-spam-top", "Spam", "total-spam");
	wn_agg_put_count(out, t->spam);
	wn_buf_puts(out, "</dd><dd class=\"note\">");
	wn_agg_put_count(out, t->ham);
	wn_buf_puts(out, " ham</dd></div>\n");

	wn_dash_fig_open(out, "s-spam-top", "Spam share", "spam-share");
	wn_agg_put_share(out, wn_agg_spam_share(t));
	wn_buf_puts(out, "</dd><dd class=\"note\">spam \xc3\xb7 (spam + ham)"
	    "</dd></div>\n");

	wn_dash_fig_open(out, "s-spf-top", "SPF pass share", "spf-pass-share");
	wn_agg_put_share(out, wn_agg_spf_pass_share(t));
	wn_buf_puts(out, "</dd><dd class=\"note\">of ");
	wn_agg_put_count(out, wn_agg_spf_checked(t));
	wn_buf_puts(out, " checked</dd></div>\n");

	wn_dash_fig_open(out, "s-bulk-top", "Bulk share", "bulk-share");
	wn_agg_put_share(out, wn_agg_bulk_share(t));
	wn_buf_puts(out, "</dd><dd class=\"note\">of ");
	wn_agg_put_count(out, wn_agg_bulk_checked(t));
	wn_buf_puts(out, " checked</dd></div>\n");

	wn_dash_fig_open(out, NULL, "Rejected", "total-reject");
	wn_agg_put_count(out, t->action[WN_AGG_ACTIONS - 1]);
	wn_buf_puts(out, "</dd><dd class=\"note\">");
	wn_agg_put_share(out, wn_agg_ratio(t->action[WN_AGG_ACTIONS - 1],
	    wn_dash_action_sum(t)));
	wn_buf_puts(out, " of scanned</dd></div>\n</dl>\n");
}

/* --- time charts ----------------------------------------------------- */

/* The bucket labels of the series, empty ones replaced by the date. */
static wn_dash_label *
wn_dash_series_labels(const wn_agg *agg, const char ***ptrs_out)
{
	wn_dash_label *l;
	const char **p;
	size_t i, n = agg->n_series;

	l = wn_calloc(n ? n : 1, sizeof(*l));
	p = wn_calloc(n ? n : 1, sizeof(*p));
	if (l == NULL || p == NULL) {
		wn_free(l);
		wn_free(p);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		const wn_agg_bucket *b = &agg->series[i];

		if (b->label[0] != '\0')
			wn_dash_label_copy(&l[i], b->label, sizeof(b->label));
		else
			wn_agg_day_format(b->start_day, l[i].s);
		p[i] = l[i].s;
	}
	*ptrs_out = p;
	return l;
}

static void
wn_dash_chart_title(char *dst, size_t size, const char *what,
    const wn_agg *agg)
{
	char from[WN_AGG_DAY_LEN], to[WN_AGG_DAY_LEN];

	wn_agg_day_format(agg->q.from_day, from);
	wn_agg_day_format(agg->q.to_day, to);
	snprintf(dst, size, "%s per %s, %s to %s", what,
	    wn_agg_group_name(agg->q.group), from, to);
}

static void
wn_dash_series_table(wn_buf *out, const wn_agg *agg, const char **labels)
{
	const char *cols[] = {
		wn_dash_period_noun(agg->q.group), "Reporters", "Messages",
		"Spam", "Ham", "Spam share"
	};
	size_t i;

	wn_dash_table_open(out, "table-series", "Spam share per period");
	wn_dash_thead(out, cols, sizeof(cols) / sizeof(cols[0]));
	wn_buf_puts(out, "<tbody>\n");
	for (i = 0; i < agg->n_series; i++) {
		const wn_agg_volume *v = &agg->series[i].v;

		wn_buf_puts(out, "<tr><th scope=\"row\">");
		wn_svg_escape(out, labels[i]);
		wn_buf_puts(out, "</th>");
		wn_dash_count_cell(out, v->reporters);
		wn_dash_count_cell(out, v->messages);
		wn_dash_count_cell(out, v->spam);
		wn_dash_count_cell(out, v->ham);
		wn_dash_share_cell(out, wn_agg_spam_share(v));
		wn_buf_puts(out, "</tr>\n");
	}
	wn_buf_puts(out, "</tbody>\n<tfoot><tr><th scope=\"row\">All</th>");
	wn_dash_count_cell(out, agg->total.reporters);
	wn_dash_count_cell(out, agg->total.messages);
	wn_dash_count_cell(out, agg->total.spam);
	wn_dash_count_cell(out, agg->total.ham);
	wn_dash_share_cell(out, wn_agg_spam_share(&agg->total));
	wn_buf_puts(out, "</tr></tfoot>\n");
	wn_dash_table_close(out);
}

static void
wn_dash_spf_row(wn_buf *out, const wn_agg_volume *v)
{
	wn_dash_count_cell(out, wn_agg_spf_checked(v));
	wn_dash_count_cell(out, v->spf[WN_DASH_SPF_PASS]);
	wn_dash_count_cell(out, v->spf[WN_DASH_SPF_FAIL]);
	wn_dash_count_cell(out, v->spf[WN_DASH_SPF_SOFTFAIL]);
	wn_dash_count_cell(out, v->spf[WN_AGG_SPF_NOT_CHECKED]);
	wn_dash_share_cell(out, wn_agg_spf_pass_share(v));
}

static void
wn_dash_spf_table(wn_buf *out, const wn_agg *agg, const char **labels)
{
	const char *cols[] = {
		wn_dash_period_noun(agg->q.group), "SPF checked", "Pass",
		"Fail", "Softfail", "Not checked", "Pass share"
	};
	size_t i;

	wn_dash_table_open(out, "table-spf", "SPF results per period");
	wn_dash_thead(out, cols, sizeof(cols) / sizeof(cols[0]));
	wn_buf_puts(out, "<tbody>\n");
	for (i = 0; i < agg->n_series; i++) {
		wn_buf_puts(out, "<tr><th scope=\"row\">");
		wn_svg_escape(out, labels[i]);
		wn_buf_puts(out, "</th>");
		wn_dash_spf_row(out, &agg->series[i].v);
		wn_buf_puts(out, "</tr>\n");
	}
	wn_buf_puts(out, "</tbody>\n<tfoot><tr><th scope=\"row\">All</th>");
	wn_dash_spf_row(out, &agg->total);
	wn_buf_puts(out, "</tr></tfoot>\n");
	wn_dash_table_close(out);
}

/* share of a bucket's checked spam (or ham) that bulk detection flagged */
static double
wn_dash_bulk_class_share(const uint64_t *b)
{
	return wn_agg_ratio(b[WN_AGG_BULK_FLAGGED], b[WN_AGG_BULK_CHECKED]);
}

static void
wn_dash_bulk_row(wn_buf *out, const wn_agg_volume *v)
{
	wn_dash_count_cell(out, wn_agg_bulk_checked(v));
	wn_dash_count_cell(out, wn_agg_bulk_flagged(v));
	wn_dash_share_cell(out, wn_agg_bulk_share(v));
	wn_dash_share_cell(out, wn_dash_bulk_class_share(v->bulk_spam));
	wn_dash_share_cell(out, wn_dash_bulk_class_share(v->bulk_ham));
}

static void
wn_dash_bulk_table(wn_buf *out, const wn_agg *agg, const char **labels)
{
	const char *cols[] = {
		wn_dash_period_noun(agg->q.group), "Bulk checked", "Flagged",
		"Bulk share", "Of spam", "Of ham"
	};
	size_t i;

	wn_dash_table_open(out, "table-bulk", "Bulk mail per period");
	wn_dash_thead(out, cols, sizeof(cols) / sizeof(cols[0]));
	wn_buf_puts(out, "<tbody>\n");
	for (i = 0; i < agg->n_series; i++) {
		wn_buf_puts(out, "<tr><th scope=\"row\">");
		wn_svg_escape(out, labels[i]);
		wn_buf_puts(out, "</th>");
		wn_dash_bulk_row(out, &agg->series[i].v);
		wn_buf_puts(out, "</tr>\n");
	}
	wn_buf_puts(out, "</tbody>\n<tfoot><tr><th scope=\"row\">All</th>");
	wn_dash_bulk_row(out, &agg->total);
	wn_buf_puts(out, "</tr></tfoot>\n");
	wn_dash_table_close(out);
}

/* The selection's bulk detections by kind, on spam and on ham. */
static void
wn_dash_bulk_kinds(wn_buf *out, const wn_agg *agg)
{
	static const char *const cols[] = {
		"Detection", "Spam", "Share of checked spam", "Ham",
		"Share of checked ham"
	};
	/* rows in reading order; idx into wn_report_bulk_names order */
	static const struct {
		const char *label;
		size_t idx;
	} kinds[WN_AGG_BULK] = {
		{ "Checked", WN_AGG_BULK_CHECKED },
		{ "Flagged (any BULK_*)", WN_AGG_BULK_FLAGGED },
		{ "BULK_HIGH", 5 }, { "BULK_MEDIUM", 4 }, { "BULK_LOW", 3 },
		{ "BULK_SENDERS", 6 }, { "BULK_ATTACHMENT", 7 },
		{ "Exempt (nobulk rule)", WN_AGG_BULK_EXEMPT }
	};
	const wn_agg_volume *t = &agg->total;
	size_t i, k;

	wn_dash_table_open(out, "table-bulk-kinds",
	    "Bulk detections by kind");
	wn_dash_thead(out, cols, sizeof(cols) / sizeof(cols[0]));
	wn_buf_puts(out, "<tbody>\n");
	for (i = 0; i < WN_AGG_BULK; i++) {
		k = kinds[i].idx;
		wn_buf_printf(out, "<tr><th scope=\"row\">%s</th>",
		    kinds[i].label);
		wn_dash_count_cell(out, t->bulk_spam[k]);
		wn_dash_share_cell(out, wn_agg_ratio(t->bulk_spam[k],
		    t->bulk_spam[WN_AGG_BULK_CHECKED]));
		wn_dash_count_cell(out, t->bulk_ham[k]);
		wn_dash_share_cell(out, wn_agg_ratio(t->bulk_ham[k],
		    t->bulk_ham[WN_AGG_BULK_CHECKED]));
		wn_buf_puts(out, "</tr>\n");
	}
	wn_buf_puts(out, "</tbody>\n");
	wn_dash_table_close(out);
}

/* The charts over time, each a share of a divisor that may be 0 in a
 * bucket; such buckets are gaps, never 0%. */
enum wn_dash_series {
	WN_DASH_SPAM,		/* spam share, bars */
	WN_DASH_SPF,		/* SPF pass share, a line */
	WN_DASH_BULK		/* bulk share, a line */
};

static const struct {
	const char *id, *empty_id, *what, *desc, *label, *cls;
	enum wn_svg_mark mark;
} wn_dash_series_kinds[] = {
	[WN_DASH_SPAM] = { "chart-spam-share", "no-series", "Spam share",
	    "Bars: spam as a share of classified mail (spam and ham) in each "
	    "period. Shaded periods had no classified mail. The numbers are "
	    "in the table that follows.", "Spam (%)", "s-spam", WN_SVG_BARS },
	[WN_DASH_SPF] = { "chart-spf", "no-series-spf", "SPF pass share",
	    "Line: messages whose SPF check passed, as a share of the messages "
	    "whose SPF was checked. Shaded periods had no checked mail. The "
	    "numbers are in the table that follows.", "SPF pass (%)", "s-spf",
	    WN_SVG_LINE },
	[WN_DASH_BULK] = { "chart-bulk", "no-series-bulk", "Bulk share",
	    "Line: messages flagged as bulk, as a share of the messages bulk "
	    "detection checked. Shaded periods had no checked mail. The "
	    "numbers are in the table that follows.", "Bulk (%)", "s-bulk",
	    WN_SVG_LINE },
};

static double
wn_dash_series_share(enum wn_dash_series kind, const wn_agg_volume *v)
{
	switch (kind) {
	case WN_DASH_SPF:
		return wn_agg_spf_pass_share(v);
	case WN_DASH_BULK:
		return wn_agg_bulk_share(v);
	case WN_DASH_SPAM:
	default:
		return wn_agg_spam_share(v);
	}
}

static void
wn_dash_time_charts(wn_buf *out, const wn_agg *agg, enum wn_dash_series kind)
{
	wn_svg_chart c = { 0 };
	wn_svg_series s = { 0 };
	wn_dash_label *store;
	const char **labels = NULL;
	char title[128];
	double *values, share;
	size_t i, n = agg->n_series;

	if (n == 0) {
		wn_dash_section_note(out, wn_dash_series_kinds[kind].empty_id,
		    "No periods in this selection.");
		return;
	}
	store = wn_dash_series_labels(agg, &labels);
	values = wn_calloc(n, sizeof(*values));
	if (store == NULL || values == NULL) {
		out->failed = 1;
		goto done;
	}
	for (i = 0; i < n; i++) {
		share = wn_dash_series_share(kind, &agg->series[i].v);
		values[i] = share < 0 ? NAN : share * 100;
	}
	wn_dash_chart_title(title, sizeof(title),
	    wn_dash_series_kinds[kind].what, agg);
	c.id = wn_dash_series_kinds[kind].id;
	c.title = title;
	c.desc = wn_dash_series_kinds[kind].desc;
	c.category_label = wn_dash_period_noun(agg->q.group);
	c.value.label = wn_dash_series_kinds[kind].label;
	c.value.max = 100;
	c.value.unit = "%";
	c.value.decimals = 1;
	s.labels = labels;
	s.values = values;
	s.n = n;
	s.mark = wn_dash_series_kinds[kind].mark;
	s.cls = wn_dash_series_kinds[kind].cls;
	wn_svg_timeseries(out, &c, &s);
	if (kind == WN_DASH_SPF)
		wn_dash_spf_table(out, agg, labels);
	else if (kind == WN_DASH_BULK)
		wn_dash_bulk_table(out, agg, labels);
	else
		wn_dash_series_table(out, agg, labels);
done:
	wn_free(values);
	wn_free(labels);
	wn_free(store);
}

/* --- bar charts ------------------------------------------------------ */

/*
 * Notes drawn beside bars are formatted into one buffer, NUL-separated,
 * and resolved to pointers once all are written (the buffer may move).
 */
typedef struct wn_dash_notes {
	wn_buf text;
	size_t off[WN_DASH_CHART_ROWS + 1];
	size_t n;
} wn_dash_notes;

static void
wn_dash_note_end(wn_dash_notes *nt)
{
	wn_buf_append(&nt->text, "", 1);
}

static void
wn_dash_note_start(wn_dash_notes *nt)
{
	nt->off[nt->n++] = nt->text.len;
}

/* Point each row's note at its text; false if the buffer failed. */
static bool
wn_dash_notes_resolve(wn_dash_notes *nt, wn_svg_hbar *rows)
{
	size_t i;

	if (nt->text.failed || nt->text.data == NULL)
		return false;
	for (i = 0; i < nt->n; i++)
		rows[i].note = nt->text.data + nt->off[i];
	return true;
}

static void
wn_dash_actions(wn_buf *out, const wn_agg *agg)
{
	static const char *const cols[] = {
		"Action", "Messages", "Share of scanned"
	};
	wn_svg_hbar rows[WN_AGG_ACTIONS];
	wn_svg_parts parts = { 1, { NULL }, { "s-action" } };
	wn_svg_chart c = { 0 };
	wn_dash_notes nt = { 0 };
	uint64_t sum = wn_dash_action_sum(&agg->total);
	size_t i;

	wn_buf_init(&nt.text);
	memset(rows, 0, sizeof(rows));
	for (i = 0; i < WN_AGG_ACTIONS; i++) {
		rows[i].label = wn_agg_action_label(i);
		rows[i].part[0] = (double)agg->total.action[i];
		wn_dash_note_start(&nt);
		wn_agg_put_count(&nt.text, agg->total.action[i]);
		wn_buf_puts(&nt.text, " (");
		wn_agg_put_share(&nt.text, wn_agg_ratio(agg->total.action[i],
		    sum));
		wn_buf_putc(&nt.text, ')');
		wn_dash_note_end(&nt);
	}
	if (!wn_dash_notes_resolve(&nt, rows)) {
		out->failed = 1;
		wn_buf_fini(&nt.text);
		return;
	}
	c.id = "chart-actions";
	c.title = "Messages by action taken";
	c.desc = "Horizontal bars: how many messages each action was applied "
	    "to, with the share of all actions. The numbers are in the table "
	    "that follows.";
	c.value.label = "Messages";
	c.value.integral = true;
	wn_svg_hbars(out, &c, &parts, rows, WN_AGG_ACTIONS);
	wn_buf_fini(&nt.text);

	wn_dash_table_open(out, "table-actions", "Messages by action");
	wn_dash_thead(out, cols, 3);
	wn_buf_puts(out, "<tbody>\n");
	for (i = 0; i < WN_AGG_ACTIONS; i++) {
		wn_buf_printf(out, "<tr><th scope=\"row\">%s</th>",
		    wn_agg_action_label(i));
		wn_dash_count_cell(out, agg->total.action[i]);
		wn_dash_share_cell(out,
		    wn_agg_ratio(agg->total.action[i], sum));
		wn_buf_puts(out, "</tr>\n");
	}
	wn_buf_puts(out, "</tbody>\n<tfoot><tr><th scope=\"row\">All</th>");
	wn_dash_count_cell(out, sum);
	wn_dash_share_cell(out, wn_agg_ratio(sum, sum));
	wn_buf_puts(out, "</tr></tfoot>\n");
	wn_dash_table_close(out);
}

static bool
wn_dash_is_other(const wn_agg_country *c)
{
	return strncmp(c->country, "other", sizeof(c->country)) == 0;
}

static void
wn_dash_countries_chart(wn_buf *out, const wn_agg *agg, uint64_t spam_sum)
{
	wn_svg_hbar rows[WN_DASH_CHART_ROWS + 1];
	wn_dash_label codes[WN_DASH_CHART_ROWS + 1];
	wn_svg_parts parts = { 1, { NULL }, { "s-country" } };
	wn_svg_chart c = { 0 };
	uint64_t spam[WN_DASH_CHART_ROWS + 1], rest = 0;
	wn_dash_notes nt = { 0 };
	size_t i, n = 0;
	bool folded = false;

	/* the top WN_DASH_CHART_ROWS by spam, then "other" for the rest
	 * (and for any "other" the database already folded) */
	memset(rows, 0, sizeof(rows));
	wn_buf_init(&nt.text);
	for (i = 0; i < agg->n_countries; i++) {
		const wn_agg_country *co = &agg->countries[i];

		if (n == WN_DASH_CHART_ROWS || wn_dash_is_other(co)) {
			rest += co->spam;
			folded = true;
			continue;
		}
		wn_dash_label_copy(&codes[n], co->country, sizeof(co->country));
		spam[n++] = co->spam;
	}
	if (folded) {
		strcpy(codes[n].s, "other");
		spam[n++] = rest;
	}
	for (i = 0; i < n; i++) {
		rows[i].label = codes[i].s;
		rows[i].part[0] = (double)spam[i];
		wn_dash_note_start(&nt);
		wn_agg_put_count(&nt.text, spam[i]);
		wn_buf_puts(&nt.text, " (");
		wn_agg_put_share(&nt.text, wn_agg_ratio(spam[i], spam_sum));
		wn_buf_putc(&nt.text, ')');
		wn_dash_note_end(&nt);
	}
	if (!wn_dash_notes_resolve(&nt, rows)) {
		out->failed = 1;
		wn_buf_fini(&nt.text);
		return;
	}
	c.id = "chart-countries";
	c.title = "Spam by source country";
	c.desc = "Horizontal bars: spam messages by the country of the "
	    "sending address, largest first, with the share of all spam; "
	    "countries beyond the first fifteen are summed as other. All "
	    "countries are in the table that follows.";
	c.value.label = "Spam messages";
	c.value.integral = true;
	wn_svg_hbars(out, &c, &parts, rows, n);
	wn_buf_fini(&nt.text);
}

static void
wn_dash_countries(wn_buf *out, const wn_agg *agg)
{
	static const char *const cols[] = {
		"Source country", "Messages", "Spam", "Spam share",
		"Share of all spam"
	};
	uint64_t spam_sum = 0;
	size_t i;

	if (agg->n_countries == 0) {
		wn_dash_section_note(out, "no-countries",
		    "No source countries were reported in this selection.");
		return;
	}
	for (i = 0; i < agg->n_countries; i++)
		spam_sum += agg->countries[i].spam;
	wn_dash_countries_chart(out, agg, spam_sum);

	wn_dash_table_open(out, "table-countries", "Spam by source country");
	wn_dash_thead(out, cols, sizeof(cols) / sizeof(cols[0]));
	wn_buf_puts(out, "<tbody>\n");
	for (i = 0; i < agg->n_countries; i++) {
		const wn_agg_country *co = &agg->countries[i];

		wn_buf_puts(out, "<tr><th scope=\"row\">");
		wn_dash_field(out, co->country, sizeof(co->country));
		wn_buf_puts(out, "</th>");
		wn_dash_count_cell(out, co->messages);
		wn_dash_count_cell(out, co->spam);
		wn_dash_share_cell(out, wn_agg_ratio(co->spam, co->messages));
		wn_dash_share_cell(out, wn_agg_ratio(co->spam, spam_sum));
		wn_buf_puts(out, "</tr>\n");
	}
	wn_buf_puts(out, "</tbody>\n");
	wn_dash_table_close(out);
}

/* S/O: the share of a rule's hits that were on spam, 3 decimals. */
static void
wn_dash_put_so(wn_buf *out, const wn_agg_rule *r)
{
	double so = wn_agg_ratio(r->spam, r->spam + r->ham);

	if (so < 0)
		wn_buf_puts(out, WN_AGG_NO_VALUE);
	else
		wn_agg_put_number(out, so, 3, NULL);
}

static void
wn_dash_rules_chart(wn_buf *out, const wn_agg *agg)
{
	wn_svg_hbar rows[WN_DASH_CHART_ROWS];
	wn_svg_parts parts = { 2, { "spam hits", "ham hits" },
		{ "s-spam", "s-ham" } };
	wn_svg_chart c = { 0 };
	wn_dash_notes nt = { 0 };
	size_t i, n = agg->n_rules;

	if (n > WN_DASH_CHART_ROWS)
		n = WN_DASH_CHART_ROWS;
	memset(rows, 0, sizeof(rows));
	wn_buf_init(&nt.text);
	for (i = 0; i < n; i++) {
		const wn_agg_rule *r = &agg->rules[i];

		rows[i].label = r->name != NULL ? r->name : "";
		rows[i].part[0] = (double)r->spam;
		rows[i].part[1] = (double)r->ham;
		wn_dash_note_start(&nt);
		wn_buf_puts(&nt.text, "S/O ");
		wn_dash_put_so(&nt.text, r);
		wn_dash_note_end(&nt);
	}
	if (!wn_dash_notes_resolve(&nt, rows)) {
		out->failed = 1;
		wn_buf_fini(&nt.text);
		return;
	}
	c.id = "chart-rules";
	c.title = "Top rules by spam hits";
	c.desc = "Stacked horizontal bars: hits of each rule on spam and on "
	    "ham, with S/O, the share of its hits that were spam. The first "
	    "fifteen rules are drawn; all are in the table that follows.";
	c.value.label = "Hits";
	c.value.integral = true;
	wn_svg_hbars(out, &c, &parts, rows, n);
	wn_buf_fini(&nt.text);
}

static void
wn_dash_rules(wn_buf *out, const wn_agg *agg)
{
	static const char *const cols[] = {
		"Rule", "Spam hits", "Ham hits", "S/O"
	};
	size_t i;

	if (agg->n_rules == 0) {
		wn_dash_section_note(out, "no-rules",
		    "No rule hits were reported in this selection.");
		return;
	}
	wn_dash_rules_chart(out, agg);
	wn_dash_table_open(out, "table-rules", "Top rules by spam hits");
	wn_dash_thead(out, cols, sizeof(cols) / sizeof(cols[0]));
	wn_buf_puts(out, "<tbody>\n");
	for (i = 0; i < agg->n_rules; i++) {
		const wn_agg_rule *r = &agg->rules[i];

		wn_buf_puts(out, "<tr><th scope=\"row\">");
		wn_svg_escape(out, r->name != NULL ? r->name : "");
		wn_buf_puts(out, "</th>");
		wn_dash_count_cell(out, r->spam);
		wn_dash_count_cell(out, r->ham);
		wn_buf_puts(out, "<td class=\"num\">");
		wn_dash_put_so(out, r);
		wn_buf_puts(out, "</td></tr>\n");
	}
	wn_buf_puts(out, "</tbody>\n");
	wn_dash_table_close(out);
}

/* --- the page -------------------------------------------------------- */

static void
wn_dash_body(wn_buf *out, const wn_agg *agg)
{
	const char *per = wn_agg_group_name(agg->q.group);

	wn_dash_figures(out, agg);

	wn_dash_section_open(out, "spam-share", "Spam share over time", NULL);
	wn_buf_printf(out, "<p class=\"lead\">Spam as a share of classified "
	    "mail (spam + ham), per %s.</p>\n", per);
	wn_dash_time_charts(out, agg, WN_DASH_SPAM);
	wn_buf_puts(out, "</section>\n");

	wn_dash_section_open(out, "actions", "Volume by action",
	    "What the filters did with the messages they scanned.");
	wn_dash_actions(out, agg);
	wn_buf_puts(out, "</section>\n");

	wn_dash_section_open(out, "countries", "Spam by source country",
	    "Where spam came from, by the sending address's country.");
	wn_dash_countries(out, agg);
	wn_buf_puts(out, "</section>\n");

	wn_dash_section_open(out, "spf", "SPF adoption over time", NULL);
	wn_buf_printf(out, "<p class=\"lead\">Share of SPF pass among the "
	    "messages whose SPF was checked, per %s.</p>\n", per);
	wn_dash_time_charts(out, agg, WN_DASH_SPF);
	wn_buf_puts(out, "</section>\n");

	wn_dash_section_open(out, "bulk", "Bulk mail over time", NULL);
	wn_buf_printf(out, "<p class=\"lead\">Share of the messages bulk "
	    "detection checked that it flagged (a BULK_* symbol: the same "
	    "text or attachment to many recipients), per %s; of spam and of "
	    "ham apart in the table. Only reports that count bulk detections "
	    "add to these figures.</p>\n", per);
	if (wn_agg_bulk_checked(&agg->total) == 0) {
		wn_dash_section_note(out, "no-bulk", "No report in this "
		    "selection counted bulk detections.");
	} else {
		wn_dash_time_charts(out, agg, WN_DASH_BULK);
		wn_dash_bulk_kinds(out, agg);
	}
	wn_buf_puts(out, "</section>\n");

	wn_dash_section_open(out, "rules", "Top rules",
	    "The rules that hit most spam; S/O = spam hits \xc3\xb7 "
	    "(spam hits + ham hits).");
	wn_dash_rules(out, agg);
	wn_buf_puts(out, "</section>\n");
}

void
wn_dashboard_render(const wn_agg *agg, wn_buf *out)
{
	wn_dashboard_render_with(agg, NULL, out);
}

void
wn_dashboard_render_with(const wn_agg *agg, const wn_dash_rulesets *rs,
    wn_buf *out)
{
	wn_dash_head(out);
	wn_dash_selection(out, agg);
	wn_buf_puts(out, "<main>\n");
	wn_dash_form(out, agg);
	wn_dash_exports(out, agg);
	if (agg->reports == 0)
		wn_buf_puts(out, "<p class=\"empty\" id=\"no-data\" "
		    "role=\"status\">No reports in this selection."
		    "<small>Try a longer period, or all countries and "
		    "operators.</small></p>\n");
	else
		wn_dash_body(out, agg);
	if (rs != NULL)
		wn_dash_rulesets_render(out, agg, rs);
	wn_buf_puts(out, "</main>\n<footer><p>Figures are sums over "
	    "anonymised, signed reports of winnow installations; reports "
	    "carry no addresses and no message content. Spam share = spam "
	    "\xc3\xb7 (spam + ham); SPF pass share = SPF pass \xc3\xb7 "
	    "messages whose SPF was checked; bulk share = messages flagged as "
	    "bulk \xc3\xb7 messages bulk detection checked; " WN_AGG_NO_VALUE
	    " marks a share of nothing.</p></footer>\n</body>\n</html>\n");
}
