/*
 * charset.c - any declared charset to valid UTF-8.
 *
 * The common charsets of mail (US-ASCII, UTF-8, ISO-8859-1, Windows-1252)
 * are converted here without iconv; ISO-8859-1 is read as Windows-1252, as
 * browsers and MUAs do, because mail labelled Latin-1 routinely carries
 * 0x80-0x9F punctuation. Everything else goes through iconv(3) after
 * mapping the aliases MUAs invent to names glibc knows.
 *
 * Charsets lie. Text labelled ASCII or Latin-1 (or any single-byte set)
 * that is valid UTF-8 with multi-byte sequences is read as UTF-8; text
 * labelled UTF-8 without a single valid multi-byte sequence but with 8-bit
 * bytes is read as Windows-1252. Both set WN_CODEC_CHARSET_MISMATCH.
 * Invalid bytes left over become U+FFFD; NUL becomes a space.
 */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <string.h>

#include <winnow/alloc.h>
#include <winnow/codec.h>
#include <winnow/err.h>

enum wn_cs {
	WN_CS_UNKNOWN,		/* none declared: detect */
	WN_CS_ASCII,
	WN_CS_UTF8,
	WN_CS_1252,		/* also ISO-8859-1 */
	WN_CS_ICONV
};

/* Windows-1252 0x80..0x9F; holes map to U+FFFD. */
static const uint16_t wn_cp1252_high[32] = {
	0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0xfffd, 0x017d, 0xfffd,
	0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0xfffd, 0x017e, 0x0178,
};

/* Aliases seen in mail that iconv spells differently or lacks. */
static const struct {
	const char *alias;
	const char *iconv_name;
} wn_cs_aliases[] = {
	{ "ks_c_5601-1987", "CP949" },
	{ "ks_c_5601", "CP949" },
	{ "euc-kr", "CP949" },
	{ "gb2312", "GB18030" },
	{ "gbk", "GB18030" },
	{ "x-gbk", "GB18030" },
	{ "cp936", "GB18030" },
	{ "gb_2312-80", "GB18030" },
	{ "iso-8859-8-i", "ISO-8859-8" },
	{ "x-mac-roman", "MACINTOSH" },
	{ "macintosh", "MACINTOSH" },
	{ "shift-jis", "SHIFT_JIS" },
	{ "x-sjis", "SHIFT_JIS" },
	{ "sjis", "SHIFT_JIS" },
	{ "windows-31j", "CP932" },
	{ "windows-874", "CP874" },
	{ "x-euc-jp", "EUC-JP" },
	{ "big5-hkscs", "BIG5-HKSCS" },
	{ "cp-850", "CP850" },
	{ "unicode-1-1-utf-7", "UTF-7" },
};

static bool
wn_cs_is(const char *name, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(name, *list) == 0)
			return true;
	return false;
}

/* Normalised lowercase name in buf (at most len-1 bytes). */
static void
wn_cs_normalise(const char *in, char *buf, size_t len)
{
	size_t i = 0;

	while (*in == ' ' || *in == '\t' || *in == '"' || *in == '\'')
		in++;
	for (; *in && i + 1 < len; in++) {
		unsigned char c = (unsigned char)*in;

		if (c == '"' || c == '\'' || c == ' ' || c == '\t' || c == ';')
			break;
		buf[i++] = (char)wn_ascii_lower(c);
	}
	buf[i] = '\0';
}

