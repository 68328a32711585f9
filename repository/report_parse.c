/*
 * report_parse.c - a report's JSON text into a wn_report, checked against
 * every constraint of docs/report-schema.json (format 1).
 *
 * The checks follow the schema section by section, in its order, so a
 * reader can hold the two side by side. Sections the repository stores
 * (messages, spf, bulk, bayes, rules, countries) are copied out; the
 * others are validated and only counted. Beyond the schema: period.end
 * must not be before period.start, a histogram has one more count than
 * bounds, and in bulk no count of a verdict exceeds its checked, nor do
 * the exclusive ones together (a share of checked mail above 100% would
 * otherwise reach the dashboard). bulk_fingerprints is copied out too
 * (the keys the bulk feed counts), and only a report at sharing level
 * cooperative may carry it: the schema's "if/then", checked after the
 * sections like the other rules that relate two members.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include <winnow/err.h>

#include <winnow/report.h>

#include "day.h"
#include "report_in.h"
#include "report_check.h"

const char *const wn_report_action_names[WN_AGG_ACTIONS] = {
	"accept", "mark", "subject", "tempfail", "quarantine", "discard",
	"reject"
};

const char *const wn_report_spf_names[WN_AGG_SPF] = {
	"none", "neutral", "pass", "fail", "softfail", "temperror",
	"permerror", "not_checked"
};

const char *const wn_report_bulk_names[WN_AGG_BULK] = {
	"checked", "exempt", "flagged", "low", "medium", "high", "senders",
	"attachment"
};


/* parser state: the validator, the output and its arena */
typedef struct wn_rp {
	wn_rv rv;
	wn_report *r;
	wn_arena *a;
} wn_rp;

/* a string member equal to want ("const" in the schema) */
static int
wn_rp_const(wn_rp *p, json_t *obj, const char *key, const char *want)
{
	const char *names[2] = { want, NULL };
	size_t mark = wn_rv_enter(&p->rv, key, 0);
	int rc = wn_rv_enum(&p->rv, json_object_get(obj, key), names, NULL);

	wn_rv_leave(&p->rv, mark);
	return rc;
}

/* a string member matching pat, copied into buf[len] */
static int
wn_rp_copy(wn_rp *p, json_t *obj, const char *key, const wn_rv_pattern *pat,
    char *buf, size_t len)
{
	size_t mark = wn_rv_enter(&p->rv, key, 0), n = 0;
	const char *s = NULL;
	int rc = wn_rv_string(&p->rv, json_object_get(obj, key), pat, &s, &n);

	wn_rv_leave(&p->rv, mark);
	if (rc == 0) {
		/* every pattern copied here is shorter than its buffer */
		if (n >= len)
			n = len - 1;
		memcpy(buf, s, n);
		buf[n] = '\0';
	}
	return rc;
}

/* a member checked by fn(p, value) under its own path */
static int
wn_rp_member(wn_rp *p, json_t *obj, const char *key,
    int (*fn)(wn_rp *, json_t *))
{
	size_t mark = wn_rv_enter(&p->rv, key, 0);
	int rc = fn(p, json_object_get(obj, key));

	wn_rv_leave(&p->rv, mark);
	return rc;
}

/* counts named in names (NULL-ended) of a closed object into out[] */
static int
wn_rp_counts(wn_rp *p, json_t *v, const char *const *names, uint64_t *out)
{
	size_t i;
	int rc;

	if ((rc = wn_rv_object(&p->rv, v, names, names)) != 0)
		return rc;
	for (i = 0; names[i] != NULL; i++)
		if ((rc = wn_rv_count(&p->rv, v, names[i], &out[i])) != 0)
			return rc;
	return 0;
}

