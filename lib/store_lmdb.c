/*
 * store_lmdb.c - the token store in one LMDB file (the embedded default).
 *
 * Four named databases: "tokens" (8-byte integer key = feature hash, value
 * spam count, ham count, last learned day), "digests" (16-byte message
 * digest, value the class it was learned as), "samples" (the same digest,
 * value the class, the learned day and the linear stage's sample; stores
 * made before it have none until they are written to) and "meta" (format
 * version, tokenizer settings, learned message totals, the linear model
 * under "linear").
 *
 * One environment per handle, opened with MDB_NOTLS so read transactions
 * may move between threads; every lookup is one short read transaction,
 * every learn one write transaction, retried after growing the map when it
 * is full (growth and the resize lock: lmdb_int.h). Bulk learning puts a
 * batch of messages in one transaction and sums their token changes, so
 * each token is written once a batch, in key order (token_deltas.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lmdb.h>

#include <winnow/alloc.h>
#include <winnow/err.h>
#include <winnow/store.h>

#include "lmdb_int.h"
#include "token_deltas.h"

#define WN_LMDB_DEFAULT_MAP	((size_t)256 << 20)
#define WN_LMDB_BATCH_MSGS	512	/* messages per bulk transaction */
#define WN_LMDB_MAX_MAP		((size_t)1 << 40)
#define WN_LMDB_MAX_READERS	512

typedef struct wn_lmdb_value {
	uint32_t spam;
	uint32_t ham;
	uint32_t last_day;
} wn_lmdb_value;

/* A learned message kept until its batch commits, to replay the batch
 * after the map had to grow. */
typedef struct wn_lmdb_logged {
	uint8_t digest[WN_DIGEST_LEN];
	enum wn_learn_class cls;
	uint32_t today;
	uint64_t *keys;
	size_t n;
	uint8_t *sample;	/* or NULL */
	size_t sample_len;
} wn_lmdb_logged;

typedef struct wn_store_lmdb {
	wn_store base;
	wn__lmdb lm;		/* environment, growth, errors */
	MDB_dbi tokens, digests, meta, samples;
	bool have_samples;	/* the samples database exists */
	bool readonly;
	bool bulk;
	uint64_t seed;
	uint32_t osb_window;
	MDB_txn *batch;		/* open bulk transaction, or NULL */
	wn_lmdb_logged *log;	/* its messages */
	size_t log_n;
	wn_token_deltas deltas;	/* its token changes, for the commit */
} wn_store_lmdb;

static const wn_store_ops wn_store_lmdb_ops;

static int
wn_meta_get_u64(wn_store_lmdb *s, MDB_txn *txn, const char *key,
    uint64_t *v)
{
	MDB_val k = { strlen(key), (void *)(uintptr_t)key }, d;
	int rc = mdb_get(txn, s->meta, &k, &d);

	if (rc == MDB_NOTFOUND) {
		*v = 0;
		return 0;
	}
	if (rc != 0)
		return rc;
	if (d.mv_size != sizeof(*v))
		return MDB_CORRUPTED;
	memcpy(v, d.mv_data, sizeof(*v));
	return 0;
}

static int
wn_meta_put_u64(wn_store_lmdb *s, MDB_txn *txn, const char *key, uint64_t v)
{
	MDB_val k = { strlen(key), (void *)(uintptr_t)key };
	MDB_val d = { sizeof(v), &v };

	return mdb_put(txn, s->meta, &k, &d, 0);
}

static int
wn_lmdb_totals_txn(wn_store_lmdb *s, MDB_txn *txn, wn_store_totals *t)
{
	MDB_stat st;
	uint64_t v;
	int rc;

	memset(t, 0, sizeof(*t));
	if ((rc = wn_meta_get_u64(s, txn, "spam_msgs", &t->spam_msgs)) != 0 ||
	    (rc = wn_meta_get_u64(s, txn, "ham_msgs", &t->ham_msgs)) != 0 ||
	    (rc = wn_meta_get_u64(s, txn, "version", &v)) != 0)
		return rc;
	t->version = (uint32_t)v;
	t->seed = s->seed;
	t->osb_window = s->osb_window;
	if ((rc = mdb_stat(txn, s->tokens, &st)) != 0)
		return rc;
	t->tokens = st.ms_entries;
	return 0;
}

static int
wn_lmdb_lookup_many(wn_store *st, const uint64_t *keys, size_t n,
    wn_token_counts *out, wn_store_totals *totals_out)
{
	wn_store_lmdb *s = (wn_store_lmdb *)st;
	MDB_cursor *cur;
	MDB_txn *txn;
	size_t i;
	int rc;

	if ((rc = wn__lmdb_begin(&s->lm, MDB_RDONLY, &txn)) != 0)
		return rc;
	if ((rc = mdb_cursor_open(txn, s->tokens, &cur)) != 0) {
		rc = wn__lmdb_err(&s->lm, "lookup", rc);
		wn__lmdb_abort(&s->lm, txn);
		return rc;
	}
	/* Keys come sorted: a cursor finds the next key on the leaf page it
	 * is already on instead of descending from the root each time. */
	for (i = 0; i < n; i++) {
		MDB_val k = { sizeof(uint64_t), (void *)(uintptr_t)&keys[i] }, d;
		wn_lmdb_value v;

		rc = mdb_cursor_get(cur, &k, &d, MDB_SET);
		if (rc == MDB_NOTFOUND) {
			out[i].spam = out[i].ham = 0;
			continue;
		}
		if (rc != 0 || d.mv_size != sizeof(v)) {
			rc = wn__lmdb_err(&s->lm, "lookup", rc ? rc : MDB_CORRUPTED);
			mdb_cursor_close(cur);
			wn__lmdb_abort(&s->lm, txn);
			return rc;
		}
		memcpy(&v, d.mv_data, sizeof(v));
		out[i].spam = v.spam;
		out[i].ham = v.ham;
	}
	mdb_cursor_close(cur);
	if (totals_out != NULL && (rc = wn_lmdb_totals_txn(s, txn,
	    totals_out)) != 0) {
		rc = wn__lmdb_err(&s->lm, "totals", rc);
		wn__lmdb_abort(&s->lm, txn);
		return rc;
	}
	wn__lmdb_abort(&s->lm, txn);
	return 0;
}

