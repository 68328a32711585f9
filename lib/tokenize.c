/*
 * tokenize.c - a parsed message to a de-duplicated set of feature hashes.
 *
 * Every feature is "prefix + text". Instead of building that string, the
 * prefix is hashed once into a seed and the text is hashed with it (XXH3),
 * so the common path copies nothing: a word is case-folded into a small
 * stack buffer, hashed, and inserted into an open-addressing set. Bigrams
 * (OSB) combine the hashes of two words and their distance. The readable
 * form of a feature is built only when keep_text is set.
 */
#include <stdio.h>
#include <string.h>

#include <unicase.h>
#include <unictype.h>
#include <xxhash.h>

#include <winnow/codec.h>
#include <winnow/err.h>
#include <winnow/tokenize.h>

#define WN_TOK_WORD_MAX	128	/* folded bytes kept of one word */
#define WN_OSB_MAX	8	/* largest supported window */

void
wn_tokenize_opts_default(wn_tokenize_opts *o)
{
	o->seed = WN_TOKENIZE_DEFAULT_SEED;
	o->osb_window = 1;
	o->min_word = 3;
	o->max_word = 40;
	o->max_tokens = 20000;
	o->max_body_bytes = 256u << 10;
	o->keep_text = false;
}

unsigned
wn_tokenize_features(uint64_t seed)
{
	if ((seed & ~0xffffull) == WN_TOKENIZE_SEED_BASE &&
	    (seed & 0xffff) >= 1 && (seed & 0xffff) <= WN_TOKENIZE_FEATURES)
		return (unsigned)(seed & 0xffff);
	return WN_TOKENIZE_FEATURES;
}

const char *
wn_token_kind_name(enum wn_token_kind k)
{
	switch (k) {
	case WN_TOKEN_WORD:
		return "word";
	case WN_TOKEN_BIGRAM:
		return "bigram";
	case WN_TOKEN_HEADER:
		return "header";
	case WN_TOKEN_URL:
		return "url";
	default:
		return "meta";
	}
}

/* A feature prefix: its text and the seed derived from it. */
typedef struct wn_tok_prefix {
	const char *text;
	size_t len;
	uint64_t seed;
	uint8_t kind;
} wn_tok_prefix;

typedef struct wn_tok_ctx {
	wn_arena *arena;
	const wn_tokenize_opts *o;
	wn_tokens *out;
	size_t cap;
	uint64_t *set;		/* open addressing; 0 is empty */
	size_t set_initial;	/* first capacity, a power of two */
	size_t set_mask;
	size_t set_n;
	int err;
	bool v2;		/* feature set 2: capitals, punctuation */
	bool v3;		/* feature set 3: list fields left out */

	/* OSB window over the body words of the current text. */
	uint64_t win_hash[WN_OSB_MAX];
	const char *win_text[WN_OSB_MAX];
	uint32_t win_len[WN_OSB_MAX];
	unsigned win_n;
} wn_tok_ctx;

static void
wn_prefix_init(wn_tok_ctx *c, wn_tok_prefix *p, const char *text,
    uint8_t kind)
{
	p->text = text;
	p->len = strlen(text);
	p->seed = XXH3_64bits_withSeed(text, p->len, c->o->seed);
	p->kind = kind;
}

