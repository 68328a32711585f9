/*
 * rules_ac.c - Aho-Corasick automaton for the rules' literal prefilter.
 *
 * A deterministic automaton over byte classes: each byte that occurs in a
 * literal has a class (upper and lower case ASCII share one), every other
 * byte is class 0. One pass over a text reports every literal occurring in
 * it, case-insensitively, in time linear in the text.
 */
#include <stdlib.h>
#include <string.h>

#include <winnow/alloc.h>
#include <winnow/err.h>
#include <winnow/str.h>

#include "rules_int.h"

#define WN_AC_NONE UINT32_MAX

int
wn__ac_build(wn__ac *ac, const char *const *lits, const size_t *lens,
    size_t n)
{
	size_t i, j, total = 1, n_states = 1, head = 0, tail = 0;
	uint32_t *fail = NULL, *queue = NULL, *own_last = NULL;
	unsigned c;

	memset(ac, 0, sizeof(*ac));
	ac->n_cls = 1;
	for (i = 0; i < n; i++) {
		total += lens[i];
		for (j = 0; j < lens[i]; j++) {
			unsigned char b = wn_ascii_lower((unsigned char)lits[i][j]);

			if (ac->cls[b] == 0) {
				ac->cls[b] = (uint8_t)ac->n_cls++;
				if (b >= 'a' && b <= 'z')
					ac->cls[b - 'a' + 'A'] = ac->cls[b];
			}
		}
	}
	ac->next = wn_malloc(total * ac->n_cls * sizeof(*ac->next));
	ac->out_first = wn_malloc(total * sizeof(*ac->out_first));
	ac->out_lit = wn_malloc((n + 1) * sizeof(*ac->out_lit));
	ac->out_next = wn_malloc((n + 1) * sizeof(*ac->out_next));
	fail = wn_malloc(total * sizeof(*fail));
	queue = wn_malloc(total * sizeof(*queue));
	own_last = wn_malloc(total * sizeof(*own_last));
	if (ac->next == NULL || ac->out_first == NULL || ac->out_lit == NULL ||
	    ac->out_next == NULL || fail == NULL || queue == NULL ||
	    own_last == NULL)
		goto oom;
	for (i = 0; i < total * ac->n_cls; i++)
		ac->next[i] = WN_AC_NONE;
	for (i = 0; i < total; i++)
		ac->out_first[i] = own_last[i] = WN_AC_NONE;

	/* the trie */
	for (i = 0; i < n; i++) {
		uint32_t s = 0;

		for (j = 0; j < lens[i]; j++) {
			c = ac->cls[(unsigned char)lits[i][j]];
			if (ac->next[s * ac->n_cls + c] == WN_AC_NONE)
				ac->next[s * ac->n_cls + c] =
				    (uint32_t)n_states++;
			s = ac->next[s * ac->n_cls + c];
		}
		ac->out_lit[ac->n_out] = (uint32_t)i;
		ac->out_next[ac->n_out] = ac->out_first[s];
		if (ac->out_first[s] == WN_AC_NONE)
			own_last[s] = (uint32_t)ac->n_out;
		ac->out_first[s] = (uint32_t)ac->n_out++;
	}

	/* failure links in breadth-first order, folded into transitions */
	for (c = 0; c < ac->n_cls; c++) {
		uint32_t t = ac->next[c];

		if (t == WN_AC_NONE)
			ac->next[c] = 0;
		else {
			fail[t] = 0;
			queue[tail++] = t;
		}
	}
	while (head < tail) {
		uint32_t s = queue[head++], f = fail[s];

		/* outputs of the longest proper suffix follow our own */
		if (own_last[s] != WN_AC_NONE)
			ac->out_next[own_last[s]] = ac->out_first[f];
		else
			ac->out_first[s] = ac->out_first[f];
		for (c = 0; c < ac->n_cls; c++) {
			uint32_t t = ac->next[s * ac->n_cls + c];

			if (t == WN_AC_NONE)
				ac->next[s * ac->n_cls + c] =
				    ac->next[f * ac->n_cls + c];
			else {
				fail[t] = ac->next[f * ac->n_cls + c];
				queue[tail++] = t;
			}
		}
	}
	ac->n_states = n_states;
	wn_free(fail);
	wn_free(queue);
	wn_free(own_last);
	return 0;
oom:
	wn_free(fail);
	wn_free(queue);
	wn_free(own_last);
	wn__ac_free(ac);
	return WN_ENOMEM;
}

void
wn__ac_free(wn__ac *ac)
{
	wn_free(ac->next);
	wn_free(ac->out_first);
	wn_free(ac->out_lit);
	wn_free(ac->out_next);
	memset(ac, 0, sizeof(*ac));
}

void
wn__ac_scan(const wn__ac *ac, const char *s, size_t n,
    void (*fn)(uint32_t lit, void *ctx), void *ctx)
{
	const uint32_t *next = ac->next;
	const uint8_t *cls = ac->cls;
	size_t i, w = ac->n_cls;
	uint32_t st = 0, o;

	for (i = 0; i < n; i++) {
		st = next[st * w + cls[(unsigned char)s[i]]];
		for (o = ac->out_first[st]; o != WN_AC_NONE; o = ac->out_next[o])
			fn(ac->out_lit[o], ctx);
	}
}