/* a + d within 0 .. UINT32_MAX */
static uint32_t
wn_sat_add(uint32_t a, int64_t d)
{
	int64_t r = (int64_t)a + d;

	return r < 0 ? 0 : r > UINT32_MAX ? UINT32_MAX : (uint32_t)r;
}

/*
 * Change one token's counts by dspam and dham (day: learned on that day,
 * or 0). The cursor stays where the key is, so a key found is rewritten
 * in place, and a next key on the same page is found without descending
 * the tree again.
 */
static int
wn_lmdb_update(MDB_cursor *cur, uint64_t key, int64_t dspam, int64_t dham,
    uint32_t day)
{
	MDB_val k = { sizeof(key), &key }, d;
	wn_lmdb_value v = { 0, 0, 0 };
	bool found;
	int rc;

	rc = mdb_cursor_get(cur, &k, &d, MDB_SET_KEY);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return rc;
	if ((found = rc == 0)) {
		if (d.mv_size != sizeof(v))
			return MDB_CORRUPTED;
		memcpy(&v, d.mv_data, sizeof(v));
	}
	v.spam = wn_sat_add(v.spam, dspam);
	v.ham = wn_sat_add(v.ham, dham);
	if (day != 0)
		v.last_day = day;
	if (v.spam == 0 && v.ham == 0)
		return found ? mdb_cursor_del(cur, 0) : 0;
	d.mv_size = sizeof(v);
	d.mv_data = &v;
	return mdb_cursor_put(cur, &k, &d, found ? MDB_CURRENT : 0);
}

/* Apply spam/ham deltas (-1, 0, +1) to every key in one transaction. */
static int
wn_lmdb_apply(wn_store_lmdb *s, MDB_txn *txn, const uint64_t *keys, size_t n,
    int dspam, int dham, uint32_t today)
{
	uint32_t day = dspam > 0 || dham > 0 ? today : 0;
	MDB_cursor *cur;
	size_t i;
	int rc = 0;

	if ((rc = mdb_cursor_open(txn, s->tokens, &cur)) != 0)
		return rc;
	for (i = 0; i < n && rc == 0; i++)
		rc = wn_lmdb_update(cur, keys[i], dspam, dham, day);
	mdb_cursor_close(cur);
	return rc;
}

/*
 * Write the batch's summed token changes, in key order: neighbouring keys
 * share leaf pages, so most updates find their page where the last one
 * left the cursor. A count is clamped at 0 once, after the batch's sum
 * (one by one, a forget below 0 followed by a learn would end at 1).
 */
static int
wn_lmdb_apply_deltas(wn_store_lmdb *s, MDB_txn *txn)
{
	const wn_token_delta *d;
	MDB_cursor *cur;
	size_t i, n;
	int rc;

	if (wn_token_deltas_sorted(&s->deltas, &d, &n) != 0)
		return ENOMEM;
	if ((rc = mdb_cursor_open(txn, s->tokens, &cur)) != 0)
		return rc;
	for (i = 0; i < n && rc == 0; i++)
		if (d[i].spam != 0 || d[i].ham != 0)
			rc = wn_lmdb_update(cur, d[i].key, d[i].spam, d[i].ham,
			    d[i].day);
	mdb_cursor_close(cur);
	return rc;
}

/*
 * Keep (or for forget, or without a sample, drop) the sample of a message
 * learned as cls. only_missing: leave a sample already kept alone.
 */
static int
wn_lmdb_sample_put(wn_store_lmdb *s, MDB_txn *txn, const uint8_t *digest,
    enum wn_learn_class cls, const uint8_t *sample, size_t sample_len,
    uint32_t today, bool only_missing)
{
	MDB_val k = { WN_DIGEST_LEN, (void *)(uintptr_t)digest }, d;
	int rc;

	if (!s->have_samples)
		return 0;
	if (cls == WN_LEARN_FORGET || sample == NULL) {
		if (only_missing)
			return 0;
		rc = mdb_del(txn, s->samples, &k, NULL);
		return rc == MDB_NOTFOUND ? 0 : rc;
	}
	if (only_missing) {
		rc = mdb_get(txn, s->samples, &k, &d);
		if (rc != MDB_NOTFOUND)
			return rc;
	}
	d.mv_size = 5 + sample_len;
	d.mv_data = NULL;
	if ((rc = mdb_put(txn, s->samples, &k, &d, MDB_RESERVE)) != 0)
		return rc;
	((uint8_t *)d.mv_data)[0] = (uint8_t)cls;
	memcpy((uint8_t *)d.mv_data + 1, &today, 4);
	memcpy((uint8_t *)d.mv_data + 5, sample, sample_len);
	return 0;
}