static int
wn_rp_reporter(wn_rp *p, json_t *v)
{
	static const char *const props[] = {
		"key_id", "country", "operator_type", NULL
	};
	size_t mark, i = 0;
	int rc;

	if ((rc = wn_rv_object(&p->rv, v, props, props)) != 0 ||
	    (rc = wn_rp_copy(p, v, "key_id", &wn_rv_hex16, p->r->key_id,
	    sizeof(p->r->key_id))) != 0 ||
	    (rc = wn_rp_copy(p, v, "country", &wn_rv_declared_country,
	    p->r->country, sizeof(p->r->country))) != 0)
		return rc;
	mark = wn_rv_enter(&p->rv, "operator_type", 0);
	rc = wn_rv_enum(&p->rv, json_object_get(v, "operator_type"),
	    wn_operator_types, &i);
	wn_rv_leave(&p->rv, mark);
	if (rc == 0)
		strcpy(p->r->operator_type, wn_operator_types[i]);
	return rc;
}

static int
wn_rp_software(wn_rp *p, json_t *v)
{
	static const char *const props[] = { "name", "version", NULL };
	int rc;

	if ((rc = wn_rv_object(&p->rv, v, props, props)) != 0 ||
	    (rc = wn_rp_const(p, v, "name", "winnow")) != 0)
		return rc;
	return wn_rp_copy(p, v, "version", &wn_rv_version,
	    p->r->software_version, sizeof(p->r->software_version));
}

static int
wn_rp_rulesets(wn_rp *p, json_t *v)
{
	static const char *const props[] = { "name", "version", NULL };
	size_t i, mark;
	json_t *e;
	int rc;

	if ((rc = wn_rv_array(&p->rv, v, 0, 32)) != 0)
		return rc;
	json_array_foreach(v, i, e) {
		mark = wn_rv_enter(&p->rv, NULL, i);
		if ((rc = wn_rv_object(&p->rv, e, props, props)) == 0)
			rc = wn_rp_copy(p, e, "name", &wn_rv_ruleset_name,
			    (char[65]){ 0 }, 65);
		if (rc == 0)
			rc = wn_rp_copy(p, e, "version", &wn_rv_version,
			    (char[33]){ 0 }, 33);
		wn_rv_leave(&p->rv, mark);
		if (rc != 0)
			return rc;
	}
	p->r->n_rulesets = json_array_size(v);
	return 0;
}

static int
wn_rp_time(wn_rp *p, json_t *obj, const char *key, int64_t *out)
{
	size_t mark = wn_rv_enter(&p->rv, key, 0), n = 0;
	const char *s = NULL;
	int rc = wn_rv_string(&p->rv, json_object_get(obj, key), &wn_rv_time,
	    &s, &n);

	wn_rv_leave(&p->rv, mark);
	if (rc == 0)
		wn_day_time_parse(s, n, out);
	return rc;
}

static int
wn_rp_period(wn_rp *p, json_t *v)
{
	static const char *const props[] = { "start", "end", "length", NULL };
	size_t mark;
	int rc;

	if ((rc = wn_rv_object(&p->rv, v, props, props)) != 0 ||
	    (rc = wn_rp_time(p, v, "start", &p->r->start)) != 0 ||
	    (rc = wn_rp_time(p, v, "end", &p->r->end)) != 0)
		return rc;
	mark = wn_rv_enter(&p->rv, "length", 0);
	rc = wn_rv_int(&p->rv, json_object_get(v, "length"), 60, 604800,
	    &p->r->length);
	wn_rv_leave(&p->rv, mark);
	if (rc == 0 && p->r->end < p->r->start) {
		mark = wn_rv_enter(&p->rv, "end", 0);
		rc = wn_rv_fail(&p->rv, "the period ends before it starts");
		wn_rv_leave(&p->rv, mark);
	}
	return rc;
}

