/*
 * api.h - the answers of the statistics API: an aggregate as the JSON of
 * GET /api/v1/stats, and the rollups of a query as the CSV of
 * GET /api/v1/export.csv (docs/repository-api.md). Both write into a
 * caller's wn_buf and keep no state; thread-safe.
 */
#ifndef WINNOW_REPOSITORY_API_H
#define WINNOW_REPOSITORY_API_H

#include <winnow/buf.h>

#include "aggregate.h"
#include "db.h"

/* wn_api_stats_json - agg as the stats JSON document */
void wn_api_stats_json(const wn_agg *agg, wn_buf *out);

/*
 * wn_api_export_csv - "period,metric,key,value" and one line per bucket,
 * metric and key of q: every bucket has reporters/distinct, reports/count
 * and the fixed counters (messages, verdict, action, spf, bayes), zeros
 * included; source countries and rules follow where not zero. Returns 0,
 * WN_EIO, WN_ENOMEM.
 */
int wn_api_export_csv(wn_repo_db *db, const wn_agg_query *q, wn_buf *out);

#endif
