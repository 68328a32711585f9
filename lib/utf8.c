/*
 * utf8.c - UTF-8 validation, decoding and encoding (RFC 3629).
 *
 * Overlong forms, surrogates and code points above U+10FFFF are invalid.
 * The validator runs eight ASCII bytes at a time, the common case in mail.
 */
#include <stdint.h>
#include <string.h>

#include <winnow/codec.h>

size_t
wn_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c = s[0];

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		if (n >= 2 && (s[1] & 0xc0) == 0x80) {
			*cp = ((c & 0x1f) << 6) | (s[1] & 0x3f);
			return 2;
		}
	} else if (c >= 0xe0 && c <= 0xef) {
		if (n >= 3 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80) {
			uint32_t v = ((c & 0x0f) << 12) |
			    ((uint32_t)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);

			if (v >= 0x800 && (v < 0xd800 || v > 0xdfff)) {
				*cp = v;
				return 3;
			}
		}
	} else if (c >= 0xf0 && c <= 0xf4) {
		if (n >= 4 && (s[1] & 0xc0) == 0x80 &&
		    (s[2] & 0xc0) == 0x80 && (s[3] & 0xc0) == 0x80) {
			uint32_t v = ((c & 0x07) << 18) |
			    ((uint32_t)(s[1] & 0x3f) << 12) |
			    ((uint32_t)(s[2] & 0x3f) << 6) | (s[3] & 0x3f);

			if (v >= 0x10000 && v <= 0x10ffff) {
				*cp = v;
				return 4;
			}
		}
	}
	*cp = 0xfffd;
	return 1;
}

size_t
wn_utf8_encode(uint32_t cp, char *out)
{
	unsigned char *o = (unsigned char *)out;

	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xc0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xe0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (unsigned char)(0xf0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

bool
wn_utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	uint32_t cp;

	while (i < n) {
		if (i + 8 <= n) {
			uint64_t w;

			memcpy(&w, s + i, 8);
			if ((w & 0x8080808080808080ull) == 0) {
				i += 8;
				continue;
			}
		}
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		size_t k = wn_utf8_decode(s + i, n - i, &cp);

		if (cp == 0xfffd && k == 1)
			return false;
		i += k;
	}
	return true;
}
