/*
 * store.h - the Bayesian token store: counts per feature hash.
 *
 * A store keeps, per 64-bit feature hash, how many learned spam and ham
 * messages contained it and the day it was last learned; the number of
 * learned messages per class; the digests of learned messages, so learning
 * a message twice changes nothing and learning it as the other class moves
 * it; where the backend keeps them, a sample of each learned message and
 * the linear model trained on them (linear.h); and the tokenizer settings the hashes were made with (seed, bigram
 * window), so every reader tokenizes the same way.
 *
 * Interchangeable backends implement wn_store_ops; wn_store_open_lmdb is the
 * embedded default. Lifecycle: wn_store_open_* -> lookup / learn ... ->
 * wn_store_close(&st). One handle per process is shared by all threads for
 * lookups (each lookup is one short read transaction); learning takes the
 * single writer path and may run in another process at the same time.
 *
 * Errors: WN_EIO (errno or a backend message in wn_store_error), WN_ETEMP
 * (a network backend is unreachable now; try again), WN_EFORMAT
 * (not a store, or a newer format version), WN_ENOMEM, WN_ELIMIT (disk or
 * map full after growth), WN_EINVAL.
 */
#ifndef WINNOW_STORE_H
#define WINNOW_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WN_STORE_FORMAT_VERSION 1

typedef struct wn_token_counts {
	uint32_t spam;
	uint32_t ham;
} wn_token_counts;

typedef struct wn_store_totals {
	uint64_t spam_msgs;	/* messages learned as spam */
	uint64_t ham_msgs;
	uint64_t tokens;	/* distinct features stored */
	uint32_t version;	/* format version */
	uint64_t seed;		/* tokenizer seed */
	uint32_t osb_window;	/* tokenizer bigram window */
} wn_store_totals;

enum wn_learn_class {
	WN_LEARN_SPAM,
	WN_LEARN_HAM,
	WN_LEARN_FORGET
};

enum wn_learn_result {
	WN_LEARNED,		/* counted for the first time */
	WN_LEARN_MOVED,		/* was learned as the other class */
	WN_LEARN_DUPLICATE,	/* already learned as this class */
	WN_LEARN_FORGOTTEN,	/* forget: removed */
	WN_LEARN_UNKNOWN	/* forget: was never learned */
};

#define WN_DIGEST_LEN 16

typedef struct wn_store wn_store;

/* One stored token, for dump and load. */
typedef struct wn_store_entry {
	uint64_t hash;
	uint32_t spam;
	uint32_t ham;
	uint32_t last_day;	/* days since 1970-01-01 */
} wn_store_entry;

/* One learned message, for dump and load: its digest and class, and the
 * sample kept with it (sample NULL when none is). */
typedef struct wn_store_message {
	uint8_t digest[WN_DIGEST_LEN];
	enum wn_learn_class cls;	/* WN_LEARN_SPAM or WN_LEARN_HAM */
	uint32_t day;			/* the sample's learned day */
	const uint8_t *sample;
	size_t sample_len;
} wn_store_message;

