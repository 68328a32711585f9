/* str.c - ASCII helpers over borrowed spans. */
#include <stdarg.h>
#include <stdio.h>

#include <winnow/str.h>

bool
wn_str_ieq(wn_str s, const char *z)
{
	size_t i;

	for (i = 0; i < s.len; i++) {
		if (z[i] == '\0' || wn_ascii_lower((unsigned char)s.p[i]) !=
		    wn_ascii_lower((unsigned char)z[i]))
			return false;
	}
	return z[i] == '\0';
}

bool
wn_str_iprefix(wn_str s, const char *z)
{
	size_t k = strlen(z);

	return s.len >= k && wn_str_ieq(wn_str_make(s.p, k), z);
}

const char *
wn_mem_icase_find(const char *hay, size_t n, const char *needle, size_t nlen)
{
	unsigned char f;
	size_t i, j;

	if (nlen == 0)
		return hay;
	if (nlen > n)
		return NULL;
	f = wn_ascii_lower((unsigned char)needle[0]);
	for (i = 0; i + nlen <= n; i++) {
		if (wn_ascii_lower((unsigned char)hay[i]) != f)
			continue;
		for (j = 1; j < nlen; j++)
			if (wn_ascii_lower((unsigned char)hay[i + j]) !=
			    wn_ascii_lower((unsigned char)needle[j]))
				break;
		if (j == nlen)
			return hay + i;
	}
	return NULL;
}

static inline bool
wn_is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
	    c == '\v';
}

wn_str
wn_str_trim(wn_str s)
{
	while (s.len && wn_is_space((unsigned char)s.p[0])) {
		s.p++;
		s.len--;
	}
	while (s.len && wn_is_space((unsigned char)s.p[s.len - 1]))
		s.len--;
	return s;
}

void
wn_str_shown(char *dst, size_t cap, const char *s, size_t max)
{
	size_t i;

	if (cap == 0)
		return;
	for (i = 0; s[i] != '\0' && i + 1 < cap && i < max; i++)
		dst[i] = (unsigned char)s[i] < 0x20 ||
		    (unsigned char)s[i] >= 0x7f ? '?' : s[i];
	dst[i] = '\0';
}

bool
wn_path(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len) {
		if (len > 0)
			out[0] = '\0';
		return false;
	}
	return true;
}
