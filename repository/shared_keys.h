/*
 * shared_keys.h - the keys of cooperative bulk sharing as the repository
 * keeps them (docs/arch/bulk-sharing.md): a kind, 'd' for a text digest
 * or 'b' for a band, and a 64-bit value, written "d:<16 hex>" as
 * include/winnow/bulk_feed.h has it.
 *
 * A band key is stored with the digest of the text it came with, so that
 * blocking a text's digest can take its bands out of the feed too.
 * Both databases store values as the signed 64-bit integer of the same
 * bits; wn_shared_key_to_db and _from_db convert. Keys sort by kind,
 * then by value unsigned, which is the order of their texts ("b:..."
 * before "d:...", hex digits of one length), the order the feed lists
 * them in. Pure functions; thread-safe.
 */
#ifndef WINNOW_REPOSITORY_SHARED_KEYS_H
#define WINNOW_REPOSITORY_SHARED_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "report_in.h"

#define WN_SHARED_KEY_LEN 18		/* "d:" and 16 hex digits */

typedef struct wn_shared_key {
	char kind;			/* 'd' or 'b' */
	uint64_t value;
} wn_shared_key;

/* a key as a report brings it: with the digest of the text (the item)
 * it came with, which for a 'd' key is its own value */
typedef struct wn_shared_row {
	wn_shared_key key;
	uint64_t digest;
} wn_shared_row;

/*
 * wn_shared_rows_of_report - the distinct (key, digest) pairs of r's
 * bulk_fingerprints (each item's digest and its 16 bands), sorted by key
 * then digest, into a new array (wn_free it); *out NULL and *n_out 0 when
 * r has none. Returns 0 or WN_ENOMEM.
 */
int wn_shared_rows_of_report(const wn_report *r, wn_shared_row **out,
    size_t *n_out);

/* wn_shared_key_cmp - qsort order of wn_shared_key: kind, then value */
int wn_shared_key_cmp(const void *a, const void *b);

/* wn_shared_key_format - "d:0123456789abcdef" into buf */
void wn_shared_key_format(char kind, uint64_t value,
    char buf[WN_SHARED_KEY_LEN + 1]);

/* wn_shared_key_parse - the text form (exactly, lowercase) into *out;
 * false when s is not one */
bool wn_shared_key_parse(const char *s, wn_shared_key *out);

static inline int64_t
wn_shared_key_to_db(uint64_t v)
{
	int64_t x;

	memcpy(&x, &v, sizeof(x));
	return x;
}

static inline uint64_t
wn_shared_key_from_db(int64_t x)
{
	uint64_t v;

	memcpy(&v, &x, sizeof(v));
	return v;
}

#endif
