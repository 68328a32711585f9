/*
 * fingerprint.h - fuzzy fingerprint of a message for bulk detection.
 *
 * Bulk mail is one text sent to many recipients with small changes per
 * copy: a name in the greeting, tracking ids and links, random tokens,
 * an extra line, HTML instead of plain text. wn_fingerprint_compute turns
 * the visible text of a parsed message into a fixed-size value that stays
 * (nearly) the same across such copies:
 *
 *   digest    BLAKE2b-128 of the normalised text (the words below joined
 *             by single spaces): equal for copies that differ only in
 *             what normalisation drops;
 *   minhash   WN_FINGERPRINT_SLOTS minima, one per hash function, over
 *             the hashed shingles (WN_FINGERPRINT_SHINGLE consecutive
 *             words): the share of equal slots of two fingerprints
 *             estimates the Jaccard similarity of their shingle sets;
 *   bands     LSH keys, one per WN_FINGERPRINT_ROWS consecutive slots:
 *             two texts with similarity s share at least one band key
 *             with probability 1 - (1 - s^ROWS)^BANDS (s = 0.7: 0.99,
 *             s = 0.3: 0.12, s = 0.1: 0.002), so a store keyed by band
 *             finds near-duplicates with exact lookups.
 *
 * Text: the decoded Subject, then the visible text of every text part
 * that is not an attachment, in depth-first order. Inside a
 * multipart/alternative, a text/plain alternative is preferred: the other
 * alternatives of the same multipart are skipped, so plain, HTML-only and
 * plain+HTML copies of one campaign read alike. HTML text hidden from the
 * reader is ignored.
 *
 * Normalisation, deterministic and independent of the locale:
 *   - words are runs of letters, digits and combining marks; everything
 *     else separates them. Letters are lowercased code point by code point
 *     (Unicode simple case mapping). Ideographs, kana and the scripts of
 *     Southeast Asia that do not space words give one word per character;
 *   - a URL (scheme://... or www....) keeps only the words of its host;
 *     userinfo, port, path, query and fragment are dropped;
 *   - an e-mail address becomes the placeholder word "@email";
 *   - identifiers are dropped: words joined by - _ . + # without white
 *     space form a compound ("FF-2291-ZK8Q", "e-mail"), and a compound
 *     with a digit anywhere is dropped whole, its letters too (numbers,
 *     dates, prices, order and tracking ids). In a URL's host, labels
 *     with a digit are dropped ("mta3.example.com": "example", "com");
 *   - dropped as well: words of WN_FINGERPRINT_RANDOM_MIN or more ASCII
 *     letters that look hexadecimal (only a-f) or base64 (case changing
 *     four or more times), words longer than WN_FINGERPRINT_WORD_MAX
 *     bytes after lowercasing.
 *
 * Limits: at most WN_FINGERPRINT_MAX_WORDS words and WN_FINGERPRINT_MAX_BYTES
 * bytes of text are looked at; beyond, WN_FINGERPRINT_TRUNCATED is set and
 * the fingerprint covers the start. A text of fewer than
 * WN_FINGERPRINT_MIN_WORDS words is WN_FINGERPRINT_SHORT: its minhash and
 * bands are all zero and only the digest identifies it.
 *
 * The struct has no pointers: it may be copied, stored and compared with
 * memcmp. Its digest and band keys do not depend on the host's byte order,
 * so they can be shared between hosts; WN_FINGERPRINT_VERSION changes when
 * anything that changes them does. Computing allocates nothing and is
 * thread-safe.
 */
#ifndef WINNOW_FINGERPRINT_H
#define WINNOW_FINGERPRINT_H

#include <stddef.h>
#include <stdint.h>

#include <winnow/mime.h>

#define WN_FINGERPRINT_VERSION		2
#define WN_FINGERPRINT_DIGEST_LEN	16	/* bytes of BLAKE2b */
#define WN_FINGERPRINT_SLOTS		64	/* MinHash functions */
#define WN_FINGERPRINT_BANDS		16	/* LSH band keys */
#define WN_FINGERPRINT_ROWS \
	(WN_FINGERPRINT_SLOTS / WN_FINGERPRINT_BANDS)	/* slots per band */
#define WN_FINGERPRINT_SHINGLE		4	/* words per shingle */
#define WN_FINGERPRINT_MIN_WORDS	8	/* fewer: ..._SHORT */
#define WN_FINGERPRINT_MAX_WORDS	20000	/* words looked at */
#define WN_FINGERPRINT_MAX_BYTES	(1u << 20) /* text bytes looked at */
#define WN_FINGERPRINT_WORD_MAX		40	/* bytes; longer ones dropped */
#define WN_FINGERPRINT_RANDOM_MIN	12	/* see hex/base64 above */

/* Flags */
enum {
	WN_FINGERPRINT_SHORT = 1u << 0,	    /* too few words: digest only */
	WN_FINGERPRINT_TRUNCATED = 1u << 1  /* a limit cut the text */
};

typedef struct wn_fingerprint {
	uint8_t digest[WN_FINGERPRINT_DIGEST_LEN];
	uint32_t minhash[WN_FINGERPRINT_SLOTS];
	uint64_t bands[WN_FINGERPRINT_BANDS];
	uint32_t n_words;	/* normalised words hashed */
	uint32_t n_shingles;	/* shingles hashed (with repeats) */
	uint32_t flags;		/* WN_FINGERPRINT_* */
	uint32_t version;	/* WN_FINGERPRINT_VERSION */
} wn_fingerprint;

/* Room for wn_fingerprint_hex: digest, then ":" and 16 digits per band. */
#define WN_FINGERPRINT_HEX_SIZE \
	(2 * WN_FINGERPRINT_DIGEST_LEN + 17 * WN_FINGERPRINT_BANDS + 1)

/*
 * wn_fingerprint_compute - fingerprint of msg's Subject and visible text
 * into *out. Returns 0, or WN_EINVAL for NULL arguments or when libsodium
 * cannot be initialised.
 */
int wn_fingerprint_compute(const wn_mime_msg *msg, wn_fingerprint *out);

/*
 * wn_fingerprint_similarity - estimated Jaccard similarity of the two
 * texts' shingle sets: equal minhash slots / WN_FINGERPRINT_SLOTS, in
 * [0, 1]. When either is WN_FINGERPRINT_SHORT: 1 if the digests are
 * equal, else 0.
 */
double wn_fingerprint_similarity(const wn_fingerprint *a,
    const wn_fingerprint *b);

/*
 * wn_fingerprint_shared_bands - number of band positions whose keys are
 * equal; 0 when either is WN_FINGERPRINT_SHORT.
 */
size_t wn_fingerprint_shared_bands(const wn_fingerprint *a,
    const wn_fingerprint *b);

/*
 * wn_fingerprint_hex - lowercase hex of the digest, followed unless
 * WN_FINGERPRINT_SHORT by ":" and the 16 hex digits of each band key,
 * into out (WN_FINGERPRINT_HEX_SIZE bytes). Returns out. For logs at
 * debug level and tests.
 */
char *wn_fingerprint_hex(const wn_fingerprint *fp,
    char out[WN_FINGERPRINT_HEX_SIZE]);

#endif
