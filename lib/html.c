/*
 * html.c - HTML rendered to visible text, hidden text, links and flags.
 *
 * One pass over the bytes with a tolerant tokenizer modelled on the HTML 5
 * one: text runs are copied in blocks found by a class table, tags and
 * attributes are read in place, comments, CDATA and the content of raw
 * text elements (script, style, title, iframe ...) are skipped with memchr.
 * Every construct consumes its bytes once, so hostile input ("<<<<",
 * 100k unclosed tags, "&&&&") costs linear time.
 *
 * A small element stack (WN_HTML_DEPTH) carries what decides whether text
 * can be seen: display/visibility/opacity, tiny font sizes and the text
 * and background colours. Text whose element hides it goes to the hidden
 * buffer. Misnested end tags follow the HTML 5 rules closely enough that
 * a hidden <span> cannot be closed by a stray </span> inside a block.
 * Colours set by a <style> sheet are unknown to us: once a sheet mentions
 * colours, the document defaults become unknown and only inline colours are
 * compared, so dark newsletters are not taken for hidden text.
 *
 * XXX: text inside <head> other than <title>, <script> and <style> is kept
 * visible, as browsers show it; dropping it would hand spammers a place
 * to hide text from us. n_tags counts start tags.
 */
#include <libpsl.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <winnow/codec.h>
#include <winnow/err.h>
#include <winnow/html.h>
#include <winnow/url.h>

#include "html_int.h"

#define WN_HTML_DEPTH		64	/* element stack */
#define WN_HTML_ATTR_MAX	16384	/* attribute bytes decoded */
#define WN_HTML_OBF_MIN		3	/* numeric refs for letters: flag */
#define WN_HTML_CONTRAST	1200	/* squared RGB distance: invisible */
#define WN_HTML_ANCHOR_MAX	512	/* longest link text checked */
#define WN_HTML_TEXT_SLACK	64

/* Colours are 0xRRGGBB or one of these. */
#define WN_COL_DEFAULT	(-1)	/* not set: the document default */
#define WN_COL_UNKNOWN	(-2)	/* set to something not evaluated */
#define WN_COL_TRANSP	(-3)	/* fully transparent */
#define WN_COL_KEEP	(-4)	/* parser: inherit, leave as is */

/* Byte classes of text content. */
enum { WN_C_TEXT, WN_C_SPACE, WN_C_LT, WN_C_AMP, WN_C_HIGH, WN_C_CTRL };

#define WN_C8(a, b, c, d, e, f, g, h) a, b, c, d, e, f, g, h
#define T WN_C_TEXT
#define S WN_C_SPACE
#define X WN_C_CTRL
#define H WN_C_HIGH
#define H8 WN_C8(H, H, H, H, H, H, H, H)
static const unsigned char wn_html_cls[256] = {
	WN_C8(X, X, X, X, X, X, X, X), WN_C8(X, S, S, S, S, S, X, X),
	WN_C8(X, X, X, X, X, X, X, X), WN_C8(X, X, X, X, X, X, X, X),
	WN_C8(S, T, T, T, T, T, WN_C_AMP, T), WN_C8(T, T, T, T, T, T, T, T),
	WN_C8(T, T, T, T, T, T, T, T), WN_C8(T, T, T, T, WN_C_LT, T, T, T),
	WN_C8(T, T, T, T, T, T, T, T), WN_C8(T, T, T, T, T, T, T, T),
	WN_C8(T, T, T, T, T, T, T, T), WN_C8(T, T, T, T, T, T, T, T),
	WN_C8(T, T, T, T, T, T, T, T), WN_C8(T, T, T, T, T, T, T, T),
	WN_C8(T, T, T, T, T, T, T, T), WN_C8(T, T, T, T, T, T, T, X),
	H8, H8, H8, H8, H8, H8, H8, H8, H8, H8, H8, H8, H8, H8, H8, H8
};
#undef T
#undef S
#undef X
#undef H
#undef H8

/* Tag properties. */
enum {
	WN_P_BLOCK = 1u << 0,	/* line break before and after */
	WN_P_CELL = 1u << 1,	/* a space before and after */
	WN_P_VOID = 1u << 2,	/* no content, never pushed */
	WN_P_RAW = 1u << 3,	/* content skipped up to the end tag */
	WN_P_SPECIAL = 1u << 4,	/* HTML 5 "special" element */
	WN_P_FMT = 1u << 5,	/* formatting element */
	WN_P_CLOSEP = 1u << 6,	/* start tag closes an open <p> */
	WN_P_SCOPE = 1u << 7	/* scope boundary */
};

enum {
	WN_T_OTHER, WN_T_A, WN_T_BODY, WN_T_BR, WN_T_DD, WN_T_DT, WN_T_FONT,
	WN_T_FORM, WN_T_FRAME, WN_T_IFRAME, WN_T_IMG, WN_T_LI, WN_T_META,
	WN_T_OBJECT, WN_T_OL, WN_T_OPTION, WN_T_P, WN_T_SCRIPT, WN_T_STYLE,
	WN_T_TABLE, WN_T_TD, WN_T_TH, WN_T_TR, WN_T_UL, WN_T_DL
};

/* Names are zero-padded to WN_HTML_KEY bytes (see html_int.h). */
struct wn_html_name {
	char name[WN_HTML_KEY];
	uint8_t id;
	uint8_t props;
};

#define B WN_P_BLOCK
#define C WN_P_CELL
#define V WN_P_VOID
#define R WN_P_RAW
#define S WN_P_SPECIAL
#define F WN_P_FMT
#define P WN_P_CLOSEP
#define X WN_P_SCOPE
/* Sorted by name for binary search. */
static const struct wn_html_name wn_html_tags[] = {
	{ "a", WN_T_A, F }, { "address", 0, B | S | P },
	{ "applet", 0, S | X }, { "area", 0, V | S },
	{ "article", 0, B | S | P }, { "aside", 0, B | S | P },
	{ "b", 0, F }, { "base", 0, V | S }, { "basefont", 0, V | S },
	{ "bgsound", 0, V | S }, { "big", 0, F },
	{ "blockquote", 0, B | S | P }, { "body", WN_T_BODY, B | S },
	{ "br", WN_T_BR, B | V | S }, { "button", 0, S | X },
	{ "caption", 0, B | S | X }, { "center", 0, B | S | P },
	{ "code", 0, F }, { "col", 0, V | S }, { "colgroup", 0, S },
	{ "dd", WN_T_DD, B | S | P }, { "details", 0, B | S | P },
	{ "dialog", 0, B | S | P }, { "dir", 0, B | S | P },
	{ "div", 0, B | S | P }, { "dl", WN_T_DL, B | S | P },
	{ "dt", WN_T_DT, B | S | P }, { "em", 0, F }, { "embed", 0, V | S },
	{ "fieldset", 0, B | S | P }, { "figcaption", 0, B | S | P },
	{ "figure", 0, B | S | P }, { "font", WN_T_FONT, F },
	{ "footer", 0, B | S | P }, { "form", WN_T_FORM, B | S | P },
	{ "frame", WN_T_FRAME, V | S }, { "frameset", 0, S },
	{ "h1", 0, B | S | P }, { "h2", 0, B | S | P },
	{ "h3", 0, B | S | P }, { "h4", 0, B | S | P },
	{ "h5", 0, B | S | P }, { "h6", 0, B | S | P }, { "head", 0, S },
	{ "header", 0, B | S | P }, { "hgroup", 0, B | S | P },
	{ "hr", 0, B | V | S | P }, { "html", 0, S | X }, { "i", 0, F },
	{ "iframe", WN_T_IFRAME, R | S }, { "image", WN_T_IMG, V | S },
	{ "img", WN_T_IMG, V | S }, { "input", 0, V | S },
	{ "keygen", 0, V | S }, { "legend", 0, B },
	{ "li", WN_T_LI, B | S | P }, { "link", 0, V | S },
	{ "listing", 0, B | S | P }, { "main", 0, B | S | P },
	{ "marquee", 0, S | X }, { "menu", 0, B | S | P },
	{ "meta", WN_T_META, V | S }, { "nav", 0, B | S | P },
	{ "nobr", 0, F }, { "noembed", 0, R | S }, { "noframes", 0, R | S },
	{ "noscript", 0, S }, { "object", WN_T_OBJECT, S | X },
	{ "ol", WN_T_OL, B | S | P }, { "option", WN_T_OPTION, B },
	{ "p", WN_T_P, B | S | P }, { "param", 0, V | S },
	{ "plaintext", 0, B | S | P }, { "pre", 0, B | S | P },
	{ "s", 0, F }, { "script", WN_T_SCRIPT, R | S },
	{ "section", 0, B | S | P }, { "select", 0, S }, { "small", 0, F },
	{ "source", 0, V | S }, { "strike", 0, F }, { "strong", 0, F },
	{ "style", WN_T_STYLE, R | S }, { "summary", 0, B | S | P },
	{ "table", WN_T_TABLE, B | S | P | X }, { "tbody", 0, S },
	{ "td", WN_T_TD, C | S | X }, { "template", 0, R | S | X },
	{ "textarea", 0, S }, { "tfoot", 0, S }, { "th", WN_T_TH, C | S | X },
	{ "thead", 0, S }, { "title", 0, R | S }, { "tr", WN_T_TR, B | S },
	{ "track", 0, V | S }, { "tt", 0, F }, { "u", 0, F },
	{ "ul", WN_T_UL, B | S | P }, { "wbr", 0, V | S },
	{ "xmp", 0, B | S | P }
};
#undef B
#undef C
#undef V
#undef R
#undef S
#undef F
#undef P
#undef X

