/*
 * bulk.c - bulk detection for one message: keys, counts, BULK_* symbols.
 *
 * The store does the counting (bulk_lmdb.c, bulk_redis.c); this file
 * decides what is counted and what the counts mean: the exact text digest
 * and the band estimate (the second largest band count, so two bands
 * agree) for the text, the most common attachment for attachments, and
 * the thresholds of wn_bulk_params for the symbols.
 */
#include <ctype.h>
#include <string.h>

#include <sodium.h>
#include <xxhash.h>

#include <winnow/bulk.h>
#include <winnow/bulk_feed.h>
#include <winnow/err.h>

/* A text of fewer words says too little to be counted by its digest:
 * every empty body would be one "campaign". */
#define WN_BULK_MIN_WORDS 3

void
wn_bulk_params_default(wn_bulk_params *p)
{
	memset(p, 0, sizeof(*p));
	p->window = 86400;
	p->low = 5;
	p->medium = 20;
	p->high = 100;
	p->senders = 3;
	p->attachment = 10;
	p->low_weight = 0.5;
	p->medium_weight = 1.5;
	p->high_weight = 2.5;
	p->senders_weight = 1.0;
	p->attachment_weight = 1.0;
	p->shared_weight = 1.5;
	p->feed = NULL;
}

/* Is s[0..n) a per-copy id: all digits, or three digits or more? */
static bool
wn_sender_id_part(const char *s, size_t n)
{
	size_t i, d = 0;

	for (i = 0; i < n; i++)
		if (s[i] >= '0' && s[i] <= '9')
			d++;
	return d == n || d >= 3;
}

uint32_t
wn_bulk_sender_hash(const char *sender)
{
	char key[320];
	const char *at, *end, *seg;
	size_t o = 0, n;
	uint64_t h;

	if (sender == NULL || sender[0] == '\0')
		sender = "<>";
	at = strrchr(sender, '@');
	end = at != NULL ? at : sender + strlen(sender);
	/* the local part: up to a '+' or '=' tag, without the segments
	 * (between - _ .) that look like ids (all digits, or three digits
	 * or more): a newsletter's per-copy bounce addresses (VERP) are
	 * one sender, while shop1@ and shop2@ stay two */
	for (seg = sender; seg < end && *seg != '+' && *seg != '=';) {
		n = strcspn(seg, "-_.+=@");
		if (seg + n > end)
			n = (size_t)(end - seg);
		if (n > 0 && !wn_sender_id_part(seg, n) &&
		    o + n + 1 < sizeof(key) / 2) {
			if (o > 0)
				key[o++] = '-';
			memcpy(key + o, seg, n);
			o += n;
		}
		seg += n;
		if (seg < end && (*seg == '-' || *seg == '_' || *seg == '.'))
			seg++;
	}
	if (at != NULL) {
		n = strlen(at);
		if (o + n >= sizeof(key))
			n = sizeof(key) - o - 1;
		memcpy(key + o, at, n);
		o += n;
	}
	for (n = 0; n < o; n++)
		key[n] = (char)tolower((unsigned char)key[n]);
	h = XXH3_64bits(key, o);
	h ^= h >> 32;
	return (uint32_t)h == 0 ? 1 : (uint32_t)h;
}

static void
wn_bulk_key_set(wn_bulk_key *k, enum wn_bulk_key_kind kind,
    const uint8_t *bytes, size_t n)
{
	memset(k, 0, sizeof(*k));
	k->b[0] = (uint8_t)kind;
	memcpy(k->b + 1, bytes, n);
}

/* Attachment digests of the subtree at p, depth first, distinct. */
static void
wn_bulk_attachments(const wn_mime_part *p, wn_bulk_key *keys, size_t *n,
    size_t max)
{
	uint8_t d[16];
	size_t i;

	for (; p != NULL && *n < max; p = p->next) {
		if (p->child != NULL) {
			wn_bulk_attachments(p->child, keys, n, max);
			continue;
		}
		if (!p->is_attachment || p->body.len == 0)
			continue;
		crypto_generichash(d, sizeof(d),
		    (const unsigned char *)p->body.p, p->body.len, NULL, 0);
		for (i = 0; i < *n; i++)
			if (memcmp(keys[i].b + 1, d, sizeof(d)) == 0)
				break;
		if (i == *n)
			wn_bulk_key_set(&keys[(*n)++], WN_BULK_KEY_ATTACHMENT,
			    d, sizeof(d));
	}
}

size_t
wn_bulk_keys(const wn_mime_msg *msg, const wn_fingerprint *fp,
    wn_bulk_key keys[WN_BULK_MAX_KEYS], size_t *n_attachments_out)
{
	size_t n = 0, na = 0, i;

	if (fp->n_words >= WN_BULK_MIN_WORDS)
		wn_bulk_key_set(&keys[n++], WN_BULK_KEY_DIGEST, fp->digest,
		    sizeof(fp->digest));
	if (!(fp->flags & WN_FINGERPRINT_SHORT))
		for (i = 0; i < WN_FINGERPRINT_BANDS; i++) {
			uint8_t b[9];
			uint64_t v = fp->bands[i];
			size_t j;

			b[0] = (uint8_t)i;
			for (j = 0; j < 8; j++)
				b[1 + j] = (uint8_t)(v >> (8 * j));
			wn_bulk_key_set(&keys[n++], WN_BULK_KEY_BAND, b,
			    sizeof(b));
		}
	if (msg != NULL && msg->root != NULL)
		wn_bulk_attachments(msg->root, keys + n, &na,
		    WN_BULK_MAX_ATTACHMENTS);
	*n_attachments_out = na;
	return n + na;
}

