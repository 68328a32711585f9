/*
 * db_agg.c - a wn_agg from the rollup rows of a query.
 *
 * The backend streams (day, metric, key, value) ordered by day; volumes
 * go to the bucket holding the day and to the totals, source countries
 * and rules to tables keyed by name, which are sorted at the end. Distinct
 * reporters cannot be summed across days, so each bucket asks the
 * backend for its own count.
 */
#include <stdlib.h>
#include <string.h>

#include <winnow/alloc.h>
#include <winnow/err.h>

#include "day.h"
#include "db.h"

/* names to two counters each: source countries or rules */
typedef struct wn_tally {
	wn_arena *a;
	const char **names;
	uint64_t (*v)[2];
	size_t n, cap;
	uint32_t *slots;		/* index + 1; 0 empty */
	size_t nslots;			/* a power of two, > 2 n */
} wn_tally;

typedef struct wn_agg_build {
	wn_agg *agg;
	size_t cur;			/* bucket of the last day seen */
	wn_tally countries, rules;
	int err;
} wn_agg_build;

static uint32_t
wn_tally_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static int
wn_tally_grow(wn_tally *t)
{
	size_t cap = t->cap ? 2 * t->cap : 64, i, ns = 4 * cap;
	const char **names = wn_realloc(t->names, cap * sizeof(*names));
	uint64_t (*v)[2];
	uint32_t *slots;

	if (names == NULL)
		return WN_ENOMEM;
	t->names = names;
	if ((v = wn_realloc(t->v, cap * sizeof(*v))) == NULL)
		return WN_ENOMEM;
	t->v = v;
	if ((slots = wn_calloc(ns, sizeof(*slots))) == NULL)
		return WN_ENOMEM;
	for (i = 0; i < t->n; i++) {
		size_t s = wn_tally_hash(t->names[i]) & (ns - 1);

		while (slots[s] != 0)
			s = (s + 1) & (ns - 1);
		slots[s] = (uint32_t)i + 1;
	}
	wn_free(t->slots);
	t->slots = slots;
	t->nslots = ns;
	t->cap = cap;
	return 0;
}

/* add value to counter which (0 or 1) of name */
static int
wn_tally_add(wn_tally *t, const char *name, int which, uint64_t value)
{
	size_t s;

	if (t->n == t->cap && wn_tally_grow(t) != 0)
		return WN_ENOMEM;
	s = wn_tally_hash(name) & (t->nslots - 1);
	while (t->slots[s] != 0) {
		size_t i = t->slots[s] - 1;

		if (strcmp(t->names[i], name) == 0) {
			t->v[i][which] += value;
			return 0;
		}
		s = (s + 1) & (t->nslots - 1);
	}
	if ((t->names[t->n] = wn_arena_strdup(t->a, name)) == NULL)
		return WN_ENOMEM;
	t->v[t->n][0] = t->v[t->n][1] = 0;
	t->v[t->n][which] = value;
	t->slots[s] = (uint32_t)++t->n;
	return 0;
}

static void
wn_tally_fini(wn_tally *t)
{
	wn_free(t->names);
	wn_free(t->v);
	wn_free(t->slots);
	memset(t, 0, sizeof(*t));
}

