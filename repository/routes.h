/*
 * routes.h - what the repository answers at each path (the handler of
 * the HTTP server): the report intake, statistics as JSON and CSV,
 * liveness, the rule-set channels (api_rulesets.c), the bulk feed
 * (api_bulk.c), and the dashboard, with 404 and 405 as JSON.
 *
 * Lifecycle: wn_routes_init with the database (borrowed) -> pass
 * wn_routes_handle, wn_routes_body_limit and the wn_routes as the
 * server's handler, body limit and app. Thread-safe. The clock is a
 * function so tests can set it; rulesets.tmp_dir and bulk_feed may be
 * set after init.
 */
#ifndef WINNOW_REPOSITORY_ROUTES_H
#define WINNOW_REPOSITORY_ROUTES_H

#include <stdint.h>

#include "db.h"
#include "feed.h"
#include "http.h"
#include "intake.h"
#include "ruleset_intake.h"

typedef struct wn_routes {
	wn_repo_db *db;
	wn_intake intake;
	wn_rs_intake rulesets;
	wn_feed *bulk_feed;		/* borrowed; NULL: no feed (404) */
	int64_t (*now)(void);		/* seconds since the epoch */
} wn_routes;

void wn_routes_init(wn_routes *r, wn_repo_db *db, int64_t max_skew);

/* wn_routes_handle - a wn_http_handler; app is a wn_routes */
void wn_routes_handle(void *app, const wn_http_request *req,
    wn_http_reply *rep);

/* wn_routes_body_limit - a wn_http_limit_fn: 8 MiB for a rule-set
 * package, the server's limit for everything else */
size_t wn_routes_body_limit(void *app, const char *method, const char *path);

/* wn_routes_db_failed - 500 for WN_ENOMEM, else 503 */
void wn_routes_db_failed(wn_http_reply *rep, int rc);

/* wn_routes_clock - the system clock, the default of now */
int64_t wn_routes_clock(void);

#endif
