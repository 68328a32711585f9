/*
 * bulk_record.c - the counts of one bulk key over a sliding window.
 *
 * A ring of WN_BULK_BUCKETS buckets, indexed by bucket number modulo the
 * ring size, each holding copies and recipients; `newest` is the bucket
 * number last written. Moving to a newer bucket clears the buckets
 * skipped over, so a slot never mixes two bucket numbers.
 */
#include <string.h>

#include "bulk_int.h"

uint32_t
wn__bulk_width(uint32_t window)
{
	uint32_t w = window / WN_BULK_BUCKETS;

	return w == 0 ? 1 : w;
}

static uint32_t
wn_bulk_bucket(int64_t now, uint32_t width)
{
	if (now < 0)
		now = 0;
	return (uint32_t)((uint64_t)now / width);
}

static uint32_t
wn_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static void
wn_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* The record's fields in encoding order. */
#define WN_REC_FIELDS(r) \
	uint32_t *f[2 + 2 * WN_BULK_BUCKETS + 2 * WN_BULK_SENDER_SLOTS]; \
	size_t nf = 0, k_; \
	f[nf++] = &(r)->newest; \
	f[nf++] = &(r)->width; \
	for (k_ = 0; k_ < WN_BULK_BUCKETS; k_++) \
		f[nf++] = &(r)->copies[k_]; \
	for (k_ = 0; k_ < WN_BULK_BUCKETS; k_++) \
		f[nf++] = &(r)->rcpts[k_]; \
	for (k_ = 0; k_ < WN_BULK_SENDER_SLOTS; k_++) \
		f[nf++] = &(r)->sender[k_]; \
	for (k_ = 0; k_ < WN_BULK_SENDER_SLOTS; k_++) \
		f[nf++] = &(r)->sender_bucket[k_]

void
wn__bulk_rec_decode(const void *buf, size_t len, wn__bulk_rec *r)
{
	const uint8_t *p = buf;
	size_t i;

	memset(r, 0, sizeof(*r));
	if (buf == NULL || len != WN__BULK_REC_LEN)
		return;
	{
		WN_REC_FIELDS(r);
		for (i = 0; i < nf; i++)
			*f[i] = wn_get32(p + 4 * i);
	}
}

void
wn__bulk_rec_encode(const wn__bulk_rec *r, uint8_t out[WN__BULK_REC_LEN])
{
	wn__bulk_rec copy = *r;
	size_t i;

	{
		WN_REC_FIELDS(&copy);
		for (i = 0; i < nf; i++)
			wn_put32(out + 4 * i, *f[i]);
	}
}

/* Is bucket b inside the window that ends with bucket cur? */
static bool
wn_in_window(uint32_t b, uint32_t cur)
{
	return b <= cur && cur - b < WN_BULK_BUCKETS;
}

static uint32_t
wn_sat_add(uint32_t a, uint32_t b)
{
	return a > UINT32_MAX - b ? UINT32_MAX : a + b;
}

void
wn__bulk_rec_add(wn__bulk_rec *r, const wn_bulk_obs *obs)
{
	uint32_t width = wn__bulk_width(obs->window);
	uint32_t cur = wn_bulk_bucket(obs->now, width);
	size_t i, slot, oldest;

	if (r->width != width) {
		memset(r, 0, sizeof(*r));
		r->width = width;
	}
	if (cur > r->newest) {
		/* clear the slots of the buckets from newest + 1 to cur */
		if (cur - r->newest >= WN_BULK_BUCKETS) {
			memset(r->copies, 0, sizeof(r->copies));
			memset(r->rcpts, 0, sizeof(r->rcpts));
		} else {
			uint32_t b;

			for (b = r->newest + 1; b <= cur; b++) {
				r->copies[b % WN_BULK_BUCKETS] = 0;
				r->rcpts[b % WN_BULK_BUCKETS] = 0;
			}
		}
		r->newest = cur;
	}
	if (wn_in_window(cur, r->newest)) {
		/* cur may be older than newest (clocks of a fleet differ):
		 * it still counts in its own bucket */
		slot = cur % WN_BULK_BUCKETS;
		r->copies[slot] = wn_sat_add(r->copies[slot], 1);
		r->rcpts[slot] = wn_sat_add(r->rcpts[slot],
		    obs->recipients ? obs->recipients : 1);
	}
	/* the sender: its slot, else a free or expired one, else the
	 * least recently seen */
	oldest = 0;
	for (i = 0; i < WN_BULK_SENDER_SLOTS; i++) {
		if (r->sender[i] == obs->sender)
			break;
		if (r->sender_bucket[i] < r->sender_bucket[oldest])
			oldest = i;
	}
	if (i == WN_BULK_SENDER_SLOTS) {
		for (i = 0; i < WN_BULK_SENDER_SLOTS; i++)
			if (r->sender[i] == 0 ||
			    !wn_in_window(r->sender_bucket[i], r->newest))
				break;
		if (i == WN_BULK_SENDER_SLOTS)
			i = oldest;
		r->sender[i] = obs->sender;
		r->sender_bucket[i] = cur;
	} else if (r->sender_bucket[i] < cur)
		r->sender_bucket[i] = cur;
}

void
wn__bulk_rec_counts(const wn__bulk_rec *r, int64_t now, uint32_t window,
    wn_bulk_counts *out)
{
	uint32_t width = wn__bulk_width(window);
	uint32_t cur = wn_bulk_bucket(now, width);
	size_t i;

	memset(out, 0, sizeof(*out));
	if (r->width != width)
		return;
	/* a host whose clock is a little behind the fleet's sees the
	 * window the others wrote */
	if (r->newest > cur && r->newest - cur < WN_BULK_BUCKETS)
		cur = r->newest;
	for (i = 0; i < WN_BULK_BUCKETS; i++) {
		uint32_t b;

		if (r->newest < i)
			break;
		b = r->newest - (uint32_t)i;
		if (!wn_in_window(b, cur))
			continue;
		out->copies = wn_sat_add(out->copies,
		    r->copies[b % WN_BULK_BUCKETS]);
		out->recipients = wn_sat_add(out->recipients,
		    r->rcpts[b % WN_BULK_BUCKETS]);
	}
	for (i = 0; i < WN_BULK_SENDER_SLOTS; i++)
		if (r->sender[i] != 0 && wn_in_window(r->sender_bucket[i], cur))
			out->senders++;
}

bool
wn__bulk_rec_stale(const wn__bulk_rec *r, int64_t now, uint32_t window)
{
	uint32_t width = wn__bulk_width(window);

	return r->width != width ||
	    !wn_in_window(r->newest, wn_bulk_bucket(now, width));
}
