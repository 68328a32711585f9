/*
 * fuzz_align.c - libFuzzer target for the header alignment flags
 * (align.h), which read the raw header of every message.
 *
 * Checks the contract: only defined flags are set; a Message-ID domain
 * that is missing is neither From's nor a relay's; and what follows an
 * empty line is not header, so appending a header's worth after one
 * changes nothing. The input is copied to a buffer of its exact size, so
 * a read past it is caught. A violation aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <winnow/align.h>

static const char fuzz_align_tail[] = "\nFrom: a@tail.example\n"
    "Return-Path: <b@tail.example>\nMessage-ID: <c@tail.example>\n"
    "Received: from mx.tail.example\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const unsigned all = (1u << WN_ALIGN_FLAGS) - 1;
	const unsigned mid = (1u << WN_ALIGN_FROM_MESSAGE_ID) |
	    (1u << WN_ALIGN_MESSAGE_ID_RELAY);
	char *h = malloc(size ? size : 1), *longer;
	unsigned flags;

	if (h == NULL)
		return 0;
	memcpy(h, data, size);
	flags = wn_align_flags(h, size);
	if ((flags & ~all) != 0)
		abort();
	if ((flags & (1u << WN_ALIGN_NO_MESSAGE_ID)) && (flags & mid))
		abort();
	if (size > 0 && h[size - 1] == '\n' &&
	    (longer = malloc(size + sizeof(fuzz_align_tail))) != NULL) {
		memcpy(longer, h, size);
		memcpy(longer + size, fuzz_align_tail,
		    sizeof(fuzz_align_tail) - 1);
		if (wn_align_flags(longer, size + sizeof(fuzz_align_tail) -
		    1) != flags)
			abort();
		free(longer);
	}
	free(h);
	return 0;
}