static int
wn_rp_messages(wn_rp *p, json_t *v)
{
	static const char *const props[] = {
		"total", "scanned", "skipped", "failed", "verdict", "action",
		NULL
	};
	static const char *const verdict[] = { "ham", "spam", NULL };
	static const char *const action[] = {
		"accept", "mark", "subject", "tempfail", "quarantine",
		"discard", "reject", NULL
	};
	wn_report *r = p->r;
	uint64_t hs[2];
	size_t mark;
	int rc;

	if ((rc = wn_rv_object(&p->rv, v, props, props)) != 0 ||
	    (rc = wn_rv_count(&p->rv, v, "total", &r->total)) != 0 ||
	    (rc = wn_rv_count(&p->rv, v, "scanned", &r->scanned)) != 0 ||
	    (rc = wn_rv_count(&p->rv, v, "skipped", &r->skipped)) != 0 ||
	    (rc = wn_rv_count(&p->rv, v, "failed", &r->failed)) != 0)
		return rc;
	mark = wn_rv_enter(&p->rv, "verdict", 0);
	rc = wn_rp_counts(p, json_object_get(v, "verdict"), verdict, hs);
	wn_rv_leave(&p->rv, mark);
	if (rc != 0)
		return rc;
	r->ham = hs[0];
	r->spam = hs[1];
	mark = wn_rv_enter(&p->rv, "action", 0);
	rc = wn_rp_counts(p, json_object_get(v, "action"), action, r->action);
	wn_rv_leave(&p->rv, mark);
	return rc;
}

/* bounds: numbers, 1..64; counts: counts, one more than bounds */
static int
wn_rp_histogram(wn_rp *p, json_t *v)
{
	static const char *const props[] = { "bounds", "counts", NULL };
	json_t *bounds, *counts, *e;
	size_t i, mark, m2;
	double d;
	int64_t c;
	int rc;

	if ((rc = wn_rv_object(&p->rv, v, props, props)) != 0)
		return rc;
	bounds = json_object_get(v, "bounds");
	counts = json_object_get(v, "counts");
	mark = wn_rv_enter(&p->rv, "bounds", 0);
	rc = wn_rv_array(&p->rv, bounds, 1, 64);
	json_array_foreach(rc == 0 ? bounds : NULL, i, e) {
		m2 = wn_rv_enter(&p->rv, NULL, i);
		rc = wn_rv_number(&p->rv, e, NAN, &d);
		wn_rv_leave(&p->rv, m2);
		if (rc != 0)
			break;
	}
	wn_rv_leave(&p->rv, mark);
	if (rc != 0)
		return rc;
	mark = wn_rv_enter(&p->rv, "counts", 0);
	rc = wn_rv_array(&p->rv, counts, 2, 65);
	json_array_foreach(rc == 0 ? counts : NULL, i, e) {
		m2 = wn_rv_enter(&p->rv, NULL, i);
		rc = wn_rv_int(&p->rv, e, 0, (int64_t)WN_REPORT_MAX_COUNT, &c);
		wn_rv_leave(&p->rv, m2);
		if (rc != 0)
			break;
	}
	if (rc == 0 && json_array_size(counts) != json_array_size(bounds) + 1)
		rc = wn_rv_fail(&p->rv, "expected one more count than bounds "
		    "(%zu), got %zu", json_array_size(bounds),
		    json_array_size(counts));
	wn_rv_leave(&p->rv, mark);
	return rc;
}

static int
wn_rp_scan_time(wn_rp *p, json_t *v)
{
	static const char *const props[] = {
		"histogram", "p50_ms", "p90_ms", "p99_ms", NULL
	};
	size_t i, mark;
	double d;
	int rc;

	if ((rc = wn_rv_object(&p->rv, v, props, props)) != 0 ||
	    (rc = wn_rp_member(p, v, "histogram", wn_rp_histogram)) != 0)
		return rc;
	for (i = 1; props[i] != NULL && rc == 0; i++) {
		mark = wn_rv_enter(&p->rv, props[i], 0);
		rc = wn_rv_number(&p->rv, json_object_get(v, props[i]), 0, &d);
		wn_rv_leave(&p->rv, mark);
	}
	return rc;
}

static int
wn_rp_bayes(wn_rp *p, json_t *v)
{
	static const char *const props[] = {
		"scored", "abstained", "unavailable", NULL
	};

	return wn_rp_counts(p, v, props, p->r->bayes);
}