static enum wn_cs
wn_cs_classify(const char *name, const char **iconv_name)
{
	static const char *const utf8[] = { "utf-8", "utf8", "x-utf-8",
		"unicode-1-1-utf-8", NULL };
	static const char *const ascii[] = { "us-ascii", "ascii", "us",
		"ansi_x3.4-1968", "iso646-us", "646", "iso-ir-6", "cp367",
		"ibm367", "7bit", NULL };
	static const char *const latin1[] = { "iso-8859-1", "iso8859-1",
		"iso_8859-1", "latin1", "latin-1", "l1", "cp819", "ibm819",
		"iso-ir-100", "windows-1252", "cp1252", "x-cp1252",
		"iso_8859-1:1987", "8859-1", "iso-8859-1-i", NULL };
	static const char *const unknown[] = { "", "unknown", "x-unknown",
		"unknown-8bit", "x-user-defined", "default", "charset",
		"none", "8bit", NULL };
	size_t i;

	*iconv_name = name;
	if (wn_cs_is(name, utf8))
		return WN_CS_UTF8;
	if (wn_cs_is(name, ascii))
		return WN_CS_ASCII;
	if (wn_cs_is(name, latin1))
		return WN_CS_1252;
	if (wn_cs_is(name, unknown))
		return WN_CS_UNKNOWN;
	for (i = 0; i < sizeof(wn_cs_aliases) / sizeof(wn_cs_aliases[0]); i++)
		if (strcmp(name, wn_cs_aliases[i].alias) == 0) {
			*iconv_name = wn_cs_aliases[i].iconv_name;
			break;
		}
	return WN_CS_ICONV;
}

/* Whether s has any byte >= 0x80; eight bytes at a time. */
static bool
wn_has_8bit(const unsigned char *s, size_t n)
{
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, s + i, 8);
		if (w & 0x8080808080808080ull)
			return true;
	}
	for (; i < n; i++)
		if (s[i] & 0x80)
			return true;
	return false;
}

/* Valid and invalid multi-byte sequences in s. */
static void
wn_utf8_census(const unsigned char *s, size_t n, size_t *valid_mb,
    size_t *invalid)
{
	size_t i = 0;
	uint32_t cp;

	*valid_mb = *invalid = 0;
	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		size_t k = wn_utf8_decode(s + i, n - i, &cp);

		if (k == 1)
			(*invalid)++;
		else
			(*valid_mb)++;
		i += k;
	}
}

/* Copy UTF-8 s into o, repairing invalid bytes; returns bytes written.
 * o has room for 3*n bytes. */
static size_t
wn_utf8_repair(const unsigned char *s, size_t n, char *o)
{
	size_t i = 0, w = 0;
	uint32_t cp;

	while (i < n) {
		if (s[i] < 0x80) {
			o[w++] = s[i] ? (char)s[i] : ' ';
			i++;
			continue;
		}
		size_t k = wn_utf8_decode(s + i, n - i, &cp);

		if (k == 1 && cp == 0xfffd)
			w += wn_utf8_encode(0xfffd, o + w);
		else {
			memcpy(o + w, s + i, k);
			w += k;
		}
		i += k;
	}
	return w;
}

/* Windows-1252 s into o (room for 3*n). */
static size_t
wn_cp1252_to_utf8(const unsigned char *s, size_t n, char *o)
{
	size_t i, w = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c < 0x80)
			o[w++] = c ? (char)c : ' ';
		else if (c < 0xa0)
			w += wn_utf8_encode(wn_cp1252_high[c - 0x80], o + w);
		else {
			o[w++] = (char)(0xc0 | (c >> 6));
			o[w++] = (char)(0x80 | (c & 0x3f));
		}
	}
	return w;
}

/* Cut UTF-8 o[0..w) to at most max bytes on a character boundary. */
static size_t
wn_utf8_cut(const char *o, size_t w, size_t max)
{
	if (w <= max)
		return w;
	while (max > 0 && ((unsigned char)o[max] & 0xc0) == 0x80)
		max--;
	return max;
}

