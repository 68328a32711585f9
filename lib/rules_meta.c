/*
 * rules_meta.c - meta rule expressions: parse to postfix code, evaluate.
 *
 * The grammar is the part of Perl's expressions SpamAssassin's metas use:
 * rule names (their hit counts), numbers, ! and unary -, * /, + -,
 * < <= > >=, == !=, & |, && ||, and parentheses, with Perl's precedence.
 * Rule names are resolved to ids later, when the whole set is known.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winnow/err.h>
#include <winnow/str.h>

#include "rules_int.h"

#define WN_META_MAX_CODE 4096
#define WN_META_MAX_NEST 64

typedef struct wn_meta_parser {
	wn_arena *a;
	const char *p;
	wn__meta_ins code[WN_META_MAX_CODE];
	size_t n;
	int nest;
	char *err;
	size_t errlen;
	bool failed;
} wn_meta_parser;

static void
wn_meta_fail(wn_meta_parser *mp, const char *what)
{
	if (mp->failed)
		return;
	mp->failed = true;
	if (*mp->p == '\0')
		snprintf(mp->err, mp->errlen, "meta: %s at end of expression",
		    what);
	else
		snprintf(mp->err, mp->errlen, "meta: %s at \"%.20s\"", what,
		    mp->p);
}

static void
wn_meta_emit(wn_meta_parser *mp, enum wn__meta_op op)
{
	if (mp->n == WN_META_MAX_CODE) {
		wn_meta_fail(mp, "expression too long");
		return;
	}
	memset(&mp->code[mp->n], 0, sizeof(mp->code[0]));
	mp->code[mp->n++].op = op;
}

static void
wn_meta_space(wn_meta_parser *mp)
{
	while (*mp->p == ' ' || *mp->p == '\t')
		mp->p++;
}

/* match an operator token; two-character ones are tried first */
static bool
wn_meta_accept(wn_meta_parser *mp, const char *tok)
{
	size_t n = strlen(tok);

	wn_meta_space(mp);
	if (strncmp(mp->p, tok, n) != 0)
		return false;
	/* "&" must not take the first half of "&&", "<" of "<=", ... */
	if (n == 1 && (mp->p[1] == '&' || mp->p[1] == '|' || mp->p[1] == '=')
	    && (tok[0] == '&' || tok[0] == '|' || tok[0] == '<' ||
	    tok[0] == '>' || tok[0] == '!'))
		return false;
	mp->p += n;
	return true;
}

static void wn_meta_or(wn_meta_parser *mp);

static void
wn_meta_primary(wn_meta_parser *mp)
{
	const char *s;

	wn_meta_space(mp);
	s = mp->p;
	if (*s == '(') {
		if (++mp->nest > WN_META_MAX_NEST) {
			wn_meta_fail(mp, "nested too deep");
			return;
		}
		mp->p++;
		wn_meta_or(mp);
		wn_meta_space(mp);
		if (*mp->p != ')') {
			wn_meta_fail(mp, "expected ')'");
			return;
		}
		mp->p++;
		mp->nest--;
		return;
	}
	if (wn_ascii_is_digit((unsigned char)*s) || (*s == '.' &&
	    wn_ascii_is_digit((unsigned char)s[1]))) {
		char *end;
		double v = strtod(s, &end);

		wn_meta_emit(mp, WN__M_NUM);
		if (!mp->failed)
			mp->code[mp->n - 1].num = v;
		mp->p = end;
		return;
	}
	if (wn_ascii_is_alpha((unsigned char)*s) || *s == '_') {
		while (wn_ascii_is_alpha((unsigned char)*mp->p) ||
		    wn_ascii_is_digit((unsigned char)*mp->p) || *mp->p == '_')
			mp->p++;
		wn_meta_emit(mp, WN__M_RULE);
		if (mp->failed)
			return;
		mp->code[mp->n - 1].name =
		    wn_arena_memdup(mp->a, s, (size_t)(mp->p - s));
		if (mp->code[mp->n - 1].name == NULL)
			wn_meta_fail(mp, "out of memory");
		return;
	}
	wn_meta_fail(mp, *s == '\0' ? "expected an operand" :
	    "expected a rule name, number or '('");
}

static void
wn_meta_unary(wn_meta_parser *mp)
{
	wn_meta_space(mp);
	if (*mp->p == '!' && mp->p[1] != '=') {
		mp->p++;
		wn_meta_unary(mp);
		wn_meta_emit(mp, WN__M_NOT);
	} else if (*mp->p == '-') {
		mp->p++;
		wn_meta_unary(mp);
		wn_meta_emit(mp, WN__M_NEG);
	} else if (*mp->p == '+') {
		mp->p++;
		wn_meta_unary(mp);
	} else
		wn_meta_primary(mp);
}

