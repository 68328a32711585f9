/*
 * feed.h - the signed bulk feed a repository publishes
 * (docs/arch/bulk-sharing.md): the keys that at least min_reporters
 * distinct, unrevoked reporter keys reported within the last days days,
 * of this winnow's fingerprint version, not blocked, in the envelope
 * wn_bulk_feed_build makes.
 *
 * Building reads the database (one grouped query over the window), so
 * the envelope is cached: it is rebuilt when it is WN_FEED_CACHE_SECONDS
 * old, when a report was stored by this process (wn_feed_stale; at most
 * once a second), or at once when the database's block generation moved
 * (a `bulk block` or `unblock`, possibly from another process). A rebuild that
 * finds the same keys keeps the signed envelope, its times and its ETag,
 * as long as it was signed less than WN_FEED_RESIGN_SECONDS ago, so a
 * client polling with If-None-Match is answered 304 while nothing
 * changed, and never holds a copy that expires much before a fresh one
 * would.
 *
 * Lifecycle: wn_feed_new with the database (borrowed; it must outlive
 * the feed) and the signing key (copied) -> wn_feed_get from any number
 * of threads (a mutex serialises rebuilds) -> wn_feed_free.
 */
#ifndef WINNOW_REPOSITORY_FEED_H
#define WINNOW_REPOSITORY_FEED_H

#include <stdbool.h>
#include <stdint.h>

#include <winnow/buf.h>
#include <winnow/sign.h>

#include "db.h"

#define WN_FEED_DEFAULT_MIN_REPORTERS 3
#define WN_FEED_DEFAULT_DAYS 2
#define WN_FEED_MAX_DAYS 30
#define WN_FEED_MAX_MIN_REPORTERS 10000
#define WN_FEED_CACHE_SECONDS 60	/* also its Cache-Control max-age */
#define WN_FEED_RESIGN_SECONDS 3600

typedef struct wn_feed wn_feed;

/*
 * wn_feed_new - a feed of db signed with key; min_reporters 1 to
 * WN_FEED_MAX_MIN_REPORTERS, days 1 to WN_FEED_MAX_DAYS. Returns 0,
 * WN_EINVAL (a bound), WN_ENOMEM.
 */
int wn_feed_new(wn_repo_db *db, const wn_seckey *key, unsigned min_reporters,
    unsigned days, wn_feed **out);

void wn_feed_free(wn_feed **fp);

/*
 * wn_feed_stale - new keys were stored (a report came in): the next
 * wn_feed_get reads the keys again instead of answering from the cache,
 * though not more than once a second, so a stream of reports does not
 * turn every request into a rebuild.
 */
void wn_feed_stale(wn_feed *f);

/*
 * wn_feed_window - the days a feed made at now counts: the day of now
 * and the days - 1 days before it
 */
void wn_feed_window(int64_t now, unsigned days, int64_t *from_day,
    int64_t *to_day);

/*
 * wn_feed_get - the current envelope at now: its ETag (quoted, for the
 * header) into etag; the envelope appended to body unless if_none_match
 * (the request's header, or NULL) names that ETag, in which case
 * *not_modified is set and body is left alone. Returns 0, or WN_EIO /
 * WN_ENOMEM when the feed could not be built (logged; a cached envelope
 * is not served past its minute then either).
 */
int wn_feed_get(wn_feed *f, int64_t now, const char *if_none_match,
    wn_buf *body, char etag[72], bool *not_modified);

#endif
