/*
 * test_bulk_store_redis.c - the Redis bulk store against a real
 * redis-server: the cases every backend passes (bulk_store_cases.h), and
 * what only a shared network store has to get right: key TTLs, handles
 * and threads counting the same keys, Redis going away and coming back.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>
#include <criterion/logging.h>

#include <winnow/bulk.h>
#include <winnow/err.h>

#include "bulk_int.h"
#include "bulk_store_cases.h"
#include "redis_server.h"

static wn_test_redis srv;

static void
setup(void)
{
	wn_test_redis_start(&srv, 0, NULL);
}

static void
teardown(void)
{
	wn_test_redis_stop(&srv);
}

TestSuite(bulk_redis, .init = setup, .fini = teardown, .timeout = 120);

static wn_bulk_store *
open_url(const char *url)
{
	wn_bulk_store *bs = NULL;
	char err[256];
	int rc = wn_bulk_store_open_redis(url, &bs, err, sizeof(err));

	cr_assert_eq(rc, 0, "open %s: %s (%s)", url, wn_strerror(rc), err);
	cr_assert_str_eq(bs->ops->name, "redis");
	return bs;
}

/* A fresh, empty store: the database is emptied first. */
static wn_bulk_store *
open_fresh(void)
{
	redisReply *rep = wn_test_redis_command(&srv, "FLUSHALL");

	freeReplyObject(rep);
	return open_url(srv.url);
}

WN_BULK_STORE_TESTS(bulk_redis, open_fresh)

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

Test(bulk_redis, keys_carry_a_ttl_of_window_and_bucket)
{
	wn_bulk_store *bs = open_fresh();
	wn_bulk_key k = bc_key('d', 1);
	wn_bulk_obs o = bc_obs(BC_T0, 800, 1, 1);
	char name[64];
	redisReply *rep;
	size_t i;

	bc_observe(bs, &k, &o);
	memcpy(name, "winnow:bulk:", 12);
	for (i = 0; i < WN_BULK_KEY_LEN; i++)
		snprintf(name + 12 + 2 * i, 3, "%02x", k.b[i]);
	rep = wn_test_redis_command(&srv, "PTTL %s", name);
	cr_assert_eq(rep->type, REDIS_REPLY_INTEGER);
	/* 800 s and a bucket of 100 s */
	cr_assert(rep->integer > 890000 && rep->integer <= 900000, "PTTL %lld",
	    rep->integer);
	freeReplyObject(rep);
	rep = wn_test_redis_command(&srv, "STRLEN %s", name);
	cr_assert_eq(rep->integer, WN__BULK_REC_LEN);
	freeReplyObject(rep);
	wn_bulk_store_close(&bs);
}

