/*
 * linear_int.h - the stored form of the linear model (linear.c and
 * linear_train.c only).
 *
 * One blob: this header, then float weights of the token buckets, then
 * float weights of the header buckets, in host byte order (an LMDB file
 * is bound to its architecture anyway).
 */
#ifndef WINNOW_LINEAR_INT_H
#define WINNOW_LINEAR_INT_H

#include <stddef.h>
#include <stdint.h>

#include <winnow/linear.h>

#define WN_LINEAR_MAGIC "WNLIN01"	/* 8 bytes with the NUL */

typedef struct wn_linear_head {
	char magic[8];
	uint32_t bits;		/* WN_LINEAR_BITS */
	uint32_t reserved;
	uint64_t spam;		/* samples trained on */
	uint64_t ham;
	uint64_t trained_at;	/* seconds since 1970 */
	double bias_tok;
	double bias_hdr;
} wn_linear_head;

#define WN_LINEAR_BLOB_SIZE \
	(sizeof(wn_linear_head) + 2 * (size_t)WN_LINEAR_BUCKETS * sizeof(float))

/* wn__linear_head_read - copy out and check a blob's header; WN_EFORMAT
 * when len or the header is not a model's */
int wn__linear_head_read(const void *blob, size_t len, wn_linear_head *h);

#endif
