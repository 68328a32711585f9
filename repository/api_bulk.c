/*
 * api_bulk.c - the bulk feed over HTTP.
 *
 * The method is checked first, then whether this repository publishes a
 * feed at all (no --feed-key: 404, and the database is not asked); the
 * envelope itself comes from feed.c, which caches it.
 */
#include <string.h>

#include <winnow/err.h>

#include "api_bulk.h"
#include "feed.h"

#define WN_API_BULK_MAX_AGE "max-age=60"

_Static_assert(WN_FEED_CACHE_SECONDS == 60,
    "WN_API_BULK_MAX_AGE says the feed's cache time");

void
wn_api_bulk_feed(wn_routes *r, const wn_http_request *req,
    wn_http_reply *rep)
{
	bool not_modified = false;
	int rc;

	if (strcmp(req->method, "GET") != 0 &&
	    strcmp(req->method, "HEAD") != 0) {
		wn_http_error(rep, 405, "method not allowed");
		rep->allow = "GET, HEAD";
		return;
	}
	if (r->bulk_feed == NULL) {
		wn_http_error(rep, 404, "no bulk feed on this repository");
		return;
	}
	rc = wn_feed_get(r->bulk_feed, r->now(), req->if_none_match,
	    &rep->body, rep->etag, &not_modified);
	if (rc != 0) {
		rep->etag[0] = '\0';
		wn_routes_db_failed(rep, rc);
		return;
	}
	rep->status = not_modified ? 304 : 200;
	rep->content_type = "application/json";
	rep->cache_control = WN_API_BULK_MAX_AGE;
}
