/* test_linear.c - the linear stage: features, samples, training on a real
 * LMDB store, scoring, and a damaged model. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <lmdb.h>

#include <winnow/align.h>
#include <winnow/err.h>
#include <winnow/linear.h>
#include <winnow/scan.h>

#include "linear_int.h"

static char dir[64], path[128];

static void
setup(void)
{
	strcpy(dir, "/tmp/wn-linear-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/bayes.lmdb", dir);
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(linear, .init = setup, .fini = teardown);

static wn_tokens
some_tokens(wn_token *v, size_t n)
{
	wn_tokens t = { v, n, 0 };
	size_t i;

	for (i = 0; i < n; i++) {
		memset(&v[i], 0, sizeof(v[i]));
		v[i].hash = 0x9e3779b97f4a7c15ull * (i + 1);
	}
	return t;
}

static bool
has(const uint32_t *v, size_t n, uint32_t b)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == b)
			return true;
	return false;
}

/* The same header 4-gram buckets, as sets. */
static bool
same_hdr(const wn_linear_x *x, const wn_linear_x *y)
{
	size_t i;

	if (x->n_hdr != y->n_hdr)
		return false;
	for (i = 0; i < x->n_hdr; i++)
		if (!has(y->hdr, y->n_hdr, x->hdr[i]))
			return false;
	return true;
}

Test(linear, features_are_distinct_and_ignore_how_space_is_written)
{
	wn_arena *a = wn_arena_new(0);
	wn_token tv[8];
	wn_tokens t = some_tokens(tv, 8);
	const char h1[] = "Subject: hello  there\r\nFrom: a@b.example\r\n";
	const char h2[] = "Subject: hello\n\tthere\nFrom: a@b.example\n";
	wn_linear_x x1, x2;
	size_t i;

	tv[7].hash = tv[3].hash;	/* a repeat counts once */
	cr_assert_eq(wn_linear_features(a, &t, h1, strlen(h1), 3, &x1), 0);
	cr_assert_eq(x1.n_tok, 7);
	for (i = 0; i < x1.n_tok; i++)
		cr_assert_lt(x1.tok[i], WN_LINEAR_BUCKETS);
	cr_assert_eq(wn_linear_features(a, &t, h2, strlen(h2), 3, &x2), 0);
	/* Folding and CRLF are one space: the same 4-grams. */
	cr_assert(same_hdr(&x1, &x2));
	for (i = 0; i < x1.n_hdr; i++)
		cr_assert_lt(x1.hdr[i], WN_LINEAR_BUCKETS);
	/* "Subject: hello there From: a@b.example " has 39 characters, 36
	 * 4-grams, some of which may share a bucket. */
	cr_assert_leq(x1.n_hdr, 36);
	cr_assert_geq(x1.n_hdr, 30);
	wn_arena_free(&a);
}