/* Attributes looked at. */
enum {
	WN_A_ACTION, WN_A_BACKGROUND, WN_A_BGCOLOR, WN_A_CITE, WN_A_COLOR,
	WN_A_CONTENT, WN_A_DATA, WN_A_FORMACTION, WN_A_HIDDEN, WN_A_HREF,
	WN_A_HTTP_EQUIV, WN_A_POSTER, WN_A_SIZE, WN_A_SRC, WN_A_STYLE,
	WN_A_TEXT, WN_A_N
};

static const struct wn_html_name wn_html_attrs[] = {
	{ "action", WN_A_ACTION, 0 }, { "background", WN_A_BACKGROUND, 0 },
	{ "bgcolor", WN_A_BGCOLOR, 0 }, { "cite", WN_A_CITE, 0 },
	{ "color", WN_A_COLOR, 0 }, { "content", WN_A_CONTENT, 0 },
	{ "data", WN_A_DATA, 0 }, { "formaction", WN_A_FORMACTION, 0 },
	{ "hidden", WN_A_HIDDEN, 0 }, { "href", WN_A_HREF, 0 },
	{ "http-equiv", WN_A_HTTP_EQUIV, 0 }, { "poster", WN_A_POSTER, 0 },
	{ "size", WN_A_SIZE, 0 }, { "src", WN_A_SRC, 0 },
	{ "style", WN_A_STYLE, 0 }, { "text", WN_A_TEXT, 0 }
};

/* Attributes holding a URL (data only on <object>). */
static const uint8_t wn_html_url_attrs[] = {
	WN_A_HREF, WN_A_SRC, WN_A_ACTION, WN_A_BACKGROUND, WN_A_CITE,
	WN_A_FORMACTION, WN_A_POSTER, WN_A_DATA
};

/* Why text of an element cannot be seen. */
enum {
	WN_HS_HARD = 1u << 0,	/* display:none, hidden, opacity 0 */
	WN_HS_VIS = 1u << 1,	/* visibility:hidden (a child may undo) */
	WN_HS_TINY = 1u << 2	/* font too small to read */
};

static const struct {
	char name[12];
	int32_t rgb;
} wn_html_colors[] = {
	{ "black", 0x000000 }, { "white", 0xffffff }, { "red", 0xff0000 },
	{ "lime", 0x00ff00 }, { "blue", 0x0000ff }, { "yellow", 0xffff00 },
	{ "aqua", 0x00ffff }, { "cyan", 0x00ffff }, { "fuchsia", 0xff00ff },
	{ "magenta", 0xff00ff }, { "silver", 0xc0c0c0 }, { "gray", 0x808080 },
	{ "grey", 0x808080 }, { "maroon", 0x800000 }, { "olive", 0x808000 },
	{ "green", 0x008000 }, { "purple", 0x800080 }, { "teal", 0x008080 },
	{ "navy", 0x000080 }, { "orange", 0xffa500 }, { "pink", 0xffc0cb },
	{ "brown", 0xa52a2a }, { "gold", 0xffd700 }, { "darkgray", 0xa9a9a9 },
	{ "darkgrey", 0xa9a9a9 }, { "lightgray", 0xd3d3d3 },
	{ "lightgrey", 0xd3d3d3 }, { "dimgray", 0x696969 },
	{ "dimgrey", 0x696969 }, { "gainsboro", 0xdcdcdc },
	{ "whitesmoke", 0xf5f5f5 }, { "snow", 0xfffafa },
	{ "ivory", 0xfffff0 }, { "ghostwhite", 0xf8f8ff },
	{ "floralwhite", 0xfffaf0 }, { "seashell", 0xfff5ee },
	{ "mintcream", 0xf5fffa }, { "azure", 0xf0ffff },
	{ "aliceblue", 0xf0f8ff }, { "honeydew", 0xf0fff0 },
	{ "linen", 0xfaf0e6 }, { "beige", 0xf5f5dc }, { "oldlace", 0xfdf5e6 },
	{ "darkblue", 0x00008b }, { "darkred", 0x8b0000 },
	{ "darkgreen", 0x006400 }, { "midnightblue", 0x191970 }
};

struct wn_html_sink {
	char *buf, *p, *end;	/* end: capacity, NUL goes at p */
	size_t limit;		/* max_out */
	int pend;		/* 0, 1 space, 2 line break */
	bool full;
};

struct wn_html_elem {
	uint32_t hash;		/* of the lowercased name */
	int32_t fg, bg;
	uint8_t id, props, bits, reason;
};

struct wn_html_attr {
	const char *v;
	size_t n;
};

struct wn_html {
	wn_arena *arena;
	wn_url_list *urls;
	const char *end;
	struct wn_html_sink txt, hid, *cur;
	uint32_t reason;	/* WN_HTML_* hide flags of the current text */
	uint32_t flags, n_tags, n_images, n_links;
	unsigned n_obf;
	int err;
	bool css_fg, css_bg;
	unsigned depth, overflow;
	struct wn_html_elem st[WN_HTML_DEPTH];
	bool a_open;
	size_t a_start;
	const char *a_domain;
	uint32_t seen;		/* attributes of the current tag */
	struct wn_html_attr at[WN_A_N];
	char *scratch;		/* WN_HTML_ATTR_MAX, allocated on use */
};

static inline bool
wn_html_is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

/* Case-insensitive comparisons with lowercase literals (str.h). */
static inline bool
wn_html_ieq(const char *s, size_t n, const char *lit)
{
	return wn_str_ieq(wn_str_make(s, n), lit);
}

