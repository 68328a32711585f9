/* test_token_deltas.c - a learning batch's token changes, summed per
 * token and handed out in key order. */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include <winnow/err.h>

#include "token_deltas.h"

static const wn_token_delta *
find(const wn_token_delta *v, size_t n, uint64_t key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].key == key)
			return &v[i];
	return NULL;
}

Test(token_deltas, sums_per_token_and_keeps_the_last_adding_day)
{
	static const uint64_t a[] = { 7, 3, UINT64_MAX }, b[] = { 3, 9 };
	wn_token_deltas d = { 0 };
	const wn_token_delta *v, *e;
	size_t n;

	cr_assert_eq(wn_token_deltas_add(&d, a, 3, 1, 0, 20), 0);
	cr_assert_eq(wn_token_deltas_add(&d, b, 2, 1, 0, 21), 0);
	cr_assert_eq(wn_token_deltas_add(&d, b, 2, -1, 1, 19), 0);
	cr_assert_eq(wn_token_deltas_add(&d, a, 3, -1, 0, 22), 0);
	cr_assert_eq(d.n, 4);
	cr_assert_eq(wn_token_deltas_sorted(&d, &v, &n), 0);
	cr_assert_eq(n, 4);
	cr_assert(v[0].key == 3 && v[1].key == 7 && v[2].key == 9 &&
	    v[3].key == UINT64_MAX);
	e = find(v, n, 3);	/* +1 -1 +1 spam... */
	cr_assert(e->spam == 0 && e->ham == 1 && e->day == 19,
	    "3: %d/%d day %u", e->spam, e->ham, e->day);
	e = find(v, n, 7);	/* learned and forgotten: nothing, day 20 */
	cr_assert(e->spam == 0 && e->ham == 0 && e->day == 20);
	wn_token_deltas_free(&d);
}

Test(token_deltas, grows_sorts_many_and_starts_over_after_clear)
{
	enum { N = 100000 };
	uint64_t *keys = malloc(N * sizeof(*keys));
	wn_token_deltas d = { 0 };
	const wn_token_delta *v;
	uint64_t x = 88172645463325252ull;
	size_t i, n;

	cr_assert_not_null(keys);
	for (i = 0; i < N; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		keys[i] = x;
	}
	/* In two calls, the second repeating half of the first. */
	cr_assert_eq(wn_token_deltas_add(&d, keys, N, 0, 1, 5), 0);
	cr_assert_eq(wn_token_deltas_add(&d, keys, N / 2, 0, 1, 6), 0);
	cr_assert_geq(d.cap, 2 * d.n);
	cr_assert_eq(wn_token_deltas_sorted(&d, &v, &n), 0);
	cr_assert_eq(n, N);
	for (i = 1; i < n; i++)
		cr_assert_lt(v[i - 1].key, v[i].key, "order at %zu", i);
	for (i = 0; i < n; i++)
		cr_assert(v[i].ham == 1 || v[i].ham == 2);

	wn_token_deltas_clear(&d);
	cr_assert_eq(d.n, 0);
	cr_assert_eq(wn_token_deltas_add(&d, keys, 1, 1, 0, 9), 0);
	cr_assert_eq(wn_token_deltas_sorted(&d, &v, &n), 0);
	cr_assert(n == 1 && v[0].key == keys[0] && v[0].spam == 1 &&
	    v[0].ham == 0);
	wn_token_deltas_free(&d);
	free(keys);
}

Test(token_deltas, empty_table_sorts_to_nothing)
{
	wn_token_deltas d = { 0 };
	const wn_token_delta *v;
	size_t n = 99;

	cr_assert_eq(wn_token_deltas_sorted(&d, &v, &n), 0);
	cr_assert_eq(n, 0);
	wn_token_deltas_clear(&d);
	wn_token_deltas_free(&d);
}
