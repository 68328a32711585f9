/*
 * verdict.h - the one score model: named symbols with weights.
 *
 * Every check of a message yields symbols (BAYES_99, later rule names,
 * SPF_FAIL, BULK_...). The score is the sum of their weights; a message is
 * spam when the score reaches the required score. Symbols live in the
 * message arena. Not thread-safe per verdict; one verdict per message.
 */
#ifndef WINNOW_VERDICT_H
#define WINNOW_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include <winnow/arena.h>

#define WN_REQUIRED_SCORE_DEFAULT 5.0

typedef struct wn_symbol {
	const char *name;	/* borrowed: static or arena */
	double weight;
} wn_symbol;

typedef struct wn_verdict {
	wn_symbol *v;
	size_t n;
	size_t cap;
	double score;
	double required;
	bool spam;
} wn_verdict;

void wn_verdict_init(wn_verdict *vd, double required);

/* wn_verdict_add - add a symbol; the score is updated. WN_ENOMEM. */
int wn_verdict_add(wn_arena *arena, wn_verdict *vd, const char *name,
    double weight);

/* wn_verdict_finish - decide spam from score and required */
void wn_verdict_finish(wn_verdict *vd);

#endif
