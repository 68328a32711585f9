/*
 * linear.h - the linear stage of the Bayes classifier, beside Fisher.
 *
 * Linear SVMs score a message, each over 2^20 hashed buckets, each
 * feature present or not and the vector scaled to length 1:
 *
 *   tokens   the tokenizer's features (the ones Fisher counts), bucket =
 *            the top 20 bits of the feature hash;
 *   header   the byte 4-grams of the top header block as written, each
 *            run of white space (folding, line ends) as one space,
 *            bucket = the top 20 bits of the four bytes times 2^32/phi;
 *            from feature set 4 on, without the fields a mailing list
 *            adds (wn_tokenize_list_field), as if they were not there.
 *
 * From feature set 5 on, the token SVM also sees the header's alignment
 * flags (align.h), each flag as one of a pair of features (set, not
 * set) in the top WN_LINEAR_AUX_SLOTS buckets, which tokens then leave
 * to them. They weigh WN_LINEAR_AUX_WEIGHT against the tokens' vector of
 * length 1, and the whole row is scaled to length 1 again: as plain
 * tokens, eight features among hundreds, they would be lost, and at
 * full weight they would outvote the words.
 *
 * A third SVM, the ratio view, sees the header's buckets again, each
 * weighted by its log ratio r_b = log((1 + s_b) / S) - log((1 + h_b) / H)
 * (s_b, h_b: the spam and ham samples with bucket b; S, H: their sums
 * over every bucket, each bucket counted once more), the row then scaled
 * to length 1: the "NBSVM" of Wang and Manning, "Baselines and Bigrams"
 * (ACL 2012). The plain header SVM weighs a rare 4-gram as much as a
 * common one; this one starts from how far each leans.
 *
 * Their margins and Fisher's log-odds add up to one score z:
 *
 *   z = m_tokens + m_header + ratio_weight * m_ratio
 *       + fisher_weight * logit(P_fisher)
 *
 * which maps to the reported probability 1 / (1 + e^(-scale (z - offset))).
 * Fisher alone ranks with the counts of single features; the SVMs weigh
 * features against each other and see the header's form. Together they
 * halve Fisher's misranked pairs in cross-validation on the training half
 * (docs/arch/bayes.md).
 *
 * A store that keeps samples (LMDB) records, with every learned message,
 * its buckets (wn_linear_encode); wn_linear_train fits the three SVMs on
 * them (svm_dcd.h, two threads) and writes the model into the store;
 * wn_linear_margin reads it in one read transaction. Without a model (a
 * new store, a Redis store, fewer than min_samples a class) the Bayes
 * probability is Fisher's.
 */
#ifndef WINNOW_LINEAR_H
#define WINNOW_LINEAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <winnow/arena.h>
#include <winnow/store.h>
#include <winnow/tokenize.h>

#define WN_LINEAR_BITS 20
#define WN_LINEAR_BUCKETS (1u << WN_LINEAR_BITS)
#define WN_LINEAR_AUX_SLOTS 32u	/* token buckets kept for alignment */
#define WN_LINEAR_AUX_BASE (WN_LINEAR_BUCKETS - WN_LINEAR_AUX_SLOTS)
#define WN_LINEAR_AUX_WEIGHT 0.1
#define WN_LINEAR_RATIO_WEIGHT 0.5	/* of the ratio view's margin in z */

/* The buckets of one message, each list distinct; the last n_aux of tok
 * are alignment features (from WN_LINEAR_AUX_BASE on). */
typedef struct wn_linear_x {
	uint32_t *tok;
	size_t n_tok;
	size_t n_aux;
	uint32_t *hdr;
	size_t n_hdr;
} wn_linear_x;

typedef struct wn_linear_params {
	double c;		/* SVM cost of a margin violation */
	double eps;		/* solver's stopping tolerance */
	double fisher_weight;	/* weight of logit(P_fisher) in z */
	double offset;		/* z reported as probability 0.5 */
	double scale;		/* slope of the probability at offset */
	uint64_t min_samples;	/* samples a class needs for a model */
	size_t max_samples;	/* newest samples trained on; 0: all */
} wn_linear_params;

