/*
 * aggregate.h - one answer to a regulator's question: the statistics of
 * the reports matching a filter, in total and per time bucket.
 *
 * The database layer fills a wn_agg (wn_repo_db_aggregate); the JSON API,
 * the CSV export and the dashboard only read it. Everything a wn_agg
 * points to lives in its arena.
 */
#ifndef WINNOW_REPOSITORY_AGGREGATE_H
#define WINNOW_REPOSITORY_AGGREGATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <winnow/arena.h>

/* in report order: accept, mark, subject, tempfail, quarantine, discard,
 * reject (enum wn_action) */
#define WN_AGG_ACTIONS 7
/* none, neutral, pass, fail, softfail, temperror, permerror (enum
 * wn_spf_result), then not_checked */
#define WN_AGG_SPF 8
#define WN_AGG_SPF_NOT_CHECKED 7
/* bulk detections of one verdict, in report order: checked, exempt,
 * flagged, low, medium, high, senders, attachment */
#define WN_AGG_BULK 8
#define WN_AGG_BULK_CHECKED 0
#define WN_AGG_BULK_EXEMPT 1
#define WN_AGG_BULK_FLAGGED 2

enum wn_agg_group {
	WN_AGG_DAY,
	WN_AGG_WEEK,		/* ISO weeks, from Monday */
	WN_AGG_MONTH
};

typedef struct wn_agg_query {
	int64_t from_day;	/* days since 1970-01-01, inclusive */
	int64_t to_day;		/* inclusive */
	char country[3];	/* reporters' registered country; "" all */
	char operator_type[16];	/* "" all */
	enum wn_agg_group group;
	size_t rule_limit;	/* top rules kept, default 50 */
} wn_agg_query;

/* the volumes of one bucket, or of the whole query */
typedef struct wn_agg_volume {
	uint64_t messages, scanned, spam, ham;
	uint64_t action[WN_AGG_ACTIONS];
	uint64_t spf[WN_AGG_SPF];
	/* from the reports with a bulk section only */
	uint64_t bulk_ham[WN_AGG_BULK], bulk_spam[WN_AGG_BULK];
	uint64_t reporters;	/* distinct reporters with reports in it */
} wn_agg_volume;

typedef struct wn_agg_bucket {
	int64_t start_day;	/* first day of the bucket */
	char label[12];		/* "2026-11-01", "2026-W44", "2026-11" */
	wn_agg_volume v;
} wn_agg_bucket;

typedef struct wn_agg_country {
	char country[8];	/* "US", "unknown", "other" */
	uint64_t messages, spam;
} wn_agg_country;

typedef struct wn_agg_rule {
	const char *name;
	uint64_t spam, ham;
} wn_agg_rule;

typedef struct wn_agg {
	wn_arena *arena;	/* owns the arrays and strings */
	wn_agg_query q;
	uint64_t reports;
	wn_agg_volume total;
	wn_agg_bucket *series;	/* every bucket from from_day to to_day */
	size_t n_series;
	wn_agg_country *countries;	/* source countries, spam desc */
	size_t n_countries;
	wn_agg_rule *rules;	/* top rule_limit by spam hits, desc */
	size_t n_rules;
	/* for the dashboard's filter form: values present in the database */
	const char **known_countries;	/* registered reporter countries */
	size_t n_known_countries;
} wn_agg;

/* wn_agg_spam_share - spam / (spam + ham), or -1 when both are 0 */
double wn_agg_spam_share(const wn_agg_volume *v);

/* wn_agg_spf_pass_share - pass / checked, or -1 when none was checked */
double wn_agg_spf_pass_share(const wn_agg_volume *v);

/* wn_agg_bulk_checked - messages bulk detection checked, spam and ham */
uint64_t wn_agg_bulk_checked(const wn_agg_volume *v);

/* wn_agg_bulk_flagged - messages with a BULK_* symbol, spam and ham */
uint64_t wn_agg_bulk_flagged(const wn_agg_volume *v);

/* wn_agg_bulk_share - flagged / checked, or -1 when none was checked */
double wn_agg_bulk_share(const wn_agg_volume *v);

#endif
