/*
 * scan.c - the engine's pipeline for one message, and learning.
 *
 * parse -> tokenize -> Bayes (one store read transaction) -> symbols ->
 * verdict. Later checks (rules, SPF, bulk) add their symbols here too.
 */
#include <string.h>

#include <xxhash.h>

#include <winnow/err.h>
#include <winnow/scan.h>

/*
 * Probability bands and default weights. With the required score at 5.0,
 * Bayes alone calls a message spam from 60% on. In cross-validation on
 * the training half (docs/arch/bayes.md), with the linear stage and its
 * ratio view (eight folds), 1 ham of 2,092 fell in 60% to 80% and one in
 * 99% to 99.9%; below 1% were 2,077 ham and 4 of 928 spam; 1% to 60%
 * held 13 ham and 28 spam, so those bands give no ham credit (Fisher
 * alone put ham there, and its 1% to 40% carried -0.5 to -1.5). From
 * 60% the weights stand 0.5 and more above the required score: at
 * exactly 5.0, one small negative rule (WN_MAILING_LIST, -0.5, on spam a
 * list relayed) undid Bayes's call.
 */
static const struct {
	double lo;
	const char *name;
	double weight;
} wn_bayes_bands[] = {
	{ 0.999, "BAYES_999", 6.5 },
	{ 0.99, "BAYES_99", 6.0 },
	{ 0.95, "BAYES_95", 6.0 },
	{ 0.80, "BAYES_80", 5.5 },
	{ 0.60, "BAYES_60", 5.5 },
	{ 0.40, "BAYES_50", 1.0 },
	{ 0.20, "BAYES_40", 0.0 },
	{ 0.05, "BAYES_20", 0.0 },
	{ 0.01, "BAYES_05", 0.0 },
	{ 0.0, "BAYES_00", -3.0 },
};

const char *
wn_bayes_symbol(double prob, double *weight_out)
{
	size_t i;

	for (i = 0; i < sizeof(wn_bayes_bands) / sizeof(wn_bayes_bands[0]); i++)
		if (prob >= wn_bayes_bands[i].lo) {
			*weight_out = wn_bayes_bands[i].weight;
			return wn_bayes_bands[i].name;
		}
	*weight_out = wn_bayes_bands[9].weight;
	return wn_bayes_bands[9].name;
}

void
wn_scan_config_default(wn_scan_config *c)
{
	memset(c, 0, sizeof(*c));
	wn_mime_limits_default(&c->limits);
	wn_tokenize_opts_default(&c->tokenize);
	wn_bayes_params_default(&c->bayes);
	c->required = WN_REQUIRED_SCORE_DEFAULT;
	c->n_clues = 0;
}

void
wn_message_digest(const char *data, size_t len, uint8_t out[WN_DIGEST_LEN])
{
	XXH128_hash_t h = XXH3_128bits(data, len);
	XXH128_canonical_t canon;

	XXH128_canonicalFromHash(&canon, h);
	memcpy(out, canon.digest, WN_DIGEST_LEN);
}

static void
wn_scan_worker_free(void *obj)
{
	wn_rules_worker *w = obj;

	wn_rules_worker_free(&w);
}

static int
wn_scan_rules(wn_arena *arena, const wn_scan_config *c, wn_rules_worker *rw,
    const char *data, size_t len, wn_scan_result *out)
{
	unsigned set = (c->net ? 1u : 0u) |
	    (out->bayes_run && !out->bayes.abstained ? 2u : 0u);
	size_t i;
	int rc;

	if (rw == NULL) {
		if ((rc = wn_rules_worker_new(c->rules, &rw)) != 0)
			return rc;
		if ((rc = wn_arena_on_free(arena, wn_scan_worker_free,
		    rw)) != 0) {
			wn_rules_worker_free(&rw);
			return rc;
		}
	}
	rc = wn_rules_match(c->rules, rw, arena, out->msg, data, len, set, 0,
	    &out->rules);
	if (rc != 0)
		return rc;
	out->rules_run = true;
	for (i = 0; i < out->rules.n_hits; i++) {
		const wn_rule_hit *h = &out->rules.hits[i];

		if (h->score == 0.0)
			continue;
		if ((rc = wn_verdict_add(arena, &out->verdict, h->name,
		    h->score)) != 0)
			return rc;
	}
	return 0;
}

/*
 * The linear stage's features, as the store's feature set has them: from
 * set 4 on, the header section proper without a list's fields (and from
 * 5 on its alignment flags); before, header_bytes from the start of the
 * input (an mbox "From " line included), as the samples of such a store
 * were learned.
 */
