/*
 * shared_keys.c - the keys of a report's bulk_fingerprints, their order
 * and their text.
 *
 * A report carries at most 1024 fingerprints of 17 keys; the store wants
 * each (key, digest) pair once per report, in one order for every
 * transaction (so two PostgreSQL transactions touching the same rows
 * lock them alike), so the pairs are collected, sorted and made unique
 * here once.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winnow/alloc.h>
#include <winnow/bulk_feed.h>
#include <winnow/err.h>

#include "shared_keys.h"

int
wn_shared_key_cmp(const void *a, const void *b)
{
	const wn_shared_key *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return x->value < y->value ? -1 : x->value > y->value;
}

static int
wn_shared_row_cmp(const void *a, const void *b)
{
	const wn_shared_row *x = a, *y = b;
	int c = wn_shared_key_cmp(&x->key, &y->key);

	if (c != 0)
		return c;
	return x->digest < y->digest ? -1 : x->digest > y->digest;
}

int
wn_shared_rows_of_report(const wn_report *r, wn_shared_row **out,
    size_t *n_out)
{
	wn_shared_row *v;
	size_t i, j, n = 0;

	*out = NULL;
	*n_out = 0;
	if (!(r->sections & WN_REPORT_HAS_BULK_FP) || r->n_fps == 0)
		return 0;
	v = wn_calloc(r->n_fps * (WN_REPORT_FP_BANDS + 1), sizeof(*v));
	if (v == NULL)
		return WN_ENOMEM;
	for (i = 0; i < r->n_fps; i++) {
		v[n].key.kind = 'd';
		v[n].key.value = r->fps[i].d;
		v[n++].digest = r->fps[i].d;
		for (j = 0; j < WN_REPORT_FP_BANDS; j++) {
			v[n].key.kind = 'b';
			v[n].key.value = r->fps[i].b[j];
			v[n++].digest = r->fps[i].d;
		}
	}
	qsort(v, n, sizeof(*v), wn_shared_row_cmp);
	for (i = j = 0; i < n; i++)
		if (j == 0 || wn_shared_row_cmp(&v[j - 1], &v[i]) != 0)
			v[j++] = v[i];
	*out = v;
	*n_out = j;
	return 0;
}

void
wn_shared_key_format(char kind, uint64_t value,
    char buf[WN_SHARED_KEY_LEN + 1])
{
	snprintf(buf, WN_SHARED_KEY_LEN + 1, "%c:%016" PRIx64, kind, value);
}

bool
wn_shared_key_parse(const char *s, wn_shared_key *out)
{
	return wn_bulk_feed_key_parse(s, strlen(s), &out->kind, &out->value);
}