/* Learn one message inside txn; MDB error codes returned. */
static int
wn_lmdb_learn_txn(wn_store_lmdb *s, MDB_txn *txn, const uint8_t *digest,
    enum wn_learn_class cls, const uint64_t *keys, size_t n,
    const uint8_t *sample, size_t sample_len, uint32_t today,
    enum wn_learn_result *res)
{
	MDB_val dk = { WN_DIGEST_LEN, (void *)(uintptr_t)digest }, dv;
	uint64_t spam_msgs, ham_msgs;
	int rc, had = -1, dspam = 0, dham = 0;
	uint8_t c;

	rc = mdb_get(txn, s->digests, &dk, &dv);
	if (rc == 0 && dv.mv_size == 1)
		had = ((const uint8_t *)dv.mv_data)[0];
	else if (rc != MDB_NOTFOUND)
		return rc;
	if (cls == WN_LEARN_FORGET) {
		if (had < 0) {
			*res = WN_LEARN_UNKNOWN;
			return 0;
		}
		*res = WN_LEARN_FORGOTTEN;
	} else if (had == (int)cls) {
		*res = WN_LEARN_DUPLICATE;
		/* Learned before samples were kept: keep one now. */
		return wn_lmdb_sample_put(s, txn, digest, cls, sample,
		    sample_len, today, true);
	} else
		*res = had < 0 ? WN_LEARNED : WN_LEARN_MOVED;
	if ((rc = wn_meta_get_u64(s, txn, "spam_msgs", &spam_msgs)) != 0 ||
	    (rc = wn_meta_get_u64(s, txn, "ham_msgs", &ham_msgs)) != 0)
		return rc;

	/* Undo what the earlier learning counted, then count the new. */
	if (had == WN_LEARN_SPAM) {
		dspam--;
		spam_msgs -= spam_msgs > 0;
	} else if (had == WN_LEARN_HAM) {
		dham--;
		ham_msgs -= ham_msgs > 0;
	}
	if (cls == WN_LEARN_SPAM) {
		dspam++;
		spam_msgs++;
	} else if (cls == WN_LEARN_HAM) {
		dham++;
		ham_msgs++;
	}
	/* A batch writes its tokens when it commits. */
	if (txn == s->batch)
		rc = wn_token_deltas_add(&s->deltas, keys, n, dspam, dham,
		    today) == 0 ? 0 : ENOMEM;
	else
		rc = wn_lmdb_apply(s, txn, keys, n, dspam, dham, today);
	if (rc != 0 ||
	    (rc = wn_meta_put_u64(s, txn, "spam_msgs", spam_msgs)) != 0 ||
	    (rc = wn_meta_put_u64(s, txn, "ham_msgs", ham_msgs)) != 0)
		return rc;
	if ((rc = wn_lmdb_sample_put(s, txn, digest, cls, sample, sample_len,
	    today, false)) != 0)
		return rc;
	if (cls == WN_LEARN_FORGET)
		return mdb_del(txn, s->digests, &dk, NULL);
	c = (uint8_t)cls;
	dv.mv_size = 1;
	dv.mv_data = &c;
	return mdb_put(txn, s->digests, &dk, &dv, 0);
}

static void
wn_lmdb_log_clear(wn_store_lmdb *s)
{
	size_t i;

	for (i = 0; i < s->log_n; i++) {
		wn_free(s->log[i].keys);
		wn_free(s->log[i].sample);
	}
	s->log_n = 0;
	wn_token_deltas_clear(&s->deltas);
}

/* Replay the logged batch in the open batch transaction. */
static int
wn_lmdb_replay(wn_store_lmdb *s)
{
	enum wn_learn_result res;
	size_t i;
	int rc;

	wn_token_deltas_clear(&s->deltas);
	for (i = 0; i < s->log_n; i++) {
		wn_lmdb_logged *l = &s->log[i];

		if ((rc = wn_lmdb_learn_txn(s, s->batch, l->digest, l->cls,
		    l->keys, l->n, l->sample, l->sample_len, l->today,
		    &res)) != 0)
			return rc;
	}
	return 0;
}

/* Drop the open batch after an error; its messages are not learned. */
static void
wn_lmdb_batch_abort(wn_store_lmdb *s)
{
	if (s->batch != NULL)
		wn__lmdb_abort(&s->lm, s->batch);
	s->batch = NULL;
	wn_lmdb_log_clear(s);
}

/* Grow the map and start the batch over from its log. */
static int
wn_lmdb_batch_regrow(wn_store_lmdb *s)
{
	int rc;

	for (;;) {
		wn__lmdb_abort(&s->lm, s->batch);
		s->batch = NULL;
		if ((rc = wn__lmdb_grow(&s->lm, false)) != 0)
			return rc;
		if ((rc = wn__lmdb_begin(&s->lm, 0, &s->batch)) != 0)
			return rc;
		rc = wn_lmdb_replay(s);
		if (rc != MDB_MAP_FULL)
			return rc == 0 ? 0 : wn__lmdb_err(&s->lm, "learn", rc);
	}
}

