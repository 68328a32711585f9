/*
 * rules_regex.c - Perl regex literals to PCRE2, and literal prefilters.
 *
 * A rule's regex is written as in Perl: /.../flags or m{...}flags with any
 * delimiter. wn__rules_regex_parse finds its end and flags;
 * wn__rules_regex_compile compiles it with PCRE2 (byte mode) and JIT.
 *
 * wn__rules_literals derives a set of lowercased literals such that every
 * match of the pattern contains at least one of them: concatenations keep
 * their best mandatory run of literal characters, alternations union their
 * branches, optional or repeated-from-zero parts and classes give nothing.
 * Anything it does not understand yields "no filter" (the rule always
 * runs), so the filter can make matching faster but never change it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winnow/err.h>
#include <winnow/str.h>

#include "rules_int.h"

#define WN_LIT_MIN 3		/* shorter literals filter too little */
#define WN_LIT_MAX_SET 64	/* more alternatives: not worth it */
#define WN_LIT_MAX_LEN 64
#define WN_LIT_MAX_NEST 32

static char
wn_regex_close_delim(char open)
{
	switch (open) {
	case '{': return '}';
	case '(': return ')';
	case '[': return ']';
	case '<': return '>';
	default: return open;
	}
}

int
wn__rules_regex_parse(wn_arena *a, const char *s, const char **end_out,
    const char **pattern_out, uint32_t *options_out, char *err,
    size_t errlen)
{
	const char *p = s, *start;
	char open, close;
	int nest = 0;
	uint32_t opt = 0;

	if (*p == 'm' && p[1] != '\0' && !wn_ascii_is_alpha((unsigned char)p[1])
	    && !wn_ascii_is_digit((unsigned char)p[1]) && p[1] != ' ' &&
	    p[1] != '\t' && p[1] != '_')
		p++;
	else if (*p != '/') {
		snprintf(err, errlen, "expected a regex /.../ or m{...}");
		return WN_EINVAL;
	}
	open = *p++;
	close = wn_regex_close_delim(open);
	start = p;
	for (; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0') {
			p++;
			continue;
		}
		if (open != close && *p == open) {
			nest++;
			continue;
		}
		if (*p == close) {
			if (nest == 0)
				break;
			nest--;
		}
	}
	if (*p == '\0') {
		snprintf(err, errlen, "unterminated regex: no closing '%c'",
		    close);
		return WN_EINVAL;
	}
	*pattern_out = wn_arena_memdup(a, start, (size_t)(p - start));
	if (*pattern_out == NULL)
		return WN_ENOMEM;
	for (p++; *p != '\0' && *p != ' ' && *p != '\t'; p++) {
		switch (*p) {
		case 'i': opt |= PCRE2_CASELESS; break;
		case 'm': opt |= PCRE2_MULTILINE; break;
		case 's': opt |= PCRE2_DOTALL; break;
		case 'x': opt |= PCRE2_EXTENDED; break;
		case 'g': case 'o':	/* meaningless for a test */
			break;
		default:
			snprintf(err, errlen, "unknown regex modifier '%c'", *p);
			return WN_EINVAL;
		}
	}
	*options_out = opt;
	*end_out = p;
	return 0;
}

int
wn__rules_regex_compile(wn__rule *r, char *err, size_t errlen)
{
	int code;
	PCRE2_SIZE off;
	uint32_t opt = r->re_options;

	/*
	 * Body and rawbody run over one buffer of lines; multiline mode makes
	 * ^ and $ anchor at each line as with SpamAssassin's line-by-line
	 * matching (see docs/arch/rules.md).
	 */
	if (r->type == WN_RULE_BODY || r->type == WN_RULE_RAWBODY)
		opt |= PCRE2_MULTILINE;
	r->re = pcre2_compile((PCRE2_SPTR)r->pattern, PCRE2_ZERO_TERMINATED,
	    opt, &code, &off, NULL);
	if (r->re == NULL) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(code, msg, sizeof(msg));
		snprintf(err, errlen, "bad regex at offset %zu: %s",
		    (size_t)off, (const char *)msg);
		return WN_EINVAL;
	}
	/* Without JIT (not built in, or no executable memory) the
	 * interpreter runs the same pattern, only slower. */
	(void)pcre2_jit_compile(r->re, PCRE2_JIT_COMPLETE);
	return 0;
}

