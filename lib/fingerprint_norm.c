/*
 * fingerprint_norm.c - visible text to the normalised words of a
 * fingerprint.
 *
 * One pass over UTF-8 text. Where a word starts, a URL or an e-mail
 * address may start instead: a URL gives the words of its host and the
 * rest of it is skipped, an address gives the placeholder "@email".
 * Otherwise a compound starts there (words joined by punctuation without
 * white space), dropped whole if it holds a digit. Each word is folded
 * into a small buffer while its shape is noted (letters, digits, case
 * changes, hex letters only), and the shape decides whether it is kept:
 * what varies from one recipient to the next (ids, numbers, random
 * strings) is dropped, words are kept. Nothing here depends on the
 * locale; case mapping is libunistring's simple mapping.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <unicase.h>
#include <unictype.h>

#include <winnow/codec.h>
#include <winnow/fingerprint.h>
#include <winnow/str.h>

#include "fingerprint_int.h"

#define WN_FP_SCHEME_MAX	16	/* bytes of a URL scheme */
#define WN_FP_LOCAL_MAX		64	/* bytes of an address's local part */
#define WN_FP_DOMAIN_MAX	255	/* bytes of an address's domain */
#define WN_FP_BASE64_CHANGES	4	/* case changes of a base64 shape */

static const char wn_fp_email_word[] = "@email";

typedef struct wn_fp_norm {
	const unsigned char *s;
	size_t len;
	wn__fp_word_fn fn;
	void *ctx;
	bool stop;		/* fn asked to stop */
} wn_fp_norm;

/* A word being folded, and its shape. */
typedef struct wn_fp_word {
	char buf[WN_FINGERPRINT_WORD_MAX];
	size_t n;		/* folded bytes in buf */
	size_t chars;		/* code points */
	bool overlong;		/* did not fit in buf */
	bool alpha;		/* has a letter */
	bool digit;		/* has a digit */
	bool not_hex;		/* has something other than 0-9 a-f A-F */
	bool non_ascii;
	unsigned case_changes;	/* ASCII lower <-> upper between letters */
	unsigned char last_case; /* 0 none yet, 1 lower, 2 upper */
} wn_fp_word;

static void
wn_fp_emit(wn_fp_norm *z, const char *w, size_t n)
{
	if (!z->stop && !z->fn(z->ctx, w, n))
		z->stop = true;
}

static size_t
wn_fp_decode(const wn_fp_norm *z, size_t i, size_t end, uint32_t *cp)
{
	if (z->s[i] < 0x80) {
		*cp = z->s[i];
		return 1;
	}
	return wn_utf8_decode(z->s + i, end - i, cp);
}

/*
 * Scripts written without spaces between words: ideographs, kana, Thai,
 * Lao, Myanmar, Khmer. Each character counts as a word, so shingles
 * become character n-grams there.
 */
static bool
wn_fp_is_unspaced(uint32_t cp)
{
	return (cp >= 0x0e00 && cp <= 0x0eff) ||	/* Thai, Lao */
	    (cp >= 0x1000 && cp <= 0x109f) ||		/* Myanmar */
	    (cp >= 0x1780 && cp <= 0x17ff) ||		/* Khmer */
	    (cp >= 0x3040 && cp <= 0x30ff) ||		/* kana */
	    (cp >= 0x3400 && cp <= 0x4dbf) ||		/* CJK ext. A */
	    (cp >= 0x4e00 && cp <= 0x9fff) ||		/* CJK unified */
	    (cp >= 0xf900 && cp <= 0xfaff) ||		/* CJK compat. */
	    (cp >= 0x20000 && cp <= 0x2fa1f);		/* CJK ext. B.. */
}

static bool
wn_fp_is_word_cp(uint32_t cp)
{
	if (cp < 0x80)
		return wn_ascii_is_alpha((unsigned char)cp) ||
		    wn_ascii_is_digit((unsigned char)cp);
	return uc_is_alpha(cp) || uc_is_digit(cp) ||
	    uc_is_general_category(cp, UC_CATEGORY_M);
}