static int
wn_lmdb_flush(wn_store *st)
{
	wn_store_lmdb *s = (wn_store_lmdb *)st;
	size_t n = s->log_n;
	int rc;

	if (s->batch == NULL)
		return 0;
	for (;;) {
		if ((rc = wn_lmdb_apply_deltas(s, s->batch)) == 0) {
			rc = wn__lmdb_commit(&s->lm, s->batch);
			s->batch = NULL;
		}
		if (rc != MDB_MAP_FULL)
			break;
		/* The tokens or the commit needed room: grow, replay, retry
		 * (regrowing ends a transaction still open). */
		if ((s->batch == NULL &&
		    (rc = wn__lmdb_begin(&s->lm, 0, &s->batch)) != 0) ||
		    (rc = wn_lmdb_batch_regrow(s)) != 0) {
			wn_lmdb_batch_abort(s);
			return rc;
		}
	}
	if (s->batch != NULL) {
		/* Writing the tokens failed: the batch is not stored. */
		wn__lmdb_abort(&s->lm, s->batch);
		s->batch = NULL;
	}
	wn_lmdb_log_clear(s);
	if (rc != 0) {
		rc = wn__lmdb_err(&s->lm, "commit", rc);
		snprintf(s->base.error + strlen(s->base.error),
		    sizeof(s->base.error) - strlen(s->base.error),
		    "; the last %zu learned messages were not stored", n);
		return rc;
	}
	if ((rc = mdb_env_sync(s->lm.env, 1)) != 0)
		return wn__lmdb_err(&s->lm, "sync", rc);
	return 0;
}

/* Bulk mode: learn into the open batch, logging for a replay. */
static int
wn_lmdb_learn_bulk(wn_store_lmdb *s, const uint8_t *digest,
    enum wn_learn_class cls, const uint64_t *keys, size_t n,
    const uint8_t *sample, size_t sample_len, uint32_t today,
    enum wn_learn_result *res)
{
	wn_lmdb_logged *l;
	int rc;

	if (s->batch == NULL) {
		if ((rc = wn__lmdb_begin(&s->lm, 0, &s->batch)) != 0)
			return rc;
		if (s->log == NULL && (s->log = wn_calloc(WN_LMDB_BATCH_MSGS,
		    sizeof(*s->log))) == NULL) {
			wn_lmdb_batch_abort(s);
			return WN_ENOMEM;
		}
	}
	l = &s->log[s->log_n];
	memcpy(l->digest, digest, WN_DIGEST_LEN);
	l->cls = cls;
	l->today = today;
	l->n = n;
	if ((l->keys = wn_malloc((n ? n : 1) * sizeof(*keys))) == NULL) {
		wn_lmdb_batch_abort(s);
		return WN_ENOMEM;
	}
	memcpy(l->keys, keys, n * sizeof(*keys));
	l->sample = NULL;
	l->sample_len = sample_len;
	s->log_n++;
	if (sample != NULL) {
		if ((l->sample = wn_malloc(sample_len ? sample_len : 1)) ==
		    NULL) {
			wn_lmdb_batch_abort(s);
			return WN_ENOMEM;
		}
		memcpy(l->sample, sample, sample_len);
	}
	rc = wn_lmdb_learn_txn(s, s->batch, digest, cls, keys, n, sample,
	    sample_len, today, res);
	if (rc == MDB_MAP_FULL)
		rc = wn_lmdb_batch_regrow(s);
	else if (rc != 0)
		rc = wn__lmdb_err(&s->lm, "learn", rc);
	if (rc != 0) {
		wn_lmdb_batch_abort(s);
		return rc;
	}
	if (s->log_n == WN_LMDB_BATCH_MSGS)
		return wn_lmdb_flush(&s->base);
	return 0;
}

/*
 * One write transaction running fn, committed; when the map is full, the
 * aborted transaction left the store as it was: grow and run it again.
 * fn returns MDB codes; what names the work in an error.
 */
static int
wn_lmdb_write(wn_store_lmdb *s, const char *what,
    int (*fn)(wn_store_lmdb *s, MDB_txn *txn, void *arg), void *arg)
{
	MDB_txn *txn;
	int rc, tries;

	if (s->readonly) {
		snprintf(s->base.error, sizeof(s->base.error),
		    "store opened read-only");
		return WN_EINVAL;
	}
	for (tries = 0; tries < 16; tries++) {
		if ((rc = wn__lmdb_begin(&s->lm, 0, &txn)) != 0)
			return rc;
		if ((rc = fn(s, txn, arg)) == 0)
			rc = wn__lmdb_commit(&s->lm, txn);
		else
			wn__lmdb_abort(&s->lm, txn);
		if (rc != MDB_MAP_FULL)
			break;
		if ((rc = wn__lmdb_grow(&s->lm, false)) != 0)
			return rc;
	}
	return rc == 0 ? 0 : wn__lmdb_err(&s->lm, what, rc);
}

typedef struct wn_lmdb_learn_args {
	const uint8_t *digest;
	enum wn_learn_class cls;
	const uint64_t *keys;
	size_t n;
	const uint8_t *sample;
	size_t sample_len;
	uint32_t today;
	enum wn_learn_result *res;
} wn_lmdb_learn_args;

