/*
 * addr.c - RFC 5322 address lists as real mail writes them.
 *
 * Two passes over the raw header value. The lexer cuts it into tokens
 * (atoms, quoted strings, comments, domain literals, specials), each marked
 * with whether white space or a comment came before it, so folding is just
 * white space. The parser then walks the tokens one list element at a time:
 * what comes first before the next ',' or ';' tells the element's shape,
 * a group opener ("name:"), a mailbox "phrase <addr>", or a bare addr-spec
 * (with its comment as display name). Whatever the grammar does not allow
 * is skipped to the next ',' or ';' and flagged WN_ADDR_MALFORMED; nothing
 * is an error but running out of memory.
 *
 * Judgement calls where real mail is ambiguous: a lone word is an address
 * without a domain ("MAILER-DAEMON"), not flagged; bare words before
 * "phrase <addr>" across commas are one unquoted name ("Doe, John <j@x>"),
 * flagged, so "alice, Bob <b@x>" reads as one mailbox too; words before a
 * bare addr-spec are its display name, flagged; encoded words are lexed
 * whole, so Q-encoded specials in them (',', ':', '<') split nothing.
 *
 * Hostile input stays linear. Comments are matched by counting depth, never
 * by recursion. An unterminated quoted string, comment or domain literal
 * turns its opening character, and every later one, into plain text, rather
 * than being rescanned from each later opener. Each token is looked at a
 * bounded number of times; lookahead that fails remembers how far it got.
 * Tokens and the result vector are heap scratch freed before returning;
 * only the strings handed out, and the final vector, live in the arena.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <winnow/addr.h>
#include <winnow/alloc.h>
#include <winnow/buf.h>
#include <winnow/codec.h>
#include <winnow/err.h>
#include <winnow/str.h>

#define WN_ADDR_NONE		((size_t)-1)
/*
 * Longest encoded word the lexer keeps whole, so that specials inside it
 * (Q-encoded ',', ':', '<', '@') do not split it. RFC 2047 allows 75
 * bytes; real mail goes over. The bound keeps failed attempts linear.
 */
#define WN_ADDR_EWORD_MAX	128

enum wn_addr_kind {
	WN_ADDR_T_ATOM,		/* atext run; backslash pairs kept raw */
	WN_ADDR_T_QSTR,		/* quoted string; p, len exclude the quotes */
	WN_ADDR_T_COMMENT,	/* comment; p, len exclude the outer parens */
	WN_ADDR_T_DLIT,		/* domain literal, brackets included */
	WN_ADDR_T_DOT,
	WN_ADDR_T_AT,
	WN_ADDR_T_LT,
	WN_ADDR_T_GT,
	WN_ADDR_T_COMMA,
	WN_ADDR_T_COLON,
	WN_ADDR_T_SEMI,
	WN_ADDR_T_OTHER		/* stray or unmatched special, one byte */
};

struct wn_addr_tok {
	const char *p;
	size_t len;
	unsigned char kind;
	bool sp;		/* white space or a comment came before */
};

/* How wn_addr_put_text treats bytes. */
enum wn_addr_mode {
	WN_ADDR_M_NAME,		/* everything; white space collapsed later */
	WN_ADDR_M_LOCAL,	/* control bytes but tab dropped */
	WN_ADDR_M_DOMAIN	/* as local, also blanks; lowercased */
};

struct wn_addr_ctx {
	wn_arena *arena;
	struct wn_addr_tok *t;	/* heap */
	size_t nt, tcap;
	size_t max;
	wn_addr *v;		/* heap; copied to the arena at the end */
	size_t n, vcap;
	wn_buf buf;		/* scratch for the string being built */
	size_t nomerge;		/* elements before this never comma-merge */
	uint32_t flags;
	int err;
	bool in_group;
	bool full;		/* max reached: stop */
};

/* One mailbox: token ranges, all half-open. */
struct wn_addr_span {
	size_t lo, hi;		/* the whole element */
	size_t pa, pb;		/* display-name phrase */
	size_t as, ae;		/* the address proper */
	size_t la, lb;		/* local-part run */
	size_t da, db;		/* domain run */
	bool at;		/* an '@' was seen */
};

static bool
wn_addr_is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool
wn_addr_is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

static bool
wn_addr_is_special(unsigned char c)
{
	switch (c) {
	case '(': case ')': case '<': case '>': case '[': case ']':
	case ':': case ';': case '@': case ',': case '.': case '"':
		return true;
	}
	return false;
}

