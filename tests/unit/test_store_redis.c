/*
 * test_store_redis.c - the Redis token store against a real redis-server:
 * the cases of test_store.c (LMDB), sharing between handles and threads,
 * Redis going away and coming back, URLs, and moving a model from LMDB to
 * Redis with each/load as `winnow bayes dump/load` does.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/logging.h>

#include <winnow/bulk.h>
#include <winnow/err.h>
#include <winnow/store.h>

#include "redis_int.h"
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

TestSuite(store_redis, .init = setup, .fini = teardown, .timeout = 120);
/* cases that start a server of their own, or none */
TestSuite(store_redis_url, .timeout = 120);

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static wn_store *
open_url(const char *url, unsigned flags, uint64_t seed, uint32_t window)
{
	wn_store_params p = { seed, window, 0 };
	wn_store *st = NULL;
	char err[256];
	int rc = wn_store_open_redis(url, flags, &p, &st, err, sizeof(err));

	cr_assert_eq(rc, 0, "open %s: %s (%s)", url, wn_strerror(rc), err);
	cr_assert_not_null(st);
	cr_assert_str_eq(st->ops->name, "redis");
	return st;
}

static wn_store *
open_store(unsigned flags)
{
	return open_url(srv.url, flags, 42, 3);
}

static void
digest_of(uint8_t d[WN_DIGEST_LEN], int n)
{
	memset(d, 0, WN_DIGEST_LEN);
	d[0] = (uint8_t)n;
	d[1] = (uint8_t)(n >> 8);
	d[15] = 0xa5;
}

static void
counts(wn_store *st, uint64_t key, uint32_t *spam, uint32_t *ham)
{
	wn_token_counts c;
	int rc = st->ops->lookup_many(st, &key, 1, &c, NULL);

	cr_assert_eq(rc, 0, "lookup: %s", wn_store_error(st));
	*spam = c.spam;
	*ham = c.ham;
}

static long long
redis_int(const char *fmt, const char *arg)
{
	redisReply *rep = wn_test_redis_command(&srv, fmt, arg);
	long long v;

	cr_assert_eq(rep->type, REDIS_REPLY_INTEGER, "%s: reply type %d",
	    fmt, rep->type);
	v = rep->integer;
	freeReplyObject(rep);
	return v;
}

static void
redis_ok(const char *fmt, const char *a, const char *b)
{
	redisReply *rep = wn_test_redis_command(&srv, fmt, a, b);

	cr_assert_neq(rep->type, REDIS_REPLY_ERROR, "%s: %s", fmt, rep->str);
	freeReplyObject(rep);
}

Test(store_redis, learn_duplicate_move_forget)
{
	static const uint64_t keys[] = { 1, 5, 9 };
	wn_store *st = open_store(WN_STORE_CREATE);
	enum wn_learn_result res;
	wn_store_totals t;
	uint8_t d[WN_DIGEST_LEN];
	uint32_t s, h;

	digest_of(d, 1);
	cr_assert_eq(st->ops->learn(st, d, WN_LEARN_SPAM, keys, 3, NULL, 0,
	    100, &res),
	    0, "%s", wn_store_error(st));
	cr_assert_eq(res, WN_LEARNED);
	cr_assert_eq(st->ops->learn(st, d, WN_LEARN_SPAM, keys, 3, NULL, 0,
	    100, &res),
	    0);
	cr_assert_eq(res, WN_LEARN_DUPLICATE);
	counts(st, 5, &s, &h);
	cr_assert(s == 1 && h == 0, "got %u/%u, want 1/0", s, h);
	cr_assert_eq(st->ops->totals(st, &t), 0);
	cr_assert(t.spam_msgs == 1 && t.tokens == 3 && t.version ==
	    WN_STORE_FORMAT_VERSION, "got %" PRIu64 " msgs, %" PRIu64
	    " tokens, version %u", t.spam_msgs, t.tokens, t.version);

	cr_assert_eq(st->ops->learn(st, d, WN_LEARN_HAM, keys, 3, NULL, 0,
	    100, &res),
	    0);
	cr_assert_eq(res, WN_LEARN_MOVED);
	counts(st, 5, &s, &h);
	cr_assert(s == 0 && h == 1, "got %u/%u, want 0/1", s, h);
	cr_assert_eq(st->ops->totals(st, &t), 0);
	cr_assert(t.spam_msgs == 0 && t.ham_msgs == 1);
	cr_assert_eq(t.seed, 42);
	cr_assert_eq(t.osb_window, 3);

	cr_assert_eq(st->ops->learn(st, d, WN_LEARN_FORGET, keys, 3, NULL, 0,
	    100,
	    &res), 0);
	cr_assert_eq(res, WN_LEARN_FORGOTTEN);
	counts(st, 5, &s, &h);
	cr_assert(s == 0 && h == 0);
	cr_assert_eq(st->ops->totals(st, &t), 0);
	cr_assert(t.ham_msgs == 0 && t.tokens == 0, "tokens %llu",
	    (unsigned long long)t.tokens);
	/* a forgotten token leaves no key behind */
	cr_assert_eq(redis_int("EXISTS winnow:t:%s", "0000000000000005"), 0);
	cr_assert_eq(st->ops->learn(st, d, WN_LEARN_FORGET, keys, 3, NULL, 0,
	    100,
	    &res), 0);
	cr_assert_eq(res, WN_LEARN_UNKNOWN);
	cr_assert_eq(st->ops->flush(st), 0);
	wn_store_close(&st);
	cr_assert_null(st);
}

Test(store_redis, last_day_and_saturation_follow_lmdb)
{
	static const uint64_t keys[] = { 7 };
	wn_store *st = open_store(WN_STORE_CREATE);
	wn_store_entry e = { 7, UINT32_MAX, 0, 5 };
	enum wn_learn_result res;
	wn_token_counts c;
	uint8_t d[WN_DIGEST_LEN];

	/* counts saturate at UINT32_MAX, as in LMDB */
	cr_assert_eq(st->ops->load(st, &e, 1, 0, 0), 0, "%s",
	    wn_store_error(st));
	digest_of(d, 2);
	cr_assert_eq(st->ops->learn(st, d, WN_LEARN_SPAM, keys, 1, NULL, 0,
	    9, &res), 0);
	cr_assert_eq(st->ops->lookup_many(st, keys, 1, &c, NULL), 0);
	cr_assert_eq(c.spam, UINT32_MAX);
	/* forgetting takes one off and keeps the day it was learned */
	cr_assert_eq(st->ops->learn(st, d, WN_LEARN_FORGET, keys, 1, NULL, 0,
	    20,
	    &res), 0);
	cr_assert_eq(st->ops->lookup_many(st, keys, 1, &c, NULL), 0);
	cr_assert_eq(c.spam, UINT32_MAX - 1);
	wn_store_close(&st);
}

