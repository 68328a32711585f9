/*
 * bulk_redis.c - the bulk store in a Redis database, one view for a fleet.
 *
 * One string per key, P "bulk:" + the 34 hex digits of the 17-byte key
 * (P the URL's prefix, default "winnow:"), holding the record of
 * bulk_int.h encoded by bulk_record.c, so Redis counts exactly as LMDB.
 *
 * observe is optimistic: WATCH the keys and MGET them (one round trip),
 * update the records in C, then MULTI, SET each with a TTL, EXEC (one
 * more). When another host changed a key in between, EXEC does nothing
 * and the whole observation is tried again, up to WN_BR_TRIES times, so
 * every key is counted once or not at all. Copies of one campaign reach
 * every host at once, so conflicts are expected: retries back off for a
 * random time that grows with each attempt, and the threads of one
 * handle retry one at a time. Each SET carries PX = (window
 * + one bucket) in milliseconds: a key nobody observes for that long has
 * nothing left in the window, and Redis deletes it, so expire has
 * nothing to do. size counts the keys with SCAN.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <hiredis/hiredis.h>

#include <winnow/alloc.h>
#include <winnow/bulk.h>
#include <winnow/err.h>

#include "bulk_int.h"
#include "redis_int.h"

#define WN_BR_TRIES	16	/* observe attempts under contention */
#define WN_BR_KEY_MAX	(128 + 5 + 2 * WN_BULK_KEY_LEN)

typedef struct wn_bulk_redis {
	wn_bulk_store base;
	wn__redis *r;
	pthread_mutex_t retry_lock;	/* one retrying observe at a time */
	const char *prefix;
	size_t plen;
} wn_bulk_redis;

static const wn_bulk_store_ops wn_bulk_redis_ops;

/* The Redis names of keys[0..n) into names, pointers into argv[1..]. */
static void
wn_br_names(const wn_bulk_redis *b, const wn_bulk_key *keys, size_t n,
    char names[][WN_BR_KEY_MAX], const char **argv, size_t *argvlen)
{
	size_t i;

	for (i = 0; i < n; i++) {
		memcpy(names[i], b->prefix, b->plen);
		memcpy(names[i] + b->plen, "bulk:", 5);
		wn__redis_hex(names[i] + b->plen + 5, keys[i].b,
		    WN_BULK_KEY_LEN);
		argv[1 + i] = names[i];
		argvlen[1 + i] = b->plen + 5 + 2 * WN_BULK_KEY_LEN;
	}
}

/* The records in an MGET reply. */
static int
wn_br_records(wn_bulk_redis *b, const redisReply *rep, size_t n,
    wn__bulk_rec *recs, const char *what)
{
	size_t i;
	int rc;

	if ((rc = wn__redis_reply_check(b->r, rep, what)) != 0)
		return rc;
	if (rep->type != REDIS_REPLY_ARRAY || rep->elements != n)
		return wn__redis_fail(b->r, WN_EIO, "%s: unexpected reply",
		    what);
	for (i = 0; i < n; i++) {
		const redisReply *e = rep->element[i];

		/* a missing key, or anything that is not a record, reads
		 * as an empty record, as in the LMDB store */
		if (e->type == REDIS_REPLY_STRING)
			wn__bulk_rec_decode(e->str, e->len, &recs[i]);
		else
			wn__bulk_rec_decode(NULL, 0, &recs[i]);
	}
	return 0;
}

static void
wn_br_free(redisReply **rep, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		freeReplyObject(rep[i]);
}

static int64_t
wn_br_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * Wait a random while before attempt tries + 1, so that hosts whose
 * observations collided do not collide again in step: up to 2^tries
 * (at most 2^7) times the length of the attempt that failed, the window
 * in which another writer makes EXEC fail.
 */
static void
wn_br_backoff(int tries, int64_t attempt_us, uint64_t *rnd)
{
	uint64_t x = *rnd, span;
	struct timespec ts;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*rnd = x;
	if (attempt_us < 50)
		attempt_us = 50;
	if (attempt_us > 20000)
		attempt_us = 20000;
	span = (uint64_t)attempt_us << (tries < 7 ? tries : 7);
	x %= span;
	ts.tv_sec = (time_t)(x / 1000000);
	ts.tv_nsec = (long)(x % 1000000) * 1000;
	nanosleep(&ts, NULL);
}

/* Drop a WATCH that no EXEC will end; a failure breaks the connection. */
static void
wn_br_unwatch(wn_bulk_redis *b, wn__redis_conn *c)
{
	const char *argv[1] = { "UNWATCH" };
	size_t argvlen[1] = { 7 };
	redisReply *rep;

	if (wn__redis_run1(b->r, c, 1, argv, argvlen, &rep) == 0)
		freeReplyObject(rep);
}

