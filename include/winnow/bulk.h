/*
 * bulk.h - bulk detection: how many recipients got (nearly) this message.
 *
 * Every scanned message is reduced to keys: the exact digest of its
 * normalised text, its LSH band keys (both from wn_fingerprint) and the
 * digests of its attachments. A bulk store counts, per key and over a
 * sliding time window, the copies seen, their recipients and their
 * distinct envelope senders. A message's own counts are
 *
 *   text        the larger of the exact digest's counts and the band
 *               estimate: per field, the second largest value over the 16
 *               band keys, so that at least two bands (of 4 MinHash slots
 *               each) agree and one chance collision counts for nothing;
 *   attachment  the largest counts of any of its attachment digests;
 *
 * both including the message itself. wn_bulk_symbols turns them into
 * BULK_* symbols by the thresholds of wn_bulk_params; a message that hits
 * a rule with `tflags nobulk` (a mailing list the operator trusts) is
 * neither counted nor given a symbol.
 *
 * The window. It is split into WN_BULK_BUCKETS buckets of width
 * w = window / WN_BULK_BUCKETS seconds; time t falls in bucket t / w. A
 * key's counts are the sums over the buckets now/w - WN_BULK_BUCKETS + 1
 * ... now/w, so an observation counts for between window - w and window
 * seconds. Senders are kept per key as up to WN_BULK_SENDER_SLOTS distinct
 * 32-bit sender hashes with the bucket they were last seen in; the count
 * is the number of those still in the window (it saturates at the slot
 * count, which is above any useful threshold). Every backend implements
 * exactly these semantics; tests/unit/test_bulk_store.c runs the same
 * cases against each.
 *
 * Backends: LMDB (embedded default, one file shared by every process on
 * the host) and Redis (a fleet of hosts sharing one view); the spec
 * string chooses: "redis://..." or "redis+unix://..." (see store.h) is
 * Redis, anything else a file path. Bulk counts are soft state: the LMDB
 * file is written without fsync (a crash of the host may lose the last
 * seconds of counts), and with WN_BULK_STORE_RECOVER a file that does not
 * open as a bulk store is moved aside to PATH.broken and a new one
 * started, which the caller is told so that it can say so.
 */
#ifndef WINNOW_BULK_H
#define WINNOW_BULK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <winnow/arena.h>
#include <winnow/fingerprint.h>
#include <winnow/mime.h>
#include <winnow/rules.h>
#include <winnow/verdict.h>

#define WN_BULK_BUCKETS		8	/* buckets per window */
#define WN_BULK_SENDER_SLOTS	6	/* distinct senders kept per key */
#define WN_BULK_MAX_ATTACHMENTS	8	/* attachment digests per message */
#define WN_BULK_KEY_LEN		17	/* kind byte + 16 bytes */
#define WN_BULK_MAX_KEYS \
	(1 + WN_FINGERPRINT_BANDS + WN_BULK_MAX_ATTACHMENTS)

/* The first byte of a key. */
enum wn_bulk_key_kind {
	WN_BULK_KEY_DIGEST = 'd',	/* + the 16-byte text digest */
	WN_BULK_KEY_BAND = 'b',		/* + band index, 8-byte key (LE), 7 x 0 */
	WN_BULK_KEY_ATTACHMENT = 'a'	/* + the 16-byte attachment digest */
};

typedef struct wn_bulk_key {
	uint8_t b[WN_BULK_KEY_LEN];
} wn_bulk_key;

typedef struct wn_bulk_counts {
	uint32_t copies;	/* messages in the window */
	uint32_t recipients;	/* their recipients (saturating) */
	uint32_t senders;	/* distinct senders, <= WN_BULK_SENDER_SLOTS */
} wn_bulk_counts;

/* One copy as the MTA handed it over. */
typedef struct wn_bulk_obs {
	uint32_t recipients;	/* recipients of this copy, >= 1 */
	uint32_t sender;	/* wn_bulk_sender_hash of the envelope sender */
	int64_t now;		/* Unix seconds */
	uint32_t window;	/* seconds, >= WN_BULK_BUCKETS */
} wn_bulk_obs;

typedef struct wn_bulk_store wn_bulk_store;

typedef struct wn_bulk_store_ops {
	const char *name;
	/*
	 * Add obs to each of keys[0..n) and put each key's counts over the
	 * window, this copy included, in out[0..n). Atomic: every key is
	 * counted or none. Keys are distinct; n <= WN_BULK_MAX_KEYS.
	 */
	int (*observe)(wn_bulk_store *bs, const wn_bulk_key *keys, size_t n,
	    const wn_bulk_obs *obs, wn_bulk_counts *out);
	/* The counts of keys[0..n) at obs->now without adding anything
	 * (obs->recipients and obs->sender are ignored). */
	int (*peek)(wn_bulk_store *bs, const wn_bulk_key *keys, size_t n,
	    const wn_bulk_obs *obs, wn_bulk_counts *out);
	/* Remove keys with nothing left in the window at now; the number
	 * removed goes to *removed_out. Redis may leave this to key TTLs
	 * and report 0. */
	int (*expire)(wn_bulk_store *bs, int64_t now, uint32_t window,
	    uint64_t *removed_out);
	/* Keys held (LMDB: entries; Redis: an estimate) for `winnow bulk
	 * stats`. */
	int (*size)(wn_bulk_store *bs, uint64_t *keys_out);
	void (*close)(wn_bulk_store *bs);
} wn_bulk_store_ops;