Test(store_redis, many_messages_and_a_readonly_reopen)
{
	wn_store *st = open_store(WN_STORE_CREATE | WN_STORE_BULK);
	enum wn_learn_result res;
	wn_store_totals t;
	wn_token_counts *c = malloc(3000 * sizeof(*c));
	uint64_t *keys = malloc(3000 * sizeof(*keys));
	uint8_t d[WN_DIGEST_LEN];
	int m, i;

	for (m = 0; m < 60; m++) {
		for (i = 0; i < 2000; i++)
			keys[i] = (uint64_t)m * 2000 + (uint64_t)i + 1;
		digest_of(d, m + 1000);
		cr_assert_eq(st->ops->learn(st, d, m % 2 ? WN_LEARN_SPAM :
		    WN_LEARN_HAM, keys, 2000, NULL, 0,
		    1, &res), 0, "message %d: %s", m,
		    wn_store_error(st));
		cr_assert_eq(res, WN_LEARNED);
	}
	cr_assert_eq(st->ops->flush(st), 0);
	wn_store_close(&st);

	st = open_store(WN_STORE_READONLY);
	cr_assert_eq(st->ops->totals(st, &t), 0);
	cr_assert_eq(t.tokens, 120000);
	cr_assert(t.spam_msgs == 30 && t.ham_msgs == 30);
	/* 3000 sorted keys across two messages and past the end */
	for (i = 0; i < 3000; i++)
		keys[i] = 118001 + (uint64_t)i;
	cr_assert_eq(st->ops->lookup_many(st, keys, 3000, c, &t), 0, "%s",
	    wn_store_error(st));
	cr_assert_eq(t.tokens, 120000);
	for (i = 0; i < 3000; i++) {
		/* keys up to 120000 belong to message 59 (spam) */
		uint32_t want = keys[i] <= 120000 ? 1 : 0;

		cr_assert(c[i].spam == want && c[i].ham == 0,
		    "key %" PRIu64 ": got %u/%u, want %u/0", keys[i], c[i].spam,
		    c[i].ham, want);
	}
	wn_store_close(&st);
	free(keys);
	free(c);
}

static int
collect(const wn_store_entry *e, void *arg)
{
	wn_store_entry *v = arg;

	v[e->hash] = *e;
	return 0;
}

Test(store_redis, each_load_and_expire)
{
	static const uint64_t keys[] = { 1, 2, 3 };
	wn_store *st = open_store(WN_STORE_CREATE);
	wn_store_entry seen[8], add[2] = { { 2, 5, 0, 10 }, { 7, 1, 1, 3 } };
	enum wn_learn_result res;
	wn_store_totals t;
	uint64_t removed;
	uint8_t d[WN_DIGEST_LEN];

	digest_of(d, 9);
	cr_assert_eq(st->ops->learn(st, d, WN_LEARN_SPAM, keys, 3, NULL, 0,
	    50, &res),
	    0);
	cr_assert_eq(st->ops->load(st, add, 2, 4, 6), 0, "%s",
	    wn_store_error(st));
	memset(seen, 0, sizeof(seen));
	cr_assert_eq(st->ops->each(st, collect, seen), 0, "%s",
	    wn_store_error(st));
	cr_assert_eq(seen[2].spam, 6);
	cr_assert_eq(seen[2].last_day, 50);
	cr_assert(seen[7].spam == 1 && seen[7].ham == 1);
	cr_assert_eq(seen[7].last_day, 3);
	cr_assert_eq(st->ops->totals(st, &t), 0);
	cr_assert(t.spam_msgs == 5 && t.ham_msgs == 6);
	cr_assert_eq(t.tokens, 4);
	/* Old and rare: 7 (day 3, count 2) goes with max_count 2; 1 and 3
	 * are recent; 2 is recent. */
	cr_assert_eq(st->ops->expire(st, 10, 2, &removed), 0, "%s",
	    wn_store_error(st));
	cr_assert_eq(removed, 1);
	cr_assert_eq(st->ops->totals(st, &t), 0);
	cr_assert_eq(t.tokens, 3);
	memset(seen, 0, sizeof(seen));
	cr_assert_eq(st->ops->each(st, collect, seen), 0);
	cr_assert_eq(seen[7].spam + seen[7].ham, 0);
	wn_store_close(&st);
}

typedef struct order_check {
	uint64_t last;
	size_t n, stop_after;
} order_check;

static int
check_order(const wn_store_entry *e, void *arg)
{
	order_check *o = arg;

	cr_assert(o->n == 0 || e->hash > o->last, "%" PRIx64 " after %"
	    PRIx64, e->hash, o->last);
	o->last = e->hash;
	return ++o->n == o->stop_after;
}

Test(store_redis, each_is_in_key_order_and_stops)
{
	wn_store *st = open_store(WN_STORE_CREATE);
	wn_store_entry *e = malloc(5000 * sizeof(*e));
	order_check o = { 0, 0, 0 };
	size_t i;

	/* high bits set: the order is of unsigned 64-bit numbers */
	for (i = 0; i < 5000; i++) {
		e[i].hash = (uint64_t)i * 0x9e3779b97f4a7c15ULL;
		e[i].spam = 1;
		e[i].ham = (uint32_t)i;
		e[i].last_day = 1;
	}
	cr_assert_eq(st->ops->load(st, e, 5000, 0, 0), 0, "%s",
	    wn_store_error(st));
	cr_assert_eq(st->ops->each(st, check_order, &o), 0);
	cr_assert_eq(o.n, 5000);
	o = (order_check){ 0, 0, 10 };
	cr_assert_eq(st->ops->each(st, check_order, &o), 1);
	cr_assert_eq(o.n, 10);
	wn_store_close(&st);
	free(e);
}

Test(store_redis, missing_store_is_enoent_and_nothing_is_written)
{
	wn_store *st = NULL;
	char err[256];

	cr_assert_eq(wn_store_open_redis(srv.url, WN_STORE_READONLY, NULL,
	    &st, err, sizeof(err)), WN_ENOENT);
	cr_assert_null(st);
	cr_assert_not_null(strstr(err, "learn some mail first"), "%s", err);
	cr_assert_not_null(strstr(err, srv.sock), "%s", err);
	cr_assert_eq(wn_store_open_redis(srv.url, 0, NULL, &st, err,
	    sizeof(err)), WN_ENOENT);
	/* READONLY wins over CREATE: nothing is created */
	cr_assert_eq(wn_store_open_redis(srv.url, WN_STORE_READONLY |
	    WN_STORE_CREATE, NULL, &st, err, sizeof(err)), WN_ENOENT);
	{
		redisReply *rep = wn_test_redis_command(&srv, "DBSIZE");

		cr_assert_eq(rep->integer, 0);
		freeReplyObject(rep);
	}
}