static int
wn_lmdb_learn_fn(wn_store_lmdb *s, MDB_txn *txn, void *arg)
{
	const wn_lmdb_learn_args *a = arg;

	return wn_lmdb_learn_txn(s, txn, a->digest, a->cls, a->keys, a->n,
	    a->sample, a->sample_len, a->today, a->res);
}

static int
wn_lmdb_learn(wn_store *st, const uint8_t digest[WN_DIGEST_LEN],
    enum wn_learn_class cls, const uint64_t *keys, size_t n,
    const uint8_t *sample, size_t sample_len, uint32_t today,
    enum wn_learn_result *result_out)
{
	wn_store_lmdb *s = (wn_store_lmdb *)st;
	wn_lmdb_learn_args a = { digest, cls, keys, n, sample, sample_len,
	    today, result_out };

	if (s->bulk && !s->readonly)
		return wn_lmdb_learn_bulk(s, digest, cls, keys, n, sample,
		    sample_len, today, result_out);
	return wn_lmdb_write(s, "learn", wn_lmdb_learn_fn, &a);
}

static int
wn_lmdb_totals(wn_store *st, wn_store_totals *out)
{
	wn_store_lmdb *s = (wn_store_lmdb *)st;
	MDB_txn *txn;
	int rc;

	if ((rc = wn__lmdb_begin(&s->lm, MDB_RDONLY, &txn)) != 0)
		return rc;
	rc = wn_lmdb_totals_txn(s, txn, out);
	wn__lmdb_abort(&s->lm, txn);
	return rc == 0 ? 0 : wn__lmdb_err(&s->lm, "totals", rc);
}

typedef struct wn_lmdb_each_ctx {
	int (*fn)(const wn_store_entry *e, void *arg);
	void *arg;
} wn_lmdb_each_ctx;

static int
wn_lmdb_each_row(MDB_txn *txn, const MDB_val *k, const MDB_val *d,
    void *arg, int *bad)
{
	wn_lmdb_each_ctx *c = arg;
	wn_store_entry e;
	wn_lmdb_value v;

	(void)txn;
	if (k->mv_size != sizeof(uint64_t) || d->mv_size != sizeof(v)) {
		*bad = MDB_CORRUPTED;
		return 0;
	}
	memcpy(&e.hash, k->mv_data, sizeof(e.hash));
	memcpy(&v, d->mv_data, sizeof(v));
	e.spam = v.spam;
	e.ham = v.ham;
	e.last_day = v.last_day;
	return c->fn(&e, c->arg);
}

static int
wn_lmdb_each(wn_store *st, int (*fn)(const wn_store_entry *e, void *arg),
    void *arg)
{
	wn_store_lmdb *s = (wn_store_lmdb *)st;
	wn_lmdb_each_ctx c = { fn, arg };

	return wn__lmdb_walk(&s->lm, s->tokens, "read", wn_lmdb_each_row, &c);
}

static int
wn_lmdb_load_once(wn_store_lmdb *s, const wn_store_entry *e, size_t n,
    uint64_t spam_msgs, uint64_t ham_msgs)
{
	MDB_txn *txn;
	uint64_t sm, hm;
	size_t i;
	int rc;

	if ((rc = wn__lmdb_begin(&s->lm, 0, &txn)) != 0)
		return rc;
	for (i = 0; i < n; i++) {
		MDB_val k = { sizeof(uint64_t), (void *)(uintptr_t)&e[i].hash }, d;
		wn_lmdb_value v = { 0, 0, 0 };

		rc = mdb_get(txn, s->tokens, &k, &d);
		if (rc == 0 && d.mv_size == sizeof(v))
			memcpy(&v, d.mv_data, sizeof(v));
		else if (rc != MDB_NOTFOUND)
			goto fail;
		v.spam = (uint32_t)(v.spam + (uint64_t)e[i].spam > UINT32_MAX ?
		    UINT32_MAX : v.spam + e[i].spam);
		v.ham = (uint32_t)(v.ham + (uint64_t)e[i].ham > UINT32_MAX ?
		    UINT32_MAX : v.ham + e[i].ham);
		if (e[i].last_day > v.last_day)
			v.last_day = e[i].last_day;
		d.mv_size = sizeof(v);
		d.mv_data = &v;
		if ((rc = mdb_put(txn, s->tokens, &k, &d, 0)) != 0)
			goto fail;
	}
	if ((rc = wn_meta_get_u64(s, txn, "spam_msgs", &sm)) != 0 ||
	    (rc = wn_meta_get_u64(s, txn, "ham_msgs", &hm)) != 0 ||
	    (rc = wn_meta_put_u64(s, txn, "spam_msgs", sm + spam_msgs)) != 0 ||
	    (rc = wn_meta_put_u64(s, txn, "ham_msgs", hm + ham_msgs)) != 0)
		goto fail;
	return wn__lmdb_commit(&s->lm, txn);
fail:
	wn__lmdb_abort(&s->lm, txn);
	return rc;
}

static int
wn_lmdb_load(wn_store *st, const wn_store_entry *e, size_t n,
    uint64_t spam_msgs, uint64_t ham_msgs)
{
	wn_store_lmdb *s = (wn_store_lmdb *)st;
	int rc, tries;

	if (s->readonly)
		return WN_EINVAL;
	for (tries = 0; tries < 16; tries++) {
		rc = wn_lmdb_load_once(s, e, n, spam_msgs, ham_msgs);
		if (rc < 0)
			return rc;
		if (rc != MDB_MAP_FULL)
			break;
		if ((rc = wn__lmdb_grow(&s->lm, false)) != 0)
			return rc;
	}
	return rc == 0 ? 0 : wn__lmdb_err(&s->lm, "load", rc);
}

