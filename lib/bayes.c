/*
 * bayes.c - Robinson token probabilities and Fisher combining.
 *
 * The method of bogofilter, SpamAssassin and rspamd (Gary Robinson, "A
 * Statistical Approach to the Spam Problem", 2003). Probabilities are
 * combined in log space, so thousands of features cannot underflow.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winnow/bayes.h>
#include <winnow/err.h>

void
wn_bayes_params_default(wn_bayes_params *p)
{
	p->robs = 0.03;
	p->robx = 0.52;
	p->min_dev = 0.3;
	p->max_used = 0;
	p->min_spam = 20;
	p->min_ham = 20;
	p->use_linear = true;
	wn_linear_params_default(&p->linear);
}

double
wn_chi2_q(double x2, unsigned dof)
{
	return exp(wn_chi2_logq(x2, dof));
}

double
wn_chi2_logq(double x2, unsigned dof)
{
	double m = x2 / 2.0, lt, lsum;
	unsigned i;

	if (x2 <= 0)
		return 0.0;
	/*
	 * Q(x2 | 2k) = sum_{i<k} e^-m m^i / i!. With thousands of features m
	 * reaches the thousands and e^-m underflows, so the terms are summed
	 * in log space; once past the peak (i > m) and negligible, stop.
	 */
	lt = lsum = -m;
	for (i = 1; i < dof / 2; i++) {
		lt += log(m / i);
		if (lt > lsum)
			lsum = lt + log1p(exp(lsum - lt));
		else
			lsum = lsum + log1p(exp(lt - lsum));
		if (i > m && lt < lsum - 40)
			break;
	}
	return lsum < 0 ? lsum : 0.0;
}

static int
wn_clue_cmp(const void *a, const void *b)
{
	const wn_bayes_clue *x = a, *y = b;
	double dx = fabs(x->prob - 0.5), dy = fabs(y->prob - 0.5);

	if (dx != dy)
		return dx < dy ? 1 : -1;
	return x->hash < y->hash ? -1 : x->hash > y->hash;
}

int
wn_bayes_combine(wn_arena *arena, const wn_bayes_params *p,
    const wn_token *tokens, const wn_token_counts *counts, size_t n,
    uint64_t spam_msgs, uint64_t ham_msgs, size_t n_clues,
    wn_bayes_result *out)
{
	wn_bayes_clue *c;
	double ln_f = 0, ln_1f = 0, ns, nh;
	size_t i, k = 0, used;

	memset(out, 0, sizeof(*out));
	out->prob = 0.5;
	out->n_tokens = n;
	if (spam_msgs < p->min_spam || ham_msgs < p->min_ham) {
		char buf[160];

		snprintf(buf, sizeof(buf), "learned %llu spam and %llu ham; "
		    "needs at least %llu and %llu",
		    (unsigned long long)spam_msgs, (unsigned long long)ham_msgs,
		    (unsigned long long)p->min_spam,
		    (unsigned long long)p->min_ham);
		out->abstained = true;
		if ((out->reason = wn_arena_strdup(arena, buf)) == NULL)
			return WN_ENOMEM;
		return 0;
	}
	if ((c = wn_arena_alloc(arena, (n ? n : 1) * sizeof(*c))) == NULL)
		return WN_ENOMEM;
	ns = (double)spam_msgs;
	nh = (double)ham_msgs;
	for (i = 0; i < n; i++) {
		double s = counts[i].spam, h = counts[i].ham, cnt = s + h, pw, f;

		if (cnt == 0)
			continue;	/* f = robx: no evidence */
		/* Counts can exceed the totals after forgetting; clamp. */
		if (s > ns)
			s = ns;
		if (h > nh)
			h = nh;
		pw = (s / ns) / (s / ns + h / nh);
		f = (p->robs * p->robx + cnt * pw) / (p->robs + cnt);
		if (fabs(f - 0.5) < p->min_dev)
			continue;
		/* Keep the logs finite. */
		if (f < 1e-9)
			f = 1e-9;
		else if (f > 1 - 1e-9)
			f = 1 - 1e-9;
		c[k].hash = tokens[i].hash;
		c[k].text = tokens[i].text;
		c[k].prob = f;
		c[k].spam = counts[i].spam;
		c[k].ham = counts[i].ham;
		k++;
	}
	used = k;
	if (p->max_used != 0 && used > p->max_used) {
		qsort(c, k, sizeof(*c), wn_clue_cmp);
		used = p->max_used;
	} else if (n_clues > 0)
		qsort(c, k, sizeof(*c), wn_clue_cmp);
	for (i = 0; i < used; i++) {
		ln_f += log(c[i].prob);
		ln_1f += log(1 - c[i].prob);
	}
	if (used > 0) {
		double lh = wn_chi2_logq(-2 * ln_f, 2 * (unsigned)used);
		double ls = wn_chi2_logq(-2 * ln_1f, 2 * (unsigned)used);

		out->prob = (1 + exp(lh) - exp(ls)) / 2;
	}
	out->n_used = used;
	out->clues = c;
	out->n_clues = n_clues < used ? n_clues : used;
	return 0;
}

