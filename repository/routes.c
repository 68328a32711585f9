/*
 * routes.c - the repository's paths and methods.
 *
 * Method checks come before anything else a path does, so a 405 never
 * costs a database call. The statistics paths and the dashboard share the
 * query parser (query.c): a bad parameter is the same 400 everywhere.
 * Everything under /api/v1/rulesets is api_rulesets.c's.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <winnow/err.h>
#include <winnow/log.h>

#include "api.h"
#include "api_bulk.h"
#include "api_rulesets.h"
#include "dashboard.h"
#include "dashboard_rulesets.h"
#include "day.h"
#include "query.h"
#include "routes.h"

int64_t
wn_routes_clock(void)
{
	return (int64_t)time(NULL);
}

void
wn_routes_init(wn_routes *r, wn_repo_db *db, int64_t max_skew)
{
	r->db = db;
	r->bulk_feed = NULL;
	r->now = wn_routes_clock;
	wn_intake_init(&r->intake, db, max_skew);
	wn_rs_intake_init(&r->rulesets, db, NULL, max_skew);
}

size_t
wn_routes_body_limit(void *app, const char *method, const char *path)
{
	(void)app;
	return wn_api_rulesets_body_limit(method, path);
}

/* application/json, with or without parameters (charset=utf-8) */
static bool
wn_routes_is_json(const char *ct)
{
	static const char want[] = "application/json";
	size_t n = sizeof(want) - 1;

	if (ct == NULL || strncasecmp(ct, want, n) != 0)
		return false;
	while (ct[n] == ' ' || ct[n] == '\t')
		n++;
	return ct[n] == '\0' || ct[n] == ';';
}

static bool
wn_routes_method(const wn_http_request *req, wn_http_reply *rep,
    const char *allowed)
{
	bool get = strstr(allowed, "GET") != NULL;

	if (strcmp(req->method, allowed) == 0 ||
	    (get && strcmp(req->method, "HEAD") == 0))
		return true;
	wn_http_error(rep, 405, "method not allowed");
	rep->allow = get ? "GET, HEAD" : allowed;
	return false;
}

static void
wn_routes_reports(wn_routes *r, const wn_http_request *req,
    wn_http_reply *rep)
{
	wn_intake_result res;

	if (!wn_routes_method(req, rep, "POST"))
		return;
	if (!wn_routes_is_json(req->content_type)) {
		wn_http_error(rep, 415, "Content-Type must be "
		    "application/json");
		return;
	}
	wn_intake_submit(&r->intake, req->body, req->body_len, r->now(), &res);
	/* a stored report may carry keys that complete a feed entry */
	if (res.status == 201 && r->bulk_feed != NULL)
		wn_feed_stale(r->bulk_feed);
	rep->status = res.status;
	rep->content_type = "application/json";
	wn_intake_answer(&res, &rep->body);
	wn_buf_putc(&rep->body, '\n');
	if (res.status >= 400 && res.status < 500)
		wn_log_notice("report refused (%d): %s", res.status,
		    res.message);
}

/* the query of a statistics request; false after a 400 */
static bool
wn_routes_query(wn_routes *r, const wn_http_request *req,
    wn_http_reply *rep, wn_agg_query *q)
{
	char err[160];

	if (wn_query_parse(req->arg, req->arg_ctx, wn_day_of_time(r->now()), q,
	    err, sizeof(err)) == 0)
		return true;
	wn_http_error(rep, 400, err);
	return false;
}

void
wn_routes_db_failed(wn_http_reply *rep, int rc)
{
	wn_http_error(rep, rc == WN_ENOMEM ? 500 : 503, rc == WN_ENOMEM ?
	    "out of memory" : "the database is not available");
}

static void
wn_routes_stats(wn_routes *r, const wn_http_request *req, wn_http_reply *rep)
{
	wn_agg_query q;
	wn_agg agg;
	int rc;

	if (!wn_routes_method(req, rep, "GET") ||
	    !wn_routes_query(r, req, rep, &q))
		return;
	if ((rc = wn_repo_db_aggregate(r->db, &q, &agg)) != 0) {
		wn_routes_db_failed(rep, rc);
		return;
	}
	rep->status = 200;
	rep->content_type = "application/json";
	wn_api_stats_json(&agg, &rep->body);
	wn_buf_putc(&rep->body, '\n');
	wn_agg_fini(&agg);
}

static void
wn_routes_csv(wn_routes *r, const wn_http_request *req, wn_http_reply *rep)
{
	wn_agg_query q;
	int rc;

	if (!wn_routes_method(req, rep, "GET") ||
	    !wn_routes_query(r, req, rep, &q))
		return;
	if ((rc = wn_api_export_csv(r->db, &q, &rep->body)) != 0) {
		wn_routes_db_failed(rep, rc);
		return;
	}
	rep->status = 200;
	rep->content_type = "text/csv; charset=utf-8";
}

static void
wn_routes_health(wn_routes *r, const wn_http_request *req,
    wn_http_reply *rep)
{
	if (!wn_routes_method(req, rep, "GET"))
		return;
	if (wn_repo_db_ping(r->db) != 0) {
		wn_http_error(rep, 503, "the database does not answer");
		return;
	}
	rep->status = 200;
	rep->content_type = "application/json";
	wn_buf_puts(&rep->body, "{\"status\":\"ok\"}\n");
}

static void
wn_routes_dashboard(wn_routes *r, const wn_http_request *req,
    wn_http_reply *rep)
{
	wn_dash_rulesets rs;
	wn_agg_query q;
	wn_agg agg;
	int rc;

	if (!wn_routes_method(req, rep, "GET") ||
	    !wn_routes_query(r, req, rep, &q))
		return;
	if ((rc = wn_repo_db_aggregate(r->db, &q, &agg)) != 0) {
		wn_routes_db_failed(rep, rc);
		return;
	}
	if ((rc = wn_dash_rulesets_load(r->db, &q, &rs)) != 0) {
		wn_agg_fini(&agg);
		wn_routes_db_failed(rep, rc);
		return;
	}
	rep->status = 200;
	rep->content_type = "text/html; charset=utf-8";
	wn_dashboard_render_with(&agg, &rs, &rep->body);
	wn_dash_rulesets_fini(&rs);
	wn_agg_fini(&agg);
}

static const struct {
	const char *path;
	void (*fn)(wn_routes *, const wn_http_request *, wn_http_reply *);
} wn_routes_table[] = {
	{ "/api/v1/reports", wn_routes_reports },
	{ "/api/v1/stats", wn_routes_stats },
	{ "/api/v1/export.csv", wn_routes_csv },
	{ "/api/v1/health", wn_routes_health },
	{ WN_API_BULK_FEED, wn_api_bulk_feed },
	{ "/", wn_routes_dashboard },
};

void
wn_routes_handle(void *app, const wn_http_request *req, wn_http_reply *rep)
{
	wn_routes *r = app;
	size_t i;

	if (wn_api_rulesets_path(req->path)) {
		wn_api_rulesets(r, req, rep);
		return;
	}
	for (i = 0; i < sizeof(wn_routes_table) / sizeof(wn_routes_table[0]);
	    i++) {
		if (strcmp(req->path, wn_routes_table[i].path) == 0) {
			wn_routes_table[i].fn(r, req, rep);
			return;
		}
	}
	wn_http_error(rep, 404, "no such path");
}
