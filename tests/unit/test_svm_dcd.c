/* test_svm_dcd.c - the linear stage's SVM solver: it separates what is
 * separable, and a bucket's own weight (scale) is a value like any other. */
#include <math.h>
#include <string.h>

#include <criterion/criterion.h>

#include <winnow/alloc.h>

#include "svm_dcd.h"

#define DIM 64

/* Eight rows: spam uses buckets 0..3, ham 4..7, all share 10..12. */
static uint32_t buckets[8 * 3];
static size_t start[9];
static bool label[8];

static void
rows_init(wn_svm_rows *r, double *value, double v)
{
	size_t i, k = 0;

	for (i = 0; i < 8; i++) {
		label[i] = i % 2 == 0;
		start[i] = k;
		buckets[k++] = (uint32_t)(label[i] ? i / 2 : 4 + i / 2);
		buckets[k++] = 10;
		buckets[k++] = (uint32_t)(11 + i % 2);
		value[i] = v;
	}
	start[8] = k;
	memset(r, 0, sizeof(*r));
	r->n = 8;
	r->dim = DIM;
	r->buckets = buckets;
	r->start = start;
	r->value = value;
	r->aux_from = DIM;
	r->label = label;
}

static double
margin(const wn_svm_rows *r, const float *w, double bias, size_t i)
{
	double sum = 0;
	size_t k;

	for (k = r->start[i]; k < r->start[i + 1]; k++)
		sum += (double)w[r->buckets[k]] *
		    (r->scale ? r->scale[r->buckets[k]] : 1.0);
	return sum * r->value[i] + bias;
}

Test(svm_dcd, separates_the_training_rows)
{
	wn_svm_rows r;
	double value[8], bias;
	float w[DIM] = { 0 };
	size_t i;

	rows_init(&r, value, 1.0 / sqrt(3.0));
	cr_assert_eq(wn_svm_dcd(&r, 30.0, 0.01, 1, w, &bias), 0);
	for (i = 0; i < r.n; i++)
		cr_assert(label[i] ? margin(&r, w, bias, i) > 0 :
		    margin(&r, w, bias, i) < 0, "row %zu: %f", i,
		    margin(&r, w, bias, i));
	/* Buckets no row uses stay untouched. */
	cr_assert_eq(w[DIM - 1], 0.0f);
}

/*
 * A scale of 2 on every bucket with half the value is the same problem:
 * the same seed gives the same weights. Scales that differ per bucket
 * change the problem and still separate it.
 */
Test(svm_dcd, a_scale_is_part_of_the_value)
{
	wn_svm_rows plain, scaled;
	double v1[8], v2[8], b1, b2;
	float w1[DIM] = { 0 }, w2[DIM] = { 0 }, w3[DIM] = { 0 };
	float scale[DIM];
	size_t i;

	rows_init(&plain, v1, 0.5);
	rows_init(&scaled, v2, 0.25);
	for (i = 0; i < DIM; i++)
		scale[i] = 2.0f;
	scaled.scale = scale;
	cr_assert_eq(wn_svm_dcd(&plain, 30.0, 0.01, 7, w1, &b1), 0);
	cr_assert_eq(wn_svm_dcd(&scaled, 30.0, 0.01, 7, w2, &b2), 0);
	for (i = 0; i < DIM; i++)
		cr_assert_float_eq(w1[i], w2[i], 1e-5, "bucket %zu", i);
	cr_assert_float_eq(b1, b2, 1e-9);

	/* The shared buckets lean nowhere: scale them down, the rest up. */
	for (i = 0; i < DIM; i++)
		scale[i] = i >= 10 ? 0.1f : 3.0f;
	cr_assert_eq(wn_svm_dcd(&scaled, 30.0, 0.01, 7, w3, &b2), 0);
	for (i = 0; i < scaled.n; i++)
		cr_assert(label[i] ? margin(&scaled, w3, b2, i) > 0 :
		    margin(&scaled, w3, b2, i) < 0, "row %zu", i);
	cr_assert_neq(w3[0], w2[0]);
}
