/*
 * fingerprint.c - digest, MinHash signature and LSH band keys of a
 * message's normalised text.
 *
 * The words from fingerprint_norm.c go three ways as they arrive: into a
 * streaming BLAKE2b (the exact digest), into a ring of the last
 * WN_FINGERPRINT_SHINGLE word hashes, and, once the ring is full, as one
 * shingle hash into the MinHash minima. MinHash (Broder, "On the
 * resemblance and containment of documents", 1997): for a random
 * permutation h, P[min h(A) = min h(B)] = |A & B| / |A | B|, so the share
 * of equal minima over many permutations estimates the Jaccard similarity
 * of two shingle sets. The permutations are the splitmix64 finaliser (a
 * bijection on 64 bits) applied to the shingle hash xor a per-slot
 * constant; the top 32 bits are kept. Band keys hash groups of
 * WN_FINGERPRINT_ROWS minima, the banding of LSH (Leskovec, Rajaraman,
 * Ullman, "Mining of Massive Datasets", ch. 3).
 *
 * Everything that reaches a hash is serialised little-endian, so the
 * values are the same on every host. No allocation: the state is on the
 * stack.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <sodium.h>
#include <xxhash.h>

#include <winnow/err.h>
#include <winnow/fingerprint.h>

#include "fingerprint_int.h"

/* Changing it, like anything else that changes the values, means a new
 * WN_FINGERPRINT_VERSION. */
#define WN_FP_SEED	(0x77696e6e6f776600ull + WN_FINGERPRINT_VERSION)

typedef struct wn_fp_ctx {
	wn_fingerprint *fp;
	crypto_generichash_state digest;
	uint64_t ring[WN_FINGERPRINT_SHINGLE];	/* word m at m % SHINGLE */
	size_t budget;		/* text bytes still to look at */
	bool stop;		/* a limit was reached */
} wn_fp_ctx;

static uint64_t
wn_fp_mix(uint64_t x)
{
	/* splitmix64 finaliser */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

static void
wn_fp_put64(uint8_t *b, uint64_t v)
{
	unsigned i;

	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

static void
wn_fp_minhash_add(wn_fingerprint *fp, uint64_t h)
{
	unsigned i;

	for (i = 0; i < WN_FINGERPRINT_SLOTS; i++) {
		uint64_t key = (uint64_t)(i + 1) * 0x9e3779b97f4a7c15ull;
		uint32_t v = (uint32_t)(wn_fp_mix(h ^ key) >> 32);

		if (v < fp->minhash[i])
			fp->minhash[i] = v;
	}
}

/* The word sink of wn__fp_norm_text. */
static bool
wn_fp_word(void *arg, const char *w, size_t n)
{
	wn_fp_ctx *c = arg;
	wn_fingerprint *fp = c->fp;
	uint8_t b[8 * WN_FINGERPRINT_SHINGLE];
	unsigned j;

	if (fp->n_words >= WN_FINGERPRINT_MAX_WORDS) {
		fp->flags |= WN_FINGERPRINT_TRUNCATED;
		c->stop = true;
		return false;
	}
	if (fp->n_words > 0)
		crypto_generichash_update(&c->digest,
		    (const unsigned char *)" ", 1);
	crypto_generichash_update(&c->digest, (const unsigned char *)w, n);
	c->ring[fp->n_words % WN_FINGERPRINT_SHINGLE] =
	    XXH3_64bits_withSeed(w, n, WN_FP_SEED);
	fp->n_words++;
	if (fp->n_words < WN_FINGERPRINT_SHINGLE)
		return true;
	/* Oldest word first: it sits where the next word will go. */
	for (j = 0; j < WN_FINGERPRINT_SHINGLE; j++)
		wn_fp_put64(b + 8 * j,
		    c->ring[(fp->n_words + j) % WN_FINGERPRINT_SHINGLE]);
	wn_fp_minhash_add(fp, XXH3_64bits_withSeed(b, sizeof(b), WN_FP_SEED));
	fp->n_shingles++;
	return true;
}

static void
wn_fp_feed(wn_fp_ctx *c, const char *text, size_t len)
{
	if (c->stop || text == NULL)
		return;
	if (len > c->budget) {
		len = c->budget;
		c->fp->flags |= WN_FINGERPRINT_TRUNCATED;
		c->stop = true;
	}
	c->budget -= len;
	wn__fp_norm_text(text, len, wn_fp_word, c);
}

/* Is s[0..n) white space only? */
static bool
wn_fp_blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

/* A quoted line ("> ...") or a reply's attribution ("... wrote:"). */
static bool
wn_fp_quoted(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i < n && s[i] == '>')
		return true;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\r'))
		n--;
	return n >= 6 && memcmp(s + n - 6, "wrote:", 6) == 0;
}

/* A greeting: a short line ending in ',', ':' or '!' ("Dear Anna Schmidt,",
 * "Hi Tom!"), of at most WN_FP_GREETING_WORDS words. */
#define WN_FP_GREETING_WORDS	5
#define WN_FP_GREETING_BYTES	64
static bool
wn_fp_greeting(const char *s, size_t n)
{
	size_t i, words = 0;
	bool in = false;

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\r'))
		n--;
	if (n == 0 || n > WN_FP_GREETING_BYTES ||
	    (s[n - 1] != ',' && s[n - 1] != ':' && s[n - 1] != '!'))
		return false;
	for (i = 0; i < n; i++) {
		bool sp = s[i] == ' ' || s[i] == '\t';

		if (!sp && !in)
			words++;
		in = !sp;
	}
	return words <= WN_FP_GREETING_WORDS;
}

/*
 * The text of a part, line by line, without what varies per recipient or
 * per reply: the greeting (the first line that is not blank, when it
 * looks like one), quoted lines and attributions.
 */
static void
wn_fp_feed_body(wn_fp_ctx *c, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	bool first = true;

	if (text == NULL)
		return;
	while (p < end && !c->stop) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl != NULL ? (size_t)(nl - p) + 1 : (size_t)(end - p);

		if (wn_fp_blank(p, n - (nl != NULL))) {
			p += n;
			continue;
		}
		if (!(first && wn_fp_greeting(p, n - (nl != NULL))) &&
		    !wn_fp_quoted(p, n - (nl != NULL)))
			wn_fp_feed(c, p, n);
		first = false;
		p += n;
	}
}