Test(store_redis, foreign_keyspace_is_eformat)
{
	wn_store *st = NULL;
	char err[256];

	redis_ok("SET winnow:meta %s", "something else", NULL);
	cr_assert_eq(wn_store_open_redis(srv.url, WN_STORE_CREATE, NULL, &st,
	    err, sizeof(err)), WN_EFORMAT, "%s", err);
	cr_assert_null(st);
	cr_assert_not_null(strstr(err, "not a winnow token store"), "%s", err);
	redis_ok("DEL winnow:meta", NULL, NULL);
	redis_ok("HSET winnow:meta colour %s", "blue", NULL);
	cr_assert_eq(wn_store_open_redis(srv.url, 0, NULL, &st, err,
	    sizeof(err)), WN_EFORMAT, "%s", err);
	cr_assert_not_null(strstr(err, "not a winnow token store"), "%s", err);
	/* the foreign hash is left alone */
	cr_assert_eq(redis_int("HLEN winnow:meta", NULL), 1);
}

Test(store_redis, newer_format_version_is_refused)
{
	static const uint64_t keys[] = { 1 };
	wn_store *st = open_store(WN_STORE_CREATE), *st2 = NULL;
	enum wn_learn_result res;
	uint8_t d[WN_DIGEST_LEN];
	char err[256];

	redis_ok("HSET winnow:meta version %s", "2", NULL);
	cr_assert_eq(wn_store_open_redis(srv.url, 0, NULL, &st2, err,
	    sizeof(err)), WN_EFORMAT);
	cr_assert_null(st2);
	cr_assert_not_null(strstr(err, "newer"), "got \"%s\"", err);
	/* a handle opened before the upgrade stops writing */
	digest_of(d, 1);
	cr_assert_eq(st->ops->learn(st, d, WN_LEARN_SPAM, keys, 1, NULL, 0,
	    1, &res),
	    WN_EFORMAT);
	cr_assert_not_null(strstr(wn_store_error(st), "newer"), "%s",
	    wn_store_error(st));
	wn_store_close(&st);
}

Test(store_redis, readonly_store_refuses_writing)
{
	static const uint64_t keys[] = { 1 };
	wn_store *st = open_store(WN_STORE_CREATE);
	wn_store_entry e = { 1, 1, 1, 1 };
	enum wn_learn_result res;
	uint8_t d[WN_DIGEST_LEN];
	uint64_t removed;

	wn_store_close(&st);
	st = open_store(WN_STORE_READONLY);
	digest_of(d, 1);
	cr_assert_eq(st->ops->learn(st, d, WN_LEARN_SPAM, keys, 1, NULL, 0,
	    1, &res),
	    WN_EINVAL);
	cr_assert_not_null(strstr(wn_store_error(st), "read-only"));
	cr_assert_eq(st->ops->load(st, &e, 1, 1, 0), WN_EINVAL);
	cr_assert_eq(st->ops->expire(st, 100, 100, &removed), WN_EINVAL);
	wn_store_close(&st);
}

Test(store_redis, settings_are_recorded_once)
{
	wn_store *a = open_url(srv.url, WN_STORE_CREATE, 42, 3);
	wn_store *b = open_url(srv.url, WN_STORE_CREATE, 7, 5);
	wn_store_totals t;

	/* the second opener adopts what the first recorded */
	cr_assert_eq(b->ops->totals(b, &t), 0);
	cr_assert_eq(t.seed, 42);
	cr_assert_eq(t.osb_window, 3);
	wn_store_close(&a);
	wn_store_close(&b);
	a = open_url(srv.url, WN_STORE_READONLY, 0, 0);
	cr_assert_eq(a->ops->totals(a, &t), 0);
	cr_assert_eq(t.seed, 42);
	wn_store_close(&a);
}

Test(store_redis, large_seed_is_exact)
{
	char url[300];
	wn_store *a, *b;
	wn_store_totals t;

	snprintf(url, sizeof(url), "%s?prefix=big:", srv.url);
	a = open_url(url, WN_STORE_CREATE, 0xfedcba9876543211ULL, 8);
	b = open_url(url, WN_STORE_READONLY, 0, 0);
	cr_assert_eq(b->ops->totals(b, &t), 0);
	cr_assert_eq(t.seed, 0xfedcba9876543211ULL, "seed %" PRIx64, t.seed);
	cr_assert_eq(t.osb_window, 8);
	wn_store_close(&a);
	wn_store_close(&b);
}

Test(store_redis, two_handles_share_learning)
{
	static const uint64_t keys[] = { 3, 4 };
	wn_store *a = open_store(WN_STORE_CREATE), *b = open_store(0);
	enum wn_learn_result res;
	wn_store_totals t;
	uint8_t d[WN_DIGEST_LEN];
	uint32_t s, h;

	digest_of(d, 5);
	cr_assert_eq(a->ops->learn(a, d, WN_LEARN_HAM, keys, 2, NULL, 0,
	    9, &res), 0);
	counts(b, 4, &s, &h);
	cr_assert(s == 0 && h == 1, "got %u/%u", s, h);
	/* b knows the message a learned */
	cr_assert_eq(b->ops->learn(b, d, WN_LEARN_HAM, keys, 2, NULL, 0,
	    9, &res), 0);
	cr_assert_eq(res, WN_LEARN_DUPLICATE);
	cr_assert_eq(b->ops->learn(b, d, WN_LEARN_FORGET, keys, 2, NULL, 0,
	    9, &res), 0);
	cr_assert_eq(res, WN_LEARN_FORGOTTEN);
	counts(a, 4, &s, &h);
	cr_assert(s == 0 && h == 0);
	cr_assert_eq(a->ops->totals(a, &t), 0);
	cr_assert(t.ham_msgs == 0 && t.tokens == 0);
	wn_store_close(&a);
	wn_store_close(&b);
}

#define RACE_MSGS 200

typedef struct racer {
	wn_store *st;
	int learned, duplicate, failed;
} racer;

static void *
race_learn(void *arg)
{
	racer *r = arg;
	uint64_t keys[6];
	uint8_t d[WN_DIGEST_LEN];
	int m, i;

	for (m = 0; m < RACE_MSGS; m++) {
		enum wn_learn_result res;

		for (i = 0; i < 5; i++)
			keys[i] = (uint64_t)m * 10 + (uint64_t)i + 1;
		keys[5] = 999999;
		digest_of(d, m);
		if (r->st->ops->learn(r->st, d, WN_LEARN_SPAM, keys, 6, NULL, 0,
		    3,
		    &res) != 0)
			r->failed++;
		else if (res == WN_LEARNED)
			r->learned++;
		else if (res == WN_LEARN_DUPLICATE)
			r->duplicate++;
	}
	return NULL;
}