/* ---- literal prefilter ---- */

typedef struct wn_lit_parser {
	wn_arena *a;
	const char *p;
	bool extended;		/* x: whitespace and # comments ignored */
	bool fail;		/* not understood: no filter at all */
	uint32_t re_flags;
	int nest;
} wn_lit_parser;

/* A node's requirement: a set of literals, or none (n == 0). */
typedef struct wn_lit_req {
	char *lit[WN_LIT_MAX_SET];
	size_t len[WN_LIT_MAX_SET];
	size_t n;
} wn_lit_req;

static size_t
wn_lit_quality(const wn_lit_req *r)
{
	size_t i, q = SIZE_MAX;

	if (r->n == 0)
		return 0;
	for (i = 0; i < r->n; i++)
		if (r->len[i] < q)
			q = r->len[i];
	/* fewer alternatives filter better at equal length */
	return q * 64 + (WN_LIT_MAX_SET - r->n);
}

static void
wn_lit_consider(wn_lit_req *best, const wn_lit_req *cand)
{
	size_t i;

	for (i = 0; i < cand->n; i++)
		if (cand->len[i] < WN_LIT_MIN)
			return;
	if (wn_lit_quality(cand) > wn_lit_quality(best))
		*best = *cand;
}

static void
wn_lit_run_close(wn_lit_parser *lp, wn_lit_req *best, char *run,
    size_t *run_len)
{
	wn_lit_req c;

	if (*run_len >= WN_LIT_MIN) {
		c.n = 1;
		c.len[0] = *run_len;
		c.lit[0] = wn_arena_memdup(lp->a, run, *run_len);
		if (c.lit[0] == NULL)
			lp->fail = true;
		else
			wn_lit_consider(best, &c);
	}
	*run_len = 0;
}

static void
wn_lit_skip_space(wn_lit_parser *lp)
{
	if (!lp->extended)
		return;
	for (;;) {
		while (*lp->p == ' ' || *lp->p == '\t' || *lp->p == '\n' ||
		    *lp->p == '\r' || *lp->p == '\f' || *lp->p == '\v')
			lp->p++;
		if (*lp->p != '#')
			return;
		while (*lp->p != '\0' && *lp->p != '\n')
			lp->p++;
	}
}

/*
 * Parse a quantifier at lp->p if any; returns its minimum (1 if none) and
 * sets *had. Lazy and possessive suffixes are consumed.
 */
static unsigned long
wn_lit_quantifier(wn_lit_parser *lp, bool *had)
{
	unsigned long min = 1;
	const char *q;

	*had = false;
	wn_lit_skip_space(lp);
	switch (*lp->p) {
	case '*': min = 0; lp->p++; break;
	case '+': min = 1; lp->p++; break;
	case '?': min = 0; lp->p++; break;
	case '{':
		q = lp->p + 1;
		if (!wn_ascii_is_digit((unsigned char)*q))
			return 1;	/* a literal brace */
		min = strtoul(q, (char **)&q, 10);
		if (*q == ',') {
			q++;
			while (wn_ascii_is_digit((unsigned char)*q))
				q++;
		}
		if (*q != '}')
			return 1;
		lp->p = q + 1;
		break;
	default:
		return 1;
	}
	*had = true;
	if (*lp->p == '?' || *lp->p == '+')
		lp->p++;
	return min;
}

static void wn_lit_alt(wn_lit_parser *lp, wn_lit_req *out);

/*
 * The end of a POSIX item "[:name:]" (or "[.x.]", "[=x=]") whose "[" is
 * at p, or NULL when PCRE2 does not read one there: as PCRE2 does, the
 * item ends at the first terminator followed by ']', and is none when a
 * ']' or another "[" with the same terminator comes first. A wrong guess
 * here would end the class elsewhere than PCRE2 does.
 */
