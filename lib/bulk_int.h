/*
 * bulk_int.h - one bulk-store record: a key's counts over the window.
 *
 * Every backend stores a key's counts as the same fixed record, encoded
 * little-endian in WN__BULK_REC_LEN bytes, and changes it only through
 * these functions, so LMDB and Redis count alike (bulk.h has the window
 * semantics). A record whose width differs from the current window's is
 * read as empty: changing bulk_window starts counts afresh.
 */
#ifndef WINNOW_BULK_INT_H
#define WINNOW_BULK_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <winnow/bulk.h>

#define WN__BULK_REC_LEN \
	(4 * (2 + 2 * WN_BULK_BUCKETS + 2 * WN_BULK_SENDER_SLOTS))

typedef struct wn__bulk_rec {
	uint32_t newest;	/* bucket number of the newest bucket */
	uint32_t width;		/* bucket width in seconds; 0: empty record */
	uint32_t copies[WN_BULK_BUCKETS];	/* ring: bucket % BUCKETS */
	uint32_t rcpts[WN_BULK_BUCKETS];
	uint32_t sender[WN_BULK_SENDER_SLOTS];	/* hash; 0: free slot */
	uint32_t sender_bucket[WN_BULK_SENDER_SLOTS];	/* last seen */
} wn__bulk_rec;

/* wn__bulk_width - bucket width for a window (at least 1 second) */
uint32_t wn__bulk_width(uint32_t window);

/* wn__bulk_rec_decode - buf[0..len) into *r; anything that is not a
 * record of this length reads as an empty record */
void wn__bulk_rec_decode(const void *buf, size_t len, wn__bulk_rec *r);
void wn__bulk_rec_encode(const wn__bulk_rec *r,
    uint8_t out[WN__BULK_REC_LEN]);

/* wn__bulk_rec_add - count one copy: buckets that left the window are
 * cleared first; a record of another width is reset */
void wn__bulk_rec_add(wn__bulk_rec *r, const wn_bulk_obs *obs);

/* wn__bulk_rec_counts - the record's counts over the window at now */
void wn__bulk_rec_counts(const wn__bulk_rec *r, int64_t now,
    uint32_t window, wn_bulk_counts *out);

/* wn__bulk_rec_stale - nothing of the record is left in the window */
bool wn__bulk_rec_stale(const wn__bulk_rec *r, int64_t now,
    uint32_t window);

#endif
