/*
 * redis_store.c - latency of the Redis token and bulk stores.
 *
 * Learns a model of --messages messages of 1000 tokens each (every token
 * in about 1 message in 20), then times, one call at a time on one
 * handle: learn of a 1000-token message, lookup_many of 1000 sorted keys
 * (with totals, as classification asks), and a bulk observe and peek of
 * 17 keys (a text digest and 16 bands). Prints the median and the 99th
 * percentile in microseconds. It writes under the URL's prefix: point it
 * at a scratch database, e.g.
 *
 *   redis_store redis+unix:///run/redis/redis.sock?db=15
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <winnow/bulk.h>
#include <winnow/err.h>
#include <winnow/store.h>

#define BENCH_KEYS	1000
#define BENCH_ROUNDS	1000

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static double
cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
report(const char *what, double *us, size_t n)
{
	qsort(us, n, sizeof(*us), cmp_double);
	printf("%-28s median %7.0f us   p99 %7.0f us\n", what, us[n / 2],
	    us[n * 99 / 100]);
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

/* The keys of message m: 1000 of a vocabulary of 20000 per 20 messages. */
static void
message_keys(uint64_t *keys, int m)
{
	int i;

	for (i = 0; i < BENCH_KEYS; i++)
		keys[i] = mix((uint64_t)(m / 20) * 20000 +
		    (mix((uint64_t)m * 7919 + (uint64_t)i) % 20000));
	qsort(keys, BENCH_KEYS, sizeof(*keys), cmp_u64);
	for (i = 1; i < BENCH_KEYS; i++)	/* distinct: nudge repeats */
		if (keys[i] <= keys[i - 1])
			keys[i] = keys[i - 1] + 1;
}

int
main(int argc, char **argv)
{
	wn_store_params p = { 0x77696e6e6f770001ULL, 3, 0 };
	static uint64_t keys[BENCH_KEYS];
	static wn_token_counts counts[BENCH_KEYS];
	static double us[BENCH_ROUNDS];
	wn_store *st;
	wn_bulk_store *bs;
	wn_store_totals t;
	wn_bulk_key bk[17];
	wn_bulk_counts bc[17];
	enum wn_learn_result res;
	uint8_t d[WN_DIGEST_LEN];
	char err[256];
	double lookup_cpu;
	int messages = 200, m, i, rc;

	if (argc < 2 || argc > 3 || (argc == 3 &&
	    (messages = atoi(argv[2])) < 1)) {
		fprintf(stderr, "usage: redis_store URL [messages]\n");
		return 2;
	}
	if ((rc = wn_store_open_redis(argv[1], WN_STORE_CREATE, &p, &st, err,
	    sizeof(err))) != 0) {
		fprintf(stderr, "redis_store: %s\n", err);
		return 1;
	}
	for (m = 0; m < messages + BENCH_ROUNDS; m++) {
		double t0;

		message_keys(keys, m);
		memset(d, 0, sizeof(d));
		memcpy(d, &m, sizeof(m));
		d[15] = 0xbe;
		t0 = now_us();
		if (st->ops->learn(st, d, m % 2 ? WN_LEARN_SPAM : WN_LEARN_HAM,
		    keys, BENCH_KEYS, NULL, 0, 20000, &res) != 0) {
			fprintf(stderr, "redis_store: learn: %s\n",
			    wn_store_error(st));
			return 1;
		}
		if (m >= messages)
			us[m - messages] = now_us() - t0;
	}
	report("learn (1000 tokens)", us, BENCH_ROUNDS);
	lookup_cpu = 0;
	for (m = 0; m < BENCH_ROUNDS; m++) {
		double t0, c0;

		message_keys(keys, m * 3 + 1);
		c0 = cpu_us();
		t0 = now_us();
		if (st->ops->lookup_many(st, keys, BENCH_KEYS, counts,
		    &t) != 0) {
			fprintf(stderr, "redis_store: lookup: %s\n",
			    wn_store_error(st));
			return 1;
		}
		us[m] = now_us() - t0;
		lookup_cpu += cpu_us() - c0;
	}
	report("lookup_many (1000 keys)", us, BENCH_ROUNDS);
	printf("%-28s %7.0f us of this process's CPU per call\n", "",
	    lookup_cpu / BENCH_ROUNDS);
	printf("model: %" PRIu64 " tokens, %" PRIu64 " + %" PRIu64
	    " messages\n", t.tokens, t.spam_msgs, t.ham_msgs);
	wn_store_close(&st);

	if ((rc = wn_bulk_store_open_redis(argv[1], &bs, err,
	    sizeof(err))) != 0) {
		fprintf(stderr, "redis_store: %s\n", err);
		return 1;
	}
	for (m = 0; m < BENCH_ROUNDS; m++) {
		wn_bulk_obs o = { 1, (uint32_t)m + 1, (int64_t)time(NULL),
		    86400 };
		double t0;

		for (i = 0; i < 17; i++) {
			uint64_t v = mix((uint64_t)(m % 50) * 17 + (uint64_t)i);

			memset(&bk[i], 0, sizeof(bk[i]));
			bk[i].b[0] = i == 0 ? 'd' : 'b';
			memcpy(bk[i].b + 1, &v, sizeof(v));
		}
		t0 = now_us();
		if (bs->ops->observe(bs, bk, 17, &o, bc) != 0) {
			fprintf(stderr, "redis_store: observe: %s\n",
			    wn_bulk_store_error(bs));
			return 1;
		}
		us[m] = now_us() - t0;
	}
	report("bulk observe (17 keys)", us, BENCH_ROUNDS);
	for (m = 0; m < BENCH_ROUNDS; m++) {
		wn_bulk_obs o = { 0, 0, (int64_t)time(NULL), 86400 };
		double t0 = now_us();

		if (bs->ops->peek(bs, bk, 17, &o, bc) != 0) {
			fprintf(stderr, "redis_store: peek: %s\n",
			    wn_bulk_store_error(bs));
			return 1;
		}
		us[m] = now_us() - t0;
	}
	report("bulk peek (17 keys)", us, BENCH_ROUNDS);
	wn_bulk_store_close(&bs);
	return 0;
}
