/*
 * linear_train.c - fit the linear stage's two SVMs on a store's samples.
 *
 * The samples are read once into chunks of memory (a few bytes a
 * bucket); the newest max_samples (by learned day) are decoded into one
 * problem per SVM, 4 bytes a bucket, and the two are fitted at once, in
 * two threads, by dual coordinate descent (svm_dcd.c), each straight into
 * its float vector of the model blob. Each fit shuffles with its own
 * seeded generator, so a retrain of the same samples gives the same
 * model.
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

#include "linear_int.h"
#include "svm_dcd.h"

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

		if ((c = wn_malloc(sizeof(*c) + cap)) == NULL)
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
		wn_free(c);
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

/* One model's problem and its fit, run in a thread of its own. */
typedef struct wn_fit_job {
	const wn_samples *s;
	const wn_linear_params *p;
	int which;		/* 0: token buckets, 1: header buckets */
	const bool *label;
	uint32_t *buckets;
	size_t *start;
	double *value;
	float *w;		/* the blob's vector for this model */
	double bias;
	int rc;
} wn_fit_job;

static void *
wn_fit_run(void *arg)
{
	wn_fit_job *j = arg;
	const wn_samples *s = j->s;
	wn_svm_rows rows;
	size_t i, pos = 0, n;

	for (i = 0; i < s->n; i++) {
		j->start[i] = pos;
		if (wn_linear_decode(s->v[i].data, s->v[i].len,
		    j->which, j->buckets + pos, s->v[i].len, &n) != 0) {
			j->rc = WN_EFORMAT;
			return NULL;
		}
		j->value[i] = n ? 1.0 / sqrt((double)n) : 0.0;
		pos += n;
	}
	j->start[s->n] = pos;
	rows.n = s->n;
	rows.dim = WN_LINEAR_BUCKETS;
	rows.buckets = j->buckets;
	rows.start = j->start;
	rows.value = j->value;
	rows.label = j->label;
	j->rc = wn_svm_dcd(&rows, j->p->c, j->p->eps, 1, j->w, &j->bias);
	return NULL;
}

/* Buckets the job's rows hold in all, from the samples' counts. */
static int
wn_fit_job_alloc(wn_fit_job *j, size_t total)
{
	const wn_samples *s = j->s;

	j->buckets = wn_malloc((total ? total : 1) * sizeof(*j->buckets));
	j->start = wn_malloc((s->n + 1) * sizeof(*j->start));
	j->value = wn_malloc((s->n ? s->n : 1) * sizeof(*j->value));
	if (j->buckets == NULL || j->start == NULL || j->value == NULL)
		return WN_ENOMEM;
	return 0;
}

static void
wn_fit_job_free(wn_fit_job *j)
{
	wn_free(j->buckets);
	wn_free(j->start);
	wn_free(j->value);
}

/*
 * Fit both SVMs, the header's in a second thread (the two are
 * independent, and each fit's shuffle is its own, so the result does not
 * depend on the threads). Each fits its float vector of the blob in
 * place.
 */
static int
wn_fit_both(const wn_samples *s, const wn_linear_params *p, float *w_tok,
    float *w_hdr, double *bias_tok, double *bias_hdr)
{
	wn_fit_job job[2];
	bool *label;
	size_t i, k, total[2] = { 0, 0 };
	pthread_t th;
	bool threaded;
	int rc;

	if ((label = wn_malloc((s->n ? s->n : 1) * sizeof(*label))) == NULL)
		return WN_ENOMEM;
	for (i = 0; i < s->n; i++) {
		size_t nt, nh;

		if (wn_linear_sample_counts(s->v[i].data, s->v[i].len,
		    &nt, &nh) != 0) {
			wn_free(label);
			return WN_EFORMAT;
		}
		total[0] += nt;
		total[1] += nh;
		label[i] = s->v[i].spam;
	}
	memset(job, 0, sizeof(job));
	for (k = 0; k < 2; k++) {
		job[k].s = s;
		job[k].p = p;
		job[k].which = (int)k;
		job[k].label = label;
		job[k].w = k == 0 ? w_tok : w_hdr;
		if ((rc = wn_fit_job_alloc(&job[k], total[k])) != 0)
			goto out;
	}
	threaded = pthread_create(&th, NULL, wn_fit_run, &job[1]) == 0;
	wn_fit_run(&job[0]);
	if (threaded)
		pthread_join(th, NULL);
	else
		wn_fit_run(&job[1]);
	if ((rc = job[0].rc) != 0 || (rc = job[1].rc) != 0)
		goto out;
	*bias_tok = job[0].bias;
	*bias_hdr = job[1].bias;
out:
	wn_fit_job_free(&job[0]);
	wn_fit_job_free(&job[1]);
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
	float *w_tok, *w_hdr;
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
	/* Zero pages of its own: a fit touches only the buckets its rows
	 * use, and from the heap (where freed sample buffers leave room)
	 * 8 MiB would be cleared first. */
	blob = mmap(NULL, WN_LINEAR_BLOB_SIZE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (blob == MAP_FAILED) {
		blob = NULL;
		rc = WN_ENOMEM;
		goto out;
	}
	w_tok = (float *)(void *)(blob + sizeof(h));
	w_hdr = w_tok + WN_LINEAR_BUCKETS;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, WN_LINEAR_MAGIC, sizeof(h.magic));
	h.bits = WN_LINEAR_BITS;
	h.spam = info->spam;
	h.ham = info->ham;
	h.trained_at = (uint64_t)time(NULL);
	if ((rc = wn_fit_both(&s, p, w_tok, w_hdr, &h.bias_tok,
	    &h.bias_hdr)) != 0)
		goto out;
	memcpy(blob, &h, sizeof(h));
	info->trained_at = h.trained_at;
	if ((rc = st->ops->model_write(st, blob, WN_LINEAR_BLOB_SIZE)) == 0)
		*trained = true;
out:
	if (rc == WN_EFORMAT)
		snprintf(st->error, sizeof(st->error), "a sample in the store "
		    "is damaged: the store file may be corrupt");
	if (blob != NULL)
		munmap(blob, WN_LINEAR_BLOB_SIZE);
	wn_samples_free(&s);
	return rc;
}
