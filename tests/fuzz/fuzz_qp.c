/*
 * fuzz_qp.c - libFuzzer target for the quoted-printable decoder (codec.h).
 *
 * Decodes the input both as a body and as an RFC 2047 "Q" word, each into
 * a buffer of exactly WN_QP_DECODED_MAX bytes (ASan catches any write past
 * it), and checks the count and the only flag the decoder may set. Input
 * with no '=' must come out as written (with '_' as a space in Q mode).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <winnow/codec.h>

static void
fuzz_qp_one(const char *in, size_t size, bool q_word)
{
	size_t bound = WN_QP_DECODED_MAX(size), n, i;
	uint32_t flags = 0;
	char *out;

	/* malloc(0) may return NULL: keep one byte. */
	if ((out = malloc(bound ? bound : 1)) == NULL)
		return;
	n = wn_qp_decode(in, size, out, q_word, &flags);
	if (n > bound || (flags & ~(uint32_t)WN_CODEC_BAD_QP))
		abort();
	if (memchr(in, '=', size) == NULL) {
		if (n != size || flags != 0)
			abort();
		for (i = 0; i < size; i++)
			if (out[i] != (q_word && in[i] == '_' ? ' ' : in[i]))
				abort();
	}
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_qp_one((const char *)data, size, false);
	fuzz_qp_one((const char *)data, size, true);
	return 0;
}
