/*
 * fuzz_rfc2047.c - libFuzzer target for encoded-word decoding and charset
 * conversion (codec.h).
 *
 * The input is decoded as a header value, and converted to UTF-8 with a
 * charset named by its first line ("utf-8", "koi8-r", "iso-2022-jp", any
 * string at all) under a small output bound. Both results must be valid,
 * NUL-terminated UTF-8 within their bounds, and only documented flags may
 * be set. A violation aborts, which libFuzzer reports as a crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <winnow/arena.h>
#include <winnow/codec.h>
#include <winnow/err.h>

#define FUZZ_CS_MAX_OUT	1024

static void
fuzz_rfc2047_check(const wn_str *s, size_t max)
{
	if (s->p == NULL || s->len > max || s->p[s->len] != '\0' ||
	    !wn_utf8_valid(s->p, s->len))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint32_t known = WN_CODEC_BAD_BASE64 | WN_CODEC_BAD_QP |
	    WN_CODEC_BAD_CHARSET | WN_CODEC_UNKNOWN_CHARSET |
	    WN_CODEC_CHARSET_MISMATCH | WN_CODEC_BAD_ENCODED_WORD |
	    WN_CODEC_TRUNCATED;
	const char *in = (const char *)data, *nl, *used = NULL;
	char charset[64];
	uint32_t flags = 0;
	wn_arena *a;
	wn_str out;
	size_t cl;
	int rc;

	if ((a = wn_arena_new(0)) == NULL)
		return 0;
	rc = wn_rfc2047_decode(a, in, size, &out, &flags);
	if (rc != 0 && rc != WN_ENOMEM)
		abort();
	if (rc == 0)
		fuzz_rfc2047_check(&out, (size_t)-1);
	if (flags & ~known)
		abort();

	/* First line: charset name; the rest: text in it. */
	nl = memchr(in, '\n', size);
	cl = nl ? (size_t)(nl - in) : 0;
	if (cl >= sizeof(charset))
		cl = sizeof(charset) - 1;
	memcpy(charset, in, cl);
	charset[cl] = '\0';
	if (nl != NULL) {
		size = size - (size_t)(nl + 1 - in);
		in = nl + 1;
	}
	flags = 0;
	rc = wn_charset_to_utf8(a, charset, in, size, FUZZ_CS_MAX_OUT, &out,
	    &used, &flags);
	if (rc != 0 && rc != WN_ENOMEM)
		abort();
	if (rc == 0) {
		fuzz_rfc2047_check(&out, FUZZ_CS_MAX_OUT);
		if (used == NULL)
			abort();
	}
	if (flags & ~known)
		abort();
	wn_arena_free(&a);
	return 0;
}