static inline bool
wn_html_iprefix(const char *s, size_t n, const char *lit)
{
	return wn_str_iprefix(wn_str_make(s, n), lit);
}

static wn_str
wn_html_trim(const char *s, size_t n)
{
	while (n > 0 && wn_html_is_ws((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && wn_html_is_ws((unsigned char)s[n - 1]))
		n--;
	return wn_str_make(s, n);
}

/* wn_html_find - entry of the zero-padded lowercase name key */
static const struct wn_html_name *
wn_html_find(const struct wn_html_name *tbl, size_t n,
    const char key[WN_HTML_KEY])
{
	size_t lo = 0, hi = n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = wn__html_keycmp(tbl[mid].name, key);
		if (c == 0)
			return &tbl[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * Output. wn_html_room makes room for need bytes, growing the buffer in
 * the arena up to the limit; it returns the bytes available (< need when
 * the limit is reached).
 */
static size_t
wn_html_room(struct wn_html *h, struct wn_html_sink *o, size_t need)
{
	size_t len = (size_t)(o->p - o->buf), cap = (size_t)(o->end - o->buf);
	size_t ncap;
	char *nb;

	if (cap - len >= need)
		return need;
	if (cap < o->limit) {
		ncap = cap < 128 ? 256 :
		    cap > o->limit / 2 ? o->limit : cap * 2;
		if (ncap - len < need)
			ncap = len + need;
		if (ncap > o->limit)
			ncap = o->limit;
		if (ncap == SIZE_MAX ||
		    (nb = wn_arena_alloc(h->arena, ncap + 1)) == NULL) {
			h->err = WN_ENOMEM;
			return 0;
		}
		if (len > 0)
			memcpy(nb, o->buf, len);
		o->buf = nb;
		o->p = nb + len;
		o->end = nb + ncap;
		cap = ncap;
	}
	return cap - len < need ? cap - len : need;
}

/* wn_html_put - append s[0..k) to the current sink, valid UTF-8 in. */
static inline void
wn_html_put(struct wn_html *h, const char *s, size_t k)
{
	struct wn_html_sink *o = h->cur;
	size_t sep, room;

	if (o == &h->hid)
		h->flags |= h->reason;
	if (o->full)
		return;
	sep = o->pend != 0 && o->p != o->buf;
	if ((size_t)(o->end - o->p) < sep + k &&
	    (room = wn_html_room(h, o, sep + k)) < sep + k) {
		/* Bound reached: keep what fits, cut at a character. */
		o->full = true;
		h->flags |= WN_HTML_TRUNCATED;
		if (room <= sep)
			return;
		k = room - sep;
		while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80)
			k--;
		if (k == 0)
			return;
	}
	if (sep)
		*o->p++ = o->pend == 2 ? '\n' : ' ';
	o->pend = 0;
	memcpy(o->p, s, k);
	o->p += k;
}

static inline void
wn_html_space(struct wn_html *h)
{
	if (h->cur->pend == 0)
		h->cur->pend = 1;
}

/* Emit one decoded code point: spaces collapse, zero-width ones vanish. */
static void
wn_html_put_cp(struct wn_html *h, uint32_t cp)
{
	char u[4];

	if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\f' ||
	    cp == '\r' || cp == 0xa0 || (cp >= 0x2000 && cp <= 0x200a) ||
	    cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f ||
	    cp == 0x3000) {
		wn_html_space(h);
		return;
	}
	/* Zero-width and bidi controls split or disguise words. */
	if (cp == 0xad || (cp >= 0x200b && cp <= 0x200f) ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2069) ||
	    cp == 0xfeff)
		return;
	wn_html_put(h, u, wn_utf8_encode(cp, u));
}

/* The sink and hide reason of the innermost element. */
static void
wn_html_sync(struct wn_html *h)
{
	struct wn_html_sink *prev = h->cur;

	h->reason = h->depth > 0 ? h->st[h->depth - 1].reason : 0;
	h->cur = h->reason ? &h->hid : &h->txt;
	/* Separate hidden runs are not adjacent words: keep them apart. */
	if (h->cur == &h->hid && prev != &h->hid && h->hid.pend == 0)
		h->hid.pend = 1;
}

/*
 * Colours and CSS.
 */
static const char *
wn_html_num(const char *s, const char *end, double *out)
{
	double v = 0, scale = 0.1;
	bool neg = false, any = false;

	if (s < end && (*s == '-' || *s == '+'))
		neg = *s++ == '-';
	for (; s < end && wn_ascii_is_digit((unsigned char)*s); s++) {
		if (v < 1e9)
			v = v * 10 + (*s - '0');
		any = true;
	}
	if (s < end && *s == '.')
		for (s++; s < end && wn_ascii_is_digit((unsigned char)*s); s++) {
			v += (*s - '0') * scale;
			scale /= 10;
			any = true;
		}
	*out = neg ? -v : v;
	return any ? s : NULL;
}

static int
wn_html_hex(unsigned char c)
{
	if (wn_ascii_is_digit(c))
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* rgb(r, g, b[, a]) and rgba(...), also the space and '/' syntax. */
static int32_t
wn_html_color_fn(const char *s, const char *end)
{
	double v[4] = { 0, 0, 0, 1 };
	int i, k = 0;
	const char *q;

	while (s < end && k < 4) {
		while (s < end && (wn_html_is_ws((unsigned char)*s) ||
		    *s == ',' || *s == '/'))
			s++;
		if (s >= end || *s == ')')
			break;
		if ((q = wn_html_num(s, end, &v[k])) == NULL)
			return WN_COL_UNKNOWN;
		s = q;
		if (s < end && *s == '%') {
			v[k] = k < 3 ? v[k] * 2.55 : v[k] / 100;
			s++;
		}
		k++;
	}
	if (k < 3)
		return WN_COL_UNKNOWN;
	if (v[3] <= 0.1)
		return WN_COL_TRANSP;
	for (i = 0; i < 3; i++)
		v[i] = v[i] < 0 ? 0 : v[i] > 255 ? 255 : v[i];
	return (int32_t)v[0] << 16 | (int32_t)v[1] << 8 | (int32_t)v[2];
}

/*
 * wn_html_color - a CSS or attribute colour value. legacy accepts the
 * "ffffff" of old bgcolor attributes. Returns 0xRRGGBB, WN_COL_TRANSP,
 * WN_COL_KEEP (inherit and friends) or WN_COL_UNKNOWN.
 */
static int32_t
wn_html_color(const char *s, size_t n, bool legacy)
{
	wn_str t = wn_html_trim(s, n);
	int d[8], i, nd = 0;
	size_t j;

	s = t.p;
	n = t.len;
	if (n == 0)
		return WN_COL_KEEP;
	if (s[0] == '#' || (legacy && n == 6)) {
		j = s[0] == '#';
		for (; j < n && nd < 8; j++)
			if ((d[nd++] = wn_html_hex((unsigned char)s[j])) < 0)
				return WN_COL_UNKNOWN;
		if (j != n)
			return WN_COL_UNKNOWN;
		if (nd == 3 || nd == 4) {
			if (nd == 4 && d[3] == 0)
				return WN_COL_TRANSP;
			return d[0] * 0x110000 + d[1] * 0x1100 + d[2] * 0x11;
		}
		if (nd == 6 || nd == 8) {
			if (nd == 8 && d[6] == 0 && d[7] < 2)
				return WN_COL_TRANSP;
			for (i = 0, j = 0; i < 6; i++)
				j = j << 4 | (size_t)d[i];
			return (int32_t)j;
		}
		return WN_COL_UNKNOWN;
	}
	if (wn_html_iprefix(s, n, "rgb(") || wn_html_iprefix(s, n, "rgba("))
		return wn_html_color_fn((const char *)memchr(s, '(', n) + 1,
		    s + n);
	if (wn_html_ieq(s, n, "transparent"))
		return WN_COL_TRANSP;
	if (wn_html_ieq(s, n, "inherit") || wn_html_ieq(s, n, "currentcolor") ||
	    wn_html_ieq(s, n, "unset"))
		return WN_COL_KEEP;
	for (j = 0; j < sizeof(wn_html_colors) / sizeof(wn_html_colors[0]);
	    j++)
		if (wn_html_ieq(s, n, wn_html_colors[j].name))
			return wn_html_colors[j].rgb;
	return WN_COL_UNKNOWN;
}

/* Tiny font size: 1 tiny, 0 readable absolute, -1 readable relative. */
static int
wn_html_font_size(const char *s, size_t n)
{
	const char *end = s + n, *q;
	double v;

	if ((q = wn_html_num(s, end, &v)) == NULL)
		return 0;	/* keywords: small but readable */
	n = (size_t)(end - q);
	if (v <= 0)
		return 1;
	if (wn_html_iprefix(q, n, "px") || wn_html_iprefix(q, n, "pt"))
		return v <= 2 ? 1 : 0;
	if (wn_html_iprefix(q, n, "em") || wn_html_iprefix(q, n, "rem") ||
	    wn_html_iprefix(q, n, "ex") || wn_html_iprefix(q, n, "ch"))
		return v <= 0.2 ? 1 : -1;
	if (n > 0 && *q == '%')
		return v <= 20 ? 1 : -1;
	if (wn_html_iprefix(q, n, "vw") || wn_html_iprefix(q, n, "vh"))
		return v <= 0.2 ? 1 : 0;
	if (n == 0 || wn_html_is_ws((unsigned char)*q) || *q == '/')
		return v <= 2 ? 1 : 0;	/* unitless: px in quirks mode */
	return -1;
}

static void
wn_html_tiny(struct wn_html_elem *e, int t)
{
	if (t > 0)
		e->bits |= WN_HS_TINY;
	else if (t == 0)
		e->bits &= (uint8_t)~WN_HS_TINY;
}

static void wn_html_add_url(struct wn_html *, const char *, size_t);

/* The font shorthand: the size is the first token with a unit or a '/';
 * a bare number is a weight, except "0" ("font:0/0 a"). */
static void
wn_html_css_font(wn_str v, struct wn_html_elem *e)
{
	const char *t = v.p, *ve = v.p + v.len, *q;
	bool size;

	while (t < ve) {
		while (t < ve && wn_html_is_ws((unsigned char)*t))
			t++;
		for (q = t; q < ve && !wn_html_is_ws((unsigned char)*q); q++)
			;
		if (q == t)
			break;
		size = (wn_ascii_is_digit((unsigned char)*t) || *t == '.') &&
		    ((q[-1] | 0x20) >= 'a' || q[-1] == '%' ||
		    memchr(t, '/', (size_t)(q - t)) != NULL ||
		    (q - t == 1 && *t == '0'));
		if (size) {
			wn_html_tiny(e, wn_html_font_size(t, (size_t)(q - t)));
			return;
		}
		t = q;
	}
}

/* Background value: url() images make the colour unknown. */
static void
wn_html_css_background(struct wn_html *h, wn_str v, bool shorthand,
    struct wn_html_elem *e)
{
	const char *u, *q, *end = v.p + v.len, *t;
	int32_t c;

	if ((u = wn_mem_icase_find(v.p, v.len, "url(", 4)) != NULL) {
		e->bg = WN_COL_UNKNOWN;
		u += 4;
		if ((q = memchr(u, ')', (size_t)(end - u))) == NULL)
			q = end;
		v = wn_html_trim(u, (size_t)(q - u));
		if (v.len >= 2 && (v.p[0] == '"' || v.p[0] == '\'') &&
		    v.p[v.len - 1] == v.p[0]) {
			v.p++;
			v.len -= 2;
		}
		wn_html_add_url(h, v.p, v.len);
		return;
	}
	if (wn_mem_icase_find(v.p, v.len, "gradient", 8) != NULL) {
		e->bg = WN_COL_UNKNOWN;
		return;
	}
	if (!shorthand)
		return;		/* background-image: none */
	for (t = v.p; t < end; t = q) {
		while (t < end && wn_html_is_ws((unsigned char)*t))
			t++;
		q = t;
		if (wn_html_iprefix(t, (size_t)(end - t), "rgb")) {
			if ((q = memchr(t, ')', (size_t)(end - t))) == NULL)
				q = end;
			else
				q++;
		} else
			while (q < end && !wn_html_is_ws((unsigned char)*q))
				q++;
		if (q == t)
			break;
		c = wn_html_color(t, (size_t)(q - t), false);
		if (c >= 0) {
			e->bg = c;
			return;
		}
	}
}

/* wn_html_css - the declarations of an inline style attribute. */
static void
wn_html_css(struct wn_html *h, const char *s, size_t n,
    struct wn_html_elem *e)
{
	const char *end = s + n, *pb, *q;
	wn_str prop, v;
	int32_t c;
	double d;

	while (s < end) {
		while (s < end && (*s == ';' ||
		    wn_html_is_ws((unsigned char)*s)))
			s++;
		for (pb = s; s < end && *s != ':' && *s != ';'; s++)
			;
		if (s >= end || *s == ';')
			continue;
		prop = wn_html_trim(pb, (size_t)(s - pb));
		for (pb = ++s; s < end && *s != ';'; s++)
			;
		v = wn_html_trim(pb, (size_t)(s - pb));
		if ((q = memchr(v.p, '!', v.len)) != NULL)
			v = wn_html_trim(v.p, (size_t)(q - v.p));
		if (wn_html_ieq(prop.p, prop.len, "display")) {
			if (wn_html_iprefix(v.p, v.len, "none"))
				e->bits |= WN_HS_HARD;
		} else if (wn_html_ieq(prop.p, prop.len, "visibility")) {
			if (wn_html_ieq(v.p, v.len, "hidden") ||
			    wn_html_ieq(v.p, v.len, "collapse"))
				e->bits |= WN_HS_VIS;
			else if (wn_html_ieq(v.p, v.len, "visible"))
				e->bits &= (uint8_t)~WN_HS_VIS;
		} else if (wn_html_ieq(prop.p, prop.len, "opacity")) {
			if ((q = wn_html_num(v.p, v.p + v.len, &d)) != NULL &&
			    (q < v.p + v.len && *q == '%' ? d <= 10 : d <= 0.1))
				e->bits |= WN_HS_HARD;
		} else if (wn_html_ieq(prop.p, prop.len, "font-size")) {
			wn_html_tiny(e, wn_html_font_size(v.p, v.len));
		} else if (wn_html_ieq(prop.p, prop.len, "font")) {
			wn_html_css_font(v, e);
		} else if (wn_html_ieq(prop.p, prop.len, "color")) {
			c = wn_html_color(v.p, v.len, false);
			if (c != WN_COL_KEEP)
				e->fg = c;
		} else if (wn_html_ieq(prop.p, prop.len, "background-color")) {
			c = wn_html_color(v.p, v.len, false);
			if (c >= 0 || c == WN_COL_UNKNOWN)
				e->bg = c;
		} else if (wn_html_ieq(prop.p, prop.len, "background"))
			wn_html_css_background(h, v, true, e);
		else if (wn_html_ieq(prop.p, prop.len, "background-image"))
			wn_html_css_background(h, v, false, e);
	}
}

/* Hide reasons (WN_HTML_* flags) of text inside e. */
static uint8_t
wn_html_reason(const struct wn_html *h, const struct wn_html_elem *e)
{
	int32_t fg = e->fg, bg = e->bg;
	uint8_t r = 0;

	if (e->bits & (WN_HS_HARD | WN_HS_VIS))
		r |= WN_HTML_HIDDEN_TEXT;
	if (e->bits & WN_HS_TINY)
		r |= WN_HTML_HIDDEN_TEXT | WN_HTML_TINY_FONT;
	if (fg == WN_COL_DEFAULT)
		fg = h->css_fg ? WN_COL_UNKNOWN : 0x000000;
	if (bg == WN_COL_DEFAULT)
		bg = h->css_bg ? WN_COL_UNKNOWN : 0xffffff;
	if (fg == WN_COL_TRANSP)
		r |= WN_HTML_HIDDEN_TEXT | WN_HTML_LOW_CONTRAST;
	else if (fg >= 0 && bg >= 0) {
		int32_t dr = ((fg >> 16) & 0xff) - ((bg >> 16) & 0xff);
		int32_t dg = ((fg >> 8) & 0xff) - ((bg >> 8) & 0xff);
		int32_t db = (fg & 0xff) - (bg & 0xff);

		if (dr * dr + dg * dg + db * db < WN_HTML_CONTRAST)
			r |= WN_HTML_HIDDEN_TEXT | WN_HTML_LOW_CONTRAST;
	}
	return r;
}

/*
 * Attribute values. wn_html_attr decodes character references when the
 * value has any (into the scratch buffer, valid until the next call).
 */
static wn_str
wn_html_attr(struct wn_html *h, int a)
{
	const char *s = h->at[a].v, *end = s + h->at[a].n;
	char *o, *oe;
	uint32_t cp;
	size_t k;
	unsigned n_obf = 0;
	bool num;

	if (memchr(s, '&', h->at[a].n) == NULL)
		return wn_str_make(s, h->at[a].n);
	if (h->scratch == NULL &&
	    (h->scratch = wn_arena_alloc(h->arena, WN_HTML_ATTR_MAX)) == NULL) {
		h->err = WN_ENOMEM;
		return wn_str_make("", 0);
	}
	o = h->scratch;
	oe = o + WN_HTML_ATTR_MAX - 4;
	while (s < end && o < oe) {
		if (*s != '&' || (k = wn__html_ref(s, end, true, &cp,
		    &num)) == 0) {
			*o++ = *s++;
			continue;
		}
		if (num && cp < 0x80 && (wn_ascii_is_alpha((unsigned char)cp) ||
		    wn_ascii_is_digit((unsigned char)cp)))
			n_obf++;
		o += wn_utf8_encode(cp, o);
		s += k;
	}
	/* mailto: links spelled in character references are an old guard
	 * against address harvesters, common in legitimate mail */
	if (!(o - h->scratch >= 7 && strncasecmp(h->scratch, "mailto:", 7) == 0))
		h->n_obf += n_obf;
	return wn_str_make(h->scratch, (size_t)(o - h->scratch));
}

/* Schemes never followed: scripts, inline data, message parts. */
static bool
wn_html_skip_url(struct wn_html *h, const char *s, size_t n)
{
	char b[12];
	size_t i, k = 0;

	for (i = 0; i < n && k < sizeof(b); i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\t' || c == '\n' || c == '\r' || (k == 0 && c <= ' '))
			continue;
		b[k++] = (char)wn_ascii_lower(c);
	}
	if (k == 0 || b[0] == '#')
		return true;
	if (wn_html_iprefix(b, k, "javascript:") ||
	    wn_html_iprefix(b, k, "vbscript:")) {
		h->flags |= WN_HTML_HAS_SCRIPT;
		return true;
	}
	return wn_html_iprefix(b, k, "data:") ||
	    wn_html_iprefix(b, k, "cid:") ||
	    wn_html_iprefix(b, k, "about:") || wn_html_iprefix(b, k, "blob:");
}

/*
 * wn_html_url - add a URL found in an attribute; when tmp is given, also
 * return it parsed (from the list, or parsed apart if the list is full
 * or absent). NULL if it is not a followed URL.
 */
static const wn_url *
wn_html_url(struct wn_html *h, const char *s, size_t n, wn_url *tmp)
{
	size_t before;
	int rc;

	if (wn_html_skip_url(h, s, n))
		return NULL;
	if (h->urls != NULL) {
		before = h->urls->n;
		rc = wn_url_list_add(h->urls, s, n, WN_URL_FROM_HTML);
		if (rc != 0) {
			h->err = rc;
			return NULL;
		}
		if (h->urls->n > before)
			return &h->urls->v[h->urls->n - 1];
	}
	if (tmp == NULL)
		return NULL;
	rc = wn_url_parse(h->arena, s, n, WN_URL_FROM_HTML, tmp);
	if (rc == WN_ENOMEM)
		h->err = rc;
	return rc == 0 ? tmp : NULL;
}

static void
wn_html_add_url(struct wn_html *h, const char *s, size_t n)
{
	(void)wn_html_url(h, s, n, NULL);
}

/* A bare host name as link text ("paypal.com"): its last label must be a
 * real top-level domain, or "readme.txt" would count. */
static bool
wn_html_looks_like_host(const char *t, size_t n)
{
	const psl_ctx_t *psl = psl_builtin();
	char tld[64];
	size_t i, dot = 0, e = n;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)t[i];

		if (c == '/' || c == '?' || c == ':') {
			e = i;
			break;
		}
		if (c == '.')
			dot = i;
		else if (!wn_ascii_is_alpha(c) && !wn_ascii_is_digit(c) &&
		    c != '-')
			return false;
	}
	if (dot == 0 || e - dot - 1 < 2 || e - dot - 1 >= sizeof(tld) ||
	    psl == NULL)
		return false;
	for (i = 0; dot + 1 + i < e; i++) {
		if (!wn_ascii_is_alpha((unsigned char)t[dot + 1 + i]))
			return false;
		tld[i] = (char)wn_ascii_lower((unsigned char)t[dot + 1 + i]);
	}
	tld[i] = '\0';
	return psl_is_public_suffix2(psl, tld,
	    PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE) != 0;
}