Test(linear, set_5_ends_the_token_buckets_with_the_alignment_flags)
{
	wn_arena *a = wn_arena_new(0);
	wn_token tv[64];
	wn_tokens t = some_tokens(tv, 64);
	const char h[] = "From: a@b.example\nReturn-Path: <c@b.example>\n";
	unsigned flags = wn_align_flags(h, strlen(h)), f;
	wn_linear_x x4, x5;
	uint8_t *s;
	uint32_t v[128];
	size_t len, n, i;
	double value, aux;

	tv[0].hash = ~0ull;	/* a token in the top buckets */
	cr_assert_eq(wn_linear_features(a, &t, h, strlen(h), 4, &x4), 0);
	cr_assert_eq(x4.n_aux, 0);
	cr_assert(has(x4.tok, x4.n_tok, WN_LINEAR_BUCKETS - 1));
	cr_assert_eq(wn_linear_features(a, &t, h, strlen(h), 5, &x5), 0);
	cr_assert_eq(x5.n_aux, WN_ALIGN_FLAGS);
	cr_assert_eq(x5.n_tok, x4.n_tok + WN_ALIGN_FLAGS);
	cr_assert(same_hdr(&x4, &x5));
	/* tokens leave the top buckets to the flags: one pair a flag */
	for (i = 0; i < x5.n_tok - x5.n_aux; i++)
		cr_assert_lt(x5.tok[i], WN_LINEAR_AUX_BASE);
	for (f = 0; f < WN_ALIGN_FLAGS; f++)
		cr_assert_eq(x5.tok[x5.n_tok - x5.n_aux + f],
		    WN_LINEAR_AUX_BASE + 2 * f + ((flags >> f) & 1u));
	cr_assert(flags & (1u << WN_ALIGN_FROM_RETURN_PATH));
	/* a sample keeps them, last in its sorted token list */
	cr_assert_eq(wn_linear_encode(a, &x5, &s, &len), 0);
	cr_assert_eq(wn_linear_decode(s, len, 0, v, 128, &n), 0);
	cr_assert_eq(n, x5.n_tok);
	for (i = n - WN_ALIGN_FLAGS; i < n; i++)
		cr_assert_geq(v[i], WN_LINEAR_AUX_BASE);
	cr_assert_lt(v[n - WN_ALIGN_FLAGS - 1], WN_LINEAR_AUX_BASE);
	/* the row's length is 1, the flags at a tenth of the tokens' */
	wn_linear_row_values(64, WN_ALIGN_FLAGS, &value, &aux);
	cr_assert_float_eq(64 * value * value + WN_ALIGN_FLAGS * aux * aux,
	    1.0, 1e-12);
	cr_assert_float_eq(aux / (value * 8), WN_LINEAR_AUX_WEIGHT, 1e-12);
	wn_linear_row_values(64, 0, &value, &aux);
	cr_assert_float_eq(value, 1.0 / 8, 1e-12);
	wn_arena_free(&a);
}

Test(linear, list_fields_are_left_out_of_the_header_grams)
{
	wn_arena *a = wn_arena_new(0);
	wn_token tv[8];
	wn_tokens t = some_tokens(tv, 8);
	/* First, folded, in any case, with blanks before the colon, last
	 * without a line end: all skipped whole. */
	const char with[] = "list-Id: <users.lists.example>\n"
	    "Subject: cheap\n"
	    "List-Unsubscribe: <mailto:leave@lists.example>,\n"
	    "\t<https://lists.example/leave>\n"
	    "Sender : owner@lists.example\n"
	    "X-BeenThere: users@lists.example\n"
	    "From: a@b.example\n"
	    "Precedence: bulk";
	const char without[] = "Subject: cheap\nFrom: a@b.example\n";
	/* "Listen" and "Senders" are not a list's fields. */
	const char near[] = "Listen: now\nSenders: many\n";
	wn_linear_x x1, x2, x3, x4;

	cr_assert_eq(wn_linear_features(a, &t, with, strlen(with), 4,
	    &x1), 0);
	cr_assert_eq(wn_linear_features(a, &t, without, strlen(without), 4,
	    &x2), 0);
	cr_assert(same_hdr(&x1, &x2));
	cr_assert_eq(wn_linear_features(a, &t, with, strlen(with), 3,
	    &x3), 0);
	cr_assert_gt(x3.n_hdr, x2.n_hdr + 100);
	cr_assert_eq(wn_linear_features(a, &t, near, strlen(near), 4,
	    &x4), 0);
	cr_assert_eq(wn_linear_features(a, &t, near, strlen(near), 3,
	    &x1), 0);
	cr_assert(same_hdr(&x4, &x1));
	cr_assert_gt(x4.n_hdr, 15);
	wn_arena_free(&a);
}