/* Lexer. */

static int
wn_addr_push(struct wn_addr_ctx *c, unsigned char kind, const char *p,
    size_t len, bool sp)
{
	struct wn_addr_tok *t;

	if (c->nt == c->tcap) {
		size_t cap = c->tcap ? c->tcap * 2 : 32;

		if (cap > SIZE_MAX / sizeof(*t))
			return WN_ENOMEM;
		if ((t = wn_realloc(c->t, cap * sizeof(*t))) == NULL)
			return WN_ENOMEM;
		c->t = t;
		c->tcap = cap;
	}
	t = &c->t[c->nt++];
	t->p = p;
	t->len = len;
	t->kind = kind;
	t->sp = sp;
	return 0;
}

/* wn_addr_scan_quoted - index of the quote closing the one at i, or n */
static size_t
wn_addr_scan_quoted(const char *s, size_t n, size_t i)
{
	for (i++; i < n; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i;
	}
	return n;
}

/* wn_addr_scan_comment - index of the ')' closing the '(' at i, or n */
static size_t
wn_addr_scan_comment(const char *s, size_t n, size_t i)
{
	size_t depth = 0;

	for (; i < n; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && --depth == 0)
			return i;
	}
	return n;
}

/* wn_addr_scan_literal - index of the ']' closing the '[' at i, or n */
static size_t
wn_addr_scan_literal(const char *s, size_t n, size_t i)
{
	for (i++; i < n; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == ']')
			return i;
	}
	return n;
}

/*
 * wn_addr_scan_eword - length of the RFC 2047 encoded word
 * "=?charset?X?text?=" starting at i, or 0.
 */
static size_t
wn_addr_scan_eword(const char *s, size_t n, size_t i)
{
	size_t j, end, q1 = 0, q2 = 0;
	unsigned char ch;

	end = n - i > WN_ADDR_EWORD_MAX ? i + WN_ADDR_EWORD_MAX : n;
	if (end - i < 8 || s[i] != '=' || s[i + 1] != '?')
		return 0;
	for (j = i + 2; j < end; j++) {
		ch = (unsigned char)s[j];
		if (wn_addr_is_ws(ch) || wn_addr_is_ctl(ch) || ch == '\\')
			return 0;
		if (ch != '?')
			continue;
		if (q1 == 0)
			q1 = j;
		else if (q2 == 0) {
			q2 = j;
			if (q2 != q1 + 2 || q1 == i + 2)
				return 0;
		} else
			return j + 1 < end && s[j + 1] == '=' ? j + 2 - i : 0;
	}
	return 0;
}

/* wn_addr_scan_atom - end of the atom starting at i */
static size_t
wn_addr_scan_atom(const char *s, size_t n, size_t i)
{
	unsigned char ch;

	while (i < n) {
		ch = (unsigned char)s[i];
		if (wn_addr_is_ws(ch) || wn_addr_is_ctl(ch) ||
		    wn_addr_is_special(ch))
			break;
		/* A backslash outside quotes still escapes one byte. */
		i += (ch == '\\' && i + 1 < n) ? 2 : 1;
	}
	return i;
}