/* The link text of the anchor that just ended names another domain? */
static void
wn_html_anchor_end(struct wn_html *h)
{
	const char *t, *dom = NULL;
	char buf[WN_HTML_ANCHOR_MAX + 8];
	wn_url_list tl;
	wn_url u;
	wn_str s;
	int rc;

	if (!h->a_open)
		return;
	h->a_open = false;
	if (h->a_domain == NULL || h->a_domain[0] == '\0' || h->txt.full ||
	    h->txt.buf == NULL)
		return;
	t = h->txt.buf + h->a_start;
	s = wn_html_trim(t, (size_t)(h->txt.p - t));
	if (s.len < 4 || s.len > WN_HTML_ANCHOR_MAX)
		return;
	if (memchr(s.p, '@', s.len) != NULL || wn_html_iprefix(s.p, s.len,
	    "www.") || wn_mem_icase_find(s.p, s.len, "://", 3) != NULL) {
		wn_url_list_init(&tl, h->arena, 1);
		if ((rc = wn_url_extract_text(&tl, s.p, s.len)) != 0) {
			h->err = rc;
			return;
		}
		if (tl.n > 0 && !(tl.v[0].flags & WN_URL_BAD_HOST))
			dom = tl.v[0].domain;
	} else if (memchr(s.p, ' ', s.len) == NULL &&
	    wn_html_looks_like_host(s.p, s.len)) {
		memcpy(buf, "http://", 7);
		memcpy(buf + 7, s.p, s.len);
		rc = wn_url_parse(h->arena, buf, s.len + 7, 0, &u);
		if (rc == WN_ENOMEM)
			h->err = rc;
		else if (rc == 0 && !(u.flags & WN_URL_BAD_HOST))
			dom = u.domain;
	}
	if (dom != NULL && dom[0] != '\0' && strcmp(dom, h->a_domain) != 0)
		h->flags |= WN_HTML_LINK_MISMATCH;
}