/* Whether msg's sample, prepared under seed, has the header 4-gram g. */
static bool
sample_has_gram(wn_arena *a, uint64_t seed, const char *msg, const char *g)
{
	wn_scan_config cfg;
	wn_learn_prep prep;
	uint32_t v[512], gram;
	size_t n;

	wn_scan_config_default(&cfg);
	cfg.tokenize.seed = seed;
	cr_assert_eq(wn_learn_prepare(a, &cfg, true, msg, strlen(msg), &prep),
	    0);
	cr_assert_not_null(prep.sample);
	cr_assert_eq(wn_linear_decode(prep.sample, prep.sample_len, 1, v, 512,
	    &n), 0);
	gram = (uint32_t)(unsigned char)g[0] << 24 |
	    (uint32_t)(unsigned char)g[1] << 16 |
	    (uint32_t)(unsigned char)g[2] << 8 | (unsigned char)g[3];
	return has(v, n, (gram * 0x9e3779b1u) >> (32 - WN_LINEAR_BITS));
}

Test(linear, the_store_feature_set_decides_the_header_span)
{
	wn_arena *a = wn_arena_new(0);
	const uint64_t v3 = WN_TOKENIZE_SEED_BASE | 3, v4 =
	    WN_TOKENIZE_SEED_BASE | 4, v5 = WN_TOKENIZE_DEFAULT_SEED;
	const char listed[] = "Subject: cheap pills\nPrecedence: bulk\n"
	    "From: a@b.example\n\ntext\n";
	const char mbox[] = "From a@b 2002\n"
	    "Subject: cheap pills\nX-Mailer: Zzyzx\n\ntext\n";

	/* Set 4: the list's fields and the mbox line are not features, the
	 * whole header section is. */
	cr_assert(sample_has_gram(a, v4, listed, "pill"));
	cr_assert(sample_has_gram(a, v4, listed, "ls F"));
	cr_assert_not(sample_has_gram(a, v4, listed, "bulk"));
	cr_assert_not(sample_has_gram(a, v4, mbox, "2002"));
	cr_assert(sample_has_gram(a, v4, mbox, "zyzx"));
	/* Set 5 (the default) spans the header as set 4 does. */
	cr_assert_not(sample_has_gram(a, v5, listed, "bulk"));
	cr_assert_not(sample_has_gram(a, v5, mbox, "2002"));
	cr_assert(sample_has_gram(a, v5, mbox, "zyzx"));
	/* Set 3, as its stores learned: the list's fields count, and the
	 * span starts at the mbox line, as long as the header section. */
	cr_assert(sample_has_gram(a, v3, listed, "bulk"));
	cr_assert(sample_has_gram(a, v3, mbox, "2002"));
	cr_assert_not(sample_has_gram(a, v3, mbox, "zyzx"));
	wn_arena_free(&a);
}

Test(linear, sample_round_trip_and_bad_bytes)
{
	wn_arena *a = wn_arena_new(0);
	wn_token tv[50];
	wn_tokens t = some_tokens(tv, 50);
	const char h[] = "Received: from mx.example.org (mx.example.org "
	    "[192.0.2.1])\nSubject: round trip\n";
	wn_linear_x x;
	uint8_t *s, bad[8];
	uint32_t v[512];
	size_t len, n, nt, nh, i;

	cr_assert_eq(wn_linear_features(a, &t, h, strlen(h), 3, &x), 0);
	cr_assert_eq(wn_linear_encode(a, &x, &s, &len), 0);
	cr_assert_eq(wn_linear_sample_counts(s, len, &nt, &nh), 0);
	cr_assert_eq(nt, x.n_tok);
	cr_assert_eq(nh, x.n_hdr);
	cr_assert_eq(wn_linear_decode(s, len, 0, v, 512, &n), 0);
	cr_assert_eq(n, x.n_tok);
	for (i = 0; i < n; i++) {
		cr_assert(has(x.tok, x.n_tok, v[i]));
		if (i > 0)
			cr_assert_gt(v[i], v[i - 1], "sorted, distinct");
	}
	cr_assert_eq(wn_linear_decode(s, len, 1, v, 512, &n), 0);
	cr_assert_eq(n, x.n_hdr);
	for (i = 0; i < n; i++)
		cr_assert(has(x.hdr, x.n_hdr, v[i]));
	/* Too little room, a cut sample, and noise are refused. */
	cr_assert_eq(wn_linear_decode(s, len, 1, v, 3, &n), WN_EFORMAT);
	cr_assert_eq(wn_linear_decode(s, len - 1, 1, v, 512, &n), WN_EFORMAT);
	memset(bad, 0xff, sizeof(bad));
	cr_assert_eq(wn_linear_sample_counts(bad, sizeof(bad), &nt, &nh),
	    WN_EFORMAT);
	cr_assert_eq(wn_linear_decode(bad, sizeof(bad), 0, v, 512, &n),
	    WN_EFORMAT);
	wn_arena_free(&a);
}