static int
wn_addr_lex(struct wn_addr_ctx *c, const char *s, size_t n)
{
	bool sp = false, noquote = false, nocomment = false;
	bool noliteral = false;
	size_t i = 0, e, next, len;
	unsigned char ch, kind;
	const char *p;

	while (i < n) {
		ch = (unsigned char)s[i];
		if (wn_addr_is_ws(ch) || wn_addr_is_ctl(ch)) {
			/* Other control bytes (NUL among them) separate like
			 * white space and never reach a result string. */
			if (!wn_addr_is_ws(ch))
				c->flags |= WN_ADDR_MALFORMED;
			sp = true;
			i++;
			continue;
		}
		kind = WN_ADDR_T_OTHER;
		p = s + i;
		len = 1;
		next = i + 1;
		switch (ch) {
		case '"':
			if (!noquote &&
			    (e = wn_addr_scan_quoted(s, n, i)) < n) {
				kind = WN_ADDR_T_QSTR;
				p = s + i + 1;
				len = e - i - 1;
				next = e + 1;
			} else {
				noquote = true;
				c->flags |= WN_ADDR_MALFORMED;
			}
			break;
		case '(':
			if (!nocomment &&
			    (e = wn_addr_scan_comment(s, n, i)) < n) {
				kind = WN_ADDR_T_COMMENT;
				p = s + i + 1;
				len = e - i - 1;
				next = e + 1;
			} else {
				nocomment = true;
				c->flags |= WN_ADDR_MALFORMED;
			}
			break;
		case '[':
			if (!noliteral &&
			    (e = wn_addr_scan_literal(s, n, i)) < n) {
				kind = WN_ADDR_T_DLIT;
				len = e - i + 1;
				next = e + 1;
			} else {
				noliteral = true;
				c->flags |= WN_ADDR_MALFORMED;
			}
			break;
		case ')':
		case ']':
			c->flags |= WN_ADDR_MALFORMED;
			break;
		case '.':
			kind = WN_ADDR_T_DOT;
			break;
		case '@':
			kind = WN_ADDR_T_AT;
			break;
		case '<':
			kind = WN_ADDR_T_LT;
			break;
		case '>':
			kind = WN_ADDR_T_GT;
			break;
		case ',':
			kind = WN_ADDR_T_COMMA;
			break;
		case ':':
			kind = WN_ADDR_T_COLON;
			break;
		case ';':
			kind = WN_ADDR_T_SEMI;
			break;
		default:
			kind = WN_ADDR_T_ATOM;
			if ((len = wn_addr_scan_eword(s, n, i)) == 0)
				len = wn_addr_scan_atom(s, n, i) - i;
			next = i + len;
			break;
		}
		if (wn_addr_push(c, kind, p, len, sp) != 0)
			return WN_ENOMEM;
		sp = kind == WN_ADDR_T_COMMENT;
		i = next;
	}
	return 0;
}

/* Token helpers. */

/* wn_addr_next - first token at or after i that is not a comment */
static size_t
wn_addr_next(const struct wn_addr_ctx *c, size_t i)
{
	while (i < c->nt && c->t[i].kind == WN_ADDR_T_COMMENT)
		i++;
	return i;
}

/* wn_addr_prev - last non-comment token in [lo, i), or WN_ADDR_NONE */
static size_t
wn_addr_prev(const struct wn_addr_ctx *c, size_t i, size_t lo)
{
	while (i > lo) {
		i--;
		if (c->t[i].kind != WN_ADDR_T_COMMENT)
			return i;
	}
	return WN_ADDR_NONE;
}

static bool
wn_addr_is_word(unsigned char kind)
{
	return kind == WN_ADDR_T_ATOM || kind == WN_ADDR_T_QSTR;
}

/* wn_addr_is_run - can the token be part of a local part (or domain)? */
static bool
wn_addr_is_run(unsigned char kind, bool domain)
{
	if (kind == WN_ADDR_T_ATOM || kind == WN_ADDR_T_DOT)
		return true;
	return !domain && kind == WN_ADDR_T_QSTR;
}

/*
 * wn_addr_joins - whether tokens a < b (adjacent but for comments) belong
 * to one dot-separated run. The obsolete syntax allows white space around
 * the dots ("john . doe"); two words apart with no dot are two runs.
 */
static bool
wn_addr_joins(const struct wn_addr_ctx *c, size_t a, size_t b)
{
	return c->t[a].kind == WN_ADDR_T_DOT || c->t[b].kind == WN_ADDR_T_DOT ||
	    !c->t[b].sp;
}

/* wn_addr_run_end - index just past the run that starts at token k */
static size_t
wn_addr_run_end(const struct wn_addr_ctx *c, size_t k, bool domain)
{
	size_t j, last = k;

	for (;;) {
		j = wn_addr_next(c, last + 1);
		if (j >= c->nt || !wn_addr_is_run(c->t[j].kind, domain) ||
		    !wn_addr_joins(c, last, j))
			return last + 1;
		last = j;
	}
}

/* wn_addr_run_start - first token of the run ending at token e, >= lo */
static size_t
wn_addr_run_start(const struct wn_addr_ctx *c, size_t e, size_t lo)
{
	size_t j, first = e;

	for (;;) {
		j = wn_addr_prev(c, first, lo);
		if (j == WN_ADDR_NONE || !wn_addr_is_run(c->t[j].kind, false) ||
		    !wn_addr_joins(c, j, first))
			return first;
		first = j;
	}
}

/* String building. */

/*
 * wn_addr_put_text - append p[0..len) to the scratch buffer, resolving
 * backslash pairs, filtered by mode.
 */
static void
wn_addr_put_text(struct wn_addr_ctx *c, const char *p, size_t len,
    enum wn_addr_mode mode)
{
	wn_buf *b = &c->buf;
	unsigned char ch;
	size_t i;
	char *o;