static bool
wn_fp_is_type(const wn_mime_part *p, const char *type, const char *subtype)
{
	return strcmp(p->type, type) == 0 && strcmp(p->subtype, subtype) == 0;
}

/*
 * A text/plain alternative that stands for its siblings: not an
 * attachment, and not a stub ("your mail program cannot show HTML") with
 * less than a quarter of the text of the longest other alternative. A
 * stub is skipped and the other alternatives used, so a sender cannot
 * vary the plain part alone either.
 */
static bool
wn_fp_plain_stands(const wn_mime_part *q)
{
	const wn_mime_part *o;
	size_t longest = 0;

	if (!wn_fp_is_type(q, "text", "plain") || q->is_attachment ||
	    !wn_mime_part_is_text(q))
		return false;
	if (q->parent == NULL ||
	    !wn_fp_is_type(q->parent, "multipart", "alternative"))
		return true;
	for (o = q->parent->child; o != NULL; o = o->next)
		if (o != q && wn_mime_part_is_text(o) && o->text.len > longest)
			longest = o->text.len;
	return q->text.len * 4 >= longest;
}

/*
 * Whether a part's text goes into the fingerprint: text parts that are
 * not attachments, except, in a multipart/alternative whose text/plain
 * alternative stands for it, the other alternatives.
 */
static bool
wn_fp_part_wanted(const wn_mime_part *p)
{
	const wn_mime_part *c, *q;

	if (!wn_mime_part_is_text(p) || p->is_attachment)
		return false;
	if (wn_fp_is_type(p, "text", "plain") && p->parent != NULL &&
	    wn_fp_is_type(p->parent, "multipart", "alternative"))
		return wn_fp_plain_stands(p);
	for (c = p; c->parent != NULL; c = c->parent) {
		if (!wn_fp_is_type(c->parent, "multipart", "alternative"))
			continue;
		for (q = c->parent->child; q != NULL; q = q->next)
			if (q != c && wn_fp_plain_stands(q))
				return false;
	}
	return true;
}

