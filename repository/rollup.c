/*
 * rollup.c - a report as rollup rows: flatten, sort, merge.
 */
#include <stdlib.h>
#include <string.h>

#include <winnow/err.h>

#include "rollup.h"

static int
wn_rollup_cmp(const void *a, const void *b)
{
	const wn_rollup_row *x = a, *y = b;
	int c = strcmp(x->metric, y->metric);

	return c != 0 ? c : strcmp(x->key, y->key);
}

static void
wn_rollup_put(wn_rollup_row *rows, size_t *n, const char *metric,
    const char *key, uint64_t value)
{
	if (value == 0)
		return;
	rows[*n].metric = metric;
	rows[*n].key = key;
	rows[*n].value = value;
	(*n)++;
}

int
wn_rollup_build(const wn_report *r, wn_arena *a, wn_rollup_row **out,
    size_t *n_out)
{
	static const char *const bayes[3] = {
		"scored", "abstained", "unavailable"
	};
	size_t cap = 1 + 4 + 2 + WN_AGG_ACTIONS + WN_AGG_SPF + 3 +
	    2 * WN_AGG_BULK + 2 * r->n_countries + 2 * r->n_rules;
	wn_rollup_row *rows = wn_arena_calloc(a, cap, sizeof(*rows));
	size_t i, n = 0, m;

	if (rows == NULL)
		return WN_ENOMEM;
	rows[n++] = (wn_rollup_row){ WN_M_REPORTS, "count", 1 };
	wn_rollup_put(rows, &n, WN_M_MESSAGES, "total", r->total);
	wn_rollup_put(rows, &n, WN_M_MESSAGES, "scanned", r->scanned);
	wn_rollup_put(rows, &n, WN_M_MESSAGES, "skipped", r->skipped);
	wn_rollup_put(rows, &n, WN_M_MESSAGES, "failed", r->failed);
	wn_rollup_put(rows, &n, WN_M_VERDICT, "ham", r->ham);
	wn_rollup_put(rows, &n, WN_M_VERDICT, "spam", r->spam);
	for (i = 0; i < WN_AGG_ACTIONS; i++)
		wn_rollup_put(rows, &n, WN_M_ACTION, wn_report_action_names[i],
		    r->action[i]);
	if (r->sections & WN_REPORT_HAS_SPF)
		for (i = 0; i < WN_AGG_SPF; i++)
			wn_rollup_put(rows, &n, WN_M_SPF,
			    wn_report_spf_names[i], r->spf[i]);
	if (r->sections & WN_REPORT_HAS_BAYES)
		for (i = 0; i < 3; i++)
			wn_rollup_put(rows, &n, WN_M_BAYES, bayes[i],
			    r->bayes[i]);
	if (r->sections & WN_REPORT_HAS_BULK)
		for (i = 0; i < WN_AGG_BULK; i++) {
			wn_rollup_put(rows, &n, WN_M_BULK_HAM,
			    wn_report_bulk_names[i], r->bulk_ham[i]);
			wn_rollup_put(rows, &n, WN_M_BULK_SPAM,
			    wn_report_bulk_names[i], r->bulk_spam[i]);
		}
	for (i = 0; i < r->n_countries; i++) {
		wn_rollup_put(rows, &n, WN_M_COUNTRY, r->countries[i].country,
		    r->countries[i].messages);
		wn_rollup_put(rows, &n, WN_M_COUNTRY_SPAM,
		    r->countries[i].country, r->countries[i].spam);
	}
	for (i = 0; i < r->n_rules; i++) {
		wn_rollup_put(rows, &n, WN_M_RULE_SPAM, r->rules[i].name,
		    r->rules[i].spam);
		wn_rollup_put(rows, &n, WN_M_RULE_HAM, r->rules[i].name,
		    r->rules[i].ham);
	}
	qsort(rows, n, sizeof(*rows), wn_rollup_cmp);
	/* A rule or country named twice in one report counts once, summed. */
	for (i = 1, m = n > 0 ? 1 : 0; i < n; i++) {
		wn_rollup_row *last = &rows[m - 1];

		if (wn_rollup_cmp(last, &rows[i]) == 0) {
			last->value = rows[i].value > INT64_MAX - last->value ?
			    (uint64_t)INT64_MAX : last->value + rows[i].value;
		} else {
			rows[m++] = rows[i];
		}
	}
	*out = rows;
	*n_out = m;
	return 0;
}