	if (b->failed)
		return;
	if (wn_buf_reserve(b, len) != 0) {
		b->failed = 1;
		return;
	}
	o = b->data + b->len;
	for (i = 0; i < len; i++) {
		ch = (unsigned char)p[i];
		if (ch == '\\') {
			if (i + 1 == len)
				break;
			ch = (unsigned char)p[++i];
		}
		if (mode != WN_ADDR_M_NAME && wn_addr_is_ctl(ch) &&
		    (ch != '\t' || mode == WN_ADDR_M_DOMAIN)) {
			/* Folding is removed; other control bytes, only
			 * reachable through quotes or escapes, are junk. */
			if (ch != '\r' && ch != '\n' && ch != '\t')
				c->flags |= WN_ADDR_MALFORMED;
			continue;
		}
		if (mode == WN_ADDR_M_DOMAIN) {
			if (ch == ' ')
				continue;
			ch = wn_ascii_lower(ch);
		}
		*o++ = (char)ch;
	}
	b->len = (size_t)(o - b->data);
	b->data[b->len] = '\0';
}

/* wn_addr_put_tokens - append tokens [a, b) as written, comments left out */
static void
wn_addr_put_tokens(struct wn_addr_ctx *c, size_t a, size_t b,
    enum wn_addr_mode mode)
{
	const struct wn_addr_tok *t;
	size_t j;

	for (j = a; j < b; j++) {
		t = &c->t[j];
		if (t->kind == WN_ADDR_T_COMMENT)
			continue;
		if (mode == WN_ADDR_M_NAME && t->sp)
			wn_buf_putc(&c->buf, ' ');
		/* A stray quote is noise around a name, not part of it. */
		if (t->kind == WN_ADDR_T_OTHER && *t->p == '"')
			continue;
		wn_addr_put_text(c, t->p, t->len, mode);
	}
}

/*
 * wn_addr_collapse - turn runs of white space and control bytes into one
 * space and trim both ends, in place; returns the new length. Only ASCII
 * bytes change, so valid UTF-8 stays valid.
 */
static size_t
wn_addr_collapse(char *p, size_t len)
{
	size_t i, o = 0;
	bool gap = false;
	unsigned char ch;

	for (i = 0; i < len; i++) {
		ch = (unsigned char)p[i];
		if (ch == ' ' || wn_addr_is_ctl(ch)) {
			gap = o > 0;
			continue;
		}
		if (gap) {
			p[o++] = ' ';
			gap = false;
		}
		p[o++] = (char)ch;
	}
	return o;
}

/* wn_addr_collapsed - whether wn_addr_collapse would leave p unchanged */
static bool
wn_addr_collapsed(const char *p, size_t len)
{
	unsigned char ch, prev = ' ';
	size_t i;

	for (i = 0; i < len; i++) {
		ch = (unsigned char)p[i];
		if (wn_addr_is_ctl(ch) || (ch == ' ' && prev == ' '))
			return false;
		prev = ch;
	}
	return prev != ' ';
}

/* wn_addr_plain - pure ASCII without "=?": nothing to decode */
static bool
wn_addr_plain(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if ((unsigned char)p[i] >= 0x80 ||
		    (p[i] == '=' && i + 1 < len && p[i + 1] == '?'))
			return false;
	}
	return true;
}

/*
 * wn_addr_utf8_dup - arena copy of p[0..len), NUL-terminated, with every
 * byte that does not start a valid UTF-8 sequence replaced by U+FFFD.
 * Sets *len_out to the copy's length; NULL when the arena fails.
 */
static char *
wn_addr_utf8_dup(wn_arena *arena, const char *p, size_t len,
    size_t *len_out)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i, k, o;
	uint32_t cp;
	char *d;

	if (len > (SIZE_MAX - 1) / 3 ||
	    (d = wn_arena_alloc(arena, 3 * len + 1)) == NULL)
		return NULL;
	for (i = o = 0; i < len; i += k) {
		k = wn_utf8_decode(s + i, len - i, &cp);
		if (k == 1 && cp == 0xfffd)
			o += wn_utf8_encode(cp, d + o);
		else {
			memcpy(d + o, s + i, k);
			o += k;
		}
	}
	d[o] = '\0';
	wn_arena_trim(arena, d, o + 1);
	*len_out = o;
	return d;
}

