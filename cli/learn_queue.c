/*
 * learn_queue.c - learning many messages with the parsing in threads.
 *
 * A ring of slots, each with its own arena holding a copy of one message
 * and what preparing it made. Messages are numbered as pushed; workers
 * take them in number order, and the caller's thread completes them in
 * number order, so the store sees the messages in the order given, as if
 * learned one by one. Three counters under one mutex say where each
 * message is: pushed (numbers handed out), taken (by a worker), retired
 * (done). A slot is the caller's while free or ready, a worker's while
 * taken and not ready.
 */
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include <winnow/alloc.h>
#include <winnow/arena.h>
#include <winnow/err.h>

#include "learn_queue.h"

typedef struct wn_learn_slot {
	wn_arena *arena;
	const char *path, *data;	/* copies in the arena */
	size_t len;
	int tag;
	wn_learn_prep prep;
	int rc;
	bool ready;
} wn_learn_slot;

struct wn_learn_queue {
	const wn_scan_config *cfg;
	bool keep_sample;
	wn_learn_done_fn done;
	void *arg;
	wn_learn_slot *slot;
	size_t n_slots;
	size_t pushed, taken, retired;
	pthread_mutex_t mu;
	pthread_cond_t work;	/* a message to take, or stop */
	pthread_cond_t ready;	/* a slot became ready */
	pthread_t *thread;
	unsigned n_threads;
	bool stop;
};

unsigned
wn_learn_queue_workers(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 2)
		return 0;
	return n > 4 ? 4 : (unsigned)n;
}

static void
wn_learn_slot_prepare(const wn_learn_queue *q, wn_learn_slot *s)
{
	s->rc = wn_learn_prepare(s->arena, q->cfg, q->keep_sample, s->data,
	    s->len, &s->prep);
}

static void *
wn_learn_worker(void *arg)
{
	wn_learn_queue *q = arg;
	wn_learn_slot *s;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (!q->stop && q->taken == q->pushed)
			pthread_cond_wait(&q->work, &q->mu);
		if (q->stop)
			break;
		s = &q->slot[q->taken++ % q->n_slots];
		pthread_mutex_unlock(&q->mu);
		wn_learn_slot_prepare(q, s);
		pthread_mutex_lock(&q->mu);
		s->ready = true;
		pthread_cond_signal(&q->ready);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

/* Wait for the oldest message and complete it. */
static int
wn_learn_retire(wn_learn_queue *q)
{
	wn_learn_slot *s = &q->slot[q->retired % q->n_slots];
	int rc;

	pthread_mutex_lock(&q->mu);
	while (!s->ready)
		pthread_cond_wait(&q->ready, &q->mu);
	pthread_mutex_unlock(&q->mu);
	rc = q->done(s->path, s->tag, s->rc, s->rc == 0 ? &s->prep : NULL,
	    q->arg);
	s->ready = false;
	q->retired++;
	return rc;
}

int
wn_learn_queue_new(const wn_scan_config *cfg, bool keep_sample,
    unsigned workers, wn_learn_done_fn done, void *arg, wn_learn_queue **out)
{
	wn_learn_queue *q;
	size_t i;

	*out = NULL;
	if ((q = wn_calloc(1, sizeof(*q))) == NULL)
		return WN_ENOMEM;
	q->cfg = cfg;
	q->keep_sample = keep_sample;
	q->done = done;
	q->arg = arg;
	/* Two messages a worker keep every worker busy while the caller
	 * completes the oldest. */
	q->n_slots = workers ? 2 * (size_t)workers + 2 : 1;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->work, NULL);
	pthread_cond_init(&q->ready, NULL);
	if ((q->slot = wn_calloc(q->n_slots, sizeof(*q->slot))) == NULL ||
	    (workers && (q->thread = wn_calloc(workers,
	    sizeof(*q->thread))) == NULL))
		goto fail;
	for (i = 0; i < q->n_slots; i++)
		if ((q->slot[i].arena = wn_arena_new(0)) == NULL)
			goto fail;
	/* Fewer threads than asked (a limit was hit) only means slower. */
	for (; q->n_threads < workers; q->n_threads++)
		if (pthread_create(&q->thread[q->n_threads], NULL,
		    wn_learn_worker, q) != 0)
			break;
	*out = q;
	return 0;
fail:
	wn_learn_queue_free(&q);
	return WN_ENOMEM;
}

int
wn_learn_queue_push(wn_learn_queue *q, const char *path, int tag,
    const char *data, size_t len)
{
	wn_learn_slot *s;
	int rc = 0, r;

	while (q->pushed - q->retired == q->n_slots)
		if ((r = wn_learn_retire(q)) != 0 && rc == 0)
			rc = r;
	s = &q->slot[q->pushed % q->n_slots];
	wn_arena_reset(s->arena);
	s->path = wn_arena_strdup(s->arena, path);
	s->data = len ? wn_arena_memdup(s->arena, data, len) : "";
	s->len = len;
	s->tag = tag;
	if (s->path == NULL || s->data == NULL)
		return WN_ENOMEM;
	if (q->n_threads == 0) {
		wn_learn_slot_prepare(q, s);
		s->ready = true;
		q->pushed++;
		r = wn_learn_retire(q);
		return rc ? rc : r;
	}
	pthread_mutex_lock(&q->mu);
	q->pushed++;
	pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->mu);
	return rc;
}

int
wn_learn_queue_finish(wn_learn_queue *q)
{
	int rc = 0, r;

	while (q->retired < q->pushed)
		if ((r = wn_learn_retire(q)) != 0 && rc == 0)
			rc = r;
	return rc;
}

void
wn_learn_queue_free(wn_learn_queue **qp)
{
	wn_learn_queue *q = *qp;
	size_t i;
	unsigned t;

	if (q == NULL)
		return;
	*qp = NULL;
	pthread_mutex_lock(&q->mu);
	q->stop = true;
	pthread_cond_broadcast(&q->work);
	pthread_mutex_unlock(&q->mu);
	for (t = 0; t < q->n_threads; t++)
		pthread_join(q->thread[t], NULL);
	if (q->slot != NULL)
		for (i = 0; i < q->n_slots; i++)
			wn_arena_free(&q->slot[i].arena);
	wn_free(q->slot);
	wn_free(q->thread);
	pthread_cond_destroy(&q->ready);
	pthread_cond_destroy(&q->work);
	pthread_mutex_destroy(&q->mu);
	wn_free(q);
}