static const char *
wn_lit_posix_end(const char *p)
{
	char term = p[1];

	for (p += 2; *p != '\0'; p++) {
		if (*p == '\\' && (p[1] == ']' || p[1] == '\\'))
			p++;
		else if ((*p == '[' && p[1] == term) || *p == ']')
			return NULL;
		else if (*p == term && p[1] == ']')
			return p + 1;
	}
	return NULL;
}

/* skip a character class starting at '[' */
static void
wn_lit_skip_class(wn_lit_parser *lp)
{
	const char *p = lp->p + 1, *e;

	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	for (; *p != '\0' && *p != ']'; p++) {
		if (*p == '\\' && (p[1] == 'c' || p[1] == 'Q' ||
		    p[1] == 'E')) {
			/* \cX takes any X (']' too), \Q...\E quotes
			 * brackets, a lone \E vanishes and can make the next
			 * ']' literal: where the class ends is PCRE2's call;
			 * derive nothing from this pattern. */
			lp->fail = true;
			return;
		} else if (*p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '[' && (p[1] == ':' || p[1] == '.' ||
		    p[1] == '=') && (e = wn_lit_posix_end(p)) != NULL)
			p = e;
	}
	if (*p == '\0')
		lp->fail = true;
	else
		lp->p = p + 1;
}

static int
wn_lit_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * An escape after the backslash at lp->p. Returns a literal byte (0..255),
 * -1 for a consuming non-literal (class, backreference), -2 for a
 * zero-width assertion.
 */
static int
wn_lit_escape(wn_lit_parser *lp)
{
	int c = (unsigned char)lp->p[1], h1, h2;

	lp->p += 2;
	switch (c) {
	case 'n': return '\n';
	case 't': return '\t';
	case 'r': return '\r';
	case 'f': return '\f';
	case 'e': return 0x1b;
	case 'a': return 0x07;
	case 'd': case 'D': case 'w': case 'W': case 's': case 'S':
	case 'h': case 'H': case 'v': case 'V': case 'R': case 'N':
	case 'X': case 'C':
		return -1;
	case 'b': case 'B': case 'K':
		return -2;
	case 'A': case 'z': case 'Z': case 'G':
		lp->re_flags |= WN__RE_PARAGRAPH;
		return -2;
	case 'p': case 'P':
		if (*lp->p == '{') {
			const char *e = strchr(lp->p, '}');

			if (e == NULL) {
				lp->fail = true;
				return -1;
			}
			lp->p = e + 1;
		} else if (*lp->p != '\0')
			lp->p++;
		return -1;
	case 'x':
		if (*lp->p == '{') {
			const char *e = strchr(lp->p, '}');
			unsigned long v;

			if (e == NULL) {
				lp->fail = true;
				return -1;
			}
			v = strtoul(lp->p + 1, NULL, 16);
			lp->p = e + 1;
			return v <= 0xff ? (int)v : -1;
		}
		h1 = wn_lit_hex((unsigned char)lp->p[0]);
		if (h1 < 0)
			return 0;
		lp->p++;
		h2 = wn_lit_hex((unsigned char)lp->p[0]);
		if (h2 < 0)
			return h1;
		lp->p++;
		return h1 * 16 + h2;
	case 'g': case 'k':
		/* \g{1} \g1 \k<name>: a backreference */
		if (*lp->p == '{' || *lp->p == '<' || *lp->p == '\'') {
			char close = *lp->p == '{' ? '}' :
			    *lp->p == '<' ? '>' : '\'';
			const char *e = strchr(lp->p, close);

			if (e == NULL) {
				lp->fail = true;
				return -1;
			}
			lp->p = e + 1;
		} else {
			if (*lp->p == '-')
				lp->p++;
			while (wn_ascii_is_digit((unsigned char)*lp->p))
				lp->p++;
		}
		return -1;
	case '0':
		/* octal: up to two more digits */
		while (*lp->p >= '0' && *lp->p <= '7' && lp->p[0] != '\0')
			lp->p++;
		return -1;
	case '\0':
		lp->fail = true;
		return -1;
	default:
		if (c >= '1' && c <= '9') {
			while (wn_ascii_is_digit((unsigned char)*lp->p))
				lp->p++;
			return -1;	/* backreference (or octal) */
		}
		if (wn_ascii_is_alpha((unsigned char)c)) {
			/* an escape we do not know: give up */
			lp->fail = true;
			return -1;
		}
		return c;	/* escaped punctuation is itself */
	}
}