static wn_store *
open_store(void)
{
	wn_store_params p = { WN_TOKENIZE_DEFAULT_SEED, 1, 0 };
	wn_store *st = NULL;
	char err[256];

	cr_assert_eq(wn_store_open_lmdb(path, WN_STORE_CREATE, &p, &st, err,
	    sizeof(err)), 0, "%s", err);
	return st;
}

/* Scanning and learning with st, ready from 5 messages a class. */
static void
small_config(wn_scan_config *cfg, wn_store *st)
{
	wn_scan_config_default(cfg);
	cfg->store = st;
	cfg->bayes.min_spam = cfg->bayes.min_ham = 5;
	cfg->bayes.linear.min_samples = 5;
}

/* Spam and ham that differ in their header form and their words. */
static void
make_msg(char *buf, size_t size, bool spam, int i)
{
	if (spam)
		snprintf(buf, size, "Received: from dsl-%d.pool.example.net "
		    "(HELO bulk%d)\nFrom: \"Deals\" <deals%d@promo.example>\n"
		    "Subject: lowest prices %d\nX-Mailer: MassMail 3.1\n\n"
		    "Order now and save, limited offer %d, click here\n", i, i,
		    i, i, i);
	else
		snprintf(buf, size, "Received: from mail.example.org by "
		    "mx.example.org with ESMTP id %d\nFrom: Ann "
		    "<ann@example.org>\nSubject: notes %d\nUser-Agent: Mutt\n\n"
		    "The review is done; minutes of meeting %d attached\n", i,
		    i, i);
}

/* Learn make_msg(spam, i) as cls on day; the result. */
static enum wn_learn_result
learn_one(wn_store *st, wn_scan_config *cfg, wn_arena *a, bool spam, int i,
    enum wn_learn_class cls, uint32_t day)
{
	enum wn_learn_result lr;
	char msg[1024];

	wn_arena_reset(a);
	make_msg(msg, sizeof(msg), spam, i);
	cr_assert_eq(wn_learn_message(a, cfg, st, msg, strlen(msg), cls, day,
	    &lr), 0);
	return lr;
}

static void
learn_corpus(wn_store *st, wn_scan_config *cfg, wn_arena *a, int from,
    int to)
{
	int i;

	for (i = from; i < to; i++) {
		cr_assert_eq(learn_one(st, cfg, a, true, i, WN_LEARN_SPAM,
		    10 + i), WN_LEARNED);
		learn_one(st, cfg, a, false, i, WN_LEARN_HAM, 10 + i);
	}
}

/* Fit the stage on st's samples; whether a model was made. */
static bool
train(wn_store *st, const wn_scan_config *cfg, wn_linear_info *info)
{
	bool trained;

	cr_assert_eq(wn_linear_train(st, &cfg->bayes.linear, &trained, info),
	    0);
	return trained;
}

/* Scan msg in a, reset first; wn_scan's result. */
static int
scan(wn_arena *a, const wn_scan_config *cfg, const char *msg,
    wn_scan_result *res)
{
	wn_arena_reset(a);
	return wn_scan(a, cfg, NULL, msg, strlen(msg), res);
}

static int
count_samples(enum wn_learn_class cls, uint32_t day, const uint8_t *data,
    size_t len, void *arg)
{
	size_t *n = arg, nt, nh;

	(void)day;
	cr_assert_eq(wn_linear_sample_counts(data, len, &nt, &nh), 0);
	n[cls == WN_LEARN_SPAM ? 0 : 1]++;
	return 0;
}