/* iconv conversion into a heap buffer; NULL if iconv does not know name. */
static char *
wn_iconv_convert(const char *name, const unsigned char *s, size_t n,
    size_t max_out, size_t *len_out, uint32_t *flags)
{
	iconv_t cd;
	char *buf, *op, *ip;
	size_t cap, il, ol, r;

	*len_out = 0;
	if ((cd = iconv_open("UTF-8", name)) == (iconv_t)-1)
		return NULL;
	cap = n * 2 + 16;
	if (cap > max_out + 16)
		cap = max_out + 16;
	if ((buf = wn_malloc(cap)) == NULL) {
		iconv_close(cd);
		*len_out = (size_t)-1;
		return NULL;
	}
	ip = (char *)(uintptr_t)s;
	il = n;
	op = buf;
	ol = cap;
	while (il > 0) {
		r = iconv(cd, &ip, &il, &op, &ol);
		if (r != (size_t)-1)
			break;
		if (errno == E2BIG) {
			size_t used = (size_t)(op - buf);
			char *nb;

			if (used >= max_out) {
				*flags |= WN_CODEC_TRUNCATED;
				break;
			}
			if ((nb = wn_realloc(buf, cap * 2)) == NULL) {
				wn_free(buf);
				iconv_close(cd);
				*len_out = (size_t)-1;
				return NULL;
			}
			buf = nb;
			cap *= 2;
			op = buf + used;
			ol = cap - used;
			continue;
		}
		/* EILSEQ or EINVAL: replace one byte and go on. */
		*flags |= WN_CODEC_BAD_CHARSET;
		if (ol < 3) {
			size_t used = (size_t)(op - buf);
			char *nb;

			if ((nb = wn_realloc(buf, cap * 2)) == NULL) {
				wn_free(buf);
				iconv_close(cd);
				*len_out = (size_t)-1;
				return NULL;
			}
			buf = nb;
			cap *= 2;
			op = buf + used;
			ol = cap - used;
		}
		op += wn_utf8_encode(0xfffd, op);
		ol -= 3;
		ip++;
		il--;
		/* Stateful decoders need a reset after an error. */
		iconv(cd, NULL, NULL, NULL, NULL);
	}
	iconv_close(cd);
	*len_out = (size_t)(op - buf);
	return buf;
}

/*
 * Copy iconv output p[0..w) into the arena, at most max_out bytes. iconv's
 * UTF-8 is not always ours: glibc passes code points beyond U+10FFFF
 * through (UTF-8 to UTF-8 under an alias) and NULs are kept, so output that
 * is not clean goes through the same repair as any other input.
 */
static int
wn_emit(wn_arena *arena, const char *p, size_t w, size_t max_out,
    wn_str *out, uint32_t *flags)
{
	char *o;
	size_t cut;

	if (memchr(p, '\0', w) == NULL && wn_utf8_valid(p, w)) {
		cut = wn_utf8_cut(p, w, max_out);
		if ((o = wn_arena_memdup(arena, p, cut)) == NULL)
			return WN_ENOMEM;
	} else {
		if (!wn_utf8_valid(p, w))
			*flags |= WN_CODEC_BAD_CHARSET;
		if (w > ((size_t)-1 - 1) / 3 ||
		    (o = wn_arena_alloc(arena, w * 3 + 1)) == NULL)
			return WN_ENOMEM;
		w = wn_utf8_repair((const unsigned char *)p, w, o);
		cut = wn_utf8_cut(o, w, max_out);
		o[cut] = '\0';
		wn_arena_trim(arena, o, cut + 1);
	}
	if (cut < w)
		*flags |= WN_CODEC_TRUNCATED;
	out->p = o;
	out->len = cut;
	return 0;
}

