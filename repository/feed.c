/*
 * feed.c - the bulk feed's envelope: read the keys, sign, cache.
 *
 * Every request reads the block generation (one row) and, under the
 * feed's mutex, either answers from the cache or rebuilds: the grouped
 * query, the keys sorted as their texts sort, a hash of that key set to
 * decide whether the signed envelope can stay, and only when it cannot,
 * wn_bulk_feed_build. Requests arriving during a rebuild wait for it
 * rather than run the same query beside it.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include <winnow/alloc.h>
#include <winnow/bulk_feed.h>
#include <winnow/err.h>
#include <winnow/fingerprint.h>
#include <winnow/log.h>

#include "day.h"
#include "feed.h"
#include "http.h"
#include "shared_keys.h"

struct wn_feed {
	wn_repo_db *db;
	wn_seckey key;
	unsigned min_reporters, days;
	pthread_mutex_t lock;
	bool have;			/* an envelope is cached */
	wn_buf envelope;
	char etag[72];
	int64_t checked;		/* when its keys were read */
	int64_t signed_at;		/* its "generated" */
	int64_t generation;		/* the block generation then */
	bool stale;			/* keys were stored since */
	uint8_t keys_hash[32];		/* of its key set */
};

/* the keys of one rebuild */
typedef struct wn_feed_keys {
	wn_shared_key *v;
	uint64_t *reporters;
	size_t n, cap;
	bool failed;
} wn_feed_keys;

int
wn_feed_new(wn_repo_db *db, const wn_seckey *key, unsigned min_reporters,
    unsigned days, wn_feed **out)
{
	wn_feed *f;

	*out = NULL;
	if (min_reporters < 1 || min_reporters > WN_FEED_MAX_MIN_REPORTERS ||
	    days < 1 || days > WN_FEED_MAX_DAYS)
		return WN_EINVAL;
	if ((f = wn_calloc(1, sizeof(*f))) == NULL)
		return WN_ENOMEM;
	f->db = db;
	f->key = *key;
	f->min_reporters = min_reporters;
	f->days = days;
	pthread_mutex_init(&f->lock, NULL);
	wn_buf_init(&f->envelope);
	*out = f;
	return 0;
}

void
wn_feed_free(wn_feed **fp)
{
	wn_feed *f = *fp;

	if (f == NULL)
		return;
	*fp = NULL;
	sodium_memzero(&f->key, sizeof(f->key));
	pthread_mutex_destroy(&f->lock);
	wn_buf_fini(&f->envelope);
	wn_free(f);
}

void
wn_feed_window(int64_t now, unsigned days, int64_t *from_day,
    int64_t *to_day)
{
	*to_day = wn_day_of_time(now);
	*from_day = *to_day - (int64_t)days + 1;
}

static int
wn_feed_collect(void *arg, const wn_repo_bulk_row *row)
{
	wn_feed_keys *k = arg;

	if (row->blocked)
		return 0;
	if (k->n == k->cap) {
		size_t cap = k->cap ? 2 * k->cap : 1024;
		wn_shared_key *v = wn_realloc(k->v, cap * sizeof(*v));
		uint64_t *r;

		if (v == NULL) {
			k->failed = true;
			return WN_ENOMEM;
		}
		k->v = v;
		if ((r = wn_realloc(k->reporters, cap * sizeof(*r))) == NULL) {
			k->failed = true;
			return WN_ENOMEM;
		}
		k->reporters = r;
		k->cap = cap;
	}
	k->v[k->n].kind = row->kind;
	k->v[k->n].value = row->key;
	k->reporters[k->n++] = row->reporters;
	return 0;
}

/* for the cap: most reporters first */
typedef struct wn_feed_ranked {
	wn_shared_key key;
	uint64_t reporters;
} wn_feed_ranked;

static int
wn_feed_rank_cmp(const void *a, const void *b)
{
	const wn_feed_ranked *x = a, *y = b;

	if (x->reporters != y->reporters)
		return x->reporters > y->reporters ? -1 : 1;
	return wn_shared_key_cmp(&x->key, &y->key);
}

/*
 * More keys than a client takes (WN_BULK_FEED_MAX_KEYS): keep those
 * most reporters agree on. It takes a campaign of millions of texts.
 */
static int
wn_feed_cap(wn_feed_keys *k)
{
	wn_feed_ranked *r;
	size_t i;

	if (k->n <= WN_BULK_FEED_MAX_KEYS)
		return 0;
	if ((r = wn_calloc(k->n, sizeof(*r))) == NULL)
		return WN_ENOMEM;
	for (i = 0; i < k->n; i++) {
		r[i].key = k->v[i];
		r[i].reporters = k->reporters[i];
	}
	qsort(r, k->n, sizeof(*r), wn_feed_rank_cmp);
	wn_log_warn("bulk feed: %zu keys, more than a client takes; the %u "
	    "with the most reporters are published", k->n,
	    WN_BULK_FEED_MAX_KEYS);
	k->n = WN_BULK_FEED_MAX_KEYS;
	for (i = 0; i < k->n; i++)
		k->v[i] = r[i].key;
	wn_free(r);
	return 0;
}