/*
 * wn_addr_finish_name - the scratch buffer as a display name: white space
 * collapsed, encoded words and raw 8-bit bytes decoded to UTF-8, collapsed
 * again (decoding can yield control bytes). Sets *out, "" when empty.
 */
static int
wn_addr_finish_name(struct wn_addr_ctx *c, const char **out)
{
	wn_buf *b = &c->buf;
	uint32_t cflags = 0;
	wn_str d;
	size_t len;
	char *p;

	*out = "";
	if (b->failed)
		return WN_ENOMEM;
	if (b->len == 0 || (len = wn_addr_collapse(b->data, b->len)) == 0)
		return 0;
	if (wn_addr_plain(b->data, len)) {
		if ((p = wn_arena_memdup(c->arena, b->data, len)) == NULL)
			return WN_ENOMEM;
		*out = p;
		return 0;
	}
	if (wn_rfc2047_decode(c->arena, b->data, len, &d, &cflags) != 0)
		return WN_ENOMEM;
	if (d.p == NULL || d.len == 0)
		return 0;
	if (!wn_utf8_valid(d.p, d.len)) {
		/* XXX: the decoder promises UTF-8, but a charset name that
		 * iconv takes for UTF-8 ("UTF8$") once let 5-byte forms
		 * through. addr.h promises UTF-8 too, so repair here. */
		p = wn_addr_utf8_dup(c->arena, d.p, d.len, &len);
	} else if (wn_addr_collapsed(d.p, d.len)) {
		*out = d.p;
		return 0;
	} else {
		p = wn_arena_memdup(c->arena, d.p, d.len);
		len = d.len;
	}
	if (p == NULL)
		return WN_ENOMEM;
	p[wn_addr_collapse(p, len)] = '\0';
	*out = p;
	return 0;
}

/*
 * wn_addr_keep - arena copy of the scratch buffer for a local part or
 * domain. Raw bytes that are not UTF-8 become U+FFFD and are flagged.
 */
static int
wn_addr_keep(struct wn_addr_ctx *c, const char **out)
{
	size_t len = c->buf.len;
	char *p;

	*out = "";
	if (c->buf.failed)
		return WN_ENOMEM;
	if (len == 0)
		return 0;
	if (wn_utf8_valid(c->buf.data, len))
		p = wn_arena_memdup(c->arena, c->buf.data, len);
	else {
		c->flags |= WN_ADDR_MALFORMED;
		p = wn_addr_utf8_dup(c->arena, c->buf.data, len, &len);
	}
	if (p == NULL)
		return WN_ENOMEM;
	*out = p;
	return 0;
}

/*
 * wn_addr_comment_name - display name from the first comment in [a, b)
 * that holds more than white space, or "".
 */
static int
wn_addr_comment_name(struct wn_addr_ctx *c, size_t a, size_t b,
    const char **out)
{
	const struct wn_addr_tok *t;
	size_t j, i;

	*out = "";
	for (j = a; j < b; j++) {
		t = &c->t[j];
		if (t->kind != WN_ADDR_T_COMMENT)
			continue;
		for (i = 0; i < t->len; i++)
			if (!wn_addr_is_ws((unsigned char)t->p[i]))
				break;
		if (i == t->len)
			continue;
		wn_buf_reset(&c->buf);
		wn_addr_put_text(c, t->p, t->len, WN_ADDR_M_NAME);
		return wn_addr_finish_name(c, out);
	}
	return 0;
}

static bool
wn_addr_room(struct wn_addr_ctx *c)
{
	if (c->n < c->max)
		return true;
	c->flags |= WN_ADDR_LIMIT;
	c->full = true;
	return false;
}