static int
wn_lmdb_expire(wn_store *st, uint32_t before_day, uint32_t max_count,
    uint64_t *removed_out)
{
	wn_store_lmdb *s = (wn_store_lmdb *)st;
	MDB_txn *txn;
	MDB_cursor *cur;
	MDB_val k, d;
	uint64_t removed = 0;
	int rc;

	*removed_out = 0;
	if (s->readonly)
		return WN_EINVAL;
	if ((rc = wn__lmdb_begin(&s->lm, 0, &txn)) != 0)
		return rc;
	if ((rc = mdb_cursor_open(txn, s->tokens, &cur)) != 0)
		goto fail;
	for (rc = mdb_cursor_get(cur, &k, &d, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) {
		wn_lmdb_value v;

		if (d.mv_size != sizeof(v))
			continue;
		memcpy(&v, d.mv_data, sizeof(v));
		if (v.last_day < before_day &&
		    (uint64_t)v.spam + v.ham <= max_count) {
			if ((rc = mdb_cursor_del(cur, 0)) != 0)
				break;
			removed++;
		}
	}
	mdb_cursor_close(cur);
	if (rc != 0 && rc != MDB_NOTFOUND)
		goto fail;
	if ((rc = wn__lmdb_commit(&s->lm, txn)) != 0)
		return wn__lmdb_err(&s->lm, "expire", rc);
	*removed_out = removed;
	return 0;
fail:
	wn__lmdb_abort(&s->lm, txn);
	return wn__lmdb_err(&s->lm, "expire", rc);
}

typedef struct wn_lmdb_samples_ctx {
	int (*fn)(enum wn_learn_class cls, uint32_t day, const uint8_t *data,
	    size_t len, void *arg);
	void *arg;
} wn_lmdb_samples_ctx;

static int
wn_lmdb_samples_row(MDB_txn *txn, const MDB_val *k, const MDB_val *d,
    void *arg, int *bad)
{
	wn_lmdb_samples_ctx *c = arg;
	const uint8_t *v = d->mv_data;
	uint32_t day;

	(void)txn;
	(void)k;
	if (d->mv_size < 5) {
		*bad = MDB_CORRUPTED;
		return 0;
	}
	memcpy(&day, v + 1, 4);
	return c->fn((enum wn_learn_class)v[0], day, v + 5, d->mv_size - 5,
	    c->arg);
}

static int
wn_lmdb_samples_each(wn_store *st, int (*fn)(enum wn_learn_class cls,
    uint32_t day, const uint8_t *data, size_t len, void *arg), void *arg)
{
	wn_store_lmdb *s = (wn_store_lmdb *)st;
	wn_lmdb_samples_ctx c = { fn, arg };

	if (!s->have_samples)
		return 0;
	return wn__lmdb_walk(&s->lm, s->samples, "samples",
	    wn_lmdb_samples_row, &c);
}

static int
wn_lmdb_model_read(wn_store *st, int (*fn)(const void *blob, size_t len,
    void *arg), void *arg)
{
	wn_store_lmdb *s = (wn_store_lmdb *)st;
	MDB_val k = { 6, (void *)(uintptr_t)"linear" }, d;
	MDB_txn *txn;
	int rc;

	if ((rc = wn__lmdb_begin(&s->lm, MDB_RDONLY, &txn)) != 0)
		return rc;
	rc = mdb_get(txn, s->meta, &k, &d);
	if (rc == 0)
		rc = fn(d.mv_data, d.mv_size, arg);
	else if (rc == MDB_NOTFOUND)
		rc = WN_ENOENT;
	else
		rc = wn__lmdb_err(&s->lm, "model", rc);
	wn__lmdb_abort(&s->lm, txn);
	return rc;
}

static int
wn_lmdb_model_put(wn_store_lmdb *s, MDB_txn *txn, void *arg)
{
	MDB_val k = { 6, (void *)(uintptr_t)"linear" };

	return mdb_put(txn, s->meta, &k, arg, 0);
}

static int
wn_lmdb_model_write(wn_store *st, const void *blob, size_t len)
{
	wn_store_lmdb *s = (wn_store_lmdb *)st;
	MDB_val d = { len, (void *)(uintptr_t)blob };
	int rc;

	if (!s->readonly && (rc = wn_lmdb_flush(st)) != 0)
		return rc;
	return wn_lmdb_write(s, "model", wn_lmdb_model_put, &d);
}

typedef struct wn_lmdb_messages_ctx {
	wn_store_lmdb *s;
	int (*fn)(const wn_store_message *m, void *arg);
	void *arg;
} wn_lmdb_messages_ctx;

static int
wn_lmdb_messages_row(MDB_txn *txn, const MDB_val *k, const MDB_val *d,
    void *arg, int *bad)
{
	wn_lmdb_messages_ctx *c = arg;
	wn_store_message m = { .sample = NULL };
	MDB_val key = *k, sd;
	uint8_t cls;
	int rc;

	if (k->mv_size != WN_DIGEST_LEN || d->mv_size != 1 ||
	    ((cls = *(const uint8_t *)d->mv_data) != WN_LEARN_SPAM &&
	    cls != WN_LEARN_HAM)) {
		*bad = MDB_CORRUPTED;
		return 0;
	}
	memcpy(m.digest, k->mv_data, WN_DIGEST_LEN);
	m.cls = (enum wn_learn_class)cls;
	if (c->s->have_samples) {
		rc = mdb_get(txn, c->s->samples, &key, &sd);
		if (rc == 0 && sd.mv_size >= 5) {
			memcpy(&m.day, (const uint8_t *)sd.mv_data + 1, 4);
			m.sample = (const uint8_t *)sd.mv_data + 5;
			m.sample_len = sd.mv_size - 5;
		} else if (rc != MDB_NOTFOUND) {
			*bad = rc == 0 ? MDB_CORRUPTED : rc;
			return 0;
		}
	}
	return c->fn(&m, c->arg);
}

static int
wn_lmdb_messages_each(wn_store *st, int (*fn)(const wn_store_message *m,
    void *arg), void *arg)
{
	wn_store_lmdb *s = (wn_store_lmdb *)st;
	wn_lmdb_messages_ctx c = { s, fn, arg };

	return wn__lmdb_walk(&s->lm, s->digests, "digests",
	    wn_lmdb_messages_row, &c);
}

typedef struct wn_lmdb_messages_args {
	const wn_store_message *m;
	size_t n;
	size_t added;
} wn_lmdb_messages_args;

static int
wn_lmdb_messages_fn(wn_store_lmdb *s, MDB_txn *txn, void *arg)
{
	wn_lmdb_messages_args *a = arg;
	size_t i;
	int rc;

	a->added = 0;
	for (i = 0; i < a->n; i++) {
		const wn_store_message *m = &a->m[i];
		MDB_val k = { WN_DIGEST_LEN, (void *)(uintptr_t)m->digest }, d;
		uint8_t c = (uint8_t)m->cls;

		d.mv_size = 1;
		d.mv_data = &c;
		rc = mdb_put(txn, s->digests, &k, &d, MDB_NOOVERWRITE);
		if (rc == MDB_KEYEXIST)
			continue;
		if (rc != 0 || (m->sample != NULL &&
		    (rc = wn_lmdb_sample_put(s, txn, m->digest, m->cls,
		    m->sample, m->sample_len, m->day, false)) != 0))
			return rc;
		a->added++;
	}
	return 0;
}

static int
wn_lmdb_messages_load(wn_store *st, const wn_store_message *m, size_t n,
    size_t *added_out)
{
	wn_store_lmdb *s = (wn_store_lmdb *)st;
	wn_lmdb_messages_args a = { m, n, 0 };
	int rc;

	*added_out = 0;
	if (!s->readonly && (rc = wn_lmdb_flush(st)) != 0)
		return rc;
	if ((rc = wn_lmdb_write(s, "load", wn_lmdb_messages_fn, &a)) == 0)
		*added_out = a.added;
	return rc;
}

static void
wn_lmdb_close(wn_store *st)
{
	wn_store_lmdb *s = (wn_store_lmdb *)st;

	if (s->lm.env != NULL) {
		/* Callers that care about a failed commit flush first. */
		wn_lmdb_flush(st);
		if (!s->readonly)
			mdb_env_sync(s->lm.env, 1);
	}
	wn__lmdb_fini(&s->lm);
	wn_free(s->log);
	wn_token_deltas_free(&s->deltas);
	wn_free(s);
}

static const wn_store_ops wn_store_lmdb_ops = {
	.name = "lmdb",
	.lookup_many = wn_lmdb_lookup_many,
	.learn = wn_lmdb_learn,
	.totals = wn_lmdb_totals,
	.each = wn_lmdb_each,
	.load = wn_lmdb_load,
	.expire = wn_lmdb_expire,
	.flush = wn_lmdb_flush,
	.close = wn_lmdb_close,
	.samples_each = wn_lmdb_samples_each,
	.model_read = wn_lmdb_model_read,
	.model_write = wn_lmdb_model_write,
	.messages_each = wn_lmdb_messages_each,
	.messages_load = wn_lmdb_messages_load,
};

/* Open the named databases and check or write the meta records. */
static int
wn_lmdb_setup(wn_store_lmdb *s, unsigned flags, const wn_store_params *p)
{
	MDB_txn *txn;
	unsigned dbflags = (flags & WN_STORE_CREATE) ? MDB_CREATE : 0;
	uint64_t version, v;
	int rc;

	if ((rc = mdb_txn_begin(s->lm.env, NULL, s->readonly ? MDB_RDONLY : 0,
	    &txn)) != 0)
		return wn__lmdb_err(&s->lm, "open", rc);
	if ((rc = mdb_dbi_open(txn, "meta", dbflags, &s->meta)) != 0 ||
	    (rc = mdb_dbi_open(txn, "tokens", dbflags | MDB_INTEGERKEY,
	    &s->tokens)) != 0 ||
	    (rc = mdb_dbi_open(txn, "digests", dbflags, &s->digests)) != 0) {
		mdb_txn_abort(txn);
		if (rc == MDB_NOTFOUND) {
			snprintf(s->base.error, sizeof(s->base.error),
			    "not a winnow token store");
			return WN_EFORMAT;
		}
		return wn__lmdb_err(&s->lm, "open", rc);
	}
	/* Stores made before samples were kept gain the database when
	 * opened for writing; read-only, they have none. */
	rc = mdb_dbi_open(txn, "samples", s->readonly ? 0 : MDB_CREATE,
	    &s->samples);
	if (rc != 0 && rc != MDB_NOTFOUND)
		goto fail;
	s->have_samples = rc == 0;
	if ((rc = wn_meta_get_u64(s, txn, "version", &version)) != 0)
		goto fail;
	if (version == 0) {
		if (!(flags & WN_STORE_CREATE) || s->readonly || p == NULL) {
			mdb_txn_abort(txn);
			snprintf(s->base.error, sizeof(s->base.error),
			    "not a winnow token store");
			return WN_EFORMAT;
		}
		if ((rc = wn_meta_put_u64(s, txn, "version",
		    WN_STORE_FORMAT_VERSION)) != 0 ||
		    (rc = wn_meta_put_u64(s, txn, "seed", p->seed)) != 0 ||
		    (rc = wn_meta_put_u64(s, txn, "osb_window",
		    p->osb_window)) != 0)
			goto fail;
	} else if (version > WN_STORE_FORMAT_VERSION) {
		mdb_txn_abort(txn);
		snprintf(s->base.error, sizeof(s->base.error),
		    "store format version %llu is newer than this winnow "
		    "(%d)", (unsigned long long)version,
		    WN_STORE_FORMAT_VERSION);
		return WN_EFORMAT;
	}
	if ((rc = wn_meta_get_u64(s, txn, "seed", &s->seed)) != 0 ||
	    (rc = wn_meta_get_u64(s, txn, "osb_window", &v)) != 0)
		goto fail;
	s->osb_window = (uint32_t)v;
	/* Commit even a read-only transaction: database handles opened in
	 * an aborted one are closed with it. */
	if ((rc = mdb_txn_commit(txn)) != 0)
		return wn__lmdb_err(&s->lm, "open", rc);
	return 0;
fail:
	mdb_txn_abort(txn);
	return wn__lmdb_err(&s->lm, "open", rc);
}

/* Report an open failure into the caller's buffer and clean up. */
static int
wn_lmdb_open_fail(wn_store_lmdb *s, int code, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s", s->base.error);
	if (s->lm.env != NULL)
		mdb_env_close(s->lm.env);
	s->lm.env = NULL;	/* nothing to flush or sync */
	wn_lmdb_close(&s->base);
	return code;
}

int
wn_store_open_lmdb(const char *path, unsigned flags,
    const wn_store_params *params, wn_store **st_out, char *err,
    size_t errlen)
{
	wn_store_lmdb *s;
	struct stat sb;
	size_t map;
	unsigned envflags = MDB_NOSUBDIR | MDB_NOTLS;
	int rc;

	*st_out = NULL;
	snprintf(err, errlen, "%s", "");
	if (stat(path, &sb) != 0) {
		if (errno != ENOENT || !(flags & WN_STORE_CREATE) ||
		    (flags & WN_STORE_READONLY)) {
			snprintf(err, errlen, "%s", errno == ENOENT ?
			    "no such store (learn some mail first)" :
			    strerror(errno));
			return errno == ENOENT ? WN_ENOENT : WN_EIO;
		}
	} else if (!S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s", S_ISDIR(sb.st_mode) ?
		    "is a directory, not a store file" : "not a regular file");
		return WN_EIO;
	}
	if ((s = wn_calloc(1, sizeof(*s))) == NULL)
		return WN_ENOMEM;
	s->base.ops = &wn_store_lmdb_ops;
	s->readonly = (flags & WN_STORE_READONLY) != 0;
	wn__lmdb_init(&s->lm, WN_LMDB_MAX_MAP, s->base.error,
	    sizeof(s->base.error));
	if ((rc = mdb_env_create(&s->lm.env)) != 0) {
		s->lm.env = NULL;
		return wn_lmdb_open_fail(s, wn__lmdb_err(&s->lm, "create", rc),
		    err, errlen);
	}
	map = params && params->map_size ? params->map_size :
	    WN_LMDB_DEFAULT_MAP;
	if (stat(path, &sb) == 0 && (size_t)sb.st_size > map)
		map = (size_t)sb.st_size;
	mdb_env_set_maxdbs(s->lm.env, 4);
	mdb_env_set_maxreaders(s->lm.env, WN_LMDB_MAX_READERS);
	mdb_env_set_mapsize(s->lm.env, map);
	if (s->readonly)
		envflags |= MDB_RDONLY;
	else if (flags & WN_STORE_BULK) {
		/* Synced explicitly at each batch commit. */
		envflags |= MDB_NOSYNC | MDB_NOMETASYNC;
		s->bulk = true;
	}
	if ((rc = mdb_env_open(s->lm.env, path, envflags, 0644)) != 0)
		return wn_lmdb_open_fail(s, wn__lmdb_err(&s->lm, "open", rc),
		    err, errlen);
	if ((rc = wn_lmdb_setup(s, flags, params)) != 0)
		return wn_lmdb_open_fail(s, rc, err, errlen);
	*st_out = &s->base;
	return 0;
}

void
wn_store_close(wn_store **stp)
{
	if (stp == NULL || *stp == NULL)
		return;
	(*stp)->ops->close(*stp);
	*stp = NULL;
}

const char *
wn_store_error(const wn_store *st)
{
	return st ? st->error : "";
}
