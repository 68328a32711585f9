/*
 * linear_int.h - the stored form of the linear model (linear.c and
 * linear_train.c only).
 *
 * One blob: this header, then the float vectors of the model, in host
 * byte order (an LMDB file is bound to its architecture anyway):
 *
 *   format 2 (WNLIN02): the token weights, the header weights, the
 *   ratio view's weights times each bucket's log ratio (u), and each
 *   bucket's log ratio squared (q), all WN_LINEAR_BUCKETS long;
 *   format 1 (WNLIN01, stores trained before the ratio view): a shorter
 *   header without bias_ratio, then the token and header weights only.
 *
 * The ratio view's margin of a message's header buckets B is
 * sum(u_b) / sqrt(sum(q_b)) + bias_ratio, b in B (linear_train.c).
 */
#ifndef WINNOW_LINEAR_INT_H
#define WINNOW_LINEAR_INT_H

#include <stddef.h>
#include <stdint.h>

#include <winnow/linear.h>

#define WN_LINEAR_MAGIC "WNLIN02"	/* 8 bytes with the NUL */
#define WN_LINEAR_MAGIC_1 "WNLIN01"

typedef struct wn_linear_head {
	char magic[8];
	uint32_t bits;		/* WN_LINEAR_BITS */
	uint32_t reserved;
	uint64_t spam;		/* samples trained on */
	uint64_t ham;
	uint64_t trained_at;	/* seconds since 1970 */
	double bias_tok;
	double bias_hdr;
	double bias_ratio;	/* format 2 on */
} wn_linear_head;

#define WN_LINEAR_VECTOR_SIZE ((size_t)WN_LINEAR_BUCKETS * sizeof(float))
#define WN_LINEAR_HEAD_1_SIZE offsetof(wn_linear_head, bias_ratio)
#define WN_LINEAR_BLOB_1_SIZE \
	(WN_LINEAR_HEAD_1_SIZE + 2 * WN_LINEAR_VECTOR_SIZE)
#define WN_LINEAR_BLOB_SIZE \
	(sizeof(wn_linear_head) + 4 * WN_LINEAR_VECTOR_SIZE)

/*
 * wn__linear_head_read - copy out and check a blob's header (of either
 * format; bias_ratio 0 in format 1), and the offset of its first vector
 * into *vectors; *format 1 or 2. WN_EFORMAT when len or the header is not
 * a model's.
 */
int wn__linear_head_read(const void *blob, size_t len, wn_linear_head *h,
    size_t *vectors, int *format);

#endif