static int
wn_br_observe(wn_bulk_store *bs, const wn_bulk_key *keys, size_t n,
    const wn_bulk_obs *obs, wn_bulk_counts *out)
{
	wn_bulk_redis *b = (wn_bulk_redis *)bs;
	char names[WN_BULK_MAX_KEYS][WN_BR_KEY_MAX];
	uint8_t enc[WN_BULK_MAX_KEYS][WN__BULK_REC_LEN];
	wn__bulk_rec recs[WN_BULK_MAX_KEYS];
	const char *kargv[1 + WN_BULK_MAX_KEYS], *wargv[1 + WN_BULK_MAX_KEYS];
	size_t kargvlen[1 + WN_BULK_MAX_KEYS], wargvlen[1 + WN_BULK_MAX_KEYS];
	const char *sargv[WN_BULK_MAX_KEYS][5];
	size_t sargvlen[WN_BULK_MAX_KEYS][5];
	static const char *multi[1] = { "MULTI" }, *exec[1] = { "EXEC" };
	static const size_t multilen[1] = { 5 }, execlen[1] = { 4 };
	wn__redis_cmd cmds[WN_BULK_MAX_KEYS + 2];
	redisReply *rep[WN_BULK_MAX_KEYS + 2];
	wn__redis_conn *c;
	char ttl[24];
	int64_t started;
	uint64_t rnd = 0;
	size_t i;
	bool retrying = false;
	int rc = 0, tries;

	if (n == 0)
		return 0;
	if (n > WN_BULK_MAX_KEYS || obs->window == 0)
		return WN_EINVAL;
	wn_br_names(b, keys, n, names, kargv, kargvlen);
	wn_br_names(b, keys, n, names, wargv, wargvlen);
	kargv[0] = "MGET";
	kargvlen[0] = 4;
	wargv[0] = "WATCH";
	wargvlen[0] = 5;
	/* a key unseen for a window and a bucket has nothing left */
	snprintf(ttl, sizeof(ttl), "%" PRIu64, ((uint64_t)obs->window +
	    wn__bulk_width(obs->window)) * 1000);
	for (i = 0; i < n; i++) {
		sargv[i][0] = "SET";
		sargvlen[i][0] = 3;
		sargv[i][1] = kargv[1 + i];
		sargvlen[i][1] = kargvlen[1 + i];
		sargv[i][2] = (const char *)enc[i];
		sargvlen[i][2] = WN__BULK_REC_LEN;
		sargv[i][3] = "PX";
		sargvlen[i][3] = 2;
		sargv[i][4] = ttl;
		sargvlen[i][4] = strlen(ttl);
	}
	if ((rc = wn__redis_acquire(b->r, &c)) != 0)
		return rc;
	for (tries = 0; tries < WN_BR_TRIES; tries++) {
		started = wn_br_now_us();
		cmds[0] = (wn__redis_cmd){ (int)n + 1, wargv, wargvlen };
		cmds[1] = (wn__redis_cmd){ (int)n + 1, kargv, kargvlen };
		if ((rc = wn__redis_run(b->r, c, cmds, 2, rep)) != 0)
			break;
		if ((rc = wn__redis_reply_check(b->r, rep[0], "observe")) == 0)
			rc = wn_br_records(b, rep[1], n, recs, "observe");
		wn_br_free(rep, 2);
		if (rc != 0) {
			wn_br_unwatch(b, c);
			break;
		}
		for (i = 0; i < n; i++) {
			wn__bulk_rec_add(&recs[i], obs);
			wn__bulk_rec_counts(&recs[i], obs->now, obs->window,
			    &out[i]);
			wn__bulk_rec_encode(&recs[i], enc[i]);
		}
		cmds[0] = (wn__redis_cmd){ 1, multi, multilen };
		for (i = 0; i < n; i++)
			cmds[1 + i] = (wn__redis_cmd){ 5, sargv[i],
			    sargvlen[i] };
		cmds[n + 1] = (wn__redis_cmd){ 1, exec, execlen };
		if ((rc = wn__redis_run(b->r, c, cmds, n + 2, rep)) != 0)
			break;
		for (i = 0; i < n + 2 && rc == 0; i++)
			rc = wn__redis_reply_check(b->r, rep[i], "observe");
		if (rc == 0 && rep[n + 1]->type == REDIS_REPLY_ARRAY &&
		    rep[n + 1]->elements == n) {
			for (i = 0; i < n && rc == 0; i++)
				rc = wn__redis_reply_check(b->r,
				    rep[n + 1]->element[i], "observe");
			wn_br_free(rep, n + 2);
			break;
		}
		if (rc == 0 && rep[n + 1]->type != REDIS_REPLY_NIL)
			rc = wn__redis_fail(b->r, WN_EIO, "observe: unexpected "
			    "reply");
		wn_br_free(rep, n + 2);
		if (rc != 0)
			break;
		/*
		 * EXEC did nothing: another writer changed a key. Threads of
		 * this process that collided retry one at a time, so they
		 * compete only with first attempts and other hosts.
		 */
		if (!retrying) {
			pthread_mutex_lock(&b->retry_lock);
			retrying = true;
			rnd = ((uint64_t)started * 0x9e3779b97f4a7c15ULL ^
			    (uint64_t)(uintptr_t)&rnd) | 1;
		}
		wn_br_backoff(tries, wn_br_now_us() - started, &rnd);
	}
	if (retrying)
		pthread_mutex_unlock(&b->retry_lock);
	if (tries == WN_BR_TRIES)
		rc = wn__redis_fail(b->r, WN_ETEMP, "observe: the keys kept "
		    "changing under %d attempts", WN_BR_TRIES);
	wn__redis_release(b->r, c);
	return rc;
}

