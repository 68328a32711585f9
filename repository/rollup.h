/*
 * rollup.h - what one report adds to the daily rollups: a list of
 * (metric, key, value) rows, sorted by metric and key, each pair once.
 *
 * Metrics (the CSV export uses the same names): reports/count,
 * messages/{total,scanned,skipped,failed}, verdict/{ham,spam},
 * action/<action>, spf/<result> (reports with an spf section),
 * bayes/{scored,abstained,unavailable}, source_country/<CC> (messages),
 * source_country_spam/<CC>, rule_spam/<name>, rule_ham/<name>,
 * bulk_ham/<counter> and bulk_spam/<counter> (reports with a bulk section;
 * counters as in the report: checked, exempt, flagged, low, medium, high,
 * senders, attachment). Rows whose value is 0 are left out except
 * reports/count. The fixed order also makes concurrent writers lock
 * rollup rows in one order. A new kind of count is a new metric: the
 * tables need no change, and readers skip metrics they do not know, so
 * an older repository still reads a database a newer one wrote to.
 */
#ifndef WINNOW_REPOSITORY_ROLLUP_H
#define WINNOW_REPOSITORY_ROLLUP_H

#include <stddef.h>
#include <stdint.h>

#include <winnow/arena.h>

#include "report_in.h"

typedef struct wn_rollup_row {
	const char *metric;
	const char *key;
	uint64_t value;
} wn_rollup_row;

/* metric names shared by the rollup writers and readers */
#define WN_M_REPORTS		"reports"
#define WN_M_MESSAGES		"messages"
#define WN_M_VERDICT		"verdict"
#define WN_M_ACTION		"action"
#define WN_M_SPF		"spf"
#define WN_M_BAYES		"bayes"
#define WN_M_COUNTRY		"source_country"
#define WN_M_COUNTRY_SPAM	"source_country_spam"
#define WN_M_RULE_SPAM		"rule_spam"
#define WN_M_RULE_HAM		"rule_ham"
#define WN_M_BULK_HAM		"bulk_ham"
#define WN_M_BULK_SPAM		"bulk_spam"

/*
 * wn_rollup_build - the rows of r, from the arena (which also holds
 * strings they point to). Values of equal (metric, key) pairs are summed,
 * saturating at 2^63 - 1. Returns 0 or WN_ENOMEM.
 */
int wn_rollup_build(const wn_report *r, wn_arena *a, wn_rollup_row **out,
    size_t *n_out);

#endif
