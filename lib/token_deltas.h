/*
 * token_deltas.h - count changes of a learning batch, summed per token.
 *
 * A bulk learning run changes the same common tokens in almost every
 * message. The LMDB store sums a batch's changes here and writes each
 * token once, in key order, when the batch commits (store_lmdb.c).
 */
#ifndef WINNOW_TOKEN_DELTAS_H
#define WINNOW_TOKEN_DELTAS_H

#include <stddef.h>
#include <stdint.h>

typedef struct wn_token_delta {
	uint64_t key;
	int32_t spam, ham;	/* summed changes */
	uint32_t day;		/* the last adding message's day, or 0 */
	uint32_t used;		/* a slot of the table in use */
} wn_token_delta;

typedef struct wn_token_deltas {
	wn_token_delta *v;	/* open addressing, a power of two slots */
	size_t cap, n;
} wn_token_deltas;

/*
 * wn_token_deltas_add - add dspam and dham to each of keys[0..n); a key
 * added to (either count up) records day, as learning one by one does.
 * 0 or WN_ENOMEM (then nothing of this call was added).
 */
int wn_token_deltas_add(wn_token_deltas *d, const uint64_t *keys, size_t n,
    int dspam, int dham, uint32_t day);

/*
 * wn_token_deltas_sorted - the summed changes in ascending key order in
 * *out (n_out of them), in memory the table owns; the table is empty for
 * adding again only after wn_token_deltas_clear. 0 or WN_ENOMEM.
 */
int wn_token_deltas_sorted(wn_token_deltas *d, const wn_token_delta **out,
    size_t *n_out);

/* wn_token_deltas_clear - empty the table, keeping its memory */
void wn_token_deltas_clear(wn_token_deltas *d);

void wn_token_deltas_free(wn_token_deltas *d);

#endif
