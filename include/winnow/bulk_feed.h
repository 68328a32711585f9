/*
 * bulk_feed.h - the signed feed of bulk fingerprint keys that
 * winnow-repository publishes from its reporters (docs/arch/
 * bulk-sharing.md has the format and the rules).
 *
 * A key is a 64-bit value of one kind: the text digest ('d', the first 8
 * bytes of wn_fingerprint.digest, big-endian) or a band key ('b',
 * wn_fingerprint.bands[i]); written "d:<16 hex>" / "b:<16 hex>". The feed
 * is the JSON text
 *   {"format":"winnow-bulk-feed-1","generated":T,"expires":T,
 *    "fingerprint_version":N,"min_reporters":N,"keys":["b:…","d:…",…]}
 * signed in the envelope
 *   {"format":"winnow-signed-bulk-feed-1","key_id":…,"feed":"<text>",
 *    "signature":…}
 * over "winnow-signed-bulk-feed-1\n<key_id>\n<feed>".
 *
 * wn_bulk_feed_build makes the envelope (the repository); wn_bulk_feed_parse
 * checks one and gives the keys as sorted arrays that winnowd's threads
 * share read-only; wn_bulk_feed_match says whether a fingerprint's text is
 * in the feed: its digest key, or two of its band keys.
 */
#ifndef WINNOW_BULK_FEED_H
#define WINNOW_BULK_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <winnow/buf.h>
#include <winnow/fingerprint.h>
#include <winnow/sign.h>

#define WN_BULK_FEED_MAX_KEYS	(1u << 22)	/* 4M keys, 32 MiB */
#define WN_BULK_FEED_MAX_BYTES	((size_t)128 << 20)

typedef struct wn_bulk_feed wn_bulk_feed;

typedef struct wn_bulk_feed_info {
	int64_t generated;	/* Unix seconds */
	int64_t expires;
	unsigned min_reporters;
	size_t n_digests;
	size_t n_bands;
	char key_id[WN_SIGN_KEY_ID_LEN + 1];	/* who signed it */
} wn_bulk_feed_info;

/*
 * wn_bulk_feed_key_parse - "d:<16 hex>" or "b:<16 hex>" (lowercase) into
 * *kind ('d' or 'b') and *value. false when it is not one.
 */
bool wn_bulk_feed_key_parse(const char *s, size_t n, char *kind,
    uint64_t *value);

/* wn_bulk_feed_digest_key - the 'd' key of a fingerprint */
uint64_t wn_bulk_feed_digest_key(const wn_fingerprint *fp);

/*
 * wn_bulk_feed_build - the signed envelope of a feed with keys[0..n)
 * ("d:…"/"b:…" strings, sorted ascending as strings, distinct) into out.
 * Returns 0, WN_EINVAL (a key not in the form, or not sorted and
 * distinct), WN_ENOMEM.
 */
int wn_bulk_feed_build(const char *const *keys, size_t n, int64_t generated,
    int64_t expires, unsigned min_reporters, const wn_seckey *sk,
    wn_buf *out);

/*
 * wn_bulk_feed_parse - check a signed feed text[0..len): the envelope, the
 * signature under pk (the key ids must agree), the inner format, the
 * fingerprint version (WN_FINGERPRINT_VERSION), that it has not expired
 * at now, and every key. Returns 0 with *out set; WN_EFORMAT (what is
 * wrong in err), WN_EINVAL (signature, key id or expiry: in err),
 * WN_ELIMIT (too large), WN_ENOMEM.
 */
int wn_bulk_feed_parse(const char *text, size_t len, const wn_pubkey *pk,
    int64_t now, wn_bulk_feed **out, char *err, size_t errlen);

/* wn_bulk_feed_load - wn_bulk_feed_parse of a file; WN_ENOENT / WN_EIO
 * when it cannot be read */
int wn_bulk_feed_load(const char *path, const wn_pubkey *pk, int64_t now,
    wn_bulk_feed **out, char *err, size_t errlen);

void wn_bulk_feed_free(wn_bulk_feed **fp);

const wn_bulk_feed_info *wn_bulk_feed_info_get(const wn_bulk_feed *f);

/* wn_bulk_feed_match - fp's digest key is in the feed, or at least two
 * of its band keys are; never for a WN_FINGERPRINT_SHORT fingerprint */
bool wn_bulk_feed_match(const wn_bulk_feed *f, const wn_fingerprint *fp);

#endif
