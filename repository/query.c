/*
 * query.c - statistics query parameters, checked with bounds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winnow/err.h>

#include <winnow/report.h>

#include "day.h"
#include "query.h"
#include "report_in.h"

static const char *const wn_query_groups[] = { "day", "week", "month" };

const char *
wn_query_group_name(enum wn_agg_group g)
{
	return wn_query_groups[g];
}

/* the parameter's value; NULL when absent or empty */
static const char *
wn_query_value(wn_query_get get, void *arg, const char *name)
{
	const char *v = get(arg, name);

	return v != NULL && *v != '\0' ? v : NULL;
}

static int
wn_query_day(const char *name, const char *v, int64_t *day, char *err,
    size_t len)
{
	if (wn_day_parse(v, strlen(v), day) != 0) {
		snprintf(err, len, "parameter %s: expected a date as "
		    "YYYY-MM-DD", name);
		return WN_EINVAL;
	}
	return 0;
}

int
wn_query_parse(wn_query_get get, void *arg, int64_t today, wn_agg_query *q,
    char *err, size_t len)
{
	const char *v;
	char *end;
	long n;
	int i;

	memset(q, 0, sizeof(*q));
	q->to_day = today;
	q->from_day = today - (WN_QUERY_DEFAULT_DAYS - 1);
	q->group = WN_AGG_DAY;
	q->rule_limit = 50;
	if ((v = wn_query_value(get, arg, "from")) != NULL &&
	    wn_query_day("from", v, &q->from_day, err, len) != 0)
		return WN_EINVAL;
	if ((v = wn_query_value(get, arg, "to")) != NULL &&
	    wn_query_day("to", v, &q->to_day, err, len) != 0)
		return WN_EINVAL;
	if (q->to_day < q->from_day) {
		snprintf(err, len, "parameter to: the last day is before the "
		    "first (from)");
		return WN_EINVAL;
	}
	if (q->to_day - q->from_day >= WN_QUERY_MAX_DAYS) {
		snprintf(err, len, "parameter to: at most %d days from the "
		    "first (from)", WN_QUERY_MAX_DAYS);
		return WN_EINVAL;
	}
	/* "all" (what the dashboard's select sends) and "" mean no filter */
	if ((v = wn_query_value(get, arg, "country")) != NULL &&
	    *v != '\0' && strcmp(v, "all") != 0) {
		if (strlen(v) != 2 || !((v[0] | 0x20) >= 'a' &&
		    (v[0] | 0x20) <= 'z' && (v[1] | 0x20) >= 'a' &&
		    (v[1] | 0x20) <= 'z')) {
			snprintf(err, len, "parameter country: expected a "
			    "two-letter country code (ISO 3166-1 alpha-2)");
			return WN_EINVAL;
		}
		q->country[0] = (char)(v[0] & ~0x20);
		q->country[1] = (char)(v[1] & ~0x20);
	}
	if ((v = wn_query_value(get, arg, "operator_type")) != NULL &&
	    *v != '\0' && strcmp(v, "all") != 0) {
		if (!wn_operator_type_valid(v)) {
			snprintf(err, len, "parameter operator_type: expected "
			    "isp, hosting, enterprise, education, government "
			    "or other");
			return WN_EINVAL;
		}
		snprintf(q->operator_type, sizeof(q->operator_type), "%s", v);
	}
	if ((v = wn_query_value(get, arg, "group")) != NULL) {
		for (i = 0; i < 3 && strcmp(v, wn_query_groups[i]) != 0; i++)
			;
		if (i == 3) {
			snprintf(err, len, "parameter group: expected day, "
			    "week or month");
			return WN_EINVAL;
		}
		q->group = (enum wn_agg_group)i;
	}
	if ((v = wn_query_value(get, arg, "limit")) != NULL) {
		n = strtol(v, &end, 10);
		if (*end != '\0' || v[0] < '0' || v[0] > '9' || n < 1 ||
		    n > WN_QUERY_MAX_RULES) {
			snprintf(err, len, "parameter limit: expected a whole "
			    "number from 1 to %d", WN_QUERY_MAX_RULES);
			return WN_EINVAL;
		}
		q->rule_limit = (size_t)n;
	}
	return 0;
}
