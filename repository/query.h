/*
 * query.h - the query parameters of /api/v1/stats, /api/v1/export.csv
 * and the dashboard, parsed in one place so all three answer alike.
 *
 * from, to (YYYY-MM-DD, inclusive, default the last 30 days up to
 * today), country (two letters, any case; all when absent or empty),
 * operator_type, group (day, week, month) and limit (top rules, 1-1000,
 * default 50). An empty value is the default, as a form sends it;
 * unknown parameters are ignored. Pure; thread-safe.
 */
#ifndef WINNOW_REPOSITORY_QUERY_H
#define WINNOW_REPOSITORY_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "aggregate.h"

#define WN_QUERY_DEFAULT_DAYS 30
#define WN_QUERY_MAX_DAYS 3660		/* about ten years per question */
#define WN_QUERY_MAX_RULES 1000

/* the value of parameter name, or NULL when absent */
typedef const char *(*wn_query_get)(void *arg, const char *name);

/*
 * wn_query_parse - the query from the parameters get returns, with today
 * as a day number. Returns 0, or WN_EINVAL with err (len bytes) naming
 * the bad parameter and what it should be.
 */
int wn_query_parse(wn_query_get get, void *arg, int64_t today,
    wn_agg_query *q, char *err, size_t len);

/* wn_query_group_name - "day", "week" or "month" */
const char *wn_query_group_name(enum wn_agg_group g);

#endif