Test(linear, store_keeps_samples_and_the_model_ranks)
{
	wn_store *st = open_store();
	wn_arena *a = wn_arena_new(0);
	wn_scan_config cfg;
	wn_scan_result res;
	wn_linear_info info;
	size_t n[2] = { 0, 0 };
	char msg[1024];
	bool trained, have;

	small_config(&cfg, st);

	/* Before any learning, and with too few samples: no model. */
	cr_assert_eq(wn_linear_info_get(st, &have, &info), 0);
	cr_assert_not(have);
	learn_corpus(st, &cfg, a, 0, 3);
	trained = train(st, &cfg, &info);
	cr_assert_not(trained);
	cr_assert_eq(info.spam, 3);

	learn_corpus(st, &cfg, a, 3, 30);
	cr_assert_eq(st->ops->samples_each(st, count_samples, n), 0);
	cr_assert_eq(n[0], 30);
	cr_assert_eq(n[1], 30);

	/* Moving a message moves its sample; forgetting drops it. */
	cr_assert_eq(learn_one(st, &cfg, a, true, 0, WN_LEARN_HAM, 50),
	    WN_LEARN_MOVED);
	cr_assert_eq(learn_one(st, &cfg, a, true, 1, WN_LEARN_FORGET, 50),
	    WN_LEARN_FORGOTTEN);
	n[0] = n[1] = 0;
	cr_assert_eq(st->ops->samples_each(st, count_samples, n), 0);
	cr_assert_eq(n[0], 28);
	cr_assert_eq(n[1], 31);

	trained = train(st, &cfg, &info);
	cr_assert(trained);
	cr_assert_eq(info.spam, 28);
	cr_assert_eq(info.ham, 31);

	/* Unseen messages of each kind land on their side. */
	make_msg(msg, sizeof(msg), true, 99);
	cr_assert_eq(scan(a, &cfg, msg, &res), 0);
	cr_assert(res.bayes.linear);
	cr_assert_gt(res.bayes.margin, 0, "spam margin %f", res.bayes.margin);
	cr_assert_gt(res.bayes.prob, 0.6);
	make_msg(msg, sizeof(msg), false, 99);
	cr_assert_eq(scan(a, &cfg, msg, &res), 0);
	cr_assert(res.bayes.linear);
	cr_assert_lt(res.bayes.margin, 0, "ham margin %f", res.bayes.margin);
	cr_assert_lt(res.bayes.prob, 0.4);

	/* With the stage off, the probability is Fisher's. */
	cfg.bayes.use_linear = false;
	cr_assert_eq(scan(a, &cfg, msg, &res), 0);
	cr_assert_not(res.bayes.linear);
	cr_assert_eq(res.bayes.prob, res.bayes.fisher);

	wn_store_close(&st);
	wn_arena_free(&a);
}

Test(linear, training_is_reproducible)
{
	wn_store *st = open_store();
	wn_arena *a = wn_arena_new(0);
	wn_scan_config cfg;
	wn_scan_result res;
	wn_linear_info info;
	char msg[1024];
	double first;

	small_config(&cfg, st);
	learn_corpus(st, &cfg, a, 0, 20);
	make_msg(msg, sizeof(msg), true, 77);
	train(st, &cfg, &info);
	cr_assert_eq(scan(a, &cfg, msg, &res), 0);
	first = res.bayes.margin;
	train(st, &cfg, &info);
	cr_assert_eq(scan(a, &cfg, msg, &res), 0);
	cr_assert_eq(res.bayes.margin, first);
	wn_store_close(&st);
	wn_arena_free(&a);
}