/* Element stack. */
static void
wn_html_pop_to(struct wn_html *h, unsigned i)
{
	while (h->depth > i)
		if (h->st[--h->depth].id == WN_T_A)
			wn_html_anchor_end(h);
	wn_html_sync(h);
}

/* Close the nearest id/id2 element unless a stop element comes first. */
static void
wn_html_close_implied(struct wn_html *h, uint8_t id, uint8_t id2,
    uint8_t stop_props, uint8_t stop_id, uint8_t stop_id2)
{
	unsigned i;

	for (i = h->depth; i-- > 0;) {
		const struct wn_html_elem *e = &h->st[i];

		if (e->id == id || (id2 != 0 && e->id == id2)) {
			wn_html_pop_to(h, i);
			return;
		}
		if ((e->props & stop_props) ||
		    (stop_id != 0 && (e->id == stop_id || e->id == stop_id2)))
			return;
	}
}

static void
wn_html_block_break(struct wn_html_sink *o, uint8_t props)
{
	if (props & WN_P_BLOCK)
		o->pend = 2;
	else if ((props & WN_P_CELL) && o->pend == 0)
		o->pend = 1;
}

/* Meta refresh: content="5; url=http://..." */
static void
wn_html_refresh(struct wn_html *h)
{
	wn_str v = wn_html_attr(h, WN_A_CONTENT);
	const char *s = v.p, *end = v.p + v.len, *q;

	while (s < end && (wn_html_is_ws((unsigned char)*s) ||
	    wn_ascii_is_digit((unsigned char)*s) || *s == '.'))
		s++;
	if (s < end && (*s == ';' || *s == ','))
		s++;
	while (s < end && wn_html_is_ws((unsigned char)*s))
		s++;
	if (wn_html_iprefix(s, (size_t)(end - s), "url")) {
		for (q = s + 3; q < end &&
		    wn_html_is_ws((unsigned char)*q); q++)
			;
		if (q < end && *q == '=') {
			for (s = q + 1; s < end &&
			    wn_html_is_ws((unsigned char)*s); s++)
				;
		}
	}
	if (s < end && (*s == '\'' || *s == '"')) {
		if ((q = memchr(s + 1, *s, (size_t)(end - s - 1))) != NULL)
			end = q;
		s++;
	}
	if (s < end)
		wn_html_add_url(h, s, (size_t)(end - s));
}

