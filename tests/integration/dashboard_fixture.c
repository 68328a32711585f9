/*
 * dashboard_fixture.c - writes the dashboard of a made-up but plausible
 * selection to a file, for test_dashboard_fixture.sh to load in a browser.
 *
 * usage: dashboard_fixture OUT.html [month|empty|year]
 *
 * month (default): November 2026 per day, 12 reporters, 6 source
 * countries, 20 rules; day 17 has no reports at all (a repository outage)
 * and on day 24 no reporter checked SPF, so both charts show gaps; bulk
 * detections are counted from day 4 on (earlier reports came from a
 * winnow that did not count them), a gap at the start of the bulk chart.
 * The figures follow closed formulas, so the test can state the totals.
 * empty: the same query with no reports. year: 400 daily buckets.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winnow/arena.h>
#include <winnow/buf.h>

#include "agg_util.h"
#include "dashboard.h"

#define FIX_FIRST_DAY 20758	/* 2026-11-01, a Sunday */
#define FIX_OUTAGE 16		/* 2026-11-17: no reports */
#define FIX_NO_SPF 23		/* 2026-11-24: SPF checked nowhere */
#define FIX_BULK_FROM 3		/* 2026-11-04: bulk detections counted */

static const char *const fix_known[] = { "BR", "DE", "FR", "NL", "SE", "US" };

/* source countries and their per-mille of all spam; "unknown" takes what
 * the others leave */
static const struct {
	const char *code;
	unsigned spam_permille;
	unsigned ham_permille;	/* of all ham */
} fix_countries[] = {
	{ "US", 310, 420 }, { "CN", 220, 30 }, { "unknown", 0, 90 },
	{ "RU", 140, 20 }, { "BR", 90, 60 }, { "DE", 60, 380 },
};

/* hits in the month: plausible SpamAssassin-style rule names */
static const struct {
	const char *name;
	unsigned spam, ham;
} fix_rules[] = {
	{ "BAYES_99", 301240, 212 },
	{ "URIBL_BLACK", 188410, 35 },
	{ "RCVD_IN_DNSBL", 160902, 1290 },
	{ "BULK_SEEN", 142277, 10421 },
	{ "HTML_MESSAGE", 131050, 389110 },
	{ "SPF_FAIL", 97733, 2214 },
	{ "FREEMAIL_FROM", 80104, 61720 },
	{ "MIME_HTML_ONLY", 66219, 18003 },
	{ "URI_SHORTENER", 51377, 4311 },
	{ "SUBJ_ALL_CAPS", 43980, 870 },
	{ "LOTS_OF_MONEY", 39001, 1460 },
	{ "DKIM_INVALID", 31225, 6042 },
	{ "PHISH_LOGIN_FORM", 28150, 12 },
	{ "MISSING_DATE", 20464, 511 },
	{ "ADVANCE_FEE_2", 17330, 4 },
	{ "FORGED_OUTLOOK_TAGS", 12208, 95 },
	{ "HDR_ORDER_FTSDMCXX", 9716, 1830 },
	{ "TVD_PH_SEC", 6002, 3 },
	{ "BODY_EMPTY", 4410, 2270 },
	{ "CHARSET_FARAWAY", 1890, 604 },
};

#define FIX_N(a) (sizeof(a) / sizeof((a)[0]))

static void
fix_add(wn_agg_volume *sum, const wn_agg_volume *v)
{
	size_t i;

	sum->messages += v->messages;
	sum->scanned += v->scanned;
	sum->spam += v->spam;
	sum->ham += v->ham;
	for (i = 0; i < WN_AGG_ACTIONS; i++)
		sum->action[i] += v->action[i];
	for (i = 0; i < WN_AGG_SPF; i++)
		sum->spf[i] += v->spf[i];
	for (i = 0; i < WN_AGG_BULK; i++) {
		sum->bulk_spam[i] += v->bulk_spam[i];
		sum->bulk_ham[i] += v->bulk_ham[i];
	}
}

/* Bulk detections of a day: a share of spam that varies over the week,
 * a little of the ham (newsletters), some of it exempt (mailing lists). */
static void
fix_bulk(wn_agg_volume *v, size_t d)
{
	uint64_t *s = v->bulk_spam, *h = v->bulk_ham;

	s[WN_AGG_BULK_CHECKED] = v->spam;
	s[WN_AGG_BULK_FLAGGED] = v->spam * (20 + d % 7) / 100;
	s[3] = v->spam * 6 / 100;		/* low */
	s[4] = v->spam * 7 / 100;		/* medium */
	s[5] = v->spam * 5 / 100;		/* high */
	s[6] = v->spam * 4 / 100;		/* senders */
	s[7] = v->spam * 2 / 100;		/* attachment */
	h[WN_AGG_BULK_CHECKED] = v->ham;
	h[WN_AGG_BULK_EXEMPT] = v->ham * 3 / 100;
	h[WN_AGG_BULK_FLAGGED] = v->ham * 2 / 100;
	h[3] = v->ham / 100;			/* low */
	h[4] = v->ham / 200;			/* medium */
	h[6] = v->ham / 500;			/* senders */
	h[7] = v->ham / 1000;			/* attachment */
}