/* A model blob that is not one gives a clear error, not a score. */
Test(linear, damaged_model_is_reported)
{
	wn_store *st = open_store();
	wn_arena *a = wn_arena_new(0);
	wn_scan_config cfg;
	wn_scan_result res;
	wn_linear_info info;
	unsigned char junk[64];
	char msg[1024];

	small_config(&cfg, st);
	learn_corpus(st, &cfg, a, 0, 10);
	train(st, &cfg, &info);
	memset(junk, 0x5a, sizeof(junk));
	cr_assert_eq(st->ops->model_write(st, junk, sizeof(junk)), 0);
	make_msg(msg, sizeof(msg), true, 5);
	cr_assert_eq(scan(a, &cfg, msg, &res), WN_EFORMAT);
	cr_assert_not_null(strstr(wn_store_error(st), "linear model"),
	    "%s", wn_store_error(st));
	/* Retraining rebuilds it. */
	train(st, &cfg, &info);
	cr_assert_eq(scan(a, &cfg, msg, &res), 0);
	cr_assert(res.bayes.linear);
	wn_store_close(&st);
	wn_arena_free(&a);
}

/* The newest max_samples (by learned day) are what a model trains on. */
Test(linear, max_samples_keeps_the_newest)
{
	wn_store *st = open_store();
	wn_arena *a = wn_arena_new(0);
	wn_scan_config cfg;
	wn_linear_info info;
	bool trained;

	small_config(&cfg, st);
	cfg.bayes.linear.max_samples = 30;
	learn_corpus(st, &cfg, a, 0, 25);
	trained = train(st, &cfg, &info);
	cr_assert(trained);
	cr_assert_eq(info.spam + info.ham, 30);
	/* Days 20..34 are the newest: 15 of each class. */
	cr_assert_eq(info.spam, 15);
	cr_assert_eq(info.ham, 15);
	wn_store_close(&st);
	wn_arena_free(&a);
}

/*
 * A store learned before samples were kept: a model of its few new
 * messages would outweigh Fisher's counts of all of them, so none is
 * trained until the samples cover half of each class.
 */
Test(linear, few_samples_in_an_old_store_train_no_model)
{
	wn_store *st = open_store();
	wn_arena *a = wn_arena_new(0);
	wn_scan_config cfg;
	wn_linear_info info;
	enum wn_learn_result lr;
	uint8_t d[WN_DIGEST_LEN];
	uint64_t keys[2] = { 1, 2 };
	bool trained;
	int i;

	small_config(&cfg, st);
	for (i = 0; i < 60; i++) {
		memset(d, 0xa5, sizeof(d));
		d[0] = (uint8_t)i;
		cr_assert_eq(st->ops->learn(st, d, i % 2 ? WN_LEARN_SPAM :
		    WN_LEARN_HAM, keys, 2, NULL, 0, 1, &lr), 0);
	}
	learn_corpus(st, &cfg, a, 0, 10);
	trained = train(st, &cfg, &info);
	cr_assert_not(trained);
	cr_assert(info.uncovered);
	cr_assert_eq(info.spam, 10);
	cr_assert_eq(info.learned_spam, 40);
	learn_corpus(st, &cfg, a, 10, 40);
	trained = train(st, &cfg, &info);
	cr_assert(trained);
	cr_assert_eq(info.spam, 40);
	cr_assert_eq(info.learned_spam, 70);
	wn_store_close(&st);
	wn_arena_free(&a);
}

typedef struct blob_copy {
	unsigned char *p;
	size_t len;
} blob_copy;

static int
copy_blob(const void *blob, size_t len, void *arg)
{
	blob_copy *b = arg;

	b->p = malloc(len);
	cr_assert_not_null(b->p);
	memcpy(b->p, blob, len);
	b->len = len;
	return 0;
}

/* The margin of make_msg(spam, 99) under the model blob written now. */
static double
margin_with(wn_store *st, const wn_scan_config *cfg, wn_arena *a, bool spam,
    const void *blob, size_t len)
{
	wn_scan_result res;
	char msg[1024];

	cr_assert_eq(st->ops->model_write(st, blob, len), 0);
	make_msg(msg, sizeof(msg), spam, 99);
	cr_assert_eq(scan(a, cfg, msg, &res), 0);
	cr_assert(res.bayes.linear);
	return res.bayes.margin;
}