/* Band keys from the minima; zero signature for a short text. */
static void
wn_fp_finish(wn_fingerprint *fp)
{
	uint8_t b[4 * WN_FINGERPRINT_ROWS];
	unsigned i, r;

	if (fp->n_words < WN_FINGERPRINT_MIN_WORDS) {
		fp->flags |= WN_FINGERPRINT_SHORT;
		memset(fp->minhash, 0, sizeof(fp->minhash));
		memset(fp->bands, 0, sizeof(fp->bands));
		return;
	}
	for (i = 0; i < WN_FINGERPRINT_BANDS; i++) {
		for (r = 0; r < WN_FINGERPRINT_ROWS; r++) {
			uint32_t v = fp->minhash[i * WN_FINGERPRINT_ROWS + r];

			b[4 * r] = (uint8_t)v;
			b[4 * r + 1] = (uint8_t)(v >> 8);
			b[4 * r + 2] = (uint8_t)(v >> 16);
			b[4 * r + 3] = (uint8_t)(v >> 24);
		}
		/* The band number is in the seed: one key space for all. */
		fp->bands[i] = XXH3_64bits_withSeed(b, sizeof(b),
		    WN_FP_SEED + 1 + i);
	}
}

int
wn_fingerprint_compute(const wn_mime_msg *msg, wn_fingerprint *out)
{
	const wn_mime_part *p;
	wn_fp_ctx c;
	unsigned i;

	if (msg == NULL || out == NULL || sodium_init() < 0)
		return WN_EINVAL;
	memset(out, 0, sizeof(*out));
	out->version = WN_FINGERPRINT_VERSION;
	for (i = 0; i < WN_FINGERPRINT_SLOTS; i++)
		out->minhash[i] = UINT32_MAX;
	memset(&c, 0, sizeof(c));
	c.fp = out;
	c.budget = WN_FINGERPRINT_MAX_BYTES;
	crypto_generichash_init(&c.digest, NULL, 0, WN_FINGERPRINT_DIGEST_LEN);
	if (msg->subject != NULL)
		wn_fp_feed(&c, msg->subject, strlen(msg->subject));
	for (p = msg->root; p != NULL && !c.stop; p = wn_mime_part_next(p))
		if (wn_fp_part_wanted(p))
			wn_fp_feed_body(&c, p->text.p, p->text.len);
	crypto_generichash_final(&c.digest, out->digest,
	    WN_FINGERPRINT_DIGEST_LEN);
	wn_fp_finish(out);
	return 0;
}

double
wn_fingerprint_similarity(const wn_fingerprint *a, const wn_fingerprint *b)
{
	unsigned i, same = 0;

	if ((a->flags | b->flags) & WN_FINGERPRINT_SHORT)
		return memcmp(a->digest, b->digest, sizeof(a->digest)) == 0 ?
		    1.0 : 0.0;
	for (i = 0; i < WN_FINGERPRINT_SLOTS; i++)
		if (a->minhash[i] == b->minhash[i])
			same++;
	return (double)same / WN_FINGERPRINT_SLOTS;
}

size_t
wn_fingerprint_shared_bands(const wn_fingerprint *a, const wn_fingerprint *b)
{
	size_t i, n = 0;

	if ((a->flags | b->flags) & WN_FINGERPRINT_SHORT)
		return 0;
	for (i = 0; i < WN_FINGERPRINT_BANDS; i++)
		if (a->bands[i] == b->bands[i])
			n++;
	return n;
}

char *
wn_fingerprint_hex(const wn_fingerprint *fp,
    char out[WN_FINGERPRINT_HEX_SIZE])
{
	static const char digits[] = "0123456789abcdef";
	size_t i, o = 0;
	int sh;

	for (i = 0; i < WN_FINGERPRINT_DIGEST_LEN; i++) {
		out[o++] = digits[fp->digest[i] >> 4];
		out[o++] = digits[fp->digest[i] & 15];
	}
	for (i = 0; i < WN_FINGERPRINT_BANDS &&
	    !(fp->flags & WN_FINGERPRINT_SHORT); i++) {
		out[o++] = ':';
		for (sh = 60; sh >= 0; sh -= 4)
			out[o++] = digits[(fp->bands[i] >> sh) & 15];
	}
	out[o] = '\0';
	return out;
}