static int
wn_rp_spf(wn_rp *p, json_t *v)
{
	static const char *const props[] = {
		"none", "neutral", "pass", "fail", "softfail", "temperror",
		"permerror", "not_checked", NULL
	};

	return wn_rp_counts(p, v, props, p->r->spf);
}

/* one verdict's bulk counts, each at most checked, and the exclusive
 * ones (low, medium, high, exempt) together too */
static int
wn_rp_bulk_class(wn_rp *p, json_t *v, uint64_t *out)
{
	static const char *const props[] = {
		"checked", "exempt", "flagged", "low", "medium", "high",
		"senders", "attachment", NULL
	};
	uint64_t checked, exclusive;
	size_t i;
	int rc;

	if ((rc = wn_rp_counts(p, v, props, out)) != 0)
		return rc;
	checked = out[WN_AGG_BULK_CHECKED];
	for (i = 1; i < WN_AGG_BULK; i++)
		if (out[i] > checked)
			return wn_rv_fail(&p->rv, "%s (%llu) exceeds checked "
			    "(%llu)", props[i], (unsigned long long)out[i],
			    (unsigned long long)checked);
	/* each at most 2^53 - 1: the sum cannot overflow */
	exclusive = out[1] + out[3] + out[4] + out[5];
	if (exclusive > checked)
		return wn_rv_fail(&p->rv, "exempt + low + medium + high (%llu) "
		    "exceeds checked (%llu)", (unsigned long long)exclusive,
		    (unsigned long long)checked);
	return 0;
}

static int
wn_rp_bulk(wn_rp *p, json_t *v)
{
	static const char *const props[] = { "ham", "spam", NULL };
	size_t mark;
	int rc;

	if ((rc = wn_rv_object(&p->rv, v, props, props)) != 0)
		return rc;
	mark = wn_rv_enter(&p->rv, "ham", 0);
	rc = wn_rp_bulk_class(p, json_object_get(v, "ham"), p->r->bulk_ham);
	wn_rv_leave(&p->rv, mark);
	if (rc != 0)
		return rc;
	mark = wn_rv_enter(&p->rv, "spam", 0);
	rc = wn_rp_bulk_class(p, json_object_get(v, "spam"), p->r->bulk_spam);
	wn_rv_leave(&p->rv, mark);
	return rc;
}

/* a key of bulk_fingerprints: 16 lowercase hex digits as a number */
static int
wn_rp_key(wn_rp *p, json_t *v, uint64_t *out)
{
	const char *s = NULL;
	size_t n = 0, i;
	uint64_t k = 0;
	int rc;

	if ((rc = wn_rv_string(&p->rv, v, &wn_rv_hex16, &s, &n)) != 0)
		return rc;
	for (i = 0; i < n; i++)
		k = k << 4 | (uint64_t)(s[i] <= '9' ? s[i] - '0' :
		    s[i] - 'a' + 10);
	*out = k;
	return 0;
}

/* one item: {"d": key, "b": [16 keys]} */
static int
wn_rp_fp_item(wn_rp *p, json_t *e, wn_report_fp *out)
{
	static const char *const props[] = { "d", "b", NULL };
	json_t *b, *k;
	size_t i, mark, m2;
	int rc;

	if ((rc = wn_rv_object(&p->rv, e, props, props)) != 0)
		return rc;
	mark = wn_rv_enter(&p->rv, "d", 0);
	rc = wn_rp_key(p, json_object_get(e, "d"), &out->d);
	wn_rv_leave(&p->rv, mark);
	if (rc != 0)
		return rc;
	b = json_object_get(e, "b");
	mark = wn_rv_enter(&p->rv, "b", 0);
	rc = wn_rv_array(&p->rv, b, WN_REPORT_FP_BANDS, WN_REPORT_FP_BANDS);
	json_array_foreach(rc == 0 ? b : NULL, i, k) {
		m2 = wn_rv_enter(&p->rv, NULL, i);
		rc = wn_rp_key(p, k, &out->b[i]);
		wn_rv_leave(&p->rv, m2);
		if (rc != 0)
			break;
	}
	wn_rv_leave(&p->rv, mark);
	return rc;
}