/* State of a new element: inherited, then its own attributes. */
static void
wn_html_elem_state(struct wn_html *h, uint8_t id, struct wn_html_elem *e)
{
	const struct wn_html_elem *par = h->depth > 0 ?
	    &h->st[h->depth - 1] : NULL;
	wn_str v;
	int32_t c;

	e->fg = par ? par->fg : WN_COL_DEFAULT;
	e->bg = par ? par->bg : WN_COL_DEFAULT;
	e->bits = par ? par->bits : 0;
	if (id == WN_T_A && (h->seen & (1u << WN_A_HREF)))
		e->fg = 0x0000ee;	/* links have their own colour */
	if (h->seen & (1u << WN_A_BGCOLOR)) {
		v = wn_html_attr(h, WN_A_BGCOLOR);
		if ((c = wn_html_color(v.p, v.len, true)) >= 0 ||
		    c == WN_COL_UNKNOWN)
			e->bg = c;
	}
	if ((h->seen & (1u << WN_A_BACKGROUND)) && h->at[WN_A_BACKGROUND].n)
		e->bg = WN_COL_UNKNOWN;
	if ((id == WN_T_FONT && (h->seen & (1u << WN_A_COLOR))) ||
	    (id == WN_T_BODY && (h->seen & (1u << WN_A_TEXT)))) {
		v = wn_html_attr(h, id == WN_T_FONT ? WN_A_COLOR : WN_A_TEXT);
		if ((c = wn_html_color(v.p, v.len, true)) != WN_COL_KEEP)
			e->fg = c;
	}
	if (id == WN_T_FONT && (h->seen & (1u << WN_A_SIZE))) {
		/* <font size>: 1..7, or relative to 3 with a sign. */
		wn_str sz = wn_html_trim(h->at[WN_A_SIZE].v,
		    h->at[WN_A_SIZE].n);
		long n = 0;
		size_t b = sz.len > 0 && (sz.p[0] == '+' || sz.p[0] == '-');
		size_t i;

		for (i = b; i < sz.len &&
		    wn_ascii_is_digit((unsigned char)sz.p[i]) && n < 100; i++)
			n = n * 10 + (sz.p[i] - '0');
		if (b > 0)
			n = sz.p[0] == '+' ? 3 + n : 3 - n;
		/* Browsers draw size 1 (and below) as small print, still
		 * readable: legitimate mail is full of it (half the hard
		 * ham of the SpamAssassin corpus), so it hides nothing. */
		if (i > b)
			wn_html_tiny(e, 0);
	}
	if (h->seen & (1u << WN_A_HIDDEN))
		e->bits |= WN_HS_HARD;
	if (h->seen & (1u << WN_A_STYLE)) {
		v = wn_html_attr(h, WN_A_STYLE);
		wn_html_css(h, v.p, v.len, e);
	}
	e->reason = wn_html_reason(h, e);
}

/* Skip the content of a raw text element up to "</name". */
static const char *
wn_html_skip_raw(struct wn_html *h, const char *q, const char *name,
    size_t nl, uint8_t id)
{
	const char *end = h->end, *r, *c = q;

	for (;;) {
		if ((r = memchr(c, '<', (size_t)(end - c))) == NULL)
			break;
		if ((size_t)(end - r) >= nl + 2 && r[1] == '/' &&
		    wn_html_ieq(r + 2, nl, name) && ((size_t)(end - r) ==
		    nl + 2 || wn_html_is_ws((unsigned char)r[nl + 2]) ||
		    r[nl + 2] == '/' || r[nl + 2] == '>'))
			break;
		c = r + 1;
	}
	if (id == WN_T_STYLE) {
		/* A style sheet may colour the document: stop assuming
		 * black on white. */
		size_t n = (size_t)((r ? r : end) - q);

		if (wn_mem_icase_find(q, n, "color", 5) != NULL)
			h->css_fg = true;
		if (wn_mem_icase_find(q, n, "background", 10) != NULL)
			h->css_bg = true;
	}
	if (r == NULL || (r = memchr(r, '>', (size_t)(end - r))) == NULL) {
		h->flags |= WN_HTML_UNBALANCED;
		return end;
	}
	return r + 1;
}

