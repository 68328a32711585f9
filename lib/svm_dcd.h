/*
 * svm_dcd.h - a linear L2-loss SVM by dual coordinate descent, for the
 * linear stage (linear_train.c): rows of bucket numbers with one value,
 * or two: one for the buckets below aux_from and one for the rest; the
 * first may be multiplied by a weight of each bucket's own.
 */
#ifndef WINNOW_SVM_DCD_H
#define WINNOW_SVM_DCD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct wn_svm_rows {
	size_t n;		/* rows */
	size_t dim;		/* buckets below dim */
	const uint32_t *buckets; /* every row's buckets, row after row */
	const size_t *start;	/* row i: buckets[start[i] .. start[i+1]) */
	const double *value;	/* the value of each of row i's features */
	const double *aux_value; /* NULL, or the value of row i's buckets
				 * from aux_from on (rows ascending) */
	uint32_t aux_from;
	const float *scale;	/* NULL, or each bucket's multiplier of value
				 * (not of aux_value): a bucket b of row i is
				 * value[i] * scale[b] */
	const bool *label;	/* true: spam, +1; false: ham, -1 */
} wn_svm_rows;

/*
 * wn_svm_dcd - fit w (dim floats, zero on entry) and *bias (a feature of
 * value 1 in every row) with cost c until the projected gradients span at
 * most eps, shuffling with seed. w is the model's own storage: floats
 * hold the weights to the precision the model keeps, and only the
 * buckets some row uses are touched. Returns 0 or WN_ENOMEM.
 * Thread-safe: a fit touches only its arguments.
 */
int wn_svm_dcd(const wn_svm_rows *r, double c, double eps, uint64_t seed,
    float *w, double *bias);

#endif