Test(bulk_redis, keys_vanish_when_their_ttl_ends)
{
	wn_bulk_store *bs = open_fresh();
	wn_bulk_key k = bc_key('d', 2);
	/* window 8 s: buckets of 1 s, TTL 9 s; the copy is observed "now"
	 * so that Redis's clock and the window's agree */
	wn_bulk_obs o = bc_obs((int64_t)time(NULL), 8, 1, 1);
	uint64_t n = 0, removed = 9;

	bc_observe(bs, &k, &o);
	cr_assert_eq(bs->ops->size(bs, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(bs->ops->expire(bs, o.now, 8, &removed), 0);
	cr_assert_eq(removed, 0);
	sleep_ms(9300);
	cr_assert_eq(bs->ops->size(bs, &n), 0);
	cr_assert_eq(n, 0, "%llu keys left", (unsigned long long)n);
	wn_bulk_store_close(&bs);
}

Test(bulk_redis, size_counts_only_bulk_keys_of_its_prefix)
{
	wn_bulk_store *a = open_fresh(), *b;
	wn_bulk_key keys[3] = { bc_key('d', 1), bc_key('b', 2),
	    bc_key('a', 3) };
	wn_bulk_obs o = bc_obs(BC_T0, 86400, 1, 1);
	wn_bulk_counts c[3];
	char url[300];
	uint64_t n = 0;
	redisReply *rep;

	snprintf(url, sizeof(url), "%s?prefix=other*[x]:", srv.url);
	b = open_url(url);
	rep = wn_test_redis_command(&srv, "SET winnow:meta x");
	freeReplyObject(rep);
	cr_assert_eq(a->ops->observe(a, keys, 3, &o, c), 0);
	cr_assert_eq(b->ops->observe(b, keys, 1, &o, c), 0);
	cr_assert_eq(a->ops->size(a, &n), 0);
	cr_assert_eq(n, 3);
	cr_assert_eq(b->ops->size(b, &n), 0);
	cr_assert_eq(n, 1);
	wn_bulk_store_close(&a);
	wn_bulk_store_close(&b);
}

Test(bulk_redis, two_handles_share_counts)
{
	wn_bulk_store *a = open_fresh(), *b = open_url(srv.url);
	wn_bulk_key k = bc_key('b', 9);
	wn_bulk_obs o = bc_obs(BC_T0, 86400, 2, 1);
	wn_bulk_counts c;

	bc_observe(a, &k, &o);
	o = bc_obs(BC_T0 + 5, 86400, 3, 2);
	c = bc_observe(b, &k, &o);
	cr_expect_eq(c.copies, 2);
	cr_expect_eq(c.recipients, 5);
	cr_expect_eq(c.senders, 2);
	c = bc_peek(a, &k, BC_T0 + 6, 86400);
	cr_expect_eq(c.copies, 2);
	wn_bulk_store_close(&a);
	wn_bulk_store_close(&b);
}

#define RACE_THREADS 4
#define RACE_ROUNDS 200

typedef struct racer {
	wn_bulk_store *bs;
	int failed;
	char why[256];
} racer;

static void *
race_observe(void *arg)
{
	racer *r = arg;
	wn_bulk_key keys[3] = { bc_key('d', 77), bc_key('b', 78),
	    bc_key('b', 79) };
	wn_bulk_counts c[3];
	int i;

	for (i = 0; i < RACE_ROUNDS; i++) {
		wn_bulk_obs o = bc_obs(BC_T0 + i, 86400, 1, (uint32_t)i + 1);

		if (r->bs->ops->observe(r->bs, keys, 3, &o, c) != 0 &&
		    r->failed++ == 0)
			snprintf(r->why, sizeof(r->why), "%s",
			    wn_bulk_store_error(r->bs));
	}
	return NULL;
}

/* Copies of one bulk run reach every host at once: every observation of
 * the same keys counts exactly once. */
Test(bulk_redis, concurrent_observations_all_count)
{
	wn_bulk_store *a = open_fresh(), *b = open_url(srv.url);
	racer r[RACE_THREADS];
	pthread_t th[RACE_THREADS];
	wn_bulk_key keys[3] = { bc_key('d', 77), bc_key('b', 78),
	    bc_key('b', 79) };
	wn_bulk_obs o = bc_obs(BC_T0 + RACE_ROUNDS, 86400, 0, 0);
	wn_bulk_counts c[3];
	int i;

	for (i = 0; i < RACE_THREADS; i++) {
		r[i] = (racer){ i % 2 ? b : a, 0, "" };
		cr_assert_eq(pthread_create(&th[i], NULL, race_observe, &r[i]),
		    0);
	}
	for (i = 0; i < RACE_THREADS; i++) {
		pthread_join(th[i], NULL);
		cr_assert_eq(r[i].failed, 0, "thread %d: %d failed: %s", i,
		    r[i].failed, r[i].why);
	}
	cr_assert_eq(a->ops->peek(a, keys, 3, &o, c), 0);
	for (i = 0; i < 3; i++)
		cr_assert_eq(c[i].copies, RACE_THREADS * RACE_ROUNDS,
		    "key %d: %u copies", i, c[i].copies);
	wn_bulk_store_close(&a);
	wn_bulk_store_close(&b);
}

Test(bulk_redis, redis_down_is_etemp_and_the_handle_recovers)
{
	wn_bulk_store *bs = open_fresh();
	wn_bulk_key k = bc_key('d', 3);
	wn_bulk_obs o = bc_obs(BC_T0, 86400, 2, 1);
	wn_bulk_counts c;
	redisReply *rep;
	int rc;

	bc_observe(bs, &k, &o);
	rep = wn_test_redis_command(&srv, "SAVE");
	freeReplyObject(rep);
	wn_test_redis_kill(&srv);
	rc = bs->ops->observe(bs, &k, 1, &o, &c);
	cr_assert_eq(rc, WN_ETEMP, "got %d", rc);
	cr_assert_not_null(strstr(wn_bulk_store_error(bs), srv.sock), "%s",
	    wn_bulk_store_error(bs));
	cr_log_info("Redis gone: %s", wn_bulk_store_error(bs));
	cr_assert_eq(bs->ops->peek(bs, &k, 1, &o, &c), WN_ETEMP);
	cr_assert_not_null(strstr(wn_bulk_store_error(bs), "Redis at "));

	wn_test_redis_restart(&srv);
	sleep_ms(1100);
	c = bc_peek(bs, &k, BC_T0, 86400);
	cr_assert_eq(c.copies, 1);
	c = bc_observe(bs, &k, &o);
	cr_assert_eq(c.copies, 2);
	cr_assert_eq(c.recipients, 4);
	wn_bulk_store_close(&bs);
}

Test(bulk_redis, unreachable_at_open_is_etemp)
{
	wn_bulk_store *bs = NULL;
	char err[256];

	cr_assert_eq(wn_bulk_store_open_redis("redis+unix:///nonexistent/sock",
	    &bs, err, sizeof(err)), WN_ETEMP);
	cr_assert_null(bs);
	cr_assert_not_null(strstr(err, "Redis at /nonexistent/sock"), "%s",
	    err);
	/* and through the spec dispatcher */
	cr_assert_eq(wn_bulk_store_open("redis+unix:///nonexistent/sock", 0,
	    &bs, NULL, err, sizeof(err)), WN_ETEMP);
	cr_assert_eq(wn_bulk_store_open("redis://host:99999", 0, &bs, NULL,
	    err, sizeof(err)), WN_EINVAL);
	cr_assert_not_null(strstr(err, "port"), "%s", err);
}

Test(bulk_redis, garbage_value_reads_as_empty)
{
	wn_bulk_store *bs = open_fresh();
	wn_bulk_key k = bc_key('d', 4);
	wn_bulk_obs o = bc_obs(BC_T0, 86400, 1, 1);
	wn_bulk_counts c;
	char name[64];
	redisReply *rep;
	size_t i;

	memcpy(name, "winnow:bulk:", 12);
	for (i = 0; i < WN_BULK_KEY_LEN; i++)
		snprintf(name + 12 + 2 * i, 3, "%02x", k.b[i]);
	rep = wn_test_redis_command(&srv, "SET %s garbage", name);
	freeReplyObject(rep);
	c = bc_peek(bs, &k, BC_T0, 86400);
	cr_assert_eq(c.copies, 0);
	c = bc_observe(bs, &k, &o);
	cr_assert_eq(c.copies, 1);
	/* a key of another type is replaced too */
	rep = wn_test_redis_command(&srv, "DEL %s", name);
	freeReplyObject(rep);
	rep = wn_test_redis_command(&srv, "HSET %s a b", name);
	freeReplyObject(rep);
	c = bc_observe(bs, &k, &o);
	cr_assert_eq(c.copies, 1);
	wn_bulk_store_close(&bs);
}