int
wn_charset_to_utf8(wn_arena *arena, const char *charset, const char *in,
    size_t n, size_t max_out, wn_str *out, const char **used_out,
    uint32_t *flags)
{
	const unsigned char *s = (const unsigned char *)in;
	char name[64];
	const char *iconv_name, *used;
	enum wn_cs cs;
	size_t valid_mb, invalid, w, lim;
	uint32_t fl = 0;
	bool seven_bit_coded;
	char *o;
	int rc;

	wn_cs_normalise(charset ? charset : "", name, sizeof(name));
	cs = wn_cs_classify(name, &iconv_name);
	*out = WN_STR_NULL;
	/* Charsets whose 7-bit bytes are not ASCII text. */
	seven_bit_coded = cs == WN_CS_ICONV &&
	    (strncmp(name, "utf-16", 6) == 0 ||
	    strncmp(name, "utf-32", 6) == 0 || strncmp(name, "utf-7", 5) == 0 ||
	    strncmp(name, "ucs", 3) == 0 || strncmp(name, "unicode", 7) == 0 ||
	    strncmp(name, "iso-2022", 8) == 0 || strncmp(name, "hz", 2) == 0 ||
	    strcmp(name, "unicode-1-1-utf-7") == 0);

	if (!seven_bit_coded && !wn_has_8bit(s, n)) {
		/* Pure ASCII: one copy, NUL replaced. */
		lim = n < max_out ? n : max_out;
		if (lim < n)
			fl |= WN_CODEC_TRUNCATED;
		if ((o = wn_arena_memdup(arena, in, lim)) == NULL)
			return WN_ENOMEM;
		for (w = 0; w < lim; w++)
			if (o[w] == '\0')
				o[w] = ' ';
		out->p = o;
		out->len = lim;
		if (used_out)
			*used_out = cs == WN_CS_UTF8 ? "utf-8" : "us-ascii";
		*flags |= fl;
		return 0;
	}

	if (cs == WN_CS_ICONV) {
		/* UTF-8 bytes under a single- or multi-byte label: the label
		 * lied. UTF-16/32/7 are not ASCII-compatible: trust them. */
		if (!seven_bit_coded) {
			wn_utf8_census(s, n, &valid_mb, &invalid);
			if (invalid == 0 && valid_mb >= 2) {
				cs = WN_CS_UTF8;
				fl |= WN_CODEC_CHARSET_MISMATCH;
			}
		}
	}
	if (cs == WN_CS_ICONV) {
		size_t len;
		char *buf = wn_iconv_convert(iconv_name, s, n, max_out, &len,
		    &fl);

		if (buf == NULL && len == (size_t)-1)
			return WN_ENOMEM;
		if (buf != NULL) {
			rc = wn_emit(arena, buf, len, max_out, out, &fl);
			wn_free(buf);
			if (used_out)
				*used_out = wn_arena_strdup(arena, iconv_name);
			*flags |= fl;
			return rc;
		}
		fl |= WN_CODEC_UNKNOWN_CHARSET;
		cs = WN_CS_UNKNOWN;
	}

	wn_utf8_census(s, n, &valid_mb, &invalid);
	switch (cs) {
	case WN_CS_UTF8:
		if (invalid > 0 && valid_mb == 0) {
			cs = WN_CS_1252;
			fl |= WN_CODEC_CHARSET_MISMATCH;
		} else if (invalid > 0)
			fl |= WN_CODEC_BAD_CHARSET;
		break;
	case WN_CS_ASCII:
	case WN_CS_1252:
		if (invalid == 0 && valid_mb > 0) {
			cs = WN_CS_UTF8;
			fl |= WN_CODEC_CHARSET_MISMATCH;
		} else {
			if (cs == WN_CS_ASCII)
				fl |= WN_CODEC_CHARSET_MISMATCH;
			cs = WN_CS_1252;
		}
		break;
	default:
		cs = invalid == 0 ? WN_CS_UTF8 : WN_CS_1252;
		break;
	}

	/* Convert at most what can fit into max_out, so a huge body does
	 * not allocate three times its size to keep a fraction of it. */
	lim = n;
	if (lim > max_out + 4) {
		lim = max_out + 4;
		fl |= WN_CODEC_TRUNCATED;
	}
	if (lim > ((size_t)-1 - 1) / 3 ||
	    (o = wn_arena_alloc(arena, lim * 3 + 1)) == NULL)
		return WN_ENOMEM;
	if (cs == WN_CS_UTF8) {
		w = wn_utf8_repair(s, lim, o);
		used = "utf-8";
	} else {
		w = wn_cp1252_to_utf8(s, lim, o);
		used = "windows-1252";
	}
	if (w > max_out) {
		w = wn_utf8_cut(o, w, max_out);
		fl |= WN_CODEC_TRUNCATED;
	}
	o[w] = '\0';
	wn_arena_trim(arena, o, w + 1);
	out->p = o;
	out->len = w;
	if (used_out)
		*used_out = used;
	*flags |= fl;
	return 0;
}