/*
 * A format-2 model adds the ratio view (its half weight) to the two
 * SVMs; a format-1 model (stores trained before the ratio view) still
 * scores, with the two SVMs alone; the two formats' sizes and magics do
 * not mix.
 */
Test(linear, the_ratio_view_adds_to_the_margin_and_format_1_still_scores)
{
	const size_t vec = WN_LINEAR_VECTOR_SIZE;
	wn_store *st = open_store();
	wn_arena *a = wn_arena_new(0);
	wn_scan_config cfg;
	wn_linear_info info;
	wn_linear_head h;
	blob_copy b = { NULL, 0 };
	unsigned char *alone, *v1;
	float q;
	double full[2], ratio[2], first[2];
	size_t at, i;
	int format, s;

	small_config(&cfg, st);
	learn_corpus(st, &cfg, a, 0, 30);
	cr_assert(train(st, &cfg, &info));
	cr_assert_eq(st->ops->model_read(st, copy_blob, &b), 0);
	cr_assert_eq(b.len, WN_LINEAR_BLOB_SIZE);
	cr_assert_eq(wn__linear_head_read(b.p, b.len, &h, &at, &format), 0);
	cr_assert_eq(format, 2);
	cr_assert_eq(at, sizeof(h));
	/* Every bucket has a squared ratio, the unseen ones the totals'. */
	for (i = 0; i < WN_LINEAR_BUCKETS; i += 4099) {
		memcpy(&q, b.p + at + 3 * vec + i * sizeof(q), sizeof(q));
		cr_assert(q > 0 && isfinite(q), "bucket %zu: %g", i, q);
	}

	/* The ratio view alone: the other two zeroed. */
	alone = malloc(b.len);
	cr_assert_not_null(alone);
	memcpy(alone, b.p, b.len);
	h.bias_tok = h.bias_hdr = 0;
	memcpy(alone, &h, sizeof(h));
	memset(alone + at, 0, 2 * vec);
	/* Format 1: the short header, the first two vectors. */
	v1 = malloc(WN_LINEAR_BLOB_1_SIZE);
	cr_assert_not_null(v1);
	cr_assert_eq(wn__linear_head_read(b.p, b.len, &h, &at, &format), 0);
	memcpy(h.magic, WN_LINEAR_MAGIC_1, sizeof(h.magic));
	memcpy(v1, &h, WN_LINEAR_HEAD_1_SIZE);
	memcpy(v1 + WN_LINEAR_HEAD_1_SIZE, b.p + at, 2 * vec);

	for (s = 0; s < 2; s++) {
		full[s] = margin_with(st, &cfg, a, s == 0, b.p, b.len);
		ratio[s] = margin_with(st, &cfg, a, s == 0, alone, b.len);
		first[s] = margin_with(st, &cfg, a, s == 0, v1,
		    WN_LINEAR_BLOB_1_SIZE);
		cr_assert_float_eq(full[s], first[s] + ratio[s], 1e-5,
		    "%f = %f + %f", full[s], first[s], ratio[s]);
	}
	/* The ratio view alone ranks the two sides apart. */
	cr_assert_gt(ratio[0], 0, "spam %f", ratio[0]);
	cr_assert_lt(ratio[1], 0, "ham %f", ratio[1]);

	/* A format-1 magic at format 2's size is no model, nor the reverse. */
	memcpy(alone, WN_LINEAR_MAGIC_1, 8);
	cr_assert_eq(wn__linear_head_read(alone, b.len, &h, &at, &format),
	    WN_EFORMAT);
	memcpy(v1, WN_LINEAR_MAGIC, 8);
	cr_assert_eq(wn__linear_head_read(v1, WN_LINEAR_BLOB_1_SIZE, &h, &at,
	    &format), WN_EFORMAT);
	free(alone);
	free(v1);
	free(b.p);
	wn_store_close(&st);
	wn_arena_free(&a);
}
