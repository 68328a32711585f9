/*
 * bayes.h - spam probability from token counts (Robinson, Fisher).
 *
 * The classifier is a pure function: counts in, probability out; it never
 * touches storage. Each feature's probability is Robinson's
 *
 *     p(w) = (s/S) / (s/S + h/H)            s, h: spam and ham counts of w
 *     f(w) = (robs * robx + n * p(w)) / (robs + n)      n = s + h
 *
 * with S, H the learned spam and ham messages. Features with
 * |f(w) - 0.5| < min_dev carry no evidence and are left out; of the rest at
 * most max_used, the most extreme, are combined with Fisher's method:
 *
 *     H = C^-1(-2 sum ln f(w), 2k),  S = C^-1(-2 sum ln(1 - f(w)), 2k)
 *     P = (1 + H - S) / 2
 *
 * where C^-1 is the chi-square survival function. Where the store holds a
 * linear model (linear.h), P is fused with its margin into the reported
 * probability; out->fisher keeps Fisher's own. Below min_spam learned
 * spam or min_ham learned ham messages the classifier abstains and says
 * why. Thread-safe; results live in the caller's arena.
 */
#ifndef WINNOW_BAYES_H
#define WINNOW_BAYES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <winnow/arena.h>
#include <winnow/linear.h>
#include <winnow/store.h>
#include <winnow/tokenize.h>

typedef struct wn_bayes_params {
	double robs;		/* strength of the prior */
	double robx;		/* probability of a feature never seen */
	double min_dev;		/* evidence threshold around 0.5 */
	unsigned max_used;	/* most extreme features combined; 0: all */
	uint64_t min_spam;	/* learned spam needed before scoring */
	uint64_t min_ham;	/* learned ham needed before scoring */
	bool use_linear;	/* add the linear stage where there is a model */
	wn_linear_params linear;
} wn_bayes_params;

/* wn_bayes_params_default - defaults tuned on the training split */
void wn_bayes_params_default(wn_bayes_params *p);

typedef struct wn_bayes_clue {
	uint64_t hash;
	const char *text;	/* readable form if the tokens kept it */
	double prob;		/* f(w) */
	uint32_t spam;
	uint32_t ham;
} wn_bayes_clue;

typedef struct wn_bayes_result {
	bool abstained;
	const char *reason;	/* why it abstained (arena), or NULL */
	double prob;		/* spam probability, 0..1 (0.5 if abstained) */
	double fisher;		/* Fisher's own probability */
	bool linear;		/* the linear stage took part: prob is of z */
	double margin;		/* its margin (wn_linear_margin) */
	size_t n_tokens;	/* features looked up */
	size_t n_used;		/* features combined */
	wn_bayes_clue *clues;	/* most significant first */
	size_t n_clues;
} wn_bayes_result;

/*
 * wn_bayes_combine - probability from counts[i] of tokens[i], i < n, and
 * the learned message totals. Keeps up to n_clues clues. Returns 0 or
 * WN_ENOMEM.
 */
int wn_bayes_combine(wn_arena *arena, const wn_bayes_params *p,
    const wn_token *tokens, const wn_token_counts *counts, size_t n,
    uint64_t spam_msgs, uint64_t ham_msgs, size_t n_clues,
    wn_bayes_result *out);

/*
 * wn_bayes_classify - look the tokens up in the store (one read
 * transaction) and combine; with the message's linear features lx (NULL:
 * Fisher alone) and a model in the store, fuse in the linear stage (one
 * more read transaction). Returns 0 or the store's WN_E* error.
 */
int wn_bayes_classify(wn_arena *arena, wn_store *st, const wn_bayes_params *p,
    const wn_tokens *tokens, const wn_linear_x *lx, size_t n_clues,
    wn_bayes_result *out);

/* wn_bayes_keys - the distinct token hashes sorted ascending (arena) */
uint64_t *wn_bayes_keys(wn_arena *arena, const wn_tokens *tokens);

/* wn_chi2_q - chi-square survival function for even degrees of freedom */
double wn_chi2_q(double x2, unsigned dof);

/* wn_chi2_logq - its natural logarithm, finite where Q underflows */
double wn_chi2_logq(double x2, unsigned dof);

#endif