/*
 * Sort tokens by hash: LSD radix sort, 8 bits a pass, into tmp. Lookups
 * walk the B-tree in key order; a comparison sort of the ~600 features of
 * a message cost more than the lookups' page work it saved; learning
 * (wn_bayes_keys) sorts the same way.
 */
static void
wn_tokens_radix(wn_token *v, wn_token *tmp, size_t n)
{
	size_t count[256], i, pass;
	wn_token *src = v, *dst = tmp, *t;

	for (pass = 0; pass < 8; pass++) {
		unsigned shift = (unsigned)pass * 8;
		size_t sum = 0;

		memset(count, 0, sizeof(count));
		for (i = 0; i < n; i++)
			count[(src[i].hash >> shift) & 0xff]++;
		for (i = 0; i < 256; i++) {
			size_t c = count[i];

			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			dst[count[(src[i].hash >> shift) & 0xff]++] = src[i];
		t = src;
		src = dst;
		dst = t;
	}
	/* An even number of passes leaves the result in v. */
}

uint64_t *
wn_bayes_keys(wn_arena *arena, const wn_tokens *tokens)
{
	size_t n = tokens->n ? tokens->n : 1, i;
	uint64_t *k = wn_arena_alloc(arena, n * sizeof(*k));
	wn_token *sorted = wn_arena_alloc(arena, n * sizeof(*sorted));
	wn_token *tmp = wn_arena_alloc(arena, n * sizeof(*tmp));

	if (k == NULL || sorted == NULL || tmp == NULL)
		return NULL;
	if (tokens->n)
		memcpy(sorted, tokens->v, tokens->n * sizeof(*sorted));
	wn_tokens_radix(sorted, tmp, tokens->n);
	for (i = 0; i < tokens->n; i++)
		k[i] = sorted[i].hash;
	return k;
}

/* Fuse Fisher's probability with the linear stage's margin, if any. */
static int
wn_bayes_fuse(wn_store *st, const wn_bayes_params *p, const wn_linear_x *lx,
    wn_bayes_result *out)
{
	double margin, f, z;
	bool have;
	int rc;

	out->fisher = out->prob;
	if (out->abstained || lx == NULL || !p->use_linear)
		return 0;
	if ((rc = wn_linear_margin(st, lx, &margin, &have, NULL)) != 0 ||
	    !have)
		return rc;
	f = out->prob < 1e-12 ? 1e-12 : out->prob > 1 - 1e-12 ? 1 - 1e-12 :
	    out->prob;
	z = margin + p->linear.fisher_weight * log(f / (1 - f));
	out->linear = true;
	out->margin = margin;
	out->prob = wn_linear_prob(&p->linear, z);
	return 0;
}

int
wn_bayes_classify(wn_arena *arena, wn_store *st, const wn_bayes_params *p,
    const wn_tokens *tokens, const wn_linear_x *lx, size_t n_clues,
    wn_bayes_result *out)
{
	size_t n = tokens->n, i;
	wn_token *sorted, *tmp;
	uint64_t *keys;
	wn_token_counts *counts;
	wn_store_totals tot;
	int rc;

	sorted = wn_arena_alloc(arena, (n ? n : 1) * sizeof(*sorted));
	tmp = wn_arena_alloc(arena, (n ? n : 1) * sizeof(*tmp));
	keys = wn_arena_alloc(arena, (n ? n : 1) * sizeof(*keys));
	counts = wn_arena_alloc(arena, (n ? n : 1) * sizeof(*counts));
	if (sorted == NULL || tmp == NULL || keys == NULL || counts == NULL)
		return WN_ENOMEM;
	if (n)
		memcpy(sorted, tokens->v, n * sizeof(*sorted));
	wn_tokens_radix(sorted, tmp, n);
	for (i = 0; i < n; i++)
		keys[i] = sorted[i].hash;
	if ((rc = st->ops->lookup_many(st, keys, n, counts, &tot)) != 0)
		return rc;
	if ((rc = wn_bayes_combine(arena, p, sorted, counts, n, tot.spam_msgs,
	    tot.ham_msgs, n_clues, out)) != 0)
		return rc;
	return wn_bayes_fuse(st, p, lx, out);
}