Test(store_redis, concurrent_learning_of_one_message_counts_once)
{
	racer r[2] = { { open_store(WN_STORE_CREATE), 0, 0, 0 },
	    { open_store(0), 0, 0, 0 } };
	pthread_t th[2];
	wn_store_totals t;
	uint32_t s, h;
	int i;

	for (i = 0; i < 2; i++)
		cr_assert_eq(pthread_create(&th[i], NULL, race_learn, &r[i]),
		    0);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	cr_assert_eq(r[0].failed + r[1].failed, 0, "%s %s",
	    wn_store_error(r[0].st), wn_store_error(r[1].st));
	cr_assert_eq(r[0].learned + r[1].learned, RACE_MSGS);
	cr_assert_eq(r[0].duplicate + r[1].duplicate, RACE_MSGS);
	counts(r[0].st, 999999, &s, &h);
	cr_assert_eq(s, RACE_MSGS);
	counts(r[1].st, 11, &s, &h);
	cr_assert_eq(s, 1);
	cr_assert_eq(r[1].st->ops->totals(r[1].st, &t), 0);
	cr_assert_eq(t.spam_msgs, RACE_MSGS);
	cr_assert_eq(t.tokens, RACE_MSGS * 5 + 1);
	wn_store_close(&r[0].st);
	wn_store_close(&r[1].st);
}

#define SHARED_THREADS 8
#define SHARED_ROUNDS 100

typedef struct sharer {
	wn_store *st;
	int id, failed;
} sharer;

static void *
share_work(void *arg)
{
	sharer *w = arg;
	uint64_t keys[300];
	wn_token_counts c[300];
	wn_store_totals t;
	uint8_t d[WN_DIGEST_LEN];
	int m, i;

	for (m = 0; m < SHARED_ROUNDS; m++) {
		enum wn_learn_result res;

		for (i = 0; i < 300; i++)
			keys[i] = (uint64_t)i * 7 + 1;
		if (w->st->ops->lookup_many(w->st, keys, 300, c, &t) != 0)
			w->failed++;
		for (i = 0; i < 50; i++)
			keys[i] = (uint64_t)w->id * 100000 + (uint64_t)m * 50 +
			    (uint64_t)i + 1;
		digest_of(d, w->id * 1000 + m);
		if (w->st->ops->learn(w->st, d, WN_LEARN_HAM, keys, 50, NULL, 0,
		    3,
		    &res) != 0 || res != WN_LEARNED)
			w->failed++;
	}
	return NULL;
}

Test(store_redis, one_handle_shared_by_threads)
{
	wn_store *st = open_store(WN_STORE_CREATE);
	sharer w[SHARED_THREADS];
	pthread_t th[SHARED_THREADS];
	wn_store_totals t;
	int i;

	for (i = 0; i < SHARED_THREADS; i++) {
		w[i] = (sharer){ st, i + 1, 0 };
		cr_assert_eq(pthread_create(&th[i], NULL, share_work, &w[i]),
		    0);
	}
	for (i = 0; i < SHARED_THREADS; i++) {
		pthread_join(th[i], NULL);
		cr_assert_eq(w[i].failed, 0, "thread %d: %s", i,
		    wn_store_error(st));
	}
	cr_assert_eq(st->ops->totals(st, &t), 0);
	cr_assert_eq(t.ham_msgs, SHARED_THREADS * SHARED_ROUNDS);
	cr_assert_eq(t.tokens, SHARED_THREADS * SHARED_ROUNDS * 50);
	/* the pool stayed within its bound (the +1 is this query's) */
	{
		redisReply *rep = wn_test_redis_command(&srv, "CLIENT LIST");
		size_t clients = 0;
		const char *p;

		for (p = rep->str; (p = strchr(p, '\n')) != NULL; p++)
			clients++;
		freeReplyObject(rep);
		cr_assert_leq(clients, WN__REDIS_POOL_MAX + 1, "%zu clients",
		    clients);
		cr_log_info("%zu connections for %d threads", clients - 1,
		    SHARED_THREADS);
	}
	wn_store_close(&st);
}

Test(store_redis, redis_down_is_etemp_and_the_handle_recovers)
{
	static const uint64_t keys[] = { 11, 12 };
	wn_store *st = open_store(WN_STORE_CREATE);
	enum wn_learn_result res;
	wn_token_counts c[2];
	wn_store_totals t;
	uint8_t d[WN_DIGEST_LEN];
	double failed_at, t0;
	int rc;

	digest_of(d, 1);
	cr_assert_eq(st->ops->learn(st, d, WN_LEARN_SPAM, keys, 2, NULL, 0,
	    1, &res), 0);
	redis_ok("SAVE", NULL, NULL);	/* so the restart finds the model */
	wn_test_redis_kill(&srv);

	rc = st->ops->lookup_many(st, keys, 2, c, &t);
	cr_assert_eq(rc, WN_ETEMP, "lookup: %d %s", rc, wn_store_error(st));
	cr_assert_not_null(strstr(wn_store_error(st), "Redis at "), "%s",
	    wn_store_error(st));
	cr_assert_not_null(strstr(wn_store_error(st), srv.sock), "%s",
	    wn_store_error(st));
	cr_log_info("Redis gone: %s", wn_store_error(st));
	digest_of(d, 2);
	t0 = now_s();
	rc = st->ops->learn(st, d, WN_LEARN_HAM, keys, 2, NULL, 0, 1, &res);
	cr_assert_eq(rc, WN_ETEMP);
	cr_assert_not_null(strstr(wn_store_error(st), srv.sock));
	cr_assert_eq(st->ops->totals(st, &t), WN_ETEMP);
	failed_at = now_s();
	/* no new attempt within the second: answers come at once */
	cr_assert_lt(failed_at - t0, 0.1, "took %.3f s", failed_at - t0);

	wn_test_redis_restart(&srv);
	if (now_s() - failed_at < 0.8)
		cr_assert_eq(st->ops->totals(st, &t), WN_ETEMP,
		    "a new attempt within a second of the last");
	sleep_ms(1100);
	rc = st->ops->lookup_many(st, keys, 2, c, &t);
	cr_assert_eq(rc, 0, "after restart: %s", wn_store_error(st));
	cr_assert_eq(c[0].spam, 1);
	cr_assert_eq(t.spam_msgs, 1);
	cr_assert_eq(st->ops->learn(st, d, WN_LEARN_HAM, keys, 2, NULL, 0,
	    1, &res), 0,
	    "%s", wn_store_error(st));
	cr_assert_eq(res, WN_LEARNED);
	wn_store_close(&st);
}

