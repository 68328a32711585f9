/*
 * linear_train.c - fit the linear stage's three SVMs on a store's samples.
 *
 * The samples are read once into chunks of memory (a few bytes a
 * bucket); the newest max_samples (by learned day) are decoded into one
 * problem for the token SVM and one for the header's two, 4 bytes a
 * bucket, and fitted in two threads (the header SVM in one, the token SVM
 * and then the ratio view in the other) by dual coordinate descent
 * (svm_dcd.c), each straight into its float vector of the model blob.
 * Each fit shuffles with its own seeded generator, so a retrain of the
 * same samples gives the same model. From feature set 5 on, a token row
 * ends in the alignment features, which take a value of their own; the
 * ratio view weighs each header bucket by its log ratio (linear.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/mman.h>
#include <time.h>

#include <winnow/alloc.h>
#include <winnow/err.h>
#include <winnow/linear.h>
#include <winnow/tokenize.h>

#include "linear_int.h"
#include "svm_dcd.h"

/*
 * Memory of a few MiB that will all be written: pages mapped and
 * populated in one call, not faulted in one at a time (a fault costs
 * more than the writing), and zero (the model relies on it). Whole pages
 * for one fit, outside wn_malloc.
 */
static void *
wn_pages_alloc(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void
wn_pages_free(void *p, size_t size)
{
	if (p != NULL)
		munmap(p, size);
}

typedef struct wn_sample_ref {
	const uint8_t *data;	/* in a chunk */
	size_t len;
	size_t seq;		/* the store's order */
	uint32_t day;
	bool spam;
} wn_sample_ref;

/* Samples are copied into chunks that never move, so growing costs no
 * copy: a sample that does not fit starts a new chunk. */
#define WN_SAMPLE_CHUNK	((size_t)4 << 20)

typedef struct wn_sample_chunk {
	struct wn_sample_chunk *next;
	size_t used, cap;
	uint8_t data[];
} wn_sample_chunk;

typedef struct wn_samples {
	wn_sample_chunk *chunks;	/* the newest first */
	wn_sample_ref *v;
	size_t n, nv_cap;
} wn_samples;

static uint8_t *
wn_samples_room(wn_samples *s, size_t len)
{
	wn_sample_chunk *c = s->chunks;
	uint8_t *p;

	if (c == NULL || c->cap - c->used < len) {
		size_t cap = len > WN_SAMPLE_CHUNK ? len : WN_SAMPLE_CHUNK;

		if ((c = wn_pages_alloc(sizeof(*c) + cap)) == NULL)
			return NULL;
		c->next = s->chunks;
		c->used = 0;
		c->cap = cap;
		s->chunks = c;
	}
	p = c->data + c->used;
	c->used += len;
	return p;
}

static void
wn_samples_free(wn_samples *s)
{
	while (s->chunks != NULL) {
		wn_sample_chunk *c = s->chunks;

		s->chunks = c->next;
		wn_pages_free(c, sizeof(*c) + c->cap);
	}
	wn_free(s->v);
}

static int
wn_samples_add(enum wn_learn_class cls, uint32_t day, const uint8_t *data,
    size_t len, void *arg)
{
	wn_samples *s = arg;
	uint8_t *p;

	if (cls != WN_LEARN_SPAM && cls != WN_LEARN_HAM)
		return 0;
	if (s->n == s->nv_cap) {
		size_t cap = s->nv_cap ? 2 * s->nv_cap : 1024;
		wn_sample_ref *v = wn_realloc(s->v, cap * sizeof(*v));

		if (v == NULL)
			return WN_ENOMEM;
		s->v = v;
		s->nv_cap = cap;
	}
	if ((p = wn_samples_room(s, len)) == NULL)
		return WN_ENOMEM;
	memcpy(p, data, len);
	s->v[s->n].data = p;
	s->v[s->n].len = len;
	s->v[s->n].seq = s->n;
	s->v[s->n].day = day;
	s->v[s->n].spam = cls == WN_LEARN_SPAM;
	s->n++;
	return 0;
}

/* Newest first; equal days keep the store's order. */
static int
wn_sample_newer(const void *a, const void *b)
{
	const wn_sample_ref *x = a, *y = b;

	if (x->day != y->day)
		return x->day > y->day ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* One model's problem and its fit. */
typedef struct wn_fit_job {
	const wn_samples *s;
	const wn_linear_params *p;
	int which;		/* 0: token buckets, 1: header buckets */
	const bool *label;
	uint32_t *buckets;	/* wn_pages_alloc'd, n_buckets */
	size_t n_buckets;
	size_t *start;		/* row i: from start[i] to start[i+1] */
	bool shared_rows;	/* buckets and start are another job's (the
				 * ratio view's, the header job's) */
	double *value;
	double *aux_value;	/* token rows of set 5 on: alignment's */
	const float *scale;	/* the ratio view: each bucket's log ratio */
	float *w;		/* the blob's vector for this model */
	double bias;
	struct wn_fit_job *next; /* fitted after this one, in its thread */
	int rc;
} wn_fit_job;

/* Decode rows [from, to) of a job into the places its start[] gives. */
static int
wn_fit_decode(wn_fit_job *j, size_t from, size_t to)
{
	const wn_samples *s = j->s;
	size_t i, n;

	for (i = from; i < to; i++)
		if (wn_linear_decode(s->v[i].data, s->v[i].len, j->which,
		    j->buckets + j->start[i], j->start[i + 1] - j->start[i],
		    &n) != 0 || n != j->start[i + 1] - j->start[i])
			return WN_EFORMAT;
	return 0;
}

/*
 * A thread's share of the decoding: all token rows and header rows
 * [hdr_from, hdr_to), or only header rows. The shares are cut so that
 * both threads decode about as many buckets.
 */
typedef struct wn_decode_share {
	wn_fit_job *job;	/* the two jobs */
	bool tokens;
	size_t hdr_from, hdr_to;
	int rc;
} wn_decode_share;

static void *
wn_decode_run(void *arg)
{
	wn_decode_share *d = arg;

	if (d->tokens)
		d->rc = wn_fit_decode(&d->job[0], 0, d->job[0].s->n);
	if (d->rc == 0)
		d->rc = wn_fit_decode(&d->job[1], d->hdr_from, d->hdr_to);
	return NULL;
}

static void *
wn_fit_run(void *arg)
{
	wn_fit_job *j = arg;
	wn_svm_rows rows;

	rows.n = j->s->n;
	rows.dim = WN_LINEAR_BUCKETS;
	rows.buckets = j->buckets;
	rows.start = j->start;
	rows.value = j->value;
	rows.aux_value = j->aux_value;
	rows.aux_from = WN_LINEAR_AUX_BASE;
	rows.scale = j->scale;
	rows.label = j->label;
	j->rc = wn_svm_dcd(&rows, j->p->c, j->p->eps, 1, j->w, &j->bias);
	if (j->rc == 0 && j->next != NULL)
		return wn_fit_run(j->next);
	return NULL;
}

/* Run fn(a) in a second thread and fn(b) here; one after the other when
 * no thread can be made. */
static void
wn_run_pair(void *(*fn)(void *), void *a, void *b)
{
	pthread_t th;
	bool threaded = pthread_create(&th, NULL, fn, a) == 0;

	fn(b);
	if (threaded)
		pthread_join(th, NULL);
	else
		fn(a);
}

static int
wn_fit_job_alloc(wn_fit_job *j)
{
	const wn_samples *s = j->s;

	j->start = wn_malloc((s->n + 1) * sizeof(*j->start));
	j->value = wn_malloc((s->n ? s->n : 1) * sizeof(*j->value));
	if (j->start == NULL || j->value == NULL)
		return WN_ENOMEM;
	return 0;
}

static void
wn_fit_job_free(wn_fit_job *j)
{
	if (!j->shared_rows) {
		wn_pages_free(j->buckets, j->n_buckets * sizeof(*j->buckets));
		wn_free(j->start);
	}
	wn_free(j->value);
	wn_free(j->aux_value);
}

/*
 * The values of token rows with alignment features (feature set 5 on):
 * those are each row's last buckets, from WN_LINEAR_AUX_BASE on.
 */
static int
wn_fit_aux_values(wn_fit_job *j)
{
	size_t i;

	j->aux_value = wn_malloc((j->s->n ? j->s->n : 1) *
	    sizeof(*j->aux_value));
	if (j->aux_value == NULL)
		return WN_ENOMEM;
	for (i = 0; i < j->s->n; i++) {
		size_t n = j->start[i + 1] - j->start[i], m = n;

		while (m > 0 && j->buckets[j->start[i] + m - 1] >=
		    WN_LINEAR_AUX_BASE)
			m--;
		wn_linear_row_values(m, n - m, &j->value[i],
		    &j->aux_value[i]);
	}
	return 0;
}

/*
 * The ratio view's problem, on the header job's rows: each bucket's log
 * ratio r_b (linear.h) into r, and r_b squared into q (the model's
 * vector for the norm: a bucket no sample has keeps the ratio of the
 * totals, and counts in a new message's norm as in training), and each
 * row's value, 1 / sqrt(sum of its r_b^2).
 */
static int
wn_fit_ratio(const wn_fit_job *hdr, wn_fit_job *j, float *r, float *q)
{
	const size_t nb = WN_LINEAR_BUCKETS;
	uint32_t *count;
	double total[2] = { (double)nb, (double)nb };
	size_t i, k;

	if ((count = wn_pages_alloc(2 * nb * sizeof(*count))) == NULL)
		return WN_ENOMEM;
	for (i = 0; i < hdr->s->n; i++) {
		uint32_t *c = count + (hdr->label[i] ? nb : 0);

		for (k = hdr->start[i]; k < hdr->start[i + 1]; k++)
			c[hdr->buckets[k]]++;
		total[hdr->label[i]] += (double)(hdr->start[i + 1] -
		    hdr->start[i]);
	}
	for (k = 0; k < nb; k++) {
		double v = log((1.0 + count[nb + k]) / total[1]) -
		    log((1.0 + count[k]) / total[0]);

		r[k] = (float)v;
		q[k] = r[k] * r[k];
	}
	wn_pages_free(count, 2 * nb * sizeof(*count));
	for (i = 0; i < hdr->s->n; i++) {
		double norm2 = 0;

		for (k = hdr->start[i]; k < hdr->start[i + 1]; k++)
			norm2 += (double)q[hdr->buckets[k]];
		j->value[i] = norm2 > 0 ? 1.0 / sqrt(norm2) : 0.0;
	}
	wn_free(j->start);
	j->buckets = hdr->buckets;
	j->n_buckets = hdr->n_buckets;
	j->start = hdr->start;
	j->shared_rows = true;
	j->scale = r;
	return 0;
}

/* The fitted models, each in its vectors of the blob. */
typedef struct wn_fit_out {
	float *w_tok, *w_hdr, *u_ratio, *q_ratio;
	double bias_tok, bias_hdr, bias_ratio;
} wn_fit_out;

/*
 * Row places and values from each sample's counts, then the buckets
 * decoded by two threads, then the three SVMs fitted, the header's in a
 * second thread, the token SVM's and then the ratio view's here (they are
 * independent, and each fit's shuffle is its own, so the result does not
 * depend on the threads). Each fits its float vector of the blob in
 * place; the ratio view's weights are then multiplied by their buckets'
 * ratios, so that scoring needs no ratio of its own.
 */
static int
wn_fit_all(const wn_samples *s, const wn_linear_params *p, bool align,
    wn_fit_out *out)
{
	wn_fit_job job[3];
	wn_decode_share share[2];
	bool *label;
	float *ratio = NULL;
	size_t i, k, half, cut;
	int rc;

	memset(job, 0, sizeof(job));
	if ((label = wn_malloc((s->n ? s->n : 1) * sizeof(*label))) == NULL)
		return WN_ENOMEM;
	for (k = 0; k < 3; k++) {
		job[k].s = s;
		job[k].p = p;
		job[k].which = k == 0 ? 0 : 1;
		job[k].label = label;
		job[k].w = k == 0 ? out->w_tok : k == 1 ? out->w_hdr :
		    out->u_ratio;
		if ((rc = wn_fit_job_alloc(&job[k])) != 0)
			goto out;
		job[k].start[0] = 0;
	}
	for (i = 0; i < s->n; i++) {
		size_t n[2];

		if (wn_linear_sample_counts(s->v[i].data, s->v[i].len,
		    &n[0], &n[1]) != 0) {
			rc = WN_EFORMAT;
			goto out;
		}
		for (k = 0; k < 2; k++) {
			job[k].start[i + 1] = job[k].start[i] + n[k];
			job[k].value[i] = n[k] ? 1.0 / sqrt((double)n[k]) : 0.0;
		}
		label[i] = s->v[i].spam;
	}
	for (k = 0; k < 2; k++) {
		job[k].n_buckets = job[k].start[s->n] ? job[k].start[s->n] : 1;
		if ((job[k].buckets = wn_pages_alloc(job[k].n_buckets *
		    sizeof(uint32_t))) == NULL) {
			job[k].n_buckets = 0;
			rc = WN_ENOMEM;
			goto out;
		}
	}
	/* The first header rows, up to half of all buckets, go to the
	 * second thread; the token rows and the rest stay here. */
	half = (job[0].start[s->n] + job[1].start[s->n]) / 2;
	for (cut = 0; cut < s->n && job[1].start[cut + 1] <= half; cut++)
		;
	memset(share, 0, sizeof(share));
	share[0] = (wn_decode_share){ job, false, 0, cut, 0 };
	share[1] = (wn_decode_share){ job, true, cut, s->n, 0 };
	wn_run_pair(wn_decode_run, &share[0], &share[1]);
	if ((rc = share[0].rc) != 0 || (rc = share[1].rc) != 0)
		goto out;
	if (align && (rc = wn_fit_aux_values(&job[0])) != 0)
		goto out;
	if ((ratio = wn_malloc(WN_LINEAR_VECTOR_SIZE)) == NULL) {
		rc = WN_ENOMEM;
		goto out;
	}
	if ((rc = wn_fit_ratio(&job[1], &job[2], ratio, out->q_ratio)) != 0)
		goto out;
	job[0].next = &job[2];
	wn_run_pair(wn_fit_run, &job[1], &job[0]);
	if ((rc = job[0].rc) != 0 || (rc = job[1].rc) != 0 ||
	    (rc = job[2].rc) != 0)
		goto out;
	for (k = 0; k < WN_LINEAR_BUCKETS; k++)
		out->u_ratio[k] *= ratio[k];
	out->bias_tok = job[0].bias;
	out->bias_hdr = job[1].bias;
	out->bias_ratio = job[2].bias;
out:
	for (k = 0; k < 3; k++)
		wn_fit_job_free(&job[k]);
	wn_free(ratio);
	wn_free(label);
	return rc;
}

int
wn_linear_train(wn_store *st, const wn_linear_params *p, bool *trained,
    wn_linear_info *info)
{
	wn_samples s = { 0 };
	wn_linear_head h;
	unsigned char *blob = NULL;
	wn_fit_out fit;
	wn_store_totals tot;
	size_t i;
	int rc;

	*trained = false;
	memset(info, 0, sizeof(*info));
	if (st->ops->samples_each == NULL || st->ops->model_write == NULL) {
		snprintf(st->error, sizeof(st->error), "a %s store keeps no "
		    "samples for the linear stage", st->ops->name);
		return WN_EINVAL;
	}
	/* Samples are never more than learned messages: with too few of
	 * those, say so without reading the samples. */
	if ((rc = st->ops->totals(st, &tot)) != 0)
		return rc;
	info->learned_spam = tot.spam_msgs;
	info->learned_ham = tot.ham_msgs;
	if (tot.spam_msgs < p->min_samples || tot.ham_msgs < p->min_samples ||
	    tot.spam_msgs == 0 || tot.ham_msgs == 0) {
		info->spam = tot.spam_msgs;
		info->ham = tot.ham_msgs;
		return 0;
	}
	if ((rc = st->ops->samples_each(st, wn_samples_add, &s)) != 0)
		goto out;
	for (i = 0; i < s.n; i++) {
		if (s.v[i].spam)
			info->spam++;
		else
			info->ham++;
	}
	if (info->spam * 2 < tot.spam_msgs || info->ham * 2 < tot.ham_msgs) {
		info->uncovered = true;
		goto out;
	}
	info->spam = info->ham = 0;
	if (p->max_samples != 0 && s.n > p->max_samples) {
		qsort(s.v, s.n, sizeof(*s.v), wn_sample_newer);
		s.n = p->max_samples;
	}
	for (i = 0; i < s.n; i++) {
		if (s.v[i].spam)
			info->spam++;
		else
			info->ham++;
	}
	if (info->spam < p->min_samples || info->ham < p->min_samples ||
	    info->spam == 0 || info->ham == 0)
		goto out;
	/* Zero pages (the fits write only the buckets their rows use) */
	if ((blob = wn_pages_alloc(WN_LINEAR_BLOB_SIZE)) == NULL) {
		rc = WN_ENOMEM;
		goto out;
	}
	memset(&fit, 0, sizeof(fit));
	fit.w_tok = (float *)(void *)(blob + sizeof(h));
	fit.w_hdr = fit.w_tok + WN_LINEAR_BUCKETS;
	fit.u_ratio = fit.w_hdr + WN_LINEAR_BUCKETS;
	fit.q_ratio = fit.u_ratio + WN_LINEAR_BUCKETS;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, WN_LINEAR_MAGIC, sizeof(h.magic));
	h.bits = WN_LINEAR_BITS;
	h.spam = info->spam;
	h.ham = info->ham;
	h.trained_at = (uint64_t)time(NULL);
	if ((rc = wn_fit_all(&s, p, wn_tokenize_features(tot.seed) >= 5,
	    &fit)) != 0)
		goto out;
	h.bias_tok = fit.bias_tok;
	h.bias_hdr = fit.bias_hdr;
	h.bias_ratio = fit.bias_ratio;
	memcpy(blob, &h, sizeof(h));
	info->trained_at = h.trained_at;
	if ((rc = st->ops->model_write(st, blob, WN_LINEAR_BLOB_SIZE)) == 0)
		*trained = true;
out:
	if (rc == WN_EFORMAT)
		snprintf(st->error, sizeof(st->error), "a sample in the store "
		    "is damaged: the store file may be corrupt");
	wn_pages_free(blob, WN_LINEAR_BLOB_SIZE);
	wn_samples_free(&s);
	return rc;
}
