/*
 * api_csv.c - GET /api/v1/export.csv: the rollups of a query, one line
 * per bucket, metric and key.
 *
 * Rows arrive ordered by day; a bucket's rows are collected until a day
 * of a later bucket shows up, then written: the fixed counters first in
 * report order (zeros too, so every bucket has the same lines), then the
 * named ones (source countries, rules) sorted by metric and key, then the
 * counters added after the first release (bulk detections), fixed like
 * the first ones. Those come last in the bucket so that a reader that
 * found the earlier rows by their position still does. Names come from
 * the schema's character classes (letters, digits, "._:-"), so no field
 * needs quoting.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <winnow/alloc.h>
#include <winnow/err.h>

#include "api.h"
#include "day.h"
#include "rollup.h"

static const char *const wn_csv_messages[] = {
	"total", "scanned", "skipped", "failed"
};
static const char *const wn_csv_verdict[] = { "ham", "spam" };
static const char *const wn_csv_bayes[] = {
	"scored", "abstained", "unavailable"
};

/*
 * The fixed metrics, in output order, with their keys; the first
 * WN_CSV_NFIRST before the named rows of a bucket, the rest after them.
 */
static const struct {
	const char *metric;
	const char *const *keys;
	int n;
} wn_csv_fixed[] = {
	{ WN_M_MESSAGES, wn_csv_messages, 4 },
	{ WN_M_VERDICT, wn_csv_verdict, 2 },
	{ WN_M_ACTION, wn_report_action_names, WN_AGG_ACTIONS },
	{ WN_M_SPF, wn_report_spf_names, WN_AGG_SPF },
	{ WN_M_BAYES, wn_csv_bayes, 3 },
	{ WN_M_BULK_HAM, wn_report_bulk_names, WN_AGG_BULK },
	{ WN_M_BULK_SPAM, wn_report_bulk_names, WN_AGG_BULK },
};
#define WN_CSV_NFIXED (sizeof(wn_csv_fixed) / sizeof(wn_csv_fixed[0]))
#define WN_CSV_NFIRST 5
#define WN_CSV_MAXKEYS 8
_Static_assert(WN_AGG_SPF <= WN_CSV_MAXKEYS && WN_AGG_BULK <= WN_CSV_MAXKEYS,
    "a fixed metric has more keys than a bucket holds");

static const char *const wn_csv_named[] = {
	WN_M_COUNTRY, WN_M_COUNTRY_SPAM, WN_M_RULE_SPAM, WN_M_RULE_HAM
};
#define WN_CSV_NNAMED 4

typedef struct wn_csv_named_row {
	int metric;			/* index into wn_csv_named */
	const char *key;
	uint64_t value;
} wn_csv_named_row;

typedef struct wn_csv {
	wn_repo_db *db;
	const wn_agg_query *q;
	wn_buf *out;
	int64_t bucket, next;		/* the bucket being collected */
	uint64_t reports;
	uint64_t fixed[WN_CSV_NFIXED][WN_CSV_MAXKEYS];
	wn_csv_named_row *named;
	size_t n_named, cap_named;
	wn_arena *keys;			/* the named rows' keys */
} wn_csv;

static int
wn_csv_named_cmp(const void *a, const void *b)
{
	const wn_csv_named_row *x = a, *y = b;

	if (x->metric != y->metric)
		return x->metric - y->metric;
	return strcmp(x->key, y->key);
}

/* the fixed rows of metrics from..to-1 of the collected bucket */
static void
wn_csv_put_fixed(wn_csv *c, const char *label, size_t from, size_t to)
{
	size_t f;
	int k;

	for (f = from; f < to; f++)
		for (k = 0; k < wn_csv_fixed[f].n; k++)
			wn_buf_printf(c->out, "%s,%s,%s,%" PRIu64 "\n", label,
			    wn_csv_fixed[f].metric, wn_csv_fixed[f].keys[k],
			    c->fixed[f][k]);
}