/* The start tag name[0..nl) (lowercased, hashed) with its attributes. */
static const char *
wn_html_open(struct wn_html *h, const char *q, const char *name, size_t nl,
    uint32_t hash, bool onevent)
{
	/* name is zero-padded to WN_HTML_KEY bytes. */
	const struct wn_html_name *t;
	struct wn_html_elem e;
	const wn_url *u;
	wn_url tmp;
	wn_str v;
	uint8_t id, props;
	size_t i;

	t = nl < WN_HTML_KEY ? wn_html_find(wn_html_tags,
	    sizeof(wn_html_tags) / sizeof(wn_html_tags[0]), name) : NULL;
	id = t ? t->id : WN_T_OTHER;
	props = t ? t->props : 0;
	h->n_tags++;
	if (onevent || id == WN_T_SCRIPT)
		h->flags |= WN_HTML_HAS_SCRIPT;
	if (id == WN_T_FORM)
		h->flags |= WN_HTML_HAS_FORM;
	else if (id == WN_T_IFRAME || id == WN_T_FRAME)
		h->flags |= WN_HTML_HAS_IFRAME;
	else if (id == WN_T_IMG)
		h->n_images++;
	else if (id == WN_T_META && (h->seen & (1u << WN_A_HTTP_EQUIV)) &&
	    (h->seen & (1u << WN_A_CONTENT))) {
		v = wn_html_trim(h->at[WN_A_HTTP_EQUIV].v,
		    h->at[WN_A_HTTP_EQUIV].n);
		if (wn_html_ieq(v.p, v.len, "refresh"))
			wn_html_refresh(h);
	}
	if (id == WN_T_A) {
		wn_html_anchor_end(h);
		wn_html_close_implied(h, WN_T_A, 0, WN_P_SCOPE, 0, 0);
	}
	for (i = 0; i < sizeof(wn_html_url_attrs); i++) {
		int a = wn_html_url_attrs[i];

		if (!(h->seen & (1u << a)) || (a == WN_A_DATA &&
		    id != WN_T_OBJECT))
			continue;
		v = wn_html_attr(h, a);
		u = wn_html_url(h, v.p, v.len, id == WN_T_A &&
		    a == WN_A_HREF ? &tmp : NULL);
		if (id == WN_T_A && a == WN_A_HREF) {
			h->n_links++;
			h->a_domain = u != NULL && !(u->flags &
			    WN_URL_BAD_HOST) ? u->domain : NULL;
		}
	}
	if (props & WN_P_RAW)
		return wn_html_skip_raw(h, q, name, nl, id);
	if (props & WN_P_CLOSEP)
		wn_html_close_implied(h, WN_T_P, 0, WN_P_SCOPE, 0, 0);
	switch (id) {
	case WN_T_LI:
		wn_html_close_implied(h, WN_T_LI, 0, WN_P_SCOPE, WN_T_UL,
		    WN_T_OL);
		break;
	case WN_T_DD:
	case WN_T_DT:
		wn_html_close_implied(h, WN_T_DD, WN_T_DT, WN_P_SCOPE, WN_T_DL,
		    0);
		break;
	case WN_T_TD:
	case WN_T_TH:
		wn_html_close_implied(h, WN_T_TD, WN_T_TH, 0, WN_T_TR,
		    WN_T_TABLE);
		break;
	case WN_T_TR:
		wn_html_close_implied(h, WN_T_TR, 0, 0, WN_T_TABLE, 0);
		break;
	case WN_T_OPTION:
		if (h->depth > 0 && h->st[h->depth - 1].id == WN_T_OPTION)
			wn_html_pop_to(h, h->depth - 1);
		break;
	}
	e.hash = hash;
	e.id = id;
	e.props = props;
	wn_html_elem_state(h, id, &e);
	wn_html_block_break(e.reason ? &h->hid : &h->txt, props);
	if (!(props & WN_P_VOID)) {
		if (h->depth < WN_HTML_DEPTH) {
			h->st[h->depth++] = e;
			wn_html_sync(h);
		} else
			h->overflow++;	/* too deep: treated as plain */
	}
	if (id == WN_T_A && (h->seen & (1u << WN_A_HREF))) {
		h->a_open = true;
		h->a_start = (size_t)(h->txt.p - h->txt.buf);
	}
	return q;
}

/* The end tag name[0..nl). */
static void
wn_html_close(struct wn_html *h, const char *name, size_t nl, uint32_t hash)
{
	const struct wn_html_name *t;
	uint8_t id, props;
	unsigned i;

	t = nl < WN_HTML_KEY ? wn_html_find(wn_html_tags,
	    sizeof(wn_html_tags) / sizeof(wn_html_tags[0]), name) : NULL;
	id = t ? t->id : WN_T_OTHER;
	props = t ? t->props : 0;
	if (id == WN_T_A)
		wn_html_anchor_end(h);
	if (h->overflow > 0) {
		h->overflow--;
		wn_html_block_break(h->cur, props);
		return;
	}
	for (i = h->depth; i-- > 0;) {
		const struct wn_html_elem *e = &h->st[i];

		if (e->hash == hash && e->id == id) {
			wn_html_block_break(e->reason ? &h->hid : &h->txt,
			    props);
			wn_html_pop_to(h, i);
			return;
		}
		/* Formatting and special end tags look through to their
		 * scope; any other stops at the first special element. */
		if ((props & (WN_P_FMT | WN_P_SPECIAL)) ?
		    (e->props & WN_P_SCOPE) != 0 :
		    (e->props & WN_P_SPECIAL) != 0)
			break;
	}
	/* Unmatched: </p> and </br> still break the line. */
	if (id == WN_T_P || id == WN_T_BR)
		h->cur->pend = 2;
}

/*
 * wn_html_tag - the markup at p ('<'). Returns where text resumes.
 */