static int
wn_rp_bulk_fp(wn_rp *p, json_t *v)
{
	static const char *const props[] = {
		"fingerprint_version", "items", "dropped", NULL
	};
	wn_report *r = p->r;
	json_t *items, *e;
	size_t i, mark;
	int rc;

	if ((rc = wn_rv_object(&p->rv, v, props, props)) != 0)
		return rc;
	mark = wn_rv_enter(&p->rv, "fingerprint_version", 0);
	rc = wn_rv_int(&p->rv, json_object_get(v, "fingerprint_version"), 1,
	    INT32_MAX, &r->fp_version);
	wn_rv_leave(&p->rv, mark);
	if (rc != 0 ||
	    (rc = wn_rv_count(&p->rv, v, "dropped", &r->fp_dropped)) != 0)
		return rc;
	items = json_object_get(v, "items");
	mark = wn_rv_enter(&p->rv, "items", 0);
	if ((rc = wn_rv_array(&p->rv, items, 0, WN_REPORT_FP_MAX)) != 0) {
		wn_rv_leave(&p->rv, mark);
		return rc;
	}
	r->fps = wn_arena_calloc(p->a, json_array_size(items) + 1,
	    sizeof(*r->fps));
	if (r->fps == NULL) {
		wn_rv_leave(&p->rv, mark);
		return WN_ENOMEM;
	}
	json_array_foreach(items, i, e) {
		size_t m2 = wn_rv_enter(&p->rv, NULL, i);

		rc = wn_rp_fp_item(p, e, &r->fps[i]);
		wn_rv_leave(&p->rv, m2);
		if (rc != 0)
			break;
	}
	wn_rv_leave(&p->rv, mark);
	if (rc == 0)
		r->n_fps = json_array_size(items);
	return rc;
}

static int
wn_rp_anomalies(wn_rp *p, json_t *v)
{
	const char *k;
	json_t *m;
	size_t mark;
	int64_t c;
	int rc;

	if (!json_is_object(v))
		return wn_rv_fail(&p->rv, "expected an object");
	if (json_object_size(v) > 64)
		return wn_rv_fail(&p->rv, "expected at most 64 properties, "
		    "got %zu", json_object_size(v));
	json_object_foreach(v, k, m) {
		if (!wn_rv_anomaly.match(k, strlen(k)))
			return wn_rv_fail(&p->rv, "property names must match "
			    "%s", wn_rv_anomaly.text);
		mark = wn_rv_enter(&p->rv, k, 0);
		rc = wn_rv_int(&p->rv, m, 0, (int64_t)WN_REPORT_MAX_COUNT, &c);
		wn_rv_leave(&p->rv, mark);
		if (rc != 0)
			return rc;
	}
	p->r->n_anomalies = json_object_size(v);
	return 0;
}

static int
wn_rp_rules(wn_rp *p, json_t *v)
{
	static const char *const props[] = { "name", "spam", "ham", NULL };
	wn_report_rule *out;
	const char *s = NULL;
	size_t i, n = 0, mark, m2;
	json_t *e;
	int rc;

	if ((rc = wn_rv_array(&p->rv, v, 0, 4096)) != 0)
		return rc;
	out = wn_arena_calloc(p->a, json_array_size(v) + 1, sizeof(*out));
	if (out == NULL)
		return WN_ENOMEM;
	json_array_foreach(v, i, e) {
		mark = wn_rv_enter(&p->rv, NULL, i);
		if ((rc = wn_rv_object(&p->rv, e, props, props)) == 0) {
			m2 = wn_rv_enter(&p->rv, "name", 0);
			rc = wn_rv_string(&p->rv, json_object_get(e, "name"),
			    &wn_rv_rule_name, &s, &n);
			wn_rv_leave(&p->rv, m2);
		}
		if (rc == 0)
			rc = wn_rv_count(&p->rv, e, "spam", &out[i].spam);
		if (rc == 0)
			rc = wn_rv_count(&p->rv, e, "ham", &out[i].ham);
		wn_rv_leave(&p->rv, mark);
		if (rc != 0)
			return rc;
		if ((out[i].name = wn_arena_memdup(p->a, s, n)) == NULL)
			return WN_ENOMEM;
	}
	p->r->rules = out;
	p->r->n_rules = json_array_size(v);
	return 0;
}