/* The volume of day d (0-based) of the selection. */
static void
fix_day(wn_agg_volume *v, size_t d, size_t n_days)
{
	bool weekend = (d + 6) % 7 >= 5;
	uint64_t checked, t;

	memset(v, 0, sizeof(*v));
	if (n_days <= 31 && d == FIX_OUTAGE)
		return;
	v->reporters = weekend ? 11 : 12;
	v->messages = 40000 + 700 * (d % 31) - (weekend ? 15000 : 0);
	v->scanned = v->messages - v->messages / 100;
	v->spam = v->scanned * (35 + (d % 31) / 3 + d % 5) / 100;
	v->ham = v->scanned - v->spam;
	/* actions: ham is accepted, spam spread over the rest */
	v->action[0] = v->ham;
	v->action[2] = v->spam * 10 / 100;	/* subject */
	v->action[3] = v->spam * 4 / 100;	/* tempfail */
	v->action[4] = v->spam * 5 / 100;	/* quarantine */
	v->action[5] = v->spam / 100;	/* discard */
	v->action[6] = v->spam * 30 / 100;	/* reject */
	v->action[1] = v->spam - v->action[2] - v->action[3] -
	    v->action[4] - v->action[5] - v->action[6];
	/* SPF: adoption slowly rising over the month */
	v->spf[WN_AGG_SPF_NOT_CHECKED] = v->messages * 8 / 100;
	if (n_days <= 31 && d == FIX_NO_SPF)
		v->spf[WN_AGG_SPF_NOT_CHECKED] = v->messages;
	checked = v->messages - v->spf[WN_AGG_SPF_NOT_CHECKED];
	v->spf[2] = checked * (55 + (d % 31) / 2) / 100;	/* pass */
	v->spf[3] = checked * 6 / 100;		/* fail */
	v->spf[4] = checked * 9 / 100;		/* softfail */
	v->spf[1] = checked * 3 / 100;		/* neutral */
	v->spf[5] = checked / 100;		/* temperror */
	v->spf[6] = checked / 200;		/* permerror */
	t = v->spf[1] + v->spf[2] + v->spf[3] + v->spf[4] + v->spf[5] +
	    v->spf[6];
	v->spf[0] = checked - t;		/* none */
	if (d >= FIX_BULK_FROM)
		fix_bulk(v, d);
}

static int
fix_fill(wn_agg *agg, const char *mode)
{
	size_t i, n_days = strcmp(mode, "year") == 0 ? 400 : 30;
	uint64_t spam_left;

	memset(agg, 0, sizeof(*agg));
	if ((agg->arena = wn_arena_new(0)) == NULL)
		return -1;
	agg->q.from_day = FIX_FIRST_DAY;
	agg->q.to_day = FIX_FIRST_DAY + (int64_t)n_days - 1;
	agg->q.group = WN_AGG_DAY;
	agg->q.rule_limit = 50;
	agg->known_countries = (const char **)fix_known;
	agg->n_known_countries = FIX_N(fix_known);
	if (strcmp(mode, "empty") == 0)
		return 0;

	agg->series = wn_arena_calloc(agg->arena, n_days,
	    sizeof(*agg->series));
	agg->countries = wn_arena_calloc(agg->arena, FIX_N(fix_countries),
	    sizeof(*agg->countries));
	agg->rules = wn_arena_calloc(agg->arena, FIX_N(fix_rules),
	    sizeof(*agg->rules));
	if (agg->series == NULL || agg->countries == NULL ||
	    agg->rules == NULL)
		return -1;
	agg->n_series = n_days;
	for (i = 0; i < n_days; i++) {
		wn_agg_bucket *b = &agg->series[i];

		b->start_day = agg->q.from_day + (int64_t)i;
		wn_agg_day_format(b->start_day, b->label);
		fix_day(&b->v, i, n_days);
		fix_add(&agg->total, &b->v);
		/* hourly reports from every reporter */
		agg->reports += b->v.reporters * 24;
	}
	agg->total.reporters = 12;

	spam_left = agg->total.spam;
	agg->n_countries = FIX_N(fix_countries);
	for (i = 0; i < FIX_N(fix_countries); i++) {
		wn_agg_country *c = &agg->countries[i];

		snprintf(c->country, sizeof(c->country), "%s",
		    fix_countries[i].code);
		c->spam = agg->total.spam * fix_countries[i].spam_permille /
		    1000;
		c->messages = c->spam + agg->total.ham *
		    fix_countries[i].ham_permille / 1000;
		spam_left -= c->spam;
	}
	/* "unknown" (third) gets the spam the others leave */
	agg->countries[2].messages += spam_left;
	agg->countries[2].spam = spam_left;

	agg->n_rules = FIX_N(fix_rules);
	for (i = 0; i < FIX_N(fix_rules); i++) {
		agg->rules[i].name = fix_rules[i].name;
		agg->rules[i].spam = fix_rules[i].spam;
		agg->rules[i].ham = fix_rules[i].ham;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const char *mode = argc > 2 ? argv[2] : "month";
	wn_agg agg;
	wn_buf page;
	FILE *f;
	int rc = 0;

	if (argc < 2 || (strcmp(mode, "month") != 0 &&
	    strcmp(mode, "empty") != 0 && strcmp(mode, "year") != 0)) {
		fprintf(stderr, "usage: dashboard_fixture OUT.html "
		    "[month|empty|year]\n");
		return 2;
	}
	if (fix_fill(&agg, mode) != 0) {
		fprintf(stderr, "dashboard_fixture: out of memory\n");
		wn_arena_free(&agg.arena);
		return 1;
	}
	wn_buf_init(&page);
	wn_dashboard_render(&agg, &page);
	if (page.failed || page.data == NULL) {
		fprintf(stderr, "dashboard_fixture: rendering failed\n");
		rc = 1;
	} else if ((f = fopen(argv[1], "w")) == NULL) {
		perror(argv[1]);
		rc = 1;
	} else {
		if (fwrite(page.data, 1, page.len, f) != page.len)
			rc = 1;
		if (fclose(f) != 0)
			rc = 1;
		if (rc != 0)
			perror(argv[1]);
	}
	wn_buf_fini(&page);
	wn_arena_free(&agg.arena);
	return rc;
}