static int
wn_br_peek(wn_bulk_store *bs, const wn_bulk_key *keys, size_t n,
    const wn_bulk_obs *obs, wn_bulk_counts *out)
{
	wn_bulk_redis *b = (wn_bulk_redis *)bs;
	char names[WN_BULK_MAX_KEYS][WN_BR_KEY_MAX];
	wn__bulk_rec recs[WN_BULK_MAX_KEYS];
	const char *argv[1 + WN_BULK_MAX_KEYS];
	size_t argvlen[1 + WN_BULK_MAX_KEYS], i;
	wn__redis_conn *c;
	redisReply *rep;
	int rc;

	if (n == 0)
		return 0;
	if (n > WN_BULK_MAX_KEYS)
		return WN_EINVAL;
	wn_br_names(b, keys, n, names, argv, argvlen);
	argv[0] = "MGET";
	argvlen[0] = 4;
	if ((rc = wn__redis_acquire(b->r, &c)) != 0)
		return rc;
	if ((rc = wn__redis_run1(b->r, c, (int)n + 1, argv, argvlen,
	    &rep)) == 0) {
		rc = wn_br_records(b, rep, n, recs, "peek");
		freeReplyObject(rep);
	}
	wn__redis_release(b->r, c);
	for (i = 0; rc == 0 && i < n; i++)
		wn__bulk_rec_counts(&recs[i], obs->now, obs->window, &out[i]);
	return rc;
}

/* Keys expire by their TTLs (see the top); nothing to do. */
static int
wn_br_expire(wn_bulk_store *bs, int64_t now, uint32_t window,
    uint64_t *removed_out)
{
	(void)bs;
	(void)now;
	(void)window;
	*removed_out = 0;
	return 0;
}

static int
wn_br_count(void *arg, redisReply *const *keys, size_t n)
{
	(void)keys;
	*(uint64_t *)arg += n;
	return 0;
}

/* The number of bulk keys, by SCAN: it reads the whole keyspace, and a
 * key may be counted twice when Redis resizes its table meanwhile. */
static int
wn_br_size(wn_bulk_store *bs, uint64_t *keys_out)
{
	wn_bulk_redis *b = (wn_bulk_redis *)bs;
	uint64_t count = 0;
	wn__redis_conn *c;
	int rc;

	*keys_out = 0;
	if ((rc = wn__redis_acquire(b->r, &c)) != 0)
		return rc;
	rc = wn__redis_scan(b->r, c, b->prefix, "bulk:*", "1000", "size",
	    wn_br_count, &count);
	wn__redis_release(b->r, c);
	if (rc == 0)
		*keys_out = count;
	return rc;
}

static void
wn_br_close(wn_bulk_store *bs)
{
	wn_bulk_redis *b = (wn_bulk_redis *)bs;

	wn__redis_close(&b->r);
	pthread_mutex_destroy(&b->retry_lock);
	wn_free(b);
}

static const wn_bulk_store_ops wn_bulk_redis_ops = {
	.name = "redis",
	.observe = wn_br_observe,
	.peek = wn_br_peek,
	.expire = wn_br_expire,
	.size = wn_br_size,
	.close = wn_br_close,
};

int
wn_bulk_store_open_redis(const char *url, wn_bulk_store **bs_out, char *err,
    size_t errlen)
{
	wn_bulk_redis *b;
	int rc;

	*bs_out = NULL;
	snprintf(err, errlen, "%s", "");
	if ((b = wn_calloc(1, sizeof(*b))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return WN_ENOMEM;
	}
	b->base.ops = &wn_bulk_redis_ops;
	pthread_mutex_init(&b->retry_lock, NULL);
	if ((rc = wn__redis_open(url, b->base.error, sizeof(b->base.error),
	    &b->r, err, errlen)) != 0) {
		pthread_mutex_destroy(&b->retry_lock);
		wn_free(b);
		return rc;
	}
	b->prefix = wn__redis_url_of(b->r)->prefix;
	b->plen = strlen(b->prefix);
	*bs_out = &b->base;
	return 0;
}