/* write the collected bucket and start the next one */
static int
wn_csv_flush(wn_csv *c)
{
	const wn_agg_query *q = c->q;
	int64_t from = c->bucket > q->from_day ? c->bucket : q->from_day;
	int64_t to = c->next - 1 < q->to_day ? c->next - 1 : q->to_day;
	uint64_t reporters = 0;
	char label[12];
	size_t i;
	int rc;

	rc = c->db->ops->reporters(c->db, q, from, to, &reporters);
	if (rc != 0)
		return rc;
	wn_day_bucket_label(c->bucket, (int)q->group, label, sizeof(label));
	wn_buf_printf(c->out, "%s,reporters,distinct,%" PRIu64 "\n", label,
	    reporters);
	wn_buf_printf(c->out, "%s,reports,count,%" PRIu64 "\n", label,
	    c->reports);
	wn_csv_put_fixed(c, label, 0, WN_CSV_NFIRST);
	if (c->n_named > 0)
		qsort(c->named, c->n_named, sizeof(*c->named),
		    wn_csv_named_cmp);
	for (i = 0; i < c->n_named; i++) {
		uint64_t v = c->named[i].value;

		/* the same name on several days of a week or month */
		while (i + 1 < c->n_named &&
		    wn_csv_named_cmp(&c->named[i], &c->named[i + 1]) == 0)
			v += c->named[++i].value;
		wn_buf_printf(c->out, "%s,%s,%s,%" PRIu64 "\n", label,
		    wn_csv_named[c->named[i].metric], c->named[i].key, v);
	}
	wn_csv_put_fixed(c, label, WN_CSV_NFIRST, WN_CSV_NFIXED);
	c->reports = 0;
	memset(c->fixed, 0, sizeof(c->fixed));
	c->n_named = 0;
	wn_arena_reset(c->keys);
	c->bucket = c->next;
	c->next = wn_day_bucket_next(c->bucket, (int)q->group);
	return c->out->failed ? WN_ENOMEM : 0;
}

static int
wn_csv_add_named(wn_csv *c, int metric, const char *key, uint64_t value)
{
	if (c->n_named == c->cap_named) {
		size_t cap = c->cap_named ? 2 * c->cap_named : 256;
		wn_csv_named_row *v = wn_realloc(c->named, cap * sizeof(*v));

		if (v == NULL)
			return WN_ENOMEM;
		c->named = v;
		c->cap_named = cap;
	}
	c->named[c->n_named].metric = metric;
	c->named[c->n_named].value = value;
	if ((c->named[c->n_named].key = wn_arena_strdup(c->keys, key)) == NULL)
		return WN_ENOMEM;
	c->n_named++;
	return 0;
}

static int
wn_csv_row(void *arg, int64_t day, const char *metric, const char *key,
    uint64_t value)
{
	wn_csv *c = arg;
	size_t f;
	int k, rc;

	while (day >= c->next)
		if ((rc = wn_csv_flush(c)) != 0)
			return rc;
	if (strcmp(metric, WN_M_REPORTS) == 0) {
		c->reports += value;
		return 0;
	}
	for (f = 0; f < WN_CSV_NFIXED; f++) {
		if (strcmp(metric, wn_csv_fixed[f].metric) != 0)
			continue;
		for (k = 0; k < wn_csv_fixed[f].n; k++)
			if (strcmp(key, wn_csv_fixed[f].keys[k]) == 0)
				c->fixed[f][k] += value;
		return 0;
	}
	for (k = 0; k < WN_CSV_NNAMED; k++)
		if (strcmp(metric, wn_csv_named[k]) == 0)
			return wn_csv_add_named(c, k, key, value);
	return 0;	/* a metric of a later version: not exported */
}

int
wn_api_export_csv(wn_repo_db *db, const wn_agg_query *q, wn_buf *out)
{
	wn_csv c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.db = db;
	c.q = q;
	c.out = out;
	c.bucket = wn_day_bucket_start(q->from_day, (int)q->group);
	c.next = wn_day_bucket_next(c.bucket, (int)q->group);
	if ((c.keys = wn_arena_new(0)) == NULL)
		return WN_ENOMEM;
	wn_buf_puts(out, "period,metric,key,value\n");
	rc = wn_repo_db_rows(db, q, wn_csv_row, &c);
	while (rc == 0 && c.bucket <= q->to_day)
		rc = wn_csv_flush(&c);
	wn_free(c.named);
	wn_arena_free(&c.keys);
	return rc;
}