typedef struct wn_store_ops {
	const char *name;
	/* counts of n keys (sorted ascending, distinct) into out[0..n) */
	int (*lookup_many)(wn_store *st, const uint64_t *keys, size_t n,
	    wn_token_counts *out, wn_store_totals *totals_out);
	/* learn or forget one message: keys sorted, distinct; sample
	 * (sample_len bytes, may be NULL) is kept with the message for the
	 * linear stage by a backend that keeps samples */
	int (*learn)(wn_store *st, const uint8_t digest[WN_DIGEST_LEN],
	    enum wn_learn_class cls, const uint64_t *keys, size_t n,
	    const uint8_t *sample, size_t sample_len, uint32_t today,
	    enum wn_learn_result *result_out);
	int (*totals)(wn_store *st, wn_store_totals *out);
	/* call fn for every token in key order; stops when fn returns != 0 */
	int (*each)(wn_store *st, int (*fn)(const wn_store_entry *e, void *arg),
	    void *arg);
	/* add entries (counts added, last_day max) and message totals */
	int (*load)(wn_store *st, const wn_store_entry *e, size_t n,
	    uint64_t spam_msgs, uint64_t ham_msgs);
	/* remove tokens last learned before day and seen <= max_count times */
	int (*expire)(wn_store *st, uint32_t before_day, uint32_t max_count,
	    uint64_t *removed_out);
	/* commit learning batched by WN_STORE_BULK; no-op otherwise */
	int (*flush)(wn_store *st);
	void (*close)(wn_store *st);

	/* Optional, NULL where the backend keeps no samples (Redis). */
	/* call fn for every kept sample; stops when fn returns != 0 */
	int (*samples_each)(wn_store *st, int (*fn)(enum wn_learn_class cls,
	    uint32_t day, const uint8_t *data, size_t len, void *arg),
	    void *arg);
	/* call fn on the stored linear model inside one read transaction;
	 * WN_ENOENT when there is none */
	int (*model_read)(wn_store *st, int (*fn)(const void *blob,
	    size_t len, void *arg), void *arg);
	/* replace the stored linear model */
	int (*model_write)(wn_store *st, const void *blob, size_t len);
	/* call fn for every learned message in digest order; stops when fn
	 * returns != 0 */
	int (*messages_each)(wn_store *st, int (*fn)(const wn_store_message *m,
	    void *arg), void *arg);
	/* record learned messages as a dump has them, the counts untouched
	 * (load adds those): a digest the store has already keeps its class
	 * and sample; *added_out counts the new ones */
	int (*messages_load)(wn_store *st, const wn_store_message *m,
	    size_t n, size_t *added_out);
} wn_store_ops;

struct wn_store {
	const wn_store_ops *ops;
	char error[256];	/* last backend error, for messages */
};

enum {
	WN_STORE_READONLY = 1u << 0,	/* never write (classification) */
	WN_STORE_CREATE = 1u << 1,	/* create if missing */
	WN_STORE_BULK = 1u << 2		/* many writes: learn in batches of
					 * messages per transaction, synced at
					 * flush and close; a failed commit
					 * loses only the open batch, which
					 * flush reports */
};

/* Settings recorded in a new store. */
typedef struct wn_store_params {
	uint64_t seed;
	uint32_t osb_window;
	size_t map_size;	/* initial LMDB map size; 0: default */
} wn_store_params;

/*
 * wn_store_open_lmdb - open (or with WN_STORE_CREATE create, recording
 * params) the LMDB store file at path; its lock file is path + "-lock".
 * params may be NULL when the store exists. On failure a message for the
 * operator is written to err[0..errlen) (it does not repeat the path).
 */
int wn_store_open_lmdb(const char *path, unsigned flags,
    const wn_store_params *params, wn_store **st_out, char *err,
    size_t errlen);

/*
 * wn_store_open_redis - open (or with WN_STORE_CREATE create) the store
 * in the Redis database at url:
 *
 *   redis://[:PASSWORD@]HOST[:PORT][/DB][?prefix=P&timeout=MS]
 *   redis+unix://[:PASSWORD@]/PATH/TO/SOCKET[?db=DB&prefix=P&timeout=MS]
 *
 * PORT defaults to 6379, DB to 0, the key prefix P to "winnow:" and the
 * timeout of one command to 2000 ms. Every host of a fleet opening the
 * same URL shares one model. A connection that fails is retried on the
 * next call, so the store comes back by itself when Redis does; until
 * then calls fail with WN_ETEMP and the reason in wn_store_error.
 * WN_STORE_BULK and map_size do not apply.
 */
int wn_store_open_redis(const char *url, unsigned flags,
    const wn_store_params *params, wn_store **st_out, char *err,
    size_t errlen);

/* wn_store_is_redis - spec names a Redis store (redis:// or redis+unix://) */
bool wn_store_is_redis(const char *spec);

/* wn_store_open - wn_store_open_redis for a Redis URL, else
 * wn_store_open_lmdb for a file path */
int wn_store_open(const char *spec, unsigned flags,
    const wn_store_params *params, wn_store **st_out, char *err,
    size_t errlen);

/* wn_store_close - close and free; *stp becomes NULL */
void wn_store_close(wn_store **stp);

/* wn_store_error - the last backend error text ("" if none) */
const char *wn_store_error(const wn_store *st);

#endif