/* wn_addr_add - build the strings of one mailbox and append it */
static void
wn_addr_add(struct wn_addr_ctx *c, const struct wn_addr_span *sp)
{
	wn_addr a;
	size_t len;
	int rc;

	if (!wn_addr_room(c))
		return;

	wn_buf_reset(&c->buf);
	wn_addr_put_tokens(c, sp->pa, sp->pb, WN_ADDR_M_NAME);
	if ((rc = wn_addr_finish_name(c, &a.name)) == 0 && *a.name == '\0') {
		/* No phrase: "addr (Name)" style; prefer a comment after. */
		rc = wn_addr_comment_name(c, sp->ae, sp->hi, &a.name);
		if (rc == 0 && *a.name == '\0')
			rc = wn_addr_comment_name(c, sp->lo, sp->as, &a.name);
	}
	if (rc != 0)
		goto fail;

	wn_buf_reset(&c->buf);
	wn_addr_put_tokens(c, sp->la, sp->lb, WN_ADDR_M_LOCAL);
	if (wn_addr_keep(c, &a.local) != 0)
		goto fail;

	wn_buf_reset(&c->buf);
	wn_addr_put_tokens(c, sp->da, sp->db, WN_ADDR_M_DOMAIN);
	len = c->buf.len;
	while (len > 0 && c->buf.data[len - 1] == '.')
		len--;
	c->buf.len = len;
	if (wn_addr_keep(c, &a.domain) != 0)
		goto fail;

	if (sp->at && (*a.local == '\0' || *a.domain == '\0'))
		c->flags |= WN_ADDR_MALFORMED;

	if (c->n == c->vcap) {
		size_t cap = c->vcap ? c->vcap * 2 : 8;
		wn_addr *v;

		if (cap > SIZE_MAX / sizeof(*v) ||
		    (v = wn_realloc(c->v, cap * sizeof(*v))) == NULL)
			goto fail;
		c->v = v;
		c->vcap = cap;
	}
	c->v[c->n++] = a;
	return;
fail:
	c->err = WN_ENOMEM;
}

/* Parser. */

/* wn_addr_junk - skip to the end of the element, flagging what is there */
static size_t
wn_addr_junk(struct wn_addr_ctx *c, size_t k)
{
	for (; k < c->nt; k++) {
		if (c->t[k].kind == WN_ADDR_T_COMMA ||
		    c->t[k].kind == WN_ADDR_T_SEMI)
			break;
		if (c->t[k].kind != WN_ADDR_T_COMMENT)
			c->flags |= WN_ADDR_MALFORMED;
	}
	return k;
}

/*
 * wn_addr_domain - parse a domain (dot-atom, obsolete form with white
 * space around dots, or a domain literal) at k into sp; returns the next
 * token.
 */
static size_t
wn_addr_domain(struct wn_addr_ctx *c, size_t k, struct wn_addr_span *sp)
{
	sp->da = sp->db = k;
	if (k >= c->nt)
		return k;
	if (c->t[k].kind == WN_ADDR_T_DLIT)
		sp->db = k + 1;
	else if (wn_addr_is_run(c->t[k].kind, true))
		sp->db = wn_addr_run_end(c, k, true);
	return wn_addr_next(c, sp->db);
}

/*
 * wn_addr_mailbox - parse "local@domain", "local" or "@domain" at k into
 * sp. Returns the next token, or WN_ADDR_NONE if there is no address.
 */
static size_t
wn_addr_mailbox(struct wn_addr_ctx *c, size_t k, struct wn_addr_span *sp)
{
	bool have = false;

	sp->la = sp->lb = sp->da = sp->db = k;
	if (k < c->nt && wn_addr_is_run(c->t[k].kind, false)) {
		sp->lb = wn_addr_run_end(c, k, false);
		k = wn_addr_next(c, sp->lb);
		have = true;
	}
	if (k < c->nt && c->t[k].kind == WN_ADDR_T_AT) {
		sp->at = true;
		return wn_addr_domain(c, wn_addr_next(c, k + 1), sp);
	}
	return have ? k : WN_ADDR_NONE;
}

/*
 * wn_addr_route - skip an obsolete source route "@a,@b:" starting at the
 * '@' at k. Returns the token after the ':', or WN_ADDR_NONE if this is
 * not a route.
 */
static size_t
wn_addr_route(const struct wn_addr_ctx *c, size_t k)
{
	for (;;) {
		k = wn_addr_next(c, k + 1);
		if (k < c->nt && c->t[k].kind == WN_ADDR_T_DLIT)
			k = wn_addr_next(c, k + 1);
		else if (k < c->nt && wn_addr_is_run(c->t[k].kind, true))
			k = wn_addr_next(c, wn_addr_run_end(c, k, true));
		while (k < c->nt && c->t[k].kind == WN_ADDR_T_COMMA)
			k = wn_addr_next(c, k + 1);
		if (k >= c->nt)
			return WN_ADDR_NONE;
		if (c->t[k].kind == WN_ADDR_T_COLON)
			return k + 1;
		if (c->t[k].kind != WN_ADDR_T_AT)
			return WN_ADDR_NONE;
	}
}

/*
 * wn_addr_angle - element "phrase <addr>" with the phrase in [i, lt).
 * Tolerates a missing '>', doubled '<', junk inside and after.
 */