/* what decides whether a signed envelope still says the same */
static void
wn_feed_hash(const wn_feed *f, const wn_feed_keys *k, uint8_t out[32])
{
	crypto_generichash_state st;
	uint8_t b[9];
	size_t i;
	int j;

	crypto_generichash_init(&st, NULL, 0, 32);
	b[0] = (uint8_t)WN_FINGERPRINT_VERSION;
	for (j = 0; j < 4; j++)
		b[1 + j] = (uint8_t)(f->min_reporters >> (8 * j));
	for (j = 0; j < 4; j++)
		b[5 + j] = (uint8_t)(f->days >> (8 * j));
	crypto_generichash_update(&st, b, sizeof(b));
	for (i = 0; i < k->n; i++) {
		b[0] = (uint8_t)k->v[i].kind;
		for (j = 0; j < 8; j++)
			b[1 + j] = (uint8_t)(k->v[i].value >> (56 - 8 * j));
		crypto_generichash_update(&st, b, sizeof(b));
	}
	crypto_generichash_final(&st, out, 32);
}

/* sign the keys (sorted) at now into the cache */
static int
wn_feed_sign(wn_feed *f, const wn_feed_keys *k, int64_t now)
{
	char (*text)[WN_SHARED_KEY_LEN + 1] = NULL;
	const char **keys = NULL;
	uint8_t h[16];
	char hex[33];
	wn_buf env;
	size_t i;
	int rc;

	if (k->n > 0 && ((text = wn_calloc(k->n, sizeof(*text))) == NULL ||
	    (keys = wn_calloc(k->n, sizeof(*keys))) == NULL)) {
		wn_free(text);
		return WN_ENOMEM;
	}
	for (i = 0; i < k->n; i++) {
		wn_shared_key_format(k->v[i].kind, k->v[i].value, text[i]);
		keys[i] = text[i];
	}
	wn_buf_init(&env);
	rc = wn_bulk_feed_build(keys, k->n, now, now + (int64_t)f->days *
	    86400, f->min_reporters, &f->key, &env);
	wn_free(keys);
	wn_free(text);
	if (rc != 0) {
		wn_buf_fini(&env);
		wn_log_err("bulk feed: cannot sign %zu keys: %s", k->n,
		    wn_strerror(rc));
		return rc;
	}
	crypto_generichash(h, sizeof(h), (const uint8_t *)env.data, env.len,
	    NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(f->etag, sizeof(f->etag), "\"%s\"", hex);
	wn_buf_fini(&f->envelope);
	f->envelope = env;
	f->signed_at = now;
	return 0;
}

/* read the keys; keep or sign the envelope; the lock is held */
static int
wn_feed_rebuild(wn_feed *f, int64_t now, int64_t generation)
{
	wn_repo_bulk_query q;
	wn_feed_keys k;
	uint8_t hash[32];
	int rc;

	memset(&k, 0, sizeof(k));
	memset(&q, 0, sizeof(q));
	wn_feed_window(now, f->days, &q.from_day, &q.to_day);
	q.version = WN_FINGERPRINT_VERSION;
	q.min_reporters = f->min_reporters;
	rc = wn_repo_db_bulk_keys(f->db, &q, wn_feed_collect, &k);
	if (rc == 0)
		rc = wn_feed_cap(&k);
	if (rc == 0) {
		if (k.n > 0)
			qsort(k.v, k.n, sizeof(*k.v), wn_shared_key_cmp);
		wn_feed_hash(f, &k, hash);
		if (!f->have || memcmp(hash, f->keys_hash, sizeof(hash)) != 0 ||
		    now < f->signed_at ||
		    now - f->signed_at >= WN_FEED_RESIGN_SECONDS)
			rc = wn_feed_sign(f, &k, now);
	}
	if (rc == 0) {
		if (!f->have || memcmp(hash, f->keys_hash, sizeof(hash)) != 0)
			wn_log_info("bulk feed: %zu keys", k.n);
		memcpy(f->keys_hash, hash, sizeof(hash));
		f->checked = now;
		f->generation = generation;
		f->have = true;
	} else {
		f->have = false;
	}
	wn_free(k.v);
	wn_free(k.reporters);
	return rc;
}

int
wn_feed_get(wn_feed *f, int64_t now, const char *if_none_match,
    wn_buf *body, char etag[72], bool *not_modified)
{
	int64_t generation = 0;
	int rc = 0;

	*not_modified = false;
	if ((rc = wn_repo_db_bulk_generation(f->db, &generation)) != 0)
		return rc;
	pthread_mutex_lock(&f->lock);
	if (!f->have || generation != f->generation || now < f->checked ||
	    now - f->checked >= WN_FEED_CACHE_SECONDS ||
	    (f->stale && now - f->checked >= 1)) {
		rc = wn_feed_rebuild(f, now, generation);
		if (rc == 0)
			f->stale = false;
	}
	if (rc == 0) {
		memcpy(etag, f->etag, sizeof(f->etag));
		if (wn_http_etag_match(if_none_match, f->etag))
			*not_modified = true;
		else
			wn_buf_append(body, f->envelope.data, f->envelope.len);
	}
	pthread_mutex_unlock(&f->lock);
	return rc;
}

void
wn_feed_stale(wn_feed *f)
{
	pthread_mutex_lock(&f->lock);
	f->stale = true;
	pthread_mutex_unlock(&f->lock);
}