Test(store_redis, restart_without_data_recreates_for_a_creating_handle)
{
	static const uint64_t keys[] = { 11 };
	wn_store *a = open_store(WN_STORE_CREATE), *b = open_store(0);
	enum wn_learn_result res;
	wn_store_totals t;
	uint8_t d[WN_DIGEST_LEN];

	/* Redis lost everything (no persistence, FLUSHALL) */
	redis_ok("FLUSHALL", NULL, NULL);
	digest_of(d, 1);
	cr_assert_eq(b->ops->learn(b, d, WN_LEARN_SPAM, keys, 1, NULL, 0,
	    1, &res),
	    WN_ENOENT);
	cr_assert_not_null(strstr(wn_store_error(b), "flushed"), "%s",
	    wn_store_error(b));
	/* a handle that may create starts over with the same settings */
	cr_assert_eq(a->ops->learn(a, d, WN_LEARN_SPAM, keys, 1, NULL, 0,
	    1, &res), 0,
	    "%s", wn_store_error(a));
	cr_assert_eq(res, WN_LEARNED);
	cr_assert_eq(b->ops->totals(b, &t), 0);
	cr_assert(t.spam_msgs == 1 && t.tokens == 1);
	wn_store_close(&a);
	a = open_url(srv.url, 0, 0, 0);
	cr_assert_eq(a->ops->totals(a, &t), 0);
	cr_assert_eq(t.seed, 42);
	wn_store_close(&a);
	wn_store_close(&b);
}

Test(store_redis, command_timeout_is_etemp)
{
	static const uint64_t keys[] = { 1 };
	char url[300];
	wn_store *st;
	wn_token_counts c;
	double t0, took;
	int rc;

	snprintf(url, sizeof(url), "%s?timeout=200", srv.url);
	st = open_url(url, WN_STORE_CREATE, 1, 3);
	cr_assert_eq(kill(srv.pid, SIGSTOP), 0);
	t0 = now_s();
	rc = st->ops->lookup_many(st, keys, 1, &c, NULL);
	took = now_s() - t0;
	kill(srv.pid, SIGCONT);
	cr_assert_eq(rc, WN_ETEMP);
	cr_assert_not_null(strstr(wn_store_error(st), "no answer within 200 "
	    "ms"), "%s", wn_store_error(st));
	cr_assert_lt(took, 1.0, "took %.3f s", took);
	/* the timed-out connection is gone; the next call reconnects */
	cr_assert_eq(st->ops->lookup_many(st, keys, 1, &c, NULL), 0, "%s",
	    wn_store_error(st));
	wn_store_close(&st);
}

Test(store_redis, connection_closed_while_idle_is_reopened)
{
	static const uint64_t keys[] = { 1 };
	wn_store *st = open_store(WN_STORE_CREATE);
	wn_token_counts c;

	cr_assert_eq(st->ops->lookup_many(st, keys, 1, &c, NULL), 0);
	/* what Redis's `timeout` setting or a proxy does to idle clients */
	redis_ok("CLIENT KILL TYPE normal", NULL, NULL);
	cr_assert_eq(st->ops->lookup_many(st, keys, 1, &c, NULL), 0, "%s",
	    wn_store_error(st));
	wn_store_close(&st);
}

Test(store_redis, lost_script_cache_is_reloaded)
{
	static const uint64_t keys[] = { 1 };
	wn_store *st = open_store(WN_STORE_CREATE);
	enum wn_learn_result res;
	uint8_t d[WN_DIGEST_LEN];

	redis_ok("SCRIPT FLUSH", NULL, NULL);
	digest_of(d, 1);
	cr_assert_eq(st->ops->learn(st, d, WN_LEARN_SPAM, keys, 1, NULL, 0,
	    1, &res), 0,
	    "%s", wn_store_error(st));
	cr_assert_eq(res, WN_LEARNED);
	wn_store_close(&st);
}

Test(store_redis, corrupt_value_is_eformat_and_learning_writes_nothing)
{
	static const uint64_t keys[] = { 4, 5, 6 };
	wn_store *st = open_store(WN_STORE_CREATE);
	enum wn_learn_result res;
	wn_token_counts c[3];
	wn_store_totals t;
	uint8_t d[WN_DIGEST_LEN];

	redis_ok("SET winnow:t:0000000000000005 %s", "xyz", NULL);
	cr_assert_eq(st->ops->lookup_many(st, keys, 3, c, NULL), WN_EFORMAT);
	digest_of(d, 1);
	cr_assert_eq(st->ops->learn(st, d, WN_LEARN_SPAM, keys, 3, NULL, 0,
	    1, &res),
	    WN_EFORMAT, "%s", wn_store_error(st));
	cr_assert_eq(redis_int("EXISTS winnow:t:%s", "0000000000000004"), 0);
	cr_assert_eq(st->ops->totals(st, &t), 0);
	cr_assert_eq(t.spam_msgs, 0);
	cr_assert_eq(st->ops->learn(st, d, WN_LEARN_SPAM, keys, 3, NULL, 0,
	    1, &res),
	    WN_EFORMAT);
	wn_store_close(&st);
}

Test(store_redis, prefixes_keep_stores_apart)
{
	static const uint64_t keys[] = { 8 };
	char ua[300], ub[300];
	wn_store *a, *b;
	enum wn_learn_result res;
	uint8_t d[WN_DIGEST_LEN];
	uint32_t s, h;

	snprintf(ua, sizeof(ua), "%s?prefix=fleet-a:", srv.url);
	snprintf(ub, sizeof(ub), "%s?prefix=fleet*b:", srv.url);
	a = open_url(ua, WN_STORE_CREATE, 1, 3);
	b = open_url(ub, WN_STORE_CREATE, 2, 3);
	digest_of(d, 1);
	cr_assert_eq(a->ops->learn(a, d, WN_LEARN_SPAM, keys, 1, NULL, 0,
	    1, &res), 0);
	counts(b, 8, &s, &h);
	cr_assert_eq(s, 0);
	cr_assert_eq(b->ops->learn(b, d, WN_LEARN_SPAM, keys, 1, NULL, 0,
	    1, &res), 0);
	cr_assert_eq(res, WN_LEARNED);
	cr_assert_eq(redis_int("EXISTS %s", "fleet-a:t:0000000000000008"), 1);
	cr_assert_eq(redis_int("EXISTS %s", "fleet*b:t:0000000000000008"), 1);
	/* each sees only its own tokens, glob characters and all */
	{
		wn_store_entry seen[16];

		memset(seen, 0, sizeof(seen));
		cr_assert_eq(b->ops->each(b, collect, seen), 0);
		cr_assert_eq(seen[8].spam, 1);
	}
	wn_store_close(&a);
	wn_store_close(&b);
}

Test(store_redis, lookup_of_3000_keys)
{
	wn_store *st = open_store(WN_STORE_CREATE);
	uint64_t *keys = malloc(3000 * sizeof(*keys));
	wn_token_counts *c = malloc(3000 * sizeof(*c));
	enum wn_learn_result res;
	wn_store_totals t;
	uint8_t d[WN_DIGEST_LEN];
	size_t i, n = 0;

	for (i = 1; i <= 3000; i += 2)
		keys[n++] = i;
	digest_of(d, 1);
	cr_assert_eq(st->ops->learn(st, d, WN_LEARN_SPAM, keys, n, NULL, 0,
	    1, &res), 0);
	for (i = 0; i < 3000; i++)
		keys[i] = i + 1;
	cr_assert_eq(st->ops->lookup_many(st, keys, 3000, c, &t), 0, "%s",
	    wn_store_error(st));
	for (i = 0; i < 3000; i++)
		cr_assert_eq(c[i].spam, (i + 1) % 2, "key %zu", i + 1);
	cr_assert_eq(t.tokens, 1500);
	cr_assert_eq(t.spam_msgs, 1);
	cr_assert_eq(st->ops->lookup_many(st, keys, 0, c, &t), 0);
	cr_assert_eq(t.tokens, 1500);
	wn_store_close(&st);
	free(keys);
	free(c);
}

