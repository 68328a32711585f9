/*
 * fuzz_url.c - libFuzzer target for URL extraction and parsing.
 *
 * The input is taken as text to scan, as one URL and as a bare host.
 * Besides the sanitizers, a few invariants of the results are checked.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <winnow/arena.h>
#include <winnow/codec.h>
#include <winnow/url.h>

static void
check(const wn_url *u)
{
	size_t hl = strlen(u->host), dl = strlen(u->domain);

	if (strlen(u->url) > WN_URL_MAX_LEN || dl > hl ||
	    strcmp(u->host + hl - dl, u->domain) != 0 ||
	    !wn_utf8_valid(u->host, hl) ||
	    ((u->flags & WN_URL_BAD_HOST) && hl != 0))
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	wn_arena *a;
	wn_url_list l;
	wn_url u;
	uint32_t fl = 0;
	size_t i;

	if ((a = wn_arena_new(0)) == NULL)
		return 0;
	wn_url_list_init(&l, a, 64);
	if (wn_url_extract_text(&l, s, size) == 0)
		for (i = 0; i < l.n; i++)
			check(&l.v[i]);
	if (wn_url_parse(a, s, size, WN_URL_FROM_HTML, &u) == 0)
		check(&u);
	(void)wn_url_host_normalise(a, s, size, &fl);
	wn_arena_free(&a);
	return 0;
}