struct wn_bulk_feed;

struct wn_bulk_store {
	const wn_bulk_store_ops *ops;
	char error[256];	/* last backend error, for messages */
};

/*
 * wn_bulk_store_open - open (creating when missing) the bulk store named
 * by spec: a Redis URL or an LMDB file path (lock file PATH-lock).
 * Errors: WN_EIO, WN_EFORMAT (a file that is not a bulk store: moved
 * aside when flags has WN_BULK_STORE_RECOVER, and a new store opened,
 * with *recovered_out set), WN_ENOMEM, WN_EINVAL (a bad spec). A message
 * for the operator goes to err[0..errlen); it does not repeat spec.
 * recovered_out may be NULL.
 */
enum {
	WN_BULK_STORE_RECOVER = 1u << 0	/* move a broken file aside */
};
int wn_bulk_store_open(const char *spec, unsigned flags,
    wn_bulk_store **bs_out, bool *recovered_out, char *err, size_t errlen);
int wn_bulk_store_open_lmdb(const char *path, unsigned flags,
    wn_bulk_store **bs_out, bool *recovered_out, char *err, size_t errlen);
int wn_bulk_store_open_redis(const char *url, wn_bulk_store **bs_out,
    char *err, size_t errlen);

void wn_bulk_store_close(wn_bulk_store **bsp);
const char *wn_bulk_store_error(const wn_bulk_store *bs);

/* What the thresholds and weights are; defaults in wn_bulk_params_default
 * (the winnow.conf defaults). A threshold of 0 turns its symbol off. */
typedef struct wn_bulk_params {
	uint32_t window;		/* seconds */
	uint32_t low, medium, high;	/* recipients for BULK_LOW/... */
	uint32_t senders;		/* distinct senders for BULK_SENDERS */
	uint32_t attachment;		/* recipients for BULK_ATTACHMENT */
	double low_weight, medium_weight, high_weight;
	double senders_weight, attachment_weight;
	double shared_weight;		/* BULK_SHARED */
	const struct wn_bulk_feed *feed;	/* shared keys; NULL: none */
} wn_bulk_params;

void wn_bulk_params_default(wn_bulk_params *p);

/* What a bulk check found about one message. */
typedef struct wn_bulk_result {
	bool exempt;		/* a nobulk rule hit: not counted */
	const char *exempt_rule; /* its name (borrowed) */
	wn_fingerprint fp;
	size_t n_attachments;	/* attachment digests counted */
	wn_bulk_counts text;	/* the message's text counts */
	wn_bulk_counts attachment; /* its most common attachment's */
	bool text_exact;	/* text counts are the exact digest's */
	bool shared;		/* the text is in p->feed */
} wn_bulk_result;

/*
 * wn_bulk_sender_hash - 32-bit hash of an envelope sender, never 0. Case
 * does not matter, and neither does what varies per copy of one sender's
 * mail: a tag after '+' or '=' in the local part, and the parts of the
 * local part (between - _ .) that look like ids (all digits, or three
 * digits or more), so the per-recipient bounce addresses of a newsletter
 * (VERP: news-bounce-8812@, news+u77@) are one sender; shop1@ and shop2@
 * stay two. NULL and "" (the null sender) are one sender too.
 */
uint32_t wn_bulk_sender_hash(const char *sender);

/*
 * wn_bulk_keys - the keys of a fingerprinted message: the digest (unless
 * the text has fewer than 3 words: every empty body would count as one
 * campaign), the 16 bands unless WN_FINGERPRINT_SHORT, then up to
 * WN_BULK_MAX_ATTACHMENTS
 * attachment digests (BLAKE2b-128 of the decoded body of each part with
 * is_attachment that is not empty, in depth-first order; equal digests
 * once). Returns the number of keys; *n_attachments_out gets how many
 * are attachment keys (the last ones).
 */
size_t wn_bulk_keys(const wn_mime_msg *msg, const wn_fingerprint *fp,
    wn_bulk_key keys[WN_BULK_MAX_KEYS], size_t *n_attachments_out);

/*
 * wn_bulk_check - fingerprint msg and count it in bs (or, when record is
 * false, only read its counts). rules (may be NULL) are the rule hits of
 * the same message, for exemption. Returns 0, or the store's error (its
 * text in wn_bulk_store_error) / WN_EINVAL.
 */
int wn_bulk_check(wn_bulk_store *bs, const wn_bulk_params *p,
    const wn_mime_msg *msg, const wn_rules *rs,
    const wn_rules_result *rules, const wn_bulk_obs *obs, bool record,
    wn_bulk_result *out);

/*
 * wn_bulk_symbols - add the BULK_* symbols r earns under p to v:
 * BULK_HIGH / BULK_MEDIUM / BULK_LOW (the highest threshold the text's
 * recipients reach), BULK_SENDERS (its distinct senders reach p->senders),
 * BULK_ATTACHMENT (an attachment's recipients reach p->attachment),
 * BULK_SHARED (the text is in the feed of keys other sites reported,
 * bulk_feed.h). Nothing for an exempt message. Returns the number of symbols added
 * (>= 0) or WN_ENOMEM.
 */
int wn_bulk_symbols(wn_arena *arena, const wn_bulk_params *p,
    const wn_bulk_result *r, wn_verdict *v);

#endif
