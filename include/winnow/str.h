/*
 * str.h - borrowed byte spans and small ASCII helpers.
 *
 * A wn_str points into memory owned by someone else (the input message or
 * an arena); it is valid as long as that owner is. Spans made by the MIME
 * parser from arena memory are NUL-terminated; spans into the input are not.
 */
#ifndef WINNOW_STR_H
#define WINNOW_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

typedef struct wn_str {
	const char *p;
	size_t len;
} wn_str;

#define WN_STR_NULL ((wn_str){ NULL, 0 })

static inline wn_str
wn_str_make(const char *p, size_t len)
{
	wn_str s = { p, len };
	return s;
}

static inline unsigned char
wn_ascii_lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

static inline bool
wn_ascii_is_alpha(unsigned char c)
{
	return (unsigned char)((c | 0x20) - 'a') < 26;
}

static inline bool
wn_ascii_is_digit(unsigned char c)
{
	return (unsigned char)(c - '0') < 10;
}

/* wn_hex_value - the value of a hex digit in either case, or -1 */
static inline int
wn_hex_value(unsigned char c)
{
	if (wn_ascii_is_digit(c))
		return c - '0';
	c = wn_ascii_lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* wn_hex_value_lower - the same, lower case only (formats that write
 * lower case and compare as text) */
static inline int
wn_hex_value_lower(unsigned char c)
{
	return c >= 'A' && c <= 'F' ? -1 : wn_hex_value(c);
}

/* wn_str_ieq - ASCII case-insensitive comparison with a C string */
bool wn_str_ieq(wn_str s, const char *z);

/* wn_str_iprefix - whether s starts with z, ASCII case-insensitively */
bool wn_str_iprefix(wn_str s, const char *z);

/* wn_mem_icase_find - first case-insensitive occurrence of needle */
const char *wn_mem_icase_find(const char *hay, size_t n, const char *needle,
    size_t nlen);

/* wn_str_trim - span without leading and trailing ASCII white space */
wn_str wn_str_trim(wn_str s);

/*
 * wn_str_shown - untrusted text as an error message may quote it: s into
 * dst (cap bytes, NUL-terminated), at most max bytes of it, anything but
 * printable ASCII made '?', so the message stays one line.
 */
void wn_str_shown(char *dst, size_t cap, const char *s, size_t max);

/*
 * wn_path - format a file path into out (len bytes). When it does not fit,
 * out becomes "" (which names no file, so the caller's open or stat fails
 * instead of reaching a shorter, other path) and false is returned.
 */
bool wn_path(char *out, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
