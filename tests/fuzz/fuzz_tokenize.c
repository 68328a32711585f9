/*
 * fuzz_tokenize.c - libFuzzer target for the tokenizer (tokenize.h).
 *
 * Parses the input as a message with default limits and tokenizes it with
 * readable forms kept and a small token bound. Checks the contract: at
 * most max_tokens tokens, hashes unique and non-zero, every readable form
 * present and NUL-terminated, kinds in range, and the same hashes in the
 * same order when the readable forms are not built. Then the linear
 * stage's features of the message (linear.h): buckets in range and
 * distinct, and its sample decodes back to the same buckets.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <winnow/arena.h>
#include <winnow/err.h>
#include <winnow/linear.h>
#include <winnow/mime.h>
#include <winnow/tokenize.h>

#define FUZZ_TOK_MAX	2000

static int
fuzz_tok_cmp(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

static void
fuzz_tok_check(const wn_tokens *t, const wn_tokens *plain)
{
	uint64_t *h;
	size_t i;

	if (t->n > FUZZ_TOK_MAX || t->n != plain->n ||
	    t->flags != plain->flags)
		abort();
	if ((h = malloc((t->n + 1) * sizeof(*h))) == NULL)
		return;
	for (i = 0; i < t->n; i++) {
		const wn_token *k = &t->v[i];

		if (k->hash == 0 || k->hash != plain->v[i].hash ||
		    k->kind > WN_TOKEN_META || k->text == NULL ||
		    k->text[k->len] != '\0' || plain->v[i].text != NULL)
			abort();
		h[i] = k->hash;
	}
	qsort(h, t->n, sizeof(*h), fuzz_tok_cmp);
	for (i = 1; i < t->n; i++)
		if (h[i] == h[i - 1])
			abort();
	free(h);
}

static int
fuzz_u32_cmp(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return a < b ? -1 : a > b;
}

/* v[0..n) sorted must equal the decoded list d[0..nd). */
static void
fuzz_same_buckets(uint32_t *v, size_t n, const uint32_t *d, size_t nd)
{
	size_t i;

	if (n != nd)
		abort();
	qsort(v, n, sizeof(*v), fuzz_u32_cmp);
	for (i = 0; i < n; i++)
		if (v[i] >= WN_LINEAR_BUCKETS || v[i] != d[i] ||
		    (i > 0 && v[i] == v[i - 1]))
			abort();
}

static void
fuzz_linear_check(wn_arena *a, const wn_mime_msg *m, const uint8_t *data,
    const wn_tokens *t)
{
	wn_linear_x x;
	uint8_t *s;
	uint32_t *d;
	size_t len, n;

	(void)data;
	if (wn_linear_features(a, t, m->header, m->header_bytes,
	    WN_TOKENIZE_FEATURES, &x) != 0 ||
	    wn_linear_encode(a, &x, &s, &len) != 0)
		return;
	if ((d = wn_arena_alloc(a, (len + 1) * sizeof(*d))) == NULL)
		return;
	if (wn_linear_decode(s, len, 0, d, len, &n) != 0)
		abort();
	fuzz_same_buckets(x.tok, x.n_tok, d, n);
	if (wn_linear_decode(s, len, 1, d, len, &n) != 0)
		abort();
	fuzz_same_buckets(x.hdr, x.n_hdr, d, n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	wn_tokenize_opts o;
	wn_tokens t, plain;
	wn_mime_msg *m;
	wn_arena *a;
	int rc;

	if ((a = wn_arena_new(0)) == NULL)
		return 0;
	rc = wn_mime_parse(a, (const char *)data, size, NULL, &m);
	if (rc != 0 && rc != WN_ENOMEM)
		abort();
	if (rc == 0) {
		wn_tokenize_opts_default(&o);
		o.max_tokens = FUZZ_TOK_MAX;
		o.keep_text = true;
		rc = wn_tokenize(a, m, &o, &t);
		if (rc != 0 && rc != WN_ENOMEM)
			abort();
		o.keep_text = false;
		if (rc == 0 && wn_tokenize(a, m, &o, &plain) == 0) {
			fuzz_tok_check(&t, &plain);
			fuzz_linear_check(a, m, data, &plain);
		}
	}
	wn_arena_free(&a);
	return 0;
}