static int
wn_scan_linear_features(wn_arena *arena, const wn_scan_config *c,
    const wn_mime_msg *msg, const wn_tokens *toks, const char *data,
    wn_linear_x *out)
{
	unsigned set = wn_tokenize_features(c->tokenize.seed);

	if (set >= 4)
		return wn_linear_features(arena, toks, msg->header,
		    msg->header_bytes, set, out);
	return wn_linear_features(arena, toks, data, msg->header_bytes, set,
	    out);
}

int
wn_scan(wn_arena *arena, const wn_scan_config *c, wn_rules_worker *rw,
    const char *data, size_t len, wn_scan_result *out)
{
	double w;
	int rc;

	memset(out, 0, sizeof(*out));
	wn_verdict_init(&out->verdict, c->required);
	if ((rc = wn_mime_parse(arena, data, len, &c->limits, &out->msg)) != 0)
		return rc;
	if (wn_rules_gtube(data, len) &&
	    (rc = wn_verdict_add(arena, &out->verdict, WN_GTUBE_SYMBOL,
	    WN_GTUBE_SCORE)) != 0)
		return rc;
	if (c->store != NULL) {
		wn_linear_x lx, *lxp = NULL;

		if ((rc = wn_tokenize(arena, out->msg, &c->tokenize,
		    &out->tokens)) != 0)
			return rc;
		if (c->bayes.use_linear && c->store->ops->model_read != NULL) {
			if ((rc = wn_scan_linear_features(arena, c,
			    out->msg, &out->tokens, data, &lx)) != 0)
				return rc;
			lxp = &lx;
		}
		rc = wn_bayes_classify(arena, c->store, &c->bayes, &out->tokens,
		    lxp, c->n_clues, &out->bayes);
		if (rc != 0)
			return rc;
		out->bayes_run = true;
		if (!out->bayes.abstained) {
			const char *sym = wn_bayes_symbol(out->bayes.prob, &w);

			if ((rc = wn_verdict_add(arena, &out->verdict, sym,
			    w)) != 0)
				return rc;
		}
	}
	if (c->rules != NULL &&
	    (rc = wn_scan_rules(arena, c, rw, data, len, out)) != 0)
		return rc;
	wn_verdict_finish(&out->verdict);
	return 0;
}

int
wn_learn_prepare(wn_arena *arena, const wn_scan_config *c, bool keep_sample,
    const char *data, size_t len, wn_learn_prep *out)
{
	wn_mime_msg *msg;
	wn_tokens toks;
	wn_linear_x lx;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = wn_mime_parse(arena, data, len, &c->limits, &msg)) != 0 ||
	    (rc = wn_tokenize(arena, msg, &c->tokenize, &toks)) != 0)
		return rc;
	if ((out->keys = wn_bayes_keys(arena, &toks)) == NULL)
		return WN_ENOMEM;
	out->n_keys = toks.n;
	if (keep_sample &&
	    ((rc = wn_scan_linear_features(arena, c, msg, &toks, data,
	    &lx)) != 0 ||
	    (rc = wn_linear_encode(arena, &lx, &out->sample,
	    &out->sample_len)) != 0))
		return rc;
	wn_message_digest(data, len, out->digest);
	return 0;
}

int
wn_learn_apply(wn_store *st, const wn_learn_prep *p, enum wn_learn_class cls,
    uint32_t today, enum wn_learn_result *result_out)
{
	return st->ops->learn(st, p->digest, cls, p->keys, p->n_keys,
	    p->sample, p->sample_len, today, result_out);
}

bool
wn_learn_keeps_sample(const wn_store *st, enum wn_learn_class cls)
{
	/* A store that keeps samples gets every learned message's for the
	 * linear stage, whatever use_linear says: the model is the
	 * store's. */
	return st->ops->samples_each != NULL && cls != WN_LEARN_FORGET;
}

int
wn_learn_message(wn_arena *arena, const wn_scan_config *c, wn_store *st,
    const char *data, size_t len, enum wn_learn_class cls, uint32_t today,
    enum wn_learn_result *result_out)
{
	wn_learn_prep p;
	int rc;

	if ((rc = wn_learn_prepare(arena, c, wn_learn_keeps_sample(st, cls),
	    data, len, &p)) != 0)
		return rc;
	return wn_learn_apply(st, &p, cls, today, result_out);
}