static uint64_t
wn_mix64(uint64_t x)
{
	/* splitmix64 finaliser */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

static bool
wn_set_grow(wn_tok_ctx *c)
{
	size_t ncap = c->set ? (c->set_mask + 1) * 2 : c->set_initial, i;
	uint64_t *ns = wn_arena_calloc(c->arena, ncap, sizeof(*ns));

	if (ns == NULL)
		return false;
	for (i = 0; c->set && i <= c->set_mask; i++) {
		uint64_t h = c->set[i];

		if (h != 0) {
			size_t j = (size_t)h & (ncap - 1);

			while (ns[j] != 0)
				j = (j + 1) & (ncap - 1);
			ns[j] = h;
		}
	}
	c->set = ns;
	c->set_mask = ncap - 1;
	return true;
}

/*
 * Add a feature. text/len (or the two parts of a bigram) are only used to
 * build the readable form. Returns false once the token limit is reached
 * or memory ran out, so callers can stop early.
 */
static bool
wn_tok_add(wn_tok_ctx *c, uint64_t h, uint8_t kind, const char *pfx,
    size_t plen, const char *text, size_t len)
{
	wn_token *t;
	size_t j;

	if (c->err)
		return false;
	if (h == 0)
		h = 1;
	if ((c->set_n + 1) * 2 > c->set_mask + 1 || c->set == NULL) {
		if (!wn_set_grow(c)) {
			c->err = WN_ENOMEM;
			return false;
		}
	}
	/* XXH3 spreads bits well: its low bits index the set directly. */
	j = (size_t)h & c->set_mask;
	while (c->set[j] != 0) {
		if (c->set[j] == h)
			return true;	/* seen in this message */
		j = (j + 1) & c->set_mask;
	}
	if (c->out->n >= c->o->max_tokens) {
		c->out->flags |= WN_TOKENS_LIMIT;
		return false;
	}
	c->set[j] = h;
	c->set_n++;
	if (c->out->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : c->set_initial / 2;
		wn_token *nv = wn_arena_alloc(c->arena, ncap * sizeof(*nv));

		if (nv == NULL) {
			c->err = WN_ENOMEM;
			return false;
		}
		if (c->out->n)
			memcpy(nv, c->out->v, c->out->n * sizeof(*nv));
		c->out->v = nv;
		c->cap = ncap;
	}
	t = &c->out->v[c->out->n++];
	t->hash = h;
	t->kind = kind;
	t->text = NULL;
	t->len = 0;
	if (c->o->keep_text) {
		char *s = wn_arena_alloc(c->arena, plen + len + 1);

		if (s == NULL) {
			c->err = WN_ENOMEM;
			return false;
		}
		memcpy(s, pfx, plen);
		memcpy(s + plen, text, len);
		s[plen + len] = '\0';
		t->text = s;
		t->len = (uint32_t)(plen + len);
	}
	return true;
}

/* Add prefix+text, text taken as is. */
static bool
wn_tok_feature(wn_tok_ctx *c, const wn_tok_prefix *p, const char *text,
    size_t len)
{
	return wn_tok_add(c, XXH3_64bits_withSeed(text, len, p->seed), p->kind,
	    p->text, p->len, text, len);
}

/* Add prefix+text with ASCII lowercased (hosts, types, names). */
static bool
wn_tok_feature_lower(wn_tok_ctx *c, const wn_tok_prefix *p, const char *text,
    size_t len)
{
	char buf[256];
	size_t i;

	if (len > sizeof(buf))
		len = sizeof(buf);
	for (i = 0; i < len; i++)
		buf[i] = (char)wn_ascii_lower((unsigned char)text[i]);
	return wn_tok_feature(c, p, buf, len);
}

/* Bigram of the newest word with the one d places before it. */
static bool
wn_tok_bigram(wn_tok_ctx *c, unsigned d)
{
	unsigned cur = (c->win_n - 1) % WN_OSB_MAX;
	unsigned old = (c->win_n - 1 - d) % WN_OSB_MAX;
	uint64_t h = wn_mix64(c->win_hash[old] ^
	    ((c->win_hash[cur] << 23) | (c->win_hash[cur] >> 41)) ^
	    ((uint64_t)d * 0x9e3779b97f4a7c15ull) ^ c->o->seed);

	if (!c->o->keep_text)
		return wn_tok_add(c, h, WN_TOKEN_BIGRAM, "", 0, "", 0);
	/* Readable: "a _ b" with one underscore per skipped word. */
	char buf[2 * WN_TOK_WORD_MAX + 2 * WN_OSB_MAX + 4];
	size_t n = 0, k;

	memcpy(buf, c->win_text[old], c->win_len[old]);
	n += c->win_len[old];
	for (k = 1; k < d; k++) {
		memcpy(buf + n, " _", 2);
		n += 2;
	}
	buf[n++] = ' ';
	memcpy(buf + n, c->win_text[cur], c->win_len[cur]);
	n += c->win_len[cur];
	return wn_tok_add(c, h, WN_TOKEN_BIGRAM, "", 0, buf, n);
}

/* A folded word: hash, add, and feed the OSB window when osb is set. */
static bool
wn_tok_word(wn_tok_ctx *c, const wn_tok_prefix *p, const char *w, size_t n,
    bool osb)
{
	uint64_t h = XXH3_64bits_withSeed(w, n, p->seed);
	unsigned d, slot;

	if (!wn_tok_add(c, h, p->kind, p->text, p->len, w, n))
		return false;
	if (!osb || c->o->osb_window < 2)
		return true;
	slot = c->win_n % WN_OSB_MAX;
	c->win_hash[slot] = h;
	c->win_len[slot] = (uint32_t)n;
	if (c->o->keep_text) {
		char *t = wn_arena_memdup(c->arena, w, n);

		if (t == NULL) {
			c->err = WN_ENOMEM;
			return false;
		}
		c->win_text[slot] = t;
	}
	c->win_n++;
	for (d = 1; d < c->o->osb_window && d < c->win_n; d++)
		if (!wn_tok_bigram(c, d))
			return false;
	return true;
}

/* ASCII character classes for word splitting. */
enum { C_ALPHA = 1, C_DIGIT = 2, C_JOIN = 4, C_HIGH = 8 };

static const uint8_t wn_tok_class[256] = {
	['0'] = C_DIGIT, ['1'] = C_DIGIT, ['2'] = C_DIGIT, ['3'] = C_DIGIT,
	['4'] = C_DIGIT, ['5'] = C_DIGIT, ['6'] = C_DIGIT, ['7'] = C_DIGIT,
	['8'] = C_DIGIT, ['9'] = C_DIGIT,
	['A'] = C_ALPHA, ['B'] = C_ALPHA, ['C'] = C_ALPHA, ['D'] = C_ALPHA,
	['E'] = C_ALPHA, ['F'] = C_ALPHA, ['G'] = C_ALPHA, ['H'] = C_ALPHA,
	['I'] = C_ALPHA, ['J'] = C_ALPHA, ['K'] = C_ALPHA, ['L'] = C_ALPHA,
	['M'] = C_ALPHA, ['N'] = C_ALPHA, ['O'] = C_ALPHA, ['P'] = C_ALPHA,
	['Q'] = C_ALPHA, ['R'] = C_ALPHA, ['S'] = C_ALPHA, ['T'] = C_ALPHA,
	['U'] = C_ALPHA, ['V'] = C_ALPHA, ['W'] = C_ALPHA, ['X'] = C_ALPHA,
	['Y'] = C_ALPHA, ['Z'] = C_ALPHA,
	['a'] = C_ALPHA, ['b'] = C_ALPHA, ['c'] = C_ALPHA, ['d'] = C_ALPHA,
	['e'] = C_ALPHA, ['f'] = C_ALPHA, ['g'] = C_ALPHA, ['h'] = C_ALPHA,
	['i'] = C_ALPHA, ['j'] = C_ALPHA, ['k'] = C_ALPHA, ['l'] = C_ALPHA,
	['m'] = C_ALPHA, ['n'] = C_ALPHA, ['o'] = C_ALPHA, ['p'] = C_ALPHA,
	['q'] = C_ALPHA, ['r'] = C_ALPHA, ['s'] = C_ALPHA, ['t'] = C_ALPHA,
	['u'] = C_ALPHA, ['v'] = C_ALPHA, ['w'] = C_ALPHA, ['x'] = C_ALPHA,
	['y'] = C_ALPHA, ['z'] = C_ALPHA,
	['.'] = C_JOIN, ['-'] = C_JOIN, ['\''] = C_JOIN, ['_'] = C_JOIN,
	[','] = C_JOIN,
	[0x80] = C_HIGH, [0x81] = C_HIGH, [0x82] = C_HIGH, [0x83] = C_HIGH,
	[0x84] = C_HIGH, [0x85] = C_HIGH, [0x86] = C_HIGH, [0x87] = C_HIGH,
	[0x88] = C_HIGH, [0x89] = C_HIGH, [0x8a] = C_HIGH, [0x8b] = C_HIGH,
	[0x8c] = C_HIGH, [0x8d] = C_HIGH, [0x8e] = C_HIGH, [0x8f] = C_HIGH,
	[0x90] = C_HIGH, [0x91] = C_HIGH, [0x92] = C_HIGH, [0x93] = C_HIGH,
	[0x94] = C_HIGH, [0x95] = C_HIGH, [0x96] = C_HIGH, [0x97] = C_HIGH,
	[0x98] = C_HIGH, [0x99] = C_HIGH, [0x9a] = C_HIGH, [0x9b] = C_HIGH,
	[0x9c] = C_HIGH, [0x9d] = C_HIGH, [0x9e] = C_HIGH, [0x9f] = C_HIGH,
	[0xa0] = C_HIGH, [0xa1] = C_HIGH, [0xa2] = C_HIGH, [0xa3] = C_HIGH,
	[0xa4] = C_HIGH, [0xa5] = C_HIGH, [0xa6] = C_HIGH, [0xa7] = C_HIGH,
	[0xa8] = C_HIGH, [0xa9] = C_HIGH, [0xaa] = C_HIGH, [0xab] = C_HIGH,
	[0xac] = C_HIGH, [0xad] = C_HIGH, [0xae] = C_HIGH, [0xaf] = C_HIGH,
	[0xb0] = C_HIGH, [0xb1] = C_HIGH, [0xb2] = C_HIGH, [0xb3] = C_HIGH,
	[0xb4] = C_HIGH, [0xb5] = C_HIGH, [0xb6] = C_HIGH, [0xb7] = C_HIGH,
	[0xb8] = C_HIGH, [0xb9] = C_HIGH, [0xba] = C_HIGH, [0xbb] = C_HIGH,
	[0xbc] = C_HIGH, [0xbd] = C_HIGH, [0xbe] = C_HIGH, [0xbf] = C_HIGH,
	[0xc0] = C_HIGH, [0xc1] = C_HIGH, [0xc2] = C_HIGH, [0xc3] = C_HIGH,
	[0xc4] = C_HIGH, [0xc5] = C_HIGH, [0xc6] = C_HIGH, [0xc7] = C_HIGH,
	[0xc8] = C_HIGH, [0xc9] = C_HIGH, [0xca] = C_HIGH, [0xcb] = C_HIGH,
	[0xcc] = C_HIGH, [0xcd] = C_HIGH, [0xce] = C_HIGH, [0xcf] = C_HIGH,
	[0xd0] = C_HIGH, [0xd1] = C_HIGH, [0xd2] = C_HIGH, [0xd3] = C_HIGH,
	[0xd4] = C_HIGH, [0xd5] = C_HIGH, [0xd6] = C_HIGH, [0xd7] = C_HIGH,
	[0xd8] = C_HIGH, [0xd9] = C_HIGH, [0xda] = C_HIGH, [0xdb] = C_HIGH,
	[0xdc] = C_HIGH, [0xdd] = C_HIGH, [0xde] = C_HIGH, [0xdf] = C_HIGH,
	[0xe0] = C_HIGH, [0xe1] = C_HIGH, [0xe2] = C_HIGH, [0xe3] = C_HIGH,
	[0xe4] = C_HIGH, [0xe5] = C_HIGH, [0xe6] = C_HIGH, [0xe7] = C_HIGH,
	[0xe8] = C_HIGH, [0xe9] = C_HIGH, [0xea] = C_HIGH, [0xeb] = C_HIGH,
	[0xec] = C_HIGH, [0xed] = C_HIGH, [0xee] = C_HIGH, [0xef] = C_HIGH,
	[0xf0] = C_HIGH, [0xf1] = C_HIGH, [0xf2] = C_HIGH, [0xf3] = C_HIGH,
	[0xf4] = C_HIGH, [0xf5] = C_HIGH, [0xf6] = C_HIGH, [0xf7] = C_HIGH,
	[0xf8] = C_HIGH, [0xf9] = C_HIGH, [0xfa] = C_HIGH, [0xfb] = C_HIGH,
	[0xfc] = C_HIGH, [0xfd] = C_HIGH, [0xfe] = C_HIGH, [0xff] = C_HIGH,
};

static bool
wn_is_cjk(uint32_t cp)
{
	return (cp >= 0x3040 && cp <= 0x30ff) || (cp >= 0x3400 && cp <= 0x4dbf) ||
	    (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xac00 && cp <= 0xd7af) ||
	    (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x20000 && cp <= 0x2fa1f);
}

/* Emit a finished word, or a skip token for an overlong one. */
static bool
wn_tok_emit(wn_tok_ctx *c, const wn_tok_prefix *p, const char *w, size_t n,
    size_t full_len, bool osb)
{
	const wn_tokenize_opts *o = c->o;

	/* Joiners at the end are punctuation, not word. */
	while (n > 0 && (wn_tok_class[(unsigned char)w[n - 1]] & C_JOIN)) {
		n--;
		full_len--;
	}
	if (n < o->min_word)
		return true;
	if (full_len > o->max_word) {
		/* SpamBayes-style: the shape of what was skipped. */
		char skip[48];
		int k = snprintf(skip, sizeof(skip), "skip:%c %zu",
		    (wn_tok_class[(unsigned char)w[0]] & C_DIGIT) ? '9' :
		    (wn_tok_class[(unsigned char)w[0]] & C_HIGH) ? 'u' : 'a',
		    full_len / 10 * 10);
		wn_tok_prefix sp = *p;

		sp.kind = WN_TOKEN_META;
		return wn_tok_feature(c, &sp, skip, (size_t)k);
	}
	return wn_tok_word(c, p, w, n, osb);
}

/*
 * Emit a word folded and, from feature set 2 on, also as written when it
 * has capitals: "FREE" and "Toshiba" say more than "free" and "toshiba".
 * ow differs from w only in ASCII capitals.
 */
static bool
wn_tok_emit_word(wn_tok_ctx *c, const wn_tok_prefix *p, const char *w,
    const char *ow, size_t n, size_t full_len, bool osb, bool caps)
{
	if (!wn_tok_emit(c, p, w, n, full_len, osb))
		return false;
	if (caps && c->v2 && n >= c->o->min_word)
		return wn_tok_emit(c, p, ow, n, full_len, false);
	return true;
}

/*
 * Split UTF-8 text into words and add them with prefix p. With osb set
 * the words also feed the bigram window (body text only).
 */
static bool
wn_tok_text(wn_tok_ctx *c, const wn_tok_prefix *p, const char *text,
    size_t len, bool osb)
{
	const unsigned char *s = (const unsigned char *)text;
	char w[WN_TOK_WORD_MAX + 8], ow[WN_TOK_WORD_MAX + 8];
	size_t i = 0, n = 0, full = 0;
	bool caps = false;
	uint32_t prev_cjk = 0;

	c->win_n = 0;
	while (i < len) {
		unsigned char ch = s[i];
		uint8_t cl = wn_tok_class[ch];

		/*
		 * w fills by n, full counts input bytes: folding can make a
		 * letter longer (U+023A is 2 bytes, its lower case 3), so
		 * the room in w is checked against n, never full.
		 */
		if (cl & (C_ALPHA | C_DIGIT)) {
			if (n < WN_TOK_WORD_MAX) {
				ow[n] = (char)ch;
				w[n++] = (char)wn_ascii_lower(ch);
				caps |= ch >= 'A' && ch <= 'Z';
			}
			full++;
			i++;
			prev_cjk = 0;
			continue;
		}
		if ((cl & C_JOIN) && full > 0 && i + 1 < len &&
		    (wn_tok_class[s[i + 1]] & (C_ALPHA | C_DIGIT | C_HIGH))) {
			if (n < WN_TOK_WORD_MAX)
				ow[n] = w[n] = (char)ch, n++;
			full++;
			i++;
			continue;
		}
		if (ch == '$' && full == 0 && i + 1 < len &&
		    (wn_tok_class[s[i + 1]] & C_DIGIT)) {
			ow[n] = w[n] = '$', n++;
			full++;
			i++;
			continue;
		}
		if (cl & C_HIGH) {
			uint32_t cp;
			size_t k = wn_utf8_decode(s + i, len - i, &cp);

			if (wn_is_cjk(cp)) {
				/* Overlapping pairs of ideographs. */
				if (full && !wn_tok_emit_word(c, p, w, ow, n,
				    full, osb, caps))
					return false;
				n = full = 0;
				caps = false;
				if (prev_cjk) {
					char pair[8];
					size_t pl = wn_utf8_encode(prev_cjk, pair);

					pl += wn_utf8_encode(cp, pair + pl);
					if (!wn_tok_word(c, p, pair, pl, osb))
						return false;
				}
				prev_cjk = cp;
				i += k;
				continue;
			}
			prev_cjk = 0;
			if (uc_is_alpha(cp) || uc_is_digit(cp)) {
				uint32_t lc = uc_tolower(cp);

				if (n + 4 <= WN_TOK_WORD_MAX) {
					size_t q = wn_utf8_encode(lc, w + n);

					memcpy(ow + n, w + n, q);
					n += q;
				}
				full += k;
				i += k;
				continue;
			}
			/* Non-letter: ends the word. */
			if (full && !wn_tok_emit_word(c, p, w, ow, n, full,
			    osb, caps))
				return false;
			n = full = 0;
			caps = false;
			i += k;
			continue;
		}
		/* Separator; from feature set 2 on, ! ? $ % runs count. */
		prev_cjk = 0;
		if (c->v2 && (ch == '!' || ch == '?' || ch == '$' || ch == '%')) {
			char run[3];
			size_t r = 1;

			while (r < sizeof(run) && i + r < len && s[i + r] == ch)
				r++;
			if (full && !wn_tok_emit_word(c, p, w, ow, n, full, osb,
			    caps))
				return false;
			n = full = 0;
			caps = false;
			memset(run, ch, r);
			if (!wn_tok_feature(c, p, run, r))
				return false;
			while (i < len && s[i] == ch)
				i++;
			continue;
		}
		if (full && !wn_tok_emit_word(c, p, w, ow, n, full, osb,
		    caps))
			return false;
		n = full = 0;
		caps = false;
		i++;
	}
	if (full && !wn_tok_emit_word(c, p, w, ow, n, full, osb, caps))
		return false;
	return c->err == 0;
}

/* Collapse a string to its shape: digits 9, letters a/A, runs kept short. */
static size_t
wn_shape(const char *s, size_t n, char *out, size_t cap)
{
	size_t i, o = 0;
	char prev = 0;
	unsigned run = 0;

	for (i = 0; i < n && o + 1 < cap; i++) {
		unsigned char ch = (unsigned char)s[i];
		char k = (ch >= '0' && ch <= '9') ? '9' :
		    (ch >= 'a' && ch <= 'z') ? 'a' :
		    (ch >= 'A' && ch <= 'Z') ? 'A' : (ch >= 0x80 ? 'u' : (char)ch);

		if (k == prev && (k == '9' || k == 'a' || k == 'A' || k == 'u')) {
			if (++run >= 2)
				continue;
		} else
			run = 0;
		out[o++] = k;
		prev = k;
	}
	return o;
}

typedef struct wn_tok_prefixes {
	wn_tok_prefix body, hid, subj, from, to, rt, rp, rcvd, ct, ctb, cte,
	    xm, mid, hdr, url, dom, flag, att, list;
} wn_tok_prefixes;

static void
wn_prefixes_init(wn_tok_ctx *c, wn_tok_prefixes *p)
{
	wn_prefix_init(c, &p->body, "", WN_TOKEN_WORD);
	wn_prefix_init(c, &p->hid, "hid:", WN_TOKEN_META);
	wn_prefix_init(c, &p->subj, "subj:", WN_TOKEN_HEADER);
	wn_prefix_init(c, &p->from, "from:", WN_TOKEN_HEADER);
	wn_prefix_init(c, &p->to, "to:", WN_TOKEN_HEADER);
	wn_prefix_init(c, &p->rt, "rt:", WN_TOKEN_HEADER);
	wn_prefix_init(c, &p->rp, "rp:", WN_TOKEN_HEADER);
	wn_prefix_init(c, &p->rcvd, "rcvd:", WN_TOKEN_HEADER);
	wn_prefix_init(c, &p->ct, "ct:", WN_TOKEN_HEADER);
	wn_prefix_init(c, &p->ctb, "ctb:", WN_TOKEN_HEADER);
	wn_prefix_init(c, &p->cte, "cte:", WN_TOKEN_HEADER);
	wn_prefix_init(c, &p->xm, "xm:", WN_TOKEN_HEADER);
	wn_prefix_init(c, &p->mid, "mid:", WN_TOKEN_HEADER);
	wn_prefix_init(c, &p->hdr, "hdr:", WN_TOKEN_HEADER);
	wn_prefix_init(c, &p->url, "url:", WN_TOKEN_URL);
	wn_prefix_init(c, &p->dom, "dom:", WN_TOKEN_URL);
	wn_prefix_init(c, &p->flag, "flag:", WN_TOKEN_META);
	wn_prefix_init(c, &p->att, "att:", WN_TOKEN_META);
	wn_prefix_init(c, &p->list, "list:", WN_TOKEN_HEADER);
}

static void
wn_tok_addrs(wn_tok_ctx *c, const wn_tok_prefix *p, const wn_addr_list *l,
    bool names)
{
	size_t i;

	for (i = 0; i < l->n && i < 32; i++) {
		const wn_addr *a = &l->v[i];

		if (a->domain[0])
			wn_tok_feature(c, p, a->domain, strlen(a->domain));
		if (names && a->name[0])
			wn_tok_text(c, p, a->name, strlen(a->name), false);
		if (names && a->local[0])
			wn_tok_feature_lower(c, p, a->local, strlen(a->local));
	}
}

/* Host names and bracketed IPs of a Received field. */
static void
wn_tok_received(wn_tok_ctx *c, const wn_tok_prefix *p, wn_str v)
{
	size_t i = 0, s;

	while (i < v.len) {
		while (i < v.len && !(wn_tok_class[(unsigned char)v.p[i]] &
		    (C_ALPHA | C_DIGIT)))
			i++;
		s = i;
		while (i < v.len && (wn_tok_class[(unsigned char)v.p[i]] &
		    (C_ALPHA | C_DIGIT) || v.p[i] == '.' || v.p[i] == '-'))
			i++;
		/* Something with a dot inside: a host or an address. */
		size_t n = i - s;

		while (n > 0 && (v.p[s + n - 1] == '.' || v.p[s + n - 1] == '-'))
			n--;
		if (n >= 4 && n <= 253 && memchr(v.p + s, '.', n) != NULL)
			wn_tok_feature_lower(c, p, v.p + s, n);
	}
}

bool
wn_tokenize_list_field(wn_str name)
{
	static const char *const fields[] = {
		"Sender", "Precedence", "X-Loop", "Errors-To", "X-BeenThere",
		"X-Mailman-Version"
	};
	size_t i;

	if (name.len > 5 && wn_str_ieq((wn_str){ name.p, 5 }, "List-"))
		return true;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (wn_str_ieq(name, fields[i]))
			return true;
	return false;
}

static void
wn_tok_headers(wn_tok_ctx *c, const wn_mime_msg *msg, wn_tok_prefixes *px)
{
	const wn_mime_part *root = msg->root;
	size_t i, nrcvd = 0;

	for (i = 0; i < root->n_headers && c->err == 0; i++) {
		const wn_mime_header *h = &root->headers[i];
		wn_str v = h->value;

		if (c->v3 && wn_tokenize_list_field(h->name))
			continue;
		wn_tok_feature_lower(c, &px->hdr, h->name.p, h->name.len);
		if (wn_str_ieq(h->name, "Received")) {
			if (nrcvd++ < 8)
				wn_tok_received(c, &px->rcvd, v);
		} else if (wn_str_ieq(h->name, "X-Mailer") ||
		    wn_str_ieq(h->name, "User-Agent")) {
			wn_tok_text(c, &px->xm, v.p, v.len, false);
		} else if (wn_str_ieq(h->name, "Message-ID")) {
			const char *at = memchr(v.p, '@', v.len);
			char shape[64];
			size_t sn;

			if (at != NULL) {
				const char *e = memchr(at, '>', v.len -
				    (size_t)(at - v.p));
				size_t dn = (size_t)((e ? e : v.p + v.len) - at - 1);

				wn_tok_feature_lower(c, &px->mid, at + 1, dn);
			}
			sn = wn_shape(v.p, at ? (size_t)(at - v.p) : v.len, shape,
			    sizeof(shape));
			wn_tok_feature(c, &px->mid, shape, sn);
		} else if (wn_str_ieq(h->name, "Return-Path")) {
			const char *at = memchr(v.p, '@', v.len);

			if (at != NULL) {
				const char *e = memchr(at, '>', v.len -
				    (size_t)(at - v.p));
				size_t dn = (size_t)((e ? e : v.p + v.len) - at - 1);

				wn_tok_feature_lower(c, &px->rp, at + 1, dn);
			} else
				wn_tok_feature(c, &px->rp, "null", 4);
		} else if (wn_str_ieq(h->name, "List-Id")) {
			wn_tok_feature_lower(c, &px->list, v.p, v.len);
		}
	}
	wn_tok_text(c, &px->subj, msg->subject, strlen(msg->subject), false);
	wn_tok_addrs(c, &px->from, &msg->from, true);
	wn_tok_addrs(c, &px->to, &msg->to, false);
	wn_tok_addrs(c, &px->to, &msg->cc, false);
	wn_tok_addrs(c, &px->rt, &msg->reply_to, false);
}

static void
wn_tok_parts(wn_tok_ctx *c, const wn_mime_msg *msg, wn_tok_prefixes *px)
{
	const wn_mime_part *p;
	char buf[320];
	int k;

	for (p = msg->root; p != NULL && c->err == 0;
	    p = wn_mime_part_next(p)) {
		k = snprintf(buf, sizeof(buf), "%s/%s", p->type, p->subtype);
		wn_tok_feature(c, &px->ct, buf, (size_t)k < sizeof(buf) ?
		    (size_t)k : sizeof(buf) - 1);
		if (p->charset) {
			k = snprintf(buf, sizeof(buf), "charset:%s", p->charset);
			wn_tok_feature(c, &px->ct, buf, (size_t)k < sizeof(buf) ?
			    (size_t)k : sizeof(buf) - 1);
		}
		if (p->boundary) {
			size_t sn = wn_shape(p->boundary, strlen(p->boundary),
			    buf, 64);

			wn_tok_feature(c, &px->ctb, buf, sn);
		}
		if (p->encoding != WN_MIME_ENC_7BIT) {
			const char *e = wn_mime_encoding_name(p->encoding);

			wn_tok_feature(c, &px->cte, e, strlen(e));
		}
		if (p->filename) {
			const char *dot = strrchr(p->filename, '.');

			if (dot && strlen(dot + 1) <= 8)
				wn_tok_feature_lower(c, &px->att, dot + 1,
				    strlen(dot + 1));
		}
		if (!wn_mime_part_is_text(p))
			continue;
		size_t n = p->text.len < c->o->max_body_bytes ? p->text.len :
		    c->o->max_body_bytes;

		wn_tok_text(c, &px->body, p->text.p, n, true);
		if (p->hidden_text.len)
			wn_tok_text(c, &px->hid, p->hidden_text.p,
			    p->hidden_text.len < c->o->max_body_bytes ?
			    p->hidden_text.len : c->o->max_body_bytes, false);
	}
}

int
wn_tokenize(wn_arena *arena, const wn_mime_msg *msg,
    const wn_tokenize_opts *opts, wn_tokens *out)
{
	wn_tokenize_opts defaults;
	wn_tok_prefixes px;
	wn_tok_ctx c;
	unsigned bit;
	size_t i, est;

	if (opts == NULL) {
		wn_tokenize_opts_default(&defaults);
		opts = &defaults;
	}
	memset(&c, 0, sizeof(c));
	memset(out, 0, sizeof(*out));
	c.arena = arena;
	c.o = opts;
	c.out = out;
	if (opts->osb_window > WN_OSB_MAX)
		return WN_EINVAL;
	/*
	 * Size the set for the message at once: growing rehashes and copies.
	 * About one word per six bytes of text, each word bringing window
	 * features, kept at most half full; bounded by max_tokens.
	 */
	est = 256 + msg->text_bytes / 6 * (opts->osb_window ? opts->osb_window :
	    1);
	if (est > opts->max_tokens)
		est = opts->max_tokens + 1;
	for (c.set_initial = 1024; c.set_initial < est * 2 &&
	    c.set_initial < ((size_t)1 << 30); c.set_initial *= 2)
		;
	wn_prefixes_init(&c, &px);
	c.v2 = wn_tokenize_features(opts->seed) >= 2;
	c.v3 = wn_tokenize_features(opts->seed) >= 3;

	wn_tok_headers(&c, msg, &px);
	wn_tok_parts(&c, msg, &px);
	for (i = 0; i < msg->urls.n && c.err == 0; i++) {
		const wn_url *u = &msg->urls.v[i];

		if (u->host[0])
			wn_tok_feature(&c, &px.url, u->host, strlen(u->host));
		if (u->domain[0])
			wn_tok_feature(&c, &px.dom, u->domain, strlen(u->domain));
	}
	for (bit = 0; bit < WN_MIME_FLAG_COUNT && c.err == 0; bit++)
		if (msg->flags & (1ull << bit)) {
			const char *name = wn_mime_flag_name(1ull << bit);

			wn_tok_feature(&c, &px.flag, name, strlen(name));
		}
	return c.err;
}