static size_t
wn_addr_angle(struct wn_addr_ctx *c, size_t i, size_t lt)
{
	struct wn_addr_span sp;
	size_t k, r;
	bool have = true;

	memset(&sp, 0, sizeof(sp));
	sp.lo = sp.pa = i;
	sp.pb = sp.as = lt;
	k = wn_addr_next(c, lt + 1);
	while (k < c->nt && c->t[k].kind == WN_ADDR_T_LT) {
		c->flags |= WN_ADDR_MALFORMED;
		k = wn_addr_next(c, k + 1);
	}
	if (k < c->nt && c->t[k].kind == WN_ADDR_T_AT &&
	    (r = wn_addr_route(c, k)) != WN_ADDR_NONE)
		k = wn_addr_next(c, r);
	if (k < c->nt && c->t[k].kind == WN_ADDR_T_GT) {
		/* "<>": the null reverse path. */
		sp.la = sp.lb = sp.da = sp.db = k;
	} else if ((r = wn_addr_mailbox(c, k, &sp)) != WN_ADDR_NONE)
		k = r;
	else
		have = false;
	if (k < c->nt && c->t[k].kind == WN_ADDR_T_GT)
		k++;
	else {
		c->flags |= WN_ADDR_MALFORMED;
		while (k < c->nt && c->t[k].kind != WN_ADDR_T_GT &&
		    c->t[k].kind != WN_ADDR_T_COMMA &&
		    c->t[k].kind != WN_ADDR_T_SEMI)
			k++;
		if (k < c->nt && c->t[k].kind == WN_ADDR_T_GT)
			k++;
	}
	sp.ae = k;
	sp.hi = k = wn_addr_junk(c, k);
	if (have)
		wn_addr_add(c, &sp);
	else
		c->flags |= WN_ADDR_MALFORMED;
	return k;
}

/*
 * wn_addr_merge - for a phrase-only element ending at the ',' at term,
 * look ahead for "Doe, John <j@x>": phrase-only elements up to one of
 * the form "phrase <addr>". Returns that '<', or WN_ADDR_NONE; a failed
 * look-ahead records how far it got so the elements it passed do not
 * look again.
 */
static size_t
wn_addr_merge(struct wn_addr_ctx *c, size_t term)
{
	size_t j = term, k = term, nw;
	bool cm;

	while (j < c->nt && c->t[j].kind == WN_ADDR_T_COMMA) {
		nw = 0;
		cm = false;
		for (k = j + 1; k < c->nt; k++) {
			unsigned char kind = c->t[k].kind;

			if (wn_addr_is_word(kind))
				nw++;
			else if (kind == WN_ADDR_T_COMMENT)
				cm = true;
			else if (kind != WN_ADDR_T_DOT)
				break;
		}
		if (nw == 0)
			break;
		if (k < c->nt && c->t[k].kind == WN_ADDR_T_LT)
			return k;
		if (cm)
			break;
		j = k;
	}
	c->nomerge = k;
	return WN_ADDR_NONE;
}

/*
 * wn_addr_words - element [i, term) without '@', '<' or group ':'. One
 * word is an address without a domain ("MAILER-DAEMON"); words before
 * "phrase <addr>" are the start of an unquoted name with a comma in it.
 */
static size_t
wn_addr_words(struct wn_addr_ctx *c, size_t i, size_t term)
{
	struct wn_addr_span sp;
	size_t j, nw = 0, first, last, lt;
	bool junk = false, cm = false;

	for (j = i; j < term; j++) {
		if (wn_addr_is_word(c->t[j].kind))
			nw++;
		else if (c->t[j].kind == WN_ADDR_T_COMMENT)
			cm = true;
		else if (c->t[j].kind != WN_ADDR_T_DOT)
			junk = true;
	}
	if (junk || nw == 0) {
		/* Empty and comment-only elements are allowed (obs-list). */
		if (junk || wn_addr_next(c, i) < term)
			c->flags |= WN_ADDR_MALFORMED;
		return term;
	}
	if (!cm && i >= c->nomerge && term < c->nt &&
	    c->t[term].kind == WN_ADDR_T_COMMA &&
	    (lt = wn_addr_merge(c, term)) != WN_ADDR_NONE) {
		c->flags |= WN_ADDR_MALFORMED;
		return wn_addr_angle(c, i, lt);
	}
	first = wn_addr_next(c, i);
	last = wn_addr_prev(c, term, i);
	if (wn_addr_run_start(c, last, i) != first) {
		/* A name with no address. */
		c->flags |= WN_ADDR_MALFORMED;
		return term;
	}
	memset(&sp, 0, sizeof(sp));
	sp.lo = sp.pa = sp.pb = i;
	sp.hi = term;
	sp.as = sp.la = first;
	sp.ae = sp.lb = last + 1;
	sp.da = sp.db = term;
	wn_addr_add(c, &sp);
	return term;
}