/* The second largest of v[0..n): a value at least two entries reach. */
static uint32_t
wn_second_largest(const uint32_t *v, size_t n)
{
	uint32_t first = 0, second = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] > first) {
			second = first;
			first = v[i];
		} else if (v[i] > second)
			second = v[i];
	return second;
}

static uint32_t
wn_max32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

/* The text's counts from the digest's and the bands' counts. */
static void
wn_bulk_text_counts(const wn_fingerprint *fp, const wn_bulk_counts *c,
    size_t n_text, wn_bulk_result *out)
{
	uint32_t copies[WN_FINGERPRINT_BANDS], rcpts[WN_FINGERPRINT_BANDS];
	uint32_t senders[WN_FINGERPRINT_BANDS];
	wn_bulk_counts exact = { 0, 0, 0 }, band;
	size_t i, first_band = 0, nb;

	if (n_text > 0 && fp->n_words >= WN_BULK_MIN_WORDS) {
		exact = c[0];
		first_band = 1;
	}
	nb = n_text - first_band;
	for (i = 0; i < nb; i++) {
		copies[i] = c[first_band + i].copies;
		rcpts[i] = c[first_band + i].recipients;
		senders[i] = c[first_band + i].senders;
	}
	band.copies = wn_second_largest(copies, nb);
	band.recipients = wn_second_largest(rcpts, nb);
	band.senders = wn_second_largest(senders, nb);
	out->text.copies = wn_max32(exact.copies, band.copies);
	out->text.recipients = wn_max32(exact.recipients, band.recipients);
	out->text.senders = wn_max32(exact.senders, band.senders);
	out->text_exact = exact.recipients >= band.recipients &&
	    exact.copies > 0;
}

int
wn_bulk_check(wn_bulk_store *bs, const wn_bulk_params *p,
    const wn_mime_msg *msg, const wn_rules *rs,
    const wn_rules_result *rules, const wn_bulk_obs *obs, bool record,
    wn_bulk_result *out)
{
	wn_bulk_key keys[WN_BULK_MAX_KEYS];
	wn_bulk_counts counts[WN_BULK_MAX_KEYS];
	size_t n, na, i;
	int rc;

	if (out == NULL)
		return WN_EINVAL;
	memset(out, 0, sizeof(*out));
	if (bs == NULL || p == NULL || msg == NULL || obs == NULL)
		return WN_EINVAL;
	if (rs != NULL && rules != NULL)
		for (i = 0; i < rules->n_hits; i++)
			if (wn_rules_nobulk(rs, rules->hits[i].id)) {
				out->exempt = true;
				out->exempt_rule = rules->hits[i].name;
				return 0;
			}
	if ((rc = wn_fingerprint_compute(msg, &out->fp)) != 0)
		return rc;
	out->shared = wn_bulk_feed_match(p->feed, &out->fp);
	n = wn_bulk_keys(msg, &out->fp, keys, &na);
	out->n_attachments = na;
	if (n == 0)
		return 0;
	rc = record ? bs->ops->observe(bs, keys, n, obs, counts) :
	    bs->ops->peek(bs, keys, n, obs, counts);
	if (rc != 0)
		return rc;
	wn_bulk_text_counts(&out->fp, counts, n - na, out);
	for (i = n - na; i < n; i++)
		if (counts[i].recipients > out->attachment.recipients)
			out->attachment = counts[i];
	return 0;
}

int
wn_bulk_symbols(wn_arena *arena, const wn_bulk_params *p,
    const wn_bulk_result *r, wn_verdict *v)
{
	const char *name = NULL;
	double w = 0;
	int added = 0, rc;

	if (r->exempt)
		return 0;
	if (p->high && r->text.recipients >= p->high) {
		name = "BULK_HIGH";
		w = p->high_weight;
	} else if (p->medium && r->text.recipients >= p->medium) {
		name = "BULK_MEDIUM";
		w = p->medium_weight;
	} else if (p->low && r->text.recipients >= p->low) {
		name = "BULK_LOW";
		w = p->low_weight;
	}
	if (name != NULL) {
		if ((rc = wn_verdict_add(arena, v, name, w)) != 0)
			return rc;
		added++;
	}
	if (p->senders && r->text.senders >= p->senders) {
		if ((rc = wn_verdict_add(arena, v, "BULK_SENDERS",
		    p->senders_weight)) != 0)
			return rc;
		added++;
	}
	if (p->attachment && r->attachment.recipients >= p->attachment) {
		if ((rc = wn_verdict_add(arena, v, "BULK_ATTACHMENT",
		    p->attachment_weight)) != 0)
			return rc;
		added++;
	}
	if (r->shared) {
		if ((rc = wn_verdict_add(arena, v, "BULK_SHARED",
		    p->shared_weight)) != 0)
			return rc;
		added++;
	}
	return added;
}

int
wn_bulk_store_open(const char *spec, unsigned flags, wn_bulk_store **bs_out,
    bool *recovered_out, char *err, size_t errlen)
{
	if (recovered_out != NULL)
		*recovered_out = false;
	if (strncmp(spec, "redis://", 8) == 0 ||
	    strncmp(spec, "redis+unix://", 13) == 0)
		return wn_bulk_store_open_redis(spec, bs_out, err, errlen);
	return wn_bulk_store_open_lmdb(spec, flags, bs_out, recovered_out,
	    err, errlen);
}

void
wn_bulk_store_close(wn_bulk_store **bsp)
{
	if (bsp == NULL || *bsp == NULL)
		return;
	(*bsp)->ops->close(*bsp);
	*bsp = NULL;
}

const char *
wn_bulk_store_error(const wn_bulk_store *bs)
{
	return bs != NULL ? bs->error : "";
}