static void
wn_fp_word_add(wn_fp_word *w, uint32_t cp)
{
	char enc[4];
	size_t k;

	w->chars++;
	if (cp < 0x80) {
		unsigned char ch = (unsigned char)cp, kase;

		if (wn_ascii_is_digit(ch)) {
			w->digit = true;
		} else {
			w->alpha = true;
			if (wn_ascii_lower(ch) > 'f')
				w->not_hex = true;
			kase = (ch >= 'A' && ch <= 'Z') ? 2 : 1;
			if (w->last_case != 0 && w->last_case != kase)
				w->case_changes++;
			w->last_case = kase;
		}
		if (w->n < sizeof(w->buf))
			w->buf[w->n++] = (char)wn_ascii_lower(ch);
		else
			w->overlong = true;
		return;
	}
	w->non_ascii = true;
	w->not_hex = true;
	if (uc_is_digit(cp))
		w->digit = true;
	else if (uc_is_alpha(cp))
		w->alpha = true;
	k = wn_utf8_encode(uc_tolower(cp), enc);
	if (w->n + k <= sizeof(w->buf)) {
		memcpy(w->buf + w->n, enc, k);
		w->n += k;
	} else {
		w->overlong = true;
	}
}

/*
 * Whether a folded word is kept (fingerprint.h lists what is dropped).
 * Words with a digit only get here as labels of a URL's host; in text
 * their whole compound is dropped before.
 */
static bool
wn_fp_word_keep(const wn_fp_word *w)
{
	if (!w->alpha || w->digit || w->overlong)
		return false;
	if (w->chars >= WN_FINGERPRINT_RANDOM_MIN && !w->non_ascii &&
	    (!w->not_hex || w->case_changes >= WN_FP_BASE64_CHANGES))
		return false;
	return true;
}

/* Fold the word starting at i (before end); emit it if kept. Returns the
 * position after it. */
static size_t
wn_fp_word_at(wn_fp_norm *z, size_t i, size_t end)
{
	wn_fp_word w;
	uint32_t cp;
	size_t k;

	memset(&w, 0, sizeof(w));
	while (i < end) {
		k = wn_fp_decode(z, i, end, &cp);
		if (!wn_fp_is_word_cp(cp) || wn_fp_is_unspaced(cp))
			break;
		wn_fp_word_add(&w, cp);
		i += k;
	}
	if (wn_fp_word_keep(&w))
		wn_fp_emit(z, w.buf, w.n);
	return i;
}

/* Emit the words of s[i..end), with no URL or address detection. */
static void
wn_fp_plain_words(wn_fp_norm *z, size_t i, size_t end)
{
	uint32_t cp;

	while (i < end && !z->stop) {
		size_t k = wn_fp_decode(z, i, end, &cp);

		if (wn_fp_is_word_cp(cp) && !wn_fp_is_unspaced(cp))
			i = wn_fp_word_at(z, i, end);
		else
			i += k;
	}
}

/* Bytes that end a URL written in text. */
static bool
wn_fp_url_end(unsigned char ch)
{
	return ch <= ' ' || ch >= 0x7f || ch == '<' || ch == '>' ||
	    ch == '"' || ch == '\'' || ch == '`';
}

/*
 * A URL at i: scheme "://" or "www." and a host. Emits the words of the
 * host and returns the position after the whole URL, or 0 when no URL
 * starts at i.
 */
static size_t
wn_fp_url(wn_fp_norm *z, size_t i)
{
	const unsigned char *s = z->s;
	size_t j = i, h0, h1, e;

	if (!wn_ascii_is_alpha(s[i]))
		return 0;
	while (j < z->len && j - i < WN_FP_SCHEME_MAX &&
	    (wn_ascii_is_alpha(s[j]) || wn_ascii_is_digit(s[j]) ||
	    s[j] == '+' || s[j] == '-' || s[j] == '.'))
		j++;
	if (z->len - j >= 3 && memcmp(s + j, "://", 3) == 0)
		h0 = j + 3;
	else if (z->len - i > 4 &&
	    wn_str_iprefix(wn_str_make((const char *)s + i, 4), "www.") &&
	    (wn_ascii_is_alpha(s[i + 4]) || wn_ascii_is_digit(s[i + 4])))
		h0 = i;
	else
		return 0;
	/* The authority: up to the path, query or fragment. */
	for (e = h0; e < z->len && !wn_fp_url_end(s[e]) && s[e] != '/' &&
	    s[e] != '?' && s[e] != '#' && s[e] != '\\'; e++) {
		if (s[e] == '@')	/* userinfo ends here */
			h0 = e + 1;
	}
	for (h1 = h0; h1 < e && s[h1] != ':'; h1++)
		;
	wn_fp_plain_words(z, h0, h1);
	while (e < z->len && !wn_fp_url_end(s[e]))
		e++;
	return e;
}