/*
 * wn_addr_spec - element [i, term) without '<' or group ':': an addr-spec,
 * perhaps with a trailing comment as display name, perhaps (malformed)
 * after bare display-name words.
 */
static size_t
wn_addr_spec(struct wn_addr_ctx *c, size_t i, size_t term)
{
	struct wn_addr_span sp;
	size_t a, e, k;

	for (a = i; a < term && c->t[a].kind != WN_ADDR_T_AT; a++)
		;
	if (a == term)
		return wn_addr_words(c, i, term);
	memset(&sp, 0, sizeof(sp));
	sp.lo = sp.pa = i;
	sp.hi = term;
	sp.at = true;
	e = wn_addr_prev(c, a, i);
	if (e != WN_ADDR_NONE && wn_addr_is_run(c->t[e].kind, false)) {
		sp.la = wn_addr_run_start(c, e, i);
		sp.lb = e + 1;
	} else
		sp.la = sp.lb = a;
	sp.pb = sp.as = sp.la;
	if (wn_addr_prev(c, sp.la, i) != WN_ADDR_NONE)
		c->flags |= WN_ADDR_MALFORMED;	/* name without <> */
	k = wn_addr_domain(c, wn_addr_next(c, a + 1), &sp);
	sp.ae = sp.db;		/* comments after it may be the name */
	(void)wn_addr_junk(c, k);	/* stops at term */
	wn_addr_add(c, &sp);
	return term;
}

/* wn_addr_element - one list element starting at token i */
static size_t
wn_addr_element(struct wn_addr_ctx *c, size_t i)
{
	size_t j;
	bool at = false;

	for (j = i; j < c->nt; j++) {
		switch (c->t[j].kind) {
		case WN_ADDR_T_COMMA:
		case WN_ADDR_T_SEMI:
			return wn_addr_spec(c, i, j);
		case WN_ADDR_T_LT:
			return wn_addr_angle(c, i, j);
		case WN_ADDR_T_AT:
			at = true;
			break;
		case WN_ADDR_T_COLON:
			if (at)
				break;
			/* Group "name:" - the name is not an address. */
			if (c->in_group || wn_addr_next(c, i) == j)
				c->flags |= WN_ADDR_MALFORMED;
			c->in_group = true;
			return j + 1;
		}
	}
	return wn_addr_spec(c, i, c->nt);
}

int
wn_addr_parse_list(wn_arena *arena, const char *s, size_t n, size_t max,
    wn_addr_list *out)
{
	struct wn_addr_ctx c;
	size_t i = 0;
	int rc;

	out->v = NULL;
	out->n = 0;
	out->flags = 0;
	if (s == NULL || n == 0)
		return 0;
	memset(&c, 0, sizeof(c));
	c.arena = arena;
	c.max = max;
	wn_buf_init(&c.buf);

	if ((rc = wn_addr_lex(&c, s, n)) != 0)
		goto done;
	while (i < c.nt && !c.full && c.err == 0) {
		switch (c.t[i].kind) {
		case WN_ADDR_T_COMMA:
			i++;
			break;
		case WN_ADDR_T_SEMI:
			if (!c.in_group)
				c.flags |= WN_ADDR_MALFORMED;
			c.in_group = false;
			i++;
			break;
		default:
			i = wn_addr_element(&c, i);
			break;
		}
	}
	if (c.in_group && !c.full)
		c.flags |= WN_ADDR_MALFORMED;	/* group without ';' */
	if ((rc = c.err) != 0)
		goto done;
	if (c.n > 0) {
		if ((out->v = wn_arena_alloc(arena, c.n * sizeof(*c.v))) ==
		    NULL) {
			rc = WN_ENOMEM;
			goto done;
		}
		memcpy(out->v, c.v, c.n * sizeof(*c.v));
		out->n = c.n;
	}
	out->flags = c.flags;
done:
	wn_free(c.t);
	wn_free(c.v);
	wn_buf_fini(&c.buf);
	return rc;
}