/* --- moving a model: dump from LMDB, load into Redis ---------------- */

typedef struct dump {
	wn_store_entry *e;
	size_t n, cap;
} dump;

static int
dump_entry(const wn_store_entry *e, void *arg)
{
	dump *d = arg;

	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 1024;
		d->e = realloc(d->e, d->cap * sizeof(*d->e));
		cr_assert_not_null(d->e);
	}
	d->e[d->n++] = *e;
	return 0;
}

static bool
same_entry(const wn_store_entry *a, const wn_store_entry *b)
{
	return a->hash == b->hash && a->spam == b->spam && a->ham == b->ham &&
	    a->last_day == b->last_day;
}

static uint64_t
mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

Test(store_redis, lmdb_dump_loads_into_redis_identically)
{
	char dir[64] = "/tmp/wn-store-redis-XXXXXX", path[128], cmd[128];
	wn_store_params p = { 0x77696e6e6f770001ULL, 4, 0 };
	wn_store *lm = NULL, *rs;
	wn_store_totals tl, tr;
	dump a = { NULL, 0, 0 }, b = { NULL, 0, 0 };
	uint64_t keys[160];
	uint8_t d[WN_DIGEST_LEN];
	char err[256];
	size_t i, off;
	int m, k;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/bayes.lmdb", dir);
	cr_assert_eq(wn_store_open_lmdb(path, WN_STORE_CREATE, &p, &lm, err,
	    sizeof(err)), 0, "%s", err);
	for (m = 0; m < 120; m++) {
		enum wn_learn_result res;

		/* 150 message tokens and 10 common ones */
		for (k = 0; k < 150; k++)
			keys[k] = mix((uint64_t)m * 1000 + (uint64_t)k);
		for (k = 0; k < 10; k++)
			keys[150 + k] = mix(999999999 + (uint64_t)k);
		qsort(keys, 160, sizeof(keys[0]), cmp_u64);
		digest_of(d, m);
		cr_assert_eq(lm->ops->learn(lm, d, m % 3 ? WN_LEARN_SPAM :
		    WN_LEARN_HAM, keys, 160, NULL, 0,
		    19000 + (uint32_t)m, &res), 0);
	}
	cr_assert_eq(lm->ops->totals(lm, &tl), 0);
	cr_assert_eq(lm->ops->each(lm, dump_entry, &a), 0);
	cr_assert_eq(a.n, tl.tokens);

	/* as `winnow bayes load` does: create with the dump's settings,
	 * batches, the message totals with the last one */
	p.seed = tl.seed;
	p.osb_window = tl.osb_window;
	rs = open_url(srv.url, WN_STORE_CREATE, p.seed, p.osb_window);
	for (off = 0; off < a.n; off += 7000) {
		size_t n = a.n - off < 7000 ? a.n - off : 7000;
		bool last = off + n == a.n;

		cr_assert_eq(rs->ops->load(rs, a.e + off, n,
		    last ? tl.spam_msgs : 0, last ? tl.ham_msgs : 0), 0, "%s",
		    wn_store_error(rs));
	}
	cr_assert_eq(rs->ops->each(rs, dump_entry, &b), 0);
	cr_assert_eq(b.n, a.n);
	for (i = 0; i < a.n; i++)
		cr_assert(same_entry(&a.e[i], &b.e[i]),
		    "entry %zu: %" PRIx64 " %u/%u/%u vs %" PRIx64 " %u/%u/%u",
		    i, a.e[i].hash, a.e[i].spam, a.e[i].ham, a.e[i].last_day,
		    b.e[i].hash, b.e[i].spam, b.e[i].ham, b.e[i].last_day);
	cr_assert_eq(rs->ops->totals(rs, &tr), 0);
	cr_assert_eq(tr.spam_msgs, tl.spam_msgs);
	cr_assert_eq(tr.ham_msgs, tl.ham_msgs);
	cr_assert_eq(tr.tokens, tl.tokens);
	cr_assert_eq(tr.seed, tl.seed);
	cr_assert_eq(tr.osb_window, tl.osb_window);
	cr_assert_eq(tr.version, tl.version);

	/* and back: Redis dumped into a new LMDB store gives the same */
	wn_store_close(&lm);
	snprintf(path, sizeof(path), "%s/back.lmdb", dir);
	cr_assert_eq(wn_store_open_lmdb(path, WN_STORE_CREATE, &p, &lm, err,
	    sizeof(err)), 0, "%s", err);
	cr_assert_eq(lm->ops->load(lm, b.e, b.n, tr.spam_msgs, tr.ham_msgs), 0);
	b.n = 0;
	cr_assert_eq(lm->ops->each(lm, dump_entry, &b), 0);
	cr_assert_eq(b.n, a.n);
	for (i = 0; i < a.n; i++)
		cr_assert(same_entry(&a.e[i], &b.e[i]), "entry %zu", i);
	wn_store_close(&lm);
	wn_store_close(&rs);
	free(a.e);
	free(b.e);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

Test(store_redis, load_adds_to_what_is_there)
{
	wn_store *st = open_store(WN_STORE_CREATE);
	wn_store_entry e[3] = { { 5, 1, 2, 10 }, { 5, 3, 0, 4 },
	    { 6, 0, 0, 1 } };
	wn_store_entry seen[8];
	wn_store_totals t;

	/* the same key twice in one batch adds twice, as in LMDB */
	cr_assert_eq(st->ops->load(st, e, 3, 1, 2), 0, "%s",
	    wn_store_error(st));
	cr_assert_eq(st->ops->load(st, e, 1, 1, 0), 0);
	/* the last batch of a dump may hold only the message totals */
	cr_assert_eq(st->ops->load(st, NULL, 0, 0, 3), 0, "%s",
	    wn_store_error(st));
	memset(seen, 0, sizeof(seen));
	cr_assert_eq(st->ops->each(st, collect, seen), 0);
	cr_assert(seen[5].spam == 5 && seen[5].ham == 4, "got %u/%u",
	    seen[5].spam, seen[5].ham);
	cr_assert_eq(seen[5].last_day, 10);
	cr_assert_eq(seen[6].last_day, 1);
	cr_assert_eq(st->ops->totals(st, &t), 0);
	cr_assert_eq(t.tokens, 2);
	cr_assert(t.spam_msgs == 2 && t.ham_msgs == 5);
	wn_store_close(&st);
}

/* Microseconds per call over the local socket, for docs/arch/redis.md. */
Test(store_redis, timing_of_lookup_and_learn)
{
	wn_store *st = open_store(WN_STORE_CREATE);
	uint64_t keys[1000];
	wn_token_counts c[1000];
	wn_store_totals t;
	uint8_t d[WN_DIGEST_LEN];
	double t0 = 0, lookup_us, learn_us;
	int i, m;

	for (m = 0; m < 200; m++) {
		enum wn_learn_result res;

		for (i = 0; i < 1000; i++)
			keys[i] = (uint64_t)(m % 20) * 500 + (uint64_t)i;
		digest_of(d, m);
		if (m == 50)
			t0 = now_s();
		cr_assert_eq(st->ops->learn(st, d, WN_LEARN_SPAM, keys, 1000,
		    NULL, 0, 1, &res), 0);
	}
	learn_us = (now_s() - t0) / 150 * 1e6;
	for (i = 0; i < 1000; i++)
		keys[i] = (uint64_t)i * 11;
	for (m = 0; m < 50; m++)
		cr_assert_eq(st->ops->lookup_many(st, keys, 1000, c, &t), 0);
	t0 = now_s();
	for (m = 0; m < 500; m++)
		cr_assert_eq(st->ops->lookup_many(st, keys, 1000, c, &t), 0);
	lookup_us = (now_s() - t0) / 500 * 1e6;
	fprintf(stderr, "redis store: lookup_many(1000 keys) %.0f us, "
	    "learn(1000 keys) %.0f us\n", lookup_us, learn_us);
	if (getenv("WN_TIMING_STATS") != NULL) {
		redisReply *rep = wn_test_redis_command(&srv,
		    "INFO commandstats");

		fprintf(stderr, "%s\n", rep->str);
		freeReplyObject(rep);
	}
	wn_store_close(&st);
}

/* --- URLs and servers of their own ---------------------------------- */

Test(store_redis_url, url_fields)
{
	wn__redis_url u;
	char err[200];

	cr_assert_eq(wn__redis_url_parse("redis://example.org", &u, err,
	    sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(u.host, "example.org");
	cr_assert_eq(u.port, 6379);
	cr_assert_eq(u.db, 0);
	cr_assert_str_eq(u.prefix, "winnow:");
	cr_assert_eq(u.timeout_ms, 2000);
	cr_assert(!u.has_password);
	cr_assert_str_eq(u.path, "");

	cr_assert_eq(wn__redis_url_parse("redis://:p%40ss@10.0.0.1:6380/3"
	    "?prefix=fleet%2F1:&timeout=500", &u, err, sizeof(err)), 0, "%s",
	    err);
	cr_assert_str_eq(u.host, "10.0.0.1");
	cr_assert_eq(u.port, 6380);
	cr_assert_eq(u.db, 3);
	cr_assert(u.has_password);
	cr_assert_str_eq(u.user, "");
	cr_assert_str_eq(u.password, "p@ss");
	cr_assert_str_eq(u.prefix, "fleet/1:");
	cr_assert_eq(u.timeout_ms, 500);

	cr_assert_eq(wn__redis_url_parse("redis://alice:se:cret@[::1]:7000/",
	    &u, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(u.host, "::1");
	cr_assert_eq(u.port, 7000);
	cr_assert_str_eq(u.user, "alice");
	cr_assert_str_eq(u.password, "se:cret");
	cr_assert_eq(u.db, 0);

	cr_assert_eq(wn__redis_url_parse("redis+unix://:pw@/run/redis/r.sock"
	    "?db=2&prefix=", &u, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(u.path, "/run/redis/r.sock");
	cr_assert_str_eq(u.password, "pw");
	cr_assert_eq(u.db, 2);
	cr_assert_str_eq(u.prefix, "");

	cr_assert_eq(wn__redis_url_parse("redis+unix:///var/run/redis.sock",
	    &u, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(u.path, "/var/run/redis.sock");
	cr_assert_str_eq(u.host, "");
	cr_assert_eq(wn__redis_url_parse("redis://h?db=4", &u, err,
	    sizeof(err)), 0, "%s", err);
	cr_assert_eq(u.db, 4);
}

Test(store_redis_url, malformed_urls_are_einval)
{
	static const char *const bad[] = {
		"", "http://localhost", "redis:/localhost", "redis://",
		"redis://:pw@", "redis://host:0", "redis://host:65536",
		"redis://host:12x", "redis://host:", "redis://host/abc",
		"redis://host/1/2", "redis://host?prefix",
		"redis://host?colour=red", "redis://host?timeout=0",
		"redis://host?timeout=600001", "redis://host?timeout=1s",
		"redis://host/1?db=2", "redis://host?db=1&db=2",
		"redis://host?prefix=a&prefix=b", "redis://pw@host",
		"redis://host:1:2", "redis://::1", "redis://[::1",
		"redis://[::1]x", "redis://ho st", "redis://host#frag",
		"redis://host%41", "redis://host?prefix=%zz",
		"redis://host?prefix=%00", "redis://host?prefix=%4",
		"redis+unix://", "redis+unix://relative/path",
		"redis+unix://pw/tmp/s", "redis+unix:///",
		"redis+unix:///tmp/s?db=x", "redis+unix:///tmp/s?port=1",
		"redis+unix:///tmp/a-socket-path-that-is-much-too-long-to-fit-"
		"in-sun-path-because-it-goes-on-and-on-and-on-and-on-and-on-x",
		NULL
	};
	wn_store *st = NULL;
	wn_bulk_store *bs = NULL;
	char err[256];
	size_t i;

	for (i = 0; bad[i] != NULL; i++) {
		int rc;

		err[0] = '\0';
		rc = wn_store_open_redis(bad[i], WN_STORE_CREATE, NULL, &st,
		    err, sizeof(err));
		cr_expect_eq(rc, WN_EINVAL, "\"%s\": got %d (%s), want "
		    "WN_EINVAL", bad[i], rc, err);
		cr_expect_null(st);
		cr_expect_neq(err[0], '\0', "\"%s\": no message", bad[i]);
		rc = wn_bulk_store_open_redis(bad[i], &bs, err, sizeof(err));
		cr_expect_eq(rc, WN_EINVAL, "bulk \"%s\": got %d", bad[i], rc);
		cr_expect_null(bs);
	}
	cr_assert(wn_store_is_redis("redis://x"));
	cr_assert(wn_store_is_redis("redis+unix:///x"));
	cr_assert(!wn_store_is_redis("/var/lib/winnow/bayes.lmdb"));
}

Test(store_redis_url, unreachable_redis_is_etemp_at_open)
{
	wn_store *st = NULL;
	char err[256];
	int rc;

	rc = wn_store_open_redis("redis+unix:///nonexistent/wn/redis.sock",
	    WN_STORE_CREATE, NULL, &st, err, sizeof(err));
	cr_assert_eq(rc, WN_ETEMP, "got %d (%s)", rc, err);
	cr_assert_null(st);
	cr_assert_not_null(strstr(err, "Redis at /nonexistent/wn/redis.sock: "),
	    "%s", err);
	cr_assert_not_null(strstr(err, strerror(ENOENT)), "%s", err);
	/* port 1 on loopback: nothing listens there */
	rc = wn_store_open_redis("redis://127.0.0.1:1", 0, NULL, &st, err,
	    sizeof(err));
	cr_assert_eq(rc, WN_ETEMP, "got %d (%s)", rc, err);
	cr_assert_str_eq(err, "Redis at 127.0.0.1:1: Connection refused");
}

Test(store_redis_url, password_and_database)
{
	static const char *const extra[] = { "--requirepass", "s3cret", NULL };
	static const uint64_t keys[] = { 1 };
	wn_test_redis r;
	wn_store *st = NULL;
	enum wn_learn_result res;
	uint8_t d[WN_DIGEST_LEN];
	char url[300], err[256];
	int rc;

	wn_test_redis_start(&r, 0, extra);
	snprintf(url, sizeof(url), "redis+unix://:s3cret@%s?db=3", r.sock);
	rc = wn_store_open_redis(url, WN_STORE_CREATE, &(wn_store_params){ 5,
	    3, 0 }, &st, err, sizeof(err));
	cr_assert_eq(rc, 0, "%s", err);
	digest_of(d, 1);
	cr_assert_eq(st->ops->learn(st, d, WN_LEARN_SPAM, keys, 1, NULL, 0,
	    1, &res), 0);
	wn_store_close(&st);
	/* the store is in database 3, not 0 */
	snprintf(url, sizeof(url), "redis+unix://:s3cret@%s", r.sock);
	cr_assert_eq(wn_store_open_redis(url, 0, NULL, &st, err, sizeof(err)),
	    WN_ENOENT, "%s", err);
	/* a wrong password, none, a database Redis does not have */
	snprintf(url, sizeof(url), "redis+unix://:wrong@%s?db=3", r.sock);
	cr_assert_eq(wn_store_open_redis(url, 0, NULL, &st, err, sizeof(err)),
	    WN_EINVAL, "%s", err);
	cr_log_info("wrong password: %s", err);
	cr_assert_not_null(strstr(err, "AUTH"), "%s", err);
	snprintf(url, sizeof(url), "redis+unix://%s?db=3", r.sock);
	cr_assert_eq(wn_store_open_redis(url, 0, NULL, &st, err, sizeof(err)),
	    WN_EINVAL, "%s", err);
	cr_assert_not_null(strstr(err, "NOAUTH"), "%s", err);
	snprintf(url, sizeof(url), "redis+unix://:s3cret@%s?db=99", r.sock);
	cr_assert_eq(wn_store_open_redis(url, 0, NULL, &st, err, sizeof(err)),
	    WN_EINVAL, "%s", err);
	cr_assert_not_null(strstr(err, "SELECT"), "%s", err);
	wn_test_redis_stop(&r);
}

Test(store_redis_url, tcp_url)
{
	static const uint64_t keys[] = { 2, 3 };
	wn_test_redis r;
	wn_store *st;
	enum wn_learn_result res;
	uint8_t d[WN_DIGEST_LEN];
	char url[300];
	uint32_t s, h;

	wn_test_redis_start(&r, 1, NULL);
	snprintf(url, sizeof(url), "%s/2?prefix=tcp:&timeout=1000", r.tcp_url);
	st = open_url(url, WN_STORE_CREATE, 9, 3);
	digest_of(d, 1);
	cr_assert_eq(st->ops->learn(st, d, WN_LEARN_HAM, keys, 2, NULL, 0,
	    1, &res), 0);
	counts(st, 3, &s, &h);
	cr_assert_eq(h, 1);
	wn_store_close(&st);
	/* through the spec dispatcher too */
	{
		wn_store_params p = { 9, 3, 0 };
		char err[256];

		cr_assert_eq(wn_store_open(url, 0, &p, &st, err, sizeof(err)),
		    0, "%s", err);
		cr_assert_str_eq(st->ops->name, "redis");
		wn_store_close(&st);
	}
	wn_test_redis_stop(&r);
}

Test(store_redis_url, readonly_handle_reads_from_a_replica)
{
	static const uint64_t keys[] = { 4, 5 };
	wn_test_redis master, replica;
	const char *extra[4] = { "--replicaof", "127.0.0.1", NULL, NULL };
	char port[16];
	wn_store *w, *ro = NULL;
	enum wn_learn_result res;
	wn_token_counts c[2];
	wn_store_totals t;
	uint8_t d[WN_DIGEST_LEN];
	char err[256];
	int i, rc = WN_ENOENT;

	wn_test_redis_start(&master, 1, NULL);
	snprintf(port, sizeof(port), "%d", master.port);
	extra[2] = port;
	wn_test_redis_start(&replica, 0, extra);
	w = open_url(master.url, WN_STORE_CREATE, 3, 3);
	digest_of(d, 1);
	cr_assert_eq(w->ops->learn(w, d, WN_LEARN_SPAM, keys, 2, NULL, 0,
	    1, &res), 0);
	/* wait for the replica to catch up */
	for (i = 0; i < 500 && rc != 0; i++) {
		rc = wn_store_open_redis(replica.url, WN_STORE_READONLY, NULL,
		    &ro, err, sizeof(err));
		if (rc == 0 && (ro->ops->totals(ro, &t) != 0 ||
		    t.spam_msgs != 1)) {
			wn_store_close(&ro);
			rc = WN_ENOENT;
		}
		if (rc != 0)
			sleep_ms(20);
	}
	cr_assert_eq(rc, 0, "replica: %s", err);
	cr_assert_eq(ro->ops->lookup_many(ro, keys, 2, c, &t), 0, "%s",
	    wn_store_error(ro));
	cr_assert(c[0].spam == 1 && c[1].spam == 1 && t.tokens == 2);
	wn_store_close(&ro);
	/* a writer pointed at a replica fails, saying why */
	ro = open_url(replica.url, WN_STORE_CREATE, 3, 3);
	digest_of(d, 2);
	rc = ro->ops->learn(ro, d, WN_LEARN_SPAM, keys, 2, NULL, 0, 1, &res);
	cr_assert_eq(rc, WN_ETEMP, "got %d: %s", rc, wn_store_error(ro));
	cr_assert_not_null(strstr(wn_store_error(ro), "READONLY"), "%s",
	    wn_store_error(ro));
	wn_store_close(&ro);
	wn_store_close(&w);
	wn_test_redis_stop(&replica);
	wn_test_redis_stop(&master);
}