static bool
wn_fp_is_local_char(unsigned char ch)
{
	return wn_ascii_is_alpha(ch) || wn_ascii_is_digit(ch) || ch == '.' ||
	    ch == '_' || ch == '%' || ch == '+' || ch == '-';
}

/*
 * An e-mail address at i: local part, "@", a domain with a dot inside.
 * Emits the placeholder and returns the position after the address, or
 * 0 when none starts at i.
 */
static size_t
wn_fp_email(wn_fp_norm *z, size_t i)
{
	const unsigned char *s = z->s;
	size_t j = i, d, e;
	bool dot = false;

	while (j < z->len && j - i <= WN_FP_LOCAL_MAX &&
	    wn_fp_is_local_char(s[j]))
		j++;
	if (j == i || j >= z->len || s[j] != '@')
		return 0;
	d = e = j + 1;
	while (e < z->len && e - d <= WN_FP_DOMAIN_MAX &&
	    (wn_ascii_is_alpha(s[e]) || wn_ascii_is_digit(s[e]) ||
	    s[e] == '-' || s[e] == '.'))
		e++;
	/* A dot or hyphen at the end is the sentence's, not the domain's. */
	while (e > d && (s[e - 1] == '.' || s[e - 1] == '-'))
		e--;
	for (j = d + 1; j + 1 < e; j++)
		if (s[j] == '.')
			dot = true;
	if (e == d || !dot || s[d] == '.' || s[d] == '-')
		return 0;
	wn_fp_emit(z, wn_fp_email_word, sizeof(wn_fp_email_word) - 1);
	return e;
}

/* Punctuation that joins the parts of an identifier: "FF-2291-ZK8Q". */
static bool
wn_fp_is_joiner(uint32_t cp)
{
	return cp == '-' || cp == '_' || cp == '.' || cp == '+' || cp == '#';
}

/*
 * Words joined by punctuation without white space form a compound
 * ("FF-2291-ZK8Q", "e-mail", "j.smith"). A compound with a digit anywhere
 * is an identifier and is dropped whole: the letters of an id ("FF",
 * "ZK8Q") change from one recipient to the next as much as its digits.
 * Other compounds give their words. Returns the position after it.
 */
static size_t
wn_fp_compound(wn_fp_norm *z, size_t i)
{
	size_t j = i, k;
	bool digit = false;
	uint32_t cp;

	while (j < z->len) {
		k = wn_fp_decode(z, j, z->len, &cp);
		if (wn_fp_is_word_cp(cp) && !wn_fp_is_unspaced(cp)) {
			if (cp < 0x80 ? wn_ascii_is_digit((unsigned char)cp) :
			    uc_is_digit(cp))
				digit = true;
			j += k;
			continue;
		}
		if (!wn_fp_is_joiner(cp) || j + 1 >= z->len)
			break;
		wn_fp_decode(z, j + 1, z->len, &cp);
		if (!wn_fp_is_word_cp(cp) || wn_fp_is_unspaced(cp))
			break;
		j++;
	}
	if (!digit)
		wn_fp_plain_words(z, i, j);
	return j;
}

bool
wn__fp_norm_text(const char *text, size_t len, wn__fp_word_fn fn, void *ctx)
{
	wn_fp_norm z;
	uint32_t cp;
	size_t i = 0, k, e;

	z.s = (const unsigned char *)text;
	z.len = len;
	z.fn = fn;
	z.ctx = ctx;
	z.stop = false;
	while (i < len && !z.stop) {
		k = wn_fp_decode(&z, i, len, &cp);
		if (wn_fp_is_unspaced(cp)) {
			/* These scripts have no case: the character as is. */
			wn_fp_emit(&z, text + i, k);
			i += k;
		} else if (!wn_fp_is_word_cp(cp)) {
			i += k;
		} else if ((e = wn_fp_url(&z, i)) != 0 ||
		    (e = wn_fp_email(&z, i)) != 0) {
			i = e;
		} else {
			i = wn_fp_compound(&z, i);
		}
	}
	return !z.stop;
}
