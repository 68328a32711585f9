/*
 * scan.h - one message through the engine: parse, tokenize, classify,
 * score.
 *
 * The engine is a pure function of (settings, message) -> verdict; the CLI
 * and winnowd both call wn_scan so they see the same thing. wn_scan_config
 * holds the settings and the open store; it is read-only during scans and
 * may be shared by threads. Everything a scan produces lives in the arena.
 */
#ifndef WINNOW_SCAN_H
#define WINNOW_SCAN_H

#include <stdint.h>

#include <winnow/bayes.h>
#include <winnow/mime.h>
#include <winnow/rules.h>
#include <winnow/store.h>
#include <winnow/tokenize.h>
#include <winnow/verdict.h>

typedef struct wn_scan_config {
	wn_mime_limits limits;
	wn_tokenize_opts tokenize;
	wn_bayes_params bayes;
	wn_store *store;	/* NULL: no Bayes */
	const wn_rules *rules;	/* NULL: no rules (GTUBE still counts) */
	bool net;		/* network tests on: rule score sets 1, 3 */
	double required;	/* score needed for spam */
	size_t n_clues;		/* Bayes clues kept for explanation */
} wn_scan_config;

typedef struct wn_scan_result {
	wn_mime_msg *msg;
	wn_tokens tokens;
	bool bayes_run;		/* a store was consulted */
	wn_bayes_result bayes;
	bool rules_run;		/* a rule set was run */
	wn_rules_result rules;
	wn_verdict verdict;
} wn_scan_result;

/* wn_scan_config_default - defaults; store NULL */
void wn_scan_config_default(wn_scan_config *c);

/*
 * wn_scan - scan data[0..len). rw is the calling thread's worker for
 * c->rules (NULL: one is made for this call, which costs a JIT stack).
 * Tokenizing is skipped when there is no store. Returns 0; WN_ENOMEM; or a
 * store error (the message was parsed; the caller applies its failure
 * policy).
 */
int wn_scan(wn_arena *arena, const wn_scan_config *c, wn_rules_worker *rw,
    const char *data, size_t len, wn_scan_result *out);

/*
 * wn_bayes_symbol - the BAYES_* symbol for a probability and its weight:
 * BAYES_00 [0,1%), BAYES_05 [1,5%), BAYES_20, BAYES_40, BAYES_50, BAYES_60,
 * BAYES_80, BAYES_95, BAYES_99 [99,99.9%), BAYES_999 [99.9,100%].
 */
const char *wn_bayes_symbol(double prob, double *weight_out);

/* wn_message_digest - 128-bit digest identifying a message for learning */
void wn_message_digest(const char *data, size_t len,
    uint8_t out[WN_DIGEST_LEN]);

/*
 * Learning in two steps, so that messages can be prepared in threads and
 * applied to the store in order: wn_learn_prepare parses and tokenizes
 * (thread-safe: it reads only c), wn_learn_apply writes to the store.
 */
typedef struct wn_learn_prep {
	uint8_t digest[WN_DIGEST_LEN];
	uint64_t *keys;		/* the token keys, in the arena */
	size_t n_keys;
	uint8_t *sample;	/* the linear stage's sample, or NULL */
	size_t sample_len;
} wn_learn_prep;

/* wn_learn_keeps_sample - whether learning cls into st keeps a sample */
bool wn_learn_keeps_sample(const wn_store *st, enum wn_learn_class cls);

/*
 * wn_learn_prepare - parse and tokenize data[0..len) into *out (in the
 * arena), with the sample when keep_sample. 0, WN_ENOMEM or a parse error.
 */
int wn_learn_prepare(wn_arena *arena, const wn_scan_config *c,
    bool keep_sample, const char *data, size_t len, wn_learn_prep *out);

/* wn_learn_apply - learn (or forget) a prepared message: the store's learn */
int wn_learn_apply(wn_store *st, const wn_learn_prep *p,
    enum wn_learn_class cls, uint32_t today, enum wn_learn_result *result_out);

/*
 * wn_learn_message - parse, tokenize and learn (or forget) one message.
 * Returns 0 with *result_out set, or a WN_E* error.
 */
int wn_learn_message(wn_arena *arena, const wn_scan_config *c, wn_store *st,
    const char *data, size_t len, enum wn_learn_class cls, uint32_t today,
    enum wn_learn_result *result_out);

#endif