typedef struct wn_meta_level {
	const char *tok[4];
	enum wn__meta_op op[4];
} wn_meta_level;

static const wn_meta_level wn_meta_levels[] = {
	{ { "||" }, { WN__M_OR } },
	{ { "&&" }, { WN__M_AND } },
	{ { "|" }, { WN__M_BOR } },
	{ { "&" }, { WN__M_BAND } },
	{ { "==", "!=" }, { WN__M_EQ, WN__M_NE } },
	{ { "<=", ">=", "<", ">" }, { WN__M_LE, WN__M_GE, WN__M_LT, WN__M_GT } },
	{ { "+", "-" }, { WN__M_ADD, WN__M_SUB } },
	{ { "*", "/" }, { WN__M_MUL, WN__M_DIV } },
};

#define WN_META_NLEVELS (sizeof(wn_meta_levels) / sizeof(wn_meta_levels[0]))

static void
wn_meta_binary(wn_meta_parser *mp, size_t level)
{
	const wn_meta_level *l;
	size_t i;
	bool more = true;

	if (level == WN_META_NLEVELS) {
		wn_meta_unary(mp);
		return;
	}
	l = &wn_meta_levels[level];
	wn_meta_binary(mp, level + 1);
	while (more && !mp->failed) {
		more = false;
		for (i = 0; i < 4 && l->tok[i] != NULL; i++) {
			if (wn_meta_accept(mp, l->tok[i])) {
				wn_meta_binary(mp, level + 1);
				wn_meta_emit(mp, l->op[i]);
				more = true;
				break;
			}
		}
	}
}

static void
wn_meta_or(wn_meta_parser *mp)
{
	wn_meta_binary(mp, 0);
}

int
wn__rules_meta_parse(wn_arena *a, const char *src, wn__meta_prog *out,
    char *err, size_t errlen)
{
	wn_meta_parser *mp;
	size_t i, depth = 0, max = 0;
	int rc = 0;

	mp = calloc(1, sizeof(*mp));
	if (mp == NULL)
		return WN_ENOMEM;
	mp->a = a;
	mp->p = src;
	mp->err = err;
	mp->errlen = errlen;
	wn_meta_or(mp);
	wn_meta_space(mp);
	if (!mp->failed && *mp->p != '\0')
		wn_meta_fail(mp, "unexpected text");
	if (!mp->failed && mp->n == 0)
		wn_meta_fail(mp, "empty expression");
	if (mp->failed) {
		rc = WN_EINVAL;
		goto out;
	}
	for (i = 0; i < mp->n; i++) {
		switch (mp->code[i].op) {
		case WN__M_NUM: case WN__M_RULE:
			if (++depth > max)
				max = depth;
			break;
		case WN__M_NOT: case WN__M_NEG:
			break;
		default:
			depth--;
		}
	}
	out->code = (wn__meta_ins *)wn_arena_memdup(a, mp->code, mp->n * sizeof(mp->code[0]));
	if (out->code == NULL) {
		rc = WN_ENOMEM;
		goto out;
	}
	out->n = mp->n;
	out->depth = max;
out:
	free(mp);
	return rc;
}

double
wn__rules_meta_eval(const wn__meta_prog *p, const uint32_t *counts,
    double *st)
{
	size_t i, sp = 0;
	double a, b;

	for (i = 0; i < p->n; i++) {
		const wn__meta_ins *in = &p->code[i];

		switch (in->op) {
		case WN__M_NUM:
			st[sp++] = in->num;
			continue;
		case WN__M_RULE:
			st[sp++] = counts[in->rule];
			continue;
		case WN__M_NOT:
			st[sp - 1] = st[sp - 1] == 0.0;
			continue;
		case WN__M_NEG:
			st[sp - 1] = -st[sp - 1];
			continue;
		default:
			break;
		}
		b = st[--sp];
		a = st[sp - 1];
		switch (in->op) {
		case WN__M_ADD: a = a + b; break;
		case WN__M_SUB: a = a - b; break;
		case WN__M_MUL: a = a * b; break;
		case WN__M_DIV: a = b != 0.0 ? a / b : 0.0; break;
		case WN__M_LT: a = a < b; break;
		case WN__M_LE: a = a <= b; break;
		case WN__M_GT: a = a > b; break;
		case WN__M_GE: a = a >= b; break;
		case WN__M_EQ: a = a == b; break;
		case WN__M_NE: a = a != b; break;
		case WN__M_AND: a = a != 0.0 && b != 0.0; break;
		case WN__M_OR: a = a != 0.0 || b != 0.0; break;
		case WN__M_BAND: a = (double)((long)a & (long)b); break;
		case WN__M_BOR: a = (double)((long)a | (long)b); break;
		default: break;
		}
		st[sp - 1] = a;
	}
	return sp ? st[0] : 0.0;
}
