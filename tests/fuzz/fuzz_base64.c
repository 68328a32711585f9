/*
 * fuzz_base64.c - libFuzzer target for the base64 decoder (codec.h).
 *
 * Decodes the input into a buffer of exactly WN_BASE64_DECODED_MAX bytes
 * (ASan catches any write past it) and checks the count against the bound
 * and the only flag the decoder may set. Clean input must round-trip: the
 * decoder's output, encoded again, decodes to itself without a flag.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <winnow/codec.h>

static const char fuzz_b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Plain RFC 4648 encoding with padding; out has room for 4*(n+2)/3. */
static size_t
fuzz_b64_encode(const unsigned char *in, size_t n, char *out)
{
	size_t i, o = 0;

	for (i = 0; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
		    in[i + 2];

		out[o++] = fuzz_b64_alphabet[v >> 18];
		out[o++] = fuzz_b64_alphabet[(v >> 12) & 63];
		out[o++] = fuzz_b64_alphabet[(v >> 6) & 63];
		out[o++] = fuzz_b64_alphabet[v & 63];
	}
	if (n - i == 1) {
		out[o++] = fuzz_b64_alphabet[in[i] >> 2];
		out[o++] = fuzz_b64_alphabet[(in[i] & 3) << 4];
		out[o++] = '=';
		out[o++] = '=';
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)in[i] << 8 | in[i + 1];

		out[o++] = fuzz_b64_alphabet[v >> 10];
		out[o++] = fuzz_b64_alphabet[(v >> 4) & 63];
		out[o++] = fuzz_b64_alphabet[(v << 2) & 63];
		out[o++] = '=';
	}
	return o;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t bound = WN_BASE64_DECODED_MAX(size), n, en, n2;
	char *out, *enc, *back;
	uint32_t flags = 0;

	if ((out = malloc(bound)) == NULL)
		return 0;
	n = wn_base64_decode((const char *)data, size, out, &flags);
	if (n > bound || (flags & ~(uint32_t)WN_CODEC_BAD_BASE64))
		abort();
	if ((enc = malloc(4 * (n / 3 + 1))) == NULL) {
		free(out);
		return 0;
	}
	en = fuzz_b64_encode((const unsigned char *)out, n, enc);
	if ((back = malloc(WN_BASE64_DECODED_MAX(en))) != NULL) {
		flags = 0;
		n2 = wn_base64_decode(enc, en, back, &flags);
		if (n2 != n || memcmp(back, out, n) != 0 || flags != 0)
			abort();
		free(back);
	}
	free(enc);
	free(out);
	return 0;
}
