/*
 * fuzz_html.c - libFuzzer target for the HTML renderer.
 *
 * Renders the input with a URL list and a small output bound, then checks
 * that both texts are NUL-terminated, bounded and valid UTF-8.
 */
#include <stddef.h>
#include <stdint.h>

#include <winnow/arena.h>
#include <winnow/codec.h>
#include <winnow/html.h>
#include <winnow/url.h>

#define FUZZ_MAX_OUT	4096

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	wn_arena *a;
	wn_url_list l;
	wn_html_result r;

	if ((a = wn_arena_new(0)) == NULL)
		return 0;
	wn_url_list_init(&l, a, 64);
	if (wn_html_render(a, (const char *)data, size, FUZZ_MAX_OUT, &l,
	    &r) == 0) {
		if (r.text.len > FUZZ_MAX_OUT || r.hidden.len > FUZZ_MAX_OUT ||
		    r.text.p[r.text.len] != '\0' ||
		    r.hidden.p[r.hidden.len] != '\0' ||
		    !wn_utf8_valid(r.text.p, r.text.len) ||
		    !wn_utf8_valid(r.hidden.p, r.hidden.len) || l.n > 64)
			__builtin_trap();
	}
	wn_arena_free(&a);
	return 0;
}
