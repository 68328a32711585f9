/*
 * codec.h - transfer decodings and charset conversion to UTF-8.
 *
 * Decoders are tolerant: they never fail on content. What they had to skip
 * or repair is reported as WN_CODEC_* flags so the parser can turn it into
 * anomaly flags. Output buffers are sized by the caller with the bounds
 * given below; the functions never write past them.
 *
 * Charset conversion handles UTF-8, US-ASCII, ISO-8859-1 and Windows-1252
 * itself (the common path) and everything else through iconv(3). Invalid
 * bytes become U+FFFD; an unknown charset falls back to UTF-8 when the bytes
 * are valid UTF-8 and to Windows-1252 otherwise; a charset that lies (UTF-8
 * bytes labelled Latin-1 or ASCII) is read as UTF-8. Thread-safe.
 */
#ifndef WINNOW_CODEC_H
#define WINNOW_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <winnow/arena.h>
#include <winnow/str.h>

enum {
	WN_CODEC_BAD_BASE64 = 1u << 0,	 /* non-alphabet bytes or bad padding */
	WN_CODEC_BAD_QP = 1u << 1,	 /* invalid =XX escapes */
	WN_CODEC_BAD_CHARSET = 1u << 2,	 /* bytes invalid in the charset */
	WN_CODEC_UNKNOWN_CHARSET = 1u << 3, /* charset not known to iconv */
	WN_CODEC_CHARSET_MISMATCH = 1u << 4, /* declared charset was wrong */
	WN_CODEC_BAD_ENCODED_WORD = 1u << 5, /* malformed RFC 2047 word */
	WN_CODEC_TRUNCATED = 1u << 6	 /* output bound reached */
};

/* Upper bounds of decoded sizes for an input of n bytes. */
#define WN_BASE64_DECODED_MAX(n)	(((n) / 4 + 1) * 3)
#define WN_QP_DECODED_MAX(n)		(n)

/*
 * wn_base64_decode - decode in[0..n) into out, skipping line breaks and
 * junk; stops at the first '=' padding of a group and resumes after it
 * (concatenated base64 blobs occur in the wild). Returns bytes written.
 */
size_t wn_base64_decode(const char *in, size_t n, char *out,
    uint32_t *flags);

/*
 * wn_qp_decode - quoted-printable (RFC 2045) into out. With q_word set,
 * the RFC 2047 "Q" variant: '_' is a space and line breaks are not special.
 * Soft line breaks are removed, trailing white space before a line break is
 * kept (real mail needs it more than the RFC's stripping). Returns bytes
 * written.
 */
size_t wn_qp_decode(const char *in, size_t n, char *out, bool q_word,
    uint32_t *flags);

/*
 * wn_charset_to_utf8 - convert in[0..n) from charset (NULL or "" means
 * unknown: detect UTF-8, else Windows-1252) into arena memory, valid UTF-8,
 * NUL-terminated, at most max_out bytes (WN_CODEC_TRUNCATED beyond).
 * *used_out, if not NULL, receives the canonical name of the charset that
 * was actually used ("utf-8", "windows-1252", or the iconv name).
 * Returns 0 or WN_ENOMEM.
 */
int wn_charset_to_utf8(wn_arena *arena, const char *charset, const char *in,
    size_t n, size_t max_out, wn_str *out, const char **used_out,
    uint32_t *flags);

/*
 * wn_rfc2047_decode - decode the encoded words of an unfolded header value
 * into UTF-8 (arena, NUL-terminated). White space between adjacent encoded
 * words is dropped; raw 8-bit bytes outside encoded words are taken as
 * UTF-8 if valid, else Windows-1252. Returns 0 or WN_ENOMEM.
 */
int wn_rfc2047_decode(wn_arena *arena, const char *in, size_t n,
    wn_str *out, uint32_t *flags);

/* wn_utf8_valid - whether s[0..n) is well-formed UTF-8 */
bool wn_utf8_valid(const char *s, size_t n);

/*
 * wn_utf8_decode - decode one code point at s (n > 0 bytes available).
 * Returns its length (1..4) and the code point in *cp, or 1 and
 * 0xFFFD for an invalid sequence.
 */
size_t wn_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* wn_utf8_encode - write cp as UTF-8 into out (4 bytes room); length */
size_t wn_utf8_encode(uint32_t cp, char *out);

#endif