/* Parse a group after '(' ; sets *req and *zero_width. */
static void
wn_lit_group(wn_lit_parser *lp, wn_lit_req *req, bool *zero_width)
{
	bool lookaround = false;

	*zero_width = false;
	req->n = 0;
	if (*lp->p == '?') {
		const char *q = lp->p + 1;

		if (*q == '#') {	/* comment */
			const char *e = strchr(q, ')');

			if (e == NULL) {
				lp->fail = true;
				return;
			}
			lp->p = e + 1;
			*zero_width = true;
			return;
		}
		if (*q == ':' || *q == '>' || *q == '|')
			lp->p = q + 1;
		else if (*q == '=' || *q == '!') {
			lookaround = true;
			lp->p = q + 1;
		} else if (*q == '<' && (q[1] == '=' || q[1] == '!')) {
			lookaround = true;
			lp->p = q + 2;
		} else if (*q == '<' || *q == 'P' || *q == '\'') {
			/* named group (?<n>..) (?P<n>..) (?'n'..) */
			char close;
			const char *e;

			if (*q == 'P') {
				if (q[1] != '<') {
					lp->fail = true;	/* (?P=n) (?P>n) */
					return;
				}
				q++;
			}
			close = *q == '\'' ? '\'' : '>';
			e = strchr(q + 1, close);
			if (e == NULL) {
				lp->fail = true;
				return;
			}
			lp->p = e + 1;
		} else {
			/* inline flags (?i) (?i-s) or (?i:...) */
			while (wn_ascii_is_alpha((unsigned char)*q) ||
			    *q == '-' || *q == '^') {
				if (*q == 'x')
					lp->fail = true; /* changes parsing */
				q++;
			}
			if (lp->fail)
				return;
			if (*q == ')') {
				lp->p = q + 1;
				*zero_width = true;
				return;
			}
			if (*q != ':') {
				lp->fail = true;	/* conditions, recursion */
				return;
			}
			lp->p = q + 1;
		}
	} else if (*lp->p == '*') {
		lp->fail = true;	/* (*VERB) */
		return;
	}
	wn_lit_alt(lp, req);
	if (lp->fail)
		return;
	if (*lp->p != ')') {
		lp->fail = true;
		return;
	}
	lp->p++;
	if (lookaround) {
		req->n = 0;
		*zero_width = true;
	}
}

