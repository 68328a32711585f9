/*
 * svm_dcd.c - a linear L2-loss SVM fitted by dual coordinate descent.
 *
 * The method of Hsieh, Chang, Lin, Keerthi and Sundararajan, "A Dual
 * Coordinate Descent Method for Large-scale Linear SVM" (ICML 2008), with
 * its shrinking: minimise over alpha >= 0
 *
 *     1/2 alpha' (Q + D) alpha - sum alpha,  Q_ij = y_i y_j x_i.x_j,
 *     D_ii = 1 / (2C),  w = sum alpha_i y_i x_i,
 *
 * one alpha at a time, in a shuffled order, until the projected gradients
 * span less than eps. Made for the linear stage's rows: every feature of
 * a row has the same value (1/sqrt(n), the row scaled to length 1), so a
 * row is only its bucket numbers, 4 bytes each, and a bias feature of
 * value 1 rides along; a token row's alignment features, its last
 * buckets, have a second value of their own. The header's ratio view
 * multiplies each bucket's value by the bucket's own weight (its log
 * ratio, linear_train.c). The weights are floats, written in place in the
 * model; the sums over a row are taken in double. The shuffle uses a
 * generator of its own, seeded per fit, so a fit is reproducible and fits
 * may run in threads.
 */
#include <math.h>
#include <string.h>

#include <winnow/alloc.h>
#include <winnow/err.h>

#include "svm_dcd.h"

/* xorshift64*: small, fast, and private to one fit. */
static uint64_t
wn_rand_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

/* How many of row i's buckets take the first value (the rest: aux). */
static size_t
wn_row_main(const wn_svm_rows *r, size_t i)
{
	const uint32_t *b = r->buckets + r->start[i];
	size_t n = r->start[i + 1] - r->start[i];

	if (r->aux_value == NULL)
		return n;
	while (n > 0 && b[n - 1] >= r->aux_from)
		n--;
	return n;
}

static double
wn_row_dot(const float *w, double bias, const wn_svm_rows *r, size_t i)
{
	const uint32_t *b = r->buckets + r->start[i];
	size_t n = r->start[i + 1] - r->start[i], m = wn_row_main(r, i), j;
	double sum = 0, aux = 0;

	if (r->scale != NULL)
		for (j = 0; j < m; j++)
			sum += (double)w[b[j]] * r->scale[b[j]];
	else
		for (j = 0; j < m; j++)
			sum += w[b[j]];
	for (; j < n; j++)
		aux += w[b[j]];
	return sum * r->value[i] + (m < n ? aux * r->aux_value[i] : 0.0) +
	    bias;
}

static void
wn_row_add(float *w, double *bias, const wn_svm_rows *r, size_t i, double d)
{
	const uint32_t *b = r->buckets + r->start[i];
	size_t n = r->start[i + 1] - r->start[i], m = wn_row_main(r, i), j;
	float dv = (float)(d * r->value[i]);

	if (r->scale != NULL)
		for (j = 0; j < m; j++)
			w[b[j]] += dv * r->scale[b[j]];
	else
		for (j = 0; j < m; j++)
			w[b[j]] += dv;
	if (m < n) {
		dv = (float)(d * r->aux_value[i]);
		for (; j < n; j++)
			w[b[j]] += dv;
	}
	*bias += d;
}

int
wn_svm_dcd(const wn_svm_rows *r, double c, double eps, uint64_t seed,
    float *w, double *bias)
{
	const size_t max_iter = 1000;
	double *alpha, *qd, pg_max_old = INFINITY;
	double diag = 0.5 / c;
	size_t *index, active = r->n, i, s, iter;
	uint64_t rng = seed ? seed : 1;

	*bias = 0;
	alpha = wn_calloc(r->n ? r->n : 1, sizeof(*alpha));
	qd = wn_malloc((r->n ? r->n : 1) * sizeof(*qd));
	index = wn_malloc((r->n ? r->n : 1) * sizeof(*index));
	if (alpha == NULL || qd == NULL || index == NULL) {
		wn_free(alpha);
		wn_free(qd);
		wn_free(index);
		return WN_ENOMEM;
	}
	for (i = 0; i < r->n; i++) {
		size_t n = r->start[i + 1] - r->start[i], m = wn_row_main(r, i);
		double aux = m < n ? r->aux_value[i] : 0.0, main = (double)m;

		if (r->scale != NULL) {
			const uint32_t *b = r->buckets + r->start[i];
			size_t j;

			for (main = 0, j = 0; j < m; j++)
				main += (double)r->scale[b[j]] *
				    r->scale[b[j]];
		}
		/* x.x = sum of value^2 (1 for a non-empty row) + the
		 * bias' 1 */
		qd[i] = main * r->value[i] * r->value[i] +
		    (double)(n - m) * aux * aux + 1.0 + diag;
		index[i] = i;
	}
	for (iter = 0; iter < max_iter; iter++) {
		double pg_max = -INFINITY, pg_min = INFINITY;

		for (i = 0; i < active; i++) {
			size_t j = i + (size_t)(wn_rand_next(&rng) %
			    (active - i));
			size_t t = index[i];

			index[i] = index[j];
			index[j] = t;
		}
		for (s = 0; s < active; s++) {
			size_t k = index[s];
			double y = r->label[k] ? 1.0 : -1.0;
			double g, pg, old;

			g = y * wn_row_dot(w, *bias, r, k) - 1.0 +
			    diag * alpha[k];
			pg = g;

			if (alpha[k] == 0) {
				if (g > pg_max_old) {
					/* Shrink: alpha stays at its bound */
					active--;
					index[s] = index[active];
					index[active] = k;
					s--;
					continue;
				}
				if (g > 0)
					pg = 0;
			}
			if (pg > pg_max)
				pg_max = pg;
			if (pg < pg_min)
				pg_min = pg;
			if (fabs(pg) <= 1e-12)
				continue;
			old = alpha[k];
			alpha[k] = fmax(old - g / qd[k], 0.0);
			wn_row_add(w, bias, r, k, (alpha[k] - old) * y);
		}
		if (pg_max - pg_min <= eps) {
			if (active == r->n)
				break;
			/* Converged on the active set: check all again. */
			active = r->n;
			pg_max_old = INFINITY;
			continue;
		}
		pg_max_old = pg_max <= 0 ? INFINITY : pg_max;
	}
	wn_free(alpha);
	wn_free(qd);
	wn_free(index);
	return 0;
}
