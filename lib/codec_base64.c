/*
 * codec_base64.c - tolerant base64 decoding (RFC 2045 section 6.8).
 *
 * Mail carries base64 with line breaks, stray junk, missing padding and
 * several blobs glued together. Line breaks and blanks are skipped
 * silently; any other byte outside the alphabet is skipped and flagged.
 * Padding ends a group: its partial bytes are flushed and decoding resumes
 * with the next group. Groups of four clean characters take the fast path.
 */
#include <stdint.h>

#include <winnow/codec.h>

/* 0..63 for the alphabet, 64 for '=', 65 for white space, 66 for junk. */
enum { B64_PAD = 64, B64_SPACE = 65, B64_JUNK = 66 };

static const uint8_t wn_b64_table[256] = {
#define J B64_JUNK
#define S B64_SPACE
	J, J, J, J, J, J, J, J, J, S, S, J, J, S, J, J,
	J, J, J, J, J, J, J, J, J, J, J, J, J, J, J, J,
	S, J, J, J, J, J, J, J, J, J, J, 62, J, J, J, 63,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, J, J, J, B64_PAD, J, J,
	J, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, J, J, J, J, J,
	J, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, J, J, J, J, J,
	J, J, J, J, J, J, J, J, J, J, J, J, J, J, J, J,
	J, J, J, J, J, J, J, J, J, J, J, J, J, J, J, J,
	J, J, J, J, J, J, J, J, J, J, J, J, J, J, J, J,
	J, J, J, J, J, J, J, J, J, J, J, J, J, J, J, J,
	J, J, J, J, J, J, J, J, J, J, J, J, J, J, J, J,
	J, J, J, J, J, J, J, J, J, J, J, J, J, J, J, J,
	J, J, J, J, J, J, J, J, J, J, J, J, J, J, J, J,
	J, J, J, J, J, J, J, J, J, J, J, J, J, J, J, J,
#undef J
#undef S
};

size_t
wn_base64_decode(const char *in, size_t n, char *out, uint32_t *flags)
{
	const unsigned char *s = (const unsigned char *)in;
	unsigned char *o = (unsigned char *)out;
	uint32_t acc = 0;
	unsigned have = 0;	/* sextets in acc */
	size_t i = 0;
	int bad = 0;

	while (i < n) {
		/* Fast path: four alphabet characters in a row. */
		if (have == 0 && i + 4 <= n) {
			uint8_t a = wn_b64_table[s[i]], b = wn_b64_table[s[i + 1]],
			    c = wn_b64_table[s[i + 2]], d = wn_b64_table[s[i + 3]];

			if ((a | b | c | d) < 64) {
				uint32_t v = ((uint32_t)a << 18) |
				    ((uint32_t)b << 12) | ((uint32_t)c << 6) | d;

				o[0] = (unsigned char)(v >> 16);
				o[1] = (unsigned char)(v >> 8);
				o[2] = (unsigned char)v;
				o += 3;
				i += 4;
				continue;
			}
		}
		uint8_t v = wn_b64_table[s[i++]];

		if (v < 64) {
			acc = (acc << 6) | v;
			if (++have == 4) {
				o[0] = (unsigned char)(acc >> 16);
				o[1] = (unsigned char)(acc >> 8);
				o[2] = (unsigned char)acc;
				o += 3;
				acc = 0;
				have = 0;
			}
		} else if (v == B64_PAD) {
			/* Flush a partial group; '=' with nothing pending is
			 * the rest of the padding (or junk we can ignore). */
			if (have == 2) {
				*o++ = (unsigned char)(acc >> 4);
			} else if (have == 3) {
				*o++ = (unsigned char)(acc >> 10);
				*o++ = (unsigned char)(acc >> 2);
			} else if (have == 1) {
				bad = 1;
			}
			acc = 0;
			have = 0;
		} else if (v == B64_JUNK) {
			bad = 1;
		}
	}
	/* Missing padding: decode what is there. */
	if (have == 2) {
		*o++ = (unsigned char)(acc >> 4);
	} else if (have == 3) {
		*o++ = (unsigned char)(acc >> 10);
		*o++ = (unsigned char)(acc >> 2);
	} else if (have == 1) {
		bad = 1;
	}
	if (bad && flags)
		*flags |= WN_CODEC_BAD_BASE64;
	return (size_t)(o - (unsigned char *)out);
}
