/*
 * linear.c - the linear stage's features, samples and scoring.
 *
 * Features are bucket numbers below 2^20. A sample is what a store keeps
 * of a learned message: the two sorted bucket lists as varints, the first
 * of each list as it is and the rest as gaps (about two bytes a bucket).
 * The model is one blob in the store: a header and two float vectors,
 * read in place inside the store's read transaction.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <winnow/align.h>
#include <winnow/err.h>
#include <winnow/linear.h>

#include "linear_int.h"

void
wn_linear_params_default(wn_linear_params *p)
{
	p->c = 30.0;
	p->eps = 0.1;
	p->fisher_weight = 0.02;
	p->offset = 0.70;
	p->scale = 4.0;
	p->min_samples = 20;
	p->max_samples = 20000;
}

double
wn_linear_prob(const wn_linear_params *p, double z)
{
	return 1.0 / (1.0 + exp(-p->scale * (z - p->offset)));
}

/*
 * Keep the first of equal buckets, in order: an open-addressing set of
 * cap slots (a power of two of at least 2n, all 0xff bytes on entry).
 * Classification needs the buckets only once each, not sorted.
 */
static size_t
wn_buckets_unique(uint32_t *v, size_t n, uint32_t *set, size_t cap)
{
	size_t i, k = 0, h;

	for (i = 0; i < n; i++) {
		uint32_t b = v[i];

		for (h = (b * 0x9e3779b1u) & (cap - 1); set[h] != UINT32_MAX &&
		    set[h] != b; h = (h + 1) & (cap - 1))
			;
		if (set[h] == b)
			continue;
		set[h] = b;
		v[k++] = b;
	}
	return k;
}