static int
wn_rp_countries(wn_rp *p, json_t *v)
{
	static const char *const props[] = {
		"country", "messages", "spam", NULL
	};
	wn_report_country *out;
	size_t i, mark;
	json_t *e;
	int rc;

	if ((rc = wn_rv_array(&p->rv, v, 0, 1024)) != 0)
		return rc;
	out = wn_arena_calloc(p->a, json_array_size(v) + 1, sizeof(*out));
	if (out == NULL)
		return WN_ENOMEM;
	json_array_foreach(v, i, e) {
		mark = wn_rv_enter(&p->rv, NULL, i);
		if ((rc = wn_rv_object(&p->rv, e, props, props)) == 0)
			rc = wn_rp_copy(p, e, "country", &wn_rv_source_country,
			    out[i].country, sizeof(out[i].country));
		if (rc == 0)
			rc = wn_rv_count(&p->rv, e, "messages",
			    &out[i].messages);
		if (rc == 0)
			rc = wn_rv_count(&p->rv, e, "spam", &out[i].spam);
		wn_rv_leave(&p->rv, mark);
		if (rc != 0)
			return rc;
	}
	p->r->countries = out;
	p->r->n_countries = json_array_size(v);
	return 0;
}

static int
wn_rp_prefixes(wn_rp *p, json_t *v)
{
	static const char *const props[] = { "prefix", "spam", NULL };
	size_t i, mark;
	uint64_t c;
	json_t *e;
	int rc;

	if ((rc = wn_rv_array(&p->rv, v, 0, 4096)) != 0)
		return rc;
	json_array_foreach(v, i, e) {
		mark = wn_rv_enter(&p->rv, NULL, i);
		if ((rc = wn_rv_object(&p->rv, e, props, props)) == 0)
			rc = wn_rp_copy(p, e, "prefix", &wn_rv_prefix,
			    (char[48]){ 0 }, 48);
		if (rc == 0)
			rc = wn_rv_count(&p->rv, e, "spam", &c);
		wn_rv_leave(&p->rv, mark);
		if (rc != 0)
			return rc;
	}
	p->r->n_prefixes = json_array_size(v);
	return 0;
}

/* the optional sections, each with its check and its WN_REPORT_HAS_ bit */
static const struct {
	const char *name;
	int (*check)(wn_rp *, json_t *);
	unsigned bit;
} wn_rp_sections[] = {
	{ "score_histogram", wn_rp_histogram, WN_REPORT_HAS_SCORES },
	{ "scan_time", wn_rp_scan_time, WN_REPORT_HAS_SCAN_TIME },
	{ "bayes", wn_rp_bayes, WN_REPORT_HAS_BAYES },
	{ "anomalies", wn_rp_anomalies, WN_REPORT_HAS_ANOMALIES },
	{ "spf", wn_rp_spf, WN_REPORT_HAS_SPF },
	{ "bulk", wn_rp_bulk, WN_REPORT_HAS_BULK },
	{ "rules", wn_rp_rules, WN_REPORT_HAS_RULES },
	{ "countries", wn_rp_countries, WN_REPORT_HAS_COUNTRIES },
	{ "prefixes", wn_rp_prefixes, WN_REPORT_HAS_PREFIXES },
	{ "bulk_fingerprints", wn_rp_bulk_fp, WN_REPORT_HAS_BULK_FP },
};

