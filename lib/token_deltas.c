/*
 * token_deltas.c - count changes of a learning batch, summed per token.
 *
 * An open-addressing table keyed by the token hash (already uniform, so a
 * multiply spreads it), at most half full. Sorting compacts the table in
 * place and radix-sorts it, 11 bits a pass.
 */
#include <string.h>

#include <winnow/alloc.h>
#include <winnow/err.h>

#include "token_deltas.h"

static size_t
wn_delta_slot(uint64_t key, size_t cap)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & (cap - 1);
}

static wn_token_delta *
wn_delta_find(wn_token_delta *v, size_t cap, uint64_t key)
{
	size_t i = wn_delta_slot(key, cap);

	while (v[i].used && v[i].key != key)
		i = (i + 1) & (cap - 1);
	return &v[i];
}

static int
wn_deltas_grow(wn_token_deltas *d, size_t need)
{
	size_t cap = d->cap ? d->cap : 4096, i;
	wn_token_delta *v;

	while (cap < 2 * need)
		cap *= 2;
	if (cap == d->cap)
		return 0;
	if ((v = wn_calloc(cap, sizeof(*v))) == NULL)
		return WN_ENOMEM;
	for (i = 0; i < d->cap; i++)
		if (d->v[i].used)
			*wn_delta_find(v, cap, d->v[i].key) = d->v[i];
	wn_free(d->v);
	d->v = v;
	d->cap = cap;
	return 0;
}

int
wn_token_deltas_add(wn_token_deltas *d, const uint64_t *keys, size_t n,
    int dspam, int dham, uint32_t day)
{
	size_t i;

	if (2 * (d->n + n) > d->cap && wn_deltas_grow(d, d->n + n) != 0)
		return WN_ENOMEM;
	for (i = 0; i < n; i++) {
		wn_token_delta *e = wn_delta_find(d->v, d->cap, keys[i]);

		if (!e->used) {
			e->used = 1;
			e->key = keys[i];
			d->n++;
		}
		e->spam += dspam;
		e->ham += dham;
		if (dspam > 0 || dham > 0)
			e->day = day;
	}
	return 0;
}

int
wn_token_deltas_sorted(wn_token_deltas *d, const wn_token_delta **out,
    size_t *n_out)
{
	wn_token_delta *src, *dst, *t;
	size_t i, n = 0, pass;

	*out = d->v;
	*n_out = 0;
	for (i = 0; i < d->cap; i++)
		if (d->v[i].used)
			d->v[n++] = d->v[i];
	if (n == 0)
		return 0;
	if ((dst = wn_malloc(n * sizeof(*dst))) == NULL)
		return WN_ENOMEM;
	src = d->v;
	/* Six passes of 11 bits cover 64 and leave the result in v. */
	for (pass = 0; pass < 6; pass++) {
		unsigned shift = (unsigned)pass * 11;
		size_t count[2048], sum = 0;

		memset(count, 0, sizeof(count));
		for (i = 0; i < n; i++)
			count[(src[i].key >> shift) & 2047]++;
		for (i = 0; i < 2048; i++) {
			size_t c = count[i];

			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			dst[count[(src[i].key >> shift) & 2047]++] = src[i];
		t = src;
		src = dst;
		dst = t;
	}
	wn_free(dst);
	*n_out = n;
	return 0;
}

void
wn_token_deltas_clear(wn_token_deltas *d)
{
	if (d->v != NULL)
		memset(d->v, 0, d->cap * sizeof(*d->v));
	d->n = 0;
}

void
wn_token_deltas_free(wn_token_deltas *d)
{
	wn_free(d->v);
	memset(d, 0, sizeof(*d));
}
