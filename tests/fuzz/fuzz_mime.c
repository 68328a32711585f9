/*
 * fuzz_mime.c - libFuzzer target for the MIME parser (mime.h).
 *
 * Parses the input with small limits, so that depth, part, header, decode,
 * text and URL bounds are all within reach of short inputs, and checks the
 * parser's contract on the result: limits kept, the part tree consistent
 * with its depth-first indexes, every decoded string valid UTF-8 and
 * NUL-terminated. A violation aborts, which libFuzzer reports as a crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <winnow/arena.h>
#include <winnow/codec.h>
#include <winnow/err.h>
#include <winnow/mime.h>

static void
fuzz_mime_check_str(const char *s, size_t n)
{
	if (s == NULL || s[n] != '\0' || !wn_utf8_valid(s, n))
		abort();
}

static void
fuzz_mime_check(const wn_mime_msg *m, const wn_mime_limits *lim,
    size_t size)
{
	const wn_mime_part *p;
	size_t i, n = 0, decoded = 0;

	if (m->scanned > size || m->scanned > lim->max_scan_bytes ||
	    m->n_parts > lim->max_parts || m->urls.n > lim->max_urls)
		abort();
	fuzz_mime_check_str(m->subject, strlen(m->subject));
	for (p = m->root; p != NULL; p = wn_mime_part_next(p), n++) {
		if (p->index != n || p->depth > lim->max_depth ||
		    (p->parent == NULL) != (p == m->root) ||
		    (p->parent && p->depth != p->parent->depth + 1) ||
		    p->type == NULL || p->subtype == NULL ||
		    (m->flags & p->flags) != p->flags)
			abort();
		for (i = 0; i < p->n_headers; i++)
			fuzz_mime_check_str(p->headers[i].value.p,
			    p->headers[i].value.len);
		if (p->filename)
			fuzz_mime_check_str(p->filename, strlen(p->filename));
		if (wn_mime_part_is_text(p)) {
			fuzz_mime_check_str(p->text.p, p->text.len);
			fuzz_mime_check_str(p->hidden_text.p,
			    p->hidden_text.len);
			if (p->text.len > lim->max_text_bytes)
				abort();
		}
		decoded += p->decoded_size;
	}
	if (n != m->n_parts || decoded > lim->max_decoded_bytes)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	wn_mime_limits lim;
	wn_mime_msg *m;
	wn_arena *a;
	int rc;

	wn_mime_limits_default(&lim);
	lim.max_scan_bytes = 64u << 10;
	lim.max_header_bytes = 4096;
	lim.max_headers = 64;
	lim.max_depth = 8;
	lim.max_parts = 32;
	lim.max_decoded_bytes = 128u << 10;
	lim.max_text_bytes = 16u << 10;
	lim.max_urls = 16;
	lim.max_addrs = 8;
	if ((a = wn_arena_new(0)) == NULL)
		return 0;
	rc = wn_mime_parse(a, (const char *)data, size, &lim, &m);
	if (rc != 0 && rc != WN_ENOMEM)
		abort();
	if (rc == 0)
		fuzz_mime_check(m, &lim, size);
	wn_arena_free(&a);
	return 0;
}