static const char *
wn_html_tag(struct wn_html *h, const char *p)
{
	const char *end = h->end, *q = p + 1, *r, *an, *v;
	char name[WN_HTML_KEY + 1], abuf[WN_HTML_KEY];
	size_t nl = 0, anl, vl, i;
	uint32_t hash = 2166136261u;
	bool endtag = false, onevent = false;
	const struct wn_html_name *a;

	if (q >= end || (*q != '!' && *q != '?' && *q != '/' &&
	    !wn_ascii_is_alpha((unsigned char)*q))) {
		wn_html_put(h, "<", 1);
		return q;
	}
	if (*q == '!' && end - q >= 3 && q[1] == '-' && q[2] == '-') {
		/* Comment; "<!-->" and "<!--->" are empty ones. */
		const char *c0 = q + 3;

		if (c0 < end && *c0 == '>')
			return c0 + 1;
		if (end - c0 >= 2 && c0[0] == '-' && c0[1] == '>')
			return c0 + 2;
		for (r = c0; (r = memchr(r, '>', (size_t)(end - r))) != NULL;
		    r++)
			if ((r - c0 >= 2 && r[-1] == '-' && r[-2] == '-') ||
			    (r - c0 >= 3 && r[-1] == '!' && r[-2] == '-' &&
			    r[-3] == '-'))
				return r + 1;
		h->flags |= WN_HTML_UNBALANCED;
		return end;
	}
	if (*q == '!' && end - q >= 8 && memcmp(q + 1, "[CDATA[", 7) == 0) {
		for (r = q + 8; (r = memchr(r, '>', (size_t)(end - r))) != NULL;
		    r++)
			if (r - (q + 8) >= 2 && r[-1] == ']' && r[-2] == ']')
				return r + 1;
		h->flags |= WN_HTML_UNBALANCED;
		return end;
	}
	if (*q == '/') {
		q++;
		if (q < end && *q == '>')
			return q + 1;	/* "</>" is nothing */
		if (q >= end) {
			wn_html_put(h, "</", 2);
			return end;
		}
		endtag = wn_ascii_is_alpha((unsigned char)*q);
	}
	if (*q == '!' || *q == '?' || (!endtag && q[-1] == '/')) {
		/* DOCTYPE, processing instruction, bogus comment. */
		if ((r = memchr(q, '>', (size_t)(end - q))) == NULL) {
			h->flags |= WN_HTML_UNBALANCED;
			return end;
		}
		return r + 1;
	}
	memset(name, 0, sizeof(name));
	for (; q < end && !wn_html_is_ws((unsigned char)*q) && *q != '/' &&
	    *q != '>'; q++) {
		unsigned char c = wn_ascii_lower((unsigned char)*q);

		hash = (hash ^ c) * 16777619u;
		if (nl < sizeof(name) - 1)
			name[nl] = (char)c;
		nl++;
	}
	if (nl > sizeof(name) - 1)
		nl = sizeof(name) - 1;	/* unknown anyway; hash decides */
	name[nl] = '\0';
	h->seen = 0;
	for (;;) {
		while (q < end && (wn_html_is_ws((unsigned char)*q) ||
		    *q == '/'))
			q++;
		if (q >= end) {
			h->flags |= WN_HTML_UNBALANCED;
			return end;	/* a tag cut by the end is dropped */
		}
		if (*q == '>') {
			q++;
			break;
		}
		for (an = q++; q < end && !wn_html_is_ws((unsigned char)*q) &&
		    *q != '/' && *q != '>' && *q != '='; q++)
			;
		anl = (size_t)(q - an);
		while (q < end && wn_html_is_ws((unsigned char)*q))
			q++;
		v = NULL;
		vl = 0;
		if (q < end && *q == '=') {
			for (q++; q < end &&
			    wn_html_is_ws((unsigned char)*q); q++)
				;
			if (q < end && (*q == '"' || *q == '\'')) {
				if ((r = memchr(q + 1, *q,
				    (size_t)(end - q - 1))) == NULL) {
					h->flags |= WN_HTML_UNBALANCED;
					return end;
				}
				v = q + 1;
				vl = (size_t)(r - v);
				q = r + 1;
			} else {
				for (v = q; q < end && *q != '>' &&
				    !wn_html_is_ws((unsigned char)*q); q++)
					;
				vl = (size_t)(q - v);
			}
		}
		if (endtag || anl >= sizeof(abuf))
			continue;
		memset(abuf, 0, sizeof(abuf));
		for (i = 0; i < anl; i++)
			abuf[i] = (char)wn_ascii_lower((unsigned char)an[i]);
		if (anl > 2 && abuf[0] == 'o' && abuf[1] == 'n' &&
		    wn_ascii_is_alpha((unsigned char)abuf[2]))
			onevent = true;
		a = wn_html_find(wn_html_attrs, WN_A_N, abuf);
		if (a != NULL && !(h->seen & (1u << a->id))) {
			h->seen |= 1u << a->id;
			h->at[a->id].v = v != NULL ? v : "";
			h->at[a->id].n = vl;
		}
	}
	if (endtag) {
		wn_html_close(h, name, nl, hash);
		return q;
	}
	return wn_html_open(h, q, name, nl, hash, onevent);
}

/* A run of non-ASCII bytes: valid sequences copied, others U+FFFD. */
static const char *
wn_html_high(struct wn_html *h, const char *p)
{
	const char *end = h->end, *run = p;
	uint32_t cp;
	size_t k;

	while (p < end && (unsigned char)*p >= 0x80) {
		k = wn_utf8_decode((const unsigned char *)p, (size_t)(end - p),
		    &cp);
		if ((k == 1 && cp == 0xfffd) || cp == 0xa0 || cp == 0xad ||
		    (cp >= 0x2000 && cp <= 0x200f) || (cp >= 0x2028 &&
		    cp <= 0x202f) || (cp >= 0x205f && cp <= 0x2069) ||
		    cp == 0x3000 || cp == 0xfeff) {
			if (p > run)
				wn_html_put(h, run, (size_t)(p - run));
			wn_html_put_cp(h, cp);
			run = p + k;
		}
		p += k;
	}
	if (p > run)
		wn_html_put(h, run, (size_t)(p - run));
	return p;
}

static int
wn_html_run(struct wn_html *h, const char *p)
{
	const char *end = h->end, *q;
	uint32_t cp;
	size_t k;
	bool num;

	while (p < end && h->err == 0) {
		switch (wn_html_cls[(unsigned char)*p]) {
		case WN_C_TEXT:
			q = p + 1;
			while (q < end &&
			    wn_html_cls[(unsigned char)*q] == WN_C_TEXT)
				q++;
			wn_html_put(h, p, (size_t)(q - p));
			p = q;
			break;
		case WN_C_SPACE:
			wn_html_space(h);
			while (++p < end &&
			    wn_html_cls[(unsigned char)*p] == WN_C_SPACE)
				;
			break;
		case WN_C_LT:
			p = wn_html_tag(h, p);
			break;
		case WN_C_AMP:
			if ((k = wn__html_ref(p, end, false, &cp, &num)) == 0) {
				wn_html_put(h, "&", 1);
				p++;
				break;
			}
			if (num && cp < 0x80 && (wn_ascii_is_alpha((unsigned
			    char)cp) || wn_ascii_is_digit((unsigned char)cp)))
				h->n_obf++;
			wn_html_put_cp(h, cp);
			p += k;
			break;
		case WN_C_HIGH:
			p = wn_html_high(h, p);
			break;
		default:
			p++;	/* control characters are dropped */
			break;
		}
	}
	return h->err;
}

static wn_str
wn_html_finish(struct wn_html_sink *o)
{
	*o->p = '\0';
	return wn_str_make(o->buf, (size_t)(o->p - o->buf));
}

static int
wn_html_sink_init(wn_arena *arena, struct wn_html_sink *o, size_t cap,
    size_t limit)
{
	if (cap > limit)
		cap = limit;
	if ((o->buf = wn_arena_alloc(arena, cap + 1)) == NULL)
		return WN_ENOMEM;
	o->p = o->buf;
	o->end = o->buf + cap;
	o->limit = limit;
	return 0;
}

int
wn_html_render(wn_arena *arena, const char *html, size_t n, size_t max_out,
    wn_url_list *urls, wn_html_result *out)
{
	struct wn_html *h;
	size_t cap;
	int rc;

	memset(out, 0, sizeof(*out));
	out->text = out->hidden = wn_str_make("", 0);
	if (html == NULL)
		html = "";
	if (max_out == SIZE_MAX)
		max_out--;
	if ((h = wn_arena_calloc(arena, 1, sizeof(*h))) == NULL)
		return WN_ENOMEM;
	h->arena = arena;
	h->urls = urls;
	h->end = html + n;
	/* Text is rarely longer than its markup (only U+FFFD for bad bytes
	 * grows it, and the sink grows then); hidden text is rarer. */
	cap = n > SIZE_MAX / 2 ? SIZE_MAX / 2 : n + WN_HTML_TEXT_SLACK;
	if (wn_html_sink_init(arena, &h->txt, cap, max_out) != 0 ||
	    wn_html_sink_init(arena, &h->hid, WN_HTML_TEXT_SLACK,
	    max_out) != 0)
		return WN_ENOMEM;
	h->cur = &h->txt;
	if ((rc = wn_html_run(h, html)) != 0)
		return rc;
	wn_html_anchor_end(h);
	if (h->err != 0)
		return h->err;
	if (h->n_obf >= WN_HTML_OBF_MIN)
		h->flags |= WN_HTML_OBFUSCATED;
	out->text = wn_html_finish(&h->txt);
	out->hidden = wn_html_finish(&h->hid);
	out->flags = h->flags;
	out->n_tags = h->n_tags;
	out->n_images = h->n_images;
	out->n_links = h->n_links;
	return 0;
}
