/*
 * api_bulk.h - GET /api/v1/bulk/feed, the signed feed of shared bulk
 * keys (docs/repository-api.md, "The bulk feed"): 404 when the
 * repository has no feed key, else the envelope with its ETag and
 * Cache-Control: max-age=60, or 304 for a matching If-None-Match.
 * Thread-safe, as routes.c.
 */
#ifndef WINNOW_REPOSITORY_API_BULK_H
#define WINNOW_REPOSITORY_API_BULK_H

#include "http.h"
#include "routes.h"

#define WN_API_BULK_FEED "/api/v1/bulk/feed"

/* wn_api_bulk_feed - answer a request for WN_API_BULK_FEED */
void wn_api_bulk_feed(wn_routes *r, const wn_http_request *req,
    wn_http_reply *rep);

#endif
