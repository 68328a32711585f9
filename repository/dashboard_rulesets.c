/*
 * dashboard_rulesets.c - the "Rule sets" section of the dashboard: the
 * sets and their channels, and the hits of each set's current rules in
 * the selection (dashboard_rulesets.h).
 *
 * The hits come from a pass of their own over the selection's rollups,
 * because the aggregate keeps only the top rules by spam hits and a
 * set's quiet rules matter as much to its maintainer. The markup follows
 * dashboard.c: well-formed XML, stable ids, every string from the
 * database through wn_svg_escape.
 */
#include <stdlib.h>
#include <string.h>

#include <winnow/err.h>

#include "agg_util.h"
#include "dashboard_rulesets.h"
#include "day.h"
#include "rollup.h"
#include "svg.h"

/* --- loading --------------------------------------------------------- */

/* the version whose rules are shown: stable, else testing, or NULL */
static const wn_rs_version *
wn_dash_rs_shown(const wn_rs_set *s)
{
	return s->stable != NULL ? s->stable : s->testing;
}

static int
wn_dash_rs_by_rule(const void *a, const void *b)
{
	const wn_dash_rs_rule *x = a, *y = b;

	return strcmp(x->rule, y->rule);
}

static int
wn_dash_rs_by_set(const void *a, const void *b)
{
	const wn_dash_rs_rule *x = a, *y = b;
	int c = strcmp(x->set, y->set);

	if (c != 0)
		return c;
	if (x->spam != y->spam)
		return x->spam > y->spam ? -1 : 1;
	if (x->ham != y->ham)
		return x->ham > y->ham ? -1 : 1;
	return strcmp(x->rule, y->rule);
}

/* a rule_spam or rule_ham rollup row onto every rule of that name */
static int
wn_dash_rs_row(void *arg, int64_t day, const char *metric, const char *key,
    uint64_t value)
{
	wn_dash_rulesets *rs = arg;
	wn_dash_rs_rule want, *hit;
	size_t i, lo;
	bool spam;

	(void)day;
	if (strcmp(metric, WN_M_RULE_SPAM) == 0)
		spam = true;
	else if (strcmp(metric, WN_M_RULE_HAM) == 0)
		spam = false;
	else
		return 0;
	want.rule = key;
	hit = bsearch(&want, rs->rules, rs->n_rules, sizeof(*rs->rules),
	    wn_dash_rs_by_rule);
	if (hit == NULL)
		return 0;
	/* the same rule name may be in several sets */
	for (lo = (size_t)(hit - rs->rules); lo > 0 &&
	    strcmp(rs->rules[lo - 1].rule, key) == 0; lo--)
		;
	for (i = lo; i < rs->n_rules && strcmp(rs->rules[i].rule, key) == 0;
	    i++) {
		if (spam)
			rs->rules[i].spam += value;
		else
			rs->rules[i].ham += value;
	}
	return 0;
}

/* the scoring rules of the shown version of s, appended to rs->rules */
static int
wn_dash_rs_add_rules(wn_repo_db *db, wn_dash_rulesets *rs, size_t *cap,
    const wn_rs_set *s)
{
	const wn_rs_version *v = wn_dash_rs_shown(s);
	wn_dash_rs_rule *nv;
	wn_rs_rule *rules;
	size_t n = 0, i;
	int rc;

	if (v == NULL)
		return 0;
	if ((rc = wn_repo_db_ruleset_rules(db, rs->arena, s->name,
	    v->version, &rules, &n)) != 0)
		return rc;
	for (i = 0; i < n; i++) {
		if (!rules[i].scoring)
			continue;
		if (rs->n_rules == *cap) {
			*cap = *cap ? 2 * *cap : 64;
			if ((nv = wn_arena_alloc(rs->arena,
			    *cap * sizeof(*nv))) == NULL)
				return WN_ENOMEM;
			if (rs->n_rules > 0)
				memcpy(nv, rs->rules,
				    rs->n_rules * sizeof(*nv));
			rs->rules = nv;
		}
		rs->rules[rs->n_rules].set = s->name;
		rs->rules[rs->n_rules].version = v->version;
		rs->rules[rs->n_rules].rule = rules[i].name;
		rs->rules[rs->n_rules].spam = 0;
		rs->rules[rs->n_rules].ham = 0;
		rs->n_rules++;
	}
	return 0;
}

int
wn_dash_rulesets_load(wn_repo_db *db, const wn_agg_query *q,
    wn_dash_rulesets *out)
{
	size_t cap = 0, i;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((out->arena = wn_arena_new(0)) == NULL)
		return WN_ENOMEM;
	rc = wn_repo_db_rulesets(db, out->arena, NULL, &out->sets,
	    &out->n_sets);
	for (i = 0; rc == 0 && i < out->n_sets; i++)
		rc = wn_dash_rs_add_rules(db, out, &cap, &out->sets[i]);
	if (rc == 0 && out->n_rules > 0) {
		qsort(out->rules, out->n_rules, sizeof(*out->rules),
		    wn_dash_rs_by_rule);
		rc = wn_repo_db_rows(db, q, wn_dash_rs_row, out);
		qsort(out->rules, out->n_rules, sizeof(*out->rules),
		    wn_dash_rs_by_set);
	}
	if (rc != 0)
		wn_dash_rulesets_fini(out);
	return rc;
}

void
wn_dash_rulesets_fini(wn_dash_rulesets *rs)
{
	wn_arena_free(&rs->arena);
	memset(rs, 0, sizeof(*rs));
}

/* --- rendering ------------------------------------------------------- */

