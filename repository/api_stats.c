/*
 * api_stats.c - GET /api/v1/stats: an aggregate as JSON.
 *
 * Shares have four decimals and are null when their divisor is 0; the
 * volumes of a bucket repeat the totals' names so a client reads both
 * with one function. Bulk figures come from the reports that carry bulk
 * detections (standard sharing and up, from winnow versions that count
 * them): their own "checked" is the divisor, never the messages total.
 */
#include <winnow/json.h>

#include "api.h"
#include "day.h"
#include "query.h"
#include "report_in.h"

static void
wn_stats_share(wn_json *j, const char *key, double share)
{
	wn_json_key(j, key);
	if (share < 0)
		wn_json_null(j);
	else
		wn_json_double(j, share, 4);
}

static void
wn_stats_counts(wn_json *j, const char *key, const char *const *names,
    const uint64_t *v, int n)
{
	int i;

	wn_json_key(j, key);
	wn_json_obj_begin(j);
	for (i = 0; i < n; i++) {
		wn_json_key(j, names[i]);
		wn_json_uint(j, v[i]);
	}
	wn_json_obj_end(j);
}

static void
wn_stats_volume(wn_json *j, const wn_agg_volume *v)
{
	wn_json_key(j, "messages");
	wn_json_uint(j, v->messages);
	wn_json_key(j, "scanned");
	wn_json_uint(j, v->scanned);
	wn_json_key(j, "spam");
	wn_json_uint(j, v->spam);
	wn_json_key(j, "ham");
	wn_json_uint(j, v->ham);
	wn_stats_share(j, "spam_share", wn_agg_spam_share(v));
}

static void
wn_stats_totals(wn_json *j, const wn_agg *agg)
{
	const wn_agg_volume *v = &agg->total;
	size_t i;

	wn_json_key(j, "totals");
	wn_json_obj_begin(j);
	wn_stats_volume(j, v);
	wn_stats_counts(j, "action", wn_report_action_names, v->action,
	    WN_AGG_ACTIONS);
	wn_stats_counts(j, "spf", wn_report_spf_names, v->spf, WN_AGG_SPF);
	wn_stats_share(j, "spf_pass_share", wn_agg_spf_pass_share(v));
	wn_json_key(j, "bulk");
	wn_json_obj_begin(j);
	wn_stats_counts(j, "ham", wn_report_bulk_names, v->bulk_ham,
	    WN_AGG_BULK);
	wn_stats_counts(j, "spam", wn_report_bulk_names, v->bulk_spam,
	    WN_AGG_BULK);
	wn_json_obj_end(j);
	wn_stats_share(j, "bulk_share", wn_agg_bulk_share(v));
	wn_json_key(j, "source_countries");
	wn_json_arr_begin(j);
	for (i = 0; i < agg->n_countries; i++) {
		wn_json_obj_begin(j);
		wn_json_key(j, "country");
		wn_json_str(j, agg->countries[i].country);
		wn_json_key(j, "messages");
		wn_json_uint(j, agg->countries[i].messages);
		wn_json_key(j, "spam");
		wn_json_uint(j, agg->countries[i].spam);
		wn_json_obj_end(j);
	}
	wn_json_arr_end(j);
	wn_json_key(j, "rules");
	wn_json_arr_begin(j);
	for (i = 0; i < agg->n_rules; i++) {
		wn_json_obj_begin(j);
		wn_json_key(j, "name");
		wn_json_str(j, agg->rules[i].name);
		wn_json_key(j, "spam");
		wn_json_uint(j, agg->rules[i].spam);
		wn_json_key(j, "ham");
		wn_json_uint(j, agg->rules[i].ham);
		wn_json_obj_end(j);
	}
	wn_json_arr_end(j);
	wn_json_obj_end(j);
}

static void
wn_stats_bucket(wn_json *j, const wn_agg_bucket *b)
{
	uint64_t checked = 0;
	char day[11];
	int i;

	for (i = 0; i < WN_AGG_SPF; i++)
		if (i != WN_AGG_SPF_NOT_CHECKED)
			checked += b->v.spf[i];
	wn_day_format(b->start_day, day, sizeof(day));
	wn_json_obj_begin(j);
	wn_json_key(j, "period");
	wn_json_str(j, b->label);
	wn_json_key(j, "start");
	wn_json_str(j, day);
	wn_json_key(j, "reporters");
	wn_json_uint(j, b->v.reporters);
	wn_stats_volume(j, &b->v);
	wn_json_key(j, "spf_checked");
	wn_json_uint(j, checked);
	wn_json_key(j, "spf_pass");
	wn_json_uint(j, b->v.spf[2]);
	wn_json_key(j, "bulk_checked");
	wn_json_uint(j, wn_agg_bulk_checked(&b->v));
	wn_json_key(j, "bulk_flagged");
	wn_json_uint(j, wn_agg_bulk_flagged(&b->v));
	wn_stats_counts(j, "action", wn_report_action_names, b->v.action,
	    WN_AGG_ACTIONS);
	wn_json_obj_end(j);
}

void
wn_api_stats_json(const wn_agg *agg, wn_buf *out)
{
	char from[11], to[11];
	wn_json j;
	size_t i;

	wn_day_format(agg->q.from_day, from, sizeof(from));
	wn_day_format(agg->q.to_day, to, sizeof(to));
	wn_json_init(&j, out, 0);
	wn_json_obj_begin(&j);
	wn_json_key(&j, "from");
	wn_json_str(&j, from);
	wn_json_key(&j, "to");
	wn_json_str(&j, to);
	wn_json_key(&j, "group");
	wn_json_str(&j, wn_query_group_name(agg->q.group));
	wn_json_key(&j, "country");
	wn_json_str(&j, agg->q.country[0] ? agg->q.country : NULL);
	wn_json_key(&j, "operator_type");
	wn_json_str(&j, agg->q.operator_type[0] ? agg->q.operator_type : NULL);
	wn_json_key(&j, "reporters");
	wn_json_uint(&j, agg->total.reporters);
	wn_json_key(&j, "reports");
	wn_json_uint(&j, agg->reports);
	wn_stats_totals(&j, agg);
	wn_json_key(&j, "series");
	wn_json_arr_begin(&j);
	for (i = 0; i < agg->n_series; i++)
		wn_stats_bucket(&j, &agg->series[i]);
	wn_json_arr_end(&j);
	wn_json_obj_end(&j);
}
