/*
 * bench_parse.c - parse and tokenize throughput over a corpus.
 *
 * Loads every message found at the given paths into memory first, so the
 * timing covers only the engine: wn_mime_parse, then wn_tokenize, with one
 * arena reset per message as winnowd does. Prints MB/s and messages/s for
 * parse alone and for parse+tokenize, best of --runs runs, on one core.
 *
 *   bench_parse [--runs N] PATH...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <winnow/arena.h>
#include <winnow/input.h>
#include <winnow/mime.h>
#include <winnow/tokenize.h>

typedef struct bench_msg {
	char *data;
	size_t len;
} bench_msg;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	bench_msg *msgs = NULL;
	size_t n = 0, cap = 0, bytes = 0, tokens = 0, i;
	int runs = 5, a = 1, r;
	double best_parse = 1e30, best_all = 1e30, best_all_cpu = 1e30;
	wn_tokenize_opts o;
	wn_arena *arena;

	if (a + 1 < argc && strcmp(argv[a], "--runs") == 0) {
		runs = atoi(argv[a + 1]);
		a += 2;
	}
	if (a >= argc || runs < 1) {
		fprintf(stderr, "usage: bench_parse [--runs N] PATH...\n");
		return 64;
	}
	for (; a < argc; a++) {
		wn_input *in;
		wn_input_msg m;
		int rc;

		if (wn_input_open(argv[a], 0, &in) != 0) {
			fprintf(stderr, "bench_parse: %s: cannot open\n", argv[a]);
			return 1;
		}
		while ((rc = wn_input_next(in, &m)) != 0) {
			if (rc < 0) {
				fprintf(stderr, "bench_parse: %s: unreadable\n",
				    m.path);
				continue;
			}
			if (n == cap) {
				cap = cap ? cap * 2 : 1024;
				msgs = realloc(msgs, cap * sizeof(*msgs));
			}
			msgs[n].data = malloc(m.len ? m.len : 1);
			memcpy(msgs[n].data, m.data, m.len);
			msgs[n].len = m.len;
			bytes += m.len;
			n++;
		}
		wn_input_free(&in);
	}
	if (n == 0) {
		fprintf(stderr, "bench_parse: no messages\n");
		return 1;
	}
	wn_tokenize_opts_default(&o);
	arena = wn_arena_new(0);
	for (r = 0; r < runs; r++) {
		double t0 = now(), t1, c0, c1;
		wn_mime_msg *m;
		wn_tokens t;

		for (i = 0; i < n; i++) {
			wn_arena_reset(arena);
			if (wn_mime_parse(arena, msgs[i].data, msgs[i].len, NULL,
			    &m) != 0)
				return 70;
		}
		t1 = now() - t0;
		if (t1 < best_parse)
			best_parse = t1;

		tokens = 0;
		t0 = now();
		c0 = cpu_now();
		for (i = 0; i < n; i++) {
			wn_arena_reset(arena);
			if (wn_mime_parse(arena, msgs[i].data, msgs[i].len, NULL,
			    &m) != 0 || wn_tokenize(arena, m, &o, &t) != 0)
				return 70;
			tokens += t.n;
		}
		t1 = now() - t0;
		c1 = cpu_now() - c0;
		if (t1 < best_all)
			best_all = t1;
		if (c1 < best_all_cpu)
			best_all_cpu = c1;
	}
	printf("messages            %zu\n", n);
	printf("bytes               %zu (%.1f MB)\n", bytes, bytes / 1e6);
	printf("features/message    %.0f\n", (double)tokens / (double)n);
	printf("parse               %.1f MB/s  %.0f msgs/s\n",
	    bytes / 1e6 / best_parse, n / best_parse);
	printf("parse+tokenize      %.1f MB/s  %.0f msgs/s  (cpu %.1f MB/s)\n",
	    bytes / 1e6 / best_all, n / best_all, bytes / 1e6 / best_all_cpu);
	wn_arena_free(&arena);
	for (i = 0; i < n; i++)
		free(msgs[i].data);
	free(msgs);
	return 0;
}