static int
wn_rp_root(wn_rp *p, json_t *root)
{
	static const char *const props[] = {
		"format", "report_id", "reporter", "software", "rulesets",
		"period", "sharing", "min_count", "messages",
		"score_histogram", "scan_time", "bayes", "anomalies", "spf",
		"bulk", "rules", "countries", "prefixes", "bulk_fingerprints",
		NULL
	};
	static const char *const required[] = {
		"format", "report_id", "reporter", "software", "rulesets",
		"period", "sharing", "min_count", "messages", NULL
	};
	wn_report *r = p->r;
	size_t i, mark;
	int64_t mc;
	int rc;

	if ((rc = wn_rv_object(&p->rv, root, props, required)) != 0 ||
	    (rc = wn_rp_const(p, root, "format", "winnow-report-1")) != 0 ||
	    (rc = wn_rp_copy(p, root, "report_id", &wn_rv_hex32,
	    r->report_id, sizeof(r->report_id))) != 0 ||
	    (rc = wn_rp_member(p, root, "reporter", wn_rp_reporter)) != 0 ||
	    (rc = wn_rp_member(p, root, "software", wn_rp_software)) != 0 ||
	    (rc = wn_rp_member(p, root, "rulesets", wn_rp_rulesets)) != 0 ||
	    (rc = wn_rp_member(p, root, "period", wn_rp_period)) != 0)
		return rc;
	mark = wn_rv_enter(&p->rv, "sharing", 0);
	rc = wn_rv_enum(&p->rv, json_object_get(root, "sharing"),
	    wn_sharing_names, &i);
	wn_rv_leave(&p->rv, mark);
	if (rc != 0)
		return rc;
	strcpy(r->sharing, wn_sharing_names[i]);
	/* min_count has no upper bound in the schema; jansson stops at
	 * 2^63 - 1, and an integral real beyond that is capped. */
	mark = wn_rv_enter(&p->rv, "min_count", 0);
	rc = wn_rv_int(&p->rv, json_object_get(root, "min_count"), 1,
	    INT64_MAX, &mc);
	wn_rv_leave(&p->rv, mark);
	if (rc != 0)
		return rc;
	r->min_count = (uint64_t)mc;
	if ((rc = wn_rp_member(p, root, "messages", wn_rp_messages)) != 0)
		return rc;
	for (i = 0; i < sizeof(wn_rp_sections) / sizeof(wn_rp_sections[0]);
	    i++) {
		if (json_object_get(root, wn_rp_sections[i].name) == NULL)
			continue;
		rc = wn_rp_member(p, root, wn_rp_sections[i].name,
		    wn_rp_sections[i].check);
		if (rc != 0)
			return rc;
		r->sections |= wn_rp_sections[i].bit;
	}
	/* the keys of bulk mail are shared only by those who chose to */
	if ((r->sections & WN_REPORT_HAS_BULK_FP) &&
	    strcmp(r->sharing, "cooperative") != 0) {
		mark = wn_rv_enter(&p->rv, "bulk_fingerprints", 0);
		rc = wn_rv_fail(&p->rv, "only a report at sharing level "
		    "\"cooperative\" may carry it; this one is at \"%s\"",
		    r->sharing);
		wn_rv_leave(&p->rv, mark);
		return rc;
	}
	return 0;
}

int
wn_report_parse(const char *text, size_t len, wn_arena *a, wn_report *out,
    char *err)
{
	json_error_t je;
	json_t *root;
	wn_rp p;
	int rc;

	memset(out, 0, sizeof(*out));
	wn_rv_init(&p.rv, err);
	p.r = out;
	p.a = a;
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL) {
		snprintf(err, WN_REPORT_ERR_LEN, "report: not JSON: %s "
		    "(line %d, column %d)", je.text, je.line, je.column);
		return WN_EINVAL;
	}
	rc = wn_rp_root(&p, root);
	json_decref(root);
	if (rc == WN_ENOMEM)
		snprintf(err, WN_REPORT_ERR_LEN, "report: out of memory");
	return rc;
}
