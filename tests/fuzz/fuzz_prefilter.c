/*
 * fuzz_prefilter.c - the rules' literal prefilter never hides a match.
 *
 * Input: a regex, a NUL, a subject text. When PCRE2 (caseless, as the
 * prefilter is) finds a match, the text must contain one of the literals
 * derived from the pattern; otherwise the prefilter would skip a rule that
 * matches, and the target traps.
 */
#include <stdint.h>
#include <string.h>

#include <winnow/arena.h>

#include "rules_int.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nul = memchr(data, '\0', size);
	const char *text;
	size_t tlen, i;
	char *pat;
	wn_arena *a;
	wn__litset ls;
	uint32_t rf;
	pcre2_code *re;
	pcre2_match_data *md;
	pcre2_match_context *mc;
	int ec, rc;
	PCRE2_SIZE eo;

	if (nul == NULL || size > 4096)
		return 0;
	text = nul + 1;
	tlen = size - (size_t)(text - (const char *)data);
	if ((a = wn_arena_new(0)) == NULL)
		return 0;
	pat = wn_arena_memdup(a, data, (size_t)(nul - (const char *)data));
	re = pat ? pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
	    PCRE2_CASELESS, &ec, &eo, NULL) : NULL;
	if (re == NULL || wn__rules_literals(a, pat, PCRE2_CASELESS, &ls,
	    &rf) != 0 || ls.n == 0) {
		pcre2_code_free(re);
		wn_arena_free(&a);
		return 0;
	}
	md = pcre2_match_data_create(1, NULL);
	mc = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(mc, 100000);
	rc = pcre2_match(re, (PCRE2_SPTR)text, tlen, 0, 0, md, mc);
	if (rc >= 0) {
		bool found = false;

		for (i = 0; i < ls.n && !found; i++) {
			size_t k;

			for (k = 0; k + ls.len[i] <= tlen && !found; k++)
				found = strncasecmp(text + k, ls.lit[i],
				    ls.len[i]) == 0;
		}
		if (!found)
			__builtin_trap();
	}
	pcre2_match_context_free(mc);
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	wn_arena_free(&a);
	return 0;
}
