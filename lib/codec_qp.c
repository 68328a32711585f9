/*
 * codec_qp.c - quoted-printable decoding (RFC 2045 6.7, RFC 2047 4.2).
 *
 * Tolerant: an '=' not followed by two hex digits or a line break is kept
 * as written and flagged; lowercase hex is accepted (Outlook writes it).
 * Runs without '=' are copied in bulk.
 */
#include <string.h>

#include <winnow/codec.h>

static inline int
wn_qp_hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

size_t
wn_qp_decode(const char *in, size_t n, char *out, bool q_word,
    uint32_t *flags)
{
	const unsigned char *s = (const unsigned char *)in;
	char *o = out;
	size_t i = 0;
	int bad = 0;

	while (i < n) {
		const unsigned char *eq;

		if (!q_word) {
			eq = memchr(s + i, '=', n - i);
			if (eq == NULL) {
				memcpy(o, s + i, n - i);
				o += n - i;
				break;
			}
			memcpy(o, s + i, (size_t)(eq - (s + i)));
			o += eq - (s + i);
			i = (size_t)(eq - s);
		} else if (s[i] != '=') {
			*o++ = s[i] == '_' ? ' ' : (char)s[i];
			i++;
			continue;
		}
		/* s[i] == '=' */
		if (i + 2 < n && wn_qp_hex(s[i + 1]) >= 0 &&
		    wn_qp_hex(s[i + 2]) >= 0) {
			*o++ = (char)(wn_qp_hex(s[i + 1]) << 4 |
			    wn_qp_hex(s[i + 2]));
			i += 3;
			continue;
		}
		if (!q_word) {
			/* Soft line break: '=' then optional blanks, then
			 * CRLF or LF (or the end of the input). */
			size_t j = i + 1;

			while (j < n && (s[j] == ' ' || s[j] == '\t'))
				j++;
			if (j == n) {
				i = n;
				continue;
			}
			if (s[j] == '\n') {
				i = j + 1;
				continue;
			}
			if (s[j] == '\r') {
				i = j + 1 < n && s[j + 1] == '\n' ? j + 2 : j + 1;
				continue;
			}
		}
		bad = 1;
		*o++ = '=';
		i++;
	}
	if (bad && flags)
		*flags |= WN_CODEC_BAD_QP;
	return (size_t)(o - out);
}