static void
wn_dash_rs_table_open(wn_buf *out, const char *id, const char *caption,
    const char *const *cols, size_t n, size_t text_cols)
{
	size_t i;

	wn_buf_printf(out, "<div class=\"table-wrap\"><table id=\"%s\">"
	    "<caption>%s</caption>\n<thead><tr>", id, caption);
	for (i = 0; i < n; i++)
		wn_buf_printf(out, "<th scope=\"col\"%s>%s</th>",
		    i >= text_cols ? " class=\"num\"" : "", cols[i]);
	wn_buf_puts(out, "</tr></thead>\n<tbody>\n");
}

static void
wn_dash_rs_cell(wn_buf *out, const char *s)
{
	wn_buf_puts(out, "<td>");
	wn_svg_escape(out, s);
	wn_buf_puts(out, "</td>");
}

/* a channel's version, or a dash when it offers none */
static void
wn_dash_rs_channel(wn_buf *out, const wn_rs_version *v)
{
	wn_dash_rs_cell(out, v != NULL ? v->version : WN_AGG_NO_VALUE);
}

static void
wn_dash_rs_sets(wn_buf *out, const wn_dash_rulesets *rs)
{
	static const char *const cols[] = {
		"Rule set", "Maintainer", "Stable", "Testing", "Published",
		"Rules"
	};
	char day[WN_AGG_DAY_LEN];
	size_t i;

	wn_dash_rs_table_open(out, "table-rulesets", "Published rule sets",
	    cols, sizeof(cols) / sizeof(cols[0]), 5);
	for (i = 0; i < rs->n_sets; i++) {
		const wn_rs_set *s = &rs->sets[i];
		const wn_rs_version *v = wn_dash_rs_shown(s);

		wn_buf_puts(out, "<tr><th scope=\"row\">");
		wn_svg_escape(out, s->name);
		wn_buf_puts(out, "</th>");
		wn_dash_rs_cell(out, s->maintainer);
		wn_dash_rs_channel(out, s->stable);
		wn_dash_rs_channel(out, s->testing);
		/* when the newest version came, revoked or not */
		wn_agg_day_format(s->n_versions > 0 ?
		    wn_day_of_time(s->versions[0].published) : 0, day);
		wn_buf_printf(out, "<td><time>%s</time></td>", day);
		wn_buf_puts(out, "<td class=\"num\">");
		if (v != NULL)
			wn_agg_put_count(out, v->rules);
		else
			wn_buf_puts(out, WN_AGG_NO_VALUE);
		wn_buf_puts(out, "</td></tr>\n");
	}
	wn_buf_puts(out, "</tbody>\n</table></div>\n");
}

static void
wn_dash_rs_rules(wn_buf *out, const wn_agg *agg, const wn_dash_rulesets *rs)
{
	static const char *const cols[] = {
		"Rule set", "Rule", "Spam hits", "Ham hits", "S/O",
		"Hit rate on spam"
	};
	size_t i;

	if (rs->n_rules == 0) {
		wn_buf_puts(out, "<p class=\"lead\" id=\"no-ruleset-rules\">"
		    "The sets' current versions have no scoring rules.</p>\n");
		return;
	}
	wn_dash_rs_table_open(out, "table-ruleset-rules", "Rules of the "
	    "current versions in this selection", cols,
	    sizeof(cols) / sizeof(cols[0]), 2);
	for (i = 0; i < rs->n_rules; i++) {
		const wn_dash_rs_rule *r = &rs->rules[i];
		double so = wn_agg_ratio(r->spam, r->spam + r->ham);

		wn_buf_puts(out, "<tr><td>");
		wn_svg_escape(out, r->set);
		wn_buf_putc(out, ' ');
		wn_svg_escape(out, r->version);
		wn_buf_puts(out, "</td><th scope=\"row\">");
		wn_svg_escape(out, r->rule);
		wn_buf_puts(out, "</th><td class=\"num\">");
		wn_agg_put_count(out, r->spam);
		wn_buf_puts(out, "</td><td class=\"num\">");
		wn_agg_put_count(out, r->ham);
		wn_buf_puts(out, "</td><td class=\"num\">");
		if (so < 0)
			wn_buf_puts(out, WN_AGG_NO_VALUE);
		else
			wn_agg_put_number(out, so, 3, NULL);
		wn_buf_puts(out, "</td><td class=\"num\">");
		wn_agg_put_share(out, wn_agg_ratio(r->spam, agg->total.spam));
		wn_buf_puts(out, "</td></tr>\n");
	}
	wn_buf_puts(out, "</tbody>\n</table></div>\n");
}

void
wn_dash_rulesets_render(wn_buf *out, const wn_agg *agg,
    const wn_dash_rulesets *rs)
{
	wn_buf_puts(out, "<section class=\"panel\" id=\"sec-rulesets\" "
	    "aria-labelledby=\"h-rulesets\">\n<h2 id=\"h-rulesets\">Rule "
	    "sets</h2>\n<p class=\"lead\">Rule sets published here, what "
	    "their stable and testing channels offer, and how the rules of "
	    "each set's current version (stable, else testing) did in this "
	    "selection; S/O = spam hits \xc3\xb7 (spam hits + ham hits), "
	    "hit rate on spam = spam hits \xc3\xb7 all spam.</p>\n");
	if (rs->n_sets == 0)
		wn_buf_puts(out, "<p class=\"lead\" id=\"no-rulesets\">No rule "
		    "sets are published yet.</p>\n");
	else {
		wn_dash_rs_sets(out, rs);
		wn_dash_rs_rules(out, agg, rs);
	}
	wn_buf_puts(out, "</section>\n");
}