/* wn_linear_params_default - defaults chosen on the training split */
void wn_linear_params_default(wn_linear_params *p);

/*
 * wn_linear_features - the distinct buckets of tokens and of the header
 * block hdr[0..hdr_len) into *out (arena), in no particular order, as
 * feature set `set` has them: from 4 on, the fields a mailing list adds
 * are left out of the header's; from 5 on, the header's alignment flags
 * follow the tokens'. Returns 0 or WN_ENOMEM.
 */
int wn_linear_features(wn_arena *arena, const wn_tokens *tokens,
    const char *hdr, size_t hdr_len, unsigned set, wn_linear_x *out);

/*
 * wn_linear_row_values - the value of each token feature and of each
 * alignment feature in a token row of n_main tokens and n_aux alignment
 * features, the row scaled to length 1 (without alignment features,
 * 1/sqrt(n_main)).
 */
void wn_linear_row_values(size_t n_main, size_t n_aux, double *value,
    double *aux_value);

/* wn_linear_encode - x as a compact sample (sorted, delta varints, arena) */
int wn_linear_encode(wn_arena *arena, const wn_linear_x *x, uint8_t **out,
    size_t *len_out);

/* wn_linear_sample_counts - how many buckets each list of a sample has;
 * WN_EFORMAT for bytes that are no sample */
int wn_linear_sample_counts(const uint8_t *data, size_t len, size_t *n_tok,
    size_t *n_hdr);

/*
 * wn_linear_decode - one bucket list of a sample (which: 0 the tokens',
 * 1 the header's), ascending, into v[0..room). Returns 0, or WN_EFORMAT
 * for bytes that are no sample or a list longer than room.
 */
int wn_linear_decode(const uint8_t *data, size_t len, int which, uint32_t *v,
    size_t room, size_t *n_out);

typedef struct wn_linear_info {
	uint64_t spam;		/* samples the model was trained on */
	uint64_t ham;
	uint64_t trained_at;	/* seconds since 1970 */
	uint64_t learned_spam;	/* wn_linear_train: messages learned */
	uint64_t learned_ham;
	bool uncovered;		/* wn_linear_train: samples kept for under
				 * half the learned messages of a class */
} wn_linear_info;

/*
 * wn_linear_margin - m_tokens + m_header + ratio_weight * m_ratio of x
 * under the store's model (a model trained before the ratio view: the
 * first two).
 * Returns 0 with *have false when the store has no model, WN_EFORMAT
 * when the stored model is damaged (the store's error says so), or the
 * store's error.
 */
int wn_linear_margin(wn_store *st, const wn_linear_x *x, double *margin,
    bool *have, wn_linear_info *info);

/*
 * wn_linear_train - fit the three SVMs on the store's samples and store
 * the model. With fewer than min_samples of a class, or samples for under
 * half of a class's learned messages (a store learned before samples
 * were kept: a model of its few new messages would outweigh Fisher's
 * counts of all of them; info->uncovered), it stores nothing and sets
 * *trained false. *info tells what was trained on, or else how many
 * samples there were (when the learned messages alone are too few, their
 * number: the samples are at most that). Returns 0, WN_ENOMEM, WN_EINVAL
 * (the store keeps no samples), WN_EFORMAT (a damaged sample), or the
 * store's error.
 */
int wn_linear_train(wn_store *st, const wn_linear_params *p, bool *trained,
    wn_linear_info *info);

/* wn_linear_info_get - what the store's model was trained on; *have false
 * when there is none */
int wn_linear_info_get(wn_store *st, bool *have, wn_linear_info *info);

/* wn_linear_prob - the reported probability of z */
double wn_linear_prob(const wn_linear_params *p, double z);

#endif