/* A sequence up to '|' or ')' or the end: its best requirement. */
static void
wn_lit_seq(wn_lit_parser *lp, wn_lit_req *best)
{
	char run[WN_LIT_MAX_LEN];
	size_t run_len = 0;
	wn_lit_req sub;
	bool had, zw;
	unsigned long min;
	int c;

	best->n = 0;
	for (;;) {
		wn_lit_skip_space(lp);
		if (lp->fail)
			return;
		c = (unsigned char)*lp->p;
		if (c == '\0' || c == '|' || c == ')')
			break;
		if (c == '(') {
			if (++lp->nest > WN_LIT_MAX_NEST) {
				lp->fail = true;
				return;
			}
			lp->p++;
			wn_lit_run_close(lp, best, run, &run_len);
			wn_lit_group(lp, &sub, &zw);
			lp->nest--;
			if (lp->fail)
				return;
			if (zw)
				continue;
			min = wn_lit_quantifier(lp, &had);
			if (min >= 1)
				wn_lit_consider(best, &sub);
			continue;
		}
		if (c == '[') {
			wn_lit_skip_class(lp);
			wn_lit_run_close(lp, best, run, &run_len);
			(void)wn_lit_quantifier(lp, &had);
			continue;
		}
		if (c == '^' || c == '$') {
			lp->p++;
			continue;	/* zero width; the run goes on */
		}
		if (c == '.') {
			lp->p++;
			wn_lit_run_close(lp, best, run, &run_len);
			(void)wn_lit_quantifier(lp, &had);
			continue;
		}
		if (c == '*' || c == '+' || c == '?') {
			lp->fail = true;	/* quantifier with no atom */
			return;
		}
		if (c == '\\' && lp->p[1] == 'Q') {
			/* \Q...\E: every byte literal */
			size_t quoted = 0;

			lp->p += 2;
			while (*lp->p != '\0' &&
			    !(lp->p[0] == '\\' && lp->p[1] == 'E')) {
				if (run_len == sizeof(run))
					wn_lit_run_close(lp, best, run,
					    &run_len);
				run[run_len++] =
				    (char)wn_ascii_lower((unsigned char)*lp->p);
				lp->p++;
				quoted++;
			}
			if (*lp->p != '\0')
				lp->p += 2;
			/* A quantifier after \E applies to the last quoted
			 * byte (after an empty \Q\E, to what came before:
			 * give up on that). */
			min = wn_lit_quantifier(lp, &had);
			if (had && quoted == 0) {
				lp->fail = true;
				return;
			}
			if (had) {
				if (min == 0 && run_len > 0)
					run_len--;
				wn_lit_run_close(lp, best, run, &run_len);
			}
			continue;
		}
		if (c == '\\') {
			c = wn_lit_escape(lp);
			if (lp->fail)
				return;
			if (c == -2)
				continue;
			if (c == -1) {
				wn_lit_run_close(lp, best, run, &run_len);
				(void)wn_lit_quantifier(lp, &had);
				continue;
			}
		} else
			lp->p++;
		/* a literal byte c, maybe quantified */
		min = wn_lit_quantifier(lp, &had);
		if (min == 0) {
			wn_lit_run_close(lp, best, run, &run_len);
			continue;
		}
		if (run_len == sizeof(run))
			wn_lit_run_close(lp, best, run, &run_len);
		run[run_len++] = (char)wn_ascii_lower((unsigned char)c);
		if (had)
			wn_lit_run_close(lp, best, run, &run_len);
	}
	wn_lit_run_close(lp, best, run, &run_len);
}

/* Alternation: the union of the branches, none if a branch has none. */
static void
wn_lit_alt(wn_lit_parser *lp, wn_lit_req *out)
{
	wn_lit_req branch;
	bool none = false;
	size_t i;

	out->n = 0;
	for (;;) {
		wn_lit_seq(lp, &branch);
		if (lp->fail)
			return;
		if (branch.n == 0)
			none = true;
		else if (!none) {
			if (out->n + branch.n > WN_LIT_MAX_SET)
				none = true;
			else
				for (i = 0; i < branch.n; i++) {
					out->lit[out->n] = branch.lit[i];
					out->len[out->n++] = branch.len[i];
				}
		}
		if (*lp->p != '|')
			break;
		lp->p++;
	}
	if (none)
		out->n = 0;
}

int
wn__rules_literals(wn_arena *a, const char *pattern, uint32_t options,
    wn__litset *out, uint32_t *re_flags_out)
{
	wn_lit_parser lp;
	wn_lit_req req;
	size_t i;

	memset(&lp, 0, sizeof(lp));
	lp.a = a;
	lp.p = pattern;
	lp.extended = (options & PCRE2_EXTENDED) != 0;
	memset(out, 0, sizeof(*out));
	wn_lit_alt(&lp, &req);
	*re_flags_out = lp.re_flags;
	if (lp.fail || *lp.p != '\0' || req.n == 0)
		return 0;
	out->lit = wn_arena_alloc(a, req.n * sizeof(*out->lit));
	out->len = wn_arena_alloc(a, req.n * sizeof(*out->len));
	if (out->lit == NULL || out->len == NULL)
		return WN_ENOMEM;
	for (i = 0; i < req.n; i++) {
		out->lit[i] = req.lit[i];
		out->len[i] = req.len[i];
	}
	out->n = req.n;
	return 0;
}