/* Sort distinct 20-bit buckets: two passes of 10 bits, tmp as scratch. */
static void
wn_buckets_sort(uint32_t *v, uint32_t *tmp, size_t n)
{
	size_t count[1024], i, pass;
	uint32_t *src = v, *dst = tmp;

	for (pass = 0; pass < 2; pass++) {
		unsigned shift = (unsigned)pass * 10;
		size_t sum = 0;

		memset(count, 0, sizeof(count));
		for (i = 0; i < n; i++)
			count[(src[i] >> shift) & 1023]++;
		for (i = 0; i < 1024; i++) {
			size_t c = count[i];

			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			dst[count[(src[i] >> shift) & 1023]++] = src[i];
		src = dst;
		dst = v;
	}
	/* Two passes: the result is back in v. */
}

static bool
wn_is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

/*
 * If the field starting at hdr[i] is one a mailing list adds, where the
 * next field starts (after its continuation lines); else i.
 */
static size_t
wn_skip_list_field(const char *hdr, size_t len, size_t i)
{
	size_t e = i, n;
	const char *nl;

	while (e < len && hdr[e] != ':' && hdr[e] != '\n')
		e++;
	if (e == len || hdr[e] != ':')
		return i;
	for (n = e - i; n > 0 && (hdr[i + n - 1] == ' ' ||
	    hdr[i + n - 1] == '\t'); n--)
		;
	if (!wn_tokenize_list_field(wn_str_make(hdr + i, n)))
		return i;
	for (;;) {
		if ((nl = memchr(hdr + e, '\n', len - e)) == NULL)
			return len;
		e = (size_t)(nl - hdr) + 1;
		if (e == len || (hdr[e] != ' ' && hdr[e] != '\t'))
			return e;
	}
}

int
wn_linear_features(wn_arena *arena, const wn_tokens *tokens,
    const char *hdr, size_t hdr_len, unsigned set, wn_linear_x *out)
{
	bool skip_list_fields = set >= 4, align = set >= 5;
	size_t n = tokens->n, i, k = 0, got = 0, cap_t = 64, cap_h = 64;
	uint32_t *seen, v = 0;
	bool space = false;

	while (cap_t < 2 * n)
		cap_t *= 2;
	while (cap_h < 2 * hdr_len)
		cap_h *= 2;
	out->tok = wn_arena_alloc(arena, (n + WN_ALIGN_FLAGS) *
	    sizeof(uint32_t));
	out->hdr = wn_arena_alloc(arena, (hdr_len ? hdr_len : 1) *
	    sizeof(uint32_t));
	seen = wn_arena_alloc(arena, (cap_t > cap_h ? cap_t : cap_h) *
	    sizeof(uint32_t));
	if (out->tok == NULL || out->hdr == NULL || seen == NULL)
		return WN_ENOMEM;
	for (i = 0; i < n; i++) {
		uint32_t b = (uint32_t)(tokens->v[i].hash >>
		    (64 - WN_LINEAR_BITS));

		/* from set 5 the top buckets are the alignment flags' */
		out->tok[i] = align && b >= WN_LINEAR_AUX_BASE ?
		    b - WN_LINEAR_AUX_SLOTS : b;
	}
	memset(seen, 0xff, cap_t * sizeof(uint32_t));
	out->n_tok = wn_buckets_unique(out->tok, n, seen, cap_t);
	out->n_aux = 0;
	if (align) {
		unsigned flags = wn_align_flags(hdr, hdr_len), f;

		for (f = 0; f < WN_ALIGN_FLAGS; f++)
			out->tok[out->n_tok++] = WN_LINEAR_AUX_BASE + 2 * f +
			    ((flags >> f) & 1u);
		out->n_aux = WN_ALIGN_FLAGS;
	}
	/* Runs of white space count as one space: folding and line ends
	 * do not change a header's 4-grams. A list's field is skipped
	 * whole, so the 4-grams run from the field before to the one
	 * after, as if it were not there. */
	for (i = 0; i < hdr_len; i++) {
		unsigned char c = (unsigned char)hdr[i];

		if (skip_list_fields && (i == 0 || hdr[i - 1] == '\n') &&
		    c != ' ' && c != '\t') {
			size_t next = wn_skip_list_field(hdr, hdr_len, i);

			if (next != i) {
				i = next - 1;
				continue;
			}
		}
		if (wn_is_space(c)) {
			if (space)
				continue;
			space = true;
			c = ' ';
		} else
			space = false;
		v = (v << 8) | c;
		if (++got >= 4)
			/* Fibonacci hashing: the top bits of the product
			 * depend on all four bytes. */
			out->hdr[k++] = (v * 0x9e3779b1u) >>
			    (32 - WN_LINEAR_BITS);
	}
	memset(seen, 0xff, cap_h * sizeof(uint32_t));
	out->n_hdr = wn_buckets_unique(out->hdr, k, seen, cap_h);
	return 0;
}

static uint8_t *
wn_put_varint(uint8_t *p, uint32_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

static uint8_t *
wn_put_list(uint8_t *p, const uint32_t *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p = wn_put_varint(p, i == 0 ? v[0] : v[i] - v[i - 1]);
	return p;
}

/*
 * A sample: varints n_tok, n_hdr, the byte length of the token list,
 * then both lists sorted, each bucket as its gap from the one before.
 */
int
wn_linear_encode(wn_arena *arena, const wn_linear_x *x, uint8_t **out,
    size_t *len_out)
{
	size_t most = x->n_tok > x->n_hdr ? x->n_tok : x->n_hdr;
	/* A varint of a value below 2^32 takes at most 5 bytes. */
	uint8_t *buf = wn_arena_alloc(arena, 15 + 5 * (x->n_tok + x->n_hdr));
	uint8_t *list = wn_arena_alloc(arena, 5 * (x->n_tok ? x->n_tok : 1));
	uint32_t *v = wn_arena_alloc(arena, (most ? most : 1) * sizeof(*v));
	uint32_t *tmp = wn_arena_alloc(arena, (most ? most : 1) * sizeof(*v));
	uint8_t *p, *end;

	if (buf == NULL || list == NULL || v == NULL || tmp == NULL)
		return WN_ENOMEM;
	memcpy(v, x->tok, x->n_tok * sizeof(*v));
	wn_buckets_sort(v, tmp, x->n_tok);
	end = wn_put_list(list, v, x->n_tok);
	p = wn_put_varint(buf, (uint32_t)x->n_tok);
	p = wn_put_varint(p, (uint32_t)x->n_hdr);
	p = wn_put_varint(p, (uint32_t)(end - list));
	memcpy(p, list, (size_t)(end - list));
	p += end - list;
	memcpy(v, x->hdr, x->n_hdr * sizeof(*v));
	wn_buckets_sort(v, tmp, x->n_hdr);
	p = wn_put_list(p, v, x->n_hdr);
	*out = buf;
	*len_out = (size_t)(p - buf);
	return 0;
}

static int
wn_get_varint(const uint8_t **pp, const uint8_t *end, uint32_t *v)
{
	const uint8_t *p = *pp;
	uint32_t r = 0;
	unsigned shift;

	for (shift = 0; shift < 35; shift += 7) {
		if (p == end)
			return WN_EFORMAT;
		r |= (uint32_t)(*p & 0x7f) << shift;
		if (!(*p++ & 0x80)) {
			*pp = p;
			*v = r;
			return 0;
		}
	}
	return WN_EFORMAT;
}

static int
wn_get_list(const uint8_t **pp, const uint8_t *end, uint32_t *v, size_t n)
{
	uint32_t d, prev = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (wn_get_varint(pp, end, &d) != 0 || (i > 0 && d == 0))
			return WN_EFORMAT;
		if ((uint64_t)prev + d >= WN_LINEAR_BUCKETS)
			return WN_EFORMAT;
		prev += d;
		v[i] = prev;
	}
	return 0;
}

int
wn_linear_sample_counts(const uint8_t *data, size_t len, size_t *n_tok,
    size_t *n_hdr)
{
	const uint8_t *p = data, *end = data + len;
	uint32_t nt, nh, tb;

	if (wn_get_varint(&p, end, &nt) != 0 ||
	    wn_get_varint(&p, end, &nh) != 0 ||
	    wn_get_varint(&p, end, &tb) != 0 || tb > (size_t)(end - p) ||
	    nt > tb || nh > (size_t)(end - p) - tb)
		return WN_EFORMAT;
	*n_tok = nt;
	*n_hdr = nh;
	return 0;
}

int
wn_linear_decode(const uint8_t *data, size_t len, int which, uint32_t *v,
    size_t room, size_t *n_out)
{
	const uint8_t *p = data, *end = data + len, *hdr;
	uint32_t nt, nh, tb;

	if (wn_get_varint(&p, end, &nt) != 0 ||
	    wn_get_varint(&p, end, &nh) != 0 ||
	    wn_get_varint(&p, end, &tb) != 0 || tb > (size_t)(end - p))
		return WN_EFORMAT;
	hdr = p + tb;
	if (which == 0) {
		if (nt > room || wn_get_list(&p, hdr, v, nt) != 0 || p != hdr)
			return WN_EFORMAT;
		*n_out = nt;
	} else {
		if (nh > room || wn_get_list(&hdr, end, v, nh) != 0 ||
		    hdr != end)
			return WN_EFORMAT;
		*n_out = nh;
	}
	return 0;
}

/* The blob's header, copied out (the blob need not be aligned). */
int
wn__linear_head_read(const void *blob, size_t len, wn_linear_head *h,
    size_t *vectors, int *format)
{
	memset(h, 0, sizeof(*h));
	if (len == WN_LINEAR_BLOB_SIZE) {
		memcpy(h, blob, sizeof(*h));
		*vectors = sizeof(*h);
		*format = 2;
		if (memcmp(h->magic, WN_LINEAR_MAGIC, sizeof(h->magic)) != 0)
			return WN_EFORMAT;
	} else if (len == WN_LINEAR_BLOB_1_SIZE) {
		memcpy(h, blob, WN_LINEAR_HEAD_1_SIZE);
		*vectors = WN_LINEAR_HEAD_1_SIZE;
		*format = 1;
		if (memcmp(h->magic, WN_LINEAR_MAGIC_1, sizeof(h->magic)) != 0)
			return WN_EFORMAT;
	} else
		return WN_EFORMAT;
	return h->bits == WN_LINEAR_BITS ? 0 : WN_EFORMAT;
}

typedef struct wn_margin_ctx {
	const wn_linear_x *x;
	double margin;
	wn_linear_info info;
	bool bad;
} wn_margin_ctx;

void
wn_linear_row_values(size_t n_main, size_t n_aux, double *value,
    double *aux_value)
{
	const double a = WN_LINEAR_AUX_WEIGHT;
	double norm2 = (n_main ? 1.0 : 0.0) + a * a * (double)n_aux;
	double c = norm2 > 0 ? 1.0 / sqrt(norm2) : 0.0;

	*value = n_main ? c / sqrt((double)n_main) : 0.0;
	*aux_value = a * c;
}

/* A float of vector w at bucket b (the blob need not be aligned). */
static inline double
wn_at(const unsigned char *w, uint32_t b)
{
	float f;

	memcpy(&f, w + (size_t)b * sizeof(float), sizeof(f));
	return f;
}

static double
wn_sum(const unsigned char *w, const uint32_t *b, size_t n)
{
	double sum = 0;
	size_t i;

	for (i = 0; i < n; i++)
		sum += wn_at(w, b[i]);
	return sum;
}

/* w.x + bias of n buckets, the last n_aux alignment features */
static double
wn_dot(const unsigned char *w, const uint32_t *b, size_t n, size_t n_aux,
    double bias)
{
	double value, aux_value;

	wn_linear_row_values(n - n_aux, n_aux, &value, &aux_value);
	return wn_sum(w, b, n - n_aux) * value +
	    wn_sum(w, b + (n - n_aux), n_aux) * aux_value + bias;
}

/*
 * The header's sums in one pass over its buckets: of the header SVM's
 * weights w, and with a format-2 model (u not NULL) of the ratio view's
 * u and q (linear_int.h).
 */
static void
wn_header_sums(const unsigned char *w, const unsigned char *u,
    const unsigned char *q, const uint32_t *b, size_t n, double sum[3])
{
	size_t i;

	sum[0] = sum[1] = sum[2] = 0;
	if (u == NULL) {
		sum[0] = wn_sum(w, b, n);
		return;
	}
	for (i = 0; i < n; i++) {
		sum[0] += wn_at(w, b[i]);
		sum[1] += wn_at(u, b[i]);
		sum[2] += wn_at(q, b[i]);
	}
}

static int
wn_margin_fn(const void *blob, size_t len, void *arg)
{
	wn_margin_ctx *m = arg;
	const unsigned char *w = blob;
	const size_t vec = WN_LINEAR_VECTOR_SIZE;
	wn_linear_head h;
	double hs[3], value, unused;
	size_t at;
	int format;

	if (wn__linear_head_read(blob, len, &h, &at, &format) != 0) {
		m->bad = true;
		return 0;
	}
	w += at;
	wn_header_sums(w + vec, format >= 2 ? w + 2 * vec : NULL, w + 3 * vec,
	    m->x->hdr, m->x->n_hdr, hs);
	wn_linear_row_values(m->x->n_hdr, 0, &value, &unused);
	m->margin = wn_dot(w, m->x->tok, m->x->n_tok, m->x->n_aux,
	    h.bias_tok) + (hs[0] * value + h.bias_hdr);
	if (format >= 2)
		m->margin += WN_LINEAR_RATIO_WEIGHT * (hs[2] > 0 ?
		    hs[1] / sqrt(hs[2]) + h.bias_ratio : h.bias_ratio);
	m->info.spam = h.spam;
	m->info.ham = h.ham;
	m->info.trained_at = h.trained_at;
	return 0;
}

int
wn_linear_margin(wn_store *st, const wn_linear_x *x, double *margin,
    bool *have, wn_linear_info *info)
{
	wn_margin_ctx m = { .x = x };
	int rc;

	*have = false;
	if (st->ops->model_read == NULL)
		return 0;
	rc = st->ops->model_read(st, wn_margin_fn, &m);
	if (rc == WN_ENOENT)
		return 0;
	if (rc != 0)
		return rc;
	if (m.bad) {
		snprintf(st->error, sizeof(st->error), "the linear model in "
		    "the store is damaged; `winnow bayes retrain` rebuilds it");
		return WN_EFORMAT;
	}
	*margin = m.margin;
	*have = true;
	if (info != NULL)
		*info = m.info;
	return 0;
}

int
wn_linear_info_get(wn_store *st, bool *have, wn_linear_info *info)
{
	wn_linear_x none = { 0 };
	double margin;

	return wn_linear_margin(st, &none, &margin, have, info);
}
