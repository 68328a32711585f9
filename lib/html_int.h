/*
 * html_int.h - private declarations shared by html.c and html_entities.c.
 *
 * html_entities.c owns the named character reference table (the HTML 4
 * set, the HTML 5 upper-case aliases of its legacy names and the ASCII
 * punctuation names spammers use to spell addresses) and the decoder of
 * one reference, named or numeric. Both are pure functions over const
 * tables.
 */
#ifndef WINNOW_HTML_INT_H
#define WINNOW_HTML_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How far a reference name is scanned at most. */
#define WN_HTML_ENTITY_NAME_MAX	32

/*
 * Lookup tables keep names zero-padded to WN_HTML_KEY bytes; two names
 * compare as two big-endian 64-bit words, in strcmp order.
 */
#define WN_HTML_KEY	16

static inline uint64_t
wn__html_be64(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	return (uint64_t)u[0] << 56 | (uint64_t)u[1] << 48 |
	    (uint64_t)u[2] << 40 | (uint64_t)u[3] << 32 |
	    (uint64_t)u[4] << 24 | (uint64_t)u[5] << 16 |
	    (uint64_t)u[6] << 8 | (uint64_t)u[7];
}

/* wn__html_keycmp - <0, 0, >0 as strcmp of two padded keys */
static inline int
wn__html_keycmp(const char *a, const char *b)
{
	uint64_t x = wn__html_be64(a), y = wn__html_be64(b);

	if (x == y) {
		x = wn__html_be64(a + 8);
		y = wn__html_be64(b + 8);
	}
	return x < y ? -1 : x > y;
}

/*
 * wn__html_entity_lookup - code point of the named reference
 * name[0..len) (without '&' and ';'), or 0 if there is none. *legacy_out,
 * if not NULL, tells whether the name may be written without ';' (the
 * HTML 5 "legacy" references: the Latin-1 set and amp, lt, gt, quot).
 */
uint32_t wn__html_entity_lookup(const char *name, size_t len,
    bool *legacy_out);

/* wn__html_entity_at - i-th entry in table order; false past the end */
bool wn__html_entity_at(size_t i, const char **name_out, uint32_t *cp_out);

/*
 * wn__html_ref - decode the character reference starting at the '&' in
 * p[0..end). in_attr selects the attribute-value rules (a legacy name
 * without ';' followed by '=' is left alone, as is any prefix match, so
 * "?a=1&copy=2" survives). Returns the bytes consumed, or 0 when p does
 * not start a reference (the '&' is literal). *cp_out is the code point:
 * invalid and NUL numeric references give U+FFFD, 0x80-0x9F are read as
 * Windows-1252 as browsers do. *numeric_out tells a &#...; form.
 */
size_t wn__html_ref(const char *p, const char *end, bool in_attr,
    uint32_t *cp_out, bool *numeric_out);

#endif