/* the index of name in names[n], or -1 */
static int
wn_agg_index(const char *const *names, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

static void
wn_agg_add_volume(wn_agg_volume *v, const char *metric, const char *key,
    uint64_t value)
{
	int i;

	if (strcmp(metric, WN_M_MESSAGES) == 0) {
		if (strcmp(key, "total") == 0)
			v->messages += value;
		else if (strcmp(key, "scanned") == 0)
			v->scanned += value;
	} else if (strcmp(metric, WN_M_VERDICT) == 0) {
		if (strcmp(key, "spam") == 0)
			v->spam += value;
		else if (strcmp(key, "ham") == 0)
			v->ham += value;
	} else if (strcmp(metric, WN_M_ACTION) == 0) {
		i = wn_agg_index(wn_report_action_names, WN_AGG_ACTIONS, key);
		if (i >= 0)
			v->action[i] += value;
	} else if (strcmp(metric, WN_M_SPF) == 0) {
		i = wn_agg_index(wn_report_spf_names, WN_AGG_SPF, key);
		if (i >= 0)
			v->spf[i] += value;
	} else if (strcmp(metric, WN_M_BULK_HAM) == 0) {
		i = wn_agg_index(wn_report_bulk_names, WN_AGG_BULK, key);
		if (i >= 0)
			v->bulk_ham[i] += value;
	} else if (strcmp(metric, WN_M_BULK_SPAM) == 0) {
		i = wn_agg_index(wn_report_bulk_names, WN_AGG_BULK, key);
		if (i >= 0)
			v->bulk_spam[i] += value;
	}
}

static int
wn_agg_row(void *arg, int64_t day, const char *metric, const char *key,
    uint64_t value)
{
	wn_agg_build *b = arg;
	wn_agg *agg = b->agg;

	while (b->cur + 1 < agg->n_series &&
	    day >= agg->series[b->cur + 1].start_day)
		b->cur++;
	if (strcmp(metric, WN_M_COUNTRY) == 0)
		return wn_tally_add(&b->countries, key, 0, value);
	if (strcmp(metric, WN_M_COUNTRY_SPAM) == 0)
		return wn_tally_add(&b->countries, key, 1, value);
	if (strcmp(metric, WN_M_RULE_SPAM) == 0)
		return wn_tally_add(&b->rules, key, 0, value);
	if (strcmp(metric, WN_M_RULE_HAM) == 0)
		return wn_tally_add(&b->rules, key, 1, value);
	if (strcmp(metric, WN_M_REPORTS) == 0) {
		agg->reports += value;
		return 0;
	}
	wn_agg_add_volume(&agg->series[b->cur].v, metric, key, value);
	wn_agg_add_volume(&agg->total, metric, key, value);
	return 0;
}

static int
wn_agg_country_cmp(const void *a, const void *b)
{
	const wn_agg_country *x = a, *y = b;

	if (x->spam != y->spam)
		return x->spam > y->spam ? -1 : 1;
	if (x->messages != y->messages)
		return x->messages > y->messages ? -1 : 1;
	return strcmp(x->country, y->country);
}

static int
wn_agg_rule_cmp(const void *a, const void *b)
{
	const wn_agg_rule *x = a, *y = b;

	if (x->spam != y->spam)
		return x->spam > y->spam ? -1 : 1;
	if (x->ham != y->ham)
		return x->ham > y->ham ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int
wn_agg_series(wn_agg *agg)
{
	const wn_agg_query *q = &agg->q;
	int64_t s;
	size_t n = 0, i;

	for (s = wn_day_bucket_start(q->from_day, (int)q->group);
	    s <= q->to_day; s = wn_day_bucket_next(s, (int)q->group))
		n++;
	agg->series = wn_arena_calloc(agg->arena, n + 1,
	    sizeof(*agg->series));
	if (agg->series == NULL)
		return WN_ENOMEM;
	s = wn_day_bucket_start(q->from_day, (int)q->group);
	for (i = 0; i < n; i++, s = wn_day_bucket_next(s, (int)q->group)) {
		agg->series[i].start_day = s;
		wn_day_bucket_label(s, (int)q->group, agg->series[i].label,
		    sizeof(agg->series[i].label));
	}
	agg->n_series = n;
	return 0;
}

static int
wn_agg_finish_tallies(wn_agg *agg, wn_agg_build *b)
{
	size_t i, limit = agg->q.rule_limit ? agg->q.rule_limit : 50;

	agg->countries = wn_arena_calloc(agg->arena, b->countries.n + 1,
	    sizeof(*agg->countries));
	agg->rules = wn_arena_calloc(agg->arena, b->rules.n + 1,
	    sizeof(*agg->rules));
	if (agg->countries == NULL || agg->rules == NULL)
		return WN_ENOMEM;
	for (i = 0; i < b->countries.n; i++) {
		strncpy(agg->countries[i].country, b->countries.names[i],
		    sizeof(agg->countries[i].country) - 1);
		agg->countries[i].messages = b->countries.v[i][0];
		agg->countries[i].spam = b->countries.v[i][1];
	}
	agg->n_countries = b->countries.n;
	qsort(agg->countries, agg->n_countries, sizeof(*agg->countries),
	    wn_agg_country_cmp);
	for (i = 0; i < b->rules.n; i++) {
		agg->rules[i].name = b->rules.names[i];
		agg->rules[i].spam = b->rules.v[i][0];
		agg->rules[i].ham = b->rules.v[i][1];
	}
	qsort(agg->rules, b->rules.n, sizeof(*agg->rules), wn_agg_rule_cmp);
	agg->n_rules = b->rules.n < limit ? b->rules.n : limit;
	return 0;
}

static int
wn_agg_reporters(wn_repo_db *db, wn_agg *agg)
{
	const wn_agg_query *q = &agg->q;
	size_t i;
	int rc;

	rc = db->ops->reporters(db, q, q->from_day, q->to_day,
	    &agg->total.reporters);
	for (i = 0; rc == 0 && i < agg->n_series; i++) {
		int64_t from = agg->series[i].start_day;
		int64_t to = wn_day_bucket_next(from, (int)q->group) - 1;

		if (from < q->from_day)
			from = q->from_day;
		if (to > q->to_day)
			to = q->to_day;
		rc = db->ops->reporters(db, q, from, to,
		    &agg->series[i].v.reporters);
	}
	return rc;
}

int
wn_repo_db_aggregate(wn_repo_db *db, const wn_agg_query *q, wn_agg *out)
{
	wn_agg_build b;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&b, 0, sizeof(b));
	if ((out->arena = wn_arena_new(0)) == NULL)
		return WN_ENOMEM;
	out->q = *q;
	if (out->q.rule_limit == 0)
		out->q.rule_limit = 50;
	b.agg = out;
	b.countries.a = b.rules.a = out->arena;
	rc = wn_agg_series(out);
	if (rc == 0)
		rc = db->ops->rows(db, q, wn_agg_row, &b);
	if (rc == 0)
		rc = wn_agg_finish_tallies(out, &b);
	if (rc == 0)
		rc = wn_agg_reporters(db, out);
	if (rc == 0)
		rc = db->ops->countries(db, out->arena, &out->known_countries,
		    &out->n_known_countries);
	wn_tally_fini(&b.countries);
	wn_tally_fini(&b.rules);
	if (rc != 0)
		wn_agg_fini(out);
	return rc;
}

void
wn_agg_fini(wn_agg *agg)
{
	wn_arena_free(&agg->arena);
	memset(agg, 0, sizeof(*agg));
}
